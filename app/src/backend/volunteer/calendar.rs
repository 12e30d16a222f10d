//! My shifts as a private iCalendar feed behind a link whose key is kept
//! hashed; a new link retires the old one.

#[allow(unused_imports)]
use super::*;

fn key_hash(key: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(key.as_bytes()))
}

/// Makes (or replaces) the caller's private calendar link; the old link stops
/// working. Returns the path of the feed.
pub async fn new_calendar_link(state: &AppState, me: &CurrentUser) -> Result<String, AppError> {
    use rand::RngCore;
    let mut b = [0u8; 20];
    rand::rng().fill_bytes(&mut b);
    let token = hex::encode(b);
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE users SET calendar_token = $1 WHERE id = $2")
        .bind(key_hash(&token))
        .bind(me.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    // The path is logged by the server, the query string never is; only a
    // hash of the key is kept.
    Ok(format!("/calendar.ics?key={token}"))
}

/// The shifts behind a private calendar link, as iCalendar text: from 30
/// days ago on, cancelled ones left out.
pub async fn calendar(state: &AppState, token: &str) -> Result<String, AppError> {
    use icalendar::{Calendar, Component, Event, EventLike};
    if token.len() != 40 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let user: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE calendar_token = $1")
        .bind(key_hash(token))
        .fetch_optional(&state.db.pool)
        .await?;
    let (user,) = user.ok_or(AppError::NotFound)?;
    let rows: Vec<(i64, String, i64, i64, String, f64, f64)> = sqlx::query_as(
        "SELECT s.id, s.status, s.starts_at, s.ends_at, p.name, p.lat, p.lon FROM signups s \
         JOIN shifts sh ON sh.id = s.shift_id JOIN posts p ON p.id = sh.post_id \
         WHERE s.user_id = $1 AND s.status <> 'cancelled' AND s.ends_at >= $2 ORDER BY s.starts_at",
    )
    .bind(user)
    .bind(state.clock.now_ms() - 30 * 24 * crate::domain::time::HOUR_MS)
    .fetch_all(&state.db.pool)
    .await?;
    let mut cal = Calendar::new();
    cal.name("啄木 · 我的志愿岗位");
    for (id, status, starts, ends, name, lat, lon) in rows {
        let utc = |ms: i64| chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms);
        let (Some(s), Some(e)) = (utc(starts), utc(ends)) else {
            continue;
        };
        let note = match status.as_str() {
            "waitlisted" => "候补中",
            "completed" => "已完成",
            "no_show" => "未到岗",
            "checked_in" => "已签到",
            _ => "已报名",
        };
        cal.push(
            Event::new()
                .uid(&format!("signup-{id}@zhuomu"))
                .summary(&format!("志愿岗位：{name}（{note}）"))
                .location(&name)
                .description(&format!(
                    "开始前15分钟起至结束，可在岗位现场签到。位置 {lat:.5}, {lon:.5}"
                ))
                .starts(s)
                .ends(e)
                .done(),
        );
    }
    Ok(cal.done().to_string())
}
