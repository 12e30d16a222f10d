//! 退回 and 改派, 督办 with escalation, 我也看到, 满意度回访 (issue 19), on
//! both engines: every status and code of the new API rows, the races, and
//! the escalation sweep with the service clock moved.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::helpers::*;

const DAY: i64 = 24 * 60 * 60 * 1000;

/// A city, a reporter, a moderator, staff of the grid's unit and of the
/// street's unit, and one report assigned to the grid's unit.
struct Loop {
    app: TestApp,
    city: City,
    citizen: String,
    moderator: String,
    grid_staff: String,
    street_staff: String,
    id: i64,
}

async fn assigned(engine: Engine) -> Loop {
    let app = TestApp::spawn(engine).await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800000001", "张三").await;
    let (moderator, _) = app.moderator().await;
    let (grid_staff, _) = app.unit_staff("13700000001", city.grid_unit).await;
    let (street_staff, _) = app.unit_staff("13700000002", city.street_unit).await;
    let id = app
        .report_id(&citizen, city.litter, IN_GRID, "井盖松动，有人差点踩空")
        .await;
    let r = app.approve(&moderator, id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["unit_id"], city.grid_unit);
    Loop {
        app,
        city,
        citizen,
        moderator,
        grid_staff,
        street_staff,
        id,
    }
}

async fn send_back(l: &Loop, token: &str, reason: &str) -> Resp {
    l.app
        .post(
            &format!("/api/v1/reports/{}/return", l.id),
            json!({ "reason": reason }),
            Some(token),
        )
        .await
}

