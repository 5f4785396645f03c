//! Database side of meter readings. Meters and their readings are loaded together
//! ([`MeterData`]) and every decision is made by the pure rules; each use case is one transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use rust_decimal::Decimal;
use sqlx::FromRow;

use super::rules::{
    self, MeterFacts, Norm, Point, ReadingCheck, ReminderStage, check_new_meter, format_value,
    from_milli, persons_in, to_milli,
};
use super::text as t;
use super::types::*;
use crate::db::{Store, internal, task_failed};
use crate::error::AppError;
use crate::notify::types::{Notice, NoticeKind, Recipients};
use crate::{audit, enqueue_notice, with_db};

/// Reminders go out from this local hour on (not at midnight).
pub const REMINDER_HOUR: u32 = 10;

#[derive(Debug, Clone, FromRow)]
struct SettingsRow {
    house_id: i64,
    address: String,
    first_day: Option<i64>,
    last_day: Option<i64>,
    strict: Option<bool>,
    time_zone: Option<String>,
}

impl SettingsRow {
    fn settings(&self) -> WindowSettings {
        let d = WindowSettings::default();
        WindowSettings {
            first_day: self.first_day.map_or(d.first_day, |v| v as u32),
            last_day: self.last_day.map_or(d.last_day, |v| v as u32),
            strict: self.strict.unwrap_or(d.strict),
            time_zone: self.time_zone.clone().unwrap_or(d.time_zone),
        }
    }
}

const SETTINGS_SQL: &str =
    "SELECT h.id AS house_id, h.address, s.first_day, s.last_day, s.strict, s.time_zone
     FROM houses h LEFT JOIN reading_settings s ON s.house_id = h.id";

#[derive(Debug, Clone, FromRow)]
struct MeterRow {
    id: i64,
    house_id: i64,
    apartment_id: Option<i64>,
    resource: Utility,
    serial: String,
    zones: i64,
    place: String,
    installed_on: NaiveDate,
    verified_until: NaiveDate,
    seal: String,
    archived_on: Option<NaiveDate>,
    residential: bool,
    area_centi_m2: Option<i64>,
    apartment_number: Option<String>,
    address: String,
}

#[derive(Debug, Clone, FromRow)]
struct ReadingRow {
    id: i64,
    meter_id: i64,
    period: String,
    kind: ReadingKind,
    taken_on: NaiveDate,
    zone1: i64,
    zone2: Option<i64>,
    zone3: Option<i64>,
    source: Source,
    entered_by_name: Option<String>,
    flag: Option<String>,
    reviewed: bool,
}

impl ReadingRow {
    fn values(&self) -> Vec<Decimal> {
        milli_values(self.zone1, self.zone2, self.zone3)
    }
    fn period(&self) -> Period {
        Period::parse(&self.period).unwrap_or(Period {
            year: 2000,
            month: 1,
        })
    }
    fn point(&self) -> Point {
        Point {
            period: self.period(),
            kind: self.kind,
            values: self.values(),
        }
    }
    fn view(&self, corrections: &HashMap<i64, Vec<String>>) -> ReadingView {
        ReadingView {
            id: self.id,
            period: self.period(),
            kind: self.kind,
            taken_on: self.taken_on,
            values: self.values(),
            source: self.source,
            entered_by: self.entered_by_name.clone(),
            flag: self.flag.clone(),
            reviewed: self.reviewed,
            corrections: corrections.get(&self.id).cloned().unwrap_or_default(),
        }
    }
}

/// A meter with all its readings.
#[derive(Debug, Clone)]
struct MeterData {
    row: MeterRow,
    readings: Vec<ReadingRow>,
}

/// «Холодная вода №123456».
fn meter_name(resource: Utility, serial: &str) -> String {
    format!("{} №{serial}", resource.label())
}

