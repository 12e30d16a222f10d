//! The loop as 12345 hotlines run it: 退回 (the unit sends a report back)
//! and 改派 (a moderator routes it again), 督办 (urging, and the sweep that
//! escalates overdue reports to yellow and red), and 我也看到. Every move is
//! a conditional update inside a write transaction, so of two at once
//! exactly one wins; the rules are in `domain/supervision.rs`.

#[allow(unused_imports)]
use super::*;
use crate::domain::supervision::{self, Escalation, RED_AFTER_URGES};
use crate::models::ReturnHistory;

/// `{reason}` of a 退回.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReturnInput {
    /// Why it is not this unit's (2–200 字): shown to the moderators.
    pub reason: String,
}

/// `{unit_id, deadline_days?, note?}` of a 改派.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReassignInput {
    /// The unit that gets it: another one, or the same when the return is
    /// refused.
    pub unit_id: i64,
    /// The new deadline in days (1–90); the category's SLA when left out.
    pub deadline_days: Option<i64>,
    pub note: Option<String>,
}

/// `{note}` of a 督办.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UrgeInput {
    /// What the unit is asked to do (2–200 字).
    pub note: String,
}

/// The answer to 我也看到.
#[derive(Debug, Clone, serde::Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SeenCount {
    pub seen_count: i64,
}

/// The working staff of a unit.
async fn unit_staff(
    tx: &mut Transaction<'static, Any>,
    unit_id: i64,
) -> Result<Vec<i64>, AppError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, roles FROM users WHERE unit_id = $1 AND disabled_at IS NULL ORDER BY id",
    )
    .bind(unit_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, roles)| crate::domain::Roles::from_csv(roles).has(Role::UnitStaff))
        .map(|(id, _)| id)
        .collect())
}

/// The working moderators and admins.
async fn moderators(tx: &mut Transaction<'static, Any>) -> Result<Vec<i64>, AppError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, roles FROM users WHERE roles <> 'citizen' AND disabled_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, roles)| crate::domain::Roles::from_csv(roles).can_moderate())
        .map(|(id, _)| id)
        .collect())
}

/// Queues one message for each of `people`.
async fn tell_all(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    people: &[i64],
    (kind, report_id): (&str, i64),
    title: &str,
    body: &str,
) -> Result<Vec<Outgoing>, AppError> {
    let mut out = Vec::with_capacity(people.len());
    for &user in people {
        out.push(notify::queue(tx, now, user, kind, Some(report_id), title, body).await?);
    }
    Ok(out)
}

/// 退回: staff of the assigned unit send the report back with a reason.
/// The deadline stops (only an `assigned` report is overdue); the
/// moderators are told, and the reporter that it is being re-routed.
pub async fn send_back(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: ReturnInput,
) -> Result<Report, AppError> {
    let row = load_visible(state, id, Some(actor)).await?;
    let own_unit =
        actor.roles.has(Role::UnitStaff) && actor.unit_id.is_some() && actor.unit_id == row.unit_id;
    if !own_unit {
        return Err(AppError::Forbidden);
    }
    let reason =
        supervision::return_reason(&input.reason).map_err(|m| AppError::field("reason", m))?;
    if row.status().after(Transition::Return).is_none() {
        return Err(invalid_transition(row.status()));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query(&format!(
        "UPDATE reports SET status = 'returned', escalation = NULL, updated_at = $1 \
         WHERE id = $2 AND unit_id = $3 AND status IN ({})",
        sources_sql(Transition::Return)
    ))
    .bind(now)
    .bind(id)
    .bind(row.unit_id)
    .execute(&mut *tx)
    .await?;
    let mut tx = moved_or_conflict(state, tx, moved, id).await?;
    unit_event(
        &mut tx,
        now,
        id,
        ("returned", "unit_staff", &reason),
        Some(actor.id),
        row.unit_id,
    )
    .await?;
    let mods = moderators(&mut tx).await?;
    let mut messages = tell_all(
        &mut tx,
        now,
        &mods,
        ("report_returned", id),
        &format!(
            "随手拍 #{id} 被{}退回",
            row.unit_name.as_deref().unwrap_or("责任单位")
        ),
        &reason,
    )
    .await?;
    messages.push(
        tell(
            &mut tx,
            now,
            &row,
            &format!("您的随手拍 #{id} 正在重新分派"),
            "原责任单位说明不属其职责，创城办将重新交办。",
        )
        .await?,
    );
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "report.return",
        "report",
        Some(id),
        &reason,
    )
    .await?;
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    get(state, id, Some(actor)).await
}

