//! Billing (docs/domain.md «Due dates», «Penalties», «The bill»): services and dated tariffs per house, the monthly accrual run
//! (a background job with progress; draft → posted), penalties (пени) per overdue chunk, the
//! append-only ledger that balances are summed from, the turnover sheet, and the bill (ЕПД)
//! with its ГОСТ Р 56042 payment QR.

pub mod api;
#[cfg(feature = "ssr")]
pub mod bill;
#[cfg(feature = "ssr")]
pub mod import;
pub mod pages;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
pub mod text;
pub mod types;
