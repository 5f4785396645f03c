//! Payments' pages: the accountant's bank statements, the queue of payments to assign, and
//! the exports for 1С.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::api::*;
use super::text as t;
use super::types::*;
use crate::error::AppError;
use crate::ui::HouseSelect;
use crate::ui::{ErrorNote, ImportFileFields, ImportReportCard, Loading, style};

/// Staff (accountant): load a bank statement, assign what it could not match, export the
/// month's payments for 1С.
#[component]
pub fn PaymentsPage() -> impl IntoView {
    let import = ServerAction::<ImportBankStatement>::new();
    let assign = ServerAction::<AssignBankPayment>::new();
    let dismiss = ServerAction::<DismissBankPayment>::new();
    let page = Resource::new(
        move || {
            (
                import.version().get(),
                assign.version().get(),
                dismiss.version().get(),
            )
        },
        |_| load_bank_page(),
    );
    view! {
        <h1 class=style::H1>{t::PAYMENTS_TITLE}</h1>
        <section class=format!("{} mt-4 max-w-3xl", style::CARD)>
            <h2 class=style::H2>{t::STATEMENT_TITLE}</h2>
            <p class="mt-1 text-sm text-slate-600">{t::STATEMENT_HINT}</p>
            <ActionForm action=import>
                <div class="mt-3 space-y-2">
                    <ImportFileFields accept=".txt,text/plain" />
                </div>
            </ActionForm>
        </section>
        {move || {
            import
                .value()
                .get()
                .map(|r| match r {
                    Err(e) => {
                        view! {
                            <div class="mt-4 max-w-3xl">
                                <ErrorNote error=e />
                            </div>
                        }
                            .into_any()
                    }
                    Ok(report) => view! { <ImportReportCard report /> }.into_any(),
                })
        }}
        <section class="mt-6" data-testid="bank-queue">
            <h2 class=style::H2>{t::QUEUE_TITLE}</h2>
            <crate::ui::FormResult value=assign.value() success=t::ASSIGNED />
            <crate::ui::FormResult value=dismiss.value() success=t::DISMISSED />
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(p) if p.queue.is_empty() => {
                            view! { <p class="mt-2 text-sm text-slate-600">{t::QUEUE_EMPTY}</p> }
                                .into_any()
                        }
                        Ok(p) => {
                            view! {
                                <div class="mt-2 space-y-3">
                                    {p
                                        .queue
                                        .into_iter()
                                        .map(|q| view! { <QueueCard q assign dismiss /> })
                                        .collect_view()}
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
        <section class=format!("{} mt-6 max-w-3xl", style::CARD)>
            <h2 class=style::H2>{t::EXPORT_TITLE}</h2>
            <p class="mt-1 text-sm text-slate-600">{t::EXPORT_HINT}</p>
            <ExportForm page />
        </section>
        <CardPayments />
        <section class="mt-6">
            <h2 class=style::H2>{t::STATEMENTS_TITLE}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    page.await.ok().map(|p| view! { <StatementsTable statements=p.statements /> })
                })}
            </Suspense>
        </section>
    }
}

