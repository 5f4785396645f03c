//! The organisation's clock: Moscow time (UTC+3, no daylight saving since 2014). Moments are
//! stored in UTC and shown, and typed in by staff, in Moscow time.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};

const UTC_OFFSET_SECONDS: i32 = 3 * 3600;

pub fn moscow() -> FixedOffset {
    FixedOffset::east_opt(UTC_OFFSET_SECONDS).expect("a valid fixed offset")
}

/// Today in the organisation's time zone.
pub fn today() -> chrono::NaiveDate {
    local(Utc::now()).date()
}

/// A stored moment as the wall clock in Moscow shows it.
pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&moscow()).naive_local()
}

/// A Moscow wall-clock time as a stored moment.
pub fn from_local(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc() - chrono::Duration::seconds(UTC_OFFSET_SECONDS.into())
}

/// `27.11.2026 18:30`.
pub fn format_moment(at: DateTime<Utc>) -> String {
    local(at).format("%d.%m.%Y %H:%M").to_string()
}

/// The value of an `<input type="datetime-local">` (Moscow time) as a stored moment.
pub fn parse_local_input(input: &str) -> Result<DateTime<Utc>, &'static str> {
    let naive = NaiveDateTime::parse_from_str(input.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(input.trim(), "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "Укажите дату и время, например 27.11.2026 18:00.")?;
    Ok(from_local(naive))
}

/// A stored moment as the value of an `<input type="datetime-local">`.
pub fn local_input(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_go_through_moscow_time_both_ways() {
        let at = parse_local_input("2026-11-27T18:30").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-27T15:30:00+00:00");
        assert_eq!(format_moment(at), "27.11.2026 18:30");
        assert_eq!(local_input(at), "2026-11-27T18:30");
        assert!(parse_local_input("завтра").is_err());
    }
}
