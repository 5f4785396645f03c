//! Billing benchmark (run by `make bench-billing`, not a test). On a fresh SQLite database and,
//! when reachable, a fresh PostgreSQL database, it seeds one house of BENCH_ACCOUNTS (10 000)
//! accounts with cold, hot and two-zone electricity meters and half a year of readings, eight
//! services with tariffs, and then measures
//! - the accrual run of one period (every account × 8 services, from readings, with penalties),
//! - a raw multi-row INSERT of the same number of rows of the same width into a bare table, and
//!   their ratio (the figure); and into a copy of `accrual_lines` with its key, checks,
//!   foreign keys and index (what storing the rows costs before anything is computed),
//! - posting the run to the ledger,
//! - making every account's bill (ЕПД PDF with its QR) with the house job, into one ZIP.
//!
//! The run and the raw insert are timed BENCH_REPEAT times each, taking turns (a shared machine's
//! noise then falls on both alike), from the same state each time: before a repeat the run's
//! lines are deleted and the raw table made anew, untimed. The figures are the medians.
//!
//! Options (environment): BENCH_ACCOUNTS (10000), BENCH_REPEAT (5),
//! BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres).

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use app::auth::types::Role;
use app::billing::bill;
use app::billing::rules::Payee;
use app::billing::types::{Basis, Period, Utility};
use app::db::{Db, Store};
use app::housing::store::UserLoad;
use app::readings::store::PastReading;
use app::readings::types::NewMeter;
use app::readings::types::Source;
use app::with_db;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Eight services: area ×2, person, fixed, three metered (one with two zones), wastewater.
const SERVICES: [(&str, Basis, Option<Utility>, &[&str]); 8] = [
    ("Содержание", Basis::Area, None, &["36.15"]),
    ("Капремонт", Basis::Area, None, &["21.95"]),
    ("ТКО", Basis::Person, None, &["189.20"]),
    ("Домофон", Basis::Fixed, None, &["65"]),
    ("ХВС", Basis::Metered, Some(Utility::ColdWater), &["59.80"]),
    ("ГВС", Basis::Metered, Some(Utility::HotWater), &["272.05"]),
    ("Водоотведение", Basis::Wastewater, None, &["45.44"]),
    (
        "Электроэнергия",
        Basis::Metered,
        Some(Utility::Electricity),
        &["8.12", "3.05"],
    ),
];

async fn seed(store: &Store, accounts: usize) -> i64 {
    let mut register = server::demo::filler_house(0, accounts, None);
    register.staff.push(UserLoad {
        full_name: "Бухгалтер".into(),
        email: Some("bench@klyuch.test".into()),
        phone: None,
        // nobody signs in: any string that is not a valid hash locks the account
        password_hash: "-".into(),
        role: Role::Accountant,
    });
    store.load_register(&register).await.expect("register");
    let house = store.houses().await.expect("houses")[0].id;
    let flats = store.house_apartments(house).await.expect("flats");
    let mut items = Vec::new();
    for (i, (flat, ..)) in flats.iter().enumerate() {
        for (utility, zones, per_month) in [
            (Utility::ColdWater, 1u8, 4_000i64),
            (Utility::HotWater, 1, 3_000),
            (Utility::Electricity, 2, 150_000),
        ] {
            let readings = (1..=6)
                .map(|month| PastReading {
                    period: Period { year: 2026, month },
                    taken_on: date(2026, month, 22),
                    values: (0..zones)
                        .map(|z| {
                            Decimal::new(
                                per_month * i64::from(month) / (i64::from(z) + 1) + (i % 7) as i64,
                                3,
                            )
                        })
                        .collect(),
                    source: Source::Cabinet,
                })
                .collect();
            items.push((
                NewMeter {
                    house_id: house,
                    apartment_id: Some(*flat),
                    resource: utility,
                    serial: format!("{}-{flat}", utility.as_str()),
                    zones,
                    place: String::new(),
                    installed_on: date(2025, 12, 5),
                    verified_until: date(2031, 1, 1),
                    seal: String::new(),
                    initial: vec![Decimal::ZERO; zones as usize],
                },
                readings,
            ));
        }
    }
    store.load_meters(&items).await.expect("meters");
    for (name, basis, resource, rates) in SERVICES {
        server::demo::priced_service(
            store,
            house,
            (name, basis, resource),
            date(2026, 1, 1),
            rates,
        )
        .await
        .expect("service");
    }
    store
        .set_payee(
            None,
            &Payee {
                name: "ТСЖ «Нагрузочное»".into(),
                inn: "7701234567".into(),
                kpp: "770101001".into(),
                account: "40703810938000012345".into(),
                bank_name: "ПАО Сбербанк".into(),
                bic: "044525225".into(),
                corr_account: "30101810400000000225".into(),
            },
        )
        .await
        .expect("payee");
    house
}

