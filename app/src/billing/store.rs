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

/// The job that computes an accrual run: payload `{"run_id": 1}`.
pub const ACCRUAL_JOB: &str = "billing.accrual";

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
    period: String,
    status: String,
    done: i64,
    total: i64,
    error: Option<String>,
}

impl RunRow {
    fn view(&self) -> Option<RunView> {
        Some(RunView {
            id: self.id,
            period: Period::parse(&self.period)?,
            status: RunStatus::parse(&self.status)?,
            done: self.done,
            total: self.total,
            error: self.error.clone(),
        })
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

impl Store {
    /// The dated rule tables: key rates, caps and moratoria, due days and the production
    /// calendar's days off and working weekends.
    async fn rule_tables(&self) -> Result<(RateTable, DueRules), AppError> {
        type PenaltyRow = (
            NaiveDate,
            NaiveDate,
            String,
            Option<String>,
            Option<NaiveDate>,
        );
        let (keys, penalty, due, calendar) = with_db!(&self.db, |pool| async {
            let keys: Vec<(NaiveDate, String)> =
                sqlx::query_as("SELECT valid_from, rate FROM key_rates ORDER BY valid_from")
                    .fetch_all(pool)
                    .await?;
            let penalty: Vec<PenaltyRow> = sqlx::query_as(
                "SELECT valid_from, valid_to, rule, cap, debts_due_before FROM penalty_rules
                 ORDER BY valid_from",
            )
            .fetch_all(pool)
            .await?;
            let due: Vec<(String, i64)> =
                sqlx::query_as("SELECT from_period, day FROM due_day_rules")
                    .fetch_all(pool)
                    .await?;
            let calendar: Vec<(NaiveDate, bool)> =
                sqlx::query_as("SELECT day, working FROM work_calendar")
                    .fetch_all(pool)
                    .await?;
            Ok::<_, sqlx::Error>((keys, penalty, due, calendar))
        }
        .await)
        .map_err(internal("load billing rule tables"))?;
        let table = RateTable {
            key_rates: keys.into_iter().map(|(d, r)| (d, decimal(&r))).collect(),
            rules: penalty
                .into_iter()
                .map(|(from, to, rule, cap, debts_due_before)| {
                    let rule = match (rule.as_str(), cap) {
                        ("cap", Some(cap)) => PenaltyRule::Cap(decimal(&cap)),
                        _ => PenaltyRule::Moratorium { debts_due_before },
                    };
                    (from, to, rule)
                })
                .collect(),
        };
        let due = DueRules {
            days: due
                .into_iter()
                .filter_map(|(p, d)| Some((Period::parse(&p)?, d as u32)))
                .collect(),
            calendar: WorkCalendar {
                exceptions: calendar.into_iter().collect(),
            },
        };
        Ok((table, due))
    }

    /// The due date of a bill for a period.
    pub async fn due_date(&self, period: Period) -> Result<NaiveDate, AppError> {
        let (_, due) = self.rule_tables().await?;
        Ok(due.due_date(period))
    }

    /// The latest posted period of a house.
    async fn last_posted(&self, house_id: i64) -> Result<Option<Period>, AppError> {
        let last: Option<String> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT MAX(period) FROM accrual_runs WHERE house_id = $1 AND status = 'posted'"
        )
        .bind(house_id)
        .fetch_one(pool)
        .await)
        .map_err(internal("last posted period"))?;
        Ok(last.as_deref().and_then(Period::parse))
    }

    /// Refuses a price or norm that would start inside a posted period: closed periods never
    /// change.
    pub async fn ensure_open(&self, house_id: i64, valid_from: NaiveDate) -> Result<(), AppError> {
        match self.last_posted(house_id).await? {
            Some(last) if Period::of(valid_from) <= last => Err(AppError::invalid(format!(
                "Период {} уже проведён — изменение может действовать не раньше {}.",
                last.label(),
                last.plus(1).first_day().format("%d.%m.%Y")
            ))),
            _ => Ok(()),
        }
    }

