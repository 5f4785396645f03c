//! Pages of the housing register: the resident's apartments and accounts, the staff register,
//! the apartment card, and approvals of residents who joined with a code.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::text as t;
use super::types::*;
use crate::auth::api::IssueOwnerInvite;
use crate::auth::pages::InviteSheet;
use crate::auth::rules::{format_phone, role_can};
use crate::auth::types::Permission;
use crate::ui::{ErrorNote, FormResult, Loading, style, use_user};

#[component]
pub fn MyHomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| load_my_home());
    let overdue = Resource::new(|| (), |_| crate::debts::api::load_my_overdue());
    view! {
        <h1 class=style::H1>{t::MY_HOME_TITLE}</h1>
        <crate::debts::pages::OverdueBanner overdue />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match home.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(home) => {
                        let has_homes = !home.apartments.is_empty();
                        view! {
                            {home
                                .apartments
                                .is_empty()
                                .then(|| {
                                    view! {
                                        <p class=format!(
                                            "{} mt-4 text-slate-600",
                                            style::CARD,
                                        )>{t::NO_APARTMENTS}</p>
                                    }
                                })}
                            <div class="mt-4 space-y-4">
                                {home
                                    .apartments
                                    .into_iter()
                                    .map(|a| view! { <ApartmentSummary apartment=a /> })
                                    .collect_view()}
                            </div>
                            {has_homes
                                .then(|| {
                                    view! {
                                        <a
                                            href="/cabinet/passes"
                                            class=format!(
                                                "{} mt-4 flex items-center justify-between hover:bg-slate-50",
                                                style::CARD,
                                            )
                                            data-testid="passes-link"
                                        >
                                            <span>
                                                <b>{t::PASSES}</b>
                                                <span class="block text-sm text-slate-600">
                                                    {t::PASSES_HINT}
                                                </span>
                                            </span>
                                            <span aria-hidden="true">"›"</span>
                                        </a>
                                    }
                                })}
                            {(!home.pending.is_empty())
                                .then(|| {
                                    view! {
                                        <section class="mt-6">
                                            <h2 class=style::H2>{t::PENDING_TITLE}</h2>
                                            <ul class="mt-2 space-y-2">
                                                {home
                                                    .pending
                                                    .into_iter()
                                                    .map(|p| {
                                                        view! {
                                                            <li class=format!(
                                                                "{} text-sm",
                                                                style::CARD,
                                                            )>
                                                                {p.address}", кв. "{p.apartment_number}" — "
                                                                {p.relation.label()}
                                                                <span class="ml-1 text-amber-700">"("{t::PENDING}")"</span>
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        </section>
                                    }
                                })}
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        <form method="get" action="/join" class=format!("{} mt-6", style::CARD)>
            <label class=style::LABEL>
                {t::ADD_APARTMENT} <div class="flex gap-2">
                    <input
                        class=style::INPUT
                        name="code"
                        placeholder="XXXX-XXXX-XXXX"
                        autocapitalize="characters"
                    />
                    <button class=format!("{} mt-1", style::BUTTON_SECONDARY) type="submit">
                        "→"
                    </button>
                </div>
            </label>
        </form>
    }
}

#[component]
fn ApartmentSummary(apartment: MyApartment) -> impl IntoView {
    view! {
        <article class=style::CARD data-testid="my-apartment">
            <p class="text-sm text-slate-500">{apartment.address.clone()}</p>
            <h2 class="text-xl font-semibold">"Квартира " {apartment.number.clone()}</h2>
            <p class="mt-1 text-sm text-slate-600">
                {apartment.relation.label()} " · " {t::AREA} " " {apartment.area.clone()} " м²"
                {apartment.floor.map(|f| format!(" · {} {f}", t::FLOOR))}
                {apartment.entrance.map(|e| format!(" · {} {e}", t::ENTRANCE))}
            </p>
            <ul class="mt-3 space-y-2">
                {apartment
                    .accounts
                    .iter()
                    .cloned()
                    .map(|acc| {
                        view! {
                            <li>
                                <a
                                    href=format!("/cabinet/account/{}", acc.id)
                                    class="flex items-center justify-between rounded-lg bg-teal-50 px-3 py-3 text-teal-900 hover:bg-teal-100"
                                >
                                    <span>
                                        {t::ACCOUNT}" "
                                        <b data-testid="account-number">{acc.number}</b>
                                        <span class="block text-xs text-teal-800">
                                            {t::ACCOUNT_HINT}
                                        </span>
                                    </span>
                                    <span aria-hidden="true">"›"</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <Household members=apartment.household />
        </article>
    }
}

#[component]
fn Household(members: Vec<HouseholdMember>) -> impl IntoView {
    view! {
        <details class="mt-3">
            <summary class="cursor-pointer text-sm text-slate-600">
                {t::HOUSEHOLD}" (" {members.len()} ")"
            </summary>
            <ul class="mt-2 space-y-1 text-sm">
                {members
                    .into_iter()
                    .map(|m| {
                        view! {
                            <li>
                                {m.full_name} {m.is_me.then(|| format!(" ({})", t::YOU))}
                                <span class="text-slate-500">
                                    " — " {m.relation.label()}
                                    {m.share.map(|s| format!(", {} {s}", t::SHARE))} ", " {t::SINCE}
                                    " " {m.since}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}

#[component]
pub fn MyAccountPage() -> impl IntoView {
    let id = crate::ui::use_id_param();
    let account = Resource::new(id, my_account);
    let statement = Resource::new(id, crate::billing::api::load_account_statement);
    view! {
        <a href="/cabinet" class="text-sm text-teal-700">
            "← "
            {t::MY_HOME_TITLE}
        </a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match account.await {
                    Err(e) => {
                        view! {
                            <div class="mt-4">
                                <ErrorNote error=e />
                            </div>
                        }
                            .into_any()
                    }
                    Ok(view) => {
                        view! {
                            <h1 class=format!(
                                "{} mt-2",
                                style::H1,
                            )>
                                {t::ACCOUNT}" "
                                <span data-testid="account-number">
                                    {view.account.number.clone()}
                                </span>
                            </h1>
                            <p class="text-sm text-slate-600">
                                {t::OPENED}" " {view.account.opened_on.clone()}
                            </p>
                            <div class="mt-4">
                                <ApartmentSummary apartment=view.apartment />
                            </div>
                            <crate::billing::pages::AccountCharges statement=statement />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let house = move || {
        query
            .read()
            .get("house")
            .and_then(|h| h.parse::<i64>().ok())
    };
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
    };
    let houses = Resource::new(|| (), |_| list_houses());
    let rows = Resource::new(
        move || (q(), house(), page()),
        |(q, h, p)| search_register(q, h, p),
    );
    view! {
        <h1 class=style::H1>{t::REGISTER_TITLE}</h1>
        <form method="get" class="mt-4 flex flex-wrap gap-2">
            <input
                class=format!("{} max-w-md", style::INPUT)
                name="q"
                value=q
                placeholder=t::REGISTER_SEARCH
                aria-label=t::REGISTER_SEARCH
            />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = houses.await.unwrap_or_default();
                    let selected = house();
                    view! {
                        <select
                            name="house"
                            class=format!("{} max-w-xs", style::INPUT)
                            aria-label="Дом"
                        >
                            <option value="">{t::ALL_HOUSES}</option>
                            {list
                                .into_iter()
                                .map(|h| {
                                    view! {
                                        <option value=h.id selected=Some(h.id) == selected>
                                            {h.address}
                                            " ("
                                            {h.apartments}
                                            ")"
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    }
                })}
            </Suspense>
            <button class=format!("{} mt-1", style::BUTTON) type="submit">
                "Найти"
            </button>
        </form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(page) => view! { <RegisterTable page q=q() house=house() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RegisterTable(page: RegisterPage, q: String, house: Option<i64>) -> impl IntoView {
    let pages = (page.total + page.per_page - 1) / page.per_page;
    let link = move |p: i64| {
        format!(
            "/staff?q={}&house={}&page={p}",
            q.replace('&', "%26").replace(' ', "+"),
            house.map(|h| h.to_string()).unwrap_or_default()
        )
    };
    let prev = (page.page > 1).then(|| link(page.page - 1));
    let next = (page.page < pages).then(|| link(page.page + 1));
    view! {
        <p class="mt-4 text-sm text-slate-600" data-testid="register-total">
            {t::FOUND}
            ": "
            {page.total}
        </p>
        {(page.total == 0).then(|| view! { <p class="mt-2 text-slate-600">{t::NOTHING_FOUND}</p> })}
        <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table class=style::TABLE>
                <thead class="bg-slate-50">
                    <tr>
                        <th class=style::TH>"Адрес"</th>
                        <th class=style::TH>"Кв."</th>
                        <th class=style::TH>{t::ENTRANCE}</th>
                        <th class=style::TH>{t::FLOOR}</th>
                        <th class=style::TH>"м²"</th>
                        <th class=style::TH>{t::ACCOUNT}</th>
                        <th class=style::TH>"Собственник"</th>
                        <th class=style::TH>{t::RESIDENTS}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {page
                        .rows
                        .into_iter()
                        .map(|r| {
                            view! {
                                <tr class="hover:bg-slate-50">
                                    <td class=format!(
                                        "{} whitespace-nowrap",
                                        style::TD,
                                    )>{r.address}</td>
                                    <td class=style::TD>
                                        <a
                                            class="font-medium text-teal-700 underline"
                                            href=format!("/staff/apartment/{}", r.apartment_id)
                                        >
                                            {r.number}
                                        </a>
                                    </td>
                                    <td class=style::TD>{r.entrance}</td>
                                    <td class=style::TD>{r.floor}</td>
                                    <td class=style::TD>{r.area}</td>
                                    <td class=format!("{} font-mono", style::TD)>{r.account}</td>
                                    <td class=style::TD>{r.owner}</td>
                                    <td class=style::TD>{r.residents}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <div class="mt-3 flex items-center gap-4 text-sm">
            {prev
                .map(|h| {
                    view! {
                        <a class="text-teal-700" href=h>
                            {crate::ui::text::PREV}
                        </a>
                    }
                })}
            <span class="text-slate-500">{format!("{} / {}", page.page, pages.max(1))}</span>
            {next
                .map(|h| {
                    view! {
                        <a class="text-teal-700" href=h>
                            {crate::ui::text::NEXT}
                        </a>
                    }
                })}
        </div>
    }
}

#[component]
pub fn ApartmentPage() -> impl IntoView {
    let id = crate::ui::use_id_param();
    let update = ServerAction::<UpdateApartment>::new();
    let add = ServerAction::<AddResident>::new();
    let out = ServerAction::<MoveOut>::new();
    let invite = ServerAction::<IssueOwnerInvite>::new();
    let open = ServerAction::<OpenAccount>::new();
    let close = ServerAction::<CloseAccount>::new();
    let person = ServerAction::<UpdatePerson>::new();
    let meters = crate::readings::pages::apartment_meters_data(id);
    let card = Resource::new(
        move || {
            (
                id(),
                update.version().get() + add.version().get() + out.version().get(),
                open.version().get() + close.version().get() + person.version().get(),
            )
        },
        |(id, ..)| load_apartment_card(id),
    );
    let role = use_user().map(|u| u.role);
    let can_edit = role.is_some_and(|r| role_can(r, Permission::EditRegister));
    let can_invite = role.is_some_and(|r| role_can(r, Permission::ManageInvites));
    view! {
        <a href="/staff" class="text-sm text-teal-700">
            "← "
            {t::REGISTER_TITLE}
        </a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match card.await {
                    Err(e) => {
                        view! {
                            <div class="mt-4">
                                <ErrorNote error=e />
                            </div>
                        }
                            .into_any()
                    }
                    Ok(c) => {
                        view! {
                            <h1 class=format!(
                                "{} mt-2",
                                style::H1,
                            )>{c.address.clone()}", кв. " {c.number.clone()}</h1>
                            <p class="text-sm text-slate-600">
                                {t::AREA}" " {c.area.clone()} " м²"
                                {c.entrance.map(|e| format!(" · {} {e}", t::ENTRANCE))}
                                {c.floor.map(|f| format!(" · {} {f}", t::FLOOR))}
                            </p>
                            <Accounts accounts=c.accounts.clone() can_edit close />
                            <ResidentsTable card=c.clone() can_edit can_invite out invite person />
                            <crate::readings::pages::ApartmentMetersSection meters=meters />
                            {can_edit.then(|| view! { <EditForms card=c update add open /> })}
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        {move || match invite.value().get() {
            Some(Ok(card)) => Some(view! { <InviteSheet cards=vec![card] /> }.into_any()),
            Some(Err(e)) => Some(view! { <ErrorNote error=e /> }.into_any()),
            None => None,
        }}
    }
}

#[component]
fn Accounts(
    accounts: Vec<AccountInfo>,
    can_edit: bool,
    close: ServerAction<CloseAccount>,
) -> impl IntoView {
    view! {
        <h2 class=format!("{} mt-6", style::H2)>{t::ACCOUNTS}</h2>
        <FormResult value=close.value() />
        <ul class="mt-2 space-y-1 text-sm">
            {accounts
                .into_iter()
                .map(|a| {
                    let open = a.closed_on.is_none();
                    view! {
                        <li class="flex flex-wrap items-center gap-3">
                            <a
                                class="font-mono text-teal-700 underline"
                                data-testid="account-number"
                                href=format!("/staff/account/{}", a.id)
                            >
                                {a.number}
                            </a>
                            <span class="text-slate-500">
                                {t::OPENED}" " {a.opened_on}
                                {a.closed_on.map(|c| format!(", {} {c}", t::CLOSED))}
                            </span>
                            {(can_edit && open)
                                .then(|| {
                                    view! {
                                        <ActionForm action=close>
                                            <div class="flex gap-1">
                                                <input type="hidden" name="account_id" value=a.id />
                                                <input
                                                    type="date"
                                                    name="closed_on"
                                                    required
                                                    class="rounded border border-slate-300 px-1 text-xs"
                                                    aria-label=t::CLOSE_ACCOUNT
                                                />
                                                <button
                                                    class="rounded border border-slate-300 px-2 text-xs"
                                                    type="submit"
                                                >
                                                    {t::CLOSE_ACCOUNT}
                                                </button>
                                            </div>
                                        </ActionForm>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn ResidentsTable(
    card: ApartmentCard,
    can_edit: bool,
    can_invite: bool,
    out: ServerAction<MoveOut>,
    invite: ServerAction<IssueOwnerInvite>,
    person: ServerAction<UpdatePerson>,
) -> impl IntoView {
    let apartment_id = card.id;
    // the code is shown only in the answer: wait for the hydrated page (see `use_hydrated`)
    let hydrated = crate::ui::use_hydrated();
    view! {
        <h2 class=format!("{} mt-6", style::H2)>{t::HISTORY}</h2>
        <FormResult value=out.value() />
        <FormResult value=person.value() success=t::SAVED />
        <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table class=style::TABLE>
                <thead class="bg-slate-50">
                    <tr>
                        <th class=style::TH>"ФИО"</th>
                        <th class=style::TH>"Кто"</th>
                        <th class=style::TH>"Доля"</th>
                        <th class=style::TH>"Контакты"</th>
                        <th class=style::TH>"Въезд"</th>
                        <th class=style::TH>"Выезд"</th>
                        <th class=style::TH></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {card
                        .residents
                        .into_iter()
                        .map(|r| {
                            let current = r.moved_out.is_none();
                            let (person_id, name, phone, email) = (
                                r.person_id,
                                r.full_name.clone(),
                                r.phone.clone(),
                                r.email.clone(),
                            );
                            view! {
                                <tr class=if current { "" } else { "text-slate-400" }>
                                    <td class=style::TD>
                                        {r.full_name.clone()}
                                        {can_edit
                                            .then(|| {
                                                view! {
                                                    <details class="mt-1 text-xs">
                                                        <summary class="cursor-pointer text-teal-700">
                                                            {t::EDIT_PERSON}
                                                        </summary>
                                                        <ActionForm action=person>
                                                            <div class="mt-1 grid gap-1">
                                                                <input type="hidden" name="person_id" value=person_id />
                                                                <input
                                                                    class="rounded border border-slate-300 px-1"
                                                                    name="full_name"
                                                                    value=name
                                                                    required
                                                                    aria-label="ФИО"
                                                                />
                                                                <input
                                                                    class="rounded border border-slate-300 px-1"
                                                                    name="phone"
                                                                    value=phone
                                                                    placeholder="Телефон"
                                                                    aria-label="Телефон"
                                                                />
                                                                <input
                                                                    class="rounded border border-slate-300 px-1"
                                                                    name="email"
                                                                    value=email
                                                                    placeholder="E-mail"
                                                                    aria-label="E-mail"
                                                                />
                                                                <button
                                                                    class="rounded bg-slate-800 px-2 py-0.5 text-white"
                                                                    type="submit"
                                                                >
                                                                    "Сохранить"
                                                                </button>
                                                            </div>
                                                        </ActionForm>
                                                    </details>
                                                }
                                            })}
                                        {(r.status == LinkStatus::Pending)
                                            .then(|| {
                                                view! {
                                                    <span class="ml-1 text-xs text-amber-700">
                                                        {t::PENDING}
                                                    </span>
                                                }
                                            })}
                                        {r
                                            .has_account
                                            .then(|| {
                                                view! {
                                                    <span class="ml-1 text-xs text-teal-700">
                                                        {t::HAS_LOGIN}
                                                    </span>
                                                }
                                            })}
                                    </td>
                                    <td class=style::TD>{r.relation.label()}</td>
                                    <td class=style::TD>{r.share}</td>
                                    <td class=style::TD>
                                        {r.phone.as_deref().map(format_phone)}" " {r.email}
                                    </td>
                                    <td class=style::TD>{r.moved_in}</td>
                                    <td class=style::TD>{r.moved_out}</td>
                                    <td class=style::TD>
                                        <div class="flex gap-2">
                                            {(can_edit && current)
                                                .then(|| {
                                                    view! {
                                                        <ActionForm action=out>
                                                            <div class="flex gap-1">
                                                                <input
                                                                    type="hidden"
                                                                    name="residency_id"
                                                                    value=r.residency_id
                                                                />
                                                                <input
                                                                    type="date"
                                                                    name="moved_out"
                                                                    required
                                                                    class="rounded border border-slate-300 px-1 text-xs"
                                                                    aria-label="Дата выезда"
                                                                />
                                                                <button
                                                                    class="rounded border border-slate-300 px-2 text-xs"
                                                                    type="submit"
                                                                >
                                                                    {t::MOVE_OUT}
                                                                </button>
                                                            </div>
                                                        </ActionForm>
                                                    }
                                                })}
                                            {(can_invite && current && !r.has_account
                                                && r.relation == Relation::Owner)
                                                .then(|| {
                                                    view! {
                                                        <ActionForm action=invite>
                                                            <input
                                                                type="hidden"
                                                                name="residency_id"
                                                                value=r.residency_id
                                                            />
                                                            <input
                                                                type="hidden"
                                                                name="apartment_id"
                                                                value=apartment_id
                                                            />
                                                            <button
                                                                class="rounded border border-slate-300 px-2 text-xs"
                                                                type="submit"
                                                                disabled=move || !hydrated.get()
                                                            >
                                                                {t::ISSUE_OWNER_CODE}
                                                            </button>
                                                        </ActionForm>
                                                    }
                                                })}
                                        </div>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn EditForms(
    card: ApartmentCard,
    update: ServerAction<UpdateApartment>,
    add: ServerAction<AddResident>,
    open: ServerAction<OpenAccount>,
) -> impl IntoView {
    view! {
        <div class="mt-6 grid gap-4 lg:grid-cols-2">
            <section class=style::CARD>
                <h2 class=style::H2>{t::EDIT_APARTMENT}</h2>
                <ActionForm action=update>
                    <div class="mt-3 grid grid-cols-3 gap-3">
                        <input type="hidden" name="apartment_id" value=card.id />
                        <label class=style::LABEL>
                            {t::ENTRANCE}
                            <input
                                class=style::INPUT
                                name="entrance"
                                inputmode="numeric"
                                value=card.entrance
                            />
                        </label>
                        <label class=style::LABEL>
                            {t::FLOOR}
                            <input
                                class=style::INPUT
                                name="floor"
                                inputmode="numeric"
                                value=card.floor
                            />
                        </label>
                        <label class=style::LABEL>
                            {t::AREA}", м²"
                            <input
                                class=style::INPUT
                                name="area"
                                inputmode="decimal"
                                value=card.area.clone()
                                required
                            />
                        </label>
                    </div>
                    <button class=format!("{} mt-3", style::BUTTON) type="submit">
                        "Сохранить"
                    </button>
                    <FormResult value=update.value() success=t::SAVED />
                </ActionForm>
            </section>
            <section class=style::CARD>
                <h2 class=style::H2>{t::OPEN_ACCOUNT}</h2>
                <ActionForm action=open>
                    <div class="mt-3 grid grid-cols-2 gap-3">
                        <input type="hidden" name="apartment_id" value=card.id />
                        <label class=style::LABEL>
                            {t::ACCOUNT_NUMBER}
                            <input class=style::INPUT name="number" inputmode="numeric" required />
                        </label>
                        <label class=style::LABEL>
                            {t::OPENED_ON}
                            <input class=style::INPUT name="opened_on" type="date" required />
                        </label>
                    </div>
                    <button class=format!("{} mt-3", style::BUTTON) type="submit">
                        {t::OPEN_ACCOUNT}
                    </button>
                    <FormResult value=open.value() success=t::SAVED />
                </ActionForm>
            </section>
            <section class=style::CARD>
                <h2 class=style::H2>{t::ADD_RESIDENT}</h2>
                <ActionForm action=add>
                    <div class="mt-3 grid grid-cols-2 gap-3">
                        <input type="hidden" name="apartment_id" value=card.id />
                        <label class=format!(
                            "{} col-span-2",
                            style::LABEL,
                        )>"ФИО"<input class=style::INPUT name="full_name" required /></label>
                        <label class=style::LABEL>
                            "Телефон"<input class=style::INPUT name="phone" type="tel" />
                        </label>
                        <label class=style::LABEL>
                            "E-mail"<input class=style::INPUT name="email" type="email" />
                        </label>
                        <label class=style::LABEL>
                            "Кто" <select class=style::INPUT name="relation">
                                {Relation::ALL
                                    .iter()
                                    .copied()
                                    .map(|r| {
                                        view! { <option value=r.as_str()>{r.label()}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <label class=style::LABEL>
                            "Доля (для собственника)"
                            <input class=style::INPUT name="share" placeholder="1/2" />
                        </label>
                        <label class=style::LABEL>
                            "Дата въезда"
                            <input class=style::INPUT name="moved_in" type="date" required />
                        </label>
                    </div>
                    <button class=format!("{} mt-3", style::BUTTON) type="submit">
                        "Добавить"
                    </button>
                    <FormResult value=add.value() success=t::SAVED />
                </ActionForm>
            </section>
        </div>
    }
}

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let decide = ServerAction::<DecideLink>::new();
    let list = Resource::new(move || decide.version().get(), |_| pending_links());
    view! {
        <h1 class=style::H1>{t::APPROVALS_TITLE}</h1>
        <FormResult value=decide.value() />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(items) if items.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::APPROVALS_EMPTY}</p> }.into_any()
                    }
                    Ok(items) => {
                        view! {
                            <ul class="mt-4 space-y-3">
                                {items
                                    .into_iter()
                                    .map(|p| {
                                        view! {
                                            <li
                                                class=format!(
                                                    "{} flex flex-wrap items-center justify-between gap-3",
                                                    style::CARD,
                                                )
                                                data-testid="pending-link"
                                            >
                                                <div>
                                                    <p class="font-medium">{p.full_name}</p>
                                                    <p class="text-sm text-slate-600">
                                                        <a
                                                            class="underline"
                                                            href=format!("/staff/apartment/{}", p.apartment_id)
                                                        >
                                                            {p.address}
                                                            ", кв. "
                                                            {p.apartment_number}
                                                        </a>
                                                        " — "
                                                        {p.relation.label()}
                                                        " · "
                                                        {p.phone.as_deref().map(format_phone)}
                                                        " "
                                                        {p.email}
                                                        " · "
                                                        {p.requested_on}
                                                    </p>
                                                </div>
                                                <div class="flex gap-2">
                                                    <ActionForm action=decide>
                                                        <input
                                                            type="hidden"
                                                            name="residency_id"
                                                            value=p.residency_id
                                                        />
                                                        <input type="hidden" name="approve" value="true" />
                                                        <button class=style::BUTTON type="submit">
                                                            {t::APPROVE}
                                                        </button>
                                                    </ActionForm>
                                                    <ActionForm action=decide>
                                                        <input
                                                            type="hidden"
                                                            name="residency_id"
                                                            value=p.residency_id
                                                        />
                                                        <input type="hidden" name="approve" value="false" />
                                                        <button class=style::BUTTON_SECONDARY type="submit">
                                                            {t::REJECT}
                                                        </button>
                                                    </ActionForm>
                                                </div>
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
