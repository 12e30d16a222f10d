//! 随手拍 reports: the status machine of the closed loop, routing (包街), the
//! rules on what a report holds, and the search terms of Chinese text.

use super::time::{DAY_MS, HOUR_MS};

use serde::{Deserialize, Serialize};

use super::geo::{AreaGeometry, AreaKind, GeoPoint};

/// Where a report is in the closed loop 交办 → 整改 → 督查 → 销号. Nothing
/// but [`ReportStatus::after`] moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    PendingReview,
    Rejected,
    Assigned,
    /// 退回: the unit says it is not theirs; a moderator routes it again.
    Returned,
    Rectified,
    Closed,
    Duplicate,
}

/// What a person does to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Moderator: 交办 to a unit.
    Approve,
    /// Moderator: not a valid report.
    Reject,
    /// Moderator: the same problem as an earlier report.
    Merge,
    /// Unit staff: 整改 with after photos.
    Rectify,
    /// Moderator: 督查 passed, 销号.
    Close,
    /// Moderator: 督查 failed, 返工.
    Reopen,
    /// Reporter: "closed but not fixed" — back to verification.
    Dispute,
    /// Unit staff: 退回, not this unit's problem.
    Return,
    /// Moderator: route a returned report again (another unit, or the same
    /// one when the return is refused).
    Reassign,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 7] = [
        ReportStatus::PendingReview,
        ReportStatus::Rejected,
        ReportStatus::Assigned,
        ReportStatus::Returned,
        ReportStatus::Rectified,
        ReportStatus::Closed,
        ReportStatus::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::PendingReview => "pending_review",
            ReportStatus::Rejected => "rejected",
            ReportStatus::Assigned => "assigned",
            ReportStatus::Returned => "returned",
            ReportStatus::Rectified => "rectified",
            ReportStatus::Closed => "closed",
            ReportStatus::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| "未知的状态".to_owned())
    }

    /// The word citizens see.
    pub fn label(self) -> &'static str {
        match self {
            ReportStatus::PendingReview => "待审核",
            ReportStatus::Rejected => "未通过",
            ReportStatus::Assigned => "已交办",
            ReportStatus::Returned => "退回改派中",
            ReportStatus::Rectified => "已整改待督查",
            ReportStatus::Closed => "已销号",
            ReportStatus::Duplicate => "已合并",
        }
    }

    /// The one colour of this stage everywhere it shows (list badges, map
    /// pins and legend, the dashboard's chart): white text on it reads at
    /// 4.5:1 or more. `style/main.css` declares the same colours on the
    /// `st-<status>` classes (a test holds the two together).
    pub fn colour(self) -> &'static str {
        match self {
            ReportStatus::PendingReview => "#1d4f91",
            ReportStatus::Assigned => "#c2410c",
            ReportStatus::Returned => "#5b3f99",
            ReportStatus::Rectified => "#8a5a00",
            ReportStatus::Closed => "#1b6e3a",
            ReportStatus::Rejected | ReportStatus::Duplicate => "#6b6b6b",
        }
    }

    /// The class that carries the stage's colour (`--st`) in the CSS.
    pub fn css_class(self) -> &'static str {
        match self {
            ReportStatus::PendingReview => "st-pending_review",
            ReportStatus::Rejected => "st-rejected",
            ReportStatus::Assigned => "st-assigned",
            ReportStatus::Returned => "st-returned",
            ReportStatus::Rectified => "st-rectified",
            ReportStatus::Closed => "st-closed",
            ReportStatus::Duplicate => "st-duplicate",
        }
    }

    /// The next status, or `None` when the transition is not allowed from
    /// here (409 `invalid_transition`).
    pub fn after(self, t: Transition) -> Option<ReportStatus> {
        use ReportStatus::*;
        use Transition as T;
        match (self, t) {
            (PendingReview, T::Approve) => Some(Assigned),
            (PendingReview, T::Reject) => Some(Rejected),
            (PendingReview, T::Merge) => Some(Duplicate),
            (Assigned, T::Rectify) => Some(Rectified),
            (Rectified, T::Close) => Some(Closed),
            (Rectified, T::Reopen) => Some(Assigned),
            (Closed, T::Dispute) => Some(Rectified),
            (Assigned, T::Return) => Some(Returned),
            (Returned, T::Reassign) => Some(Assigned),
            _ => None,
        }
    }

    /// The statuses a transition may start from (for conditional updates).
    pub fn sources(t: Transition) -> Vec<ReportStatus> {
        Self::ALL
            .into_iter()
            .filter(|s| s.after(t).is_some())
            .collect()
    }

    /// Seen by everybody: what a moderator approved. A duplicate was merged
    /// without being approved, so it stays with its reporter and the
    /// moderators (its reporter follows the original instead).
    pub fn is_public(self) -> bool {
        matches!(
            self,
            ReportStatus::Assigned
                | ReportStatus::Returned
                | ReportStatus::Rectified
                | ReportStatus::Closed
        )
    }

    /// Still a problem on the street.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReportStatus::Assigned | ReportStatus::Returned | ReportStatus::Rectified
        )
    }
}

