//! Each house's submission window and time zone.

use super::*;
use crate::write_tx;

/// The house's local date at `now` (an unknown zone name counts as Moscow).
pub fn local_today(now: DateTime<Utc>, time_zone: &str) -> NaiveDate {
    local_time(now, time_zone).date()
}

pub(crate) fn local_time(now: DateTime<Utc>, time_zone: &str) -> chrono::NaiveDateTime {
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

impl Store {
    pub(crate) async fn house_settings(
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

    pub(super) async fn one_house(
        &self,
        house_id: i64,
    ) -> Result<(String, WindowSettings), AppError> {
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
        write_tx!(self, "save reading settings", |tx| {
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
            audit!(
                &mut *tx,
                Some(actor),
                "reading_window",
                "house",
                Some(house_id),
                details
            )?;
            Ok(())
        })
    }
}
