//! The API's "Operations": the dashboard's numbers and the monthly 通报, from
//! reports taken through the closed loop; the counts kept by triggers agree
//! with the reports themselves, before and after folding.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::helpers::{Engine, IN_GRID, NOWHERE, ON_STREET, TestApp};

/// The tallies as the dashboard reads them, and the same counts straight
/// from the reports.
async fn tallies_agree(app: &TestApp) {
    let direct: Vec<(String, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT status, category_id, COALESCE(unit_id, 0), COALESCE(area_id, 0), \
         CASE WHEN rectified_at IS NOT NULL AND deadline IS NOT NULL AND rectified_at <= deadline THEN 1 ELSE 0 END, \
         CASE WHEN closed_at IS NOT NULL AND closed_at - created_at <= 86400000 THEN 1 ELSE 0 END, COUNT(*) \
         FROM reports GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    let kept: Vec<(String, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT status, category_id, unit_id, area_id, on_time, same_day, CAST(SUM(n) AS BIGINT) \
         FROM (SELECT status, category_id, unit_id, area_id, on_time, same_day, n FROM report_tallies \
               UNION ALL SELECT status, category_id, unit_id, area_id, on_time, same_day, n FROM report_tally_deltas) t \
         GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(kept, direct);
}

/// A moderator's decision on a report (`review` or `verify`).
async fn decide(
    app: &TestApp,
    moderator: &str,
    id: i64,
    step: &str,
    decision: &str,
) -> crate::helpers::Resp {
    app.post(
        &format!("/api/v1/reports/{id}/{step}"),
        json!({"decision": decision, "reason": "不属于受理范围", "note": "现场核查"}),
        Some(moderator),
    )
    .await
}

/// As if the report's deadline had passed a minute ago.
async fn past_deadline(app: &TestApp, id: i64) {
    sqlx::query("UPDATE reports SET deadline = $1 WHERE id = $2")
        .bind(app.state.clock.now_ms() - 60_000)
        .bind(id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
}

async fn the_dashboard_and_the_monthly_report(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (moderator, _) = app.moderator().await;
    let (grid_staff, _) = app.unit_staff("13900000003", city.grid_unit).await;
    let (traffic_staff, _) = app.unit_staff("13900000005", city.traffic_unit).await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let review = |id: i64, decision: &'static str| decide(&app, &moderator, id, "review", decision);
    let verify = |id: i64, decision: &'static str| decide(&app, &moderator, id, "verify", decision);
    let past_deadline = |id: i64| past_deadline(&app, id);

    // Closed the same day, on time (立行立改).
    let quick = app
        .report_id(&citizen, city.litter, IN_GRID, "路边堆放垃圾")
        .await;
    assert_eq!(review(quick, "approve").await.status, StatusCode::OK);
    assert_eq!(app.rectify(&grid_staff, quick).await.status, StatusCode::OK);
    assert_eq!(verify(quick, "close").await.status, StatusCode::OK);
    // Reported two days ago, rectified after its deadline, then closed
    // (限期整改, late).
    let late = app
        .report_id(&citizen, city.litter, IN_GRID, "绿化带里有垃圾")
        .await;
    review(late, "approve").await;
    past_deadline(late).await;
    sqlx::query("UPDATE reports SET created_at = created_at - $1 WHERE id = $2")
        .bind(2 * 86_400_000_i64)
        .bind(late)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    app.rectify(&grid_staff, late).await;
    verify(late, "close").await;
    // Still open past its deadline: overdue.
    let open = app
        .report_id(&citizen, city.parking, ON_STREET, "机动车占用人行道")
        .await;
    review(open, "approve").await;
    past_deadline(open).await;
    // Sent back once (返工), then fixed again.
    let rework = app
        .report_id(&citizen, city.litter, IN_GRID, "垃圾桶满溢")
        .await;
    review(rework, "approve").await;
    app.rectify(&grid_staff, rework).await;
    assert_eq!(verify(rework, "reopen").await.status, StatusCode::OK);
    // Waiting for review; turned down.
    app.report_id(&citizen, city.litter, NOWHERE, "小广告")
        .await;
    let rejected = app
        .report_id(&citizen, city.parking, NOWHERE, "不知道是什么")
        .await;
    assert_eq!(review(rejected, "reject").await.status, StatusCode::OK);
    let _ = traffic_staff;
    tallies_agree(&app).await;

    let r = app.get("/api/v1/stats/overview", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let s = &r.body["reports"];
    assert_eq!(
        s["by_status"],
        json!({"pending_review": 1, "rejected": 1, "assigned": 2, "returned": 0, "rectified": 0, "closed": 2, "duplicate": 0})
    );
    assert_eq!(s["overdue"], 1);
    assert_eq!(s["on_time_rate"], 0.5);
    assert_eq!(s["closed_same_day"], 1);
    assert_eq!(s["closed_later"], 1);
    let litter = s["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category_id"] == city.litter)
        .unwrap();
    assert_eq!(litter["count"], 3, "problems only: not the pending one");
    let weeks = s["weekly"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    let total = |k: &str| weeks.iter().map(|w| w[k].as_i64().unwrap()).sum::<i64>();
    assert_eq!((total("reported"), total("closed")), (6, 2));
    assert_eq!(weeks[11]["closed"], 2, "this week");
    assert_eq!(r.body["volunteer_minutes_this_month"], 0);

    // Folding changes nothing in the answers.
    let folded = app::backend::stats::fold(&app.state).await.unwrap();
    assert!(folded > 0);
    assert_eq!(app.count("report_tally_deltas").await, 0);
    tallies_agree(&app).await;
    // (The figures are computed once a minute: the next minute's are read
    // from the tallies again.)
    app.state.clock.advance(60_000);
    let after = app.get("/api/v1/stats/overview", None).await.body;
    for k in [
        "by_status",
        "by_category",
        "overdue",
        "on_time_rate",
        "closed_same_day",
    ] {
        assert_eq!(after["reports"][k], r.body["reports"][k], "{k}");
    }
    // And later changes keep adding up, from the next minute on.
    assert_eq!(
        app.rectify(&traffic_staff, open).await.status,
        StatusCode::OK
    );
    tallies_agree(&app).await;
    let same_minute = app.get("/api/v1/stats/overview", None).await.body;
    assert_eq!(
        same_minute["reports"]["overdue"], 1,
        "this minute's figures"
    );
    app.state.clock.advance(60_000);
    let s = app.get("/api/v1/stats/overview", None).await.body;
    assert_eq!(s["reports"]["overdue"], 0);
    assert_eq!(s["reports"]["by_status"]["rectified"], 1);

    // Staff detail: per unit and per area; moderators only.
    assert_eq!(
        app.get("/api/v1/stats/detail", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    let d = app.get("/api/v1/stats/detail", Some(&moderator)).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    let grid = d.body["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == city.grid_unit)
        .unwrap();
    assert_eq!(
        (grid["open"].as_i64(), grid["closed"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(grid["on_time_rate"], 0.5);
    let grid_area = d.body["by_area"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "grid")
        .unwrap();
    assert_eq!(grid_area["count"], 3);

    // The monthly 通报: moderators only, JSON and CSV.
    let month = app.state.clock.rfc3339(app.state.clock.now_ms())[..7].to_owned();
    assert_eq!(
        app.get("/api/v1/stats/units", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/stats/units", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let u = app
        .get(
            &format!("/api/v1/stats/units?month={month}"),
            Some(&moderator),
        )
        .await;
    assert_eq!(u.status, StatusCode::OK, "{}", u.text);
    let grid = u
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["unit_id"] == city.grid_unit)
        .unwrap();
    assert_eq!(
        (
            grid["assigned"].as_i64(),
            grid["closed"].as_i64(),
            grid["closed_on_time"].as_i64()
        ),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(grid["overdue"], 1, "the late one missed its deadline");
    assert_eq!(grid["reopened"], 1);
    assert_eq!(grid["rank"], 1);
    let traffic = u
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["unit_id"] == city.traffic_unit)
        .unwrap();
    assert_eq!(traffic["overdue"], 1);
    assert!(traffic["on_time_rate"].is_null());
    let csv = app
        .send(app.request(
            reqwest::Method::GET,
            &format!("/api/v1/stats/units?month={month}&format=csv"),
            Some(&moderator),
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.headers[reqwest::header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert!(csv.text.starts_with('\u{feff}'), "a BOM for Excel");
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "月份,排名,责任单位,交办,销号,按期销号,逾期,返工,按期率,退回,督办,评价,满意,满意率"
    );
    assert!(
        lines.contains(&format!("{month},1,雄关街道,3,2,1,1,1,50.0%,0,0,0,0,—").as_str()),
        "{lines:?}"
    );
    for bad in ["month=2026-13", "format=xml"] {
        let r = app
            .get(&format!("/api/v1/stats/units?{bad}"), Some(&moderator))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let empty = app
        .get("/api/v1/stats/units?month=2020-01", Some(&moderator))
        .await;
    assert!(
        empty
            .body
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["assigned"] == 0)
    );
}
both!(the_dashboard_and_the_monthly_report);
