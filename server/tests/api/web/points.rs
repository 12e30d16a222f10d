//! 积分 and the gift shop without JavaScript.

#[allow(unused_imports)]
use super::*;

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
    assert!(
        board.text.contains("市民张*")
            && board.text.contains("40分")
            && !board.text.contains("张三")
    );
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
