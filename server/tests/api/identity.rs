//! Verified phones: SMS codes, their throttles and senders, registering,
//! signing in and resetting with a code.

use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Engine, TestApp, count_of};

const PHONE: &str = "13800138000";

async fn codes_answer_alike_and_are_throttled_per_number(e: Engine) {
    let app = TestApp::spawn(e).await;
    // An unknown number asking to log in gets the answer a known one gets,
    // and no SMS goes out (it could open nothing).
    let r = app.request_code(PHONE, "login").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body, json!({"expires_in_s": 300, "resend_after_s": 60}));
    assert!(app.outbox().is_empty());
    // Within the minute: 429 with the seconds left.
    let r = app.request_code(PHONE, "register").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.code(), "too_many_requests");
    let wait: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");

    app.state.clock.advance(61_000);
    app.register(PHONE, "张三").await;
    let m = &app.outbox()[0];
    assert_eq!(m["to"], PHONE);
    assert_eq!(m["purpose"], "register");
    assert!(
        m["text"]
            .as_str()
            .unwrap()
            .contains(m["code"].as_str().unwrap())
    );
    // Ten a day per number (the unanswered login ask counted too), then
    // none until the city's midnight.
    for _ in 3..=10 {
        app.state.clock.advance(61_000);
        assert_eq!(
            app.request_code(PHONE, "login").await.status,
            StatusCode::ACCEPTED
        );
    }
    app.state.clock.advance(61_000);
    let r = app.request_code(PHONE, "login").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 60 && wait <= 24 * 3600, "{wait}");
    assert_eq!(app.outbox().len(), 9);

    // Bad input changes nothing.
    for body in [
        json!({"phone": "12345", "purpose": "login"}),
        json!({"phone": "13900139000", "purpose": "admin"}),
        json!({"phone": "13900139000\u{0}", "purpose": "login"}),
        json!({"phone": 13900139000u64}),
    ] {
        let r = app.post("/api/v1/auth/sms-code", body, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.code(), "invalid_input");
    }
    assert_eq!(app.outbox().len(), 9);
}
both!(codes_answer_alike_and_are_throttled_per_number);

async fn twenty_code_requests_at_once_send_one_sms(e: Engine) {
    let app = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    let bodies = (0..20)
        .map(|_| json!({"phone": PHONE, "purpose": "register"}))
        .collect();
    let statuses = app
        .post_all_at_once("/api/v1/auth/sms-code", None, bodies)
        .await;
    assert_eq!(count_of(&statuses, StatusCode::ACCEPTED), 1, "{statuses:?}");
    assert_eq!(
        count_of(&statuses, StatusCode::TOO_MANY_REQUESTS),
        19,
        "{statuses:?}"
    );
    assert_eq!(app.outbox().len(), 1);
    assert_eq!(app.count("sms_codes").await, 1);
}
both!(twenty_code_requests_at_once_send_one_sms);

async fn registration_needs_a_good_code_and_consent(e: Engine) {
    let app = TestApp::spawn(e).await;
    let body = |code: &str, agree: Value| {
        json!({"phone": PHONE, "password": "a-good-passphrase", "display_name": "张三",
               "sms_code": code, "agree": agree})
    };
    let code = app.code_for(PHONE, "register").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    // No consent: named by its field, and the code is not spent.
    for agree in [json!(false), Value::Null] {
        let r = app
            .post("/api/v1/auth/register", body(&code, agree), None)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.field_errors(), ["agree"]);
    }
    let r = app
        .post("/api/v1/auth/register", body("12a456", json!(true)), None)
        .await;
    assert_eq!(r.field_errors(), ["sms_code"]);
    let r = app
        .post("/api/v1/auth/register", body(wrong, json!(true)), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "invalid_code");
    assert_eq!(app.count("users").await, 0);

    let r = app
        .post("/api/v1/auth/register", body(&code, json!(true)), None)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let version = app.get("/api/v1/privacy", None).await;
    assert_eq!(version.status, StatusCode::OK);
    assert_eq!(version.body["url"], "/privacy");
    assert_eq!(r.body["user"]["privacy_version"], version.body["version"]);
    let (consents,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM consents WHERE user_id = $1 AND version = $2")
            .bind(r.body["user"]["id"].as_i64().unwrap())
            .bind(version.body["version"].as_str().unwrap())
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(consents, 1);
    // Used once.
    let again = json!({"phone": "13800138001", "password": "a-good-passphrase",
                       "display_name": "李四", "sms_code": code, "agree": true});
    let r = app.post("/api/v1/auth/register", again, None).await;
    assert_eq!(r.code(), "invalid_code");
}
both!(registration_needs_a_good_code_and_consent);

