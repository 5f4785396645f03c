//! Types of the passes area, shared by the server and the browser.

use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// What a pass is for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum PassKind {
        /// A guest, on foot or by car, once or for a period.
        Guest = "guest",
        /// The resident's own car: permanent.
        Car = "car",
        /// A taxi or a courier: one hour, any car or a plate.
        Taxi = "taxi",
        /// A mover or a repair crew: a period and a number of people.
        Contractor = "contractor",
    }
}

crate::text_enum! {
    /// Why a pass does not let anyone in now (the guard's red screen, the camera log).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Refusal {
        Unknown = "unknown",
        Cancelled = "cancelled",
        Used = "used",
        NotYet = "not_yet",
        Expired = "expired",
        /// A pass of another of the organisation's houses.
        OtherHouse = "other_house",
        /// Over the flat's limit, waiting for the dispatcher's exception.
        Awaiting = "awaiting",
        /// Over the flat's limit, and the dispatcher refused the exception.
        NotApproved = "not_approved",
    }
}

crate::text_enum! {
    /// The dispatcher's word on a pass over the flat's limits (none: within them).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Approval {
        Pending = "pending",
        Approved = "approved",
        Refused = "refused",
    }
}

impl Refusal {
    /// What the guard reads on the red screen.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Unknown => "Такого пропуска нет",
            Refusal::Cancelled => "Пропуск отменён жителем",
            Refusal::Used => "Пропуск уже использован",
            Refusal::NotYet => "Пропуск ещё не начал действовать",
            Refusal::Expired => "Срок пропуска истёк",
            Refusal::OtherHouse => "Пропуск в другой дом",
            Refusal::Awaiting => "Пропуск ждёт решения диспетчера",
            Refusal::NotApproved => "Диспетчер не одобрил пропуск",
        }
    }
}

crate::text_enum! {
    /// Which way someone went through the gate.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Direction {
        In = "in",
        Out = "out",
    }
}

/// Where a pass is in its life, as the resident's list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PassState {
    /// Valid now.
    Active,
    /// Its window has not begun.
    Upcoming,
    /// A one-time pass someone came in on.
    Used,
    Expired,
    Cancelled,
    /// Over the flat's limit: the dispatcher has not decided yet.
    Awaiting,
    /// Over the flat's limit: the dispatcher refused.
    NotApproved,
}

impl PassState {
    pub fn label(self) -> &'static str {
        match self {
            PassState::Active => "Действует",
            PassState::Upcoming => "Ещё не начал действовать",
            PassState::Used => "Использован",
            PassState::Expired => "Истёк",
            PassState::Cancelled => "Отменён",
            PassState::Awaiting => "Ждёт решения диспетчера",
            PassState::NotApproved => "Не одобрен диспетчером",
        }
    }

    /// Still worth showing at the top of the list (and cancelling).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            PassState::Active | PassState::Upcoming | PassState::Awaiting
        )
    }
}

/// The resident's pass form: their flats and today's date in the house's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassForm {
    /// (apartment id, "address, кв. N")
    pub homes: Vec<(i64, String)>,
    /// `YYYY-MM-DD`, the first day the form offers.
    pub today: String,
    /// The longest guest's window, in days.
    pub guest_max_days: i64,
    /// The form's one-time key: a submit repeated on a bad connection makes one pass.
    pub key: String,
    /// (person id, name): whom the dispatcher may make the pass for; empty on the resident's
    /// own form.
    pub people: Vec<(i64, String)>,
}

/// The dispatcher's form for a pass on a resident's behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueForm {
    pub houses: Vec<(i64, String)>,
    pub house: i64,
    /// The flat number typed.
    pub flat: String,
    /// The flat's pass form, once a flat with residents is found.
    pub form: Option<PassForm>,
    /// Why the flat typed has no form.
    pub problem: Option<String>,
}

/// One pass in the resident's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRow {
    pub id: i64,
    pub kind: PassKind,
    /// The guest's name, the company, or the car.
    pub title: String,
    pub plate: Option<String>,
    pub home: String,
    /// `07.12.2026 18:00 – 23:00`, or «постоянный».
    pub when: String,
    pub state: PassState,
    pub one_time: bool,
    pub code: Option<String>,
    /// `/p/<token>`: what the guest opens on their phone.
    pub link: String,
    pub entries: i64,
    /// The resident's reason for an exception, or the dispatcher's for refusing it.
    pub approval_note: Option<String>,
}

/// What `/p/<token>` shows the guest: the QR, the code, the address and the window — nothing else
/// of the resident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicPass {
    pub kind: PassKind,
    pub address: String,
    pub when: String,
    pub state: PassState,
    pub code: Option<String>,
    pub plate: Option<String>,
    /// The link itself as a QR code (SVG rendered on the server).
    pub qr_svg: String,
}

