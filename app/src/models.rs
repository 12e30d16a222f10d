//! Data shapes shared by the server, the API and the browser.

use crate::domain::{AreaGeometry, AreaKind, ReportStatus, Role};
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
    /// Disabled by an admin: cannot log in, tokens refused.
    #[serde(default)]
    pub disabled: bool,
    /// The admin's reason, shown to admins only (absent elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    /// The privacy policy version the person accepted (none for accounts
    /// made by staff, until they accept one).
    #[serde(default)]
    pub privacy_version: Option<String>,
    /// The person chose to show their nickname on the points boards.
    #[serde(default)]
    pub show_name: bool,
}

/// An issued key as staff see it: never the key itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ApiKeyInfo {
    pub id: i64,
    /// The client, e.g. 12345热线; reports it files carry this name.
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub created_at: String,
    pub revoked: bool,
    /// Requests this client has filed.
    pub requests: i64,
}

/// The admin's filters for the user list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserFilter {
    /// A name, a whole or masked (`139****0004`) number, or 4+ digits of one.
    pub q: Option<String>,
    pub role: Option<String>,
    /// Only disabled accounts.
    pub disabled: Option<bool>,
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
    /// How many items the filter matches in all; with `total_is_estimate`,
    /// at least this many (lists count at most `COUNT_LIMIT` matches, a
    /// search at most its rarest term's newest 2,000 postings).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// `total` is a lower bound: there may be more matches than were counted.
    #[serde(default)]
    pub total_is_estimate: bool,
}

impl<T> Page<T> {
    /// The page `paging` asked for, holding `items` of `total`.
    pub fn of(items: Vec<T>, total: i64, paging: crate::domain::Paging) -> Self {
        Page {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
            total_is_estimate: false,
        }
    }

    /// The same, with a total counted up to a bound (`Total::estimate`).
    pub fn counted(items: Vec<T>, total: Total, paging: crate::domain::Paging) -> Self {
        Page {
            total_is_estimate: total.estimate,
            ..Page::of(items, total.n, paging)
        }
    }
}

/// A list's total: exact, or (`estimate`) at least `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub n: i64,
    pub estimate: bool,
}

impl Total {
    /// The most matches a list counts one by one; beyond it the total is
    /// this bound and an estimate. Each counted match costs an index entry
    /// or a row lookup (a common word: 12 ms of a core at 10,000, 1.2 ms at
    /// 1,000; docs/PERFORMANCE.md), so the bound is what one page may cost.
    pub const COUNT_LIMIT: i64 = 1_000;

    pub fn exact(n: i64) -> Self {
        Total { n, estimate: false }
    }

    /// From a count taken with `LIMIT COUNT_LIMIT + 1`.
    pub fn bounded(counted: i64) -> Self {
        Total {
            n: counted.min(Self::COUNT_LIMIT),
            estimate: counted > Self::COUNT_LIMIT,
        }
    }
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
    /// Codes of the badges earned.
    pub badges: Vec<String>,
    /// Every badge, earned or still open.
    pub badge_list: Vec<BadgeView>,
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

/// Who runs the portal, on every page (the law asks a public website to
/// say so): the city, its 主办单位, the hotline, the ICP filing number.
/// Empty strings until the city sets them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct PortalProfile {
    pub city: String,
    /// 主办单位, e.g. 嘉峪关市文明办.
    pub office: String,
    /// A number to call: digits, spaces and dashes.
    pub hotline: String,
    /// The ICP filing number (备案号), linked to the national registry.
    pub filing: String,
}

/// A report of mine waiting for my word on its fix (the home page's to-do
/// strip): `closed` when already 销号 (rate it), else 已整改 (confirm it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToDoReport {
    pub id: i64,
    pub closed: bool,
    pub category: String,
}

/// What waits for the signed-in person: unread messages, reports to confirm.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ToDo {
    pub unread: i64,
    pub reports: Vec<ToDoReport>,
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

/// A photo of a report; `kind` is `before` (as reported) or `after` (整改).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ReportPhoto {
    pub id: i64,
    pub url: String,
    pub thumb_url: String,
    pub kind: String,
    pub width: i64,
    pub height: i64,
}

/// One step of a report's public timeline. Who acted is shown as a role only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct TimelineEvent {
    pub at: String,
    /// `submitted`, `approved`, `rejected`, `merged`, `rectified`, `closed`,
    /// `reopened`, `confirmed`, `disputed`, `fixed_on_spot`, …
    pub action: String,
    /// `citizen` (the reporter), `moderator`, `unit_staff` or `system`.
    pub actor_role: String,
    pub note: String,
}

