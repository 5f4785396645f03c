//! A resident's own home: which apartments and accounts they reach, and what they see of them.

use super::*;

impl Store {
    /// Whether the user is, today, an approved resident of the apartment.
    pub async fn user_reaches_apartment(
        &self,
        user_id: i64,
        apartment_id: i64,
    ) -> Result<bool, AppError> {
        let today = crate::clock::today();
        with_db!(&self.db, |pool| {
            sqlx::query_scalar::<_, i64>(&format!(
                "SELECT COUNT(*) FROM residencies r JOIN people p ON p.id = r.person_id
                 WHERE p.user_id = $1 AND r.apartment_id = $2 AND {}",
                crate::db::residency_in_force("$3")
            ))
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
    pub(super) async fn my_apartments(
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
        let in_force = crate::db::residency_in_force("$2");
        let mine = format!(
            "SELECT r.apartment_id FROM residencies r JOIN people p ON p.id = r.person_id
             WHERE p.user_id = $1 AND {in_force} AND ($3 = 0 OR r.apartment_id = $3)"
        );
        let flats_sql = format!(
            "SELECT a.id, h.address, a.number, e.number AS entrance, a.floor, a.area_centi_m2, r.relation
             FROM residencies r JOIN people p ON p.id = r.person_id
             JOIN apartments a ON a.id = r.apartment_id JOIN houses h ON h.id = a.house_id
             LEFT JOIN entrances e ON e.id = a.entrance_id
             WHERE a.id IN ({mine}) AND p.user_id = $1 AND {in_force}
             ORDER BY a.id"
        );
        let accounts_sql = format!(
            "SELECT apartment_id, id, number, opened_on FROM accounts
             WHERE closed_on IS NULL AND apartment_id IN ({mine}) ORDER BY number"
        );
        let members_sql = format!(
            "SELECT r.apartment_id, p.user_id, p.full_name, r.relation, r.share_num, r.share_den, r.moved_in
             FROM residencies r JOIN people p ON p.id = r.person_id
             WHERE {in_force} AND r.apartment_id IN ({mine})
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
}
