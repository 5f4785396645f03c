//! Volumes for billing: each apartment's (and the building meter's) use per resource and
//! period, from readings, averages or norms.

use super::*;

/// A meter as volumes need it, in a bulk read (see `db::bulk`): id, apartment, serial, zones,
/// installed, verified until, archived, and whether its premises are residential (0/1).
pub(super) type VolumeMeterRow = (
    i64,
    Option<i64>,
    String,
    i64,
    NaiveDate,
    NaiveDate,
    Option<NaiveDate>,
    u8,
);

pub(super) const VOLUME_METER_COLUMNS: &str =
    "m.id, m.apartment_id, m.serial, m.zones, m.installed_on,
     m.verified_until, m.archived_on, CASE WHEN COALESCE(a.is_residential, TRUE) THEN 1 ELSE 0 END";

/// A reading as volumes need it, in a bulk read (see `db::bulk`), numbers only: id, meter, the
/// period as `year × 12 + month − 1`, the kind's rank (initial 0, regular 1, final 2 — the rules'
/// order within a month) and the zones' values in thousandths.
pub(super) type VolumeReadingRow = (i64, i64, i32, u8, i64, Option<i64>, Option<i64>);

pub(super) const VOLUME_READING_COLUMNS: &str = "r.id, r.meter_id,
     CAST(substr(r.period, 1, 4) AS INTEGER) * 12 + CAST(substr(r.period, 6, 2) AS INTEGER) - 1,
     CASE r.kind WHEN 'initial' THEN 0 WHEN 'regular' THEN 1 ELSE 2 END,
     r.zone1, r.zone2, r.zone3";

/// A meter as volumes see it: its apartment (None: a building meter), its name for the
/// explanation, its facts for the rules, and the id of each of the facts' points (corrections
/// name readings by id).
#[derive(Debug, Clone)]
pub(super) struct CountingMeter {
    id: i64,
    apartment_id: Option<i64>,
    name: String,
    facts: MeterFacts,
    ids: Vec<i64>,
}

/// Volumes' readings grouped by meter: each meter's reading ids and points in the rules' order —
/// by period, initial before regular before final (a bulk read comes unordered: sorting here is
/// cheaper than in the database).
pub(super) fn points_by_meter(
    mut readings: Vec<VolumeReadingRow>,
) -> HashMap<i64, (Vec<i64>, Vec<Point>)> {
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
pub(super) fn counting_meters(
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
pub(super) fn milli_values(zone1: i64, zone2: Option<i64>, zone3: Option<i64>) -> Vec<Decimal> {
    [Some(zone1), zone2, zone3]
        .into_iter()
        .flatten()
        .map(from_milli)
        .collect()
}

pub(super) fn corrections_sql(filter: &str) -> String {
    format!(
        "SELECT c.reading_id, c.reason, c.corrected_at, u.full_name
         FROM reading_corrections c JOIN readings r ON r.id = c.reading_id
         JOIN meters m ON m.id = r.meter_id
         LEFT JOIN apartments a ON a.id = m.apartment_id
         JOIN users u ON u.id = c.corrected_by
         WHERE {filter} ORDER BY c.id"
    )
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
pub(super) type NormRow = (NaiveDate, i64, String);

/// The norm function of one apartment and resource.
pub(super) fn norm_for(
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

/// The apartments volumes are computed for (id, house, area in cm²) and their residents' stays.
pub(super) struct VolumeApartments {
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

/// A correction billed in the period: the reading's id, its meter and its values before
/// (thousandths).
pub(super) type Correction = (i64, i64, i64, Option<i64>, Option<i64>);

/// Meters per read of whole histories (an `IN` list of ids).
pub(super) const WHOLE_HISTORY_METERS: usize = 1000;

/// One apartment's (or the building's) volume from the meters counting in `period`.
pub(super) fn apartment_volume(
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

impl Store {
    /// The volume billing charges for `resource` in `apartment_id` for `period` (docs/domain.md «Meter readings»):
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
    pub(super) async fn resource_volumes(
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
