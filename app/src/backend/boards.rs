//! The boards: leaderboards by points earned or volunteer hours, and the
//! month's 志愿服务之星. Public names only (市民张* unless the person
//! chose to show their nickname), competition ranks (equal values
//! share a rank); read from the ledger and the completed sign-ups, so no
//! feature module depends on another for them.

use super::AppState;
use crate::domain::identity::public_name;
use crate::error::AppError;

/// `GET /leaderboard`: the top 50 by points earned (spending does not count)
/// or by volunteer hours, this month (city time) or of all time. Display
/// names only.
pub async fn leaderboard(
    state: &AppState,
    board: &str,
    period: &str,
) -> Result<Vec<crate::models::LeaderRow>, AppError> {
    let span = match period {
        "month" => {
            let (_, start, end) = state.clock.month_span(None)?;
            Some((start, end))
        }
        "all" => None,
        _ => return Err(AppError::field("period", "应为 month 或 all")),
    };
    let points: Vec<(String, i64, i64)> = match (board, span) {
        ("points", None) => {
            sqlx::query_as(
                "SELECT display_name, points_lifetime, show_name FROM users \
                 WHERE points_lifetime > 0 AND deleted_at IS NULL ORDER BY points_lifetime DESC, id LIMIT 50",
            )
            .fetch_all(&state.db.pool)
            .await?
        }
        ("points", Some((start, end))) => {
            sqlx::query_as(
                "SELECT u.display_name, CAST(SUM(l.delta) AS BIGINT) AS earned, u.show_name FROM points_ledger l \
                 JOIN users u ON u.id = l.user_id \
                 WHERE u.deleted_at IS NULL AND l.created_at >= $1 AND l.created_at < $2 AND l.reason NOT IN ('gift_redeemed', 'gift_refunded') \
                 GROUP BY l.user_id, u.display_name, u.show_name HAVING SUM(l.delta) > 0 \
                 ORDER BY earned DESC, l.user_id LIMIT 50",
            )
            .bind(start)
            .bind(end)
            .fetch_all(&state.db.pool)
            .await?
        }
        ("hours", _) => vec![],
        _ => return Err(AppError::field("board", "应为 points 或 hours")),
    };
    let rows: Vec<(String, i64)> = if board == "hours" {
        top_minutes(state, span, 50).await?
    } else {
        points
            .into_iter()
            .map(|(name, v, shown)| (public_name(&name, shown != 0), v))
            .collect()
    };
    let ranks = crate::domain::points::ranks(&rows.iter().map(|r| r.1).collect::<Vec<_>>());
    Ok(rows
        .into_iter()
        .zip(ranks)
        .map(|((display_name, v), rank)| crate::models::LeaderRow {
            rank,
            display_name,
            value: if board == "hours" {
                (v as f64 / 6.0).round() / 10.0
            } else {
                v as f64
            },
        })
        .collect())
}

/// Volunteers by credited minutes, most first (shifts starting within
/// `span`, or all): public names (masked unless shown) and minutes.
pub async fn top_minutes(
    state: &AppState,
    span: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<(String, i64)>, AppError> {
    let (start, end) = span.unwrap_or((i64::MIN, i64::MAX));
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT u.display_name, CAST(SUM(s.credited_minutes) AS BIGINT) AS minutes, u.show_name \
         FROM signups s JOIN users u ON u.id = s.user_id \
         WHERE u.deleted_at IS NULL AND s.status = 'completed' AND s.credited_minutes > 0 AND s.starts_at >= $1 AND s.starts_at < $2 \
         GROUP BY s.user_id, u.display_name, u.show_name ORDER BY minutes DESC, s.user_id LIMIT $3",
    )
    .bind(start)
    .bind(end)
    .bind(limit)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, minutes, shown)| (public_name(&name, shown != 0), minutes))
        .collect())
}

/// The month's 志愿服务之星: the ten volunteers with the most credited
/// minutes in shifts that started that month (city time). Display names only.
pub async fn stars(
    state: &AppState,
    month: Option<&str>,
) -> Result<crate::models::VolunteerStars, AppError> {
    let (first, start, end) = state.clock.month_span(month)?;
    let rows = top_minutes(state, Some((start, end)), 10).await?;
    let ranks = crate::domain::points::ranks(&rows.iter().map(|r| r.1).collect::<Vec<_>>());
    Ok(crate::models::VolunteerStars {
        month: first.format("%Y-%m").to_string(),
        stars: rows
            .into_iter()
            .zip(ranks)
            .map(
                |((display_name, minutes), rank)| crate::models::VolunteerStar {
                    rank,
                    display_name,
                    minutes,
                },
            )
            .collect(),
    })
}
