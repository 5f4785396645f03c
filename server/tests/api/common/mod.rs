//! Test support: a fresh database per test on SQLite (always) and PostgreSQL (a server given by
//! `KLYUCH_TEST_PG`, default the local one; skipped with a clear line when unreachable, a failure
//! under `CI=true`), and a real server on a random port.

use std::time::Duration;

use app::db::{Db, Store};
use rand::Rng;
use server::config::Settings;
use server::startup::Application;
use sqlx::{Connection, PgConnection};

pub const PASSWORD: &str = server::demo::DEMO_PASSWORD;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database made for one test and dropped after it.
pub struct TestDb {
    pub url: String,
    pg: Option<(String, String)>,
    dir: Option<std::path::PathBuf>,
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{:08x}",
        std::process::id(),
        rand::thread_rng().r#gen::<u32>()
    )
}

fn pg_admin_url() -> String {
    std::env::var("KLYUCH_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestDb {
    /// A fresh database, or `None` when PostgreSQL is not reachable outside CI.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique("klyuch_test"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite:{}", dir.join("test.db").display());
                Some(TestDb {
                    url,
                    pg: None,
                    dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let admin = pg_admin_url();
                let mut conn = match tokio::time::timeout(
                    Duration::from_secs(5),
                    PgConnection::connect(&admin),
                )
                .await
                {
                    Ok(Ok(c)) => c,
                    failure => {
                        let why = match failure {
                            Ok(Err(e)) => e.to_string(),
                            _ => "timed out".into(),
                        };
                        if std::env::var("CI").is_ok_and(|v| v == "true") {
                            panic!(
                                "PostgreSQL is required under CI=true but {admin} is unreachable: {why}"
                            );
                        }
                        eprintln!("SKIPPED (PostgreSQL not reachable at {admin}: {why})");
                        return None;
                    }
                };
                let name = unique("klyuch_test");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_string())
                    .unwrap_or(admin.clone());
                Some(TestDb {
                    url: format!("{base}/{name}"),
                    pg: Some((admin, name)),
                    dir: None,
                })
            }
        }
    }

    pub async fn store(&self) -> Store {
        Store::new(
            Db::connect(&self.url, None)
                .await
                .expect("connect and migrate"),
        )
    }

    /// Drops the database (call at the end of the test, after closing pools).
    pub async fn drop(mut self) {
        if let Some((admin, name)) = self.pg.take() {
            drop_pg_database(&admin, &name).await;
        }
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

async fn drop_pg_database(admin: &str, name: &str) {
    if let Ok(mut conn) = PgConnection::connect(admin).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
    }
}

/// A test that failed before its cleanup leaves nothing behind either: the database goes when
/// its `TestDb` does (on a thread of its own, since `Drop` cannot await).
impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin, name)) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    runtime.block_on(drop_pg_database(&admin, &name));
                }
            })
            .join();
        }
    }
}

/// Runs a test body against SQLite and PostgreSQL: `both_backends!(name, |backend| async move { … })`
/// makes `name_sqlite` and `name_postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)($crate::common::Backend::Postgres).await
            }
        }
    };
}

/// The demo is loaded once per test binary and backend into a template; each test gets a copy
/// (a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL) instead of loading it again
/// (the demo's twelve billed months take seconds in a debug build).
static SQLITE_DEMO: tokio::sync::OnceCell<std::path::PathBuf> = tokio::sync::OnceCell::const_new();
static PG_DEMO: tokio::sync::OnceCell<Option<String>> = tokio::sync::OnceCell::const_new();

/// Templates are named after the process that made them; those of finished processes go.
fn template_name() -> String {
    format!("klyuch_tmpl_{}", std::process::id())
}

fn alive(name: &str) -> bool {
    name.rsplit('_')
        .next()
        .and_then(|pid| pid.parse::<u32>().ok())
        .is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists())
}

async fn load_demo(db: &TestDb) {
    let store = db.store().await;
    server::demo::load(&store).await.expect("demo loads");
    store.db.close().await;
}

