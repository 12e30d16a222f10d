//! The city map: an SVG drawn on the server from the city's own areas (包街
//! segments and 网格 grids), with report markers and a heat layer, over the
//! base map's tiles when the city has configured a source
//! (`ZHUOMU_MAP_TILES`). Without tiles, or where they fail to load, the
//! drawn schematic stands alone: it works offline and costs a few kilobytes.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::CityMap;
use crate::domain::map::{MapView, midpoint};
use crate::domain::{GeoPoint, ReportStatus};
use crate::models::Report;

/// 嘉峪关's centre, for a city without areas yet.
pub const CITY_CENTER: GeoPoint = GeoPoint {
    lat: 39.7725,
    lon: 98.2890,
};

/// What a map island needs: the projection and the city's areas as SVG
/// markup (drawn on the server; the browser only places a pin on top).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapProps {
    pub view: MapView,
    pub layer: String,
    /// `MapView::data`, made on the server (the bundle formats no floats).
    pub data: String,
}

impl MapProps {
    /// A map of the city's areas and the given extra positions.
    pub fn new(map: &CityMap, extra: &[[f64; 2]], width: f64) -> MapProps {
        let mut positions: Vec<[f64; 2]> = extra.to_vec();
        for a in &map.areas {
            if let Some(p) = &a.polygon {
                positions.extend(p.iter().flatten().copied());
            }
            if let Some(l) = &a.line {
                positions.extend(l.iter().copied());
            }
        }
        Self::with_view(map, MapView::fit(&positions, CITY_CENTER, width))
    }

