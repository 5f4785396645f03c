//! Database side of the АДС: tickets and their history, files (staged uploads, then attached),
//! contractors and executors, the board, the SLA sweep and the council's report. Each method is
//! one transaction; every change writes a history event, staff changes also the audit log, and
//! the notices go through the outbox in the same transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Utc};
use sqlx::FromRow;

use super::rules::{self, Actor, FormError, TicketParties};
use super::types::*;
use crate::auth::rules::role_can;
use crate::auth::types::{CurrentUser, Permission, Role};
use crate::clock::format_moment;
use crate::db::{BeginWrite, Store, internal};
use crate::error::AppError;
use crate::notify::types::{Notice, NoticeKind, Recipients};
use crate::{audit, enqueue_notice, with_db};

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
    status: Status,
    address: String,
    flat: Option<String>,
    entrance_no: Option<i64>,
    place: Place,
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
    /// The two deadlines at `now`. A cancelled ticket's clocks stopped when it was cancelled.
    fn slas(&self, now: DateTime<Utc>) -> (Sla, Sla) {
        let stopped = (self.status == Status::Cancelled)
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
        let status = self.status;
        let place = rules::place_line(
            self.place,
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
    status: Status,
    requester_user_id: Option<i64>,
    executor_user_id: Option<i64>,
    contractor_id: Option<i64>,
    category_id: i64,
}

impl Parties {
    fn people(&self) -> TicketParties {
        TicketParties {
            requester: self.requester_user_id,
            executor: self.executor_user_id,
            contractor: self.contractor_id,
        }
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
        channels: None,
    }
}

/// Where a notice about ticket `id` leads the person it goes to.
fn with_link(mut notice: Notice, link: String) -> Notice {
    notice.link = Some(link);
    notice
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

mod board;
mod categories;
mod lifecycle;
mod sla;
mod uploads;
