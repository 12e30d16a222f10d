//! The API's "Reports": the closed loop end to end, every listed status code,
//! concurrent approvals, bad uploads, search, the duplicate hint.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{
    Engine, IN_GRID, NOWHERE, ON_STREET, TestApp, count_of, jpeg, photo_part, png,
};

const DAY_MS: i64 = 24 * 3600 * 1000;

fn actions(report: &Value) -> Vec<String> {
    report["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_closed_loop_from_photo_to_销号(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, citizen_id) = app.register("13800138000", "张三").await;
    let (other, _) = app.register("13800138001", "李四").await;
    let (moderator, _) = app.moderator().await;
    let (staff, _) = app.unit_staff("13900000002", city.grid_unit).await;
    let (other_staff, _) = app.unit_staff("13900000003", city.street_unit).await;

    // 1. A citizen files a report with two photos.
    let r = app
        .file_report(
            &citizen,
            city.litter,
            IN_GRID,
            "小区门口堆满了垃圾",
            vec![jpeg(640, 480), png(300, 200)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["status"], "pending_review");
    assert_eq!(r.body["status_label"], "待审核");
    // Hidden unless the reporter ticks show_name (后台实名、前台自愿).
    assert_eq!(r.body["reporter_name"], Value::Null);
    assert_eq!(r.body["address"], "新华南路与雄关东路交叉口");
    assert_eq!(r.body["photos"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["photos"][0]["kind"], "before");
    assert_eq!(r.body["unit_id"], Value::Null);
    assert_eq!(actions(&r.body), ["submitted"]);

    // Awaiting review it is private: 404 to others, visible to the reporter
    // and to moderators, absent from the public list.
    let path = format!("/api/v1/reports/{id}");
    assert_eq!(app.get(&path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&path, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&path, Some(&citizen)).await.status, StatusCode::OK);
    assert_eq!(
        app.get(&path, Some(&moderator)).await.status,
        StatusCode::OK
    );
    assert_eq!(app.get("/api/v1/reports", None).await.body["total"], 0);
    let mine = app.get("/api/v1/me/reports", Some(&citizen)).await;
    assert_eq!(mine.body["total"], 1);
    assert_eq!(mine.body["items"][0]["mine"], true);

    // 2. The moderator's queue has it; citizens may not see the queue.
    let q = app
        .get("/api/v1/moderation/reports", Some(&moderator))
        .await;
    assert_eq!(q.status, StatusCode::OK);
    assert_eq!(q.body["items"][0]["id"], id);
    assert_eq!(
        app.get("/api/v1/moderation/reports", Some(&citizen))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/moderation/reports", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // 3. Approval routes it to the grid's unit and pays the reporter.
    let review = format!("/api/v1/reports/{id}/review");
    let r = app
        .post(&review, json!({"decision": "approve"}), Some(&citizen))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(&review, json!({"decision": "approve"}), Some(&moderator))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "assigned");
    assert_eq!(r.body["unit_id"], city.grid_unit);
    assert_eq!(r.body["unit_name"], "雄关街道");
    assert_eq!(r.body["overdue"], false);
    assert!(r.body["deadline"].as_str().unwrap().ends_with("+08:00"));
    assert_eq!(app.balance(citizen_id).await, 5);
    let ledger = app.get("/api/v1/me/points/ledger", Some(&citizen)).await;
    assert_eq!(ledger.body["items"][0]["reason"], "report_approved");
    assert_eq!(ledger.body["items"][0]["ref_type"], "report");
    assert_eq!(ledger.body["items"][0]["ref_id"], id);
    // Now public, and the reporter's identity is still not shown beyond the name.
    assert_eq!(app.get(&path, None).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/reports", None).await.body["total"], 1);
    let public = app.get(&path, None).await;
    assert_eq!(public.body["following"], Value::Null);
    assert!(!public.text.contains("13800138000"));

    // 4. The unit's task list; only its own staff can rectify.
    let tasks = app.get("/api/v1/unit/reports", Some(&staff)).await;
    assert_eq!(tasks.body["items"][0]["id"], id);
    let tasks = app.get("/api/v1/unit/reports", Some(&other_staff)).await;
    assert_eq!(tasks.body["total"], 0);
    assert_eq!(
        app.get("/api/v1/unit/reports", Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.rectify(&other_staff, id).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.rectify(&citizen, id).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.rectify(&moderator, id).await.status,
        StatusCode::FORBIDDEN
    );
    let no_photo = app
        .post_form(
            &format!("/api/v1/reports/{id}/rectify"),
            &staff,
            reqwest::multipart::Form::new().text("note", "已清理"),
        )
        .await;
    assert_eq!(no_photo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_photo.field_errors(), ["photo"]);
    let r = app.rectify(&staff, id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "rectified");
    let kinds: Vec<&str> = r.body["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["before", "before", "after"]);
    // Twice is a conflict.
    let again = app.rectify(&staff, id).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "invalid_transition");

    // 5. 督查: a moderator closes it; unit staff cannot.
    let verify = format!("/api/v1/reports/{id}/verify");
    assert_eq!(
        app.post(&verify, json!({"decision": "close"}), Some(&staff))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let q = app
        .get(
            "/api/v1/moderation/reports?status=rectified",
            Some(&moderator),
        )
        .await;
    assert_eq!(q.body["items"][0]["id"], id);
    let r = app
        .post(
            &verify,
            json!({"decision": "close", "note": "现场复查已整改"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "closed");
    assert_eq!(r.body["status_label"], "已销号");
    assert_eq!(
        actions(&r.body),
        ["submitted", "approved", "rectified", "closed"]
    );
    let roles: Vec<&str> = r.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor_role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["citizen", "moderator", "unit_staff", "moderator"]);

    // 6. The reporter confirms the fix: +2, once.
    let feedback = format!("/api/v1/reports/{id}/feedback");
    assert_eq!(
        app.post(&feedback, json!({"verdict": "fixed"}), Some(&other))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(&feedback, json!({"verdict": "fixed"}), Some(&citizen))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["reporter_verdict"], "fixed");
    app.post(&feedback, json!({"verdict": "fixed"}), Some(&citizen))
        .await;
    assert_eq!(app.balance(citizen_id).await, 7);

    // 7. Every photo is served, as JPEG, cached for a year.
    for p in r.body["photos"].as_array().unwrap() {
        for url in [&p["url"], &p["thumb_url"]] {
            let res = app
                .client
                .get(app.url(url.as_str().unwrap()))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.headers()["content-type"], "image/jpeg");
            assert!(
                res.headers()["cache-control"]
                    .to_str()
                    .unwrap()
                    .contains("immutable")
            );
            assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        }
    }
    assert_eq!(
        app.get("/photos/p/0123456789abcdef0123456789abcdef.jpg", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/photos/../../etc/passwd", None).await.status,
        StatusCode::NOT_FOUND
    );

    // 8. The reporter heard about every step.
    let inbox = app.get("/api/v1/me/notifications", Some(&citizen)).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert_eq!(inbox.body["unread"], 4, "{}", inbox.text);
    let titles: Vec<&str> = inbox.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert!(
        titles[0].contains("已销号")
            && titles[2] == "获得徽章：初啄"
            && titles[3].contains("已通过审核"),
        "{titles:?}"
    );
    let read = app
        .send(app.request(
            Method::POST,
            "/api/v1/me/notifications/read",
            Some(&citizen),
        ))
        .await;
    assert_eq!(read.status, StatusCode::NO_CONTENT);
    let inbox = app.get("/api/v1/me/notifications", Some(&citizen)).await;
    assert_eq!(inbox.body["unread"], 0);
}
both!(the_closed_loop_from_photo_to_销号);

async fn review_rules_and_errors(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, citizen_id) = app.register("13800138000", "张三").await;
    let (moderator, _) = app.moderator().await;
    let review = |id: i64| format!("/api/v1/reports/{id}/review");

    let a = app
        .report_id(&citizen, city.litter, IN_GRID, "垃圾桶满了")
        .await;
    for (body, field) in [
        (json!({"decision": "maybe"}), "decision"),
        (json!({"decision": "reject"}), "reason"),
        (json!({"decision": "reject", "reason": "  "}), "reason"),
        (
            json!({"decision": "approve", "deadline_days": 0}),
            "deadline_days",
        ),
        (json!({"decision": "approve", "unit_id": 999}), "unit_id"),
    ] {
        let r = app.post(&review(a), body.clone(), Some(&moderator)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text
        );
        assert_eq!(r.field_errors(), [field], "{body}");
    }
    let r = app.post(&review(a), json!({}), Some(&moderator)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.post(
            &review(4242),
            json!({"decision": "approve"}),
            Some(&moderator)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&review(a), json!({"decision": "approve"}), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("report_events").await, 1, "nothing changed");

    // The category names its own unit: parking goes to 交警, wherever it is;
    // a moderator's choice and deadline win.
    let b = app
        .report_id(&citizen, city.parking, ON_STREET, "人行道上停满了车")
        .await;
    let r = app
        .post(&review(b), json!({"decision": "approve"}), Some(&moderator))
        .await;
    assert_eq!(r.body["unit_id"], city.traffic_unit);
    let c = app
        .report_id(&citizen, city.litter, ON_STREET, "路边有垃圾")
        .await;
    let r = app
        .post(&review(c), json!({"decision": "approve"}), Some(&moderator))
        .await;
    assert_eq!(
        r.body["unit_id"], city.street_unit,
        "the street beats the grid"
    );
    let d = app
        .report_id(&citizen, city.litter, IN_GRID, "绿化带里有垃圾")
        .await;
    let r = app
        .post(
            &review(d),
            json!({"decision": "approve", "unit_id": city.street_unit, "deadline_days": 1}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.body["unit_id"], city.street_unit);
    let created =
        chrono::DateTime::parse_from_rfc3339(r.body["created_at"].as_str().unwrap()).unwrap();
    let deadline =
        chrono::DateTime::parse_from_rfc3339(r.body["deadline"].as_str().unwrap()).unwrap();
    assert_eq!((deadline - created).num_hours(), 24);

    // Outside every area and without a category unit: the moderator must choose.
    let f = app
        .report_id(&citizen, city.litter, NOWHERE, "郊外有人倾倒垃圾")
        .await;
    let r = app
        .post(&review(f), json!({"decision": "approve"}), Some(&moderator))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_errors(), ["unit_id"]);
    let r = app
        .post(
            &review(f),
            json!({"decision": "approve", "unit_id": city.grid_unit}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Approving twice, or rejecting an approved report: 409, nothing paid twice.
    let again = app
        .post(&review(a), json!({"decision": "approve"}), Some(&moderator))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let again = app
        .post(&review(a), json!({"decision": "approve"}), Some(&moderator))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "invalid_transition");
    let again = app
        .post(
            &review(a),
            json!({"decision": "reject", "reason": "重复"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(app.balance(citizen_id).await, 5 + 3 + 5 + 5 + 5);

    // A rejection: the reason reaches the reporter; the report stays private.
    let g = app
        .report_id(&citizen, city.litter, IN_GRID, "测试一下")
        .await;
    let r = app
        .post(
            &review(g),
            json!({"decision": "reject", "reason": "照片与描述不符"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "rejected");
    assert_eq!(r.body["timeline"][1]["note"], "照片与描述不符");
    assert_eq!(
        app.get(&format!("/api/v1/reports/{g}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app.get("/api/v1/reports?status=rejected", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
both!(review_rules_and_errors);

async fn twenty_simultaneous_approvals_pay_once(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, citizen_id) = app.register("13800138000", "张三").await;
    let (moderator, _) = app.moderator().await;
    let id = app
        .report_id(&citizen, city.litter, IN_GRID, "垃圾没人清理")
        .await;
    let statuses = app
        .post_all_at_once(
            &format!("/api/v1/reports/{id}/review"),
            Some(&moderator),
            vec![json!({"decision": "approve"}); 20],
        )
        .await;
    assert_eq!(count_of(&statuses, StatusCode::OK), 1, "{statuses:?}");
    assert_eq!(
        count_of(&statuses, StatusCode::CONFLICT),
        19,
        "{statuses:?}"
    );
    let (entries,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM points_ledger WHERE reason = 'report_approved' AND ref_id = $1",
    )
    .bind(id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(entries, 1);
    assert_eq!(app.balance(citizen_id).await, 5);
    let (approvals,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM report_events WHERE report_id = $1 AND action = 'approved'",
    )
    .bind(id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(approvals, 1);
}
both!(twenty_simultaneous_approvals_pay_once);

/// A JPEG with an EXIF block: orientation 6 (turn 90° clockwise) and a
/// camera make we must not keep.
fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
    let plain = jpeg(w, h);
    let mut tiff: Vec<u8> = vec![0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8, 0, 2];
    tiff.extend([0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0]);
    tiff.extend([0x01, 0x0F, 0x00, 0x02, 0, 0, 0, 10, 0, 0, 0, 38]);
    tiff.extend([0, 0, 0, 0]);
    tiff.extend(b"SECRETCAM\0");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let len = (app1.len() + 2) as u16;
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(len.to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

/// A PNG that declares `w` × `h` pixels but holds almost nothing.
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut p = png(1, 1);
    // IHDR data starts at byte 16: width, height, then its CRC at 29..33.
    p[16..20].copy_from_slice(&w.to_be_bytes());
    p[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32fast::hash(&p[12..29]);
    p[29..33].copy_from_slice(&crc.to_be_bytes());
    p
}

async fn bad_uploads_are_refused_and_photos_lose_their_exif(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let file = |photos: Vec<Vec<u8>>| {
        app.file_report(&citizen, city.litter, IN_GRID, "门口有垃圾", photos)
    };

    let r = file(vec![]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_errors(), ["photo"]);
    let r = file(vec![jpeg(8, 8); 5]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_errors(), ["photo"]);
    let r = file(vec![b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec()]).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.code(), "unsupported_media_type");
    let r = file(vec![b"<html><script>alert(1)</script></html>".to_vec()]).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut truncated = jpeg(200, 200);
    truncated.truncate(300);
    let r = file(vec![truncated]).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Over 10 MB: refused before the rest is read.
    let mut big = jpeg(16, 16);
    big.resize(10 * 1024 * 1024 + 1, 0);
    let r = file(vec![big]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.code(), "payload_too_large");
    // Decompression bombs: too wide, or too many pixels to hold.
    for bomb in [png_declaring(20_000, 20_000), png_declaring(11_000, 11_000)] {
        let r = file(vec![bomb]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.field_errors(), ["photo"]);
    }
    // A body announced beyond any upload limit.
    let r = app
        .send(
            app.request(Method::POST, "/api/v1/reports", Some(&citizen))
                .header("content-type", "multipart/form-data; boundary=x")
                .header("content-length", (200 * 1024 * 1024).to_string())
                .body(vec![0u8; 16]),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Not multipart at all, and bad fields.
    let r = app
        .post(
            "/api/v1/reports",
            json!({"description": "x"}),
            Some(&citizen),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let form = reqwest::multipart::Form::new()
        .text("category_id", "abc")
        .text("description", "x")
        .text("lat", "91")
        .text("lon", "98.29")
        .text("hide_name", "perhaps")
        .part("photo", photo_part(jpeg(8, 8)));
    let r = app.post_form("/api/v1/reports", &citizen, form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(fields, ["category_id", "description", "hide_name", "lat"]);
    let form = reqwest::multipart::Form::new()
        .text("category_id", "4242")
        .text("description", "门口有垃圾")
        .text("lat", "39.77")
        .text("lon", "98.29")
        .part("photo", photo_part(jpeg(8, 8)));
    let r = app.post_form("/api/v1/reports", &citizen, form).await;
    assert_eq!(r.field_errors(), ["category_id"]);
    let form = reqwest::multipart::Form::new()
        .text("category_id", city.litter.to_string())
        .text("description", "门口有垃圾")
        .text("lat", "39.77")
        .text("lon", "98.29")
        .text("fixed_on_spot", "true")
        .part("photo", photo_part(jpeg(8, 8)))
        .part("after_photo", photo_part(jpeg(8, 8)));
    let r = app.post_form("/api/v1/reports", &citizen, form).await;
    assert_eq!(
        r.field_errors(),
        ["fixed_on_spot"],
        "citizens cannot close their own reports"
    );
    let r = app
        .file_report(
            "not-a-token",
            city.litter,
            IN_GRID,
            "门口有垃圾",
            vec![jpeg(8, 8)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("reports").await, 0, "nothing was stored");
    assert_eq!(app.count("report_photos").await, 0);
    let stored = walk(&app.state.config.data_dir.join("photos"));
    assert!(stored.is_empty(), "no orphan files: {stored:?}");

    // A photo with EXIF: turned upright, and nothing of the EXIF survives.
    let r = file(vec![jpeg_with_exif(40, 20)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let photo = &r.body["photos"][0];
    assert_eq!(
        (photo["width"].as_i64(), photo["height"].as_i64()),
        (Some(20), Some(40))
    );
    let url = photo["url"].as_str().unwrap();
    // Awaiting review, the photo is the reporter's (and moderators') only.
    assert_eq!(app.get(url, None).await.status, StatusCode::NOT_FOUND);
    let res = app
        .request(Method::GET, url, Some(&citizen))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(!has(b"Exif") && !has(b"SECRETCAM") && !has(&[0xFF, 0xE1]));
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (20, 40));
    // Big photos are shrunk to 1600 px on the long side.
    let r = file(vec![jpeg(2400, 1200)]).await;
    assert_eq!(r.body["photos"][0]["width"], 1600);
    assert_eq!(r.body["photos"][0]["height"], 800);
}
both!(bad_uploads_are_refused_and_photos_lose_their_exif);

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

async fn chinese_search_and_filters(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let (moderator, _) = app.moderator().await;
    let mut ids = vec![];
    for (cat, at, text) in [
        (city.litter, IN_GRID, "小区门口的垃圾三天没人清理"),
        (city.parking, ON_STREET, "电动车乱停车堵住盲道"),
        (city.litter, ON_STREET, "新华路口有人随地吐痰"),
    ] {
        let id = app.report_id(&citizen, cat, at, text).await;
        app.approve(&moderator, id).await;
        ids.push(id);
    }
    // Still awaiting review: never found.
    app.report_id(&citizen, city.litter, IN_GRID, "又有垃圾了")
        .await;

    let found = |q: &'static str| {
        let app = &app;
        async move {
            let r = app
                .get(&format!("/api/v1/reports?q={}", urlencode(q)), None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("垃圾").await, [ids[0]]);
    assert_eq!(found("停车").await, [ids[1]]);
    assert_eq!(found("乱停车").await, [ids[1]]);
    assert_eq!(found("路口").await, [ids[2]]);
    assert_eq!(
        found("新华南路").await,
        ids.iter().rev().copied().collect::<Vec<_>>(),
        "the address is searched too"
    );
    assert_eq!(found("垃圾 盲道").await, Vec::<i64>::new());
    assert_eq!(found("火车").await, Vec::<i64>::new());
    assert_eq!(found("").await.len(), 3);

    let r = app
        .get(
            &format!("/api/v1/reports?category_id={}", city.litter),
            None,
        )
        .await;
    assert_eq!(r.body["total"], 2);
    let r = app
        .get("/api/v1/reports?bbox=98.28,39.774,98.30,39.776", None)
        .await;
    assert_eq!(r.body["total"], 2, "{}", r.text);
    let r = app
        .get("/api/v1/reports?status=assigned&per_page=1", None)
        .await;
    assert_eq!(r.body["total"], 3);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    for bad in [
        "bbox=1,2,3",
        "bbox=98.3,39.7,98.2,39.8",
        "bbox=a,b,c,d",
        "status=pending_review",
        "status=nonsense",
        "status=duplicate",
        "per_page=101",
        "category_id=x",
    ] {
        let r = app.get(&format!("/api/v1/reports?{bad}"), None).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.text
        );
        assert_eq!(r.code(), "invalid_input");
    }
    // Overdue: past the 3-day deadline.
    app.state.clock.advance(4 * DAY_MS);
    let r = app.get("/api/v1/reports?overdue=true", None).await;
    assert_eq!(r.body["total"], 3);
    assert_eq!(r.body["items"][0]["overdue"], true);
}
both!(chinese_search_and_filters);

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn duplicate_hint_follow_and_merge(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (first, _) = app.register("13800138000", "张三").await;
    let (second, second_id) = app.register("13800138001", "李四").await;
    let (moderator, _) = app.moderator().await;
    let (staff, _) = app.unit_staff("13900000002", city.grid_unit).await;
    let original = app
        .report_id(&first, city.litter, IN_GRID, "垃圾堆在路边")
        .await;
    let nearby = |cat: i64, lat: f64, lon: f64| {
        let app = &app;
        let second = second.clone();
        async move {
            app.get(
                &format!("/api/v1/reports/nearby?category_id={cat}&lat={lat}&lon={lon}"),
                Some(&second),
            )
            .await
        }
    };
    // Not yet approved: no hint.
    assert_eq!(
        nearby(city.litter, IN_GRID.0, IN_GRID.1).await.body,
        json!([])
    );
    app.approve(&moderator, original).await;
    // ~55 m north: offered, with its distance; ~155 m: not; other category: not.
    let r = nearby(city.litter, IN_GRID.0 + 0.0005, IN_GRID.1).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body[0]["id"], original, "{}", r.text);
    let d = r.body[0]["distance_m"].as_f64().unwrap();
    assert!((50.0..60.0).contains(&d), "{d}");
    assert_eq!(
        nearby(city.litter, IN_GRID.0 + 0.0014, IN_GRID.1)
            .await
            .body,
        json!([])
    );
    assert_eq!(
        nearby(city.parking, IN_GRID.0, IN_GRID.1).await.body,
        json!([])
    );
    let r = app
        .get("/api/v1/reports/nearby?lat=39.7", Some(&second))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/api/v1/reports/nearby?category_id=1&lat=1&lon=1", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Follow: idempotent, counted once; private reports cannot be followed.
    let follow = format!("/api/v1/reports/{original}/follow");
    for _ in 0..2 {
        let r = app.call(Method::POST, &follow, Some(&second)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
    let r = app
        .get(&format!("/api/v1/reports/{original}"), Some(&second))
        .await;
    assert_eq!(r.body["follower_count"], 1);
    assert_eq!(r.body["following"], true);
    let r = app.call(Method::DELETE, &follow, Some(&second)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .get(&format!("/api/v1/reports/{original}"), Some(&second))
        .await;
    assert_eq!(r.body["follower_count"], 0);
    assert_eq!(r.body["following"], false);
    let pending = app
        .report_id(&first, city.litter, IN_GRID, "这里也有垃圾")
        .await;
    let r = app
        .send(app.request(
            Method::POST,
            &format!("/api/v1/reports/{pending}/follow"),
            Some(&second),
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.call(Method::POST, &follow, None).await.status,
        StatusCode::UNAUTHORIZED
    );

    // The second citizen reports anyway; a moderator merges it. They now
    // follow the original and hear when it is closed.
    let dup = app
        .report_id(&second, city.litter, IN_GRID, "路边很多垃圾")
        .await;
    let merge = format!("/api/v1/reports/{dup}/merge");
    for (body, status) in [
        (json!({"into_id": dup}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"into_id": pending}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"into_id": 4242}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = app.post(&merge, body.clone(), Some(&moderator)).await;
        assert_eq!(r.status, status, "{body}: {}", r.text);
    }
    assert_eq!(
        app.post(&merge, json!({"into_id": original}), Some(&second))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(&merge, json!({"into_id": original}), Some(&moderator))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "duplicate");
    assert_eq!(r.body["duplicate_of"], original);
    assert_eq!(
        app.get(&format!("/api/v1/reports/{dup}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "merged without approval: never public"
    );
    let again = app
        .post(&merge, json!({"into_id": original}), Some(&moderator))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let r = app
        .get(&format!("/api/v1/reports/{original}"), Some(&second))
        .await;
    assert_eq!(r.body["following"], true);
    assert!(actions(&r.body).contains(&"merged_in".to_owned()));

    app.rectify(&staff, original).await;
    app.post(
        &format!("/api/v1/reports/{original}/verify"),
        json!({"decision": "close"}),
        Some(&moderator),
    )
    .await;
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'followed_closed' AND report_id = $2",
    )
    .bind(second_id)
    .bind(original)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(n, 1);

    // After 72 hours the hint no longer offers it (and it is closed anyway).
    app.state.clock.advance(3 * DAY_MS + 1);
    assert_eq!(
        nearby(city.litter, IN_GRID.0, IN_GRID.1).await.body,
        json!([])
    );
}
both!(duplicate_hint_follow_and_merge);

async fn verification_feedback_and_disputes(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, citizen_id) = app.register("13800138000", "张三").await;
    let (moderator, _) = app.moderator().await;
    // A moderator who is also staff of the grid's unit may not verify its work.
    let (unit_moderator, _) = app
        .user_with_roles(
            "13900000004",
            &["moderator", "unit_staff"],
            Some(city.grid_unit),
        )
        .await;
    let (staff, _) = app.unit_staff("13900000002", city.grid_unit).await;
    let id = app
        .report_id(&citizen, city.litter, IN_GRID, "垃圾满地")
        .await;
    let feedback = format!("/api/v1/reports/{id}/feedback");
    let verify = format!("/api/v1/reports/{id}/verify");
    let r = app
        .post(&feedback, json!({"verdict": "fixed"}), Some(&citizen))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not before rectification");
    app.approve(&moderator, id).await;
    let r = app
        .post(&verify, json!({"decision": "close"}), Some(&moderator))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "invalid_transition");

    // Overdue after the deadline, in the unit's list too.
    app.state.clock.advance(3 * DAY_MS + 1000);
    let tasks = app.get("/api/v1/unit/reports", Some(&staff)).await;
    assert_eq!(tasks.body["items"][0]["overdue"], true);
    app.rectify(&staff, id).await;

    // While rectified, the reporter says it is not fixed: disputed, first in the queue.
    let r = app
        .post(
            &feedback,
            json!({"verdict": "not_fixed", "note": "垃圾还在"}),
            Some(&citizen),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["disputed"], true);
    assert_eq!(r.body["status"], "rectified");
    let r = app
        .post(&feedback, json!({"verdict": "maybe"}), Some(&citizen))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(
        app.post(&verify, json!({"decision": "close"}), Some(&unit_moderator))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(&verify, json!({"decision": "reopen"}), Some(&moderator))
        .await;
    assert_eq!(r.field_errors(), ["note"], "返工 needs a reason");
    let r = app
        .post(
            &verify,
            json!({"decision": "reopen", "note": "垃圾仍未清理"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "assigned");
    assert_eq!(r.body["disputed"], false);
    assert_eq!(r.body["overdue"], false, "a fresh deadline");

    // Rectified again and closed; then "not fixed" within 14 days reopens 督查.
    app.rectify(&staff, id).await;
    let r = app
        .post(&verify, json!({"decision": "close"}), Some(&moderator))
        .await;
    assert_eq!(r.body["status"], "closed");
    let r = app
        .post(&feedback, json!({"verdict": "not_fixed"}), Some(&citizen))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "rectified");
    assert_eq!(r.body["disputed"], true);
    let q = app
        .get(
            "/api/v1/moderation/reports?status=rectified",
            Some(&moderator),
        )
        .await;
    assert_eq!(q.body["items"][0]["id"], id);
    assert_eq!(q.body["items"][0]["disputed"], true);
    let r = app
        .post(&verify, json!({"decision": "close"}), Some(&moderator))
        .await;
    assert_eq!(r.body["status"], "closed");
    assert_eq!(
        app.balance(citizen_id).await,
        5,
        "no confirmation bonus without a confirmation"
    );

    // More than 14 days after 销号: too late.
    app.state.clock.advance(15 * DAY_MS);
    let login = app.login("13800138000", "a-good-passphrase").await;
    let citizen = login.body["token"].as_str().unwrap();
    let r = app
        .post(&feedback, json!({"verdict": "fixed"}), Some(citizen))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        actions(&app.get(&format!("/api/v1/reports/{id}"), None).await.body),
        [
            "submitted",
            "approved",
            "rectified",
            "disputed",
            "reopened",
            "rectified",
            "closed",
            "disputed",
            "closed"
        ]
    );
}
both!(verification_feedback_and_disputes);

async fn patrols_and_fixed_on_the_spot(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (staff, _) = app.unit_staff("13900000002", city.grid_unit).await;
    // A patrol report skips review and is routed at once.
    let r = app
        .file_report(
            &staff,
            city.litter,
            ON_STREET,
            "巡查发现垃圾",
            vec![jpeg(32, 32)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "assigned");
    assert_eq!(r.body["unit_id"], city.street_unit);
    // Outside every area it falls to the patrolling unit.
    let r = app
        .file_report(
            &staff,
            city.litter,
            NOWHERE,
            "郊外巡查发现垃圾",
            vec![jpeg(32, 32)],
        )
        .await;
    assert_eq!(r.body["unit_id"], city.grid_unit);
    // 立行立改: closed at once with after photos.
    let form = reqwest::multipart::Form::new()
        .text("category_id", city.litter.to_string())
        .text("description", "现场清理了垃圾")
        .text("lat", IN_GRID.0.to_string())
        .text("lon", IN_GRID.1.to_string())
        .text("fixed_on_spot", "true")
        .part("photo", photo_part(jpeg(32, 32)))
        .part("after_photo", photo_part(jpeg(32, 32)));
    let r = app.post_form("/api/v1/reports", &staff, form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "closed");
    assert_eq!(r.body["fixed_on_spot"], true);
    assert_eq!(actions(&r.body), ["submitted", "fixed_on_spot"]);
    let kinds: Vec<&str> = r.body["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["before", "after"]);
    // Without after photos it is refused.
    let form = reqwest::multipart::Form::new()
        .text("category_id", city.litter.to_string())
        .text("description", "现场清理了垃圾")
        .text("lat", IN_GRID.0.to_string())
        .text("lon", IN_GRID.1.to_string())
        .text("fixed_on_spot", "true")
        .part("photo", photo_part(jpeg(32, 32)));
    let r = app.post_form("/api/v1/reports", &staff, form).await;
    assert_eq!(r.field_errors(), ["after_photo"]);
    // A moderator (no unit) fixing something where no unit is responsible:
    // refused, not silently filed for review.
    let (moderator, _) = app.moderator().await;
    let form = reqwest::multipart::Form::new()
        .text("category_id", city.litter.to_string())
        .text("description", "郊外现场清理了垃圾")
        .text("lat", NOWHERE.0.to_string())
        .text("lon", NOWHERE.1.to_string())
        .text("fixed_on_spot", "true")
        .part("photo", photo_part(jpeg(32, 32)))
        .part("after_photo", photo_part(jpeg(32, 32)));
    let r = app.post_form("/api/v1/reports", &moderator, form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_errors(), ["fixed_on_spot"]);
}
both!(patrols_and_fixed_on_the_spot);

async fn moderators_black_out_faces_before_approval(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let (moderator, _) = app.moderator().await;
    let r = app
        .file_report(
            &citizen,
            city.litter,
            IN_GRID,
            "有人乱扔垃圾",
            vec![png(200, 100)],
        )
        .await;
    let id = r.body["id"].as_i64().unwrap();
    let photo_id = r.body["photos"][0]["id"].as_i64().unwrap();
    let old_url = r.body["photos"][0]["url"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/reports/{id}/photos/{photo_id}/redact");
    let rect = json!({"x": 0.0, "y": 0.0, "w": 0.5, "h": 1.0});
    assert_eq!(
        app.post(&path, rect.clone(), Some(&citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(
            &path,
            json!({"x": 0.8, "y": 0.0, "w": 0.5, "h": 1.0}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.post(
            &format!("/api/v1/reports/{id}/photos/4242/redact"),
            rect.clone(),
            Some(&moderator)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app.post(&path, rect, Some(&moderator)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new_url = r.body["photos"][0]["url"].as_str().unwrap().to_owned();
    assert_ne!(new_url, old_url);
    assert_eq!(
        app.get(&old_url, None).await.status,
        StatusCode::NOT_FOUND,
        "the unredacted photo is gone"
    );
    let bytes = app
        .request(Method::GET, &new_url, Some(&moderator))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert!(
        img.get_pixel(50, 50).0.iter().all(|&c| c < 20),
        "left half black"
    );
    assert!(
        img.get_pixel(150, 50).0.iter().any(|&c| c > 40),
        "right half kept"
    );
}
both!(moderators_black_out_faces_before_approval);

async fn hot_issues_of_the_week(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let (fan, _) = app.register("13800138001", "李四").await;
    let (moderator, _) = app.moderator().await;
    let mut hot_ids = vec![];
    for (at, text) in [
        (IN_GRID, "垃圾一"),
        ((IN_GRID.0 + 0.0001, IN_GRID.1), "垃圾二"),
        (ON_STREET, "垃圾三"),
    ] {
        let id = app.report_id(&citizen, city.litter, at, text).await;
        app.approve(&moderator, id).await;
        hot_ids.push(id);
    }
    app.send(app.request(
        Method::POST,
        &format!("/api/v1/reports/{}/follow", hot_ids[2]),
        Some(&fan),
    ))
    .await;
    let r = app.get("/api/v1/reports/hot", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["most_reported"][0]["reports"], 2);
    assert_eq!(r.body["most_reported"][0]["report_id"], hot_ids[1]);
    assert_eq!(r.body["most_followed"][0]["report_id"], hot_ids[2]);
    assert_eq!(r.body["most_followed"][0]["followers"], 1);
    assert_eq!(r.body["most_followed"].as_array().unwrap().len(), 1);
    // Each place is named by its grid or street, and the week ranks those too.
    assert_eq!(r.body["most_reported"][0]["area_name"], "雄关一网格");
    assert_eq!(r.body["most_followed"][0]["area_name"], "新华路");
    let areas = &r.body["by_area"];
    assert_eq!(areas.as_array().unwrap().len(), 2, "{areas}");
    assert_eq!(
        (
            &areas[0]["name"],
            &areas[0]["reports"],
            &areas[0]["report_id"]
        ),
        (&json!("雄关一网格"), &json!(2), &json!(hot_ids[1]))
    );
    assert_eq!(
        (
            &areas[1]["name"],
            &areas[1]["kind"],
            &areas[1]["followers"],
            &areas[1]["unit_name"]
        ),
        (
            &json!("新华路"),
            &json!("segment"),
            &json!(1),
            &json!("市城管局")
        )
    );
    app.state.clock.advance(8 * DAY_MS);
    let r = app.get("/api/v1/reports/hot", None).await;
    assert_eq!(r.body["most_reported"], json!([]));
    assert_eq!(r.body["by_area"], json!([]));
}
both!(hot_issues_of_the_week);

/// Photos kept in S3-compatible storage (a moto server started by
/// scripts/test.sh, or any bucket named by TEST_S3_ENDPOINT/TEST_S3_BUCKET):
/// the same upload, serving and redaction work, and nothing is written to
/// the local folder.
async fn photos_in_s3_compatible_storage(e: Engine) {
    let endpoint = std::env::var("TEST_S3_ENDPOINT")
        .expect("the S3 test needs TEST_S3_ENDPOINT (scripts/test.sh starts a moto server)");
    let bucket = std::env::var("TEST_S3_BUCKET").unwrap_or_else(|_| "zhuomu-test".into());
    let app = TestApp::spawn_with(e, |c| {
        c.s3 = Some(app::backend::S3Settings {
            bucket,
            endpoint: Some(endpoint),
            region: Some("us-east-1".into()),
            access_key_id: Some("test".into()),
            secret_access_key: Some("test".into()),
        })
    })
    .await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let (moderator, _) = app.moderator().await;
    let r = app
        .file_report(&citizen, city.litter, IN_GRID, "垃圾", vec![png(120, 80)])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let photo_id = r.body["photos"][0]["id"].as_i64().unwrap();
    let url = r.body["photos"][0]["url"].as_str().unwrap().to_owned();
    let res = app
        .request(Method::GET, &url, Some(&citizen))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 120);
    let r = app
        .post(
            &format!("/api/v1/reports/{id}/photos/{photo_id}/redact"),
            json!({"x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get(&url, None).await.status, StatusCode::NOT_FOUND);
    assert!(
        walk(&app.state.config.data_dir.join("photos")).is_empty(),
        "nothing in the local folder"
    );
}
both!(photos_in_s3_compatible_storage);

/// The phone's outbox may send a report twice (a retry after a lost answer,
/// two tabs flushing at once): with the same `client_ref` it is filed once.
async fn offline_retries_file_a_report_once(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    let (other, _) = app.register("13800138001", "李四").await;
    let form = |r: &str| {
        reqwest::multipart::Form::new()
            .text("category_id", city.litter.to_string())
            .text("description", "离线时写的报告")
            .text("lat", IN_GRID.0.to_string())
            .text("lon", IN_GRID.1.to_string())
            .text("client_ref", r.to_owned())
            .part("photo", photo_part(jpeg(32, 32)))
    };
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let req = app
                .request(Method::POST, "/api/v1/reports", Some(&citizen))
                .multipart(form("3f2a9c1e-77b0-4c1a-9d52-0a1b2c3d4e5f"));
            tokio::spawn(async move {
                let r = req.send().await.unwrap();
                let status = r.status();
                let body: Value = r.json().await.unwrap();
                (status, body["id"].as_i64())
            })
        })
        .collect();
    let mut ids = vec![];
    for t in tasks {
        let (status, id) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED);
        ids.push(id.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one report, however often it was sent");
    assert_eq!(app.count("reports").await, 1);
    assert_eq!(app.count("report_photos").await, 1);
    // The same id from someone else is their own report.
    let r = app
        .post_form(
            "/api/v1/reports",
            &other,
            form("3f2a9c1e-77b0-4c1a-9d52-0a1b2c3d4e5f"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_ne!(r.body["id"].as_i64().unwrap(), ids[0]);
    let r = app
        .post_form("/api/v1/reports", &citizen, form("bad ref"))
        .await;
    assert_eq!(r.field_errors(), ["client_ref"]);
    // Text fields are bounded in total, not just one by one.
    let mut many = reqwest::multipart::Form::new();
    for i in 0..5 {
        many = many.text(format!("extra{i}"), "x".repeat(8000));
    }
    let r = app.post_form("/api/v1/reports", &citizen, many).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
both!(offline_retries_file_a_report_once);
