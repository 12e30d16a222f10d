//! Personal data (PIPL): the export, erasing an account, retention, the
//! public name (后台实名、前台自愿), and staff powers never on oneself.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::campaigns::{approved, open_campaign, vote};
use crate::gifts::{assert_ledgers_balance, fulfil, give, new_gift, stock_of};
use crate::helpers::{Engine, IN_GRID, TestApp};
use crate::volunteer::{post_and_shift, sign_up};

const PHONE: &str = "13811112222";
const NAME: &str = "王小明";
const PASSWORD: &str = "a-good-passphrase";

async fn erase(app: &TestApp, token: &str, body: Value) -> crate::helpers::Resp {
    app.send(
        app.request(Method::DELETE, "/api/v1/me", Some(token))
            .json(&body),
    )
    .await
}

/// Every public or staff answer that could carry a person: none may hold
/// `needle` once they are erased.
async fn answers_without(app: &TestApp, admin: &str, campaign: i64, needle: &str) {
    for (path, token) in [
        ("/api/v1/reports?per_page=100", None),
        ("/api/v1/leaderboard?board=points&period=all", None),
        ("/api/v1/leaderboard?board=points&period=month", None),
        ("/api/v1/leaderboard?board=hours&period=all", None),
        (
            &format!("/api/v1/campaigns/{campaign}/nominations") as &str,
            None,
        ),
        ("/api/v1/admin/users?per_page=100", Some(admin)),
        ("/api/v1/admin/audit?per_page=100", Some(admin)),
    ] {
        let r = app.get(path, token).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        assert!(
            !r.text.contains(needle),
            "{path} still carries {needle}: {}",
            r.text
        );
    }
}

