//! Database side of meter readings. Meters and their readings are loaded together
//! ([`MeterData`]) and every decision is made by the pure rules; each use case is one transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use rust_decimal::Decimal;
use sqlx::FromRow;

use super::rules::{
    self, MeterFacts, Norm, Point, ReadingCheck, ReminderStage, format_value, from_milli, to_milli,
};
use super::text as t;
use super::types::*;
use crate::db::{BeginWrite, Store, internal, is_unique_violation, task_failed};
use crate::error::AppError;
use crate::notify::types::{Notice, NoticeKind, Recipients};
use crate::{audit, enqueue_notice, with_db};

/// Reminders go out from this local hour on (not at midnight).
pub const REMINDER_HOUR: u32 = 10;
/// The job kind of the hourly reminder sweep.
pub const REMINDERS_JOB: &str = "readings.reminders";

/// The house's local date at `now` (an unknown zone name counts as Moscow).
pub fn local_today(now: DateTime<Utc>, time_zone: &str) -> NaiveDate {
    local_time(now, time_zone).date()
}

fn local_time(now: DateTime<Utc>, time_zone: &str) -> chrono::NaiveDateTime {
    match time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).naive_local(),
        Err(_) => crate::clock::local(now),
    }
}

/// Checks a time-zone name typed by staff.
pub fn check_time_zone(name: &str) -> Result<String, AppError> {
    name.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| {
            AppError::invalid(
                "Неизвестный часовой пояс. Пример: Europe/Moscow, Asia/Yekaterinburg.",
            )
        })
}

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
    resource: String,
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
    kind: String,
    taken_on: NaiveDate,
    zone1: i64,
    zone2: Option<i64>,
    zone3: Option<i64>,
    source: String,
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
    fn kind(&self) -> ReadingKind {
        ReadingKind::parse(&self.kind).unwrap_or(ReadingKind::Regular)
    }
    fn point(&self) -> Point {
        Point {
            period: self.period(),
            kind: self.kind(),
            values: self.values(),
        }
    }
    fn view(&self, corrections: &HashMap<i64, Vec<String>>) -> ReadingView {
        ReadingView {
            id: self.id,
            period: self.period(),
            kind: self.kind(),
            taken_on: self.taken_on,
            values: self.values(),
            source: Source::parse(&self.source).unwrap_or(Source::Staff),
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
        Utility::parse(&self.row.resource).unwrap_or(Utility::ColdWater)
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
                .find(|r| r.period() == p.period && r.kind() == p.kind)
        });
        let current = self
            .readings
            .iter()
            .find(|r| r.period() == period && r.kind() == ReadingKind::Regular);
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

/// A meter as volumes need it, in a bulk read (see `db::bulk`): id, apartment, serial, zones,
/// installed, verified until, archived, and whether its premises are residential (0/1).
type VolumeMeterRow = (
    i64,
    Option<i64>,
    String,
    i64,
    NaiveDate,
    NaiveDate,
    Option<NaiveDate>,
    u8,
);
const VOLUME_METER_COLUMNS: &str = "m.id, m.apartment_id, m.serial, m.zones, m.installed_on,
     m.verified_until, m.archived_on, CASE WHEN COALESCE(a.is_residential, TRUE) THEN 1 ELSE 0 END";

/// A reading as volumes need it, in a bulk read (see `db::bulk`), numbers only: id, meter, the
/// period as `year × 12 + month − 1`, the kind's rank (initial 0, regular 1, final 2 — the rules'
/// order within a month) and the zones' values in thousandths.
type VolumeReadingRow = (i64, i64, i32, u8, i64, Option<i64>, Option<i64>);
const VOLUME_READING_COLUMNS: &str = "r.id, r.meter_id,
     CAST(substr(r.period, 1, 4) AS INTEGER) * 12 + CAST(substr(r.period, 6, 2) AS INTEGER) - 1,
     CASE r.kind WHEN 'initial' THEN 0 WHEN 'regular' THEN 1 ELSE 2 END,
     r.zone1, r.zone2, r.zone3";

/// A meter as volumes see it: its apartment (None: a building meter), its name for the
/// explanation, its facts for the rules, and the id of each of the facts' points (corrections
/// name readings by id).
#[derive(Debug, Clone)]
struct CountingMeter {
    id: i64,
    apartment_id: Option<i64>,
    name: String,
    facts: MeterFacts,
    ids: Vec<i64>,
}

/// Volumes' readings grouped by meter: each meter's reading ids and points in the rules' order —
/// by period, initial before regular before final (a bulk read comes unordered: sorting here is
/// cheaper than in the database).
fn points_by_meter(mut readings: Vec<VolumeReadingRow>) -> HashMap<i64, (Vec<i64>, Vec<Point>)> {
    readings.sort_unstable_by_key(|&(id, meter_id, period, rank, ..)| (meter_id, period, rank, id));
    let mut by_meter: HashMap<i64, (Vec<i64>, Vec<Point>)> = HashMap::new();
    for (id, meter_id, period, rank, zone1, zone2, zone3) in readings {
        let (ids, points) = by_meter.entry(meter_id).or_default();
        ids.push(id);
        points.push(Point {
            period: Period::from_index(period),
            kind: match rank {
                0 => ReadingKind::Initial,
                1 => ReadingKind::Regular,
                _ => ReadingKind::Final,
            },
            values: milli_values(zone1, zone2, zone3),
        });
    }
    by_meter
}

/// The meters with their readings as volumes see them.
fn counting_meters(
    resource: Utility,
    meters: Vec<VolumeMeterRow>,
    readings: Vec<VolumeReadingRow>,
) -> Vec<CountingMeter> {
    let mut by_meter = points_by_meter(readings);
    meters
        .into_iter()
        .map(
            |(
                id,
                apartment_id,
                serial,
                zones,
                installed_on,
                verified_until,
                archived_on,
                residential,
            )| {
                let (ids, points) = by_meter.remove(&id).unwrap_or_default();
                CountingMeter {
                    id,
                    apartment_id,
                    name: meter_name(resource, &serial),
                    facts: MeterFacts {
                        zones: zones as usize,
                        installed: Period::of(installed_on),
                        archived: archived_on.map(Period::of),
                        verified_until,
                        residential: residential != 0,
                        points,
                    },
                    ids,
                }
            },
        )
        .collect()
}

/// Stored zone values (thousandths; zones 2 and 3 only on multi-zone meters) as decimals.
fn milli_values(zone1: i64, zone2: Option<i64>, zone3: Option<i64>) -> Vec<Decimal> {
    [Some(zone1), zone2, zone3]
        .into_iter()
        .flatten()
        .map(from_milli)
        .collect()
}