/// A timeline action in words.
pub fn action_label(action: &str) -> &'static str {
    match action {
        "submitted" => "提交报告",
        "assigned" => "巡查上报，直接交办",
        "approved" => "审核通过，已交办",
        "rejected" => "未通过审核",
        "merged" => "与已有报告重复，已合并",
        "merged_in" => "合并了一条重复报告",
        "rectified" => "责任单位已整改",
        "closed" => "督查通过，已销号",
        "reopened" => "督查未通过，返工",
        "confirmed" => "举报人确认已解决",
        "disputed" => "举报人反馈没有解决",
        "fixed_on_spot" => "立行立改，当场解决",
        "returned" => "责任单位退回：不属本单位职责",
        "reassigned" => "创城办重新交办",
        "urged" => "创城办督办",
        "escalated" => "超期督办",
        _ => "更新",
    }
}

/// Who acted, as the public timeline says it.
pub fn role_label(role: &str) -> &'static str {
    match role {
        "citizen" => "举报人",
        "moderator" => "创城办",
        "unit_staff" => "责任单位",
        _ => "系统",
    }
}

/// `2026-11-25T09:30:00+08:00` → `2026-11-25 09:30`.
pub fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replacen('T', " ", 1)
}

/// Photos per report and per rectification.
pub const MAX_PHOTOS: usize = 4;
/// Bytes per uploaded photo, before processing.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// Radius of the duplicate hint.
pub const DUPLICATE_RADIUS_M: f64 = 100.0;
/// Age of the reports the duplicate hint looks at.
pub const DUPLICATE_WINDOW_MS: i64 = 72 * HOUR_MS;
/// How long after 销号 the reporter can still say "not fixed".
pub const FEEDBACK_WINDOW_MS: i64 = 14 * DAY_MS;

/// Checks the number of photos of a report or a rectification.
pub fn photo_count(n: usize) -> Result<(), String> {
    if n == 0 {
        Err("请至少上传1张照片".into())
    } else if n > MAX_PHOTOS {
        Err(format!("最多上传{MAX_PHOTOS}张照片"))
    } else {
        Ok(())
    }
}

/// What the reporter wrote: 2–500 characters.
pub fn description(input: &str) -> Result<String, String> {
    let t = super::clean_text(input, 500, "请描述一下问题")?;
    if t.chars().count() < 2 {
        return Err("请至少写2个字".into());
    }
    Ok(t)
}

/// An address line, optional, at most 100 characters.
pub fn address(input: Option<&str>) -> Result<String, String> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(String::new()),
        Some(a) => super::clean_text(a, 100, ""),
    }
}

/// A phone's own id for a report (letters, digits and dashes, 8–64).
pub fn client_ref(input: &str) -> Result<String, String> {
    let ok = (8..=64).contains(&input.len())
        && input
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(input.to_owned())
    } else {
        Err("client_ref 应为8到64位字母、数字或-".into())
    }
}

