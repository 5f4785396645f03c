//! News (scheduled, pinned, targeted), announcements (normal or critical, with delivery
//! reports) and the FAQ.

pub mod api;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
