use app::backend::points::{self, Reference};
use app::domain::{PointsDelta, PointsReason};
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::helpers::{Engine, TestApp, count_of};

async fn moderators_adjust_and_the_ledger_sums_to_the_balance(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (moderator, _) = app
        .user_with_roles("13900000002", &["moderator"], None)
        .await;
    let (citizen, id) = app.register("13800138000", "张三").await;

    let r = app
        .post(
            "/api/v1/admin/points/adjust",
            json!({"user_id": id, "delta": 50, "reason": "街头劝导表现突出"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["delta"], 50);
    assert_eq!(r.body["reason"], "admin_adjust");
    assert_eq!(r.body["note"], "街头劝导表现突出");

    let r = app
        .post(
            "/api/v1/admin/points/adjust",
            json!({"user_id": id, "delta": -60, "reason": "误发"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "insufficient_points");
    let r = app
        .post(
            "/api/v1/admin/points/adjust",
            json!({"user_id": id, "delta": -20, "reason": "误发冲正"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);

    for (body, field) in [
        (json!({"user_id": id, "delta": 0, "reason": "x"}), "delta"),
        (json!({"user_id": id, "delta": 5, "reason": "  "}), "reason"),
        (
            json!({"user_id": id, "delta": 1_000_000, "reason": "x"}),
            "delta",
        ),
        (
            json!({"user_id": 4242, "delta": 5, "reason": "x"}),
            "user_id",
        ),
    ] {
        let r = app
            .post("/api/v1/admin/points/adjust", body, Some(&moderator))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.field_errors(), [field]);
    }
    let r = app
        .post(
            "/api/v1/admin/points/adjust",
            json!({"user_id": id, "delta": 5, "reason": "自己加分"}),
            Some(&citizen),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let summary = app.get("/api/v1/me/points", Some(&citizen)).await;
    assert_eq!(summary.body["balance"], 30);
    assert_eq!(summary.body["lifetime"], 30);
    assert_eq!(summary.body["level"], "trainee");
    assert_eq!(summary.body["next_level_missing"], 70);
    let ledger = app.get("/api/v1/me/points/ledger", Some(&citizen)).await;
    assert_eq!(ledger.body["total"], 2);
    let sum: i64 = ledger.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["delta"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 30);
    assert_eq!(ledger.body["items"][0]["delta"], -20, "newest first");
    assert_eq!(
        app.get("/api/v1/me/points/ledger?page=0", Some(&citizen))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/me/points", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&citizen)).await.body["points_balance"],
        30
    );

    let audit: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'points.adjust'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(audit.0, 2, "refused adjustments leave no audit entry");
}
both!(moderators_adjust_and_the_ledger_sums_to_the_balance);

async fn concurrent_deductions_never_overdraw(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (moderator, _) = app
        .user_with_roles("13900000002", &["moderator"], None)
        .await;
    let (_, id) = app.register("13800138000", "张三").await;
    let r = app
        .post(
            "/api/v1/admin/points/adjust",
            json!({"user_id": id, "delta": 100, "reason": "起始"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);

    let bodies = (0..25)
        .map(|_| json!({"user_id": id, "delta": -10, "reason": "并发扣减"}))
        .collect();
    let statuses = app
        .post_all_at_once("/api/v1/admin/points/adjust", Some(&moderator), bodies)
        .await;
    assert_eq!(count_of(&statuses, StatusCode::CREATED), 10, "{statuses:?}");
    assert_eq!(
        count_of(&statuses, StatusCode::CONFLICT),
        15,
        "{statuses:?}"
    );
    let (balance,): (i64,) = sqlx::query_as("SELECT points_balance FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(balance, 0);
    assert_eq!(points::ledger_sum(&app.state, id).await.unwrap(), 0);
}
both!(concurrent_deductions_never_overdraw);

async fn an_earning_is_paid_once_per_reference(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (_, id) = app.register("13800138000", "张三").await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let state = app.state.clone();
            tokio::spawn(async move {
                points::award(
                    &state,
                    id,
                    PointsDelta::parse(5).unwrap(),
                    PointsReason::ReportApproved,
                    Some(Reference {
                        kind: "report",
                        id: 7,
                    }),
                )
                .await
                .unwrap()
            })
        })
        .collect();
    let paid: Vec<bool> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(paid.iter().filter(|p| **p).count(), 1);
    // Another reference pays again.
    assert!(
        points::award(
            &app.state,
            id,
            PointsDelta::parse(5).unwrap(),
            PointsReason::ReportApproved,
            Some(Reference {
                kind: "report",
                id: 8
            })
        )
        .await
        .unwrap()
    );
    let summary = points::summary(&app.state, id).await.unwrap();
    assert_eq!(summary.balance, 10);
    assert_eq!(points::ledger_sum(&app.state, id).await.unwrap(), 10);
    // Spending moves the balance but not the lifetime total that levels use.
    assert!(
        points::award(
            &app.state,
            id,
            PointsDelta::parse(-4).unwrap(),
            PointsReason::GiftRedeemed,
            Some(Reference {
                kind: "redemption",
                id: 1
            })
        )
        .await
        .unwrap()
    );
    let summary = points::summary(&app.state, id).await.unwrap();
    assert_eq!((summary.balance, summary.lifetime), (6, 10));
}
both!(an_earning_is_paid_once_per_reference);

/// Admins change the earning rules; the daily cap on report points holds
/// when approvals for one reporter arrive at once.
async fn earning_rules_and_the_daily_cap(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (citizen, citizen_id) = app.register("13800138000", "张三").await;
    let rules = app.get("/api/v1/points/rules", None).await;
    assert_eq!(
        rules.body,
        json!({"report_confirmed": 2, "volunteer_per_hour": 10, "nomination_approved": 20,
            "daily_vote": 1, "report_daily_cap": 50})
    );
    let set = |body: serde_json::Value, token: &str| {
        let token = token.to_owned();
        let app = &app;
        async move {
            app.post("/api/v1/admin/points/rules", body, Some(&token))
                .await
        }
    };
    assert_eq!(
        set(json!({"report_daily_cap": 12}), &moderator)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        set(json!({"report_daily_cap": -1, "free_money": 5}), &admin)
            .await
            .field_errors(),
        ["free_money", "report_daily_cap"]
    );
    assert_eq!(set(json!({}), &admin).await.field_errors(), ["rules"]);
    let r = set(json!({"report_daily_cap": 12}), &admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["report_daily_cap"], 12);
    assert_eq!(r.body["report_confirmed"], 2, "the others stay");
    let r = set(
        json!({"report_daily_cap": 12, "report_confirmed": 3}),
        &admin,
    )
    .await;
    assert_eq!(
        r.body["report_confirmed"], 3,
        "set again: updated, not duplicated"
    );

    // Three approvals of 5 points at once: 5 + 5 + 2, never more than the cap.
    let mut ids = vec![];
    for i in 0..3 {
        ids.push(
            app.report_id(
                &citizen,
                city.litter,
                crate::helpers::IN_GRID,
                &format!("垃圾堆第{i}处"),
            )
            .await,
        );
    }
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let req = app
                .request(
                    reqwest::Method::POST,
                    &format!("/api/v1/reports/{id}/review"),
                    Some(&moderator),
                )
                .json(&json!({"decision": "approve"}));
            tokio::spawn(async move { req.send().await.unwrap().status() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(app.balance(citizen_id).await, 12);
    let ledger = app.get("/api/v1/me/points/ledger", Some(&citizen)).await;
    let mut deltas: Vec<i64> = ledger.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["delta"].as_i64().unwrap())
        .collect();
    deltas.sort();
    assert_eq!(deltas, [2, 5, 5]);
    let (capped,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND body LIKE '%已达上限%'",
    )
    .bind(citizen_id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(capped, 0, "the third still earned 2");
    // A fourth report the same day earns nothing and says why; tomorrow it pays again.
    let id = app
        .report_id(
            &citizen,
            city.litter,
            crate::helpers::IN_GRID,
            "垃圾堆第四处",
        )
        .await;
    let r = app.approve(&moderator, id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.balance(citizen_id).await, 12);
    let messages = app.get("/api/v1/me/notifications", Some(&citizen)).await;
    assert!(
        messages.text.contains("今日随手拍积分已达上限（12分）"),
        "{}",
        messages.text
    );
    app.state.clock.advance(24 * 3600 * 1000);
    let id = app
        .report_id(
            &citizen,
            city.litter,
            crate::helpers::IN_GRID,
            "垃圾堆第五处",
        )
        .await;
    app.approve(&moderator, id).await;
    assert_eq!(app.balance(citizen_id).await, 17);

    // The first approved report earned a badge, once, with a message.
    let summary = app.get("/api/v1/me/points", Some(&citizen)).await;
    assert_eq!(summary.body["badges"], json!(["first_report"]));
    let list = summary.body["badge_list"].as_array().unwrap();
    assert_eq!(list.len(), 6);
    assert!(list[0]["earned_at"].is_string() && list[1]["earned_at"].is_null());
    let (told,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'badge'")
            .bind(citizen_id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(told, 1, "five approvals, one badge");
}
both!(earning_rules_and_the_daily_cap);

/// Leaderboards by points earned and by volunteer hours, this month and of
/// all time; display names only, spending does not count, ties share a rank.
async fn leaderboards(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (moderator, _) = app.moderator().await;
    let (_, a) = app.register("13800138000", "张三").await;
    let (_, b) = app.register("13800138001", "李四").await;
    let (_, c) = app.register("13800138002", "王五").await;
    for (user, pts) in [(a, 30), (b, 50), (c, 30)] {
        let r = app
            .post(
                "/api/v1/admin/points/adjust",
                json!({"user_id": user, "delta": pts, "reason": "活动奖励"}),
                Some(&moderator),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    // Spending does not lower one's place.
    let mut tx = app.state.db.begin_write().await.unwrap();
    points::append(
        &mut tx,
        app.state.clock.now_ms(),
        b,
        PointsDelta::parse(-40).unwrap(),
        PointsReason::GiftRedeemed,
        Some(Reference {
            kind: "redemption",
            id: 1,
        }),
        None,
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for period in ["month", "all"] {
        let r = app
            .get(
                &format!("/api/v1/leaderboard?board=points&period={period}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(
            r.body,
            json!([{"rank": 1, "display_name": "市民李*", "value": 50.0},
                {"rank": 2, "display_name": "市民张*", "value": 30.0},
                {"rank": 2, "display_name": "市民王*", "value": 30.0}]),
            "{period}"
        );
        assert!(!r.text.contains("138"), "no phone numbers");
    }
    let default = app.get("/api/v1/leaderboard", None).await;
    assert_eq!(default.body.as_array().unwrap().len(), 3);
    let hours = app
        .get("/api/v1/leaderboard?board=hours&period=all", None)
        .await;
    assert_eq!(hours.body, json!([]));
    for bad in ["board=money", "period=year"] {
        let r = app.get(&format!("/api/v1/leaderboard?{bad}"), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    // Next month, this month's board starts empty; all time keeps them.
    app.state.clock.advance(32 * 24 * 3600 * 1000);
    let month = app
        .get("/api/v1/leaderboard?board=points&period=month", None)
        .await;
    assert_eq!(month.body, json!([]));
    let all = app
        .get("/api/v1/leaderboard?board=points&period=all", None)
        .await;
    assert_eq!(all.body.as_array().unwrap().len(), 3);
}
both!(leaderboards);
