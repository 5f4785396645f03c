//! Services and their dated tariffs, per house.

use super::*;
use crate::write_tx;

impl Store {
    /// The latest posted period of a house.
    pub(super) async fn last_posted(&self, house_id: i64) -> Result<Option<Period>, AppError> {
        let last: Option<Period> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT MAX(period) FROM accrual_runs WHERE house_id = $1 AND status = 'posted'"
        )
        .bind(house_id)
        .fetch_one(pool)
        .await)
        .map_err(internal("last posted period"))?;
        Ok(last)
    }

    /// Refuses a price or norm that would start inside a posted period: closed periods never
    /// change.
    pub async fn ensure_open(&self, house_id: i64, valid_from: NaiveDate) -> Result<(), AppError> {
        match self.last_posted(house_id).await? {
            Some(last) if Period::of(valid_from) <= last => Err(AppError::invalid(format!(
                "Период {} уже проведён — изменение может действовать не раньше {}.",
                last.label(),
                last.plus(1).first_day().format("%d.%m.%Y")
            ))),
            _ => Ok(()),
        }
    }

    /// A house's services with their tariffs.
    pub async fn house_tariffs(&self, house_id: i64) -> Result<HouseTariffs, AppError> {
        let (address, services, tariffs) = with_db!(&self.db, |pool| async {
            let address: Option<String> =
                sqlx::query_scalar("SELECT address FROM houses WHERE id = $1")
                    .bind(house_id)
                    .fetch_optional(pool)
                    .await?;
            let services: Vec<(i64, String, Basis, Option<Utility>, Section)> = sqlx::query_as(
                "SELECT id, name, basis, resource, section FROM services
                 WHERE house_id = $1 ORDER BY sort, id",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await?;
            let tariffs: Vec<(i64, i64, NaiveDate, i64, DecimalText)> = sqlx::query_as(
                "SELECT t.id, t.service_id, t.valid_from, t.zone, t.rate FROM tariffs t
                 JOIN services s ON s.id = t.service_id WHERE s.house_id = $1
                 ORDER BY t.valid_from DESC, t.zone",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((address, services, tariffs))
        }
        .await)
        .map_err(internal("load tariffs"))?;
        let address = address.ok_or(AppError::NotFound)?;
        let services = services
            .into_iter()
            .map(|(id, name, basis, resource, section)| ServiceView {
                id,
                name,
                basis,
                resource,
                section,
                tariffs: tariffs
                    .iter()
                    .filter(|t| t.1 == id)
                    .map(|t| TariffView {
                        id: t.0,
                        valid_from: t.2,
                        zone: t.3 as u8,
                        rate: t.4.0,
                    })
                    .collect(),
            })
            .collect();
        Ok(HouseTariffs {
            house_id,
            address,
            services,
            last_posted: self.last_posted(house_id).await?,
            payee: self.payee().await?,
            norms: self.house_norms(house_id).await?,
        })
    }

    /// Adds a service to a house (audited).
    pub async fn add_service(&self, actor: Option<i64>, s: &NewService) -> Result<i64, AppError> {
        let name = s.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(AppError::invalid("Название услуги — от 1 до 120 символов."));
        }
        if s.basis.needs_resource() != s.resource.is_some() {
            return Err(AppError::invalid(if s.basis.needs_resource() {
                "Для этой услуги укажите ресурс (вода, электроэнергия, отопление)."
            } else {
                "Ресурс указывается только для услуг по объёму и на общедомовые нужды."
            }));
        }
        write_tx!(self, "add service", |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO services (house_id, name, basis, resource, section, sort)
                 VALUES ($1, $2, $3, $4, $5,
                     (SELECT COUNT(*) FROM services WHERE house_id = $1)) RETURNING id",
            )
            .bind(s.house_id)
            .bind(name)
            .bind(s.basis.as_str())
            .bind(s.resource.map(Utility::as_str))
            .bind(s.section.as_str())
            .fetch_one(&mut *tx)
            .await?;
            audit!(&mut *tx, actor, "add_service", "service", Some(id), name)?;
            Ok(id)
        })
    }

    /// Sets a service's price from the first day of a month for a zone (audited). A price may
    /// not start in a posted period: closed periods never change.
    pub async fn set_tariff(
        &self,
        actor: Option<i64>,
        service_id: i64,
        valid_from: NaiveDate,
        zone: u8,
        rate: Decimal,
    ) -> Result<(), AppError> {
        if chrono::Datelike::day(&valid_from) != 1 {
            return Err(AppError::invalid(
                "Тариф действует с первого числа месяца — укажите 1-е число.",
            ));
        }
        if !(1..=3).contains(&zone) {
            return Err(AppError::invalid("Зона — 1, 2 или 3."));
        }
        if rate.is_sign_negative() || rate > Decimal::from(1_000_000) || rate.scale() > 4 {
            return Err(AppError::invalid(
                "Тариф — неотрицательное число рублей, не больше четырёх знаков после запятой.",
            ));
        }
        let house_id: Option<i64> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT house_id FROM services WHERE id = $1"
        )
        .bind(service_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("find service"))?;
        let house_id = house_id.ok_or(AppError::NotFound)?;
        self.ensure_open(house_id, valid_from).await?;
        write_tx!(self, "set tariff", |tx| {
            sqlx::query(
                "INSERT INTO tariffs (service_id, valid_from, zone, rate, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (service_id, zone, valid_from) DO UPDATE SET rate = excluded.rate,
                     created_by = excluded.created_by, created_at = excluded.created_at",
            )
            .bind(service_id)
            .bind(valid_from)
            .bind(i64::from(zone))
            .bind(rate.normalize().to_string())
            .bind(actor)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                actor,
                "set_tariff",
                "service",
                Some(service_id),
                format!("с {valid_from}, зона {zone}: {rate} ₽")
            )?;
            Ok(())
        })
    }
}
