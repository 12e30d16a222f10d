use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::helpers::{Engine, TestApp};

async fn admins_write_city_data_and_everybody_reads_it(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, _) = app.register("13800138000", "张三").await;

    let unit = app
        .post(
            "/api/v1/admin/units",
            json!({"name": "市公安局交警支队"}),
            Some(&admin),
        )
        .await;
    assert_eq!(unit.status, StatusCode::CREATED, "{}", unit.text);
    let unit_id = unit.body["id"].as_i64().unwrap();
    assert_eq!(
        app.post(
            "/api/v1/admin/units",
            json!({"name": "市公安局交警支队"}),
            Some(&admin)
        )
        .await
        .code(),
        "name_taken"
    );
    assert_eq!(
        app.post("/api/v1/admin/units", json!({"name": " "}), Some(&admin))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.post("/api/v1/admin/units", json!({"name": "x"}), Some(&citizen))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/api/v1/admin/units", json!({"name": "x"}), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let cat = app
        .post(
            "/api/v1/admin/categories",
            json!({"name": "机动车违停", "points": 5, "sla_days": 1, "unit_id": unit_id}),
            Some(&admin),
        )
        .await;
    assert_eq!(cat.status, StatusCode::CREATED, "{}", cat.text);
    assert_eq!(
        cat.body,
        json!({"id": cat.body["id"], "name": "机动车违停", "points": 5, "sla_days": 1, "unit_id": unit_id})
    );
    let bad = app
        .post(
            "/api/v1/admin/categories",
            json!({"name": "", "points": -1, "sla_days": 0}),
            Some(&admin),
        )
        .await;
    let mut fields = bad.field_errors();
    fields.sort();
    assert_eq!(fields, ["name", "points", "sla_days"]);
    let r = app
        .post(
            "/api/v1/admin/categories",
            json!({"name": "乱扔垃圾", "points": 5, "sla_days": 1, "unit_id": 999}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.field_errors(), ["unit_id"]);

    let grid = json!({"name": "雄关区第一网格", "kind": "grid", "unit_id": unit_id,
        "polygon": [[[98.27, 39.76], [98.29, 39.76], [98.29, 39.775], [98.27, 39.775], [98.27, 39.76]]]});
    let r = app.post("/api/v1/admin/areas", grid, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let segment = json!({"name": "雄关东路", "kind": "segment", "unit_id": unit_id, "line": [[98.289, 39.772], [98.305, 39.772]], "buffer_m": 30});
    let r = app.post("/api/v1/admin/areas", segment, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["line"], json!([[98.289, 39.772], [98.305, 39.772]]));
    assert_eq!(r.body["buffer_m"], 30.0);

    for (bad, field) in [
        (
            json!({"name": "坏网格", "kind": "grid", "unit_id": unit_id, "polygon": [[[98.27, 39.76], [98.29, 39.76], [98.29, 39.775]]]}),
            "polygon",
        ),
        (
            json!({"name": "坏网格", "kind": "grid", "unit_id": unit_id, "line": [[98.0, 39.0], [98.1, 39.0]]}),
            "line",
        ),
        (
            json!({"name": "坏网格", "kind": "ring", "unit_id": unit_id, "polygon": []}),
            "kind",
        ),
        (
            json!({"name": "坏路段", "kind": "segment", "unit_id": unit_id, "line": [[98.0, 39.0], [98.1, 39.0]], "buffer_m": 9000}),
            "buffer_m",
        ),
        (
            json!({"name": "坏路段", "kind": "segment", "unit_id": unit_id, "line": [[198.0, 39.0], [98.1, 39.0]]}),
            "line",
        ),
    ] {
        let r = app.post("/api/v1/admin/areas", bad, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.field_errors(), [field], "{}", r.text);
    }
    let r = app
        .post(
            "/api/v1/admin/areas",
            json!({"name": "坏", "kind": "grid", "unit_id": unit_id, "polygon": "nope"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let units = app.get("/api/v1/units", None).await;
    assert_eq!(
        units.body,
        json!([{"id": unit_id, "name": "市公安局交警支队"}])
    );
    let cats = app.get("/api/v1/categories", None).await;
    assert_eq!(cats.body.as_array().unwrap().len(), 1);
    let areas = app.get("/api/v1/areas", None).await;
    let areas = areas.body.as_array().unwrap();
    assert_eq!(areas.len(), 2);
    assert_eq!(areas[0]["kind"], "grid");
    assert_eq!(areas[0]["polygon"][0][0], json!([98.27, 39.76]));
    assert_eq!(areas[1]["kind"], "segment");
}
both!(admins_write_city_data_and_everybody_reads_it);

async fn the_demo_city_seeds_idempotently(e: Engine) {
    let app = TestApp::spawn(e).await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds/jiayuguan.json");
    let first = zhuomu_server::seed::load(&app.state, &file, true)
        .await
        .unwrap();
    assert!(first.created.iter().all(|(_, n)| *n > 0), "{first}");
    let counts = (
        app.count("units").await,
        app.count("categories").await,
        app.count("areas").await,
        app.count("users").await,
    );
    assert!(counts.1 >= 8, "at least 8 categories");
    let second = zhuomu_server::seed::load(&app.state, &file, true)
        .await
        .unwrap();
    assert!(second.created.iter().all(|(_, n)| *n == 0), "{second}");
    assert_eq!(
        counts,
        (
            app.count("units").await,
            app.count("categories").await,
            app.count("areas").await,
            app.count("users").await
        )
    );
    // The demo admin can log in.
    assert_eq!(
        app.login("13900000001", "zhuomu-admin-2026").await.body["user"]["roles"],
        json!(["citizen", "admin"])
    );
    // Areas lie around 嘉峪关 (39.77 N, 98.29 E).
    for a in app
        .get("/api/v1/areas", None)
        .await
        .body
        .as_array()
        .unwrap()
    {
        let first = a
            .get("polygon")
            .map(|p| p[0][0].clone())
            .unwrap_or_else(|| a["line"][0].clone());
        let (lon, lat) = (first[0].as_f64().unwrap(), first[1].as_f64().unwrap());
        assert!(
            (lat - 39.77).abs() < 0.1 && (lon - 98.29).abs() < 0.1,
            "{a}"
        );
    }
}
both!(the_demo_city_seeds_idempotently);

async fn bad_seed_data_is_refused_by_the_same_validation(e: Engine) {
    let app = TestApp::spawn(e).await;
    let file: zhuomu_server::seed::SeedFile = serde_json::from_value(json!({
        "city": "测试", "units": ["单位甲"],
        "categories": [{"name": "乱停车", "points": 500, "sla_days": 1}],
        "areas": []
    }))
    .unwrap();
    let err = zhuomu_server::seed::load_file(&app.state, file, false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("points"), "{err}");
    assert_eq!(app.count("categories").await, 0);
}
both!(bad_seed_data_is_refused_by_the_same_validation);

async fn control_characters_are_refused_on_both_engines(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let r = app
        .post(
            "/api/v1/admin/units",
            json!({"name": "市\u{0000}城管"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.field_errors(), ["name"]);
    let (_, id) = app.register("13800138000", "张三").await;
    let r = app
        .post(
            "/api/v1/admin/points/adjust",
            json!({"user_id": id, "delta": 5, "reason": "奖励\u{0000}"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(app.count("units").await, 0);
}
both!(control_characters_are_refused_on_both_engines);

async fn admins_change_a_category_for_reports_to_come(e: Engine) {
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    // A report approved under the old deadline keeps it.
    let before = app
        .report_id(&citizen, city.litter, crate::helpers::IN_GRID, "垃圾")
        .await;
    let r = app.approve(&moderator, before).await;
    let old_deadline = r.body["deadline"].as_str().unwrap().to_owned();

    let path = format!("/api/v1/admin/categories/{}", city.litter);
    let body = json!({"name": "乱扔垃圾", "points": 8, "sla_days": 7, "unit_id": city.street_unit});
    let put = |token: &str, body: serde_json::Value| {
        let app = &app;
        let path = path.clone();
        let token = token.to_owned();
        async move {
            app.send(
                app.request(reqwest::Method::PUT, &path, Some(&token))
                    .json(&body),
            )
            .await
        }
    };
    assert_eq!(
        put(&moderator, body.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.send(app.request(reqwest::Method::PUT, &path, None).json(&body))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = put(
        &admin,
        json!({"name": "乱停乱放", "points": 8, "sla_days": 7}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "another category's name");
    assert_eq!(r.code(), "name_taken");
    let r = put(&admin, json!({"name": "", "points": 101, "sla_days": 0})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = r.field_errors();
    fields.sort();
    assert_eq!(fields, vec!["name", "points", "sla_days"]);
    let r = put(
        &admin,
        json!({"name": "x", "points": 1, "sla_days": 1, "unit_id": 4242}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .send(
            app.request(
                reqwest::Method::PUT,
                "/api/v1/admin/categories/4242",
                Some(&admin),
            )
            .json(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let cats = app.get("/api/v1/categories", None).await;
    assert_eq!(cats.body[0]["sla_days"], 3, "nothing changed by refusals");

    let r = put(&admin, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["sla_days"], 7);
    assert_eq!(r.body["unit_id"], city.street_unit);
    // The old report keeps its deadline; a new one gets 7 days, the new
    // points and the category's own unit.
    let old = app.get(&format!("/api/v1/reports/{before}"), None).await;
    assert_eq!(old.body["deadline"], old_deadline);
    let after = app
        .report_id(&citizen, city.litter, crate::helpers::IN_GRID, "又是垃圾")
        .await;
    let r = app.approve(&moderator, after).await;
    assert_eq!(r.body["unit_id"], city.street_unit);
    let created = app.state.clock.now_ms();
    let deadline =
        app::backend::clock::parse_instant(r.body["deadline"].as_str().unwrap()).unwrap();
    assert!((deadline - created - 7 * 24 * 3600 * 1000).abs() < 60_000);
    let audit = app
        .get(
            &format!(
                "/api/v1/admin/audit?action=category.update&target_id={}",
                city.litter
            ),
            Some(&admin),
        )
        .await;
    let detail = audit.body["items"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("sla_days=3") && detail.contains("sla_days=7"),
        "{detail}"
    );
}
both!(admins_change_a_category_for_reports_to_come);

async fn every_page_says_who_runs_the_portal(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (citizen, _) = app.register("13800138000", "张三").await;
    // Unset: empty strings, and the footer has only the privacy link.
    let unset = app.get("/api/v1/portal", None).await;
    assert_eq!(unset.status, StatusCode::OK);
    assert_eq!(
        unset.body,
        json!({"city": "", "office": "", "hotline": "", "filing": ""})
    );
    let put = |body: serde_json::Value, token: Option<String>| {
        let app = &app;
        async move {
            app.send(
                app.request(
                    reqwest::Method::PUT,
                    "/api/v1/admin/portal",
                    token.as_deref(),
                )
                .json(&body),
            )
            .await
        }
    };
    let good = json!({"city": "嘉峪关", "office": "嘉峪关市文明办", "hotline": "0937-12345", "filing": "陇ICP备12345678号-1"});
    assert_eq!(
        put(good.clone(), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        put(good.clone(), Some(citizen)).await.status,
        StatusCode::FORBIDDEN
    );
    // Bad input: a clear error per field, nothing written.
    let nul = put(
        json!({"city": "嘉峪关", "office": "文明办\u{0}", "hotline": "12345", "filing": "备案"}),
        Some(admin.clone()),
    )
    .await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nul.text);
    assert_eq!(nul.field_errors(), ["office"], "{}", nul.text);
    let bad = put(
        json!({"city": "嘉峪关", "office": "文明办\u{7}", "hotline": "<b>12345</b>", "filing": ""}),
        Some(admin.clone()),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert_eq!(
        bad.field_errors(),
        ["office", "hotline", "filing"],
        "{}",
        bad.text
    );
    assert_eq!(app.count("portal_profile").await, 0);

    let set = put(good.clone(), Some(admin.clone())).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert_eq!(set.body, good);
    assert_eq!(app.get("/api/v1/portal", None).await.body, good);
    // Every page's footer, markup in a name shown as text.
    let marked = json!({"city": "嘉峪关", "office": "<script>alert(1)</script>文明办", "hotline": "12345", "filing": "陇ICP备12345678号-1"});
    assert_eq!(
        put(marked, Some(admin.clone())).await.status,
        StatusCode::OK
    );
    for path in ["/", "/reports", "/login"] {
        let page = app.get(path, None).await;
        assert!(
            page.text.contains("data-test-id=\"portal-footer\""),
            "{path}"
        );
        let footer = page
            .text
            .split("data-test-id=\"portal-footer\"")
            .nth(1)
            .unwrap_or("");
        assert!(
            footer.contains("&lt;script&gt;alert(1)&lt;/script&gt;文明办"),
            "{path}: {}",
            &footer[..footer.len().min(600)]
        );
        assert!(!page.text.contains("<script>alert(1)"), "{path}");
        assert!(page.text.contains("href=\"tel:12345\""), "{path}");
        assert!(page.text.contains("陇ICP备12345678号-1"), "{path}");
    }
    // The seed sets it only where no admin has: a second seed keeps the admin's.
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds/jiayuguan.json");
    zhuomu_server::seed::load(&app.state, &file, false)
        .await
        .unwrap();
    assert_eq!(
        app.get("/api/v1/portal", None).await.body["hotline"],
        "12345"
    );
    assert_eq!(app.count("portal_profile").await, 1);
}
both!(every_page_says_who_runs_the_portal);

async fn the_seed_sets_who_runs_the_demo_portal(e: Engine) {
    let app = TestApp::spawn(e).await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds/jiayuguan.json");
    zhuomu_server::seed::load(&app.state, &file, false)
        .await
        .unwrap();
    let p = app.get("/api/v1/portal", None).await.body;
    assert_eq!(p["city"], "嘉峪关");
    assert!(p["office"].as_str().unwrap().contains("文明办"), "{p}");
    assert_eq!(p["hotline"], "12345");
}
both!(the_seed_sets_who_runs_the_demo_portal);

async fn a_position_is_named_by_its_segment_or_grid_and_unit(e: Engine) {
    use crate::helpers::{IN_GRID, NOWHERE, ON_STREET};
    let app = TestApp::spawn(e).await;
    let city = app.city().await;
    let at = |(lat, lon): (f64, f64), category: Option<i64>| {
        let cat = category
            .map(|c| format!("&category_id={c}"))
            .unwrap_or_default();
        format!("/api/v1/areas/at?lat={lat}&lon={lon}{cat}")
    };
    // Anyone may ask (the form asks as the pin moves): the street first,
    // with the unit that owns it…
    let r = app.get(&at(ON_STREET, Some(city.litter)), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["label"], "新华路 · 交市城管局");
    assert_eq!(r.body["area_kind"], "segment");
    assert_eq!(r.body["unit_id"], city.street_unit);
    // …the category's own unit before the place's, as routing does…
    let r = app.get(&at(IN_GRID, Some(city.parking)), None).await;
    assert_eq!(r.body["label"], "雄关一网格 · 交市交警支队");
    assert_eq!(r.body["unit_id"], city.traffic_unit);
    // …and outside every area, who decides.
    let r = app.get(&at(NOWHERE, None), None).await;
    assert_eq!(r.body["area_id"], serde_json::Value::Null);
    assert_eq!(
        r.body["label"],
        "不在已划分的路段或网格内，审核员会指定责任单位"
    );
    // Bad input is a field error.
    for bad in [
        "/api/v1/areas/at?lat=91&lon=98.29".to_owned(),
        "/api/v1/areas/at?lon=98.29".to_owned(),
        at(IN_GRID, Some(999_999)),
    ] {
        let r = app.get(&bad, None).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.text
        );
    }
    let r = app.get("/api/v1/areas/at?lat=abc&lon=98.29", None).await;
    assert!(r.status.is_client_error(), "{}", r.text);

    // A new area names its places at once on this server.
    let admin = app.admin().await;
    let r = app
        .post(
            "/api/v1/admin/areas",
            json!({"name": "远郊网格", "kind": "grid", "unit_id": city.grid_unit,
                   "polygon": [[[98.49, 39.89], [98.51, 39.89], [98.51, 39.91], [98.49, 39.91], [98.49, 39.89]]]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        app.get(&at(NOWHERE, None), None).await.body["label"],
        "远郊网格 · 交雄关街道"
    );

    // Lists, cards and the report itself name the place with the address.
    let (citizen, _) = app.register("13800138031", "李四").await;
    let id = app
        .report_id(&citizen, city.litter, ON_STREET, "路边有垃圾")
        .await;
    let r = app
        .get(&format!("/api/v1/reports/{id}"), Some(&citizen))
        .await;
    assert_eq!(r.body["area_name"], "新华路");
    let page = app
        .send(
            app.request(reqwest::Method::GET, &format!("/reports/{id}"), None)
                .header(reqwest::header::COOKIE, format!("zhuomu_session={citizen}")),
        )
        .await;
    assert!(
        page.text.contains("新华路 · 新华南路与雄关东路交叉口"),
        "{}",
        page.text
    );
}
both!(a_position_is_named_by_its_segment_or_grid_and_unit);
