//! The API's "好人 campaigns": campaigns, nominations, review, votes and their
//! limits (in the database, under concurrency, by the city's day), results
//! and the 红榜.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Engine, TestApp, count_of};

const H: i64 = 3_600_000;
pub(crate) const STORY: &str = "她在社区义务照看独居老人十年，每天上门送饭、打扫卫生、陪老人聊天，风雨无阻，邻居们都叫她“好闺女”。";

/// A time `ms` from now in RFC 3339 (UTC; the server answers in city time).
fn at(app: &TestApp, offset_ms: i64) -> String {
    let ms = app.state.clock.now_ms() + offset_ms;
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339()
}

/// A campaign open for nominations and for votes now, for three days
/// (sessions last a week, so tests can step past the end and go on).
pub(crate) async fn open_campaign(app: &TestApp, admin: &str, extra: Value) -> i64 {
    let mut body = json!({
        "title": "2026年度雄关好人评选",
        "nomination_starts_at": at(app, -H),
        "nomination_ends_at": at(app, 3 * 24 * H),
        "voting_starts_at": at(app, -H),
        "voting_ends_at": at(app, 3 * 24 * H),
        "min_account_age_hours": 0,
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = app.post("/api/v1/admin/campaigns", body, Some(admin)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

async fn nominate(
    app: &TestApp,
    token: &str,
    campaign: i64,
    name: &str,
    category: &str,
) -> crate::helpers::Resp {
    app.post(
        &format!("/api/v1/campaigns/{campaign}/nominations"),
        json!({"nominee_name": name, "category": category, "story": STORY}),
        Some(token),
    )
    .await
}

async fn approve(app: &TestApp, moderator: &str, id: i64) {
    let r = app
        .post(
            &format!("/api/v1/nominations/{id}/review"),
            json!({"decision": "approve"}),
            Some(moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// Approved nominations for a campaign, by one nominator.
pub(crate) async fn approved(app: &TestApp, campaign: i64, names: &[&str]) -> Vec<i64> {
    let (moderator, _) = app.moderator().await;
    let (nominator, _) = app.register("13700000000", "推荐人").await;
    let mut ids = vec![];
    for (i, name) in names.iter().enumerate() {
        let r = nominate(
            app,
            &nominator,
            campaign,
            name,
            app::domain::campaign::CATEGORIES[i % 5],
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.body["id"].as_i64().unwrap();
        approve(app, &moderator, id).await;
        ids.push(id);
    }
    ids
}

pub(crate) async fn vote(app: &TestApp, token: &str, nomination: i64) -> crate::helpers::Resp {
    app.call(
        Method::POST,
        &format!("/api/v1/nominations/{nomination}/vote"),
        Some(token),
    )
    .await
}

async fn campaigns_by_admins(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    // Every window is in the future by the service clock: the campaign is
    // upcoming whatever the calendar says.
    let (nominate_from, nominate_to) = (app.city_midnight(1), app.city_midnight(15));
    let (vote_from, vote_to) = (app.city_midnight(16), app.city_midnight(31));
    let too_early = app.city_midnight(10);
    let body = json!({
        "title": "2026年度雄关好人评选",
        "nomination_starts_at": nominate_from,
        "nomination_ends_at": nominate_to,
        "voting_starts_at": vote_from,
        "voting_ends_at": vote_to,
    });
    assert_eq!(
        app.post("/api/v1/admin/campaigns", body.clone(), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post("/api/v1/admin/campaigns", body.clone(), Some(&citizen))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post("/api/v1/admin/campaigns", body.clone(), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["votes_per_day"], 3, "the default");
    assert_eq!(r.body["min_account_age_hours"], 24, "the default");
    assert_eq!(r.body["voting_starts_at"], vote_from);
    let id = r.body["id"].as_i64().unwrap();

    // Bad windows and limits: every field named, nothing created.
    let mut bad = body.clone();
    bad["voting_ends_at"] = json!(too_early);
    bad["votes_per_day"] = json!(0);
    bad["nomination_starts_at"] = json!("next monday");
    let r = app.post("/api/v1/admin/campaigns", bad, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.code(), "invalid_input");
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(fields, ["nomination_starts_at", "votes_per_day"]);
    let mut bad = body.clone();
    bad["voting_ends_at"] = json!(too_early);
    let r = app.post("/api/v1/admin/campaigns", bad, Some(&admin)).await;
    assert_eq!(r.field_errors(), ["voting_ends_at"]);
    let r = app
        .post(
            "/api/v1/admin/campaigns",
            json!({"title": "x"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("campaigns").await, 1);

    let list = app.get("/api/v1/campaigns", None).await;
    assert_eq!(list.body[0]["id"], id);
    assert_eq!(list.body[0]["phase"], "upcoming");
    let one = app.get(&format!("/api/v1/campaigns/{id}"), None).await;
    assert_eq!(one.body["title"], "2026年度雄关好人评选");
    assert_eq!(one.body["next_deadline"], "推荐开始");
    assert_eq!(
        app.get("/api/v1/campaigns/4242", None).await.status,
        StatusCode::NOT_FOUND
    );

    // Edit: fields left out stay.
    let path = format!("/api/v1/admin/campaigns/{id}");
    let r = app
        .send(
            app.request(Method::PATCH, &path, Some(&admin))
                .json(&json!({"votes_per_day": 5, "title": "2026年度雄关好人"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["votes_per_day"], 5);
    assert_eq!(r.body["voting_ends_at"], vote_to);
    let r = app
        .send(
            app.request(Method::PATCH, &path, Some(&admin))
                .json(&json!({"voting_starts_at": app.city_midnight(-30)})),
        )
        .await;
    assert_eq!(r.field_errors(), ["voting_starts_at"]);
    let r = app
        .send(
            app.request(Method::PATCH, &path, Some(&citizen))
                .json(&json!({"votes_per_day": 9})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .send(
            app.request(Method::PATCH, "/api/v1/admin/campaigns/4242", Some(&admin))
                .json(&json!({"votes_per_day": 9})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (edits,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('campaign.create', 'campaign.update')",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(edits, 2);
}
both!(campaigns_by_admins);

async fn nominate_and_review(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (a, a_id) = app.register("13800138000", "张三").await;
    let (b, _) = app.register("13800138001", "李四").await;
    let c = open_campaign(&app, &admin, json!({})).await;
    let path = format!("/api/v1/campaigns/{c}/nominations");

    assert_eq!(
        app.post(&path, json!({}), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post(
            &path,
            json!({"nominee_name": "王", "category": "乐于助人", "story": "好人"}),
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(fields, ["category", "nominee_name", "story"]);
    assert_eq!(
        app.post(
            "/api/v1/campaigns/4242/nominations",
            json!({"nominee_name": "王秀兰", "category": "孝老爱亲", "story": STORY}),
            Some(&a)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // A browser form (no script): back to the form naming what to fix, or
    // to the login page.
    let browser = |token: Option<&str>, name: &str| {
        let form = reqwest::multipart::Form::new()
            .text("nominee_name", name.to_owned())
            .text("category", "孝老爱亲")
            .text("story", "太短");
        app.send(
            app.request(Method::POST, &path, token)
                .header(reqwest::header::ACCEPT, "text/html")
                .multipart(form),
        )
    };
    let r = browser(Some(&a), "王").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers[reqwest::header::LOCATION],
        format!("/campaigns/{c}/nominate?error=invalid_input&fields=nominee_name,story").as_str()
    );
    let r = browser(None, "王秀兰").await;
    assert_eq!(
        r.headers[reqwest::header::LOCATION],
        format!("/login?next=/campaigns/{c}/nominate").as_str()
    );
    assert_eq!(app.count("nominations").await, 0);

    let r = nominate(&app, &a, c, "王秀兰", "孝老爱亲").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "pending_review");
    let id = r.body["id"].as_i64().unwrap();
    let again = nominate(&app, &a, c, "王秀兰", "助人为乐").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "duplicate_nomination");

    // Not public until approved; its nominator sees it.
    assert_eq!(app.get(&path, None).await.body, json!([]));
    let one = format!("/api/v1/nominations/{id}");
    assert_eq!(app.get(&one, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&one, Some(&b)).await.status, StatusCode::NOT_FOUND);
    let mine = app.get(&one, Some(&a)).await;
    assert_eq!(mine.body["status_label"], "待审核");
    assert!(mine.body["nominator_name"].is_null());
    let mine = app
        .get(&format!("/api/v1/campaigns/{c}/my-nominations"), Some(&a))
        .await;
    assert_eq!(mine.body[0]["id"], id);

    // A second one, with a photo, which is private until approved.
    let form = reqwest::multipart::Form::new()
        .text("nominee_name", "赵铁柱")
        .text("category", "见义勇为")
        .text("story", STORY)
        .part(
            "photo",
            crate::helpers::photo_part(crate::helpers::jpeg(900, 600)),
        );
    let r = app.post_form(&path, &b, form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let with_photo = r.body["id"].as_i64().unwrap();
    let photo = r.body["photo_url"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&photo, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&photo, Some(&b)).await.status, StatusCode::OK);
    let html = reqwest::multipart::Form::new()
        .text("nominee_name", "钱多多")
        .text("category", "见义勇为")
        .text("story", STORY)
        .part(
            "photo",
            reqwest::multipart::Part::bytes(b"<html></html>".to_vec())
                .file_name("a.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        );
    assert_eq!(
        app.post_form(&path, &b, html).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    // The queue: moderators only, oldest first, with who nominated.
    assert_eq!(
        app.get("/api/v1/moderation/nominations", Some(&a))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let q = app
        .get("/api/v1/moderation/nominations", Some(&moderator))
        .await;
    assert_eq!(q.body.as_array().unwrap().len(), 2);
    assert_eq!(q.body[0]["id"], id);
    assert_eq!(q.body[0]["nominator_name"], "张三");

    let review = format!("/api/v1/nominations/{id}/review");
    assert_eq!(
        app.post(&review, json!({"decision": "approve"}), Some(&a))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(&review, json!({"decision": "maybe"}), Some(&moderator))
        .await;
    assert_eq!(r.field_errors(), ["decision"]);
    assert_eq!(
        app.post(
            "/api/v1/nominations/4242/review",
            json!({"decision": "approve"}),
            Some(&moderator)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let before = app.balance(a_id).await;
    let r = app
        .post(&review, json!({"decision": "approve"}), Some(&moderator))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "approved");
    assert_eq!(
        app.balance(a_id).await,
        before + 20,
        "the nominator earns 20"
    );
    let twice = app
        .post(
            &review,
            json!({"decision": "reject", "reason": "重复"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.code(), "invalid_transition");
    assert_eq!(app.balance(a_id).await, before + 20, "paid once");
    let messages = app.get("/api/v1/me/notifications", Some(&a)).await;
    assert!(
        messages.text.contains("好人推荐已通过"),
        "{}",
        messages.text
    );
    let public = app.get(&path, None).await;
    assert_eq!(public.body[0]["nominee_name"], "王秀兰");
    assert_eq!(public.body[0]["vote_count"], 0);
    assert_eq!(app.get(&one, None).await.status, StatusCode::OK);
    let filtered = app.get(&format!("{path}?category=见义勇为"), None).await;
    assert_eq!(filtered.body, json!([]));
    let r = app.get(&format!("{path}?category=好"), None).await;
    assert_eq!(r.field_errors(), ["category"]);

    // Rejecting needs a reason, which the nominator is told.
    let review = format!("/api/v1/nominations/{with_photo}/review");
    let r = app
        .post(&review, json!({"decision": "reject"}), Some(&moderator))
        .await;
    assert_eq!(r.field_errors(), ["reason"]);
    let r = app
        .post(
            &review,
            json!({"decision": "reject", "reason": "事迹无法核实"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["reject_reason"], "事迹无法核实");
    let messages = app.get("/api/v1/me/notifications", Some(&b)).await;
    assert!(messages.text.contains("事迹无法核实"));
    assert_eq!(app.get(&photo, None).await.status, StatusCode::NOT_FOUND);
    let seen = app
        .get(&format!("/api/v1/nominations/{with_photo}"), Some(&b))
        .await;
    assert_eq!(seen.body["reject_reason"], "事迹无法核实");
    // Rejected, it may be sent again, better told.
    let again = nominate(&app, &b, c, "赵铁柱", "见义勇为").await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    let twice = nominate(&app, &b, c, "赵铁柱", "见义勇为").await;
    assert_eq!(twice.code(), "duplicate_nomination");

    // After the window: closed.
    app.state.clock.advance(4 * 24 * H);
    let late = nominate(&app, &b, c, "孙大圣", "敬业奉献").await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.code(), "nomination_closed");
    let (audits,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE target_type = 'nomination'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(audits, 2);
    // Voting over: nothing more is put up for the public.
    let r = app
        .post(
            &format!("/api/v1/nominations/{}/review", again.body["id"]),
            json!({"decision": "approve"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "voting_closed");
}
both!(nominate_and_review);

/// An approved nomination's photo is public.
async fn nomination_photos(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (a, _) = app.register("13800138000", "张三").await;
    let c = open_campaign(&app, &admin, json!({})).await;
    let form = reqwest::multipart::Form::new()
        .text("nominee_name", "赵铁柱")
        .text("category", "见义勇为")
        .text("story", STORY)
        .part(
            "photo",
            crate::helpers::photo_part(crate::helpers::jpeg(900, 600)),
        );
    let r = app
        .post_form(&format!("/api/v1/campaigns/{c}/nominations"), &a, form)
        .await;
    let id = r.body["id"].as_i64().unwrap();
    approve(&app, &moderator, id).await;
    let n = app.get(&format!("/api/v1/nominations/{id}"), None).await;
    for key in ["photo_url", "thumb_url"] {
        let img = app.get(n.body[key].as_str().unwrap(), None).await;
        assert_eq!(img.status, StatusCode::OK, "{key}");
        assert_eq!(img.headers[reqwest::header::CONTENT_TYPE], "image/jpeg");
    }
}
both!(nomination_photos);

async fn votes_and_their_limits(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let c = open_campaign(&app, &admin, json!({"min_account_age_hours": 24})).await;
    let ids = approved(&app, c, &["王秀兰", "赵铁柱", "孙大圣", "钱多多"]).await;
    let (voter, voter_id) = app.register("13800138000", "张三").await;

    assert_eq!(
        vote(&app, "", ids[0]).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A new account waits a day.
    let r = vote(&app, &voter, ids[0]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "account_too_new");
    assert!(
        r.body["detail"].as_str().unwrap().contains("24小时"),
        "{}",
        r.text
    );
    let mine = app
        .get(&format!("/api/v1/campaigns/{c}/my-votes"), Some(&voter))
        .await;
    assert!(mine.body["refused"].as_str().unwrap().contains("24小时"));
    app.state.clock.advance(24 * H);

    let before = app.balance(voter_id).await;
    let r = vote(&app, &voter, ids[0]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["vote_count"], 1);
    assert_eq!(r.body["votes_left_today"], 2);
    assert_eq!(r.body["points"], 1, "the day's first vote earns a point");
    assert_eq!(app.balance(voter_id).await, before + 1);
    let summary = app.get("/api/v1/me/points", Some(&voter)).await;
    assert_eq!(summary.body["badges"], json!(["first_vote"]));

    let r = vote(&app, &voter, ids[0]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "already_voted_today");
    let r = vote(&app, &voter, ids[1]).await;
    assert_eq!(r.body["points"], 0, "only the first vote of the day pays");
    assert_eq!(vote(&app, &voter, ids[2]).await.body["votes_left_today"], 0);
    let r = vote(&app, &voter, ids[3]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "daily_vote_limit");
    assert!(r.body["detail"].as_str().unwrap().contains("3票"));
    assert_eq!(app.balance(voter_id).await, before + 1);
    let mine = app
        .get(&format!("/api/v1/campaigns/{c}/my-votes"), Some(&voter))
        .await;
    assert_eq!(mine.body["votes_left_today"], 0);
    assert_eq!(mine.body["voted_today"], json!([ids[0], ids[1], ids[2]]));
    assert!(mine.body["refused"].is_null());

    // Unknown, pending and rejected nominations are not votable.
    assert_eq!(vote(&app, &voter, 4242).await.status, StatusCode::NOT_FOUND);
    let (other, _) = app.register("13800138009", "周五").await;
    let pending = nominate(&app, &other, c, "吴六", "诚实守信").await;
    assert_eq!(
        vote(&app, &voter, pending.body["id"].as_i64().unwrap())
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Results: ranked, equal votes share a rank; live until the end.
    let r = app
        .get(&format!("/api/v1/campaigns/{c}/results"), None)
        .await;
    let phase = app.get(&format!("/api/v1/campaigns/{c}"), None).await;
    assert_eq!(phase.body["phase"], "voting", "live while voting");
    let ranks: Vec<i64> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rank"].as_i64().unwrap())
        .collect();
    assert_eq!(ranks, [1, 1, 1, 4]);

    // After the window: closed, and the ranking is final.
    app.state.clock.advance(4 * 24 * H);
    let r = vote(&app, &voter, ids[3]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "voting_closed");
    let r = app
        .get(&format!("/api/v1/campaigns/{c}/results"), None)
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 4);
    let phase = app.get(&format!("/api/v1/campaigns/{c}"), None).await;
    assert_eq!(phase.body["phase"], "ended", "final");
    assert_eq!(
        app.get("/api/v1/campaigns/4242/results", None).await.status,
        StatusCode::NOT_FOUND
    );
}
both!(votes_and_their_limits);

/// Voting that has not started yet.
async fn voting_not_yet_open(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let c = open_campaign(
        &app,
        &admin,
        json!({"voting_starts_at": at(&app, 2 * H), "voting_ends_at": at(&app, 9 * 24 * H)}),
    )
    .await;
    let ids = approved(&app, c, &["王秀兰"]).await;
    let (voter, _) = app.register("13800138000", "张三").await;
    let r = vote(&app, &voter, ids[0]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "voting_closed");
    assert!(r.body["detail"].as_str().unwrap().contains("还没有开始"));
    app.state.clock.advance(2 * H);
    assert_eq!(vote(&app, &voter, ids[0]).await.status, StatusCode::CREATED);
}
both!(voting_not_yet_open);

/// "A day" is the city's: at 23:30 and at 00:30 in 嘉峪关 (UTC+8) the UTC
/// date is the same, yet the votes of the new day count afresh; the clock is
/// moved, not waited for.
async fn the_day_ends_at_midnight_in_the_city(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    // One instant for both ends (two readings of the clock may differ by a
    // millisecond, and voting may not end before nominating).
    let end = at(&app, 9 * 24 * H);
    let c = open_campaign(
        &app,
        &admin,
        json!({"votes_per_day": 1, "voting_ends_at": end, "nomination_ends_at": end}),
    )
    .await;
    let ids = approved(&app, c, &["王秀兰", "赵铁柱"]).await;
    let (voter, voter_id) = app.register("13800138000", "张三").await;

    // To 23:30 city time (15:30 UTC), at least an hour from now.
    let now = app.state.clock.now_ms();
    let day = 24 * H;
    let city_now = now + 8 * H;
    let mut target = city_now - city_now.rem_euclid(day) + 23 * H + H / 2;
    if target - city_now < H {
        target += day;
    }
    app.state.clock.advance(target - city_now);
    let before = app.balance(voter_id).await;
    assert_eq!(vote(&app, &voter, ids[0]).await.status, StatusCode::CREATED);
    let r = vote(&app, &voter, ids[1]).await;
    assert_eq!(r.code(), "daily_vote_limit");
    let r = vote(&app, &voter, ids[0]).await;
    assert_eq!(r.code(), "already_voted_today");

    // 00:30 the next day in the city; still the same UTC date.
    app.state.clock.advance(H);
    let utc = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .date_naive()
    };
    assert_eq!(
        utc(app.state.clock.now_ms()),
        utc(app.state.clock.now_ms() - H)
    );
    let r = vote(&app, &voter, ids[0]).await;
    assert_eq!(r.status, StatusCode::CREATED, "a new day: {}", r.text);
    assert_eq!(r.body["vote_count"], 2);
    assert_eq!(r.body["points"], 1, "the new day's first vote pays again");
    assert_eq!(vote(&app, &voter, ids[1]).await.code(), "daily_vote_limit");
    assert_eq!(app.balance(voter_id).await, before + 2);
}
both!(the_day_ends_at_midnight_in_the_city);

/// 30 votes at once by one person for one nomination: exactly one counts.
async fn thirty_votes_at_once_for_one(e: Engine) {
    let app = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    let admin = app.admin().await;
    let c = open_campaign(&app, &admin, json!({})).await;
    let ids = approved(&app, c, &["王秀兰"]).await;
    let (voter, _) = app.register("13800138000", "张三").await;
    let path = format!("/api/v1/nominations/{}/vote", ids[0]);
    let statuses = app
        .post_all_at_once(&path, Some(&voter), vec![json!({}); 30])
        .await;
    assert_eq!(count_of(&statuses, StatusCode::CREATED), 1, "{statuses:?}");
    assert_eq!(
        count_of(&statuses, StatusCode::CONFLICT),
        29,
        "{statuses:?}"
    );
    assert_eq!(app.count("votes").await, 1);
    let n = app
        .get(&format!("/api/v1/nominations/{}", ids[0]), None)
        .await;
    assert_eq!(n.body["vote_count"], 1);
    let (paid,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM points_ledger WHERE reason = 'daily_vote'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(paid, 1);
}
both!(thirty_votes_at_once_for_one);

/// 20 votes at once by one person over 4 nominations with a limit of 3:
/// exactly 3 count, each nomination at most once.
async fn twenty_votes_at_once_over_four(e: Engine) {
    let app = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    let admin = app.admin().await;
    let c = open_campaign(&app, &admin, json!({"votes_per_day": 3})).await;
    let ids = approved(&app, c, &["王秀兰", "赵铁柱", "孙大圣", "钱多多"]).await;
    let (voter, _) = app.register("13800138000", "张三").await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let req = app.request(
                Method::POST,
                &format!("/api/v1/nominations/{}/vote", ids[i % 4]),
                Some(&voter),
            );
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
            assert!(
                ["already_voted_today", "daily_vote_limit"]
                    .contains(&body["code"].as_str().unwrap()),
                "{body}"
            );
        }
        statuses.push(status);
    }
    assert_eq!(count_of(&statuses, StatusCode::CREATED), 3, "{statuses:?}");
    assert_eq!(app.count("votes").await, 3);
    let (total, most): (i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(vote_count) AS BIGINT), CAST(MAX(vote_count) AS BIGINT) FROM nominations",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!((total, most), (3, 1));
}
both!(twenty_votes_at_once_over_four);

/// 60 votes from this address a minute ago (on other "days", so the keys
/// allow them), as other servers would have written them.
async fn earlier_votes_from_here(app: &TestApp, campaign: i64, nomination: i64, voter: i64) {
    earlier_votes(app, campaign, nomination, voter, 60).await;
}

async fn earlier_votes(app: &TestApp, campaign: i64, nomination: i64, voter: i64, n: usize) {
    let now = app.state.clock.now_ms();
    for i in 0..n {
        sqlx::query(
            "INSERT INTO votes (campaign_id, nomination_id, voter_id, day, slot, ip, created_at) \
             VALUES ($1, $2, $3, $4, 1, '127.0.0.1', $5)",
        )
        .bind(campaign)
        .bind(nomination)
        .bind(voter)
        .bind(format!("earlier-{i}"))
        .bind(now - 60_000)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    }
}

/// One address may cast 60 votes in 10 minutes (counted in the database, so
/// across servers); the 61st is refused.
async fn votes_per_address(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let c = open_campaign(&app, &admin, json!({})).await;
    let ids = approved(&app, c, &["王秀兰"]).await;
    let (voter, voter_id) = app.register("13800138000", "张三").await;
    earlier_votes_from_here(&app, c, ids[0], voter_id).await;
    let r = vote(&app, &voter, ids[0]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.code(), "rate_limited");
    app.state.clock.advance(10 * 60_000);
    assert_eq!(vote(&app, &voter, ids[0]).await.status, StatusCode::CREATED);
}
both!(votes_per_address);

/// Twelve voters from one address at the same moment, 55 votes from it
/// already: exactly 5 more pass. The limit holds under PostgreSQL's
/// concurrency too (voters of one address are serialised in the database,
/// not by each voter's own lock).
async fn votes_per_address_at_once(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let c = open_campaign(&app, &admin, json!({})).await;
    let ids = approved(&app, c, &["王秀兰"]).await;
    let (_, earlier) = app.register("13800138000", "张三").await;
    earlier_votes(&app, c, ids[0], earlier, 55).await;
    let mut voters = vec![];
    for i in 0..12 {
        let phone = format!("1361234{i:04}");
        voters.push(app.user_with_roles(&phone, &["citizen"], None).await.0);
    }
    let tasks: Vec<_> = voters
        .iter()
        .map(|token| {
            let req = app.request(
                Method::POST,
                &format!("/api/v1/nominations/{}/vote", ids[0]),
                Some(token),
            );
            tokio::spawn(async move { req.send().await.unwrap().status() })
        })
        .collect();
    let mut statuses = vec![];
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(count_of(&statuses, StatusCode::CREATED), 5, "{statuses:?}");
    assert_eq!(
        count_of(&statuses, StatusCode::TOO_MANY_REQUESTS),
        7,
        "{statuses:?}"
    );
    assert_eq!(app.count("votes").await, 60);
}
both!(votes_per_address_at_once);

/// `ZHUOMU_RATE_LIMITS=off` (load tests) switches the per-address limit off.
async fn votes_per_address_off(e: Engine) {
    let app = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    let admin = app.admin().await;
    let c = open_campaign(&app, &admin, json!({})).await;
    let ids = approved(&app, c, &["王秀兰"]).await;
    let (voter, voter_id) = app.register("13800138000", "张三").await;
    earlier_votes_from_here(&app, c, ids[0], voter_id).await;
    assert_eq!(vote(&app, &voter, ids[0]).await.status, StatusCode::CREATED);
}
both!(votes_per_address_off);

async fn winners_on_the_honour_roll(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let c = open_campaign(&app, &admin, json!({})).await;
    let ids = approved(&app, c, &["王秀兰", "赵铁柱"]).await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    assert_eq!(
        vote(&app, &citizen, ids[1]).await.status,
        StatusCode::CREATED
    );
    let winner = |id: i64, token: String, on: bool| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/admin/nominations/{id}/winner"),
                json!({"winner": on}),
                Some(&token),
            )
            .await
        }
    };
    let r = winner(ids[1], admin.clone(), true).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "voting_not_ended");
    app.state.clock.advance(4 * 24 * H);
    assert_eq!(
        winner(ids[1], citizen.clone(), true).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        winner(4242, admin.clone(), true).await.status,
        StatusCode::NOT_FOUND
    );
    let r = winner(ids[1], admin.clone(), true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["winner"], true);
    let honors = app.get("/api/v1/honors", None).await;
    assert_eq!(honors.body[0]["campaign"]["id"], c);
    assert_eq!(honors.body[0]["winners"][0]["nominee_name"], "赵铁柱");
    assert_eq!(honors.body[0]["winners"].as_array().unwrap().len(), 1);
    let results = app
        .get(&format!("/api/v1/campaigns/{c}/results"), None)
        .await;
    assert_eq!(results.body[0]["winner"], true);
    assert_eq!(results.body[0]["rank"], 1);
    // Unmarked: off the roll.
    winner(ids[1], admin.clone(), false).await;
    assert_eq!(app.get("/api/v1/honors", None).await.body, json!([]));
}
both!(winners_on_the_honour_roll);
