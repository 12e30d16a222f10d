//! Open311 GeoReport v2 under `/open311/v2/`: discovery,
//! services, service definitions, requests (GET with the specification's
//! filters, POST with an api_key), one request and tokens, each as `.json`
//! or `.xml`. Errors are the specification's array (`[{code, description}]`,
//! `<errors><error>…`), never problem+json. The rules are in
//! `app::backend::open311`; this module only speaks the wire formats.

use app::backend::open311::{self, PostRequest, RequestsQuery};
use app::backend::{AppState, auth};
use app::domain::open311::{Format, split_format};
use app::error::AppError;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

/// The day this GeoReport endpoint last changed (discovery's `changeset`).
const CHANGESET: &str = "2026-11-29T00:00:00Z";
const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{file}", get(top).post(post_request))
        .route("/services/{file}", get(service_definition))
        .route("/requests/{file}", get(one_request))
        .route("/tokens/{file}", get(token))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// One entry of the specification's error array.
#[derive(Debug, Serialize)]
struct ErrorEntry {
    code: u16,
    description: String,
}

/// An Open311 error response in the asked format.
struct Open311Error {
    format: Format,
    status: StatusCode,
    errors: Vec<ErrorEntry>,
    retry_after_s: Option<i64>,
}

impl Open311Error {
    fn new(format: Format, status: StatusCode, description: impl Into<String>) -> Self {
        Open311Error {
            format,
            status,
            errors: vec![ErrorEntry {
                code: status.as_u16(),
                description: description.into(),
            }],
            retry_after_s: None,
        }
    }

