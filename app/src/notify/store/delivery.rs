//! The fan-out of a notice to its recipients, and each delivery through a channel with its
//! attempts recorded (the worker's side).

use super::*;
use crate::db::jobs::{Task, lease_held};
use crate::write_tx;

#[derive(Debug, FromRow)]
pub(super) struct Recipient {
    id: i64,
    email: Option<String>,
    phone: Option<String>,
}

/// A delivery ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub delivery_id: i64,
    pub channel: Channel,
    /// E-mail, phone (+7…), or push endpoint.
    pub address: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub critical: bool,
    /// What caused it (`bill:…` makes the e-mail attach that bill).
    pub source: Option<String>,
    /// `p256dh` and `auth` of the push subscription (gone when the browser unsubscribed).
    pub push_keys: Option<(String, String)>,
    pub already_sent: bool,
}

/// What a channel answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted; the detail is the provider's id or note.
    Sent(String),
    /// Try again later (network, 5xx, rate limit).
    Retry(String),
    /// Will never work (bad address, refused).
    Failed(String),
    /// The push subscription no longer exists (404/410): remove it.
    Gone(String),
}

impl Store {
    /// Processes one batch of a fan-out job in one transaction: the recipients of `notice`
    /// after user `after_user`, their notifications, their deliveries by preference, and a
    /// delivery job each. Returns how many were notified.
    pub async fn fanout(
        &self,
        job: &Job,
        worker: &str,
        notice: &Notice,
        after_user: i64,
        now: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let today = clock::local(now).date();
        let spec = spec(notice.kind);
        let kind = notice.kind.as_str();
        write_tx!(self, "fan out a notice", |tx| {
            let recipients: Vec<Recipient> = match notice.recipients {
                Recipients::User(id) => {
                    sqlx::query_as(
                        "SELECT id, email, phone FROM users
                         WHERE id = $1 AND is_active AND id > $2",
                    )
                    .bind(id)
                    .bind(after_user)
                    .fetch_all(&mut *tx)
                    .await?
                }
                Recipients::Staff(permission) => {
                    let roles: Vec<&str> = crate::auth::types::Role::ALL
                        .iter()
                        .copied()
                        .filter(|r| crate::auth::rules::role_can(*r, permission))
                        .map(|r| r.as_str())
                        .collect();
                    let mut q = sqlx::QueryBuilder::new(
                        "SELECT id, email, phone FROM users WHERE is_active AND id > ",
                    );
                    q.push_bind(after_user);
                    q.push(" AND role IN (");
                    crate::db::push_in_list(&mut q, &roles);
                    q.push(" ORDER BY id LIMIT ");
                    q.push_bind(FANOUT_BATCH);
                    q.build_query_as().fetch_all(&mut *tx).await?
                }
                Recipients::Residents(audience) => {
                    let sql = format!(
                        "SELECT DISTINCT u.id, u.email, u.phone
                         FROM users u JOIN ({homes}) h ON h.user_id = u.id
                         WHERE u.is_active AND u.id > $2
                           AND ($3 IS NULL OR h.house_id = $3)
                           AND ($4 IS NULL OR h.entrance_id = $4)
                         ORDER BY u.id LIMIT $5",
                        homes = active_homes("$1")
                    );
                    sqlx::query_as(&sql)
                        .bind(today)
                        .bind(after_user)
                        .bind(audience.house_id)
                        .bind(audience.entrance_id)
                        .bind(FANOUT_BATCH)
                        .fetch_all(&mut *tx)
                        .await?
                }
            };
            let (Some(first), Some(last)) = (recipients.first(), recipients.last()) else {
                lease_held(finish_job!(
                    &mut *tx,
                    job.id,
                    worker,
                    "done",
                    None::<String>
                )?)?;
                return Ok(0);
            };
            let (low, high) = (first.id - 1, last.id);
            let template: Option<(String, String)> =
                sqlx::query_as("SELECT title, body FROM notify_templates WHERE kind = $1")
                    .bind(kind)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (title_t, body_t) =
                template.unwrap_or_else(|| (spec.title.to_string(), spec.body.to_string()));
            let title = render(&title_t, &notice.params);
            let body = render(&body_t, &notice.params);
            let choices: Vec<(i64, String, bool)> = sqlx::query_as(
                "SELECT user_id, channel, enabled FROM notify_prefs
                 WHERE kind = $1 AND user_id > $2 AND user_id <= $3",
            )
            .bind(kind)
            .bind(low)
            .bind(high)
            .fetch_all(&mut *tx)
            .await?;
            let choices: HashMap<(i64, String), bool> =
                choices.into_iter().map(|(u, c, on)| ((u, c), on)).collect();
            let quiet: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT user_id, starts_min, ends_min FROM quiet_hours
                 WHERE user_id > $1 AND user_id <= $2",
            )
            .bind(low)
            .bind(high)
            .fetch_all(&mut *tx)
            .await?;
            let quiet: HashMap<i64, QuietHours> = quiet
                .into_iter()
                .map(|(u, from, to)| {
                    (
                        u,
                        QuietHours {
                            from: from as u32,
                            to: to as u32,
                        },
                    )
                })
                .collect();
            let endpoints: Vec<(i64, String)> = sqlx::query_as(
                "SELECT user_id, endpoint FROM push_subscriptions
                 WHERE user_id > $1 AND user_id <= $2 ORDER BY id",
            )
            .bind(low)
            .bind(high)
            .fetch_all(&mut *tx)
            .await?;
            let mut pushes: HashMap<i64, Vec<String>> = HashMap::new();
            for (user, endpoint) in endpoints {
                pushes.entry(user).or_default().push(endpoint);
            }
            for r in &recipients {
                let notification_id: i64 = sqlx::query_scalar(
                    "INSERT INTO notifications
                         (user_id, kind, critical, title, body, link, source, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(r.id)
                .bind(kind)
                .bind(spec.critical)
                .bind(&title)
                .bind(&body)
                .bind(&notice.link)
                .bind(&notice.source)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                for channel in Channel::ALL.iter().copied() {
                    let choice = choices.get(&(r.id, channel.as_str().to_string())).copied();
                    if !channel_wanted(notice.kind, channel, choice)
                        || notice
                            .channels
                            .as_ref()
                            .is_some_and(|only| !only.contains(&channel))
                    {
                        continue;
                    }
                    let addresses: Vec<String> = match channel {
                        Channel::Email => r.email.iter().cloned().collect(),
                        Channel::Sms => r.phone.iter().cloned().collect(),
                        Channel::Push => pushes.get(&r.id).cloned().unwrap_or_default(),
                    };
                    let run_at = quiet
                        .get(&r.id)
                        .filter(|_| channel.respects_quiet_hours() && !spec.critical)
                        .and_then(|q| q.hold_until(clock::local(now)))
                        .map(clock::from_local)
                        .unwrap_or(now);
                    for address in addresses {
                        let delivery_id: i64 = sqlx::query_scalar(
                            "INSERT INTO deliveries (notification_id, channel, address, status)
                             VALUES ($1, $2, $3, 'queued') RETURNING id",
                        )
                        .bind(notification_id)
                        .bind(channel.as_str())
                        .bind(&address)
                        .fetch_one(&mut *tx)
                        .await?;
                        enqueue_job!(&mut *tx, &Task::Deliver { delivery_id }, run_at)?;
                    }
                }
            }
            let held = if recipients.len() as i64 == FANOUT_BATCH {
                let next = Task::Fanout {
                    notice: notice.clone(),
                    after_user: high,
                }
                .stored()?;
                reschedule_job!(&mut *tx, job.id, worker, now, next.payload, None::<String>)?
            } else {
                finish_job!(&mut *tx, job.id, worker, "done", None::<String>)?
            };
            lease_held(held)?;
            Ok(recipients.len())
        })
    }

    /// Delivery `delivery_id` with its message (None when its row is gone).
    pub async fn outgoing(&self, delivery_id: i64) -> Result<Option<Outgoing>, AppError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            channel: Channel,
            address: String,
            status: String,
            title: String,
            body: String,
            link: Option<String>,
            critical: bool,
            source: Option<String>,
            p256dh: Option<String>,
            auth: Option<String>,
        }
        let row: Option<Row> = with_db!(&self.db, |pool| sqlx::query_as(
            "SELECT d.id, d.channel, d.address, d.status, n.title, n.body, n.link, n.critical,
                    n.source, s.p256dh, s.auth
             FROM deliveries d
             JOIN notifications n ON n.id = d.notification_id
             LEFT JOIN push_subscriptions s ON d.channel = 'push' AND s.endpoint = d.address
             WHERE d.id = $1"
        )
        .bind(delivery_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("load delivery"))?;
        Ok(row.map(|r| Outgoing {
            delivery_id: r.id,
            channel: r.channel,
            address: r.address,
            title: r.title,
            body: r.body,
            link: r.link,
            critical: r.critical,
            source: r.source,
            push_keys: r.p256dh.zip(r.auth),
            already_sent: r.status != "queued",
        }))
    }

