//! Card payments in the cabinet (docs/domain.md, the card payment sections): an order for one or more of the
//! payer's accounts, the bank's notifications recorded as they come (trusted only when signed
//! and matching the order), and the credit to the ledger as one idempotent job after a
//! confirmation — so duplicates, reordering, replays and a crash in between credit once.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde_json::{Map, Value};
use sqlx::FromRow;

use super::acquiring::{BankState, Started};
use super::rules::advance;
use super::types::*;
use crate::billing::store::ACCOUNT_HOUSE;
use crate::billing::types::{Money, Period};
use crate::db::jobs::{Job, Task};
use crate::db::{Store, internal, push_in_list};
use crate::error::AppError;
use crate::notify::types::NoticeKind;
use crate::{enqueue_job, enqueue_notice, with_db, write_tx};

/// How long the payer has at the bank.
pub const PAYMENT_MINUTES: i64 = 30;
/// The largest single payment accepted (1 000 000 ₽): a typo guard, not a business limit.
pub const MAX_PAYMENT: Money = Money(100_000_000);

/// One account's share of a new payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPart {
    pub account_id: i64,
    pub amount: Money,
    /// The period the payer chose to pay; `None`: the debt, oldest first.
    pub period: Option<Period>,
    /// The one service the payer chose to pay; `None`: all, in proportion to their charges.
    pub service_id: Option<i64>,
}

/// What became of a notification (kept with it; the webhook answers by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationOutcome {
    /// Its status was applied (the payment may not have changed: duplicates are harmless).
    Applied(OnlineStatus),
    /// The signature does not check out: ignored.
    BadSignature,
    /// No such order here: ignored.
    UnknownOrder,
    /// The amount or the bank's payment id differs from the order's: ignored, logged.
    Mismatch,
    /// Not JSON, or without the fields.
    Unreadable,
}

impl NotificationOutcome {
    fn as_str(self) -> String {
        match self {
            NotificationOutcome::Applied(s) => format!("applied:{}", s.as_str()),
            NotificationOutcome::BadSignature => "bad_signature".into(),
            NotificationOutcome::UnknownOrder => "unknown_order".into(),
            NotificationOutcome::Mismatch => "mismatch".into(),
            NotificationOutcome::Unreadable => "unreadable".into(),
        }
    }
}

#[derive(FromRow)]
struct PaymentRow {
    id: i64,
    order_id: String,
    user_id: i64,
    provider: String,
    provider_id: Option<String>,
    amount: i64,
    status: OnlineStatus,
    payment_url: Option<String>,
    receipt_url: Option<String>,
    created_at: DateTime<Utc>,
    paid_at: Option<DateTime<Utc>>,
}

const PAYMENT_COLUMNS: &str = "id, order_id, user_id, provider, provider_id, amount, status, \
     payment_url, receipt_url, created_at, paid_at";

#[derive(FromRow)]
struct PartRow {
    payment_id: i64,
    account_id: i64,
    number: String,
    address: String,
    flat: String,
    period: Option<Period>,
    service_id: Option<i64>,
    service: Option<String>,
    amount: i64,
    ledger_id: Option<i64>,
}

/// The ledger key of one account's share: credited once, however often the job runs.
fn ledger_key(order_id: &str, account_id: i64) -> String {
    format!("online:{order_id}:{account_id}")
}

/// The ledger key of a share's reversal when the bank refunds the payment.
fn refund_key(order_id: &str, account_id: i64) -> String {
    format!("refund:{order_id}:{account_id}")
}

/// The provider's name for people, by the name stored with a payment.
pub fn provider_label(provider: &str) -> &'static str {
    match provider {
        "tbank" => "Т-Банк",
        _ => "Песочница банка",
    }
}

