//! Payments' storage: bank statements (each incoming document once; sure matches credited at
//! once, the rest queued for the accountant), the queue's decisions, and the register of
//! received payments for accounting.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::rules::{self, AccountCard, BankDocument, Directory, Match};
use super::types::*;
use crate::billing::types::{Money, Period};
use crate::db::{Store, internal, push_in_list};
use crate::error::AppError;
use crate::sheet::ImportReport;
use crate::{audit, with_db, write_tx};

/// The ledger key of a bank payment: the same document is credited once, whoever posts it.
fn ledger_key(doc_key: &str) -> String {
    format!("bank:{doc_key}")
}

/// The ledger's text for a bank payment.
fn ledger_reason(number: &str, date: NaiveDate, payer: &str) -> String {
    format!(
        "Банк: п/п № {number} от {}, {payer}",
        date.format("%d.%m.%Y")
    )
}

/// A statement file as text: UTF-8 (with or without BOM), else Windows-1251, or DOS (CP866)
/// when its header says so.
fn decode_statement(bytes: &[u8]) -> Result<String, AppError> {
    if bytes.len() > crate::sheet::MAX_BYTES {
        return Err(AppError::invalid(format!(
            "Файл больше {} МБ — выгрузите выписку за меньший срок.",
            crate::sheet::MAX_BYTES / 1024 / 1024
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let windows = encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned();
    Ok(if windows.contains("Кодировка=DOS") {
        encoding_rs::IBM866.decode(bytes).0.into_owned()
    } else {
        windows
    })
}

/// Only a person's own bank account (408…) or INN (12 digits) identifies a payer; banks'
/// transit accounts and organisations pay for many.
fn personal_payer_id(payer_account: &str, payer_inn: &str) -> Vec<String> {
    let mut ids = Vec::new();
    if payer_account.starts_with("408") {
        ids.push(payer_account.to_string());
    }
    if payer_inn.len() == 12 && payer_inn.bytes().all(|b| b.is_ascii_digit()) {
        ids.push(payer_inn.to_string());
    }
    ids
}

#[derive(FromRow)]
struct CardRow {
    id: i64,
    number: String,
    els: Option<String>,
    flat: String,
    full_name: Option<String>,
}

#[derive(FromRow)]
struct QueueRow {
    id: i64,
    number: String,
    received_on: NaiveDate,
    amount: i64,
    payer: String,
    purpose: String,
    rule: Option<MatchRule>,
    confidence: i64,
    account_number: Option<String>,
    address: Option<String>,
    flat: Option<String>,
}

#[derive(FromRow)]
struct StatementRow {
    id: i64,
    bank_account: String,
    date_from: Option<NaiveDate>,
    date_to: Option<NaiveDate>,
    loaded_at: DateTime<Utc>,
    posted: i64,
    queued: i64,
    dismissed: i64,
    amount: i64,
}

#[derive(FromRow)]
struct RegisterLine {
    occurred_on: NaiveDate,
    account_number: String,
    address: String,
    flat: String,
    payer: Option<String>,
    payer_account: Option<String>,
    payer_inn: Option<String>,
    bank_number: Option<String>,
    id: i64,
    owner: Option<String>,
    amount: i64,
    reason: String,
}

#[derive(FromRow)]
struct PendingRow {
    doc_key: String,
    number: String,
    received_on: NaiveDate,
    amount: i64,
    payer: String,
    status: BankPaymentStatus,
    rule: Option<MatchRule>,
    account_id: Option<i64>,
}

/// A new incoming document with what matching found.
struct Incoming<'a> {
    doc: &'a BankDocument,
    on: NaiveDate,
    found: Option<Match>,
}

impl Store {
    /// Every account as matching sees it, and the payers learned from payments already posted.
    async fn match_directory(&self) -> Result<Directory, AppError> {
        let (rows, learned) = with_db!(&self.db, |pool| async {
            let rows: Vec<CardRow> = sqlx::query_as(
                "SELECT c.id, c.number, c.els, a.number AS flat, p.full_name
                 FROM accounts c JOIN apartments a ON a.id = c.apartment_id
                 LEFT JOIN residencies r ON r.apartment_id = a.id AND r.status = 'active'
                     AND r.moved_out IS NULL
                 LEFT JOIN people p ON p.id = r.person_id
                 ORDER BY c.id",
            )
            .fetch_all(pool)
            .await?;
            let learned: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT payer_account, payer_inn, account_id FROM bank_payments
                 WHERE status = 'posted' AND account_id IS NOT NULL",
            )
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((rows, learned))
        }
        .await)
        .map_err(internal("load match directory"))?;
        let mut cards: Vec<AccountCard> = Vec::new();
        for r in rows {
            match cards.last_mut() {
                Some(last) if last.id == r.id => {}
                _ => cards.push(AccountCard {
                    id: r.id,
                    number: r.number,
                    els: r.els,
                    flat: r.flat,
                    names: Vec::new(),
                }),
            }
            if let (Some(card), Some(name)) = (cards.last_mut(), r.full_name) {
                card.names.push(rules::normal_name(&name));
            }
        }
        let learned: Vec<(String, i64)> = learned
            .into_iter()
            .flat_map(|(account, inn, id)| {
                personal_payer_id(&account, &inn)
                    .into_iter()
                    .map(move |p| (p, id))
            })
            .collect();
        Ok(Directory::new(cards, &learned))
    }

    /// Loads a bank statement (1CClientBankExchange). A broken file is refused with its lines
    /// and nothing is saved. Incoming documents not seen before are matched to accounts: sure
    /// matches are credited (ledger), the rest queued for the accountant. Outgoing documents
    /// are skipped. With `commit` false only reports what loading would do.
    pub async fn import_statement(
        &self,
        actor: i64,
        bytes: &[u8],
        commit: bool,
    ) -> Result<ImportReport, AppError> {
        let text = decode_statement(bytes)?;
        let rows = text
            .lines()
            .filter(|l| l.trim_start().starts_with("СекцияДокумент"))
            .count();
        let statement = match rules::parse_statement(&text) {
            Ok(s) => s,
            Err(mut errors) => {
                crate::sheet::sort_by_line(&mut errors);
                return Ok(ImportReport {
                    rows,
                    errors,
                    notes: Vec::new(),
                    saved: false,
                });
            }
        };
        let incoming: Vec<&BankDocument> = statement
            .documents
            .iter()
            .filter(|d| statement.is_incoming(d))
            .collect();
        let keys: Vec<String> = incoming.iter().map(|d| d.key()).collect();
        let known = self.known_documents(&keys).await?;
        let directory = self.match_directory().await?;
        let mut seen: HashSet<String> = HashSet::new();
        let mut fresh: Vec<Incoming> = Vec::new();
        let mut repeated = 0;
        for doc in &incoming {
            let key = doc.key();
            if known.contains(&key) || !seen.insert(key) {
                repeated += 1;
                continue;
            }
            let Some(on) = doc.credited_on() else {
                continue;
            };
            fresh.push(Incoming {
                doc,
                on,
                found: rules::match_document(doc, &directory),
            });
        }
        let sum = |list: &mut dyn Iterator<Item = &Incoming>| -> (usize, Money) {
            list.fold((0, Money::ZERO), |(n, m), i| (n + 1, m + i.doc.amount))
        };
        let (sure_n, sure_sum) = sum(&mut fresh
            .iter()
            .filter(|i| i.found.is_some_and(|m| m.is_sure())));
        let (queue_n, queue_sum) = sum(&mut fresh
            .iter()
            .filter(|i| !i.found.is_some_and(|m| m.is_sure())));
        let mut notes = vec![format!(
            "Счёт {}: поступлений {} из {} документов.",
            statement.header.account,
            incoming.len(),
            statement.documents.len()
        )];
        let outgoing = statement.documents.len() - incoming.len();
        if outgoing > 0 {
            notes.push(format!(
                "Исходящих документов: {outgoing} — это не платежи жителей, пропущены."
            ));
        }
        if !statement.header.account.is_empty()
            && !self.is_payee_account(&statement.header.account).await?
        {
            notes.push(format!(
                "Внимание: счёт {} — не расчётный счёт организации из её реквизитов.",
                statement.header.account
            ));
        }
        let verb = if commit { "" } else { "будет " };
        if sure_n > 0 {
            notes.push(format!(
                "Зачислено на лицевые счета {verb}автоматически: {sure_n} на {}.",
                sure_sum.label()
            ));
        }
        if queue_n > 0 {
            notes.push(format!(
                "В очередь на разноску {verb}{}: {queue_n} на {}.",
                if commit {
                    "попали"
                } else {
                    "попадут"
                },
                queue_sum.label()
            ));
        }
        if repeated > 0 {
            notes.push(format!(
                "Уже загружены раньше: {repeated} — второй раз не зачисляются."
            ));
        }
        if !commit || fresh.is_empty() {
            return Ok(ImportReport {
                rows,
                errors: Vec::new(),
                notes,
                saved: false,
            });
        }
        let header = &statement.header;
        let now = Utc::now();
        let (posted, queued) = write_tx!(self, "import statement", |tx| {
            let statement_id: i64 = sqlx::query_scalar(
                "INSERT INTO bank_statements (bank_account, sender, date_from, date_to,
                     loaded_by, loaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(&header.account)
            .bind(&header.sender)
            .bind(header.from)
            .bind(header.to)
            .bind(actor)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let (mut posted, mut queued) = (0usize, 0usize);
            for i in &fresh {
                let d = i.doc;
                let key = d.key();
                let sure = i.found.filter(Match::is_sure);
                let ledger_id: Option<i64> = match sure {
                    Some(m) => {
                        let id: Option<i64> = sqlx::query_scalar(
                            "INSERT INTO ledger (account_id, period, kind, amount, occurred_on,
                                 reason, source_key, created_by, created_at)
                             VALUES ($1, $2, 'payment', $3, $4, $5, $6, $7, $8)
                             ON CONFLICT (source_key) DO NOTHING RETURNING id",
                        )
                        .bind(m.account_id)
                        .bind(Period::of(i.on).to_string())
                        .bind(-d.amount.0)
                        .bind(i.on)
                        .bind(ledger_reason(&d.number, d.date.unwrap_or(i.on), &d.payer))
                        .bind(ledger_key(&key))
                        .bind(actor)
                        .bind(now)
                        .fetch_optional(&mut *tx)
                        .await?;
                        // credited by a statement loaded at the same moment: nothing twice
                        let Some(id) = id else { continue };
                        Some(id)
                    }
                    None => None,
                };
                let inserted = sqlx::query(
                    "INSERT INTO bank_payments (statement_id, doc_key, number, doc_date,
                         received_on, amount, payer, payer_inn, payer_account, code, purpose,
                         status, account_id, rule, confidence, ledger_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                     ON CONFLICT (doc_key) DO NOTHING",
                )
                .bind(statement_id)
                .bind(&key)
                .bind(&d.number)
                .bind(d.date.unwrap_or(i.on))
                .bind(i.on)
                .bind(d.amount.0)
                .bind(&d.payer)
                .bind(&d.payer_inn)
                .bind(&d.payer_account)
                .bind(&d.code)
                .bind(&d.purpose)
                .bind(if ledger_id.is_some() {
                    BankPaymentStatus::Posted.as_str()
                } else {
                    BankPaymentStatus::Queued.as_str()
                })
                .bind(i.found.map(|m| m.account_id))
                .bind(i.found.map(|m| m.rule.as_str()))
                .bind(i.found.map_or(0, |m| i64::from(m.confidence)))
                .bind(ledger_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                match (inserted, ledger_id) {
                    (1, Some(_)) => posted += 1,
                    (1, None) => queued += 1,
                    _ => {}
                }
            }
            audit!(
                &mut *tx,
                Some(actor),
                "import_statement",
                "bank_statement",
                Some(statement_id),
                format!(
                    "account {}: {posted} posted, {queued} queued, {repeated} seen before",
                    header.account
                )
            )?;
            Ok((posted, queued))
        })?;
        tracing::info!(posted, queued, repeated, "bank statement loaded");
        Ok(ImportReport {
            rows,
            errors: Vec::new(),
            notes,
            saved: true,
        })
    }

    /// Which of these document keys are already loaded.
    async fn known_documents(&self, keys: &[String]) -> Result<HashSet<String>, AppError> {
        let mut known = HashSet::new();
        for chunk in keys.chunks(500) {
            let found: Vec<String> = with_db!(&self.db, |pool| {
                let mut q =
                    sqlx::QueryBuilder::new("SELECT doc_key FROM bank_payments WHERE doc_key IN (");
                push_in_list(&mut q, chunk);
                q.build_query_scalar().fetch_all(pool).await
            })
            .map_err(internal("known bank documents"))?;
            known.extend(found);
        }
        Ok(known)
    }

    async fn is_payee_account(&self, account: &str) -> Result<bool, AppError> {
        with_db!(&self.db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM organisation WHERE account = $1"
        )
        .bind(account)
        .fetch_one(pool)
        .await)
        .map(|n| n > 0)
        .map_err(internal("payee account"))
    }

    /// The accountant's bank page: payments waiting for a decision and the statements loaded.
    pub async fn bank_page(&self, today: NaiveDate) -> Result<BankPage, AppError> {
        let (queue, statements) = with_db!(&self.db, |pool| async {
            let queue: Vec<QueueRow> = sqlx::query_as(
                "SELECT b.id, b.number, b.received_on, b.amount, b.payer, b.purpose, b.rule,
                     b.confidence, c.number AS account_number, h.address, a.number AS flat
                 FROM bank_payments b
                 LEFT JOIN accounts c ON c.id = b.account_id
                 LEFT JOIN apartments a ON a.id = c.apartment_id
                 LEFT JOIN houses h ON h.id = a.house_id
                 WHERE b.status = 'queued' ORDER BY b.received_on, b.id",
            )
            .fetch_all(pool)
            .await?;
            let statements: Vec<StatementRow> = sqlx::query_as(
                "SELECT s.id, s.bank_account, s.date_from, s.date_to, s.loaded_at,
                     CAST(SUM(CASE WHEN b.status = 'posted' THEN 1 ELSE 0 END) AS BIGINT) AS posted,
                     CAST(SUM(CASE WHEN b.status = 'queued' THEN 1 ELSE 0 END) AS BIGINT) AS queued,
                     CAST(SUM(CASE WHEN b.status = 'dismissed' THEN 1 ELSE 0 END) AS BIGINT)
                         AS dismissed,
                     CAST(SUM(b.amount) AS BIGINT) AS amount
                 FROM bank_statements s JOIN bank_payments b ON b.statement_id = s.id
                 GROUP BY s.id, s.bank_account, s.date_from, s.date_to, s.loaded_at
                 ORDER BY s.id DESC LIMIT 50",
            )
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((queue, statements))
        }
        .await)
        .map_err(internal("bank page"))?;
        Ok(BankPage {
            queue: queue
                .into_iter()
                .map(|r| QueuedPayment {
                    id: r.id,
                    number: r.number,
                    on: r.received_on,
                    amount: Money(r.amount),
                    payer: r.payer,
                    purpose: r.purpose,
                    suggestion: match (r.account_number, r.rule) {
                        (Some(account_number), Some(rule)) => Some(Suggestion {
                            account_number,
                            address: format!(
                                "{}, кв. {}",
                                r.address.unwrap_or_default(),
                                r.flat.unwrap_or_default()
                            ),
                            rule,
                            confidence: u8::try_from(r.confidence).unwrap_or(0),
                        }),
                        _ => None,
                    },
                })
                .collect(),
            statements: statements
                .into_iter()
                .map(|s| StatementView {
                    id: s.id,
                    bank_account: s.bank_account,
                    from: s.date_from,
                    to: s.date_to,
                    loaded_on: s.loaded_at.date_naive(),
                    posted: s.posted,
                    queued: s.queued,
                    dismissed: s.dismissed,
                    amount: Money(s.amount),
                })
                .collect(),
            last_month: Period::of(today).plus(-1).to_string(),
        })
    }

    /// Credits a queued bank payment to the account the accountant named (by its number): a
    /// ledger entry and the decision, in one transaction, audited.
    pub async fn assign_bank_payment(
        &self,
        actor: i64,
        payment_id: i64,
        account_number: &str,
    ) -> Result<(), AppError> {
        let account_number = account_number.trim();
        if account_number.is_empty() {
            return Err(AppError::invalid("Укажите номер лицевого счёта."));
        }
        let now = Utc::now();
        write_tx!(self, "assign bank payment", |tx| {
            let Some(p): Option<PendingRow> = sqlx::query_as(
                "SELECT doc_key, number, received_on, amount, payer, status, rule, account_id
                 FROM bank_payments WHERE id = $1",
            )
            .bind(payment_id)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Err(AppError::NotFound.into());
            };
            if p.status != BankPaymentStatus::Queued {
                return Err(AppError::invalid(
                    "Этот платёж уже разнесён или отклонён — обновите страницу.",
                )
                .into());
            }
            let Some(account_id): Option<i64> =
                sqlx::query_scalar("SELECT id FROM accounts WHERE number = $1")
                    .bind(account_number)
                    .fetch_optional(&mut *tx)
                    .await?
            else {
                return Err(
                    AppError::invalid(format!("Лицевой счёт {account_number} не найден.")).into(),
                );
            };
            let ledger_id: i64 = sqlx::query_scalar(
                "INSERT INTO ledger (account_id, period, kind, amount, occurred_on, reason,
                     source_key, created_by, created_at)
                 VALUES ($1, $2, 'payment', $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(account_id)
            .bind(Period::of(p.received_on).to_string())
            .bind(-p.amount)
            .bind(p.received_on)
            .bind(ledger_reason(&p.number, p.received_on, &p.payer))
            .bind(ledger_key(&p.doc_key))
            .bind(actor)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            // the suggestion accepted keeps its rule; another account is the accountant's own
            let rule = match p.rule {
                Some(rule) if p.account_id == Some(account_id) => rule,
                _ => MatchRule::Manual,
            };
            sqlx::query(
                "UPDATE bank_payments SET status = 'posted', account_id = $1, rule = $2,
                     ledger_id = $3, decided_by = $4, decided_at = $5
                 WHERE id = $6",
            )
            .bind(account_id)
            .bind(rule)
            .bind(ledger_id)
            .bind(actor)
            .bind(now)
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "assign_bank_payment",
                "bank_payment",
                Some(payment_id),
                format!(
                    "to account {account_number} ({}), {} kop.",
                    rule.as_str(),
                    p.amount
                )
            )?;
            Ok(())
        })
    }

    /// Marks a queued bank payment as not a resident's (a refund, a subsidy, a mistake), with
    /// the accountant's note; it leaves the queue and credits nothing.
    pub async fn dismiss_bank_payment(
        &self,
        actor: i64,
        payment_id: i64,
        note: &str,
    ) -> Result<(), AppError> {
        let note = note.trim();
        if !(3..=300).contains(&note.chars().count()) {
            return Err(AppError::invalid(
                "Напишите, почему платёж не разносится (от 3 до 300 знаков).",
            ));
        }
        let now = Utc::now();
        let changed = write_tx!(self, "dismiss bank payment", |tx| {
            let changed = sqlx::query(
                "UPDATE bank_payments SET status = 'dismissed', note = $1, decided_by = $2,
                     decided_at = $3
                 WHERE id = $4 AND status = 'queued'",
            )
            .bind(note)
            .bind(actor)
            .bind(now)
            .bind(payment_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 1 {
                audit!(
                    &mut *tx,
                    Some(actor),
                    "dismiss_bank_payment",
                    "bank_payment",
                    Some(payment_id),
                    note.to_string()
                )?;
            }
            Ok(changed)
        })?;
        if changed == 1 {
            Ok(())
        } else {
            Err(AppError::invalid(
                "Этот платёж уже разнесён или отклонён — обновите страницу.",
            ))
        }
    }

    /// Payments received by a house's accounts in a period (by the day the money came), for
    /// accounting: with the payer as the bank gave it, else the account's owner.
    pub async fn payment_register(
        &self,
        house_id: i64,
        period: Period,
    ) -> Result<Vec<RegisterRow>, AppError> {
        let (from, till) = (period.first_day(), period.day(period.days()));
        let lines: Vec<RegisterLine> = with_db!(&self.db, |pool| sqlx::query_as(
            "SELECT l.occurred_on, c.number AS account_number, h.address, a.number AS flat,
                 b.payer, b.payer_account, b.payer_inn, b.number AS bank_number, l.id,
                 (SELECT p.full_name FROM residencies r JOIN people p ON p.id = r.person_id
                  WHERE r.apartment_id = a.id AND r.status = 'active' AND r.relation = 'owner'
                  ORDER BY r.id LIMIT 1) AS owner,
                 -l.amount AS amount, l.reason
             FROM ledger l JOIN accounts c ON c.id = l.account_id
             JOIN apartments a ON a.id = c.apartment_id JOIN houses h ON h.id = a.house_id
             LEFT JOIN bank_payments b ON b.ledger_id = l.id
             WHERE a.house_id = $1 AND l.kind = 'payment'
                 AND l.occurred_on >= $2 AND l.occurred_on <= $3
             ORDER BY l.occurred_on, l.id",
        )
        .bind(house_id)
        .bind(from)
        .bind(till)
        .fetch_all(pool)
        .await)
        .map_err(internal("payment register"))?;
        Ok(lines
            .into_iter()
            .map(|l| RegisterRow {
                on: l.occurred_on,
                account_number: l.account_number,
                address: format!("{}, кв. {}", l.address, l.flat),
                payer: l.payer.or(l.owner).unwrap_or_default(),
                payer_account: l.payer_account.unwrap_or_default(),
                payer_inn: l.payer_inn.unwrap_or_default(),
                document: l.bank_number.unwrap_or_else(|| l.id.to_string()),
                amount: Money(l.amount),
                source: l.reason,
            })
            .collect())
    }
}
