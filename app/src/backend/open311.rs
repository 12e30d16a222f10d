//! Open311 GeoReport v2: services are the problem
//! categories, requests are the public reports, and a POSTed request is a
//! report filed by the API key's client into the same review queue as the
//! web's. API keys are issued by an admin (console or CLI), kept as SHA-256
//! and revocable; each has its own service account that can never log in.
//! The wire formats (JSON, XML, the error array) are the HTTP layer's.

use serde::Serialize;

use super::auth::{Actor, CurrentUser};
use super::db::{Param, Where};
use super::reports::{self, NewReport, Open311Filing};
use super::{AppState, audit};
use crate::domain::open311 as rules;
use crate::domain::{Paging, ReportStatus, Roles};
use crate::error::AppError;
use crate::models::Report;

pub use crate::models::ApiKeyInfo;

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: i64,
    name: String,
    prefix: String,
    created_at: i64,
    revoked_at: Option<i64>,
    requests: i64,
}

impl KeyRow {
    fn info(self, state: &AppState) -> ApiKeyInfo {
        ApiKeyInfo {
            id: self.id,
            name: self.name,
            prefix: self.prefix,
            created_at: state.clock.rfc3339(self.created_at),
            revoked: self.revoked_at.is_some(),
            requests: self.requests,
        }
    }
}

const KEY_SELECT: &str = "SELECT k.id, k.name, k.prefix, k.created_at, k.revoked_at, \
    (SELECT COUNT(*) FROM reports r WHERE r.reporter_id = k.user_id) AS requests FROM api_keys k";

fn key_hash(key: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(key.trim().as_bytes()))
}

/// Issues a key for a client named `name`. `actor` is the admin (None from
/// the CLI). Returns the key, shown this once.
pub async fn create_key(
    state: &AppState,
    actor: Actor<'_>,
    name: &str,
) -> Result<(ApiKeyInfo, String), AppError> {
    actor.require_admin()?;
    let name = rules::client_name(name).map_err(|e| AppError::field("name", e))?;
    let key = {
        use rand::RngCore;
        let mut b = [0u8; 24];
        rand::rng().fill_bytes(&mut b);
        format!("zk_{}", hex::encode(b))
    };
    let prefix: String = key.chars().take(10).collect();
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    // The client's service account: its "phone" is no phone number and its
    // password hash no hash, so nobody can log in as it.
    let (user_id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (phone, password_hash, display_name, roles, created_at) \
         VALUES ($1, '!', $2, 'citizen', $3) RETURNING id",
    )
    .bind(format!("open311:{}", key_hash(&key)))
    .bind(&name)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO api_keys (name, key_hash, prefix, user_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&name)
    .bind(key_hash(&key))
    .bind(&prefix)
    .bind(user_id)
    .bind(actor.person_id())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        actor.person_id(),
        "apikey.create",
        "api_key",
        Some(id),
        &format!("name={name} prefix={prefix}"),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(key_id = id, "Open311 API key issued");
    let info = ApiKeyInfo {
        id,
        name,
        prefix,
        created_at: state.clock.rfc3339(now),
        revoked: false,
        requests: 0,
    };
    Ok((info, key))
}

/// Every issued key, newest first (admins).
pub async fn list_keys(state: &AppState, actor: &CurrentUser) -> Result<Vec<ApiKeyInfo>, AppError> {
    actor.require_admin()?;
    let rows: Vec<KeyRow> = sqlx::query_as(&format!("{KEY_SELECT} ORDER BY k.id DESC"))
        .fetch_all(&state.db.pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.info(state)).collect())
}

