//! Billing's storage: services and tariffs, accrual runs (computed as a job, posted in one
//! transaction), the append-only ledger and what is read from it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::FromRow;

use super::bill::BillData;
use super::rules::{
    self, DebtChunk, DueRules, Paid, Payee, PenaltyRule, Quantity, Rate, RateTable, WorkCalendar,
};
use super::types::*;
use crate::db::jobs::Job;
use crate::db::{BeginWrite, Store, internal, is_unique_violation, task_failed};
use crate::error::AppError;
use crate::readings::rules::format_value;
use crate::readings::store::{CLOSE_READINGS_PERIOD, ScopeVolumes, Stay, VolumeScope, persons_in};
use crate::readings::types::{HouseVolumes, ServiceVolume, VolumeSource};
use crate::sheet::ImportReport;
use crate::{audit, enqueue_job, finish_job, with_db};

/// Accounts computed and written per step; the page's progress moves by this much.
const STEP: usize = 1000;
/// Rows per multi-row INSERT (10 columns each: far below both engines' parameter limits).
const INSERT_ROWS: usize = 1000;

/// A quantity or rate as a line stores it: the shortest exact text (`4`, `59.8`).
fn stored(d: Decimal) -> String {
    d.normalize().to_string()
}

fn decimal(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or(Decimal::ZERO)
}

/// A service with the tariff in force for a period (rates by zone), and the first zone's rate
/// as its lines store it (see [`stored`]).
#[derive(Debug, Clone)]
struct PricedService {
    id: i64,
    name: String,
    basis: Basis,
    resource: Option<Utility>,
    rates: Vec<Rate>,
    stored_rate: String,
}

/// An account of the house being charged.
#[derive(Debug, Clone, serde::Deserialize)]
struct AccountRow {
    id: i64,
    apartment_id: i64,
    area_centi_m2: i64,
}

/// A computed line before it is written, its decimals already as stored (see [`stored`]): the
/// computing threads format them, not the one writer.
#[derive(Debug, Clone)]
struct Line {
    account_id: i64,
    service_id: Option<i64>,
    penalty: bool,
    quantity: String,
    unit: &'static str,
    rate: String,
    amount: Money,
    source: Cow<'static, str>,
    explanation: String,
}

/// A ledger entry as the penalty rule and the statements read it.
#[derive(Debug, Clone, FromRow, serde::Deserialize)]
struct Entry {
    account_id: i64,
    period: String,
    kind: String,
    amount: i64,
    occurred_on: NaiveDate,
    reason: String,
}

/// A posted line of an account, for its statement.
#[derive(Debug, Clone, FromRow)]
struct StatementLine {
    period: String,
    service: Option<String>,
    section: Option<String>,
    kind: String,
    quantity: String,
    unit: String,
    rate: String,
    amount: i64,
    source: String,
    explanation: String,
}

/// Everything a run needs besides the accounts and their steps' volumes: read once per run.
struct RunInputs {
    services: Vec<PricedService>,
    /// The resources ОДН is charged for, read for the whole house (the split needs every
    /// apartment's volume and the building meters').
    house_volumes: HashMap<Utility, HouseVolumes>,
    /// The other resources the services need, read step by step for the step's apartments.
    step_resources: Vec<Utility>,
    entries: HashMap<i64, Vec<Entry>>,
    table: RateTable,
    due_rules: DueRules,
    /// ОДН per service: each account's part of the house's sum.
    common_area: HashMap<(i64, i64), (Money, Decimal, String)>,
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
