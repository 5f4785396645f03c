//! The housing register: houses, entrances, apartments, personal accounts, people and who lives
//! where, with history.

pub mod api;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
