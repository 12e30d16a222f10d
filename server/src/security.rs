//! Middleware every response passes through: security headers, the CSRF
//! Origin rule, request ids, and panics turned into a bare 500.

use app::backend::AppState;
use app::backend::auth::{TokenSource, origin_allowed, token_from_headers};
use app::error::AppError;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;

/// the API contract: a state-changing request authenticated by the session cookie is
/// refused with 403 `cross_origin` unless Origin (or Referer) is the site.
/// Bearer-token requests are not at risk: browsers never add that header.
/// Server functions serve only this site's own pages, so every state-changing
/// call to them needs the site's Origin, signed in or not (no login CSRF).
pub async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Open311 never reads the session cookie (its credential is the api_key
    // in the form), so a cookie riding along authenticates nothing there.
    let by_cookie = matches!(
        token_from_headers(req.headers()),
        Some((_, TokenSource::Cookie))
    ) && !req.uri().path().starts_with("/open311/");
    let own_pages_only = req.uri().path().starts_with("/api/fn/");
    if !safe && (by_cookie || own_pages_only) && !origin_allowed(&state.config, req.headers()) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-origin request");
        return ApiError(AppError::CrossOrigin).into_response();
    }
    next.run(req).await
}

/// Headers for every response. Pages get their CSP (with a per-response
/// nonce) from `web.rs`; anything without one gets the strictest policy.
pub async fn headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let https = app::backend::auth::is_https(&state.config, req.headers());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), geolocation=(self), microphone=()"),
    );
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    res
}

/// The CSP of an HTML page: scripts only from here or with this response's
/// nonce, WASM allowed to compile, nothing framed.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// A panic in a handler: logged (with the request id of the span it happened
/// in), answered with a 500 problem that says nothing about it.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError(AppError::Internal).into_response()
}

/// Routes panic messages into the log instead of stderr, inside the current
/// request's span.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(%location, %message, "panic");
    }));
}

/// A body announced larger than the limit is refused before it is read, with
/// a problem+json 413; a streamed one is cut off at the limit.
pub async fn body_size(req: Request, next: Next) -> Response {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let limit = crate::http::body_limit(req.method(), req.uri().path());
    if announced.is_some_and(|n| n > limit) {
        return ApiError(AppError::PayloadTooLarge).into_response();
    }
    // Bodies sent without a length (chunked) are cut off at the limit too.
    let req = req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}
