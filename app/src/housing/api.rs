//! Server functions of the housing register: authorise → validate → one store call.

use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::{rules, store::NewResident},
    crate::auth::guard::Access,
    crate::auth::types::Permission,
    crate::context::Ctx,
};

#[server(endpoint = "load_my_home")]
pub async fn load_my_home() -> Result<MyHome, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.store.my_home(user.id, crate::clock::today()).await
}

#[server(endpoint = "my_account")]
pub async fn my_account(account_id: i64) -> Result<AccountView, AppError> {
    // taken before the ownership check awaits the database: a render the server throws away
    // may lose its request context at that await
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.authorize(Access::Account(account_id)).await?;
    cx.store
        .account_view(user.id, account_id, crate::clock::today())
        .await
}

#[server(endpoint = "list_houses")]
pub async fn list_houses() -> Result<Vec<HouseSummary>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ViewRegister))
        .await?;
    cx.store.houses().await
}

#[server(endpoint = "search_register")]
pub async fn search_register(
    query: String,
    house_id: Option<i64>,
    page: i64,
) -> Result<RegisterPage, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ViewRegister))
        .await?;
    if query.chars().count() > 100 {
        return Err(AppError::invalid("Слишком длинный запрос."));
    }
    cx.store
        .register(&query, house_id, page, crate::clock::today())
        .await
}

#[server(endpoint = "load_apartment_card")]
pub async fn load_apartment_card(apartment_id: i64) -> Result<ApartmentCard, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ViewRegister))
        .await?;
    let card = cx.store.apartment_card(apartment_id).await?;
    cx.store
        .log_view(actor.id, "apartment", Some(apartment_id))
        .await?;
    Ok(card)
}

#[server(endpoint = "update_apartment")]
pub async fn update_apartment(
    apartment_id: i64,
    entrance: String,
    floor: String,
    area: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::EditRegister))
        .await?;
    let entrance = optional_number(&entrance, "Подъезд")?;
    let floor = optional_number(&floor, "Этаж")?;
    let area = rules::parse_area(&area).map_err(AppError::invalid)?;
    cx.store
        .update_apartment(actor.id, apartment_id, entrance, floor, area)
        .await
}

#[server(endpoint = "add_resident")]
pub async fn add_resident(
    apartment_id: i64,
    full_name: String,
    phone: String,
    email: String,
    relation: String,
    share: String,
    moved_in: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    use crate::auth::rules::{parse_email, parse_phone};
    let actor = cx
        .authorize(Access::Permission(Permission::EditRegister))
        .await?;
    let full_name = rules::check_full_name(&full_name).map_err(AppError::invalid)?;
    let phone = non_empty(&phone)
        .map(parse_phone)
        .transpose()
        .map_err(AppError::invalid)?;
    let email = non_empty(&email)
        .map(parse_email)
        .transpose()
        .map_err(AppError::invalid)?;
    let relation = Relation::parse(&relation)
        .ok_or_else(|| AppError::invalid("Выберите, кем человек приходится квартире."))?;
    let share = match (relation, non_empty(&share)) {
        (Relation::Owner, Some(s)) => Some(rules::parse_share(s).map_err(AppError::invalid)?),
        (Relation::Owner, None) => {
            return Err(AppError::invalid(
                "Для собственника укажите долю, например 1 или 1/2.",
            ));
        }
        (_, Some(_)) => return Err(AppError::invalid("Доля указывается только у собственника.")),
        (_, None) => None,
    };
    let moved_in = parse_form_date(&moved_in)?;
    cx.store
        .add_resident(
            actor.id,
            apartment_id,
            &NewResident {
                full_name: &full_name,
                phone: phone.as_deref(),
                email: email.as_deref(),
                relation,
                share,
                moved_in,
            },
        )
        .await
        .map(|_| ())
}

#[server(endpoint = "move_out")]
pub async fn move_out(residency_id: i64, moved_out: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::EditRegister))
        .await?;
    let on = parse_form_date(&moved_out)?;
    cx.store.move_out(actor.id, residency_id, on).await
}

#[server(endpoint = "open_account")]
pub async fn open_account(
    apartment_id: i64,
    number: String,
    opened_on: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::EditRegister))
        .await?;
    let number = rules::check_account_number(&number).map_err(AppError::invalid)?;
    let on = parse_form_date(&opened_on)?;
    cx.store
        .open_account(actor.id, apartment_id, &number, on)
        .await
        .map(|_| ())
}

#[server(endpoint = "close_account")]
pub async fn close_account(account_id: i64, closed_on: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::EditRegister))
        .await?;
    let on = parse_form_date(&closed_on)?;
    cx.store.close_account(actor.id, account_id, on).await
}

#[server(endpoint = "update_person")]
pub async fn update_person(
    person_id: i64,
    full_name: String,
    phone: String,
    email: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::EditRegister))
        .await?;
    let full_name = rules::check_full_name(&full_name).map_err(AppError::invalid)?;
    let (phone, email) = contacts(&phone, &email)?;
    cx.store
        .update_person(
            actor.id,
            person_id,
            &full_name,
            phone.as_deref(),
            email.as_deref(),
        )
        .await
}

#[server(endpoint = "pending_links")]
pub async fn pending_links() -> Result<Vec<PendingLink>, AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageInvites))
        .await?;
    let links = cx.store.pending_links(None).await?;
    cx.store.log_view(actor.id, "pending_links", None).await?;
    Ok(links)
}

#[server(endpoint = "decide_link")]
pub async fn decide_link(residency_id: i64, approve: bool) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageInvites))
        .await?;
    cx.store.decide_link(actor.id, residency_id, approve).await
}

#[cfg(feature = "ssr")]
fn non_empty(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// Optional phone and e-mail as typed in a form, normalised.
#[cfg(feature = "ssr")]
fn contacts(phone: &str, email: &str) -> Result<(Option<String>, Option<String>), AppError> {
    use crate::auth::rules::{parse_email, parse_phone};
    let phone = non_empty(phone)
        .map(parse_phone)
        .transpose()
        .map_err(AppError::invalid)?;
    let email = non_empty(email)
        .map(parse_email)
        .transpose()
        .map_err(AppError::invalid)?;
    Ok((phone, email))
}

#[cfg(feature = "ssr")]
fn optional_number(s: &str, what: &str) -> Result<Option<i64>, AppError> {
    non_empty(s)
        .map(|v| v.parse::<i64>().ok().filter(|n| (-5..=200).contains(n)))
        .map(|v| v.ok_or_else(|| AppError::invalid(format!("{what} — целое число."))))
        .transpose()
}

/// Dates from `<input type=date>` (`2026-11-27`) or typed as `27.11.2026`.
#[cfg(feature = "ssr")]
fn parse_form_date(s: &str) -> Result<chrono::NaiveDate, AppError> {
    use chrono::NaiveDate;
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .map_err(|_| AppError::invalid("Дата — в виде ДД.ММ.ГГГГ."))
}
