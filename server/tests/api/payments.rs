//! Bank statements on SQLite and PostgreSQL: the real-world sample credits its two incoming
//! payments and skips the outgoing ones, the same file twice credits nothing twice, a broken
//! file saves nothing, the accountant's queue (suggestions, assign, dismiss, refusals, audit),
//! a payer learned from an earlier payment, and the month's register with its 1С file, XLSX
//! and CSV read back.

use chrono::NaiveDate;

use crate::common::{Backend, TestApp, account_id, error_of, path, sandbox_path, scalar, text};
use app::billing::types::{Money, Period};
use app::db::Store;
use app::payments::rules::parse_statement;
use app::payments::types::MatchRule;
use app::with_db;
use reqwest::StatusCode;
use server::demo::logins;

const SAMPLE: &[u8] = include_bytes!("../../../docs/samples/bank-statement-cp1251.txt");
const OUR_ACCOUNT: &str = "40702810801500116391";

async fn scalar_text(store: &Store, sql: &str) -> String {
    with_db!(&store.db, |pool| sqlx::query_scalar::<_, String>(sql)
        .fetch_one(pool)
        .await)
    .unwrap()
}

async fn accountant(store: &Store) -> i64 {
    store
        .credentials(logins::ACCOUNTANT)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn balance(store: &Store, account_id: i64) -> i64 {
    scalar(
        store,
        &format!("SELECT COALESCE(CAST(SUM(amount) AS BIGINT), 0) FROM ledger WHERE account_id = {account_id}"),
    )
    .await
}

/// zhitel's account in «Серебряная, д. 1», flat 12: (account id, number, house id).
async fn zhitel_account(store: &Store) -> (i64, String, i64) {
    let id = scalar(
        store,
        "SELECT c.id FROM accounts c JOIN apartments a ON a.id = c.apartment_id
         JOIN houses h ON h.id = a.house_id
         WHERE h.address LIKE '%Серебряная, д. 1%' AND a.number = '12'",
    )
    .await;
    let number = scalar_text(
        store,
        &format!("SELECT number FROM accounts WHERE id = {id}"),
    )
    .await;
    let house = scalar(
        store,
        &format!("SELECT a.house_id FROM accounts c JOIN apartments a ON a.id = c.apartment_id WHERE c.id = {id}"),
    )
    .await;
    (id, number, house)
}

/// An incoming document of a statement to `OUR_ACCOUNT`.
struct Doc<'a> {
    number: &'a str,
    date: &'a str,
    sum: &'a str,
    payer: &'a str,
    payer_account: &'a str,
    code: &'a str,
    purpose: &'a str,
}

fn statement(docs: &[Doc]) -> Vec<u8> {
    let mut s = format!(
        "1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\nОтправитель=Банк\r\n\
         ДатаНачала=01.10.2026\r\nДатаКонца=31.10.2026\r\nРасчСчет={OUR_ACCOUNT}\r\n"
    );
    for d in docs {
        s.push_str(&format!(
            "СекцияДокумент=Платежное поручение\r\nНомер={}\r\nДата={}\r\nСумма={}\r\n\
             ПлательщикСчет={}\r\nПлательщик1={}\r\nПолучательСчет={OUR_ACCOUNT}\r\n\
             ДатаПоступило={}\r\nКод={}\r\nНазначениеПлатежа={}\r\nКонецДокумента\r\n",
            d.number, d.date, d.sum, d.payer_account, d.payer, d.date, d.code, d.purpose
        ));
    }
    s.push_str("КонецФайла\r\n");
    encoding_rs::WINDOWS_1251.encode(&s).0.into_owned()
}

both_backends!(
    the_sample_credits_its_two_payments_once,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let actor = accountant(&store).await;
        let (zhitel, _, _) = zhitel_account(&store).await;
        let other = scalar(
            &store,
            &format!("SELECT MIN(id) FROM accounts WHERE id <> {zhitel}"),
        )
        .await;
        // the sample's payers name accounts 50133547364 (in `Код`) and 1234567 (in the purpose)
        with_db!(&store.db, |pool| async {
            sqlx::query("UPDATE accounts SET number = '50133547364' WHERE id = $1")
                .bind(zhitel)
                .execute(pool)
                .await?;
            sqlx::query("UPDATE accounts SET number = '1234567' WHERE id = $1")
                .bind(other)
                .execute(pool)
                .await
                .map(|_| ())
        }
        .await)
        .unwrap();
        let before = (balance(&store, zhitel).await, balance(&store, other).await);
        let ledger = scalar(&store, "SELECT COUNT(*) FROM ledger").await;
        // the demo's own statements came first
        let bank = scalar(&store, "SELECT COUNT(*) FROM bank_payments").await;
        let posted = scalar(
            &store,
            "SELECT COUNT(*) FROM bank_payments WHERE status = 'posted'",
        )
        .await;
        let statements = scalar(&store, "SELECT COUNT(*) FROM bank_statements").await;
        let audits = scalar(
            &store,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'import_statement'",
        )
        .await;

        // the preview tells and writes nothing
        let preview = store.import_statement(actor, SAMPLE, false).await.unwrap();
        assert!(!preview.saved && preview.errors.is_empty(), "{preview:?}");
        assert_eq!(preview.rows, 4);
        assert!(
            preview
                .notes
                .iter()
                .any(|n| n.contains("поступлений 2 из 4")),
            "{:?}",
            preview.notes
        );
        assert!(
            preview
                .notes
                .iter()
                .any(|n| n.starts_with("Исходящих документов: 2"))
        );
        assert!(
            preview
                .notes
                .iter()
                .any(|n| n.contains("будет автоматически: 2")),
            "{:?}",
            preview.notes
        );
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM ledger").await, ledger);
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM bank_payments").await,
            bank
        );

        let loaded = store.import_statement(actor, SAMPLE, true).await.unwrap();
        assert!(loaded.saved, "{loaded:?}");
        assert_eq!(balance(&store, zhitel).await, before.0 - 105_298);
        let second_sum = scalar(
            &store,
            "SELECT amount FROM bank_payments WHERE doc_key LIKE '2022-%' AND number <> '6032'",
        )
        .await;
        assert_eq!(balance(&store, other).await, before.1 - second_sum);
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM ledger").await,
            ledger + 2
        );
        assert_eq!(
            scalar(
                &store,
                "SELECT COUNT(*) FROM bank_payments WHERE status = 'posted'"
            )
            .await,
            posted + 2
        );
        let entry = scalar_text(
            &store,
            &format!("SELECT reason FROM ledger WHERE account_id = {zhitel} AND kind = 'payment' ORDER BY id DESC LIMIT 1"),
        )
        .await;
        assert_eq!(
            entry,
            "Банк: п/п № 6032 от 15.04.2022, Иванов Иван Иванович"
        );
        assert_eq!(
            scalar(
                &store,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'import_statement'"
            )
            .await,
            audits + 1
        );

        // the same file again: nothing twice
        let again = store.import_statement(actor, SAMPLE, true).await.unwrap();
        assert!(!again.saved);
        assert!(
            again
                .notes
                .iter()
                .any(|n| n.starts_with("Уже загружены раньше: 2")),
            "{:?}",
            again.notes
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM ledger").await,
            ledger + 2
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM bank_statements").await,
            statements + 1
        );

        // a broken file (cut off before its end) is refused with the reason; nothing saved
        let text_of = encoding_rs::WINDOWS_1251.decode(SAMPLE).0.into_owned();
        let cut = &text_of[..text_of.find("КонецФайла").unwrap()];
        let cut = cut.replace("Номер=6032", "Номер=6033");
        let cut = encoding_rs::WINDOWS_1251.encode(&cut).0.into_owned();
        let broken = store.import_statement(actor, &cut, true).await.unwrap();
        assert!(!broken.saved);
        assert!(
            broken.errors.iter().any(|e| e.contains("КонецФайла")),
            "{:?}",
            broken.errors
        );
        let bad_sum = text_of.replace("Сумма=1052.98", "Сумма=1052.98.1");
        let bad_sum = encoding_rs::WINDOWS_1251.encode(&bad_sum).0.into_owned();
        let broken = store.import_statement(actor, &bad_sum, true).await.unwrap();
        assert!(
            broken
                .errors
                .iter()
                .any(|e| e.starts_with("Строка 53: сумма «1052.98.1»")),
            "{:?}",
            broken.errors
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM ledger").await,
            ledger + 2
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM bank_payments").await,
            bank + 2
        );
        db.drop().await;
    }
);

