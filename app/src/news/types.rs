//! Types of news, announcements and the FAQ, shared by the server and the browser.

use serde::{Deserialize, Serialize};

use crate::notify::types::DeliveryReport;

/// A choice in the audience list of the staff forms: `all`, `house:<id>`, `entrance:<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudienceOption {
    pub value: String,
    pub label: String,
}

/// A news item. The body is plain text with simple formatting (see [`super::rules::parse_text`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsItem {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub audience: String,
    /// The audience in the form's terms (`all`, `house:1`…), for editing.
    pub audience_value: String,
    pub pinned: bool,
    /// When it appears (Moscow time), and the same as a form value.
    pub published: String,
    pub publish_at_input: String,
    /// Not yet visible to residents.
    pub scheduled: bool,
    /// The picture's address (`/files/news/…`), if one was uploaded.
    pub image: Option<String>,
}

/// An announcement with, for staff, how it spread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnouncementItem {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub critical: bool,
    pub audience: String,
    pub created: String,
    pub expires: String,
    pub author: String,
    pub report: Option<DeliveryReport>,
}

/// What the resident's news page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsFeed {
    /// Announcements in force for the resident.
    pub announcements: Vec<AnnouncementItem>,
    /// Published news for the resident: pinned first, then newest.
    pub news: Vec<NewsItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqCategory {
    pub id: i64,
    pub title: String,
    pub items: Vec<FaqItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqItem {
    pub id: i64,
    pub question: String,
    pub answer: String,
}

/// A new announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnnouncement {
    pub title: String,
    pub body: String,
    pub critical: bool,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A news item to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsDraft {
    pub title: String,
    pub body: String,
    pub pinned: bool,
    pub publish_at: chrono::DateTime<chrono::Utc>,
}
