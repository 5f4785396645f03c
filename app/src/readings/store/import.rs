//! Importing a house's meters from a spreadsheet, and meters with their past readings.

use super::*;
use crate::write_tx;

/// A reading of the past, for loading a meter with its history (demo data, migrations).
#[derive(Debug, Clone)]
pub struct PastReading {
    pub period: Period,
    pub taken_on: NaiveDate,
    pub values: Vec<Decimal>,
    pub source: Source,
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
        let (lines, mut errors) = crate::readings::import::check_rows(&table);
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
            let building = crate::readings::import::is_building(&l.apartment);
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
        write_tx!(self, "import meters", |tx| {
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
            Ok(())
        })?;
        Ok(ImportReport {
            rows,
            errors,
            notes: Vec::new(),
            saved: true,
        })
    }

    /// Loads meters with their past readings in one transaction (readings in multi-row inserts:
    /// a demo year is ten thousand of them). Readings far above the meter's average are flagged
    /// by the same rule as new ones.
    pub async fn load_meters(
        &self,
        items: &[(NewMeter, Vec<PastReading>)],
    ) -> Result<(), AppError> {
        /// Rows per statement: 10 values each stays under SQLite's 32 766 parameters.
        const CHUNK: usize = 1000;
        write_tx!(self, "load meters", |tx| {
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
            Ok(())
        })
    }
}
