//! Billing's pure rules: pricing a quantity, splitting money without losing a kopeck, due
//! dates, penalties (docs/domain.md «Penalties») and the payment QR payload (docs/domain.md «The bill»). No I/O.

use std::borrow::Cow;

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::{Decimal, RoundingStrategy};

use super::types::{Money, Period};
use crate::readings::rules::push_value;

#[cfg(feature = "ssr")]
pub mod accrual;

/// Roubles to kopecks, half up (docs/ARCHITECTURE.md, «Billing»: rounding at documented points only — a line's
/// amount, a penalty chunk's total).
pub fn to_kopecks(rubles: Decimal) -> Money {
    let kopecks = (rubles * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    // a sum beyond ±9·10¹⁶ kopecks cannot come from a housing bill
    Money(i64::try_from(kopecks).unwrap_or(i64::MAX))
}

/// `32,15` — a rate in roubles, without trailing zeros beyond kopecks.
pub fn format_rate(rate: Decimal) -> String {
    let r = rate.normalize();
    let text = if r.scale() < 2 {
        format!("{:.2}", r)
    } else {
        r.to_string()
    };
    text.replace('.', ",")
}

/// A tariff's price of one zone with its text for formulas (`32,15`), written once per run.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    pub value: Decimal,
    pub text: String,
}

impl Rate {
    pub fn new(value: Decimal) -> Self {
        Rate {
            text: format_rate(value),
            value,
        }
    }
}

/// A quantity to be priced: one value per tariff zone, and where it came from (its texts
/// borrowed from the volumes where they can be).
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity<'a> {
    pub zones: Cow<'a, [Decimal]>,
    pub unit: &'static str,
    /// `по показаниям`, `по среднему`, `по нормативу`, `площадь`, …
    pub source: &'static str,
    /// Where the quantity came from, for the bill.
    pub explanation: Cow<'a, str>,
}

impl Quantity<'_> {
    pub fn total(&self) -> Decimal {
        self.zones.iter().sum()
    }
}

/// Why a quantity could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("нет тарифа для зоны {0}")]
    NoTariff(usize),
}

/// Prices a quantity: Σ zone × rate of that zone, rounded once to kopecks. Returns the amount
/// and appends the formula to `formula` (`54,300 м² × 32,15 ₽ = 1 745,75 ₽`).
pub fn price(q: &Quantity, rates: &[Rate], formula: &mut String) -> Result<Money, PricingError> {
    if let Some(missing) = (rates.len() < q.zones.len()).then_some(rates.len() + 1) {
        return Err(PricingError::NoTariff(missing));
    }
    let exact: Decimal = q.zones.iter().zip(rates).map(|(v, r)| v * r.value).sum();
    let amount = to_kopecks(exact);
    for (i, (v, rate)) in q.zones.iter().zip(rates).enumerate() {
        if i > 0 {
            formula.push_str(" + ");
        }
        if q.zones.len() > 1 {
            formula.push_str(crate::readings::rules::zone_label(
                q.zones.len() as u8,
                i + 1,
            ));
            formula.push(' ');
        }
        push_value(formula, *v);
        formula.push(' ');
        formula.push_str(q.unit);
        formula.push_str(" × ");
        formula.push_str(&rate.text);
        formula.push_str(" ₽");
    }
    formula.push_str(" = ");
    amount.push_label(formula);
    Ok(amount)
}

/// Splits `total` in proportion to `weights` so the parts sum to `total` exactly (largest
/// remainder: the kopecks lost to rounding down go to the largest fractions, ties to the first).
/// All weights zero: everything to nobody — returns zeros only when `total` is zero, otherwise
/// equal parts.
pub fn split(total: Money, weights: &[Decimal]) -> Vec<Money> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: Decimal = weights.iter().filter(|w| w.is_sign_positive()).sum();
    let weights: Vec<Decimal> = if sum.is_zero() {
        vec![Decimal::ONE; weights.len()]
    } else {
        weights.iter().map(|w| (*w).max(Decimal::ZERO)).collect()
    };
    let sum: Decimal = weights.iter().sum();
    let t = Decimal::from(total.0);
    let mut parts: Vec<(usize, i64, Decimal)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let exact = t * w / sum;
            let floor = exact.floor();
            (i, i64::try_from(floor).unwrap_or(0), exact - floor)
        })
        .collect();
    let mut left = total.0 - parts.iter().map(|p| p.1).sum::<i64>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| parts[b].2.cmp(&parts[a].2).then(a.cmp(&b)));
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        parts[i].1 += left.signum();
        left -= left.signum();
    }
    parts.into_iter().map(|p| Money(p.1)).collect()
}

/// Which days are working days: Monday to Friday, except the dated exceptions of the
/// production calendar (holidays on weekdays, and weekend days made working by a transfer),
/// kept as a table the accountant edits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    /// Day → working (a transferred working Saturday) or not (a holiday, a transferred day off).
    pub exceptions: BTreeMap<NaiveDate, bool>,
}

