use ::geo::{Closest, Contains, Distance, Haversine, HaversineClosestPoint};
use serde::{Deserialize, Serialize};

/// A WGS84 position, as browsers report it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn parse(lat: f64, lon: f64) -> Result<Self, String> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err("纬度应在 -90 到 90 之间".into());
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err("经度应在 -180 到 180 之间".into());
        }
        Ok(Self { lat, lon })
    }

    fn point(self) -> ::geo::Point<f64> {
        ::geo::Point::new(self.lon, self.lat)
    }

    /// Great-circle distance in metres.
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        Haversine.distance(self.point(), other.point())
    }

    /// A box of ±`metres` around the point, as (min_lat, max_lat, min_lon,
    /// max_lon): a cheap prefilter before the exact distance.
    pub fn bounds_within(self, metres: f64) -> (f64, f64, f64, f64) {
        let dlat = metres / 111_000.0;
        let dlon = metres / (111_000.0 * self.lat.to_radians().cos().max(0.01));
        (
            self.lat - dlat,
            self.lat + dlat,
            self.lon - dlon,
            self.lon + dlon,
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    /// 包街 road segment owned by a unit.
    Segment,
    /// 网格 grid.
    Grid,
}

impl AreaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::Segment => "segment",
            AreaKind::Grid => "grid",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "segment" => Ok(AreaKind::Segment),
            "grid" => Ok(AreaKind::Grid),
            _ => Err("类型应为 segment（路段）或 grid（网格）".into()),
        }
    }
}

/// A street drawn as a line with a buffer either side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineBuffer {
    pub line: Vec<[f64; 2]>,
    pub buffer_m: f64,
}

/// The shape of an area: a GeoJSON Polygon `coordinates` array ([lon, lat]
/// rings, the first the outline, the rest holes) or, for a segment, a
/// LineString with a buffer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AreaGeometry {
    Polygon { polygon: Vec<Vec<[f64; 2]>> },
    Line(LineBuffer),
}

/// The `polygon` or `line` of an area from pasted GeoJSON: a Polygon or a
/// LineString, bare or as the one Feature (of a FeatureCollection).
pub type PastedShape = (Option<Vec<Vec<[f64; 2]>>>, Option<Vec<[f64; 2]>>);

pub fn pasted_geojson(text: &str) -> Result<PastedShape, String> {
    use geojson::{GeoJson, Value};
    let parsed: GeoJson = text
        .trim()
        .parse()
        .map_err(|_| "不是有效的 GeoJSON".to_owned())?;
    let geometry = match parsed {
        GeoJson::Geometry(g) => Some(g),
        GeoJson::Feature(f) => f.geometry,
        GeoJson::FeatureCollection(c) if c.features.len() == 1 => {
            c.features.into_iter().next().and_then(|f| f.geometry)
        }
        GeoJson::FeatureCollection(_) => {
            return Err("一次只能粘贴一个区域".into());
        }
    };
    let pair = |p: Vec<f64>| -> Result<[f64; 2], String> {
        match p[..] {
            [lon, lat, ..] => Ok([lon, lat]),
            _ => Err("坐标应为 [经度, 纬度]".into()),
        }
    };
    match geometry.map(|g| g.value) {
        Some(Value::Polygon(rings)) => Ok((
            Some(
                rings
                    .into_iter()
                    .map(|r| r.into_iter().map(pair).collect::<Result<Vec<_>, _>>())
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None,
        )),
        Some(Value::LineString(line)) => Ok((
            None,
            Some(line.into_iter().map(pair).collect::<Result<Vec<_>, _>>()?),
        )),
        _ => Err("请粘贴一个 Polygon（网格、路段）或 LineString（路段）".into()),
    }
}

impl AreaGeometry {
    pub const MAX_POSITIONS: usize = 5_000;
    pub const MAX_BUFFER_M: f64 = 500.0;

    /// Parses the optional `polygon`, `line` and `buffer_m` of a request. Grids
    /// must be polygons; segments may be either.
    pub fn parse(
        kind: AreaKind,
        polygon: Option<Vec<Vec<[f64; 2]>>>,
        line: Option<Vec<[f64; 2]>>,
        buffer_m: Option<f64>,
    ) -> Result<Self, (&'static str, String)> {
        match (polygon, line) {
            (Some(_), Some(_)) => Err(("polygon", "polygon 与 line 只能给出一个".into())),
            (None, None) => Err(("polygon", "请给出区域的多边形坐标".into())),
            (None, Some(_)) if kind == AreaKind::Grid => Err(("line", "网格必须是多边形".into())),
            (Some(rings), None) => {
                if rings.is_empty() {
                    return Err(("polygon", "多边形至少需要一个环".into()));
                }
                let total: usize = rings.iter().map(Vec::len).sum();
                if total > Self::MAX_POSITIONS {
                    return Err(("polygon", "坐标点过多".into()));
                }
                for ring in &rings {
                    if ring.len() < 4 {
                        return Err(("polygon", "每个环至少需要4个坐标点（首尾相同）".into()));
                    }
                    if ring.first() != ring.last() {
                        return Err(("polygon", "环的首尾坐标必须相同".into()));
                    }
                    check_positions(ring).map_err(|e| ("polygon", e))?;
                }
                Ok(AreaGeometry::Polygon { polygon: rings })
            }
            (None, Some(line)) => {
                if line.len() < 2 {
                    return Err(("line", "线段至少需要2个坐标点".into()));
                }
                if line.len() > Self::MAX_POSITIONS {
                    return Err(("line", "坐标点过多".into()));
                }
                check_positions(&line).map_err(|e| ("line", e))?;
                let buffer_m = buffer_m.unwrap_or(30.0);
                if !buffer_m.is_finite() || buffer_m <= 0.0 || buffer_m > Self::MAX_BUFFER_M {
                    return Err((
                        "buffer_m",
                        format!("缓冲距离应在 0 到 {} 米之间", Self::MAX_BUFFER_M),
                    ));
                }
                Ok(AreaGeometry::Line(LineBuffer { line, buffer_m }))
            }
        }
    }

    /// How far `p` is from the area in metres: 0 inside a polygon (holes are
    /// outside), the distance to the line for a street; `None` when `p` is
    /// outside the polygon or beyond the street's buffer.
    pub fn distance_m(&self, p: GeoPoint) -> Option<f64> {
        match self {
            AreaGeometry::Polygon { polygon } => {
                let mut rings = polygon.iter().map(|ring| {
                    ::geo::LineString::from(ring.iter().map(|&[x, y]| (x, y)).collect::<Vec<_>>())
                });
                let outer = rings.next()?;
                ::geo::Polygon::new(outer, rings.collect())
                    .contains(&p.point())
                    .then_some(0.0)
            }
            AreaGeometry::Line(l) => {
                let line = ::geo::LineString::from(
                    l.line.iter().map(|&[x, y]| (x, y)).collect::<Vec<_>>(),
                );
                let nearest = match line.haversine_closest_point(&p.point()) {
                    Closest::Intersection(q) | Closest::SinglePoint(q) => q,
                    Closest::Indeterminate => return None,
                };
                let d = Haversine.distance(p.point(), nearest);
                (d <= l.buffer_m).then_some(d)
            }
        }
    }

    /// [min_lon, min_lat, max_lon, max_lat] of the positions (without buffer).
    pub fn bbox(&self) -> [f64; 4] {
        let positions: Box<dyn Iterator<Item = &[f64; 2]>> = match self {
            AreaGeometry::Polygon { polygon } => Box::new(polygon.iter().flatten()),
            AreaGeometry::Line(l) => Box::new(l.line.iter()),
        };
        positions.fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        })
    }
}