/// 改派: a moderator routes a returned report to a unit (the same one when
/// the return is refused) with a fresh deadline; its 督办 starts afresh.
pub async fn reassign(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: ReassignInput,
) -> Result<Report, AppError> {
    actor.require_moderator()?;
    let row = load(state, id).await?;
    actor.not_on_self(row.reporter_id)?;
    let mut f = Fields::new();
    let days = input
        .deadline_days
        .and_then(|d| f.check("deadline_days", report::deadline_days(d)));
    let note = match input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        None => Some(String::new()),
        Some(n) => f.check("note", crate::domain::clean_text(n, 200, "")),
    };
    let unit: Option<(String,)> = sqlx::query_as("SELECT name FROM units WHERE id = $1")
        .bind(input.unit_id)
        .fetch_optional(&state.db.pool)
        .await?;
    if unit.is_none() {
        f.push("unit_id", "单位不存在");
    }
    let note = f.done(note)?;
    let unit_name = unit.map(|u| u.0).unwrap_or_default();
    if row.status().after(Transition::Reassign).is_none() {
        return Err(invalid_transition(row.status()));
    }
    let cat = category(state, row.category_id)
        .await?
        .ok_or(AppError::Internal)?;
    let now = state.clock.now_ms();
    let deadline = now + days.unwrap_or(cat.sla_days) * DAY_MS;
    let refused = row.unit_id == Some(input.unit_id);
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query(&format!(
        "UPDATE reports SET status = 'assigned', unit_id = $1, deadline = $2, assigned_at = $3, \
         escalation = NULL, urge_count = 0, updated_at = $3 WHERE id = $4 AND status IN ({})",
        sources_sql(Transition::Reassign)
    ))
    .bind(input.unit_id)
    .bind(deadline)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let mut tx = moved_or_conflict(state, tx, moved, id).await?;
    let date = state.clock.rfc3339(deadline);
    let date = date.get(..10).unwrap_or("");
    let mut text = if refused {
        format!("退回理由不成立，仍由{unit_name}整改，{date}前完成")
    } else {
        format!("改派{unit_name}，{date}前完成整改")
    };
    if !note.is_empty() {
        text = format!("{text}。{note}");
    }
    unit_event(
        &mut tx,
        now,
        id,
        ("reassigned", "moderator", &text),
        Some(actor.id),
        Some(input.unit_id),
    )
    .await?;
    let staff = unit_staff(&mut tx, input.unit_id).await?;
    let mut messages = tell_all(
        &mut tx,
        now,
        &staff,
        ("report_assigned", id),
        &format!("新交办：随手拍 #{id}"),
        &text,
    )
    .await?;
    messages.push(
        tell(
            &mut tx,
            now,
            &row,
            &format!("您的随手拍 #{id} 已重新交办"),
            &format!("已交由{unit_name}整改，{date}前完成。"),
        )
        .await?,
    );
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "report.reassign",
        "report",
        Some(id),
        &format!("unit={}", input.unit_id),
    )
    .await?;
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    get(state, id, Some(actor)).await
}

/// Moves a report's escalation up to `to` (never down), with its timeline
/// event and messages: yellow tells the unit's staff, red the moderators
/// and admins too. Nothing when it is there already (so each step happens
/// once, whoever gets there first).
async fn escalate_one(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    id: i64,
    unit_id: Option<i64>,
    to: Escalation,
    why: &str,
) -> Result<Vec<Outgoing>, AppError> {
    let below = match to {
        Escalation::Yellow => "escalation IS NULL",
        Escalation::Red => "(escalation IS NULL OR escalation = 'yellow')",
    };
    let moved = sqlx::query(&format!(
        "UPDATE reports SET escalation = $1 WHERE id = $2 AND {below}"
    ))
    .bind(to.as_str())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Ok(vec![]);
    }
    let note = format!("{}：{why}", to.label());
    unit_event(tx, now, id, ("escalated", "system", &note), None, unit_id).await?;
    let mut people = match unit_id {
        Some(u) => unit_staff(tx, u).await?,
        None => vec![],
    };
    if to == Escalation::Red {
        people.extend(moderators(tx).await?);
        people.sort_unstable();
        people.dedup();
    }
    tell_all(
        tx,
        now,
        &people,
        ("report_escalated", id),
        &format!("随手拍 #{id} {}", to.label()),
        &note,
    )
    .await
}

/// 督办: a moderator urges the unit (while `assigned` or `rectified`); its
/// staff are told at once. The second urging turns the report red.
pub async fn urge(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: UrgeInput,
) -> Result<Report, AppError> {
    actor.require_moderator()?;
    load(state, id).await?;
    let note = supervision::urge_note(&input.note).map_err(|m| AppError::field("note", m))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let urged: Option<(i64, Option<i64>)> = sqlx::query_as(
        "UPDATE reports SET urge_count = urge_count + 1, updated_at = $1 \
         WHERE id = $2 AND status IN ('assigned', 'rectified') RETURNING urge_count, unit_id",
    )
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((urges, unit_id)) = urged else {
        drop(tx);
        return Err(invalid_transition(load(state, id).await?.status()));
    };
    unit_event(
        &mut tx,
        now,
        id,
        ("urged", "moderator", &note),
        Some(actor.id),
        unit_id,
    )
    .await?;
    let mut messages = match unit_id {
        Some(u) => {
            let staff = unit_staff(&mut tx, u).await?;
            tell_all(
                &mut tx,
                now,
                &staff,
                ("report_urged", id),
                &format!("督办：随手拍 #{id}"),
                &note,
            )
            .await?
        }
        None => vec![],
    };
    if urges >= RED_AFTER_URGES {
        messages
            .extend(escalate_one(&mut tx, now, id, unit_id, Escalation::Red, "两次督办").await?);
    }
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "report.urge",
        "report",
        Some(id),
        &note,
    )
    .await?;
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    get(state, id, Some(actor)).await
}