    /// The one mapping of application errors to Open311's: bad input 400 (one
    /// entry per field), a key refused 403, not found 404, else the status.
    fn from_app(format: Format, e: AppError) -> Self {
        match e {
            AppError::Invalid(fields) => Open311Error {
                format,
                status: StatusCode::BAD_REQUEST,
                errors: fields
                    .into_iter()
                    .map(|f| ErrorEntry {
                        code: 400,
                        description: format!("{}: {}", f.field, f.message),
                    })
                    .collect(),
                retry_after_s: None,
            },
            AppError::RateLimited { retry_after_s } => Open311Error {
                retry_after_s: Some(retry_after_s),
                ..Self::new(
                    format,
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many requests, retry later",
                )
            },
            AppError::Refused { message, .. } => Self::new(format, StatusCode::FORBIDDEN, message),
            AppError::NotFound => Self::new(format, StatusCode::NOT_FOUND, "not found"),
            other => {
                let status = StatusCode::from_u16(other.status())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                if status.is_server_error() {
                    tracing::error!(code = other.code(), "Open311 request failed");
                }
                Self::new(format, status, other.to_string())
            }
        }
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let body = match self.format {
            Format::Json => serde_json::to_string(&self.errors).unwrap_or_default(),
            Format::Xml => xml_list("errors", "error", &self.errors),
        };
        let mut res = (self.status, body).into_response();
        set_type(&mut res, self.format);
        if let Some(secs) = self.retry_after_s {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// A 400 in the wire format `path` asks for (for the middleware).
pub fn bad_request(path: &str, description: &str) -> Response {
    Open311Error::new(format_of_path(path), StatusCode::BAD_REQUEST, description).into_response()
}

/// Every Open311 request: the per-address limit (with ZHUOMU_RATE_LIMITS;
/// counted in the database, so across servers), then `Cache-Control` on the
/// answer: the discovery and service list for an hour, other reads for a
/// minute (a report moves on), errors and writes never.
pub async fn guard(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if let Some(key) = crate::ratelimit::client_key(&state, &req)
        && let Err(e) =
            app::backend::limits::check(&state, app::backend::limits::OPEN311_PER_ADDRESS, &key)
                .await
    {
        tracing::warn!(path = %req.uri().path(), "Open311 rate limited");
        return Open311Error::from_app(format_of_path(req.uri().path()), e).into_response();
    }
    let read = req.method() == axum::http::Method::GET;
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let cache = if !read || !res.status().is_success() {
        "no-store"
    } else if path.ends_with("/discovery.json")
        || path.ends_with("/discovery.xml")
        || path.ends_with("/services.json")
        || path.ends_with("/services.xml")
    {
        "public, max-age=3600"
    } else if path.contains("/tokens/") {
        "no-cache"
    } else {
        "public, max-age=60"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

type Open311Result = Result<Response, Open311Error>;

fn set_type(res: &mut Response, format: Format) {
    let value = match format {
        Format::Json => "application/json; charset=utf-8",
        Format::Xml => "text/xml; charset=utf-8",
    };
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
}

/// `<root><item>…</item>…</root>`, each item serialized by quick-xml.
fn xml_list<T: Serialize>(root: &str, item: &str, items: &[T]) -> String {
    let mut out = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<{root}>");
    for i in items {
        match quick_xml::se::to_string_with_root(item, i) {
            Ok(s) => out.push_str(&s),
            Err(e) => tracing::error!(error = %e, "XML serialization failed"),
        }
    }
    out.push_str(&format!("</{root}>"));
    out
}

fn xml_one<T: Serialize>(root: &str, value: &T) -> String {
    let body = quick_xml::se::to_string_with_root(root, value).unwrap_or_else(|e| {
        tracing::error!(error = %e, "XML serialization failed");
        format!("<{root}/>")
    });
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{body}")
}

/// A list (`services`, `service_requests`) in the asked format.
fn list<T: Serialize>(
    format: Format,
    status: StatusCode,
    root: &str,
    item: &str,
    items: &[T],
) -> Response {
    let body = match format {
        Format::Json => serde_json::to_string(items).unwrap_or_default(),
        Format::Xml => xml_list(root, item, items),
    };
    let mut res = (status, body).into_response();
    set_type(&mut res, format);
    res
}

/// The format a path asks for; anything but `.json`/`.xml` is unknown (404).
fn format_of(file: &str, want: &str) -> Result<Format, Open311Error> {
    match split_format(file) {
        Some((name, f)) if name == want => Ok(f),
        Some((_, f)) => Err(Open311Error::new(f, StatusCode::NOT_FOUND, "not found")),
        None => Err(Open311Error::new(
            Format::Json,
            StatusCode::NOT_FOUND,
            "not found",
        )),
    }
}

fn base(state: &AppState, headers: &HeaderMap) -> String {
    auth::site_origin(&state.config, headers).unwrap_or_default()
}

#[derive(Debug, Serialize)]
struct DiscoveryJson {
    changeset: &'static str,
    contact: &'static str,
    key_service: &'static str,
    endpoints: Vec<EndpointJson>,
}

#[derive(Debug, Serialize)]
struct EndpointJson {
    specification: &'static str,
    url: String,
    changeset: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    formats: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct DiscoveryXml {
    changeset: &'static str,
    contact: &'static str,
    key_service: &'static str,
    endpoints: EndpointsXml,
}

#[derive(Debug, Serialize)]
struct EndpointsXml {
    endpoint: Vec<EndpointXml>,
}

#[derive(Debug, Serialize)]
struct EndpointXml {
    specification: &'static str,
    url: String,
    changeset: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    formats: FormatsXml,
}

#[derive(Debug, Serialize)]
struct FormatsXml {
    format: Vec<&'static str>,
}

const CONTACT: &str = "市文明办（创城办）";
const KEY_SERVICE: &str = "API 密钥由管理员在“开放接口”页面或用 zhuomu apikey create 签发";
const FORMATS: [&str; 2] = ["text/xml", "application/json"];

/// `GET discovery`, `services` or `requests` (by the file name).
async fn top(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    query: Result<Query<RequestsQuery>, QueryRejection>,
) -> Open311Result {
    let (name, format) = split_format(&file)
        .ok_or_else(|| Open311Error::new(Format::Json, StatusCode::NOT_FOUND, "not found"))?;
    let fail = |e| Open311Error::from_app(format, e);
    match name {
        "discovery" => {
            let url = format!("{}/open311/v2", base(&state, &headers));
            let body = match format {
                Format::Json => serde_json::to_string(&DiscoveryJson {
                    changeset: CHANGESET,
                    contact: CONTACT,
                    key_service: KEY_SERVICE,
                    endpoints: vec![EndpointJson {
                        specification: SPECIFICATION,
                        url,
                        changeset: CHANGESET,
                        kind: "production",
                        formats: FORMATS.to_vec(),
                    }],
                })
                .unwrap_or_default(),
                Format::Xml => xml_one(
                    "discovery",
                    &DiscoveryXml {
                        changeset: CHANGESET,
                        contact: CONTACT,
                        key_service: KEY_SERVICE,
                        endpoints: EndpointsXml {
                            endpoint: vec![EndpointXml {
                                specification: SPECIFICATION,
                                url,
                                changeset: CHANGESET,
                                kind: "production",
                                formats: FormatsXml {
                                    format: FORMATS.to_vec(),
                                },
                            }],
                        },
                    },
                ),
            };
            let mut res = body.into_response();
            set_type(&mut res, format);
            Ok(res)
        }
        "services" => {
            let services = open311::services(&state).await.map_err(fail)?;
            Ok(list(
                format,
                StatusCode::OK,
                "services",
                "service",
                &services,
            ))
        }
        "requests" => {
            let Query(q) = query.map_err(|e| {
                Open311Error::new(
                    format,
                    StatusCode::BAD_REQUEST,
                    format!("bad query: {}", e.body_text()),
                )
            })?;
            let found = open311::requests(&state, &q, &base(&state, &headers))
                .await
                .map_err(fail)?;
            Ok(list(
                format,
                StatusCode::OK,
                "service_requests",
                "request",
                &found,
            ))
        }
        _ => Err(Open311Error::new(
            format,
            StatusCode::NOT_FOUND,
            "not found",
        )),
    }
}

/// `POST requests`: form-encoded, with an api_key; answers a token.
async fn post_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    form: Result<Form<PostRequest>, FormRejection>,
) -> Open311Result {
    let format = format_of(&file, "requests")?;
    let Form(input) = form.map_err(|e| {
        Open311Error::new(
            format,
            StatusCode::BAD_REQUEST,
            format!(
                "send the request form-encoded (application/x-www-form-urlencoded): {}",
                e.body_text()
            ),
        )
    })?;
    let answer = open311::submit(&state, input)
        .await
        .map_err(|e| Open311Error::from_app(format, e))?;
    Ok(list(
        format,
        StatusCode::CREATED,
        "service_requests",
        "request",
        &[answer],
    ))
}

/// `GET services/{code}`: the service's definition.
async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Open311Result {
    let (code, format) = split_format(&file)
        .ok_or_else(|| Open311Error::new(Format::Json, StatusCode::NOT_FOUND, "not found"))?;
    let def = open311::service_definition(&state, code)
        .await
        .map_err(|e| Open311Error::from_app(format, e))?;
    let body = match format {
        Format::Json => serde_json::to_string(&def).unwrap_or_default(),
        Format::Xml => xml_one("service_definition", &def),
    };
    let mut res = body.into_response();
    set_type(&mut res, format);
    Ok(res)
}

/// `GET requests/{id}`: one public request, as a list of one.
async fn one_request(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Open311Result {
    let (id, format) = split_format(&file)
        .ok_or_else(|| Open311Error::new(Format::Json, StatusCode::NOT_FOUND, "not found"))?;
    let found = open311::request(&state, id, &base(&state, &headers))
        .await
        .map_err(|e| Open311Error::from_app(format, e))?;
    Ok(list(
        format,
        StatusCode::OK,
        "service_requests",
        "request",
        &[found],
    ))
}

#[derive(Debug, Serialize)]
struct TokenAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    service_request_id: Option<String>,
    token: String,
}

/// `GET tokens/{token}`: the request id once approved.
async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Open311Result {
    let (token, format) = split_format(&file)
        .ok_or_else(|| Open311Error::new(Format::Json, StatusCode::NOT_FOUND, "not found"))?;
    let id = open311::token(&state, token)
        .await
        .map_err(|e| Open311Error::from_app(format, e))?;
    let answer = TokenAnswer {
        service_request_id: id.map(|i| i.to_string()),
        token: token.to_owned(),
    };
    Ok(list(
        format,
        StatusCode::OK,
        "service_requests",
        "request",
        &[answer],
    ))
}

fn format_of_path(path: &str) -> Format {
    if path.ends_with(".xml") {
        Format::Xml
    } else {
        Format::Json
    }
}

async fn not_found(uri: axum::http::Uri) -> Open311Error {
    Open311Error::new(
        format_of_path(uri.path()),
        StatusCode::NOT_FOUND,
        "not found",
    )
}

async fn method_not_allowed(uri: axum::http::Uri) -> Open311Error {
    Open311Error::new(
        format_of_path(uri.path()),
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed",
    )
}
