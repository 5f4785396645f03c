//! Scale-out harness (run by `make scale`, not a test), on the release server:
//!
//! 1. **Growth**: the resident's start page and the accrual run of the filler house at each of
//!    SCALE_SIZES accounts (1 000, 10 000, 100 000), on SQLite and on PostgreSQL — the page should
//!    stay flat, the run grow linearly.
//! 2. **Two instances on one PostgreSQL database** with SCALE_ACCOUNTS (100 000) accounts, every
//!    filler owner signed up: a session made on one instance works on the other (and signing out
//!    on one ends it on both); load spread over both; an announcement to every resident and an
//!    accrual run started on instance A while both workers run, A killed with `kill -9` a third of
//!    the way through the announcement's deliveries; then the counts that show each notification,
//!    delivery and accrual line exists once, which instance did what, and what the killed
//!    instance held (taken over after its lease, `KLYUCH_JOB_LEASE_SECONDS`).
//! 3. **Soak**: both instances at half the saturating rate for SCALE_SOAK_SECONDS (600), a line
//!    a minute with the rate, p50/p99, errors and both processes' RSS.
//!
//! Options (environment): SCALE_SIZES ("1000,10000,100000"), SCALE_ACCOUNTS (100000),
//! SCALE_SOAK_SECONDS (600), SCALE_CONNECTIONS (32), SCALE_PG_URL
//! (postgres://postgres@127.0.0.1:5432/postgres: the server the databases are made on).

use std::time::{Duration, Instant};

use sqlx::Connection;

use app::billing::types::RunStatus;
use app::db::{Db, Store};
use app::period::Period;
use server::demo::{FILLER_ADDRESS, FILLER_SERVICES, logins};
use server::harness::{
    Figures, ServerProcess, cpu_time, env_number, html, measure, measure_at_rate, rss_mib, seed,
    sign_in, sign_in_with,
};

/// The period the runs accrue (the filler house's services are priced from January 2026).
const PERIOD: Period = Period {
    year: 2026,
    month: 11,
};
/// How soon a dead instance's jobs are taken over in this harness.
const LEASE_SECONDS: &str = "10";
const ANNOUNCEMENT: &str = "Проверка связи: плановое отключение горячей воды";

/// A database made for one measurement and dropped after it.
struct Database {
    url: String,
    /// PostgreSQL: the server's URL and the database's name (to drop it).
    pg: Option<(String, String)>,
    dir: Option<std::path::PathBuf>,
}

