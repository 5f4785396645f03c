//! Pure rules of meter readings (docs/domain.md «Meter readings»): the submission window, value parsing and the
//! checks every reading passes (in the browser as the resident types and on the server, which
//! decides), reminder days, and the monthly volume of a meter: by reading, by average (at most
//! three months in a row), then by norm, with the estimated months recalculated when a reading
//! comes back.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::types::{
    MonthVolume, NewMeter, Period, ReadingKind, Stay, VolumeSource, WindowSettings, WindowState,
};
use crate::numbers::{push_grouped, push_padded};

/// Values are kept to the thousandth of the unit (a litre of water).
pub const SCALE: u32 = 3;
/// More than this many times the average monthly consumption is flagged for staff.
pub const ANOMALY_FACTOR: i64 = 3;
/// Months of real readings the average is taken over (fewer for a young meter, never under 3).
pub const AVERAGE_MONTHS: i32 = 6;
pub const AVERAGE_MIN_MONTHS: i32 = 3;
/// A verification due within this many days is reminded of.
pub const VERIFICATION_NOTICE_DAYS: i64 = 30;
const MAX_VALUE: i64 = 99_999_999;

/// The window on `today` (the house's local date).
pub fn window_state(settings: &WindowSettings, today: NaiveDate) -> WindowState {
    let this = Period::of(today);
    let first = this.day(settings.first_day);
    let last = this.day(settings.last_day);
    if today >= first && today <= last {
        return WindowState::Open {
            period: this,
            closes: last,
        };
    }
    let (opens, period) = if today < first {
        (first, this)
    } else {
        let next = this.plus(1);
        (next.day(settings.first_day), next)
    };
    if settings.strict {
        WindowState::Closed { opens }
    } else {
        WindowState::Late { period, opens }
    }
}

/// The period of the latest window that has opened by `today` (what staff look at by default).
pub fn latest_window_period(settings: &WindowSettings, today: NaiveDate) -> Period {
    let this = Period::of(today);
    if today >= this.day(settings.first_day) {
        this
    } else {
        this.plus(-1)
    }
}

/// The period a reading entered now counts for: the window's; staff entering outside a strict
/// window (a value taken by phone) put it in the coming one. A resident outside a strict
/// window gets the day it opens.
pub fn entry_period(window: WindowState, by_staff: bool) -> Result<Period, NaiveDate> {
    match window {
        WindowState::Open { period, .. } | WindowState::Late { period, .. } => Ok(period),
        WindowState::Closed { opens } if by_staff => Ok(Period::of(opens)),
        WindowState::Closed { opens } => Err(opens),
    }
}

/// Checks window days typed by staff.
pub fn check_window_days(first_day: u32, last_day: u32) -> Result<(), &'static str> {
    if !(1..=31).contains(&first_day) || !(1..=31).contains(&last_day) {
        return Err("Дни окна — числа месяца от 1 до 31.");
    }
    if first_day > last_day {
        return Err("Первый день окна не может быть позже последнего.");
    }
    Ok(())
}

/// Reminder moments of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderStage {
    Opened,
    TwoDaysLeft,
    LastDay,
}

impl ReminderStage {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderStage::Opened => "open",
            ReminderStage::TwoDaysLeft => "two_days",
            ReminderStage::LastDay => "last_day",
        }
    }
}

/// The reminder due on `today`, if it is a reminder day: the day the window opens, two days
/// before it closes, and its last day.
pub fn reminder_stage(
    settings: &WindowSettings,
    today: NaiveDate,
) -> Option<(ReminderStage, Period)> {
    let period = Period::of(today);
    let first = period.day(settings.first_day);
    let last = period.day(settings.last_day);
    let stage = if today == first {
        ReminderStage::Opened
    } else if today == last {
        ReminderStage::LastDay
    } else if today + chrono::Days::new(2) == last && today > first {
        ReminderStage::TwoDaysLeft
    } else {
        return None;
    };
    Some((stage, period))
}

/// True when the verification ends within [`VERIFICATION_NOTICE_DAYS`] and has not yet ended.
pub fn verification_due_soon(verified_until: NaiveDate, today: NaiveDate) -> bool {
    let left = (verified_until - today).num_days();
    (0..=VERIFICATION_NOTICE_DAYS).contains(&left)
}

/// A value as typed: `123,456` or `123.456`, spaces allowed, at most three decimals.
pub fn parse_value(input: &str) -> Result<Decimal, &'static str> {
    let cleaned: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() {
        return Err("Введите показание.");
    }
    if cleaned.starts_with('-') {
        return Err("Показание не может быть отрицательным.");
    }
    let value: Decimal = cleaned
        .parse()
        .map_err(|_| "Показание — число, например 123,456.")?;
    if value.scale() > SCALE && value.normalize().scale() > SCALE {
        return Err("Не больше трёх знаков после запятой.");
    }
    if value > Decimal::from(MAX_VALUE) {
        return Err("Слишком большое число — проверьте показание.");
    }
    Ok(value.normalize())
}

/// A value in thousandths, as stored.
pub fn to_milli(value: Decimal) -> i64 {
    let milli = (value * Decimal::from(1000))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    milli.mantissa() as i64 / 10_i64.pow(milli.scale())
}

pub fn from_milli(milli: i64) -> Decimal {
    Decimal::new(milli, SCALE)
}

/// `1234,5` → «1 234,500»: three decimals, a comma, thin groups.
pub fn format_value(value: Decimal) -> String {
    let mut text = String::new();
    push_value(&mut text, value);
    text
}