    /// A house's services with their tariffs.
    pub async fn house_tariffs(&self, house_id: i64) -> Result<HouseTariffs, AppError> {
        let (address, services, tariffs) = with_db!(&self.db, |pool| async {
            let address: Option<String> =
                sqlx::query_scalar("SELECT address FROM houses WHERE id = $1")
                    .bind(house_id)
                    .fetch_optional(pool)
                    .await?;
            let services: Vec<(i64, String, String, Option<String>, String)> = sqlx::query_as(
                "SELECT id, name, basis, resource, section FROM services
                 WHERE house_id = $1 ORDER BY sort, id",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await?;
            let tariffs: Vec<(i64, i64, NaiveDate, i64, String)> = sqlx::query_as(
                "SELECT t.id, t.service_id, t.valid_from, t.zone, t.rate FROM tariffs t
                 JOIN services s ON s.id = t.service_id WHERE s.house_id = $1
                 ORDER BY t.valid_from DESC, t.zone",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((address, services, tariffs))
        }
        .await)
        .map_err(internal("load tariffs"))?;
        let address = address.ok_or(AppError::NotFound)?;
        let services = services
            .into_iter()
            .filter_map(|(id, name, basis, resource, section)| {
                Some(ServiceView {
                    id,
                    name,
                    basis: Basis::parse(&basis)?,
                    resource: resource.as_deref().and_then(Utility::parse),
                    section: Section::parse(&section)?,
                    tariffs: tariffs
                        .iter()
                        .filter(|t| t.1 == id)
                        .map(|t| TariffView {
                            id: t.0,
                            valid_from: t.2,
                            zone: t.3 as u8,
                            rate: decimal(&t.4),
                        })
                        .collect(),
                })
            })
            .collect();
        Ok(HouseTariffs {
            house_id,
            address,
            services,
            last_posted: self.last_posted(house_id).await?,
            payee: self.payee().await?,
            norms: self.house_norms(house_id).await?,
        })
    }

    /// Adds a service to a house (audited).
    pub async fn add_service(&self, actor: Option<i64>, s: &NewService) -> Result<i64, AppError> {
        let name = s.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(AppError::invalid("Название услуги — от 1 до 120 символов."));
        }
        if s.basis.needs_resource() != s.resource.is_some() {
            return Err(AppError::invalid(if s.basis.needs_resource() {
                "Для этой услуги укажите ресурс (вода, электроэнергия, отопление)."
            } else {
                "Ресурс указывается только для услуг по объёму и на общедомовые нужды."
            }));
        }
        let result = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO services (house_id, name, basis, resource, section, sort)
                 VALUES ($1, $2, $3, $4, $5,
                     (SELECT COUNT(*) FROM services WHERE house_id = $1)) RETURNING id",
            )
            .bind(s.house_id)
            .bind(name)
            .bind(s.basis.as_str())
            .bind(s.resource.map(Utility::as_str))
            .bind(s.section.as_str())
            .fetch_one(&mut *tx)
            .await?;
            audit!(&mut *tx, actor, "add_service", "service", Some(id), name)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await);
        match result {
            Err(e) if is_unique_violation(&e) => Err(AppError::invalid(
                "Услуга с таким названием в этом доме уже есть.",
            )),
            other => other.map_err(internal("add service")),
        }
    }

    /// Sets a service's price from the first day of a month for a zone (audited). A price may
    /// not start in a posted period: closed periods never change.
    pub async fn set_tariff(
        &self,
        actor: Option<i64>,
        service_id: i64,
        valid_from: NaiveDate,
        zone: u8,
        rate: Decimal,
    ) -> Result<(), AppError> {
        if chrono::Datelike::day(&valid_from) != 1 {
            return Err(AppError::invalid(
                "Тариф действует с первого числа месяца — укажите 1-е число.",
            ));
        }
        if !(1..=3).contains(&zone) {
            return Err(AppError::invalid("Зона — 1, 2 или 3."));
        }
        if rate.is_sign_negative() || rate > Decimal::from(1_000_000) || rate.scale() > 4 {
            return Err(AppError::invalid(
                "Тариф — неотрицательное число рублей, не больше четырёх знаков после запятой.",
            ));
        }
        let house_id: Option<i64> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT house_id FROM services WHERE id = $1"
        )
        .bind(service_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("find service"))?;
        let house_id = house_id.ok_or(AppError::NotFound)?;
        self.ensure_open(house_id, valid_from).await?;
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO tariffs (service_id, valid_from, zone, rate, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (service_id, zone, valid_from) DO UPDATE SET rate = excluded.rate,
                     created_by = excluded.created_by, created_at = excluded.created_at",
            )
            .bind(service_id)
            .bind(valid_from)
            .bind(i64::from(zone))
            .bind(rate.normalize().to_string())
            .bind(actor)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                actor,
                "set_tariff",
                "service",
                Some(service_id),
                format!("с {valid_from}, зона {zone}: {rate} ₽")
            )?;
            tx.commit().await
        }
        .await)
        .map_err(internal("set tariff"))
    }

    /// Queues the accrual of a house for a period (a draft replaces the previous draft);
    /// returns the run's id. A posted period is final.
    pub async fn start_accrual(
        &self,
        actor: Option<i64>,
        house_id: i64,
        period: Period,
    ) -> Result<i64, AppError> {
        self.queue_accrual(actor, house_id, period, true).await
    }

    /// Computes a run here and now instead of in the worker (the demo loader and the
    /// benchmark); returns the run's id, a draft.
    pub async fn accrue_now(
        &self,
        actor: Option<i64>,
        house_id: i64,
        period: Period,
    ) -> Result<i64, AppError> {
        let run_id = self.queue_accrual(actor, house_id, period, false).await?;
        self.compute_accrual(run_id).await?;
        Ok(run_id)
    }

    async fn queue_accrual(
        &self,
        actor: Option<i64>,
        house_id: i64,
        period: Period,
        with_job: bool,
    ) -> Result<i64, AppError> {
        let result = with_db!(&self.db, |pool| {
            async {
            let mut tx = pool.begin_write().await?;
            let exists: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, status FROM accrual_runs WHERE house_id = $1 AND period = $2",
            )
            .bind(house_id)
            .bind(period.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            let later: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM accrual_runs
                 WHERE house_id = $1 AND period > $2 AND status = 'posted'",
            )
            .bind(house_id)
            .bind(period.to_string())
            .fetch_one(&mut *tx)
            .await?;
            if later > 0 {
                return Ok(Err(AppError::invalid(
                    "Более поздний период уже проведён — этот период рассчитать нельзя.",
                )));
            }
            let id = match exists {
                Some((_, status)) if status == "posted" => {
                    return Ok(Err(AppError::invalid(format!(
                        "Период {} уже проведён. Исправления вносятся перерасчётом в следующем периоде.",
                        period.label()
                    ))));
                }
                Some((_, status)) if status == "queued" || status == "running" => {
                    return Ok(Err(AppError::invalid(
                        "Расчёт этого периода уже идёт — дождитесь окончания.",
                    )));
                }
                Some((id, _)) => {
                    sqlx::query(
                        "UPDATE accrual_runs SET status = 'queued', done = 0, total = 0,
                             error = NULL, started_by = $1, started_at = $2 WHERE id = $3",
                    )
                    .bind(actor)
                    .bind(Utc::now())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    id
                }
                None => {
                    sqlx::query_scalar(
                        "INSERT INTO accrual_runs (house_id, period, status, started_by, started_at)
                         VALUES ($1, $2, 'queued', $3, $4) RETURNING id",
                    )
                    .bind(house_id)
                    .bind(period.to_string())
                    .bind(actor)
                    .bind(Utc::now())
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            if with_job {
                let payload = serde_json::json!({ "run_id": id }).to_string();
                enqueue_job!(&mut *tx, ACCRUAL_JOB, payload, Utc::now())?;
            }
            audit!(
                &mut *tx,
                actor,
                "start_accrual",
                "house",
                Some(house_id),
                period.to_string()
            )?;
            tx.commit().await?;
            Ok(Ok(id))
        }
        .await
        });
        match result {
            // two accountants pressing at once: the second insert meets the first
            Err(e) if is_unique_violation(&e) => Err(AppError::invalid(
                "Расчёт этого периода уже идёт — дождитесь окончания.",
            )),
            other => other.map_err(internal("start accrual"))?,
        }
    }

    /// The job's step: computes the run named in the payload and ends the job.
    pub async fn accrual_job(&self, job: &Job, worker: &str) -> Result<(), AppError> {
        let run_id = serde_json::from_str::<serde_json::Value>(&job.payload)
            .ok()
            .and_then(|v| v.get("run_id").and_then(serde_json::Value::as_i64));
        let Some(run_id) = run_id else {
            return self.fail_job(job, worker, "payload without run_id").await;
        };
        let outcome = self.compute_accrual(run_id).await;
        let (status, error) = match &outcome {
            Ok(_) => ("done", None),
            Err(AppError::Invalid(message)) => ("done", Some(message.clone())),
            Err(_) => return outcome.map(|_| ()),
        };
        with_db!(&self.db, |pool| finish_job!(
            pool, job.id, worker, status, error
        )
        .map(|_| ()))
        .map_err(internal("finish accrual job"))
    }

    /// Computes a run: every open account's charge per service and penalty per overdue chunk,
    /// written as the run's draft lines step by step (the page shows the progress). A run
    /// stopped half-way is simply computed again: the lines are replaced, never added to.
    /// Input problems (a missing tariff) mark the run failed with the reason.
    pub async fn compute_accrual(&self, run_id: i64) -> Result<usize, AppError> {
        let run: Option<RunRow> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT {RUN_COLUMNS} FROM accrual_runs WHERE id = $1"
        ))
        .bind(run_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("load run"))?;
        let run = run.ok_or(AppError::NotFound)?;
        let period = Period::parse(&run.period).ok_or(AppError::Internal)?;
        if run.status == "posted" {
            return Err(AppError::invalid("Период уже проведён."));
        }
        let accounts: Vec<AccountRow> = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let accounts: Vec<AccountRow> = crate::fetch_json!(
                &mut *tx,
                &self.db,
                "c.id, c.apartment_id, a.area_centi_m2",
                &format!(
                    "FROM accounts c JOIN apartments a ON a.id = c.apartment_id
                     WHERE a.house_id = {} AND c.opened_on < '{}'
                       AND (c.closed_on IS NULL OR c.closed_on >= '{}')",
                    run.house_id,
                    period.plus(1).first_day(),
                    period.first_day()
                ),
                "c.id"
            )
            .await?;
            clear_run!(tx, run_id, "running", accounts.len() as i64, None::<&str>).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(accounts)
        }
        .await)
        .map_err(internal("start computing run"))?;
        let started = std::time::Instant::now();
        let inputs = match self.run_inputs(run.house_id, period, &accounts).await {
            Ok(inputs) => inputs,
            Err(AppError::Invalid(message)) => {
                self.fail_run(run_id, &message).await?;
                return Err(AppError::Invalid(message));
            }
            Err(e) => return Err(e),
        };
        let read = started.elapsed();
        // each step's volumes are read and its lines computed while the step before is written
        let inputs = std::sync::Arc::new(inputs);
        let prepare = |batch: &[AccountRow]| {
            let (store, inputs, batch) = (self.clone(), inputs.clone(), batch.to_vec());
            let size = batch.len() as i64;
            let handle =
                tokio::spawn(async move { store.step_lines(&inputs, batch, period).await });
            (size, handle)
        };
        let mut steps = accounts.chunks(STEP);
        let mut next = steps.next().map(prepare);
        let (mut done, mut written) = (0i64, 0usize);
        while let Some((size, handle)) = next.take() {
            let computed = handle
                .await
                .map_err(task_failed("computing accrual lines"))??;
            let lines = match computed {
                Ok(lines) => lines,
                Err(message) => {
                    self.fail_run(run_id, &message).await?;
                    return Err(AppError::Invalid(message));
                }
            };
            next = steps.next().map(prepare);
            done += size;
            written += lines.len();
            self.write_lines(run_id, lines, done).await?;
        }
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE accrual_runs SET status = 'draft', computed_at = $1 WHERE id = $2"
        )
        .bind(Utc::now())
        .bind(run_id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("finish run"))?;
        tracing::info!(
            run_id,
            lines = written,
            read_ms = read.as_millis() as u64,
            compute_and_write_ms = (started.elapsed() - read).as_millis() as u64,
            "accrual computed"
        );
        Ok(written)
    }

    /// One step's lines: its apartments' volumes are read, then its accounts computed on a
    /// blocking thread. The inner error is an input problem the run fails with.
    async fn step_lines(
        &self,
        inputs: &std::sync::Arc<RunInputs>,
        batch: Vec<AccountRow>,
        period: Period,
    ) -> Result<Result<Vec<Line>, String>, AppError> {
        let mut apartments: Vec<i64> = batch.iter().map(|a| a.apartment_id).collect();
        apartments.sort_unstable();
        apartments.dedup();
        let volumes = self
            .volumes(
                VolumeScope::Apartments(apartments),
                &inputs.step_resources,
                period,
            )
            .await?;
        let inputs = inputs.clone();
        tokio::task::spawn_blocking(move || {
            let mut lines = Vec::new();
            for account in &batch {
                lines.append(&mut account_lines(account, period, &inputs, &volumes)?);
            }
            Ok(lines)
        })
        .await
        .map_err(task_failed("computing accrual lines"))
    }

    async fn fail_run(&self, run_id: i64, message: &str) -> Result<(), AppError> {
        tracing::warn!(run_id, message, "accrual run failed");
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            clear_run!(tx, run_id, "failed", 0i64, Some(message)).await?;
            tx.commit().await
        }
        .await)
        .map_err(internal("fail run"))
    }

    /// One step's lines and the progress, in one transaction. The lines' texts move into the
    /// statements (bound by reference, each would be copied once more).
    async fn write_lines(&self, run_id: i64, lines: Vec<Line>, done: i64) -> Result<(), AppError> {
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let mut lines = lines.into_iter().peekable();
            while lines.peek().is_some() {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO accrual_lines (run_id, account_id, service_id, kind, quantity,
                         unit, rate, amount, source, explanation) ",
                );
                q.push_values(lines.by_ref().take(INSERT_ROWS), |mut b, l| {
                    b.push_bind(run_id)
                        .push_bind(l.account_id)
                        .push_bind(l.service_id)
                        .push_bind(if l.penalty { "penalty" } else { "charge" })
                        .push_bind(l.quantity)
                        .push_bind(l.unit)
                        .push_bind(l.rate)
                        .push_bind(l.amount.0)
                        .push_bind(l.source)
                        .push_bind(l.explanation);
                });
                q.build().execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE accrual_runs SET done = $1 WHERE id = $2")
                .bind(done)
                .bind(run_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await)
        .map_err(internal("write accrual lines"))
    }

    /// Reads what a run needs once: priced services, the volumes ОДН is split from, the
    /// accounts' ledger, the rule tables; and splits ОДН.
    async fn run_inputs(
        &self,
        house_id: i64,
        period: Period,
        accounts: &[AccountRow],
    ) -> Result<RunInputs, AppError> {
        let first = period.first_day();
        let (services, tariffs) = with_db!(&self.db, |pool| async {
            let services: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
                "SELECT id, name, basis, resource FROM services WHERE house_id = $1
                 ORDER BY sort, id",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await?;
            // the latest price per service and zone that started by the period's first day
            let tariffs: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT t.service_id, t.zone, t.rate FROM tariffs t
                 JOIN services s ON s.id = t.service_id
                 WHERE s.house_id = $1 AND t.valid_from = (
                     SELECT MAX(t2.valid_from) FROM tariffs t2
                     WHERE t2.service_id = t.service_id AND t2.zone = t.zone
                       AND t2.valid_from <= $2)
                 ORDER BY t.service_id, t.zone",
            )
            .bind(house_id)
            .bind(first)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((services, tariffs))
        }
        .await)
        .map_err(internal("load run services"))?;
        let mut priced = Vec::new();
        for (id, name, basis, resource) in services {
            let Some(basis) = Basis::parse(&basis) else {
                continue;
            };
            let rates: Vec<Rate> = tariffs
                .iter()
                .filter(|t| t.0 == id)
                .map(|t| Rate::new(decimal(&t.2)))
                .collect();
            let Some(first) = rates.first() else {
                return Err(AppError::invalid(format!(
                    "У услуги «{name}» нет тарифа на {} — задайте его в разделе «Услуги и тарифы».",
                    period.label()
                )));
            };
            priced.push(PricedService {
                id,
                name,
                basis,
                resource: resource.as_deref().and_then(Utility::parse),
                stored_rate: stored(first.value),
                rates,
            });
        }
        let mut needed: Vec<Utility> = Vec::new();
        for s in &priced {
            let wanted = match (s.basis, s.resource) {
                (Basis::Wastewater, _) => vec![Utility::ColdWater, Utility::HotWater],
                (_, Some(r)) => vec![r],
                _ => Vec::new(),
            };
            for r in wanted {
                if !needed.contains(&r) {
                    needed.push(r);
                }
            }
        }
        let (house_wide, step_resources): (Vec<Utility>, Vec<Utility>) =
            needed.into_iter().partition(|r| {
                priced
                    .iter()
                    .any(|s| s.basis == Basis::CommonArea && s.resource == Some(*r))
            });
        let house_volumes = async {
            if house_wide.is_empty() {
                return Ok(HashMap::new());
            }
            let volumes = self.volumes(VolumeScope::House(house_id), &house_wide, period);
            Ok(volumes.await?.resources)
        };
        // the ledger is read while the volumes are
        let entries = async {
            with_db!(&self.db, |pool| crate::fetch_json!(
                pool,
                &self.db,
                "l.account_id, l.period, l.kind, l.amount, l.occurred_on, l.reason",
                &format!(
                    "FROM ledger l JOIN accounts c ON c.id = l.account_id
                         JOIN apartments a ON a.id = c.apartment_id
                         WHERE a.house_id = {house_id} AND l.kind <> 'penalty'
                           AND l.occurred_on < '{}'",
                    period.plus(1).first_day()
                ),
                "l.id"
            )
            .await)
            .map_err(internal("load run ledger"))
        };
        let (entries, house_volumes, (table, due_rules)): (Vec<Entry>, _, _) =
            tokio::try_join!(entries, house_volumes, self.rule_tables())?;
        let mut entries_of: HashMap<i64, Vec<Entry>> = HashMap::new();
        for e in entries {
            entries_of.entry(e.account_id).or_default().push(e);
        }
        let common_area = split_common_area(&priced, &house_volumes, accounts);
        Ok(RunInputs {
            services: priced,
            house_volumes,
            step_resources,
            entries: entries_of,
            table,
            due_rules,
            common_area,
        })
    }

    /// Posts a draft: its lines become ledger entries, the period is closed for readings too
    /// — one transaction, all or nothing.
    pub async fn post_accrual(&self, actor: i64, run_id: i64) -> Result<usize, AppError> {
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let run: Option<RunRow> = sqlx::query_as(&format!(
                "SELECT {RUN_COLUMNS} FROM accrual_runs WHERE id = $1"
            ))
            .bind(run_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(run) = run else {
                return Ok(Err(AppError::NotFound));
            };
            if run.status != "draft" {
                return Ok(Err(AppError::invalid(match run.status.as_str() {
                    "posted" => "Период уже проведён.",
                    "failed" => {
                        "Расчёт завершился с ошибкой — исправьте причину и рассчитайте снова."
                    }
                    _ => "Расчёт ещё идёт — провести можно готовый черновик.",
                })));
            }
            let Some(period) = Period::parse(&run.period) else {
                return Ok(Err(AppError::Internal));
            };
            let posted = sqlx::query(
                "INSERT INTO ledger (account_id, period, kind, service_id, amount, occurred_on,
                     run_id, reason, created_by, created_at)
                 SELECT account_id, $1, kind, service_id, amount, $2, run_id, '', $3, $4
                 FROM accrual_lines WHERE run_id = $5 AND amount <> 0 ORDER BY id",
            )
            .bind(period.to_string())
            .bind(period.plus(1).first_day())
            .bind(actor)
            .bind(Utc::now())
            .bind(run_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(
                "UPDATE accrual_runs SET status = 'posted', posted_by = $1, posted_at = $2
                 WHERE id = $3",
            )
            .bind(actor)
            .bind(Utc::now())
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(CLOSE_READINGS_PERIOD)
                .bind(run.house_id)
                .bind(period.to_string())
                .bind(actor)
                .bind(Utc::now())
                .execute(&mut *tx)
                .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "post_accrual",
                "house",
                Some(run.house_id),
                format!("{period}: {posted} записей")
            )?;
            tx.commit().await?;
            Ok(Ok(posted as usize))
        }
        .await)
        .map_err(internal("post accrual"))?
    }

    /// A run's state (the page polls it for the progress bar).
    pub async fn accrual_run(&self, run_id: i64) -> Result<RunView, AppError> {
        let run: Option<RunRow> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT {RUN_COLUMNS} FROM accrual_runs WHERE id = $1"
        ))
        .bind(run_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("load run"))?;
        run.and_then(|r| r.view()).ok_or(AppError::NotFound)
    }

    /// The accountant's page of a house and period: the run, totals per service against the
    /// previous period, the house's runs.
    pub async fn accrual_page(
        &self,
        house_id: i64,
        period: Period,
    ) -> Result<AccrualPage, AppError> {
        let previous = period.plus(-1);
        let (address, runs, accounts, current, before) = with_db!(&self.db, |pool| async {
            let address: Option<String> =
                sqlx::query_scalar("SELECT address FROM houses WHERE id = $1")
                    .bind(house_id)
                    .fetch_optional(pool)
                    .await?;
            let runs: Vec<RunRow> = sqlx::query_as(&format!(
                "SELECT {RUN_COLUMNS} FROM accrual_runs WHERE house_id = $1 ORDER BY period DESC"
            ))
            .bind(house_id)
            .fetch_all(pool)
            .await?;
            let accounts: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM accounts c JOIN apartments a ON a.id = c.apartment_id
                 WHERE a.house_id = $1 AND c.closed_on IS NULL",
            )
            .bind(house_id)
            .fetch_one(pool)
            .await?;
            let totals_sql = "SELECT COALESCE(s.name, ''), CAST(SUM(l.amount) AS BIGINT)
                 FROM accrual_lines l JOIN accrual_runs r ON r.id = l.run_id
                 LEFT JOIN services s ON s.id = l.service_id
                 WHERE r.house_id = $1 AND r.period = $2
                 GROUP BY COALESCE(s.name, ''), COALESCE(s.sort, 1000)
                 ORDER BY COALESCE(s.sort, 1000)";
            let current: Vec<(String, i64)> = sqlx::query_as(totals_sql)
                .bind(house_id)
                .bind(period.to_string())
                .fetch_all(pool)
                .await?;
            let before: Vec<(String, i64)> = sqlx::query_as(totals_sql)
                .bind(house_id)
                .bind(previous.to_string())
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((address, runs, accounts, current, before))
        }
        .await)
        .map_err(internal("load accrual page"))?;
        let address = address.ok_or(AppError::NotFound)?;
        let mut totals: Vec<ServiceTotal> = Vec::new();
        for (name, amount, is_current) in current
            .into_iter()
            .map(|(n, a)| (n, a, true))
            .chain(before.into_iter().map(|(n, a)| (n, a, false)))
        {
            let name = if name.is_empty() {
                super::text::PENALTIES.to_string()
            } else {
                name
            };
            let index = match totals.iter().position(|t| t.name == name) {
                Some(i) => i,
                None => {
                    totals.push(ServiceTotal {
                        name: name.clone(),
                        previous: Money::ZERO,
                        current: Money::ZERO,
                    });
                    totals.len() - 1
                }
            };
            let row = &mut totals[index];
            if is_current {
                row.current = Money(amount);
            } else {
                row.previous = Money(amount);
            }
        }
        let history: Vec<RunView> = runs.iter().filter_map(RunRow::view).collect();
        Ok(AccrualPage {
            house_id,
            address,
            period,
            run: history.iter().find(|r| r.period == period).cloned(),
            accounts,
            totals,
            history,
        })
    }

    /// Records money received (ledger entries, negative amounts) in one transaction; a
    /// payment whose `source_key` is already there is skipped. Returns how many were new.
    pub async fn record_payments(
        &self,
        actor: Option<i64>,
        payments: &[NewPayment],
    ) -> Result<usize, AppError> {
        if let Some(p) = payments.iter().find(|p| p.amount.0 <= 0) {
            return Err(AppError::invalid(format!(
                "Сумма платежа должна быть больше нуля ({}).",
                p.amount.label()
            )));
        }
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let mut new = 0;
            for p in payments {
                new += sqlx::query(
                    "INSERT INTO ledger (account_id, period, kind, amount, occurred_on, reason,
                         source_key, created_by, created_at)
                     VALUES ($1, $2, 'payment', $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (source_key) DO NOTHING",
                )
                .bind(p.account_id)
                .bind(Period::of(p.on).to_string())
                .bind(-p.amount.0)
                .bind(p.on)
                .bind(&p.reason)
                .bind(&p.source_key)
                .bind(actor)
                .bind(Utc::now())
                .execute(&mut *tx)
                .await?
                .rows_affected() as usize;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(new)
        }
        .await)
        .map_err(internal("record payments"))
    }

    /// An account's months from the ledger, with the posted runs' lines as their detail.
    pub async fn account_statement(&self, account_id: i64) -> Result<AccountStatement, AppError> {
        let (head, entries, lines) = with_db!(&self.db, |pool| async {
            let head: Option<(String, String, String)> = sqlx::query_as(
                "SELECT c.number, h.address, a.number FROM accounts c
                 JOIN apartments a ON a.id = c.apartment_id JOIN houses h ON h.id = a.house_id
                 WHERE c.id = $1",
            )
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
            let entries: Vec<Entry> = sqlx::query_as(
                "SELECT account_id, period, kind, amount, occurred_on, reason FROM ledger
                 WHERE account_id = $1 ORDER BY occurred_on, id",
            )
            .bind(account_id)
            .fetch_all(pool)
            .await?;
            let lines: Vec<StatementLine> = sqlx::query_as(&format!(
                "SELECT r.period, s.name AS service, s.section, l.kind, l.quantity, l.unit, l.rate,
                         l.amount, l.source, l.explanation
                     FROM accrual_runs r JOIN accrual_lines l ON l.run_id = r.id
                     LEFT JOIN services s ON s.id = l.service_id
                     WHERE r.house_id = ({ACCOUNT_HOUSE}) AND r.status = 'posted'
                       AND l.account_id = $1
                     ORDER BY r.period, l.kind, s.sort, l.id"
            ))
            .bind(account_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((head, entries, lines))
        }
        .await)
        .map_err(internal("load statement"))?;
        let (number, address, flat) = head.ok_or(AppError::NotFound)?;
        let (_, due_rules) = self.rule_tables().await?;
        let mut by_period: BTreeMap<Period, Vec<Entry>> = BTreeMap::new();
        for e in entries {
            if let Some(p) = Period::parse(&e.period) {
                by_period.entry(p).or_default().push(e);
            }
        }
        let mut details: HashMap<Period, Vec<LineView>> = HashMap::new();
        for l in lines {
            let Some(p) = Period::parse(&l.period) else {
                continue;
            };
            details.entry(p).or_default().push(LineView {
                service: l.service.unwrap_or_else(|| super::text::PENALTIES.into()),
                section: l.section.as_deref().and_then(Section::parse),
                penalty: l.kind == "penalty",
                quantity: decimal(&l.quantity),
                unit: l.unit,
                rate: decimal(&l.rate),
                amount: Money(l.amount),
                source: l.source,
                explanation: l.explanation,
            });
        }
        let mut balance = Money::ZERO;
        let mut months = Vec::new();
        for (period, entries) in by_period {
            let opening = balance;
            let sum = |kinds: &[&str]| -> Money {
                entries
                    .iter()
                    .filter(|e| kinds.contains(&e.kind.as_str()))
                    .map(|e| Money(e.amount))
                    .sum()
            };
            let list = |kinds: &[&str]| -> Vec<EntryView> {
                entries
                    .iter()
                    .filter(|e| kinds.contains(&e.kind.as_str()))
                    .map(|e| EntryView {
                        on: e.occurred_on,
                        amount: Money(e.amount),
                        reason: e.reason.clone(),
                    })
                    .collect()
            };
            let charged = sum(&["charge"]);
            let penalties = sum(&["penalty"]);
            let paid = -sum(&["payment"]);
            let total: Money = entries.iter().map(|e| Money(e.amount)).sum();
            balance += total;
            months.push(MonthStatement {
                period,
                opening,
                lines: details.remove(&period).unwrap_or_default(),
                charged,
                penalties,
                corrections: list(&["correction", "opening"]),
                payments: list(&["payment"]),
                paid,
                closing: balance,
                due_on: due_rules.due_date(period),
            });
        }
        months.reverse();
        Ok(AccountStatement {
            account_id,
            number,
            address: format!("{address}, кв. {flat}"),
            balance,
            months,
        })
    }

    /// The turnover sheet (оборотно-сальдовая ведомость) of a house for a period: per account,
    /// the balance before, what the period charged, penalties, corrections, payments, after.
    pub async fn turnover(
        &self,
        house_id: i64,
        period: Period,
    ) -> Result<Vec<TurnoverRow>, AppError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            number: String,
            flat: String,
            owner: Option<String>,
            opening: i64,
            charged: i64,
            penalties: i64,
            corrections: i64,
            paid: i64,
        }
        let rows: Vec<Row> = with_db!(&self.db, |pool| sqlx::query_as(
            "SELECT c.id, c.number, a.number AS flat,
                 (SELECT MIN(p.full_name) FROM residencies r JOIN people p ON p.id = r.person_id
                  WHERE r.apartment_id = a.id AND r.relation = 'owner' AND r.status = 'active'
                    AND r.moved_out IS NULL) AS owner,
                 CAST(COALESCE(SUM(CASE WHEN l.period < $2 THEN l.amount END), 0) AS BIGINT) AS opening,
                 CAST(COALESCE(SUM(CASE WHEN l.period = $2 AND l.kind = 'charge' THEN l.amount END), 0) AS BIGINT) AS charged,
                 CAST(COALESCE(SUM(CASE WHEN l.period = $2 AND l.kind = 'penalty' THEN l.amount END), 0) AS BIGINT) AS penalties,
                 CAST(COALESCE(SUM(CASE WHEN l.period = $2 AND l.kind IN ('correction','opening') THEN l.amount END), 0) AS BIGINT) AS corrections,
                 CAST(COALESCE(-SUM(CASE WHEN l.period = $2 AND l.kind = 'payment' THEN l.amount END), 0) AS BIGINT) AS paid
             FROM accounts c JOIN apartments a ON a.id = c.apartment_id
             LEFT JOIN ledger l ON l.account_id = c.id AND l.period <= $2
             WHERE a.house_id = $1
             GROUP BY c.id, c.number, a.id, a.number
             ORDER BY c.number"
        )
        .bind(house_id)
        .bind(period.to_string())
        .fetch_all(pool)
        .await)
        .map_err(internal("turnover sheet"))?;
        Ok(rows
            .into_iter()
            .map(|r| TurnoverRow {
                account_id: r.id,
                account: r.number,
                apartment: r.flat,
                owner: r.owner.unwrap_or_default(),
                opening: Money(r.opening),
                charged: Money(r.charged),
                penalties: Money(r.penalties),
                corrections: Money(r.corrections),
                paid: Money(r.paid),
                closing: Money(r.opening + r.charged + r.penalties + r.corrections - r.paid),
            })
            .collect())
    }
}

