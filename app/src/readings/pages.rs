//! Pages of meter readings: the resident's one-screen form and a meter's history with its chart;
//! for staff the house overview (window, who has not handed in, flagged readings, closing the
//! period), the apartment's meters (enter for a resident, add, replace) and the import.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::rules::{self, format_value, format_values};
use super::text as t;
use super::types::*;
use crate::auth::rules::role_can;
use crate::auth::types::Permission;
use crate::ui::HouseSelect;
use crate::ui::{
    ErrorNote, FormResult, ImportFileFields, ImportReportCard, Loading, style, use_id_param,
    use_user,
};

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The window as a sentence, coloured by what it means for the resident.
#[component]
fn WindowNote(window: WindowState) -> impl IntoView {
    let (class, text) = match window {
        WindowState::Open { period, closes } => (
            "border-teal-200 bg-teal-50 text-teal-900",
            t::open_until(&period.label(), &date(closes)),
        ),
        WindowState::Late { period, opens } => (
            "border-amber-200 bg-amber-50 text-amber-900",
            t::late(&period.label(), &date(opens)),
        ),
        WindowState::Closed { opens } => (
            "border-slate-200 bg-slate-100 text-slate-800",
            t::closed_until(&date(opens)),
        ),
    };
    view! { <p class=format!("mt-3 rounded-lg border p-3 text-sm {class}") data-testid="window-note">{text}</p> }
}