/// [`format_value`] appended to `out`.
pub fn push_value(out: &mut String, value: Decimal) {
    let v = value.round_dp_with_strategy(SCALE, RoundingStrategy::MidpointAwayFromZero);
    // thousandths: rounding left the scale at most three
    let milli = v.mantissa().unsigned_abs() * 10u128.pow(SCALE - v.scale());
    if v.is_sign_negative() && milli != 0 {
        out.push('−');
    }
    push_grouped(out, milli / 1000);
    out.push(',');
    push_padded(out, milli % 1000, SCALE as usize);
}

/// The label of tariff zone `zone` (1-based) of a meter with `zones` zones.
pub fn zone_label(zones: u8, zone: usize) -> &'static str {
    match (zones, zone) {
        (1, _) => "Показание",
        (2, 1) => "День (Т1)",
        (2, _) => "Ночь (Т2)",
        (_, 1) => "Пик (Т1)",
        (_, 2) => "Ночь (Т2)",
        _ => "Полупик (Т3)",
    }
}

/// Why a reading was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadingError {
    #[error("Нужно {expected} знач. — по одному на каждую тарифную зону.")]
    ZoneCount { expected: usize },
    #[error(
        "{zone}: показание {value} меньше предыдущего ({previous}). Проверьте цифры; если счётчик заменили, сообщите в управляющую организацию."
    )]
    BelowPrevious {
        zone: &'static str,
        value: String,
        previous: String,
    },
    #[error("Счётчик снят с учёта — показания по нему не принимаются.")]
    Archived,
    #[error(
        "Срок поверки счётчика истёк {0}. Показания с него не принимаются: объём начисляется по среднему расходу (не больше трёх месяцев), затем по нормативу. Закажите поверку или замену и передайте акт в управляющую организацию — после этого показания снова будут приниматься."
    )]
    VerificationExpired(String),
    #[error("Дата показаний не может быть в будущем.")]
    InFuture,
    #[error("Дата показаний раньше установки счётчика.")]
    BeforeInstallation,
}

/// What the checks of a new reading need to know about its meter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingCheck {
    pub zones: u8,
    pub installed_on: NaiveDate,
    pub archived: bool,
    pub verified_until: NaiveDate,
    /// The last accepted reading before this one, per zone, and how many months before the
    /// new reading's period it stands (a reading after missed months covers all of them).
    pub previous: Option<(Vec<Decimal>, i32)>,
    /// Average monthly consumption (sum of zones).
    pub average: Option<Decimal>,
}

/// Checks one zone's value against the previous one (what the browser shows as you type).
pub fn check_zone(
    zones: u8,
    zone: usize,
    value: Decimal,
    previous: Option<Decimal>,
) -> Result<(), ReadingError> {
    match previous {
        Some(previous) if value < previous => Err(ReadingError::BelowPrevious {
            zone: zone_label(zones, zone),
            value: format_value(value),
            previous: format_value(previous),
        }),
        _ => Ok(()),
    }
}

/// Every check of docs/domain.md «Meter readings». Accepted readings may carry a flag for staff (the reason).
pub fn check_reading(
    meter: &ReadingCheck,
    values: &[Decimal],
    taken_on: NaiveDate,
    today: NaiveDate,
) -> Result<Option<String>, ReadingError> {
    if meter.archived {
        return Err(ReadingError::Archived);
    }
    if values.len() != usize::from(meter.zones) {
        return Err(ReadingError::ZoneCount {
            expected: usize::from(meter.zones),
        });
    }
    if taken_on > today {
        return Err(ReadingError::InFuture);
    }
    if taken_on < meter.installed_on {
        return Err(ReadingError::BeforeInstallation);
    }
    if meter.verified_until < taken_on {
        return Err(ReadingError::VerificationExpired(
            meter.verified_until.format("%d.%m.%Y").to_string(),
        ));
    }
    let previous = meter.previous.as_ref();
    for (i, value) in values.iter().enumerate() {
        check_zone(meter.zones, i + 1, *value, previous.map(|p| p.0[i]))?;
    }
    Ok(previous.and_then(|(p, months)| anomaly(consumption(values, p), meter.average, *months)))
}

/// Sum over zones of `values − previous`.
pub fn consumption(values: &[Decimal], previous: &[Decimal]) -> Decimal {
    values.iter().zip(previous).map(|(v, p)| v - p).sum()
}

/// The reason for staff to look, when `consumption` over `months` is far above the average.
pub fn anomaly(consumption: Decimal, average: Option<Decimal>, months: i32) -> Option<String> {
    let monthly = average.filter(|a| a.is_sign_positive() && !a.is_zero())?;
    let average = monthly * Decimal::from(months.max(1));
    if consumption <= average * Decimal::from(ANOMALY_FACTOR) {
        return None;
    }
    let ratio = (consumption / average).round_dp(1);
    Some(format!(
        "Расход {} — в {} раза выше среднего за последние месяцы ({}).",
        format_value(consumption),
        ratio.to_string().replace('.', ","),
        format_value(average)
    ))
}

/// One accepted reading of a meter, for volume computation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub period: Period,
    pub kind: ReadingKind,
    pub values: Vec<Decimal>,
}

impl Point {
    /// Where on the month line the value stands: an initial value at the start of its month
    /// (the end of the previous one), other readings at the end of theirs.
    pub fn position(&self) -> i32 {
        match self.kind {
            ReadingKind::Initial => self.period.index() - 1,
            _ => self.period.index(),
        }
    }
}

/// The last accepted value before `period` — what a reading for `period` is checked against —
/// with the months between them.
pub fn previous_with_gap(points: &[Point], period: Period) -> Option<(Vec<Decimal>, i32)> {
    previous_before(points, period).map(|p| (p.values.clone(), period.index() - p.position()))
}