    /// Records one attempt and its consequence in one transaction: the delivery's status, the
    /// job's end or retry with backoff, and a dead push subscription's removal. False when the
    /// lease was lost (another worker owns the job now; nothing is written).
    pub async fn record_delivery(
        &self,
        job: &Job,
        worker: &str,
        delivery: &Outgoing,
        outcome: &SendOutcome,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let (ok, detail) = match outcome {
            SendOutcome::Sent(d) => (true, d.as_str()),
            SendOutcome::Retry(d) | SendOutcome::Failed(d) | SendOutcome::Gone(d) => {
                (false, d.as_str())
            }
        };
        let give_up = matches!(outcome, SendOutcome::Retry(_)) && job.attempts >= MAX_ATTEMPTS;
        write_tx!(self, "record a delivery", |tx| {
            let held = match outcome {
                SendOutcome::Retry(e) if !give_up => {
                    let next = now + retry_delay(job.attempts);
                    reschedule_job!(&mut *tx, job.id, worker, next, &job.payload, Some(e))?
                }
                SendOutcome::Sent(_) => {
                    finish_job!(&mut *tx, job.id, worker, "done", None::<String>)?
                }
                _ => finish_job!(&mut *tx, job.id, worker, "failed", Some(detail))?,
            };
            if !held {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO delivery_attempts (delivery_id, at, worker, ok, detail)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(delivery.delivery_id)
            .bind(now)
            .bind(worker)
            .bind(ok)
            .bind(detail)
            .execute(&mut *tx)
            .await?;
            let status = match outcome {
                SendOutcome::Sent(_) => "sent",
                SendOutcome::Retry(_) if !give_up => "queued",
                _ => "failed",
            };
            sqlx::query(
                "UPDATE deliveries SET status = $1, attempts = attempts + 1,
                     last_error = $2, sent_at = $3
                 WHERE id = $4",
            )
            .bind(status)
            .bind((!ok).then_some(detail))
            .bind(ok.then_some(now))
            .bind(delivery.delivery_id)
            .execute(&mut *tx)
            .await?;
            if let SendOutcome::Gone(_) = outcome {
                sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
                    .bind(&delivery.address)
                    .execute(&mut *tx)
                    .await?;
            }
            Ok(true)
        })
    }

    /// Ends a delivery job whose delivery was already sent or whose row is gone.
    pub async fn skip_delivery(&self, job: &Job, worker: &str) -> Result<(), AppError> {
        with_db!(&self.db, |pool| finish_job!(
            pool,
            job.id,
            worker,
            "done",
            Some("уже отправлено или удалено")
        )
        .map(|_| ()))
        .map_err(internal("skip delivery"))
    }

    /// The embedded default of e-mail and SMS: keep what would have been sent.
    pub async fn put_in_dev_mailbox(
        &self,
        channel: Channel,
        recipient: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "INSERT INTO dev_mailbox (at, channel, recipient, subject, body)
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(Utc::now())
        .bind(channel.as_str())
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("write dev mailbox"))
    }

