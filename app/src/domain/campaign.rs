//! 好人 campaigns: the five categories, what a nomination and
//! a campaign may hold, the phase a campaign is in, votes left, ranking.
//! Pure: the limits themselves are enforced by the database
//! (`backend/campaigns.rs`).

use serde::{Deserialize, Serialize};

use super::clean_text;

/// The five classic categories of 中国好人榜.
pub const CATEGORIES: [&str; 5] = ["助人为乐", "见义勇为", "诚实守信", "敬业奉献", "孝老爱亲"];

/// One of [`CATEGORIES`].
pub fn category(input: &str) -> Result<&'static str, String> {
    let t = input.trim();
    CATEGORIES
        .iter()
        .find(|c| **c == t)
        .copied()
        .ok_or_else(|| format!("类别应为{}之一", CATEGORIES.join("、")))
}

/// The nominee's name: 2–20 characters.
pub fn nominee_name(input: &str) -> Result<String, String> {
    let t = clean_text(input, 20, "请填写被推荐人的姓名")?;
    if t.contains('\n') || t.chars().count() < 2 {
        return Err("姓名应为2到20个字，写在一行".into());
    }
    Ok(t)
}

pub const STORY_MIN: usize = 30;
pub const STORY_MAX: usize = 1500;

/// The story: 30–1500 characters, so a reviewer has something to judge and a
/// card something to show.
pub fn story(input: &str) -> Result<String, String> {
    let t = clean_text(input, STORY_MAX, "请写下被推荐人的事迹")?;
    let n = t.chars().count();
    if n < STORY_MIN {
        return Err(format!("事迹至少写{STORY_MIN}个字（现在{n}个字）"));
    }
    Ok(t)
}

/// A campaign's title: 2–60 characters on one line.
pub fn title(input: &str) -> Result<String, String> {
    let t = clean_text(input, 60, "请填写评选名称")?;
    if t.contains('\n') || t.chars().count() < 2 {
        return Err("名称应为2到60个字，写在一行".into());
    }
    Ok(t)
}

/// A campaign's introduction, optional: at most 2000 characters.
pub fn description(input: Option<&str>) -> Result<String, String> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(String::new()),
        Some(d) => clean_text(d, 2000, ""),
    }
}

/// Why a nomination was turned down: 2–200 characters, required.
pub fn reject_reason(input: Option<&str>) -> Result<String, String> {
    let t = clean_text(input.unwrap_or(""), 200, "驳回时请写明原因")?;
    if t.chars().count() < 2 {
        return Err("原因至少写2个字".into());
    }
    Ok(t)
}

/// Votes a person may give in one campaign in one day: 1–20 (3 by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VotesPerDay(i64);

impl VotesPerDay {
    pub const DEFAULT: i64 = 3;