impl MeterData {
    fn resource(&self) -> Utility {
        self.row.resource
    }
    fn points(&self) -> Vec<Point> {
        self.readings.iter().map(ReadingRow::point).collect()
    }
    fn facts(&self) -> MeterFacts {
        MeterFacts {
            zones: self.row.zones as usize,
            installed: Period::of(self.row.installed_on),
            archived: self.row.archived_on.map(Period::of),
            verified_until: self.row.verified_until,
            residential: self.row.residential,
            points: self.points(),
        }
    }
    fn check(&self, period: Period) -> ReadingCheck {
        let points = self.points();
        ReadingCheck {
            zones: self.row.zones as u8,
            installed_on: self.row.installed_on,
            archived: self.row.archived_on.is_some(),
            verified_until: self.row.verified_until,
            previous: rules::previous_with_gap(&points, period),
            average: rules::average_before(&self.facts(), period),
        }
    }
    fn name(&self) -> String {
        meter_name(self.resource(), &self.row.serial)
    }
    fn view(&self, period: Period, corrections: &HashMap<i64, Vec<String>>) -> MeterView {
        let points = self.points();
        let previous = rules::previous_before(&points, period).and_then(|p| {
            self.readings
                .iter()
                .find(|r| r.period() == p.period && r.kind == p.kind)
        });
        let current = self
            .readings
            .iter()
            .find(|r| r.period() == period && r.kind == ReadingKind::Regular);
        MeterView {
            id: self.row.id,
            house_id: self.row.house_id,
            apartment_id: self.row.apartment_id,
            resource: self.resource(),
            serial: self.row.serial.clone(),
            zones: self.row.zones as u8,
            place: self.row.place.clone(),
            installed_on: self.row.installed_on,
            verified_until: self.row.verified_until,
            seal: self.row.seal.clone(),
            archived_on: self.row.archived_on,
            previous: previous.map(|r| r.view(corrections)),
            previous_months: rules::previous_with_gap(&points, period).map_or(1, |p| p.1),
            current: current.map(|r| r.view(corrections)),
            average: rules::average_before(&self.facts(), period),
        }
    }
}

/// `SELECT` of meters (alias `m`, apartment `a`) with the given condition.
fn meters_sql(filter: &str) -> String {
    format!(
        "SELECT m.id, m.house_id, m.apartment_id, m.resource, m.serial, m.zones, m.place,
             m.installed_on, m.verified_until, m.seal, m.archived_on,
             COALESCE(a.is_residential, TRUE) AS residential, a.area_centi_m2,
             a.number AS apartment_number, h.address
         FROM meters m JOIN houses h ON h.id = m.house_id
         LEFT JOIN apartments a ON a.id = m.apartment_id
         WHERE {filter}
         ORDER BY m.apartment_id, m.archived_on IS NOT NULL, m.resource, m.id"
    )
}

/// The readings of the meters matching `filter`, with who entered them.
fn readings_sql(filter: &str) -> String {
    format!(
        "SELECT r.id, r.meter_id, r.period, r.kind, r.taken_on, r.zone1, r.zone2, r.zone3,
             r.source, u.full_name AS entered_by_name, r.flag,
             r.reviewed_at IS NOT NULL AS reviewed
         FROM readings r JOIN meters m ON m.id = r.meter_id
         LEFT JOIN apartments a ON a.id = m.apartment_id
         LEFT JOIN users u ON u.id = r.entered_by
         WHERE {filter}
         ORDER BY r.meter_id, r.period,
             CASE r.kind WHEN 'initial' THEN 0 WHEN 'regular' THEN 1 ELSE 2 END"
    )
}

/// A comma list of ids for an `IN (…)` (numbers only, never user text).
fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "NULL".into();
    }
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

