//! Badges: awarded once per person (the primary key of `user_badges`), with
//! a notification, right after the deed that earns them, in its transaction.

use sqlx::{Any, Transaction};

use super::AppState;
use super::notify::{self, Outgoing};
use crate::domain::points::{Badge, Deeds};
use crate::error::AppError;

async fn deeds(tx: &mut Transaction<'static, Any>, user: i64) -> Result<Deeds, AppError> {
    let (approved_reports, closed_reports): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN status NOT IN ('pending_review', 'rejected', 'duplicate') \
           THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM reports WHERE reporter_id = $1",
    )
    .bind(user)
    .fetch_one(&mut **tx)
    .await?;
    let (completed_shifts, credited_minutes): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(credited_minutes), 0) AS BIGINT) \
         FROM signups WHERE user_id = $1 AND status = 'completed' AND credited_minutes > 0",
    )
    .bind(user)
    .fetch_one(&mut **tx)
    .await?;
    let (gifts_collected,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM redemptions WHERE user_id = $1 AND status = 'fulfilled'",
    )
    .bind(user)
    .fetch_one(&mut **tx)
    .await?;
    let (votes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM votes WHERE voter_id = $1")
        .bind(user)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Deeds {
        approved_reports,
        closed_reports,
        completed_shifts,
        credited_minutes,
        votes,
        gifts_collected,
    })
}

/// Awards what `user` has newly earned; the notifications to deliver after
/// the commit.
pub async fn award_due(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    user: i64,
) -> Result<Vec<Outgoing>, AppError> {
    let d = deeds(tx, user).await?;
    let mut out = vec![];
    for b in Badge::ALL.into_iter().filter(|b| b.earned(&d)) {
        let new: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO user_badges (user_id, badge, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING RETURNING user_id",
        )
        .bind(user)
        .bind(b.code())
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        if new.is_some() {
            out.push(
                notify::queue(
                    tx,
                    now,
                    user,
                    "badge",
                    None,
                    &format!("获得徽章：{}", b.name()),
                    b.description(),
                )
                .await?,
            );
        }
    }
    Ok(out)
}

/// Every badge with when (if) `user` earned it.
pub async fn of(state: &AppState, user: i64) -> Result<Vec<crate::models::BadgeView>, AppError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT badge, created_at FROM user_badges WHERE user_id = $1")
            .bind(user)
            .fetch_all(&state.db.pool)
            .await?;
    Ok(Badge::ALL
        .into_iter()
        .map(|b| crate::models::BadgeView {
            code: b.code().into(),
            name: b.name().into(),
            description: b.description().into(),
            earned_at: rows
                .iter()
                .find(|(c, _)| c == b.code())
                .map(|(_, at)| state.clock.rfc3339(*at)),
        })
        .collect())
}
