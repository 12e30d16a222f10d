//! 审核: approve (交办 with a deadline and the reporter's points), reject,
//! merge into an earlier report, and black out faces and plates.

#[allow(unused_imports)]
use super::*;

/// `{decision, reason?, unit_id?, deadline_days?}` of a review.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewInput {
    /// `approve` or `reject`.
    pub decision: String,
    /// Required when rejecting; shown to the reporter.
    pub reason: Option<String>,
    /// Overrides the unit that routing picked.
    pub unit_id: Option<i64>,
    /// Overrides the category's deadline (1–90 days).
    pub deadline_days: Option<i64>,
    /// Corrects the category on approval (and with it the routing, the
    /// deadline and the points).
    #[serde(default)]
    pub category_id: Option<i64>,
}

/// A report's category and the (area, unit) its place routes to.
async fn routing(
    state: &AppState,
    row: &Row,
) -> Result<(CategoryInfo, Option<(i64, i64)>), AppError> {
    let cat = category(state, row.category_id)
        .await?
        .ok_or(AppError::Internal)?;
    Ok((cat, route(state, row.point()).await?))
}

/// Who routing would pick for a report, before a moderator approves it.
pub async fn suggested_unit(state: &AppState, id: i64) -> Result<Option<i64>, AppError> {
    let (cat, area) = routing(state, &load(state, id).await?).await?;
    Ok(report::responsible_unit(
        None,
        cat.unit_id,
        area.map(|a| a.1),
    ))
}

async fn unit_exists(state: &AppState, id: i64) -> Result<bool, AppError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM units WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.is_some())
}

/// 审核: approve (交办 to the routed or chosen unit, pay the reporter once) or
/// reject with a reason.
pub async fn review(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: ReviewInput,
) -> Result<Report, AppError> {
    actor.require_moderator()?;
    let row = load(state, id).await?;
    actor.not_on_self(row.reporter_id)?;
    let mut f = Fields::new();
    let approve = match input.decision.as_str() {
        "approve" => Some(true),
        "reject" => Some(false),
        _ => {
            f.push("decision", "应为 approve 或 reject");
            None
        }
    };
    if approve == Some(false) {
        let reason = f.check(
            "reason",
            crate::domain::clean_text(
                input.reason.as_deref().unwrap_or(""),
                200,
                "请填写不通过的原因",
            ),
        );
        let reason = f.done(reason)?;
        return reject(state, actor, row, reason).await;
    }
    let days = input
        .deadline_days
        .and_then(|d| f.check("deadline_days", report::deadline_days(d)));
    if let Some(u) = input.unit_id
        && !unit_exists(state, u).await?
    {
        f.push("unit_id", "单位不存在");
    }
    let mut row = row;
    if let Some(c) = input.category_id {
        if category(state, c).await?.is_some() {
            row.category_id = c;
        } else {
            f.push("category_id", "类别不存在");
        }
    }
    f.finish()?;
    let status = row.status();
    if status.after(Transition::Approve).is_none() {
        return Err(invalid_transition(status));
    }
    let (cat, area) = routing(state, &row).await?;
    let unit = report::responsible_unit(input.unit_id, cat.unit_id, area.map(|a| a.1))
        .ok_or_else(|| AppError::field("unit_id", "该位置不在任何路段或网格内，请选择责任单位"))?;
    let area_id = if input.unit_id.is_none() && cat.unit_id.is_none() {
        area.map(|a| a.0)
    } else {
        None
    };
    let now = state.clock.now_ms();
    let deadline = now + days.unwrap_or(cat.sla_days) * DAY_MS;
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query(&format!(
        "UPDATE reports SET status = 'assigned', unit_id = $1, area_id = $2, deadline = $3, \
         assigned_at = $4, updated_at = $4, category_id = $6 WHERE id = $5 AND status IN ({})",
        sources_sql(Transition::Approve)
    ))
    .bind(unit)
    .bind(area_id)
    .bind(deadline)
    .bind(now)
    .bind(id)
    .bind(row.category_id)
    .execute(&mut *tx)
    .await?;
    let mut tx = moved_or_conflict(state, tx, moved, id).await?;
    let unit_name: (String,) = sqlx::query_as("SELECT name FROM units WHERE id = $1")
        .bind(unit)
        .fetch_one(&mut *tx)
        .await?;
    event(
        &mut tx,
        now,
        id,
        "approved",
        Some(actor.id),
        "moderator",
        &format!(
            "交办{}，{}前完成整改",
            unit_name.0,
            state.clock.rfc3339(deadline).get(..10).unwrap_or("")
        ),
    )
    .await?;
    // The category's points, up to the daily cap on report points (counted
    // with the reporter's row locked, so parallel approvals add up).
    points::lock_user(&mut tx, row.reporter_id).await?;
    let rules = points::rules(&mut *tx).await?;
    let today = state
        .clock
        .date(now)
        .and_then(|d| state.clock.day_start(d))
        .ok_or(AppError::Internal)?;
    let earned = points::report_points_since(&mut tx, row.reporter_id, today).await?;
    // A city system filing through Open311 earns no points.
    let pays = row.source != "open311";
    let due = if pays {
        rules.report_points(cat.points, earned)
    } else {
        0
    };
    let mut paid = 0;
    if due > 0 {
        let delta = PointsDelta::parse(due).map_err(|_| AppError::Internal)?;
        if points::append(
            &mut tx,
            now,
            row.reporter_id,
            delta,
            PointsReason::ReportApproved,
            Some(Reference { kind: "report", id }),
            None,
            Some(actor.id),
        )
        .await?
        .is_some()
        {
            paid = due;
        }
    }
    let body = if paid > 0 {
        format!("已交由{}整改，您获得{paid}积分", unit_name.0)
    } else if pays && cat.points > 0 && due == 0 {
        format!(
            "已交由{}整改。今日随手拍积分已达上限（{}分），本条不再计分",
            unit_name.0, rules.report_daily_cap
        )
    } else {
        format!("已交由{}整改", unit_name.0)
    };
    let note = tell(
        &mut tx,
        now,
        &row,
        &format!("您的随手拍 #{id} 已通过审核"),
        &body,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "report.approve",
        "report",
        Some(id),
        &format!("unit={unit}"),
    )
    .await?;
    let mut messages = vec![note];
    messages.extend(crate::backend::badges::award_due(&mut tx, now, row.reporter_id).await?);
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    get(state, id, Some(actor)).await
}

