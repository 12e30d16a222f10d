use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::helpers::{Engine, TestApp};

async fn health_and_readiness(e: Engine) {
    let app = TestApp::spawn(e).await;
    let r = app.get("/healthz", None).await;
    assert_eq!(
        (r.status, r.body.clone()),
        (StatusCode::OK, json!({"status": "ok"}))
    );
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    app.state.db.pool.close().await;
    assert_eq!(
        app.get("/readyz", None).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
}
both!(health_and_readiness);

async fn unknown_api_paths_and_methods_are_problems(e: Engine) {
    let app = TestApp::spawn(e).await;
    for path in [
        "/api/v1/nothing",
        "/api/v2/me",
        "/api/anything/else",
        "/api/v1/admin/users/1/roles/x",
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.headers["content-type"], "application/problem+json");
        assert_eq!(r.code(), "not_found");
    }
    let r = app
        .send(app.request(Method::DELETE, "/api/v1/categories", None))
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.code(), "method_not_allowed");
}
both!(unknown_api_paths_and_methods_are_problems);

async fn openapi_covers_every_endpoint(e: Engine) {
    let app = TestApp::spawn(e).await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc.body["paths"].as_object().unwrap();
    for (method, path) in [
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/logout"),
        ("get", "/api/v1/me"),
        ("post", "/api/v1/admin/users/{id}/roles"),
        ("get", "/api/v1/admin/users"),
        ("get", "/api/v1/me/points"),
        ("get", "/api/v1/me/points/ledger"),
        ("post", "/api/v1/admin/points/adjust"),
        ("get", "/api/v1/categories"),
        ("post", "/api/v1/admin/categories"),
        ("get", "/api/v1/units"),
        ("post", "/api/v1/admin/units"),
        ("get", "/api/v1/areas"),
        ("post", "/api/v1/admin/areas"),
        ("get", "/healthz"),
        ("get", "/readyz"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from OpenAPI"
        );
    }
    // The router and the document come from one declaration (`routes!` in
    // http/mod.rs); a route added beside it, by hand, would go undocumented.
    let table = include_str!("../../src/http/mod.rs");
    let by_hand: Vec<&str> = table
        .split(".route(")
        .skip(1)
        .map(|chunk| chunk.split('"').nth(1).unwrap())
        .collect();
    assert_eq!(
        by_hand,
        ["/api/v1/openapi.json"],
        "routes outside `routes!`"
    );
    // Each operation has its responses; each error response is problem+json.
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}: no responses");
            for (status, response) in responses {
                if status.starts_with('4') && response.get("content").is_some() {
                    assert!(
                        response["content"]
                            .get("application/problem+json")
                            .is_some(),
                        "{method} {path} {status}: errors are problem+json"
                    );
                }
            }
        }
    }
    assert!(operations > 90, "read the document: {operations}");
    // And nothing documented that does not answer.
    let admin = app.admin().await;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "1");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = app
                .send(app.request(m, &concrete, Some(&admin)).json(&json!({})))
                .await;
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                r.code() != "not_found" || path.contains("{id}"),
                "{method} {path}: {}",
                r.text
            );
            assert!(r.status.as_u16() < 500, "{method} {path}: {}", r.text);
        }
    }
}
both!(openapi_covers_every_endpoint);

async fn security_headers_on_every_response(e: Engine) {
    let app = TestApp::spawn(e).await;
    for path in [
        "/api/v1/categories",
        "/",
        "/nothing",
        "/api/v1/nothing",
        "/healthz",
    ] {
        let r = app.get(path, None).await;
        assert_eq!(r.headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            r.headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(r.headers.contains_key("x-request-id"), "{path}");
    }
    // A page's CSP allows exactly its own nonce'd scripts and WASM.
    let page = app.get("/", None).await;
    let csp = page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("'wasm-unsafe-eval'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        page.text.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    assert!(
        !csp.contains("'unsafe-inline' 'nonce")
            && !csp.contains("script-src 'self' 'unsafe-inline'")
    );
    let again = app.get("/", None).await;
    assert_ne!(
        again.headers["content-security-policy"], page.headers["content-security-policy"],
        "fresh nonce per response"
    );
}
both!(security_headers_on_every_response);

async fn boom() -> &'static str {
    panic!("SELECT secret FROM internals")
}

