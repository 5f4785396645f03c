//! The 1CClientBankExchange statement: read from the bank, written for accounting.

use super::*;

/// A statement's header: whose account it is and for which days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementHeader {
    pub sender: String,
    /// The organisation's расчётный счёт the statement is of.
    pub account: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One payment document of a statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankDocument {
    /// The line its `СекцияДокумент` starts on.
    pub line: usize,
    pub kind: String,
    pub number: String,
    pub date: Option<NaiveDate>,
    pub amount: Money,
    pub payer: String,
    pub payer_inn: String,
    pub payer_account: String,
    pub recipient: String,
    pub recipient_inn: String,
    pub recipient_account: String,
    /// `ДатаПоступило`: when the money came in (empty on outgoing documents).
    pub received_on: Option<NaiveDate>,
    pub code: String,
    pub purpose: String,
}

impl BankDocument {
    /// What identifies the document in any statement it appears in (statements of overlapping
    /// days repeat documents): its date, number, sum and the payer's account.
    pub fn key(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.date.map(|d| d.to_string()).unwrap_or_default(),
            self.number,
            self.amount.0,
            self.payer_account
        )
    }

    /// The day the money is credited on: when it came in, else the document's date.
    pub fn credited_on(&self) -> Option<NaiveDate> {
        self.received_on.or(self.date)
    }
}

/// A parsed statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statement {
    pub header: StatementHeader,
    /// Accounts of the balance sections (`СекцияРасчСчет`), the header's among them.
    pub accounts: Vec<String>,
    pub documents: Vec<BankDocument>,
}

impl Statement {
    /// Whether money came in to the organisation by this document (rather than went out).
    pub fn is_incoming(&self, doc: &BankDocument) -> bool {
        let ours = |a: &str| !a.is_empty() && self.accounts.iter().any(|o| o == a);
        if self.accounts.is_empty() {
            return doc.received_on.is_some();
        }
        ours(&doc.recipient_account) && !ours(&doc.payer_account)
    }
}

/// `15.04.2022` (the format's only date form).
pub(super) fn statement_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%d.%m.%Y").ok()
}

/// `1052.98`, `700`, `1052,98` as kopecks (more than two decimals is an error).
pub(super) fn statement_sum(s: &str) -> Option<Money> {
    let s = s.trim().replace(',', ".");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let rubles: i64 = whole.parse().ok()?;
    let kopecks: i64 = format!("{frac:0<2}").parse().ok()?;
    rubles.checked_mul(100)?.checked_add(kopecks).map(Money)
}

