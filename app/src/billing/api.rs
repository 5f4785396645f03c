//! Server functions of billing: authorise → validate → one store call.

use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::store::NewService, crate::auth::guard::Access, crate::auth::types::Permission,
    crate::context::Ctx, rust_decimal::Decimal, std::str::FromStr,
};

/// `2026-11` from a form, or the month before today when empty (the one usually billed).
#[cfg(feature = "ssr")]
fn period_or_last(period: Option<String>) -> Result<Period, AppError> {
    match period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p).ok_or_else(|| AppError::invalid("Период — в виде 2026-11.")),
        None => Ok(Period::of(crate::clock::today()).plus(-1)),
    }
}

/// An account's charges, penalties and payments by month (the resident's own, or staff).
#[server(endpoint = "load_account_statement")]
pub async fn load_account_statement(account_id: i64) -> Result<AccountStatement, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Account(account_id)).await?;
    cx.store.account_statement(account_id).await
}

#[server(endpoint = "load_accrual_page")]
pub async fn load_accrual_page(
    house_id: Option<i64>,
    period: Option<String>,
) -> Result<AccrualPage, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let house_id = cx.store.house_or_first(house_id).await?;
    cx.store
        .accrual_page(house_id, period_or_last(period)?)
        .await
}

/// Queues the accrual run; the page then follows its progress.
#[server(endpoint = "start_accrual_run")]
pub async fn start_accrual_run(house_id: i64, period: String) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    cx.store
        .start_accrual(Some(user.id), house_id, period_or_last(Some(period))?)
        .await
}

#[server(endpoint = "load_accrual_run")]
pub async fn load_accrual_run(run_id: i64) -> Result<RunView, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    cx.store.accrual_run(run_id).await
}

/// Posts a draft; how many ledger entries it wrote.
#[server(endpoint = "post_accrual_run")]
pub async fn post_accrual_run(run_id: i64) -> Result<usize, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    cx.store.post_accrual(user.id, run_id).await
}

#[server(endpoint = "load_house_tariffs")]
pub async fn load_house_tariffs(house_id: Option<i64>) -> Result<HouseTariffs, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let house_id = cx.store.house_or_first(house_id).await?;
    cx.store.house_tariffs(house_id).await
}

#[server(endpoint = "add_billing_service")]
pub async fn add_billing_service(
    house_id: i64,
    name: String,
    basis: String,
    resource: Option<String>,
    section: String,
) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let basis = Basis::parse(&basis)
        .ok_or_else(|| AppError::invalid("Выберите, как начисляется услуга."))?;
    let section =
        Section::parse(&section).ok_or_else(|| AppError::invalid("Выберите раздел квитанции."))?;
    let resource = match resource.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => Some(Utility::parse(r).ok_or_else(|| AppError::invalid("Неизвестный ресурс."))?),
        None => None,
    };
    cx.store
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
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let valid_from = date(&valid_from, "дату начала действия тарифа")?;
    let rate = number(&rate, "Тариф — число рублей, например 32,15.")?;
    cx.store
        .set_tariff(Some(user.id), service_id, valid_from, zone, rate)
        .await
}

/// The organisation's details: the payee of every bill, QR, payment confirmation and export.
#[server(endpoint = "load_organisation")]
pub async fn load_organisation() -> Result<Option<super::rules::Payee>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageOrganisation))
        .await?;
    cx.store.payee().await
}

/// The chair sets the organisation's details (audited).
#[server(endpoint = "set_organisation")]
pub async fn set_organisation(payee: super::rules::Payee) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageOrganisation))
        .await?;
    cx.store.set_payee(Some(user.id), &payee).await
}

/// The organisation's name for the sign-in page (public: it is printed on every bill).
#[server(endpoint = "load_organisation_name")]
pub async fn load_organisation_name() -> Result<Option<String>, AppError> {
    let cx = Ctx::take()?;
    Ok(cx.store.payee().await?.map(|p| p.name))
}

/// Checks (or, with `commit`, loads) a file of accounts (`what` = `accounts`) or of past
/// charges and payments (`history`) for a house; `content` is the file in base64.
#[server(endpoint = "import_billing")]
pub async fn import_billing(
    house_id: i64,
    what: String,
    content: String,
    commit: Option<String>,
) -> Result<crate::sheet::ImportReport, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let bytes = crate::sheet::decode_upload(&content)?;
    match what.as_str() {
        "accounts" => {
            cx.store
                .import_accounts(actor.id, house_id, &bytes, commit.is_some())
                .await
        }
        "history" => {
            cx.store
                .import_history(
                    actor.id,
                    house_id,
                    &bytes,
                    crate::clock::today(),
                    commit.is_some(),
                )
                .await
        }
        _ => Err(AppError::invalid(
            "Выберите, что загружается: счета или история.",
        )),
    }
}

