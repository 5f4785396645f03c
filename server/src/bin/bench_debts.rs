//! Debts benchmark (run by `make bench-debts`, not a test). On a fresh SQLite database and, when
//! reachable, a fresh PostgreSQL database, it seeds one house of BENCH_ACCOUNTS (10 000) accounts
//! with three years of ledger — five services charged every month, a payment most months, and
//! the habits of debtors (a tenth stop paying some months before today, a twentieth pay half,
//! a few stopped more than three years ago) — and measures the receivables' data the
//! accountant's page loads (`Store::receivables` for the house: every account's debt by age and
//! service, the debtors, twelve month-ends), BENCH_REPEAT (5) times; prints the median. Then
//! one dunning scenario (three steps) is switched on and swept: the first sweep takes a step for
//! every debtor, the second finds nothing left to do; both are timed.
//!
//! Options (environment): BENCH_ACCOUNTS (10000), BENCH_REPEAT (5),
//! BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres).

use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};

use app::billing::types::{Basis, Period};
use app::db::{Db, Store};
use app::debts::rules::dunning::{NewScenario, Step};
use app::debts::types::AgeBucket;
use app::money::Money;
use app::notify::types::{Channel, NoticeKind};
use app::with_db;

/// Five services charged every month (kopecks).
const SERVICES: [(&str, i64); 5] = [
    ("Содержание", 235_000),
    ("Капремонт", 142_000),
    ("ТКО", 38_000),
    ("Холодная вода", 54_000),
    ("Отопление", 290_000),
];
/// Months of history.
const MONTHS: i32 = 40;
/// Rows per INSERT statement.
const BATCH: usize = 500;

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// A payer's habit by its number: (months before today it stopped paying, pays half).
fn habit(n: usize) -> (Option<i32>, bool) {
    match n % 40 {
        0 => (Some(38), false),
        1..=4 => (Some(1 + (n % 13) as i32), false),
        5 | 6 => (None, true),
        _ => (None, false),
    }
}

async fn seed(store: &Store, accounts: usize, today: NaiveDate) -> (i64, usize) {
    let register = server::demo::filler_house(0, accounts, None);
    store.load_register(&register).await.expect("register");
    let house = store.houses().await.expect("houses")[0].id;
    let mut services = Vec::new();
    for (name, _) in SERVICES {
        let id = server::demo::priced_service(
            store,
            house,
            (name, Basis::Fixed, None),
            NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
            &["1"],
        )
        .await
        .expect("service");
        services.push(id);
    }
    let ids: Vec<i64> = with_db!(&store.db, |pool| sqlx::query_scalar(
        "SELECT id FROM accounts ORDER BY id"
    )
    .fetch_all(pool)
    .await)
    .expect("accounts");
    let now = Period::of(today);
    let mut rows = Vec::new();
    for (n, account) in ids.iter().enumerate() {
        let (stops, half) = habit(n);
        for back in (1..=MONTHS).rev() {
            let period = now.plus(-back);
            let billed_on = period.plus(1).first_day();
            let mut total = 0;
            for ((_, amount), service) in SERVICES.iter().zip(&services) {
                rows.push(format!(
                    "({account}, '{period}', 'charge', {service}, {amount}, '{billed_on}', '', \
                     '2026-01-01T00:00:00Z')"
                ));
                total += amount;
            }
            if stops.is_some_and(|s| back <= s) {
                if back < MONTHS {
                    rows.push(format!(
                        "({account}, '{period}', 'penalty', NULL, {}, '{billed_on}', '', \
                         '2026-01-01T00:00:00Z')",
                        total / 50
                    ));
                }
                continue;
            }
            let paid_on = billed_on
                .with_day(10 + (n % 15) as u32)
                .unwrap_or(billed_on);
            if paid_on <= today {
                let amount = if half { total / 2 } else { total };
                rows.push(format!(
                    "({account}, '{}', 'payment', NULL, {}, '{paid_on}', '', \
                     '2026-01-01T00:00:00Z')",
                    Period::of(paid_on),
                    -amount
                ));
            }
        }
    }
    let count = rows.len();
    for batch in rows.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO ledger (account_id, period, kind, service_id, amount, occurred_on,
                 reason, created_at) VALUES {}",
            batch.join(",")
        );
        with_db!(&store.db, |pool| sqlx::query(&sql)
            .execute(pool)
            .await
            .map(|_| ()))
        .expect("ledger rows");
    }
    if let Db::Postgres(pool) = &store.db {
        sqlx::query("ANALYZE").execute(pool).await.expect("analyze");
    }
    (house, count)
}

