//! Server functions of debts: authorise → one store call.

use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::rules::dunning::{parse_limits, parse_scenario_form},
    super::rules::work::{check_filter, check_note, check_segment, parse_segment_form},
    crate::auth::guard::Access,
    crate::auth::types::Permission,
    crate::context::Ctx,
};

/// A rule's refusal as the user's message.
#[cfg(feature = "ssr")]
fn invalid(e: impl std::fmt::Display) -> AppError {
    AppError::invalid(e.to_string())
}

#[server(endpoint = "load_receivables")]
/// The receivables of one house, or of every house when none is given.
pub async fn load_receivables(house: Option<i64>) -> Result<Receivables, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    cx.store.receivables(house, crate::clock::today()).await
}

#[server(endpoint = "load_debtor_card")]
/// One account's debt: the months owed by service, the people to reach.
pub async fn load_debtor_card(account: i64) -> Result<DebtorCard, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    cx.store.debtor_card(account, crate::clock::today()).await
}

#[server(endpoint = "load_my_overdue")]
/// The signed-in resident's own accounts with an overdue debt (the cabinet's banner).
pub async fn load_my_overdue() -> Result<Vec<MyOverdue>, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.store.my_overdue(user.id, crate::clock::today()).await
}

#[server(endpoint = "load_debt_segments")]
/// The saved segments with their figures today, and the mailings sent.
pub async fn load_debt_segments() -> Result<SegmentsPage, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    cx.store.segments_page(crate::clock::today()).await
}

#[server(endpoint = "preview_debt_segment")]
/// What a segment being typed holds today (its name is not needed yet).
pub async fn preview_debt_segment(form: SegmentForm) -> Result<SegmentPreview, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    let (_, filter) = parse_segment_form(&form).map_err(invalid)?;
    check_filter(&filter).map_err(invalid)?;
    cx.store
        .preview_segment(&filter, crate::clock::today())
        .await
}

#[server(endpoint = "save_debt_segment")]
pub async fn save_debt_segment(form: SegmentForm) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    let (name, filter) = parse_segment_form(&form).map_err(invalid)?;
    let name = check_segment(&name, &filter).map_err(invalid)?;
    cx.store.save_segment(actor.id, &name, &filter).await
}

#[server(endpoint = "delete_debt_segment")]
pub async fn delete_debt_segment(id: i64) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    cx.store.delete_segment(actor.id, id).await
}

#[server(endpoint = "send_debt_mailing")]
/// Sends a reminder of `kind` (its stored name) to everyone the segment reaches today.
pub async fn send_debt_mailing(segment: i64, kind: String) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    let kind = crate::notify::types::NoticeKind::parse(&kind)
        .ok_or_else(|| AppError::invalid(super::text::NOT_A_REMINDER))?;
    cx.store
        .send_mailing(actor.id, segment, kind, crate::clock::today())
        .await
}

#[server(endpoint = "load_debtor_work")]
/// The debtor card's promises and contacts.
pub async fn load_debtor_work(account: i64) -> Result<DebtorWork, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    cx.store.debtor_work(account, crate::clock::today()).await
}

#[server(endpoint = "log_debtor_contact")]
/// Writes down a call, a visit or a letter (`kind`, `outcome`: stored names).
pub async fn log_debtor_contact(
    account: i64,
    kind: String,
    outcome: String,
    note: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    let kind =
        ContactKind::parse(&kind).ok_or_else(|| AppError::invalid(super::text::BAD_CONTACT))?;
    let outcome = match outcome.as_str() {
        "" => None,
        o => {
            Some(CallOutcome::parse(o).ok_or_else(|| AppError::invalid(super::text::BAD_CONTACT))?)
        }
    };
    let note = check_note(&note).map_err(invalid)?;
    cx.store
        .log_contact(actor.id, account, kind, outcome, &note)
        .await
}

#[server(endpoint = "record_debt_promise")]
/// Records the debtor's promise to pay `amount` (rubles) by `promised_on` (YYYY-MM-DD).
pub async fn record_debt_promise(
    account: i64,
    amount: String,
    promised_on: String,
    note: String,
) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    let amount = crate::money::Money::parse(&amount)
        .ok_or_else(|| AppError::invalid(super::text::BAD_AMOUNT))?;
    let promised_on = promised_on
        .trim()
        .parse::<chrono::NaiveDate>()
        .map_err(|_| AppError::invalid(super::text::BAD_DATE))?;
    let note = check_note(&note).map_err(invalid)?;
    cx.store
        .record_promise(
            actor.id,
            account,
            amount,
            promised_on,
            &note,
            crate::clock::today(),
        )
        .await
}

#[server(endpoint = "load_debt_scenarios")]
/// The dunning scenarios with their steps and figures, and the contact limits.
pub async fn load_debt_scenarios() -> Result<ScenariosPage, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    cx.store.scenarios_page().await
}

#[server(endpoint = "save_debt_scenario")]
/// Saves a new scenario, switched off.
pub async fn save_debt_scenario(form: ScenarioForm) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    let scenario = parse_scenario_form(&form).map_err(invalid)?;
    cx.store.save_scenario(Some(actor.id), &scenario).await
}

#[server(endpoint = "switch_debt_scenario")]
/// Switches a scenario on (`on` present) or off.
pub async fn switch_debt_scenario(id: i64, on: Option<String>) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    cx.store
        .set_scenario_enabled(Some(actor.id), id, on.is_some())
        .await
}

#[server(endpoint = "dry_run_debt_scenario")]
/// Who would get which step today, nothing sent.
pub async fn dry_run_debt_scenario(id: i64) -> Result<Vec<DryRunLine>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    cx.store.dry_run(id, crate::clock::today()).await
}

#[server(endpoint = "save_contact_limits")]
/// The SMS limits per person and the quiet hours (HH:MM) of scenarios.
pub async fn save_contact_limits(
    per_day: String,
    per_week: String,
    per_month: String,
    quiet_from: String,
    quiet_to: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageDebts))
        .await?;
    let limits =
        parse_limits(&per_day, &per_week, &per_month, &quiet_from, &quiet_to).map_err(invalid)?;
    cx.store.save_contact_limits(actor.id, &limits).await
}
