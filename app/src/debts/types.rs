//! Types of the debts area, shared by the server and the browser.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::housing::types::Relation;
use crate::money::Money;
use crate::period::Period;

/// How long a part of the debt has been overdue, counted per monthly charge from its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeBucket {
    /// Charged, its due date not passed yet.
    NotDue,
    Days1To30,
    Days31To90,
    Days91To180,
    Days181To365,
    /// More than a year, within the limitation period.
    OverYear,
    /// Past the limitation period (three years from the due date, ГК ст. 196, 200): still owed,
    /// but a court applies the limitation if the debtor asks.
    OverThreeYears,
}

impl AgeBucket {
    pub const ALL: [AgeBucket; 7] = [
        AgeBucket::NotDue,
        AgeBucket::Days1To30,
        AgeBucket::Days31To90,
        AgeBucket::Days91To180,
        AgeBucket::Days181To365,
        AgeBucket::OverYear,
        AgeBucket::OverThreeYears,
    ];

    /// The bucket, on `today`, of a charge due on `due_on`: overdue from the day after.
    pub fn of(due_on: NaiveDate, today: NaiveDate) -> AgeBucket {
        let days = (today - due_on).num_days();
        match days {
            ..=0 => AgeBucket::NotDue,
            1..=30 => AgeBucket::Days1To30,
            31..=90 => AgeBucket::Days31To90,
            91..=180 => AgeBucket::Days91To180,
            181..=365 => AgeBucket::Days181To365,
            _ if today > limitation_ends(due_on) => AgeBucket::OverThreeYears,
            _ => AgeBucket::OverYear,
        }
    }

    /// The position in `ALL` (and in `Buckets`).
    fn index(self) -> usize {
        self as usize
    }

    pub fn is_overdue(self) -> bool {
        self != AgeBucket::NotDue
    }
}

/// The last day of the limitation period of a charge due on `due_on`: three years after it.
pub fn limitation_ends(due_on: NaiveDate) -> NaiveDate {
    due_on
        .checked_add_months(Months::new(36))
        .unwrap_or(NaiveDate::MAX)
}

/// One month of the receivables' history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthFigures {
    pub period: Period,
    /// Services owed past their due date at the month's end (today for the current month).
    pub overdue: Money,
    /// Accounts with an overdue debt then.
    pub debtors: u32,
    /// Charged for the month before (the bill payable in this month) and paid in this month.
    pub charged: Money,
    pub paid: Money,
}

impl MonthFigures {
    pub fn new(period: Period) -> Self {
        MonthFigures {
            period,
            overdue: Money::ZERO,
            debtors: 0,
            charged: Money::ZERO,
            paid: Money::ZERO,
        }
    }

    /// Paid ÷ charged, in whole percent; none when nothing was charged.
    pub fn collection_percent(&self) -> Option<i64> {
        (self.charged.0 > 0).then(|| {
            (Decimal::from(self.paid.0) * Decimal::ONE_HUNDRED / Decimal::from(self.charged.0))
                .round()
                .try_into()
                .unwrap_or(0)
        })
    }
}

/// Services owed by age (penalties apart), one sum per `AgeBucket`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Buckets(pub [Money; 7]);

impl Buckets {
    pub fn get(&self, bucket: AgeBucket) -> Money {
        self.0[bucket.index()]
    }

    pub fn add(&mut self, bucket: AgeBucket, amount: Money) {
        self.0[bucket.index()] += amount;
    }

    /// Everything owed for services, due or not.
    pub fn total(&self) -> Money {
        self.0.iter().copied().sum()
    }

    /// What is past its due date.
    pub fn overdue(&self) -> Money {
        self.total() - self.get(AgeBucket::NotDue)
    }

    /// What is at least as old as `bucket`.
    pub fn at_least(&self, bucket: AgeBucket) -> Money {
        AgeBucket::ALL
            .iter()
            .filter(|b| **b >= bucket)
            .map(|b| self.get(*b))
            .sum()
    }
}

