//! The durable job table (outbox). A job is written with [`enqueue_job!`] inside the transaction
//! of the change that causes it, so either both are stored or neither. Workers claim due jobs
//! with a lease ([`Store::claim_jobs`]); on PostgreSQL several instances share the table with
//! `FOR UPDATE SKIP LOCKED`, so no job is claimed twice while its lease holds. A handler ends
//! its job with [`finish_job!`] or [`reschedule_job!`] inside its own transaction; both check the
//! lease is still this worker's, so a worker whose lease ran out cannot commit a second result.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::{BeginWrite, Store, internal};
use crate::error::AppError;

/// A claimed job.
#[derive(Debug, Clone, FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// Claims so far, this one included.
    pub attempts: i64,
}

crate::text_enum! {
    /// Every kind of background job, with what its payload (JSON) carries. The worker matches on
    /// it, so a kind without a handler does not compile.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum JobKind {
        /// Turn a notice into notifications and deliveries: the notice, and the last user done.
        Fanout = "notify.fanout",
        /// Send one delivery: `{"delivery_id": 1}`.
        Deliver = "notify.deliver",
        /// The hourly reading reminders sweep, rescheduled by itself.
        ReadingReminders = "readings.reminders",
        /// Compute an accrual run: `{"run_id": 1}`.
        Accrual = "billing.accrual",
        /// Make a house's bills: `{"batch_id": 1, "dir": "<documents folder>"}`.
        Bills = "billing.bills",
        /// Credit a confirmed card payment: `{"payment_id": 1}`.
        CreditPayment = "payments.credit",
        /// Close a card payment nobody finished: `{"payment_id": 1}`, due when the order expires.
        ExpirePayment = "payments.expire",
        /// The АДС SLA sweep (escalations, closing quiet done tickets, purging stale uploads),
        /// rescheduled every minute.
        TicketSweep = "tickets.sla",
    }
}

impl Job {
    /// The job's kind, when this version of Ключ knows it.
    pub fn kind(&self) -> Option<JobKind> {
        JobKind::parse(&self.kind)
    }
}

/// `enqueue_job!(&mut *tx, kind, payload_json, run_at)`: adds a job in the caller's transaction.
#[macro_export]
macro_rules! enqueue_job {
    ($tx:expr, $kind:expr, $payload:expr, $run_at:expr) => {
        sqlx::query(
            "INSERT INTO jobs (kind, payload, run_at, status, created_at)
             VALUES ($1, $2, $3, 'queued', $4)",
        )
        .bind($kind)
        .bind($payload)
        .bind($run_at)
        .bind(chrono::Utc::now())
        .execute($tx)
        .await
    };
}

/// `finish_job!(&mut *tx, job_id, worker, status)` with status `done` or `failed`: true when
/// this worker still held the job (otherwise the caller rolls back).
#[macro_export]
macro_rules! finish_job {
    ($tx:expr, $id:expr, $worker:expr, $status:expr, $error:expr) => {
        sqlx::query(
            "UPDATE jobs SET status = $1, finished_at = $2, last_error = $3,
                 locked_by = NULL, locked_until = NULL
             WHERE id = $4 AND locked_by = $5 AND status = 'running'",
        )
        .bind($status)
        .bind(chrono::Utc::now())
        .bind($error)
        .bind($id)
        .bind($worker)
        .execute($tx)
        .await
        .map(|r| r.rows_affected() == 1)
    };
}

/// Inside [`write_tx!`](crate::write_tx): goes on only while this worker still holds its job
/// (what `finish_job!` and `reschedule_job!` return); else the whole transaction is dropped.
pub fn lease_held(held: bool) -> Result<(), super::TxError> {
    if held {
        Ok(())
    } else {
        Err(super::TxError::LeaseLost)
    }
}

