//! Pure rules of the work with debtors: which accounts a segment holds, what a reminder says to
//! each, and whether a promise to pay was kept. No I/O.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::super::types::{
    Addressees, AgeBucket, Buckets, PromiseStatus, SegmentFilter, SegmentForm,
};
use crate::billing::rules::accrual::LedgerEntry;
use crate::billing::types::{LedgerKind, Money, Period};
use crate::housing::types::Relation;
use crate::notify::types::Channel;

/// The most months of charges a segment can ask for.
pub const MAX_MONTHS: u32 = 120;
/// The months an account's usual charge is averaged over.
pub const USUAL_CHARGE_MONTHS: i32 = 12;

/// A segment the accountant cannot save, in their words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SegmentError {
    #[error("Назовите сегмент.")]
    NoName,
    #[error("Название сегмента длиннее 100 знаков.")]
    NameTooLong,
    #[error("Сумма долга не может быть отрицательной.")]
    NegativeAmount,
    #[error("Число месяцев начислений — от 1 до {MAX_MONTHS}.")]
    MonthsOutOfRange,
    #[error("Подъезд выбирают вместе с домом.")]
    EntranceWithoutHouse,
    #[error("Сегмент — это должники: срок просрочки не может быть «срок не наступил».")]
    NotOverdue,
    #[error("{}", crate::debts::text::BAD_AMOUNT)]
    BadAmount,
    #[error("Число месяцев — целое число, например 3.")]
    BadMonths,
    #[error("Такого дома, подъезда или варианта в списке нет — обновите страницу.")]
    BadChoice,
}

/// The typed form as a filter, with its name (not yet checked: `check_segment`).
pub fn parse_segment_form(form: &SegmentForm) -> Result<(String, SegmentFilter), SegmentError> {
    fn id(text: &str) -> Result<Option<i64>, SegmentError> {
        match text.trim() {
            "" => Ok(None),
            t => t.parse().map(Some).map_err(|_| SegmentError::BadChoice),
        }
    }
    let min_age = match form.min_age.trim() {
        "" => AgeBucket::Days1To30,
        t => t
            .parse::<usize>()
            .ok()
            .and_then(|i| AgeBucket::ALL.get(i).copied())
            .ok_or(SegmentError::BadChoice)?,
    };
    let min_overdue = match form.min_overdue.trim() {
        "" => Money::ZERO,
        t => Money::parse(t).ok_or(SegmentError::BadAmount)?,
    };
    let min_months = match form.min_months.trim() {
        "" => None,
        t => Some(t.parse::<u32>().map_err(|_| SegmentError::BadMonths)?),
    };
    let addressees = match form.addressees.as_str() {
        "" => None,
        "owners" => Some(Addressees::Owners),
        "tenants" => Some(Addressees::Tenants),
        _ => return Err(SegmentError::BadChoice),
    };
    let channel = match form.channel.as_str() {
        "" => None,
        c => Some(Channel::parse(c).ok_or(SegmentError::BadChoice)?),
    };
    let promised = match form.promised.as_str() {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        _ => return Err(SegmentError::BadChoice),
    };
    Ok((
        form.name.clone(),
        SegmentFilter {
            house_id: id(&form.house)?,
            entrance_id: id(&form.entrance)?,
            min_age,
            min_overdue,
            min_months,
            addressees,
            channel,
            promised,
        },
    ))
}

/// Checks a filter and its name; returns the trimmed name.
pub fn check_segment(name: &str, filter: &SegmentFilter) -> Result<String, SegmentError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(SegmentError::NoName);
    }
    if name.chars().count() > 100 {
        return Err(SegmentError::NameTooLong);
    }
    check_filter(filter)?;
    Ok(name.to_string())
}

pub fn check_filter(filter: &SegmentFilter) -> Result<(), SegmentError> {
    if filter.min_overdue.0 < 0 {
        return Err(SegmentError::NegativeAmount);
    }
    if filter.min_months.is_some_and(|m| m == 0 || m > MAX_MONTHS) {
        return Err(SegmentError::MonthsOutOfRange);
    }
    if filter.entrance_id.is_some() && filter.house_id.is_none() {
        return Err(SegmentError::EntranceWithoutHouse);
    }
    if filter.min_age == AgeBucket::NotDue {
        return Err(SegmentError::NotOverdue);
    }
    Ok(())
}