/// Queues the making of a house's bills for a posted period; with `send_email` each is then
/// e-mailed to the account's residents.
#[server(endpoint = "start_bill_batch")]
pub async fn start_bill_batch(
    house_id: i64,
    period: String,
    send_email: Option<String>,
) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    cx.store
        .start_bill_batch(
            user.id,
            house_id,
            period_or_last(Some(period))?,
            send_email.is_some(),
            &cx.config.documents_dir,
        )
        .await
}

#[server(endpoint = "load_bill_batches")]
pub async fn load_bill_batches(house_id: Option<i64>) -> Result<Vec<BatchView>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let house_id = cx.store.house_or_first(house_id).await?;
    cx.store.bill_batches(house_id).await
}

/// A manual recalculation of an account with its reason; returns the period it lands in.
#[server(endpoint = "add_billing_correction")]
pub async fn add_billing_correction(
    account_id: i64,
    amount: String,
    reason: String,
) -> Result<Period, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let amount = Money::parse(&amount).ok_or_else(|| {
        AppError::invalid("Сумма — рубли с копейками, например -350,00 (минус уменьшает долг).")
    })?;
    cx.store
        .add_correction(user.id, account_id, amount, &reason, crate::clock::today())
        .await
}

#[cfg(feature = "ssr")]
fn date(s: &str, what: &str) -> Result<chrono::NaiveDate, AppError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(format!("Укажите {what}.")))
}

#[cfg(feature = "ssr")]
fn number(s: &str, message: &str) -> Result<Decimal, AppError> {
    Decimal::from_str(&s.trim().replace(',', ".").replace(' ', ""))
        .map_err(|_| AppError::invalid(message))
}

/// The key rates, penalty caps and moratoria, due days.
#[server(endpoint = "load_rule_tables")]
pub async fn load_rule_tables() -> Result<RuleTables, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    cx.store.rule_tables_view().await
}

#[server(endpoint = "set_key_rate")]
pub async fn set_key_rate(valid_from: String, rate: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let valid_from = date(&valid_from, "дату, с которой действует ставка")?;
    let rate = number(&rate, "Ставка — число процентов, например 16,5.")?;
    cx.store.set_key_rate(user.id, valid_from, rate).await
}

/// A cap of the penalty rate (`cap` in percent) or, with `cap` empty, a moratorium.
#[server(endpoint = "add_penalty_rule")]
pub async fn add_penalty_rule(
    valid_from: String,
    valid_to: String,
    cap: Option<String>,
    debts_due_before: Option<String>,
    note: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let debts_due_before = match debts_due_before.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => {
            Some(date(d, "дату, до которой возникли долги под мораторием")?)
        }
        _ => None,
    };
    let cap = match cap.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(number(
            c,
            "Ограничение ставки — число процентов, например 9,5.",
        )?),
        None => None,
    };
    let rule = PenaltyRuleView {
        valid_from: date(&valid_from, "дату начала")?,
        valid_to: date(&valid_to, "дату окончания")?,
        cap,
        debts_due_before,
        note,
    };
    cx.store.add_penalty_rule(user.id, &rule).await
}

#[server(endpoint = "set_due_day")]
pub async fn set_due_day(from: String, day: u32, note: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let from =
        Period::parse(from.trim()).ok_or_else(|| AppError::invalid("Период — в виде 2026-03."))?;
    cx.store.set_due_day(user.id, from, day, &note).await
}

/// A day of the production calendar: `off` (a holiday or a transferred day off on a weekday),
/// `working` (a weekend day made working by a transfer) or `regular` (back to the plain week).
#[server(endpoint = "set_calendar_day")]
pub async fn set_calendar_day(day: String, kind: String, note: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let day = date(&day, "день календаря")?;
    let working = match kind.as_str() {
        "off" => Some(false),
        "working" => Some(true),
        "regular" => None,
        _ => return Err(AppError::invalid("Выберите, каким станет день.")),
    };
    cx.store
        .set_calendar_day(user.id, day, working, &note)
        .await
}

/// A consumption norm of a house from the first day of a month not yet posted.
#[server(endpoint = "set_house_norm")]
pub async fn set_house_norm(
    house_id: i64,
    resource: String,
    valid_from: String,
    per_unit: String,
    per_m2: Option<String>,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageBilling))
        .await?;
    let resource =
        Utility::parse(&resource).ok_or_else(|| AppError::invalid("Неизвестный ресурс."))?;
    let valid_from = date(&valid_from, "дату начала действия норматива")?;
    if chrono::Datelike::day(&valid_from) != 1 {
        return Err(AppError::invalid(
            "Норматив действует с первого числа месяца — укажите 1-е число.",
        ));
    }
    let per_unit = number(&per_unit, "Норматив — число, например 6,935.")?;
    cx.store.ensure_open(house_id, valid_from).await?;
    cx.store
        .set_norm(
            Some(user.id),
            house_id,
            resource,
            valid_from,
            per_unit,
            per_m2.is_some(),
        )
        .await
}
