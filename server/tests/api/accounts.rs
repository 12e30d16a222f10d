use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::helpers::{Engine, TestApp, count_of};

async fn register_sets_cookie_and_me_works(e: Engine) {
    let app = TestApp::spawn(e).await;
    let body = app
        .registration("+86 138 0013 8000", "雄关漫道真如铁2026", " 张三 ")
        .await;
    let r = app.post("/api/v1/auth/register", body, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let cookie = r.set_cookie().unwrap();
    assert!(cookie.starts_with("zhuomu_session="));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/")
    );
    assert!(!cookie.contains("Secure"), "plain HTTP on loopback");
    let user = &r.body["user"];
    assert_eq!(user["display_name"], "张三");
    assert_eq!(user["phone_masked"], "138****8000");
    assert_eq!(user["roles"], json!(["citizen"]));
    assert_eq!(user["level"], "trainee");
    assert!(
        !r.text.contains("13800138000"),
        "never the whole phone number"
    );
    let token = r.body["token"].as_str().unwrap();

    let me = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["id"], user["id"]);
    assert_eq!(me.body["points_balance"], 0);
    assert!(me.body["created_at"].as_str().unwrap().ends_with("+08:00"));

    // The cookie alone authenticates a GET.
    let token_from_cookie = cookie.split(';').next().unwrap();
    let me = app
        .send(
            app.request(Method::GET, "/api/v1/me", None)
                .header("cookie", token_from_cookie),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
}
both!(register_sets_cookie_and_me_works);

