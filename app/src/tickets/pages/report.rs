//! The tickets report: per month and per category, within the deadlines or not.

use super::*;

/// `/staff/reports/tickets?year=`: the council's report with its chart.
#[component]
pub fn TicketReportPage() -> impl IntoView {
    let query = use_query_map();
    let year = move || query.read().get("year").and_then(|y| y.parse::<i32>().ok());
    let report = Resource::new(year, load_ticket_report);
    view! {
        <h1 class=style::H1>{t::REPORT_TITLE}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match report.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(r) => {
                        view! {
                            <form method="get" class="mt-3 flex items-end gap-2">
                                <label class=format!(
                                    "{} w-28",
                                    style::LABEL,
                                )>
                                    {t::YEAR}
                                    <input
                                        name="year"
                                        class=style::INPUT
                                        inputmode="numeric"
                                        value=r.year.to_string()
                                    />
                                </label>
                                <button class=style::BUTTON_SECONDARY type="submit">
                                    {t::FILTER}
                                </button>
                            </form>
                            <section class=format!("{} mt-4 max-w-4xl", style::CARD)>
                                <h2 class=style::H2>{t::BY_MONTH}</h2>
                                <MonthChart rows=r.by_month.clone() />
                            </section>
                            <ReportTable
                                title=t::BY_MONTH
                                rows=r.by_month.clone()
                                total=Some(r.total.clone())
                            />
                            <ReportTable
                                title=t::BY_CATEGORY
                                rows=r.by_category.clone()
                                total=None
                            />
                            <ReportTable
                                title=t::BY_CONTRACTOR
                                rows=r.by_contractor.clone()
                                total=None
                            />
                            <section class="mt-6 max-w-5xl">
                                <h2 class=style::H2>{t::CATEGORY_MONTH}</h2>
                                <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                                    <table class=style::TABLE>
                                        <thead class="bg-slate-50">
                                            <tr>
                                                <th class=style::TH>{t::CATEGORY}</th>
                                                {r
                                                    .months
                                                    .iter()
                                                    .map(|m| {
                                                        view! {
                                                            <th class=format!(
                                                                "{} text-right",
                                                                style::TH,
                                                            )>{m.clone()}</th>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tr>
                                        </thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {r
                                                .by_category_month
                                                .iter()
                                                .map(|(c, counts)| {
                                                    view! {
                                                        <tr>
                                                            <td class=style::TD>{c.clone()}</td>
                                                            {counts
                                                                .iter()
                                                                .map(|n| {
                                                                    view! {
                                                                        <td class=format!(
                                                                            "{} text-right tabular-nums",
                                                                            style::TD,
                                                                        )>{*n}</td>
                                                                    }
                                                                })
                                                                .collect_view()}
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Tickets per month as bars: the part resolved within its deadline, and the rest.
#[component]
fn MonthChart(rows: Vec<ReportRow>) -> impl IntoView {
    let max = rows.iter().map(|r| r.tickets).max().unwrap_or(0).max(1);
    let (w, h, bar) = (600.0_f64, 180.0_f64, 36.0_f64);
    let scale = |n: i64| n as f64 / max as f64 * (h - 30.0);
    view! {
        <svg
            viewBox=format!("0 0 {w} {}", h + 20.0)
            class="mt-2 w-full"
            role="img"
            aria-label=t::BY_MONTH
            data-testid="ticket-chart"
        >
            {rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let x = 10.0 + i as f64 * (w - 20.0) / 12.0;
                    let total = scale(r.tickets);
                    let ok = scale(r.within_sla);
                    view! {
                        <g>
                            <rect x=x y=h - total width=bar height=total fill="#cbd5e1">
                                <title>
                                    {format!("{}: {} {}", r.label, r.tickets, t::TICKETS)}
                                </title>
                            </rect>
                            <rect x=x y=h - ok width=bar height=ok fill="#0f766e">
                                <title>
                                    {format!(
                                        "{}: {} {}",
                                        r.label,
                                        r.within_sla,
                                        t::CHART_LEGEND_OK,
                                    )}
                                </title>
                            </rect>
                            <text
                                x=x + bar / 2.0
                                y=h - total - 4.0
                                text-anchor="middle"
                                font-size="11"
                                fill="#334155"
                            >
                                {r.tickets}
                            </text>
                            <text
                                x=x + bar / 2.0
                                y=h + 14.0
                                text-anchor="middle"
                                font-size="11"
                                fill="#64748b"
                            >
                                {r.label.clone()}
                            </text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
        <p class="mt-1 flex gap-4 text-xs text-slate-600">
            <span>
                <span class="mr-1 inline-block h-2 w-3 bg-teal-700"></span>
                {t::CHART_LEGEND_OK}
            </span>
            <span>
                <span class="mr-1 inline-block h-2 w-3 bg-slate-300"></span>
                {t::CHART_LEGEND_OTHER}
            </span>
        </p>
    }
}

#[component]
fn ReportTable(
    title: &'static str,
    rows: Vec<ReportRow>,
    total: Option<ReportRow>,
) -> impl IntoView {
    let share = |r: &ReportRow| {
        if r.resolved == 0 {
            "—".to_string()
        } else {
            format!("{} %", (r.within_sla * 100 + r.resolved / 2) / r.resolved)
        }
    };
    let line = move |r: ReportRow, bold: bool| {
        view! {
            <tr class=if bold { "font-semibold" } else { "" }>
                <td class=style::TD>{r.label.clone()}</td>
                <td class=format!("{} text-right tabular-nums", style::TD)>{r.tickets}</td>
                <td class=format!("{} text-right tabular-nums", style::TD)>{r.resolved}</td>
                <td class=format!("{} text-right tabular-nums", style::TD)>{share(&r)}</td>
                <td class=format!(
                    "{} text-right tabular-nums",
                    style::TD,
                )>{r.avg_hours.clone()}</td>
            </tr>
        }
    };
    view! {
        <section class="mt-6 max-w-4xl">
            <h2 class=style::H2>{title}</h2>
            <div class="mt-2 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                <table class=style::TABLE data-testid="report-table">
                    <thead class="bg-slate-50">
                        <tr>
                            <th class=style::TH></th>
                            <th class=format!("{} text-right", style::TH)>{t::TICKETS}</th>
                            <th class=format!("{} text-right", style::TH)>{t::RESOLVED}</th>
                            <th class=format!("{} text-right", style::TH)>{t::WITHIN_SLA}</th>
                            <th class=format!("{} text-right", style::TH)>{t::AVG_HOURS}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {rows.into_iter().map(|r| line(r, false)).collect_view()}
                        {total.map(|r| line(r, true))}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
