use app::backend::AppState;
use app::backend::points::{self, AdjustInput};
use app::models::{LedgerEntry, Page, PointsSummary};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::extract::{ApiJson, ApiQuery, Caller, PageQuery};
use crate::problem::{ApiResult, Problem};

/// The caller's balance, lifetime points and level.
#[utoipa::path(get, path = "/api/v1/me/points", tag = "points", security(("bearer" = [])),
    responses((status = 200, body = PointsSummary), (status = 401, body = Problem)))]
pub async fn summary(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<PointsSummary>> {
    Ok(Json(points::summary(&state, user.id).await?))
}

/// The caller's ledger, newest first; the deltas sum to the balance.
#[utoipa::path(get, path = "/api/v1/me/points/ledger", tag = "points", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<LedgerEntry>), (status = 401, body = Problem)))]
pub async fn ledger(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<LedgerEntry>>> {
    Ok(Json(points::ledger(&state, user.id, q.paging()?).await?))
}

/// Moderator: add or take points, with a reason.
#[utoipa::path(post, path = "/api/v1/admin/points/adjust", tag = "admin", security(("bearer" = [])), request_body = AdjustInput,
    responses((status = 201, body = LedgerEntry), (status = 409, body = Problem, description = "insufficient_points"),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn adjust(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<AdjustInput>,
) -> ApiResult<(StatusCode, Json<LedgerEntry>)> {
    Ok((
        StatusCode::CREATED,
        Json(points::adjust(&state, &actor, input).await?),
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// `points` (default) or `hours`.
    pub board: Option<String>,
    /// `month` (default, city time) or `all`.
    pub period: Option<String>,
}

/// The leaderboards: display names only.
#[utoipa::path(get, path = "/api/v1/leaderboard", tag = "points", params(BoardQuery),
    responses((status = 200, body = Vec<app::models::LeaderRow>), (status = 422, body = Problem)))]
pub async fn leaderboard(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Json<Vec<app::models::LeaderRow>>> {
    Ok(Json(
        app::backend::boards::leaderboard(
            &state,
            q.board.as_deref().unwrap_or("points"),
            q.period.as_deref().unwrap_or("month"),
        )
        .await?,
    ))
}

/// How points are earned (the rules in force).
#[utoipa::path(get, path = "/api/v1/points/rules", tag = "points",
    responses((status = 200, body = app::domain::points::EarningRules)))]
pub async fn rules(
    State(state): State<AppState>,
) -> ApiResult<Json<app::domain::points::EarningRules>> {
    Ok(Json(app::backend::points::rules(&state.db.pool).await?))
}

/// Admin: change earning rules, e.g. `{"report_daily_cap": 30}`.
#[utoipa::path(post, path = "/api/v1/admin/points/rules", tag = "admin", security(("bearer" = [])),
    request_body = std::collections::BTreeMap<String, i64>,
    responses((status = 200, body = app::domain::points::EarningRules), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_rules(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<std::collections::BTreeMap<String, i64>>,
) -> ApiResult<Json<app::domain::points::EarningRules>> {
    Ok(Json(
        app::backend::points::set_rules(&state, &actor, input).await?,
    ))
}
