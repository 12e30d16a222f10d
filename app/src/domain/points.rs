use serde::{Deserialize, Serialize};

/// A change to a balance: non-zero and bounded, so that a typo cannot mint a
/// fortune.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct PointsDelta(i64);

impl PointsDelta {
    pub const MAX_ABS: i64 = 100_000;

    pub fn parse(v: i64) -> Result<Self, String> {
        if v == 0 {
            return Err("积分变动不能为0".into());
        }
        // unsigned_abs: i64::MIN has no positive counterpart.
        if v.unsigned_abs() > Self::MAX_ABS as u64 {
            return Err(format!("单次积分变动不能超过{}", Self::MAX_ABS));
        }
        Ok(Self(v))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for PointsDelta {
    type Error = String;
    fn try_from(v: i64) -> Result<Self, String> {
        Self::parse(v)
    }
}

impl From<PointsDelta> for i64 {
    fn from(d: PointsDelta) -> i64 {
        d.0
    }
}

/// Why points moved. The stored code is stable; earnings are idempotent per
/// (reason, reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsReason {
    ReportApproved,
    ReportConfirmed,
    VolunteerHours,
    NominationApproved,
    DailyVote,
    AdminAdjust,
    GiftRedeemed,
    GiftRefunded,
    Reversal,
}

impl PointsReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReportApproved => "report_approved",
            Self::ReportConfirmed => "report_confirmed",
            Self::VolunteerHours => "volunteer_hours",
            Self::NominationApproved => "nomination_approved",
            Self::DailyVote => "daily_vote",
            Self::AdminAdjust => "admin_adjust",
            Self::GiftRedeemed => "gift_redeemed",
            Self::GiftRefunded => "gift_refunded",
            Self::Reversal => "reversal",
        }
    }

    pub fn label(code: &str) -> &'static str {
        match code {
            "report_approved" => "随手拍审核通过",
            "report_confirmed" => "确认整改完成",
            "volunteer_hours" => "志愿服务时长",
            "nomination_approved" => "好人推荐通过",
            "daily_vote" => "每日投票",
            "admin_adjust" => "人工调整",
            "gift_redeemed" => "兑换礼品",
            "gift_refunded" => "取消兑换退回",
            "reversal" => "冲正",
            _ => "其他",
        }
    }

    /// Spending and refunds move the balance but not the lifetime total that
    /// levels are measured by; everything else (earnings, adjustments,
    /// reversals of earnings) moves both.
    pub fn counts_toward_lifetime(self) -> bool {
        !matches!(self, Self::GiftRedeemed | Self::GiftRefunded)
    }
}

/// Levels by lifetime points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Trainee,
    Woodpecker,
    Gold,
    Guardian,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::Trainee,
        Level::Woodpecker,
        Level::Gold,
        Level::Guardian,
    ];

    pub fn threshold(self) -> i64 {
        match self {
            Level::Trainee => 0,
            Level::Woodpecker => 100,
            Level::Gold => 500,
            Level::Guardian => 2000,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Trainee => "见习啄木鸟",
            Level::Woodpecker => "啄木鸟",
            Level::Gold => "金牌啄木鸟",
            Level::Guardian => "啄木鸟卫士",
        }
    }

    pub fn for_lifetime(lifetime: i64) -> Level {
        Self::ALL
            .into_iter()
            .rev()
            .find(|l| lifetime >= l.threshold())
            .unwrap_or(Level::Trainee)
    }

    /// The next level and how many points are missing, if any.
    pub fn next(lifetime: i64) -> Option<(Level, i64)> {
        Self::ALL
            .into_iter()
            .find(|l| l.threshold() > lifetime)
            .map(|l| (l, l.threshold() - lifetime))
    }
}

/// The earning rules an admin may change (DESIGN §3). A report's own points
/// come from its category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EarningRules {
    /// The reporter confirms a closed report is fixed.
    pub report_confirmed: i64,
    /// Per credited volunteer hour, paid pro rata per minute.
    pub volunteer_per_hour: i64,
    pub nomination_approved: i64,
    /// The first vote of a day.
    pub daily_vote: i64,
    /// At most this many points a day from approved reports.
    pub report_daily_cap: i64,
}

impl Default for EarningRules {
    fn default() -> Self {
        EarningRules {
            report_confirmed: 2,
            volunteer_per_hour: 10,
            nomination_approved: 20,
            daily_vote: 1,
            report_daily_cap: 50,
        }
    }
}

