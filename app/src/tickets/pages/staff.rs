//! The dispatcher's board and the call form, and the executor's work list.

use super::*;

/// The board's filter values from the address.
fn board_filter(q: &leptos_router::params::ParamsMap) -> BoardQuery {
    let get = |k: &str| q.get(k).unwrap_or_default();
    BoardQuery {
        status: get("status"),
        category: get("category"),
        house: get("house"),
        contractor: get("contractor"),
        executor: get("executor"),
        overdue: get("overdue"),
    }
}

/// The board's filters as the address carries them.
#[derive(Clone, PartialEq)]
struct BoardQuery {
    status: String,
    category: String,
    house: String,
    contractor: String,
    executor: String,
    overdue: String,
}

/// `/staff/tickets`: every ticket with filters, SLA timers and highlights.
#[component]
pub fn BoardPage() -> impl IntoView {
    let query = use_query_map();
    // the timers move: the open board asks again every minute
    let (tick, set_tick) = signal(0u32);
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || set_tick.update(|t| *t += 1),
            std::time::Duration::from_secs(60),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let board = Resource::new(
        move || (board_filter(&query.read()), tick.get()),
        |(q, _)| {
            load_board(
                q.status,
                q.category,
                q.house,
                q.contractor,
                q.executor,
                q.overdue,
            )
        },
    );
    view! {
        <div class="flex flex-wrap items-center justify-between gap-2">
            <h1 class=style::H1>{t::BOARD_TITLE}</h1>
            <div class="flex flex-wrap gap-2">
                <a href="/staff/tickets/new" class=style::BUTTON>
                    {t::CALL}
                </a>
                <a href="/staff/contractors" class=style::BUTTON_SECONDARY>
                    {t::CONTRACTORS}
                </a>
                <a href="/staff/tickets/categories" class=style::BUTTON_SECONDARY>
                    {t::CATEGORIES}
                </a>
            </div>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let BoardQuery { status, category, house, contractor, executor, overdue } = board_filter(
                    &query.read_untracked(),
                );
                match board.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(b) => {
                        view! {
                            <div
                                class="mt-4 grid grid-cols-2 gap-2 sm:grid-cols-4"
                                data-testid="board-counts"
                            >
                                <Count label=t::OPEN n=b.counts.open tone="text-slate-900" />
                                <Count label=t::NEW_COUNT n=b.counts.new tone="text-sky-700" />
                                <Count label=t::AT_RISK n=b.counts.at_risk tone="text-amber-700" />
                                <Count label=t::OVERDUE n=b.counts.overdue tone="text-red-700" />
                            </div>
                            <form method="get" class="mt-4 flex flex-wrap items-end gap-2">
                                <label class=format!(
                                    "{} w-44",
                                    style::LABEL,
                                )>
                                    {t::STATUS} <select name="status" class=style::INPUT>
                                        <option
                                            value="open"
                                            selected=status.is_empty() || status == "open"
                                        >
                                            {t::OPEN_ONLY}
                                        </option>
                                        <option value="all" selected=status == "all">
                                            {t::ALL}
                                        </option>
                                        {Status::ALL
                                            .iter()
                                            .copied()
                                            .map(|s| {
                                                view! {
                                                    <option value=s.as_str() selected=status == s.as_str()>
                                                        {s.label()}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                </label>
                                <label class=format!(
                                    "{} w-52",
                                    style::LABEL,
                                )>
                                    {t::CATEGORY} <select name="category" class=style::INPUT>
                                        <option value="">{t::ANY}</option>
                                        {b
                                            .categories
                                            .iter()
                                            .map(|c| {
                                                view! {
                                                    <option
                                                        value=c.id.to_string()
                                                        selected=category == c.id.to_string()
                                                    >
                                                        {c.title.clone()}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                </label>
                                <label class=format!(
                                    "{} w-52",
                                    style::LABEL,
                                )>
                                    {t::HOUSE} <select name="house" class=style::INPUT>
                                        <option value="">{t::ANY}</option>
                                        {b
                                            .houses
                                            .iter()
                                            .map(|(id, a)| {
                                                view! {
                                                    <option
                                                        value=id.to_string()
                                                        selected=house == id.to_string()
                                                    >
                                                        {a.clone()}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                </label>
                                <label class=format!(
                                    "{} w-52",
                                    style::LABEL,
                                )>
                                    {t::CONTRACTOR} <select name="contractor" class=style::INPUT>
                                        <option value="">{t::ANY}</option>
                                        {b
                                            .contractors
                                            .iter()
                                            .map(|c| {
                                                view! {
                                                    <option
                                                        value=c.id.to_string()
                                                        selected=contractor == c.id.to_string()
                                                    >
                                                        {c.name.clone()}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                </label>
                                <label class=format!(
                                    "{} w-52",
                                    style::LABEL,
                                )>
                                    {t::EXECUTOR} <select name="executor" class=style::INPUT>
                                        <option value="">{t::ANY}</option>
                                        {b
                                            .contractors
                                            .iter()
                                            .flat_map(|c| c.executors.clone())
                                            .map(|(id, n)| {
                                                view! {
                                                    <option
                                                        value=id.to_string()
                                                        selected=executor == id.to_string()
                                                    >
                                                        {n}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                </label>
                                <label class="flex items-center gap-2 pb-3 text-sm">
                                    <input
                                        type="checkbox"
                                        name="overdue"
                                        value="1"
                                        checked=!overdue.is_empty()
                                    />
                                    {t::ONLY_OVERDUE}
                                </label>
                                <button class=style::BUTTON_SECONDARY type="submit">
                                    {t::FILTER}
                                </button>
                            </form>
                            {if b.rows.is_empty() {
                                view! { <p class="mt-4 text-slate-600">{t::BOARD_EMPTY}</p> }
                                    .into_any()
                            } else {
                                view! {
                                    <div class="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                                        <table class=style::TABLE data-testid="board">
                                            <thead class="bg-slate-50">
                                                <tr>
                                                    <th class=style::TH>"№"</th>
                                                    <th class=style::TH>{t::CATEGORY}</th>
                                                    <th class=style::TH>{t::ADDRESS}</th>
                                                    <th class=style::TH>{t::STATUS}</th>
                                                    <th class=style::TH>{t::REACTION}</th>
                                                    <th class=style::TH>{t::RESOLUTION}</th>
                                                    <th class=style::TH>{t::EXECUTOR}</th>
                                                </tr>
                                            </thead>
                                            <tbody class="divide-y divide-slate-100">
                                                {b
                                                    .rows
                                                    .into_iter()
                                                    .map(|r| {
                                                        let open = r.status.is_open();
                                                        view! {
                                                            <tr class=row_tone(&r) data-testid="board-row">
                                                                <td class=style::TD>
                                                                    <a
                                                                        class="font-medium text-teal-700 underline"
                                                                        href=format!("/staff/tickets/{}", r.id)
                                                                    >
                                                                        {r.id}
                                                                    </a>
                                                                    <span class="block text-xs text-slate-500">
                                                                        {r.registered.clone()}
                                                                    </span>
                                                                </td>
                                                                <td class=style::TD>
                                                                    {r.category.clone()}
                                                                    {r
                                                                        .emergency
                                                                        .then(|| {
                                                                            view! {
                                                                                <span class="ml-1 rounded bg-red-100 px-1 text-xs font-semibold text-red-700">
                                                                                    {t::EMERGENCY}
                                                                                </span>
                                                                            }
                                                                        })}
                                                                    <span class="block max-w-64 truncate text-xs text-slate-500">
                                                                        {r.excerpt.clone()}
                                                                    </span>
                                                                </td>
                                                                <td class=style::TD>
                                                                    {r.address.clone()}
                                                                    <span class="block text-xs text-slate-500">
                                                                        {r.place.clone()}
                                                                    </span>
                                                                </td>
                                                                <td class=style::TD>
                                                                    <StatusBadge status=r.status />
                                                                </td>
                                                                <td class=style::TD>
                                                                    {if open || r.reaction != Sla::Met {
                                                                        view! {
                                                                            <SlaBadge
                                                                                label=t::REACTION
                                                                                sla=r.reaction
                                                                                due=r.reaction_due.clone()
                                                                                bare=true
                                                                            />
                                                                        }
                                                                            .into_any()
                                                                    } else {
                                                                        view! {
                                                                            <span class="text-xs text-teal-700">
                                                                                {sla_text(r.reaction)}
                                                                            </span>
                                                                        }
                                                                            .into_any()
                                                                    }}
                                                                </td>
                                                                <td class=style::TD>
                                                                    <SlaBadge
                                                                        label=t::RESOLUTION
                                                                        sla=r.resolution
                                                                        due=r.resolution_due.clone()
                                                                        bare=true
                                                                    />
                                                                </td>
                                                                <td class=style::TD>
                                                                    {r.contractor.clone().unwrap_or_else(|| "—".into())}
                                                                    <span class="block text-xs text-slate-500">
                                                                        {r.executor.clone()}
                                                                    </span>
                                                                </td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }}
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Count(label: &'static str, n: i64, tone: &'static str) -> impl IntoView {
    view! {
        <div class=style::CARD>
            <p class="text-xs text-slate-500">{label}</p>
            <p class=format!("text-2xl font-semibold tabular-nums {tone}")>{n}</p>
        </div>
    }
}

/// `/staff/tickets/new`: a ticket taken by phone.
#[component]
pub fn CallPage() -> impl IntoView {
    let register = ServerAction::<RegisterCall>::new();
    let form = Resource::new(|| (), |_| load_call_form());
    view! {
        <a href="/staff/tickets" class="text-sm text-teal-700 underline">
            {crate::ui::text::PREV}
        </a>
        <h1 class=format!("{} mt-2", style::H1)>{t::CALL_TITLE}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match form.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok((categories, houses)) => {
                        view! {
                            <ActionForm
                                action=register
                                attr:class="mt-4 grid max-w-3xl gap-3 sm:grid-cols-2"
                            >
                                <label class=style::LABEL>
                                    {t::CALLER}
                                    <input name="caller" class=style::INPUT required=true />
                                </label>
                                <label class=style::LABEL>
                                    {t::CALLER_PHONE}
                                    <input
                                        name="phone"
                                        type="tel"
                                        class=style::INPUT
                                        required=true
                                    />
                                </label>
                                <label class=style::LABEL>
                                    {t::HOUSE} <select name="house" class=style::INPUT>
                                        {houses
                                            .into_iter()
                                            .map(|(id, a)| {
                                                view! { <option value=id.to_string()>{a}</option> }
                                            })
                                            .collect_view()}
                                    </select>
                                </label>
                                <label class=style::LABEL>
                                    {t::FLAT}<input name="flat" class=style::INPUT />
                                </label>
                                <label class=style::LABEL>
                                    {t::CATEGORY} <select name="category" class=style::INPUT>
                                        {categories
                                            .into_iter()
                                            .map(|c| {
                                                view! {
                                                    <option value=c
                                                        .id
                                                        .to_string()>
                                                        {format!(
                                                            "{}{}",
                                                            c.title,
                                                            if c.emergency { " (авария)" } else { "" },
                                                        )}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                </label>
                                <label class=style::LABEL>
                                    {t::WHERE} <select name="place" class=style::INPUT>
                                        {Place::ALL
                                            .iter()
                                            .copied()
                                            .map(|p| {
                                                view! { <option value=p.as_str()>{p.label()}</option> }
                                            })
                                            .collect_view()}
                                    </select>
                                </label>
                                <label class=format!(
                                    "{} sm:col-span-2",
                                    style::LABEL,
                                )>
                                    {t::NOTE}
                                    <input name="note" class=style::INPUT maxlength="200" />
                                </label>
                                <label class=format!(
                                    "{} sm:col-span-2",
                                    style::LABEL,
                                )>
                                    {t::DESCRIPTION}
                                    <textarea
                                        name="description"
                                        rows="3"
                                        class=style::INPUT
                                        required=true
                                    ></textarea>
                                </label>
                                <div class="sm:col-span-2">
                                    <button type="submit" class=style::BUTTON>
                                        {t::REGISTER}
                                    </button>
                                </div>
                            </ActionForm>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        {move || match register.value().get() {
            Some(Ok(id)) => {
                Some(
                    view! {
                        <p role="status" class="mt-3 text-teal-700">
                            {format!("Заявка №{id} зарегистрирована. ")}
                            <a class="underline" href=format!("/staff/tickets/{id}")>
                                {t::OPEN_FILE}
                            </a>
                        </p>
                    }
                        .into_any(),
                )
            }
            Some(Err(e)) => {
                Some(
                    view! {
                        <p role="alert" class="mt-3 text-red-700">
                            {e.to_string()}
                        </p>
                    }
                        .into_any(),
                )
            }
            None => None,
        }}
    }
}

/// `/staff/work`: an executor's tickets, as cards for the phone.
#[component]
pub fn WorkPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| load_work());
    view! {
        <h1 class=style::H1>{t::WORK_TITLE}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(rows) if rows.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::WORK_EMPTY}</p> }.into_any()
                    }
                    Ok(rows) => {
                        view! {
                            <ul class="mt-4 max-w-xl space-y-3">
                                {rows
                                    .into_iter()
                                    .map(|r| {
                                        let href = format!("/staff/tickets/{}", r.id);
                                        view! { <TicketCard r=r href=href /> }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
