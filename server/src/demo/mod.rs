//! The demo house «Серебряный ключ»: 3 houses, 240 apartments, about 300 residents and the fixed
//! sign-ins listed in the README. Deterministic: the same data every time.

mod billing;
mod debts;
pub mod news;
mod passes;
mod readings;
mod tickets;

use chrono::NaiveDate;

use app::auth::session::hash_password;
use app::auth::types::Role;
use app::billing::store::NewService;
use app::billing::types::{Basis, Section, Utility};
use app::db::Store;
use app::error::AppError;
use app::housing::store::{ApartmentLoad, HouseLoad, RegisterLoad, ResidentLoad, UserLoad};
use app::housing::types::{LinkStatus, Relation};

pub const DEMO_PASSWORD: &str = "demo-klyuch-2026";

/// The demo's flats, one account each.
pub const DEMO_ACCOUNTS: usize = 240;
/// The demo association: the payee on every bill and the name on the sign-in page.
pub const ASSOCIATION: &str = "ТСЖ «Серебряный ключ»";

/// Fixed sign-ins of the demo.
pub mod logins {
    pub const RESIDENT: &str = "zhitel@demo.klyuch.ru";
    pub const NEIGHBOUR: &str = "sosed@demo.klyuch.ru";
    pub const ACCOUNTANT: &str = "buhgalter@demo.klyuch.ru";
    pub const DISPATCHER: &str = "dispetcher@demo.klyuch.ru";
    pub const CHAIR: &str = "predsedatel@demo.klyuch.ru";
    /// A newcomer whose link to a flat waits for approval.
    pub const NEWCOMER: &str = "novosel@demo.klyuch.ru";
    /// The plumbing contractor's executor (АДС).
    pub const EXECUTOR: &str = "master@demo.klyuch.ru";
    /// The electricians' executor.
    pub const ELECTRICIAN: &str = "elektrik@demo.klyuch.ru";
    /// The guard at the gate of Серебряная 1.
    pub const GUARD: &str = "ohrana@demo.klyuch.ru";
}

/// (address, entrances, floors, flats per floor)
pub(crate) const HOUSES: [(&str, i64, i64, i64); 3] = [
    ("г. Москва, ул. Серебряная, д. 1", 3, 10, 3),
    ("г. Москва, ул. Серебряная, д. 3", 2, 9, 4),
    ("г. Москва, ул. Ключевая, д. 7", 3, 13, 2),
];

/// Surnames of the generated residents (not those of the fixed demo people, so searches for them
/// find exactly them).
const SURNAMES: [&str; 24] = [
    "Иванов",
    "Зайцев",
    "Белов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
];
const MALE: [&str; 12] = [
    "Александр",
    "Алексей",
    "Андрей",
    "Дмитрий",
    "Иван",
    "Михаил",
    "Николай",
    "Павел",
    "Сергей",
    "Владимир",
    "Юрий",
    "Олег",
];
const FEMALE: [&str; 12] = [
    "Анна",
    "Елена",
    "Мария",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Екатерина",
    "Юлия",
    "Марина",
    "Вера",
];
const PATRONYMIC_ROOTS: [&str; 8] = [
    "Александров",
    "Петров",
    "Сергеев",
    "Николаев",
    "Иванов",
    "Андреев",
    "Викторов",
    "Игорев",
];

