//! Pure rules of passes: plates as ГОСТ Р 50577-2018 writes them, a pass's window in the house's
//! time, whether a pass lets someone in now, the house's limits per flat, and what a barrier
//! camera's read decides. No I/O.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::types::{Approval, PassState, Refusal};

/// The twelve letters a Russian plate may hold, each with its Latin look-alike.
const LOOK_ALIKES: [(char, char); 12] = [
    ('А', 'A'),
    ('В', 'B'),
    ('Е', 'E'),
    ('К', 'K'),
    ('М', 'M'),
    ('Н', 'H'),
    ('О', 'O'),
    ('Р', 'P'),
    ('С', 'C'),
    ('Т', 'T'),
    ('У', 'Y'),
    ('Х', 'X'),
];

/// A plate in its one canonical form: upper case, no spaces, a Russian plate in Cyrillic, a
/// foreign one in Latin (look-alikes typed in Cyrillic turned to Latin). Plates are stored and
/// matched only in this form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Plate(String);

impl Plate {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a typed plate is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlateError {
    #[error("Введите номер машины")]
    Empty,
    #[error("Буквы «{0}» нет в российских номерах: только А В Е К М Н О Р С Т У Х")]
    Letter(char),
    #[error("Номер пишется так: А123ВС77 или А123ВС777 (такси: АВ12377)")]
    Format,
    #[error("Номеров с цифрами 000 не выдают")]
    ZeroNumber,
    #[error("Код региона — две цифры или три, начиная с 1, 7 или 9")]
    Region,
    #[error("Иностранный номер — от 2 до 12 латинских букв и цифр")]
    Foreign,
}

/// Characters people put between a plate's parts.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '_' | '.' | '|')
}

/// A Russian plate's letter in Cyrillic, from either alphabet.
fn cyrillic(c: char) -> Option<char> {
    LOOK_ALIKES
        .iter()
        .find(|(cyr, lat)| *cyr == c || *lat == c)
        .map(|(cyr, _)| *cyr)
}

/// A plate as the resident, the guard or a camera typed it: `foreign` takes any Latin letters
/// and digits; otherwise it must be a Russian private (`А123ВС77`, `А123ВС777`) or taxi
/// (`АВ12377`) plate, letters in either alphabet, spaces and case ignored.
pub fn normalize_plate(input: &str, foreign: bool) -> Result<Plate, PlateError> {
    let chars: Vec<char> = input
        .chars()
        .filter(|c| !is_separator(*c))
        .flat_map(char::to_uppercase)
        .collect();
    if chars.is_empty() {
        return Err(PlateError::Empty);
    }
    if foreign {
        return foreign_plate(&chars);
    }
    let mut shape = String::with_capacity(chars.len());
    let mut canonical = String::with_capacity(chars.len() * 2);
    for &c in &chars {
        if c.is_ascii_digit() {
            shape.push('0');
            canonical.push(c);
        } else if let Some(cyr) = cyrillic(c) {
            shape.push('L');
            canonical.push(cyr);
        } else if c.is_alphabetic() {
            return Err(PlateError::Letter(c));
        } else {
            return Err(PlateError::Format);
        }
    }
    let (number, region) = match shape.as_str() {
        "L000LL00" | "L000LL000" => (&chars[1..4], &chars[6..]),
        "LL00000" | "LL000000" => (&chars[2..5], &chars[5..]),
        _ => return Err(PlateError::Format),
    };
    if number.iter().all(|c| *c == '0') {
        return Err(PlateError::ZeroNumber);
    }
    let region_ok = match region {
        [a, b] => !(*a == '0' && *b == '0'),
        [first, ..] => matches!(first, '1' | '7' | '9'),
        [] => false,
    };
    if !region_ok {
        return Err(PlateError::Region);
    }
    Ok(Plate(canonical))
}

fn foreign_plate(chars: &[char]) -> Result<Plate, PlateError> {
    let latin: Option<String> = chars
        .iter()
        .map(|&c| {
            if c.is_ascii_uppercase() || c.is_ascii_digit() {
                Some(c)
            } else {
                LOOK_ALIKES
                    .iter()
                    .find(|(cyr, _)| *cyr == c)
                    .map(|(_, lat)| *lat)
            }
        })
        .collect();
    match latin {
        Some(s) if (2..=12).contains(&s.len()) => Ok(Plate(s)),
        _ => Err(PlateError::Foreign),
    }
}

