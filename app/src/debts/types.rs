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
