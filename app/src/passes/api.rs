//! Server functions of passes: authorise → read the form → one store call. Which flat a pass
//! belongs to is checked by the store on every call.

use leptos::prelude::*;

use super::post::{GateDay, QueuedEntry, Synced};
use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::rules,
    super::store::{NewPass, NewWindow},
    crate::auth::guard::Access,
    crate::auth::types::Permission,
    crate::context::Ctx,
    chrono::{NaiveDate, NaiveTime, Utc},
};

/// The house a staff page asked for if there is one, else the first.
#[cfg(feature = "ssr")]
fn chosen_house(houses: &[(i64, String)], house: Option<i64>) -> Result<i64, AppError> {
    house
        .filter(|h| houses.iter().any(|(id, _)| id == h))
        .or_else(|| houses.first().map(|h| h.0))
        .ok_or(AppError::NotFound)
}

/// The longest name or note a form takes.
#[cfg(feature = "ssr")]
const MAX_TEXT: usize = 200;
/// The most people a contractor's pass lets in.
#[cfg(feature = "ssr")]
const MAX_PEOPLE: i64 = 50;

#[server(endpoint = "load_pass_form")]
pub async fn load_pass_form() -> Result<PassForm, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    let (homes, guest_max_days) = cx.store.pass_homes(user.id, crate::clock::today()).await?;
    Ok(pass_form(homes, guest_max_days, Vec::new()))
}

/// The pass form's data; `people` only when the dispatcher makes a pass for one of them.
#[cfg(feature = "ssr")]
fn pass_form(
    homes: Vec<(i64, String)>,
    guest_max_days: i64,
    people: Vec<(i64, String)>,
) -> PassForm {
    PassForm {
        homes,
        today: crate::clock::today().format("%Y-%m-%d").to_string(),
        guest_max_days,
        key: format!(
            "{:016x}{:016x}",
            rand::random::<u64>(),
            rand::random::<u64>()
        ),
        people,
    }
}

/// The dispatcher's pass form (a resident calls): the houses, and for flat `flat` of `house`
/// the people living in it with the same fields as the resident's form — or why there is none.
#[server(endpoint = "load_issue_form")]
pub async fn load_issue_form(house: Option<i64>, flat: String) -> Result<IssueForm, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::ManagePasses))
        .await?;
    let houses = cx.store.gate_houses().await?;
    let house = chosen_house(&houses, house)?;
    let flat = flat.trim().to_string();
    let (form, problem) = if flat.is_empty() {
        (None, None)
    } else {
        match cx
            .store
            .flat_people(house, &flat, crate::clock::today())
            .await?
        {
            None => (None, Some(format!("В этом доме нет квартиры {flat}."))),
            Some(flat_people) if flat_people.people.is_empty() => (
                None,
                Some(format!(
                    "В квартире {flat} никто не живёт по реестру — пропуск оформить не на кого."
                )),
            ),
            Some(flat_people) => (
                Some(pass_form(
                    vec![flat_people.home],
                    flat_people.guest_max_days,
                    flat_people.people,
                )),
                None,
            ),
        }
    };
    Ok(IssueForm {
        houses,
        house,
        flat,
        form,
        problem,
    })
}

#[cfg(feature = "ssr")]
fn date(input: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("Укажите дату, например 31.12.2026."))
}

#[cfg(feature = "ssr")]
fn time(input: &str) -> Result<NaiveTime, AppError> {
    NaiveTime::parse_from_str(input.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(input.trim(), "%H:%M:%S"))
        .map_err(|_| AppError::invalid("Укажите время, например 18:30."))
}

#[cfg(feature = "ssr")]
fn short_text(input: &str, what: &str) -> Result<String, AppError> {
    let text = input.trim();
    if text.chars().count() > MAX_TEXT {
        return Err(AppError::invalid(format!(
            "{what}: не длиннее {MAX_TEXT} знаков."
        )));
    }
    Ok(text.to_string())
}

/// The resident's pass form, as the browser sends it (`PostUrl`: a box not ticked is absent).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PassInput {
    pub home: i64,
    pub kind: String,
    #[serde(default)]
    pub visitor: String,
    #[serde(default)]
    pub phone: String,
    /// "on" when the guest comes by car.
    pub by_car: Option<String>,
    #[serde(default)]
    pub plate: String,
    /// "on" for a foreign plate.
    pub foreign: Option<String>,
    #[serde(default)]
    pub car_note: String,
    #[serde(default)]
    pub people: String,
    /// "once" (a day's hours) or "period" (whole days).
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub first: String,
    #[serde(default)]
    pub last: String,
    #[serde(default)]
    pub key: String,
    /// "on": over the flat's limits, ask the dispatcher for an exception.
    pub exception: Option<String>,
    #[serde(default)]
    pub exception_note: String,
    /// The person the dispatcher makes the pass for (absent: the resident makes their own).
    #[serde(default)]
    pub resident: Option<i64>,
}

