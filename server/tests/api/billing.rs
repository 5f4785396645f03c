//! Billing on SQLite and PostgreSQL: the demo's twelve months computed by the engine, lines that
//! sum to the totals, the ledger's balances, posted periods that cannot change, a draft run again
//! replaces itself, a post that fails half-way and a compute that is killed leave nothing
//! partial, the job with its progress, penalties of debtors, and the bill whose printed QR a real
//! decoder reads back field by field.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::common::{Backend, TestApp, TestDb, error_of, path, scalar};
use app::billing::bill;
use app::billing::store::{NewPayment, NewService};
use app::billing::types::{Basis, Money, Period, RunStatus, Section};
use app::db::Store;
use app::error::AppError;
use app::with_db;
use reqwest::StatusCode;
use server::demo::logins;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The demo's last billed period (the month before this one).
fn last_billed() -> Period {
    Period::of(app::clock::today()).plus(-1)
}

async fn execute(store: &Store, sql: &str) -> Result<(), sqlx::Error> {
    with_db!(&store.db, |pool| sqlx::query(sql)
        .execute(pool)
        .await
        .map(|_| ()))
}

/// (house id of «Серебряная, д. 1», zhitel's account there, the accountant's user id)
async fn demo_ids(store: &Store) -> (i64, i64, i64) {
    let house = store
        .houses()
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.address.contains("Серебряная, д. 1"))
        .unwrap()
        .id;
    let account = scalar(
        store,
        &format!(
            "SELECT c.id FROM accounts c JOIN apartments a ON a.id = c.apartment_id
             WHERE a.house_id = {house} AND a.number = '12'"
        ),
    )
    .await;
    let accountant = store
        .credentials(logins::ACCOUNTANT)
        .await
        .unwrap()
        .unwrap()
        .id;
    (house, account, accountant)
}

