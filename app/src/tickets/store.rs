//! Database side of the АДС: tickets and their history, files (staged uploads, then attached),
//! contractors and executors, the board, the SLA sweep and the council's report. Each method is
//! one transaction; every change writes a history event, staff changes also the audit log, and
//! the notices go through the outbox in the same transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Utc};
use sqlx::FromRow;

use super::rules::{self, Actor, FormError};
use super::types::*;
use crate::auth::rules::role_can;
use crate::auth::types::{CurrentUser, Permission, Role};
use crate::clock::format_moment;
use crate::db::jobs::Job;
use crate::db::{BeginWrite, Store, internal};
use crate::error::AppError;
use crate::notify::types::{Notice, NoticeKind, Recipients};
use crate::{audit, enqueue_notice, with_db};

/// Job kind: the SLA sweep (escalations, closing quiet done tickets, purging stale uploads),
/// rescheduled every minute.
pub const SLA_JOB: &str = "tickets.sla";
/// How long an upload may wait for its ticket before it is purged.
pub const STAGED_HOURS: i64 = 24;
/// Lists that include finished tickets show at most this many, newest first.
pub const LIST_LIMIT: i64 = 500;
/// How far back an executor's list shows finished work.
pub const WORK_DAYS: i64 = 30;
/// Uploads one user may start in an hour (a phone's ticket has at most ten).
pub const MAX_UPLOADS_PER_HOUR: i64 = 60;

/// The columns of a list row (`ROW_FROM` joins what they need).
const ROW_SELECT: &str = "SELECT t.id, c.title AS category, c.emergency, t.status, h.address,
        a.number AS flat, e.number AS entrance_no, t.place, t.place_note, t.description,
        t.registered_at, co.name AS contractor, u.full_name AS executor, t.clock_from,
        t.reaction_due, t.resolution_due, t.reacted_at, t.done_at, t.closed_at";
const ROW_FROM: &str = " FROM tickets t
        JOIN ticket_categories c ON c.id = t.category_id
        JOIN houses h ON h.id = t.house_id
        LEFT JOIN apartments a ON a.id = t.apartment_id
        LEFT JOIN entrances e ON e.id = t.entrance_id
        LEFT JOIN contractors co ON co.id = t.contractor_id
        LEFT JOIN users u ON u.id = t.executor_user_id";

#[derive(Debug, FromRow)]
struct RowData {
    id: i64,
    category: String,
    emergency: bool,
    status: String,
    address: String,
    flat: Option<String>,
    entrance_no: Option<i64>,
    place: String,
    place_note: String,
    description: String,
    registered_at: DateTime<Utc>,
    contractor: Option<String>,
    executor: Option<String>,
    clock_from: DateTime<Utc>,
    reaction_due: DateTime<Utc>,
    resolution_due: DateTime<Utc>,
    reacted_at: Option<DateTime<Utc>>,
    done_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
}

impl RowData {
    fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::New)
    }

    /// The two deadlines at `now`. A cancelled ticket's clocks stopped when it was cancelled.
    fn slas(&self, now: DateTime<Utc>) -> (Sla, Sla) {
        let stopped = (self.status() == Status::Cancelled)
            .then_some(self.closed_at)
            .flatten();
        let window = |due: DateTime<Utc>| (due - self.clock_from).num_minutes();
        (
            rules::sla(
                now,
                self.reaction_due,
                window(self.reaction_due),
                self.reacted_at.or(stopped),
            ),
            rules::sla(
                now,
                self.resolution_due,
                window(self.resolution_due),
                self.done_at.or(stopped),
            ),
        )
    }

    fn into_row(self, now: DateTime<Utc>) -> TicketRow {
        let (reaction, resolution) = self.slas(now);
        let status = self.status();
        let place = place_line(
            Place::parse(&self.place).unwrap_or(Place::Other),
            self.flat.as_deref(),
            self.entrance_no,
            &self.place_note,
        );
        let excerpt: String = self.description.chars().take(120).collect();
        TicketRow {
            id: self.id,
            category: self.category,
            emergency: self.emergency,
            status,
            address: self.address,
            place,
            excerpt,
            registered: format_moment(self.registered_at),
            registered_at: self.registered_at,
            contractor: self.contractor,
            executor: self.executor,
            reaction,
            resolution,
            reaction_due: format_moment(self.reaction_due),
            resolution_due: format_moment(self.resolution_due),
        }
    }
}

/// Where, as one line: `кв. 12`, `подъезд 2 · у лифта`, `Во дворе`.
fn place_line(place: Place, flat: Option<&str>, entrance: Option<i64>, note: &str) -> String {
    let base = match (place, flat, entrance) {
        (Place::Flat, Some(n), _) => format!("кв. {n}"),
        (Place::Entrance, _, Some(e)) => format!("подъезд {e}"),
        _ => place.label().to_lowercase(),
    };
    if note.is_empty() {
        base
    } else {
        format!("{base} · {note}")
    }
}