fn group(meters: Vec<MeterRow>, readings: Vec<ReadingRow>) -> Vec<MeterData> {
    let mut by_meter: HashMap<i64, Vec<ReadingRow>> = HashMap::new();
    for r in readings {
        by_meter.entry(r.meter_id).or_default().push(r);
    }
    meters
        .into_iter()
        .map(|row| MeterData {
            readings: by_meter.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect()
}

/// `load_meters!(executor, filter)`: the meters matching the filter with all their readings.
macro_rules! load_meters {
    ($ex:expr, $filter:expr) => {
        async {
            let meters: Vec<MeterRow> = sqlx::query_as(&meters_sql($filter))
                .fetch_all(&mut *$ex)
                .await?;
            let readings: Vec<ReadingRow> = sqlx::query_as(&readings_sql($filter))
                .fetch_all(&mut *$ex)
                .await?;
            Ok::<_, sqlx::Error>(group(meters, readings))
        }
    };
}

/// `load_counting_meters!(executor, db, resource, filter, readings_filter)`: for volumes only —
/// the resource's meters matching the filter and their readings matching both, as bulk reads
/// (`db::bulk`).
macro_rules! load_counting_meters {
    ($ex:expr, $db:expr, $resource:expr, $filter:expr, $readings_filter:expr) => {
        async {
            let meters: Vec<VolumeMeterRow> = $crate::fetch_json!(
                &mut *$ex,
                $db,
                VOLUME_METER_COLUMNS,
                &format!(
                    "FROM meters m LEFT JOIN apartments a ON a.id = m.apartment_id WHERE {}",
                    $filter
                ),
                "m.apartment_id, m.archived_on IS NOT NULL, m.resource, m.id"
            )
            .await?;
            let readings: Vec<VolumeReadingRow> = $crate::fetch_json!(
                &mut *$ex,
                $db,
                VOLUME_READING_COLUMNS,
                &format!(
                    "FROM readings r JOIN meters m ON m.id = r.meter_id WHERE {} AND {}",
                    $filter, $readings_filter
                ),
                ""
            )
            .await?;
            Ok::<_, sqlx::Error>(counting_meters($resource, meters, readings))
        }
    };
}

/// `load_corrections!(executor, filter)`: correction notes per reading id.
macro_rules! load_corrections {
    ($ex:expr, $filter:expr) => {
        async {
            let rows: Vec<(i64, String, DateTime<Utc>, String)> =
                sqlx::query_as(&corrections_sql($filter))
                    .fetch_all(&mut *$ex)
                    .await?;
            let mut out: HashMap<i64, Vec<String>> = HashMap::new();
            for (reading, reason, at, who) in rows {
                out.entry(reading).or_default().push(format!(
                    "{} — {who}: {reason}",
                    crate::clock::format_moment(at)
                ));
            }
            Ok::<_, sqlx::Error>(out)
        }
    };
}

/// Who enters readings and how.
#[derive(Debug, Clone, Copy)]
pub struct Submitter {
    pub user_id: i64,
    pub source: Source,
    /// Staff may enter for any apartment; residents only for their own.
    pub staff: bool,
    /// The date the values were taken (staff); residents' readings are dated today.
    pub taken_on: Option<NaiveDate>,
}

/// What a submission stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Submitted {
    pub saved: usize,
    pub flagged: usize,
    pub period: Option<Period>,
}

/// Values as the stored zone columns (thousandths; zones 2 and 3 only on multi-zone meters).
fn zone_columns(values: &[Decimal]) -> (i64, Option<i64>, Option<i64>) {
    let milli: Vec<i64> = values.iter().map(|v| to_milli(*v)).collect();
    (
        milli.first().copied().unwrap_or(0),
        milli.get(1).copied(),
        milli.get(2).copied(),
    )
}

const UPSERT_READING: &str = "INSERT INTO readings
        (meter_id, period, kind, taken_on, zone1, zone2, zone3, source, entered_by, entered_at, flag)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (meter_id, period, kind) DO UPDATE SET
        taken_on = excluded.taken_on, zone1 = excluded.zone1, zone2 = excluded.zone2,
        zone3 = excluded.zone3, source = excluded.source, entered_by = excluded.entered_by,
        entered_at = excluded.entered_at, flag = excluded.flag,
        reviewed_by = NULL, reviewed_at = NULL";

/// `insert_reading!(tx, meter_id, period, kind, taken_on, values, source, by, flag)`.
macro_rules! insert_reading {
    ($tx:expr, $meter:expr, $period:expr, $kind:expr, $taken_on:expr, $values:expr, $source:expr, $by:expr, $flag:expr) => {{
        let (z1, z2, z3) = zone_columns($values);
        sqlx::query(UPSERT_READING)
            .bind($meter)
            .bind($period.to_string())
            .bind($kind.as_str())
            .bind($taken_on)
            .bind(z1)
            .bind(z2)
            .bind(z3)
            .bind($source.as_str())
            .bind($by)
            .bind(Utc::now())
            .bind($flag)
            .execute($tx)
            .await
    }};
}

/// `insert_meter_row!(tx, &NewMeter)`: the meter's row; its id.
macro_rules! insert_meter_row {
    ($tx:expr, $m:expr) => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO meters (house_id, apartment_id, resource, serial, zones, place,
                 installed_on, verified_until, seal)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind($m.house_id)
        .bind($m.apartment_id)
        .bind($m.resource.as_str())
        .bind($m.serial.trim())
        .bind(i64::from($m.zones))
        .bind($m.place.trim())
        .bind($m.installed_on)
        .bind($m.verified_until)
        .bind($m.seal.trim())
        .fetch_one(&mut *$tx)
        .await
    };
}

