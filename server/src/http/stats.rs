//! The API's "Operations": the dashboard's numbers and the monthly 通报.

use app::backend::AppState;
use app::backend::stats;
use app::models::{StatsDetail, StatsOverview, UnitMonth};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{ApiQuery, Caller};
use crate::problem::{ApiResult, Problem};

/// The public summary: problems by status and category, overdue, on-time
/// rate, 立行立改 vs 限期整改, weekly trend, volunteer minutes this month.
#[utoipa::path(get, path = "/api/v1/stats/overview", tag = "operations",
    responses((status = 200, body = StatsOverview)))]
pub async fn overview(State(state): State<AppState>) -> ApiResult<Json<StatsOverview>> {
    Ok(Json((*stats::overview(&state).await?).clone()))
}

/// Staff: per unit (open, overdue, closed, on-time rate) and per area.
#[utoipa::path(get, path = "/api/v1/stats/detail", tag = "operations", security(("bearer" = [])),
    responses((status = 200, body = StatsDetail), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn detail(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<StatsDetail>> {
    Ok(Json(stats::detail(&state, &actor).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitsQuery {
    /// `YYYY-MM`; this month (city time) when left out.
    pub month: Option<String>,
    /// `csv` for a spreadsheet (UTF-8 with BOM).
    pub format: Option<String>,
}

/// The monthly 通报 per unit: assigned, closed, closed on time, overdue,
/// reopened, ranked; `&format=csv` downloads it.
#[utoipa::path(get, path = "/api/v1/stats/units", tag = "operations", security(("bearer" = [])), params(UnitsQuery),
    responses((status = 200, description = "the ranked units; with format=csv the same as CSV (UTF-8 with BOM)",
            content((Vec<UnitMonth> = "application/json"), (String = "text/csv"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn units(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<UnitsQuery>,
) -> ApiResult<Response> {
    let (month, rows) = stats::units_month(&state, &actor, q.month.as_deref()).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(rows).into_response()),
        Some("csv") => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"tongbao-{month}.csv\""),
                ),
            ],
            stats::units_csv(&month, &rows)?,
        )
            .into_response()),
        Some(_) => Err(app::error::AppError::field("format", "格式应为 json 或 csv").into()),
    }
}
