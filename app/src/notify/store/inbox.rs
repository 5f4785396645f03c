//! What a user reads: the bell, banners, notifications, and their preferences.

use super::*;
use crate::write_tx;

impl Store {
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
                .iter()
                .copied()
                .filter(|kind| spec(*kind).whom.reaches(role))
                .map(|kind| {
                    let s = spec(kind);
                    KindPrefs {
                        kind,
                        label: s.label.to_string(),
                        mandatory: s.mandatory,
                        channels: Channel::ALL
                            .iter()
                            .copied()
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
        write_tx!(self, "save preferences", |tx| {
            sqlx::query("DELETE FROM notify_prefs WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            for kind in NoticeKind::ALL
                .iter()
                .copied()
                .filter(|k| !spec(*k).mandatory)
            {
                for channel in Channel::ALL.iter().copied() {
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
            Ok(())
        })
    }
}
