//! Billing's storage: services and tariffs, accrual runs (computed as a job, posted in one
//! transaction), the append-only ledger and what is read from it.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::FromRow;

use super::bill::BillData;
use super::rules::accrual::{
    ChargedAccount, LedgerEntry, Line, PricedService, RunInputs, account_lines, resources_needed,
    split_common_area, stored,
};
use super::rules::{self, DueRules, Payee, PenaltyRule, Rate, RateTable, WorkCalendar};
use super::types::*;
use crate::db::jobs::Job;
use crate::db::{DecimalText, Store, internal, task_failed};
use crate::error::AppError;
use crate::readings::rules::persons_in;
use crate::readings::store::{CLOSE_READINGS_PERIOD, VolumeScope};
use crate::readings::types::Stay;
use crate::sheet::ImportReport;
use crate::{audit, enqueue_job, finish_job, with_db};

/// Accounts computed and written per step; the page's progress moves by this much.
const STEP: usize = 1000;
/// Rows per multi-row INSERT (10 columns each: far below both engines' parameter limits).
const INSERT_ROWS: usize = 1000;

/// A posted line of an account, for its statement.
#[derive(Debug, Clone, FromRow)]
struct StatementLine {
    period: Period,
    service: Option<String>,
    section: Option<Section>,
    kind: LedgerKind,
    quantity: DecimalText,
    unit: String,
    rate: DecimalText,
    amount: i64,
    source: String,
    explanation: String,
}

#[derive(Debug, Clone, FromRow)]
struct RunRow {
    id: i64,
    house_id: i64,
    period: Period,
    status: RunStatus,
    done: i64,
    total: i64,
    error: Option<String>,
}

impl RunRow {
    fn view(&self) -> RunView {
        RunView {
            id: self.id,
            period: self.period,
            status: self.status,
            done: self.done,
            total: self.total,
            error: self.error.clone(),
        }
    }
}

const RUN_COLUMNS: &str = "id, house_id, period, status, done, total, error";

/// The house of account `$1`, as a subquery: an account's lines are read through its house's
/// runs (the lines are indexed by run and account).
/// An account's number, its house's address and its flat's number.
pub(crate) const ACCOUNT_HEAD: &str = "SELECT c.number, h.address, a.number FROM accounts c
     JOIN apartments a ON a.id = c.apartment_id JOIN houses h ON h.id = a.house_id
     WHERE c.id = $1";

/// An account's ledger entries, in the order they happened.
pub(crate) const ACCOUNT_LEDGER: &str =
    "SELECT account_id, period, kind, amount, occurred_on, reason
     FROM ledger WHERE account_id = $1 ORDER BY occurred_on, id";

pub(crate) const ACCOUNT_HOUSE: &str = "SELECT a.house_id FROM accounts c
     JOIN apartments a ON a.id = c.apartment_id WHERE c.id = $1";

/// `clear_run!(tx, run_id, status, total, error)`: drops a run's draft lines and restarts its
/// progress with the new status (computing again, or failed with the reason).
macro_rules! clear_run {
    ($tx:expr, $run_id:expr, $status:expr, $total:expr, $error:expr) => {
        async {
            sqlx::query("DELETE FROM accrual_lines WHERE run_id = $1")
                .bind($run_id)
                .execute(&mut *$tx)
                .await?;
            sqlx::query(
                "UPDATE accrual_runs SET status = $1, done = 0, total = $2, error = $3
                 WHERE id = $4",
            )
            .bind($status)
            .bind($total)
            .bind($error)
            .bind($run_id)
            .execute(&mut *$tx)
            .await
        }
    };
}

/// Money received for an account.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub account_id: i64,
    pub on: NaiveDate,
    pub amount: Money,
    pub reason: String,
    /// Unique per payment (the bank's or provider's id): the same payment twice is kept once.
    pub source_key: String,
}

/// A new service of a house.
#[derive(Debug, Clone)]
pub struct NewService {
    pub house_id: i64,
    pub name: String,
    pub basis: Basis,
    pub resource: Option<Utility>,
    pub section: Section,
}

mod accrual;
mod bills;
mod import;
mod ledger;
mod rule_tables;
mod tariffs;
