//! `TestApp::spawn(backend)`: a fresh database (a temporary SQLite file, or a
//! new database in the PostgreSQL cluster of `TEST_DATABASE_URL`), migrated,
//! served on 127.0.0.1:0, with typed request helpers.

use app::backend::identity::sms::SmsSender;
use app::backend::{AppState, Config, Db};
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
            // Dropped again when the test that made it has passed.
            let _ = CREATED_DATABASES.try_with(|d| d.borrow_mut().push(name.clone()));
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
        // SMS codes go to an outbox the tests read, as a person reads
        // their phone.
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            sms: SmsSender::Outbox(dir.path().join("sms.jsonl")),
            ..Config::default()
        };
        configure(&mut config);
        let state = zhuomu_server::build_state(
            db,
            config,
            dir.path().join("site").to_str().unwrap(),
            chrono_tz::Asia::Shanghai,
        )
        .expect("state");
        let addr = serve(state.clone()).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A request the server never answers fails by name, not by hanging.
            .timeout(std::time::Duration::from_secs(45))
            .build()
            .unwrap();
        TestApp {
            addr,
            state,
            client,
            _dir: dir,
        }
    }

    /// Another server on the same database (its own process state: clock,
    /// limiter, keys loaded anew from the same data folder).
    pub async fn second_server(&self) -> String {
        let state = zhuomu_server::build_state(
            self.state.db.clone(),
            (*self.state.config).clone(),
            self._dir.path().join("site").to_str().unwrap(),
            chrono_tz::Asia::Shanghai,
        )
        .expect("state");
        state
            .clock
            .advance(self.state.clock.now_ms() - state.clock.now_ms());
        serve(state).await
    }

    /// Every SMS sent so far, oldest first (`{to, purpose, code, text, at}`).
    pub fn outbox(&self) -> Vec<Value> {
        let Some(path) = self.state.config.sms.outbox() else {
            return Vec::new();
        };
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("an outbox line is JSON"))
            .collect()
    }

    /// The newest code the outbox holds for `phone` and `purpose`.
    pub fn last_code(&self, phone: &str, purpose: &str) -> Option<String> {
        let to = Phone::parse(phone).unwrap();
        self.outbox()
            .into_iter()
            .rev()
            .find(|m| m["to"] == to.as_str() && m["purpose"] == purpose)
            .map(|m| m["code"].as_str().unwrap().to_owned())
    }

    pub async fn request_code(&self, phone: &str, purpose: &str) -> Resp {
        self.post(
            "/api/v1/auth/sms-code",
            json!({"phone": phone, "purpose": purpose}),
            None,
        )
        .await
    }

    /// Asks for a code and reads it from the outbox.
    pub async fn code_for(&self, phone: &str, purpose: &str) -> String {
        let r = self.request_code(phone, purpose).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        self.last_code(phone, purpose)
            .unwrap_or_else(|| panic!("no {purpose} code for {phone} in the outbox"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.addr, path)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Resp {
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
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

    /// A request without a body (`DELETE`, a bodiless `POST`).
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>) -> Resp {
        self.send(self.request(method, path, token)).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(self.request(Method::GET, path, token)).await
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Resp {
        self.send(self.request(Method::POST, path, token).json(&body))
            .await
    }

    /// The body of a registration with a fresh code for `phone`.
    pub async fn registration(&self, phone: &str, password: &str, name: &str) -> Value {
        let code = self.code_for(phone, "register").await;
        json!({"phone": phone, "password": password, "display_name": name,
               "sms_code": code, "agree": true})
    }

    /// Registers through the API (a code from the outbox, consent given);
    /// returns (token, user id).
    pub async fn register(&self, phone: &str, name: &str) -> (String, i64) {
        let body = self.registration(phone, "a-good-passphrase", name).await;
        let r = self.post("/api/v1/auth/register", body, None).await;
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

    /// A 创城办 moderator (phone 13900000001); returns (token, id).
    pub async fn moderator(&self) -> (String, i64) {
        self.user_with_roles("13900000001", &["moderator"], None)
            .await
    }

    /// Staff of `unit`; returns (token, id).
    pub async fn unit_staff(&self, phone: &str, unit: i64) -> (String, i64) {
        self.user_with_roles(phone, &["unit_staff"], Some(unit))
            .await
    }

    pub async fn admin(&self) -> String {
        self.user_with_roles("13900009999", &["admin"], None)
            .await
            .0
    }

    /// Sends every body to `path` at the same moment, one task each (real
    /// concurrency), and returns the statuses.
    pub async fn post_all_at_once(
        &self,
        path: &str,
        token: Option<&str>,
        bodies: Vec<Value>,
    ) -> Vec<StatusCode> {
        let tasks: Vec<_> = bodies
            .into_iter()
            .map(|body| {
                let req = self.request(Method::POST, path, token).json(&body);
                tokio::spawn(async move { req.send().await.unwrap().status() })
            })
            .collect();
        futures::future::join_all(tasks)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect()
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
                $crate::helpers::within_time_limit(super::$name($crate::helpers::Engine::Sqlite))
                    .await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                $crate::helpers::within_time_limit(super::$name($crate::helpers::Engine::Postgres))
                    .await
            }
        }
    };
}

/// How many of `statuses` are `status`.
/// Serves `state`'s router on a free local port; its base URL.
async fn serve(state: app::backend::AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let router = zhuomu_server::router(state);
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

pub fn count_of(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// A small demo city: two units, a grid owned by the first around
/// (39.77 N, 98.29 E), a street owned by the second, a category routed by
/// place (5 points, 3 days) and one with its own unit (交警).
pub struct City {
    pub grid_unit: i64,
    pub street_unit: i64,
    pub traffic_unit: i64,
    pub litter: i64,
    pub parking: i64,
}

/// A point inside the grid, away from the street.
pub const IN_GRID: (f64, f64) = (39.765, 98.285);
/// A point 10 m from the street.
pub const ON_STREET: (f64, f64) = (39.7751, 98.29);
/// A point outside every area.
pub const NOWHERE: (f64, f64) = (39.90, 98.50);

impl TestApp {
    /// The city's date `days` after today by the service clock (never the
    /// calendar: tests pass on any day the suite runs).
    pub fn city_date(&self, days: i64) -> chrono::NaiveDate {
        let clock = &self.state.clock;
        clock.date(clock.now_ms()).unwrap() + chrono::TimeDelta::days(days)
    }

    /// Midnight in the city `days` after today, in RFC 3339 with the city's
    /// offset, as the server writes it back.
    pub fn city_midnight(&self, days: i64) -> String {
        let clock = &self.state.clock;
        clock.rfc3339(clock.day_start(self.city_date(days)).unwrap())
    }
}

impl TestApp {
    /// `n` assigned reports of litter in the grid by `reporter`, written
    /// straight into the table (a list's worth, without the photo
    /// pipeline): created one millisecond apart, the newest now.
    pub async fn bulk_assigned(&self, city: &City, reporter: i64, n: i64, description: &str) {
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $5) \
             INSERT INTO reports (reporter_id, category_id, description, lat, lon, status, unit_id, deadline, \
               created_at, updated_at) \
             SELECT $1, $2, $6, 39.765, 98.285, 'assigned', $3, $4, $4 - i, $4 FROM n",
        )
        .bind(reporter)
        .bind(city.litter)
        .bind(city.grid_unit)
        .bind(self.state.clock.now_ms())
        .bind(n)
        .bind(description)
        .execute(&self.state.db.pool)
        .await
        .unwrap();
    }

    pub async fn city(&self) -> City {
        use app::backend::city::{self, AreaInput, CategoryInput, UnitInput};
        let s = &self.state;
        let unit = |name: &str| UnitInput { name: name.into() };
        let grid_unit = city::create_unit(s, app::backend::auth::Actor::System, unit("雄关街道"))
            .await
            .unwrap()
            .id;
        let street_unit = city::create_unit(s, app::backend::auth::Actor::System, unit("市城管局"))
            .await
            .unwrap()
            .id;
        let traffic_unit =
            city::create_unit(s, app::backend::auth::Actor::System, unit("市交警支队"))
                .await
                .unwrap()
                .id;
        city::create_area(
            s,
            app::backend::auth::Actor::System,
            AreaInput {
                name: "雄关一网格".into(),
                kind: "grid".into(),
                unit_id: grid_unit,
                polygon: Some(vec![vec![
                    [98.28, 39.76],
                    [98.30, 39.76],
                    [98.30, 39.78],
                    [98.28, 39.78],
                    [98.28, 39.76],
                ]]),
                line: None,
                buffer_m: None,
            },
        )
        .await
        .unwrap();
        city::create_area(
            s,
            app::backend::auth::Actor::System,
            AreaInput {
                name: "新华路".into(),
                kind: "segment".into(),
                unit_id: street_unit,
                polygon: None,
                line: Some(vec![[98.28, 39.775], [98.30, 39.775]]),
                buffer_m: Some(30.0),
            },
        )
        .await
        .unwrap();
        let category = |name: &str, points, unit_id| CategoryInput {
            name: name.into(),
            points,
            sla_days: 3,
            unit_id,
        };
        let litter = city::create_category(
            s,
            app::backend::auth::Actor::System,
            category("乱扔垃圾", 5, None),
        )
        .await
        .unwrap()
        .id;
        let parking = city::create_category(
            s,
            app::backend::auth::Actor::System,
            category("乱停乱放", 3, Some(traffic_unit)),
        )
        .await
        .unwrap()
        .id;
        City {
            grid_unit,
            street_unit,
            traffic_unit,
            litter,
            parking,
        }
    }

    /// Files a report through the API with the given photos.
    pub async fn file_report(
        &self,
        token: &str,
        category_id: i64,
        (lat, lon): (f64, f64),
        description: &str,
        photos: Vec<Vec<u8>>,
    ) -> Resp {
        let mut form = reqwest::multipart::Form::new()
            .text("category_id", category_id.to_string())
            .text("description", description.to_owned())
            .text("lat", lat.to_string())
            .text("lon", lon.to_string())
            .text("address", "新华南路与雄关东路交叉口");
        for p in photos {
            form = form.part("photo", photo_part(p));
        }
        self.send(
            self.request(Method::POST, "/api/v1/reports", Some(token))
                .multipart(form),
        )
        .await
    }

    /// Files a report and checks it was accepted; returns its id.
    pub async fn report_id(
        &self,
        token: &str,
        category_id: i64,
        at: (f64, f64),
        text: &str,
    ) -> i64 {
        let r = self
            .file_report(token, category_id, at, text, vec![jpeg(64, 48)])
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["id"].as_i64().unwrap()
    }

    /// Sends a multipart form to `path`.
    pub async fn post_form(&self, path: &str, token: &str, form: reqwest::multipart::Form) -> Resp {
        self.send(
            self.request(Method::POST, path, Some(token))
                .multipart(form),
        )
        .await
    }

    /// A moderator approves a report (routed by place or category).
    pub async fn approve(&self, moderator: &str, id: i64) -> Resp {
        self.post(
            &format!("/api/v1/reports/{id}/review"),
            json!({"decision": "approve"}),
            Some(moderator),
        )
        .await
    }

    /// Rectifies with one after photo.
    pub async fn rectify(&self, token: &str, id: i64) -> Resp {
        let form = reqwest::multipart::Form::new()
            .text("note", "已清理干净")
            .part("photo", photo_part(jpeg(64, 48)));
        self.post_form(&format!("/api/v1/reports/{id}/rectify"), token, form)
            .await
    }

    pub async fn balance(&self, user_id: i64) -> i64 {
        let (b,): (i64,) = sqlx::query_as("SELECT points_balance FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&self.state.db.pool)
            .await
            .unwrap();
        b
    }
}

pub fn photo_part(bytes: Vec<u8>) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes)
        .file_name("photo.jpg")
        .mime_str("image/jpeg")
        .unwrap()
}

