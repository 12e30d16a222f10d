//! The API's "Volunteer duty posts": posts, shifts, bulk scheduling, sign-up
//! with capacity and an ordered waitlist, cancellation and promotion.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Engine, TestApp};

const HOUR_MS: i64 = 3600 * 1000;

/// RFC 3339 in Shanghai time, `hours` from the app's now.
fn at(app: &TestApp, hours: i64) -> String {
    app.state
        .clock
        .rfc3339(app.state.clock.now_ms() + hours * HOUR_MS)
}

/// Admin: a shift of `post` from `from` to `to` hours from now; its id.
async fn new_shift(
    app: &TestApp,
    admin: &str,
    post: i64,
    from: i64,
    to: i64,
    capacity: i64,
) -> i64 {
    let r = app
        .post(
            "/api/v1/admin/shifts",
            json!({"post_id": post, "starts_at": at(app, from), "ends_at": at(app, to), "capacity": capacity}),
            Some(admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_i64().unwrap()
}

/// Signs `token` up for `shift`.
pub(crate) async fn sign_up(app: &TestApp, shift: i64, token: &str) -> crate::helpers::Resp {
    app.call(
        Method::POST,
        &format!("/api/v1/shifts/{shift}/signup"),
        Some(token),
    )
    .await
}

/// A post and a shift starting in `start_in` hours, lasting 2 h; (post, shift).
pub(crate) async fn post_and_shift(
    app: &TestApp,
    admin: &str,
    capacity: i64,
    start_in: i64,
) -> (i64, i64) {
    let r = app
        .post(
            "/api/v1/admin/posts",
            json!({"name": format!("雄关广场路口{start_in}-{capacity}"), "lat": 39.772, "lon": 98.289}),
            Some(admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let post = r.body["id"].as_i64().unwrap();
    (
        post,
        new_shift(app, admin, post, start_in, start_in + 2, capacity).await,
    )
}

async fn admins_create_posts_shifts_and_schedules(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let body = json!({"name": "体育大道路口文明交通岗", "lat": 39.772, "lon": 98.295, "description": "早晚高峰劝导"});
    assert_eq!(
        app.post("/api/v1/admin/posts", body.clone(), Some(&citizen))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post("/api/v1/admin/posts", body.clone(), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["radius_m"], 150.0);
    let post = r.body["id"].as_i64().unwrap();
    let one = app.get(&format!("/api/v1/posts/{post}"), None).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["name"], "体育大道路口文明交通岗");
    assert_eq!(one.body["description"], "早晚高峰劝导");
    let missing = app.get("/api/v1/posts/4242", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "not_found");
    assert_eq!(
        app.post("/api/v1/admin/posts", body, Some(&admin))
            .await
            .code(),
        "name_taken"
    );
    for (bad, field) in [
        (json!({"name": "x", "lat": 99.0, "lon": 98.0}), "lat"),
        (
            json!({"name": "x", "lat": 39.7, "lon": 98.2, "radius_m": 5}),
            "radius_m",
        ),
        (json!({"name": " ", "lat": 39.7, "lon": 98.2}), "name"),
    ] {
        let r = app
            .post("/api/v1/admin/posts", bad.clone(), Some(&admin))
            .await;
        assert_eq!(r.field_errors(), [field], "{bad}");
    }
    let posts = app.get("/api/v1/posts", None).await;
    assert_eq!(posts.body.as_array().unwrap().len(), 1);

    for (bad, field) in [
        (
            json!({"post_id": post, "starts_at": "tomorrow", "ends_at": at(&app, 2), "capacity": 3}),
            "starts_at",
        ),
        (
            json!({"post_id": post, "starts_at": at(&app, 3), "ends_at": at(&app, 2), "capacity": 3}),
            "ends_at",
        ),
        (
            json!({"post_id": post, "starts_at": at(&app, 1), "ends_at": at(&app, 2), "capacity": 0}),
            "capacity",
        ),
        (
            json!({"post_id": 4242, "starts_at": at(&app, 1), "ends_at": at(&app, 2), "capacity": 3}),
            "post_id",
        ),
    ] {
        let r = app
            .post("/api/v1/admin/shifts", bad.clone(), Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(r.field_errors(), [field], "{bad}");
    }

    // A week of the four peak periods, then again: nothing new.
    let path = format!("/api/v1/admin/posts/{post}/schedule");
    // A week a month ahead by the service clock, whatever the calendar says.
    let (first, last) = (app.city_date(30), app.city_date(36));
    // The city's offset is +08:00 all year.
    let first_peak = (
        format!("{first}T07:00:00+08:00"),
        format!("{first}T09:00:00+08:00"),
    );
    let week = json!({"from_date": first, "to_date": last, "capacity": 4});
    let r = app.post(&path, week.clone(), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["created"], 28);
    assert_eq!(app.post(&path, week, Some(&admin)).await.body["created"], 0);
    let custom = json!({"from_date": first, "to_date": first, "periods": [{"start": "07:30", "end": "08:30"}], "capacity": 2});
    assert_eq!(
        app.post(&path, custom, Some(&admin)).await.body["created"],
        1
    );
    for (bad, field) in [
        (
            json!({"from_date": last, "to_date": first, "capacity": 2}),
            "to_date",
        ),
        (
            json!({"from_date": "2027-1-4", "to_date": first, "capacity": 2}),
            "from_date",
        ),
        (
            json!({"from_date": first, "to_date": first, "periods": [{"start": "09:00", "end": "08:00"}], "capacity": 2}),
            "periods",
        ),
        (
            json!({"from_date": first, "to_date": first, "periods": [{"start": "07:00", "end": "09:00"}, {"start": "08:00", "end": "10:00"}], "capacity": 2}),
            "periods",
        ),
    ] {
        let r = app.post(&path, bad.clone(), Some(&admin)).await;
        assert_eq!(r.field_errors(), [field], "{bad}");
    }
    assert_eq!(
        app.post(
            "/api/v1/admin/posts/4242/schedule",
            json!({"from_date": first, "to_date": first, "capacity": 2}),
            Some(&admin)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Shifts in the city's time: the first peak of the week at 07:00 +08:00.
    let list = app
        .get(&format!("/api/v1/shifts?post_id={post}&per_page=100"), None)
        .await;
    assert_eq!(list.body["total"], 29);
    assert_eq!(list.body["items"][0]["starts_at"], first_peak.0);
    assert_eq!(list.body["items"][0]["ends_at"], first_peak.1);
    let day = app
        .get(
            &format!(
                "/api/v1/shifts?post_id={post}&from={}&to={}",
                app.city_midnight(31).replace('+', "%2B"),
                app.city_midnight(32).replace('+', "%2B")
            ),
            None,
        )
        .await;
    assert_eq!(day.body["total"], 4, "{}", day.text);
    assert_eq!(
        app.get("/api/v1/shifts?from=yesterday", None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
both!(admins_create_posts_shifts_and_schedules);

async fn fifty_sign_ups_for_three_places(e: Engine) {
    // Fifty accounts from one address: the per-IP limit on registering is off.
    let app = TestApp::spawn_with(e, |c| c.rate_limits = false).await;
    let admin = app.admin().await;
    let (_, shift) = post_and_shift(&app, &admin, 3, 24).await;
    let mut tokens = vec![];
    for i in 0..50 {
        tokens.push(
            app.register(&format!("138000{i:05}"), &format!("志愿者{i}"))
                .await
                .0,
        );
    }
    let path = format!("/api/v1/shifts/{shift}/signup");
    let tasks: Vec<_> = tokens
        .iter()
        .map(|t| {
            let req = app.request(Method::POST, &path, Some(t));
            tokio::spawn(async move {
                let r = req.send().await.unwrap();
                (r.status(), r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut confirmed = 0;
    let mut positions = vec![];
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        match body["status"].as_str().unwrap() {
            "confirmed" => confirmed += 1,
            "waitlisted" => positions.push(body["position"].as_i64().unwrap()),
            other => panic!("{other}"),
        }
    }
    assert_eq!(confirmed, 3, "capacity is never exceeded");
    positions.sort();
    assert_eq!(
        positions,
        (1..=47).collect::<Vec<_>>(),
        "a consistent waitlist order"
    );
    let shift_row = app
        .get(&format!("/api/v1/shifts?post_id={}", 1), None)
        .await;
    assert_eq!(shift_row.body["items"][0]["taken"], 3);
    assert_eq!(shift_row.body["items"][0]["waitlisted"], 47);
}
both!(fifty_sign_ups_for_three_places);

async fn sign_up_rules_and_cancellation(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (a, _) = app.register("13800138000", "甲").await;
    let (b, _) = app.register("13800138001", "乙").await;
    let (c, _) = app.register("13800138002", "丙").await;
    let (post, shift) = post_and_shift(&app, &admin, 1, 24).await;
    let signup = format!("/api/v1/shifts/{shift}/signup");
    let r = app.call(Method::POST, &signup, Some(&a)).await;
    assert_eq!(r.body["status"], "confirmed");
    assert_eq!(r.body["position"], Value::Null);
    let again = app.call(Method::POST, &signup, Some(&a)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "already_signed_up");
    let r = app.call(Method::POST, &signup, Some(&b)).await;
    assert_eq!(
        (r.body["status"].clone(), r.body["position"].clone()),
        (json!("waitlisted"), json!(1))
    );
    let r = app.call(Method::POST, &signup, Some(&c)).await;
    assert_eq!(r.body["position"], 2);
    assert_eq!(
        app.call(Method::POST, &signup, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(Method::POST, "/api/v1/shifts/4242/signup", Some(&a))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // An overlapping shift at another post clashes; a later one does not.
    let overlapping = new_shift(&app, &admin, post, 25, 27, 5).await;
    let r = sign_up(&app, overlapping, &a).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "time_conflict");
    let later = new_shift(&app, &admin, post, 26, 28, 5).await;
    let r = sign_up(&app, later, &a).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "back to back is fine: {}",
        r.text
    );

    // Cancelling the confirmed seat promotes the first on the waitlist.
    let r = app.call(Method::DELETE, &signup, Some(&a)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let mine = app.get("/api/v1/me/shifts", Some(&b)).await;
    assert_eq!(mine.body["items"][0]["status"], "confirmed");
    let mine = app.get("/api/v1/me/shifts", Some(&c)).await;
    assert_eq!(mine.body["items"][0]["position"], 1);
    let list = app
        .get(&format!("/api/v1/shifts?post_id={post}"), Some(&b))
        .await;
    assert_eq!(list.body["items"][0]["my_status"], "confirmed");
    assert_eq!(list.body["items"][0]["taken"], 1);
    assert_eq!(list.body["items"][0]["waitlisted"], 1);
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE kind = 'shift_promoted'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        app.call(Method::DELETE, &signup, Some(&a)).await.status,
        StatusCode::NOT_FOUND
    );
    // After cancelling, signing up again is allowed.
    let r = app.call(Method::POST, &signup, Some(&a)).await;
    assert_eq!(r.body["status"], "waitlisted");

    // Within 2 h of the start: no cancelling; after the start: no signing up.
    app.state.clock.advance(23 * HOUR_MS);
    let r = app.call(Method::DELETE, &signup, Some(&b)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "cancellation_closed");
    // Leaving the waitlist is always allowed.
    assert_eq!(
        app.call(Method::DELETE, &signup, Some(&a)).await.status,
        StatusCode::NO_CONTENT
    );
    let (d, _) = app.register("13800138003", "丁").await;
    app.state.clock.advance(2 * HOUR_MS);
    let r = app.call(Method::POST, &signup, Some(&d)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "shift_started");
}
both!(sign_up_rules_and_cancellation);

/// A cancellation and a new sign-up at the same moment, many times over:
/// the seat goes to the waitlist's first, the newcomer waits, counts agree.
async fn simultaneous_cancel_and_sign_up(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    for round in 0..5 {
        let (_, shift) = post_and_shift(&app, &admin, 1, 24 + round * 3).await;
        let path = format!("/api/v1/shifts/{shift}/signup");
        let (a, _) = app.register(&format!("1380013{round}100"), "甲").await;
        let (b, _) = app.register(&format!("1380013{round}200"), "乙").await;
        let (c, _) = app.register(&format!("1380013{round}300"), "丙").await;
        app.call(Method::POST, &path, Some(&a)).await;
        app.call(Method::POST, &path, Some(&b)).await;
        let cancel = app.request(Method::DELETE, &path, Some(&a));
        let join = app.request(Method::POST, &path, Some(&c));
        let (x, y) = tokio::join!(
            tokio::spawn(async move { cancel.send().await.unwrap().status() }),
            tokio::spawn(async move { join.send().await.unwrap().status() })
        );
        assert_eq!(x.unwrap(), StatusCode::NO_CONTENT);
        assert_eq!(y.unwrap(), StatusCode::CREATED);
        assert_eq!(
            app.get("/api/v1/me/shifts", Some(&b)).await.body["items"][0]["status"],
            "confirmed"
        );
        let c_shifts = app.get("/api/v1/me/shifts", Some(&c)).await;
        assert_eq!(c_shifts.body["items"][0]["status"], "waitlisted");
        assert_eq!(c_shifts.body["items"][0]["position"], 1);
        let (taken, waitlisted, live): (i64, i64, i64) = sqlx::query_as(
            "SELECT taken, waitlisted, (SELECT COUNT(*) FROM signups WHERE shift_id = $1 AND status = 'confirmed') \
             FROM shifts WHERE id = $1",
        )
        .bind(shift)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!((taken, waitlisted, live), (1, 1, 1));
    }
}
both!(simultaneous_cancel_and_sign_up);

async fn check_in_inside_the_fence_check_out_and_corrections(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app
        .user_with_roles("13900000002", &["moderator"], None)
        .await;
    let (a, a_id) = app.register("13800138000", "甲").await;
    let (b, _) = app.register("13800138001", "乙").await;
    let (_, shift) = post_and_shift(&app, &admin, 1, 24).await;
    let signup = sign_up(&app, shift, &a).await;
    let signup_id = signup.body["signup_id"].as_i64().unwrap();
    sign_up(&app, shift, &b).await;
    let checkin = format!("/api/v1/shifts/{shift}/checkin");
    let checkout = format!("/api/v1/shifts/{shift}/checkout");
    let correction = format!("/api/v1/admin/signups/{signup_id}/attendance");
    let r = app
        .post(
            &correction,
            json!({"credited_minutes": 60}),
            Some(&moderator),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "no attendance before the shift: {}",
        r.text
    );
    let here = json!({"lat": 39.772, "lon": 98.289});
    let far = json!({"lat": 39.781, "lon": 98.289});

    let r = app.post(&checkin, here.clone(), Some(&a)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "outside_window");
    assert!(
        r.body["detail"].as_str().unwrap().contains("分钟"),
        "{}",
        r.text
    );
    // Ten minutes before the start: the window is open.
    app.state.clock.advance(24 * HOUR_MS - 10 * 60 * 1000);
    let r = app.post(&checkin, far, Some(&a)).await;
    assert_eq!(r.code(), "outside_geofence");
    assert!(
        r.body["detail"].as_str().unwrap().contains("1001米"),
        "the distance is said: {}",
        r.text
    );
    let r = app.post(&checkin, here.clone(), Some(&b)).await;
    assert_eq!(
        r.code(),
        "not_signed_up",
        "the waitlisted have no seat to check in to"
    );
    let r = app.post(&checkout, here.clone(), Some(&a)).await;
    assert_eq!(r.code(), "not_checked_in");
    let r = app
        .post(&checkin, json!({"lat": 91, "lon": 0}), Some(&a))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post(&checkin, here.clone(), Some(&a)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.state.clock.advance(20 * 60 * 1000);
    let live = app
        .post(
            &correction,
            json!({"credited_minutes": 60}),
            Some(&moderator),
        )
        .await;
    assert_eq!(
        live.code(),
        "invalid_transition",
        "not while they are on duty"
    );
    assert!(live.body["detail"].as_str().unwrap().contains("还在岗"));
    app.state.clock.advance(-20 * 60 * 1000);
    assert!(
        r.body["checked_in_at"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );

    // An hour into the shift: 60 credited minutes (before the start does not count), 10 points.
    app.state.clock.advance(70 * 60 * 1000);
    let r = app
        .post(&checkout, json!({"lat": 39.781, "lon": 98.289}), Some(&a))
        .await;
    assert_eq!(
        r.code(),
        "outside_geofence",
        "signing out happens at the post"
    );
    let r = app.post(&checkout, here.clone(), Some(&a)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["credited_minutes"], 60);
    assert_eq!(r.body["points"], 10);
    assert_eq!(app.balance(a_id).await, 10);
    let again = app.post(&checkout, here, Some(&a)).await;
    assert_eq!(again.code(), "not_checked_in", "paid once");
    let mine = app.get("/api/v1/me/shifts", Some(&a)).await;
    assert_eq!(mine.body["items"][0]["status"], "completed");
    assert_eq!(mine.body["items"][0]["credited_minutes"], 60);

    // A moderator corrects the time up, then down: new entries, never edits.
    let path = format!("/api/v1/admin/signups/{signup_id}/attendance");
    assert_eq!(
        app.post(&path, json!({"credited_minutes": 120}), Some(&a))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&path, json!({"credited_minutes": 121}), Some(&moderator))
            .await
            .field_errors(),
        ["credited_minutes"]
    );
    assert_eq!(
        app.post(
            "/api/v1/admin/signups/4242/attendance",
            json!({"credited_minutes": 1}),
            Some(&moderator)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(&path, json!({"credited_minutes": 120}), Some(&moderator))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["points"], 20);
    assert_eq!(app.balance(a_id).await, 20);
    let r = app
        .post(&path, json!({"credited_minutes": 30}), Some(&moderator))
        .await;
    assert_eq!(r.body["points"], 5);
    assert_eq!(app.balance(a_id).await, 5);
    let ledger = app.get("/api/v1/me/points/ledger", Some(&a)).await;
    let deltas: Vec<i64> = ledger.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["delta"].as_i64().unwrap())
        .collect();
    assert_eq!(deltas, [-15, 10, 10], "newest first");
    assert!(
        ledger.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["reason"] == "volunteer_hours")
    );

    // My totals: this month (the shift's month is now's, except in the hour
    // after a month turns), in all, and the points they earned.
    let month = mine.body["items"][0]["starts_at"].as_str().unwrap()[..7].to_owned();
    let this_month = at(&app, 0)[..7] == month;
    let hours = app.get("/api/v1/me/volunteer", Some(&a)).await;
    assert_eq!(hours.status, StatusCode::OK, "{}", hours.text);
    assert_eq!(
        hours.body,
        json!({"month_minutes": if this_month { 30 } else { 0 }, "total_minutes": 30, "points": 5,
            "shifts": 1, "suspended_until": null})
    );
    assert_eq!(
        app.get("/api/v1/me/volunteer", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let b_hours = app.get("/api/v1/me/volunteer", Some(&b)).await;
    assert_eq!(b_hours.body["total_minutes"], 0);

    // The attendance list: the seat, then the waitlist in order; staff only.
    let list = format!("/api/v1/admin/shifts/{shift}/attendance");
    let r = app.get(&list, Some(&moderator)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["shift"]["taken"], 1);
    let rows = r.body["signups"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["display_name"], "甲");
    assert_eq!(rows[0]["status"], "completed");
    assert_eq!(rows[0]["credited_minutes"], 30);
    assert_eq!(rows[0]["points"], 5);
    assert!(
        rows[0]["checked_in_at"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    assert_eq!(rows[0]["phone_masked"], "138****8000");
    assert_eq!(rows[1]["display_name"], "乙");
    assert_eq!(rows[1]["status"], "waitlisted");
    assert_eq!(rows[1]["position"], 1);
    assert_eq!(app.get(&list, Some(&a)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&list, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/api/v1/admin/shifts/4242/attendance", Some(&moderator))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The month's 志愿服务之星, by credited time, public names only (市民甲*).
    let stars = app
        .get(&format!("/api/v1/volunteer/stars?month={month}"), None)
        .await;
    assert_eq!(stars.status, StatusCode::OK, "{}", stars.text);
    assert_eq!(
        stars.body["stars"],
        json!([{"rank": 1, "display_name": "市民甲*", "minutes": 30}])
    );
    assert!(!stars.text.contains("138001"), "no phone numbers");
    let empty = app.get("/api/v1/volunteer/stars?month=2020-01", None).await;
    assert_eq!(empty.body["stars"], json!([]));
    for bad in ["2026-13", "2026-1", "soon"] {
        let r = app
            .get(&format!("/api/v1/volunteer/stars?month={bad}"), None)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}
both!(check_in_inside_the_fence_check_out_and_corrections);

/// Reminders 2 h before and no-shows after the end, claimed through the
/// database: five sweeps at once (as on five servers) do each thing once.
/// Two no-shows in 30 days suspend self sign-up until a moderator lifts it.
async fn reminders_no_shows_and_suspension(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app
        .user_with_roles("13900000002", &["moderator"], None)
        .await;
    let (a, a_id) = app.register("13800138000", "甲").await;
    let (_, first) = post_and_shift(&app, &admin, 3, 3).await;
    let (_, second) = post_and_shift(&app, &admin, 3, 6).await;
    let (_, third) = post_and_shift(&app, &admin, 3, 48).await;
    for s in [first, second] {
        let r = sign_up(&app, s, &a).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let count = |kind: &'static str| {
        let app = &app;
        async move {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = $2",
            )
            .bind(a_id)
            .bind(kind)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
            n
        }
    };
    let sweep_five_at_once = || {
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let state = app.state.clone();
                tokio::spawn(async move { app::backend::volunteer::sweep(&state).await.unwrap() })
            })
            .collect();
        futures::future::join_all(tasks)
    };
    // Nothing is due yet.
    sweep_five_at_once().await;
    assert_eq!(count("shift_reminder").await, 0);
    // 1.5 h before the first shift: one reminder, however many sweeps.
    app.state.clock.advance(90 * 60 * 1000);
    let done = sweep_five_at_once().await;
    let reminders: usize = done.iter().map(|r| r.as_ref().unwrap().reminders).sum();
    assert_eq!(reminders, 1);
    assert_eq!(count("shift_reminder").await, 1);
    // After both shifts end without a check-in: two no-shows, one suspension.
    app.state.clock.advance(8 * HOUR_MS);
    let done = sweep_five_at_once().await;
    let no_shows: usize = done.iter().map(|r| r.as_ref().unwrap().no_shows).sum();
    assert_eq!(no_shows, 2);
    assert_eq!(count("volunteer_suspended").await, 1);
    assert_eq!(
        count("shift_reminder").await,
        1,
        "no sweep ran in the second shift's last 2 h: a reminder after the start would not help"
    );
    let mine = app.get("/api/v1/me/shifts", Some(&a)).await;
    assert_eq!(mine.body["items"][0]["status"], "no_show");
    let signup = format!("/api/v1/shifts/{third}/signup");
    let r = app.call(Method::POST, &signup, Some(&a)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "suspended");
    assert!(r.body["detail"].as_str().unwrap().contains("暂停至"));
    let hours = app.get("/api/v1/me/volunteer", Some(&a)).await;
    assert!(
        hours.body["suspended_until"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    let list = app
        .get("/api/v1/admin/volunteer-suspensions", Some(&moderator))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(list.body[0]["user_id"], a_id);
    assert_eq!(list.body[0]["display_name"], "甲");
    assert_eq!(
        app.get("/api/v1/admin/volunteer-suspensions", Some(&a))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let lift = format!("/api/v1/admin/users/{a_id}/volunteer-suspension");
    assert_eq!(
        app.call(Method::DELETE, &lift, Some(&a)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call(Method::DELETE, &lift, Some(&moderator))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let r = app.call(Method::POST, &signup, Some(&a)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let list = app
        .get("/api/v1/admin/volunteer-suspensions", Some(&moderator))
        .await;
    assert_eq!(list.body, json!([]));
    let hours = app.get("/api/v1/me/volunteer", Some(&a)).await;
    assert_eq!(hours.body["suspended_until"], Value::Null);
}
both!(reminders_no_shows_and_suspension);

/// My shifts as a calendar feed behind a private link; a new link retires
/// the old one.
async fn shifts_as_a_private_calendar_feed(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (a, _) = app.register("13800138000", "甲").await;
    let (_, shift) = post_and_shift(&app, &admin, 2, 30).await;
    sign_up(&app, shift, &a).await;
    assert_eq!(
        app.call(Method::POST, "/api/v1/me/calendar", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let link = app
        .call(Method::POST, "/api/v1/me/calendar", Some(&a))
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.text);
    let url = link.body["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("/calendar.ics?key="),
        "the key is not in the logged path: {url}"
    );
    let feed = app.get(&url, None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    for part in [
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
        "SUMMARY:志愿岗位：雄关广场路口30-2（已报名）",
        "UID:signup-",
    ] {
        assert!(feed.text.contains(part), "{part} in {}", feed.text);
    }
    let newer = app
        .call(Method::POST, "/api/v1/me/calendar", Some(&a))
        .await;
    assert_ne!(newer.body["url"], link.body["url"]);
    assert_eq!(
        app.get(&url, None).await.status,
        StatusCode::NOT_FOUND,
        "the old link is retired"
    );
    assert_eq!(
        app.get("/calendar.ics?key=nope", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/calendar.ics", None).await.status,
        StatusCode::NOT_FOUND
    );
    // Cancelled shifts leave the calendar.
    app.call(
        Method::DELETE,
        &format!("/api/v1/shifts/{shift}/signup"),
        Some(&a),
    )
    .await;
    let feed = app.get(newer.body["url"].as_str().unwrap(), None).await;
    assert!(!feed.text.contains("BEGIN:VEVENT"));
}
both!(shifts_as_a_private_calendar_feed);

/// Checked in but never signed out: two hours after the end the sweep
/// closes it with no time credited (a moderator can confirm the real time).
async fn unsigned_out_shifts_are_closed_without_time(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (a, a_id) = app.register("13800138000", "甲").await;
    let (b, _) = app.register("13800138001", "乙").await;
    let (_, shift) = post_and_shift(&app, &admin, 1, 3).await;
    sign_up(&app, shift, &a).await;
    assert_eq!(sign_up(&app, shift, &b).await.body["status"], "waitlisted");
    app.state.clock.advance(3 * HOUR_MS);
    let r = app
        .post(
            &format!("/api/v1/shifts/{shift}/checkin"),
            json!({"lat": 39.772, "lon": 98.289}),
            Some(&a),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.state.clock.advance(3 * HOUR_MS);
    let s = app::backend::volunteer::sweep(&app.state).await.unwrap();
    assert_eq!(s.no_shows, 0);
    // The shift has started: its waitlist is closed.
    assert_eq!(s.waitlist_closed, 1);
    let theirs = app.get("/api/v1/me/shifts", Some(&b)).await;
    assert_eq!(theirs.body["items"][0]["status"], "cancelled");
    let listed = app.get("/api/v1/shifts?post_id=1", None).await;
    assert_eq!(listed.body["items"][0]["waitlisted"], 0);
    let mine = app.get("/api/v1/me/shifts", Some(&a)).await;
    assert_eq!(
        mine.body["items"][0]["status"], "checked_in",
        "within 2 h of the end it waits"
    );
    let tab = app
        .send(
            app.request(Method::GET, "/volunteer", None)
                .header(reqwest::header::COOKIE, format!("zhuomu_session={a}")),
        )
        .await;
    assert!(
        tab.text.contains("checkout-form"),
        "after the end, check-out stays on the tab until the sweep closes it"
    );
    app.state.clock.advance(HOUR_MS);
    app::backend::volunteer::sweep(&app.state).await.unwrap();
    let mine = app.get("/api/v1/me/shifts", Some(&a)).await;
    assert_eq!(mine.body["items"][0]["status"], "completed");
    assert_eq!(mine.body["items"][0]["credited_minutes"], 0);
    assert_eq!(app.balance(a_id).await, 0);
}
both!(unsigned_out_shifts_are_closed_without_time);
