//! Where a position is, in the city's own words: the 包街 segment or the
//! 网格 grid it falls in (the same rule that routes a report,
//! `domain::report::route_area`) and the unit a report there would go to.
//! Lists, cards, report pages, the hot spots and the report form's pin name
//! the place with it instead of only the city.
//!
//! The areas are read once a minute per server (an admin's new area at once
//! on the server that saved it); a point is matched against those whose box
//! holds it, so the cost per report is a few comparisons, not a query.

use std::sync::Arc;

use crate::backend::AppState;
use crate::domain::report::{RoutableArea, responsible_unit, route_area};
use crate::domain::{AreaGeometry, AreaKind, Fields, GeoPoint};
use crate::error::AppError;
use crate::models::PlaceAt;

/// One segment or grid with its box and its unit's name.
pub struct Place {
    pub id: i64,
    pub name: String,
    pub kind: AreaKind,
    pub unit_id: i64,
    pub unit_name: String,
    geometry: AreaGeometry,
    /// [min_lon, min_lat, max_lon, max_lat], widened by the largest buffer.
    bbox: [f64; 4],
}

/// The city's areas, as this minute's figures keep them.
#[derive(Default)]
pub struct Places {
    places: Vec<Place>,
    units: Vec<(i64, String)>,
}

impl Places {
    pub fn new(
        areas: Vec<(i64, String, AreaKind, i64, String, AreaGeometry)>,
        units: Vec<(i64, String)>,
    ) -> Places {
        let pad = AreaGeometry::MAX_BUFFER_M / 111_000.0 * 2.0;
        let places = areas
            .into_iter()
            .map(|(id, name, kind, unit_id, unit_name, geometry)| {
                let b = geometry.bbox();
                Place {
                    id,
                    name,
                    kind,
                    unit_id,
                    unit_name,
                    bbox: [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad],
                    geometry,
                }
            })
            .collect();
        Places { places, units }
    }

    /// The segment (nearest within its buffer) or else the grid a point is in.
    pub fn at(&self, p: GeoPoint) -> Option<&Place> {
        let near: Vec<RoutableArea<'_>> = self
            .places
            .iter()
            .filter(|a| {
                a.bbox[0] <= p.lon && p.lon <= a.bbox[2] && a.bbox[1] <= p.lat && p.lat <= a.bbox[3]
            })
            .map(|a| RoutableArea {
                id: a.id,
                kind: a.kind,
                unit_id: a.unit_id,
                geometry: &a.geometry,
            })
            .collect();
        let id = route_area(p, &near)?.id;
        self.places.iter().find(|a| a.id == id)
    }

    /// The name of the place a point is in, if it is in one.
    pub fn name_at(&self, p: GeoPoint) -> Option<String> {
        self.at(p).map(|a| a.name.clone())
    }

    /// What the report form's pin says: the place and who would fix it
    /// (the category's own unit first, as routing does), e.g.
    /// "新华中路（雄关东路—胜利路） · 交市住房和城乡建设局".
    pub fn describe(&self, p: GeoPoint, category_unit: Option<i64>) -> PlaceAt {
        let area = self.at(p);
        let unit_id = responsible_unit(None, category_unit, area.map(|a| a.unit_id));
        let unit_name = unit_id.and_then(|u| {
            self.units
                .iter()
                .find(|(id, _)| *id == u)
                .map(|(_, n)| n.clone())
        });
        let label = match (area, &unit_name) {
            (Some(a), Some(u)) => format!("{} · 交{u}", a.name),
            (Some(a), None) => a.name.clone(),
            (None, Some(u)) => format!("不在已划分的路段或网格内 · 交{u}"),
            (None, None) => "不在已划分的路段或网格内，审核员会指定责任单位".to_owned(),
        };
        PlaceAt {
            area_id: area.map(|a| a.id),
            area_name: area.map(|a| a.name.clone()),
            area_kind: area.map(|a| a.kind),
            unit_id,
            unit_name,
            label,
        }
    }
}

