//! Payments (docs/domain.md «Bank payments»): bank statements in the 1CClientBankExchange format matched to
//! personal accounts (sure matches credited at once, the rest in the accountant's queue), and
//! the register of received payments exported for 1С (bank file, XLSX, CSV); card payments in
//! the cabinet through acquiring (`online`, `acquiring`), credited once after a trusted
//! confirmation.

#[cfg(feature = "ssr")]
pub mod acquiring;
pub mod api;
#[cfg(feature = "ssr")]
pub mod confirmation;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod online;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
