//! The API's "Reports": 随手拍 and the closed loop. Thin: read, call
//! `app::backend::reports`, map the error.

use app::backend::AppState;
use app::backend::notify;
use app::backend::reports::{
    self, FeedbackInput, ListQuery, MergeInput, NewReport, ReviewInput, VerifyInput,
};
use app::domain::Redaction;
use app::models::{HotIssues, Notification, Page, Report};
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::extract::{ApiJson, ApiQuery, Caller, Id, Ids, MaybeCaller, PageQuery, UploadForm};
use crate::problem::{ApiResult, Problem};

/// The multipart body of `POST /api/v1/reports` (for the OpenAPI document).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ReportUpload {
    category_id: i64,
    description: String,
    lat: f64,
    lon: f64,
    address: Option<String>,
    /// `true`: the public report shows my nickname (hidden by default).
    show_name: Option<bool>,
    /// Accepted as before; hiding is now the default.
    hide_name: Option<bool>,
    /// Staff only: fixed at once (立行立改); needs `after_photo`.
    fixed_on_spot: Option<bool>,
    /// The phone's own id for the report (8–64 letters, digits, dashes): a
    /// retry with the same id answers with the report already filed.
    client_ref: Option<String>,
    /// 1–4 JPEG, PNG or WebP files, ≤ 10 MB each.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    after_photo: Option<Vec<Vec<u8>>>,
}

/// The multipart body of `POST /api/v1/reports/{id}/rectify`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct RectifyUpload {
    note: String,
    /// 1–4 after photos.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

/// File a report (citizen), or a patrol report (staff).
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", security(("bearer" = [])),
    request_body(content = ReportUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = Report), (status = 401, body = Problem), (status = 413, body = Problem, description = "payload_too_large"),
        (status = 415, body = Problem, description = "unsupported_media_type"), (status = 422, body = Problem, description = "invalid_input")))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Report>)> {
    let mut form = UploadForm::read(multipart, &["photo", "after_photo"]).await?;
    let input = NewReport {
        category_id: form.take_text("category_id"),
        description: form.take_text("description"),
        lat: form.take_text("lat"),
        lon: form.take_text("lon"),
        address: form.take_text("address"),
        show_name: form.take_text("show_name"),
        hide_name: form.take_text("hide_name"),
        fixed_on_spot: form.take_text("fixed_on_spot"),
        client_ref: form.take_text("client_ref"),
        photos: form.take_files("photo"),
        after_photos: form.take_files("after_photo"),
        open311: None,
    };
    Ok((
        StatusCode::CREATED,
        Json(reports::create(&state, &actor, input).await?),
    ))
}

/// Public reports (never `pending_review` or `rejected`), newest first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<Report>), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    MaybeCaller(viewer): MaybeCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Report>>> {
    Ok(Json(
        reports::list_public(&state, q, p.paging()?, viewer.as_ref()).await?,
    ))
}

