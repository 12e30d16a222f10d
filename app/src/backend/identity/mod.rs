//! Identity and personal data: SMS codes and their senders, the privacy
//! policy, the city's SMS budget, the person's export and erasure, and
//! retention. Accounts themselves (register, login,
//! reset) are in `users`.

pub mod codes;
pub mod erase;
pub mod export;
pub mod privacy;
pub mod retention;
pub mod sms;

use serde::Deserialize;

use super::AppState;
use super::auth::CurrentUser;
use crate::domain::identity::DEFAULT_DAILY_CEILING;
use crate::error::AppError;

const CEILING_KEY: &str = "sms_daily_ceiling";

/// The city-wide number of SMS a day (an admin's setting, else the default).
pub(crate) async fn daily_ceiling(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
) -> Result<i64, AppError> {
    let set: Option<(i64,)> = sqlx::query_as("SELECT value FROM city_settings WHERE key = $1")
        .bind(CEILING_KEY)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(set.map_or(DEFAULT_DAILY_CEILING, |(v,)| v))
}

pub use crate::models::SmsBudget;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SmsBudgetInput {
    /// 0–1,000,000 a day; 0 stops every SMS.
    pub daily_ceiling: i64,
}

pub async fn budget(state: &AppState, actor: &CurrentUser) -> Result<SmsBudget, AppError> {
    actor.require_admin()?;
    let mut tx = state.db.begin_write().await?;
    let ceiling = daily_ceiling(&mut tx).await?;
    let day = state.clock.today()?.to_string();
    let sent: Option<(i64,)> = sqlx::query_as("SELECT sent FROM sms_daily WHERE day = $1")
        .bind(&day)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(SmsBudget {
        daily_ceiling: ceiling,
        sent_today: sent.map_or(0, |(s,)| s),
    })
}

pub async fn set_budget(
    state: &AppState,
    actor: &CurrentUser,
    input: SmsBudgetInput,
) -> Result<SmsBudget, AppError> {
    actor.require_admin()?;
    if !(0..=1_000_000).contains(&input.daily_ceiling) {
        return Err(AppError::field(
            "daily_ceiling",
            "每日短信上限应在0到1000000之间",
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO city_settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3",
    )
    .bind(CEILING_KEY)
    .bind(input.daily_ceiling)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    super::audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "sms.ceiling",
        "setting",
        None,
        &format!("daily_ceiling={}", input.daily_ceiling),
    )
    .await?;
    tx.commit().await?;
    budget(state, actor).await
}
