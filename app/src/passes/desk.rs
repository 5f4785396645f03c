//! Database side of the dispatcher's desk: a house's passes of a day, the log of entries and
//! exits (on screen and for export), and the cars inside now.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use sqlx::FromRow;

use super::store::{HOUSE_TZ, PassData, house_tz, pass_sql};
use super::types::*;
use crate::db::{Store, internal};
use crate::error::AppError;
use crate::with_db;

/// The most log rows an export holds (a year of a large house's gate is far less).
pub const EXPORT_LIMIT: i64 = 100_000;
/// The most rows the desk shows of a day.
pub const DAY_LIMIT: i64 = 500;

#[derive(Debug, FromRow)]
struct LogData {
    at: DateTime<Utc>,
    direction: Direction,
    kind: PassKind,
    visitor: Option<String>,
    plate: Option<String>,
    car_note: String,
    address: String,
    flat: String,
    guard: Option<String>,
    erased: bool,
}

impl LogData {
    fn row(self) -> LogRow {
        let who = match (&self.visitor, &self.plate) {
            _ if self.erased => "—".to_string(),
            (Some(v), _) if !v.is_empty() => v.clone(),
            (_, Some(p)) if !self.car_note.is_empty() => format!("{p} ({})", self.car_note),
            (_, Some(p)) => p.clone(),
            _ => "—".to_string(),
        };
        LogRow {
            at: crate::clock::format_moment(self.at),
            direction: self.direction,
            kind: self.kind,
            who,
            plate: self.plate,
            home: format!("{}, кв. {}", self.address, self.flat),
            by: self.guard.unwrap_or_else(|| "камера".to_string()),
        }
    }
}

/// The moments a house's days `first..=last` begin and end.
async fn days_span(
    store: &Store,
    house_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
    let sql = format!("SELECT {HOUSE_TZ} FROM houses h WHERE h.id = $1");
    let tz: Option<String> = with_db!(&store.db, |pool| sqlx::query_scalar(&sql)
        .bind(house_id)
        .fetch_optional(pool)
        .await)
    .map_err(internal("house time zone"))?;
    let tz = house_tz(&tz.ok_or(AppError::NotFound)?);
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or(AppError::Internal)
    };
    Ok((start(first)?, start(last.succ_opt().unwrap_or(last))?))
}

impl Store {
    /// The log of a house's gate over the days `first..=last`, newest first, at most `limit`.
    pub async fn pass_log(
        &self,
        house_id: i64,
        first: NaiveDate,
        last: NaiveDate,
        limit: i64,
    ) -> Result<Vec<LogRow>, AppError> {
        let (from, until) = days_span(self, house_id, first, last).await?;
        let sql = format!(
            "SELECT e.at, e.direction, p.kind, p.visitor, p.plate, p.car_note, h.address,
                 a.number AS flat, u.full_name AS guard, (p.erased_at IS NOT NULL) AS erased
             FROM pass_entries e JOIN passes p ON p.id = e.pass_id
             JOIN houses h ON h.id = e.house_id JOIN apartments a ON a.id = p.apartment_id
             LEFT JOIN users u ON u.id = e.guard_user_id
             WHERE e.house_id = $1 AND e.at >= $2 AND e.at < $3
             ORDER BY e.at DESC, e.id DESC LIMIT {limit}"
        );
        let rows = with_db!(&self.db, |pool| sqlx::query_as::<_, LogData>(&sql)
            .bind(house_id)
            .bind(from)
            .bind(until)
            .fetch_all(pool)
            .await)
        .map_err(internal("pass log"))?;
        Ok(rows.into_iter().map(LogData::row).collect())
    }

    /// A house's passes whose window touches `day` (the permanent ones are not of a day).
    pub async fn passes_of_day(
        &self,
        house_id: i64,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<PassRow>, AppError> {
        let (from, until) = days_span(self, house_id, day, day).await?;
        let sql = format!(
            "{} ORDER BY p.valid_from, p.id LIMIT {DAY_LIMIT}",
            pass_sql(
                "p.house_id = $1 AND p.valid_until IS NOT NULL AND p.valid_from < $3
                 AND p.valid_until > $2"
            )
        );
        let rows = with_db!(&self.db, |pool| sqlx::query_as::<_, PassData>(&sql)
            .bind(house_id)
            .bind(from)
            .bind(until)
            .fetch_all(pool)
            .await)
        .map_err(internal("passes of day"))?;
        Ok(rows.iter().map(|p| p.row(now)).collect())
    }

    /// The cars whose last passage through the house's gate was in: inside now.
    pub async fn cars_inside(
        &self,
        house_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<InsideRow>, AppError> {
        let sql = format!(
            "SELECT e.at AS since, d.* FROM ({}) d
             JOIN pass_entries e ON e.pass_id = d.id
             WHERE d.plate IS NOT NULL AND e.direction = 'in'
             AND e.id = (SELECT MAX(l.id) FROM pass_entries l WHERE l.pass_id = d.id)
             ORDER BY e.at LIMIT {DAY_LIMIT}",
            pass_sql("p.house_id = $1")
        );
        let rows = with_db!(&self.db, |pool| sqlx::query_as::<_, Inside>(&sql)
            .bind(house_id)
            .fetch_all(pool)
            .await)
        .map_err(internal("cars inside"))?;
        Ok(rows
            .into_iter()
            .map(|Inside { since, pass }| InsideRow {
                pass_id: pass.id,
                kind: pass.kind,
                plate: pass.plate.clone().unwrap_or_default(),
                who: pass.who(),
                home: pass.home(),
                since: crate::clock::format_moment(since),
                overdue: pass.kind != PassKind::Car
                    && pass.valid_until.is_some_and(|until| until <= now),
            })
            .collect())
    }
}

#[derive(Debug, FromRow)]
struct Inside {
    since: DateTime<Utc>,
    #[sqlx(flatten)]
    pass: PassData,
}

/// The log's columns in a download.
pub const LOG_HEAD: [&str; 7] = [
    "Когда",
    "Въезд/выезд",
    "Пропуск",
    "Кто",
    "Номер машины",
    "Квартира",
    "Отметил",
];

/// The log as a download's rows.
pub fn log_table(rows: &[LogRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                r.at.clone(),
                super::text::direction_label(r.direction).to_string(),
                super::text::staff_kind_label(r.kind).to_string(),
                r.who.clone(),
                r.plate.clone().unwrap_or_default(),
                r.home.clone(),
                r.by.clone(),
            ]
        })
        .collect()
}
