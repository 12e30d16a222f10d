//! Open311 GeoReport v2 rules that do not need the database: how statuses
//! map to `open`/`closed`, the filters of `GET requests`, and what a client
//! may send. Shared by the server's Open311 door and its tests.

use super::ReportStatus;

/// At most this many requests in one answer (the specification's default).
pub const MAX_RESULTS: usize = 1000;
/// Requests in one answer unless `page_size` asks for more (up to
/// `MAX_RESULTS`); `page` walks on. The same paging extension as other
/// cities' Open311 servers (Chicago's, for one).
pub const DEFAULT_PAGE_SIZE: i64 = 20;

/// `page` and `page_size` of `GET requests`: (page ≥ 1, size 1–1000).
pub fn paging(
    page: Option<&str>,
    page_size: Option<&str>,
) -> Result<(i64, i64), (&'static str, String)> {
    let page = match page {
        None => 1,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=1_000_000).contains(p))
            .ok_or(("page", "page must be a whole number from 1".to_owned()))?,
    };
    let size = match page_size {
        None => DEFAULT_PAGE_SIZE,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=MAX_RESULTS as i64).contains(p))
            .ok_or((
                "page_size",
                format!("page_size must be from 1 to {MAX_RESULTS}"),
            ))?,
    };
    Ok((page, size))
}
/// Without dates, the most recent 90 days; a range may not span more.
pub const DEFAULT_DAYS: i64 = 90;
use super::time::DAY_MS;

/// `open` while the problem is on the street (assigned, returned, rectified);
/// everything else is `closed` (closed, rejected, duplicate).
pub fn status_word(s: ReportStatus) -> &'static str {
    if s.is_open() || s == ReportStatus::PendingReview {
        "open"
    } else {
        "closed"
    }
}

/// The public statuses a `status=open,closed` filter selects.
pub fn statuses(filter: &str) -> Result<Vec<ReportStatus>, String> {
    let mut out = Vec::new();
    for word in filter.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let add: &[ReportStatus] = match word {
            "open" => &[
                ReportStatus::Assigned,
                ReportStatus::Returned,
                ReportStatus::Rectified,
            ],
            "closed" => &[ReportStatus::Closed],
            other => return Err(format!("status must be open or closed, not {other}")),
        };
        for s in add {
            if !out.contains(s) {
                out.push(*s);
            }
        }
    }
    if out.is_empty() {
        return Err("status must be open or closed".into());
    }
    Ok(out)
}

/// A comma-separated list of numeric ids (`service_request_id`,
/// `service_code`), at most `MAX_RESULTS` of them.
pub fn ids(list: &str, name: &str) -> Result<Vec<i64>, String> {
    let ids: Vec<i64> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} must be a comma-separated list of numbers"))
        })
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(format!("{name} is empty"));
    }
    if ids.len() > MAX_RESULTS {
        return Err(format!("at most {MAX_RESULTS} values of {name}"));
    }
    Ok(ids)
}

/// The `requested_datetime` range of `GET requests`: the most recent 90 days
/// by default; from a start alone, 90 days on (not past now); to an end alone,
/// the 90 days before. A range may not run backwards or span more than 90 days.
pub fn date_range(start: Option<i64>, end: Option<i64>, now: i64) -> Result<(i64, i64), String> {
    let span = DEFAULT_DAYS * DAY_MS;
    let (from, to) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, (s + span).min(now.max(s))),
        (None, Some(e)) => (e - span, e),
        (None, None) => (now - span, now),
    };
    if from > to {
        return Err("start_date must not be after end_date".into());
    }
    if to - from > span {
        return Err(format!(
            "start_date and end_date may not span more than {DEFAULT_DAYS} days"
        ));
    }
    Ok((from, to))
}

/// A client's link to its own photo: http(s), no spaces, at most 500
/// characters. Kept and shown, never fetched by the server.
pub fn media_url(s: &str) -> Result<String, String> {
    let t = s.trim();
    let ok = (t.starts_with("https://") || t.starts_with("http://"))
        && t.len() <= 500
        && t.len() > "https://".len()
        && !t
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
    if ok {
        Ok(t.to_owned())
    } else {
        Err("media_url must be an http(s) URL of at most 500 characters".into())
    }
}

