//! Time as the rules count it: milliseconds since the epoch (produced by
//! `backend::Clock`, never by the database), the lengths every feature uses,
//! and dates and months typed by people. Days and months are the city's:
//! the clock turns them into instants in its time zone.

pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;
pub const WEEK_MS: i64 = 7 * DAY_MS;

/// A date typed as `YYYY-MM-DD` (exactly: `2027-1-4` is refused).
#[cfg(feature = "ssr")]
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .ok_or_else(|| "日期应为 YYYY-MM-DD".to_owned())
}

/// A month typed as `YYYY-MM`: its first day.
#[cfg(feature = "ssr")]
pub fn parse_month(m: &str) -> Result<chrono::NaiveDate, String> {
    let m = m.trim();
    chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| m.len() == 7)
        .ok_or_else(|| "月份应为 YYYY-MM".to_owned())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(DAY_MS, 86_400_000);
        assert_eq!(WEEK_MS, 7 * 86_400_000);
    }

    #[test]
    fn typed_dates_and_months() {
        assert_eq!(
            parse_date(" 2027-01-04 ").unwrap().to_string(),
            "2027-01-04"
        );
        assert!(parse_date("2027-1-4").is_err());
        assert!(parse_date("2027-02-30").is_err());
        assert_eq!(parse_month("2026-12").unwrap().to_string(), "2026-12-01");
        assert!(parse_month("2026-1").is_err());
        assert!(parse_month("2026-13").is_err());
    }
}
