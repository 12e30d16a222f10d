//! 随手拍 reports and the closed loop 交办 → 整改 → 督查 → 销号.
//!
//! Every change of status is one conditional `UPDATE … WHERE status IN
//! (allowed sources)` inside a write transaction, so two moderators (or two
//! servers) acting at once cannot both move a report; the loser gets 409
//! `invalid_transition`. Points for an approval are paid in the same
//! transaction and are unique per report in the ledger.

use std::collections::HashMap;

use serde::Deserialize;
use sqlx::{Any, Transaction};

use super::auth::CurrentUser;
use super::db::{Param, Where, bind_all, placeholders};
use super::notify::{self, Outgoing};
use super::photos::{StoredPhoto, Upload};
use super::points::{self, Reference};
use super::{AppState, audit};
use crate::domain::report::{
    self, DAY_MS, DUPLICATE_RADIUS_M, DUPLICATE_WINDOW_MS, FEEDBACK_WINDOW_MS,
};
use crate::domain::{
    AreaGeometry, AreaKind, Fields, GeoPoint, Paging, PointsDelta, PointsReason, Redaction,
    ReportStatus, Role, RoutableArea, Transition,
};
use crate::error::AppError;
use crate::models::{HotIssues, HotPlace, Page, Report, ReportPhoto, TimelineEvent};

fn invalid_transition(status: ReportStatus) -> AppError {
    AppError::conflict(
        "invalid_transition",
        format!("该报告当前为“{}”，不能进行此操作", status.label()),
    )
}

/// `'a', 'b'`: the statuses a transition may start from, for SQL.
fn sources_sql(t: Transition) -> String {
    ReportStatus::sources(t)
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

const SELECT: &str = "SELECT r.id, r.reporter_id, r.category_id, c.name AS category_name, \
    r.description, r.lat, r.lon, r.address, r.hide_name, r.status, r.unit_id, \
    un.name AS unit_name, r.deadline, r.disputed, r.duplicate_of, r.fixed_on_spot, \
    r.follower_count, r.reporter_verdict, u.display_name AS reporter_name, \
    r.created_at, r.updated_at, r.closed_at, r.source, r.media_url \
    FROM reports r JOIN categories c ON c.id = r.category_id \
    JOIN users u ON u.id = r.reporter_id LEFT JOIN units un ON un.id = r.unit_id";

#[derive(sqlx::FromRow, Clone)]
struct Row {
    id: i64,
    reporter_id: i64,
    category_id: i64,
    category_name: String,
    description: String,
    lat: f64,
    lon: f64,
    address: String,
    hide_name: i64,
    status: String,
    unit_id: Option<i64>,
    unit_name: Option<String>,
    deadline: Option<i64>,
    disputed: i64,
    duplicate_of: Option<i64>,
    fixed_on_spot: i64,
    follower_count: i64,
    reporter_verdict: Option<String>,
    reporter_name: String,
    created_at: i64,
    updated_at: i64,
    closed_at: Option<i64>,
    source: String,
    media_url: Option<String>,
}

impl Row {
    fn status(&self) -> ReportStatus {
        ReportStatus::parse(&self.status).unwrap_or(ReportStatus::PendingReview)
    }

    fn visible_to(&self, viewer: Option<&CurrentUser>) -> bool {
        self.status().is_public()
            || viewer.is_some_and(|v| v.id == self.reporter_id || v.roles.can_moderate())
    }

    fn point(&self) -> GeoPoint {
        GeoPoint {
            lat: self.lat,
            lon: self.lon,
        }
    }

    fn overdue(&self, now: i64) -> bool {
        self.status() == ReportStatus::Assigned && self.deadline.is_some_and(|d| now > d)
    }
}

async fn load(state: &AppState, id: i64) -> Result<Row, AppError> {
    sqlx::query_as::<_, Row>(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)
}

/// A report the viewer may see; 404 otherwise (existence is private).
async fn load_visible(
    state: &AppState,
    id: i64,
    viewer: Option<&CurrentUser>,
) -> Result<Row, AppError> {
    let row = load(state, id).await?;
    if row.visible_to(viewer) {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(sqlx::FromRow)]
struct PhotoRow {
    id: i64,
    report_id: i64,
    kind: String,
    object_key: String,
    thumb_key: String,
    width: i64,
    height: i64,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    report_id: i64,
    at: i64,
    action: String,
    actor_role: String,
    note: String,
}

/// The public address of a stored photo.
pub fn photo_url(key: &str) -> String {
    format!("/photos/{key}")
}

/// Turns rows into API reports, with photos, timelines and the viewer's
/// follow state, in three queries for the whole page.
async fn to_reports(
    state: &AppState,
    rows: Vec<Row>,
    viewer: Option<&CurrentUser>,
) -> Result<Vec<Report>, AppError> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<Param> = rows.iter().map(|r| Param::Int(r.id)).collect();
    let list = placeholders(1, ids.len());
    let photos: Vec<PhotoRow> = bind_all(
        sqlx::query_as(&format!(
            "SELECT id, report_id, kind, object_key, thumb_key, width, height FROM report_photos \
             WHERE report_id IN ({list}) ORDER BY report_id, kind DESC, position, id"
        )),
        &ids,
    )
    .fetch_all(&state.db.pool)
    .await?;
    let events: Vec<EventRow> = bind_all(
        sqlx::query_as(&format!(
            "SELECT report_id, at, action, actor_role, note FROM report_events \
             WHERE report_id IN ({list}) ORDER BY report_id, id"
        )),
        &ids,
    )
    .fetch_all(&state.db.pool)
    .await?;
    let followed: Vec<(i64,)> = match viewer {
        Some(v) => {
            let mut params = vec![Param::Int(v.id)];
            params.extend(ids.iter().cloned());
            bind_all(
                sqlx::query_as(&format!(
                    "SELECT report_id FROM report_follows WHERE user_id = $1 AND report_id IN ({})",
                    placeholders(2, ids.len())
                )),
                &params,
            )
            .fetch_all(&state.db.pool)
            .await?
        }
        None => vec![],
    };
    let mut photos_of: HashMap<i64, Vec<ReportPhoto>> = HashMap::new();
    for p in photos {
        photos_of.entry(p.report_id).or_default().push(ReportPhoto {
            id: p.id,
            url: photo_url(&p.object_key),
            thumb_url: photo_url(&p.thumb_key),
            kind: p.kind,
            width: p.width,
            height: p.height,
        });
    }
    let mut events_of: HashMap<i64, Vec<TimelineEvent>> = HashMap::new();
    for e in events {
        events_of
            .entry(e.report_id)
            .or_default()
            .push(TimelineEvent {
                at: state.clock.rfc3339(e.at),
                action: e.action,
                actor_role: e.actor_role,
                note: e.note,
            });
    }
    let now = state.clock.now_ms();
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = r.status();
            Report {
                id: r.id,
                category_id: r.category_id,
                category_name: r.category_name.clone(),
                description: r.description.clone(),
                lat: r.lat,
                lon: r.lon,
                address: r.address.clone(),
                status,
                status_label: status.label().to_owned(),
                unit_id: r.unit_id,
                unit_name: r.unit_name.clone(),
                deadline: r.deadline.map(|d| state.clock.rfc3339(d)),
                overdue: r.overdue(now),
                created_at: state.clock.rfc3339(r.created_at),
                updated_at: state.clock.rfc3339(r.updated_at),
                reporter_name: (r.hide_name == 0).then(|| r.reporter_name.clone()),
                follower_count: r.follower_count,
                disputed: r.disputed != 0,
                fixed_on_spot: r.fixed_on_spot != 0,
                duplicate_of: r.duplicate_of,
                reporter_verdict: r.reporter_verdict.clone(),
                photos: photos_of.remove(&r.id).unwrap_or_default(),
                timeline: events_of.remove(&r.id).unwrap_or_default(),
                following: viewer.map(|_| followed.iter().any(|(id,)| *id == r.id)),
                mine: viewer.map(|v| v.id == r.reporter_id),
                distance_m: None,
                source: r.source.clone(),
                media_url: r.media_url.clone(),
            }
        })
        .collect())
}

