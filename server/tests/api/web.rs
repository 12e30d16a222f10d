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

/// A browser without JavaScript: pages with a session cookie, plain forms
/// that come back with a redirect.
struct Plain<'a>(&'a TestApp);

impl Plain<'_> {
    async fn page(&self, path: impl AsRef<str>, token: Option<&str>) -> crate::helpers::Resp {
        let mut r = self.0.request(Method::GET, path.as_ref(), None);
        if let Some(t) = token {
            r = r.header(header::COOKIE, format!("zhuomu_session={t}"));
        }
        self.0.send(r).await
    }

    async fn form(
        &self,
        path: &str,
        referer: impl AsRef<str>,
        body: impl AsRef<str>,
        token: &str,
    ) -> crate::helpers::Resp {
        let cookie = format!("zhuomu_session={token}");
        self.0
            .send(form_post(
                self.0,
                path,
                referer.as_ref(),
                body.as_ref(),
                Some(&cookie),
            ))
            .await
    }

    /// Where a form's redirect goes (a path on this site).
    fn location(&self, r: &crate::helpers::Resp) -> String {
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
        r.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .trim_start_matches(&self.0.addr)
            .to_owned()
    }
}

/// 志愿 without JavaScript: an admin places a post and schedules shifts with
/// plain forms, citizens find it (nearest first), sign up and join the
/// waitlist from its week, a moderator corrects attendance and lifts a
/// suspension.
async fn volunteer_pages_and_staff_forms(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (citizen, citizen_id) = app.register("13800138000", "张三").await;
    let (other, _) = app.register("13800138001", "李四").await;
    let web = Plain(&app);
    let day = |days: i64| {
        app.state
            .clock
            .datetime(app.state.clock.now_ms() + days * 24 * 3600 * 1000)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string()
    };
    let tomorrow = day(1);

    // Admins only; the form has the map to tap.
    for t in [&citizen, &moderator] {
        let r = web.page("/admin/posts", Some(t)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let console = web.page("/admin/posts", Some(&admin)).await;
    assert_eq!(console.status, StatusCode::OK);
    assert!(
        console.text.contains("data-pick=\"post-form\"") && console.text.contains("data-view=")
    );
    let name = "%E4%BD%93%E8%82%B2%E5%9C%BA%E8%B7%AF%E5%8F%A3"; // 体育场路口
    let refused = web
        .form(
            "/api/fn/add_post",
            "/admin/posts",
            format!("name={name}&lat=&lon=&radius_m=150&description="),
            &admin,
        )
        .await;
    let back = web.location(&refused);
    assert!(
        web.page(back, Some(&admin))
            .await
            .text
            .contains("请在地图上点选岗位位置")
    );
    let r = web
        .form(
            "/api/fn/add_post",
            "/admin/posts",
            format!("name={name}&lat=39.7735&lon=98.2870&radius_m=150&description="),
            &citizen,
        )
        .await;
    assert!(
        web.location(&r).starts_with("/admin/posts?"),
        "refused, back with the error"
    );
    assert_eq!(app.count("posts").await, 0);
    let created = web
        .form(
            "/api/fn/add_post",
            "/admin/posts",
            format!("name={name}&lat=39.7735&lon=98.2870&radius_m=150&description="),
            &admin,
        )
        .await;
    let post_page = web.location(&created);
    let post: i64 = post_page.rsplit('/').next().unwrap().parse().unwrap();
    let far = app
        .post(
            "/api/v1/admin/posts",
            serde_json::json!({"name": "嘉峪关关城景区岗", "lat": 39.80, "lon": 98.22}),
            Some(&admin),
        )
        .await;
    let far = far.body["id"].as_i64().unwrap();

    // One shift, twice (nothing new the second time), then a bulk schedule.
    let one = format!("post_id={post}&date={tomorrow}&start=07:00&end=09:00&capacity=1");
    let r = web
        .form("/api/fn/add_shift", post_page.clone(), one.clone(), &admin)
        .await;
    assert!(
        web.location(&r).ends_with("created=1"),
        "{}",
        web.location(&r)
    );
    let r = web
        .form("/api/fn/add_shift", post_page.clone(), one, &admin)
        .await;
    let again = web.location(&r);
    assert!(again.ends_with("created=0"));
    assert!(
        web.page(again, Some(&admin))
            .await
            .text
            .contains("没有重复创建")
    );
    let bulk = |periods: &str| {
        format!(
            "post_id={post}&from_date={tomorrow}&to_date={}&periods={periods}&capacity=2",
            day(3)
        )
    };
    let r = web
        .form(
            "/api/fn/schedule",
            post_page.clone(),
            bulk("07:00-09:00+17:00-19:00"),
            &admin,
        )
        .await;
    assert!(
        web.location(&r).ends_with("created=5"),
        "{}",
        web.location(&r)
    );
    let r = web
        .form(
            "/api/fn/schedule",
            post_page.clone(),
            bulk("7%E7%82%B9"),
            &admin,
        )
        .await;
    let shown = web.page(web.location(&r), Some(&admin)).await;
    assert!(
        shown.text.contains("应写成 07:00-09:00"),
        "the period's own message"
    );
    let shifts = app
        .get(&format!("/api/v1/shifts?post_id={post}"), None)
        .await;
    let first = shifts.body["items"][0]["id"].as_i64().unwrap();
    assert_eq!(shifts.body["items"][0]["capacity"], 1);
    let admin_week = web
        .page(format!("{post_page}?from={tomorrow}"), Some(&admin))
        .await;
    assert!(admin_week.text.contains(&format!("/manage/shifts/{first}")));

    // The tab lists the posts, nearest first once the phone says where it is.
    let tab = web.page("/volunteer", Some(&citizen)).await;
    assert!(tab.text.contains("posts-map") && tab.text.contains("未来7天6个班次 · 剩余11个名额"));
    assert!(tab.text.contains("data-test-id=\"hours\""));
    let order = |text: &str| {
        let a = text.find(&format!("post-{post}\"")).unwrap();
        let b = text.find(&format!("post-{far}\"")).unwrap();
        a < b
    };
    let near_post = web.page("/volunteer?near=39.7736,98.2871", None).await;
    assert!(order(&near_post.text) && near_post.text.contains("约10米"));
    assert!(near_post.text.contains("me-pin"));
    let near_far = web.page("/volunteer?near=39.8001,98.2201", None).await;
    assert!(!order(&near_far.text), "the other post comes first there");

    // The post's week: sign up, then the next person joins the waitlist.
    let week = format!("/volunteer/posts/{post}?from={tomorrow}");
    let view = web.page(week.clone(), Some(&citizen)).await;
    assert!(view.text.contains(&format!("shift-{first}")) && view.text.contains("剩余1个名额"));
    let anonymous = web.page(week.clone(), None).await;
    assert!(
        anonymous.text.contains("登录后报名")
            && !anonymous.text.contains("data-test-id=\"signup\"")
    );
    // A page that came back from a refused form does not send its error on.
    let after_error = web
        .page(
            format!("{week}&__path=%2Fapi%2Ffn%2Fshift_signup&__err=x"),
            Some(&citizen),
        )
        .await;
    assert!(
        after_error
            .text
            .contains(&format!("name=\"back\" value=\"{week}\"")),
        "the form returns to the week, without the old error"
    );
    assert!(view.text.contains("post-map"));
    let encoded = format!("%2Fvolunteer%2Fposts%2F{post}%3Ffrom%3D{tomorrow}");
    let r = web
        .form(
            "/api/fn/shift_signup",
            week.clone(),
            format!("shift_id={first}&back={encoded}"),
            &citizen,
        )
        .await;
    assert_eq!(web.location(&r), week, "back to the week");
    let tab = web.page("/volunteer", Some(&citizen)).await;
    assert!(
        tab.text.contains("checkin-later") && !tab.text.contains("checkin-form"),
        "the check-in button waits for the shift's day"
    );
    // My shifts in the phone's calendar, through a private link.
    let r = web
        .form(
            "/api/fn/calendar_link",
            "/volunteer",
            String::new(),
            &citizen,
        )
        .await;
    let back = web.location(&r);
    let key = back
        .split("calendar=")
        .nth(1)
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(key.len(), 40, "{back}");
    let shown = web.page(back.clone(), Some(&citizen)).await;
    assert!(
        shown
            .text
            .contains(&format!("{}/calendar.ics?key={key}", app.addr))
    );
    assert!(
        shown.text.contains("webcal://"),
        "a subscription, not a one-off import"
    );
    let feed = web.page(format!("/calendar.ics?key={key}"), None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.text.contains("BEGIN:VEVENT") && feed.text.contains("体育场路口"));
    let view = web.page(week.clone(), Some(&other)).await;
    assert!(view.text.contains("已满 · 候补0人") && view.text.contains(">候补<"));
    let r = web
        .form(
            "/api/fn/shift_signup",
            week.clone(),
            format!("shift_id={first}&back=https%3A%2F%2Fevil.example%2F"),
            &other,
        )
        .await;
    assert_eq!(web.location(&r), "/volunteer", "never to another site");
    let tab = web.page("/volunteer", Some(&other)).await;
    assert!(tab.text.contains("候补第1位") && tab.text.contains("退出候补"));
    assert_eq!(
        web.page(format!("/volunteer/posts/{}", far + 100), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let stars = web.page("/volunteer/stars", None).await;
    assert_eq!(stars.status, StatusCode::OK);
    assert!(stars.text.contains("志愿服务之星") && stars.text.contains("prev-month"));

    // The moderator's day and the attendance list.
    assert_eq!(
        web.page(format!("/manage/shifts?date={tomorrow}"), Some(&citizen))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let day_view = web
        .page(format!("/manage/shifts?date={tomorrow}"), Some(&moderator))
        .await;
    assert!(
        day_view.text.contains(&format!("day-shift-{first}"))
            && day_view.text.contains("已报名1/1人")
    );
    let list = web
        .page(format!("/manage/shifts/{first}"), Some(&moderator))
        .await;
    assert!(
        list.text.contains("张三") && list.text.contains("李四") && list.text.contains("候补第1位")
    );
    let signup: (i64,) = sqlx::query_as("SELECT id FROM signups WHERE user_id = $1")
        .bind(citizen_id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let correct = format!(
        "shift_id={first}&signup_id={}&credited_minutes=90",
        signup.0
    );
    let early = web
        .form(
            "/api/fn/correct_minutes",
            format!("/manage/shifts/{first}"),
            correct.clone(),
            &moderator,
        )
        .await;
    let shown = web.page(web.location(&early), Some(&moderator)).await;
    assert!(shown.text.contains("班次还没有开始"));
    app.state.clock.advance(48 * 3600 * 1000);
    let done = web
        .form(
            "/api/fn/correct_minutes",
            format!("/manage/shifts/{first}"),
            correct,
            &moderator,
        )
        .await;
    let back = web.location(&done);
    assert!(back.ends_with(&format!("saved={}", signup.0)));
    let list = web.page(back, Some(&moderator)).await;
    assert!(list.text.contains("计入1小时30分钟 · 15积分"));
    assert_eq!(app.balance(citizen_id).await, 15);
    let tab = web.page("/volunteer", Some(&citizen)).await;
    assert!(
        tab.text.contains("hours-total\">1.5小时<"),
        "my hours on the tab"
    );

    // A suspended volunteer is listed and can be let back in.
    sqlx::query("UPDATE users SET volunteer_suspended_until = $1 WHERE id = $2")
        .bind(app.state.clock.now_ms() + 3600 * 1000)
        .bind(citizen_id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let tab = web.page("/volunteer", Some(&citizen)).await;
    assert!(tab.text.contains("data-test-id=\"suspended\""));
    let day_view = web.page("/manage/shifts", Some(&moderator)).await;
    assert!(day_view.text.contains(&format!("suspended-{citizen_id}")));
    let lifted = web
        .form(
            "/api/fn/lift_suspension",
            "/manage/shifts",
            format!("user_id={citizen_id}"),
            &moderator,
        )
        .await;
    let day_view = web.page(web.location(&lifted), Some(&moderator)).await;
    assert!(
        day_view.text.contains("已恢复报名")
            && !day_view.text.contains(&format!("suspended-{citizen_id}"))
    );
}
both!(volunteer_pages_and_staff_forms);

/// 积分 without JavaScript: the tab explains each entry, shows badges and
/// the leaderboards; a citizen redeems a gift, sees the code and its QR,
/// unit staff hand it over; an admin adds and restocks gifts.
async fn points_and_gift_pages(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let city = app.city().await;
    let (staff, _) = app.unit_staff("13900000003", city.street_unit).await;
    let (citizen, citizen_id) = app.register("13800138000", "张三").await;
    let web = Plain(&app);

    // Admin: a gift by form; others may not.
    assert_eq!(
        web.page("/admin/gifts", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    let body = "name=%E6%96%87%E6%98%8E%E9%9B%A8%E4%BC%9E&description=&cost=30&stock=1".to_owned();
    let r = web
        .form("/api/fn/add_gift", "/admin/gifts", body.clone(), &citizen)
        .await;
    web.location(&r);
    assert_eq!(app.count("gifts").await, 0);
    let r = web
        .form("/api/fn/add_gift", "/admin/gifts", body, &admin)
        .await;
    assert!(web.location(&r).contains("saved=1"));
    let (gift,): (i64,) = sqlx::query_as("SELECT id FROM gifts")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let r = web
        .form(
            "/api/fn/update_gift",
            "/admin/gifts",
            format!("id={gift}&restock=2"),
            &admin,
        )
        .await;
    web.location(&r);
    let console = web.page("/admin/gifts", Some(&admin)).await;
    assert!(console.text.contains("30积分 · 库存3"));

    // The citizen earns, the tab explains it.
    app.post(
        "/api/v1/admin/points/adjust",
        serde_json::json!({"user_id": citizen_id, "delta": 40, "reason": "活动奖励"}),
        Some(&moderator),
    )
    .await;
    let tab = web.page("/points", Some(&citizen)).await;
    assert!(tab.text.contains("人工调整：活动奖励") && tab.text.contains("badge-first_report"));
    let board = web.page("/points?board=points&period=all", None).await;
    assert!(board.text.contains("张三") && board.text.contains("40分"));
    let hours = web.page("/points?board=hours&period=month", None).await;
    assert!(hours.text.contains("还没有上榜的人"));

    // Redeem by form: the code as text and as a QR code.
    let shop = web.page("/gifts", Some(&citizen)).await;
    assert!(shop.text.contains("剩余3件") && shop.text.contains("我的积分"));
    let r = web
        .form(
            "/api/fn/redeem",
            "/gifts",
            format!("gift_id={gift}"),
            &citizen,
        )
        .await;
    let mine = web.page(web.location(&r), Some(&citizen)).await;
    let qr = mine
        .text
        .split("data-test-id=\"qr\"")
        .nth(1)
        .unwrap_or_default();
    assert!(mine.text.contains("兑换成功") && qr.starts_with(" class=\"qr\"><svg"));
    let (code,): (String,) = sqlx::query_as("SELECT code FROM redemptions")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(mine.text.contains(&code));
    assert_eq!(app.balance(citizen_id).await, 10);
    let shop = web.page("/gifts", Some(&citizen)).await;
    assert!(
        shop.text.contains("积分不足"),
        "10 points left, the gift costs 30"
    );

    // Staff look the code up and hand it over; citizens may not.
    assert_eq!(
        web.page("/manage/fulfil", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    let preview = web
        .page(
            format!("/manage/fulfil?code={}", code.to_lowercase()),
            Some(&staff),
        )
        .await;
    assert!(preview.text.contains("文明雨伞") && preview.text.contains("待领取"));
    // The scan form (a photo sent without script) comes back here to say
    // what it could not read.
    assert!(
        preview
            .text
            .contains(r#"action="/api/v1/redemptions/scan""#)
    );
    let failed = web.page("/manage/fulfil?scan=failed", Some(&staff)).await;
    assert!(failed.text.contains("照片里没有读到领取码"));
    let r = web
        .form(
            "/api/fn/fulfil",
            "/manage/fulfil",
            format!("code={code}"),
            &staff,
        )
        .await;
    let done = web.page(web.location(&r), Some(&staff)).await;
    assert!(done.text.contains("已核销") && done.text.contains("已领取"));
    let r = web
        .form(
            "/api/fn/fulfil",
            "/manage/fulfil",
            format!("code={code}"),
            &staff,
        )
        .await;
    let again = web.page(web.location(&r), Some(&staff)).await;
    assert!(
        again.text.contains("礼品已经领取"),
        "a second hand-over is refused in words"
    );
    let mine = web.page("/me/redemptions", Some(&citizen)).await;
    assert!(mine.text.contains("已领取") && !mine.text.contains("data-test-id=\"qr\""));

    // Adjustments by form need a reason; admins change the rules.
    let r = web
        .form(
            "/api/fn/adjust_points",
            "/admin/points",
            "phone=13800138000&delta=5&reason=",
            &moderator,
        )
        .await;
    let back = web.page(web.location(&r), Some(&moderator)).await;
    assert!(
        back.text.contains("请填写调整原因"),
        "the reason is mandatory"
    );
    let r = web
        .form(
            "/api/fn/adjust_points",
            "/admin/points",
            "phone=13800138000&delta=5&reason=%E5%BF%97%E6%84%BF%E6%B4%BB%E5%8A%A8",
            &moderator,
        )
        .await;
    assert!(web.location(&r).contains("adjusted=1"));
    assert_eq!(app.balance(citizen_id).await, 15);
    let rules = "report_confirmed=2&volunteer_per_hour=12&nomination_approved=20&daily_vote=1&report_daily_cap=40";
    let r = web
        .form("/api/fn/set_rules", "/admin/points", rules, &moderator)
        .await;
    web.location(&r);
    assert_eq!(
        app.get("/api/v1/points/rules", None).await.body["volunteer_per_hour"],
        10,
        "moderators may not"
    );
    let r = web
        .form("/api/fn/set_rules", "/admin/points", rules, &admin)
        .await;
    assert!(web.location(&r).contains("rules=1"));
    assert_eq!(
        app.get("/api/v1/points/rules", None).await.body["volunteer_per_hour"],
        12
    );
    let form = web.page("/admin/points", Some(&admin)).await;
    assert!(
        form.text.contains("value=\"40\""),
        "the form shows the rules in force"
    );
}
both!(points_and_gift_pages);

/// 好人 pages without script: the campaign with its cards and votes left,
/// a vote and a refused one in words, the share page, the moderators'
/// queue, the admin's form (city time) and the 红榜.
async fn campaign_pages(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let web = Plain(&app);

    // The admin creates a campaign in city time: open now, for two days.
    let now = app.state.clock.now_ms();
    let local = |ms: i64| app.state.clock.rfc3339(ms)[..16].to_owned();
    let body = format!(
        "title=测试好人评选&description=&nomination_starts_at={}&nomination_ends_at={}&voting_starts_at={}&voting_ends_at={}&votes_per_day=1&min_account_age_hours=0",
        local(now - 3_600_000),
        local(now + 48 * 3_600_000),
        local(now - 3_600_000),
        local(now + 48 * 3_600_000),
    );
    let r = web
        .form("/api/fn/save_campaign", "/admin/campaigns", &body, &admin)
        .await;
    assert_eq!(web.location(&r), "/admin/campaigns?saved=1");
    let r = web
        .form("/api/fn/save_campaign", "/admin/campaigns", &body, &citizen)
        .await;
    let refused = web.page(web.location(&r), Some(&citizen)).await;
    assert!(refused.text.contains("没有权限"));
    let list = app.get("/api/v1/campaigns", None).await;
    let c = list.body[0]["id"].as_i64().unwrap();
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(
        list.body[0]["nomination_starts_at"],
        format!("{}:00+08:00", local(now - 3_600_000)).as_str(),
        "the form's times are the city's"
    );
    let page = web.page("/admin/campaigns?saved=1", Some(&admin)).await;
    assert!(page.text.contains("测试好人评选") && page.text.contains("已保存"));

    // A nomination, approved from the queue.
    let r = app
        .post(
            &format!("/api/v1/campaigns/{c}/nominations"),
            serde_json::json!({"nominee_name": "王秀兰", "category": "孝老爱亲",
                   "story": "她在社区义务照看独居老人十年，每天上门送饭、打扫卫生、陪老人聊天，风雨无阻。"}),
            Some(&citizen),
        )
        .await;
    let n = r.body["id"].as_i64().unwrap();
    assert_eq!(
        web.page("/manage/nominations", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    let queue = web.page("/manage/nominations", Some(&moderator)).await;
    assert!(queue.text.contains("王秀兰") && queue.text.contains("张三"));
    let r = web
        .form(
            "/api/fn/review_nomination",
            "/manage/nominations",
            format!("id={n}&decision=approve&reason="),
            &moderator,
        )
        .await;
    let done = web.page(web.location(&r), Some(&moderator)).await;
    assert!(done.text.contains("已审核") && done.text.contains("没有待审核的推荐"));

    // The campaign page: the card, votes left, a vote.
    let page = web.page(format!("/campaigns/{c}"), Some(&citizen)).await;
    assert!(page.text.contains("王秀兰") && page.text.contains("孝老爱亲"));
    assert!(
        page.text.contains("今天还可以投 <strong>1</strong>"),
        "{}",
        page.text
    );
    let anonymous = web.page(format!("/campaigns/{c}"), None).await;
    assert!(anonymous.text.contains("登录后投票"));
    let back = format!("/campaigns/{c}");
    let r = web
        .form(
            "/api/fn/vote",
            &back,
            format!("nomination_id={n}&back={back}"),
            &citizen,
        )
        .await;
    let voted = web.page(web.location(&r), Some(&citizen)).await;
    assert!(
        voted.text.contains("投票成功！今天还可以投0票"),
        "{}",
        voted.text
    );
    assert!(voted.text.contains("今日已投"));
    // A second vote for it today is refused in words.
    let r = web
        .form(
            "/api/fn/vote",
            &back,
            format!("nomination_id={n}&back={back}"),
            &citizen,
        )
        .await;
    let refused = web.page(web.location(&r), Some(&citizen)).await;
    assert!(
        refused.text.contains("今天已经给这位候选人投过票了"),
        "{}",
        refused.text
    );
    // A foreign `back` goes to the list instead.
    let r = web
        .form(
            "/api/fn/vote",
            &back,
            format!("nomination_id={n}&back=https://evil.example/"),
            &admin,
        )
        .await;
    assert!(web.location(&r).starts_with("/campaigns?voted="));

    // The share page and the ranking.
    let share = web.page(format!("/nominations/{n}"), None).await;
    assert!(share.text.contains(&format!("/nominations/{n}")) && share.text.contains("2</strong>"));
    let results = web.page(format!("/campaigns/{c}/results"), None).await;
    assert!(results.text.contains("实时排名") && results.text.contains("王秀兰"));
    let honors = web.page("/honors", None).await;
    assert!(honors.text.contains("评选结果公布后会在这里展示"));
}
both!(campaign_pages);

/// 创城信箱 and the audit log without script: a citizen writes, a moderator
/// answers in public, everyone reads it; only admins see the log.
async fn mailbox_and_audit_pages(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let web = Plain(&app);

    let page = web.page("/mailbox", None).await;
    assert!(page.text.contains("登录后写建议") && page.text.contains("还没有公开答复的建议"));
    let r = web
        .form(
            "/api/fn/send_suggestion",
            "/mailbox",
            "title=增设非机动车停放点&body=新华路与雄关大道路口的电动车乱停乱放，建议划线。",
            &citizen,
        )
        .await;
    let sent = web.page(web.location(&r), Some(&citizen)).await;
    assert!(sent.text.contains("已收到你的建议") && sent.text.contains("待答复"));
    let r = web
        .form(
            "/api/fn/send_suggestion",
            "/mailbox",
            "title=停&body=乱",
            &citizen,
        )
        .await;
    let refused = web.page(web.location(&r), Some(&citizen)).await;
    assert!(
        refused.text.contains("标题应为2到60个字"),
        "{}",
        refused.text
    );

    assert_eq!(
        web.page("/manage/suggestions", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    let inbox = web.page("/manage/suggestions", Some(&moderator)).await;
    assert!(inbox.text.contains("增设非机动车停放点") && inbox.text.contains("张三"));
    let id = app
        .get("/api/v1/moderation/suggestions", Some(&moderator))
        .await
        .body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let r = web
        .form(
            "/api/fn/answer_suggestion",
            "/manage/suggestions",
            format!("id={id}&answer=已转交市城管局，本月内完成划线。&public=1"),
            &moderator,
        )
        .await;
    let done = web.page(web.location(&r), Some(&moderator)).await;
    assert!(done.text.contains("已答复"));
    let public = web.page("/mailbox", None).await;
    assert!(public.text.contains("已转交市城管局，本月内完成划线。"));
    assert!(!public.text.contains("张三"), "no names in public");

    assert_eq!(
        web.page("/admin/audit", Some(&moderator)).await.status,
        StatusCode::FORBIDDEN
    );
    let log = web
        .page("/admin/audit?action=suggestion", Some(&admin))
        .await;
    assert!(
        log.text.contains("suggestion.answer") && log.text.contains("共1条"),
        "{}",
        log.text
    );
    let bad = web.page("/admin/audit?from=yesterday", Some(&admin)).await;
    assert!(bad.text.contains("日期应为 YYYY-MM-DD"));
}
both!(mailbox_and_audit_pages);

/// 数据看板 without script: charts with their tables for everyone, the unit
/// and area tables for staff only; the 通报 for staff, with its CSV link.
async fn dashboard_pages(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (moderator, _) = app.moderator().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let id = app
        .report_id(
            &citizen,
            city.litter,
            crate::helpers::IN_GRID,
            "路边堆放垃圾",
        )
        .await;
    let r = app
        .post(
            &format!("/api/v1/reports/{id}/review"),
            serde_json::json!({"decision": "approve"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let web = Plain(&app);

    let public = web.page("/dashboard", None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.text.contains("数据看板") && public.text.contains("按期整改率"));
    assert!(public.text.matches("<svg").count() >= 3, "three charts");
    assert!(public.text.contains("<title>问题状态</title>"));
    assert!(public.text.contains("查看数据"), "the numbers as a table");
    assert!(
        !public.text.contains("责任单位</h2>"),
        "no unit detail for the public"
    );
    let staff = web.page("/dashboard", Some(&moderator)).await;
    assert!(staff.text.contains("责任单位</h2>") && staff.text.contains("雄关街道"));
    assert!(staff.text.contains("包街路段与网格"));

    assert_eq!(
        web.page("/dashboard/units", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    let month = app.state.clock.rfc3339(app.state.clock.now_ms())[..7].to_owned();
    let t = web.page("/dashboard/units", Some(&moderator)).await;
    assert!(t.text.contains(&format!("{month} 责任单位整改通报")));
    assert!(
        t.text
            .contains(&format!("/api/v1/stats/units?month={month}&amp;format=csv"))
    );
    assert!(t.text.contains("雄关街道"));
    let csv = web
        .page(
            format!("/api/v1/stats/units?month={month}&format=csv"),
            Some(&moderator),
        )
        .await;
    assert_eq!(
        csv.status,
        StatusCode::OK,
        "the download works with the session cookie"
    );
    assert!(csv.text.contains("雄关街道,1,0,0,0,0"));
}
both!(dashboard_pages);

/// The admin's city page without script: a unit, a category routed to it
/// and a grid pasted as GeoJSON; bad GeoJSON is refused in words; admins
/// only.
async fn admin_city_page(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let web = Plain(&app);
    assert_eq!(
        web.page("/admin/city", Some(&moderator)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = web
        .form("/api/fn/add_unit", "/admin/city", "name=峪泉镇", &admin)
        .await;
    assert_eq!(web.location(&r), "/admin/city?saved=unit");
    let unit = app.get("/api/v1/units", None).await.body[0]["id"]
        .as_i64()
        .unwrap();
    let r = web
        .form(
            "/api/fn/add_category",
            "/admin/city",
            format!("name=农村人居环境&points=6&sla_days=5&unit_id={unit}"),
            &admin,
        )
        .await;
    assert_eq!(web.location(&r), "/admin/city?saved=category");
    let r = web
        .form(
            "/api/fn/add_category",
            "/admin/city",
            "name=空积分&points=&sla_days=3&unit_id=",
            &admin,
        )
        .await;
    let refused = web.page(web.location(&r), Some(&admin)).await;
    assert!(refused.text.contains("请填写积分"), "{}", refused.text);
    // Changed in place: the deadline and back to routing by place.
    let category = app.get("/api/v1/categories", None).await.body[0]["id"]
        .as_i64()
        .unwrap();
    let page = web.page("/admin/city", Some(&admin)).await;
    assert!(
        page.text
            .contains(&format!("data-test-id=\"edit-category-{category}\""))
    );
    let r = web
        .form(
            "/api/fn/edit_category",
            "/admin/city",
            format!("id={category}&name=农村人居环境&points=6&sla_days=10&unit_id="),
            &admin,
        )
        .await;
    assert_eq!(web.location(&r), "/admin/city?saved=category");
    let changed = &app.get("/api/v1/categories", None).await.body[0];
    assert_eq!(changed["sla_days"], 10);
    assert_eq!(changed["unit_id"], serde_json::Value::Null);
    let r = web
        .form(
            "/api/fn/edit_category",
            "/admin/city",
            format!("id={category}&name=农村人居环境&points=6&sla_days=0&unit_id="),
            &admin,
        )
        .await;
    let refused = web.page(web.location(&r), Some(&admin)).await;
    assert!(
        refused.text.contains("整改期限应在1到90天之间"),
        "{}",
        refused.text
    );
    let r = web
        .form(
            "/api/fn/edit_category",
            "/admin/city",
            format!("id={category}&name=x&points=1&sla_days=1&unit_id="),
            &moderator,
        )
        .await;
    assert_ne!(web.location(&r), "/admin/city?saved=category");
    assert_eq!(
        app.get("/api/v1/categories", None).await.body[0]["sla_days"],
        10
    );
    let geojson = r#"{"type":"Polygon","coordinates":[[[98.10,39.60],[98.12,39.60],[98.12,39.62],[98.10,39.60]]]}"#;
    let body = format!(
        "name=峪泉网格&kind=grid&unit_id={unit}&buffer_m=&geojson={}",
        form_urlencoded::byte_serialize(geojson.as_bytes()).collect::<String>()
    );
    let r = web
        .form("/api/fn/add_area", "/admin/city", &body, &admin)
        .await;
    assert_eq!(web.location(&r), "/admin/city?saved=area");
    let page = web.page("/admin/city?saved=area", Some(&admin)).await;
    assert!(
        page.text.contains("峪泉镇")
            && page.text.contains("农村人居环境")
            && page.text.contains("峪泉网格")
    );
    assert!(page.text.contains("map-grid"), "the grid is on the map");
    let areas = app.get("/api/v1/areas", None).await;
    assert_eq!(areas.body[0]["unit_id"], unit);
    let r = web
        .form(
            "/api/fn/add_area",
            "/admin/city",
            format!("name=坏区域&kind=grid&unit_id={unit}&geojson=not-json"),
            &admin,
        )
        .await;
    let refused = web.page(web.location(&r), Some(&admin)).await;
    assert!(
        refused.text.contains("不是有效的 GeoJSON"),
        "{}",
        refused.text
    );
    let (audits,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE target_type IN ('unit', 'category', 'area')",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        audits, 4,
        "every change audited (unit, category, its edit, area)"
    );
}
both!(admin_city_page);

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
