//! The lists at scale (issue 18): the queries that replaced the plain ones
//! (totals from the tallies or counted up to a bound, keyset paging, the
//! search walking its rarest term) give the same items, in the same order,
//! with the same totals where exact, as the plain queries before them:
//! `COUNT(*)` over the filter, `OFFSET`, and the search as "every term among
//! the report's terms". On a seeded database of 4,000 reports in every
//! state, so that a common word matches more than the counting bound.

use reqwest::StatusCode;
use serde_json::Value;

use crate::both;
use crate::helpers::{Engine, TestApp};

const REPORTS: i64 = 4_000;
const BOUND: i64 = app::models::Total::COUNT_LIMIT;
const WORDS: [&str; 6] = [
    "路口有人占道经营",
    "垃圾堆放多日无人清理",
    "车辆违停堵住盲道",
    "墙上贴满小广告",
    "护栏损坏存在安全隐患",
    "消防通道被杂物堵塞",
];
const STREETS: [&str; 5] = ["雄关东路", "雄关西路", "新华南路", "迎宾路", "五一路"];

/// 4,000 reports by two reporters in four categories and two units, in
/// every state, spread over a box; their terms as `reports::create` writes
/// them. Returns the first reporter's token and the category ids.
async fn seed(app: &TestApp) -> (String, Vec<i64>, Vec<i64>) {
    let city = app.city().await;
    let (me, me_id) = app.register("13800138000", "张三").await;
    let (_, other) = app.register("13800138001", "李四").await;
    let pool = &app.state.db.pool;
    let categories: Vec<(i64,)> = sqlx::query_as("SELECT id FROM categories ORDER BY id LIMIT 4")
        .fetch_all(pool)
        .await
        .unwrap();
    let categories: Vec<i64> = categories.into_iter().map(|(c,)| c).collect();
    let units = vec![city.grid_unit, city.traffic_unit];
    let now = app.state.clock.now_ms();
    sqlx::query("CREATE TABLE seed_text (k BIGINT PRIMARY KEY, description TEXT NOT NULL, address TEXT NOT NULL)")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE seed_terms (k BIGINT NOT NULL, term TEXT NOT NULL)")
        .execute(pool)
        .await
        .unwrap();
    for (d, words) in WORDS.iter().enumerate() {
        for (s, street) in STREETS.iter().enumerate() {
            let k = (d * STREETS.len() + s) as i64;
            sqlx::query("INSERT INTO seed_text (k, description, address) VALUES ($1, $2, $3)")
                .bind(k)
                .bind(*words)
                .bind(*street)
                .execute(pool)
                .await
                .unwrap();
            for t in app::domain::report::index_terms(&format!("{words} {street}")) {
                sqlx::query("INSERT INTO seed_terms (k, term) VALUES ($1, $2)")
                    .bind(k)
                    .bind(t)
                    .execute(pool)
                    .await
                    .unwrap();
            }
        }
    }
    // Text k(i): the rare words (消防通道) once in 97 reports.
    let k = "(CASE WHEN i % 97 = 0 THEN 5 ELSE i % 5 END) * 5 + (i / 7) % 5";
    let seq = "WITH RECURSIVE seq(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i < $1) ";
    sqlx::query(&format!(
        "{seq}INSERT INTO reports (reporter_id, category_id, description, lat, lon, address, status, unit_id, \
           deadline, disputed, duplicate_of, assigned_at, created_at, updated_at) \
         SELECT CASE WHEN i % 3 = 0 THEN $2 ELSE $3 END, \
           CASE i % 4 WHEN 0 THEN $4 WHEN 1 THEN $5 WHEN 2 THEN $6 ELSE $7 END, t.description, \
           39.70 + (i % 100) * 0.001, 98.20 + ((i / 100) % 100) * 0.001, t.address, \
           CASE i % 10 WHEN 0 THEN 'pending_review' WHEN 1 THEN 'rejected' WHEN 2 THEN 'assigned' \
             WHEN 3 THEN 'assigned' WHEN 4 THEN 'rectified' ELSE 'closed' END, \
           CASE WHEN i % 10 < 2 THEN NULL WHEN i % 3 = 0 THEN $8 ELSE $9 END, \
           CASE WHEN i % 10 < 2 THEN NULL ELSE $10 + (i % 11 - 5) * 86400000 END, \
           CASE WHEN i % 10 = 4 AND i % 7 = 0 THEN 1 ELSE 0 END, NULL, \
           CASE WHEN i % 10 < 2 THEN NULL ELSE $10 - 86400000 END, \
           $10 - ($1 - i) * 60000, $10 - ((i * 7919) % 1000) * 60000 \
         FROM seq JOIN seed_text t ON t.k = {k}"
    ))
    .bind(REPORTS)
    .bind(me_id)
    .bind(other)
    .bind(categories[0])
    .bind(categories[1 % categories.len()])
    .bind(categories[2 % categories.len()])
    .bind(categories[3 % categories.len()])
    .bind(units[0])
    .bind(units[1])
    .bind(now)
    .execute(pool)
    .await
    .unwrap();
    // A few duplicates (not public) of the first report.
    sqlx::query(
        "UPDATE reports SET status = 'duplicate', duplicate_of = (SELECT MIN(id) FROM reports) \
         WHERE status = 'pending_review' AND id % 7 = 0",
    )
    .execute(pool)
    .await
    .unwrap();
    let (first,): (i64,) = sqlx::query_as("SELECT MIN(id) FROM reports")
        .fetch_one(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO report_terms (term, report_id) SELECT b.term, r.id FROM reports r \
         JOIN seed_terms b ON b.k = (CASE WHEN (r.id - $1 + 1) % 97 = 0 THEN 5 ELSE (r.id - $1 + 1) % 5 END) * 5 \
           + ((r.id - $1 + 1) / 7) % 5"
    )
    .bind(first)
    .execute(pool)
    .await
    .unwrap();
    for t in ["seed_terms", "seed_text"] {
        sqlx::query(&format!("DROP TABLE {t}"))
            .execute(pool)
            .await
            .unwrap();
    }
    // Half of the changes folded into the tallies, half still deltas.
    app::backend::stats::fold(&app.state).await.unwrap();
    sqlx::query("UPDATE reports SET status = 'closed' WHERE status = 'rectified' AND id % 13 = 0")
        .execute(pool)
        .await
        .unwrap();
    (me, categories, units)
}

