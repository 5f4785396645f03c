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
}

impl PassState {
    pub fn label(self) -> &'static str {
        match self {
            PassState::Active => "Действует",
            PassState::Upcoming => "Ещё не начал действовать",
            PassState::Used => "Использован",
            PassState::Expired => "Истёк",
            PassState::Cancelled => "Отменён",
        }
    }

    /// Still worth showing at the top of the list (and cancelling).
    pub fn is_open(self) -> bool {
        matches!(self, PassState::Active | PassState::Upcoming)
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
