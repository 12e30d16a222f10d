//! `zhuomu serve | migrate | seed | backup | restore | user create | apikey create`.

use std::net::SocketAddr;
use std::path::PathBuf;

use app::backend::{Config, Db};
use app::domain::{DisplayName, Password, Phone, Roles};
use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "zhuomu", version, about = "啄木 Zhuomu — 文明城市创建市民平台")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// sqlite://path or postgres://…
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/zhuomu.db",
        global = true
    )]
    pub database_url: String,
    /// Where generated secrets are kept.
    #[arg(long, env = "ZHUOMU_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run pending migrations, then serve the web app and the API.
    Serve {
        #[arg(long, env = "ZHUOMU_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// The built web assets (`cargo leptos build`).
        #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
        site_root: String,
        /// The site's public origin, e.g. https://zhuomu.example.cn (CSRF check, Secure cookies).
        #[arg(long, env = "ZHUOMU_PUBLIC_ORIGIN")]
        public_origin: Option<String>,
        /// The city's time zone, which defines "a day".
        #[arg(long, env = "ZHUOMU_TIME_ZONE", default_value = "Asia/Shanghai")]
        time_zone: chrono_tz::Tz,
        /// `off` switches per-IP rate limits off (load tests). The login lockout stays.
        #[arg(long, env = "ZHUOMU_RATE_LIMITS", default_value = "on")]
        rate_limits: String,
        /// Behind your own reverse proxy: the client is the last X-Forwarded-For address.
        #[arg(long, env = "ZHUOMU_TRUST_PROXY")]
        trust_proxy: bool,
        /// Also serve `GET /metrics`, without a token, on this (private) address.
        #[arg(long, env = "ZHUOMU_METRICS_ADDR")]
        metrics_addr: Option<SocketAddr>,
        /// Password hashes at once (19 MiB each); default: one per core.
        #[arg(long, env = "ZHUOMU_HASH_CONCURRENCY")]
        hash_concurrency: Option<usize>,
        /// Seconds between background sweeps (reminders, no-shows, retention).
        #[arg(long, env = "ZHUOMU_SWEEP_SECS", default_value_t = 60)]
        sweep_secs: u64,
        /// After SIGTERM, seconds to keep serving while /readyz says 503, so a
        /// load balancer stops sending first (its check interval × 2).
        #[arg(long, env = "ZHUOMU_DRAIN_SECS", default_value_t = 0)]
        drain_secs: u64,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Run pending migrations.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load seeds/ (the demo city) into the database; running it again adds nothing.
    Seed {
        #[arg(long, default_value = "seeds/jiayuguan.json")]
        file: PathBuf,
        /// Also create the demo accounts listed in the seed file (never in production).
        #[arg(long)]
        demo_users: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// SQLite: write a consistent copy of the database to PATH while it is
    /// serving. PostgreSQL: print the pg_dump command to run.
    Backup {
        path: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// SQLite: replace the database with the backup at PATH (stop the
    /// servers first), then migrate. PostgreSQL: print the pg_restore command.
    Restore {
        path: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage Open311 API keys.
    Apikey {
        #[command(subcommand)]
        command: ApikeyCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApikeyCommand {
    /// Issue a key for a client (e.g. 12345热线) and print it; it is shown only once.
    Create {
        /// The client's name, shown on the reports it files.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account and print its id.
    Create {
        #[arg(long)]
        phone: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        name: String,
        /// citizen, moderator, unit_staff, admin (repeat or comma-separate).
        #[arg(long, value_delimiter = ',')]
        role: Vec<String>,
        /// The unit of a unit_staff account.
        #[arg(long)]
        unit: Option<i64>,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn connect(db: &DbArgs) -> anyhow::Result<Db> {
    let database = Db::connect(&db.database_url).await?;
    database.migrate().await?;
    Ok(database)
}

/// The services for a one-off command (no web assets, no listener).
async fn offline_state(db: &DbArgs) -> anyhow::Result<app::backend::AppState> {
    let database = connect(db).await?;
    crate::build_state(
        database,
        config(db, None, true)?,
        "target/site",
        chrono_tz::Asia::Shanghai,
    )
}

/// Settings from the flags and the environment: `ZHUOMU_S3_*`,
/// `ZHUOMU_SMS` (log, outbox:PATH, http:URL), `ZHUOMU_VERIFY_PHONES=off`
/// (local demos only) and `ZHUOMU_PRIVACY_FILE`.
pub fn config(
    db: &DbArgs,
    public_origin: Option<String>,
    rate_limits: bool,
) -> anyhow::Result<Config> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let sms = app::backend::identity::sms::SmsSender::parse(&env("ZHUOMU_SMS").unwrap_or_default())
        .map_err(anyhow::Error::msg)?;
    let verify_phones = match env("ZHUOMU_VERIFY_PHONES").as_deref() {
        None | Some("on") => true,
        Some("off") => false,
        Some(other) => anyhow::bail!("ZHUOMU_VERIFY_PHONES must be on or off, not {other:?}"),
    };
    let policy = app::backend::identity::privacy::Policy::load(
        env("ZHUOMU_PRIVACY_FILE")
            .as_deref()
            .map(std::path::Path::new),
    )?;
    Ok(Config {
        sms,
        verify_phones,
        policy: std::sync::Arc::new(policy),
        data_dir: db.data_dir.clone(),
        public_origin,
        rate_limits,
        metrics_token: env("ZHUOMU_METRICS_TOKEN"),
        map_tiles: env("ZHUOMU_MAP_TILES")
            .map(|t| {
                app::domain::map::TileSource::parse(
                    &t,
                    env("ZHUOMU_MAP_ATTRIBUTION").as_deref().unwrap_or(""),
                )
                .map_err(|e| anyhow::anyhow!("ZHUOMU_MAP_TILES: {e}"))
            })
            .transpose()?,
        s3: std::env::var("ZHUOMU_S3_BUCKET")
            .ok()
            .filter(|b| !b.is_empty())
            .map(|bucket| app::backend::S3Settings {
                bucket,
                endpoint: std::env::var("ZHUOMU_S3_ENDPOINT")
                    .ok()
                    .filter(|e| !e.is_empty()),
                ..Default::default()
            }),
        ..Config::default()
    })
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            addr,
            site_root,
            public_origin,
            time_zone,
            rate_limits,
            trust_proxy,
            metrics_addr,
            hash_concurrency,
            sweep_secs,
            drain_secs,
            db,
        } => {
            if let Some(n) = hash_concurrency {
                app::backend::auth::set_hash_concurrency(n);
            }
            let database = connect(&db).await?;
            let state = crate::build_state(
                database,
                Config {
                    trust_proxy,
                    listen: Some(addr),
                    ..config(&db, public_origin, rate_limits != "off")?
                },
                &site_root,
                time_zone,
            )?;
            let timing = Timing {
                sweep: std::time::Duration::from_secs(sweep_secs.max(1)),
                drain: std::time::Duration::from_secs(drain_secs.min(10)),
            };
            serve(state, addr, metrics_addr, timing).await
        }
        Command::Backup { path, db } => {
            finish(crate::backup::backup(&db.database_url, &path).await?)
        }
        Command::Restore { path, db } => {
            finish(crate::backup::restore(&db.database_url, &path).await?)
        }
        Command::Migrate { db } => {
            connect(&db).await?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::Seed {
            file,
            demo_users,
            db,
        } => {
            let state = offline_state(&db).await?;
            let report = crate::seed::load(&state, &file, demo_users).await?;
            println!("{report}");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    phone,
                    password,
                    name,
                    role,
                    unit,
                    db,
                },
        } => {
            let phone = Phone::parse(&phone).map_err(|e| anyhow::anyhow!("--phone: {e}"))?;
            let password =
                Password::parse(&password).map_err(|e| anyhow::anyhow!("--password: {e}"))?;
            let name = DisplayName::parse(&name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
            let roles = Roles::parse_list(role.iter().map(String::as_str))
                .map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            let state = offline_state(&db).await?;
            let row = app::backend::users::create(&state, &phone, &password, &name, &roles, unit)
                .await
                .map_err(|e| anyhow::anyhow!("{e}{}", e.field_detail()))?;
            println!("{}", row.id);
            Ok(())
        }
        Command::Apikey {
            command: ApikeyCommand::Create { name, db },
        } => {
            let state = offline_state(&db).await?;
            let (_, key) =
                app::backend::open311::create_key(&state, app::backend::auth::Actor::System, &name)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}{}", e.field_detail()))?;
            println!("{key}");
            Ok(())
        }
    }
}

fn finish(outcome: crate::backup::Outcome) -> anyhow::Result<()> {
    match outcome {
        crate::backup::Outcome::Done(line) => {
            println!("{line}");
            Ok(())
        }
        crate::backup::Outcome::UseTool(advice) => {
            println!("{advice}");
            std::process::exit(2);
        }
    }
}

/// The sweep's period and the drain before shutdown (at most 10 s, so the
/// whole shutdown stays within 30 s).
struct Timing {
    sweep: std::time::Duration,
    drain: std::time::Duration,
}

/// How long requests in flight get to finish after SIGTERM.
const GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// Serves until SIGTERM or Ctrl-C, then: says 503 on /readyz while it keeps
/// serving for the drain time, stops accepting, answers the requests in
/// flight (up to [`GRACE`]), lets the sweep finish the job it is in, closes
/// the pool (SQLite checkpoints its WAL) and returns — within 30 seconds.
async fn serve(
    state: app::backend::AppState,
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    timing: Timing,
) -> anyhow::Result<()> {
    use tokio_util::sync::CancellationToken;
    // Before the first sweep counts anything.
    crate::metrics::install();
    let stop = CancellationToken::new();
    tokio::spawn({
        let stop = stop.clone();
        let draining = state.draining.clone();
        let drain = timing.drain;
        async move {
            signalled().await;
            draining.store(true, std::sync::atomic::Ordering::Relaxed);
            if !drain.is_zero() {
                tracing::info!("draining: /readyz says 503, still serving for {drain:?}");
                tokio::time::sleep(drain).await;
            }
            tracing::info!("shutting down: no new connections, answering requests in flight");
            stop.cancel();
        }
    });
    let sweeper = tokio::spawn(background(state.clone(), stop.clone(), timing.sweep));
    if let Some(maddr) = metrics_addr {
        let listener = tokio::net::TcpListener::bind(maddr).await?;
        tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
        let router = crate::metrics::private_router(state.clone());
        let stop = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
        });
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    println!(
        "啄木 Zhuomu is listening on http://{}",
        listener.local_addr()?
    );
    let serving = axum::serve(
        listener,
        crate::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop.clone().cancelled_owned())
    .into_future();
    tokio::pin!(serving);
    tokio::select! {
        r = &mut serving => r?,
        _ = stop.cancelled() => match tokio::time::timeout(GRACE, &mut serving).await {
            Ok(r) => r?,
            Err(_) => tracing::warn!("requests still open after {GRACE:?}; closing them"),
        },
    }
    stop.cancel();
    if tokio::time::timeout(std::time::Duration::from_secs(5), sweeper)
        .await
        .is_err()
    {
        tracing::warn!("the sweep did not finish its job in 5 s");
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(3), state.db.pool.close()).await;
    tracing::info!("stopped");
    Ok(())
}

async fn signalled() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Background work of a server, every `every` (a minute): shift reminders
/// and no-shows, retention (personal data past its time), and folding the
/// dashboard's report counts. Each item is claimed through the database, so
/// several servers can all run this without doing anything twice. On
/// shutdown it stops between jobs.
async fn background(
    state: app::backend::AppState,
    stop: tokio_util::sync::CancellationToken,
    every: std::time::Duration,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let ran = |job: &'static str, ok: bool| {
        metrics::counter!("zhuomu_sweep_runs_total", "job" => job, "result" => if ok { "ok" } else { "failed" })
            .increment(1);
    };
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.cancelled() => return,
        }
        match app::backend::volunteer::sweep(&state).await {
            Ok(s) => {
                ran("volunteer", true);
                if s != Default::default() {
                    tracing::info!(
                        reminders = s.reminders,
                        no_shows = s.no_shows,
                        suspensions = s.suspensions,
                        "volunteer sweep"
                    );
                }
            }
            Err(e) => {
                ran("volunteer", false);
                tracing::warn!(error = %e, "volunteer sweep failed");
            }
        }
        if stop.is_cancelled() {
            return;
        }
        match app::backend::identity::retention::sweep(&state).await {
            Ok(p) => {
                ran("retention", true);
                if p.any() {
                    tracing::info!(
                        codes = p.codes,
                        login_rows = p.login_rows,
                        voter_addresses = p.voter_addresses,
                        rate_windows = p.rate_windows,
                        "retention sweep"
                    );
                }
            }
            Err(e) => {
                ran("retention", false);
                tracing::warn!(error = %e, "retention sweep failed");
            }
        }
        if stop.is_cancelled() {
            return;
        }
        match app::backend::reports::escalate_due(&state).await {
            Ok((yellow, red)) => {
                ran("escalation", true);
                if yellow + red > 0 {
                    tracing::info!(yellow, red, "escalation sweep");
                }
            }
            Err(e) => {
                ran("escalation", false);
                tracing::warn!(error = %e, "escalation sweep failed");
            }
        }
        if stop.is_cancelled() {
            return;
        }
        let folded = app::backend::stats::fold(&state).await;
        ran("stats", folded.is_ok());
        if let Err(e) = folded {
            tracing::warn!(error = %e, "folding the report tallies failed");
        }
    }
}
