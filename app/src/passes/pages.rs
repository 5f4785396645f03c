//! Pages of passes: the resident's list and form (`/cabinet/passes`, `/cabinet/passes/new`), the
//! guest's page behind the link (`/p/:token`, no sign-in) and the guard's post (`/staff/gate`).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::api::*;
use super::post::{self, GateDay, QueuedEntry};
use super::rules;
use super::text as t;
use super::types::*;
use crate::error::AppError;
use crate::ui::{ErrorNote, Loading, style};

fn state_tone(state: PassState) -> &'static str {
    match state {
        PassState::Active => "bg-teal-100 text-teal-800",
        PassState::Upcoming => "bg-sky-100 text-sky-800",
        PassState::Awaiting => "bg-amber-100 text-amber-900",
        PassState::NotApproved => "bg-red-100 text-red-800",
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
                .approval_note
                .clone()
                .filter(|_| matches!(r.state, PassState::Awaiting | PassState::NotApproved))
                .map(|note| view! { <p class="mt-1 text-sm italic">{note}</p> })}
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

/// The pass form — the resident's own, or (when `form.people` is not empty) the dispatcher's for
/// one of the flat's people, whose `on_made` gets the made pass's page.
#[component]
fn NewPassFields(
    form: PassForm,
    #[prop(optional)] on_made: Option<Callback<String>>,
) -> impl IntoView {
    let create = ServerAction::<CreatePass>::new();
    let kind = RwSignal::new(PassKind::Guest);
    let once = RwSignal::new(true);
    let by_car = RwSignal::new(false);
    let exception = RwSignal::new(false);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(link)) = create.value().get() {
            match on_made {
                Some(made) => made.run(link),
                None => navigate(&link, Default::default()),
            }
        }
    });
    let for_resident = (!form.people.is_empty()).then(|| {
        view! {
            <label class=style::LABEL>
                {t::RESIDENT}
                <select name="pass[resident]" class=style::INPUT data-testid="issue-resident">
                    {form
                        .people
                        .iter()
                        .map(|(id, name)| {
                            view! { <option value=id.to_string()>{name.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        }
    });
    // the dispatcher's form speaks as staff do
    let staff = !form.people.is_empty();
    let (ask_exception, make, kind_label): (_, _, fn(PassKind) -> &'static str) = if staff {
        (t::GRANT_EXCEPTION, t::ISSUE_MAKE, t::staff_kind_label)
    } else {
        (t::ASK_EXCEPTION, t::MAKE, t::kind_label)
    };
    let shows = move |kinds: &'static [PassKind]| move || !kinds.contains(&kind.get());
    view! {
        <ActionForm
            action=create
            attr:class="mt-4 grid max-w-xl gap-4"
            attr:data-testid="pass-form"
        >
            <input type="hidden" name="pass[key]" value=form.key.clone() />
            {for_resident}
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
                                {kind_label(k)}
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
            // the limits are of cars: over one, the dispatcher may make an exception
            <div
                class="grid gap-2 rounded-lg bg-slate-50 p-3"
                hidden=move || {
                    !(kind.get() == PassKind::Car || kind.get() == PassKind::Guest && by_car.get())
                }
            >
                <label class="flex items-center gap-2 text-sm">
                    <input
                        type="checkbox"
                        name="pass[exception]"
                        on:change=move |ev| exception.set(event_target_checked(&ev))
                    />
                    {ask_exception}
                </label>
                <label class=style::LABEL hidden=move || !exception.get()>
                    {t::EXCEPTION_NOTE}
                    <input name="pass[exception_note]" class=style::INPUT maxlength="200" />
                </label>
            </div>
            <div>
                <button type="submit" class=style::BUTTON data-testid="make-pass">
                    {make}
                </button>
            </div>
            <crate::ui::FormResult value=create.value() />
        </ActionForm>
    }
}

/// `/staff/passes/new?house=…&flat=…`: the dispatcher makes a pass for a resident who called —
/// the flat first, then for whom, with the resident's own form (the same rules and limits; an
/// exception the dispatcher ticks is granted). After a pass is made, `made=<token>` shows its
/// page's link (the QR and the code to say on the phone) over a fresh form.
#[component]
pub fn IssuePassPage() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let issue = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("house").and_then(|h| h.parse::<i64>().ok()),
                q.get("flat").unwrap_or_default(),
            )
        },
        |(house, flat)| load_issue_form(house, flat),
    );
    let made = move || {
        query.read().get("made").map(|token| {
            view! {
                <p
                    role="status"
                    class="mt-4 max-w-xl rounded-lg bg-teal-50 p-3 text-teal-900"
                    data-testid="issued"
                >
                    {t::ISSUED}
                    " "
                    <a href=format!("/p/{token}") target="_blank" class="font-medium underline">
                        {t::ISSUED_OPEN}
                    </a>
                </p>
            }
        })
    };
    view! {
        <a href="/staff/passes" class="text-sm text-teal-700 underline">
            {t::BACK_TO_DESK}
        </a>
        <h1 class=format!("{} mt-2", style::H1)>{t::ISSUE_TITLE}</h1>
        <p class="mt-1 max-w-xl text-slate-600">{t::ISSUE_HINT}</p>
        {made}
        <Suspense fallback=Loading>
            {move || {
                let navigate = navigate.clone();
                Suspend::new(async move {
                    match issue.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(f) => {
                            let (house, flat) = (f.house, f.flat.clone());
                            let on_made = Callback::new(move |link: String| {
                                let token = link.trim_start_matches("/p/");
                                navigate(
                                    &format!(
                                        "/staff/passes/new?house={house}&flat={flat}&made={token}",
                                    ),
                                    Default::default(),
                                );
                            });
                            view! {
                                <form
                                    method="get"
                                    action="/staff/passes/new"
                                    class="mt-4 flex flex-wrap items-end gap-3"
                                >
                                    <label class=style::LABEL>
                                        {t::HOUSE}
                                        <select
                                            name="house"
                                            class=style::INPUT
                                            data-testid="issue-house"
                                        >
                                            <HouseOptions houses=f.houses.clone() chosen=f.house />
                                        </select>
                                    </label>
                                    <label class=style::LABEL>
                                        {t::FLAT_NUMBER}
                                        <input
                                            name="flat"
                                            value=f.flat.clone()
                                            class=format!("{} w-28", style::INPUT)
                                            inputmode="numeric"
                                            required=true
                                            data-testid="issue-flat"
                                        />
                                    </label>
                                    <button
                                        type="submit"
                                        class=style::BUTTON_SECONDARY
                                        data-testid="issue-find"
                                    >
                                        {t::FIND_FLAT}
                                    </button>
                                </form>
                                {f
                                    .problem
                                    .map(|p| {
                                        view! {
                                            <p role="alert" class="mt-2 text-sm text-red-700">
                                                {p}
                                            </p>
                                        }
                                    })}
                                {f
                                    .form
                                    .map(|form| {
                                        view! { <NewPassFields form=form on_made=on_made /> }
                                    })}
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Suspense>
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
    let post = OfflinePost::new(query);
    // the latest answer, of a check or of a record (whichever came last); when the server does
    // not answer, the day's passes do and a record waits in the queue
    let shown = RwSignal::new(None::<Shown>);
    let asked = StoredValue::new(None::<GateCheck>);
    Effect::new(move |_| {
        if let Some(input) = check.input().get() {
            asked.set_value(Some(input));
        }
    });
    Effect::new(move |_| {
        let Some(answer) = check.value().get() else {
            return;
        };
        shown.set(Some(match (answer, asked.get_value()) {
            (Err(AppError::Transport(_)), Some(input)) => post.check(&input),
            (answer, _) => Shown::online(answer, false),
        }));
    });
    let recorded = StoredValue::new(None::<GateRecord>);
    Effect::new(move |_| {
        if let Some(input) = record.input().get() {
            recorded.set_value(Some(input));
        }
    });
    Effect::new(move |_| {
        let Some(answer) = record.value().get() else {
            return;
        };
        shown.set(Some(match (answer, recorded.get_value()) {
            (Err(AppError::Transport(_)), Some(input)) => post.record(&input),
            (answer, _) => Shown::online(answer.map(Some), true),
        }));
    });
    view! {
        <script src="/scan.js" defer=true></script>
        <h1 class=style::H1>{t::GATE_TITLE}</h1>
        <OfflineNote post=post />
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
                                            data-scan-target=""
                                        />
                                    </label>
                                    <div class="flex flex-wrap gap-2">
                                        <button
                                            type="submit"
                                            class=style::BUTTON
                                            data-testid="gate-check"
                                        >
                                            {t::CHECK}
                                        </button>
                                        <button
                                            type="button"
                                            class=style::BUTTON_SECONDARY
                                            data-scan-start=""
                                            data-testid="gate-scan"
                                        >
                                            {t::SCAN}
                                        </button>
                                    </div>
                                    // public/scan.js: the camera reads the QR into the field above
                                    <div data-scanner="" hidden=true class="grid gap-2">
                                        <video
                                            class="aspect-square w-full max-w-sm rounded-xl bg-slate-900 object-cover"
                                            muted=true
                                            playsinline=true
                                            data-testid="gate-video"
                                        ></video>
                                        <p class="text-sm text-slate-700" data-scan-note=""></p>
                                        <div>
                                            <button
                                                type="button"
                                                class=style::BUTTON_SECONDARY
                                                data-scan-stop=""
                                            >
                                                {t::SCAN_STOP}
                                            </button>
                                        </div>
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
                .map(|Shown { answer, recorded, offline }| match answer {
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
                        view! {
                            <GateAnswerCard
                                a=a
                                record=record
                                just_recorded=recorded
                                offline=offline
                            />
                        }
                            .into_any()
                    }
                })
        }}
        <GateCameras />
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
    offline: bool,
) -> impl IntoView {
    let ok = a.refusal.is_none();
    let headline = match a.refusal {
        None if just_recorded && offline => t::LET_IN_OFFLINE.to_string(),
        None if just_recorded => t::LET_IN.to_string(),
        None => t::VALID.to_string(),
        Some(r) => r.message().to_string(),
    };
    let mut details = Vec::new();
    if offline {
        details.push(t::ANSWERED_OFFLINE.to_string());
    }
    details.push(format!("{} — {}", t::staff_kind_label(a.kind), a.who));
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

/// What the post shows under the form: an answer (of a check or of a record), and whether it
/// came from the day's passes because the server did not answer.
#[derive(Debug, Clone)]
struct Shown {
    answer: Result<Option<GateAnswer>, AppError>,
    recorded: bool,
    offline: bool,
}

impl Shown {
    fn online(answer: Result<Option<GateAnswer>, AppError>, recorded: bool) -> Self {
        Self {
            answer,
            recorded,
            offline: false,
        }
    }
}

/// The post's memory for a poor connection (`post`): the day's passes of its house, loaded when
/// the page opens and every few minutes, and the records waiting to be sent, tried every few
/// seconds and when the browser says it is back online.
#[derive(Debug, Clone, Copy)]
struct OfflinePost {
    day: RwSignal<Option<GateDay>>,
    queue: RwSignal<Vec<QueuedEntry>>,
    /// What the server did not take of the queue (a pass used meanwhile at another gate).
    problems: RwSignal<Vec<String>>,
    /// Why the server took none of the queue on the last try, when it answered at all.
    unsent: RwSignal<Option<String>>,
    sending: RwSignal<bool>,
}

/// How often the post reloads the day's passes, and tries to send its queue.
const DAY_RELOAD: std::time::Duration = std::time::Duration::from_secs(300);
const QUEUE_RETRY: std::time::Duration = std::time::Duration::from_secs(10);

impl OfflinePost {
    fn new(query: Memo<leptos_router::params::ParamsMap>) -> Self {
        let post = Self {
            day: RwSignal::new(None),
            queue: RwSignal::new(Vec::new()),
            problems: RwSignal::new(Vec::new()),
            unsent: RwSignal::new(None),
            sending: RwSignal::new(false),
        };
        let reload = RwSignal::new(0u32);
        Effect::new(move |_| {
            post.queue.set(post::browser::load_queue());
            for (every, tick) in [(DAY_RELOAD, true), (QUEUE_RETRY, false)] {
                if let Ok(handle) = set_interval_with_handle(
                    move || {
                        if tick {
                            reload.update(|r| *r += 1);
                        } else {
                            post.send();
                        }
                    },
                    every,
                ) {
                    on_cleanup(move || handle.clear());
                }
            }
            let online = window_event_listener_untyped("online", move |_| post.send());
            on_cleanup(move || online.remove());
        });
        Effect::new(move |_| {
            reload.track();
            let house = query
                .read()
                .get("house")
                .and_then(|h| h.parse::<i64>().ok());
            leptos::task::spawn_local(async move {
                // offline the list loaded before stays
                if let Ok(day) = load_gate_day(house).await {
                    post.day.set(Some(day));
                }
            });
            post.send();
        });
        post
    }

    /// A check answered from the day's passes.
    fn check(self, input: &GateCheck) -> Shown {
        let answer = match rules::read_lookup(&input.query) {
            Err(e) => Err(AppError::invalid(e.to_string())),
            Ok(lookup) => match self.day.get_untracked() {
                None => Err(AppError::invalid(t::NO_DAY_LIST)),
                Some(day) => {
                    Ok(day.check(&lookup, post::browser::now(), post::browser::fresh_key()))
                }
            },
        };
        Shown {
            answer,
            recorded: false,
            offline: true,
        }
    }

    /// A record kept in the queue, counted in the day's passes at once.
    fn record(self, input: &GateRecord) -> Shown {
        let Some(direction) = Direction::parse(&input.direction) else {
            return Shown::online(Err(AppError::invalid("Вход или выход?")), true);
        };
        let now = post::browser::now();
        self.queue.update(|queue| {
            if !queue.iter().any(|q| q.key == input.key) {
                queue.push(QueuedEntry {
                    house: input.house,
                    pass: input.pass,
                    direction,
                    key: input.key.clone(),
                    at: now,
                });
            }
            post::browser::save_queue(queue);
        });
        let mut answer = None;
        self.day.update(|day| {
            if let Some(day) = day {
                if direction == Direction::In {
                    day.count_entry(input.pass);
                }
                answer = day
                    .passes
                    .iter()
                    .find(|p| p.answer.pass_id == input.pass)
                    .map(|p| GateAnswer {
                        refusal: None,
                        entries: i64::from(p.facts.entries),
                        key: post::browser::fresh_key(),
                        ..p.answer.clone()
                    });
            }
        });
        Shown {
            // without the day's list there is nothing to show but that the record waits
            answer: answer
                .ok_or_else(|| AppError::invalid(t::LET_IN_OFFLINE))
                .map(Some),
            recorded: true,
            offline: true,
        }
    }

    /// Sends the queue if there is one and nothing is being sent; what the server answered
    /// leaves it (taken, or refused with the reason shown), the rest stays for the next try.
    fn send(self) {
        let queue = self.queue.get_untracked();
        if queue.is_empty() || self.sending.get_untracked() {
            return;
        }
        self.sending.set(true);
        leptos::task::spawn_local(async move {
            match gate_sync(queue).await {
                Ok(synced) => {
                    self.unsent.set(None);
                    self.queue.update(|queue| {
                        queue.retain(|q| !synced.iter().any(|s| s.key == q.key));
                        post::browser::save_queue(queue);
                    });
                    self.problems
                        .update(|p| p.extend(synced.into_iter().filter_map(|s| s.problem)));
                }
                // still offline: the next try
                Err(AppError::Transport(_)) => {}
                // the server answered but took nothing (signed out, say): the guard must know
                // the records wait; they stay for the next try
                Err(e) => self.unsent.set(Some(e.to_string())),
            }
            self.sending.set(false);
        });
    }
}

/// The post's memory: which list of the day's passes it would answer from without a
/// connection, the records waiting to be sent, and what the server refused of them.
#[component]
fn OfflineNote(post: OfflinePost) -> impl IntoView {
    let ready = move || {
        post.day.with(|d| {
            d.as_ref().map(|d| {
                view! {
                    <p class="mt-1 text-xs text-slate-500" data-testid="gate-day">
                        {format!(
                            "{} {} ({} {})",
                            t::DAY_LIST_FROM,
                            d.loaded,
                            t::PASSES_WORD,
                            d.passes.len(),
                        )}
                    </p>
                }
            })
        })
    };
    let waiting = move || {
        let waiting = post.queue.with(Vec::len);
        let problems = post.problems.get();
        (waiting > 0 || !problems.is_empty()).then(|| {
            view! {
                <div
                    class="mt-3 max-w-xl rounded-lg border border-amber-400 bg-amber-50 p-3 text-sm text-amber-900"
                    role="status"
                    data-testid="gate-offline"
                >
                    {(waiting > 0)
                        .then(|| view! { <p>{format!("{} {waiting}.", t::WAITING_TO_SEND)}</p> })}
                    {post
                        .unsent
                        .get()
                        .filter(|_| waiting > 0)
                        .map(|why| {
                            view! { <p class="font-medium">{format!("{}: {why}", t::UNSENT)}</p> }
                        })}
                    {problems
                        .into_iter()
                        .map(|p| {
                            view! { <p class="font-medium">{format!("{}: {p}", t::NOT_TAKEN)}</p> }
                        })
                        .collect_view()}
                </div>
            }
        })
    };
    view! {
        {ready}
        {waiting}
    }
}

/// The cameras' side of the guard's post: each gate's picture, refreshed every few seconds, and
/// the latest plate reads — those the camera could not settle with "let in" / "refuse".
#[component]
fn GateCameras() -> impl IntoView {
    // created here, at the page's top, not inside the houses' Suspense: rendered once
    let query = use_query_map();
    let (tick, set_tick) = signal(0u32);
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || set_tick.update(|t| *t += 1),
            std::time::Duration::from_secs(4),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let decide = ServerAction::<DecidePlate>::new();
    let screen = Resource::new(
        move || {
            (
                query
                    .read()
                    .get("house")
                    .and_then(|h| h.parse::<i64>().ok()),
                tick.get(),
                decide.version().get(),
            )
        },
        |(house, _, _)| load_gate_screen(house),
    );
    view! {
        <section class="mt-8 max-w-3xl" data-testid="gate-cameras">
            <h2 class=style::H2>{t::CAMERAS}</h2>
            <crate::ui::FormResult value=decide.value() />
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match screen.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(s) if s.gates.is_empty() => {
                            view! { <p class="mt-2 text-slate-600">{t::NO_GATES}</p> }.into_any()
                        }
                        Ok(s) => {
                            view! {
                                <div class="mt-3 grid gap-3 sm:grid-cols-2">
                                    {s
                                        .gates
                                        .into_iter()
                                        .filter(|g| g.has_picture)
                                        .map(|g| {
                                            view! {
                                                <figure class=style::CARD>
                                                    <img
                                                        src=format!(
                                                            "/staff/gates/{}/picture?t={}",
                                                            g.id,
                                                            tick.get_untracked(),
                                                        )
                                                        alt=format!("{}: {}", t::CAMERA_PICTURE, g.name)
                                                        class="aspect-video w-full rounded bg-slate-200 object-cover"
                                                        width="320"
                                                        height="180"
                                                    />
                                                    <figcaption class="mt-1 text-sm text-slate-600">
                                                        {g.name}
                                                    </figcaption>
                                                </figure>
                                            }
                                        })
                                        .collect_view()}
                                </div>
                                {if s.events.is_empty() {
                                    view! { <p class="mt-3 text-slate-600">{t::NO_READS}</p> }
                                        .into_any()
                                } else {
                                    view! {
                                        <ul class="mt-3 space-y-2">
                                            {s
                                                .events
                                                .into_iter()
                                                .map(|e| view! { <PlateEventCard e=e decide=decide /> })
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }}
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PlateEventCard(e: PlateEventRow, decide: ServerAction<DecidePlate>) -> impl IntoView {
    let (badge, tone) = match e.decision {
        PlateDecision::Open => (t::OPENED_BY_ITSELF, "bg-green-100 text-green-800"),
        PlateDecision::Refuse => (t::REFUSED, "bg-red-100 text-red-800"),
        PlateDecision::Ask => (t::ASK_GUARD, "bg-amber-100 text-amber-900"),
    };
    let outcome = [
        e.barrier.map(|b| match b {
            BarrierAnswer::Opened => t::BARRIER_OPENED,
            BarrierAnswer::Failed => t::BARRIER_FAILED,
        }),
        e.guard_decision.map(|d| match d {
            GuardDecision::LetIn => t::GUARD_LET_IN,
            GuardDecision::Refused => t::GUARD_REFUSED,
        }),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let (id, same_id) = (e.id.to_string(), e.id.to_string());
    let waiting = e.awaits_guard();
    view! {
        <li class=format!("{} flex gap-3", style::CARD) data-testid="plate-event">
            {e
                .has_snapshot
                .then(|| {
                    let src = format!("/staff/gates/events/{}/snapshot", e.id);
                    let href = src.clone();
                    view! {
                        <a href=href target="_blank" class="shrink-0">
                            <img
                                src=src
                                alt=t::SNAPSHOT
                                loading="lazy"
                                class="h-16 w-24 rounded bg-slate-200 object-cover"
                                width="96"
                                height="64"
                            />
                        </a>
                    }
                })}
            <div class="min-w-0 flex-1">
                <div class="flex flex-wrap items-center gap-2">
                    <span class="font-mono text-lg font-semibold">
                        {if e.plate.is_empty() {
                            t::UNREAD_PLATE.to_string()
                        } else {
                            e.plate.clone()
                        }}
                    </span>
                    <span class=format!(
                        "rounded px-2 py-0.5 text-xs font-semibold {tone}",
                    )>{badge}</span>
                    <span class="text-sm text-slate-600">
                        {format!(
                            "{} · {}, {} · {} %",
                            e.at,
                            e.gate,
                            t::direction_label(e.direction),
                            e.confidence,
                        )}
                    </span>
                </div>
                <p class="mt-1 text-sm">{e.reason.clone()}</p>
                {(!e.candidates.is_empty())
                    .then(|| {
                        view! {
                            <p class="mt-1 text-sm">
                                {t::SIMILAR} " "
                                <span class="font-mono">{e.candidates.join(", ")}</span>
                            </p>
                        }
                    })}
                {(!outcome.is_empty())
                    .then(|| view! { <p class="mt-1 text-sm text-slate-600">{outcome}</p> })}
                {waiting
                    .then(|| {
                        view! {
                            <div class="mt-2 flex gap-2">
                                <ActionForm action=decide>
                                    <input type="hidden" name="event" value=id />
                                    <input type="hidden" name="let_in" value="true" />
                                    <button
                                        type="submit"
                                        class=style::BUTTON
                                        data-testid="plate-let-in"
                                    >
                                        {t::LET_IN_CAR}
                                    </button>
                                </ActionForm>
                                <ActionForm action=decide>
                                    <input type="hidden" name="event" value=same_id />
                                    <input type="hidden" name="let_in" value="false" />
                                    <button type="submit" class=style::BUTTON_SECONDARY>
                                        {t::REFUSE_CAR}
                                    </button>
                                </ActionForm>
                            </div>
                        }
                    })}
            </div>
        </li>
    }
}

/// `/staff/passes`: the dispatcher's desk for a house and a day — the cars inside now (a guest's
/// over its time marked), the day's passes, the day's log with its download for any days.
#[component]
pub fn DeskPage() -> impl IntoView {
    let query = use_query_map();
    let decide = ServerAction::<DecidePassException>::new();
    let save = ServerAction::<SavePassSettings>::new();
    let desk = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("house").and_then(|h| h.parse::<i64>().ok()),
                q.get("day").unwrap_or_default(),
                decide.version().get() + save.version().get(),
            )
        },
        |(house, day, _)| load_pass_desk(house, day),
    );
    let issue_link = move || match query.read().get("house") {
        Some(house) => format!("/staff/passes/new?house={house}"),
        None => "/staff/passes/new".to_string(),
    };
    view! {
        <div class="flex flex-wrap items-center justify-between gap-3">
            <h1 class=style::H1>{t::DESK_TITLE}</h1>
            <a href=issue_link class=style::BUTTON data-testid="desk-issue">
                {t::ISSUE}
            </a>
        </div>
        <crate::ui::FormResult value=decide.value() />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match desk.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(d) => {
                        let settings = d.settings;
                        view! {
                            <DeskView d=d decide=decide />
                            <SettingsForm s=settings save=save />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeskView(d: PassDesk, decide: ServerAction<DecidePassException>) -> impl IntoView {
    let house = d.house.to_string();
    view! {
        <form method="get" action="/staff/passes" class="mt-4 flex flex-wrap items-end gap-3">
            <label class=style::LABEL>
                {t::HOUSE} <select name="house" class=style::INPUT data-testid="desk-house">
                    <HouseOptions houses=d.houses.clone() chosen=d.house />
                </select>
            </label>
            <label class=style::LABEL>
                {t::DAY} <input type="date" name="day" value=d.day.clone() class=style::INPUT />
            </label>
            <button type="submit" class=style::BUTTON_SECONDARY>
                {t::SHOW}
            </button>
        </form>

        {(!d.exceptions.is_empty())
            .then(|| {
                view! {
                    <h2 class=format!("{} mt-6", style::H2)>{t::EXCEPTIONS}</h2>
                    <ul class="mt-2 grid gap-2 sm:grid-cols-2" data-testid="desk-exceptions">
                        {d
                            .exceptions
                            .into_iter()
                            .map(|p| view! { <ExceptionCard p=p decide=decide /> })
                            .collect_view()}
                    </ul>
                }
            })}

        <h2 class=format!("{} mt-6", style::H2)>{t::INSIDE}</h2>
        {if d.inside.is_empty() {
            view! { <p class="mt-2 text-slate-600">{t::NO_CARS_INSIDE}</p> }.into_any()
        } else {
            view! {
                <ul class="mt-2 grid gap-2 sm:grid-cols-2" data-testid="desk-inside">
                    {d
                        .inside
                        .into_iter()
                        .map(|c| {
                            view! {
                                <li class=style::CARD>
                                    <p class="font-mono text-lg font-semibold">{c.plate}</p>
                                    <p class="text-sm">
                                        {format!("{} — {}", t::staff_kind_label(c.kind), c.who)}
                                    </p>
                                    <p class="text-sm text-slate-600">
                                        {format!("{} · {} {}", c.home, t::SINCE, c.since)}
                                    </p>
                                    {c
                                        .overdue
                                        .then(|| {
                                            view! {
                                                <p class="mt-1 w-fit rounded bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-800">
                                                    {t::OVERDUE}
                                                </p>
                                            }
                                        })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}

        <h2 class=format!("{} mt-6", style::H2)>{t::DAY_PASSES}</h2>
        {if d.passes.is_empty() {
            view! { <p class="mt-2 text-slate-600">{t::NO_DAY_PASSES}</p> }.into_any()
        } else {
            view! {
                <ul class="mt-2 grid gap-2 sm:grid-cols-2" data-testid="desk-passes">
                    {d
                        .passes
                        .into_iter()
                        .map(|p| {
                            view! {
                                <li class=style::CARD>
                                    <div class="flex items-start justify-between gap-2">
                                        <p class="font-medium">{p.title}</p>
                                        <span class=format!(
                                            "rounded px-2 py-0.5 text-xs font-semibold {}",
                                            state_tone(p.state),
                                        )>{p.state.label()}</span>
                                    </div>
                                    <p class="text-sm text-slate-600">
                                        {format!("{} · {}", t::staff_kind_label(p.kind), p.home)}
                                    </p>
                                    <p class="text-sm">{p.when}</p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}

        <h2 class=format!("{} mt-6", style::H2)>{t::LOG}</h2>
        {if d.log.is_empty() {
            view! { <p class="mt-2 text-slate-600">{t::NO_LOG}</p> }.into_any()
        } else {
            view! {
                <div class="mt-2 overflow-x-auto">
                    <table class="w-full text-left text-sm" data-testid="desk-log">
                        <thead class="text-slate-600">
                            <tr>
                                <th class="py-1 pr-3">{t::LOG_AT}</th>
                                <th class="py-1 pr-3"></th>
                                <th class="py-1 pr-3">{t::LOG_WHO}</th>
                                <th class="py-1 pr-3">{t::LOG_HOME}</th>
                                <th class="py-1 pr-3">{t::LOG_BY}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {d
                                .log
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <tr class="border-t border-slate-200">
                                            <td class="py-1 pr-3 whitespace-nowrap">{r.at}</td>
                                            <td class="py-1 pr-3">{t::direction_label(r.direction)}</td>
                                            <td class="py-1 pr-3">
                                                {r.who}
                                                {r
                                                    .plate
                                                    .map(|p| {
                                                        view! { <span class="ml-1 font-mono">{p}</span> }
                                                    })}
                                            </td>
                                            <td class="py-1 pr-3">{r.home}</td>
                                            <td class="py-1 pr-3">{r.by}</td>
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
        // a plain form: the browser downloads the file
        <form
            method="get"
            action="/staff/passes/log"
            class="mt-4 flex flex-wrap items-end gap-3"
            data-testid="desk-export"
        >
            <input type="hidden" name="house" value=house />
            <label class=style::LABEL>
                {t::EXPORT_FROM}
                <input type="date" name="from" value=d.day.clone() class=style::INPUT />
            </label>
            <label class=style::LABEL>
                {t::EXPORT_TO} <input type="date" name="to" value=d.day class=style::INPUT />
            </label>
            <span class="text-sm text-slate-600">{t::EXPORT}</span>
            <button type="submit" name="format" value="xlsx" class=style::BUTTON_SECONDARY>
                "XLSX"
            </button>
            <button type="submit" name="format" value="csv" class=style::BUTTON_SECONDARY>
                "CSV"
            </button>
        </form>
    }
}

/// The houses of a staff page's house select, `chosen` selected.
#[component]
fn HouseOptions(houses: Vec<(i64, String)>, chosen: i64) -> impl IntoView {
    houses
        .into_iter()
        .map(|(id, address)| {
            view! {
                <option value=id.to_string() selected=id == chosen>
                    {address}
                </option>
            }
        })
        .collect_view()
}

/// A pass over the limits on the desk: what, whose, the resident's reason; approve, or refuse
/// with a reason the resident reads.
#[component]
fn ExceptionCard(p: PassRow, decide: ServerAction<DecidePassException>) -> impl IntoView {
    let (id, same_id) = (p.id.to_string(), p.id.to_string());
    view! {
        <li class=style::CARD data-testid="desk-exception">
            <p class="font-medium">{p.title}</p>
            <p class="text-sm text-slate-600">
                {format!("{} · {}", t::staff_kind_label(p.kind), p.home)}
            </p>
            <p class="text-sm">{p.when}</p>
            {p.approval_note.map(|note| view! { <p class="mt-1 text-sm italic">{note}</p> })}
            <ActionForm action=decide attr:class="mt-2">
                <input type="hidden" name="pass" value=id />
                <input type="hidden" name="approve" value="true" />
                <button type="submit" class=style::BUTTON data-testid="exception-approve">
                    {t::APPROVE}
                </button>
            </ActionForm>
            <ActionForm action=decide attr:class="mt-2 grid gap-2">
                <input type="hidden" name="pass" value=same_id />
                <input type="hidden" name="approve" value="false" />
                <label class=style::LABEL>
                    {t::REFUSAL_REASON} <input name="reason" class=style::INPUT maxlength="200" />
                </label>
                <div>
                    <button type="submit" class=style::BUTTON_SECONDARY>
                        {t::REFUSE_EXCEPTION}
                    </button>
                </div>
            </ActionForm>
        </li>
    }
}

/// The house's limits per flat and how long guests' data is kept, under the desk.
#[component]
fn SettingsForm(s: PassSettings, save: ServerAction<SavePassSettings>) -> impl IntoView {
    let values = [
        ("cars_per_flat", s.cars_per_flat),
        ("guest_cars_at_once", s.guest_cars_at_once),
        ("guest_car_hours_per_month", s.guest_car_hours_per_month),
        ("guest_max_days", s.guest_max_days),
        ("retention_days", s.retention_days),
    ];
    view! {
        <details class=format!("{} mt-8 max-w-xl", style::CARD) data-testid="desk-settings">
            <summary class="cursor-pointer font-semibold">{t::SETTINGS}</summary>
            <ActionForm action=save attr:class="mt-3 grid gap-3">
                <input type="hidden" name="settings[house]" value=s.house.to_string() />
                {super::rules::SETTINGS_RANGES
                    .iter()
                    .zip(values)
                    .map(|((label, min, max), (name, value))| {
                        view! {
                            <label class=style::LABEL>
                                {*label}
                                <input
                                    type="number"
                                    name=format!("settings[{name}]")
                                    value=value.to_string()
                                    min=min.to_string()
                                    max=max.to_string()
                                    required=true
                                    class=style::INPUT
                                />
                            </label>
                        }
                    })
                    .collect_view()}
                <div>
                    <button type="submit" class=style::BUTTON data-testid="settings-save">
                        {t::SAVE_SETTINGS}
                    </button>
                </div>
                <crate::ui::FormResult value=save.value() success=t::SETTINGS_SAVED />
            </ActionForm>
        </details>
    }
}
