//! Server functions of the АДС: authorise → validate → one store call. A ticket's own parts
//! (requester, board, executor) are checked by the store on every call.

use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::rules::{self, FormError},
    super::store::NewTicket,
    crate::auth::guard::Access,
    crate::auth::types::Permission,
    crate::context::Ctx,
    chrono::Utc,
};

#[cfg(feature = "ssr")]
fn form_error(e: FormError) -> AppError {
    AppError::invalid(e.to_string())
}

/// An empty select is "none"; anything else must be a number.
#[cfg(feature = "ssr")]
fn optional_id(s: &str) -> Result<Option<i64>, AppError> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid("Выберите из списка.")),
    }
}

#[server(endpoint = "load_new_ticket_form")]
pub async fn load_new_ticket_form() -> Result<NewTicketForm, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    Ok(NewTicketForm {
        categories: cx.store.ticket_categories().await?,
        homes: cx
            .store
            .ticket_homes(user.id, crate::clock::today())
            .await?,
        key: format!(
            "{:016x}{:016x}",
            rand::random::<u64>(),
            rand::random::<u64>()
        ),
    })
}

#[server(endpoint = "load_my_tickets")]
pub async fn load_my_tickets() -> Result<Vec<TicketRow>, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.store.my_tickets(user.id, Utc::now()).await
}

/// A ticket's page for whoever may see it (the store decides who that is).
#[server(endpoint = "load_ticket")]
pub async fn load_ticket(id: i64) -> Result<TicketView, AppError> {
    let cx = Ctx::take()?;
    let user = cx.authorize(Access::SignedIn).await?;
    cx.store.ticket_view(&user, id, Utc::now()).await
}

#[server(endpoint = "move_ticket")]
pub async fn move_ticket(id: i64, to: String, reason: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx.authorize(Access::SignedIn).await?;
    let to = Status::parse(&to).ok_or_else(|| AppError::invalid("Нет такого статуса."))?;
    cx.store
        .move_ticket(&user, id, to, &reason, Utc::now())
        .await
}

#[server(endpoint = "comment_ticket")]
pub async fn comment_ticket(
    id: i64,
    body: String,
    internal: Option<String>,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx.authorize(Access::SignedIn).await?;
    cx.store
        .comment_ticket(&user, id, &body, internal.is_some(), Utc::now())
        .await
}

#[server(endpoint = "rate_ticket")]
pub async fn rate_ticket(id: i64, stars: String, note: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    let stars = stars
        .trim()
        .parse()
        .map_err(|_| form_error(FormError::Rating))?;
    cx.store
        .rate_ticket(&user, id, stars, &note, Utc::now())
        .await
}

#[server(endpoint = "assign_ticket")]
pub async fn assign_ticket(id: i64, contractor: String, executor: String) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageTickets))
        .await?;
    let (contractor, executor) = (optional_id(&contractor)?, optional_id(&executor)?);
    cx.store
        .assign_ticket(&user, id, contractor, executor, Utc::now())
        .await
}

#[server(endpoint = "load_board")]
pub async fn load_board(
    status: String,
    category: String,
    house: String,
    contractor: String,
    executor: String,
    overdue: String,
) -> Result<Board, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageTickets))
        .await?;
    let filter = BoardFilter {
        status,
        category: optional_id(&category)?,
        house: optional_id(&house)?,
        contractor: optional_id(&contractor)?,
        executor: optional_id(&executor)?,
        overdue: !overdue.is_empty(),
    };
    cx.store.board(&filter, Utc::now()).await
}

#[server(endpoint = "load_work")]
pub async fn load_work() -> Result<Vec<TicketRow>, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::WorkTickets))
        .await?;
    cx.store.executor_work(user.id, Utc::now()).await
}