/// An open ticket of a contractor, for its load.
#[derive(Debug, FromRow)]
struct OpenWork {
    contractor_id: i64,
    reaction_due: DateTime<Utc>,
    resolution_due: DateTime<Utc>,
    reacted_at: Option<DateTime<Utc>>,
}

/// A ticket as its access check needs it.
#[derive(Debug, Clone, FromRow)]
struct Parties {
    status: String,
    requester_user_id: Option<i64>,
    executor_user_id: Option<i64>,
    contractor_id: Option<i64>,
    category_id: i64,
}

/// Who `user` is to a ticket, if anyone: its board (dispatchers, council), its requester, or
/// its executor (the one assigned, or any person of the assigned contractor).
fn actor_for(user: &CurrentUser, p: &Parties, user_contractor: Option<i64>) -> Option<Actor> {
    if role_can(user.role, Permission::ManageTickets) {
        Some(Actor::Dispatcher)
    } else if user.role == Role::Resident && p.requester_user_id == Some(user.id) {
        Some(Actor::Requester)
    } else if role_can(user.role, Permission::WorkTickets)
        && (p.executor_user_id == Some(user.id)
            || (p.contractor_id.is_some() && p.contractor_id == user_contractor))
    {
        Some(Actor::Executor)
    } else {
        None
    }
}

/// A new ticket, checked by the caller.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub category_id: i64,
    pub place: Place,
    pub place_note: String,
    pub description: String,
    /// The apartment it is about (a resident's own home; staff may leave it out).
    pub apartment_id: Option<i64>,
    /// The house, when no apartment is named (staff).
    pub house_id: Option<i64>,
    /// Taken by phone: who called and their number.
    pub caller: Option<(String, String)>,
    /// Files uploaded for it (tokens of the creator's staged uploads).
    pub uploads: Vec<String>,
    pub client_key: Option<String>,
}

/// A finished upload, as the file handler stored it.
#[derive(Debug, Clone)]
pub struct StoredUpload {
    pub kind: FileKind,
    pub content_type: String,
    pub size: i64,
    pub storage_key: String,
    pub thumb_key: Option<String>,
}

/// What the file route needs to serve one file.
#[derive(Debug, Clone, FromRow)]
pub struct FileToServe {
    pub file_name: String,
    pub content_type: String,
    pub storage_key: String,
    pub thumb_key: Option<String>,
}

/// A staged upload: how much has arrived.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct UploadState {
    pub id: i64,
    pub declared_size: i64,
    pub received: i64,
    pub kind: Option<String>,
}

/// What the SLA sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepResult {
    pub escalated: usize,
    pub closed: usize,
    /// Storage keys of purged uploads, for the caller to delete.
    pub purged: Vec<String>,
}

fn ticket_notice(kind: NoticeKind, to: Recipients, id: i64, params: &[(&str, String)]) -> Notice {
    let mut map: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    map.insert("number".into(), id.to_string());
    Notice {
        kind,
        recipients: to,
        params: map,
        link: None,
        source: Some(format!("ticket:{id}")),
    }
}

