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

mod report;
mod resident;
mod settings;
mod staff;
pub use report::*;
pub use resident::*;
pub use settings::*;
pub use staff::*;

#[component]
fn StatusBadge(status: Status) -> impl IntoView {
    let tone = match status {
        Status::New | Status::Reopened => "bg-sky-100 text-sky-800",
        Status::Accepted | Status::InWork => "bg-teal-100 text-teal-800",
        Status::Done | Status::Closed => "bg-slate-100 text-slate-700",
        Status::Deferred => "bg-amber-100 text-amber-800",
        Status::Cancelled => "bg-slate-100 text-slate-500",
    };
    view! {
        <span
            class=format!("whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium {tone}")
            data-testid="ticket-status"
        >
            {status.label()}
        </span>
    }
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
            <span class=tone data-testid="sla">
                {sla_text(sla)}
            </span> <span class="block text-slate-400">{format!("{} {due}", t::DUE)}</span>
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
            <a
                href=href
                class=format!("{} block {}", style::CARD, row_tone(&r))
                data-testid="ticket-card"
            >
                <div class="flex items-start justify-between gap-2">
                    <p class="font-medium">
                        {format!("№{} · {}", r.id, r.category)}
                        {r
                            .emergency
                            .then(|| {
                                view! {
                                    <span class="ml-1 rounded bg-red-100 px-1.5 text-xs font-semibold text-red-700">
                                        {t::EMERGENCY}
                                    </span>
                                }
                            })}
                    </p>
                    <StatusBadge status=r.status />
                </div>
                <p class="mt-1 text-sm text-slate-600">{format!("{}, {}", r.address, r.place)}</p>
                <p class="mt-1 line-clamp-2 text-sm">{r.excerpt.clone()}</p>
                <div class="mt-2 flex flex-wrap gap-x-6 gap-y-1">
                    <span class="text-xs text-slate-500">
                        {format!("{} {}", t::REGISTERED, r.registered)}
                    </span>
                    {open
                        .then(|| {
                            view! {
                                <SlaBadge
                                    label=t::RESOLUTION
                                    sla=r.resolution
                                    due=r.resolution_due.clone()
                                />
                            }
                        })}
                </div>
            </a>
        </li>
    }
}

/// The file picker with its upload list (chunked uploads by `public/tickets.js`).
#[component]
fn Uploader() -> impl IntoView {
    view! {
        <div data-uploader="">
            <p class=style::LABEL>{t::FILES}</p>
            <label class=format!(
                "{} mt-1 w-full cursor-pointer gap-2 border-dashed focus-within:ring-2 focus-within:ring-teal-600/30",
                style::BUTTON_SECONDARY,
            )>
                <icons::CameraIcon />
                {t::PICK_FILES}
                <input
                    type="file"
                    name="file"
                    multiple=true
                    accept="image/*,video/*,application/pdf"
                    class="sr-only"
                    data-upload-input=""
                    data-testid="ticket-files"
                />
            </label>
            <p class="mt-1 text-xs text-slate-500">{t::FILES_HINT}</p>
            <ul class="mt-2 space-y-2" data-upload-list="" aria-live="polite"></ul>
        </div>
    }
}

/// `/cabinet/tickets/:id`.
#[component]
pub fn MyTicketPage() -> impl IntoView {
    view! { <TicketPage staff=false /> }
}