/// A 随手拍 report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Report {
    pub id: i64,
    pub category_id: i64,
    pub category_name: String,
    pub description: String,
    pub lat: f64,
    pub lon: f64,
    pub address: String,
    /// The 包街 segment or 网格 grid the position falls in, if any.
    #[serde(default)]
    pub area_name: Option<String>,
    pub status: ReportStatus,
    /// The status in Chinese: 待审核, 已交办, 已销号, …
    pub status_label: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// The 整改 deadline (RFC 3339), once assigned.
    pub deadline: Option<String>,
    /// Assigned and past its deadline.
    pub overdue: bool,
    pub created_at: String,
    pub updated_at: String,
    /// `null` when the reporter chose to hide their name.
    pub reporter_name: Option<String>,
    pub follower_count: i64,
    /// The reporter said "not fixed"; awaiting 督查.
    pub disputed: bool,
    /// Filed by staff on patrol and fixed at once (立行立改).
    pub fixed_on_spot: bool,
    /// For a `duplicate`: the report it was merged into.
    pub duplicate_of: Option<i64>,
    /// The reporter's verdict on the fix: `fixed`, `not_fixed` or `null`.
    pub reporter_verdict: Option<String>,
    pub photos: Vec<ReportPhoto>,
    pub timeline: Vec<TimelineEvent>,
    /// Whether the caller follows it (`null` when not signed in).
    pub following: Option<bool>,
    /// Whether the caller filed it (`null` when not signed in).
    pub mine: Option<bool>,
    /// Metres from the asked point (the duplicate hint only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub distance_m: Option<f64>,
    /// Where it came from: `web` (the app and the JSON API) or `open311`.
    #[serde(default)]
    pub source: String,
    /// An Open311 client's own link to its photo (never fetched by us).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub media_url: Option<String>,
    /// 我也看到: citizens who met the same problem and added their voice.
    #[serde(default)]
    pub seen_count: i64,
    /// 督办: urgings while the current unit has it.
    #[serde(default)]
    pub urge_count: i64,
    /// `null`, `yellow` (overdue) or `red` (overdue by its SLA again, or
    /// urged twice).
    #[serde(default)]
    pub escalation: Option<crate::domain::Escalation>,
    /// 满意度回访: the reporter's 1–5 stars, once given.
    #[serde(default)]
    pub rating: Option<i64>,
    /// Milliseconds to the deadline while a unit has it (`assigned`;
    /// negative once past), else `null`: the deadline clock.
    #[serde(default)]
    pub deadline_left_ms: Option<i64>,
    /// Whether the caller said 我也看到 (`null` when not signed in).
    #[serde(default)]
    pub seen: Option<bool>,
}

/// What a moderator weighs before re-routing a return: how often the unit
/// sent reports back in the last 90 days, and how many of those were sent
/// back to it (the return refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnHistory {
    pub returned: i64,
    pub refused: i64,
}

/// A place with many reports or followers this week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct HotPlace {
    pub lat: f64,
    pub lon: f64,
    pub address: String,
    /// The segment or grid of the place, if it is in one.
    #[serde(default)]
    pub area_name: Option<String>,
    pub reports: i64,
    pub followers: i64,
    /// The latest public report there, to open.
    pub report_id: i64,
    pub category_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct HotIssues {
    pub most_reported: Vec<HotPlace>,
    pub most_followed: Vec<HotPlace>,
    /// Segments and grids by this week's reports (我也看到 included).
    #[serde(default)]
    pub by_area: Vec<HotArea>,
}

/// A segment or grid with this week's reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct HotArea {
    pub area_id: i64,
    pub name: String,
    pub kind: AreaKind,
    pub unit_name: String,
    pub reports: i64,
    pub followers: i64,
    /// The latest public report there, to open.
    pub report_id: i64,
}

/// Where a position falls: the segment or grid, and the unit a report there
/// would go to (what the report form's pin says).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct PlaceAt {
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub area_kind: Option<AreaKind>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// In words, e.g. "新华中路（雄关东路—胜利路） · 交市住房和城乡建设局".
    pub label: String,
}

/// An in-app message (我的 → 消息).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub report_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub created_at: String,
    pub read: bool,
}

/// A volunteer duty post (志愿岗位): a place with a check-in fence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Post {
    pub id: i64,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
    pub description: String,
}

/// A shift of a post, with its places.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Shift {
    pub id: i64,
    pub post_id: i64,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
    pub taken: i64,
    pub waitlisted: i64,
    /// The caller's sign-up status on this shift, if signed in and signed up.
    pub my_status: Option<String>,
}

/// The answer to a sign-up: `confirmed`, or `waitlisted` at `position`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SignupResult {
    pub signup_id: i64,
    pub status: String,
    /// Place on the waitlist (1 = next), for `waitlisted`.
    pub position: Option<i64>,
}

