//! The API's "Volunteer duty posts". Thin: read, call
//! `app::backend::volunteer`, map the error.

use app::backend::AppState;
use app::backend::volunteer::{self, PostInput, ScheduleInput, ShiftInput, ShiftQuery};
use app::models::{MyShift, Page, Post, Scheduled, Shift, SignupResult};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::extract::{ApiJson, ApiQuery, Caller, Id, MaybeCaller, PageQuery};
use crate::problem::{ApiResult, Problem};

/// Duty posts with their check-in fences.
#[utoipa::path(get, path = "/api/v1/posts", tag = "volunteer", responses((status = 200, body = Vec<Post>)))]
pub async fn posts(State(state): State<AppState>) -> ApiResult<Json<Vec<Post>>> {
    Ok(Json(volunteer::list_posts(&state).await?))
}

/// One duty post.
#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "volunteer", params(("id" = i64, Path)),
    responses((status = 200, body = Post), (status = 404, body = Problem)))]
pub async fn post(State(state): State<AppState>, Id(id): Id) -> ApiResult<Json<Post>> {
    Ok(Json(volunteer::get_post(&state, id).await?))
}

/// My credited time this month and in all, the points it earned, and a
/// suspension if there is one.
#[utoipa::path(get, path = "/api/v1/me/volunteer", tag = "volunteer", security(("bearer" = [])),
    responses((status = 200, body = app::models::VolunteerHours), (status = 401, body = Problem)))]
pub async fn my_hours(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<app::models::VolunteerHours>> {
    Ok(Json(volunteer::my_hours(&state, &actor).await?))
}

/// Moderator: a shift's attendance list (seats, then the waitlist in order,
/// then cancellations).
#[utoipa::path(get, path = "/api/v1/admin/shifts/{id}/attendance", tag = "moderation", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = app::models::ShiftAttendance), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn shift_attendance(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<Json<app::models::ShiftAttendance>> {
    Ok(Json(volunteer::attendance_list(&state, &actor, id).await?))
}

