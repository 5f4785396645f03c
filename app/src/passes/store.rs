//! Database side of passes: the resident's passes (made for their own flats only, within the
//! house's limits), the guest's link, and the guard's post — a check by link, code or plate, and
//! entries recorded once even when two guards tap at the same moment or a phone sends twice.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rand::Rng;
use sqlx::FromRow;

use super::post::DayPass;
use super::rules::{self, Limits, Lookup, PassFacts, Plate, Validity, Window};
use super::types::*;
use crate::auth::types::{CurrentUser, Permission};
use crate::db::{Store, internal};
use crate::error::AppError;
use crate::notify::types::{Notice, NoticeKind, Recipients};
use crate::{enqueue_notice, with_db, write_tx};

/// The resident's list shows at most this many passes, open ones first.
pub const LIST_LIMIT: i64 = 200;
/// How many times a pass is tried with a fresh code before giving up (a house uses a tiny part of
/// the million six-digit codes).
const CODE_TRIES: usize = 20;

/// When a new pass is valid, as the form gave it (dates and times are the house's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewWindow {
    /// One day's hours; an end not later than the start ends the next day.
    Day {
        day: NaiveDate,
        from: NaiveTime,
        until: NaiveTime,
    },
    /// Whole days, the first to the last.
    Days { first: NaiveDate, last: NaiveDate },
    /// From now for an hour: a taxi or a courier.
    NextHour,
    /// The resident's own car.
    Permanent,
}

/// A pass the resident asks for, checked for its form (the api) but not yet for the house.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPass {
    pub apartment_id: i64,
    pub kind: PassKind,
    pub one_time: bool,
    pub visitor: String,
    pub phone: String,
    pub plate: Option<Plate>,
    pub foreign_plate: bool,
    pub car_note: String,
    pub people: i64,
    pub window: NewWindow,
    pub client_key: Option<String>,
    /// Over the flat's limits, ask the dispatcher for an exception, with this reason (without:
    /// over the limits the pass is refused).
    pub exception: Option<String>,
}

/// A flat as the dispatcher's pass form offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatPeople {
    /// (apartment id, "address, кв. N")
    pub home: (i64, String),
    /// (person id, name) of those living in it.
    pub people: Vec<(i64, String)>,
    /// The house's longest guest window, in days.
    pub guest_max_days: i64,
}

/// Who makes a pass: the resident, or the dispatcher for a resident who called.
#[derive(Debug, Clone, Copy)]
enum Maker<'a> {
    Resident(&'a CurrentUser),
    Staff { staff: &'a CurrentUser, person: i64 },
}

impl Maker<'_> {
    fn user(&self) -> &CurrentUser {
        match self {
            Maker::Resident(user) | Maker::Staff { staff: user, .. } => user,
        }
    }
}

/// The house's time zone (that of its readings window; Moscow unless set).
pub(super) fn house_tz(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::Europe::Moscow)
}

/// The SQL that gives a house's time zone name, `h` being the house.
pub(super) const HOUSE_TZ: &str = "COALESCE((SELECT time_zone FROM reading_settings rs WHERE rs.house_id = h.id), 'Europe/Moscow')";

/// The apartments user `$1` lives in on day `$2`.
fn my_flats() -> String {
    format!(
        "SELECT r.apartment_id FROM residencies r JOIN people pe ON pe.id = r.person_id
         WHERE pe.user_id = $1 AND {}",
        crate::db::residency_in_force("$2")
    )
}

#[derive(Debug, FromRow)]
pub(super) struct PassData {
    pub(super) id: i64,
    pub(super) house_id: i64,
    pub(super) kind: PassKind,
    pub(super) one_time: bool,
    pub(super) visitor: Option<String>,
    pub(super) plate: Option<String>,
    pub(super) car_note: String,
    pub(super) people: i64,
    pub(super) valid_from: DateTime<Utc>,
    pub(super) valid_until: Option<DateTime<Utc>>,
    pub(super) token: String,
    pub(super) code: Option<String>,
    pub(super) cancelled_at: Option<DateTime<Utc>>,
    pub(super) entries: i64,
    /// The resident who made it (told when the visitor comes).
    pub(super) created_by: i64,
    pub(super) approval: Option<Approval>,
    pub(super) approval_note: Option<String>,
    pub(super) address: String,
    pub(super) flat: String,
    pub(super) time_zone: String,
}

/// The columns of [`PassData`]; `PASS_FROM` joins what they need.
const PASS_SELECT: &str =
    "SELECT p.id, p.house_id, p.kind, p.one_time, p.visitor, p.plate, p.car_note, p.people,
        p.valid_from, p.valid_until, p.token, p.code, p.cancelled_at, p.entries, p.created_by,
        p.approval, p.approval_note, h.address,
        a.number AS flat, ";
const PASS_FROM: &str = " AS time_zone FROM passes p JOIN houses h ON h.id = p.house_id
        JOIN apartments a ON a.id = p.apartment_id";

pub(super) fn pass_sql(filter: &str) -> String {
    format!("{PASS_SELECT}{HOUSE_TZ}{PASS_FROM} WHERE p.erased_at IS NULL AND {filter}")
}