impl TestDb {
    /// A fresh database holding the demo.
    pub async fn with_demo(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let template = SQLITE_DEMO
                    .get_or_init(|| async {
                        let temp = std::env::temp_dir();
                        if let Ok(entries) = std::fs::read_dir(&temp) {
                            for e in entries.flatten() {
                                let name = e.file_name().to_string_lossy().to_string();
                                if name.starts_with("klyuch_tmpl_") && !alive(&name) {
                                    let _ = std::fs::remove_dir_all(e.path());
                                }
                            }
                        }
                        let dir = temp.join(template_name());
                        let _ = std::fs::remove_dir_all(&dir);
                        std::fs::create_dir_all(&dir).expect("template dir");
                        let db = TestDb {
                            url: format!("sqlite:{}", dir.join("test.db").display()),
                            pg: None,
                            dir: None,
                        };
                        load_demo(&db).await;
                        dir.join("test.db")
                    })
                    .await;
                let db = TestDb::new(Backend::Sqlite).await?;
                let dir = db.dir.clone().expect("a sqlite test dir");
                std::fs::copy(template, dir.join("test.db")).expect("copy the demo");
                Some(db)
            }
            Backend::Postgres => {
                let template = PG_DEMO
                    .get_or_init(|| async {
                        let db = TestDb::new(Backend::Postgres).await?;
                        let (admin, made) = db.pg.clone().expect("a postgres test db");
                        let mut conn = PgConnection::connect(&admin).await.expect("admin");
                        let stale: Vec<String> = sqlx::query_scalar(
                            "SELECT datname FROM pg_database WHERE datname LIKE 'klyuch_tmpl_%'",
                        )
                        .fetch_all(&mut conn)
                        .await
                        .unwrap_or_default();
                        for name in stale.into_iter().filter(|n| !alive(n)) {
                            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                                .execute(&mut conn)
                                .await;
                        }
                        load_demo(&db).await;
                        let name = template_name();
                        sqlx::query(&format!("ALTER DATABASE {made} RENAME TO {name}"))
                            .execute(&mut conn)
                            .await
                            .expect("rename the template");
                        Some(name)
                    })
                    .await
                    .as_ref()?;
                let db = TestDb::new(Backend::Postgres).await?;
                let (admin, name) = db.pg.clone().expect("a postgres test db");
                let mut conn = PgConnection::connect(&admin).await.expect("admin");
                sqlx::query(&format!("DROP DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("drop the empty database");
                sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .execute(&mut conn)
                    .await
                    .expect("copy the demo template");
                Some(db)
            }
        }
    }
}

/// A store on a fresh database holding only the demo register: its houses, flats, accounts,
/// people and their logins (`server::demo::logins`) — no billed months, readings, news or
/// tickets. An area's tests build the rest of what they need on it, so what they assert is
/// their own data, not the demo's.
pub async fn register_store(backend: Backend) -> Option<(TestDb, Store)> {
    let db = TestDb::new(backend).await?;
    let store = db.store().await;
    store
        .load_register(&server::demo::register().await.expect("the demo register"))
        .await
        .expect("the register loads");
    Some((db, store))
}

/// A store on a fresh database with the whole demo loaded: for the tests whose subject is the
/// demo's history (its billed months, its year of tickets, the bills of a posted month).
pub async fn demo_store(backend: Backend) -> Option<(TestDb, Store)> {
    let db = TestDb::with_demo(backend).await?;
    let store = db.store().await;
    Some((db, store))
}

