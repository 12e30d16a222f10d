use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::AppError;

/// An instant as clients write it: RFC 3339, e.g.
/// `2026-12-01T07:00:00+08:00`; milliseconds since the epoch.
pub fn parse_instant(s: &str) -> Result<i64, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|_| "时间应为 RFC 3339 格式，如 2026-12-01T07:00:00+08:00".into())
}

/// A date typed as `YYYY-MM-DD` in a form or query field.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate, AppError> {
    crate::domain::time::parse_date(s).map_err(|e| AppError::field(field, e))
}

/// The time source of every service. Production reads the system clock; the
/// test harness can move it forward to cross windows and deadlines without
/// sleeping. Times are milliseconds since the Unix epoch, produced here and
/// never by the database.
#[derive(Clone)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
    zone: Tz,
}

impl Clock {
    pub fn new(zone: Tz) -> Self {
        Self {
            offset_ms: Arc::new(AtomicI64::new(0)),
            zone,
        }
    }

    pub fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every clone of it) forward. Tests only.
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// RFC 3339 in the city's time zone, e.g. `2026-11-22T09:30:00+08:00`.
    pub fn rfc3339(&self, ms: i64) -> String {
        match Utc.timestamp_millis_opt(ms).single() {
            Some(t) => t
                .with_timezone(&self.zone)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            None => String::new(),
        }
    }

    /// The date in the city at `ms`.
    pub fn date(&self, ms: i64) -> Option<chrono::NaiveDate> {
        self.datetime(ms).map(|t| t.date_naive())
    }

    /// The first moment of a day in the city's time.
    pub fn day_start(&self, d: chrono::NaiveDate) -> Option<i64> {
        self.zone
            .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.timestamp_millis())
    }

    /// Today's date in the city.
    pub fn today(&self) -> Result<NaiveDate, AppError> {
        self.date(self.now_ms()).ok_or(AppError::Internal)
    }

    /// The first moment of a day in the city, for a service.
    pub fn start_of(&self, d: NaiveDate) -> Result<i64, AppError> {
        self.day_start(d).ok_or(AppError::Internal)
    }

    /// A month `YYYY-MM` (this month when absent): its first day and its
    /// span `[start, end)` in the city's time.
    pub fn month_span(&self, month: Option<&str>) -> Result<(NaiveDate, i64, i64), AppError> {
        use chrono::Datelike;
        let first = match month.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => {
                crate::domain::time::parse_month(m).map_err(|e| AppError::field("month", e))?
            }
            None => self.today()?.with_day(1).ok_or(AppError::Internal)?,
        };
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .ok_or(AppError::Internal)?;
        Ok((first, self.start_of(first)?, self.start_of(next)?))
    }

    pub fn datetime(&self, ms: i64) -> Option<DateTime<Tz>> {
        Utc.timestamp_millis_opt(ms)
            .single()
            .map(|t| t.with_timezone(&self.zone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_city_time_and_advances() {
        let c = Clock::new(chrono_tz::Asia::Shanghai);
        assert_eq!(c.rfc3339(0), "1970-01-01T08:00:00+08:00");
        let before = c.now_ms();
        c.clone().advance(3_600_000);
        assert!(c.now_ms() - before >= 3_600_000);
    }
}
