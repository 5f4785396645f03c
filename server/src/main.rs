//! `server` — runs Ключ. Subcommands:
//! - (none): serve on `KLYUCH_ADDR`;
//! - `demo`: load the demo house into the database (it must hold no houses yet);
//! - `seed-load N`: the demo plus a filler house, N accounts in all, its owners signed up with
//!   the demo password and its services priced (for `make load` and `make scale`).

use server::config::Settings;
use server::startup::Application;

#[tokio::main]
async fn main() {
    server::init_tracing();
    if let Err(message) = run().await {
        tracing::error!("{message}");
        eprintln!("ошибка: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("serve") => {
            let app = Application::build(settings)
                .await
                .map_err(|e| e.to_string())?;
            app.run_until(shutdown_signal())
                .await
                .map_err(|e| e.to_string())
        }
        Some("demo") => {
            let store = store(&settings).await?;
            ensure_empty(&store).await?;
            server::demo::load(&store)
                .await
                .map_err(|e| e.to_string())?;
            println!("Демо-дом «Серебряный ключ» загружен.");
            Ok(())
        }
        Some("seed-load") => {
            let total: usize = args
                .get(1)
                .and_then(|n| n.parse().ok())
                .ok_or("usage: server seed-load <number of accounts>")?;
            let store = store(&settings).await?;
            ensure_empty(&store).await?;
            server::demo::load_with_filler(&store, total)
                .await
                .map_err(|e| e.to_string())?;
            println!("Загружено счетов: {total}");
            Ok(())
        }
        Some(other) => Err(format!(
            "unknown command {other:?}; use serve, demo or seed-load N"
        )),
    }
}

async fn store(settings: &Settings) -> Result<app::db::Store, String> {
    let db = app::db::Db::connect(&settings.database_url, settings.db_connections)
        .await
        .map_err(|e| e.to_string())?;
    Ok(app::db::Store::new(db))
}

async fn ensure_empty(store: &app::db::Store) -> Result<(), String> {
    match store.register_is_empty().await {
        Ok(true) => Ok(()),
        Ok(false) => Err("в базе уже есть дома; демо загружается только в пустую базу".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Ctrl-C or SIGTERM: stop taking new connections and finish the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
