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
