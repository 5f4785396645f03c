//! The accountant's accrual page: a house and period, the run with its progress, posting, and
//! the house's bills made in a batch.

use super::*;

/// The house picker of the staff billing pages (a GET form: works without JS).
#[component]
pub(super) fn HousePeriodForm(
    house: Signal<Option<i64>>,
    period: Option<Signal<Option<String>>>,
) -> impl IntoView {
    view! {
        <form method="get" class="mt-2 flex flex-wrap items-end gap-2">
            <HouseSelect name="house" selected=house />
            // the period stays when the house changes; the page's arrows move it
            {move || {
                period
                    .and_then(|p| p.get())
                    .map(|p| view! { <input type="hidden" name="period" value=p /> })
            }}
            <button class=style::BUTTON_SECONDARY type="submit">
                "Показать"
            </button>
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
            <HousePeriodForm house=house period=Some(period) />
            <a
                class="text-sm text-teal-700 underline"
                href=move || {
                    format!(
                        "/staff/tariffs?house={}",
                        house.get().map(|h| h.to_string()).unwrap_or_default(),
                    )
                }
            >
                {t::TARIFFS_TITLE}
            </a>
            <a class="text-sm text-teal-700 underline" href="/staff/billing/import">
                {t::IMPORT_LINK}
            </a>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => {
                        view! {
                            <div class="mt-4">
                                <ErrorNote error=e />
                            </div>
                        }
                            .into_any()
                    }
                    Ok(p) => {
                        view! {
                            <AccrualView
                                p=p
                                start=start
                                post=post
                                finished=finished
                                make_bills=make_bills
                                batches=batches
                            />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub(super) fn AccrualView(
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
                    <a class="text-sm text-teal-700" href=link(p.period.plus(-1))>
                        "← "
                        {p.period.plus(-1).label()}
                    </a>
                    <h2 class=format!("{} capitalize", style::H2) data-testid="period">
                        {p.period.label()}
                    </h2>
                    <a class="text-sm text-teal-700" href=link(p.period.plus(1))>
                        {p.period.plus(1).label()}
                        " →"
                    </a>
                </div>
                <p class="mt-1 text-sm text-slate-600">
                    {p.address.clone()}" · "{t::ACCOUNTS}": "{p.accounts}
                </p>
                {match p.run.clone() {
                    None => {
                        view! {
                            <p class="mt-3 text-sm" data-testid="run-status">
                                {t::NO_RUN}
                            </p>
                        }
                            .into_any()
                    }
                    Some(run) => view! { <RunProgress run=run finished=finished /> }.into_any(),
                }}
                {can_run
                    .then(|| {
                        view! {
                            <ActionForm action=start>
                                <input type="hidden" name="house_id" value=p.house_id />
                                <input type="hidden" name="period" value=p.period.to_string() />
                                <button
                                    class=format!("{} mt-3 w-full", style::BUTTON)
                                    type="submit"
                                    data-testid="run"
                                >
                                    {if status.is_some() { t::RERUN } else { t::RUN }}
                                </button>
                                <FormResult value=start.value() />
                            </ActionForm>
                        }
                    })}
                {(status == Some(RunStatus::Draft))
                    .then(|| {
                        let run_id = p.run.as_ref().map(|r| r.id).unwrap_or_default();
                        view! {
                            <ActionForm action=post>
                                <input type="hidden" name="run_id" value=run_id />
                                <p class="mt-3 text-xs text-slate-500">{t::POST_CONFIRM}</p>
                                <button
                                    class=format!("{} mt-2 w-full", style::BUTTON_SECONDARY)
                                    type="submit"
                                    data-testid="post"
                                >
                                    {t::POST}
                                </button>
                                <FormResult value=post.value() />
                            </ActionForm>
                        }
                    })}
                <a
                    class="mt-4 inline-block text-sm text-teal-700 underline"
                    rel="external"
                    data-testid="turnover"
                    href=format!("/staff/billing/turnover?house={}&period={}", p.house_id, p.period)
                >
                    {t::TURNOVER}
                </a>
                {(status == Some(RunStatus::Posted))
                    .then(|| {
                        view! {
                            <HouseBills
                                house_id=p.house_id
                                period=p.period
                                make=make_bills
                                batches=batches
                                finished=finished
                            />
                        }
                    })}
            </section>
            <section class=format!("{} overflow-x-auto lg:col-span-2", style::CARD)>
                <table class=style::TABLE data-testid="totals">
                    <thead>
                        <tr>
                            <th class=style::TH>{t::SERVICE}</th>
                            <th class=format!("{} text-right", style::TH)>{t::PREVIOUS}</th>
                            <th class=format!("{} text-right", style::TH)>{t::CURRENT}</th>
                            <th class=format!("{} text-right", style::TH)>{t::DIFFERENCE}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {p
                            .totals
                            .into_iter()
                            .map(|row| {
                                let diff = row.current - row.previous;
                                view! {
                                    <tr>
                                        <td class=style::TD>{row.name}</td>
                                        <td class=format!(
                                            "{} text-right whitespace-nowrap",
                                            style::TD,
                                        )>{row.previous.label()}</td>
                                        <td class=format!(
                                            "{} text-right whitespace-nowrap",
                                            style::TD,
                                        )>{row.current.label()}</td>
                                        <td class=format!(
                                            "{} text-right whitespace-nowrap {}",
                                            style::TD,
                                            if diff.0 > 0 { "text-rose-700" } else { "text-slate-600" },
                                        )>{diff.label()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()} <tr class="font-semibold">
                            <td class=style::TD>{t::TOTAL}</td>
                            <td class=format!(
                                "{} text-right whitespace-nowrap",
                                style::TD,
                            )>{total_prev.label()}</td>
                            <td
                                class=format!("{} text-right whitespace-nowrap", style::TD)
                                data-testid="total"
                            >
                                {total_now.label()}
                            </td>
                            <td class=format!(
                                "{} text-right whitespace-nowrap",
                                style::TD,
                            )>{(total_now - total_prev).label()}</td>
                        </tr>
                    </tbody>
                </table>
            </section>
        </div>
        <section class=format!("{} mt-4", style::CARD)>
            <h2 class=style::H2>{t::HISTORY}</h2>
            <ul class="mt-2 flex flex-wrap gap-2 text-sm">
                {p
                    .history
                    .into_iter()
                    .map(|r| {
                        view! {
                            <li>
                                <a
                                    class="rounded-full border border-slate-200 px-3 py-1 text-teal-800"
                                    href=link(r.period)
                                >
                                    {r.period.label()}
                                    " · "
                                    {r.status.label()}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// Polls `load` every 700 ms while `busy` holds for the state, then bumps `finished` (the
/// page reloads what the job changed). Runs only in the browser.
pub(super) fn follow<T, F, Fut>(
    state: RwSignal<T>,
    busy: fn(&T) -> bool,
    load: F,
    finished: RwSignal<usize>,
) where
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
pub(super) fn JobProgress(
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
        <p class="mt-3 text-sm" data-testid=testid>
            {t::STATUS}
            ": "
            {status}
            {format!(" · {done} из {total}")}
        </p>
        <div
            class="mt-1 h-2 rounded bg-slate-100"
            role="progressbar"
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=percent
        >
            <div
                class="h-2 rounded bg-teal-600 transition-all"
                style=format!("width:{percent}%")
            ></div>
        </div>
        {error
            .map(|e| {
                view! {
                    <p class="mt-2 rounded-lg bg-rose-50 p-2 text-sm text-rose-800" role="alert">
                        {e}
                    </p>
                }
            })}
    }
}

/// The run's state with a progress bar that follows a running job (polled in the browser).
#[component]
pub(super) fn RunProgress(run: RunView, finished: RwSignal<usize>) -> impl IntoView {
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
            <JobProgress
                status=r.status.label().to_string()
                done=r.done
                total=r.total
                busy=r.status.in_progress()
                error=r.error
                testid="run-status"
            />
        }
    }
}

/// A posted period's bills for the whole house: make them (and e-mail them) as a job, follow
/// its progress, download the ZIP.
#[component]
pub(super) fn HouseBills(
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
                <input type="hidden" name="house_id" value=house_id />
                <input type="hidden" name="period" value=period.to_string() />
                <label class="mt-2 flex items-center gap-2 text-sm">
                    <input type="checkbox" name="send_email" value="1" />
                    {t::BILLS_EMAIL}
                </label>
                <button
                    class=format!("{} mt-2 w-full", style::BUTTON_SECONDARY)
                    type="submit"
                    data-testid="make-bills"
                >
                    {t::BILLS_MAKE}
                </button>
                <FormResult value=make.value() />
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let latest = batches
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .find(|b| b.period == period);
                    latest
                        .map(|b| {
                            view! { <BatchProgress batch=b house_id=house_id finished=finished /> }
                        })
                })}
            </Suspense>
        </div>
    }
}

#[component]
pub(super) fn BatchProgress(
    batch: BatchView,
    house_id: i64,
    finished: RwSignal<usize>,
) -> impl IntoView {
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
            <JobProgress
                status=b.status.label().to_string()
                done=b.done
                total=b.total
                busy=b.status.in_progress()
                error=b.error.clone()
                testid="bills-status"
            />
            {(b.send_email && b.status == BatchStatus::Done)
                .then(|| {
                    view! {
                        <p class="mt-1 text-sm text-slate-600" data-testid="bills-notified">
                            {t::BILLS_NOTIFIED}
                            ": "
                            {b.notified}
                        </p>
                    }
                })}
            {b
                .ready
                .then(|| {
                    view! {
                        <a
                            class="mt-2 inline-block text-sm text-teal-700 underline"
                            rel="external"
                            data-testid="bills-zip"
                            href=format!("/staff/billing/bills?batch={}", b.id)
                        >
                            {t::BILLS_ZIP}
                        </a>
                    }
                })}
        }
    }
}