/// A deadline override in days (1–90).
pub fn deadline_days(days: i64) -> Result<i64, String> {
    if (1..=90).contains(&days) {
        Ok(days)
    } else {
        Err("整改期限应在1到90天之间".into())
    }
}

/// A rectangle to black out on a photo, as fractions of its width and height,
/// so the browser can draw it on a thumbnail of any size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Redaction {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Redaction {
    pub fn parse(self) -> Result<Self, String> {
        let Redaction { x, y, w, h } = self;
        let ok = [x, y, w, h].iter().all(|v| v.is_finite())
            && (0.0..1.0).contains(&x)
            && (0.0..1.0).contains(&y)
            && w > 0.0
            && h > 0.0
            && x + w <= 1.0 + 1e-3
            && y + h <= 1.0 + 1e-3;
        if ok {
            Ok(self)
        } else {
            Err("遮挡区域应在照片范围内".into())
        }
    }

    /// The rectangle in pixels of a `width` × `height` image, at least 1×1.
    pub fn pixels(self, width: u32, height: u32) -> (u32, u32, u32, u32) {
        let px = |f: f64, full: u32| ((f * full as f64).floor() as u32).min(full.saturating_sub(1));
        let x = px(self.x, width);
        let y = px(self.y, height);
        let w = ((self.w * width as f64).ceil() as u32).clamp(1, width - x);
        let h = ((self.h * height as f64).ceil() as u32).clamp(1, height - y);
        (x, y, w, h)
    }
}

/// An area as routing sees it.
#[derive(Debug, Clone, Copy)]
pub struct RoutableArea<'a> {
    pub id: i64,
    pub kind: AreaKind,
    pub unit_id: i64,
    pub geometry: &'a AreaGeometry,
}

/// 包街 routing: the nearest road segment whose buffer (or polygon) holds the
/// point, else the grid that contains it (the lowest id if grids overlap).
pub fn route_area<'a>(p: GeoPoint, areas: &[RoutableArea<'a>]) -> Option<RoutableArea<'a>> {
    let segment = areas
        .iter()
        .filter(|a| a.kind == AreaKind::Segment)
        .filter_map(|a| a.geometry.distance_m(p).map(|d| (d, a)))
        .min_by(|(d1, a1), (d2, a2)| d1.total_cmp(d2).then(a1.id.cmp(&a2.id)))
        .map(|(_, a)| *a);
    segment.or_else(|| {
        areas
            .iter()
            .filter(|a| a.kind == AreaKind::Grid)
            .filter(|a| a.geometry.distance_m(p).is_some())
            .min_by_key(|a| a.id)
            .copied()
    })
}

/// Where something is, in words: its segment or grid and the address typed
/// ("雄关东路 · 新华南路口"), either alone (the address alone when it already
/// names the place), or nothing.
pub fn place_text(area: Option<&str>, address: &str) -> Option<String> {
    let address = address.trim();
    match (area, address.is_empty()) {
        (Some(a), false) if !address.contains(a) => Some(format!("{a} · {address}")),
        (Some(a), true) => Some(a.to_owned()),
        (_, false) => Some(address.to_owned()),
        (None, true) => None,
    }
}

/// Who gets the report: the moderator's choice, else the category's own unit
/// (traffic → 交警支队), else the owner of the segment or grid.
pub fn responsible_unit(
    chosen: Option<i64>,
    category_unit: Option<i64>,
    area_unit: Option<i64>,
) -> Option<i64> {
    chosen.or(category_unit).or(area_unit)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[derive(PartialEq)]
enum Run {
    Cjk,
    Word,
}

fn runs(text: &str) -> Vec<(Run, Vec<char>)> {
    let mut out: Vec<(Run, Vec<char>)> = Vec::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let kind = if is_cjk(c) {
            Run::Cjk
        } else if c.is_alphanumeric() {
            Run::Word
        } else {
            out.push((Run::Word, vec![]));
            continue;
        };
        match out.last_mut() {
            Some((k, chars)) if *k == kind => chars.push(c),
            _ => out.push((kind, vec![c])),
        }
    }
    out.retain(|(_, chars)| !chars.is_empty());
    out
}