/// The last accepted value before `period`.
pub fn previous_before(points: &[Point], period: Period) -> Option<&Point> {
    points
        .iter()
        .filter(|p| p.position() < period.index())
        .max_by_key(|p| (p.position(), p.kind == ReadingKind::Final))
}

/// A meter's facts for [`monthly_volumes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterFacts {
    pub zones: usize,
    pub installed: Period,
    /// The last month the meter counted (taken off during it).
    pub archived: Option<Period>,
    pub verified_until: NaiveDate,
    /// Flats: three months by average; non-residential premises: two.
    pub residential: bool,
    /// Sorted by period; initial before regular before final within a period.
    pub points: Vec<Point>,
}

/// The norm for a month: the volume and how it was computed («6,935 м³ × 2 чел.»).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Norm {
    pub volume: Decimal,
    pub explanation: String,
}

fn zero(zones: usize) -> Vec<Decimal> {
    vec![Decimal::ZERO; zones]
}

fn sub(a: &[Decimal], b: &[Decimal]) -> Vec<Decimal> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// Average monthly consumption per zone from the real readings up to `last`: over the last six
/// months, fewer for a younger meter, none when there are fewer than three.
fn average_from(history: &[(i32, Vec<Decimal>)]) -> Option<(Vec<Decimal>, i32)> {
    let (last_pos, last) = history.last()?;
    let (first_pos, first) = history
        .iter()
        .find(|(pos, _)| last_pos - pos <= AVERAGE_MONTHS)?;
    let months = last_pos - first_pos;
    if months < AVERAGE_MIN_MONTHS {
        return None;
    }
    let per_month = sub(last, first)
        .into_iter()
        .map(|d| {
            (d / Decimal::from(months))
                .round_dp_with_strategy(SCALE, RoundingStrategy::MidpointAwayFromZero)
        })
        .collect();
    Some((per_month, months))
}

/// Average monthly consumption (sum of zones) before `period`, for the anomaly flag.
pub fn average_before(facts: &MeterFacts, period: Period) -> Option<Decimal> {
    let history: Vec<(i32, Vec<Decimal>)> = facts
        .points
        .iter()
        .filter(|p| p.position() < period.index())
        .map(|p| (p.position(), p.values.clone()))
        .collect();
    average_from(&history).map(|(per_zone, _)| per_zone.iter().sum())
}

/// The meter's volume for every month from its installation to `to` (or its removal), oldest
/// first. A month with a reading: the consumption since the last reading, minus what the months
/// without readings in between were charged (the recalculation). A month without: the average,
/// for at most three months in a row (two for non-residential premises), then the norm. An
/// expired verification makes the meter count as absent. A meter's first month without a
/// reading after its initial value (installed after that month's window) has no volume: it
/// counts in the next month's reading.
pub fn monthly_volumes(
    facts: &MeterFacts,
    to: Period,
    norm: &dyn Fn(Period) -> Norm,
) -> Vec<MonthVolume> {
    fold_months(facts, to, norm, facts.installed)
}

/// [`monthly_volumes`] with only the last month explained (the earlier months' explanations are
/// empty): what billing needs, without formatting the whole history.
pub fn volumes_to(
    facts: &MeterFacts,
    to: Period,
    norm: &dyn Fn(Period) -> Norm,
) -> Vec<MonthVolume> {
    fold_months(facts, to, norm, to)
}

/// Where the fold for `to` may start, judged from the meter's points of `to` and of the month
/// before only. When both months have a reading, the fold restarts at the earlier one: nothing
/// before it can change `to` (no months without readings between them, no average), so folding
/// from that month as if the meter were installed then gives `to` the same volume and
/// explanation. A meter installed since then has no earlier months at all. None: one of the two
/// months went without a reading, and the estimate needs the whole history.
pub fn recent_start(facts: &MeterFacts, to: Period) -> Option<Period> {
    let before = to.plus(-1);
    if facts.installed >= before {
        return Some(facts.installed);
    }
    let read_in = |month: Period| {
        facts
            .points
            .iter()
            .any(|p| p.period == month && p.kind != ReadingKind::Initial)
    };
    (read_in(before) && read_in(to)).then_some(before)
}