    /// The city's areas in a given view (a close-up, say): grids as light
    /// fields, streets as roads on top.
    pub fn with_view(map: &CityMap, view: MapView) -> MapProps {
        let mut areas: Vec<&crate::models::Area> = map.areas.iter().collect();
        areas.sort_by_key(|a| a.line.is_some());
        let layer = areas
            .into_iter()
            .map(|a| {
                let (class, d) = match (&a.polygon, &a.line) {
                    (Some(rings), _) => (
                        "map-grid",
                        rings
                            .iter()
                            .map(|r| view.path(r, true))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                    (None, line) => (
                        "map-street",
                        view.path(line.as_deref().unwrap_or(&[]), false),
                    ),
                };
                format!(
                    r#"<path class="{class}" d="{d}"><title>{}</title></path>"#,
                    escape(&a.name)
                )
            })
            .collect::<String>();
        let base = map
            .tiles
            .as_ref()
            .map(|t| tile_layer(t, &view))
            .unwrap_or_default();
        let labels: String = map.areas.iter().filter_map(|a| label(&view, a)).collect();
        MapProps {
            view,
            data: view.data(),
            layer: format!(r#"{base}{layer}<g class="map-labels" aria-hidden="true">{labels}</g>"#),
        }
    }
}

/// The city's segments and grids as `<option>`s of a place list (the
/// report form's way to set the pin without the map): each a segment's
/// middle or a grid's centre, as `lat_e6,lon_e6` (integers: the browser
/// bundle parses no floats).
pub fn place_options(map: &CityMap) -> String {
    let mut segments = String::new();
    let mut grids = String::new();
    for a in &map.areas {
        let Some((lon, lat)) = anchor(a) else {
            continue;
        };
        let option = format!(
            r#"<option value="{},{}">{}</option>"#,
            (lat * 1e6).round() as i64,
            (lon * 1e6).round() as i64,
            escape(&a.name)
        );
        let list = if a.line.is_some() {
            &mut segments
        } else {
            &mut grids
        };
        list.push_str(&option);
    }
    let group = |label: &str, options: String| {
        if options.is_empty() {
            String::new()
        } else {
            format!(r#"<optgroup label="{label}">{options}</optgroup>"#)
        }
    };
    format!(
        r#"<option value="">请选择</option>{}{}"#,
        group("路段", segments),
        group("网格", grids)
    )
}

/// Where an area is named and chosen: a street's middle, a grid's centre.
fn anchor(a: &crate::models::Area) -> Option<(f64, f64)> {
    if let Some(line) = &a.line {
        let [lon, lat] = midpoint(line)?;
        return Some((lon, lat));
    }
    let ring = a.polygon.as_ref()?.first()?;
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for p in ring {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    Some(((lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0))
}

/// An area's name on the map: a street's along its line at the middle, a
/// grid's in the middle of its box; the part in brackets (the section of a
/// street) left to the list and the pin. Nothing when the place is out of view.
fn label(view: &MapView, a: &crate::models::Area) -> Option<String> {
    let name = escape(a.name.split('（').next().unwrap_or(&a.name));
    let (lon, lat) = anchor(a)?;
    if !view.contains(GeoPoint { lat, lon }) {
        return None;
    }
    let (x, y) = view.xy(lon, lat);
    if let Some(line) = &a.line {
        let (first, last) = (line.first()?, line.last()?);
        let ((x1, y1), (x2, y2)) = (view.xy(first[0], first[1]), view.xy(last[0], last[1]));
        // Upright text: a street drawn right to left reads left to right.
        let mut angle = (y2 - y1).atan2(x2 - x1).to_degrees();
        if angle > 90.0 {
            angle -= 180.0;
        } else if angle <= -90.0 {
            angle += 180.0;
        }
        Some(format!(
            r#"<text class="map-label" x="{x}" y="{y}" transform="rotate({} {x} {y})">{name}</text>"#,
            angle.round() as i64
        ))
    } else {
        Some(format!(
            r#"<text class="map-label grid" x="{x}" y="{y}">{name}</text>"#
        ))
    }
}

/// The base map's tiles under the areas, and its attribution in a corner.
/// A tile that fails to load (offline, a blocked source) leaves the drawn
/// schematic underneath as it is.
fn tile_layer(source: &crate::domain::map::TileSource, view: &MapView) -> String {
    let tiles: String = source
        .cover(view)
        .into_iter()
        .map(|t| {
            format!(
                r#"<image class="map-tile" href="{}" x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="none"/>"#,
                escape(&t.url),
                t.x,
                t.y,
                t.width,
                t.height
            )
        })
        .collect();
    let credit = if source.attribution.is_empty() {
        String::new()
    } else {
        format!(
            r#"<text class="map-credit" x="{}" y="{}" text-anchor="end">{}</text>"#,
            view.width as i64 - 4,
            view.height as i64 - 4,
            escape(&source.attribution)
        )
    };
    format!(r#"<g class="map-base" aria-hidden="true">{tiles}{credit}</g>"#)
}

/// Text for HTML/SVG markup.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The areas of a map (markup made on the server from the city's data).
#[component]
pub fn AreaLayer(layer: String) -> impl IntoView {
    view! { <g inner_html=layer></g> }
}

/// The stages the public map shows, in the words and colours of the list.
const LEGEND: [ReportStatus; 4] = [
    ReportStatus::Assigned,
    ReportStatus::Returned,
    ReportStatus::Rectified,
    ReportStatus::Closed,
];

/// Reports on the city map, each a link; with `heat`, a layer of soft
/// circles where reports gather.
#[component]
pub fn ReportsMap(
    map: CityMap,
    reports: Vec<Report>,
    #[prop(optional)] heat: bool,
) -> impl IntoView {
    let positions: Vec<[f64; 2]> = reports.iter().map(|r| [r.lon, r.lat]).collect();
    let props = MapProps::new(&map, &positions, 360.0);
    let view = props.view;
    let heat_layer = heat.then(|| {
        reports
            .iter()
            .map(|r| {
                let (x, y) = view.xy(r.lon, r.lat);
                view! { <circle class="heat" cx=x cy=y r="22"/> }
            })
            .collect_view()
    });
    let pins = reports
        .iter()
        .map(|r| {
            let (x, y) = view.xy(r.lon, r.lat);
            let label = format!("#{} {} {}", r.id, r.category_name, r.status_label);
            let title = label.clone();
            view! {
                <a href=format!("/reports/{}", r.id) aria-label=label>
                    <circle class=format!("pin {}", r.status.css_class()) cx=x cy=y r="6"><title>{title}</title></circle>
                </a>
            }
        })
        .collect_view();
    view! {
        <figure class="map" data-test-id="reports-map">
            <svg viewBox=view.view_box() role="group" aria-label="问题分布地图">
                <rect class="map-bg" width=view.width height=view.height/>
                <AreaLayer layer=props.layer/>
                {heat_layer}
                {pins}
            </svg>
            <figcaption class="map-legend">
                {LEGEND.into_iter().map(|s| view! { <span class="legend-item"><span class=format!("dot {}", s.css_class())></span>{s.label()}</span> }).collect_view()}
            </figcaption>
        </figure>
    }
}

/// A place on the map in a close-up of about a kilometre: a report's
/// position, or a duty post with its check-in fence (`fence_m`).
#[component]
pub fn PlaceMap(
    map: CityMap,
    at: GeoPoint,
    #[prop(optional)] fence_m: Option<f64>,
    #[prop(default = "问题位置")] label: &'static str,
    #[prop(default = "place-map")] test_id: &'static str,
) -> impl IntoView {
    let near = MapView::fit(
        &[
            [at.lon - 0.006, at.lat - 0.0045],
            [at.lon + 0.006, at.lat + 0.0045],
        ],
        at,
        360.0,
    );
    let props = MapProps::with_view(&map, near);
    let (x, y) = near.xy(at.lon, at.lat);
    let pin = if fence_m.is_some() {
        "pin post"
    } else {
        "pin open"
    };
    view! {
        <figure class="map small" data-test-id=test_id>
            <svg viewBox=near.view_box() role="img" aria-label=label>
                <rect class="map-bg" width=near.width height=near.height/>
                <AreaLayer layer=props.layer/>
                {fence_m.map(|m| view! { <circle class="fence" cx=x cy=y r=near.metres(m)/> })}
                <circle class=pin cx=x cy=y r="8"/>
            </svg>
        </figure>
    }
}