async fn a_code_is_tried_five_times_and_lives_five_minutes(e: Engine) {
    let app = TestApp::spawn(e).await;
    let second = app.second_server().await;
    let code = app.code_for(PHONE, "register").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let body = |code: &str| {
        json!({"phone": PHONE, "password": "a-good-passphrase", "display_name": "张三",
               "sms_code": code, "agree": true})
    };
    // Five wrong tries, spread over two servers: the tries are counted in
    // the database, once each.
    for i in 0..5 {
        let url = if i % 2 == 0 {
            app.url("/api/v1/auth/register")
        } else {
            format!("{second}/api/v1/auth/register")
        };
        let r = app
            .client
            .post(url)
            .json(&body(wrong))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = app.post("/api/v1/auth/register", body(&code), None).await;
    assert_eq!(
        r.code(),
        "invalid_code",
        "tried out: the right code no longer opens"
    );

    // A fresh code, five minutes later, has expired.
    app.state.clock.advance(61_000);
    let code = app.code_for(PHONE, "register").await;
    app.state.clock.advance(5 * 60_000);
    let r = app.post("/api/v1/auth/register", body(&code), None).await;
    assert_eq!(r.code(), "invalid_code");
    // Only the newest code counts.
    let old = app.code_for(PHONE, "register").await;
    app.state.clock.advance(61_000);
    let new = app.code_for(PHONE, "register").await;
    if old != new {
        let r = app.post("/api/v1/auth/register", body(&old), None).await;
        assert_eq!(r.code(), "invalid_code");
    }
    let r = app.post("/api/v1/auth/register", body(&new), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(app.count("users").await, 1);
}
both!(a_code_is_tried_five_times_and_lives_five_minutes);

async fn twenty_registrations_with_one_code_make_one_account(e: Engine) {
    let app = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    let code = app.code_for(PHONE, "register").await;
    let bodies = (0..20)
        .map(|i| {
            json!({"phone": PHONE, "password": "a-good-passphrase", "display_name": format!("人{i}"),
                   "sms_code": code, "agree": true})
        })
        .collect();
    let statuses = app
        .post_all_at_once("/api/v1/auth/register", None, bodies)
        .await;
    assert_eq!(count_of(&statuses, StatusCode::CREATED), 1, "{statuses:?}");
    assert_eq!(
        count_of(&statuses, StatusCode::UNPROCESSABLE_ENTITY),
        19,
        "{statuses:?}"
    );
    assert_eq!(app.count("users").await, 1);
}
both!(twenty_registrations_with_one_code_make_one_account);

async fn a_code_signs_in_past_a_strangers_lockout(e: Engine) {
    let app = TestApp::spawn(e).await;
    app.register(PHONE, "张三").await;
    // A stranger closes the password door …
    for _ in 0..5 {
        assert_eq!(
            app.login(PHONE, "guess-guess-guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let r = app.login(PHONE, "a-good-passphrase").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // … the owner comes in by code, which opens the password door again.
    app.state.clock.advance(61_000);
    let code = app.code_for(PHONE, "login").await;
    let r = app
        .post(
            "/api/v1/auth/login",
            json!({"phone": PHONE, "sms_code": "12345x"}),
            None,
        )
        .await;
    assert_eq!(r.field_errors(), ["sms_code"]);
    let r = app
        .post(
            "/api/v1/auth/login",
            json!({"phone": PHONE, "sms_code": code}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["token"].as_str().is_some());
    assert_eq!(
        app.login(PHONE, "a-good-passphrase").await.status,
        StatusCode::OK
    );
    // A code for another purpose does not sign in.
    app.state.clock.advance(61_000);
    let reset = app.code_for(PHONE, "reset").await;
    let r = app
        .post(
            "/api/v1/auth/login",
            json!({"phone": PHONE, "sms_code": reset}),
            None,
        )
        .await;
    assert_eq!(r.code(), "invalid_code");
}
both!(a_code_signs_in_past_a_strangers_lockout);

async fn a_reset_ends_every_earlier_session(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (token, _) = app.register(PHONE, "张三").await;
    app.state.clock.advance(61_000);
    let code = app.code_for(PHONE, "reset").await;
    let weak = json!({"phone": PHONE, "sms_code": code, "new_password": "123"});
    let r = app.post("/api/v1/auth/reset-password", weak, None).await;
    assert_eq!(r.field_errors(), ["new_password"]);
    let good = json!({"phone": PHONE, "sms_code": code, "new_password": "a-new-passphrase"});
    let r = app
        .post("/api/v1/auth/reset-password", good.clone(), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(PHONE, "a-good-passphrase").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(PHONE, "a-new-passphrase").await.status,
        StatusCode::OK
    );
    // The code was used.
    let r = app.post("/api/v1/auth/reset-password", good, None).await;
    assert_eq!(r.code(), "invalid_code");
}
both!(a_reset_ends_every_earlier_session);

/// A fake SMS gateway adapter: records what it is sent, answers `status`.
async fn fake_gateway(status: StatusCode) -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let log = seen.clone();
    let router = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(body);
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, seen)
}

async fn the_gateway_sender_and_its_failure(e: Engine) {
    use app::backend::identity::sms::SmsSender;
    let (url, seen) = fake_gateway(StatusCode::OK).await;
    let app = TestApp::spawn_with(e, |c| {
        c.sms = SmsSender::parse(&format!("http:{url}")).unwrap();
    })
    .await;
    let r = app.request_code(PHONE, "register").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let sent = seen.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["to"], PHONE);
    assert_eq!(sent[0]["purpose"], "register");
    assert_eq!(sent[0]["code"].as_str().unwrap().len(), 6);

    // A gateway that fails: 503, no code kept, and the number may ask again.
    let (url, seen) = fake_gateway(StatusCode::INTERNAL_SERVER_ERROR).await;
    let down = TestApp::spawn_with(e, |c| {
        c.sms = SmsSender::parse(&format!("http:{url}")).unwrap();
    })
    .await;
    for _ in 0..2 {
        let r = down.request_code(PHONE, "register").await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
        assert_eq!(r.code(), "sms_unavailable");
    }
    assert_eq!(seen.lock().unwrap().len(), 2);
    assert_eq!(down.count("sms_codes").await, 0);
    // And a gateway nobody answers at.
    let gone = TestApp::spawn_with(e, |c| {
        c.sms = SmsSender::parse("http:http://127.0.0.1:9/sms").unwrap();
    })
    .await;
    assert_eq!(
        gone.request_code(PHONE, "register").await.code(),
        "sms_unavailable"
    );
}
both!(the_gateway_sender_and_its_failure);

async fn the_city_caps_its_sms_a_day(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, _) = app.register("13700137000", "市民").await;
    let r = app
        .send(
            app.request(reqwest::Method::PUT, "/api/v1/admin/sms", Some(&citizen))
                .json(&json!({"daily_ceiling": 0})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .send(
            app.request(reqwest::Method::PUT, "/api/v1/admin/sms", Some(&admin))
                .json(&json!({"daily_ceiling": -1})),
        )
        .await;
    assert_eq!(r.field_errors(), ["daily_ceiling"]);
    let r = app
        .send(
            app.request(reqwest::Method::PUT, "/api/v1/admin/sms", Some(&admin))
                .json(&json!({"daily_ceiling": 3})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, json!({"daily_ceiling": 3, "sent_today": 1}));
    for phone in ["13800138001", "13800138002"] {
        assert_eq!(
            app.request_code(phone, "register").await.status,
            StatusCode::ACCEPTED
        );
    }
    let r = app.request_code("13800138003", "register").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.outbox().len(), 3);
    let r = app.get("/api/v1/admin/sms", Some(&admin)).await;
    assert_eq!(r.body["sent_today"], 3);
}
both!(the_city_caps_its_sms_a_day);

async fn codes_per_address_when_rate_limits_are_on(e: Engine) {
    let app = TestApp::spawn(e).await;
    for i in 0..30 {
        let r = app.request_code(&format!("1380013{i:04}"), "login").await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{i}: {}", r.text);
    }
    let r = app.request_code("13800139999", "login").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 60 && wait <= 3600, "{wait}");
    // Off (load tests): only the per-number limits hold.
    let open = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    for i in 0..31 {
        let r = open.request_code(&format!("1380013{i:04}"), "login").await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
    }
}
both!(codes_per_address_when_rate_limits_are_on);

async fn demo_mode_registers_without_a_code(e: Engine) {
    let app = TestApp::spawn_with(e, |c| c.verify_phones = false).await;
    let r = app
        .post(
            "/api/v1/auth/register",
            json!({"phone": PHONE, "password": "a-good-passphrase", "display_name": "张三", "agree": true}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Consent is still needed.
    let r = app
        .post(
            "/api/v1/auth/register",
            json!({"phone": "13800138001", "password": "a-good-passphrase", "display_name": "李四"}),
            None,
        )
        .await;
    assert_eq!(r.field_errors(), ["agree"]);
}
both!(demo_mode_registers_without_a_code);
