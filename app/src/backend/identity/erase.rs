//! `DELETE /api/v1/me`: a person erases their account, at once (PIPL).
//!
//! The user row stays as a tombstone tied to no one, so the public record
//! (reports, votes, the ledger and its sums) stays whole: the number and the
//! name are overwritten, every token dies, pending pickups are cancelled
//! with their stock back and points refunded, future sign-ups are cancelled
//! with the waitlist promoted, follows, notifications, calendar links and
//! voter addresses are removed. The number may register again as a new
//! person, starting from zero.

use serde::Deserialize;

use super::codes;
use crate::backend::auth::CurrentUser;
use crate::backend::{AppState, audit, gifts, notify, users, volunteer};
use crate::domain::Phone;
use crate::domain::identity::{CodePurpose, ERASED_NAME, SmsCode};
use crate::error::AppError;

/// The password, or a code sent for `delete`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EraseInput {
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub sms_code: Option<String>,
}

/// What erasing did (for the log and the tests).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Erased {
    pub pickups_cancelled: usize,
    pub promoted: usize,
}

/// Proves the caller is the owner (password or `delete` code), then erases
/// the account in one transaction. 409 `last_admin` for the last working
/// admin; 422 `invalid_code` / `invalid_credentials` for a wrong proof.
pub async fn erase(
    state: &AppState,
    me: &CurrentUser,
    input: EraseInput,
) -> Result<Erased, AppError> {
    let row = users::find(state, me.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let phone = Phone::parse(&row.phone).map_err(|_| AppError::Unauthenticated)?;
    let code = input
        .sms_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let password = input.password.filter(|p| !p.is_empty());
    match (code, password) {
        (Some(code), _) => {
            let code = SmsCode::parse(code).map_err(|e| AppError::field("sms_code", e))?;
            codes::consume(state, &phone, CodePurpose::Delete, &code).await?;
        }
        (None, Some(password)) => {
            let matches = crate::backend::auth::password_matches(
                state,
                &phone,
                password,
                Some(row.password_hash.clone()),
            )
            .await?;
            if !matches {
                return Err(AppError::field("password", "密码不正确"));
            }
        }
        (None, None) => return Err(AppError::field("password", "请输入密码或短信验证码")),
    }

    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    // The person's row first: a redemption or sign-up of theirs in flight
    // waits for this transaction, and a second erase finds the tombstone.
    let live: Option<(i64,)> =
        sqlx::query_as("UPDATE users SET token_version = token_version WHERE id = $1 AND deleted_at IS NULL RETURNING id")
            .bind(me.id)
            .fetch_optional(&mut *tx)
            .await?;
    if live.is_none() {
        return Err(AppError::Unauthenticated);
    }
    users::keeps_an_admin(&mut tx, me.id).await?;
    let pickups_cancelled = gifts::cancel_pending(&mut tx, now, me.id).await?;
    let messages = volunteer::release_future(state, &mut tx, now, me.id).await?;
    // Follows leave their reports' counts right.
    sqlx::query(
        "UPDATE reports SET follower_count = follower_count - 1 \
         WHERE id IN (SELECT report_id FROM report_follows WHERE user_id = $1)",
    )
    .bind(me.id)
    .execute(&mut *tx)
    .await?;
    for sql in [
        "DELETE FROM report_follows WHERE user_id = $1",
        "DELETE FROM notifications WHERE user_id = $1",
        "UPDATE votes SET ip = NULL WHERE voter_id = $1",
    ] {
        sqlx::query(sql).bind(me.id).execute(&mut *tx).await?;
    }
    for sql in [
        "DELETE FROM login_attempts WHERE phone = $1",
        "DELETE FROM sms_codes WHERE phone = $1",
        "DELETE FROM sms_throttle WHERE phone = $1",
    ] {
        sqlx::query(sql)
            .bind(phone.as_str())
            .execute(&mut *tx)
            .await?;
    }
    // The tombstone: no number (a placeholder no phone parses as), no name,
    // no password, no roles; disabled, so every token is refused at once.
    let erased = sqlx::query(
        "UPDATE users SET phone = $1, display_name = $2, password_hash = '', roles = 'citizen', \
           unit_id = NULL, calendar_token = NULL, show_name = 0, privacy_version = NULL, \
           volunteer_suspended_until = NULL, \
           token_version = token_version + 1, disabled_at = $3, disabled_reason = NULL, deleted_at = $3 \
         WHERE id = $4 AND deleted_at IS NULL",
    )
    .bind(format!("erased:{}", me.id))
    .bind(ERASED_NAME)
    .bind(now)
    .bind(me.id)
    .execute(&mut *tx)
    .await?;
    if erased.rows_affected() == 0 {
        return Err(AppError::Unauthenticated);
    }
    audit::record(
        &mut tx,
        now,
        Some(me.id),
        "user.erase",
        "user",
        Some(me.id),
        "",
    )
    .await?;
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    tracing::info!(
        user_id = me.id,
        pickups_cancelled,
        promoted = messages.len(),
        "account erased"
    );
    Ok(Erased {
        pickups_cancelled,
        promoted: messages.len(),
    })
}
