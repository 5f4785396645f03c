//! Database side of the notification path: the fan-out of a notice into notifications and
//! deliveries, delivery results, the bell, preferences, templates, push subscriptions, the dev
//! mailbox and delivery reports.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::rules::{self, MAX_ATTEMPTS, QuietHours, channel_wanted, render, retry_delay, spec};
use super::types::*;
use crate::clock;
use crate::db::jobs::Job;
use crate::db::{BeginWrite, Store, internal};
use crate::error::AppError;
use crate::{audit, enqueue_job, finish_job, reschedule_job, with_db};

/// Job kind: turn a notice into notifications and deliveries.
pub const FANOUT: &str = "notify.fanout";
/// Job kind: send one delivery.
pub const DELIVER: &str = "notify.deliver";

/// Recipients handled in one fan-out transaction; a bigger audience continues in the next one.
pub const FANOUT_BATCH: i64 = 500;

#[derive(Debug, Serialize, Deserialize)]
struct FanoutPayload {
    notice: Notice,
    /// Recipients up to this user id are done.
    #[serde(default)]
    after_user: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct DeliverPayload {
    delivery_id: i64,
}

/// The outbox payload of a notice (used by [`enqueue_notice!`]).
pub fn fanout_payload(notice: &Notice) -> Result<String, sqlx::Error> {
    serde_json::to_string(&FanoutPayload {
        notice: notice.clone(),
        after_user: 0,
    })
    .map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// `enqueue_notice!(&mut *tx, &notice)`: puts a notice in the outbox inside the caller's
/// transaction — the one way every area sends anything to anyone.
#[macro_export]
macro_rules! enqueue_notice {
    ($tx:expr, $notice:expr) => {
        match $crate::notify::store::fanout_payload($notice) {
            Ok(payload) => $crate::enqueue_job!(
                $tx,
                $crate::notify::store::FANOUT,
                payload,
                chrono::Utc::now()
            ),
            Err(e) => Err(e),
        }
    };
}

/// Residents' homes now: which user lives in which house and entrance. `$today` is the bind
/// parameter holding today's date.
fn active_homes(today: &str) -> String {
    format!(
        "SELECT p.user_id, ap.house_id, ap.entrance_id
         FROM people p
         JOIN residencies r ON r.person_id = p.id
         JOIN apartments ap ON ap.id = r.apartment_id
         WHERE p.user_id IS NOT NULL AND r.status = 'active'
           AND (r.moved_out IS NULL OR r.moved_out > {today})"
    )
}

/// True for rows of `table` (with `house_id`, `entrance_id`) addressed to user `$user`:
/// everyone, or a house or entrance the user lives in.
pub fn audience_matches(table: &str, user: &str, today: &str) -> String {
    format!(
        "({table}.house_id IS NULL OR EXISTS (
             SELECT 1 FROM ({homes}) h
             WHERE h.user_id = {user} AND h.house_id = {table}.house_id
               AND ({table}.entrance_id IS NULL OR h.entrance_id = {table}.entrance_id)))",
        homes = active_homes(today)
    )
}

