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
        if v.abs() > Self::MAX_ABS {
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

/// What a gift costs: 1–1,000,000 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GiftCost(i64);

impl GiftCost {
    pub fn parse(v: i64) -> Result<Self, String> {
        if (1..=1_000_000).contains(&v) {
            Ok(Self(v))
        } else {
            Err("所需积分应在1到1000000之间".into())
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

/// A code as staff type or scan it: case, spaces and dashes do not matter.
pub fn parse_code(s: &str) -> Result<String, String> {
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
        assert!(parse_code("ABCD").is_err());
        assert!(parse_code("ABCDEFG0").is_err(), "0 is never in a code");
        assert_eq!(redemption_label("fulfilled"), "已领取");
    }

    #[test]
    fn delta_bounds() {
        assert!(PointsDelta::parse(0).is_err());
        assert!(PointsDelta::parse(100_001).is_err());
        assert!(PointsDelta::parse(-100_001).is_err());
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
