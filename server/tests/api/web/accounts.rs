//! Accounts without JavaScript: pages with real data, register, login and
//! logout by plain forms, the statuses scripts get, large-font mode, the
//! admins' consoles for roles and Open311 keys, and forms from other sites.

#[allow(unused_imports)]
use super::*;

async fn pages_render_real_data_without_javascript(e: Engine) {
    let app = TestApp::spawn(e).await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds/jiayuguan.json");
    zhuomu_server::seed::load(&app.state, &file, false)
        .await
        .unwrap();
    let home = app.get("/", None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.text.contains("占道经营") && home.text.contains("+5分 · 3天内整改"),
        "categories from the database"
    );
    assert!(home.text.contains("<html lang=\"zh-CN\""));
    for tab in [
        "tab-home",
        "tab-report",
        "tab-volunteer",
        "tab-points",
        "tab-me",
    ] {
        assert!(home.text.contains(tab), "{tab}");
    }
    let missing = app.get("/no/such/page", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("页面不存在"));
    let me = app.get("/me", None).await;
    assert!(me.text.contains("data-test-id=\"anonymous\""));
    let points = app.get("/points", None).await;
    assert!(points.text.contains("见习啄木鸟") && points.text.contains("啄木鸟卫士"));
    let login = app.get("/login", None).await;
    assert!(
        login.text.contains("action=\"/api/fn/login\"") && login.text.contains("method=\"post\"")
    );
}
both!(pages_render_real_data_without_javascript);

async fn register_login_logout_with_plain_forms(e: Engine) {
    let app = TestApp::spawn(e).await;
    // A bad submit comes back to the form with the field errors in Chinese.
    let bad = app
        .send(form_post(
            &app,
            "/api/fn/register",
            "/register",
            "phone=123&password=short&display_name=",
            None,
        ))
        .await;
    assert_eq!(bad.status, StatusCode::FOUND);
    let back = bad.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        back.contains("/register?") && back.contains("__err="),
        "{back}"
    );
    let page = app.get(back.trim_start_matches(&app.addr), None).await;
    assert!(page.text.contains("手机号应为11位数字"), "{}", page.text);
    assert!(page.text.contains("密码至少8个字符"));
    assert!(page.text.contains("请输入昵称"));
    assert_eq!(app.count("users").await, 0);

    // 获取验证码 is the form's other button: a plain post to `sms_code` (the
    // whole form goes; only the number and the purpose count), back to the
    // page with the number and `sent=`.
    let sent = app
        .send(form_post(
            &app,
            "/api/fn/sms_code",
            "/register",
            "phone=13800138000&sms_code=&display_name=x&password=&purpose=register",
            None,
        ))
        .await;
    assert_eq!(sent.status, StatusCode::FOUND, "{}", sent.text);
    assert_eq!(
        sent.headers[header::LOCATION],
        "/register?phone=13800138000&sent=register"
    );
    let page = app
        .get("/register?phone=13800138000&sent=register", None)
        .await;
    assert!(
        page.text.contains("验证码已发送至138****8000"),
        "{}",
        page.text
    );
    assert!(page.text.contains("value=\"13800138000\""));
    let code = app.last_code("13800138000", "register").unwrap();
    // Without the consent box ticked: said, nothing made.
    let unticked = app
        .send(form_post(
            &app,
            "/api/fn/register",
            "/register",
            &format!("phone=13800138000&sms_code={code}&password=a-good-passphrase&display_name=x"),
            None,
        ))
        .await;
    let back = unticked.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let page = app.get(back.trim_start_matches(&app.addr), None).await;
    assert!(page.text.contains("请阅读并同意隐私政策"), "{}", page.text);
    assert_eq!(app.count("users").await, 0);
    let ok = app
        .send(form_post(
            &app,
            "/api/fn/register",
            "/register",
            &format!(
                "phone=13800138000&sms_code={code}&password=a-good-passphrase&display_name=%E5%BC%A0%E4%B8%89&agree=on"
            ),
            None,
        ))
        .await;
    assert_eq!(ok.status, StatusCode::FOUND, "{}", ok.text);
    assert_eq!(ok.headers[header::LOCATION], "/me");
    let cookie = session(&ok);
    let me = app
        .send(
            app.request(Method::GET, "/me", None)
                .header(header::COOKIE, &cookie),
        )
        .await;
    assert!(
        me.text.contains("data-test-id=\"profile-name\">张三<"),
        "{}",
        me.text
    );
    assert!(me.text.contains("138****8000"));
    assert!(!me.text.contains("13800138000"));

    let out = app
        .send(form_post(&app, "/api/fn/logout", "/me", "", Some(&cookie)))
        .await;
    assert_eq!(out.status, StatusCode::FOUND);
    assert!(
        out.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().contains("Max-Age=0"))
    );
    // The old cookie is dead even if a browser kept it.
    let me = app
        .send(
            app.request(Method::GET, "/me", None)
                .header(header::COOKIE, &cookie),
        )
        .await;
    assert!(me.text.contains("data-test-id=\"anonymous\""));

    assert_wrong_password_shows_on_the_login_page(&app).await;

    let again = app
        .send(form_post(
            &app,
            "/api/fn/login",
            "/login?next=/points",
            "phone=13800138000&password=a-good-passphrase&next=%2Fpoints",
            None,
        ))
        .await;
    assert_eq!(again.headers[header::LOCATION], "/points");
    // Only local paths: no open redirect.
    let evil = app
        .send(form_post(
            &app,
            "/api/fn/login",
            "/login",
            "phone=13800138000&password=a-good-passphrase&next=%2F%2Fevil.example",
            None,
        ))
        .await;
    assert_eq!(evil.headers[header::LOCATION], "/me");
}
both!(register_login_logout_with_plain_forms);