/// A small deterministic generator (a linear congruential one: enough for demo variety).
pub(crate) struct Dice(pub(crate) u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn person_name(dice: &mut Dice, female: bool) -> String {
    let surname = dice.pick(&SURNAMES);
    let root = dice.pick(&PATRONYMIC_ROOTS);
    if female {
        format!("{surname}а {} {root}на", dice.pick(&FEMALE))
    } else {
        format!("{surname} {} {root}ич", dice.pick(&MALE))
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid demo date")
}

fn user(full_name: &str, email: &str, role: Role, password_hash: &str) -> UserLoad {
    UserLoad {
        full_name: full_name.into(),
        email: Some(email.into()),
        phone: None,
        password_hash: password_hash.into(),
        role,
    }
}

fn owner(
    full_name: &str,
    share: (i64, i64),
    moved_in: NaiveDate,
    user: Option<UserLoad>,
) -> ResidentLoad {
    ResidentLoad {
        full_name: full_name.into(),
        phone: None,
        email: user.as_ref().and_then(|u| u.email.clone()),
        relation: Relation::Owner,
        share: Some(share),
        moved_in,
        moved_out: None,
        status: LinkStatus::Active,
        user,
    }
}

/// Builds the demo register (hashing the demo password once per sign-in).
pub async fn register() -> Result<RegisterLoad, AppError> {
    let hash = hash_password(DEMO_PASSWORD).await?;
    let mut dice = Dice(2026);
    let zhitel = || UserLoad {
        // a phone too, so the demo shows SMS in the dev mailbox
        phone: Some("+79161234512".into()),
        ..user(
            "Смирнов Алексей Петрович",
            logins::RESIDENT,
            Role::Resident,
            &hash,
        )
    };
    let mut houses = Vec::new();
    for (house_index, (address, entrances, floors, per_floor)) in HOUSES.into_iter().enumerate() {
        let house_no = house_index as i64 + 1;
        let mut apartments = Vec::new();
        let mut number = 0;
        for entrance in 1..=entrances {
            for floor in 1..=floors {
                for position in 0..per_floor {
                    number += 1;
                    let area = [3850, 5430, 7280, 9610][(position as usize + floor as usize) % 4];
                    let moved_in = date(
                        2005 + dice.below(19) as i32,
                        1 + dice.below(12) as u32,
                        1 + dice.below(28) as u32,
                    );
                    let mut residents = Vec::new();
                    match (house_no, number) {
                        (1, 12) => residents.push(owner(
                            "Смирнов Алексей Петрович",
                            (1, 1),
                            date(2015, 6, 1),
                            Some(zhitel()),
                        )),
                        (2, 5) => residents.push(owner(
                            "Смирнов Алексей Петрович",
                            (1, 2),
                            date(2021, 3, 15),
                            Some(zhitel()),
                        )),
                        (1, 13) => residents.push(owner(
                            "Кузнецова Мария Игоревна",
                            (1, 1),
                            date(2018, 9, 10),
                            Some(user(
                                "Кузнецова Мария Игоревна",
                                logins::NEIGHBOUR,
                                Role::Resident,
                                &hash,
                            )),
                        )),
                        _ => {
                            let female = dice.below(2) == 0;
                            let shared = number % 10 == 0;
                            let share = if shared { (1, 2) } else { (1, 1) };
                            let name = person_name(&mut dice, female);
                            // every 15th flat changed hands: the previous owner stays in the history
                            if number % 15 == 0 {
                                let mut previous = owner(
                                    &person_name(&mut dice, !female),
                                    (1, 1),
                                    date(2008, 4, 1),
                                    None,
                                );
                                previous.moved_out = Some(date(2019, 8, 31));
                                residents.push(previous);
                                residents.push(owner(&name, share, date(2019, 9, 1), None));
                            } else {
                                residents.push(owner(&name, share, moved_in, None));
                            }
                            residents.last_mut().expect("an owner was pushed").phone =
                                Some(format!(
                                    "+7916{:07}",
                                    house_no * 1_000_000 + number * 97 % 1_000_000
                                ));
                            if shared {
                                residents.push(owner(
                                    &person_name(&mut dice, !female),
                                    (1, 2),
                                    moved_in,
                                    None,
                                ));
                            }
                        }
                    }
                    if house_no == 2 && number == 5 {
                        residents.push(owner(
                            "Смирнова Елена Викторовна",
                            (1, 2),
                            date(2021, 3, 15),
                            None,
                        ));
                    }
                    // the fixed demo flats hold exactly the people the README and tests name
                    let fixed = matches!((house_no, number), (1, 12) | (1, 13) | (2, 5));
                    let roll = if fixed { 100 } else { dice.below(100) };
                    if roll < 12 {
                        residents.push(ResidentLoad {
                            relation: Relation::Family,
                            share: None,
                            ..owner(
                                &person_name(&mut dice, roll % 2 == 0),
                                (1, 1),
                                moved_in,
                                None,
                            )
                        });
                    }
                    if roll < 5 {
                        residents.push(ResidentLoad {
                            relation: Relation::Tenant,
                            share: None,
                            ..owner(
                                &person_name(&mut dice, roll % 2 == 1),
                                (1, 1),
                                date(2024, 2, 1),
                                None,
                            )
                        });
                    }
                    if house_no == 3 && number == 20 {
                        residents.push(ResidentLoad {
                            relation: Relation::Tenant,
                            share: None,
                            status: LinkStatus::Pending,
                            ..owner(
                                "Орлов Денис Андреевич",
                                (1, 1),
                                date(2026, 11, 1),
                                Some(user(
                                    "Орлов Денис Андреевич",
                                    logins::NEWCOMER,
                                    Role::Resident,
                                    &hash,
                                )),
                            )
                        });
                    }
                    apartments.push(ApartmentLoad {
                        account_number: format!("77{house_no:02}{number:04}"),
                        number: number.to_string(),
                        entrance: Some(entrance),
                        floor: Some(floor),
                        area_centi_m2: area,
                        opened_on: date(2015, 1, 1),
                        residents,
                    });
                }
            }
        }
        houses.push(HouseLoad {
            address: address.into(),
            entrances,
            apartments,
        });
    }
    Ok(RegisterLoad {
        houses,
        staff: vec![
            user(
                "Иванова Ольга Сергеевна",
                logins::ACCOUNTANT,
                Role::Accountant,
                &hash,
            ),
            user(
                "Петров Сергей Николаевич",
                logins::DISPATCHER,
                Role::Dispatcher,
                &hash,
            ),
            user(
                "Соколова Наталья Викторовна",
                logins::CHAIR,
                Role::Chair,
                &hash,
            ),
            user(
                "Кузнецов Андрей Петрович",
                logins::EXECUTOR,
                Role::Executor,
                &hash,
            ),
            user(
                "Лебедев Игорь Олегович",
                logins::ELECTRICIAN,
                Role::Executor,
                &hash,
            ),
            user("Васильев Пётр Иванович", logins::GUARD, Role::Guard, &hash),
        ],
    })
}

/// Loads the demo into the store, all or nothing.
pub async fn load(store: &Store) -> Result<(), AppError> {
    let register = register().await?;
    store.load_register(&register).await?;
    crate::demo::news::load(store).await?;
    crate::demo::readings::load(store, app::clock::today()).await?;
    crate::demo::billing::load(store, app::clock::today()).await?;
    crate::demo::debts::load(store, app::clock::today()).await?;
    crate::demo::tickets::load(store, chrono::Utc::now()).await?;
    crate::demo::passes::load(store, chrono::Utc::now()).await
}

/// A utility service of the house with its price per zone from `from`, set by nobody (the load
/// tests' houses); returns its id.
pub async fn priced_service(
    store: &Store,
    house_id: i64,
    (name, basis, resource): (&str, Basis, Option<Utility>),
    from: NaiveDate,
    rates: &[&str],
) -> Result<i64, AppError> {
    let service = NewService {
        house_id,
        name: name.into(),
        basis,
        resource,
        section: Section::Utilities,
    };
    let id = store.add_service(None, &service).await?;
    for (zone, rate) in rates.iter().enumerate() {
        let rate = rate.parse().map_err(|_| {
            AppError::invalid(format!("Тариф «{rate}» услуги «{name}» — не число."))
        })?;
        store
            .set_tariff(None, id, from, zone as u8 + 1, rate)
            .await?;
    }
    Ok(id)
}

/// An extra house with plain apartments, so the register holds `total` accounts (load tests).
/// With a `password_hash`, each apartment's owner signs in as `zhitel<n>@load.klyuch.test`.
pub fn filler_house(
    existing_accounts: usize,
    total: usize,
    password_hash: Option<&str>,
) -> RegisterLoad {
    let count = total.saturating_sub(existing_accounts);
    let apartments = (1..=count as i64)
        .map(|n| {
            let full_name = format!("Нагрузочный Житель {n}");
            let login = password_hash.map(|hash| {
                user(
                    &full_name,
                    &format!("zhitel{n}@load.klyuch.test"),
                    Role::Resident,
                    hash,
                )
            });
            ApartmentLoad {
                number: n.to_string(),
                entrance: None,
                floor: None,
                area_centi_m2: 5000 + (n % 50) * 100,
                account_number: format!("99{n:08}"),
                opened_on: date(2020, 1, 1),
                residents: vec![owner(&full_name, (1, 1), date(2020, 1, 1), login)],
            }
        })
        .collect();
    RegisterLoad {
        houses: vec![HouseLoad {
            address: FILLER_ADDRESS.into(),
            entrances: 0,
            apartments,
        }],
        staff: vec![],
    }
}

/// The filler house's address.
pub const FILLER_ADDRESS: &str = "г. Москва, ул. Нагрузочная, д. 100";

/// What the load tools' filler house is charged: upkeep and capital repairs by area, waste by
/// person, the intercom per flat (no meters, so a run needs no readings).
pub const FILLER_SERVICES: [(&str, Basis, Option<Utility>, &str); 4] = [
    ("Содержание", Basis::Area, None, "36.15"),
    ("Капремонт", Basis::Area, None, "21.95"),
    ("ТКО", Basis::Person, None, "189.20"),
    ("Домофон", Basis::Fixed, None, "65"),
];

/// The demo plus a filler house, `total` accounts in all, whose owners sign in with the demo
/// password and whose services are priced from January 2026 (`server seed-load N`); returns
/// the filler house's id.
pub async fn load_with_filler(store: &Store, total: usize) -> Result<i64, AppError> {
    load(store).await?;
    let hash = hash_password(DEMO_PASSWORD).await?;
    store
        .load_register(&filler_house(DEMO_ACCOUNTS, total, Some(&hash)))
        .await?;
    let house = store
        .houses()
        .await?
        .into_iter()
        .find(|h| h.address == FILLER_ADDRESS)
        .ok_or(AppError::Internal)?
        .id;
    for (name, basis, resource, rate) in FILLER_SERVICES {
        priced_service(
            store,
            house,
            (name, basis, resource),
            date(2026, 1, 1),
            &[rate],
        )
        .await?;
    }
    store.db.analyze().await.map_err(|e| {
        tracing::error!(error = %e, "ANALYZE after the filler load failed");
        AppError::Internal
    })?;
    Ok(house)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_is_deterministic_and_of_the_promised_size() {
        let a = register().await.unwrap();
        let b = register().await.unwrap();
        let names = |r: &RegisterLoad| -> Vec<String> {
            r.houses
                .iter()
                .flat_map(|h| &h.apartments)
                .flat_map(|a| &a.residents)
                .map(|p| p.full_name.clone())
                .collect()
        };
        assert_eq!(names(&a), names(&b));
        assert_eq!(a.houses.len(), 3);
        let apartments: usize = a.houses.iter().map(|h| h.apartments.len()).sum();
        assert_eq!(apartments, DEMO_ACCOUNTS);
        let current = a
            .houses
            .iter()
            .flat_map(|h| &h.apartments)
            .flat_map(|a| &a.residents)
            .filter(|p| p.moved_out.is_none())
            .count();
        assert!((280..=320).contains(&current), "{current} residents");
    }
}
