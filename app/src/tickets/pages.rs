//! Pages of the АДС: the resident's tickets, the new-ticket form (files upload in chunks with
//! progress and resume, `public/tickets.js`; without the script they go with the form), a
//! ticket's page for the resident and for staff; the dispatcher's board, a call taken by
//! phone, contractors, categories' deadlines; an executor's work; the council's report.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::rules::{self, sla_text};
use super::text as t;
use super::types::*;
use crate::ui::{ErrorNote, FormResult, Loading, icons, style, use_id_param};

#[component]
fn StatusBadge(status: Status) -> impl IntoView {
    let tone = match status {
        Status::New | Status::Reopened => "bg-sky-100 text-sky-800",
        Status::Accepted | Status::InWork => "bg-teal-100 text-teal-800",
        Status::Done | Status::Closed => "bg-slate-100 text-slate-700",
        Status::Deferred => "bg-amber-100 text-amber-800",
        Status::Cancelled => "bg-slate-100 text-slate-500",
    };
    view! { <span class=format!("whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium {tone}") data-testid="ticket-status">{status.label()}</span> }
}

/// One deadline: its state in words, coloured; the due time under it. `bare` leaves out the
/// label (a table column says it).
#[component]
fn SlaBadge(
    label: &'static str,
    sla: Sla,
    due: String,
    #[prop(optional)] bare: bool,
) -> impl IntoView {
    let tone = match sla {
        Sla::Met => "text-teal-700",
        Sla::Running { .. } => "text-slate-700",
        Sla::AtRisk { .. } => "font-semibold text-amber-700",
        Sla::Overdue { .. } | Sla::Missed { .. } => "font-semibold text-red-700",
    };
    view! {
        <span class="block text-xs">
            {(!bare).then(|| view! { <span class="text-slate-500">{label}": "</span> })}
            <span class=tone data-testid="sla">{sla_text(sla)}</span>
            <span class="block text-slate-400">{format!("{} {due}", t::DUE)}</span>
        </span>
    }
}

fn row_tone(r: &TicketRow) -> &'static str {
    let risk = |s: Sla| matches!(s, Sla::AtRisk { .. });
    if !r.status.is_open() {
        ""
    } else if matches!(r.reaction, Sla::Overdue { .. })
        || matches!(r.resolution, Sla::Overdue { .. })
    {
        "bg-red-50"
    } else if risk(r.reaction) || risk(r.resolution) {
        "bg-amber-50"
    } else {
        ""
    }
}

/// A ticket as a card (the resident's list, an executor's work on a phone).
#[component]
fn TicketCard(r: TicketRow, href: String) -> impl IntoView {
    let open = r.status.is_open();
    view! {
        <li>
            <a href=href class=format!("{} block {}", style::CARD, row_tone(&r)) data-testid="ticket-card">
                <div class="flex items-start justify-between gap-2">
                    <p class="font-medium">
                        {format!("№{} · {}", r.id, r.category)}
                        {r.emergency.then(|| view! { <span class="ml-1 rounded bg-red-100 px-1.5 text-xs font-semibold text-red-700">{t::EMERGENCY}</span> })}
                    </p>
                    <StatusBadge status=r.status/>
                </div>
                <p class="mt-1 text-sm text-slate-600">{format!("{}, {}", r.address, r.place)}</p>
                <p class="mt-1 line-clamp-2 text-sm">{r.excerpt.clone()}</p>
                <div class="mt-2 flex flex-wrap gap-x-6 gap-y-1">
                    <span class="text-xs text-slate-500">{format!("{} {}", t::REGISTERED, r.registered)}</span>
                    {open.then(|| view! { <SlaBadge label=t::RESOLUTION sla=r.resolution due=r.resolution_due.clone()/> })}
                </div>
            </a>
        </li>
    }
}

