//! Pages of the auth area: sign-in, joining by invite, profile, users and roles, invites.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::*;
use super::text as t;
use super::types::{InviteCard, Role};
use crate::housing::api::list_houses;
use crate::housing::types::Relation;
use crate::ui::{ErrorNote, FormResult, Loading, style};

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let organisation = Resource::new(|| (), |_| crate::billing::api::load_organisation_name());
    view! {
        <main class="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-5 py-10">
            <div class="mb-8 text-center">
                <div class="mx-auto mb-3 flex h-14 w-14 items-center justify-center rounded-2xl bg-teal-700 text-white">
                    <crate::ui::icons::KeyIcon class="h-8 w-8" />
                </div>
                <h1 class=style::H1>{t::SIGN_IN_TITLE}</h1>
                <p class="mt-1 text-sm text-slate-600" data-testid="organisation-name">
                    {t::SIGN_IN_LEAD}
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            organisation.await.ok().flatten().map(|name| format!(" — {name}"))
                        })}
                    </Suspense>
                </p>
            </div>
            <ActionForm action=action>
                <div class="space-y-4">
                    <input type="hidden" name="next" value=next />
                    <label class=style::LABEL>
                        {t::LOGIN_LABEL}
                        <input
                            class=style::INPUT
                            type="text"
                            name="login"
                            autocomplete="username"
                            inputmode="email"
                            required
                        />
                    </label>
                    <label class=style::LABEL>
                        {t::PASSWORD_LABEL}
                        <input
                            class=style::INPUT
                            type="password"
                            name="password"
                            autocomplete="current-password"
                            required
                        />
                    </label>
                    <button
                        class=format!("{} w-full", style::BUTTON)
                        type="submit"
                        disabled=move || action.pending().get()
                    >
                        {t::SIGN_IN_BUTTON}
                    </button>
                    <FormResult value=action.value() />
                </div>
            </ActionForm>
            <div class="mt-10 border-t border-slate-200 pt-6">
                <p class="text-sm text-slate-600">{t::JOIN_HINT}</p>
                <form method="get" action="/join" class="mt-3 flex gap-2" id="code-form">
                    <input
                        class=style::INPUT
                        name="code"
                        placeholder="XXXX-XXXX-XXXX"
                        aria-label=t::CODE_LABEL
                        autocapitalize="characters"
                    />
                    <button class=format!("{} mt-1", style::BUTTON_SECONDARY) type="submit">
                        {t::CODE_CONTINUE}
                    </button>
                </form>
            </div>
        </main>
    }
}

/// `/join?code=…` (the code typed on the sign-in page) → `/join/<code>`.
#[component]
pub fn JoinByCode() -> impl IntoView {
    let query = use_query_map();
    let code = query.read_untracked().get("code").unwrap_or_default();
    let target = format!("/join/{}", code.trim().replace(' ', ""));
    view! { <leptos_router::components::Redirect path=target /> }
}