impl WorkCalendar {
    pub fn is_working(&self, day: NaiveDate) -> bool {
        self.exceptions
            .get(&day)
            .copied()
            .unwrap_or_else(|| !matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The day itself when it is a working day, else the next working day (ГК РФ ст. 193: a
    /// deadline that falls on a day off moves to the next working day).
    pub fn on_or_after(&self, day: NaiveDate) -> NaiveDate {
        let mut d = day;
        // a year has no run of 30 days off; the bound only guards a broken table
        for _ in 0..30 {
            if self.is_working(d) {
                return d;
            }
            d = d + Days::new(1);
        }
        day
    }
}

/// When a period's bill is due: the day of the next month from the dated table (`(from
/// period, day)`, any order; docs/domain.md «Due dates»), moved to the next working day when it is a day off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueRules {
    pub days: Vec<(Period, u32)>,
    pub calendar: WorkCalendar,
}

impl DueRules {
    /// The day of the next month the table sets for a period (before any move).
    pub fn nominal(&self, period: Period) -> NaiveDate {
        let day = self
            .days
            .iter()
            .filter(|(from, _)| *from <= period)
            .max_by_key(|(from, _)| *from)
            .map(|(_, d)| *d)
            .unwrap_or(10);
        period.plus(1).day(day)
    }

    /// The last day to pay a period's bill without being late.
    pub fn due_date(&self, period: Period) -> NaiveDate {
        self.calendar.on_or_after(self.nominal(period))
    }
}

/// A penalty rule for a span of days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PenaltyRule {
    /// The rate is at most this (percent).
    Cap(Decimal),
    /// No penalty accrues — on every debt, or only on debts due before a date (ПП РФ № 497
    /// stops penalties only on debts that arose before 1 April 2022).
    Moratorium { debts_due_before: Option<NaiveDate> },
}

/// The dated tables the penalty needs: key rates and caps/moratoria.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateTable {
    /// (from, percent), sorted by date.
    pub key_rates: Vec<(NaiveDate, Decimal)>,
    /// (from, to inclusive, rule).
    pub rules: Vec<(NaiveDate, NaiveDate, PenaltyRule)>,
}

/// The terms of one penalty day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayTerms {
    /// A moratorium: nothing accrues (the day still counts toward days 30 and 90).
    Moratorium,
    /// `rate` percent (the key rate `key`, capped where a cap is in force) × 1/`share`.
    Rate {
        share: u32,
        rate: Decimal,
        key: Decimal,
    },
}

impl RateTable {
    /// The key rate in force on `date` (percent).
    pub fn key_rate(&self, date: NaiveDate) -> Decimal {
        self.key_rates
            .iter()
            .rev()
            .find(|(from, _)| *from <= date)
            .map(|(_, r)| *r)
            .unwrap_or(Decimal::ZERO)
    }

    /// The rate (percent) for a penalty day `day` of a debt due on `due_on`, settled (or
    /// valued) on `rate_date`: the key rate then, capped by the rule in force on `day`; None in
    /// a moratorium that covers this debt.
    pub fn rate(&self, day: NaiveDate, rate_date: NaiveDate, due_on: NaiveDate) -> Option<Decimal> {
        let mut rate = self.key_rate(rate_date);
        for (from, to, rule) in &self.rules {
            if *from <= day && day <= *to {
                match rule {
                    PenaltyRule::Moratorium { debts_due_before } => {
                        if debts_due_before.is_none_or(|before| due_on < before) {
                            return None;
                        }
                    }
                    PenaltyRule::Cap(cap) => rate = rate.min(*cap),
                }
            }
        }
        Some(rate)
    }

    fn terms(&self, day: NaiveDate, rate_date: NaiveDate, due_on: NaiveDate) -> DayTerms {
        match self.rate(day, rate_date, due_on) {
            None => DayTerms::Moratorium,
            Some(rate) => DayTerms::Rate {
                share: if (day - due_on).num_days() <= 90 {
                    300
                } else {
                    130
                },
                rate,
                key: self.key_rate(rate_date),
            },
        }
    }
}

/// What a period charged an account, due on `due_on` (a debt chunk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebtChunk {
    pub period: Period,
    pub due_on: NaiveDate,
    pub amount: Money,
}

/// Money received on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paid {
    pub on: NaiveDate,
    pub amount: Money,
    /// The period the payer named (docs/domain.md «Bank payments»): that debt is settled first, the rest
    /// oldest first.
    pub pays: Option<Period>,
}

/// The penalty of one debt chunk over the calculated days, with what it was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PenaltyLine {
    pub period: Period,
    pub due_on: NaiveDate,
    /// The chunk's debt at the end of the calculated days (or when paid off in them).
    pub debt: Money,
    pub days_300: i64,
    pub days_130: i64,
    /// The rate used (percent); the last one when it changed within the days.
    pub rate: Decimal,
    pub amount: Money,
    pub explanation: String,
}

/// Days in a row with the same terms: (first day, last day, how many, terms).
type Segment = (NaiveDate, NaiveDate, i64, DayTerms);

