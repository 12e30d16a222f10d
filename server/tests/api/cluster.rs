//! Real `zhuomu serve` processes, as a city runs them: two servers on one
//! PostgreSQL with photos in one S3-compatible store (the tests' moto), and
//! one server on SQLite; real signals (SIGTERM, SIGKILL). Each test says
//! which promise of docs/OPERATIONS.md it keeps.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Engine, fresh_database_url, jpeg, photo_part};

/// One at a time: these tests start processes and load them.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const SECRET: &str = "cluster-test-secret-shared-by-every-server-0123456789";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What every server of one city shares: the database, the signing secret,
/// the photo store.
#[derive(Clone)]
struct City {
    url: String,
    dir: PathBuf,
    s3: bool,
    extra: Vec<(String, String)>,
}

impl City {
    async fn new(e: Engine, dir: &Path) -> City {
        City {
            url: fresh_database_url(e, dir).await,
            dir: dir.to_owned(),
            s3: e == Engine::Postgres,
            extra: vec![],
        }
    }

    fn with(mut self, key: &str, value: &str) -> City {
        self.extra.push((key.into(), value.into()));
        self
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        // ZHUOMU_BIN: another build of the binary (the load run uses the release one).
        let bin =
            std::env::var("ZHUOMU_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_zhuomu").into());
        let mut c = tokio::process::Command::new(bin);
        c.args(args)
            .env("DATABASE_URL", &self.url)
            .env("ZHUOMU_DATA_DIR", &self.dir)
            .env("ZHUOMU_JWT_SECRET", SECRET)
            .env("ZHUOMU_VERIFY_PHONES", "off")
            .env(
                "ZHUOMU_SMS",
                format!("outbox:{}", self.dir.join("sms.jsonl").display()),
            )
            .env("ZHUOMU_TRUST_PROXY", "true")
            .env("ZHUOMU_LOG", "warn")
            .env_remove("ZHUOMU_PUBLIC_ORIGIN")
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .kill_on_drop(true);
        if self.s3 {
            let endpoint = std::env::var("TEST_S3_ENDPOINT")
                .expect("the cluster tests need TEST_S3_ENDPOINT (scripts/test.sh starts moto)");
            let bucket = std::env::var("TEST_S3_BUCKET").unwrap_or_else(|_| "zhuomu-test".into());
            c.env("ZHUOMU_S3_BUCKET", bucket)
                .env("ZHUOMU_S3_ENDPOINT", endpoint)
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_REGION", "us-east-1");
        }
        for (k, v) in &self.extra {
            c.env(k, v);
        }
        c
    }

    /// Runs a subcommand to its end; its stdout.
    async fn run(&self, args: &[&str]) -> (i32, String) {
        let out = self.command(args).output().await.unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    async fn start(&self) -> Server {
        self.start_on(free_port()).await
    }

    async fn start_on(&self, port: u16) -> Server {
        let log = self.dir.join(format!("server-{port}.log"));
        let child = self
            .command(&["serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            port,
            log,
            http: client(),
        };
        server.wait_healthy().await;
        server
    }

    async fn db(&self) -> app::backend::Db {
        app::backend::Db::connect(&self.url).await.unwrap()
    }

    /// An account made the way `zhuomu user create` makes it.
    async fn account(&self, phone: &str, role: &str) -> i64 {
        let (code, out) = self
            .run(&[
                "user",
                "create",
                "--phone",
                phone,
                "--password",
                "a-good-passphrase",
                "--name",
                "测试员",
                "--role",
                role,
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        out.trim().parse().unwrap()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

struct Server {
    child: tokio::process::Child,
    port: u16,
    log: PathBuf,
    http: reqwest::Client,
}

/// An answer: status and JSON body (Null when not JSON).
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Server {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn wait_healthy(&self) {
        for _ in 0..300 {
            if let Ok(r) = self
                .http
                .get(format!("{}/healthz", self.base()))
                .send()
                .await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "server did not start: {}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    fn request(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base()));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    async fn send(r: reqwest::RequestBuilder) -> Answer {
        let res = r.send().await.unwrap();
        let status = res.status();
        let body = res.json().await.unwrap_or(Value::Null);
        Answer { status, body }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        Self::send(self.request(Method::GET, path, token)).await
    }

    async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Answer {
        Self::send(self.request(Method::POST, path, token).json(&body)).await
    }

    /// A request from an address of its own (X-Forwarded-For, the servers
    /// trust it): the per-address limits count each test person apart.
    fn request_from_elsewhere(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.request(method, path, None).header(
            "x-forwarded-for",
            format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255),
        )
    }

    async fn login(&self, phone: &str) -> String {
        let r = Self::send(
            self.request_from_elsewhere(Method::POST, "/api/v1/auth/login")
                .json(&json!({"phone": phone, "password": "a-good-passphrase"})),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["token"].as_str().unwrap().to_owned()
    }

    /// A citizen registered through this server; (token, id).
    async fn citizen(&self, phone: &str) -> (String, i64) {
        let r = Self::send(self.request_from_elsewhere(Method::POST, "/api/v1/auth/register").json(
            &json!({"phone": phone, "password": "a-good-passphrase", "display_name": "市民", "agree": true}),
        ))
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        (
            r.body["token"].as_str().unwrap().to_owned(),
            r.body["user"]["id"].as_i64().unwrap(),
        )
    }

    fn signal(&self, sig: &str) {
        let pid = self.child.id().expect("running").to_string();
        let ok = std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap();
        assert!(ok.success());
    }

    /// SIGTERM, then the exit status and how long it took.
    async fn terminate(mut self) -> (std::process::ExitStatus, Duration) {
        let started = Instant::now();
        self.signal("-TERM");
        let status = tokio::time::timeout(Duration::from_secs(40), self.child.wait())
            .await
            .expect("exits after SIGTERM")
            .unwrap();
        (status, started.elapsed())
    }

    async fn kill9(mut self) {
        self.signal("-KILL");
        let _ = self.child.wait().await;
    }

    /// Peak resident memory so far (VmHWM), in MiB.
    fn peak_mib(&self) -> u64 {
        let pid = self.child.id().unwrap();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let kb: u64 = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap();
        kb / 1024
    }
}

/// A small report with one tiny photo, from `address` (X-Forwarded-For).
fn report_form() -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("category_id", "1")
        .text("description", "人行道上堆放杂物，影响通行")
        .text("lat", "39.773")
        .text("lon", "98.289")
        .part("photo", photo_part(jpeg(16, 12)))
}

async fn category(city: &City) -> i64 {
    let (code, out) = city.run(&["seed"]).await;
    assert_eq!(code, 0, "{out}");
    1
}

/// Two servers on one PostgreSQL and one moto behave as one: tokens,
/// logouts, role changes, the login lockout, the per-address login limit,
/// the SMS throttle, the per-person upload limit and the per-address vote
/// limit (under concurrency) hold whichever server a request reaches; photos
/// stored by one are served by the other; 200 concurrent redemptions split
/// across them sell exactly the 10 in stock.
async fn two_servers_behave_as_one(e: Engine) {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let city = City::new(e, dir.path()).await;
    category(&city).await;
    city.account("13900000001", "admin").await;
    let (a, b) = (city.start().await, city.start().await);
    let admin = a.login("13900000001").await;

    // A token from A works on B; a logout on A is refused on B.
    let (citizen, citizen_id) = a.citizen("13700000001").await;
    assert_eq!(
        b.get("/api/v1/me", Some(&citizen)).await.status,
        StatusCode::OK
    );
    let other = b.login("13700000001").await;
    assert_eq!(a.call_logout(&other).await, StatusCode::NO_CONTENT);
    assert_eq!(
        b.get("/api/v1/me", Some(&other)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A role change on A: the old token stops working on B.
    let r = a
        .post(
            &format!("/api/v1/admin/users/{citizen_id}/roles"),
            json!({"roles": ["citizen", "moderator"]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        b.get("/api/v1/me", Some(&citizen)).await.status,
        StatusCode::UNAUTHORIZED
    );

    // The lockout: wrong passwords alternating between the servers, then
    // even the right one is refused on both.
    let wrong = json!({"phone": "13700000001", "password": "not-the-passphrase"});
    for i in 0..5 {
        let s = if i % 2 == 0 { &a } else { &b };
        assert_eq!(
            s.post("/api/v1/auth/login", wrong.clone(), None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    for s in [&a, &b] {
        let r = s
            .post(
                "/api/v1/auth/login",
                json!({"phone": "13700000001", "password": "a-good-passphrase"}),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    }

    // Logins per address: 30 a minute, counted together.
    let mut limited = 0;
    for i in 0..40 {
        let s = if i % 2 == 0 { &a } else { &b };
        let r = Server::send(
            s.request(Method::POST, "/api/v1/auth/login", None)
                .header("x-forwarded-for", "198.51.100.7")
                .json(&json!({"phone": format!("136{i:08}"), "password": "whatever-it-is"})),
        )
        .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(r.body["code"], "rate_limited");
            limited += 1;
        }
    }
    assert_eq!(limited, 10, "30 of 40 pass, whichever server");

    // An SMS code on A; another for the same number on B within the minute is refused.
    let code = json!({"phone": "13700000002", "purpose": "register"});
    assert_eq!(
        a.post("/api/v1/auth/sms-code", code.clone(), None)
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let r = b.post("/api/v1/auth/sms-code", code, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);

    // Uploads per person: 30 reports with photos an hour, across both.
    let (reporter, _) = b.citizen("13700000003").await;
    let mut created = vec![];
    let mut refused = 0;
    for i in 0..31 {
        let s = if i % 2 == 0 { &a } else { &b };
        let r = Server::send(
            s.request(Method::POST, "/api/v1/reports", Some(&reporter))
                .multipart(report_form()),
        )
        .await;
        match r.status {
            StatusCode::CREATED => created.push(r.body),
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(r.body["code"], "rate_limited");
                refused += 1;
            }
            other => panic!("upload {i}: {other} {}", r.body),
        }
    }
    assert_eq!((created.len(), refused), (30, 1));
    // A photo one server stored in the bucket is served by the other.
    let photo = created[0]["photos"][0]["url"]
        .as_str()
        .expect("a photo url")
        .to_owned();
    let served = b
        .http
        .get(format!("{}{photo}", b.base()))
        .bearer_auth(&reporter)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let photo = created[1]["photos"][0]["url"].as_str().unwrap().to_owned();
    let served = a
        .http
        .get(format!("{}{photo}", a.base()))
        .bearer_auth(&reporter)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);

    // Ten gifts, 200 redemptions at once, split across the servers.
    let moderator = b.login("13900000001").await;
    let gift = a
        .post(
            "/api/v1/admin/gifts",
            json!({"name": "环保袋", "cost": 10, "stock": 10}),
            Some(&admin),
        )
        .await;
    assert_eq!(gift.status, StatusCode::CREATED, "{}", gift.body);
    let gift = gift.body["id"].as_i64().unwrap();
    let mut buyers = vec![];
    for i in 0..100 {
        let s = if i % 2 == 0 { &a } else { &b };
        let (token, id) = s.citizen(&format!("135{i:08}")).await;
        let r = s
            .post(
                "/api/v1/admin/points/adjust",
                json!({"user_id": id, "delta": 100, "reason": "集群测试"}),
                Some(&moderator),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        buyers.push(token);
    }
    let mut tasks = vec![];
    for (i, token) in buyers.iter().flat_map(|t| [t, t]).enumerate() {
        let s = if i % 2 == 0 { &a } else { &b };
        let req = s.request(
            Method::POST,
            &format!("/api/v1/gifts/{gift}/redeem"),
            Some(token),
        );
        tasks.push(tokio::spawn(
            async move { req.send().await.unwrap().status() },
        ));
    }
    let mut sold = 0;
    for t in tasks {
        let status = t.await.unwrap();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::CONFLICT,
            "{status}"
        );
        sold += usize::from(status == StatusCode::CREATED);
    }
    assert_eq!(sold, 10);

    // Votes per address (60 in 10 minutes): the 100 buyers vote at once from
    // one address, half through each server; exactly 60 pass.
    let hour = chrono::Duration::hours(1);
    let now = chrono::Utc::now();
    let campaign = a
        .post(
            "/api/v1/admin/campaigns",
            json!({"title": "雄关好人评选", "min_account_age_hours": 0, "votes_per_day": 3,
                   "nomination_starts_at": (now - hour).to_rfc3339(), "nomination_ends_at": (now + hour * 72).to_rfc3339(),
                   "voting_starts_at": (now - hour).to_rfc3339(), "voting_ends_at": (now + hour * 72).to_rfc3339()}),
            Some(&admin),
        )
        .await;
    assert_eq!(campaign.status, StatusCode::CREATED, "{}", campaign.body);
    let nomination = b
        .post(
            &format!("/api/v1/campaigns/{}/nominations", campaign.body["id"]),
            json!({"nominee_name": "王秀兰", "category": app::domain::campaign::CATEGORIES[0],
                   "story": crate::campaigns::STORY}),
            Some(&buyers[0]),
        )
        .await;
    assert_eq!(
        nomination.status,
        StatusCode::CREATED,
        "{}",
        nomination.body
    );
    let nomination = nomination.body["id"].as_i64().unwrap();
    let r = a
        .post(
            &format!("/api/v1/nominations/{nomination}/review"),
            json!({"decision": "approve"}),
            Some(&moderator),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut tasks = vec![];
    for (i, token) in buyers.iter().enumerate() {
        let s = if i % 2 == 0 { &a } else { &b };
        let req = s
            .request(
                Method::POST,
                &format!("/api/v1/nominations/{nomination}/vote"),
                Some(token),
            )
            .header("x-forwarded-for", "203.0.113.9");
        tasks.push(tokio::spawn(
            async move { req.send().await.unwrap().status() },
        ));
    }
    let mut passed = 0;
    for t in tasks {
        let status = t.await.unwrap();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::TOO_MANY_REQUESTS,
            "{status}"
        );
        passed += usize::from(status == StatusCode::CREATED);
    }
    assert_eq!(passed, 60, "votes from one address, whichever server");

    let db = city.db().await;
    let (stock,): (i64,) = sqlx::query_as("SELECT stock FROM gifts WHERE id = $1")
        .bind(gift)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(stock, 0);
    db.pool.close().await;
    assert_no_server_errors(&[&a, &b]);
}
both!(two_servers_behave_as_one);

impl Server {
    async fn call_logout(&self, token: &str) -> StatusCode {
        self.request(Method::POST, "/api/v1/auth/logout", Some(token))
            .send()
            .await
            .unwrap()
            .status()
    }
}

fn assert_no_server_errors(servers: &[&Server]) {
    for s in servers {
        let log = std::fs::read_to_string(&s.log).unwrap_or_default();
        assert!(!log.contains("panic"), "a server panicked: {log}");
    }
}

/// Every server sweeps, each job acts once: a reminder that is due reaches
/// the volunteer once, whichever server claimed it.
async fn the_sweep_acts_once(e: Engine) {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let city = City::new(e, dir.path())
        .await
        .with("ZHUOMU_SWEEP_SECS", "1");
    category(&city).await;
    city.account("13900000001", "admin").await;
    let (a, b) = (city.start().await, city.start().await);
    let admin = a.login("13900000001").await;
    let post = a
        .post(
            "/api/v1/admin/posts",
            json!({"name": "雄关广场路口", "lat": 39.77, "lon": 98.29}),
            Some(&admin),
        )
        .await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    // A shift an hour from now: inside the 2-hour reminder window.
    let now = chrono::Utc::now();
    let shift = a
        .post(
            "/api/v1/admin/shifts",
            json!({"post_id": post.body["id"], "capacity": 6,
                   "starts_at": (now + chrono::Duration::hours(1)).to_rfc3339(),
                   "ends_at": (now + chrono::Duration::hours(3)).to_rfc3339()}),
            Some(&admin),
        )
        .await;
    assert_eq!(shift.status, StatusCode::CREATED, "{}", shift.body);
    let mut volunteers = vec![];
    for i in 0..6 {
        let s = if i % 2 == 0 { &a } else { &b };
        let (token, id) = s.citizen(&format!("137{i:08}")).await;
        let r = s
            .post(
                &format!("/api/v1/shifts/{}/signup", shift.body["id"]),
                json!({}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        volunteers.push(id);
    }
    // Several sweeps of both servers.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let db = city.db().await;
    for id in volunteers {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = 'shift_reminder'",
        )
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(
            n,
            1,
            "one reminder for volunteer {id}; logs: {} {}",
            std::fs::read_to_string(&a.log).unwrap_or_default(),
            std::fs::read_to_string(&b.log).unwrap_or_default()
        );
    }
    db.pool.close().await;
    let (sa, _) = a.terminate().await;
    let (sb, _) = b.terminate().await;
    assert!(sa.success() && sb.success());
}
both!(the_sweep_acts_once);

/// SIGTERM: every request in flight is answered, then the server exits
/// (status 0) within 30 s and takes no new connection.
async fn sigterm_answers_requests_in_flight(e: Engine) {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    // One password check at a time: 32 logins take a while to answer.
    let city = City::new(e, dir.path())
        .await
        .with("ZHUOMU_HASH_CONCURRENCY", "1")
        .with("ZHUOMU_RATE_LIMITS", "off");
    let s = city.start().await;
    let mut tasks = vec![];
    for i in 0..32 {
        let req = s
            .request(Method::POST, "/api/v1/auth/login", None)
            .json(&json!({"phone": format!("136{i:08}"), "password": "not-the-passphrase"}));
        tasks.push(tokio::spawn(async move {
            let status = req.send().await.map(|r| r.status());
            (status, Instant::now())
        }));
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    let base = s.base();
    let signalled = Instant::now();
    let (status, took) = s.terminate().await;
    let mut after_the_signal = 0;
    for t in tasks {
        let (answer, at) = t.await.unwrap();
        after_the_signal += usize::from(at > signalled);
        let answer = answer.expect("a request in flight is answered, not dropped");
        assert!(
            answer == StatusCode::UNAUTHORIZED || answer == StatusCode::SERVICE_UNAVAILABLE,
            "{answer}"
        );
    }
    // The signal came while requests were in flight (else this proves nothing).
    assert!(
        after_the_signal > 0,
        "every request was answered before SIGTERM"
    );
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert!(
        client()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err()
    );
}
both!(sigterm_answers_requests_in_flight);

/// kill -9 during write load loses no acknowledged write: every 2xx is in
/// the database after the restart, every balance equals its ledger, and
/// SQLite's integrity check is ok.
async fn kill_9_loses_no_acknowledged_write(e: Engine) {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let city = City::new(e, dir.path())
        .await
        .with("ZHUOMU_RATE_LIMITS", "off");
    city.account("13900000001", "moderator").await;
    let s = city.start().await;
    let moderator = s.login("13900000001").await;
    let mut people = vec![];
    for i in 0..6 {
        people.push(s.citizen(&format!("137{i:08}")).await.1);
    }
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<i64>::new()));
    let mut writers = vec![];
    for user in people.clone() {
        let req = s.http.clone();
        let url = format!("{}/api/v1/admin/points/adjust", s.base());
        let token = moderator.clone();
        let acknowledged = acknowledged.clone();
        writers.push(tokio::spawn(async move {
            loop {
                let sent = req
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"user_id": user, "delta": 1, "reason": "写入测试"}))
                    .send()
                    .await;
                let Ok(r) = sent else { return };
                if r.status() == StatusCode::CREATED
                    && let Ok(v) = r.json::<Value>().await
                {
                    acknowledged
                        .lock()
                        .unwrap()
                        .push(v["id"].as_i64().expect("entry id"));
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    s.kill9().await;
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "the writers wrote: {}",
        acknowledged.len()
    );
    // Restart on the same database.
    let s = city.start().await;
    let db = city.db().await;
    for id in &acknowledged {
        let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM points_ledger WHERE id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await
            .unwrap();
        assert!(found.is_some(), "acknowledged ledger entry {id} is gone");
    }
    let drift: Vec<(i64,)> = sqlx::query_as(
        "SELECT u.id FROM users u WHERE u.points_balance <> \
         (SELECT COALESCE(SUM(l.delta), 0) FROM points_ledger l WHERE l.user_id = u.id)",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(
        drift.is_empty(),
        "balances that differ from their ledger: {drift:?}"
    );
    if e == Engine::Sqlite {
        let (verdict,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(verdict, "ok");
    }
    db.pool.close().await;
    assert_eq!(
        s.get("/api/v1/me", Some(&moderator)).await.status,
        StatusCode::OK
    );
    let _ = s.terminate().await;
}
both!(kill_9_loses_no_acknowledged_write);

/// A rolling restart of two servers under load, the way a load balancer
/// does it: it polls `/readyz` and sends only to servers that say ready; a
/// server told to stop (SIGTERM) says 503 there while it keeps serving for
/// `ZHUOMU_DRAIN_SECS`, then answers what is in flight and exits. Clients
/// that retry a refused connection on the other server see no failed
/// request, reads and writes alike.
async fn rolling_restart_under_load(e: Engine) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let city = City::new(e, dir.path())
        .await
        .with("ZHUOMU_RATE_LIMITS", "off")
        .with("ZHUOMU_DRAIN_SECS", "1");
    category(&city).await;
    city.account("13900000001", "moderator").await;
    let ports = [free_port(), free_port()];
    let mut a = city.start_on(ports[0]).await;
    let mut b = city.start_on(ports[1]).await;
    let moderator = a.login("13900000001").await;
    let (_, user) = a.citizen("13700000009").await;
    let stop = Arc::new(AtomicBool::new(false));
    let ready: Arc<[AtomicBool; 2]> = Arc::new([AtomicBool::new(true), AtomicBool::new(true)]);
    // The balancer's health check, every 50 ms.
    let checker = {
        let (stop, ready) = (stop.clone(), ready.clone());
        tokio::spawn(async move {
            let http = client();
            while !stop.load(Ordering::Relaxed) {
                for (i, port) in ports.iter().enumerate() {
                    let ok = http
                        .get(format!("http://127.0.0.1:{port}/readyz"))
                        .timeout(Duration::from_millis(500))
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success());
                    ready[i].store(ok, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let mut clients = vec![];
    for c in 0..16 {
        let (stop, ready) = (stop.clone(), ready.clone());
        let token = moderator.clone();
        clients.push(tokio::spawn(async move {
            let http = client();
            let (mut ok, mut failed) = (0u32, vec![]);
            let mut i = c;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let write = i % 4 == 0;
                let mut answered = None;
                for attempt in 0..40 {
                    // A ready server, this request's turn first.
                    let pick = (i + attempt) % 2;
                    let pick = if ready[pick].load(Ordering::Relaxed) {
                        pick
                    } else {
                        1 - pick
                    };
                    let base = format!("http://127.0.0.1:{}", ports[pick]);
                    let req = if write {
                        http.post(format!("{base}/api/v1/admin/points/adjust"))
                            .bearer_auth(&token)
                            .json(&json!({"user_id": user, "delta": 1, "reason": "滚动重启"}))
                    } else {
                        http.get(format!("{base}/api/v1/reports"))
                    };
                    match req.send().await {
                        Ok(r) => {
                            answered = Some(r.status());
                            break;
                        }
                        // Nothing was sent: safe to send again elsewhere.
                        Err(e) if e.is_connect() => {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        Err(e) => {
                            failed.push(format!("{e:?}"));
                            break;
                        }
                    }
                }
                match answered {
                    Some(s) if s.is_success() => ok += 1,
                    Some(s) => failed.push(s.to_string()),
                    None if failed.is_empty() => failed.push("no server answered".into()),
                    None => {}
                }
            }
            (ok, failed)
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (status, _) = a.terminate().await;
    assert!(status.success());
    a = city.start_on(ports[0]).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, _) = b.terminate().await;
    assert!(status.success());
    b = city.start_on(ports[1]).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for c in clients {
        let (ok, failed) = c.await.unwrap();
        assert!(failed.is_empty(), "failed requests: {failed:?}");
        total += ok;
    }
    checker.await.unwrap();
    assert!(total > 100, "the clients kept working: {total}");
    let _ = a.terminate().await;
    let _ = b.terminate().await;
}
both!(rolling_restart_under_load);

/// 300 logins at once with unknown numbers: password hashing has a
/// ceiling, so the server stays under 400 MiB and answers every one
/// (401, or 503 `busy` with Retry-After), never a dropped connection.
async fn a_login_flood_stays_within_memory(e: Engine) {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let city = City::new(e, dir.path())
        .await
        .with("ZHUOMU_RATE_LIMITS", "off");
    let s = city.start().await;
    let mut tasks = vec![];
    for i in 0..300 {
        let req = s
            .request(Method::POST, "/api/v1/auth/login", None)
            .json(&json!({"phone": format!("138{i:08}"), "password": "not-the-passphrase"}));
        tasks.push(tokio::spawn(async move {
            let r = req.send().await.expect("answered");
            (r.status(), r.headers().contains_key("retry-after"))
        }));
    }
    let mut busy = 0;
    for t in tasks {
        let (status, retry) = t.await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(retry);
                busy += 1;
            }
            other => panic!("{other}"),
        }
    }
    let peak = s.peak_mib();
    assert!(peak < 400, "peak resident memory {peak} MiB");
    eprintln!("300 concurrent logins: {busy} answered busy, peak {peak} MiB");
    let _ = s.terminate().await;
}
both!(a_login_flood_stays_within_memory);

/// Without ZHUOMU_PUBLIC_ORIGIN the Host must name the listening address;
/// with it, links come from it whatever the Host says. /metrics needs its
/// token.
async fn hosts_origins_and_metrics(e: Engine) {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let city = City::new(e, dir.path())
        .await
        .with("ZHUOMU_METRICS_TOKEN", "a-metrics-token-for-the-scraper");
    let s = city.start().await;
    let evil = s
        .http
        .get(format!("{}/open311/v2/discovery.json", s.base()))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::MISDIRECTED_REQUEST);
    let own = s.get("/open311/v2/discovery.json", None).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        own.body["endpoints"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with(&s.base())
    );

    let scrape = |token: Option<&'static str>| {
        let mut r = s.http.get(format!("{}/metrics", s.base()));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    assert_eq!(
        scrape(None).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let text = scrape(Some("a-metrics-token-for-the-scraper"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "zhuomu_http_requests_total{method=\"GET\",route=\"/open311/v2/{file}\",status=\"200\"}"
        ),
        "{text}"
    );
    assert!(text.contains("zhuomu_db_pool_connections"), "{text}");
    assert!(text.contains("zhuomu_photo_queue"), "{text}");
    let _ = s.terminate().await;

    let city = city
        .with("ZHUOMU_PUBLIC_ORIGIN", "https://zhuomu.example.cn")
        .with("ZHUOMU_METRICS_ADDR", &format!("127.0.0.1:{}", free_port()));
    let maddr = city.extra.last().unwrap().1.clone();
    let s = city.start().await;
    let r = s
        .http
        .get(format!("{}/open311/v2/discovery.json", s.base()))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["endpoints"][0]["url"],
        "https://zhuomu.example.cn/open311/v2"
    );
    // The private metrics address needs no token, and serves nothing else.
    let m = client()
        .get(format!("http://{maddr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(m.status(), StatusCode::OK);
    assert!(m.text().await.unwrap().contains("zhuomu_sweep_runs_total"));
    let other = client()
        .get(format!("http://{maddr}/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let _ = s.terminate().await;
}
both!(hosts_origins_and_metrics);

/// `zhuomu backup` while the server is writing, then `zhuomu restore` into
/// a stopped city: everything acknowledged before the backup is back. On
/// PostgreSQL both commands name the tool to use (exit status 2).
async fn backup_and_restore(e: Engine) {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let city = City::new(e, dir.path())
        .await
        .with("ZHUOMU_RATE_LIMITS", "off");
    let file = dir.path().join("backups/zhuomu-1.db");
    let file = file.to_str().unwrap();
    if e == Engine::Postgres {
        let (code, out) = city.run(&["backup", file]).await;
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("pg_dump --format=custom"), "{out}");
        let (code, out) = city.run(&["restore", file]).await;
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("pg_restore"), "{out}");
        return;
    }
    city.account("13900000001", "moderator").await;
    let s = city.start().await;
    let moderator = s.login("13900000001").await;
    let (_, user) = s.citizen("13700000001").await;
    let adjust = |delta: i64| {
        s.post(
            "/api/v1/admin/points/adjust",
            json!({"user_id": user, "delta": delta, "reason": "备份测试"}),
            Some(&moderator),
        )
    };
    assert_eq!(adjust(7).await.status, StatusCode::CREATED);
    // A writer keeps going while the backup runs.
    let busy = {
        let http = s.http.clone();
        let url = format!("{}/api/v1/admin/points/adjust", s.base());
        let token = moderator.clone();
        tokio::spawn(async move {
            for _ in 0..30 {
                let _ = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"user_id": user, "delta": 1, "reason": "并发写入"}))
                    .send()
                    .await;
            }
        })
    };
    let (code, out) = city.run(&["backup", file]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("integrity ok"), "{out}");
    busy.await.unwrap();
    let (code, out) = city.run(&["backup", file]).await;
    assert_ne!(code, 0, "an existing file is never overwritten: {out}");
    // What the backup holds: a consistent ledger, at least the first 7.
    let backup = app::backend::Db::connect(&format!("sqlite://{file}"))
        .await
        .unwrap();
    let (balance, ledger): (i64, i64) = sqlx::query_as(
        "SELECT u.points_balance, (SELECT COALESCE(SUM(delta), 0) FROM points_ledger WHERE user_id = u.id) FROM users u WHERE u.id = $1",
    )
    .bind(user)
    .fetch_one(&backup.pool)
    .await
    .unwrap();
    backup.pool.close().await;
    assert_eq!(balance, ledger);
    assert!(balance >= 7);
    // Later writes, then the restore (servers stopped) brings back the backup.
    assert_eq!(adjust(1000).await.status, StatusCode::CREATED);
    let (status, _) = s.terminate().await;
    assert!(status.success());
    let (code, out) = city.run(&["restore", file]).await;
    assert_eq!(code, 0, "{out}");
    let s = city.start().await;
    let token = s.login("13700000001").await;
    let me = s.get("/api/v1/me/points", Some(&token)).await;
    assert_eq!(me.body["balance"].as_i64(), Some(balance), "{}", me.body);
    // Something that is not a database is refused, and changes nothing.
    std::fs::write(dir.path().join("junk.db"), b"not a database").unwrap();
    let (status, _) = s.terminate().await;
    assert!(status.success());
    let (code, _) = city
        .run(&["restore", dir.path().join("junk.db").to_str().unwrap()])
        .await;
    assert_ne!(code, 0);
    let s = city.start().await;
    let token = s.login("13700000001").await;
    assert_eq!(
        s.get("/api/v1/me/points", Some(&token)).await.body["balance"].as_i64(),
        Some(balance)
    );
    let _ = s.terminate().await;
}
both!(backup_and_restore);

/// The load run (a benchmark, not a timed test): two servers on one
/// PostgreSQL and one moto, 64 clients for 30 s — public list and detail
/// reads, sign-ins, ledger writes — through both servers. Prints the
/// figures for docs/PERFORMANCE.md; fails only on a 5xx or a dropped
/// request. Run with the release binary:
/// `ZHUOMU_BIN=$CARGO_TARGET_DIR/release/zhuomu cargo test -p zhuomu --test api cluster::load -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a benchmark: run by hand, see docs/PERFORMANCE.md"]
async fn load() {
    let dir = tempfile::tempdir().unwrap();
    let city = City::new(Engine::Postgres, dir.path())
        .await
        .with("ZHUOMU_RATE_LIMITS", "off");
    category(&city).await;
    city.account("13900000001", "moderator").await;
    let (a, b) = (city.start().await, city.start().await);
    let moderator = a.login("13900000001").await;
    let mut users = vec![];
    for i in 0..64 {
        let s = if i % 2 == 0 { &a } else { &b };
        users.push(s.citizen(&format!("135{i:08}")).await.1);
    }
    // Something to read: 200 public reports.
    let db = city.db().await;
    let now = chrono::Utc::now().timestamp_millis();
    for i in 0..200 {
        sqlx::query(
            "INSERT INTO reports (reporter_id, category_id, description, lat, lon, address, hide_name, status, \
             unit_id, deadline, assigned_at, created_at, updated_at) \
             VALUES ($1, 1, $2, 39.77, 98.29, '', 0, 'assigned', 1, $4, $3, $3, $3)",
        )
        .bind(users[i % 64])
        .bind(format!("第{i}条：路口占道经营，影响通行"))
        .bind(now - i as i64 * 60_000)
        .bind(now + 3 * 24 * 3_600_000)
        .execute(&db.pool)
        .await
        .unwrap();
    }
    db.pool.close().await;
    let bases = [a.base(), b.base()];
    let started = Instant::now();
    let run_for = Duration::from_secs(30);
    let mut clients = vec![];
    for (c, &user) in users.iter().enumerate() {
        let bases = bases.clone();
        let token = moderator.clone();
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = vec![];
            let mut bad = vec![];
            let mut i = c;
            while started.elapsed() < run_for {
                i += 1;
                let base = &bases[i % 2];
                let (kind, req) = match i % 10 {
                    0 => (
                        "write",
                        http.post(format!("{base}/api/v1/admin/points/adjust"))
                            .bearer_auth(&token)
                            .json(&json!({"user_id": user, "delta": 1, "reason": "压测"})),
                    ),
                    1 => (
                        "login",
                        http.post(format!("{base}/api/v1/auth/login")).json(
                            &json!({"phone": format!("135{c:08}"), "password": "a-good-passphrase"}),
                        ),
                    ),
                    2..=5 => ("list", http.get(format!("{base}/api/v1/reports?page=1"))),
                    _ => ("detail", http.get(format!("{base}/api/v1/reports/{}", 1 + i % 200))),
                };
                let t = Instant::now();
                match req.send().await {
                    Ok(r) if r.status().is_server_error() => bad.push(r.status().to_string()),
                    Ok(r) => {
                        let _ = r.bytes().await;
                        latencies.push((kind, t.elapsed()));
                    }
                    Err(e) => bad.push(e.to_string()),
                }
            }
            (latencies, bad)
        }));
    }
    let (mut all, mut bad) = (vec![], vec![]);
    for c in clients {
        let (l, b) = c.await.unwrap();
        all.extend(l);
        bad.extend(b);
    }
    let total = all.len();
    eprintln!(
        "load: 2 servers, 64 clients, {:?}: {} requests ({:.0}/s), 5xx or dropped {}; peak RSS {} + {} MiB",
        run_for,
        total,
        total as f64 / run_for.as_secs_f64(),
        bad.len(),
        a.peak_mib(),
        b.peak_mib()
    );
    for kind in ["list", "detail", "write", "login", "all"] {
        let mut l: Vec<Duration> = all
            .iter()
            .filter(|(k, _)| kind == "all" || *k == kind)
            .map(|(_, d)| *d)
            .collect();
        l.sort();
        let q = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)];
        eprintln!(
            "  {kind:>6}: {:>6} requests, p50 {:?}, p95 {:?}, p99 {:?}, max {:?}",
            l.len(),
            q(0.50),
            q(0.95),
            q(0.99),
            l.last().unwrap()
        );
    }
    assert!(bad.is_empty(), "{bad:?}");
}
