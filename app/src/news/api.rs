//! Server functions of news, announcements and the FAQ: authorise → validate → one store call.

use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::rules, crate::auth::guard::Access, crate::auth::types::Permission, crate::clock,
    crate::context::Ctx, chrono::Utc,
};

#[server(endpoint = "load_news_feed")]
pub async fn load_news_feed() -> Result<NewsFeed, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.store
        .news_feed(user.id, Utc::now(), crate::clock::today())
        .await
}

#[server(endpoint = "load_news_item")]
pub async fn load_news_item(id: i64) -> Result<NewsItem, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.store
        .news_item(user.id, id, Utc::now(), crate::clock::today())
        .await
}

#[server(endpoint = "audience_options")]
pub async fn audience_options() -> Result<Vec<AudienceOption>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::Publish))
        .await?;
    cx.store.audience_options().await
}

#[server(endpoint = "staff_announcements")]
pub async fn staff_announcements() -> Result<Vec<AnnouncementItem>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::Publish))
        .await?;
    cx.store.announcements(50).await
}

/// Posts an announcement; a critical one goes to every recipient on every channel they have.
/// The dispatcher chooses when it ends (a critical one is a banner on every page until then).
#[server(endpoint = "post_announcement")]
pub async fn post_announcement(
    title: String,
    body: String,
    audience: String,
    critical: Option<String>,
    expires_at: String,
) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::Publish))
        .await?;
    let (title, body) = rules::check_post(&title, &body).map_err(AppError::invalid)?;
    let choice = rules::parse_audience(&audience).map_err(AppError::invalid)?;
    let now = Utc::now();
    let expires_at = match expires_at.trim() {
        "" => {
            return Err(AppError::invalid(
                "Укажите, до какого времени показывать объявление (например, до окончания работ).",
            ));
        }
        s => clock::parse_local_input(s).map_err(AppError::invalid)?,
    };
    if expires_at <= now {
        return Err(AppError::invalid(
            "Время окончания уже прошло — укажите будущее.",
        ));
    }
    let draft = NewAnnouncement {
        title,
        body,
        critical: critical.is_some(),
        expires_at,
    };
    cx.store.create_announcement(actor.id, choice, &draft).await
}

#[server(endpoint = "end_announcement")]
pub async fn end_announcement(id: i64) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::Publish))
        .await?;
    cx.store.end_announcement(actor.id, id).await
}

#[server(endpoint = "staff_news")]
pub async fn staff_news() -> Result<Vec<NewsItem>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::Publish))
        .await?;
    cx.store.all_news(Utc::now()).await
}

/// Adds or (with `id`) edits a news item. Without a time it is published at once.
#[server(endpoint = "save_news")]
pub async fn save_news(
    id: Option<i64>,
    title: String,
    body: String,
    audience: String,
    pinned: Option<String>,
    publish_at: String,
) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::Publish))
        .await?;
    let (title, body) = rules::check_post(&title, &body).map_err(AppError::invalid)?;
    let choice = rules::parse_audience(&audience).map_err(AppError::invalid)?;
    let publish_at = match publish_at.trim() {
        "" => Utc::now(),
        s => clock::parse_local_input(s).map_err(AppError::invalid)?,
    };
    let draft = NewsDraft {
        title,
        body,
        pinned: pinned.is_some(),
        publish_at,
    };
    cx.store.save_news(actor.id, id, choice, &draft).await
}

#[server(endpoint = "delete_news")]
pub async fn delete_news(id: i64) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::Publish))
        .await?;
    if let Some(image) = cx.store.delete_news(actor.id, id).await? {
        super::store::remove_news_image(&cx.config.files_dir, &image).await;
    }
    Ok(())
}

/// The FAQ for anyone signed in, filtered by `query`.
#[server(endpoint = "load_faq")]
pub async fn load_faq(query: String) -> Result<Vec<FaqCategory>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::SignedIn).await?;
    if query.chars().count() > 100 {
        return Err(AppError::invalid("Слишком длинный запрос."));
    }
    cx.store.faq(&query).await
}

#[server(endpoint = "add_faq_category")]
pub async fn add_faq_category(title: String) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::Publish))
        .await?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(AppError::invalid("Название раздела — от 1 до 100 знаков."));
    }
    cx.store.add_faq_category(actor.id, title).await
}

#[server(endpoint = "save_faq_item")]
pub async fn save_faq_item(
    id: Option<i64>,
    category_id: i64,
    question: String,
    answer: String,
) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::Publish))
        .await?;
    let (question, answer) = rules::check_post(&question, &answer).map_err(AppError::invalid)?;
    cx.store
        .save_faq_item(actor.id, id, category_id, &question, &answer)
        .await
}

#[server(endpoint = "delete_faq_item")]
pub async fn delete_faq_item(id: i64) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::Publish))
        .await?;
    cx.store.delete_faq_item(actor.id, id).await
}
