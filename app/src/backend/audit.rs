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
