//! Extractors that turn bad input into problem+json instead of axum's plain
//! text rejections, and find the caller.

use app::backend::AppState;
use app::backend::auth::{self, CurrentUser};
use app::domain::{FieldError, Paging};
use app::error::AppError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// A JSON body; a malformed one is a 422 `invalid_input` naming the problem,
/// an oversized one 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError(json_rejection(rejection))),
        }
    }
}

fn json_rejection(r: JsonRejection) -> AppError {
    match r {
        JsonRejection::JsonDataError(e) => {
            // serde's message names the field and what was wrong; it holds no
            // internals, only the shape of what was sent.
            let detail = e.body_text();
            let message = detail
                .split_once(": ")
                .map(|(_, m)| m)
                .unwrap_or(&detail)
                .to_owned();
            AppError::Invalid(vec![FieldError::new("body", message)])
        }
        JsonRejection::JsonSyntaxError(_) => {
            AppError::Invalid(vec![FieldError::new("body", "请求体不是有效的 JSON")])
        }
        JsonRejection::MissingJsonContentType(_) => AppError::Invalid(vec![FieldError::new(
            "body",
            "请求头 Content-Type 应为 application/json",
        )]),
        JsonRejection::BytesRejection(e)
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
        {
            AppError::PayloadTooLarge
        }
        _ => AppError::Invalid(vec![FieldError::new("body", "无法读取请求体")]),
    }
}

/// Query parameters, with the same treatment.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(q) => Ok(ApiQuery(q.0)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                let detail = e.body_text();
                let message = detail
                    .rsplit_once(": ")
                    .map(|(_, m)| m)
                    .unwrap_or(&detail)
                    .to_owned();
                Err(ApiError(AppError::Invalid(vec![FieldError::new(
                    "query", message,
                )])))
            }
            Err(_) => Err(ApiError(AppError::Invalid(vec![FieldError::new(
                "query",
                "查询参数有误",
            )]))),
        }
    }
}

/// `?page=&per_page=` parsed into `Paging`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl PageQuery {
    pub fn paging(&self) -> Result<Paging, ApiError> {
        Paging::parse(self.page, self.per_page).map_err(|e| ApiError(AppError::Invalid(e)))
    }
}

/// The signed-in caller; 401 otherwise.
pub struct Caller(pub CurrentUser);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Caller(auth::require_user(state, &parts.headers).await?))
    }
}

/// A path id: a malformed one is a 404 like an unknown one.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<i64>::from_request_parts(parts, state).await {
            Ok(p) => Ok(Id(p.0)),
            Err(_) => Err(ApiError(AppError::NotFound)),
        }
    }
}