both_backends!(
    the_queue_suggests_and_the_accountant_decides,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let actor = accountant(&store).await;
        let (zhitel, number, house) = zhitel_account(&store).await;
        let surname = scalar_text(
            &store,
            &format!(
                "SELECT p.full_name FROM residencies r JOIN people p ON p.id = r.person_id
                 JOIN accounts c ON c.apartment_id = r.apartment_id
                 WHERE c.id = {zhitel} AND r.status = 'active' ORDER BY r.id LIMIT 1"
            ),
        )
        .await;
        let payer = surname.to_uppercase();
        let file = statement(&[
            Doc {
                number: "101",
                date: "05.10.2026",
                sum: "2500.00",
                payer: &payer,
                payer_account: "40817810500000000012",
                code: "",
                purpose: "Квартплата кв.12 за сентябрь",
            },
            Doc {
                number: "102",
                date: "06.10.2026",
                sum: "100",
                payer: "ООО Ромашка",
                payer_account: "40702810000000000099",
                code: "",
                purpose: "Возврат по договору 7",
            },
            Doc {
                number: "103",
                date: "07.10.2026",
                sum: "10.5",
                payer: "Кто-то",
                payer_account: "40817810000000000555",
                code: "",
                purpose: "за ЖКУ",
            },
        ]);
        let statements_before = store
            .bank_page(app::clock::today())
            .await
            .unwrap()
            .statements
            .len();
        let report = store.import_statement(actor, &file, true).await.unwrap();
        assert!(report.saved, "{report:?}");
        // the demo's statements leave payments in the queue too; these are ours
        let ours = |page: &app::payments::types::BankPage,
                    numbers: &[&str]|
         -> Vec<app::payments::types::QueuedPayment> {
            page.queue
                .iter()
                .filter(|q| numbers.contains(&q.number.as_str()))
                .cloned()
                .collect()
        };
        let page = store.bank_page(app::clock::today()).await.unwrap();
        let queue = ours(&page, &["101", "102", "103"]);
        assert_eq!(queue.len(), 3);
        let first = &queue[0];
        let suggestion = first.suggestion.as_ref().expect("flat 12 and the surname");
        assert_eq!(suggestion.account_number, number);
        assert_eq!(suggestion.rule, MatchRule::FlatAndPayer);
        assert!(
            suggestion.address.contains("кв. 12"),
            "{}",
            suggestion.address
        );
        assert_eq!(first.amount, Money(250_000));
        assert!(queue[1].suggestion.is_none());
        assert_eq!(page.statements.len(), statements_before + 1);
        assert_eq!(
            page.statements[0].queued, 3,
            "the newest first, all three of ours queued"
        );

        // the accountant accepts the suggestion: credited once
        let before = balance(&store, zhitel).await;
        store
            .assign_bank_payment(actor, first.id, &number)
            .await
            .unwrap();
        assert_eq!(balance(&store, zhitel).await, before - 250_000);
        let again = store
            .assign_bank_payment(actor, first.id, &number)
            .await
            .unwrap_err();
        assert!(again.to_string().contains("уже разнесён"), "{again}");
        assert_eq!(balance(&store, zhitel).await, before - 250_000);
        assert_eq!(
            scalar_text(
                &store,
                &format!("SELECT rule FROM bank_payments WHERE id = {}", first.id)
            )
            .await,
            "flat_and_payer"
        );
        // a number that is no account, a note too short: refused, nothing changes
        let unknown = store
            .assign_bank_payment(actor, queue[2].id, "000")
            .await
            .unwrap_err();
        assert!(
            unknown.to_string().contains("Лицевой счёт 000 не найден"),
            "{unknown}"
        );
        let short = store
            .dismiss_bank_payment(actor, queue[1].id, "x")
            .await
            .unwrap_err();
        assert!(short.to_string().contains("от 3 до 300"), "{short}");
        store
            .dismiss_bank_payment(actor, queue[1].id, "Возврат поставщика, не житель")
            .await
            .unwrap();
        // the third goes to zhitel's account by hand
        store
            .assign_bank_payment(actor, queue[2].id, &number)
            .await
            .unwrap();
        assert_eq!(balance(&store, zhitel).await, before - 250_000 - 1_050);
        assert_eq!(
            scalar_text(
                &store,
                &format!("SELECT rule FROM bank_payments WHERE id = {}", queue[2].id)
            )
            .await,
            "manual"
        );
        let page = store.bank_page(app::clock::today()).await.unwrap();
        assert!(ours(&page, &["101", "102", "103"]).is_empty());
        assert_eq!(
            (
                page.statements[0].posted,
                page.statements[0].queued,
                page.statements[0].dismissed
            ),
            (2, 0, 1)
        );
        assert_eq!(
            scalar(
                &store,
                "SELECT COUNT(*) FROM audit_log WHERE action IN ('assign_bank_payment', 'dismiss_bank_payment')"
            )
            .await,
            3
        );

        // the payer's next payment names nothing, but the payer is known now
        let next = statement(&[Doc {
            number: "201",
            date: "05.11.2026",
            sum: "2400.00",
            payer: "Плательщик",
            payer_account: "40817810500000000012",
            code: "",
            purpose: "квартплата",
        }]);
        store.import_statement(actor, &next, true).await.unwrap();
        let page = store.bank_page(app::clock::today()).await.unwrap();
        let next = ours(&page, &["201"]);
        let known = next[0].suggestion.as_ref().expect("a known payer");
        assert_eq!(
            (known.account_number.as_str(), known.rule),
            (number.as_str(), MatchRule::KnownPayer)
        );

        // October's register: both bank payments with their payer, and the exports read back
        let october = Period::parse("2026-10").unwrap();
        let rows = store.payment_register(house, october).await.unwrap();
        let bank: Vec<_> = rows
            .iter()
            .filter(|r| r.account_number == number && r.source.starts_with("Банк:"))
            .collect();
        assert_eq!(bank.len(), 2, "{rows:?}");
        assert_eq!(bank[0].payer, payer);
        assert_eq!(bank[0].amount, Money(250_000));
        assert_eq!(bank[0].on, NaiveDate::from_ymd_opt(2026, 10, 5).unwrap());
        assert_eq!(bank[0].document, "101");
        let total: Money = rows.iter().map(|r| r.amount).sum();
        let payee = store.payee().await.unwrap().expect("the demo's payee");
        let created = NaiveDate::from_ymd_opt(2026, 11, 2)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let file = app::payments::export::statement_1c(&payee, october, created, &rows);
        let back =
            parse_statement(&encoding_rs::WINDOWS_1251.decode(&file).0).expect("our file parses");
        assert_eq!(back.documents.len(), rows.len());
        assert_eq!(back.header.account, payee.account);
        assert_eq!(
            back.documents.iter().map(|d| d.amount).sum::<Money>(),
            total
        );
        assert!(back.documents.iter().all(|d| back.is_incoming(d)));
        assert!(
            back.documents
                .iter()
                .any(|d| d.purpose.starts_with(&format!("Оплата ЖКУ л/с {number} ")))
        );
        let xlsx = app::payments::export::register_xlsx("Реестр", &rows).unwrap();
        let table = app::sheet::read_table(&xlsx).unwrap();
        assert_eq!(table[2][0], "Дата");
        assert_eq!(table.len(), 3 + rows.len() + 1);
        assert!(
            table
                .iter()
                .any(|r| r.get(3).map(String::as_str) == Some(payer.as_str()) && r[4] == "2500")
        );
        let csv = app::payments::export::register_csv(&rows);
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.contains(&format!("05.10.2026;{number};")), "{csv}");
        assert!(csv.contains(";2500,00;101;"), "{csv}");
        db.drop().await;
    }
);

