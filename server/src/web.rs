//! The web app: server-rendered pages, server functions, and static assets
//! (the WASM bundle, CSS, icons), served precompressed where the build left
//! .br/.gz files beside them.

use app::backend::AppState;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::security::page_csp;

fn nonce() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Renders a page completely before sending it (no streaming), so that its
/// status (404, 403) is known up front and a slow phone gets plain HTML.
pub async fn render_page(State(state): State<AppState>, req: Request) -> Response {
    let nonce = nonce();
    // Staff consoles show personal data and, once, a new API key: kept out
    // of every cache, the browser's disk and back/forward cache included.
    let console = {
        let path = req.uri().path();
        path.starts_with("/admin/") || path.starts_with("/manage/")
    };
    let ctx_state = state.clone();
    let ctx_nonce = nonce.clone();
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(ctx_state.clone());
            provide_context(leptos::nonce::Nonce::from_value(ctx_nonce.clone()));
        },
        move || shell(options.clone()),
    );
    let mut res = handler(req).await.into_response();
    let tiles = state
        .config
        .map_tiles
        .as_ref()
        .map(|t| t.origin().to_owned());
    if let Ok(v) = HeaderValue::from_str(&page_csp(&nonce, tiles.as_deref())) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    // Pages carry who is signed in: never cache them in shared caches.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if console {
            "private, no-store"
        } else {
            "private, no-cache"
        }),
    );
    res
}

pub async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> Response {
    leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), req)
        .await
        .into_response()
}

/// Static files from the site root; a miss renders the app's 404 page.
pub async fn static_or_page(State(state): State<AppState>, req: Request) -> Response {
    let root = state.leptos_options.site_root.to_string();
    let (parts, body) = req.into_parts();
    let probe = Request::from_parts(parts.clone(), Body::empty());
    let served = ServeDir::new(&root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .oneshot(probe)
        .await;
    match served {
        Ok(res)
            if res.status().is_success()
                || res.status() == axum::http::StatusCode::NOT_MODIFIED =>
        {
            let mut res = res.map(Body::new);
            let cache = if parts.uri.path().starts_with("/pkg/") {
                // Bundle names do not change between builds: revalidate (cheap 304s).
                "public, max-age=0, must-revalidate"
            } else {
                "public, max-age=86400"
            };
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            res
        }
        _ => render_page(State(state), Request::from_parts(parts, body)).await,
    }
}

/// The app's routes, generated once per process. Generating them runs the
/// app with resource loading suppressed process-wide, so a page rendering at
/// that moment would wait forever (leptos-rs/leptos#4773): with several
/// routers in one process (the test suite) it must happen once, before any
/// page is served.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn routes(state: &AppState) -> Router<AppState> {
    let routes = route_list();
    let _ = state;
    // Pages travel compressed (brotli or gzip, as the phone asks): with the
    // stylesheet inside, a page is ~29 KB as text and ~6 KB as brotli on
    // slow 4G. Static files come precompressed and pass through as they are.
    Router::new()
        .route("/api/fn/{*fn_name}", any(server_fn))
        .leptos_routes_with_handler(routes, get(render_page))
        .fallback(static_or_page)
        .layer(
            tower_http::compression::CompressionLayer::new()
                .br(true)
                .gzip(true),
        )
}