/// What the staff's "taken by phone" form offers.
#[server(endpoint = "load_call_form")]
pub async fn load_call_form() -> Result<(Vec<Category>, Vec<(i64, String)>), AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageTickets))
        .await?;
    let houses = cx
        .store
        .houses()
        .await?
        .into_iter()
        .map(|h| (h.id, h.address))
        .collect();
    Ok((cx.store.ticket_categories().await?, houses))
}

/// A ticket taken by phone: the caller's name and number, the house and (optionally) the flat.
#[server(endpoint = "register_call")]
#[allow(clippy::too_many_arguments)]
pub async fn register_call(
    house: i64,
    flat: String,
    caller: String,
    phone: String,
    category: i64,
    place: String,
    note: String,
    description: String,
) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageTickets))
        .await?;
    let place = rules::check_place(&place).map_err(form_error)?;
    let (description, place_note) = rules::check_text(&description, &note).map_err(form_error)?;
    let caller = caller.trim().to_string();
    let phone = crate::auth::rules::parse_phone(&phone).map_err(AppError::invalid)?;
    if caller.is_empty() || caller.chars().count() > 200 {
        return Err(form_error(FormError::Caller));
    }
    let apartment_id = match flat.trim() {
        "" => None,
        number => Some(
            cx.store
                .apartment_by_number(house, number)
                .await?
                .ok_or_else(|| AppError::invalid("В этом доме нет квартиры с таким номером."))?,
        ),
    };
    let ticket = NewTicket {
        category_id: category,
        place,
        place_note,
        description,
        apartment_id,
        house_id: Some(house),
        caller: Some((caller, phone)),
        uploads: Vec::new(),
        client_key: None,
    };
    cx.store
        .create_ticket(&user, &ticket, Utc::now(), crate::clock::today())
        .await
}

#[server(endpoint = "load_contractors")]
pub async fn load_contractors() -> Result<(Vec<ContractorLoad>, Vec<(i64, String)>), AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageTickets))
        .await?;
    Ok((
        cx.store.contractors(Utc::now()).await?,
        cx.store.free_executors().await?,
    ))
}

#[server(endpoint = "add_contractor")]
pub async fn add_contractor(
    name: String,
    specialty: String,
    phone: String,
) -> Result<i64, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::ManageTickets))
        .await?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::invalid(
            "Название подрядчика — от 1 до 200 знаков.",
        ));
    }
    let specialty = specialty.trim();
    if specialty.chars().count() > 200 {
        return Err(AppError::invalid("Специализация — не длиннее 200 знаков."));
    }
    let phone = match phone.trim() {
        "" => None,
        p => Some(crate::auth::rules::parse_phone(p).map_err(AppError::invalid)?),
    };
    cx.store
        .add_contractor(user.id, name, specialty, phone.as_deref(), Utc::now())
        .await
}

#[server(endpoint = "set_executor")]
pub async fn set_executor(user_id: i64, contractor: i64) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageTickets))
        .await?;
    cx.store.set_executor(actor.id, user_id, contractor).await
}

#[server(endpoint = "load_ticket_categories")]
pub async fn load_ticket_categories() -> Result<Vec<Category>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManageTickets))
        .await?;
    cx.store.ticket_categories().await
}

/// A category's deadlines, typed in minutes.
#[server(endpoint = "set_category_sla")]
pub async fn set_category_sla(
    id: i64,
    reaction: String,
    resolution: String,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let actor = cx
        .authorize(Access::Permission(Permission::ManageTickets))
        .await?;
    let minutes = |s: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| AppError::invalid("Сроки — целым числом минут."))
    };
    cx.store
        .set_category_sla(actor.id, id, minutes(&reaction)?, minutes(&resolution)?)
        .await
}

#[server(endpoint = "load_ticket_report")]
/// The report for `year` (this year when not given).
pub async fn load_ticket_report(year: Option<i32>) -> Result<TicketReport, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ViewReports))
        .await?;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&crate::clock::today()));
    if !(2000..=2100).contains(&year) {
        return Err(AppError::invalid("Нет такого года."));
    }
    cx.store.ticket_report(year).await
}