/// `/staff/tickets/:id` (dispatchers, the council, the ticket's executor).
#[component]
pub fn StaffTicketPage() -> impl IntoView {
    view! { <TicketPage staff=true /> }
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
        <a
            href=if staff { "/staff/tickets" } else { "/cabinet/tickets" }
            class="text-sm text-teal-700 underline"
        >
            {crate::ui::text::PREV}
        </a>
        {move || {
            files_note()
                .map(|code| {
                    let ok = code == "ok";
                    let text = if ok {
                        t::ADDED.to_string()
                    } else {
                        t::form_error(&code)
                            .unwrap_or_else(|| t::form_error("file").unwrap_or_default())
                    };
                    view! {
                        <p
                            role="status"
                            class=if ok {
                                "mt-2 text-sm text-teal-700"
                            } else {
                                "mt-2 text-sm text-red-700"
                            }
                        >
                            {text}
                        </p>
                    }
                })
        }}
        // these forms' sections go away once used (no moves left, rated), so their results live here
        <FormResult value=moved.value() success=t::MOVED />
        <FormResult value=rated.value() success=t::RATED />
        <FormResult value=assigned.value() success=t::ASSIGNED />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match ticket.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(v) => {
                        view! {
                            <div class="max-w-3xl">
                                <TicketDetails
                                    v=v
                                    staff=staff
                                    moved=moved
                                    commented=commented
                                    rated=rated
                                    assigned=assigned
                                />
                            </div>
                        }
                            .into_any()
                    }
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
                <StatusBadge status=r.status />
                {r
                    .emergency
                    .then(|| {
                        view! {
                            <span class="rounded bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-700">
                                {t::EMERGENCY}
                            </span>
                        }
                    })}
            </div>
            <p class="mt-1 text-slate-700">
                {format!("{} · {}, {}", r.category, r.address, r.place)}
            </p>
        </header>
        <section class=format!("{} mt-4", style::CARD)>
            <p class="whitespace-pre-line">{v.description.clone()}</p>
            <div class="mt-3 grid grid-cols-2 gap-3 text-sm">
                <span class="text-xs text-slate-500">
                    {format!("{} {}", t::REGISTERED, r.registered)}
                </span>
                <span></span>
                <SlaBadge label=t::REACTION sla=r.reaction due=r.reaction_due.clone() />
                <SlaBadge label=t::RESOLUTION sla=r.resolution due=r.resolution_due.clone() />
            </div>
            <p class="mt-2 text-xs text-slate-500">
                {format!("{}: {}", t::DEADLINES, v.category_basis)}
            </p>
            {staff
                .then(|| {
                    view! {
                        <p class="mt-2 text-sm">
                            {format!("{}: {}", t::REQUESTER, v.requester)}
                            {v
                                .requester_phone
                                .clone()
                                .map(|p| {
                                    view! {
                                        " · "
                                        <a class="text-teal-700 underline" href=format!("tel:{p}")>
                                            {crate::auth::rules::format_phone(&p)}
                                        </a>
                                    }
                                })} {v.channel_phone.then(|| format!(" ({})", t::BY_PHONE))}
                        </p>
                    }
                })}
            {(r.contractor.is_some() || r.executor.is_some())
                .then(|| {
                    view! {
                        <p class="mt-1 text-sm">
                            {format!(
                                "{}: {}",
                                t::EXECUTOR,
                                [r.contractor.clone(), r.executor.clone()]
                                    .into_iter()
                                    .flatten()
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            )}
                        </p>
                    }
                })}
            {(v.reopen_count > 0)
                .then(|| {
                    view! {
                        <p class="mt-1 text-sm text-amber-700">
                            {format!("{}: {}", t::REOPENED_TIMES, v.reopen_count)}
                        </p>
                    }
                })}
            {v
                .rating
                .map(|n| {
                    view! {
                        <p class="mt-1 text-sm">
                            {format!("{}: ", t::RATING)}
                            <span class="text-amber-500" aria-label=format!("{n} из 5")>
                                {t::stars(n)}
                            </span>
                        </p>
                    }
                })}
        </section>
        {(!files.is_empty())
            .then(move || {
                view! {
                    <section class="mt-4">
                        <ul
                            class="grid grid-cols-3 gap-2 sm:grid-cols-4"
                            data-testid="ticket-files-list"
                        >
                            {files
                                .iter()
                                .map(|f| {
                                    let href = format!("{file_prefix}/{}", f.id);
                                    let label = format!("{} · {}", f.stage.label(), f.size);
                                    view! {
                                        <li class="overflow-hidden rounded-lg border border-slate-200 bg-white">
                                            <a
                                                href=href.clone()
                                                target="_blank"
                                                class="block"
                                                title=f.file_name.clone()
                                            >
                                                {if f.has_thumb {
                                                    view! {
                                                        <img
                                                            src=format!("{href}/thumb")
                                                            alt=f.file_name.clone()
                                                            loading="lazy"
                                                            class="aspect-square w-full object-cover"
                                                        />
                                                    }
                                                        .into_any()
                                                } else {
                                                    view! {
                                                        <span class="flex aspect-square items-center justify-center bg-slate-100 p-2 text-center text-xs text-slate-600">
                                                            {match f.kind {
                                                                FileKind::Video => "▶ видео",
                                                                _ => "PDF",
                                                            }}<br />{f.file_name.clone()}
                                                        </span>
                                                    }
                                                        .into_any()
                                                }}
                                            </a>
                                            <p class="truncate px-1 py-0.5 text-[11px] text-slate-500">
                                                {label}{f.internal.then(|| format!(" · {}", t::INTERNAL))}
                                            </p>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        {(!moves.is_empty())
            .then(move || {
                let (plain, with_reason): (Vec<Move>, Vec<Move>) = moves
                    .into_iter()
                    .partition(|m| !m.needs_reason);
                view! {
                    <section class="mt-4" data-testid="ticket-moves">
                        <div class="flex flex-wrap gap-2">
                            {plain
                                .into_iter()
                                .map(|m| {
                                    view! {
                                        <ActionForm action=moved>
                                            <input type="hidden" name="id" value=id.to_string() />
                                            <input type="hidden" name="to" value=m.to.as_str() />
                                            <input type="hidden" name="reason" value="" />
                                            <button
                                                type="submit"
                                                class=style::BUTTON
                                                data-move=m.to.as_str()
                                            >
                                                {m.label.clone()}
                                            </button>
                                        </ActionForm>
                                    }
                                })
                                .collect_view()}
                        </div>
                        {with_reason
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <details class="mt-2 rounded-lg border border-slate-200 bg-white px-3 py-2">
                                        <summary
                                            class="cursor-pointer text-sm font-medium text-slate-700"
                                            data-open-move=m.to.as_str()
                                        >
                                            {format!("{}…", m.label)}
                                        </summary>
                                        <ActionForm
                                            action=moved
                                            attr:class="mt-2 flex flex-wrap items-end gap-2"
                                        >
                                            <input type="hidden" name="id" value=id.to_string() />
                                            <input type="hidden" name="to" value=m.to.as_str() />
                                            <label class=format!(
                                                "{} min-w-56 flex-1",
                                                style::LABEL,
                                            )>
                                                {t::REASON}
                                                <input
                                                    name="reason"
                                                    class=style::INPUT
                                                    required=true
                                                    minlength="5"
                                                    maxlength="500"
                                                />
                                            </label>
                                            <button
                                                type="submit"
                                                class=style::BUTTON_SECONDARY
                                                data-move=m.to.as_str()
                                            >
                                                {m.label.clone()}
                                            </button>
                                        </ActionForm>
                                    </details>
                                }
                            })
                            .collect_view()}
                    </section>
                }
            })}
        {v
            .may_rate
            .then(|| {
                view! {
                    <section class=format!("{} mt-4", style::CARD)>
                        <h2 class=style::H2>{t::RATE}</h2>
                        <ActionForm action=rated attr:class="mt-2 space-y-2">
                            <input type="hidden" name="id" value=id.to_string() />
                            <div class="flex gap-1 text-2xl">
                                {(1..=5)
                                    .map(|n| {
                                        view! {
                                            <label class="cursor-pointer">
                                                <input
                                                    type="radio"
                                                    name="stars"
                                                    value=n.to_string()
                                                    required=true
                                                    class="sr-only peer"
                                                />
                                                <span
                                                    class="text-slate-300 peer-checked:text-amber-500"
                                                    aria-label=format!("{n} из 5")
                                                >
                                                    "★"
                                                </span>
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                            <input
                                name="note"
                                class=style::INPUT
                                maxlength="500"
                                placeholder=t::RATE_NOTE
                            />
                            <button type="submit" class=style::BUTTON>
                                {t::RATE_SEND}
                            </button>
                        </ActionForm>
                    </section>
                }
            })}
        {v
            .may_assign
            .then(move || {
                let executors: Vec<(i64, String)> = contractors
                    .iter()
                    .flat_map(|c| {
                        c.executors.iter().map(|(id, n)| (*id, format!("{} ({})", n, c.name)))
                    })
                    .collect();
                view! {
                    <section class=format!("{} mt-4", style::CARD)>
                        <h2 class=style::H2>{t::ASSIGN}</h2>
                        <ActionForm
                            action=assigned
                            attr:class="mt-2 grid gap-2 sm:grid-cols-3 sm:items-end"
                        >
                            <input type="hidden" name="id" value=id.to_string() />
                            <label class=style::LABEL>
                                {t::CONTRACTOR}
                                <select
                                    name="contractor"
                                    class=style::INPUT
                                    data-testid="assign-contractor"
                                >
                                    <option value="">{t::NOBODY}</option>
                                    {contractors
                                        .iter()
                                        .map(|c| {
                                            view! {
                                                <option
                                                    value=c.id.to_string()
                                                    selected=contractor_id == Some(c.id)
                                                >
                                                    {format!("{} — {} в работе", c.name, c.open)}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                            <label class=style::LABEL>
                                {t::EXECUTOR}
                                <select
                                    name="executor"
                                    class=style::INPUT
                                    data-testid="assign-executor"
                                >
                                    <option value="">{t::NOBODY}</option>
                                    {executors
                                        .into_iter()
                                        .map(|(eid, name)| {
                                            view! {
                                                <option
                                                    value=eid.to_string()
                                                    selected=executor_id == Some(eid)
                                                >
                                                    {name}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                            <button type="submit" class=style::BUTTON>
                                {t::ASSIGN}
                            </button>
                        </ActionForm>
                    </section>
                }
            })}
        {v
            .may_add_files
            .then(|| {
                view! {
                    <section class=format!("{} mt-4", style::CARD)>
                        <h2 class=style::H2>{t::ADD_FILES}</h2>
                        <form
                            method="post"
                            action=format!("/staff/tickets/{id}/files")
                            enctype="multipart/form-data"
                            class="mt-2 space-y-2"
                            data-ticket-form=""
                        >
                            <label class=style::LABEL>
                                {t::STAGE} <select name="stage" class=style::INPUT>
                                    <option value="before">{Stage::Before.label()}</option>
                                    <option value="after" selected=true>
                                        {Stage::After.label()}
                                    </option>
                                </select>
                            </label>
                            <Uploader />
                            <label class="flex items-center gap-2 text-sm">
                                <input type="checkbox" name="internal" value="1" />
                                {t::COMMENT_INTERNAL}
                            </label>
                            <button type="submit" class=style::BUTTON>
                                {t::ATTACH}
                            </button>
                        </form>
                    </section>
                }
            })}
        <section class="mt-6">
            <h2 class=style::H2>{t::HISTORY}</h2>
            <ol
                class="mt-2 space-y-2 border-l-2 border-slate-200 pl-4"
                data-testid="ticket-history"
            >
                {events
                    .iter()
                    .map(|e| {
                        view! {
                            <li class=if e.internal { "rounded-lg bg-amber-50 p-2" } else { "" }>
                                <p class="text-xs text-slate-500">
                                    {format!("{} · {}", e.at, e.who)}
                                    {e.internal.then(|| format!(" · {}", t::INTERNAL))}
                                </p>
                                <p class="text-sm font-medium">{e.what.clone()}</p>
                                {(!e.body.is_empty())
                                    .then(|| {
                                        view! {
                                            <p class="whitespace-pre-line text-sm text-slate-700">
                                                {e.body.clone()}
                                            </p>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <ActionForm action=commented attr:class="mt-3 space-y-2">
                <input type="hidden" name="id" value=id.to_string() />
                <label class=style::LABEL>
                    {t::COMMENT}
                    <textarea
                        name="body"
                        class=style::INPUT
                        rows="2"
                        required=true
                        maxlength="2000"
                    ></textarea>
                </label>
                {staff
                    .then(|| {
                        view! {
                            <label class="flex items-center gap-2 text-sm">
                                <input type="checkbox" name="internal" value="1" />
                                {t::COMMENT_INTERNAL}
                            </label>
                        }
                    })}
                <button type="submit" class=style::BUTTON_SECONDARY>
                    {t::COMMENT_SEND}
                </button>
                <FormResult value=commented.value() success=t::COMMENTED />
            </ActionForm>
        </section>
    }
}
