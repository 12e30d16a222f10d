//! Volunteer duty posts (志愿岗位): shift capacity, daily periods, the
//! windows for sign-up, cancellation and check-in, credited time and its
//! points. Times are milliseconds since the epoch.

use serde::{Deserialize, Serialize};

use super::time::{HOUR_MS, MINUTE_MS};

/// Cancelling is possible up to this long before the start.
pub const CANCEL_BEFORE_MS: i64 = 2 * HOUR_MS;
/// Check-in opens this long before the start.
pub const CHECKIN_EARLY_MS: i64 = 15 * MINUTE_MS;
/// The default geofence of a post.
pub const DEFAULT_RADIUS_M: f64 = 150.0;

/// The default daily periods of 文明交通劝导岗: the four peaks.
pub const PEAK_PERIODS: [(&str, &str); 4] = [
    ("07:00", "09:00"),
    ("11:30", "13:30"),
    ("17:00", "19:00"),
    ("21:00", "22:00"),
];

/// Places on a shift: 1–500.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity(i64);

impl Capacity {
    pub fn parse(v: i64) -> Result<Self, String> {
        if (1..=500).contains(&v) {
            Ok(Capacity(v))
        } else {
            Err("名额应在1到500之间".into())
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// A geofence radius in metres: 20–2000 (150 by default).
pub fn radius(v: Option<f64>) -> Result<f64, String> {
    let r = v.unwrap_or(DEFAULT_RADIUS_M);
    if r.is_finite() && (20.0..=2000.0).contains(&r) {
        Ok(r)
    } else {
        Err("签到范围应在20到2000米之间".into())
    }
}

/// A time of day `HH:MM` as minutes after midnight.
pub fn time_of_day(s: &str) -> Result<i64, String> {
    let bad = || format!("时间“{s}”应为 HH:MM");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if (0..24).contains(&h) && (0..60).contains(&m) && s.trim().len() == 5 {
        Ok(h * 60 + m)
    } else {
        Err(bad())
    }
}

/// A daily period, `start` before `end` on the same day, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: i64,
    pub end: i64,
}

impl Period {
    pub fn parse(start: &str, end: &str) -> Result<Self, String> {
        let (s, e) = (time_of_day(start)?, time_of_day(end)?);
        if s < e {
            Ok(Period { start: s, end: e })
        } else {
            Err(format!("时段 {start}–{end} 的结束应晚于开始"))
        }
    }
}

/// Checks a list of periods: 1–8, not overlapping each other.
pub fn periods(list: &[Period]) -> Result<(), String> {
    if list.is_empty() || list.len() > 8 {
        return Err("每天应有1到8个时段".into());
    }
    let mut sorted = list.to_vec();
    sorted.sort_by_key(|p| p.start);
    if sorted.windows(2).any(|w| w[1].start < w[0].end) {
        return Err("时段之间不能重叠".into());
    }
    Ok(())
}

/// Daily periods as an admin types them: `07:00-09:00 17:00-19:00`
/// (separated by spaces, commas or 、; `–`, `~` or `-` between the times).
pub fn periods_text(s: &str) -> Result<Vec<(String, String)>, String> {
    let list: Vec<(String, String)> = s
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (a, b) = p
                .split_once(['-', '–', '~', '—'])
                .ok_or_else(|| format!("时段“{p}”应写成 07:00-09:00"))?;
            Ok((a.trim().to_owned(), b.trim().to_owned()))
        })
        .collect::<Result<_, String>>()?;
    if list.is_empty() {
        return Err("请至少填写一个时段，如 07:00-09:00".into());
    }
    let parsed: Vec<Period> = list
        .iter()
        .map(|(a, b)| Period::parse(a, b))
        .collect::<Result<_, _>>()?;
    periods(&parsed)?;
    Ok(list)
}