/// Where a position is and who would fix a report there (the category's
/// unit first, when a category is given).
pub async fn place_at(
    state: &AppState,
    lat: Option<f64>,
    lon: Option<f64>,
    category_id: Option<i64>,
) -> Result<PlaceAt, AppError> {
    let mut f = Fields::new();
    let point = match (lat, lon) {
        (Some(lat), Some(lon)) => f.check("lat", GeoPoint::parse(lat, lon)),
        _ => {
            f.push("lat", "请给出位置");
            None
        }
    };
    let category_unit = match category_id {
        Some(c) => {
            let unit: Option<(Option<i64>,)> =
                sqlx::query_as("SELECT unit_id FROM categories WHERE id = $1")
                    .bind(c)
                    .fetch_optional(&state.db.pool)
                    .await?;
            if unit.is_none() {
                f.push("category_id", "类别不存在");
            }
            unit.and_then(|u| u.0)
        }
        None => None,
    };
    let p = f.done(point)?;
    Ok(places(state).await?.describe(p, category_unit))
}

/// This minute's places.
pub async fn places(state: &AppState) -> Result<Arc<Places>, AppError> {
    state.figures.places.get(&state.clock, || load(state)).await
}

/// Reads the areas again now (after an admin's change).
pub async fn refresh(state: &AppState) -> Result<(), AppError> {
    let fresh = load(state).await?;
    state.figures.places.put(&state.clock, fresh);
    Ok(())
}

async fn load(state: &AppState) -> Result<Places, AppError> {
    let rows: Vec<(i64, String, String, i64, String, String)> = sqlx::query_as(
        "SELECT a.id, a.name, a.kind, a.unit_id, u.name, a.geometry \
         FROM areas a JOIN units u ON u.id = a.unit_id ORDER BY a.id",
    )
    .fetch_all(&state.db.pool)
    .await?;
    let areas = rows
        .into_iter()
        .filter_map(|(id, name, kind, unit_id, unit_name, g)| {
            Some((
                id,
                name,
                AreaKind::parse(&kind).ok()?,
                unit_id,
                unit_name,
                serde_json::from_str(&g).ok()?,
            ))
        })
        .collect();
    let units = sqlx::query_as("SELECT id, name FROM units ORDER BY id")
        .fetch_all(&state.db.pool)
        .await?;
    Ok(Places::new(areas, units))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geo::LineBuffer;

    fn city() -> Places {
        let street = AreaGeometry::Line(LineBuffer {
            line: vec![[98.289, 39.765], [98.289, 39.78]],
            buffer_m: 30.0,
        });
        let grid = AreaGeometry::Polygon {
            polygon: vec![vec![
                [98.27, 39.76],
                [98.31, 39.76],
                [98.31, 39.79],
                [98.27, 39.79],
                [98.27, 39.76],
            ]],
        };
        Places::new(
            vec![
                (
                    1,
                    "雄关区第一网格".into(),
                    AreaKind::Grid,
                    10,
                    "雄关区".into(),
                    grid,
                ),
                (
                    2,
                    "新华中路（雄关东路—胜利路）".into(),
                    AreaKind::Segment,
                    11,
                    "市住房和城乡建设局".into(),
                    street,
                ),
            ],
            vec![
                (10, "雄关区".into()),
                (11, "市住房和城乡建设局".into()),
                (12, "市公安局交警支队".into()),
            ],
        )
    }

    #[test]
    fn a_point_on_a_street_names_the_street_and_its_unit() {
        let p = city().describe(
            GeoPoint {
                lat: 39.772,
                lon: 98.2891,
            },
            None,
        );
        assert_eq!(
            p.label,
            "新华中路（雄关东路—胜利路） · 交市住房和城乡建设局"
        );
        assert_eq!((p.area_id, p.unit_id), (Some(2), Some(11)));
    }

    #[test]
    fn off_the_street_the_grid_and_the_category_unit_first() {
        let c = city();
        let p = c.describe(
            GeoPoint {
                lat: 39.772,
                lon: 98.300,
            },
            Some(12),
        );
        assert_eq!(p.label, "雄关区第一网格 · 交市公安局交警支队");
        let outside = c.describe(
            GeoPoint {
                lat: 39.9,
                lon: 98.5,
            },
            None,
        );
        assert_eq!(outside.area_id, None);
        assert!(outside.label.starts_with("不在已划分的路段或网格内"));
        assert_eq!(
            c.name_at(GeoPoint {
                lat: 39.9,
                lon: 98.5
            }),
            None
        );
    }
}