fn corrections_sql(filter: &str) -> String {
    format!(
        "SELECT c.reading_id, c.reason, c.corrected_at, u.full_name
         FROM reading_corrections c JOIN readings r ON r.id = c.reading_id
         JOIN meters m ON m.id = r.meter_id
         LEFT JOIN apartments a ON a.id = m.apartment_id
         JOIN users u ON u.id = c.corrected_by
         WHERE {filter} ORDER BY c.id"
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

/// Checks a new meter's fields (the store then checks the serial is free in the house).
pub fn check_new_meter(m: &NewMeter) -> Result<(), String> {
    let serial = m.serial.trim();
    if serial.is_empty() || serial.chars().count() > 40 {
        return Err("Укажите заводской номер счётчика (до 40 знаков).".into());
    }
    if !(1..=3).contains(&m.zones) {
        return Err("Тарифных зон — от 1 до 3.".into());
    }
    if m.verified_until <= m.installed_on {
        return Err("Дата поверки должна быть позже даты установки.".into());
    }
    if m.initial.len() != usize::from(m.zones) {
        return Err("Начальное показание — по одному на каждую тарифную зону.".into());
    }
    Ok(())
}

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

/// The apartments a user lives in today (active links).
fn homes_sql() -> &'static str {
    "SELECT DISTINCT r.apartment_id FROM residencies r JOIN people p ON p.id = r.person_id
     WHERE p.user_id = $1 AND r.status = 'active' AND r.moved_in <= $2
       AND (r.moved_out IS NULL OR r.moved_out > $2)"
}

/// Persons registered in an apartment during a period (at least one: the owner).
pub(crate) fn persons_in(stays: &[Stay], period: Period) -> i64 {
    let start = period.first_day();
    let end = period.plus(1).first_day();
    let n = stays
        .iter()
        .filter(|(moved_in, moved_out)| *moved_in < end && moved_out.is_none_or(|out| out > start))
        .count() as i64;
    n.max(1)
}

/// Stays rows (apartment, moved in, moved out) grouped by apartment.
pub(crate) fn stays_by_apartment(
    rows: Vec<(i64, NaiveDate, Option<NaiveDate>)>,
) -> HashMap<i64, Vec<Stay>> {
    let mut stays: HashMap<i64, Vec<Stay>> = HashMap::new();
    for (apartment, moved_in, moved_out) in rows {
        stays
            .entry(apartment)
            .or_default()
            .push((moved_in, moved_out));
    }
    stays
}

/// A dated norm: from, per unit (thousandths), basis (`person` or `m2`).
type NormRow = (NaiveDate, i64, String);
/// A registered person's stay: moved in, moved out.
pub(crate) type Stay = (NaiveDate, Option<NaiveDate>);

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

/// The norm function of one apartment and resource.
fn norm_for(
    norms: &[NormRow],
    resource: Utility,
    stays: &[Stay],
    area_centi_m2: i64,
) -> impl Fn(Period) -> Norm {
    move |period: Period| {
        let end = period.plus(1).first_day();
        let Some((_, per_unit, basis)) = norms.iter().rev().find(|(from, _, _)| *from < end) else {
            return Norm {
                volume: Decimal::ZERO,
                explanation: "норматив для дома не задан".into(),
            };
        };
        let per_unit = from_milli(*per_unit);
        let unit = resource.unit();
        if basis == "m2" {
            let area = Decimal::new(area_centi_m2, 2);
            let volume = (per_unit * area).round_dp(3);
            Norm {
                volume,
                explanation: format!(
                    "{} {unit}/м² × {} м² = {} {unit}",
                    format_value(per_unit),
                    area.to_string().replace('.', ","),
                    format_value(volume)
                ),
            }
        } else {
            let persons = persons_in(stays, period);
            let volume = per_unit * Decimal::from(persons);
            Norm {
                volume,
                explanation: format!(
                    "{} {unit} × {persons} чел. = {} {unit}",
                    format_value(per_unit),
                    format_value(volume)
                ),
            }
        }
    }
}

impl Store {
    /// Whether a resident reaches a meter (through an apartment they live in).
    pub async fn user_reaches_meter(&self, user_id: i64, meter_id: i64) -> Result<bool, AppError> {
        let apartment: Option<Option<i64>> = with_db!(&self.db, |pool| {
            sqlx::query_scalar("SELECT apartment_id FROM meters WHERE id = $1")
                .bind(meter_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(internal("load meter apartment"))?;
        match apartment.flatten() {
            Some(apartment_id) => self.user_reaches_apartment(user_id, apartment_id).await,
            None => Ok(false),
        }
    }

    async fn house_settings(
        &self,
        house_id: Option<i64>,
    ) -> Result<Vec<(i64, String, WindowSettings)>, AppError> {
        let rows: Vec<SettingsRow> = with_db!(&self.db, |pool| {
            sqlx::query_as(&format!(
                "{SETTINGS_SQL} WHERE ($1 IS NULL OR h.id = $1) ORDER BY h.address"
            ))
            .bind(house_id)
            .fetch_all(pool)
            .await
        })
        .map_err(internal("load reading settings"))?;
        Ok(rows
            .into_iter()
            .map(|r| (r.house_id, r.address.clone(), r.settings()))
            .collect())
    }

    async fn one_house(&self, house_id: i64) -> Result<(String, WindowSettings), AppError> {
        self.house_settings(Some(house_id))
            .await?
            .into_iter()
            .next()
            .map(|(_, address, s)| (address, s))
            .ok_or(AppError::NotFound)
    }

    /// Saves a house's window (audited).
    pub async fn save_reading_settings(
        &self,
        actor: i64,
        house_id: i64,
        settings: &WindowSettings,
    ) -> Result<(), AppError> {
        rules::check_window_days(settings.first_day, settings.last_day)
            .map_err(AppError::invalid)?;
        let time_zone = check_time_zone(&settings.time_zone)?;
        self.one_house(house_id).await?;
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO reading_settings (house_id, first_day, last_day, strict, time_zone)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (house_id) DO UPDATE SET first_day = excluded.first_day,
                     last_day = excluded.last_day, strict = excluded.strict, time_zone = excluded.time_zone",
            )
            .bind(house_id)
            .bind(i64::from(settings.first_day))
            .bind(i64::from(settings.last_day))
            .bind(settings.strict)
            .bind(&time_zone)
            .execute(&mut *tx)
            .await?;
            let details = format!(
                "{}–{}, {}, {time_zone}",
                settings.first_day,
                settings.last_day,
                if settings.strict { "strict" } else { "soft" }
            );
            audit!(&mut *tx, Some(actor), "reading_window", "house", Some(house_id), details)?;
            tx.commit().await
        }
        .await)
        .map_err(internal("save reading settings"))
    }

    /// The resident's readings screen: every meter of every home, with the window of its house.
    pub async fn my_readings(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<MyReadings, AppError> {
        let today = crate::clock::local(now).date();
        let houses = self.house_settings(None).await?;
        let (homes, meters, corrections) = with_db!(&self.db, |pool| async {
            let mut conn = pool.acquire().await?;
            let homes: Vec<(i64, i64, String, String)> = sqlx::query_as(&format!(
                "SELECT a.id, a.house_id, h.address, a.number FROM apartments a
                 JOIN houses h ON h.id = a.house_id
                 WHERE a.id IN ({}) ORDER BY h.address, a.id",
                homes_sql()
            ))
            .bind(user_id)
            .bind(today)
            .fetch_all(&mut *conn)
            .await?;
            let ids: Vec<i64> = homes.iter().map(|h| h.0).collect();
            let filter = format!(
                "m.apartment_id IN ({}) AND m.archived_on IS NULL",
                id_list(&ids)
            );
            let meters = load_meters!(conn, &filter).await?;
            let corrections = load_corrections!(conn, &filter).await?;
            Ok::<_, sqlx::Error>((homes, meters, corrections))
        }
        .await)
        .map_err(internal("load my readings"))?;
        let homes = homes
            .into_iter()
            .map(|(apartment_id, house_id, address, number)| {
                let settings = houses
                    .iter()
                    .find(|h| h.0 == house_id)
                    .map(|h| h.2.clone())
                    .unwrap_or_default();
                let today = local_today(now, &settings.time_zone);
                let window = rules::window_state(&settings, today);
                let period = rules::entry_period(window, false)
                    .unwrap_or_else(|_| rules::latest_window_period(&settings, today));
                HomeMeters {
                    apartment_id,
                    address: format!("{address}, кв. {number}"),
                    window,
                    today,
                    meters: meters
                        .iter()
                        .filter(|m| m.row.apartment_id == Some(apartment_id))
                        .map(|m| m.view(period, &corrections))
                        .collect(),
                }
            })
            .collect();
        Ok(MyReadings { homes })
    }

    /// Stores readings, all or nothing: every value passes the rules or nothing is saved and
    /// the answer lists each problem by meter.
    pub async fn submit_readings(
        &self,
        by: Submitter,
        entries: &[(i64, Vec<Decimal>)],
        now: DateTime<Utc>,
    ) -> Result<Submitted, AppError> {
        if entries.is_empty() {
            return Err(AppError::invalid("Введите хотя бы одно показание."));
        }
        let houses = self.house_settings(None).await?;
        let ids: Vec<i64> = entries.iter().map(|e| e.0).collect();
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let filter = format!("m.id IN ({})", id_list(&ids));
            let meters = load_meters!(tx, &filter).await?;
            let homes: Vec<i64> = if by.staff {
                Vec::new()
            } else {
                sqlx::query_scalar(homes_sql())
                    .bind(by.user_id)
                    .bind(crate::clock::local(now).date())
                    .fetch_all(&mut *tx)
                    .await?
            };
            let mut problems = Vec::new();
            let mut rows = Vec::new();
            for (meter_id, values) in entries {
                let Some(meter) = meters.iter().find(|m| m.row.id == *meter_id) else {
                    return Ok(Err(AppError::NotFound));
                };
                if !by.staff && !meter.row.apartment_id.is_some_and(|a| homes.contains(&a)) {
                    tracing::warn!(
                        user_id = by.user_id,
                        meter_id,
                        "reading for a meter of another home refused"
                    );
                    return Ok(Err(AppError::Forbidden));
                }
                let settings = houses
                    .iter()
                    .find(|h| h.0 == meter.row.house_id)
                    .map(|h| h.2.clone())
                    .unwrap_or_default();
                let today = local_today(now, &settings.time_zone);
                let window = rules::window_state(&settings, today);
                let period = match rules::entry_period(window, by.staff) {
                    Ok(period) => period,
                    Err(opens) => {
                        return Ok(Err(AppError::invalid(t::closed_until(
                            &opens.format("%d.%m.%Y").to_string(),
                        ))));
                    }
                };
                let closed: i64 = sqlx::query_scalar(IS_CLOSED_SQL)
                    .bind(meter.row.house_id)
                    .bind(period.to_string())
                    .fetch_one(&mut *tx)
                    .await?;
                if closed > 0 {
                    problems.push(format!(
                        "{}: показания за {} уже закрыты бухгалтерией.",
                        meter.name(),
                        period.label()
                    ));
                    continue;
                }
                let taken_on = by.taken_on.unwrap_or(today);
                match rules::check_reading(&meter.check(period), values, taken_on, today) {
                    Ok(flag) => rows.push((meter, period, taken_on, values, flag)),
                    Err(e) => problems.push(format!("{}: {e}", meter.name())),
                }
            }
            if !problems.is_empty() {
                return Ok(Err(AppError::invalid(problems.join("\n"))));
            }
            let mut flagged = 0;
            for (meter, period, taken_on, values, flag) in &rows {
                flagged += usize::from(flag.is_some());
                insert_reading!(
                    &mut *tx,
                    meter.row.id,
                    period,
                    ReadingKind::Regular,
                    *taken_on,
                    values,
                    by.source,
                    Some(by.user_id),
                    flag.clone()
                )?;
                if by.staff {
                    let details = format!("{}: {}", period, rules::format_values(values));
                    audit!(
                        &mut *tx,
                        Some(by.user_id),
                        "enter_reading",
                        "meter",
                        Some(meter.row.id),
                        details
                    )?;
                }
            }
            tx.commit().await?;
            Ok(Ok(Submitted {
                saved: rows.len(),
                flagged,
                period: rows.first().map(|r| r.1),
            }))
        }
        .await)
        .map_err(internal("submit readings"))?
    }

    /// A meter with its readings and monthly volumes up to the current period.
    pub async fn meter_history(
        &self,
        meter_id: i64,
        now: DateTime<Utc>,
    ) -> Result<MeterHistory, AppError> {
        let (meter, corrections, norms, stays) = self.meter_with_context(meter_id).await?;
        let (_, settings) = self.one_house(meter.row.house_id).await?;
        let today = local_today(now, &settings.time_zone);
        let period = rules::latest_window_period(&settings, today);
        let norm = norm_for(
            &norms,
            meter.resource(),
            &stays,
            meter.row.area_centi_m2.unwrap_or(0),
        );
        let mut months = rules::monthly_volumes(&meter.facts(), period, &norm);
        if months.len() > 24 {
            months.drain(..months.len() - 24);
        }
        let address = match &meter.row.apartment_number {
            Some(n) => format!("{}, кв. {n}", meter.row.address),
            None => format!(
                "{}, {}",
                meter.row.address,
                t::BUILDING_METERS.to_lowercase()
            ),
        };
        Ok(MeterHistory {
            meter: meter.view(
                rules::entry_period(rules::window_state(&settings, today), false).unwrap_or(period),
                &corrections,
            ),
            address,
            // the last two years (and the initial value of a younger meter)
            readings: meter
                .readings
                .iter()
                .rev()
                .filter(|r| r.period() >= period.plus(-24))
                .map(|r| r.view(&corrections))
                .collect(),
            months,
        })
    }

    /// One meter, its correction notes, the norms of its house and resource, and who was
    /// registered in its apartment when.
    async fn meter_with_context(
        &self,
        meter_id: i64,
    ) -> Result<
        (
            MeterData,
            HashMap<i64, Vec<String>>,
            Vec<NormRow>,
            Vec<Stay>,
        ),
        AppError,
    > {
        with_db!(&self.db, |pool| async {
            let mut conn = pool.acquire().await?;
            let filter = format!("m.id = {meter_id}");
            let Some(meter) = load_meters!(conn, &filter).await?.into_iter().next() else {
                return Ok(Err(AppError::NotFound));
            };
            let corrections = load_corrections!(conn, &filter).await?;
            let (norms, stays) = load_norm_basis!(
                conn,
                meter.row.house_id,
                &meter.row.resource,
                meter.row.apartment_id
            )
            .await?;
            Ok(Ok((meter, corrections, norms, stays)))
        }
        .await)
        .map_err(internal("load meter history"))?
    }

    /// The volume billing charges for `resource` in `apartment_id` for `period` (DOMAIN.md §2):
    /// the sum over the apartment's meters of that resource — by reading, by average, then by
    /// norm — plus the recalculation of closed periods whose readings staff corrected and
    /// applied to this period; the norm for the whole apartment when it has no such meter.
    pub async fn service_volume(
        &self,
        apartment_id: i64,
        resource: Utility,
        period: Period,
    ) -> Result<ServiceVolume, AppError> {
        self.volumes(
            VolumeScope::Apartments(vec![apartment_id]),
            &[resource],
            period,
        )
        .await?
        .resources
        .remove(&resource)
        .and_then(|mut volumes| volumes.apartments.remove(&apartment_id))
        .ok_or(AppError::NotFound)
    }

    /// [`Store::service_volume`] of each resource for every apartment of the scope at once (a
    /// few queries, not a few per apartment) — the accrual run's input. The apartments and
    /// their residents' stays are read once; each resource's meters and readings on a
    /// connection of their own, so the engine reads and the rules compute the resources in
    /// parallel.
    pub async fn volumes(
        &self,
        scope: VolumeScope,
        resources: &[Utility],
        period: Period,
    ) -> Result<ScopeVolumes, AppError> {
        let (apartments_filter, meters_filter) = scope.filters();
        let (apartments, stays) = with_db!(&self.db, |pool| async {
            let mut conn = pool.acquire().await?;
            let apartments: Vec<(i64, i64, i64)> = crate::fetch_json!(
                &mut *conn,
                &self.db,
                "id, house_id, area_centi_m2",
                &format!("FROM apartments WHERE {apartments_filter}"),
                "id"
            )
            .await?;
            let stays: Vec<(i64, NaiveDate, Option<NaiveDate>)> = crate::fetch_json!(
                &mut *conn,
                &self.db,
                "apartment_id, moved_in, moved_out",
                &format!(
                    "FROM residencies WHERE status = 'active' AND apartment_id IN
                         (SELECT id FROM apartments WHERE {apartments_filter})"
                ),
                "id"
            )
            .await?;
            Ok::<_, sqlx::Error>((apartments, stays))
        }
        .await)
        .map_err(internal("load apartments for volumes"))?;
        let Some(house_id) = apartments.first().map(|a| a.1) else {
            return Err(AppError::NotFound);
        };
        let apartments = std::sync::Arc::new(VolumeApartments {
            apartments,
            stays: stays_by_apartment(stays),
        });
        let mut loading = tokio::task::JoinSet::new();
        for &resource in resources {
            let (store, apartments) = (self.clone(), apartments.clone());
            let meters_filter = meters_filter.clone();
            loading.spawn(async move {
                let volumes = store
                    .resource_volumes(&meters_filter, house_id, resource, period, &apartments)
                    .await;
                (resource, volumes)
            });
        }
        let mut volumes = HashMap::new();
        while let Some(loaded) = loading.join_next().await {
            let (resource, house) = loaded.map_err(task_failed("volume loading task"))?;
            volumes.insert(resource, house?);
        }
        // every task has ended, so the stays are normally this function's alone again
        let stays = std::sync::Arc::try_unwrap(apartments)
            .map_or_else(|shared| shared.stays.clone(), |own| own.stays);
        Ok(ScopeVolumes {
            resources: volumes,
            stays,
        })
    }

    /// One resource's volumes of the apartments given with their stays.
    async fn resource_volumes(
        &self,
        meters_filter: &str,
        house_id: i64,
        resource: Utility,
        period: Period,
        VolumeApartments { apartments, stays }: &VolumeApartments,
    ) -> Result<HouseVolumes, AppError> {
        let meters_filter = format!("{meters_filter} AND m.resource = '{}'", resource.as_str());
        let (meters, norms, corrections) = with_db!(&self.db, |pool| async {
            let mut conn = pool.acquire().await?;
            // the meters counting in the period with their readings of the period and the one
            // before: enough for most (`rules::recent_start`); readings after the period cannot
            // change its volume
            let mut meters = load_counting_meters!(
                conn,
                &self.db,
                resource,
                &meters_filter,
                &format!("r.period BETWEEN '{}' AND '{period}'", period.plus(-1))
            )
            .await?;
            meters.retain(|m| {
                m.facts.installed <= period && m.facts.archived.is_none_or(|a| a >= period)
            });
            let norms: Vec<NormRow> = sqlx::query_as(
                "SELECT valid_from, per_unit, basis FROM consumption_norms
                 WHERE house_id = $1 AND resource = $2 ORDER BY valid_from",
            )
            .bind(house_id)
            .bind(resource.as_str())
            .fetch_all(&mut *conn)
            .await?;
            // corrections billed in this period: reading id, its meter → old values
            // (CROSS JOIN: SQLite starts from the few corrections, not from every reading)
            let corrections: Vec<Correction> = sqlx::query_as(&format!(
                "SELECT c.reading_id, r.meter_id, c.old_zone1, c.old_zone2, c.old_zone3
                 FROM reading_corrections c CROSS JOIN readings r CROSS JOIN meters m
                 WHERE r.id = c.reading_id AND m.id = r.meter_id AND {meters_filter}
                   AND c.applied_period = $1 ORDER BY c.id DESC"
            ))
            .bind(period.to_string())
            .fetch_all(&mut *conn)
            .await?;
            // the rest, and the meters whose closed months are recalculated now, are folded
            // from their whole history
            let mut whole: HashMap<i64, usize> = HashMap::new();
            for (at, meter) in meters.iter_mut().enumerate() {
                let corrected = corrections.iter().any(|c| c.1 == meter.id);
                match rules::recent_start(&meter.facts, period).filter(|_| !corrected) {
                    Some(start) => meter.facts.installed = start,
                    None => {
                        whole.insert(meter.id, at);
                    }
                }
            }
            let ids: Vec<i64> = whole.keys().copied().collect();
            for chunk in ids.chunks(WHOLE_HISTORY_METERS) {
                let readings: Vec<VolumeReadingRow> = crate::fetch_json!(
                    &mut *conn,
                    &self.db,
                    VOLUME_READING_COLUMNS,
                    &format!(
                        "FROM readings r WHERE r.meter_id IN ({}) AND r.period <= '{period}'",
                        id_list(chunk)
                    ),
                    ""
                )
                .await?;
                for (id, (ids, points)) in points_by_meter(readings) {
                    let meter = &mut meters[whole[&id]];
                    (meter.ids, meter.facts.points) = (ids, points);
                }
            }
            Ok::<_, sqlx::Error>((meters, norms, corrections))
        }
        .await)
        .map_err(internal("load service volumes"))?;
        let mut meters_of: HashMap<Option<i64>, Vec<&CountingMeter>> = HashMap::new();
        for meter in &meters {
            meters_of.entry(meter.apartment_id).or_default().push(meter);
        }
        let no_stays = Vec::new();
        let volumes = apartments
            .iter()
            .map(|&(id, _, area)| {
                let stays = stays.get(&id).unwrap_or(&no_stays);
                let norm = norm_for(&norms, resource, stays, area);
                let counting = meters_of.get(&Some(id)).map(Vec::as_slice).unwrap_or(&[]);
                (
                    id,
                    apartment_volume(counting, &corrections, &norm, resource, period),
                )
            })
            .collect();
        let no_norm = |_: Period| Norm {
            volume: Decimal::ZERO,
            explanation: String::new(),
        };
        let building = meters_of.get(&None).map(|counting| {
            apartment_volume(counting, &corrections, &no_norm, resource, period).total
        });
        Ok(HouseVolumes {
            apartments: volumes,
            building,
        })
    }
}