#[derive(Debug, FromRow)]
struct Recipient {
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
    /// Processes one batch of a fan-out job in one transaction: the recipients' notifications,
    /// their deliveries by preference, and a delivery job each. Returns how many were notified.
    pub async fn fanout(
        &self,
        job: &Job,
        worker: &str,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<usize, AppError> {
        let mut payload: FanoutPayload = match serde_json::from_str(&job.payload) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(job = job.id, error = %e, "unreadable fan-out payload");
                self.fail_job(job, worker, "unreadable payload").await?;
                return Ok(0);
            }
        };
        let notice = payload.notice.clone();
        let spec = spec(notice.kind);
        let kind = notice.kind.as_str();
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let recipients: Vec<Recipient> = match notice.recipients {
                Recipients::User(id) => {
                    sqlx::query_as(
                        "SELECT id, email, phone FROM users
                         WHERE id = $1 AND is_active AND id > $2",
                    )
                    .bind(id)
                    .bind(payload.after_user)
                    .fetch_all(&mut *tx)
                    .await?
                }
                Recipients::Staff(permission) => {
                    let roles: Vec<&str> = crate::auth::types::Role::ALL
                        .into_iter()
                        .filter(|r| crate::auth::rules::role_can(*r, permission))
                        .map(|r| r.as_str())
                        .collect();
                    let mut q = sqlx::QueryBuilder::new(
                        "SELECT id, email, phone FROM users WHERE is_active AND id > ",
                    );
                    q.push_bind(payload.after_user);
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
                        .bind(payload.after_user)
                        .bind(audience.house_id)
                        .bind(audience.entrance_id)
                        .bind(FANOUT_BATCH)
                        .fetch_all(&mut *tx)
                        .await?
                }
            };
            let (Some(first), Some(last)) = (recipients.first(), recipients.last()) else {
                let held = finish_job!(&mut *tx, job.id, worker, "done", None::<String>)?;
                if held {
                    tx.commit().await?;
                }
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
                for channel in Channel::ALL {
                    let choice = choices.get(&(r.id, channel.as_str().to_string())).copied();
                    if !channel_wanted(notice.kind, channel, choice) {
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
                        let payload = serde_json::to_string(&DeliverPayload { delivery_id })
                            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                        enqueue_job!(&mut *tx, DELIVER, payload, run_at)?;
                    }
                }
            }
            let held = if recipients.len() as i64 == FANOUT_BATCH {
                payload.after_user = high;
                let next = serde_json::to_string(&payload)
                    .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                reschedule_job!(&mut *tx, job.id, worker, now, next, None::<String>)?
            } else {
                finish_job!(&mut *tx, job.id, worker, "done", None::<String>)?
            };
            if !held {
                tracing::warn!(job = job.id, "fan-out lease lost; another worker has it");
                return Ok(0);
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(recipients.len())
        }
        .await)
        .map_err(internal("fan out a notice"))
    }

    /// The delivery a `notify.deliver` job is about (None when the payload or row is gone).
    pub async fn outgoing(&self, job: &Job) -> Result<Option<Outgoing>, AppError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            channel: String,
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
        let Ok(DeliverPayload { delivery_id }) = serde_json::from_str(&job.payload) else {
            return Ok(None);
        };
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
        Ok(row.and_then(|r| {
            Some(Outgoing {
                delivery_id: r.id,
                channel: Channel::parse(&r.channel)?,
                address: r.address,
                title: r.title,
                body: r.body,
                link: r.link,
                critical: r.critical,
                source: r.source,
                push_keys: r.p256dh.zip(r.auth),
                already_sent: r.status != "queued",
            })
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
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
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
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        }
        .await)
        .map_err(internal("record a delivery"))
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

    /// The header of every cabinet page: unread count and the critical banners in force that
    /// the user has not collapsed (or that changed since), newest first.
    pub async fn header_notices(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<HeaderNotices, AppError> {
        let banners_sql = format!(
            "SELECT a.id, a.title, a.body, a.expires_at, d.version FROM announcements a
             LEFT JOIN banner_dismissals d ON d.announcement_id = a.id AND d.user_id = $1
             WHERE a.critical AND a.created_at <= $3 AND a.expires_at > $3 AND {}
             ORDER BY a.created_at DESC, a.id DESC",
            audience_matches("a", "$1", "$2")
        );
        type BannerRow = (i64, String, String, DateTime<Utc>, Option<String>);
        with_db!(&self.db, |pool| async {
            let unread: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(user_id)
            .fetch_one(pool)
            .await?;
            let banners: Vec<BannerRow> = sqlx::query_as(&banners_sql)
                .bind(user_id)
                .bind(today)
                .bind(now)
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>(HeaderNotices {
                unread,
                banners: banners
                    .into_iter()
                    .filter_map(|(id, title, body, until, collapsed)| {
                        let until = clock::format_moment(until);
                        let version = rules::banner_version(&title, &body, &until);
                        (collapsed.as_deref() != Some(version.as_str())).then_some(Banner {
                            id,
                            title,
                            body,
                            until,
                            version,
                        })
                    })
                    .collect(),
            })
        }
        .await)
        .map_err(internal("header notices"))
    }

    /// The user collapses a critical banner they have read, as it is now (`version`): it stays
    /// hidden until the announcement changes. A banner the user cannot see is refused.
    pub async fn collapse_banner(
        &self,
        user_id: i64,
        announcement_id: i64,
        version: &str,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<(), AppError> {
        let visible = self
            .header_notices(user_id, now, today)
            .await?
            .banners
            .into_iter()
            .any(|b| b.id == announcement_id && b.version == version);
        if !visible {
            return Err(AppError::NotFound);
        }
        with_db!(&self.db, |pool| sqlx::query(
            "INSERT INTO banner_dismissals (user_id, announcement_id, version, dismissed_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, announcement_id)
             DO UPDATE SET version = excluded.version, dismissed_at = excluded.dismissed_at"
        )
        .bind(user_id)
        .bind(announcement_id)
        .bind(version)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("collapse banner"))
    }

    /// The user's latest notifications, newest first.
    pub async fn notifications(
        &self,
        user_id: i64,
        limit: i64,
    ) -> Result<Vec<NotificationItem>, AppError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            title: String,
            body: String,
            link: Option<String>,
            critical: bool,
            created_at: DateTime<Utc>,
            read_at: Option<DateTime<Utc>>,
        }
        let rows: Vec<Row> = with_db!(&self.db, |pool| sqlx::query_as(
            "SELECT id, title, body, link, critical, created_at, read_at FROM notifications
             WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(pool)
        .await)
        .map_err(internal("list notifications"))?;
        Ok(rows
            .into_iter()
            .map(|r| NotificationItem {
                id: r.id,
                title: r.title,
                body: r.body,
                link: r.link,
                critical: r.critical,
                created_at: clock::format_moment(r.created_at),
                is_read: r.read_at.is_some(),
            })
            .collect())
    }

    /// Marks the user's notifications read: one (`Some(id)`) or all. Only the user's own rows.
    pub async fn mark_read(
        &self,
        user_id: i64,
        notification_id: Option<i64>,
    ) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE notifications SET read_at = $1
             WHERE user_id = $2 AND read_at IS NULL AND ($3 IS NULL OR id = $3)"
        )
        .bind(Utc::now())
        .bind(user_id)
        .bind(notification_id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("mark notifications read"))
    }

    pub async fn preferences(&self, user_id: i64) -> Result<Preferences, AppError> {
        with_db!(&self.db, |pool| async {
            let choices: Vec<(String, String, bool)> = sqlx::query_as(
                "SELECT kind, channel, enabled FROM notify_prefs WHERE user_id = $1",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?;
            let quiet: Option<(i64, i64)> =
                sqlx::query_as("SELECT starts_min, ends_min FROM quiet_hours WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_optional(pool)
                    .await?;
            let (email, phone, role): (Option<String>, Option<String>, String) =
                sqlx::query_as("SELECT email, phone, role FROM users WHERE id = $1")
                    .bind(user_id)
                    .fetch_one(pool)
                    .await?;
            let role = crate::auth::types::Role::parse(&role)
                .unwrap_or(crate::auth::types::Role::Resident);
            let push_devices: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_one(pool)
                    .await?;
            let vapid: Option<String> =
                sqlx::query_scalar("SELECT value FROM app_secrets WHERE name = $1")
                    .bind(VAPID)
                    .fetch_optional(pool)
                    .await?;
            let choices: BTreeMap<(String, String), bool> =
                choices.into_iter().map(|(k, c, on)| ((k, c), on)).collect();
            let kinds = NoticeKind::ALL
                .into_iter()
                .filter(|kind| spec(*kind).whom.reaches(role))
                .map(|kind| {
                    let s = spec(kind);
                    KindPrefs {
                        kind,
                        label: s.label.to_string(),
                        mandatory: s.mandatory,
                        channels: Channel::ALL
                            .into_iter()
                            .map(|c| {
                                let choice = choices
                                    .get(&(s.key.to_string(), c.as_str().to_string()))
                                    .copied();
                                (c, channel_wanted(kind, c, choice))
                            })
                            .collect(),
                    }
                })
                .collect();
            Ok::<_, sqlx::Error>(Preferences {
                kinds,
                quiet_from: quiet.map(|(f, _)| rules::format_clock(f as u32)),
                quiet_to: quiet.map(|(_, t)| rules::format_clock(t as u32)),
                has_email: email.is_some(),
                has_phone: phone.is_some(),
                push_devices,
                push_key: vapid.as_deref().and_then(vapid_public).map(str::to_string),
            })
        }
        .await)
        .map_err(internal("load preferences"))
    }

    /// Replaces the user's choices (switchable kinds only) and quiet hours in one transaction.
    pub async fn save_preferences(
        &self,
        user_id: i64,
        enabled: &[(NoticeKind, Channel)],
        quiet: Option<QuietHours>,
    ) -> Result<(), AppError> {
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM notify_prefs WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            for kind in NoticeKind::ALL.into_iter().filter(|k| !spec(*k).mandatory) {
                for channel in Channel::ALL {
                    sqlx::query(
                        "INSERT INTO notify_prefs (user_id, kind, channel, enabled)
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(user_id)
                    .bind(kind.as_str())
                    .bind(channel.as_str())
                    .bind(enabled.contains(&(kind, channel)))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            sqlx::query("DELETE FROM quiet_hours WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if let Some(q) = quiet {
                sqlx::query(
                    "INSERT INTO quiet_hours (user_id, starts_min, ends_min) VALUES ($1, $2, $3)",
                )
                .bind(user_id)
                .bind(i64::from(q.from))
                .bind(i64::from(q.to))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        }
        .await)
        .map_err(internal("save preferences"))
    }

    pub async fn templates(&self) -> Result<Vec<TemplateView>, AppError> {
        let edited: Vec<(String, String, String)> = with_db!(&self.db, |pool| sqlx::query_as(
            "SELECT kind, title, body FROM notify_templates"
        )
        .fetch_all(pool)
        .await)
        .map_err(internal("load templates"))?;
        Ok(NoticeKind::ALL
            .into_iter()
            .map(|kind| {
                let s = spec(kind);
                let own = edited.iter().find(|(k, _, _)| k == s.key);
                TemplateView {
                    kind,
                    label: s.label.to_string(),
                    title: own.map_or(s.title, |(_, t, _)| t).to_string(),
                    body: own.map_or(s.body, |(_, _, b)| b).to_string(),
                    placeholders: s
                        .placeholders
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                    is_default: own.is_none(),
                }
            })
            .collect())
    }

    /// Stores staff's text for a kind (`None`: back to the built-in text); audited.
    pub async fn save_template(
        &self,
        actor: i64,
        kind: NoticeKind,
        text: Option<(&str, &str)>,
    ) -> Result<(), AppError> {
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM notify_templates WHERE kind = $1")
                .bind(kind.as_str())
                .execute(&mut *tx)
                .await?;
            if let Some((title, body)) = text {
                sqlx::query(
                    "INSERT INTO notify_templates (kind, title, body, updated_by, updated_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(kind.as_str())
                .bind(title)
                .bind(body)
                .bind(actor)
                .bind(Utc::now())
                .execute(&mut *tx)
                .await?;
            }
            let action = if text.is_some() {
                "edit_template"
            } else {
                "reset_template"
            };
            audit!(
                &mut *tx,
                Some(actor),
                action,
                "template",
                None::<i64>,
                kind.as_str()
            )?;
            tx.commit().await
        }
        .await)
        .map_err(internal("save template"))
    }

    /// Keeps a browser's push subscription for the user (a re-subscribed endpoint moves over).
    pub async fn save_push_subscription(
        &self,
        user_id: i64,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
    ) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (endpoint) DO UPDATE
                 SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth"
        )
        .bind(user_id)
        .bind(endpoint)
        .bind(p256dh)
        .bind(auth)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("save push subscription"))
    }

    /// Forgets every push subscription of the user (the "turn off on all devices" button).
    pub async fn remove_push_subscriptions(&self, user_id: i64) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "DELETE FROM push_subscriptions WHERE user_id = $1"
        )
        .bind(user_id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("remove push subscriptions"))
    }

    pub async fn push_subscription_count(&self, user_id: i64) -> Result<i64, AppError> {
        with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM push_subscriptions WHERE user_id = $1"
        )
        .bind(user_id)
        .fetch_one(pool)
        .await)
        .map_err(internal("count push subscriptions"))
    }

    /// A secret the application made for itself, created by `make` on first use. Safe when
    /// several instances start at once: the first stored value wins for all of them.
    pub async fn app_secret(
        &self,
        name: &str,
        make: impl FnOnce() -> String,
    ) -> Result<String, AppError> {
        let value = make();
        with_db!(&self.db, |pool| async {
            sqlx::query(
                "INSERT INTO app_secrets (name, value, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(&value)
            .bind(Utc::now())
            .execute(pool)
            .await?;
            sqlx::query_scalar("SELECT value FROM app_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(pool)
                .await
        }
        .await)
        .map_err(internal("app secret"))
    }

    /// How the notifications caused by `source` spread.
    pub async fn delivery_report(&self, source: &str) -> Result<DeliveryReport, AppError> {
        with_db!(&self.db, |pool| async {
            let (recipients, read): (i64, i64) = sqlx::query_as(
                "SELECT COUNT(*), COUNT(read_at) FROM notifications WHERE source = $1",
            )
            .bind(source)
            .fetch_one(pool)
            .await?;
            let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
                "SELECT d.channel,
                        COUNT(*) FILTER (WHERE d.status = 'sent'),
                        COUNT(*) FILTER (WHERE d.status = 'queued'),
                        COUNT(*) FILTER (WHERE d.status = 'failed')
                 FROM deliveries d JOIN notifications n ON n.id = d.notification_id
                 WHERE n.source = $1 GROUP BY d.channel",
            )
            .bind(source)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>(DeliveryReport {
                recipients,
                read,
                channels: Channel::ALL
                    .into_iter()
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

/// The VAPID key pair in `app_secrets`, one value so that it is created whole:
/// `<private scalar>.<uncompressed public point>`, both base64url.
pub const VAPID: &str = "vapid";

/// The public half of the stored VAPID pair (what the browser subscribes with).
pub fn vapid_public(pair: &str) -> Option<&str> {
    pair.split_once('.').map(|(_, public)| public)
}
