//! 数据看板 and the 通报 without JavaScript.

#[allow(unused_imports)]
use super::*;

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
