//! The dashboard and the monthly 通报.
//!
//! Counts by status, category, unit and area come from `report_tallies`
//! plus the not yet folded `report_tally_deltas` (both written by database
//! triggers, `migrations/*/0013_report_stats.sql`): a few hundred rows
//! however many reports there are. Time windows (overdue now, weeks, a
//! month) are index range scans. `fold` moves deltas into the tallies; the
//! server's sweep calls it every minute.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Datelike, Days};

use super::AppState;
use super::auth::CurrentUser;
use super::charts::DashboardCharts;
use super::db::{Param, Where, bind_all};
use crate::domain::ReportStatus;
use crate::error::AppError;
use crate::models::{
    AreaCount, CategoryCount, ReportStats, StatsDetail, StatsOverview, UnitMonth, UnitNow,
    WeekCount,
};

use crate::domain::time::WEEK_MS;
const WEEKS: i64 = 12;

/// One tally: reports with these keys.
#[derive(sqlx::FromRow, Debug, Clone, PartialEq, Eq, Hash)]
struct Tally {
    status: String,
    category_id: i64,
    unit_id: i64,
    area_id: i64,
    on_time: i64,
    same_day: i64,
    n: i64,
}

/// Folds the deltas written since the last fold into the tallies. Safe to
/// run on several servers at once: the deltas are claimed by `DELETE …
/// RETURNING`, so each is added exactly once.
pub async fn fold(state: &AppState) -> Result<usize, AppError> {
    let mut tx = state.db.begin_write().await?;
    let deltas: Vec<Tally> = sqlx::query_as(
        "DELETE FROM report_tally_deltas \
         RETURNING status, category_id, unit_id, area_id, on_time, same_day, n",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut sums: HashMap<(String, i64, i64, i64, i64, i64), i64> = HashMap::new();
    for d in &deltas {
        *sums
            .entry((
                d.status.clone(),
                d.category_id,
                d.unit_id,
                d.area_id,
                d.on_time,
                d.same_day,
            ))
            .or_default() += d.n;
    }
    for ((status, category, unit, area, on_time, same_day), n) in sums {
        if n == 0 {
            continue;
        }
        sqlx::query(
            "INSERT INTO report_tallies (status, category_id, unit_id, area_id, on_time, same_day, n) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (status, category_id, unit_id, area_id, on_time, same_day) \
             DO UPDATE SET n = report_tallies.n + excluded.n",
        )
        .bind(status)
        .bind(category)
        .bind(unit)
        .bind(area)
        .bind(on_time)
        .bind(same_day)
        .bind(n)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM report_tallies WHERE n = 0")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(deltas.len())
}

/// The tallies as they stand: folded plus pending deltas.
async fn tallies(state: &AppState) -> Result<Vec<Tally>, AppError> {
    Ok(sqlx::query_as(
        "SELECT status, category_id, unit_id, area_id, on_time, same_day, CAST(SUM(n) AS BIGINT) AS n \
         FROM (SELECT status, category_id, unit_id, area_id, on_time, same_day, n FROM report_tallies \
               UNION ALL \
               SELECT status, category_id, unit_id, area_id, on_time, same_day, n FROM report_tally_deltas) t \
         GROUP BY status, category_id, unit_id, area_id, on_time, same_day",
    )
    .fetch_all(&state.db.pool)
    .await?
    .into_iter()
    .filter(|t: &Tally| t.n != 0)
    .collect())
}

/// How many reports are in one of `statuses`, of a category and of a unit
/// when given: exact, from the tallies and the deltas not yet folded. The
/// lists' totals come from here when their filter allows; its cost is the
/// tallies' rows of those statuses (a primary key range), not the reports.
pub async fn count(
    state: &AppState,
    statuses: &[ReportStatus],
    category_id: Option<i64>,
    unit_id: Option<i64>,
) -> Result<i64, AppError> {
    let filter = |mut w: Where| {
        let marks = vec!["?"; statuses.len()].join(", ");
        w.and(
            &format!("status IN ({marks})"),
            statuses.iter().map(|s| Param::Text(s.as_str().into())),
        );
        if let Some(c) = category_id {
            w.and("category_id = ?", [Param::Int(c)]);
        }
        if let Some(u) = unit_id {
            w.and("unit_id = ?", [Param::Int(u)]);
        }
        w
    };
    let tallies = filter(Where::new());
    let deltas = filter(Where::continuing(&tallies));
    let mut params = tallies.params().to_vec();
    params.extend(deltas.params().iter().cloned());
    let (n,): (i64,) = bind_all(
        sqlx::query_as(&format!(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM \
             (SELECT n FROM report_tallies{} UNION ALL SELECT n FROM report_tally_deltas{}) t",
            tallies.sql(),
            deltas.sql()
        )),
        &params,
    )
    .fetch_one(&state.db.pool)
    .await?;
    Ok(n)
}

fn is_problem(status: &str) -> bool {
    ReportStatus::parse(status).is_ok_and(ReportStatus::is_public)
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 1000.0).round() / 1000.0)
}