/// `insert_meter!(tx, &NewMeter, actor, source)`: the meter, its initial value, the audit row.
macro_rules! insert_meter {
    ($tx:expr, $m:expr, $actor:expr, $source:expr) => {
        async {
            let m: &NewMeter = $m;
            let id = insert_meter_row!($tx, m)?;
            insert_reading!(
                &mut *$tx,
                id,
                Period::of(m.installed_on),
                ReadingKind::Initial,
                m.installed_on,
                &m.initial,
                $source,
                Some($actor),
                None::<String>
            )?;
            audit!(
                &mut *$tx,
                Some($actor),
                "add_meter",
                "meter",
                Some(id),
                m.serial.trim()
            )?;
            Ok::<i64, sqlx::Error>(id)
        }
        .await
    };
}

/// `remember!(tx, user, topic, now)`: records a reminder; false when it was already sent.
macro_rules! remember {
    ($tx:expr, $user:expr, $topic:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO reading_reminders (user_id, topic, sent_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, topic) DO NOTHING",
        )
        .bind($user)
        .bind($topic)
        .bind($now)
        .execute($tx)
        .await
        .map(|r| r.rows_affected() == 1)
    };
}

/// `load_norm_basis!(executor, house_id, utility, apartment_id)`: the norms of a house and utility
/// and the stays of the apartment's residents — what [`norm_for`] needs.
macro_rules! load_norm_basis {
    ($ex:expr, $house:expr, $utility:expr, $apartment:expr) => {
        async {
            let norms: Vec<NormRow> = sqlx::query_as(
                "SELECT valid_from, per_unit, basis FROM consumption_norms
                 WHERE house_id = $1 AND resource = $2 ORDER BY valid_from",
            )
            .bind($house)
            .bind($utility)
            .fetch_all(&mut *$ex)
            .await?;
            let stays: Vec<Stay> = sqlx::query_as(
                "SELECT moved_in, moved_out FROM residencies
                 WHERE apartment_id = $1 AND status = 'active'",
            )
            .bind($apartment)
            .fetch_all(&mut *$ex)
            .await?;
            Ok::<_, sqlx::Error>((norms, stays))
        }
    };
}

mod house;
mod import;
mod reminders;
mod submission;
mod volumes;
mod window;
pub use house::*;
pub use import::*;
pub use volumes::*;
pub use window::*;