#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let info = Resource::new(code, look_up_invite);
    let me = StoredValue::new(crate::ui::use_user());
    view! {
        <main class="mx-auto max-w-md px-5 py-8">
            <h1 class=style::H1>{t::JOIN_TITLE}</h1>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let me = me.get_value();
                    match info.await {
                        Err(e) => {
                            view! {
                                <div class="mt-6">
                                    <ErrorNote error=e />
                                </div>
                                <a href="/login" class="mt-4 inline-block text-teal-700 underline">
                                    {t::SIGN_IN_BUTTON}
                                </a>
                            }
                                .into_any()
                        }
                        Ok(info) => {
                            let named = info.owner_name.is_some();
                            view! {
                                <div
                                    class=format!("{} mt-6", style::CARD)
                                    data-testid="invite-apartment"
                                >
                                    <p class="text-sm text-slate-500">{info.address.clone()}</p>
                                    <p class="text-xl font-semibold">
                                        "Квартира " {info.apartment_number.clone()}
                                    </p>
                                    {info
                                        .owner_name
                                        .clone()
                                        .map(|n| {
                                            view! {
                                                <p class="mt-1 text-sm">{t::JOIN_FOR_OWNER}": " {n}</p>
                                            }
                                        })}
                                    <p class="mt-2 text-xs text-slate-500">
                                        {t::VALID_UNTIL}" " {info.expires_on.clone()}
                                    </p>
                                </div>
                                <p class="mt-4 text-sm text-slate-600">
                                    {if named { t::JOIN_OWNER_NOTE } else { t::JOIN_PENDING_NOTE }}
                                </p>
                                {match me {
                                    Some(user) if user.role == Role::Resident => {
                                        view! { <JoinExisting code=code() named=named /> }
                                            .into_any()
                                    }
                                    _ => {
                                        view! {
                                            <JoinNew
                                                code=code()
                                                named=named
                                                owner_name=info.owner_name.clone()
                                            />
                                            <p class="mt-6 text-center text-sm text-slate-600">
                                                {t::HAVE_LOGIN}" "
                                                <a
                                                    class="text-teal-700 underline"
                                                    href=format!("/login?next=/join/{}", code())
                                                >
                                                    {t::SIGN_IN_BUTTON}
                                                </a>
                                            </p>
                                        }
                                            .into_any()
                                    }
                                }}
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn RelationSelect() -> impl IntoView {
    view! {
        <label class=style::LABEL>
            {t::RELATION_LABEL} <select class=style::INPUT name="relation">
                {Relation::ALL
                    .iter()
                    .copied()
                    .map(|r| view! { <option value=r.as_str()>{r.label()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// A new password and its repeat (the form field `repeat`).
#[component]
fn NewPasswordFields(name: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <label class=style::LABEL>
            {label}
            <input
                class=style::INPUT
                type="password"
                name=name
                autocomplete="new-password"
                minlength="8"
                required
            />
        </label>
        <label class=style::LABEL>
            {t::REPEAT_LABEL}
            <input
                class=style::INPUT
                type="password"
                name="repeat"
                autocomplete="new-password"
                minlength="8"
                required
            />
        </label>
    }
}

#[component]
fn JoinNew(code: String, named: bool, owner_name: Option<String>) -> impl IntoView {
    let action = ServerAction::<JoinWithInvite>::new();
    view! {
        <ActionForm action=action>
            <div class="mt-6 space-y-4">
                <input type="hidden" name="code" value=code />
                <label class=style::LABEL>
                    {t::FULL_NAME_LABEL}
                    <input
                        class=style::INPUT
                        name="full_name"
                        autocomplete="name"
                        required
                        value=owner_name.unwrap_or_default()
                    />
                </label>
                <label class=style::LABEL>
                    {t::LOGIN_LABEL}
                    <input
                        class=style::INPUT
                        name="login"
                        autocomplete="username"
                        inputmode="email"
                        required
                    />
                </label>
                <NewPasswordFields name="password" label=t::PASSWORD_LABEL />
                {(!named).then(|| view! { <RelationSelect /> })}
                <button
                    class=format!("{} w-full", style::BUTTON)
                    type="submit"
                    disabled=move || action.pending().get()
                >
                    {t::JOIN_BUTTON}
                </button>
                <FormResult value=action.value() />
            </div>
        </ActionForm>
    }
}

#[component]
fn JoinExisting(code: String, named: bool) -> impl IntoView {
    let action = ServerAction::<JoinAsCurrentUser>::new();
    view! {
        <ActionForm action=action>
            <div class="mt-6 space-y-4">
                <input type="hidden" name="code" value=code />
                {(!named).then(|| view! { <RelationSelect /> })}
                <button class=format!("{} w-full", style::BUTTON) type="submit">
                    {t::JOIN_EXISTING_BUTTON}
                </button>
                <FormResult value=action.value() />
            </div>
        </ActionForm>
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let user = crate::ui::use_user();
    let user_is_staff = user.as_ref().is_some_and(|u| u.role.is_staff());
    let change = ServerAction::<ChangePassword>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    view! {
        <h1 class=style::H1>{t::PROFILE_TITLE}</h1>
        {user
            .map(|u| {
                view! {
                    <div class=format!("{} mt-4", style::CARD)>
                        <p class="text-lg font-medium" data-testid="profile-name">
                            {u.full_name}
                        </p>
                        <p class="text-sm text-slate-600">{super::rules::format_phone(&u.login)}</p>
                        <p class="mt-1 text-xs uppercase tracking-wide text-slate-500">
                            {t::role_label(u.role)}
                        </p>
                    </div>
                }
            })}
        <a
            class=format!(
                "{} mt-4 flex items-center justify-between hover:border-teal-400",
                style::CARD,
            )
            href=if user_is_staff {
                "/staff/notifications/settings"
            } else {
                "/cabinet/notifications/settings"
            }
        >
            <span class="font-medium">{t::NOTIFICATION_SETTINGS}</span>
            <span aria-hidden="true">"›"</span>
        </a>
        <section class=format!("{} mt-4", style::CARD)>
            <h2 class=style::H2>{t::CHANGE_PASSWORD}</h2>
            <ActionForm action=change>
                <div class="mt-3 space-y-3">
                    <label class=style::LABEL>
                        {t::CURRENT_PASSWORD}
                        <input
                            class=style::INPUT
                            type="password"
                            name="current"
                            autocomplete="current-password"
                            required
                        />
                    </label>
                    <NewPasswordFields name="new_password" label=t::NEW_PASSWORD />
                    <button class=style::BUTTON type="submit">
                        {t::CHANGE_PASSWORD}
                    </button>
                    <FormResult value=change.value() success=t::PASSWORD_CHANGED />
                </div>
            </ActionForm>
        </section>
        <div class="mt-4 flex flex-wrap gap-3">
            <ActionForm action=sign_out>
                <button class=style::BUTTON_SECONDARY type="submit" data-testid="sign-out">
                    {t::SIGN_OUT}
                </button>
            </ActionForm>
            <ActionForm action=everywhere>
                <button class=style::BUTTON_SECONDARY type="submit">
                    {t::SIGN_OUT_EVERYWHERE}
                </button>
            </ActionForm>
        </div>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let set_role = ServerAction::<SetUserRole>::new();
    let add = ServerAction::<AddStaffUser>::new();
    let users = Resource::new(
        move || (q(), set_role.version().get(), add.version().get()),
        |(q, _, _)| list_users(q),
    );
    let me = crate::ui::use_user();
    let my_role = me.as_ref().map(|u| u.role).unwrap_or(Role::Council);
    let my_id = me.as_ref().map(|u| u.id);
    let assignable: Vec<Role> = Role::ALL
        .iter()
        .copied()
        .filter(|r| super::rules::may_assign_role(my_role, *r))
        .collect();
    let assignable = StoredValue::new(assignable);
    view! {
        <h1 class=style::H1>{t::USERS_TITLE}</h1>
        <form method="get" class="mt-4 flex max-w-lg gap-2">
            <input
                class=style::INPUT
                name="q"
                value=q
                placeholder=t::USERS_SEARCH
                aria-label=t::USERS_SEARCH
            />
            <button class=format!("{} mt-1", style::BUTTON_SECONDARY) type="submit">
                {t::SEARCH}
            </button>
        </form>
        <FormResult value=set_role.value() success=t::ROLE_SAVED />
        <div class="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match users.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(rows) => {
                            view! {
                                <table class=style::TABLE>
                                    <thead class="bg-slate-50">
                                        <tr>
                                            <th class=style::TH>"Имя"</th>
                                            <th class=style::TH>"Вход"</th>
                                            <th class=style::TH>"С"</th>
                                            <th class=style::TH>"Роль"</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {rows
                                            .into_iter()
                                            .map(|u| {
                                                let editable = super::rules::may_assign_role(
                                                    my_role,
                                                    u.role,
                                                ) && Some(u.id) != my_id;
                                                view! {
                                                    <tr>
                                                        <td class=style::TD>{u.full_name}</td>
                                                        <td class=style::TD>
                                                            {u
                                                                .email
                                                                .or(u.phone.as_deref().map(super::rules::format_phone))
                                                                .unwrap_or_default()}
                                                        </td>
                                                        <td class=style::TD>{u.created_at}</td>
                                                        <td class=style::TD>
                                                            {if editable {
                                                                view! {
                                                                    <ActionForm action=set_role>
                                                                        <div class="flex gap-2">
                                                                            <input type="hidden" name="user_id" value=u.id />
                                                                            <select
                                                                                name="role"
                                                                                class="rounded border border-slate-300 px-2 py-1"
                                                                            >
                                                                                {assignable
                                                                                    .get_value()
                                                                                    .into_iter()
                                                                                    .map(|r| {
                                                                                        view! {
                                                                                            <option value=r.as_str() selected=r == u.role>
                                                                                                {t::role_label(r)}
                                                                                            </option>
                                                                                        }
                                                                                    })
                                                                                    .collect_view()}
                                                                            </select>
                                                                            <button
                                                                                type="submit"
                                                                                class="rounded bg-slate-800 px-2 py-1 text-white"
                                                                            >
                                                                                {t::SAVE}
                                                                            </button>
                                                                        </div>
                                                                    </ActionForm>
                                                                }
                                                                    .into_any()
                                                            } else {
                                                                view! { <span>{t::role_label(u.role)}</span> }.into_any()
                                                            }}
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
        <section class=format!("{} mt-6 max-w-lg", style::CARD)>
            <h2 class=style::H2>{t::ADD_STAFF_TITLE}</h2>
            <ActionForm action=add>
                <div class="mt-3 space-y-3">
                    <label class=style::LABEL>
                        {t::FULL_NAME_LABEL}<input class=style::INPUT name="full_name" required />
                    </label>
                    <label class=style::LABEL>
                        {t::LOGIN_LABEL}<input class=style::INPUT name="login" required />
                    </label>
                    <label class=style::LABEL>
                        "Роль" <select class=style::INPUT name="role">
                            {assignable
                                .get_value()
                                .into_iter()
                                .filter(|r| r.is_staff())
                                .map(|r| {
                                    view! { <option value=r.as_str()>{t::role_label(r)}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label class=style::LABEL>
                        "Временный пароль"
                        <input
                            class=style::INPUT
                            type="text"
                            name="password"
                            minlength="8"
                            required
                        />
                    </label>
                    <button class=style::BUTTON type="submit">
                        {t::ADD_STAFF_BUTTON}
                    </button>
                    <FormResult value=add.value() success=t::STAFF_ADDED />
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn InvitesPage() -> impl IntoView {
    let houses = Resource::new(|| (), |_| list_houses());
    let issue = ServerAction::<IssueHouseInvites>::new();
    // The codes are shown only in the answer, so this form needs the hydrated page: until then
    // the button stays disabled (a plain post would revoke old codes and show nothing).
    let hydrated = crate::ui::use_hydrated();
    view! {
        <div class="print:hidden">
            <h1 class=style::H1>{t::INVITES_TITLE}</h1>
            <p class="mt-2 max-w-2xl text-sm text-slate-600">{t::INVITES_LEAD}</p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match houses.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(list) => {
                            view! {
                                <ul class="mt-4 grid gap-3 md:grid-cols-3">
                                    {list
                                        .into_iter()
                                        .map(|h| {
                                            view! {
                                                <li class=style::CARD>
                                                    <p class="font-medium">{h.address}</p>
                                                    <p class="text-sm text-slate-500">{h.apartments}" кв."</p>
                                                    <ActionForm action=issue>
                                                        <input type="hidden" name="house_id" value=h.id />
                                                        <button
                                                            class=format!("{} mt-3", style::BUTTON_SECONDARY)
                                                            type="submit"
                                                            disabled=move || !hydrated.get() || issue.pending().get()
                                                        >
                                                            {t::ISSUE_FOR_HOUSE}
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
        </div>
        {move || match issue.value().get() {
            Some(Ok(cards)) => Some(view! { <InviteSheet cards /> }.into_any()),
            Some(Err(e)) => Some(view! { <ErrorNote error=e /> }.into_any()),
            None => None,
        }}
    }
}

/// The printable sheet: one card per apartment.
#[component]
pub fn InviteSheet(cards: Vec<InviteCard>) -> impl IntoView {
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <div class="mt-6 flex items-center gap-3 print:hidden">
            <p class="text-sm text-slate-600">
                {format!("Создано карточек: {}", cards.len())}
            </p>
            <button class=style::BUTTON on:click=print>
                {t::PRINT}
            </button>
        </div>
        <div
            class="mt-4 grid grid-cols-1 gap-4 sm:grid-cols-2 print:grid-cols-2 print:gap-2"
            data-testid="invite-sheet"
        >
            {cards
                .into_iter()
                .map(|c| {
                    let code = c.code.clone();
                    view! {
                        <article
                            class="break-inside-avoid rounded-xl border-2 border-dashed border-slate-300 bg-white p-4"
                            data-code=code
                        >
                            <p class="text-xs text-slate-500">{c.address}</p>
                            <p class="text-lg font-semibold">
                                "Квартира " {c.apartment_number}
                                {c.entrance.map(|e| format!(", подъезд {e}"))}
                            </p>
                            {c.owner_name.map(|n| view! { <p class="text-sm">{n}</p> })}
                            <div class="mt-2 flex items-center gap-3">
                                <div class="h-36 w-36 shrink-0" inner_html=c.qr_svg></div>
                                <div class="text-sm">
                                    <p>{t::CARD_STEPS}</p>
                                    <p class="mt-1 break-all font-mono text-xs text-slate-600">
                                        {c.join_url}
                                    </p>
                                    <p
                                        class="mt-2 font-mono text-lg font-bold tracking-wider"
                                        data-testid="invite-code"
                                    >
                                        {c.code}
                                    </p>
                                    <p class="text-xs text-slate-500">
                                        {t::VALID_UNTIL}" " {c.expires_on}
                                    </p>
                                </div>
                            </div>
                        </article>
                    }
                })
                .collect_view()}
        </div>
    }
}
