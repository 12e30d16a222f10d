//! 整改, 督查 and after: the unit rectifies, a moderator closes (销号) or
//! reopens (返工), the reporter's verdict, follows.

#[allow(unused_imports)]
use super::*;

/// 整改: staff of the assigned unit, with a note and 1–4 after photos.
pub async fn rectify(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    note: Option<String>,
    photos: Vec<Upload>,
) -> Result<Report, AppError> {
    let row = load_visible(state, id, Some(actor)).await?;
    let own_unit =
        actor.roles.has(Role::UnitStaff) && actor.unit_id.is_some() && actor.unit_id == row.unit_id;
    if !own_unit {
        return Err(AppError::Forbidden);
    }
    let mut f = Fields::new();
    let note = f.check(
        "note",
        crate::domain::clean_text(note.as_deref().unwrap_or(""), 500, "请说明整改情况"),
    );
    f.check("photo", report::photo_count(photos.len()));
    let note = f.done(note)?;
    if row.status().after(Transition::Rectify).is_none() {
        return Err(invalid_transition(row.status()));
    }
    photos::allow(state, actor, photos.len()).await?;
    let stored = photos::store_all(state, photos, "photo").await?;
    let now = state.clock.now_ms();
    let result = async {
        let mut tx = state.db.begin_write().await?;
        let moved = sqlx::query(&format!(
            "UPDATE reports SET status = 'rectified', rectified_at = $1, updated_at = $1 \
             WHERE id = $2 AND unit_id = $3 AND status IN ({})",
            sources_sql(Transition::Rectify)
        ))
        .bind(now)
        .bind(id)
        .bind(row.unit_id)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Err(invalid_transition(row.status()));
        }
        insert_photos(&mut tx, now, id, "after", &stored).await?;
        event(
            &mut tx,
            now,
            id,
            "rectified",
            Some(actor.id),
            "unit_staff",
            &note,
        )
        .await?;
        let msg = tell(
            &mut tx,
            now,
            &row,
            &format!("您的随手拍 #{id} 已整改"),
            "请看看整改后的照片：问题解决了吗？",
        )
        .await?;
        tx.commit().await?;
        Ok(msg)
    }
    .await;
    match result {
        Ok(msg) => {
            notify::deliver(state, &[msg]).await;
            get(state, id, Some(actor)).await
        }
        Err(e) => {
            photos::forget(state, &stored).await;
            if matches!(e, AppError::Conflict { .. }) {
                return Err(invalid_transition(load(state, id).await?.status()));
            }
            Err(e)
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VerifyInput {
    /// `close` (销号) or `reopen` (返工).
    pub decision: String,
    pub note: Option<String>,
}

/// The confirmation bonus (an earning rule), once per report; the points
/// paid, if any.
async fn pay_confirmation(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    reporter_id: i64,
    id: i64,
) -> Result<Option<i64>, AppError> {
    let bonus = points::rules(&mut **tx).await?.report_confirmed;
    if bonus == 0 {
        return Ok(None);
    }
    let delta = PointsDelta::parse(bonus).map_err(|_| AppError::Internal)?;
    Ok(points::append(
        tx,
        now,
        reporter_id,
        delta,
        PointsReason::ReportConfirmed,
        Some(Reference { kind: "report", id }),
        None,
        None,
    )
    .await?
    .map(|_| bonus))
}

/// 督查: a moderator who is not staff of the unit closes (销号) or reopens
/// (返工, with a fresh deadline) a rectified report.
pub async fn verify(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: VerifyInput,
) -> Result<Report, AppError> {
    actor.require_moderator()?;
    let row = load(state, id).await?;
    // Nobody checks (and closes, with its points) a report of their own.
    actor.not_on_self(row.reporter_id)?;
    if actor.roles.has(Role::UnitStaff) && actor.unit_id.is_some() && actor.unit_id == row.unit_id {
        // The unit never checks its own work.
        return Err(AppError::Forbidden);
    }
    let mut f = Fields::new();
    let t = match input.decision.as_str() {
        "close" => Some(Transition::Close),
        "reopen" => Some(Transition::Reopen),
        _ => {
            f.push("decision", "应为 close 或 reopen");
            None
        }
    };
    let note = match input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        None if t == Some(Transition::Reopen) => {
            f.push("note", "请说明需要返工的原因");
            None
        }
        None => Some(String::new()),
        Some(n) => f.check("note", crate::domain::clean_text(n, 500, "")),
    };
    let (t, note) = f.done((t, note))?;
    let status = row.status();
    if status.after(t).is_none() {
        return Err(invalid_transition(status));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let moved = if t == Transition::Close {
        sqlx::query(&format!(
            "UPDATE reports SET status = 'closed', closed_at = $1, updated_at = $1, disputed = 0 \
             WHERE id = $2 AND status IN ({})",
            sources_sql(t)
        ))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
    } else {
        let cat = category(state, row.category_id)
            .await?
            .ok_or(AppError::Internal)?;
        sqlx::query(&format!(
            "UPDATE reports SET status = 'assigned', deadline = $1, updated_at = $2, disputed = 0, \
             reporter_verdict = NULL, reopen_count = reopen_count + 1 WHERE id = $3 AND status IN ({})",
            sources_sql(t)
        ))
        .bind(now + cat.sla_days * DAY_MS)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
    };
    let mut tx = moved_or_conflict(state, tx, moved, id).await?;
    let mut messages: Vec<Outgoing> = Vec::new();
    if t == Transition::Close {
        event(
            &mut tx,
            now,
            id,
            "closed",
            Some(actor.id),
            "moderator",
            &note,
        )
        .await?;
        let mut body = "问题已解决。如果实际没有解决，14天内可以点“没有解决”。".to_owned();
        if row.reporter_verdict.as_deref() == Some("fixed")
            && let Some(bonus) = pay_confirmation(&mut tx, now, row.reporter_id, id).await?
        {
            body = format!("问题已解决，感谢您的确认，获得{bonus}积分。");
        }
        messages.push(
            tell(
                &mut tx,
                now,
                &row,
                &format!("您的随手拍 #{id} 已销号"),
                &body,
            )
            .await?,
        );
        for user in followers(&mut tx, id).await? {
            if user != row.reporter_id {
                messages.push(
                    notify::queue(
                        &mut tx,
                        now,
                        user,
                        "followed_closed",
                        Some(id),
                        &format!("您关注的问题 #{id} 已销号"),
                        &row.description,
                    )
                    .await?,
                );
            }
        }
        audit::record(
            &mut tx,
            now,
            Some(actor.id),
            "report.close",
            "report",
            Some(id),
            &note,
        )
        .await?;
    } else {
        event(
            &mut tx,
            now,
            id,
            "reopened",
            Some(actor.id),
            "moderator",
            &note,
        )
        .await?;
        messages.push(
            tell(
                &mut tx,
                now,
                &row,
                &format!("您的随手拍 #{id} 需要返工"),
                &note,
            )
            .await?,
        );
        audit::record(
            &mut tx,
            now,
            Some(actor.id),
            "report.reopen",
            "report",
            Some(id),
            &note,
        )
        .await?;
    }
    messages.extend(crate::backend::badges::award_due(&mut tx, now, row.reporter_id).await?);
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    get(state, id, Some(actor)).await
}

/// My reports that wait for my word on the fix (the home page's to-do
/// strip): rectified, or closed within the feedback window, and not yet
/// answered by me; newest first, at most `limit`.
pub async fn awaiting_my_word(
    state: &AppState,
    actor: &CurrentUser,
    limit: i64,
) -> Result<Vec<crate::models::ToDoReport>, AppError> {
    let since = state.clock.now_ms() - FEEDBACK_WINDOW_MS;
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT r.id, r.status, c.name FROM reports r JOIN categories c ON c.id = r.category_id \
         WHERE r.reporter_id = $1 AND r.reporter_verdict IS NULL \
         AND (r.status = 'rectified' OR (r.status = 'closed' AND r.closed_at >= $2)) \
         ORDER BY r.id DESC LIMIT $3",
    )
    .bind(actor.id)
    .bind(since)
    .bind(limit)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, status, category)| crate::models::ToDoReport {
            id,
            closed: status == "closed",
            category,
        })
        .collect())
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FeedbackInput {
    /// `fixed` or `not_fixed`.
    pub verdict: String,
    pub note: Option<String>,
    /// 满意度回访: 1–5 stars (4–5 count as satisfied), with either verdict.
    pub rating: Option<i64>,
}