/// A person on a debtor's flat as a segment sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub relation: Relation,
    /// Their cabinet, if they have one (only cabinet users get mailings).
    pub user_id: Option<i64>,
    /// Channels their cabinet can be reached on.
    pub channels: Vec<Channel>,
}

/// What a segment is decided on for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebtorFacts {
    pub house_id: i64,
    pub entrance_id: Option<i64>,
    pub buckets: Buckets,
    /// Its usual monthly charge ([`usual_charge`]).
    pub usual_charge: Money,
    pub people: Vec<Person>,
    pub promise_pending: bool,
}

/// Whether `relation` is one a segment's addressees take in (none: everyone living there).
pub fn addressed(addressees: Option<Addressees>, relation: Relation) -> bool {
    match addressees {
        None => true,
        Some(Addressees::Owners) => relation == Relation::Owner,
        Some(Addressees::Tenants) => relation != Relation::Owner,
    }
}

/// Whether the segment holds the account: every part of the filter admits it. Accounts owing
/// nothing past the due date are never in a segment.
pub fn admits(filter: &SegmentFilter, facts: &DebtorFacts) -> bool {
    let overdue = facts.buckets.overdue();
    let people: Vec<&Person> = facts
        .people
        .iter()
        .filter(|p| addressed(filter.addressees, p.relation))
        .collect();
    overdue.0 > 0
        && filter.house_id.is_none_or(|h| h == facts.house_id)
        && filter
            .entrance_id
            .is_none_or(|e| facts.entrance_id == Some(e))
        && facts.buckets.at_least(filter.min_age).0 > 0
        && overdue >= filter.min_overdue
        && filter.min_months.is_none_or(|n| {
            facts.usual_charge.0 > 0 && overdue.0 > facts.usual_charge.0 * i64::from(n)
        })
        && (filter.addressees.is_none() || !people.is_empty())
        && filter
            .channel
            .is_none_or(|c| people.iter().any(|p| p.channels.contains(&c)))
        && filter.promised.is_none_or(|p| p == facts.promise_pending)
}

/// The cabinet users a mailing to the account reaches: the addressed people with a cabinet,
/// each once.
pub fn recipients(filter: &SegmentFilter, people: &[Person]) -> Vec<i64> {
    let mut users: Vec<i64> = people
        .iter()
        .filter(|p| addressed(filter.addressees, p.relation))
        .filter_map(|p| p.user_id)
        .collect();
    users.sort_unstable();
    users.dedup();
    users
}

/// An account's usual monthly charge: the charges of the last twelve months before `today`'s
/// month that charged anything, averaged (rounded down to the kopeck); zero with no charges.
pub fn usual_charge(entries: &[LedgerEntry], today: NaiveDate) -> Money {
    let current = Period::of(today);
    let first = current.plus(-USUAL_CHARGE_MONTHS);
    let mut months: BTreeMap<Period, i64> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.kind == LedgerKind::Charge) {
        if let Some(period) = Period::parse(&e.period)
            && period >= first
            && period < current
        {
            *months.entry(period).or_default() += e.amount;
        }
    }
    let charged: Vec<i64> = months.into_values().filter(|a| *a > 0).collect();
    match charged.len() as i64 {
        0 => Money::ZERO,
        n => Money(charged.iter().sum::<i64>() / n),
    }
}

/// A promise of `amount` by `promised_on` with `paid` since it was recorded: kept once paid in
/// full, broken when its day passed without that.
pub fn promise_status(
    amount: Money,
    paid: Money,
    promised_on: NaiveDate,
    today: NaiveDate,
) -> PromiseStatus {
    if paid >= amount {
        PromiseStatus::Kept
    } else if today > promised_on {
        PromiseStatus::Broken
    } else {
        PromiseStatus::Pending
    }
}

/// A promise the accountant cannot record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromiseError {
    #[error("Укажите сумму больше нуля.")]
    NoAmount,
    #[error("Дата обещания уже прошла — укажите сегодняшнюю или будущую.")]
    InThePast,
    #[error("Обещание дают не дальше чем на 90 дней; на больший срок оформите рассрочку.")]
    TooFar,
}

