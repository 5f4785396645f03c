//! Database side of news, announcements and the FAQ.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::rules::{AudienceChoice, audience_value};
use super::types::*;
use crate::clock;
use crate::db::{Store, internal};
use crate::error::AppError;
use crate::notify::store::audience_matches;
use crate::notify::types::{Audience, Notice, NoticeKind, Recipients};
use crate::{audit, enqueue_notice, with_db, write_tx};

/// `SELECT <columns>, <audience label> FROM <table> n …` for news and announcements (alias `n`).
fn select_with_audience(columns: &str, table: &str) -> String {
    format!(
        "SELECT {columns},
             CASE WHEN n.house_id IS NULL THEN 'Все дома'
                  WHEN n.entrance_id IS NULL THEN ah.address
                  ELSE ah.address || ', подъезд ' || CAST(ae.number AS TEXT) END AS audience
         FROM {table} n
         LEFT JOIN houses ah ON ah.id = n.house_id
         LEFT JOIN entrances ae ON ae.id = n.entrance_id"
    )
}

#[derive(FromRow)]
struct NewsRow {
    id: i64,
    title: String,
    body: String,
    house_id: Option<i64>,
    entrance_id: Option<i64>,
    pinned: bool,
    publish_at: DateTime<Utc>,
    image: Option<String>,
    audience: String,
}

/// Where uploaded news pictures are served (the server maps `/files/` to its files folder).
pub const NEWS_IMAGES: &str = "news";

/// The folder of news pictures inside the files folder.
pub fn news_images_dir(files_dir: &str) -> std::path::PathBuf {
    std::path::Path::new(files_dir).join(NEWS_IMAGES)
}

/// Removes a stored news picture once no record names it (a missing file is not an error).
pub async fn remove_news_image(files_dir: &str, name: &str) {
    if name.contains(['/', '\\']) || name.starts_with('.') {
        return;
    }
    if let Err(e) = tokio::fs::remove_file(news_images_dir(files_dir).join(name)).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(error = %e, "cannot remove a news picture");
    }
}

impl NewsRow {
    fn into_item(self, now: DateTime<Utc>) -> NewsItem {
        NewsItem {
            id: self.id,
            title: self.title,
            body: self.body,
            audience: self.audience,
            audience_value: audience_value(Audience {
                house_id: self.house_id,
                entrance_id: self.entrance_id,
            }),
            pinned: self.pinned,
            published: clock::format_moment(self.publish_at),
            publish_at_input: clock::local_input(self.publish_at),
            scheduled: self.publish_at > now,
            image: self
                .image
                .map(|name| format!("/files/{NEWS_IMAGES}/{name}")),
        }
    }
}

#[derive(FromRow)]
struct AnnouncementRow {
    id: i64,
    title: String,
    body: String,
    critical: bool,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    author: String,
    audience: String,
}

impl From<AnnouncementRow> for AnnouncementItem {
    fn from(r: AnnouncementRow) -> Self {
        AnnouncementItem {
            id: r.id,
            title: r.title,
            body: r.body,
            critical: r.critical,
            audience: r.audience,
            created: clock::format_moment(r.created_at),
            expires: clock::format_moment(r.expires_at),
            author: r.author,
            report: None,
        }
    }
}

const NEWS_COLUMNS: &str =
    "n.id, n.title, n.body, n.house_id, n.entrance_id, n.pinned, n.publish_at, n.image";
const ANNOUNCEMENT_COLUMNS: &str = "n.id, n.title, n.body, n.critical, n.created_at, n.expires_at,
    (SELECT full_name FROM users u WHERE u.id = n.author_id) AS author";

/// The source tag of an announcement's notifications (delivery reports).
pub fn announcement_source(id: i64) -> String {
    format!("announcement:{id}")
}

/// Resolves a form's audience inside a transaction: the house must exist; an entrance brings
/// its house. `None` when it does not exist.
macro_rules! resolve_audience {
    ($tx:expr, $choice:expr) => {
        async {
            match $choice {
                AudienceChoice::All => Ok::<_, sqlx::Error>(Some(Audience::default())),
                AudienceChoice::House(id) => {
                    let found: Option<i64> =
                        sqlx::query_scalar("SELECT id FROM houses WHERE id = $1")
                            .bind(id)
                            .fetch_optional($tx)
                            .await?;
                    Ok(found.map(|h| Audience {
                        house_id: Some(h),
                        entrance_id: None,
                    }))
                }
                AudienceChoice::Entrance(id) => {
                    let found: Option<i64> =
                        sqlx::query_scalar("SELECT house_id FROM entrances WHERE id = $1")
                            .bind(id)
                            .fetch_optional($tx)
                            .await?;
                    Ok(found.map(|h| Audience {
                        house_id: Some(h),
                        entrance_id: Some(id),
                    }))
                }
            }
        }
    };
}