async fn one(state: &AppState, row: Row, viewer: Option<&CurrentUser>) -> Result<Report, AppError> {
    to_reports(state, vec![row], viewer)
        .await?
        .pop()
        .ok_or(AppError::Internal)
}

/// A report as the viewer may see it (API `GET /reports/{id}`).
pub async fn get(
    state: &AppState,
    id: i64,
    viewer: Option<&CurrentUser>,
) -> Result<Report, AppError> {
    let row = load_visible(state, id, viewer).await?;
    one(state, row, viewer).await
}

pub(crate) async fn page(
    state: &AppState,
    w: &Where,
    order: &str,
    paging: Paging,
    viewer: Option<&CurrentUser>,
) -> Result<Page<Report>, AppError> {
    let (total,): (i64,) = bind_all(
        sqlx::query_as(&format!("SELECT COUNT(*) FROM reports r{}", w.sql())),
        w.params(),
    )
    .fetch_one(&state.db.pool)
    .await?;
    let n = w.next_placeholder();
    let mut params = w.params().to_vec();
    params.push(Param::Int(paging.limit()));
    params.push(Param::Int(paging.offset()));
    let rows: Vec<Row> = bind_all(
        sqlx::query_as(&format!(
            "{SELECT}{} ORDER BY {order} LIMIT ${n} OFFSET ${}",
            w.sql(),
            n + 1
        )),
        &params,
    )
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Page::of(
        to_reports(state, rows, viewer).await?,
        total,
        paging,
    ))
}

/// Filters of the public list (`GET /reports`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct ListQuery {
    /// One of the public statuses.
    pub status: Option<String>,
    pub category_id: Option<i64>,
    /// Chinese full-text search.
    pub q: Option<String>,
    /// `minLon,minLat,maxLon,maxLat`.
    pub bbox: Option<String>,
    /// Only assigned reports past their deadline.
    pub overdue: Option<bool>,
}

fn parse_bbox(s: &str) -> Result<[f64; 4], String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| "bbox 应为 minLon,minLat,maxLon,maxLat".to_owned())?;
    let [min_lon, min_lat, max_lon, max_lat] = v[..] else {
        return Err("bbox 应为 minLon,minLat,maxLon,maxLat".into());
    };
    GeoPoint::parse(min_lat, min_lon)?;
    GeoPoint::parse(max_lat, max_lon)?;
    if min_lon > max_lon || min_lat > max_lat {
        return Err("bbox 的最小值应不大于最大值".into());
    }
    Ok([min_lon, min_lat, max_lon, max_lat])
}

/// Adds the search condition: every query term is among the report's terms.
fn search(w: &mut Where, q: &str) {
    let terms = report::query_terms(q);
    if terms.is_empty() {
        return;
    }
    let n = terms.len() as i64;
    let marks = vec!["?"; terms.len()].join(", ");
    let mut params: Vec<Param> = terms.into_iter().map(Param::Text).collect();
    params.push(Param::Int(n));
    w.and(
        &format!(
            "r.id IN (SELECT report_id FROM report_terms WHERE term IN ({marks}) \
             GROUP BY report_id HAVING COUNT(*) = ?)"
        ),
        params,
    );
}

/// The public list: never `pending_review` or `rejected`.
pub async fn list_public(
    state: &AppState,
    query: ListQuery,
    paging: Paging,
    viewer: Option<&CurrentUser>,
) -> Result<Page<Report>, AppError> {
    let mut f = Fields::new();
    let mut w = Where::new();
    match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => match ReportStatus::parse(s) {
            Ok(st) if st.is_public() => {
                w.and("r.status = ?", [Param::Text(st.as_str().into())]);
            }
            _ => f.push("status", "只能查看公开的状态"),
        },
        None => {
            w.and("r.status IN ('assigned', 'rectified', 'closed')", []);
        }
    }
    if let Some(c) = query.category_id {
        w.and("r.category_id = ?", [Param::Int(c)]);
    }
    if let Some(b) = query.bbox.as_deref().filter(|s| !s.is_empty())
        && let Some([a, b, c, d]) = f.check("bbox", parse_bbox(b))
    {
        w.and(
            "r.lon >= ? AND r.lat >= ? AND r.lon <= ? AND r.lat <= ?",
            [a, b, c, d].map(Param::Float),
        );
    }
    if let Some(q) = query.q.as_deref() {
        if q.chars().count() > 50 {
            f.push("q", "搜索词最多50个字");
        } else {
            search(&mut w, q);
        }
    }
    if query.overdue == Some(true) {
        w.and(
            "r.status = 'assigned' AND r.deadline < ?",
            [Param::Int(state.clock.now_ms())],
        );
    }
    f.finish()?;
    page(state, &w, "r.id DESC", paging, viewer).await
}

/// My own reports, any status, newest first.
pub async fn mine(
    state: &AppState,
    me: &CurrentUser,
    paging: Paging,
) -> Result<Page<Report>, AppError> {
    let mut w = Where::new();
    w.and("r.reporter_id = ?", [Param::Int(me.id)]);
    page(state, &w, "r.id DESC", paging, Some(me)).await
}

/// Moderator queues: `pending_review` (审核, oldest first) or `rectified`
/// (督查: disputed first, then oldest).
pub async fn moderation_queue(
    state: &AppState,
    actor: &CurrentUser,
    status: Option<&str>,
    paging: Paging,
) -> Result<Page<Report>, AppError> {
    actor.require_moderator()?;
    let status = match status.filter(|s| !s.is_empty()) {
        None => ReportStatus::PendingReview,
        Some(s) => ReportStatus::parse(s).map_err(|m| AppError::field("status", m))?,
    };
    let mut w = Where::new();
    w.and("r.status = ?", [Param::Text(status.as_str().into())]);
    let order = if status == ReportStatus::Rectified {
        "r.disputed DESC, r.updated_at, r.id"
    } else {
        "r.id"
    };
    page(state, &w, order, paging, Some(actor)).await
}