    pub fn parse(v: i64) -> Result<Self, String> {
        if (1..=20).contains(&v) {
            Ok(VotesPerDay(v))
        } else {
            Err("每日票数应在1到20之间".into())
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// How old an account must be to vote, in hours: 0–720 (24 by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinAccountAge(i64);

impl MinAccountAge {
    pub const DEFAULT: i64 = 24;

    pub fn parse(v: i64) -> Result<Self, String> {
        if (0..=720).contains(&v) {
            Ok(MinAccountAge(v))
        } else {
            Err("注册时长要求应在0到720小时之间".into())
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// The two windows of a campaign, in milliseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Windows {
    pub nomination_starts_at: i64,
    pub nomination_ends_at: i64,
    pub voting_starts_at: i64,
    pub voting_ends_at: i64,
}

impl Windows {
    /// Each window ends after it starts; voting does not start before
    /// nominations do, nor end before they end (what would it vote on?).
    /// Errors name the field to fix.
    pub fn check(self) -> Result<Self, (&'static str, String)> {
        // 2020-01-01 to 2100-01-01: a typo in a year is an error, not a
        // countdown of a million days.
        const EARLIEST: i64 = 1_577_836_800_000;
        const LATEST: i64 = 4_102_444_800_000;
        for (field, at) in [
            ("nomination_starts_at", self.nomination_starts_at),
            ("nomination_ends_at", self.nomination_ends_at),
            ("voting_starts_at", self.voting_starts_at),
            ("voting_ends_at", self.voting_ends_at),
        ] {
            if !(EARLIEST..LATEST).contains(&at) {
                return Err((field, "时间应在2020年到2099年之间".into()));
            }
        }
        if self.nomination_ends_at <= self.nomination_starts_at {
            return Err(("nomination_ends_at", "推荐截止时间应晚于开始时间".into()));
        }
        if self.voting_ends_at <= self.voting_starts_at {
            return Err(("voting_ends_at", "投票截止时间应晚于开始时间".into()));
        }
        if self.voting_starts_at < self.nomination_starts_at {
            return Err(("voting_starts_at", "投票不能早于推荐开始".into()));
        }
        if self.voting_ends_at < self.nomination_ends_at {
            return Err(("voting_ends_at", "投票截止不能早于推荐截止".into()));
        }
        Ok(self)
    }

    pub fn nominating(self, now: i64) -> bool {
        (self.nomination_starts_at..self.nomination_ends_at).contains(&now)
    }

    pub fn voting(self, now: i64) -> bool {
        (self.voting_starts_at..self.voting_ends_at).contains(&now)
    }

    pub fn phase(self, now: i64) -> Phase {
        if self.voting(now) {
            Phase::Voting
        } else if self.nominating(now) {
            Phase::Nominating
        } else if now >= self.voting_ends_at {
            Phase::Ended
        } else if now < self.nomination_starts_at {
            Phase::Upcoming
        } else {
            Phase::Reviewing
        }
    }

    /// The next moment something changes, for the countdown: what and when.
    pub fn next_deadline(self, now: i64) -> Option<(&'static str, i64)> {
        [
            ("推荐开始", self.nomination_starts_at),
            ("推荐截止", self.nomination_ends_at),
            ("投票开始", self.voting_starts_at),
            ("投票截止", self.voting_ends_at),
        ]
        .into_iter()
        .filter(|(_, at)| *at > now)
        .min_by_key(|(_, at)| *at)
    }
}

/// Where a campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Upcoming,
    Nominating,
    /// Nominations closed, voting not yet open: the 文明办 reviews.
    Reviewing,
    Voting,
    Ended,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Upcoming => "即将开始",
            Phase::Nominating => "推荐中",
            Phase::Reviewing => "审核中",
            Phase::Voting => "投票中",
            Phase::Ended => "已结束",
        }
    }
}

/// A time left in words: `2天3小时`, `5小时12分`, `8分钟`, `不到1分钟`.
pub fn time_left(ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (d, h, m) {
        (0, 0, 0) => "不到1分钟".into(),
        (0, 0, m) => format!("{m}分钟"),
        (0, h, m) => format!("{h}小时{m}分"),
        (d, h, _) => format!("{d}天{h}小时"),
    }
}

/// Votes left today, never below zero.
pub fn votes_left(per_day: i64, used_today: i64) -> i64 {
    (per_day - used_today).max(0)
}

/// Hours (rounded up) until an account created at `created_at` may vote.
pub fn hours_until_old_enough(created_at: i64, min_hours: i64, now: i64) -> Option<i64> {
    let ready = created_at + min_hours * 3_600_000;
    (now < ready).then(|| (ready - now + 3_599_999) / 3_600_000)
}

/// Per-IP vote limit: votes from one address in [`IP_WINDOW_MS`]. Generous,
/// because carriers put many phones behind one address; it stops a script,
/// not a neighbourhood.
pub const VOTES_PER_IP: i64 = 60;
pub const IP_WINDOW_MS: i64 = 10 * 60 * 1000;

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn windows() -> Windows {
        Windows {
            nomination_starts_at: T0,
            nomination_ends_at: T0 + 10 * H,
            voting_starts_at: T0 + 12 * H,
            voting_ends_at: T0 + 20 * H,
        }
    }

    /// 2026-12-01 00:00 UTC.
    const T0: i64 = 1_796_083_200_000;

    #[test]
    fn fields() {
        assert_eq!(category(" 见义勇为 ").unwrap(), "见义勇为");
        assert!(category("乐于助人").is_err());
        assert_eq!(nominee_name(" 王秀兰 ").unwrap(), "王秀兰");
        assert!(nominee_name("王").is_err());
        assert!(nominee_name("王\n秀兰").is_err());
        assert!(nominee_name(&"王".repeat(21)).is_err());
        assert!(story(&"好".repeat(29)).unwrap_err().contains("29"));
        assert!(story(&"好".repeat(30)).is_ok());
        assert!(story(&"好".repeat(1501)).is_err());
        assert!(story(&format!("{}\u{7}", "好".repeat(40))).is_err());
        assert!(reject_reason(None).is_err());
        assert!(reject_reason(Some(" 事迹不实 ")).is_ok());
        assert!(title("2026年度雄关好人评选").is_ok());
        assert!(VotesPerDay::parse(0).is_err());
        assert_eq!(VotesPerDay::parse(3).unwrap().get(), 3);
        assert!(MinAccountAge::parse(-1).is_err());
    }

    #[test]
    fn windows_and_phases() {
        let w = windows().check().unwrap();
        assert_eq!(w.phase(T0 - 1), Phase::Upcoming);
        assert_eq!(w.phase(T0), Phase::Nominating);
        assert_eq!(
            w.phase(T0 + 10 * H),
            Phase::Reviewing,
            "the end is not inside"
        );
        assert_eq!(w.phase(T0 + 12 * H), Phase::Voting);
        assert_eq!(w.phase(T0 + 20 * H), Phase::Ended);
        assert_eq!(
            w.next_deadline(T0 + 11 * H),
            Some(("投票开始", T0 + 12 * H))
        );
        assert_eq!(w.next_deadline(T0 + 20 * H), None);
        let overlap = Windows {
            voting_starts_at: T0 + 5 * H,
            ..windows()
        };
        assert_eq!(overlap.check().unwrap().phase(T0 + 6 * H), Phase::Voting);
        let bad = Windows {
            voting_starts_at: T0 + 25 * H,
            ..windows()
        };
        assert_eq!(bad.check().unwrap_err().0, "voting_ends_at");
        let early = Windows {
            voting_starts_at: T0 - H,
            ..windows()
        };
        assert_eq!(early.check().unwrap_err().0, "voting_starts_at");
        let short = Windows {
            voting_ends_at: T0 + 9 * H,
            voting_starts_at: T0 + 1,
            ..windows()
        };
        assert_eq!(short.check().unwrap_err().0, "voting_ends_at");
        let typo = Windows {
            voting_ends_at: T0 + 1000 * 365 * 24 * H,
            ..windows()
        };
        assert_eq!(typo.check().unwrap_err().0, "voting_ends_at");
    }

    #[test]
    fn words_and_numbers() {
        assert_eq!(time_left(30_000), "不到1分钟");
        assert_eq!(time_left(8 * 60_000), "8分钟");
        assert_eq!(time_left(5 * H + 12 * 60_000), "5小时12分");
        assert_eq!(time_left(51 * H), "2天3小时");
        assert_eq!(votes_left(3, 1), 2);
        assert_eq!(votes_left(3, 5), 0);
        assert_eq!(hours_until_old_enough(0, 24, 23 * H), Some(1));
        assert_eq!(hours_until_old_enough(0, 24, H / 2), Some(24));
        assert_eq!(hours_until_old_enough(0, 24, 24 * H), None);
    }
}
