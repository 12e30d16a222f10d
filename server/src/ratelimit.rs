//! Per-IP rate limits on the doors attackers knock on most (register and
//! login, through the API and the web forms). Generous on purpose: mobile
//! carriers put many phones behind one address. The per-phone login lockout
//! (in the database, shared by all servers) is what stops password guessing;
//! this only slows down spraying and account spam, so per-process memory is
//! enough. `ZHUOMU_RATE_LIMITS=off` switches it off for load tests.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use app::error::AppError;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::problem::ApiError;

const LIMITED: [&str; 4] = [
    "/api/v1/auth/register",
    "/api/v1/auth/login",
    "/api/fn/register",
    "/api/fn/login",
];

#[derive(Clone)]
pub struct AuthLimiter(Arc<DefaultKeyedRateLimiter<IpAddr>>);

impl AuthLimiter {
    /// 20 a minute per address, in bursts of up to 30.
    pub fn new() -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(20).unwrap())
            .allow_burst(NonZeroU32::new(30).unwrap());
        AuthLimiter(Arc::new(RateLimiter::keyed(quota)))
    }
}

impl Default for AuthLimiter {
    fn default() -> Self {
        Self::new()
    }
}

pub async fn limit(limiter: AuthLimiter, req: Request, next: Next) -> Response {
    if LIMITED.contains(&req.uri().path()) {
        let ip = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Some(ip) = ip
            && limiter.0.check_key(&ip).is_err()
        {
            tracing::warn!(path = %req.uri().path(), "rate limited");
            return ApiError(AppError::RateLimited).into_response();
        }
    }
    next.run(req).await
}
