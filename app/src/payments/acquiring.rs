//! The acquiring provider as the payments area sees it (DESIGN.md: an integration is a trait
//! with an embedded default and a real adapter). The server implements it over T-Bank API v2;
//! the embedded sandbox bank speaks the same protocol, so one adapter serves both.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::billing::types::Money;

/// What the bank is asked to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub order_id: String,
    pub amount: Money,
    pub description: String,
    /// Where the payer's browser comes back to.
    pub success_url: String,
    pub fail_url: String,
    /// For the fiscal receipt (54-ФЗ) when the organisation issues them through the bank.
    pub email: Option<String>,
}

/// The bank took the order: its id and the page the payer goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub provider_id: String,
    pub payment_url: String,
}

/// The bank's word on a payment, fetched from it (so trusted without a signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankState {
    pub order_id: String,
    pub status: String,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcquiringError {
    #[error("bank unreachable: {0}")]
    Unreachable(String),
    #[error("bank refused: {code} {message}")]
    Refused { code: String, message: String },
    #[error("bank answer unreadable: {0}")]
    BadAnswer(String),
}

pub type BankFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, AcquiringError>> + Send + 'a>>;

pub trait Acquiring: Send + Sync {
    /// The provider's name as stored with a payment (`sandbox`, `tbank`).
    fn provider(&self) -> &'static str;
    /// The provider's name for people.
    fn label(&self) -> &'static str;
    fn init<'a>(&'a self, order: &'a Order) -> BankFuture<'a, Started>;
    fn state<'a>(&'a self, provider_id: &'a str) -> BankFuture<'a, BankState>;
    /// Whether a notification really comes from the bank (its signature checks out).
    fn verify(&self, notification: &serde_json::Map<String, serde_json::Value>) -> bool;
}

/// The configured provider, shared by server functions, webhooks and the worker.
pub type SharedAcquiring = Arc<dyn Acquiring>;
