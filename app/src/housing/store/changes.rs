//! Changes to the register: link requests decided, apartments, residents, accounts and
//! people edited — each dated, audited, one transaction.

use super::*;
use crate::write_tx;

impl Store {
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
        // two statements, not `($1 = 0 OR p.user_id = $1)`, which keeps either engine from
        // using the index the case needs (people.user_id; the partial index of pending ones)
        let sql = format!(
            "SELECT r.id AS residency_id, p.full_name, p.phone, p.email, h.address,
                    a.id AS apartment_id, a.number, r.relation, r.created_at
             FROM residencies r JOIN people p ON p.id = r.person_id
             JOIN apartments a ON a.id = r.apartment_id JOIN houses h ON h.id = a.house_id
             WHERE r.status = 'pending' {}
             ORDER BY r.created_at",
            if user_id.is_some() {
                "AND p.user_id = $1"
            } else {
                ""
            }
        );
        let rows = with_db!(&self.db, |pool| {
            let query = sqlx::query_as::<_, Row>(&sql);
            match user_id {
                Some(user) => query.bind(user),
                None => query,
            }
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
        let changed = write_tx!(self, "decide link", |tx| {
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
            Ok(done)
        })?;
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
        write_tx!(self, "update apartment", |tx| {
            let house_id: Option<i64> =
                sqlx::query_scalar("SELECT house_id FROM apartments WHERE id = $1")
                    .bind(apartment_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(house_id) = house_id else {
                return Err(AppError::NotFound.into());
            };
            let entrance_id: Option<i64> = match entrance {
                None => None,
                Some(n) => {
                    let id = sqlx::query_scalar(
                        "SELECT id FROM entrances WHERE house_id = $1 AND number = $2",
                    )
                    .bind(house_id)
                    .bind(n)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if id.is_none() {
                        return Err(AppError::invalid(format!("В доме нет подъезда № {n}.")).into());
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
            audit!(
                &mut *tx,
                Some(actor),
                "update_apartment",
                "apartment",
                Some(apartment_id),
                format!("entrance={entrance:?} floor={floor:?} area={area_centi_m2}")
            )?;
            Ok(())
        })
    }

    /// Adds a person to an apartment. Owners' shares may not add up to more than the whole.
    pub async fn add_resident(
        &self,
        actor: i64,
        apartment_id: i64,
        resident: &NewResident<'_>,
    ) -> Result<i64, AppError> {
        let now = Utc::now();
        write_tx!(self, "add resident", |tx| {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM apartments WHERE id = $1")
                .bind(apartment_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(AppError::NotFound.into());
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
                    return Err(AppError::invalid(
                        "Сумма долей собственников получится больше единицы. Проверьте доли или отметьте выезд прежнего собственника.",
                    ).into());
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
            audit!(
                &mut *tx,
                Some(actor),
                "add_resident",
                "apartment",
                Some(apartment_id),
                format!("residency {residency_id}, {}", resident.relation.as_str())
            )?;
            Ok(residency_id)
        })
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
        write_tx!(self, "open account", |tx| {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM apartments WHERE id = $1")
                .bind(apartment_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(AppError::NotFound.into());
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO accounts (number, apartment_id, opened_on) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(number)
            .bind(apartment_id)
            .bind(opened_on)
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "open_account",
                "account",
                Some(id),
                number
            )?;
            Ok(id)
        })
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
    pub(super) async fn end_period(
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
        write_tx!(self, "end dated record", |tx| {
            let started: Option<NaiveDate> = sqlx::query_scalar(&select)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            match started {
                None => return Err(AppError::invalid(kind.already_ended).into()),
                Some(d) if on < d => return Err(AppError::invalid(kind.before_start).into()),
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
            Ok(())
        })
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
        let changed = write_tx!(self, "update person", |tx| {
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
            audit!(
                &mut *tx,
                Some(actor),
                "update_person",
                "person",
                Some(person_id),
                ""
            )?;
            Ok(done)
        })?;
        if changed == 0 {
            return Err(AppError::NotFound);
        }
        Ok(())
    }
}