/// A unit's task list: its `assigned` reports (or `?status=rectified`),
/// nearest deadline — so overdue ones — first.
pub async fn unit_tasks(
    state: &AppState,
    actor: &CurrentUser,
    status: Option<&str>,
    paging: Paging,
) -> Result<Page<Report>, AppError> {
    let unit = match actor.unit_id {
        Some(u) if actor.roles.has(Role::UnitStaff) => u,
        _ => return Err(AppError::Forbidden),
    };
    let status = match status.filter(|s| !s.is_empty()) {
        None => ReportStatus::Assigned,
        Some(s) => match ReportStatus::parse(s) {
            Ok(st) if st != ReportStatus::PendingReview && st != ReportStatus::Rejected => st,
            _ => return Err(AppError::field("status", "未知的状态")),
        },
    };
    let mut w = Where::new();
    w.and(
        "r.unit_id = ? AND r.status = ?",
        [Param::Int(unit), Param::Text(status.as_str().into())],
    );
    page(state, &w, "r.deadline, r.id", paging, Some(actor)).await
}

/// The duplicate hint: open reports of the category within 100 m from the
/// last 72 hours, nearest first.
pub async fn nearby(
    state: &AppState,
    viewer: &CurrentUser,
    category_id: Option<i64>,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Result<Vec<Report>, AppError> {
    let mut f = Fields::new();
    let category_id = f.check("category_id", category_id.ok_or("请选择类别".to_owned()));
    let point = match (lat, lon) {
        (Some(lat), Some(lon)) => f.check("lat", GeoPoint::parse(lat, lon)),
        _ => {
            f.push("lat", "请给出位置");
            None
        }
    };
    f.finish()?;
    let (category_id, p) = (category_id.unwrap(), point.unwrap());
    let (min_lat, max_lat, min_lon, max_lon) = p.bounds_within(DUPLICATE_RADIUS_M);
    let mut w = Where::new();
    w.and(
        "r.category_id = ? AND r.status IN ('assigned', 'rectified') AND r.created_at >= ? \
         AND r.lat BETWEEN ? AND ? AND r.lon BETWEEN ? AND ?",
        [
            Param::Int(category_id),
            Param::Int(state.clock.now_ms() - DUPLICATE_WINDOW_MS),
            Param::Float(min_lat),
            Param::Float(max_lat),
            Param::Float(min_lon),
            Param::Float(max_lon),
        ],
    );
    let rows: Vec<Row> = bind_all(
        sqlx::query_as(&format!("{SELECT}{} ORDER BY r.id DESC LIMIT 50", w.sql())),
        w.params(),
    )
    .fetch_all(&state.db.pool)
    .await?;
    let mut near: Vec<(f64, Row)> = rows
        .into_iter()
        .map(|r| {
            let d = p.distance_m(r.point());
            (d, r)
        })
        .filter(|(d, _)| *d <= DUPLICATE_RADIUS_M)
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    let distances: Vec<f64> = near.iter().map(|(d, _)| *d).collect();
    let mut reports = to_reports(
        state,
        near.into_iter().map(|(_, r)| r).collect(),
        Some(viewer),
    )
    .await?;
    for (r, d) in reports.iter_mut().zip(distances) {
        r.distance_m = Some(d.round());
    }
    Ok(reports)
}

/// A new report as it comes from a form: text fields as sent, photos as
/// uploaded bytes. Everything is checked here.
#[derive(Debug, Default)]
pub struct NewReport {
    pub category_id: Option<String>,
    pub description: Option<String>,
    pub lat: Option<String>,
    pub lon: Option<String>,
    pub address: Option<String>,
    pub hide_name: Option<String>,
    pub fixed_on_spot: Option<String>,
    /// The phone's own id for this report (offline outbox): a retry with the
    /// same id answers with the report already filed.
    pub client_ref: Option<String>,
    pub photos: Vec<Upload>,
    pub after_photos: Vec<Upload>,
    /// Set for a request POSTed through Open311 (no photo needed; the client
    /// may link its own).
    pub open311: Option<Open311Filing>,
}

/// The note on the `submitted` event of a report filed through Open311.
pub const OPEN311_NOTE: &str = "Open311";

/// What an Open311 request adds to a report.
#[derive(Debug, Clone)]
pub struct Open311Filing {
    /// Answered to the client; finds the report once approved.
    pub token: String,
    /// The client's own photo link, checked by the caller (never fetched).
    pub media_url: Option<String>,
}

fn flag(v: Option<&str>) -> Result<bool, String> {
    match v.map(str::trim) {
        None | Some("") | Some("false") | Some("0") | Some("off") => Ok(false),
        Some("true") | Some("1") | Some("on") => Ok(true),
        Some(_) => Err("应为 true 或 false".into()),
    }
}

fn number<T: std::str::FromStr>(v: Option<&str>, missing: &str) -> Result<T, String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing.to_owned())?
        .parse()
        .map_err(|_| "格式不正确".to_owned())
}

struct CategoryInfo {
    points: i64,
    sla_days: i64,
    unit_id: Option<i64>,
}

async fn category(state: &AppState, id: i64) -> Result<Option<CategoryInfo>, AppError> {
    let row: Option<(i64, i64, Option<i64>)> =
        sqlx::query_as("SELECT points, sla_days, unit_id FROM categories WHERE id = $1")
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await?;
    Ok(row.map(|(points, sla_days, unit_id)| CategoryInfo {
        points,
        sla_days,
        unit_id,
    }))
}

/// The segment or grid a point falls in, with its unit.
async fn route(state: &AppState, p: GeoPoint) -> Result<Option<(i64, i64)>, AppError> {
    // Candidates whose box (widened by the largest buffer) holds the point.
    let pad = AreaGeometry::MAX_BUFFER_M / 111_000.0 * 2.0;
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT id, kind, unit_id, geometry FROM areas \
         WHERE min_lon <= $1 AND max_lon >= $2 AND min_lat <= $3 AND max_lat >= $4",
    )
    .bind(p.lon + pad)
    .bind(p.lon - pad)
    .bind(p.lat + pad)
    .bind(p.lat - pad)
    .fetch_all(&state.db.pool)
    .await?;
    let parsed: Vec<(i64, AreaKind, i64, AreaGeometry)> = rows
        .into_iter()
        .filter_map(|(id, kind, unit, g)| {
            Some((
                id,
                AreaKind::parse(&kind).ok()?,
                unit,
                serde_json::from_str(&g).ok()?,
            ))
        })
        .collect();
    let areas: Vec<RoutableArea<'_>> = parsed
        .iter()
        .map(|(id, kind, unit_id, geometry)| RoutableArea {
            id: *id,
            kind: *kind,
            unit_id: *unit_id,
            geometry,
        })
        .collect();
    Ok(report::route_area(p, &areas).map(|a| (a.id, a.unit_id)))
}