async fn server_functions_called_from_javascript_get_real_statuses(e: Engine) {
    let app = TestApp::spawn(e).await;
    let r = app
        .send(
            app.request(Method::POST, "/api/fn/register", None)
                .header(header::ORIGIN, &app.addr)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .body("phone=1&password=2&display_name=3"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("Invalid"));
    let r = app
        .send(
            app.request(Method::POST, "/api/fn/admin_users", None)
                .header(header::ORIGIN, &app.addr)
                .header(header::ACCEPT, "application/json")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(""),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "authorized inside the server function"
    );
    let (citizen, _) = app.register("13800138000", "张三").await;
    let r = app
        .send(
            app.request(Method::POST, "/api/fn/admin_set_roles", Some(&citizen))
                .header(header::ORIGIN, &app.addr)
                .header(header::ACCEPT, "application/json")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body("user_id=1&admin=on"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let me: (String,) = sqlx::query_as("SELECT roles FROM users WHERE phone = '13800138000'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(me.0, "citizen");
}
both!(server_functions_called_from_javascript_get_real_statuses);

async fn large_font_mode_persists_in_a_cookie(e: Engine) {
    let app = TestApp::spawn(e).await;
    let r = app
        .send(form_post(&app, "/api/fn/font", "/me", "large=true", None))
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let cookie = r.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("zhuomu_font=large") && cookie.contains("Max-Age=31536000"));
    let page = app
        .send(
            app.request(Method::GET, "/", None)
                .header(header::COOKIE, "zhuomu_font=large"),
        )
        .await;
    assert!(page.text.contains("<body class=\"font-large\""));
    let page = app.get("/", None).await;
    assert!(!page.text.contains("font-large\""));
}
both!(large_font_mode_persists_in_a_cookie);

async fn the_admin_console_grants_roles(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, id) = app.register("13800138000", "张三").await;
    let denied = app
        .send(app.request(Method::GET, "/admin/users", Some(&citizen)))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let anonymous = app.get("/admin/users", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let login = app.login("13900009999", "a-good-passphrase").await;
    let cookie = session(&login);
    let page = app
        .send(
            app.request(Method::GET, "/admin/users?phone=13800138000", None)
                .header(header::COOKIE, &cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(&format!("data-test-id=\"user-{id}\"")));
    let r = app
        .send(form_post(
            &app,
            "/api/fn/admin_set_roles",
            "/admin/users?phone=13800138000",
            &format!("user_id={id}&q=138****8000&moderator=on&unit_id="),
            Some(&cookie),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    let back = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/admin/users?q=138****8000&saved={id}"));
    let page = app
        .send(
            app.request(Method::GET, &back, None)
                .header(header::COOKIE, &cookie),
        )
        .await;
    assert!(page.text.contains("data-test-id=\"saved\""));
    assert!(page.text.contains(&format!("data-test-id=\"user-{id}\"")));
    let me = app.login("13800138000", "a-good-passphrase").await;
    assert_eq!(
        me.body["user"]["roles"],
        serde_json::json!(["citizen", "moderator"])
    );

    // Found by part of the name; a bad search says why on the page.
    let page = app
        .send(
            app.request(Method::GET, "/admin/users?q=%E5%BC%A0", None)
                .header(header::COOKIE, &cookie),
        )
        .await;
    assert!(page.text.contains(&format!("data-test-id=\"user-{id}\"")));
    let page = app
        .send(
            app.request(Method::GET, "/admin/users?q=12", None)
                .header(header::COOKIE, &cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text.contains("data-test-id=\"search-error\""));
    assert!(page.text.contains("至少输入4位数字"));

    // Disable without a reason: refused in words, nothing changed.
    let r = app
        .send(form_post(
            &app,
            "/api/fn/admin_disable_user",
            "/admin/users?q=%E5%BC%A0",
            &format!("user_id={id}&q=%E5%BC%A0&reason="),
            Some(&cookie),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let back = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    let back = back.trim_start_matches(&app.addr);
    let page = app
        .send(
            app.request(Method::GET, back, None)
                .header(header::COOKIE, &cookie),
        )
        .await;
    assert!(page.text.contains("请填写停用原因"), "{back}");
    assert_eq!(
        app.login("13800138000", "a-good-passphrase").await.status,
        StatusCode::OK
    );
    // With a reason: out; the page shows it; then enabled again.
    let r = app
        .send(form_post(
            &app,
            "/api/fn/admin_disable_user",
            "/admin/users",
            &format!("user_id={id}&q=%E5%BC%A0&reason=%E6%81%B6%E6%84%8F%E4%B8%BE%E6%8A%A5"),
            Some(&cookie),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let back = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/admin/users?q=%E5%BC%A0&saved={id}"));
    let page = app
        .send(
            app.request(Method::GET, &back, None)
                .header(header::COOKIE, &cookie),
        )
        .await;
    assert!(page.text.contains("data-test-id=\"disabled-note\""));
    assert!(page.text.contains("恶意举报"));
    assert_eq!(
        app.login("13800138000", "a-good-passphrase").await.code(),
        "account_disabled"
    );
    let r = app
        .send(form_post(
            &app,
            "/api/fn/admin_enable_user",
            "/admin/users",
            &format!("user_id={id}&q="),
            Some(&cookie),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let fresh = app.login("13800138000", "a-good-passphrase").await;
    assert_eq!(fresh.status, StatusCode::OK);
    // Nobody but an admin disables anyone through the form either.
    let not_admin = fresh.body["token"].as_str().unwrap();
    let r = app
        .send(
            app.request(Method::POST, "/api/fn/admin_disable_user", Some(not_admin))
                .header(header::ORIGIN, &app.addr)
                .header(header::ACCEPT, "application/json")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(format!("user_id={id}&reason=x")),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let _ = admin;
}
both!(the_admin_console_grants_roles);

async fn forms_refuse_other_sites_and_forged_errors(e: Engine) {
    let app = TestApp::spawn(e).await;
    app.register("13800138000", "张三").await;
    // Login CSRF: another site cannot sign a visitor into an account.
    for origin in [Some("http://evil.example"), None] {
        let mut r = app
            .request(Method::POST, "/api/fn/login", None)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .body("phone=13800138000&password=a-good-passphrase&next=");
        if let Some(o) = origin {
            r = r.header(header::ORIGIN, o);
        }
        let r = app.send(r).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{origin:?}");
        assert!(r.set_cookie().is_none());
    }
    // `/\evil.example` is `//evil.example` to a browser.
    for next in [
        "%2F%5Cevil.example",
        "%2F%09%2Fevil.example",
        "https%3A%2F%2Fevil.example",
    ] {
        let r = app
            .send(form_post(
                &app,
                "/api/fn/login",
                "/login",
                &format!("phone=13800138000&password=a-good-passphrase&next={next}"),
                None,
            ))
            .await;
        assert_eq!(r.headers[header::LOCATION], "/me", "{next}");
    }
    // A crafted link cannot put words on the login page.
    use base64::Engine as _;
    let forged =
        serde_json::json!({"Conflict": {"code": "x", "message": "账号已冻结，请加QQ群解冻"}})
            .to_string();
    let err = base64::engine::general_purpose::URL_SAFE.encode(forged);
    let page = app
        .get(
            &format!("/login?__path=%2Fapi%2Ffn%2Flogin&__err={err}"),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text.contains("QQ"), "forged text shown");
    // A genuine error from a failed submit still shows.
    assert_wrong_password_shows_on_the_login_page(&app).await;
}
both!(forms_refuse_other_sites_and_forged_errors);

/// 开放接口 without JavaScript: an admin issues a key, sees it once, revokes it.
async fn the_admin_console_issues_open311_keys(e: Engine) {
    let app = TestApp::spawn(e).await;
    app.admin().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let denied = app
        .send(app.request(Method::GET, "/admin/apikeys", Some(&citizen)))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let cookie = session(&app.login("13900009999", "a-good-passphrase").await);
    let r = app
        .send(form_post(
            &app,
            "/api/fn/admin_create_apikey",
            "/admin/apikeys",
            "name=12345%E7%83%AD%E7%BA%BF",
            Some(&cookie),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    let back = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(back.starts_with("/admin/apikeys?created="), "{back}");
    let flash = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("zhuomu_new_key=zk_"))
        .expect("the new key travels in a cookie");
    assert!(flash.contains("HttpOnly") && flash.contains("Path=/admin/apikeys"));
    let key = flash
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("zhuomu_new_key=")
        .to_owned();
    let page = app
        .send(
            app.request(Method::GET, &back, None)
                .header(header::COOKIE, format!("{cookie}; zhuomu_new_key={key}")),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(&key), "shown once");
    assert_eq!(
        page.headers[header::CACHE_CONTROL],
        "private, no-store",
        "and kept out of the browser's caches"
    );
    assert!(page.text.contains("/open311/v2/discovery.json"));
    let cleared = page
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("zhuomu_new_key=;"));
    assert!(cleared, "and cleared as it is shown");
    let again = app
        .send(
            app.request(Method::GET, "/admin/apikeys", None)
                .header(header::COOKIE, &cookie),
        )
        .await;
    assert!(!again.text.contains(&key));
    assert!(
        again.text.contains(&key[..10]),
        "the prefix tells keys apart"
    );
    // The key works; revoked by the form it stops.
    let post = |key: String| {
        let app = &app;
        async move {
            app.send(
                app.request(Method::POST, "/open311/v2/requests.json", None)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(format!(
                        "api_key={key}&service_code=1&lat=39.77&long=98.29&description=x"
                    )),
            )
            .await
            .status
        }
    };
    assert_eq!(
        post(key.clone()).await,
        StatusCode::NOT_FOUND,
        "no such service, but the key passed"
    );
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM api_keys")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let r = app
        .send(form_post(
            &app,
            "/api/fn/admin_revoke_apikey",
            "/admin/apikeys",
            &format!("id={id}"),
            Some(&cookie),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    assert_eq!(post(key).await, StatusCode::FORBIDDEN);
}
both!(the_admin_console_issues_open311_keys);

/// 隐私与账号 without JavaScript: the page holds the masked number only and
/// the nickname escaped; the forms correct the nickname, change the
/// password, send a code to one's own number and delete the account.
async fn privacy_and_account_with_plain_forms(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (token, id) = app.register("13800138000", "张三").await;
    let web = Plain(&app);
    assert!(
        !web.page("/me/privacy", None)
            .await
            .text
            .contains("delete-form")
    );
    let page = web.page("/me/privacy", Some(&token)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("138****8000") && !page.text.contains("13800138000"));
    assert!(page.text.contains("市民张*"));

    // A nickname with markup (or a quote that would end its attribute) is
    // refused and changes nothing; a good one is kept.
    let r = web
        .form(
            "/api/fn/update_profile",
            "/me/privacy",
            "display_name=%3Cb%3E%00&show_name=on",
            &token,
        )
        .await;
    assert!(web.location(&r).starts_with("/me/privacy?"));
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.body["display_name"],
        "张三"
    );
    let r = web
        .form(
            "/api/fn/update_profile",
            "/me/privacy",
            "display_name=%E5%BC%A0%E4%B8%89%E4%B8%B0&show_name=on",
            &token,
        )
        .await;
    assert_eq!(web.location(&r), "/me/privacy?saved=profile");
    let page = web.page("/me/privacy", Some(&token)).await;
    assert!(
        page.text.contains("value=\"张三丰\""),
        "the form shows the new nickname"
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.body["show_name"],
        true
    );

    // The password: a wrong old one is refused; the right one gives a new session.
    let r = web
        .form(
            "/api/fn/change_password",
            "/me/privacy",
            "old_password=nope-nope-nope&new_password=another-passphrase",
            &token,
        )
        .await;
    assert!(web.location(&r).contains("__err"), "{:?}", r.headers);
    let r = web
        .form(
            "/api/fn/change_password",
            "/me/privacy",
            "old_password=a-good-passphrase&new_password=another-passphrase",
            &token,
        )
        .await;
    assert_eq!(web.location(&r), "/me/privacy?saved=password");
    let token = session(&r).trim_start_matches("zhuomu_session=").to_owned();
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::OK
    );

    // A code for `delete` goes to the signed-in person's own number.
    app.state.clock.advance(61_000);
    let r = web
        .form(
            "/api/fn/sms_code",
            "/me/privacy",
            "purpose=delete&phone=13900000000",
            &token,
        )
        .await;
    assert_eq!(web.location(&r), "/me/privacy?sent=delete");
    let code = app
        .last_code("13800138000", "delete")
        .expect("a code to my own number");
    assert!(app.last_code("13900000000", "delete").is_none());
    let r = web
        .form(
            "/api/fn/delete_account",
            "/me/privacy",
            format!("password=&sms_code={code}"),
            &token,
        )
        .await;
    assert_eq!(web.location(&r), "/?deleted=1");
    assert!(r.set_cookie().unwrap().contains("Max-Age=0"));
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let (name,): (String,) = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(name, "已注销用户");
    assert!(
        web.page("/?deleted=1", None)
            .await
            .text
            .contains("账号已注销")
    );
}
both!(privacy_and_account_with_plain_forms);
