//! An account's charges, penalties and payments by month: the resident's account page and
//! the staff's show the same.

use super::*;

/// The resident's charges of one account; the resource is made by the page (see
/// ARCHITECTURE, "How a request flows").
#[component]
pub fn AccountCharges(
    statement: Resource<Result<AccountStatement, crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match statement.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(s) => view! { <Statement s=s /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub(super) fn Statement(s: AccountStatement) -> impl IntoView {
    let latest = s
        .months
        .iter()
        .find(|m| m.charged.0 > 0 || !m.lines.is_empty())
        .cloned();
    let (label, class) = match s.balance.0 {
        b if b > 0 => (t::BALANCE_DEBT, "text-rose-700"),
        b if b < 0 => (t::BALANCE_ADVANCE, "text-teal-700"),
        _ => (t::BALANCE_ZERO, "text-slate-700"),
    };
    let amount = if s.balance.0 < 0 {
        -s.balance
    } else {
        s.balance
    };
    let account_id = s.account_id;
    // residents pay here; staff see the same card without the button
    let payer = crate::ui::use_user().is_some_and(|u| {
        crate::auth::rules::role_can(u.role, crate::auth::types::Permission::OwnCabinet)
    });
    view! {
        <section class=format!("{} mt-4", style::CARD) data-testid="balance-card">
            <p class="text-sm text-slate-600">{label}</p>
            <p class=format!("text-3xl font-semibold {class}") data-testid="balance">
                {amount.label()}
            </p>
            {latest
                .clone()
                .map(|m| {
                    view! {
                        <p class="mt-1 text-sm text-slate-600">
                            {if s.balance.0 > 0 {
                                format!("{} {}", t::PAY_BY, date(m.due_on))
                            } else {
                                String::new()
                            }}
                        </p>
                        <div class="mt-3 flex flex-wrap gap-2">
                            {(payer && s.balance.0 > 0)
                                .then(|| {
                                    view! {
                                        <a
                                            class=style::BUTTON
                                            href="/cabinet/pay"
                                            data-testid="pay-link"
                                        >
                                            {t::PAY}
                                        </a>
                                    }
                                })}
                            <a
                                class=style::BUTTON_SECONDARY
                                rel="external"
                                data-testid="bill-link"
                                href=format!(
                                    "/cabinet/bill?account={account_id}&period={}",
                                    m.period,
                                )
                            >
                                {t::DOWNLOAD_BILL}
                                " · "
                                {m.period.label()}
                            </a>
                        </div>
                    }
                })}
        </section>
        {if s.months.is_empty() {
            view! { <p class="mt-4 text-sm text-slate-600">{t::NO_CHARGES}</p> }.into_any()
        } else {
            view! {
                <section class=format!("{} mt-4", style::CARD)>
                    <h2 class=style::H2>{t::CHART_TITLE}</h2>
                    <MoneyChart months=s.months.clone() />
                </section>
                <h2 class=format!("{} mt-6", style::H2)>{t::CHARGES}</h2>
                <div class="mt-2 space-y-2">
                    {s
                        .months
                        .into_iter()
                        .enumerate()
                        .map(|(i, m)| view! { <Month m=m account_id=account_id open=i == 0 /> })
                        .collect_view()}
                </div>
            }
                .into_any()
        }}
    }
}

#[component]
pub(super) fn Month(m: MonthStatement, account_id: i64, open: bool) -> impl IntoView {
    let period = m.period;
    view! {
        <details class=style::CARD open=open data-testid="month">
            <summary class="flex cursor-pointer flex-wrap items-baseline justify-between gap-2">
                <span class="font-medium capitalize">{period.label()}</span>
                <span class="text-sm text-slate-600">
                    {t::CHARGED}" "{(m.charged + m.penalties).label()}" · "{t::PAID}" "
                    {m.paid.label()}
                </span>
            </summary>
            <dl class="mt-3 grid grid-cols-2 gap-1 text-sm">
                <dt class="text-slate-600">{t::OPENING}</dt>
                <dd class="text-right">{balance_text(m.opening)}</dd>
            </dl>
            <ul class="mt-2 divide-y divide-slate-100">
                {m
                    .lines
                    .into_iter()
                    .map(|l| {
                        view! {
                            <li
                                class="py-2"
                                data-testid=if l.penalty { "penalty-line" } else { "charge-line" }
                            >
                                <div class="flex justify-between gap-3 text-sm">
                                    <span class="font-medium">{l.service.clone()}</span>
                                    <span class="whitespace-nowrap">{l.amount.label()}</span>
                                </div>
                                <p class="mt-0.5 text-xs text-slate-600">
                                    {if l.penalty {
                                        l.source.clone()
                                    } else {
                                        format!(
                                            "{} {} · {}",
                                            format_value(l.quantity),
                                            l.unit,
                                            l.source,
                                        )
                                    }}
                                </p>
                                <p class="mt-0.5 whitespace-pre-line text-xs text-slate-500">
                                    {l.explanation.clone()}
                                </p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(!m.corrections.is_empty())
                .then(|| {
                    view! {
                        <h3 class="mt-3 text-sm font-medium">{t::CORRECTIONS}</h3>
                        <ul class="text-sm">
                            {m
                                .corrections
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <li class="flex justify-between gap-2">
                                            <span>{c.reason}</span>
                                            <span>{c.amount.label()}</span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            {(!m.payments.is_empty())
                .then(|| {
                    view! {
                        <h3 class="mt-3 text-sm font-medium">{t::PAID}</h3>
                        <ul class="text-sm" data-testid="payments">
                            {m
                                .payments
                                .into_iter()
                                .map(|p| {
                                    view! {
                                        <li class="flex justify-between gap-2">
                                            <span>{date(p.on)}" "{p.reason}</span>
                                            <span>{(-p.amount).label()}</span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            <dl class="mt-3 grid grid-cols-2 gap-1 border-t border-slate-100 pt-2 text-sm">
                <dt class="text-slate-600">{t::CLOSING}</dt>
                <dd class="text-right font-medium">{balance_text(m.closing)}</dd>
                {((m.charged + m.penalties).0 > 0)
                    .then(|| {
                        view! {
                            <dt class="text-slate-600">{t::PAY_BY}</dt>
                            <dd class="text-right">{date(m.due_on)}</dd>
                        }
                    })}
            </dl>
            <a
                class="mt-2 inline-block text-sm text-teal-700 underline"
                rel="external"
                href=format!("/cabinet/bill?account={account_id}&period={period}")
            >
                {t::DOWNLOAD_BILL}
            </a>
        </details>
    }
}

pub(super) fn balance_text(m: Money) -> String {
    match m.0 {
        b if b > 0 => format!("{} ({})", m.label(), t::DEBT),
        b if b < 0 => format!("{} ({})", (-m).label(), t::ADVANCE),
        _ => m.label(),
    }
}

/// Charged (with penalties) and paid per month, the last 12 months, as paired bars.
#[component]
pub(super) fn MoneyChart(months: Vec<MonthStatement>) -> impl IntoView {
    let last: Vec<MonthStatement> = months.into_iter().take(12).rev().collect();
    let top = last
        .iter()
        .map(|m| (m.charged + m.penalties).0.max(m.paid.0))
        .max()
        .unwrap_or(0)
        .max(1);
    // the label is exact; f64 only places the bars
    let (w, h, pad) = (360.0, 160.0, 16.0);
    let step = w / last.len().max(1) as f64;
    let height = move |k: i64| (k.max(0) as f64 / top as f64) * (h - 2.0 * pad);
    view! {
        <svg
            viewBox=format!("0 0 {w} {h}")
            class="mt-2 h-48 w-full"
            role="img"
            aria-label=t::CHART_TITLE
            data-testid="money-chart"
        >
            <line x1="0" x2=w y1=h - pad y2=h - pad stroke="#cbd5e1" stroke-width="1" />
            <text x="0" y=pad - 4.0 font-size="8" fill="#64748b">
                {Money(top).label()}
            </text>
            {last
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let charged = (m.charged + m.penalties).0;
                    let x = i as f64 * step + step * 0.1;
                    let (hc, hp) = (height(charged), height(m.paid.0));
                    view! {
                        <g>
                            <title>
                                {format!(
                                    "{}: {} {}, {} {}",
                                    m.period.label(),
                                    t::CHARGED,
                                    Money(charged).label(),
                                    t::PAID,
                                    m.paid.label(),
                                )}
                            </title>
                            <rect
                                x=x
                                y=h - pad - hc
                                width=step * 0.38
                                height=hc.max(0.5)
                                rx="1.5"
                                fill="#0f766e"
                            />
                            <rect
                                x=x + step * 0.4
                                y=h - pad - hp
                                width=step * 0.38
                                height=hp.max(0.5)
                                rx="1.5"
                                fill="#94a3b8"
                            />
                            <text
                                x=x + step * 0.39
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
        <p class="mt-1 flex gap-3 text-xs text-slate-600">
            <span class="flex items-center gap-1">
                <span class="inline-block h-2.5 w-2.5 rounded-sm bg-teal-700"></span>
                {t::CHARGED}
            </span>
            <span class="flex items-center gap-1">
                <span class="inline-block h-2.5 w-2.5 rounded-sm bg-slate-400"></span>
                {t::PAID}
            </span>
        </p>
    }
}
