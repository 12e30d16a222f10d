//! The API's "Operations": 创城信箱 and the audit log (the statistics live in
//! `stats.rs`). Thin: read, call a service, map the error.

use app::backend::AppState;
use app::backend::audit::{self, AuditQuery};
use app::backend::suggestions::{self, AnswerInput, SuggestionInput};
use app::models::{AuditEntry, Page, Suggestion};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::extract::{ApiJson, ApiQuery, Caller, Id, PageQuery};
use crate::problem::{ApiResult, Problem};

/// A citizen sends a suggestion to the 创城信箱.
#[utoipa::path(post, path = "/api/v1/suggestions", tag = "operations", security(("bearer" = [])),
    request_body = SuggestionInput,
    responses((status = 201, body = Suggestion), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<SuggestionInput>,
) -> ApiResult<(StatusCode, Json<Suggestion>)> {
    Ok((
        StatusCode::CREATED,
        Json(suggestions::create(&state, &actor, input).await?),
    ))
}

/// The public list: answered suggestions with a public answer, newest first.
#[utoipa::path(get, path = "/api/v1/suggestions", tag = "operations", params(PageQuery),
    responses((status = 200, body = Page<Suggestion>), (status = 422, body = Problem)))]
pub async fn public(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Suggestion>>> {
    Ok(Json(suggestions::public(&state, p.paging()?).await?))
}

/// What I sent, with every answer (private ones too).
#[utoipa::path(get, path = "/api/v1/me/suggestions", tag = "operations", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Suggestion>), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn mine(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Suggestion>>> {
    Ok(Json(suggestions::mine(&state, &actor, p.paging()?).await?))
}

/// Moderators: every suggestion, unanswered first, with its author.
#[utoipa::path(get, path = "/api/v1/moderation/suggestions", tag = "operations", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Suggestion>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn inbox(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Suggestion>>> {
    Ok(Json(suggestions::inbox(&state, &actor, p.paging()?).await?))
}

/// A moderator answers, publicly or to the author only (again to correct).
#[utoipa::path(post, path = "/api/v1/suggestions/{id}/answer", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AnswerInput,
    responses((status = 200, body = Suggestion), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<AnswerInput>,
) -> ApiResult<Json<Suggestion>> {
    Ok(Json(suggestions::answer(&state, &actor, id, input).await?))
}

/// Admins: the audit log, newest first, filtered by who, what and when.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn audit_log(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    Ok(Json(audit::list(&state, &actor, q).await?))
}
