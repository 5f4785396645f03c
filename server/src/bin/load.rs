//! Load harness (run by `make load`, not a test): seeds 10 000 accounts into a fresh SQLite
//! database, starts the release server, signs a resident and the chair in, and measures on
//! loopback, asking like a browser (`Accept-Encoding: gzip, deflate, br`):
//! - requests/second, p50/p99 latency and server CPU per request of the resident's start page,
//!   account page and readings, and of the staff's tickets board and billing;
//! - the same for a static file of the same size served by the same server, and the ratios;
//! - the server's peak RSS;
//! - the bytes of wasm, js and css a page loads, as served with brotli and with gzip.
//!
//! Options (environment): LOAD_SECONDS (10), LOAD_CONNECTIONS (32), LOAD_ACCOUNTS (10000).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RESIDENT: &str = "zhitel@demo.klyuch.ru";
const CHAIR: &str = "predsedatel@demo.klyuch.ru";
const PASSWORD: &str = "demo-klyuch-2026";
/// What Chromium sends.
const BROWSER_ENCODINGS: &str = "gzip, deflate, br, zstd";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[derive(Default)]
struct Figures {
    requests: usize,
    errors: usize,
    rps: f64,
    p50: Duration,
    p99: Duration,
    bytes: usize,
}

async fn measure(client: &reqwest::Client, url: &str, connections: usize, seconds: u64) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let url = Arc::new(url.to_string());
    let mut workers = Vec::new();
    for _ in 0..connections {
        let client = client.clone();
        let url = url.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            let mut bytes = 0usize;
            while Instant::now() < deadline {
                let t = Instant::now();
                let request = client
                    .get(url.as_str())
                    .header(reqwest::header::ACCEPT_ENCODING, BROWSER_ENCODINGS);
                match request.send().await {
                    Ok(r) if r.status().is_success() => match r.bytes().await {
                        Ok(b) => {
                            bytes = b.len();
                            latencies.push(t.elapsed());
                        }
                        Err(_) => errors += 1,
                    },
                    _ => errors += 1,
                }
            }
            (latencies, errors, bytes)
        }));
    }
    let mut all = Vec::new();
    let mut figures = Figures::default();
    for w in workers {
        let (latencies, errors, bytes) = w.await.expect("worker");
        all.extend(latencies);
        figures.errors += errors;
        figures.bytes = figures.bytes.max(bytes);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    figures.requests = all.len();
    figures.rps = all.len() as f64 / elapsed;
    figures.p50 = pick(0.50);
    figures.p99 = pick(0.99);
    figures
}

fn print(name: &str, f: &Figures) {
    println!(
        "{name:<28} {:>9.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} requests, {} errors, {} bytes each)",
        f.rps,
        f.p50.as_secs_f64() * 1000.0,
        f.p99.as_secs_f64() * 1000.0,
        f.requests,
        f.errors,
        f.bytes
    );
}

/// The server's CPU time so far (user + system), from `/proc/<pid>/stat`.
fn cpu_time(pid: u32) -> Duration {
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

/// The server's peak resident memory in MiB (`VmHWM`).
fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// The bytes the server sends for `url` when asked for `encoding`.
async fn served_len(client: &reqwest::Client, url: &str, encoding: &str) -> usize {
    client
        .get(url)
        .header(reqwest::header::ACCEPT_ENCODING, encoding)
        .send()
        .await
        .expect("asset")
        .bytes()
        .await
        .expect("bytes")
        .len()
}

async fn sign_in(base: &str, login: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    let login_page = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("html");
    let action = form_action(&login_page).expect("sign-in form");
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
    client
}

async fn html(client: &reqwest::Client, url: &str) -> String {
    let page = client.get(url).send().await.expect("page");
    assert!(page.status().is_success(), "{url}: {}", page.status());
    page.text().await.expect("html")
}

/// `/pkg/…` assets named in the page (stylesheet, module preload, wasm preload).
fn assets(html: &str) -> Vec<String> {
    let mut found: Vec<String> = html
        .match_indices("/pkg/")
        .filter_map(|(i, _)| {
            let rest = &html[i..];
            let end = rest.find(['"', '\'', '`', ')', ' '])?;
            Some(rest[..end].to_string())
        })
        .filter(|p| p.ends_with(".js") || p.ends_with(".wasm") || p.ends_with(".css"))
        .collect();
    found.sort();
    found.dedup();
    found
}

fn form_action(html: &str) -> Option<String> {
    let i = html.find("action=\"/api/sign_in")?;
    let rest = &html[i + 8..];
    Some(rest[..rest.find('"')?].to_string())
}

fn release_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| "target/release".into())
}

