//! Server functions of meter readings: authorise → validate → one store call.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::rules,
    super::store::{Submitted, Submitter},
    crate::auth::guard::Access,
    crate::auth::types::Permission,
    crate::context::Ctx,
    chrono::NaiveDate,
    rust_decimal::Decimal,
};

pub use super::types::ImportReport;

#[server(endpoint = "load_my_readings")]
pub async fn load_my_readings() -> Result<MyReadings, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.store.my_readings(user.id, chrono::Utc::now()).await
}

#[cfg(feature = "ssr")]
fn entries(v: Option<BTreeMap<String, String>>) -> Result<rules::Entries, AppError> {
    rules::form_entries(&v.unwrap_or_default()).map_err(|(_, e)| AppError::invalid(e))
}

/// The resident hands in readings (`v[m<meter>.<zone>]` fields); how many were saved.
#[server(endpoint = "submit_my_readings")]
pub async fn submit_my_readings(v: Option<BTreeMap<String, String>>) -> Result<usize, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    let by = Submitter {
        user_id: user.id,
        source: Source::Cabinet,
        staff: false,
        taken_on: None,
    };
    let Submitted { saved, .. } = cx
        .store
        .submit_readings(by, &entries(v)?, chrono::Utc::now())
        .await?;
    Ok(saved)
}

#[server(endpoint = "load_meter_history")]
pub async fn load_meter_history(meter_id: i64) -> Result<MeterHistory, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Meter(meter_id)).await?;
    cx.store.meter_history(meter_id, chrono::Utc::now()).await
}

#[server(endpoint = "load_house_readings")]
pub async fn load_house_readings(
    house_id: Option<i64>,
    period: Option<String>,
) -> Result<HouseReadings, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ViewRegister))
        .await?;
    let house_id = cx.store.house_or_first(house_id).await?;
    let period = period
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| Period::parse(p).ok_or_else(|| AppError::invalid("Период — в виде 2026-11.")));
    let period = period.transpose()?;
    let house = cx
        .store
        .house_readings(house_id, period, chrono::Utc::now())
        .await?;
    // it names residents who have not handed in: who looked is recorded (152-ФЗ)
    cx.store
        .log_view(actor.id, "house_readings", Some(house_id))
        .await?;
    Ok(house)
}

#[server(endpoint = "save_reading_window")]
pub async fn save_reading_window(
    house_id: i64,
    first_day: u32,
    last_day: u32,
    mode: String,
    time_zone: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageMeters))
        .await?;
    let settings = WindowSettings {
        first_day,
        last_day,
        strict: mode != "soft",
        time_zone,
    };
    cx.store
        .save_reading_settings(actor.id, house_id, &settings)
        .await
}

#[server(endpoint = "close_reading_period")]
pub async fn close_reading_period(house_id: i64, period: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ClosePeriods))
        .await?;
    let period =
        Period::parse(&period).ok_or_else(|| AppError::invalid("Период — в виде 2026-11."))?;
    cx.store
        .close_reading_period(actor.id, house_id, period, chrono::Utc::now())
        .await
}

#[server(endpoint = "review_reading")]
pub async fn review_reading(reading_id: i64) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::EnterReadings))
        .await?;
    cx.store
        .review_reading(actor.id, reading_id, chrono::Utc::now())
        .await
}

#[server(endpoint = "load_apartment_meters")]
pub async fn load_apartment_meters(apartment_id: i64) -> Result<ApartmentMeters, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ViewRegister))
        .await?;
    cx.store
        .apartment_meters(apartment_id, chrono::Utc::now())
        .await
}

#[cfg(feature = "ssr")]
fn date(input: &str, what: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(format!("Укажите {what}.")))
}

/// Staff enter readings for an apartment (taken by phone, on a round); source «сотрудник».
#[server(endpoint = "enter_readings")]
pub async fn enter_readings(
    apartment_id: i64,
    taken_on: String,
    v: Option<BTreeMap<String, String>>,
) -> Result<usize, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::EnterReadings))
        .await?;
    let own = cx
        .store
        .apartment_meters(apartment_id, chrono::Utc::now())
        .await?
        .meters;
    enter_as_staff(&cx.store, actor.id, &own, &taken_on, v).await
}

/// Staff enter values of a house's building (common) meters.
#[server(endpoint = "enter_building_readings")]
pub async fn enter_building_readings(
    house_id: i64,
    taken_on: String,
    v: Option<BTreeMap<String, String>>,
) -> Result<usize, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::EnterReadings))
        .await?;
    let building = cx
        .store
        .house_readings(house_id, None, chrono::Utc::now())
        .await?
        .building;
    enter_as_staff(&cx.store, actor.id, &building, &taken_on, v).await
}

