//! Notifications. Every message is kept in-app (我的 → 消息), written in the
//! transaction of the change it tells about; after that transaction commits,
//! it is also handed to the configured [`Sender`] — a log line by default, an
//! SMS or WeChat gateway when one is plugged in.

use std::future::Future;
use std::pin::Pin;

use sqlx::{Any, Transaction};

use super::AppState;
use crate::domain::Paging;
use crate::error::AppError;
use crate::models::{Notification, Page};

/// A message on its way to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub user_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
}

/// A channel beyond the app: SMS, WeChat template messages, e-mail. It is
/// given the user id; a real gateway looks the address up itself, so phone
/// numbers never travel through logs.
pub trait Sender: Send + Sync {
    fn send<'a>(&'a self, message: &'a Outgoing) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;
}

/// The default sender: one log line per message, with no personal data.
pub struct LogSender;

impl Sender for LogSender {
    fn send<'a>(&'a self, m: &'a Outgoing) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            tracing::info!(user_id = m.user_id, kind = %m.kind, title = %m.title, "notification");
        })
    }
}

/// Keeps a message in-app, inside the caller's transaction.
pub async fn queue(
    tx: &mut Transaction<'static, Any>,
    now_ms: i64,
    user_id: i64,
    kind: &str,
    report_id: Option<i64>,
    title: &str,
    body: &str,
) -> Result<Outgoing, AppError> {
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, report_id, title, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user_id)
    .bind(kind)
    .bind(report_id)
    .bind(title)
    .bind(body)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(Outgoing {
        user_id,
        kind: kind.to_owned(),
        title: title.to_owned(),
        body: body.to_owned(),
    })
}

/// Hands committed messages to the outside sender.
pub async fn deliver(state: &AppState, messages: &[Outgoing]) {
    for m in messages {
        state.sender.send(m).await;
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    report_id: Option<i64>,
    title: String,
    body: String,
    created_at: i64,
    read_at: Option<i64>,
}

/// My messages, newest first.
pub async fn list(
    state: &AppState,
    user_id: i64,
    paging: Paging,
) -> Result<Page<Notification>, AppError> {
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&state.db.pool)
        .await?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, kind, report_id, title, body, created_at, read_at FROM notifications \
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
    )
    .bind(user_id)
    .bind(paging.limit())
    .bind(paging.offset())
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Page::of(
        rows.into_iter()
            .map(|r| Notification {
                id: r.id,
                kind: r.kind,
                report_id: r.report_id,
                title: r.title,
                body: r.body,
                created_at: state.clock.rfc3339(r.created_at),
                read: r.read_at.is_some(),
            })
            .collect(),
        total,
        paging,
    ))
}

pub async fn unread_count(state: &AppState, user_id: i64) -> Result<i64, AppError> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .fetch_one(&state.db.pool)
            .await?;
    Ok(n)
}

/// Marks all my messages read; returns how many were unread.
pub async fn mark_all_read(state: &AppState, user_id: i64) -> Result<i64, AppError> {
    let mut tx = state.db.begin_write().await?;
    let done =
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(state.clock.now_ms())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(done.rows_affected() as i64)
}