/// zhitel as a payer: his user id and the account of his flat 12.
async fn zhitel_paying(store: &Store) -> (i64, i64) {
    let user = store
        .credentials(logins::RESIDENT)
        .await
        .unwrap()
        .unwrap()
        .id;
    (user, zhitel_account(store).await.0)
}

/// A card payment of `amount` to one account, at the bank under `bank_id`: (its id, its order).
async fn started_payment(
    store: &Store,
    user: i64,
    account_id: i64,
    amount: Money,
    bank_id: &str,
) -> (i64, String) {
    use app::payments::acquiring::Started;
    use app::payments::online::NewPart;
    let (id, order) = store
        .create_online_payment(
            user,
            "sandbox",
            &[NewPart {
                account_id,
                amount,
                period: None,
                service_id: None,
            }],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    store
        .online_payment_started(
            id,
            &Started {
                provider_id: bank_id.into(),
                payment_url: "http://bank.test".into(),
            },
        )
        .await
        .unwrap();
    (id, order)
}

/// A notification as the bank sends it, signed with `password` (a forger signs with another).
fn notification(
    order_id: &str,
    payment_id: &str,
    status: &str,
    amount: i64,
    password: &str,
) -> String {
    let mut fields = serde_json::json!({
        "TerminalKey": server::integrations::sandbox_bank::TERMINAL_KEY,
        "OrderId": order_id,
        "Success": status != "REJECTED",
        "Status": status,
        "PaymentId": payment_id.parse::<i64>().unwrap(),
        "ErrorCode": "0",
        "Amount": amount,
        "Pan": "424242******4242",
    })
    .as_object()
    .cloned()
    .unwrap();
    let token = app::payments::rules::tbank_token(&fields, password);
    fields.insert("Token".into(), serde_json::Value::String(token));
    serde_json::Value::Object(fields).to_string()
}

/// A small deterministic random source (the same sequences on every run).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

both_backends!(
    every_confirmed_payment_is_credited_exactly_once,
    |backend: Backend| async move {
        use app::payments::acquiring::Started;
        use app::payments::online::NewPart;
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let settings = server::config::Settings::from_lookup(|_| None).unwrap();
        let password = settings.acquiring.password.clone();
        let bank = server::integrations::acquiring::from_settings(&settings, "http://127.0.0.1:9");
        let (user, zhitel) = zhitel_paying(&store).await;
        let online = "SELECT COUNT(*) FROM ledger WHERE source_key LIKE 'online:%'";
        let mut rng = Lcg(2026);
        let mut expected_credits = 0i64;
        let mut expected_sum = 0i64;
        const PAYMENTS: usize = 1000;
        for n in 0..PAYMENTS {
            let amount = Money(100 + rng.below(500_000) as i64);
            let (id, order) = store
                .create_online_payment(
                    user,
                    "sandbox",
                    &[NewPart {
                        account_id: zhitel,
                        amount,
                        period: None,
                        service_id: None,
                    }],
                    chrono::Utc::now(),
                )
                .await
                .unwrap();
            let provider_id = (5_000_000 + n).to_string();
            store
                .online_payment_started(
                    id,
                    &Started {
                        provider_id: provider_id.clone(),
                        payment_url: "http://bank.test/pay".into(),
                    },
                )
                .await
                .unwrap();
            // what the bank really did with it, and the noise around it
            let succeeded = rng.below(3) > 0;
            let mut sequence: Vec<String> = vec![notification(
                &order,
                &provider_id,
                "AUTHORIZED",
                amount.0,
                &password,
            )];
            sequence.push(notification(
                &order,
                &provider_id,
                if succeeded { "CONFIRMED" } else { "REJECTED" },
                amount.0,
                &password,
            ));
            // forged confirmations, a wrong amount, another payment's id: never credited
            sequence.push(notification(
                &order,
                &provider_id,
                "CONFIRMED",
                amount.0,
                "forged",
            ));
            sequence.push(notification(
                &order,
                &provider_id,
                "CONFIRMED",
                amount.0 + 1,
                &password,
            ));
            sequence.push(notification(
                &order,
                "999",
                "CONFIRMED",
                amount.0,
                &password,
            ));
            // duplicates and replays of the real ones
            for _ in 0..rng.below(4) {
                let again = sequence[rng.below(2) as usize].clone();
                sequence.push(again);
            }
            // out of order
            for i in (1..sequence.len()).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                sequence.swap(i, j);
            }
            for body in &sequence {
                let fields: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(body).unwrap();
                let verified = bank.verify(&fields);
                store
                    .record_notification("sandbox", body, verified)
                    .await
                    .unwrap();
                // the credit job may run now, or crash before it runs (it runs later)
                if rng.below(4) == 0 {
                    store.credit_online_payment(id).await.unwrap();
                }
            }
            if succeeded {
                expected_credits += 1;
                expected_sum += amount.0;
            }
        }
        // the worker catches up on every queued credit, then runs each of them again
        let worker = server::worker::Worker::new(
            store.clone(),
            server::worker::Senders::from_settings(&store, &settings)
                .await
                .unwrap(),
            "reliability".into(),
        );
        while worker.clone().tick().await > 0 {}
        let ids: Vec<i64> = with_db!(&store.db, |pool| sqlx::query_scalar(
            "SELECT id FROM online_payments WHERE status = 'confirmed'"
        )
        .fetch_all(pool)
        .await)
        .unwrap();
        for id in &ids {
            assert_eq!(store.credit_online_payment(*id).await.unwrap(), 0);
        }
        assert_eq!(ids.len() as i64, expected_credits);
        assert_eq!(scalar(&store, online).await, expected_credits);
        let credited = -scalar(
            &store,
            "SELECT COALESCE(CAST(SUM(amount) AS BIGINT), 0) FROM ledger WHERE source_key LIKE 'online:%'",
        )
        .await;
        assert_eq!(credited, expected_sum);
        // nothing credited for a payment that did not succeed
        assert_eq!(
            scalar(
                &store,
                "SELECT COUNT(*) FROM online_payment_parts p JOIN online_payments o ON o.id = p.payment_id
                 WHERE o.status <> 'confirmed' AND p.ledger_id IS NOT NULL"
            )
            .await,
            0
        );
        // every notification is kept with what was made of it
        assert!(
            scalar(
                &store,
                "SELECT COUNT(*) FROM payment_notifications WHERE outcome = 'bad_signature'"
            )
            .await
                >= PAYMENTS as i64
        );
        assert!(
            scalar(
                &store,
                "SELECT COUNT(*) FROM payment_notifications WHERE outcome = 'mismatch'"
            )
            .await
                >= 2 * PAYMENTS as i64
        );
        db.drop().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tbank_adapter_speaks_the_protocol_to_a_local_bank() {
    {
        use app::payments::acquiring::{AcquiringError, Order};
        // the sandbox bank on its own port stands in for T-Bank
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let fake = server::integrations::sandbox_bank::SandboxBank::new("terminal-password", &base)
            .router::<()>();
        tokio::spawn(async move { axum::serve(listener, fake).await });
        let adapter = |password: &str| {
            let url = format!("{base}/sandbox-bank/v2");
            let password = password.to_string();
            let settings = server::config::Settings::from_lookup(move |k| match k {
                "KLYUCH_ACQUIRING" => Some("tbank".into()),
                "KLYUCH_TBANK_URL" => Some(url.clone()),
                "KLYUCH_TBANK_TERMINAL_KEY" => {
                    Some(server::integrations::sandbox_bank::TERMINAL_KEY.into())
                }
                "KLYUCH_TBANK_PASSWORD" => Some(password.clone()),
                "KLYUCH_PUBLIC_URL" => Some("https://klyuch.example".into()),
                _ => None,
            })
            .unwrap();
            server::integrations::acquiring::from_settings(&settings, "http://unused")
        };
        let bank = adapter("terminal-password");
        assert_eq!(bank.provider(), "tbank");
        let order = Order {
            order_id: "K-TEST-1".into(),
            amount: Money(123_456),
            description: "Оплата ЖКУ".into(),
            success_url: "https://klyuch.example/cabinet/payment/1".into(),
            fail_url: "https://klyuch.example/cabinet/payment/1".into(),
            email: None,
        };
        let started = bank.init(&order).await.unwrap();
        assert!(
            started
                .payment_url
                .starts_with(&format!("{base}/sandbox-bank/pay/"))
        );
        let state = bank.state(&started.provider_id).await.unwrap();
        assert_eq!(
            (state.order_id.as_str(), state.status.as_str(), state.amount),
            ("K-TEST-1", "NEW", Money(123_456))
        );
        // the same order twice, and a wrong password: the bank refuses, with its code
        match bank.init(&order).await {
            Err(AcquiringError::Refused { code, .. }) => assert_eq!(code, "8"),
            other => panic!("{other:?}"),
        }
        match adapter("wrong").state(&started.provider_id).await {
            Err(AcquiringError::Refused { code, .. }) => assert_eq!(code, "204"),
            other => panic!("{other:?}"),
        }
        // notifications: the Token is checked, and so is the terminal
        let good = notification(
            "K-TEST-1",
            &started.provider_id,
            "CONFIRMED",
            123_456,
            "terminal-password",
        );
        let mut fields: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&good).unwrap();
        assert!(bank.verify(&fields));
        fields.insert("Amount".into(), serde_json::json!(1));
        assert!(!bank.verify(&fields));
        assert!(!adapter("wrong").verify(&serde_json::from_str(&good).unwrap()));
    }
}

both_backends!(
    an_els_from_the_accounts_import_identifies_a_payment,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let actor = accountant(&store).await;
        let (_, _, house) = zhitel_account(&store).await;
        let accounts = "лицевой счёт;квартира;подъезд;этаж;площадь;открыт;ФИО;телефон;e-mail;отношение;доля;проживает с;сальдо;сальдо на;ЕЛС\n\
             ЕЛС-1;901;1;1;40;01.01.2020;;;;;;;;;99ЖК000901\n\
             ЕЛС-2;902;1;1;40;01.01.2020;;;;;;;;;99жк000901\n";
        let report = store
            .import_accounts(actor, house, accounts.as_bytes(), true)
            .await
            .unwrap();
        assert!(!report.saved);
        assert!(
            report
                .errors
                .iter()
                .any(|e| e.starts_with("Строка 3: ЕЛС 99ЖК000901 уже есть")),
            "{:?}",
            report.errors
        );
        let one = "лицевой счёт;квартира;подъезд;этаж;площадь;открыт;ФИО;телефон;e-mail;отношение;доля;проживает с;сальдо;сальдо на;ЕЛС\n\
             ЕЛС-1;901;1;1;40;01.01.2020;;;;;;;;;99ЖК000901\n";
        assert!(
            store
                .import_accounts(actor, house, one.as_bytes(), true)
                .await
                .unwrap()
                .saved
        );
        let account = scalar(&store, "SELECT id FROM accounts WHERE number = 'ЕЛС-1'").await;
        let file = statement(&[Doc {
            number: "301",
            date: "10.11.2026",
            sum: "777.00",
            payer: "Некто",
            payer_account: "40817810000000000301",
            code: "0",
            purpose: "///ЖКУ99ЖК000901-01;ПЕР1026;Оплата ЖКУ",
        }]);
        assert!(
            store
                .import_statement(actor, &file, true)
                .await
                .unwrap()
                .saved
        );
        assert_eq!(balance(&store, account).await, -77_700);
        assert_eq!(
            scalar_text(
                &store,
                "SELECT rule FROM bank_payments WHERE number = '301'"
            )
            .await,
            "gis"
        );
        db.drop().await;
    }
);