/// The months of [`monthly_volumes`], explained from `explained_from` on.
fn fold_months(
    facts: &MeterFacts,
    to: Period,
    norm: &dyn Fn(Period) -> Norm,
    explained_from: Period,
) -> Vec<MonthVolume> {
    let zones = facts.zones;
    let unit_months = if facts.residential { 3 } else { 2 };
    let end = facts.archived.map_or(to, |a| a.min(to));
    let mut out = Vec::new();
    let mut history: Vec<(i32, Vec<Decimal>)> = Vec::new();
    let mut estimated = zero(zones);
    let mut estimated_months = 0;
    let mut average: Option<(Vec<Decimal>, i32)> = None;
    let mut period = facts.installed;
    while period <= end {
        let explained = period >= explained_from;
        let here: Vec<&Point> = facts.points.iter().filter(|p| p.period == period).collect();
        let initial = here.iter().find(|p| p.kind == ReadingKind::Initial);
        if let Some(initial) = initial {
            history.push((initial.position(), initial.values.clone()));
        }
        // a final value ends the month when the meter came off; otherwise the month's reading
        let reading = here
            .iter()
            .rev()
            .find(|p| p.kind != ReadingKind::Initial)
            .copied();
        let mut month = match (reading, history.last().cloned()) {
            (Some(reading), Some((_, last))) => {
                let used = sub(&reading.values, &last);
                let volume = sub(&used, &estimated);
                let total: Decimal = volume.iter().sum();
                let mut explanation = String::new();
                if explained {
                    explanation = format!(
                        "Показания {} − {} = {}",
                        format_values(&reading.values),
                        format_values(&last),
                        format_value(used.iter().sum())
                    );
                }
                if explained && estimated_months > 0 {
                    explanation.push_str(&format!(
                        "; минус начисленное без показаний за {estimated_months} мес. ({}) — перерасчёт",
                        format_value(estimated.iter().sum())
                    ));
                }
                history.push((reading.position(), reading.values.clone()));
                estimated = zero(zones);
                estimated_months = 0;
                average = None;
                MonthVolume {
                    period,
                    zones: volume,
                    total,
                    source: VolumeSource::Reading,
                    explanation,
                }
            }
            (Some(reading), None) => {
                // the first value known for a meter without an initial one: the start point;
                // what the months before it were charged stands — there is no earlier value
                // to recalculate them against
                history.push((reading.position(), reading.values.clone()));
                estimated = zero(zones);
                estimated_months = 0;
                MonthVolume {
                    period,
                    zones: zero(zones),
                    total: Decimal::ZERO,
                    source: VolumeSource::Reading,
                    explanation: "Первое показание счётчика — начальное, расхода нет".into(),
                }
            }
            (None, _) if initial.is_some() && period == facts.installed => MonthVolume {
                period,
                zones: zero(zones),
                total: Decimal::ZERO,
                source: VolumeSource::Reading,
                explanation:
                    "Счётчик установлен в этом месяце; расход войдёт в показания следующего месяца"
                        .into(),
            },
            (None, _) => {
                if estimated_months == 0 {
                    average = average_from(&history);
                }
                let expired = facts.verified_until < period.first_day();
                let why = if expired {
                    "Срок поверки истёк"
                } else {
                    "Показания не переданы"
                };
                let month = match &average {
                    Some((per_zone, months)) if estimated_months < unit_months => MonthVolume {
                        period,
                        zones: per_zone.clone(),
                        total: per_zone.iter().sum(),
                        source: VolumeSource::Average,
                        explanation: if explained {
                            format!(
                                "{why}: среднемесячный расход за {months} мес. ({}-й месяц из {unit_months})",
                                estimated_months + 1
                            )
                        } else {
                            String::new()
                        },
                    },
                    _ => {
                        let n = norm(period);
                        let mut per_zone = zero(zones);
                        per_zone[0] = n.volume;
                        MonthVolume {
                            period,
                            zones: per_zone,
                            total: n.volume,
                            source: VolumeSource::Norm,
                            explanation: if explained {
                                format!("{why}: по нормативу — {}", n.explanation)
                            } else {
                                String::new()
                            },
                        }
                    }
                };
                estimated = estimated
                    .iter()
                    .zip(&month.zones)
                    .map(|(a, b)| a + b)
                    .collect();
                estimated_months += 1;
                month
            }
        };
        if !explained {
            // the formatted ones are skipped above; this empties the fixed texts too
            month.explanation.clear();
        }
        out.push(month);
        period = period.plus(1);
    }
    out
}

/// Values per meter: `(meter id, one value per zone)`.
pub type Entries = Vec<(i64, Vec<Decimal>)>;

/// Values of a form, `v[m<meter id>.<zone>]` → text (the `m` keeps the form decoder from
/// taking the key for a list index), grouped by meter; a meter whose fields are
/// all empty is left out. A problem comes with the meter's id.
pub fn form_entries(
    fields: &std::collections::BTreeMap<String, String>,
) -> Result<Entries, (i64, String)> {
    let mut by_meter: std::collections::BTreeMap<i64, Vec<(usize, &str)>> = Default::default();
    for (key, value) in fields {
        let Some((meter, zone)) = key.strip_prefix('m').and_then(|k| k.split_once('.')) else {
            continue;
        };
        let (Ok(meter), Ok(zone)) = (meter.parse::<i64>(), zone.parse::<usize>()) else {
            continue;
        };
        by_meter
            .entry(meter)
            .or_default()
            .push((zone, value.as_str()));
    }
    let mut out = Vec::new();
    for (meter, mut zones) in by_meter {
        if zones.iter().all(|(_, v)| v.trim().is_empty()) {
            continue;
        }
        zones.sort_by_key(|z| z.0);
        let values = zones
            .iter()
            .map(|(zone, v)| parse_value(v).map_err(|e| format!("{zone}-я зона: {e}")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| (meter, e))?;
        out.push((meter, values));
    }
    Ok(out)
}

/// «12,5/3» → values per zone (the import file and staff forms write zones with «/»).
pub fn parse_values(input: &str) -> Result<Vec<Decimal>, &'static str> {
    input.split('/').map(parse_value).collect()
}