/// The resident's readings: every meter of every home on one screen.
#[component]
pub fn ReadingsPage() -> impl IntoView {
    let submit = ServerAction::<SubmitMyReadings>::new();
    let data = Resource::new(move || submit.version().get(), |_| load_my_readings());
    view! {
        <h1 class=style::H1>{t::TITLE}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(r) if r.homes.is_empty() => view! { <p class="mt-4 text-slate-600">{t::NO_HOMES}</p> }.into_any(),
                    Ok(r) => r.homes.into_iter().map(|home| view! { <HomeForm home=home submit=submit/> }).collect_view().into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HomeForm(home: HomeMeters, submit: ServerAction<SubmitMyReadings>) -> impl IntoView {
    let accepting = home.window.period().is_some();
    let has_meters = !home.meters.is_empty();
    let meters = home.meters.clone();
    view! {
        <section class="mt-4" data-testid="home-readings">
            <h2 class=style::H2>{home.address.clone()}</h2>
            <WindowNote window=home.window/>
            {(!has_meters).then(|| view! { <p class="mt-3 text-sm text-slate-600">{t::NO_METERS}</p> })}
            {if accepting && has_meters {
                view! {
                    <ActionForm action=submit>
                        <ul class="mt-3 space-y-3">
                            {meters.into_iter().map(|m| view! { <MeterCard m=m today=home.today editable=true/> }).collect_view()}
                        </ul>
                        <button type="submit" class=format!("{} mt-4 w-full sm:w-auto", style::BUTTON)>{t::SUBMIT}</button>
                        <FormResult value=submit.value() success=t::SUBMITTED/>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <ul class="mt-3 space-y-3">
                        {meters.into_iter().map(|m| view! { <MeterCard m=m today=home.today editable=false/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// One meter: what it is, the previous value, what was handed in, and a field per zone.
#[component]
fn MeterCard(m: MeterView, today: chrono::NaiveDate, editable: bool) -> impl IntoView {
    let expired = m.verified_until < today;
    let soon = !expired && rules::verification_due_soon(m.verified_until, today);
    let previous = m.previous.clone();
    let previous_values = previous.as_ref().map(|p| p.values.clone());
    let zones = m.zones;
    let id = m.id;
    let average = m.average;
    let months = m.previous_months;
    view! {
        <li class=style::CARD data-testid="meter">
            <div class="flex items-start justify-between gap-2">
                <div>
                    <p class="font-medium">{m.resource.label()}</p>
                    <p class="text-xs text-slate-500">{t::SERIAL}" "{m.serial.clone()}{(!m.place.is_empty()).then(|| format!(" · {}", m.place))}</p>
                </div>
                <a class="shrink-0 text-sm text-teal-700 underline" href=format!("/cabinet/readings/meter/{id}")>{t::HISTORY}</a>
            </div>
            <p class="mt-2 text-sm text-slate-700">
                {match &previous {
                    Some(p) => format!("{}: {} {} ({})", t::PREVIOUS, format_values(&p.values), m.resource.unit(), date(p.taken_on)),
                    None => t::NO_PREVIOUS.to_string(),
                }}
            </p>
            {m.current.as_ref().map(|c| view! {
                <p class="mt-1 text-sm font-medium text-teal-800" data-testid="current-reading">
                    {format!("{} {}: {} {}", t::CURRENT, date(c.taken_on), format_values(&c.values), m.resource.unit())}
                </p>
            })}
            {soon.then(|| view! { <p class="mt-1 text-xs text-amber-700">{format!("{} {}", t::VERIFY_SOON, date(m.verified_until))}</p> })}
            {if expired {
                view! {
                    <div class="mt-2 rounded-lg border border-red-200 bg-red-50 p-2 text-sm text-red-800" role="note">
                        <p class="font-medium">{format!("{} {}", t::EXPIRED, date(m.verified_until))}</p>
                        <p class="mt-1">{t::EXPIRED_HINT}</p>
                    </div>
                }.into_any()
            } else if editable {
                view! {
                    <div class=format!("mt-2 grid gap-2 {}", if zones > 1 { "grid-cols-2" } else { "grid-cols-1" })>
                        {(1..=usize::from(zones)).map(|zone| {
                            let prev = previous_values.as_ref().and_then(|p| p.get(zone - 1).copied());
                            view! { <ZoneInput meter=id zones=zones zone=zone previous=prev average=average months=months unit=m.resource.unit()/> }
                        }).collect_view()}
                    </div>
                }.into_any()
            } else {
                ().into_any()
            }}
        </li>
    }
}

/// A value field that checks as you type, with the rules the server applies.
#[component]
fn ZoneInput(
    meter: i64,
    zones: u8,
    zone: usize,
    previous: Option<rust_decimal::Decimal>,
    average: Option<rust_decimal::Decimal>,
    /// Months since the previous value.
    months: i32,
    unit: &'static str,
) -> impl IntoView {
    let (text, set_text) = signal(String::new());
    let check = move || -> Option<(bool, String)> {
        let input = text.get();
        if input.trim().is_empty() {
            return None;
        }
        let value = match rules::parse_value(&input) {
            Ok(v) => v,
            Err(e) => return Some((false, e.to_string())),
        };
        if let Err(e) = rules::check_zone(zones, zone, value, previous) {
            return Some((false, e.to_string()));
        }
        let used = previous.map(|p| value - p)?;
        let high = zones == 1 && rules::anomaly(used, average, months).is_some();
        let note = format!("{}: {} {unit}", t::USED, format_value(used));
        Some((
            true,
            if high {
                format!("{note}. {}", t::HIGH_USE)
            } else {
                note
            },
        ))
    };
    let input_id = format!("v-{meter}-{zone}");
    view! {
        <div>
        <label class=style::LABEL for=input_id.clone()>{rules::zone_label(zones, zone)}</label>
        <input id=input_id class=style::INPUT name=format!("v[m{meter}.{zone}]") inputmode="decimal" autocomplete="off"
            placeholder=previous.map(format_value).unwrap_or_default()
            aria-invalid=move || check().is_some_and(|c| !c.0).to_string()
            on:input=move |ev| set_text.set(event_target_value(&ev))/>
        {move || check().map(|(ok, message)| view! {
            <p class=if ok { "mt-1 text-xs text-slate-600" } else { "mt-1 text-xs text-red-700" } role=if ok { "status" } else { "alert" }>{message}</p>
        })}
        </div>
    }
}

/// A meter's history: the chart of monthly volumes with their source, and every reading.
#[component]
pub fn MeterHistoryPage() -> impl IntoView {
    let id = use_id_param();
    let staff = use_user().is_some_and(|u| u.role.is_staff());
    let correct = ServerAction::<CorrectReading>::new();
    let replace = ServerAction::<ReplaceMeter>::new();
    let reverify = ServerAction::<ReverifyMeter>::new();
    let data = Resource::new(
        move || {
            (
                id(),
                correct.version().get() + replace.version().get() + reverify.version().get(),
            )
        },
        |(id, _)| load_meter_history(id),
    );
    let back = if staff {
        "/staff/readings"
    } else {
        "/cabinet/readings"
    };
    view! {
        <a class="text-sm text-teal-700 underline" href=back>{t::BACK}</a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(h) => view! { <History h=h staff=staff correct=correct replace=replace reverify=reverify/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn History(
    h: MeterHistory,
    staff: bool,
    correct: ServerAction<CorrectReading>,
    replace: ServerAction<ReplaceMeter>,
    reverify: ServerAction<ReverifyMeter>,
) -> impl IntoView {
    let m = h.meter.clone();
    let unit = m.resource.unit();
    let can_manage = use_user().is_some_and(|u| role_can(u.role, Permission::ManageMeters));
    let can_correct =
        staff && use_user().is_some_and(|u| role_can(u.role, Permission::EnterReadings));
    let months: Vec<MonthVolume> = h.months.iter().rev().cloned().collect();
    view! {
        <h1 class=format!("{} mt-2", style::H1)>{format!("{} №{}", m.resource.label(), m.serial)}</h1>
        <p class="text-sm text-slate-600">{h.address.clone()}{(!m.place.is_empty()).then(|| format!(" · {}", m.place))}</p>
        <p class="text-sm text-slate-600">{format!("{} {}", t::VERIFIED_UNTIL, date(m.verified_until))}
            {(!m.seal.is_empty()).then(|| format!(" · {} {}", t::SEAL, m.seal))}
            {m.archived_on.map(|d| format!(" · {} {}", t::ARCHIVED, date(d)))}</p>
        <section class=format!("{} mt-4", style::CARD)>
            <h2 class=style::H2>{t::CHART_TITLE}", "{unit}</h2>
            <Chart months=h.months.clone()/>
        </section>
        <section class=format!("{} mt-4 overflow-x-auto", style::CARD)>
            <table class=style::TABLE data-testid="months">
                <thead><tr><th class=style::TH>{t::MONTH}</th><th class=style::TH>{t::VOLUME}</th><th class=style::TH>{t::HOW}</th></tr></thead>
                <tbody class="divide-y divide-slate-100">
                    {months.into_iter().map(|mv| view! {
                        <tr>
                            <td class=format!("{} whitespace-nowrap", style::TD)>{mv.period.label()}</td>
                            <td class=format!("{} whitespace-nowrap font-mono", style::TD)>{format_value(mv.total)}</td>
                            <td class=style::TD><span class=source_class(mv.source)>{mv.source.label()}</span>
                                <p class="text-xs text-slate-500">{mv.explanation}</p></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class=format!("{} mt-4 overflow-x-auto", style::CARD)>
            <h2 class=style::H2>{t::READINGS}</h2>
            <FormResult value=correct.value() success=t::CORRECTED/>
            <table class=format!("{} mt-2", style::TABLE) data-testid="readings">
                <thead><tr>
                    <th class=style::TH>{t::DATE}</th><th class=style::TH>{t::PERIOD}</th>
                    <th class=style::TH>{t::VALUE}</th><th class=style::TH>{t::WHO}</th>
                </tr></thead>
                <tbody class="divide-y divide-slate-100">
                    {h.readings.into_iter().map(|r| {
                        let kind = match r.kind {
                            ReadingKind::Initial => " (начальное)",
                            ReadingKind::Final => " (конечное)",
                            ReadingKind::Regular => "",
                        };
                        view! {
                            <tr>
                                <td class=format!("{} whitespace-nowrap", style::TD)>{date(r.taken_on)}</td>
                                <td class=format!("{} whitespace-nowrap", style::TD)>{r.period.label()}{kind}</td>
                                <td class=format!("{} whitespace-nowrap font-mono", style::TD)>{format_values(&r.values)}</td>
                                <td class=style::TD>{r.source.label()}{r.entered_by.clone().filter(|_| staff).map(|n| format!(" · {n}"))}
                                    {r.flag.clone().filter(|_| staff).map(|f| view! { <p class="text-xs text-amber-700">{f}</p> })}
                                    {r.corrections.iter().map(|c| view! { <p class="text-xs text-slate-500">"Исправлено: "{c.clone()}</p> }).collect_view()}
                                    {can_correct.then(|| view! {
                                        <details class="mt-1">
                                            <summary class="cursor-pointer text-xs text-teal-700">{t::CORRECT}</summary>
                                            <ActionForm action=correct>
                                                <input type="hidden" name="reading_id" value=r.id/>
                                                <label class=style::LABEL>{t::VALUE}
                                                    <input class=style::INPUT name="values" value=format_values(&r.values).replace('\u{a0}', "").replace(" / ", "/") required/>
                                                </label>
                                                <label class=style::LABEL>{t::REASON}
                                                    <input class=style::INPUT name="reason" required minlength="5"/>
                                                </label>
                                                <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">{t::CORRECT}</button>
                                            </ActionForm>
                                        </details>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {(can_manage && m.archived_on.is_none()).then(|| view! { <MeterActions m=m.clone() replace=replace reverify=reverify/> })}
    }
}

/// Staff: a new verification date, or replacing / taking off the meter.
#[component]
fn MeterActions(
    m: MeterView,
    replace: ServerAction<ReplaceMeter>,
    reverify: ServerAction<ReverifyMeter>,
) -> impl IntoView {
    view! {
        <section class=format!("{} mt-4 grid gap-4 md:grid-cols-2", style::CARD)>
            <ActionForm action=reverify>
                <h2 class=style::H2>{t::REVERIFY}</h2>
                <input type="hidden" name="meter_id" value=m.id/>
                <label class=style::LABEL>{t::VERIFIED_UNTIL}<input class=style::INPUT type="date" name="verified_until" required/></label>
                <label class=style::LABEL>{t::SEAL}<input class=style::INPUT name="seal" value=m.seal.clone()/></label>
                <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">{t::SAVE}</button>
                <FormResult value=reverify.value() success=t::SAVED/>
            </ActionForm>
            <ActionForm action=replace>
                <h2 class=style::H2>{t::REPLACE_TITLE}</h2>
                <input type="hidden" name="meter_id" value=m.id/>
                <label class=style::LABEL>{t::REPLACED_ON}<input class=style::INPUT type="date" name="on" required/></label>
                <label class=style::LABEL>{t::FINAL}<input class=style::INPUT name="final_values" required inputmode="decimal"/></label>
                <label class=style::LABEL>{t::NEW_SERIAL}<input class=style::INPUT name="new_serial"/></label>
                <label class=style::LABEL>{t::VERIFIED_UNTIL}<input class=style::INPUT type="date" name="new_verified_until"/></label>
                <label class=style::LABEL>{t::SEAL}<input class=style::INPUT name="new_seal"/></label>
                <label class=style::LABEL>{t::INITIAL}<input class=style::INPUT name="new_initial" inputmode="decimal"/></label>
                <p class="mt-1 text-xs text-slate-500">"Без номера нового счётчика старый просто снимается с учёта."</p>
                <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">{t::REPLACE}</button>
                <FormResult value=replace.value() success=t::SAVED/>
            </ActionForm>
        </section>
    }
}

fn source_class(source: VolumeSource) -> &'static str {
    match source {
        VolumeSource::Reading => "rounded bg-teal-100 px-1.5 py-0.5 text-xs text-teal-800",
        VolumeSource::Average => "rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-800",
        VolumeSource::Norm => "rounded bg-rose-100 px-1.5 py-0.5 text-xs text-rose-800",
    }
}

fn source_fill(source: VolumeSource) -> &'static str {
    match source {
        VolumeSource::Reading => "#0f766e",
        VolumeSource::Average => "#d97706",
        VolumeSource::Norm => "#e11d48",
    }
}

/// Monthly volumes as bars (inline SVG), coloured by where the volume comes from; negative
/// months (recalculations) go below the axis.
#[component]
fn Chart(months: Vec<MonthVolume>) -> impl IntoView {
    use rust_decimal::prelude::ToPrimitive;
    let last: Vec<MonthVolume> = months.iter().rev().take(12).rev().cloned().collect();
    // the scale's label is the exact largest volume; f64 is only for drawing
    let top = last
        .iter()
        .map(|m| m.total)
        .max()
        .unwrap_or_default()
        .max(rust_decimal::Decimal::ZERO);
    let values: Vec<f64> = last
        .iter()
        .map(|m| m.total.to_f64().unwrap_or(0.0))
        .collect();
    let max = values.iter().cloned().fold(0.0_f64, f64::max).max(0.001);
    let min = values.iter().cloned().fold(0.0_f64, f64::min);
    let (w, h, pad) = (360.0, 160.0, 18.0);
    let span = max - min;
    let zero_y = pad + (max / span) * (h - 2.0 * pad);
    let step = w / last.len().max(1) as f64;
    view! {
        <svg viewBox=format!("0 0 {w} {h}") class="mt-2 h-48 w-full" role="img" aria-label=t::CHART_TITLE data-testid="chart">
            <line x1="0" x2=w y1=zero_y y2=zero_y stroke="#cbd5e1" stroke-width="1"/>
            <line x1="0" x2=w y1=pad y2=pad stroke="#e2e8f0" stroke-width="0.5" stroke-dasharray="3 3"/>
            <text x="0" y=pad - 4.0 font-size="8" fill="#64748b">{format_value(top)}</text>
            {last.iter().zip(&values).enumerate().map(|(i, (m, v))| {
                let bar = (v.abs() / span) * (h - 2.0 * pad);
                let y = if *v >= 0.0 { zero_y - bar } else { zero_y };
                let x = i as f64 * step + step * 0.15;
                view! {
                    <g>
                        <title>{format!("{}: {} ({})", m.period.label(), format_value(m.total), m.source.label())}</title>
                        <rect x=x y=y width=step * 0.7 height=bar.max(0.5) rx="2" fill=source_fill(m.source)/>
                        <text x=x + step * 0.35 y=h - 4.0 text-anchor="middle" font-size="8" fill="#64748b">{m.period.short_label()}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
        <p class="mt-1 flex flex-wrap gap-3 text-xs text-slate-600">
            {[VolumeSource::Reading, VolumeSource::Average, VolumeSource::Norm].into_iter().map(|s| view! {
                <span class="flex items-center gap-1"><span class="inline-block h-2.5 w-2.5 rounded-sm" style=format!("background:{}", source_fill(s))></span>{s.label()}</span>
            }).collect_view()}
        </p>
    }
}

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
    <HouseSelect name="house" selected=Signal::derive(house)/>
                    <button class=style::BUTTON_SECONDARY type="submit">{t::SHOW}</button>
                </form>
                <a class="text-sm text-teal-700 underline" href="/staff/readings/import">{t::IMPORT}</a>
            </div>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(r) => view! { <HouseView r=r save=save close=close review=review enter=enter add=add/> }.into_any(),
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
                    <a class="text-sm text-teal-700" href=link(r.period.plus(-1))>"← "{r.period.plus(-1).label()}</a>
                    <h2 class=style::H2 data-testid="period">{r.period.label()}</h2>
                    <a class="text-sm text-teal-700" href=link(r.period.plus(1))>{r.period.plus(1).label()}" →"</a>
                </div>
                <WindowNote window=r.window/>
                <p class="mt-3 text-sm" data-testid="progress">{format!("{}: {} из {}", t::SUBMITTED_COUNT, r.submitted, r.meters_total)}</p>
                <div class="mt-1 h-2 rounded bg-slate-100">
                    <div class="h-2 rounded bg-teal-600" style=format!("width:{}%", if r.meters_total > 0 { r.submitted * 100 / r.meters_total } else { 0 })></div>
                </div>
                {if r.period_closed {
                    view! { <p class="mt-3 text-sm font-medium text-slate-700">{t::PERIOD_CLOSED}</p> }.into_any()
                } else if can(Permission::ClosePeriods) {
                    view! {
                        <ActionForm action=close>
                            <input type="hidden" name="house_id" value=r.house_id/>
                            <input type="hidden" name="period" value=r.period.to_string()/>
                            <p class="mt-3 text-xs text-slate-500">{t::CLOSE_HINT}</p>
                            <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">{t::CLOSE_PERIOD}</button>
                            <FormResult value=close.value() success=t::CLOSED_DONE/>
                        </ActionForm>
                    }.into_any()
                } else {
                    ().into_any()
                }}
            </section>
            <section class=style::CARD>
                <h2 class=style::H2>{t::WINDOW}</h2>
                <ActionForm action=save>
                    <input type="hidden" name="house_id" value=r.house_id/>
                    <fieldset disabled=!can(Permission::ManageMeters) class="grid grid-cols-2 gap-2">
                        <label class=style::LABEL>{t::FIRST_DAY}<input class=style::INPUT type="number" min="1" max="31" name="first_day" value=s.first_day/></label>
                        <label class=style::LABEL>{t::LAST_DAY}<input class=style::INPUT type="number" min="1" max="31" name="last_day" value=s.last_day/></label>
                        <label class=format!("{} col-span-2", style::LABEL)>{t::MODE}
                            <select class=style::INPUT name="mode">
                                <option value="strict" selected=s.strict>{t::STRICT}</option>
                                <option value="soft" selected=!s.strict>{t::SOFT}</option>
                            </select>
                        </label>
                        <label class=format!("{} col-span-2", style::LABEL)>{t::TIME_ZONE}<input class=style::INPUT name="time_zone" value=s.time_zone.clone()/></label>
                        <button class=format!("{} col-span-2 mt-1 justify-self-start", style::BUTTON) type="submit">{t::SAVE}</button>
                    </fieldset>
                    <FormResult value=save.value() success=t::SAVED/>
                </ActionForm>
            </section>
        </div>
        <section class=format!("{} mt-4 overflow-x-auto", style::CARD)>
            <h2 class=style::H2>{t::FLAGGED}</h2>
            <FormResult value=review.value()/>
            {if r.flagged.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">{t::NO_FLAGGED}</p> }.into_any()
            } else {
                view! {
                    <table class=format!("{} mt-2", style::TABLE) data-testid="flagged">
                        <tbody class="divide-y divide-slate-100">
                            {r.flagged.into_iter().map(|f| view! {
                                <tr>
                                    <td class=style::TD>{f.apartment.clone()}</td>
                                    <td class=style::TD><a class="text-teal-700 underline" href=format!("/staff/meter/{}", f.meter_id)>{f.meter.clone()}</a>
                                        <p class="text-xs text-slate-500">{f.values.clone()}" · "{f.entered_at.clone()}</p></td>
                                    <td class=format!("{} text-amber-800", style::TD)>{f.flag.clone()}</td>
                                    <td class=style::TD>{can(Permission::EnterReadings).then(|| view! {
                                        <ActionForm action=review>
                                            <input type="hidden" name="reading_id" value=f.reading_id/>
                                            <button class=style::BUTTON_SECONDARY type="submit">{t::REVIEWED}</button>
                                        </ActionForm>
                                    })}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <BuildingMeters house_id=r.house_id meters=r.building.clone() period=r.entry_period today=r.today enter=enter add=add/>
        <section class=format!("{} mt-4 overflow-x-auto", style::CARD)>
            <h2 class=style::H2>{t::MISSING}" ("{r.missing.len()}")"</h2>
            {if r.missing.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">{t::NOBODY_MISSING}</p> }.into_any()
            } else {
                view! {
                    <table class=format!("{} mt-2", style::TABLE) data-testid="missing">
                        <thead><tr><th class=style::TH>{t::APARTMENT}</th><th class=style::TH>{t::RESIDENTS}</th><th class=style::TH>{t::METERS}</th></tr></thead>
                        <tbody class="divide-y divide-slate-100">
                            {r.missing.into_iter().map(|m| view! {
                                <tr>
                                    <td class=style::TD><a class="font-medium text-teal-700 underline" href=format!("/staff/apartment/{}", m.apartment_id)>{m.number}</a></td>
                                    <td class=style::TD>{m.residents}</td>
                                    <td class=style::TD>{m.missing_meters}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
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
                    {meters.iter().map(|m| view! {
                        <tr>
                            <td class=style::TD><a class="text-teal-700 underline" href=format!("/staff/meter/{}", m.id)>{format!("{} №{}", m.resource.label(), m.serial)}</a></td>
                            <td class=format!("{} font-mono", style::TD)>{m.previous.as_ref().map(|p| format_values(&p.values))}</td>
                            <td class=format!("{} font-mono text-teal-800", style::TD)>{m.current.as_ref().map(|c| format_values(&c.values))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(can(Permission::EnterReadings) && !meters.is_empty()).then(|| view! {
                <ActionForm action=enter>
                    <input type="hidden" name="house_id" value=house_id/>
                    <StaffEntryFields meters=meters.clone() today=today.clone()/>
                    <FormResult value=enter.value() success=t::SUBMITTED/>
                </ActionForm>
            })}
            {can(Permission::ManageMeters).then(|| view! { <AddMeterForm house_id=house_id add=add/> })}
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
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(a) => {
                            let today = a.today.to_string();
                            let active: Vec<MeterView> = a.meters.iter().filter(|m| m.archived_on.is_none()).cloned().collect();
                            view! {
                                <p class="mt-1 text-xs text-slate-500">{format!("{}: {}", t::PERIOD, a.period.label())}</p>
                                <table class=format!("{} mt-2", style::TABLE)>
                                    <tbody class="divide-y divide-slate-100">
                                        {a.meters.iter().map(|m| view! {
                                            <tr class=if m.archived_on.is_some() { "text-slate-400" } else { "" }>
                                                <td class=style::TD><a class="text-teal-700 underline" href=format!("/staff/meter/{}", m.id)>{format!("{} №{}", m.resource.label(), m.serial)}</a>
                                                    <p class="text-xs">{m.place.clone()}</p></td>
                                                <td class=style::TD>{format!("{} {}", t::VERIFIED_UNTIL, date(m.verified_until))}
                                                    {m.archived_on.map(|d| format!(" · {} {}", t::ARCHIVED, date(d)))}</td>
                                                <td class=format!("{} font-mono", style::TD)>{m.previous.as_ref().map(|p| format_values(&p.values))}</td>
                                                <td class=format!("{} font-mono text-teal-800", style::TD)>{m.current.as_ref().map(|c| format_values(&c.values))}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {(can_enter && !active.is_empty()).then(|| view! {
                                    <details class="mt-3">
                                        <summary class="cursor-pointer text-sm font-medium text-teal-700">{t::ENTER_FOR_RESIDENT}</summary>
                                        <p class="text-xs text-slate-500">{t::ENTER_HINT}</p>
                                        <ActionForm action=enter>
                                            <input type="hidden" name="apartment_id" value=a.apartment_id/>
                                            <StaffEntryFields meters=active.clone() today=today.clone()/>
                                            <FormResult value=enter.value() success=t::SUBMITTED/>
                                        </ActionForm>
                                    </details>
                                })}
                                {can_manage.then(|| view! { <AddMeterForm apartment_id=a.apartment_id add=add/> })}
                            }.into_any()
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
        <label class=format!("{} max-w-xs", style::LABEL)>{t::TAKEN_ON}<input class=style::INPUT type="date" name="taken_on" value=today required/></label>
        <div class="mt-2 grid gap-2 sm:grid-cols-2">
            {meters.into_iter().map(|m| view! {
                <fieldset class="rounded-lg border border-slate-200 p-2">
                    <legend class="px-1 text-sm">{format!("{} №{}", m.resource.label(), m.serial)}</legend>
                    {(1..=usize::from(m.zones)).map(|zone| {
                        let prev = m.previous.as_ref().and_then(|p| p.values.get(zone - 1).copied());
                        view! { <ZoneInput meter=m.id zones=m.zones zone=zone previous=prev average=m.average months=m.previous_months unit=m.resource.unit()/> }
                    }).collect_view()}
                </fieldset>
            }).collect_view()}
        </div>
        <button class=format!("{} mt-2", style::BUTTON) type="submit">{t::ENTER}</button>
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
            <summary class="cursor-pointer text-sm font-medium text-teal-700">{t::ADD_METER}</summary>
            <ActionForm action=add>
                {apartment_id.map(|id| view! { <input type="hidden" name="apartment_id" value=id/> })}
                {house_id.map(|id| view! { <input type="hidden" name="house_id" value=id/> })}
                <div class="grid gap-2 sm:grid-cols-3">
                    <label class=style::LABEL>{t::RESOURCE}
                        <select class=style::INPUT name="resource">
                            {Utility::ALL.iter().copied().map(|u| view! { <option value=u.as_str()>{u.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class=style::LABEL>{t::SERIAL_NUMBER}<input class=style::INPUT name="serial" required/></label>
                    <label class=style::LABEL>{t::ZONES}<input class=style::INPUT type="number" min="1" max="3" name="zones" value="1"/></label>
                    <label class=style::LABEL>{t::PLACE}<input class=style::INPUT name="place"/></label>
                    <label class=style::LABEL>{t::INSTALLED_ON}<input class=style::INPUT type="date" name="installed_on" required/></label>
                    <label class=style::LABEL>{t::VERIFIED_UNTIL}<input class=style::INPUT type="date" name="verified_until" required/></label>
                    <label class=style::LABEL>{t::SEAL}<input class=style::INPUT name="seal"/></label>
                    <label class=style::LABEL>{t::INITIAL}<input class=style::INPUT name="initial" inputmode="decimal" placeholder="0 или 120,5/40"/></label>
                </div>
                <button class=format!("{} mt-2", style::BUTTON) type="submit">{t::ADD_METER}</button>
                <FormResult value=add.value() success=t::ADDED/>
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
    <HouseSelect name="house_id"/>
                    <ImportFileFields/>
                </div>
            </ActionForm>
            {move || import.value().get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                Ok(report) => view! { <ImportReportCard report/> }.into_any(),
            })}
        }
}