/// `applied!(&mut *tx, &row, reported, now)`: moves a payment by what the bank reported and, on
/// the first confirmation or a refund, queues the job that writes it to the ledger — in the
/// caller's transaction. Gives the new status.
macro_rules! apply_reported {
    ($tx:expr, $row:expr, $reported:expr, $now:expr) => {
        async {
            let current = $row.status;
            let next = advance(current, $reported);
            if next != current {
                sqlx::query(
                    "UPDATE online_payments SET status = $1,
                         paid_at = CASE WHEN $1 = 'confirmed' THEN $2 ELSE paid_at END
                     WHERE id = $3",
                )
                .bind(next.as_str())
                .bind($now)
                .bind($row.id)
                .execute(&mut *$tx)
                .await?;
                if matches!(next, OnlineStatus::Confirmed | OnlineStatus::Refunded) {
                    enqueue_job!(
                        &mut *$tx,
                        &Task::CreditPayment {
                            payment_id: $row.id
                        },
                        $now
                    )?;
                }
            }
            Ok::<_, sqlx::Error>(next)
        }
    };
}

impl Store {
    /// Balances of the given accounts (positive: owed).
    pub async fn balances(&self, account_ids: &[i64]) -> Result<BTreeMap<i64, Money>, AppError> {
        let mut out: BTreeMap<i64, Money> = account_ids.iter().map(|&a| (a, Money::ZERO)).collect();
        if account_ids.is_empty() {
            return Ok(out);
        }
        let rows: Vec<(i64, i64)> = with_db!(&self.db, |pool| {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT account_id, CAST(SUM(amount) AS BIGINT) FROM ledger WHERE account_id IN (",
            );
            push_in_list(&mut q, account_ids);
            q.push(" GROUP BY account_id");
            q.build_query_as().fetch_all(pool).await
        })
        .map_err(internal("account balances"))?;
        for (id, sum) in rows {
            out.insert(id, Money(sum));
        }
        Ok(out)
    }

