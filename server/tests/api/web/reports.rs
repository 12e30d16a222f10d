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
