//! The resident's readings page: the window, the meters of each home and the form.

use super::*;

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
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(r) if r.homes.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::NO_HOMES}</p> }.into_any()
                    }
                    Ok(r) => {
                        r.homes
                            .into_iter()
                            .map(|home| view! { <HomeForm home=home submit=submit /> })
                            .collect_view()
                            .into_any()
                    }
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
            <WindowNote window=home.window />
            {(!has_meters)
                .then(|| view! { <p class="mt-3 text-sm text-slate-600">{t::NO_METERS}</p> })}
            {if accepting && has_meters {
                view! {
                    <ActionForm action=submit>
                        <ul class="mt-3 space-y-3">
                            {meters
                                .into_iter()
                                .map(|m| view! { <MeterCard m=m today=home.today editable=true /> })
                                .collect_view()}
                        </ul>
                        <button
                            type="submit"
                            class=format!("{} mt-4 w-full sm:w-auto", style::BUTTON)
                        >
                            {t::SUBMIT}
                        </button>
                        <FormResult value=submit.value() success=t::SUBMITTED />
                    </ActionForm>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="mt-3 space-y-3">
                        {meters
                            .into_iter()
                            .map(|m| view! { <MeterCard m=m today=home.today editable=false /> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
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
                    <p class="text-xs text-slate-500">
                        {t::SERIAL}" "{m.serial.clone()}
                        {(!m.place.is_empty()).then(|| format!(" · {}", m.place))}
                    </p>
                </div>
                <a
                    class="shrink-0 text-sm text-teal-700 underline"
                    href=format!("/cabinet/readings/meter/{id}")
                >
                    {t::HISTORY}
                </a>
            </div>
            <p class="mt-2 text-sm text-slate-700">
                {match &previous {
                    Some(p) => {
                        format!(
                            "{}: {} {} ({})",
                            t::PREVIOUS,
                            format_values(&p.values),
                            m.resource.unit(),
                            date(p.taken_on),
                        )
                    }
                    None => t::NO_PREVIOUS.to_string(),
                }}
            </p>
            {m
                .current
                .as_ref()
                .map(|c| {
                    view! {
                        <p
                            class="mt-1 text-sm font-medium text-teal-800"
                            data-testid="current-reading"
                        >
                            {format!(
                                "{} {}: {} {}",
                                t::CURRENT,
                                date(c.taken_on),
                                format_values(&c.values),
                                m.resource.unit(),
                            )}
                        </p>
                    }
                })}
            {soon
                .then(|| {
                    view! {
                        <p class="mt-1 text-xs text-amber-700">
                            {format!("{} {}", t::VERIFY_SOON, date(m.verified_until))}
                        </p>
                    }
                })}
            {if expired {
                view! {
                    <div
                        class="mt-2 rounded-lg border border-red-200 bg-red-50 p-2 text-sm text-red-800"
                        role="note"
                    >
                        <p class="font-medium">
                            {format!("{} {}", t::EXPIRED, date(m.verified_until))}
                        </p>
                        <p class="mt-1">{t::EXPIRED_HINT}</p>
                    </div>
                }
                    .into_any()
            } else if editable {
                view! {
                    <div class=format!(
                        "mt-2 grid gap-2 {}",
                        if zones > 1 { "grid-cols-2" } else { "grid-cols-1" },
                    )>
                        {(1..=usize::from(zones))
                            .map(|zone| {
                                let prev = previous_values
                                    .as_ref()
                                    .and_then(|p| p.get(zone - 1).copied());
                                view! {
                                    <ZoneInput
                                        meter=id
                                        zones=zones
                                        zone=zone
                                        previous=prev
                                        average=average
                                        months=months
                                        unit=m.resource.unit()
                                    />
                                }
                            })
                            .collect_view()}
                    </div>
                }
                    .into_any()
            } else {
                ().into_any()
            }}
        </li>
    }
}