impl PassData {
    fn validity(&self) -> Validity {
        match self.valid_until {
            Some(until) => Validity::Window(Window {
                from: self.valid_from,
                until,
            }),
            None => Validity::Permanent,
        }
    }

    pub(super) fn facts(&self) -> PassFacts {
        PassFacts {
            validity: self.validity(),
            one_time: self.one_time,
            entries: u32::try_from(self.entries).unwrap_or(u32::MAX),
            cancelled: self.cancelled_at.is_some(),
            approval: self.approval,
        }
    }

    fn when(&self) -> String {
        rules::describe(&self.validity(), &house_tz(&self.time_zone))
    }

    pub(super) fn home(&self) -> String {
        format!("{}, кв. {}", self.address, self.flat)
    }

    /// Who the pass is for, as a list or the guard shows it.
    pub(super) fn who(&self) -> String {
        match (self.kind, &self.visitor, &self.plate) {
            (_, Some(name), _) if !name.is_empty() => name.clone(),
            (PassKind::Car, _, Some(plate)) if !self.car_note.is_empty() => {
                format!("{plate} ({})", self.car_note)
            }
            (_, _, Some(plate)) => plate.clone(),
            (PassKind::Taxi, _, None) => "Любое такси или курьер".into(),
            _ => "Гость".into(),
        }
    }

    pub(super) fn row(&self, now: DateTime<Utc>) -> PassRow {
        PassRow {
            id: self.id,
            kind: self.kind,
            title: self.who(),
            plate: self.plate.clone(),
            home: self.home(),
            when: self.when(),
            state: rules::state(&self.facts(), now),
            one_time: self.one_time,
            code: self.code.clone(),
            link: format!("/p/{}", self.token),
            entries: self.entries,
            approval_note: self.approval_note.clone(),
        }
    }

    /// The guard's answer at the gate of `house_id`.
    fn answer(&self, house_id: i64, now: DateTime<Utc>) -> GateAnswer {
        let refusal = if self.house_id == house_id {
            rules::admit(&self.facts(), now).err()
        } else {
            Some(Refusal::OtherHouse)
        };
        GateAnswer {
            pass_id: self.id,
            gate_house: house_id,
            refusal,
            kind: self.kind,
            who: self.who(),
            plate: self.plate.clone(),
            people: self.people,
            home: self.home(),
            when: self.when(),
            entries: self.entries,
            key: String::new(),
        }
    }
}

/// The calendar months (in the house's time) a window touches, each as a window.
fn months_of(window: &Window, tz: &Tz) -> Vec<Window> {
    let start_of = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let mut months = Vec::new();
    let last = window.until.with_timezone(tz).date_naive();
    let mut first = window.from.with_timezone(tz).date_naive().with_day(1);
    while let Some(month) = first.filter(|m| *m <= last) {
        let next = month.checked_add_months(chrono::Months::new(1));
        if let (Some(from), Some(until)) = (start_of(month), next.and_then(start_of)) {
            months.push(Window { from, until });
        }
        first = next;
    }
    months
}

