//! Staff's work with a house's readings: the period's table, closing it, review, meters and
//! their replacement, corrections and norms.

use super::*;
use crate::write_tx;

#[derive(Debug, FromRow)]
pub(super) struct MissingMeter {
    apartment_id: i64,
    number: String,
    resource: Utility,
    serial: String,
}

/// Apartments' numbers in the order people expect: 2 before 10, 10а after 10.
pub(super) fn apartment_order(number: &str) -> (u64, String) {
    let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), number.to_string())
}

/// Closes house `$1`'s readings for period `$2` (by `$3` at `$4`); closing twice is no change.
/// Billing's posting closes the period with the same statement.
pub const CLOSE_READINGS_PERIOD: &str =
    "INSERT INTO reading_periods_closed (house_id, period, closed_by, closed_at)
     VALUES ($1, $2, $3, $4) ON CONFLICT (house_id, period) DO NOTHING";

/// Meters that take readings for `$2` (period) in house `$1`, with `$3` the period's first day.
pub(super) const IS_CLOSED_SQL: &str =
    "SELECT COUNT(*) FROM reading_periods_closed WHERE house_id = $1 AND period = $2";

pub(super) const ELIGIBLE_MISSING_SQL: &str =
    "SELECT a.id AS apartment_id, a.number, m.resource, m.serial
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
            let last_closed: Option<Period> = sqlx::query_scalar(
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
            let resource = m.resource.label();
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
            last_closed,
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
        write_tx!(self, "close reading period", |tx| {
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
            Ok(())
        })
    }

    /// Marks a flagged reading as looked at (audited).
    pub async fn review_reading(
        &self,
        actor: i64,
        reading_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let changed = write_tx!(self, "review reading", |tx| {
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
            }
            Ok(n == 1)
        })?;
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
        write_tx!(self, "add meter", |tx| {
            Ok(insert_meter!(&mut *tx, meter, actor, source)?)
        })
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
        write_tx!(self, "replace meter", |tx| {
            let filter = format!("m.id = {meter_id}");
            let Some(old) = load_meters!(tx, &filter).await?.into_iter().next() else {
                return Err(AppError::NotFound.into());
            };
            if old.row.archived_on.is_some() {
                return Err(AppError::invalid("Счётчик уже снят с учёта.").into());
            }
            let period = Period::of(on);
            let check = ReadingCheck {
                verified_until: NaiveDate::MAX,
                previous: rules::previous_with_gap(&old.points(), period.plus(1)),
                ..old.check(period)
            };
            if let Err(e) = rules::check_reading(&check, final_values, on, today) {
                return Err(AppError::invalid(format!("Конечное показание: {e}")).into());
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
            Ok(new_id)
        })
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
        write_tx!(self, "reverify meter", |tx| {
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
            }
            Ok(n == 1)
        })?
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
        write_tx!(self, "correct reading", |tx| {
            let meter_id: Option<i64> =
                sqlx::query_scalar("SELECT meter_id FROM readings WHERE id = $1")
                    .bind(reading_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(meter_id) = meter_id else {
                return Err(AppError::NotFound.into());
            };
            let filter = format!("m.id = {meter_id}");
            let Some(meter) = load_meters!(tx, &filter).await?.into_iter().next() else {
                return Err(AppError::NotFound.into());
            };
            let Some(index) = meter.readings.iter().position(|r| r.id == reading_id) else {
                return Err(AppError::NotFound.into());
            };
            let reading = &meter.readings[index];
            if values.len() != meter.row.zones as usize {
                return Err(AppError::invalid(
                    rules::ReadingError::ZoneCount {
                        expected: meter.row.zones as usize,
                    }
                    .to_string(),
                )
                .into());
            }
            let zones = meter.row.zones as u8;
            if let Some(before) = index.checked_sub(1).map(|i| &meter.readings[i]) {
                for (i, v) in values.iter().enumerate() {
                    if let Err(e) = rules::check_zone(zones, i + 1, *v, Some(before.values()[i])) {
                        return Err(AppError::invalid(e.to_string()).into());
                    }
                }
            }
            if let Some(after) = meter.readings.get(index + 1) {
                for (i, v) in values.iter().enumerate() {
                    if *v > after.values()[i] {
                        return Err(AppError::invalid(format!(
                            "{}: {} больше следующего показания ({} за {}).",
                            rules::zone_label(zones, i + 1),
                            format_value(*v),
                            format_value(after.values()[i]),
                            after.period().label()
                        ))
                        .into());
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
            audit!(
                &mut *tx,
                Some(actor),
                "correct_reading",
                "reading",
                Some(reading_id),
                details
            )?;
            Ok(applied)
        })
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
        write_tx!(self, "set norm", |tx| {
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
            Ok(())
        })
    }

    /// A house's consumption norms, newest first.
    pub async fn house_norms(&self, house_id: i64) -> Result<Vec<NormView>, AppError> {
        let rows: Vec<(Utility, NaiveDate, i64, String)> = with_db!(&self.db, |pool| {
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
            .map(|(resource, valid_from, per_unit, basis)| NormView {
                resource,
                valid_from,
                per_unit: rules::from_milli(per_unit),
                per_m2: basis == "m2",
            })
            .collect())
    }
}
