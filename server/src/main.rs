use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc: a list page allocates thousands of small values (rows, strings,
/// JSON); under 64 clients glibc's malloc spent a quarter of the server's
/// time on its locks and free lists (docs/PERFORMANCE.md, issue 18).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A photo thread's freed pages go back to the system after each photo
/// (mimalloc frees lazily, on the thread's next allocation, which an idle
/// photo thread never makes).
fn give_back_photo_memory() {
    // SAFETY: mi_collect only walks and trims the calling thread's heap.
    // Not forced: a forced collect gave every page back, and the next
    // photo's page faults made two photo threads no faster than one.
    unsafe { libmimalloc_sys::mi_collect(false) }
}

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
    app::backend::photos::after_each_photo(give_back_photo_memory);
    let cli = zhuomu_server::cli::Cli::parse();
    if let Err(e) = zhuomu_server::cli::run(cli).await {
        eprintln!("zhuomu: {e:#}");
        std::process::exit(1);
    }
}
