//! Contractors and ticket categories (deadlines), kept by the council and dispatchers.

use super::*;

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
        <a href="/staff/tickets" class="text-sm text-teal-700 underline">
            {crate::ui::text::PREV}
        </a>
        <h1 class=format!("{} mt-2", style::H1)>{t::CONTRACTORS_TITLE}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::CONTRACTORS_HINT}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok((list, free)) => {
                        let options = list
                            .iter()
                            .map(|c| (c.id, c.name.clone()))
                            .collect::<Vec<_>>();
                        view! {
                            <div class="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                                <table class=style::TABLE data-testid="contractors">
                                    <thead class="bg-slate-50">
                                        <tr>
                                            <th class=style::TH>{t::NAME}</th>
                                            <th class=style::TH>{t::LOAD_OPEN}</th>
                                            <th class=style::TH>{t::LOAD_OVERDUE}</th>
                                            <th class=style::TH>{t::LOAD_DONE}</th>
                                            <th class=style::TH>{t::PEOPLE}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {list
                                            .into_iter()
                                            .map(|c| {
                                                view! {
                                                    <tr>
                                                        <td class=style::TD>
                                                            <a
                                                                class="font-medium text-teal-700 underline"
                                                                href=format!(
                                                                    "/staff/tickets?status=open&contractor={}",
                                                                    c.id,
                                                                )
                                                            >
                                                                {c.name.clone()}
                                                            </a>
                                                            <span class="block text-xs text-slate-500">
                                                                {c.specialty.clone()}
                                                                {c
                                                                    .phone
                                                                    .clone()
                                                                    .map(|p| {
                                                                        format!(" · {}", crate::auth::rules::format_phone(&p))
                                                                    })}
                                                            </span>
                                                        </td>
                                                        <td class=format!(
                                                            "{} tabular-nums",
                                                            style::TD,
                                                        )>{c.open}</td>
                                                        <td class=format!(
                                                            "{} tabular-nums {}",
                                                            style::TD,
                                                            if c.overdue > 0 {
                                                                "font-semibold text-red-700"
                                                            } else {
                                                                ""
                                                            },
                                                        )>{c.overdue}</td>
                                                        <td class=format!(
                                                            "{} tabular-nums",
                                                            style::TD,
                                                        )>{c.done_month}</td>
                                                        <td class=style::TD>
                                                            {c
                                                                .executors
                                                                .iter()
                                                                .map(|e| e.1.clone())
                                                                .collect::<Vec<_>>()
                                                                .join(", ")}
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <div class="mt-6 grid max-w-4xl gap-4 md:grid-cols-2">
                                <section class=style::CARD>
                                    <h2 class=style::H2>{t::ADD}</h2>
                                    <ActionForm action=add attr:class="mt-2 space-y-2">
                                        <label class=style::LABEL>
                                            {t::NAME}
                                            <input name="name" class=style::INPUT required=true />
                                        </label>
                                        <label class=style::LABEL>
                                            {t::SPECIALTY}<input name="specialty" class=style::INPUT />
                                        </label>
                                        <label class=style::LABEL>
                                            {t::PHONE}
                                            <input name="phone" type="tel" class=style::INPUT />
                                        </label>
                                        <button type="submit" class=style::BUTTON>
                                            {t::ADD}
                                        </button>
                                        <FormResult value=add.value() success=t::ADDED />
                                    </ActionForm>
                                </section>
                                <section class=style::CARD>
                                    <h2 class=style::H2>{t::LINK_EXECUTOR}</h2>
                                    <ActionForm action=link attr:class="mt-2 space-y-2">
                                        <label class=style::LABEL>
                                            {t::EXECUTOR} <select name="user_id" class=style::INPUT>
                                                {free
                                                    .into_iter()
                                                    .map(|(id, n)| {
                                                        view! { <option value=id.to_string()>{n}</option> }
                                                    })
                                                    .collect_view()}
                                            </select>
                                        </label>
                                        <label class=style::LABEL>
                                            {t::CONTRACTOR}
                                            <select name="contractor" class=style::INPUT>
                                                {options
                                                    .into_iter()
                                                    .map(|(id, n)| {
                                                        view! { <option value=id.to_string()>{n}</option> }
                                                    })
                                                    .collect_view()}
                                            </select>
                                        </label>
                                        <button type="submit" class=style::BUTTON>
                                            {t::LINK_EXECUTOR}
                                        </button>
                                        <FormResult value=link.value() success=t::ADDED />
                                    </ActionForm>
                                </section>
                            </div>
                        }
                            .into_any()
                    }
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
        <a href="/staff/tickets" class="text-sm text-teal-700 underline">
            {crate::ui::text::PREV}
        </a>
        <h1 class=format!("{} mt-2", style::H1)>{t::CATEGORIES}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::CATEGORIES_HINT}</p>
        <FormResult value=save.value() success=t::ADDED />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(list) => {
                        view! {
                            <ul class="mt-4 max-w-4xl space-y-2">
                                {list
                                    .into_iter()
                                    .map(|c| {
                                        view! {
                                            <li class=style::CARD>
                                                <ActionForm
                                                    action=save
                                                    attr:class="grid items-end gap-2 sm:grid-cols-[1fr_9rem_9rem_auto]"
                                                >
                                                    <input type="hidden" name="id" value=c.id.to_string() />
                                                    <div>
                                                        <p class="font-medium">
                                                            {c.title.clone()}
                                                            {c
                                                                .emergency
                                                                .then(|| {
                                                                    view! {
                                                                        <span class="ml-1 text-xs text-red-700">
                                                                            {t::EMERGENCY}
                                                                        </span>
                                                                    }
                                                                })}
                                                        </p>
                                                        <p class="text-xs text-slate-500">
                                                            {format!(
                                                                "{}: {} · сейчас {} / {}",
                                                                t::BASIS,
                                                                c.basis,
                                                                rules::format_minutes(c.reaction_minutes),
                                                                rules::format_minutes(c.resolution_minutes),
                                                            )}
                                                        </p>
                                                    </div>
                                                    <label class=style::LABEL>
                                                        {t::REACTION_MIN}
                                                        <input
                                                            name="reaction"
                                                            class=style::INPUT
                                                            inputmode="numeric"
                                                            value=c.reaction_minutes.to_string()
                                                        />
                                                    </label>
                                                    <label class=style::LABEL>
                                                        {t::RESOLUTION_MIN}
                                                        <input
                                                            name="resolution"
                                                            class=style::INPUT
                                                            inputmode="numeric"
                                                            value=c.resolution_minutes.to_string()
                                                        />
                                                    </label>
                                                    <button type="submit" class=style::BUTTON_SECONDARY>
                                                        {t::SAVE}
                                                    </button>
                                                </ActionForm>
                                            </li>
                                        }
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
