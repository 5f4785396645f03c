//! The accounting month (расчётный период): readings, accruals, bills and payments all speak
//! of it.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// An accounting month (расчётный период), stored as `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

const MONTHS: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];
/// The months as «с марта 2026» says them (genitive).
const MONTHS_GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const MONTHS_SHORT: [&str; 12] = [
    "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
];

impl Period {
    pub fn of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn parse(s: &str) -> Option<Period> {
        let (y, m) = s.trim().split_once('-')?;
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        ((1..=12).contains(&month) && (2000..=2200).contains(&year))
            .then_some(Period { year, month })
    }

    /// Months from the start of the era: differences of periods are month counts.
    pub fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    pub fn from_index(index: i32) -> Period {
        Period {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    pub fn plus(self, months: i32) -> Period {
        Period::from_index(self.index() + months)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a valid month")
    }

    pub fn days(self) -> u32 {
        (self.plus(1).first_day() - self.first_day()).num_days() as u32
    }

    /// Day `day` of the month, or its last day when the month is shorter.
    pub fn day(self, day: u32) -> NaiveDate {
        self.first_day() + chrono::Days::new(u64::from(day.clamp(1, self.days()) - 1))
    }

    /// «ноябрь 2026».
    pub fn label(self) -> String {
        format!("{} {}", MONTHS[self.month as usize - 1], self.year)
    }

    /// «марта 2026», after «с» or «до».
    pub fn label_genitive(self) -> String {
        format!("{} {}", MONTHS_GENITIVE[self.month as usize - 1], self.year)
    }

    /// «ноя 26», for chart axes.
    pub fn short_label(self) -> String {
        format!(
            "{} {:02}",
            MONTHS_SHORT[self.month as usize - 1],
            self.year % 100
        )
    }
}

#[cfg(feature = "ssr")]
crate::sql_text!(Period, |p| p.to_string());

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
