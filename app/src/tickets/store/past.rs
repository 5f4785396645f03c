//! Tickets of the past with their history (demo data, migrations).

use super::*;
use crate::write_tx;

/// A demo ticket with its history, loaded as it happened (no notices are sent for the past).
#[derive(Debug, Clone)]
pub struct PastTicket {
    pub category_code: &'static str,
    pub apartment_id: i64,
    pub requester_user_id: Option<i64>,
    pub requester_name: String,
    pub place: Place,
    pub description: String,
    pub registered_at: DateTime<Utc>,
    pub contractor_id: Option<i64>,
    pub executor_user_id: Option<i64>,
    /// (minutes after registration, the status it moved to, the comment).
    pub steps: Vec<(i64, Status, String)>,
    pub rating: Option<i64>,
    /// Who moved it (the dispatcher).
    pub staff_user_id: i64,
}

impl Store {
    /// Loads the demo's past tickets in one transaction, each with its deadlines by the rules
    /// and its history as the events it went through.
    /// Escalations count as sent for what was already late at `now` (a live ticket of the demo
    /// still escalates when its time comes).
    pub async fn load_past_tickets(
        &self,
        items: &[PastTicket],
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let categories = self.ticket_categories().await?;
        write_tx!(self, "load past tickets", |tx| {
            for t in items {
                let Some(c) = categories.iter().find(|c| c.code == t.category_code) else {
                    continue;
                };
                let (house_id, entrance_id): (i64, Option<i64>) =
                    sqlx::query_as("SELECT house_id, entrance_id FROM apartments WHERE id = $1")
                        .bind(t.apartment_id)
                        .fetch_one(&mut *tx)
                        .await?;
                let mut clock = t.registered_at;
                let (mut reacted, mut done, mut closed) = (None, None, None);
                let mut status = Status::New;
                let mut reopens = 0;
                let mut events = Vec::new();
                for (after, to, body) in &t.steps {
                    let at = t.registered_at + Duration::minutes(*after);
                    if *to == Status::Reopened {
                        clock = at;
                        reacted = None;
                        done = None;
                        closed = None;
                        reopens += 1;
                    } else {
                        if rules::is_reaction(status, *to) {
                            reacted = Some(at);
                        }
                        match to {
                            Status::Done => done = Some(at),
                            Status::InWork => done = None,
                            Status::Closed | Status::Cancelled => closed = Some(at),
                            _ => {}
                        }
                    }
                    let actor = match to {
                        Status::Closed | Status::Reopened => {
                            t.requester_user_id.or(Some(t.staff_user_id))
                        }
                        Status::InWork | Status::Done => {
                            t.executor_user_id.or(Some(t.staff_user_id))
                        }
                        _ => Some(t.staff_user_id),
                    };
                    events.push((at, actor, status, *to, body.clone()));
                    status = *to;
                }
                let updated = events.last().map_or(t.registered_at, |e| e.0);
                let channel = if t.requester_user_id.is_some() {
                    "cabinet"
                } else {
                    "phone"
                };
                let (reaction_due, resolution_due) = (
                    rules::due(clock, c.reaction_minutes),
                    rules::due(clock, c.resolution_minutes),
                );
                let warned = |due: DateTime<Utc>, window: i64, at: Option<DateTime<Utc>>| {
                    matches!(
                        rules::sla(now, due, window, at),
                        Sla::AtRisk { .. } | Sla::Overdue { .. }
                    )
                };
                let escalated =
                    if !status.is_open() || warned(resolution_due, c.resolution_minutes, done) {
                        2
                    } else {
                        i64::from(warned(reaction_due, c.reaction_minutes, reacted))
                    };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO tickets (house_id, apartment_id, entrance_id, place, place_note,
                         category_id, description, status, requester_user_id, requester_name,
                         channel, created_by, contractor_id, executor_user_id, registered_at,
                         clock_from, reaction_due, resolution_due, reacted_at, done_at, closed_at,
                         reopen_count, rating, escalated, updated_at)
                     VALUES ($1, $2, $3, $4, '', $5, $6, $7, $8, $9, $23, $10, $11, $12, $13,
                         $14, $15, $16, $17, $18, $19, $20, $21, $24, $22)
                     RETURNING id",
                )
                .bind(house_id)
                .bind(t.apartment_id)
                .bind(entrance_id)
                .bind(t.place.as_str())
                .bind(c.id)
                .bind(&t.description)
                .bind(status.as_str())
                .bind(t.requester_user_id)
                .bind(&t.requester_name)
                .bind(t.requester_user_id.unwrap_or(t.staff_user_id))
                .bind(t.contractor_id)
                .bind(t.executor_user_id)
                .bind(t.registered_at)
                .bind(clock)
                .bind(reaction_due)
                .bind(resolution_due)
                .bind(reacted)
                .bind(done)
                .bind(closed)
                .bind(reopens)
                .bind(t.rating)
                .bind(updated)
                .bind(channel)
                .bind(escalated)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind, to_status, body)
                     VALUES ($1, $2, $3, 'created', 'new', $4)",
                )
                .bind(id)
                .bind(t.registered_at)
                .bind(t.requester_user_id.unwrap_or(t.staff_user_id))
                .bind(if channel == "phone" { "Принята по телефону" } else { "Подана в кабинете" })
                .execute(&mut *tx)
                .await?;
                for (at, actor, from, to, body) in events {
                    sqlx::query(
                        "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind,
                             from_status, to_status, body)
                         VALUES ($1, $2, $3, 'status', $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(at)
                    .bind(actor)
                    .bind(from.as_str())
                    .bind(to.as_str())
                    .bind(body)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some(stars) = t.rating {
                    sqlx::query(
                        "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind, body)
                         VALUES ($1, $2, $3, 'rated', $4)",
                    )
                    .bind(id)
                    .bind(updated)
                    .bind(t.requester_user_id)
                    .bind(format!("{stars} из 5"))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            Ok(())
        })
    }

    /// An apartment of a house by its number (as staff type it).
    pub async fn apartment_by_number(
        &self,
        house_id: i64,
        number: &str,
    ) -> Result<Option<i64>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT id FROM apartments WHERE house_id = $1 AND number = $2"
        )
        .bind(house_id)
        .bind(number.trim())
        .fetch_optional(pool)
        .await)
        .map_err(internal("apartment by number"))
    }
}
