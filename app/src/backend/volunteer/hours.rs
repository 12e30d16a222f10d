//! My volunteer hours: credited minutes this month and in all, and the
//! points they earned.

#[allow(unused_imports)]
use super::*;

/// My credited time this month and in all, and what it earned.
pub async fn my_hours(
    state: &AppState,
    me: &CurrentUser,
) -> Result<crate::models::VolunteerHours, AppError> {
    let (_, start, end) = state.clock.month_span(None)?;
    let (month, total, points, shifts): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN status = 'completed' AND starts_at >= $2 AND starts_at < $3 \
             THEN credited_minutes ELSE 0 END), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN status = 'completed' THEN credited_minutes ELSE 0 END), 0) AS BIGINT), \
           CAST(COALESCE(SUM(points_paid), 0) AS BIGINT), \
           CAST(COALESCE(SUM(CASE WHEN status = 'completed' AND credited_minutes > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM signups WHERE user_id = $1",
    )
    .bind(me.id)
    .bind(start)
    .bind(end)
    .fetch_one(&state.db.pool)
    .await?;
    let (until,): (Option<i64>,) =
        sqlx::query_as("SELECT volunteer_suspended_until FROM users WHERE id = $1")
            .bind(me.id)
            .fetch_one(&state.db.pool)
            .await?;
    Ok(crate::models::VolunteerHours {
        month_minutes: month,
        total_minutes: total,
        points,
        shifts,
        suspended_until: until
            .filter(|u| *u > state.clock.now_ms())
            .map(|u| state.clock.rfc3339(u)),
    })
}
