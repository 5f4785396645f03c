//! `/staff/debts/segments`: saved segments counted live, a new one with its count as it is
//! typed, mailings to them with their delivery reports.

use leptos::prelude::*;

use super::super::api::{
    DeleteDebtSegment, SaveDebtSegment, SendDebtMailing, load_debt_segments, preview_debt_segment,
};
use super::super::text as t;
use super::super::types::*;
use crate::error::AppError;
use crate::notify::pages::DeliveryReportView;
use crate::notify::types::Channel;
use crate::ui::{ErrorNote, FormResult, Loading, style};

#[component]
pub fn SegmentsPage() -> impl IntoView {
    let save = ServerAction::<SaveDebtSegment>::new();
    let delete = ServerAction::<DeleteDebtSegment>::new();
    let send = ServerAction::<SendDebtMailing>::new();
    // the form and its live count belong to the page: a resource made inside the page's
    // `Suspend` would be made again on each of its runs
    let form = RwSignal::new(SegmentForm::default());
    let preview = Resource::new(move || form.get(), preview_debt_segment);
    let page = Resource::new(
        move || {
            (
                save.version().get(),
                delete.version().get(),
                send.version().get(),
            )
        },
        |_| load_debt_segments(),
    );
    view! {
        <a href="/staff/debts" class="text-sm text-teal-700">
            {t::ALL_DEBTS}
        </a>
        <h1 class=format!("{} mt-2", style::H1)>{t::SEGMENTS}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::SEGMENTS_HINT}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(p) => {
                        view! {
                            <NewSegment houses=p.houses.clone() save form preview />
                            <SegmentList segments=p.segments.clone() delete send />
                            <MailingList mailings=p.mailings.clone() />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The form of a new segment; what it holds is counted again at every change.
#[component]
fn NewSegment(
    houses: Vec<HouseEntrances>,
    save: ServerAction<SaveDebtSegment>,
    form: RwSignal<SegmentForm>,
    preview: Resource<Result<SegmentPreview, AppError>>,
) -> impl IntoView {
    let set = move |field: fn(&mut SegmentForm) -> &mut String| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|f| *field(f) = value);
        }
    };
    let entrances = {
        let houses = houses.clone();
        move || {
            let house = form.read().house.parse::<i64>().ok();
            houses
                .iter()
                .find(|h| Some(h.id) == house)
                .map(|h| h.entrances.clone())
                .unwrap_or_default()
        }
    };
    // a saved segment leaves the form empty for the next one
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            form.set(SegmentForm::default());
        }
    });
    view! {
        <section class=format!("{} mt-4", style::CARD) data-testid="segment-form">
            <h2 class=style::H2>{t::NEW_SEGMENT}</h2>
            <form
                class="mt-2 grid gap-3 md:grid-cols-3"
                on:submit=move |ev| {
                    ev.prevent_default();
                    save.dispatch(SaveDebtSegment {
                        form: form.get_untracked(),
                    });
                }
            >
                <label class=style::LABEL>
                    {t::SEGMENT_NAME}
                    <input
                        class=style::INPUT
                        name="name"
                        prop:value=move || form.read().name.clone()
                        on:input=set(|f| &mut f.name)
                        required
                    />
                </label>
                <label class=style::LABEL>
                    {t::HOUSE}
                    <select
                        class=style::INPUT
                        aria-label=t::HOUSE
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            form.update(|f| {
                                f.house = value;
                                f.entrance.clear();
                            });
                        }
                        prop:value=move || form.read().house.clone()
                    >
                        <option value="">{t::ALL_HOUSES}</option>
                        {houses
                            .iter()
                            .map(|h| {
                                view! { <option value=h.id>{h.address.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class=style::LABEL>
                    {t::ENTRANCE}
                    <select
                        class=style::INPUT
                        aria-label=t::ENTRANCE
                        on:change=set(|f| &mut f.entrance)
                        prop:value=move || form.read().entrance.clone()
                    >
                        <option value="">{t::ANY_ENTRANCE}</option>
                        {move || {
                            entrances()
                                .into_iter()
                                .map(|(id, number)| view! { <option value=id>{number}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
                <label class=style::LABEL>
                    {t::MIN_AGE}
                    <select
                        class=style::INPUT
                        aria-label=t::MIN_AGE
                        on:change=set(|f| &mut f.min_age)
                        prop:value=move || form.read().min_age.clone()
                    >
                        {AgeBucket::ALL
                            .iter()
                            .enumerate()
                            .skip(1)
                            .map(|(i, b)| {
                                let value = if i == 1 { String::new() } else { i.to_string() };
                                view! { <option value=value>{t::min_age_label(*b)}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class=style::LABEL>
                    {t::MIN_OVERDUE}
                    <input
                        class=style::INPUT
                        inputmode="decimal"
                        prop:value=move || form.read().min_overdue.clone()
                        on:change=set(|f| &mut f.min_overdue)
                    />
                </label>
                <label class=style::LABEL>
                    {t::MIN_MONTHS}
                    <input
                        class=style::INPUT
                        inputmode="numeric"
                        prop:value=move || form.read().min_months.clone()
                        on:change=set(|f| &mut f.min_months)
                    />
                </label>
                <label class=style::LABEL>
                    {t::ADDRESSEES}
                    <select
                        class=style::INPUT
                        aria-label=t::ADDRESSEES
                        on:change=set(|f| &mut f.addressees)
                        prop:value=move || form.read().addressees.clone()
                    >
                        <option value="">{t::EVERYONE}</option>
                        <option value="owners">{t::OWNERS}</option>
                        <option value="tenants">{t::TENANTS}</option>
                    </select>
                </label>
                <label class=style::LABEL>
                    {t::CHANNEL}
                    <select
                        class=style::INPUT
                        aria-label=t::CHANNEL
                        on:change=set(|f| &mut f.channel)
                        prop:value=move || form.read().channel.clone()
                    >
                        <option value="">{t::ANY_CHANNEL}</option>
                        {Channel::ALL
                            .iter()
                            .map(|c| view! { <option value=c.as_str()>{c.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class=style::LABEL>
                    {t::PROMISED}
                    <select
                        class=style::INPUT
                        aria-label=t::PROMISED
                        on:change=set(|f| &mut f.promised)
                        prop:value=move || form.read().promised.clone()
                    >
                        <option value="">{t::PROMISE_ANY}</option>
                        <option value="yes">{t::PROMISE_YES}</option>
                        <option value="no">{t::PROMISE_NO}</option>
                    </select>
                </label>
                <div class="md:col-span-3">
                    <button class=style::BUTTON type="submit" data-testid="segment-save">
                        {t::SAVE_SEGMENT}
                    </button>
                    <FormResult value=save.value() />
                </div>
            </form>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match preview.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(p) => view! { <Preview p /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Preview(p: SegmentPreview) -> impl IntoView {
    view! {
        <p class="mt-4 font-medium" role="status" data-testid="segment-preview">
            {format!(
                "{}: {} {} · {} {} · {} {}",
                t::NOW_IN_SEGMENT,
                p.count.accounts,
                t::ACCOUNTS,
                t::OVERDUE.to_lowercase(),
                p.count.overdue.label(),
                t::REACHABLE,
                p.count.reachable,
            )}
        </p>
        {(!p.members.is_empty())
            .then(|| {
                view! {
                    <details class="mt-2">
                        <summary class="cursor-pointer text-sm text-teal-800">
                            {t::PREVIEW_MORE}
                        </summary>
                        <MemberTable members=p.members />
                    </details>
                }
            })}
    }
}

#[component]
fn MemberTable(members: Vec<SegmentMember>) -> impl IntoView {
    view! {
        <div class="mt-2 overflow-x-auto">
            <table class=style::TABLE>
                <thead class="bg-slate-50">
                    <tr>
                        <th class=style::TH>{t::ACCOUNT}</th>
                        <th class=style::TH>{t::ADDRESS}</th>
                        <th class=style::TH_NUMBER>{t::OVERDUE}</th>
                        <th class=style::TH_NUMBER>{t::OWED}</th>
                        <th class=style::TH_NUMBER>{t::RECIPIENTS}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {members
                        .into_iter()
                        .map(|m| {
                            view! {
                                <tr>
                                    <td class=style::TD>
                                        <a
                                            class="text-teal-800 underline"
                                            href=format!("/staff/debts/account/{}", m.account_id)
                                        >
                                            {m.number}
                                        </a>
                                    </td>
                                    <td class=style::TD>{m.address}</td>
                                    <td class=style::TD_NUMBER>{m.overdue.label()}</td>
                                    <td class=style::TD_NUMBER>{m.owed.label()}</td>
                                    <td class=style::TD_NUMBER>{m.reachable}</td>
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
fn SegmentList(
    segments: Vec<Segment>,
    delete: ServerAction<DeleteDebtSegment>,
    send: ServerAction<SendDebtMailing>,
) -> impl IntoView {
    view! {
        <section class="mt-6">
            <h2 class=style::H2>{t::SEGMENT}</h2>
            <FormResult value=send.value() success=t::MAILING_SENT />
            <FormResult value=delete.value() />
            {segments
                .is_empty()
                .then(|| view! { <p class="mt-2 text-slate-600">{t::NO_SEGMENTS}</p> })}
            <ul class="mt-2 space-y-3">
                {segments
                    .into_iter()
                    .map(|s| {
                        view! {
                            <li class=style::CARD data-testid="segment-row">
                                <div class="flex flex-wrap items-baseline justify-between gap-2">
                                    <h3 class="font-semibold">{s.name.clone()}</h3>
                                    <p class="tabular-nums" data-testid="segment-count">
                                        {format!(
                                            "{} {} · {} · {} {}",
                                            s.count.accounts,
                                            t::ACCOUNTS,
                                            s.count.overdue.label(),
                                            t::REACHABLE,
                                            s.count.reachable,
                                        )}
                                    </p>
                                </div>
                                <p class="mt-1 text-sm text-slate-600">{s.summary.clone()}</p>
                                <div class="mt-3 flex flex-wrap items-end gap-2">
                                    <ActionForm action=send>
                                        <input type="hidden" name="segment" value=s.id />
                                        <div class="flex flex-wrap items-end gap-2">
                                            <label class=style::LABEL>
                                                {t::TEMPLATE}
                                                <select
                                                    name="kind"
                                                    class=style::INPUT
                                                    aria-label=format!("{} {}", t::TEMPLATE, s.name)
                                                >
                                                    {MAILING_KINDS
                                                        .iter()
                                                        .map(|k| {
                                                            let label = crate::notify::rules::spec(*k).label;
                                                            view! { <option value=k.as_str()>{label}</option> }
                                                        })
                                                        .collect_view()}
                                                </select>
                                            </label>
                                            <button
                                                class=style::BUTTON
                                                type="submit"
                                                data-testid="segment-send"
                                            >
                                                {t::SEND}
                                            </button>
                                        </div>
                                    </ActionForm>
                                    <ActionForm action=delete>
                                        <input type="hidden" name="id" value=s.id />
                                        <button class=style::BUTTON_SECONDARY type="submit">
                                            {t::DELETE}
                                        </button>
                                    </ActionForm>
                                    <a
                                        class="text-sm text-teal-800 underline"
                                        href="/staff/templates"
                                    >
                                        {t::EDIT_TEMPLATES}
                                    </a>
                                </div>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn MailingList(mailings: Vec<MailingView>) -> impl IntoView {
    view! {
        <section class="mt-6">
            <h2 class=style::H2>{t::MAILINGS}</h2>
            {mailings
                .is_empty()
                .then(|| view! { <p class="mt-2 text-slate-600">{t::NO_MAILINGS}</p> })}
            <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                <table class=style::TABLE>
                    <thead class="bg-slate-50">
                        <tr>
                            <th class=style::TH>{t::SENT_AT}</th>
                            <th class=style::TH>{t::SEGMENT}</th>
                            <th class=style::TH>{t::TEMPLATE}</th>
                            <th class=style::TH_NUMBER>{t::RECIPIENTS}</th>
                            <th class=style::TH_NUMBER>{t::OVERDUE}</th>
                            <th class=style::TH>{t::DELIVERY}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {mailings
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <tr data-testid="mailing-row">
                                        <td class=style::TD>{m.sent_at}</td>
                                        <td class=style::TD>{m.segment}</td>
                                        <td class=style::TD>{m.template}</td>
                                        <td class=style::TD_NUMBER>
                                            {format!(
                                                "{} ({} {})",
                                                m.recipients,
                                                m.accounts,
                                                t::ACCOUNTS,
                                            )}
                                        </td>
                                        <td class=style::TD_NUMBER>{m.overdue.label()}</td>
                                        <td class=style::TD>
                                            <DeliveryReportView r=m.report />
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
