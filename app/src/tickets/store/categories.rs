//! Ticket categories with their deadlines, and the homes a resident files tickets for.

use super::*;
use crate::write_tx;

impl Store {
    /// The categories with their deadlines, in the form's order.
    pub async fn ticket_categories(&self) -> Result<Vec<Category>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_as::<
            _,
            (i64, String, String, bool, i64, i64, String),
        >(
            "SELECT id, code, title, emergency, reaction_minutes, resolution_minutes, basis
             FROM ticket_categories ORDER BY sort"
        )
        .fetch_all(pool)
        .await)
        .map(|rows| {
            rows.into_iter()
                .map(
                    |(id, code, title, emergency, reaction, resolution, basis)| Category {
                        id,
                        code,
                        title,
                        emergency,
                        reaction_minutes: reaction,
                        resolution_minutes: resolution,
                        basis,
                    },
                )
                .collect()
        })
        .map_err(internal("ticket categories"))
    }

    /// Sets a category's deadlines (audited). Tickets already registered keep theirs.
    pub async fn set_category_sla(
        &self,
        actor: i64,
        id: i64,
        reaction_minutes: i64,
        resolution_minutes: i64,
    ) -> Result<(), AppError> {
        if reaction_minutes < 1 || resolution_minutes < reaction_minutes {
            return Err(AppError::invalid(
                "Срок реакции — не меньше минуты, срок выполнения — не меньше срока реакции.",
            ));
        }
        let changed = write_tx!(self, "set category sla", |tx| {
            let n = sqlx::query(
                "UPDATE ticket_categories SET reaction_minutes = $1, resolution_minutes = $2
                 WHERE id = $3",
            )
            .bind(reaction_minutes)
            .bind(resolution_minutes)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                let details = format!("{reaction_minutes}/{resolution_minutes}");
                audit!(
                    &mut *tx,
                    Some(actor),
                    "set_sla",
                    "ticket_category",
                    Some(id),
                    details
                )?;
            }
            Ok(n == 1)
        })?;
        if changed {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The resident's homes for the form: apartment id and «address, кв. N».
    pub async fn ticket_homes(
        &self,
        user_id: i64,
        today: chrono::NaiveDate,
    ) -> Result<Vec<(i64, String)>, AppError> {
        let sql = format!(
            "SELECT DISTINCT a.id, h.address, a.number FROM residencies r
             JOIN people p ON p.id = r.person_id
             JOIN apartments a ON a.id = r.apartment_id JOIN houses h ON h.id = a.house_id
             WHERE p.user_id = $1 AND {}
             ORDER BY h.address, a.number",
            crate::db::residency_in_force("$2")
        );
        with_db!(&self.db, |pool| sqlx::query_as::<_, (i64, String, String)>(
            &sql
        )
        .bind(user_id)
        .bind(today)
        .fetch_all(pool)
        .await)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, address, number)| (id, format!("{address}, кв. {number}")))
                .collect()
        })
        .map_err(internal("ticket homes"))
    }
}