/// One queued payment: what the bank said, the likeliest account, and the two decisions.
#[component]
fn QueueCard(
    q: QueuedPayment,
    assign: ServerAction<AssignBankPayment>,
    dismiss: ServerAction<DismissBankPayment>,
) -> impl IntoView {
    let prefill = q
        .suggestion
        .as_ref()
        .map(|s| s.account_number.clone())
        .unwrap_or_default();
    view! {
        <article class=format!("{} max-w-3xl", style::CARD) data-testid="queued-payment">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <p class="font-medium">{q.payer.clone()}</p>
                <p class="text-lg font-semibold tabular-nums">{q.amount.label()}</p>
            </div>
            <p class="text-sm text-slate-600">
                {format!("{} {} · {}", t::DOCUMENT, q.number, q.on.format("%d.%m.%Y"))}
            </p>
            <p class="mt-1 text-sm">
                <span class="text-slate-500">{t::PURPOSE}": "</span>
                {q.purpose.clone()}
            </p>
            {match &q.suggestion {
                Some(s) => {
                    view! {
                        <p class="mt-1 text-sm text-teal-800">
                            {format!(
                                "{}: л/с {} — {} ({}, {} %)",
                                t::SUGGESTED,
                                s.account_number,
                                s.address,
                                s.rule.label(),
                                s.confidence,
                            )}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! { <p class="mt-1 text-sm text-amber-800">{t::NO_SUGGESTION}</p> }
                        .into_any()
                }
            }}
            <ActionForm action=assign>
                <input type="hidden" name="payment_id" value=q.id />
                <div class="mt-2 flex flex-wrap items-end gap-2">
                    <label class=format!(
                        "{} w-48",
                        style::LABEL,
                    )>
                        {t::ACCOUNT_NUMBER}
                        <input
                            class=style::INPUT
                            name="account_number"
                            value=prefill
                            required
                            inputmode="numeric"
                        />
                    </label>
                    <button class=style::BUTTON type="submit">
                        {t::ASSIGN}
                    </button>
                </div>
            </ActionForm>
            <details class="mt-2">
                <summary class="cursor-pointer text-sm text-slate-600">{t::DISMISS}</summary>
                <ActionForm action=dismiss>
                    <input type="hidden" name="payment_id" value=q.id />
                    <div class="mt-2 flex flex-wrap items-end gap-2">
                        <label class=format!(
                            "{} w-80 max-w-full",
                            style::LABEL,
                        )>
                            {t::DISMISS_NOTE}
                            <input
                                class=style::INPUT
                                name="note"
                                required
                                minlength="3"
                                maxlength="300"
                            />
                        </label>
                        <button class=style::BUTTON_SECONDARY type="submit">
                            {t::DISMISS_SAVE}
                        </button>
                    </div>
                </ActionForm>
            </details>
        </article>
    }
}

/// Staff: residents' card payments with their status, to answer "I paid, where is it?".
#[component]
fn CardPayments() -> impl IntoView {
    let status = RwSignal::new(String::new());
    let list = Resource::new(
        move || status.get(),
        |s| load_card_payments((!s.is_empty()).then_some(s)),
    );
    view! {
        <section class="mt-6" data-testid="card-payments">
            <div class="flex flex-wrap items-end justify-between gap-2">
                <h2 class=style::H2>{t::CARD_PAYMENTS_TITLE}</h2>
                <div class="w-48">
                    <select
                        class=style::INPUT
                        aria-label=t::PAYMENT_STATUS
                        on:change=move |ev| status.set(event_target_value(&ev))
                    >
                        <option value="">{t::HISTORY_ALL}</option>
                        {OnlineStatus::filters()
                            .map(|s| view! { <option value=s.as_str()>{s.label()}</option> })
                            .collect_view()}
                    </select>
                </div>
            </div>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                        Ok(list) if list.is_empty() => {
                            view! {
                                <p class="mt-2 text-sm text-slate-600">{t::CARD_PAYMENTS_EMPTY}</p>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <div class=format!("{} mt-2 overflow-x-auto p-0", style::CARD)>
                                    <table class=style::TABLE>
                                        <thead>
                                            <tr>
                                                <th class=style::TH>{t::DATE}</th>
                                                <th class=style::TH>{t::PAYMENT_ORDER}</th>
                                                <th class=style::TH>{t::ACCOUNT_NUMBER}</th>
                                                <th class=style::TH>{t::AMOUNT}</th>
                                                <th class=style::TH>{t::PAYMENT_STATUS}</th>
                                                <th class=style::TH>{t::PAYMENT_TRANSACTION}</th>
                                            </tr>
                                        </thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {list
                                                .into_iter()
                                                .map(|p| {
                                                    view! {
                                                        <tr data-testid="card-payment">
                                                            <td class=style::TD>
                                                                {p.created_at.format("%d.%m.%Y %H:%M").to_string()}
                                                            </td>
                                                            <td class=style::TD>{p.order_id}</td>
                                                            <td class=style::TD>
                                                                {p
                                                                    .parts
                                                                    .iter()
                                                                    .map(|x| x.account_number.clone())
                                                                    .collect::<Vec<_>>()
                                                                    .join(", ")}
                                                            </td>
                                                            <td class=format!(
                                                                "{} tabular-nums",
                                                                style::TD,
                                                            )>{p.amount.label()}</td>
                                                            <td class=style::TD>{p.status.label()}</td>
                                                            <td class=style::TD>{p.provider_id.unwrap_or_default()}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The month's payments of a house as a file for 1С or a register (a plain GET form: the
/// browser downloads what it gets). The house selector loads its own list, so it stands outside
/// the page's `Suspense` (a resource made inside another's `Suspend` hydrates out of step).
#[component]
fn ExportForm(page: Resource<Result<BankPage, AppError>>) -> impl IntoView {
    view! {
        <form method="get" action="/staff/payments/export" class="mt-3 space-y-2">
            <HouseSelect name="house" />
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let month = page.await.map(|p| p.last_month).unwrap_or_default();
                    view! {
                        <label class=format!(
                            "{} w-48",
                            style::LABEL,
                        )>
                            {t::MONTH}
                            <input
                                type="month"
                                name="period"
                                class=style::INPUT
                                value=month
                                required
                            />
                        </label>
                    }
                })}
            </Suspense>
            <div class="flex flex-wrap gap-2">
                <button class=style::BUTTON type="submit" name="format" value="1c">
                    {t::EXPORT_1C}
                </button>
                <button class=style::BUTTON_SECONDARY type="submit" name="format" value="xlsx">
                    {t::EXPORT_XLSX}
                </button>
                <button class=style::BUTTON_SECONDARY type="submit" name="format" value="csv">
                    {t::EXPORT_CSV}
                </button>
            </div>
        </form>
    }
}

#[component]
fn StatementsTable(statements: Vec<StatementView>) -> impl IntoView {
    if statements.is_empty() {
        return view! { <p class="mt-2 text-sm text-slate-600">{t::STATEMENTS_EMPTY}</p> }
            .into_any();
    }
    let day = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_default()
    };
    view! {
        <div class=format!("{} mt-2 overflow-x-auto p-0", style::CARD)>
            <table class=style::TABLE>
                <thead>
                    <tr>
                        <th class=style::TH>{t::LOADED_ON}</th>
                        <th class=style::TH>{t::BANK_ACCOUNT}</th>
                        <th class=style::TH>{t::DAYS}</th>
                        <th class=style::TH>{t::POSTED}</th>
                        <th class=style::TH>{t::QUEUED}</th>
                        <th class=style::TH>{t::DISMISSED_COUNT}</th>
                        <th class=style::TH>{t::AMOUNT}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {statements
                        .into_iter()
                        .map(|s| {
                            view! {
                                <tr>
                                    <td class=style::TD>
                                        {s.loaded_on.format("%d.%m.%Y").to_string()}
                                    </td>
                                    <td class=style::TD>{s.bank_account}</td>
                                    <td class=style::TD>
                                        {format!("{} – {}", day(s.from), day(s.to))}
                                    </td>
                                    <td class=style::TD>{s.posted}</td>
                                    <td class=style::TD>{s.queued}</td>
                                    <td class=style::TD>{s.dismissed}</td>
                                    <td class=format!(
                                        "{} tabular-nums",
                                        style::TD,
                                    )>{s.amount.label()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Resident: pay one or more own accounts by card. `?account=` (a reminder's pay link) fills
/// in that account's debt only.
#[component]
pub fn PayPage() -> impl IntoView {
    let start = ServerAction::<StartPayment>::new();
    let only = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("account")
        .and_then(|a| a.parse::<i64>().ok());
    let accounts = Resource::new(|| (), |_| load_pay_page());
    // off to the bank's page: a full navigation, not a route of this app
    Effect::new(move |_| {
        if let Some(Ok(url)) = start.value().get() {
            let _ = window().location().set_href(&url);
        }
    });
    view! {
        <h1 class=style::H1>{t::PAY_TITLE}</h1>
        <p class="mt-1 text-sm text-slate-600">{t::PAY_HINT}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match accounts.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::PAY_NO_ACCOUNTS}</p> }.into_any()
                    }
                    Ok(list) => {
                        view! {
                            <ActionForm action=start>
                                <div class="mt-4 space-y-3">
                                    {list
                                        .into_iter()
                                        .enumerate()
                                        .map(|(i, a)| {
                                            let fill = only.is_none_or(|id| id == a.account_id);
                                            view! { <PayAccountCard i a fill /> }
                                        })
                                        .collect_view()}
                                </div>
                                <button
                                    class=format!("{} mt-4 w-full", style::BUTTON)
                                    type="submit"
                                    data-testid="pay-submit"
                                >
                                    {t::PAY_BUTTON}
                                </button>
                                <crate::ui::FormResult value=start.value() />
                            </ActionForm>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        <p class="mt-6">
            <a class="text-teal-700 underline" href="/cabinet/payments">
                {t::TO_HISTORY}
            </a>
        </p>
    }
}

#[component]
fn PayAccountCard(i: usize, a: PayableAccount, fill: bool) -> impl IntoView {
    let (label, due) = match a.balance.0 {
        b if b > 0 => (t::OWED, a.balance.label()),
        0 => (t::NOTHING_OWED, String::new()),
        _ => (t::ADVANCE, (-a.balance).label()),
    };
    let prefill = if fill && a.balance.0 > 0 {
        a.balance.plain()
    } else {
        String::new()
    };
    view! {
        <section class=style::CARD data-testid="pay-account">
            <input type="hidden" name=format!("parts[{i}][account_id]") value=a.account_id />
            <p class="font-medium">{a.address}</p>
            <p class="text-sm text-slate-600">{format!("Лицевой счёт {}", a.number)}</p>
            <p class="mt-1 text-sm">
                {label}" "<span class="font-semibold" data-testid="pay-due">
                    {due}
                </span>
            </p>
            <div class="mt-2 grid grid-cols-2 gap-2">
                <label class=style::LABEL>
                    {t::PAY_AMOUNT}
                    <input
                        class=style::INPUT
                        name=format!("parts[{i}][amount]")
                        value=prefill
                        inputmode="decimal"
                        aria-label=format!("{} {}", t::PAY_AMOUNT, a.number)
                    />
                </label>
                <label class=style::LABEL>
                    {t::PAY_PERIOD} <select class=style::INPUT name=format!("parts[{i}][period]")>
                        <option value="">{t::PAY_ANY_PERIOD}</option>
                        {a
                            .periods
                            .into_iter()
                            .map(|p| view! { <option value=p.to_string()>{p.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class=format!(
                    "{} col-span-2",
                    style::LABEL,
                )>
                    {t::PAY_SERVICE} <select class=style::INPUT name=format!("parts[{i}][service]")>
                        <option value="">{t::PAY_ALL_SERVICES}</option>
                        {a
                            .services
                            .into_iter()
                            .map(|(id, name)| view! { <option value=id>{name}</option> })
                            .collect_view()}
                    </select>
                </label>
            </div>
        </section>
    }
}

/// Resident: one card payment — its status (asked from the bank while open), what it paid
/// and how it was spread, the confirmation PDF.
#[component]
pub fn PaymentPage() -> impl IntoView {
    let id = crate::ui::use_id_param();
    let (tick, set_tick) = signal(0u32);
    let payment = Resource::new(
        move || (id(), tick.get()),
        |(id, _)| load_online_payment(id),
    );
    // until the money is credited, look again every two seconds
    Effect::new(move |_| {
        if let Some(Ok(p)) = payment.get()
            && (!p.status.is_final()
                || (p.status == OnlineStatus::Confirmed && p.parts.iter().any(|x| !x.credited)))
        {
            set_timeout(
                move || set_tick.update(|t| *t += 1),
                std::time::Duration::from_secs(2),
            );
        }
    });
    view! {
        <a href="/cabinet/payments" class="text-sm text-teal-700">
            "← "
            {t::TO_HISTORY}
        </a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match payment.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(p) => view! { <PaymentCard p /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PaymentCard(p: OnlinePaymentView) -> impl IntoView {
    let when = p
        .paid_at
        .unwrap_or(p.created_at)
        .format("%d.%m.%Y %H:%M")
        .to_string();
    let tone = match p.status {
        OnlineStatus::Confirmed => "text-teal-700",
        OnlineStatus::Rejected | OnlineStatus::Expired => "text-red-700",
        OnlineStatus::Cancelled | OnlineStatus::Refunded => "text-slate-700",
        OnlineStatus::New | OnlineStatus::Pending => "text-amber-700",
    };
    let confirmed = p.status == OnlineStatus::Confirmed;
    view! {
        <h1 class=format!(
            "{} mt-2",
            style::H1,
        )>{format!("{} {}", t::PAYMENT_TITLE, p.amount.label())}</h1>
        <p class=format!("mt-1 text-lg font-semibold {tone}") data-testid="payment-status">
            {p.status.label()}
        </p>
        {p
            .status
            .advice()
            .map(|a| {
                view! {
                    <p class="mt-1 text-sm text-slate-700" data-testid="payment-advice">
                        {a}
                    </p>
                }
            })}
        <dl class=format!("{} mt-3 grid grid-cols-2 gap-y-1 text-sm", style::CARD)>
            <dt class="text-slate-500">{t::PAYMENT_WHEN}</dt>
            <dd>{when}</dd>
            <dt class="text-slate-500">{t::PAYMENT_ORDER}</dt>
            <dd>{p.order_id.clone()}</dd>
            <dt class="text-slate-500">{t::PAYMENT_PROVIDER}</dt>
            <dd>{p.provider.clone()}</dd>
            <dt class="text-slate-500">{t::PAYMENT_TRANSACTION}</dt>
            <dd>{p.provider_id.clone().unwrap_or_else(|| "—".into())}</dd>
        </dl>
        {p
            .payment_url
            .clone()
            .map(|url| {
                view! {
                    <a class=format!("{} mt-3", style::BUTTON) href=url rel="external">
                        {t::PAYMENT_FINISH}
                    </a>
                }
            })}
        <div class="mt-3 space-y-3">
            {p
                .parts
                .into_iter()
                .map(|part| {
                    view! {
                        <section class=style::CARD data-testid="payment-part">
                            <div class="flex items-baseline justify-between gap-2">
                                <p class="font-medium">
                                    {format!("Лицевой счёт {}", part.account_number)}
                                </p>
                                <p class="font-semibold tabular-nums">{part.amount.label()}</p>
                            </div>
                            <p class="text-sm text-slate-600">{part.address}</p>
                            <p class="text-sm">
                                {match part.period {
                                    Some(p) => format!("за {}", p.label()),
                                    None => t::PAYMENT_FOR_DEBT.to_string(),
                                }}
                            </p>
                            {part
                                .service
                                .clone()
                                .map(|s| {
                                    view! {
                                        <p class="text-sm">{format!("{} {s}", t::PAYMENT_ONLY)}</p>
                                    }
                                })}
                            {confirmed
                                .then(|| {
                                    view! {
                                        <p
                                            class="text-sm text-teal-700"
                                            data-testid="payment-credited"
                                        >
                                            {if part.credited {
                                                t::PAYMENT_CREDITED
                                            } else {
                                                t::PAYMENT_CREDITING
                                            }}
                                        </p>
                                    }
                                })}
                            {(!part.spread.is_empty())
                                .then(|| {
                                    view! {
                                        <details class="mt-1 text-sm">
                                            <summary class="cursor-pointer text-slate-600">
                                                {t::PAYMENT_SPREAD}
                                            </summary>
                                            <ul class="mt-1 space-y-0.5">
                                                {part
                                                    .spread
                                                    .into_iter()
                                                    .map(|(service, amount)| {
                                                        view! {
                                                            <li class="flex justify-between gap-2">
                                                                <span>{service}</span>
                                                                <span class="tabular-nums">{amount.label()}</span>
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        </details>
                                    }
                                })}
                        </section>
                    }
                })
                .collect_view()}
        </div>
        <div class="mt-4 flex flex-wrap gap-2">
            {confirmed
                .then(|| {
                    view! {
                        <a
                            class=style::BUTTON_SECONDARY
                            href=format!("/cabinet/payment-pdf?id={}", p.id)
                            rel="external"
                            data-testid="payment-pdf"
                        >
                            {t::PAYMENT_PDF}
                        </a>
                    }
                })}
            {p
                .receipt_url
                .map(|url| {
                    view! {
                        <a class=style::BUTTON_SECONDARY href=url rel="external">
                            {t::PAYMENT_RECEIPT}
                        </a>
                    }
                })}
            {(!confirmed && p.status.is_final())
                .then(|| {
                    view! {
                        <a class=style::BUTTON href="/cabinet/pay">
                            {t::PAYMENT_AGAIN}
                        </a>
                    }
                })}
        </div>
    }
}

/// Resident: card payments with filters by status and year.
#[component]
pub fn MyPaymentsPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let list = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("status").filter(|s| !s.is_empty()),
                q.get("year").and_then(|y| y.parse::<i32>().ok()),
            )
        },
        |(status, year)| load_my_payments(status, year),
    );
    view! {
        <h1 class=style::H1>{t::HISTORY_TITLE}</h1>
        <form method="get" class="mt-3 flex flex-wrap items-end gap-2">
            <label class=format!(
                "{} w-40",
                style::LABEL,
            )>
                {t::PAYMENT_STATUS} <select name="status" class=style::INPUT>
                    <option value="">{t::HISTORY_ALL}</option>
                    {OnlineStatus::filters()
                        .map(|s| view! { <option value=s.as_str()>{s.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class=format!(
                "{} w-28",
                style::LABEL,
            )>
                {t::HISTORY_YEAR}
                <input name="year" class=style::INPUT inputmode="numeric" placeholder="2026" />
            </label>
            <button class=style::BUTTON_SECONDARY type="submit">
                {t::HISTORY_FILTER}
            </button>
        </form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::HISTORY_EMPTY}</p> }.into_any()
                    }
                    Ok(list) => {
                        view! {
                            <ul class="mt-4 space-y-2">
                                {list
                                    .into_iter()
                                    .map(|p| {
                                        view! {
                                            <li>
                                                <a
                                                    class=format!("{} block", style::CARD)
                                                    href=format!("/cabinet/payment/{}", p.id)
                                                    data-testid="history-payment"
                                                >
                                                    <div class="flex items-baseline justify-between gap-2">
                                                        <span class="font-medium tabular-nums">
                                                            {p.amount.label()}
                                                        </span>
                                                        <span class="text-sm">{p.status.label()}</span>
                                                    </div>
                                                    <p class="text-sm text-slate-600">
                                                        {format!(
                                                            "{} · {}",
                                                            p.created_at.format("%d.%m.%Y %H:%M"),
                                                            p
                                                                .parts
                                                                .iter()
                                                                .map(|x| x.account_number.clone())
                                                                .collect::<Vec<_>>()
                                                                .join(", "),
                                                        )}
                                                    </p>
                                                </a>
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