impl EarningRules {
    /// The stored keys, each with its value.
    pub fn entries(&self) -> [(&'static str, i64); 5] {
        [
            ("report_confirmed", self.report_confirmed),
            ("volunteer_per_hour", self.volunteer_per_hour),
            ("nomination_approved", self.nomination_approved),
            ("daily_vote", self.daily_vote),
            ("report_daily_cap", self.report_daily_cap),
        ]
    }

    /// Sets a stored key (unknown keys are ignored).
    pub fn set(&mut self, key: &str, value: i64) {
        match key {
            "report_confirmed" => self.report_confirmed = value,
            "volunteer_per_hour" => self.volunteer_per_hour = value,
            "nomination_approved" => self.nomination_approved = value,
            "daily_vote" => self.daily_vote = value,
            "report_daily_cap" => self.report_daily_cap = value,
            _ => {}
        }
    }

    /// A rule's value: 0–1000 (a cap 0–10000), else the field's message.
    pub fn check(key: &str, value: i64) -> Result<i64, String> {
        let max = if key == "report_daily_cap" {
            10_000
        } else {
            1_000
        };
        if (0..=max).contains(&value) {
            Ok(value)
        } else {
            Err(format!("应在0到{max}之间"))
        }
    }

    /// Points for credited minutes at this rate (rounded down).
    pub fn volunteer_points(&self, minutes: i64) -> i64 {
        minutes.max(0) * self.volunteer_per_hour / 60
    }

    /// What an approval pays when `earned_today` report points were paid
    /// already today: the category's points, up to the daily cap.
    pub fn report_points(&self, category_points: i64, earned_today: i64) -> i64 {
        category_points
            .min(self.report_daily_cap - earned_today)
            .max(0)
    }
}

/// A ledger entry in words: `随手拍 #123 通过审核`.
pub fn ledger_line(
    reason: &str,
    ref_type: Option<&str>,
    ref_id: Option<i64>,
    note: Option<&str>,
) -> String {
    match (reason, ref_type, ref_id) {
        ("report_approved", Some("report"), Some(id)) => format!("随手拍 #{id} 通过审核"),
        ("report_confirmed", Some("report"), Some(id)) => format!("确认随手拍 #{id} 整改完成"),
        ("volunteer_hours", Some("signup"), Some(id)) => format!("志愿服务时长（报名 #{id}）"),
        ("volunteer_hours", Some("attendance_correction"), _) => "志愿服务时长更正".into(),
        ("gift_redeemed", Some("redemption"), Some(id)) => format!("兑换礼品（兑换 #{id}）"),
        ("gift_refunded", Some("redemption"), Some(id)) => format!("取消兑换 #{id}，积分退回"),
        ("admin_adjust", ..) => match note.filter(|n| !n.is_empty()) {
            Some(n) => format!("人工调整：{n}"),
            None => "人工调整".into(),
        },
        (other, ..) => PointsReason::label(other).into(),
    }
}

/// What a person has done, for badges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deeds {
    pub approved_reports: i64,
    pub closed_reports: i64,
    pub completed_shifts: i64,
    pub credited_minutes: i64,
    pub votes: i64,
    pub gifts_collected: i64,
}

/// Badges, each awarded once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    FirstReport,
    TenClosed,
    FirstShift,
    FiftyHours,
    FirstVote,
    FirstGift,
}

impl Badge {
    pub const ALL: [Badge; 6] = [
        Badge::FirstReport,
        Badge::TenClosed,
        Badge::FirstShift,
        Badge::FiftyHours,
        Badge::FirstVote,
        Badge::FirstGift,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Badge::FirstReport => "first_report",
            Badge::TenClosed => "ten_closed",
            Badge::FirstShift => "first_shift",
            Badge::FiftyHours => "fifty_hours",
            Badge::FirstVote => "first_vote",
            Badge::FirstGift => "first_gift",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Badge::FirstReport => "初啄",
            Badge::TenClosed => "十全十美",
            Badge::FirstShift => "志愿新兵",
            Badge::FiftyHours => "五十小时",
            Badge::FirstVote => "热心评议",
            Badge::FirstGift => "积分有礼",
        }
    }

    /// How it is earned, in words.
    pub fn description(self) -> &'static str {
        match self {
            Badge::FirstReport => "第一条随手拍通过审核",
            Badge::TenClosed => "10条随手拍整改销号",
            Badge::FirstShift => "完成第一个志愿班次",
            Badge::FiftyHours => "志愿服务累计50小时",
            Badge::FirstVote => "第一次为好人投票",
            Badge::FirstGift => "第一次领到兑换的礼品",
        }
    }

    pub fn earned(self, d: &Deeds) -> bool {
        match self {
            Badge::FirstReport => d.approved_reports >= 1,
            Badge::TenClosed => d.closed_reports >= 10,
            Badge::FirstShift => d.completed_shifts >= 1,
            Badge::FiftyHours => d.credited_minutes >= 50 * 60,
            Badge::FirstVote => d.votes >= 1,
            Badge::FirstGift => d.gifts_collected >= 1,
        }
    }

    pub fn from_code(code: &str) -> Option<Badge> {
        Self::ALL.into_iter().find(|b| b.code() == code)
    }
}

