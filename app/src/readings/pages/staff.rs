//! Staff pages: a house's readings, an apartment's meters, entering, adding and importing.

use super::*;

/// Staff: a house's readings — window settings, progress, who has not handed in, flagged
/// readings, closing the period.
#[component]
pub fn StaffReadingsPage() -> impl IntoView {
    let query = use_query_map();
    let house = move || {
        query
            .read()
            .get("house")
            .and_then(|h| h.parse::<i64>().ok())
    };
    let period = move || query.read().get("period");
    let save = ServerAction::<SaveReadingWindow>::new();
    let close = ServerAction::<CloseReadingPeriod>::new();
    let review = ServerAction::<ReviewReading>::new();
    let enter = ServerAction::<EnterBuildingReadings>::new();
    let add = ServerAction::<AddMeter>::new();
    let changes = move || {
        save.version().get()
            + close.version().get()
            + review.version().get()
            + enter.version().get()
            + add.version().get()
    };
    let data = Resource::new(
        move || (house(), period(), changes()),
        // one server function per resource (see billing's page)
        move |(house, period, _)| load_house_readings(house, period),
    );
    view! {
        <h1 class=style::H1>{t::STAFF_TITLE}</h1>
        <div class="mt-2 flex flex-wrap items-end gap-3">
            <form method="get" class="flex flex-wrap items-end gap-2">
                <HouseSelect name="house" selected=Signal::derive(house) />
                <button class=style::BUTTON_SECONDARY type="submit">
                    {t::SHOW}
                </button>
            </form>
            <a class="text-sm text-teal-700 underline" href="/staff/readings/import">
                {t::IMPORT}
            </a>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(r) => {
                        view! {
                            <HouseView
                                r=r
                                save=save
                                close=close
                                review=review
                                enter=enter
                                add=add
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
fn HouseView(
    r: HouseReadings,
    save: ServerAction<SaveReadingWindow>,
    close: ServerAction<CloseReadingPeriod>,
    review: ServerAction<ReviewReading>,
    enter: ServerAction<EnterBuildingReadings>,
    add: ServerAction<AddMeter>,
) -> impl IntoView {
    let role = use_user().map(|u| u.role);
    let can = move |p| role.is_some_and(|r| role_can(r, p));
    let link = |p: Period| format!("/staff/readings?house={}&period={p}", r.house_id);
    let s = r.settings.clone();
    view! {
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <section class=style::CARD>
                <div class="flex items-center justify-between">
                    <a class="text-sm text-teal-700" href=link(r.period.plus(-1))>
                        "← "
                        {r.period.plus(-1).label()}
                    </a>
                    <h2 class=style::H2 data-testid="period">
                        {r.period.label()}
                    </h2>
                    <a class="text-sm text-teal-700" href=link(r.period.plus(1))>
                        {r.period.plus(1).label()}
                        " →"
                    </a>
                </div>
                <WindowNote window=r.window />
                <p class="mt-3 text-sm" data-testid="progress">
                    {format!("{}: {} из {}", t::SUBMITTED_COUNT, r.submitted, r.meters_total)}
                </p>
                <div class="mt-1 h-2 rounded bg-slate-100">
                    <div
                        class="h-2 rounded bg-teal-600"
                        style=format!(
                            "width:{}%",
                            if r.meters_total > 0 { r.submitted * 100 / r.meters_total } else { 0 },
                        )
                    ></div>
                </div>
                {if r.period_closed {
                    view! {
                        <p class="mt-3 text-sm font-medium text-slate-700">{t::PERIOD_CLOSED}</p>
                    }
                        .into_any()
                } else if can(Permission::ClosePeriods) {
                    view! {
                        <ActionForm action=close>
                            <input type="hidden" name="house_id" value=r.house_id />
                            <input type="hidden" name="period" value=r.period.to_string() />
                            <p class="mt-3 text-xs text-slate-500">{t::CLOSE_HINT}</p>
                            <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">
                                {t::CLOSE_PERIOD}
                            </button>
                            <FormResult value=close.value() success=t::CLOSED_DONE />
                        </ActionForm>
                    }
                        .into_any()
                } else {
                    ().into_any()
                }}
            </section>
            <section class=style::CARD>
                <h2 class=style::H2>{t::WINDOW}</h2>
                <ActionForm action=save>
                    <input type="hidden" name="house_id" value=r.house_id />
                    <fieldset
                        disabled=!can(Permission::ManageMeters)
                        class="grid grid-cols-2 gap-2"
                    >
                        <label class=style::LABEL>
                            {t::FIRST_DAY}
                            <input
                                class=style::INPUT
                                type="number"
                                min="1"
                                max="31"
                                name="first_day"
                                value=s.first_day
                            />
                        </label>
                        <label class=style::LABEL>
                            {t::LAST_DAY}
                            <input
                                class=style::INPUT
                                type="number"
                                min="1"
                                max="31"
                                name="last_day"
                                value=s.last_day
                            />
                        </label>
                        <label class=format!(
                            "{} col-span-2",
                            style::LABEL,
                        )>
                            {t::MODE} <select class=style::INPUT name="mode">
                                <option value="strict" selected=s.strict>
                                    {t::STRICT}
                                </option>
                                <option value="soft" selected=!s.strict>
                                    {t::SOFT}
                                </option>
                            </select>
                        </label>
                        <label class=format!(
                            "{} col-span-2",
                            style::LABEL,
                        )>
                            {t::TIME_ZONE}
                            <input class=style::INPUT name="time_zone" value=s.time_zone.clone() />
                        </label>
                        <button
                            class=format!("{} col-span-2 mt-1 justify-self-start", style::BUTTON)
                            type="submit"
                        >
                            {t::SAVE}
                        </button>
                    </fieldset>
                    <FormResult value=save.value() success=t::SAVED />
                </ActionForm>
            </section>
        </div>
        <section class=format!("{} mt-4 overflow-x-auto", style::CARD)>
            <h2 class=style::H2>{t::FLAGGED}</h2>
            <FormResult value=review.value() />
            {if r.flagged.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">{t::NO_FLAGGED}</p> }.into_any()
            } else {
                view! {
                    <table class=format!("{} mt-2", style::TABLE) data-testid="flagged">
                        <tbody class="divide-y divide-slate-100">
                            {r
                                .flagged
                                .into_iter()
                                .map(|f| {
                                    view! {
                                        <tr>
                                            <td class=style::TD>{f.apartment.clone()}</td>
                                            <td class=style::TD>
                                                <a
                                                    class="text-teal-700 underline"
                                                    href=format!("/staff/meter/{}", f.meter_id)
                                                >
                                                    {f.meter.clone()}
                                                </a>
                                                <p class="text-xs text-slate-500">
                                                    {f.values.clone()}" · "{f.entered_at.clone()}
                                                </p>
                                            </td>
                                            <td class=format!(
                                                "{} text-amber-800",
                                                style::TD,
                                            )>{f.flag.clone()}</td>
                                            <td class=style::TD>
                                                {can(Permission::EnterReadings)
                                                    .then(|| {
                                                        view! {
                                                            <ActionForm action=review>
                                                                <input type="hidden" name="reading_id" value=f.reading_id />
                                                                <button class=style::BUTTON_SECONDARY type="submit">
                                                                    {t::REVIEWED}
                                                                </button>
                                                            </ActionForm>
                                                        }
                                                    })}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
        <BuildingMeters
            house_id=r.house_id
            meters=r.building.clone()
            period=r.entry_period
            today=r.today
            enter=enter
            add=add
        />
        <section class=format!("{} mt-4 overflow-x-auto", style::CARD)>
            <h2 class=style::H2>{t::MISSING}" ("{r.missing.len()}")"</h2>
            {if r.missing.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">{t::NOBODY_MISSING}</p> }.into_any()
            } else {
                view! {
                    <table class=format!("{} mt-2", style::TABLE) data-testid="missing">
                        <thead>
                            <tr>
                                <th class=style::TH>{t::APARTMENT}</th>
                                <th class=style::TH>{t::RESIDENTS}</th>
                                <th class=style::TH>{t::METERS}</th>
                            </tr>
                        </thead>
                        <tbody class="divide-y divide-slate-100">
                            {r
                                .missing
                                .into_iter()
                                .map(|m| {
                                    view! {
                                        <tr>
                                            <td class=style::TD>
                                                <a
                                                    class="font-medium text-teal-700 underline"
                                                    href=format!("/staff/apartment/{}", m.apartment_id)
                                                >
                                                    {m.number}
                                                </a>
                                            </td>
                                            <td class=style::TD>{m.residents}</td>
                                            <td class=style::TD>{m.missing_meters}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}

/// Staff: the house's common meters (ОДПУ), read in the same window as the flats'.
#[component]
fn BuildingMeters(
    house_id: i64,
    meters: Vec<MeterView>,
    period: Period,
    today: chrono::NaiveDate,
    enter: ServerAction<EnterBuildingReadings>,
    add: ServerAction<AddMeter>,
) -> impl IntoView {
    let role = use_user().map(|u| u.role);
    let can = move |p| role.is_some_and(|r| role_can(r, p));
    let today = today.to_string();
    view! {
        <section class=format!("{} mt-4", style::CARD) data-testid="building-meters">
            <h2 class=style::H2>{t::BUILDING_METERS}</h2>
            <p class="text-xs text-slate-500">{format!("{}: {}", t::PERIOD, period.label())}</p>
            <table class=format!("{} mt-2", style::TABLE)>
                <tbody class="divide-y divide-slate-100">
                    {meters
                        .iter()
                        .map(|m| {
                            view! {
                                <tr>
                                    <td class=style::TD>
                                        <a
                                            class="text-teal-700 underline"
                                            href=format!("/staff/meter/{}", m.id)
                                        >
                                            {format!("{} №{}", m.resource.label(), m.serial)}
                                        </a>
                                    </td>
                                    <td class=format!(
                                        "{} font-mono",
                                        style::TD,
                                    )>{m.previous.as_ref().map(|p| format_values(&p.values))}</td>
                                    <td class=format!(
                                        "{} font-mono text-teal-800",
                                        style::TD,
                                    )>{m.current.as_ref().map(|c| format_values(&c.values))}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {(can(Permission::EnterReadings) && !meters.is_empty())
                .then(|| {
                    view! {
                        <ActionForm action=enter>
                            <input type="hidden" name="house_id" value=house_id />
                            <StaffEntryFields meters=meters.clone() today=today.clone() />
                            <FormResult value=enter.value() success=t::SUBMITTED />
                        </ActionForm>
                    }
                })}
            {can(Permission::ManageMeters)
                .then(|| view! { <AddMeterForm house_id=house_id add=add /> })}
        </section>
    }
}

/// The meters of an apartment card and the actions that change them. Made at the top of the page,
/// not inside its Suspense, so the resources the server renders and the browser hydrates line up.
#[derive(Clone, Copy)]
pub struct ApartmentMetersData {
    data: Resource<Result<ApartmentMeters, crate::error::AppError>>,
    enter: ServerAction<EnterReadings>,
    add: ServerAction<AddMeter>,
}

pub fn apartment_meters_data(
    apartment_id: impl Fn() -> i64 + Copy + Send + Sync + 'static,
) -> ApartmentMetersData {
    let enter = ServerAction::<EnterReadings>::new();
    let add = ServerAction::<AddMeter>::new();
    let data = Resource::new(
        move || (apartment_id(), enter.version().get() + add.version().get()),
        |(id, _)| load_apartment_meters(id),
    );
    ApartmentMetersData { data, enter, add }
}

/// Staff: the meters of an apartment on its card — enter readings, add a meter.
#[component]
pub fn ApartmentMetersSection(meters: ApartmentMetersData) -> impl IntoView {
    let ApartmentMetersData { data, enter, add } = meters;
    let user = use_user();
    let can_enter = user
        .as_ref()
        .is_some_and(|u| role_can(u.role, Permission::EnterReadings));
    let can_manage = user
        .as_ref()
        .is_some_and(|u| role_can(u.role, Permission::ManageMeters));
    view! {
        <section class=format!("{} mt-4", style::CARD) data-testid="apartment-meters">
            <h2 class=style::H2>{t::METERS}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(a) => {
                            let today = a.today.to_string();
                            let active: Vec<MeterView> = a
                                .meters
                                .iter()
                                .filter(|m| m.archived_on.is_none())
                                .cloned()
                                .collect();
                            view! {
                                <p class="mt-1 text-xs text-slate-500">
                                    {format!("{}: {}", t::PERIOD, a.period.label())}
                                </p>
                                <table class=format!("{} mt-2", style::TABLE)>
                                    <tbody class="divide-y divide-slate-100">
                                        {a
                                            .meters
                                            .iter()
                                            .map(|m| {
                                                view! {
                                                    <tr class=if m.archived_on.is_some() {
                                                        "text-slate-400"
                                                    } else {
                                                        ""
                                                    }>
                                                        <td class=style::TD>
                                                            <a
                                                                class="text-teal-700 underline"
                                                                href=format!("/staff/meter/{}", m.id)
                                                            >
                                                                {format!("{} №{}", m.resource.label(), m.serial)}
                                                            </a>
                                                            <p class="text-xs">{m.place.clone()}</p>
                                                        </td>
                                                        <td class=style::TD>
                                                            {format!(
                                                                "{} {}",
                                                                t::VERIFIED_UNTIL,
                                                                date(m.verified_until),
                                                            )}
                                                            {m
                                                                .archived_on
                                                                .map(|d| format!(" · {} {}", t::ARCHIVED, date(d)))}
                                                        </td>
                                                        <td class=format!(
                                                            "{} font-mono",
                                                            style::TD,
                                                        )>
                                                            {m.previous.as_ref().map(|p| format_values(&p.values))}
                                                        </td>
                                                        <td class=format!(
                                                            "{} font-mono text-teal-800",
                                                            style::TD,
                                                        )>
                                                            {m.current.as_ref().map(|c| format_values(&c.values))}
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                                {(can_enter && !active.is_empty())
                                    .then(|| {
                                        view! {
                                            <details class="mt-3">
                                                <summary class="cursor-pointer text-sm font-medium text-teal-700">
                                                    {t::ENTER_FOR_RESIDENT}
                                                </summary>
                                                <p class="text-xs text-slate-500">{t::ENTER_HINT}</p>
                                                <ActionForm action=enter>
                                                    <input
                                                        type="hidden"
                                                        name="apartment_id"
                                                        value=a.apartment_id
                                                    />
                                                    <StaffEntryFields
                                                        meters=active.clone()
                                                        today=today.clone()
                                                    />
                                                    <FormResult value=enter.value() success=t::SUBMITTED />
                                                </ActionForm>
                                            </details>
                                        }
                                    })}
                                {can_manage
                                    .then(|| {
                                        view! {
                                            <AddMeterForm apartment_id=a.apartment_id add=add />
                                        }
                                    })}
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A new meter of an apartment, or (`house_id`) a building meter.
/// The date and a field per zone of each meter, for staff entering values.
#[component]
fn StaffEntryFields(meters: Vec<MeterView>, today: String) -> impl IntoView {
    view! {
        <label class=format!(
            "{} max-w-xs",
            style::LABEL,
        )>
            {t::TAKEN_ON}
            <input class=style::INPUT type="date" name="taken_on" value=today required />
        </label>
        <div class="mt-2 grid gap-2 sm:grid-cols-2">
            {meters
                .into_iter()
                .map(|m| {
                    view! {
                        <fieldset class="rounded-lg border border-slate-200 p-2">
                            <legend class="px-1 text-sm">
                                {format!("{} №{}", m.resource.label(), m.serial)}
                            </legend>
                            {(1..=usize::from(m.zones))
                                .map(|zone| {
                                    let prev = m
                                        .previous
                                        .as_ref()
                                        .and_then(|p| p.values.get(zone - 1).copied());
                                    view! {
                                        <ZoneInput
                                            meter=m.id
                                            zones=m.zones
                                            zone=zone
                                            previous=prev
                                            average=m.average
                                            months=m.previous_months
                                            unit=m.resource.unit()
                                        />
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                })
                .collect_view()}
        </div>
        <button class=format!("{} mt-2", style::BUTTON) type="submit">
            {t::ENTER}
        </button>
    }
}

#[component]
fn AddMeterForm(
    #[prop(optional)] apartment_id: Option<i64>,
    #[prop(optional)] house_id: Option<i64>,
    add: ServerAction<AddMeter>,
) -> impl IntoView {
    view! {
        <details class="mt-3">
            <summary class="cursor-pointer text-sm font-medium text-teal-700">
                {t::ADD_METER}
            </summary>
            <ActionForm action=add>
                {apartment_id
                    .map(|id| view! { <input type="hidden" name="apartment_id" value=id /> })}
                {house_id.map(|id| view! { <input type="hidden" name="house_id" value=id /> })}
                <div class="grid gap-2 sm:grid-cols-3">
                    <label class=style::LABEL>
                        {t::RESOURCE} <select class=style::INPUT name="resource">
                            {Utility::ALL
                                .iter()
                                .copied()
                                .map(|u| view! { <option value=u.as_str()>{u.label()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label class=style::LABEL>
                        {t::SERIAL_NUMBER}<input class=style::INPUT name="serial" required />
                    </label>
                    <label class=style::LABEL>
                        {t::ZONES}
                        <input
                            class=style::INPUT
                            type="number"
                            min="1"
                            max="3"
                            name="zones"
                            value="1"
                        />
                    </label>
                    <label class=style::LABEL>
                        {t::PLACE}<input class=style::INPUT name="place" />
                    </label>
                    <label class=style::LABEL>
                        {t::INSTALLED_ON}
                        <input class=style::INPUT type="date" name="installed_on" required />
                    </label>
                    <label class=style::LABEL>
                        {t::VERIFIED_UNTIL}
                        <input class=style::INPUT type="date" name="verified_until" required />
                    </label>
                    <label class=style::LABEL>
                        {t::SEAL}<input class=style::INPUT name="seal" />
                    </label>
                    <label class=style::LABEL>
                        {t::INITIAL}
                        <input
                            class=style::INPUT
                            name="initial"
                            inputmode="decimal"
                            placeholder="0 или 120,5/40"
                        />
                    </label>
                </div> <button class=format!("{} mt-2", style::BUTTON) type="submit">
                    {t::ADD_METER}
                </button> <FormResult value=add.value() success=t::ADDED />
            </ActionForm>
        </details>
    }
}

/// Staff: meters from a CSV/XLSX file — check, then load all at once.
#[component]
pub fn ImportPage() -> impl IntoView {
    let import = ServerAction::<ImportMeters>::new();
    view! {
        <h1 class=style::H1>{t::IMPORT}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::IMPORT_HINT}</p>
        <ActionForm action=import>
            <div class=format!("{} mt-4 max-w-xl space-y-2", style::CARD)>
                <HouseSelect name="house_id" />
                <ImportFileFields />
            </div>
        </ActionForm>
        {move || {
            import
                .value()
                .get()
                .map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(report) => view! { <ImportReportCard report /> }.into_any(),
                })
        }}
    }
}