/// A plate as a camera read it: Russian if it is one, otherwise as a foreign plate.
pub fn read_plate(input: &str) -> Result<Plate, PlateError> {
    normalize_plate(input, false)
        .or_else(|russian| normalize_plate(input, true).map_err(|_| russian))
}

/// How the guard names a pass: what the QR holds (its link's token), the six-digit code or a
/// plate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Token(String),
    Code(String),
    Plate(Plate),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Это не код пропуска (6 цифр), не QR пропуска и не номер машины.")]
pub struct NotALookup;

/// What the guard typed or scanned: a pass link (the QR), a six-digit code or a plate.
pub fn read_lookup(input: &str) -> Result<Lookup, NotALookup> {
    let input = input.trim();
    if let Some((_, token)) = input.rsplit_once("/p/") {
        return Ok(Lookup::Token(token.trim_end_matches('/').to_string()));
    }
    if input.len() == 6 && input.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Lookup::Code(input.to_string()));
    }
    read_plate(input).map(Lookup::Plate).map_err(|_| NotALookup)
}

/// Whether two plates differ in exactly one place (a camera misread one character). Used only
/// to offer the guard candidates, never to open the barrier.
pub fn one_off(a: &Plate, b: &Plate) -> bool {
    let (a, b) = (a.0.chars(), b.0.chars());
    a.clone().count() == b.clone().count() && a.zip(b).filter(|(x, y)| x != y).count() == 1
}

/// A plate's two halves (the first has the shorter half of an odd length): a plate one
/// substitution away from another shares one of them — what lets a doubtful read be matched by
/// index lookups rather than a scan of every plate.
pub fn halves(plate: &Plate) -> (String, String) {
    let middle = plate.0.chars().count() / 2;
    (
        plate.0.chars().take(middle).collect(),
        plate.0.chars().skip(middle).collect(),
    )
}

/// A span of time a pass is valid in: from `from` up to, not including, `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl Window {
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.until
    }

    pub fn length(&self) -> Duration {
        self.until - self.from
    }

    /// How much of this window lies inside `other`.
    pub fn overlap(&self, other: &Window) -> Duration {
        let from = self.from.max(other.from);
        let until = self.until.min(other.until);
        (until - from).max(Duration::zero())
    }
}

/// Why a window typed in a form is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("Время «{0}» в этот день не существует (перевод часов) — выберите другое")]
    NoSuchTime(NaiveDateTime),
    #[error("Конец действия пропуска должен быть позже начала")]
    Empty,
    #[error("Это время уже прошло")]
    InPast,
    #[error("Пропуск гостя действует не дольше {0} дн.")]
    TooLong(i64),
}

/// A window between two moments of the house's local time. A moment the clocks skip is an
/// error; one they repeat is taken at its first occurrence.
pub fn window<Tz: TimeZone>(
    tz: &Tz,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<Window, WindowError> {
    let at = |local: NaiveDateTime| {
        tz.from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or(WindowError::NoSuchTime(local))
    };
    let window = Window {
        from: at(from)?,
        until: at(until)?,
    };
    if window.until <= window.from {
        return Err(WindowError::Empty);
    }
    Ok(window)
}

/// A window on one day of the house's local time, from `from` to `until`; an `until` not later
/// than `from` ends on the next day (a guest from 20:00 to 02:00).
pub fn day_window<Tz: TimeZone>(
    tz: &Tz,
    day: NaiveDate,
    from: NaiveTime,
    until: NaiveTime,
) -> Result<Window, WindowError> {
    let end_day = if until <= from {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    window(tz, day.and_time(from), end_day.and_time(until))
}

/// Whether a new window may be given out at `now`: it must not be over already and must not be
/// longer than `max_days`.
pub fn check_window(window: &Window, now: DateTime<Utc>, max_days: i64) -> Result<(), WindowError> {
    if window.until <= now {
        return Err(WindowError::InPast);
    }
    if window.length() > Duration::days(max_days) {
        return Err(WindowError::TooLong(max_days));
    }
    Ok(())
}

/// A validity as the resident and the guard read it, in the house's time: «постоянный»,
/// `07.12.2026 18:00–23:00` within a day, `07.12.2026 20:00 – 08.12.2026 02:00` across days.
pub fn describe<Tz: TimeZone>(validity: &Validity, tz: &Tz) -> String
where
    Tz::Offset: fmt::Display,
{
    let Validity::Window(w) = validity else {
        return "постоянный".to_string();
    };
    let (from, until) = (w.from.with_timezone(tz), w.until.with_timezone(tz));
    if from.date_naive() == until.date_naive() {
        format!(
            "{}–{}",
            from.format("%d.%m.%Y %H:%M"),
            until.format("%H:%M")
        )
    } else {
        format!(
            "{} – {}",
            from.format("%d.%m.%Y %H:%M"),
            until.format("%d.%m.%Y %H:%M")
        )
    }
}

/// When a pass is valid: always (the resident's own car) or in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Validity {
    Permanent,
    Window(Window),
}

/// What the check at the gate needs to know of a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassFacts {
    pub validity: Validity,
    /// A one-time pass lets in once.
    pub one_time: bool,
    /// Entries recorded on it so far.
    pub entries: u32,
    pub cancelled: bool,
    /// The dispatcher's word on a pass over the limits (`None`: within them).
    pub approval: Option<Approval>,
}

