//! Debts (docs/domain.md «Debtors»): the receivables computed live from the ledger that billing
//! and payments write — each account's debt by age and by service, penalties apart, per house and
//! over the last twelve months. `types` holds what the page shows (the age buckets among them), `rules` the arithmetic on the
//! server, `store` reads the ledger.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
