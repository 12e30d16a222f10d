//! The API's "Operations": 创城信箱 and the audit log, and who may see what.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::helpers::{Engine, TestApp};

async fn the_mailbox(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (moderator, _) = app.moderator().await;
    let (a, _) = app.register("13800138000", "张三").await;
    let (b, _) = app.register("13800138001", "李四").await;

    let body = json!({"title": "增设非机动车停放点", "body": "新华路与雄关大道路口的电动车乱停乱放，建议划线设置停放点。"});
    assert_eq!(
        app.post("/api/v1/suggestions", body.clone(), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post(
            "/api/v1/suggestions",
            json!({"title": "停", "body": "乱"}),
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(fields, ["body", "title"]);
    let r = app.post("/api/v1/suggestions", body, Some(&a)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.body["answer"].is_null());
    assert!(
        r.body["author_name"].is_null(),
        "no names outside the office"
    );
    let public_one = r.body["id"].as_i64().unwrap();
    let r = app
        .post(
            "/api/v1/suggestions",
            json!({"title": "反映邻居噪音", "body": "楼上邻居每天深夜装修，影响休息，希望有关部门处理。"}),
            Some(&b),
        )
        .await;
    let private_one = r.body["id"].as_i64().unwrap();

    // Nothing is public before it is answered.
    let list = app.get("/api/v1/suggestions", None).await;
    assert_eq!(list.body["total"], 0);
    // The office's inbox: moderators only, unanswered first, with names.
    assert_eq!(
        app.get("/api/v1/moderation/suggestions", Some(&a))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let inbox = app
        .get("/api/v1/moderation/suggestions", Some(&moderator))
        .await;
    assert_eq!(inbox.body["total"], 2);
    assert_eq!(inbox.body["items"][0]["id"], public_one);
    assert_eq!(inbox.body["items"][0]["author_name"], "张三");

    let answer = |id: i64| format!("/api/v1/suggestions/{id}/answer");
    assert_eq!(
        app.post(
            &answer(public_one),
            json!({"answer": "好的", "public": true}),
            Some(&a)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(
            &answer(public_one),
            json!({"answer": " ", "public": true}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.field_errors(), ["answer"]);
    assert_eq!(
        app.post(
            &answer(4242),
            json!({"answer": "已办理", "public": true}),
            Some(&moderator)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(
            &answer(public_one),
            json!({"answer": "已转交市城市管理执法局，本月内完成划线。", "public": true}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["public"], true);
    let r = app
        .post(
            &answer(private_one),
            json!({"answer": "已联系社区上门劝导。", "public": false}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // The public list shows the public answer only, without names.
    let list = app.get("/api/v1/suggestions", None).await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], public_one);
    assert_eq!(
        list.body["items"][0]["answer"],
        "已转交市城市管理执法局，本月内完成划线。"
    );
    assert!(list.body["items"][0]["author_name"].is_null());
    // The author of the private one sees its answer, and a message.
    let mine = app.get("/api/v1/me/suggestions", Some(&b)).await;
    assert_eq!(mine.body["items"][0]["answer"], "已联系社区上门劝导。");
    assert_eq!(mine.body["total"], 1);
    let messages = app.get("/api/v1/me/notifications", Some(&b)).await;
    assert!(messages.text.contains("创城信箱有答复了"));
    let r = app.get("/api/v1/suggestions?per_page=1000", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
both!(the_mailbox);

async fn the_audit_log(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, moderator_id) = app.moderator().await;
    let (citizen, citizen_id) = app.register("13800138000", "张三").await;
    for (delta, reason) in [(30, "劝导活动"), (-5, "重复发放冲正")] {
        let r = app
            .post(
                "/api/v1/admin/points/adjust",
                json!({"user_id": citizen_id, "delta": delta, "reason": reason}),
                Some(&moderator),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let r = app
        .post(
            "/api/v1/admin/gifts",
            json!({"name": "文明雨伞", "cost": 30, "stock": 5}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);

    assert_eq!(
        app.get("/api/v1/admin/audit", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    for token in [&citizen, &moderator] {
        assert_eq!(
            app.get("/api/v1/admin/audit", Some(token)).await.status,
            StatusCode::FORBIDDEN,
            "admins only"
        );
    }
    let all = app.get("/api/v1/admin/audit", Some(&admin)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert!(all.body["total"].as_i64().unwrap() >= 3);
    let by = app
        .get(
            &format!("/api/v1/admin/audit?actor_id={moderator_id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(by.body["total"], 2);
    assert_eq!(by.body["items"][0]["actor_name"], "测试用户");
    assert_eq!(by.body["items"][0]["target_type"], "user");
    assert_eq!(by.body["items"][0]["target_id"], citizen_id);
    let gifts = app
        .get("/api/v1/admin/audit?action=gift", Some(&admin))
        .await;
    assert_eq!(gifts.body["total"], 1);
    assert_eq!(gifts.body["items"][0]["action"], "gift.create");
    let today = app.state.clock.rfc3339(app.state.clock.now_ms())[..10].to_owned();
    let r = app
        .get(
            &format!("/api/v1/admin/audit?from={today}&to={today}&target_type=user"),
            Some(&admin),
        )
        .await;
    assert_eq!(r.body["total"], 2);
    let r = app
        .get(
            "/api/v1/admin/audit?from=2020-01-01&to=2020-01-31",
            Some(&admin),
        )
        .await;
    assert_eq!(r.body["total"], 0);
    let r = app
        .get("/api/v1/admin/audit?from=yesterday&page=0", Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(fields, ["from", "page"]);
}
both!(the_audit_log);