/// One report. Awaiting review or rejected: 404 except to its reporter and moderators.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, body = Report), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    MaybeCaller(viewer): MaybeCaller,
    Id(id): Id,
) -> ApiResult<Json<Report>> {
    Ok(Json(reports::get(&state, id, viewer.as_ref()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NearbyQuery {
    pub category_id: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// The duplicate hint: open reports of the category within 100 m from the last 72 h.
#[utoipa::path(get, path = "/api/v1/reports/nearby", tag = "reports", security(("bearer" = [])), params(NearbyQuery),
    responses((status = 200, body = Vec<Report>), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn nearby(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<NearbyQuery>,
) -> ApiResult<Json<Vec<Report>>> {
    Ok(Json(
        reports::nearby(&state, &actor, q.category_id, q.lat, q.lon).await?,
    ))
}

/// This week's hot spots: most reported and most followed places.
#[utoipa::path(get, path = "/api/v1/reports/hot", tag = "reports", responses((status = 200, body = HotIssues)))]
pub async fn hot(State(state): State<AppState>) -> ApiResult<Json<HotIssues>> {
    Ok(Json((*reports::hot(&state).await?).clone()))
}

/// Follow a public report, to hear when it is closed.
#[utoipa::path(post, path = "/api/v1/reports/{id}/follow", tag = "reports", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn follow(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    reports::set_following(&state, &actor, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/reports/{id}/follow", tag = "reports", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn unfollow(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    reports::set_following(&state, &actor, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My own reports, any status.
#[utoipa::path(get, path = "/api/v1/me/reports", tag = "reports", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Report>), (status = 401, body = Problem)))]
pub async fn mine(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Report>>> {
    Ok(Json(reports::mine(&state, &actor, p.paging()?).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    pub status: Option<String>,
}

/// Moderator queues: `?status=pending_review` (审核, default) or `rectified` (督查).
#[utoipa::path(get, path = "/api/v1/moderation/reports", tag = "moderation", security(("bearer" = [])), params(StatusQuery, PageQuery),
    responses((status = 200, body = Page<Report>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn moderation_queue(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<StatusQuery>,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Report>>> {
    Ok(Json(
        reports::moderation_queue(&state, &actor, q.status.as_deref(), p.paging()?).await?,
    ))
}

/// Approve (交办) or reject a report awaiting review.
#[utoipa::path(post, path = "/api/v1/reports/{id}/review", tag = "moderation", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ReviewInput,
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "invalid_transition"), (status = 422, body = Problem)))]
pub async fn review(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult<Json<Report>> {
    Ok(Json(reports::review(&state, &actor, id, input).await?))
}

/// Merge a duplicate into its original.
#[utoipa::path(post, path = "/api/v1/reports/{id}/merge", tag = "moderation", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MergeInput,
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "invalid_transition"), (status = 422, body = Problem)))]
pub async fn merge(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<MergeInput>,
) -> ApiResult<Json<Report>> {
    Ok(Json(reports::merge(&state, &actor, id, input).await?))
}

/// The caller's unit's task list: `assigned` reports, nearest deadline first.
#[utoipa::path(get, path = "/api/v1/unit/reports", tag = "unit", security(("bearer" = [])), params(StatusQuery, PageQuery),
    responses((status = 200, body = Page<Report>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn unit_tasks(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<StatusQuery>,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Report>>> {
    Ok(Json(
        reports::unit_tasks(&state, &actor, q.status.as_deref(), p.paging()?).await?,
    ))
}

/// 整改: staff of the assigned unit, with a note and 1–4 after photos.
#[utoipa::path(post, path = "/api/v1/reports/{id}/rectify", tag = "unit", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = RectifyUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "invalid_transition"), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn rectify(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<Report>> {
    let mut form = UploadForm::read(multipart, &["photo"]).await?;
    let note = form.take_text("note");
    let photos = form.take_files("photo");
    Ok(Json(
        reports::rectify(&state, &actor, id, note, photos).await?,
    ))
}

/// 督查: close (销号) or reopen (返工) a rectified report.
#[utoipa::path(post, path = "/api/v1/reports/{id}/verify", tag = "moderation", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = VerifyInput,
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "invalid_transition"), (status = 422, body = Problem)))]
pub async fn verify(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<VerifyInput>,
) -> ApiResult<Json<Report>> {
    Ok(Json(reports::verify(&state, &actor, id, input).await?))
}

/// The reporter confirms the fix or says it is not fixed.
#[utoipa::path(post, path = "/api/v1/reports/{id}/feedback", tag = "reports", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = FeedbackInput,
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "invalid_transition"), (status = 422, body = Problem)))]
pub async fn feedback(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<FeedbackInput>,
) -> ApiResult<Json<Report>> {
    Ok(Json(reports::feedback(&state, &actor, id, input).await?))
}

/// Moderator: black out a rectangle (fractions of the photo) on a report's photo.
#[utoipa::path(post, path = "/api/v1/reports/{id}/photos/{photo_id}/redact", tag = "moderation", security(("bearer" = [])),
    params(("id" = i64, Path), ("photo_id" = i64, Path)), request_body = Redaction,
    responses((status = 200, body = Report), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn redact(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Ids(id, photo_id): Ids,
    ApiJson(r): ApiJson<Redaction>,
) -> ApiResult<Json<Report>> {
    Ok(Json(
        reports::redact(&state, &actor, id, photo_id, r).await?,
    ))
}

/// `{unread}` and a page of my messages.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    pub unread: i64,
    #[serde(flatten)]
    pub page: Page<Notification>,
}

/// My messages (我的 → 消息), newest first.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "reports", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Inbox), (status = 401, body = Problem)))]
pub async fn notifications(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<Inbox>> {
    Ok(Json(Inbox {
        unread: notify::unread_count(&state, actor.id).await?,
        page: notify::list(&state, actor.id, p.paging()?).await?,
    }))
}

/// Mark all my messages read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "reports", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn read_notifications(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<StatusCode> {
    notify::mark_all_read(&state, actor.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A stored photo, by its generated name. A public report's photos never
/// change under a name (a redaction makes new ones), so they are cached for
/// a year; photos of a report awaiting review go only to its reporter and
/// moderators, and are never stored by a cache.
pub async fn photo(
    State(state): State<AppState>,
    MaybeCaller(viewer): MaybeCaller,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> ApiResult<Response> {
    if !app::backend::photos::is_photo_key(&key) {
        return Err(app::error::AppError::NotFound.into());
    }
    let access = app::backend::photos::photo_access(&state, &key, viewer.as_ref()).await?;
    let bytes = state
        .photos
        .get(&key)
        .await?
        .ok_or(app::error::AppError::NotFound)?;
    let cache = match access {
        app::backend::photos::PhotoAccess::Public => "public, max-age=31536000, immutable",
        app::backend::photos::PhotoAccess::Private => "private, no-store",
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response())
}