impl Store {
    /// Sets the organisation's details — the payee of every bill, QR, payment confirmation
    /// and export (audited).
    pub async fn set_payee(&self, actor: Option<i64>, p: &Payee) -> Result<(), AppError> {
        rules::check_payee(p).map_err(AppError::Invalid)?;
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO organisation (id, name, inn, kpp, account, bank_name, bic, corr_account)
                 VALUES (1, $1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, inn = excluded.inn,
                     kpp = excluded.kpp, account = excluded.account,
                     bank_name = excluded.bank_name, bic = excluded.bic,
                     corr_account = excluded.corr_account",
            )
            .bind(p.name.trim())
            .bind(&p.inn)
            .bind(&p.kpp)
            .bind(&p.account)
            .bind(p.bank_name.trim())
            .bind(&p.bic)
            .bind(&p.corr_account)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                actor,
                "set_payee",
                "organisation",
                Some(1_i64),
                format!("{}, ИНН {}, р/с {}", p.name.trim(), p.inn, p.account)
            )?;
            tx.commit().await
        }
        .await)
        .map_err(internal("set payee"))
    }

    /// What the bill of an account for a period shows: its month from the statement, the
    /// payer (the owner, else the first resident), the apartment and the organisation as payee.
    pub async fn bill_data(&self, account_id: i64, period: Period) -> Result<BillData, AppError> {
        let statement = self.account_statement(account_id).await?;
        let month = statement
            .months
            .into_iter()
            .find(|m| m.period == period)
            .ok_or_else(|| AppError::invalid(format!("За {} начислений нет.", period.label())))?;
        let head = with_db!(&self.db, |pool| async {
            let head: Option<(String, String, i64, i64)> = sqlx::query_as(
                "SELECT h.address, a.number, a.area_centi_m2, a.id FROM accounts c
                 JOIN apartments a ON a.id = c.apartment_id JOIN houses h ON h.id = a.house_id
                 WHERE c.id = $1",
            )
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
            let Some((address, flat, area, apartment_id)) = head else {
                return Ok(None);
            };
            let people: Vec<(String, String, NaiveDate, Option<NaiveDate>)> = sqlx::query_as(
                "SELECT p.full_name, r.relation, r.moved_in, r.moved_out FROM residencies r
                 JOIN people p ON p.id = r.person_id
                 WHERE r.apartment_id = $1 AND r.status = 'active'
                 ORDER BY r.relation <> 'owner', r.id",
            )
            .bind(apartment_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>(Some((address, flat, area, people)))
        }
        .await)
        .map_err(internal("load bill"))?;
        let (address, flat, area, people) = head.ok_or(AppError::NotFound)?;
        let payee = self.required_payee().await?;
        let stays: Vec<Stay> = people.iter().map(|p| (p.2, p.3)).collect();
        Ok(BillData {
            payee,
            account_number: statement.number,
            payer: people
                .iter()
                .find(|p| p.3.is_none())
                .map(|p| p.0.clone())
                .unwrap_or_default(),
            address,
            flat,
            area: Decimal::new(area, 2),
            persons: persons_in(&stays, period),
            month,
        })
    }

    /// The organisation's details, the payee of every bill, if the chair has set them.
    pub async fn payee(&self) -> Result<Option<Payee>, AppError> {
        let row: Option<(String, String, String, String, String, String, String)> =
            with_db!(&self.db, |pool| sqlx::query_as(
                "SELECT name, inn, kpp, account, bank_name, bic, corr_account FROM organisation"
            )
            .fetch_optional(pool)
            .await)
            .map_err(internal("load payee"))?;
        Ok(row.map(
            |(name, inn, kpp, account, bank_name, bic, corr_account)| Payee {
                name,
                inn,
                kpp,
                account,
                bank_name,
                bic,
                corr_account,
            },
        ))
    }

    /// The payee, or the message that sends staff to set it.
    pub async fn required_payee(&self) -> Result<Payee, AppError> {
        self.payee().await?.ok_or_else(|| {
            AppError::invalid(
                "Реквизиты организации-получателя платежей не заданы — председатель указывает их в разделе «Организация».",
            )
        })
    }
}

