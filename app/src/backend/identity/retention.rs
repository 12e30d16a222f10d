//! Retention (PIPL: no longer than the purpose needs), run by every
//! server's background sweep. Each statement is idempotent, so several
//! servers may run it at once. docs/PRIVACY.md is the inventory.

use crate::backend::AppState;
use crate::domain::identity::{CODE_RETENTION_MS, LOGIN_RETENTION_MS, VOTER_ADDRESS_RETENTION_MS};
use crate::error::AppError;

/// Rows purged (or fields cleared) by one sweep.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
pub struct Purged {
    pub codes: u64,
    pub login_rows: u64,
    pub voter_addresses: u64,
    /// Rate-limit windows (client addresses among their keys), a day on.
    pub rate_windows: u64,
}

impl Purged {
    pub fn any(&self) -> bool {
        *self != Self::default()
    }
}

/// Used or expired SMS codes and their per-number throttles after 30 days;
/// failed-login counters after 30 days; voter addresses 30 days after a
/// campaign's voting ended. Check-ins store times, not positions, so there
/// is no position to purge; the audit log is never purged here (kept at
/// least 180 days, as 网络安全法 asks).
pub async fn sweep(state: &AppState) -> Result<Purged, AppError> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let codes = purge(
        &mut tx,
        "DELETE FROM sms_codes WHERE created_at < $1",
        now - CODE_RETENTION_MS,
    )
    .await?
        + purge(
            &mut tx,
            "DELETE FROM sms_throttle WHERE last_at < $1",
            now - CODE_RETENTION_MS,
        )
        .await?;
    let login_rows = purge(
        &mut tx,
        "DELETE FROM login_attempts WHERE window_start < $1",
        now - LOGIN_RETENTION_MS,
    )
    .await?
        // Written by servers of the previous release during an upgrade.
        + purge(
            &mut tx,
            "DELETE FROM sms_address_throttle WHERE window_start < $1",
            now - LOGIN_RETENTION_MS,
        )
        .await?;
    let rate_windows = crate::backend::limits::purge(&mut tx, now).await?;
    let voter_addresses = purge(
        &mut tx,
        "UPDATE votes SET ip = NULL WHERE ip IS NOT NULL AND campaign_id IN \
         (SELECT id FROM campaigns WHERE voting_ends_at < $1)",
        now - VOTER_ADDRESS_RETENTION_MS,
    )
    .await?;
    tx.commit().await?;
    Ok(Purged {
        codes,
        login_rows,
        voter_addresses,
        rate_windows,
    })
}

async fn purge(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    sql: &str,
    before: i64,
) -> Result<u64, AppError> {
    Ok(sqlx::query(sql)
        .bind(before)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}
