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

/// Without ZHUOMU_PUBLIC_ORIGIN, a Host that does not name the listening
/// address is refused (421 `unknown_host`) before anything reads it: links,
/// QR codes and the CSRF rule are then never built from a Host an attacker
/// chose. The health check answers whatever the Host (load balancers).
pub async fn host(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() != "/healthz"
        && !app::backend::auth::host_allowed(&state.config, req.headers())
    {
        tracing::warn!("refused a request for another host");
        return crate::problem::Problem {
            kind: "urn:zhuomu:problem:unknown_host".into(),
            title: "Misdirected Request".into(),
            status: 421,
            detail: "此地址不是本站，请设置 ZHUOMU_PUBLIC_ORIGIN 或使用监听地址访问".into(),
            code: "unknown_host".into(),
            errors: None,
        }
        .into_response();
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
pub fn page_csp(nonce: &str, tiles: Option<&str>) -> String {
    // The base map's tiles (ZHUOMU_MAP_TILES) are images from their origin.
    let tiles = tiles.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:{tiles}; connect-src 'self'; \
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
/// a problem+json 413; a streamed one is cut off at the limit. Only a
/// multipart body (photos) to an upload route gets the upload limit; JSON and
/// forms get [`crate::BODY_LIMIT`] wherever they go.
///
/// A NUL byte in the path, the query or a JSON or form body is refused here
/// (422 `invalid_input`, Open311's 400 under /open311/): PostgreSQL cannot
/// store one, and no field of this site means one.
pub async fn body_size(req: Request, next: Next) -> Response {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let limit = if kind.starts_with("multipart/form-data") {
        crate::http::body_limit(req.method(), req.uri().path())
    } else {
        crate::BODY_LIMIT
    };
    if announced.is_some_and(|n| n > limit) {
        return ApiError(AppError::PayloadTooLarge).into_response();
    }
    let path = req.uri().path().to_owned();
    let nul = |place: &str| -> Response {
        tracing::warn!(%path, place, "refused a NUL byte");
        if path.starts_with("/open311/") {
            crate::open311::bad_request(&path, &format!("{place} must not contain NUL (%00)"))
        } else {
            ApiError(AppError::field(place, "不能包含空字符（NUL）")).into_response()
        }
    };
    if contains_ignore_case(req.uri().path().as_bytes(), b"%00") {
        return nul("path");
    }
    if let Some(query) = req.uri().query()
        && let Some(field) = nul_field(query.as_bytes(), false)
    {
        return nul(&field);
    }
    // Server functions answer their own forms (a redirect back with the
    // field's message); their fields go through the same domain parsing.
    let json = kind.starts_with("application/json");
    let form = kind.starts_with("application/x-www-form-urlencoded");
    let req = req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    if !(json || form) || path.starts_with("/api/fn/") {
        return next.run(req).await;
    }
    // JSON and form bodies are small (the limit above): read, look, pass on.
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return ApiError(AppError::PayloadTooLarge).into_response(),
    };
    if let Some(field) = nul_field(&bytes, json) {
        return nul(&field);
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// The field of a JSON or form body that holds a NUL byte (its top-level
/// name), `body` when it cannot be told, or None.
fn nul_field(bytes: &[u8], json: bool) -> Option<String> {
    if json {
        if !bytes.contains(&0) && !contains_ignore_case(bytes, b"\\u0000") {
            return None;
        }
        fn has_nul(v: &serde_json::Value) -> bool {
            match v {
                serde_json::Value::String(s) => s.contains('\0'),
                serde_json::Value::Array(a) => a.iter().any(has_nul),
                serde_json::Value::Object(o) => {
                    o.iter().any(|(k, v)| k.contains('\0') || has_nul(v))
                }
                _ => false,
            }
        }
        let field = match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(serde_json::Value::Object(o)) => o
                .iter()
                .find(|(k, v)| k.contains('\0') || has_nul(v))
                .map(|(k, _)| k.replace('\0', "")),
            Ok(v) => has_nul(&v).then(|| "body".to_owned()),
            // Not JSON: its own handler says so, unless it holds a raw NUL.
            Err(_) => bytes.contains(&0).then(|| "body".to_owned()),
        };
        return field;
    }
    if !bytes.contains(&0) && !contains_ignore_case(bytes, b"%00") {
        return None;
    }
    url::form_urlencoded::parse(bytes)
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.replace('\0', ""))
        .or_else(|| bytes.contains(&0).then(|| "body".to_owned()))
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}
