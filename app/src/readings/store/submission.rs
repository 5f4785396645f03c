//! A resident's meters and readings: what they see, what they hand in, a meter's history.

use super::*;
use crate::db::TxError;
use crate::write_tx;

/// The apartments user `$1` lives in on day `$2`.
pub(super) fn homes_sql() -> String {
    format!(
        "SELECT DISTINCT r.apartment_id FROM residencies r JOIN people p ON p.id = r.person_id
         WHERE p.user_id = $1 AND {}",
        crate::db::residency_in_force("$2")
    )
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
        write_tx!(self, "submit readings", |tx| {
            let filter = format!("m.id IN ({})", id_list(&ids));
            let meters = load_meters!(tx, &filter).await?;
            let homes: Vec<i64> = if by.staff {
                Vec::new()
            } else {
                sqlx::query_scalar(&homes_sql())
                    .bind(by.user_id)
                    .bind(crate::clock::local(now).date())
                    .fetch_all(&mut *tx)
                    .await?
            };
            let mut problems = Vec::new();
            let mut rows = Vec::new();
            for (meter_id, values) in entries {
                let Some(meter) = meters.iter().find(|m| m.row.id == *meter_id) else {
                    return Err(AppError::NotFound.into());
                };
                if !by.staff && !meter.row.apartment_id.is_some_and(|a| homes.contains(&a)) {
                    tracing::warn!(
                        user_id = by.user_id,
                        meter_id,
                        "reading for a meter of another home refused"
                    );
                    return Err(AppError::Forbidden.into());
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
                        return Err(AppError::invalid(t::closed_until(
                            &opens.format("%d.%m.%Y").to_string(),
                        ))
                        .into());
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
                return Err(AppError::invalid(problems.join("\n")).into());
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
            Ok(Submitted {
                saved: rows.len(),
                flagged,
                period: rows.first().map(|r| r.1),
            })
        })
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
    pub(super) async fn meter_with_context(
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
                return Err(AppError::NotFound.into());
            };
            let corrections = load_corrections!(conn, &filter).await?;
            let (norms, stays) = load_norm_basis!(
                conn,
                meter.row.house_id,
                &meter.row.resource,
                meter.row.apartment_id
            )
            .await?;
            Ok::<_, TxError>((meter, corrections, norms, stays))
        }
        .await)
        .map_err(|e| e.into_app("load meter history"))
    }
}