/// What the form must hold for its kind of pass.
#[cfg(feature = "ssr")]
fn read_pass(input: &PassInput) -> Result<NewPass, AppError> {
    let kind = PassKind::parse(&input.kind)
        .ok_or_else(|| AppError::invalid("Выберите, на кого пропуск."))?;
    let visitor = short_text(&input.visitor, "Имя")?;
    if visitor.is_empty() && matches!(kind, PassKind::Guest | PassKind::Contractor) {
        return Err(AppError::invalid(match kind {
            PassKind::Contractor => "Укажите компанию или бригаду — охрана спросит.",
            _ => "Укажите имя гостя — охрана спросит его.",
        }));
    }
    let phone = match input.phone.trim() {
        "" => String::new(),
        phone => crate::auth::rules::parse_phone(phone).map_err(AppError::invalid)?,
    };
    let by_car = match kind {
        PassKind::Car => true,
        PassKind::Guest => input.by_car.is_some(),
        PassKind::Taxi | PassKind::Contractor => !input.plate.trim().is_empty(),
    };
    let foreign_plate = input.foreign.is_some();
    let plate = if by_car {
        Some(
            rules::normalize_plate(&input.plate, foreign_plate)
                .map_err(|e| AppError::invalid(e.to_string()))?,
        )
    } else {
        None
    };
    let people = match (kind, input.people.trim()) {
        (PassKind::Contractor, "") => 1,
        (PassKind::Contractor, n) => n
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PEOPLE).contains(n))
            .ok_or_else(|| AppError::invalid(format!("Сколько человек — от 1 до {MAX_PEOPLE}.")))?,
        _ => 1,
    };
    let (window, one_time) = match (kind, input.mode.as_str()) {
        (PassKind::Car, _) => (NewWindow::Permanent, false),
        (PassKind::Taxi, _) => (NewWindow::NextHour, true),
        (PassKind::Guest, "once") => (
            NewWindow::Day {
                day: date(&input.day)?,
                from: time(&input.from)?,
                until: time(&input.until)?,
            },
            true,
        ),
        (PassKind::Guest | PassKind::Contractor, _) => {
            let (first, last) = (date(&input.first)?, date(&input.last)?);
            if last < first {
                return Err(AppError::invalid(
                    "Последний день не может быть раньше первого.",
                ));
            }
            (NewWindow::Days { first, last }, false)
        }
    };
    Ok(NewPass {
        apartment_id: input.home,
        kind,
        one_time,
        visitor,
        phone,
        plate,
        foreign_plate,
        car_note: short_text(&input.car_note, "Марка и цвет")?,
        people,
        window,
        client_key: Some(input.key.trim().to_string()).filter(|k| !k.is_empty()),
        exception: match input.exception {
            Some(_) => Some(short_text(
                &input.exception_note,
                "Почему нужно исключение",
            )?),
            None => None,
        },
    })
}

/// Makes a pass for one of the resident's flats — or, with `resident`, the dispatcher's for a
/// person living in the flat. Returns the page to open: the guest's page to share, or the
/// list for one's own car; the dispatcher gets the pass's page (its code to say on the phone).
#[server(endpoint = "create_pass")]
pub async fn create_pass(pass: PassInput) -> Result<String, AppError> {
    let cx = Ctx::take()?;
    if let Some(person) = pass.resident {
        let staff = cx
            .authorize(Access::Permission(Permission::ManagePasses))
            .await?;
        let pass = read_pass(&pass)?;
        let (_, link) = cx
            .store
            .issue_pass(&staff, person, &pass, Utc::now())
            .await?;
        return Ok(link);
    }
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    let pass = read_pass(&pass)?;
    let (_, link) = cx.store.create_pass(&user, &pass, Utc::now()).await?;
    // one's own car needs no page to send, and an exception waits in the list
    Ok(match (pass.kind, &pass.exception) {
        (PassKind::Car, _) | (_, Some(_)) => "/cabinet/passes".to_string(),
        _ => link,
    })
}

#[server(endpoint = "load_my_passes")]
pub async fn load_my_passes() -> Result<Vec<PassRow>, AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.store.my_passes(user.id, Utc::now()).await
}

#[server(endpoint = "cancel_pass")]
pub async fn cancel_pass(id: i64) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let user = cx
        .authorize(Access::Permission(Permission::OwnCabinet))
        .await?;
    cx.store.cancel_pass(user.id, id, Utc::now()).await
}