fn new_secrets() -> (String, String) {
    let mut rng = rand::thread_rng();
    let token = format!("{:016x}{:016x}", rng.r#gen::<u64>(), rng.r#gen::<u64>());
    let code = format!("{:06}", rng.gen_range(0..1_000_000));
    (token, code)
}

impl Store {
    /// The flats a resident may make passes for, and the longest guest's window of the first.
    pub async fn pass_homes(
        &self,
        user_id: i64,
        today: NaiveDate,
    ) -> Result<(Vec<(i64, String)>, i64), AppError> {
        let sql = format!(
            "SELECT a.id, h.address, a.number,
                 COALESCE(ps.guest_max_days, {max}) FROM apartments a
             JOIN houses h ON h.id = a.house_id
             LEFT JOIN pass_settings ps ON ps.house_id = h.id
             WHERE a.id IN ({flats}) ORDER BY h.address, a.number",
            max = Limits::default().guest_max_days,
            flats = my_flats()
        );
        let rows = with_db!(&self.db, |pool| sqlx::query_as::<
            _,
            (i64, String, String, i64),
        >(&sql)
        .bind(user_id)
        .bind(today)
        .fetch_all(pool)
        .await)
        .map_err(internal("pass homes"))?;
        let max_days = rows
            .iter()
            .map(|r| r.3)
            .min()
            .unwrap_or(Limits::default().guest_max_days);
        let homes = rows
            .into_iter()
            .map(|(id, address, number, _)| (id, format!("{address}, кв. {number}")))
            .collect();
        Ok((homes, max_days))
    }

    /// Makes a pass for one of the resident's flats, within the house's limits; a form sent
    /// twice makes one pass. Returns its id and the guest's link (`/p/<token>`).
    pub async fn create_pass(
        &self,
        by: &CurrentUser,
        pass: &NewPass,
        now: DateTime<Utc>,
    ) -> Result<(i64, String), AppError> {
        self.make_pass(Maker::Resident(by), pass, now).await
    }

    /// The dispatcher makes a pass for resident `person` (a phone call) in a flat they live in:
    /// the same rules and limits as the resident's own, the pass is the resident's (they see it
    /// and are told), and an exception the dispatcher asks for is approved by asking.
    pub async fn issue_pass(
        &self,
        staff: &CurrentUser,
        person: i64,
        pass: &NewPass,
        now: DateTime<Utc>,
    ) -> Result<(i64, String), AppError> {
        self.make_pass(Maker::Staff { staff, person }, pass, now)
            .await
    }

    async fn make_pass(
        &self,
        maker: Maker<'_>,
        pass: &NewPass,
        now: DateTime<Utc>,
    ) -> Result<(i64, String), AppError> {
        let by = maker.user();
        let flats = my_flats();
        write_tx!(self, "create pass", |tx| {
            if let Some(key) = &pass.client_key {
                let made: Option<(i64, String)> = sqlx::query_as(
                    "SELECT id, token FROM passes
                     WHERE client_key = $1 AND COALESCE(issued_by, created_by) = $2",
                )
                .bind(key)
                .bind(by.id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((id, token)) = made {
                    return Ok((id, format!("/p/{token}")));
                }
            }
            let today = crate::clock::local(now).date();
            // the flat's house, and the pass's owner: the resident (told when the visitor
            // comes) — the dispatcher when the resident has no cabinet
            let home: Option<(i64, String, i64)> = match maker {
                Maker::Resident(by) => {
                    sqlx::query_as(&format!(
                        "SELECT h.id, {HOUSE_TZ}, $1 FROM apartments a
                         JOIN houses h ON h.id = a.house_id
                         WHERE a.id = $3 AND a.id IN ({flats})"
                    ))
                    .bind(by.id)
                    .bind(today)
                    .bind(pass.apartment_id)
                    .fetch_optional(&mut *tx)
                    .await?
                }
                Maker::Staff { staff, person } => {
                    sqlx::query_as(&format!(
                        "SELECT h.id, {HOUSE_TZ}, COALESCE(pe.user_id, $4) FROM residencies r
                         JOIN people pe ON pe.id = r.person_id
                         JOIN apartments a ON a.id = r.apartment_id
                         JOIN houses h ON h.id = a.house_id
                         WHERE r.person_id = $1 AND a.id = $3 AND {}",
                        crate::db::residency_in_force("$2")
                    ))
                    .bind(person)
                    .bind(today)
                    .bind(pass.apartment_id)
                    .bind(staff.id)
                    .fetch_optional(&mut *tx)
                    .await?
                }
            };
            let Some((house_id, tz, owner)) = home else {
                return Err(AppError::invalid(match maker {
                    Maker::Resident(_) => "Выберите свою квартиру из списка.",
                    Maker::Staff { .. } => "Этот житель не живёт в выбранной квартире.",
                })
                .into());
            };
            let tz = house_tz(&tz);
            let limits: Option<(i64, i64, i64, i64)> = sqlx::query_as(
                "SELECT cars_per_flat, guest_cars_at_once, guest_car_hours_per_month, guest_max_days
                 FROM pass_settings WHERE house_id = $1",
            )
            .bind(house_id)
            .fetch_optional(&mut *tx)
            .await?;
            let limits = limits_of(limits);
            let mut over_limit = None;
            let invalid = |e: rules::WindowError| AppError::invalid(e.to_string());
            let validity = match pass.window {
                NewWindow::Permanent => Validity::Permanent,
                NewWindow::NextHour => Validity::Window(Window {
                    from: now,
                    until: now + Duration::hours(1),
                }),
                NewWindow::Day { day, from, until } => {
                    Validity::Window(rules::day_window(&tz, day, from, until).map_err(invalid)?)
                }
                NewWindow::Days { first, last } => {
                    let end = last.succ_opt().unwrap_or(last);
                    Validity::Window(
                        rules::window(
                            &tz,
                            first.and_time(NaiveTime::MIN),
                            end.and_time(NaiveTime::MIN),
                        )
                        .map_err(invalid)?,
                    )
                }
            };
            match (pass.kind, validity) {
                (PassKind::Car, _) => {
                    let cars: i64 = sqlx::query_scalar(&format!(
                        "SELECT COUNT(*) FROM passes WHERE apartment_id = $1 AND kind = 'car'
                         AND cancelled_at IS NULL AND erased_at IS NULL AND {GRANTED}"
                    ))
                    .bind(pass.apartment_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    if let Err(over) =
                        rules::check_own_car(u32::try_from(cars).unwrap_or(u32::MAX), &limits)
                    {
                        over_limit = Some(over);
                    }
                }
                (_, Validity::Window(window)) => {
                    rules::check_window(&window, now, limits.guest_max_days).map_err(invalid)?;
                    if pass.kind == PassKind::Guest && pass.plate.is_some() {
                        let months = months_of(&window, &tz);
                        let span = Window {
                            from: months.first().map_or(window.from, |m| m.from),
                            until: months.last().map_or(window.until, |m| m.until),
                        };
                        let others: Vec<(DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(&format!(
                            "SELECT valid_from, valid_until FROM passes
                             WHERE apartment_id = $1 AND kind = 'guest' AND plate IS NOT NULL
                             AND cancelled_at IS NULL AND erased_at IS NULL AND {GRANTED}
                             AND valid_until IS NOT NULL AND valid_from < $3 AND valid_until > $2"
                        ))
                        .bind(pass.apartment_id)
                        .bind(span.from)
                        .bind(span.until)
                        .fetch_all(&mut *tx)
                        .await?;
                        let others: Vec<Window> = others
                            .into_iter()
                            .map(|(from, until)| Window { from, until })
                            .collect();
                        let (overlapping, used) = rules::guest_car_usage(&window, &months, &others);
                        if let Err(over) =
                            rules::check_guest_car(&window, overlapping, &used, &limits)
                        {
                            over_limit = Some(over);
                        }
                    }
                }
                (_, Validity::Permanent) => {
                    return Err(AppError::invalid("Укажите, когда действует пропуск.").into());
                }
            }
            // over a limit: refused, or (when asked for) waiting for the dispatcher's exception
            // — granted at once when the dispatcher makes the pass
            let approval = match (over_limit, &pass.exception, maker) {
                (None, _, _) => None,
                (Some(over), None, _) => return Err(AppError::invalid(over.to_string()).into()),
                (Some(_), Some(_), Maker::Resident(_)) => Some(Approval::Pending),
                (Some(_), Some(_), Maker::Staff { .. }) => Some(Approval::Approved),
            };
            let issuer = match maker {
                Maker::Resident(_) => None,
                Maker::Staff { staff, .. } => Some(staff.id),
            };
            let (valid_from, valid_until) = match validity {
                Validity::Window(w) => (w.from, Some(w.until)),
                Validity::Permanent => (now, None),
            };
            for _ in 0..CODE_TRIES {
                let (token, code) = new_secrets();
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO passes (house_id, apartment_id, kind, one_time, visitor, phone,
                         plate, foreign_plate, car_note, people, valid_from, valid_until, token,
                         code, created_by, created_at, client_key, approval, approval_note,
                         issued_by, decided_by, decided_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                         $16, $17, $18, $19, $20, $21, $22)
                     ON CONFLICT DO NOTHING RETURNING id",
                )
                .bind(house_id)
                .bind(pass.apartment_id)
                .bind(pass.kind)
                .bind(pass.one_time)
                .bind(Some(pass.visitor.trim()).filter(|v| !v.is_empty()))
                .bind(Some(pass.phone.trim()).filter(|v| !v.is_empty()))
                .bind(pass.plate.as_ref().map(Plate::as_str))
                .bind(pass.foreign_plate)
                .bind(pass.car_note.trim())
                .bind(pass.people)
                .bind(valid_from)
                .bind(valid_until)
                .bind(&token)
                .bind(&code)
                .bind(owner)
                .bind(now)
                .bind(&pass.client_key)
                .bind(approval)
                .bind(
                    approval
                        .and(pass.exception.as_deref())
                        .filter(|r| !r.is_empty()),
                )
                .bind(issuer)
                .bind(issuer.filter(|_| approval.is_some()))
                .bind(approval.and(issuer).map(|_| now))
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(id) = id {
                    if let Maker::Staff { staff, .. } = maker {
                        crate::audit!(
                            &mut *tx,
                            Some(staff.id),
                            "create",
                            "passes",
                            Some(id),
                            format!("on behalf of user {owner}: {}", pass_title(pass))
                        )?;
                        if owner != staff.id {
                            let data: PassData = sqlx::query_as(&pass_sql("p.id = $1"))
                                .bind(id)
                                .fetch_one(&mut *tx)
                                .await?;
                            let notice = Notice {
                                kind: NoticeKind::PassIssued,
                                recipients: Recipients::User(owner),
                                params: [
                                    ("what".to_string(), pass_title(pass)),
                                    ("when".to_string(), data.when()),
                                ]
                                .into(),
                                link: Some("/cabinet/passes".into()),
                                source: Some(format!("pass:{id}")),
                                channels: None,
                            };
                            enqueue_notice!(&mut *tx, &notice)?;
                        }
                    }
                    if approval == Some(Approval::Pending) {
                        let notice = Notice {
                            kind: NoticeKind::PassException,
                            recipients: Recipients::Staff(Permission::ManagePasses),
                            params: [
                                ("who".to_string(), by.full_name.clone()),
                                ("what".to_string(), pass_title(pass)),
                                (
                                    "reason".to_string(),
                                    pass.exception.clone().unwrap_or_default(),
                                ),
                            ]
                            .into(),
                            link: Some(format!("/staff/passes?house={house_id}")),
                            source: Some(format!("pass:{id}")),
                            channels: None,
                        };
                        enqueue_notice!(&mut *tx, &notice)?;
                    }
                    return Ok((id, format!("/p/{token}")));
                }
            }
            tracing::error!(house_id, "no free pass code after {CODE_TRIES} tries");
            Err(AppError::Internal.into())
        })
    }

    /// Flat `number` of `house_id` for the dispatcher's pass form: (apartment id, "address,
    /// кв. N"), the people living in it on `today` (id, name — "no cabinet" noted) and the
    /// house's longest guest window. `None`: no such flat.
    pub async fn flat_people(
        &self,
        house_id: i64,
        number: &str,
        today: NaiveDate,
    ) -> Result<Option<FlatPeople>, AppError> {
        let flat: Option<(i64, String, i64)> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT a.id, h.address, COALESCE(ps.guest_max_days, {max}) FROM apartments a
             JOIN houses h ON h.id = a.house_id
             LEFT JOIN pass_settings ps ON ps.house_id = h.id
             WHERE a.house_id = $1 AND a.number = $2",
            max = Limits::default().guest_max_days,
        ))
        .bind(house_id)
        .bind(number)
        .fetch_optional(pool)
        .await)
        .map_err(internal("flat for a pass"))?;
        let Some((apartment, address, max_days)) = flat else {
            return Ok(None);
        };
        let people: Vec<(i64, String, bool)> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT DISTINCT pe.id, pe.full_name, pe.user_id IS NOT NULL FROM residencies r
                 JOIN people pe ON pe.id = r.person_id
                 WHERE r.apartment_id = $1 AND {} ORDER BY pe.full_name",
            crate::db::residency_in_force("$2")
        ))
        .bind(apartment)
        .bind(today)
        .fetch_all(pool)
        .await)
        .map_err(internal("flat's people"))?;
        let people = people
            .into_iter()
            .map(|(id, name, cabinet)| match cabinet {
                true => (id, name),
                false => (id, format!("{name} (нет кабинета)")),
            })
            .collect();
        Ok(Some(FlatPeople {
            home: (apartment, format!("{address}, кв. {number}")),
            people,
            guest_max_days: max_days,
        }))
    }

    /// The passes of the flats the resident lives in: open ones first, then the newest.
    pub async fn my_passes(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<PassRow>, AppError> {
        let sql = format!(
            "{} ORDER BY p.valid_from DESC LIMIT {LIST_LIMIT}",
            pass_sql(&format!("p.apartment_id IN ({})", my_flats()))
        );
        let today = crate::clock::local(now).date();
        let rows = with_db!(&self.db, |pool| sqlx::query_as::<_, PassData>(&sql)
            .bind(user_id)
            .bind(today)
            .fetch_all(pool)
            .await)
        .map_err(internal("my passes"))?;
        let mut rows: Vec<PassRow> = rows.iter().map(|p| p.row(now)).collect();
        rows.sort_by_key(|r| !r.state.is_open());
        Ok(rows)
    }

    /// Cancels a pass of one of the resident's flats (again: nothing changes). Another flat's
    /// pass is "not found".
    pub async fn cancel_pass(
        &self,
        user_id: i64,
        pass_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let flats = my_flats();
        write_tx!(self, "cancel pass", |tx| {
            let today = crate::clock::local(now).date();
            let mine: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(&format!(
                "SELECT cancelled_at FROM passes WHERE id = $3 AND erased_at IS NULL
                 AND apartment_id IN ({flats})"
            ))
            .bind(user_id)
            .bind(today)
            .bind(pass_id)
            .fetch_optional(&mut *tx)
            .await?;
            match mine {
                None => Err(AppError::NotFound.into()),
                Some(Some(_)) => Ok(()),
                Some(None) => {
                    sqlx::query("UPDATE passes SET cancelled_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(pass_id)
                        .execute(&mut *tx)
                        .await?;
                    Ok(())
                }
            }
        })
    }

    /// The guest's view of a pass by its link's token, without the QR (the api draws it).
    pub async fn public_pass(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<PublicPass, AppError> {
        let pass = self.pass_where("p.token = $1", token).await?;
        let pass = pass.ok_or(AppError::NotFound)?;
        Ok(PublicPass {
            kind: pass.kind,
            address: pass.address.clone(),
            when: pass.when(),
            state: rules::state(&pass.facts(), now),
            code: pass.code.clone(),
            plate: pass.plate.clone(),
            qr_svg: String::new(),
        })
    }

    async fn pass_where(&self, filter: &str, value: &str) -> Result<Option<PassData>, AppError> {
        let sql = pass_sql(filter);
        with_db!(&self.db, |pool| sqlx::query_as::<_, PassData>(&sql)
            .bind(value)
            .fetch_optional(pool)
            .await)
        .map_err(internal("find pass"))
    }

    /// The houses a guard's post may serve.
    pub async fn gate_houses(&self) -> Result<Vec<(i64, String)>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_as::<_, (i64, String)>(
            "SELECT id, address FROM houses ORDER BY address"
        )
        .fetch_all(pool)
        .await)
        .map_err(internal("gate houses"))
    }

    /// The guard's check at the gate of `house_id`: a pass by its link's token (what the QR
    /// holds) or its code — a pass of another house is refused as such — or by a plate in the
    /// house (the pass valid now if there is one). `None`: no such pass.
    pub async fn gate_check(
        &self,
        house_id: i64,
        lookup: &Lookup,
        now: DateTime<Utc>,
    ) -> Result<Option<GateAnswer>, AppError> {
        let candidates = match lookup {
            Lookup::Token(token) => self
                .pass_where("p.token = $1", token)
                .await?
                .into_iter()
                .collect(),
            Lookup::Code(code) => self
                .pass_where("p.code = $1", code)
                .await?
                .into_iter()
                .collect(),
            Lookup::Plate(plate) => {
                let sql = format!(
                    "{} ORDER BY p.valid_from DESC LIMIT 50",
                    pass_sql("p.plate = $1 AND p.house_id = $2")
                );
                with_db!(&self.db, |pool| sqlx::query_as::<_, PassData>(&sql)
                    .bind(plate.as_str())
                    .bind(house_id)
                    .fetch_all(pool)
                    .await)
                .map_err(internal("pass by plate"))?
            }
        };
        // a plate may have several passes: the one valid now, else the latest
        let best = candidates
            .iter()
            .find(|p| rules::admit(&p.facts(), now).is_ok())
            .or(candidates.first());
        Ok(best.map(|p| p.answer(house_id, now)))
    }

    /// The passes of `house_id` that may let someone in between `now` and a day later — what
    /// the guard's post keeps to answer without the server (the newest first, at most
    /// [`DAY_PASSES`]).
    pub async fn gate_day(
        &self,
        house_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<DayPass>, AppError> {
        let sql = format!(
            "{} ORDER BY p.valid_from DESC LIMIT {DAY_PASSES}",
            pass_sql(&format!(
                "p.house_id = $1 AND p.cancelled_at IS NULL AND {GRANTED}
                 AND (p.one_time = FALSE OR p.entries = 0) AND p.valid_from < $3
                 AND (p.valid_until IS NULL OR p.valid_until > $2)"
            ))
        );
        let rows = with_db!(&self.db, |pool| sqlx::query_as::<_, PassData>(&sql)
            .bind(house_id)
            .bind(now)
            .bind(now + Duration::days(1))
            .fetch_all(pool)
            .await)
        .map_err(internal("gate day"))?;
        Ok(rows
            .iter()
            .map(|p| DayPass {
                answer: p.answer(house_id, now),
                token: p.token.clone(),
                code: p.code.clone(),
                facts: p.facts(),
            })
            .collect())
    }

    /// Records an entry or exit on a pass at the gate of `house_id`. An entry is taken only while
    /// the pass is valid and for this house, and a one-time pass once — checked and counted in one statement, so two guards at the same
    /// moment make one entry. A record sent again with its `client_key` counts once. The resident
    /// who made a guest's pass is told the guest came.
    pub async fn record_passage(
        &self,
        guard: &CurrentUser,
        house_id: i64,
        pass_id: i64,
        direction: Direction,
        client_key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<GateAnswer, AppError> {
        let sql = pass_sql("p.id = $1");
        write_tx!(self, "record passage", |tx| {
            let seen: Option<i64> = match client_key {
                Some(key) => {
                    sqlx::query_scalar("SELECT id FROM pass_entries WHERE client_key = $1")
                        .bind(key)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            let pass: Option<(i64, i64, PassKind)> = sqlx::query_as(
                "SELECT house_id, created_by, kind FROM passes WHERE id = $1 AND erased_at IS NULL",
            )
            .bind(pass_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((pass_house, resident, kind)) = pass else {
                return Err(AppError::NotFound.into());
            };
            if pass_house != house_id {
                return Err(AppError::invalid(Refusal::OtherHouse.message()).into());
            }
            if seen.is_none() {
                if direction == Direction::In {
                    let taken = sqlx::query(TAKE_ENTRY)
                        .bind(pass_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if taken == 0 {
                        let data: PassData = sqlx::query_as(&sql)
                            .bind(pass_id)
                            .fetch_one(&mut *tx)
                            .await?;
                        let why = rules::admit(&data.facts(), now)
                            .err()
                            .unwrap_or(Refusal::Used);
                        return Err(AppError::invalid(why.message()).into());
                    }
                }
                sqlx::query(RECORD_ENTRY)
                    .bind(pass_id)
                    .bind(house_id)
                    .bind(direction)
                    .bind(now)
                    .bind(guard.id)
                    .bind(client_key)
                    .execute(&mut *tx)
                    .await?;
                if direction == Direction::In && kind != PassKind::Car {
                    let data: PassData = sqlx::query_as(&sql)
                        .bind(pass_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    enqueue_notice!(&mut *tx, &guest_arrived(resident, &data, now))?;
                }
            }
            let data: PassData = sqlx::query_as(&sql)
                .bind(pass_id)
                .fetch_one(&mut *tx)
                .await?;
            let mut answer = data.answer(house_id, now);
            // just let in on it: the guard sees green with the count, not "used"
            if direction == Direction::In {
                answer.refusal = None;
            }
            Ok(answer)
        })
    }
}

/// The most passes the guard's post keeps for a day.
pub const DAY_PASSES: usize = 5_000;

/// Counts an entry on pass `$1` at moment `$2` only while it lets anyone in: not cancelled, in
/// its window, a one-time pass not used — one statement, so two entries at the same moment (two
/// guards, a guard and a camera) count one.
pub(super) const TAKE_ENTRY: &str = "UPDATE passes SET entries = entries + 1
     WHERE id = $1 AND cancelled_at IS NULL AND (one_time = FALSE OR entries = 0)
     AND valid_from <= $2 AND (valid_until IS NULL OR valid_until > $2)
     AND (approval IS NULL OR approval = 'approved')";

/// The SQL condition of a pass that may let anyone in as far as the dispatcher is concerned:
/// within the limits, or over them and approved.
pub(super) const GRANTED: &str = "(approval IS NULL OR approval = 'approved')";

/// An entry or exit in the log: pass, house, direction, moment, guard (NULL: a camera), the
/// record's one-time key.
pub(super) const RECORD_ENTRY: &str =
    "INSERT INTO pass_entries (pass_id, house_id, direction, at, guard_user_id, client_key)
     VALUES ($1, $2, $3, $4, $5, $6)";

/// The notice to the resident who made a pass that their visitor came in.
pub(super) fn guest_arrived(resident: i64, pass: &PassData, now: DateTime<Utc>) -> Notice {
    Notice {
        kind: NoticeKind::GuestArrived,
        recipients: Recipients::User(resident),
        params: [
            ("who".to_string(), pass.who()),
            ("time".to_string(), crate::clock::format_moment(now)),
        ]
        .into(),
        link: Some("/cabinet/passes".into()),
        source: Some(format!("pass:{}", pass.id)),
        channels: None,
    }
}

/// What a new pass is, for the dispatcher's notice: «Моя машина А123ВС77».
fn pass_title(pass: &NewPass) -> String {
    let mut title = super::text::kind_label(pass.kind).to_string();
    for part in [
        pass.plate.as_ref().map(|p| p.as_str().to_string()),
        Some(pass.visitor.clone()),
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.is_empty())
    {
        title.push(' ');
        title.push_str(&part);
    }
    title
}

/// The house's limits from its row (the defaults when it has none).
fn limits_of(row: Option<(i64, i64, i64, i64)>) -> Limits {
    let clamp = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    match row {
        Some((cars, at_once, hours, days)) => Limits {
            cars_per_flat: clamp(cars),
            guest_cars_at_once: clamp(at_once),
            guest_car_hours_per_month: clamp(hours),
            guest_max_days: days,
        },
        None => Limits::default(),
    }
}

/// What a retention sweep erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Erased {
    pub passes: u64,
    pub reads: u64,
}

impl Store {
    /// Erases, house by house, guests' names, phones and plates from passes that ended longer
    /// ago than the house keeps them, and the plates and pictures of the cameras' reads as old.
    /// The log keeps its rows (the counts), without the names. One transaction.
    pub async fn erase_guest_data(&self, now: DateTime<Utc>) -> Result<Erased, AppError> {
        write_tx!(self, "erase guest data", |tx| {
            let houses: Vec<(i64, i64)> = sqlx::query_as(&format!(
                "SELECT h.id, COALESCE(ps.retention_days, {}) FROM houses h
                 LEFT JOIN pass_settings ps ON ps.house_id = h.id",
                rules::RETENTION_DAYS
            ))
            .fetch_all(&mut *tx)
            .await?;
            let mut erased = Erased::default();
            for (house, days) in houses {
                let before = now - Duration::days(days);
                erased.passes += sqlx::query(
                    "UPDATE passes SET visitor = NULL, phone = NULL, plate = NULL, car_note = '',
                         erased_at = $1
                     WHERE house_id = $2 AND erased_at IS NULL AND kind <> 'car'
                     AND valid_until IS NOT NULL AND valid_until < $3",
                )
                .bind(now)
                .bind(house)
                .bind(before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                erased.reads += sqlx::query(
                    "UPDATE plate_events SET raw_plate = NULL, plate = NULL, snapshot = NULL,
                         candidates = '', erased_at = $1
                     WHERE house_id = $2 AND erased_at IS NULL AND received_at < $3",
                )
                .bind(now)
                .bind(house)
                .bind(before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            Ok(erased)
        })
    }
}

/// A contractor's pass is told to its resident this long before it ends.
pub const ENDING_NOTICE_HOURS: i64 = 24;

impl Store {
    /// The dispatcher's word on a pass over the limits: approved, it lets in like any other;
    /// refused, with the reason the resident reads. Once: a pass already decided is refused.
    pub async fn decide_exception(
        &self,
        staff: &CurrentUser,
        pass_id: i64,
        approve: bool,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let reason = reason.trim();
        if !approve && reason.is_empty() {
            return Err(AppError::invalid(
                "Напишите, почему отказ, — житель прочтёт это.",
            ));
        }
        let (approval, verdict) = if approve {
            (Approval::Approved, "одобрил")
        } else {
            (Approval::Refused, "не одобрил")
        };
        let sql = pass_sql("p.id = $1");
        write_tx!(self, "decide pass exception", |tx| {
            let decided = sqlx::query(
                "UPDATE passes SET approval = $1, approval_note = $2, decided_by = $3,
                     decided_at = $4
                 WHERE id = $5 AND approval = 'pending' AND cancelled_at IS NULL",
            )
            .bind(approval)
            .bind(Some(reason).filter(|r| !r.is_empty()))
            .bind(staff.id)
            .bind(now)
            .bind(pass_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if decided == 0 {
                return Err(
                    AppError::invalid("Этот пропуск уже решён или отменён жителем.").into(),
                );
            }
            let pass: PassData = sqlx::query_as(&sql)
                .bind(pass_id)
                .fetch_one(&mut *tx)
                .await?;
            let notice = Notice {
                kind: NoticeKind::PassExceptionDecided,
                recipients: Recipients::User(pass.created_by),
                params: [
                    ("what".to_string(), pass.who()),
                    ("verdict".to_string(), verdict.to_string()),
                    ("reason".to_string(), reason.to_string()),
                ]
                .into(),
                link: Some("/cabinet/passes".into()),
                source: Some(format!("pass:{pass_id}")),
                channels: None,
            };
            enqueue_notice!(&mut *tx, &notice)?;
            Ok(())
        })
    }

    /// A house's passes over the limits that wait for the dispatcher, oldest first.
    pub async fn exceptions_waiting(
        &self,
        house_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<PassRow>, AppError> {
        let sql = format!(
            "{} ORDER BY p.created_at LIMIT {LIST_LIMIT}",
            pass_sql("p.house_id = $1 AND p.approval = 'pending' AND p.cancelled_at IS NULL")
        );
        let rows = with_db!(&self.db, |pool| sqlx::query_as::<_, PassData>(&sql)
            .bind(house_id)
            .fetch_all(pool)
            .await)
        .map_err(internal("pass exceptions"))?;
        Ok(rows.iter().map(|p| p.row(now)).collect())
    }

    /// Tells each resident, once, that a contractor's pass of theirs ends within
    /// [`ENDING_NOTICE_HOURS`]; returns how many were told.
    pub async fn notice_ending_contractors(&self, now: DateTime<Utc>) -> Result<u64, AppError> {
        let sql = pass_sql(&format!(
            "p.kind = 'contractor' AND p.cancelled_at IS NULL AND p.ending_noticed_at IS NULL
             AND p.valid_until > $1 AND p.valid_until <= $2 AND {GRANTED}"
        ));
        write_tx!(self, "contractor passes ending", |tx| {
            let ending: Vec<PassData> = sqlx::query_as(&sql)
                .bind(now)
                .bind(now + Duration::hours(ENDING_NOTICE_HOURS))
                .fetch_all(&mut *tx)
                .await?;
            for pass in &ending {
                sqlx::query("UPDATE passes SET ending_noticed_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(pass.id)
                    .execute(&mut *tx)
                    .await?;
                let notice = Notice {
                    kind: NoticeKind::ContractorPassEnding,
                    recipients: Recipients::User(pass.created_by),
                    params: [
                        ("who".to_string(), pass.who()),
                        ("when".to_string(), pass.when()),
                    ]
                    .into(),
                    link: Some("/cabinet/passes/new".into()),
                    source: Some(format!("pass:{}", pass.id)),
                    channels: None,
                };
                enqueue_notice!(&mut *tx, &notice)?;
            }
            Ok(ending.len() as u64)
        })
    }
}

impl Store {
    /// A house's pass settings: its row, or the defaults.
    pub async fn pass_settings(&self, house_id: i64) -> Result<PassSettings, AppError> {
        let row: Option<(i64, i64, i64, i64, i64)> = with_db!(&self.db, |pool| {
            sqlx::query_as(
            "SELECT cars_per_flat, guest_cars_at_once, guest_car_hours_per_month, guest_max_days,
                 retention_days FROM pass_settings WHERE house_id = $1"
        )
        .bind(house_id)
        .fetch_optional(pool)
        .await
        })
        .map_err(internal("pass settings"))?;
        let defaults = Limits::default();
        let (cars, at_once, hours, days, retention) = row.unwrap_or((
            defaults.cars_per_flat.into(),
            defaults.guest_cars_at_once.into(),
            defaults.guest_car_hours_per_month.into(),
            defaults.guest_max_days,
            rules::RETENTION_DAYS,
        ));
        Ok(PassSettings {
            house: house_id,
            cars_per_flat: cars,
            guest_cars_at_once: at_once,
            guest_car_hours_per_month: hours,
            guest_max_days: days,
            retention_days: retention,
        })
    }

    /// Sets a house's pass settings (audited); passes already made keep their windows.
    pub async fn save_pass_settings(
        &self,
        staff: &CurrentUser,
        settings: &PassSettings,
    ) -> Result<(), AppError> {
        let values = [
            settings.cars_per_flat,
            settings.guest_cars_at_once,
            settings.guest_car_hours_per_month,
            settings.guest_max_days,
            settings.retention_days,
        ];
        for ((what, min, max), value) in rules::SETTINGS_RANGES.iter().zip(values) {
            if !(*min..=*max).contains(&value) {
                return Err(AppError::invalid(format!("{what}: от {min} до {max}.")));
            }
        }
        write_tx!(self, "save pass settings", |tx| {
            let house: Option<i64> = sqlx::query_scalar("SELECT id FROM houses WHERE id = $1")
                .bind(settings.house)
                .fetch_optional(&mut *tx)
                .await?;
            if house.is_none() {
                return Err(AppError::NotFound.into());
            }
            sqlx::query(
                "INSERT INTO pass_settings (house_id, cars_per_flat, guest_cars_at_once,
                     guest_car_hours_per_month, guest_max_days, retention_days)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (house_id) DO UPDATE SET cars_per_flat = $2,
                     guest_cars_at_once = $3, guest_car_hours_per_month = $4,
                     guest_max_days = $5, retention_days = $6",
            )
            .bind(settings.house)
            .bind(settings.cars_per_flat)
            .bind(settings.guest_cars_at_once)
            .bind(settings.guest_car_hours_per_month)
            .bind(settings.guest_max_days)
            .bind(settings.retention_days)
            .execute(&mut *tx)
            .await?;
            crate::audit!(
                &mut *tx,
                Some(staff.id),
                "update",
                "pass_settings",
                Some(settings.house),
                format!("{values:?}")
            )?;
            Ok(())
        })
    }
}