/// 我也看到: a citizen who is not the reporter adds their voice to an open
/// report, once: it counts toward the hot spots and they follow it. Nothing
/// new is filed and nothing is paid, so it cannot be farmed.
pub async fn seen(state: &AppState, actor: &CurrentUser, id: i64) -> Result<SeenCount, AppError> {
    let row = load_visible(state, id, Some(actor)).await?;
    actor.not_on_self(row.reporter_id)?;
    if !row.status().is_open() {
        return Err(invalid_transition(row.status()));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let added = sqlx::query(
        "INSERT INTO report_seen (report_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(actor.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if added.rows_affected() == 0 {
        return Err(AppError::conflict(
            "already_seen",
            "您已经说过看到了这个问题",
        ));
    }
    let counted: Option<(i64,)> = sqlx::query_as(
        "UPDATE reports SET seen_count = seen_count + 1 \
         WHERE id = $1 AND status IN ('assigned', 'returned', 'rectified') RETURNING seen_count",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((seen_count,)) = counted else {
        drop(tx);
        return Err(invalid_transition(load(state, id).await?.status()));
    };
    follow_in(&mut tx, now, id, actor.id).await?;
    tx.commit().await?;
    Ok(SeenCount { seen_count })
}

/// How many reports one sweep escalates at most (the rest wait for the next
/// minute, so a first run over old overdue reports stays small).
pub const ESCALATION_BATCH: i64 = 200;

/// The 督办 sweep, every minute on every server: assigned reports past their
/// deadline turn yellow, past it by their category's SLA again red, each
/// step once (the second urging turns a report red at once, in `urge`). What was escalated, yellow and red.
pub async fn escalate_due(state: &AppState) -> Result<(usize, usize), AppError> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    // The same rule as `Escalation::due`, as SQL.
    let yellow: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, unit_id FROM reports WHERE status = 'assigned' AND escalation IS NULL \
         AND deadline < $1 ORDER BY deadline, id LIMIT $2",
    )
    .bind(now)
    .bind(ESCALATION_BATCH)
    .fetch_all(&mut *tx)
    .await?;
    let mut messages = Vec::new();
    for &(id, unit) in &yellow {
        messages.extend(
            escalate_one(&mut tx, now, id, unit, Escalation::Yellow, "已超过整改期限").await?,
        );
    }
    let red: Vec<(i64, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT r.id, r.unit_id FROM reports r JOIN categories c ON c.id = r.category_id \
         WHERE r.status = 'assigned' AND (r.escalation IS NULL OR r.escalation = 'yellow') \
         AND r.deadline < $1 - {DAY_MS} \
         AND r.deadline + (CASE WHEN c.sla_days < 1 THEN 1 ELSE c.sla_days END) * {DAY_MS} < $1 \
         ORDER BY r.deadline, r.id LIMIT $2"
    ))
    .bind(now)
    .bind(ESCALATION_BATCH)
    .fetch_all(&mut *tx)
    .await?;
    for &(id, unit) in &red {
        messages
            .extend(escalate_one(&mut tx, now, id, unit, Escalation::Red, "超期仍未整改").await?);
    }
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    Ok((yellow.len(), red.len()))
}

/// A unit's returns of the last 90 days and how many were refused.
pub async fn return_history(
    state: &AppState,
    actor: &CurrentUser,
    unit_id: i64,
) -> Result<ReturnHistory, AppError> {
    actor.require_moderator()?;
    let since = state.clock.now_ms() - 90 * DAY_MS;
    let (returned,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM report_events WHERE unit_id = $1 AND action = 'returned' AND at >= $2",
    )
    .bind(unit_id)
    .bind(since)
    .fetch_one(&state.db.pool)
    .await?;
    // A refusal: routed again to the unit that had returned it.
    let (refused,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM report_events a WHERE a.unit_id = $1 AND a.action = 'reassigned' \
         AND a.at >= $2 AND EXISTS (SELECT 1 FROM report_events b WHERE b.report_id = a.report_id \
         AND b.action = 'returned' AND b.unit_id = $1 AND b.id < a.id)",
    )
    .bind(unit_id)
    .bind(since)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(ReturnHistory { returned, refused })
}
