//! Loading what an accountant brings from 1С:УК or a spreadsheet (read by `crate::sheet`):
//! personal accounts with their apartments, areas, residents and opening balances; and up to
//! three years of charges and payments. Every row is checked and reported by its line; the
//! store writes nothing unless every row is right.

use chrono::{Datelike, NaiveDate};

use super::types::{LedgerKind, Money, Period};
use crate::housing::rules::{parse_area, parse_share};
use crate::housing::types::Relation;
use crate::sheet::{cell, parse_date};

/// Columns of the accounts file, in order (the first line holds headers and is skipped). An
/// account with several residents takes one row per resident; the apartment's cells may then
/// be left empty on the rows after the first.
pub const ACCOUNT_COLUMNS: [&str; 15] = [
    "лицевой счёт",
    "квартира",
    "подъезд",
    "этаж",
    "площадь",
    "открыт",
    "ФИО",
    "телефон",
    "e-mail",
    "отношение",
    "доля",
    "проживает с",
    "сальдо",
    "сальдо на",
    "ЕЛС",
];

/// Columns of the history file, in order.
pub const HISTORY_COLUMNS: [&str; 6] = ["лицевой счёт", "период", "вид", "услуга", "сумма", "дата"];

/// How far back history is taken.
pub const HISTORY_MONTHS: i32 = 36;

/// A resident named on an account's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonLine {
    pub line: usize,
    pub full_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub relation: Relation,
    pub share: Option<(i64, i64)>,
    pub moved_in: NaiveDate,
}

/// An account with its apartment, residents and opening balance (from one or more rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLine {
    pub line: usize,
    pub number: String,
    pub apartment: String,
    pub entrance: Option<i64>,
    pub floor: Option<i64>,
    pub area_centi_m2: i64,
    pub opened_on: NaiveDate,
    pub people: Vec<PersonLine>,
    /// Debt (+) or advance (−) on the first day of a month.
    pub opening: Option<(Money, NaiveDate)>,
    /// ГИС ЖКХ единый лицевой счёт (10 letters and digits), upper case.
    pub els: Option<String>,
}

/// A ГИС ЖКХ ЕЛС as written: ten letters and digits (`12АБ345678`), upper case.
pub fn parse_els(s: &str) -> Option<String> {
    let els: String = s.trim().to_uppercase();
    (els.chars().count() == 10 && els.chars().all(char::is_alphanumeric)).then_some(els)
}

impl AccountLine {
    /// The ledger period an opening balance belongs to: the month before its date, so that
    /// it is owed like that month's bill (penalties on it start after that bill's due date).
    pub fn opening_period(on: NaiveDate) -> Period {
        Period::of(on).plus(-1)
    }
}

fn relation(s: &str) -> Option<Relation> {
    match s.trim().to_lowercase().as_str() {
        "" | "собственник" | "владелец" => Some(Relation::Owner),
        "наниматель" | "арендатор" => Some(Relation::Tenant),
        "член семьи" | "семья" | "проживающий" => Some(Relation::Family),
        _ => None,
    }
}

fn number(s: &str) -> Option<Option<i64>> {
    if s.is_empty() {
        Some(None)
    } else {
        s.parse::<i64>()
            .ok()
            .filter(|n| (-5..=200).contains(n))
            .map(Some)
    }
}