both_backends!(
    the_fiscal_receipt_link_is_kept_from_a_signed_notification,
    |backend: Backend| async move {
        use app::payments::acquiring::Started;
        use app::payments::online::NewPart;
        use app::payments::types::OnlineStatus;
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let settings = server::config::Settings::from_lookup(|_| None).unwrap();
        let password = settings.acquiring.password.clone();
        let (user, zhitel) = zhitel_paying(&store).await;
        let (id, order) = started_payment(&store, user, zhitel, Money(10_000), "77").await;
        let with_url = |url: &str, password: &str| {
            let mut fields: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&notification(&order, "77", "RECEIPT", 10_000, "x")).unwrap();
            fields.remove("Token");
            fields.insert("Url".into(), serde_json::json!(url));
            let token = app::payments::rules::tbank_token(&fields, password);
            fields.insert("Token".into(), serde_json::json!(token));
            serde_json::Value::Object(fields).to_string()
        };
        let confirmed = notification(&order, "77", "CONFIRMED", 10_000, &password);
        store
            .record_notification("sandbox", &confirmed, true)
            .await
            .unwrap();
        store
            .record_notification(
                "sandbox",
                &with_url("https://ofd.example/r/1", &password),
                true,
            )
            .await
            .unwrap();
        // an unsigned one changes nothing
        store
            .record_notification(
                "sandbox",
                &with_url("https://evil.example", "forged"),
                false,
            )
            .await
            .unwrap();
        let view = store.online_payment(id).await.unwrap();
        assert_eq!(view.status, OnlineStatus::Confirmed);
        assert_eq!(view.receipt_url.as_deref(), Some("https://ofd.example/r/1"));

        // one service paid alone: its own ledger entry; another house's service is refused
        let service = scalar(
            &store,
            &format!(
                "SELECT MIN(s.id) FROM services s JOIN apartments a ON a.house_id = s.house_id
                 JOIN accounts c ON c.apartment_id = a.id WHERE c.id = {zhitel}"
            ),
        )
        .await;
        let foreign = scalar(
            &store,
            &format!(
                "SELECT MIN(s.id) FROM services s WHERE s.house_id <> (SELECT a.house_id FROM
                 accounts c JOIN apartments a ON a.id = c.apartment_id WHERE c.id = {zhitel})"
            ),
        )
        .await;
        let part = |service_id| NewPart {
            account_id: zhitel,
            amount: Money(4_000),
            period: None,
            service_id: Some(service_id),
        };
        let refused = store
            .create_online_payment(user, "sandbox", &[part(foreign)], chrono::Utc::now())
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("Такой услуги"), "{refused}");
        let (one, order) = store
            .create_online_payment(user, "sandbox", &[part(service)], chrono::Utc::now())
            .await
            .unwrap();
        store
            .online_payment_started(
                one,
                &Started {
                    provider_id: "78".into(),
                    payment_url: "http://bank.test".into(),
                },
            )
            .await
            .unwrap();
        let confirmed = notification(&order, "78", "CONFIRMED", 4_000, &password);
        store
            .record_notification("sandbox", &confirmed, true)
            .await
            .unwrap();
        assert_eq!(store.credit_online_payment(one).await.unwrap(), 1);
        assert_eq!(
            scalar(
                &store,
                &format!(
                    "SELECT service_id FROM ledger WHERE source_key = 'online:{order}:{zhitel}'"
                )
            )
            .await,
            service
        );
        let view = store.online_payment(one).await.unwrap();
        assert_eq!(view.parts[0].spread.len(), 1);
        assert_eq!(view.parts[0].spread[0].1, Money(4_000));
        db.drop().await;
    }
);