fn encoded(w: u32, h: u32, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    encoded(w, h, image::ImageFormat::Jpeg)
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    encoded(w, h, image::ImageFormat::Png)
}

tokio::task_local! {
    /// The PostgreSQL databases the running test made.
    static CREATED_DATABASES: std::cell::RefCell<Vec<String>>;
}

/// A test that hangs fails after two minutes, by name, instead of holding
/// up the whole run. The PostgreSQL databases it made are dropped once it
/// has passed (a failed test keeps them to look at).
pub async fn within_time_limit(test: impl std::future::Future<Output = ()>) {
    CREATED_DATABASES
        .scope(std::cell::RefCell::new(Vec::new()), async {
            tokio::time::timeout(std::time::Duration::from_secs(120), test)
                .await
                .expect("the test took longer than two minutes: a hang");
            let names = CREATED_DATABASES.with(|d| d.take());
            drop_databases(&names).await;
        })
        .await
}

async fn drop_databases(names: &[String]) {
    if names.is_empty() {
        return;
    }
    let base = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
    let admin = Db::connect(&base)
        .await
        .expect("connect to TEST_DATABASE_URL");
    for name in names {
        // FORCE: the test's own server may still hold connections.
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&admin.pool)
            .await
            .expect("drop the test database");
    }
    admin.pool.close().await;
}
