//! The resident's tickets: the list and the new-ticket form.

use super::*;

/// `/cabinet/tickets`: the resident's tickets.
#[component]
pub fn MyTicketsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| load_my_tickets());
    view! {
        <div class="flex items-center justify-between gap-2">
            <h1 class=style::H1>{t::MY_TITLE}</h1>
            <a href="/cabinet/tickets/new" class=style::BUTTON data-testid="new-ticket">
                {t::NEW}
            </a>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(rows) if rows.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::MY_EMPTY}</p> }.into_any()
                    }
                    Ok(rows) => {
                        view! {
                            <ul class="mt-4 space-y-3">
                                {rows
                                    .into_iter()
                                    .map(|r| {
                                        let href = format!("/cabinet/tickets/{}", r.id);
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

/// `/cabinet/tickets/new`: the form posts (multipart) to the server, which saves the ticket with
/// its files in one transaction and opens its page.
#[component]
pub fn NewTicketPage() -> impl IntoView {
    let form = Resource::new(|| (), |_| load_new_ticket_form());
    let query = use_query_map();
    let error = move || query.read().get("error").and_then(|c| t::form_error(&c));
    view! {
        <h1 class=style::H1>{t::NEW_TITLE}</h1>
        <p class="mt-2 rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900">
            {t::EMERGENCY_HINT}
        </p>
        {move || {
            error()
                .map(|e| {
                    view! {
                        <p
                            role="alert"
                            class="mt-3 rounded-lg border border-red-300 bg-white p-3 text-sm text-red-700"
                            data-testid="form-error"
                        >
                            {e}
                        </p>
                    }
                })
        }}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match form.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(f) if f.homes.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::NO_HOMES}</p> }.into_any()
                    }
                    Ok(f) => view! { <NewTicketFields form=f /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewTicketFields(form: NewTicketForm) -> impl IntoView {
    let single_home = form.homes.len() == 1;
    view! {
        <form
            method="post"
            action="/cabinet/tickets/new"
            enctype="multipart/form-data"
            class="mt-4 space-y-5"
            data-ticket-form=""
        >
            <input type="hidden" name="key" value=form.key.clone() />
            <fieldset>
                <legend class=style::LABEL>{t::WHAT}</legend>
                <div class="mt-2 grid grid-cols-2 gap-2">
                    {form
                        .categories
                        .iter()
                        .map(|c| {
                            view! {
                                <label class="flex min-h-12 cursor-pointer items-center gap-2 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm has-[:checked]:border-teal-600 has-[:checked]:bg-teal-50">
                                    <input
                                        type="radio"
                                        name="category"
                                        value=c.id.to_string()
                                        required=true
                                        class="accent-teal-700"
                                    />
                                    <span>
                                        {c.title.clone()}
                                        {c
                                            .emergency
                                            .then(|| {
                                                view! {
                                                    <span class="block text-xs text-red-700">
                                                        {t::EMERGENCY}
                                                    </span>
                                                }
                                            })}
                                    </span>
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            {if single_home {
                view! {
                    <input type="hidden" name="apartment" value=form.homes[0].0.to_string() />
                    <p class="text-sm text-slate-600">
                        {format!("{}: {}", t::HOME, form.homes[0].1)}
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <label class=style::LABEL>
                        {t::HOME} <select name="apartment" class=style::INPUT required=true>
                            {form
                                .homes
                                .iter()
                                .map(|(id, label)| {
                                    view! { <option value=id.to_string()>{label.clone()}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                }
                    .into_any()
            }}
            <fieldset>
                <legend class=style::LABEL>{t::WHERE}</legend>
                <div class="mt-2 flex flex-wrap gap-2">
                    {Place::ALL
                        .iter()
                        .copied()
                        .map(|p| {
                            view! {
                                <label class="flex cursor-pointer items-center gap-2 rounded-full border border-slate-300 bg-white px-3 py-2 text-sm has-[:checked]:border-teal-600 has-[:checked]:bg-teal-50">
                                    <input
                                        type="radio"
                                        name="place"
                                        value=p.as_str()
                                        checked=p == Place::Flat
                                        class="accent-teal-700"
                                    />
                                    {p.label()}
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            <label class=style::LABEL>
                {t::NOTE}
                <input name="note" class=style::INPUT maxlength="200" placeholder=t::NOTE_HINT />
            </label>
            <label class=style::LABEL>
                {t::DESCRIPTION}
                <textarea
                    name="description"
                    class=style::INPUT
                    rows="4"
                    minlength="10"
                    maxlength="2000"
                    required=true
                ></textarea>
            </label>
            <Uploader />
            <button
                type="submit"
                class=format!("{} w-full", style::BUTTON)
                data-testid="send-ticket"
            >
                {t::SEND}
            </button>
        </form>
    }
}
