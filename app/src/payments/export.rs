//! Received payments for accounting (docs/domain.md «Bank payments»): a 1CClientBankExchange file in
//! Windows-1251, an XLSX register, a CSV register.

use chrono::NaiveDateTime;

use super::rules::{ExportPayment, write_statement};
use super::types::RegisterRow;
use crate::billing::rules::Payee;
use crate::billing::types::{Money, Period};

/// The register's columns, in every format.
const HEAD: [&str; 8] = [
    "Дата",
    "Лицевой счёт",
    "Адрес",
    "Плательщик",
    "Сумма",
    "Документ",
    "Источник",
    "Счёт плательщика",
];

/// The purpose written on an exported payment: the account first, so 1С's own matching finds it.
fn purpose(r: &RegisterRow) -> String {
    format!(
        "Оплата ЖКУ л/с {} ({}); {}",
        r.account_number, r.address, r.source
    )
}

/// The period's payments as a statement of the payee's account, in Windows-1251.
pub fn statement_1c(
    payee: &Payee,
    period: Period,
    created: NaiveDateTime,
    rows: &[RegisterRow],
) -> Vec<u8> {
    let payments: Vec<ExportPayment> = rows
        .iter()
        .map(|r| ExportPayment {
            number: r.document.clone(),
            on: r.on,
            amount: r.amount,
            payer: r.payer.clone(),
            payer_inn: r.payer_inn.clone(),
            payer_account: r.payer_account.clone(),
            purpose: purpose(r),
        })
        .collect();
    let text = write_statement(
        payee,
        period.first_day(),
        period.day(period.days()),
        created,
        &payments,
    );
    encoding_rs::WINDOWS_1251.encode(&text).0.into_owned()
}

/// The register as CSV (UTF-8 with BOM so Excel opens it in Cyrillic, `;`-separated).
pub fn register_csv(rows: &[RegisterRow]) -> Vec<u8> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.on.format("%d.%m.%Y").to_string(),
                r.account_number.clone(),
                r.address.clone(),
                r.payer.clone(),
                r.amount.plain(),
                r.document.clone(),
                r.source.clone(),
                r.payer_account.clone(),
            ]
        })
        .collect();
    crate::download::csv(&HEAD, &rows).unwrap_or_else(|e| {
        tracing::error!(error = %e, "payment register csv");
        Vec::new()
    })
}

/// The register as an XLSX workbook with a total row.
pub fn register_xlsx(title: &str, rows: &[RegisterRow]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let money = Format::new().set_num_format("# ##0.00");
    let bold = Format::new().set_bold();
    sheet.set_name("Платежи").map_err(e)?;
    sheet
        .write_string_with_format(0, 0, title, &bold)
        .map_err(e)?;
    for (i, h) in HEAD.iter().enumerate() {
        sheet
            .write_string_with_format(2, i as u16, *h, &bold)
            .map_err(e)?;
    }
    // a kopeck amount shown in roubles: exact for any sum below 2^53 kopecks
    let rub = |m: Money| m.0 as f64 / 100.0;
    let mut row = 3u32;
    for r in rows {
        sheet
            .write_string(row, 0, r.on.format("%d.%m.%Y").to_string())
            .map_err(e)?;
        sheet.write_string(row, 1, &r.account_number).map_err(e)?;
        sheet.write_string(row, 2, &r.address).map_err(e)?;
        sheet.write_string(row, 3, &r.payer).map_err(e)?;
        sheet
            .write_number_with_format(row, 4, rub(r.amount), &money)
            .map_err(e)?;
        sheet.write_string(row, 5, &r.document).map_err(e)?;
        sheet.write_string(row, 6, &r.source).map_err(e)?;
        sheet.write_string(row, 7, &r.payer_account).map_err(e)?;
        row += 1;
    }
    let total: Money = rows.iter().map(|r| r.amount).sum();
    sheet
        .write_string_with_format(row, 3, "Итого", &bold)
        .map_err(e)?;
    sheet
        .write_number_with_format(row, 4, rub(total), &money)
        .map_err(e)?;
    for (col, width) in [
        (0u16, 11.0),
        (1, 14.0),
        (2, 40.0),
        (3, 30.0),
        (4, 12.0),
        (5, 10.0),
        (6, 50.0),
        (7, 22.0),
    ] {
        sheet.set_column_width(col, width).map_err(e)?;
    }
    book.save_to_buffer().map_err(e)
}
