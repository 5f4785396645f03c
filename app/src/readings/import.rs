//! Meter import from a spreadsheet: CSV (UTF-8 or Windows-1251, `;` or `,`) or XLSX, recognised
//! by content. Every row is checked and reported by its line number; nothing is written unless
//! every row is right (see `Store::import_meters`).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::rules;
use super::types::Utility;

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

/// The largest file accepted.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

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

/// The file's cells, row by row (line numbers from 1, the header included).
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    if bytes.len() > MAX_BYTES {
        return Err("Файл больше 2 МБ — разделите его на части.".into());
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes);
    }
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned(),
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() >= first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            r.map(|rec| rec.iter().map(|c| c.trim().to_string()).collect())
                .map_err(|e| format!("Строка {}: файл не читается как CSV ({e}).", i + 1))
        })
        .collect()
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    use calamine::{Data, Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|_| "Файл XLSX повреждён или это не таблица Excel.".to_string())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("В файле XLSX нет листов.")?
        .map_err(|_| "Первый лист файла XLSX не читается.".to_string())?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(s) => s.trim().to_string(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::DateTime(d) => excel_date(d.as_f64()),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

/// An Excel serial day number as `dd.mm.yyyy`.
fn excel_date(serial: f64) -> String {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("a valid date");
    (base + chrono::Days::new(serial.max(0.0) as u64))
        .format("%d.%m.%Y")
        .to_string()
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
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
        let cell = |n: usize| row.get(n).map(String::as_str).unwrap_or("").trim();
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

    #[test]
    fn a_broken_xlsx_is_refused_with_a_message() {
        assert!(read_table(b"PK\x03\x04 not really a zip").is_err());
        assert_eq!(excel_date(45658.0), "01.01.2025");
    }
}
