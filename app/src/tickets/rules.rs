//! Pure rules of the АДС: who may move a ticket where, the SLA clock, what a form must hold and
//! which files are taken (by their content, never by their name). No I/O.

use chrono::{DateTime, Duration, Utc};

use super::types::{FileKind, Place, Sla, Status};
use crate::auth::rules::role_can;
use crate::auth::types::{CurrentUser, Permission, Role};

/// Who is acting on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The resident who filed it.
    Requester,
    /// The dispatcher (and the council): the whole board.
    Dispatcher,
    /// The executor it is assigned to (or a person of its contractor).
    Executor,
}

/// Whether `actor` may move a ticket from `from` to `to`.
pub fn may_move(from: Status, to: Status, actor: Actor) -> bool {
    use Status::*;
    match actor {
        Actor::Dispatcher => matches!(
            (from, to),
            (New, Accepted | InWork | Deferred | Cancelled)
                | (Accepted, InWork | Done | Deferred | Cancelled)
                | (InWork, Done | Deferred)
                | (Deferred, Accepted | InWork | Cancelled)
                | (Reopened, Accepted | InWork | Cancelled)
                | (Done, Closed | InWork)
        ),
        Actor::Executor => matches!(
            (from, to),
            (Accepted | Deferred | Reopened, InWork) | (InWork, Done | Deferred)
        ),
        Actor::Requester => matches!((from, to), (New, Cancelled) | (Done, Closed | Reopened)),
    }
}

/// The moves `actor` has from `from`, in the order the buttons show them.
pub fn moves(from: Status, actor: Actor) -> Vec<Status> {
    use Status::*;
    [
        Accepted, InWork, Done, Closed, Reopened, Deferred, Cancelled,
    ]
    .into_iter()
    .filter(|to| may_move(from, *to, actor))
    .collect()
}

/// A move that must say why: the resident reopening, a ticket put off or cancelled.
pub fn needs_reason(to: Status) -> bool {
    matches!(to, Status::Reopened | Status::Deferred | Status::Cancelled)
}

/// The button's words for a move, as the actor sees it.
pub fn move_label(to: Status, actor: Actor) -> &'static str {
    match (to, actor) {
        (Status::Accepted, _) => "Принять",
        (Status::InWork, Actor::Executor) => "Начать работу",
        (Status::InWork, _) => "В работу",
        (Status::Done, _) => "Работы выполнены",
        (Status::Closed, Actor::Requester) => "Подтвердить выполнение",
        (Status::Closed, _) => "Закрыть",
        (Status::Reopened, _) => "Не выполнено — открыть снова",
        (Status::Deferred, _) => "Отложить",
        (Status::Cancelled, Actor::Requester) => "Отозвать заявку",
        (Status::Cancelled, _) => "Отменить",
        (Status::New, _) => "Новая",
    }
}

/// Whether leaving `from` for `to` is the reaction the first deadline waits for: the ticket was
/// taken up (accepted, started, done or put off with a reason).
pub fn is_reaction(from: Status, to: Status) -> bool {
    matches!(from, Status::New | Status::Reopened)
        && matches!(
            to,
            Status::Accepted | Status::InWork | Status::Done | Status::Deferred
        )
}

/// A deadline `minutes` after the clock started.
pub fn due(clock_from: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    clock_from + Duration::minutes(minutes)
}

/// The state of a deadline at `now`: met or missed once the step `happened`, otherwise running,
/// at risk in the last quarter of its window, or overdue.
pub fn sla(
    now: DateTime<Utc>,
    due: DateTime<Utc>,
    window_minutes: i64,
    happened: Option<DateTime<Utc>>,
) -> Sla {
    match happened {
        Some(at) if at <= due => Sla::Met,
        Some(at) => Sla::Missed {
            late_minutes: (at - due).num_minutes().max(1),
        },
        None if now > due => Sla::Overdue {
            late_minutes: (now - due).num_minutes().max(1),
        },
        None => {
            let left = (due - now).num_minutes();
            if left * 4 <= window_minutes {
                Sla::AtRisk { left_minutes: left }
            } else {
                Sla::Running { left_minutes: left }
            }
        }
    }
}

/// `25 мин`, `3 ч 10 мин`, `2 дн 4 ч`.
pub fn format_minutes(minutes: i64) -> String {
    let m = minutes.max(0);
    let (days, hours, mins) = (m / 1440, m % 1440 / 60, m % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m} мин"),
        (0, h, 0) => format!("{h} ч"),
        (0, h, m) => format!("{h} ч {m} мин"),
        (d, 0, _) => format!("{d} дн"),
        (d, h, _) => format!("{d} дн {h} ч"),
    }
}