/// Where a notice about ticket `id` leads the person it goes to.
fn with_link(mut notice: Notice, link: String) -> Notice {
    notice.link = Some(link);
    notice
}

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
        let changed = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
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
                tx.commit().await?;
            }
            Ok::<_, sqlx::Error>(n == 1)
        }
        .await)
        .map_err(internal("set category sla"))?;
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
        with_db!(&self.db, |pool| sqlx::query_as::<_, (i64, String, String)>(
            "SELECT DISTINCT a.id, h.address, a.number FROM residencies r
             JOIN people p ON p.id = r.person_id
             JOIN apartments a ON a.id = r.apartment_id JOIN houses h ON h.id = a.house_id
             WHERE p.user_id = $1 AND r.status = 'active' AND r.moved_in <= $2
               AND (r.moved_out IS NULL OR r.moved_out > $2)
             ORDER BY h.address, a.number"
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
        let outcome =
            with_db!(&self.db, |pool| async {
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
                        return Ok(Ok(id));
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
                    return Ok(Err(AppError::invalid(FormError::Category.to_string())));
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
                            None => return Ok(Err(AppError::invalid(FormError::Home.to_string()))),
                        }
                    }
                    _ => return Ok(Err(AppError::invalid(FormError::Home.to_string()))),
                };
                if !staff {
                    let mine: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM residencies r JOIN people p ON p.id = r.person_id
                     WHERE p.user_id = $1 AND r.apartment_id = $2 AND r.status = 'active'
                       AND r.moved_in <= $3 AND (r.moved_out IS NULL OR r.moved_out > $3)",
                    )
                    .bind(by.id)
                    .bind(t.apartment_id)
                    .bind(today)
                    .fetch_one(&mut *tx)
                    .await?;
                    if mine == 0 {
                        return Ok(Err(AppError::Forbidden));
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
                    _ if staff => return Ok(Err(AppError::invalid(FormError::Caller.to_string()))),
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
            .bind(if channel == "phone" { "Принята по телефону" } else { "Подана в кабинете" })
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
                        return Ok(Err(AppError::invalid(FormError::Unfinished.to_string())));
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
                Ok::<_, sqlx::Error>(Ok(id))
            }
            .await);
        match outcome {
            Ok(result) => result,
            Err(e) if crate::db::is_unique_violation(&e) => {
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
            Err(e) => Err(internal("create ticket")(e)),
        }
    }

    /// The contractor a user works for (executors).
    async fn contractor_of(&self, user_id: i64) -> Result<Option<i64>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT contractor_id FROM executors WHERE user_id = $1"
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("contractor of user"))
    }

    /// Who `user` is to ticket `id`; `Forbidden` for anyone else, `NotFound` for no ticket.
    async fn ticket_actor(
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
        match actor_for(user, &parties, contractor) {
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
            kind: String,
            stage: Option<String>,
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
        let status = Status::parse(&parties.status).unwrap_or(Status::New);
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
            .filter_map(|f| {
                Some(TicketFile {
                    id: f.id,
                    kind: FileKind::parse(&f.kind)?,
                    stage: f
                        .stage
                        .as_deref()
                        .and_then(Stage::parse)
                        .unwrap_or(Stage::Report),
                    file_name: f.file_name,
                    size: rules::format_size(f.size.unwrap_or(0)),
                    has_thumb: f.thumb_key.is_some(),
                    internal: f.internal,
                })
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
        let from = Status::parse(&parties.status).unwrap_or(Status::New);
        if !rules::may_move(from, to, actor) {
            return Err(AppError::invalid(format!(
                "Заявку в статусе «{}» нельзя перевести в «{}».",
                from.label(),
                to.label()
            )));
        }
        let changed = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
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
            tx.commit().await?;
            Ok::<_, sqlx::Error>(true)
        }
        .await)
        .map_err(internal("move ticket"))?;
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
        let status = Status::parse(&parties.status).unwrap_or(Status::New);
        if actor != Actor::Dispatcher {
            return Err(AppError::Forbidden);
        }
        if !status.is_open() {
            return Err(AppError::invalid("Закрытую заявку переназначить нельзя."));
        }
        let outcome = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
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
                return Ok(Err("Такого подрядчика нет."));
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
                (Some(_), None) => return Ok(Err("Исполнителя назначают вместе с подрядчиком.")),
                _ => None,
            };
            if executor_id.is_some() && executor.is_none() {
                return Ok(Err("Этот исполнитель не работает у выбранного подрядчика."));
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
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Ok(()))
        }
        .await)
        .map_err(internal("assign ticket"))?;
        outcome.map_err(AppError::invalid)
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
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
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
            tx.commit().await
        }
        .await)
        .map_err(internal("comment ticket"))
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
        let rated = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
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
                tx.commit().await?;
            }
            Ok::<_, sqlx::Error>(n == 1)
        }
        .await)
        .map_err(internal("rate ticket"))?;
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
        let status = Status::parse(&parties.status).unwrap_or(Status::New);
        if actor == Actor::Requester || matches!(status, Status::Closed | Status::Cancelled) {
            return Err(AppError::Forbidden);
        }
        if tokens.is_empty() {
            return Err(AppError::invalid("Выберите фото или файл."));
        }
        let outcome = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let count: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM ticket_files WHERE ticket_id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            if count as usize + tokens.len() > rules::MAX_FILES {
                return Ok(Err(FormError::TooManyFiles));
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
                    return Ok(Err(FormError::Unfinished));
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
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Ok(()))
        }
        .await)
        .map_err(internal("attach ticket files"))?;
        outcome.map_err(|e| AppError::invalid(e.to_string()))
    }

    /// Starts a staged upload of `size` bytes; returns its token.
    pub async fn start_upload(
        &self,
        user_id: i64,
        file_name: &str,
        size: i64,
        now: DateTime<Utc>,
    ) -> Result<String, AppError> {
        if size <= 0 || size as u64 > rules::MAX_UPLOAD_BYTES {
            return Err(AppError::invalid(rules::FileError::TooLarge.to_string()));
        }
        let name: String = file_name
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
            .take(120)
            .collect();
        let name = if name.trim().is_empty() {
            "файл".to_string()
        } else {
            name
        };
        let recent: i64 = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM ticket_files WHERE uploaded_by = $1 AND created_at > $2"
        )
        .bind(user_id)
        .bind(now - Duration::hours(1))
        .fetch_one(pool)
        .await)
        .map_err(internal("count uploads"))?;
        if recent >= MAX_UPLOADS_PER_HOUR {
            return Err(AppError::RateLimited { minutes: 60 });
        }
        let token = format!(
            "{:016x}{:016x}",
            rand::random::<u64>(),
            rand::random::<u64>()
        );
        with_db!(&self.db, |pool| sqlx::query(
            "INSERT INTO ticket_files (token, uploaded_by, file_name, declared_size, created_at)
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(&token)
        .bind(user_id)
        .bind(&name)
        .bind(size)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("start upload"))?;
        Ok(token)
    }

    /// A staged upload of this user (none for anyone else's token).
    pub async fn upload_state(
        &self,
        user_id: i64,
        token: &str,
    ) -> Result<Option<UploadState>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_as::<_, UploadState>(
            "SELECT id, declared_size, received, kind FROM ticket_files
             WHERE token = $1 AND uploaded_by = $2 AND ticket_id IS NULL"
        )
        .bind(token)
        .bind(user_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("upload state"))
    }

    /// Records that `len` more bytes arrived at `offset`; false when the offset is not where
    /// the upload stands (a chunk sent twice or out of order).
    pub async fn upload_received(&self, id: i64, offset: i64, len: i64) -> Result<bool, AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE ticket_files SET received = received + $1
             WHERE id = $2 AND received = $3 AND received + $1 <= declared_size"
        )
        .bind(len)
        .bind(id)
        .bind(offset)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))
        .map_err(internal("upload received"))
    }

    /// Marks a complete upload checked and stored.
    pub async fn upload_stored(&self, id: i64, stored: &StoredUpload) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE ticket_files SET kind = $1, content_type = $2, size = $3, storage_key = $4,
                 thumb_key = $5
             WHERE id = $6 AND ticket_id IS NULL"
        )
        .bind(stored.kind.as_str())
        .bind(&stored.content_type)
        .bind(stored.size)
        .bind(&stored.storage_key)
        .bind(&stored.thumb_key)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("upload stored"))
    }

    /// Forgets a staged upload that failed its checks.
    pub async fn drop_upload(&self, id: i64) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "DELETE FROM ticket_files WHERE id = $1 AND ticket_id IS NULL"
        )
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("drop upload"))
    }

    /// One file of a ticket, for someone who may see the ticket (internal files: staff only).
    pub async fn ticket_file(
        &self,
        user: &CurrentUser,
        file_id: i64,
    ) -> Result<FileToServe, AppError> {
        let found: Option<(i64, bool)> = with_db!(&self.db, |pool| {
            sqlx::query_as(
            "SELECT ticket_id, internal FROM ticket_files WHERE id = $1 AND ticket_id IS NOT NULL
               AND kind IS NOT NULL"
        )
        .bind(file_id)
        .fetch_optional(pool)
        .await
        })
        .map_err(internal("ticket file"))?;
        let (ticket, internal_only) = found.ok_or(AppError::NotFound)?;
        let (actor, _) = self.ticket_actor(user, ticket).await?;
        if internal_only && actor == Actor::Requester {
            return Err(AppError::Forbidden);
        }
        with_db!(&self.db, |pool| sqlx::query_as::<_, FileToServe>(
            "SELECT file_name, content_type, storage_key, thumb_key FROM ticket_files WHERE id = $1"
        )
        .bind(file_id)
        .fetch_one(pool)
        .await)
        .map_err(internal("ticket file"))
    }

    /// List rows, newest first; `bind` is `$1` of the filter. Lists of finished tickets stop at
    /// [`LIST_LIMIT`]; open ones are never cut (nobody may miss one).
    async fn rows(
        &self,
        filter_sql: &str,
        bind: Option<i64>,
        cut: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketRow>, AppError> {
        let limit = if cut {
            format!(" LIMIT {LIST_LIMIT}")
        } else {
            String::new()
        };
        let sql =
            format!("{ROW_SELECT}{ROW_FROM} {filter_sql} ORDER BY t.registered_at DESC{limit}");
        with_db!(&self.db, |pool| {
            let mut q = sqlx::query_as::<_, RowData>(&sql);
            if let Some(b) = bind {
                q = q.bind(b);
            }
            q.fetch_all(pool).await
        })
        .map(|rows| rows.into_iter().map(|r| r.into_row(now)).collect())
        .map_err(internal("ticket rows"))
    }

    /// The resident's own tickets, newest first.
    pub async fn my_tickets(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketRow>, AppError> {
        self.rows("WHERE t.requester_user_id = $1", Some(user_id), true, now)
            .await
    }

    /// An executor's work: tickets assigned to them or to their contractor, open ones first,
    /// then those of the last [`WORK_DAYS`] days.
    pub async fn executor_work(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketRow>, AppError> {
        let mut rows = self
            .rows(
                "WHERE t.executor_user_id = $1 OR (t.executor_user_id IS NULL AND t.contractor_id
                     IN (SELECT contractor_id FROM executors WHERE user_id = $1))",
                Some(user_id),
                true,
                now,
            )
            .await?;
        let since = now - Duration::days(WORK_DAYS);
        rows.retain(|r| r.status.is_open() || r.registered_at >= since);
        rows.sort_by_key(|r| !r.status.is_open());
        Ok(rows)
    }

    /// The dispatcher's board.
    pub async fn board(&self, f: &BoardFilter, now: DateTime<Utc>) -> Result<Board, AppError> {
        let mut clauses = vec!["1 = 1".to_string()];
        match f.status.as_str() {
            "" | "open" => clauses.push("t.status NOT IN ('done', 'closed', 'cancelled')".into()),
            "all" => {}
            s => match Status::parse(s) {
                Some(st) => clauses.push(format!("t.status = '{}'", st.as_str())),
                None => return Err(AppError::invalid("Нет такого статуса.")),
            },
        }
        // ids are numbers parsed by the caller, so they go into the text safely
        if let Some(c) = f.category {
            clauses.push(format!("t.category_id = {c}"));
        }
        if let Some(h) = f.house {
            clauses.push(format!("t.house_id = {h}"));
        }
        if let Some(c) = f.contractor {
            clauses.push(format!("t.contractor_id = {c}"));
        }
        if let Some(e) = f.executor {
            clauses.push(format!("t.executor_user_id = {e}"));
        }
        let all_open = self
            .rows(
                "WHERE t.status NOT IN ('done', 'closed', 'cancelled')",
                None,
                false,
                now,
            )
            .await?;
        let mut counts = BoardCounts::default();
        for r in &all_open {
            counts.open += 1;
            counts.new += i64::from(r.status == Status::New);
            let late = |s: Sla| matches!(s, Sla::Overdue { .. });
            let risk = |s: Sla| matches!(s, Sla::AtRisk { .. });
            if late(r.reaction) || late(r.resolution) {
                counts.overdue += 1;
            } else if risk(r.reaction) || risk(r.resolution) {
                counts.at_risk += 1;
            }
        }
        let only_open = Status::parse(&f.status).is_none_or(Status::is_open) && f.status != "all";
        let mut rows = self
            .rows(
                &format!("WHERE {}", clauses.join(" AND ")),
                None,
                !only_open,
                now,
            )
            .await?;
        if f.overdue {
            rows.retain(|r| rules::is_late(r.reaction) || rules::is_late(r.resolution));
        }
        // emergencies and the most urgent first among the open ones
        rows.sort_by_key(|r| {
            (
                !r.status.is_open(),
                !r.emergency,
                !(rules::is_late(r.reaction) || rules::is_late(r.resolution)),
            )
        });
        let houses = self
            .houses()
            .await?
            .into_iter()
            .map(|h| (h.id, h.address))
            .collect();
        Ok(Board {
            rows,
            categories: self.ticket_categories().await?,
            houses,
            contractors: self.contractors(now).await?,
            counts,
        })
    }

    /// Contractors with their people and load: open tickets, overdue ones, done this month.
    pub async fn contractors(&self, now: DateTime<Utc>) -> Result<Vec<ContractorLoad>, AppError> {
        let month_start = crate::clock::from_local(
            crate::clock::local(now)
                .date()
                .with_day(1)
                .unwrap_or_default()
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default(),
        );
        let (list, people, open, done) = with_db!(&self.db, |pool| async {
            let list: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
                "SELECT id, name, specialty, phone FROM contractors WHERE is_active ORDER BY name",
            )
            .fetch_all(pool)
            .await?;
            let people: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT x.contractor_id, u.id, u.full_name FROM executors x
                 JOIN users u ON u.id = x.user_id WHERE u.is_active ORDER BY u.full_name",
            )
            .fetch_all(pool)
            .await?;
            let open: Vec<OpenWork> = sqlx::query_as(
                "SELECT contractor_id, reaction_due, resolution_due, reacted_at FROM tickets
                     WHERE contractor_id IS NOT NULL
                       AND status NOT IN ('done', 'closed', 'cancelled')",
            )
            .fetch_all(pool)
            .await?;
            let done: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT contractor_id, COUNT(*) FROM tickets
                 WHERE contractor_id IS NOT NULL AND done_at >= $1 GROUP BY contractor_id",
            )
            .bind(month_start)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((list, people, open, done))
        }
        .await)
        .map_err(internal("contractors"))?;
        Ok(list
            .into_iter()
            .map(|(id, name, specialty, phone)| {
                let mine = open.iter().filter(|o| o.contractor_id == id);
                ContractorLoad {
                    id,
                    name,
                    specialty,
                    phone,
                    open: mine.clone().count() as i64,
                    overdue: mine
                        .filter(|o| {
                            now > o.resolution_due
                                || (o.reacted_at.is_none() && now > o.reaction_due)
                        })
                        .count() as i64,
                    done_month: done.iter().find(|d| d.0 == id).map_or(0, |d| d.1),
                    executors: people
                        .iter()
                        .filter(|p| p.0 == id)
                        .map(|p| (p.1, p.2.clone()))
                        .collect(),
                }
            })
            .collect())
    }

    /// Adds a contractor (audited).
    pub async fn add_contractor(
        &self,
        actor: i64,
        name: &str,
        specialty: &str,
        phone: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64, AppError> {
        let result = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO contractors (name, specialty, phone, created_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(name)
            .bind(specialty)
            .bind(phone)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "create",
                "contractor",
                Some(id),
                name
            )?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await);
        result.map_err(crate::db::unique_or_internal(
            "Подрядчик с таким названием уже есть.",
            "add contractor",
        ))
    }

    /// Links a user of the executor role to a contractor (or moves them to another).
    pub async fn set_executor(
        &self,
        actor: i64,
        user_id: i64,
        contractor_id: i64,
    ) -> Result<(), AppError> {
        let outcome = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let role: Option<String> =
                sqlx::query_scalar("SELECT role FROM users WHERE id = $1 AND is_active")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if role.as_deref() != Some(Role::Executor.as_str()) {
                return Ok(Err(
                    "Привязать к подрядчику можно пользователя с ролью «Исполнитель».",
                ));
            }
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM contractors WHERE id = $1")
                    .bind(contractor_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Ok(Err("Такого подрядчика нет."));
            }
            sqlx::query(
                "INSERT INTO executors (user_id, contractor_id) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO UPDATE SET contractor_id = excluded.contractor_id",
            )
            .bind(user_id)
            .bind(contractor_id)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "set_executor",
                "contractor",
                Some(contractor_id),
                user_id.to_string()
            )?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Ok(()))
        }
        .await)
        .map_err(internal("set executor"))?;
        outcome.map_err(AppError::invalid)
    }

    /// Users of the executor role not yet working for any contractor.
    pub async fn free_executors(&self) -> Result<Vec<(i64, String)>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_as::<_, (i64, String)>(
            "SELECT u.id, u.full_name FROM users u
             WHERE u.role = 'executor' AND u.is_active
               AND NOT EXISTS (SELECT 1 FROM executors x WHERE x.user_id = u.id)
             ORDER BY u.full_name"
        )
        .fetch_all(pool)
        .await)
        .map_err(internal("free executors"))
    }

    /// The SLA sweep: warns the dispatchers once per deadline when it is about to be missed (or
    /// already is), closes done tickets the resident left quiet for [`rules::QUIET_DAYS`], and
    /// purges uploads no ticket took within [`STAGED_HOURS`].
    pub async fn ticket_sweep(&self, now: DateTime<Utc>) -> Result<SweepResult, AppError> {
        let open = self
            .rows(
                "WHERE t.status NOT IN ('done', 'closed', 'cancelled')",
                None,
                false,
                now,
            )
            .await?;
        let escalated_levels: Vec<(i64, i64)> = with_db!(&self.db, |pool| {
            sqlx::query_as(
            "SELECT id, escalated FROM tickets WHERE status NOT IN ('done', 'closed', 'cancelled')"
        )
        .fetch_all(pool)
        .await
        })
        .map_err(internal("escalation levels"))?;
        let level = |id: i64| {
            escalated_levels
                .iter()
                .find(|e| e.0 == id)
                .map_or(0, |e| e.1)
        };
        let warn = |s: Sla| matches!(s, Sla::AtRisk { .. } | Sla::Overdue { .. });
        let mut result = SweepResult::default();
        for r in &open {
            let (need, what, due) = if level(r.id) < 1 && warn(r.reaction) {
                (1, "реакция", &r.reaction_due)
            } else if level(r.id) < 2 && warn(r.resolution) {
                (2, "выполнение", &r.resolution_due)
            } else {
                continue;
            };
            let sla = if need == 1 { r.reaction } else { r.resolution };
            let sent = with_db!(&self.db, |pool| async {
                let mut tx = pool.begin_write().await?;
                let n = sqlx::query(
                    "UPDATE tickets SET escalated = $1 WHERE id = $2 AND escalated < $1",
                )
                .bind(need)
                .bind(r.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    let notice = ticket_notice(
                        NoticeKind::TicketSla,
                        Recipients::Staff(Permission::ManageTickets),
                        r.id,
                        &[
                            ("what", what.to_string()),
                            ("due", due.clone()),
                            ("state", rules::sla_text(sla)),
                            ("category", r.category.clone()),
                            ("address", format!("{}, {}", r.address, r.place)),
                        ],
                    );
                    enqueue_notice!(
                        &mut *tx,
                        &with_link(notice, format!("/staff/tickets/{}", r.id))
                    )?;
                    tx.commit().await?;
                }
                Ok::<_, sqlx::Error>(n == 1)
            }
            .await)
            .map_err(internal("escalate ticket"))?;
            result.escalated += usize::from(sent);
        }
        let quiet_since = now - Duration::days(rules::QUIET_DAYS);
        let staged_before = now - Duration::hours(STAGED_HOURS);
        let (closed, purged) = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let quiet: Vec<(i64, Option<i64>)> = sqlx::query_as(
                "SELECT id, requester_user_id FROM tickets WHERE status = 'done' AND done_at < $1",
            )
            .bind(quiet_since)
            .fetch_all(&mut *tx)
            .await?;
            for (id, requester) in &quiet {
                sqlx::query(
                    "UPDATE tickets SET status = 'closed', closed_at = $1, updated_at = $1
                     WHERE id = $2 AND status = 'done'",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO ticket_events (ticket_id, at, kind, from_status, to_status, body)
                     VALUES ($1, $2, 'status', 'done', 'closed', $3)",
                )
                .bind(id)
                .bind(now)
                .bind(format!(
                    "Закрыта автоматически: житель не ответил {} дня после выполнения",
                    rules::QUIET_DAYS
                ))
                .execute(&mut *tx)
                .await?;
                if let Some(user) = requester {
                    let notice = ticket_notice(
                        NoticeKind::TicketUpdate,
                        Recipients::User(*user),
                        *id,
                        &[
                            ("status", "закрыта".into()),
                            ("text", "Работы выполнены; оцените их в кабинете.".into()),
                        ],
                    );
                    enqueue_notice!(
                        &mut *tx,
                        &with_link(notice, format!("/cabinet/tickets/{id}"))
                    )?;
                }
            }
            let stale: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT id, storage_key, thumb_key FROM ticket_files
                 WHERE ticket_id IS NULL AND created_at < $1",
            )
            .bind(staged_before)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM ticket_files WHERE ticket_id IS NULL AND created_at < $1")
                .bind(staged_before)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            let keys: Vec<String> = stale
                .into_iter()
                .flat_map(|(id, a, b)| [Some(format!("staging/{id}")), a, b])
                .flatten()
                .collect();
            Ok::<_, sqlx::Error>((quiet.len(), keys))
        }
        .await)
        .map_err(internal("ticket sweep"))?;
        result.closed = closed;
        result.purged = purged;
        Ok(result)
    }

    /// Puts the sweep job back for the next minute.
    pub async fn reschedule_sweep(
        &self,
        job: &Job,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let next = now + Duration::minutes(1);
            if crate::reschedule_job!(&mut *tx, job.id, worker, next, "{}", None::<String>)? {
                tx.commit().await?;
            }
            Ok::<_, sqlx::Error>(())
        }
        .await)
        .map_err(internal("reschedule ticket sweep"))
    }

    /// The council's report for a year (Moscow time): per month, category and contractor — how
    /// many tickets, how many resolved, how many of those within their deadline, the average
    /// time to resolve.
    pub async fn ticket_report(&self, year: i32) -> Result<TicketReport, AppError> {
        let from = crate::clock::from_local(
            chrono::NaiveDate::from_ymd_opt(year, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .ok_or_else(|| AppError::invalid("Нет такого года."))?,
        );
        let to = crate::clock::from_local(
            chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .ok_or_else(|| AppError::invalid("Нет такого года."))?,
        );
        #[derive(FromRow)]
        struct ReportData {
            category: String,
            contractor: Option<String>,
            registered_at: DateTime<Utc>,
            done_at: Option<DateTime<Utc>>,
            resolution_due: DateTime<Utc>,
            clock_from: DateTime<Utc>,
            status: String,
        }
        let (rows, categories): (Vec<ReportData>, Vec<String>) = with_db!(&self.db, |pool| async {
            let rows = sqlx::query_as::<_, ReportData>(
                "SELECT c.title AS category, co.name AS contractor, t.registered_at, t.done_at,
                        t.resolution_due, t.clock_from, t.status
                 FROM tickets t JOIN ticket_categories c ON c.id = t.category_id
                 LEFT JOIN contractors co ON co.id = t.contractor_id
                 WHERE t.registered_at >= $1 AND t.registered_at < $2",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            let categories =
                sqlx::query_scalar("SELECT title FROM ticket_categories ORDER BY sort")
                    .fetch_all(pool)
                    .await?;
            Ok::<_, sqlx::Error>((rows, categories))
        }
        .await)
        .map_err(internal("ticket report"))?;
        #[derive(Default, Clone)]
        struct Acc {
            tickets: i64,
            resolved: i64,
            within: i64,
            minutes: i64,
        }
        impl Acc {
            fn add(&mut self, r: &ReportData) {
                self.tickets += 1;
                if let (Some(done), true) = (r.done_at, r.status != "cancelled") {
                    self.resolved += 1;
                    self.within += i64::from(done <= r.resolution_due);
                    self.minutes += (done - r.clock_from).num_minutes().max(0);
                }
            }
            fn row(&self, label: String) -> ReportRow {
                ReportRow {
                    label,
                    tickets: self.tickets,
                    resolved: self.resolved,
                    within_sla: self.within,
                    avg_hours: rules::format_hours(self.minutes, self.resolved),
                }
            }
        }
        let mut months = vec![Acc::default(); 12];
        let mut by_category: BTreeMap<String, Acc> = BTreeMap::new();
        let mut by_contractor: BTreeMap<String, Acc> = BTreeMap::new();
        let mut grid: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut total = Acc::default();
        for r in &rows {
            let month = crate::clock::local(r.registered_at).month0() as usize;
            months[month].add(r);
            by_category.entry(r.category.clone()).or_default().add(r);
            by_contractor
                .entry(r.contractor.clone().unwrap_or_else(|| "Не назначен".into()))
                .or_default()
                .add(r);
            grid.entry(r.category.clone())
                .or_insert_with(|| vec![0; 12])[month] += 1;
            total.add(r);
        }
        const MONTHS: [&str; 12] = [
            "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
        ];
        Ok(TicketReport {
            year,
            months: MONTHS.iter().map(|m| (*m).to_string()).collect(),
            by_category_month: categories
                .iter()
                .map(|c| {
                    (
                        c.clone(),
                        grid.get(c).cloned().unwrap_or_else(|| vec![0; 12]),
                    )
                })
                .collect(),
            by_month: months
                .iter()
                .zip(MONTHS)
                .map(|(a, m)| a.row(m.to_string()))
                .collect(),
            by_category: categories
                .iter()
                .filter_map(|c| by_category.get(c).map(|a| a.row(c.clone())))
                .collect(),
            by_contractor: by_contractor.into_iter().map(|(k, a)| a.row(k)).collect(),
            total: total.row("Всего".into()),
        })
    }
}

/// A history entry's headline.
fn event_words(kind: &str, from: Option<&str>, to: Option<&str>) -> String {
    let label = |s: Option<&str>| s.and_then(Status::parse).map_or("—", Status::label);
    match kind {
        "created" => "Заявка зарегистрирована".into(),
        "status" => format!("{} → {}", label(from), label(to)),
        "assigned" => "Назначение".into(),
        "comment" => "Комментарий".into(),
        "files" => "Добавлены фото и файлы".into(),
        "rated" => "Оценка работы".into(),
        other => other.into(),
    }
}

/// What a status change means to the resident, for the notice.
fn status_words(to: Status) -> &'static str {
    match to {
        Status::Accepted => "принята диспетчером",
        Status::InWork => "в работе",
        Status::Done => "работы выполнены — подтвердите или откройте снова",
        Status::Closed => "закрыта",
        Status::Deferred => "отложена",
        Status::Cancelled => "отменена",
        Status::Reopened => "открыта повторно",
        Status::New => "зарегистрирована",
    }
}

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
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
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
            tx.commit().await
        }
        .await)
        .map_err(internal("load past tickets"))
    }
}

