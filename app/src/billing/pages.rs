//! Billing pages: the resident's charges (inside the account page), the accountant's accrual
//! page with its progress bar, and services and tariffs.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::text as t;
use super::types::*;
use crate::housing::pages::HouseSelect;
use crate::readings::rules::format_value;
use crate::ui::{ErrorNote, FormResult, ImportFileFields, ImportReportCard, Loading, style};

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The resident's charges of one account; the resource is made by the page (see
/// ARCHITECTURE, "How a request flows").
#[component]
pub fn AccountCharges(
    statement: Resource<Result<AccountStatement, crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match statement.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(s) => view! { <Statement s=s/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Statement(s: AccountStatement) -> impl IntoView {
    let latest = s
        .months
        .iter()
        .find(|m| m.charged.0 > 0 || !m.lines.is_empty())
        .cloned();
    let (label, class) = match s.balance.0 {
        b if b > 0 => (t::BALANCE_DEBT, "text-rose-700"),
        b if b < 0 => (t::BALANCE_ADVANCE, "text-teal-700"),
        _ => (t::BALANCE_ZERO, "text-slate-700"),
    };
    let amount = if s.balance.0 < 0 {
        -s.balance
    } else {
        s.balance
    };
    let account_id = s.account_id;
    // residents pay here; staff see the same card without the button
    let payer = crate::ui::use_user().is_some_and(|u| {
        crate::auth::rules::role_can(u.role, crate::auth::types::Permission::OwnCabinet)
    });
    view! {
        <section class=format!("{} mt-4", style::CARD) data-testid="balance-card">
            <p class="text-sm text-slate-600">{label}</p>
            <p class=format!("text-3xl font-semibold {class}") data-testid="balance">{amount.label()}</p>
            {latest.clone().map(|m| view! {
                <p class="mt-1 text-sm text-slate-600">
                    {if s.balance.0 > 0 { format!("{} {}", t::PAY_BY, date(m.due_on)) } else { String::new() }}
                </p>
                <div class="mt-3 flex flex-wrap gap-2">
                    {(payer && s.balance.0 > 0).then(|| view! {
                        <a class=style::BUTTON href="/cabinet/pay" data-testid="pay-link">{t::PAY}</a>
                    })}
                    <a class=style::BUTTON_SECONDARY rel="external" data-testid="bill-link"
                        href=format!("/cabinet/bill?account={account_id}&period={}", m.period)>
                        {t::DOWNLOAD_BILL}" · "{m.period.label()}
                    </a>
                </div>
            })}
        </section>
        {if s.months.is_empty() {
            view! { <p class="mt-4 text-sm text-slate-600">{t::NO_CHARGES}</p> }.into_any()
        } else {
            view! {
                <section class=format!("{} mt-4", style::CARD)>
                    <h2 class=style::H2>{t::CHART_TITLE}</h2>
                    <MoneyChart months=s.months.clone()/>
                </section>
                <h2 class=format!("{} mt-6", style::H2)>{t::CHARGES}</h2>
                <div class="mt-2 space-y-2">
                    {s.months.into_iter().enumerate().map(|(i, m)| view! { <Month m=m account_id=account_id open=i == 0/> }).collect_view()}
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn Month(m: MonthStatement, account_id: i64, open: bool) -> impl IntoView {
    let period = m.period;
    view! {
        <details class=style::CARD open=open data-testid="month">
            <summary class="flex cursor-pointer flex-wrap items-baseline justify-between gap-2">
                <span class="font-medium capitalize">{period.label()}</span>
                <span class="text-sm text-slate-600">{t::CHARGED}" "{(m.charged + m.penalties).label()}" · "{t::PAID}" "{m.paid.label()}</span>
            </summary>
            <dl class="mt-3 grid grid-cols-2 gap-1 text-sm">
                <dt class="text-slate-600">{t::OPENING}</dt><dd class="text-right">{balance_text(m.opening)}</dd>
            </dl>
            <ul class="mt-2 divide-y divide-slate-100">
                {m.lines.into_iter().map(|l| view! {
                    <li class="py-2" data-testid=if l.penalty { "penalty-line" } else { "charge-line" }>
                        <div class="flex justify-between gap-3 text-sm">
                            <span class="font-medium">{l.service.clone()}</span>
                            <span class="whitespace-nowrap">{l.amount.label()}</span>
                        </div>
                        <p class="mt-0.5 text-xs text-slate-600">
                            {if l.penalty { l.source.clone() } else { format!("{} {} · {}", format_value(l.quantity), l.unit, l.source) }}
                        </p>
                        <p class="mt-0.5 whitespace-pre-line text-xs text-slate-500">{l.explanation.clone()}</p>
                    </li>
                }).collect_view()}
            </ul>
            {(!m.corrections.is_empty()).then(|| view! {
                <h3 class="mt-3 text-sm font-medium">{t::CORRECTIONS}</h3>
                <ul class="text-sm">
                    {m.corrections.into_iter().map(|c| view! { <li class="flex justify-between gap-2"><span>{c.reason}</span><span>{c.amount.label()}</span></li> }).collect_view()}
                </ul>
            })}
            {(!m.payments.is_empty()).then(|| view! {
                <h3 class="mt-3 text-sm font-medium">{t::PAID}</h3>
                <ul class="text-sm" data-testid="payments">
                    {m.payments.into_iter().map(|p| view! { <li class="flex justify-between gap-2"><span>{date(p.on)}" "{p.reason}</span><span>{(-p.amount).label()}</span></li> }).collect_view()}
                </ul>
            })}
            <dl class="mt-3 grid grid-cols-2 gap-1 border-t border-slate-100 pt-2 text-sm">
                <dt class="text-slate-600">{t::CLOSING}</dt><dd class="text-right font-medium">{balance_text(m.closing)}</dd>
                {((m.charged + m.penalties).0 > 0).then(|| view! {
                    <dt class="text-slate-600">{t::PAY_BY}</dt><dd class="text-right">{date(m.due_on)}</dd>
                })}
            </dl>
            <a class="mt-2 inline-block text-sm text-teal-700 underline" rel="external"
                href=format!("/cabinet/bill?account={account_id}&period={period}")>{t::DOWNLOAD_BILL}</a>
        </details>
    }
}

fn balance_text(m: Money) -> String {
    match m.0 {
        b if b > 0 => format!("{} ({})", m.label(), t::DEBT),
        b if b < 0 => format!("{} ({})", (-m).label(), t::ADVANCE),
        _ => m.label(),
    }
}

/// Charged (with penalties) and paid per month, the last 12 months, as paired bars.
#[component]
fn MoneyChart(months: Vec<MonthStatement>) -> impl IntoView {
    let last: Vec<MonthStatement> = months.into_iter().take(12).rev().collect();
    let top = last
        .iter()
        .map(|m| (m.charged + m.penalties).0.max(m.paid.0))
        .max()
        .unwrap_or(0)
        .max(1);
    // the label is exact; f64 only places the bars
    let (w, h, pad) = (360.0, 160.0, 16.0);
    let step = w / last.len().max(1) as f64;
    let height = move |k: i64| (k.max(0) as f64 / top as f64) * (h - 2.0 * pad);
    view! {
        <svg viewBox=format!("0 0 {w} {h}") class="mt-2 h-48 w-full" role="img" aria-label=t::CHART_TITLE data-testid="money-chart">
            <line x1="0" x2=w y1=h - pad y2=h - pad stroke="#cbd5e1" stroke-width="1"/>
            <text x="0" y=pad - 4.0 font-size="8" fill="#64748b">{Money(top).label()}</text>
            {last.iter().enumerate().map(|(i, m)| {
                let charged = (m.charged + m.penalties).0;
                let x = i as f64 * step + step * 0.1;
                let (hc, hp) = (height(charged), height(m.paid.0));
                view! {
                    <g>
                        <title>{format!("{}: {} {}, {} {}", m.period.label(), t::CHARGED, Money(charged).label(), t::PAID, m.paid.label())}</title>
                        <rect x=x y=h - pad - hc width=step * 0.38 height=hc.max(0.5) rx="1.5" fill="#0f766e"/>
                        <rect x=x + step * 0.4 y=h - pad - hp width=step * 0.38 height=hp.max(0.5) rx="1.5" fill="#94a3b8"/>
                        <text x=x + step * 0.39 y=h - 4.0 text-anchor="middle" font-size="8" fill="#64748b">{m.period.short_label()}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
        <p class="mt-1 flex gap-3 text-xs text-slate-600">
            <span class="flex items-center gap-1"><span class="inline-block h-2.5 w-2.5 rounded-sm bg-teal-700"></span>{t::CHARGED}</span>
            <span class="flex items-center gap-1"><span class="inline-block h-2.5 w-2.5 rounded-sm bg-slate-400"></span>{t::PAID}</span>
        </p>
    }
}

/// The house picker of the staff billing pages (a GET form: works without JS).
#[component]
fn HousePeriodForm(
    house: Signal<Option<i64>>,
    period: Option<Signal<Option<String>>>,
) -> impl IntoView {
    view! {
        <form method="get" class="mt-2 flex flex-wrap items-end gap-2">
            <HouseSelect name="house" selected=house/>
            // the period stays when the house changes; the page's arrows move it
            {move || period.and_then(|p| p.get()).map(|p| view! { <input type="hidden" name="period" value=p/> })}
            <button class=style::BUTTON_SECONDARY type="submit">"Показать"</button>
        </form>
    }
}

/// The accountant's page: run a period, follow the progress, compare, post.
#[component]
pub fn BillingPage() -> impl IntoView {
    let query = use_query_map();
    let house = Signal::derive(move || {
        query
            .read()
            .get("house")
            .and_then(|h| h.parse::<i64>().ok())
    });
    let period = Signal::derive(move || query.read().get("period").filter(|p| !p.is_empty()));
    let start = ServerAction::<StartAccrualRun>::new();
    let post = ServerAction::<PostAccrualRun>::new();
    let make_bills = ServerAction::<StartBillBatch>::new();
    let finished = RwSignal::new(0usize);
    let batches = Resource::new(
        move || (house.get(), make_bills.version().get() + finished.get()),
        // one server function per resource: a page may be rendered more than once on the
        // server, and a call made after another's await can find the request gone
        move |(house, _)| load_bill_batches(house),
    );
    let data = Resource::new(
        move || {
            (
                house.get(),
                period.get(),
                start.version().get() + post.version().get() + finished.get(),
            )
        },
        move |(house, period, _)| load_accrual_page(house, period),
    );
    view! {
        <h1 class=style::H1>{t::BILLING_TITLE}</h1>
        <div class="flex flex-wrap items-end gap-4">
            <HousePeriodForm house=house period=Some(period)/>
            <a class="text-sm text-teal-700 underline" href=move || format!("/staff/tariffs?house={}", house.get().map(|h| h.to_string()).unwrap_or_default())>{t::TARIFFS_TITLE}</a>
            <a class="text-sm text-teal-700 underline" href="/staff/billing/import">{t::IMPORT_LINK}</a>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                    Ok(p) => view! {
                        <AccrualView p=p start=start post=post finished=finished make_bills=make_bills batches=batches/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccrualView(
    p: AccrualPage,
    start: ServerAction<StartAccrualRun>,
    post: ServerAction<PostAccrualRun>,
    finished: RwSignal<usize>,
    make_bills: ServerAction<StartBillBatch>,
    batches: Resource<Result<Vec<BatchView>, crate::error::AppError>>,
) -> impl IntoView {
    let link = |period: Period| format!("/staff/billing?house={}&period={period}", p.house_id);
    let status = p.run.as_ref().map(|r| r.status);
    let can_run = !matches!(
        status,
        Some(RunStatus::Posted | RunStatus::Queued | RunStatus::Running)
    );
    let total_prev: Money = p.totals.iter().map(|t| t.previous).sum();
    let total_now: Money = p.totals.iter().map(|t| t.current).sum();
    view! {
        <div class="mt-4 grid gap-4 lg:grid-cols-3">
            <section class=format!("{} lg:col-span-1", style::CARD)>
                <div class="flex items-center justify-between">
                    <a class="text-sm text-teal-700" href=link(p.period.plus(-1))>"← "{p.period.plus(-1).label()}</a>
                    <h2 class=format!("{} capitalize", style::H2) data-testid="period">{p.period.label()}</h2>
                    <a class="text-sm text-teal-700" href=link(p.period.plus(1))>{p.period.plus(1).label()}" →"</a>
                </div>
                <p class="mt-1 text-sm text-slate-600">{p.address.clone()}" · "{t::ACCOUNTS}": "{p.accounts}</p>
                {match p.run.clone() {
                    None => view! { <p class="mt-3 text-sm" data-testid="run-status">{t::NO_RUN}</p> }.into_any(),
                    Some(run) => view! { <RunProgress run=run finished=finished/> }.into_any(),
                }}
                {can_run.then(|| view! {
                    <ActionForm action=start>
                        <input type="hidden" name="house_id" value=p.house_id/>
                        <input type="hidden" name="period" value=p.period.to_string()/>
                        <button class=format!("{} mt-3 w-full", style::BUTTON) type="submit" data-testid="run">
                            {if status.is_some() { t::RERUN } else { t::RUN }}
                        </button>
                        <FormResult value=start.value()/>
                    </ActionForm>
                })}
                {(status == Some(RunStatus::Draft)).then(|| {
                    let run_id = p.run.as_ref().map(|r| r.id).unwrap_or_default();
                    view! {
                        <ActionForm action=post>
                            <input type="hidden" name="run_id" value=run_id/>
                            <p class="mt-3 text-xs text-slate-500">{t::POST_CONFIRM}</p>
                            <button class=format!("{} mt-2 w-full", style::BUTTON_SECONDARY) type="submit" data-testid="post">{t::POST}</button>
                            <FormResult value=post.value()/>
                        </ActionForm>
                    }
                })}
                <a class="mt-4 inline-block text-sm text-teal-700 underline" rel="external" data-testid="turnover"
                    href=format!("/staff/billing/turnover?house={}&period={}", p.house_id, p.period)>{t::TURNOVER}</a>
                {(status == Some(RunStatus::Posted)).then(|| view! {
                    <HouseBills house_id=p.house_id period=p.period make=make_bills batches=batches finished=finished/>
                })}
            </section>
            <section class=format!("{} overflow-x-auto lg:col-span-2", style::CARD)>
                <table class=style::TABLE data-testid="totals">
                    <thead><tr>
                        <th class=style::TH>{t::SERVICE}</th>
                        <th class=format!("{} text-right", style::TH)>{t::PREVIOUS}</th>
                        <th class=format!("{} text-right", style::TH)>{t::CURRENT}</th>
                        <th class=format!("{} text-right", style::TH)>{t::DIFFERENCE}</th>
                    </tr></thead>
                    <tbody class="divide-y divide-slate-100">
                        {p.totals.into_iter().map(|row| {
                            let diff = row.current - row.previous;
                            view! { <tr>
                                <td class=style::TD>{row.name}</td>
                                <td class=format!("{} text-right whitespace-nowrap", style::TD)>{row.previous.label()}</td>
                                <td class=format!("{} text-right whitespace-nowrap", style::TD)>{row.current.label()}</td>
                                <td class=format!("{} text-right whitespace-nowrap {}", style::TD, if diff.0 > 0 { "text-rose-700" } else { "text-slate-600" })>{diff.label()}</td>
                            </tr> }
                        }).collect_view()}
                        <tr class="font-semibold">
                            <td class=style::TD>{t::TOTAL}</td>
                            <td class=format!("{} text-right whitespace-nowrap", style::TD)>{total_prev.label()}</td>
                            <td class=format!("{} text-right whitespace-nowrap", style::TD) data-testid="total">{total_now.label()}</td>
                            <td class=format!("{} text-right whitespace-nowrap", style::TD)>{(total_now - total_prev).label()}</td>
                        </tr>
                    </tbody>
                </table>
            </section>
        </div>
        <section class=format!("{} mt-4", style::CARD)>
            <h2 class=style::H2>{t::HISTORY}</h2>
            <ul class="mt-2 flex flex-wrap gap-2 text-sm">
                {p.history.into_iter().map(|r| view! {
                    <li><a class="rounded-full border border-slate-200 px-3 py-1 text-teal-800" href=link(r.period)>{r.period.label()}" · "{r.status.label()}</a></li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Polls `load` every 700 ms while `busy` holds for the state, then bumps `finished` (the
/// page reloads what the job changed). Runs only in the browser.
fn follow<T, F, Fut>(state: RwSignal<T>, busy: fn(&T) -> bool, load: F, finished: RwSignal<usize>)
where
    T: Clone + Send + Sync + 'static,
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<T>> + 'static,
{
    Effect::new(move |_| {
        if !busy(&state.get_untracked()) {
            return;
        }
        let handle = StoredValue::new(None::<leptos::leptos_dom::helpers::IntervalHandle>);
        let tick = move || {
            leptos::task::spawn_local(async move {
                if let Some(next) = load().await {
                    let done = !busy(&next);
                    state.set(next);
                    if done {
                        if let Some(h) = handle.get_value() {
                            h.clear();
                        }
                        finished.update(|v| *v += 1);
                    }
                }
            });
        };
        if let Ok(h) = leptos::leptos_dom::helpers::set_interval_with_handle(
            tick,
            std::time::Duration::from_millis(700),
        ) {
            handle.set_value(Some(h));
        }
    });
}

/// A job's status line and progress bar.
#[component]
fn JobProgress(
    status: String,
    done: i64,
    total: i64,
    busy: bool,
    error: Option<String>,
    testid: &'static str,
) -> impl IntoView {
    let percent = if total > 0 {
        done * 100 / total
    } else if busy {
        0
    } else {
        100
    };
    view! {
        <p class="mt-3 text-sm" data-testid=testid>{t::STATUS}": "{status}{format!(" · {done} из {total}")}</p>
        <div class="mt-1 h-2 rounded bg-slate-100" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent>
            <div class="h-2 rounded bg-teal-600 transition-all" style=format!("width:{percent}%")></div>
        </div>
        {error.map(|e| view! { <p class="mt-2 rounded-lg bg-rose-50 p-2 text-sm text-rose-800" role="alert">{e}</p> })}
    }
}

/// The run's state with a progress bar that follows a running job (polled in the browser).
#[component]
fn RunProgress(run: RunView, finished: RwSignal<usize>) -> impl IntoView {
    let state = RwSignal::new(run);
    let id = state.get_untracked().id;
    follow(
        state,
        |r: &RunView| r.status.in_progress(),
        move || async move { load_accrual_run(id).await.ok() },
        finished,
    );
    move || {
        let r = state.get();
        view! {
            <JobProgress status=r.status.label().to_string() done=r.done total=r.total
                busy=r.status.in_progress() error=r.error testid="run-status"/>
        }
    }
}

/// A posted period's bills for the whole house: make them (and e-mail them) as a job, follow
/// its progress, download the ZIP.
#[component]
fn HouseBills(
    house_id: i64,
    period: Period,
    make: ServerAction<StartBillBatch>,
    batches: Resource<Result<Vec<BatchView>, crate::error::AppError>>,
    finished: RwSignal<usize>,
) -> impl IntoView {
    view! {
        <div class="mt-4 border-t border-slate-100 pt-3" data-testid="house-bills">
            <h3 class="font-medium">{t::BILLS_TITLE}</h3>
            <ActionForm action=make>
                <input type="hidden" name="house_id" value=house_id/>
                <input type="hidden" name="period" value=period.to_string()/>
                <label class="mt-2 flex items-center gap-2 text-sm">
                    <input type="checkbox" name="send_email" value="1"/>{t::BILLS_EMAIL}
                </label>
                <button class=format!("{} mt-2 w-full", style::BUTTON_SECONDARY) type="submit" data-testid="make-bills">{t::BILLS_MAKE}</button>
                <FormResult value=make.value()/>
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let latest = batches.await.unwrap_or_default().into_iter().find(|b| b.period == period);
                    latest.map(|b| view! { <BatchProgress batch=b house_id=house_id finished=finished/> })
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn BatchProgress(batch: BatchView, house_id: i64, finished: RwSignal<usize>) -> impl IntoView {
    let state = RwSignal::new(batch);
    let id = state.get_untracked().id;
    follow(
        state,
        |b: &BatchView| b.status.in_progress(),
        move || async move {
            load_bill_batches(Some(house_id))
                .await
                .ok()
                .and_then(|list| list.into_iter().find(|b| b.id == id))
        },
        finished,
    );
    move || {
        let b = state.get();
        view! {
            <JobProgress status=b.status.label().to_string() done=b.done total=b.total
                busy=b.status.in_progress() error=b.error.clone() testid="bills-status"/>
            {(b.send_email && b.status == BatchStatus::Done).then(|| view! {
                <p class="mt-1 text-sm text-slate-600" data-testid="bills-notified">{t::BILLS_NOTIFIED}": "{b.notified}</p>
            })}
            {b.ready.then(|| view! {
                <a class="mt-2 inline-block text-sm text-teal-700 underline" rel="external" data-testid="bills-zip"
                    href=format!("/staff/billing/bills?batch={}", b.id)>{t::BILLS_ZIP}</a>
            })}
        }
    }
}

/// Services of a house with their dated tariffs.
#[component]
pub fn TariffsPage() -> impl IntoView {
    let query = use_query_map();
    let house = Signal::derive(move || {
        query
            .read()
            .get("house")
            .and_then(|h| h.parse::<i64>().ok())
    });
    let add = ServerAction::<AddBillingService>::new();
    let set = ServerAction::<SetBillingTariff>::new();
    let norm = ServerAction::<SetHouseNorm>::new();
    let data = Resource::new(
        move || {
            (
                house.get(),
                add.version().get() + set.version().get() + norm.version().get(),
            )
        },
        move |(house, _)| load_house_tariffs(house),
    );
    view! {
        <h1 class=style::H1>{t::TARIFFS_TITLE}</h1>
        <div class="flex flex-wrap items-end gap-4">
            <HousePeriodForm house=house period=None/>
            <a class="text-sm text-teal-700 underline" href=move || format!("/staff/billing?house={}", house.get().map(|h| h.to_string()).unwrap_or_default())>{t::BILLING_TITLE}</a>
            <a class="text-sm text-teal-700 underline" href="/staff/billing/rules">{t::RULES_TITLE}</a>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                    Ok(h) => view! { <Tariffs h=h add=add set=set norm=norm/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Tariffs(
    h: HouseTariffs,
    add: ServerAction<AddBillingService>,
    set: ServerAction<SetBillingTariff>,
    norm: ServerAction<SetHouseNorm>,
) -> impl IntoView {
    let earliest = h
        .last_posted
        .map(|p| p.plus(1).first_day().to_string())
        .unwrap_or_default();
    view! {
        {h.last_posted.map(|p| view! { <p class="mt-2 text-sm text-slate-600">"Проведён по "{p.label()}" включительно: новые тарифы — с "{p.plus(1).label()}"."</p> })}
        // one tariff form is sent at a time: its result shows here, above the cards
        <div class="sticky top-0 z-10 mt-2"><FormResult value=set.value() success=t::SAVED/></div>
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            {h.services.into_iter().map(|s| {
                let zones = if s.resource == Some(Utility::Electricity) { 3 } else { 1 };
                let earliest = earliest.clone();
                view! {
                    <section class=style::CARD data-testid="service">
                        <h2 class=style::H2>{s.name.clone()}</h2>
                        <p class="text-xs text-slate-600">{s.basis.label()}{s.resource.map(|r| format!(" · {}", r.label()))}" · "{s.section.label()}</p>
                        <table class=format!("{} mt-2", style::TABLE)>
                            <thead><tr><th class=style::TH>{t::VALID_FROM}</th><th class=style::TH>{t::ZONE}</th><th class=format!("{} text-right", style::TH)>{t::RATE}</th></tr></thead>
                            <tbody class="divide-y divide-slate-100">
                                {if s.tariffs.is_empty() {
                                    view! { <tr><td class=style::TD colspan="3">{t::NO_TARIFF}</td></tr> }.into_any()
                                } else {
                                    s.tariffs.iter().map(|tf| view! { <tr>
                                        <td class=style::TD>{date(tf.valid_from)}</td>
                                        <td class=style::TD>{tf.zone}</td>
                                        <td class=format!("{} text-right", style::TD)>{super::rules::format_rate(tf.rate)}</td>
                                    </tr> }).collect_view().into_any()
                                }}
                            </tbody>
                        </table>
                        <ActionForm action=set>
                            <input type="hidden" name="service_id" value=s.id/>
                            <div class="mt-3 grid grid-cols-3 gap-2">
                                <label class=style::LABEL>{t::VALID_FROM}<input class=style::INPUT type="date" name="valid_from" min=earliest.clone() required/></label>
                                <label class=style::LABEL>{t::ZONE}
                                    <select class=style::INPUT name="zone">
                                        {(1..=zones).map(|z| view! { <option value=z>{z}</option> }).collect_view()}
                                    </select>
                                </label>
                                <label class=style::LABEL>{t::RATE}<input class=style::INPUT name="rate" inputmode="decimal" required/></label>
                            </div>
                            <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">{t::ADD_TARIFF}</button>
                        </ActionForm>
                    </section>
                }
            }).collect_view()}
        </div>
        <section class=format!("{} mt-4 max-w-xl", style::CARD) data-testid="norms">
            <h2 class=style::H2>{t::NORMS}</h2>
            <p class="text-xs text-slate-600">{t::NORMS_HINT}</p>
            <table class=format!("{} mt-2", style::TABLE)>
                <thead><tr><th class=style::TH>{t::RESOURCE}</th><th class=style::TH>{t::VALID_FROM}</th><th class=format!("{} text-right", style::TH)>{t::NORM}</th></tr></thead>
                <tbody class="divide-y divide-slate-100">
                    {h.norms.iter().map(|n| view! { <tr>
                        <td class=style::TD>{n.resource.label()}</td>
                        <td class=style::TD>{date(n.valid_from)}</td>
                        <td class=format!("{} text-right whitespace-nowrap", style::TD)>{format_value(n.per_unit)}" "{n.resource.unit()}{if n.per_m2 { " / м²" } else { " / чел." }}</td>
                    </tr> }).collect_view()}
                </tbody>
            </table>
            <ActionForm action=norm>
                <input type="hidden" name="house_id" value=h.house_id/>
                <div class="mt-3 grid grid-cols-2 gap-2 sm:grid-cols-4">
                    <label class=style::LABEL>{t::RESOURCE}
                        <select class=style::INPUT name="resource">
                            {Utility::ALL.iter().copied().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class=style::LABEL>{t::VALID_FROM}<input class=style::INPUT type="date" name="valid_from" min=earliest.clone() required/></label>
                    <label class=style::LABEL>{t::NORM}<input class=style::INPUT name="per_unit" inputmode="decimal" required/></label>
                    <label class="mt-6 flex items-center gap-2 text-sm"><input type="checkbox" name="per_m2" value="1"/>{t::PER_M2}</label>
                </div>
                <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">{t::SAVE}</button>
                <FormResult value=norm.value() success=t::SAVED/>
            </ActionForm>
        </section>
        <section class=format!("{} mt-4 max-w-xl", style::CARD)>
            <h2 class=style::H2>{t::ADD_SERVICE}</h2>
            <ActionForm action=add>
                <input type="hidden" name="house_id" value=h.house_id/>
                <label class=format!("{} mt-2", style::LABEL)>{t::NAME}<input class=style::INPUT name="name" required/></label>
                <label class=format!("{} mt-2", style::LABEL)>{t::BASIS}
                    <select class=style::INPUT name="basis">
                        {Basis::ALL.iter().copied().map(|b| view! { <option value=b.as_str()>{b.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class=format!("{} mt-2", style::LABEL)>{t::RESOURCE}
                    <select class=style::INPUT name="resource">
                        <option value="">"—"</option>
                        {Utility::ALL.iter().copied().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class=format!("{} mt-2", style::LABEL)>{t::SECTION}
                    <select class=style::INPUT name="section">
                        {Section::ALL.iter().copied().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                    </select>
                </label>
                <button class=format!("{} mt-3", style::BUTTON) type="submit">{t::ADD_SERVICE}</button>
                <FormResult value=add.value() success=t::SAVED/>
            </ActionForm>
        </section>
        <section class=format!("{} mt-4 max-w-xl", style::CARD) data-testid="payee">
            <h2 class=style::H2>{t::PAYEE}</h2>
            {match h.payee.clone() {
                Some(p) => view! { <PayeeSummary p/> }.into_any(),
                None => view! { <p class="mt-1 text-sm text-rose-700">{t::PAYEE_MISSING}</p> }.into_any(),
            }}
            <p class="mt-2 text-xs text-slate-600">{t::PAYEE_ONE_PLACE}</p>
        </section>
    }
}

/// The payee's details as the bill prints them.
#[component]
fn PayeeSummary(p: super::rules::Payee) -> impl IntoView {
    view! {
        <dl class="mt-1 text-sm">
            <dt class="font-medium">{p.name}</dt>
            <dd class="text-slate-600">{format!("ИНН {} · КПП {}", p.inn, p.kpp)}</dd>
            <dd class="text-slate-600">{format!("р/с {} в {}", p.account, p.bank_name)}</dd>
            <dd class="text-slate-600">{format!("БИК {} · к/с {}", p.bic, p.corr_account)}</dd>
        </dl>
    }
}

/// The chair: the organisation's details — the payee of every bill, QR, payment confirmation
/// and export, kept in this one place.
#[component]
pub fn OrganisationPage() -> impl IntoView {
    let save = ServerAction::<SetOrganisation>::new();
    let data = Resource::new(move || save.version().get(), |_| load_organisation());
    view! {
        <h1 class=style::H1>{t::ORGANISATION_TITLE}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::ORGANISATION_HINT}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                    Ok(p) => {
                        let p = p.unwrap_or_default();
                        view! {
                            <section class=format!("{} mt-4 max-w-xl", style::CARD) data-testid="organisation">
                                <ActionForm action=save>
                                    <label class=style::LABEL>{t::PAYEE_NAME}<input class=style::INPUT name="payee[name]" value=p.name required/></label>
                                    <div class="grid grid-cols-2 gap-2">
                                        <label class=format!("{} mt-2", style::LABEL)>"ИНН"<input class=style::INPUT name="payee[inn]" value=p.inn inputmode="numeric" required/></label>
                                        <label class=format!("{} mt-2", style::LABEL)>"КПП"<input class=style::INPUT name="payee[kpp]" value=p.kpp inputmode="numeric"/></label>
                                        <label class=format!("{} mt-2 col-span-2", style::LABEL)>{t::PAYEE_ACCOUNT}<input class=style::INPUT name="payee[account]" value=p.account inputmode="numeric" required/></label>
                                        <label class=format!("{} mt-2 col-span-2", style::LABEL)>{t::PAYEE_BANK}<input class=style::INPUT name="payee[bank_name]" value=p.bank_name required/></label>
                                        <label class=format!("{} mt-2", style::LABEL)>"БИК"<input class=style::INPUT name="payee[bic]" value=p.bic inputmode="numeric" required/></label>
                                        <label class=format!("{} mt-2", style::LABEL)>{t::PAYEE_CORR}<input class=style::INPUT name="payee[corr_account]" value=p.corr_account inputmode="numeric" required/></label>
                                    </div>
                                    <button class=format!("{} mt-3", style::BUTTON) type="submit">{t::SAVE}</button>
                                    <FormResult value=save.value() success=t::SAVED/>
                                </ActionForm>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Staff: accounts with residents and opening balances, or past charges and payments, from a
/// CSV/XLSX file — check, then load all at once.
#[component]
pub fn BillingImportPage() -> impl IntoView {
    let import = ServerAction::<ImportBilling>::new();
    view! {
        <h1 class=style::H1>{t::IMPORT_TITLE}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::IMPORT_HINT}</p>
        <ul class="mt-2 max-w-3xl list-disc space-y-1 pl-5 text-sm text-slate-600">
            <li>{t::IMPORT_ACCOUNTS_COLUMNS}" "
                <a class="text-teal-700 underline" href="/staff/billing/sample?name=accounts" rel="external">{t::SAMPLE}</a></li>
            <li>{t::IMPORT_HISTORY_COLUMNS}" "
                <a class="text-teal-700 underline" href="/staff/billing/sample?name=history" rel="external">{t::SAMPLE}</a></li>
        </ul>
        <ActionForm action=import>
            <div class=format!("{} mt-4 max-w-xl space-y-2", style::CARD)>
                <HouseSelect name="house_id"/>
                <p class=style::LABEL>{t::IMPORT_WHAT}</p>
                <select name="what" class=style::INPUT aria-label=t::IMPORT_WHAT>
                    <option value="accounts">{t::IMPORT_ACCOUNTS}</option>
                    <option value="history">{t::IMPORT_HISTORY}</option>
                </select>
                <ImportFileFields/>
            </div>
        </ActionForm>
        {move || import.value().get().map(|r| match r {
            Err(e) => view! { <div class="mt-4 max-w-3xl"><ErrorNote error=e/></div> }.into_any(),
            Ok(report) => view! { <ImportReportCard report/> }.into_any(),
        })}
    }
}

/// Staff: an account's charges, penalties and payments by month, and (for the accountant) a
/// manual recalculation with its reason.
#[component]
pub fn StaffAccountPage() -> impl IntoView {
    let id = crate::ui::use_id_param();
    let correct = ServerAction::<AddBillingCorrection>::new();
    let statement = Resource::new(
        move || (id(), correct.version().get()),
        |(id, _)| load_account_statement(id),
    );
    let can_correct = crate::ui::use_user().is_some_and(|u| {
        crate::auth::rules::role_can(u.role, crate::auth::types::Permission::ManageBilling)
    });
    view! {
        <a href="/staff" class="text-sm text-teal-700">"← " {t::TO_REGISTER}</a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                statement.await.ok().map(|s| view! {
                    <h1 class=format!("{} mt-2", style::H1)>{t::ACCOUNT}" "<span data-testid="account-number">{s.number}</span></h1>
                    <p class="text-sm text-slate-600">{s.address}</p>
                })
            })}
        </Suspense>
        {can_correct.then(|| view! {
            <details class=format!("{} mt-4 max-w-xl", style::CARD)>
                <summary class="cursor-pointer font-medium">{t::CORRECTION}</summary>
                <p class="mt-1 text-sm text-slate-600">{t::CORRECTION_HINT}</p>
                <ActionForm action=correct>
                    <input type="hidden" name="account_id" value=id/>
                    <label class=style::LABEL>{t::CORRECTION_AMOUNT}
                        <input class=style::INPUT name="amount" inputmode="decimal" required placeholder="-350,00"/>
                    </label>
                    <label class=style::LABEL>{t::CORRECTION_REASON}
                        <input class=style::INPUT name="reason" required minlength="5" maxlength="300"/>
                    </label>
                    <button class=format!("{} mt-2", style::BUTTON) type="submit" data-testid="add-correction">{t::SAVE}</button>
                    {move || match correct.value().get() {
                        Some(Ok(period)) => Some(view! {
                            <p role="status" class="mt-2 text-sm text-teal-700">{format!("{} {}.", t::CORRECTION_SAVED, period.label())}</p>
                        }.into_any()),
                        Some(Err(e)) => Some(view! { <p role="alert" class="mt-2 text-sm text-red-700">{e.to_string()}</p> }.into_any()),
                        None => None,
                    }}
                </ActionForm>
            </details>
        })}
        <AccountCharges statement=statement/>
    }
}

/// Staff: the rule tables — key rates, penalty caps and moratoria, due days — with forms to
/// add a row as the rules change.
#[component]
pub fn RulesPage() -> impl IntoView {
    let key = ServerAction::<SetKeyRate>::new();
    let penalty = ServerAction::<AddPenaltyRule>::new();
    let due = ServerAction::<SetDueDay>::new();
    let calendar = ServerAction::<SetCalendarDay>::new();
    let data = Resource::new(
        move || {
            key.version().get()
                + penalty.version().get()
                + due.version().get()
                + calendar.version().get()
        },
        |_| load_rule_tables(),
    );
    view! {
        <h1 class=style::H1>{t::RULES_TITLE}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::RULES_HINT}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <div class="mt-4"><ErrorNote error=e/></div> }.into_any(),
                    Ok(r) => view! {
                        <div class="mt-4 grid gap-4 lg:grid-cols-3">
                            <section class=style::CARD data-testid="key-rates">
                                <h2 class=style::H2>{t::KEY_RATES}</h2>
                                <ActionForm action=key>
                                    <div class="mt-2 grid grid-cols-2 gap-2">
                                        <label class=style::LABEL>{t::VALID_FROM}<input class=style::INPUT type="date" name="valid_from" required/></label>
                                        <label class=style::LABEL>{t::PERCENT}<input class=style::INPUT name="rate" inputmode="decimal" required/></label>
                                    </div>
                                    <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">{t::SAVE}</button>
                                    <FormResult value=key.value() success=t::SAVED/>
                                </ActionForm>
                                <table class=format!("{} mt-3", style::TABLE)>
                                    <tbody class="divide-y divide-slate-100">
                                        {r.key_rates.into_iter().map(|(from, rate)| view! { <tr>
                                            <td class=style::TD>{date(from)}</td>
                                            <td class=format!("{} text-right", style::TD)>{super::rules::format_rate_percent(rate)}" %"</td>
                                        </tr> }).collect_view()}
                                    </tbody>
                                </table>
                            </section>
                            <section class=style::CARD data-testid="penalty-rules">
                                <h2 class=style::H2>{t::PENALTY_RULES}</h2>
                                <ActionForm action=penalty>
                                    <div class="mt-2 grid grid-cols-2 gap-2">
                                        <label class=style::LABEL>{t::VALID_FROM}<input class=style::INPUT type="date" name="valid_from" required/></label>
                                        <label class=style::LABEL>{t::VALID_TO}<input class=style::INPUT type="date" name="valid_to" required/></label>
                                        <label class=format!("{} col-span-2", style::LABEL)>{t::CAP}<input class=style::INPUT name="cap" inputmode="decimal" placeholder=t::CAP_EMPTY/></label>
                                        <label class=format!("{} col-span-2", style::LABEL)>{t::DEBTS_DUE_BEFORE}<input class=style::INPUT type="date" name="debts_due_before" title=t::DEBTS_DUE_BEFORE_EMPTY/></label>
                                        <label class=format!("{} col-span-2", style::LABEL)>{t::BASIS_NOTE}<input class=style::INPUT name="note" required/></label>
                                    </div>
                                    <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">{t::SAVE}</button>
                                    <FormResult value=penalty.value() success=t::SAVED/>
                                </ActionForm>
                                <ul class="mt-3 space-y-2 text-sm">
                                    {r.penalty_rules.into_iter().map(|p| view! { <li>
                                        <span class="font-medium">{date(p.valid_from)}" — "{date(p.valid_to)}": "
                                            {match (p.cap, p.debts_due_before) {
                                                (Some(c), _) => format!("{} {} %", t::CAPPED_AT, super::rules::format_rate_percent(c)),
                                                (None, None) => t::MORATORIUM.to_string(),
                                                (None, Some(before)) => format!("{} — {} {}", t::MORATORIUM, t::ONLY_DEBTS_DUE_BEFORE, date(before)),
                                            }}</span>
                                        <span class="block text-xs text-slate-600">{p.note}</span>
                                    </li> }).collect_view()}
                                </ul>
                            </section>
                            <section class=style::CARD data-testid="due-days">
                                <h2 class=style::H2>{t::DUE_DAYS}</h2>
                                <ActionForm action=due>
                                    <div class="mt-2 grid grid-cols-2 gap-2">
                                        <label class=style::LABEL>{t::FROM_PERIOD}<input class=style::INPUT type="month" name="from" required/></label>
                                        <label class=style::LABEL>{t::DAY}<input class=style::INPUT type="number" min="1" max="28" name="day" required/></label>
                                        <label class=format!("{} col-span-2", style::LABEL)>{t::BASIS_NOTE}<input class=style::INPUT name="note" required/></label>
                                    </div>
                                    <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">{t::SAVE}</button>
                                    <FormResult value=due.value() success=t::SAVED/>
                                </ActionForm>
                                <ul class="mt-3 space-y-2 text-sm">
                                    {r.due_days.into_iter().map(|d| view! { <li>
                                        <span class="font-medium">{format!("{} {}: {}-е число следующего месяца", t::FROM_PERIOD_SHORT, d.from.label_genitive(), d.day)}</span>
                                        <span class="block text-xs text-slate-600">{d.note}</span>
                                    </li> }).collect_view()}
                                </ul>
                            </section>
                            <section class=format!("{} lg:col-span-3", style::CARD) data-testid="work-calendar">
                                <h2 class=style::H2>{t::CALENDAR}</h2>
                                <p class="mt-1 text-sm text-slate-600">{t::CALENDAR_HINT}</p>
                                <ActionForm action=calendar>
                                    <div class="mt-2 grid gap-2 sm:grid-cols-4">
                                        <label class=style::LABEL>{t::CALENDAR_DAY}<input class=style::INPUT type="date" name="day" required/></label>
                                        <label class=style::LABEL>{t::CALENDAR_KIND}
                                            <select class=style::INPUT name="kind">
                                                <option value="off">{t::CALENDAR_OFF}</option>
                                                <option value="working">{t::CALENDAR_WORKING}</option>
                                                <option value="regular">{t::CALENDAR_REGULAR}</option>
                                            </select>
                                        </label>
                                        <label class=format!("{} sm:col-span-2", style::LABEL)>{t::BASIS_NOTE}<input class=style::INPUT name="note"/></label>
                                    </div>
                                    <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">{t::SAVE}</button>
                                    <FormResult value=calendar.value() success=t::SAVED/>
                                </ActionForm>
                                <ul class="mt-3 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-3">
                                    {r.calendar.into_iter().map(|c| view! { <li>
                                        <span class="font-medium tabular-nums">{date(c.day)}</span>" — "
                                        {if c.working { t::CALENDAR_WORKING_SHORT } else { t::CALENDAR_OFF_SHORT }}
                                        <span class="block text-xs text-slate-600">{c.note}</span>
                                    </li> }).collect_view()}
                                </ul>
                            </section>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
