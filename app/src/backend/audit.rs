//! The audit log of moderator and admin actions. Written inside the same
//! transaction as the action, so an action and its record stand or fall
//! together.

use sqlx::{Any, Transaction};

pub async fn record(
    tx: &mut Transaction<'static, Any>,
    at: i64,
    actor_id: Option<i64>,
    action: &str,
    target_type: &str,
    target_id: Option<i64>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(at)
    .bind(actor_id)
    .bind(action)
    .bind(target_type)
    .bind(target_id)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `GET /admin/audit` filters, each optional.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct AuditQuery {
    pub actor_id: Option<i64>,
    /// An action (`report.review`) or its kind (`report`).
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    /// First and last day (city time), `YYYY-MM-DD`.
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    action: String,
    target_type: String,
    target_id: Option<i64>,
    detail: String,
}

/// Admins: who did what to which object, when; newest first.
pub async fn list(
    state: &super::AppState,
    actor: &super::auth::CurrentUser,
    q: AuditQuery,
) -> Result<crate::models::Page<crate::models::AuditEntry>, crate::error::AppError> {
    use super::db::{Param, Where, fetch_page};
    use crate::error::AppError;
    actor.require_admin()?;
    let mut f = crate::domain::Fields::new();
    let paging = match crate::domain::Paging::parse(q.page, q.per_page) {
        Ok(p) => Some(p),
        Err(errors) => {
            for e in errors {
                f.push(&e.field, e.message);
            }
            None
        }
    };
    let mut w = Where::new();
    if let Some(id) = q.actor_id {
        w.and("a.actor_id = ?", [Param::Int(id)]);
    }
    if let Some(action) = q.action.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        w.and(
            "(a.action = ? OR a.action LIKE ?)",
            [
                Param::Text(action.to_owned()),
                Param::Text(format!("{}.%", action.replace(['%', '_'], ""))),
            ],
        );
    }
    if let Some(t) = q
        .target_type
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        w.and("a.target_type = ?", [Param::Text(t.to_owned())]);
    }
    if let Some(id) = q.target_id {
        w.and("a.target_id = ?", [Param::Int(id)]);
    }
    let day = |field: &str, v: &Option<String>, f: &mut crate::domain::Fields| {
        let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        let start = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .ok()
            .and_then(|d| state.clock.day_start(d));
        if start.is_none() {
            f.push(field, "日期应为 YYYY-MM-DD");
        }
        start
    };
    if let Some(from) = day("from", &q.from, &mut f) {
        w.and("a.at >= ?", [Param::Int(from)]);
    }
    if let Some(to) = day("to", &q.to, &mut f) {
        w.and("a.at < ?", [Param::Int(to + 24 * 3_600_000)]);
    }
    f.finish()?;
    let paging = paging.ok_or(AppError::Internal)?;
    let (rows, total) = fetch_page::<Row>(
        &state.db.pool,
        "SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.action, a.target_type, \
         a.target_id, a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id",
        "audit_log a",
        &w,
        "a.id DESC",
        paging,
    )
    .await?;
    Ok(crate::models::Page::of(
        rows.into_iter()
            .map(|r| crate::models::AuditEntry {
                id: r.id,
                at: state.clock.rfc3339(r.at),
                actor_id: r.actor_id,
                actor_name: r.actor_name,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                detail: r.detail,
            })
            .collect(),
        total,
        paging,
    ))
}
