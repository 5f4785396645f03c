//! Types of the АДС area (tickets), shared by the server and the browser.

use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// Where a ticket is in its life. `new → accepted → in_work → done → closed`, plus deferred,
    /// cancelled and reopened; [`super::rules::transition`] says who may move it where.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Status {
        New = "new",
        Accepted = "accepted",
        InWork = "in_work",
        Done = "done",
        Closed = "closed",
        Deferred = "deferred",
        Cancelled = "cancelled",
        Reopened = "reopened",
    }
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::New => "Новая",
            Status::Accepted => "Принята",
            Status::InWork => "В работе",
            Status::Done => "Выполнена",
            Status::Closed => "Закрыта",
            Status::Deferred => "Отложена",
            Status::Cancelled => "Отменена",
            Status::Reopened => "Открыта повторно",
        }
    }

    /// Still someone's work (the SLA clock runs; the board shows it by default).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Done | Status::Closed | Status::Cancelled)
    }
}

crate::text_enum! {
    /// Where in the house the trouble is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Place {
        Flat = "flat",
        Entrance = "entrance",
        Yard = "yard",
        Basement = "basement",
        Other = "other",
    }
}

impl Place {
    pub fn label(self) -> &'static str {
        match self {
            Place::Flat => "В квартире",
            Place::Entrance => "В подъезде",
            Place::Yard => "Во дворе",
            Place::Basement => "В подвале, на чердаке, крыше",
            Place::Other => "Другое место",
        }
    }
}

crate::text_enum! {
    /// What a file is, by its content.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum FileKind {
        Photo = "photo",
        Video = "video",
        Document = "document",
    }
}

crate::text_enum! {
    /// Whose file: the resident's report, or the executor's photos before and after the work.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Stage {
        Report = "report",
        Before = "before",
        After = "after",
    }
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Report => "Фото и файлы заявителя",
            Stage::Before => "До работ",
            Stage::After => "После работ",
        }
    }
}

/// A ticket category with its deadlines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub emergency: bool,
    pub reaction_minutes: i64,
    pub resolution_minutes: i64,
    /// Where the deadline comes from (a rule or "по умолчанию").
    pub basis: String,
}

/// The state of one SLA deadline at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sla {
    /// Met in time (the step happened before the deadline).
    Met,
    /// Missed: the step happened after the deadline.
    Missed { late_minutes: i64 },
    /// Running, with this much left.
    Running { left_minutes: i64 },
    /// Running, and little is left (the board highlights it; dispatchers are warned).
    AtRisk { left_minutes: i64 },
    /// Running past the deadline.
    Overdue { late_minutes: i64 },
}

/// A row of a list (the board, the resident's list, an executor's work).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRow {
    pub id: i64,
    pub category: String,
    pub emergency: bool,
    pub status: Status,
    pub address: String,
    /// Flat number, entrance or place, as one line.
    pub place: String,
    pub excerpt: String,
    pub registered: String,
    pub registered_at: chrono::DateTime<chrono::Utc>,
    pub contractor: Option<String>,
    pub executor: Option<String>,
    pub reaction: Sla,
    pub resolution: Sla,
    pub reaction_due: String,
    pub resolution_due: String,
}

/// One entry of a ticket's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub at: String,
    pub who: String,
    /// What happened, in words (status change, assignment, comment, rating).
    pub what: String,
    pub body: String,
    pub internal: bool,
}

/// A file of a ticket, as a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFile {
    pub id: i64,
    pub kind: FileKind,
    pub stage: Stage,
    pub file_name: String,
    pub size: String,
    pub has_thumb: bool,
    pub internal: bool,
}

/// What a status button does on the ticket page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    pub to: Status,
    pub label: String,
    /// The move needs a reason (reopen, defer, cancel).
    pub needs_reason: bool,
}

/// A ticket's page, for whoever may see it (internal parts only for staff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketView {
    pub row: TicketRow,
    pub description: String,
    pub category_basis: String,
    pub requester: String,
    /// Contacts for staff only.
    pub requester_phone: Option<String>,
    pub channel_phone: bool,
    pub rating: Option<i64>,
    pub reopen_count: i64,
    pub files: Vec<TicketFile>,
    pub events: Vec<TicketEvent>,
    /// What the viewer may do now.
    pub moves: Vec<Move>,
    pub may_assign: bool,
    pub may_rate: bool,
    pub may_add_files: bool,
    pub contractor_id: Option<i64>,
    pub executor_id: Option<i64>,
    /// The contractors to choose from (only when the viewer may assign).
    pub contractors: Vec<ContractorLoad>,
}

/// What the resident's new-ticket form needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicketForm {
    pub categories: Vec<Category>,
    /// The resident's homes: apartment id and address with the flat.
    pub homes: Vec<(i64, String)>,
    /// A one-time key for the form (a repeated submit makes one ticket).
    pub key: String,
}

/// A contractor with their load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractorLoad {
    pub id: i64,
    pub name: String,
    pub specialty: String,
    pub phone: Option<String>,
    pub open: i64,
    pub overdue: i64,
    pub done_month: i64,
    pub executors: Vec<(i64, String)>,
}

/// The board's filters, as the query string carries them (empty = any).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardFilter {
    /// A status, `open` (the default: everything not done, closed or cancelled) or `all`.
    pub status: String,
    pub category: Option<i64>,
    pub house: Option<i64>,
    pub contractor: Option<i64>,
    pub executor: Option<i64>,
    pub overdue: bool,
}

/// The board: rows and the choices of its filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub rows: Vec<TicketRow>,
    pub categories: Vec<Category>,
    pub houses: Vec<(i64, String)>,
    pub contractors: Vec<ContractorLoad>,
    pub counts: BoardCounts,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardCounts {
    pub open: i64,
    pub new: i64,
    pub at_risk: i64,
    pub overdue: i64,
}

/// One row of the council's report: a group (a category, a contractor or a month) and its numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    pub label: String,
    pub tickets: i64,
    pub resolved: i64,
    /// Resolved within the resolution deadline, of all resolved.
    pub within_sla: i64,
    /// Average hours from registration to done, one decimal (`12,5`).
    pub avg_hours: String,
}

/// The council's report for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketReport {
    pub year: i32,
    /// Month labels (`янв` … `дек`).
    pub months: Vec<String>,
    /// Per category: the counts of tickets per month.
    pub by_category_month: Vec<(String, Vec<i64>)>,
    pub by_month: Vec<ReportRow>,
    pub by_category: Vec<ReportRow>,
    pub by_contractor: Vec<ReportRow>,
    pub total: ReportRow,
}
