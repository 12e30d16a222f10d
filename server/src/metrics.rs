//! `GET /metrics` in Prometheus text: requests and latencies by route,
//! database pool use, sweep runs, the photo queue and password hashing in
//! flight. Behind `ZHUOMU_METRICS_TOKEN` (a bearer token) on the public
//! address, or open on its own address (`ZHUOMU_METRICS_ADDR`, for a
//! private network); with neither it does not exist (404).

use std::sync::OnceLock;
use std::time::Instant;

use app::backend::AppState;
use app::error::AppError;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::problem::ApiError;

/// The process's recorder (one per process, whatever number of routers
/// the tests build).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
            .expect("static buckets")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may be installed already (a test binary): then
        // this handle renders what this recorder would have recorded.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts every request by method, route pattern (never the raw path: ids
/// would explode the series) and status, and observes its latency.
pub async fn record(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "other".into());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("zhuomu_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("zhuomu_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

/// The text exposition, with the gauges read now.
pub fn render(state: &AppState) -> String {
    let h = handle();
    metrics::gauge!("zhuomu_db_pool_connections").set(state.db.pool.size() as f64);
    metrics::gauge!("zhuomu_db_pool_idle").set(state.db.pool.num_idle() as f64);
    metrics::gauge!("zhuomu_photo_queue").set(state.photos.queue_len() as f64);
    metrics::gauge!("zhuomu_password_hashes_waiting")
        .set(app::backend::auth::hashes_waiting() as f64);
    h.render()
}

fn exposition(body: String) -> Response {
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `GET /metrics` on the public address: only with the token.
pub async fn scrape(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    use subtle::ConstantTimeEq;
    let Some(token) = state.config.metrics_token.as_deref() else {
        return ApiError(AppError::NotFound).into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
        return ApiError(AppError::Unauthenticated).into_response();
    }
    exposition(render(&state))
}

/// The router of the separate metrics address: `/metrics`, nothing else.
pub fn private_router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(|State(state): State<AppState>| async move {
                exposition(render(&state))
            }),
        )
        .with_state(state)
}

/// Makes sure the recorder exists before the first request is counted.
pub fn install() {
    handle();
}