/// «123,456 / 45,000» for a multi-zone reading.
pub fn format_values(values: &[Decimal]) -> String {
    values
        .iter()
        .map(|v| format_value(*v))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Checks a new meter's fields (the store then checks the serial is free in the house).
pub fn check_new_meter(m: &NewMeter) -> Result<(), String> {
    let serial = m.serial.trim();
    if serial.is_empty() || serial.chars().count() > 40 {
        return Err("Укажите заводской номер счётчика (до 40 знаков).".into());
    }
    if !(1..=3).contains(&m.zones) {
        return Err("Тарифных зон — от 1 до 3.".into());
    }
    if m.verified_until <= m.installed_on {
        return Err("Дата поверки должна быть позже даты установки.".into());
    }
    if m.initial.len() != usize::from(m.zones) {
        return Err("Начальное показание — по одному на каждую тарифную зону.".into());
    }
    Ok(())
}

/// Persons registered in an apartment during a period (at least one: the owner).
pub fn persons_in(stays: &[Stay], period: Period) -> i64 {
    let start = period.first_day();
    let end = period.plus(1).first_day();
    let n = stays
        .iter()
        .filter(|(moved_in, moved_out)| *moved_in < end && moved_out.is_none_or(|out| out > start))
        .count() as i64;
    n.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Lcg;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn p(y: i32, m: u32) -> Period {
        Period { year: y, month: m }
    }
    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn settings(first: u32, last: u32, strict: bool) -> WindowSettings {
        WindowSettings {
            first_day: first,
            last_day: last,
            strict,
            ..WindowSettings::default()
        }
    }

    #[test]
    fn the_window_is_open_on_its_days_and_says_when_it_opens_otherwise() {
        let strict = settings(20, 25, true);
        let cases = [
            (
                d(2026, 11, 19),
                WindowState::Closed {
                    opens: d(2026, 11, 20),
                },
            ),
            (
                d(2026, 11, 20),
                WindowState::Open {
                    period: p(2026, 11),
                    closes: d(2026, 11, 25),
                },
            ),
            (
                d(2026, 11, 25),
                WindowState::Open {
                    period: p(2026, 11),
                    closes: d(2026, 11, 25),
                },
            ),
            (
                d(2026, 11, 26),
                WindowState::Closed {
                    opens: d(2026, 12, 20),
                },
            ),
            // across the year end
            (
                d(2026, 12, 31),
                WindowState::Closed {
                    opens: d(2027, 1, 20),
                },
            ),
        ];
        for (today, expected) in cases {
            assert_eq!(window_state(&strict, today), expected, "{today}");
        }
        let soft = settings(20, 25, false);
        assert_eq!(
            window_state(&soft, d(2026, 11, 26)),
            WindowState::Late {
                period: p(2026, 12),
                opens: d(2026, 12, 20)
            }
        );
        assert_eq!(
            window_state(&soft, d(2026, 12, 31)),
            WindowState::Late {
                period: p(2027, 1),
                opens: d(2027, 1, 20)
            }
        );
        assert_eq!(
            window_state(&soft, d(2026, 11, 3)),
            WindowState::Late {
                period: p(2026, 11),
                opens: d(2026, 11, 20)
            }
        );
        assert_eq!(
            window_state(&soft, d(2026, 11, 3)).period(),
            Some(p(2026, 11))
        );
        assert_eq!(window_state(&strict, d(2026, 11, 3)).period(), None);
    }

    #[test]
    fn a_window_to_the_month_end_follows_short_months() {
        let to_end = settings(25, 31, true);
        // February 2027 has 28 days: the window is 25–28
        assert_eq!(
            window_state(&to_end, d(2027, 2, 28)),
            WindowState::Open {
                period: p(2027, 2),
                closes: d(2027, 2, 28)
            }
        );
        assert_eq!(
            window_state(&to_end, d(2027, 3, 1)),
            WindowState::Closed {
                opens: d(2027, 3, 25)
            }
        );
        assert_eq!(
            window_state(&to_end, d(2028, 2, 29)),
            WindowState::Open {
                period: p(2028, 2),
                closes: d(2028, 2, 29)
            }
        );
        assert!(check_window_days(20, 25).is_ok());
        assert!(check_window_days(26, 25).is_err());
        assert!(check_window_days(0, 25).is_err());
        assert!(check_window_days(20, 32).is_err());
    }

    #[test]
    fn reminders_fall_on_the_opening_two_days_before_the_end_and_the_last_day() {
        let s = settings(20, 25, true);
        let stage = |day| reminder_stage(&s, d(2026, 11, day)).map(|(st, _)| st);
        assert_eq!(stage(20), Some(ReminderStage::Opened));
        assert_eq!(stage(21), None);
        assert_eq!(stage(23), Some(ReminderStage::TwoDaysLeft));
        assert_eq!(stage(24), None);
        assert_eq!(stage(25), Some(ReminderStage::LastDay));
        assert_eq!(stage(26), None);
        // a three-day window: no separate «two days left» on its first day
        let short = settings(20, 22, true);
        assert_eq!(
            reminder_stage(&short, d(2026, 11, 20)).map(|x| x.0),
            Some(ReminderStage::Opened)
        );
        assert_eq!(
            reminder_stage(&short, d(2026, 11, 22)).map(|x| x.0),
            Some(ReminderStage::LastDay)
        );
        assert!(verification_due_soon(d(2026, 12, 27), d(2026, 11, 27)));
        assert!(!verification_due_soon(d(2026, 12, 28), d(2026, 11, 27)));
        assert!(!verification_due_soon(d(2026, 11, 26), d(2026, 11, 27)));
    }

    #[test]
    fn values_are_parsed_exactly_in_russian_notation() {
        assert_eq!(parse_value("123,456"), Ok(dec("123.456")));
        assert_eq!(parse_value(" 1 234.5 "), Ok(dec("1234.5")));
        assert_eq!(parse_value("12,3000"), Ok(dec("12.3")));
        assert!(parse_value("12,3456").is_err());
        assert!(parse_value("-1").is_err());
        assert!(parse_value("abc").is_err());
        assert!(parse_value("").is_err());
        assert!(parse_value("100000000").is_err());
        assert_eq!(to_milli(dec("123.456")), 123_456);
        assert_eq!(to_milli(dec("7")), 7_000);
        assert_eq!(from_milli(123_456), dec("123.456"));
        assert_eq!(format_value(dec("1234.5")), "1\u{a0}234,500");
        assert_eq!(format_value(dec("-2.5")), "−2,500");
        assert_eq!(format_value(dec("0")), "0,000");
        // rounded half away from zero to thousandths; what rounds to nothing has no sign
        assert_eq!(format_value(dec("1234567.8915")), "1\u{a0}234\u{a0}567,892");
        assert_eq!(format_value(dec("-0.0004")), "0,000");
        assert_eq!(format_value(dec("0.05")), "0,050");
        let mut appended = String::from("= ");
        push_value(&mut appended, dec("12"));
        assert_eq!(appended, "= 12,000");
    }

    fn meter() -> ReadingCheck {
        ReadingCheck {
            zones: 2,
            installed_on: d(2024, 1, 10),
            archived: false,
            verified_until: d(2030, 1, 1),
            previous: Some((vec![dec("100"), dec("50")], 1)),
            average: Some(dec("10")),
        }
    }

    #[test]
    fn every_check_of_a_reading() {
        let today = d(2026, 11, 22);
        let ok = check_reading(&meter(), &[dec("105"), dec("52")], today, today);
        assert_eq!(ok, Ok(None));
        // equal to the previous is fine (nothing used)
        assert_eq!(
            check_reading(&meter(), &[dec("100"), dec("50")], today, today),
            Ok(None)
        );
        assert!(matches!(
            check_reading(&meter(), &[dec("99.999"), dec("52")], today, today),
            Err(ReadingError::BelowPrevious {
                zone: "День (Т1)",
                ..
            })
        ));
        assert!(matches!(
            check_reading(&meter(), &[dec("105"), dec("49")], today, today),
            Err(ReadingError::BelowPrevious {
                zone: "Ночь (Т2)",
                ..
            })
        ));
        assert_eq!(
            check_reading(&meter(), &[dec("105")], today, today),
            Err(ReadingError::ZoneCount { expected: 2 })
        );
        let archived = ReadingCheck {
            archived: true,
            ..meter()
        };
        assert_eq!(
            check_reading(&archived, &[dec("105"), dec("52")], today, today),
            Err(ReadingError::Archived)
        );
        let expired = ReadingCheck {
            verified_until: d(2026, 11, 1),
            ..meter()
        };
        let err = check_reading(&expired, &[dec("105"), dec("52")], today, today).unwrap_err();
        assert_eq!(err, ReadingError::VerificationExpired("01.11.2026".into()));
        assert!(
            err.to_string().contains("по среднему"),
            "explains the billing: {err}"
        );
        assert_eq!(
            check_reading(&meter(), &[dec("105"), dec("52")], d(2026, 11, 23), today),
            Err(ReadingError::InFuture)
        );
        assert_eq!(
            check_reading(&meter(), &[dec("105"), dec("52")], d(2024, 1, 1), today),
            Err(ReadingError::BeforeInstallation)
        );
        // a new meter (no previous) takes any value
        let fresh = ReadingCheck {
            previous: None,
            average: None,
            ..meter()
        };
        assert_eq!(
            check_reading(&fresh, &[dec("1"), dec("0")], today, today),
            Ok(None)
        );
    }

    #[test]
    fn far_above_the_average_is_accepted_but_flagged() {
        let today = d(2026, 11, 22);
        // 31 used against an average of 10: more than three times
        let flag = check_reading(&meter(), &[dec("130"), dec("51")], today, today).unwrap();
        let flag = flag.expect("flagged");
        assert!(flag.contains("3,1 раза"), "{flag}");
        // exactly three times is normal
        assert_eq!(
            check_reading(&meter(), &[dec("125"), dec("55")], today, today),
            Ok(None)
        );
        assert_eq!(anomaly(dec("100"), None, 1), None);
        // after two missed months a reading covers three: 31 is then normal
        let late = ReadingCheck {
            previous: Some((vec![dec("100"), dec("50")], 3)),
            ..meter()
        };
        assert_eq!(
            check_reading(&late, &[dec("130"), dec("51")], today, today),
            Ok(None)
        );
    }

    fn norm(_: Period) -> Norm {
        Norm {
            volume: dec("13.870"),
            explanation: "6,935 м³ × 2 чел.".into(),
        }
    }

    fn reading(period: Period, v: &str) -> Point {
        Point {
            period,
            kind: ReadingKind::Regular,
            values: vec![dec(v)],
        }
    }

    fn facts(points: Vec<Point>) -> MeterFacts {
        MeterFacts {
            zones: 1,
            installed: p(2026, 1),
            archived: None,
            verified_until: d(2030, 1, 1),
            residential: true,
            points,
        }
    }

    fn sources(months: &[MonthVolume]) -> Vec<(String, VolumeSource, String)> {
        months
            .iter()
            .map(|m| (m.period.to_string(), m.source, format_value(m.total)))
            .collect()
    }

    /// January–June 6 m³ a month, July–November nothing, December the reading comes back.
    fn a_gap_from_july_to_november() -> Vec<Point> {
        let mut points = vec![Point {
            period: p(2026, 1),
            kind: ReadingKind::Initial,
            values: vec![dec("0")],
        }];
        for m in 1..=6 {
            points.push(reading(p(2026, m), &(6 * m).to_string()));
        }
        points.push(reading(p(2026, 12), "72"));
        points
    }

    #[test]
    fn average_for_three_months_then_the_norm_then_recalculation() {
        let points = a_gap_from_july_to_november();
        let months = monthly_volumes(&facts(points.clone()), p(2026, 12), &norm);
        let s = sources(&months);
        assert_eq!(
            s[0],
            ("2026-01".into(), VolumeSource::Reading, "6,000".into())
        );
        assert_eq!(
            s[5],
            ("2026-06".into(), VolumeSource::Reading, "6,000".into())
        );
        assert_eq!(
            s[6],
            ("2026-07".into(), VolumeSource::Average, "6,000".into())
        );
        assert_eq!(
            s[8],
            ("2026-09".into(), VolumeSource::Average, "6,000".into())
        );
        assert_eq!(
            s[9],
            ("2026-10".into(), VolumeSource::Norm, "13,870".into())
        );
        assert_eq!(
            s[10],
            ("2026-11".into(), VolumeSource::Norm, "13,870".into())
        );
        // December: 72 − 36 used over six months, minus 3 × 6 + 2 × 13,87 charged
        assert_eq!(
            s[11],
            ("2026-12".into(), VolumeSource::Reading, "−9,740".into())
        );
        assert!(
            months[11].explanation.contains("перерасчёт"),
            "{}",
            months[11].explanation
        );
        assert!(months[9].explanation.contains("6,935 м³ × 2 чел."));
        // the whole year charged exactly what the meter counted
        let total: Decimal = months.iter().map(|m| m.total).sum();
        assert_eq!(total, dec("72"));
    }

    #[test]
    fn billing_folds_the_same_months_and_explains_only_the_last() {
        let facts = facts(a_gap_from_july_to_november());
        for to in [p(2026, 6), p(2026, 8), p(2026, 10), p(2026, 12)] {
            let full = monthly_volumes(&facts, to, &norm);
            let billed = volumes_to(&facts, to, &norm);
            assert_eq!(full.len(), billed.len());
            for (f, b) in full.iter().zip(&billed) {
                assert_eq!(
                    (f.period, &f.zones, f.total, f.source),
                    (b.period, &b.zones, b.total, b.source)
                );
                if f.period == to {
                    assert!(!b.explanation.is_empty());
                    assert_eq!(f.explanation, b.explanation);
                } else {
                    assert_eq!(b.explanation, "", "{}", f.period);
                }
            }
        }
    }

    /// A meter's history at random: installed in 2025, readings in most months (cumulative,
    /// one or two zones), often an initial value, sometimes an expired verification, sometimes
    /// taken off with a final value.
    fn random_meter(rng: &mut Lcg) -> MeterFacts {
        let zones = 1 + rng.next(2) as usize;
        let installed = p(2025, 1 + rng.next(12) as u32);
        let archived = (rng.next(3) == 0).then(|| installed.plus(3 + rng.next(18) as i32));
        let mut values = vec![Decimal::from(rng.next(50)); zones];
        let mut points = Vec::new();
        if rng.next(4) != 0 {
            points.push(Point {
                period: installed,
                kind: ReadingKind::Initial,
                values: values.clone(),
            });
        }
        let end = archived.unwrap_or(p(2026, 12));
        let mut month = installed;
        while month <= end {
            for v in values.iter_mut() {
                *v += Decimal::new(rng.next(12_000) as i64, 3);
            }
            if rng.next(10) < 7 {
                points.push(Point {
                    period: month,
                    kind: ReadingKind::Regular,
                    values: values.clone(),
                });
            }
            month = month.plus(1);
        }
        if let Some(archived) = archived {
            points.push(Point {
                period: archived,
                kind: ReadingKind::Final,
                values,
            });
        }
        MeterFacts {
            zones,
            installed,
            archived,
            verified_until: d(2025 + rng.next(3) as i32, 1 + rng.next(12) as u32, 1),
            residential: rng.next(2) == 0,
            points,
        }
    }

    #[test]
    fn a_fold_from_the_recent_start_gives_the_month_what_the_whole_history_gives() {
        let mut rng = Lcg(5);
        let (mut decided, mut undecided) = (0, 0);
        for _ in 0..400 {
            let full = random_meter(&mut rng);
            let end = full.archived.unwrap_or(p(2026, 12));
            let mut to = full.installed;
            while to <= end {
                // what the billing read first: the points of `to` and the month before
                let mut recent = full.clone();
                recent
                    .points
                    .retain(|pt| pt.period >= to.plus(-1) && pt.period <= to);
                match recent_start(&recent, to) {
                    Some(start) => {
                        decided += 1;
                        recent.installed = start;
                        let whole = volumes_to(&full, to, &norm);
                        let short = volumes_to(&recent, to, &norm);
                        let (w, s) = (whole.last().unwrap(), short.last().unwrap());
                        assert_eq!(
                            (w.period, &w.zones, w.total, w.source, &w.explanation),
                            (s.period, &s.zones, s.total, s.source, &s.explanation),
                            "{full:?} to {to}"
                        );
                    }
                    None => undecided += 1,
                }
                to = to.plus(1);
            }
        }
        // both ways are taken often
        assert!(decided > 1000 && undecided > 1000, "{decided} {undecided}");
    }

    #[test]
    fn a_meter_without_an_initial_value_is_not_recalculated_against_its_first_reading() {
        // installed in January with no initial value: January by the norm, February's reading
        // is the start, March's consumption is March's alone
        let facts = facts(vec![reading(p(2026, 2), "10"), reading(p(2026, 3), "14")]);
        let months = monthly_volumes(&facts, p(2026, 3), &norm);
        assert_eq!(months[0].source, VolumeSource::Norm);
        assert_eq!(months[1].total, Decimal::ZERO);
        assert_eq!(months[2].total, dec("4"));
        assert_eq!(months[2].explanation, "Показания 14,000 − 10,000 = 4,000");
    }

    #[test]
    fn only_readings_in_the_month_and_the_month_before_decide_it_alone() {
        let facts = facts(a_gap_from_july_to_november());
        assert_eq!(recent_start(&facts, p(2026, 6)), Some(p(2026, 5)));
        // July without a reading: the average needs the months before
        assert_eq!(recent_start(&facts, p(2026, 7)), None);
        // December's reading follows November's estimate: the recalculation needs it
        assert_eq!(recent_start(&facts, p(2026, 12)), None);
        // a meter installed the month before has no earlier months
        assert_eq!(recent_start(&facts, p(2026, 2)), Some(p(2026, 1)));
    }

    #[test]
    fn a_young_meter_averages_over_what_it_has_and_under_three_months_goes_to_the_norm() {
        let mut points = vec![Point {
            period: p(2026, 1),
            kind: ReadingKind::Initial,
            values: vec![dec("0")],
        }];
        points.push(reading(p(2026, 1), "4"));
        points.push(reading(p(2026, 2), "8"));
        // two months of history: no average, the norm at once
        let months = monthly_volumes(&facts(points.clone()), p(2026, 3), &norm);
        assert_eq!(months[2].source, VolumeSource::Norm);
        // three months: the average of those three
        points.push(reading(p(2026, 3), "15"));
        let months = monthly_volumes(&facts(points), p(2026, 4), &norm);
        assert_eq!(months[3].source, VolumeSource::Average);
        assert_eq!(months[3].total, dec("5"));
        assert!(months[3].explanation.contains("за 3 мес."));
    }

    #[test]
    fn non_residential_premises_get_two_months_by_average() {
        let mut points = vec![Point {
            period: p(2026, 1),
            kind: ReadingKind::Initial,
            values: vec![dec("0")],
        }];
        for m in 1..=6 {
            points.push(reading(p(2026, m), &(10 * m).to_string()));
        }
        let mut f = facts(points);
        f.residential = false;
        let months = monthly_volumes(&f, p(2026, 10), &norm);
        let s: Vec<VolumeSource> = months[6..].iter().map(|m| m.source).collect();
        assert_eq!(
            s,
            [
                VolumeSource::Average,
                VolumeSource::Average,
                VolumeSource::Norm,
                VolumeSource::Norm
            ]
        );
    }

    #[test]
    fn an_expired_meter_counts_as_absent_and_a_replacement_continues_the_history() {
        let mut points = vec![Point {
            period: p(2026, 1),
            kind: ReadingKind::Initial,
            values: vec![dec("0")],
        }];
        for m in 1..=6 {
            points.push(reading(p(2026, m), &(5 * m).to_string()));
        }
        let mut f = facts(points.clone());
        f.verified_until = d(2026, 6, 30);
        let months = monthly_volumes(&f, p(2026, 8), &norm);
        assert_eq!(months[6].source, VolumeSource::Average);
        assert!(months[6].explanation.starts_with("Срок поверки истёк"));
        // taken off in July with a final value: July counts up to it, nothing after
        points.push(Point {
            period: p(2026, 7),
            kind: ReadingKind::Final,
            values: vec![dec("33")],
        });
        let mut old = facts(points);
        old.archived = Some(p(2026, 7));
        let months = monthly_volumes(&old, p(2026, 12), &norm);
        assert_eq!(months.len(), 7);
        assert_eq!(months[6].total, dec("3"));
        // the new meter starts from its initial value
        let new = MeterFacts {
            installed: p(2026, 7),
            points: vec![
                Point {
                    period: p(2026, 7),
                    kind: ReadingKind::Initial,
                    values: vec![dec("0.5")],
                },
                reading(p(2026, 7), "2.5"),
            ],
            ..facts(vec![])
        };
        let months = monthly_volumes(&new, p(2026, 7), &norm);
        assert_eq!(months[0].total, dec("2"));
        // installed after the window: the first month has no volume, the next counts from the start
        let late = MeterFacts {
            installed: p(2026, 7),
            points: vec![
                Point {
                    period: p(2026, 7),
                    kind: ReadingKind::Initial,
                    values: vec![dec("0")],
                },
                reading(p(2026, 8), "5"),
            ],
            ..facts(vec![])
        };
        let months = monthly_volumes(&late, p(2026, 8), &norm);
        assert_eq!((months[0].total, months[1].total), (dec("0"), dec("5")));
    }

    #[test]
    fn form_fields_group_by_meter_and_skip_empty_meters() {
        let fields: std::collections::BTreeMap<String, String> = [
            ("m7.1", "12,5"),
            ("m7.2", "3"),
            ("m8.1", " "),
            ("junk", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            form_entries(&fields),
            Ok(vec![(7, vec![dec("12.5"), dec("3")])])
        );
        let bad: std::collections::BTreeMap<String, String> =
            [("m9.1".to_string(), "abc".to_string())]
                .into_iter()
                .collect();
        assert_eq!(form_entries(&bad).unwrap_err().0, 9);
        assert_eq!(parse_values("100/50,5"), Ok(vec![dec("100"), dec("50.5")]));
    }

    #[test]
    fn periods_count_months_across_years() {
        assert_eq!(p(2026, 12).plus(1), p(2027, 1));
        assert_eq!(p(2027, 1).plus(-1), p(2026, 12));
        assert_eq!(p(2027, 1).index() - p(2026, 7).index(), 6);
        assert_eq!(Period::parse("2026-11"), Some(p(2026, 11)));
        assert_eq!(Period::parse("2026-13"), None);
        assert_eq!(p(2026, 11).to_string(), "2026-11");
        assert_eq!(p(2026, 11).label(), "ноябрь 2026");
        assert_eq!(p(2027, 2).days(), 28);
    }
}