/// Where the raw insert writes.
#[derive(Clone, Copy)]
enum RawTable {
    /// A table of the same columns and nothing else: the floor of writing the rows.
    Bare,
    /// A copy of `accrual_lines` with its key, checks, foreign keys and index: what storing
    /// the rows costs any accrual, before anything is read or computed.
    LikeAccrualLines,
}

/// The same number of rows of the same width as the run wrote (for `run` and the house's
/// accounts and services), in one transaction, into a table made anew.
async fn raw_insert(store: &Store, table: RawTable, run: i64, rows: usize) -> Duration {
    let explanation =
        "Счётчик №ХВС-1: Показания 24,000 − 20,000 = 4,000\n4,000 м³ × 59,80 ₽ = 239,20 ₽";
    let key = match store.db {
        Db::Sqlite(_) => "id INTEGER PRIMARY KEY,",
        Db::Postgres(_) => "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,",
    };
    let ddl: Vec<String> = match table {
        RawTable::Bare => vec![
            "CREATE TABLE raw_lines (run_id BIGINT, account_id BIGINT, service_id BIGINT,
                 kind TEXT, quantity TEXT, unit TEXT, rate TEXT, amount BIGINT, source TEXT,
                 explanation TEXT)"
                .into(),
        ],
        RawTable::LikeAccrualLines => vec![
            format!(
                "CREATE TABLE raw_lines ({key}
                     run_id BIGINT NOT NULL REFERENCES accrual_runs(id),
                     account_id BIGINT NOT NULL REFERENCES accounts(id),
                     service_id BIGINT REFERENCES services(id),
                     kind TEXT NOT NULL CHECK (kind IN ('charge','penalty')),
                     quantity TEXT NOT NULL, unit TEXT NOT NULL, rate TEXT NOT NULL,
                     amount BIGINT NOT NULL, source TEXT NOT NULL, explanation TEXT NOT NULL)"
            ),
            "CREATE INDEX raw_lines_run ON raw_lines(run_id, account_id)".into(),
        ],
    };
    with_db!(&store.db, |pool| async {
        let accounts: Vec<i64> = sqlx::query_scalar("SELECT id FROM accounts ORDER BY id")
            .fetch_all(pool)
            .await?;
        let services: Vec<i64> = sqlx::query_scalar("SELECT id FROM services ORDER BY id")
            .fetch_all(pool)
            .await?;
        sqlx::query("DROP TABLE IF EXISTS raw_lines")
            .execute(pool)
            .await?;
        for statement in &ddl {
            sqlx::query(statement).execute(pool).await?;
        }
        let started = Instant::now();
        let mut tx = pool.begin().await?;
        let all: Vec<usize> = (0..rows).collect();
        for chunk in all.chunks(1000) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO raw_lines (run_id, account_id, service_id, kind, quantity, unit,
                     rate, amount, source, explanation) ",
            );
            q.push_values(chunk, |mut b, i| {
                b.push_bind(run)
                    .push_bind(accounts[*i / services.len() % accounts.len()])
                    .push_bind(services[*i % services.len()])
                    .push_bind("charge")
                    .push_bind("4")
                    .push_bind("м³")
                    .push_bind("59.8")
                    .push_bind(23920i64)
                    .push_bind("по показаниям")
                    .push_bind(explanation);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(started.elapsed())
    }
    .await)
    .expect("raw insert")
}

async fn house_first_account(store: &Store) -> i64 {
    with_db!(&store.db, |pool| sqlx::query_scalar(
        "SELECT MIN(id) FROM accounts"
    )
    .fetch_one(pool)
    .await)
    .expect("an account")
}

/// The middle of the timings.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// `0.52 s (0.49–0.61)`: the median and the range.
fn spread(times: &[Duration]) -> String {
    let (min, max) = (times.iter().min(), times.iter().max());
    format!(
        "{} ({:.2}–{:.2})",
        secs(median(times.to_vec())),
        min.map_or(0.0, Duration::as_secs_f64),
        max.map_or(0.0, Duration::as_secs_f64)
    )
}

