//! Open311 GeoReport v2 under /open311/v2: every endpoint in JSON and XML,
//! the error array, API keys (CLI, admin API), POSTed requests through review.

use reqwest::{Method, StatusCode, header};
use serde::Deserialize;
use serde_json::json;

use crate::both;
use crate::helpers::{Engine, IN_GRID, NOWHERE, Resp, TestApp};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

async fn post(app: &TestApp, file: &str, fields: &[(&str, &str)]) -> Resp {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    app.send(
        app.request(Method::POST, &format!("/open311/v2/{file}"), None)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body),
    )
    .await
}

async fn get(app: &TestApp, path: &str) -> Resp {
    app.get(&format!("/open311/v2/{path}"), None).await
}

/// An admin issues a key through the API; returns it.
async fn issue_key(app: &TestApp, admin: &str, name: &str) -> (String, i64) {
    let r = app
        .post("/api/v1/admin/apikeys", json!({"name": name}), Some(admin))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    (
        r.body["key"].as_str().unwrap().to_owned(),
        r.body["api_key"]["id"].as_i64().unwrap(),
    )
}

fn error_of(r: &Resp) -> (i64, String) {
    let e = &r.body.as_array().expect("an error array")[0];
    (
        e["code"].as_i64().unwrap(),
        e["description"].as_str().unwrap().to_owned(),
    )
}

#[derive(Debug, Deserialize)]
struct XmlErrors {
    error: Vec<XmlError>,
}
#[derive(Debug, Deserialize)]
struct XmlError {
    code: u16,
    description: String,
}

fn xml_error(r: &Resp) -> XmlErrors {
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/xml"),
        "{:?}",
        r.headers
    );
    quick_xml::de::from_str(&r.text).unwrap_or_else(|e| panic!("{e}: {}", r.text))
}

