//! The demo's billing: the association as the payee, ten services with tariffs for 2025–2026 (indexed on
//! 1 July 2025 and 1 October 2026), and the last twelve months computed **by the accrual engine**
//! from the demo readings and posted one by one; most flats pay each bill in the next month, a
//! few stopped paying half a year ago (their penalties grow past day 90) and a few pay half.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use app::billing::rules::Payee;
use app::billing::store::{NewPayment, NewService};
use app::billing::types::{Basis, Money, Period, Section, TurnoverRow, Utility};
use app::db::Store;
use app::error::AppError;

use crate::demo::{Dice, HOUSES, logins};

/// (name, basis, resource, section, tariffs from 2025-01, 2025-07, 2026-10 — per zone)
type ServiceSpec = (
    &'static str,
    Basis,
    Option<Utility>,
    Section,
    [&'static [&'static str]; 3],
);

const SERVICES: [ServiceSpec; 10] = [
    (
        "Содержание и ремонт жилого помещения",
        Basis::Area,
        None,
        Section::Housing,
        [&["34.20"], &["36.15"], &["39.40"]],
    ),
    (
        "Отопление",
        Basis::Area,
        None,
        Section::Utilities,
        [&["41.35"], &["45.10"], &["49.85"]],
    ),
    (
        "Холодное водоснабжение",
        Basis::Metered,
        Some(Utility::ColdWater),
        Section::Utilities,
        [&["52.93"], &["59.80"], &["66.30"]],
    ),
    (
        "Горячее водоснабжение",
        Basis::Metered,
        Some(Utility::HotWater),
        Section::Utilities,
        [&["243.15"], &["272.05"], &["301.60"]],
    ),
    (
        "Водоотведение",
        Basis::Wastewater,
        None,
        Section::Utilities,
        [&["40.21"], &["45.44"], &["50.37"]],
    ),
    (
        "Электроэнергия",
        Basis::Metered,
        Some(Utility::Electricity),
        Section::Utilities,
        [&["7.15", "2.71"], &["8.12", "3.05"], &["8.95", "3.37"]],
    ),
    (
        "Обращение с ТКО",
        Basis::Person,
        None,
        Section::Utilities,
        [&["172.40"], &["189.20"], &["208.10"]],
    ),
    (
        "Холодная вода на ОДН",
        Basis::CommonArea,
        Some(Utility::ColdWater),
        Section::Housing,
        [&["52.93"], &["59.80"], &["66.30"]],
    ),
    (
        "Домофон",
        Basis::Fixed,
        None,
        Section::Housing,
        [&["65"], &["65"], &["75"]],
    ),
    (
        "Взнос на капитальный ремонт",
        Basis::Area,
        None,
        Section::CapitalRepair,
        [&["21.95"], &["21.95"], &["24.85"]],
    ),
];

fn dates() -> [NaiveDate; 3] {
    [
        NaiveDate::from_ymd_opt(2025, 1, 1),
        NaiveDate::from_ymd_opt(2025, 7, 1),
        NaiveDate::from_ymd_opt(2026, 10, 1),
    ]
    .map(|d| d.expect("valid dates"))
}

/// The demo association «Серебряный ключ» as the payee of every bill.
fn payee() -> Payee {
    Payee {
        name: crate::demo::ASSOCIATION.into(),
        inn: "7701234567".into(),
        kpp: "770101001".into(),
        account: "40703810938000012341".into(),
        bank_name: "ПАО Сбербанк".into(),
        bic: "044525225".into(),
        corr_account: "30101810400000000225".into(),
    }
}

/// Who does not pay: (stops paying `n` months ago, pays half).
fn habit(flat: &str) -> (Option<i32>, bool) {
    let n: u64 = flat
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    match n {
        n if n % 23 == 7 => (Some(6), false),
        n if n % 29 == 11 => (Some(4), false),
        n if n % 31 == 3 => (None, true),
        _ => (None, false),
    }
}