impl std::ops::AddAssign for Buckets {
    fn add_assign(&mut self, other: Buckets) {
        for (sum, more) in self.0.iter_mut().zip(other.0) {
            *sum += more;
        }
    }
}

/// Sums of many accounts' debts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtTotals {
    pub accounts: u32,
    /// Accounts with services owed past their due date.
    pub debtors: u32,
    pub buckets: Buckets,
    pub penalties: Money,
    /// Paid ahead.
    pub advance: Money,
}

impl DebtTotals {
    /// Services owed past their due date (penalties apart).
    pub fn overdue(&self) -> Money {
        self.buckets.overdue()
    }

    /// Everything owed: services, due or not, and penalties.
    pub fn owed(&self) -> Money {
        self.buckets.total() + self.penalties
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseDebt {
    pub house_id: i64,
    pub address: String,
    pub totals: DebtTotals,
}

/// One account in the debtors' list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorRow {
    pub account_id: i64,
    pub number: String,
    /// House and flat.
    pub address: String,
    /// The owners on the register today (else whoever lives there).
    pub names: String,
    pub buckets: Buckets,
    pub penalties: Money,
    /// The due date of the oldest month still owed.
    pub oldest_overdue: Option<NaiveDate>,
}

impl DebtorRow {
    pub fn overdue(&self) -> Money {
        self.buckets.overdue()
    }

    pub fn owed(&self) -> Money {
        self.buckets.total() + self.penalties
    }
}

/// The receivables of one house or of all (`house` none), on `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receivables {
    pub today: NaiveDate,
    pub houses: Vec<(i64, String)>,
    pub house: Option<i64>,
    pub totals: DebtTotals,
    pub by_house: Vec<HouseDebt>,
    /// Services owed (due or not), by service name, largest first; penalties apart.
    pub by_service: Vec<(String, Money)>,
    /// The debtors with the most overdue first, at most `DEBTORS_SHOWN`.
    pub debtors: Vec<DebtorRow>,
    /// The last twelve months, oldest first.
    pub history: Vec<MonthFigures>,
}

/// One month an account still owes, on the debtor's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwedMonthView {
    pub period: Period,
    pub due_on: NaiveDate,
    pub bucket: AgeBucket,
    /// What the month charged (corrections included).
    pub charged: Money,
    pub owed: Money,
    /// The owed rest by service.
    pub parts: Vec<(String, Money)>,
}

/// The debtor's card: who, what is owed for which months and services, and how to reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorCard {
    pub account_id: i64,
    pub number: String,
    pub address: String,
    /// The people on the register today: name, relation, phone, e-mail.
    pub people: Vec<DebtorPerson>,
    pub today: NaiveDate,
    pub balance: Money,
    pub buckets: Buckets,
    pub penalties: Money,
    pub advance: Money,
    /// Oldest first.
    pub months: Vec<OwedMonthView>,
    /// Services owed (penalties apart), largest first.
    pub by_service: Vec<(String, Money)>,
}