fn short_date(day: NaiveDate) -> String {
    day.format("%d.%m.%Y").to_string()
}

/// `16.10–31.10.2026` (the year once when both days share it).
fn day_span(first: NaiveDate, last: NaiveDate) -> String {
    if first == last {
        short_date(first)
    } else if first.year() == last.year() {
        format!("{}–{}", first.format("%d.%m"), short_date(last))
    } else {
        format!("{}–{}", short_date(first), short_date(last))
    }
}

/// A debt chunk's parts as the payments settled them: (kopecks, the day they were paid; `None`
/// for what is still owed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub chunk: DebtChunk,
    pub pieces: Vec<(i64, Option<NaiveDate>)>,
}

/// The chunks, oldest first, as the payments settled them, and the money no chunk took (an
/// advance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub chunks: Vec<Settled>,
    pub unapplied: Money,
}

/// How payments settle debt chunks (docs/domain.md «Payment allocation»): each payment pays the
/// period it names first, then the oldest chunks; a credit chunk (negative) acts like a payment
/// made on its period's first day; a refund (a negative payment) cancels the latest payments
/// before it, as if the money had never come.
pub fn settle(chunks: &[DebtChunk], payments: &[Paid]) -> Settlement {
    let mut chunks: Vec<DebtChunk> = chunks.iter().copied().filter(|c| c.amount.0 != 0).collect();
    chunks.sort_by_key(|c| c.period);
    let mut payments: Vec<Paid> = payments.to_vec();
    // a credit chunk (negative) acts like a payment made on its due date's month start
    for c in chunks.iter().filter(|c| c.amount.0 < 0) {
        payments.push(Paid {
            on: c.period.first_day(),
            amount: -c.amount,
            pays: None,
        });
    }
    chunks.retain(|c| c.amount.0 > 0);
    payments.sort_by_key(|p| p.on);
    // a refund (a payment given back: negative) cancels the latest payments before it, as if
    // the money had never come
    let mut i = 0;
    while i < payments.len() {
        if payments[i].amount.0 < 0 {
            let mut back = -payments[i].amount.0;
            for earlier in payments[..i].iter_mut().rev() {
                let take = earlier.amount.0.clamp(0, back);
                earlier.amount.0 -= take;
                back -= take;
            }
            payments[i].amount.0 = 0;
        }
        i += 1;
    }
    let mut left: Vec<i64> = chunks.iter().map(|c| c.amount.0).collect();
    let mut pieces: Vec<Vec<(i64, Option<NaiveDate>)>> = vec![Vec::new(); chunks.len()];
    let mut unapplied = 0;
    for p in &payments {
        let mut money = p.amount.0;
        let named = p
            .pays
            .and_then(|period| chunks.iter().position(|c| c.period == period));
        for i in named.into_iter().chain(0..chunks.len()) {
            if money == 0 {
                break;
            }
            let take = left[i].min(money);
            if take > 0 {
                pieces[i].push((take, Some(p.on)));
                left[i] -= take;
                money -= take;
            }
        }
        unapplied += money;
    }
    for (i, l) in left.iter().enumerate() {
        if *l > 0 {
            pieces[i].push((*l, None));
        }
    }
    Settlement {
        chunks: chunks
            .into_iter()
            .zip(pieces)
            .map(|(chunk, pieces)| Settled { chunk, pieces })
            .collect(),
        unapplied: Money(unapplied),
    }
}