/// The apartments volumes are computed for (id, house, area in cm²) and their residents' stays.
struct VolumeApartments {
    apartments: Vec<(i64, i64, i64)>,
    stays: HashMap<i64, Vec<Stay>>,
}

/// Whose volumes [`Store::volumes`] loads.
#[derive(Debug, Clone)]
pub enum VolumeScope {
    /// These apartments of one house, by their own meters.
    Apartments(Vec<i64>),
    /// Every apartment of the house, and what its building meters counted.
    House(i64),
}

impl VolumeScope {
    /// The scope as a condition on `apartments` and one on meters `m`.
    fn filters(&self) -> (String, String) {
        match self {
            VolumeScope::Apartments(ids) => {
                let ids = id_list(ids);
                (
                    format!("id IN ({ids})"),
                    format!("m.apartment_id IN ({ids})"),
                )
            }
            VolumeScope::House(id) => (format!("house_id = {id}"), format!("m.house_id = {id}")),
        }
    }
}

/// A scope's volumes per resource, and the residents' stays they were computed with.
pub struct ScopeVolumes {
    pub resources: HashMap<Utility, HouseVolumes>,
    /// Apartment → its active residents' stays.
    pub stays: HashMap<i64, Vec<Stay>>,
}

/// A correction billed in the period: the reading's id, its meter and its values before
/// (thousandths).
type Correction = (i64, i64, i64, Option<i64>, Option<i64>);

