//! The admin's city page without JavaScript.

#[allow(unused_imports)]
use super::*;

/// The admin's city page without script: a unit, a category routed to it
/// and a grid pasted as GeoJSON; bad GeoJSON is refused in words; admins
/// only.
async fn admin_city_page(e: Engine) {
    let app = TestApp::spawn(e).await;
    let admin = app.admin().await;
    let (moderator, _) = app.moderator().await;
    let web = Plain(&app);
    assert_eq!(
        web.page("/admin/city", Some(&moderator)).await.status,
        StatusCode::FORBIDDEN
    );
    let r = web
        .form("/api/fn/add_unit", "/admin/city", "name=峪泉镇", &admin)
        .await;
    assert_eq!(web.location(&r), "/admin/city?saved=unit");
    let unit = app.get("/api/v1/units", None).await.body[0]["id"]
        .as_i64()
        .unwrap();
    let r = web
        .form(
            "/api/fn/add_category",
            "/admin/city",
            format!("name=农村人居环境&points=6&sla_days=5&unit_id={unit}"),
            &admin,
        )
        .await;
    assert_eq!(web.location(&r), "/admin/city?saved=category");
    let r = web
        .form(
            "/api/fn/add_category",
            "/admin/city",
            "name=空积分&points=&sla_days=3&unit_id=",
            &admin,
        )
        .await;
    let refused = web.page(web.location(&r), Some(&admin)).await;
    assert!(refused.text.contains("请填写积分"), "{}", refused.text);
    // Changed in place: the deadline and back to routing by place.
    let category = app.get("/api/v1/categories", None).await.body[0]["id"]
        .as_i64()
        .unwrap();
    let page = web.page("/admin/city", Some(&admin)).await;
    assert!(
        page.text
            .contains(&format!("data-test-id=\"edit-category-{category}\""))
    );
    let r = web
        .form(
            "/api/fn/edit_category",
            "/admin/city",
            format!("id={category}&name=农村人居环境&points=6&sla_days=10&unit_id="),
            &admin,
        )
        .await;
    assert_eq!(web.location(&r), "/admin/city?saved=category");
    let changed = &app.get("/api/v1/categories", None).await.body[0];
    assert_eq!(changed["sla_days"], 10);
    assert_eq!(changed["unit_id"], serde_json::Value::Null);
    let r = web
        .form(
            "/api/fn/edit_category",
            "/admin/city",
            format!("id={category}&name=农村人居环境&points=6&sla_days=0&unit_id="),
            &admin,
        )
        .await;
    let refused = web.page(web.location(&r), Some(&admin)).await;
    assert!(
        refused.text.contains("整改期限应在1到90天之间"),
        "{}",
        refused.text
    );
    let r = web
        .form(
            "/api/fn/edit_category",
            "/admin/city",
            format!("id={category}&name=x&points=1&sla_days=1&unit_id="),
            &moderator,
        )
        .await;
    assert_ne!(web.location(&r), "/admin/city?saved=category");
    assert_eq!(
        app.get("/api/v1/categories", None).await.body[0]["sla_days"],
        10
    );
    let geojson = r#"{"type":"Polygon","coordinates":[[[98.10,39.60],[98.12,39.60],[98.12,39.62],[98.10,39.60]]]}"#;
    let body = format!(
        "name=峪泉网格&kind=grid&unit_id={unit}&buffer_m=&geojson={}",
        form_urlencoded::byte_serialize(geojson.as_bytes()).collect::<String>()
    );
    let r = web
        .form("/api/fn/add_area", "/admin/city", &body, &admin)
        .await;
    assert_eq!(web.location(&r), "/admin/city?saved=area");
    let page = web.page("/admin/city?saved=area", Some(&admin)).await;
    assert!(
        page.text.contains("峪泉镇")
            && page.text.contains("农村人居环境")
            && page.text.contains("峪泉网格")
    );
    assert!(page.text.contains("map-grid"), "the grid is on the map");
    let areas = app.get("/api/v1/areas", None).await;
    assert_eq!(areas.body[0]["unit_id"], unit);
    let r = web
        .form(
            "/api/fn/add_area",
            "/admin/city",
            format!("name=坏区域&kind=grid&unit_id={unit}&geojson=not-json"),
            &admin,
        )
        .await;
    let refused = web.page(web.location(&r), Some(&admin)).await;
    assert!(
        refused.text.contains("不是有效的 GeoJSON"),
        "{}",
        refused.text
    );
    let (audits,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE target_type IN ('unit', 'category', 'area')",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        audits, 4,
        "every change audited (unit, category, its edit, area)"
    );
}
both!(admin_city_page);

/// With a base map configured, every map has its tiles under the areas
/// (and the page's CSP lets them load); without one, the drawn schematic
/// alone, and the CSP allows no other image origin.
async fn maps_draw_a_configured_base_map_under_the_areas(e: Engine) {
    let source = app::domain::map::TileSource::parse(
        "https://tiles.example.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=demo",
        "© 天地图 & <测试>",
    )
    .unwrap();
    let with = TestApp::spawn_with(e, |c| c.map_tiles = Some(source)).await;
    with.city().await;
    let without = TestApp::spawn(e).await;
    without.city().await;
    for path in ["/reports", "/volunteer"] {
        let page = with.get(path, None).await;
        assert_eq!(page.status, StatusCode::OK);
        let tiles = page.text.matches("<image class=\"map-tile\"").count();
        assert!(tiles >= 1, "{path}: no tiles");
        assert!(
            page.text
                .contains("href=\"https://tiles.example.cn/vec_w/wmts?TILEMATRIX="),
            "{path}"
        );
        assert!(
            page.text.contains("&amp;tk=demo\""),
            "the URL is escaped in the attribute"
        );
        assert!(
            page.text.contains("© 天地图 &amp; &lt;测试&gt;"),
            "{path}: the attribution, escaped"
        );
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("img-src 'self' data: blob: https://tiles.example.cn;"),
            "{csp}"
        );

        let plain = without.get(path, None).await;
        assert!(!plain.text.contains("map-tile"), "{path}");
        let csp = plain.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("img-src 'self' data: blob:;"), "{csp}");
    }
}
both!(maps_draw_a_configured_base_map_under_the_areas);
