//! Gate camera benchmark (run by `make bench-gate`, not a test). On a fresh SQLite database and,
//! when reachable, a fresh PostgreSQL database, it starts the real server with the demo, gives
//! one house BENCH_PASSES (10 000) guests' cars with passes valid now and a gate whose barrier
//! relay is a local stand-in controller, then posts BENCH_EVENTS (4 000) plate events to
//! `/hooks/anpr/<camera>` from BENCH_CLIENTS (8) clients at once — half of them sure reads of
//! plates with a pass (the barrier opens), a quarter of plates with none and a quarter of doubtful
//! reads (both left to the guard, after a look by index at the house's valid plates that share a
//! half with the read, for one a character away; the bench's plates share their halves far more
//! than a real house's: a series' 999 numbers) — and prints the events decided per second and the
//! latency percentiles; then sends half as many events paced at half the rate it measured (each
//! on a clock, as cameras do, not after the last answer) and prints the openings' latency there.
//! The latency of an opening is from the event sent to the camera's answer, which comes after
//! the barrier controller has answered the command: an upper bound of "event to barrier command".
//!
//! Options (environment): BENCH_PASSES, BENCH_EVENTS, BENCH_CLIENTS,
//! BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;

use app::db::Store;
use app::passes::devices::Relay;
use app::passes::gates::NewCamera;
use app::passes::types::Direction;
use server::config::Settings;
use server::startup::Application;

const SECRET: &str = "bench-camera-secret";

/// The Cyrillic plate letters in Latin, as cameras send them.
const LETTERS: [char; 12] = ['A', 'B', 'E', 'K', 'M', 'H', 'O', 'P', 'C', 'T', 'Y', 'X'];

/// The `n`th plate of the bench (Latin, as a camera reads it): `A001AA77`, `A002AA77`, …
fn plate(n: usize) -> String {
    let number = n % 999 + 1;
    let series = n / 999;
    format!(
        "{}{number:03}{}{}77",
        LETTERS[series % 12],
        LETTERS[(series / 12) % 12],
        LETTERS[(series / 144) % 12]
    )
}

