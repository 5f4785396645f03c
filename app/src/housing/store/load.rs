//! Loading a whole register at once (the demo, a first import).

use super::*;

/// A whole register to load in one transaction (the demo house, imports, the load harness).
#[derive(Debug, Clone, Default)]
pub struct RegisterLoad {
    pub houses: Vec<HouseLoad>,
    /// Staff users with no apartment.
    pub staff: Vec<UserLoad>,
}

#[derive(Debug, Clone)]
pub struct HouseLoad {
    pub address: String,
    pub entrances: i64,
    pub apartments: Vec<ApartmentLoad>,
}

#[derive(Debug, Clone)]
pub struct ApartmentLoad {
    pub number: String,
    pub entrance: Option<i64>,
    pub floor: Option<i64>,
    pub area_centi_m2: i64,
    pub account_number: String,
    pub opened_on: NaiveDate,
    pub residents: Vec<ResidentLoad>,
}

#[derive(Debug, Clone)]
pub struct ResidentLoad {
    pub full_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub relation: Relation,
    pub share: Option<(i64, i64)>,
    pub moved_in: NaiveDate,
    pub moved_out: Option<NaiveDate>,
    pub status: LinkStatus,
    /// The person signs in to the cabinet with this user. The same e-mail across several
    /// apartments means one person living in (or owning) several.
    pub user: Option<UserLoad>,
}

#[derive(Debug, Clone)]
pub struct UserLoad {
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub password_hash: String,
    pub role: crate::auth::types::Role,
}

impl Store {
    /// Loads a register, all or nothing.
    pub async fn load_register(&self, load: &RegisterLoad) -> Result<(), AppError> {
        use std::collections::HashMap;
        let now = Utc::now();
        crate::write_tx!(self, "load register", |tx| {
            // person id by sign-in e-mail/phone, so a person with several flats is one person
            let mut people_by_login: HashMap<String, i64> = HashMap::new();
            for user in &load.staff {
                let new = crate::auth::store::NewUser {
                    full_name: &user.full_name,
                    email: user.email.as_deref(),
                    phone: user.phone.as_deref(),
                    password_hash: &user.password_hash,
                    role: user.role,
                };
                crate::auth::store::insert_user!(tx, new)?;
            }
            for house in &load.houses {
                let house_id: i64 = sqlx::query_scalar(
                    "INSERT INTO houses (address, search_text) VALUES ($1, $2) RETURNING id",
                )
                .bind(&house.address)
                .bind(search_text(&house.address))
                .fetch_one(&mut *tx)
                .await?;
                let mut entrance_ids = HashMap::new();
                for n in 1..=house.entrances {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO entrances (house_id, number) VALUES ($1, $2) RETURNING id",
                    )
                    .bind(house_id)
                    .bind(n)
                    .fetch_one(&mut *tx)
                    .await?;
                    entrance_ids.insert(n, id);
                }
                for apartment in &house.apartments {
                    let apartment_id: i64 = sqlx::query_scalar(
                        "INSERT INTO apartments (house_id, entrance_id, number, floor, area_centi_m2, is_residential)
                         VALUES ($1, $2, $3, $4, $5, TRUE) RETURNING id",
                    )
                    .bind(house_id)
                    .bind(apartment.entrance.and_then(|n| entrance_ids.get(&n).copied()))
                    .bind(&apartment.number)
                    .bind(apartment.floor)
                    .bind(apartment.area_centi_m2)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query("INSERT INTO accounts (number, apartment_id, opened_on) VALUES ($1, $2, $3)")
                        .bind(&apartment.account_number)
                        .bind(apartment_id)
                        .bind(apartment.opened_on)
                        .execute(&mut *tx)
                        .await?;
                    for resident in &apartment.residents {
                        let login = resident
                            .user
                            .as_ref()
                            .and_then(|u| u.email.clone().or(u.phone.clone()));
                        let known = login.as_ref().and_then(|l| people_by_login.get(l).copied());
                        let person_id = match known {
                            Some(id) => id,
                            None => {
                                let user_id = match &resident.user {
                                    Some(user) => {
                                        let new = crate::auth::store::NewUser {
                                            full_name: &user.full_name,
                                            email: user.email.as_deref(),
                                            phone: user.phone.as_deref(),
                                            password_hash: &user.password_hash,
                                            role: user.role,
                                        };
                                        Some(crate::auth::store::insert_user!(tx, new)?)
                                    }
                                    None => None,
                                };
                                let id: i64 = sqlx::query_scalar(
                                    "INSERT INTO people (full_name, search_text, phone, email, user_id)
                                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                                )
                                .bind(&resident.full_name)
                                .bind(search_text(&resident.full_name))
                                .bind(&resident.phone)
                                .bind(&resident.email)
                                .bind(user_id)
                                .fetch_one(&mut *tx)
                                .await?;
                                if let Some(l) = login {
                                    people_by_login.insert(l, id);
                                }
                                id
                            }
                        };
                        sqlx::query(
                            "INSERT INTO residencies (person_id, apartment_id, relation, share_num, share_den,
                                                      moved_in, moved_out, status, created_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        )
                        .bind(person_id)
                        .bind(apartment_id)
                        .bind(resident.relation.as_str())
                        .bind(resident.share.map(|s| s.0))
                        .bind(resident.share.map(|s| s.1))
                        .bind(resident.moved_in)
                        .bind(resident.moved_out)
                        .bind(resident.status.as_str())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
            }
            Ok(())
        })
    }

    /// Whether the register holds no houses yet (first start).
    pub async fn register_is_empty(&self) -> Result<bool, AppError> {
        with_db!(&self.db, |pool| {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM houses")
                .fetch_one(pool)
                .await
        })
        .map(|n| n == 0)
        .map_err(internal("count houses"))
    }
}