/// ОДН: per common-area service, the house's excess (building meter − the flats) priced once
/// and split by area, so the flats' parts sum to the house's sum to the kopeck.
fn split_common_area(
    services: &[PricedService],
    volumes: &HashMap<Utility, HouseVolumes>,
    accounts: &[AccountRow],
) -> HashMap<(i64, i64), (Money, Decimal, String)> {
    let mut out = HashMap::new();
    for s in services.iter().filter(|s| s.basis == Basis::CommonArea) {
        let Some(resource) = s.resource else { continue };
        let Some(house) = volumes.get(&resource) else {
            continue;
        };
        let Some(building) = house.building else {
            continue;
        };
        let flats: Decimal = house.apartments.values().map(|v| v.total).sum();
        let excess = (building - flats).max(Decimal::ZERO);
        let unit = resource.unit();
        let total = rules::to_kopecks(excess * s.rates[0].value);
        let areas: Vec<Decimal> = accounts
            .iter()
            .map(|a| Decimal::new(a.area_centi_m2, 2))
            .collect();
        let all_area: Decimal = areas.iter().sum();
        let parts = rules::split(total, &areas);
        for ((account, area), part) in accounts.iter().zip(&areas).zip(parts) {
            let share = if all_area.is_zero() {
                Decimal::ZERO
            } else {
                (excess * area / all_area).round_dp(3)
            };
            let explanation = format!(
                "ОДПУ {} − квартиры {} = {} {unit} на дом × {} ₽ = {}; доля по площади {} из {} м²",
                format_value(building),
                format_value(flats),
                format_value(excess),
                s.rates[0].text,
                total.label(),
                area.to_string().replace('.', ","),
                all_area.to_string().replace('.', ",")
            );
            out.insert((account.id, s.id), (part, share, explanation));
        }
    }
    out
}