both_backends!(
    a_refund_reverses_the_credit_once_and_a_cancel_is_not_a_decline,
    |backend: Backend| async move {
        use app::payments::types::OnlineStatus;
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let settings = server::config::Settings::from_lookup(|_| None).unwrap();
        let password = settings.acquiring.password.clone();
        let (user, zhitel) = zhitel_paying(&store).await;
        let balance = || async { store.balances(&[zhitel]).await.unwrap()[&zhitel] };
        let before = balance().await;
        // the bank reports `status` of the payment it knows as `bank_id`; what became of it
        let report = |order: String, bank_id: &'static str, status: &'static str| {
            let (store, password) = (store.clone(), password.clone());
            async move {
                store
                    .record_notification(
                        "sandbox",
                        &notification(&order, bank_id, status, 25_000, &password),
                        true,
                    )
                    .await
                    .unwrap();
                let id = scalar(
                    &store,
                    &format!("SELECT id FROM online_payments WHERE order_id = '{order}'"),
                )
                .await;
                store.online_payment(id).await.unwrap().status
            }
        };
        let (id, order) = started_payment(&store, user, zhitel, Money(25_000), "91").await;
        assert_eq!(
            report(order.clone(), "91", "CONFIRMED").await,
            OnlineStatus::Confirmed
        );
        assert_eq!(
            report(order.clone(), "91", "REFUNDED").await,
            OnlineStatus::Refunded
        );
        // the job credits and reverses: two entries, then nothing however often it runs
        assert_eq!(store.credit_online_payment(id).await.unwrap(), 2);
        assert_eq!(store.credit_online_payment(id).await.unwrap(), 0);
        assert_eq!(balance().await, before, "owed again, to the kopeck");
        assert_eq!(
            scalar(
                &store,
                &format!("SELECT amount FROM ledger WHERE source_key = 'refund:{order}:{zhitel}'")
            )
            .await,
            25_000
        );
        // a late confirmation does not undo the refund
        assert_eq!(
            report(order, "91", "CONFIRMED").await,
            OnlineStatus::Refunded
        );
        // the payer's cancel and the bank's decline are told apart
        let (_, order) = started_payment(&store, user, zhitel, Money(25_000), "92").await;
        assert_eq!(
            report(order, "92", "CANCELED").await,
            OnlineStatus::Cancelled
        );
        let (_, order) = started_payment(&store, user, zhitel, Money(25_000), "93").await;
        assert_eq!(
            report(order, "93", "REJECTED").await,
            OnlineStatus::Rejected
        );
        assert_eq!(balance().await, before);
        db.drop().await;
    }
);

