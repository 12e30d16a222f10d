use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc: a list page allocates thousands of small values (rows, strings,
/// JSON); under 64 clients glibc's malloc spent a quarter of the server's
/// time on its locks and free lists (docs/PERFORMANCE.md, issue 18).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("ZHUOMU_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        // Logs on stderr: a subcommand's answer (an id, a key) is stdout alone.
        .with_writer(std::io::stderr)
        .init();
    zhuomu_server::security::install_panic_hook();
    let cli = zhuomu_server::cli::Cli::parse();
    if let Err(e) = zhuomu_server::cli::run(cli).await {
        eprintln!("zhuomu: {e:#}");
        std::process::exit(1);
    }
}