pub(crate) async fn store_all(
    state: &AppState,
    uploads: Vec<Upload>,
    field: &str,
) -> Result<Vec<StoredPhoto>, AppError> {
    let mut stored = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let processed = match state.photos.process(upload).await {
            Ok(p) => p,
            Err(e) => {
                forget(state, &stored).await;
                return Err(e.into_app_error(field));
            }
        };
        match state.photos.put(processed).await {
            Ok(s) => stored.push(s),
            Err(e) => {
                forget(state, &stored).await;
                return Err(e);
            }
        }
    }
    Ok(stored)
}

pub(crate) async fn forget(state: &AppState, stored: &[StoredPhoto]) {
    let keys: Vec<String> = stored
        .iter()
        .flat_map(|s| [s.key.clone(), s.thumb_key.clone()])
        .collect();
    state.photos.delete(&keys).await;
}

async fn insert_photos(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    report_id: i64,
    kind: &str,
    photos: &[StoredPhoto],
) -> Result<(), AppError> {
    let (start,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(MAX(position), 0) AS BIGINT) FROM report_photos WHERE report_id = $1",
    )
    .bind(report_id)
    .fetch_one(&mut **tx)
    .await?;
    for (i, p) in photos.iter().enumerate() {
        sqlx::query(
            "INSERT INTO report_photos (report_id, kind, object_key, thumb_key, width, height, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(report_id)
        .bind(kind)
        .bind(&p.key)
        .bind(&p.thumb_key)
        .bind(p.width as i64)
        .bind(p.height as i64)
        .bind(start + 1 + i as i64)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn event(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    report_id: i64,
    action: &str,
    actor_id: Option<i64>,
    actor_role: &str,
    note: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO report_events (report_id, at, action, actor_id, actor_role, note) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(report_id)
    .bind(now)
    .bind(action)
    .bind(actor_id)
    .bind(actor_role)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps a message for the report's reporter about a change of status.
async fn tell(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    row: &Row,
    title: &str,
    body: &str,
) -> Result<Outgoing, AppError> {
    notify::queue(
        tx,
        now,
        row.reporter_id,
        "report_status",
        Some(row.id),
        title,
        body,
    )
    .await
}

async fn index_terms(
    tx: &mut Transaction<'static, Any>,
    report_id: i64,
    text: &str,
) -> Result<(), AppError> {
    for term in report::index_terms(text) {
        sqlx::query(
            "INSERT INTO report_terms (term, report_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(term)
        .bind(report_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The role a staff member acts in on the timeline.
fn staff_role(actor: &CurrentUser) -> &'static str {
    if actor.roles.can_moderate() {
        "moderator"
    } else {
        "unit_staff"
    }
}

fn is_staff(actor: &CurrentUser) -> bool {
    actor.roles.can_moderate() || (actor.roles.has(Role::UnitStaff) && actor.unit_id.is_some())
}

/// Files a report. Citizens' reports wait for review; staff on patrol skip
/// review (routed at once), and with `fixed_on_spot` and after photos the
/// report is closed at once (立行立改).
pub async fn create(
    state: &AppState,
    actor: &CurrentUser,
    input: NewReport,
) -> Result<Report, AppError> {
    let mut f = Fields::new();
    let category_id: Option<i64> = f.check(
        "category_id",
        number(input.category_id.as_deref(), "请选择类别"),
    );
    let description = f.check(
        "description",
        report::description(input.description.as_deref().unwrap_or("")),
    );
    let lat: Option<f64> = f.check("lat", number(input.lat.as_deref(), "请给出位置"));
    let lon: Option<f64> = f.check("lon", number(input.lon.as_deref(), "请给出位置"));
    let point = match (lat, lon) {
        (Some(lat), Some(lon)) => f.check("lat", GeoPoint::parse(lat, lon)),
        _ => None,
    };
    let address = f.check("address", report::address(input.address.as_deref()));
    let hide_name = f.check("hide_name", flag(input.hide_name.as_deref()));
    let fixed_on_spot = f
        .check("fixed_on_spot", flag(input.fixed_on_spot.as_deref()))
        .unwrap_or(false);
    let client_ref = match input
        .client_ref
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(r) => f.check("client_ref", report::client_ref(r)),
    };
    if input.open311.is_none() || !input.photos.is_empty() {
        f.check("photo", report::photo_count(input.photos.len()));
    }
    if fixed_on_spot {
        if !is_staff(actor) {
            f.push("fixed_on_spot", "只有巡查的工作人员可以标记立行立改");
        } else {
            f.check("after_photo", report::photo_count(input.after_photos.len()));
        }
    } else if !input.after_photos.is_empty() {
        f.push("after_photo", "只有立行立改的报告可以附整改后照片");
    }
    let cat = match category_id {
        Some(id) => category(state, id).await?,
        None => None,
    };
    if category_id.is_some() && cat.is_none() {
        f.push("category_id", "类别不存在");
    }
    f.finish()?;
    let (category_id, description, p, address, hide_name, cat) = (
        category_id.unwrap(),
        description.unwrap(),
        point.unwrap(),
        address.unwrap(),
        hide_name.unwrap(),
        cat.unwrap(),
    );

    if let Some(r) = &client_ref
        && let Some(id) = filed_as(state, actor.id, r).await?
    {
        return get(state, id, Some(actor)).await;
    }

    // Patrol reports are routed now; without an owner they fall back to the
    // patrolling unit, else to the review queue.
    let patrol = is_staff(actor) && input.open311.is_none();
    let routed = if patrol {
        let area = route(state, p).await?;
        report::responsible_unit(None, cat.unit_id, area.map(|a| a.1))
            .or(actor.unit_id)
            .map(|unit| (unit, area.map(|a| a.0)))
    } else {
        None
    };
    if fixed_on_spot && routed.is_none() {
        return Err(AppError::field(
            "fixed_on_spot",
            "该位置不在任何路段或网格内，无法确定责任单位，不能直接销号",
        ));
    }

    let before = store_all(state, input.photos, "photo").await?;
    let after = match store_all(state, input.after_photos, "after_photo").await {
        Ok(a) => a,
        Err(e) => {
            forget(state, &before).await;
            return Err(e);
        }
    };
    let now = state.clock.now_ms();
    let result = async {
        let (status, unit, area, deadline) = match routed {
            None => (ReportStatus::PendingReview, None, None, None),
            Some((unit, area)) => {
                let status = if fixed_on_spot {
                    ReportStatus::Closed
                } else {
                    ReportStatus::Assigned
                };
                (status, Some(unit), area, Some(now + cat.sla_days * DAY_MS))
            }
        };
        let closed = status == ReportStatus::Closed;
        let mut tx = state.db.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO reports (reporter_id, category_id, description, lat, lon, address, hide_name, \
             status, unit_id, area_id, deadline, patrol, fixed_on_spot, assigned_at, rectified_at, closed_at, \
             created_at, updated_at, client_ref, source, open311_token, media_url) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $16, $17, \
                     $18, $19, $20) RETURNING id",
        )
        .bind(actor.id)
        .bind(category_id)
        .bind(&description)
        .bind(p.lat)
        .bind(p.lon)
        .bind(&address)
        .bind(hide_name as i64)
        .bind(status.as_str())
        .bind(unit)
        .bind(area)
        .bind(deadline)
        .bind(patrol as i64)
        .bind(closed as i64)
        .bind(unit.map(|_| now))
        .bind(closed.then_some(now))
        .bind(now)
        .bind(client_ref.as_deref())
        .bind(if input.open311.is_some() { "open311" } else { "web" })
        .bind(input.open311.as_ref().map(|o| o.token.clone()))
        .bind(input.open311.as_ref().and_then(|o| o.media_url.clone()))
        .fetch_one(&mut *tx)
        .await?;
        insert_photos(&mut tx, now, id, "before", &before).await?;
        insert_photos(&mut tx, now, id, "after", &after).await?;
        let role = if patrol { staff_role(actor) } else { "citizen" };
        let note = if input.open311.is_some() {
            OPEN311_NOTE
        } else {
            ""
        };
        event(&mut tx, now, id, "submitted", Some(actor.id), role, note).await?;
        match status {
            ReportStatus::Assigned => {
                event(&mut tx, now, id, "assigned", None, "system", "巡查上报，直接交办").await?
            }
            ReportStatus::Closed => {
                event(&mut tx, now, id, "fixed_on_spot", Some(actor.id), role, "立行立改").await?
            }
            _ => {}
        }
        index_terms(&mut tx, id, &format!("{description} {address}")).await?;
        tx.commit().await?;
        Ok::<i64, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => get(state, id, Some(actor)).await,
        Err(e) => {
            forget(state, &before).await;
            forget(state, &after).await;
            // The same outbox item sent twice at once: the other one won.
            if let Some(r) = &client_ref
                && let Some(id) = filed_as(state, actor.id, r).await?
            {
                return get(state, id, Some(actor)).await;
            }
            Err(e)
        }
    }
}

/// The report this person already filed under a phone's id, if any.
async fn filed_as(
    state: &AppState,
    reporter: i64,
    client_ref: &str,
) -> Result<Option<i64>, AppError> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM reports WHERE reporter_id = $1 AND client_ref = $2")
            .bind(reporter)
            .bind(client_ref)
            .fetch_optional(&state.db.pool)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// `{decision, reason?, unit_id?, deadline_days?}` of a review.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewInput {
    /// `approve` or `reject`.
    pub decision: String,
    /// Required when rejecting; shown to the reporter.
    pub reason: Option<String>,
    /// Overrides the unit that routing picked.
    pub unit_id: Option<i64>,
    /// Overrides the category's deadline (1–90 days).
    pub deadline_days: Option<i64>,
}

/// A report's category and the (area, unit) its place routes to.
async fn routing(
    state: &AppState,
    row: &Row,
) -> Result<(CategoryInfo, Option<(i64, i64)>), AppError> {
    let cat = category(state, row.category_id)
        .await?
        .ok_or(AppError::Internal)?;
    Ok((cat, route(state, row.point()).await?))
}

/// Who routing would pick for a report, before a moderator approves it.
pub async fn suggested_unit(state: &AppState, id: i64) -> Result<Option<i64>, AppError> {
    let (cat, area) = routing(state, &load(state, id).await?).await?;
    Ok(report::responsible_unit(
        None,
        cat.unit_id,
        area.map(|a| a.1),
    ))
}

async fn unit_exists(state: &AppState, id: i64) -> Result<bool, AppError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM units WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.is_some())
}