/// A deadline's state in words.
pub fn sla_text(s: Sla) -> String {
    match s {
        Sla::Met => "в срок".into(),
        Sla::Missed { late_minutes } => format!("с опозданием {}", format_minutes(late_minutes)),
        Sla::Running { left_minutes } | Sla::AtRisk { left_minutes } => {
            format!("осталось {}", format_minutes(left_minutes))
        }
        Sla::Overdue { late_minutes } => format!("просрочено на {}", format_minutes(late_minutes)),
    }
}

/// Whether a deadline is missed (or is being missed right now).
pub fn is_late(s: Sla) -> bool {
    matches!(s, Sla::Missed { .. } | Sla::Overdue { .. })
}

/// What is wrong with a ticket form (the code travels in the address when the form was sent
/// without the page's script).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("Выберите, что случилось.")]
    Category,
    #[error("Укажите, где проблема.")]
    Place,
    #[error("Выберите квартиру из своих.")]
    Home,
    #[error("Опишите, что случилось: от 10 до 2000 знаков.")]
    Description,
    #[error("Уточнение места — не длиннее 200 знаков.")]
    Note,
    #[error("Укажите причину: от 5 до 500 знаков.")]
    Reason,
    #[error("Комментарий — от 1 до 2000 знаков.")]
    Comment,
    #[error("Оценка — от 1 до 5.")]
    Rating,
    #[error("Файл ещё загружается или не загрузился — дождитесь или удалите его.")]
    Unfinished,
    #[error("Не больше 10 файлов в заявке.")]
    TooManyFiles,
    #[error("Укажите имя заявителя и телефон для связи.")]
    Caller,
}

impl FormError {
    pub const ALL: [FormError; 11] = [
        FormError::Category,
        FormError::Place,
        FormError::Home,
        FormError::Description,
        FormError::Note,
        FormError::Reason,
        FormError::Comment,
        FormError::Rating,
        FormError::Unfinished,
        FormError::TooManyFiles,
        FormError::Caller,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FormError::Category => "category",
            FormError::Place => "place",
            FormError::Home => "home",
            FormError::Description => "description",
            FormError::Note => "note",
            FormError::Reason => "reason",
            FormError::Comment => "comment",
            FormError::Rating => "rating",
            FormError::Unfinished => "unfinished",
            FormError::TooManyFiles => "files",
            FormError::Caller => "caller",
        }
    }

    pub fn from_code(code: &str) -> Option<FormError> {
        FormError::ALL.iter().copied().find(|e| e.code() == code)
    }
}

/// At most this many files per ticket (the resident's and the executor's together).
pub const MAX_FILES: usize = 10;

fn text_between(s: &str, min: usize, max: usize) -> Option<String> {
    let t = s.trim();
    let n = t.chars().count();
    (min..=max).contains(&n).then(|| t.to_string())
}

/// A ticket's description and place note, trimmed.
pub fn check_text(description: &str, note: &str) -> Result<(String, String), FormError> {
    let description = text_between(description, 10, 2000).ok_or(FormError::Description)?;
    let note = text_between(note, 0, 200).ok_or(FormError::Note)?;
    Ok((description, note))
}

pub fn check_place(place: &str) -> Result<Place, FormError> {
    Place::parse(place).ok_or(FormError::Place)
}

/// The reason of a move that needs one (and nothing for one that does not).
pub fn check_reason(to: Status, reason: &str) -> Result<String, FormError> {
    if needs_reason(to) {
        text_between(reason, 5, 500).ok_or(FormError::Reason)
    } else {
        text_between(reason, 0, 500).ok_or(FormError::Reason)
    }
}

pub fn check_comment(body: &str) -> Result<String, FormError> {
    text_between(body, 1, 2000).ok_or(FormError::Comment)
}

pub fn check_rating(stars: i64) -> Result<i64, FormError> {
    (1..=5)
        .contains(&stars)
        .then_some(stars)
        .ok_or(FormError::Rating)
}

/// What an uploaded file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: FileKind,
    pub content_type: &'static str,
}

/// Files refused, in the uploader's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("Такой файл не подходит: можно фото (JPEG, PNG, WebP), видео (MP4, MOV, WebM) и PDF.")]
    NotAllowed,
    #[error(
        "Фото в формате HEIC не принимается: в настройках камеры выберите «Наиболее совместимый» или пришлите снимок экрана."
    )]
    Heic,
    #[error("Файл слишком большой: фото — до 20 МБ, видео — до 100 МБ, документ — до 10 МБ.")]
    TooLarge,
    #[error("Файл повреждён: его не удалось прочитать.")]
    Unreadable,
    #[error("Файл пришёл не целиком — загрузка продолжится сама, или нажмите «Повторить».")]
    Incomplete,
}