/// The house, a gate with the stand-in barrier and camera `bench-in`, and `passes` guests' cars
/// valid for the next 30 days (not one-time: the same car may come again).
async fn seed(store: &Store, relay: &str, passes: usize) {
    let house = store.gate_houses().await.expect("houses")[0].0;
    let gate = store.add_gate(house, "Бенчмарк").await.expect("gate");
    store
        .set_gate_devices(
            gate,
            Some(&Relay {
                url: relay.into(),
                method: "POST".into(),
            }),
            None,
        )
        .await
        .expect("relay");
    store
        .add_camera(
            gate,
            &NewCamera {
                code: "bench-in".into(),
                name: "Въезд".into(),
                direction: Direction::In,
                secret: SECRET.into(),
                min_confidence: 80,
            },
        )
        .await
        .expect("camera");
    let now = Utc::now();
    let until = now + chrono::Duration::days(30);
    app::with_db!(&store.db, |pool| async {
        let mut tx = pool.begin().await?;
        let (flat, by): (i64, i64) = sqlx::query_as(
            "SELECT a.id, (SELECT MIN(id) FROM users) FROM apartments a WHERE a.house_id = $1
             ORDER BY a.id LIMIT 1",
        )
        .bind(house)
        .fetch_one(&mut *tx)
        .await?;
        for n in 0..passes {
            let canonical = app::passes::rules::normalize_plate(&plate(n), false)
                .expect("a bench plate is a plate");
            sqlx::query(
                "INSERT INTO passes (house_id, apartment_id, kind, one_time, visitor, plate,
                     valid_from, valid_until, token, code, created_by, created_at)
                 VALUES ($1, $2, 'guest', FALSE, $3, $4, $5, $6, $7, NULL, $8, $5)",
            )
            .bind(house)
            .bind(flat)
            .bind(format!("Гость {n}"))
            .bind(canonical.as_str())
            .bind(now - chrono::Duration::hours(1))
            .bind(until)
            .bind(format!("bench-{n:08}"))
            .bind(by)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
    .await)
    .expect("passes");
}

/// Sends the bench's event `n` — half sure reads of valid plates, a quarter unknown plates, a
/// quarter doubtful reads — and returns whether the barrier opened and how long the answer took.
async fn send_event(
    http: &reqwest::Client,
    hook: &str,
    n: usize,
    passes: usize,
) -> (bool, Duration) {
    let (read, confidence) = match n % 4 {
        0 | 2 => (plate(n * 7 % passes), 95),
        1 => (format!("X{:03}XX99", n % 999 + 1), 95),
        _ => (plate(n * 13 % passes), 55),
    };
    let body = serde_json::json!({
        "event_id": format!("bench-{n}"),
        "plate": read,
        "confidence": confidence,
    });
    let sent = Instant::now();
    let answer = http
        .post(hook)
        .bearer_auth(SECRET)
        .json(&body)
        .send()
        .await
        .expect("webhook answers");
    assert!(answer.status().is_success(), "{}", answer.status());
    let decided: serde_json::Value = answer.json().await.expect("a decision");
    (decided["decision"] == "open", sent.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

async fn run(label: &str, url: &str, passes: usize, events: usize, clients: usize) {
    let data = std::env::temp_dir().join(format!("klyuch-bench-gate-{}", std::process::id()));
    let files = data.display().to_string();
    let settings = Settings::from_lookup(|key| match key {
        "KLYUCH_ADDR" => Some("127.0.0.1:0".into()),
        "DATABASE_URL" => Some(url.into()),
        "KLYUCH_FILES_DIR" => Some(format!("{files}/files")),
        "KLYUCH_DOCUMENTS_DIR" => Some(format!("{files}/documents")),
        // the guests' notices wait in the outbox: the bench measures the gate alone
        "KLYUCH_WORKER" => Some("false".into()),
        _ => None,
    })
    .expect("settings");
    let app = Application::build(settings).await.expect("server");
    let (port, store) = (app.port(), app.store().clone());
    let (relay, opened) = server::harness::counting_barrier().await;
    let started = Instant::now();
    seed(&store, &relay, passes).await;
    println!(
        "[{label}] seeded {passes} valid guests' car passes in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tokio::spawn(app.run_until(std::future::pending()));
    let hook = format!("http://127.0.0.1:{port}/hooks/anpr/bench-in");
    let http = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (http, hook, next) = (http.clone(), hook.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let (mut opens, mut others) = (Vec::new(), Vec::new());
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= events {
                    break;
                }
                let (open, took) = send_event(&http, &hook, n, passes).await;
                if open {
                    opens.push(took);
                } else {
                    others.push(took);
                }
            }
            (opens, others)
        }));
    }
    let (mut opens, mut others) = (Vec::new(), Vec::new());
    for worker in workers {
        let (o, a) = worker.await.expect("client");
        opens.extend(o);
        others.extend(a);
    }
    let elapsed = started.elapsed();
    opens.sort();
    others.sort();
    println!(
        "[{label}] {events} plate events from {clients} clients in {:.2} s: {:.0} events/s decided",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64()
    );
    println!(
        "[{label}] barrier opened {} times ({} commands received); event to barrier answered: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        opens.len(),
        opened.load(Ordering::Relaxed),
        percentile(&opens, 0.50),
        percentile(&opens, 0.99),
        percentile(&opens, 1.0)
    );
    println!(
        "[{label}] left to the guard {} times: p50 {:.1} ms, p99 {:.1} ms",
        others.len(),
        percentile(&others, 0.50),
        percentile(&others, 0.99)
    );

    // then paced at half that rate (events arrive on a clock, not when the last was answered):
    // the latency a gate sees when the server is busy but not saturated
    let rate = events as f64 / elapsed.as_secs_f64() / 2.0;
    let paced = events / 2;
    let gap = Duration::from_secs_f64(1.0 / rate);
    let mut sending = Vec::with_capacity(paced);
    let mut clock = tokio::time::interval(gap);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for n in events..events + paced {
        clock.tick().await;
        let (http, hook) = (http.clone(), hook.clone());
        sending.push(tokio::spawn(async move {
            send_event(&http, &hook, n, passes).await
        }));
    }
    let mut paced_opens = Vec::new();
    for sent in sending {
        let (open, took) = sent.await.expect("event");
        if open {
            paced_opens.push(took);
        }
    }
    paced_opens.sort();
    println!(
        "[{label}] paced at {rate:.0} events/s (half the above), {paced} events: barrier opened {} times, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        paced_opens.len(),
        percentile(&paced_opens, 0.50),
        percentile(&paced_opens, 0.99),
        percentile(&paced_opens, 1.0)
    );
    store.db.close().await;
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::main]
async fn main() {
    server::init_tracing();
    let setting = server::harness::bench_setting;
    let (passes, events, clients) = (
        setting("BENCH_PASSES", 10_000),
        setting("BENCH_EVENTS", 4_000),
        setting("BENCH_CLIENTS", 8),
    );
    server::harness::on_both_backends("bench_gate", |label, url| async move {
        run(label, &url, passes, events, clients).await
    })
    .await;
}
