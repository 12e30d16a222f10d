//! Data shapes shared by the server, the API and the browser.

use crate::domain::{AreaGeometry, AreaKind, Role};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// A person as they see themselves (`GET /api/v1/me`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct User {
    pub id: i64,
    pub display_name: String,
    /// `138****8000`; the whole number never leaves the server.
    pub phone_masked: String,
    pub roles: Vec<Role>,
    pub unit_id: Option<i64>,
    pub points_balance: i64,
    pub points_lifetime: i64,
    /// Level code: `trainee`, `woodpecker`, `gold`, `guardian`.
    pub level: String,
    /// Level name in Chinese, e.g. 见习啄木鸟.
    pub level_name: String,
    pub created_at: String,
}

/// `{token, user}` from register and login.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AuthResponse {
    pub token: String,
    pub user: User,
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct LedgerEntry {
    pub id: i64,
    pub delta: i64,
    pub reason: String,
    pub ref_type: Option<String>,
    pub ref_id: Option<i64>,
    pub note: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct PointsSummary {
    pub balance: i64,
    pub lifetime: i64,
    pub level: String,
    pub level_name: String,
    /// Points still missing to the next level, if there is one.
    pub next_level_name: Option<String>,
    pub next_level_missing: Option<i64>,
    pub badges: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Unit {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub points: i64,
    pub sla_days: i64,
    pub unit_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Area {
    pub id: i64,
    pub name: String,
    pub kind: AreaKind,
    pub unit_id: i64,
    /// GeoJSON Polygon `coordinates` ([lon, lat]), for polygons.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<Vec<Vec<f64>>>>))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub polygon: Option<Vec<Vec<[f64; 2]>>>,
    /// GeoJSON LineString `coordinates`, for a street with a buffer.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<Vec<f64>>>))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<Vec<[f64; 2]>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffer_m: Option<f64>,
}

impl Area {
    pub fn from_geometry(
        id: i64,
        name: String,
        kind: AreaKind,
        unit_id: i64,
        g: AreaGeometry,
    ) -> Self {
        let (polygon, line, buffer_m) = match g {
            AreaGeometry::Polygon { polygon } => (Some(polygon), None, None),
            AreaGeometry::Line(l) => (None, Some(l.line), Some(l.buffer_m)),
        };
        Area {
            id,
            name,
            kind,
            unit_id,
            polygon,
            line,
            buffer_m,
        }
    }
}

/// Counts the home page shows about the city's set-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CityOverview {
    pub units: i64,
    pub categories: Vec<Category>,
    pub segments: i64,
    pub grids: i64,
    pub citizens: i64,
}