/// The index terms of a text: every single Chinese character and every pair
/// of neighbouring ones (so 2-character words such as 垃圾 or 停车 are found
/// exactly), and whole words of letters and digits, lower-cased.
pub fn index_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for (kind, chars) in runs(text) {
        match kind {
            Run::Cjk => {
                terms.extend(chars.iter().map(|c| c.to_string()));
                terms.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
            }
            Run::Word => terms.push(chars.iter().take(32).collect()),
        }
    }
    terms.sort();
    terms.dedup();
    terms
}

/// The terms a query must all match: pairs of neighbouring Chinese characters
/// (a lone character stands for itself) and whole words. At most 16.
pub fn query_terms(q: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for (kind, chars) in runs(q) {
        match kind {
            Run::Cjk if chars.len() == 1 => terms.push(chars[0].to_string()),
            Run::Cjk => terms.extend(chars.windows(2).map(|w| w.iter().collect::<String>())),
            Run::Word => terms.push(chars.iter().take(32).collect()),
        }
    }
    terms.sort();
    terms.dedup();
    terms.truncate(16);
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_in_words() {
        assert_eq!(
            place_text(Some("雄关东路"), "新华南路口").as_deref(),
            Some("雄关东路 · 新华南路口")
        );
        assert_eq!(
            place_text(Some("雄关东路"), " 雄关东路88号 ").as_deref(),
            Some("雄关东路88号")
        );
        assert_eq!(
            place_text(Some("雄关东路"), "").as_deref(),
            Some("雄关东路")
        );
        assert_eq!(
            place_text(None, "新华南路口").as_deref(),
            Some("新华南路口")
        );
        assert_eq!(place_text(None, "  "), None);
    }
    use ReportStatus::*;
    use Transition as T;

    #[test]
    fn only_the_loop_is_allowed() {
        assert_eq!(PendingReview.after(T::Approve), Some(Assigned));
        assert_eq!(PendingReview.after(T::Reject), Some(Rejected));
        assert_eq!(PendingReview.after(T::Merge), Some(Duplicate));
        assert_eq!(Assigned.after(T::Rectify), Some(Rectified));
        assert_eq!(Rectified.after(T::Close), Some(Closed));
        assert_eq!(Rectified.after(T::Reopen), Some(Assigned));
        assert_eq!(Closed.after(T::Dispute), Some(Rectified));
        // A few that must never happen.
        assert_eq!(Assigned.after(T::Approve), None);
        assert_eq!(PendingReview.after(T::Rectify), None);
        assert_eq!(Assigned.after(T::Close), None);
        assert_eq!(Rejected.after(T::Approve), None);
        assert_eq!(Closed.after(T::Reopen), None);
        assert_eq!(Duplicate.after(T::Merge), None);
        // Terminal states go nowhere but a dispute of a closed one.
        for t in [
            T::Approve,
            T::Reject,
            T::Merge,
            T::Rectify,
            T::Close,
            T::Reopen,
            T::Dispute,
        ] {
            assert_eq!(Rejected.after(t), None);
            assert_eq!(Duplicate.after(t), None);
        }
        assert_eq!(ReportStatus::sources(T::Merge), vec![PendingReview]);
        assert_eq!(
            Assigned.after(T::Merge),
            None,
            "a unit's task never vanishes"
        );
    }

    #[test]
    fn status_codes_round_trip_and_visibility() {
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(s.as_str()), Ok(s));
        }
        assert!(ReportStatus::parse("open").is_err());
        assert!(!PendingReview.is_public() && !Rejected.is_public());
        assert!(Assigned.is_public() && Rectified.is_public() && Closed.is_public());
        assert!(!Duplicate.is_public(), "never approved, so never public");
        assert!(Assigned.is_open() && Rectified.is_open() && !Closed.is_open());
    }

    #[test]
    fn words_for_the_timeline() {
        assert_eq!(action_label("closed"), "督查通过，已销号");
        assert_eq!(role_label("unit_staff"), "责任单位");
        assert_eq!(role_label("anything"), "系统");
        assert_eq!(short_time("2026-11-25T09:30:00+08:00"), "2026-11-25 09:30");
        assert_eq!(short_time("x"), "x");
    }

    #[test]
    fn report_fields() {
        assert!(photo_count(0).is_err());
        assert!(photo_count(1).is_ok() && photo_count(4).is_ok());
        assert!(photo_count(5).is_err());
        assert_eq!(description("  路边有垃圾 ").unwrap(), "路边有垃圾");
        assert!(description("脏").is_err());
        assert!(description(&"字".repeat(501)).is_err());
        assert_eq!(address(None).unwrap(), "");
        assert_eq!(address(Some("  ")).unwrap(), "");
        assert_eq!(address(Some(" 新华路 ")).unwrap(), "新华路");
        assert!(address(Some(&"路".repeat(101))).is_err());
        assert!(deadline_days(0).is_err() && deadline_days(91).is_err());
        assert!(client_ref("3f2a9c1e-77b0-4c1a-9d52-0a1b2c3d4e5f").is_ok());
        assert!(client_ref("short").is_err());
        assert!(client_ref("has space in it").is_err());
        assert!(client_ref(&"a".repeat(65)).is_err());
        assert_eq!(deadline_days(7), Ok(7));
    }

    #[test]
    fn redactions_stay_inside_the_photo() {
        let r = |x, y, w, h| Redaction { x, y, w, h }.parse();
        assert!(r(0.1, 0.1, 0.2, 0.2).is_ok());
        assert!(r(0.0, 0.0, 1.0, 1.0).is_ok());
        assert!(r(0.5, 0.5, 0.6, 0.1).is_err());
        assert!(r(-0.1, 0.0, 0.1, 0.1).is_err());
        assert!(r(0.1, 0.1, 0.0, 0.1).is_err());
        assert!(r(f64::NAN, 0.1, 0.1, 0.1).is_err());
        let px = r(0.25, 0.5, 0.5, 0.5).unwrap().pixels(400, 300);
        assert_eq!(px, (100, 150, 200, 150));
        // A sliver still covers a pixel and never runs off the edge.
        let px = r(0.999, 0.999, 0.001, 0.001).unwrap().pixels(10, 10);
        assert_eq!(px, (9, 9, 1, 1));
    }

    fn square(lon: f64, lat: f64, d: f64) -> AreaGeometry {
        AreaGeometry::Polygon {
            polygon: vec![vec![
                [lon, lat],
                [lon + d, lat],
                [lon + d, lat + d],
                [lon, lat + d],
                [lon, lat],
            ]],
        }
    }

    #[test]
    fn routing_prefers_the_nearest_segment_then_the_grid() {
        // A grid over the whole town, two parallel streets 0.001° (≈111 m)
        // apart, each with a 30 m buffer.
        let grid = square(98.28, 39.76, 0.02);
        let street_a = AreaGeometry::Line(super::super::LineBuffer {
            line: vec![[98.28, 39.770], [98.30, 39.770]],
            buffer_m: 30.0,
        });
        let street_b = AreaGeometry::Line(super::super::LineBuffer {
            line: vec![[98.28, 39.771], [98.30, 39.771]],
            buffer_m: 30.0,
        });
        let areas = [
            RoutableArea {
                id: 1,
                kind: AreaKind::Grid,
                unit_id: 10,
                geometry: &grid,
            },
            RoutableArea {
                id: 2,
                kind: AreaKind::Segment,
                unit_id: 20,
                geometry: &street_a,
            },
            RoutableArea {
                id: 3,
                kind: AreaKind::Segment,
                unit_id: 30,
                geometry: &street_b,
            },
        ];
        let at = |lat, lon| route_area(GeoPoint { lat, lon }, &areas).map(|a| a.id);
        assert_eq!(at(39.7701, 98.29), Some(2), "11 m from street A");
        assert_eq!(at(39.7709, 98.29), Some(3), "11 m from street B");
        assert_eq!(at(39.7650, 98.29), Some(1), "far from both: the grid");
        assert_eq!(at(39.7900, 98.29), None, "outside everything");
        assert_eq!(responsible_unit(None, None, Some(20)), Some(20));
        assert_eq!(responsible_unit(None, Some(5), Some(20)), Some(5));
        assert_eq!(responsible_unit(Some(7), Some(5), Some(20)), Some(7));
        assert_eq!(responsible_unit(None, None, None), None);
    }

    #[test]
    fn polygons_with_holes_and_distances() {
        let mut g = square(98.28, 39.76, 0.02);
        if let AreaGeometry::Polygon { polygon } = &mut g {
            polygon.push(vec![
                [98.289, 39.769],
                [98.291, 39.769],
                [98.291, 39.771],
                [98.289, 39.771],
                [98.289, 39.769],
            ]);
        }
        assert_eq!(
            g.distance_m(GeoPoint {
                lat: 39.765,
                lon: 98.285
            }),
            Some(0.0)
        );
        assert_eq!(
            g.distance_m(GeoPoint {
                lat: 39.770,
                lon: 98.290
            }),
            None,
            "in the hole"
        );
        let a = GeoPoint {
            lat: 39.77,
            lon: 98.29,
        };
        let b = GeoPoint {
            lat: 39.771,
            lon: 98.29,
        };
        assert!((a.distance_m(b) - 111.2).abs() < 1.0, "{}", a.distance_m(b));
        let (min_lat, max_lat, min_lon, max_lon) = a.bounds_within(100.0);
        assert!(min_lat < 39.77 && max_lat > 39.77 && min_lon < 98.29 && max_lon > 98.29);
        assert!(
            a.distance_m(GeoPoint {
                lat: max_lat,
                lon: 98.29
            }) >= 100.0
        );
    }

    #[test]
    fn chinese_search_terms() {
        let idx = index_terms("新华路口有人乱停车，垃圾没人清理 ABC-12");
        for t in ["停车", "垃圾", "新华", "乱", "abc", "12"] {
            assert!(idx.contains(&t.to_string()), "{t} in {idx:?}");
        }
        assert_eq!(query_terms("垃圾"), vec!["垃圾"]);
        assert_eq!(query_terms("乱停车"), vec!["乱停", "停车"]);
        assert_eq!(query_terms("路"), vec!["路"]);
        assert_eq!(query_terms(" ，。 "), Vec::<String>::new());
        assert_eq!(query_terms("ABC 停车"), vec!["abc", "停车"]);
        // Every query term of a text is among its index terms.
        let text = "小区门口电动车乱停乱放";
        let idx = index_terms(text);
        assert!(query_terms(text).iter().all(|t| idx.contains(t)));
        assert!(query_terms(&"字".repeat(100)).len() <= 16);
    }

    /// Every stage has one colour, the CSS declares exactly it on the
    /// stage's class, and white text on it reads at WCAG AA (4.5:1).
    #[test]
    fn each_stage_has_one_colour_in_rust_and_css() {
        let css = include_str!("../../../style/main.css");
        for s in ReportStatus::ALL {
            let rule = format!(".{} {{ --st: {}; }}", s.css_class(), s.colour());
            assert_eq!(css.matches(&rule).count(), 1, "{rule} in style/main.css");
            let hex = u32::from_str_radix(&s.colour()[1..], 16).unwrap();
            let lum = |shift: u32| {
                let c = f64::from((hex >> shift) & 0xff) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            let l = 0.2126 * lum(16) + 0.7152 * lum(8) + 0.0722 * lum(0);
            let contrast = 1.05 / (l + 0.05);
            assert!(contrast >= 4.5, "{:?} on white text: {contrast:.2}", s);
        }
        assert_eq!(css.matches("--st: ").count(), ReportStatus::ALL.len());
    }
}
