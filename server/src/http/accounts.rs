use app::backend::AppState;
use app::backend::auth::{self, clear_session_cookie_header, session_cookie_header};
use app::backend::identity::codes::{self, CodeRequest, CodeSent};
use app::backend::identity::erase::{self, EraseInput};
use app::backend::identity::export;
use app::backend::identity::privacy::PolicyVersion;
use app::backend::identity::{self, SmsBudget, SmsBudgetInput};
use app::backend::users::{
    self, DisableInput, LoginInput, PasswordInput, ProfileInput, RegisterInput, ResetInput,
    SetRolesInput,
};
use app::models::{AuthResponse, Page, User};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::extract::{ApiJson, ApiQuery, Caller, ClientAddr, Id, PageQuery};
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

/// 204 that ends the browser's session: the cookie cleared, and the
/// site's stored data too (the offline outbox may hold a draft).
fn signed_out(state: &AppState, headers: &HeaderMap) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_session_cookie_header(auth::is_https(
        &state.config,
        headers,
    ))) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.headers_mut().insert(
        "clear-site-data",
        HeaderValue::from_static(auth::CLEAR_SITE_DATA),
    );
    res
}

/// Sends a 6-digit code (5 minutes, one use) for `register`, `login`,
/// `reset` or `delete`. The same answer whether or not the number has an
/// account. Per number one a minute and 10 a day; per address (with rate
/// limits on) 30 an hour; and the city's daily ceiling.
#[utoipa::path(post, path = "/api/v1/auth/sms-code", tag = "accounts", request_body = CodeRequest,
    responses((status = 202, body = CodeSent), (status = 422, body = Problem, description = "invalid_input"),
        (status = 429, body = Problem, description = "too_many_requests, with Retry-After"),
        (status = 503, body = Problem, description = "sms_unavailable: nothing was sent, no code kept")))]
pub async fn sms_code(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    ApiJson(input): ApiJson<CodeRequest>,
) -> ApiResult<(StatusCode, Json<CodeSent>)> {
    let sent = codes::request(&state, &input, address).await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// A new password with a code sent for `reset`; every earlier token of the
/// account is refused from then on, and the password lockout is cleared.
#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "accounts", request_body = ResetInput,
    responses((status = 204), (status = 422, body = Problem, description = "invalid_code or invalid_input")))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ResetInput>,
) -> ApiResult<StatusCode> {
    users::reset_password(&state, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The current privacy policy's version; `/privacy` is the page.
#[utoipa::path(get, path = "/api/v1/privacy", tag = "accounts",
    responses((status = 200, body = PolicyVersion)))]
pub async fn privacy(State(state): State<AppState>) -> Json<PolicyVersion> {
    Json(state.config.policy.summary())
}

/// Admin: today's SMS against the city's daily ceiling.
#[utoipa::path(get, path = "/api/v1/admin/sms", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = SmsBudget), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn sms_budget(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<SmsBudget>> {
    Ok(Json(identity::budget(&state, &actor).await?))
}

/// Admin: sets the city's daily SMS ceiling (0 stops all SMS).
#[utoipa::path(put, path = "/api/v1/admin/sms", tag = "admin", security(("bearer" = [])),
    request_body = SmsBudgetInput,
    responses((status = 200, body = SmsBudget), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_sms_budget(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<SmsBudgetInput>,
) -> ApiResult<Json<SmsBudget>> {
    Ok(Json(identity::set_budget(&state, &actor, input).await?))
}

/// Register with a mainland mobile number, verified by the code sent for
/// `register`, and consent (`agree: true`) to the current privacy policy.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts", request_body = RegisterInput,
    responses((status = 201, body = AuthResponse), (status = 422, body = Problem, description = "invalid_input (field agree without consent) or invalid_code"),
        (status = 409, body = Problem, description = "phone_taken")))]
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<Response> {
    let login = users::register(&state, input).await?;
    Ok(with_session(&state, &headers, StatusCode::CREATED, login))
}

/// Log in with the password, or with `sms_code` (sent for `login`) instead.
/// The same answer for an unknown phone as for a wrong password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginInput,
    responses((status = 200, body = AuthResponse), (status = 401, body = Problem, description = "invalid_credentials"),
        (status = 422, body = Problem, description = "invalid_code"),
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
    Ok(signed_out(&state, &headers))
}

/// The caller.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, Caller(user): Caller) -> ApiResult<Json<User>> {
    Ok(Json(users::me(&state, &user).await?))
}

/// Everything held about the caller, as one JSON download (PIPL).
#[utoipa::path(get, path = "/api/v1/me/export", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Object, description = "attachment: profile with the full number, consents, reports with photo links, \
        ledger, sign-ups and hours, redemptions, nominations, votes, suggestions, notifications"), (status = 401, body = Problem)))]
pub async fn export_me(State(state): State<AppState>, Caller(user): Caller) -> ApiResult<Response> {
    let data = export::export(&state, &user).await?;
    let day = state.clock.today()?.format("%Y%m%d");
    let disposition = format!("attachment; filename=\"zhuomu-my-data-{day}.json\"");
    let mut res = Json(data).into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Erase the caller's account, at once, with the password or a code sent
/// for `delete`. 409 `last_admin` for the last working admin.
#[utoipa::path(delete, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])), request_body = EraseInput,
    responses((status = 204), (status = 401, body = Problem), (status = 409, body = Problem, description = "last_admin"),
        (status = 422, body = Problem, description = "invalid_code, or invalid_input (a wrong password)")))]
pub async fn erase_me(
    State(state): State<AppState>,
    headers: HeaderMap,
    Caller(user): Caller,
    ApiJson(input): ApiJson<EraseInput>,
) -> ApiResult<Response> {
    erase::erase(&state, &user, input).await?;
    Ok(signed_out(&state, &headers))
}

/// Correct the caller's nickname, or choose whether the points boards
/// show it (`show_name`; else 市民张*).
#[utoipa::path(patch, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])), request_body = ProfileInput,
    responses((status = 200, body = User), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn update_me(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<User>> {
    Ok(Json(users::update_profile(&state, &user, input).await?))
}

/// Change the caller's password: every earlier token is refused from then
/// on; the answer carries the new one (and the session cookie).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", security(("bearer" = [])), request_body = PasswordInput,
    responses((status = 200, body = AuthResponse), (status = 401, body = Problem),
        (status = 422, body = Problem, description = "invalid_input: the old password is wrong, or the new one too weak")))]
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Caller(user): Caller,
    ApiJson(input): ApiJson<PasswordInput>,
) -> ApiResult<Response> {
    let login = users::change_password(&state, &user, input).await?;
    Ok(with_session(&state, &headers, StatusCode::OK, login))
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
