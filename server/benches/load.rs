//! A million reports, 64 people at once (issue 18): fills a database with
//! 1,000,000 reports written the way the services write them (terms, one
//! photo, two timeline events each, the tallies folded), starts the real
//! `zhuomu serve` on it and drives 64 concurrent clients at every public
//! endpoint and page with `oha`, then eight clients sending 4 MB photos.
//! Prints one Markdown table row per endpoint: p50, p99, requests/s.
//! Target: p99 < 100 ms for every read, < 1 s for the photo submission.
//!
//! `./scripts/bench-load.sh` runs it on both engines (it installs `oha`,
//! keeps a PostgreSQL cluster for the run and builds in release). By hand:
//! `cargo bench -p zhuomu --bench load` with
//! - `BENCH_DATABASE_URL` (default `sqlite://$HOME/.cache/zhuomu/bench-load/load.db`):
//!   an empty database is filled; one already holding `BENCH_REPORTS`
//!   reports is reused as it is (the fill takes minutes);
//! - `BENCH_REPORTS` (default 1,000,000), `BENCH_SECONDS` per row (default 10),
//!   `BENCH_CLIENTS` (default 64), `BENCH_ONLY` (rows whose name contains it).

use std::process::Stdio;
use std::time::{Duration, Instant};

use app::backend::{AppState, Config, Db, stats, users};
use app::domain::{DisplayName, Password, Phone, Roles};

const CATEGORIES: [&str; 20] = [
    "占道经营",
    "乱扔垃圾",
    "违规停车",
    "乱贴广告",
    "设施破损",
    "噪音扰民",
    "私搭乱建",
    "黄土裸露",
    "污水外溢",
    "单车乱停",
    "违规养犬",
    "油烟扰民",
    "井盖缺失",
    "路灯不亮",
    "绿化损毁",
    "垃圾满溢",
    "乱拉乱挂",
    "施工扰民",
    "车辆乱鸣笛",
    "其他",
];
/// Fifty descriptions; report `id` gets `id % 50`, and every 997th the rare one.
const PLACES: [&str; 10] = [
    "路口",
    "小区门口",
    "学校旁边",
    "菜市场",
    "公交站",
    "人行道上",
    "商场门前",
    "公园入口",
    "医院对面",
    "十字路口东侧",
];
const WHAT: [&str; 5] = [
    "有人占道经营，影响通行",
    "垃圾堆放多日无人清理",
    "车辆违停堵住盲道",
    "墙上贴满小广告",
    "护栏损坏存在安全隐患",
];
const RARE: &str = "消防通道被杂物堵塞";
const STREETS: [&str; 40] = [
    "雄关东路",
    "雄关西路",
    "新华南路",
    "新华北路",
    "迎宾路",
    "兰新路",
    "五一路",
    "胜利路",
    "建设路",
    "文化路",
    "体育路",
    "朝阳路",
    "友谊路",
    "和平路",
    "长城路",
    "酒泉路",
    "嘉东路",
    "嘉西路",
    "矿山路",
    "钢城路",
    "峪泉路",
    "紫轩路",
    "南湖路",
    "北湖路",
    "东湖路",
    "西湖路",
    "明珠路",
    "丝路大道",
    "讨赖河路",
    "祁连路",
    "镜铁路",
    "花园路",
    "光明路",
    "团结路",
    "幸福路",
    "春光路",
    "秋实路",
    "民主路",
    "人民路",
    "解放路",
];
const PASSWORD: &str = "bench-passphrase";

fn description(k: usize) -> String {
    if k == 50 {
        RARE.to_owned()
    } else {
        format!("{}{}", PLACES[k % 10], WHAT[k / 10])
    }
}

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn state_for(url: &str, dir: &std::path::Path) -> AppState {
    let db = Db::connect(url).await.unwrap();
    db.migrate().await.unwrap();
    zhuomu_server::build_state(
        db,
        Config {
            data_dir: dir.to_path_buf(),
            ..Config::default()
        },
        dir.join("site").to_str().unwrap(),
        chrono_tz::Asia::Shanghai,
    )
    .unwrap()
}

