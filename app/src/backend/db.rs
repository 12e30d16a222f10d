use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

/// Which engine a URL selects. Everything above this module is the same code
/// for both; the differences are the migration folders, the pragmas and how a
/// write transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Db {
    /// Connects to `sqlite://path` (the file and its folder are created if
    /// missing) or `postgres://…`.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(anyhow::anyhow!(
                "database URL must start with sqlite: or postgres://"
            ));
        };
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| anyhow::anyhow!("bad database URL: {e}"))?;
        // Connections at most (ZHUOMU_DB_POOL overrides): SQLite's readers
        // each hold a thread; PostgreSQL's each a server process.
        let size = |default: u32| {
            std::env::var("ZHUOMU_DB_POOL")
                .ok()
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|n| *n > 0)
                .unwrap_or(default)
        };
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(size(8))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers run beside the one writer; the busy
                            // timeout makes a writer wait for the lock instead of
                            // failing, and BEGIN IMMEDIATE (see `begin_write`)
                            // takes that lock before the first read. FULL: a
                            // commit that was answered survives the machine
                            // losing power, not only the process dying. Reads go
                            // through a shared memory map of the file (up to 2 GiB)
                            // instead of a read call per page: a list page looks up
                            // a few hundred rows at a million reports.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL; \
                                 PRAGMA mmap_size = 2147483648;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(size(16))
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // A page's query reads a few hundred index entries;
                            // starting parallel workers for it costs more than
                            // it saves (measured: 11 ms instead of 0.3 ms for a
                            // search's page), and under load they take the
                            // cores the other requests need.
                            conn.execute("SET max_parallel_workers_per_gather = 0")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
            }
        }
        .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
        Ok(Db { pool, backend })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock
    /// up front (`BEGIN IMMEDIATE`), so it waits for other writers instead of
    /// failing with SQLITE_BUSY after it has read; on PostgreSQL the
    /// conditional updates inside re-check their conditions under row locks.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// `sqlite://data/zhuomu.db` → creates `data/` and asks for the file to be
/// created (`mode=rwc`) unless the URL names its own mode.
fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && !path.is_empty()
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
    }
    Ok(if query.contains("mode=") {
        url.to_owned()
    } else if query.is_empty() {
        format!("sqlite://{path}?mode=rwc")
    } else {
        format!("sqlite://{path}?{query}&mode=rwc")
    })
}

/// True when `e` is a unique-constraint violation (either engine).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_unique_violation(),
        _ => false,
    }
}

/// Maps a unique-constraint violation to a named 409 and anything else to
/// the usual internal error: `.map_err(conflict_on_unique("name_taken", "…"))`.
pub fn conflict_on_unique(
    code: &'static str,
    message: &'static str,
) -> impl FnOnce(sqlx::Error) -> crate::error::AppError {
    move |e| {
        if is_unique_violation(&e) {
            crate::error::AppError::conflict(code, message)
        } else {
            e.into()
        }
    }
}

/// True when `e` is a foreign-key violation (either engine).
pub fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_foreign_key_violation(),
        _ => false,
    }
}

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
pub enum Param {
    Int(i64),
    Float(f64),
    Text(String),
}

/// A `WHERE` clause built from optional filters. Clauses are written with `?`
/// and numbered `$1, $2, …` here, so the same text runs on both engines and
/// every value is bound, never spliced into the SQL.
#[derive(Debug, Default, Clone)]
pub struct Where {
    clauses: Vec<String>,
    params: Vec<Param>,
    /// Placeholders taken by the query text before this clause.
    before: usize,
}

impl Where {
    pub fn new() -> Self {
        Self::default()
    }

    /// A clause for the same query as `prev`, after it: its placeholders
    /// go on from `prev`'s, and its values are bound after them.
    pub fn continuing(prev: &Where) -> Self {
        Where {
            before: prev.before + prev.params.len(),
            ..Self::default()
        }
    }

    /// Adds `clause` (with one `?` per value in `params`, in order).
    pub fn and(&mut self, clause: &str, params: impl IntoIterator<Item = Param>) -> &mut Self {
        let mut out = String::with_capacity(clause.len() + 8);
        let mut params = params.into_iter();
        for c in clause.chars() {
            if c == '?' {
                let p = params.next().expect("a value for every ?");
                self.params.push(p);
                out.push_str(&format!("${}", self.before + self.params.len()));
            } else {
                out.push(c);
            }
        }
        assert!(params.next().is_none(), "a ? for every value");
        self.clauses.push(out);
        self
    }

    /// ` WHERE a AND b`, or nothing.
    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// The number the next placeholder after these gets.
    pub fn next_placeholder(&self) -> usize {
        self.before + self.params.len() + 1
    }

    pub fn params(&self) -> &[Param] {
        &self.params
    }
}

/// Binds `params` in order to a `query_as`.
pub fn bind_all<'q, O>(
    mut q: sqlx::query::QueryAs<'q, Any, O, sqlx::any::AnyArguments<'q>>,
    params: &[Param],
) -> sqlx::query::QueryAs<'q, Any, O, sqlx::any::AnyArguments<'q>> {
    for p in params {
        q = match p {
            Param::Int(v) => q.bind(*v),
            Param::Float(v) => q.bind(*v),
            Param::Text(v) => q.bind(v.clone()),
        };
    }
    q
}

/// One page of `select` (`SELECT … FROM …`, joins included) filtered by
/// `w`, in `order`, and how many rows the filter matches in all, counted
/// over `count_from` (the filtered table alone, with the alias `w` uses,
/// when the joins do not change the count).
pub async fn fetch_page<R>(
    pool: &sqlx::Pool<Any>,
    select: &str,
    count_from: &str,
    w: &Where,
    order: &str,
    paging: crate::domain::Paging,
) -> Result<(Vec<R>, i64), sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let (total,): (i64,) = bind_all(
        sqlx::query_as(&format!("SELECT COUNT(*) FROM {count_from}{}", w.sql())),
        w.params(),
    )
    .fetch_one(pool)
    .await?;
    let n = w.next_placeholder();
    let mut params = w.params().to_vec();
    params.extend([Param::Int(paging.limit()), Param::Int(paging.offset())]);
    let rows = bind_all(
        sqlx::query_as(&format!(
            "{select}{} ORDER BY {order} LIMIT ${n} OFFSET ${}",
            w.sql(),
            n + 1
        )),
        &params,
    )
    .fetch_all(pool)
    .await?;
    Ok((rows, total))
}

/// `$from, $from+1, …` for an `IN (…)` list of `n` values.
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_numbers_its_placeholders() {
        let mut w = Where::new();
        assert_eq!(w.sql(), "");
        w.and("status = ?", [Param::Text("closed".into())])
            .and(
                "lat BETWEEN ? AND ?",
                [Param::Float(1.0), Param::Float(2.0)],
            )
            .and("hide_name = 0", []);
        assert_eq!(
            w.sql(),
            " WHERE status = $1 AND lat BETWEEN $2 AND $3 AND hide_name = 0"
        );
        assert_eq!(w.next_placeholder(), 4);
        assert_eq!(placeholders(4, 3), "$4, $5, $6");
    }
}
