//! Accrual runs: queued, computed in steps by the worker (every account's lines for the
//! period), then posted to the ledger.

use super::*;
use crate::db::jobs::Task;
use crate::write_tx;

impl Store {
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

    pub(super) async fn queue_accrual(
        &self,
        actor: Option<i64>,
        house_id: i64,
        period: Period,
        with_job: bool,
    ) -> Result<i64, AppError> {
        write_tx!(self, "start accrual", |tx| {
            let exists: Option<(i64, RunStatus)> = sqlx::query_as(
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
                return Err(AppError::invalid(
                    "Более поздний период уже проведён — этот период рассчитать нельзя.",
                )
                .into());
            }
            let id = match exists {
                Some((_, RunStatus::Posted)) => {
                    return Err(AppError::invalid(format!(
                        "Период {} уже проведён. Исправления вносятся перерасчётом в следующем периоде.",
                        period.label()
                    )).into());
                }
                Some((_, RunStatus::Queued | RunStatus::Running)) => {
                    return Err(AppError::invalid(super::super::text::RUN_IN_PROGRESS).into());
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
                None => sqlx::query_scalar(
                    "INSERT INTO accrual_runs (house_id, period, status, started_by, started_at)
                         VALUES ($1, $2, 'queued', $3, $4) RETURNING id",
                )
                .bind(house_id)
                .bind(period.to_string())
                .bind(actor)
                .bind(Utc::now())
                .fetch_one(&mut *tx)
                .await?,
            };
            if with_job {
                enqueue_job!(&mut *tx, &Task::Accrual { run_id: id }, Utc::now())?;
            }
            audit!(
                &mut *tx,
                actor,
                "start_accrual",
                "house",
                Some(house_id),
                period.to_string()
            )?;
            Ok(id)
        })
    }

    /// The job's step: computes run `run_id` and ends the job.
    pub async fn accrual_job(&self, job: &Job, worker: &str, run_id: i64) -> Result<(), AppError> {
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
        let period = run.period;
        if run.status == RunStatus::Posted {
            return Err(AppError::invalid("Период уже проведён."));
        }
        let accounts: Vec<ChargedAccount> = write_tx!(self, "start computing run", |tx| {
            let accounts: Vec<ChargedAccount> = crate::fetch_json!(
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
            Ok(accounts)
        })?;
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
        let prepare = |batch: &[ChargedAccount]| {
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
    pub(super) async fn step_lines(
        &self,
        inputs: &std::sync::Arc<RunInputs>,
        batch: Vec<ChargedAccount>,
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

    pub(super) async fn fail_run(&self, run_id: i64, message: &str) -> Result<(), AppError> {
        tracing::warn!(run_id, message, "accrual run failed");
        write_tx!(self, "fail run", |tx| {
            clear_run!(tx, run_id, "failed", 0i64, Some(message)).await?;
            Ok(())
        })
    }

    /// One step's lines and the progress, in one transaction. The lines' texts move into the
    /// statements (bound by reference, each would be copied once more).
    pub(super) async fn write_lines(
        &self,
        run_id: i64,
        lines: Vec<Line>,
        done: i64,
    ) -> Result<(), AppError> {
        write_tx!(self, "write accrual lines", |tx| {
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
                        .push_bind(l.kind)
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
            Ok(())
        })
    }

    /// Reads what a run needs once: priced services, the volumes ОДН is split from, the
    /// accounts' ledger, the rule tables; and splits ОДН.
    pub(super) async fn run_inputs(
        &self,
        house_id: i64,
        period: Period,
        accounts: &[ChargedAccount],
    ) -> Result<RunInputs, AppError> {
        let first = period.first_day();
        let (services, tariffs) = with_db!(&self.db, |pool| async {
            let services: Vec<(i64, String, Basis, Option<Utility>)> = sqlx::query_as(
                "SELECT id, name, basis, resource FROM services WHERE house_id = $1
                 ORDER BY sort, id",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await?;
            // the latest price per service and zone that started by the period's first day
            let tariffs: Vec<(i64, i64, DecimalText)> = sqlx::query_as(
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
            let rates: Vec<Rate> = tariffs
                .iter()
                .filter(|t| t.0 == id)
                .map(|t| Rate::new(t.2.0))
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
                resource,
                stored_rate: stored(first.value),
                rates,
            });
        }
        let (house_wide, step_resources) = resources_needed(&priced);
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
        let (entries, house_volumes, (table, due_rules)): (Vec<LedgerEntry>, _, _) =
            tokio::try_join!(entries, house_volumes, self.rule_tables())?;
        let mut entries_of: HashMap<i64, Vec<LedgerEntry>> = HashMap::new();
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
        write_tx!(self, "post accrual", |tx| {
            let run: Option<RunRow> = sqlx::query_as(&format!(
                "SELECT {RUN_COLUMNS} FROM accrual_runs WHERE id = $1"
            ))
            .bind(run_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(run) = run else {
                return Err(AppError::NotFound.into());
            };
            if run.status != RunStatus::Draft {
                return Err(AppError::invalid(match run.status {
                    RunStatus::Posted => "Период уже проведён.",
                    RunStatus::Failed => {
                        "Расчёт завершился с ошибкой — исправьте причину и рассчитайте снова."
                    }
                    _ => "Расчёт ещё идёт — провести можно готовый черновик.",
                })
                .into());
            }
            let period = run.period;
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
            Ok(posted as usize)
        })
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
        run.map(|r| r.view()).ok_or(AppError::NotFound)
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
                crate::billing::text::PENALTIES.to_string()
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
        let history: Vec<RunView> = runs.iter().map(RunRow::view).collect();
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
}
