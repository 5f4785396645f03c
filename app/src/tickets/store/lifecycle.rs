//! A ticket's life: filed, seen, moved through its statuses, assigned, commented, rated, and
//! given photos — each step checked against who the user is to this ticket.

use super::*;
use crate::db::TxError;
use crate::write_tx;

impl Store {
    /// Registers a ticket with its files in one transaction: either the ticket and every file
    /// it names are saved, or nothing is. A repeated submit of the same form (its key) gives
    /// the ticket already made. An emergency tells the dispatchers at once.
    pub async fn create_ticket(
        &self,
        by: &CurrentUser,
        t: &NewTicket,
        now: DateTime<Utc>,
        today: chrono::NaiveDate,
    ) -> Result<i64, AppError> {
        if t.uploads.len() > rules::MAX_FILES {
            return Err(AppError::invalid(FormError::TooManyFiles.to_string()));
        }
        let staff = role_can(by.role, Permission::ManageTickets);
        if !staff && !role_can(by.role, Permission::OwnCabinet) {
            return Err(AppError::Forbidden);
        }
        let outcome = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            if let Some(key) = &t.client_key {
                let made: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM tickets WHERE client_key = $1 AND created_by = $2",
                )
                .bind(key)
                .bind(by.id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(id) = made {
                    return Ok(id);
                }
            }
            let category: Option<(String, bool, i64, i64)> = sqlx::query_as(
                "SELECT title, emergency, reaction_minutes, resolution_minutes
                 FROM ticket_categories WHERE id = $1",
            )
            .bind(t.category_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((category, emergency, reaction, resolution)) = category else {
                return Err(AppError::invalid(FormError::Category.to_string()).into());
            };
            // the apartment decides the house and entrance; a resident names only their own
            let home: Option<(i64, Option<i64>, String)> = match t.apartment_id {
                Some(apartment) => {
                    sqlx::query_as(
                        "SELECT a.house_id, a.entrance_id, h.address FROM apartments a
                         JOIN houses h ON h.id = a.house_id WHERE a.id = $1",
                    )
                    .bind(apartment)
                    .fetch_optional(&mut *tx)
                    .await?
                }
                None => None,
            };
            let (house_id, entrance_id, address) = match (home, t.house_id, staff) {
                (Some(h), _, _) => h,
                (None, Some(house), true) => {
                    let address: Option<String> =
                        sqlx::query_scalar("SELECT address FROM houses WHERE id = $1")
                            .bind(house)
                            .fetch_optional(&mut *tx)
                            .await?;
                    match address {
                        Some(a) => (house, None, a),
                        None => return Err(AppError::invalid(FormError::Home.to_string()).into()),
                    }
                }
                _ => return Err(AppError::invalid(FormError::Home.to_string()).into()),
            };
            if !staff {
                let mine: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM residencies r JOIN people p ON p.id = r.person_id
                     WHERE p.user_id = $1 AND r.apartment_id = $2 AND {}",
                    crate::db::residency_in_force("$3")
                ))
                .bind(by.id)
                .bind(t.apartment_id)
                .bind(today)
                .fetch_one(&mut *tx)
                .await?;
                if mine == 0 {
                    return Err(AppError::Forbidden.into());
                }
            }
            let (requester_user, requester_name, requester_phone, channel) = match &t.caller {
                Some((name, phone)) if staff => {
                    // a caller who has a cabinet and lives there follows the ticket in it
                    let user: Option<i64> = sqlx::query_scalar(
                        "SELECT p.user_id FROM people p JOIN residencies r ON r.person_id = p.id
                         JOIN users u ON u.id = p.user_id
                         WHERE r.apartment_id = $1 AND r.status = 'active' AND u.phone = $2
                         LIMIT 1",
                    )
                    .bind(t.apartment_id)
                    .bind(phone)
                    .fetch_optional(&mut *tx)
                    .await?;
                    (user, name.clone(), Some(phone.clone()), "phone")
                }
                _ if staff => return Err(AppError::invalid(FormError::Caller.to_string()).into()),
                _ => (Some(by.id), by.full_name.clone(), None, "cabinet"),
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO tickets (house_id, apartment_id, entrance_id, place, place_note,
                     category_id, description, status, requester_user_id, requester_name,
                     requester_phone, channel, created_by, registered_at, clock_from,
                     reaction_due, resolution_due, client_key, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'new', $8, $9, $10, $11, $12, $13, $13,
                     $14, $15, $16, $13)
                 RETURNING id",
            )
            .bind(house_id)
            .bind(t.apartment_id)
            .bind(entrance_id)
            .bind(t.place.as_str())
            .bind(&t.place_note)
            .bind(t.category_id)
            .bind(&t.description)
            .bind(requester_user)
            .bind(&requester_name)
            .bind(&requester_phone)
            .bind(channel)
            .bind(by.id)
            .bind(now)
            .bind(rules::due(now, reaction))
            .bind(rules::due(now, resolution))
            .bind(&t.client_key)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind, to_status, body)
                 VALUES ($1, $2, $3, 'created', 'new', $4)",
            )
            .bind(id)
            .bind(now)
            .bind(by.id)
            .bind(if channel == "phone" {
                "Принята по телефону"
            } else {
                "Подана в кабинете"
            })
            .execute(&mut *tx)
            .await?;
            for token in &t.uploads {
                let attached = sqlx::query(
                    "UPDATE ticket_files SET ticket_id = $1, stage = 'report'
                     WHERE token = $2 AND uploaded_by = $3 AND ticket_id IS NULL
                       AND kind IS NOT NULL",
                )
                .bind(id)
                .bind(token)
                .bind(by.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if attached != 1 {
                    return Err(AppError::invalid(FormError::Unfinished.to_string()).into());
                }
            }
            if staff {
                audit!(&mut *tx, Some(by.id), "create", "ticket", Some(id), channel)?;
            }
            let what = [("category", category.clone()), ("address", address.clone())];
            if emergency {
                let text: String = t.description.chars().take(200).collect();
                let notice = ticket_notice(
                    NoticeKind::TicketEmergency,
                    Recipients::Staff(Permission::ManageTickets),
                    id,
                    &[what[0].clone(), what[1].clone(), ("text", text)],
                );
                enqueue_notice!(&mut *tx, &with_link(notice, format!("/staff/tickets/{id}")))?;
            }
            if let (Some(user), "phone") = (requester_user, channel) {
                let notice = ticket_notice(
                    NoticeKind::TicketUpdate,
                    Recipients::User(user),
                    id,
                    &[
                        ("status", "зарегистрирована по вашему звонку".into()),
                        ("text", format!("{category}, {address}.")),
                    ],
                );
                enqueue_notice!(
                    &mut *tx,
                    &with_link(notice, format!("/cabinet/tickets/{id}"))
                )?;
            }
            tx.commit().await?;
            Ok::<_, TxError>(id)
        }
        .await);
        match outcome {
            Err(TxError::Db(e)) if crate::db::is_unique_violation(&e) => {
                // the same form sent twice at once: the other request made it
                let key = t.client_key.clone().unwrap_or_default();
                with_db!(&self.db, |pool| sqlx::query_scalar::<_, i64>(
                    "SELECT id FROM tickets WHERE client_key = $1 AND created_by = $2"
                )
                .bind(&key)
                .bind(by.id)
                .fetch_one(pool)
                .await)
                .map_err(internal("find repeated ticket"))
            }
            other => other.map_err(|e| e.into_app("create ticket")),
        }
    }

    /// The contractor a user works for (executors).
    pub(super) async fn contractor_of(&self, user_id: i64) -> Result<Option<i64>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT contractor_id FROM executors WHERE user_id = $1"
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("contractor of user"))
    }

    /// Who `user` is to ticket `id`; `Forbidden` for anyone else, `NotFound` for no ticket.
    pub(super) async fn ticket_actor(
        &self,
        user: &CurrentUser,
        id: i64,
    ) -> Result<(Actor, Parties), AppError> {
        let parties: Option<Parties> = with_db!(&self.db, |pool| sqlx::query_as(
            "SELECT status, requester_user_id, executor_user_id, contractor_id, category_id
             FROM tickets WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("ticket parties"))?;
        let parties = parties.ok_or(AppError::NotFound)?;
        let contractor = if user.role == Role::Executor {
            self.contractor_of(user.id).await?
        } else {
            None
        };
        match rules::actor_for(user, parties.people(), contractor) {
            Some(actor) => Ok((actor, parties)),
            None => {
                tracing::warn!(user_id = user.id, ticket = id, "ticket access refused");
                Err(AppError::Forbidden)
            }
        }
    }

    /// A ticket's page for `user`: the requester sees no internal comments or files and no
    /// staff contacts.
    pub async fn ticket_view(
        &self,
        user: &CurrentUser,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<TicketView, AppError> {
        let (actor, parties) = self.ticket_actor(user, id).await?;
        let staff = actor != Actor::Requester;
        #[derive(FromRow)]
        struct Extra {
            description: String,
            category_basis: String,
            requester_name: String,
            requester_phone: Option<String>,
            channel: String,
            rating: Option<i64>,
            reopen_count: i64,
        }
        #[derive(FromRow)]
        struct EventRow {
            at: DateTime<Utc>,
            who: Option<String>,
            kind: String,
            from_status: Option<String>,
            to_status: Option<String>,
            body: String,
            internal: bool,
        }
        #[derive(FromRow)]
        struct FileRow {
            id: i64,
            kind: FileKind,
            stage: Option<Stage>,
            file_name: String,
            size: Option<i64>,
            thumb_key: Option<String>,
            internal: bool,
        }
        let (row, extra, events, files) = with_db!(&self.db, |pool| async {
            let row: RowData = sqlx::query_as(&format!("{ROW_SELECT}{ROW_FROM} WHERE t.id = $1"))
                .bind(id)
                .fetch_one(pool)
                .await?;
            let extra: Extra = sqlx::query_as(
                "SELECT t.description, c.basis AS category_basis, t.requester_name,
                        COALESCE(t.requester_phone, u.phone) AS requester_phone, t.channel,
                        t.rating, t.reopen_count
                 FROM tickets t JOIN ticket_categories c ON c.id = t.category_id
                 LEFT JOIN users u ON u.id = t.requester_user_id
                 WHERE t.id = $1",
            )
            .bind(id)
            .fetch_one(pool)
            .await?;
            let events: Vec<EventRow> = sqlx::query_as(
                "SELECT ev.at, u.full_name AS who, ev.kind, ev.from_status, ev.to_status, ev.body,
                        ev.internal
                 FROM ticket_events ev LEFT JOIN users u ON u.id = ev.actor_user_id
                 WHERE ev.ticket_id = $1 AND ($2 OR NOT ev.internal) ORDER BY ev.at, ev.id",
            )
            .bind(id)
            .bind(staff)
            .fetch_all(pool)
            .await?;
            let files: Vec<FileRow> = sqlx::query_as(
                "SELECT id, kind, stage, file_name, size, thumb_key, internal FROM ticket_files
                 WHERE ticket_id = $1 AND kind IS NOT NULL AND ($2 OR NOT internal) ORDER BY id",
            )
            .bind(id)
            .bind(staff)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((row, extra, events, files))
        }
        .await)
        .map_err(internal("ticket view"))?;
        if staff && extra.requester_phone.is_some() {
            self.log_view(user.id, "ticket", Some(id)).await?;
        }
        let status = parties.status;
        let may_assign = actor == Actor::Dispatcher && status.is_open();
        let contractors = if may_assign {
            self.contractors(now).await?
        } else {
            Vec::new()
        };
        let moves = rules::moves(status, actor)
            .into_iter()
            .map(|to| Move {
                to,
                label: rules::move_label(to, actor).to_string(),
                needs_reason: rules::needs_reason(to),
            })
            .collect();
        let events = events
            .into_iter()
            .map(|e| TicketEvent {
                at: format_moment(e.at),
                who: e.who.unwrap_or_else(|| "Ключ".into()),
                what: event_words(&e.kind, e.from_status.as_deref(), e.to_status.as_deref()),
                body: e.body,
                internal: e.internal,
            })
            .collect();
        let files = files
            .into_iter()
            .map(|f| {
                TicketFile {
                    id: f.id,
                    kind: f.kind,
                    // files of the report itself carry no stage
                    stage: f.stage.unwrap_or(Stage::Report),
                    file_name: f.file_name,
                    size: rules::format_size(f.size.unwrap_or(0)),
                    has_thumb: f.thumb_key.is_some(),
                    internal: f.internal,
                }
            })
            .collect();
        Ok(TicketView {
            row: row.into_row(now),
            description: extra.description,
            category_basis: extra.category_basis,
            requester: extra.requester_name,
            requester_phone: if staff { extra.requester_phone } else { None },
            channel_phone: extra.channel == "phone",
            rating: extra.rating,
            reopen_count: extra.reopen_count,
            files,
            events,
            moves,
            may_assign,
            may_rate: actor == Actor::Requester
                && extra.rating.is_none()
                && matches!(status, Status::Done | Status::Closed),
            may_add_files: staff && status != Status::Cancelled && status != Status::Closed,
            contractor_id: parties.contractor_id,
            executor_id: parties.executor_user_id,
            contractors,
        })
    }

    /// Moves a ticket to `to` for `user`, if their part allows it; writes the history, restarts
    /// the clock when the resident reopens, and tells the requester.
    pub async fn move_ticket(
        &self,
        user: &CurrentUser,
        id: i64,
        to: Status,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let reason =
            rules::check_reason(to, reason).map_err(|e| AppError::invalid(e.to_string()))?;
        let (actor, parties) = self.ticket_actor(user, id).await?;
        let from = parties.status;
        if !rules::may_move(from, to, actor) {
            return Err(AppError::invalid(format!(
                "Заявку в статусе «{}» нельзя перевести в «{}».",
                from.label(),
                to.label()
            )));
        }
        let changed = write_tx!(self, "move ticket", |tx| {
            let (reaction, resolution): (i64, i64) = sqlx::query_as(
                "SELECT reaction_minutes, resolution_minutes FROM ticket_categories WHERE id = $1",
            )
            .bind(parties.category_id)
            .fetch_one(&mut *tx)
            .await?;
            // conditional on the status read above: two people moving it at once → one wins
            let n = if to == Status::Reopened {
                sqlx::query(
                    "UPDATE tickets SET status = 'reopened', clock_from = $1, reaction_due = $2,
                         resolution_due = $3, reacted_at = NULL, done_at = NULL, closed_at = NULL,
                         escalated = 0, reopen_count = reopen_count + 1, updated_at = $1
                     WHERE id = $4 AND status = $5",
                )
                .bind(now)
                .bind(rules::due(now, reaction))
                .bind(rules::due(now, resolution))
                .bind(id)
                .bind(from.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected()
            } else {
                let reacted = rules::is_reaction(from, to);
                sqlx::query(
                    "UPDATE tickets SET status = $1, updated_at = $2,
                         reacted_at = CASE WHEN $3 THEN $2 ELSE reacted_at END,
                         done_at = CASE WHEN $1 = 'done' THEN $2
                                        WHEN $1 = 'in_work' THEN NULL ELSE done_at END,
                         closed_at = CASE WHEN $1 IN ('closed', 'cancelled') THEN $2
                                          ELSE closed_at END
                     WHERE id = $4 AND status = $5",
                )
                .bind(to.as_str())
                .bind(now)
                .bind(reacted)
                .bind(id)
                .bind(from.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected()
            };
            if n != 1 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind, from_status,
                     to_status, body)
                 VALUES ($1, $2, $3, 'status', $4, $5, $6)",
            )
            .bind(id)
            .bind(now)
            .bind(user.id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(&reason)
            .execute(&mut *tx)
            .await?;
            if actor != Actor::Requester {
                audit!(
                    &mut *tx,
                    Some(user.id),
                    "move",
                    "ticket",
                    Some(id),
                    to.as_str()
                )?;
                if let Some(requester) = parties.requester_user_id {
                    let text = if reason.is_empty() {
                        String::new()
                    } else {
                        reason.clone()
                    };
                    let notice = ticket_notice(
                        NoticeKind::TicketUpdate,
                        Recipients::User(requester),
                        id,
                        &[("status", status_words(to).into()), ("text", text)],
                    );
                    enqueue_notice!(
                        &mut *tx,
                        &with_link(notice, format!("/cabinet/tickets/{id}"))
                    )?;
                }
            } else if to == Status::Reopened {
                let notice = ticket_notice(
                    NoticeKind::TicketUpdate,
                    Recipients::Staff(Permission::ManageTickets),
                    id,
                    &[
                        ("status", "открыта повторно жителем".into()),
                        ("text", reason.clone()),
                    ],
                );
                enqueue_notice!(&mut *tx, &with_link(notice, format!("/staff/tickets/{id}")))?;
            }
            Ok(true)
        })?;
        if changed {
            Ok(())
        } else {
            Err(AppError::invalid(
                "Заявку только что изменил кто-то другой — обновите страницу.",
            ))
        }
    }

    /// Assigns a ticket to a contractor and, optionally, one of its people (dispatchers only).
    pub async fn assign_ticket(
        &self,
        user: &CurrentUser,
        id: i64,
        contractor_id: Option<i64>,
        executor_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let (actor, parties) = self.ticket_actor(user, id).await?;
        let status = parties.status;
        if actor != Actor::Dispatcher {
            return Err(AppError::Forbidden);
        }
        if !status.is_open() {
            return Err(AppError::invalid("Закрытую заявку переназначить нельзя."));
        }
        write_tx!(self, "assign ticket", |tx| {
            let contractor: Option<String> = match contractor_id {
                Some(c) => {
                    sqlx::query_scalar("SELECT name FROM contractors WHERE id = $1 AND is_active")
                        .bind(c)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            if contractor_id.is_some() && contractor.is_none() {
                return Err(AppError::invalid("Такого подрядчика нет.").into());
            }
            let executor: Option<String> = match (executor_id, contractor_id) {
                (Some(e), Some(c)) => {
                    sqlx::query_scalar(
                        "SELECT u.full_name FROM executors x JOIN users u ON u.id = x.user_id
                         WHERE x.user_id = $1 AND x.contractor_id = $2 AND u.is_active",
                    )
                    .bind(e)
                    .bind(c)
                    .fetch_optional(&mut *tx)
                    .await?
                }
                (Some(_), None) => {
                    return Err(
                        AppError::invalid("Исполнителя назначают вместе с подрядчиком.").into(),
                    );
                }
                _ => None,
            };
            if executor_id.is_some() && executor.is_none() {
                return Err(AppError::invalid(
                    "Этот исполнитель не работает у выбранного подрядчика.",
                )
                .into());
            }
            sqlx::query(
                "UPDATE tickets SET contractor_id = $1, executor_user_id = $2, updated_at = $3
                 WHERE id = $4",
            )
            .bind(contractor_id)
            .bind(executor_id)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let body = match (&contractor, &executor) {
                (Some(c), Some(e)) => format!("{c}: {e}"),
                (Some(c), None) => c.clone(),
                _ => "Назначение снято".into(),
            };
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind, body, internal)
                 VALUES ($1, $2, $3, 'assigned', $4, TRUE)",
            )
            .bind(id)
            .bind(now)
            .bind(user.id)
            .bind(&body)
            .execute(&mut *tx)
            .await?;
            audit!(&mut *tx, Some(user.id), "assign", "ticket", Some(id), &body)?;
            let people: Vec<i64> = match (executor_id, contractor_id) {
                (Some(e), _) => vec![e],
                (None, Some(c)) => {
                    sqlx::query_scalar(
                        "SELECT x.user_id FROM executors x JOIN users u ON u.id = x.user_id
                         WHERE x.contractor_id = $1 AND u.is_active ORDER BY x.user_id",
                    )
                    .bind(c)
                    .fetch_all(&mut *tx)
                    .await?
                }
                _ => Vec::new(),
            };
            let (category, address): (String, String) = sqlx::query_as(
                "SELECT c.title, h.address FROM tickets t
                 JOIN ticket_categories c ON c.id = t.category_id JOIN houses h ON h.id = t.house_id
                 WHERE t.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            for person in people {
                let notice = ticket_notice(
                    NoticeKind::TicketAssigned,
                    Recipients::User(person),
                    id,
                    &[("category", category.clone()), ("address", address.clone())],
                );
                enqueue_notice!(&mut *tx, &with_link(notice, format!("/staff/tickets/{id}")))?;
            }
            Ok(())
        })
    }

    /// A comment: staff may keep it internal; a comment the resident sees tells them.
    pub async fn comment_ticket(
        &self,
        user: &CurrentUser,
        id: i64,
        body: &str,
        internal_only: bool,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let body = rules::check_comment(body).map_err(|e| AppError::invalid(e.to_string()))?;
        let (actor, parties) = self.ticket_actor(user, id).await?;
        let internal_only = internal_only && actor != Actor::Requester;
        write_tx!(self, "comment ticket", |tx| {
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind, body, internal)
                 VALUES ($1, $2, $3, 'comment', $4, $5)",
            )
            .bind(id)
            .bind(now)
            .bind(user.id)
            .bind(&body)
            .bind(internal_only)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            match (actor, parties.requester_user_id) {
                (Actor::Requester, _) => {
                    let notice = ticket_notice(
                        NoticeKind::TicketUpdate,
                        Recipients::Staff(Permission::ManageTickets),
                        id,
                        &[
                            ("status", "комментарий жителя".into()),
                            ("text", body.clone()),
                        ],
                    );
                    enqueue_notice!(&mut *tx, &with_link(notice, format!("/staff/tickets/{id}")))?;
                }
                (_, Some(requester)) if !internal_only => {
                    let notice = ticket_notice(
                        NoticeKind::TicketUpdate,
                        Recipients::User(requester),
                        id,
                        &[
                            ("status", "новый комментарий".into()),
                            ("text", body.clone()),
                        ],
                    );
                    enqueue_notice!(
                        &mut *tx,
                        &with_link(notice, format!("/cabinet/tickets/{id}"))
                    )?;
                }
                _ => {}
            }
            Ok(())
        })
    }

    /// The requester's rating of the work (once, after it is done).
    pub async fn rate_ticket(
        &self,
        user: &CurrentUser,
        id: i64,
        stars: i64,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let stars = rules::check_rating(stars).map_err(|e| AppError::invalid(e.to_string()))?;
        let note = rules::check_reason(Status::Accepted, note)
            .map_err(|_| AppError::invalid("Отзыв — не длиннее 500 знаков."))?;
        let (actor, _) = self.ticket_actor(user, id).await?;
        if actor != Actor::Requester {
            return Err(AppError::Forbidden);
        }
        let rated = write_tx!(self, "rate ticket", |tx| {
            let n = sqlx::query(
                "UPDATE tickets SET rating = $1, updated_at = $2
                 WHERE id = $3 AND rating IS NULL AND status IN ('done', 'closed')",
            )
            .bind(stars)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                sqlx::query(
                    "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind, body)
                     VALUES ($1, $2, $3, 'rated', $4)",
                )
                .bind(id)
                .bind(now)
                .bind(user.id)
                .bind(format!(
                    "{stars} из 5{}",
                    if note.is_empty() {
                        String::new()
                    } else {
                        format!(": {note}")
                    }
                ))
                .execute(&mut *tx)
                .await?;
            }
            Ok(n == 1)
        })?;
        if rated {
            Ok(())
        } else {
            Err(AppError::invalid(
                "Оценить можно выполненную заявку, и только один раз.",
            ))
        }
    }

    /// Attaches staff's finished uploads (before / after photos) to a ticket, all or none.
    pub async fn attach_ticket_files(
        &self,
        user: &CurrentUser,
        id: i64,
        stage: Stage,
        tokens: &[String],
        internal_only: bool,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let (actor, parties) = self.ticket_actor(user, id).await?;
        let status = parties.status;
        if actor == Actor::Requester || matches!(status, Status::Closed | Status::Cancelled) {
            return Err(AppError::Forbidden);
        }
        if tokens.is_empty() {
            return Err(AppError::invalid("Выберите фото или файл."));
        }
        write_tx!(self, "attach ticket files", |tx| {
            let count: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM ticket_files WHERE ticket_id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            if count as usize + tokens.len() > rules::MAX_FILES {
                return Err(AppError::invalid(FormError::TooManyFiles.to_string()).into());
            }
            for token in tokens {
                let n = sqlx::query(
                    "UPDATE ticket_files SET ticket_id = $1, stage = $2, internal = $3
                     WHERE token = $4 AND uploaded_by = $5 AND ticket_id IS NULL
                       AND kind IS NOT NULL",
                )
                .bind(id)
                .bind(stage.as_str())
                .bind(internal_only)
                .bind(token)
                .bind(user.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(AppError::invalid(FormError::Unfinished.to_string()).into());
                }
            }
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind, body, internal)
                 VALUES ($1, $2, $3, 'files', $4, $5)",
            )
            .bind(id)
            .bind(now)
            .bind(user.id)
            .bind(format!("{}: {}", stage.label(), tokens.len()))
            .bind(internal_only)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(user.id),
                "attach",
                "ticket",
                Some(id),
                stage.as_str()
            )?;
            Ok(())
        })
    }
}
