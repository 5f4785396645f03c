//! What the load tools (`make load`, `make scale`) share: starting and killing release server
//! processes, signing in like a browser, driving load (as fast as it goes, or at a set rate)
//! and reading a process's CPU time and memory from `/proc`. Not used by the app itself.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The demo's password (every demo and filler login has it).
pub const PASSWORD: &str = crate::demo::DEMO_PASSWORD;
/// What Chromium sends.
pub const BROWSER_ENCODINGS: &str = "gzip, deflate, br, zstd";

/// A number from the environment, or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The folder of the running tool, where cargo put the release `server` too.
pub fn release_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| "target/release".into())
}

/// The release `server` binary next to the tool.
pub fn server_binary() -> PathBuf {
    let bin = release_dir().join("server");
    assert!(
        bin.exists(),
        "build the release server first: cargo leptos build --release"
    );
    bin
}

/// A free port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// `server seed-load <accounts>` into `database_url`; returns how long it took.
pub fn seed(database_url: &str, accounts: u64) -> Duration {
    let started = Instant::now();
    let seeded = Command::new(server_binary())
        .args(["seed-load", &accounts.to_string()])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .status()
        .expect("seed");
    assert!(seeded.success(), "seeding {accounts} accounts failed");
    started.elapsed()
}

/// A release server process; killed when dropped.
pub struct ServerProcess {
    child: Child,
    pub base: String,
}

impl ServerProcess {
    /// Starts `server` on a free port with `database_url` and the extra `env`, and waits until
    /// `/healthz` answers.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        let port = free_port();
        let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
        let mut command = Command::new(server_binary());
        command
            .env("DATABASE_URL", database_url)
            .env("KLYUCH_ADDR", format!("127.0.0.1:{port}"))
            .env("KLYUCH_DEMO", "false")
            .env("LEPTOS_SITE_ROOT", &site_root)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let server = ServerProcess {
            child: command.spawn().expect("start server"),
            base: format!("http://127.0.0.1:{port}"),
        };
        let probe = reqwest::Client::new();
        for _ in 0..300 {
            if probe
                .get(format!("{}/healthz", server.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server at {} did not start", server.base);
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the process: a frozen instance holds what it
    /// held, so a test can see it before killing it.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.pid().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(sent, "kill {signal} {}", self.pid());
    }

    /// `kill -9`: the process ends at once, whatever it was doing.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill_hard();
    }
}

/// What a stretch of load measured.
#[derive(Default)]
pub struct Figures {
    pub requests: usize,
    pub errors: usize,
    pub rps: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub bytes: usize,
}

impl Figures {
    fn from_samples(mut all: Vec<Duration>, errors: usize, bytes: usize, elapsed: f64) -> Self {
        all.sort();
        let pick = |q: f64| {
            all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        Figures {
            requests: all.len(),
            errors,
            rps: all.len() as f64 / elapsed,
            p50: pick(0.50),
            p99: pick(0.99),
            bytes,
        }
    }

    pub fn print(&self, name: &str) {
        println!(
            "{name:<28} {:>9.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} requests, {} errors, {} bytes each)",
            self.rps,
            self.p50.as_secs_f64() * 1000.0,
            self.p99.as_secs_f64() * 1000.0,
            self.requests,
            self.errors,
            self.bytes
        );
    }
}

/// One browser-like GET; its body's length, or `None` for an error or a non-2xx answer.
async fn fetch(client: &reqwest::Client, url: &str) -> Option<usize> {
    let answer = client
        .get(url)
        .header(reqwest::header::ACCEPT_ENCODING, BROWSER_ENCODINGS)
        .send()
        .await
        .ok()
        .filter(|r| r.status().is_success())?;
    answer.bytes().await.ok().map(|b| b.len())
}

/// `connections` loops asking for `urls` in turn (several servers, say) as fast as they answer,
/// for `seconds`.
pub async fn measure(
    client: &reqwest::Client,
    urls: &[String],
    connections: usize,
    seconds: u64,
) -> Figures {
    drive(client, urls, connections, seconds, None).await
}

/// The same at `rate` requests per second in all, sent on schedule whether or not the answers
/// keep up; a latency counts from when its request was due, so a stall is not hidden.
pub async fn measure_at_rate(
    client: &reqwest::Client,
    urls: &[String],
    connections: usize,
    seconds: u64,
    rate: f64,
) -> Figures {
    drive(client, urls, connections, seconds, Some(rate)).await
}

async fn drive(
    client: &reqwest::Client,
    urls: &[String],
    connections: usize,
    seconds: u64,
    rate: Option<f64>,
) -> Figures {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let urls: Arc<Vec<String>> = Arc::new(urls.to_vec());
    // each connection sends every `gap` when paced
    let gap = rate.map(|r| Duration::from_secs_f64(connections as f64 / r.max(0.001)));
    let mut workers = Vec::new();
    for worker in 0..connections {
        let client = client.clone();
        let urls = urls.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let (mut errors, mut bytes) = (0usize, 0usize);
            // paced connections start spread over one gap
            let mut due =
                started + gap.map_or(Duration::ZERO, |g| g * worker as u32 / connections as u32);
            let mut turn = worker;
            while due < deadline {
                if gap.is_some() {
                    tokio::time::sleep_until(due.into()).await;
                }
                let sent = if gap.is_some() { due } else { Instant::now() };
                match fetch(&client, &urls[turn % urls.len()]).await {
                    Some(len) => {
                        bytes = len;
                        latencies.push(sent.elapsed());
                    }
                    None => errors += 1,
                }
                turn += 1;
                due = match gap {
                    Some(g) => due + g,
                    None => Instant::now(),
                };
            }
            (latencies, errors, bytes)
        }));
    }
    let (mut all, mut errors, mut bytes) = (Vec::new(), 0, 0);
    for w in workers {
        let (latencies, e, b) = w.await.expect("load worker");
        all.extend(latencies);
        errors += e;
        bytes = bytes.max(b);
    }
    Figures::from_samples(all, errors, bytes, started.elapsed().as_secs_f64())
}