/// `GET /stats/overview`: for anyone. This minute's figures, computed once
/// a minute for everyone (`minutely`).
pub async fn overview(state: &AppState) -> Result<Arc<StatsOverview>, AppError> {
    state
        .figures
        .overview
        .get(&state.clock, || overview_now(state))
        .await
}

/// This minute's overview with its charts, drawn once a minute.
pub async fn public_dashboard(
    state: &AppState,
) -> Result<(Arc<StatsOverview>, Arc<DashboardCharts>), AppError> {
    let overview = overview(state).await?;
    let charts = state
        .figures
        .charts
        .get(&state.clock, || async {
            Ok(DashboardCharts::of(&overview))
        })
        .await?;
    Ok((overview, charts))
}

/// The overview as the tallies say now.
pub async fn overview_now(state: &AppState) -> Result<StatsOverview, AppError> {
    let now = state.clock.now_ms();
    let all = tallies(state).await?;
    let mut by_status: BTreeMap<String, i64> = ReportStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), 0))
        .collect();
    let mut by_category: HashMap<i64, i64> = HashMap::new();
    let (mut closed, mut on_time, mut same_day) = (0, 0, 0);
    for t in &all {
        *by_status.entry(t.status.clone()).or_default() += t.n;
        if is_problem(&t.status) {
            *by_category.entry(t.category_id).or_default() += t.n;
        }
        if t.status == "closed" {
            closed += t.n;
            on_time += t.on_time * t.n;
            same_day += t.same_day * t.n;
        }
    }
    let names: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM categories ORDER BY id")
        .fetch_all(&state.db.pool)
        .await?;
    let mut by_category: Vec<CategoryCount> = names
        .into_iter()
        .map(|(id, name)| CategoryCount {
            category_id: id,
            name,
            count: by_category.get(&id).copied().unwrap_or(0),
        })
        .collect();
    by_category.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.category_id.cmp(&b.category_id))
    });
    let (overdue,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM reports WHERE status = 'assigned' AND deadline < $1")
            .bind(now)
            .fetch_one(&state.db.pool)
            .await?;
    // Only rated reports are on this index's non-null range.
    let (rated, satisfied): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN rating >= 4 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM reports WHERE rated_at IS NOT NULL",
    )
    .fetch_one(&state.db.pool)
    .await?;
    Ok(StatsOverview {
        reports: ReportStats {
            rated,
            satisfied,
            satisfaction_rate: crate::domain::supervision::satisfaction_rate(satisfied, rated),
            by_status,
            by_category,
            overdue,
            on_time_rate: rate(on_time, closed),
            closed_same_day: same_day,
            closed_later: closed - same_day,
            weekly: weekly(state, now).await?,
        },
        volunteer_minutes_this_month: volunteer_minutes(state).await?,
    })
}

/// Reports made and closed per week, the last [`WEEKS`] weeks (Monday to
/// Sunday in the city).
async fn weekly(state: &AppState, now: i64) -> Result<Vec<WeekCount>, AppError> {
    let today = state.clock.date(now).ok_or(AppError::Internal)?;
    let monday = today - Days::new(today.weekday().num_days_from_monday() as u64);
    let first = monday - Days::new(7 * (WEEKS as u64 - 1));
    let origin = state.clock.day_start(first).ok_or(AppError::Internal)?;
    let count = |column: &'static str| async move {
        sqlx::query_as::<_, (i64, i64)>(&format!(
            "SELECT CAST(({column} - $1) / $2 AS BIGINT) AS week, COUNT(*) FROM reports \
             WHERE {column} >= $1 GROUP BY 1"
        ))
        .bind(origin)
        .bind(WEEK_MS)
        .fetch_all(&state.db.pool)
        .await
    };
    let reported: HashMap<i64, i64> = count("created_at").await?.into_iter().collect();
    let closed: HashMap<i64, i64> = count("closed_at").await?.into_iter().collect();
    Ok((0..WEEKS)
        .map(|i| WeekCount {
            week: (first + Days::new(7 * i as u64)).to_string(),
            reported: reported.get(&i).copied().unwrap_or(0),
            closed: closed.get(&i).copied().unwrap_or(0),
        })
        .collect())
}

