use app::backend::AppState;
use app::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::problem::ApiError;

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, description = "`{\"status\":\"ok\"}`")))]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "system", responses((status = 200), (status = 503)))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "draining"})),
        );
    }
    if state.db.ping().await {
        (StatusCode::OK, Json(json!({"status": "ok"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable"})),
        )
    }
}

/// Any /api path that names nothing.
pub async fn api_not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

/// A known /api path with the wrong method.
pub async fn method_not_allowed() -> crate::problem::Problem {
    crate::problem::Problem {
        kind: "urn:zhuomu:problem:method_not_allowed".into(),
        title: "Method Not Allowed".into(),
        status: 405,
        detail: "该接口不支持此请求方法".into(),
        code: "method_not_allowed".into(),
        errors: None,
    }
}
