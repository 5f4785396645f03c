//! The one notification path: a notice is written to the outbox with the change that causes it,
//! fanned out to in-app notifications and per-channel deliveries (e-mail, SMS, Web Push) by the
//! user's preferences, and sent by the server's worker with retries. Areas register their kinds
//! in [`rules::spec`].

pub mod api;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