    /// The payer's open accounts with their balances and the periods they may name.
    pub async fn payable_accounts(
        &self,
        user_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<PayableAccount>, AppError> {
        let home = self.my_home(user_id, today).await?;
        let mut accounts: Vec<PayableAccount> = home
            .apartments
            .iter()
            .flat_map(|a| {
                a.accounts
                    .iter()
                    .filter(|c| c.closed_on.is_none())
                    .map(move |c| PayableAccount {
                        account_id: c.id,
                        number: c.number.clone(),
                        address: format!("{}, кв. {}", a.address, a.number),
                        balance: Money::ZERO,
                        periods: Vec::new(),
                        services: Vec::new(),
                    })
            })
            .collect();
        let ids: Vec<i64> = accounts.iter().map(|a| a.account_id).collect();
        let balances = self.balances(&ids).await?;
        for a in &mut accounts {
            a.balance = balances.get(&a.account_id).copied().unwrap_or_default();
            let periods: Vec<String> = with_db!(&self.db, |pool| sqlx::query_scalar(
                "SELECT DISTINCT period FROM ledger WHERE account_id = $1 AND kind = 'charge'
                 ORDER BY period DESC LIMIT 12"
            )
            .bind(a.account_id)
            .fetch_all(pool)
            .await)
            .map_err(internal("payable periods"))?;
            a.periods = periods.iter().filter_map(|p| Period::parse(p)).collect();
            a.services = with_db!(&self.db, |pool| sqlx::query_as(
                "SELECT s.id, s.name FROM services s
                 JOIN apartments a ON a.house_id = s.house_id
                 JOIN accounts c ON c.apartment_id = a.id
                 WHERE c.id = $1 ORDER BY s.sort, s.id"
            )
            .bind(a.account_id)
            .fetch_all(pool)
            .await)
            .map_err(internal("payable services"))?;
        }
        Ok(accounts)
    }

    /// Creates an order for the user's accounts (the caller has checked each is theirs), with
    /// its expiry job, in one transaction. Returns (payment id, order id).
    pub async fn create_online_payment(
        &self,
        user_id: i64,
        provider: &str,
        parts: &[NewPart],
        now: DateTime<Utc>,
    ) -> Result<(i64, String), AppError> {
        if parts.is_empty() {
            return Err(AppError::invalid("Укажите сумму хотя бы по одному счёту."));
        }
        if let Some(p) = parts.iter().find(|p| p.amount.0 <= 0) {
            return Err(AppError::invalid(format!(
                "Сумма должна быть больше нуля ({}).",
                p.amount.label()
            )));
        }
        let total: Money = parts.iter().map(|p| p.amount).sum();
        if total.0 > MAX_PAYMENT.0 {
            return Err(AppError::invalid(format!(
                "За один раз можно оплатить не больше {}.",
                MAX_PAYMENT.label()
            )));
        }
        let mut accounts: Vec<i64> = parts.iter().map(|p| p.account_id).collect();
        accounts.sort_unstable();
        accounts.dedup();
        if accounts.len() != parts.len() {
            return Err(AppError::invalid("Каждый счёт — одной строкой."));
        }
        let expires = now + Duration::minutes(PAYMENT_MINUTES);
        write_tx!(self, "create online payment", |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO online_payments (order_id, user_id, provider, amount, status,
                     created_at, expires_at)
                 VALUES ($1, $2, $3, $4, 'new', $5, $6) RETURNING id",
            )
            .bind(format!("new-{:032x}", rand_id()))
            .bind(user_id)
            .bind(provider)
            .bind(total.0)
            .bind(now)
            .bind(expires)
            .fetch_one(&mut *tx)
            .await?;
            // the order id the bank sees: unique, short, and says nothing about the payer
            let order_id = format!("K{}-{id}", now.format("%y%m%d"));
            sqlx::query("UPDATE online_payments SET order_id = $1 WHERE id = $2")
                .bind(&order_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for p in parts {
                if let Some(service_id) = p.service_id {
                    // a service of the account's own house
                    let found: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM services s
                         JOIN apartments a ON a.house_id = s.house_id
                         JOIN accounts c ON c.apartment_id = a.id
                         WHERE c.id = $1 AND s.id = $2",
                    )
                    .bind(p.account_id)
                    .bind(service_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    if found == 0 {
                        return Err(AppError::invalid("Такой услуги у этого счёта нет.").into());
                    }
                }
                sqlx::query(
                    "INSERT INTO online_payment_parts (payment_id, account_id, period,
                         service_id, amount)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(p.account_id)
                .bind(p.period.map(|p| p.to_string()))
                .bind(p.service_id)
                .bind(p.amount.0)
                .execute(&mut *tx)
                .await?;
            }
            enqueue_job!(&mut *tx, &Task::ExpirePayment { payment_id: id }, expires)?;
            Ok((id, order_id))
        })
    }

