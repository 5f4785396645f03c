//! Meter readings (ПП РФ №354, docs/domain.md «Meter readings»): the meters register, the per-house submission
//! window, validation, reminders, history with monthly volumes, and the one volume function
//! billing uses (reading → average → norm, with recalculation when readings come back).

pub mod api;
#[cfg(feature = "ssr")]
pub mod import;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