/// The quantity an account is charged for a service (None: nothing to charge, e.g. ОДН in a
/// house without a building meter).
fn quantity<'a>(
    s: &PricedService,
    account: &AccountRow,
    period: Period,
    inputs: &'a RunInputs,
    step: &'a ScopeVolumes,
) -> Option<Quantity<'a>> {
    let volume = |r: Utility| -> Option<&ServiceVolume> {
        step.resources
            .get(&r)
            .or_else(|| inputs.house_volumes.get(&r))?
            .apartments
            .get(&account.apartment_id)
    };
    let source_label = |v: &ServiceVolume| match v.source {
        VolumeSource::Reading => "по показаниям",
        VolumeSource::Average => "по среднему",
        VolumeSource::Norm => "по нормативу",
    };
    Some(match s.basis {
        Basis::Area => Quantity {
            zones: Cow::Owned(vec![Decimal::new(account.area_centi_m2, 2)]),
            unit: "м²",
            source: "площадь",
            explanation: Cow::Borrowed("Площадь квартиры"),
        },
        Basis::Person => {
            let none = Vec::new();
            let stays = step.stays.get(&account.apartment_id).unwrap_or(&none);
            let persons = persons_in(stays, period);
            Quantity {
                zones: Cow::Owned(vec![Decimal::from(persons)]),
                unit: "чел.",
                source: "зарегистрированные",
                explanation: Cow::Owned(format!(
                    "Зарегистрировано {persons} чел. (не меньше одного)"
                )),
            }
        }
        Basis::Metered => {
            let v = volume(s.resource?)?;
            Quantity {
                zones: Cow::Borrowed(&v.zones),
                unit: v.resource.unit(),
                source: source_label(v),
                explanation: Cow::Borrowed(&v.explanation),
            }
        }
        Basis::Wastewater => {
            let (cold, hot) = (volume(Utility::ColdWater)?, volume(Utility::HotWater)?);
            Quantity {
                zones: Cow::Owned(vec![cold.total + hot.total]),
                unit: "м³",
                source: if cold.source == VolumeSource::Reading
                    && hot.source == VolumeSource::Reading
                {
                    "по показаниям"
                } else {
                    "по объёму воды"
                },
                explanation: Cow::Owned(format!(
                    "Холодная {} м³ + горячая {} м³",
                    format_value(cold.total),
                    format_value(hot.total)
                )),
            }
        }
        Basis::Fixed => Quantity {
            zones: Cow::Owned(vec![Decimal::ONE]),
            unit: "кв.",
            source: "за квартиру",
            explanation: Cow::Borrowed("Фиксированная плата за квартиру"),
        },
        Basis::CommonArea => return None,
    })
}

/// Every line of one account for the period: one per service, one per overdue chunk.
fn account_lines(
    account: &AccountRow,
    period: Period,
    inputs: &RunInputs,
    step: &ScopeVolumes,
) -> Result<Vec<Line>, String> {
    let mut lines = Vec::new();
    for s in &inputs.services {
        if s.basis == Basis::CommonArea {
            if let Some((amount, share, explanation)) = inputs.common_area.get(&(account.id, s.id))
            {
                lines.push(Line {
                    account_id: account.id,
                    service_id: Some(s.id),
                    penalty: false,
                    quantity: stored(*share),
                    unit: s.resource.map_or("", |r| r.unit()),
                    rate: s.stored_rate.clone(),
                    amount: *amount,
                    source: Cow::Borrowed("ОДН"),
                    explanation: explanation.clone(),
                });
            }
            continue;
        }
        let Some(mut q) = quantity(s, account, period, inputs, step) else {
            continue;
        };
        // a multi-zone meter priced by a single-rate tariff (or a norm under a zoned one):
        // the whole volume at the first zone's price
        if q.zones.len() != s.rates.len() {
            q.zones = Cow::Owned(vec![q.total()]);
        }
        let rates = if q.zones.len() == 1 {
            &s.rates[..1]
        } else {
            &s.rates[..]
        };
        // the quantity's explanation, then the formula on a line of its own
        let mut explanation = String::with_capacity(q.explanation.len() + 96);
        explanation.push_str(&q.explanation);
        explanation.push('\n');
        let amount = rules::price(&q, rates, &mut explanation)
            .map_err(|e| format!("Услуга «{}»: {e}", s.name))?;
        lines.push(Line {
            account_id: account.id,
            service_id: Some(s.id),
            penalty: false,
            quantity: stored(q.total()),
            unit: q.unit,
            rate: s.stored_rate.clone(),
            amount,
            source: Cow::Borrowed(q.source),
            explanation,
        });
    }
    if let Some(entries) = inputs.entries.get(&account.id) {
        let mut charged: BTreeMap<Period, Money> = BTreeMap::new();
        let mut paid = Vec::new();
        for e in entries {
            if e.kind == "payment" {
                // a payment's ledger period differs from its month only when the payer named it
                paid.push(Paid {
                    on: e.occurred_on,
                    amount: Money(-e.amount),
                    pays: Period::parse(&e.period).filter(|p| *p != Period::of(e.occurred_on)),
                });
            } else if let Some(p) = Period::parse(&e.period).filter(|p| *p < period) {
                *charged.entry(p).or_default() += Money(e.amount);
            }
        }
        let chunks: Vec<DebtChunk> = charged
            .into_iter()
            .map(|(p, amount)| DebtChunk {
                period: p,
                due_on: inputs.due_rules.due_date(p),
                amount,
            })
            .collect();
        let last = period.day(31);
        for line in rules::penalties(
            &chunks,
            &paid,
            period.first_day(),
            last,
            last,
            &inputs.table,
        ) {
            lines.push(Line {
                account_id: account.id,
                service_id: None,
                penalty: true,
                quantity: (line.days_300 + line.days_130).to_string(),
                unit: "дн.",
                rate: stored(line.rate),
                amount: line.amount,
                source: Cow::Owned(format!("долг за {}", line.period.label())),
                explanation: line.explanation,
            });
        }
    }
    Ok(lines)
}

/// What an import found in the database about a house.
struct ImportContext {
    /// Apartment number → (id, area).
    apartments: HashMap<String, (i64, i64)>,
    entrances: HashMap<i64, i64>,
    /// Account number → (id, house id, apartment number).
    accounts: HashMap<String, (i64, i64, String)>,
    /// Service name in lower case → id.
    services: HashMap<String, i64>,
    /// The first period this house's charges were computed in Ключ: history stops before it.
    first_posted: Option<Period>,
}

