//! A flat map of a city-sized area: an equirectangular projection of a
//! lon/lat box onto an SVG canvas. At a city's scale (a few kilometres) it is
//! accurate to metres, needs no tiles (nothing is fetched at run time), and
//! the same code runs on the server (drawing) and in the browser (placing a
//! pin where a finger taps).

use serde::{Deserialize, Serialize};

use super::geo::GeoPoint;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapView {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
    /// Canvas width in SVG units; the height follows from the box's shape.
    pub width: f64,
    pub height: f64,
}

impl MapView {
    /// A view of every position given, with a margin, `width` units wide.
    /// Falls back to a box around `center` when there is nothing to show.
    pub fn fit(positions: &[[f64; 2]], center: GeoPoint, width: f64) -> MapView {
        let (mut min_lon, mut min_lat, mut max_lon, mut max_lat) =
            (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for [lon, lat] in positions {
            min_lon = min_lon.min(*lon);
            max_lon = max_lon.max(*lon);
            min_lat = min_lat.min(*lat);
            max_lat = max_lat.max(*lat);
        }
        if positions.is_empty() {
            (min_lon, max_lon) = (center.lon - 0.01, center.lon + 0.01);
            (min_lat, max_lat) = (center.lat - 0.008, center.lat + 0.008);
        }
        // At least ~500 m across, plus a 10 % margin.
        let span_lon = (max_lon - min_lon).max(0.006);
        let span_lat = (max_lat - min_lat).max(0.0045);
        let (cx, cy) = ((min_lon + max_lon) / 2.0, (min_lat + max_lat) / 2.0);
        let (half_lon, half_lat) = (span_lon * 0.55, span_lat * 0.55);
        let k = cy.to_radians().cos().max(0.01);
        let height =
            (width * (2.0 * half_lat) / (2.0 * half_lon * k)).clamp(width * 0.5, width * 1.4);
        MapView {
            min_lon: cx - half_lon,
            min_lat: cy - half_lat,
            max_lon: cx + half_lon,
            max_lat: cy + half_lat,
            width,
            height: height.round(),
        }
    }

    /// SVG coordinates of a position (y grows downwards).
    pub fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        let x = (lon - self.min_lon) / (self.max_lon - self.min_lon) * self.width;
        let y = (self.max_lat - lat) / (self.max_lat - self.min_lat) * self.height;
        ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0)
    }

    /// The position under an SVG point.
    pub fn lon_lat(&self, x: f64, y: f64) -> GeoPoint {
        GeoPoint {
            lon: self.min_lon + x / self.width * (self.max_lon - self.min_lon),
            lat: self.max_lat - y / self.height * (self.max_lat - self.min_lat),
        }
    }

    /// A length on the ground in SVG units (north–south scale).
    pub fn metres(&self, m: f64) -> f64 {
        let units = m / 111_320.0 / (self.max_lat - self.min_lat) * self.height;
        (units * 10.0).round() / 10.0
    }

    /// The view as `min_lon min_lat max_lon max_lat width height`, for a
    /// script that turns a tap into a position.
    pub fn data(&self) -> String {
        format!(
            "{} {} {} {} {} {}",
            self.min_lon, self.min_lat, self.max_lon, self.max_lat, self.width, self.height
        )
    }

    /// An SVG path of a ring or a line.
    pub fn path(&self, positions: &[[f64; 2]], closed: bool) -> String {
        let mut d = String::new();
        for (i, [lon, lat]) in positions.iter().enumerate() {
            let (x, y) = self.xy(*lon, *lat);
            d.push_str(&format!("{}{x} {y}", if i == 0 { "M" } else { " L" }));
        }
        if closed {
            d.push_str(" Z");
        }
        d
    }

    /// The `viewBox` attribute (whole units: no float formatting, which
    /// would cost the browser bundle ~10 KB).
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", self.width as i64, self.height as i64)
    }

    pub fn contains(&self, p: GeoPoint) -> bool {
        (self.min_lon..=self.max_lon).contains(&p.lon)
            && (self.min_lat..=self.max_lat).contains(&p.lat)
    }
}

/// `v` with `decimals` digits after the point, by integer arithmetic (the
/// browser bundle carries no float formatter).
pub fn fixed(v: f64, decimals: u32) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let scale = 10_i64.pow(decimals);
    let n = (v * scale as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let (whole, frac) = (
        n.unsigned_abs() / scale as u64,
        n.unsigned_abs() % scale as u64,
    );
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = decimals as usize)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixed_point_text() {
        use super::fixed;
        assert_eq!(fixed(39.7721, 6), "39.772100");
        assert_eq!(fixed(-0.05, 2), "-0.05");
        assert_eq!(fixed(98.28912345, 5), "98.28912");
        assert_eq!(fixed(55.6, 0), "56");
        assert_eq!(fixed(0.125, 2), "0.13");
        // Out of range saturates instead of overflowing.
        assert_eq!(fixed(-1e30, 2), "-92233720368547758.08");
        assert_eq!(fixed(f64::NAN, 2), "0");
    }

    use super::*;

    #[test]
    fn metres_follow_the_scale() {
        let v = MapView::fit(
            &[[98.28, 39.76], [98.30, 39.78]],
            GeoPoint { lat: 0.0, lon: 0.0 },
            400.0,
        );
        // The canvas spans (max_lat - min_lat) degrees north–south.
        let km = 1000.0 / 111_320.0 / (v.max_lat - v.min_lat) * v.height;
        assert!((v.metres(1000.0) - km).abs() < 0.1);
        assert!((v.metres(300.0) * 10.0 - v.metres(3000.0)).abs() < 1.0);
        let parts: Vec<f64> = v.data().split(' ').map(|p| p.parse().unwrap()).collect();
        assert_eq!(
            parts,
            vec![
                v.min_lon, v.min_lat, v.max_lon, v.max_lat, v.width, v.height
            ]
        );
    }

    #[test]
    fn positions_round_trip_through_the_canvas() {
        let v = MapView::fit(
            &[[98.28, 39.76], [98.30, 39.78]],
            GeoPoint { lat: 0.0, lon: 0.0 },
            400.0,
        );
        assert!(v.contains(GeoPoint {
            lat: 39.77,
            lon: 98.29
        }));
        let (x, y) = v.xy(98.29, 39.77);
        assert!((x - 200.0).abs() < 0.2 && (y - v.height / 2.0).abs() < 0.2);
        let p = v.lon_lat(x, y);
        assert!((p.lon - 98.29).abs() < 1e-5 && (p.lat - 39.77).abs() < 1e-5);
        // North is up.
        assert!(v.xy(98.29, 39.779).1 < v.xy(98.29, 39.761).1);
        // A square box is taller than wide in degrees at 40° N, as on the ground.
        assert!(v.height > 400.0 * 1.2);
        assert_eq!(
            v.path(&[[98.28, 39.78], [98.30, 39.78]], false)
                .matches('L')
                .count(),
            1
        );
    }

    #[test]
    fn an_empty_map_centres_on_the_city() {
        let c = GeoPoint {
            lat: 39.77,
            lon: 98.29,
        };
        let v = MapView::fit(&[], c, 400.0);
        assert!(v.contains(c));
        let single = MapView::fit(&[[98.29, 39.77]], c, 400.0);
        assert!(
            single.max_lon - single.min_lon > 0.005,
            "a single point gets a real span"
        );
    }
}
