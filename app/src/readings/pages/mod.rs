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

mod resident;
mod staff;
pub use resident::*;
pub use staff::*;

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
    view! {
        <p class=format!("mt-3 rounded-lg border p-3 text-sm {class}") data-testid="window-note">
            {text}
        </p>
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
        <a class="text-sm text-teal-700 underline" href=back>
            {t::BACK}
        </a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(h) => {
                        view! {
                            <History
                                h=h
                                staff=staff
                                correct=correct
                                replace=replace
                                reverify=reverify
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
        <h1 class=format!(
            "{} mt-2",
            style::H1,
        )>{format!("{} №{}", m.resource.label(), m.serial)}</h1>
        <p class="text-sm text-slate-600">
            {h.address.clone()}{(!m.place.is_empty()).then(|| format!(" · {}", m.place))}
        </p>
        <p class="text-sm text-slate-600">
            {format!("{} {}", t::VERIFIED_UNTIL, date(m.verified_until))}
            {(!m.seal.is_empty()).then(|| format!(" · {} {}", t::SEAL, m.seal))}
            {m.archived_on.map(|d| format!(" · {} {}", t::ARCHIVED, date(d)))}
        </p>
        <section class=format!("{} mt-4", style::CARD)>
            <h2 class=style::H2>{t::CHART_TITLE}", "{unit}</h2>
            <Chart months=h.months.clone() />
        </section>
        <section class=format!("{} mt-4 overflow-x-auto", style::CARD)>
            <table class=style::TABLE data-testid="months">
                <thead>
                    <tr>
                        <th class=style::TH>{t::MONTH}</th>
                        <th class=style::TH>{t::VOLUME}</th>
                        <th class=style::TH>{t::HOW}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {months
                        .into_iter()
                        .map(|mv| {
                            view! {
                                <tr>
                                    <td class=format!(
                                        "{} whitespace-nowrap",
                                        style::TD,
                                    )>{mv.period.label()}</td>
                                    <td class=format!(
                                        "{} whitespace-nowrap font-mono",
                                        style::TD,
                                    )>{format_value(mv.total)}</td>
                                    <td class=style::TD>
                                        <span class=source_class(
                                            mv.source,
                                        )>{mv.source.label()}</span>
                                        <p class="text-xs text-slate-500">{mv.explanation}</p>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        <section class=format!("{} mt-4 overflow-x-auto", style::CARD)>
            <h2 class=style::H2>{t::READINGS}</h2>
            <FormResult value=correct.value() success=t::CORRECTED />
            <table class=format!("{} mt-2", style::TABLE) data-testid="readings">
                <thead>
                    <tr>
                        <th class=style::TH>{t::DATE}</th>
                        <th class=style::TH>{t::PERIOD}</th>
                        <th class=style::TH>{t::VALUE}</th>
                        <th class=style::TH>{t::WHO}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {h
                        .readings
                        .into_iter()
                        .map(|r| {
                            let kind = match r.kind {
                                ReadingKind::Initial => " (начальное)",
                                ReadingKind::Final => " (конечное)",
                                ReadingKind::Regular => "",
                            };
                            view! {
                                <tr>
                                    <td class=format!(
                                        "{} whitespace-nowrap",
                                        style::TD,
                                    )>{date(r.taken_on)}</td>
                                    <td class=format!(
                                        "{} whitespace-nowrap",
                                        style::TD,
                                    )>{r.period.label()}{kind}</td>
                                    <td class=format!(
                                        "{} whitespace-nowrap font-mono",
                                        style::TD,
                                    )>{format_values(&r.values)}</td>
                                    <td class=style::TD>
                                        {r.source.label()}
                                        {r
                                            .entered_by
                                            .clone()
                                            .filter(|_| staff)
                                            .map(|n| format!(" · {n}"))}
                                        {r
                                            .flag
                                            .clone()
                                            .filter(|_| staff)
                                            .map(|f| {
                                                view! { <p class="text-xs text-amber-700">{f}</p> }
                                            })}
                                        {r
                                            .corrections
                                            .iter()
                                            .map(|c| {
                                                view! {
                                                    <p class="text-xs text-slate-500">
                                                        "Исправлено: "{c.clone()}
                                                    </p>
                                                }
                                            })
                                            .collect_view()}
                                        {can_correct
                                            .then(|| {
                                                view! {
                                                    <details class="mt-1">
                                                        <summary class="cursor-pointer text-xs text-teal-700">
                                                            {t::CORRECT}
                                                        </summary>
                                                        <ActionForm action=correct>
                                                            <input type="hidden" name="reading_id" value=r.id />
                                                            <label class=style::LABEL>
                                                                {t::VALUE}
                                                                <input
                                                                    class=style::INPUT
                                                                    name="values"
                                                                    value=format_values(&r.values)
                                                                        .replace('\u{a0}', "")
                                                                        .replace(" / ", "/")
                                                                    required
                                                                />
                                                            </label>
                                                            <label class=style::LABEL>
                                                                {t::REASON}
                                                                <input
                                                                    class=style::INPUT
                                                                    name="reason"
                                                                    required
                                                                    minlength="5"
                                                                />
                                                            </label>
                                                            <button
                                                                class=format!("{} mt-2", style::BUTTON_SECONDARY)
                                                                type="submit"
                                                            >
                                                                {t::CORRECT}
                                                            </button>
                                                        </ActionForm>
                                                    </details>
                                                }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        {(can_manage && m.archived_on.is_none())
            .then(|| view! { <MeterActions m=m.clone() replace=replace reverify=reverify /> })}
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
                <input type="hidden" name="meter_id" value=m.id />
                <label class=style::LABEL>
                    {t::VERIFIED_UNTIL}
                    <input class=style::INPUT type="date" name="verified_until" required />
                </label>
                <label class=style::LABEL>
                    {t::SEAL}<input class=style::INPUT name="seal" value=m.seal.clone() />
                </label>
                <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">
                    {t::SAVE}
                </button>
                <FormResult value=reverify.value() success=t::SAVED />
            </ActionForm>
            <ActionForm action=replace>
                <h2 class=style::H2>{t::REPLACE_TITLE}</h2>
                <input type="hidden" name="meter_id" value=m.id />
                <label class=style::LABEL>
                    {t::REPLACED_ON}<input class=style::INPUT type="date" name="on" required />
                </label>
                <label class=style::LABEL>
                    {t::FINAL}
                    <input class=style::INPUT name="final_values" required inputmode="decimal" />
                </label>
                <label class=style::LABEL>
                    {t::NEW_SERIAL}<input class=style::INPUT name="new_serial" />
                </label>
                <label class=style::LABEL>
                    {t::VERIFIED_UNTIL}
                    <input class=style::INPUT type="date" name="new_verified_until" />
                </label>
                <label class=style::LABEL>
                    {t::SEAL}<input class=style::INPUT name="new_seal" />
                </label>
                <label class=style::LABEL>
                    {t::INITIAL}<input class=style::INPUT name="new_initial" inputmode="decimal" />
                </label>
                <p class="mt-1 text-xs text-slate-500">
                    "Без номера нового счётчика старый просто снимается с учёта."
                </p>
                <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">
                    {t::REPLACE}
                </button>
                <FormResult value=replace.value() success=t::SAVED />
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
        <svg
            viewBox=format!("0 0 {w} {h}")
            class="mt-2 h-48 w-full"
            role="img"
            aria-label=t::CHART_TITLE
            data-testid="chart"
        >
            <line x1="0" x2=w y1=zero_y y2=zero_y stroke="#cbd5e1" stroke-width="1" />
            <line
                x1="0"
                x2=w
                y1=pad
                y2=pad
                stroke="#e2e8f0"
                stroke-width="0.5"
                stroke-dasharray="3 3"
            />
            <text x="0" y=pad - 4.0 font-size="8" fill="#64748b">
                {format_value(top)}
            </text>
            {last
                .iter()
                .zip(&values)
                .enumerate()
                .map(|(i, (m, v))| {
                    let bar = (v.abs() / span) * (h - 2.0 * pad);
                    let y = if *v >= 0.0 { zero_y - bar } else { zero_y };
                    let x = i as f64 * step + step * 0.15;
                    view! {
                        <g>
                            <title>
                                {format!(
                                    "{}: {} ({})",
                                    m.period.label(),
                                    format_value(m.total),
                                    m.source.label(),
                                )}
                            </title>
                            <rect
                                x=x
                                y=y
                                width=step * 0.7
                                height=bar.max(0.5)
                                rx="2"
                                fill=source_fill(m.source)
                            />
                            <text
                                x=x + step * 0.35
                                y=h - 4.0
                                text-anchor="middle"
                                font-size="8"
                                fill="#64748b"
                            >
                                {m.period.short_label()}
                            </text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
        <p class="mt-1 flex flex-wrap gap-3 text-xs text-slate-600">
            {[VolumeSource::Reading, VolumeSource::Average, VolumeSource::Norm]
                .into_iter()
                .map(|s| {
                    view! {
                        <span class="flex items-center gap-1">
                            <span
                                class="inline-block h-2.5 w-2.5 rounded-sm"
                                style=format!("background:{}", source_fill(s))
                            ></span>
                            {s.label()}
                        </span>
                    }
                })
                .collect_view()}
        </p>
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
            <label class=style::LABEL for=input_id.clone()>
                {rules::zone_label(zones, zone)}
            </label>
            <input
                id=input_id
                class=style::INPUT
                name=format!("v[m{meter}.{zone}]")
                inputmode="decimal"
                autocomplete="off"
                placeholder=previous.map(format_value).unwrap_or_default()
                aria-invalid=move || check().is_some_and(|c| !c.0).to_string()
                on:input=move |ev| set_text.set(event_target_value(&ev))
            />
            {move || {
                check()
                    .map(|(ok, message)| {
                        view! {
                            <p
                                class=if ok {
                                    "mt-1 text-xs text-slate-600"
                                } else {
                                    "mt-1 text-xs text-red-700"
                                }
                                role=if ok { "status" } else { "alert" }
                            >
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
