//! The API's 退回, 改派, 督办 and 我也看到 rows of "Reports". Thin: read, call
//! `app::backend::reports` (its `supervision` module), map the error.

use app::backend::AppState;
use app::backend::reports::{self, ReassignInput, ReturnInput, SeenCount, UrgeInput};
use app::models::Report;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::extract::{ApiJson, Caller, Id};
use crate::problem::{ApiResult, Problem};

/// 退回: staff of the assigned unit send the report back (not theirs).
#[utoipa::path(post, path = "/api/v1/reports/{id}/return", tag = "unit", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ReturnInput,
    responses((status = 200, body = Report), (status = 403, body = Problem, description = "another unit's report"),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "invalid_transition: not assigned"),
        (status = 422, body = Problem, description = "invalid_input: the reason")))]
pub async fn send_back(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<ReturnInput>,
) -> ApiResult<Json<Report>> {
    Ok(Json(reports::send_back(&state, &actor, id, input).await?))
}

/// 改派: a moderator routes a returned report again (the same unit when the
/// return is refused), with a fresh deadline.
#[utoipa::path(post, path = "/api/v1/reports/{id}/reassign", tag = "moderation", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ReassignInput,
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "invalid_transition: not returned"), (status = 422, body = Problem)))]
pub async fn reassign(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<ReassignInput>,
) -> ApiResult<Json<Report>> {
    Ok(Json(reports::reassign(&state, &actor, id, input).await?))
}

/// 督办: a moderator urges the unit; its staff are told at once.
#[utoipa::path(post, path = "/api/v1/reports/{id}/urge", tag = "moderation", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = UrgeInput,
    responses((status = 201, body = Report), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "invalid_transition: not assigned or rectified"), (status = 422, body = Problem)))]
pub async fn urge(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<UrgeInput>,
) -> ApiResult<(StatusCode, Json<Report>)> {
    Ok((
        StatusCode::CREATED,
        Json(reports::urge(&state, &actor, id, input).await?),
    ))
}

/// 我也看到: a citizen (not the reporter) adds their voice to an open report
/// and follows it; nothing new is filed, no points.
#[utoipa::path(post, path = "/api/v1/reports/{id}/seen", tag = "reports", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = SeenCount), (status = 403, body = Problem, description = "own_account: the reporter"),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "already_seen, or invalid_transition when not open")))]
pub async fn seen(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<(StatusCode, Json<SeenCount>)> {
    Ok((
        StatusCode::CREATED,
        Json(reports::seen(&state, &actor, id).await?),
    ))
}
