//! What the readings area works with, shared by the server and the browser.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use crate::period::Period;

crate::text_enum! {
    /// What a meter measures.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Utility {
        ColdWater = "cold_water",
        HotWater = "hot_water",
        Electricity = "electricity",
        Heat = "heat",
        Gas = "gas",
    }
}

impl Utility {
    pub fn label(self) -> &'static str {
        match self {
            Utility::ColdWater => "Холодная вода",
            Utility::HotWater => "Горячая вода",
            Utility::Electricity => "Электроэнергия",
            Utility::Heat => "Отопление",
            Utility::Gas => "Газ",
        }
    }

    /// The resource as people write it in a spreadsheet (import), in any case.
    pub fn from_words(s: &str) -> Option<Utility> {
        let s = s.trim().to_lowercase();
        Utility::parse(&s).or(match s.as_str() {
            "хвс" | "холодная вода" | "холодная" => Some(Utility::ColdWater),
            "гвс" | "горячая вода" | "горячая" => Some(Utility::HotWater),
            "электроэнергия" | "электричество" | "ээ" => {
                Some(Utility::Electricity)
            }
            "отопление" | "тепло" | "тепловая энергия" => {
                Some(Utility::Heat)
            }
            "газ" => Some(Utility::Gas),
            _ => None,
        })
    }

    pub fn unit(self) -> &'static str {
        match self {
            Utility::ColdWater | Utility::HotWater | Utility::Gas => "м³",
            Utility::Electricity => "кВт·ч",
            Utility::Heat => "Гкал",
        }
    }
}

crate::text_enum! {
    /// Who handed a reading in.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Source {
        /// The resident, in the cabinet.
        Cabinet = "cabinet",
        /// Staff, e.g. taken by phone.
        Staff = "staff",
        Import = "import",
        App = "app",
    }
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Cabinet => "житель в кабинете",
            Source::Staff => "сотрудник",
            Source::Import => "импорт",
            Source::App => "приложение",
        }
    }
}

crate::text_enum! {
    /// The kind of a reading row.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum ReadingKind {
        /// The value when the meter was installed (the start of its history).
        Initial = "initial",
        /// The month's reading.
        Regular = "regular",
        /// The value when the meter was taken off (replaced or removed).
        Final = "final",
    }
}

/// Where a month's volume comes from (docs/domain.md «Meter readings»).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VolumeSource {
    Reading,
    Average,
    Norm,
}

impl VolumeSource {
    pub fn label(self) -> &'static str {
        match self {
            VolumeSource::Reading => "по показаниям",
            VolumeSource::Average => "по среднему",
            VolumeSource::Norm => "по нормативу",
        }
    }
}

/// The submission window of a house: days of the month in the house's local time, and what
/// happens outside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowSettings {
    pub first_day: u32,
    pub last_day: u32,
    /// Strict: nothing is accepted outside the window. Soft: accepted into the next period.
    pub strict: bool,
    /// IANA name, e.g. `Europe/Moscow`.
    pub time_zone: String,
}

impl Default for WindowSettings {
    fn default() -> Self {
        Self {
            first_day: 20,
            last_day: 25,
            strict: true,
            time_zone: "Europe/Moscow".into(),
        }
    }
}

/// The window on a given local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowState {
    /// Readings are taken for `period` until `closes` (inclusive).
    Open { period: Period, closes: NaiveDate },
    /// Strict mode, outside the window: nothing is taken until `opens`.
    Closed { opens: NaiveDate },
    /// Soft mode, outside the window: taken, and count for `period`; the window opens `opens`.
    Late { period: Period, opens: NaiveDate },
}

impl WindowState {
    /// The period a reading handed in now counts for (none in a closed strict window).
    pub fn period(self) -> Option<Period> {
        match self {
            WindowState::Open { period, .. } | WindowState::Late { period, .. } => Some(period),
            WindowState::Closed { .. } => None,
        }
    }
}

/// One reading as shown: values per zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingView {
    pub id: i64,
    pub period: Period,
    pub kind: ReadingKind,
    pub taken_on: NaiveDate,
    pub values: Vec<Decimal>,
    pub source: Source,
    pub entered_by: Option<String>,
    pub flag: Option<String>,
    pub reviewed: bool,
    /// Reasons of staff corrections, oldest first.
    pub corrections: Vec<String>,
}