/// One of my sign-ups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct MyShift {
    pub signup_id: i64,
    pub shift_id: i64,
    pub post_id: i64,
    pub starts_at: String,
    pub ends_at: String,
    /// `confirmed, waitlisted, cancelled, checked_in, completed, no_show`.
    pub status: String,
    pub position: Option<i64>,
    pub credited_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Scheduled {
    /// Shifts created by this call (0 when all existed already).
    pub created: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CheckedIn {
    pub checked_in_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CheckedOut {
    pub checked_out_at: String,
    pub credited_minutes: i64,
    /// Points this sign-up has earned in all.
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Attendance {
    pub signup_id: i64,
    pub status: String,
    pub credited_minutes: i64,
    /// Points this sign-up has earned in all, after the correction.
    pub points: i64,
}

/// One of the month's 志愿服务之星.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct VolunteerStar {
    /// Equal minutes share a rank.
    pub rank: i64,
    pub display_name: String,
    pub minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct VolunteerStars {
    /// `YYYY-MM` in the city's time.
    pub month: String,
    pub stars: Vec<VolunteerStar>,
}

/// A volunteer's own totals: credited time this month (city time) and in
/// all, and the points it has earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct VolunteerHours {
    pub month_minutes: i64,
    pub total_minutes: i64,
    pub points: i64,
    /// Completed shifts in all.
    pub shifts: i64,
    /// Self sign-up is suspended until then (RFC 3339), after two no-shows.
    pub suspended_until: Option<String>,
}

/// One sign-up on a shift's attendance list (staff only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AttendanceRow {
    pub signup_id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub phone_masked: String,
    /// `confirmed, waitlisted, cancelled, checked_in, completed, no_show`.
    pub status: String,
    pub position: Option<i64>,
    pub checked_in_at: Option<String>,
    pub checked_out_at: Option<String>,
    pub credited_minutes: Option<i64>,
    pub points: i64,
}

/// A shift's attendance list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ShiftAttendance {
    pub shift: Shift,
    pub post: Post,
    pub signups: Vec<AttendanceRow>,
}

/// A volunteer whose self sign-up is suspended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct SuspendedVolunteer {
    pub user_id: i64,
    pub display_name: String,
    pub phone_masked: String,
    pub until: String,
}

/// A gift in the shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Gift {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub cost: i64,
    /// Units left.
    pub stock: i64,
    /// Hidden gifts are not in the catalogue (staff still see them).
    pub hidden: bool,
    pub photo_url: Option<String>,
}

/// A gift redeemed: its pickup code and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Redemption {
    pub id: i64,
    pub gift_id: i64,
    pub gift_name: String,
    /// Points it cost (refunded on cancellation).
    pub cost: i64,
    pub code: String,
    /// `pending_pickup`, `fulfilled` or `cancelled`.
    pub status: String,
    pub status_label: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A place on a leaderboard (display names only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct LeaderRow {
    /// Equal values share a rank.
    pub rank: i64,
    pub display_name: String,
    /// Points, or volunteer hours (one decimal).
    pub value: f64,
}

/// A badge and when the person earned it (`None`: still open).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct BadgeView {
    pub code: String,
    pub name: String,
    pub description: String,
    pub earned_at: Option<String>,
}

/// A 好人 campaign: two windows and the vote limits. Times are RFC 3339 in
/// the city's zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Campaign {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub nomination_starts_at: String,
    pub nomination_ends_at: String,
    pub voting_starts_at: String,
    pub voting_ends_at: String,
    pub votes_per_day: i64,
    pub min_account_age_hours: i64,
    /// `upcoming`, `nominating`, `reviewing`, `voting` or `ended`.
    pub phase: String,
    pub phase_label: String,
    /// Nominations accepted now / votes accepted now (the windows may
    /// overlap).
    pub nominating_open: bool,
    pub voting_open: bool,
    /// The next change (e.g. `投票截止`) and how long until it, in words
    /// and in milliseconds since the epoch, for a countdown.
    pub next_deadline: Option<String>,
    pub next_deadline_at: Option<i64>,
    pub next_deadline_in: Option<String>,
    /// Approved nominations, and winners marked.
    pub nomination_count: i64,
    pub winner_count: i64,
}

/// A nomination. The public sees approved ones; the nominator and moderators
/// also see the others, with the review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Nomination {
    pub id: i64,
    pub campaign_id: i64,
    pub campaign_title: String,
    pub nominee_name: String,
    pub category: String,
    pub story: String,
    pub photo_url: Option<String>,
    pub thumb_url: Option<String>,
    /// `pending_review`, `approved` or `rejected`.
    pub status: String,
    pub status_label: String,
    pub reject_reason: Option<String>,
    pub vote_count: i64,
    pub winner: bool,
    /// The nominator's display name: moderators only.
    pub nominator_name: Option<String>,
    pub created_at: String,
}

