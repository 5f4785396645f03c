//! Meter import from a spreadsheet (read by `crate::sheet`). Every row is checked and reported by its line number; nothing is written unless
//! every row is right (see `Store::import_meters`).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::rules;
use super::types::Utility;
use crate::sheet::{cell, parse_date};

/// The columns, in order (the first line of the file holds headers and is skipped).
pub const COLUMNS: [&str; 9] = [
    "квартира",
    "ресурс",
    "номер",
    "зон",
    "место",
    "установлен",
    "поверка до",
    "пломба",
    "начальное показание",
];

/// What the apartment column says for a building (common) meter.
pub fn is_building(apartment: &str) -> bool {
    matches!(
        apartment.trim().to_lowercase().as_str(),
        "одпу" | "дом" | "общедомовой"
    )
}

/// One good row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterLine {
    pub line: usize,
    pub apartment: String,
    pub resource: Utility,
    pub serial: String,
    pub zones: u8,
    pub place: String,
    pub installed_on: NaiveDate,
    pub verified_until: NaiveDate,
    pub seal: String,
    pub initial: Vec<Decimal>,
}

/// Checks every data row (not the header); returns the good rows and the problems by line.
pub fn check_rows(table: &[Vec<String>]) -> (Vec<MeterLine>, Vec<String>) {
    let mut good = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in table.iter().enumerate().skip(1) {
        let line = i + 1;
        if row.iter().all(String::is_empty) {
            continue;
        }
        let cell = |n: usize| cell(row, n);
        let mut problems = Vec::new();
        if cell(0).is_empty() {
            problems.push("не указана квартира (или «ОДПУ» для общедомового)".to_string());
        }
        let resource = Utility::from_words(cell(1));
        if resource.is_none() {
            problems.push(format!(
                "ресурс «{}» не распознан (ХВС, ГВС, электроэнергия, отопление, газ)",
                cell(1)
            ));
        }
        if cell(2).is_empty() {
            problems.push("не указан номер счётчика".into());
        }
        let zones = if cell(3).is_empty() {
            Some(1)
        } else {
            cell(3).parse::<u8>().ok().filter(|z| (1..=3).contains(z))
        };
        if zones.is_none() {
            problems.push("зон — число от 1 до 3".into());
        }
        let installed = parse_date(cell(5));
        if installed.is_none() {
            problems.push("дата установки — в виде 01.02.2024".into());
        }
        let verified = parse_date(cell(6));
        if verified.is_none() {
            problems.push("дата поверки — в виде 01.02.2030".into());
        }
        let initial: Result<Vec<Decimal>, String> = if cell(8).is_empty() {
            Ok(vec![Decimal::ZERO; zones.unwrap_or(1) as usize])
        } else {
            cell(8)
                .split('/')
                .map(|v| rules::parse_value(v).map_err(|e| format!("начальное показание: {e}")))
                .collect()
        };
        let initial = match initial {
            Ok(v) if zones.is_some_and(|z| v.len() == z as usize) => Some(v),
            Ok(_) => {
                problems.push("начальных показаний должно быть по числу зон, через «/»".into());
                None
            }
            Err(e) => {
                problems.push(e);
                None
            }
        };
        match (resource, zones, installed, verified, initial) {
            (
                Some(resource),
                Some(zones),
                Some(installed_on),
                Some(verified_until),
                Some(initial),
            ) if problems.is_empty() => {
                good.push(MeterLine {
                    line,
                    apartment: cell(0).to_string(),
                    resource,
                    serial: cell(2).to_string(),
                    zones,
                    place: cell(4).to_string(),
                    installed_on,
                    verified_until,
                    seal: cell(7).to_string(),
                    initial,
                });
            }
            _ => errors.push(format!("Строка {line}: {}.", problems.join("; "))),
        }
    }
    (good, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::read_table;

    #[test]
    fn csv_in_windows_1251_with_semicolons_is_read_and_checked_row_by_row() {
        let text = "квартира;ресурс;номер;зон;место;установлен;поверка до;пломба;начальное\n\
                    1;ХВС;A-1;1;кухня;10.01.2024;10.01.2030;П-1;12,5\n\
                    2;электроэнергия;E-2;2;;2024-02-01;01.02.2032;;100/50\n\
                    3;пар;X;1;;10.01.2024;10.01.2030;;\n\
                    ;ГВС;;4;;вчера;;;\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let table = read_table(&bytes).unwrap();
        let (good, errors) = check_rows(&table);
        assert_eq!(good.len(), 2);
        assert_eq!(good[0].initial, vec![Decimal::new(125, 1)]);
        assert_eq!(good[1].zones, 2);
        assert_eq!(good[1].resource, Utility::Electricity);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("Строка 4: ресурс «пар»"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].starts_with("Строка 5: не указана квартира"),
            "{}",
            errors[1]
        );
        assert!(errors[1].contains("зон"), "{}", errors[1]);
    }

    #[test]
    fn an_xlsx_sheet_is_read_with_its_dates_and_numbers() {
        let table = read_table(include_bytes!("../../../docs/samples/meters.xlsx")).unwrap();
        let (good, errors) = check_rows(&table);
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(good.len(), 2);
        // a date cell (an Excel day number) and a number cell become what people typed
        assert_eq!(good[0].apartment, "1");
        assert_eq!(
            good[0].installed_on,
            NaiveDate::from_ymd_opt(2024, 1, 10).unwrap()
        );
        assert_eq!(
            good[0].verified_until,
            NaiveDate::from_ymd_opt(2030, 1, 10).unwrap()
        );
        assert_eq!(
            good[1].initial,
            vec![Decimal::from(1520), Decimal::from(640)]
        );
    }

    #[test]
    fn the_sample_csv_in_the_docs_is_valid() {
        let table = read_table(include_bytes!("../../../docs/samples/meters.csv")).unwrap();
        let (good, errors) = check_rows(&table);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(good.len(), 4);
        assert!(is_building(&good[3].apartment));
    }
}