/// Checks the accounts file; returns the accounts and the problems by line.
pub fn check_accounts(table: &[Vec<String>]) -> (Vec<AccountLine>, Vec<String>) {
    let mut accounts: Vec<AccountLine> = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in table.iter().enumerate().skip(1) {
        let line = i + 1;
        if row.iter().all(String::is_empty) {
            continue;
        }
        let c = |n: usize| cell(row, n);
        let mut problems: Vec<String> = Vec::new();
        let account_number = c(0);
        if account_number.is_empty() || account_number.chars().count() > 30 {
            problems.push("лицевой счёт — от 1 до 30 символов".into());
        }
        let known = accounts.iter().position(|a| a.number == account_number);
        let apartment = c(1);
        let area = if c(4).is_empty() {
            None
        } else {
            match parse_area(c(4)) {
                Ok(a) => Some(a),
                Err(e) => {
                    problems.push(e.trim_end_matches('.').to_lowercase());
                    None
                }
            }
        };
        let opened = if c(5).is_empty() {
            None
        } else {
            let d = parse_date(c(5));
            if d.is_none() {
                problems.push("дата открытия счёта — в виде 01.02.2024".into());
            }
            d
        };
        let (entrance, floor) = (number(c(2)), number(c(3)));
        if entrance.is_none() {
            problems.push("подъезд — число".into());
        }
        if floor.is_none() {
            problems.push("этаж — число".into());
        }
        match known {
            None => {
                if apartment.is_empty() {
                    problems.push("не указана квартира".into());
                }
                if c(4).is_empty() {
                    problems.push("не указана площадь".into());
                }
                if c(5).is_empty() {
                    problems.push("не указана дата открытия счёта".into());
                }
            }
            Some(k) => {
                let first = &accounts[k];
                if !apartment.is_empty() && apartment != first.apartment {
                    problems.push(format!(
                        "счёт {account_number} уже указан для квартиры {} (строка {})",
                        first.apartment, first.line
                    ));
                }
                if area.is_some_and(|a| a != first.area_centi_m2) {
                    problems.push(format!(
                        "площадь отличается от строки {} того же счёта",
                        first.line
                    ));
                }
            }
        }
        let person = if c(6).is_empty() {
            if [7, 8, 9, 10, 11].iter().any(|&n| !c(n).is_empty()) {
                problems.push("данные жильца без ФИО".into());
            }
            None
        } else {
            let relation = relation(c(9));
            if relation.is_none() {
                problems.push(format!(
                    "отношение «{}» не распознано (собственник, наниматель, член семьи)",
                    c(9)
                ));
            }
            let phone = if c(7).is_empty() {
                None
            } else {
                match crate::auth::rules::parse_phone(c(7)) {
                    Ok(p) => Some(p),
                    Err(_) => {
                        problems.push(format!("телефон «{}» — нужен вид +7 912 345-67-89", c(7)));
                        None
                    }
                }
            };
            let email = if c(8).is_empty() {
                None
            } else {
                match crate::auth::rules::parse_email(c(8)) {
                    Ok(e) => Some(e),
                    Err(_) => {
                        problems.push(format!("e-mail «{}» не похож на адрес", c(8)));
                        None
                    }
                }
            };
            let share = if c(10).is_empty() {
                None
            } else if relation != Some(Relation::Owner) {
                problems.push("доля указывается только у собственника".into());
                None
            } else {
                match parse_share(c(10)) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        problems.push(e.trim_end_matches('.').to_lowercase());
                        None
                    }
                }
            };
            let moved_in = if c(11).is_empty() {
                opened.or(known.map(|k| accounts[k].opened_on))
            } else {
                let d = parse_date(c(11));
                if d.is_none() {
                    problems.push("«проживает с» — дата в виде 01.02.2024".into());
                }
                d
            };
            relation
                .zip(moved_in)
                .map(|(relation, moved_in)| PersonLine {
                    line,
                    full_name: c(6).to_string(),
                    phone,
                    email,
                    relation,
                    share,
                    moved_in,
                })
        };
        let opening = match (c(12), c(13)) {
            ("", "") => None,
            (amount, on) => {
                let amount = Money::parse(amount);
                let on = parse_date(on);
                if amount.is_none() {
                    problems.push(
                        "сальдо — сумма в рублях, долг со знаком плюс, переплата со знаком минус"
                            .into(),
                    );
                }
                match on {
                    Some(d) if d.day() == 1 => {}
                    _ => problems
                        .push("«сальдо на» — первое число месяца, например 01.01.2025".into()),
                }
                if known.is_some_and(|k| accounts[k].opening.is_some()) {
                    problems.push("сальдо счёта уже указано в одной из строк выше".into());
                }
                amount.zip(on)
            }
        };
        let els = match c(14) {
            "" => None,
            text => {
                let els = parse_els(text);
                if els.is_none() {
                    problems.push(format!(
                        "ЕЛС «{text}» — 10 букв и цифр, например 12АБ345678"
                    ));
                }
                els
            }
        };
        if !problems.is_empty() {
            errors.push(format!("Строка {line}: {}.", problems.join("; ")));
            continue;
        }
        match known {
            Some(k) => {
                let account = &mut accounts[k];
                account.people.extend(person);
                if opening.is_some() {
                    account.opening = opening;
                }
                if els.is_some() {
                    account.els = els;
                }
            }
            None => accounts.push(AccountLine {
                line,
                number: account_number.to_string(),
                apartment: apartment.to_string(),
                entrance: entrance.flatten(),
                floor: floor.flatten(),
                area_centi_m2: area.unwrap_or_default(),
                opened_on: opened.unwrap_or_default(),
                people: person.into_iter().collect(),
                opening,
                els,
            }),
        }
    }
    (accounts, errors)
}

