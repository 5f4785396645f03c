//! Pure rules of debts (docs/domain.md «Debtors»): how old each part of an account's debt is,
//! what it is for, and the receivables' monthly figures. Everything comes from the ledger the
//! way billing reads it (`ledger_debt`, `settle`): each month's charge is a debt chunk due on the
//! month's due date, payments settle the month they name first, then the oldest. No I/O.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use super::types::{AgeBucket, Buckets, MonthFigures, limitation_ends};

use crate::billing::rules::accrual::{LedgerEntry, ledger_debt};
use crate::billing::rules::{DueRules, settle, split};
use crate::billing::types::{LedgerKind, Money, Period};

pub mod dunning;
pub mod work;

/// What a part of a month's charge was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Part {
    /// A service's charge (its id).
    Service(i64),
    /// What no service explains: corrections, the opening balance.
    Other,
    Penalties,
}

/// What each service charged an account for one month (its posted charge lines, summed).
pub type MonthParts = BTreeMap<Period, Vec<(Part, Money)>>;

/// A month still owed (in part): its charges' unpaid rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwedMonth {
    pub period: Period,
    pub due_on: NaiveDate,
    /// What the month charged (corrections included).
    pub charged: Money,
    /// What of it is still owed.
    pub amount: Money,
}

/// An account's debt on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDebt {
    /// The balance: debt (> 0) or advance (< 0).
    pub balance: Money,
    /// What is owed for services (penalties apart), by age.
    pub buckets: Buckets,
    /// Penalties owed.
    pub penalties: Money,
    /// Money paid ahead that no charge took yet.
    pub advance: Money,
    /// The months owed, oldest first.
    pub months: Vec<OwedMonth>,
}

impl AccountDebt {
    /// Services owed past their due date (penalties apart).
    pub fn overdue(&self) -> Money {
        self.buckets.overdue()
    }

    /// The due date of the oldest month owed, if it is overdue on `today`.
    pub fn oldest_overdue(&self, today: NaiveDate) -> Option<NaiveDate> {
        self.months
            .first()
            .map(|m| m.due_on)
            .filter(|due| AgeBucket::of(*due, today).is_overdue())
    }
}

/// An account's debt on `today` from its ledger entries (those that happened by then count).
/// Payments settle the charges as the penalty engine has them settle (`settle`, penalties
/// apart); what they leave pays the penalties, and the rest is an advance.
pub fn account_debt(
    entries: &[LedgerEntry],
    due_rules: &DueRules,
    today: NaiveDate,
) -> AccountDebt {
    let known = entries.iter().filter(|e| e.occurred_on <= today);
    let (charges, penalties): (Vec<LedgerEntry>, Vec<LedgerEntry>) =
        known.cloned().partition(|e| e.kind != LedgerKind::Penalty);
    let (chunks, paid) = ledger_debt(&charges, None, due_rules);
    let settlement = settle(&chunks, &paid);
    let penalties_charged: Money = penalties.iter().map(|e| Money(e.amount)).sum();
    let penalties_paid = settlement.unapplied.min(penalties_charged).max(Money::ZERO);
    let mut debt = AccountDebt {
        balance: charges.iter().map(|e| Money(e.amount)).sum::<Money>() + penalties_charged,
        penalties: penalties_charged - penalties_paid,
        advance: settlement.unapplied - penalties_paid,
        ..AccountDebt::default()
    };
    for settled in settlement.chunks {
        let owed: i64 = settled
            .pieces
            .iter()
            .filter(|(_, paid_on)| paid_on.is_none())
            .map(|(amount, _)| amount)
            .sum();
        if owed != 0 {
            let chunk = settled.chunk;
            debt.buckets
                .add(AgeBucket::of(chunk.due_on, today), Money(owed));
            debt.months.push(OwedMonth {
                period: chunk.period,
                due_on: chunk.due_on,
                charged: chunk.amount,
                amount: Money(owed),
            });
        }
    }
    debt
}