/// Penalties (пени, ЖК РФ ст. 155 ч. 14) accrued on days `from..=to` on each chunk, valued on
/// `calc_date`. Payments settle the oldest chunks first from the day after they are made (the
/// day of payment still counts); a settled part takes the key rate of its payment date, the
/// unpaid rest the rate of `calc_date`. Days 1–30 after the due date cost nothing, 31–90 1/300
/// of the rate, from 91 1/130; moratorium days cost nothing (they still count toward 30 and
/// 90). Each chunk's total is rounded half up to kopecks; no penalty on penalties (the chunks
/// are charges only). The explanation names the days, the parts paid and when, the free
/// first 30 days and, where a cap applied, the key rate it capped.
pub fn penalties(
    chunks: &[DebtChunk],
    payments: &[Paid],
    from: NaiveDate,
    to: NaiveDate,
    calc_date: NaiveDate,
    table: &RateTable,
) -> Vec<PenaltyLine> {
    let mut out = Vec::new();
    for Settled { chunk, pieces } in settle(chunks, payments).chunks {
        let mut exact = Decimal::ZERO;
        let (mut d300, mut d130) = (0i64, 0i64);
        let mut last_rate = Decimal::ZERO;
        let mut parts = Vec::new();
        let mut debt_at_end = 0i64;
        for (amount, settled) in &pieces {
            let rate_date = settled.unwrap_or(calc_date);
            let last_day = settled.map_or(to, |s| s.min(to));
            if settled.is_none_or(|s| s >= to) {
                debt_at_end += amount;
            }
            let (mut p300, mut p130, mut piece) = (0i64, 0i64, Decimal::ZERO);
            let mut segments: Vec<Segment> = Vec::new();
            let mut day = from.max(chunk.due_on + Days::new(31));
            while day <= last_day {
                let terms = table.terms(day, rate_date, chunk.due_on);
                if let DayTerms::Rate { share, rate, .. } = terms {
                    last_rate = rate;
                    let base =
                        Decimal::from(*amount) / Decimal::ONE_HUNDRED * rate / Decimal::ONE_HUNDRED;
                    piece += base / Decimal::from(share);
                    if share == 300 {
                        p300 += 1;
                    } else {
                        p130 += 1;
                    }
                }
                match segments.last_mut() {
                    Some((_, last, n, t)) if *t == terms => {
                        *last = day;
                        *n += 1;
                    }
                    _ => segments.push((day, day, 1, terms)),
                }
                day = day + Days::new(1);
            }
            if p300 + p130 > 0 {
                parts.push(explain_piece(
                    Money(*amount),
                    *settled,
                    rate_date,
                    &segments,
                ));
            }
            d300 = d300.max(p300);
            d130 = d130.max(p130);
            exact += piece;
        }
        let amount = to_kopecks(exact);
        if amount.0 == 0 {
            continue;
        }
        let free_from = chunk.due_on + Days::new(1);
        let free_to = chunk.due_on + Days::new(30);
        out.push(PenaltyLine {
            period: chunk.period,
            due_on: chunk.due_on,
            debt: Money(debt_at_end),
            days_300: d300,
            days_130: d130,
            rate: last_rate,
            amount,
            explanation: format!(
                "Долг за {} — {} (начисления без пени: на пени пени не начисляются), \
                 срок оплаты {}; первые 30 дней просрочки, {}, — без пени.\n{}\nИтого {}",
                chunk.period.label(),
                chunk.amount.label(),
                short_date(chunk.due_on),
                day_span(free_from, free_to),
                parts.join("\n"),
                amount.label()
            ),
        });
    }
    out
}

/// One part of a debt: how much, paid when (or not), and its days with their terms.
fn explain_piece(
    amount: Money,
    settled: Option<NaiveDate>,
    rate_date: NaiveDate,
    segments: &[Segment],
) -> String {
    let whose = match settled {
        Some(on) => format!("{} оплачено {}", amount.label(), short_date(on)),
        None => format!("{} не оплачено", amount.label()),
    };
    let mut capped: Option<Decimal> = None;
    let days: Vec<String> = segments
        .iter()
        .map(|(first, last, n, terms)| match terms {
            DayTerms::Moratorium => {
                format!("{}: {n} дн. — мораторий, без пени", day_span(*first, *last))
            }
            DayTerms::Rate { share, rate, key } => {
                if rate < key {
                    capped = Some(*key);
                }
                format!(
                    "{}: {} × {n} дн. × 1/{share} × {} %",
                    day_span(*first, *last),
                    amount.label(),
                    format_rate_percent(*rate)
                )
            }
        })
        .collect();
    let rate_note = match (settled, capped) {
        (_, None) => String::new(),
        (Some(_), Some(key)) => format!(
            " (ставка ограничена; ключевая ставка на день оплаты — {} %)",
            format_rate_percent(key)
        ),
        (None, Some(key)) => format!(
            " (ставка ограничена; ключевая ставка на {} — {} %)",
            short_date(rate_date),
            format_rate_percent(key)
        ),
    };
    format!("• {whose}: {}{rate_note}", days.join(" + "))
}

/// `9,5` — a percent rate.
pub fn format_rate_percent(rate: Decimal) -> String {
    rate.normalize().to_string().replace('.', ",")
}

/// The payee's details printed on the bill and put in its QR.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Payee {
    pub name: String,
    pub inn: String,
    pub kpp: String,
    /// Расчётный счёт, 20 digits.
    pub account: String,
    pub bank_name: String,
    pub bic: String,
    /// Корреспондентский счёт, 20 digits.
    pub corr_account: String,
}

/// Checks the payee's details as the QR standard needs them.
pub fn check_payee(p: &Payee) -> Result<(), String> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if p.name.trim().is_empty() || p.bank_name.trim().is_empty() {
        return Err("Укажите название получателя и банка.".into());
    }
    if !digits(&p.account, 20) || !digits(&p.corr_account, 20) {
        return Err("Расчётный и корреспондентский счёт — по 20 цифр.".into());
    }
    if !digits(&p.bic, 9) {
        return Err("БИК — 9 цифр.".into());
    }
    if !(digits(&p.inn, 10) || digits(&p.inn, 12)) {
        return Err("ИНН — 10 или 12 цифр.".into());
    }
    Ok(())
}

/// What a bill's QR says about the payer and the sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPayment<'a> {
    pub account_number: &'a str,
    pub period: Period,
    /// The total to pay, penalties included.
    pub sum: Money,
    pub penalties: Money,
    pub payer: &'a str,
    pub address: &'a str,
    pub flat: &'a str,
}

