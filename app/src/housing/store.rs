//! Database side of the housing register.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::rules::{format_area, format_share, search_text, shares_fit};
use super::types::*;
use crate::db::{BeginWrite, Store, internal, is_unique_violation};
use crate::error::AppError;
use crate::{audit, with_db};

pub const REGISTER_PAGE_SIZE: i64 = 50;

#[derive(FromRow)]
struct ResidentRow {
    residency_id: i64,
    person_id: i64,
    full_name: String,
    phone: Option<String>,
    email: Option<String>,
    relation: String,
    share_num: Option<i64>,
    share_den: Option<i64>,
    moved_in: NaiveDate,
    moved_out: Option<NaiveDate>,
    status: String,
    user_id: Option<i64>,
}

impl ResidentRow {
    fn into_info(self) -> Result<ResidentInfo, AppError> {
        Ok(ResidentInfo {
            relation: Relation::parse(&self.relation).ok_or(AppError::Internal)?,
            status: LinkStatus::parse(&self.status).ok_or(AppError::Internal)?,
            share: share(self.share_num, self.share_den),
            residency_id: self.residency_id,
            person_id: self.person_id,
            full_name: self.full_name,
            phone: self.phone,
            email: self.email,
            moved_in: date(self.moved_in),
            moved_out: self.moved_out.map(date),
            has_account: self.user_id.is_some(),
        })
    }
}

#[derive(FromRow)]
struct AccountRow {
    id: i64,
    number: String,
    opened_on: NaiveDate,
    closed_on: Option<NaiveDate>,
}

impl From<AccountRow> for AccountInfo {
    fn from(r: AccountRow) -> Self {
        AccountInfo {
            id: r.id,
            number: r.number,
            opened_on: date(r.opened_on),
            closed_on: r.closed_on.map(date),
        }
    }
}

#[derive(FromRow)]
struct ApartmentRow {
    id: i64,
    house_id: i64,
    address: String,
    number: String,
    entrance: Option<i64>,
    floor: Option<i64>,
    area_centi_m2: i64,
    is_residential: bool,
}

/// A person to add to an apartment.
pub struct NewResident<'a> {
    pub full_name: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub relation: Relation,
    pub share: Option<(i64, i64)>,
    pub moved_in: NaiveDate,
}

const RESIDENT_COLUMNS: &str =
    "r.id AS residency_id, p.id AS person_id, p.full_name, p.phone, p.email,
    r.relation, r.share_num, r.share_den, r.moved_in, r.moved_out, r.status, p.user_id";

const APARTMENT_COLUMNS: &str =
    "a.id, a.house_id, h.address, a.number, e.number AS entrance, a.floor,
    a.area_centi_m2, a.is_residential";

/// A record that runs from a start date until an end date is set.
struct DatedRecord {
    table: &'static str,
    start: &'static str,
    end: &'static str,
    action: &'static str,
    entity: &'static str,
    already_ended: &'static str,
    before_start: &'static str,
}

const RESIDENCY: DatedRecord = DatedRecord {
    table: "residencies",
    start: "moved_in",
    end: "moved_out",
    action: "move_out",
    entity: "residency",
    already_ended: "Выезд уже отмечен или запись не найдена.",
    before_start: "Дата выезда раньше даты вселения.",
};

const ACCOUNT: DatedRecord = DatedRecord {
    table: "accounts",
    start: "opened_on",
    end: "closed_on",
    action: "close_account",
    entity: "account",
    already_ended: "Счёт уже закрыт или не найден.",
    before_start: "Дата закрытия раньше даты открытия счёта.",
};