both_backends!(
    demo_months_are_computed_explained_and_balance,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let (house, account, _) = demo_ids(&store).await;
        let statement = store.account_statement(account).await.unwrap();
        assert_eq!(statement.months.len(), 12, "twelve posted months");
        let last = &statement.months[0];
        assert_eq!(last.period, last_billed());
        // every month: lines sum to the charged total and penalties; closing follows the ledger
        for m in &statement.months {
            let charges: Money = m
                .lines
                .iter()
                .filter(|l| !l.penalty)
                .map(|l| l.amount)
                .sum();
            let penalties: Money = m.lines.iter().filter(|l| l.penalty).map(|l| l.amount).sum();
            assert_eq!(charges, m.charged, "{}", m.period);
            assert_eq!(penalties, m.penalties, "{}", m.period);
            let corrections: Money = m.corrections.iter().map(|c| c.amount).sum();
            assert_eq!(
                m.closing,
                m.opening + m.charged + m.penalties + corrections - m.paid
            );
            assert_eq!(
                m.lines.iter().filter(|l| !l.penalty).count(),
                10,
                "ten services"
            );
        }
        // each line explains itself: the volume's source and the formula
        let water = last
            .lines
            .iter()
            .find(|l| l.service == "Холодное водоснабжение")
            .unwrap();
        assert!(water.explanation.contains(" ₽ = "), "{}", water.explanation);
        assert!(["по показаниям", "по среднему", "по нормативу"].contains(&water.source.as_str()));
        let power = last
            .lines
            .iter()
            .find(|l| l.service == "Электроэнергия")
            .unwrap();
        assert!(
            power.explanation.contains("День") && power.explanation.contains('+'),
            "two zones priced: {}",
            power.explanation
        );
        let odn = last
            .lines
            .iter()
            .find(|l| l.service == "Холодная вода на ОДН")
            .unwrap();
        assert!(odn.explanation.contains("ОДПУ"), "{}", odn.explanation);
        // zhitel has not paid the last bill yet: the balance is that bill
        assert_eq!(statement.balance, last.closing);
        assert!(statement.balance.0 > 0);
        // the whole house: the ledger's sum up to the period is the turnover sheet's closing sum
        // (payments made in the next month belong to the next month's sheet)
        let sheet = store.turnover(house, last_billed()).await.unwrap();
        let closing: i64 = sheet.iter().map(|r| r.closing.0).sum();
        let ledger = scalar(
            &store,
            &format!(
                "SELECT CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) FROM ledger l
                 JOIN accounts c ON c.id = l.account_id JOIN apartments a ON a.id = c.apartment_id
                 WHERE a.house_id = {house} AND l.period <= '{}'",
                last_billed()
            ),
        )
        .await;
        assert_eq!(closing, ledger);
        // ОДН: the flats' parts add up to the house's sum to the kopeck
        let odn_rows = scalar(
            &store,
            &format!(
                "SELECT COUNT(*) FROM accrual_lines l JOIN services s ON s.id = l.service_id
                 JOIN accrual_runs r ON r.id = l.run_id
                 WHERE s.basis = 'common_area' AND r.house_id = {house} AND r.period = '{}'",
                last_billed()
            ),
        )
        .await;
        assert!(odn_rows > 0);
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    debtors_get_penalties_with_their_calculation,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        // flat 7 of each house stopped paying six months ago: past day 90 by now
        let penalties = scalar(
            &store,
            "SELECT COUNT(*) FROM accrual_lines WHERE kind = 'penalty' AND explanation LIKE '%1/130%'",
        )
        .await;
        assert!(penalties > 0, "some debts are past day 90");
        let account = scalar(
            &store,
            "SELECT c.id FROM accounts c JOIN apartments a ON a.id = c.apartment_id
             JOIN houses h ON h.id = a.house_id
             WHERE a.number = '7' AND h.address LIKE '%Серебряная, д. 1%'",
        )
        .await;
        let statement = store.account_statement(account).await.unwrap();
        let m = &statement.months[0];
        let line = m.lines.iter().find(|l| l.penalty).expect("a penalty line");
        assert!(line.explanation.contains("Долг за"), "{}", line.explanation);
        assert!(
            line.explanation.contains("9,5 %"),
            "capped at 9.5 %: {}",
            line.explanation
        );
        // it says which days, that the first 30 cost nothing and which key rate was capped
        for part in [
            "первые 30 дней просрочки",
            "не оплачено",
            "ставка ограничена; ключевая ставка на",
            "на пени пени не начисляются",
        ] {
            assert!(
                line.explanation.contains(part),
                "{part}: {}",
                line.explanation
            );
        }
        let unpaid: Money = statement.months[..5]
            .iter()
            .map(|m| m.charged + m.penalties)
            .sum();
        assert!(
            statement.balance.0 >= unpaid.0,
            "five unpaid bills: {} < {}",
            statement.balance.label(),
            unpaid.label()
        );
        // nobody who always paid on time has a penalty
        let zhitel = demo_ids(&store).await.1;
        let s = store.account_statement(zhitel).await.unwrap();
        assert!(s.months.iter().all(|m| m.penalties == Money::ZERO));
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    due_dates_follow_the_working_day_calendar_the_accountant_edits,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let (_, account, accountant) = demo_ids(&store).await;
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let period = |s| Period::parse(s).unwrap();
        // 10.01.2026 falls in the January holidays: the first working day is the 12th
        assert_eq!(
            store.due_date(period("2025-12")).await.unwrap(),
            day(2026, 1, 12)
        );
        // 15.08.2026 is a Saturday
        assert_eq!(
            store.due_date(period("2026-07")).await.unwrap(),
            day(2026, 8, 17)
        );
        // 10.11.2025 is a plain Monday
        assert_eq!(
            store.due_date(period("2025-10")).await.unwrap(),
            day(2025, 11, 10)
        );
        // the accountant marks 17.08.2026 a day off: the date moves on; a working Saturday back
        store
            .set_calendar_day(accountant, day(2026, 8, 17), Some(false), "проверка")
            .await
            .unwrap();
        assert_eq!(
            store.due_date(period("2026-07")).await.unwrap(),
            day(2026, 8, 18)
        );
        store
            .set_calendar_day(accountant, day(2026, 8, 15), Some(true), "рабочая суббота")
            .await
            .unwrap();
        assert_eq!(
            store.due_date(period("2026-07")).await.unwrap(),
            day(2026, 8, 15)
        );
        for d in [day(2026, 8, 15), day(2026, 8, 17)] {
            store
                .set_calendar_day(accountant, d, None, "")
                .await
                .unwrap();
        }
        assert_eq!(
            store.due_date(period("2026-07")).await.unwrap(),
            day(2026, 8, 17)
        );
        // what the plain week already says, or a day without its reason, is refused
        for (d, working, note) in [
            (day(2026, 8, 16), Some(false), "воскресенье"),
            (day(2026, 8, 18), Some(true), "вторник"),
            (day(2026, 8, 18), Some(false), " "),
        ] {
            let refused = store.set_calendar_day(accountant, d, working, note).await;
            assert!(
                matches!(refused, Err(AppError::Invalid(_))),
                "{d} {refused:?}"
            );
        }
        // the rule tables show the calendar and the 2022 moratorium's scope
        let tables = store.rule_tables_view().await.unwrap();
        assert!(
            tables
                .calendar
                .iter()
                .any(|c| c.day == day(2026, 1, 9) && !c.working)
        );
        assert!(
            tables
                .calendar
                .iter()
                .any(|c| c.day == day(2025, 11, 1) && c.working)
        );
        let moratorium = tables
            .penalty_rules
            .iter()
            .find(|r| r.valid_from == day(2022, 4, 1))
            .unwrap();
        assert_eq!(moratorium.debts_due_before, Some(day(2022, 4, 1)));
        assert!(moratorium.note.contains("497"), "{}", moratorium.note);
        assert!(
            !tables
                .penalty_rules
                .iter()
                .any(|r| r.note.contains("проверить"))
        );
        // the account's statement shows the moved date, and a month that charged nothing none
        let statement = store.account_statement(account).await.unwrap();
        for m in &statement.months {
            assert_eq!(m.due_on, store.due_date(m.period).await.unwrap());
        }
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    a_posted_period_cannot_change,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let (house, _, accountant) = demo_ids(&store).await;
        let period = last_billed();
        let again = store.start_accrual(Some(accountant), house, period).await;
        assert!(
            matches!(again, Err(AppError::Invalid(ref m)) if m.contains("проведён")),
            "{again:?}"
        );
        let earlier = store
            .start_accrual(Some(accountant), house, period.plus(-3))
            .await;
        assert!(matches!(earlier, Err(AppError::Invalid(_))), "{earlier:?}");
        let service = scalar(
            &store,
            &format!("SELECT MIN(id) FROM services WHERE house_id = {house}"),
        )
        .await;
        let tariff = store
            .set_tariff(
                Some(accountant),
                service,
                period.first_day(),
                1,
                Decimal::new(9999, 2),
            )
            .await;
        assert!(
            matches!(tariff, Err(AppError::Invalid(ref m)) if m.contains("проведён")),
            "{tariff:?}"
        );
        // the ledger itself refuses changes and deletions
        assert!(
            execute(&store, "UPDATE ledger SET amount = amount + 1")
                .await
                .is_err()
        );
        assert!(execute(&store, "DELETE FROM ledger").await.is_err());
        // posting closes the readings period too
        let closed = scalar(
            &store,
            &format!("SELECT COUNT(*) FROM reading_periods_closed WHERE house_id = {house} AND period = '{period}'"),
        )
        .await;
        assert_eq!(closed, 1);
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    a_draft_run_again_replaces_itself_and_a_failed_post_leaves_nothing,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let (house, account, accountant) = demo_ids(&store).await;
        let period = last_billed().plus(1);
        let run = store
            .accrue_now(Some(accountant), house, period)
            .await
            .unwrap();
        let lines = |store: Store| async move {
            scalar(
                &store,
                &format!("SELECT COUNT(*) FROM accrual_lines WHERE run_id = {run}"),
            )
            .await
        };
        let first = lines(store.clone()).await;
        assert!(first > 0);
        let again = store
            .accrue_now(Some(accountant), house, period)
            .await
            .unwrap();
        assert_eq!(again, run, "the same run");
        assert_eq!(lines(store.clone()).await, first, "replaced, not added to");
        // a post that fails half-way (a trigger refuses one account's entry) writes nothing
        let boom = match backend {
            Backend::Sqlite => vec![format!(
                "CREATE TRIGGER boom BEFORE INSERT ON ledger WHEN NEW.account_id = {account}
                 BEGIN SELECT RAISE(ABORT, 'boom'); END"
            )],
            Backend::Postgres => vec![
                format!(
                    "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN IF NEW.account_id = {account} THEN RAISE EXCEPTION 'boom'; END IF;
                     RETURN NEW; END $$"
                ),
                "CREATE TRIGGER boom BEFORE INSERT ON ledger FOR EACH ROW EXECUTE FUNCTION boom()"
                    .into(),
            ],
        };
        for sql in &boom {
            execute(&store, sql).await.unwrap();
        }
        let before = scalar(&store, "SELECT COUNT(*) FROM ledger").await;
        assert_eq!(
            store.post_accrual(accountant, run).await,
            Err(AppError::Internal)
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM ledger").await,
            before,
            "nothing half-posted"
        );
        assert_eq!(
            store.accrual_run(run).await.unwrap().status,
            RunStatus::Draft
        );
        execute(&store, "DROP TRIGGER boom ON ledger").await.ok();
        execute(&store, "DROP TRIGGER boom").await.ok();
        let posted = store.post_accrual(accountant, run).await.unwrap();
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM ledger").await,
            before + posted as i64
        );
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    a_killed_compute_is_computed_again_to_the_same_draft,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let (house, _, accountant) = demo_ids(&store).await;
        let period = last_billed().plus(1);
        let run = store
            .accrue_now(Some(accountant), house, period)
            .await
            .unwrap();
        let clean: Vec<(i64, Option<i64>, i64)> = with_db!(&store.db, |pool| {
            sqlx::query_as(
            "SELECT account_id, service_id, amount FROM accrual_lines WHERE run_id = $1 ORDER BY id"
        )
        .bind(run)
        .fetch_all(pool)
        .await
        })
        .unwrap();
        // the process dies while computing: the task is dropped at some await point
        let task = {
            let store = store.clone();
            tokio::spawn(async move { store.compute_accrual(run).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        task.abort();
        let _ = task.await;
        // posting a half-computed run is refused
        let status = store.accrual_run(run).await.unwrap().status;
        if status != RunStatus::Draft {
            assert!(matches!(
                store.post_accrual(accountant, run).await,
                Err(AppError::Invalid(_))
            ));
        }
        // the retry computes the same draft
        store.compute_accrual(run).await.unwrap();
        let again: Vec<(i64, Option<i64>, i64)> = with_db!(&store.db, |pool| {
            sqlx::query_as(
            "SELECT account_id, service_id, amount FROM accrual_lines WHERE run_id = $1 ORDER BY id"
        )
        .bind(run)
        .fetch_all(pool)
        .await
        })
        .unwrap();
        assert_eq!(again, clean);
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    the_job_computes_with_progress_and_explains_a_missing_tariff,
    |backend: Backend| async move {
        let Some(db) = TestDb::new(backend).await else {
            return;
        };
        let store = db.store().await;
        store
            .load_register(&server::demo::register().await.unwrap())
            .await
            .unwrap();
        let (house, account, accountant) = demo_ids(&store).await;
        let service = |name: &str, basis| NewService {
            house_id: house,
            name: name.into(),
            basis,
            resource: None,
            section: Section::Housing,
        };
        let upkeep = store
            .add_service(Some(accountant), &service("Содержание", Basis::Area))
            .await
            .unwrap();
        let intercom = store
            .add_service(Some(accountant), &service("Домофон", Basis::Fixed))
            .await
            .unwrap();
        store
            .set_tariff(
                Some(accountant),
                upkeep,
                day(2026, 1, 1),
                1,
                Decimal::new(3215, 2),
            )
            .await
            .unwrap();
        let period = Period {
            year: 2026,
            month: 3,
        };
        // the intercom has no price yet: the run fails with the reason
        let run = store
            .start_accrual(Some(accountant), house, period)
            .await
            .unwrap();
        let worker = server::worker::Worker::new(
            store.clone(),
            server::worker::Senders::from_settings(
                &store,
                &server::config::Settings::from_lookup(|_| None).unwrap(),
            )
            .await
            .unwrap(),
            "test".into(),
        );
        worker.clone().tick().await;
        let failed = store.accrual_run(run).await.unwrap();
        assert_eq!(failed.status, RunStatus::Failed);
        assert!(failed.error.unwrap().contains("Домофон"));
        store
            .set_tariff(
                Some(accountant),
                intercom,
                day(2026, 2, 1),
                1,
                Decimal::new(6500, 2),
            )
            .await
            .unwrap();
        store
            .start_accrual(Some(accountant), house, period)
            .await
            .unwrap();
        worker.clone().tick().await;
        let done = store.accrual_run(run).await.unwrap();
        assert_eq!(done.status, RunStatus::Draft);
        assert_eq!(done.done, done.total);
        assert!(done.total > 0);
        // area 54,30 m²? whatever the flat's area: quantity × 32,15 rounded half up
        let (quantity, amount): (String, i64) = with_db!(&store.db, |pool| sqlx::query_as(
            "SELECT quantity, amount FROM accrual_lines WHERE run_id = $1 AND account_id = $2 AND service_id = $3"
        )
        .bind(run)
        .bind(account)
        .bind(upkeep)
        .fetch_one(pool)
        .await)
        .unwrap();
        let exact = quantity.parse::<Decimal>().unwrap() * Decimal::new(3215, 2);
        assert_eq!(Money(amount), app::billing::rules::to_kopecks(exact));
        // a payment recorded twice counts once
        let pay = NewPayment {
            account_id: account,
            on: day(2026, 4, 3),
            amount: Money(10_000),
            reason: "test".into(),
            source_key: "bank:1".into(),
        };
        assert_eq!(
            store
                .record_payments(None, &[pay.clone(), pay.clone()])
                .await
                .unwrap(),
            1
        );
        assert_eq!(store.record_payments(None, &[pay]).await.unwrap(), 0);
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    the_bill_qr_decodes_to_every_field,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let (_, account, _) = demo_ids(&store).await;
        let data = store.bill_data(account, last_billed()).await.unwrap();
        let pdf = bill::render(&data);
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let dir =
            std::env::temp_dir().join(format!("klyuch-bill-{}-{:?}", std::process::id(), backend));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bill.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let png = dir.join("page");
        let status = std::process::Command::new("pdftoppm")
            .args(["-r", "150", "-png", "-singlefile"])
            .arg(&path)
            .arg(&png)
            .status()
            .expect("pdftoppm (poppler-utils, installed by make setup-test)");
        assert!(status.success());
        let out = std::process::Command::new("zbarimg")
            .args(["--raw", "-q", "-Sbinary"])
            .arg(dir.join("page.png"))
            .output()
            .expect("zbarimg (zbar-tools, installed by make setup-test)");
        assert!(out.status.success(), "a QR code was found");
        let decoded = String::from_utf8(out.stdout).unwrap();
        let decoded = decoded.trim_end_matches('\n');
        assert_eq!(decoded, data.qr_payload());
        let fields: HashMap<&str, &str> = decoded
            .split('|')
            .skip(1)
            .filter_map(|kv| kv.split_once('='))
            .collect();
        assert!(decoded.starts_with("ST00012|Name="));
        // the payee is the demo association itself, from the organisation's one record
        assert_eq!(fields["Name"], server::demo::ASSOCIATION);
        assert_eq!(fields["PersonalAcc"], data.payee.account);
        assert_eq!(fields["BIC"], "044525225");
        assert_eq!(fields["CorrespAcc"], "30101810400000000225");
        assert_eq!(fields["PayeeINN"], data.payee.inn);
        assert_eq!(fields["PersAcc"], data.account_number);
        assert_eq!(fields["Sum"], data.to_pay().0.to_string());
        assert_eq!(
            fields["Sum"],
            data.month.closing.0.to_string(),
            "zhitel owes the month"
        );
        let p = last_billed();
        assert_eq!(fields["PaymPeriod"], format!("{:02}{}", p.month, p.year));
        assert_eq!(fields["LastName"], "Смирнов");
        assert_eq!(fields["Flat"], "12");
        assert_eq!(fields["TechCode"], "02");
        // the text is real text with Cyrillic (ToUnicode): pdftotext reads it back
        if let Ok(text) = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
        {
            let text = String::from_utf8_lossy(&text.stdout);
            assert!(text.contains("ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ"), "{text}");
            assert!(text.contains("Холодное водоснабжение"));
        }
        let _ = std::fs::remove_dir_all(&dir);
        store.db.close().await;
        db.drop().await;
    }
);

/// The first period the demo computed for a house: imported history must end before it.
async fn first_posted(store: &Store, house: i64) -> Period {
    let first: String = with_db!(&store.db, |pool| sqlx::query_scalar(
        "SELECT MIN(period) FROM accrual_runs WHERE house_id = $1 AND status = 'posted'"
    )
    .bind(house)
    .fetch_one(pool)
    .await)
    .unwrap();
    Period::parse(&first).unwrap()
}

both_backends!(
    accounts_and_history_import_all_or_nothing_and_never_twice,
    |backend: Backend| async move {
        let Some((_db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let (house, _, accountant) = demo_ids(&store).await;
        let first = first_posted(&store, house).await;
        let opening_on = first.plus(-2).first_day();
        let accounts_before = scalar(&store, "SELECT COUNT(*) FROM accounts").await;
        let ledger_before = scalar(&store, "SELECT COUNT(*) FROM ledger").await;

        // one bad row (a share for a tenant) and nothing is written, not even the good rows
        let header = "лицевой счёт;квартира;подъезд;этаж;площадь;открыт;ФИО;телефон;e-mail;отношение;доля;проживает с;сальдо;сальдо на\n";
        let good = format!(
            "И-901;901;1;9;54,3;01.01.2020;Орлов Пётр;+7 912 100-20-01;;собственник;1/2;;2 418,70;{on}\n\
             И-901;;;;;;Орлова Анна;;;собственник;1/2;;;\n\
             И-902;902;7;9;38,1;01.01.2020;Ким Сергей;;;наниматель;;;-350,00;{on}\n",
            on = opening_on.format("%d.%m.%Y")
        );
        let bad =
            format!("{header}{good}И-903;903;1;9;40;01.01.2020;Сидоров;;;наниматель;1/3;;;\n");
        let report = store
            .import_accounts(accountant, house, bad.as_bytes(), true)
            .await
            .unwrap();
        assert!(!report.saved);
        assert_eq!(report.rows, 4);
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert!(
            report.errors[0].starts_with("Строка 5:"),
            "{}",
            report.errors[0]
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM accounts").await,
            accounts_before
        );

        // an opening balance inside the months Ключ already computed is refused
        let late = format!(
            "{header}И-904;904;1;9;40;01.01.2020;;;;;;;100;{}\n",
            first.plus(1).first_day().format("%d.%m.%Y")
        );
        let report = store
            .import_accounts(accountant, house, late.as_bytes(), true)
            .await
            .unwrap();
        assert!(
            report.errors[0].contains("уже ведутся в Ключе"),
            "{:?}",
            report.errors
        );

        // the preview says what will happen and writes nothing; the load writes it all
        let file = format!("{header}{good}");
        let preview = store
            .import_accounts(accountant, house, file.as_bytes(), false)
            .await
            .unwrap();
        assert!(!preview.saved && preview.errors.is_empty());
        assert!(preview.notes[0].contains("2 новых"), "{:?}", preview.notes);
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM accounts").await,
            accounts_before
        );
        let loaded = store
            .import_accounts(accountant, house, file.as_bytes(), true)
            .await
            .unwrap();
        assert!(loaded.saved, "{:?}", loaded.errors);
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM accounts").await,
            accounts_before + 2
        );
        let orlov = scalar(&store, "SELECT id FROM accounts WHERE number = 'И-901'").await;
        assert_eq!(
            scalar(
                &store,
                &format!(
                    "SELECT COUNT(*) FROM residencies r JOIN accounts c ON c.apartment_id = r.apartment_id
                     WHERE c.id = {orlov} AND r.relation = 'owner' AND r.share_num = 1 AND r.share_den = 2"
                )
            )
            .await,
            2
        );
        // a new entrance was made for the flat in entrance 7
        assert_eq!(
            scalar(
                &store,
                &format!("SELECT COUNT(*) FROM entrances WHERE house_id = {house} AND number = 7")
            )
            .await,
            1
        );
        // loading the same file again adds nothing
        let again = store
            .import_accounts(accountant, house, file.as_bytes(), true)
            .await
            .unwrap();
        assert!(
            again.notes[0].contains("2 уже загружены"),
            "{:?}",
            again.notes
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM accounts").await,
            accounts_before + 2
        );

        // history: charges, a penalty, a recalculation and payments before the first computed month
        let (p1, p2) = (first.plus(-2), first.plus(-1));
        let paid_on = p2.day(10);
        let history = format!(
            "лицевой счёт;период;вид;услуга;сумма;дата\n\
             И-901;{p1};начисление;Содержание и ремонт жилого помещения;4 812,35;\n\
             И-901;{p2};начисление;;4 930,10;\n\
             И-901;{p2};пени;;12,40;\n\
             И-901;;оплата;;2 418,70;{paid}\n\
             И-902;{p2};перерасчёт;;-210,00;\n\
             И-902;{p2};начисление;;100,00;\n\
             И-902;{p2};начисление;;100,00;\n",
            paid = paid_on.format("%d.%m.%Y")
        );
        let today = app::clock::today();
        let wrong = format!(
            "{history}И-999;{p2};начисление;;1;\nИ-901;{first};начисление;;1;\nИ-901;{p2};начисление;Баня;1;\n"
        );
        let report = store
            .import_history(accountant, house, wrong.as_bytes(), today, true)
            .await
            .unwrap();
        assert!(!report.saved);
        assert_eq!(report.errors.len(), 3, "{:?}", report.errors);
        assert!(report.errors[0].contains("И-999"), "{}", report.errors[0]);
        assert!(
            report.errors[1].contains("ведутся в Ключе"),
            "{}",
            report.errors[1]
        );
        assert!(report.errors[2].contains("«Баня»"), "{}", report.errors[2]);
        let ledger_with_openings = ledger_before + 2;
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM ledger").await,
            ledger_with_openings
        );
        let report = store
            .import_history(accountant, house, history.as_bytes(), today, true)
            .await
            .unwrap();
        assert!(report.saved, "{:?}", report.errors);
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM ledger").await,
            ledger_with_openings + 7
        );
        // the same file again: nothing twice (two equal rows of one file stay two)
        let again = store
            .import_history(accountant, house, history.as_bytes(), today, true)
            .await
            .unwrap();
        assert!(again.saved);
        assert!(
            again.notes.last().unwrap().contains("7 уже были загружены"),
            "{:?}",
            again.notes
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM ledger").await,
            ledger_with_openings + 7
        );

        // the statement: opening 2 418,70 + 4 812,35 + 4 930,10 + 12,40 − 2 418,70
        let statement = store.account_statement(orlov).await.unwrap();
        assert_eq!(
            statement.balance,
            Money(241_870 + 481_235 + 493_010 + 1_240 - 241_870)
        );
        let month = statement.months.iter().find(|m| m.period == p2).unwrap();
        assert_eq!(month.charged, Money(493_010));
        assert_eq!(month.penalties, Money(1_240));
        assert_eq!(month.paid, Money(241_870));
        let kim = scalar(&store, "SELECT id FROM accounts WHERE number = 'И-902'").await;
        let kim_statement = store.account_statement(kim).await.unwrap();
        assert_eq!(kim_statement.balance, Money(-35_000 - 21_000 + 20_000));
        // the opening balance is owed like the month before its date
        assert!(
            kim_statement.months.iter().any(|m| m.period == p1.plus(-1)
                && m.corrections.iter().any(|c| c.amount == Money(-35_000)))
        );
    }
);