impl Store {
    /// The choices of the audience field: everyone, each house, each entrance.
    pub async fn audience_options(&self) -> Result<Vec<AudienceOption>, AppError> {
        let rows: Vec<(i64, String, Option<i64>, Option<i64>)> =
            with_db!(&self.db, |pool| sqlx::query_as(
                "SELECT h.id, h.address, e.id, e.number FROM houses h
                 LEFT JOIN entrances e ON e.house_id = h.id
                 ORDER BY h.address, e.number"
            )
            .fetch_all(pool)
            .await)
            .map_err(internal("audience options"))?;
        let mut options = vec![AudienceOption {
            value: "all".into(),
            label: "Все дома".into(),
        }];
        let mut last_house = None;
        for (house, address, entrance, number) in rows {
            if last_house != Some(house) {
                options.push(AudienceOption {
                    value: format!("house:{house}"),
                    label: address.clone(),
                });
                last_house = Some(house);
            }
            if let (Some(e), Some(n)) = (entrance, number) {
                options.push(AudienceOption {
                    value: format!("entrance:{e}"),
                    label: format!("{address}, подъезд {n}"),
                });
            }
        }
        Ok(options)
    }

    /// Publishes an announcement and puts its notice in the outbox, in one transaction.
    pub async fn create_announcement(
        &self,
        actor: i64,
        choice: AudienceChoice,
        draft: &NewAnnouncement,
    ) -> Result<i64, AppError> {
        let result = write_tx!(self, "create announcement", |tx| {
            let Some(audience) = resolve_audience!(&mut *tx, choice).await? else {
                return Ok(None);
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO announcements
                     (author_id, title, body, critical, house_id, entrance_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(actor)
            .bind(&draft.title)
            .bind(&draft.body)
            .bind(draft.critical)
            .bind(audience.house_id)
            .bind(audience.entrance_id)
            .bind(Utc::now())
            .bind(draft.expires_at)
            .fetch_one(&mut *tx)
            .await?;
            let (_, audience_label): (i64, String) = sqlx::query_as(&format!(
                "{} WHERE n.id = $1",
                select_with_audience("n.id", "announcements")
            ))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let notice = Notice {
                kind: if draft.critical {
                    NoticeKind::CriticalAnnouncement
                } else {
                    NoticeKind::Announcement
                },
                recipients: Recipients::Residents(audience),
                params: [
                    ("title".to_string(), draft.title.clone()),
                    ("text".to_string(), super::rules::plain_text(&draft.body)),
                    ("audience".to_string(), audience_label),
                ]
                .into(),
                link: Some("/cabinet/news".into()),
                source: Some(announcement_source(id)),
                channels: None,
            };
            enqueue_notice!(&mut *tx, &notice)?;
            audit!(
                &mut *tx,
                Some(actor),
                "create",
                "announcement",
                Some(id),
                if draft.critical { "critical" } else { "normal" }
            )?;
            Ok(Some(id))
        })?;
        result.ok_or(AppError::NotFound)
    }

    /// Ends an announcement now (its banner disappears).
    pub async fn end_announcement(&self, actor: i64, id: i64) -> Result<(), AppError> {
        let sql = "UPDATE announcements SET expires_at = $2 WHERE id = $1 AND expires_at > $2";
        if self
            .change_one(sql, id, Some(Utc::now()), actor, "end", "announcement")
            .await?
        {
            Ok(())
        } else {
            Err(AppError::invalid("Объявление уже снято или не найдено."))
        }
    }

    /// The latest announcements with their delivery reports, for staff.
    pub async fn announcements(&self, limit: i64) -> Result<Vec<AnnouncementItem>, AppError> {
        let sql = format!(
            "{} ORDER BY n.created_at DESC, n.id DESC LIMIT $1",
            select_with_audience(ANNOUNCEMENT_COLUMNS, "announcements")
        );
        let rows: Vec<AnnouncementRow> = with_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(limit)
            .fetch_all(pool)
            .await)
        .map_err(internal("list announcements"))?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            let mut item = AnnouncementItem::from(row);
            item.report = Some(self.delivery_report(&announcement_source(item.id)).await?);
            items.push(item);
        }
        Ok(items)
    }

