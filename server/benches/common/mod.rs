//! What the database benchmarks share: a migrated database (a SQLite file in
//! a temporary folder, or `BENCH_DATABASE_URL`) behind a server's state.

use app::backend::{AppState, Config, Db};

pub struct Bench {
    pub state: AppState,
    /// `SQLite` or `PostgreSQL`, for the printed figures.
    pub engine: &'static str,
    _dir: tempfile::TempDir,
}

pub async fn bench_state() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let state = zhuomu_server::build_state(
        db,
        Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        },
        dir.path().join("site").to_str().unwrap(),
        chrono_tz::Asia::Shanghai,
    )
    .unwrap();
    Bench {
        state,
        engine: if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        _dir: dir,
    }
}
