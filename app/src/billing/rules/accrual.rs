//! An accrual run's arithmetic (docs/domain.md «Billing»): every account's lines for a period
//! from the priced services, the volumes and the ledger; ОДН split by area; penalties on the
//! overdue months. No I/O: the store reads the inputs once per run and writes the lines.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{
    DebtChunk, DueRules, Paid, Quantity, Rate, RateTable, penalties, price, split, to_kopecks,
};
use crate::billing::types::{Basis, LedgerKind, Money, Period, Utility};
use crate::readings::rules::{format_value, persons_in};
use crate::readings::types::{HouseVolumes, ScopeVolumes, ServiceVolume, VolumeSource};

/// A quantity or rate as a line stores it: the shortest exact text (`4`, `59.8`).
pub fn stored(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A service with the tariff in force for a period (rates by zone), and the first zone's rate
/// as its lines store it (see [`stored`]).
#[derive(Debug, Clone)]
pub struct PricedService {
    pub id: i64,
    pub name: String,
    pub basis: Basis,
    pub resource: Option<Utility>,
    pub rates: Vec<Rate>,
    pub stored_rate: String,
}

/// An account of the house being charged.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ChargedAccount {
    pub id: i64,
    pub apartment_id: i64,
    pub area_centi_m2: i64,
}

/// A computed line before it is written, its decimals already as stored (see [`stored`]): the
/// computing threads format them, not the one writer.
#[derive(Debug, Clone)]
pub struct Line {
    pub account_id: i64,
    pub service_id: Option<i64>,
    /// A charge or a penalty.
    pub kind: LedgerKind,
    pub quantity: String,
    pub unit: &'static str,
    pub rate: String,
    pub amount: Money,
    pub source: Cow<'static, str>,
    pub explanation: String,
}

/// A ledger entry as the penalty rule and the statements read it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct LedgerEntry {
    pub account_id: i64,
    pub period: String,
    pub kind: LedgerKind,
    pub amount: i64,
    pub occurred_on: NaiveDate,
    pub reason: String,
}

/// An account's ledger as debt: each period's entries other than payments (charges, penalties,
/// corrections, the opening balance) are that period's chunk, due on its due date; payments are
/// the money that settles them — a payment's ledger period differs from its month only when the
/// payer named it. Only periods before `before` are chunks (a run's own month is not yet debt).
pub fn ledger_debt(
    entries: &[LedgerEntry],
    before: Option<Period>,
    due_rules: &DueRules,
) -> (Vec<DebtChunk>, Vec<Paid>) {
    let mut charged: BTreeMap<Period, Money> = BTreeMap::new();
    let mut paid = Vec::new();
    for e in entries {
        if e.kind == LedgerKind::Payment {
            paid.push(Paid {
                on: e.occurred_on,
                amount: Money(-e.amount),
                pays: Period::parse(&e.period).filter(|p| *p != Period::of(e.occurred_on)),
            });
        } else if let Some(p) = Period::parse(&e.period).filter(|p| before.is_none_or(|b| *p < b)) {
            *charged.entry(p).or_default() += Money(e.amount);
        }
    }
    let chunks = charged
        .into_iter()
        .map(|(period, amount)| DebtChunk {
            period,
            due_on: due_rules.due_date(period),
            amount,
        })
        .collect();
    (chunks, paid)
}

/// Everything a run needs besides the accounts and their steps' volumes: read once per run.
pub struct RunInputs {
    pub services: Vec<PricedService>,
    /// The resources ОДН is charged for, read for the whole house (the split needs every
    /// apartment's volume and the building meters').
    pub house_volumes: HashMap<Utility, HouseVolumes>,
    /// The other resources the services need, read step by step for the step's apartments.
    pub step_resources: Vec<Utility>,
    pub entries: HashMap<i64, Vec<LedgerEntry>>,
    pub table: RateTable,
    pub due_rules: DueRules,
    /// ОДН per service: each account's part of the house's sum.
    pub common_area: HashMap<(i64, i64), (Money, Decimal, String)>,
}

/// The resources the services need, split into those read for the whole house (ОДН needs
/// every apartment's volume and the building meters') and those read step by step.
pub fn resources_needed(services: &[PricedService]) -> (Vec<Utility>, Vec<Utility>) {
    let mut needed: Vec<Utility> = Vec::new();
    for s in services {
        let wanted = match (s.basis, s.resource) {
            (Basis::Wastewater, _) => vec![Utility::ColdWater, Utility::HotWater],
            (_, Some(r)) => vec![r],
            _ => Vec::new(),
        };
        for r in wanted {
            if !needed.contains(&r) {
                needed.push(r);
            }
        }
    }
    needed.into_iter().partition(|r| {
        services
            .iter()
            .any(|s| s.basis == Basis::CommonArea && s.resource == Some(*r))
    })
}

