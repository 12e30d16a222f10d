//! The loop as 12345 hotlines run it: 退回 (a unit sends a report back),
//! 督办 (urging and escalation), the deadline clock everyone sees, and
//! 满意度回访 (the reporter's rating). Pure rules; the services in
//! `backend/reports/supervision.rs` apply them in conditional updates.

use serde::{Deserialize, Serialize};

use super::time::{DAY_MS, HOUR_MS, MINUTE_MS};

/// How far a report's 督办 has gone. It only rises (none → yellow → red)
/// while a unit has the report, and starts again when it is routed anew.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// 黄牌: past the deadline; the unit's staff are told.
    Yellow,
    /// 红牌: past the deadline by the category's SLA again, or urged twice;
    /// the moderators and admins are told too.
    Red,
}

/// Urgings that turn a report red at once.
pub const RED_AFTER_URGES: i64 = 2;

impl Escalation {
    pub fn as_str(self) -> &'static str {
        match self {
            Escalation::Yellow => "yellow",
            Escalation::Red => "red",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "yellow" => Some(Escalation::Yellow),
            "red" => Some(Escalation::Red),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Escalation::Yellow => "黄牌督办",
            Escalation::Red => "红牌督办",
        }
    }

    /// What an assigned report has earned by `now`: red once it is past the
    /// deadline by the SLA again or urged [`RED_AFTER_URGES`] times, yellow
    /// once past the deadline. (The sweep's SQL says the same; a storage
    /// test holds them together.)
    pub fn due(deadline: i64, sla_days: i64, urges: i64, now: i64) -> Option<Escalation> {
        if urges >= RED_AFTER_URGES || now > deadline + sla_days.max(1) * DAY_MS {
            Some(Escalation::Red)
        } else if now > deadline {
            Some(Escalation::Yellow)
        } else {
            None
        }
    }
}

/// A length of time in words, to the largest unit that matters: "1 天 3
/// 小时", "5 小时", "45 分钟" (at least a minute); `whole_days` drops the
/// hours once it is a day or more.
pub fn span_text(ms: i64, whole_days: bool) -> String {
    let ms = ms.max(0);
    let (days, hours, minutes) = (ms / DAY_MS, ms % DAY_MS / HOUR_MS, ms % HOUR_MS / MINUTE_MS);
    match (days, hours) {
        (0, 0) => format!("{} 分钟", minutes.max(1)),
        (0, h) => format!("{h} 小时"),
        (d, 0) => format!("{d} 天"),
        (d, _) if whole_days => format!("{d} 天"),
        (d, h) => format!("{d} 天 {h} 小时"),
    }
}

/// The deadline clock in words: "还剩 1 天 3 小时", "还剩 45 分钟",
/// "已超期 2 天" (past by days: whole days are what a unit is judged by),
/// from the milliseconds left (negative once past).
pub fn clock_text(left_ms: i64) -> String {
    if left_ms >= 0 {
        format!("还剩 {}", span_text(left_ms, false))
    } else {
        format!("已超期 {}", span_text(-left_ms, true))
    }
}

/// Why a unit sends a report back: 2–200 characters ("不属本单位：该井盖归
/// 供水公司").
pub fn return_reason(input: &str) -> Result<String, String> {
    let t = super::clean_text(input, 200, "请写明退回的原因")?;
    if t.chars().count() < 2 {
        return Err("请至少写2个字".into());
    }
    Ok(t)
}

/// What a moderator asks of the unit when urging: 2–200 characters.
pub fn urge_note(input: &str) -> Result<String, String> {
    let t = super::clean_text(input, 200, "请写明督办要求")?;
    if t.chars().count() < 2 {
        return Err("请至少写2个字".into());
    }
    Ok(t)
}

/// 满意度: 1–5 stars; 4 and 5 count as satisfied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating(i64);

impl Rating {
    pub fn parse(stars: i64) -> Result<Rating, String> {
        if (1..=5).contains(&stars) {
            Ok(Rating(stars))
        } else {
            Err("满意度应为1到5星".into())
        }
    }