impl Store {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, role: Role) -> CurrentUser {
        CurrentUser {
            id,
            full_name: String::new(),
            role,
            login: String::new(),
        }
    }

    #[test]
    fn only_the_requester_the_board_and_the_assigned_executor_reach_a_ticket() {
        let p = Parties {
            status: "new".into(),
            requester_user_id: Some(10),
            executor_user_id: Some(30),
            contractor_id: Some(3),
            category_id: 1,
        };
        assert_eq!(
            actor_for(&user(10, Role::Resident), &p, None),
            Some(Actor::Requester)
        );
        assert_eq!(
            actor_for(&user(11, Role::Resident), &p, None),
            None,
            "a neighbour"
        );
        assert_eq!(
            actor_for(&user(2, Role::Dispatcher), &p, None),
            Some(Actor::Dispatcher)
        );
        assert_eq!(actor_for(&user(2, Role::Accountant), &p, None), None);
        assert_eq!(
            actor_for(&user(30, Role::Executor), &p, None),
            Some(Actor::Executor)
        );
        assert_eq!(
            actor_for(&user(31, Role::Executor), &p, Some(3)),
            Some(Actor::Executor)
        );
        assert_eq!(
            actor_for(&user(32, Role::Executor), &p, Some(4)),
            None,
            "another firm"
        );
        // a resident who is also named as executor of nothing still reaches only their own
        assert_eq!(actor_for(&user(30, Role::Resident), &p, None), None);
    }

    #[test]
    fn places_read_as_one_line() {
        assert_eq!(place_line(Place::Flat, Some("12"), Some(1), ""), "кв. 12");
        assert_eq!(
            place_line(Place::Entrance, Some("12"), Some(2), "у лифта"),
            "подъезд 2 · у лифта"
        );
        assert_eq!(place_line(Place::Yard, None, None, ""), "во дворе");
    }
}