/// The guard's answer about a pass: green or red, and what the guard needs to see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateAnswer {
    pub pass_id: i64,
    /// The house of the gate that asked (the record buttons post it back).
    pub gate_house: i64,
    /// `None`: valid now; otherwise why not.
    pub refusal: Option<Refusal>,
    pub kind: PassKind,
    pub who: String,
    pub plate: Option<String>,
    pub people: i64,
    /// «Серебряная, д. 1, кв. 12»
    pub home: String,
    pub when: String,
    pub entries: i64,
    /// The one-time key of the record buttons under this answer: a tap sent again counts once.
    pub key: String,
}

crate::text_enum! {
    /// What Ключ decided on a camera's read.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum PlateDecision {
        /// A sure read of a plate with a valid pass: the barrier opened by itself.
        Open = "open",
        /// A sure read with a pass that is not valid now.
        Refuse = "refuse",
        /// Not sure, or no pass for the plate: the guard decides.
        Ask = "ask",
    }
}

crate::text_enum! {
    /// The guard's decision on a read the camera could not settle.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum GuardDecision {
        LetIn = "let_in",
        Refused = "refused",
    }
}

crate::text_enum! {
    /// What the barrier controller answered to "open".
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum BarrierAnswer {
        Opened = "opened",
        Failed = "failed",
    }
}

/// One camera read on the guard's screen and in the dispatcher's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlateEventRow {
    pub id: i64,
    /// `07.12.2026 14:03`
    pub at: String,
    pub gate: String,
    pub direction: Direction,
    /// Canonical when it is a plate; as read otherwise; empty once erased.
    pub plate: String,
    pub confidence: i64,
    pub decision: PlateDecision,
    /// Why, in words (the pass, the refusal, the doubt).
    pub reason: String,
    /// The house's valid plates one character away from a doubtful read.
    pub candidates: Vec<String>,
    pub barrier: Option<BarrierAnswer>,
    pub guard_decision: Option<GuardDecision>,
    pub has_snapshot: bool,
}

impl PlateEventRow {
    /// Still waiting for the guard: not opened by itself and not decided.
    pub fn awaits_guard(&self) -> bool {
        self.decision != PlateDecision::Open && self.guard_decision.is_none()
    }
}

/// A gate of a house, as the guard's screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRow {
    pub id: i64,
    pub name: String,
    /// The camera's picture can be shown (through `/staff/gates/<id>/picture`).
    pub has_picture: bool,
    pub has_barrier: bool,
}

/// The cameras' side of the guard's screen: the house's gates and their latest reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateScreen {
    pub gates: Vec<GateRow>,
    pub events: Vec<PlateEventRow>,
}

/// One entry or exit in the dispatcher's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRow {
    /// `07.12.2026 14:03`
    pub at: String,
    pub direction: Direction,
    pub kind: PassKind,
    /// The guest, company or car; «—» once the guest's data is erased.
    pub who: String,
    pub plate: Option<String>,
    /// «Серебряная, д. 1, кв. 12»
    pub home: String,
    /// The guard who recorded it, or «камера».
    pub by: String,
}

/// A car inside now: its last passage through the house's gate was in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsideRow {
    pub pass_id: i64,
    pub kind: PassKind,
    pub plate: String,
    pub who: String,
    pub home: String,
    /// When it came in.
    pub since: String,
    /// A guest's or contractor's car whose pass is over.
    pub overdue: bool,
}

/// The dispatcher's desk for a house and a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassDesk {
    pub houses: Vec<(i64, String)>,
    pub house: i64,
    /// `YYYY-MM-DD`
    pub day: String,
    /// Passes over the limits waiting for the dispatcher.
    pub exceptions: Vec<PassRow>,
    pub settings: PassSettings,
    /// Passes whose window touches the day (not the permanent ones).
    pub passes: Vec<PassRow>,
    pub inside: Vec<InsideRow>,
    /// The day's entries and exits, newest first.
    pub log: Vec<LogRow>,
}

/// A house's rules for passes (the defaults until the house changes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassSettings {
    pub house: i64,
    /// Permanent passes of the residents' own cars per flat.
    pub cars_per_flat: i64,
    /// Guest cars of a flat whose windows overlap.
    pub guest_cars_at_once: i64,
    /// Hours of a flat's guest cars in a calendar month.
    pub guest_car_hours_per_month: i64,
    /// The longest guest's pass, in days.
    pub guest_max_days: i64,
    /// Days guests' data is kept after their pass ends.
    pub retention_days: i64,
}