/// A meter as the resident's form and the staff card show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeterView {
    pub id: i64,
    pub house_id: i64,
    pub apartment_id: Option<i64>,
    pub resource: Utility,
    pub serial: String,
    pub zones: u8,
    pub place: String,
    pub installed_on: NaiveDate,
    pub verified_until: NaiveDate,
    pub seal: String,
    pub archived_on: Option<NaiveDate>,
    /// The last accepted reading before the current period (the one a new value is checked against).
    pub previous: Option<ReadingView>,
    /// Months the new reading's use covers (more than one after missed months).
    pub previous_months: i32,
    /// What was handed in for the current period, if anything.
    pub current: Option<ReadingView>,
    /// Average monthly consumption (sum of zones) over up to 6 months, for the anomaly hint.
    pub average: Option<Decimal>,
}

/// The resident's readings screen: the window and every meter of every home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyReadings {
    pub homes: Vec<HomeMeters>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeMeters {
    pub apartment_id: i64,
    pub address: String,
    pub window: WindowState,
    pub today: NaiveDate,
    pub meters: Vec<MeterView>,
}

/// One month of a meter's history: the reading (if any) and the volume with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthVolume {
    pub period: Period,
    /// Per zone.
    pub zones: Vec<Decimal>,
    pub total: Decimal,
    pub source: VolumeSource,
    pub explanation: String,
}

/// A meter with its history, for the history page and its chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeterHistory {
    pub meter: MeterView,
    pub address: String,
    pub readings: Vec<ReadingView>,
    /// Oldest first, at most the last 12 or more months.
    pub months: Vec<MonthVolume>,
}

/// The volume billing charges for one service of one apartment and period (docs/domain.md «Meter readings»).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceVolume {
    pub period: Period,
    pub resource: Utility,
    /// Per tariff zone (zone 1 only when by norm).
    pub zones: Vec<Decimal>,
    pub total: Decimal,
    /// The weakest source among the meters (norm if any meter was by norm, …).
    pub source: VolumeSource,
    pub explanation: String,
}

/// One resource's volume for a period of every apartment asked for (a house's, or some of
/// them), and what the building meters counted when the whole house was asked.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseVolumes {
    pub apartments: std::collections::HashMap<i64, ServiceVolume>,
    /// What the building meters (ОДПУ) counted; None when the house has none.
    pub building: Option<Decimal>,
}

/// A registered person's stay: moved in, moved out.
pub type Stay = (NaiveDate, Option<NaiveDate>);

/// A scope's volumes per resource, and the residents' stays they were computed with.
pub struct ScopeVolumes {
    pub resources: std::collections::HashMap<Utility, HouseVolumes>,
    /// Apartment → its active residents' stays.
    pub stays: std::collections::HashMap<i64, Vec<Stay>>,
}

/// Staff view of a house for the current period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseReadings {
    pub house_id: i64,
    pub address: String,
    pub settings: WindowSettings,
    pub window: WindowState,
    /// The period staff work on (the window's, or the next one outside the window).
    pub period: Period,
    pub period_closed: bool,
    /// The latest closed period, if any.
    pub last_closed: Option<Period>,
    pub meters_total: i64,
    pub submitted: i64,
    pub missing: Vec<MissingRow>,
    pub flagged: Vec<FlaggedRow>,
    /// Building (common, ОДПУ) meters, with what was entered for the entry period.
    pub building: Vec<MeterView>,
    /// The period a value entered now by staff counts for.
    pub entry_period: Period,
    /// The house's local date.
    pub today: NaiveDate,
}

/// An apartment that has not handed in every meter for the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingRow {
    pub apartment_id: i64,
    pub number: String,
    pub residents: String,
    pub missing_meters: String,
}

/// A reading far above the average, waiting for a look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedRow {
    pub reading_id: i64,
    pub meter_id: i64,
    pub apartment_id: Option<i64>,
    pub apartment: String,
    pub meter: String,
    pub values: String,
    pub flag: String,
    pub entered_at: String,
}

/// The meters of an apartment on the staff card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApartmentMeters {
    pub apartment_id: i64,
    pub house_id: i64,
    /// The house's local date.
    pub today: NaiveDate,
    pub window: WindowState,
    pub period: Period,
    pub meters: Vec<MeterView>,
}

pub use crate::sheet::ImportReport;

/// A consumption norm of a house: per person (or per m² for heating) a month, from a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormView {
    pub resource: Utility,
    pub valid_from: NaiveDate,
    pub per_unit: Decimal,
    pub per_m2: bool,
}

/// A new meter.
#[derive(Debug, Clone)]
pub struct NewMeter {
    pub house_id: i64,
    pub apartment_id: Option<i64>,
    pub resource: Utility,
    pub serial: String,
    pub zones: u8,
    pub place: String,
    pub installed_on: NaiveDate,
    pub verified_until: NaiveDate,
    pub seal: String,
    /// The values when installed (one per zone).
    pub initial: Vec<Decimal>,
}