impl DebtorCard {
    pub fn overdue(&self) -> Money {
        self.buckets.overdue()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorPerson {
    pub name: String,
    pub relation: Relation,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One of the resident's own accounts with services owed past their due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOverdue {
    pub account_id: i64,
    pub number: String,
    pub address: String,
    /// Services owed past their due date.
    pub overdue: Money,
    /// Everything owed now (penalties and the month not yet due included): what paying clears.
    pub owed: Money,
    /// The due date of the oldest month owed.
    pub since: NaiveDate,
}

/// The kinds of notice a mailing to debtors can be.
pub const MAILING_KINDS: [crate::notify::types::NoticeKind; 3] = [
    crate::notify::types::NoticeKind::DebtReminder,
    crate::notify::types::NoticeKind::DebtSecondReminder,
    crate::notify::types::NoticeKind::DebtWarning,
];

/// Whom of a flat a segment addresses: the owners or the tenants (нанимателей) with their
/// families; none — everyone living there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Addressees {
    Owners,
    Tenants,
}

/// A saved filter over the debtors. Every part left empty admits everyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentFilter {
    pub house_id: Option<i64>,
    /// Only with a house.
    pub entrance_id: Option<i64>,
    /// Owes something at least this old (`Days1To30`: any overdue debt).
    pub min_age: AgeBucket,
    /// Owes at least this much past the due date.
    pub min_overdue: Money,
    /// Owes more than this many months of the account's usual charge (its average over the last
    /// twelve months charged).
    pub min_months: Option<u32>,
    pub addressees: Option<Addressees>,
    /// Someone addressed can be reached on this channel (an e-mail, a phone, a push device).
    pub channel: Option<crate::notify::types::Channel>,
    /// Has (true) or has not (false) a promise to pay that is still pending.
    pub promised: Option<bool>,
}

impl Default for SegmentFilter {
    fn default() -> Self {
        SegmentFilter {
            house_id: None,
            entrance_id: None,
            min_age: AgeBucket::Days1To30,
            min_overdue: Money::ZERO,
            min_months: None,
            addressees: None,
            channel: None,
            promised: None,
        }
    }
}

/// One account a segment holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentMember {
    pub account_id: i64,
    pub number: String,
    pub address: String,
    pub overdue: Money,
    pub owed: Money,
    /// Cabinet users the mailing reaches (those addressed who have a cabinet).
    pub reachable: u32,
}

/// A segment's live figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentCount {
    pub accounts: u32,
    pub overdue: Money,
    pub owed: Money,
    /// Accounts with somebody a mailing reaches; the others need a call or a letter.
    pub reachable: u32,
}

/// A saved segment with its figures today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub id: i64,
    pub name: String,
    pub filter: SegmentFilter,
    /// The filter in words.
    pub summary: String,
    pub count: SegmentCount,
}

/// What a filter holds today: the figures and the largest debts first (at most
/// `SEGMENT_PREVIEW`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentPreview {
    pub count: SegmentCount,
    pub members: Vec<SegmentMember>,
}

/// A mailing sent to a segment, with how it spread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailingView {
    pub id: i64,
    pub segment: String,
    pub kind: crate::notify::types::NoticeKind,
    pub template: String,
    pub sent_at: String,
    pub accounts: u32,
    pub recipients: u32,
    pub overdue: Money,
    pub report: crate::notify::types::DeliveryReport,
}

/// A house a segment can be narrowed to, with its entrances (id, number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseEntrances {
    pub id: i64,
    pub address: String,
    pub entrances: Vec<(i64, String)>,
}

/// The segments page: the saved segments, the houses with their entrances, the mailings sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentsPage {
    pub today: NaiveDate,
    pub segments: Vec<Segment>,
    pub houses: Vec<HouseEntrances>,
    pub mailings: Vec<MailingView>,
}

crate::text_enum! {
    /// How a contact with a debtor went.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum CallOutcome {
        Reached = "reached",
        Promised = "promised",
        Refused = "refused",
        NoAnswer = "no_answer",
        WrongNumber = "wrong_number",
    }
}

crate::text_enum! {
    /// A contact with a debtor on the card's timeline.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum ContactKind {
        Call = "call",
        Visit = "visit",
        Letter = "letter",
        Mailing = "mailing",
    }
}

/// A promise to pay, as the ledger shows it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromiseStatus {
    /// Its day has not passed and not all of it is paid yet.
    Pending,
    /// Paid in full from the day it was made to its day.
    Kept,
    /// Its day passed without the full amount paid.
    Broken,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromiseView {
    pub id: i64,
    pub made_on: NaiveDate,
    pub promised_on: NaiveDate,
    pub amount: Money,
    /// Paid from the day it was made to its day (or today).
    pub paid: Money,
    pub status: PromiseStatus,
    pub note: String,
    pub staff: String,
}