/// The guest's page: no sign-in, the link's token is the key to this one pass.
#[server(endpoint = "load_public_pass")]
pub async fn load_public_pass(token: String) -> Result<PublicPass, AppError> {
    let cx = Ctx::take()?;
    let mut pass = cx.store.public_pass(token.trim(), Utc::now()).await?;
    let link = format!(
        "{}/p/{}",
        cx.config.public_url.trim_end_matches('/'),
        token.trim()
    );
    pass.qr_svg = crate::qr::svg(&link)?;
    Ok(pass)
}

#[server(endpoint = "load_gate_houses")]
pub async fn load_gate_houses() -> Result<Vec<(i64, String)>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::GuardPost))
        .await?;
    cx.store.gate_houses().await
}

/// The guard's check: `None` when there is no such pass.
#[server(endpoint = "gate_check")]
pub async fn gate_check(house: i64, query: String) -> Result<Option<GateAnswer>, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::GuardPost))
        .await?;
    let lookup = rules::read_lookup(&query).map_err(|e| AppError::invalid(e.to_string()))?;
    let answer = cx.store.gate_check(house, &lookup, Utc::now()).await?;
    Ok(answer.map(with_record_key))
}

/// A fresh key for the record buttons under an answer: the same tap sent again counts once.
#[cfg(feature = "ssr")]
fn with_record_key(answer: GateAnswer) -> GateAnswer {
    GateAnswer {
        key: format!(
            "{:016x}{:016x}",
            rand::random::<u64>(),
            rand::random::<u64>()
        ),
        ..answer
    }
}

/// Records an entry (`in`) or exit (`out`) on a pass at the gate of `house`; `key` makes a record
/// sent twice count once.
#[server(endpoint = "gate_record")]
pub async fn gate_record(
    house: i64,
    pass: i64,
    direction: String,
    key: String,
) -> Result<GateAnswer, AppError> {
    let cx = Ctx::take()?;
    let guard = cx
        .authorize(Access::Permission(Permission::GuardPost))
        .await?;
    let direction =
        Direction::parse(&direction).ok_or_else(|| AppError::invalid("Вход или выход?"))?;
    let key = Some(key.trim()).filter(|k| !k.is_empty());
    cx.store
        .record_passage(&guard, house, pass, direction, key, Utc::now())
        .await
        .map(with_record_key)
}

/// How long after the fact an entry recorded without a connection is still taken.
#[cfg(feature = "ssr")]
const QUEUED_FOR_AT_MOST: chrono::Duration = chrono::Duration::days(2);

/// The day's passes of the guard's house (the first when none is chosen), for the post to
/// answer from when the server does not.
#[server(endpoint = "load_gate_day")]
pub async fn load_gate_day(house: Option<i64>) -> Result<GateDay, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::GuardPost))
        .await?;
    let houses = cx.store.gate_houses().await?;
    let house = chosen_house(&houses, house)?;
    let now = Utc::now();
    Ok(GateDay {
        house,
        loaded: crate::clock::local(now).format("%H:%M").to_string(),
        passes: cx.store.gate_day(house, now).await?,
    })
}

/// The entries the post recorded without a connection, each at its own moment and once by its
/// key (sent again: nothing changes); each answered with what became of it.
#[server(endpoint = "gate_sync", input = leptos::server_fn::codec::Json)]
pub async fn gate_sync(entries: Vec<QueuedEntry>) -> Result<Vec<Synced>, AppError> {
    let cx = Ctx::take()?;
    let guard = cx
        .authorize(Access::Permission(Permission::GuardPost))
        .await?;
    let now = Utc::now();
    let mut synced = Vec::with_capacity(entries.len());
    for entry in entries {
        let problem = if now - entry.at > QUEUED_FOR_AT_MOST {
            Some("Запись старше двух суток — не принята, отметьте проход вручную.".to_string())
        } else {
            // a device's clock ahead of the server's is taken as now
            let at = entry.at.min(now);
            match cx
                .store
                .record_passage(
                    &guard,
                    entry.house,
                    entry.pass,
                    entry.direction,
                    Some(&entry.key),
                    at,
                )
                .await
            {
                Ok(_) => None,
                Err(AppError::Invalid(why)) => Some(why),
                Err(AppError::NotFound) => Some(AppError::NotFound.to_string()),
                Err(e) => return Err(e),
            }
        };
        if let Some(why) = &problem {
            tracing::warn!(pass = entry.pass, key = %entry.key, why, "queued gate entry not taken");
        }
        synced.push(Synced {
            key: entry.key,
            problem,
        });
    }
    Ok(synced)
}