/// 审核: approve (交办 to the routed or chosen unit, pay the reporter once) or
/// reject with a reason.
pub async fn review(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: ReviewInput,
) -> Result<Report, AppError> {
    actor.require_moderator()?;
    let row = load(state, id).await?;
    let mut f = Fields::new();
    let approve = match input.decision.as_str() {
        "approve" => Some(true),
        "reject" => Some(false),
        _ => {
            f.push("decision", "应为 approve 或 reject");
            None
        }
    };
    if approve == Some(false) {
        let reason = f.check(
            "reason",
            crate::domain::clean_text(
                input.reason.as_deref().unwrap_or(""),
                200,
                "请填写不通过的原因",
            ),
        );
        f.finish()?;
        return reject(state, actor, row, reason.unwrap()).await;
    }
    let days = input
        .deadline_days
        .and_then(|d| f.check("deadline_days", report::deadline_days(d)));
    if let Some(u) = input.unit_id
        && !unit_exists(state, u).await?
    {
        f.push("unit_id", "单位不存在");
    }
    f.finish()?;
    let status = row.status();
    if status.after(Transition::Approve).is_none() {
        return Err(invalid_transition(status));
    }
    let (cat, area) = routing(state, &row).await?;
    let unit = report::responsible_unit(input.unit_id, cat.unit_id, area.map(|a| a.1))
        .ok_or_else(|| AppError::field("unit_id", "该位置不在任何路段或网格内，请选择责任单位"))?;
    let area_id = if input.unit_id.is_none() && cat.unit_id.is_none() {
        area.map(|a| a.0)
    } else {
        None
    };
    let now = state.clock.now_ms();
    let deadline = now + days.unwrap_or(cat.sla_days) * DAY_MS;
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query(&format!(
        "UPDATE reports SET status = 'assigned', unit_id = $1, area_id = $2, deadline = $3, \
         assigned_at = $4, updated_at = $4 WHERE id = $5 AND status IN ({})",
        sources_sql(Transition::Approve)
    ))
    .bind(unit)
    .bind(area_id)
    .bind(deadline)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        drop(tx);
        return Err(invalid_transition(load(state, id).await?.status()));
    }
    let unit_name: (String,) = sqlx::query_as("SELECT name FROM units WHERE id = $1")
        .bind(unit)
        .fetch_one(&mut *tx)
        .await?;
    event(
        &mut tx,
        now,
        id,
        "approved",
        Some(actor.id),
        "moderator",
        &format!(
            "交办{}，{}前完成整改",
            unit_name.0,
            state.clock.rfc3339(deadline).get(..10).unwrap_or("")
        ),
    )
    .await?;
    // The category's points, up to the daily cap on report points (counted
    // with the reporter's row locked, so parallel approvals add up).
    points::lock_user(&mut tx, row.reporter_id).await?;
    let rules = points::rules(&mut *tx).await?;
    let today = state
        .clock
        .date(now)
        .and_then(|d| state.clock.day_start(d))
        .ok_or(AppError::Internal)?;
    let earned = points::report_points_since(&mut tx, row.reporter_id, today).await?;
    // A city system filing through Open311 earns no points.
    let pays = row.source != "open311";
    let due = if pays {
        rules.report_points(cat.points, earned)
    } else {
        0
    };
    let mut paid = 0;
    if due > 0 {
        let delta = PointsDelta::parse(due).map_err(|_| AppError::Internal)?;
        if points::append(
            &mut tx,
            now,
            row.reporter_id,
            delta,
            PointsReason::ReportApproved,
            Some(Reference { kind: "report", id }),
            None,
            Some(actor.id),
        )
        .await?
        .is_some()
        {
            paid = due;
        }
    }
    let body = if paid > 0 {
        format!("已交由{}整改，您获得{paid}积分", unit_name.0)
    } else if pays && cat.points > 0 && due == 0 {
        format!(
            "已交由{}整改。今日随手拍积分已达上限（{}分），本条不再计分",
            unit_name.0, rules.report_daily_cap
        )
    } else {
        format!("已交由{}整改", unit_name.0)
    };
    let note = tell(
        &mut tx,
        now,
        &row,
        &format!("您的随手拍 #{id} 已通过审核"),
        &body,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "report.approve",
        "report",
        Some(id),
        &format!("unit={unit}"),
    )
    .await?;
    let mut messages = vec![note];
    messages.extend(super::badges::award_due(&mut tx, now, row.reporter_id).await?);
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    get(state, id, Some(actor)).await
}