/// What one owed month is for: its unpaid rest split over its services in proportion to what
/// each charged (as a partial payment is spread, ПП 354 п. 118); what no service explains
/// (corrections, the opening balance) is `Part::Other`.
pub fn owed_month_parts(owed: &OwedMonth, parts: &MonthParts) -> Vec<(Part, Money)> {
    let mut month: Vec<(Part, Money)> = parts.get(&owed.period).cloned().unwrap_or_default();
    let explained: Money = month.iter().map(|(_, amount)| *amount).sum();
    if owed.charged != explained {
        month.push((Part::Other, owed.charged - explained));
    }
    let weights: Vec<Decimal> = month
        .iter()
        .map(|(_, amount)| Decimal::from(amount.0))
        .collect();
    month
        .iter()
        .zip(split(owed.amount, &weights))
        .filter(|(_, share)| share.0 != 0)
        .map(|((part, _), share)| (*part, share))
        .collect()
}

/// What all the months owed are for, by part (`owed_month_parts` summed).
pub fn owed_by_part(months: &[OwedMonth], parts: &MonthParts) -> BTreeMap<Part, Money> {
    let mut by_part = BTreeMap::new();
    for (part, share) in months.iter().flat_map(|owed| owed_month_parts(owed, parts)) {
        *by_part.entry(part).or_default() += share;
    }
    by_part
}

/// A posted charge line's part: its service, or what no service explains.
pub fn part_of(service: Option<i64>) -> Part {
    service.map_or(Part::Other, Part::Service)
}

/// The days the history is taken on: the last day of each of the `months` months up to today's,
/// and today for the current one.
pub fn history_days(today: NaiveDate, months: i32) -> Vec<(Period, NaiveDate)> {
    let now = Period::of(today);
    (0..months)
        .rev()
        .map(|back| {
            let period = now.plus(-back);
            let last = period.plus(1).first_day().pred_opt().unwrap_or(today);
            (period, last.min(today))
        })
        .collect()
}

