//! `/staff/debts/scenarios`: dunning scenarios — a new one with its steps, a dry run before it
//! is switched on, what each step did, and the contact limits.

use leptos::prelude::*;

use super::super::api::{
    DryRunDebtScenario, SaveContactLimits, SaveDebtScenario, SwitchDebtScenario,
    load_debt_scenarios,
};
use super::super::text as t;
use super::super::types::*;
use crate::notify::types::Channel;
use crate::ui::{ErrorNote, FormResult, Loading, style};

/// Step rows of the new-scenario form.
const STEP_ROWS: usize = 4;

#[component]
pub fn ScenariosPage() -> impl IntoView {
    let save = ServerAction::<SaveDebtScenario>::new();
    let switch = ServerAction::<SwitchDebtScenario>::new();
    let limits = ServerAction::<SaveContactLimits>::new();
    let page = Resource::new(
        move || {
            (
                save.version().get(),
                switch.version().get(),
                limits.version().get(),
            )
        },
        |_| load_debt_scenarios(),
    );
    view! {
        <a href="/staff/debts" class="text-sm text-teal-700">
            {t::ALL_DEBTS}
        </a>
        <h1 class=format!("{} mt-2", style::H1)>{t::SCENARIOS}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::SCENARIOS_HINT}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(p) => {
                        view! {
                            <ScenarioList scenarios=p.scenarios.clone() switch />
                            <NewScenario houses=p.houses.clone() save />
                            <Limits l=p.limits.clone() action=limits />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ScenarioList(
    scenarios: Vec<ScenarioView>,
    switch: ServerAction<SwitchDebtScenario>,
) -> impl IntoView {
    view! {
        <FormResult value=switch.value() />
        {scenarios
            .is_empty()
            .then(|| view! { <p class="mt-4 text-slate-600">{t::NO_SCENARIOS}</p> })}
        <ul class="mt-4 space-y-4">
            {scenarios.into_iter().map(|s| view! { <ScenarioCard s switch /> }).collect_view()}
        </ul>
    }
}

#[component]
fn ScenarioCard(s: ScenarioView, switch: ServerAction<SwitchDebtScenario>) -> impl IntoView {
    let dry_run = ServerAction::<DryRunDebtScenario>::new();
    let state = if s.enabled {
        t::SCENARIO_ON
    } else {
        t::SCENARIO_OFF
    };
    let tone = if s.enabled {
        "bg-teal-100 text-teal-900"
    } else {
        "bg-slate-100 text-slate-700"
    };
    view! {
        <li class=style::CARD data-testid="scenario">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 class=style::H2>{s.name.clone()}</h2>
                <span
                    class=format!("rounded px-2 py-0.5 text-sm {tone}")
                    data-testid="scenario-state"
                >
                    {state}
                </span>
            </div>
            <p class="mt-1 text-sm text-slate-600">
                {t::scenario_summary(
                    s.house.as_deref(),
                    s.restart_on_partial,
                    s.holdout_percent,
                    s.open_episodes,
                )}
            </p>
            <div class="mt-2 overflow-x-auto">
                <table class=style::TABLE>
                    <thead class="bg-slate-50">
                        <tr>
                            <th class=style::TH>{t::STEP}</th>
                            <th class=style::TH>{t::WHEN}</th>
                            <th class=style::TH>{t::TEMPLATE}</th>
                            <th class=style::TH>{t::CHANNELS}</th>
                            <th class=style::TH_NUMBER>{t::STEP_SENT}</th>
                            <th class=style::TH_NUMBER>{t::STEP_HELD_OUT}</th>
                            <th class=style::TH_NUMBER>{t::STEP_UNREACHABLE}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {s
                            .steps
                            .iter()
                            .map(|step| {
                                view! {
                                    <tr data-testid="scenario-step">
                                        <td class=style::TD>{step.position}</td>
                                        <td class=style::TD>
                                            {t::step_when(step.days_after_due, step.min_overdue)}
                                        </td>
                                        <td class=style::TD>
                                            {crate::notify::rules::spec(step.kind).label}
                                        </td>
                                        <td class=style::TD>{t::channels_label(&step.channels)}</td>
                                        <td class=style::TD_NUMBER>{step.sent}</td>
                                        <td class=style::TD_NUMBER>{step.held_out}</td>
                                        <td class=style::TD_NUMBER>{step.unreachable}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="mt-3 flex flex-wrap gap-2">
                <ActionForm action=dry_run>
                    <input type="hidden" name="id" value=s.id />
                    <button
                        class=style::BUTTON_SECONDARY
                        type="submit"
                        data-testid="scenario-dry-run"
                    >
                        {t::DRY_RUN}
                    </button>
                </ActionForm>
                <ActionForm action=switch>
                    <input type="hidden" name="id" value=s.id />
                    {(!s.enabled).then(|| view! { <input type="hidden" name="on" value="on" /> })}
                    <button class=style::BUTTON type="submit" data-testid="scenario-switch">
                        {if s.enabled { t::SWITCH_OFF } else { t::SWITCH_ON }}
                    </button>
                </ActionForm>
            </div>
            {move || match dry_run.value().get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <ErrorNote error=e /> }.into_any(),
                Some(Ok(lines)) => view! { <DryRun lines /> }.into_any(),
            }}
        </li>
    }
}

#[component]
fn DryRun(lines: Vec<DryRunLine>) -> impl IntoView {
    view! {
        <section class="mt-3" data-testid="dry-run">
            <p class="font-medium" role="status">
                {t::dry_run_summary(&lines)}
            </p>
            {(!lines.is_empty())
                .then(|| {
                    view! {
                        <div class="mt-2 max-h-96 overflow-auto">
                            <table class=style::TABLE>
                                <thead class="bg-slate-50">
                                    <tr>
                                        <th class=style::TH>{t::ACCOUNT}</th>
                                        <th class=style::TH>{t::ADDRESS}</th>
                                        <th class=style::TH_NUMBER>{t::OVERDUE}</th>
                                        <th class=style::TH>{t::STEP}</th>
                                        <th class=style::TH>{t::WHAT_HAPPENS}</th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {lines
                                        .into_iter()
                                        .map(|l| {
                                            view! {
                                                <tr data-testid="dry-run-line">
                                                    <td class=style::TD>
                                                        <a
                                                            class="text-teal-800 underline"
                                                            href=format!("/staff/debts/account/{}", l.account_id)
                                                        >
                                                            {l.number.clone()}
                                                        </a>
                                                    </td>
                                                    <td class=style::TD>{l.address.clone()}</td>
                                                    <td class=style::TD_NUMBER>{l.overdue.label()}</td>
                                                    <td class=style::TD>
                                                        {format!(
                                                            "{} · {}",
                                                            l.position,
                                                            crate::notify::rules::spec(l.kind).label,
                                                        )}
                                                    </td>
                                                    <td class=style::TD>{t::dry_run_outcome(&l)}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                })}
        </section>
    }
}

#[component]
fn NewScenario(houses: Vec<(i64, String)>, save: ServerAction<SaveDebtScenario>) -> impl IntoView {
    view! {
        <section class=format!("{} mt-6", style::CARD) data-testid="scenario-form">
            <h2 class=style::H2>{t::NEW_SCENARIO}</h2>
            <p class="mt-1 text-sm text-slate-600">{t::NEW_SCENARIO_HINT}</p>
            <ActionForm action=save>
                <div class="mt-3 grid gap-3 md:grid-cols-4">
                    <label class=format!(
                        "{} md:col-span-2",
                        style::LABEL,
                    )>
                        {t::SEGMENT_NAME} <input class=style::INPUT name="form[name]" required />
                    </label>
                    <label class=style::LABEL>
                        {t::HOUSE}
                        <select class=style::INPUT name="form[house]" aria-label=t::HOUSE>
                            <option value="">{t::ALL_HOUSES}</option>
                            {houses
                                .into_iter()
                                .map(|(id, address)| view! { <option value=id>{address}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label class=style::LABEL>
                        {t::HOLDOUT}
                        <input
                            class=style::INPUT
                            name="form[holdout]"
                            inputmode="numeric"
                            value="0"
                        />
                    </label>
                    <label class="flex items-center gap-2 text-sm md:col-span-4">
                        <input type="checkbox" name="form[restart]" value="on" />
                        {t::RESTART_ON_PARTIAL}
                    </label>
                </div>
                <div class="mt-3 overflow-x-auto">
                    <table class=style::TABLE>
                        <thead class="bg-slate-50">
                            <tr>
                                <th class=style::TH>{t::STEP}</th>
                                <th class=style::TH>{t::DAYS_AFTER_DUE}</th>
                                <th class=style::TH>{t::STEP_MIN_OVERDUE}</th>
                                <th class=style::TH>{t::TEMPLATE}</th>
                                <th class=style::TH>{t::CHANNELS}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {(0..STEP_ROWS)
                                .map(|i| {
                                    let field = move |f: &str| format!("form[steps][{i}][{f}]");
                                    let n = i + 1;
                                    view! {
                                        <tr data-testid="scenario-step-row">
                                            <td class=style::TD>{n}</td>
                                            <td class=style::TD>
                                                <input
                                                    class=style::INPUT
                                                    name=field("days")
                                                    inputmode="numeric"
                                                    aria-label=format!("{} {n}", t::DAYS_AFTER_DUE)
                                                />
                                            </td>
                                            <td class=style::TD>
                                                <input
                                                    class=style::INPUT
                                                    name=field("min_overdue")
                                                    inputmode="decimal"
                                                    aria-label=format!("{} {n}", t::STEP_MIN_OVERDUE)
                                                />
                                            </td>
                                            <td class=style::TD>
                                                <select
                                                    class=style::INPUT
                                                    name=field("kind")
                                                    aria-label=format!("{} {n}", t::TEMPLATE)
                                                >
                                                    {MAILING_KINDS
                                                        .iter()
                                                        .enumerate()
                                                        .map(|(k, kind)| {
                                                            view! {
                                                                <option
                                                                    value=kind.as_str()
                                                                    selected=k == i.min(MAILING_KINDS.len() - 1)
                                                                >
                                                                    {crate::notify::rules::spec(*kind).label}
                                                                </option>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </select>
                                            </td>
                                            <td class=format!(
                                                "{} whitespace-nowrap",
                                                style::TD,
                                            )>
                                                {Channel::ALL
                                                    .iter()
                                                    .map(|c| {
                                                        view! {
                                                            <label class="mr-3 inline-flex items-center gap-1">
                                                                <input
                                                                    type="checkbox"
                                                                    name=field(c.as_str())
                                                                    value="on"
                                                                    checked=*c == Channel::Email
                                                                    aria-label=format!("{} {n}", c.label())
                                                                />
                                                                {c.label()}
                                                            </label>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <button
                    class=format!("{} mt-3", style::BUTTON)
                    type="submit"
                    data-testid="scenario-save"
                >
                    {t::SAVE_SCENARIO}
                </button>
                <FormResult value=save.value() success=t::SCENARIO_SAVED />
            </ActionForm>
        </section>
    }
}

#[component]
fn Limits(l: LimitsView, action: ServerAction<SaveContactLimits>) -> impl IntoView {
    view! {
        <section class=format!("{} mt-6", style::CARD) data-testid="contact-limits">
            <h2 class=style::H2>{t::LIMITS}</h2>
            <p class="mt-1 text-sm text-slate-600">{t::LIMITS_HINT}</p>
            <ActionForm action>
                <div class="mt-3 grid grid-cols-2 gap-3 md:grid-cols-5">
                    <label class=style::LABEL>
                        {t::SMS_PER_DAY}
                        <input
                            class=style::INPUT
                            name="per_day"
                            value=l.sms_per_day
                            inputmode="numeric"
                        />
                    </label>
                    <label class=style::LABEL>
                        {t::SMS_PER_WEEK}
                        <input
                            class=style::INPUT
                            name="per_week"
                            value=l.sms_per_week
                            inputmode="numeric"
                        />
                    </label>
                    <label class=style::LABEL>
                        {t::SMS_PER_MONTH}
                        <input
                            class=style::INPUT
                            name="per_month"
                            value=l.sms_per_month
                            inputmode="numeric"
                        />
                    </label>
                    <label class=style::LABEL>
                        {t::QUIET_FROM}
                        <input
                            class=style::INPUT
                            name="quiet_from"
                            type="time"
                            value=l.quiet_from
                        />
                    </label>
                    <label class=style::LABEL>
                        {t::QUIET_TO}
                        <input class=style::INPUT name="quiet_to" type="time" value=l.quiet_to />
                    </label>
                </div>
                <button class=format!("{} mt-3", style::BUTTON_SECONDARY) type="submit">
                    {t::SAVE}
                </button>
                <FormResult value=action.value() success=t::LIMITS_SAVED />
            </ActionForm>
        </section>
    }
}
