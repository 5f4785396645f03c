//! Server functions of payments: authorise → validate → one store call.

use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    crate::auth::guard::Access,
    crate::auth::types::Permission,
    crate::billing::types::{Money, Period},
    crate::context::Ctx,
};

/// One account's line of the pay form (`parts[0][account_id]=…` in the form).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayPart {
    pub account_id: i64,
    /// Roubles as typed (`1 234,56`); empty: this account is not paid now.
    pub amount: String,
    /// `2026-10`; empty: the debt, oldest first.
    #[serde(default)]
    pub period: Option<String>,
    /// A service's id; empty: all services, by their charges.
    #[serde(default)]
    pub service: Option<String>,
}

/// Checks (`commit` empty) or loads a bank statement in the 1CClientBankExchange format.
#[server(endpoint = "import_bank_statement")]
pub async fn import_bank_statement(
    content: String,
    commit: Option<String>,
) -> Result<crate::sheet::ImportReport, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let bytes = crate::sheet::decode_upload(&content)?;
    cx.store
        .import_statement(actor.id, &bytes, commit.is_some())
        .await
}

#[server(endpoint = "load_bank_page")]
pub async fn load_bank_page() -> Result<BankPage, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    cx.store.bank_page(crate::clock::today()).await
}

/// Credits a queued bank payment to an account (by its number).
#[server(endpoint = "assign_bank_payment")]
pub async fn assign_bank_payment(payment_id: i64, account_number: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    cx.store
        .assign_bank_payment(actor.id, payment_id, &account_number)
        .await
}

/// Takes a queued bank payment out of the queue as not a resident's, with a note.
#[server(endpoint = "dismiss_bank_payment")]
pub async fn dismiss_bank_payment(payment_id: i64, note: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    cx.store
        .dismiss_bank_payment(actor.id, payment_id, &note)
        .await
}

/// The payer's accounts with balances, for the pay page.
#[server(endpoint = "load_pay_page")]
pub async fn load_pay_page() -> Result<Vec<PayableAccount>, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.store
        .payable_accounts(user.id, crate::clock::today())
        .await
}

/// Creates a card payment for the chosen accounts and sends the payer to the bank's page.
#[server(endpoint = "start_payment")]
pub async fn start_payment(parts: Vec<PayPart>) -> Result<String, AppError> {
    use crate::payments::acquiring::Order;
    use crate::payments::online::NewPart;
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    let mut chosen = Vec::new();
    for p in parts.iter().filter(|p| !p.amount.trim().is_empty()) {
        cx.authorize(Access::Account(p.account_id)).await?;
        let amount = Money::parse(&p.amount).ok_or_else(|| {
            AppError::invalid(format!(
                "Сумма «{}» — в рублях, например 1 234,56.",
                p.amount
            ))
        })?;
        if amount.0 == 0 {
            continue;
        }
        let period = match p.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                Period::parse(s).ok_or_else(|| AppError::invalid("Период — в виде 2026-11."))?,
            ),
        };
        let service_id = match p
            .service
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => Some(
                s.parse::<i64>()
                    .map_err(|_| AppError::invalid("Выберите услугу из списка."))?,
            ),
        };
        chosen.push(NewPart {
            account_id: p.account_id,
            amount,
            period,
            service_id,
        });
    }
    let now = chrono::Utc::now();
    let (id, order_id) = cx
        .store
        .create_online_payment(user.id, cx.acquiring.provider(), &chosen, now)
        .await?;
    let total: Money = chosen.iter().map(|p| p.amount).sum();
    let back = format!(
        "{}/cabinet/payment/{id}",
        cx.config.public_url.trim_end_matches('/')
    );
    let order = Order {
        order_id,
        amount: total,
        description: format!("Оплата ЖКУ, лицевых счетов: {}", chosen.len()),
        success_url: back.clone(),
        fail_url: back,
        email: Some(user.login.clone()).filter(|l| l.contains('@')),
    };
    match cx.acquiring.init(&order).await {
        Ok(started) => {
            cx.store.online_payment_started(id, &started).await?;
            // a form posted before the page came alive follows a redirect; the live page
            // leaves for the bank itself (the router would take the bank's page for its own)
            if cx.from_native_form() {
                cx.redirect(&started.payment_url);
            }
            Ok(started.payment_url)
        }
        Err(e) => {
            tracing::error!(payment_id = id, error = %e, "the bank did not take the order");
            cx.store.online_payment_refused(id).await?;
            Err(AppError::invalid(
                "Банк сейчас не принимает оплату. Попробуйте через несколько минут.",
            ))
        }
    }
}

/// One of the payer's card payments. While it is open the bank is asked how it stands (a
/// trusted answer: it comes over the authenticated API), so the page is right even before
/// the bank's notification arrives.
#[server(endpoint = "load_online_payment")]
pub async fn load_online_payment(id: i64) -> Result<OnlinePaymentView, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Payment(id)).await?;
    if let Some(Some(provider_id)) = cx.store.open_online_payment(id).await? {
        match cx.acquiring.state(&provider_id).await {
            Ok(state) => {
                cx.store.apply_bank_state(id, &state).await?;
            }
            Err(e) => tracing::warn!(payment_id = id, error = %e, "bank state not fetched"),
        }
    }
    cx.store.online_payment(id).await
}

/// The payer's card payments, optionally of one status and year.
#[server(endpoint = "load_my_payments")]
pub async fn load_my_payments(
    status: Option<String>,
    year: Option<i32>,
) -> Result<Vec<OnlinePaymentView>, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    let filter = PaymentFilter {
        status: status.as_deref().and_then(OnlineStatus::parse),
        year,
    };
    cx.store.online_payments(Some(user.id), &filter).await
}

/// Everyone's card payments for the accountant (the latest 200), optionally of one status.
#[server(endpoint = "load_card_payments")]
pub async fn load_card_payments(
    status: Option<String>,
) -> Result<Vec<OnlinePaymentView>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let filter = PaymentFilter {
        status: status.as_deref().and_then(OnlineStatus::parse),
        year: None,
    };
    cx.store.online_payments(None, &filter).await
}