/// Where the pass is at `now`.
pub fn state(pass: &PassFacts, now: DateTime<Utc>) -> PassState {
    if pass.cancelled {
        return PassState::Cancelled;
    }
    match pass.approval {
        Some(Approval::Pending) => return PassState::Awaiting,
        Some(Approval::Refused) => return PassState::NotApproved,
        Some(Approval::Approved) | None => {}
    }
    if pass.one_time && pass.entries > 0 {
        return PassState::Used;
    }
    match pass.validity {
        Validity::Permanent => PassState::Active,
        Validity::Window(w) if now < w.from => PassState::Upcoming,
        Validity::Window(w) if now >= w.until => PassState::Expired,
        Validity::Window(_) => PassState::Active,
    }
}

/// Whether the pass lets someone in at `now`, and if not, why.
pub fn admit(pass: &PassFacts, now: DateTime<Utc>) -> Result<(), Refusal> {
    match state(pass, now) {
        PassState::Active => Ok(()),
        PassState::Upcoming => Err(Refusal::NotYet),
        PassState::Used => Err(Refusal::Used),
        PassState::Expired => Err(Refusal::Expired),
        PassState::Cancelled => Err(Refusal::Cancelled),
        PassState::Awaiting => Err(Refusal::Awaiting),
        PassState::NotApproved => Err(Refusal::NotApproved),
    }
}

/// The house's limits per flat (settings of the house).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// The residents' own cars with a permanent pass.
    pub cars_per_flat: u32,
    /// Guest cars whose windows overlap.
    pub guest_cars_at_once: u32,
    /// Hours of guest cars' windows in a calendar month of the house.
    pub guest_car_hours_per_month: u32,
    /// The longest window of a guest's pass.
    pub guest_max_days: i64,
}

/// Days guests' names, phones, plates and the cameras' reads are kept after a pass ends, unless
/// the house says otherwise (152-ФЗ: no longer than needed).
pub const RETENTION_DAYS: i64 = 90;

/// A house's pass settings in the order of [`super::types::PassSettings`]' fields after the
/// house: what each is called on the form and the range it may take.
pub const SETTINGS_RANGES: [(&str, i64, i64); 5] = [
    ("Машин жильцов на квартиру", 0, 10),
    ("Гостевых машин одновременно", 0, 20),
    ("Часов гостевых машин в месяц", 0, 744),
    ("Самый долгий пропуск гостя, дней", 1, 365),
    ("Хранить данные гостей, дней", 1, 1095),
];

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cars_per_flat: 2,
            guest_cars_at_once: 2,
            guest_car_hours_per_month: 72,
            guest_max_days: 30,
        }
    }
}

/// A limit a new pass would break; the message says what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OverLimit {
    #[error(
        "На квартиру — не больше {0} постоянных машин. Удалите пропуск одной из них или отметьте «Попросить диспетчера об исключении» и отправьте ещё раз."
    )]
    Cars(u32),
    #[error(
        "В это время у квартиры уже {0} гостевых машин — больше нельзя. Выберите другое время или отметьте «Попросить диспетчера об исключении» и отправьте ещё раз."
    )]
    GuestCarsAtOnce(u32),
    #[error(
        "Лимит гостевых машин — {limit} ч в месяц, использовано {used} ч. Сократите время или отметьте «Попросить диспетчера об исключении» и отправьте ещё раз."
    )]
    GuestCarHours { limit: u32, used: i64 },
}