#[tokio::main]
async fn main() {
    let seconds = env_number("LOAD_SECONDS", 10);
    let connections = env_number("LOAD_CONNECTIONS", 32) as usize;
    let accounts = env_number("LOAD_ACCOUNTS", 10_000);
    let server_bin = release_dir().join("server");
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    assert!(
        server_bin.exists(),
        "build the release server first: cargo leptos build --release"
    );

    let work = std::env::temp_dir().join(format!("klyuch-load-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work dir");
    let db_url = format!("sqlite:{}", work.join("load.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let base = format!("http://127.0.0.1:{port}");

    let t = Instant::now();
    let seeded = Command::new(&server_bin)
        .args(["seed-load", &accounts.to_string()])
        .env("DATABASE_URL", &db_url)
        .env("RUST_LOG", "warn")
        .status()
        .expect("seed");
    assert!(seeded.success(), "seeding failed");
    println!(
        "seeded {accounts} accounts in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let server = Server(
        Command::new(&server_bin)
            .env("DATABASE_URL", &db_url)
            .env("KLYUCH_ADDR", format!("127.0.0.1:{port}"))
            .env("KLYUCH_DEMO", "false")
            .env("LEPTOS_SITE_ROOT", &site_root)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start server"),
    );
    let server_pid = server.0.id();
    let probe = reqwest::Client::new();
    for _ in 0..100 {
        if probe
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let resident = sign_in(&base, RESIDENT).await;
    let chair = sign_in(&base, CHAIR).await;
    let start_page = html(&resident, &format!("{base}/cabinet")).await;
    assert!(
        start_page.contains("77010012"),
        "the resident's own start page"
    );
    let account = start_page
        .match_indices("href=\"/cabinet/account/")
        .next()
        .map(|(at, _)| {
            let rest = &start_page[at + 6..];
            rest[..rest.find('"').unwrap_or(0)].to_string()
        })
        .expect("a link to the resident's account");
    let pages: [(&str, &reqwest::Client, String); 5] = [
        ("resident start page", &resident, "/cabinet".into()),
        ("resident account page", &resident, account),
        ("resident readings", &resident, "/cabinet/readings".into()),
        ("staff tickets board", &chair, "/staff/tickets".into()),
        ("staff billing", &chair, "/staff/billing".into()),
    ];

    println!(
        "\nload on loopback: {connections} connections, {seconds} s each, release build, SQLite, {accounts} accounts\n"
    );
    for (name, client, path) in &pages {
        let url = format!("{base}{path}");
        let size = html(client, &url).await.len();
        // a static file of exactly the page's size, served by the same server
        let static_name = "load-static.html";
        let static_path = Path::new(&site_root).join(static_name);
        std::fs::write(&static_path, vec![b'x'; size]).expect("static file");
        measure(client, &url, connections, 1).await; // warm up
        let cpu = cpu_time(server_pid);
        let page = measure(client, &url, connections, seconds).await;
        let page_cpu = (cpu_time(server_pid) - cpu).as_secs_f64() * 1000.0;
        let cpu = cpu_time(server_pid);
        let file = measure(
            client,
            &format!("{base}/{static_name}"),
            connections,
            seconds,
        )
        .await;
        let file_cpu = (cpu_time(server_pid) - cpu).as_secs_f64() * 1000.0;
        let _ = std::fs::remove_file(&static_path);
        println!("{name} {path} ({size} B of HTML)");
        print("  page", &page);
        print("  static file, same size", &file);
        println!(
            "  page/static: {:.1} % of the static rate; CPU {:.2} ms per page, {:.2} ms per file",
            100.0 * page.rps / file.rps.max(1e-9),
            page_cpu / page.requests.max(1) as f64,
            file_cpu / file.requests.max(1) as f64,
        );
    }
    println!("\nserver peak RSS: {:.0} MiB", peak_rss_mib(server_pid));

    println!("\nwhat the start page loads, as served (brotli / gzip):");
    let mut totals = [(0usize, 0usize); 3];
    for asset in assets(&start_page) {
        let url = format!("{base}{asset}");
        let br = served_len(&resident, &url, "br").await;
        let gz = served_len(&resident, &url, "gzip").await;
        let slot = if asset.ends_with(".wasm") {
            0
        } else if asset.ends_with(".js") {
            1
        } else {
            2
        };
        totals[slot].0 += br;
        totals[slot].1 += gz;
        println!("  {asset:<52} {br:>9} B brotli {gz:>9} B gzip");
    }
    let (br, gz) = totals
        .iter()
        .fold((0, 0), |(b, g), (tb, tg)| (b + tb, g + tg));
    println!(
        "  wasm {} / {} B, js {} / {} B, css {} / {} B; total {br} B brotli, {gz} B gzip",
        totals[0].0, totals[0].1, totals[1].0, totals[1].1, totals[2].0, totals[2].1
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&work);
}