pub async fn load(store: &Store, today: NaiveDate) -> Result<(), AppError> {
    let accountant = store
        .credentials(logins::ACCOUNTANT)
        .await?
        .ok_or(AppError::Internal)?
        .id;
    // every month before this one is billed: its readings window has closed (on the 1st–19th
    // the latest window is last month's, and the accountant's page opens on last month)
    let current = Period::of(today);
    let first = current.plus(-12);
    let houses = store.houses().await?;
    let mut dice = Dice(5);
    store.set_payee(Some(accountant), &payee()).await?;
    for (house_no, (address, ..)) in HOUSES.iter().enumerate() {
        let Some(house) = houses.iter().find(|h| h.address == *address) else {
            continue;
        };
        for (name, basis, resource, section, prices) in SERVICES {
            let id = store
                .add_service(
                    Some(accountant),
                    &NewService {
                        house_id: house.id,
                        name: name.into(),
                        basis,
                        resource,
                        section,
                    },
                )
                .await?;
            for (from, rates) in dates().into_iter().zip(prices) {
                for (zone, rate) in rates.iter().enumerate() {
                    let rate: Decimal = rate.parse().map_err(|_| AppError::Internal)?;
                    store
                        .set_tariff(Some(accountant), id, from, zone as u8 + 1, rate)
                        .await?;
                }
            }
        }
        let mut period = first;
        while period < current {
            let run = store.accrue_now(Some(accountant), house.id, period).await?;
            store.post_accrual(accountant, run).await?;
            let bills = store.turnover(house.id, period).await?;
            let last_bill = period == current.plus(-1);
            let mut payments = Vec::new();
            for bill in &bills {
                let (stops, half) = habit(&bill.apartment);
                if stops.is_some_and(|n| period >= current.plus(-n))
                    || (period >= current.plus(-2) && bill.apartment == "12" && house_no == 0)
                {
                    continue;
                }
                let due = bill.charged + bill.penalties;
                let amount = if half {
                    Money(due.0 / 2)
                } else {
                    bill.closing.max(due)
                };
                let on = period.plus(1).day(3 + dice.below(20) as u32).min(today);
                if amount.0 > 0 && on >= period.plus(1).first_day() {
                    payments.push(NewPayment {
                        account_id: bill.account_id,
                        on,
                        amount,
                        reason: "Оплата через Сбербанк Онлайн".into(),
                        source_key: format!("demo:{}:{period}", bill.account_id),
                    });
                }
            }
            if last_bill {
                let statement = bank_statement(&payee(), &bills, &payments, house_no == 0, today);
                store.import_statement(accountant, &statement, true).await?;
            } else {
                store.record_payments(None, &payments).await?;
            }
            period = period.plus(1);
        }
    }
    Ok(())
}

/// The last month's payments as they come from the bank: a 1CClientBankExchange statement of
/// the payee's account whose payers wrote `л/с …` (credited on loading); in the first house
/// also three the accountant has to sort out — a flat and surname only, a payer who names
/// nothing, and a code and a purpose that disagree.
fn bank_statement(
    payee: &Payee,
    bills: &[TurnoverRow],
    payments: &[NewPayment],
    with_queue: bool,
    today: NaiveDate,
) -> Vec<u8> {
    use app::payments::rules::{ExportPayment, write_statement};
    let account_of = |id: i64| bills.iter().find(|b| b.account_id == id);
    let mut docs: Vec<ExportPayment> = payments
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let bill = account_of(p.account_id)?;
            Some(ExportPayment {
                number: (1000 + i).to_string(),
                on: p.on,
                amount: p.amount,
                payer: bill.owner.clone(),
                payer_inn: String::new(),
                payer_account: format!("408178100000{:08}", p.account_id),
                purpose: format!("Оплата ЖКУ л/с {} кв. {}", bill.account, bill.apartment),
            })
        })
        .collect();
    if with_queue {
        let flat_12 = bills.iter().find(|b| b.apartment == "12");
        let surname = flat_12
            .and_then(|b| b.owner.split_whitespace().next())
            .unwrap_or("Иванов");
        let (a, b) = (&bills[0].account, &bills[bills.len() - 1].account);
        for (number, payer, purpose) in [
            (
                "2001",
                format!("{surname} Н. П."),
                "Квартплата кв.12".to_string(),
            ),
            (
                "2002",
                "Соколова Ирина Павловна".to_string(),
                "Оплата коммунальных услуг".to_string(),
            ),
            (
                "2003",
                "Быстров Олег".to_string(),
                format!("ЛС {a}; за кв. по счёту {b}, ЛС {b}"),
            ),
        ] {
            docs.push(ExportPayment {
                number: number.into(),
                on: today,
                amount: Money(150_000),
                payer,
                payer_inn: String::new(),
                payer_account: format!("40817810000000{number}00"),
                purpose,
            });
        }
    }
    let from = docs.iter().map(|d| d.on).min().unwrap_or(today);
    let created = today.and_hms_opt(9, 0, 0).unwrap_or_default();
    let text = write_statement(payee, from, today, created, &docs);
    encoding_rs::WINDOWS_1251.encode(&text).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn some_flats_are_debtors_and_most_pay() {
        let flats: Vec<String> = (1..=120).map(|n| n.to_string()).collect();
        let debtors = flats.iter().filter(|f| habit(f).0.is_some()).count();
        let half = flats.iter().filter(|f| habit(f).1).count();
        assert!((4..=12).contains(&debtors), "{debtors}");
        assert!(half >= 2);
    }
}
