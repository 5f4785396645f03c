//! The demo's АДС: five contractors (two with an executor who signs in), and a year of tickets
//! across the categories — most done in time and rated, some late, some reopened, a few
//! cancelled — and the last days' tickets still open, a few of them overdue. Deterministic.

use chrono::{DateTime, Duration, Utc};

use app::db::Store;
use app::error::AppError;
use app::tickets::rules;
use app::tickets::types::{Place, Sla, Status};

use crate::demo::{Dice, logins};

/// (name, specialty, phone, the categories it takes)
const CONTRACTORS: [(&str, &str, &str, &[&str]); 5] = [
    (
        "ООО «Аквасервис»",
        "сантехника, водоснабжение, отопление, засоры",
        "+74951230101",
        &["leak", "blockage", "water", "heating"],
    ),
    (
        "ИП Лебедев — электромонтаж",
        "электрика",
        "+74951230102",
        &["power"],
    ),
    ("ООО «Лифт-Сервис»", "лифты", "+74951230103", &["elevator"]),
    (
        "Клининг «Чистый двор»",
        "уборка подъездов и двора",
        "+74951230104",
        &["cleaning"],
    ),
    (
        "ООО «Домофон-Мастер»",
        "домофоны и двери",
        "+74951230105",
        &["intercom", "other"],
    ),
];

/// (category, share of tickets in ‰, what residents write)
const KINDS: [(&str, u64, &[&str]); 9] = [
    (
        "leak",
        140,
        &[
            "Течёт с потолка в ванной, соседи сверху не открывают.",
            "Капает из стояка горячей воды под раковиной.",
            "Вода на лестничной площадке, похоже, прорвало трубу.",
        ],
    ),
    (
        "power",
        90,
        &[
            "Нет света в квартире, автомат в щитке не включается.",
            "В подъезде не горит свет на трёх этажах.",
            "Искрит розетка на кухне, пахнет горелым.",
        ],
    ),
    (
        "blockage",
        80,
        &[
            "Засор канализации, вода не уходит в ванной и на кухне.",
            "Засорился мусоропровод, мусор стоит до 5 этажа.",
        ],
    ),
    (
        "elevator",
        110,
        &[
            "Лифт стоит между этажами, внутри никого, двери не открываются.",
            "Лифт не едет, кнопка вызова не горит.",
        ],
    ),
    (
        "heating",
        130,
        &[
            "Холодные батареи в комнате, в квартире +17.",
            "Стучит и шумит стояк отопления по ночам.",
        ],
    ),
    (
        "cleaning",
        170,
        &[
            "В подъезде не мыли полы две недели.",
            "Во дворе не вывезен крупногабаритный мусор.",
            "На лестнице разбита бутылка, нужна уборка.",
        ],
    ),
    (
        "intercom",
        150,
        &[
            "Домофон не открывает дверь подъезда с ключа.",
            "Трубка домофона не звонит, в подъезд не попасть гостям.",
        ],
    ),
    (
        "water",
        50,
        &[
            "Нет холодной воды на кухне и в ванной.",
            "Еле течёт горячая вода, напора нет.",
        ],
    ),
    (
        "other",
        80,
        &[
            "Сломана лавочка у подъезда.",
            "Не закрывается дверь в подвал.",
            "Протекает крыша над последним этажом после дождя.",
        ],
    ),
];

fn place_of(category: &str, r: &mut Dice) -> Place {
    match category {
        "cleaning" | "elevator" | "intercom" => Place::Entrance,
        "other" if r.below(2) == 0 => Place::Yard,
        "other" => Place::Basement,
        _ if r.below(5) == 0 => Place::Entrance,
        _ => Place::Flat,
    }
}