/// The largest file of each kind (a phone's photo is 2–12 MB; a minute of video about 100).
pub fn max_bytes(kind: FileKind) -> u64 {
    match kind {
        FileKind::Photo => 20 * 1024 * 1024,
        FileKind::Video => 100 * 1024 * 1024,
        FileKind::Document => 10 * 1024 * 1024,
    }
}

/// The largest upload of any kind.
pub const MAX_UPLOAD_BYTES: u64 = 100 * 1024 * 1024;

/// Recognises a file by its first bytes: the formats phones make and PDF. An executable, a
/// script or an HTML page renamed `.jpg` is none of them.
pub fn sniff(head: &[u8]) -> Result<Sniffed, FileError> {
    let photo = |content_type| {
        Ok(Sniffed {
            kind: FileKind::Photo,
            content_type,
        })
    };
    let video = |content_type| {
        Ok(Sniffed {
            kind: FileKind::Video,
            content_type,
        })
    };
    match head {
        [0xFF, 0xD8, 0xFF, ..] => photo("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => photo("image/png"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => photo("image/webp"),
        [0x1A, 0x45, 0xDF, 0xA3, ..] => video("video/webm"),
        [b'%', b'P', b'D', b'F', b'-', ..] => Ok(Sniffed {
            kind: FileKind::Document,
            content_type: "application/pdf",
        }),
        [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] if brand.len() >= 4 => match &brand[..4] {
            b"heic" | b"heix" | b"hevc" | b"mif1" | b"msf1" | b"avif" => Err(FileError::Heic),
            b"qt  " => video("video/quicktime"),
            b"isom" | b"iso2" | b"mp41" | b"mp42" | b"avc1" | b"M4V " | b"3gp4" | b"3gp5"
            | b"3gp6" | b"dash" => video("video/mp4"),
            _ => Err(FileError::NotAllowed),
        },
        _ => Err(FileError::NotAllowed),
    }
}

/// A file's size as people read it: `820 КБ`, `3,4 МБ`.
pub fn format_size(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} КБ", (bytes + 1023) / 1024)
    } else {
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
        format!("{},{} МБ", tenths / 10, tenths % 10)
    }
}

/// Hours with one decimal, as a report shows an average (`12,5`); no data is a dash.
pub fn format_hours(total_minutes: i64, count: i64) -> String {
    if count == 0 {
        return "—".into();
    }
    let tenths = (total_minutes * 10 + count * 30) / (count * 60);
    format!("{},{}", tenths / 10, tenths % 10)
}

/// How long a done ticket waits for the resident before it closes by itself.
pub const QUIET_DAYS: i64 = 3;

/// The people a ticket belongs to, as its access check needs them.
#[derive(Debug, Clone, Copy)]
pub struct TicketParties {
    pub requester: Option<i64>,
    pub executor: Option<i64>,
    pub contractor: Option<i64>,
}

/// Who `user` is to a ticket, if anyone: its board (dispatchers, council), its requester, or
/// its executor (the one assigned, or any person of the assigned contractor).
pub fn actor_for(
    user: &CurrentUser,
    p: TicketParties,
    user_contractor: Option<i64>,
) -> Option<Actor> {
    if role_can(user.role, Permission::ManageTickets) {
        Some(Actor::Dispatcher)
    } else if user.role == Role::Resident && p.requester == Some(user.id) {
        Some(Actor::Requester)
    } else if role_can(user.role, Permission::WorkTickets)
        && (p.executor == Some(user.id)
            || (p.contractor.is_some() && p.contractor == user_contractor))
    {
        Some(Actor::Executor)
    } else {
        None
    }
}

