//! The points ledger. Entries are only ever appended. The balance cached on
//! `users` moves in the same transaction as each entry, by a conditional
//! update that refuses to go below zero (with a CHECK constraint behind it),
//! so it always equals the sum of the entries, under any concurrency and on
//! any number of servers.

use serde::Deserialize;
use sqlx::{Any, Transaction};

use super::auth::CurrentUser;
use super::db::{Param, Where, fetch_page};
use super::{AppState, audit};
use crate::domain::points::EarningRules;
use crate::domain::{Fields, Level, Paging, PointsDelta, PointsReason};
use crate::error::AppError;
use crate::models::{LedgerEntry, Page, PointsSummary};

/// What an entry points at: (`report`, 42). Earnings with a reference are paid
/// at most once per (reason, reference).
#[derive(Debug, Clone, Copy)]
pub struct Reference<'a> {
    pub kind: &'a str,
    pub id: i64,
}

#[derive(sqlx::FromRow)]
struct LedgerRow {
    id: i64,
    delta: i64,
    reason: String,
    ref_type: Option<String>,
    ref_id: Option<i64>,
    note: Option<String>,
    created_at: i64,
}

impl LedgerRow {
    fn to_entry(&self, state: &AppState) -> LedgerEntry {
        LedgerEntry {
            id: self.id,
            delta: self.delta,
            reason: self.reason.clone(),
            ref_type: self.ref_type.clone(),
            ref_id: self.ref_id,
            note: self.note.clone(),
            at: state.clock.rfc3339(self.created_at),
        }
    }
}

/// Appends an entry inside the caller's transaction. Returns `None` when an
/// entry with the same reason and reference already exists (already paid);
/// `InsufficientPoints` when the balance would go below zero.
#[allow(clippy::too_many_arguments)]
pub async fn append(
    tx: &mut Transaction<'static, Any>,
    now_ms: i64,
    user_id: i64,
    delta: PointsDelta,
    reason: PointsReason,
    reference: Option<Reference<'_>>,
    note: Option<&str>,
    actor_id: Option<i64>,
) -> Result<Option<i64>, AppError> {
    let inserted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO points_ledger (user_id, delta, reason, ref_type, ref_id, note, actor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(user_id)
    .bind(delta.get())
    .bind(reason.as_str())
    .bind(reference.map(|r| r.kind))
    .bind(reference.map(|r| r.id))
    .bind(note)
    .bind(actor_id)
    .bind(now_ms)
    .fetch_optional(&mut **tx)
    .await
    .map_err(|e| {
        if super::db::is_foreign_key_violation(&e) {
            AppError::field("user_id", "用户不存在")
        } else {
            e.into()
        }
    })?;
    let Some((entry_id,)) = inserted else {
        return Ok(None);
    };
    let lifetime_delta = if reason.counts_toward_lifetime() {
        delta.get()
    } else {
        0
    };
    let updated = sqlx::query(
        "UPDATE users SET points_balance = points_balance + $1, points_lifetime = points_lifetime + $2 \
         WHERE id = $3 AND points_balance + $1 >= 0",
    )
    .bind(delta.get())
    .bind(lifetime_delta)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::InsufficientPoints);
    }
    Ok(Some(entry_id))
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdjustInput {
    pub user_id: i64,
    pub delta: i64,
    /// Why, in words; kept with the entry and in the audit log.
    pub reason: String,
}

/// A moderator adds or takes points with a reason.
pub async fn adjust(
    state: &AppState,
    actor: &CurrentUser,
    input: AdjustInput,
) -> Result<LedgerEntry, AppError> {
    actor.require_moderator()?;
    actor.not_on_self(input.user_id)?;
    let mut f = Fields::new();
    let delta = f.check("delta", PointsDelta::parse(input.delta));
    let note = f.check(
        "reason",
        crate::domain::clean_text(&input.reason, 200, "请填写调整原因"),
    );
    let (delta, note) = f.done((delta, note))?;
    let note = note.as_str();
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let id = append(
        &mut tx,
        now,
        input.user_id,
        delta,
        PointsReason::AdminAdjust,
        None,
        Some(note),
        Some(actor.id),
    )
    .await?
    .ok_or(AppError::Internal)?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "points.adjust",
        "user",
        Some(input.user_id),
        &format!("delta={} reason={note}", delta.get()),
    )
    .await?;
    tx.commit().await?;
    Ok(LedgerEntry {
        id,
        delta: delta.get(),
        reason: PointsReason::AdminAdjust.as_str().into(),
        ref_type: None,
        ref_id: None,
        note: Some(note.to_owned()),
        at: state.clock.rfc3339(now),
    })
}

