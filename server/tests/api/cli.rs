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
