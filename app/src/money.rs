//! Money: integer kopecks, parsed and shown as Russian documents write it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::numbers::{push_grouped, push_padded};

/// An amount of money in kopecks (копейки). Positive in the ledger: owed by the account.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn kopecks(self) -> i64 {
        self.0
    }

    /// Roubles as an exact decimal (for arithmetic with rates).
    pub fn rubles(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Roubles as people type them — `1 234,56`, `-500`, `1234.5`, `−12 ₽` — exactly; at most
    /// two digits after the comma.
    pub fn parse(input: &str) -> Option<Money> {
        let s: String = input
            .trim()
            .trim_end_matches('₽')
            .trim_end_matches("руб.")
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
            .map(|c| match c {
                ',' => '.',
                '−' | '–' => '-',
                c => c,
            })
            .collect();
        let value = Decimal::from_str_exact(&s).ok()?;
        if value.scale() > 2 || value.abs() > Decimal::from(1_000_000_000) {
            return None;
        }
        i64::try_from(value * Decimal::from(100)).ok().map(Money)
    }

    /// `1234,56`: as typed into a form and as Russian spreadsheets read it.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{},{:02}", self.0.abs() / 100, self.0.abs() % 100)
    }

    /// `1 234,56 ₽` (a minus sign for credits).
    pub fn label(self) -> String {
        let mut text = String::new();
        self.push_label(&mut text);
        text
    }

    /// [`Money::label`] appended to `out`.
    pub fn push_label(self, out: &mut String) {
        if self.0 < 0 {
            out.push('−');
        }
        let abs = u128::from(self.0.unsigned_abs());
        push_grouped(out, abs / 100);
        out.push(',');
        push_padded(out, abs % 100, 2);
        out.push_str("\u{a0}₽");
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}
impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}
impl std::ops::Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}
impl std::ops::SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        self.0 -= o.0;
    }
}
impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}