/// Where, as one line: `кв. 12`, `подъезд 2 · у лифта`, `Во дворе`.
pub fn place_line(place: Place, flat: Option<&str>, entrance: Option<i64>, note: &str) -> String {
    let base = match (place, flat, entrance) {
        (Place::Flat, Some(n), _) => format!("кв. {n}"),
        (Place::Entrance, _, Some(e)) => format!("подъезд {e}"),
        _ => place.label().to_lowercase(),
    };
    if note.is_empty() {
        base
    } else {
        format!("{base} · {note}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn user(id: i64, role: Role) -> CurrentUser {
        CurrentUser {
            id,
            full_name: String::new(),
            role,
            login: String::new(),
        }
    }

    #[test]
    fn only_the_requester_the_board_and_the_assigned_executor_reach_a_ticket() {
        let p = TicketParties {
            requester: Some(10),
            executor: Some(30),
            contractor: Some(3),
        };
        assert_eq!(
            actor_for(&user(10, Role::Resident), p, None),
            Some(Actor::Requester)
        );
        assert_eq!(
            actor_for(&user(11, Role::Resident), p, None),
            None,
            "a neighbour"
        );
        assert_eq!(
            actor_for(&user(2, Role::Dispatcher), p, None),
            Some(Actor::Dispatcher)
        );
        assert_eq!(actor_for(&user(2, Role::Accountant), p, None), None);
        assert_eq!(
            actor_for(&user(30, Role::Executor), p, None),
            Some(Actor::Executor)
        );
        assert_eq!(
            actor_for(&user(31, Role::Executor), p, Some(3)),
            Some(Actor::Executor)
        );
        assert_eq!(
            actor_for(&user(32, Role::Executor), p, Some(4)),
            None,
            "another firm"
        );
        // a resident who is also named as executor of nothing still reaches only their own
        assert_eq!(actor_for(&user(30, Role::Resident), p, None), None);
    }

    #[test]
    fn places_read_as_one_line() {
        assert_eq!(place_line(Place::Flat, Some("12"), Some(1), ""), "кв. 12");
        assert_eq!(
            place_line(Place::Entrance, Some("12"), Some(2), "у лифта"),
            "подъезд 2 · у лифта"
        );
        assert_eq!(place_line(Place::Yard, None, None, ""), "во дворе");
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
    }

    #[test]
    fn the_sla_clock_counts_from_registration() {
        let registered = at(10, 0);
        // a leak: the accident must be localised within 30 minutes
        let reaction = due(registered, 30);
        assert_eq!(reaction, at(10, 30));
        assert_eq!(
            sla(at(10, 10), reaction, 30, None),
            Sla::Running { left_minutes: 20 }
        );
        // the last quarter of the window is at risk
        assert_eq!(
            sla(at(10, 23), reaction, 30, None),
            Sla::AtRisk { left_minutes: 7 }
        );
        assert_eq!(
            sla(at(10, 30), reaction, 30, None),
            Sla::AtRisk { left_minutes: 0 }
        );
        assert_eq!(
            sla(at(10, 45), reaction, 30, None),
            Sla::Overdue { late_minutes: 15 }
        );
        assert_eq!(sla(at(11, 0), reaction, 30, Some(at(10, 29))), Sla::Met);
        assert_eq!(sla(at(11, 0), reaction, 30, Some(at(10, 30))), Sla::Met);
        assert_eq!(
            sla(at(9, 0), reaction, 30, Some(at(10, 31))),
            Sla::Missed { late_minutes: 1 }
        );
        // a blockage: two hours; ordinary requests: eight days across a month's end
        assert_eq!(due(registered, 120), at(12, 0));
        let ordinary = due(
            Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0).unwrap(),
            8 * 1440,
        );
        assert_eq!(
            ordinary,
            Utc.with_ymd_and_hms(2026, 12, 6, 18, 0, 0).unwrap()
        );
        assert!(is_late(sla(at(0, 0), at(0, 0), 1, Some(at(0, 5)))));
        assert!(!is_late(Sla::AtRisk { left_minutes: 1 }));
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(format_minutes(25), "25 мин");
        assert_eq!(format_minutes(120), "2 ч");
        assert_eq!(format_minutes(190), "3 ч 10 мин");
        assert_eq!(format_minutes(8 * 1440), "8 дн");
        assert_eq!(format_minutes(2 * 1440 + 4 * 60 + 5), "2 дн 4 ч");
        assert_eq!(format_minutes(-5), "0 мин");
        assert_eq!(
            sla_text(Sla::Overdue { late_minutes: 90 }),
            "просрочено на 1 ч 30 мин"
        );
        assert_eq!(sla_text(Sla::Running { left_minutes: 3 }), "осталось 3 мин");
    }

    #[test]
    fn transitions_allowed_and_refused() {
        use Status::*;
        let allowed = [
            (New, Accepted, Actor::Dispatcher),
            (Accepted, InWork, Actor::Dispatcher),
            (InWork, Done, Actor::Dispatcher),
            (Done, Closed, Actor::Requester),
            (Done, Reopened, Actor::Requester),
            (Reopened, InWork, Actor::Executor),
            (Accepted, InWork, Actor::Executor),
            (InWork, Done, Actor::Executor),
            (InWork, Deferred, Actor::Executor),
            (Deferred, InWork, Actor::Dispatcher),
            (New, Cancelled, Actor::Requester),
            (New, Cancelled, Actor::Dispatcher),
            (Done, InWork, Actor::Dispatcher),
        ];
        for (from, to, who) in allowed {
            assert!(may_move(from, to, who), "{from:?} → {to:?} by {who:?}");
        }
        let refused = [
            // the resident cannot close an unfinished ticket or take back one in work
            (InWork, Closed, Actor::Requester),
            (Accepted, Cancelled, Actor::Requester),
            (New, Accepted, Actor::Requester),
            // nobody reopens for the resident, nothing leaves a closed or cancelled ticket
            (Done, Reopened, Actor::Dispatcher),
            (Closed, Reopened, Actor::Requester),
            (Closed, InWork, Actor::Dispatcher),
            (Cancelled, New, Actor::Dispatcher),
            // an executor neither accepts new tickets nor closes them
            (New, Accepted, Actor::Executor),
            (Done, Closed, Actor::Executor),
            (New, InWork, Actor::Executor),
            // no status moves to itself
            (InWork, InWork, Actor::Dispatcher),
        ];
        for (from, to, who) in refused {
            assert!(!may_move(from, to, who), "{from:?} → {to:?} by {who:?}");
        }
        assert_eq!(moves(Done, Actor::Requester), vec![Closed, Reopened]);
        assert!(moves(Closed, Actor::Dispatcher).is_empty());
        assert!(needs_reason(Reopened) && needs_reason(Deferred) && !needs_reason(Done));
        assert!(is_reaction(New, Accepted) && is_reaction(Reopened, InWork));
        assert!(!is_reaction(New, Cancelled) && !is_reaction(Accepted, InWork));
    }

    #[test]
    fn forms_say_what_to_fix() {
        assert_eq!(check_text("течёт", ""), Err(FormError::Description));
        assert_eq!(
            check_text("  Течёт с потолка в ванной  ", " над ванной "),
            Ok(("Течёт с потолка в ванной".into(), "над ванной".into()))
        );
        assert_eq!(
            check_text(&"х".repeat(2001), ""),
            Err(FormError::Description)
        );
        assert_eq!(
            check_text("Течёт с потолка", &"х".repeat(201)),
            Err(FormError::Note)
        );
        assert_eq!(check_place("yard"), Ok(Place::Yard));
        assert_eq!(check_place("roof"), Err(FormError::Place));
        assert_eq!(
            check_reason(Status::Reopened, "нет"),
            Err(FormError::Reason)
        );
        assert_eq!(
            check_reason(Status::Reopened, "снова течёт"),
            Ok("снова течёт".into())
        );
        assert_eq!(check_reason(Status::Accepted, ""), Ok(String::new()));
        assert_eq!(check_rating(0), Err(FormError::Rating));
        assert_eq!(check_rating(5), Ok(5));
        for e in FormError::ALL.iter().copied() {
            assert_eq!(FormError::from_code(e.code()), Some(e));
        }
    }

    #[test]
    fn files_are_recognised_by_content_and_a_renamed_executable_is_refused() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0..").unwrap().kind, FileKind::Photo);
        assert_eq!(
            sniff(b"\x00\x00\x00\x18ftypmp42....").unwrap().content_type,
            "video/mp4"
        );
        assert_eq!(
            sniff(b"\x00\x00\x00\x14ftypqt  ....").unwrap().content_type,
            "video/quicktime"
        );
        assert_eq!(
            sniff(b"\x1A\x45\xDF\xA3....").unwrap().kind,
            FileKind::Video
        );
        assert_eq!(sniff(b"%PDF-1.7\n").unwrap().kind, FileKind::Document);
        assert_eq!(sniff(b"\x00\x00\x00\x18ftypheic"), Err(FileError::Heic));
        // a Windows program, a Linux one, a script and a page, whatever their names say
        for bad in [
            &b"MZ\x90\x00\x03\x00\x00\x00"[..],
            b"\x7FELF\x02\x01\x01",
            b"#!/bin/sh\nrm -rf /",
            b"<html><script>alert(1)</script>",
            b"PK\x03\x04zip",
            b"",
        ] {
            assert_eq!(sniff(bad), Err(FileError::NotAllowed));
        }
        assert!(max_bytes(FileKind::Video) <= MAX_UPLOAD_BYTES);
        assert_eq!(format_size(1000), "1 КБ");
        assert_eq!(format_size(3_565_158), "3,4 МБ");
        assert_eq!(format_hours(0, 0), "—");
        assert_eq!(format_hours(750, 1), "12,5");
    }
}
