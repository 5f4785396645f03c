//! The dated rule tables of penalties and due dates: key rates, caps and moratoria, due days,
//! the work calendar.

use super::*;

/// Staff: the rule tables — key rates, penalty caps and moratoria, due days — with forms to
/// add a row as the rules change.
#[component]
pub fn RulesPage() -> impl IntoView {
    let key = ServerAction::<SetKeyRate>::new();
    let penalty = ServerAction::<AddPenaltyRule>::new();
    let due = ServerAction::<SetDueDay>::new();
    let calendar = ServerAction::<SetCalendarDay>::new();
    let data = Resource::new(
        move || {
            key.version().get()
                + penalty.version().get()
                + due.version().get()
                + calendar.version().get()
        },
        |_| load_rule_tables(),
    );
    view! {
        <h1 class=style::H1>{t::RULES_TITLE}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::RULES_HINT}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => {
                        view! {
                            <div class="mt-4">
                                <ErrorNote error=e />
                            </div>
                        }
                            .into_any()
                    }
                    Ok(r) => {
                        view! {
                            <div class="mt-4 grid gap-4 lg:grid-cols-3">
                                <section class=style::CARD data-testid="key-rates">
                                    <h2 class=style::H2>{t::KEY_RATES}</h2>
                                    <ActionForm action=key>
                                        <div class="mt-2 grid grid-cols-2 gap-2">
                                            <label class=style::LABEL>
                                                {t::VALID_FROM}
                                                <input
                                                    class=style::INPUT
                                                    type="date"
                                                    name="valid_from"
                                                    required
                                                />
                                            </label>
                                            <label class=style::LABEL>
                                                {t::PERCENT}
                                                <input
                                                    class=style::INPUT
                                                    name="rate"
                                                    inputmode="decimal"
                                                    required
                                                />
                                            </label>
                                        </div>
                                        <button
                                            class=format!("{} mt-2", style::BUTTON_SECONDARY)
                                            type="submit"
                                        >
                                            {t::SAVE}
                                        </button>
                                        <FormResult value=key.value() success=t::SAVED />
                                    </ActionForm>
                                    <table class=format!("{} mt-3", style::TABLE)>
                                        <tbody class="divide-y divide-slate-100">
                                            {r
                                                .key_rates
                                                .into_iter()
                                                .map(|(from, rate)| {
                                                    view! {
                                                        <tr>
                                                            <td class=style::TD>{date(from)}</td>
                                                            <td class=format!(
                                                                "{} text-right",
                                                                style::TD,
                                                            )>
                                                                {crate::billing::rules::format_rate_percent(rate)}" %"
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </section>
                                <section class=style::CARD data-testid="penalty-rules">
                                    <h2 class=style::H2>{t::PENALTY_RULES}</h2>
                                    <ActionForm action=penalty>
                                        <div class="mt-2 grid grid-cols-2 gap-2">
                                            <label class=style::LABEL>
                                                {t::VALID_FROM}
                                                <input
                                                    class=style::INPUT
                                                    type="date"
                                                    name="valid_from"
                                                    required
                                                />
                                            </label>
                                            <label class=style::LABEL>
                                                {t::VALID_TO}
                                                <input
                                                    class=style::INPUT
                                                    type="date"
                                                    name="valid_to"
                                                    required
                                                />
                                            </label>
                                            <label class=format!(
                                                "{} col-span-2",
                                                style::LABEL,
                                            )>
                                                {t::CAP}
                                                <input
                                                    class=style::INPUT
                                                    name="cap"
                                                    inputmode="decimal"
                                                    placeholder=t::CAP_EMPTY
                                                />
                                            </label>
                                            <label class=format!(
                                                "{} col-span-2",
                                                style::LABEL,
                                            )>
                                                {t::DEBTS_DUE_BEFORE}
                                                <input
                                                    class=style::INPUT
                                                    type="date"
                                                    name="debts_due_before"
                                                    title=t::DEBTS_DUE_BEFORE_EMPTY
                                                />
                                            </label>
                                            <label class=format!(
                                                "{} col-span-2",
                                                style::LABEL,
                                            )>
                                                {t::BASIS_NOTE}
                                                <input class=style::INPUT name="note" required />
                                            </label>
                                        </div>
                                        <button
                                            class=format!("{} mt-2", style::BUTTON_SECONDARY)
                                            type="submit"
                                        >
                                            {t::SAVE}
                                        </button>
                                        <FormResult value=penalty.value() success=t::SAVED />
                                    </ActionForm>
                                    <ul class="mt-3 space-y-2 text-sm">
                                        {r
                                            .penalty_rules
                                            .into_iter()
                                            .map(|p| {
                                                view! {
                                                    <li>
                                                        <span class="font-medium">
                                                            {date(p.valid_from)}" — "{date(p.valid_to)}": "
                                                            {match (p.cap, p.debts_due_before) {
                                                                (Some(c), _) => {
                                                                    format!(
                                                                        "{} {} %",
                                                                        t::CAPPED_AT,
                                                                        crate::billing::rules::format_rate_percent(c),
                                                                    )
                                                                }
                                                                (None, None) => t::MORATORIUM.to_string(),
                                                                (None, Some(before)) => {
                                                                    format!(
                                                                        "{} — {} {}",
                                                                        t::MORATORIUM,
                                                                        t::ONLY_DEBTS_DUE_BEFORE,
                                                                        date(before),
                                                                    )
                                                                }
                                                            }}
                                                        </span>
                                                        <span class="block text-xs text-slate-600">{p.note}</span>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </section>
                                <section class=style::CARD data-testid="due-days">
                                    <h2 class=style::H2>{t::DUE_DAYS}</h2>
                                    <ActionForm action=due>
                                        <div class="mt-2 grid grid-cols-2 gap-2">
                                            <label class=style::LABEL>
                                                {t::FROM_PERIOD}
                                                <input
                                                    class=style::INPUT
                                                    type="month"
                                                    name="from"
                                                    required
                                                />
                                            </label>
                                            <label class=style::LABEL>
                                                {t::DAY}
                                                <input
                                                    class=style::INPUT
                                                    type="number"
                                                    min="1"
                                                    max="28"
                                                    name="day"
                                                    required
                                                />
                                            </label>
                                            <label class=format!(
                                                "{} col-span-2",
                                                style::LABEL,
                                            )>
                                                {t::BASIS_NOTE}
                                                <input class=style::INPUT name="note" required />
                                            </label>
                                        </div>
                                        <button
                                            class=format!("{} mt-2", style::BUTTON_SECONDARY)
                                            type="submit"
                                        >
                                            {t::SAVE}
                                        </button>
                                        <FormResult value=due.value() success=t::SAVED />
                                    </ActionForm>
                                    <ul class="mt-3 space-y-2 text-sm">
                                        {r
                                            .due_days
                                            .into_iter()
                                            .map(|d| {
                                                view! {
                                                    <li>
                                                        <span class="font-medium">
                                                            {format!(
                                                                "{} {}: {}-е число следующего месяца",
                                                                t::FROM_PERIOD_SHORT,
                                                                d.from.label_genitive(),
                                                                d.day,
                                                            )}
                                                        </span>
                                                        <span class="block text-xs text-slate-600">{d.note}</span>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </section>
                                <section
                                    class=format!("{} lg:col-span-3", style::CARD)
                                    data-testid="work-calendar"
                                >
                                    <h2 class=style::H2>{t::CALENDAR}</h2>
                                    <p class="mt-1 text-sm text-slate-600">{t::CALENDAR_HINT}</p>
                                    <ActionForm action=calendar>
                                        <div class="mt-2 grid gap-2 sm:grid-cols-4">
                                            <label class=style::LABEL>
                                                {t::CALENDAR_DAY}
                                                <input class=style::INPUT type="date" name="day" required />
                                            </label>
                                            <label class=style::LABEL>
                                                {t::CALENDAR_KIND} <select class=style::INPUT name="kind">
                                                    <option value="off">{t::CALENDAR_OFF}</option>
                                                    <option value="working">{t::CALENDAR_WORKING}</option>
                                                    <option value="regular">{t::CALENDAR_REGULAR}</option>
                                                </select>
                                            </label>
                                            <label class=format!(
                                                "{} sm:col-span-2",
                                                style::LABEL,
                                            )>
                                                {t::BASIS_NOTE}<input class=style::INPUT name="note" />
                                            </label>
                                        </div>
                                        <button
                                            class=format!("{} mt-2", style::BUTTON_SECONDARY)
                                            type="submit"
                                        >
                                            {t::SAVE}
                                        </button>
                                        <FormResult value=calendar.value() success=t::SAVED />
                                    </ActionForm>
                                    <ul class="mt-3 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-3">
                                        {r
                                            .calendar
                                            .into_iter()
                                            .map(|c| {
                                                view! {
                                                    <li>
                                                        <span class="font-medium tabular-nums">{date(c.day)}</span>
                                                        " — "
                                                        {if c.working {
                                                            t::CALENDAR_WORKING_SHORT
                                                        } else {
                                                            t::CALENDAR_OFF_SHORT
                                                        }}
                                                        <span class="block text-xs text-slate-600">{c.note}</span>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
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