pub async fn load(store: &Store, now: DateTime<Utc>) -> Result<(), AppError> {
    let users = store.users("").await?;
    let id_of = |login: &str| {
        users
            .iter()
            .find(|u| u.email.as_deref() == Some(login))
            .map(|u| u.id)
            .ok_or(AppError::Internal)
    };
    let dispatcher = id_of(logins::DISPATCHER)?;
    let (master, electrician) = (id_of(logins::EXECUTOR)?, id_of(logins::ELECTRICIAN)?);
    let mut contractors = Vec::new();
    for (name, specialty, phone, categories) in CONTRACTORS {
        let id = store
            .add_contractor(
                dispatcher,
                name,
                specialty,
                Some(phone),
                now - Duration::days(400),
            )
            .await?;
        contractors.push((id, categories));
    }
    store
        .set_executor(dispatcher, master, contractors[0].0)
        .await?;
    store
        .set_executor(dispatcher, electrician, contractors[1].0)
        .await?;
    let contractor_for = |category: &str| {
        contractors
            .iter()
            .find(|(_, cats)| cats.contains(&category))
            .map(|(id, _)| *id)
    };
    // who lives where: most of them call (no cabinet yet); those with a cabinet file in it
    let requesters: Vec<(Option<i64>, String, i64)> = app::with_db!(&store.db, |pool| {
        sqlx::query_as(
            "SELECT p.user_id, p.full_name, r.apartment_id FROM residencies r
             JOIN people p ON p.id = r.person_id
             WHERE r.status = 'active' AND r.moved_out IS NULL ORDER BY r.id",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(|e| {
        tracing::error!(error = %e, "demo requesters");
        AppError::Internal
    })?;
    if requesters.is_empty() {
        return Ok(());
    }
    let zhitel = id_of(logins::RESIDENT)?;
    let categories = store.ticket_categories().await?;
    let minutes = |code: &str| {
        categories
            .iter()
            .find(|c| c.code == code)
            .map_or((1440, 11520), |c| {
                (c.reaction_minutes, c.resolution_minutes)
            })
    };
    let mut r = Dice(20_261_201);
    let mut items = Vec::new();
    for n in 0..320u64 {
        let pick = r.below(1000);
        let mut acc = 0;
        let (category, _, texts) = KINDS
            .iter()
            .find(|(_, share, _)| {
                acc += share;
                pick < acc
            })
            .copied()
            .unwrap_or(KINDS[8]);
        let (reaction, resolution) = minutes(category);
        // every tenth ticket is from someone with a cabinet, the rest came by phone
        let pool: Vec<&(Option<i64>, String, i64)> = requesters
            .iter()
            .filter(|q| q.0.is_some() == (n % 10 == 3))
            .collect();
        if pool.is_empty() {
            continue;
        }
        let &(user, ref name, apartment) = pool[r.below(pool.len() as u64) as usize];
        // spread over a year, the last few days busier; older tickets are finished
        let age_minutes = if n < 24 {
            r.below(6 * 1440) as i64
        } else {
            6 * 1440 + r.below(359 * 1440) as i64
        };
        let registered_at = now - Duration::minutes(age_minutes);
        let contractor = contractor_for(category);
        let executor = match contractor {
            Some(c) if c == contractors[0].0 => Some(master),
            Some(c) if c == contractors[1].0 => Some(electrician),
            _ => None,
        };
        let react = (reaction as u64 * (2 + r.below(10)) / 10).max(3) as i64;
        // most are done in time; about one in six late
        let spread = if r.below(6) == 0 { 14 } else { 7 };
        let work = (resolution as u64 * (2 + r.below(spread)) / 10) as i64;
        let work = work.max(react + 10);
        let mut steps = vec![
            (react, Status::Accepted, String::new()),
            (react + 5, Status::InWork, String::new()),
        ];
        let finished = work < age_minutes;
        if n < 24 && !finished {
            // still open: some not even accepted (and overdue if that is long ago), some deferred
            match n % 4 {
                0 => steps.clear(),
                1 => steps.truncate(1),
                2 if age_minutes > react + 60 => steps.push((
                    react + 60,
                    Status::Deferred,
                    "Ждём запчасть от поставщика.".into(),
                )),
                _ => {}
            }
            steps.retain(|s| s.0 < age_minutes);
        } else if r.below(30) == 0 && age_minutes > react {
            steps = vec![(
                react,
                Status::Cancelled,
                "Житель сообщил, что всё исправно.".into(),
            )];
        } else {
            steps.push((work, Status::Done, "Работы выполнены.".into()));
            let reopen = r.below(12) == 0 && age_minutes > work + 2 * resolution + 3000;
            let mut last = work;
            if reopen {
                last = work + 600;
                steps.push((last, Status::Reopened, "Снова течёт / не работает.".into()));
                steps.push((last + react, Status::InWork, String::new()));
                last += react + resolution / 3;
                steps.push((last, Status::Done, "Устранено повторно.".into()));
            }
            // left unconfirmed only within the last two days (older ones the resident confirmed)
            let close = last + 60 + r.below(2 * 1440) as i64;
            if close < age_minutes {
                steps.push((close, Status::Closed, String::new()));
            } else {
                steps.retain(|s| s.0 < age_minutes);
            }
        }
        let closed = steps.last().is_some_and(|s| s.1 == Status::Closed);
        items.push(PastTicket {
            category_code: category,
            apartment_id: apartment,
            requester_user_id: user,
            requester_name: name.clone(),
            place: place_of(category, &mut r),
            description: texts[r.below(texts.len() as u64) as usize].to_string(),
            registered_at,
            contractor_id: contractor.filter(|_| !steps.is_empty()),
            executor_user_id: executor.filter(|_| !steps.is_empty()),
            steps,
            rating: (closed && r.below(3) > 0).then(|| 3 + r.below(3) as i64),
            staff_user_id: dispatcher,
        });
    }
    // zhitel: a leak in work now, and yesterday's blockage done and waiting for his word
    let home = store.ticket_homes(zhitel, app::clock::today()).await?;
    if let Some((apartment, _)) = home.first() {
        let zhitel_name = users
            .iter()
            .find(|u| u.id == zhitel)
            .map(|u| u.full_name.clone())
            .unwrap_or_default();
        items.push(PastTicket {
            category_code: "blockage",
            apartment_id: *apartment,
            requester_user_id: Some(zhitel),
            requester_name: zhitel_name.clone(),
            place: Place::Flat,
            description: "Засор на кухне: вода из раковины не уходит.".into(),
            registered_at: now - Duration::hours(30),
            contractor_id: Some(contractors[0].0),
            executor_user_id: Some(master),
            steps: vec![
                (12, Status::Accepted, String::new()),
                (20, Status::InWork, String::new()),
                (95, Status::Done, "Прочищен сифон и отвод.".into()),
            ],
            rating: None,
            staff_user_id: dispatcher,
        });
    }
    // a leak in work now at zhitel's, and a fresh emergency nobody has taken yet
    if let Some((apartment, _)) = home.first() {
        let zhitel_name = users
            .iter()
            .find(|u| u.id == zhitel)
            .map(|u| u.full_name.clone())
            .unwrap_or_default();
        items.push(PastTicket {
            category_code: "leak",
            apartment_id: *apartment,
            requester_user_id: Some(zhitel),
            requester_name: zhitel_name,
            place: Place::Flat,
            description: "Капает с потолка в ванной, у соседей сверху никого нет дома.".into(),
            registered_at: now - Duration::minutes(170),
            contractor_id: Some(contractors[0].0),
            executor_user_id: Some(master),
            steps: vec![
                (8, Status::Accepted, String::new()),
                (26, Status::InWork, "Перекрыт стояк, ищем причину.".into()),
            ],
            rating: None,
            staff_user_id: dispatcher,
        });
    }
    if let Some(&(user, ref name, apartment)) = requesters.iter().find(|q| q.0.is_none()) {
        items.push(PastTicket {
            category_code: "power",
            apartment_id: apartment,
            requester_user_id: user,
            requester_name: name.clone(),
            place: Place::Entrance,
            description: "В подъезде искрит щиток на 4 этаже, пахнет горелым.".into(),
            registered_at: now - Duration::minutes(9),
            contractor_id: None,
            executor_user_id: None,
            steps: Vec::new(),
            rating: None,
            staff_user_id: dispatcher,
        });
    }
    load_past_tickets(store, &items, now).await
}

/// A demo ticket with its history, loaded as it happened (no notices are sent for the past).
#[derive(Debug, Clone)]
struct PastTicket {
    category_code: &'static str,
    apartment_id: i64,
    requester_user_id: Option<i64>,
    requester_name: String,
    place: Place,
    description: String,
    registered_at: DateTime<Utc>,
    contractor_id: Option<i64>,
    executor_user_id: Option<i64>,
    /// (minutes after registration, the status it moved to, the comment).
    steps: Vec<(i64, Status, String)>,
    rating: Option<i64>,
    /// Who moved it (the dispatcher).
    staff_user_id: i64,
}

/// Loads the demo's past tickets in one transaction, each with its deadlines by the rules
/// and its history as the events it went through.
/// Escalations count as sent for what was already late at `now` (a live ticket of the demo
/// still escalates when its time comes).
async fn load_past_tickets(
    store: &Store,
    items: &[PastTicket],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let categories = store.ticket_categories().await?;
    app::write_tx!(store, "load past tickets", |tx| {
        for t in items {
            let Some(c) = categories.iter().find(|c| c.code == t.category_code) else {
                continue;
            };
            let (house_id, entrance_id): (i64, Option<i64>) =
                sqlx::query_as("SELECT house_id, entrance_id FROM apartments WHERE id = $1")
                    .bind(t.apartment_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let mut clock = t.registered_at;
            let (mut reacted, mut done, mut closed) = (None, None, None);
            let mut status = Status::New;
            let mut reopens = 0;
            let mut events = Vec::new();
            for (after, to, body) in &t.steps {
                let at = t.registered_at + Duration::minutes(*after);
                if *to == Status::Reopened {
                    clock = at;
                    reacted = None;
                    done = None;
                    closed = None;
                    reopens += 1;
                } else {
                    if rules::is_reaction(status, *to) {
                        reacted = Some(at);
                    }
                    match to {
                        Status::Done => done = Some(at),
                        Status::InWork => done = None,
                        Status::Closed | Status::Cancelled => closed = Some(at),
                        _ => {}
                    }
                }
                let actor = match to {
                    Status::Closed | Status::Reopened => {
                        t.requester_user_id.or(Some(t.staff_user_id))
                    }
                    Status::InWork | Status::Done => t.executor_user_id.or(Some(t.staff_user_id)),
                    _ => Some(t.staff_user_id),
                };
                events.push((at, actor, status, *to, body.clone()));
                status = *to;
            }
            let updated = events.last().map_or(t.registered_at, |e| e.0);
            let channel = if t.requester_user_id.is_some() {
                "cabinet"
            } else {
                "phone"
            };
            let (reaction_due, resolution_due) = (
                rules::due(clock, c.reaction_minutes),
                rules::due(clock, c.resolution_minutes),
            );
            let warned = |due: DateTime<Utc>, window: i64, at: Option<DateTime<Utc>>| {
                matches!(
                    rules::sla(now, due, window, at),
                    Sla::AtRisk { .. } | Sla::Overdue { .. }
                )
            };
            let escalated =
                if !status.is_open() || warned(resolution_due, c.resolution_minutes, done) {
                    2
                } else {
                    i64::from(warned(reaction_due, c.reaction_minutes, reacted))
                };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO tickets (house_id, apartment_id, entrance_id, place, place_note,
                     category_id, description, status, requester_user_id, requester_name,
                     channel, created_by, contractor_id, executor_user_id, registered_at,
                     clock_from, reaction_due, resolution_due, reacted_at, done_at, closed_at,
                     reopen_count, rating, escalated, updated_at)
                 VALUES ($1, $2, $3, $4, '', $5, $6, $7, $8, $9, $23, $10, $11, $12, $13,
                     $14, $15, $16, $17, $18, $19, $20, $21, $24, $22)
                 RETURNING id",
            )
            .bind(house_id)
            .bind(t.apartment_id)
            .bind(entrance_id)
            .bind(t.place.as_str())
            .bind(c.id)
            .bind(&t.description)
            .bind(status.as_str())
            .bind(t.requester_user_id)
            .bind(&t.requester_name)
            .bind(t.requester_user_id.unwrap_or(t.staff_user_id))
            .bind(t.contractor_id)
            .bind(t.executor_user_id)
            .bind(t.registered_at)
            .bind(clock)
            .bind(reaction_due)
            .bind(resolution_due)
            .bind(reacted)
            .bind(done)
            .bind(closed)
            .bind(reopens)
            .bind(t.rating)
            .bind(updated)
            .bind(channel)
            .bind(escalated)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind, to_status, body)
                 VALUES ($1, $2, $3, 'created', 'new', $4)",
            )
            .bind(id)
            .bind(t.registered_at)
            .bind(t.requester_user_id.unwrap_or(t.staff_user_id))
            .bind(if channel == "phone" {
                "Принята по телефону"
            } else {
                "Подана в кабинете"
            })
            .execute(&mut *tx)
            .await?;
            for (at, actor, from, to, body) in events {
                sqlx::query(
                    "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind,
                         from_status, to_status, body)
                     VALUES ($1, $2, $3, 'status', $4, $5, $6)",
                )
                .bind(id)
                .bind(at)
                .bind(actor)
                .bind(from.as_str())
                .bind(to.as_str())
                .bind(body)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(stars) = t.rating {
                sqlx::query(
                    "INSERT INTO ticket_events (ticket_id, at, actor_user_id, kind, body)
                     VALUES ($1, $2, $3, 'rated', $4)",
                )
                .bind(id)
                .bind(updated)
                .bind(t.requester_user_id)
                .bind(format!("{stars} из 5"))
                .execute(&mut *tx)
                .await?;
            }
        }
        Ok(())
    })
}