/// Meters per read of whole histories (an `IN` list of ids).
const WHOLE_HISTORY_METERS: usize = 1000;

/// One apartment's (or the building's) volume from the meters counting in `period`.
fn apartment_volume(
    counting: &[&CountingMeter],
    corrections: &[Correction],
    norm: &dyn Fn(Period) -> Norm,
    resource: Utility,
    period: Period,
) -> ServiceVolume {
    if counting.is_empty() {
        let n = norm(period);
        return ServiceVolume {
            period,
            resource,
            zones: vec![n.volume],
            total: n.volume,
            source: VolumeSource::Norm,
            explanation: format!("Счётчика нет: по нормативу — {}", n.explanation),
        };
    }
    let zones = counting.iter().map(|m| m.facts.zones).max().unwrap_or(1);
    let mut total_zones = vec![Decimal::ZERO; zones];
    let mut source = VolumeSource::Reading;
    let mut lines = Vec::new();
    for meter in counting {
        let months = rules::volumes_to(&meter.facts, period, norm);
        let Some(month) = months.iter().find(|m| m.period == period) else {
            continue;
        };
        let mut volume = month.zones.clone();
        let mut line = format!("{}: {}", meter.name, month.explanation);
        // corrections of closed periods applied here: what the closed months change by
        let reverted: Vec<(usize, &Correction)> = corrections
            .iter()
            .filter_map(|c| meter.ids.iter().position(|id| *id == c.0).map(|at| (at, c)))
            .collect();
        if !reverted.is_empty() {
            let mut before = meter.facts.clone();
            for (at, (_, _, z1, z2, z3)) in reverted {
                before.points[at].values = milli_values(*z1, *z2, *z3);
            }
            let old = rules::volumes_to(&before, period, norm);
            let mut delta = vec![Decimal::ZERO; month.zones.len()];
            for (now_month, old_month) in months.iter().zip(&old) {
                if now_month.period >= period {
                    break;
                }
                for (i, d) in delta.iter_mut().enumerate() {
                    *d += now_month.zones[i] - old_month.zones[i];
                }
            }
            let delta_total: Decimal = delta.iter().sum();
            if !delta_total.is_zero() || delta.iter().any(|d| !d.is_zero()) {
                for (v, d) in volume.iter_mut().zip(&delta) {
                    *v += d;
                }
                line.push_str(&format!(
                    "; перерасчёт по исправленным показаниям прошлых периодов: {}",
                    format_value(delta_total)
                ));
            }
        }
        for (i, v) in volume.iter().enumerate() {
            total_zones[i] += v;
        }
        source = match (source, month.source) {
            (VolumeSource::Norm, _) | (_, VolumeSource::Norm) => VolumeSource::Norm,
            (VolumeSource::Average, _) | (_, VolumeSource::Average) => VolumeSource::Average,
            _ => VolumeSource::Reading,
        };
        lines.push(line);
    }
    ServiceVolume {
        period,
        resource,
        total: total_zones.iter().sum(),
        zones: total_zones,
        source,
        explanation: lines.join("\n"),
    }
}

