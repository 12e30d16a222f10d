#![recursion_limit = "512"]
//! The `zhuomu` server: the JSON API, the web app, the CLI. See
//! docs/ARCHITECTURE.md for where each rule lives.

pub mod backup;
pub mod cli;
pub mod http;
pub mod metrics;
pub mod open311;
pub mod problem;
pub mod ratelimit;
pub mod security;
pub mod seed;
pub mod web;

use std::sync::Arc;

use app::backend::auth::{Auth, load_or_create_secret};
use app::backend::notify::LogSender;
use app::backend::photos::Photos;
use app::backend::{AppState, Clock, Config, Db};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use leptos::config::{Env, LeptosOptions};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The largest request body anywhere but photo uploads.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// The largest photo upload: 4 photos and 4 after photos of 10 MB each, and
/// the text fields.
pub const UPLOAD_LIMIT: usize =
    2 * app::domain::report::MAX_PHOTOS * app::domain::report::MAX_PHOTO_BYTES + BODY_LIMIT;

/// Where the built web assets are (`cargo leptos build` writes them there).
pub fn leptos_options(site_root: &str) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("zhuomu")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .env(Env::PROD)
        .build()
}

/// Everything a server needs, from a connected and migrated database.
pub fn build_state(
    db: Db,
    config: Config,
    site_root: &str,
    zone: chrono_tz::Tz,
) -> anyhow::Result<AppState> {
    let secret = load_or_create_secret(&config.data_dir)?;
    let photos = match &config.s3 {
        Some(s3) => Photos::s3(s3)?,
        None => Photos::local(&config.data_dir.join("photos"))?,
    };
    Ok(AppState {
        db,
        clock: Clock::new(zone),
        auth: Arc::new(Auth::new(&secret)),
        config: Arc::new(config),
        leptos_options: leptos_options(site_root),
        photos: Arc::new(photos),
        sender: Arc::new(LogSender),
        draining: Arc::default(),
        figures: Arc::default(),
    })
}

/// The whole application: API, Open311, web pages, static files.
pub fn router(state: AppState) -> Router {
    with_layers(routes(&state), state)
}

/// Every route, without the middleware.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(http::routes())
        .route("/photos/{*key}", axum::routing::get(http::reports::photo))
        .route("/metrics", axum::routing::get(metrics::scrape))
        .route(
            "/calendar.ics",
            axum::routing::get(http::volunteer::calendar),
        )
        .nest(
            "/open311/v2",
            open311::routes().layer(middleware::from_fn_with_state(
                state.clone(),
                open311::guard,
            )),
        )
        .route(
            "/api/{*rest}",
            axum::routing::any(http::system::api_not_found),
        )
        .merge(web::routes(state))
}

/// The middleware every response passes through (outermost last): request
/// id, trace span, panic → 500, security headers, body limit, CSRF rule.
pub fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    metrics::install();
    routes
        .layer(middleware::from_fn(metrics::record))
        .layer(middleware::from_fn_with_state(state.clone(), ratelimit::limit))
        .layer(middleware::from_fn_with_state(state.clone(), security::csrf))
        .layer(middleware::from_fn_with_state(state.clone(), security::host))
        // Every body is capped once, here, at the limit its route declares
        // (`http::body_limit`); server functions read their bodies themselves,
        // so axum's own extractor limit is off.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(security::body_size))
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(CatchPanicLayer::custom(security::panic_response))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                // The path only: query strings may hold phone numbers.
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-")
                    .to_owned();
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