/// The longest promise to pay; beyond it the debt needs a repayment plan.
pub const MAX_PROMISE_DAYS: i64 = 90;

pub fn check_promise(
    amount: Money,
    promised_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), PromiseError> {
    if amount.0 <= 0 {
        return Err(PromiseError::NoAmount);
    }
    if promised_on < today {
        return Err(PromiseError::InThePast);
    }
    if (promised_on - today).num_days() > MAX_PROMISE_DAYS {
        return Err(PromiseError::TooFar);
    }
    Ok(())
}

/// The longest note on a contact or a promise.
pub const MAX_NOTE: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Заметка длиннее {MAX_NOTE} знаков.")]
pub struct NoteTooLong;

/// A note as typed, trimmed.
pub fn check_note(note: &str) -> Result<String, NoteTooLong> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(NoteTooLong);
    }
    Ok(note.to_string())
}

/// The values a reminder's template gets for one account.
pub fn reminder_params(
    number: &str,
    address: &str,
    overdue: Money,
    owed: Money,
    since: NaiveDate,
) -> BTreeMap<String, String> {
    [
        ("account", number.to_string()),
        ("address", address.to_string()),
        ("overdue", overdue.label()),
        ("owed", owed.label()),
        ("since", since.format("%d.%m.%Y").to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::debts::types::AgeBucket;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts() -> DebtorFacts {
        let mut buckets = Buckets::default();
        buckets.add(AgeBucket::NotDue, Money(300_000));
        buckets.add(AgeBucket::Days31To90, Money(600_000));
        DebtorFacts {
            house_id: 1,
            entrance_id: Some(10),
            buckets,
            usual_charge: Money(300_000),
            people: vec![
                Person {
                    relation: Relation::Owner,
                    user_id: None,
                    channels: vec![],
                },
                Person {
                    relation: Relation::Tenant,
                    user_id: Some(7),
                    channels: vec![Channel::Email, Channel::Push],
                },
            ],
            promise_pending: false,
        }
    }

    #[test]
    fn each_part_of_a_filter_admits_or_refuses() {
        let f = facts();
        let all = SegmentFilter::default();
        assert!(admits(&all, &f));
        let cases: Vec<(SegmentFilter, bool)> = vec![
            (
                SegmentFilter {
                    house_id: Some(1),
                    ..all.clone()
                },
                true,
            ),
            (
                SegmentFilter {
                    house_id: Some(2),
                    ..all.clone()
                },
                false,
            ),
            (
                SegmentFilter {
                    house_id: Some(1),
                    entrance_id: Some(10),
                    ..all.clone()
                },
                true,
            ),
            (
                SegmentFilter {
                    house_id: Some(1),
                    entrance_id: Some(11),
                    ..all.clone()
                },
                false,
            ),
            (
                SegmentFilter {
                    min_age: AgeBucket::Days31To90,
                    ..all.clone()
                },
                true,
            ),
            (
                SegmentFilter {
                    min_age: AgeBucket::Days91To180,
                    ..all.clone()
                },
                false,
            ),
            // overdue is 6 000 ₽: the month not yet due does not count
            (
                SegmentFilter {
                    min_overdue: Money(600_000),
                    ..all.clone()
                },
                true,
            ),
            (
                SegmentFilter {
                    min_overdue: Money(600_001),
                    ..all.clone()
                },
                false,
            ),
            // more than one month of 3 000 ₽, not more than two
            (
                SegmentFilter {
                    min_months: Some(1),
                    ..all.clone()
                },
                true,
            ),
            (
                SegmentFilter {
                    min_months: Some(2),
                    ..all.clone()
                },
                false,
            ),
            (
                SegmentFilter {
                    addressees: Some(Addressees::Owners),
                    ..all.clone()
                },
                true,
            ),
            // e-mail: only the tenant has it
            (
                SegmentFilter {
                    channel: Some(Channel::Email),
                    ..all.clone()
                },
                true,
            ),
            (
                SegmentFilter {
                    addressees: Some(Addressees::Owners),
                    channel: Some(Channel::Email),
                    ..all.clone()
                },
                false,
            ),
            (
                SegmentFilter {
                    channel: Some(Channel::Sms),
                    ..all.clone()
                },
                false,
            ),
            (
                SegmentFilter {
                    promised: Some(false),
                    ..all.clone()
                },
                true,
            ),
            (
                SegmentFilter {
                    promised: Some(true),
                    ..all.clone()
                },
                false,
            ),
        ];
        for (filter, admitted) in cases {
            assert_eq!(admits(&filter, &f), admitted, "{filter:?}");
        }
        // nothing overdue: in no segment, whatever the filter
        let mut paid = f.clone();
        paid.buckets = Buckets::default();
        paid.buckets.add(AgeBucket::NotDue, Money(100));
        assert!(!admits(&all, &paid));
        // no usual charge: "more than N months" cannot hold
        let mut new = f.clone();
        new.usual_charge = Money::ZERO;
        assert!(!admits(
            &SegmentFilter {
                min_months: Some(1),
                ..all.clone()
            },
            &new
        ));
        // only those addressed who have a cabinet are written to
        assert_eq!(recipients(&all, &f.people), vec![7]);
        let owners = SegmentFilter {
            addressees: Some(Addressees::Owners),
            ..all
        };
        assert!(recipients(&owners, &f.people).is_empty());
    }

    #[test]
    fn the_typed_form_becomes_a_filter() {
        let form = SegmentForm {
            name: " Больше 90 дней ".into(),
            house: "3".into(),
            entrance: "12".into(),
            min_age: "3".into(),
            min_overdue: "5 000,50".into(),
            min_months: "2".into(),
            addressees: "owners".into(),
            channel: "sms".into(),
            promised: "no".into(),
        };
        let (name, filter) = parse_segment_form(&form).unwrap();
        assert_eq!(name, " Больше 90 дней ");
        assert_eq!(
            filter,
            SegmentFilter {
                house_id: Some(3),
                entrance_id: Some(12),
                min_age: AgeBucket::Days91To180,
                min_overdue: Money(500_050),
                min_months: Some(2),
                addressees: Some(Addressees::Owners),
                channel: Some(Channel::Sms),
                promised: Some(false),
            }
        );
        let (_, empty) = parse_segment_form(&SegmentForm::default()).unwrap();
        assert_eq!(empty, SegmentFilter::default());
        let bad = [
            (
                SegmentForm {
                    min_overdue: "пять".into(),
                    ..SegmentForm::default()
                },
                SegmentError::BadAmount,
            ),
            (
                SegmentForm {
                    min_months: "1.5".into(),
                    ..SegmentForm::default()
                },
                SegmentError::BadMonths,
            ),
            (
                SegmentForm {
                    min_age: "9".into(),
                    ..SegmentForm::default()
                },
                SegmentError::BadChoice,
            ),
            (
                SegmentForm {
                    house: "x".into(),
                    ..SegmentForm::default()
                },
                SegmentError::BadChoice,
            ),
            (
                SegmentForm {
                    channel: "fax".into(),
                    ..SegmentForm::default()
                },
                SegmentError::BadChoice,
            ),
        ];
        for (form, error) in bad {
            assert_eq!(parse_segment_form(&form), Err(error), "{form:?}");
        }
        // a negative sum parses, and the check refuses it in words
        let (_, negative) = parse_segment_form(&SegmentForm {
            min_overdue: "-10".into(),
            ..SegmentForm::default()
        })
        .unwrap();
        assert_eq!(check_filter(&negative), Err(SegmentError::NegativeAmount));
    }

    #[test]
    fn a_bad_segment_is_refused_in_words() {
        let ok = SegmentFilter::default();
        assert_eq!(
            check_segment("  Долг > 3 мес. ", &ok).unwrap(),
            "Долг > 3 мес."
        );
        assert_eq!(check_segment(" ", &ok), Err(SegmentError::NoName));
        assert_eq!(
            check_segment(&"я".repeat(101), &ok),
            Err(SegmentError::NameTooLong)
        );
        let cases = [
            (
                SegmentFilter {
                    min_overdue: Money(-1),
                    ..ok.clone()
                },
                SegmentError::NegativeAmount,
            ),
            (
                SegmentFilter {
                    min_months: Some(0),
                    ..ok.clone()
                },
                SegmentError::MonthsOutOfRange,
            ),
            (
                SegmentFilter {
                    min_months: Some(121),
                    ..ok.clone()
                },
                SegmentError::MonthsOutOfRange,
            ),
            (
                SegmentFilter {
                    entrance_id: Some(3),
                    ..ok.clone()
                },
                SegmentError::EntranceWithoutHouse,
            ),
            (
                SegmentFilter {
                    min_age: AgeBucket::NotDue,
                    ..ok.clone()
                },
                SegmentError::NotOverdue,
            ),
        ];
        for (filter, error) in cases {
            assert_eq!(check_segment("Сегмент", &filter), Err(error), "{filter:?}");
        }
        assert!(
            check_segment(
                "Сегмент",
                &SegmentFilter {
                    min_months: Some(120),
                    ..ok
                }
            )
            .is_ok()
        );
    }

    fn entry(period: &str, kind: LedgerKind, amount: i64, on: &str) -> LedgerEntry {
        LedgerEntry {
            account_id: 1,
            period: period.into(),
            kind,
            amount,
            occurred_on: day(on),
            reason: String::new(),
        }
    }

    #[test]
    fn the_usual_charge_averages_the_charged_months_of_the_last_year() {
        let today = day("2026-12-08");
        let entries = vec![
            // December is this month, not counted; November 2025 is out of the year
            entry("2026-12", LedgerKind::Charge, 900_000, "2026-12-01"),
            entry("2025-11", LedgerKind::Charge, 900_000, "2025-12-01"),
            entry("2026-11", LedgerKind::Charge, 300_000, "2026-12-01"),
            entry("2026-10", LedgerKind::Charge, 200_001, "2026-11-01"),
            entry("2026-10", LedgerKind::Payment, -500_000, "2026-11-20"),
            entry("2025-12", LedgerKind::Charge, 100_000, "2026-01-01"),
        ];
        // (300 000 + 200 001 + 100 000) / 3, rounded down
        assert_eq!(usual_charge(&entries, today), Money(200_000));
        assert_eq!(usual_charge(&[], today), Money::ZERO);
    }

    #[test]
    fn a_promise_is_kept_by_paying_in_full_and_broken_after_its_day() {
        let on = day("2026-12-15");
        let cases = [
            (Money(1_000), day("2026-12-10"), PromiseStatus::Kept),
            (Money(1_500), day("2026-12-20"), PromiseStatus::Kept),
            (Money(999), day("2026-12-15"), PromiseStatus::Pending),
            (Money(999), day("2026-12-16"), PromiseStatus::Broken),
            (Money::ZERO, day("2026-12-16"), PromiseStatus::Broken),
        ];
        for (paid, today, status) in cases {
            assert_eq!(
                promise_status(Money(1_000), paid, on, today),
                status,
                "{paid:?} {today}"
            );
        }
        let today = day("2026-12-08");
        assert!(check_promise(Money(1), today, today).is_ok());
        assert_eq!(
            check_promise(Money(0), on, today),
            Err(PromiseError::NoAmount)
        );
        assert_eq!(
            check_promise(Money(1), day("2026-12-07"), today),
            Err(PromiseError::InThePast)
        );
        assert!(check_promise(Money(1), day("2027-03-08"), today).is_ok());
        assert_eq!(
            check_promise(Money(1), day("2027-03-09"), today),
            Err(PromiseError::TooFar)
        );
    }

    #[test]
    fn a_reminder_names_the_account_and_its_sums() {
        let params = reminder_params(
            "77010012",
            "ул. Серебряная, 1, кв. 12",
            Money(543_000),
            Money(1_086_000),
            day("2026-10-15"),
        );
        assert_eq!(params["overdue"], Money(543_000).label());
        assert_eq!(params["since"], "15.10.2026");
        let spec = crate::notify::rules::spec(crate::notify::types::NoticeKind::DebtReminder);
        // every placeholder of the reminders gets a value
        for (name, _) in spec.placeholders {
            assert!(params.contains_key(*name), "{name}");
        }
    }
}