#[derive(Debug, FromRow)]
struct MissingMeter {
    apartment_id: i64,
    number: String,
    resource: String,
    serial: String,
}

/// Apartments' numbers in the order people expect: 2 before 10, 10а after 10.
fn apartment_order(number: &str) -> (u64, String) {
    let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), number.to_string())
}

/// Closes house `$1`'s readings for period `$2` (by `$3` at `$4`); closing twice is no change.
/// Billing's posting closes the period with the same statement.
pub const CLOSE_READINGS_PERIOD: &str =
    "INSERT INTO reading_periods_closed (house_id, period, closed_by, closed_at)
     VALUES ($1, $2, $3, $4) ON CONFLICT (house_id, period) DO NOTHING";

/// Meters that take readings for `$2` (period) in house `$1`, with `$3` the period's first day.
const IS_CLOSED_SQL: &str =
    "SELECT COUNT(*) FROM reading_periods_closed WHERE house_id = $1 AND period = $2";

const ELIGIBLE_MISSING_SQL: &str = "SELECT a.id AS apartment_id, a.number, m.resource, m.serial
     FROM meters m JOIN apartments a ON a.id = m.apartment_id
     WHERE m.house_id = $1 AND m.archived_on IS NULL AND m.verified_until >= $3
       AND NOT EXISTS (SELECT 1 FROM readings r WHERE r.meter_id = m.id AND r.period = $2
                       AND r.kind IN ('regular','final'))";