/// The name of an API key's client as staff see it (`12345热线`): 2–20
/// characters without control characters.
pub fn client_name(s: &str) -> Result<String, String> {
    let t = s.trim();
    let n = t.chars().count();
    if n < 2 {
        return Err("请填写接入方名称（至少2个字）".into());
    }
    if n > 20 {
        return Err("接入方名称最多20个字".into());
    }
    if t.chars().any(|c| c.is_control() || c == '<' || c == '>') {
        return Err("名称不能包含特殊符号".into());
    }
    Ok(t.to_owned())
}

/// `services/7.json` → (`7`, `json`); only the two formats the
/// specification names.
pub fn split_format(file: &str) -> Option<(&str, Format)> {
    let (name, ext) = file.rsplit_once('.')?;
    let format = match ext {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return None,
    };
    (!name.is_empty()).then_some((name, format))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_open_and_closed() {
        assert_eq!(status_word(ReportStatus::Assigned), "open");
        assert_eq!(status_word(ReportStatus::Rectified), "open");
        assert_eq!(
            status_word(ReportStatus::Returned),
            "open",
            "being re-routed"
        );
        for s in [
            ReportStatus::Closed,
            ReportStatus::Rejected,
            ReportStatus::Duplicate,
        ] {
            assert_eq!(status_word(s), "closed");
        }
        assert_eq!(
            statuses("open").unwrap(),
            vec![
                ReportStatus::Assigned,
                ReportStatus::Returned,
                ReportStatus::Rectified
            ]
        );
        assert_eq!(statuses("closed, open,closed").unwrap().len(), 4);
        assert!(statuses("pending").is_err());
        assert!(statuses(" , ").is_err());
    }

    #[test]
    fn id_lists() {
        assert_eq!(ids("1, 2,3", "x").unwrap(), vec![1, 2, 3]);
        assert!(ids("1,a", "x").is_err());
        assert!(ids("0", "x").is_err());
        assert!(ids("", "x").is_err());
        let many = vec!["1"; MAX_RESULTS + 1].join(",");
        assert!(ids(&many, "x").is_err());
    }

    #[test]
    fn date_ranges_default_to_ninety_days() {
        let now = 1_000 * DAY_MS;
        assert_eq!(
            date_range(None, None, now).unwrap(),
            (now - 90 * DAY_MS, now)
        );
        assert_eq!(
            date_range(Some(now - DAY_MS), None, now).unwrap(),
            (now - DAY_MS, now)
        );
        assert_eq!(
            date_range(Some(now - 200 * DAY_MS), None, now).unwrap(),
            (now - 200 * DAY_MS, now - 110 * DAY_MS)
        );
        assert_eq!(
            date_range(None, Some(now), now).unwrap(),
            (now - 90 * DAY_MS, now)
        );
        assert!(date_range(Some(now), Some(now - 1), now).is_err());
        assert!(date_range(Some(now - 91 * DAY_MS), Some(now), now).is_err());
        assert!(date_range(Some(now - 90 * DAY_MS), Some(now), now).is_ok());
        // A start in the future is an empty range, not an error.
        assert_eq!(
            date_range(Some(now + DAY_MS), None, now).unwrap(),
            (now + DAY_MS, now + DAY_MS)
        );
    }

    #[test]
    fn media_urls_and_names() {
        assert!(media_url(" https://img.example.cn/a.jpg ").is_ok());
        for bad in [
            "ftp://x/a.jpg",
            "javascript:alert(1)",
            "https://",
            "https://a b",
            "https://a\"b",
        ] {
            assert!(media_url(bad).is_err(), "{bad}");
        }
        assert!(media_url(&format!("https://{}", "a".repeat(500))).is_err());
        assert_eq!(client_name(" 12345热线 ").unwrap(), "12345热线");
        assert!(client_name("a").is_err());
        assert!(client_name(&"名".repeat(21)).is_err());
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            split_format("services.json"),
            Some(("services", Format::Json))
        );
        assert_eq!(split_format("7.xml"), Some(("7", Format::Xml)));
        assert_eq!(split_format("7.csv"), None);
        assert_eq!(split_format(".json"), None);
        assert_eq!(split_format("services"), None);
    }
}