pub async fn summary(state: &AppState, user_id: i64) -> Result<PointsSummary, AppError> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT points_balance, points_lifetime FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&state.db.pool)
            .await?;
    let (balance, lifetime) = row.ok_or(AppError::NotFound)?;
    let level = Level::for_lifetime(lifetime);
    let next = Level::next(lifetime);
    let badge_list = super::badges::of(state, user_id).await?;
    Ok(PointsSummary {
        balance,
        lifetime,
        level: format!("{level:?}").to_lowercase(),
        level_name: level.name().into(),
        next_level_name: next.map(|(l, _)| l.name().into()),
        next_level_missing: next.map(|(_, n)| n),
        badges: badge_list
            .iter()
            .filter(|b| b.earned_at.is_some())
            .map(|b| b.code.clone())
            .collect(),
        badge_list,
    })
}

pub async fn ledger(
    state: &AppState,
    user_id: i64,
    paging: Paging,
) -> Result<Page<LedgerEntry>, AppError> {
    let mut w = Where::new();
    w.and("user_id = ?", [Param::Int(user_id)]);
    let (rows, total): (Vec<LedgerRow>, i64) = fetch_page(
        &state.db.pool,
        "SELECT id, delta, reason, ref_type, ref_id, note, created_at FROM points_ledger",
        "points_ledger",
        &w,
        "id DESC",
        paging,
    )
    .await?;
    Ok(Page::of(
        rows.iter().map(|r| r.to_entry(state)).collect(),
        total,
        paging,
    ))
}

/// The sum of a user's entries; equal to the cached balance (tests check).
pub async fn ledger_sum(state: &AppState, user_id: i64) -> Result<i64, AppError> {
    let (sum,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM points_ledger WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(sum)
}

/// Pays (or, with a negative delta, takes) points in a transaction of its
/// own. `Ok(false)` when that reason and reference were already paid.
pub async fn award(
    state: &AppState,
    user_id: i64,
    delta: PointsDelta,
    reason: PointsReason,
    reference: Option<Reference<'_>>,
) -> Result<bool, AppError> {
    let mut tx = state.db.begin_write().await?;
    let id = append(
        &mut tx,
        state.clock.now_ms(),
        user_id,
        delta,
        reason,
        reference,
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(id.is_some())
}

/// The earning rules in force: the defaults, with what an admin changed.
pub async fn rules<'c, E>(db: E) -> Result<EarningRules, AppError>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT key, value FROM earning_rules")
        .fetch_all(db)
        .await?;
    let mut r = EarningRules::default();
    for (k, v) in rows {
        r.set(&k, v);
    }
    Ok(r)
}

/// Admin: change some earning rules (the others stay); audited.
pub async fn set_rules(
    state: &AppState,
    actor: &CurrentUser,
    input: std::collections::BTreeMap<String, i64>,
) -> Result<EarningRules, AppError> {
    actor.require_admin()?;
    let known = EarningRules::default().entries().map(|(k, _)| k);
    let mut f = Fields::new();
    let mut changes = vec![];
    for (k, v) in &input {
        if !known.contains(&k.as_str()) {
            f.push(k, "没有这条积分规则");
        } else if let Some(v) = f.check(k, EarningRules::check(k, *v)) {
            changes.push((k.clone(), v));
        }
    }
    if input.is_empty() {
        f.push("rules", "请至少修改一条规则");
    }
    f.finish()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    for (k, v) in &changes {
        sqlx::query(
            "INSERT INTO earning_rules (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(k)
        .bind(v)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "points.rules",
        "earning_rules",
        None,
        &changes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
    )
    .await?;
    let r = rules(&mut *tx).await?;
    tx.commit().await?;
    Ok(r)
}

/// Report points a person has been paid since `since` (for the daily cap).
/// Call with the person's row locked so two approvals count one at a time.
pub async fn report_points_since(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    since: i64,
) -> Result<i64, AppError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM points_ledger \
         WHERE user_id = $1 AND reason = 'report_approved' AND created_at >= $2",
    )
    .bind(user_id)
    .bind(since)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// Locks a person's row for the rest of the transaction.
pub async fn lock_user(tx: &mut Transaction<'static, Any>, user_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET points_balance = points_balance WHERE id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