async fn messages_of(app: &TestApp, token: &str) -> Vec<String> {
    let r = app.get("/api/v1/me/notifications", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn return_and_reassign(engine: Engine) {
    let l = assigned(engine).await;
    let app = &l.app;
    // Another unit may not return it; nobody without a unit either.
    let r = send_back(&l, &l.street_staff, "不是我们的").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = send_back(&l, &l.citizen, "不是我们的").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for path in ["return", "reassign"] {
        let r = app
            .post(
                &format!("/api/v1/reports/999999/{path}"),
                json!({ "reason": "不是我们的", "unit_id": l.city.street_unit }),
                Some(if path == "return" {
                    &l.grid_staff
                } else {
                    &l.moderator
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
        let r = app
            .post(&format!("/api/v1/reports/{}/{path}", l.id), json!({}), None)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // The reason is required, 2–200 characters, text only.
    for bad in ["", "否", &"长".repeat(201), "不是\u{0}我们"] {
        let r = send_back(&l, &l.grid_staff, bad).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad:?}: {}",
            r.text
        );
        assert_eq!(r.code(), "invalid_input");
        assert_eq!(r.field_errors(), vec!["reason"]);
    }
    let r = app.get(&format!("/api/v1/reports/{}", l.id), None).await;
    assert_eq!(
        r.body["status"], "assigned",
        "a refused return changes nothing"
    );

    let r = send_back(&l, &l.grid_staff, "不属本单位：该井盖归供水公司").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "returned");
    assert_eq!(r.body["overdue"], false);
    assert!(r.body["deadline_left_ms"].is_null(), "the deadline stops");
    let last = r.body["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "returned");
    assert_eq!(last["actor_role"], "unit_staff");
    assert_eq!(last["note"], "不属本单位：该井盖归供水公司");
    // Still public: it was approved; it is being re-routed.
    let r = app.get(&format!("/api/v1/reports/{}", l.id), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "returned");
    // The moderators are told.
    assert!(
        messages_of(app, &l.moderator)
            .await
            .iter()
            .any(|t| t.contains("退回"))
    );
    // Returning twice: 409.
    let r = send_back(&l, &l.grid_staff, "再退一次").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "invalid_transition");
    // The moderators' queue of returns.
    let r = app
        .get(
            "/api/v1/moderation/reports?status=returned",
            Some(&l.moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["items"][0]["id"], l.id);
    assert_eq!(r.body["total"], 1);

    // 改派: moderators only; the unit must exist; 1–90 days.
    let path = format!("/api/v1/reports/{}/reassign", l.id);
    let body = json!({ "unit_id": l.city.street_unit, "deadline_days": 5 });
    let r = app.post(&path, body.clone(), Some(&l.grid_staff)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(&path, json!({ "unit_id": 9999 }), Some(&l.moderator))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_errors(), vec!["unit_id"]);
    let r = app
        .post(
            &path,
            json!({ "unit_id": l.city.street_unit, "deadline_days": 91 }),
            Some(&l.moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(&path, json!({ "unit": 1 }), Some(&l.moderator))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);

    let r = app.post(&path, body.clone(), Some(&l.moderator)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "assigned");
    assert_eq!(r.body["unit_id"], l.city.street_unit);
    // A fresh deadline of 5 days (less the moments this test took).
    let left = r.body["deadline_left_ms"].as_i64().unwrap();
    assert!((5 * DAY - 60_000..=5 * DAY).contains(&left), "{left}");
    assert_eq!(
        r.body["timeline"].as_array().unwrap().last().unwrap()["action"],
        "reassigned"
    );
    // The new unit's staff are told and see it in their tasks.
    assert!(
        messages_of(app, &l.street_staff)
            .await
            .iter()
            .any(|t| t.contains(&format!("#{}", l.id)))
    );
    let r = app.get("/api/v1/unit/reports", Some(&l.street_staff)).await;
    assert_eq!(r.body["items"][0]["id"], l.id);
    // Not returned any more: 409.
    let r = app.post(&path, body, Some(&l.moderator)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "invalid_transition");

    // A refused return: back to the same unit, which may rectify it.
    let staff = l.street_staff.clone();
    let r = send_back(&l, &staff, "也不是我们的").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/reports/{}/reassign", l.id),
            json!({ "unit_id": l.city.street_unit, "note": "井盖在人行道上，属城管" }),
            Some(&l.moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["unit_id"], l.city.street_unit);
    let r = app.rectify(&staff, l.id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The month's figures: each unit's return counted for that unit.
    let r = app.get("/api/v1/stats/units", Some(&l.moderator)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let unit = |id: i64| {
        r.body
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(unit(l.city.grid_unit)["returned"], 1);
    assert_eq!(unit(l.city.street_unit)["returned"], 1);
    assert_eq!(unit(l.city.traffic_unit)["returned"], 0);
}
both!(return_and_reassign);

async fn eight_returns_at_once_one_wins(engine: Engine) {
    let l = assigned(engine).await;
    let bodies = (0..8)
        .map(|i| json!({ "reason": format!("不属本单位 {i}") }))
        .collect();
    let statuses = l
        .app
        .post_all_at_once(
            &format!("/api/v1/reports/{}/return", l.id),
            Some(&l.grid_staff),
            bodies,
        )
        .await;
    assert_eq!(count_of(&statuses, StatusCode::OK), 1, "{statuses:?}");
    assert_eq!(count_of(&statuses, StatusCode::CONFLICT), 7, "{statuses:?}");
    let (events,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM report_events WHERE report_id = $1 AND action = 'returned'",
    )
    .bind(l.id)
    .fetch_one(&l.app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(events, 1);
    // And eight reassignments at once: one.
    let bodies = (0..8)
        .map(|_| json!({ "unit_id": l.city.street_unit }))
        .collect();
    let statuses = l
        .app
        .post_all_at_once(
            &format!("/api/v1/reports/{}/reassign", l.id),
            Some(&l.moderator),
            bodies,
        )
        .await;
    assert_eq!(count_of(&statuses, StatusCode::OK), 1, "{statuses:?}");
    assert_eq!(count_of(&statuses, StatusCode::CONFLICT), 7, "{statuses:?}");
}
both!(eight_returns_at_once_one_wins);

async fn urging_tells_the_unit_and_twice_is_red(engine: Engine) {
    let l = assigned(engine).await;
    let app = &l.app;
    let path = format!("/api/v1/reports/{}/urge", l.id);
    let r = app
        .post(&path, json!({ "note": "请今天处理" }), Some(&l.citizen))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(&path, json!({ "note": "" }), Some(&l.moderator))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_errors(), vec!["note"]);
    let r = app
        .post(
            "/api/v1/reports/999999/urge",
            json!({ "note": "请处理" }),
            Some(&l.moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = app
        .post(
            &path,
            json!({ "note": "群众反映强烈，请今天处理" }),
            Some(&l.moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["urge_count"], 1);
    assert!(r.body["escalation"].is_null());
    let last = r.body["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "urged");
    assert_eq!(last["note"], "群众反映强烈，请今天处理");
    assert!(
        messages_of(app, &l.grid_staff)
            .await
            .iter()
            .any(|t| t.starts_with("督办"))
    );
    let r = app
        .post(&path, json!({ "note": "第二次督办" }), Some(&l.moderator))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["urge_count"], 2);
    assert_eq!(r.body["escalation"], "red");
    // Red tells the moderators too, once.
    let reds = messages_of(app, &l.moderator)
        .await
        .into_iter()
        .filter(|t| t.contains("红牌"))
        .count();
    assert_eq!(reds, 1);
    let r = app
        .post(&path, json!({ "note": "第三次督办" }), Some(&l.moderator))
        .await;
    assert_eq!(r.body["urge_count"], 3);
    let escalated = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "escalated")
        .count();
    assert_eq!(escalated, 1, "red once");
    // Urged while rectified too; not once closed.
    assert_eq!(
        app.rectify(&l.grid_staff, l.id).await.status,
        StatusCode::OK
    );
    let r = app
        .post(&path, json!({ "note": "请尽快督查" }), Some(&l.moderator))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app
        .post(
            &format!("/api/v1/reports/{}/verify", l.id),
            json!({ "decision": "close" }),
            Some(&l.moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .post(&path, json!({ "note": "已销号" }), Some(&l.moderator))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "invalid_transition");
    // The unit's urgings are in the month's figures.
    let r = app.get("/api/v1/stats/units", Some(&l.moderator)).await;
    let grid = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == l.city.grid_unit)
        .unwrap()
        .clone();
    assert_eq!(grid["urged"], 4);
}
both!(urging_tells_the_unit_and_twice_is_red);

async fn the_sweep_escalates_yellow_then_red_once(engine: Engine) {
    let l = assigned(engine).await;
    let app = &l.app;
    // A second report, rectified in time: never escalated.
    let fixed = app
        .report_id(&l.citizen, l.city.litter, IN_GRID, "垃圾桶满了")
        .await;
    app.approve(&l.moderator, fixed).await;
    assert_eq!(
        app.rectify(&l.grid_staff, fixed).await.status,
        StatusCode::OK
    );
    let sweep = || app::backend::reports::escalate_due(&app.state);
    assert_eq!(sweep().await.unwrap(), (0, 0), "nothing is due yet");
    // Past the deadline (3 days): yellow, the unit told once.
    app.state.clock.advance(3 * DAY + 60_000);
    assert_eq!(sweep().await.unwrap(), (1, 0));
    assert_eq!(sweep().await.unwrap(), (0, 0), "yellow exactly once");
    let r = app.get(&format!("/api/v1/reports/{}", l.id), None).await;
    assert_eq!(r.body["escalation"], "yellow");
    assert!(r.body["deadline_left_ms"].as_i64().unwrap() < 0);
    assert_eq!(r.body["overdue"], true);
    let yellow = messages_of(app, &l.grid_staff)
        .await
        .into_iter()
        .filter(|t| t.contains("黄牌"))
        .count();
    assert_eq!(yellow, 1);
    assert!(
        !messages_of(app, &l.moderator)
            .await
            .iter()
            .any(|t| t.contains("牌")),
        "yellow is the unit's"
    );
    // Past it by the SLA again: red, the moderators told once (a minute
    // before, not yet).
    app.state.clock.advance(3 * DAY - 120_000);
    assert_eq!(sweep().await.unwrap(), (0, 0), "not red a minute early");
    app.state.clock.advance(120_000);
    assert_eq!(sweep().await.unwrap(), (0, 1));
    assert_eq!(sweep().await.unwrap(), (0, 0), "red exactly once");
    let r = app.get(&format!("/api/v1/reports/{}", l.id), None).await;
    assert_eq!(r.body["escalation"], "red");
    let actions: Vec<_> = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "escalated")
        .map(|e| e["note"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(actions[0].starts_with("黄牌") && actions[1].starts_with("红牌"));
    let reds = messages_of(app, &l.moderator)
        .await
        .into_iter()
        .filter(|t| t.contains("红牌"))
        .count();
    assert_eq!(reds, 1);
    // The rectified-in-time report never was.
    let r = app.get(&format!("/api/v1/reports/{fixed}"), None).await;
    assert!(r.body["escalation"].is_null());
    // The unit's list: red first, with the colour.
    let later = app
        .report_id(&l.citizen, l.city.litter, IN_GRID, "路灯不亮")
        .await;
    app.approve(&l.moderator, later).await;
    let r = app.get("/api/v1/unit/reports", Some(&l.grid_staff)).await;
    assert_eq!(r.body["items"][0]["id"], l.id);
    assert_eq!(r.body["items"][0]["escalation"], "red");
    assert_eq!(r.body["items"][1]["id"], later);
    // A reassignment starts the 督办 afresh.
    send_back(&l, &l.grid_staff, "不属本单位").await;
    let r = app
        .post(
            &format!("/api/v1/reports/{}/reassign", l.id),
            json!({ "unit_id": l.city.street_unit }),
            Some(&l.moderator),
        )
        .await;
    assert!(r.body["escalation"].is_null(), "{}", r.text);
    assert_eq!(r.body["urge_count"], 0);
}
both!(the_sweep_escalates_yellow_then_red_once);

async fn seen_once_per_person_not_by_the_reporter(engine: Engine) {
    let l = assigned(engine).await;
    let app = &l.app;
    let (other, other_id) = app.register("13800000002", "李四").await;
    let path = format!("/api/v1/reports/{}/seen", l.id);
    let r = app.post(&path, json!({}), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.post(&path, json!({}), Some(&l.citizen)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.code(), "own_account");
    let before = app.balance(other_id).await;
    let reports_before = app.count("reports").await;
    // Ten at once by one person: one voice.
    let statuses = app
        .post_all_at_once(&path, Some(&other), (0..10).map(|_| json!({})).collect())
        .await;
    assert_eq!(count_of(&statuses, StatusCode::CREATED), 1, "{statuses:?}");
    assert_eq!(count_of(&statuses, StatusCode::CONFLICT), 9, "{statuses:?}");
    let r = app.post(&path, json!({}), Some(&other)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "already_seen");
    let r = app
        .get(&format!("/api/v1/reports/{}", l.id), Some(&other))
        .await;
    assert_eq!(r.body["seen_count"], 1);
    assert_eq!(r.body["seen"], true);
    assert_eq!(r.body["following"], true, "they follow it");
    assert_eq!(r.body["follower_count"], 1);
    // Nothing filed, nothing paid.
    assert_eq!(app.count("reports").await, reports_before);
    assert_eq!(app.balance(other_id).await, before);
    // A third person's voice counts.
    let (third, _) = app.register("13800000003", "王五").await;
    let r = app.post(&path, json!({}), Some(&third)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["seen_count"], 2);
    // It counts toward the hot spots: one report, two voices.
    app.state.clock.advance(61_000);
    let r = app.get("/api/v1/reports/hot", None).await;
    assert_eq!(r.body["most_reported"][0]["reports"], 3, "{}", r.text);
    // Not while pending, nor once closed.
    let pending = app
        .report_id(&l.citizen, l.city.litter, IN_GRID, "新的报告")
        .await;
    let r = app
        .post(
            &format!("/api/v1/reports/{pending}/seen"),
            json!({}),
            Some(&other),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.rectify(&l.grid_staff, l.id).await;
    app.post(
        &format!("/api/v1/reports/{}/verify", l.id),
        json!({ "decision": "close" }),
        Some(&l.moderator),
    )
    .await;
    let (fourth, _) = app.register("13800000004", "赵六").await;
    let r = app.post(&path, json!({}), Some(&fourth)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "invalid_transition");
}
both!(seen_once_per_person_not_by_the_reporter);

async fn rating_with_the_verdict(engine: Engine) {
    let l = assigned(engine).await;
    let app = &l.app;
    assert_eq!(
        app.rectify(&l.grid_staff, l.id).await.status,
        StatusCode::OK
    );
    let r = app
        .post(
            &format!("/api/v1/reports/{}/verify", l.id),
            json!({ "decision": "close" }),
            Some(&l.moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let path = format!("/api/v1/reports/{}/feedback", l.id);
    for bad in [0, 6, -1] {
        let r = app
            .post(
                &path,
                json!({ "verdict": "fixed", "rating": bad }),
                Some(&l.citizen),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(r.field_errors(), vec!["rating"]);
    }
    let r = app
        .post(
            &path,
            json!({ "verdict": "fixed", "rating": "4" }),
            Some(&l.citizen),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a string is not a rating"
    );
    let r = app.get(&format!("/api/v1/reports/{}", l.id), None).await;
    assert!(
        r.body["rating"].is_null(),
        "refused feedback changes nothing"
    );
    let r = app
        .post(
            &path,
            json!({ "verdict": "fixed", "rating": 4, "note": "很快" }),
            Some(&l.citizen),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["rating"], 4);
    let last = r.body["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["note"], "满意度 ★★★★☆。很快");
    // Someone else may not rate it.
    let (other, _) = app.register("13800000002", "李四").await;
    let r = app
        .post(
            &path,
            json!({ "verdict": "fixed", "rating": 1 }),
            Some(&other),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The month's figures and the city's rate.
    let r = app.get("/api/v1/stats/units", Some(&l.moderator)).await;
    let grid = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == l.city.grid_unit)
        .unwrap()
        .clone();
    assert_eq!(
        (grid["rated"].clone(), grid["satisfied"].clone()),
        (json!(1), json!(1))
    );
    let csv = app
        .get("/api/v1/stats/units?format=csv", Some(&l.moderator))
        .await
        .text;
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with("退回,督办,评价,满意,满意率"),
        "{csv}"
    );
    assert!(csv.contains(",0,0,1,1,100.0%"), "{csv}");
    app.state.clock.advance(61_000);
    let r = app.get("/api/v1/stats/overview", None).await;
    assert_eq!(r.body["reports"]["rated"], 1, "{}", r.text);
    assert_eq!(r.body["reports"]["satisfaction_rate"], 1.0);
}
both!(rating_with_the_verdict);