/// ОДН: per common-area service, the house's excess (building meter − the flats) priced once
/// and split by area, so the flats' parts sum to the house's sum to the kopeck.
pub fn split_common_area(
    services: &[PricedService],
    volumes: &HashMap<Utility, HouseVolumes>,
    accounts: &[ChargedAccount],
) -> HashMap<(i64, i64), (Money, Decimal, String)> {
    let mut out = HashMap::new();
    for s in services.iter().filter(|s| s.basis == Basis::CommonArea) {
        let Some(resource) = s.resource else { continue };
        let Some(house) = volumes.get(&resource) else {
            continue;
        };
        let Some(building) = house.building else {
            continue;
        };
        let flats: Decimal = house.apartments.values().map(|v| v.total).sum();
        let excess = (building - flats).max(Decimal::ZERO);
        let unit = resource.unit();
        let total = to_kopecks(excess * s.rates[0].value);
        let areas: Vec<Decimal> = accounts
            .iter()
            .map(|a| Decimal::new(a.area_centi_m2, 2))
            .collect();
        let all_area: Decimal = areas.iter().sum();
        let parts = split(total, &areas);
        for ((account, area), part) in accounts.iter().zip(&areas).zip(parts) {
            let share = if all_area.is_zero() {
                Decimal::ZERO
            } else {
                (excess * area / all_area).round_dp(3)
            };
            let explanation = format!(
                "ОДПУ {} − квартиры {} = {} {unit} на дом × {} ₽ = {}; доля по площади {} из {} м²",
                format_value(building),
                format_value(flats),
                format_value(excess),
                s.rates[0].text,
                total.label(),
                area.to_string().replace('.', ","),
                all_area.to_string().replace('.', ",")
            );
            out.insert((account.id, s.id), (part, share, explanation));
        }
    }
    out
}

/// The quantity an account is charged for a service (None: nothing to charge, e.g. ОДН in a
/// house without a building meter).
fn quantity<'a>(
    s: &PricedService,
    account: &ChargedAccount,
    period: Period,
    inputs: &'a RunInputs,
    step: &'a ScopeVolumes,
) -> Option<Quantity<'a>> {
    let volume = |r: Utility| -> Option<&ServiceVolume> {
        step.resources
            .get(&r)
            .or_else(|| inputs.house_volumes.get(&r))?
            .apartments
            .get(&account.apartment_id)
    };
    let source_label = |v: &ServiceVolume| match v.source {
        VolumeSource::Reading => "по показаниям",
        VolumeSource::Average => "по среднему",
        VolumeSource::Norm => "по нормативу",
    };
    Some(match s.basis {
        Basis::Area => Quantity {
            zones: Cow::Owned(vec![Decimal::new(account.area_centi_m2, 2)]),
            unit: "м²",
            source: "площадь",
            explanation: Cow::Borrowed("Площадь квартиры"),
        },
        Basis::Person => {
            let none = Vec::new();
            let stays = step.stays.get(&account.apartment_id).unwrap_or(&none);
            let persons = persons_in(stays, period);
            Quantity {
                zones: Cow::Owned(vec![Decimal::from(persons)]),
                unit: "чел.",
                source: "зарегистрированные",
                explanation: Cow::Owned(format!(
                    "Зарегистрировано {persons} чел. (не меньше одного)"
                )),
            }
        }
        Basis::Metered => {
            let v = volume(s.resource?)?;
            Quantity {
                zones: Cow::Borrowed(&v.zones),
                unit: v.resource.unit(),
                source: source_label(v),
                explanation: Cow::Borrowed(&v.explanation),
            }
        }
        Basis::Wastewater => {
            let (cold, hot) = (volume(Utility::ColdWater)?, volume(Utility::HotWater)?);
            Quantity {
                zones: Cow::Owned(vec![cold.total + hot.total]),
                unit: "м³",
                source: if cold.source == VolumeSource::Reading
                    && hot.source == VolumeSource::Reading
                {
                    "по показаниям"
                } else {
                    "по объёму воды"
                },
                explanation: Cow::Owned(format!(
                    "Холодная {} м³ + горячая {} м³",
                    format_value(cold.total),
                    format_value(hot.total)
                )),
            }
        }
        Basis::Fixed => Quantity {
            zones: Cow::Owned(vec![Decimal::ONE]),
            unit: "кв.",
            source: "за квартиру",
            explanation: Cow::Borrowed("Фиксированная плата за квартиру"),
        },
        Basis::CommonArea => return None,
    })
}

