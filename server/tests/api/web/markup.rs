//! Markup typed by citizens stays text on every page it reaches: in text
//! nodes, in attributes and in `<title>` (issue 17).

use reqwest::{Method, StatusCode, header};
use serde_json::json;

use super::Plain;
use crate::both;
use crate::helpers::{Engine, TestApp, jpeg, photo_part};

/// The tags of a page: in escaped text `<` is `&lt;`, so every `<…>` found
/// is a real tag the browser builds.
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default())
        .collect()
}

fn assert_inert(path: &str, html: &str) {
    for tag in tags(html) {
        let lower = tag.to_ascii_lowercase();
        assert!(
            !lower.contains("onerror")
                && !lower.contains("onfocus")
                && !lower.contains("onmouseover"),
            "{path}: an event handler from citizen text became a tag: <{tag}>"
        );
        assert!(!lower.starts_with("plaintext"), "{path}: <{tag}>");
        assert!(
            !(lower.starts_with("script") && html.contains("<script>alert(1)")),
            "{path}: a script from citizen text"
        );
    }
    assert!(!html.contains("<img src=x"), "{path}");
}

async fn citizen_markup_stays_text_on_every_page(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let admin = app.admin().await;
    // A nominee named with markup (this makes the moderator 13900000001).
    let campaign = crate::campaigns::open_campaign(&app, &admin, json!({})).await;
    let ids = crate::campaigns::approved(&app, campaign, &["</title><plaintext>"]).await;
    let moderator = app.login("13900000001", "a-good-passphrase").await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Display names may not hold < or >, but quotes and ampersands.
    let (citizen, _) = app.register("13800138000", "王\"onmouseover='x'&").await;

    // A report whose description and address are markup.
    let form = reqwest::multipart::Form::new()
        .text("category_id", city.litter.to_string())
        .text(
            "description",
            "</textarea><script>alert(1)</script><img src=x onerror=alert(1)>",
        )
        .text("lat", crate::helpers::IN_GRID.0.to_string())
        .text("lon", crate::helpers::IN_GRID.1.to_string())
        .text("address", "\" onfocus=\"alert(1)\" autofocus=\"")
        .part("photo", photo_part(jpeg(64, 48)));
    let r = app.post_form("/api/v1/reports", &citizen, form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let report = r.body["id"].as_i64().unwrap();
    assert_eq!(app.approve(&moderator, report).await.status, StatusCode::OK);

    // A suggestion titled with markup, answered in public.
    let s = app
        .post(
            "/api/v1/suggestions",
            json!({"title": "<img src=x onerror=alert(1)>", "body": "</title><plaintext>"}),
            Some(&citizen),
        )
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.text);
    let answer = app
        .post(
            &format!("/api/v1/suggestions/{}/answer", s.body["id"]),
            json!({"answer": "已转交有关部门", "public": true}),
            Some(&moderator),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);

    let plain = Plain(&app);
    let pages = [
        (format!("/reports/{report}"), None),
        ("/reports".to_owned(), None),
        ("/mailbox".to_owned(), None),
        (format!("/nominations/{}", ids[0]), None),
        (format!("/campaigns/{campaign}"), None),
        ("/me".to_owned(), Some(citizen.as_str())),
        ("/me/reports".to_owned(), Some(citizen.as_str())),
        ("/manage/verify".to_owned(), Some(moderator.as_str())),
        ("/manage/suggestions".to_owned(), Some(moderator.as_str())),
        (
            "/admin/users?q=13800138000".to_owned(),
            Some(admin.as_str()),
        ),
    ];
    let mut seen = String::new();
    for (path, token) in &pages {
        let page = plain.page(path, *token).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_inert(path, &page.text);
        seen.push_str(&page.text);
    }
    // The text did reach the pages, escaped.
    assert!(seen.contains("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(seen.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(seen.contains("<title>&lt;/title&gt;&lt;plaintext&gt;"));
    assert!(seen.contains("onfocus"), "the address is shown");
    assert!(seen.contains("王\"onmouseover='x'&amp;") || seen.contains("王&quot;onmouseover"));
}
both!(citizen_markup_stays_text_on_every_page);

/// Pages travel compressed when the phone says it can take it, and as
/// plain text when it does not.
async fn pages_travel_compressed(e: Engine) {
    let app = TestApp::spawn(e).await;
    let plain = app.send(app.request(Method::GET, "/reports", None)).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(plain.text.contains("<html"), "{}", plain.text);
    for encoding in ["br", "gzip"] {
        let r = app
            .request(Method::GET, "/reports", None)
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_ENCODING], encoding);
        let bytes = r.bytes().await.unwrap();
        assert!(
            bytes.len() * 2 < plain.text.len(),
            "{encoding}: {} of {} bytes",
            bytes.len(),
            plain.text.len()
        );
    }
}
both!(pages_travel_compressed);