/// The gates of the guard's house (the first when none is chosen: what the post's house select
/// shows) and their cameras' latest reads.
#[server(endpoint = "load_gate_screen")]
pub async fn load_gate_screen(house: Option<i64>) -> Result<GateScreen, AppError> {
    let cx = Ctx::take()?;
    cx.authorize(Access::Permission(Permission::GuardPost))
        .await?;
    let house = match house {
        Some(house) => house,
        None => cx
            .store
            .gate_houses()
            .await?
            .first()
            .map(|h| h.0)
            .ok_or(AppError::NotFound)?,
    };
    Ok(GateScreen {
        gates: cx.store.house_gates(house).await?,
        events: cx.store.plate_events(house).await?,
    })
}

/// The guard's decision on a read the camera left to them: `let_in` opens the barrier.
#[server(endpoint = "decide_plate")]
pub async fn decide_plate(event: i64, let_in: bool) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let guard = cx
        .authorize(Access::Permission(Permission::GuardPost))
        .await?;
    let relay = cx
        .store
        .decide_plate_event(&guard, event, let_in, Utc::now())
        .await?;
    if let Some(relay) = relay
        && !cx.gates.open_for(&cx.store, event, &relay).await
    {
        return Err(AppError::invalid(
            "Шлагбаум не ответил — откройте его вручную и проверьте связь с контроллером.",
        ));
    }
    Ok(())
}

/// `YYYY-MM-DD`, or today when empty.
#[cfg(feature = "ssr")]
fn day_or_today(input: &str) -> Result<NaiveDate, AppError> {
    match input.trim() {
        "" => Ok(crate::clock::today()),
        day => date(day),
    }
}

/// The dispatcher's desk for a house (the first when none) and a day (today when empty): the
/// day's passes, the cars inside, the day's log. Every opening is audited (guests' data).
#[server(endpoint = "load_pass_desk")]
pub async fn load_pass_desk(house: Option<i64>, day: String) -> Result<PassDesk, AppError> {
    let cx = Ctx::take()?;
    let staff = cx
        .authorize(Access::Permission(Permission::ManagePasses))
        .await?;
    let day = day_or_today(&day)?;
    let houses = cx.store.gate_houses().await?;
    let house = chosen_house(&houses, house)?;
    let now = Utc::now();
    let desk = PassDesk {
        settings: cx.store.pass_settings(house).await?,
        exceptions: cx.store.exceptions_waiting(house, now).await?,
        passes: cx.store.passes_of_day(house, day, now).await?,
        inside: cx.store.cars_inside(house, now).await?,
        log: cx
            .store
            .pass_log(house, day, day, super::desk::DAY_LIMIT)
            .await?,
        houses,
        house,
        day: day.format("%Y-%m-%d").to_string(),
    };
    cx.store.log_view(staff.id, "pass_log", Some(house)).await?;
    Ok(desk)
}

/// The dispatcher's word on a pass over the limits; a refusal needs its reason.
#[server(endpoint = "decide_pass_exception")]
pub async fn decide_pass_exception(
    pass: i64,
    approve: bool,
    reason: Option<String>,
) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let staff = cx
        .authorize(Access::Permission(Permission::ManagePasses))
        .await?;
    cx.store
        .decide_exception(
            &staff,
            pass,
            approve,
            &short_text(reason.as_deref().unwrap_or(""), "Пояснение")?,
            Utc::now(),
        )
        .await
}

/// A house's pass settings as the desk's form sends them.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SettingsInput {
    pub house: i64,
    pub cars_per_flat: String,
    pub guest_cars_at_once: String,
    pub guest_car_hours_per_month: String,
    pub guest_max_days: String,
    pub retention_days: String,
}

/// Sets a house's limits per flat and how long guests' data is kept.
#[server(endpoint = "save_pass_settings")]
pub async fn save_pass_settings(settings: SettingsInput) -> Result<(), AppError> {
    let cx = Ctx::take()?;
    let staff = cx
        .authorize(Access::Permission(Permission::ManagePasses))
        .await?;
    let number = |input: &str, what: &str| {
        input
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::invalid(format!("{what}: укажите целое число.")))
    };
    let names = super::rules::SETTINGS_RANGES;
    let settings = PassSettings {
        house: settings.house,
        cars_per_flat: number(&settings.cars_per_flat, names[0].0)?,
        guest_cars_at_once: number(&settings.guest_cars_at_once, names[1].0)?,
        guest_car_hours_per_month: number(&settings.guest_car_hours_per_month, names[2].0)?,
        guest_max_days: number(&settings.guest_max_days, names[3].0)?,
        retention_days: number(&settings.retention_days, names[4].0)?,
    };
    cx.store.save_pass_settings(&staff, &settings).await
}
