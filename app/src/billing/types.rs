//! What the billing area works with, shared by the server and the browser.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use crate::money::Money;
pub use crate::period::Period;
pub use crate::readings::types::Utility;

crate::text_enum! {
    /// How a service is charged.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Basis {
        /// Per m² of the apartment (содержание, капремонт, heating by area).
        Area = "area",
        /// Per registered person (вывоз ТКО).
        Person = "person",
        /// Per metered volume of a resource (reading → average → norm), per tariff zone.
        Metered = "metered",
        /// Wastewater (водоотведение): cold + hot water.
        Wastewater = "wastewater",
        /// A fixed sum per apartment (домофон).
        Fixed = "fixed",
        /// The apartment's share by area of what the building meter counted above the flats (ОДН).
        CommonArea = "common_area",
    }
}

impl Basis {
    pub fn label(self) -> &'static str {
        match self {
            Basis::Area => "по площади, за м²",
            Basis::Person => "на зарегистрированного",
            Basis::Metered => "по объёму (счётчик, среднее, норматив)",
            Basis::Wastewater => "водоотведение: холодная + горячая вода",
            Basis::Fixed => "фиксированно за квартиру",
            Basis::CommonArea => "на общедомовые нужды (доля по площади)",
        }
    }

    /// Whether the service needs a resource (metered and common-area ones).
    pub fn needs_resource(self) -> bool {
        matches!(self, Basis::Metered | Basis::CommonArea)
    }
}

crate::text_enum! {
    /// The section of the bill (ЕПД) a service is listed in.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum Section {
        Housing = "housing",
        Utilities = "utilities",
        CapitalRepair = "capital_repair",
    }
}

impl Section {
    pub fn label(self) -> &'static str {
        match self {
            Section::Housing => "Жилищные услуги",
            Section::Utilities => "Коммунальные услуги",
            Section::CapitalRepair => "Взнос на капитальный ремонт",
        }
    }
}

/// A dated price of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffView {
    pub id: i64,
    pub valid_from: NaiveDate,
    pub zone: u8,
    /// Roubles per unit.
    pub rate: Decimal,
}

/// A service of a house with its tariffs (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceView {
    pub id: i64,
    pub name: String,
    pub basis: Basis,
    pub resource: Option<Utility>,
    pub section: Section,
    pub tariffs: Vec<TariffView>,
}

/// The tariff page of a house.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseTariffs {
    pub house_id: i64,
    pub address: String,
    pub services: Vec<ServiceView>,
    /// The latest posted period: tariffs can only start after it.
    pub last_posted: Option<Period>,
    /// Whom the bills are paid to.
    pub payee: Option<super::rules::Payee>,
    /// Consumption norms (volumes without a meter or readings).
    pub norms: Vec<crate::readings::types::NormView>,
}

crate::text_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum RunStatus {
        Queued = "queued",
        Running = "running",
        Draft = "draft",
        Posted = "posted",
        Failed = "failed",
    }
}

crate::text_enum! {
    /// What a ledger entry (and an accrual line: a charge or a penalty) records.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum LedgerKind {
        /// The balance carried over from the previous system (входящее сальдо).
        Opening = "opening",
        Charge = "charge",
        Penalty = "penalty",
        /// Negative: money received.
        Payment = "payment",
        /// A recalculation (перерасчёт), either sign.
        Correction = "correction",
    }
}

impl LedgerKind {
    pub fn label(self) -> &'static str {
        match self {
            LedgerKind::Opening => "входящее сальдо",
            LedgerKind::Charge => "начисление",
            LedgerKind::Penalty => "пени",
            LedgerKind::Payment => "оплата",
            LedgerKind::Correction => "перерасчёт",
        }
    }
}

impl RunStatus {
    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Queued => "в очереди",
            RunStatus::Running => "считается",
            RunStatus::Draft => "черновик",
            RunStatus::Posted => "проведён",
            RunStatus::Failed => "ошибка",
        }
    }

    /// Still being computed: the page polls.
    pub fn in_progress(self) -> bool {
        matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

/// One accrual run: its state and progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunView {
    pub id: i64,
    pub period: Period,
    pub status: RunStatus,
    pub done: i64,
    pub total: i64,
    pub error: Option<String>,
}

