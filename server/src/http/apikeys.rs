//! Admins issue and revoke Open311 API keys (the console's 开放接口). Thin:
//! read, call `app::backend::open311`, map the error.

use app::backend::AppState;
use app::backend::open311::{self, ApiKeyInfo};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::extract::{ApiJson, Caller, Id};
use crate::problem::{ApiResult, Problem};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewApiKey {
    /// The client, e.g. 12345热线 (2–20 characters).
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedApiKey {
    /// The key itself, shown this once: keep it with the client.
    pub key: String,
    pub api_key: ApiKeyInfo,
}

/// Admin: every issued key (never the keys themselves).
#[utoipa::path(get, path = "/api/v1/admin/apikeys", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiKeyInfo>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> ApiResult<Json<Vec<ApiKeyInfo>>> {
    Ok(Json(open311::list_keys(&state, &actor).await?))
}

/// Admin: issue a key for a client; the answer is the only time it is shown.
#[utoipa::path(post, path = "/api/v1/admin/apikeys", tag = "admin", security(("bearer" = [])),
    request_body = NewApiKey,
    responses((status = 201, body = IssuedApiKey), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewApiKey>,
) -> ApiResult<(StatusCode, Json<IssuedApiKey>)> {
    let (api_key, key) = open311::create_key(
        &state,
        app::backend::auth::Actor::Person(&actor),
        &input.name,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(IssuedApiKey { key, api_key })))
}

/// Admin: revoke a key; its client is refused from then on, on every server.
#[utoipa::path(post, path = "/api/v1/admin/apikeys/{id}/revoke", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ApiKeyInfo), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "invalid_transition")))]
pub async fn revoke(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Id(id): Id,
) -> ApiResult<Json<ApiKeyInfo>> {
    Ok(Json(open311::revoke_key(&state, &actor, id).await?))
}