/// `reschedule_job!(&mut *tx, job_id, worker, run_at, payload, error)`: puts the job back in the
/// queue (a retry, or the next batch of a long job); true when this worker still held it.
#[macro_export]
macro_rules! reschedule_job {
    ($tx:expr, $id:expr, $worker:expr, $run_at:expr, $payload:expr, $error:expr) => {
        sqlx::query(
            "UPDATE jobs SET status = 'queued', run_at = $1, payload = $2, last_error = $3,
                 locked_by = NULL, locked_until = NULL
             WHERE id = $4 AND locked_by = $5 AND status = 'running'",
        )
        .bind($run_at)
        .bind($payload)
        .bind($error)
        .bind($id)
        .bind($worker)
        .execute($tx)
        .await
        .map(|r| r.rows_affected() == 1)
    };
}

/// How many jobs a worker takes at once.
pub const CLAIM_BATCH: i64 = 16;

impl Store {
    /// Claims up to `limit` due jobs for `worker` for `lease`: queued jobs whose time has come,
    /// and running jobs whose lease ran out (their worker died).
    pub async fn claim_jobs(
        &self,
        worker: &str,
        limit: i64,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<Job>, AppError> {
        const CLAIM: &str = "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2,
                 attempts = attempts + 1
             WHERE id IN (
                 SELECT id FROM jobs
                 WHERE (status = 'queued' AND run_at <= $3)
                    OR (status = 'running' AND locked_until < $3)
                 ORDER BY run_at LIMIT $4 {LOCK})
             RETURNING id, kind, payload, attempts";
        let until = now + lease;
        with_db!(&self.db, |pool| async {
            let lock = match self.db {
                super::Db::Postgres(_) => "FOR UPDATE SKIP LOCKED",
                super::Db::Sqlite(_) => "",
            };
            let sql = CLAIM.replace("{LOCK}", lock);
            let mut tx = pool.begin_write().await?;
            let jobs = sqlx::query_as::<_, Job>(&sql)
                .bind(worker)
                .bind(until)
                .bind(now)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(jobs)
        }
        .await)
        .map_err(internal("claim jobs"))
    }

    /// Jobs not yet finished (queued or running), for tests and the health page.
    pub async fn pending_jobs(&self) -> Result<i64, AppError> {
        with_db!(&self.db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')"
        )
        .fetch_one(pool)
        .await)
        .map_err(internal("count jobs"))
    }

    /// Deletes jobs that ended before `before` (what they did stays in the tables they wrote,
    /// e.g. deliveries and their attempts); returns how many.
    pub async fn purge_finished_jobs(&self, before: DateTime<Utc>) -> Result<u64, AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < $1"
        )
        .bind(before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(internal("purge finished jobs"))
    }

    /// Ends a job that did its work.
    pub async fn finish_job(&self, job: &Job, worker: &str) -> Result<(), AppError> {
        with_db!(&self.db, |pool| finish_job!(
            pool,
            job.id,
            worker,
            "done",
            None::<String>
        )
        .map(|_| ()))
        .map_err(internal("finish job"))
    }

    /// Ends a job whose kind no handler knows (a newer release wrote it): kept for the record.
    pub async fn fail_job(&self, job: &Job, worker: &str, error: &str) -> Result<(), AppError> {
        with_db!(&self.db, |pool| finish_job!(
            pool,
            job.id,
            worker,
            "failed",
            Some(error)
        )
        .map(|_| ()))
        .map_err(internal("fail job"))
    }
}

impl Store {
    /// Makes sure one job of a recurring `kind` (a sweep that reschedules itself) is queued or
    /// running; adds one due at `run_at` when none is. Two instances starting together may both
    /// add one: the sweeps are idempotent, so a duplicate only runs twice.
    pub async fn ensure_recurring_job(
        &self,
        kind: JobKind,
        run_at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        crate::write_tx!(self, "ensure recurring job", |tx| {
            let exists: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM jobs WHERE kind = $1 AND status IN ('queued','running') LIMIT 1",
            )
            .bind(kind)
            .fetch_optional(&mut *tx)
            .await?;
            if exists.is_none() {
                crate::enqueue_job!(&mut *tx, kind, "{}", run_at)?;
            }
            Ok(())
        })
    }
}