/// Stores values staff entered for some of `meters` (any other meter id is refused).
#[cfg(feature = "ssr")]
async fn enter_as_staff(
    store: &crate::db::Store,
    actor: i64,
    meters: &[MeterView],
    taken_on: &str,
    v: Option<BTreeMap<String, String>>,
) -> Result<usize, AppError> {
    let entries = entries(v)?;
    if entries
        .iter()
        .any(|(id, _)| !meters.iter().any(|m| m.id == *id))
    {
        return Err(AppError::NotFound);
    }
    let by = Submitter {
        user_id: actor,
        source: Source::Staff,
        staff: true,
        taken_on: Some(date(taken_on, "дату снятия показаний")?),
    };
    Ok(store
        .submit_readings(by, &entries, chrono::Utc::now())
        .await?
        .saved)
}

/// Corrects a reading with a reason; returns the period a recalculation goes to, if any.
#[server(endpoint = "correct_reading")]
pub async fn correct_reading(
    reading_id: i64,
    values: String,
    reason: String,
) -> Result<Option<String>, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::EnterReadings))
        .await?;
    let values = rules::parse_values(&values).map_err(AppError::invalid)?;
    let applied = cx
        .store
        .correct_reading(actor.id, reading_id, &values, &reason, chrono::Utc::now())
        .await?;
    Ok(applied.map(|p| p.label()))
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "add_meter")]
/// Adds a meter to an apartment, or (no apartment, a house) a building meter.
pub async fn add_meter(
    apartment_id: Option<i64>,
    house_id: Option<i64>,
    resource: String,
    serial: String,
    zones: u8,
    place: String,
    installed_on: String,
    verified_until: String,
    seal: String,
    initial: String,
) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageMeters))
        .await?;
    let house_id = match (apartment_id, house_id) {
        (Some(apartment), _) => {
            cx.store
                .apartment_meters(apartment, chrono::Utc::now())
                .await?
                .house_id
        }
        (None, Some(house)) => house,
        (None, None) => return Err(AppError::invalid("Укажите квартиру или дом.")),
    };
    let initial = if initial.trim().is_empty() {
        vec![Decimal::ZERO; usize::from(zones)]
    } else {
        rules::parse_values(&initial).map_err(AppError::invalid)?
    };
    let meter = NewMeter {
        house_id,
        apartment_id,
        resource: Utility::parse(&resource).ok_or_else(|| AppError::invalid("Выберите ресурс."))?,
        serial,
        zones,
        place,
        installed_on: date(&installed_on, "дату установки")?,
        verified_until: date(&verified_until, "дату окончания поверки")?,
        seal,
        initial,
    };
    cx.store.add_meter(actor.id, &meter, Source::Staff).await
}

/// Replaces a meter (a new serial given) or takes it off (no new serial).
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "replace_meter")]
pub async fn replace_meter(
    meter_id: i64,
    on: String,
    final_values: String,
    new_serial: String,
    new_verified_until: String,
    new_seal: String,
    new_initial: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageMeters))
        .await?;
    let now = chrono::Utc::now();
    let history = cx.store.meter_history(meter_id, now).await?;
    let old = history.meter;
    let on = date(&on, "дату замены")?;
    let final_values = rules::parse_values(&final_values)
        .map_err(|e| AppError::invalid(format!("Конечное показание: {e}")))?;
    let new = if new_serial.trim().is_empty() {
        None
    } else {
        let initial = if new_initial.trim().is_empty() {
            vec![Decimal::ZERO; usize::from(old.zones)]
        } else {
            rules::parse_values(&new_initial).map_err(AppError::invalid)?
        };
        Some(NewMeter {
            house_id: old.house_id,
            apartment_id: old.apartment_id,
            resource: old.resource,
            serial: new_serial,
            zones: old.zones,
            place: old.place.clone(),
            installed_on: on,
            verified_until: date(&new_verified_until, "дату поверки нового счётчика")?,
            seal: new_seal,
            initial,
        })
    };
    cx.store
        .replace_meter(
            actor.id,
            meter_id,
            on,
            &final_values,
            new.as_ref(),
            crate::clock::today(),
        )
        .await
        .map(|_| ())
}

#[server(endpoint = "reverify_meter")]
pub async fn reverify_meter(
    meter_id: i64,
    verified_until: String,
    seal: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageMeters))
        .await?;
    let until = date(&verified_until, "новую дату поверки")?;
    cx.store
        .reverify_meter(actor.id, meter_id, until, &seal)
        .await
}

/// Checks (or, with `commit`, loads) a meters file; `content` is the file in base64 (the page
/// reads the chosen file into the form).
#[server(endpoint = "import_meters")]
pub async fn import_meters(
    house_id: i64,
    content: String,
    commit: Option<String>,
) -> Result<ImportReport, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageMeters))
        .await?;
    let bytes = crate::sheet::decode_upload(&content)?;
    cx.store
        .import_meters(actor.id, house_id, &bytes, commit.is_some())
        .await
}