impl Store {
    async fn import_context(&self, house_id: i64) -> Result<ImportContext, AppError> {
        with_db!(&self.db, |pool| async {
            let apartments: Vec<(String, i64, i64)> = sqlx::query_as(
                "SELECT number, id, area_centi_m2 FROM apartments WHERE house_id = $1",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await?;
            let entrances: Vec<(i64, i64)> =
                sqlx::query_as("SELECT number, id FROM entrances WHERE house_id = $1")
                    .bind(house_id)
                    .fetch_all(pool)
                    .await?;
            let accounts: Vec<(String, i64, i64, String)> = sqlx::query_as(
                "SELECT c.number, c.id, a.house_id, a.number FROM accounts c
                 JOIN apartments a ON a.id = c.apartment_id",
            )
            .fetch_all(pool)
            .await?;
            let services: Vec<(String, i64)> =
                sqlx::query_as("SELECT name, id FROM services WHERE house_id = $1")
                    .bind(house_id)
                    .fetch_all(pool)
                    .await?;
            let first_posted: Option<String> = sqlx::query_scalar(
                "SELECT MIN(period) FROM accrual_runs WHERE house_id = $1 AND status = 'posted'",
            )
            .bind(house_id)
            .fetch_one(pool)
            .await?;
            Ok::<_, sqlx::Error>(ImportContext {
                apartments: apartments
                    .into_iter()
                    .map(|(n, id, area)| (n.to_lowercase(), (id, area)))
                    .collect(),
                entrances: entrances.into_iter().collect(),
                accounts: accounts
                    .into_iter()
                    .map(|(n, id, house, flat)| (n, (id, house, flat)))
                    .collect(),
                services: services
                    .into_iter()
                    .map(|(n, id)| (n.to_lowercase(), id))
                    .collect(),
                first_posted: first_posted.as_deref().and_then(Period::parse),
            })
        }
        .await)
        .map_err(internal("load import context"))
    }

    /// Imports personal accounts of a house with their apartments (created, or their area
    /// updated), residents and opening balances. With `commit` false only checks and says what
    /// would happen; with it true writes everything in one transaction, and nothing when any
    /// row is wrong. An account already loaded into this apartment is skipped.
    pub async fn import_accounts(
        &self,
        actor: i64,
        house_id: i64,
        bytes: &[u8],
        commit: bool,
    ) -> Result<ImportReport, AppError> {
        use super::import::{AccountLine, check_accounts};
        use crate::housing::rules::format_area;
        let table = crate::sheet::read_table(bytes).map_err(AppError::invalid)?;
        let (lines, mut errors) = check_accounts(&table);
        let context = self.import_context(house_id).await?;
        let taken_els: Vec<String> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT els FROM accounts WHERE els IS NOT NULL"
        )
        .fetch_all(pool)
        .await)
        .map_err(internal("known ЕЛС"))?;
        let mut new: Vec<&AccountLine> = Vec::new();
        let mut skipped = 0;
        let mut areas_changed = Vec::new();
        for l in &lines {
            let mut problems = Vec::new();
            match context.accounts.get(&l.number) {
                Some((_, house, flat))
                    if *house == house_id && flat.eq_ignore_ascii_case(&l.apartment) =>
                {
                    skipped += 1;
                    continue;
                }
                Some((_, _, flat)) => problems.push(format!(
                    "лицевой счёт {} уже открыт на другую квартиру ({flat})",
                    l.number
                )),
                None => {}
            }
            if let Some(els) = &l.els
                && (taken_els.contains(els)
                    || lines
                        .iter()
                        .any(|o| o.line < l.line && o.els.as_ref() == Some(els)))
            {
                problems.push(format!("ЕЛС {els} уже есть у другого лицевого счёта"));
            }
            if let (Some((_, on)), Some(first)) = (l.opening, context.first_posted)
                && AccountLine::opening_period(on) >= first
            {
                problems.push(format!(
                    "сальдо на {}: с {} начисления уже ведутся в Ключе — сальдо берётся не позже {}",
                    on.format("%d.%m.%Y"),
                    first.label(),
                    first.first_day().format("%d.%m.%Y")
                ));
            }
            if !problems.is_empty() {
                errors.push(format!("Строка {}: {}.", l.line, problems.join("; ")));
                continue;
            }
            if let Some((_, area)) = context.apartments.get(&l.apartment.to_lowercase())
                && *area != l.area_centi_m2
            {
                areas_changed.push(format!(
                    "кв. {}: {} → {} м²",
                    l.apartment,
                    format_area(*area),
                    format_area(l.area_centi_m2)
                ));
            }
            new.push(l);
        }
        crate::sheet::sort_by_line(&mut errors);
        let people: usize = new.iter().map(|l| l.people.len()).sum();
        let openings: Vec<Money> = new
            .iter()
            .filter_map(|l| l.opening.map(|o| o.0))
            .filter(|m| *m != Money::ZERO)
            .collect();
        let new_flats = new
            .iter()
            .filter(|l| !context.apartments.contains_key(&l.apartment.to_lowercase()))
            .count();
        let mut notes = vec![format!(
            "Лицевых счетов: {} новых{}.",
            new.len(),
            if skipped > 0 {
                format!(", {skipped} уже загружены раньше — пропускаются")
            } else {
                String::new()
            }
        )];
        notes.push(format!(
            "Квартир новых: {new_flats}; жильцов: {people}; входящих сальдо: {} на {}.",
            openings.len(),
            openings.iter().copied().sum::<Money>().label()
        ));
        if !areas_changed.is_empty() {
            notes.push(format!("Площадь изменится: {}.", areas_changed.join(", ")));
        }
        let rows = crate::sheet::data_rows(&table);
        if !commit || !errors.is_empty() || new.is_empty() {
            return Ok(ImportReport {
                rows,
                errors,
                notes,
                saved: false,
            });
        }
        let now = Utc::now();
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let mut entrances = context.entrances.clone();
            let mut apartments = context.apartments.clone();
            for l in &new {
                let entrance_id = match l.entrance {
                    Some(n) => Some(match entrances.get(&n) {
                        Some(id) => *id,
                        None => {
                            let id: i64 = sqlx::query_scalar(
                                "INSERT INTO entrances (house_id, number) VALUES ($1, $2)
                                 RETURNING id",
                            )
                            .bind(house_id)
                            .bind(n)
                            .fetch_one(&mut *tx)
                            .await?;
                            entrances.insert(n, id);
                            id
                        }
                    }),
                    None => None,
                };
                let key = l.apartment.to_lowercase();
                let apartment_id = match apartments.get(&key) {
                    Some((id, area)) => {
                        if *area != l.area_centi_m2 {
                            sqlx::query("UPDATE apartments SET area_centi_m2 = $1 WHERE id = $2")
                                .bind(l.area_centi_m2)
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        *id
                    }
                    None => {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO apartments (house_id, entrance_id, number, floor,
                                 area_centi_m2, is_residential)
                             VALUES ($1, $2, $3, $4, $5, TRUE) RETURNING id",
                        )
                        .bind(house_id)
                        .bind(entrance_id)
                        .bind(&l.apartment)
                        .bind(l.floor)
                        .bind(l.area_centi_m2)
                        .fetch_one(&mut *tx)
                        .await?;
                        id
                    }
                };
                apartments.insert(key, (apartment_id, l.area_centi_m2));
                let account_id: i64 = sqlx::query_scalar(
                    "INSERT INTO accounts (number, apartment_id, opened_on, els)
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&l.number)
                .bind(apartment_id)
                .bind(l.opened_on)
                .bind(&l.els)
                .fetch_one(&mut *tx)
                .await?;
                for p in &l.people {
                    let person_id: i64 = sqlx::query_scalar(
                        "INSERT INTO people (full_name, search_text, phone, email)
                         VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(&p.full_name)
                    .bind(crate::housing::rules::search_text(&p.full_name))
                    .bind(&p.phone)
                    .bind(&p.email)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO residencies (person_id, apartment_id, relation, share_num,
                             share_den, moved_in, status, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7)",
                    )
                    .bind(person_id)
                    .bind(apartment_id)
                    .bind(p.relation.as_str())
                    .bind(p.share.map(|s| s.0))
                    .bind(p.share.map(|s| s.1))
                    .bind(p.moved_in)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some((amount, on)) = l.opening
                    && amount != Money::ZERO
                {
                    sqlx::query(
                        "INSERT INTO ledger (account_id, period, kind, amount, occurred_on, reason,
                             source_key, created_by, created_at)
                         VALUES ($1, $2, 'opening', $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(account_id)
                    .bind(AccountLine::opening_period(on).to_string())
                    .bind(amount.0)
                    .bind(on)
                    .bind(format!("Входящее сальдо на {}", on.format("%d.%m.%Y")))
                    .bind(format!("opening:{}", l.number))
                    .bind(actor)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            audit!(
                &mut *tx,
                Some(actor),
                "import_accounts",
                "house",
                Some(house_id),
                format!("{} accounts, {people} people", new.len())
            )?;
            tx.commit().await
        }
        .await)
        .map_err(crate::db::unique_or_internal(
            "Пока файл проверялся, такие счета или квартиры уже добавили — проверьте файл ещё раз.",
            "import accounts",
        ))?;
        Ok(ImportReport {
            rows,
            errors,
            notes,
            saved: true,
        })
    }

    /// Imports past charges, penalties, recalculations and payments of a house's accounts
    /// (periods before the first one computed in Ключ, at most three years back). Every row is
    /// a ledger entry with a key made of its content, so loading the same file again records
    /// nothing twice. All or nothing, like `import_accounts`.
    pub async fn import_history(
        &self,
        actor: i64,
        house_id: i64,
        bytes: &[u8],
        today: NaiveDate,
        commit: bool,
    ) -> Result<ImportReport, AppError> {
        use super::import::{HistoryKind, check_history};
        let table = crate::sheet::read_table(bytes).map_err(AppError::invalid)?;
        let (lines, mut errors) = check_history(&table, today);
        let context = self.import_context(house_id).await?;
        let mut rows_ok = Vec::new();
        let mut repeats: HashMap<String, usize> = HashMap::new();
        for l in &lines {
            let mut problems = Vec::new();
            let account = match context.accounts.get(&l.account) {
                Some((id, house, _)) if *house == house_id => Some(*id),
                _ => {
                    problems.push(format!(
                        "лицевого счёта {} в этом доме нет — сначала загрузите счета",
                        l.account
                    ));
                    None
                }
            };
            let service = match &l.service {
                None => None,
                Some(name) => match context.services.get(&name.to_lowercase()) {
                    Some(id) => Some(*id),
                    None => {
                        problems.push(format!("услуги «{name}» в этом доме нет"));
                        None
                    }
                },
            };
            if let Some(first) = context.first_posted
                && l.period >= first
            {
                problems.push(format!(
                    "с {} начисления ведутся в Ключе — загружается история до этого месяца",
                    first.label()
                ));
            }
            match account {
                Some(account_id) if problems.is_empty() => {
                    let key = l.source_key(0);
                    let repeat = repeats.entry(key).or_default();
                    rows_ok.push((account_id, service, l, l.source_key(*repeat)));
                    *repeat += 1;
                }
                _ => errors.push(format!("Строка {}: {}.", l.line, problems.join("; "))),
            }
        }
        crate::sheet::sort_by_line(&mut errors);
        let total = |kind: HistoryKind| -> (usize, Money) {
            let of_kind = rows_ok.iter().filter(|r| r.2.kind == kind);
            (of_kind.clone().count(), of_kind.map(|r| r.2.amount).sum())
        };
        let mut notes = Vec::new();
        for kind in [
            HistoryKind::Charge,
            HistoryKind::Penalty,
            HistoryKind::Correction,
            HistoryKind::Payment,
        ] {
            let (count, sum) = total(kind);
            if count > 0 {
                let sum = if kind == HistoryKind::Payment {
                    -sum
                } else {
                    sum
                };
                notes.push(format!("{}: {count} на {}", kind.label(), sum.label()));
            }
        }
        if let (Some(from), Some(to)) = (
            rows_ok.iter().map(|r| r.2.period).min(),
            rows_ok.iter().map(|r| r.2.period).max(),
        ) {
            notes.push(format!("Периоды: с {} по {}.", from.label(), to.label()));
        }
        let rows = crate::sheet::data_rows(&table);
        if !commit || !errors.is_empty() || rows_ok.is_empty() {
            return Ok(ImportReport {
                rows,
                errors,
                notes,
                saved: false,
            });
        }
        let now = Utc::now();
        let written = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let mut written = 0;
            for chunk in rows_ok.chunks(INSERT_ROWS) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO ledger (account_id, period, kind, service_id, amount, occurred_on,
                         reason, source_key, created_by, created_at) ",
                );
                q.push_values(chunk, |mut b, (account_id, service, l, key)| {
                    b.push_bind(*account_id)
                        .push_bind(l.period.to_string())
                        .push_bind(l.kind.as_str())
                        .push_bind(*service)
                        .push_bind(l.amount.0)
                        .push_bind(l.on)
                        .push_bind(format!("Из истории: {}", l.kind.label()))
                        .push_bind(key)
                        .push_bind(actor)
                        .push_bind(now);
                });
                q.push(" ON CONFLICT (source_key) DO NOTHING");
                written += q.build().execute(&mut *tx).await?.rows_affected() as usize;
            }
            audit!(
                &mut *tx,
                Some(actor),
                "import_history",
                "house",
                Some(house_id),
                format!("{written} of {} entries", rows_ok.len())
            )?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(written)
        }
        .await)
        .map_err(internal("import history"))?;
        notes.push(if written == rows_ok.len() {
            format!("Записано в книгу расчётов: {written}.")
        } else {
            format!(
                "Записано в книгу расчётов: {written}; {} уже были загружены раньше — пропущены.",
                rows_ok.len() - written
            )
        });
        Ok(ImportReport {
            rows,
            errors,
            notes,
            saved: true,
        })
    }
}

/// A bill with its account and PDF.
type Rendered = (i64, BillData, Vec<u8>);

