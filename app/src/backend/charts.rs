//! Charts for the dashboard, drawn on the server as SVG by `plotters`: no
//! script and no font download on the phone (the text is SVG text in the
//! phone's own font), a few kilobytes each, and every chart's numbers are
//! also in a table next to it.

use plotters::prelude::*;

const RED: RGBColor = RGBColor(0xb3, 0x26, 0x1e);
const GREY: RGBColor = RGBColor(0x8a, 0x8a, 0x8a);
const LINE: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
const FONT: &str = "sans-serif";

/// Makes the SVG scale to its container (the viewBox stays).
fn responsive(svg: String, (w, h): (u32, u32)) -> String {
    svg.replacen(
        &format!("width=\"{w}\" height=\"{h}\""),
        &format!("width=\"100%\" viewBox=\"0 0 {w} {h}\" preserveAspectRatio=\"xMidYMid meet\""),
        1,
    )
}

/// A colour as `#rrggbb` (the stages' colours); the campaign's red if not.
fn rgb(hex: &str) -> RGBColor {
    let n = hex
        .strip_prefix('#')
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .unwrap_or(0xb3261e);
    RGBColor((n >> 16) as u8, (n >> 8) as u8, n as u8)
}

/// A horizontal bar per label (labels on the left, where Chinese names
/// have room on a phone), all in the campaign's red; `title` is the SVG's
/// accessible name.
pub fn bars(title: &str, labels: &[String], values: &[i64]) -> String {
    bars_in(title, labels, values, &[])
}

/// Bars with a colour each (`#rrggbb`, in the order of the labels): the
/// stages of a report in their own colours.
pub fn bars_in(title: &str, labels: &[String], values: &[i64], colours: &[&str]) -> String {
    let rows = labels.len().max(1) as u32;
    let size = (360, 40 + 30 * rows);
    let mut svg = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        let top = values.iter().copied().max().unwrap_or(0).max(1);
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(104)
            .build_cartesian_2d(
                0..top + top / 8 + 1,
                (0..labels.len().max(1)).into_segmented(),
            )?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(LINE)
            .axis_style(GREY)
            .x_labels(5)
            .y_labels(labels.len().max(1))
            .y_label_formatter(&|y| match y {
                SegmentValue::CenterOf(i) => labels.get(*i).map(|l| short(l)).unwrap_or_default(),
                _ => String::new(),
            })
            .label_style((FONT, 12).into_font().color(&INK))
            .draw()?;
        for (i, v) in values.iter().enumerate() {
            let colour = colours.get(i).map_or(RED, |c| rgb(c));
            chart.draw_series(
                Histogram::horizontal(&chart)
                    .style(colour.filled())
                    .margin(6)
                    .data([(i, *v)]),
            )?;
        }
        root.present()?;
        Ok(())
    })();
    if drawn.is_err() {
        return String::new();
    }
    titled(responsive(svg, size), title)
}

/// Lines over weeks: each series a name, its values and a colour (`true`:
/// the campaign's red, else grey).
pub fn lines(title: &str, labels: &[String], series: &[(&str, Vec<i64>, bool)]) -> String {
    let size = (360, 220);
    let mut svg = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        let top = series
            .iter()
            .flat_map(|s| s.1.iter().copied())
            .max()
            .unwrap_or(0)
            .max(1);
        let n = labels.len().max(2);
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(40)
            .build_cartesian_2d(0..n - 1, 0..top + top / 8 + 1)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(LINE)
            .axis_style(GREY)
            .x_labels(4)
            .y_labels(5)
            .x_label_formatter(&|i| labels.get(*i).cloned().unwrap_or_default())
            .label_style((FONT, 12).into_font().color(&INK))
            .draw()?;
        for (name, values, red) in series {
            let colour = if *red { RED } else { GREY };
            chart
                .draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(i, v)| (i, *v)),
                    colour.stroke_width(2),
                ))?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(LINE)
            .label_font((FONT, 12).into_font().color(&INK))
            .draw()?;
        root.present()?;
        Ok(())
    })();
    if drawn.is_err() {
        return String::new();
    }
    titled(responsive(svg, size), title)
}