/// A process's CPU time so far (user + system), from `/proc/<pid>/stat`.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // the fields after the command name, which is in parentheses and may hold spaces
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the name; USER_HZ is 100
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// A field of `/proc/<pid>/status` in MiB (`VmRSS` now, `VmHWM` the peak).
fn memory_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// A process's resident memory now, in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    memory_mib(pid, "VmRSS:")
}

/// A process's peak resident memory, in MiB.
pub fn peak_rss_mib(pid: u32) -> f64 {
    memory_mib(pid, "VmHWM:")
}

/// A client with its own cookie jar, signed in as `login` through the sign-in form of `base`.
pub async fn sign_in(base: &str, login: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    sign_in_with(&client, base, login).await;
    client
}

/// Signs `client` in as `login` at `base`.
pub async fn sign_in_with(client: &reqwest::Client, base: &str, login: &str) {
    let login_page = html(client, &format!("{base}/login")).await;
    let action = form_action(&login_page, "sign_in").expect("sign-in form");
    let signed = client
        .post(format!("{base}{action}"))
        .header("origin", base)
        .form(&[("login", login), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert!(
        signed.status().is_success() || signed.status().is_redirection(),
        "sign-in of {login}: {}",
        signed.status()
    );
}

/// A page's HTML; panics unless it answers 2xx.
pub async fn html(client: &reqwest::Client, url: &str) -> String {
    let page = client.get(url).send().await.expect("page");
    assert!(page.status().is_success(), "{url}: {}", page.status());
    page.text().await.expect("html")
}

/// The `action` of the form posting to server function `endpoint` in `html`.
pub fn form_action(html: &str, endpoint: &str) -> Option<String> {
    let i = html.find(&format!("action=\"/api/{endpoint}"))?;
    let rest = &html[i + 8..];
    Some(rest[..rest.find('"')?].to_string())
}

/// A benchmark's positive count from the environment, or `default`.
pub fn bench_setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// Runs a benchmark on a fresh SQLite database and, when `BENCH_PG_URL` (default the local
/// cluster) answers, on a fresh PostgreSQL database, dropped afterwards: `run(label, url)`.
pub async fn on_both_backends<F, Fut>(name: &str, run: F)
where
    F: Fn(&'static str, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use sqlx::Connection;
    let dir = std::env::temp_dir().join(format!("klyuch-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    run(
        "SQLite",
        format!("sqlite:{}", dir.join("bench.db").display()),
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);

    let admin = std::env::var("BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    match sqlx::PgConnection::connect(&admin).await {
        Ok(mut conn) => {
            let database = format!("klyuch_{name}_{}", std::process::id());
            sqlx::query(&format!("CREATE DATABASE {database}"))
                .execute(&mut conn)
                .await
                .expect("create database");
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b.to_string())
                .unwrap_or(admin.clone());
            run("PostgreSQL", format!("{base}/{database}")).await;
            let _ = sqlx::query(&format!("DROP DATABASE {database} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
        Err(e) => println!("[PostgreSQL] skipped: {e}"),
    }
}

/// A barrier controller that counts its "open" commands (`POST <url>`), for the gate's tests
/// and benchmark.
pub async fn counting_barrier() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let opened = Arc::new(AtomicUsize::new(0));
    let counter = opened.clone();
    let router = axum::Router::new().route(
        "/open",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                "OK"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("barrier port");
    let url = format!(
        "http://{}/open",
        listener.local_addr().expect("barrier address")
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, opened)
}
