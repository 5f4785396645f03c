//! Pages of debts: the accountant's receivables, the debtor's card, segments and mailings.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{
    LogDebtorContact, RecordDebtPromise, load_debtor_card, load_debtor_work, load_receivables,
};
use super::text as t;
use super::types::*;
use crate::error::AppError;
use crate::money::Money;
use crate::ui::{ErrorNote, Loading, style, use_id_param};

mod scenarios;
mod segments;
mod work;
pub use scenarios::ScenariosPage;
pub use segments::SegmentsPage;
use work::DebtorWorkSection;

/// `/staff/debts?house=`: the receivables of a house or of all houses, live from the ledger.
#[component]
pub fn ReceivablesPage() -> impl IntoView {
    let query = use_query_map();
    let house = move || {
        query
            .read()
            .get("house")
            .and_then(|h| h.parse::<i64>().ok())
    };
    let receivables = Resource::new(house, load_receivables);
    view! {
        <div class="flex flex-wrap items-baseline justify-between gap-2">
            <h1 class=style::H1>{t::TITLE}</h1>
            <nav class="flex gap-4">
                <a class="text-teal-800 underline" href="/staff/debts/segments">
                    {t::SEGMENTS}
                </a>
                <a class="text-teal-800 underline" href="/staff/debts/scenarios">
                    {t::SCENARIOS}
                </a>
            </nav>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match receivables.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(r) => view! { <ReceivablesView r /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReceivablesView(r: Receivables) -> impl IntoView {
    let totals = r.totals.clone();
    let today = r.today.format("%d.%m.%Y").to_string();
    let several_houses = r.house.is_none() && r.by_house.len() > 1;
    view! {
        <form method="get" class="mt-3 flex flex-wrap items-end gap-2 print:hidden">
            <label class=format!(
                "{} w-80 max-w-full",
                style::LABEL,
            )>
                {t::HOUSE}
                <select
                    name="house"
                    class=style::INPUT
                    aria-label=t::HOUSE
                    data-testid="debts-house"
                >
                    <option value="" selected=r.house.is_none()>
                        {t::ALL_HOUSES}
                    </option>
                    {r
                        .houses
                        .iter()
                        .map(|(id, address)| {
                            view! {
                                <option value=*id selected=r.house == Some(*id)>
                                    {address.clone()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button class=style::BUTTON_SECONDARY type="submit">
                {t::SHOW}
            </button>
        </form>
        <p class="mt-2 text-sm text-slate-600">
            {format!("{} {today}. {}", t::ON_DAY, t::LIVE_NOTE)}
        </p>
        <div class="mt-4 grid grid-cols-2 gap-3 md:grid-cols-5" data-testid="debts-totals">
            <Figure label=t::OVERDUE value=totals.overdue().label() testid="debts-overdue" />
            <Figure label=t::OWED value=totals.owed().label() testid="debts-owed" />
            <Figure label=t::PENALTIES value=totals.penalties.label() testid="debts-penalties" />
            <Figure label=t::ADVANCE value=totals.advance.label() testid="debts-advance" />
            <Figure
                label=t::DEBTORS
                value=format!("{} из {} {}", totals.debtors, totals.accounts, t::ACCOUNTS)
                testid="debts-debtors"
            />
        </div>
        <div class="mt-6 grid gap-4 xl:grid-cols-2">
            <section class=style::CARD>
                <h2 class=style::H2>{t::BY_AGE}</h2>
                <AgeTable buckets=totals.buckets />
            </section>
            <section class=style::CARD>
                <h2 class=style::H2>{t::HISTORY}</h2>
                <HistoryChart months=r.history.clone() />
                <p class="mt-1 text-xs text-slate-600">{t::HISTORY_NOTE}</p>
            </section>
        </div>
        <HistoryTable months=r.history.clone() />
        {several_houses.then(|| view! { <HouseTable houses=r.by_house.clone() /> })}
        <ServiceTable services=r.by_service.clone() />
        <DebtorTable debtors=r.debtors.clone() all=totals.debtors />
    }
}

#[component]
fn Figure(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class=style::CARD>
            <p class="text-sm text-slate-600">{label}</p>
            <p class="mt-1 text-xl font-semibold tabular-nums" data-testid=testid>
                {value}
            </p>
        </div>
    }
}

/// The owed services by age, each with its share of everything owed.
#[component]
fn AgeTable(buckets: Buckets) -> impl IntoView {
    let owed = buckets.total().0.max(1);
    view! {
        <table class=format!("{} mt-2", style::TABLE) data-testid="debts-buckets">
            <tbody class="divide-y divide-slate-100">
                {AgeBucket::ALL
                    .iter()
                    .map(|bucket| {
                        let amount = buckets.get(*bucket);
                        let width = (amount.0.max(0) * 100 / owed).clamp(0, 100);
                        let tone = if bucket.is_overdue() { "bg-rose-600" } else { "bg-slate-400" };
                        view! {
                            <tr>
                                <td class=style::TD>{t::bucket_label(*bucket)}</td>
                                <td class=style::TD_NUMBER>{amount.label()}</td>
                                <td class=format!("{} w-1/3", style::TD)>
                                    <div class="h-2 rounded bg-slate-100">
                                        <div
                                            class=format!("h-2 rounded {tone}")
                                            style=format!("width: {width}%")
                                        ></div>
                                    </div>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The overdue debt at each month's end as bars, the debtors' count over them.
#[component]
fn HistoryChart(months: Vec<MonthFigures>) -> impl IntoView {
    let max = months.iter().map(|m| m.overdue.0).max().unwrap_or(0).max(1);
    let (w, h) = (600.0_f64, 180.0_f64);
    let step = (w - 20.0) / months.len().max(1) as f64;
    let bar = step * 0.7;
    view! {
        <svg
            viewBox=format!("0 0 {w} {}", h + 20.0)
            class="mt-2 w-full"
            role="img"
            aria-label=t::HISTORY
            data-testid="debts-chart"
        >
            {months
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let x = 10.0 + i as f64 * step;
                    let height = m.overdue.0 as f64 / max as f64 * (h - 30.0);
                    view! {
                        <g>
                            <rect x=x y=h - height width=bar height=height fill="#be123c">
                                <title>
                                    {format!(
                                        "{}: {} {}, {} {}",
                                        m.period.label(),
                                        t::OVERDUE.to_lowercase(),
                                        m.overdue.label(),
                                        t::DEBTORS.to_lowercase(),
                                        m.debtors,
                                    )}
                                </title>
                            </rect>
                            <text
                                x=x + bar / 2.0
                                y=h - height - 4.0
                                text-anchor="middle"
                                font-size="11"
                                fill="#334155"
                            >
                                {m.debtors}
                            </text>
                            <text
                                x=x + bar / 2.0
                                y=h + 14.0
                                text-anchor="middle"
                                font-size="11"
                                fill="#64748b"
                            >
                                {m.period.short_label()}
                            </text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
}

#[component]
fn HistoryTable(months: Vec<MonthFigures>) -> impl IntoView {
    view! {
        <section class="mt-6">
            <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white">
                <table class=style::TABLE data-testid="debts-history">
                    <thead class="bg-slate-50">
                        <tr>
                            <th class=style::TH>{t::MONTH}</th>
                            <th class=style::TH_NUMBER>{t::OVERDUE}</th>
                            <th class=style::TH_NUMBER>{t::DEBTORS}</th>
                            <th class=style::TH_NUMBER>{t::CHARGED}</th>
                            <th class=style::TH_NUMBER>{t::PAID}</th>
                            <th class=style::TH_NUMBER>{t::COLLECTION}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {months
                            .into_iter()
                            .rev()
                            .map(|m| {
                                let collection = m
                                    .collection_percent()
                                    .map_or_else(|| "—".to_string(), |p| format!("{p} %"));
                                view! {
                                    <tr>
                                        <td class=style::TD>{m.period.label()}</td>
                                        <td class=style::TD_NUMBER>{m.overdue.label()}</td>
                                        <td class=style::TD_NUMBER>{m.debtors}</td>
                                        <td class=style::TD_NUMBER>{m.charged.label()}</td>
                                        <td class=style::TD_NUMBER>{m.paid.label()}</td>
                                        <td class=style::TD_NUMBER>{collection}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn HouseTable(houses: Vec<HouseDebt>) -> impl IntoView {
    view! {
        <section class="mt-6">
            <h2 class=style::H2>{t::BY_HOUSE}</h2>
            <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                <table class=style::TABLE data-testid="debts-houses">
                    <thead class="bg-slate-50">
                        <tr>
                            <th class=style::TH>{t::ADDRESS}</th>
                            <th class=style::TH_NUMBER>{t::OVERDUE}</th>
                            <th class=style::TH_NUMBER>{t::PENALTIES}</th>
                            <th class=style::TH_NUMBER>{t::OWED}</th>
                            <th class=style::TH_NUMBER>{t::DEBTORS}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {houses
                            .into_iter()
                            .map(|h| {
                                view! {
                                    <tr>
                                        <td class=style::TD>
                                            <a
                                                class="text-teal-800 underline"
                                                href=format!("/staff/debts?house={}", h.house_id)
                                            >
                                                {h.address}
                                            </a>
                                        </td>
                                        <td class=style::TD_NUMBER>{h.totals.overdue().label()}</td>
                                        <td class=style::TD_NUMBER>{h.totals.penalties.label()}</td>
                                        <td class=style::TD_NUMBER>{h.totals.owed().label()}</td>
                                        <td class=style::TD_NUMBER>
                                            {format!("{} / {}", h.totals.debtors, h.totals.accounts)}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn ServiceTable(services: Vec<(String, Money)>) -> impl IntoView {
    view! {
        <section class="mt-6 max-w-2xl">
            <h2 class=style::H2>{t::BY_SERVICE}</h2>
            <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                <table class=style::TABLE data-testid="debts-services">
                    <tbody class="divide-y divide-slate-100">
                        {services
                            .into_iter()
                            .map(|(name, owed)| {
                                view! {
                                    <tr>
                                        <td class=style::TD>{name}</td>
                                        <td class=style::TD_NUMBER>{owed.label()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn DebtorTable(debtors: Vec<DebtorRow>, all: u32) -> impl IntoView {
    let shown = debtors.len();
    view! {
        <section class="mt-6">
            <h2 class=style::H2>{t::DEBTOR_LIST}</h2>
            {(shown == 0).then(|| view! { <p class="mt-2 text-slate-600">{t::NO_DEBTORS}</p> })}
            {(shown > 0 && shown < all as usize)
                .then(|| {
                    view! { <p class="mt-1 text-sm text-slate-600">{t::shown_of(shown, all)}</p> }
                })}
            <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                <table class=style::TABLE data-testid="debtors">
                    <thead class="bg-slate-50">
                        <tr>
                            <th class=style::TH>{t::ACCOUNT}</th>
                            <th class=style::TH>{t::ADDRESS}</th>
                            <th class=style::TH>{t::NAMES}</th>
                            <th class=style::TH_NUMBER>{t::OVERDUE}</th>
                            <th class=style::TH_NUMBER>
                                {t::bucket_label(AgeBucket::Days91To180)}
                            </th>
                            <th class=style::TH_NUMBER>"> 180 дн."</th>
                            <th class=style::TH_NUMBER>{t::PENALTIES}</th>
                            <th class=style::TH_NUMBER>{t::OWED}</th>
                            <th class=style::TH>{t::SINCE}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {debtors
                            .into_iter()
                            .map(|d| {
                                let older = d.buckets.at_least(AgeBucket::Days181To365);
                                view! {
                                    <tr data-testid="debtor">
                                        <td class=style::TD>
                                            <a
                                                class="text-teal-800 underline"
                                                href=format!("/staff/debts/account/{}", d.account_id)
                                            >
                                                {d.number.clone()}
                                            </a>
                                        </td>
                                        <td class=style::TD>{d.address.clone()}</td>
                                        <td class=style::TD>{d.names.clone()}</td>
                                        <td class=style::TD_NUMBER data-testid="debtor-overdue">
                                            {d.overdue().label()}
                                        </td>
                                        <td class=style::TD_NUMBER>
                                            {d.buckets.get(AgeBucket::Days91To180).label()}
                                        </td>
                                        <td class=style::TD_NUMBER>{older.label()}</td>
                                        <td class=style::TD_NUMBER>{d.penalties.label()}</td>
                                        <td class=style::TD_NUMBER>{d.owed().label()}</td>
                                        <td class=style::TD>
                                            {d
                                                .oldest_overdue
                                                .map(|day| day.format("%d.%m.%Y").to_string())}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// `/staff/debts/account/:id`: one debtor — the months owed by service, the people to reach.
#[component]
pub fn DebtorPage() -> impl IntoView {
    let id = use_id_param();
    let card = Resource::new(id, load_debtor_card);
    let log = ServerAction::<LogDebtorContact>::new();
    let promise = ServerAction::<RecordDebtPromise>::new();
    let work = Resource::new(
        move || (id(), log.version().get(), promise.version().get()),
        |(account, ..)| load_debtor_work(account),
    );
    view! {
        <a href="/staff/debts" class="text-sm text-teal-700">
            {t::ALL_DEBTS}
        </a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match card.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(c) => view! { <DebtorView c log promise work /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DebtorView(
    c: DebtorCard,
    log: ServerAction<LogDebtorContact>,
    promise: ServerAction<RecordDebtPromise>,
    work: Resource<Result<DebtorWork, AppError>>,
) -> impl IntoView {
    let owed = c.buckets.total() + c.penalties;
    view! {
        <h1 class=format!(
            "{} mt-2",
            style::H1,
        )>{format!("{} · {} {}", t::CARD_TITLE, t::ACCOUNT.to_lowercase(), c.number)}</h1>
        <p class="mt-1 text-slate-700">{c.address.clone()}</p>
        <p class="mt-1 text-sm">
            <a class="text-teal-800 underline" href=format!("/staff/account/{}", c.account_id)>
                {t::STATEMENT}
            </a>
        </p>
        <div class="mt-4 grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="debtor-totals">
            <Figure label=t::OVERDUE value=c.overdue().label() testid="debtor-card-overdue" />
            <Figure label=t::OWED value=owed.label() testid="debtor-card-owed" />
            <Figure label=t::PENALTIES value=c.penalties.label() testid="debtor-card-penalties" />
            <Figure label=t::ADVANCE value=c.advance.label() testid="debtor-card-advance" />
        </div>
        <div class="mt-6 grid gap-4 xl:grid-cols-2">
            <section class=style::CARD>
                <h2 class=style::H2>{t::PEOPLE}</h2>
                {c
                    .people
                    .is_empty()
                    .then(|| view! { <p class="mt-2 text-slate-600">{t::NOBODY}</p> })}
                <ul class="mt-2 space-y-2" data-testid="debtor-people">
                    {c
                        .people
                        .iter()
                        .map(|p| {
                            let contacts: Vec<String> = [p.phone.clone(), p.email.clone()]
                                .into_iter()
                                .flatten()
                                .collect();
                            view! {
                                <li>
                                    <span class="font-medium">{p.name.clone()}</span>
                                    <span class="text-sm text-slate-600">
                                        {format!(" · {}", p.relation.label())}
                                    </span>
                                    <span class="block text-sm text-slate-700">
                                        {contacts.join(" · ")}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
            <section class=style::CARD>
                <h2 class=style::H2>{t::BY_AGE}</h2>
                <AgeTable buckets=c.buckets />
            </section>
        </div>
        <DebtorWorkSection account=c.account_id today=c.today log promise work />
        <ServiceTable services=c.by_service.clone() />
        <section class="mt-6">
            <h2 class=style::H2>{t::MONTHS_OWED}</h2>
            {c
                .months
                .is_empty()
                .then(|| view! { <p class="mt-2 text-slate-600">{t::NOTHING_OWED}</p> })}
            <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                <table class=style::TABLE data-testid="debtor-months">
                    <thead class="bg-slate-50">
                        <tr>
                            <th class=style::TH>{t::MONTH}</th>
                            <th class=style::TH>{t::DUE}</th>
                            <th class=style::TH>{t::AGE}</th>
                            <th class=style::TH_NUMBER>{t::MONTH_CHARGED}</th>
                            <th class=style::TH_NUMBER>{t::MONTH_OWED}</th>
                            <th class=style::TH>{t::FOR_WHAT}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {c
                            .months
                            .iter()
                            .rev()
                            .map(|m| {
                                let parts = m
                                    .parts
                                    .iter()
                                    .map(|(name, amount)| format!("{name} {}", amount.label()))
                                    .collect::<Vec<_>>()
                                    .join("; ");
                                view! {
                                    <tr data-testid="debtor-month">
                                        <td class=style::TD>{m.period.label()}</td>
                                        <td class=style::TD>
                                            {m.due_on.format("%d.%m.%Y").to_string()}
                                        </td>
                                        <td class=style::TD>{t::bucket_label(m.bucket)}</td>
                                        <td class=style::TD_NUMBER>{m.charged.label()}</td>
                                        <td class=style::TD_NUMBER>{m.owed.label()}</td>
                                        <td class=format!(
                                            "{} text-xs text-slate-600",
                                            style::TD,
                                        )>{parts}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// The cabinet's reminder of a debt past its due date, with the way to pay it (the resource is
/// made by the page). Nothing shows while nothing is overdue, nor if the figures cannot be read
/// (the server logs why; the rest of the page stands).
#[component]
pub fn OverdueBanner(overdue: Resource<Result<Vec<MyOverdue>, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = overdue.await.unwrap_or_default();
                (!list.is_empty())
                    .then(|| {
                        view! {
                            <section
                                class="mt-4 rounded-xl border border-amber-300 bg-amber-50 p-4"
                                data-testid="overdue-banner"
                            >
                                <h2 class="font-semibold text-amber-950">{t::OVERDUE_BANNER}</h2>
                                <ul class="mt-1 space-y-1 text-sm text-amber-950">
                                    {list
                                        .iter()
                                        .map(|o| view! { <li>{t::overdue_line(o)}</li> })
                                        .collect_view()}
                                </ul>
                                <a
                                    href="/cabinet/pay"
                                    class=format!("{} mt-3", style::BUTTON)
                                    data-testid="overdue-pay"
                                >
                                    {t::PAY}
                                </a>
                            </section>
                        }
                    })
            })}
        </Suspense>
    }
}
