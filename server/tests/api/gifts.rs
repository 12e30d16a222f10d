//! The API's "Points and gifts": the shop. Stock is never oversold, points never
//! double-spent, and a pickup is either fulfilled or cancelled, never both.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Engine, TestApp, count_of};

/// Gives `user` points through the moderators' adjustment.
pub(crate) async fn give(app: &TestApp, moderator: &str, user: i64, points: i64) {
    let r = app
        .post(
            "/api/v1/admin/points/adjust",
            json!({"user_id": user, "delta": points, "reason": "测试发放"}),
            Some(moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

pub(crate) async fn new_gift(app: &TestApp, admin: &str, name: &str, cost: i64, stock: i64) -> i64 {
    let r = app
        .post(
            "/api/v1/admin/gifts",
            json!({"name": name, "description": "创城纪念品", "cost": cost, "stock": stock}),
            Some(admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

pub(crate) async fn stock_of(app: &TestApp, gift: i64) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT stock FROM gifts WHERE id = $1")
        .bind(gift)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    n
}

/// Every user's cached balance equals the sum of their ledger and is ≥ 0.
pub(crate) async fn assert_ledgers_balance(app: &TestApp) {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT u.id, u.points_balance, CAST(COALESCE(SUM(l.delta), 0) AS BIGINT) FROM users u \
         LEFT JOIN points_ledger l ON l.user_id = u.id GROUP BY u.id, u.points_balance",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    for (user, balance, sum) in rows {
        assert_eq!(balance, sum, "user {user}: the balance is the ledger's sum");
        assert!(balance >= 0);
    }
}

async fn catalogue_and_admin(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let body = json!({"name": "文明雨伞", "cost": 300, "stock": 5});
    assert_eq!(
        app.post("/api/v1/admin/gifts", body.clone(), Some(&citizen))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/api/v1/admin/gifts", body.clone(), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post("/api/v1/admin/gifts", body.clone(), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let umbrella = r.body["id"].as_i64().unwrap();
    assert_eq!(
        app.post("/api/v1/admin/gifts", body, Some(&admin))
            .await
            .code(),
        "name_taken"
    );
    for (bad, field) in [
        (json!({"name": "x", "cost": 0, "stock": 1}), "cost"),
        (json!({"name": "x", "cost": 10, "stock": -1}), "stock"),
        (json!({"name": "  ", "cost": 10, "stock": 1}), "name"),
    ] {
        let r = app
            .post("/api/v1/admin/gifts", bad.clone(), Some(&admin))
            .await;
        assert_eq!(r.field_errors(), [field], "{bad}");
    }
    let r = app
        .post(
            "/api/v1/admin/gifts",
            json!({"name": "x", "cost": "ten"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    new_gift(&app, &admin, "帆布袋", 100, 0).await;

    let list = app.get("/api/v1/gifts", None).await;
    assert_eq!(list.status, StatusCode::OK);
    let names: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["帆布袋", "文明雨伞"], "cheapest first");
    assert_eq!(list.body[1]["stock"], 5);
    assert_eq!(list.body[1]["description"], "");

    // Restock, reprice, hide: a hidden gift leaves the catalogue and cannot be redeemed.
    let path = format!("/api/v1/admin/gifts/{umbrella}");
    let patch = |body: Value, token: &str| {
        app.send(app.request(Method::PATCH, &path, Some(token)).json(&body))
    };
    assert_eq!(
        patch(json!({"restock": 3}), &citizen).await.status,
        StatusCode::FORBIDDEN
    );
    let r = patch(json!({"restock": 3, "cost": 250}), &admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["stock"].clone(), r.body["cost"].clone()),
        (json!(8), json!(250))
    );
    assert_eq!(
        patch(json!({"restock": -2}), &admin).await.field_errors(),
        ["restock"]
    );
    let r = patch(json!({"hidden": true}), &admin).await;
    assert_eq!(r.body["hidden"], true);
    assert_eq!(
        app.get("/api/v1/gifts", None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let redeem = app
        .call(
            Method::POST,
            &format!("/api/v1/gifts/{umbrella}/redeem"),
            Some(&citizen),
        )
        .await;
    assert_eq!(redeem.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.send(
            app.request(Method::PATCH, "/api/v1/admin/gifts/4242", Some(&admin))
                .json(&json!({"hidden": false}))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}
both!(catalogue_and_admin);

pub(crate) async fn fulfil(app: &TestApp, code: &str, token: &str) -> crate::helpers::Resp {
    app.post(
        "/api/v1/redemptions/fulfil",
        json!({ "code": code }),
        Some(token),
    )
    .await
}

async fn redeem_cancel_and_fulfil(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let city = app.city().await;
    let (staff, _) = app.unit_staff("13900000003", city.street_unit).await;
    let (a, a_id) = app.register("13800138000", "张三").await;
    let (b, _) = app.register("13800138001", "李四").await;
    let gift = new_gift(&app, &admin, "文明雨伞", 300, 1).await;
    let redeem = format!("/api/v1/gifts/{gift}/redeem");

    // Not enough points: refused, nothing taken.
    give(&app, &moderator, a_id, 299).await;
    let r = app.call(Method::POST, &redeem, Some(&a)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "insufficient_points");
    assert_eq!(
        stock_of(&app, gift).await,
        1,
        "the stock came back with the rollback"
    );
    assert_eq!(app.count("redemptions").await, 0);
    assert_eq!(app.balance(a_id).await, 299);
    assert_eq!(
        app.call(Method::POST, &redeem, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(Method::POST, "/api/v1/gifts/4242/redeem", Some(&a))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    give(&app, &moderator, a_id, 1).await;
    let r = app.call(Method::POST, &redeem, Some(&a)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "pending_pickup");
    assert_eq!(r.body["gift_id"], gift);
    let code = r.body["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 8);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(app.balance(a_id).await, 0);
    assert_eq!(stock_of(&app, gift).await, 0);
    let r = app.call(Method::POST, &redeem, Some(&b)).await;
    assert_eq!(r.code(), "out_of_stock");
    let mine = app.get("/api/v1/me/redemptions", Some(&a)).await;
    assert_eq!(mine.body[0]["code"], code.as_str());
    assert_eq!(mine.body[0]["status_label"], "待领取");
    assert_eq!(
        app.get("/api/v1/me/redemptions", Some(&b)).await.body,
        json!([])
    );
    let ledger = app.get("/api/v1/me/points/ledger", Some(&a)).await;
    assert_eq!(ledger.body["items"][0]["delta"], -300);
    assert_eq!(ledger.body["items"][0]["reason"], "gift_redeemed");

    // Someone else's redemption is not theirs to cancel.
    let cancel = format!("/api/v1/redemptions/{id}/cancel");
    assert_eq!(
        app.call(Method::POST, &cancel, Some(&b)).await.status,
        StatusCode::NOT_FOUND
    );
    // Cancelled: points back, stock back, and the code no longer works.
    let r = app.call(Method::POST, &cancel, Some(&a)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "cancelled");
    assert_eq!(app.balance(a_id).await, 300);
    assert_eq!(stock_of(&app, gift).await, 1);
    let again = app.call(Method::POST, &cancel, Some(&a)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    assert_eq!(
        fulfil(&app, &code, &staff).await.status,
        StatusCode::CONFLICT
    );

    // Redeemed again and handed over by unit staff.
    let r = app.call(Method::POST, &redeem, Some(&a)).await;
    let code = r.body["code"].as_str().unwrap().to_owned();
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(fulfil(&app, &code, &a).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        fulfil(&app, &code, &moderator).await.status,
        StatusCode::FORBIDDEN
    );
    let preview = app
        .get(
            &format!("/api/v1/redemptions/by-code?code={}", code.to_lowercase()),
            Some(&staff),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert_eq!(preview.body["gift_name"], "文明雨伞");
    assert_eq!(fulfil(&app, "ABCD", &staff).await.field_errors(), ["code"]);
    let unknown = fulfil(&app, "ABCDEFGH", &staff).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let typed = format!("{}-{}", &code[..4], code[4..].to_lowercase());
    let r = fulfil(&app, &typed, &staff).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "fulfilled");
    assert_eq!(r.body["status_label"], "已领取");
    let r = fulfil(&app, &code, &admin).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body["detail"].as_str().unwrap().contains("已经领取"));
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/redemptions/{id}/cancel"),
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "no refund after pickup");
    let summary = app.get("/api/v1/me/points", Some(&a)).await;
    assert_eq!(summary.body["badges"], json!(["first_gift"]));
    let messages = app.get("/api/v1/me/notifications", Some(&a)).await;
    assert!(messages.text.contains("获得徽章：积分有礼"));
    assert_eq!(app.balance(a_id).await, 0);
    assert_ledgers_balance(&app).await;
}
both!(redeem_cancel_and_fulfil);

/// Stock 10, 200 redemptions at once by 40 people who can each afford 5:
/// exactly 10 succeed and every ledger still sums to its balance.
async fn two_hundred_redemptions_for_ten_units(e: Engine) {
    let app = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let gift = new_gift(&app, &admin, "文明雨伞", 10, 10).await;
    let mut tokens = vec![];
    for i in 0..40 {
        let (t, id) = app
            .register(&format!("138000{i:05}"), &format!("市民{i}"))
            .await;
        give(&app, &moderator, id, 50).await;
        tokens.push(t);
    }
    let path = format!("/api/v1/gifts/{gift}/redeem");
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let req = app.request(Method::POST, &path, Some(&tokens[i % 40]));
            tokio::spawn(async move {
                let r = req.send().await.unwrap();
                (r.status(), r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut statuses = vec![];
    for t in tasks {
        let (status, body) = t.await.unwrap();
        if status != StatusCode::CREATED {
            assert_eq!(body["code"], "out_of_stock", "{body}");
        }
        statuses.push(status);
    }
    assert_eq!(count_of(&statuses, StatusCode::CREATED), 10);
    assert_eq!(stock_of(&app, gift).await, 0);
    assert_eq!(app.count("redemptions").await, 10);
    let (spent,): (i64,) = sqlx::query_as(
        "SELECT CAST(-SUM(delta) AS BIGINT) FROM points_ledger WHERE reason = 'gift_redeemed'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(spent, 100);
    assert_ledgers_balance(&app).await;
}
both!(two_hundred_redemptions_for_ten_units);

/// One person who can afford one gift fires twenty redemptions at once.
async fn twenty_redemptions_with_points_for_one(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (a, a_id) = app.register("13800138000", "张三").await;
    give(&app, &moderator, a_id, 300).await;
    let gift = new_gift(&app, &admin, "文明雨伞", 300, 50).await;
    let statuses = app
        .post_all_at_once(
            &format!("/api/v1/gifts/{gift}/redeem"),
            Some(&a),
            vec![json!({}); 20],
        )
        .await;
    assert_eq!(count_of(&statuses, StatusCode::CREATED), 1, "{statuses:?}");
    assert_eq!(count_of(&statuses, StatusCode::CONFLICT), 19);
    assert_eq!(app.balance(a_id).await, 0);
    assert_eq!(
        stock_of(&app, gift).await,
        49,
        "the failed ones gave their unit back"
    );
    assert_ledgers_balance(&app).await;
}
both!(twenty_redemptions_with_points_for_one);

/// The owner cancels while staff fulfil the same code: exactly one wins, and
/// points and stock agree with whichever did.
async fn cancel_and_fulfil_at_once(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let city = app.city().await;
    let (staff, _) = app.unit_staff("13900000003", city.street_unit).await;
    let (a, a_id) = app.register("13800138000", "张三").await;
    give(&app, &moderator, a_id, 1000).await;
    let gift = new_gift(&app, &admin, "文明雨伞", 100, 10).await;
    for round in 0..8 {
        let r = app
            .call(
                Method::POST,
                &format!("/api/v1/gifts/{gift}/redeem"),
                Some(&a),
            )
            .await;
        let (id, code) = (
            r.body["id"].as_i64().unwrap(),
            r.body["code"].as_str().unwrap().to_owned(),
        );
        let cancel = app.request(
            Method::POST,
            &format!("/api/v1/redemptions/{id}/cancel"),
            Some(&a),
        );
        let fulfil = app
            .request(Method::POST, "/api/v1/redemptions/fulfil", Some(&staff))
            .json(&json!({ "code": code }));
        let (c, f) = tokio::join!(
            tokio::spawn(async move { cancel.send().await.unwrap().status() }),
            tokio::spawn(async move { fulfil.send().await.unwrap().status() })
        );
        let (c, f) = (c.unwrap(), f.unwrap());
        assert_eq!(
            [c, f].iter().filter(|s| **s == StatusCode::OK).count(),
            1,
            "round {round}: cancel {c}, fulfil {f}"
        );
        assert!([c, f].contains(&StatusCode::CONFLICT));
        let (status,): (String,) = sqlx::query_as("SELECT status FROM redemptions WHERE id = $1")
            .bind(id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let (refunds,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM points_ledger WHERE reason = 'gift_refunded' AND ref_id = $1",
        )
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        if c == StatusCode::OK {
            assert_eq!((status.as_str(), refunds), ("cancelled", 1));
        } else {
            assert_eq!((status.as_str(), refunds), ("fulfilled", 0));
        }
    }
    let (fulfilled,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM redemptions WHERE status = 'fulfilled'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(stock_of(&app, gift).await, 10 - fulfilled);
    assert_eq!(app.balance(a_id).await, 1000 - 100 * fulfilled);
    assert_ledgers_balance(&app).await;
}
both!(cancel_and_fulfil_at_once);

/// A gift's picture goes through the photo pipeline and is public.
async fn gift_pictures(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let gift = new_gift(&app, &admin, "文明雨伞", 30, 5).await;
    let path = format!("/api/v1/admin/gifts/{gift}/photo");
    let form = || {
        reqwest::multipart::Form::new().part(
            "photo",
            crate::helpers::photo_part(crate::helpers::jpeg(800, 600)),
        )
    };
    assert_eq!(
        app.post_form(&path, &citizen, form()).await.status,
        StatusCode::FORBIDDEN
    );
    let empty = app
        .post_form(&path, &admin, reqwest::multipart::Form::new())
        .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.text
    );
    let html = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(b"<html></html>".to_vec())
            .file_name("a.jpg")
            .mime_str("image/jpeg")
            .unwrap(),
    );
    assert_eq!(
        app.post_form(&path, &admin, html).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let r = app.post_form(&path, &admin, form()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let url = r.body["photo_url"].as_str().unwrap().to_owned();
    let list = app.get("/api/v1/gifts", None).await;
    assert_eq!(list.body[0]["photo_url"], url.as_str());
    let img = app.get(&url, None).await;
    assert_eq!(
        img.status,
        StatusCode::OK,
        "anyone sees the shop's pictures"
    );
    assert_eq!(img.headers[reqwest::header::CONTENT_TYPE], "image/jpeg");
    // A new picture replaces the old one, which is gone.
    let r = app.post_form(&path, &admin, form()).await;
    assert_ne!(r.body["photo_url"], url.as_str());
    assert_eq!(app.get(&url, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post_form("/api/v1/admin/gifts/4242/photo", &admin, form())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
both!(gift_pictures);

/// A photo of a QR code holding `text`, as a phone takes it: the code in
/// the middle of a bigger, slightly grey picture, saved as JPEG.
fn qr_photo(text: &str) -> Vec<u8> {
    let qr = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let (modules, colors) = (qr.width() as u32, qr.to_colors());
    let (scale, margin) = (9, 200);
    let side = modules * scale + 2 * margin;
    let img = image::GrayImage::from_fn(side + 240, side, |x, y| {
        let (mx, my) = (
            x.wrapping_sub(margin) / scale,
            y.wrapping_sub(margin) / scale,
        );
        let dark = x >= margin
            && y >= margin
            && mx < modules
            && my < modules
            && colors[(my * modules + mx) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 30 } else { 225 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// Staff photograph the QR code on a citizen's phone: the console link (or a
/// bare code) in it finds the redemption. A browser form goes on to the
/// console; a photo without a code says so.
async fn scan_a_pickup_code(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let city = app.city().await;
    let (staff, _) = app.unit_staff("13900000003", city.street_unit).await;
    let (a, a_id) = app.register("13800138000", "张三").await;
    let gift = new_gift(&app, &admin, "文明雨伞", 30, 2).await;
    give(&app, &moderator, a_id, 60).await;
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/gifts/{gift}/redeem"),
            Some(&a),
        )
        .await;
    let code = r.body["code"].as_str().unwrap().to_owned();
    let scan = |bytes: Vec<u8>| {
        reqwest::multipart::Form::new().part("photo", crate::helpers::photo_part(bytes))
    };
    let link = format!("http://zhuomu.example.cn/manage/fulfil?code={code}");

    let r = app
        .post_form("/api/v1/redemptions/scan", &staff, scan(qr_photo(&link)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["code"], code.as_str());
    assert_eq!(r.body["gift_name"], "文明雨伞");
    assert_eq!(
        r.body["status"], "pending_pickup",
        "scanning hands nothing over"
    );
    let r = app
        .post_form(
            "/api/v1/redemptions/scan",
            &admin,
            scan(qr_photo(&code.to_lowercase())),
        )
        .await;
    assert_eq!(r.body["code"], code.as_str(), "a bare code counts too");

    // Citizens and moderators may not look codes up.
    for token in [&a, &moderator] {
        let r = app
            .post_form("/api/v1/redemptions/scan", token, scan(qr_photo(&link)))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // No code in the picture, a QR code of something else, an unknown code.
    let r = app
        .post_form(
            "/api/v1/redemptions/scan",
            &staff,
            scan(crate::helpers::jpeg(640, 480)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.field_errors(), ["photo"]);
    let r = app
        .post_form(
            "/api/v1/redemptions/scan",
            &staff,
            scan(qr_photo("https://example.com/")),
        )
        .await;
    assert_eq!(r.field_errors(), ["photo"]);
    let r = app
        .post_form(
            "/api/v1/redemptions/scan",
            &staff,
            scan(qr_photo("ABCDEFGH")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post_form(
            "/api/v1/redemptions/scan",
            &staff,
            reqwest::multipart::Form::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);

    // A browser form (no script): on to the console with the code, or with
    // what went wrong.
    let browser = |bytes: Vec<u8>| {
        app.send(
            app.request(Method::POST, "/api/v1/redemptions/scan", Some(&staff))
                .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
                .multipart(scan(bytes)),
        )
    };
    let r = browser(qr_photo(&link)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers[reqwest::header::LOCATION],
        format!("/manage/fulfil?code={code}").as_str()
    );
    let r = browser(crate::helpers::jpeg(640, 480)).await;
    assert_eq!(
        r.headers[reqwest::header::LOCATION],
        "/manage/fulfil?scan=failed"
    );
    let r = browser(qr_photo("ABCDEFGH")).await;
    assert_eq!(
        r.headers[reqwest::header::LOCATION],
        "/manage/fulfil?scan=unknown"
    );

    // The link in a QR code also works typed into the API as the code.
    let r = fulfil(&app, &link, &staff).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "fulfilled");
}
both!(scan_a_pickup_code);