    /// What the resident's news page shows: announcements in force and published news for
    /// the houses and entrances the user lives in.
    pub async fn news_feed(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<NewsFeed, AppError> {
        let announcements_sql = format!(
            "{} WHERE n.created_at <= $3 AND n.expires_at > $3 AND {}
             ORDER BY n.critical DESC, n.created_at DESC",
            select_with_audience(ANNOUNCEMENT_COLUMNS, "announcements"),
            audience_matches("n", "$1", "$2")
        );
        let news_sql = format!(
            "{} WHERE n.publish_at <= $3 AND {}
             ORDER BY n.pinned DESC, n.publish_at DESC LIMIT 100",
            select_with_audience(NEWS_COLUMNS, "news"),
            audience_matches("n", "$1", "$2")
        );
        let (announcements, news) = with_db!(&self.db, |pool| async {
            let a: Vec<AnnouncementRow> = sqlx::query_as(&announcements_sql)
                .bind(user_id)
                .bind(today)
                .bind(now)
                .fetch_all(pool)
                .await?;
            let n: Vec<NewsRow> = sqlx::query_as(&news_sql)
                .bind(user_id)
                .bind(today)
                .bind(now)
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((a, n))
        }
        .await)
        .map_err(internal("news feed"))?;
        Ok(NewsFeed {
            announcements: announcements.into_iter().map(Into::into).collect(),
            news: news.into_iter().map(|n| n.into_item(now)).collect(),
        })
    }

    /// One news item, if the user may see it (published and addressed to them).
    pub async fn news_item(
        &self,
        user_id: i64,
        id: i64,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<NewsItem, AppError> {
        let sql = format!(
            "{} WHERE n.id = $4 AND n.publish_at <= $3 AND {}",
            select_with_audience(NEWS_COLUMNS, "news"),
            audience_matches("n", "$1", "$2")
        );
        let row: Option<NewsRow> = with_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(today)
            .bind(now)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(internal("news item"))?;
        row.map(|r| r.into_item(now)).ok_or(AppError::NotFound)
    }

    /// Every news item, scheduled ones too, for staff.
    pub async fn all_news(&self, now: DateTime<Utc>) -> Result<Vec<NewsItem>, AppError> {
        let sql = format!(
            "{} ORDER BY n.publish_at DESC LIMIT 500",
            select_with_audience(NEWS_COLUMNS, "news")
        );
        let rows: Vec<NewsRow> =
            with_db!(&self.db, |pool| sqlx::query_as(&sql).fetch_all(pool).await)
                .map_err(internal("all news"))?;
        Ok(rows.into_iter().map(|r| r.into_item(now)).collect())
    }

    /// Adds (`id` None) or edits a news item; audited.
    pub async fn save_news(
        &self,
        actor: i64,
        id: Option<i64>,
        choice: AudienceChoice,
        draft: &NewsDraft,
    ) -> Result<i64, AppError> {
        let result =
            write_tx!(self, "save news", |tx| {
                let Some(audience) = resolve_audience!(&mut *tx, choice).await? else {
                    return Ok(None);
                };
                let saved: Option<i64> = match id {
                None => Some(
                    sqlx::query_scalar(
                        "INSERT INTO news (author_id, title, body, house_id, entrance_id, pinned,
                             publish_at, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(actor)
                    .bind(&draft.title)
                    .bind(&draft.body)
                    .bind(audience.house_id)
                    .bind(audience.entrance_id)
                    .bind(draft.pinned)
                    .bind(draft.publish_at)
                    .bind(Utc::now())
                    .fetch_one(&mut *tx)
                    .await?,
                ),
                Some(id) => sqlx::query_scalar(
                    "UPDATE news SET title = $1, body = $2, house_id = $3, entrance_id = $4,
                         pinned = $5, publish_at = $6
                     WHERE id = $7 RETURNING id",
                )
                .bind(&draft.title)
                .bind(&draft.body)
                .bind(audience.house_id)
                .bind(audience.entrance_id)
                .bind(draft.pinned)
                .bind(draft.publish_at)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?,
            };
                let Some(saved) = saved else {
                    return Ok(None);
                };
                let action = if id.is_some() { "edit" } else { "create" };
                audit!(&mut *tx, Some(actor), action, "news", Some(saved), "")?;
                Ok(Some(saved))
            })?;
        result.ok_or(AppError::NotFound)
    }

    /// Sets (or with `None` removes) a news item's picture; returns the file it replaced, for
    /// the caller to delete. Audited.
    pub async fn set_news_image(
        &self,
        actor: i64,
        id: i64,
        file: Option<&str>,
    ) -> Result<Option<String>, AppError> {
        let replaced = write_tx!(self, "set news image", |tx| {
            let old: Option<Option<String>> =
                sqlx::query_scalar("SELECT image FROM news WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(old) = old else {
                return Ok(None);
            };
            sqlx::query("UPDATE news SET image = $1 WHERE id = $2")
                .bind(file)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "set_image",
                "news",
                Some(id),
                file.unwrap_or("")
            )?;
            Ok(Some(old))
        })?;
        replaced.ok_or(AppError::NotFound)
    }

    /// Deletes a news item; returns its picture's file name, for the caller to remove.
    pub async fn delete_news(&self, actor: i64, id: i64) -> Result<Option<String>, AppError> {
        let deleted = write_tx!(self, "delete news", |tx| {
            let image: Option<Option<String>> =
                sqlx::query_scalar("DELETE FROM news WHERE id = $1 RETURNING image")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if image.is_some() {
                audit!(&mut *tx, Some(actor), "delete", "news", Some(id), "")?;
            }
            Ok(image)
        })?;
        deleted.ok_or(AppError::NotFound)
    }

    /// The FAQ, filtered and ranked by a search (`news::search`).
    pub async fn faq(&self, query: &str) -> Result<Vec<FaqCategory>, AppError> {
        /// A category with one of its items (none for an empty category).
        #[derive(FromRow)]
        struct Row {
            category_id: i64,
            category: String,
            id: Option<i64>,
            question: Option<String>,
            answer: Option<String>,
        }
        let rows: Vec<Row> = with_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT c.id AS category_id, c.title AS category, i.id, i.question, i.answer
                 FROM faq_categories c LEFT JOIN faq_items i ON i.category_id = c.id
                 ORDER BY c.position, c.id, i.position, i.id",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(internal("faq"))?;
        let mut categories: Vec<FaqCategory> = Vec::new();
        for row in rows {
            if categories.last().is_none_or(|c| c.id != row.category_id) {
                categories.push(FaqCategory {
                    id: row.category_id,
                    title: row.category,
                    items: Vec::new(),
                });
            }
            if let (Some(id), Some(question), Some(answer), Some(c)) =
                (row.id, row.question, row.answer, categories.last_mut())
            {
                c.items.push(FaqItem {
                    id,
                    question,
                    answer,
                });
            }
        }
        Ok(super::search::search(categories, query))
    }

    pub async fn add_faq_category(&self, actor: i64, title: &str) -> Result<i64, AppError> {
        write_tx!(self, "add faq category", |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO faq_categories (title, position)
                 VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM faq_categories))
                 RETURNING id",
            )
            .bind(title)
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "create",
                "faq_category",
                Some(id),
                ""
            )?;
            Ok(id)
        })
    }

    /// Adds (`id` None) or edits a question; audited.
    pub async fn save_faq_item(
        &self,
        actor: i64,
        id: Option<i64>,
        category_id: i64,
        question: &str,
        answer: &str,
    ) -> Result<i64, AppError> {
        let saved = write_tx!(self, "save faq item", |tx| {
            let category: Option<i64> =
                sqlx::query_scalar("SELECT id FROM faq_categories WHERE id = $1")
                    .bind(category_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if category.is_none() {
                return Ok(None);
            }
            let saved: Option<i64> = match id {
                None => Some(
                    sqlx::query_scalar(
                        "INSERT INTO faq_items (category_id, question, answer, position)
                         VALUES ($1, $2, $3,
                             (SELECT COALESCE(MAX(position), 0) + 1 FROM faq_items))
                         RETURNING id",
                    )
                    .bind(category_id)
                    .bind(question)
                    .bind(answer)
                    .fetch_one(&mut *tx)
                    .await?,
                ),
                Some(id) => {
                    sqlx::query_scalar(
                        "UPDATE faq_items SET category_id = $1, question = $2, answer = $3
                     WHERE id = $4 RETURNING id",
                    )
                    .bind(category_id)
                    .bind(question)
                    .bind(answer)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                }
            };
            if let Some(saved) = saved {
                let action = if id.is_some() { "edit" } else { "create" };
                audit!(&mut *tx, Some(actor), action, "faq_item", Some(saved), "")?;
            }
            Ok(saved)
        })?;
        saved.ok_or(AppError::NotFound)
    }

    pub async fn delete_faq_item(&self, actor: i64, id: i64) -> Result<(), AppError> {
        let sql = "DELETE FROM faq_items WHERE id = $1";
        if self
            .change_one(sql, id, None, actor, "delete", "faq_item")
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}