async fn discovery_and_services_in_both_formats(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;

    let r = get(&app, "discovery.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let endpoint = &r.body["endpoints"][0];
    assert_eq!(
        endpoint["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert_eq!(endpoint["url"], format!("{}/open311/v2", app.addr));
    assert_eq!(endpoint["formats"], json!(["text/xml", "application/json"]));
    let r = get(&app, "discovery.xml").await;
    assert_eq!(r.status, StatusCode::OK);
    #[derive(Deserialize)]
    struct Discovery {
        endpoints: Endpoints,
    }
    #[derive(Deserialize)]
    struct Endpoints {
        endpoint: Vec<Endpoint>,
    }
    #[derive(Deserialize)]
    struct Endpoint {
        url: String,
        formats: Formats,
    }
    #[derive(Deserialize)]
    struct Formats {
        format: Vec<String>,
    }
    let d: Discovery = quick_xml::de::from_str(&r.text).unwrap();
    assert_eq!(
        d.endpoints.endpoint[0].url,
        format!("{}/open311/v2", app.addr)
    );
    assert_eq!(d.endpoints.endpoint[0].formats.format.len(), 2);

    // Services are the categories.
    let r = get(&app, "services.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers[header::CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    let services = r.body.as_array().unwrap();
    assert_eq!(services.len(), 2);
    assert_eq!(services[0]["service_code"], city.litter.to_string());
    assert_eq!(services[0]["service_name"], "乱扔垃圾");
    assert_eq!(services[0]["metadata"], false);
    assert_eq!(services[0]["type"], "realtime");
    let r = get(&app, "services.xml").await;
    #[derive(Deserialize)]
    struct Services {
        service: Vec<Service>,
    }
    #[derive(Deserialize)]
    struct Service {
        service_code: String,
        service_name: String,
        metadata: bool,
        #[serde(rename = "type")]
        kind: String,
    }
    let s: Services =
        quick_xml::de::from_str(&r.text).unwrap_or_else(|e| panic!("{e}: {}", r.text));
    assert_eq!(s.service.len(), 2);
    assert_eq!(s.service[1].service_code, city.parking.to_string());
    assert_eq!(s.service[1].service_name, "乱停乱放");
    assert!(!s.service[1].metadata);
    assert_eq!(s.service[1].kind, "realtime");

    // A definition, and an unknown service: 404 in the error array.
    let r = get(&app, &format!("services/{}.json", city.litter)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["service_code"], city.litter.to_string());
    assert_eq!(r.body["attributes"], json!([]));
    let r = get(&app, &format!("services/{}.xml", city.litter)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text.contains(&format!(
            "<service_definition><service_code>{}</service_code>",
            city.litter
        )),
        "{}",
        r.text
    );
    for code in ["4242", "abc"] {
        let r = get(&app, &format!("services/{code}.json")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(error_of(&r).0, 404);
        let r = get(&app, &format!("services/{code}.xml")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(xml_error(&r).error[0].code, 404);
    }
    // Unknown formats and paths.
    for path in [
        "services.csv",
        "services",
        "nothing.json",
        "requests/1/x.json",
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_of(&r).0, 404, "{path}");
    }
    let r = app
        .send(app.request(Method::DELETE, "/open311/v2/services.json", None))
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    // A session cookie riding along from another site changes nothing: the
    // api_key is Open311's only credential (no CSRF refusal, the key decides).
    let (token, _) = app.register("13800138000", "张三").await;
    let r = app
        .send(
            app.request(Method::POST, "/open311/v2/requests.json", None)
                .header(header::COOKIE, format!("zhuomu_session={token}"))
                .header(header::ORIGIN, "http://evil.example")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body("service_code=1&lat=39.77&long=98.29&description=x"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        error_of(&r).0,
        403,
        "the Open311 error array, not a CSRF problem"
    );
}
both!(discovery_and_services_in_both_formats);

async fn posted_requests_go_through_review(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (key, key_id) = issue_key(&app, &admin, "12345热线").await;
    let lat = IN_GRID.0.to_string();
    let lon = IN_GRID.1.to_string();
    let litter = city.litter.to_string();
    let fields = |key: &str| -> Vec<(String, String)> {
        vec![
            ("api_key".into(), key.into()),
            ("service_code".into(), litter.clone()),
            ("lat".into(), lat.clone()),
            ("long".into(), lon.clone()),
            ("address_string".into(), "雄关东路12号".into()),
            ("description".into(), "路边垃圾堆放三天无人清理".into()),
            (
                "media_url".into(),
                "https://12345.example.cn/p/1.jpg".into(),
            ),
            ("email".into(), "caller@example.cn".into()),
            ("attribute[WHISPER]".into(), "x".into()),
        ]
    };
    let send = |pairs: Vec<(String, String)>, file: &'static str| {
        let app = &app;
        async move {
            let refs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            post(app, file, &refs).await
        }
    };
    let without = |key: &str, drop: &str| -> Vec<(String, String)> {
        fields(key).into_iter().filter(|(k, _)| k != drop).collect()
    };
    let with = |key: &str, name: &str, value: &str| -> Vec<(String, String)> {
        fields(key)
            .into_iter()
            .map(|(k, v)| {
                if k == name {
                    (k, value.to_owned())
                } else {
                    (k, v)
                }
            })
            .collect()
    };

    // Refused, in both formats, and nothing filed.
    let r = send(without(&key, "api_key"), "requests.json").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(error_of(&r).0, 403);
    let r = send(without(&key, "api_key"), "requests.xml").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(xml_error(&r).error[0].code, 403);
    let r = send(fields("zk_not-a-key"), "requests.json").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(without(&key, "service_code"), "requests.json").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(error_of(&r).1.contains("service_code"));
    let r = send(with(&key, "service_code", "4242"), "requests.xml").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(xml_error(&r).error[0].code, 404);
    let r = send(without(&key, "long"), "requests.json").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(with(&key, "lat", "91"), "requests.json").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(without(&key, "description"), "requests.xml").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let x = xml_error(&r);
    assert!(x.error[0].description.starts_with("description"), "{x:?}");
    let r = send(
        with(&key, "media_url", "javascript:alert(1)"),
        "requests.json",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .send(
            app.request(Method::POST, "/open311/v2/requests.json", None)
                .json(&json!({"api_key": key})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "JSON bodies are not the standard's"
    );
    assert_eq!(app.count("reports").await, 0);

    // Accepted: a token, the report waits in the same queue as the web's.
    let r = send(fields(&key), "requests.json").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let token = r.body[0]["token"].as_str().unwrap().to_owned();
    assert!(r.body[0].get("service_request_id").is_none());
    let r = send(fields(&key), "requests.xml").await;
    assert_eq!(r.status, StatusCode::CREATED);
    #[derive(Deserialize)]
    struct Posted {
        request: Vec<PostedOne>,
    }
    #[derive(Deserialize)]
    struct PostedOne {
        token: String,
    }
    let p: Posted = quick_xml::de::from_str(&r.text).unwrap_or_else(|e| panic!("{e}: {}", r.text));
    let second_token = p.request[0].token.clone();
    let queue = app
        .get(
            "/api/v1/moderation/reports?status=pending_review",
            Some(&moderator),
        )
        .await;
    assert_eq!(queue.body["total"], 2);
    let first = &queue.body["items"][0];
    assert_eq!(first["reporter_name"], "12345热线");
    assert_eq!(first["source"], "open311");
    assert_eq!(first["media_url"], "https://12345.example.cn/p/1.jpg");
    assert_eq!(first["address"], "雄关东路12号");
    let id = first["id"].as_i64().unwrap();
    let second = queue.body["items"][1]["id"].as_i64().unwrap();
    assert!(second > id);

    // The moderator's queue says who sent it and links the client's photo.
    let page = app
        .send(
            app.request(Method::GET, "/manage/review", None)
                .header(header::COOKIE, format!("zhuomu_session={moderator}")),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("来自接入系统：12345热线"),
        "{}",
        page.text
    );
    assert!(page.text.contains(
        "href=\"https://12345.example.cn/p/1.jpg\" rel=\"noopener noreferrer nofollow\""
    ));

    // Before review: the token has no id yet, and nothing is listed.
    let r = get(&app, &format!("tokens/{token}.json")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!([{"token": token}]));
    let r = get(&app, "requests.json").await;
    assert_eq!(r.body, json!([]));
    let r = get(&app, &format!("requests/{id}.json")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, "tokens/nope.json").await.status,
        StatusCode::NOT_FOUND
    );

    // Approved: routed by place, no points for a city system.
    let r = app.approve(&moderator, id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (client_points,): (i64,) = sqlx::query_as(
        "SELECT u.points_balance FROM users u JOIN api_keys k ON k.user_id = u.id WHERE k.id = $1",
    )
    .bind(key_id)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(client_points, 0);
    let r = get(&app, &format!("tokens/{token}.json")).await;
    assert_eq!(
        r.body,
        json!([{"service_request_id": id.to_string(), "token": token}])
    );
    let r = get(&app, &format!("tokens/{token}.xml")).await;
    assert!(
        r.text
            .contains(&format!("<service_request_id>{id}</service_request_id>")),
        "{}",
        r.text
    );
    let r = get(&app, &format!("requests/{id}.json")).await;
    assert_eq!(r.status, StatusCode::OK);
    let one = &r.body[0];
    assert_eq!(one["service_request_id"], id.to_string());
    assert_eq!(one["status"], "open");
    assert_eq!(one["service_code"], litter);
    assert_eq!(one["service_name"], "乱扔垃圾");
    assert_eq!(one["agency_responsible"], "雄关街道");
    assert_eq!(one["lat"], IN_GRID.0);
    assert_eq!(one["long"], IN_GRID.1);
    assert_eq!(one["media_url"], "https://12345.example.cn/p/1.jpg");
    assert!(
        one["status_notes"]
            .as_str()
            .unwrap()
            .contains("交办雄关街道"),
        "{one}"
    );
    assert!(
        one["expected_datetime"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    assert!(
        one["requested_datetime"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );

    // The second is merged as a duplicate: its token points at the first.
    let r = app
        .post(
            &format!("/api/v1/reports/{second}/merge"),
            json!({"into_id": id}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = get(&app, &format!("tokens/{second_token}.json")).await;
    assert_eq!(r.body[0]["service_request_id"], id.to_string());

    // A rejected request's token is gone (404), and the request never listed.
    let r = send(fields(&key), "requests.json").await;
    let third_token = r.body[0]["token"].as_str().unwrap().to_owned();
    let third = app
        .get(
            "/api/v1/moderation/reports?status=pending_review",
            Some(&moderator),
        )
        .await
        .body["items"][0]["id"]
        .as_i64()
        .unwrap();
    assert!(third > second);
    let r = app
        .post(
            &format!("/api/v1/reports/{third}/review"),
            json!({"decision": "reject", "reason": "位置不清"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        get(&app, &format!("tokens/{third_token}.json"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let listed: Vec<String> = get(&app, "requests.json")
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, vec![id.to_string()]);

    // A revoked key is refused at once.
    let r = app
        .post(
            &format!("/api/v1/admin/apikeys/{key_id}/revoke"),
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["revoked"], true);
    assert_eq!(r.body["requests"], 3);
    let r = send(fields(&key), "requests.json").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
both!(posted_requests_go_through_review);

async fn requests_filter_by_id_service_status_and_dates(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    app.register("13800138000", "张三").await;
    app.moderator().await;
    // Sessions anew after the clock moves on (tokens expire).
    let token = |phone: &'static str| {
        let app = &app;
        async move {
            app.login(phone, "a-good-passphrase").await.body["token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let citizen = token("13800138000").await;
    let approve = |id: i64| {
        let app = &app;
        async move {
            let moderator = token("13900000001").await;
            let r = app.approve(&moderator, id).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
    };
    // An old one, 100 days ago; then three recent ones, one of them closed.
    let old = app
        .report_id(&citizen, city.litter, IN_GRID, "旧的垃圾")
        .await;
    approve(old).await;
    app.state.clock.advance(100 * DAY_MS);
    let citizen = token("13800138000").await;
    let moderator = token("13900000001").await;
    let litter = app
        .report_id(&citizen, city.litter, IN_GRID, "新的垃圾")
        .await;
    approve(litter).await;
    let parking = app
        .report_id(&citizen, city.parking, NOWHERE, "乱停车")
        .await;
    approve(parking).await;
    let waiting = app
        .report_id(&citizen, city.litter, IN_GRID, "待审核")
        .await;
    // Close the parking one: the traffic unit rectifies, a moderator verifies.
    let (traffic, _) = app.unit_staff("13700000001", city.traffic_unit).await;
    assert_eq!(app.rectify(&traffic, parking).await.status, StatusCode::OK);
    let r = app
        .post(
            &format!("/api/v1/reports/{parking}/verify"),
            json!({"decision": "close"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let ids = |r: &Resp| -> Vec<i64> {
        r.body
            .as_array()
            .unwrap_or_else(|| panic!("{}", r.text))
            .iter()
            .map(|x| x["service_request_id"].as_str().unwrap().parse().unwrap())
            .collect()
    };
    // The last 90 days by default, newest first; never one awaiting review.
    assert_eq!(
        ids(&get(&app, "requests.json").await),
        vec![parking, litter]
    );
    // By id (overrides the rest, old ones included), by service, by status.
    let r = get(
        &app,
        &format!("requests.json?service_request_id={old},{waiting},{litter}&status=closed"),
    )
    .await;
    assert_eq!(ids(&r), vec![litter, old]);
    let r = get(
        &app,
        &format!("requests.json?service_code={}", city.parking),
    )
    .await;
    assert_eq!(ids(&r), vec![parking]);
    let r = get(&app, "requests.json?status=open").await;
    assert_eq!(ids(&r), vec![litter]);
    let r = get(&app, "requests.json?status=closed").await;
    assert_eq!(ids(&r), vec![parking]);
    assert_eq!(
        get(&app, &format!("requests/{parking}.json")).await.body[0]["status"],
        "closed"
    );
    let r = get(
        &app,
        "requests.json?status=open,closed&jurisdiction_id=jiayuguan",
    )
    .await;
    assert_eq!(ids(&r), vec![parking, litter]);
    // Dates: a window around the old one, and one ending before the new ones.
    let now = app.state.clock.now_ms();
    let at = |ms: i64| app.state.clock.rfc3339(ms).replace('+', "%2B");
    let r = get(
        &app,
        &format!(
            "requests.json?start_date={}&end_date={}",
            at(now - 101 * DAY_MS),
            at(now - 99 * DAY_MS)
        ),
    )
    .await;
    assert_eq!(ids(&r), vec![old]);
    // An end alone means the 90 days before it.
    let r = get(
        &app,
        &format!("requests.json?end_date={}", at(now - 95 * DAY_MS)),
    )
    .await;
    assert_eq!(ids(&r), vec![old]);
    let r = get(
        &app,
        &format!("requests.json?end_date={}", at(now - DAY_MS)),
    )
    .await;
    assert_eq!(ids(&r), Vec::<i64>::new());
    // A start alone means 90 days from it.
    let r = get(
        &app,
        &format!("requests.json?start_date={}", at(now - 101 * DAY_MS)),
    )
    .await;
    assert_eq!(ids(&r), vec![old]);
    let r = get(
        &app,
        "requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "more than 90 days");
    // Bad filters: 400 in the asked format.
    for q in [
        "status=pending_review",
        "service_code=abc",
        "start_date=yesterday",
        "service_request_id=1,x",
    ] {
        let r = get(&app, &format!("requests.json?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.text);
        assert_eq!(error_of(&r).0, 400);
        let r = get(&app, &format!("requests.xml?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(xml_error(&r).error[0].code, 400);
    }
    // XML: the same requests, photo links absolute.
    let r = get(&app, "requests.xml").await;
    #[derive(Deserialize)]
    struct Requests {
        request: Vec<Request>,
    }
    #[derive(Deserialize)]
    struct Request {
        service_request_id: String,
        status: String,
        agency_responsible: String,
        lat: f64,
        long: f64,
        media_url: String,
    }
    let x: Requests =
        quick_xml::de::from_str(&r.text).unwrap_or_else(|e| panic!("{e}: {}", r.text));
    assert_eq!(x.request.len(), 2);
    assert_eq!(x.request[0].service_request_id, parking.to_string());
    assert_eq!(x.request[0].status, "closed");
    assert_eq!(x.request[0].agency_responsible, "市交警支队");
    assert_eq!((x.request[1].lat, x.request[1].long), IN_GRID);
    assert!(
        x.request[1]
            .media_url
            .starts_with(&format!("{}/photos/", app.addr)),
        "{}",
        x.request[1].media_url
    );
    let photo = app
        .get(x.request[1].media_url.trim_start_matches(&app.addr), None)
        .await;
    assert_eq!(photo.status, StatusCode::OK, "the photo link works");
}
both!(requests_filter_by_id_service_status_and_dates);

async fn at_most_a_thousand_requests(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let (_, reporter) = app.register("13800138000", "张三").await;
    app.bulk_assigned(&city, reporter, 1005, "bulk").await;
    // A page of 20 by default, up to 1000 with `page_size`, then the rest.
    let r = get(&app, "requests.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.as_array().unwrap().len(), 20);
    let r = get(&app, "requests.json?page_size=1000").await;
    assert_eq!(r.body.as_array().unwrap().len(), 1000);
    let r = get(&app, "requests.json?page_size=1000&page=2").await;
    assert_eq!(r.body.as_array().unwrap().len(), 5);
    for bad in ["page_size=1001", "page_size=0", "page=0", "page=x"] {
        let r = get(&app, &format!("requests.json?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let ids = (1..=1001)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let r = get(&app, &format!("requests.json?service_request_id={ids}")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "more than 1000 ids");
}
both!(at_most_a_thousand_requests);

async fn admins_issue_and_revoke_keys(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let r = app
        .post(
            "/api/v1/admin/apikeys",
            json!({"name": "数字城管"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/admin/apikeys", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .post("/api/v1/admin/apikeys", json!({"name": "x"}), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field_errors(), vec!["name".to_owned()]);
    let (key, id) = issue_key(&app, &admin, "数字城管").await;
    assert!(key.starts_with("zk_") && key.len() > 40);
    let list = app.get("/api/v1/admin/apikeys", Some(&admin)).await;
    assert_eq!(list.status, StatusCode::OK);
    let only = &list.body[0];
    assert_eq!(only["name"], "数字城管");
    assert_eq!(only["prefix"], &key[..10]);
    assert!(!list.text.contains(&key), "the key itself is never listed");
    let (stored,): (String,) = sqlx::query_as("SELECT key_hash FROM api_keys WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_ne!(stored, key, "kept hashed");
    // The client's account cannot log in, and is not a phone number.
    let (phone,): (String,) =
        sqlx::query_as("SELECT u.phone FROM users u JOIN api_keys k ON k.user_id = u.id")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(phone.starts_with("open311:"));
    // Disabling the client's account in the users console stops the key too.
    let (client,): (i64,) = sqlx::query_as("SELECT user_id FROM api_keys WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let post = |key: String| {
        let app = &app;
        async move {
            post(
                app,
                "requests.json",
                &[
                    ("api_key", &key),
                    ("service_code", "1"),
                    ("lat", "39.77"),
                    ("long", "98.29"),
                    ("description", "x"),
                ],
            )
            .await
            .status
        }
    };
    assert_eq!(
        post(key.clone()).await,
        StatusCode::NOT_FOUND,
        "the key passes (no such service)"
    );
    let r = app
        .post(
            &format!("/api/v1/admin/users/{client}/disable"),
            json!({"reason": "停止接入"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(post(key.clone()).await, StatusCode::FORBIDDEN);
    let r = app
        .post(
            &format!("/api/v1/admin/users/{client}/enable"),
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(post(key.clone()).await, StatusCode::NOT_FOUND);
    let path = format!("/api/v1/admin/apikeys/{id}/revoke");
    assert_eq!(
        app.post(&path, json!({}), Some(&moderator)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&path, json!({}), Some(&admin)).await.status,
        StatusCode::OK
    );
    let again = app.post(&path, json!({}), Some(&admin)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "invalid_transition");
    assert_eq!(
        app.post("/api/v1/admin/apikeys/4242/revoke", json!({}), Some(&admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let audit = app
        .get("/api/v1/admin/audit?action=apikey", Some(&admin))
        .await;
    assert_eq!(audit.body["total"], 2, "{}", audit.text);
}
both!(admins_issue_and_revoke_keys);