/// The default periods as [`periods_text`] reads them.
pub fn peak_periods_text() -> String {
    PEAK_PERIODS
        .iter()
        .map(|(a, b)| format!("{a}-{b}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Credited minutes as people say them: `2小时5分钟`, `45分钟`, `0分钟`.
pub fn duration_label(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m}分钟"),
        (h, 0) => format!("{h}小时"),
        (h, m) => format!("{h}小时{m}分钟"),
    }
}

/// Credited time for a figure: `1.5小时`, `12小时`, `0小时` (one decimal).
pub fn hours_label(minutes: i64) -> String {
    let tenths = (minutes.max(0) * 10 + 30) / 60;
    if tenths % 10 == 0 {
        format!("{}小时", tenths / 10)
    } else {
        format!("{}.{}小时", tenths / 10, tenths % 10)
    }
}

/// A distance for a list: `约350米`, `约1.2公里`.
pub fn distance_label(metres: f64) -> String {
    if metres < 1000.0 {
        format!("约{}米", ((metres / 10.0).round() * 10.0).max(10.0) as i64)
    } else {
        format!("约{:.1}公里", metres / 1000.0)
    }
}

/// A shift's span: it ends after it starts and lasts at most 12 hours.
pub fn shift_span(starts_at: i64, ends_at: i64) -> Result<(), String> {
    if ends_at <= starts_at {
        Err("结束时间应晚于开始时间".into())
    } else if ends_at - starts_at > 12 * HOUR_MS {
        Err("一个班次最长12小时".into())
    } else {
        Ok(())
    }
}

/// Minutes two spans share.
pub fn overlap_minutes(a: (i64, i64), b: (i64, i64)) -> i64 {
    ((a.1.min(b.1) - a.0.max(b.0)).max(0)) / MINUTE_MS
}

/// Whether two spans overlap at all (touching ends do not).
pub fn overlaps(a: (i64, i64), b: (i64, i64)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Whether a sign-up may still be cancelled at `now`.
pub fn can_cancel(now: i64, starts_at: i64) -> bool {
    now <= starts_at - CANCEL_BEFORE_MS
}

/// Why a check-in at `now` is refused, if it is.
pub fn checkin_window(now: i64, starts_at: i64, ends_at: i64) -> Result<(), String> {
    if now < starts_at - CHECKIN_EARLY_MS {
        let wait = (starts_at - CHECKIN_EARLY_MS - now + MINUTE_MS - 1) / MINUTE_MS;
        Err(format!(
            "还没到签到时间：开始前15分钟可以签到（还需{}）",
            duration_label(wait)
        ))
    } else if now > ends_at {
        Err("这个班次已经结束，不能签到".into())
    } else {
        Ok(())
    }
}

/// Two no-shows within this window suspend self sign-up…
pub const NO_SHOW_WINDOW_MS: i64 = 30 * 24 * HOUR_MS;
/// …for this long.
pub const SUSPENSION_MS: i64 = 14 * 24 * HOUR_MS;
/// Reminders go out this long before a shift starts.
pub const REMINDER_BEFORE_MS: i64 = 2 * HOUR_MS;

/// A sign-up's status in words.
pub fn signup_label(status: &str) -> &'static str {
    match status {
        "confirmed" => "已报名",
        "waitlisted" => "候补中",
        "checked_in" => "已签到",
        "completed" => "已完成",
        "no_show" => "未到岗",
        _ => "已取消",
    }
}

/// Whether `no_shows` in the window suspend self sign-up.
pub fn suspends(no_shows: i64) -> bool {
    no_shows >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_as_typed() {
        assert_eq!(
            periods_text("07:00-09:00，17:00~19:00 21:00–22:00").unwrap(),
            vec![
                ("07:00".into(), "09:00".into()),
                ("17:00".into(), "19:00".into()),
                ("21:00".into(), "22:00".into())
            ]
        );
        assert_eq!(periods_text(&peak_periods_text()).unwrap().len(), 4);
        assert!(periods_text("").unwrap_err().contains("至少"));
        assert!(
            periods_text("7点到9点")
                .unwrap_err()
                .contains("07:00-09:00")
        );
        assert!(periods_text("09:00-07:00").unwrap_err().contains("晚于"));
        assert!(
            periods_text("07:00-09:00 08:00-10:00")
                .unwrap_err()
                .contains("重叠")
        );
    }

    #[test]
    fn labels() {
        assert_eq!(duration_label(0), "0分钟");
        assert_eq!(duration_label(45), "45分钟");
        assert_eq!(duration_label(120), "2小时");
        assert_eq!(duration_label(125), "2小时5分钟");
        assert_eq!(hours_label(0), "0小时");
        assert_eq!(hours_label(90), "1.5小时");
        assert_eq!(hours_label(125), "2.1小时");
        assert_eq!(hours_label(119), "2小时");
        assert_eq!(hours_label(2), "0小时");
        assert_eq!(hours_label(3), "0.1小时");
        assert_eq!(distance_label(3.0), "约10米");
        assert_eq!(distance_label(347.0), "约350米");
        assert_eq!(distance_label(1249.0), "约1.2公里");
    }

    #[test]
    fn capacities_radii_and_times() {
        assert!(Capacity::parse(0).is_err() && Capacity::parse(501).is_err());
        assert_eq!(Capacity::parse(3).unwrap().get(), 3);
        assert_eq!(radius(None), Ok(150.0));
        assert!(radius(Some(10.0)).is_err() && radius(Some(f64::NAN)).is_err());
        assert_eq!(time_of_day("07:00"), Ok(420));
        assert_eq!(time_of_day("21:30"), Ok(1290));
        for bad in ["7:00", "24:00", "12:60", "ab:cd", "1200", ""] {
            assert!(time_of_day(bad).is_err(), "{bad}");
        }
        assert!(Period::parse("09:00", "07:00").is_err());
        let peaks: Vec<Period> = PEAK_PERIODS
            .iter()
            .map(|(s, e)| Period::parse(s, e).unwrap())
            .collect();
        assert!(periods(&peaks).is_ok());
        let clash = [
            Period::parse("07:00", "09:00").unwrap(),
            Period::parse("08:00", "10:00").unwrap(),
        ];
        assert!(periods(&clash).is_err());
        assert!(periods(&[]).is_err());
        assert!(shift_span(10, 10).is_err());
        assert!(shift_span(0, 13 * HOUR_MS).is_err());
    }

    #[test]
    fn credited_time_and_points() {
        let h = HOUR_MS;
        // Checked in 10 minutes late, out 5 minutes early of a 2-hour shift.
        assert_eq!(
            overlap_minutes((0, 2 * h), (10 * MINUTE_MS, 2 * h - 5 * MINUTE_MS)),
            105
        );
        assert_eq!(overlap_minutes((0, h), (2 * h, 3 * h)), 0);
        assert_eq!(
            overlap_minutes((0, h), (-h, 5 * h)),
            60,
            "only the shift counts"
        );
        assert!(overlaps((0, 2 * h), (h, 3 * h)));
        assert!(!overlaps((0, h), (h, 2 * h)), "back to back is fine");
        assert_eq!(signup_label("checked_in"), "已签到");
        assert_eq!(signup_label("cancelled"), "已取消");
    }

    #[test]
    fn windows() {
        let start = 10 * HOUR_MS;
        assert!(can_cancel(start - 2 * HOUR_MS, start));
        assert!(!can_cancel(start - 2 * HOUR_MS + 1, start));
        assert!(checkin_window(start - 16 * MINUTE_MS, start, start + HOUR_MS).is_err());
        assert!(checkin_window(start - 15 * MINUTE_MS, start, start + HOUR_MS).is_ok());
        assert!(checkin_window(start + HOUR_MS, start, start + HOUR_MS).is_ok());
        assert!(checkin_window(start + HOUR_MS + 1, start, start + HOUR_MS).is_err());
        let early = checkin_window(start - 45 * MINUTE_MS, start, start + HOUR_MS).unwrap_err();
        assert!(early.contains("30分钟"), "{early}");
    }
}