/// A running server on a random port with the demo loaded.
/// The one runtime every test server runs on, as the production server runs on one: tests run
/// in parallel, each on its own `#[tokio::test]` runtime, and their servers share this one.
/// (Servers on separate runtimes in one process once left a request hanging now and then —
/// docs/ARCHITECTURE.md, "Known issues"; a process never has two in production.)
fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("test-server")
            .enable_all()
            .build()
            .expect("the test servers' runtime")
    })
}

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub db: TestDb,
    /// The server's files folder (uploads), removed with the test.
    pub files_dir: std::path::PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, &[]).await
    }

    /// A server with these settings on top of the test defaults.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
        let db = TestDb::with_demo(backend).await?;
        let url = db.url.clone();
        let files_dir = std::env::temp_dir().join(unique("klyuch_files"));
        let files = files_dir.display().to_string();
        let extra: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let settings = Settings::from_lookup(|key| match key {
            _ if extra.iter().any(|(k, _)| k == key) => {
                extra.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
            }
            "KLYUCH_ADDR" => Some("127.0.0.1:0".into()),
            "DATABASE_URL" => Some(url.clone()),
            "KLYUCH_PUBLIC_URL" => Some("http://klyuch.test".into()),
            "KLYUCH_FILES_DIR" => Some(files.clone()),
            "KLYUCH_DOCUMENTS_DIR" => Some(format!("{files}-documents")),
            "KLYUCH_WORKER_POLL_MS" => Some("100".into()),
            _ => None,
        })
        .expect("settings");
        // built inside the shared runtime, so its pools and listener belong to it
        let app = tokio::task::spawn_blocking(move || {
            server_runtime().block_on(Application::build(settings))
        })
        .await
        .expect("the test server starts")
        .expect("app builds");
        let (port, store) = (app.port(), app.store().clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = server_runtime().spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        let base = format!("http://127.0.0.1:{port}");
        Some(TestApp {
            base,
            store,
            db,
            files_dir,
            stop: Some(stop),
            handle,
        })
    }

    /// A browser-like client: keeps cookies, does not follow redirects, sends this site's Origin.
    pub fn client(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ORIGIN, self.base.parse().expect("origin"));
        reqwest::Client::builder()
            // a hang becomes a failing test, not a stuck CI run
            .timeout(std::time::Duration::from_secs(30))
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client")
    }

    /// Calls a server function (form-encoded, as the browser does).
    pub async fn call(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .expect("server function call")
    }

    /// A client signed in as `login`.
    pub async fn signed_in(&self, login: &str) -> reqwest::Client {
        let client = self.client();
        let response = self
            .call(
                &client,
                sign_in_path(),
                &[("login", login), ("password", PASSWORD)],
            )
            .await;
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "sign-in of {login}: {}",
            response.status()
        );
        client
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = self.handle.await;
        self.store.db.close().await;
        self.db.drop().await;
        let _ = std::fs::remove_dir_all(&self.files_dir);
        let _ = std::fs::remove_dir_all(format!("{}-documents", self.files_dir.display()));
    }
}

pub fn sign_in_path() -> &'static str {
    use leptos::server_fn::ServerFn;
    <app::auth::api::SignIn as ServerFn>::PATH
}

pub mod push_service;
pub mod s3;
pub mod sms_ru;
pub mod smtp;

// What the HTTP cases of every area share.

pub fn path<T: leptos::server_fn::ServerFn>() -> &'static str {
    T::PATH
}

pub async fn account_id(app: &TestApp, number: &str) -> i64 {
    let page = app
        .store
        .register(number, None, 1, app::clock::today())
        .await
        .unwrap();
    let card = app
        .store
        .apartment_card(page.rows[0].apartment_id)
        .await
        .unwrap();
    card.accounts
        .iter()
        .find(|a| a.number == number)
        .unwrap()
        .id
}

/// The text of a server-rendered page without the hydration markers between text nodes.
pub fn text(html: &str) -> String {
    html.replace("<!>", "")
}

/// The sandbox bank's card page a started payment sends the payer to (a redirect without the
/// page's script, the URL as JSON with it).
pub async fn sandbox_path(started: reqwest::Response) -> String {
    let url = match started.headers().get(reqwest::header::LOCATION) {
        Some(l) => l.to_str().unwrap().to_string(),
        None => started.json::<String>().await.unwrap(),
    };
    url.split_once("/sandbox-bank/")
        .map(|(_, p)| format!("/sandbox-bank/{p}"))
        .expect("the sandbox bank's page")
}

pub async fn error_of(response: reqwest::Response) -> (reqwest::StatusCode, app::error::AppError) {
    let status = response.status();
    let error = response
        .json::<app::error::AppError>()
        .await
        .expect("an AppError body");
    (status, error)
}

/// One integer the query selects (a count, an id).
pub async fn scalar(store: &Store, sql: &str) -> i64 {
    app::with_db!(&store.db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await)
    .unwrap()
}

/// A demo user as the server functions see them once signed in.
pub async fn user(
    store: &Store,
    login: &str,
    role: app::auth::types::Role,
) -> app::auth::types::CurrentUser {
    let id = store.credentials(login).await.unwrap().unwrap().id;
    app::auth::types::CurrentUser {
        id,
        full_name: login.into(),
        role,
        login: login.into(),
    }
}

/// Notices of `kind` in the outbox (fan-out jobs).
pub async fn notices(store: &Store, kind: &str) -> i64 {
    scalar(
        store,
        &format!(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'notify.fanout' AND payload LIKE '%\"{kind}\"%'"
        ),
    )
    .await
}

/// The demo's house of zhitel, Серебряная 1.
pub async fn zhitel_house(store: &Store) -> i64 {
    store
        .gate_houses()
        .await
        .expect("houses")
        .into_iter()
        .find(|(_, address)| address.contains("Серебряная, д. 1"))
        .expect("Серебряная 1")
        .0
}
