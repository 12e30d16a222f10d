use clap::Parser;
use tracing_subscriber::EnvFilter;

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