    pub fn stars(self) -> i64 {
        self.0
    }

    pub fn satisfied(self) -> bool {
        self.0 >= 4
    }
}

/// The city's satisfaction rate: satisfied ÷ rated, none when nothing was
/// rated.
pub fn satisfaction_rate(satisfied: i64, rated: i64) -> Option<f64> {
    (rated > 0).then(|| satisfied as f64 / rated as f64)
}

/// Stars as text: `★★★★☆`.
pub fn stars_text(stars: i64) -> String {
    let n = stars.clamp(0, 5) as usize;
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

/// The preset reasons for 驳回 on the review console, besides free text.
pub const REJECT_PRESETS: [&str; 3] = ["照片不清", "非受理范围", "重复"];

#[cfg(test)]
mod tests {
    use super::*;

    const D: i64 = 1_000 * DAY_MS;

    #[test]
    fn escalation_rises_with_time_and_urging() {
        let sla = 3;
        assert_eq!(Escalation::due(D, sla, 0, D - 1), None);
        assert_eq!(Escalation::due(D, sla, 0, D), None);
        assert_eq!(Escalation::due(D, sla, 0, D + 1), Some(Escalation::Yellow));
        assert_eq!(
            Escalation::due(D, sla, 0, D + 3 * DAY_MS),
            Some(Escalation::Yellow)
        );
        assert_eq!(
            Escalation::due(D, sla, 0, D + 3 * DAY_MS + 1),
            Some(Escalation::Red)
        );
        // Urged once: nothing more; twice: red, even before the deadline.
        assert_eq!(Escalation::due(D, sla, 1, D - DAY_MS), None);
        assert_eq!(
            Escalation::due(D, sla, 2, D - DAY_MS),
            Some(Escalation::Red)
        );
        // An SLA of 0 days still waits a day past the deadline.
        assert_eq!(
            Escalation::due(D, 0, 0, D + HOUR_MS),
            Some(Escalation::Yellow)
        );
        assert!(Escalation::Red > Escalation::Yellow);
        for e in [Escalation::Yellow, Escalation::Red] {
            assert_eq!(Escalation::parse(e.as_str()), Some(e));
        }
        assert_eq!(Escalation::parse("green"), None);
    }

    #[test]
    fn the_clock_says_what_is_left_or_how_late() {
        assert_eq!(
            clock_text(DAY_MS + 3 * HOUR_MS + 59 * MINUTE_MS),
            "还剩 1 天 3 小时"
        );
        assert_eq!(clock_text(2 * DAY_MS), "还剩 2 天");
        assert_eq!(clock_text(5 * HOUR_MS), "还剩 5 小时");
        assert_eq!(clock_text(45 * MINUTE_MS), "还剩 45 分钟");
        assert_eq!(clock_text(0), "还剩 1 分钟");
        assert_eq!(clock_text(-2 * DAY_MS - 5 * HOUR_MS), "已超期 2 天");
        assert_eq!(clock_text(-3 * HOUR_MS), "已超期 3 小时");
        assert_eq!(clock_text(-10 * MINUTE_MS), "已超期 10 分钟");
        assert_eq!(span_text(26 * HOUR_MS, true), "1 天");
        assert_eq!(span_text(-5, false), "1 分钟");
    }

    #[test]
    fn reasons_notes_and_ratings_are_parsed() {
        assert!(return_reason("不属本单位：该井盖归供水公司").is_ok());
        assert!(return_reason("否").is_err());
        assert!(return_reason(&"长".repeat(201)).is_err());
        assert!(return_reason("bad\0byte").is_err());
        assert!(urge_note("请今天内处理").is_ok());
        assert!(urge_note(" ").is_err());
        assert!(Rating::parse(0).is_err() && Rating::parse(6).is_err());
        assert!(Rating::parse(4).unwrap().satisfied());
        assert!(!Rating::parse(3).unwrap().satisfied());
        assert_eq!(satisfaction_rate(3, 4), Some(0.75));
        assert_eq!(satisfaction_rate(0, 0), None);
        assert_eq!(stars_text(4), "★★★★☆");
    }
}
