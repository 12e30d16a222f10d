//! 随手拍 pages and the consoles of the closed loop without JavaScript.

#[allow(unused_imports)]
use super::*;

/// The 随手拍 pages as a browser without JavaScript meets them: the public
/// list and report pages read, private reports are a real 404, the consoles
/// are refused to citizens, and a moderator approves with a plain form.
async fn report_pages_and_console_forms(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let (moderator, _) = app.moderator().await;
    let cookie = |t: &str| format!("zhuomu_session={t}");
    let page = |path: &str, token: Option<&str>| super::page(&app, path, token);
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

/// 大家的报告 pages by key: 20 reports, then a 更多报告 link (`before_id`
/// of the last one shown) to the older ones, and none at the end.
async fn the_public_list_pages_by_key(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (_, reporter) = app.register("13800138000", "张三").await;
    app.bulk_assigned(&city, reporter, 25, "路边有垃圾").await;
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM reports ORDER BY id DESC")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    let ids: Vec<i64> = ids.into_iter().map(|(id,)| id).collect();
    let first = app.send(app.request(Method::GET, "/reports", None)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.text.contains("共 25 条"), "the whole list's total");
    let shown = |text: &str, id: i64| text.contains(&format!("\"report-{id}\""));
    assert!(shown(&first.text, ids[0]) && shown(&first.text, ids[19]));
    assert!(!shown(&first.text, ids[20]));
    let more = format!("/reports?before_id={}", ids[19]);
    assert!(
        first.text.contains(&format!("href=\"{more}\"")),
        "a link to the older ones"
    );
    let next = app.send(app.request(Method::GET, &more, None)).await;
    assert_eq!(next.status, StatusCode::OK);
    assert!(shown(&next.text, ids[20]) && shown(&next.text, ids[24]));
    assert!(!shown(&next.text, ids[19]));
    assert!(!next.text.contains("more-reports"), "nothing older");
    assert!(next.text.contains("共 25 条"));
}
both!(the_public_list_pages_by_key);

/// 退回, 改派, 督办, 我也看到 and the rating as plain forms (no script): each
/// posts, moves the report, and the pages show the result, the deadline
/// clock and the colour.
async fn the_loop_forms_work_without_script(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let (other, _) = app.register("13800138001", "李四").await;
    let (moderator, _) = app.moderator().await;
    let (staff, _) = app.unit_staff("13700000001", city.grid_unit).await;
    let cookie = |t: &str| format!("zhuomu_session={t}");
    let page = |path: &str, token: Option<&str>| super::page(&app, path, token);
    let post = |path: &'static str, from: String, body: String, token: &str| {
        app.send(form_post(&app, path, &from, &body, Some(&cookie(token))))
    };
    let id = app
        .report_id(&citizen, city.litter, crate::helpers::IN_GRID, "井盖松动")
        .await;
    // The review console: one report open, its waiting time, the category
    // to correct; approving with another category routes by it.
    let queue = page(&format!("/manage/review?open={id}"), Some(&moderator)).await;
    assert!(queue.text.contains("review-category") && queue.text.contains("已等待"));
    let r = post(
        "/api/fn/review",
        "/manage/review".into(),
        format!(
            "id={id}&decision=approve&unit_id=&deadline_days=&category_id={}",
            city.parking
        ),
        &moderator,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    let report = app.get(&format!("/api/v1/reports/{id}"), None).await;
    assert_eq!(report.body["category_id"], city.parking);
    assert_eq!(
        report.body["unit_id"], city.traffic_unit,
        "the category's own unit"
    );
    // Back to the grid's unit for the rest (a return and a reassignment).
    let (traffic, _) = app.unit_staff("13700000009", city.traffic_unit).await;
    let tasks = page("/manage/unit", Some(&traffic)).await;
    assert!(tasks.text.contains(&format!("task-{id}")));
    assert!(tasks.text.contains("还剩 2 天 23 小时") || tasks.text.contains("还剩 3 天"));
    assert!(tasks.text.contains("uri.amap.com/marker") && tasks.text.contains("待整改 1 条"));
    assert!(tasks.text.contains("tab-unit"), "the unit's own tab bar");
    let r = post(
        "/api/fn/return_report",
        "/manage/unit".into(),
        format!("id={id}&reason=%E4%B8%8D%E5%B1%9E%E4%BA%A4%E8%AD%A6"),
        &traffic,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    assert!(
        r.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .ends_with(&format!("/manage/unit?done={id}"))
    );
    let queue = page("/manage/review", Some(&moderator)).await;
    assert!(queue.text.contains(&format!("returned-{id}")) && queue.text.contains("不属交警"));
    assert!(queue.text.contains("该单位近90天退回1条"));
    let r = post(
        "/api/fn/reassign",
        "/manage/review".into(),
        format!("id={id}&unit_id={}&deadline_days=&note=", city.grid_unit),
        &moderator,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    // 督办 from the report page; the count shows.
    let r = post(
        "/api/fn/urge",
        format!("/reports/{id}"),
        format!("id={id}&note=%E8%AF%B7%E5%B0%BD%E5%BF%AB"),
        &moderator,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    let shown = page(&format!("/reports/{id}"), Some(&other)).await;
    assert!(shown.text.contains("urge-count") && shown.text.contains("1次"));
    assert!(
        shown.text.contains("data-test-id=\"seen\""),
        "我也看到 is offered"
    );
    // 我也看到 as a plain form, then not offered again.
    let r = post(
        "/api/fn/seen",
        format!("/reports/{id}"),
        format!("id={id}"),
        &other,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    let shown = page(&format!("/reports/{id}?seen=1"), Some(&other)).await;
    assert!(shown.text.contains("seen-done") && shown.text.contains("seen-count"));
    assert!(!shown.text.contains("data-test-id=\"seen\""));
    // Rectified, closed, rated 5 from the plain feedback form.
    assert_eq!(app.rectify(&staff, id).await.status, StatusCode::OK);
    app.post(
        &format!("/api/v1/reports/{id}/verify"),
        serde_json::json!({"decision": "close"}),
        Some(&moderator),
    )
    .await;
    let r = post(
        "/api/fn/feedback",
        format!("/reports/{id}"),
        format!("id={id}&verdict=fixed&note=&rating=5"),
        &citizen,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    let shown = page(&format!("/reports/{id}"), None).await;
    assert!(shown.text.contains("★★★★★"), "the stars show");
}
both!(the_loop_forms_work_without_script);

/// The home page's to-do strip: a rectified report of mine waits for my
/// word, with my unread messages; once I have answered it is gone; nobody
/// else sees it.
async fn the_home_page_lists_what_waits_for_me(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let (other, _) = app.register("13800138001", "李四").await;
    let (moderator, _) = app.moderator().await;
    let home = |token: Option<&str>| super::page(&app, "/", token);
    assert!(!home(None).await.text.contains("data-test-id=\"todo\""));
    assert!(
        !home(Some(&citizen))
            .await
            .text
            .contains("data-test-id=\"todo\""),
        "nothing waits yet"
    );

    let id = app
        .report_id(
            &citizen,
            city.litter,
            crate::helpers::IN_GRID,
            "垃圾堆在小区门口",
        )
        .await;
    let approved = app.approve(&moderator, id).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    let unit = approved.body["unit_id"].as_i64().unwrap();
    let (staff, _) = app.unit_staff("13800138002", unit).await;
    assert_eq!(app.rectify(&staff, id).await.status, StatusCode::OK);

    let mine = home(Some(&citizen)).await.text;
    let strip = mine
        .split("data-test-id=\"todo\"")
        .nth(1)
        .expect("the to-do strip");
    assert!(
        strip.contains(&format!("href=\"/reports/{id}#feedback\"")),
        "{strip}"
    );
    assert!(strip.contains("已整改，待您确认"), "{strip}");
    assert!(
        strip.contains("data-test-id=\"todo-messages\""),
        "unread messages: {strip}"
    );
    assert!(
        !home(Some(&other))
            .await
            .text
            .contains(&format!("todo-report-{id}"))
    );

    let answered = app
        .post(
            &format!("/api/v1/reports/{id}/feedback"),
            serde_json::json!({"verdict": "fixed"}),
            Some(&citizen),
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text);
    assert!(
        !home(Some(&citizen))
            .await
            .text
            .contains(&format!("todo-report-{id}"))
    );
}
both!(the_home_page_lists_what_waits_for_me);
