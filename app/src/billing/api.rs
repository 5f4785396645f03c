//! Server functions of billing: authorise → validate → one store call.

use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::store::NewService,
    crate::auth::guard::{Access, authorize},
    crate::auth::types::Permission,
    crate::context,
    rust_decimal::Decimal,
    std::str::FromStr,
};

/// `2026-11` from a form, or the month before today when empty (the one usually billed).
#[cfg(feature = "ssr")]
fn period_or_last(period: Option<String>) -> Result<Period, AppError> {
    match period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p).ok_or_else(|| AppError::invalid("Период — в виде 2026-11.")),
        None => Ok(Period::of(context::today()).plus(-1)),
    }
}

/// An account's charges, penalties and payments by month (the resident's own, or staff).
#[server(endpoint = "load_account_statement")]
pub async fn load_account_statement(account_id: i64) -> Result<AccountStatement, AppError> {
    let store = context::store()?;
    authorize(Access::Account(account_id)).await?;
    store.account_statement(account_id).await
}

#[server(endpoint = "load_accrual_page")]
pub async fn load_accrual_page(
    house_id: i64,
    period: Option<String>,
) -> Result<AccrualPage, AppError> {
    let store = context::store()?;
    authorize(Access::Permission(Permission::ManageBilling)).await?;
    store.accrual_page(house_id, period_or_last(period)?).await
}

/// Queues the accrual run; the page then follows its progress.
#[server(endpoint = "start_accrual_run")]
pub async fn start_accrual_run(house_id: i64, period: String) -> Result<i64, AppError> {
    let store = context::store()?;
    let user = authorize(Access::Permission(Permission::ManageBilling)).await?;
    store
        .start_accrual(Some(user.id), house_id, period_or_last(Some(period))?)
        .await
}

#[server(endpoint = "load_accrual_run")]
pub async fn load_accrual_run(run_id: i64) -> Result<RunView, AppError> {
    let store = context::store()?;
    authorize(Access::Permission(Permission::ManageBilling)).await?;
    store.accrual_run(run_id).await
}

/// Posts a draft; how many ledger entries it wrote.
#[server(endpoint = "post_accrual_run")]
pub async fn post_accrual_run(run_id: i64) -> Result<usize, AppError> {
    let store = context::store()?;
    let user = authorize(Access::Permission(Permission::ManageBilling)).await?;
    store.post_accrual(user.id, run_id).await
}

#[server(endpoint = "load_house_tariffs")]
pub async fn load_house_tariffs(house_id: i64) -> Result<HouseTariffs, AppError> {
    let store = context::store()?;
    authorize(Access::Permission(Permission::ManageBilling)).await?;
    store.house_tariffs(house_id).await
}

#[server(endpoint = "add_billing_service")]
pub async fn add_billing_service(
    house_id: i64,
    name: String,
    basis: String,
    resource: Option<String>,
    section: String,
) -> Result<i64, AppError> {
    let store = context::store()?;
    let user = authorize(Access::Permission(Permission::ManageBilling)).await?;
    let basis = Basis::parse(&basis)
        .ok_or_else(|| AppError::invalid("Выберите, как начисляется услуга."))?;
    let section =
        Section::parse(&section).ok_or_else(|| AppError::invalid("Выберите раздел квитанции."))?;
    let resource = match resource.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(Utility::parse(r).ok_or_else(|| AppError::invalid("Неизвестный ресурс."))?),
        None => None,
    };
    store
        .add_service(
            Some(user.id),
            &NewService {
                house_id,
                name,
                basis,
                resource,
                section,
            },
        )
        .await
}

#[server(endpoint = "set_billing_tariff")]
pub async fn set_billing_tariff(
    service_id: i64,
    valid_from: String,
    zone: u8,
    rate: String,
) -> Result<(), AppError> {
    let store = context::store()?;
    let user = authorize(Access::Permission(Permission::ManageBilling)).await?;
    let valid_from = chrono::NaiveDate::parse_from_str(valid_from.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("Укажите дату начала действия тарифа."))?;
    let rate = Decimal::from_str(&rate.trim().replace(',', ".").replace(' ', ""))
        .map_err(|_| AppError::invalid("Тариф — число рублей, например 32,15."))?;
    store
        .set_tariff(Some(user.id), service_id, valid_from, zone, rate)
        .await
}

/// The payee of a house's bills (bank details for the QR).
#[server(endpoint = "set_billing_payee")]
pub async fn set_billing_payee(house_id: i64, payee: super::rules::Payee) -> Result<(), AppError> {
    let store = context::store()?;
    let user = authorize(Access::Permission(Permission::ManageBilling)).await?;
    store.set_payee(Some(user.id), house_id, &payee).await
}