/// Moderator: volunteers whose self sign-up is suspended now.
#[utoipa::path(get, path = "/api/v1/admin/volunteer-suspensions", tag = "moderation", security(("bearer" = [])),
    responses((status = 200, body = Vec<app::models::SuspendedVolunteer>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn suspensions(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<app::models::SuspendedVolunteer>>> {
    Ok(Json(volunteer::suspended(&state, &actor).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/posts", tag = "admin", security(("bearer" = [])), request_body = PostInput,
    responses((status = 201, body = Post), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_post(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<PostInput>,
) -> ApiResult<(StatusCode, Json<Post>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            volunteer::create_post(&state, app::backend::auth::Actor::Person(&actor), input)
                .await?,
        ),
    ))
}

#[utoipa::path(post, path = "/api/v1/admin/shifts", tag = "admin", security(("bearer" = [])), request_body = ShiftInput,
    responses((status = 201, body = Shift), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_shift(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<ShiftInput>,
) -> ApiResult<(StatusCode, Json<Shift>)> {
    Ok((
        StatusCode::CREATED,
        Json(volunteer::create_shift(&state, &actor, input).await?),
    ))
}

/// Shifts for a date range × daily periods; re-running creates no duplicates.
#[utoipa::path(post, path = "/api/v1/admin/posts/{id}/schedule", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ScheduleInput,
    responses((status = 201, body = Scheduled), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn schedule(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> ApiResult<(StatusCode, Json<Scheduled>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            volunteer::schedule(&state, app::backend::auth::Actor::Person(&actor), id, input)
                .await?,
        ),
    ))
}

#[utoipa::path(get, path = "/api/v1/shifts", tag = "volunteer", params(ShiftQuery, PageQuery),
    responses((status = 200, body = Page<Shift>), (status = 422, body = Problem)))]
pub async fn shifts(
    State(state): State<AppState>,
    MaybeCaller(viewer): MaybeCaller,
    ApiQuery(q): ApiQuery<ShiftQuery>,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Shift>>> {
    Ok(Json(
        volunteer::list_shifts(&state, q, p.paging()?, viewer.as_ref()).await?,
    ))
}

/// Sign up: a seat if one is free, else the waitlist.
#[utoipa::path(post, path = "/api/v1/shifts/{id}/signup", tag = "volunteer", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = SignupResult), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "already_signed_up, time_conflict, shift_started")))]
pub async fn signup(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<(StatusCode, Json<SignupResult>)> {
    Ok((
        StatusCode::CREATED,
        Json(volunteer::signup(&state, &actor, id).await?),
    ))
}

/// Cancel up to 2 h before the start; the first on the waitlist gets the seat.
#[utoipa::path(delete, path = "/api/v1/shifts/{id}/signup", tag = "volunteer", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "cancellation_closed")))]
pub async fn cancel(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    volunteer::cancel(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me/shifts", tag = "volunteer", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<MyShift>), (status = 401, body = Problem)))]
pub async fn my_shifts(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(p): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<MyShift>>> {
    Ok(Json(
        volunteer::my_shifts(&state, &actor, p.paging()?, false).await?,
    ))
}

/// Check in on the spot (inside the fence, from 15 min before the start).
#[utoipa::path(post, path = "/api/v1/shifts/{id}/checkin", tag = "volunteer", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = volunteer::Position,
    responses((status = 200, body = app::models::CheckedIn), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "not_signed_up, outside_window, outside_geofence"), (status = 422, body = Problem)))]
pub async fn checkin(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(at): ApiJson<volunteer::Position>,
) -> ApiResult<Json<app::models::CheckedIn>> {
    Ok(Json(volunteer::checkin(&state, &actor, id, at).await?))
}

/// Check out: credited minutes and the points they earn.
#[utoipa::path(post, path = "/api/v1/shifts/{id}/checkout", tag = "volunteer", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = volunteer::Position,
    responses((status = 200, body = app::models::CheckedOut), (status = 401, body = Problem),
        (status = 409, body = Problem, description = "not_checked_in"), (status = 422, body = Problem)))]
pub async fn checkout(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(at): ApiJson<volunteer::Position>,
) -> ApiResult<Json<app::models::CheckedOut>> {
    Ok(Json(volunteer::checkout(&state, &actor, id, at).await?))
}

/// Moderator: confirm or correct the credited minutes; points follow.
#[utoipa::path(post, path = "/api/v1/admin/signups/{id}/attendance", tag = "moderation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = volunteer::AttendanceInput,
    responses((status = 200, body = app::models::Attendance), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn attendance(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<volunteer::AttendanceInput>,
) -> ApiResult<Json<app::models::Attendance>> {
    Ok(Json(
        volunteer::correct_attendance(&state, &actor, id, input).await?,
    ))
}

/// Moderator: lift a volunteer's sign-up suspension (two no-shows in 30 days).
#[utoipa::path(delete, path = "/api/v1/admin/users/{id}/volunteer-suspension", tag = "moderation", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn lift_suspension(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    volunteer::lift_suspension(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `YYYY-MM` (city time); this month when absent.
    pub month: Option<String>,
}

/// The month's 志愿服务之星 by credited time (display names only).
#[utoipa::path(get, path = "/api/v1/volunteer/stars", tag = "volunteer", params(MonthQuery),
    responses((status = 200, body = app::models::VolunteerStars), (status = 422, body = Problem)))]
pub async fn stars(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> ApiResult<Json<app::models::VolunteerStars>> {
    Ok(Json(
        app::backend::boards::stars(&state, q.month.as_deref()).await?,
    ))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CalendarLink {
    /// A private iCalendar feed of my shifts; anyone with the link can read it.
    pub url: String,
}

/// A new private link to my shifts as a calendar (the old link stops working).
#[utoipa::path(post, path = "/api/v1/me/calendar", tag = "volunteer", security(("bearer" = [])),
    responses((status = 200, body = CalendarLink), (status = 401, body = Problem)))]
pub async fn calendar_link(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<CalendarLink>> {
    Ok(Json(CalendarLink {
        url: volunteer::new_calendar_link(&state, &actor).await?,
    }))
}

#[derive(Debug, serde::Deserialize)]
pub struct CalendarKey {
    pub key: Option<String>,
}

/// The iCalendar feed behind a private link (`/calendar.ics?key=…`: the key
/// is in the query string, which the server never logs).
pub async fn calendar(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<CalendarKey>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let key = q.key.ok_or(app::error::AppError::NotFound)?;
    let body = volunteer::calendar(&state, &key).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/calendar; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}
