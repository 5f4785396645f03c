//! The durable job table (outbox). A job is written with [`enqueue_job!`] inside the transaction
//! of the change that causes it, so either both are stored or neither. Workers claim due jobs
//! with a lease ([`Store::claim_jobs`]); on PostgreSQL several instances share the table with
//! `FOR UPDATE SKIP LOCKED`, so no job is claimed twice while its lease holds. A handler ends
//! its job with [`finish_job!`] or [`reschedule_job!`] inside its own transaction; both check the
//! lease is still this worker's, so a worker whose lease ran out cannot commit a second result.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use serde::{Deserialize, Serialize};

use super::{Store, internal};
use crate::error::AppError;
use crate::notify::types::Notice;

/// A claimed job.
#[derive(Debug, Clone, FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// Claims so far, this one included.
    pub attempts: i64,
}

/// What a job is to do. Stored as two columns: `kind` (the variant's name below) and `payload`
/// (its fields as JSON). The worker matches on it, so a task without a handler does not
/// compile, and a row this version cannot read fails that job with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum Task {
    /// Turn a notice into notifications and deliveries, a batch of recipients at a time.
    #[serde(rename = "notify.fanout")]
    Fanout {
        notice: Notice,
        /// Recipients up to this user id are done.
        #[serde(default)]
        after_user: i64,
    },
    /// Send one delivery.
    #[serde(rename = "notify.deliver")]
    Deliver { delivery_id: i64 },
    /// The hourly reading reminders sweep, rescheduled by itself.
    #[serde(rename = "readings.reminders")]
    ReadingReminders {},
    /// Compute an accrual run.
    #[serde(rename = "billing.accrual")]
    Accrual { run_id: i64 },
    /// Make a house's bills into the documents folder `dir`.
    #[serde(rename = "billing.bills")]
    Bills { batch_id: i64, dir: String },
    /// Credit a confirmed (or reverse a refunded) card payment.
    #[serde(rename = "payments.credit")]
    CreditPayment { payment_id: i64 },
    /// Close a card payment nobody finished; due when the order expires.
    #[serde(rename = "payments.expire")]
    ExpirePayment { payment_id: i64 },
    /// The АДС SLA sweep (escalations, closing quiet done tickets, purging stale uploads),
    /// rescheduled every minute.
    #[serde(rename = "tickets.sla")]
    TicketSweep {},
    /// Tells residents of contractors' passes ending within a day and erases guests' data kept
    /// past the house's retention; rescheduled every hour.
    #[serde(rename = "passes.retention")]
    PassRetention {},
    /// The dunning scenarios' sweep, rescheduled every hour.
    #[serde(rename = "debts.sweep")]
    DebtSweep {},
}

/// A task as its two columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTask {
    pub kind: String,
    pub payload: String,
}

impl Task {
    /// The `kind` and `payload` columns that store this task.
    pub fn stored(&self) -> Result<StoredTask, sqlx::Error> {
        let mut value = serde_json::to_value(self).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let kind = value["kind"].as_str().unwrap_or_default().to_owned();
        let payload = value
            .get_mut("payload")
            .map(serde_json::Value::take)
            .unwrap_or_else(|| serde_json::json!({}));
        Ok(StoredTask {
            kind,
            payload: payload.to_string(),
        })
    }
}

impl Job {
    /// What the job is to do; an error names what this version cannot read (an unknown kind
    /// written by a newer release, or a payload without a field).
    pub fn task(&self) -> Result<Task, serde_json::Error> {
        let payload: serde_json::Value = serde_json::from_str(&self.payload)?;
        serde_json::from_value(serde_json::json!({ "kind": self.kind, "payload": payload }))
    }
}