async fn volunteer_minutes(state: &AppState) -> Result<i64, AppError> {
    let (_, start, end) = state.clock.month_span(None)?;
    let (minutes,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(credited_minutes), 0) AS BIGINT) FROM signups \
         WHERE status = 'completed' AND starts_at >= $1 AND starts_at < $2",
    )
    .bind(start)
    .bind(end)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(minutes)
}

/// Staff: per unit and per area, now.
pub async fn detail(state: &AppState, actor: &CurrentUser) -> Result<StatsDetail, AppError> {
    actor.require_moderator()?;
    let now = state.clock.now_ms();
    let all = tallies(state).await?;
    let units: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM units ORDER BY id")
        .fetch_all(&state.db.pool)
        .await?;
    let areas: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, kind FROM areas ORDER BY kind, id")
            .fetch_all(&state.db.pool)
            .await?;
    let overdue: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
        "SELECT unit_id, COUNT(*) FROM reports WHERE status = 'assigned' AND deadline < $1 GROUP BY unit_id",
    )
    .bind(now)
    .fetch_all(&state.db.pool)
    .await?
    .into_iter()
    .collect();
    let by_unit = units
        .into_iter()
        .map(|(id, name)| {
            let mine = all.iter().filter(|t| t.unit_id == id);
            let (mut open, mut closed, mut on_time) = (0, 0, 0);
            for t in mine {
                match t.status.as_str() {
                    "assigned" | "returned" | "rectified" => open += t.n,
                    "closed" => {
                        closed += t.n;
                        on_time += t.on_time * t.n;
                    }
                    _ => {}
                }
            }
            UnitNow {
                unit_id: id,
                unit_name: name,
                open,
                overdue: overdue.get(&id).copied().unwrap_or(0),
                closed,
                on_time_rate: rate(on_time, closed),
            }
        })
        .collect();
    let by_area = areas
        .into_iter()
        .map(|(id, name, kind)| {
            let mine = all
                .iter()
                .filter(|t| t.area_id == id && is_problem(&t.status));
            let (mut count, mut open) = (0, 0);
            for t in mine {
                count += t.n;
                if t.status != "closed" {
                    open += t.n;
                }
            }
            AreaCount {
                area_id: id,
                name,
                kind,
                count,
                open,
            }
        })
        .collect();
    Ok(StatsDetail { by_unit, by_area })
}

