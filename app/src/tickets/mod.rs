//! АДС (docs/domain.md «АДС deadlines»): tickets filed by residents from the phone or taken by phone, categories
//! with their deadlines (reaction and resolution from registration; emergencies the legal ones),
//! statuses and the history of every change and comment, files by content, contractors and
//! their executors, the dispatcher's board, escalations, and the council's report.

pub mod api;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