/// Revokes a key at once on every server (409 `invalid_transition` when it
/// already was).
pub async fn revoke_key(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
) -> Result<ApiKeyInfo, AppError> {
    actor.require_admin()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let done =
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if done == 0 {
        let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM api_keys WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match exists {
            None => AppError::NotFound,
            Some(_) => AppError::invalid_transition("该密钥已经停用"),
        });
    }
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "apikey.revoke",
        "api_key",
        Some(id),
        "",
    )
    .await?;
    let row: KeyRow = sqlx::query_as(&format!("{KEY_SELECT} WHERE k.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row.info(state))
}

/// The client behind a key, as the reporter its requests are filed by. A
/// revoked key, or a client whose account an admin disabled, is refused.
async fn client(state: &AppState, key: Option<&str>) -> Result<CurrentUser, AppError> {
    let refused = || AppError::Refused {
        code: "invalid_api_key".into(),
        message: "api_key is missing, unknown or revoked".into(),
    };
    let key = key
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(refused)?;
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT k.user_id, k.name FROM api_keys k JOIN users u ON u.id = k.user_id \
         WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.disabled_at IS NULL",
    )
    .bind(key_hash(key))
    .fetch_optional(&state.db.pool)
    .await?;
    let (id, name) = row.ok_or_else(refused)?;
    Ok(CurrentUser {
        id,
        display_name: name,
        roles: Roles::citizen(),
        unit_id: None,
        jti: String::new(),
        exp: 0,
    })
}

/// A GeoReport service: one problem category.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: String,
    pub group: String,
}

pub async fn services(state: &AppState) -> Result<Vec<Service>, AppError> {
    Ok(super::city::list_categories(state)
        .await?
        .into_iter()
        .map(|c| Service {
            service_code: c.id.to_string(),
            description: format!("{}：审核通过后交办责任单位，{}天内整改", c.name, c.sla_days),
            service_name: c.name,
            metadata: false,
            kind: "realtime",
            keywords: "文明城市,随手拍".into(),
            group: "不文明行为".into(),
        })
        .collect())
}

/// A service's definition: no extra attributes (`metadata` is false), so it
/// only says the service exists.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<serde_json::Value>,
}

pub async fn service_definition(
    state: &AppState,
    code: &str,
) -> Result<ServiceDefinition, AppError> {
    let id: i64 = code.parse().map_err(|_| AppError::NotFound)?;
    let found = super::city::list_categories(state)
        .await?
        .into_iter()
        .any(|c| c.id == id);
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(ServiceDefinition {
        service_code: id.to_string(),
        attributes: vec![],
    })
}

/// A GeoReport service request: one public report.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRequest {
    pub service_request_id: String,
    pub status: &'static str,
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: String,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: String,
    pub address: String,
    pub address_id: String,
    pub zipcode: String,
    pub lat: f64,
    pub long: f64,
    pub media_url: String,
}

impl ServiceRequest {
    /// `base` makes photo links absolute (`https://city.example`).
    fn of(r: Report, base: &str) -> Self {
        // The newest word on it: the latest timeline note, else its status.
        let status_notes = r
            .timeline
            .iter()
            .rev()
            .find(|e| !e.note.trim().is_empty() && e.note != reports::OPEN311_NOTE)
            .map(|e| e.note.clone())
            .unwrap_or_else(|| r.status_label.clone());
        let media_url = r
            .photos
            .iter()
            .find(|p| p.kind == "before")
            .or(r.photos.first())
            .map(|p| format!("{base}{}", p.url))
            .or(r.media_url.clone())
            .unwrap_or_default();
        ServiceRequest {
            service_request_id: r.id.to_string(),
            status: rules::status_word(r.status),
            status_notes,
            service_name: r.category_name,
            service_code: r.category_id.to_string(),
            description: r.description,
            agency_responsible: r.unit_name.unwrap_or_default(),
            service_notice: String::new(),
            requested_datetime: r.created_at,
            updated_datetime: r.updated_at,
            expected_datetime: r.deadline.unwrap_or_default(),
            address: r.address,
            address_id: String::new(),
            zipcode: String::new(),
            lat: r.lat,
            long: r.lon,
            media_url,
        }
    }
}