/// The plain query: `(ids of the page, COUNT(*) of the filter)`.
async fn plain(
    app: &TestApp,
    conditions: &[String],
    order: &str,
    limit: i64,
    offset: i64,
) -> (Vec<i64>, i64) {
    let w = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM reports r{w}"))
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let ids: Vec<(i64,)> = sqlx::query_as(&format!(
        "SELECT r.id FROM reports r{w} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    ))
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    (ids.into_iter().map(|(id,)| id).collect(), total)
}

/// The search as it was: every query term among the report's terms.
fn plain_search(q: &str) -> String {
    let terms = app::domain::report::query_terms(q);
    let list: Vec<String> = terms.iter().map(|t| format!("'{t}'")).collect();
    format!(
        "r.id IN (SELECT report_id FROM report_terms WHERE term IN ({}) GROUP BY report_id HAVING COUNT(*) = {})",
        list.join(", "),
        terms.len()
    )
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

/// The API's page agrees with the plain query: same ids in the same order;
/// the same total, or (only when there are more) the bound with
/// `total_is_estimate`. A search's estimate is the matches among its
/// rarest term's newest postings: at most the total, and only for a term
/// with more postings than the count reads.
fn agrees(what: &str, page: &Value, (want, total): &(Vec<i64>, i64)) {
    assert_eq!(&ids(page), want, "{what}: items");
    let got = (page["total"].as_i64(), page["total_is_estimate"].as_bool());
    if got.1 == Some(true) {
        let n = got.0.unwrap();
        if what.contains("q=") && n < BOUND {
            assert!(n <= *total, "{what}: an estimate of {n} over {total}");
        } else {
            assert!(*total > BOUND, "{what}: an estimate of only {total}");
            assert_eq!(got.0, Some(BOUND), "{what}: total of {total}");
        }
    } else {
        assert_eq!(got, (Some(*total), Some(false)), "{what}: total");
    }
}

async fn get_ok(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let r = app.get(path, token).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
    r.body
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn lists_agree_with_the_plain_queries(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (me, categories, _units) = seed(&app).await;
    let now = app.state.clock.now_ms();
    let public = "r.status IN ('assigned', 'rectified', 'closed')".to_owned();
    let c = categories[1];
    // (query string, conditions of the plain query)
    let mut cases: Vec<(String, Vec<String>)> = vec![
        (String::new(), vec![public.clone()]),
        ("status=closed".into(), vec!["r.status = 'closed'".into()]),
        (
            "status=rectified".into(),
            vec!["r.status = 'rectified'".into()],
        ),
        (
            format!("category_id={c}"),
            vec![public.clone(), format!("r.category_id = {c}")],
        ),
        (
            format!("status=assigned&category_id={c}"),
            vec![
                "r.status = 'assigned'".into(),
                format!("r.category_id = {c}"),
            ],
        ),
        (
            "overdue=true".into(),
            vec![
                public.clone(),
                format!("r.status = 'assigned' AND r.deadline < {now}"),
            ],
        ),
        (
            "overdue=true&status=closed".into(),
            vec![
                "r.status = 'closed'".into(),
                format!("r.status = 'assigned' AND r.deadline < {now}"),
            ],
        ),
        (
            format!("overdue=true&category_id={c}"),
            vec![
                public.clone(),
                format!("r.category_id = {c}"),
                format!("r.status = 'assigned' AND r.deadline < {now}"),
            ],
        ),
        (
            "bbox=98.21,39.71,98.25,39.76".into(),
            vec![
                public.clone(),
                "r.lon >= 98.21 AND r.lat >= 39.71 AND r.lon <= 98.25 AND r.lat <= 39.76".into(),
            ],
        ),
    ];
    for q in [
        "路",
        "垃圾",
        "消防通道",
        "雄关东路 违停",
        "雄关东路违停",
        "迎宾路 广告 墙上",
        "没有这个",
    ] {
        cases.push((
            format!("q={}", encode(q)),
            vec![public.clone(), plain_search(q)],
        ));
        cases.push((
            format!("q={}&status=closed&category_id={c}", encode(q)),
            vec![
                "r.status = 'closed'".into(),
                format!("r.category_id = {c}"),
                plain_search(q),
            ],
        ));
    }
    for (query, conditions) in &cases {
        for (page, per_page) in [(1, 20), (2, 20), (3, 7), (10, 100), (60, 50)] {
            let got = get_ok(
                &app,
                &format!("/api/v1/reports?{query}&page={page}&per_page={per_page}"),
                None,
            )
            .await;
            let want = plain(
                &app,
                conditions,
                "r.id DESC",
                per_page,
                (page - 1) * per_page,
            )
            .await;
            agrees(&format!("{query} page {page}×{per_page}"), &got, &want);
        }
        // Keyset paging walks the same list: from the 30th item on, and the
        // total stays the whole list's.
        let (all, total) = plain(&app, conditions, "r.id DESC", 60, 0).await;
        let part = |a: usize, b: usize| all[a.min(all.len())..b.min(all.len())].to_vec();
        if all.len() > 30 {
            let before = all[29];
            let got = get_ok(
                &app,
                &format!("/api/v1/reports?{query}&before_id={before}&per_page=25"),
                None,
            )
            .await;
            agrees(
                &format!("{query} before {before}"),
                &got,
                &(part(30, 55), total),
            );
            let got = get_ok(
                &app,
                &format!("/api/v1/reports?{query}&before_id={before}&page=2&per_page=10"),
                None,
            )
            .await;
            agrees(
                &format!("{query} before {before}, page 2"),
                &got,
                &(part(40, 50), total),
            );
        }
    }
    // Totals from the tallies are exact however many; a common word's is
    // counted up to the bound.
    let all = get_ok(&app, "/api/v1/reports", None).await;
    assert_eq!(
        (all["total"].as_i64(), all["total_is_estimate"].as_bool()),
        (Some(REPORTS * 8 / 10), Some(false))
    );
    let common = get_ok(&app, &format!("/api/v1/reports?q={}", encode("路")), None).await;
    assert_eq!(common["total_is_estimate"], true);
    // Its count reads only the word's newest 2,000 postings: the total is
    // the public reports among them (at most the bound).
    let (postings,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM report_terms WHERE term = $1")
        .bind("路")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(
        postings > 2_000,
        "the seed gives 路 more postings than a count reads"
    );
    let (among,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT report_id FROM report_terms WHERE term = $1 \
         ORDER BY report_id DESC LIMIT 2000) p JOIN reports r ON r.id = p.report_id \
         WHERE r.status IN ('assigned', 'rectified', 'closed')",
    )
    .bind("路")
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(common["total"].as_i64(), Some(among.min(BOUND)));
    let bad = app.get("/api/v1/reports?before_id=0", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Mine, the two moderation queues and a unit's tasks.
    let (moderator, _) = app.moderator().await;
    let (unit_staff, _) = app.unit_staff("13900000003", _units[0]).await;
    let (me_id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE phone = '13800138000'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let staff: Vec<(&str, &str, Vec<String>, &str)> = vec![
        (
            "/api/v1/me/reports?",
            me.as_str(),
            vec![format!("r.reporter_id = {me_id}")],
            "r.id DESC",
        ),
        (
            "/api/v1/moderation/reports?",
            moderator.as_str(),
            vec!["r.status = 'pending_review'".into()],
            "r.id",
        ),
        (
            "/api/v1/moderation/reports?status=rectified&",
            moderator.as_str(),
            vec!["r.status = 'rectified'".into()],
            "r.disputed DESC, r.updated_at, r.id",
        ),
        (
            "/api/v1/unit/reports?",
            unit_staff.as_str(),
            vec![format!(
                "r.unit_id = {} AND r.status = 'assigned'",
                _units[0]
            )],
            "r.deadline, r.id",
        ),
        (
            "/api/v1/unit/reports?status=closed&",
            unit_staff.as_str(),
            vec![format!("r.unit_id = {} AND r.status = 'closed'", _units[0])],
            "r.deadline, r.id",
        ),
    ];
    for (path, token, conditions, order) in &staff {
        for (page, per_page) in [(1, 20), (5, 100), (30, 50)] {
            let got = get_ok(
                &app,
                &format!("{path}page={page}&per_page={per_page}"),
                Some(token),
            )
            .await;
            let want = plain(&app, conditions, order, per_page, (page - 1) * per_page).await;
            agrees(&format!("{path} page {page}"), &got, &want);
        }
    }

    // Open311 pages through the same newest-first list.
    let from = app.state.clock.rfc3339(now - 30 * 86_400_000);
    let open311 = |page: i64, size: i64| {
        format!(
            "/open311/v2/requests.json?start_date={}&page={page}&page_size={size}",
            encode(&from)
        )
    };
    let conditions = vec![
        public.clone(),
        format!("r.created_at >= {}", now - 30 * 86_400_000),
    ];
    for (page, size) in [(1, 100), (3, 250), (2, 1000)] {
        let got = get_ok(&app, &open311(page, size), None).await;
        let got: Vec<i64> = got
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["service_request_id"].as_str().unwrap().parse().unwrap())
            .collect();
        let (want, _) = plain(&app, &conditions, "r.id DESC", size, (page - 1) * size).await;
        assert_eq!(got, want, "open311 page {page} of {size}");
    }
    let default = get_ok(&app, "/open311/v2/requests.json", None).await;
    assert_eq!(default.as_array().unwrap().len(), 20, "20 by default");
    let r = app.get(&open311(1, 1001), None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
}
both!(lists_agree_with_the_plain_queries);