async fn reject(
    state: &AppState,
    actor: &CurrentUser,
    row: Row,
    reason: String,
) -> Result<Report, AppError> {
    let id = row.id;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query(&format!(
        "UPDATE reports SET status = 'rejected', updated_at = $1 WHERE id = $2 AND status IN ({})",
        sources_sql(Transition::Reject)
    ))
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let mut tx = moved_or_conflict(state, tx, moved, id).await?;
    event(
        &mut tx,
        now,
        id,
        "rejected",
        Some(actor.id),
        "moderator",
        &reason,
    )
    .await?;
    let note = tell(
        &mut tx,
        now,
        &row,
        &format!("您的随手拍 #{id} 未通过审核"),
        &reason,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "report.reject",
        "report",
        Some(id),
        &reason,
    )
    .await?;
    tx.commit().await?;
    notify::deliver(state, &[note]).await;
    get(state, id, Some(actor)).await
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MergeInput {
    /// The original report this one repeats.
    pub into_id: i64,
}

/// Merges a duplicate into its original: the duplicate's reporter follows
/// the original from then on, and the original's timeline says so.
pub async fn merge(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: MergeInput,
) -> Result<Report, AppError> {
    actor.require_moderator()?;
    let row = load(state, id).await?;
    if input.into_id == id {
        return Err(AppError::field("into_id", "不能合并到自己"));
    }
    let original = match load(state, input.into_id).await {
        Ok(o) if o.status().is_public() => o,
        Ok(_) => return Err(AppError::field("into_id", "只能合并到公开且未被合并的报告")),
        Err(AppError::NotFound) => return Err(AppError::field("into_id", "报告不存在")),
        Err(e) => return Err(e),
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query(&format!(
        "UPDATE reports SET status = 'duplicate', duplicate_of = $1, updated_at = $2 \
         WHERE id = $3 AND status IN ({}) AND EXISTS (SELECT 1 FROM reports o WHERE o.id = $1 \
         AND o.status IN ('assigned', 'returned', 'rectified', 'closed'))",
        sources_sql(Transition::Merge)
    ))
    .bind(original.id)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        drop(tx);
        return Err(invalid_transition(row.status()));
    }
    event(
        &mut tx,
        now,
        id,
        "merged",
        Some(actor.id),
        "moderator",
        &format!("与 #{} 是同一问题，已合并", original.id),
    )
    .await?;
    event(
        &mut tx,
        now,
        original.id,
        "merged_in",
        Some(actor.id),
        "moderator",
        &format!("合并了重复报告 #{id}"),
    )
    .await?;
    follow_in(&mut tx, now, original.id, row.reporter_id).await?;
    let note = notify::queue(
        &mut tx,
        now,
        row.reporter_id,
        "report_status",
        Some(original.id),
        &format!("您的随手拍 #{id} 已合并到 #{}", original.id),
        "同一问题已有人报告，您已自动关注原报告",
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "report.merge",
        "report",
        Some(id),
        &format!("into={}", original.id),
    )
    .await?;
    tx.commit().await?;
    notify::deliver(state, &[note]).await;
    get(state, id, Some(actor)).await
}

/// Blacks out a rectangle on a report's photo (faces, number plates). The
/// unredacted objects are deleted; the photo gets new names.
pub async fn redact(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    photo_id: i64,
    r: Redaction,
) -> Result<Report, AppError> {
    actor.require_moderator()?;
    let r = r.parse().map_err(|m| AppError::field("x", m))?;
    load(state, id).await?;
    let photo: Option<(String, String)> = sqlx::query_as(
        "SELECT object_key, thumb_key FROM report_photos WHERE id = $1 AND report_id = $2",
    )
    .bind(photo_id)
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?;
    let (old_key, old_thumb) = photo.ok_or(AppError::NotFound)?;
    let new = state.photos.redact(&old_key, r).await?;
    let now = state.clock.now_ms();
    let result = async {
        let mut tx = state.db.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE report_photos SET object_key = $1, thumb_key = $2, redacted = 1, width = $3, height = $4 \
             WHERE id = $5 AND object_key = $6",
        )
        .bind(&new.key)
        .bind(&new.thumb_key)
        .bind(new.width as i64)
        .bind(new.height as i64)
        .bind(photo_id)
        .bind(&old_key)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(AppError::conflict("photo_changed", "照片刚被修改过，请刷新后重试"));
        }
        audit::record(&mut tx, now, Some(actor.id), "report.redact", "report", Some(id), &format!("photo={photo_id}")).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            state.photos.delete(&[old_key, old_thumb]).await;
            get(state, id, Some(actor)).await
        }
        Err(e) => {
            photos::forget(state, &[new]).await;
            Err(e)
        }
    }
}