async fn exec(state: &AppState, sql: &str, binds: &[i64]) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(&state.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// 20 categories, 100 units, 10,000 reporters (the first can sign in),
/// a moderator, the staff of unit 1, eight patrol officers for the photo
/// row; 1,000,000 reports in the dashboard bench's mix of states (10%
/// waiting, 10% rejected, 20% assigned, 10% rectified, 50% closed), one
/// every 94 s over three years, each with its terms, a photo and two events.
async fn fill(state: &AppState, n: i64) {
    let now = state.clock.now_ms();
    let t = Instant::now();
    for (i, name) in CATEGORIES.iter().enumerate() {
        sqlx::query(
            "INSERT INTO categories (id, name, points, sla_days, created_at) VALUES ($1, $2, 5, 3, $3)",
        )
        .bind(i as i64 + 1)
        .bind(*name)
        .bind(now)
        .execute(&state.db.pool)
        .await
        .unwrap();
    }
    for u in 1..=100_i64 {
        sqlx::query("INSERT INTO units (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(u)
            .bind(format!("责任单位{u}"))
            .bind(now)
            .execute(&state.db.pool)
            .await
            .unwrap();
    }
    let account = |phone: &'static str, roles: &'static [&'static str], unit: Option<i64>| async move {
        users::create(
            state,
            &Phone::parse(phone).unwrap(),
            &Password::parse(PASSWORD).unwrap(),
            &DisplayName::parse("压测").unwrap(),
            &Roles::parse_list(roles.iter().copied()).unwrap(),
            unit,
        )
        .await
        .unwrap()
        .id
    };
    let me = account("13000000000", &[], None).await;
    account("13900000001", &["moderator"], None).await;
    account("13900000002", &["unit_staff"], Some(3)).await;
    for p in PATROL {
        account(p, &["unit_staff"], Some(1)).await;
    }
    // The other 9,999 reporters share the first one's password hash.
    exec(
        state,
        "WITH RECURSIVE seq(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i < 9999) \
         INSERT INTO users (id, phone, password_hash, display_name, roles, created_at) \
         SELECT 100000 + i, '131' || CAST(10000000 + i AS TEXT), \
           (SELECT password_hash FROM users WHERE id = $1), '市民' || CAST(i AS TEXT), 'citizen', $2 FROM seq",
        &[me, now],
    )
    .await;
    // The texts and their terms, as `reports::create` indexes them.
    exec(state, "CREATE TABLE bench_text (k BIGINT PRIMARY KEY, description TEXT NOT NULL, address TEXT NOT NULL)", &[]).await;
    exec(
        state,
        "CREATE TABLE bench_terms (k BIGINT NOT NULL, term TEXT NOT NULL)",
        &[],
    )
    .await;
    for d in 0..=50_usize {
        for (s, street) in STREETS.iter().enumerate() {
            let k = (d * 40 + s) as i64;
            let (desc, address) = (description(d), format!("{street}{}号", 1 + s * 7));
            sqlx::query("INSERT INTO bench_text (k, description, address) VALUES ($1, $2, $3)")
                .bind(k)
                .bind(&desc)
                .bind(&address)
                .execute(&state.db.pool)
                .await
                .unwrap();
            for term in app::domain::report::index_terms(&format!("{desc} {address}")) {
                sqlx::query("INSERT INTO bench_terms (k, term) VALUES ($1, $2)")
                    .bind(k)
                    .bind(term)
                    .execute(&state.db.pool)
                    .await
                    .unwrap();
            }
        }
    }
    exec(state, "CREATE INDEX bench_terms_k ON bench_terms (k)", &[]).await;
    // Report i (1-based id) uses text k(i) and reporter r(i).
    let k = "(CASE WHEN i % 997 = 0 THEN 50 ELSE i % 50 END) * 40 + (i / 50) % 40";
    let chunk = 50_000_i64;
    for from in (1..=n).step_by(chunk as usize) {
        let to = (from + chunk - 1).min(n);
        let mut tx = state.db.begin_write().await.unwrap();
        let seq = "WITH RECURSIVE seq(i) AS (SELECT CAST($1 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i < $2) ";
        sqlx::query(&format!(
            "{seq}INSERT INTO reports (id, reporter_id, category_id, description, lat, lon, address, status, \
               unit_id, area_id, deadline, assigned_at, rectified_at, closed_at, created_at, updated_at, source) \
             SELECT i, CASE WHEN i % 10000 = 0 THEN $3 ELSE 100000 + i % 10000 END, 1 + i % 20, \
               t.description, 39.70 + (i % 1000) * 0.0001, 98.20 + ((i * 7919) % 1000) * 0.0001, t.address, \
               CASE i % 10 WHEN 0 THEN 'pending_review' WHEN 1 THEN 'rejected' WHEN 2 THEN 'assigned' \
                 WHEN 3 THEN 'assigned' WHEN 4 THEN 'rectified' ELSE 'closed' END, \
               CASE WHEN i % 10 < 2 THEN NULL ELSE 1 + i % 100 END, NULL, \
               CASE WHEN i % 10 < 2 THEN NULL ELSE $4 - ($5 - i) * 94000 + 3 * 86400000 END, \
               CASE WHEN i % 10 < 2 THEN NULL ELSE $4 - ($5 - i) * 94000 + 3600000 END, \
               CASE WHEN i % 10 < 4 THEN NULL ELSE $4 - ($5 - i) * 94000 + (i % 5) * 86400000 END, \
               CASE WHEN i % 10 < 5 THEN NULL ELSE $4 - ($5 - i) * 94000 + (i % 5) * 86400000 + 3600000 END, \
               $4 - ($5 - i) * 94000, $4 - ($5 - i) * 94000, 'app' \
             FROM seq JOIN bench_text t ON t.k = {k}"
        ))
        .bind(from)
        .bind(to)
        .bind(me)
        .bind(now)
        .bind(n)
        .execute(&mut *tx)
        .await
        .unwrap();
        for sql in [
            format!(
                "{seq}INSERT INTO report_terms (term, report_id) \
                 SELECT b.term, i FROM seq JOIN bench_terms b ON b.k = {k}"
            ),
            format!(
                "{seq}INSERT INTO report_photos (report_id, kind, object_key, thumb_key, width, height, position, created_at) \
                 SELECT i, 'before', 'bench/' || CAST(i AS TEXT) || '.jpg', 'bench/' || CAST(i AS TEXT) || '_t.jpg', \
                   1600, 1200, 1, $4 - ($5 - i) * 94000 FROM seq"
            ),
            format!(
                "{seq}INSERT INTO report_events (report_id, at, action, actor_role, note) \
                 SELECT i, $4 - ($5 - i) * 94000, 'submitted', 'citizen', '' FROM seq \
                 UNION ALL SELECT i, $4 - ($5 - i) * 94000 + 3600000, \
                   CASE WHEN i % 10 = 0 THEN 'commented' WHEN i % 10 = 1 THEN 'rejected' ELSE 'approved' END, \
                   'moderator', '已转交责任单位办理' FROM seq"
            ),
        ] {
            sqlx::query(&sql)
                .bind(from)
                .bind(to)
                .bind(me)
                .bind(now)
                .bind(n)
                .execute(&mut *tx)
                .await
                .unwrap_or_else(|e| panic!("{e}: {sql}"));
        }
        tx.commit().await.unwrap();
        if to % 200_000 == 0 || to == n {
            println!("  {to} reports ({:.0} s)", t.elapsed().as_secs_f64());
        }
    }
    exec(state, "DROP TABLE bench_terms", &[]).await;
    exec(state, "DROP TABLE bench_text", &[]).await;
    if state.db.backend == app::backend::db::Backend::Postgres {
        for table in ["users", "reports"] {
            exec(
                state,
                &format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"),
                &[],
            )
            .await;
        }
    }
    let folded = stats::fold(state).await.unwrap();
    match state.db.backend {
        app::backend::db::Backend::Postgres => exec(state, "VACUUM ANALYZE", &[]).await,
        app::backend::db::Backend::Sqlite => exec(state, "ANALYZE", &[]).await,
    }
    println!(
        "filled {n} reports in {:.0} s ({folded} delta rows folded)",
        t.elapsed().as_secs_f64()
    );
}

const PATROL: [&str; 8] = [
    "13900000011",
    "13900000012",
    "13900000013",
    "13900000014",
    "13900000015",
    "13900000016",
    "13900000017",
    "13900000018",
];

/// The server's log of the last run (slow statements and the like).
fn keep_log() -> std::path::PathBuf {
    std::env::temp_dir().join("zhuomu-bench-load-server.log")
}

struct Server {
    child: tokio::process::Child,
    base: String,
    http: reqwest::Client,
}

async fn serve(url: &str, dir: &std::path::Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bin = std::env::var("ZHUOMU_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_zhuomu").into());
    let child = tokio::process::Command::new(bin)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", url)
        .env("ZHUOMU_DATA_DIR", dir)
        .env(
            "ZHUOMU_JWT_SECRET",
            "bench-secret-bench-secret-bench-secret",
        )
        .env("ZHUOMU_VERIFY_PHONES", "off")
        .env("ZHUOMU_RATE_LIMITS", "off")
        .env("ZHUOMU_LOG", "warn")
        .env_remove("ZHUOMU_PUBLIC_ORIGIN")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(keep_log()).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap(),
    };
    for _ in 0..600 {
        if let Ok(r) = server
            .http
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

impl Server {
    async fn login(&self, phone: &str) -> String {
        let r: serde_json::Value = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&serde_json::json!({"phone": phone, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["token"].as_str().expect("a token").to_owned()
    }

    async fn get_json(&self, path: &str) -> serde_json::Value {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

struct Figures {
    p50_ms: f64,
    p99_ms: f64,
    rps: f64,
    count: usize,
    bad: usize,
}

fn row(name: &str, f: &Figures) {
    let bad = if f.bad > 0 {
        format!(" ({} failed)", f.bad)
    } else {
        String::new()
    };
    let ok = if f.p99_ms
        < if name.contains("photo") {
            1000.0
        } else {
            100.0
        } {
        "yes"
    } else {
        "**no**"
    };
    println!(
        "| {name} | {:.1} ms | {:.1} ms | {:.0}{bad} | {} | {ok} |",
        f.p50_ms, f.p99_ms, f.rps, f.count
    );
}

/// `oha` at `clients` connections for `seconds` on one URL; its JSON summary.
fn oha(url: &str, token: Option<&str>, clients: usize, seconds: u64) -> Figures {
    let mut cmd = std::process::Command::new(std::env::var("OHA").unwrap_or_else(|_| "oha".into()));
    cmd.args([
        "--no-tui",
        "--output-format",
        "json",
        "-c",
        &clients.to_string(),
        "-z",
        &format!("{seconds}s"),
        "-t",
        "10s",
    ]);
    if let Some(t) = token {
        cmd.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    let out = cmd
        .arg(url)
        .stderr(Stdio::inherit())
        .output()
        .expect("oha (cargo install oha --locked, or ./scripts/bench-load.sh)");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("oha said: {e} {}", String::from_utf8_lossy(&out.stdout)));
    let codes = v["statusCodeDistribution"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let count: usize = codes.values().filter_map(|c| c.as_u64()).sum::<u64>() as usize;
    let ok = codes.get("200").and_then(|c| c.as_u64()).unwrap_or(0) as usize;
    // Requests still in flight when the time is up are cut off, not failed.
    let errors: usize = v["errorDistribution"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !k.contains("deadline"))
                .filter_map(|(_, c)| c.as_u64())
                .sum::<u64>() as usize
        })
        .unwrap_or(0);
    Figures {
        p50_ms: v["latencyPercentiles"]["p50"].as_f64().unwrap_or(f64::NAN) * 1000.0,
        p99_ms: v["latencyPercentiles"]["p99"].as_f64().unwrap_or(f64::NAN) * 1000.0,
        rps: v["summary"]["requestsPerSec"].as_f64().unwrap_or(0.0),
        count: count + errors,
        bad: count - ok + errors,
    }
}

/// A phone camera's photo: 12 MP (4,000 × 3,000), about 4 MB of JPEG at a
/// camera's quality.
fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
        let n = (x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503)) >> 27;
        image::Rgb([
            (x % 251) as u8 ^ n as u8,
            (y % 241) as u8,
            ((x ^ y) % 239) as u8,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(&img)
        .unwrap();
    out
}

/// Eight officers on patrol each send reports with a 4 MB photo, one after
/// another, for `seconds`.
async fn photos(server: &Server, tokens: Vec<String>, seconds: u64) -> Figures {
    let jpeg = photo();
    println!("(photo of {:.1} MB)", jpeg.len() as f64 / 1e6);
    let started = Instant::now();
    let mut tasks = vec![];
    for token in tokens {
        let (http, base, jpeg) = (server.http.clone(), server.base.clone(), jpeg.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = vec![];
            let mut bad = 0;
            while started.elapsed() < Duration::from_secs(seconds) {
                let form = reqwest::multipart::Form::new()
                    .text("category_id", "1")
                    .text("description", "压测：路口有人占道经营")
                    .text("lat", "39.77")
                    .text("lon", "98.29")
                    .text("address", "雄关东路")
                    .part(
                        "photo",
                        reqwest::multipart::Part::bytes(jpeg.clone())
                            .file_name("p.jpg")
                            .mime_str("image/jpeg")
                            .unwrap(),
                    );
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/api/v1/reports"))
                    .bearer_auth(&token)
                    .multipart(form)
                    .send()
                    .await;
                let ok = matches!(&r, Ok(r) if r.status() == reqwest::StatusCode::CREATED);
                if let Ok(r) = r {
                    let _ = r.bytes().await;
                }
                times.push(t.elapsed());
                bad += usize::from(!ok);
            }
            (times, bad)
        }));
    }
    let mut all = vec![];
    let mut bad = 0;
    for t in tasks {
        let (times, b) = t.await.unwrap();
        all.extend(times);
        bad += b;
    }
    all.sort();
    let at = |p: f64| all[((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1];
    Figures {
        p50_ms: at(0.5).as_secs_f64() * 1000.0,
        p99_ms: at(0.99).as_secs_f64() * 1000.0,
        rps: all.len() as f64 / started.elapsed().as_secs_f64(),
        count: all.len(),
        bad,
    }
}

#[tokio::main]
async fn main() {
    let n: i64 = env_or("BENCH_REPORTS", 1_000_000);
    let seconds: u64 = env_or("BENCH_SECONDS", 10);
    let clients: usize = env_or("BENCH_CLIENTS", 64);
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let home = std::env::var("HOME").unwrap_or_else(|_| "/tmp".into());
    let keep = std::path::PathBuf::from(&home).join(".cache/zhuomu/bench-load");
    std::fs::create_dir_all(&keep).unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/load.db", keep.display()));
    let dir = tempfile::tempdir().unwrap();
    let engine = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    {
        let state = state_for(&url, dir.path()).await;
        let (have,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reports")
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
        if have == 0 {
            println!("{engine}: filling {n} reports …");
            fill(&state, n).await;
        } else if have < n {
            panic!("{url} holds {have} reports, not {n}: give an empty database");
        } else {
            println!("{engine}: reusing {have} reports in {url}");
        }
        state.db.pool.close().await;
    }
    let server = serve(&url, dir.path()).await;
    let me = server.login("13000000000").await;
    let moderator = server.login("13900000001").await;
    let unit = server.login("13900000002").await;
    let mut patrol = vec![];
    for p in PATROL {
        patrol.push(server.login(p).await);
    }
    let one = server.get_json("/api/v1/reports?per_page=1").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let deep = server.get_json("/api/v1/reports?page=100").await["items"]
        .as_array()
        .and_then(|a| a.last())
        .and_then(|r| r["id"].as_i64())
        .unwrap_or(one);
    let map = "98.21,39.71,98.24,39.74";
    let rows: Vec<(&str, String, Option<&str>)> = vec![
        ("GET /api/v1/reports", "/api/v1/reports".into(), None),
        (
            "GET /api/v1/reports?status=closed",
            "/api/v1/reports?status=closed".into(),
            None,
        ),
        (
            "GET /api/v1/reports?category_id=3",
            "/api/v1/reports?category_id=3".into(),
            None,
        ),
        (
            "GET /api/v1/reports?status=assigned&category_id=3",
            "/api/v1/reports?status=assigned&category_id=3".into(),
            None,
        ),
        (
            "GET /api/v1/reports?overdue=true",
            "/api/v1/reports?overdue=true".into(),
            None,
        ),
        (
            "GET /api/v1/reports?page=2000",
            "/api/v1/reports?page=2000".into(),
            None,
        ),
        (
            "GET /api/v1/reports?before_id=… (page 101 by key)",
            format!("/api/v1/reports?before_id={deep}"),
            None,
        ),
        (
            "GET /api/v1/reports?q=垃圾 (common)",
            "/api/v1/reports?q=垃圾".into(),
            None,
        ),
        (
            "GET /api/v1/reports?q=消防通道 (rare)",
            "/api/v1/reports?q=消防通道".into(),
            None,
        ),
        (
            "GET /api/v1/reports?q=雄关东路 违停 (several)",
            "/api/v1/reports?q=雄关东路 违停".into(),
            None,
        ),
        (
            "GET /api/v1/reports?q=雄关东路违停",
            "/api/v1/reports?q=雄关东路违停".into(),
            None,
        ),
        (
            "GET /api/v1/reports?bbox=… (the map)",
            format!("/api/v1/reports?bbox={map}"),
            None,
        ),
        (
            "GET /api/v1/reports/{id}",
            format!("/api/v1/reports/{one}"),
            None,
        ),
        (
            "GET /api/v1/reports/hot",
            "/api/v1/reports/hot".into(),
            None,
        ),
        (
            "GET /api/v1/me/reports (100 reports)",
            "/api/v1/me/reports".into(),
            Some(me.as_str()),
        ),
        (
            "GET /api/v1/moderation/reports",
            "/api/v1/moderation/reports".into(),
            Some(moderator.as_str()),
        ),
        (
            "GET /api/v1/moderation/reports?status=rectified",
            "/api/v1/moderation/reports?status=rectified".into(),
            Some(moderator.as_str()),
        ),
        (
            "GET /api/v1/unit/reports",
            "/api/v1/unit/reports".into(),
            Some(unit.as_str()),
        ),
        (
            "GET /api/v1/stats/overview",
            "/api/v1/stats/overview".into(),
            None,
        ),
        (
            "GET /open311/v2/requests.json",
            "/open311/v2/requests.json".into(),
            None,
        ),
        ("`/`", "/".into(), None),
        ("`/reports`", "/reports".into(), None),
        ("`/reports?q=垃圾`", "/reports?q=垃圾".into(), None),
        (
            "`/reports?category_id=3`",
            "/reports?category_id=3".into(),
            None,
        ),
        ("`/reports/{id}`", format!("/reports/{one}"), None),
        ("`/dashboard`", "/dashboard".into(), None),
    ];
    println!("\n{engine}, {n} reports, {clients} clients, {seconds} s per row:\n");
    println!("| endpoint | p50 | p99 | req/s | requests | under target |");
    println!("|---|---|---|---|---|---|");
    for (name, path, token) in rows {
        if !name.contains(&only) {
            continue;
        }
        let url = format!("{}{}", server.base, url_encode_query(&path));
        row(name, &oha(&url, token, clients, seconds));
    }
    if "photo".contains(&only) || only.is_empty() {
        row(
            "`POST /api/v1/reports` with a 12 MP photo, 8 clients",
            &photos(&server, patrol, seconds.max(20)).await,
        );
    }
    drop(server.child);
}

/// Percent-encodes the non-ASCII and spaces of a path's query, as a browser does.
fn url_encode_query(path: &str) -> String {
    let Some((p, q)) = path.split_once('?') else {
        return path.to_owned();
    };
    let q: Vec<String> = q
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ),
            None => kv.to_owned(),
        })
        .collect();
    format!("{p}?{}", q.join("&"))
}