both_backends!(
    an_abandoned_payment_expires_and_a_silent_bank_is_asked_again,
    |backend: Backend| async move {
        use app::payments::acquiring::Started;
        use app::payments::online::NewPart;
        use app::payments::types::OnlineStatus;
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let (user, zhitel) = zhitel_paying(&store).await;
        let part = [NewPart {
            account_id: zhitel,
            amount: Money(5_000),
            period: None,
            service_id: None,
        }];
        let now = chrono::Utc::now();
        // one never reached the bank; one is at a bank that does not answer
        let (never, _) = store
            .create_online_payment(user, "sandbox", &part, now)
            .await
            .unwrap();
        let (silent, _) = store
            .create_online_payment(user, "sandbox", &part, now)
            .await
            .unwrap();
        store
            .online_payment_started(
                silent,
                &Started {
                    provider_id: "1".into(),
                    payment_url: "http://bank.test".into(),
                },
            )
            .await
            .unwrap();
        // half an hour later
        with_db!(&store.db, |pool| sqlx::query(
            "UPDATE jobs SET run_at = $1 WHERE kind = 'payments.expire'"
        )
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        let settings = server::config::Settings::from_lookup(|_| None).unwrap();
        // the settings' own address (127.0.0.1:3000) has no sandbox bank listening
        let worker = server::worker::Worker::new(
            store.clone(),
            server::worker::Senders::from_settings(&store, &settings)
                .await
                .unwrap(),
            "expiry".into(),
        );
        worker.clone().tick().await;
        assert_eq!(
            store.online_payment(never).await.unwrap().status,
            OnlineStatus::Expired
        );
        assert_eq!(
            store.online_payment(silent).await.unwrap().status,
            OnlineStatus::Pending,
            "the bank is asked again later"
        );
        assert_eq!(
            scalar(
                &store,
                "SELECT COUNT(*) FROM ledger WHERE source_key LIKE 'online:%'"
            )
            .await,
            0
        );
        db.drop().await;
    }
);

// HTTP: the real server on a random port, driven like a browser would drive it.

both_backends!(
    bank_statements_and_exports_are_the_accountants,
    |backend: Backend| async move {
        use app::payments::api::*;
        use app::payments::types::BankPage;
        use app::sheet::ImportReport;
        use base64::Engine;
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let sample = include_bytes!("../../../docs/samples/bank-statement-cp1251.txt");
        let content = format!(
            "data:text/plain;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(sample)
        );
        let form = [("content", content.as_str()), ("commit", "1")];
        for (path, form) in [
            (path::<ImportBankStatement>(), &form[..]),
            (path::<LoadBankPage>(), &[][..]),
            (
                path::<AssignBankPayment>(),
                &[("payment_id", "1"), ("account_number", "1")][..],
            ),
            (
                path::<DismissBankPayment>(),
                &[("payment_id", "1"), ("note", "не житель")][..],
            ),
        ] {
            let (status, _) = error_of(app.call(&zhitel, path, form).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
        // the sample's accounts are not in the demo: both incoming payments wait in the queue
        let report: ImportReport = app
            .call(&accountant, path::<ImportBankStatement>(), &form)
            .await
            .json()
            .await
            .unwrap();
        assert!(report.saved, "{report:?}");
        let page: BankPage = app
            .call(&accountant, path::<LoadBankPage>(), &[])
            .await
            .json()
            .await
            .unwrap();
        let sample: Vec<_> = page
            .queue
            .iter()
            .filter(|q| q.on.format("%Y").to_string() == "2022")
            .collect();
        assert_eq!(sample.len(), 2);
        let id = sample[0].id.to_string();
        let (status, error) = error_of(
            app.call(
                &accountant,
                path::<AssignBankPayment>(),
                &[("payment_id", &id), ("account_number", "нет-такого")],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error.to_string().contains("не найден"), "{error}");

        let house = app.store.houses().await.unwrap()[0].id;
        let url = |format: &str| {
            format!(
                "{}/staff/payments/export?house={house}&period=2026-10&format={format}",
                app.base
            )
        };
        assert_eq!(
            zhitel.get(url("csv")).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        let file = accountant.get(url("1c")).send().await.unwrap();
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(
            file.headers()[reqwest::header::CONTENT_TYPE],
            "text/plain; charset=windows-1251"
        );
        let bytes = file.bytes().await.unwrap();
        let text = encoding_rs::WINDOWS_1251.decode(&bytes).0;
        assert!(app::payments::rules::parse_statement(&text).is_ok());
        for format in ["xlsx", "csv"] {
            assert_eq!(
                accountant.get(url(format)).send().await.unwrap().status(),
                StatusCode::OK
            );
        }
        let bad = accountant.get(url("pdf")).send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().await.unwrap().contains("Формат выгрузки"));
        app.stop().await;
    }
);

both_backends!(
    a_resident_pays_by_card_in_the_sandbox_bank,
    |backend: Backend| async move {
        use app::payments::api::*;
        use app::payments::types::{OnlinePaymentView, OnlineStatus};
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let sosed = app.signed_in(logins::NEIGHBOUR).await;
        let account: i64 = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(
            "SELECT c.id FROM accounts c JOIN apartments a ON a.id = c.apartment_id
             JOIN houses h ON h.id = a.house_id
             WHERE h.address LIKE '%Серебряная, д. 1%' AND a.number = '12'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        let balance = |app: &TestApp| {
            let store = app.store.clone();
            async move { store.balances(&[account]).await.unwrap()[&account] }
        };
        let before = balance(&app).await;
        let account_text = account.to_string();
        let form = |amount: &'static str| {
            vec![
                ("parts[0][account_id]", account_text.clone()),
                ("parts[0][amount]", amount.to_string()),
                ("parts[0][period]", String::new()),
            ]
        };
        let pay = |client: &reqwest::Client, amount: &'static str| {
            let form = form(amount);
            let client = client.clone();
            let url = format!("{}{}", app.base, path::<StartPayment>());
            async move { client.post(url).form(&form).send().await.unwrap() }
        };
        // another resident cannot pay into zhitel's account (nor see his payments)
        let (status, _) = error_of(pay(&sosed, "100").await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, error) = error_of(pay(&zhitel, "сто").await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error.to_string().contains("в рублях"), "{error}");

        // zhitel pays 1 500 ₽: off to the bank's page
        let started = pay(&zhitel, "1 500,00").await;
        let bank_path = sandbox_path(started).await;
        let page = zhitel
            .get(format!("{}{bank_path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("500,00"));
        let paid = zhitel
            .post(format!("{}{bank_path}", app.base))
            .form(&[
                ("card", "4242 4242 4242 4242"),
                ("expiry", "12/30"),
                ("cvc", "123"),
                ("action", "pay"),
            ])
            .send()
            .await
            .unwrap();
        assert!(paid.status().is_redirection());
        let back = paid.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        let id: i64 = back.rsplit('/').next().unwrap().parse().unwrap();
        // the bank's signed notifications arrive, the worker credits: once
        let mut view: Option<OnlinePaymentView> = None;
        for _ in 0..100 {
            let v: OnlinePaymentView = app
                .call(
                    &zhitel,
                    path::<LoadOnlinePayment>(),
                    &[("id", &id.to_string())],
                )
                .await
                .json()
                .await
                .unwrap();
            if v.parts.iter().all(|p| p.credited) && v.status == OnlineStatus::Confirmed {
                view = Some(v);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let view = view.expect("credited");
        assert_eq!(view.amount, app::billing::types::Money(150_000));
        assert!(view.provider_id.is_some());
        assert!(
            !view.parts[0].spread.is_empty(),
            "the split by services is shown"
        );
        assert_eq!(
            view.parts[0]
                .spread
                .iter()
                .map(|(_, m)| *m)
                .sum::<app::billing::types::Money>(),
            view.amount
        );
        assert_eq!(
            balance(&app).await,
            before - app::billing::types::Money(150_000)
        );
        // the notifications were kept, both applied
        let kept: i64 = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM payment_notifications WHERE outcome LIKE 'applied:%'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(kept, 2);
        // the payer is told through the notification path
        let told: i64 = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND (payload LIKE '%PaymentReceived%' OR payload LIKE '%payment_received%')"
        )
        .bind("notify.fanout")
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(told, 1);

        // the confirmation: zhitel's PDF; not for the neighbour
        let pdf_url = format!("{}/cabinet/payment-pdf?id={id}", app.base);
        let pdf = zhitel.get(&pdf_url).send().await.unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
        assert_eq!(
            sosed.get(&pdf_url).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        let (status, _) = error_of(
            app.call(
                &sosed,
                path::<LoadOnlinePayment>(),
                &[("id", &id.to_string())],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let history: Vec<OnlinePaymentView> = app
            .call(
                &zhitel,
                path::<LoadMyPayments>(),
                &[("status", "confirmed")],
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        let theirs: Vec<OnlinePaymentView> = app
            .call(&sosed, path::<LoadMyPayments>(), &[])
            .await
            .json()
            .await
            .unwrap();
        assert!(theirs.is_empty());
        // the accountant sees everyone's card payments; a resident does not
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let all: Vec<OnlinePaymentView> = app
            .call(
                &accountant,
                path::<LoadCardPayments>(),
                &[("status", "confirmed")],
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(all.iter().any(|p| p.id == id), "{all:?}");
        let (status, _) = error_of(app.call(&zhitel, path::<LoadCardPayments>(), &[]).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // a forged notification is refused; a declined card credits nothing
        let forged = app
            .client()
            .post(format!("{}/hooks/acquiring", app.base))
            .body(r#"{"TerminalKey":"KlyuchSandbox","OrderId":"x","Status":"CONFIRMED","Amount":1,"Token":"00"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let started = pay(&zhitel, "10").await;
        let bank_path = sandbox_path(started).await;
        zhitel
            .post(format!("{}{bank_path}", app.base))
            .form(&[
                ("card", "4000 0000 0000 0002"),
                ("expiry", "12/30"),
                ("cvc", "123"),
                ("action", "pay"),
            ])
            .send()
            .await
            .unwrap();
        let mut declined = None;
        for _ in 0..100 {
            let list: Vec<OnlinePaymentView> = app
                .call(&zhitel, path::<LoadMyPayments>(), &[("status", "rejected")])
                .await
                .json()
                .await
                .unwrap();
            if let Some(p) = list.into_iter().next() {
                declined = Some(p);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            declined
                .expect("declined")
                .parts
                .iter()
                .all(|p| !p.credited)
        );
        assert_eq!(
            balance(&app).await,
            before - app::billing::types::Money(150_000)
        );

        // the card page checks the card as a bank would and takes nothing it refuses
        let started = pay(&zhitel, "10").await;
        let bank_path = sandbox_path(started).await;
        let refused = zhitel
            .post(format!("{}{bank_path}", app.base))
            .form(&[
                ("card", "4242 4242 4242 4241"),
                ("expiry", "01/20"),
                ("cvc", "1"),
                ("action", "pay"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::OK, "the form again");
        let page = refused.text().await.unwrap();
        for message in [
            "В номере карты ошибка",
            "Срок действия карты истёк",
            "CVC — 3 цифры",
        ] {
            assert!(page.contains(message), "{message}: {page}");
        }
        assert!(
            page.contains("4242 4242 4242 4241"),
            "the number stays typed"
        );
        // the payer cancels at the bank: «отменён плательщиком», not a decline
        let cancelled = zhitel
            .post(format!("{}{bank_path}", app.base))
            .form(&[("action", "cancel")])
            .send()
            .await
            .unwrap();
        assert!(cancelled.status().is_redirection());
        let mut cancel = None;
        for _ in 0..100 {
            let list: Vec<OnlinePaymentView> = app
                .call(
                    &zhitel,
                    path::<LoadMyPayments>(),
                    &[("status", "cancelled")],
                )
                .await
                .json()
                .await
                .unwrap();
            if let Some(p) = list.into_iter().next() {
                cancel = Some(p);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let cancel = cancel.expect("cancelled");
        assert_eq!(cancel.status.label(), "отменён плательщиком");
        assert!(
            cancel
                .status
                .advice()
                .unwrap()
                .starts_with("Вы отменили оплату")
        );
        assert!(cancel.parts.iter().all(|p| !p.credited));
        app.stop().await;
    }
);

both_backends!(
    the_payee_is_the_organisation_set_by_the_chair,
    |backend: Backend| async move {
        use app::billing::api::*;
        use app::billing::rules::Payee;
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let anonymous = app.client();
        let name: Option<String> = app
            .call(&anonymous, path::<LoadOrganisationName>(), &[])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some(server::demo::ASSOCIATION));
        let login_page = anonymous
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text(&login_page).contains(server::demo::ASSOCIATION));
        let renamed = Payee {
            name: "ТСЖ «Серебряный ключ-2»".into(),
            ..app.store.payee().await.unwrap().unwrap()
        };
        let form = [
            ("payee[name]", renamed.name.as_str()),
            ("payee[inn]", renamed.inn.as_str()),
            ("payee[kpp]", renamed.kpp.as_str()),
            ("payee[account]", renamed.account.as_str()),
            ("payee[bank_name]", renamed.bank_name.as_str()),
            ("payee[bic]", renamed.bic.as_str()),
            ("payee[corr_account]", renamed.corr_account.as_str()),
        ];
        // only the chair: not the accountant, the council or a resident
        for login in [logins::ACCOUNTANT, logins::RESIDENT, logins::DISPATCHER] {
            let client = app.signed_in(login).await;
            let (status, _) =
                error_of(app.call(&client, path::<SetOrganisation>(), &form).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
            let (status, _) =
                error_of(app.call(&client, path::<LoadOrganisation>(), &[]).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
        }
        // the production calendar is the accountant's: a resident or the dispatcher may not
        let day = [("day", "2026-08-17"), ("kind", "off"), ("note", "проверка")];
        for login in [logins::RESIDENT, logins::DISPATCHER] {
            let client = app.signed_in(login).await;
            let (status, _) =
                error_of(app.call(&client, path::<SetCalendarDay>(), &day).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
        }
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let set = app.call(&accountant, path::<SetCalendarDay>(), &day).await;
        assert_eq!(set.status(), StatusCode::OK);
        let july = app::billing::types::Period::parse("2026-07").unwrap();
        assert_eq!(
            app.store.due_date(july).await.unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 8, 18).unwrap()
        );
        let chair = app.signed_in(logins::CHAIR).await;
        let mut bad = form;
        bad[3].1 = "123";
        let (status, error) =
            error_of(app.call(&chair, path::<SetOrganisation>(), &bad).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        let saved = app.call(&chair, path::<SetOrganisation>(), &form).await;
        assert_eq!(saved.status(), StatusCode::OK);
        // audited, and every document follows at once: the bill's QR and the 1С export
        let audit = "SELECT COUNT(*) FROM audit_log
                     WHERE action = 'set_payee' AND entity = 'organisation'";
        let audited: i64 = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(audit)
            .fetch_one(pool)
            .await)
        .unwrap();
        assert!(audited >= 2, "the demo's and the chair's");
        let zhitel_account = account_id(&app, "77010012").await;
        let period = app::billing::types::Period::of(app::clock::today()).plus(-1);
        let bill = app.store.bill_data(zhitel_account, period).await.unwrap();
        assert!(bill.qr_payload().contains("Name=ТСЖ «Серебряный ключ-2»|"));
        let house = app.store.houses().await.unwrap()[0].id;
        let export = accountant
            .get(format!(
                "{}/staff/payments/export?house={house}&period={period}&format=1c",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(export.status(), StatusCode::OK);
        let bytes = export.bytes().await.unwrap();
        let text = encoding_rs::WINDOWS_1251.decode(&bytes).0;
        assert!(text.contains("ТСЖ «Серебряный ключ-2»"), "{text}");
        app.stop().await;
    }
);