/// `/cabinet/tickets`: the resident's tickets.
#[component]
pub fn MyTicketsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| load_my_tickets());
    view! {
        <div class="flex items-center justify-between gap-2">
            <h1 class=style::H1>{t::MY_TITLE}</h1>
            <a href="/cabinet/tickets/new" class=style::BUTTON data-testid="new-ticket">{t::NEW}</a>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="mt-4 text-slate-600">{t::MY_EMPTY}</p> }.into_any(),
                    Ok(rows) => view! {
                        <ul class="mt-4 space-y-3">
                            {rows.into_iter().map(|r| { let href = format!("/cabinet/tickets/{}", r.id); view! { <TicketCard r=r href=href/> } }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The file picker with its upload list (chunked uploads by `public/tickets.js`).
#[component]
fn Uploader() -> impl IntoView {
    view! {
        <div data-uploader="">
            <p class=style::LABEL>{t::FILES}</p>
            <label class=format!("{} mt-1 w-full cursor-pointer gap-2 border-dashed focus-within:ring-2 focus-within:ring-teal-600/30", style::BUTTON_SECONDARY)>
                <icons::CameraIcon/>{t::PICK_FILES}
                <input type="file" name="file" multiple=true accept="image/*,video/*,application/pdf"
                    class="sr-only" data-upload-input="" data-testid="ticket-files"/>
            </label>
            <p class="mt-1 text-xs text-slate-500">{t::FILES_HINT}</p>
            <ul class="mt-2 space-y-2" data-upload-list="" aria-live="polite"></ul>
        </div>
    }
}

/// `/cabinet/tickets/new`: the form posts (multipart) to the server, which saves the ticket with
/// its files in one transaction and opens its page.
#[component]
pub fn NewTicketPage() -> impl IntoView {
    let form = Resource::new(|| (), |_| load_new_ticket_form());
    let query = use_query_map();
    let error = move || query.read().get("error").and_then(|c| t::form_error(&c));
    view! {
        <h1 class=style::H1>{t::NEW_TITLE}</h1>
        <p class="mt-2 rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900">{t::EMERGENCY_HINT}</p>
        {move || error().map(|e| view! { <p role="alert" class="mt-3 rounded-lg border border-red-300 bg-white p-3 text-sm text-red-700" data-testid="form-error">{e}</p> })}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match form.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(f) if f.homes.is_empty() => view! { <p class="mt-4 text-slate-600">{t::NO_HOMES}</p> }.into_any(),
                    Ok(f) => view! { <NewTicketFields form=f/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewTicketFields(form: NewTicketForm) -> impl IntoView {
    let single_home = form.homes.len() == 1;
    view! {
        <form method="post" action="/cabinet/tickets/new" enctype="multipart/form-data" class="mt-4 space-y-5" data-ticket-form="">
            <input type="hidden" name="key" value=form.key.clone()/>
            <fieldset>
                <legend class=style::LABEL>{t::WHAT}</legend>
                <div class="mt-2 grid grid-cols-2 gap-2">
                    {form.categories.iter().map(|c| view! {
                        <label class="flex min-h-12 cursor-pointer items-center gap-2 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm has-[:checked]:border-teal-600 has-[:checked]:bg-teal-50">
                            <input type="radio" name="category" value=c.id.to_string() required=true class="accent-teal-700"/>
                            <span>{c.title.clone()}{c.emergency.then(|| view! { <span class="block text-xs text-red-700">{t::EMERGENCY}</span> })}</span>
                        </label>
                    }).collect_view()}
                </div>
            </fieldset>
            {if single_home {
                view! { <input type="hidden" name="apartment" value=form.homes[0].0.to_string()/>
                        <p class="text-sm text-slate-600">{format!("{}: {}", t::HOME, form.homes[0].1)}</p> }.into_any()
            } else {
                view! {
                    <label class=style::LABEL>{t::HOME}
                        <select name="apartment" class=style::INPUT required=true>
                            {form.homes.iter().map(|(id, label)| view! { <option value=id.to_string()>{label.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                }.into_any()
            }}
            <fieldset>
                <legend class=style::LABEL>{t::WHERE}</legend>
                <div class="mt-2 flex flex-wrap gap-2">
                    {Place::ALL.iter().copied().map(|p| view! {
                        <label class="flex cursor-pointer items-center gap-2 rounded-full border border-slate-300 bg-white px-3 py-2 text-sm has-[:checked]:border-teal-600 has-[:checked]:bg-teal-50">
                            <input type="radio" name="place" value=p.as_str() checked=p == Place::Flat class="accent-teal-700"/>{p.label()}
                        </label>
                    }).collect_view()}
                </div>
            </fieldset>
            <label class=style::LABEL>{t::NOTE}
                <input name="note" class=style::INPUT maxlength="200" placeholder=t::NOTE_HINT/>
            </label>
            <label class=style::LABEL>{t::DESCRIPTION}
                <textarea name="description" class=style::INPUT rows="4" minlength="10" maxlength="2000" required=true></textarea>
            </label>
            <Uploader/>
            <button type="submit" class=format!("{} w-full", style::BUTTON) data-testid="send-ticket">{t::SEND}</button>
        </form>
    }
}

/// `/cabinet/tickets/:id`.
#[component]
pub fn MyTicketPage() -> impl IntoView {
    view! { <TicketPage staff=false/> }
}

/// `/staff/tickets/:id` (dispatchers, the council, the ticket's executor).
#[component]
pub fn StaffTicketPage() -> impl IntoView {
    view! { <TicketPage staff=true/> }
}

#[component]
fn TicketPage(staff: bool) -> impl IntoView {
    let id = use_id_param();
    let moved = ServerAction::<MoveTicket>::new();
    let commented = ServerAction::<CommentTicket>::new();
    let rated = ServerAction::<RateTicket>::new();
    let assigned = ServerAction::<AssignTicket>::new();
    let ticket = Resource::new(
        move || {
            (
                id(),
                moved.version().get(),
                commented.version().get(),
                rated.version().get(),
                assigned.version().get(),
            )
        },
        |(id, ..)| load_ticket(id),
    );
    let query = use_query_map();
    let files_note = move || query.read().get("files");
    view! {
        <a href=if staff { "/staff/tickets" } else { "/cabinet/tickets" } class="text-sm text-teal-700 underline">{crate::ui::text::PREV}</a>
        {move || files_note().map(|code| {
            let ok = code == "ok";
            let text = if ok { t::ADDED.to_string() } else { t::form_error(&code).unwrap_or_else(|| t::form_error("file").unwrap_or_default()) };
            view! { <p role="status" class=if ok { "mt-2 text-sm text-teal-700" } else { "mt-2 text-sm text-red-700" }>{text}</p> }
        })}
        // these forms' sections go away once used (no moves left, rated), so their results live here
        <FormResult value=moved.value() success=t::MOVED/>
        <FormResult value=rated.value() success=t::RATED/>
        <FormResult value=assigned.value() success=t::ASSIGNED/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match ticket.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(v) => view! { <div class="max-w-3xl"><TicketDetails v=v staff=staff moved=moved commented=commented rated=rated assigned=assigned/></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TicketDetails(
    v: TicketView,
    staff: bool,
    moved: ServerAction<MoveTicket>,
    commented: ServerAction<CommentTicket>,
    rated: ServerAction<RateTicket>,
    assigned: ServerAction<AssignTicket>,
) -> impl IntoView {
    let id = v.row.id;
    let r = v.row.clone();
    let file_prefix = "/tickets/file";
    let (files, moves, events) = (v.files.clone(), v.moves.clone(), v.events.clone());
    let contractors = v.contractors.clone();
    let (contractor_id, executor_id) = (v.contractor_id, v.executor_id);
    view! {
        <header class="mt-3">
            <div class="flex flex-wrap items-center gap-2">
                <h1 class=style::H1>{format!("Заявка №{id}")}</h1>
                <StatusBadge status=r.status/>
                {r.emergency.then(|| view! { <span class="rounded bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-700">{t::EMERGENCY}</span> })}
            </div>
            <p class="mt-1 text-slate-700">{format!("{} · {}, {}", r.category, r.address, r.place)}</p>
        </header>
        <section class=format!("{} mt-4", style::CARD)>
            <p class="whitespace-pre-line">{v.description.clone()}</p>
            <div class="mt-3 grid grid-cols-2 gap-3 text-sm">
                <span class="text-xs text-slate-500">{format!("{} {}", t::REGISTERED, r.registered)}</span>
                <span></span>
                <SlaBadge label=t::REACTION sla=r.reaction due=r.reaction_due.clone()/>
                <SlaBadge label=t::RESOLUTION sla=r.resolution due=r.resolution_due.clone()/>
            </div>
            <p class="mt-2 text-xs text-slate-500">{format!("{}: {}", t::DEADLINES, v.category_basis)}</p>
            {staff.then(|| view! {
                <p class="mt-2 text-sm">{format!("{}: {}", t::REQUESTER, v.requester)}
                    {v.requester_phone.clone().map(|p| view! { " · " <a class="text-teal-700 underline" href=format!("tel:{p}")>{crate::auth::rules::format_phone(&p)}</a> })}
                    {v.channel_phone.then(|| format!(" ({})", t::BY_PHONE))}
                </p>
            })}
            {(r.contractor.is_some() || r.executor.is_some()).then(|| view! {
                <p class="mt-1 text-sm">{format!("{}: {}", t::EXECUTOR, [r.contractor.clone(), r.executor.clone()].into_iter().flatten().collect::<Vec<_>>().join(", "))}</p>
            })}
            {(v.reopen_count > 0).then(|| view! { <p class="mt-1 text-sm text-amber-700">{format!("{}: {}", t::REOPENED_TIMES, v.reopen_count)}</p> })}
            {v.rating.map(|n| view! { <p class="mt-1 text-sm">{format!("{}: ", t::RATING)}<span class="text-amber-500" aria-label=format!("{n} из 5")>{t::stars(n)}</span></p> })}
        </section>
        {(!files.is_empty()).then(move || view! {
            <section class="mt-4">
                <ul class="grid grid-cols-3 gap-2 sm:grid-cols-4" data-testid="ticket-files-list">
                    {files.iter().map(|f| {
                        let href = format!("{file_prefix}/{}", f.id);
                        let label = format!("{} · {}", f.stage.label(), f.size);
                        view! {
                            <li class="overflow-hidden rounded-lg border border-slate-200 bg-white">
                                <a href=href.clone() target="_blank" class="block" title=f.file_name.clone()>
                                    {if f.has_thumb {
                                        view! { <img src=format!("{href}/thumb") alt=f.file_name.clone() loading="lazy" class="aspect-square w-full object-cover"/> }.into_any()
                                    } else {
                                        view! { <span class="flex aspect-square items-center justify-center bg-slate-100 p-2 text-center text-xs text-slate-600">{match f.kind { FileKind::Video => "▶ видео", _ => "PDF" }}<br/>{f.file_name.clone()}</span> }.into_any()
                                    }}
                                </a>
                                <p class="truncate px-1 py-0.5 text-[11px] text-slate-500">{label}{f.internal.then(|| format!(" · {}", t::INTERNAL))}</p>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!moves.is_empty()).then(move || {
            let (plain, with_reason): (Vec<Move>, Vec<Move>) = moves.into_iter().partition(|m| !m.needs_reason);
            view! {
                <section class="mt-4" data-testid="ticket-moves">
                    <div class="flex flex-wrap gap-2">
                        {plain.into_iter().map(|m| view! {
                            <ActionForm action=moved>
                                <input type="hidden" name="id" value=id.to_string()/>
                                <input type="hidden" name="to" value=m.to.as_str()/>
                                <input type="hidden" name="reason" value=""/>
                                <button type="submit" class=style::BUTTON data-move=m.to.as_str()>{m.label.clone()}</button>
                            </ActionForm>
                        }).collect_view()}
                    </div>
                    {with_reason.into_iter().map(|m| view! {
                        <details class="mt-2 rounded-lg border border-slate-200 bg-white px-3 py-2">
                            <summary class="cursor-pointer text-sm font-medium text-slate-700" data-open-move=m.to.as_str()>{format!("{}…", m.label)}</summary>
                            <ActionForm action=moved attr:class="mt-2 flex flex-wrap items-end gap-2">
                                <input type="hidden" name="id" value=id.to_string()/>
                                <input type="hidden" name="to" value=m.to.as_str()/>
                                <label class=format!("{} min-w-56 flex-1", style::LABEL)>{t::REASON}
                                    <input name="reason" class=style::INPUT required=true minlength="5" maxlength="500"/></label>
                                <button type="submit" class=style::BUTTON_SECONDARY data-move=m.to.as_str()>{m.label.clone()}</button>
                            </ActionForm>
                        </details>
                    }).collect_view()}
                </section>
            }
        })}
        {v.may_rate.then(|| view! {
            <section class=format!("{} mt-4", style::CARD)>
                <h2 class=style::H2>{t::RATE}</h2>
                <ActionForm action=rated attr:class="mt-2 space-y-2">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="flex gap-1 text-2xl">
                        {(1..=5).map(|n| view! {
                            <label class="cursor-pointer"><input type="radio" name="stars" value=n.to_string() required=true class="sr-only peer"/>
                                <span class="text-slate-300 peer-checked:text-amber-500" aria-label=format!("{n} из 5")>"★"</span></label>
                        }).collect_view()}
                    </div>
                    <input name="note" class=style::INPUT maxlength="500" placeholder=t::RATE_NOTE/>
                    <button type="submit" class=style::BUTTON>{t::RATE_SEND}</button>
                </ActionForm>
            </section>
        })}
        {v.may_assign.then(move || {
            let executors: Vec<(i64, String)> = contractors.iter().flat_map(|c| c.executors.iter().map(|(id, n)| (*id, format!("{} ({})", n, c.name)))).collect();
            view! {
                <section class=format!("{} mt-4", style::CARD)>
                    <h2 class=style::H2>{t::ASSIGN}</h2>
                    <ActionForm action=assigned attr:class="mt-2 grid gap-2 sm:grid-cols-3 sm:items-end">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <label class=style::LABEL>{t::CONTRACTOR}
                            <select name="contractor" class=style::INPUT data-testid="assign-contractor">
                                <option value="">{t::NOBODY}</option>
                                {contractors.iter().map(|c| view! { <option value=c.id.to_string() selected=contractor_id == Some(c.id)>{format!("{} — {} в работе", c.name, c.open)}</option> }).collect_view()}
                            </select>
                        </label>
                        <label class=style::LABEL>{t::EXECUTOR}
                            <select name="executor" class=style::INPUT data-testid="assign-executor">
                                <option value="">{t::NOBODY}</option>
                                {executors.into_iter().map(|(eid, name)| view! { <option value=eid.to_string() selected=executor_id == Some(eid)>{name}</option> }).collect_view()}
                            </select>
                        </label>
                        <button type="submit" class=style::BUTTON>{t::ASSIGN}</button>
                    </ActionForm>
                </section>
            }
        })}
        {v.may_add_files.then(|| view! {
            <section class=format!("{} mt-4", style::CARD)>
                <h2 class=style::H2>{t::ADD_FILES}</h2>
                <form method="post" action=format!("/staff/tickets/{id}/files") enctype="multipart/form-data" class="mt-2 space-y-2" data-ticket-form="">
                    <label class=style::LABEL>{t::STAGE}
                        <select name="stage" class=style::INPUT>
                            <option value="before">{Stage::Before.label()}</option>
                            <option value="after" selected=true>{Stage::After.label()}</option>
                        </select>
                    </label>
                    <Uploader/>
                    <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="internal" value="1"/>{t::COMMENT_INTERNAL}</label>
                    <button type="submit" class=style::BUTTON>{t::ATTACH}</button>
                </form>
            </section>
        })}
        <section class="mt-6">
            <h2 class=style::H2>{t::HISTORY}</h2>
            <ol class="mt-2 space-y-2 border-l-2 border-slate-200 pl-4" data-testid="ticket-history">
                {events.iter().map(|e| view! {
                    <li class=if e.internal { "rounded-lg bg-amber-50 p-2" } else { "" }>
                        <p class="text-xs text-slate-500">{format!("{} · {}", e.at, e.who)}{e.internal.then(|| format!(" · {}", t::INTERNAL))}</p>
                        <p class="text-sm font-medium">{e.what.clone()}</p>
                        {(!e.body.is_empty()).then(|| view! { <p class="whitespace-pre-line text-sm text-slate-700">{e.body.clone()}</p> })}
                    </li>
                }).collect_view()}
            </ol>
            <ActionForm action=commented attr:class="mt-3 space-y-2">
                <input type="hidden" name="id" value=id.to_string()/>
                <label class=style::LABEL>{t::COMMENT}
                    <textarea name="body" class=style::INPUT rows="2" required=true maxlength="2000"></textarea>
                </label>
                {staff.then(|| view! { <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="internal" value="1"/>{t::COMMENT_INTERNAL}</label> })}
                <button type="submit" class=style::BUTTON_SECONDARY>{t::COMMENT_SEND}</button>
                <FormResult value=commented.value() success=t::COMMENTED/>
            </ActionForm>
        </section>
    }
}

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
                <a href="/staff/tickets/new" class=style::BUTTON>{t::CALL}</a>
                <a href="/staff/contractors" class=style::BUTTON_SECONDARY>{t::CONTRACTORS}</a>
                <a href="/staff/tickets/categories" class=style::BUTTON_SECONDARY>{t::CATEGORIES}</a>
            </div>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let BoardQuery { status, category, house, contractor, executor, overdue } = board_filter(&query.read_untracked());
                match board.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(b) => view! {
                        <div class="mt-4 grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid="board-counts">
                            <Count label=t::OPEN n=b.counts.open tone="text-slate-900"/>
                            <Count label=t::NEW_COUNT n=b.counts.new tone="text-sky-700"/>
                            <Count label=t::AT_RISK n=b.counts.at_risk tone="text-amber-700"/>
                            <Count label=t::OVERDUE n=b.counts.overdue tone="text-red-700"/>
                        </div>
                        <form method="get" class="mt-4 flex flex-wrap items-end gap-2">
                            <label class=format!("{} w-44", style::LABEL)>{t::STATUS}
                                <select name="status" class=style::INPUT>
                                    <option value="open" selected=status.is_empty() || status == "open">{t::OPEN_ONLY}</option>
                                    <option value="all" selected=status == "all">{t::ALL}</option>
                                    {Status::ALL.iter().copied().map(|s| view! { <option value=s.as_str() selected=status == s.as_str()>{s.label()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class=format!("{} w-52", style::LABEL)>{t::CATEGORY}
                                <select name="category" class=style::INPUT>
                                    <option value="">{t::ANY}</option>
                                    {b.categories.iter().map(|c| view! { <option value=c.id.to_string() selected=category == c.id.to_string()>{c.title.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class=format!("{} w-52", style::LABEL)>{t::HOUSE}
                                <select name="house" class=style::INPUT>
                                    <option value="">{t::ANY}</option>
                                    {b.houses.iter().map(|(id, a)| view! { <option value=id.to_string() selected=house == id.to_string()>{a.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class=format!("{} w-52", style::LABEL)>{t::CONTRACTOR}
                                <select name="contractor" class=style::INPUT>
                                    <option value="">{t::ANY}</option>
                                    {b.contractors.iter().map(|c| view! { <option value=c.id.to_string() selected=contractor == c.id.to_string()>{c.name.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class=format!("{} w-52", style::LABEL)>{t::EXECUTOR}
                                <select name="executor" class=style::INPUT>
                                    <option value="">{t::ANY}</option>
                                    {b.contractors.iter().flat_map(|c| c.executors.clone()).map(|(id, n)| view! { <option value=id.to_string() selected=executor == id.to_string()>{n}</option> }).collect_view()}
                                </select>
                            </label>
                            <label class="flex items-center gap-2 pb-3 text-sm"><input type="checkbox" name="overdue" value="1" checked=!overdue.is_empty()/>{t::ONLY_OVERDUE}</label>
                            <button class=style::BUTTON_SECONDARY type="submit">{t::FILTER}</button>
                        </form>
                        {if b.rows.is_empty() {
                            view! { <p class="mt-4 text-slate-600">{t::BOARD_EMPTY}</p> }.into_any()
                        } else {
                            view! {
                                <div class="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                                    <table class=style::TABLE data-testid="board">
                                        <thead class="bg-slate-50"><tr>
                                            <th class=style::TH>"№"</th>
                                            <th class=style::TH>{t::CATEGORY}</th>
                                            <th class=style::TH>{t::ADDRESS}</th>
                                            <th class=style::TH>{t::STATUS}</th>
                                            <th class=style::TH>{t::REACTION}</th>
                                            <th class=style::TH>{t::RESOLUTION}</th>
                                            <th class=style::TH>{t::EXECUTOR}</th>
                                        </tr></thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {b.rows.into_iter().map(|r| { let open = r.status.is_open(); view! {
                                                <tr class=row_tone(&r) data-testid="board-row">
                                                    <td class=style::TD><a class="font-medium text-teal-700 underline" href=format!("/staff/tickets/{}", r.id)>{r.id}</a>
                                                        <span class="block text-xs text-slate-500">{r.registered.clone()}</span></td>
                                                    <td class=style::TD>{r.category.clone()}{r.emergency.then(|| view! { <span class="ml-1 rounded bg-red-100 px-1 text-xs font-semibold text-red-700">{t::EMERGENCY}</span> })}
                                                        <span class="block max-w-64 truncate text-xs text-slate-500">{r.excerpt.clone()}</span></td>
                                                    <td class=style::TD>{r.address.clone()}<span class="block text-xs text-slate-500">{r.place.clone()}</span></td>
                                                    <td class=style::TD><StatusBadge status=r.status/></td>
                                                    <td class=style::TD>{if open || r.reaction != Sla::Met { view! { <SlaBadge label=t::REACTION sla=r.reaction due=r.reaction_due.clone() bare=true/> }.into_any() } else { view! { <span class="text-xs text-teal-700">{sla_text(r.reaction)}</span> }.into_any() }}</td>
                                                    <td class=style::TD><SlaBadge label=t::RESOLUTION sla=r.resolution due=r.resolution_due.clone() bare=true/></td>
                                                    <td class=style::TD>{r.contractor.clone().unwrap_or_else(|| "—".into())}<span class="block text-xs text-slate-500">{r.executor.clone()}</span></td>
                                                </tr>
                                            }}).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }}
                    }.into_any(),
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
        <a href="/staff/tickets" class="text-sm text-teal-700 underline">{crate::ui::text::PREV}</a>
        <h1 class=format!("{} mt-2", style::H1)>{t::CALL_TITLE}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match form.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok((categories, houses)) => view! {
                        <ActionForm action=register attr:class="mt-4 grid max-w-3xl gap-3 sm:grid-cols-2">
                            <label class=style::LABEL>{t::CALLER}<input name="caller" class=style::INPUT required=true/></label>
                            <label class=style::LABEL>{t::CALLER_PHONE}<input name="phone" type="tel" class=style::INPUT required=true/></label>
                            <label class=style::LABEL>{t::HOUSE}
                                <select name="house" class=style::INPUT>{houses.into_iter().map(|(id, a)| view! { <option value=id.to_string()>{a}</option> }).collect_view()}</select>
                            </label>
                            <label class=style::LABEL>{t::FLAT}<input name="flat" class=style::INPUT/></label>
                            <label class=style::LABEL>{t::CATEGORY}
                                <select name="category" class=style::INPUT>{categories.into_iter().map(|c| view! { <option value=c.id.to_string()>{format!("{}{}", c.title, if c.emergency { " (авария)" } else { "" })}</option> }).collect_view()}</select>
                            </label>
                            <label class=style::LABEL>{t::WHERE}
                                <select name="place" class=style::INPUT>{Place::ALL.iter().copied().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}</select>
                            </label>
                            <label class=format!("{} sm:col-span-2", style::LABEL)>{t::NOTE}<input name="note" class=style::INPUT maxlength="200"/></label>
                            <label class=format!("{} sm:col-span-2", style::LABEL)>{t::DESCRIPTION}<textarea name="description" rows="3" class=style::INPUT required=true></textarea></label>
                            <div class="sm:col-span-2"><button type="submit" class=style::BUTTON>{t::REGISTER}</button></div>
                        </ActionForm>
                    }.into_any(),
                }
            })}
        </Suspense>
        {move || match register.value().get() {
            Some(Ok(id)) => Some(view! { <p role="status" class="mt-3 text-teal-700">{format!("Заявка №{id} зарегистрирована. ")}<a class="underline" href=format!("/staff/tickets/{id}")>{t::OPEN_FILE}</a></p> }.into_any()),
            Some(Err(e)) => Some(view! { <p role="alert" class="mt-3 text-red-700">{e.to_string()}</p> }.into_any()),
            None => None,
        }}
    }
}

/// `/staff/contractors`: contractors with their load and people.
#[component]
pub fn ContractorsPage() -> impl IntoView {
    let add = ServerAction::<AddContractor>::new();
    let link = ServerAction::<SetExecutor>::new();
    let data = Resource::new(
        move || (add.version().get(), link.version().get()),
        |_| load_contractors(),
    );
    view! {
        <a href="/staff/tickets" class="text-sm text-teal-700 underline">{crate::ui::text::PREV}</a>
        <h1 class=format!("{} mt-2", style::H1)>{t::CONTRACTORS_TITLE}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::CONTRACTORS_HINT}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok((list, free)) => {
                        let options = list.iter().map(|c| (c.id, c.name.clone())).collect::<Vec<_>>();
                        view! {
                        <div class="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                            <table class=style::TABLE data-testid="contractors">
                                <thead class="bg-slate-50"><tr>
                                    <th class=style::TH>{t::NAME}</th><th class=style::TH>{t::LOAD_OPEN}</th>
                                    <th class=style::TH>{t::LOAD_OVERDUE}</th><th class=style::TH>{t::LOAD_DONE}</th>
                                    <th class=style::TH>{t::PEOPLE}</th>
                                </tr></thead>
                                <tbody class="divide-y divide-slate-100">
                                    {list.into_iter().map(|c| view! {
                                        <tr>
                                            <td class=style::TD><a class="font-medium text-teal-700 underline" href=format!("/staff/tickets?status=open&contractor={}", c.id)>{c.name.clone()}</a>
                                                <span class="block text-xs text-slate-500">{c.specialty.clone()}{c.phone.clone().map(|p| format!(" · {}", crate::auth::rules::format_phone(&p)))}</span></td>
                                            <td class=format!("{} tabular-nums", style::TD)>{c.open}</td>
                                            <td class=format!("{} tabular-nums {}", style::TD, if c.overdue > 0 { "font-semibold text-red-700" } else { "" })>{c.overdue}</td>
                                            <td class=format!("{} tabular-nums", style::TD)>{c.done_month}</td>
                                            <td class=style::TD>{c.executors.iter().map(|e| e.1.clone()).collect::<Vec<_>>().join(", ")}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <div class="mt-6 grid max-w-4xl gap-4 md:grid-cols-2">
                            <section class=style::CARD>
                                <h2 class=style::H2>{t::ADD}</h2>
                                <ActionForm action=add attr:class="mt-2 space-y-2">
                                    <label class=style::LABEL>{t::NAME}<input name="name" class=style::INPUT required=true/></label>
                                    <label class=style::LABEL>{t::SPECIALTY}<input name="specialty" class=style::INPUT/></label>
                                    <label class=style::LABEL>{t::PHONE}<input name="phone" type="tel" class=style::INPUT/></label>
                                    <button type="submit" class=style::BUTTON>{t::ADD}</button>
                                    <FormResult value=add.value() success=t::ADDED/>
                                </ActionForm>
                            </section>
                            <section class=style::CARD>
                                <h2 class=style::H2>{t::LINK_EXECUTOR}</h2>
                                <ActionForm action=link attr:class="mt-2 space-y-2">
                                    <label class=style::LABEL>{t::EXECUTOR}
                                        <select name="user_id" class=style::INPUT>{free.into_iter().map(|(id, n)| view! { <option value=id.to_string()>{n}</option> }).collect_view()}</select>
                                    </label>
                                    <label class=style::LABEL>{t::CONTRACTOR}
                                        <select name="contractor" class=style::INPUT>{options.into_iter().map(|(id, n)| view! { <option value=id.to_string()>{n}</option> }).collect_view()}</select>
                                    </label>
                                    <button type="submit" class=style::BUTTON>{t::LINK_EXECUTOR}</button>
                                    <FormResult value=link.value() success=t::ADDED/>
                                </ActionForm>
                            </section>
                        </div>
                    }.into_any() }
                }
            })}
        </Suspense>
    }
}

/// `/staff/tickets/categories`: the deadlines of each category.
#[component]
pub fn CategoriesPage() -> impl IntoView {
    let save = ServerAction::<SetCategorySla>::new();
    let list = Resource::new(move || save.version().get(), |_| load_ticket_categories());
    view! {
        <a href="/staff/tickets" class="text-sm text-teal-700 underline">{crate::ui::text::PREV}</a>
        <h1 class=format!("{} mt-2", style::H1)>{t::CATEGORIES}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::CATEGORIES_HINT}</p>
        <FormResult value=save.value() success=t::ADDED/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-4 max-w-4xl space-y-2">
                            {list.into_iter().map(|c| view! {
                                <li class=style::CARD>
                                    <ActionForm action=save attr:class="grid items-end gap-2 sm:grid-cols-[1fr_9rem_9rem_auto]">
                                        <input type="hidden" name="id" value=c.id.to_string()/>
                                        <div><p class="font-medium">{c.title.clone()}{c.emergency.then(|| view! { <span class="ml-1 text-xs text-red-700">{t::EMERGENCY}</span> })}</p>
                                            <p class="text-xs text-slate-500">{format!("{}: {} · сейчас {} / {}", t::BASIS, c.basis, rules::format_minutes(c.reaction_minutes), rules::format_minutes(c.resolution_minutes))}</p></div>
                                        <label class=style::LABEL>{t::REACTION_MIN}<input name="reaction" class=style::INPUT inputmode="numeric" value=c.reaction_minutes.to_string()/></label>
                                        <label class=style::LABEL>{t::RESOLUTION_MIN}<input name="resolution" class=style::INPUT inputmode="numeric" value=c.resolution_minutes.to_string()/></label>
                                        <button type="submit" class=style::BUTTON_SECONDARY>{t::SAVE}</button>
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
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
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="mt-4 text-slate-600">{t::WORK_EMPTY}</p> }.into_any(),
                    Ok(rows) => view! {
                        <ul class="mt-4 max-w-xl space-y-3">
                            {rows.into_iter().map(|r| { let href = format!("/staff/tickets/{}", r.id); view! { <TicketCard r=r href=href/> } }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/staff/reports/tickets?year=`: the council's report with its chart.
#[component]
pub fn TicketReportPage() -> impl IntoView {
    let query = use_query_map();
    let year = move || query.read().get("year").and_then(|y| y.parse::<i32>().ok());
    let report = Resource::new(year, load_ticket_report);
    view! {
        <h1 class=style::H1>{t::REPORT_TITLE}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match report.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(r) => view! {
                        <form method="get" class="mt-3 flex items-end gap-2">
                            <label class=format!("{} w-28", style::LABEL)>{t::YEAR}<input name="year" class=style::INPUT inputmode="numeric" value=r.year.to_string()/></label>
                            <button class=style::BUTTON_SECONDARY type="submit">{t::FILTER}</button>
                        </form>
                        <section class=format!("{} mt-4 max-w-4xl", style::CARD)>
                            <h2 class=style::H2>{t::BY_MONTH}</h2>
                            <MonthChart rows=r.by_month.clone()/>
                        </section>
                        <ReportTable title=t::BY_MONTH rows=r.by_month.clone() total=Some(r.total.clone())/>
                        <ReportTable title=t::BY_CATEGORY rows=r.by_category.clone() total=None/>
                        <ReportTable title=t::BY_CONTRACTOR rows=r.by_contractor.clone() total=None/>
                        <section class="mt-6 max-w-5xl">
                            <h2 class=style::H2>{t::CATEGORY_MONTH}</h2>
                            <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                                <table class=style::TABLE>
                                    <thead class="bg-slate-50"><tr><th class=style::TH>{t::CATEGORY}</th>
                                        {r.months.iter().map(|m| view! { <th class=format!("{} text-right", style::TH)>{m.clone()}</th> }).collect_view()}</tr></thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {r.by_category_month.iter().map(|(c, counts)| view! {
                                            <tr><td class=style::TD>{c.clone()}</td>
                                                {counts.iter().map(|n| view! { <td class=format!("{} text-right tabular-nums", style::TD)>{*n}</td> }).collect_view()}</tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Tickets per month as bars: the part resolved within its deadline, and the rest.
#[component]
fn MonthChart(rows: Vec<ReportRow>) -> impl IntoView {
    let max = rows.iter().map(|r| r.tickets).max().unwrap_or(0).max(1);
    let (w, h, bar) = (600.0_f64, 180.0_f64, 36.0_f64);
    let scale = |n: i64| n as f64 / max as f64 * (h - 30.0);
    view! {
        <svg viewBox=format!("0 0 {w} {}", h + 20.0) class="mt-2 w-full" role="img" aria-label=t::BY_MONTH data-testid="ticket-chart">
            {rows.iter().enumerate().map(|(i, r)| {
                let x = 10.0 + i as f64 * (w - 20.0) / 12.0;
                let total = scale(r.tickets);
                let ok = scale(r.within_sla);
                view! {
                    <g>
                        <rect x=x y=h - total width=bar height=total fill="#cbd5e1"><title>{format!("{}: {} {}", r.label, r.tickets, t::TICKETS)}</title></rect>
                        <rect x=x y=h - ok width=bar height=ok fill="#0f766e"><title>{format!("{}: {} {}", r.label, r.within_sla, t::CHART_LEGEND_OK)}</title></rect>
                        <text x=x + bar / 2.0 y=h - total - 4.0 text-anchor="middle" font-size="11" fill="#334155">{r.tickets}</text>
                        <text x=x + bar / 2.0 y=h + 14.0 text-anchor="middle" font-size="11" fill="#64748b">{r.label.clone()}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
        <p class="mt-1 flex gap-4 text-xs text-slate-600">
            <span><span class="mr-1 inline-block h-2 w-3 bg-teal-700"></span>{t::CHART_LEGEND_OK}</span>
            <span><span class="mr-1 inline-block h-2 w-3 bg-slate-300"></span>{t::CHART_LEGEND_OTHER}</span>
        </p>
    }
}

#[component]
fn ReportTable(
    title: &'static str,
    rows: Vec<ReportRow>,
    total: Option<ReportRow>,
) -> impl IntoView {
    let share = |r: &ReportRow| {
        if r.resolved == 0 {
            "—".to_string()
        } else {
            format!("{} %", (r.within_sla * 100 + r.resolved / 2) / r.resolved)
        }
    };
    let line = move |r: ReportRow, bold: bool| {
        view! {
            <tr class=if bold { "font-semibold" } else { "" }>
                <td class=style::TD>{r.label.clone()}</td>
                <td class=format!("{} text-right tabular-nums", style::TD)>{r.tickets}</td>
                <td class=format!("{} text-right tabular-nums", style::TD)>{r.resolved}</td>
                <td class=format!("{} text-right tabular-nums", style::TD)>{share(&r)}</td>
                <td class=format!("{} text-right tabular-nums", style::TD)>{r.avg_hours.clone()}</td>
            </tr>
        }
    };
    view! {
        <section class="mt-6 max-w-4xl">
            <h2 class=style::H2>{title}</h2>
            <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                <table class=style::TABLE data-testid="report-table">
                    <thead class="bg-slate-50"><tr>
                        <th class=style::TH></th>
                        <th class=format!("{} text-right", style::TH)>{t::TICKETS}</th>
                        <th class=format!("{} text-right", style::TH)>{t::RESOLVED}</th>
                        <th class=format!("{} text-right", style::TH)>{t::WITHIN_SLA}</th>
                        <th class=format!("{} text-right", style::TH)>{t::AVG_HOURS}</th>
                    </tr></thead>
                    <tbody class="divide-y divide-slate-100">
                        {rows.into_iter().map(|r| line(r, false)).collect_view()}
                        {total.map(|r| line(r, true))}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
