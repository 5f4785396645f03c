//! The worker of the job table and the channel adapters it sends through.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use app::db::Store;
use app::db::jobs::{CLAIM_BATCH, Job, Task};
use app::notify::store::SendOutcome;
use app::notify::types::Channel;

use crate::integrations::email::EmailSender;
use crate::integrations::push::PushSender;
use crate::integrations::sms::SmsSender;

/// One adapter per channel (each a real one or its embedded default).
#[derive(Clone)]
pub struct Senders {
    pub email: EmailSender,
    pub sms: SmsSender,
    pub push: PushSender,
    /// The bank the payment expiry job asks before giving up on a payment.
    pub acquiring: app::payments::acquiring::SharedAcquiring,
    /// Ticket files (the sweep deletes uploads no ticket took).
    pub storage: crate::integrations::storage::Storage,
}

impl Senders {
    /// The adapters the settings ask for; the VAPID key pair is made on first start.
    pub async fn from_settings(
        store: &Store,
        settings: &crate::config::Settings,
    ) -> Result<Self, crate::startup::StartupError> {
        let n = &settings.notify;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(crate::startup::StartupError::Http)?;
        let email = EmailSender::new(
            store.clone(),
            n.smtp_url.as_deref(),
            &n.mail_from,
            &settings.public_url,
        )?;
        let sms = match &n.smsru_api_id {
            Some(api_id) => SmsSender::SmsRu {
                http: http.clone(),
                base_url: n.smsru_url.clone(),
                api_id: api_id.clone(),
                from: n.sms_from.clone(),
            },
            None => SmsSender::DevMailbox(store.clone()),
        };
        let vapid =
            crate::integrations::push::Vapid::load_or_create(store, n.vapid_subject.clone())
                .await
                .map_err(crate::startup::StartupError::Vapid)?;
        tracing::info!(
            email = if n.smtp_url.is_some() {
                "smtp"
            } else {
                "dev mailbox"
            },
            sms = if n.smsru_api_id.is_some() {
                "sms.ru"
            } else {
                "dev mailbox"
            },
            "notification channels ready"
        );
        Ok(Senders {
            email,
            sms,
            push: PushSender { vapid, http },
            // where the server listens; `Application::build` sets the bound address
            acquiring: crate::integrations::acquiring::from_settings(
                settings,
                &format!("http://{}", settings.addr),
            ),
            storage: settings.storage.clone(),
        })
    }
}

/// The embedded default of e-mail and SMS: keep the message in the council's dev mailbox.
pub(crate) async fn to_dev_mailbox(
    store: &Store,
    channel: Channel,
    to: &str,
    subject: &str,
    body: &str,
) -> SendOutcome {
    match store.put_in_dev_mailbox(channel, to, subject, body).await {
        Ok(()) => SendOutcome::Sent("dev mailbox".into()),
        Err(_) => SendOutcome::Retry("dev mailbox not writable".into()),
    }
}

/// A name for this worker in job leases and delivery attempts: process id and a random tag.
pub fn worker_id() -> String {
    format!("w{}-{:08x}", std::process::id(), rand::random::<u32>())
}

