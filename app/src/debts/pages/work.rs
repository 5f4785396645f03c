//! The debtor card's work: log a call, a visit or a letter; record a promise to pay; the
//! promises with their status from the ledger; every contact with its deliveries.

use leptos::prelude::*;

use super::super::api::{LogDebtorContact, RecordDebtPromise};
use super::super::text as t;
use super::super::types::*;
use crate::error::AppError;
use crate::ui::{ErrorNote, FormResult, Loading, style};

/// The card's work with the debtor, its actions and data made by the page (a resource made inside
/// the card's `Suspend` would be made again on each of its runs).
#[component]
pub fn DebtorWorkSection(
    account: i64,
    today: chrono::NaiveDate,
    log: ServerAction<LogDebtorContact>,
    promise: ServerAction<RecordDebtPromise>,
    work: Resource<Result<DebtorWork, AppError>>,
) -> impl IntoView {
    view! {
        <section class="mt-6" data-testid="debtor-work">
            <h2 class=style::H2>{t::WORK}</h2>
            <div class="mt-2 grid gap-4 xl:grid-cols-2">
                <section class=style::CARD>
                    <h3 class="font-semibold">{t::LOG_CONTACT}</h3>
                    <ActionForm action=log>
                        <input type="hidden" name="account" value=account />
                        <div class="mt-2 grid gap-3 sm:grid-cols-2">
                            <label class=style::LABEL>
                                {t::CONTACT_KIND}
                                <select name="kind" class=style::INPUT aria-label=t::CONTACT_KIND>
                                    {ContactKind::ALL
                                        .iter()
                                        .filter(|k| **k != ContactKind::Mailing)
                                        .map(|k| {
                                            view! {
                                                <option value=k.as_str()>{t::contact_label(*k)}</option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                            <label class=style::LABEL>
                                {t::OUTCOME}
                                <select name="outcome" class=style::INPUT aria-label=t::OUTCOME>
                                    {CallOutcome::ALL
                                        .iter()
                                        .map(|o| {
                                            view! {
                                                <option value=o.as_str()>{t::outcome_label(*o)}</option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                            <label class=format!(
                                "{} sm:col-span-2",
                                style::LABEL,
                            )>
                                {t::NOTE}
                                <textarea name="note" rows="2" class=style::INPUT></textarea>
                            </label>
                        </div>
                        <button
                            class=format!("{} mt-3", style::BUTTON)
                            type="submit"
                            data-testid="log-contact"
                        >
                            {t::SAVE}
                        </button>
                        <FormResult value=log.value() />
                    </ActionForm>
                </section>
                <section class=style::CARD>
                    <h3 class="font-semibold">{t::PROMISE}</h3>
                    <ActionForm action=promise>
                        <input type="hidden" name="account" value=account />
                        <div class="mt-2 grid gap-3 sm:grid-cols-2">
                            <label class=style::LABEL>
                                {t::PROMISE_AMOUNT}
                                <input
                                    name="amount"
                                    class=style::INPUT
                                    inputmode="decimal"
                                    required
                                />
                            </label>
                            <label class=style::LABEL>
                                {t::PROMISE_DATE}
                                <input
                                    name="promised_on"
                                    type="date"
                                    class=style::INPUT
                                    min=today.to_string()
                                    required
                                />
                            </label>
                            <label class=format!(
                                "{} sm:col-span-2",
                                style::LABEL,
                            )>{t::NOTE} <input name="note" class=style::INPUT /></label>
                        </div>
                        <button
                            class=format!("{} mt-3", style::BUTTON)
                            type="submit"
                            data-testid="record-promise"
                        >
                            {t::RECORD_PROMISE}
                        </button>
                        <FormResult value=promise.value() />
                    </ActionForm>
                </section>
            </div>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match work.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(w) => view! { <WorkView w /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn WorkView(w: DebtorWork) -> impl IntoView {
    view! {
        <div class="mt-4 grid gap-4 xl:grid-cols-2">
            <section class=style::CARD>
                <h3 class="font-semibold">{t::PROMISES}</h3>
                {w
                    .promises
                    .is_empty()
                    .then(|| view! { <p class="mt-2 text-sm text-slate-600">{t::NO_PROMISES}</p> })}
                <ul class="mt-2 space-y-2" data-testid="debtor-promises">
                    {w
                        .promises
                        .into_iter()
                        .map(|p| {
                            let tone = match p.status {
                                PromiseStatus::Pending => "bg-amber-100 text-amber-900",
                                PromiseStatus::Kept => "bg-teal-100 text-teal-900",
                                PromiseStatus::Broken => "bg-rose-100 text-rose-900",
                            };
                            view! {
                                <li class="text-sm" data-testid="debtor-promise">
                                    <span class="font-medium tabular-nums">
                                        {format!(
                                            "{} до {}",
                                            p.amount.label(),
                                            p.promised_on.format("%d.%m.%Y"),
                                        )}
                                    </span>
                                    " "
                                    <span class=format!(
                                        "rounded px-1.5 py-0.5 text-xs {tone}",
                                    )>{t::promise_label(p.status)}</span>
                                    <span class="block text-slate-600">
                                        {format!(
                                            "{} {} · записано {} {}",
                                            t::PAID_SINCE,
                                            p.paid.label(),
                                            p.made_on.format("%d.%m.%Y"),
                                            p.staff,
                                        )} {(!p.note.is_empty()).then(|| format!(" · {}", p.note))}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
            {(!w.steps.is_empty())
                .then(|| {
                    view! {
                        <section class=format!("{} xl:col-span-2", style::CARD)>
                            <h3 class="font-semibold">{t::SCENARIO_STEPS}</h3>
                            <ol class="mt-2 space-y-2" data-testid="debtor-steps">
                                {w
                                    .steps
                                    .iter()
                                    .map(|r| {
                                        view! {
                                            <li class="text-sm" data-testid="debtor-step">
                                                <span class="text-slate-600">
                                                    {r.ran_on.format("%d.%m.%Y").to_string()}
                                                </span>
                                                {format!(
                                                    " · {} · шаг {} · {} · {} · долг {}",
                                                    r.scenario,
                                                    r.position,
                                                    crate::notify::rules::spec(r.kind).label,
                                                    t::step_outcome_label(r.outcome),
                                                    r.overdue.label(),
                                                )}
                                                <Deliveries list=r.deliveries.clone() />
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        </section>
                    }
                })}
            <section class=style::CARD>
                <h3 class="font-semibold">{t::TIMELINE}</h3>
                {w
                    .contacts
                    .is_empty()
                    .then(|| view! { <p class="mt-2 text-sm text-slate-600">{t::NO_CONTACTS}</p> })}
                <ol class="mt-2 space-y-2" data-testid="debtor-timeline">
                    {w
                        .contacts
                        .into_iter()
                        .map(|c| {
                            view! {
                                <li class="text-sm" data-testid="debtor-contact">
                                    <span class="text-slate-600">{c.at}</span>
                                    " · "
                                    <span class="font-medium">{t::contact_label(c.kind)}</span>
                                    {c.outcome.map(|o| format!(" · {}", t::outcome_label(o)))}
                                    {(!c.staff.is_empty()).then(|| format!(" · {}", c.staff))}
                                    {(!c.note.is_empty())
                                        .then(|| {
                                            view! { <span class="block">{c.note.clone()}</span> }
                                        })}
                                    <Deliveries list=c.deliveries.clone() />
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </section>
        </div>
    }
}

/// Each delivery of a message: «E-mail — доставлено, SMS — в очереди».
#[component]
fn Deliveries(list: Vec<(crate::notify::types::Channel, String)>) -> impl IntoView {
    let text = list
        .iter()
        .map(|(channel, status)| {
            format!("{} — {}", channel.label(), t::delivery_status_label(status))
        })
        .collect::<Vec<_>>()
        .join(", ");
    (!text.is_empty()).then(|| view! { <span class="block text-xs text-slate-600">{text}</span> })
}
