//! Composition root: builds the store, the router and the listener; runs until told to stop.

use std::{future::Future, net::SocketAddr, sync::Arc};

use axum::{Router, extract::FromRef, middleware, routing::get};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use app::build_files::BuildFiles;
use app::db::{Db, DbError, Store};
use app::{App, shell};

use app::passes::devices::GateDevices;
use app::payments::acquiring::SharedAcquiring;

use crate::config::{AcquiringProvider, Settings};
use crate::worker::{Senders, Worker, worker_id};

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub settings: Settings,
    pub acquiring: SharedAcquiring,
    pub gates: GateDevices,
    /// Ticket files.
    pub storage: crate::integrations::storage::Storage,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot load the demo data: {0}")]
    Demo(app::error::AppError),
    #[error(transparent)]
    Email(#[from] crate::integrations::email::EmailConfigError),
    #[error("cannot build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
    #[error("cannot load or create the Web Push keys: {0}")]
    Vapid(app::error::AppError),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    store: Store,
    /// The job worker and how often it polls (absent when `KLYUCH_WORKER=false`).
    worker: Option<(Arc<Worker>, std::time::Duration)>,
}

impl Application {
    /// Connects and migrates the database, loads the demo into an empty one (when enabled), and
    /// binds the listener (port 0 picks a free port — tests use that).
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let store = Store::new(Db::connect(&settings.database_url, settings.db_connections).await?);
        tracing::info!(backend = store.db.backend(), "database ready");
        if settings.load_demo
            && store
                .register_is_empty()
                .await
                .map_err(StartupError::Demo)?
        {
            crate::demo::load(&store)
                .await
                .map_err(StartupError::Demo)?;
            tracing::info!("demo house «Серебряный ключ» loaded");
        }
        let listener =
            TcpListener::bind(settings.addr)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: settings.addr,
                    source,
                })?;
        let own_base = own_base(&listener);
        let acquiring = crate::integrations::acquiring::from_settings(&settings, &own_base);
        let mut senders = Senders::from_settings(&store, &settings).await?;
        senders.acquiring = acquiring.clone();
        let worker = settings.notify.worker.then(|| {
            (
                Worker::with_lease(
                    store.clone(),
                    senders,
                    worker_id(),
                    settings.notify.job_lease,
                ),
                std::time::Duration::from_millis(settings.notify.poll_ms),
            )
        });
        let gates = GateDevices::new(&own_base).map_err(StartupError::Http)?;
        let router = router(store.clone(), settings, acquiring, gates);
        Ok(Self {
            listener,
            router,
            store,
            worker,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight and closes the pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use axum::serve::ListenerExt;
        tracing::info!(addr = ?self.listener.local_addr().ok(), "listening");
        // Without TCP_NODELAY a response written in two parts (head, then body) waits for the
        // client's delayed ACK: about 40 ms on every request.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        let (stop_worker, stop) = tokio::sync::watch::channel(false);
        let worker = self
            .worker
            .map(|(worker, poll)| tokio::spawn(worker.run(poll, stop)));
        let result = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        let _ = stop_worker.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        self.store.db.close().await;
        result
    }
}

pub fn leptos_options(settings: &Settings) -> LeptosOptions {
    let files = BuildFiles::beside_server();
    LeptosOptions::builder()
        .output_name("klyuch")
        .site_root(settings.site_root.as_str())
        .site_pkg_dir(files.pkg_dir())
        .site_addr(settings.addr)
        .hash_files(files.hashed())
        .build()
}

/// Where this server itself is reached from inside (the sandbox bank and its callbacks).
fn own_base(listener: &TcpListener) -> String {
    match listener.local_addr() {
        Ok(addr) if addr.ip().is_unspecified() => format!("http://127.0.0.1:{}", addr.port()),
        Ok(addr) => format!("http://{addr}"),
        Err(_) => "http://127.0.0.1:3000".into(),
    }
}

