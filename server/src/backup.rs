//! `zhuomu backup PATH` and `zhuomu restore PATH`.
//!
//! SQLite: a backup is `VACUUM INTO`, one read transaction, so it is a
//! consistent copy taken while the server goes on serving; it is checked
//! (`integrity_check`) before the command says it is done. A restore checks
//! the file the same way, puts it in place of the database in one rename
//! (servers stopped), and runs the migrations, so a backup from an older
//! version comes back upgraded.
//!
//! PostgreSQL has its own tools for this (pg_dump, pg_restore, and
//! point-in-time recovery from its WAL); the commands print what to run.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use app::backend::{Backend, Db};

/// The file path of a `sqlite:` URL.
fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        bail!("this database has no file to back up");
    }
    Ok(PathBuf::from(path))
}

/// What a backup or restore did, for the terminal.
pub enum Outcome {
    Done(String),
    /// PostgreSQL: the command to run instead (exit status 2).
    UseTool(String),
}

/// Checks a file of ours (a fresh backup, a staged restore): it opens it
/// read-write, as every connection sets WAL mode.
async fn check_file(path: &Path) -> anyhow::Result<i64> {
    let url = format!("sqlite://{}?mode=rw", path.display());
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("{} is not a database", path.display()))?;
    let (verdict,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&db.pool)
        .await
        .with_context(|| format!("{} is not a SQLite database", path.display()))?;
    if verdict != "ok" {
        bail!("{} fails its integrity check: {verdict}", path.display());
    }
    let (migrations,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&db.pool)
        .await
        .with_context(|| format!("{} is not a Zhuomu database", path.display()))?;
    db.pool.close().await;
    Ok(migrations)
}

pub async fn backup(url: &str, to: &Path) -> anyhow::Result<Outcome> {
    if url.starts_with("postgres") {
        return Ok(Outcome::UseTool(format!(
            "PostgreSQL is backed up with its own tool; run:\n  pg_dump --format=custom --file={} '{url}'",
            to.display()
        )));
    }
    if to.exists() {
        bail!("{} exists already; choose a new file", to.display());
    }
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let db = Db::connect(url).await?;
    if db.backend != Backend::Sqlite {
        bail!("not a SQLite database");
    }
    let target = to
        .to_str()
        .context("the backup path must be valid UTF-8")?
        .to_owned();
    sqlx::query("VACUUM INTO $1")
        .bind(&target)
        .execute(&db.pool)
        .await
        .context("the backup failed")?;
    db.pool.close().await;
    let migrations = check_file(to).await?;
    let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    Ok(Outcome::Done(format!(
        "backed up to {} ({size} bytes, {migrations} migrations, integrity ok)",
        to.display()
    )))
}

pub async fn restore(url: &str, from: &Path) -> anyhow::Result<Outcome> {
    if url.starts_with("postgres") {
        return Ok(Outcome::UseTool(format!(
            "PostgreSQL is restored with its own tool; stop the servers, then run:\n  pg_restore --clean --if-exists --no-owner --dbname='{url}' {}",
            from.display()
        )));
    }
    if !from.is_file() {
        bail!("{} is not a file", from.display());
    }
    let path = sqlite_path(url)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    // Copy beside the database, check the copy (the backup itself is never
    // touched), then one rename: a crash halfway leaves the old database or
    // the new one, never half of each.
    let staging = path.with_extension("restoring");
    std::fs::copy(from, &staging)
        .with_context(|| format!("cannot copy {} beside the database", from.display()))?;
    if let Err(e) = check_file(&staging).await {
        remove_with_sidecars(&staging);
        return Err(e);
    }
    sidecars(&path).for_each(|side| {
        let _ = std::fs::remove_file(side);
    });
    std::fs::rename(&staging, &path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    let db = Db::connect(url).await?;
    db.migrate().await?;
    db.pool.close().await;
    Ok(Outcome::Done(format!(
        "restored {} from {} (migrations up to date)",
        path.display(),
        from.display()
    )))
}

/// The WAL and shared-memory files beside a SQLite database.
fn sidecars(path: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    ["-wal", "-shm"].into_iter().map(move |suffix| {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        PathBuf::from(side)
    })
}

fn remove_with_sidecars(path: &Path) {
    let _ = std::fs::remove_file(path);
    sidecars(path).for_each(|side| {
        let _ = std::fs::remove_file(side);
    });
}