/// The filters of `GET requests`, as sent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct RequestsQuery {
    /// Comma-separated ids; overrides every other filter.
    pub service_request_id: Option<String>,
    /// Comma-separated service codes.
    pub service_code: Option<String>,
    /// W3C date-time, e.g. `2026-11-01T00:00:00Z`.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// `open`, `closed` or both, comma-separated.
    pub status: Option<String>,
    /// Accepted and ignored: this server serves one city.
    pub jurisdiction_id: Option<String>,
    /// Extension: which page of `page_size` requests (from 1).
    pub page: Option<String>,
    /// Extension: requests per answer, 1–1000 (default 20).
    pub page_size: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Public requests matching the filters, newest first, a page of them
/// (`page_size`, default 20, at most 1000);
/// never one awaiting review or rejected. A bad filter is
/// `AppError::Invalid` naming the parameter.
pub async fn requests(
    state: &AppState,
    q: &RequestsQuery,
    base: &str,
) -> Result<Vec<ServiceRequest>, AppError> {
    let bad = |field: &str, e: String| AppError::field(field, e);
    let mut w = Where::new();
    let public: Vec<ReportStatus> = ReportStatus::ALL
        .into_iter()
        .filter(|s| s.is_public())
        .collect();
    let in_list = |w: &mut Where, column: &str, values: Vec<Param>| {
        let marks = vec!["?"; values.len()].join(", ");
        w.and(&format!("{column} IN ({marks})"), values);
    };
    if let Some(list) = given(&q.service_request_id) {
        let ids =
            rules::ids(list, "service_request_id").map_err(|e| bad("service_request_id", e))?;
        in_list(&mut w, "r.id", ids.into_iter().map(Param::Int).collect());
        in_list(
            &mut w,
            "r.status",
            public
                .iter()
                .map(|s| Param::Text(s.as_str().into()))
                .collect(),
        );
    } else {
        let statuses = match given(&q.status) {
            Some(s) => rules::statuses(s).map_err(|e| bad("status", e))?,
            None => public,
        };
        // Public ones only (`public`, one index range in id order), then
        // the asked statuses checked on each (`|| ''`: not a second index).
        w.and("r.public = 1", []);
        in_list(
            &mut w,
            "(r.status || '')",
            statuses
                .iter()
                .map(|s| Param::Text(s.as_str().into()))
                .collect(),
        );
        if let Some(codes) = given(&q.service_code) {
            let codes = rules::ids(codes, "service_code").map_err(|e| bad("service_code", e))?;
            in_list(
                &mut w,
                "r.category_id",
                codes.into_iter().map(Param::Int).collect(),
            );
        }
        let instant = |field: &str, v: &Option<String>| -> Result<Option<i64>, AppError> {
            given(v)
                .map(|s| {
                    super::clock::parse_instant(s).map_err(|_| {
                        bad(
                            field,
                            format!("{field} must be a W3C date-time, e.g. 2026-11-01T00:00:00Z"),
                        )
                    })
                })
                .transpose()
        };
        let start = instant("start_date", &q.start_date)?;
        let end = instant("end_date", &q.end_date)?;
        let (from, to) = rules::date_range(start, end, state.clock.now_ms())
            .map_err(|e| bad("start_date", e))?;
        w.and(
            "r.created_at >= ? AND r.created_at <= ?",
            [Param::Int(from), Param::Int(to)],
        );
    }
    let (page, per_page) =
        rules::paging(given(&q.page), given(&q.page_size)).map_err(|(field, e)| bad(field, e))?;
    let paging = Paging { page, per_page };
    let listing = reports::Listing::new(w, "r.id DESC")
        .uncounted()
        .planned_per_values();
    let page = reports::page(state, listing, paging, None).await?;
    Ok(page
        .items
        .into_iter()
        .map(|r| ServiceRequest::of(r, base))
        .collect())
}

/// One public request; 404 for anything else.
pub async fn request(state: &AppState, id: &str, base: &str) -> Result<ServiceRequest, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let r = reports::get(state, id, None).await?;
    Ok(ServiceRequest::of(r, base))
}

