//! Spreadsheets people upload (meters, accounts, history of charges and payments): CSV in
//! UTF-8 or Windows-1251 with `;` or `,`, or XLSX, recognised by content; and the report an
//! import gives back — every problem by line, or what was (or would be) loaded.

use serde::{Deserialize, Serialize};

/// The largest file accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// The largest form a server function accepts: a file of `MAX_BYTES` in base64 and the rest.
pub const MAX_FORM_BYTES: usize = MAX_BYTES / 3 * 4 + 64 * 1024;

/// The result of an import: every row's problem, or how many were loaded and what that did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub rows: usize,
    pub errors: Vec<String>,
    /// What the rows will do (preview) or did (loaded), one line each.
    pub notes: Vec<String>,
    /// True when the rows were written (no errors and not a preview).
    pub saved: bool,
}

#[cfg(feature = "ssr")]
pub use reading::*;

#[cfg(feature = "ssr")]
mod reading {
    use chrono::NaiveDate;

    use super::MAX_BYTES;
    use crate::error::AppError;

    /// The file a form sent as a base64 data URL (see `public/forms.js`).
    pub fn decode_upload(content: &str) -> Result<Vec<u8>, AppError> {
        use base64::Engine;
        let payload = content.split_once(',').map_or(content, |(_, b)| b);
        base64::engine::general_purpose::STANDARD
            .decode(payload.trim())
            .map_err(|_| AppError::invalid("Выберите файл CSV или XLSX."))
    }

    /// The file's cells, row by row (line numbers from 1, the header included).
    pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
        if bytes.len() > MAX_BYTES {
            return Err(format!(
                "Файл больше {} МБ — разделите его на части.",
                MAX_BYTES / 1024 / 1024
            ));
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
                        Data::Float(f) => number_cell(*f),
                        Data::Int(i) => i.to_string(),
                        Data::DateTime(d) => excel_date(d.as_f64()),
                        Data::Empty => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect())
    }

    /// A number cell as people typed it. Excel keeps numbers as binary floats, so a sum of
    /// 0,1 and 0,2 arrives as 0.30000000000000004: rounded to nine places (far below a kopeck
    /// or a thousandth of a m³), it reads back as the exact decimal `0.3`.
    pub(crate) fn number_cell(f: f64) -> String {
        let text = format!("{f:.9}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }

    /// An Excel serial day number as `dd.mm.yyyy` (left as the number when it is no date).
    pub(crate) fn excel_date(serial: f64) -> String {
        NaiveDate::from_ymd_opt(1899, 12, 30)
            .filter(|_| (0.0..3_000_000.0).contains(&serial))
            .and_then(|base| base.checked_add_days(chrono::Days::new(serial as u64)))
            .map_or_else(|| serial.to_string(), |d| d.format("%d.%m.%Y").to_string())
    }

    /// `01.02.2024` or `2024-02-01`.
    pub fn parse_date(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s.trim(), "%d.%m.%Y")
            .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d"))
            .ok()
    }

    /// A row's cell by column number, trimmed (empty when the row is short).
    pub fn cell(row: &[String], n: usize) -> &str {
        row.get(n).map(String::as_str).unwrap_or("").trim()
    }

    /// Rows with something in them, the header not counted.
    pub fn data_rows(table: &[Vec<String>]) -> usize {
        table
            .iter()
            .skip(1)
            .filter(|r| r.iter().any(|c| !c.is_empty()))
            .count()
    }

    /// Sorts `Строка N: …` messages by N (checks found in several passes come out in order).
    pub fn sort_by_line(errors: &mut [String]) {
        errors.sort_by_key(|e| {
            e.split_whitespace()
                .nth(1)
                .and_then(|n| n.trim_end_matches(':').parse::<usize>().ok())
                .unwrap_or(0)
        });
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_broken_xlsx_is_refused_with_a_message() {
        assert!(read_table(b"PK\x03\x04 not really a zip").is_err());
        assert_eq!(excel_date(45658.0), "01.01.2025");
        // a number in a date cell does not panic
        assert_eq!(excel_date(1e20), "100000000000000000000");
    }

    #[test]
    fn float_cells_read_back_as_the_decimals_people_typed() {
        assert_eq!(number_cell(0.1 + 0.2), "0.3");
        assert_eq!(number_cell(4812.35), "4812.35");
        assert_eq!(number_cell(2500.0), "2500");
        assert_eq!(number_cell(-350.5), "-350.5");
        assert_eq!(number_cell(12.125), "12.125");
    }

    #[test]
    fn csv_with_commas_in_utf8_with_a_bom_is_read() {
        let table = read_table("\u{feff}а,б\n1, 2 \n".as_bytes()).unwrap();
        assert_eq!(table, vec![vec!["а", "б"], vec!["1", "2"]]);
    }

    #[test]
    fn messages_are_sorted_by_line_number() {
        let mut errors = vec!["Строка 10: x.".to_string(), "Строка 2: y.".to_string()];
        sort_by_line(&mut errors);
        assert_eq!(errors[0], "Строка 2: y.");
    }
}
