//! What a flood or a crafted request meets (issue 17): NUL bytes, the
//! limits that live in the database (Open311 per address and per key,
//! uploads per person), Open311's caching headers.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::helpers::{Engine, TestApp, jpeg, photo_part};

/// A NUL byte in a path, a query or a body is a 4xx that changes nothing,
/// on both engines (PostgreSQL cannot store one).
async fn nul_bytes_are_refused(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, _) = app.register("13800138000", "张三").await;

    let r = app.get("/open311/v2/tokens/%00.json", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(
        r.body[0]["code"], 400,
        "Open311's own error array: {}",
        r.text
    );
    let r = app
        .get("/api/v1/admin/audit?action=%00", Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.code(), "invalid_input");
    let r = app.get("/api/v1/reports?q=%00abc", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app.get("/reports/%00", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);

    // JSON with an escaped NUL, a raw NUL, a form with %00.
    let before = app.count("suggestions").await;
    let r = app
        .post(
            "/api/v1/suggestions",
            json!({"title": "建议\u{0}增设垃圾桶", "body": "广场东侧垃圾桶太少"}),
            Some(&citizen),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.code(), "invalid_input");
    let raw = app
        .send(
            app.request(Method::POST, "/api/v1/suggestions", Some(&citizen))
                .header("content-type", "application/json")
                .body(b"{\"title\": \"a\x00b\", \"body\": \"x\"}".to_vec()),
        )
        .await;
    assert_eq!(raw.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", raw.text);
    let form = app
        .send(
            app.request(Method::POST, "/open311/v2/requests.json", None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("api_key=x&service_code=1&description=a%00b&lat=39.7&long=98.2"),
        )
        .await;
    assert_eq!(form.status, StatusCode::BAD_REQUEST, "{}", form.text);
    assert_eq!(app.count("suggestions").await, before);
    // Markup and other control-free text still pass.
    let r = app
        .post(
            "/api/v1/suggestions",
            json!({"title": "<b>增设垃圾桶</b>", "body": "广场东侧垃圾桶太少 %0 \\u0041"}),
            Some(&citizen),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}
both!(nul_bytes_are_refused);

async fn open311_key(app: &TestApp) -> (String, i64) {
    let (_, key) = app::backend::open311::create_key(
        &app.state,
        app::backend::auth::Actor::System,
        "12345热线",
    )
    .await
    .unwrap();
    let (user,): (i64,) = sqlx::query_as("SELECT user_id FROM api_keys")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    (key, user)
}

/// Hits already counted in a window (as other servers would have counted
/// them).
async fn counted(app: &TestApp, bucket: &str, key: &str, hits: i64) {
    sqlx::query(
        "INSERT INTO rate_windows (bucket, key, window_start, hits) VALUES ($1, $2, $3, $4)",
    )
    .bind(bucket)
    .bind(key)
    .bind(app.state.clock.now_ms())
    .bind(hits)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
}

/// Open311 answers carry Cache-Control; one address gets 120 requests a
/// minute, one key 600 (both counted in the database).
async fn open311_limits_and_caching(e: Engine) {
    let app = TestApp::spawn(e).await;
    let cache = |r: &crate::helpers::Resp| r.headers["cache-control"].to_str().unwrap().to_owned();
    let r = app.get("/open311/v2/discovery.json", None).await;
    assert_eq!(cache(&r), "public, max-age=3600");
    let r = app.get("/open311/v2/services.xml", None).await;
    assert_eq!(cache(&r), "public, max-age=3600");
    let r = app.get("/open311/v2/requests.json", None).await;
    assert_eq!(cache(&r), "public, max-age=60");
    let r = app.get("/open311/v2/requests/999.json", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(cache(&r), "no-store");

    // Per key: its window is full; the next POST is refused, in Open311's format.
    let (key, client) = open311_key(&app).await;
    counted(&app, "open311-key", &format!("user:{client}"), 600).await;
    let post = app
        .send(
            app.request(Method::POST, "/open311/v2/requests.json", None)
                .form(&[
                    ("api_key", key.as_str()),
                    ("service_code", "1"),
                    ("description", "井盖缺失"),
                    ("lat", "39.77"),
                    ("long", "98.29"),
                ]),
        )
        .await;
    assert_eq!(post.status, StatusCode::TOO_MANY_REQUESTS, "{}", post.text);
    assert_eq!(post.body[0]["code"], 429);
    assert!(post.headers.contains_key("retry-after"));
    assert_eq!(cache(&post), "no-store");
    assert_eq!(app.count("reports").await, 0);

    // Per address: 5 requests above, 115 more pass, the 121st is refused.
    for i in 0..115 {
        let r = app.get("/open311/v2/services.json", None).await;
        assert_eq!(r.status, StatusCode::OK, "request {i}: {}", r.text);
    }
    let r = app.get("/open311/v2/services.json", None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.body[0]["code"], 429);
    let wait: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // A minute later the window is new.
    app.state.clock.advance(61_000);
    assert_eq!(
        app.get("/open311/v2/services.json", None).await.status,
        StatusCode::OK
    );
}
both!(open311_limits_and_caching);

/// 30 requests with photos per citizen an hour, whichever server counted
/// them; refused before any photo is decoded or stored.
async fn uploads_per_person(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (citizen, id) = app.register("13800138000", "张三").await;
    counted(&app, "uploads-person", &id.to_string(), 30).await;
    let city = app.city().await;
    let file = || async {
        let form = reqwest::multipart::Form::new()
            .text("category_id", city.litter.to_string())
            .text("description", "共享单车乱停放，堵住盲道")
            .text("lat", "39.773")
            .text("lon", "98.289")
            .part("photo", photo_part(jpeg(40, 30)));
        app.send(
            app.request(Method::POST, "/api/v1/reports", Some(&citizen))
                .multipart(form),
        )
        .await
    };
    let r = file().await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.code(), "rate_limited");
    assert_eq!(app.count("reports").await, 0);
    assert_eq!(app.count("report_photos").await, 0);
    app.state.clock.advance(3_600_000);
    let r = file().await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}
both!(uploads_per_person);

/// Staff powers never work on one's own account: a moderator cannot check
/// (and close) a report of their own, nor lift their own suspension.
async fn no_staff_powers_on_oneself(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (moderator, me) = app.moderator().await;
    let (other, _) = app
        .user_with_roles("13900000002", &["moderator"], None)
        .await;
    let (staff, _) = app.unit_staff("13900000003", city.grid_unit).await;
    // A patrol report of the moderator's own goes straight to the unit.
    let id = app
        .report_id(
            &moderator,
            city.litter,
            crate::helpers::IN_GRID,
            "巡查发现：垃圾桶满溢",
        )
        .await;
    assert_eq!(app.rectify(&staff, id).await.status, StatusCode::OK);
    let path = format!("/api/v1/reports/{id}/verify");
    let close = json!({"decision": "close"});
    let r = app.post(&path, close.clone(), Some(&moderator)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.code(), "own_account");
    assert_eq!(
        app.post(&path, close, Some(&other)).await.status,
        StatusCode::OK
    );

    sqlx::query("UPDATE users SET volunteer_suspended_until = $1 WHERE id = $2")
        .bind(app.state.clock.now_ms() + 86_400_000)
        .bind(me)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let lift = app
        .call(
            Method::DELETE,
            &format!("/api/v1/admin/users/{me}/volunteer-suspension"),
            Some(&moderator),
        )
        .await;
    assert_eq!(lift.status, StatusCode::FORBIDDEN, "{}", lift.text);
    assert_eq!(lift.code(), "own_account");
}
both!(no_staff_powers_on_oneself);

/// A gift costs at most what one ledger entry can take (100,000 points), so
/// every gift on the shelf can be redeemed.
async fn gift_costs_fit_one_ledger_entry(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let r = app
        .post(
            "/api/v1/admin/gifts",
            json!({"name": "自行车", "cost": 100_001, "stock": 1}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.field_errors(), ["cost"]);
    let r = app
        .post(
            "/api/v1/admin/gifts",
            json!({"name": "自行车", "cost": 100_000, "stock": 1}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let (citizen, id) = app.register("13800138000", "张三").await;
    sqlx::query("UPDATE users SET points_balance = 100000 WHERE id = $1")
        .bind(id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO points_ledger (user_id, delta, reason, created_at) VALUES ($1, 100000, 'admin_adjust', $2)",
    )
    .bind(id)
    .bind(app.state.clock.now_ms())
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let redeem = app
        .call(
            Method::POST,
            &format!("/api/v1/gifts/{}/redeem", r.body["id"]),
            Some(&citizen),
        )
        .await;
    assert_eq!(redeem.status, StatusCode::CREATED, "{}", redeem.text);
}
both!(gift_costs_fit_one_ledger_entry);