async fn reject(
    state: &AppState,
    actor: &CurrentUser,
    row: Row,
    reason: String,
) -> Result<Report, AppError> {
    let id = row.id;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query(&format!(
        "UPDATE reports SET status = 'rejected', updated_at = $1 WHERE id = $2 AND status IN ({})",
        sources_sql(Transition::Reject)
    ))
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        drop(tx);
        return Err(invalid_transition(load(state, id).await?.status()));
    }
    event(
        &mut tx,
        now,
        id,
        "rejected",
        Some(actor.id),
        "moderator",
        &reason,
    )
    .await?;
    let note = tell(
        &mut tx,
        now,
        &row,
        &format!("您的随手拍 #{id} 未通过审核"),
        &reason,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "report.reject",
        "report",
        Some(id),
        &reason,
    )
    .await?;
    tx.commit().await?;
    notify::deliver(state, &[note]).await;
    get(state, id, Some(actor)).await
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MergeInput {
    /// The original report this one repeats.
    pub into_id: i64,
}

/// Merges a duplicate into its original: the duplicate's reporter follows
/// the original from then on, and the original's timeline says so.
pub async fn merge(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: MergeInput,
) -> Result<Report, AppError> {
    actor.require_moderator()?;
    let row = load(state, id).await?;
    if input.into_id == id {
        return Err(AppError::field("into_id", "不能合并到自己"));
    }
    let original = match load(state, input.into_id).await {
        Ok(o) if o.status().is_public() => o,
        Ok(_) => return Err(AppError::field("into_id", "只能合并到公开且未被合并的报告")),
        Err(AppError::NotFound) => return Err(AppError::field("into_id", "报告不存在")),
        Err(e) => return Err(e),
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let moved = sqlx::query(&format!(
        "UPDATE reports SET status = 'duplicate', duplicate_of = $1, updated_at = $2 \
         WHERE id = $3 AND status IN ({}) AND EXISTS (SELECT 1 FROM reports o WHERE o.id = $1 \
         AND o.status IN ('assigned', 'rectified', 'closed'))",
        sources_sql(Transition::Merge)
    ))
    .bind(original.id)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        drop(tx);
        return Err(invalid_transition(row.status()));
    }
    event(
        &mut tx,
        now,
        id,
        "merged",
        Some(actor.id),
        "moderator",
        &format!("与 #{} 是同一问题，已合并", original.id),
    )
    .await?;
    event(
        &mut tx,
        now,
        original.id,
        "merged_in",
        Some(actor.id),
        "moderator",
        &format!("合并了重复报告 #{id}"),
    )
    .await?;
    follow_in(&mut tx, now, original.id, row.reporter_id).await?;
    let note = notify::queue(
        &mut tx,
        now,
        row.reporter_id,
        "report_status",
        Some(original.id),
        &format!("您的随手拍 #{id} 已合并到 #{}", original.id),
        "同一问题已有人报告，您已自动关注原报告",
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        Some(actor.id),
        "report.merge",
        "report",
        Some(id),
        &format!("into={}", original.id),
    )
    .await?;
    tx.commit().await?;
    notify::deliver(state, &[note]).await;
    get(state, id, Some(actor)).await
}