    pub async fn dev_mailbox(&self, limit: i64) -> Result<Vec<MailboxItem>, AppError> {
        let rows: Vec<(DateTime<Utc>, String, String, String, String)> =
            with_db!(&self.db, |pool| sqlx::query_as(
                "SELECT at, channel, recipient, subject, body FROM dev_mailbox
                 ORDER BY id DESC LIMIT $1"
            )
            .bind(limit)
            .fetch_all(pool)
            .await)
            .map_err(internal("read dev mailbox"))?;
        Ok(rows
            .into_iter()
            .map(|(at, channel, recipient, subject, body)| MailboxItem {
                at: clock::format_moment(at),
                channel: Channel::parse(&channel)
                    .map(|c| c.label().to_string())
                    .unwrap_or(channel),
                recipient,
                subject,
                body,
            })
            .collect())
    }

    /// How the notifications caused by `source` spread.
    pub async fn delivery_report(&self, source: &str) -> Result<DeliveryReport, AppError> {
        self.report_where("n.source = $1", source).await
    }

    /// How the notifications whose `source` starts with `prefix` spread (one mailing's, sent
    /// with a source per account).
    pub async fn delivery_report_of_prefix(
        &self,
        prefix: &str,
    ) -> Result<DeliveryReport, AppError> {
        self.report_where("n.source LIKE $1", &format!("{prefix}%"))
            .await
    }

    /// The delivery report of the notifications `n` matching `condition` on `$1`.
    async fn report_where(&self, condition: &str, value: &str) -> Result<DeliveryReport, AppError> {
        with_db!(&self.db, |pool| async {
            let (recipients, read): (i64, i64) = sqlx::query_as(&format!(
                "SELECT COUNT(*), COUNT(n.read_at) FROM notifications n WHERE {condition}"
            ))
            .bind(value)
            .fetch_one(pool)
            .await?;
            let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(&format!(
                "SELECT d.channel,
                        COUNT(*) FILTER (WHERE d.status = 'sent'),
                        COUNT(*) FILTER (WHERE d.status = 'queued'),
                        COUNT(*) FILTER (WHERE d.status = 'failed')
                 FROM deliveries d JOIN notifications n ON n.id = d.notification_id
                 WHERE {condition} GROUP BY d.channel"
            ))
            .bind(value)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>(DeliveryReport {
                recipients,
                read,
                channels: Channel::ALL
                    .iter()
                    .copied()
                    .map(|c| {
                        let counts = rows
                            .iter()
                            .find(|r| r.0 == c.as_str())
                            .map(|r| ChannelCounts {
                                sent: r.1,
                                queued: r.2,
                                failed: r.3,
                            })
                            .unwrap_or_default();
                        (c, counts)
                    })
                    .collect(),
            })
        }
        .await)
        .map_err(internal("delivery report"))
    }
}
