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

/// The point halfway along a line (by its length in degrees, fine at a
/// street's scale).
pub fn midpoint(line: &[[f64; 2]]) -> Option<[f64; 2]> {
    let seg = |w: &[[f64; 2]]| ((w[1][0] - w[0][0]).powi(2) + (w[1][1] - w[0][1]).powi(2)).sqrt();
    let total: f64 = line.windows(2).map(seg).sum();
    let mut left = total / 2.0;
    for w in line.windows(2) {
        let len = seg(w);
        if len >= left && len > 0.0 {
            let t = left / len;
            return Some([
                w[0][0] + (w[1][0] - w[0][0]) * t,
                w[0][1] + (w[1][1] - w[0][1]) * t,
            ]);
        }
        left -= len;
    }
    line.first().copied()
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

/// A base map of square Web-Mercator tiles (XYZ, or WMTS in the same
/// grid, e.g. 天地图's `_w` layers), as a URL template with `{z}`, `{x}`
/// and `{y}` (a key, if the source wants one, is part of the template).
/// The tiles must be in WGS-84 / CGCS2000 positions (天地图, OpenStreetMap),
/// as the phones' are: GCJ-02 sources (高德, 腾讯) are offset by hundreds
/// of metres and are refused by nothing here, so do not configure them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TileSource {
    pub template: String,
    /// Shown on the map (© 天地图, © OpenStreetMap contributors).
    pub attribution: String,
}

/// One tile placed on a view: its URL and its box in SVG units.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedTile {
    pub url: String,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl TileSource {
    pub fn parse(template: &str, attribution: &str) -> Result<TileSource, String> {
        let t = template.trim();
        if !(t.starts_with("https://") || t.starts_with("http://")) {
            return Err("应以 https:// 开头".into());
        }
        if !["{z}", "{x}", "{y}"].iter().all(|p| t.contains(p)) {
            return Err("需要 {z}、{x}、{y} 三个占位符".into());
        }
        if t.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
        {
            return Err("不能包含空白、引号或尖括号".into());
        }
        let source = TileSource {
            template: t.to_owned(),
            attribution: attribution.trim().to_owned(),
        };
        // The origin goes into the pages' CSP: a host name and a port only.
        let host = source.origin().split("://").nth(1).unwrap_or("");
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        {
            return Err("主机名不合法".into());
        }
        Ok(source)
    }

    /// `scheme://host[:port]` of the tiles, for the pages' CSP.
    pub fn origin(&self) -> &str {
        let rest = self.template.find("://").map_or(0, |i| i + 3);
        let end = self.template[rest..]
            .find(['/', '?'])
            .map_or(self.template.len(), |i| rest + i);
        &self.template[..end]
    }

    /// The tiles that cover `view`, at the zoom where a tile is about 256
    /// SVG units wide (clamped to 10–18), placed on the view's canvas.
    pub fn cover(&self, view: &MapView) -> Vec<PlacedTile> {
        let span = (view.max_lon - view.min_lon).max(1e-9);
        let z = (360.0 * view.width / (256.0 * span))
            .log2()
            .floor()
            .clamp(10.0, 18.0) as u32;
        let n = f64::from(1u32 << z);
        let tile_x = |lon: f64| ((lon + 180.0) / 360.0 * n).floor() as i64;
        let tile_y = |lat: f64| {
            let r = lat.to_radians();
            ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as i64
        };
        let lon_of = |x: i64| x as f64 / n * 360.0 - 180.0;
        let lat_of = |y: i64| {
            (std::f64::consts::PI * (1.0 - 2.0 * y as f64 / n))
                .sinh()
                .atan()
                .to_degrees()
        };
        let (x0, x1) = (tile_x(view.min_lon), tile_x(view.max_lon));
        let (y0, y1) = (tile_y(view.max_lat), tile_y(view.min_lat));
        let mut tiles = Vec::new();
        for ty in y0..=y1 {
            for tx in x0..=x1 {
                let (left, top) = view.xy(lon_of(tx), lat_of(ty));
                let (right, bottom) = view.xy(lon_of(tx + 1), lat_of(ty + 1));
                tiles.push(PlacedTile {
                    url: self
                        .template
                        .replace("{z}", &z.to_string())
                        .replace("{x}", &tx.to_string())
                        .replace("{y}", &ty.to_string()),
                    x: left,
                    y: top,
                    width: ((right - left) * 10.0).round() / 10.0,
                    height: ((bottom - top) * 10.0).round() / 10.0,
                });
            }
        }
        tiles
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
    fn a_line_is_named_at_its_middle() {
        use super::midpoint;
        assert_eq!(
            midpoint(&[[0.0, 0.0], [0.0, 2.0], [4.0, 2.0]]),
            Some([1.0, 2.0])
        );
        assert_eq!(midpoint(&[[1.0, 1.0]]), Some([1.0, 1.0]));
        assert_eq!(midpoint(&[]), None);
    }

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

    #[test]
    fn tiles_cover_the_view_where_the_map_puts_places() {
        let src = TileSource::parse(
            "https://tiles.example.cn/vec/{z}/{x}/{y}.png?tk=k",
            "© 测试",
        )
        .unwrap();
        assert_eq!(src.origin(), "https://tiles.example.cn");
        let c = GeoPoint {
            lat: 39.7725,
            lon: 98.289,
        };
        let v = MapView::fit(&[[98.27, 39.76], [98.31, 39.79]], c, 360.0);
        let tiles = src.cover(&v);
        assert!(!tiles.is_empty() && tiles.len() <= 16, "{}", tiles.len());
        // Together the tiles cover the whole canvas, without gaps.
        let (l, t) = tiles
            .iter()
            .fold((f64::MAX, f64::MAX), |(l, t), p| (l.min(p.x), t.min(p.y)));
        let (r, b) = tiles.iter().fold((f64::MIN, f64::MIN), |(r, b), p| {
            (r.max(p.x + p.width), b.max(p.y + p.height))
        });
        assert!(
            l <= 0.0 && t <= 0.0 && r >= v.width && b >= v.height,
            "{l} {t} {r} {b}"
        );
        // About 256 units a tile, and square on the ground at this latitude.
        let w = tiles[0].width;
        assert!((128.0..=512.0).contains(&w), "{w}");
        assert!(
            (tiles[0].height / w - 1.0).abs() < 0.05,
            "{} × {}",
            w,
            tiles[0].height
        );
        // A view ~4 km across on 360 units takes zoom 13, and 嘉峪关's centre
        // is in the tile the slippy-map grid gives it (13/6332/3108,
        // computed apart with the OpenStreetMap wiki's formula).
        assert!(
            tiles.iter().all(|t| t.url.contains("/vec/13/")),
            "{:?}",
            tiles[0]
        );
        let centre = tiles
            .iter()
            .find(|t| t.url.contains("/13/6332/3108.png"))
            .expect("the centre's tile");
        let (cx, cy) = v.xy(c.lon, c.lat);
        assert!(
            cx >= centre.x
                && cx <= centre.x + centre.width
                && cy >= centre.y
                && cy <= centre.y + centre.height
        );
        assert!(tiles.iter().all(
            |t| t.url.starts_with("https://tiles.example.cn/vec/") && t.url.ends_with("?tk=k")
        ));
        for bad in [
            "ftp://x/{z}/{x}/{y}",
            "https://x/{z}/{x}",
            "https://x/{z}/{x}/{y}\"<script>",
            "https://x/ {z}/{x}/{y}",
            "https://a;script-src/{z}/{x}/{y}",
        ] {
            assert!(TileSource::parse(bad, "").is_err(), "{bad}");
        }
    }
}
