//! `TestApp::spawn(backend)`: a fresh database (a temporary SQLite file, or a
//! new database in the PostgreSQL cluster of `TEST_DATABASE_URL`), migrated,
//! served on 127.0.0.1:0, with typed request helpers.

use std::sync::Arc;

use app::backend::auth::Auth;
use app::backend::{AppState, Clock, Config, Db};
use app::domain::{DisplayName, Password, Phone, Roles};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub addr: String,
    pub state: AppState,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    pub fn field_errors(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }
}

/// The URL of a new, empty database on `engine`.
pub async fn fresh_database_url(engine: Engine, dir: &std::path::Path) -> String {
    match engine {
        Engine::Sqlite => format!("sqlite://{}/test.db", dir.display()),
        Engine::Postgres => {
            let base = std::env::var("TEST_DATABASE_URL").expect(
                "PostgreSQL tests need TEST_DATABASE_URL (scripts/test.sh starts a cluster and sets it)",
            );
            let name = format!("zt_{}", uuid::Uuid::new_v4().simple());
            let admin = Db::connect(&base)
                .await
                .expect("connect to TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin.pool)
                .await
                .expect("create test database");
            admin.pool.close().await;
            let mut url = url::Url::parse(&base).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&name);
            url.to_string()
        }
    }
}

async fn database(engine: Engine, dir: &std::path::Path) -> Db {
    let url = fresh_database_url(engine, dir).await;
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    db
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> TestApp {
        Self::spawn_with(engine, |_| {}).await
    }

    /// With settings changed from the defaults.
    pub async fn spawn_with(engine: Engine, configure: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = database(engine, dir.path()).await;
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        configure(&mut config);
        let state = AppState {
            db,
            clock: Clock::new(chrono_tz::Asia::Shanghai),
            auth: Arc::new(Auth::new(b"test secret, test secret, test secret!")),
            config: Arc::new(config),
            leptos_options: zhuomu_server::leptos_options(
                dir.path().join("site").to_str().unwrap(),
            ),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let router = zhuomu_server::router(state.clone());
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            addr,
            state,
            client,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.addr, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut r = self.client.request(method, self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(self.request(Method::GET, path, token)).await
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Resp {
        self.send(self.request(Method::POST, path, token).json(&body))
            .await
    }

    /// Registers through the API; returns (token, user id).
    pub async fn register(&self, phone: &str, name: &str) -> (String, i64) {
        let r = self
            .post(
                "/api/v1/auth/register",
                json!({"phone": phone, "password": "a-good-passphrase", "display_name": name}),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        (
            r.body["token"].as_str().unwrap().to_owned(),
            r.body["user"]["id"].as_i64().unwrap(),
        )
    }

    pub async fn login(&self, phone: &str, password: &str) -> Resp {
        self.post(
            "/api/v1/auth/login",
            json!({"phone": phone, "password": password}),
            None,
        )
        .await
    }

    /// An account with the given roles, created the way the CLI does; returns
    /// (token, id).
    pub async fn user_with_roles(
        &self,
        phone: &str,
        roles: &[&str],
        unit_id: Option<i64>,
    ) -> (String, i64) {
        let row = app::backend::users::create(
            &self.state,
            &Phone::parse(phone).unwrap(),
            &Password::parse("a-good-passphrase").unwrap(),
            &DisplayName::parse("测试用户").unwrap(),
            &Roles::parse_list(roles.iter().copied()).unwrap(),
            unit_id,
        )
        .await
        .unwrap();
        let r = self.login(phone, "a-good-passphrase").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        (r.body["token"].as_str().unwrap().to_owned(), row.id)
    }

    pub async fn admin(&self) -> String {
        self.user_with_roles("13900009999", &["admin"], None)
            .await
            .0
    }

    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap();
        n
    }
}

/// Runs an async test body once per engine: `both!(name, body_fn);`
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name($crate::helpers::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name($crate::helpers::Engine::Postgres).await
            }
        }
    };
}
