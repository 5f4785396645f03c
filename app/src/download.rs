//! Tables staff download, each in the two forms an office opens: CSV as Russian Excel reads it
//! (UTF-8 with a BOM, `;` between cells) and an XLSX workbook with a title row.

/// The table as CSV.
pub fn csv(head: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(head).map_err(|e| e.to_string())?;
    for row in rows {
        out.write_record(row).map_err(|e| e.to_string())?;
    }
    out.into_inner().map_err(|e| e.to_string())
}

/// The table as a workbook: `title` in bold on the first row, the head on the third.
pub fn xlsx(
    sheet_name: &str,
    title: &str,
    head: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    sheet.set_name(sheet_name).map_err(e)?;
    sheet
        .write_string_with_format(0, 0, title, &bold)
        .map_err(e)?;
    for (col, h) in (0u16..).zip(head) {
        sheet
            .write_string_with_format(2, col, *h, &bold)
            .map_err(e)?;
        sheet.set_column_width(col, 18).map_err(e)?;
    }
    for (row, cells) in (3u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(cells) {
            sheet.write_string(row, col, cell).map_err(e)?;
        }
    }
    book.save_to_buffer().map_err(e)
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_opens_in_russian_excel() {
        let bytes = super::csv(
            &["Когда", "Кто"],
            &[vec!["07.12.2026".into(), "Иванов; мл.".into()]],
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, "\u{feff}Когда;Кто\n07.12.2026;\"Иванов; мл.\"\n");
    }

    #[test]
    fn xlsx_is_a_workbook() {
        let bytes =
            super::xlsx("Журнал", "Журнал", &["Когда"], &[vec!["07.12.2026".into()]]).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