/// What a POSTed request sends (form fields of the specification; the
/// person fields are accepted and not kept: the client is the reporter).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PostRequest {
    pub api_key: Option<String>,
    pub service_code: Option<String>,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
    pub jurisdiction_id: Option<String>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
}

/// The answer to a POST: a token to follow the request by until a moderator
/// approves it.
#[derive(Debug, Clone, Serialize)]
pub struct PostAnswer {
    pub token: String,
    pub service_notice: String,
}

/// Files a POSTed request for the key's client: the report waits in the
/// review queue like a citizen's. 403 for a missing, unknown or revoked key;
/// a missing or bad field is `AppError::Invalid`; an unknown service 404.
pub async fn submit(state: &AppState, input: PostRequest) -> Result<PostAnswer, AppError> {
    let client = client(state, input.api_key.as_deref()).await?;
    if state.config.rate_limits {
        // Per key (its client account), whichever server is asked.
        let key = format!("user:{}", client.id);
        super::limits::check(state, super::limits::OPEN311_PER_KEY, &key).await?;
    }
    let code = given(&input.service_code)
        .ok_or_else(|| AppError::field("service_code", "service_code is required"))?;
    let category: i64 = code.parse().map_err(|_| AppError::NotFound)?;
    if !super::city::list_categories(state)
        .await?
        .iter()
        .any(|c| c.id == category)
    {
        return Err(AppError::NotFound);
    }
    if given(&input.lat).is_none() || given(&input.long).is_none() {
        return Err(AppError::field(
            "lat",
            "lat and long are required (this city routes requests by position)",
        ));
    }
    if given(&input.description).is_none() {
        return Err(AppError::field("description", "description is required"));
    }
    let media_url = given(&input.media_url)
        .map(rules::media_url)
        .transpose()
        .map_err(|e| AppError::field("media_url", e))?;
    let token = {
        use rand::RngCore;
        let mut b = [0u8; 12];
        rand::rng().fill_bytes(&mut b);
        hex::encode(b)
    };
    let filed = reports::create(
        state,
        &client,
        NewReport {
            category_id: Some(category.to_string()),
            description: input.description,
            lat: input.lat,
            lon: input.long,
            address: input.address_string,
            open311: Some(Open311Filing {
                token: token.clone(),
                media_url,
            }),
            ..NewReport::default()
        },
    )
    .await;
    match filed {
        Ok(_) => Ok(PostAnswer {
            token,
            service_notice: "已收到，审核通过后交办责任单位".into(),
        }),
        // Field names of the report are the specification's here.
        Err(AppError::Invalid(errors)) => Err(AppError::Invalid(
            errors
                .into_iter()
                .map(|mut e| {
                    if e.field == "lon" {
                        e.field = "long".into();
                    } else if e.field == "address" {
                        e.field = "address_string".into();
                    }
                    e
                })
                .collect(),
        )),
        Err(e) => Err(e),
    }
}

/// `tokens/{token}`: the request id once a moderator has approved it (a
/// merged duplicate answers with the report it was merged into); `None`
/// while it waits. A rejected request or an unknown token is 404.
pub async fn token(state: &AppState, token: &str) -> Result<Option<i64>, AppError> {
    let row: Option<(i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, status, duplicate_of FROM reports WHERE open311_token = $1")
            .bind(token.trim())
            .fetch_optional(&state.db.pool)
            .await?;
    let (id, status, duplicate_of) = row.ok_or(AppError::NotFound)?;
    match ReportStatus::parse(&status).unwrap_or(ReportStatus::PendingReview) {
        ReportStatus::PendingReview => Ok(None),
        ReportStatus::Rejected => Err(AppError::NotFound),
        ReportStatus::Duplicate => Ok(duplicate_of.or(Some(id))),
        _ => Ok(Some(id)),
    }
}