/// The ГОСТ Р 56042-2014 payload (UTF-8, `ST00012`): the required fields in order, then the
/// optional ones; `|` in a value would break the format and is replaced by a space.
pub fn qr_payload(payee: &Payee, pay: &QrPayment<'_>) -> String {
    let clean = |s: &str| {
        s.replace('|', " ")
            .replace(['\r', '\n'], " ")
            .trim()
            .to_string()
    };
    let mut names = pay.payer.split_whitespace();
    let (last, first, middle) = (names.next(), names.next(), names.next());
    let mut fields: Vec<(&str, String)> = vec![
        ("Name", clean(&payee.name)),
        ("PersonalAcc", clean(&payee.account)),
        ("BankName", clean(&payee.bank_name)),
        ("BIC", clean(&payee.bic)),
        ("CorrespAcc", clean(&payee.corr_account)),
        ("Sum", pay.sum.0.max(0).to_string()),
        (
            "Purpose",
            clean(&format!(
                "Оплата ЖКУ за {}, л/с {}",
                pay.period.label(),
                pay.account_number
            )),
        ),
        ("PayeeINN", clean(&payee.inn)),
        ("KPP", clean(&payee.kpp)),
        ("PersAcc", clean(pay.account_number)),
        ("PayerAddress", clean(pay.address)),
    ];
    for (key, value) in [
        ("LastName", last),
        ("FirstName", first),
        ("MiddleName", middle),
    ] {
        if let Some(v) = value {
            fields.push((key, clean(v)));
        }
    }
    fields.push((
        "PaymPeriod",
        format!("{:02}{:04}", pay.period.month, pay.period.year),
    ));
    fields.push(("Flat", clean(pay.flat)));
    if pay.penalties.0 > 0 {
        fields.push(("AddAmount", pay.penalties.0.to_string()));
    }
    fields.push(("TechCode", "02".into()));
    let mut out = String::from("ST00012");
    for (k, v) in fields.into_iter().filter(|(_, v)| !v.is_empty()) {
        out.push('|');
        out.push_str(k);
        out.push('=');
        out.push_str(&v);
    }
    out
}

/// What a bill notice names as its cause (`bill:<account>:<period>`): the e-mail channel
/// attaches that bill's PDF when it sends.
pub fn bill_source(account_id: i64, period: Period) -> String {
    format!("bill:{account_id}:{period}")
}