fn check_positions(positions: &[[f64; 2]]) -> Result<(), String> {
    for [lon, lat] in positions {
        GeoPoint::parse(*lat, *lon)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Vec<Vec<[f64; 2]>> {
        vec![vec![
            [98.28, 39.76],
            [98.30, 39.76],
            [98.30, 39.78],
            [98.28, 39.78],
            [98.28, 39.76],
        ]]
    }

    #[test]
    fn point_ranges() {
        assert!(GeoPoint::parse(39.77, 98.29).is_ok());
        assert!(GeoPoint::parse(91.0, 0.0).is_err());
        assert!(GeoPoint::parse(0.0, 181.0).is_err());
        assert!(GeoPoint::parse(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn polygons_must_be_closed_rings_of_valid_positions() {
        assert!(AreaGeometry::parse(AreaKind::Grid, Some(square()), None, None).is_ok());
        let mut open = square();
        open[0].pop();
        open[0].push([98.0, 39.0]);
        assert!(AreaGeometry::parse(AreaKind::Grid, Some(open), None, None).is_err());
        assert!(
            AreaGeometry::parse(AreaKind::Grid, Some(vec![vec![[0.0, 0.0]; 3]]), None, None)
                .is_err()
        );
        assert!(AreaGeometry::parse(AreaKind::Grid, Some(vec![]), None, None).is_err());
        let mut far = square();
        far[0][1] = [200.0, 39.0];
        assert!(AreaGeometry::parse(AreaKind::Grid, Some(far), None, None).is_err());
    }

    #[test]
    fn lines_only_for_segments_and_with_a_sane_buffer() {
        let line = vec![[98.28, 39.77], [98.30, 39.77]];
        assert!(AreaGeometry::parse(AreaKind::Grid, None, Some(line.clone()), None).is_err());
        let g = AreaGeometry::parse(AreaKind::Segment, None, Some(line.clone()), None).unwrap();
        assert_eq!(
            g,
            AreaGeometry::Line(LineBuffer {
                line: line.clone(),
                buffer_m: 30.0
            })
        );
        assert!(
            AreaGeometry::parse(AreaKind::Segment, None, Some(line.clone()), Some(0.0)).is_err()
        );
        assert!(
            AreaGeometry::parse(AreaKind::Segment, None, Some(line.clone()), Some(501.0)).is_err()
        );
        assert!(AreaGeometry::parse(AreaKind::Segment, Some(square()), Some(line), None).is_err());
        assert!(AreaGeometry::parse(AreaKind::Segment, None, None, None).is_err());
    }

    #[test]
    fn bbox_spans_the_positions() {
        let g = AreaGeometry::parse(AreaKind::Grid, Some(square()), None, None).unwrap();
        assert_eq!(g.bbox(), [98.28, 39.76, 98.30, 39.78]);
    }

    #[test]
    fn pasted_geojson_shapes() {
        let polygon = r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
            "coordinates":[[[98.1,39.6],[98.12,39.6],[98.12,39.62],[98.1,39.6]]]}}"#;
        let (p, l) = pasted_geojson(polygon).unwrap();
        assert_eq!(p.unwrap()[0][1], [98.12, 39.6]);
        assert!(l.is_none());
        let line = r#"{"type":"LineString","coordinates":[[98.28,39.77,1500],[98.29,39.77]]}"#;
        assert_eq!(
            pasted_geojson(line).unwrap().1.unwrap(),
            vec![[98.28, 39.77], [98.29, 39.77]]
        );
        let two = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#;
        assert!(pasted_geojson(two).unwrap_err().contains("一个"));
        assert!(pasted_geojson(r#"{"type":"Point","coordinates":[1,2]}"#).is_err());
        assert!(pasted_geojson("not json").is_err());
    }
}
