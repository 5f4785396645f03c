//! Load harness (run by `make load`, not a test): seeds 10 000 accounts into a fresh SQLite
//! database, starts the release server, signs a resident and the chair in, and measures on
//! loopback, asking like a browser (`Accept-Encoding: gzip, deflate, br`):
//! - requests/second, p50/p99 latency and server CPU per request of the resident's start page,
//!   account page and readings, and of the staff's tickets board and billing; then p50/p99 at
//!   half the rate each reached (requests sent on schedule);
//! - the same for a static file of the same size served by the same server, and the ratios;
//! - the server's peak RSS;
//! - the bytes of wasm, js and css a page loads, as served with brotli and with gzip.
//!
//! Options (environment): LOAD_SECONDS (10), LOAD_CONNECTIONS (32), LOAD_ACCOUNTS (10000).

use std::path::Path;

use server::harness::{
    ServerProcess, cpu_time, env_number, html, measure, measure_at_rate, peak_rss_mib, release_dir,
    seed, sign_in,
};

const RESIDENT: &str = "zhitel@demo.klyuch.ru";
const CHAIR: &str = "predsedatel@demo.klyuch.ru";

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

#[tokio::main]
async fn main() {
    let seconds = env_number("LOAD_SECONDS", 10);
    let connections = env_number("LOAD_CONNECTIONS", 32) as usize;
    let accounts = env_number("LOAD_ACCOUNTS", 10_000);
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    let work = std::env::temp_dir().join(format!("klyuch-load-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("work dir");
    let db_url = format!("sqlite:{}", work.join("load.db").display());
    let took = seed(&db_url, accounts);
    println!("seeded {accounts} accounts in {:.1} s", took.as_secs_f64());
    let server = ServerProcess::start(&db_url, &[]).await;
    let (base, server_pid) = (server.base.clone(), server.pid());

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
        let page_html = html(client, &url).await;
        let size = page_html.len();
        // a static file of exactly the page's size, served by the same server
        let static_name = "load-static.html";
        let static_path = Path::new(&site_root).join(static_name);
        std::fs::write(&static_path, vec![b'x'; size]).expect("static file");
        let (page_urls, file_urls) = ([url.clone()], [format!("{base}/{static_name}")]);
        measure(client, &page_urls, connections, 1).await; // warm up
        let cpu = cpu_time(server_pid);
        let page = measure(client, &page_urls, connections, seconds).await;
        let page_cpu = (cpu_time(server_pid) - cpu).as_secs_f64() * 1000.0;
        let cpu = cpu_time(server_pid);
        let file = measure(client, &file_urls, connections, seconds).await;
        let file_cpu = (cpu_time(server_pid) - cpu).as_secs_f64() * 1000.0;
        let _ = std::fs::remove_file(&static_path);
        let half = measure_at_rate(client, &page_urls, connections, seconds, page.rps / 2.0).await;
        println!("{name} {path} ({size} B of HTML)");
        page.print("  page");
        half.print("  page at half that rate");
        file.print("  static file, same size");
        let mut loads = 0;
        for asset in assets(&page_html) {
            loads += served_len(client, &format!("{base}{asset}"), "br").await;
        }
        println!(
            "  loads {loads} B of wasm, js and css with brotli (the main module and this page's chunks)"
        );
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
    print_release(&Path::new(&site_root).join("pkg"));
    drop(server);
    let _ = std::fs::remove_dir_all(&work);
}

/// The files of the release being served (hash.txt next to the server names them; they are in
/// `pkg/<release>/`, see scripts/pkg-release.sh): raw and brotli sizes, the largest chunks first.
fn print_release(pkg: &Path) {
    let hashes = std::fs::read_to_string(release_dir().join("hash.txt")).unwrap_or_default();
    let hash = |key: &str| {
        hashes
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
            .map(|h| h.trim().to_string())
            .unwrap_or_default()
    };
    let release = hash("release");
    let dir = pkg.join(&release);
    let size = |path: &Path| std::fs::metadata(path).map_or(0, |m| m.len());
    let sized = |name: String| {
        let path = dir.join(&name);
        let packed = dir.join(format!("{name}.br"));
        (name, size(&path), size(&packed))
    };
    let main = [
        format!("klyuch.{}.wasm", hash("wasm")),
        format!("klyuch.{}.js", hash("js")),
        format!("__wasm_split.{}.js", hash("split")),
        format!("klyuch.{}.css", hash("css")),
    ];
    let mut chunks: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".wasm") && !main.contains(n))
                .map(sized)
                .collect()
        })
        .unwrap_or_default();
    chunks.sort_by_key(|c| std::cmp::Reverse(c.2));
    println!(
        "\nrelease {release}: the main module, its js, the chunk loader and the css (raw / brotli):"
    );
    for (name, raw, br) in main.into_iter().map(sized) {
        println!("  {name:<60} {raw:>9} B {br:>9} B brotli");
    }
    println!("the largest of its page chunks (raw / brotli):");
    for (name, raw, br) in chunks.iter().take(15) {
        println!("  {name:<60} {raw:>9} B {br:>9} B brotli");
    }
    let (raw, br) = chunks.iter().fold((0, 0), |(r, b), c| (r + c.1, b + c.2));
    println!(
        "  {} chunks, {raw} B raw, {br} B brotli in all",
        chunks.len()
    );
}