/// Whether the flat, which has `own_cars` permanent passes, may add one more.
pub fn check_own_car(own_cars: u32, limits: &Limits) -> Result<(), OverLimit> {
    if own_cars >= limits.cars_per_flat {
        return Err(OverLimit::Cars(limits.cars_per_flat));
    }
    Ok(())
}

/// Whether a guest car may come in `window`: `overlapping` guest cars of the flat are already
/// expected in it, and the flat's guest cars already take `used` of each month `window` touches
/// (`months`: each month's window in the house's time with the time used in it).
pub fn check_guest_car(
    window: &Window,
    overlapping: u32,
    months: &[(Window, Duration)],
    limits: &Limits,
) -> Result<(), OverLimit> {
    if overlapping >= limits.guest_cars_at_once {
        return Err(OverLimit::GuestCarsAtOnce(limits.guest_cars_at_once));
    }
    let limit = Duration::hours(i64::from(limits.guest_car_hours_per_month));
    for (month, used) in months {
        if *used + window.overlap(month) > limit {
            return Err(OverLimit::GuestCarHours {
                limit: limits.guest_car_hours_per_month,
                used: used.num_hours(),
            });
        }
    }
    Ok(())
}

/// For a new guest car's `window`: how many of the flat's `others` guest cars overlap it, and
/// the time they take in each of `months` (the months the window touches).
pub fn guest_car_usage(
    window: &Window,
    months: &[Window],
    others: &[Window],
) -> (u32, Vec<(Window, Duration)>) {
    let overlapping = others
        .iter()
        .filter(|o| o.overlap(window) > Duration::zero())
        .count();
    let used = months
        .iter()
        .map(|m| {
            (
                *m,
                others
                    .iter()
                    .map(|o| o.overlap(m))
                    .fold(Duration::zero(), |a, b| a + b),
            )
        })
        .collect();
    (u32::try_from(overlapping).unwrap_or(u32::MAX), used)
}

/// What a camera's read of a plate at the gate leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateDecision {
    /// A sure read of a plate with a valid pass: the barrier opens.
    Open,
    /// A sure read with a pass that is not valid now: logged, shown to the guard.
    Refuse(Refusal),
    /// Not sure enough, or no pass for the plate: the guard decides; `candidates` are the
    /// house's valid plates one character away.
    AskGuard { candidates: Vec<Plate> },
}

