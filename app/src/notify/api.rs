//! Server functions of the notification path: authorise → validate → one store call.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::rules, crate::auth::guard::Access, crate::auth::types::Permission, crate::context::Ctx,
};

/// How many notifications the list shows.
pub const LIST_LIMIT: i64 = 50;

/// The bell's count and the critical banners of the signed-in user.
#[server(endpoint = "load_header_notices")]
pub async fn load_header_notices() -> Result<HeaderNotices, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnNotifications))
        .await?;
    cx.store
        .header_notices(user.id, chrono::Utc::now(), crate::clock::today())
        .await
}

/// Collapses a critical banner the user has read (it comes back if the announcement changes).
#[server(endpoint = "collapse_banner")]
pub async fn collapse_banner(id: i64, version: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnNotifications))
        .await?;
    cx.store
        .collapse_banner(
            user.id,
            id,
            &version,
            chrono::Utc::now(),
            crate::clock::today(),
        )
        .await
}

#[server(endpoint = "my_notifications")]
pub async fn my_notifications() -> Result<Vec<NotificationItem>, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnNotifications))
        .await?;
    cx.store.notifications(user.id, LIST_LIMIT).await
}

/// Marks one notification (or, without an id, all of them) read — only the user's own.
#[server(endpoint = "mark_notifications_read")]
pub async fn mark_notifications_read(id: Option<i64>) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnNotifications))
        .await?;
    cx.store.mark_read(user.id, id).await
}

#[server(endpoint = "load_preferences")]
pub async fn load_preferences() -> Result<Preferences, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnNotifications))
        .await?;
    cx.store.preferences(user.id).await
}

/// Saves channel choices (`on[<kind>.<channel>]` checkboxes) and quiet hours (both or neither).
#[server(endpoint = "save_preferences")]
pub async fn save_preferences(
    on: Option<BTreeMap<String, String>>,
    quiet_from: String,
    quiet_to: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnNotifications))
        .await?;
    let enabled: Vec<(NoticeKind, Channel)> = on
        .unwrap_or_default()
        .keys()
        .filter_map(|key| {
            let (kind, channel) = key.split_once('.')?;
            Some((NoticeKind::parse(kind)?, Channel::parse(channel)?))
        })
        .collect();
    let quiet = match (quiet_from.trim(), quiet_to.trim()) {
        ("", "") => None,
        ("", _) | (_, "") => {
            return Err(AppError::invalid(
                "Укажите оба времени тихих часов или очистите оба.",
            ));
        }
        (from, to) => Some(rules::QuietHours {
            from: rules::parse_clock(from).map_err(AppError::invalid)?,
            to: rules::parse_clock(to).map_err(AppError::invalid)?,
        }),
    };
    cx.store.save_preferences(user.id, &enabled, quiet).await
}

/// Keeps this browser's push subscription (sent by the page after the user's tap).
#[server(endpoint = "push_subscribe")]
pub async fn push_subscribe(
    endpoint: String,
    p256dh: String,
    auth: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnNotifications))
        .await?;
    let valid_endpoint = endpoint.starts_with("https://") && endpoint.len() <= 1000;
    let valid_keys = p256dh.len() == 87 && auth.len() == 22;
    if !valid_endpoint || !valid_keys {
        tracing::warn!(user_id = user.id, "malformed push subscription refused");
        return Err(AppError::invalid(
            "Браузер прислал неполную подписку на уведомления. Попробуйте ещё раз.",
        ));
    }
    cx.store
        .save_push_subscription(user.id, &endpoint, &p256dh, &auth)
        .await
}

/// Turns push off on every device of the user.
#[server(endpoint = "push_unsubscribe_all")]
pub async fn push_unsubscribe_all() -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnNotifications))
        .await?;
    cx.store.remove_push_subscriptions(user.id).await
}

#[server(endpoint = "load_templates")]
pub async fn load_templates() -> Result<Vec<TemplateView>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::EditTemplates))
        .await?;
    cx.store.templates().await
}

/// Saves a template's text; `reset` brings back the built-in one.
#[server(endpoint = "save_template")]
pub async fn save_template(
    kind: String,
    title: String,
    body: String,
    reset: Option<String>,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::EditTemplates))
        .await?;
    let kind = NoticeKind::parse(&kind).ok_or_else(|| AppError::invalid("Неизвестный шаблон."))?;
    if reset.is_some() {
        return cx.store.save_template(actor.id, kind, None).await;
    }
    let (title, body) =
        rules::check_template(kind, &title, &body).map_err(|e| AppError::invalid(e.to_string()))?;
    cx.store
        .save_template(actor.id, kind, Some((&title, &body)))
        .await
}

/// The last messages that would have been sent (no SMTP or SMS gateway configured).
#[server(endpoint = "load_dev_mailbox")]
pub async fn load_dev_mailbox() -> Result<Vec<MailboxItem>, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ViewDevMailbox))
        .await?;
    let mail = cx.store.dev_mailbox(200).await?;
    // it shows residents' addresses and phones: who looked is recorded (152-ФЗ)
    cx.store.log_view(actor.id, "dev_mailbox", None).await?;
    Ok(mail)
}