impl Database {
    async fn sqlite(tag: &str) -> Database {
        let dir = std::env::temp_dir().join(format!("klyuch-scale-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("work dir");
        Database {
            url: format!("sqlite:{}", dir.join("scale.db").display()),
            pg: None,
            dir: Some(dir),
        }
    }

    async fn postgres(server: &str, tag: &str) -> Database {
        let name = format!("klyuch_scale_{}_{tag}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(server)
            .await
            .expect("PostgreSQL (SCALE_PG_URL)");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .expect("drop old database");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
        let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
        Database {
            url: format!("{base}/{name}"),
            pg: Some((server.to_string(), name)),
            dir: None,
        }
    }

    async fn store(&self) -> Store {
        Store::new(Db::connect(&self.url, Some(4)).await.expect("connect"))
    }

    async fn drop_it(self) {
        if let Some((server, name)) = &self.pg
            && let Ok(mut admin) = sqlx::PgConnection::connect(server).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await;
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// One number from the database.
async fn count(store: &Store, sql: &str) -> i64 {
    app::with_db!(&store.db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await)
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn filler_house(store: &Store) -> i64 {
    store
        .houses()
        .await
        .expect("houses")
        .into_iter()
        .find(|h| h.address == FILLER_ADDRESS)
        .expect("the filler house")
        .id
}

/// Posts a server function's form as `client` and returns its JSON answer.
async fn call(
    client: &reqwest::Client,
    base: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> String {
    let answer = client
        .post(format!("{base}/api/{endpoint}"))
        .header("origin", base)
        .form(form)
        .send()
        .await
        .expect("server function");
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    assert!(
        status.is_success() || status.is_redirection(),
        "{endpoint}: {status} {body}"
    );
    body
}

/// Starts the filler house's accrual through instance `base` as the accountant; the run's id.
async fn start_accrual(base: &str, house: i64) -> i64 {
    let accountant = sign_in(base, logins::ACCOUNTANT).await;
    let answer = call(
        &accountant,
        base,
        "start_accrual_run",
        &[
            ("house_id", &house.to_string()),
            ("period", &PERIOD.to_string()),
        ],
    )
    .await;
    answer.trim().parse().expect("the run's id")
}

/// Waits until run `run_id` is computed; how long it took from `since`.
async fn wait_for_run(store: &Store, run_id: i64, since: Instant) -> Duration {
    loop {
        let run = store.accrual_run(run_id).await.expect("run");
        match run.status {
            RunStatus::Draft | RunStatus::Posted => return since.elapsed(),
            RunStatus::Failed => panic!("the run failed: {:?}", run.error),
            RunStatus::Queued | RunStatus::Running => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The start page under load, and one accrual run, at `accounts` accounts.
async fn growth_point(database: &Database, accounts: u64, connections: usize) {
    let seeded = seed(&database.url, accounts);
    let server = ServerProcess::start(&database.url, &[("KLYUCH_WORKER_POLL_MS", "50")]).await;
    let resident = sign_in(&server.base, logins::RESIDENT).await;
    let urls = [format!("{}/cabinet", server.base)];
    assert!(html(&resident, &urls[0]).await.contains("77010012"));
    measure(&resident, &urls, connections, 1).await; // warm up
    let cpu = cpu_time(server.pid());
    let page = measure(&resident, &urls, connections, 5).await;
    let cpu_per_page = ms(cpu_time(server.pid()) - cpu) / page.requests.max(1) as f64;
    let store = database.store().await;
    let house = filler_house(&store).await;
    let started = Instant::now();
    let run = start_accrual(&server.base, house).await;
    let took = wait_for_run(&store, run, started).await;
    let lines = count(
        &store,
        &format!("SELECT COUNT(*) FROM accrual_lines WHERE run_id = {run}"),
    )
    .await;
    println!(
        "  {accounts:>7} accounts: seeded in {:>5.1} s | /cabinet {:>6.0} req/s, p50 {:>6.2} ms, p99 {:>6.2} ms, CPU {:.2} ms/page | accrual run {:>6.2} s for {lines} lines ({:.1} µs a line)",
        seeded.as_secs_f64(),
        page.rps,
        ms(page.p50),
        ms(page.p99),
        cpu_per_page,
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / lines.max(1) as f64,
    );
    store.db.close().await;
}

/// Signs in on `a`, uses the session on `b`, signs out on `b`, and shows `a` no longer takes
/// the session's cookie.
async fn sessions_cross_instances(a: &str, b: &str) {
    // what only that user's page shows: zhitel's account, the register the council keeps
    for (login, home, mark) in [
        (logins::RESIDENT, "/cabinet", "77010012"),
        (logins::CHAIR, "/staff", "Нагрузочная"),
    ] {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        sign_in_with(&client, a, login).await;
        // a page that is not signed in is a redirect, which `html` refuses
        let page = html(&client, &format!("{b}{home}")).await;
        assert!(page.contains(mark), "{login}'s session from A works on B");
        let cookie = reqwest::cookie::CookieStore::cookies(&*jar, &a.parse().expect("url"))
            .expect("the session cookie");
        call(&client, b, "sign_out", &[]).await;
        let after = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
            .get(format!("{a}{home}"))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .expect("page after sign-out");
        assert!(
            after.status().is_redirection(),
            "{login} signed out on B is signed out on A too: {}",
            after.status()
        );
        println!(
            "  {login}: signed in on A, {home} works on B; signed out on B, A refuses the old cookie"
        );
    }
}

/// Two instances, the announcement and the accrual run, instance A killed mid-way.
async fn exactly_once(database: &Database, a: &mut ServerProcess) {
    let store = database.store().await;
    let house = filler_house(&store).await;
    let residents = count(
        &store,
        "SELECT COUNT(*) FROM users WHERE email LIKE '%@load.klyuch.test'",
    )
    .await;
    let dispatcher = sign_in(&a.base, logins::DISPATCHER).await;
    let until = app::clock::local_input(chrono::Utc::now() + chrono::TimeDelta::days(1));
    let started = Instant::now();
    let announcement: i64 = call(
        &dispatcher,
        &a.base,
        "post_announcement",
        &[
            ("title", ANNOUNCEMENT),
            ("body", "Горячей воды не будет с 10:00 до 14:00."),
            ("audience", "all"),
            ("expires_at", &until),
        ],
    )
    .await
    .trim()
    .parse()
    .expect("the announcement's id");
    let run = start_accrual(&a.base, house).await;
    println!(
        "  announcement {announcement} to everyone ({residents} filler owners signed up) and accrual run {run} posted on A"
    );
    let source = app::news::store::announcement_source(announcement);
    let sent = format!(
        "SELECT COUNT(*) FROM deliveries d JOIN notifications n ON n.id = d.notification_id
         WHERE n.source = '{source}' AND d.status = 'sent'"
    );
    // A is killed a third of the way through, at a moment it holds jobs: frozen first, so
    // what it holds cannot finish between the look and the kill
    let worker_of_a = format!("w{}-%", a.pid());
    let held_by_a = format!(
        "SELECT COUNT(*) FROM jobs WHERE status = 'running' AND locked_by LIKE '{worker_of_a}'"
    );
    while count(&store, &sent).await < residents / 3 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    loop {
        a.signal("-STOP");
        if count(&store, &held_by_a).await > 0 {
            break;
        }
        a.signal("-CONT");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.kill_hard();
    let held = count(&store, &held_by_a).await;
    println!(
        "  kill -9 of A after {:.1} s with {} deliveries sent; A held {held} running jobs",
        started.elapsed().as_secs_f64(),
        count(&store, &sent).await
    );
    let pending = "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')
                   AND kind IN ('notify.fanout', 'notify.deliver', 'billing.accrual')";
    let deadline = Instant::now() + Duration::from_secs(1800);
    while count(&store, pending).await > 0 {
        assert!(
            Instant::now() < deadline,
            "the jobs did not finish in 30 minutes"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "  all done {:.1} s after the announcement, by B alone after the kill",
        started.elapsed().as_secs_f64()
    );
    // the counts below join 100 000-row tables the planner has not seen yet
    store.db.analyze().await.expect("ANALYZE");
    let of_source = format!("FROM notifications WHERE source = '{source}'");
    let notifications = count(&store, &format!("SELECT COUNT(*) {of_source}")).await;
    let recipients = count(
        &store,
        &format!("SELECT COUNT(DISTINCT user_id) {of_source}"),
    )
    .await;
    let filler_notified = count(
        &store,
        &format!(
            "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id
             WHERE n.source = '{source}' AND u.email LIKE '%@load.klyuch.test'"
        ),
    )
    .await;
    let of_deliveries = format!(
        "FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.source = '{source}'"
    );
    let deliveries = count(&store, &format!("SELECT COUNT(*) {of_deliveries}")).await;
    let sent_deliveries = count(&store, &sent).await;
    let sends = format!(
        "SELECT COUNT(*) FROM delivery_attempts t JOIN deliveries d ON d.id = t.delivery_id
         JOIN notifications n ON n.id = d.notification_id WHERE n.source = '{source}' AND t.ok"
    );
    let successful_sends = count(&store, &sends).await;
    let mailbox = count(
        &store,
        &format!("SELECT COUNT(*) FROM dev_mailbox WHERE subject = '{ANNOUNCEMENT}'"),
    )
    .await;
    let mailbox_recipients = count(
        &store,
        &format!(
            "SELECT COUNT(DISTINCT recipient) FROM dev_mailbox WHERE subject = '{ANNOUNCEMENT}'"
        ),
    )
    .await;
    let taken_over = count(
        &store,
        "SELECT COUNT(*) FROM jobs WHERE kind = 'notify.deliver' AND attempts > 1",
    )
    .await;
    let by_a = count(
        &store,
        &format!("SELECT COUNT(*) FROM delivery_attempts WHERE worker LIKE '{worker_of_a}' AND ok"),
    )
    .await;
    println!(
        "  notifications {notifications} for {recipients} recipients (every filler owner: {filler_notified} of {residents})"
    );
    println!(
        "  e-mail deliveries {deliveries}, sent {sent_deliveries}; successful sends recorded {successful_sends} (A {by_a}, B {}); dev mailbox {mailbox} letters to {mailbox_recipients} addresses",
        successful_sends - by_a
    );
    println!(
        "  delivery jobs claimed more than once (taken over from A after its lease): {taken_over}"
    );
    let lines = count(
        &store,
        &format!("SELECT COUNT(*) FROM accrual_lines WHERE run_id = {run}"),
    )
    .await;
    let distinct_lines = count(
        &store,
        &format!(
            "SELECT COUNT(*) FROM (SELECT DISTINCT account_id, service_id, kind FROM accrual_lines WHERE run_id = {run}) x"
        ),
    )
    .await;
    let accrual_claims = count(
        &store,
        &format!(
            "SELECT CAST(COALESCE(SUM(attempts), 0) AS BIGINT) FROM jobs
             WHERE kind = 'billing.accrual' AND payload = '{{\"run_id\":{run}}}'"
        ),
    )
    .await;
    let run_view = store.accrual_run(run).await.expect("run");
    println!(
        "  accrual run {run}: {:?}, {lines} lines ({distinct_lines} distinct account × service × kind; {} accounts × {} services), its job claimed {accrual_claims} time(s)",
        run_view.status,
        residents,
        FILLER_SERVICES.len()
    );
    let once = notifications == recipients
        && filler_notified == residents
        && deliveries == sent_deliveries
        && lines == distinct_lines
        && run_view.status == RunStatus::Draft;
    println!(
        "  => {}",
        if once {
            "each recipient notified once, each delivery sent, each accrual line once"
        } else {
            "NOT EXACTLY ONCE (see the counts above)"
        }
    );
    if mailbox > mailbox_recipients {
        println!(
            "     {} letters reached the mailbox twice: sends of A's last claims that A handed over but did not live to record; B sent them again (a channel send is at-least-once)",
            mailbox - mailbox_recipients
        );
    }
    store.db.close().await;
}

fn print_soak_minute(minute: u64, f: &Figures, a: u32, b: u32) {
    println!(
        "  minute {minute:>2}: {:>6.0} req/s, p50 {:>6.2} ms, p99 {:>6.2} ms, {} errors | RSS A {:>4.0} MiB, B {:>4.0} MiB",
        f.rps,
        ms(f.p50),
        ms(f.p99),
        f.errors,
        rss_mib(a),
        rss_mib(b)
    );
}

#[tokio::main]
async fn main() {
    let sizes: Vec<u64> = std::env::var("SCALE_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let accounts = env_number("SCALE_ACCOUNTS", 100_000);
    let soak_seconds = env_number("SCALE_SOAK_SECONDS", 600);
    let connections = env_number("SCALE_CONNECTIONS", 32) as usize;
    let pg = std::env::var("SCALE_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let total = Instant::now();

    println!(
        "1. growth: /cabinet for 5 s with {connections} connections; the filler house's accrual ({} services)",
        FILLER_SERVICES.len()
    );
    for engine in ["SQLite", "PostgreSQL"] {
        println!("{engine}:");
        for &n in &sizes {
            let database = match engine {
                "SQLite" => Database::sqlite(&format!("g{n}")).await,
                _ => Database::postgres(&pg, &format!("g{n}")).await,
            };
            growth_point(&database, n, connections).await;
            database.drop_it().await;
        }
    }

    println!(
        "\n2. two instances on one PostgreSQL database, {accounts} accounts, job lease {LEASE_SECONDS} s"
    );
    let database = Database::postgres(&pg, "two").await;
    let seeded = seed(&database.url, accounts);
    println!("  seeded in {:.1} s", seeded.as_secs_f64());
    let env = [
        ("KLYUCH_JOB_LEASE_SECONDS", LEASE_SECONDS),
        ("KLYUCH_WORKER_POLL_MS", "200"),
    ];
    let mut a = ServerProcess::start(&database.url, &env).await;
    let b = ServerProcess::start(&database.url, &env).await;
    sessions_cross_instances(&a.base, &b.base).await;
    let resident = sign_in(&a.base, logins::RESIDENT).await;
    let both = [format!("{}/cabinet", a.base), format!("{}/cabinet", b.base)];
    measure(&resident, &both, connections, 1).await;
    let (cpu_a, cpu_b) = (cpu_time(a.pid()), cpu_time(b.pid()));
    let saturating = measure(&resident, &both, connections, 10).await;
    saturating.print("  /cabinet over A and B");
    println!(
        "  CPU per page: A {:.2} ms, B {:.2} ms (two instances share the machine's 2 cores)",
        ms(cpu_time(a.pid()) - cpu_a) * 2.0 / saturating.requests.max(1) as f64,
        ms(cpu_time(b.pid()) - cpu_b) * 2.0 / saturating.requests.max(1) as f64,
    );
    exactly_once(&database, &mut a).await;

    let half = saturating.rps / 2.0;
    println!(
        "\n3. soak: /cabinet over A (restarted) and B at {half:.0} req/s (half the saturating rate) for {soak_seconds} s"
    );
    drop(a);
    let a = ServerProcess::start(&database.url, &env).await;
    let both = [format!("{}/cabinet", a.base), format!("{}/cabinet", b.base)];
    let mut all_errors = 0;
    for minute in 1..=soak_seconds.div_ceil(60) {
        let seconds = (soak_seconds - (minute - 1) * 60).min(60);
        let f = measure_at_rate(&resident, &both, connections, seconds, half).await;
        all_errors += f.errors;
        print_soak_minute(minute, &f, a.pid(), b.pid());
    }
    println!("  errors in the soak: {all_errors}");
    drop(a);
    drop(b);
    database.drop_it().await;
    println!("\nmake scale took {:.0} s", total.elapsed().as_secs_f64());
}