/// Reads a statement in the 1CClientBankExchange format (text already decoded). A file that
/// breaks the format anywhere is refused as a whole: every problem comes back with its line.
pub fn parse_statement(text: &str) -> Result<Statement, Vec<String>> {
    let mut errors = Vec::new();
    let mut statement = Statement::default();
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    match lines.find(|(_, l)| !l.is_empty()) {
        Some((_, l)) if l.trim_start_matches('\u{feff}') == "1CClientBankExchange" => {}
        _ => {
            return Err(vec![
                "Строка 1: это не выписка 1С — файл должен начинаться со строки «1CClientBankExchange».".into(),
            ]);
        }
    }
    enum Section {
        Header,
        Balance,
        Document(Box<BankDocument>, HashSet<&'static str>),
    }
    let mut section = Section::Header;
    let mut ended = false;
    for (n, line) in lines {
        if line.is_empty() {
            continue;
        }
        if ended {
            errors.push(format!(
                "Строка {n}: после «КонецФайла» ничего быть не должно."
            ));
            break;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        let (key, value) = (key.trim(), value.trim());
        match (&mut section, key) {
            (_, "КонецФайла") => {
                if let Section::Document(doc, _) = &section {
                    errors.push(format!(
                        "Строка {n}: документ со строки {} не закрыт «КонецДокумента».",
                        doc.line
                    ));
                }
                section = Section::Header;
                ended = true;
            }
            (Section::Header, "СекцияРасчСчет") => section = Section::Balance,
            (Section::Balance, "КонецРасчСчет") => section = Section::Header,
            (Section::Balance, "РасчСчет") => {
                if !statement.accounts.iter().any(|a| a == value) {
                    statement.accounts.push(value.to_string());
                }
            }
            (Section::Balance, _) => {}
            (Section::Header, "СекцияДокумент") => {
                let doc = BankDocument {
                    line: n,
                    kind: value.to_string(),
                    ..BankDocument::default()
                };
                section = Section::Document(Box::new(doc), HashSet::new());
            }
            (Section::Header, "РасчСчет") => {
                statement.header.account = value.to_string();
                if !value.is_empty() && !statement.accounts.iter().any(|a| a == value) {
                    statement.accounts.push(value.to_string());
                }
            }
            (Section::Header, "Отправитель") => {
                statement.header.sender = value.to_string()
            }
            (Section::Header, "ДатаНачала" | "ДатаКонца") => {
                match statement_date(value) {
                    Some(d) if key == "ДатаНачала" => statement.header.from = Some(d),
                    Some(d) => statement.header.to = Some(d),
                    None => {
                        errors.push(format!("Строка {n}: дата «{value}» не в виде ДД.ММ.ГГГГ."))
                    }
                }
            }
            (Section::Header, "КонецДокумента" | "КонецРасчСчет") => {
                errors.push(format!("Строка {n}: «{key}» без начала секции."));
            }
            (Section::Header, _) => {
                if !line.contains('=') {
                    errors.push(format!("Строка {n}: «{line}» — ожидается «Ключ=Значение»."));
                }
            }
            (Section::Document(doc, _), "СекцияДокумент") => {
                errors.push(format!(
                    "Строка {n}: новый документ, а документ со строки {} не закрыт «КонецДокумента».",
                    doc.line
                ));
                section = Section::Document(
                    Box::new(BankDocument {
                        line: n,
                        kind: value.to_string(),
                        ..BankDocument::default()
                    }),
                    HashSet::new(),
                );
            }
            (Section::Document(..), "КонецДокумента") => {
                let Section::Document(doc, seen) = std::mem::replace(&mut section, Section::Header)
                else {
                    continue;
                };
                for (field, label) in [("Номер", "номера"), ("Дата", "даты"), ("Сумма", "суммы")]
                {
                    if !seen.contains(field) {
                        errors.push(format!(
                            "Строка {}: у документа нет {label} («{field}=»).",
                            doc.line
                        ));
                    }
                }
                statement.documents.push(*doc);
            }
            (Section::Document(doc, seen), _) => {
                if !line.contains('=') {
                    errors.push(format!("Строка {n}: «{line}» — ожидается «Ключ=Значение»."));
                    continue;
                }
                let field = match key {
                    "Номер" => {
                        doc.number = value.to_string();
                        "Номер"
                    }
                    "Дата" => {
                        doc.date = statement_date(value);
                        if doc.date.is_none() {
                            errors.push(format!(
                                "Строка {n}: дата документа «{value}» не в виде ДД.ММ.ГГГГ."
                            ));
                        }
                        "Дата"
                    }
                    "Сумма" => {
                        match statement_sum(value) {
                            Some(m) if m.0 > 0 => doc.amount = m,
                            _ => errors.push(format!(
                                "Строка {n}: сумма «{value}» — нужно число больше нуля, например 1052.98."
                            )),
                        }
                        "Сумма"
                    }
                    "ДатаПоступило" => {
                        if !value.is_empty() {
                            doc.received_on = statement_date(value);
                            if doc.received_on.is_none() {
                                errors.push(format!(
                                    "Строка {n}: дата поступления «{value}» не в виде ДД.ММ.ГГГГ."
                                ));
                            }
                        }
                        "ДатаПоступило"
                    }
                    // `Плательщик1` is the name; `Плательщик` may be "ИНН … Name" in old files.
                    "Плательщик1" => {
                        doc.payer = value.to_string();
                        "Плательщик1"
                    }
                    "Плательщик" if !seen.contains("Плательщик1") => {
                        doc.payer = value.to_string();
                        "Плательщик"
                    }
                    "ПлательщикИНН" => {
                        doc.payer_inn = value.to_string();
                        "ПлательщикИНН"
                    }
                    "ПлательщикСчет" | "ПлательщикРасчСчет" if doc.payer_account.is_empty() =>
                    {
                        doc.payer_account = value.to_string();
                        "ПлательщикСчет"
                    }
                    "Получатель1" => {
                        doc.recipient = value.to_string();
                        "Получатель1"
                    }
                    "Получатель" if !seen.contains("Получатель1") => {
                        doc.recipient = value.to_string();
                        "Получатель"
                    }
                    "ПолучательИНН" => {
                        doc.recipient_inn = value.to_string();
                        "ПолучательИНН"
                    }
                    "ПолучательСчет" | "ПолучательРасчСчет" if doc.recipient_account.is_empty() =>
                    {
                        doc.recipient_account = value.to_string();
                        "ПолучательСчет"
                    }
                    "Код" => {
                        doc.code = value.to_string();
                        "Код"
                    }
                    "НазначениеПлатежа" => {
                        doc.purpose = value.to_string();
                        "НазначениеПлатежа"
                    }
                    _ => "",
                };
                if !field.is_empty() {
                    seen.insert(field);
                }
            }
        }
    }
    if let Section::Document(doc, _) = &section {
        errors.push(format!(
            "Строка {}: документ не закрыт «КонецДокумента» — файл оборван?",
            doc.line
        ));
    } else if !ended {
        errors.push("Файл оборван: нет последней строки «КонецФайла».".into());
    }
    if errors.is_empty() {
        Ok(statement)
    } else {
        Err(errors)
    }
}

/// A received payment as it goes to accounting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPayment {
    pub number: String,
    pub on: NaiveDate,
    pub amount: Money,
    pub payer: String,
    pub payer_inn: String,
    pub payer_account: String,
    pub purpose: String,
}

/// Received payments as a 1CClientBankExchange file (CRLF lines; the caller encodes it in
/// Windows-1251 as the header says). `parse_statement` reads it back.
pub fn write_statement(
    to: &Payee,
    from: NaiveDate,
    till: NaiveDate,
    created: chrono::NaiveDateTime,
    payments: &[ExportPayment],
) -> String {
    let d = |d: NaiveDate| d.format("%d.%m.%Y").to_string();
    let sum = |m: Money| format!("{}.{:02}", m.0 / 100, m.0 % 100);
    let one_line = |s: &str| s.replace(['\r', '\n'], " ");
    let mut lines: Vec<String> = vec![
        "1CClientBankExchange".into(),
        "ВерсияФормата=1.03".into(),
        "Кодировка=Windows".into(),
        "Отправитель=Ключ".into(),
        "Получатель=".into(),
        format!("ДатаСоздания={}", d(created.date())),
        format!("ВремяСоздания={}", created.format("%H:%M:%S")),
        format!("ДатаНачала={}", d(from)),
        format!("ДатаКонца={}", d(till)),
        format!("РасчСчет={}", to.account),
        "Документ=Платежное поручение".into(),
        "СекцияРасчСчет".into(),
        format!("ДатаНачала={}", d(from)),
        format!("ДатаКонца={}", d(till)),
        format!("РасчСчет={}", to.account),
        format!(
            "ВсегоПоступило={}",
            sum(payments.iter().map(|p| p.amount).sum())
        ),
        "ВсегоСписано=0.00".into(),
        "КонецРасчСчет".into(),
    ];
    for p in payments {
        lines.extend([
            "СекцияДокумент=Платежное поручение".into(),
            format!("Номер={}", one_line(&p.number)),
            format!("Дата={}", d(p.on)),
            format!("Сумма={}", sum(p.amount)),
            format!("ПлательщикСчет={}", p.payer_account),
            format!("Плательщик1={}", one_line(&p.payer)),
            format!("ПлательщикИНН={}", p.payer_inn),
            format!("ПолучательСчет={}", to.account),
            format!("ДатаПоступило={}", d(p.on)),
            format!("Получатель1={}", one_line(&to.name)),
            format!("ПолучательИНН={}", to.inn),
            format!("ПолучательКПП={}", to.kpp),
            format!("ПолучательРасчСчет={}", to.account),
            format!("ПолучательБанк1={}", one_line(&to.bank_name)),
            format!("ПолучательБИК={}", to.bic),
            format!("ПолучательКорсчет={}", to.corr_account),
            "ВидОплаты=01".into(),
            "Очередность=5".into(),
            format!("НазначениеПлатежа={}", one_line(&p.purpose)),
            "КонецДокумента".into(),
        ]);
    }
    lines.push("КонецФайла".into());
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    text
}