impl Store {
    /// The house a staff page shows: the one chosen, else the first by address (as the house
    /// selector lists them).
    pub async fn house_or_first(&self, house_id: Option<i64>) -> Result<i64, AppError> {
        if let Some(id) = house_id {
            return Ok(id);
        }
        let first: Option<i64> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT id FROM houses ORDER BY address LIMIT 1"
        )
        .fetch_optional(pool)
        .await)
        .map_err(internal("first house"))?;
        first.ok_or_else(|| {
            AppError::invalid(
                "В реестре ещё нет домов — добавьте дом, и здесь появятся его данные.",
            )
        })
    }

    pub async fn houses(&self) -> Result<Vec<HouseSummary>, AppError> {
        let rows: Vec<(i64, String, i64, i64, i64)> = with_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT h.id, h.address,
                    (SELECT COUNT(*) FROM entrances e WHERE e.house_id = h.id),
                    (SELECT COUNT(*) FROM apartments a WHERE a.house_id = h.id),
                    (SELECT COUNT(*) FROM accounts c JOIN apartments a ON a.id = c.apartment_id
                      WHERE a.house_id = h.id AND c.closed_on IS NULL)
                 FROM houses h ORDER BY h.address",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(internal("list houses"))?;
        Ok(rows
            .into_iter()
            .map(
                |(id, address, entrances, apartments, accounts)| HouseSummary {
                    id,
                    address,
                    entrances,
                    apartments,
                    accounts,
                },
            )
            .collect())
    }

    /// The register: apartments matching a free-text query (address, flat number, account
    /// number, a resident's name), optionally in one house, one page at a time.
    pub async fn register(
        &self,
        query: &str,
        house_id: Option<i64>,
        page: i64,
        today: NaiveDate,
    ) -> Result<RegisterPage, AppError> {
        #[derive(FromRow)]
        struct Row {
            apartment_id: i64,
            address: String,
            number: String,
            entrance: Option<i64>,
            floor: Option<i64>,
            area_centi_m2: i64,
            account: Option<String>,
            residents: i64,
            owner: Option<String>,
        }
        let q = search_text(query);
        let like = format!("%{q}%");
        let page = page.max(1);
        let filter = "($1 = '' OR h.search_text LIKE $2 OR a.number = $1
                OR EXISTS (SELECT 1 FROM accounts c WHERE c.apartment_id = a.id AND c.number LIKE $3)
                OR EXISTS (SELECT 1 FROM residencies r JOIN people p ON p.id = r.person_id
                           WHERE r.apartment_id = a.id AND p.search_text LIKE $2))
            AND ($4 = 0 OR a.house_id = $4)";
        let list_sql = format!(
            "SELECT a.id AS apartment_id, h.address, a.number, e.number AS entrance, a.floor, a.area_centi_m2,
                (SELECT MIN(c.number) FROM accounts c WHERE c.apartment_id = a.id AND c.closed_on IS NULL) AS account,
                (SELECT COUNT(*) FROM residencies r WHERE r.apartment_id = a.id AND r.status = 'active'
                   AND (r.moved_out IS NULL OR r.moved_out > $5)) AS residents,
                (SELECT MIN(p.full_name) FROM residencies r JOIN people p ON p.id = r.person_id
                   WHERE r.apartment_id = a.id AND r.relation = 'owner' AND r.status = 'active'
                   AND (r.moved_out IS NULL OR r.moved_out > $5)) AS owner
             FROM apartments a JOIN houses h ON h.id = a.house_id
             LEFT JOIN entrances e ON e.id = a.entrance_id
             WHERE {filter}
             ORDER BY h.address, LENGTH(a.number), a.number
             LIMIT $6 OFFSET $7"
        );
        let count_sql = format!(
            "SELECT COUNT(*) FROM apartments a JOIN houses h ON h.id = a.house_id WHERE {filter}"
        );
        let account_prefix = format!("{}%", query.trim());
        let house = house_id.unwrap_or(0);
        let (rows, total) = with_db!(&self.db, |pool| async {
            let rows = sqlx::query_as::<_, Row>(&list_sql)
                .bind(&q)
                .bind(&like)
                .bind(&account_prefix)
                .bind(house)
                .bind(today)
                .bind(REGISTER_PAGE_SIZE)
                .bind((page - 1) * REGISTER_PAGE_SIZE)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(&count_sql)
                .bind(&q)
                .bind(&like)
                .bind(&account_prefix)
                .bind(house)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, total))
        }
        .await)
        .map_err(internal("search register"))?;
        Ok(RegisterPage {
            rows: rows
                .into_iter()
                .map(|r| RegisterRow {
                    apartment_id: r.apartment_id,
                    address: r.address,
                    number: r.number,
                    entrance: r.entrance,
                    floor: r.floor,
                    area: format_area(r.area_centi_m2),
                    account: r.account,
                    residents: r.residents,
                    owner: r.owner,
                })
                .collect(),
            total,
            page,
            per_page: REGISTER_PAGE_SIZE,
        })
    }

    /// Everything staff see about one apartment, with the full history of who lived there.
    pub async fn apartment_card(&self, apartment_id: i64) -> Result<ApartmentCard, AppError> {
        let apartment_sql = format!(
            "SELECT {APARTMENT_COLUMNS} FROM apartments a JOIN houses h ON h.id = a.house_id
             LEFT JOIN entrances e ON e.id = a.entrance_id WHERE a.id = $1"
        );
        let residents_sql = format!(
            "SELECT {RESIDENT_COLUMNS} FROM residencies r JOIN people p ON p.id = r.person_id
             WHERE r.apartment_id = $1 AND r.status <> 'rejected'
             ORDER BY (r.moved_out IS NOT NULL), r.relation, r.moved_in, p.full_name"
        );
        let (apartment, accounts, residents) = with_db!(&self.db, |pool| async {
            let apartment = sqlx::query_as::<_, ApartmentRow>(&apartment_sql)
                .bind(apartment_id)
                .fetch_optional(pool)
                .await?;
            let accounts = sqlx::query_as::<_, AccountRow>(
                "SELECT id, number, opened_on, closed_on FROM accounts WHERE apartment_id = $1 ORDER BY number",
            )
            .bind(apartment_id)
            .fetch_all(pool)
            .await?;
            let residents = sqlx::query_as::<_, ResidentRow>(&residents_sql)
                .bind(apartment_id)
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((apartment, accounts, residents))
        }
        .await)
        .map_err(internal("load apartment card"))?;
        let a = apartment.ok_or(AppError::NotFound)?;
        Ok(ApartmentCard {
            id: a.id,
            house_id: a.house_id,
            address: a.address,
            number: a.number,
            entrance: a.entrance,
            floor: a.floor,
            area: format_area(a.area_centi_m2),
            is_residential: a.is_residential,
            accounts: accounts.into_iter().map(Into::into).collect(),
            residents: residents
                .into_iter()
                .map(ResidentRow::into_info)
                .collect::<Result<_, _>>()?,
        })
    }

    /// Whether the user is, today, an approved resident of the apartment.
    pub async fn user_reaches_apartment(
        &self,
        user_id: i64,
        apartment_id: i64,
    ) -> Result<bool, AppError> {
        let today = crate::context::today();
        with_db!(&self.db, |pool| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM residencies r JOIN people p ON p.id = r.person_id
                 WHERE p.user_id = $1 AND r.apartment_id = $2 AND r.status = 'active'
                   AND r.moved_in <= $3 AND (r.moved_out IS NULL OR r.moved_out > $3)",
            )
            .bind(user_id)
            .bind(apartment_id)
            .bind(today)
            .fetch_one(pool)
            .await
        })
        .map(|n| n > 0)
        .map_err(internal("check apartment access"))
    }

    pub async fn user_reaches_account(
        &self,
        user_id: i64,
        account_id: i64,
    ) -> Result<bool, AppError> {
        let apartment: Option<i64> = with_db!(&self.db, |pool| {
            sqlx::query_scalar("SELECT apartment_id FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(internal("load account apartment"))?;
        match apartment {
            Some(apartment_id) => self.user_reaches_apartment(user_id, apartment_id).await,
            None => Ok(false),
        }
    }

    /// The resident's own apartments (active links in force today) with accounts and household.
    pub async fn my_home(&self, user_id: i64, today: NaiveDate) -> Result<MyHome, AppError> {
        Ok(MyHome {
            apartments: self.my_apartments(user_id, today, None).await?,
            pending: self.pending_links(Some(user_id)).await?,
        })
    }

    /// One account as its resident sees it: found only among the user's own apartments.
    pub async fn account_view(
        &self,
        user_id: i64,
        account_id: i64,
        today: NaiveDate,
    ) -> Result<AccountView, AppError> {
        let apartment_id: Option<i64> = with_db!(&self.db, |pool| {
            sqlx::query_scalar("SELECT apartment_id FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(internal("load account apartment"))?;
        let apartment = self
            .my_apartments(
                user_id,
                today,
                Some(apartment_id.ok_or(AppError::NotFound)?),
            )
            .await?
            .pop()
            .ok_or(AppError::NotFound)?;
        let account = apartment
            .accounts
            .iter()
            .find(|a| a.id == account_id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok(AccountView { account, apartment })
    }

    /// The user's apartments (or just `only`), in a fixed number of queries however many there
    /// are: the apartments, their open accounts, their current household.
    async fn my_apartments(
        &self,
        user_id: i64,
        today: NaiveDate,
        only: Option<i64>,
    ) -> Result<Vec<MyApartment>, AppError> {
        #[derive(FromRow)]
        struct Flat {
            id: i64,
            address: String,
            number: String,
            entrance: Option<i64>,
            floor: Option<i64>,
            area_centi_m2: i64,
            relation: String,
        }
        #[derive(FromRow)]
        struct Account {
            apartment_id: i64,
            id: i64,
            number: String,
            opened_on: NaiveDate,
        }
        #[derive(FromRow)]
        struct Member {
            apartment_id: i64,
            user_id: Option<i64>,
            full_name: String,
            relation: String,
            share_num: Option<i64>,
            share_den: Option<i64>,
            moved_in: NaiveDate,
        }
        // the user's apartments: $1 user, $2 today, $3 one apartment or 0 for all
        const MINE: &str =
            "SELECT r.apartment_id FROM residencies r JOIN people p ON p.id = r.person_id
             WHERE p.user_id = $1 AND r.status = 'active' AND r.moved_in <= $2
               AND (r.moved_out IS NULL OR r.moved_out > $2) AND ($3 = 0 OR r.apartment_id = $3)";
        let flats_sql = format!(
            "SELECT a.id, h.address, a.number, e.number AS entrance, a.floor, a.area_centi_m2, r.relation
             FROM residencies r JOIN people p ON p.id = r.person_id
             JOIN apartments a ON a.id = r.apartment_id JOIN houses h ON h.id = a.house_id
             LEFT JOIN entrances e ON e.id = a.entrance_id
             WHERE a.id IN ({MINE}) AND p.user_id = $1 AND r.status = 'active'
               AND r.moved_in <= $2 AND (r.moved_out IS NULL OR r.moved_out > $2)
             ORDER BY a.id"
        );
        let accounts_sql = format!(
            "SELECT apartment_id, id, number, opened_on FROM accounts
             WHERE closed_on IS NULL AND apartment_id IN ({MINE}) ORDER BY number"
        );
        let members_sql = format!(
            "SELECT r.apartment_id, p.user_id, p.full_name, r.relation, r.share_num, r.share_den, r.moved_in
             FROM residencies r JOIN people p ON p.id = r.person_id
             WHERE r.status = 'active' AND r.moved_in <= $2 AND (r.moved_out IS NULL OR r.moved_out > $2)
               AND r.apartment_id IN ({MINE})
             ORDER BY r.relation, r.moved_in, p.full_name"
        );
        let only = only.unwrap_or(0);
        let (flats, accounts, members) = with_db!(&self.db, |pool| async {
            let flats = sqlx::query_as::<_, Flat>(&flats_sql)
                .bind(user_id)
                .bind(today)
                .bind(only)
                .fetch_all(pool)
                .await?;
            let accounts = sqlx::query_as::<_, Account>(&accounts_sql)
                .bind(user_id)
                .bind(today)
                .bind(only)
                .fetch_all(pool)
                .await?;
            let members = sqlx::query_as::<_, Member>(&members_sql)
                .bind(user_id)
                .bind(today)
                .bind(only)
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((flats, accounts, members))
        }
        .await)
        .map_err(internal("load my apartments"))?;
        let mut seen = std::collections::HashSet::new();
        flats
            .into_iter()
            // a person linked twice to one flat (say, owner and tenant) sees it once
            .filter(|f| seen.insert(f.id))
            .map(|f| {
                Ok(MyApartment {
                    apartment_id: f.id,
                    relation: Relation::parse(&f.relation).ok_or(AppError::Internal)?,
                    accounts: accounts
                        .iter()
                        .filter(|c| c.apartment_id == f.id)
                        .map(|c| AccountInfo {
                            id: c.id,
                            number: c.number.clone(),
                            opened_on: date(c.opened_on),
                            closed_on: None,
                        })
                        .collect(),
                    household: members
                        .iter()
                        .filter(|m| m.apartment_id == f.id)
                        .map(|m| {
                            Ok(HouseholdMember {
                                full_name: m.full_name.clone(),
                                relation: Relation::parse(&m.relation).ok_or(AppError::Internal)?,
                                share: share(m.share_num, m.share_den),
                                since: date(m.moved_in),
                                is_me: m.user_id == Some(user_id),
                            })
                        })
                        .collect::<Result<_, AppError>>()?,
                    address: f.address,
                    number: f.number,
                    entrance: f.entrance,
                    floor: f.floor,
                    area: format_area(f.area_centi_m2),
                })
            })
            .collect()
    }

    /// Links waiting for approval: all of them (staff), or one user's own.
    pub async fn pending_links(&self, user_id: Option<i64>) -> Result<Vec<PendingLink>, AppError> {
        #[derive(FromRow)]
        struct Row {
            residency_id: i64,
            full_name: String,
            phone: Option<String>,
            email: Option<String>,
            address: String,
            apartment_id: i64,
            number: String,
            relation: String,
            created_at: DateTime<Utc>,
        }
        let rows = with_db!(&self.db, |pool| {
            sqlx::query_as::<_, Row>(
                "SELECT r.id AS residency_id, p.full_name, p.phone, p.email, h.address,
                        a.id AS apartment_id, a.number, r.relation, r.created_at
                 FROM residencies r JOIN people p ON p.id = r.person_id
                 JOIN apartments a ON a.id = r.apartment_id JOIN houses h ON h.id = a.house_id
                 WHERE r.status = 'pending' AND ($1 = 0 OR p.user_id = $1)
                 ORDER BY r.created_at",
            )
            .bind(user_id.unwrap_or(0))
            .fetch_all(pool)
            .await
        })
        .map_err(internal("list pending links"))?;
        rows.into_iter()
            .map(|r| {
                Ok(PendingLink {
                    relation: Relation::parse(&r.relation).ok_or(AppError::Internal)?,
                    residency_id: r.residency_id,
                    full_name: r.full_name,
                    phone: r.phone,
                    email: r.email,
                    address: r.address,
                    apartment_id: r.apartment_id,
                    apartment_number: r.number,
                    requested_on: r.created_at.format("%d.%m.%Y").to_string(),
                })
            })
            .collect()
    }

    /// Approves or rejects a pending link (audited).
    pub async fn decide_link(
        &self,
        actor: i64,
        residency_id: i64,
        approve: bool,
    ) -> Result<(), AppError> {
        let status = if approve { "active" } else { "rejected" };
        let changed = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE residencies SET status = $1 WHERE id = $2 AND status = 'pending'",
            )
            .bind(status)
            .bind(residency_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                return Ok(0);
            }
            audit!(
                &mut *tx,
                Some(actor),
                "decide_link",
                "residency",
                Some(residency_id),
                status
            )?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(done)
        }
        .await)
        .map_err(internal("decide link"))?;
        if changed == 0 {
            return Err(AppError::invalid("Заявка уже рассмотрена или не найдена."));
        }
        Ok(())
    }

    /// Changes an apartment's entrance, floor and area (audited).
    pub async fn update_apartment(
        &self,
        actor: i64,
        apartment_id: i64,
        entrance: Option<i64>,
        floor: Option<i64>,
        area_centi_m2: i64,
    ) -> Result<(), AppError> {
        let result = with_db!(&self.db, |pool| {
            async {
            let mut tx = pool.begin_write().await?;
            let house_id: Option<i64> = sqlx::query_scalar("SELECT house_id FROM apartments WHERE id = $1")
                .bind(apartment_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(house_id) = house_id else {
                return Ok(Err(AppError::NotFound));
            };
            let entrance_id: Option<i64> = match entrance {
                None => None,
                Some(n) => {
                    let id = sqlx::query_scalar("SELECT id FROM entrances WHERE house_id = $1 AND number = $2")
                        .bind(house_id)
                        .bind(n)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if id.is_none() {
                        return Ok(Err(AppError::invalid(format!("В доме нет подъезда № {n}."))));
                    }
                    id
                }
            };
            sqlx::query("UPDATE apartments SET entrance_id = $1, floor = $2, area_centi_m2 = $3 WHERE id = $4")
                .bind(entrance_id)
                .bind(floor)
                .bind(area_centi_m2)
                .bind(apartment_id)
                .execute(&mut *tx)
                .await?;
            audit!(&mut *tx, Some(actor), "update_apartment", "apartment", Some(apartment_id),
                   format!("entrance={entrance:?} floor={floor:?} area={area_centi_m2}"))?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Ok(()))
        }
        .await
        });
        result.map_err(internal("update apartment"))?
    }

    /// Adds a person to an apartment. Owners' shares may not add up to more than the whole.
    pub async fn add_resident(
        &self,
        actor: i64,
        apartment_id: i64,
        resident: &NewResident<'_>,
    ) -> Result<i64, AppError> {
        let now = Utc::now();
        let result = with_db!(&self.db, |pool| {
            async {
            let mut tx = pool.begin_write().await?;
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM apartments WHERE id = $1")
                .bind(apartment_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Ok(Err(AppError::NotFound));
            }
            if let Some(new_share) = resident.share {
                let shares: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT share_num, share_den FROM residencies
                     WHERE apartment_id = $1 AND relation = 'owner' AND status = 'active'
                       AND share_num IS NOT NULL AND moved_out IS NULL",
                )
                .bind(apartment_id)
                .fetch_all(&mut *tx)
                .await?;
                if !shares_fit(&shares, new_share) {
                    return Ok(Err(AppError::invalid(
                        "Сумма долей собственников получится больше единицы. Проверьте доли или отметьте выезд прежнего собственника.",
                    )));
                }
            }
            let person_id: i64 = sqlx::query_scalar(
                "INSERT INTO people (full_name, search_text, phone, email) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(resident.full_name)
            .bind(search_text(resident.full_name))
            .bind(resident.phone)
            .bind(resident.email)
            .fetch_one(&mut *tx)
            .await?;
            let residency_id: i64 = sqlx::query_scalar(
                "INSERT INTO residencies (person_id, apartment_id, relation, share_num, share_den, moved_in, status, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'active', $7) RETURNING id",
            )
            .bind(person_id)
            .bind(apartment_id)
            .bind(resident.relation.as_str())
            .bind(resident.share.map(|s| s.0))
            .bind(resident.share.map(|s| s.1))
            .bind(resident.moved_in)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            audit!(&mut *tx, Some(actor), "add_resident", "apartment", Some(apartment_id),
                   format!("residency {residency_id}, {}", resident.relation.as_str()))?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Ok(residency_id))
        }
        .await
        });
        result.map_err(internal("add resident"))?
    }

    /// Records that a person moved out on a date; the history keeps the row.
    pub async fn move_out(
        &self,
        actor: i64,
        residency_id: i64,
        on: NaiveDate,
    ) -> Result<(), AppError> {
        self.end_period(actor, &RESIDENCY, residency_id, on).await
    }

    /// Opens a personal account for an apartment; the number is unique across the organisation.
    pub async fn open_account(
        &self,
        actor: i64,
        apartment_id: i64,
        number: &str,
        opened_on: NaiveDate,
    ) -> Result<i64, AppError> {
        let result = with_db!(&self.db, |pool| {
            async {
            let mut tx = pool.begin_write().await?;
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM apartments WHERE id = $1")
                .bind(apartment_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Ok(Err(AppError::NotFound));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO accounts (number, apartment_id, opened_on) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(number)
            .bind(apartment_id)
            .bind(opened_on)
            .fetch_one(&mut *tx)
            .await?;
            audit!(&mut *tx, Some(actor), "open_account", "account", Some(id), number)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Ok(id))
        }
        .await
        });
        match result {
            Ok(inner) => inner,
            Err(e) if is_unique_violation(&e) => {
                Err(AppError::invalid("Лицевой счёт с таким номером уже есть."))
            }
            Err(e) => Err(internal("open account")(e)),
        }
    }

    /// Closes an open account from a date (the account and its history stay).
    pub async fn close_account(
        &self,
        actor: i64,
        account_id: i64,
        on: NaiveDate,
    ) -> Result<(), AppError> {
        self.end_period(actor, &ACCOUNT, account_id, on).await
    }

    /// Ends a dated record (a residency, an account) on a date, audited: refused when it has
    /// already ended or the date is before its start.
    async fn end_period(
        &self,
        actor: i64,
        kind: &DatedRecord,
        id: i64,
        on: NaiveDate,
    ) -> Result<(), AppError> {
        let select = format!(
            "SELECT {} FROM {} WHERE id = $1 AND {} IS NULL",
            kind.start, kind.table, kind.end
        );
        let update = format!("UPDATE {} SET {} = $1 WHERE id = $2", kind.table, kind.end);
        let result = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let started: Option<NaiveDate> = sqlx::query_scalar(&select)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            match started {
                None => return Ok(Err(AppError::invalid(kind.already_ended))),
                Some(d) if on < d => return Ok(Err(AppError::invalid(kind.before_start))),
                Some(_) => {}
            }
            sqlx::query(&update)
                .bind(on)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            audit!(
                &mut *tx,
                Some(actor),
                kind.action,
                kind.entity,
                Some(id),
                date(on)
            )?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Ok(()))
        }
        .await);
        result.map_err(internal("end dated record"))?
    }

    /// Corrects a person's name and contacts (audited).
    pub async fn update_person(
        &self,
        actor: i64,
        person_id: i64,
        full_name: &str,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> Result<(), AppError> {
        let changed = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE people SET full_name = $1, search_text = $2, phone = $3, email = $4 WHERE id = $5",
            )
            .bind(full_name)
            .bind(search_text(full_name))
            .bind(phone)
            .bind(email)
            .bind(person_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                return Ok(0);
            }
            audit!(&mut *tx, Some(actor), "update_person", "person", Some(person_id), "")?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(done)
        }
        .await)
        .map_err(internal("update person"))?;
        if changed == 0 {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    /// The apartments of a house (for invite sheets): id, number, entrance, address.
    pub async fn house_apartments(
        &self,
        house_id: i64,
    ) -> Result<Vec<(i64, String, Option<i64>, String)>, AppError> {
        with_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT a.id, a.number, e.number, h.address FROM apartments a
                 JOIN houses h ON h.id = a.house_id LEFT JOIN entrances e ON e.id = a.entrance_id
                 WHERE a.house_id = $1 ORDER BY e.number, LENGTH(a.number), a.number",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await
        })
        .map_err(internal("list house apartments"))
    }
}

fn share(num: Option<i64>, den: Option<i64>) -> Option<String> {
    Some(format_share(num?, den?))
}

/// Dates as Russians write them.
pub fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

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
        let result = with_db!(&self.db, |pool| {
            async {
            let mut tx = pool.begin_write().await?;
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
            tx.commit().await
        }
        .await
        });
        result.map_err(crate::db::unique_or_internal(
            "Загрузка повторяет уже существующие адреса, счета или логины.",
            "load register",
        ))
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