/// How long finished jobs are kept for inspection.
pub const KEEP_FINISHED_JOBS: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// How long a claimed job stays this worker's unless renewed (`KLYUCH_JOB_LEASE_SECONDS`). A
/// running job's lease is renewed every third of it, so a job may take longer than its lease;
/// the lease is how soon the jobs of a worker that died are taken over.
pub const DEFAULT_LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Runs due jobs from the table. Several workers (in one process or on several instances
/// sharing PostgreSQL) never run the same job at the same time.
pub struct Worker {
    store: Store,
    senders: Senders,
    id: String,
    lease: chrono::TimeDelta,
}

impl Worker {
    /// A worker with the [`DEFAULT_LEASE`].
    pub fn new(store: Store, senders: Senders, id: String) -> Arc<Self> {
        Self::with_lease(store, senders, id, DEFAULT_LEASE)
    }

    pub fn with_lease(
        store: Store,
        senders: Senders,
        id: String,
        lease: chrono::TimeDelta,
    ) -> Arc<Self> {
        Arc::new(Self {
            store,
            senders,
            id,
            lease,
        })
    }

    /// Works until `stop` turns true, sleeping `poll` when nothing is due; once an hour it
    /// deletes jobs finished more than [`KEEP_FINISHED_JOBS`] ago.
    pub async fn run(self: Arc<Self>, poll: Duration, mut stop: watch::Receiver<bool>) {
        tracing::info!(worker = %self.id, "job worker started");
        for task in [
            Task::ReadingReminders {},
            Task::TicketSweep {},
            Task::PassRetention {},
            Task::DebtSweep {},
        ] {
            if let Err(e) = self
                .store
                .ensure_recurring_job(&task, chrono::Utc::now())
                .await
            {
                tracing::error!(error = %e, ?task, "cannot schedule a recurring job");
            }
        }
        let mut next_purge = tokio::time::Instant::now();
        loop {
            if *stop.borrow() {
                break;
            }
            if tokio::time::Instant::now() >= next_purge {
                let before = chrono::Utc::now() - KEEP_FINISHED_JOBS;
                if let Ok(n) = self.store.purge_finished_jobs(before).await {
                    tracing::debug!(jobs = n, "finished jobs purged");
                }
                next_purge += Duration::from_secs(3600);
            }
            let ran = self.clone().tick().await;
            if ran == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        tracing::info!(worker = %self.id, "job worker stopped");
    }

    /// Claims the due jobs once and runs them concurrently; returns how many ran.
    pub async fn tick(self: Arc<Self>) -> usize {
        let now = chrono::Utc::now();
        let jobs = match self
            .store
            .claim_jobs(&self.id, CLAIM_BATCH, self.lease, now)
            .await
        {
            Ok(jobs) => jobs,
            Err(_) => return 0,
        };
        let count = jobs.len();
        let mut running = JoinSet::new();
        for job in jobs {
            let worker = self.clone();
            running.spawn(async move { worker.run_job(job).await });
        }
        while running.join_next().await.is_some() {}
        count
    }

    /// Runs one job, renewing its lease while it runs: a job longer than the lease (an accrual
    /// of a large house) is never taken over by another worker while this one is alive.
    async fn run_job(&self, job: Job) {
        let every = (self.lease / 3)
            .to_std()
            .unwrap_or(Duration::from_secs(1))
            .max(Duration::from_millis(100));
        let mut renewals = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        let work = self.run_task(&job);
        tokio::pin!(work);
        loop {
            tokio::select! {
                () = &mut work => return,
                _ = renewals.tick() => {
                    let until = chrono::Utc::now() + self.lease;
                    match self.store.renew_lease(&job, &self.id, until).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(job = job.id, "job lease lost while running");
                        }
                        Err(_) => tracing::warn!(job = job.id, "job lease not renewed"),
                    }
                }
            }
        }
    }

    async fn run_task(&self, job: &Job) {
        let task = match job.task() {
            Ok(task) => task,
            Err(e) => {
                tracing::error!(job = job.id, kind = %job.kind, error = %e, "unreadable job");
                let _ = self
                    .store
                    .fail_job(job, &self.id, &format!("unreadable job: {e}"))
                    .await;
                return;
            }
        };
        let result = match &task {
            Task::Fanout { notice, after_user } => self
                .store
                .fanout(job, &self.id, notice, *after_user, chrono::Utc::now())
                .await
                .map(|n| tracing::debug!(job = job.id, recipients = n, "fan-out batch done")),
            Task::Deliver { delivery_id } => self.deliver(job, *delivery_id).await,
            Task::ReadingReminders {} => self
                .store
                .reading_reminders_job(job, &self.id, chrono::Utc::now())
                .await
                .map(|n| {
                    tracing::debug!(job = job.id, notices = n, "reading reminders sweep done")
                }),
            Task::Accrual { run_id } => self.store.accrual_job(job, &self.id, *run_id).await,
            Task::Bills { batch_id, dir } => {
                self.store.bills_job(job, &self.id, *batch_id, dir).await
            }
            Task::CreditPayment { payment_id } => {
                self.store.credit_job(job, &self.id, *payment_id).await
            }
            Task::ExpirePayment { payment_id } => self.expire_payment(job, *payment_id).await,
            Task::TicketSweep {} => self.ticket_sweep(job).await,
            Task::PassRetention {} => self.pass_retention(job).await,
            Task::DebtSweep {} => self
                .store
                .debt_sweep_job(job, &self.id, chrono::Utc::now())
                .await
                .map(|n| tracing::debug!(job = job.id, notices = n, "debt sweep done")),
        };
        if result.is_err() {
            // the job stays claimed; its lease runs out and it is tried again
            tracing::warn!(job = job.id, kind = %job.kind, "job left for a retry after an error");
        }
    }

    /// A payment nobody finished in time: the bank is asked once more (a confirmation that
    /// never reached us is honoured), then it is closed as expired. An unreachable bank is
    /// asked again on the job's retries, at most five times.
    async fn expire_payment(&self, job: &Job, payment_id: i64) -> Result<(), app::error::AppError> {
        if let Some(provider_id) = self.store.open_online_payment(payment_id).await? {
            let fetched = match &provider_id {
                Some(id) => Some(self.senders.acquiring.state(id).await),
                None => None,
            };
            match fetched {
                Some(Ok(state)) => {
                    self.store.apply_bank_state(payment_id, &state).await?;
                }
                Some(Err(e)) if job.attempts < 5 => {
                    tracing::warn!(payment_id, error = %e, "bank not asked about an expiring payment");
                    return Err(app::error::AppError::Internal);
                }
                _ => {}
            }
            self.store.expire_online_payment(payment_id).await?;
        }
        self.store.finish_job(job, &self.id).await
    }

    /// The АДС sweep (escalations, quiet done tickets closed, stale uploads purged with their
    /// files), then again in a minute.
    async fn ticket_sweep(&self, job: &Job) -> Result<(), app::error::AppError> {
        let now = chrono::Utc::now();
        let done = self.store.ticket_sweep(now).await?;
        for key in &done.purged {
            if let Some(id) = key.strip_prefix("staging/").and_then(|i| i.parse().ok()) {
                let _ = tokio::fs::remove_file(self.senders.storage.staging(id)).await;
            } else if let Err(e) = self.senders.storage.delete(key).await {
                tracing::warn!(error = %e, "cannot delete a purged upload");
            }
        }
        if done.escalated + done.closed + done.purged.len() > 0 {
            tracing::info!(
                escalated = done.escalated,
                closed = done.closed,
                purged = done.purged.len(),
                "ticket sweep"
            );
        }
        self.store
            .reschedule_recurring(job, &self.id, now + chrono::Duration::minutes(1))
            .await
    }

    async fn pass_retention(&self, job: &Job) -> Result<(), app::error::AppError> {
        let now = chrono::Utc::now();
        self.store.notice_ending_contractors(now).await?;
        let erased = self.store.erase_guest_data(now).await?;
        if erased.passes + erased.reads > 0 {
            tracing::info!(
                passes = erased.passes,
                reads = erased.reads,
                "guests' data erased"
            );
        }
        self.store
            .reschedule_recurring(job, &self.id, now + chrono::Duration::hours(1))
            .await
    }

    async fn deliver(&self, job: &Job, delivery_id: i64) -> Result<(), app::error::AppError> {
        let Some(message) = self.store.outgoing(delivery_id).await? else {
            return self.store.skip_delivery(job, &self.id).await;
        };
        if message.already_sent {
            return self.store.skip_delivery(job, &self.id).await;
        }
        let outcome = match message.channel {
            Channel::Email => self.senders.email.send(&message).await,
            Channel::Sms => self.senders.sms.send(&message).await,
            Channel::Push => self.senders.push.send(&message).await,
        };
        // the provider's detail (it may quote the address) goes to `delivery_attempts`, not here
        let result = match &outcome {
            SendOutcome::Sent(_) => "sent",
            SendOutcome::Retry(_) => "will retry",
            SendOutcome::Failed(_) => "failed",
            SendOutcome::Gone(_) => "subscription gone",
        };
        tracing::info!(
            delivery = message.delivery_id,
            channel = message.channel.as_str(),
            result
        );
        let held = self
            .store
            .record_delivery(job, &self.id, &message, &outcome, chrono::Utc::now())
            .await?;
        if !held {
            tracing::warn!(
                job = job.id,
                "delivery lease lost before its result was stored"
            );
        }
        Ok(())
    }
}