impl Store {
    /// Staff view of a house for a period (by default the latest window's).
    pub async fn house_readings(
        &self,
        house_id: i64,
        period: Option<Period>,
        now: DateTime<Utc>,
    ) -> Result<HouseReadings, AppError> {
        let (address, settings) = self.one_house(house_id).await?;
        let today = local_today(now, &settings.time_zone);
        let window = rules::window_state(&settings, today);
        let period = period.unwrap_or_else(|| rules::latest_window_period(&settings, today));
        let p = period.to_string();
        let (closed, last_closed, total, missing, names, flagged, building) = with_db!(&self.db, |pool| async {
            let mut conn = pool.acquire().await?;
            let closed: i64 = sqlx::query_scalar(IS_CLOSED_SQL)
                .bind(house_id)
                .bind(&p)
                .fetch_one(&mut *conn)
                .await?;
            let last_closed: Option<String> = sqlx::query_scalar(
                "SELECT MAX(period) FROM reading_periods_closed WHERE house_id = $1",
            )
            .bind(house_id)
            .fetch_one(&mut *conn)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM meters WHERE house_id = $1 AND apartment_id IS NOT NULL
                   AND archived_on IS NULL AND verified_until >= $2",
            )
            .bind(house_id)
            .bind(period.first_day())
            .fetch_one(&mut *conn)
            .await?;
            let missing: Vec<MissingMeter> = sqlx::query_as(ELIGIBLE_MISSING_SQL)
                .bind(house_id)
                .bind(&p)
                .bind(period.first_day())
                .fetch_all(&mut *conn)
                .await?;
            let ids: Vec<i64> = missing.iter().map(|m| m.apartment_id).collect();
            let names: Vec<(i64, String)> = sqlx::query_as(&format!(
                "SELECT r.apartment_id, p.full_name FROM residencies r JOIN people p ON p.id = r.person_id
                 WHERE r.apartment_id IN ({}) AND r.status = 'active' AND r.moved_out IS NULL
                 ORDER BY r.id",
                id_list(&ids)
            ))
            .fetch_all(&mut *conn)
            .await?;
            let building = load_meters!(
                conn,
                &format!("m.house_id = {house_id} AND m.apartment_id IS NULL AND m.archived_on IS NULL")
            )
            .await?;
            let flagged = load_meters!(
                conn,
                &format!(
                    "m.house_id = {house_id} AND m.id IN (SELECT meter_id FROM readings
                        WHERE flag IS NOT NULL AND reviewed_at IS NULL)"
                )
            )
            .await?;
            Ok::<_, sqlx::Error>((closed > 0, last_closed, total, missing, names, flagged, building))
        }
        .await)
        .map_err(internal("load house readings"))?;
        let missing_meters = missing.len() as i64;
        let mut by_apartment: BTreeMap<(u64, String), MissingRow> = BTreeMap::new();
        for m in missing {
            let row = by_apartment
                .entry(apartment_order(&m.number))
                .or_insert_with(|| MissingRow {
                    apartment_id: m.apartment_id,
                    number: m.number.clone(),
                    residents: names
                        .iter()
                        .filter(|(a, _)| *a == m.apartment_id)
                        .map(|(_, n)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    missing_meters: String::new(),
                });
            if !row.missing_meters.is_empty() {
                row.missing_meters.push_str(", ");
            }
            let resource = Utility::parse(&m.resource).map_or("", Utility::label);
            row.missing_meters
                .push_str(&format!("{resource} №{}", m.serial));
        }
        let mut flagged_rows: Vec<FlaggedRow> = flagged
            .iter()
            .flat_map(|m| {
                m.readings
                    .iter()
                    .filter(|r| r.flag.is_some() && !r.reviewed)
                    .map(move |r| FlaggedRow {
                        reading_id: r.id,
                        meter_id: m.row.id,
                        apartment_id: m.row.apartment_id,
                        apartment: m
                            .row
                            .apartment_number
                            .clone()
                            .map_or_else(|| "дом".into(), |n| format!("кв. {n}")),
                        meter: m.name(),
                        values: format!(
                            "{} за {}",
                            rules::format_values(&r.values()),
                            r.period().label()
                        ),
                        flag: r.flag.clone().unwrap_or_default(),
                        entered_at: r.taken_on.format("%d.%m.%Y").to_string(),
                    })
            })
            .collect();
        flagged_rows.sort_by_key(|f| std::cmp::Reverse(f.reading_id));
        let entry_period = rules::entry_period(window, true).unwrap_or(period);
        Ok(HouseReadings {
            today,
            building: building
                .iter()
                .map(|m| m.view(entry_period, &HashMap::new()))
                .collect(),
            entry_period,
            house_id,
            address,
            settings,
            window,
            period,
            period_closed: closed,
            last_closed: last_closed.as_deref().and_then(Period::parse),
            meters_total: total,
            submitted: total - missing_meters,
            missing: by_apartment.into_values().collect(),
            flagged: flagged_rows,
        })
    }

    /// Closes a period's readings for a house: they become final for billing (audited).
    pub async fn close_reading_period(
        &self,
        actor: i64,
        house_id: i64,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let (_, settings) = self.one_house(house_id).await?;
        let today = local_today(now, &settings.time_zone);
        if period.day(settings.last_day) >= today {
            return Err(AppError::invalid(format!(
                "Окно приёма за {} ещё не закончилось — закрыть период можно после {}.",
                period.label(),
                period.day(settings.last_day).format("%d.%m.%Y")
            )));
        }
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let inserted = sqlx::query(CLOSE_READINGS_PERIOD)
                .bind(house_id)
                .bind(period.to_string())
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if inserted == 1 {
                audit!(
                    &mut *tx,
                    Some(actor),
                    "close_reading_period",
                    "house",
                    Some(house_id),
                    period.to_string()
                )?;
            }
            tx.commit().await
        }
        .await)
        .map_err(internal("close reading period"))
    }

    /// Marks a flagged reading as looked at (audited).
    pub async fn review_reading(
        &self,
        actor: i64,
        reading_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let changed = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query(
                "UPDATE readings SET reviewed_at = $1, reviewed_by = $2
                 WHERE id = $3 AND flag IS NOT NULL AND reviewed_at IS NULL",
            )
            .bind(now)
            .bind(actor)
            .bind(reading_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                audit!(
                    &mut *tx,
                    Some(actor),
                    "review_reading",
                    "reading",
                    Some(reading_id),
                    ""
                )?;
                tx.commit().await?;
            }
            Ok::<_, sqlx::Error>(n == 1)
        }
        .await)
        .map_err(internal("review reading"))?;
        changed.then_some(()).ok_or(AppError::NotFound)
    }

    /// The meters of an apartment with the current period, for the staff card.
    pub async fn apartment_meters(
        &self,
        apartment_id: i64,
        now: DateTime<Utc>,
    ) -> Result<ApartmentMeters, AppError> {
        let house_id: Option<i64> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT house_id FROM apartments WHERE id = $1"
        )
        .bind(apartment_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("load apartment house"))?;
        let house_id = house_id.ok_or(AppError::NotFound)?;
        let (_, settings) = self.one_house(house_id).await?;
        let today = local_today(now, &settings.time_zone);
        let window = rules::window_state(&settings, today);
        let period = rules::entry_period(window, true).unwrap_or_else(|_| Period::of(today));
        let (meters, corrections) = with_db!(&self.db, |pool| async {
            let mut conn = pool.acquire().await?;
            let filter = format!("m.apartment_id = {apartment_id}");
            let meters = load_meters!(conn, &filter).await?;
            let corrections = load_corrections!(conn, &filter).await?;
            Ok::<_, sqlx::Error>((meters, corrections))
        }
        .await)
        .map_err(internal("load apartment meters"))?;
        Ok(ApartmentMeters {
            apartment_id,
            house_id,
            today,
            window,
            period,
            meters: meters
                .iter()
                .map(|m| m.view(period, &corrections))
                .collect(),
        })
    }

    /// Adds a meter with its initial value (audited). Returns the new meter's id.
    pub async fn add_meter(
        &self,
        actor: i64,
        meter: &NewMeter,
        source: Source,
    ) -> Result<i64, AppError> {
        check_new_meter(meter).map_err(AppError::invalid)?;
        let result = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let id = insert_meter!(&mut *tx, meter, actor, source)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await);
        result.map_err(crate::db::unique_or_internal(
            "Счётчик с таким номером и ресурсом в этом доме уже есть.",
            "add meter",
        ))
    }

    /// Takes a meter off (its final value recorded) and, when `new` is given, puts the new one
    /// in its place with its initial value — one transaction, audited.
    pub async fn replace_meter(
        &self,
        actor: i64,
        meter_id: i64,
        on: NaiveDate,
        final_values: &[Decimal],
        new: Option<&NewMeter>,
        today: NaiveDate,
    ) -> Result<Option<i64>, AppError> {
        if on > today {
            return Err(AppError::invalid("Дата замены не может быть в будущем."));
        }
        if let Some(new) = new {
            check_new_meter(new).map_err(AppError::invalid)?;
        }
        let result = with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let filter = format!("m.id = {meter_id}");
            let Some(old) = load_meters!(tx, &filter).await?.into_iter().next() else {
                return Ok(Err(AppError::NotFound));
            };
            if old.row.archived_on.is_some() {
                return Ok(Err(AppError::invalid("Счётчик уже снят с учёта.")));
            }
            let period = Period::of(on);
            let check = ReadingCheck {
                verified_until: NaiveDate::MAX,
                previous: rules::previous_with_gap(&old.points(), period.plus(1)),
                ..old.check(period)
            };
            if let Err(e) = rules::check_reading(&check, final_values, on, today) {
                return Ok(Err(AppError::invalid(format!("Конечное показание: {e}"))));
            }
            insert_reading!(
                &mut *tx,
                meter_id,
                period,
                ReadingKind::Final,
                on,
                final_values,
                Source::Staff,
                Some(actor),
                None::<String>
            )?;
            let new_id = match new {
                Some(new) => Some(insert_meter!(&mut *tx, new, actor, Source::Staff)?),
                None => None,
            };
            sqlx::query("UPDATE meters SET archived_on = $1, replaced_by = $2 WHERE id = $3")
                .bind(on)
                .bind(new_id)
                .bind(meter_id)
                .execute(&mut *tx)
                .await?;
            let details = format!(
                "final {}; new meter {:?}",
                rules::format_values(final_values),
                new_id
            );
            audit!(
                &mut *tx,
                Some(actor),
                if new.is_some() {
                    "replace_meter"
                } else {
                    "archive_meter"
                },
                "meter",
                Some(meter_id),
                details
            )?;
            tx.commit().await?;
            Ok(Ok(new_id))
        }
        .await);
        match result {
            Ok(r) => r,
            Err(e) if is_unique_violation(&e) => Err(AppError::invalid(
                "Счётчик с таким номером и ресурсом в этом доме уже есть.",
            )),
            Err(e) => Err(internal("replace meter")(e)),
        }
    }

    /// Records a new verification (поверка) date and seal (audited).
    pub async fn reverify_meter(
        &self,
        actor: i64,
        meter_id: i64,
        verified_until: NaiveDate,
        seal: &str,
    ) -> Result<(), AppError> {
        let details = format!("verified until {verified_until}, seal {seal}");
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query(
                "UPDATE meters SET verified_until = $1, seal = $2 WHERE id = $3 AND archived_on IS NULL",
            )
            .bind(verified_until)
            .bind(seal.trim())
            .bind(meter_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                audit!(&mut *tx, Some(actor), "reverify_meter", "meter", Some(meter_id), details)?;
                tx.commit().await?;
            }
            Ok::<_, sqlx::Error>(n == 1)
        }
        .await)
        .map_err(internal("reverify meter"))?
        .then_some(())
        .ok_or(AppError::NotFound)
    }

    /// Corrects a reading with a reason (audited). The value must stay between its neighbours.
    /// A reading of a closed period keeps its old values in the correction, and the change is
    /// billed in the first open period as a recalculation. Returns that period, if any.
    pub async fn correct_reading(
        &self,
        actor: i64,
        reading_id: i64,
        values: &[Decimal],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Period>, AppError> {
        let reason = reason.trim();
        if reason.chars().count() < 5 {
            return Err(AppError::invalid(
                "Напишите причину исправления — она сохранится в журнале.",
            ));
        }
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let meter_id: Option<i64> = sqlx::query_scalar("SELECT meter_id FROM readings WHERE id = $1")
                .bind(reading_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(meter_id) = meter_id else {
                return Ok(Err(AppError::NotFound));
            };
            let filter = format!("m.id = {meter_id}");
            let Some(meter) = load_meters!(tx, &filter).await?.into_iter().next() else {
                return Ok(Err(AppError::NotFound));
            };
            let Some(index) = meter.readings.iter().position(|r| r.id == reading_id) else {
                return Ok(Err(AppError::NotFound));
            };
            let reading = &meter.readings[index];
            if values.len() != meter.row.zones as usize {
                return Ok(Err(AppError::invalid(rules::ReadingError::ZoneCount { expected: meter.row.zones as usize }.to_string())));
            }
            let zones = meter.row.zones as u8;
            if let Some(before) = index.checked_sub(1).map(|i| &meter.readings[i]) {
                for (i, v) in values.iter().enumerate() {
                    if let Err(e) = rules::check_zone(zones, i + 1, *v, Some(before.values()[i])) {
                        return Ok(Err(AppError::invalid(e.to_string())));
                    }
                }
            }
            if let Some(after) = meter.readings.get(index + 1) {
                for (i, v) in values.iter().enumerate() {
                    if *v > after.values()[i] {
                        return Ok(Err(AppError::invalid(format!(
                            "{}: {} больше следующего показания ({} за {}).",
                            rules::zone_label(zones, i + 1),
                            format_value(*v),
                            format_value(after.values()[i]),
                            after.period().label()
                        ))));
                    }
                }
            }
            let closed: Vec<String> = sqlx::query_scalar(
                "SELECT period FROM reading_periods_closed WHERE house_id = $1 AND period >= $2 ORDER BY period",
            )
            .bind(meter.row.house_id)
            .bind(reading.period.clone())
            .fetch_all(&mut *tx)
            .await?;
            let applied = (closed.first() == Some(&reading.period)).then(|| {
                let mut p = reading.period().plus(1);
                while closed.contains(&p.to_string()) {
                    p = p.plus(1);
                }
                p
            });
            let (z1, z2, z3) = zone_columns(values);
            sqlx::query(
                "INSERT INTO reading_corrections (reading_id, old_zone1, old_zone2, old_zone3, reason,
                     applied_period, corrected_by, corrected_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(reading_id)
            .bind(reading.zone1)
            .bind(reading.zone2)
            .bind(reading.zone3)
            .bind(reason)
            .bind(applied.map(|p| p.to_string()))
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE readings SET zone1 = $1, zone2 = $2, zone3 = $3 WHERE id = $4")
                .bind(z1)
                .bind(z2)
                .bind(z3)
                .bind(reading_id)
                .execute(&mut *tx)
                .await?;
            let details = format!(
                "{} → {}: {reason}",
                rules::format_values(&reading.values()),
                rules::format_values(values)
            );
            audit!(&mut *tx, Some(actor), "correct_reading", "reading", Some(reading_id), details)?;
            tx.commit().await?;
            Ok(Ok(applied))
        }
        .await)
        .map_err(internal("correct reading"))?
    }

    /// Sets a consumption norm from a date (demo data and staff; audited).
    pub async fn set_norm(
        &self,
        actor: Option<i64>,
        house_id: i64,
        resource: Utility,
        valid_from: NaiveDate,
        per_unit: Decimal,
        per_m2: bool,
    ) -> Result<(), AppError> {
        if per_unit.is_sign_negative() || per_unit > Decimal::from(100_000) || per_unit.scale() > 3
        {
            return Err(AppError::invalid(
                "Норматив — неотрицательное число, не больше трёх знаков после запятой.",
            ));
        }
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO consumption_norms (house_id, resource, valid_from, per_unit, basis)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (house_id, resource, valid_from) DO UPDATE SET
                     per_unit = excluded.per_unit, basis = excluded.basis",
            )
            .bind(house_id)
            .bind(resource.as_str())
            .bind(valid_from)
            .bind(to_milli(per_unit))
            .bind(if per_m2 { "m2" } else { "person" })
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                actor,
                "set_norm",
                "house",
                Some(house_id),
                format!("{} с {valid_from}: {per_unit}", resource.as_str())
            )?;
            tx.commit().await
        }
        .await)
        .map_err(internal("set norm"))
    }

    /// A house's consumption norms, newest first.
    pub async fn house_norms(&self, house_id: i64) -> Result<Vec<NormView>, AppError> {
        let rows: Vec<(String, NaiveDate, i64, String)> = with_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT resource, valid_from, per_unit, basis FROM consumption_norms
                 WHERE house_id = $1 ORDER BY resource, valid_from DESC",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await
        })
        .map_err(internal("load norms"))?;
        Ok(rows
            .into_iter()
            .filter_map(|(resource, valid_from, per_unit, basis)| {
                Some(NormView {
                    resource: Utility::parse(&resource)?,
                    valid_from,
                    per_unit: rules::from_milli(per_unit),
                    per_m2: basis == "m2",
                })
            })
            .collect())
    }
}

