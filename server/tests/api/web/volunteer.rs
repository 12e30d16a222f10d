//! 志愿 pages and the staff forms without JavaScript.

#[allow(unused_imports)]
use super::*;

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