async fn a_panic_is_a_bare_500(e: Engine) {
    let app = TestApp::spawn(e).await;
    // The same middleware stack as the real router, around a route that panics.
    let routes = zhuomu_server::routes(&app.state).route("/boom", axum::routing::get(boom));
    let router = zhuomu_server::with_layers(routes, app.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let res = app
        .client
        .get(format!("http://{addr}/boom"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let text = res.text().await.unwrap();
    assert!(
        !text.contains("secret") && !text.contains("panic"),
        "{text}"
    );
    assert!(text.contains("\"code\":\"internal\""));
    // The server goes on answering.
    let ok = app
        .client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}
both!(a_panic_is_a_bare_500);

async fn oversized_bodies_are_413_everywhere(e: Engine) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn(e).await;
    let host = app.addr.trim_start_matches("http://").to_owned();
    // Announce a length, send a little: the status line of the answer.
    let announce = |path: &'static str, length: usize, kind: &'static str| {
        let host = host.clone();
        async move {
            let mut tcp = tokio::net::TcpStream::connect(&host).await.unwrap();
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: {kind}\r\n\
                 Content-Length: {length}\r\nConnection: close\r\n\r\n{{\"phone\": \""
            );
            tcp.write_all(head.as_bytes()).await.unwrap();
            let mut answer = String::new();
            tcp.read_to_string(&mut answer).await.unwrap();
            answer
        }
    };
    let json = "application/json";
    // Nominations take a photo (multipart) or JSON: JSON has the small limit.
    for path in [
        "/api/v1/auth/login",
        "/api/fn/login",
        "/api/v1/admin/areas",
        "/api/v1/campaigns/1/nominations",
    ] {
        // 2 MiB: refused before the body is read.
        let answer = announce(path, 2 * 1024 * 1024, json).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        assert!(
            answer.contains("application/problem+json") && answer.contains("payload_too_large"),
            "{path}: {answer}"
        );
    }
    // A body sent without a length (chunked) is cut off at the limit too.
    for path in ["/api/v1/auth/login", "/api/v1/admin/areas"] {
        let mut tcp = tokio::net::TcpStream::connect(&host).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
        for _ in 0..32 {
            // The server may answer and close before all of it is sent.
            if tcp.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
        }
        let _ = tcp.write_all(b"0\r\n\r\n").await;
        let mut answer = String::new();
        let _ = tcp.read_to_string(&mut answer).await;
        let status = answer.split(' ').nth(1).unwrap_or_default();
        // Every JSON body is read (to the cap, to look for NUL bytes) before
        // any handler: 413. Never 5xx, never a body past the cap.
        let expected = "413";
        assert_eq!(status, expected, "{path}: {answer}");
    }
    // The routes whose documented body is multipart take uploads: 2 MiB
    // passes the limit (and meets the sign-in check), one byte past
    // `UPLOAD_LIMIT` does not.
    let form = "multipart/form-data; boundary=x";
    for path in [
        "/api/v1/reports",
        "/api/v1/reports/1/rectify",
        "/api/v1/admin/gifts/1/photo",
        "/api/v1/redemptions/scan",
        "/api/v1/campaigns/1/nominations",
    ] {
        let answer = announce(path, 2 * 1024 * 1024, form).await;
        assert!(answer.starts_with("HTTP/1.1 401"), "{path}: {answer}");
        let answer = announce(path, zhuomu_server::UPLOAD_LIMIT + 1, form).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
    }
}
both!(oversized_bodies_are_413_everywhere);

async fn hsts_when_served_over_https(e: Engine) {
    let app = TestApp::spawn_with(e, |c| {
        c.public_origin = Some("https://zhuomu.example.cn".into())
    })
    .await;
    let r = app.get("/healthz", None).await;
    assert_eq!(r.headers["strict-transport-security"], "max-age=31536000");
    let plain = TestApp::spawn(e).await;
    assert!(
        !plain
            .get("/healthz", None)
            .await
            .headers
            .contains_key("strict-transport-security")
    );
    // And login cookies are Secure there.
    let body = app
        .registration("13800138000", "a-good-passphrase", "张三")
        .await;
    let r = app.post("/api/v1/auth/register", body, None).await;
    assert!(r.set_cookie().unwrap().contains("Secure"));
}
both!(hsts_when_served_over_https);

/// The served OpenAPI document is kept in the repository
/// (`server/tests/api/openapi.json`), so every change of the contract shows
/// in review as a diff of that file. After a deliberate change, write it
/// anew with `ZHUOMU_UPDATE_SNAPSHOT=1 cargo test --test api openapi_snapshot`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_snapshot() {
    crate::helpers::within_time_limit(async {
        let app = TestApp::spawn(Engine::Sqlite).await;
        let doc = app.get("/api/v1/openapi.json", None).await;
        assert_eq!(doc.status, StatusCode::OK);
        // Keys sorted (serde_json's map), two-space indents, a final newline.
        let served = serde_json::to_string_pretty(&doc.body).unwrap() + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/openapi.json");
        if std::env::var_os("ZHUOMU_UPDATE_SNAPSHOT").is_some() {
            std::fs::write(path, &served).unwrap();
        }
        let kept = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            kept == served,
            "the OpenAPI document changed: review the change, then write it anew with \
             ZHUOMU_UPDATE_SNAPSHOT=1 cargo test --test api openapi_snapshot"
        );
    })
    .await
}