/// A resident to remind, with the meters of one home that still lack a reading.
#[derive(Debug, FromRow)]
struct Remindee {
    user_id: i64,
    apartment_id: i64,
    number: String,
    resource: String,
    serial: String,
}

#[derive(Debug, FromRow)]
struct VerificationDue {
    user_id: i64,
    meter_id: i64,
    resource: String,
    serial: String,
    number: String,
    verified_until: NaiveDate,
}

impl Store {
    /// One run of the reminder sweep (hourly): in each house where today (local time, from
    /// [`REMINDER_HOUR`]) is a reminder day of the window, every resident of a home with a meter
    /// still lacking a reading gets one notice; meters whose verification ends within 30 days
    /// remind their owners. A reminder already sent (same user and topic) is never sent again.
    /// Returns how many notices were queued.
    pub async fn send_reading_reminders(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        let mut sent = 0;
        for (house_id, address, settings) in self.house_settings(None).await? {
            let local = local_time(now, &settings.time_zone);
            if local.hour() < REMINDER_HOUR {
                continue;
            }
            let today = local.date();
            let stage = rules::reminder_stage(&settings, today);
            sent += with_db!(&self.db, |pool| async {
                let mut tx = pool.begin_write().await?;
                let mut sent = 0;
                if let Some((stage, period)) = stage {
                    let rows: Vec<Remindee> = sqlx::query_as(&format!(
                        "SELECT DISTINCT p.user_id, x.apartment_id, x.number, x.resource, x.serial
                         FROM ({ELIGIBLE_MISSING_SQL}) x
                         JOIN residencies r ON r.apartment_id = x.apartment_id
                         JOIN people p ON p.id = r.person_id
                         JOIN users u ON u.id = p.user_id
                         WHERE r.status = 'active' AND u.is_active
                           AND r.moved_in <= $4 AND (r.moved_out IS NULL OR r.moved_out > $4)
                         ORDER BY p.user_id, x.apartment_id"
                    ))
                    .bind(house_id)
                    .bind(period.to_string())
                    .bind(period.first_day())
                    .bind(today)
                    .fetch_all(&mut *tx)
                    .await?;
                    let closes = period.day(settings.last_day).format("%d.%m.%Y").to_string();
                    let when = match stage {
                        ReminderStage::Opened => format!("Открыт приём показаний за {} — до {closes} включительно.", period.label()),
                        ReminderStage::TwoDaysLeft => format!("Осталось два дня: приём показаний за {} — до {closes}.", period.label()),
                        ReminderStage::LastDay => format!("Сегодня, {closes}, последний день приёма показаний за {}.", period.label()),
                    };
                    let topic = format!("window:{period}:{}", stage.as_str());
                    let mut i = 0;
                    while i < rows.len() {
                        let (user, apartment) = (rows[i].user_id, rows[i].apartment_id);
                        let mut meters = Vec::new();
                        let number = rows[i].number.clone();
                        while i < rows.len() && rows[i].user_id == user && rows[i].apartment_id == apartment {
                            let label = Utility::parse(&rows[i].resource).map_or("", Utility::label);
                            meters.push(format!("{label} №{}", rows[i].serial));
                            i += 1;
                        }
                        let home_topic = format!("{topic}:{apartment}");
                        if remember!(&mut *tx, user, &home_topic, now)? {
                            let notice = Notice {
                                kind: NoticeKind::ReadingsDue,
                                recipients: Recipients::User(user),
                                params: BTreeMap::from([
                                    ("when".to_string(), when.clone()),
                                    ("meters".to_string(), meters.join(", ")),
                                    ("address".to_string(), format!("{address}, кв. {number}")),
                                ]),
                                link: Some("/cabinet/readings".into()),
                                source: Some(format!("readings:{house_id}:{period}")),
                            };
                            enqueue_notice!(&mut *tx, &notice)?;
                            sent += 1;
                        }
                    }
                }
                let due: Vec<VerificationDue> = sqlx::query_as(
                    "SELECT DISTINCT p.user_id, m.id AS meter_id, m.resource, m.serial, a.number, m.verified_until
                     FROM meters m JOIN apartments a ON a.id = m.apartment_id
                     JOIN residencies r ON r.apartment_id = a.id
                     JOIN people p ON p.id = r.person_id
                     JOIN users u ON u.id = p.user_id
                     WHERE m.house_id = $1 AND m.archived_on IS NULL
                       AND m.verified_until >= $2 AND m.verified_until <= $3
                       AND r.relation = 'owner' AND r.status = 'active' AND u.is_active
                       AND (r.moved_out IS NULL OR r.moved_out > $2)",
                )
                .bind(house_id)
                .bind(today)
                .bind(today + chrono::Days::new(rules::VERIFICATION_NOTICE_DAYS as u64))
                .fetch_all(&mut *tx)
                .await?;
                for d in due {
                    let topic = format!("verification:{}:{}", d.meter_id, d.verified_until);
                    if remember!(&mut *tx, d.user_id, &topic, now)? {
                        let label = Utility::parse(&d.resource).map_or("", Utility::label);
                        let notice = Notice {
                            kind: NoticeKind::MeterVerification,
                            recipients: Recipients::User(d.user_id),
                            params: BTreeMap::from([
                                ("meter".to_string(), format!("{label} №{}", d.serial)),
                                ("address".to_string(), format!("{address}, кв. {}", d.number)),
                                ("date".to_string(), d.verified_until.format("%d.%m.%Y").to_string()),
                            ]),
                            link: Some(format!("/cabinet/readings/meter/{}", d.meter_id)),
                            source: Some(format!("meter:{}", d.meter_id)),
                        };
                        enqueue_notice!(&mut *tx, &notice)?;
                        sent += 1;
                    }
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(sent)
            }
            .await)
            .map_err(internal("send reading reminders"))?;
        }
        Ok(sent)
    }
}

impl Store {
    /// Imports meters of one house from a CSV/XLSX file: with `commit` false only checks; with
    /// it true writes every row in one transaction, and nothing when any row is wrong.
    pub async fn import_meters(
        &self,
        actor: i64,
        house_id: i64,
        bytes: &[u8],
        commit: bool,
    ) -> Result<ImportReport, AppError> {
        let table = crate::sheet::read_table(bytes).map_err(AppError::invalid)?;
        let (lines, mut errors) = super::import::check_rows(&table);
        type Numbers = Vec<(i64, String)>;
        type Serials = Vec<(String, String)>;
        let (apartments, existing): (Numbers, Serials) = with_db!(&self.db, |pool| async {
            let apartments =
                sqlx::query_as("SELECT id, number FROM apartments WHERE house_id = $1")
                    .bind(house_id)
                    .fetch_all(pool)
                    .await?;
            let existing =
                sqlx::query_as("SELECT resource, serial FROM meters WHERE house_id = $1")
                    .bind(house_id)
                    .fetch_all(pool)
                    .await?;
            Ok::<_, sqlx::Error>((apartments, existing))
        }
        .await)
        .map_err(internal("load import context"))?;
        let mut seen: Vec<(Utility, String)> = Vec::new();
        let mut meters = Vec::new();
        for l in &lines {
            let building = super::import::is_building(&l.apartment);
            let apartment = apartments
                .iter()
                .find(|(_, n)| n.eq_ignore_ascii_case(&l.apartment));
            let taken = existing
                .iter()
                .any(|(r, s)| r == l.resource.as_str() && *s == l.serial)
                || seen.contains(&(l.resource, l.serial.clone()));
            let meter = NewMeter {
                house_id,
                apartment_id: if building {
                    None
                } else {
                    apartment.map(|a| a.0)
                },
                resource: l.resource,
                serial: l.serial.clone(),
                zones: l.zones,
                place: l.place.clone(),
                installed_on: l.installed_on,
                verified_until: l.verified_until,
                seal: l.seal.clone(),
                initial: l.initial.clone(),
            };
            let problem = if apartment.is_none() && !building {
                Some(format!("квартиры {} в этом доме нет", l.apartment))
            } else if taken {
                Some(format!(
                    "счётчик {} №{} уже есть",
                    l.resource.label(),
                    l.serial
                ))
            } else {
                check_new_meter(&meter).err()
            };
            match problem {
                Some(p) => errors.push(format!("Строка {}: {p}.", l.line)),
                None => {
                    seen.push((l.resource, l.serial.clone()));
                    meters.push(meter);
                }
            }
        }
        crate::sheet::sort_by_line(&mut errors);
        let rows = lines.len() + errors.len() - (lines.len() - meters.len());
        if !commit || !errors.is_empty() || meters.is_empty() {
            return Ok(ImportReport {
                rows,
                errors,
                notes: Vec::new(),
                saved: false,
            });
        }
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            for m in &meters {
                insert_meter!(&mut *tx, m, actor, Source::Import)?;
            }
            audit!(
                &mut *tx,
                Some(actor),
                "import_meters",
                "house",
                Some(house_id),
                format!("{} meters", meters.len())
            )?;
            tx.commit().await
        }
        .await)
        .map_err(internal("import meters"))?;
        Ok(ImportReport {
            rows,
            errors,
            notes: Vec::new(),
            saved: true,
        })
    }
}

