//! Extractors that turn bad input into problem+json instead of axum's plain
//! text rejections, and find the caller.

use app::backend::AppState;
use app::backend::auth::{self, CurrentUser};
use app::backend::photos::Upload;
use app::domain::{FieldError, Paging};
use app::error::AppError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tokio::io::AsyncWriteExt;

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
#[into_params(parameter_in = Query)]
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

/// The client's address (behind our own proxy, its last X-Forwarded-For
/// entry; `ZHUOMU_TRUST_PROXY`).
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(auth::client_ip(
            state.config.trust_proxy,
            &parts.headers,
            &parts.extensions,
        )))
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

/// The signed-in caller if any (public endpoints that show more to members).
pub struct MaybeCaller(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(MaybeCaller(
            auth::current_user(state, &parts.headers).await?,
        ))
    }
}

/// Two path ids (`/reports/{id}/photos/{photo_id}`); malformed ones are 404.
pub struct Ids(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<(i64, i64)>::from_request_parts(parts, state).await {
            Ok(p) => Ok(Ids(p.0.0, p.0.1)),
            Err(_) => Err(ApiError(AppError::NotFound)),
        }
    }
}

/// A multipart form read with limits: text fields up to 8 KiB, files only
/// under the names given, each up to `MAX_PHOTO_BYTES` (413 as soon as one is
/// bigger, before the rest is read) and at most `MAX_PHOTOS` per name.
pub struct UploadForm {
    pub text: std::collections::HashMap<String, String>,
    pub files: std::collections::HashMap<String, Vec<Upload>>,
}

const MAX_TEXT_FIELD: usize = 8 * 1024;
/// All text fields of one form together: photos wait on disk, text in memory.
const MAX_TEXT_TOTAL: usize = 32 * 1024;

fn spool_error(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "cannot spool an upload");
    AppError::Internal
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::Invalid(vec![FieldError::new("body", "无法读取上传的表单")])
    }
}

impl UploadForm {
    pub async fn read(
        multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
        file_fields: &[&str],
    ) -> Result<UploadForm, ApiError> {
        use app::domain::report::{MAX_PHOTO_BYTES, MAX_PHOTOS};
        let mut multipart = multipart.map_err(|_| {
            AppError::Invalid(vec![FieldError::new(
                "body",
                "请求头 Content-Type 应为 multipart/form-data",
            )])
        })?;
        let mut form = UploadForm {
            text: Default::default(),
            files: Default::default(),
        };
        let mut text_total = 0;
        while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
            let name = field.name().unwrap_or("").to_owned();
            if file_fields.contains(&name.as_str()) {
                if form.files.get(&name).is_some_and(|l| l.len() == MAX_PHOTOS) {
                    return Err(ApiError(AppError::field(
                        &name,
                        format!("最多上传{MAX_PHOTOS}张照片"),
                    )));
                }
                // Spooled to a temporary file: uploads wait on disk, not in memory.
                let (mut file, upload) = Upload::create().map_err(spool_error)?;
                let mut written = 0;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    written += chunk.len();
                    if written > MAX_PHOTO_BYTES {
                        return Err(ApiError(AppError::PayloadTooLarge));
                    }
                    file.write_all(&chunk).await.map_err(spool_error)?;
                }
                file.flush().await.map_err(spool_error)?;
                // A file input left empty still sends an empty part.
                if written > 0 {
                    form.files.entry(name).or_default().push(upload);
                }
                continue;
            }
            let mut data = bytes::BytesMut::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                text_total += chunk.len();
                if data.len() + chunk.len() > MAX_TEXT_FIELD || text_total > MAX_TEXT_TOTAL {
                    return Err(ApiError(AppError::field(&name, "内容过长")));
                }
                data.extend_from_slice(&chunk);
            }
            {
                let text = String::from_utf8(data.to_vec())
                    .map_err(|_| AppError::field(&name, "不是有效的 UTF-8 文本"))?;
                form.text.insert(name, text);
            }
        }
        Ok(form)
    }

    pub fn take_text(&mut self, name: &str) -> Option<String> {
        self.text.remove(name)
    }

    pub fn take_files(&mut self, name: &str) -> Vec<Upload> {
        self.files.remove(name).unwrap_or_default()
    }
}

/// True for a browser's own form submission (it accepts HTML), which is
/// answered with a redirect to a page rather than with JSON.
pub fn wants_html(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}