/// 整改: staff of the assigned unit, with a note and 1–4 after photos.
pub async fn rectify(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    note: Option<String>,
    photos: Vec<Upload>,
) -> Result<Report, AppError> {
    let row = load_visible(state, id, Some(actor)).await?;
    let own_unit =
        actor.roles.has(Role::UnitStaff) && actor.unit_id.is_some() && actor.unit_id == row.unit_id;
    if !own_unit {
        return Err(AppError::Forbidden);
    }
    let mut f = Fields::new();
    let note = f.check(
        "note",
        crate::domain::clean_text(note.as_deref().unwrap_or(""), 500, "请说明整改情况"),
    );
    f.check("photo", report::photo_count(photos.len()));
    f.finish()?;
    let note = note.unwrap();
    if row.status().after(Transition::Rectify).is_none() {
        return Err(invalid_transition(row.status()));
    }
    let stored = store_all(state, photos, "photo").await?;
    let now = state.clock.now_ms();
    let result = async {
        let mut tx = state.db.begin_write().await?;
        let moved = sqlx::query(&format!(
            "UPDATE reports SET status = 'rectified', rectified_at = $1, updated_at = $1 \
             WHERE id = $2 AND unit_id = $3 AND status IN ({})",
            sources_sql(Transition::Rectify)
        ))
        .bind(now)
        .bind(id)
        .bind(row.unit_id)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Err(invalid_transition(row.status()));
        }
        insert_photos(&mut tx, now, id, "after", &stored).await?;
        event(
            &mut tx,
            now,
            id,
            "rectified",
            Some(actor.id),
            "unit_staff",
            &note,
        )
        .await?;
        let msg = tell(
            &mut tx,
            now,
            &row,
            &format!("您的随手拍 #{id} 已整改"),
            "请看看整改后的照片：问题解决了吗？",
        )
        .await?;
        tx.commit().await?;
        Ok(msg)
    }
    .await;
    match result {
        Ok(msg) => {
            notify::deliver(state, &[msg]).await;
            get(state, id, Some(actor)).await
        }
        Err(e) => {
            forget(state, &stored).await;
            if matches!(e, AppError::Conflict { .. }) {
                return Err(invalid_transition(load(state, id).await?.status()));
            }
            Err(e)
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VerifyInput {
    /// `close` (销号) or `reopen` (返工).
    pub decision: String,
    pub note: Option<String>,
}

async fn followers(
    tx: &mut Transaction<'static, Any>,
    report_id: i64,
) -> Result<Vec<i64>, AppError> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT user_id FROM report_follows WHERE report_id = $1 ORDER BY user_id")
            .bind(report_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

/// The confirmation bonus (an earning rule), once per report; the points
/// paid, if any.
async fn pay_confirmation(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    reporter_id: i64,
    id: i64,
) -> Result<Option<i64>, AppError> {
    let bonus = points::rules(&mut **tx).await?.report_confirmed;
    if bonus == 0 {
        return Ok(None);
    }
    let delta = PointsDelta::parse(bonus).map_err(|_| AppError::Internal)?;
    Ok(points::append(
        tx,
        now,
        reporter_id,
        delta,
        PointsReason::ReportConfirmed,
        Some(Reference { kind: "report", id }),
        None,
        None,
    )
    .await?
    .map(|_| bonus))
}

/// 督查: a moderator who is not staff of the unit closes (销号) or reopens
/// (返工, with a fresh deadline) a rectified report.
pub async fn verify(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: VerifyInput,
) -> Result<Report, AppError> {
    actor.require_moderator()?;
    let row = load(state, id).await?;
    if actor.roles.has(Role::UnitStaff) && actor.unit_id.is_some() && actor.unit_id == row.unit_id {
        // The unit never checks its own work.
        return Err(AppError::Forbidden);
    }
    let mut f = Fields::new();
    let t = match input.decision.as_str() {
        "close" => Some(Transition::Close),
        "reopen" => Some(Transition::Reopen),
        _ => {
            f.push("decision", "应为 close 或 reopen");
            None
        }
    };
    let note = match input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        None if t == Some(Transition::Reopen) => {
            f.push("note", "请说明需要返工的原因");
            None
        }
        None => Some(String::new()),
        Some(n) => f.check("note", crate::domain::clean_text(n, 500, "")),
    };
    f.finish()?;
    let (t, note) = (t.unwrap(), note.unwrap());
    let status = row.status();
    if status.after(t).is_none() {
        return Err(invalid_transition(status));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let moved = if t == Transition::Close {
        sqlx::query(&format!(
            "UPDATE reports SET status = 'closed', closed_at = $1, updated_at = $1, disputed = 0 \
             WHERE id = $2 AND status IN ({})",
            sources_sql(t)
        ))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
    } else {
        let cat = category(state, row.category_id)
            .await?
            .ok_or(AppError::Internal)?;
        sqlx::query(&format!(
            "UPDATE reports SET status = 'assigned', deadline = $1, updated_at = $2, disputed = 0, \
             reporter_verdict = NULL, reopen_count = reopen_count + 1 WHERE id = $3 AND status IN ({})",
            sources_sql(t)
        ))
        .bind(now + cat.sla_days * DAY_MS)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
    };
    if moved.rows_affected() == 0 {
        drop(tx);
        return Err(invalid_transition(load(state, id).await?.status()));
    }
    let mut messages: Vec<Outgoing> = Vec::new();
    if t == Transition::Close {
        event(
            &mut tx,
            now,
            id,
            "closed",
            Some(actor.id),
            "moderator",
            &note,
        )
        .await?;
        let mut body = "问题已解决。如果实际没有解决，14天内可以点“没有解决”。".to_owned();
        if row.reporter_verdict.as_deref() == Some("fixed")
            && let Some(bonus) = pay_confirmation(&mut tx, now, row.reporter_id, id).await?
        {
            body = format!("问题已解决，感谢您的确认，获得{bonus}积分。");
        }
        messages.push(
            tell(
                &mut tx,
                now,
                &row,
                &format!("您的随手拍 #{id} 已销号"),
                &body,
            )
            .await?,
        );
        for user in followers(&mut tx, id).await? {
            if user != row.reporter_id {
                messages.push(
                    notify::queue(
                        &mut tx,
                        now,
                        user,
                        "followed_closed",
                        Some(id),
                        &format!("您关注的问题 #{id} 已销号"),
                        &row.description,
                    )
                    .await?,
                );
            }
        }
        audit::record(
            &mut tx,
            now,
            Some(actor.id),
            "report.close",
            "report",
            Some(id),
            &note,
        )
        .await?;
    } else {
        event(
            &mut tx,
            now,
            id,
            "reopened",
            Some(actor.id),
            "moderator",
            &note,
        )
        .await?;
        messages.push(
            tell(
                &mut tx,
                now,
                &row,
                &format!("您的随手拍 #{id} 需要返工"),
                &note,
            )
            .await?,
        );
        audit::record(
            &mut tx,
            now,
            Some(actor.id),
            "report.reopen",
            "report",
            Some(id),
            &note,
        )
        .await?;
    }
    messages.extend(super::badges::award_due(&mut tx, now, row.reporter_id).await?);
    tx.commit().await?;
    notify::deliver(state, &messages).await;
    get(state, id, Some(actor)).await
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FeedbackInput {
    /// `fixed` or `not_fixed`.
    pub verdict: String,
    pub note: Option<String>,
}

/// The reporter's word on the fix: while `rectified`, or up to 14 days after
/// 销号. "Not fixed" on a closed report sends it back to 督查, disputed.
/// Confirming a closed report pays the confirmation bonus once.
pub async fn feedback(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: FeedbackInput,
) -> Result<Report, AppError> {
    let row = load_visible(state, id, Some(actor)).await?;
    if row.reporter_id != actor.id {
        return Err(AppError::Forbidden);
    }
    let mut f = Fields::new();
    let fixed = match input.verdict.as_str() {
        "fixed" => Some(true),
        "not_fixed" => Some(false),
        _ => {
            f.push("verdict", "应为 fixed 或 not_fixed");
            None
        }
    };
    let note = match input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        None => Some(String::new()),
        Some(n) => f.check("note", crate::domain::clean_text(n, 500, "")),
    };
    f.finish()?;
    let (fixed, note) = (fixed.unwrap(), note.unwrap());
    let now = state.clock.now_ms();
    let status = row.status();
    let open = match status {
        ReportStatus::Rectified => true,
        ReportStatus::Closed => row.closed_at.is_some_and(|c| now <= c + FEEDBACK_WINDOW_MS),
        _ => false,
    };
    if !open {
        return Err(AppError::conflict(
            "invalid_transition",
            "只能在整改后或销号14天内反馈",
        ));
    }
    let verdict = if fixed { "fixed" } else { "not_fixed" };
    let mut tx = state.db.begin_write().await?;
    let moved = match (status, fixed) {
        (ReportStatus::Closed, false) => sqlx::query(&format!(
            "UPDATE reports SET status = 'rectified', disputed = 1, reporter_verdict = 'not_fixed', \
             closed_at = NULL, updated_at = $1 WHERE id = $2 AND status IN ({})",
            sources_sql(Transition::Dispute)
        ))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?,
        _ => sqlx::query(
            "UPDATE reports SET reporter_verdict = $1, disputed = $2, updated_at = $3 \
             WHERE id = $4 AND status = $5",
        )
        .bind(verdict)
        .bind(!fixed as i64)
        .bind(now)
        .bind(id)
        .bind(status.as_str())
        .execute(&mut *tx)
        .await?,
    };
    if moved.rows_affected() == 0 {
        drop(tx);
        return Err(invalid_transition(load(state, id).await?.status()));
    }
    let action = if fixed { "confirmed" } else { "disputed" };
    event(&mut tx, now, id, action, Some(actor.id), "citizen", &note).await?;
    if fixed && status == ReportStatus::Closed {
        pay_confirmation(&mut tx, now, actor.id, id).await?;
    }
    tx.commit().await?;
    get(state, id, Some(actor)).await
}

async fn follow_in(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    report_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    let added = sqlx::query(
        "INSERT INTO report_follows (report_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(report_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if added.rows_affected() == 1 {
        sqlx::query("UPDATE reports SET follower_count = follower_count + 1 WHERE id = $1")
            .bind(report_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Follow (or with `on = false`, unfollow) a public report. Idempotent.
pub async fn set_following(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    on: bool,
) -> Result<(), AppError> {
    let row = load_visible(state, id, Some(actor)).await?;
    if !row.status().is_public() {
        return Err(AppError::conflict("not_public", "审核通过后才能关注"));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    if on {
        follow_in(&mut tx, now, id, actor.id).await?;
    } else {
        let gone = sqlx::query("DELETE FROM report_follows WHERE report_id = $1 AND user_id = $2")
            .bind(id)
            .bind(actor.id)
            .execute(&mut *tx)
            .await?;
        if gone.rows_affected() == 1 {
            sqlx::query("UPDATE reports SET follower_count = follower_count - 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Blacks out a rectangle on a report's photo (faces, number plates). The
/// unredacted objects are deleted; the photo gets new names.
pub async fn redact(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    photo_id: i64,
    r: Redaction,
) -> Result<Report, AppError> {
    actor.require_moderator()?;
    let r = r.parse().map_err(|m| AppError::field("x", m))?;
    load(state, id).await?;
    let photo: Option<(String, String)> = sqlx::query_as(
        "SELECT object_key, thumb_key FROM report_photos WHERE id = $1 AND report_id = $2",
    )
    .bind(photo_id)
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?;
    let (old_key, old_thumb) = photo.ok_or(AppError::NotFound)?;
    let new = state.photos.redact(&old_key, r).await?;
    let now = state.clock.now_ms();
    let result = async {
        let mut tx = state.db.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE report_photos SET object_key = $1, thumb_key = $2, redacted = 1, width = $3, height = $4 \
             WHERE id = $5 AND object_key = $6",
        )
        .bind(&new.key)
        .bind(&new.thumb_key)
        .bind(new.width as i64)
        .bind(new.height as i64)
        .bind(photo_id)
        .bind(&old_key)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(AppError::conflict("photo_changed", "照片刚被修改过，请刷新后重试"));
        }
        audit::record(&mut tx, now, Some(actor.id), "report.redact", "report", Some(id), &format!("photo={photo_id}")).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            state.photos.delete(&[old_key, old_thumb]).await;
            get(state, id, Some(actor)).await
        }
        Err(e) => {
            forget(state, &[new]).await;
            Err(e)
        }
    }
}

#[derive(sqlx::FromRow)]
struct HotRow {
    reports: i64,
    followers: i64,
    latest: i64,
}

/// The week's hot spots: places (≈100 m cells) with the most reports and
/// with the most followers.
pub async fn hot(state: &AppState) -> Result<HotIssues, AppError> {
    let since = state.clock.now_ms() - 7 * DAY_MS;
    let base = "SELECT COUNT(*) AS reports, CAST(COALESCE(SUM(follower_count), 0) AS BIGINT) AS followers, \
                MAX(CASE WHEN status <> 'duplicate' THEN id END) AS latest FROM reports \
                WHERE created_at >= $1 AND status IN ('assigned', 'rectified', 'closed', 'duplicate') \
                GROUP BY CAST(ROUND(lat * 1000) AS BIGINT), CAST(ROUND(lon * 1000) AS BIGINT) \
                HAVING MAX(CASE WHEN status <> 'duplicate' THEN id END) IS NOT NULL";
    let most_reported: Vec<HotRow> = sqlx::query_as(&format!(
        "{base} ORDER BY reports DESC, followers DESC, latest DESC LIMIT 10"
    ))
    .bind(since)
    .fetch_all(&state.db.pool)
    .await?;
    let most_followed: Vec<HotRow> = sqlx::query_as(&format!(
        "{base} AND CAST(COALESCE(SUM(follower_count), 0) AS BIGINT) > 0 \
         ORDER BY followers DESC, reports DESC, latest DESC LIMIT 10"
    ))
    .bind(since)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(HotIssues {
        most_reported: places(state, most_reported).await?,
        most_followed: places(state, most_followed).await?,
    })
}

async fn places(state: &AppState, rows: Vec<HotRow>) -> Result<Vec<HotPlace>, AppError> {
    let mut out = Vec::with_capacity(rows.len());
    for h in rows {
        let r = load(state, h.latest).await?;
        out.push(HotPlace {
            lat: r.lat,
            lon: r.lon,
            address: r.address,
            reports: h.reports,
            followers: h.followers,
            report_id: r.id,
            category_name: r.category_name,
        });
    }
    Ok(out)
}

/// How a stored photo may be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoAccess {
    /// Its report is public: anyone, cached for a year.
    Public,
    /// Its report awaits review (or was rejected or merged): only the
    /// reporter and moderators, never cached by anyone else.
    Private,
}

/// Who may see the photo stored under `key`; `NotFound` for everyone else
/// (existence is private too).
pub async fn photo_access(
    state: &AppState,
    key: &str,
    viewer: Option<&CurrentUser>,
) -> Result<PhotoAccess, AppError> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT r.status, r.reporter_id FROM report_photos p JOIN reports r ON r.id = p.report_id \
         WHERE p.object_key = $1 OR p.thumb_key = $1",
    )
    .bind(key)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((status, reporter)) = row else {
        // A gift's picture in the shop is public.
        let gift: Option<(i64,)> = sqlx::query_as("SELECT id FROM gifts WHERE photo_key = $1")
            .bind(key)
            .fetch_optional(&state.db.pool)
            .await?;
        if gift.is_some() {
            return Ok(PhotoAccess::Public);
        }
        // A nominee's photo: public once the nomination is approved.
        return match super::campaigns::photo_owner(state, key).await? {
            Some((true, _)) => Ok(PhotoAccess::Public),
            Some((false, nominator))
                if viewer.is_some_and(|v| v.id == nominator || v.roles.can_moderate()) =>
            {
                Ok(PhotoAccess::Private)
            }
            _ => Err(AppError::NotFound),
        };
    };
    if ReportStatus::parse(&status).is_ok_and(ReportStatus::is_public) {
        Ok(PhotoAccess::Public)
    } else if viewer.is_some_and(|v| v.id == reporter || v.roles.can_moderate()) {
        Ok(PhotoAccess::Private)
    } else {
        Err(AppError::NotFound)
    }
}
