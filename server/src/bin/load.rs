//! Load harness (run by `make load`, not a test): seeds 10 000 accounts into a fresh SQLite
//! database, starts the release server, signs a resident in, and measures on loopback
//! - requests/second and p50/p99 latency of the resident start page (`/cabinet`);
//! - the same for a static file of the same size served by the same server;
//! - the gzipped bytes of wasm, js and css the start page loads.
//!
//! Options (environment): LOAD_SECONDS (10), LOAD_CONNECTIONS (32), LOAD_ACCOUNTS (10000).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RESIDENT: &str = "zhitel@demo.klyuch.ru";
const PASSWORD: &str = "demo-klyuch-2026";

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
                match client.get(url.as_str()).send().await {
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

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip").len()
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
        .status()
        .expect("seed");
    assert!(seeded.success(), "seeding failed");
    println!(
        "seeded {accounts} accounts in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let _server = Server(
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
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(connections)
        .build()
        .expect("client");
    for _ in 0..100 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

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
        .header("origin", &base)
        .form(&[("login", RESIDENT), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert!(
        signed.status().is_success() || signed.status().is_redirection(),
        "sign-in: {}",
        signed.status()
    );

    let start_page = client
        .get(format!("{base}/cabinet"))
        .send()
        .await
        .expect("start page");
    assert!(
        start_page.status().is_success(),
        "start page: {}",
        start_page.status()
    );
    let html = start_page.text().await.expect("html");
    assert!(html.contains("77010012"), "the resident's own start page");

    // a static file of exactly the start page's size, served by the same server
    let static_name = "load-static.html";
    std::fs::write(
        Path::new(&site_root).join(static_name),
        vec![b'x'; html.len()],
    )
    .expect("static file");

    println!(
        "\nload on loopback: {connections} connections, {seconds} s each, release build, SQLite, {accounts} accounts\n"
    );
    // warm up
    measure(&client, &format!("{base}/cabinet"), connections, 1).await;
    let page = measure(&client, &format!("{base}/cabinet"), connections, seconds).await;
    print("resident start page /cabinet", &page);
    let file = measure(
        &client,
        &format!("{base}/{static_name}"),
        connections,
        seconds,
    )
    .await;
    print("static file, same size", &file);
    println!(
        "ratio static/page: {:.1}× throughput, {:.1}× p50",
        file.rps / page.rps.max(1e-9),
        page.p50.as_secs_f64() / file.p50.as_secs_f64().max(1e-9)
    );
    let _ = std::fs::remove_file(Path::new(&site_root).join(static_name));

    println!("\nwhat the start page loads (gzip -6):");
    let mut totals = [0usize; 3];
    for asset in assets(&html) {
        let bytes = client
            .get(format!("{base}{asset}"))
            .send()
            .await
            .expect("asset")
            .bytes()
            .await
            .expect("bytes");
        let gz = gzip_len(&bytes);
        let slot = if asset.ends_with(".wasm") {
            0
        } else if asset.ends_with(".js") {
            1
        } else {
            2
        };
        totals[slot] += gz;
        println!("  {asset:<52} {:>9} B raw {:>9} B gzip", bytes.len(), gz);
    }
    println!(
        "  wasm {} B, js {} B, css {} B gzipped; total {} B",
        totals[0],
        totals[1],
        totals[2],
        totals.iter().sum::<usize>()
    );
    let _ = std::fs::remove_dir_all(&work);
}