    /// The bank took the order: its payment id and page.
    pub async fn online_payment_started(&self, id: i64, started: &Started) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE online_payments SET provider_id = $1, payment_url = $2,
                 status = CASE WHEN status = 'new' THEN 'pending' ELSE status END
             WHERE id = $3"
        )
        .bind(&started.provider_id)
        .bind(&started.payment_url)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("online payment started"))
    }

    /// The bank refused the order before the payer saw its page.
    pub async fn online_payment_refused(&self, id: i64) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE online_payments SET status = 'rejected' WHERE id = $1 AND status = 'new'"
        )
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("online payment refused"))
    }

    async fn payment_row(&self, order_id: &str) -> Result<Option<PaymentRow>, AppError> {
        let sql = format!("SELECT {PAYMENT_COLUMNS} FROM online_payments WHERE order_id = $1");
        with_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(order_id)
            .fetch_optional(pool)
            .await)
        .map_err(internal("load online payment"))
    }

    /// Records a notification from the bank (`verified`: its signature checked out) and applies
    /// it when it matches its order; a confirmation queues the credit. One transaction; the
    /// notification is kept whatever became of it.
    pub async fn record_notification(
        &self,
        provider: &str,
        body: &str,
        verified: bool,
    ) -> Result<NotificationOutcome, AppError> {
        let fields: Option<Map<String, Value>> = serde_json::from_str(body).ok();
        let text = |k: &str| -> Option<String> {
            fields.as_ref()?.get(k).map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        let (order_id, status) = (text("OrderId"), text("Status"));
        let receipt_url =
            text("Url").filter(|u| u.starts_with("https://") || u.starts_with("http://"));
        let amount = fields
            .as_ref()
            .and_then(|f| f.get("Amount"))
            .and_then(Value::as_i64);
        let row = match &order_id {
            Some(o) => self.payment_row(o).await?,
            None => None,
        };
        let now = Utc::now();
        let outcome = write_tx!(self, "record payment notification", |tx| {
            let outcome = match (&status, amount, &row) {
                _ if !verified => NotificationOutcome::BadSignature,
                (None, _, _) | (_, None, _) => NotificationOutcome::Unreadable,
                (_, _, None) => NotificationOutcome::UnknownOrder,
                (Some(status), Some(amount), Some(row)) => {
                    let same_payment = match (&row.provider_id, text("PaymentId")) {
                        (Some(ours), Some(theirs)) => *ours == theirs,
                        _ => true,
                    };
                    if amount != row.amount || !same_payment || row.provider != provider {
                        NotificationOutcome::Mismatch
                    } else {
                        // the row read before may be stale: read it again under the lock
                        let sql =
                            format!("SELECT {PAYMENT_COLUMNS} FROM online_payments WHERE id = $1");
                        let fresh: PaymentRow = sqlx::query_as(&sql)
                            .bind(row.id)
                            .fetch_one(&mut *tx)
                            .await?;
                        // the fiscal receipt's link comes in its own notification
                        if let Some(url) = receipt_url.as_ref().filter(|_| status == "RECEIPT") {
                            sqlx::query(
                                "UPDATE online_payments SET receipt_url = $1 WHERE id = $2",
                            )
                            .bind(url)
                            .bind(fresh.id)
                            .execute(&mut *tx)
                            .await?;
                        }
                        NotificationOutcome::Applied(
                            apply_reported!(tx, &fresh, status.as_str(), now).await?,
                        )
                    }
                }
            };
            sqlx::query(
                "INSERT INTO payment_notifications (provider, order_id, status, body, outcome,
                     received_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(provider)
            .bind(&order_id)
            .bind(&status)
            .bind(body)
            .bind(outcome.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Ok(outcome)
        })?;
        if !matches!(outcome, NotificationOutcome::Applied(_)) {
            tracing::warn!(provider, outcome = %outcome.as_str(), "payment notification ignored");
        }
        Ok(outcome)
    }

    /// Applies the bank's state fetched from it (trusted: it came over the authenticated API)
    /// if it is about this payment and its amount matches.
    pub async fn apply_bank_state(
        &self,
        payment_id: i64,
        state: &BankState,
    ) -> Result<OnlineStatus, AppError> {
        let now = Utc::now();
        let sql = format!("SELECT {PAYMENT_COLUMNS} FROM online_payments WHERE id = $1");
        write_tx!(self, "apply bank state", |tx| {
            let row: PaymentRow = sqlx::query_as(&sql)
                .bind(payment_id)
                .fetch_one(&mut *tx)
                .await?;
            let status = if state.order_id != row.order_id || state.amount.0 != row.amount {
                tracing::warn!(payment_id, "bank state does not match the order");
                row.status
            } else {
                apply_reported!(tx, &row, state.status.as_str(), now).await?
            };
            Ok(status)
        })
    }

    /// A payment nobody finished: expired unless the bank (asked just before) says otherwise.
    pub async fn expire_online_payment(&self, payment_id: i64) -> Result<OnlineStatus, AppError> {
        write_tx!(self, "expire online payment", |tx| {
            sqlx::query(
                "UPDATE online_payments SET status = 'expired'
                 WHERE id = $1 AND status IN ('new', 'pending')",
            )
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
            let status: OnlineStatus =
                sqlx::query_scalar("SELECT status FROM online_payments WHERE id = $1")
                    .bind(payment_id)
                    .fetch_one(&mut *tx)
                    .await?;
            Ok(status)
        })
    }

    /// The payment an expiry job is about, while it is still open: (its bank id).
    pub async fn open_online_payment(
        &self,
        payment_id: i64,
    ) -> Result<Option<Option<String>>, AppError> {
        let row: Option<(OnlineStatus, Option<String>)> =
            with_db!(&self.db, |pool| sqlx::query_as(
                "SELECT status, provider_id FROM online_payments WHERE id = $1"
            )
            .bind(payment_id)
            .fetch_optional(pool)
            .await)
            .map_err(internal("open online payment"))?;
        Ok(row
            .filter(|(status, _)| !status.is_final())
            .map(|(_, id)| id))
    }

    /// Credits a confirmed payment to its accounts: one ledger entry per account (the named
    /// period, else the payment's month), the payer told through the notification path. A
    /// refunded payment is credited too if it was not yet, then each share is reversed by an
    /// entry of its own in the month of the refund (posted months stay as they were). Runs any
    /// number of times, concurrently too: each share is credited, and reversed, once. Returns
    /// how many ledger entries this call wrote.
    pub async fn credit_online_payment(&self, payment_id: i64) -> Result<usize, AppError> {
        let sql = format!("SELECT {PAYMENT_COLUMNS} FROM online_payments WHERE id = $1");
        let now = Utc::now();
        let today = crate::clock::local(now).date();
        write_tx!(self, "credit online payment", |tx| {
            let row: PaymentRow = sqlx::query_as(&sql)
                .bind(payment_id)
                .fetch_one(&mut *tx)
                .await?;
            let status = row.status;
            if !matches!(status, OnlineStatus::Confirmed | OnlineStatus::Refunded) {
                return Ok(0);
            }
            let parts: Vec<(i64, Option<Period>, Option<i64>, i64)> = sqlx::query_as(
                "SELECT account_id, period, service_id, amount FROM online_payment_parts
                 WHERE payment_id = $1 AND ledger_id IS NULL ORDER BY account_id",
            )
            .bind(payment_id)
            .fetch_all(&mut *tx)
            .await?;
            let on = row.paid_at.map_or(today, |t| crate::clock::local(t).date());
            let mut credited = 0;
            for (account_id, period, service_id, amount) in &parts {
                // no period named: the payment's month
                let period = period.unwrap_or_else(|| Period::of(on));
                let ledger_id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO ledger (account_id, period, kind, service_id, amount,
                         occurred_on, reason, source_key, created_at)
                     VALUES ($1, $2, 'payment', $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (source_key) DO NOTHING RETURNING id",
                )
                .bind(account_id)
                .bind(period.to_string())
                .bind(service_id)
                .bind(-amount)
                .bind(on)
                .bind(format!(
                    "Онлайн-оплата картой ({}), заказ {}",
                    provider_label(&row.provider),
                    row.order_id
                ))
                .bind(ledger_key(&row.order_id, *account_id))
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(ledger_id) = ledger_id {
                    sqlx::query(
                        "UPDATE online_payment_parts SET ledger_id = $1
                         WHERE payment_id = $2 AND account_id = $3",
                    )
                    .bind(ledger_id)
                    .bind(payment_id)
                    .bind(account_id)
                    .execute(&mut *tx)
                    .await?;
                    credited += 1;
                }
            }
            if credited > 0 {
                enqueue_notice!(
                    &mut *tx,
                    &paid_notice(&row, on, NoticeKind::PaymentReceived)
                )?;
            }
            let mut reversed = 0;
            if status == OnlineStatus::Refunded {
                let shares: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT account_id, amount FROM online_payment_parts
                     WHERE payment_id = $1 ORDER BY account_id",
                )
                .bind(payment_id)
                .fetch_all(&mut *tx)
                .await?;
                for (account_id, amount) in shares {
                    let written = sqlx::query(
                        "INSERT INTO ledger (account_id, period, kind, service_id, amount,
                             occurred_on, reason, source_key, created_at)
                         VALUES ($1, $2, 'payment', NULL, $3, $4, $5, $6, $7)
                         ON CONFLICT (source_key) DO NOTHING",
                    )
                    .bind(account_id)
                    .bind(Period::of(today).to_string())
                    .bind(amount)
                    .bind(today)
                    .bind(format!(
                        "Возврат онлайн-оплаты на карту ({}), заказ {}",
                        provider_label(&row.provider),
                        row.order_id
                    ))
                    .bind(refund_key(&row.order_id, account_id))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    reversed += written as usize;
                }
                if reversed > 0 {
                    enqueue_notice!(
                        &mut *tx,
                        &paid_notice(&row, on, NoticeKind::PaymentRefunded)
                    )?;
                }
            }
            Ok(credited + reversed)
        })
    }

    /// The credit job ([`Task::CreditPayment`]).
    pub async fn credit_job(
        &self,
        job: &Job,
        worker: &str,
        payment_id: i64,
    ) -> Result<(), AppError> {
        self.credit_online_payment(payment_id).await?;
        self.finish_job(job, worker).await
    }

    /// Who made a payment (for the access check).
    pub async fn online_payment_user(&self, payment_id: i64) -> Result<i64, AppError> {
        with_db!(&self.db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT user_id FROM online_payments WHERE id = $1"
        )
        .bind(payment_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("online payment owner"))?
        .ok_or(AppError::NotFound)
    }

    /// Card payments, newest first (a user's, or everyone's for staff; the latest 200),
    /// optionally of one status and year.
    pub async fn online_payments(
        &self,
        user_id: Option<i64>,
        filter: &PaymentFilter,
    ) -> Result<Vec<OnlinePaymentView>, AppError> {
        let only = if user_id.is_some() {
            "WHERE user_id = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM online_payments {only}
             ORDER BY created_at DESC, id DESC LIMIT 200"
        );
        let rows: Vec<PaymentRow> = with_db!(&self.db, |pool| {
            let q = sqlx::query_as(&sql);
            match user_id {
                Some(u) => q.bind(u),
                None => q,
            }
            .fetch_all(pool)
            .await
        })
        .map_err(internal("online payments"))?;
        let rows: Vec<PaymentRow> = rows
            .into_iter()
            .filter(|r| filter.status.is_none_or(|s| r.status == s))
            .filter(|r| {
                filter
                    .year
                    .is_none_or(|y| crate::clock::local(r.created_at).date().year() == y)
            })
            .filter(|r| r.status != OnlineStatus::New)
            .collect();
        self.payment_views(rows).await
    }

    /// One payment with its shares and how each was spread over the services.
    pub async fn online_payment(&self, payment_id: i64) -> Result<OnlinePaymentView, AppError> {
        let sql = format!("SELECT {PAYMENT_COLUMNS} FROM online_payments WHERE id = $1");
        let row: PaymentRow = with_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(payment_id)
            .fetch_optional(pool)
            .await)
        .map_err(internal("online payment"))?
        .ok_or(AppError::NotFound)?;
        let mut views = self.payment_views(vec![row]).await?;
        let mut view = views.pop().ok_or(AppError::NotFound)?;
        for part in &mut view.parts {
            part.spread = match &part.service {
                Some(service) => vec![(service.clone(), part.amount)],
                None => {
                    self.spread(part.account_id, part.period, part.amount)
                        .await?
                }
            };
        }
        Ok(view)
    }

    async fn payment_views(
        &self,
        rows: Vec<PaymentRow>,
    ) -> Result<Vec<OnlinePaymentView>, AppError> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut parts: Vec<PartRow> = Vec::new();
        for chunk in ids.chunks(200) {
            let found: Vec<PartRow> = with_db!(&self.db, |pool| {
                let mut q = sqlx::QueryBuilder::new(
                    "SELECT p.payment_id, p.account_id, c.number, h.address, a.number AS flat,
                         p.period, p.service_id, s.name AS service, p.amount, p.ledger_id
                     FROM online_payment_parts p JOIN accounts c ON c.id = p.account_id
                     JOIN apartments a ON a.id = c.apartment_id JOIN houses h ON h.id = a.house_id
                     LEFT JOIN services s ON s.id = p.service_id
                     WHERE p.payment_id IN (",
                );
                push_in_list(&mut q, chunk);
                q.push(" ORDER BY p.account_id");
                q.build_query_as().fetch_all(pool).await
            })
            .map_err(internal("online payment parts"))?;
            parts.extend(found);
        }
        Ok(rows
            .into_iter()
            .map(|r| OnlinePaymentView {
                id: r.id,
                order_id: r.order_id.clone(),
                provider: provider_label(&r.provider).to_string(),
                provider_id: r.provider_id.clone(),
                amount: Money(r.amount),
                status: r.status,
                created_at: crate::clock::local(r.created_at),
                paid_at: r.paid_at.map(crate::clock::local),
                receipt_url: r.receipt_url.clone(),
                payment_url: r.payment_url.clone().filter(|_| !r.status.is_final()),
                parts: parts
                    .iter()
                    .filter(|p| p.payment_id == r.id)
                    .map(|p| PaymentPartView {
                        account_id: p.account_id,
                        account_number: p.number.clone(),
                        address: format!("{}, кв. {}", p.address, p.flat),
                        period: p.period,
                        service_id: p.service_id,
                        service: p.service.clone(),
                        amount: Money(p.amount),
                        credited: p.ledger_id.is_some(),
                        spread: Vec::new(),
                    })
                    .collect(),
            })
            .collect())
    }

    /// How a payment to an account is spread over the services of the period it pays (the
    /// named one, else the last billed): in proportion to their charges (п. 118 ПП 354).
    async fn spread(
        &self,
        account_id: i64,
        period: Option<Period>,
        amount: Money,
    ) -> Result<Vec<(String, Money)>, AppError> {
        let rows: Vec<(String, String, i64)> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT r.period, s.name, CAST(SUM(l.amount) AS BIGINT)
                 FROM accrual_runs r JOIN accrual_lines l ON l.run_id = r.id
                 JOIN services s ON s.id = l.service_id
                 WHERE r.house_id = ({ACCOUNT_HOUSE}) AND r.status = 'posted'
                   AND l.account_id = $1 AND l.kind = 'charge'
                 GROUP BY r.period, s.name, s.sort ORDER BY r.period DESC, s.sort"
        ))
        .bind(account_id)
        .fetch_all(pool)
        .await)
        .map_err(internal("payment spread"))?;
        let chosen = match period {
            Some(p) => p.to_string(),
            None => match rows.first() {
                Some((p, _, _)) => p.clone(),
                None => return Ok(Vec::new()),
            },
        };
        let lines: Vec<&(String, String, i64)> = rows
            .iter()
            .filter(|(p, _, a)| *p == chosen && *a > 0)
            .collect();
        let weights: Vec<rust_decimal::Decimal> = lines
            .iter()
            .map(|(_, _, a)| rust_decimal::Decimal::from(*a))
            .collect();
        let parts = crate::billing::rules::split(amount, &weights);
        Ok(lines
            .into_iter()
            .zip(parts)
            .map(|((_, name, _), part)| (name.clone(), part))
            .collect())
    }
}

/// The payer's notice that the money reached the accounts, or went back to the card.
fn paid_notice(row: &PaymentRow, on: NaiveDate, kind: NoticeKind) -> crate::notify::types::Notice {
    use crate::notify::types::{Notice, Recipients};
    Notice {
        kind,
        recipients: Recipients::User(row.user_id),
        params: BTreeMap::from([
            ("amount".to_string(), Money(row.amount).label()),
            ("date".to_string(), on.format("%d.%m.%Y").to_string()),
            ("order".to_string(), row.order_id.clone()),
        ]),
        link: Some(format!("/cabinet/payment/{}", row.id)),
        source: None,
        channels: None,
    }
}

/// A placeholder order id until the row's own id is known.
fn rand_id() -> u128 {
    rand::random()
}
