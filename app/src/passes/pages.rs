//! Pages of passes: the resident's list and form (`/cabinet/passes`, `/cabinet/passes/new`), the
//! guest's page behind the link (`/p/:token`, no sign-in) and the guard's post (`/staff/gate`).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::api::*;
use super::text as t;
use super::types::*;
use crate::ui::{ErrorNote, Loading, style};

fn state_tone(state: PassState) -> &'static str {
    match state {
        PassState::Active => "bg-teal-100 text-teal-800",
        PassState::Upcoming => "bg-sky-100 text-sky-800",
        PassState::Used | PassState::Expired | PassState::Cancelled => {
            "bg-slate-100 text-slate-600"
        }
    }
}

/// `/cabinet/passes`: the flat's passes, open ones first; each opens the guest's page to share.
#[component]
pub fn PassesPage() -> impl IntoView {
    let cancel = ServerAction::<CancelPass>::new();
    let list = Resource::new(move || cancel.version().get(), |_| load_my_passes());
    view! {
        <div class="flex items-center justify-between gap-2">
            <h1 class=style::H1>{t::TITLE}</h1>
            <a href="/cabinet/passes/new" class=style::BUTTON data-testid="new-pass">
                {t::NEW}
            </a>
        </div>
        <crate::ui::FormResult value=cancel.value() />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(rows) if rows.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::EMPTY}</p> }.into_any()
                    }
                    Ok(rows) => {
                        view! {
                            <ul class="mt-4 space-y-3">
                                {rows
                                    .into_iter()
                                    .map(|r| view! { <PassCard r=r cancel=cancel /> })
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

#[component]
fn PassCard(r: PassRow, cancel: ServerAction<CancelPass>) -> impl IntoView {
    let open = r.state.is_open();
    view! {
        <li class=style::CARD data-testid="pass-card">
            <div class="flex items-start justify-between gap-2">
                <div>
                    <p class="font-medium">{r.title.clone()}</p>
                    <p class="text-sm text-slate-600">{t::kind_label(r.kind)}</p>
                </div>
                <span class=format!(
                    "rounded px-2 py-0.5 text-xs font-semibold {}",
                    state_tone(r.state),
                )>{r.state.label()}</span>
            </div>
            <p class="mt-1 text-sm">{r.when.clone()}</p>
            <p class="mt-1 text-sm text-slate-600">{r.home.clone()}</p>
            {r
                .code
                .clone()
                .filter(|_| open)
                .map(|code| {
                    view! {
                        <p class="mt-1 text-sm">
                            {t::CODE} " "
                            <span class="font-mono text-base font-semibold">{code}</span>
                        </p>
                    }
                })}
            {open
                .then(|| {
                    view! {
                        <div class="mt-3 flex flex-wrap gap-2">
                            // one's own car needs no page to send: the guard knows its plate
                            {(r.kind != PassKind::Car)
                                .then(|| {
                                    view! {
                                        <a
                                            href=r.link.clone()
                                            class=style::BUTTON_SECONDARY
                                            data-testid="pass-link"
                                        >
                                            {t::OPEN_PASS}
                                        </a>
                                    }
                                })} <ActionForm action=cancel>
                                <input type="hidden" name="id" value=r.id.to_string() />
                                <button type="submit" class=style::BUTTON_SECONDARY>
                                    {t::CANCEL}
                                </button>
                            </ActionForm>
                        </div>
                    }
                })}
        </li>
    }
}

/// `/cabinet/passes/new` (the «Пропуск» shortcut): a guest, one's own car, a taxi or courier,
/// a contractor. A guest's pass opens its page to share when it is made.
#[component]
pub fn NewPassPage() -> impl IntoView {
    let form = Resource::new(|| (), |_| load_pass_form());
    view! {
        <a href="/cabinet/passes" class="text-sm text-teal-700 underline">
            {t::ALL_PASSES}
        </a>
        <h1 class=format!("{} mt-2", style::H1)>{t::NEW_TITLE}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match form.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(f) if f.homes.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::NO_HOMES}</p> }.into_any()
                    }
                    Ok(f) => view! { <NewPassFields form=f /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewPassFields(form: PassForm) -> impl IntoView {
    let create = ServerAction::<CreatePass>::new();
    let kind = RwSignal::new(PassKind::Guest);
    let once = RwSignal::new(true);
    let by_car = RwSignal::new(false);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(link)) = create.value().get() {
            navigate(&link, Default::default());
        }
    });
    let shows = move |kinds: &'static [PassKind]| move || !kinds.contains(&kind.get());
    view! {
        <ActionForm
            action=create
            attr:class="mt-4 grid max-w-xl gap-4"
            attr:data-testid="pass-form"
        >
            <input type="hidden" name="pass[key]" value=form.key.clone() />
            <fieldset class="grid grid-cols-2 gap-2">
                <legend class=style::LABEL>{t::WHO}</legend>
                {PassKind::ALL
                    .iter()
                    .copied()
                    .map(|k| {
                        view! {
                            <label class="flex items-center gap-2 rounded-lg border border-slate-300 bg-white px-3 py-2.5 has-[:checked]:border-teal-600 has-[:checked]:bg-teal-50">
                                <input
                                    type="radio"
                                    name="pass[kind]"
                                    value=k.as_str()
                                    checked=k == PassKind::Guest
                                    on:change=move |_| kind.set(k)
                                />
                                {t::kind_label(k)}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <label class=style::LABEL>
                {t::HOME} <select name="pass[home]" class=style::INPUT>
                    {form
                        .homes
                        .iter()
                        .map(|(id, label)| {
                            view! { <option value=id.to_string()>{label.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class=style::LABEL hidden=shows(&[PassKind::Guest, PassKind::Contractor])>
                {move || {
                    if kind.get() == PassKind::Contractor { t::COMPANY } else { t::VISITOR }
                }}
                <input name="pass[visitor]" class=style::INPUT maxlength="200" autocomplete="off" />
            </label>
            <label class=style::LABEL hidden=shows(&[PassKind::Guest, PassKind::Contractor])>
                {t::PHONE}
                <input name="pass[phone]" type="tel" class=style::INPUT autocomplete="off" />
            </label>
            <label class="flex items-center gap-2" hidden=shows(&[PassKind::Guest])>
                <input
                    type="checkbox"
                    name="pass[by_car]"
                    on:change=move |ev| by_car.set(event_target_checked(&ev))
                />
                {t::BY_CAR}
            </label>
            <div class="grid gap-2" hidden=move || kind.get() == PassKind::Guest && !by_car.get()>
                <label class=style::LABEL>
                    {move || {
                        if matches!(kind.get(), PassKind::Taxi | PassKind::Contractor) {
                            t::PLATE_OPTIONAL
                        } else {
                            t::PLATE
                        }
                    }}
                    <input
                        name="pass[plate]"
                        class=format!("{} uppercase", style::INPUT)
                        placeholder="А123ВС77"
                        autocomplete="off"
                        autocapitalize="characters"
                    />
                </label>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="pass[foreign]" />
                    {t::FOREIGN}
                </label>
                <label class=style::LABEL hidden=shows(&[PassKind::Car])>
                    {t::CAR_NOTE}
                    <input name="pass[car_note]" class=style::INPUT maxlength="200" />
                </label>
            </div>
            <label class=style::LABEL hidden=shows(&[PassKind::Contractor])>
                {t::PEOPLE}
                <input
                    name="pass[people]"
                    type="number"
                    min="1"
                    max="50"
                    value="1"
                    class=style::INPUT
                />
            </label>
            <fieldset class="grid gap-2" hidden=shows(&[PassKind::Guest])>
                <legend class=style::LABEL>{t::WHEN}</legend>
                <label class="flex items-center gap-2">
                    <input
                        type="radio"
                        name="pass[mode]"
                        value="once"
                        checked=true
                        on:change=move |_| once.set(true)
                    />
                    {t::ONCE}
                </label>
                <label class="flex items-center gap-2">
                    <input
                        type="radio"
                        name="pass[mode]"
                        value="period"
                        on:change=move |_| once.set(false)
                    />
                    {format!("{} (до {} дн.)", t::PERIOD, form.guest_max_days)}
                </label>
            </fieldset>
            <div
                class="grid grid-cols-2 gap-2 sm:grid-cols-3"
                hidden=move || kind.get() != PassKind::Guest || !once.get()
            >
                <label class=format!(
                    "{} col-span-2 sm:col-span-1",
                    style::LABEL,
                )>
                    {t::DAY}
                    <input
                        name="pass[day]"
                        type="date"
                        value=form.today.clone()
                        min=form.today.clone()
                        class=style::INPUT
                    />
                </label>
                <label class=style::LABEL>
                    {t::FROM}
                    <input name="pass[from]" type="time" value="09:00" class=style::INPUT />
                </label>
                <label class=style::LABEL>
                    {t::UNTIL}
                    <input name="pass[until]" type="time" value="21:00" class=style::INPUT />
                </label>
            </div>
            <div
                class="grid grid-cols-2 gap-2"
                hidden=move || {
                    !(kind.get() == PassKind::Contractor
                        || kind.get() == PassKind::Guest && !once.get())
                }
            >
                <label class=style::LABEL>
                    {t::FIRST_DAY}
                    <input
                        name="pass[first]"
                        type="date"
                        value=form.today.clone()
                        min=form.today.clone()
                        class=style::INPUT
                    />
                </label>
                <label class=style::LABEL>
                    {t::LAST_DAY}
                    <input
                        name="pass[last]"
                        type="date"
                        value=form.today.clone()
                        min=form.today.clone()
                        class=style::INPUT
                    />
                </label>
            </div>
            <p class="text-sm text-slate-600" hidden=shows(&[PassKind::Taxi])>
                {t::TAXI_HINT}
            </p>
            <p class="text-sm text-slate-600" hidden=shows(&[PassKind::Car])>
                {t::CAR_HINT}
            </p>
            <div>
                <button type="submit" class=style::BUTTON data-testid="make-pass">
                    {t::MAKE}
                </button>
            </div>
            <crate::ui::FormResult value=create.value() />
        </ActionForm>
    }
}

/// `/p/:token`: what the guest opens on their phone — the QR for the guard, the code, the
/// address and the window. No sign-in; nothing else about the resident.
#[component]
pub fn PublicPassPage() -> impl IntoView {
    let params = use_params_map();
    let pass = Resource::new(
        move || params.read().get("token").unwrap_or_default(),
        load_public_pass,
    );
    view! {
        <main class="mx-auto max-w-md px-4 py-6">
            <p class="flex items-center gap-2 text-lg font-semibold text-teal-800">
                <crate::ui::icons::KeyIcon />
                {crate::ui::text::APP_NAME}
            </p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match pass.await {
                        Err(crate::error::AppError::NotFound) => {
                            view! { <p class="mt-6 text-slate-700">{t::NO_SUCH_PASS}</p> }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(p) => view! { <PublicPassCard p=p /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn PublicPassCard(p: PublicPass) -> impl IntoView {
    let valid = p.state.is_open();
    view! {
        <section class=format!("{} mt-4 text-center", style::CARD) data-testid="public-pass">
            <h1 class="text-xl font-semibold">{t::PASS_FOR} " " {t::kind_label(p.kind)}</h1>
            <p class=format!(
                "mx-auto mt-2 w-fit rounded px-2 py-0.5 text-sm font-semibold {}",
                state_tone(p.state),
            )>{p.state.label()}</p>
            {valid
                .then(|| {
                    view! {
                        <div
                            class="mx-auto mt-4 w-64 max-w-full [&>svg]:h-auto [&>svg]:w-full"
                            inner_html=p.qr_svg.clone()
                            role="img"
                            aria-label=t::QR_LABEL
                            data-testid="pass-qr"
                        ></div>
                    }
                })}
            {p
                .code
                .clone()
                .filter(|_| valid)
                .map(|code| {
                    view! {
                        <p class="mt-3 text-slate-600">
                            {t::CODE_FOR_GUARD}
                            <span
                                class="block font-mono text-3xl font-bold tracking-widest text-slate-900"
                                data-testid="pass-code"
                            >
                                {code}
                            </span>
                        </p>
                    }
                })}
            {p.plate.clone().map(|plate| view! { <p class="mt-2 font-mono text-lg">{plate}</p> })}
            <p class="mt-3 font-medium">{p.address.clone()}</p>
            <p class="mt-1 text-slate-700">{p.when.clone()}</p>
        </section>
    }
}

/// `/staff/gate`: the guard's post — a pass by its QR link, code or plate; green or red, and one
/// tap records the entry (or a car's exit).
#[component]
pub fn GatePage() -> impl IntoView {
    let houses = Resource::new(|| (), |_| load_gate_houses());
    // the gate's house stays in the address (`?house=`): a guard's bookmark opens their gate
    let query = use_query_map();
    let navigate = use_navigate();
    let check = ServerAction::<GateCheck>::new();
    let record = ServerAction::<GateRecord>::new();
    // the latest answer, of a check or of a record (whichever came last)
    let shown = RwSignal::new(None::<(Result<Option<GateAnswer>, crate::error::AppError>, bool)>);
    Effect::new(move |_| {
        if let Some(answer) = check.value().get() {
            shown.set(Some((answer, false)));
        }
    });
    Effect::new(move |_| {
        if let Some(answer) = record.value().get() {
            shown.set(Some((answer.map(Some), true)));
        }
    });
    view! {
        <h1 class=style::H1>{t::GATE_TITLE}</h1>
        <Suspense fallback=Loading>
            {move || {
                let navigate = navigate.clone();
                Suspend::new(async move {
                    match houses.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(list) => {
                            let chosen = query
                                .read_untracked()
                                .get("house")
                                .and_then(|h| h.parse::<i64>().ok());
                            view! {
                                <ActionForm action=check attr:class="mt-4 grid max-w-xl gap-3">
                                    <label class=style::LABEL>
                                        {t::HOUSE}
                                        <select
                                            name="house"
                                            class=style::INPUT
                                            data-testid="gate-house"
                                            on:change=move |ev| {
                                                navigate(
                                                    &format!("/staff/gate?house={}", event_target_value(&ev)),
                                                    Default::default(),
                                                )
                                            }
                                        >
                                            {list
                                                .into_iter()
                                                .map(|(id, address)| {
                                                    view! {
                                                        <option value=id.to_string() selected=chosen == Some(id)>
                                                            {address}
                                                        </option>
                                                    }
                                                })
                                                .collect_view()}
                                        </select>
                                    </label>
                                    <label class=style::LABEL>
                                        {t::LOOKUP}
                                        <input
                                            name="query"
                                            class=format!("{} text-lg", style::INPUT)
                                            autocomplete="off"
                                            autocapitalize="characters"
                                            required=true
                                            data-testid="gate-query"
                                        />
                                    </label>
                                    <div>
                                        <button
                                            type="submit"
                                            class=style::BUTTON
                                            data-testid="gate-check"
                                        >
                                            {t::CHECK}
                                        </button>
                                    </div>
                                </ActionForm>
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Suspense>
        {move || {
            shown
                .get()
                .map(|(answer, recorded)| match answer {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(None) => {
                        view! {
                            <GateVerdict
                                ok=false
                                headline=t::NOT_A_PASS.to_string()
                                details=vec![]
                            />
                        }
                            .into_any()
                    }
                    Ok(Some(a)) => {
                        view! { <GateAnswerCard a=a record=record just_recorded=recorded /> }
                            .into_any()
                    }
                })
        }}
    }
}

#[component]
fn GateVerdict(ok: bool, headline: String, details: Vec<String>) -> impl IntoView {
    let tone = if ok {
        "border-green-600 bg-green-50 text-green-900"
    } else {
        "border-red-600 bg-red-50 text-red-900"
    };
    view! {
        <div
            class=format!("mt-4 max-w-xl rounded-xl border-4 p-4 {tone}")
            role="status"
            data-testid="gate-verdict"
            data-ok=ok.to_string()
        >
            <p class="text-2xl font-bold">{headline}</p>
            {details.into_iter().map(|d| view! { <p class="mt-1 text-lg">{d}</p> }).collect_view()}
        </div>
    }
}

#[component]
fn GateAnswerCard(
    a: GateAnswer,
    record: ServerAction<GateRecord>,
    just_recorded: bool,
) -> impl IntoView {
    let ok = a.refusal.is_none();
    let headline = match a.refusal {
        None if just_recorded => t::LET_IN.to_string(),
        None => t::VALID.to_string(),
        Some(r) => r.message().to_string(),
    };
    let mut details = vec![format!("{} — {}", t::kind_label(a.kind), a.who)];
    details.extend(a.plate.clone());
    if a.people > 1 {
        details.push(format!("{} чел.", a.people));
    }
    details.push(a.home.clone());
    details.push(a.when.clone());
    let (house, pass, key) = (
        a.gate_house.to_string(),
        a.pass_id.to_string(),
        a.key.clone(),
    );
    let by_car = a.plate.is_some();
    let let_in = (ok && !just_recorded).then(|| {
        let (house, pass, key) = (house.clone(), pass.clone(), key.clone());
        view! {
            <ActionForm action=record attr:class="mt-3">
                <input type="hidden" name="house" value=house />
                <input type="hidden" name="pass" value=pass />
                <input type="hidden" name="direction" value="in" />
                <input type="hidden" name="key" value=key />
                <button
                    type="submit"
                    class=format!("{} w-full max-w-xl py-4 text-lg", style::BUTTON)
                    data-testid="gate-let-in"
                >
                    {t::RECORD_IN}
                </button>
            </ActionForm>
        }
    });
    let exit = by_car.then(move || {
        view! {
            <ActionForm action=record attr:class="mt-2">
                <input type="hidden" name="house" value=house />
                <input type="hidden" name="pass" value=pass />
                <input type="hidden" name="direction" value="out" />
                <input type="hidden" name="key" value=key />
                <button type="submit" class=format!("{} w-full max-w-xl", style::BUTTON_SECONDARY)>
                    {t::RECORD_OUT}
                </button>
            </ActionForm>
        }
    });
    view! {
        <GateVerdict ok=ok headline=headline details=details />
        {let_in}
        {exit}
    }
}
