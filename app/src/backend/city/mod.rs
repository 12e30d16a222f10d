//! City data: responsible units (责任单位), report categories, and areas —
//! 包街 road segments and 网格 grids.

pub mod places;

use serde::Deserialize;

use super::auth::{Actor, CurrentUser};
use super::db::{is_foreign_key_violation, is_unique_violation};
use super::{AppState, audit};
use crate::domain::{AreaGeometry, AreaKind, Fields};
use crate::error::AppError;
use crate::models::{Area, Category, CityOverview, PortalProfile, Unit};

fn name_field(f: &mut Fields, field: &str, input: &str, max: usize) -> String {
    f.check(field, crate::domain::clean_text(input, max, "请填写名称"))
        .unwrap_or_default()
}

fn write_error(e: sqlx::Error, name_message: &str) -> AppError {
    if is_unique_violation(&e) {
        AppError::conflict("name_taken", name_message)
    } else if is_foreign_key_violation(&e) {
        AppError::field("unit_id", "单位不存在")
    } else {
        e.into()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UnitInput {
    pub name: String,
}

pub async fn list_units(state: &AppState) -> Result<Vec<Unit>, AppError> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM units ORDER BY id")
        .fetch_all(&state.db.pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Unit { id, name })
        .collect())
}

pub async fn create_unit(
    state: &AppState,
    actor: Actor<'_>,
    input: UnitInput,
) -> Result<Unit, AppError> {
    actor.require_admin()?;
    let mut f = Fields::new();
    let name = name_field(&mut f, "name", &input.name, 50);
    f.finish()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (id,): (i64,) =
        sqlx::query_as("INSERT INTO units (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(&name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| write_error(e, "已有同名单位"))?;
    audit::record(
        &mut tx,
        now,
        actor.person_id(),
        "unit.create",
        "unit",
        Some(id),
        &name,
    )
    .await?;
    tx.commit().await?;
    places::refresh(state).await?;
    Ok(Unit { id, name })
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategoryInput {
    pub name: String,
    pub points: i64,
    pub sla_days: i64,
    pub unit_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    name: String,
    points: i64,
    sla_days: i64,
    unit_id: Option<i64>,
}

impl From<CategoryRow> for Category {
    fn from(r: CategoryRow) -> Self {
        Category {
            id: r.id,
            name: r.name,
            points: r.points,
            sla_days: r.sla_days,
            unit_id: r.unit_id,
        }
    }
}

pub async fn list_categories(state: &AppState) -> Result<Vec<Category>, AppError> {
    let rows: Vec<CategoryRow> =
        sqlx::query_as("SELECT id, name, points, sla_days, unit_id FROM categories ORDER BY id")
            .fetch_all(&state.db.pool)
            .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The checks of a category's fields (new or edited): its name.
fn checked_category(input: &CategoryInput) -> Result<String, AppError> {
    let mut f = Fields::new();
    let name = name_field(&mut f, "name", &input.name, 30);
    if !(0..=100).contains(&input.points) {
        f.push("points", "积分应在0到100之间");
    }
    if !(1..=90).contains(&input.sla_days) {
        f.push("sla_days", "整改期限应在1到90天之间");
    }
    f.finish()?;
    Ok(name)
}

fn category_detail(c: &CategoryRow) -> String {
    format!(
        "{} points={} sla_days={} unit_id={}",
        c.name,
        c.points,
        c.sla_days,
        c.unit_id.map_or("-".into(), |u| u.to_string())
    )
}

pub async fn create_category(
    state: &AppState,
    actor: Actor<'_>,
    input: CategoryInput,
) -> Result<Category, AppError> {
    actor.require_admin()?;
    let name = checked_category(&input)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let row: CategoryRow = sqlx::query_as(
        "INSERT INTO categories (name, points, sla_days, unit_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, name, points, sla_days, unit_id",
    )
    .bind(&name)
    .bind(input.points)
    .bind(input.sla_days)
    .bind(input.unit_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| write_error(e, "已有同名类别"))?;
    audit::record(
        &mut tx,
        now,
        actor.person_id(),
        "category.create",
        "category",
        Some(row.id),
        &name,
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// An admin changes a category: name, points, deadline (for reports approved
/// from now on; assigned ones keep theirs) and its own unit (none: routed
/// by place). The audit entry says what it was and what it is.
pub async fn update_category(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    input: CategoryInput,
) -> Result<Category, AppError> {
    actor.require_admin()?;
    let name = checked_category(&input)?;
    let mut tx = state.db.begin_write().await?;
    // Lock the row before reading it, so the audit's "before" is what this
    // change replaced even when two admins save at once.
    sqlx::query("UPDATE categories SET name = name WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let before: Option<CategoryRow> =
        sqlx::query_as("SELECT id, name, points, sla_days, unit_id FROM categories WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let before = before.ok_or(AppError::NotFound)?;
    let row: CategoryRow = sqlx::query_as(
        "UPDATE categories SET name = $1, points = $2, sla_days = $3, unit_id = $4 WHERE id = $5 \
         RETURNING id, name, points, sla_days, unit_id",
    )
    .bind(&name)
    .bind(input.points)
    .bind(input.sla_days)
    .bind(input.unit_id)
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| write_error(e, "已有同名类别"))?;
    audit::record(
        &mut tx,
        state.clock.now_ms(),
        Some(actor.id),
        "category.update",
        "category",
        Some(id),
        &format!("{} → {}", category_detail(&before), category_detail(&row)),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AreaInput {
    pub name: String,
    /// `segment` (包街路段) or `grid` (网格).
    pub kind: String,
    pub unit_id: i64,
    /// GeoJSON Polygon `coordinates`: rings of [lon, lat].
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<Vec<Vec<f64>>>>))]
    pub polygon: Option<Vec<Vec<[f64; 2]>>>,
    /// For a segment instead of a polygon: a LineString `coordinates` array.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<Vec<f64>>>))]
    pub line: Option<Vec<[f64; 2]>>,
    /// Buffer either side of the line, metres (default 30).
    pub buffer_m: Option<f64>,
}

#[derive(sqlx::FromRow)]
struct AreaRow {
    id: i64,
    name: String,
    kind: String,
    unit_id: i64,
    geometry: String,
}

impl AreaRow {
    fn into_area(self) -> Option<Area> {
        let kind = AreaKind::parse(&self.kind).ok()?;
        let geometry: AreaGeometry = serde_json::from_str(&self.geometry).ok()?;
        Some(Area::from_geometry(
            self.id,
            self.name,
            kind,
            self.unit_id,
            geometry,
        ))
    }
}

pub async fn list_areas(state: &AppState) -> Result<Vec<Area>, AppError> {
    let rows: Vec<AreaRow> =
        sqlx::query_as("SELECT id, name, kind, unit_id, geometry FROM areas ORDER BY id")
            .fetch_all(&state.db.pool)
            .await?;
    Ok(rows.into_iter().filter_map(AreaRow::into_area).collect())
}

pub async fn create_area(
    state: &AppState,
    actor: Actor<'_>,
    input: AreaInput,
) -> Result<Area, AppError> {
    actor.require_admin()?;
    let mut f = Fields::new();
    let name = name_field(&mut f, "name", &input.name, 50);
    let kind = f.check("kind", AreaKind::parse(&input.kind));
    let geometry = kind.and_then(|kind| {
        match AreaGeometry::parse(kind, input.polygon, input.line, input.buffer_m) {
            Ok(g) => Some(g),
            Err((field, message)) => {
                f.push(field, message);
                None
            }
        }
    });
    let (kind, geometry) = f.done((kind, geometry))?;
    let bbox = geometry.bbox();
    let now = state.clock.now_ms();
    let json = serde_json::to_string(&geometry).map_err(|_| AppError::Internal)?;
    let mut tx = state.db.begin_write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO areas (name, kind, unit_id, geometry, min_lon, min_lat, max_lon, max_lat, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&name)
    .bind(kind.as_str())
    .bind(input.unit_id)
    .bind(&json)
    .bind(bbox[0])
    .bind(bbox[1])
    .bind(bbox[2])
    .bind(bbox[3])
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| write_error(e, "已有同名区域"))?;
    audit::record(
        &mut tx,
        now,
        actor.person_id(),
        "area.create",
        "area",
        Some(id),
        &name,
    )
    .await?;
    tx.commit().await?;
    places::refresh(state).await?;
    Ok(Area::from_geometry(id, name, kind, input.unit_id, geometry))
}

/// The home page's figures: this minute's, computed once a minute.
pub async fn overview(state: &AppState) -> Result<CityOverview, AppError> {
    let figures = state
        .figures
        .city
        .get(&state.clock, || overview_now(state))
        .await?;
    Ok((*figures).clone())
}

async fn overview_now(state: &AppState) -> Result<CityOverview, AppError> {
    let (units, segments, grids, citizens): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM units), \
                (SELECT COUNT(*) FROM areas WHERE kind = 'segment'), \
                (SELECT COUNT(*) FROM areas WHERE kind = 'grid'), \
                (SELECT COUNT(*) FROM users WHERE deleted_at IS NULL)",
    )
    .fetch_one(&state.db.pool)
    .await?;
    Ok(CityOverview {
        units,
        categories: list_categories(state).await?,
        segments,
        grids,
        citizens,
    })
}

/// Who runs the portal (every page's footer), from the minute cache.
pub async fn portal(state: &AppState) -> Result<PortalProfile, AppError> {
    let profile = state
        .figures
        .portal
        .get(&state.clock, || portal_now(state))
        .await?;
    Ok((*profile).clone())
}

async fn portal_now(state: &AppState) -> Result<PortalProfile, AppError> {
    let row: Option<(String, String, String, String)> =
        sqlx::query_as("SELECT city, office, hotline, filing FROM portal_profile WHERE id = 1")
            .fetch_optional(&state.db.pool)
            .await?;
    Ok(row
        .map(|(city, office, hotline, filing)| PortalProfile {
            city,
            office,
            hotline,
            filing,
        })
        .unwrap_or_default())
}

/// What an admin (or the seed) sets: every field, as on the form.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PortalInput {
    pub city: String,
    pub office: String,
    pub hotline: String,
    pub filing: String,
}

/// Sets who runs the portal. With `only_if_unset` (the seed), a profile an
/// admin has already set stays as it is.
pub async fn set_portal(
    state: &AppState,
    actor: Actor<'_>,
    input: PortalInput,
    only_if_unset: bool,
) -> Result<PortalProfile, AppError> {
    actor.require_admin()?;
    let mut f = Fields::new();
    let city = name_field(&mut f, "city", &input.city, 20);
    let office = f
        .check(
            "office",
            crate::domain::clean_text(&input.office, 60, "请填写主办单位"),
        )
        .unwrap_or_default();
    let hotline = f
        .check("hotline", crate::domain::hotline(&input.hotline))
        .unwrap_or_default();
    let filing = f
        .check(
            "filing",
            crate::domain::clean_text(&input.filing, 60, "请填写备案号"),
        )
        .unwrap_or_default();
    f.finish()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let conflict = if only_if_unset {
        "ON CONFLICT (id) DO NOTHING"
    } else {
        "ON CONFLICT (id) DO UPDATE SET city = excluded.city, office = excluded.office, \
         hotline = excluded.hotline, filing = excluded.filing, updated_at = excluded.updated_at"
    };
    let written = sqlx::query(&format!(
        "INSERT INTO portal_profile (id, city, office, hotline, filing, updated_at) \
         VALUES (1, $1, $2, $3, $4, $5) {conflict}"
    ))
    .bind(&city)
    .bind(&office)
    .bind(&hotline)
    .bind(&filing)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if written > 0 {
        audit::record(
            &mut tx,
            now,
            actor.person_id(),
            "portal.set",
            "portal",
            Some(1),
            &office,
        )
        .await?;
    }
    tx.commit().await?;
    let profile = portal_now(state).await?;
    state.figures.portal.put(&state.clock, profile.clone());
    Ok(profile)
}
