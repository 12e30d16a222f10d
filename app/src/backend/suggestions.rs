//! 创城信箱: citizens send suggestions; moderators
//! answer publicly or privately; the public list shows answered public ones.

use serde::Deserialize;

use super::auth::CurrentUser;
use super::db::{Param, Where, fetch_page};
use super::{AppState, audit, notify};
use crate::domain::{Fields, Paging, ops};
use crate::error::AppError;
use crate::models::{Page, Suggestion};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SuggestionInput {
    /// 2–60 characters.
    pub title: String,
    /// 10–2000 characters.
    pub body: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnswerInput {
    /// 2–2000 characters.
    pub answer: String,
    /// Listed for everyone, or for its author only.
    pub public: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    author_name: String,
    title: String,
    body: String,
    answer: Option<String>,
    public: i64,
    answered_at: Option<i64>,
    created_at: i64,
}

const COLUMNS: &str = "s.id, u.display_name AS author_name, s.title, s.body, s.answer, s.public, \
     s.answered_at, s.created_at";
const FROM: &str = "suggestions s JOIN users u ON u.id = s.author_id";

impl Row {
    fn into_suggestion(self, state: &AppState, staff: bool) -> Suggestion {
        Suggestion {
            id: self.id,
            title: self.title,
            body: self.body,
            answer: self.answer,
            public: self.public != 0,
            answered_at: self.answered_at.map(|t| state.clock.rfc3339(t)),
            created_at: state.clock.rfc3339(self.created_at),
            author_name: staff.then_some(self.author_name),
        }
    }
}

async fn page_of(
    state: &AppState,
    w: Where,
    order: &str,
    paging: Paging,
    staff: bool,
) -> Result<Page<Suggestion>, AppError> {
    let (rows, total) = fetch_page::<Row>(
        &state.db.pool,
        &format!("SELECT {COLUMNS} FROM {FROM}"),
        FROM,
        &w,
        order,
        paging,
    )
    .await?;
    Ok(Page::of(
        rows.into_iter()
            .map(|r| r.into_suggestion(state, staff))
            .collect(),
        total,
        paging,
    ))
}

/// A citizen sends a suggestion.
pub async fn create(
    state: &AppState,
    actor: &CurrentUser,
    input: SuggestionInput,
) -> Result<Suggestion, AppError> {
    let mut f = Fields::new();
    let title = f.check("title", ops::suggestion_title(&input.title));
    let body = f.check("body", ops::suggestion_body(&input.body));
    f.finish()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO suggestions (author_id, title, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(actor.id)
    .bind(title.as_deref())
    .bind(body.as_deref())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    get(state, id, false).await
}

async fn get(state: &AppState, id: i64, staff: bool) -> Result<Suggestion, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.ok_or(AppError::NotFound)?.into_suggestion(state, staff))
}

/// The public list: answered suggestions whose answer is public, newest
/// answer first. No names.
pub async fn public(state: &AppState, paging: Paging) -> Result<Page<Suggestion>, AppError> {
    let mut w = Where::new();
    w.and("s.public = 1 AND s.answered_at IS NOT NULL", []);
    page_of(state, w, "s.answered_at DESC, s.id DESC", paging, false).await
}

/// What I sent, with the answers (private ones too).
pub async fn mine(
    state: &AppState,
    actor: &CurrentUser,
    paging: Paging,
) -> Result<Page<Suggestion>, AppError> {
    let mut w = Where::new();
    w.and("s.author_id = ?", [Param::Int(actor.id)]);
    page_of(state, w, "s.id DESC", paging, false).await
}

/// Moderators: unanswered ones first (oldest first), then the answered.
pub async fn inbox(
    state: &AppState,
    actor: &CurrentUser,
    paging: Paging,
) -> Result<Page<Suggestion>, AppError> {
    actor.require_moderator()?;
    page_of(
        state,
        Where::new(),
        "CASE WHEN s.answered_at IS NULL THEN 0 ELSE 1 END, \
         CASE WHEN s.answered_at IS NULL THEN s.id ELSE -s.id END",
        paging,
        true,
    )
    .await
}

/// A moderator answers (or corrects an answer); the author is told.
pub async fn answer(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: AnswerInput,
) -> Result<Suggestion, AppError> {
    actor.require_moderator()?;
    let text = ops::answer(&input.answer).map_err(|e| AppError::field("answer", e))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let row: Option<(i64, String)> = sqlx::query_as(
        "UPDATE suggestions SET answer = $1, public = $2, answered_by = $3, answered_at = $4 \
         WHERE id = $5 RETURNING author_id, title",
    )
    .bind(&text)
    .bind(i64::from(input.public))
    .bind(actor.id)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (author, title) = row.ok_or(AppError::NotFound)?;
    let message = notify::queue(
        &mut tx,
        now,
        author,
        "suggestion_answered",
        None,
        "创城信箱有答复了",
        &format!("你的建议「{title}」已收到答复：{text}"),
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "suggestion.answer",
        "suggestion",
        Some(id),
        if input.public { "public" } else { "private" },
    )
    .await?;
    tx.commit().await?;
    notify::deliver(state, &[message]).await;
    get(state, id, true).await
}