pub fn router(
    store: Store,
    settings: Settings,
    acquiring: SharedAcquiring,
    gates: GateDevices,
) -> Router {
    let leptos_options = leptos_options(&settings);
    let routes = generate_route_list(App);
    let config = settings.app_config();
    let sandbox = (settings.acquiring.provider == AcquiringProvider::Sandbox).then(|| {
        crate::integrations::sandbox_bank::SandboxBank::new(
            &settings.acquiring.password,
            &settings.public_url,
        )
        .router()
    });
    let state = AppState {
        leptos_options: leptos_options.clone(),
        store: store.clone(),
        storage: settings.storage.clone(),
        settings,
        acquiring: acquiring.clone(),
        gates: gates.clone(),
    };
    let services = app::context::Services {
        store,
        config,
        acquiring,
        gates,
    };
    let context = move || {
        provide_context(services.clone());
        leptos::nonce::provide_nonce();
    };
    let files = tower_http::services::ServeDir::new(&state.settings.files_dir);
    let standin_gate = state
        .settings
        .load_demo
        .then(crate::integrations::standin_gate::router);
    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/staff/news/image",
            axum::routing::post(crate::http::files::upload_news_image).layer(
                axum::extract::DefaultBodyLimit::max(crate::http::limits::NEWS_IMAGE_BYTES),
            ),
        )
        .route(
            "/uploads",
            axum::routing::post(crate::http::tickets::start_upload),
        )
        .route(
            "/uploads/{token}",
            get(crate::http::tickets::upload_status)
                .put(crate::http::tickets::upload_chunk)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::http::limits::UPLOAD_CHUNK_BYTES,
                )),
        )
        .route(
            "/cabinet/tickets/new",
            axum::routing::post(crate::http::tickets::create_ticket).layer(
                axum::extract::DefaultBodyLimit::max(crate::http::limits::TICKET_FORM_BYTES),
            ),
        )
        .route(
            "/staff/tickets/{id}/files",
            axum::routing::post(crate::http::tickets::add_ticket_files).layer(
                axum::extract::DefaultBodyLimit::max(crate::http::limits::TICKET_FORM_BYTES),
            ),
        )
        .route("/tickets/file/{id}", get(crate::http::tickets::ticket_file))
        .route(
            "/tickets/file/{id}/thumb",
            get(crate::http::tickets::ticket_thumb),
        )
        .route("/cabinet/bill", get(crate::http::documents::bill_pdf))
        .route(
            "/staff/billing/turnover",
            get(crate::http::documents::turnover_xlsx),
        )
        .route(
            "/staff/billing/bills",
            get(crate::http::documents::bills_zip),
        )
        .route(
            "/staff/payments/export",
            get(crate::http::documents::payments_export),
        )
        .route(
            "/staff/passes/log",
            get(crate::http::documents::pass_log_export),
        )
        .route(
            "/staff/billing/sample",
            get(crate::http::documents::import_sample),
        )
        .route(
            "/cabinet/payment-pdf",
            get(crate::http::documents::payment_pdf),
        )
        .route(
            "/hooks/acquiring",
            axum::routing::post(crate::http::hooks::acquiring_notification),
        )
        .route(
            "/hooks/anpr/{camera}",
            axum::routing::post(crate::http::gates::plate_event).layer(
                axum::extract::DefaultBodyLimit::max(crate::http::limits::PLATE_EVENT_BYTES),
            ),
        )
        .route(
            "/staff/gates/{gate}/picture",
            get(crate::http::gates::gate_picture),
        )
        .route(
            "/staff/gates/events/{event}/snapshot",
            get(crate::http::gates::event_snapshot),
        )
        .merge(standin_gate.unwrap_or_default())
        .merge(sandbox.unwrap_or_default())
        .nest_service("/files", files)
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        // the routes above set their own (crate::limits); the middleware refuses a larger body first
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::http::limits::OTHER_BYTES,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::http::middleware::pipeline,
        ))
        .layer(CompressionLayer::new())
        // outermost first in a request: a request id, then its span, then the id in the answer
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The span of a request: every log line written while serving it carries its `x-request-id`
/// (the caller's, or a new UUID), which the response also carries for a staff member to quote.
fn request_span(request: &axum::extract::Request) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    // at the error level so that the span, and the id with it, is on every line whatever
    // level `RUST_LOG` lets through
    tracing::error_span!(
        "request",
        id,
        method = %request.method(),
        path = request.uri().path(),
    )
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl axum::response::IntoResponse {
    match state.store.ping().await {
        Ok(_) => (axum::http::StatusCode::OK, "ok"),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable",
        ),
    }
}