async fn run(label: &str, url: &str, accounts: usize, repeat: usize) {
    let store = Store::new(Db::connect(url, None).await.expect("database"));
    let started = Instant::now();
    let house = seed(&store, accounts).await;
    println!(
        "[{label}] seeded {accounts} accounts, 3 meters each, 6 months of readings in {}",
        secs(started.elapsed())
    );
    let period = Period {
        year: 2026,
        month: 6,
    };

    let (mut accruals, mut raws, mut shaped) = (Vec::new(), Vec::new(), Vec::new());
    let (mut run, mut lines) = (0, 0i64);
    for _ in 0..repeat {
        if run != 0 {
            with_db!(&store.db, |pool| sqlx::query(
                "DELETE FROM accrual_lines WHERE run_id = $1"
            )
            .bind(run)
            .execute(pool)
            .await
            .map(|_| ()))
            .expect("clear the draft");
        }
        let started = Instant::now();
        run = store
            .accrue_now(None, house, period)
            .await
            .expect("accrual");
        accruals.push(started.elapsed());
        lines = with_db!(&store.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM accrual_lines WHERE run_id = $1"
        )
        .bind(run)
        .fetch_one(pool)
        .await)
        .expect("count");
        raws.push(raw_insert(&store, RawTable::Bare, run, lines as usize).await);
        shaped.push(raw_insert(&store, RawTable::LikeAccrualLines, run, lines as usize).await);
    }
    println!(
        "[{label}] accrual run: {} for {lines} lines ({accounts} accounts × 8 services); raw insert of {lines} rows: {}; ratio {:.2}× (medians of {repeat}, range in brackets)",
        spread(&accruals),
        spread(&raws),
        median(accruals.clone()).as_secs_f64() / median(raws.clone()).as_secs_f64()
    );
    println!(
        "[{label}] raw insert of {lines} rows into a copy of accrual_lines (its key, checks, foreign keys, index): {}; the run's ratio to it {:.2}×",
        spread(&shaped),
        median(accruals.clone()).as_secs_f64() / median(shaped.clone()).as_secs_f64()
    );
    let accountant = store
        .credentials("bench@klyuch.test")
        .await
        .expect("credentials")
        .expect("the accountant")
        .id;
    let started = Instant::now();
    let posted = store.post_accrual(accountant, run).await.expect("post");
    println!(
        "[{label}] posting to the ledger: {} for {posted} entries",
        secs(started.elapsed())
    );

    // the house's bills as the accountant makes them: the job, into one ZIP
    let documents = std::env::temp_dir().join(format!("klyuch-bench-docs-{}", std::process::id()));
    let worker = server::worker::Worker::new(
        store.clone(),
        server::worker::Senders::from_settings(
            &store,
            &server::config::Settings::from_lookup(|_| None).expect("settings"),
        )
        .await
        .expect("senders"),
        "bench".into(),
    );
    let started = Instant::now();
    let batch = store
        .start_bill_batch(
            accountant,
            house,
            period,
            false,
            &documents.display().to_string(),
        )
        .await
        .expect("bill batch");
    worker.clone().tick().await;
    let bills = started.elapsed();
    let view = store
        .bill_batches(house)
        .await
        .expect("batches")
        .into_iter()
        .find(|b| b.id == batch)
        .expect("the batch");
    assert_eq!(view.done, view.total, "every bill made: {:?}", view.error);
    let (zip, _) = store.bill_batch_file(batch).await.expect("the ZIP");
    let size = std::fs::metadata(&zip).map(|m| m.len()).unwrap_or_default();
    // one bill alone on one core, for reference
    let one = store
        .bill_data(house_first_account(&store).await, period)
        .await
        .expect("bill data");
    let render_started = Instant::now();
    for _ in 0..100 {
        std::hint::black_box(bill::render(&one));
    }
    println!(
        "[{label}] {} bills (ЕПД PDF with QR) by the house job into one ZIP: {} ({:.1} ms each; {:.0} KB average; one bill renders in {:.1} ms on one core)",
        view.total,
        secs(bills),
        bills.as_secs_f64() * 1000.0 / view.total as f64,
        size as f64 / view.total as f64 / 1024.0,
        render_started.elapsed().as_secs_f64() * 10.0
    );
    let _ = std::fs::remove_dir_all(&documents);
    store.db.close().await;
}

#[tokio::main]
async fn main() {
    server::init_tracing();
    let setting = server::harness::bench_setting;
    let (accounts, repeat) = (
        setting("BENCH_ACCOUNTS", 10_000),
        setting("BENCH_REPEAT", 5),
    );
    server::harness::on_both_backends("bench", |label, url| async move {
        run(label, &url, accounts, repeat).await
    })
    .await;
}