both_backends!(
    a_correction_lands_in_the_first_open_period_with_its_reason,
    |backend: Backend| async move {
        let Some((_db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let (_, account, accountant) = demo_ids(&store).await;
        let before = store.account_statement(account).await.unwrap();
        let today = app::clock::today();
        let short = store
            .add_correction(accountant, account, Money(-100), "нет", today)
            .await
            .unwrap_err();
        assert!(short.to_string().contains("причину"), "{short}");
        assert!(
            store
                .add_correction(accountant, account, Money::ZERO, "ошибка в площади", today)
                .await
                .is_err()
        );
        let period = store
            .add_correction(
                accountant,
                account,
                Money(-35_000),
                "Перерасчёт ХВС: счётчик",
                today,
            )
            .await
            .unwrap();
        // never into a posted period
        assert!(period > last_billed(), "{period} after {}", last_billed());
        let after = store.account_statement(account).await.unwrap();
        assert_eq!(after.balance, before.balance - Money(35_000));
        let month = after.months.iter().find(|m| m.period == period).unwrap();
        assert!(
            month
                .corrections
                .iter()
                .any(|c| c.amount == Money(-35_000) && c.reason == "Перерасчёт ХВС: счётчик")
        );
    }
);

both_backends!(
    staff_edit_the_rule_tables_and_norms_but_never_a_posted_period,
    |backend: Backend| async move {
        use app::billing::types::PenaltyRuleView;
        use app::readings::types::Utility;
        let Some((_db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let (house, _, accountant) = demo_ids(&store).await;
        // a new key rate is used from its date; a nonsense one is refused
        store
            .set_key_rate(accountant, day(2027, 2, 15), Decimal::new(145, 1))
            .await
            .unwrap();
        assert!(
            store
                .set_key_rate(accountant, day(2027, 3, 1), Decimal::from(250))
                .await
                .is_err()
        );
        let tables = store.rule_tables_view().await.unwrap();
        assert_eq!(
            tables.key_rates[0],
            (day(2027, 2, 15), Decimal::new(145, 1))
        );
        // a moratorium and a cap
        store
            .add_penalty_rule(
                accountant,
                &PenaltyRuleView {
                    valid_from: day(2027, 4, 1),
                    valid_to: day(2027, 9, 30),
                    cap: None,
                    debts_due_before: Some(day(2027, 4, 1)),
                    note: "Постановление (проверка)".into(),
                },
            )
            .await
            .unwrap();
        assert!(
            store
                .add_penalty_rule(
                    accountant,
                    &PenaltyRuleView {
                        valid_from: day(2027, 4, 1),
                        valid_to: day(2027, 3, 1),
                        cap: Some(Decimal::new(95, 1)),
                        debts_due_before: None,
                        note: "x".into(),
                    },
                )
                .await
                .is_err()
        );
        let tables = store.rule_tables_view().await.unwrap();
        assert_eq!(tables.penalty_rules[0].cap, None);
        assert_eq!(tables.penalty_rules[0].valid_to, day(2027, 9, 30));
        assert_eq!(
            tables.penalty_rules[0].debts_due_before,
            Some(day(2027, 4, 1))
        );
        // the due day of later periods
        let later = Period::parse("2027-06").unwrap();
        store
            .set_due_day(accountant, later, 20, "договор управления")
            .await
            .unwrap();
        assert_eq!(store.due_date(later).await.unwrap(), day(2027, 7, 20));
        assert_eq!(
            store.due_date(later.plus(-1)).await.unwrap(),
            day(2027, 6, 15)
        );
        assert!(store.set_due_day(accountant, later, 30, "x").await.is_err());
        // norms: not inside a posted period; from the next one, audited
        let refused = store
            .ensure_open(house, last_billed().first_day())
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("уже проведён"), "{refused}");
        let next = last_billed().plus(1).first_day();
        store.ensure_open(house, next).await.unwrap();
        store
            .set_norm(
                Some(accountant),
                house,
                Utility::ColdWater,
                next,
                Decimal::new(7, 0),
                false,
            )
            .await
            .unwrap();
        let tariffs = store.house_tariffs(house).await.unwrap();
        assert!(
            tariffs
                .norms
                .iter()
                .any(|n| n.resource == Utility::ColdWater && n.valid_from == next)
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action IN ('set_key_rate', 'add_penalty_rule', 'set_due_day', 'set_norm')").await,
            4 + scalar(&store, "SELECT COUNT(*) FROM audit_log WHERE action = 'set_norm' AND actor_user_id IS NULL").await
        );
    }
);

both_backends!(
    a_run_of_several_steps_charges_every_account_from_its_own_volumes,
    |backend: Backend| async move {
        use app::billing::types::Utility;
        use app::readings::store::PastReading;
        use app::readings::types::NewMeter;
        use app::readings::types::Source;
        let Some(db) = TestDb::new(backend).await else {
            return;
        };
        let store = db.store().await;
        // more accounts than one step (1 000): the second step's volumes are read on their own
        const FLATS: usize = 1_250;
        store
            .load_register(&server::demo::filler_house(0, FLATS, None))
            .await
            .unwrap();
        let house = store.houses().await.unwrap()[0].id;
        let flats = store.house_apartments(house).await.unwrap();
        let period = Period {
            year: 2026,
            month: 6,
        };
        let reading = |month, litres: i64| PastReading {
            period: Period { year: 2026, month },
            taken_on: day(2026, month, 22),
            values: vec![Decimal::new(litres, 3)],
            source: Source::Cabinet,
        };
        let meter = |apartment_id, resource: Utility, serial: String| NewMeter {
            house_id: house,
            apartment_id,
            resource,
            serial,
            zones: 1,
            place: String::new(),
            installed_on: day(2025, 12, 5),
            verified_until: day(2031, 1, 1),
            seal: String::new(),
            initial: vec![Decimal::ZERO],
        };
        // flat i used (i % 9 + 1) m³ of cold water in June and twice that of hot; the
        // building's cold-water meter counted 100 m³ more than the flats' (ОДН reads cold
        // water for the whole house, hot water is read step by step)
        let used = |i: usize| (i % 9 + 1) as i64 * 1000;
        let mut meters = Vec::new();
        for (i, (flat, ..)) in flats.iter().enumerate() {
            for (resource, litres) in [
                (Utility::ColdWater, used(i)),
                (Utility::HotWater, 2 * used(i)),
            ] {
                meters.push((
                    meter(
                        Some(*flat),
                        resource,
                        format!("{}-{flat}", resource.as_str()),
                    ),
                    vec![reading(5, 50_000), reading(6, 50_000 + litres)],
                ));
            }
        }
        let all: i64 = (0..flats.len()).map(used).sum();
        meters.push((
            meter(None, Utility::ColdWater, "ОДПУ-ХВС".into()),
            vec![reading(5, 1_000_000), reading(6, 1_000_000 + all + 100_000)],
        ));
        store.load_meters(&meters).await.unwrap();
        for service in [
            ("ХВС", Basis::Metered, Some(Utility::ColdWater)),
            ("ГВС", Basis::Metered, Some(Utility::HotWater)),
            ("ХВС на ОДН", Basis::CommonArea, Some(Utility::ColdWater)),
            ("ТКО", Basis::Person, None),
        ] {
            server::demo::priced_service(&store, house, service, day(2026, 1, 1), &["50"])
                .await
                .unwrap();
        }
        let run = store.accrue_now(None, house, period).await.unwrap();
        let lines: Vec<(String, String, String, i64)> = with_db!(&store.db, |pool| {
            sqlx::query_as(
                "SELECT a.number, s.name, l.quantity, l.amount FROM accrual_lines l
                 JOIN accounts c ON c.id = l.account_id JOIN apartments a ON a.id = c.apartment_id
                 JOIN services s ON s.id = l.service_id WHERE l.run_id = $1",
            )
            .bind(run)
            .fetch_all(pool)
            .await
        })
        .unwrap();
        assert_eq!(lines.len(), FLATS * 4, "every account, every service");
        let mut common_area = 0;
        for (number, service, quantity, amount) in &lines {
            let i = flats
                .iter()
                .position(|f| f.1 == *number)
                .expect("a flat of the house");
            match service.as_str() {
                "ХВС" => {
                    assert_eq!(quantity, &(used(i) / 1000).to_string(), "flat {number}");
                    assert_eq!(*amount, used(i) / 1000 * 5000, "flat {number}");
                }
                "ГВС" => assert_eq!(quantity, &(2 * used(i) / 1000).to_string(), "{number}"),
                "ТКО" => assert_eq!(quantity, "1", "flat {number}"),
                _ => common_area += amount,
            }
        }
        // the building's 100 m³ over the flats, priced once and split to the kopeck
        assert_eq!(common_area, 100 * 5000);
        db.drop().await;
    }
);

// HTTP: the real server on a random port, driven like a browser would drive it.

both_backends!(
    charges_bills_and_the_turnover_sheet_only_for_those_allowed,
    |backend: Backend| async move {
        use app::billing::api::*;
        use app::billing::types::{AccountStatement, AccrualPage};
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let flat_account = |flat: &'static str| {
            let store = app.store.clone();
            async move {
                app::with_db!(&store.db, |pool| sqlx::query_scalar::<_, i64>(
                    "SELECT c.id FROM accounts c JOIN apartments a ON a.id = c.apartment_id
                     JOIN houses h ON h.id = a.house_id
                     WHERE h.address LIKE '%Серебряная, д. 1%' AND a.number = $1"
                )
                .bind(flat)
                .fetch_one(pool)
                .await)
                .unwrap()
            }
        };
        let (mine, theirs) = (flat_account("12").await, flat_account("13").await);
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let dispatcher = app.signed_in(logins::DISPATCHER).await;

        // the resident's own statement and bill
        let statement: AccountStatement = app
            .call(
                &zhitel,
                path::<LoadAccountStatement>(),
                &[("account_id", &mine.to_string())],
            )
            .await
            .json()
            .await
            .unwrap();
        let period = statement.months[0].period.to_string();
        let bill = zhitel
            .get(format!(
                "{}/cabinet/bill?account={mine}&period={period}",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(bill.status(), StatusCode::OK);
        assert_eq!(bill.headers()["content-type"], "application/pdf");
        assert!(bill.bytes().await.unwrap().starts_with(b"%PDF"));
        // … but never the neighbour's
        let (status, _) = error_of(
            app.call(
                &zhitel,
                path::<LoadAccountStatement>(),
                &[("account_id", &theirs.to_string())],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let other = zhitel
            .get(format!(
                "{}/cabinet/bill?account={theirs}&period={period}",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::FORBIDDEN);
        let month_without = zhitel
            .get(format!(
                "{}/cabinet/bill?account={mine}&period=2019-01",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(month_without.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            month_without
                .text()
                .await
                .unwrap()
                .contains("начислений нет")
        );

        // the accrual page, runs and the turnover sheet: the accountant, not residents or the dispatcher
        let house = app.store.houses().await.unwrap()[0].id.to_string();
        let page: AccrualPage = app
            .call(
                &accountant,
                path::<LoadAccrualPage>(),
                &[("house_id", &house), ("period", &period)],
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            page.run.map(|r| r.status),
            Some(app::billing::types::RunStatus::Posted)
        );
        assert!(page.totals.iter().any(|t| t.current.0 > 0));
        for client in [&zhitel, &dispatcher] {
            let (status, _) = error_of(
                app.call(
                    client,
                    path::<StartAccrualRun>(),
                    &[("house_id", &house), ("period", &period)],
                )
                .await,
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let sheet = client
                .get(format!(
                    "{}/staff/billing/turnover?house={house}&period={period}",
                    app.base
                ))
                .send()
                .await
                .unwrap();
            assert_eq!(sheet.status(), StatusCode::FORBIDDEN);
        }
        let (status, error) = error_of(
            app.call(
                &accountant,
                path::<StartAccrualRun>(),
                &[("house_id", &house), ("period", &period)],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "posted: {error}");
        let sheet = accountant
            .get(format!(
                "{}/staff/billing/turnover?house={house}&period={period}",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(sheet.status(), StatusCode::OK);
        let bytes = sheet.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "an XLSX (zip) file");
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        use calamine::Reader;
        let range = workbook.worksheet_range("ОСВ").unwrap();
        assert!(range.height() > 50, "a row per account");
        // the next period runs as a job and the page shows its progress
        let next = statement.months[0].period.plus(1).to_string();
        let run: i64 = app
            .call(
                &accountant,
                path::<StartAccrualRun>(),
                &[("house_id", &house), ("period", &next)],
            )
            .await
            .json()
            .await
            .unwrap();
        let mut status = None;
        for _ in 0..100 {
            let view: app::billing::types::RunView = app
                .call(
                    &accountant,
                    path::<LoadAccrualRun>(),
                    &[("run_id", &run.to_string())],
                )
                .await
                .json()
                .await
                .unwrap();
            if !view.status.in_progress() {
                status = Some(view);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let view = status.expect("the worker computed the run");
        assert_eq!(view.status, app::billing::types::RunStatus::Draft);
        assert_eq!(view.done, view.total);
        app.stop().await;
    }
);

both_backends!(
    house_bills_and_imports_are_the_accountants,
    |backend: Backend| async move {
        use app::billing::api::*;
        use app::billing::types::{BatchStatus, BatchView};
        use app::sheet::ImportReport;
        use base64::Engine;
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let house = app.store.houses().await.unwrap()[0].id.to_string();
        let period: String = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(
            "SELECT MAX(period) FROM accrual_runs WHERE status = 'posted'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();

        // the accountant makes the house's bills as a job and downloads the ZIP
        let form = [("house_id", house.as_str()), ("period", period.as_str())];
        let (status, _) = error_of(app.call(&zhitel, path::<StartBillBatch>(), &form).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let batch: i64 = app
            .call(&accountant, path::<StartBillBatch>(), &form)
            .await
            .json()
            .await
            .unwrap();
        let mut done = None;
        for _ in 0..300 {
            let list: Vec<BatchView> = app
                .call(
                    &accountant,
                    path::<LoadBillBatches>(),
                    &[("house_id", &house)],
                )
                .await
                .json()
                .await
                .unwrap();
            let b = list.into_iter().find(|b| b.id == batch).unwrap();
            if !b.status.in_progress() {
                done = Some(b);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let done = done.expect("the worker made the bills");
        assert_eq!(done.status, BatchStatus::Done, "{:?}", done.error);
        assert_eq!(done.notified, 0, "not asked to e-mail");
        let url = format!("{}/staff/billing/bills?batch={batch}", app.base);
        assert_eq!(
            zhitel.get(&url).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        let zip = accountant.get(&url).send().await.unwrap();
        assert_eq!(zip.status(), StatusCode::OK);
        let bytes = zip.bytes().await.unwrap();
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(archive.len() as i64, done.total);
        // the ZIP is not reachable as a plain file
        let under_files = app
            .client()
            .get(format!("{}/files/bills/", app.base))
            .send()
            .await
            .unwrap();
        assert_ne!(under_files.status(), StatusCode::OK);

        // the import: only the accountant; a bad row is reported by line and nothing is saved
        let content = |text: &str| {
            format!(
                "data:text/csv;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(text)
            )
        };
        let file = content(
            "лицевой счёт;квартира;подъезд;этаж;площадь;открыт\nН-1;501;1;1;40;01.01.2020\nН-2;;1;1;;01.01.2020\n",
        );
        let form = [
            ("house_id", house.as_str()),
            ("what", "accounts"),
            ("content", file.as_str()),
            ("commit", "1"),
        ];
        let (status, _) = error_of(app.call(&zhitel, path::<ImportBilling>(), &form).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let report: ImportReport = app
            .call(&accountant, path::<ImportBilling>(), &form)
            .await
            .json()
            .await
            .unwrap();
        assert!(!report.saved);
        assert_eq!(report.errors.len(), 1);
        assert!(
            report.errors[0].starts_with("Строка 3: не указана квартира"),
            "{:?}",
            report.errors
        );

        // the sample files the page links to are valid for the import's preview
        let sample = accountant
            .get(format!("{}/staff/billing/sample?name=accounts", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(sample.status(), StatusCode::OK);
        let sample = content(&sample.text().await.unwrap());
        let report: ImportReport = app
            .call(
                &accountant,
                path::<ImportBilling>(),
                &[
                    ("house_id", house.as_str()),
                    ("what", "accounts"),
                    ("content", sample.as_str()),
                ],
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(
            report.errors.is_empty() && !report.saved,
            "{:?}",
            report.errors
        );
        assert_eq!(report.rows, 5);
        app.stop().await;
    }
);
