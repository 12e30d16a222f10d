//! Per-address rate limits on the doors attackers knock on most (register and
//! login, through the API and the web forms), counted in the database
//! (`app::backend::limits`) so that every server counts together. Generous
//! on purpose: mobile carriers put many phones behind one address. The
//! per-phone login lockout (also in the database) is what stops password
//! guessing; this slows down spraying and account spam.
//! `ZHUOMU_RATE_LIMITS=off` switches it off for load tests.

use app::backend::{AppState, limits};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;

const LIMITED: [&str; 4] = [
    "/api/v1/auth/register",
    "/api/v1/auth/login",
    "/api/fn/register",
    "/api/fn/login",
];

/// The key of the request's client address, when rate limits are on.
pub fn client_key(state: &AppState, req: &Request) -> Option<String> {
    if !state.config.rate_limits {
        return None;
    }
    app::backend::auth::client_ip(state.config.trust_proxy, req.headers(), req.extensions())
        .map(limits::address_key)
}

pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if LIMITED.contains(&req.uri().path())
        && let Some(key) = client_key(&state, &req)
        && let Err(e) = limits::check(&state, limits::AUTH_PER_ADDRESS, &key).await
    {
        tracing::warn!(path = %req.uri().path(), "rate limited");
        return ApiError(e).into_response();
    }
    next.run(req).await
}