async fn erasing_keeps_the_record_and_frees_the_number(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    // The campaign first: its helper makes the moderator (13900000001).
    let campaign = open_campaign(&app, &admin, json!({})).await;
    let nominees = approved(&app, campaign, &["李大姐"]).await;
    let r = app.login("13900000001", PASSWORD).await;
    let moderator = r.body["token"].as_str().unwrap().to_owned();
    let city = app.city().await;
    let (me, my_id) = app.register(PHONE, NAME).await;
    let (other, _) = app.register("13822223333", "邻居").await;
    let (waiter, _) = app.register("13833334444", "候补的人").await;

    // A report of mine (approved: +5), and one of a neighbour I follow.
    let mine = app
        .report_id(&me, city.litter, IN_GRID, "垃圾桶满溢无人清理")
        .await;
    assert_eq!(app.approve(&moderator, mine).await.status, StatusCode::OK);
    let theirs = app
        .report_id(&other, city.litter, IN_GRID, "绿化带里堆满杂物")
        .await;
    assert_eq!(app.approve(&moderator, theirs).await.status, StatusCode::OK);
    let followed = format!("/api/v1/reports/{theirs}/follow");
    assert_eq!(
        app.call(Method::POST, &followed, Some(&me)).await.status,
        StatusCode::NO_CONTENT
    );
    // Points and a pending pickup.
    give(&app, &moderator, my_id, 100).await;
    let gift = new_gift(&app, &admin, "创城帆布袋", 30, 3).await;
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/gifts/{gift}/redeem"),
            Some(&me),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(stock_of(&app, gift).await, 2);
    // A future shift with one seat: mine, and somebody on its waitlist.
    let (_, shift) = post_and_shift(&app, &admin, 1, 48).await;
    assert_eq!(sign_up(&app, shift, &me).await.status, StatusCode::CREATED);
    let r = sign_up(&app, shift, &waiter).await;
    assert_eq!(r.body["status"], "waitlisted", "{}", r.text);
    // A vote.
    assert_eq!(
        vote(&app, &me, nominees[0]).await.status,
        StatusCode::CREATED
    );

    // The export: everything, with the whole number, as a download.
    let r = app.get("/api/v1/me/export", Some(&me)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let disposition = r.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let data = &r.body;
    assert_eq!(data["profile"]["phone"], PHONE);
    assert_eq!(data["profile"]["display_name"], NAME);
    assert_eq!(data["consents"].as_array().unwrap().len(), 1);
    assert_eq!(data["reports"][0]["id"], mine);
    assert!(
        data["reports"][0]["photos"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("/")
    );
    let ledger_sum: i64 = data["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["delta"].as_i64().unwrap())
        .sum();
    assert_eq!(
        ledger_sum,
        data["profile"]["points_balance"].as_i64().unwrap()
    );
    assert!(
        data["ledger"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["delta"] == -30 && l["reason"] == "gift_redeemed"),
        "{}",
        data["ledger"]
    );
    assert_eq!(data["redemptions"][0]["status"], "pending_pickup");
    assert_eq!(data["signups"][0]["status"], "confirmed");
    assert_eq!(data["follows"][0]["report_id"], theirs);
    assert_eq!(data["votes"][0]["nomination_id"], nominees[0]);
    assert!(data["notifications"].as_array().is_some());
    // Nobody else's export carries me.
    let r = app.get("/api/v1/me/export", Some(&other)).await;
    assert!(!r.text.contains(PHONE) && !r.text.contains(NAME));

    // A wrong password, or no proof at all, erases nothing.
    for body in [
        json!({"password": "not-my-password"}),
        json!({}),
        json!({"sms_code": "12a"}),
    ] {
        let r = erase(&app, &me, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    }
    assert_eq!(
        app.get("/api/v1/me", Some(&me)).await.status,
        StatusCode::OK
    );

    let r = erase(&app, &me, json!({"password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(r.set_cookie().unwrap().contains("Max-Age=0"));
    // Gone at once, everywhere.
    assert_eq!(
        app.get("/api/v1/me", Some(&me)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(PHONE, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        erase(&app, &me, json!({"password": PASSWORD})).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The stock is back, the points refunded, every ledger sums to its balance.
    assert_eq!(stock_of(&app, gift).await, 3);
    assert_ledgers_balance(&app).await;
    // The waitlisted person has the seat.
    let r = app.get("/api/v1/me/shifts", Some(&waiter)).await;
    assert_eq!(r.body["items"][0]["status"], "confirmed", "{}", r.text);
    // The follow is gone from the count; my report stays public, with no name.
    let r = app.get(&format!("/api/v1/reports/{theirs}"), None).await;
    assert_eq!(r.body["follower_count"], 0, "{}", r.text);
    let r = app
        .get(&format!("/api/v1/reports/{mine}"), Some(&moderator))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["reporter_name"], "已注销用户");
    // The vote still counts.
    let r = app
        .get(&format!("/api/v1/campaigns/{campaign}/nominations"), None)
        .await;
    assert!(r.text.contains("\"vote_count\":1"), "{}", r.text);
    answers_without(&app, &admin, campaign, PHONE).await;
    answers_without(&app, &admin, campaign, NAME).await;
    answers_without(&app, &admin, campaign, &PHONE[7..]).await;
    let (held,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM users WHERE phone = $1 OR display_name = $2")
            .bind(PHONE)
            .bind(NAME)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(held, 0);

    // The number registers again, as a new person from zero.
    app.state.clock.advance(61_000);
    let (again, new_id) = app.register(PHONE, NAME).await;
    assert_ne!(new_id, my_id);
    let r = app.get("/api/v1/me", Some(&again)).await;
    assert_eq!(r.body["points_balance"], 0);
    let r = app.get("/api/v1/me/export", Some(&again)).await;
    assert_eq!(r.body["reports"], json!([]));
    assert_eq!(r.body["ledger"], json!([]));
}
both!(erasing_keeps_the_record_and_frees_the_number);

async fn erasing_by_code_and_the_last_admin(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    // Codes for `delete` go only to registered numbers.
    let r = app.request_code("13811119999", "delete").await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    assert!(app.last_code("13811119999", "delete").is_none());
    let code = app.code_for("13900009999", "delete").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = erase(&app, &admin, json!({"sms_code": wrong})).await;
    assert_eq!(r.code(), "invalid_code", "{}", r.text);
    // The only working admin cannot leave the city without one.
    let r = erase(&app, &admin, json!({"sms_code": code})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.code(), "last_admin");
    assert_eq!(
        app.get("/api/v1/me", Some(&admin)).await.status,
        StatusCode::OK
    );
    // With a second admin it goes (a fresh code: the first was used up).
    app.user_with_roles("13900008888", &["admin"], None).await;
    app.state.clock.advance(61_000);
    let code = app.code_for("13900009999", "delete").await;
    let r = erase(&app, &admin, json!({"sms_code": code})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        app.get("/api/v1/me", Some(&admin)).await.status,
        StatusCode::UNAUTHORIZED
    );
}
both!(erasing_by_code_and_the_last_admin);

async fn public_names_are_the_persons_choice(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (moderator, _) = app.moderator().await;
    let city = app.city().await;
    let (me, my_id) = app.register(PHONE, "张三丰").await;
    give(&app, &moderator, my_id, 20).await;
    let board = "/api/v1/leaderboard?board=points&period=all";
    let r = app.get(board, None).await;
    assert_eq!(r.body[0]["display_name"], "市民张*", "{}", r.text);
    let r = app
        .get(
            &format!("{}&period=month", &board[..board.len() - 11]),
            None,
        )
        .await;
    assert_eq!(r.body[0]["display_name"], "市民张*", "{}", r.text);

    // A report is hidden by default; staff still see who reported.
    let hidden = app
        .report_id(&me, city.litter, IN_GRID, "人行道上有大量烟头")
        .await;
    assert_eq!(app.approve(&moderator, hidden).await.status, StatusCode::OK);
    let path = format!("/api/v1/reports/{hidden}");
    assert_eq!(
        app.get(&path, None).await.body["reporter_name"],
        Value::Null
    );
    assert_eq!(
        app.get(&path, Some(&moderator)).await.body["reporter_name"],
        "张三丰"
    );
    // Shown when the reporter ticks show_name; hide_name still wins.
    for (fields, shown) in [
        (vec![("show_name", "true")], true),
        (vec![("show_name", "true"), ("hide_name", "true")], false),
    ] {
        let mut form = reqwest::multipart::Form::new()
            .text("category_id", city.litter.to_string())
            .text("description", "公交站台的广告牌破损")
            .text("lat", IN_GRID.0.to_string())
            .text("lon", IN_GRID.1.to_string())
            .part(
                "photo",
                crate::helpers::photo_part(crate::helpers::jpeg(64, 48)),
            );
        for (k, v) in fields {
            form = form.text(k, v);
        }
        let r = app.post_form("/api/v1/reports", &me, form).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.body["id"].as_i64().unwrap();
        assert_eq!(app.approve(&moderator, id).await.status, StatusCode::OK);
        let name = &app.get(&format!("/api/v1/reports/{id}"), None).await.body["reporter_name"];
        assert_eq!(name == "张三丰", shown, "{name}");
    }
    // A bad show_name is refused by name.
    let form = reqwest::multipart::Form::new().text("show_name", "perhaps");
    let r = app.post_form("/api/v1/reports", &me, form).await;
    assert!(
        r.field_errors().contains(&"show_name".to_owned()),
        "{}",
        r.text
    );

    // Opting in shows the nickname on the boards; a bad nickname changes nothing.
    let patch = |body: Value| {
        app.send(
            app.request(Method::PATCH, "/api/v1/me", Some(&me))
                .json(&body),
        )
    };
    let r = patch(json!({"display_name": "<b>\u{0}</b>", "show_name": true})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(
        app.get(board, None).await.body[0]["display_name"],
        "市民张*"
    );
    let r = patch(json!({"show_name": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["show_name"], true);
    assert_eq!(app.get(board, None).await.body[0]["display_name"], "张三丰");
    let r = patch(json!({"display_name": "张真人"})).await;
    assert_eq!(r.body["display_name"], "张真人");
    assert_eq!(r.body["show_name"], true);
}
both!(public_names_are_the_persons_choice);

async fn staff_powers_are_never_used_on_oneself(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, moderator_id) = app.moderator().await;
    let city = app.city().await;
    // Points.
    let r = app
        .post(
            "/api/v1/admin/points/adjust",
            json!({"user_id": moderator_id, "delta": 50, "reason": "自己加分"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.code(), "own_account");
    assert_eq!(app.balance(moderator_id).await, 0);
    // Own report (filed as a citizen, before becoming a moderator; staff
    // reports skip review): neither approved nor rejected by oneself.
    let (citizen, citizen_id) = app.register("13855556666", "新审核员").await;
    let own = app
        .report_id(&citizen, city.litter, IN_GRID, "小区门口垃圾堆放")
        .await;
    let r = app
        .post(
            &format!("/api/v1/admin/users/{citizen_id}/roles"),
            json!({"roles": ["citizen", "moderator"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let promoted = app.login("13855556666", PASSWORD).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.approve(&promoted, own).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.code(), "own_account");
    let r = app
        .post(
            &format!("/api/v1/reports/{own}/review"),
            json!({"decision": "reject", "reason": "重复"}),
            Some(&promoted),
        )
        .await;
    assert_eq!(r.code(), "own_account");
    let r = app.approve(&moderator, own).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "assigned");
    let other_moderator = promoted;
    // Own nomination.
    let campaign = open_campaign(&app, &admin, json!({})).await;
    let r = app
        .post(
            &format!("/api/v1/campaigns/{campaign}/nominations"),
            json!({"nominee_name": "赵师傅", "category": "敬业奉献", "story": "他在路口执勤二十年，无论寒暑都准时到岗，帮助过无数老人和孩子安全过马路，大家都认识他。"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let nomination = r.body["id"].as_i64().unwrap();
    let review = format!("/api/v1/nominations/{nomination}/review");
    let r = app
        .post(&review, json!({"decision": "approve"}), Some(&moderator))
        .await;
    assert_eq!(r.code(), "own_account", "{}", r.text);
    let r = app
        .post(
            &review,
            json!({"decision": "approve"}),
            Some(&other_moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Own pickup: unit staff cannot hand themselves a gift; a colleague can.
    let (staff, staff_id) = app.unit_staff("13900000003", city.grid_unit).await;
    give(&app, &moderator, staff_id, 50).await;
    let gift = new_gift(&app, &admin, "文明伞", 20, 5).await;
    let r = app
        .call(
            Method::POST,
            &format!("/api/v1/gifts/{gift}/redeem"),
            Some(&staff),
        )
        .await;
    let code = r.body["code"].as_str().unwrap().to_owned();
    let r = fulfil(&app, &code, &staff).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.code(), "own_account");
    let (colleague, _) = app.unit_staff("13900000004", city.grid_unit).await;
    let r = fulfil(&app, &code, &colleague).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "fulfilled");
}
both!(staff_powers_are_never_used_on_oneself);

async fn changing_the_password_signs_out_the_other_devices(e: Engine) {
    let app = TestApp::spawn(e).await;
    let (first, _) = app.register(PHONE, NAME).await;
    let second = app.login(PHONE, PASSWORD).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let change = async |token: &str, old: &str, new: &str| {
        app.post(
            "/api/v1/me/password",
            json!({"old_password": old, "new_password": new}),
            Some(token),
        )
        .await
    };
    let r = change(&first, "not-it-at-all", "another-passphrase").await;
    assert_eq!(r.field_errors(), ["old_password"], "{}", r.text);
    let r = change(&first, PASSWORD, "12345678").await;
    assert_eq!(r.field_errors(), ["new_password"], "{}", r.text);
    assert_eq!(app.login(PHONE, PASSWORD).await.status, StatusCode::OK);
    let r = change(&first, PASSWORD, "another-passphrase").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let fresh = r.body["token"].as_str().unwrap().to_owned();
    for old in [&first, &second] {
        assert_eq!(
            app.get("/api/v1/me", Some(old)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.get("/api/v1/me", Some(&fresh)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.login(PHONE, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(PHONE, "another-passphrase").await.status,
        StatusCode::OK
    );
}
both!(changing_the_password_signs_out_the_other_devices);

async fn retention_purges_personal_data_on_time(e: Engine) {
    use app::backend::identity::retention::{Purged, sweep};
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (me, _) = app.register(PHONE, NAME).await;
    assert_eq!(
        app.login(PHONE, "a-wrong-password").await.status,
        StatusCode::UNAUTHORIZED
    );
    let campaign = open_campaign(&app, &admin, json!({})).await;
    let nominees = approved(&app, campaign, &["李大姐"]).await;
    assert_eq!(
        vote(&app, &me, nominees[0]).await.status,
        StatusCode::CREATED
    );
    let addresses = async || -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM votes WHERE ip IS NOT NULL")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        n
    };
    assert_eq!(addresses().await, 1);
    let (codes, attempts) = (
        app.count("sms_codes").await,
        app.count("login_attempts").await,
    );
    assert!(codes >= 2 && attempts == 1, "{codes} {attempts}");

    // Nothing is due yet: the sweep keeps everything.
    assert_eq!(sweep(&app.state).await.unwrap(), Purged::default());
    let windows = app.count("rate_windows").await;
    assert!(windows > 0, "the SMS and login limits counted this address");
    // 29 days on (voting ended 26 days ago): still kept, but the rate-limit
    // windows (a day) are gone.
    app.state.clock.advance(29 * 24 * 3_600_000);
    assert_eq!(
        sweep(&app.state).await.unwrap(),
        Purged {
            rate_windows: windows as u64,
            ..Purged::default()
        }
    );
    assert_eq!(app.count("rate_windows").await, 0);
    assert_eq!(app.count("sms_codes").await, codes);
    // Past 30 days: codes and failed logins go; the voting ended 3 days in,
    // so its addresses go 30 days after that.
    app.state.clock.advance(2 * 24 * 3_600_000);
    let p = sweep(&app.state).await.unwrap();
    assert!(p.codes >= 2 && p.login_rows >= 1, "{p:?}");
    assert_eq!(p.voter_addresses, 0);
    assert_eq!(app.count("sms_codes").await, 0);
    assert_eq!(app.count("login_attempts").await, 0);
    assert_eq!(addresses().await, 1);
    app.state.clock.advance(3 * 24 * 3_600_000);
    assert_eq!(sweep(&app.state).await.unwrap().voter_addresses, 1);
    assert_eq!(addresses().await, 0);
    // The votes themselves stay, and the audit log is never swept.
    assert_eq!(app.count("votes").await, 1);
    assert!(app.count("audit_log").await > 0);
}
both!(retention_purges_personal_data_on_time);