/// Every line of one account for the period: one per service, one per overdue chunk.
pub fn account_lines(
    account: &ChargedAccount,
    period: Period,
    inputs: &RunInputs,
    step: &ScopeVolumes,
) -> Result<Vec<Line>, String> {
    let mut lines = Vec::new();
    for s in &inputs.services {
        if s.basis == Basis::CommonArea {
            if let Some((amount, share, explanation)) = inputs.common_area.get(&(account.id, s.id))
            {
                lines.push(Line {
                    account_id: account.id,
                    service_id: Some(s.id),
                    kind: LedgerKind::Charge,
                    quantity: stored(*share),
                    unit: s.resource.map_or("", |r| r.unit()),
                    rate: s.stored_rate.clone(),
                    amount: *amount,
                    source: Cow::Borrowed("ОДН"),
                    explanation: explanation.clone(),
                });
            }
            continue;
        }
        let Some(mut q) = quantity(s, account, period, inputs, step) else {
            continue;
        };
        // a multi-zone meter priced by a single-rate tariff (or a norm under a zoned one):
        // the whole volume at the first zone's price
        if q.zones.len() != s.rates.len() {
            q.zones = Cow::Owned(vec![q.total()]);
        }
        let rates = if q.zones.len() == 1 {
            &s.rates[..1]
        } else {
            &s.rates[..]
        };
        // the quantity's explanation, then the formula on a line of its own
        let mut explanation = String::with_capacity(q.explanation.len() + 96);
        explanation.push_str(&q.explanation);
        explanation.push('\n');
        let amount =
            price(&q, rates, &mut explanation).map_err(|e| format!("Услуга «{}»: {e}", s.name))?;
        lines.push(Line {
            account_id: account.id,
            service_id: Some(s.id),
            kind: LedgerKind::Charge,
            quantity: stored(q.total()),
            unit: q.unit,
            rate: s.stored_rate.clone(),
            amount,
            source: Cow::Borrowed(q.source),
            explanation,
        });
    }
    if let Some(entries) = inputs.entries.get(&account.id) {
        let (chunks, paid) = ledger_debt(entries, Some(period), &inputs.due_rules);
        let last = period.day(31);
        for line in penalties(
            &chunks,
            &paid,
            period.first_day(),
            last,
            last,
            &inputs.table,
        ) {
            lines.push(Line {
                account_id: account.id,
                service_id: None,
                kind: LedgerKind::Penalty,
                quantity: (line.days_300 + line.days_130).to_string(),
                unit: "дн.",
                rate: stored(line.rate),
                amount: line.amount,
                source: Cow::Owned(format!("долг за {}", line.period.label())),
                explanation: line.explanation,
            });
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn service(id: i64, basis: Basis, resource: Option<Utility>, rate: &str) -> PricedService {
        PricedService {
            id,
            name: format!("услуга {id}"),
            basis,
            resource,
            rates: vec![Rate::new(dec(rate))],
            stored_rate: stored(dec(rate)),
        }
    }

    fn account(id: i64, area: &str) -> ChargedAccount {
        ChargedAccount {
            id,
            apartment_id: id * 10,
            area_centi_m2: (dec(area) * Decimal::ONE_HUNDRED).try_into().unwrap(),
        }
    }

    fn cold_water(apartment_id: i64, total: &str) -> (i64, ServiceVolume) {
        let v = ServiceVolume {
            period: period("2026-05"),
            resource: Utility::ColdWater,
            zones: vec![dec(total)],
            total: dec(total),
            source: VolumeSource::Reading,
            explanation: "по показаниям".into(),
        };
        (apartment_id, v)
    }

    fn inputs(services: Vec<PricedService>) -> RunInputs {
        RunInputs {
            services,
            house_volumes: HashMap::new(),
            step_resources: Vec::new(),
            entries: HashMap::new(),
            table: RateTable::default(),
            due_rules: DueRules::default(),
            common_area: HashMap::new(),
        }
    }

    fn no_volumes() -> ScopeVolumes {
        ScopeVolumes {
            resources: HashMap::new(),
            stays: HashMap::new(),
        }
    }

    #[test]
    fn the_flats_parts_of_common_area_sum_to_the_house_sum() {
        let odn = service(7, Basis::CommonArea, Some(Utility::ColdWater), "35.2");
        let accounts = [account(1, "33.33"), account(2, "50"), account(3, "66.67")];
        let house = HouseVolumes {
            apartments: [cold_water(10, "30.5"), cold_water(20, "40")]
                .into_iter()
                .collect(),
            building: Some(dec("100")),
        };
        let volumes = [(Utility::ColdWater, house)].into_iter().collect();
        let split = split_common_area(&[odn], &volumes, &accounts);
        // (100 − 70.5) m³ × 35.20 ₽ = 1 038.40 ₽, split by 150 m²
        let parts: Vec<Money> = (1..=3).map(|a| split[&(a, 7)].0).collect();
        assert_eq!(parts.iter().copied().sum::<Money>(), Money(103_840));
        assert_eq!(
            parts[1],
            Money(34_613),
            "50 of 150 m²: a third, to the kopeck"
        );
        assert_eq!(
            split[&(2, 7)].1,
            dec("9.833"),
            "the flat's share of the excess m³"
        );
        let explanation = &split[&(1, 7)].2;
        assert!(
            explanation.starts_with("ОДПУ 100,000 − квартиры 70,500 = 29,500 м³ на дом × 35,20 ₽")
                && explanation.ends_with("доля по площади 33,33 из 150,00 м²"),
            "{explanation}"
        );
    }

    #[test]
    fn no_building_meter_no_common_area_charge() {
        let odn = service(7, Basis::CommonArea, Some(Utility::ColdWater), "35.2");
        let house = HouseVolumes {
            apartments: [cold_water(10, "3")].into_iter().collect(),
            building: None,
        };
        let volumes = [(Utility::ColdWater, house)].into_iter().collect();
        assert!(split_common_area(&[odn], &volumes, &[account(1, "40")]).is_empty());
    }

    #[test]
    fn an_account_is_charged_per_area_person_meter_and_flat() {
        let services = vec![
            service(1, Basis::Area, None, "30.5"),
            service(2, Basis::Person, None, "100"),
            service(3, Basis::Metered, Some(Utility::ColdWater), "42.3"),
            service(4, Basis::Fixed, None, "50"),
        ];
        let mut step = no_volumes();
        let flat = [cold_water(10, "4.5")].into_iter().collect();
        step.resources.insert(
            Utility::ColdWater,
            HouseVolumes {
                apartments: flat,
                building: None,
            },
        );
        let two = (NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(), None);
        step.stays.insert(10, vec![two, two]);
        let lines = account_lines(
            &account(1, "54.3"),
            period("2026-05"),
            &inputs(services),
            &step,
        )
        .unwrap();
        let amounts: Vec<(Option<i64>, Money)> =
            lines.iter().map(|l| (l.service_id, l.amount)).collect();
        assert_eq!(
            amounts,
            [
                (Some(1), Money(165_615)), // 54,3 m² × 30,50
                (Some(2), Money(20_000)),  // 2 persons × 100
                (Some(3), Money(19_035)),  // 4,5 m³ × 42,30
                (Some(4), Money(5_000)),
            ]
        );
        assert!(lines.iter().all(|l| l.kind == LedgerKind::Charge));
        assert_eq!(lines[2].source, "по показаниям");
        assert_eq!(lines[0].quantity, "54.3");
    }

    #[test]
    fn a_metered_service_without_a_volume_is_not_charged() {
        let services = vec![service(3, Basis::Metered, Some(Utility::HotWater), "200")];
        let lines = account_lines(
            &account(1, "40"),
            period("2026-05"),
            &inputs(services),
            &no_volumes(),
        )
        .unwrap();
        assert!(lines.is_empty());
    }

    #[test]
    fn an_unpaid_month_earns_a_penalty_line_a_paid_one_does_not() {
        let mut inputs = inputs(Vec::new());
        inputs.table.key_rates = vec![(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), dec("16"))];
        let entry = |period: &str, kind, amount, on: (i32, u32, u32)| LedgerEntry {
            account_id: 1,
            period: period.into(),
            kind,
            amount,
            occurred_on: NaiveDate::from_ymd_opt(on.0, on.1, on.2).unwrap(),
            reason: String::new(),
        };
        inputs.entries.insert(
            1,
            vec![
                entry("2025-12", LedgerKind::Charge, 1_000_000, (2025, 12, 31)),
                entry("2026-01", LedgerKind::Charge, 500_000, (2026, 1, 31)),
                entry("2026-01", LedgerKind::Payment, -500_000, (2026, 2, 5)),
            ],
        );
        let lines =
            account_lines(&account(1, "40"), period("2026-05"), &inputs, &no_volumes()).unwrap();
        assert!(!lines.is_empty());
        assert!(
            lines
                .iter()
                .all(|l| l.kind == LedgerKind::Penalty && l.amount > Money::ZERO)
        );
        assert!(
            lines.iter().all(|l| l.source.ends_with("декабрь 2025")),
            "only December is in debt: {:?}",
            lines.iter().map(|l| &l.source).collect::<Vec<_>>()
        );
    }
}
