//! The Ключ server, grouped by role: `http` (the middleware and the handlers that are not
//! pages: documents, uploads, the bank's notifications), `integrations` (the outside world:
//! the bank, file storage, e-mail, SMS, push), `worker` (the background jobs of every area),
//! `demo`, `harness` (what the load tools share), plus configuration and startup. The business logic lives in the `app` crate.

pub mod config;
pub mod demo;
pub mod harness;
pub mod http;
pub mod integrations;
pub mod startup;
pub mod worker;

/// mimalloc instead of the C library's allocator, for the server and every program built on
/// it: the work is spread over tokio's threads and the database's, so memory is often freed on
/// another thread than the one that took it, which glibc's arenas serialise on a lock (the
/// accrual run spent a sixth of its time in them).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Logs as plain text to stderr; `RUST_LOG` sets the level (default `info`). Personal data is
/// never logged: log fields carry ids, not names, phones or addresses.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