/// One line of the debtor's contact timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub at: String,
    pub kind: ContactKind,
    pub outcome: Option<CallOutcome>,
    pub note: String,
    pub staff: String,
    /// For a mailing: each delivery — channel, status («sent», «queued», «failed»).
    pub deliveries: Vec<(crate::notify::types::Channel, String)>,
}

/// The card's work with the debtor: promises (newest first), the contact timeline and the steps
/// scenarios took (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorWork {
    pub promises: Vec<PromiseView>,
    pub contacts: Vec<ContactView>,
    pub steps: Vec<StepRunView>,
}

/// The segment form as typed: every field text, parsed on the server
/// (`rules::work::parse_segment_form`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentForm {
    pub name: String,
    pub house: String,
    pub entrance: String,
    /// The position of the bucket in `AgeBucket::ALL` (1: any overdue).
    pub min_age: String,
    /// Rubles.
    pub min_overdue: String,
    pub min_months: String,
    /// "", "owners" or "tenants".
    pub addressees: String,
    /// "" or a channel's stored name.
    pub channel: String,
    /// "", "yes" or "no".
    pub promised: String,
}

/// One step of a scenario as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub id: i64,
    pub position: u32,
    pub days_after_due: u32,
    pub min_overdue: Money,
    pub kind: crate::notify::types::NoticeKind,
    pub channels: Vec<crate::notify::types::Channel>,
    /// Taken so far: sent, held out, nobody to reach.
    pub sent: u32,
    pub held_out: u32,
    pub unreachable: u32,
}

/// A dunning scenario with its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioView {
    pub id: i64,
    pub name: String,
    pub house: Option<String>,
    pub enabled: bool,
    pub restart_on_partial: bool,
    pub holdout_percent: u8,
    pub steps: Vec<StepView>,
    /// Debt episodes it follows now.
    pub open_episodes: u32,
}

/// The contact limits of scenarios, as staff edit them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitsView {
    pub sms_per_day: u32,
    pub sms_per_week: u32,
    pub sms_per_month: u32,
    /// HH:MM
    pub quiet_from: String,
    pub quiet_to: String,
}

/// The scenarios page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenariosPage {
    pub scenarios: Vec<ScenarioView>,
    pub houses: Vec<(i64, String)>,
    pub limits: LimitsView,
}

crate::text_enum! {
    /// What a scenario's step did for an account.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum StepOutcome {
        Sent = "sent",
        /// In the hold-out group: recorded, not sent.
        HeldOut = "held_out",
        /// Nobody with a cabinet to send to.
        Unreachable = "unreachable",
    }
}

/// One line of a dry run: who would get which step today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRunLine {
    pub account_id: i64,
    pub number: String,
    pub address: String,
    pub overdue: Money,
    pub position: u32,
    pub kind: crate::notify::types::NoticeKind,
    pub channels: Vec<crate::notify::types::Channel>,
    pub recipients: u32,
    pub outcome: StepOutcome,
}

/// A step a scenario took for the account, on the debtor's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRunView {
    pub scenario: String,
    pub position: u32,
    pub kind: crate::notify::types::NoticeKind,
    pub ran_on: NaiveDate,
    pub outcome: StepOutcome,
    pub overdue: Money,
    /// Each delivery — channel, status.
    pub deliveries: Vec<(crate::notify::types::Channel, String)>,
}

/// A step of the scenario form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepForm {
    pub days: String,
    pub min_overdue: String,
    pub kind: String,
    pub email: Option<String>,
    pub sms: Option<String>,
    pub push: Option<String>,
}

/// The scenario form, as typed; step rows left empty are not steps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioForm {
    pub name: String,
    pub house: String,
    pub restart: Option<String>,
    pub holdout: String,
    pub steps: Vec<StepForm>,
}
