//! Database side of the housing register.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::rules::{format_area, format_share, search_text, shares_fit};
use super::types::*;
use crate::db::{Store, internal};
use crate::error::AppError;
use crate::{audit, with_db};

pub const REGISTER_PAGE_SIZE: i64 = 50;

#[derive(FromRow)]
struct ResidentRow {
    residency_id: i64,
    person_id: i64,
    full_name: String,
    phone: Option<String>,
    email: Option<String>,
    relation: String,
    share_num: Option<i64>,
    share_den: Option<i64>,
    moved_in: NaiveDate,
    moved_out: Option<NaiveDate>,
    status: String,
    user_id: Option<i64>,
}

impl ResidentRow {
    fn into_info(self) -> Result<ResidentInfo, AppError> {
        Ok(ResidentInfo {
            relation: Relation::parse(&self.relation).ok_or(AppError::Internal)?,
            status: LinkStatus::parse(&self.status).ok_or(AppError::Internal)?,
            share: share(self.share_num, self.share_den),
            residency_id: self.residency_id,
            person_id: self.person_id,
            full_name: self.full_name,
            phone: self.phone,
            email: self.email,
            moved_in: date(self.moved_in),
            moved_out: self.moved_out.map(date),
            has_account: self.user_id.is_some(),
        })
    }
}

#[derive(FromRow)]
struct AccountRow {
    id: i64,
    number: String,
    opened_on: NaiveDate,
    closed_on: Option<NaiveDate>,
}

impl From<AccountRow> for AccountInfo {
    fn from(r: AccountRow) -> Self {
        AccountInfo {
            id: r.id,
            number: r.number,
            opened_on: date(r.opened_on),
            closed_on: r.closed_on.map(date),
        }
    }
}

#[derive(FromRow)]
struct ApartmentRow {
    id: i64,
    house_id: i64,
    address: String,
    number: String,
    entrance: Option<i64>,
    floor: Option<i64>,
    area_centi_m2: i64,
    is_residential: bool,
}

/// A person to add to an apartment.
pub struct NewResident<'a> {
    pub full_name: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub relation: Relation,
    pub share: Option<(i64, i64)>,
    pub moved_in: NaiveDate,
}

const RESIDENT_COLUMNS: &str =
    "r.id AS residency_id, p.id AS person_id, p.full_name, p.phone, p.email,
    r.relation, r.share_num, r.share_den, r.moved_in, r.moved_out, r.status, p.user_id";

const APARTMENT_COLUMNS: &str =
    "a.id, a.house_id, h.address, a.number, e.number AS entrance, a.floor,
    a.area_centi_m2, a.is_residential";

/// A record that runs from a start date until an end date is set.
struct DatedRecord {
    table: &'static str,
    start: &'static str,
    end: &'static str,
    action: &'static str,
    entity: &'static str,
    already_ended: &'static str,
    before_start: &'static str,
}

const RESIDENCY: DatedRecord = DatedRecord {
    table: "residencies",
    start: "moved_in",
    end: "moved_out",
    action: "move_out",
    entity: "residency",
    already_ended: "Выезд уже отмечен или запись не найдена.",
    before_start: "Дата выезда раньше даты вселения.",
};

const ACCOUNT: DatedRecord = DatedRecord {
    table: "accounts",
    start: "opened_on",
    end: "closed_on",
    action: "close_account",
    entity: "account",
    already_ended: "Счёт уже закрыт или не найден.",
    before_start: "Дата закрытия раньше даты открытия счёта.",
};

fn share(num: Option<i64>, den: Option<i64>) -> Option<String> {
    Some(format_share(num?, den?))
}

/// Dates as Russians write them.
pub fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

mod changes;
mod home;
mod load;
mod register;
pub use load::*;