/// Ranks of values sorted best first: equal values share a rank, the next
/// rank skips (1, 2, 2, 4).
pub fn ranks(sorted: &[i64]) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::with_capacity(sorted.len());
    for (i, v) in sorted.iter().enumerate() {
        let r = match out.last() {
            Some(r) if sorted[i - 1] == *v => *r,
            _ => i as i64 + 1,
        };
        out.push(r);
    }
    out
}

/// What a gift costs: 1–1,000,000 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GiftCost(i64);

impl GiftCost {
    /// 1 to [`PointsDelta::MAX_ABS`]: a redemption is one ledger entry, so
    /// a dearer gift could never be redeemed.
    pub fn parse(v: i64) -> Result<Self, String> {
        if (1..=PointsDelta::MAX_ABS).contains(&v) {
            Ok(Self(v))
        } else {
            Err(format!("所需积分应在1到{}之间", PointsDelta::MAX_ABS))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// Units of a gift added at once (stock or restock): 0–100,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stock(i64);

impl Stock {
    pub fn parse(v: i64) -> Result<Self, String> {
        if (0..=100_000).contains(&v) {
            Ok(Self(v))
        } else {
            Err("库存应在0到100000之间".into())
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// Pickup codes: 8 characters without the look-alikes 0/O, 1/I/L.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const CODE_LEN: usize = 8;

/// A pickup code from random numbers (one per character).
pub fn pickup_code(mut random: impl FnMut() -> u32) -> String {
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[random() as usize % CODE_ALPHABET.len()] as char)
        .collect()
}

/// The fulfilment console's address for a code: what the QR code on a
/// citizen's phone holds, so any camera app opens the console on it.
pub fn fulfil_link(origin: &str, code: &str) -> String {
    format!("{}{FULFIL_PATH}?code={code}", origin.trim_end_matches('/'))
}

/// Where staff hand gifts over.
pub const FULFIL_PATH: &str = "/manage/fulfil";

/// A code as staff type or scan it: case, spaces and dashes do not matter,
/// and a scanned console link ([`fulfil_link`]) gives its `code`.
pub fn parse_code(s: &str) -> Result<String, String> {
    let s = match s.split_once("code=") {
        Some((_, rest)) => rest.split(['&', '#']).next().unwrap_or_default(),
        None => s,
    };
    let code: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
        Ok(code)
    } else {
        Err("领取码是8位字母和数字".into())
    }
}

/// A redemption's status in words.
pub fn redemption_label(status: &str) -> &'static str {
    match status {
        "pending_pickup" => "待领取",
        "fulfilled" => "已领取",
        "cancelled" => "已取消",
        _ => "未知",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earning_rules() {
        let mut r = EarningRules::default();
        assert_eq!(r.volunteer_points(90), 15);
        assert_eq!(r.volunteer_points(105), 17, "pro rata, rounded down");
        assert_eq!(r.volunteer_points(5), 0);
        assert_eq!(r.volunteer_points(-3), 0);
        assert_eq!(r.report_points(5, 0), 5);
        assert_eq!(r.report_points(5, 47), 3, "up to the cap");
        assert_eq!(r.report_points(5, 50), 0);
        assert_eq!(r.report_points(5, 60), 0);
        r.set("volunteer_per_hour", 12);
        assert_eq!(r.volunteer_points(30), 6);
        assert_eq!(r.entries().len(), 5);
        assert!(EarningRules::check("daily_vote", 1001).is_err());
        assert!(EarningRules::check("report_daily_cap", 5000).is_ok());
        assert!(EarningRules::check("daily_vote", -1).is_err());
    }

    #[test]
    fn badges_by_deeds() {
        let none = Deeds::default();
        assert!(Badge::ALL.iter().all(|b| !b.earned(&none)));
        let d = Deeds {
            approved_reports: 12,
            closed_reports: 10,
            credited_minutes: 2999,
            completed_shifts: 3,
            ..Deeds::default()
        };
        let got: Vec<&str> = Badge::ALL
            .iter()
            .filter(|b| b.earned(&d))
            .map(|b| b.code())
            .collect();
        assert_eq!(got, ["first_report", "ten_closed", "first_shift"]);
        assert!(Badge::FiftyHours.earned(&Deeds {
            credited_minutes: 3000,
            ..d
        }));
        assert_eq!(Badge::from_code("fifty_hours"), Some(Badge::FiftyHours));
        assert_eq!(Badge::from_code("nope"), None);
    }

    #[test]
    fn ledger_lines_explain_themselves() {
        assert_eq!(
            ledger_line("report_approved", Some("report"), Some(123), None),
            "随手拍 #123 通过审核"
        );
        assert_eq!(
            ledger_line("gift_redeemed", Some("redemption"), Some(7), None),
            "兑换礼品（兑换 #7）"
        );
        assert_eq!(
            ledger_line("admin_adjust", None, None, Some("活动奖励")),
            "人工调整：活动奖励"
        );
        assert_eq!(ledger_line("daily_vote", None, None, None), "每日投票");
    }

    #[test]
    fn shared_ranks() {
        assert_eq!(ranks(&[90, 60, 60, 30]), [1, 2, 2, 4]);
        assert_eq!(ranks(&[5, 5, 5]), [1, 1, 1]);
        assert!(ranks(&[]).is_empty());
    }

    #[test]
    fn gift_numbers() {
        assert!(GiftCost::parse(0).is_err());
        assert_eq!(GiftCost::parse(300).unwrap().get(), 300);
        assert!(GiftCost::parse(1_000_001).is_err());
        assert_eq!(Stock::parse(0).unwrap().get(), 0);
        assert!(Stock::parse(-1).is_err());
        assert!(Stock::parse(100_001).is_err());
    }

    #[test]
    fn pickup_codes() {
        let mut n = 0u32;
        let code = pickup_code(|| {
            n += 7;
            n
        });
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert!(!CODE_ALPHABET.iter().any(|b| b"01OIL".contains(b)));
        assert_eq!(
            parse_code(&format!(" {}-{} ", &code[..4], code[4..].to_lowercase())).unwrap(),
            code
        );
        assert_eq!(
            parse_code(&fulfil_link("https://zm.example.cn/", &code)).unwrap(),
            code,
            "a scanned console link gives its code"
        );
        assert_eq!(
            parse_code(&format!("/manage/fulfil?x=1&code={code}&y=2")).unwrap(),
            code
        );
        assert!(parse_code("https://zm.example.cn/manage/fulfil?code=").is_err());
        assert!(parse_code("ABCD").is_err());
        assert!(parse_code("ABCDEFG0").is_err(), "0 is never in a code");
        assert_eq!(redemption_label("fulfilled"), "已领取");
    }

    #[test]
    fn delta_bounds() {
        assert!(PointsDelta::parse(0).is_err());
        assert!(PointsDelta::parse(100_001).is_err());
        assert!(PointsDelta::parse(-100_001).is_err());
        assert!(PointsDelta::parse(i64::MIN).is_err());
        assert!(PointsDelta::parse(i64::MAX).is_err());
        assert_eq!(PointsDelta::parse(-5).unwrap().get(), -5);
    }

    #[test]
    fn levels_at_their_thresholds() {
        assert_eq!(Level::for_lifetime(0), Level::Trainee);
        assert_eq!(Level::for_lifetime(99), Level::Trainee);
        assert_eq!(Level::for_lifetime(100), Level::Woodpecker);
        assert_eq!(Level::for_lifetime(499), Level::Woodpecker);
        assert_eq!(Level::for_lifetime(500), Level::Gold);
        assert_eq!(Level::for_lifetime(2000), Level::Guardian);
        assert_eq!(Level::for_lifetime(-3), Level::Trainee);
        assert_eq!(Level::next(90), Some((Level::Woodpecker, 10)));
        assert_eq!(Level::next(5000), None);
    }

    #[test]
    fn spending_does_not_count_toward_levels() {
        assert!(!PointsReason::GiftRedeemed.counts_toward_lifetime());
        assert!(PointsReason::ReportApproved.counts_toward_lifetime());
        assert!(PointsReason::Reversal.counts_toward_lifetime());
    }
}