/// The ledger kind a history row's word names (a history has no opening balances: those are
/// the register's).
fn history_kind(s: &str) -> Option<LedgerKind> {
    match s.trim().to_lowercase().as_str() {
        "начисление" | "начислено" => Some(LedgerKind::Charge),
        "пени" => Some(LedgerKind::Penalty),
        "оплата" | "оплачено" | "платёж" | "платеж" => {
            Some(LedgerKind::Payment)
        }
        "перерасчёт" | "перерасчет" | "корректировка" => {
            Some(LedgerKind::Correction)
        }
        _ => None,
    }
}

/// One row of history, its amount signed as the ledger keeps it (payments negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub line: usize,
    pub account: String,
    pub period: Period,
    pub kind: LedgerKind,
    pub service: Option<String>,
    pub amount: Money,
    /// The payment's date; for charges the first day after the period, as a posted run's.
    pub on: NaiveDate,
}

impl HistoryLine {
    /// What makes a row the same row when a file is loaded again: nothing is recorded twice.
    pub fn source_key(&self, repeat: usize) -> String {
        format!(
            "import:{}:{}:{}:{}:{}:{}:{repeat}",
            self.account,
            self.period,
            self.kind.as_str(),
            self.service.as_deref().unwrap_or(""),
            self.amount.0,
            self.on
        )
    }
}

/// `2024-03`, `03.2024` or a date in the month (`01.03.2024`, as a spreadsheet's date cell).
pub fn parse_period(s: &str) -> Option<Period> {
    let s = s.trim();
    Period::parse(s)
        .or_else(|| {
            let (m, y) = s.split_once('.')?;
            Period::parse(&format!("{y}-{m:0>2}"))
        })
        .or_else(|| parse_date(s).map(Period::of))
}

