use app::backend::AppState;
use app::backend::auth::{self, clear_session_cookie_header, session_cookie_header};
use app::backend::users::{self, DisableInput, LoginInput, RegisterInput, SetRolesInput};
use app::models::{AuthResponse, Page, User};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::extract::{ApiJson, ApiQuery, Caller, Id, PageQuery};
use crate::problem::{ApiResult, Problem};

fn with_session(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    login: users::Login,
) -> Response {
    let cookie = session_cookie_header(
        &login.token,
        login.max_age_secs,
        auth::is_https(&state.config, headers),
    );
    let mut res = (
        status,
        Json(AuthResponse {
            token: login.token,
            user: login.user,
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Register with a mainland mobile number.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts", request_body = RegisterInput,
    responses((status = 201, body = AuthResponse), (status = 422, body = Problem), (status = 409, body = Problem, description = "phone_taken")))]
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<Response> {
    let login = users::register(&state, input).await?;
    Ok(with_session(&state, &headers, StatusCode::CREATED, login))
}

/// Log in. The same answer for an unknown phone as for a wrong password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginInput,
    responses((status = 200, body = AuthResponse), (status = 401, body = Problem, description = "invalid_credentials"),
        (status = 429, body = Problem, description = "too_many_attempts")))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<LoginInput>,
) -> ApiResult<Response> {
    let login = users::login(&state, input).await?;
    Ok(with_session(&state, &headers, StatusCode::OK, login))
}

/// Log out: this token is refused from now on, on every server.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Caller(user): Caller,
) -> ApiResult<Response> {
    users::logout(&state, &user).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_session_cookie_header(auth::is_https(
        &state.config,
        &headers,
    ))) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.headers_mut().insert(
        "clear-site-data",
        HeaderValue::from_static(auth::CLEAR_SITE_DATA),
    );
    Ok(res)
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, Caller(user): Caller) -> ApiResult<Json<User>> {
    Ok(Json(users::me(&state, &user).await?))
}

/// Admin: set a person's roles. Their older tokens stop working.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/roles", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SetRolesInput,
    responses((status = 200, body = User), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<SetRolesInput>,
) -> ApiResult<Json<User>> {
    Ok(Json(users::set_roles(&state, &actor, id, input).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// A name (or part of it), a whole number, a masked number as shown
    /// (`139****0004`), or four or more of its digits.
    pub q: Option<String>,
    /// Exact phone number to look up (older spelling of `q`).
    pub phone: Option<String>,
    /// Only people with this role.
    pub role: Option<String>,
    /// `true`: only disabled accounts.
    pub disabled: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Admin: people, newest first, found by name or (masked) phone number.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])), params(UserQuery),
    responses((status = 200, body = Page<User>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> ApiResult<Json<Page<User>>> {
    let paging = PageQuery {
        page: q.page,
        per_page: q.per_page,
    }
    .paging()?;
    let filter = users::UserFilter {
        q: q.q.or(q.phone),
        role: q.role,
        disabled: q.disabled,
    };
    Ok(Json(users::list(&state, &actor, &filter, paging).await?))
}

/// Admin: disable an account. It cannot log in (403 `account_disabled`) and
/// its tokens stop working at once. Not one's own (409 `own_account`), never
/// the last admin (409 `last_admin`).
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/disable", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DisableInput,
    responses((status = 200, body = User), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn disable_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
    ApiJson(input): ApiJson<DisableInput>,
) -> ApiResult<Json<User>> {
    Ok(Json(users::disable(&state, &actor, id, input).await?))
}

/// Admin: enable a disabled account again.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/enable", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn enable_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<Json<User>> {
    Ok(Json(users::enable(&state, &actor, id).await?))
}
