//! SMS codes: sending one (throttled in the database, so the limits hold
//! across servers) and using one (a single conditional update, so a code is
//! used once and its tries are counted once, whichever server is asked).

use serde::{Deserialize, Serialize};

use super::sms::{self, SmsMessage};
use crate::backend::{AppState, limits};
use crate::domain::Fields;
use crate::domain::Phone;
use crate::domain::identity::{
    CODE_TRIES, CODE_TTL_MS, CODES_PER_DAY, CodePurpose, RESEND_AFTER_MS, SmsCode,
};
use crate::error::AppError;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CodeRequest {
    pub phone: String,
    /// `register`, `login`, `reset` or `delete`.
    pub purpose: String,
}

/// `202 {expires_in_s, resend_after_s}`: the same whether or not the number
/// has an account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CodeSent {
    pub expires_in_s: i64,
    pub resend_after_s: i64,
}

/// Sends a code for `purpose` to `phone`, unless a throttle says no (429
/// with the seconds to wait). A code is only sent where it can open
/// something: for login, reset and delete only to a registered number; the
/// answer is the same either way, and the throttles count either way.
pub async fn request(
    state: &AppState,
    input: &CodeRequest,
    address: Option<std::net::IpAddr>,
) -> Result<CodeSent, AppError> {
    let mut f = Fields::new();
    let phone = f.check("phone", Phone::parse(&input.phone));
    let purpose = f.check("purpose", CodePurpose::parse(&input.purpose));
    let (phone, purpose) = f.done((phone, purpose))?;
    let now = state.clock.now_ms();
    let day = state.clock.date(now).ok_or(AppError::Internal)?.to_string();

    let mut tx = state.db.begin_write().await?;
    // Per number: one a minute, ten a day.
    let passed: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO sms_throttle (phone, last_at, day, sent) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (phone) DO UPDATE SET last_at = $2, day = $3, \
           sent = CASE WHEN sms_throttle.day = $3 THEN sms_throttle.sent + 1 ELSE 1 END \
         WHERE sms_throttle.last_at <= $4 AND (sms_throttle.day <> $3 OR sms_throttle.sent < $5) \
         RETURNING sent",
    )
    .bind(phone.as_str())
    .bind(now)
    .bind(&day)
    .bind(now - RESEND_AFTER_MS)
    .bind(CODES_PER_DAY)
    .fetch_optional(&mut *tx)
    .await?;
    if passed.is_none() {
        let (last_at, sent_day, sent): (i64, String, i64) =
            sqlx::query_as("SELECT last_at, day, sent FROM sms_throttle WHERE phone = $1")
                .bind(phone.as_str())
                .fetch_one(&mut *tx)
                .await?;
        let wait_ms = if sent_day == day && sent >= CODES_PER_DAY {
            until_tomorrow(state, now)?
        } else {
            last_at + RESEND_AFTER_MS - now
        };
        return Err(AppError::too_many_requests(wait_ms));
    }
    // Per client address (an IPv6 address by its /64), when rate limits
    // are on: 30 an hour.
    if state.config.rate_limits
        && let Some(address) = address
    {
        let key = limits::address_key(address);
        if let Err(wait_ms) = limits::hit(&mut *tx, limits::SMS_PER_ADDRESS, &key, now).await? {
            return Err(AppError::too_many_requests(wait_ms));
        }
    }
    // The city's daily budget: a request that sends nothing (a login code
    // for an unknown number) spends none of it, but is refused alike once
    // it is spent, so the answer still says nothing about the number.
    let ceiling = super::daily_ceiling(&mut tx).await?;
    let spent: Option<(i64,)> = sqlx::query_as("SELECT sent FROM sms_daily WHERE day = $1")
        .bind(&day)
        .fetch_optional(&mut *tx)
        .await?;
    if ceiling < 1 || spent.is_some_and(|(sent,)| sent >= ceiling) {
        tracing::warn!(ceiling, "the city's daily SMS ceiling is reached");
        return Err(AppError::too_many_requests(until_tomorrow(state, now)?));
    }

    let (registered,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE phone = $1")
        .bind(phone.as_str())
        .fetch_one(&mut *tx)
        .await?;
    let registered = registered > 0;
    let send = purpose == CodePurpose::Register || registered;
    let answer = CodeSent {
        expires_in_s: CODE_TTL_MS / 1000,
        resend_after_s: RESEND_AFTER_MS / 1000,
    };
    if !send {
        tx.commit().await?;
        return Ok(answer);
    }
    let passed: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO sms_daily (day, sent) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET sent = sms_daily.sent + 1 WHERE sms_daily.sent < $2 \
         RETURNING sent",
    )
    .bind(&day)
    .bind(ceiling)
    .fetch_optional(&mut *tx)
    .await?;
    if passed.is_none() {
        tracing::warn!(ceiling, "the city's daily SMS ceiling is reached");
        return Err(AppError::too_many_requests(until_tomorrow(state, now)?));
    }
    let code = sms::new_code();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO sms_codes (phone, purpose, code_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(phone.as_str())
    .bind(purpose.as_str())
    .bind(state.auth.code_hash(&phone, purpose, &code))
    .bind(now)
    .bind(now + CODE_TTL_MS)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;

    let message = SmsMessage::new(&phone, purpose, &code, state.clock.rfc3339(now));
    if let Err(e) = state.config.sms.send(&message).await {
        // No code stays behind a message that never left, and the number
        // may ask again at once.
        let mut tx = state.db.begin_write().await?;
        sqlx::query("DELETE FROM sms_codes WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE sms_throttle SET last_at = 0, sent = sent - 1 WHERE phone = $1 AND last_at = $2",
        )
        .bind(phone.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE sms_daily SET sent = sent - 1 WHERE day = $1 AND sent > 0")
            .bind(&day)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(e);
    }
    Ok(answer)
}

fn until_tomorrow(state: &AppState, now: i64) -> Result<i64, AppError> {
    let today = state.clock.date(now).ok_or(AppError::Internal)?;
    let tomorrow = today.succ_opt().ok_or(AppError::Internal)?;
    Ok(state.clock.start_of(tomorrow)? - now)
}

/// Uses the newest code sent to `phone` for `purpose`: one conditional
/// update counts the try and, when the code matches, marks it used. Wrong,
/// used, expired and tried-out codes get one answer (422 `invalid_code`).
/// Commits on its own, so a wrong try counts even when the caller fails.
pub async fn consume(
    state: &AppState,
    phone: &Phone,
    purpose: CodePurpose,
    code: &SmsCode,
) -> Result<(), AppError> {
    let now = state.clock.now_ms();
    let hash = state.auth.code_hash(phone, purpose, code.as_str());
    let mut tx = state.db.begin_write().await?;
    let used: Option<(Option<i64>,)> = sqlx::query_as(
        "UPDATE sms_codes SET tries = tries + 1, \
           used_at = CASE WHEN code_hash = $3 THEN $4 ELSE NULL END \
         WHERE id = (SELECT MAX(id) FROM sms_codes WHERE phone = $1 AND purpose = $2) \
           AND used_at IS NULL AND expires_at > $4 AND tries < $5 \
         RETURNING used_at",
    )
    .bind(phone.as_str())
    .bind(purpose.as_str())
    .bind(&hash)
    .bind(now)
    .bind(CODE_TRIES)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    match used {
        Some((Some(_),)) => Ok(()),
        _ => Err(AppError::InvalidCode),
    }
}
