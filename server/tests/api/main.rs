//! The integration tests: one binary (one link of the whole app instead of one per suite), a
//! module per area with its store and HTTP cases, and `common` for what they share — a fresh
//! database per test on SQLite and PostgreSQL, a real server, stand-ins for SMTP, SMS and push.

#[macro_use]
mod common;

mod billing;
mod debts;
mod gates;
mod http;
mod notify;
mod pages;
mod passes;
mod payments;
mod readings;
mod schema;
mod store_contract;
mod tickets;