impl Store {
    /// The recurring reminder job: one sweep, then the next run at the top of the next hour.
    pub async fn reading_reminders_job(
        &self,
        job: &crate::db::jobs::Job,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let sent = self.send_reading_reminders(now).await?;
        let next = now
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .unwrap_or(now)
            + chrono::Duration::hours(1);
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            if crate::reschedule_job!(&mut *tx, job.id, worker, next, "{}", None::<String>)? {
                tx.commit().await?;
            }
            Ok::<_, sqlx::Error>(())
        }
        .await)
        .map_err(internal("reschedule reminders"))?;
        Ok(sent)
    }
}

/// A reading of the past, for loading a meter with its history (demo data, migrations).
#[derive(Debug, Clone)]
pub struct PastReading {
    pub period: Period,
    pub taken_on: NaiveDate,
    pub values: Vec<Decimal>,
    pub source: Source,
}

impl Store {
    /// Loads meters with their past readings in one transaction (readings in multi-row inserts:
    /// a demo year is ten thousand of them). Readings far above the meter's average are flagged
    /// by the same rule as new ones.
    pub async fn load_meters(
        &self,
        items: &[(NewMeter, Vec<PastReading>)],
    ) -> Result<(), AppError> {
        /// Rows per statement: 10 values each stays under SQLite's 32 766 parameters.
        const CHUNK: usize = 1000;
        with_db!(&self.db, |pool| async {
            let mut tx = pool.begin_write().await?;
            let mut rows = Vec::new();
            for (m, readings) in items {
                let id = insert_meter_row!(tx, m)?;
                let installed = Period::of(m.installed_on);
                let mut facts = MeterFacts {
                    zones: usize::from(m.zones),
                    installed,
                    archived: None,
                    verified_until: m.verified_until,
                    residential: true,
                    points: vec![Point {
                        period: installed,
                        kind: ReadingKind::Initial,
                        values: m.initial.clone(),
                    }],
                };
                rows.push((
                    id,
                    installed,
                    ReadingKind::Initial,
                    m.installed_on,
                    m.initial.clone(),
                    Source::Import,
                    None,
                ));
                for r in readings {
                    let flag = rules::previous_with_gap(&facts.points, r.period).and_then(
                        |(p, months)| {
                            rules::anomaly(
                                rules::consumption(&r.values, &p),
                                rules::average_before(&facts, r.period),
                                months,
                            )
                        },
                    );
                    rows.push((
                        id,
                        r.period,
                        ReadingKind::Regular,
                        r.taken_on,
                        r.values.clone(),
                        r.source,
                        flag,
                    ));
                    facts.points.push(Point {
                        period: r.period,
                        kind: ReadingKind::Regular,
                        values: r.values.clone(),
                    });
                }
            }
            let now = Utc::now();
            for chunk in rows.chunks(CHUNK) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO readings (meter_id, period, kind, taken_on, zone1, zone2, zone3,
                         source, entered_at, flag) ",
                );
                insert.push_values(
                    chunk,
                    |mut row, (meter, period, kind, taken_on, values, source, flag)| {
                        let (z1, z2, z3) = zone_columns(values);
                        row.push_bind(*meter)
                            .push_bind(period.to_string())
                            .push_bind(kind.as_str())
                            .push_bind(*taken_on)
                            .push_bind(z1)
                            .push_bind(z2)
                            .push_bind(z3)
                            .push_bind(source.as_str())
                            .push_bind(now)
                            .push_bind(flag.clone());
                    },
                );
                insert.build().execute(&mut *tx).await?;
            }
            tx.commit().await
        }
        .await)
        .map_err(internal("load meters"))
    }
}
