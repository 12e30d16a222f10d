//! The dashboard with 1,000,000 reports: latency (p50, p99) of the public
//! overview, the staff detail and the monthly 通报, read through the
//! services as the handlers do. Target: p99 < 200 ms.
//!
//! `cargo bench -p zhuomu --bench dashboard` (SQLite file); with
//! `BENCH_DATABASE_URL=postgres://…/fresh_db` it runs on PostgreSQL;
//! `BENCH_REPORTS=N` changes the number of reports. Figures in
//! docs/PERFORMANCE.md.

use std::time::{Duration, Instant};

use app::backend::auth::CurrentUser;
use app::backend::stats;
use app::domain::Roles;

const RUNS: usize = 200;
const UNITS: i64 = 100;
const CATEGORIES: i64 = 20;
const AREAS: i64 = 200;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

async fn measure<F, Fut>(name: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "{name:<28} p50 {:>7.1} ms   p99 {:>7.1} ms   max {:>7.1} ms",
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
}

mod common;

#[tokio::main]
async fn main() {
    let n: i64 = std::env::var("BENCH_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let bench = common::bench_state().await;
    let (state, engine) = (bench.state.clone(), bench.engine);
    let pool = &state.db.pool;
    let now = state.clock.now_ms();
    let reporter = app::backend::users::create(
        &state,
        &app::domain::Phone::parse("13800000001").unwrap(),
        &app::domain::Password::parse("bench-passphrase").unwrap(),
        &app::domain::DisplayName::parse("压测").unwrap(),
        &Roles::parse_list(std::iter::empty::<&str>()).unwrap(),
        None,
    )
    .await
    .unwrap()
    .id;
    for u in 1..=UNITS {
        sqlx::query("INSERT INTO units (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(u)
            .bind(format!("单位{u}"))
            .bind(now)
            .execute(pool)
            .await
            .unwrap();
    }
    for c in 1..=CATEGORIES {
        sqlx::query(
            "INSERT INTO categories (id, name, points, sla_days, created_at) VALUES ($1, $2, 5, 3, $3)",
        )
        .bind(c)
        .bind(format!("类别{c}"))
        .bind(now)
        .execute(pool)
        .await
        .unwrap();
    }
    for a in 1..=AREAS {
        sqlx::query(
            "INSERT INTO areas (id, name, kind, unit_id, geometry, min_lon, min_lat, max_lon, max_lat, created_at) \
             VALUES ($1, $2, $3, $4, '{}', 98.2, 39.7, 98.3, 39.8, $5)",
        )
        .bind(a)
        .bind(format!("区域{a}"))
        .bind(if a % 2 == 0 { "grid" } else { "segment" })
        .bind(1 + a % UNITS)
        .bind(now)
        .execute(pool)
        .await
        .unwrap();
    }

    // A million reports over three years (one every 94 s), in every state:
    // 10% waiting, 10% rejected, 20% assigned (some overdue), 10% rectified,
    // 50% closed (most on time). The triggers write a delta row for each.
    let t = Instant::now();
    let step = 94_000_i64;
    let chunk = 100_000_i64;
    for from in (0..n).step_by(chunk as usize) {
        let to = (from + chunk).min(n);
        let mut tx = state.db.begin_write().await.unwrap();
        sqlx::query(
            "WITH RECURSIVE seq(i) AS (SELECT CAST($1 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $2) \
             INSERT INTO reports (reporter_id, category_id, description, lat, lon, status, unit_id, area_id, \
               deadline, assigned_at, rectified_at, closed_at, created_at, updated_at) \
             SELECT $3, 1 + i % 20, 'bench', 39.75, 98.25, \
               CASE i % 10 WHEN 0 THEN 'pending_review' WHEN 1 THEN 'rejected' WHEN 2 THEN 'assigned' \
                 WHEN 3 THEN 'assigned' WHEN 4 THEN 'rectified' ELSE 'closed' END, \
               CASE WHEN i % 10 < 2 THEN NULL ELSE 1 + i % 100 END, \
               CASE WHEN i % 10 < 2 THEN NULL ELSE 1 + i % 200 END, \
               CASE WHEN i % 10 < 2 THEN NULL ELSE $4 - i * $5 + 3 * 86400000 END, \
               CASE WHEN i % 10 < 2 THEN NULL ELSE $4 - i * $5 + 3600000 END, \
               CASE WHEN i % 10 < 4 THEN NULL ELSE $4 - i * $5 + (i % 5) * 86400000 END, \
               CASE WHEN i % 10 < 5 THEN NULL ELSE $4 - i * $5 + (i % 5) * 86400000 + 3600000 END, \
               $4 - i * $5, $4 - i * $5 \
             FROM seq",
        )
        .bind(from)
        .bind(to)
        .bind(reporter)
        .bind(now)
        .bind(step)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // 返工 events: one in forty reports.
    sqlx::query(
        "INSERT INTO report_events (report_id, at, action, actor_role, note) \
         SELECT id, created_at + 86400000, 'reopened', 'moderator', '' FROM reports WHERE id % 40 = 0",
    )
    .execute(pool)
    .await
    .unwrap();
    println!(
        "{engine}: {n} reports written in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let folded = stats::fold(&state).await.unwrap();
    println!(
        "folded {folded} delta rows into the tallies in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    if engine == "PostgreSQL" {
        // What autovacuum does in a running city: the folded deltas' dead
        // rows gone, fresh statistics. (Right after a bulk load of a million
        // reports, reading the deltas table scans a million dead rows.)
        sqlx::query("VACUUM ANALYZE").execute(pool).await.unwrap();
    }

    let moderator = CurrentUser {
        id: reporter,
        display_name: "压测".into(),
        roles: Roles::parse_list(["moderator"]).unwrap(),
        unit_id: None,
        jti: String::new(),
        exp: i64::MAX,
    };
    let this_month = state.clock.rfc3339(now)[..7].to_owned();
    let last_year = state.clock.rfc3339(now - 365 * 86_400_000)[..7].to_owned();
    println!("{engine}, {n} reports, {RUNS} runs each:");
    // The computation itself (the page shows it from the minute cache,
    // computed once per server and minute: the next row).
    measure("overview (public)", || async {
        stats::overview_now(&state).await.unwrap();
    })
    .await;
    measure("overview, minute cache", || async {
        stats::overview(&state).await.unwrap();
    })
    .await;
    measure("detail (staff)", || async {
        stats::detail(&state, &moderator).await.unwrap();
    })
    .await;
    measure("通报, this month", || async {
        stats::units_month(&state, &moderator, Some(&this_month))
            .await
            .unwrap();
    })
    .await;
    measure("通报, a year ago", || async {
        stats::units_month(&state, &moderator, Some(&last_year))
            .await
            .unwrap();
    })
    .await;
    // A minute of changes not yet folded: 2,000 transitions.
    sqlx::query(
        "UPDATE reports SET status = 'closed', closed_at = $1 WHERE id IN \
         (SELECT id FROM reports WHERE status = 'rectified' ORDER BY id LIMIT 2000)",
    )
    .bind(now)
    .execute(pool)
    .await
    .unwrap();
    measure("overview, 4,000 deltas", || async {
        stats::overview_now(&state).await.unwrap();
    })
    .await;
}