/// A label that fits the label column: 7 characters at most (the table
/// under the chart has the whole name).
fn short(label: &str) -> String {
    if label.chars().count() > 7 {
        label.chars().take(6).chain(['…']).collect()
    } else {
        label.to_owned()
    }
}

/// Gives the SVG an accessible name (`role="img"` and a `<title>`).
fn titled(svg: String, title: &str) -> String {
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    match svg.find('>') {
        Some(i) => format!(
            "{} role=\"img\" aria-label=\"{title}\"><title>{title}</title>{}",
            &svg[..i],
            &svg[i + 1..]
        ),
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_scalable_named_svg() {
        let labels: Vec<String> = ["待审核", "已交办", "已销号"].map(String::from).to_vec();
        let svg = bars("问题状态", &labels, &[3, 10, 42]);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("width=\"100%\"") && svg.contains("viewBox=\"0 0 360 130\""));
        assert!(svg.contains("<title>问题状态</title>"));
        assert!(svg.contains("已交办"), "the labels are text");
        assert!(svg.matches("<rect").count() >= 3);
        // The stages' chart draws each bar in its stage's colour.
        let svg = bars_in(
            "问题状态",
            &labels,
            &[3, 10, 42],
            &["#1d4f91", "#c2410c", "#1b6e3a"],
        );
        for c in ["#1D4F91", "#C2410C", "#1B6E3A"] {
            assert!(svg.to_uppercase().contains(c), "{c} in {svg}");
        }
        let weeks: Vec<String> = (1..=12).map(|w| format!("第{w}周")).collect();
        let svg = lines(
            "近12周",
            &weeks,
            &[
                ("上报", (0..12).collect(), true),
                ("销号", vec![0; 12], false),
            ],
        );
        assert!(svg.contains("<polyline") || svg.contains("<path"), "{svg}");
        assert!(svg.contains("上报") && svg.contains("销号"));
        assert!(
            !bars("空", &[], &[]).is_empty(),
            "an empty chart still draws"
        );
    }
}

/// The dashboard's three charts, drawn from one overview.
#[derive(Debug, Clone)]
pub struct DashboardCharts {
    pub status: String,
    pub category: String,
    pub weekly: String,
}

impl DashboardCharts {
    pub fn of(overview: &crate::models::StatsOverview) -> Self {
        use crate::domain::ReportStatus;
        let r = &overview.reports;
        let statuses: Vec<(String, i64, &str)> = ReportStatus::ALL
            .iter()
            .filter(|s| !matches!(s, ReportStatus::Duplicate))
            .map(|s| {
                (
                    s.label().to_owned(),
                    r.by_status.get(s.as_str()).copied().unwrap_or(0),
                    s.colour(),
                )
            })
            .collect();
        let top: Vec<&crate::models::CategoryCount> = r.by_category.iter().take(6).collect();
        let weeks: Vec<String> = r.weekly.iter().map(|w| w.week[5..].to_owned()).collect();
        DashboardCharts {
            status: bars_in(
                "问题状态",
                &statuses.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
                &statuses.iter().map(|s| s.1).collect::<Vec<_>>(),
                &statuses.iter().map(|s| s.2).collect::<Vec<_>>(),
            ),
            category: bars(
                "问题类别",
                &top.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
                &top.iter().map(|c| c.count).collect::<Vec<_>>(),
            ),
            weekly: lines(
                "近12周上报与销号",
                &weeks,
                &[
                    ("上报", r.weekly.iter().map(|w| w.reported).collect(), true),
                    ("销号", r.weekly.iter().map(|w| w.closed).collect(), false),
                ],
            ),
        }
    }
}
