//! The demo's meters: cold and hot water and two-zone electricity in every flat, with a year of
//! readings handed in on window days; a few flats that missed months (billed by average, one long
//! enough to reach the norm, one whose readings came back), an expired verification, one that
//! ends within a month, and a reading far above the average (flagged by the rules, not by hand);
//! each house has common meters (ОДПУ) of cold water and heat.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use app::db::Store;
use app::error::AppError;
use app::readings::rules::latest_window_period;
use app::readings::store::PastReading;
use app::readings::types::NewMeter;
use app::readings::types::{Period, Source, Utility, WindowSettings};

use crate::demo::{Dice, HOUSES, logins};

/// Monthly norms per registered person (Moscow-like figures).
const NORMS: [(Utility, i64); 3] = [
    (Utility::ColdWater, 6_935),
    (Utility::HotWater, 4_745),
    (Utility::Electricity, 100_000),
];

/// A meter's monthly use: about `base` thousandths per zone, varying ±20 %.
fn month_use(dice: &mut Dice, base: &[i64]) -> Vec<i64> {
    base.iter()
        .map(|b| b * (80 + dice.below(41) as i64) / 100)
        .collect()
}

fn add(a: &[i64], b: &[i64]) -> Vec<i64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

fn dec(milli: &[i64]) -> Vec<Decimal> {
    milli.iter().map(|m| Decimal::new(*m, 3)).collect()
}

pub async fn load(store: &Store, today: NaiveDate) -> Result<(), AppError> {
    let accountant = store
        .credentials(logins::ACCOUNTANT)
        .await?
        .ok_or(AppError::Internal)?
        .id;
    let houses = store.houses().await?;
    let current = latest_window_period(&WindowSettings::default(), today);
    let window_open_now = current == Period::of(today);
    let mut dice = Dice(354);
    let mut items = Vec::new();
    for (house_no, (address, ..)) in HOUSES.iter().enumerate() {
        let house_no = house_no + 1;
        let Some(house) = houses.iter().find(|h| h.address == *address) else {
            continue;
        };
        for (utility, per_person) in NORMS {
            store
                .set_norm(
                    None,
                    house.id,
                    utility,
                    NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date"),
                    Decimal::new(per_person, 3),
                    false,
                )
                .await?;
        }
        if house_no == 2 {
            // one house takes late readings into the next period
            let soft = WindowSettings {
                strict: false,
                ..WindowSettings::default()
            };
            store
                .save_reading_settings(accountant, house.id, &soft)
                .await?;
        }
        let flats = store.house_apartments(house.id).await?;
        // the building's common meters (ОДПУ), read in the same window
        let installed_on = current.plus(-13).day(5);
        for (utility, base) in [
            (Utility::ColdWater, flats.len() as i64 * 6_500),
            (Utility::Heat, 95_000),
        ] {
            let mut value = vec![1_000_000];
            let mut readings = Vec::new();
            let mut period = current.plus(-13);
            while period < current {
                value = add(&value, &month_use(&mut dice, &[base]));
                readings.push(PastReading {
                    period,
                    taken_on: period.day(25),
                    values: dec(&value),
                    source: Source::Staff,
                });
                period = period.plus(1);
            }
            items.push((
                NewMeter {
                    house_id: house.id,
                    apartment_id: None,
                    resource: utility,
                    serial: format!("ОДПУ-{}{house_no}", utility_prefix(utility)),
                    zones: 1,
                    place: "ИТП, подвал".into(),
                    installed_on,
                    verified_until: installed_on + chrono::Months::new(12 * 4),
                    seal: format!("П-{}", 10_000 + dice.below(90_000)),
                    initial: dec(&[1_000_000]),
                },
                readings,
            ));
        }
        for (apartment_id, number, ..) in flats {
            let n: u32 = number.parse().unwrap_or(0);
            let zhitel = matches!((house_no, n), (1, 12) | (2, 5));
            // a flat hands in all its meters at once (or none) in the current window
            let hands_in_now = window_open_now && !zhitel && dice.below(100) < 60;
            let installed_on =
                NaiveDate::from_ymd_opt(2021 + (n % 3) as i32, 1 + n % 12, 5).expect("a date");
            let meters = [
                (
                    Utility::ColdWater,
                    vec![3_000 + dice.below(60) as i64 * 100],
                    "ванная",
                    6,
                ),
                (
                    Utility::HotWater,
                    vec![2_000 + dice.below(35) as i64 * 100],
                    "ванная",
                    6,
                ),
                (
                    Utility::Electricity,
                    vec![
                        120_000 + dice.below(120) as i64 * 1_000,
                        50_000 + dice.below(50) as i64 * 1_000,
                    ],
                    "прихожая",
                    16,
                ),
            ];
            for (utility, base, place, years) in meters {
                let mut verified_until = installed_on + chrono::Months::new(12 * years);
                let expired = house_no == 1 && n == 13 && utility == Utility::HotWater;
                if expired {
                    verified_until = today - Days::new(40);
                }
                if zhitel && house_no == 1 && utility == Utility::ColdWater {
                    // the verification reminder is due
                    verified_until = today + Days::new(20);
                }
                let zones = base.len();
                let initial: Vec<i64> =
                    (0..zones).map(|_| dice.below(500) as i64 * 1_000).collect();
                let mut value = initial.clone();
                let mut readings = Vec::new();
                let first = Period::of(installed_on).plus(1);
                let mut period = first;
                while period <= current {
                    let used = month_use(&mut dice, &base);
                    let anomaly = house_no == 1
                        && n == 7
                        && utility == Utility::HotWater
                        && period == current.plus(-1);
                    let used = if anomaly {
                        used.iter().map(|u| u * 6).collect()
                    } else {
                        used
                    };
                    value = add(&value, &used);
                    let back = current.index() - period.index();
                    let skipped = (n.is_multiple_of(11) && (1..=2).contains(&back))
                        || (house_no == 3 && n == 7 && (1..=5).contains(&back))
                        || (n.is_multiple_of(17) && (4..=6).contains(&back))
                        || (back == 0 && !hands_in_now);
                    let taken_on = period.day(20 + dice.below(6) as u32);
                    let stale = expired && taken_on > verified_until;
                    if !skipped && !stale && taken_on <= today {
                        readings.push(PastReading {
                            period,
                            taken_on,
                            values: dec(&value),
                            source: if n.is_multiple_of(8) {
                                Source::Staff
                            } else {
                                Source::Cabinet
                            },
                        });
                    }
                    period = period.plus(1);
                }
                items.push((
                    NewMeter {
                        house_id: house.id,
                        apartment_id: Some(apartment_id),
                        resource: utility,
                        serial: format!(
                            "{}{house_no}{n:03}{}",
                            utility_prefix(utility),
                            100 + dice.below(900)
                        ),
                        zones: zones as u8,
                        place: place.into(),
                        installed_on,
                        verified_until,
                        seal: format!("П-{}", 10_000 + dice.below(90_000)),
                        initial: dec(&initial),
                    },
                    readings,
                ));
            }
        }
    }
    store.load_meters(&items).await
}

fn utility_prefix(u: Utility) -> &'static str {
    match u {
        Utility::ColdWater => "ХВ-",
        Utility::HotWater => "ГВ-",
        Utility::Electricity => "ЭЛ-",
        Utility::Heat => "ТП-",
        Utility::Gas => "ГЗ-",
    }
}