/// The notice that a bill is ready, to one resident; its source makes the e-mail attach it.
fn bill_notice(user_id: i64, account_id: i64, bill: &BillData) -> crate::notify::types::Notice {
    use crate::notify::types::{Notice, NoticeKind, Recipients};
    let period = bill.month.period;
    Notice {
        kind: NoticeKind::BillReady,
        recipients: Recipients::User(user_id),
        params: BTreeMap::from([
            ("period".to_string(), period.label()),
            ("account".to_string(), bill.account_number.clone()),
            (
                "address".to_string(),
                format!("{}, кв. {}", bill.address, bill.flat),
            ),
            ("amount".to_string(), bill.to_pay().label()),
            (
                "due".to_string(),
                bill.month.due_on.format("%d.%m.%Y").to_string(),
            ),
        ]),
        link: Some(format!("/cabinet/account/{account_id}")),
        source: Some(rules::bill_source(account_id, period)),
    }
}

/// The job that makes a house's bills: payload `{"batch_id": 1, "dir": "<documents folder>"}`.
pub const BILLS_JOB: &str = "billing.bills";

/// Bills rendered between two progress updates.
const BILLS_STEP: usize = 50;

#[derive(Debug, Clone, FromRow)]
struct BatchRow {
    id: i64,
    house_id: i64,
    period: String,
    status: String,
    send_email: bool,
    done: i64,
    total: i64,
    notified: i64,
    file_path: Option<String>,
    error: Option<String>,
}

const BATCH_COLUMNS: &str =
    "id, house_id, period, status, send_email, done, total, notified, file_path, error";

impl BatchRow {
    fn view(&self) -> Option<BatchView> {
        Some(BatchView {
            id: self.id,
            period: Period::parse(&self.period)?,
            status: BatchStatus::parse(&self.status)?,
            send_email: self.send_email,
            done: self.done,
            total: self.total,
            notified: self.notified,
            ready: self.file_path.is_some(),
            error: self.error.clone(),
        })
    }
}

impl Store {
    /// Queues the making of a house's bills for a posted period (and, with `send_email`,
    /// their e-mailing); `dir` is the documents folder the ZIP goes to. Returns the batch's id.
    pub async fn start_bill_batch(
        &self,
        actor: i64,
        house_id: i64,
        period: Period,
        send_email: bool,
        dir: &str,
    ) -> Result<i64, AppError> {
        self.required_payee().await?;
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let status: Option<String> = sqlx::query_scalar(
                "SELECT status FROM accrual_runs WHERE house_id = $1 AND period = $2",
            )
            .bind(house_id)
            .bind(period.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            if status.as_deref() != Some("posted") {
                return Ok(Err(AppError::invalid(format!(
                    "Период {} не проведён — квитанции делаются по проведённому периоду.",
                    period.label()
                ))));
            }
            let busy: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM bill_batches
                 WHERE house_id = $1 AND status IN ('queued', 'running')",
            )
            .bind(house_id)
            .fetch_one(&mut *tx)
            .await?;
            if busy > 0 {
                return Ok(Err(AppError::invalid(
                    "Квитанции этого дома уже формируются — дождитесь окончания.",
                )));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO bill_batches (house_id, period, status, send_email, started_by,
                     started_at)
                 VALUES ($1, $2, 'queued', $3, $4, $5) RETURNING id",
            )
            .bind(house_id)
            .bind(period.to_string())
            .bind(send_email)
            .bind(actor)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            let payload = serde_json::json!({ "batch_id": id, "dir": dir }).to_string();
            enqueue_job!(&mut *tx, BILLS_JOB, payload, Utc::now())?;
            audit!(
                &mut *tx,
                Some(actor),
                "start_bills",
                "house",
                Some(house_id),
                format!("{period}, e-mail: {send_email}")
            )?;
            tx.commit().await?;
            Ok(Ok(id))
        }
        .await)
        .map_err(internal("start bill batch"))?
    }

    /// A house's latest bill batches, newest first.
    pub async fn bill_batches(&self, house_id: i64) -> Result<Vec<BatchView>, AppError> {
        let rows: Vec<BatchRow> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT {BATCH_COLUMNS} FROM bill_batches WHERE house_id = $1
             ORDER BY id DESC LIMIT 10"
        ))
        .bind(house_id)
        .fetch_all(pool)
        .await)
        .map_err(internal("load bill batches"))?;
        Ok(rows.iter().filter_map(BatchRow::view).collect())
    }

    /// A finished batch's ZIP file and its name for the download.
    pub async fn bill_batch_file(&self, batch_id: i64) -> Result<(String, String), AppError> {
        let row: Option<BatchRow> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT {BATCH_COLUMNS} FROM bill_batches WHERE id = $1"
        ))
        .bind(batch_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("load bill batch"))?;
        let row = row.ok_or(AppError::NotFound)?;
        let path = row.file_path.ok_or_else(|| {
            AppError::invalid("Квитанции ещё не готовы — дождитесь окончания формирования.")
        })?;
        Ok((
            path,
            format!("epd-house{}-{}.zip", row.house_id, row.period),
        ))
    }

    /// The job's step: renders every bill of the house for the period into one ZIP (progress
    /// as it goes), then in one transaction queues a notice per resident with a cabinet (the
    /// e-mail attaches the bill), marks the batch done and ends the job. Run again after a
    /// crash, it starts over and still notifies once.
    pub async fn bills_job(&self, job: &Job, worker: &str) -> Result<(), AppError> {
        let payload: serde_json::Value =
            serde_json::from_str(&job.payload).unwrap_or(serde_json::Value::Null);
        let (Some(batch_id), Some(dir)) = (
            payload.get("batch_id").and_then(serde_json::Value::as_i64),
            payload.get("dir").and_then(serde_json::Value::as_str),
        ) else {
            return self
                .fail_job(job, worker, "payload without batch_id or dir")
                .await;
        };
        match self.make_bills(batch_id, dir).await {
            Ok(notices) => with_db!(&self.db, |pool| async {
                let mut tx = pool.begin_write().await?;
                for notice in &notices {
                    crate::enqueue_notice!(&mut *tx, notice)?;
                }
                sqlx::query(
                    "UPDATE bill_batches SET status = 'done', notified = $1, finished_at = $2
                         WHERE id = $3",
                )
                .bind(notices.len() as i64)
                .bind(Utc::now())
                .bind(batch_id)
                .execute(&mut *tx)
                .await?;
                if finish_job!(&mut *tx, job.id, worker, "done", None::<String>)? {
                    tx.commit().await?;
                }
                Ok::<_, sqlx::Error>(())
            }
            .await)
            .map_err(internal("finish bill batch")),
            Err(AppError::Invalid(message)) => {
                tracing::warn!(batch_id, %message, "bill batch failed");
                with_db!(&self.db, |pool| async {
                    let mut tx = pool.begin_write().await?;
                    sqlx::query(
                        "UPDATE bill_batches SET status = 'failed', error = $1, finished_at = $2
                         WHERE id = $3",
                    )
                    .bind(&message)
                    .bind(Utc::now())
                    .bind(batch_id)
                    .execute(&mut *tx)
                    .await?;
                    if finish_job!(&mut *tx, job.id, worker, "done", Some(message.clone()))? {
                        tx.commit().await?;
                    }
                    Ok::<_, sqlx::Error>(())
                }
                .await)
                .map_err(internal("fail bill batch"))
            }
            Err(e) => Err(e),
        }
    }

    /// Renders a batch's bills into its ZIP; returns the notices to send.
    async fn make_bills(
        &self,
        batch_id: i64,
        dir: &str,
    ) -> Result<Vec<crate::notify::types::Notice>, AppError> {
        let row: Option<BatchRow> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT {BATCH_COLUMNS} FROM bill_batches WHERE id = $1"
        ))
        .bind(batch_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("load bill batch"))?;
        let row = row.ok_or(AppError::NotFound)?;
        let period = Period::parse(&row.period).ok_or(AppError::Internal)?;
        let (accounts, users) = with_db!(&self.db, |pool| async {
            let accounts: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT l.account_id FROM ledger l
                 JOIN accounts c ON c.id = l.account_id
                 JOIN apartments a ON a.id = c.apartment_id
                 WHERE a.house_id = $1 AND l.period = $2 ORDER BY l.account_id",
            )
            .bind(row.house_id)
            .bind(period.to_string())
            .fetch_all(pool)
            .await?;
            // who gets each account's bill: its residents with a cabinet, living there now
            let users: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT DISTINCT c.id, p.user_id FROM accounts c
                 JOIN residencies r ON r.apartment_id = c.apartment_id
                 JOIN people p ON p.id = r.person_id
                 JOIN apartments a ON a.id = c.apartment_id
                 WHERE a.house_id = $1 AND p.user_id IS NOT NULL AND r.status = 'active'
                   AND r.moved_out IS NULL AND c.closed_on IS NULL",
            )
            .bind(row.house_id)
            .fetch_all(pool)
            .await?;
            sqlx::query(
                "UPDATE bill_batches SET status = 'running', done = 0, total = $1, error = NULL
                 WHERE id = $2",
            )
            .bind(accounts.len() as i64)
            .bind(batch_id)
            .execute(pool)
            .await?;
            Ok::<_, sqlx::Error>((accounts, users))
        }
        .await)
        .map_err(internal("start bill batch"))?;
        let folder = std::path::Path::new(dir).join("bills");
        let path = folder.join(format!("house{}-{period}-{batch_id}.zip", row.house_id));
        let partial = path.with_extension("zip.part");
        let io = |e: std::io::Error| {
            tracing::error!(error = %e, "writing the bills ZIP");
            AppError::Internal
        };
        std::fs::create_dir_all(&folder).map_err(io)?;
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&partial).map_err(io)?);
        // PDFs are compressed already
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut notices = Vec::new();
        let mut done = 0i64;
        // each step's bills are read while the previous step's render on every core
        let mut rendering: Option<tokio::task::JoinHandle<Vec<Rendered>>> = None;
        let mut chunks = accounts.chunks(BILLS_STEP);
        loop {
            let next = chunks.next();
            let mut bills = Vec::new();
            for &account_id in next.unwrap_or_default() {
                bills.push((account_id, self.bill_data(account_id, period).await?));
            }
            let started =
                next.map(|_| tokio::task::spawn_blocking(move || super::bill::render_all(bills)));
            let Some(previous) = std::mem::replace(&mut rendering, started) else {
                if next.is_none() {
                    break;
                }
                continue;
            };
            let rendered = previous.await.map_err(|e| {
                tracing::error!(error = %e, "rendering bills");
                AppError::Internal
            })?;
            done += rendered.len() as i64;
            for (account_id, data, pdf) in rendered {
                use std::io::Write;
                zip.start_file(data.file_name(), options).map_err(|e| {
                    tracing::error!(error = %e, "bills ZIP entry");
                    AppError::Internal
                })?;
                zip.write_all(&pdf).map_err(io)?;
                if row.send_email {
                    for &(_, user) in users.iter().filter(|(a, _)| *a == account_id) {
                        notices.push(bill_notice(user, account_id, &data));
                    }
                }
            }
            with_db!(&self.db, |pool| sqlx::query(
                "UPDATE bill_batches SET done = $1 WHERE id = $2"
            )
            .bind(done)
            .bind(batch_id)
            .execute(pool)
            .await
            .map(|_| ()))
            .map_err(internal("bill batch progress"))?;
            if next.is_none() && rendering.is_none() {
                break;
            }
        }
        zip.finish().map_err(|e| {
            tracing::error!(error = %e, "closing the bills ZIP");
            AppError::Internal
        })?;
        std::fs::rename(&partial, &path).map_err(io)?;
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE bill_batches SET file_path = $1 WHERE id = $2"
        )
        .bind(path.to_string_lossy().to_string())
        .bind(batch_id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("bill batch file"))?;
        Ok(notices)
    }
}

