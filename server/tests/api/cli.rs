//! The `zhuomu` binary's subcommands, run as a person would.

use std::process::Command;

use crate::helpers::{Engine, fresh_database_url};

fn zhuomu(url: &str, data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zhuomu"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("ZHUOMU_DATA_DIR", data)
        .env_remove("ZHUOMU_JWT_SECRET")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap()
}

async fn migrate_seed_and_create_users(e: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(e, dir.path()).await;
    let out = zhuomu(&url, dir.path(), &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = zhuomu(&url, dir.path(), &["seed"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created 8 units"));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("3 posts, 3 gifts, 1 campaigns, 84 shifts"),
        "duty posts at crossings, a campaign, a week of the four peaks at each: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The demo campaign is named for the year it was seeded in (the binary
    // reads the same system clock as this line).
    let db = app::backend::Db::connect(&url).await.unwrap();
    let (title,): (String,) = sqlx::query_as("SELECT title FROM campaigns")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let year = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y");
    assert_eq!(title, format!("{year}年度雄关好人评选"));
    db.pool.close().await;
    let out = zhuomu(&url, dir.path(), &["seed"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(
        "created 0 units, 0 categories, 0 areas, 0 posts, 0 gifts, 0 campaigns, 0 shifts"
    ));

    let out = zhuomu(
        &url,
        dir.path(),
        &[
            "user",
            "create",
            "--phone",
            "13812345678",
            "--password",
            "first-admin-pass",
            "--name",
            "管理员",
            "--role",
            "admin",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id: i64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("prints the new id");
    assert!(id > 0);
    // The secret was generated once and is kept.
    let secret = std::fs::read_to_string(dir.path().join("jwt_secret")).unwrap();
    zhuomu(&url, dir.path(), &["migrate"]);
    assert_eq!(
        secret,
        std::fs::read_to_string(dir.path().join("jwt_secret")).unwrap()
    );

    let dup = zhuomu(
        &url,
        dir.path(),
        &[
            "user",
            "create",
            "--phone",
            "13812345678",
            "--password",
            "first-admin-pass",
            "--name",
            "又一个",
        ],
    );
    assert!(!dup.status.success());
    let bad = zhuomu(
        &url,
        dir.path(),
        &[
            "user",
            "create",
            "--phone",
            "123",
            "--password",
            "x",
            "--name",
            "n",
        ],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--phone"));
    let staff = zhuomu(
        &url,
        dir.path(),
        &[
            "user",
            "create",
            "--phone",
            "13812345679",
            "--password",
            "unit-staff-pass",
            "--name",
            "单位人员",
            "--role",
            "unit_staff",
        ],
    );
    assert!(!staff.status.success(), "unit_staff needs --unit");
    let staff = zhuomu(
        &url,
        dir.path(),
        &[
            "user",
            "create",
            "--phone",
            "13812345679",
            "--password",
            "unit-staff-pass",
            "--name",
            "单位人员",
            "--role",
            "unit_staff",
            "--unit",
            "1",
        ],
    );
    assert!(
        staff.status.success(),
        "{}",
        String::from_utf8_lossy(&staff.stderr)
    );
}
crate::both!(migrate_seed_and_create_users);

async fn apikey_create_prints_a_working_key(e: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(e, dir.path()).await;
    let out = zhuomu(&url, dir.path(), &["seed"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = zhuomu(&url, dir.path(), &["apikey", "create", "--name", "x"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("name"));
    let out = zhuomu(
        &url,
        dir.path(),
        &["apikey", "create", "--name", "12345热线"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(key.starts_with("zk_"), "{key}");

    // The printed key files an Open311 request against that database.
    let db = app::backend::Db::connect(&url).await.unwrap();
    let state = zhuomu_server::build_state(
        db,
        app::backend::Config {
            data_dir: dir.path().to_path_buf(),
            ..Default::default()
        },
        "target/site",
        chrono_tz::Asia::Shanghai,
    )
    .unwrap();
    let input = |key: &str| app::backend::open311::PostRequest {
        api_key: Some(key.to_owned()),
        service_code: Some("1".into()),
        lat: Some("39.772".into()),
        long: Some("98.289".into()),
        description: Some("路口垃圾满溢".into()),
        ..Default::default()
    };
    let answer = app::backend::open311::submit(&state, input(&key))
        .await
        .unwrap();
    assert!(!answer.token.is_empty());
    let wrong = app::backend::open311::submit(&state, input("zk_wrong")).await;
    assert_eq!(wrong.unwrap_err().code(), "invalid_api_key");
}
crate::both!(apikey_create_prints_a_working_key);
