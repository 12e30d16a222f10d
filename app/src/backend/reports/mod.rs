//! 随手拍 reports and the closed loop 交办 → 整改 → 督查 → 销号.
//!
//! Every change of status is one conditional `UPDATE … WHERE status IN
//! (allowed sources)` inside a write transaction, so two moderators (or two
//! servers) acting at once cannot both move a report; the loser gets 409
//! `invalid_transition`. Points for an approval are paid in the same
//! transaction and are unique per report in the ledger.

mod closure;
mod intake;
mod queries;
mod review;
mod supervision;

use std::collections::HashMap;

use serde::Deserialize;
use sqlx::{Any, Transaction};

use super::auth::CurrentUser;
use super::db::{Param, Where, bind_all, placeholders};
use super::notify::{self, Outgoing};
use super::photos::{self, StoredPhoto, Upload, photo_url};
use super::points::{self, Reference};
use super::{AppState, audit};
use crate::domain::report::{self, DUPLICATE_RADIUS_M, DUPLICATE_WINDOW_MS, FEEDBACK_WINDOW_MS};
use crate::domain::time::DAY_MS;
use crate::domain::{
    AreaGeometry, AreaKind, Escalation, Fields, GeoPoint, Paging, PointsDelta, PointsReason,
    Redaction, ReportStatus, Role, RoutableArea, Transition,
};
use crate::error::AppError;
use crate::models::{
    HotArea, HotIssues, HotPlace, Page, Report, ReportPhoto, TimelineEvent, Total,
};

pub use closure::*;
pub use intake::*;
pub use queries::*;
pub use review::*;
pub use supervision::*;

fn invalid_transition(status: ReportStatus) -> AppError {
    AppError::invalid_transition(format!("该报告当前为“{}”，不能进行此操作", status.label()))
}

/// After a conditional move (`UPDATE reports … WHERE id = … AND status IN
/// (sources)`): the transaction to go on with, or, when the update matched
/// nothing (another moderator or server moved the report first), 409 with
/// the report's status now.
async fn moved_or_conflict(
    state: &AppState,
    tx: Transaction<'static, Any>,
    moved: sqlx::any::AnyQueryResult,
    id: i64,
) -> Result<Transaction<'static, Any>, AppError> {
    if moved.rows_affected() > 0 {
        return Ok(tx);
    }
    // The write lock goes before reading the report again (SQLite).
    drop(tx);
    Err(invalid_transition(load(state, id).await?.status()))
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
    r.created_at, r.updated_at, r.closed_at, r.source, r.media_url, \
    r.seen_count, r.urge_count, r.escalation, r.rating \
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
    seen_count: i64,
    urge_count: i64,
    escalation: Option<String>,
    rating: Option<i64>,
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
    // What the viewer follows and has seen (我也看到), in one round trip.
    let mine: Vec<(i64, i64)> = match viewer {
        Some(v) => {
            let mut params = vec![Param::Int(v.id)];
            params.extend(ids.iter().cloned());
            params.push(Param::Int(v.id));
            params.extend(ids.iter().cloned());
            let n = ids.len();
            bind_all(
                sqlx::query_as(&format!(
                    "SELECT report_id, 0 FROM report_follows WHERE user_id = $1 AND report_id IN ({}) \
                     UNION ALL SELECT report_id, 1 FROM report_seen WHERE user_id = ${} AND report_id IN ({})",
                    placeholders(2, n),
                    n + 2,
                    placeholders(n + 3, n)
                )),
                &params,
            )
            .fetch_all(&state.db.pool)
            .await?
        }
        None => vec![],
    };
    let has = |id: i64, kind: i64| mine.contains(&(id, kind));
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
    let places = crate::backend::city::places::places(state).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = r.status();
            Report {
                area_name: places.name_at(r.point()),
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
                // 后台实名、前台自愿: the public sees the nickname only when the
                // reporter chose to show it; moderators always see who reported.
                reporter_name: (r.hide_name == 0 || viewer.is_some_and(|v| v.roles.can_moderate()))
                    .then(|| r.reporter_name.clone()),
                follower_count: r.follower_count,
                disputed: r.disputed != 0,
                fixed_on_spot: r.fixed_on_spot != 0,
                duplicate_of: r.duplicate_of,
                reporter_verdict: r.reporter_verdict.clone(),
                photos: photos_of.remove(&r.id).unwrap_or_default(),
                timeline: events_of.remove(&r.id).unwrap_or_default(),
                following: viewer.map(|_| has(r.id, 0)),
                seen: viewer.map(|_| has(r.id, 1)),
                mine: viewer.map(|v| v.id == r.reporter_id),
                distance_m: None,
                source: r.source.clone(),
                media_url: r.media_url.clone(),
                seen_count: r.seen_count,
                urge_count: r.urge_count,
                escalation: r.escalation.as_deref().and_then(Escalation::parse),
                rating: r.rating,
                deadline_left_ms: (status == ReportStatus::Assigned)
                    .then_some(r.deadline)
                    .flatten()
                    .map(|d| d - now),
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

async fn event(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    report_id: i64,
    action: &str,
    actor_id: Option<i64>,
    actor_role: &str,
    note: &str,
) -> Result<(), AppError> {
    unit_event(
        tx,
        now,
        report_id,
        (action, actor_role, note),
        actor_id,
        None,
    )
    .await
}

/// A timeline event; `unit_id` records the unit the report was with (for
/// the steps the 通报 counts per unit: returns, urgings, escalations).
async fn unit_event(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    report_id: i64,
    (action, actor_role, note): (&str, &str, &str),
    actor_id: Option<i64>,
    unit_id: Option<i64>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO report_events (report_id, at, action, actor_id, actor_role, note, unit_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(report_id)
    .bind(now)
    .bind(action)
    .bind(actor_id)
    .bind(actor_role)
    .bind(note)
    .bind(unit_id)
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