/// What the ledger entries add to one month of the history: the bill payable in it (the
/// previous period's charges) and the money received in it.
pub fn add_turnover(month: &mut MonthFigures, entries: &[LedgerEntry]) {
    let previous = month.period.plus(-1).to_string();
    for e in entries {
        match e.kind {
            LedgerKind::Payment if Period::of(e.occurred_on) == month.period => {
                month.paid += Money(-e.amount)
            }
            LedgerKind::Charge if e.period == previous => month.charged += Money(e.amount),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::types::LedgerKind::{Charge, Correction, Payment, Penalty};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn period(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    /// The dated table of docs/domain.md: the 10th until February 2026, the 15th from March.
    fn rules() -> DueRules {
        DueRules {
            days: vec![(period("2000-01"), 10), (period("2026-03"), 15)],
            ..DueRules::default()
        }
    }

    fn entry(kind: LedgerKind, period: &str, amount: i64, on: &str) -> LedgerEntry {
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
    fn buckets_at_their_edges() {
        let due = day("2026-04-15");
        let cases = [
            ("2026-04-15", AgeBucket::NotDue),
            ("2026-04-16", AgeBucket::Days1To30),
            ("2026-05-15", AgeBucket::Days1To30),
            ("2026-05-16", AgeBucket::Days31To90),
            ("2026-07-14", AgeBucket::Days31To90),
            ("2026-07-15", AgeBucket::Days91To180),
            ("2026-10-12", AgeBucket::Days91To180),
            ("2026-10-13", AgeBucket::Days181To365),
            ("2027-04-15", AgeBucket::Days181To365),
            ("2027-04-16", AgeBucket::OverYear),
            ("2029-04-15", AgeBucket::OverYear),
            ("2029-04-16", AgeBucket::OverThreeYears),
        ];
        for (today, bucket) in cases {
            assert_eq!(AgeBucket::of(due, day(today)), bucket, "{today}");
        }
        assert_eq!(limitation_ends(day("2024-02-29")), day("2027-02-28"));
    }

    #[test]
    fn the_due_date_follows_the_dated_table() {
        // February 2026 is still due on the 10th of March, March on the 15th of April
        let entries = [
            entry(Charge, "2026-02", 100_000, "2026-02-28"),
            entry(Charge, "2026-03", 200_000, "2026-03-31"),
        ];
        let debt = account_debt(&entries, &rules(), day("2026-03-11"));
        assert_eq!(debt.buckets.get(AgeBucket::Days1To30), Money(100_000));
        let debt = account_debt(&entries, &rules(), day("2026-04-15"));
        assert_eq!(debt.buckets.get(AgeBucket::NotDue), Money(200_000));
        assert_eq!(debt.buckets.get(AgeBucket::Days31To90), Money(100_000));
        assert_eq!(
            debt.oldest_overdue(day("2026-04-15")),
            Some(day("2026-03-10"))
        );
        assert_eq!(debt.months[1].due_on, day("2026-04-15"));
    }

    #[test]
    fn payments_settle_the_oldest_month_and_the_rest_splits_by_service() {
        let june = vec![
            (Part::Service(1), Money(300_000)),
            (Part::Service(2), Money(100_000)),
        ];
        let parts =
            MonthParts::from([(period("2026-05"), june.clone()), (period("2026-06"), june)]);
        let entries = [
            entry(Charge, "2026-05", 400_000, "2026-05-31"),
            entry(Charge, "2026-06", 400_000, "2026-06-30"),
            entry(Penalty, "2026-06", 2000, "2026-06-30"),
            // pays May whole and half of June; the penalties wait until the charges are paid
            entry(Payment, "2026-07", -600_000, "2026-07-20"),
        ];
        let debt = account_debt(&entries, &rules(), day("2026-08-01"));
        assert_eq!(debt.balance, Money(202_000));
        assert_eq!(debt.buckets.get(AgeBucket::Days1To30), Money(200_000));
        assert_eq!(debt.penalties, Money(2000));
        assert_eq!(
            debt.oldest_overdue(day("2026-08-01")),
            Some(day("2026-07-15"))
        );
        let by_part = owed_by_part(&debt.months, &parts);
        assert_eq!(by_part[&Part::Service(1)], Money(150_000));
        assert_eq!(by_part[&Part::Service(2)], Money(50_000));
        assert!(!by_part.contains_key(&Part::Other));
        // payments naming June pay June first, then the oldest; the rest pays the penalties
        let named = [
            entry(Charge, "2026-05", 400_000, "2026-05-31"),
            entry(Charge, "2026-06", 400_000, "2026-06-30"),
            entry(Penalty, "2026-06", 2000, "2026-06-30"),
            entry(Payment, "2026-06", -400_000, "2026-07-20"),
            entry(Payment, "2026-06", -401_000, "2026-07-25"),
        ];
        let debt = account_debt(&named, &rules(), day("2026-08-01"));
        assert_eq!(debt.buckets.total(), Money::ZERO);
        assert_eq!((debt.penalties, debt.advance), (Money(1000), Money::ZERO));
    }

    #[test]
    fn an_overpayment_is_an_advance_and_later_entries_do_not_count_yet() {
        let entries = [
            entry(Charge, "2026-05", 100_000, "2026-05-31"),
            entry(Payment, "2026-06", -150_000, "2026-06-05"),
            entry(Charge, "2026-06", 100_000, "2026-06-30"),
            entry(Correction, "2026-06", 10_000, "2026-06-30"),
        ];
        let debt = account_debt(&entries, &rules(), day("2026-06-10"));
        assert_eq!(debt.advance, Money(50_000));
        assert_eq!(debt.balance, Money(-50_000));
        assert_eq!(debt.overdue(), Money::ZERO);
        let debt = account_debt(&entries, &rules(), day("2026-07-01"));
        assert_eq!(debt.balance, Money(60_000));
        assert_eq!(debt.buckets.get(AgeBucket::NotDue), Money(60_000));
        // June charged 1 000 for water and 100 of a correction: its 600 owed split 10 : 1
        let parts =
            MonthParts::from([(period("2026-06"), vec![(Part::Service(7), Money(100_000))])]);
        let by_part = owed_by_part(&debt.months, &parts);
        assert_eq!(by_part[&Part::Service(7)], Money(54_545));
        assert_eq!(by_part[&Part::Other], Money(5455));
    }

    #[test]
    fn the_history_takes_month_ends_and_today() {
        let days = history_days(day("2026-12-07"), 3);
        assert_eq!(
            days,
            vec![
                (period("2026-10"), day("2026-10-31")),
                (period("2026-11"), day("2026-11-30")),
                (period("2026-12"), day("2026-12-07")),
            ]
        );
        let mut month = MonthFigures::new(period("2026-11"));
        add_turnover(
            &mut month,
            &[
                entry(Charge, "2026-10", 200_000, "2026-10-31"),
                entry(Charge, "2026-11", 200_000, "2026-11-30"),
                entry(Payment, "2026-11", -150_000, "2026-11-12"),
                entry(Payment, "2026-10", -10_000, "2026-10-12"),
            ],
        );
        assert_eq!(
            (month.charged, month.paid),
            (Money(200_000), Money(150_000))
        );
        assert_eq!(month.collection_percent(), Some(75));
    }

    /// Whatever the ledger (400 random histories: charges, penalties, payments naming a month
    /// or not, any day), the buckets and penalties owed less the advance are the balance, the
    /// parts owed are what the buckets hold, and nothing is negative.
    #[test]
    fn the_parts_sum_to_the_balance() {
        let mut rng = crate::test_rng::Lcg(23);
        let start = day("2024-01-01");
        let first = Period::of(start);
        for _ in 0..400 {
            let mut entries = Vec::new();
            let mut parts = MonthParts::new();
            for i in 0..1 + rng.next(30) as i32 {
                let p = first.plus(i);
                let on = p.plus(1).first_day().pred_opt().unwrap().to_string();
                let (water, heat) = (rng.next(500_000) as i64, rng.next(500_000) as i64);
                entries.push(entry(Charge, &p.to_string(), water + heat, &on));
                entries.push(entry(Penalty, &p.to_string(), rng.next(3000) as i64, &on));
                if rng.next(5) == 0 {
                    entries.push(entry(
                        Correction,
                        &p.to_string(),
                        rng.next(20_000) as i64 - 10_000,
                        &on,
                    ));
                }
                // the lines explain a kopeck less than the heat charged: the rest is Other
                let lines = vec![
                    (Part::Service(1), Money(water)),
                    (Part::Service(2), Money((heat - 1).max(0))),
                ];
                parts.insert(p, lines);
            }
            for _ in 0..rng.next(30) {
                let on = start + chrono::Days::new(rng.next(1000));
                let named = if rng.next(3) == 0 {
                    first.plus(rng.next(30) as i32)
                } else {
                    Period::of(on)
                };
                let amount = 1 + rng.next(2_000_000) as i64;
                entries.push(entry(Payment, &named.to_string(), -amount, &on.to_string()));
            }
            let today = start + chrono::Days::new(rng.next(1300));
            let debt = account_debt(&entries, &rules(), today);
            let buckets = debt.buckets.total();
            assert_eq!(buckets + debt.penalties - debt.advance, debt.balance);
            let parts_owed: Money = owed_by_part(&debt.months, &parts).values().copied().sum();
            assert_eq!(parts_owed, buckets);
            assert!(debt.buckets.0.iter().all(|b| b.0 >= 0));
            assert!(debt.penalties.0 >= 0 && debt.advance.0 >= 0);
        }
    }
}