/// A service's total in the draft against the previous period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceTotal {
    pub name: String,
    pub previous: Money,
    pub current: Money,
}

/// The accountant's page of a house and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccrualPage {
    pub house_id: i64,
    pub address: String,
    pub period: Period,
    pub run: Option<RunView>,
    pub accounts: i64,
    pub totals: Vec<ServiceTotal>,
    /// Runs of this house, newest first.
    pub history: Vec<RunView>,
}

/// A line of an account's month: a service's charge or a penalty with its calculation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub service: String,
    pub section: Option<Section>,
    pub penalty: bool,
    pub quantity: Decimal,
    pub unit: String,
    pub rate: Decimal,
    pub amount: Money,
    pub source: String,
    pub explanation: String,
}

/// A payment or correction as the resident sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    pub on: NaiveDate,
    pub amount: Money,
    pub reason: String,
}

/// One month of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthStatement {
    pub period: Period,
    /// Debt (> 0) or advance (< 0) before this month's charges.
    pub opening: Money,
    pub lines: Vec<LineView>,
    pub charged: Money,
    pub penalties: Money,
    pub corrections: Vec<EntryView>,
    pub payments: Vec<EntryView>,
    pub paid: Money,
    pub closing: Money,
    pub due_on: NaiveDate,
}

/// An account's charges and payments by month (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStatement {
    pub account_id: i64,
    pub number: String,
    pub address: String,
    /// The ledger's sum: > 0 debt, < 0 advance.
    pub balance: Money,
    pub months: Vec<MonthStatement>,
}

/// A row of the turnover sheet (оборотно-сальдовая ведомость).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnoverRow {
    pub account_id: i64,
    pub account: String,
    pub apartment: String,
    pub owner: String,
    pub opening: Money,
    pub charged: Money,
    pub penalties: Money,
    pub corrections: Money,
    pub paid: Money,
    pub closing: Money,
}

crate::text_enum! {
    /// Where a house's bills job is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum BatchStatus {
        Queued = "queued",
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
}

impl BatchStatus {
    pub fn label(self) -> &'static str {
        match self {
            BatchStatus::Queued => "в очереди",
            BatchStatus::Running => "формируются",
            BatchStatus::Done => "готово",
            BatchStatus::Failed => "ошибка",
        }
    }

    pub fn in_progress(self) -> bool {
        matches!(self, BatchStatus::Queued | BatchStatus::Running)
    }
}

/// A house's bills for a period made in one job: progress, how many were e-mailed, the ZIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: i64,
    pub period: Period,
    pub status: BatchStatus,
    pub send_email: bool,
    pub done: i64,
    pub total: i64,
    /// Notices queued (one per resident with a cabinet).
    pub notified: i64,
    /// The ZIP of PDFs can be downloaded.
    pub ready: bool,
    pub error: Option<String>,
}

/// The dated rule tables everyone's penalties and due dates follow (docs/domain.md «Due dates», «Penalties»).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTables {
    /// The Bank of Russia key rate from a date, newest first.
    pub key_rates: Vec<(NaiveDate, Decimal)>,
    pub penalty_rules: Vec<PenaltyRuleView>,
    pub due_days: Vec<DueDayView>,
    /// The production calendar's exceptions to the Monday–Friday week, newest first.
    pub calendar: Vec<CalendarDayView>,
}

/// Days on which the penalty rate is capped at `cap` percent, or (no cap) none accrues —
/// on every debt, or only on debts due before `debts_due_before`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyRuleView {
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub cap: Option<Decimal>,
    pub debts_due_before: Option<NaiveDate>,
    pub note: String,
}

/// A day that is not as the plain week has it: a holiday or transferred day off on a weekday
/// (`working` false), or a weekend day made working (`working` true).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDayView {
    pub day: NaiveDate,
    pub working: bool,
    pub note: String,
}

/// From a period on, the day of the next month its bill is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDayView {
    pub from: Period,
    pub day: u32,
    pub note: String,
}
