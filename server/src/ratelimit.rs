//! Per-IP rate limits on the doors attackers knock on most (register and
//! login, through the API and the web forms). Generous on purpose: mobile
//! carriers put many phones behind one address. The per-phone login lockout
//! (in the database, shared by all servers) is what stops password guessing;
//! this only slows down spraying and account spam, so per-process memory is
//! enough. `ZHUOMU_RATE_LIMITS=off` switches it off for load tests.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use app::error::AppError;
use axum::extract::Request;
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
pub struct AuthLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    trust_proxy: bool,
    checks: Arc<AtomicU64>,
}

impl AuthLimiter {
    /// 20 a minute per address, in bursts of up to 30. With `trust_proxy`
    /// (ZHUOMU_TRUST_PROXY), the client is the last address our own proxy
    /// appended to X-Forwarded-For, not the proxy itself.
    pub fn new(trust_proxy: bool) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(20).unwrap())
            .allow_burst(NonZeroU32::new(30).unwrap());
        AuthLimiter {
            limiter: Arc::new(RateLimiter::keyed(quota)),
            trust_proxy,
            checks: Arc::default(),
        }
    }

    fn client(&self, req: &Request) -> Option<IpAddr> {
        app::backend::auth::client_ip(self.trust_proxy, req.headers(), req.extensions())
    }
}

pub async fn limit(limiter: AuthLimiter, req: Request, next: Next) -> Response {
    if LIMITED.contains(&req.uri().path())
        && let Some(ip) = limiter.client(&req)
    {
        // Forget addresses that are back to a full bucket, now and then, so
        // memory stays bounded.
        if limiter.checks.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            limiter.limiter.retain_recent();
        }
        if limiter.limiter.check_key(&ip).is_err() {
            tracing::warn!(path = %req.uri().path(), "rate limited");
            return ApiError(AppError::RateLimited).into_response();
        }
    }
    next.run(req).await
}