/// Checks the history file against today's date; returns the rows and the problems by line.
pub fn check_history(table: &[Vec<String>], today: NaiveDate) -> (Vec<HistoryLine>, Vec<String>) {
    let current = Period::of(today);
    let oldest = current.plus(-HISTORY_MONTHS);
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in table.iter().enumerate().skip(1) {
        let line = i + 1;
        if row.iter().all(String::is_empty) {
            continue;
        }
        let c = |n: usize| cell(row, n);
        let mut problems: Vec<String> = Vec::new();
        if c(0).is_empty() {
            problems.push("не указан лицевой счёт".into());
        }
        let kind = history_kind(c(2));
        if kind.is_none() {
            problems.push(format!(
                "вид «{}» не распознан (начисление, пени, оплата, перерасчёт)",
                c(2)
            ));
        }
        let amount = Money::parse(c(4));
        match (amount, kind) {
            (None, _) => problems.push(format!(
                "сумма «{}» — число рублей, например 1 234,56",
                c(4)
            )),
            (Some(a), _) if a.0 == 0 => problems.push("сумма равна нулю".into()),
            (Some(a), Some(LedgerKind::Payment)) if a.0 < 0 => {
                problems.push("оплата — положительная сумма (возврат вносите перерасчётом)".into())
            }
            _ => {}
        }
        let date = if c(5).is_empty() {
            None
        } else {
            let d = parse_date(c(5));
            if d.is_none() {
                problems.push("дата — в виде 05.03.2024".into());
            }
            d
        };
        let period = if c(1).is_empty() {
            date.filter(|_| kind == Some(LedgerKind::Payment))
                .map(Period::of)
        } else {
            parse_period(c(1))
        };
        match period {
            None if c(1).is_empty() => problems.push("не указан период".into()),
            None => problems.push(format!("период «{}» — в виде 2024-03 или 03.2024", c(1))),
            Some(p) if p >= current => problems.push(format!(
                "период {} ещё не закончился — загружается только прошлое",
                p.label()
            )),
            Some(p) if p < oldest => problems.push(format!(
                "период {} старше трёх лет — загружается история с {}",
                p.label(),
                oldest.label()
            )),
            _ => {}
        }
        if kind == Some(LedgerKind::Payment) && date.is_none() && c(5).is_empty() {
            problems.push("у оплаты нужна дата платежа".into());
        }
        if date.is_some_and(|d| d > today) {
            problems.push("дата в будущем".into());
        }
        match (kind, amount, period) {
            (Some(kind), Some(amount), Some(period)) if problems.is_empty() => {
                let (amount, on) = match kind {
                    LedgerKind::Payment => (-amount, date.unwrap_or(today)),
                    _ => (amount, date.unwrap_or(period.plus(1).first_day())),
                };
                lines.push(HistoryLine {
                    line,
                    account: c(0).to_string(),
                    period: match kind {
                        LedgerKind::Payment => Period::of(on),
                        _ => period,
                    },
                    kind,
                    service: Some(c(3).to_string()).filter(|s| !s.is_empty()),
                    amount,
                    on,
                });
            }
            _ => errors.push(format!("Строка {line}: {}.", problems.join("; "))),
        }
    }
    (lines, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::read_table;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn money_is_read_as_people_type_it() {
        assert_eq!(Money::parse("1 234,56"), Some(Money(123_456)));
        assert_eq!(Money::parse("-500"), Some(Money(-50_000)));
        assert_eq!(Money::parse("−12,5 ₽"), Some(Money(-1_250)));
        assert_eq!(Money::parse("0.01"), Some(Money(1)));
        assert_eq!(Money::parse("1,234"), None);
        assert_eq!(Money::parse("много"), None);
    }

    #[test]
    fn an_account_with_two_residents_and_an_opening_debt_takes_two_rows() {
        let text = "лс;кв;под;эт;площадь;открыт;ФИО;тел;email;отношение;доля;с;сальдо;на\n\
                    1001;5;1;2;54,3;01.01.2024;Иванов И. И.;8 912 345-67-89;;собственник;1/2;;1 500,00;01.01.2025\n\
                    1001;;;;;;Иванова А. А.;;a@b.ru;собственник;1/2;;;\n\
                    1002;6;1;2;40;01.01.2024;;;;;;;-300;01.01.2025\n";
        let (accounts, errors) = check_accounts(&read_table(text.as_bytes()).unwrap());
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts[0].people.len(), 2);
        assert_eq!(accounts[0].area_centi_m2, 5430);
        assert_eq!(accounts[0].people[0].phone.as_deref(), Some("+79123456789"));
        assert_eq!(accounts[0].people[1].moved_in, day(2024, 1, 1));
        assert_eq!(accounts[0].opening, Some((Money(150_000), day(2025, 1, 1))));
        assert_eq!(accounts[1].opening, Some((Money(-30_000), day(2025, 1, 1))));
        assert!(accounts[1].people.is_empty());
        assert_eq!(
            AccountLine::opening_period(day(2025, 1, 1)),
            Period::parse("2024-12").unwrap()
        );
    }

    #[test]
    fn each_bad_account_row_is_reported_with_all_its_problems() {
        let text = "лс;кв;под;эт;площадь;открыт;ФИО;тел;email;отношение;доля;с;сальдо;на\n\
                    ;5;x;2;-1;вчера;;;;;;;;\n\
                    1001;5;1;2;54,3;01.01.2024;Петров;123;не почта;друг;1/2;;;\n\
                    1002;6;1;2;40;01.01.2024;Сидоров;;;наниматель;1/3;;100;15.01.2025\n\
                    1002;7;;;;;;;;;;;;\n";
        let (accounts, errors) = check_accounts(&read_table(text.as_bytes()).unwrap());
        assert!(accounts.is_empty(), "{accounts:?}");
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(
            errors[0].starts_with("Строка 2: лицевой счёт"),
            "{}",
            errors[0]
        );
        assert!(
            errors[0].contains("площадь") && errors[0].contains("подъезд"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].contains("телефон «123»") && errors[1].contains("e-mail"),
            "{}",
            errors[1]
        );
        assert!(errors[1].contains("отношение «друг»"), "{}", errors[1]);
        assert!(
            errors[2].contains("доля указывается только у собственника"),
            "{}",
            errors[2]
        );
        assert!(errors[2].contains("первое число месяца"), "{}", errors[2]);
        // the account of line 4 was refused, so line 5 is a new account without area
        assert!(
            errors[3].starts_with("Строка 5: не указана площадь"),
            "{}",
            errors[3]
        );
    }

    #[test]
    fn history_rows_are_signed_dated_and_kept_within_three_years() {
        let today = day(2026, 11, 28);
        let text = "лс;период;вид;услуга;сумма;дата\n\
                    1001;2025-03;начисление;Содержание;2 500,00;\n\
                    1001;03.2025;пени;;12,34;\n\
                    1001;;оплата;;2 500;10.04.2025\n\
                    1001;2023-10;начисление;;100;\n\
                    1001;2026-11;начисление;;100;\n\
                    1001;2025-03;оплата;;-5;01.04.2025\n\
                    1001;2025-03;что-то;;0;\n";
        let (lines, errors) = check_history(&read_table(text.as_bytes()).unwrap(), today);
        assert_eq!(lines.len(), 3, "{errors:?}");
        assert_eq!(lines[0].on, day(2025, 4, 1));
        assert_eq!(lines[0].amount, Money(250_000));
        assert_eq!(lines[0].service.as_deref(), Some("Содержание"));
        assert_eq!(lines[1].kind, LedgerKind::Penalty);
        assert_eq!(lines[2].amount, Money(-250_000));
        assert_eq!(lines[2].period, Period::parse("2025-04").unwrap());
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].contains("старше трёх лет"), "{}", errors[0]);
        assert!(errors[1].contains("ещё не закончился"), "{}", errors[1]);
        assert!(
            errors[2].contains("оплата — положительная"),
            "{}",
            errors[2]
        );
        assert!(
            errors[3].contains("вид «что-то»") && errors[3].contains("нулю"),
            "{}",
            errors[3]
        );
        assert_ne!(lines[0].source_key(0), lines[0].source_key(1));
    }

    #[test]
    fn an_xlsx_history_with_date_cells_and_numbers_is_read() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("dd.mm.yyyy");
        for (col, title) in HISTORY_COLUMNS.iter().enumerate() {
            sheet.write_string(0, col as u16, *title).unwrap();
        }
        // an accountant's sheet: the period as a date cell, the sum as a number
        sheet.write_string(1, 0, "77-0201").unwrap();
        let march = ExcelDateTime::from_ymd(2025, 3, 1).unwrap();
        sheet
            .write_datetime_with_format(1, 1, &march, &date)
            .unwrap();
        sheet.write_string(1, 2, "Начисление").unwrap();
        sheet.write_number(1, 4, 4812.35).unwrap();
        sheet.write_string(2, 0, "77-0201").unwrap();
        sheet.write_string(2, 2, "оплата").unwrap();
        sheet.write_number(2, 4, 2500).unwrap();
        let paid = ExcelDateTime::from_ymd(2025, 4, 10).unwrap();
        sheet
            .write_datetime_with_format(2, 5, &paid, &date)
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let table = read_table(&bytes).unwrap();
        let (lines, errors) = check_history(&table, day(2026, 11, 28));
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(lines[0].period, Period::parse("2025-03").unwrap());
        assert_eq!(lines[0].amount, Money(481_235));
        assert_eq!(lines[1].amount, Money(-250_000));
        assert_eq!(lines[1].on, day(2025, 4, 10));
    }

    #[test]
    fn the_sample_files_in_the_docs_are_valid() {
        let table = read_table(include_bytes!("../../../docs/samples/accounts.csv")).unwrap();
        let (accounts, errors) = check_accounts(&table);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(accounts.len(), 3);
        assert_eq!(accounts[0].els.as_deref(), Some("77АБ000201"));
        assert_eq!(accounts[1].els, None);
        let bad = read_table(
            "лс;кв;п;э;пл;открыт;ФИО;т;e;о;д;с;с;с;ЕЛС\nA-1;1;1;1;40;01.01.2020;;;;;;;;;12-АБ\n"
                .as_bytes(),
        )
        .unwrap();
        let (_, errors) = check_accounts(&bad);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("Строка 2: ЕЛС «12-АБ»"), "{errors:?}");
        let table = read_table(include_bytes!("../../../docs/samples/history.csv")).unwrap();
        let (lines, errors) = check_history(&table, day(2026, 11, 28));
        assert!(errors.is_empty(), "{errors:?}");
        assert!(lines.len() >= 6);
    }
}
