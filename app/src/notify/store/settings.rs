//! Staff's templates, push subscriptions and the app's own secrets (the VAPID key pair).

use super::*;
use crate::write_tx;

/// The VAPID key pair in `app_secrets`, one value so that it is created whole:
/// `<private scalar>.<uncompressed public point>`, both base64url.
pub const VAPID: &str = "vapid";

/// The public half of the stored VAPID pair (what the browser subscribes with).
pub fn vapid_public(pair: &str) -> Option<&str> {
    pair.split_once('.').map(|(_, public)| public)
}

impl Store {
    pub async fn templates(&self) -> Result<Vec<TemplateView>, AppError> {
        let edited: Vec<(String, String, String)> = with_db!(&self.db, |pool| sqlx::query_as(
            "SELECT kind, title, body FROM notify_templates"
        )
        .fetch_all(pool)
        .await)
        .map_err(internal("load templates"))?;
        Ok(NoticeKind::ALL
            .iter()
            .copied()
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
        write_tx!(self, "save template", |tx| {
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
            Ok(())
        })
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
}