/// The account and period of a bill notice's source.
pub fn parse_bill_source(source: &str) -> Option<(i64, Period)> {
    let (account, period) = source.strip_prefix("bill:")?.split_once(':')?;
    Some((account.parse().ok()?, Period::parse(period)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Lcg;

    #[test]
    fn a_bill_source_names_its_account_and_period() {
        let p = Period::parse("2026-10").unwrap();
        assert_eq!(parse_bill_source(&bill_source(42, p)), Some((42, p)));
        assert_eq!(parse_bill_source("announcement:3"), None);
        assert_eq!(parse_bill_source("bill:x:2026-10"), None);
    }
    use std::str::FromStr;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn p(y: i32, m: u32) -> Period {
        Period { year: y, month: m }
    }
    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    /// The rule tables as the migration seeds them (the part the tests touch).
    fn table() -> RateTable {
        RateTable {
            key_rates: vec![
                (d(2021, 12, 20), dec("8.5")),
                (d(2022, 2, 14), dec("9.5")),
                (d(2022, 2, 28), dec("20")),
                (d(2022, 4, 11), dec("17")),
                (d(2025, 12, 22), dec("16")),
            ],
            rules: vec![
                (
                    d(2020, 4, 6),
                    d(2020, 12, 31),
                    PenaltyRule::Moratorium {
                        debts_due_before: None,
                    },
                ),
                (
                    d(2022, 4, 1),
                    d(2022, 10, 1),
                    PenaltyRule::Moratorium {
                        debts_due_before: Some(d(2022, 4, 1)),
                    },
                ),
                (
                    d(2022, 2, 28),
                    d(2024, 12, 31),
                    PenaltyRule::Cap(dec("9.5")),
                ),
                (d(2025, 1, 1), d(2026, 12, 31), PenaltyRule::Cap(dec("9.5"))),
            ],
        }
    }
    /// The due days as the migration seeds them, and the 2026 production calendar's days off
    /// on weekdays (ПП РФ от 24.09.2025 № 1466).
    fn due_rules() -> DueRules {
        let holidays = [
            (1, 1),
            (1, 2),
            (1, 5),
            (1, 6),
            (1, 7),
            (1, 8),
            (1, 9),
            (2, 23),
            (3, 9),
            (5, 1),
            (5, 11),
            (6, 12),
            (11, 4),
            (12, 31),
        ];
        DueRules {
            days: vec![(p(2000, 1), 10), (p(2026, 3), 15)],
            calendar: WorkCalendar {
                exceptions: holidays
                    .iter()
                    .map(|&(m, day)| (d(2026, m, day), false))
                    .collect(),
            },
        }
    }
    fn chunk(period: Period, rub: i64) -> DebtChunk {
        DebtChunk {
            period,
            due_on: due_rules().due_date(period),
            amount: Money(rub * 100),
        }
    }
    fn month(
        period: Period,
        table: &RateTable,
        chunks: &[DebtChunk],
        paid: &[Paid],
    ) -> Vec<PenaltyLine> {
        let to = period.day(31);
        penalties(chunks, paid, period.first_day(), to, to, table)
    }

    #[test]
    fn due_day_moves_from_the_10th_to_the_15th_with_march_2026() {
        let rules = due_rules();
        assert_eq!(rules.due_date(p(2026, 1)), d(2026, 2, 10));
        assert_eq!(rules.due_date(p(2026, 2)), d(2026, 3, 10));
        assert_eq!(rules.due_date(p(2026, 3)), d(2026, 4, 15));
        assert_eq!(rules.due_date(p(2026, 12)), d(2027, 1, 15));
    }

    #[test]
    fn a_due_date_on_a_day_off_moves_to_the_next_working_day() {
        let rules = due_rules();
        // 10.01.2026: a Saturday inside the January holidays (1–11 January)
        assert_eq!(rules.nominal(p(2025, 12)), d(2026, 1, 10));
        assert_eq!(rules.due_date(p(2025, 12)), d(2026, 1, 12));
        // 15.08.2026: a Saturday
        assert_eq!(rules.due_date(p(2026, 7)), d(2026, 8, 17));
        // 15.06.2026: a Monday after the 12–14 June days off: stays
        assert_eq!(rules.due_date(p(2026, 5)), d(2026, 6, 15));
        // a working Saturday (a transfer) is a working day
        let mut calendar = WorkCalendar::default();
        calendar.exceptions.insert(d(2025, 11, 1), true);
        assert!(calendar.is_working(d(2025, 11, 1)));
        assert!(!calendar.is_working(d(2025, 11, 2)));
        assert_eq!(calendar.on_or_after(d(2025, 11, 2)), d(2025, 11, 3));
    }

    #[test]
    fn the_2022_moratorium_covers_only_debts_due_before_1_april_2022() {
        let t = table();
        // November 2021 (due 10.12.2021): no penalty in May 2022
        assert!(month(p(2022, 5), &t, &[chunk(p(2021, 11), 1000)], &[]).is_empty());
        // March 2022 (due 11.04.2022, the 10th a Sunday): day 31 = 12.05; 12–31.05 at 1/300, 9,5 %
        let march = DebtChunk {
            period: p(2022, 3),
            due_on: d(2022, 4, 11),
            amount: Money(100000),
        };
        let lines = month(p(2022, 5), &t, &[march], &[]);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!((lines[0].days_300, lines[0].days_130), (20, 0));
        // 1000 × 20 × 9,5 % / 300 = 6,333… → 6,33 ₽
        assert_eq!(lines[0].amount, Money(633));
    }

    #[test]
    fn a_refunded_payment_counts_as_never_made() {
        let t = table();
        let chunks = [chunk(p(2026, 1), 1000)];
        let paid = Paid {
            on: d(2026, 3, 1),
            amount: Money(100000),
            pays: None,
        };
        let refund = Paid {
            on: d(2026, 3, 20),
            amount: Money(-100000),
            pays: None,
        };
        assert!(month(p(2026, 3), &t, &chunks, &[paid]).is_empty());
        assert_eq!(
            month(p(2026, 3), &t, &chunks, &[paid, refund]),
            month(p(2026, 3), &t, &chunks, &[])
        );
    }

    #[test]
    fn a_penalty_line_explains_its_days_payments_and_capped_rate() {
        let t = table();
        // August 2026 (due 15.09.2026): in November, 400 ₽ paid on 20.11, 600 ₽ unpaid
        let lines = month(
            p(2026, 11),
            &t,
            &[chunk(p(2026, 8), 1000)],
            &[Paid {
                on: d(2026, 11, 20),
                amount: Money(40000),
                pays: None,
            }],
        );
        let text = &lines[0].explanation;
        for part in [
            "Долг за август 2026 — 1\u{a0}000,00\u{a0}₽",
            "на пени пени не начисляются",
            "срок оплаты 15.09.2026",
            "первые 30 дней просрочки, 16.09–15.10.2026, — без пени",
            "• 400,00\u{a0}₽ оплачено 20.11.2026: 01.11–20.11.2026: 400,00\u{a0}₽ × 20 дн. × 1/300 × 9,5 %",
            "(ставка ограничена; ключевая ставка на день оплаты — 16 %)",
            "• 600,00\u{a0}₽ не оплачено: 01.11–30.11.2026: 600,00\u{a0}₽ × 30 дн. × 1/300 × 9,5 %",
            "(ставка ограничена; ключевая ставка на 30.11.2026 — 16 %)",
        ] {
            assert!(text.contains(part), "{part:?} not in {text}");
        }
        // crossing day 90 names both spans: due 15.09 → day 91 = 15.12.2026
        let december = month(p(2026, 12), &t, &[chunk(p(2026, 8), 1000)], &[]);
        let text = &december[0].explanation;
        assert!(text.contains("01.12–14.12.2026: 1\u{a0}000,00\u{a0}₽ × 14 дн. × 1/300 × 9,5 % + 15.12–31.12.2026: 1\u{a0}000,00\u{a0}₽ × 17 дн. × 1/130 × 9,5 %"), "{text}");
        // moratorium days are named as such
        let covered = month(p(2022, 4), &t, &[chunk(p(2021, 11), 1000)], &[]);
        assert!(covered.is_empty());
    }

    /// (case, chunks, payments, period, expected kopecks, days 1/300, days 1/130)
    #[test]
    fn penalty_table() {
        let t = table();
        type Case = (
            &'static str,
            Vec<DebtChunk>,
            Vec<Paid>,
            Period,
            i64,
            i64,
            i64,
        );
        let cases: Vec<Case> = vec![
            (
                "first 30 days cost nothing",
                vec![chunk(p(2026, 1), 1000)],
                vec![],
                p(2026, 2),
                0,
                0,
                0,
            ),
            // due 10.02; day 31 = 13.03; 13–31.03 = 19 days × 1/300 × 9,5 % (capped from 16 %)
            (
                "days 31+ at 1/300, capped",
                vec![chunk(p(2026, 1), 1000)],
                vec![],
                p(2026, 3),
                602,
                19,
                0,
            ),
            // May: 01–11.05 days 80–90 at 1/300, 12–31.05 days 91+ at 1/130
            (
                "crossing day 90",
                vec![chunk(p(2026, 1), 1000)],
                vec![],
                p(2026, 5),
                1810,
                11,
                20,
            ),
            // 400 ₽ paid 20.03 counts through its day; 600 ₽ stays
            (
                "partial payment",
                vec![chunk(p(2026, 1), 1000)],
                vec![Paid {
                    on: d(2026, 3, 20),
                    amount: Money(40000),
                    pays: None,
                }],
                p(2026, 3),
                462,
                19,
                0,
            ),
            // paid in full before day 31: nothing
            (
                "paid in time",
                vec![chunk(p(2026, 1), 1000)],
                vec![Paid {
                    on: d(2026, 3, 1),
                    amount: Money(100000),
                    pays: None,
                }],
                p(2026, 3),
                0,
                0,
                0,
            ),
            // 27 days at the key rate 20 % (no cap before 28.02.2022), 28.02 capped at 9,5 %
            (
                "cap starts 28.02.2022",
                vec![chunk(p(2021, 11), 1000)],
                vec![],
                p(2022, 2),
                1832,
                28,
                0,
            ),
            (
                "moratorium 2022",
                vec![chunk(p(2021, 11), 1000)],
                vec![],
                p(2022, 5),
                0,
                0,
                0,
            ),
            (
                "moratorium 2020",
                vec![chunk(p(2020, 1), 1000)],
                vec![],
                p(2020, 6),
                0,
                0,
                0,
            ),
        ];
        for (name, chunks, paid, period, kopecks, d300, d130) in cases {
            let lines = month(period, &t, &chunks, &paid);
            let total: i64 = lines.iter().map(|l| l.amount.0).sum();
            assert_eq!(total, kopecks, "{name}: {lines:?}");
            if kopecks > 0 {
                assert_eq!(
                    (lines[0].days_300, lines[0].days_130),
                    (d300, d130),
                    "{name}"
                );
                assert!(lines[0].explanation.contains("1/"), "{name}");
            }
        }
    }

    #[test]
    fn payments_settle_the_oldest_chunk_first_and_no_penalty_on_penalty() {
        let t = table();
        let chunks = [chunk(p(2026, 1), 1000), chunk(p(2026, 2), 1000)];
        // 1000 ₽ on 01.04 pays January off; February (due 10.03) is 22 days late by 01.04
        let lines = month(
            p(2026, 4),
            &t,
            &chunks,
            &[Paid {
                on: d(2026, 4, 1),
                amount: Money(100000),
                pays: None,
            }],
        );
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0].period, p(2026, 1));
        assert_eq!(lines[0].days_300, 1, "January counts its payment day only");
        assert_eq!(lines[1].period, p(2026, 2));
        assert_eq!(lines[1].debt, Money(100000));
        // an advance (credit chunk) pays later debt
        let with_credit = [chunk(p(2026, 1), -1000), chunk(p(2026, 2), 1000)];
        assert!(month(p(2026, 5), &t, &with_credit, &[]).is_empty());
        // the same money naming February pays February: January stays in debt all month
        let named = month(
            p(2026, 4),
            &t,
            &chunks,
            &[Paid {
                on: d(2026, 4, 1),
                amount: Money(100000),
                pays: Some(p(2026, 2)),
            }],
        );
        // (February, paid on day 22 of its lateness, owes nothing)
        assert_eq!(named.len(), 1, "{named:?}");
        assert_eq!(named[0].period, p(2026, 1));
        assert_eq!(named[0].debt, Money(100000));
        assert!(named[0].days_300 > 1, "{named:?}");
    }

    #[test]
    fn price_rounds_once_half_up_and_explains() {
        let q = Quantity {
            zones: Cow::Owned(vec![dec("54.3")]),
            unit: "м²",
            source: "площадь",
            explanation: Cow::Borrowed(""),
        };
        let mut formula = String::new();
        let amount = price(&q, &[Rate::new(dec("32.15"))], &mut formula).unwrap();
        assert_eq!(amount, Money(174575)); // 1745,745 → 1745,75
        assert_eq!(formula, "54,300 м² × 32,15 ₽ = 1\u{a0}745,75\u{a0}₽");
        let two = Quantity {
            zones: Cow::Owned(vec![dec("120"), dec("45")]),
            unit: "кВт·ч",
            source: "",
            explanation: Cow::Borrowed(""),
        };
        let mut formula = String::new();
        assert_eq!(
            price(&two, &[Rate::new(dec("6.43"))], &mut formula),
            Err(PricingError::NoTariff(2))
        );
        let rates = [Rate::new(dec("6.43")), Rate::new(dec("2.925"))];
        let amount = price(&two, &rates, &mut formula).unwrap();
        assert_eq!(amount, Money(77160 + 13163)); // 771,60 + 131,625 → 903,23
        assert_eq!(
            formula,
            "День (Т1) 120,000 кВт·ч × 6,43 ₽ + Ночь (Т2) 45,000 кВт·ч × 2,925 ₽ = 903,23\u{a0}₽"
        );
    }

    #[test]
    fn split_never_loses_or_makes_a_kopeck() {
        let mut rng = Lcg(7);
        for _ in 0..2000 {
            let total = Money(rng.next(10_000_000) as i64 - 1_000_000);
            let n = 1 + rng.next(40) as usize;
            let weights: Vec<Decimal> = (0..n)
                .map(|_| Decimal::new(rng.next(20_000) as i64, 2))
                .collect();
            let parts = split(total, &weights);
            assert_eq!(parts.len(), n);
            assert_eq!(parts.iter().copied().sum::<Money>(), total, "{weights:?}");
            let sum: Decimal = weights.iter().sum();
            if !sum.is_zero() {
                for (part, w) in parts.iter().zip(&weights) {
                    let exact = Decimal::from(total.0) * w / sum;
                    assert!(
                        (Decimal::from(part.0) - exact).abs() < Decimal::ONE,
                        "{part:?} vs {exact}"
                    );
                }
            }
        }
    }

    #[test]
    fn lines_priced_separately_sum_to_the_bill_total_exactly() {
        // the bill's total is the sum of its rounded lines, never a separately rounded sum
        let mut rng = Lcg(11);
        for _ in 0..500 {
            let lines: Vec<Money> = (0..8)
                .map(|_| {
                    let q = Quantity {
                        zones: Cow::Owned(vec![Decimal::new(rng.next(200_000) as i64, 3)]),
                        unit: "м³",
                        source: "",
                        explanation: Cow::Borrowed(""),
                    };
                    let rate = Rate::new(Decimal::new(rng.next(10_000) as i64, 2));
                    price(&q, &[rate], &mut String::new()).unwrap()
                })
                .collect();
            let total: Money = lines.iter().copied().sum();
            assert_eq!(total.0, lines.iter().map(|m| m.0).sum::<i64>());
            assert!(lines.iter().all(|m| m.0 >= 0));
        }
    }

    #[test]
    fn qr_payload_follows_gost_order_and_escapes_the_separator() {
        let payee = Payee {
            name: "ТСЖ «Серебряный | бор»".into(),
            inn: "7701234567".into(),
            kpp: "770101001".into(),
            account: "40703810900000000001".into(),
            bank_name: "ПАО Сбербанк".into(),
            bic: "044525225".into(),
            corr_account: "30101810400000000225".into(),
        };
        let s = qr_payload(
            &payee,
            &QrPayment {
                account_number: "100012",
                period: p(2026, 10),
                sum: Money(523_412),
                penalties: Money(1_234),
                payer: "Иванов Иван Иванович",
                address: "ул. Серебряная, 1, кв. 12",
                flat: "12",
            },
        );
        assert!(s.starts_with("ST00012|Name=ТСЖ «Серебряный   бор»|PersonalAcc=40703810900000000001|BankName=ПАО Сбербанк|BIC=044525225|CorrespAcc=30101810400000000225|"), "{s}");
        for field in [
            "|Sum=523412|",
            "|PersAcc=100012|",
            "|PaymPeriod=102026|",
            "|AddAmount=1234|",
            "|LastName=Иванов|",
            "|Flat=12|",
        ] {
            assert!(s.contains(field), "{field} in {s}");
        }
        assert!(s.ends_with("|TechCode=02"));
        assert_eq!(s.matches('|').count(), s.matches('=').count());
    }

    #[test]
    fn money_label() {
        assert_eq!(Money(123456789).label(), "1\u{a0}234\u{a0}567,89\u{a0}₽");
        assert_eq!(Money(-5).label(), "−0,05\u{a0}₽");
    }
}