impl Store {
    /// A manual recalculation (перерасчёт) of an account: a ledger entry with its reason in
    /// the first period not yet posted — a posted period never changes. Positive adds to the
    /// debt, negative reduces it. Returns the period it went to.
    pub async fn add_correction(
        &self,
        actor: i64,
        account_id: i64,
        amount: Money,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Period, AppError> {
        let reason = reason.trim();
        if reason.chars().count() < 5 || reason.chars().count() > 300 {
            return Err(AppError::invalid(
                "Укажите причину перерасчёта — от 5 до 300 символов (она видна жильцу).",
            ));
        }
        if amount == Money::ZERO || amount.0.abs() > 1_000_000_000 {
            return Err(AppError::invalid(
                "Сумма перерасчёта — не ноль и не больше 10 000 000 ₽ по модулю.",
            ));
        }
        let house_id: Option<i64> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT a.house_id FROM accounts c JOIN apartments a ON a.id = c.apartment_id
             WHERE c.id = $1"
        )
        .bind(account_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("find account"))?;
        let house_id = house_id.ok_or(AppError::NotFound)?;
        let period = match self.last_posted(house_id).await? {
            Some(last) => last.plus(1).max(Period::of(today)),
            None => Period::of(today),
        };
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO ledger (account_id, period, kind, amount, occurred_on, reason,
                     created_by, created_at)
                 VALUES ($1, $2, 'correction', $3, $4, $5, $6, $7)",
            )
            .bind(account_id)
            .bind(period.to_string())
            .bind(amount.0)
            .bind(today)
            .bind(reason)
            .bind(actor)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "add_correction",
                "account",
                Some(account_id),
                format!("{period}: {} — {reason}", amount.label())
            )?;
            tx.commit().await
        }
        .await)
        .map_err(internal("add correction"))?;
        Ok(period)
    }
}

impl Store {
    /// The rule tables as staff see them, newest first.
    pub async fn rule_tables_view(&self) -> Result<RuleTables, AppError> {
        type PenaltyRow = (
            NaiveDate,
            NaiveDate,
            Option<String>,
            Option<NaiveDate>,
            String,
        );
        let (keys, penalty, due, calendar) = with_db!(&self.db, |pool| async {
            let keys: Vec<(NaiveDate, String)> =
                sqlx::query_as("SELECT valid_from, rate FROM key_rates ORDER BY valid_from DESC")
                    .fetch_all(pool)
                    .await?;
            let penalty: Vec<PenaltyRow> = sqlx::query_as(
                "SELECT valid_from, valid_to, cap, debts_due_before, note FROM penalty_rules
                 ORDER BY valid_from DESC",
            )
            .fetch_all(pool)
            .await?;
            let due: Vec<(String, i64, String)> = sqlx::query_as(
                "SELECT from_period, day, note FROM due_day_rules ORDER BY from_period DESC",
            )
            .fetch_all(pool)
            .await?;
            let calendar: Vec<(NaiveDate, bool, String)> =
                sqlx::query_as("SELECT day, working, note FROM work_calendar ORDER BY day DESC")
                    .fetch_all(pool)
                    .await?;
            Ok::<_, sqlx::Error>((keys, penalty, due, calendar))
        }
        .await)
        .map_err(internal("load rule tables"))?;
        Ok(RuleTables {
            key_rates: keys.into_iter().map(|(d, r)| (d, decimal(&r))).collect(),
            penalty_rules: penalty
                .into_iter()
                .map(
                    |(valid_from, valid_to, cap, debts_due_before, note)| PenaltyRuleView {
                        valid_from,
                        valid_to,
                        cap: cap.as_deref().map(decimal),
                        debts_due_before,
                        note,
                    },
                )
                .collect(),
            due_days: due
                .into_iter()
                .filter_map(|(from, day, note)| {
                    Some(DueDayView {
                        from: Period::parse(&from)?,
                        day: day as u32,
                        note,
                    })
                })
                .collect(),
            calendar: calendar
                .into_iter()
                .map(|(day, working, note)| CalendarDayView { day, working, note })
                .collect(),
        })
    }

    /// Marks a day of the production calendar as a day off (`Some(false)`), a working day
    /// (`Some(true)`), or as the plain week has it (`None`); audited. Due dates follow at once.
    pub async fn set_calendar_day(
        &self,
        actor: i64,
        day: NaiveDate,
        working: Option<bool>,
        note: &str,
    ) -> Result<(), AppError> {
        let note = note.trim();
        if working.is_some() && (note.is_empty() || note.chars().count() > 300) {
            return Err(AppError::invalid(
                "Укажите основание (праздник, постановление о переносе) — до 300 символов.",
            ));
        }
        let weekend = matches!(
            chrono::Datelike::weekday(&day),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        );
        if working == Some(!weekend) {
            return Err(AppError::invalid(if weekend {
                "Этот день — суббота или воскресенье, он и так выходной."
            } else {
                "Этот день — будний, он и так рабочий."
            }));
        }
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            match working {
                None => {
                    sqlx::query("DELETE FROM work_calendar WHERE day = $1")
                        .bind(day)
                        .execute(&mut *tx)
                        .await?;
                }
                Some(working) => {
                    sqlx::query(
                        "INSERT INTO work_calendar (day, working, note) VALUES ($1, $2, $3)
                         ON CONFLICT (day) DO UPDATE SET working = excluded.working,
                             note = excluded.note",
                    )
                    .bind(day)
                    .bind(working)
                    .bind(note)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            let what = match working {
                None => "обычный",
                Some(true) => "рабочий",
                Some(false) => "выходной",
            };
            audit!(
                &mut *tx,
                Some(actor),
                "set_calendar_day",
                "work_calendar",
                None::<i64>,
                format!("{day}: {what} {note}")
            )?;
            tx.commit().await
        }
        .await)
        .map_err(internal("set calendar day"))
    }

    /// Records the key rate from a date (audited; the same date again replaces the rate).
    pub async fn set_key_rate(
        &self,
        actor: i64,
        valid_from: NaiveDate,
        rate: Decimal,
    ) -> Result<(), AppError> {
        if rate.is_sign_negative() || rate > Decimal::from(100) || rate.scale() > 2 {
            return Err(AppError::invalid(
                "Ключевая ставка — процент от 0 до 100, не больше двух знаков после запятой.",
            ));
        }
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO key_rates (valid_from, rate) VALUES ($1, $2)
                 ON CONFLICT (valid_from) DO UPDATE SET rate = excluded.rate",
            )
            .bind(valid_from)
            .bind(rate.normalize().to_string())
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "set_key_rate",
                "key_rate",
                None::<i64>,
                format!("с {valid_from}: {rate} %")
            )?;
            tx.commit().await
        }
        .await)
        .map_err(internal("set key rate"))
    }

    /// Adds days with a capped penalty rate (`cap` percent) or, without a cap, a moratorium.
    pub async fn add_penalty_rule(
        &self,
        actor: i64,
        rule: &PenaltyRuleView,
    ) -> Result<(), AppError> {
        if rule.valid_to < rule.valid_from {
            return Err(AppError::invalid("Дата окончания раньше даты начала."));
        }
        if rule
            .cap
            .is_some_and(|c| c.is_sign_negative() || c > Decimal::from(100) || c.scale() > 2)
        {
            return Err(AppError::invalid(
                "Ограничение ставки — процент от 0 до 100.",
            ));
        }
        let note = rule.note.trim();
        if note.is_empty() || note.chars().count() > 300 {
            return Err(AppError::invalid(
                "Укажите основание (постановление) — до 300 символов.",
            ));
        }
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO penalty_rules (valid_from, valid_to, rule, cap, debts_due_before, note)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(rule.valid_from)
            .bind(rule.valid_to)
            .bind(if rule.cap.is_some() {
                "cap"
            } else {
                "moratorium"
            })
            .bind(rule.cap.map(|c| c.normalize().to_string()))
            .bind(rule.cap.is_none().then_some(rule.debts_due_before).flatten())
            .bind(note)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "add_penalty_rule",
                "penalty_rule",
                None::<i64>,
                format!("{} — {}: {note}", rule.valid_from, rule.valid_to)
            )?;
            tx.commit().await
        }
        .await)
        .map_err(internal("add penalty rule"))
    }

    /// From a period on, bills are due on `day` of the next month (audited).
    pub async fn set_due_day(
        &self,
        actor: i64,
        from: Period,
        day: u32,
        note: &str,
    ) -> Result<(), AppError> {
        if !(1..=28).contains(&day) {
            return Err(AppError::invalid("День оплаты — от 1 до 28."));
        }
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 300 {
            return Err(AppError::invalid(
                "Укажите основание (закон, договор) — до 300 символов.",
            ));
        }
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO due_day_rules (from_period, day, note) VALUES ($1, $2, $3)
                 ON CONFLICT (from_period) DO UPDATE SET day = excluded.day, note = excluded.note",
            )
            .bind(from.to_string())
            .bind(i64::from(day))
            .bind(note)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "set_due_day",
                "due_day_rule",
                None::<i64>,
                format!("с {from}: {day}-е число — {note}")
            )?;
            tx.commit().await
        }
        .await)
        .map_err(internal("set due day"))
    }
}