/// The decision on a read: `pass` is the exact plate's pass if there is one, `valid_plates`
/// every plate with a valid pass in the house now. Below `min_confidence` (0–100) the barrier
/// never opens by itself.
pub fn decide_read(
    read: &Plate,
    confidence: u8,
    min_confidence: u8,
    pass: Option<&PassFacts>,
    valid_plates: &[Plate],
    now: DateTime<Utc>,
) -> GateDecision {
    let sure = confidence >= min_confidence;
    match pass.map(|p| admit(p, now)) {
        Some(Ok(())) if sure => GateDecision::Open,
        Some(Err(refusal)) if sure => GateDecision::Refuse(refusal),
        _ => GateDecision::AskGuard {
            candidates: valid_plates
                .iter()
                .filter(|p| *p == read || one_off(p, read))
                .cloned()
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;

    fn plate(s: &str) -> Plate {
        normalize_plate(s, false).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn russian_plates_are_stored_in_cyrillic_without_spaces() {
        for (typed, canonical) in [
            ("А123ВС77", "А123ВС77"),
            ("a123bc77", "А123ВС77"),
            ("А 123 ВС 777", "А123ВС777"),
            ("a123вс 199", "А123ВС199"),
            ("x001ky-97", "Х001КУ97"),
            ("О111ОО799", "О111ОО799"),
            ("  m 500 ho 50 ", "М500НО50"),
            ("ав 123 77", "АВ12377"),
            ("TX123 777", "ТХ123777"),
        ] {
            assert_eq!(
                normalize_plate(typed, false).unwrap().as_str(),
                canonical,
                "{typed}"
            );
        }
    }

    #[test]
    fn what_is_not_a_russian_plate_says_why() {
        for (typed, error) in [
            ("", PlateError::Empty),
            ("  - ", PlateError::Empty),
            ("Б123ВС77", PlateError::Letter('Б')),
            ("A123BD77", PlateError::Letter('D')),
            ("A12BC77", PlateError::Format),
            ("A1234BC77", PlateError::Format),
            ("123ABC77", PlateError::Format),
            ("A123BC7", PlateError::Format),
            ("A123BC7777", PlateError::Format),
            ("A123BC77!", PlateError::Format),
            ("A000BC77", PlateError::ZeroNumber),
            ("A123BC00", PlateError::Region),
            ("A123BC277", PlateError::Region),
            ("A123BC077", PlateError::Region),
        ] {
            assert_eq!(normalize_plate(typed, false), Err(error), "{typed}");
        }
    }

    #[test]
    fn foreign_plates_are_latin_and_match_however_typed() {
        assert_eq!(
            normalize_plate("123 ABC 02", true).unwrap().as_str(),
            "123ABC02"
        );
        assert_eq!(
            normalize_plate("123 АВС 02", true).unwrap().as_str(),
            "123ABC02"
        );
        assert_eq!(
            normalize_plate("1234 AB-7", true).unwrap().as_str(),
            "1234AB7"
        );
        assert_eq!(normalize_plate("Ж1", true), Err(PlateError::Foreign));
        assert_eq!(normalize_plate("A", true), Err(PlateError::Foreign));
        assert_eq!(
            normalize_plate("ABCDEFGHIJKLM", true),
            Err(PlateError::Foreign)
        );
    }

    #[test]
    fn a_camera_read_is_russian_when_it_can_be() {
        assert_eq!(read_plate("A123BC77").unwrap(), plate("А123ВС77"));
        assert_eq!(read_plate("123ABC02").unwrap().as_str(), "123ABC02");
        assert_eq!(read_plate("?"), Err(PlateError::Format));
    }

    #[test]
    fn one_off_is_exactly_one_substitution() {
        let known = plate("А123ВС77");
        assert!(one_off(&known, &plate("А128ВС77")));
        assert!(one_off(&known, &plate("А123ВС78")));
        assert!(!one_off(&known, &known));
        assert!(!one_off(&known, &plate("А128ВС78")));
        assert!(
            !one_off(&known, &plate("А123ВС777")),
            "an insertion is not a substitution"
        );
    }

    #[test]
    fn the_guard_names_a_pass_by_link_code_or_plate() {
        let cases = [
            (
                "https://klyuch.example/p/abc123/",
                Ok(Lookup::Token("abc123".into())),
            ),
            (" 042917 ", Ok(Lookup::Code("042917".into()))),
            ("a 123 bc 77", Ok(Lookup::Plate(plate("А123ВС77")))),
            ("7", Err(NotALookup)),
            ("привет", Err(NotALookup)),
        ];
        for (input, expected) in cases {
            assert_eq!(read_lookup(input), expected, "{input}");
        }
    }

    #[test]
    fn a_plate_one_off_shares_a_half() {
        assert_eq!(
            halves(&plate("А123ВС77")),
            ("А123".to_string(), "ВС77".to_string())
        );
        assert_eq!(
            halves(&plate("А123ВС777")),
            ("А123".to_string(), "ВС777".to_string())
        );
        let known = plate("А123ВС777");
        for near in ["В123ВС777", "А129ВС777", "А123ХС777", "А123ВС778"] {
            let (a, b) = (halves(&known), halves(&plate(near)));
            assert!(one_off(&known, &plate(near)));
            assert!(a.0 == b.0 || a.1 == b.1, "{near} shares no half");
        }
    }

    #[test]
    fn windows_are_in_the_house_time_and_may_cross_midnight() {
        let moscow = FixedOffset::east_opt(3 * 3600).unwrap();
        let novosibirsk = FixedOffset::east_opt(7 * 3600).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();

        let evening = day_window(&moscow, day, t(20, 0), t(2, 0)).unwrap();
        assert_eq!(evening.from, at("2026-12-31T17:00:00Z"));
        assert_eq!(evening.until, at("2026-12-31T23:00:00Z"));
        assert_eq!(evening.length(), Duration::hours(6));
        assert!(
            evening.contains(at("2026-12-31T21:00:00Z")),
            "midnight in Moscow"
        );
        assert!(
            !evening.contains(at("2026-12-31T23:00:00Z")),
            "02:00 in Moscow: over"
        );

        let same = day_window(&novosibirsk, day, t(20, 0), t(2, 0)).unwrap();
        assert_eq!(same.from, at("2026-12-31T13:00:00Z"));
        assert_eq!(same.length(), Duration::hours(6));

        let whole_day = day_window(&moscow, day, t(0, 0), t(0, 0)).unwrap();
        assert_eq!(whole_day.length(), Duration::hours(24));

        assert_eq!(
            describe(&Validity::Window(evening), &moscow),
            "31.12.2026 20:00 – 01.01.2027 02:00"
        );
        let afternoon = day_window(&moscow, day, t(14, 0), t(18, 30)).unwrap();
        assert_eq!(
            describe(&Validity::Window(afternoon), &moscow),
            "31.12.2026 14:00–18:30"
        );
        assert_eq!(describe(&Validity::Permanent, &moscow), "постоянный");

        let backwards = window(&moscow, day.and_time(t(12, 0)), day.and_time(t(11, 0)));
        assert_eq!(backwards, Err(WindowError::Empty));
    }

    #[test]
    fn a_new_window_must_not_be_over_or_too_long() {
        let w = Window {
            from: at("2026-12-07T10:00:00Z"),
            until: at("2026-12-07T12:00:00Z"),
        };
        assert_eq!(check_window(&w, at("2026-12-07T09:00:00Z"), 30), Ok(()));
        assert_eq!(
            check_window(&w, at("2026-12-07T11:00:00Z"), 30),
            Ok(()),
            "still on"
        );
        assert_eq!(
            check_window(&w, at("2026-12-07T12:00:00Z"), 30),
            Err(WindowError::InPast)
        );
        let month = Window {
            from: w.from,
            until: w.from + Duration::days(30),
        };
        assert_eq!(check_window(&month, w.from, 30), Ok(()));
        let longer = Window {
            until: month.until + Duration::minutes(1),
            ..month
        };
        assert_eq!(
            check_window(&longer, w.from, 30),
            Err(WindowError::TooLong(30))
        );
    }

    #[test]
    fn the_gate_admits_a_pass_only_inside_its_window_and_a_one_time_pass_once() {
        let w = Window {
            from: at("2026-12-07T10:00:00Z"),
            until: at("2026-12-07T12:00:00Z"),
        };
        let guest = PassFacts {
            validity: Validity::Window(w),
            one_time: true,
            entries: 0,
            cancelled: false,
            approval: None,
        };
        let car = PassFacts {
            validity: Validity::Permanent,
            one_time: false,
            entries: 40,
            cancelled: false,
            approval: None,
        };
        for (pass, now, verdict) in [
            (guest, "2026-12-07T09:59:59Z", Err(Refusal::NotYet)),
            (guest, "2026-12-07T10:00:00Z", Ok(())),
            (guest, "2026-12-07T11:59:59Z", Ok(())),
            (guest, "2026-12-07T12:00:00Z", Err(Refusal::Expired)),
            (
                PassFacts {
                    entries: 1,
                    ..guest
                },
                "2026-12-07T11:00:00Z",
                Err(Refusal::Used),
            ),
            (
                PassFacts {
                    entries: 3,
                    one_time: false,
                    ..guest
                },
                "2026-12-07T11:00:00Z",
                Ok(()),
            ),
            (
                PassFacts {
                    cancelled: true,
                    ..guest
                },
                "2026-12-07T11:00:00Z",
                Err(Refusal::Cancelled),
            ),
            (car, "2030-01-01T00:00:00Z", Ok(())),
            // over the limits: only once the dispatcher approved
            (
                PassFacts {
                    approval: Some(Approval::Pending),
                    ..car
                },
                "2030-01-01T00:00:00Z",
                Err(Refusal::Awaiting),
            ),
            (
                PassFacts {
                    approval: Some(Approval::Refused),
                    ..car
                },
                "2030-01-01T00:00:00Z",
                Err(Refusal::NotApproved),
            ),
            (
                PassFacts {
                    approval: Some(Approval::Approved),
                    ..car
                },
                "2030-01-01T00:00:00Z",
                Ok(()),
            ),
            (
                PassFacts {
                    cancelled: true,
                    ..car
                },
                "2030-01-01T00:00:00Z",
                Err(Refusal::Cancelled),
            ),
        ] {
            assert_eq!(admit(&pass, at(now)), verdict, "{pass:?} at {now}");
        }
    }

    #[test]
    fn limits_per_flat() {
        let limits = Limits::default();
        assert_eq!(check_own_car(1, &limits), Ok(()));
        assert_eq!(check_own_car(2, &limits), Err(OverLimit::Cars(2)));

        let december = Window {
            from: at("2026-11-30T21:00:00Z"),
            until: at("2026-12-31T21:00:00Z"),
        };
        let january = Window {
            from: december.until,
            until: at("2027-01-31T21:00:00Z"),
        };
        // ten hours across the new year: five in each month
        let new_year = Window {
            from: at("2026-12-31T16:00:00Z"),
            until: at("2027-01-01T02:00:00Z"),
        };
        assert_eq!(new_year.overlap(&december), Duration::hours(5));
        assert_eq!(new_year.overlap(&january), Duration::hours(5));

        let months = |dec: i64, jan: i64| {
            [
                (december, Duration::hours(dec)),
                (january, Duration::hours(jan)),
            ]
        };
        assert_eq!(
            check_guest_car(&new_year, 0, &months(0, 0), &limits),
            Ok(())
        );
        assert_eq!(
            check_guest_car(&new_year, 1, &months(67, 67), &limits),
            Ok(()),
            "72 h exactly"
        );
        assert_eq!(
            check_guest_car(&new_year, 0, &months(0, 68), &limits),
            Err(OverLimit::GuestCarHours {
                limit: 72,
                used: 68
            })
        );
        assert_eq!(
            check_guest_car(&new_year, 2, &months(0, 0), &limits),
            Err(OverLimit::GuestCarsAtOnce(2))
        );
        assert!(OverLimit::Cars(2).to_string().contains("диспетчера"));

        // the flat's other guest cars: one overlaps the new year's window, both count in December
        let others = [
            Window {
                from: at("2026-12-31T15:00:00Z"),
                until: at("2026-12-31T17:00:00Z"),
            },
            Window {
                from: at("2026-12-10T10:00:00Z"),
                until: at("2026-12-10T20:00:00Z"),
            },
        ];
        let (overlapping, used) = guest_car_usage(&new_year, &[december, january], &others);
        assert_eq!(overlapping, 1);
        assert_eq!(
            used,
            vec![(december, Duration::hours(12)), (january, Duration::zero())]
        );
    }

    #[test]
    fn a_camera_opens_the_barrier_only_on_a_sure_read_of_a_valid_pass() {
        let now = at("2026-12-07T11:00:00Z");
        let car = PassFacts {
            validity: Validity::Permanent,
            one_time: false,
            entries: 0,
            cancelled: false,
            approval: None,
        };
        let expired = PassFacts {
            validity: Validity::Window(Window {
                from: at("2026-12-06T10:00:00Z"),
                until: at("2026-12-06T12:00:00Z"),
            }),
            ..car
        };
        let known = plate("А123ВС77");
        let valid = [known.clone(), plate("К777КК777")];
        assert_eq!(
            decide_read(&known, 95, 80, Some(&car), &valid, now),
            GateDecision::Open
        );
        assert_eq!(
            decide_read(&known, 95, 80, Some(&expired), &valid, now),
            GateDecision::Refuse(Refusal::Expired)
        );
        // a doubtful read of a valid plate: the guard decides, the plate offered
        assert_eq!(
            decide_read(&known, 60, 80, Some(&car), &valid, now),
            GateDecision::AskGuard {
                candidates: vec![known.clone()]
            }
        );
        // a sure read of an unknown plate one character off a valid one: offered, not opened
        let misread = plate("А128ВС77");
        assert_eq!(
            decide_read(&misread, 99, 80, None, &valid, now),
            GateDecision::AskGuard {
                candidates: vec![known.clone()]
            }
        );
        assert_eq!(
            decide_read(&plate("Е001ЕЕ01"), 99, 80, None, &valid, now),
            GateDecision::AskGuard { candidates: vec![] }
        );
    }
}