async fn register_rejects_bad_input_and_creates_nothing(e: Engine) {
    let app = TestApp::spawn(e).await;
    let r = app
        .post(
            "/api/v1/auth/register",
            json!({"phone": "12345", "password": "12345678", "display_name": ""}),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "invalid_input");
    assert_eq!(r.headers["content-type"], "application/problem+json");
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(
        fields,
        ["agree", "display_name", "password", "phone", "sms_code"]
    );

    for body in [
        json!({"phone": "13800138000"}),
        json!({"phone": 13800138000u64, "password": "x", "display_name": "x"}),
        json!([1, 2, 3]),
    ] {
        let r = app.post("/api/v1/auth/register", body, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.code(), "invalid_input");
    }
    let r = app
        .send(
            app.request(Method::POST, "/api/v1/auth/register", None)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .send(
            app.request(Method::POST, "/api/v1/auth/register", None)
                .body("phone=1"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("users").await, 0);
}
both!(register_rejects_bad_input_and_creates_nothing);

async fn duplicate_phone_is_409(e: Engine) {
    let app = TestApp::spawn(e).await;
    app.register("13800138000", "张三").await;
    // A second code for the number, a minute later.
    app.state.clock.advance(61_000);
    let body = app
        .registration("138-0013-8000", "another-passphrase", "李四")
        .await;
    let r = app.post("/api/v1/auth/register", body, None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "phone_taken");
    assert_eq!(app.count("users").await, 1);
}
both!(duplicate_phone_is_409);

async fn concurrent_registrations_of_one_phone_make_one_account(e: Engine) {
    let app = TestApp::spawn_with(e, |c| c.verify_phones = false).await;
    let bodies = (0..8)
        .map(|i| json!({"phone": "13700137000", "password": "a-good-passphrase", "display_name": format!("人{i}"), "agree": true}))
        .collect();
    let statuses = app
        .post_all_at_once("/api/v1/auth/register", None, bodies)
        .await;
    assert_eq!(count_of(&statuses, StatusCode::CREATED), 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT)
    );
    assert_eq!(app.count("users").await, 1);
}
both!(concurrent_registrations_of_one_phone_make_one_account);

async fn login_answers_alike_for_unknown_phone_and_wrong_password(e: Engine) {
    let app = TestApp::spawn(e).await;
    app.register("13800138000", "张三").await;
    let wrong = app.login("13800138000", "not-the-password").await;
    let unknown = app.login("13900139000", "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.code(), "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
    let ok = app.login("13800138000", "a-good-passphrase").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.set_cookie().unwrap().contains("HttpOnly"));
    let bad = app.login("abc", "").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
both!(login_answers_alike_for_unknown_phone_and_wrong_password);

async fn repeated_failures_lock_the_phone(e: Engine) {
    let app = TestApp::spawn(e).await;
    app.register("13800138000", "张三").await;
    for _ in 0..5 {
        assert_eq!(
            app.login("13800138000", "wrong-password").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = app.login("13800138000", "a-good-passphrase").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.code(), "too_many_attempts");
    assert!(locked.headers.contains_key("retry-after"));
    // Another phone is not affected.
    app.register("13900139000", "李四").await;
    assert_eq!(
        app.login("13900139000", "a-good-passphrase").await.status,
        StatusCode::OK
    );
    // After the window the right password works again.
    app.state.clock.advance(15 * 60 * 1000 + 1000);
    assert_eq!(
        app.login("13800138000", "a-good-passphrase").await.status,
        StatusCode::OK
    );
}
both!(repeated_failures_lock_the_phone);

async fn logout_revokes_only_that_token(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (t1, _) = app.register("13800138000", "张三").await;
    let t2 = app.login("13800138000", "a-good-passphrase").await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.post("/api/v1/auth/logout", json!({}), Some(&t1)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.set_cookie().unwrap().contains("Max-Age=0"));
    assert_eq!(
        r.headers["clear-site-data"], r#""cache", "storage""#,
        "the device forgets cached pages and the outbox"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&t1)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&t2)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.post("/api/v1/auth/logout", json!({}), Some(&t1))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}
both!(logout_revokes_only_that_token);

async fn forged_and_expired_tokens_are_401(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (token, _) = app.register("13800138000", "张三").await;
    let other = app::backend::auth::Auth::new(b"some other secret of enough length");
    let (foreign, _) = other.issue(1, 0, app.state.clock.now_ms(), 3600);
    let parts: Vec<&str> = token.split('.').collect();
    let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
    for bad in [foreign.as_str(), unsigned.as_str(), "garbage", "", "a.b.c"] {
        let r = app.get("/api/v1/me", Some(bad)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(r.code(), "unauthenticated");
    }
    assert_eq!(
        app.get("/api/v1/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A token for a user that does not exist (right key).
    let (ghost, _) = app.state.auth.issue(999, 0, app.state.clock.now_ms(), 3600);
    assert_eq!(
        app.get("/api/v1/me", Some(&ghost)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Expiry follows the clock.
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::OK
    );
    app.state
        .clock
        .advance(app.state.config.token_ttl_secs * 1000 + 1000);
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
}
both!(forged_and_expired_tokens_are_401);

async fn admins_grant_roles_and_old_tokens_stop(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, id) = app.register("13800138000", "张三").await;
    let unit = app
        .post(
            "/api/v1/admin/units",
            json!({"name": "市城市管理执法局"}),
            Some(&admin),
        )
        .await;
    let unit_id = unit.body["id"].as_i64().unwrap();

    // A citizen cannot grant roles, not even to themself.
    let r = app
        .post(
            &format!("/api/v1/admin/users/{id}/roles"),
            json!({"roles": ["admin"]}),
            Some(&citizen),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "forbidden");

    let r = app
        .post(
            &format!("/api/v1/admin/users/{id}/roles"),
            json!({"roles": ["unit_staff"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unit_staff needs a unit"
    );
    let r = app
        .post(
            &format!("/api/v1/admin/users/{id}/roles"),
            json!({"roles": ["root"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &format!("/api/v1/admin/users/{id}/roles"),
            json!({"roles": ["unit_staff"], "unit_id": 4242}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app
        .post(
            "/api/v1/admin/users/4242/roles",
            json!({"roles": ["moderator"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            "/api/v1/admin/users/abc/roles",
            json!({"roles": ["moderator"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = app
        .post(
            &format!("/api/v1/admin/users/{id}/roles"),
            json!({"roles": ["moderator", "unit_staff"], "unit_id": unit_id}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body["roles"],
        json!(["citizen", "moderator", "unit_staff"])
    );
    assert_eq!(r.body["unit_id"], unit_id);

    // The token from before the change is refused; a new login carries the roles.
    assert_eq!(
        app.get("/api/v1/me", Some(&citizen)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let fresh = app.login("13800138000", "a-good-passphrase").await;
    assert_eq!(
        fresh.body["user"]["roles"],
        json!(["citizen", "moderator", "unit_staff"])
    );

    // Demotion takes effect the same way.
    let r = app
        .post(
            &format!("/api/v1/admin/users/{id}/roles"),
            json!({"roles": []}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.body["roles"], json!(["citizen"]));
    assert_eq!(r.body["unit_id"], serde_json::Value::Null);
    let t = fresh.body["token"].as_str().unwrap();
    assert_eq!(
        app.get("/api/v1/me", Some(t)).await.status,
        StatusCode::UNAUTHORIZED
    );

    let audit: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'user.roles' AND target_id = $1",
    )
    .bind(id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(audit.0, 2);

    let list = app
        .get("/api/v1/admin/users?phone=13800138000", Some(&admin))
        .await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(
        app.get("/api/v1/admin/users", Some(t)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .get("/api/v1/admin/users?per_page=500", Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
both!(admins_grant_roles_and_old_tokens_stop);

async fn cookie_requests_must_come_from_the_site(e: Engine) {
    let app = TestApp::spawn(e).await;
    let body = app
        .registration("13800138000", "a-good-passphrase", "张三")
        .await;
    let r = app.post("/api/v1/auth/register", body, None).await;
    let cookie = r
        .set_cookie()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let host = app.addr.trim_start_matches("http://").to_owned();

    let evil = app
        .send(
            app.request(Method::POST, "/api/v1/auth/logout", None)
                .header("cookie", &cookie)
                .header("origin", "http://evil.example"),
        )
        .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    assert_eq!(evil.code(), "cross_origin");
    let none = app
        .send(
            app.request(Method::POST, "/api/v1/auth/logout", None)
                .header("cookie", &cookie),
        )
        .await;
    assert_eq!(
        none.status,
        StatusCode::FORBIDDEN,
        "no Origin and no Referer"
    );
    // Still logged in: the refused requests changed nothing.
    let me = app
        .send(
            app.request(Method::GET, "/api/v1/me", None)
                .header("cookie", &cookie),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
    // Server functions are behind the same rule.
    let sf = app
        .send(
            app.request(Method::POST, "/api/fn/logout", None)
                .header("cookie", &cookie)
                .header("origin", "http://evil.example"),
        )
        .await;
    assert_eq!(sf.status, StatusCode::FORBIDDEN);

    let referer = app
        .send(
            app.request(Method::POST, "/api/v1/auth/logout", None)
                .header("cookie", &cookie)
                .header("referer", format!("http://{host}/me")),
        )
        .await;
    assert_eq!(referer.status, StatusCode::NO_CONTENT);
    // Bearer requests carry no ambient authority and need no Origin.
    let (token, _) = app.register("13900139000", "李四").await;
    let r = app
        .send(
            app.request(Method::POST, "/api/v1/auth/logout", Some(&token))
                .header("origin", "http://evil.example"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}
both!(cookie_requests_must_come_from_the_site);

async fn register_and_login_are_rate_limited_per_address(e: Engine) {
    let app = TestApp::spawn(e).await;
    let mut statuses = vec![];
    for i in 0..40 {
        // Different unknown phones: the per-phone lockout never triggers.
        let r = app.login(&format!("136{:08}", i), "not-the-password").await;
        statuses.push(r.status);
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(r.code(), "rate_limited");
            assert!(r.headers.contains_key("retry-after"));
        }
    }
    let limited = count_of(&statuses, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        (5..=12).contains(&limited),
        "burst of 30, then limited: {statuses:?}"
    );
    // Other endpoints are not limited.
    assert_eq!(
        app.get("/api/v1/categories", None).await.status,
        StatusCode::OK
    );

    // ZHUOMU_RATE_LIMITS=off: none.
    let open = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    for i in 0..40 {
        assert_eq!(
            open.login(&format!("136{:08}", i), "not-the-password")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
}
both!(register_and_login_are_rate_limited_per_address);

async fn parallel_guesses_cannot_pass_the_lockout(e: Engine) {
    let app = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    app.register("13800138000", "张三").await;
    let bodies = (0..20)
        .map(|i| json!({"phone": "13800138000", "password": format!("guess-{i}")}))
        .collect();
    let statuses = app
        .post_all_at_once("/api/v1/auth/login", None, bodies)
        .await;
    assert_eq!(
        count_of(&statuses, StatusCode::UNAUTHORIZED),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        count_of(&statuses, StatusCode::TOO_MANY_REQUESTS),
        15,
        "{statuses:?}"
    );
}
both!(parallel_guesses_cannot_pass_the_lockout);

async fn the_last_admin_stays_and_unchanged_roles_keep_sessions(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (admin, admin_id) = app.user_with_roles("13900009999", &["admin"], None).await;
    let r = app
        .post(
            &format!("/api/v1/admin/users/{admin_id}/roles"),
            json!({"roles": ["moderator"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "last_admin");
    // Saving the same roles changes nothing and keeps the admin signed in.
    let r = app
        .post(
            &format!("/api/v1/admin/users/{admin_id}/roles"),
            json!({"roles": ["admin"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", Some(&admin)).await.status,
        StatusCode::OK
    );
    // With a second admin, the first may step down.
    let (_, other) = app.register("13800138000", "张三").await;
    let r = app
        .post(
            &format!("/api/v1/admin/users/{other}/roles"),
            json!({"roles": ["admin"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .post(
            &format!("/api/v1/admin/users/{admin_id}/roles"),
            json!({"roles": []}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}
both!(the_last_admin_stays_and_unchanged_roles_keep_sessions);

async fn admins_find_people_by_name_and_masked_number(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, zhang) = app.register("13800138000", "张三丰").await;
    let (_, li) = app.register("13912340004", "李四_50%").await;
    let (_, wang) = app.register("13712348000", "wang Wu").await;
    let ids = |r: &crate::helpers::Resp| -> Vec<i64> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect()
    };
    let find = |q: &str| format!("/api/v1/admin/users?q={}", urlencoding(q));
    for (q, want) in [
        ("张三", vec![zhang]),
        ("138****8000", vec![zhang]),
        ("138＊＊＊＊8000", vec![zhang]),
        ("139 1234 0004", vec![li]),
        ("8000", vec![wang, zhang]),
        ("_50%", vec![li]),
        ("%", vec![li]),
        ("WANG", vec![wang]),
        ("赵六", vec![]),
    ] {
        let r = app.get(&find(q), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text);
        assert_eq!(ids(&r), want, "{q}");
        assert_eq!(r.body["total"], want.len(), "{q}");
        assert!(!r.text.contains("13800138000"), "never a whole number");
    }
    // By role.
    let r = app
        .get("/api/v1/admin/users?role=admin", Some(&admin))
        .await;
    assert_eq!(r.body["total"], 1);
    // Bad searches are refused in words and name the field.
    for q in ["12", "13*8000", "1234567890123"] {
        let r = app.get(&find(q), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(r.field_errors(), vec!["q".to_owned()]);
    }
    let r = app.get("/api/v1/admin/users?role=root", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Only admins look people up.
    let r = app.get(&find("张三"), Some(&citizen)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (moderator, _) = app.moderator().await;
    let r = app.get(&find("张三"), Some(&moderator)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&find("张三"), None).await.status,
        StatusCode::UNAUTHORIZED
    );
}
both!(admins_find_people_by_name_and_masked_number);

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn a_disabled_account_is_out_until_enabled(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin_token = app.admin().await;
    let (citizen, id) = app.register("13800138000", "张三").await;
    let path = format!("/api/v1/admin/users/{id}/disable");

    // Refused: not an admin, no reason, unknown person, oneself.
    let (moderator, _) = app.moderator().await;
    let r = app
        .post(&path, json!({"reason": "恶意举报"}), Some(&moderator))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(&path, json!({"reason": "  "}), Some(&admin_token))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_errors(), vec!["reason".to_owned()]);
    let r = app
        .post(
            "/api/v1/admin/users/4242/disable",
            json!({"reason": "恶意举报"}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let me = app.get("/api/v1/me", Some(&admin_token)).await;
    let admin_id = me.body["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/admin/users/{admin_id}/disable"),
            json!({"reason": "试试"}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "own_account");
    assert_eq!(
        app.get("/api/v1/me", Some(&citizen)).await.status,
        StatusCode::OK
    );

    // Disabled: the live token stops at once, login says why.
    let r = app
        .post(&path, json!({"reason": "多次恶意举报"}), Some(&admin_token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["disabled"], true);
    assert_eq!(r.body["disabled_reason"], "多次恶意举报");
    assert_eq!(
        app.get("/api/v1/me", Some(&citizen)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app.login("13800138000", "a-good-passphrase").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "account_disabled");
    assert!(r.set_cookie().is_none());
    // A wrong password still gets the usual answer (no hint the account exists).
    let r = app.login("13800138000", "not-the-passphrase").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let list = app
        .get("/api/v1/admin/users?disabled=true", Some(&admin_token))
        .await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], id);

    // Enabled again: the person logs in anew; both changes are audited.
    let r = app
        .post(
            &format!("/api/v1/admin/users/{id}/enable"),
            json!({}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["disabled"], false);
    assert_eq!(
        app.get("/api/v1/me", Some(&citizen)).await.status,
        StatusCode::UNAUTHORIZED,
        "the old token stays ended"
    );
    let r = app.login("13800138000", "a-good-passphrase").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let audit = app
        .get(
            &format!("/api/v1/admin/audit?target_type=user&target_id={id}"),
            Some(&admin_token),
        )
        .await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"user.disable") && actions.contains(&"user.enable"),
        "{actions:?}"
    );
}
both!(a_disabled_account_is_out_until_enabled);

async fn the_last_working_admin_cannot_be_disabled(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (first, first_id) = app.user_with_roles("13900000001", &["admin"], None).await;
    let (second, second_id) = app.user_with_roles("13900000002", &["admin"], None).await;
    let r = app
        .post(
            &format!("/api/v1/admin/users/{second_id}/disable"),
            json!({"reason": "离职"}),
            Some(&first),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/me", Some(&second)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The one admin left cannot lose the role while the other is disabled.
    let r = app
        .post(
            &format!("/api/v1/admin/users/{first_id}/roles"),
            json!({"roles": []}),
            Some(&first),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "last_admin");
}
both!(the_last_working_admin_cannot_be_disabled);

async fn two_admins_disabling_each_other_at_once_leave_one(e: Engine) {
    let app = TestApp::spawn(e).await;
    for round in 0..5 {
        let (a, a_id) = app
            .user_with_roles(&format!("1390000{round}001"), &["admin"], None)
            .await;
        let (b, b_id) = app
            .user_with_roles(&format!("1390000{round}002"), &["admin"], None)
            .await;
        // Every earlier pair is disabled below, so these two are the only
        // working admins.
        let path_a = format!("/api/v1/admin/users/{b_id}/disable");
        let path_b = format!("/api/v1/admin/users/{a_id}/disable");
        let body = json!({"reason": "交接"});
        let (ra, rb) = tokio::join!(
            app.post(&path_a, body.clone(), Some(&a)),
            app.post(&path_b, body.clone(), Some(&b))
        );
        let ok = [ra.status, rb.status]
            .iter()
            .filter(|s| **s == StatusCode::OK)
            .count();
        assert_eq!(ok, 1, "round {round}: {} / {}", ra.text, rb.text);
        let (working,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM users WHERE disabled_at IS NULL AND roles LIKE '%admin%'",
        )
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(working, 1, "round {round}");
        // Disable the survivor through the database to start the next round clean.
        sqlx::query("UPDATE users SET disabled_at = 1 WHERE roles LIKE '%admin%'")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
    }
}
both!(two_admins_disabling_each_other_at_once_leave_one);