/// `GET /stats/units?month=YYYY-MM` (this month when left out): each
/// unit's month, ranked. Moderators.
pub async fn units_month(
    state: &AppState,
    actor: &CurrentUser,
    month: Option<&str>,
) -> Result<(String, Vec<UnitMonth>), AppError> {
    actor.require_moderator()?;
    let (first, start, end) = state.clock.month_span(month)?;
    let now = state.clock.now_ms();
    // Every figure in two queries (three round trips with the units'
    // names): one `UNION ALL` over the reports, each branch reading one
    // index range of its own, and one over the timeline's events. Each row
    // is (figure, unit, n, m); m is the "of them" count, else 0.
    //
    // - assigned in the month;
    // - closed in the month, and of those rectified by the deadline: one
    //   range of the closed_at index (its status is counted, not filtered,
    //   so no engine is tempted to walk the status index instead);
    // - overdue: deadlines of the month that have passed ($3), missed when
    //   not rectified by then (rectified later, or not yet). The status
    //   test sits inside a CASE, which no index can serve, so both engines
    //   read one range of the covering deadline index (a plain `status IN`
    //   made SQLite take the status index and look up every row: 3× slower);
    // - rated in the month, and of those satisfied (4 or 5 stars).
    let report_figures: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT 'assigned', unit_id, COUNT(*), CAST(0 AS BIGINT) FROM reports \
           WHERE assigned_at >= $1 AND assigned_at < $2 AND unit_id IS NOT NULL GROUP BY unit_id \
         UNION ALL SELECT 'closed', COALESCE(unit_id, 0), \
           CAST(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) AS BIGINT), \
           CAST(SUM(CASE WHEN status = 'closed' AND rectified_at <= deadline THEN 1 ELSE 0 END) AS BIGINT) \
           FROM reports WHERE closed_at >= $1 AND closed_at < $2 GROUP BY COALESCE(unit_id, 0) \
         UNION ALL SELECT 'overdue', unit_id, COUNT(*), CAST(0 AS BIGINT) FROM reports \
           WHERE deadline >= $1 AND deadline < $3 AND unit_id IS NOT NULL \
           AND CASE WHEN status IN ('assigned', 'returned', 'rectified', 'closed') \
             THEN rectified_at IS NULL OR rectified_at > deadline ELSE FALSE END GROUP BY unit_id \
         UNION ALL SELECT 'rated', unit_id, COUNT(*), \
           CAST(SUM(CASE WHEN rating >= 4 THEN 1 ELSE 0 END) AS BIGINT) FROM reports \
           WHERE rated_at >= $1 AND rated_at < $2 AND unit_id IS NOT NULL GROUP BY unit_id",
    )
    .bind(start)
    .bind(end)
    .bind(end.min(now))
    .fetch_all(&state.db.pool)
    .await?;
    // Reopenings count for the report's unit; returns and urgings for the
    // unit that had the report then (the event's own unit).
    let event_figures: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT 'reopened', r.unit_id, COUNT(*), CAST(0 AS BIGINT) \
           FROM report_events e JOIN reports r ON r.id = e.report_id \
           WHERE e.action = 'reopened' AND e.at >= $1 AND e.at < $2 AND r.unit_id IS NOT NULL \
           GROUP BY r.unit_id \
         UNION ALL SELECT action, unit_id, COUNT(*), CAST(0 AS BIGINT) FROM report_events \
           WHERE action IN ('returned', 'urged') AND at >= $1 AND at < $2 AND unit_id IS NOT NULL \
           GROUP BY action, unit_id",
    )
    .bind(start)
    .bind(end)
    .fetch_all(&state.db.pool)
    .await?;
    let fig: HashMap<(String, i64), (i64, i64)> = report_figures
        .into_iter()
        .chain(event_figures)
        .map(|(figure, unit, n, m)| ((figure, unit), (n, m)))
        .collect();
    let units: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM units ORDER BY id")
        .fetch_all(&state.db.pool)
        .await?;
    let get = |figure: &str, id: i64| {
        fig.get(&(figure.to_string(), id))
            .copied()
            .unwrap_or((0, 0))
    };
    let mut rows: Vec<UnitMonth> = units
        .into_iter()
        .map(|(id, name)| {
            let (c, on_time) = get("closed", id);
            let (rated, satisfied) = get("rated", id);
            UnitMonth {
                rank: 0,
                unit_id: id,
                unit_name: name,
                assigned: get("assigned", id).0,
                closed: c,
                closed_on_time: on_time,
                overdue: get("overdue", id).0,
                reopened: get("reopened", id).0,
                on_time_rate: rate(on_time, c),
                returned: get("returned", id).0,
                urged: get("urged", id).0,
                rated,
                satisfied,
            }
        })
        .collect();
    // Best first: the highest on-time rate (none counts lowest), then the
    // fewest overdue; equal keys share a rank.
    let key = |u: &UnitMonth| {
        u.on_time_rate.map(|r| (r * 1000.0) as i64).unwrap_or(-1) * 1_000_000 - u.overdue
    };
    rows.sort_by(|a, b| key(b).cmp(&key(a)).then(a.unit_id.cmp(&b.unit_id)));
    let keys: Vec<i64> = rows.iter().map(key).collect();
    for (u, r) in rows.iter_mut().zip(crate::domain::points::ranks(&keys)) {
        u.rank = r;
    }
    Ok((first.format("%Y-%m").to_string(), rows))
}

/// The 通报 as CSV: UTF-8 with a byte-order mark, so Excel opens the
/// Chinese correctly.
pub fn units_csv(month: &str, rows: &[UnitMonth]) -> Result<Vec<u8>, AppError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let header = [
            "月份",
            "排名",
            "责任单位",
            "交办",
            "销号",
            "按期销号",
            "逾期",
            "返工",
            "按期率",
            "退回",
            "督办",
            "评价",
            "满意",
            "满意率",
        ];
        w.write_record(header).map_err(|_| AppError::Internal)?;
        for u in rows {
            w.write_record([
                month.to_owned(),
                u.rank.to_string(),
                u.unit_name.clone(),
                u.assigned.to_string(),
                u.closed.to_string(),
                u.closed_on_time.to_string(),
                u.overdue.to_string(),
                u.reopened.to_string(),
                u.on_time_rate
                    .map(|r| format!("{:.1}%", r * 100.0))
                    .unwrap_or_else(|| "—".into()),
                u.returned.to_string(),
                u.urged.to_string(),
                u.rated.to_string(),
                u.satisfied.to_string(),
                crate::domain::supervision::satisfaction_rate(u.satisfied, u.rated)
                    .map(|r| format!("{:.1}%", r * 100.0))
                    .unwrap_or_else(|| "—".into()),
            ])
            .map_err(|_| AppError::Internal)?;
        }
        w.flush().map_err(|_| AppError::Internal)?;
    }
    Ok(out)
}
