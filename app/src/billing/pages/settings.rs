//! Staff pages of billing's data: services and tariffs, the organisation, imports, an
//! account's statement.

use super::*;

/// Services of a house with their dated tariffs.
#[component]
pub fn TariffsPage() -> impl IntoView {
    let query = use_query_map();
    let house = Signal::derive(move || {
        query
            .read()
            .get("house")
            .and_then(|h| h.parse::<i64>().ok())
    });
    let add = ServerAction::<AddBillingService>::new();
    let set = ServerAction::<SetBillingTariff>::new();
    let norm = ServerAction::<SetHouseNorm>::new();
    let data = Resource::new(
        move || {
            (
                house.get(),
                add.version().get() + set.version().get() + norm.version().get(),
            )
        },
        move |(house, _)| load_house_tariffs(house),
    );
    view! {
        <h1 class=style::H1>{t::TARIFFS_TITLE}</h1>
        <div class="flex flex-wrap items-end gap-4">
            <HousePeriodForm house=house period=None />
            <a
                class="text-sm text-teal-700 underline"
                href=move || {
                    format!(
                        "/staff/billing?house={}",
                        house.get().map(|h| h.to_string()).unwrap_or_default(),
                    )
                }
            >
                {t::BILLING_TITLE}
            </a>
            <a class="text-sm text-teal-700 underline" href="/staff/billing/rules">
                {t::RULES_TITLE}
            </a>
        </div>
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
                    Ok(h) => view! { <Tariffs h=h add=add set=set norm=norm /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub(super) fn Tariffs(
    h: HouseTariffs,
    add: ServerAction<AddBillingService>,
    set: ServerAction<SetBillingTariff>,
    norm: ServerAction<SetHouseNorm>,
) -> impl IntoView {
    let earliest = h
        .last_posted
        .map(|p| p.plus(1).first_day().to_string())
        .unwrap_or_default();
    view! {
        {h
            .last_posted
            .map(|p| {
                view! {
                    <p class="mt-2 text-sm text-slate-600">
                        "Проведён по "{p.label()}
                        " включительно: новые тарифы — с "
                        {p.plus(1).label()}"."
                    </p>
                }
            })}
        // one tariff form is sent at a time: its result shows here, above the cards
        <div class="sticky top-0 z-10 mt-2">
            <FormResult value=set.value() success=t::SAVED />
        </div>
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            {h
                .services
                .into_iter()
                .map(|s| {
                    let zones = if s.resource == Some(Utility::Electricity) { 3 } else { 1 };
                    let earliest = earliest.clone();
                    view! {
                        <section class=style::CARD data-testid="service">
                            <h2 class=style::H2>{s.name.clone()}</h2>
                            <p class="text-xs text-slate-600">
                                {s.basis.label()}{s.resource.map(|r| format!(" · {}", r.label()))}
                                " · "{s.section.label()}
                            </p>
                            <table class=format!("{} mt-2", style::TABLE)>
                                <thead>
                                    <tr>
                                        <th class=style::TH>{t::VALID_FROM}</th>
                                        <th class=style::TH>{t::ZONE}</th>
                                        <th class=format!("{} text-right", style::TH)>{t::RATE}</th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {if s.tariffs.is_empty() {
                                        view! {
                                            <tr>
                                                <td class=style::TD colspan="3">
                                                    {t::NO_TARIFF}
                                                </td>
                                            </tr>
                                        }
                                            .into_any()
                                    } else {
                                        s.tariffs
                                            .iter()
                                            .map(|tf| {
                                                view! {
                                                    <tr>
                                                        <td class=style::TD>{date(tf.valid_from)}</td>
                                                        <td class=style::TD>{tf.zone}</td>
                                                        <td class=format!(
                                                            "{} text-right",
                                                            style::TD,
                                                        )>{crate::billing::rules::format_rate(tf.rate)}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()
                                            .into_any()
                                    }}
                                </tbody>
                            </table>
                            <ActionForm action=set>
                                <input type="hidden" name="service_id" value=s.id />
                                <div class="mt-3 grid grid-cols-3 gap-2">
                                    <label class=style::LABEL>
                                        {t::VALID_FROM}
                                        <input
                                            class=style::INPUT
                                            type="date"
                                            name="valid_from"
                                            min=earliest.clone()
                                            required
                                        />
                                    </label>
                                    <label class=style::LABEL>
                                        {t::ZONE} <select class=style::INPUT name="zone">
                                            {(1..=zones)
                                                .map(|z| view! { <option value=z>{z}</option> })
                                                .collect_view()}
                                        </select>
                                    </label>
                                    <label class=style::LABEL>
                                        {t::RATE}
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
                                    {t::ADD_TARIFF}
                                </button>
                            </ActionForm>
                        </section>
                    }
                })
                .collect_view()}
        </div>
        <section class=format!("{} mt-4 max-w-xl", style::CARD) data-testid="norms">
            <h2 class=style::H2>{t::NORMS}</h2>
            <p class="text-xs text-slate-600">{t::NORMS_HINT}</p>
            <table class=format!("{} mt-2", style::TABLE)>
                <thead>
                    <tr>
                        <th class=style::TH>{t::RESOURCE}</th>
                        <th class=style::TH>{t::VALID_FROM}</th>
                        <th class=format!("{} text-right", style::TH)>{t::NORM}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {h
                        .norms
                        .iter()
                        .map(|n| {
                            view! {
                                <tr>
                                    <td class=style::TD>{n.resource.label()}</td>
                                    <td class=style::TD>{date(n.valid_from)}</td>
                                    <td class=format!(
                                        "{} text-right whitespace-nowrap",
                                        style::TD,
                                    )>
                                        {format_value(n.per_unit)}" "{n.resource.unit()}
                                        {if n.per_m2 { " / м²" } else { " / чел." }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <ActionForm action=norm>
                <input type="hidden" name="house_id" value=h.house_id />
                <div class="mt-3 grid grid-cols-2 gap-2 sm:grid-cols-4">
                    <label class=style::LABEL>
                        {t::RESOURCE} <select class=style::INPUT name="resource">
                            {Utility::ALL
                                .iter()
                                .copied()
                                .map(|r| view! { <option value=r.as_str()>{r.label()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label class=style::LABEL>
                        {t::VALID_FROM}
                        <input
                            class=style::INPUT
                            type="date"
                            name="valid_from"
                            min=earliest.clone()
                            required
                        />
                    </label>
                    <label class=style::LABEL>
                        {t::NORM}
                        <input class=style::INPUT name="per_unit" inputmode="decimal" required />
                    </label>
                    <label class="mt-6 flex items-center gap-2 text-sm">
                        <input type="checkbox" name="per_m2" value="1" />
                        {t::PER_M2}
                    </label>
                </div>
                <button class=format!("{} mt-2", style::BUTTON_SECONDARY) type="submit">
                    {t::SAVE}
                </button>
                <FormResult value=norm.value() success=t::SAVED />
            </ActionForm>
        </section>
        <section class=format!("{} mt-4 max-w-xl", style::CARD)>
            <h2 class=style::H2>{t::ADD_SERVICE}</h2>
            <ActionForm action=add>
                <input type="hidden" name="house_id" value=h.house_id />
                <label class=format!(
                    "{} mt-2",
                    style::LABEL,
                )>{t::NAME}<input class=style::INPUT name="name" required /></label>
                <label class=format!(
                    "{} mt-2",
                    style::LABEL,
                )>
                    {t::BASIS} <select class=style::INPUT name="basis">
                        {Basis::ALL
                            .iter()
                            .copied()
                            .map(|b| view! { <option value=b.as_str()>{b.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class=format!(
                    "{} mt-2",
                    style::LABEL,
                )>
                    {t::RESOURCE} <select class=style::INPUT name="resource">
                        <option value="">"—"</option>
                        {Utility::ALL
                            .iter()
                            .copied()
                            .map(|r| view! { <option value=r.as_str()>{r.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class=format!(
                    "{} mt-2",
                    style::LABEL,
                )>
                    {t::SECTION} <select class=style::INPUT name="section">
                        {Section::ALL
                            .iter()
                            .copied()
                            .map(|s| view! { <option value=s.as_str()>{s.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button class=format!("{} mt-3", style::BUTTON) type="submit">
                    {t::ADD_SERVICE}
                </button>
                <FormResult value=add.value() success=t::SAVED />
            </ActionForm>
        </section>
        <section class=format!("{} mt-4 max-w-xl", style::CARD) data-testid="payee">
            <h2 class=style::H2>{t::PAYEE}</h2>
            {match h.payee.clone() {
                Some(p) => view! { <PayeeSummary p /> }.into_any(),
                None => {
                    view! { <p class="mt-1 text-sm text-rose-700">{t::PAYEE_MISSING}</p> }
                        .into_any()
                }
            }}
            <p class="mt-2 text-xs text-slate-600">{t::PAYEE_ONE_PLACE}</p>
        </section>
    }
}

/// The payee's details as the bill prints them.
#[component]
pub(super) fn PayeeSummary(p: crate::billing::rules::Payee) -> impl IntoView {
    view! {
        <dl class="mt-1 text-sm">
            <dt class="font-medium">{p.name}</dt>
            <dd class="text-slate-600">{format!("ИНН {} · КПП {}", p.inn, p.kpp)}</dd>
            <dd class="text-slate-600">{format!("р/с {} в {}", p.account, p.bank_name)}</dd>
            <dd class="text-slate-600">
                {format!("БИК {} · к/с {}", p.bic, p.corr_account)}
            </dd>
        </dl>
    }
}

/// The chair: the organisation's details — the payee of every bill, QR, payment confirmation
/// and export, kept in this one place.
#[component]
pub fn OrganisationPage() -> impl IntoView {
    let save = ServerAction::<SetOrganisation>::new();
    let data = Resource::new(move || save.version().get(), |_| load_organisation());
    view! {
        <h1 class=style::H1>{t::ORGANISATION_TITLE}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::ORGANISATION_HINT}</p>
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
                    Ok(p) => {
                        let p = p.unwrap_or_default();
                        view! {
                            <section
                                class=format!("{} mt-4 max-w-xl", style::CARD)
                                data-testid="organisation"
                            >
                                <ActionForm action=save>
                                    <label class=style::LABEL>
                                        {t::PAYEE_NAME}
                                        <input
                                            class=style::INPUT
                                            name="payee[name]"
                                            value=p.name
                                            required
                                        />
                                    </label>
                                    <div class="grid grid-cols-2 gap-2">
                                        <label class=format!(
                                            "{} mt-2",
                                            style::LABEL,
                                        )>
                                            "ИНН"
                                            <input
                                                class=style::INPUT
                                                name="payee[inn]"
                                                value=p.inn
                                                inputmode="numeric"
                                                required
                                            />
                                        </label>
                                        <label class=format!(
                                            "{} mt-2",
                                            style::LABEL,
                                        )>
                                            "КПП"
                                            <input
                                                class=style::INPUT
                                                name="payee[kpp]"
                                                value=p.kpp
                                                inputmode="numeric"
                                            />
                                        </label>
                                        <label class=format!(
                                            "{} mt-2 col-span-2",
                                            style::LABEL,
                                        )>
                                            {t::PAYEE_ACCOUNT}
                                            <input
                                                class=style::INPUT
                                                name="payee[account]"
                                                value=p.account
                                                inputmode="numeric"
                                                required
                                            />
                                        </label>
                                        <label class=format!(
                                            "{} mt-2 col-span-2",
                                            style::LABEL,
                                        )>
                                            {t::PAYEE_BANK}
                                            <input
                                                class=style::INPUT
                                                name="payee[bank_name]"
                                                value=p.bank_name
                                                required
                                            />
                                        </label>
                                        <label class=format!(
                                            "{} mt-2",
                                            style::LABEL,
                                        )>
                                            "БИК"
                                            <input
                                                class=style::INPUT
                                                name="payee[bic]"
                                                value=p.bic
                                                inputmode="numeric"
                                                required
                                            />
                                        </label>
                                        <label class=format!(
                                            "{} mt-2",
                                            style::LABEL,
                                        )>
                                            {t::PAYEE_CORR}
                                            <input
                                                class=style::INPUT
                                                name="payee[corr_account]"
                                                value=p.corr_account
                                                inputmode="numeric"
                                                required
                                            />
                                        </label>
                                    </div>
                                    <button class=format!("{} mt-3", style::BUTTON) type="submit">
                                        {t::SAVE}
                                    </button>
                                    <FormResult value=save.value() success=t::SAVED />
                                </ActionForm>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Staff: accounts with residents and opening balances, or past charges and payments, from a
/// CSV/XLSX file — check, then load all at once.
#[component]
pub fn BillingImportPage() -> impl IntoView {
    let import = ServerAction::<ImportBilling>::new();
    view! {
        <h1 class=style::H1>{t::IMPORT_TITLE}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t::IMPORT_HINT}</p>
        <ul class="mt-2 max-w-3xl list-disc space-y-1 pl-5 text-sm text-slate-600">
            <li>
                {t::IMPORT_ACCOUNTS_COLUMNS}" "
                <a
                    class="text-teal-700 underline"
                    href="/staff/billing/sample?name=accounts"
                    rel="external"
                >
                    {t::SAMPLE}
                </a>
            </li>
            <li>
                {t::IMPORT_HISTORY_COLUMNS}" "
                <a
                    class="text-teal-700 underline"
                    href="/staff/billing/sample?name=history"
                    rel="external"
                >
                    {t::SAMPLE}
                </a>
            </li>
        </ul>
        <ActionForm action=import>
            <div class=format!("{} mt-4 max-w-xl space-y-2", style::CARD)>
                <HouseSelect name="house_id" />
                <p class=style::LABEL>{t::IMPORT_WHAT}</p>
                <select name="what" class=style::INPUT aria-label=t::IMPORT_WHAT>
                    <option value="accounts">{t::IMPORT_ACCOUNTS}</option>
                    <option value="history">{t::IMPORT_HISTORY}</option>
                </select>
                <ImportFileFields />
            </div>
        </ActionForm>
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
    }
}

/// Staff: an account's charges, penalties and payments by month, and (for the accountant) a
/// manual recalculation with its reason.
#[component]
pub fn StaffAccountPage() -> impl IntoView {
    let id = crate::ui::use_id_param();
    let correct = ServerAction::<AddBillingCorrection>::new();
    let statement = Resource::new(
        move || (id(), correct.version().get()),
        |(id, _)| load_account_statement(id),
    );
    let can_correct = crate::ui::use_user().is_some_and(|u| {
        crate::auth::rules::role_can(u.role, crate::auth::types::Permission::ManageBilling)
    });
    view! {
        <a href="/staff" class="text-sm text-teal-700">
            "← "
            {t::TO_REGISTER}
        </a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                statement
                    .await
                    .ok()
                    .map(|s| {
                        view! {
                            <h1 class=format!(
                                "{} mt-2",
                                style::H1,
                            )>
                                {t::ACCOUNT}" "<span data-testid="account-number">{s.number}</span>
                            </h1>
                            <p class="text-sm text-slate-600">{s.address}</p>
                        }
                    })
            })}
        </Suspense>
        {can_correct
            .then(|| {
                view! {
                    <details class=format!("{} mt-4 max-w-xl", style::CARD)>
                        <summary class="cursor-pointer font-medium">{t::CORRECTION}</summary>
                        <p class="mt-1 text-sm text-slate-600">{t::CORRECTION_HINT}</p>
                        <ActionForm action=correct>
                            <input type="hidden" name="account_id" value=id />
                            <label class=style::LABEL>
                                {t::CORRECTION_AMOUNT}
                                <input
                                    class=style::INPUT
                                    name="amount"
                                    inputmode="decimal"
                                    required
                                    placeholder="-350,00"
                                />
                            </label>
                            <label class=style::LABEL>
                                {t::CORRECTION_REASON}
                                <input
                                    class=style::INPUT
                                    name="reason"
                                    required
                                    minlength="5"
                                    maxlength="300"
                                />
                            </label>
                            <button
                                class=format!("{} mt-2", style::BUTTON)
                                type="submit"
                                data-testid="add-correction"
                            >
                                {t::SAVE}
                            </button>
                            {move || match correct.value().get() {
                                Some(Ok(period)) => {
                                    Some(
                                        view! {
                                            <p role="status" class="mt-2 text-sm text-teal-700">
                                                {format!("{} {}.", t::CORRECTION_SAVED, period.label())}
                                            </p>
                                        }
                                            .into_any(),
                                    )
                                }
                                Some(Err(e)) => {
                                    Some(
                                        view! {
                                            <p role="alert" class="mt-2 text-sm text-red-700">
                                                {e.to_string()}
                                            </p>
                                        }
                                            .into_any(),
                                    )
                                }
                                None => None,
                            }}
                        </ActionForm>
                    </details>
                }
            })}
        <AccountCharges statement=statement />
    }
}
