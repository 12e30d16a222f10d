//! The API's "Points and gifts": the gift shop. Thin: read, call
//! `app::backend::gifts`, map the error.

use app::backend::AppState;
use app::backend::gifts::{self, GiftInput, GiftUpdate};
use app::domain::points::FULFIL_PATH;
use app::models::{Gift, Redemption};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::extract::{ApiJson, ApiQuery, Caller, Id, UploadForm};
use crate::problem::{ApiResult, Problem};
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;

/// The catalogue: gifts on offer with their cost and stock left.
#[utoipa::path(get, path = "/api/v1/gifts", tag = "points", responses((status = 200, body = Vec<Gift>)))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<Gift>>> {
    Ok(Json(gifts::list(&state, false).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/gifts", tag = "admin", security(("bearer" = [])), request_body = GiftInput,
    responses((status = 201, body = Gift), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<GiftInput>,
) -> ApiResult<(StatusCode, Json<Gift>)> {
    Ok((
        StatusCode::CREATED,
        Json(gifts::create(&state, app::backend::auth::Actor::Person(&actor), input).await?),
    ))
}

/// Admin: restock, hide or show, reprice a gift.
#[utoipa::path(patch, path = "/api/v1/admin/gifts/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = GiftUpdate,
    responses((status = 200, body = Gift), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<GiftUpdate>,
) -> ApiResult<Json<Gift>> {
    Ok(Json(gifts::update(&state, &actor, id, input).await?))
}

/// Redeem one unit: the points and the stock go together.
#[utoipa::path(post, path = "/api/v1/gifts/{id}/redeem", tag = "points", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = Redemption), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "`insufficient_points`, `out_of_stock`")))]
pub async fn redeem(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<(StatusCode, Json<Redemption>)> {
    Ok((
        StatusCode::CREATED,
        Json(gifts::redeem(&state, &actor, id).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/me/redemptions", tag = "points", security(("bearer" = [])),
    responses((status = 200, body = Vec<Redemption>), (status = 401, body = Problem)))]
pub async fn mine(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<Redemption>>> {
    Ok(Json(gifts::mine(&state, &actor).await?))
}

/// The owner cancels while the gift waits for pickup: points back, stock back.
#[utoipa::path(post, path = "/api/v1/redemptions/{id}/cancel", tag = "points", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Redemption), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<Json<Redemption>> {
    Ok(Json(gifts::cancel(&state, &actor, id).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeInput {
    /// The pickup code (case, spaces and dashes do not matter).
    pub code: String,
}

/// Unit staff or admins: hand the gift over.
#[utoipa::path(post, path = "/api/v1/redemptions/fulfil", tag = "unit", security(("bearer" = [])),
    request_body = CodeInput,
    responses((status = 200, body = Redemption), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn fulfil(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<CodeInput>,
) -> ApiResult<Json<Redemption>> {
    Ok(Json(gifts::fulfil(&state, &actor, &input.code).await?))
}

/// Unit staff or admins: what a code is for, before handing it over.
#[utoipa::path(get, path = "/api/v1/redemptions/by-code", tag = "unit", security(("bearer" = [])),
    params(CodeInput),
    responses((status = 200, body = Redemption), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn by_code(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<CodeInput>,
) -> ApiResult<Json<Redemption>> {
    Ok(Json(gifts::by_code(&state, &actor, &q.code).await?))
}

/// The multipart body of `POST /api/v1/redemptions/scan`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ScanUpload {
    /// A photo of the pickup QR code (JPEG, PNG or WebP, ≤ 10 MB).
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
}

/// Unit staff or admins: the redemption whose QR code is in a photo. A
/// browser form (no script) is sent on to the console instead: 303 to
/// `/manage/fulfil?code=…`, or `?scan=failed` when no code was read.
#[utoipa::path(post, path = "/api/v1/redemptions/scan", tag = "unit", security(("bearer" = [])),
    request_body(content = ScanUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Redemption), (status = 303, description = "a browser form: on to the console"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn scan(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let browser = super::extract::wants_html(&headers);
    let found = match UploadForm::read(multipart, &["photo"]).await {
        Ok(mut form) => {
            let upload = form.take_files("photo").into_iter().next();
            gifts::scan(&state, &actor, upload).await
        }
        Err(e) => Err(e.0),
    };
    use app::error::AppError::{Invalid, NotFound, PayloadTooLarge, UnsupportedMediaType};
    let to_console = |q: String| Ok(Redirect::to(&format!("{FULFIL_PATH}?{q}")).into_response());
    match (found, browser) {
        (Ok(r), false) => Ok(Json(r).into_response()),
        (Ok(r), true) => to_console(format!("code={}", r.code)),
        // A code read but unknown, or a photo to retake: the console says
        // which. Anything else (signed out, not staff) is answered as is.
        (Err(NotFound), true) => to_console("scan=unknown".into()),
        (Err(Invalid(_) | PayloadTooLarge | UnsupportedMediaType), true) => {
            to_console("scan=failed".into())
        }
        (Err(e), _) => Err(e.into()),
    }
}

/// The multipart body of `POST /api/v1/admin/gifts/{id}/photo`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct GiftPhotoUpload {
    /// The gift's picture (JPEG, PNG or WebP, ≤ 10 MB).
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
}

/// Admin: the gift's picture (multipart, field `photo`; JPEG, PNG or WebP).
#[utoipa::path(post, path = "/api/v1/admin/gifts/{id}/photo", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body(content = GiftPhotoUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Gift), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem)))]
pub async fn photo(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Gift>> {
    let mut form = UploadForm::read(multipart, &["photo"]).await?;
    let upload = form.take_files("photo").into_iter().next();
    Ok(Json(gifts::set_photo(&state, &actor, id, upload).await?))
}