/// `enqueue_job!(&mut *tx, &task, run_at)`: adds a job in the caller's transaction.
#[macro_export]
macro_rules! enqueue_job {
    ($tx:expr, $task:expr, $run_at:expr) => {
        match $crate::db::jobs::Task::stored($task) {
            Ok(stored) => sqlx::query(
                "INSERT INTO jobs (kind, payload, run_at, status, created_at)
                 VALUES ($1, $2, $3, 'queued', $4)",
            )
            .bind(stored.kind)
            .bind(stored.payload)
            .bind($run_at)
            .bind(chrono::Utc::now())
            .execute($tx)
            .await
            .map(|_| ()),
            Err(e) => Err(e),
        }
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
/// queue (a retry, or the next batch of a long job, whose payload is [`Task::stored`]'s); true
/// when this worker still held it.
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
    /// Puts a recurring job (a sweep) back in the queue for `next`, while this worker holds it.
    pub async fn reschedule_recurring(
        &self,
        job: &Job,
        worker: &str,
        next: DateTime<Utc>,
    ) -> Result<(), AppError> {
        crate::write_tx!(self, "reschedule recurring job", |tx| {
            lease_held(crate::reschedule_job!(
                &mut *tx,
                job.id,
                worker,
                next,
                "{}",
                None::<String>
            )?)?;
            Ok(())
        })
    }

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
        let lock = match self.db {
            super::Db::Postgres(_) => "FOR UPDATE SKIP LOCKED",
            super::Db::Sqlite(_) => "",
        };
        let sql = CLAIM.replace("{LOCK}", lock);
        crate::write_tx!(self, "claim jobs", |tx| {
            let jobs = sqlx::query_as::<_, Job>(&sql)
                .bind(worker)
                .bind(until)
                .bind(now)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            Ok(jobs)
        })
    }

    /// Extends the lease of a job this worker is running to `until`; false when the job is no
    /// longer this worker's (it finished, or its lease ran out and another worker took it).
    pub async fn renew_lease(
        &self,
        job: &Job,
        worker: &str,
        until: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE jobs SET locked_until = $1
             WHERE id = $2 AND locked_by = $3 AND status = 'running'"
        )
        .bind(until)
        .bind(job.id)
        .bind(worker)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))
        .map_err(internal("renew job lease"))
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

    /// Ends a job that cannot be done (a newer release wrote it, or its data is gone): kept for
    /// the record with the reason.
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
    /// Makes sure one job of a recurring `task` (a sweep that reschedules itself) is queued or
    /// running; adds one due at `run_at` when none is. Two instances starting together may both
    /// add one: the sweeps are idempotent, so a duplicate only runs twice.
    pub async fn ensure_recurring_job(
        &self,
        task: &Task,
        run_at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        crate::write_tx!(self, "ensure recurring job", |tx| {
            let exists: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM jobs WHERE kind = $1 AND status IN ('queued','running') LIMIT 1",
            )
            .bind(task.stored()?.kind)
            .fetch_optional(&mut *tx)
            .await?;
            if exists.is_none() {
                crate::enqueue_job!(&mut *tx, task, run_at)?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::types::{NoticeKind, Recipients};

    fn job(stored: StoredTask) -> Job {
        Job {
            id: 1,
            kind: stored.kind,
            payload: stored.payload,
            attempts: 1,
        }
    }

    #[test]
    fn every_task_reads_back_as_stored_under_its_kind() {
        let notice = Notice {
            kind: NoticeKind::Announcement,
            recipients: Recipients::User(7),
            params: Default::default(),
            link: None,
            source: None,
            channels: None,
        };
        let cases = [
            (
                Task::Fanout {
                    notice,
                    after_user: 500,
                },
                "notify.fanout",
            ),
            (Task::Deliver { delivery_id: 3 }, "notify.deliver"),
            (Task::ReadingReminders {}, "readings.reminders"),
            (Task::Accrual { run_id: 4 }, "billing.accrual"),
            (
                Task::Bills {
                    batch_id: 5,
                    dir: "data/bills".into(),
                },
                "billing.bills",
            ),
            (Task::CreditPayment { payment_id: 6 }, "payments.credit"),
            (Task::ExpirePayment { payment_id: 7 }, "payments.expire"),
            (Task::TicketSweep {}, "tickets.sla"),
            (Task::PassRetention {}, "passes.retention"),
            (Task::DebtSweep {}, "debts.sweep"),
        ];
        for (task, kind) in cases {
            let stored = task.stored().unwrap();
            assert_eq!(stored.kind, kind);
            assert_eq!(job(stored).task().unwrap(), task);
        }
    }

    #[test]
    fn rows_written_before_the_typed_tasks_still_read() {
        let old = |kind: &str, payload: &str| {
            job(StoredTask {
                kind: kind.into(),
                payload: payload.into(),
            })
        };
        assert_eq!(
            old("readings.reminders", "{}").task().unwrap(),
            Task::ReadingReminders {}
        );
        assert_eq!(
            old("payments.credit", r#"{"payment_id":9}"#)
                .task()
                .unwrap(),
            Task::CreditPayment { payment_id: 9 }
        );
        assert!(old("payments.credit", "{}").task().is_err());
        assert!(old("passes.expire", "{}").task().is_err());
    }
}