/// The reporter's word on the fix: while `rectified`, or up to 14 days after
/// 销号. "Not fixed" on a closed report sends it back to 督查, disputed.
/// Confirming a closed report pays the confirmation bonus once.
pub async fn feedback(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: FeedbackInput,
) -> Result<Report, AppError> {
    let row = load_visible(state, id, Some(actor)).await?;
    if row.reporter_id != actor.id {
        return Err(AppError::Forbidden);
    }
    let mut f = Fields::new();
    let fixed = match input.verdict.as_str() {
        "fixed" => Some(true),
        "not_fixed" => Some(false),
        _ => {
            f.push("verdict", "应为 fixed 或 not_fixed");
            None
        }
    };
    let note = match input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        None => Some(String::new()),
        Some(n) => f.check("note", crate::domain::clean_text(n, 500, "")),
    };
    let rating = input
        .rating
        .and_then(|r| f.check("rating", crate::domain::Rating::parse(r)));
    let (fixed, note) = f.done((fixed, note))?;
    let now = state.clock.now_ms();
    let status = row.status();
    let open = match status {
        ReportStatus::Rectified => true,
        ReportStatus::Closed => row.closed_at.is_some_and(|c| now <= c + FEEDBACK_WINDOW_MS),
        _ => false,
    };
    if !open {
        return Err(AppError::invalid_transition("只能在整改后或销号14天内反馈"));
    }
    let verdict = if fixed { "fixed" } else { "not_fixed" };
    let mut tx = state.db.begin_write().await?;
    let moved = match (status, fixed) {
        (ReportStatus::Closed, false) => sqlx::query(&format!(
            "UPDATE reports SET status = 'rectified', disputed = 1, reporter_verdict = 'not_fixed', \
             closed_at = NULL, updated_at = $1 WHERE id = $2 AND status IN ({})",
            sources_sql(Transition::Dispute)
        ))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?,
        _ => sqlx::query(
            "UPDATE reports SET reporter_verdict = $1, disputed = $2, updated_at = $3 \
             WHERE id = $4 AND status = $5",
        )
        .bind(verdict)
        .bind(!fixed as i64)
        .bind(now)
        .bind(id)
        .bind(status.as_str())
        .execute(&mut *tx)
        .await?,
    };
    let mut tx = moved_or_conflict(state, tx, moved, id).await?;
    let mut note = note;
    if let Some(r) = rating {
        sqlx::query("UPDATE reports SET rating = $1, rated_at = $2 WHERE id = $3")
            .bind(r.stars())
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let stars = format!(
            "满意度 {}",
            crate::domain::supervision::stars_text(r.stars())
        );
        note = if note.is_empty() {
            stars
        } else {
            format!("{stars}。{note}")
        };
    }
    let action = if fixed { "confirmed" } else { "disputed" };
    event(&mut tx, now, id, action, Some(actor.id), "citizen", &note).await?;
    if fixed && status == ReportStatus::Closed {
        pay_confirmation(&mut tx, now, actor.id, id).await?;
    }
    tx.commit().await?;
    get(state, id, Some(actor)).await
}

pub(super) async fn follow_in(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    report_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    let added = sqlx::query(
        "INSERT INTO report_follows (report_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(report_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if added.rows_affected() == 1 {
        sqlx::query("UPDATE reports SET follower_count = follower_count + 1 WHERE id = $1")
            .bind(report_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Follow (or with `on = false`, unfollow) a public report. Idempotent.
pub async fn set_following(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    on: bool,
) -> Result<(), AppError> {
    let row = load_visible(state, id, Some(actor)).await?;
    if !row.status().is_public() {
        return Err(AppError::conflict("not_public", "审核通过后才能关注"));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    if on {
        follow_in(&mut tx, now, id, actor.id).await?;
    } else {
        let gone = sqlx::query("DELETE FROM report_follows WHERE report_id = $1 AND user_id = $2")
            .bind(id)
            .bind(actor.id)
            .execute(&mut *tx)
            .await?;
        if gone.rows_affected() == 1 {
            sqlx::query("UPDATE reports SET follower_count = follower_count - 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