/// The answer to a vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct VoteResult {
    pub nomination_id: i64,
    pub vote_count: i64,
    /// Votes the voter has left in this campaign today (city time).
    pub votes_left_today: i64,
    /// Points paid for the day's first vote (0 when not the first).
    pub points: i64,
}

/// One line of a campaign's ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct RankedNomination {
    /// Competition rank: equal votes share a rank.
    pub rank: i64,
    pub nomination_id: i64,
    pub nominee_name: String,
    pub category: String,
    pub vote_count: i64,
    pub winner: bool,
}

/// What a signed-in person may still do in a campaign today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct MyVotes {
    pub votes_left_today: i64,
    /// Nominations voted for today.
    pub voted_today: Vec<i64>,
    /// Why this account may not vote yet, if so.
    pub refused: Option<String>,
}

/// A 创城信箱 suggestion and, once given, the office's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct Suggestion {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub answer: Option<String>,
    /// The answer is listed for everyone (else its author alone sees it).
    pub public: bool,
    pub answered_at: Option<String>,
    pub created_at: String,
    /// The author's display name: staff only.
    pub author_name: Option<String>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub detail: String,
}

/// `GET /stats/overview`: the public summary of the campaign's problems.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct StatsOverview {
    pub reports: ReportStats,
    /// Credited volunteer minutes in shifts that started this month.
    pub volunteer_minutes_this_month: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct ReportStats {
    /// Every status with its count (zeros included).
    pub by_status: std::collections::BTreeMap<String, i64>,
    /// Problems (assigned, rectified, closed) per category, most first.
    pub by_category: Vec<CategoryCount>,
    /// Assigned and past the deadline now.
    pub overdue: i64,
    /// Closed problems rectified by their deadline, 0–1; null before any.
    pub on_time_rate: Option<f64>,
    /// Closed within a day of the report (立行立改) / later (限期整改).
    pub closed_same_day: i64,
    pub closed_later: i64,
    /// Reports made and closed per week (city time), the last 12 weeks.
    pub weekly: Vec<WeekCount>,
    /// 满意度回访: reports rated by their reporters, and of those 4–5 stars.
    #[serde(default)]
    pub rated: i64,
    #[serde(default)]
    pub satisfied: i64,
    /// satisfied ÷ rated, 0–1; null before any rating.
    #[serde(default)]
    pub satisfaction_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct CategoryCount {
    pub category_id: i64,
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct WeekCount {
    /// The Monday the week starts, `YYYY-MM-DD`.
    pub week: String,
    pub reported: i64,
    pub closed: i64,
}

/// `GET /stats/units`: one unit's month for the 通报.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct UnitMonth {
    /// 1 = best: the highest on-time rate, then the fewest overdue.
    pub rank: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// Problems handed to the unit (交办) that month.
    pub assigned: i64,
    /// Closed (销号) that month, and of those rectified by the deadline.
    pub closed: i64,
    pub closed_on_time: i64,
    /// Deadlines that fell in the month (and have passed) without a
    /// rectification in time.
    pub overdue: i64,
    /// Sent back for rework (返工) that month.
    pub reopened: i64,
    /// closed_on_time / closed, 0–1; null when nothing was closed.
    pub on_time_rate: Option<f64>,
    /// Reports the unit sent back (退回) that month.
    #[serde(default)]
    pub returned: i64,
    /// Urgings (督办) of reports while the unit had them, that month.
    #[serde(default)]
    pub urged: i64,
    /// Ratings given that month to reports the unit rectified, and of those
    /// 4–5 stars (satisfied).
    #[serde(default)]
    pub rated: i64,
    #[serde(default)]
    pub satisfied: i64,
}

/// Staff detail: per unit and per area, now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct StatsDetail {
    pub by_unit: Vec<UnitNow>,
    pub by_area: Vec<AreaCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct UnitNow {
    pub unit_id: i64,
    pub unit_name: String,
    /// Assigned or rectified and not yet closed.
    pub open: i64,
    pub overdue: i64,
    pub closed: i64,
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub struct AreaCount {
    pub area_id: i64,
    pub name: String,
    /// `segment` (包街路段) or `grid` (网格).
    pub kind: String,
    /// Problems (assigned, rectified, closed) in the area.
    pub count: i64,
    pub open: i64,
}

/// The privacy policy as the `/privacy` page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyPage {
    pub version: String,
    pub updated_at: String,
    pub html: String,
}

/// `GET/PUT /api/v1/admin/sms`: today's sends against the city's ceiling.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SmsBudget {
    pub daily_ceiling: i64,
    pub sent_today: i64,
}