async fn run(label: &str, url: &str, accounts: usize, repeat: usize) {
    let store = Store::new(Db::connect(url, None).await.expect("database"));
    let today = app::clock::today();
    let started = Instant::now();
    let (house, rows) = seed(&store, accounts, today).await;
    println!(
        "[{label}] seeded {accounts} accounts, {MONTHS} months, {rows} ledger rows in {}",
        secs(started.elapsed())
    );
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..repeat {
        let started = Instant::now();
        let receivables = store
            .receivables(Some(house), today)
            .await
            .expect("receivables");
        times.push(started.elapsed());
        last = Some(receivables);
    }
    times.sort();
    let receivables = last.expect("at least one run");
    let totals = &receivables.totals;
    println!(
        "[{label}] receivables of {} accounts: median {:.0} ms (min {:.0}, max {:.0}); \
         {} debtors, overdue {}, over three years {}",
        totals.accounts,
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0,
        totals.debtors,
        totals.overdue().label(),
        totals.buckets.get(AgeBucket::OverThreeYears).label(),
    );
    sweep(label, &store, house, today).await;
    store.db.close().await;
}

/// One scenario over the house, swept twice at noon today.
async fn sweep(label: &str, store: &Store, house: i64, today: NaiveDate) {
    let step = |days, kind| Step {
        id: 0,
        days_after_due: days,
        min_overdue: Money::ZERO,
        kind,
        channels: vec![Channel::Email],
    };
    let scenario = NewScenario {
        name: "Бенчмарк".into(),
        house_id: Some(house),
        restart_on_partial: false,
        holdout_percent: 10,
        steps: vec![
            step(5, NoticeKind::DebtReminder),
            step(20, NoticeKind::DebtSecondReminder),
            step(45, NoticeKind::DebtWarning),
        ],
    };
    let id = store
        .save_scenario(None, &scenario)
        .await
        .expect("scenario");
    store
        .set_scenario_enabled(None, id, true)
        .await
        .expect("switch on");
    let noon = app::clock::from_local(today.and_hms_opt(12, 0, 0).expect("noon"));
    let started = Instant::now();
    let lines = store.dry_run(id, today).await.expect("dry run");
    let dry = started.elapsed();
    let started = Instant::now();
    store.debt_sweep(noon).await.expect("sweep");
    let first = started.elapsed();
    let started = Instant::now();
    store.debt_sweep(noon).await.expect("second sweep");
    let second = started.elapsed();
    let runs: i64 = with_db!(&store.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM debt_step_runs"
    )
    .fetch_one(pool)
    .await)
    .expect("runs");
    println!(
        "[{label}] scenario sweep: dry run {:.0} ms ({} steps due), first sweep {:.0} ms \
         ({runs} steps taken), second sweep {:.0} ms (nothing left)",
        dry.as_secs_f64() * 1000.0,
        lines.len(),
        first.as_secs_f64() * 1000.0,
        second.as_secs_f64() * 1000.0,
    );
}

#[tokio::main]
async fn main() {
    server::init_tracing();
    let setting = server::harness::bench_setting;
    let (accounts, repeat) = (
        setting("BENCH_ACCOUNTS", 10_000),
        setting("BENCH_REPEAT", 5),
    );
    server::harness::on_both_backends("debts", |label, url| async move {
        run(label, &url, accounts, repeat).await
    })
    .await;
}
