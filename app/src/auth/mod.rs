//! Sign-in, sessions, roles, the authorisation helper, and onboarding by invite code.

pub mod api;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
