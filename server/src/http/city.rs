use app::backend::AppState;
use app::backend::city::{self, AreaInput, CategoryInput, PortalInput, UnitInput};
use app::models::{Area, Category, PlaceAt, PortalProfile, Unit};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::extract::{ApiJson, ApiQuery, Caller, Id};
use crate::problem::{ApiResult, Problem};

/// Report categories with their points and deadlines.
#[utoipa::path(get, path = "/api/v1/categories", tag = "city", responses((status = 200, body = Vec<Category>)))]
pub async fn categories(State(state): State<AppState>) -> ApiResult<Json<Vec<Category>>> {
    Ok(Json(city::list_categories(&state).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/categories", tag = "admin", security(("bearer" = [])), request_body = CategoryInput,
    responses((status = 201, body = Category), (status = 403, body = Problem), (status = 409, body = Problem, description = "name_taken"), (status = 422, body = Problem)))]
pub async fn create_category(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<CategoryInput>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            city::create_category(&state, app::backend::auth::Actor::Person(&actor), input).await?,
        ),
    ))
}

/// Admin: change a category (the whole of it, as when creating). A new
/// deadline applies to reports approved from now on.
#[utoipa::path(put, path = "/api/v1/admin/categories/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CategoryInput,
    responses((status = 200, body = Category), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "name_taken"), (status = 422, body = Problem)))]
pub async fn update_category(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<CategoryInput>,
) -> ApiResult<Json<Category>> {
    Ok(Json(
        city::update_category(&state, &actor, id, input).await?,
    ))
}

/// Responsible units (责任单位).
#[utoipa::path(get, path = "/api/v1/units", tag = "city", responses((status = 200, body = Vec<Unit>)))]
pub async fn units(State(state): State<AppState>) -> ApiResult<Json<Vec<Unit>>> {
    Ok(Json(city::list_units(&state).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/units", tag = "admin", security(("bearer" = [])), request_body = UnitInput,
    responses((status = 201, body = Unit), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_unit(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<UnitInput>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    Ok((
        StatusCode::CREATED,
        Json(city::create_unit(&state, app::backend::auth::Actor::Person(&actor), input).await?),
    ))
}

/// Road segments (包街) and grids (网格) with their GeoJSON coordinates.
#[utoipa::path(get, path = "/api/v1/areas", tag = "city", responses((status = 200, body = Vec<Area>)))]
pub async fn areas(State(state): State<AppState>) -> ApiResult<Json<Vec<Area>>> {
    Ok(Json(city::list_areas(&state).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceQuery {
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// With a category, the unit is the one a report of it would go to.
    pub category_id: Option<i64>,
}

/// Where a position is: its segment or grid and the unit a report there
/// would go to, in words for the report form's pin.
#[utoipa::path(get, path = "/api/v1/areas/at", tag = "city", params(PlaceQuery),
    responses((status = 200, body = PlaceAt), (status = 422, body = Problem)))]
pub async fn place_at(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PlaceQuery>,
) -> ApiResult<Json<PlaceAt>> {
    Ok(Json(
        city::places::place_at(&state, q.lat, q.lon, q.category_id).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/admin/areas", tag = "admin", security(("bearer" = [])), request_body = AreaInput,
    responses((status = 201, body = Area), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_area(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<AreaInput>,
) -> ApiResult<(StatusCode, Json<Area>)> {
    Ok((
        StatusCode::CREATED,
        Json(city::create_area(&state, app::backend::auth::Actor::Person(&actor), input).await?),
    ))
}

/// Who runs the portal: the city, its 主办单位, the hotline and the ICP
/// filing number (every page's footer). Empty strings until they are set.
#[utoipa::path(get, path = "/api/v1/portal", tag = "city", responses((status = 200, body = PortalProfile)))]
pub async fn portal(State(state): State<AppState>) -> ApiResult<Json<PortalProfile>> {
    Ok(Json(city::portal(&state).await?))
}

/// Admin: set who runs the portal (every field).
#[utoipa::path(put, path = "/api/v1/admin/portal", tag = "admin", security(("bearer" = [])), request_body = PortalInput,
    responses((status = 200, body = PortalProfile), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_portal(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<PortalInput>,
) -> ApiResult<Json<PortalProfile>> {
    Ok(Json(
        city::set_portal(
            &state,
            app::backend::auth::Actor::Person(&actor),
            input,
            false,
        )
        .await?,
    ))
}
