//! The web app's pages and forms, as a browser without JavaScript meets them.

use reqwest::{Method, StatusCode, header};

use crate::both;
use crate::helpers::{Engine, TestApp};

fn form_post(
    app: &TestApp,
    path: &str,
    referer: &str,
    body: &str,
    cookie: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut r = app
        .request(Method::POST, path, None)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::ORIGIN, &app.addr)
        .header(header::REFERER, app.url(referer))
        .body(body.to_owned());
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r
}

fn session(resp: &crate::helpers::Resp) -> String {
    resp.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("zhuomu_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// A plain-form login with a wrong password comes back to /login saying so.
async fn assert_wrong_password_shows_on_the_login_page(app: &TestApp) {
    let wrong = app
        .send(form_post(
            app,
            "/api/fn/login",
            "/login",
            "phone=13800138000&password=wrong-one&next=",
            None,
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::FOUND);
    let back = wrong.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(back.contains("/login?"), "{back}");
    let page = app.get(back.trim_start_matches(&app.addr), None).await;
    assert!(page.text.contains("手机号或密码错误"));
}

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

    let ok = app
        .send(form_post(
            &app,
            "/api/fn/register",
            "/register",
            "phone=13800138000&password=a-good-passphrase&display_name=%E5%BC%A0%E4%B8%89",
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
            &format!("user_id={id}&phone=13800138000&moderator=on&unit_id="),
            Some(&cookie),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    let back = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/admin/users?phone=13800138000&saved={id}"));
    let page = app
        .send(
            app.request(Method::GET, &back, None)
                .header(header::COOKIE, &cookie),
        )
        .await;
    assert!(page.text.contains("data-test-id=\"saved\""));
    let me = app.login("13800138000", "a-good-passphrase").await;
    assert_eq!(
        me.body["user"]["roles"],
        serde_json::json!(["citizen", "moderator"])
    );
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

/// The 随手拍 pages as a browser without JavaScript meets them: the public
/// list and report pages read, private reports are a real 404, the consoles
/// are refused to citizens, and a moderator approves with a plain form.
async fn report_pages_and_console_forms(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let (moderator, _) = app.moderator().await;
    let cookie = |t: &str| format!("zhuomu_session={t}");
    let page = |path: &str, token: Option<&str>| {
        let mut r = app.request(Method::GET, path, None);
        if let Some(t) = token {
            r = r.header(header::COOKIE, cookie(t));
        }
        app.send(r)
    };
    let id = app
        .report_id(
            &citizen,
            city.litter,
            crate::helpers::IN_GRID,
            "垃圾堆在小区门口",
        )
        .await;

    // Awaiting review: the reporter sees it, others get a real 404.
    let mine = page(&format!("/reports/{id}"), Some(&citizen)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.text.contains("垃圾堆在小区门口") && mine.text.contains("待审核"));
    let other = page(&format!("/reports/{id}"), None).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(!other.text.contains("垃圾堆在小区门口"));
    assert_eq!(
        page("/reports/abc", None).await.status,
        StatusCode::NOT_FOUND
    );
    let list = page("/me/reports", Some(&citizen)).await;
    assert!(list.text.contains(&format!("report-{id}")));
    let anonymous = page("/report", None).await;
    assert!(
        anonymous.text.contains("signed-out"),
        "the form asks to log in first"
    );
    let form = page("/report", Some(&citizen)).await;
    assert!(form.text.contains("report-form") && form.text.contains("乱扔垃圾"));

    // Consoles: 403 to citizens, the queue to moderators.
    for path in ["/manage/review", "/manage/verify", "/manage/unit"] {
        let r = page(path, Some(&citizen)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let queue = page("/manage/review", Some(&moderator)).await;
    assert!(queue.text.contains(&format!("review-{id}")));
    assert!(queue.text.contains("雄关街道"), "routing's unit is offered");

    // A plain-form approval, then the public pages show it.
    let done = app
        .send(form_post(
            &app,
            "/api/fn/review",
            "/manage/review",
            &format!("id={id}&decision=approve&unit_id=&deadline_days="),
            Some(&cookie(&moderator)),
        ))
        .await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.text);
    assert!(
        done.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .contains(&format!("done={id}"))
    );
    let public = page(&format!("/reports/{id}"), None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.text.contains("已交办") && public.text.contains("雄关街道"));
    let found = page(&format!("/reports?q={}", "%E5%9E%83%E5%9C%BE"), None).await;
    assert!(
        found.text.contains(&format!("report-{id}")),
        "found by 垃圾"
    );
    assert!(found.text.contains("reports-map"));
    let none = page(&format!("/reports?q={}", "%E7%81%AB%E8%BD%A6"), None).await;
    assert!(none.text.contains("no-reports"));

    // A refused plain-form review shows the error back on the console.
    let refused = app
        .send(form_post(
            &app,
            "/api/fn/review",
            "/manage/review",
            &format!("id={id}&decision=reject&reason="),
            Some(&cookie(&moderator)),
        ))
        .await;
    assert_eq!(refused.status, StatusCode::FOUND);
    let back = refused.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let shown = page(back.trim_start_matches(&app.addr), Some(&moderator)).await;
    assert!(
        shown.text.contains("请填写不通过的原因"),
        "the field's own message, not a generic one: {back}"
    );
}
both!(report_pages_and_console_forms);
