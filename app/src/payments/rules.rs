//! Pure rules of payments (DOMAIN.md §4, §9): reading and writing a 1CClientBankExchange
//! statement, and matching a bank document to a personal account by what its payer wrote.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::types::{MatchRule, OnlineStatus};
use crate::billing::rules::Payee;
use crate::billing::types::Money;

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
fn statement_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%d.%m.%Y").ok()
}

/// `1052.98`, `700`, `1052,98` as kopecks (more than two decimals is an error).
fn statement_sum(s: &str) -> Option<Money> {
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

/// A personal account as matching sees it.
#[derive(Debug, Clone, Default)]
pub struct AccountCard {
    pub id: i64,
    pub number: String,
    /// ГИС ЖКХ единый лицевой счёт, when known.
    pub els: Option<String>,
    pub flat: String,
    /// Residents' full names, normalised (`normal_name`).
    pub names: Vec<String>,
}

/// Everything a statement's documents are matched against.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    cards: Vec<AccountCard>,
    by_number: HashMap<String, usize>,
    by_els: HashMap<String, usize>,
    /// A payer's bank account or INN → the account its earlier payments were assigned to
    /// (only payers that always paid for one account).
    by_payer: HashMap<String, i64>,
}

impl Directory {
    /// `learned`: (payer's bank account or INN, account id) of payments already posted from a
    /// statement.
    pub fn new(cards: Vec<AccountCard>, learned: &[(String, i64)]) -> Directory {
        let mut by_number = HashMap::new();
        let mut by_els = HashMap::new();
        for (i, c) in cards.iter().enumerate() {
            by_number.insert(strip_zeros(&c.number).to_string(), i);
            if let Some(els) = &c.els {
                by_els.insert(els.to_uppercase(), i);
            }
        }
        let mut payers: HashMap<String, Option<i64>> = HashMap::new();
        for (payer, account) in learned.iter().filter(|(p, _)| !p.trim().is_empty()) {
            payers
                .entry(payer.trim().to_string())
                .and_modify(|a| {
                    if *a != Some(*account) {
                        *a = None;
                    }
                })
                .or_insert(Some(*account));
        }
        Directory {
            cards,
            by_number,
            by_els,
            by_payer: payers
                .into_iter()
                .filter_map(|(p, a)| Some((p, a?)))
                .collect(),
        }
    }

    fn by_number(&self, digits: &str) -> Option<&AccountCard> {
        self.by_number
            .get(strip_zeros(digits))
            .map(|&i| &self.cards[i])
    }
}

fn strip_zeros(digits: &str) -> &str {
    let s = digits.trim_start_matches('0');
    if s.is_empty() { digits } else { s }
}

/// A name compared loosely: lower case, ё as е, single spaces.
pub fn normal_name(s: &str) -> String {
    s.to_lowercase()
        .replace('ё', "е")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An account a document was matched to, by which rule, how sure (percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub account_id: i64,
    pub rule: MatchRule,
    pub confidence: u8,
}

impl Match {
    /// Sure enough to be credited without the accountant.
    pub fn is_sure(&self) -> bool {
        self.confidence >= SURE
    }
}

/// From this confidence on a payment is credited at once; below it waits in the queue.
pub const SURE: u8 = 95;

/// Runs of digits in `text` (as written, leading zeros kept).
fn digit_runs(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Numbers written after a personal-account marker: `л/с 123`, `ЛС: 123`, `лиц. сч. №123`,
/// `лицевой счет 123`.
pub fn account_numbers_in(purpose: &str) -> Vec<String> {
    let text = normal_name(purpose);
    const MARKERS: [&str; 8] = [
        "лицевой счет",
        "лицевому счету",
        "лиц. сч.",
        "лиц.сч.",
        "лиц сч",
        "л/сч",
        "л/с",
        "лс",
    ];
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let at_word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        let marker = at_word_start
            .then(|| {
                MARKERS.iter().find(|m| {
                    let m: Vec<char> = m.chars().collect();
                    chars[i..].starts_with(&m)
                        && chars.get(i + m.len()).is_none_or(|c| !c.is_alphabetic())
                })
            })
            .flatten();
        let Some(marker) = marker else {
            i += 1;
            continue;
        };
        let mut j = i + marker.chars().count();
        // separators between the marker and the number: spaces, `:`, `.`, `№`, `-`, `#`
        while j < chars.len() && (j - i) < marker.chars().count() + 4 {
            if matches!(chars[j], ' ' | ':' | '.' | '№' | '-' | '#' | '=') {
                j += 1;
            } else {
                break;
            }
        }
        let digits: String = chars[j..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if !digits.is_empty() {
            found.push(digits.clone());
        }
        i = j + digits.len().max(1);
    }
    found
}

/// ГИС ЖКХ identifiers after `ЖКУ` or `ЕЛС` (`///ЖКУ12АБ345678-01;`): the ЕЛС part, upper case.
pub fn els_in(purpose: &str) -> Vec<String> {
    let upper = purpose.to_uppercase();
    let mut found = Vec::new();
    for marker in ["ЖКУ", "ЕЛС"] {
        for (at, _) in upper.match_indices(marker) {
            let id: String = upper[at + marker.len()..]
                .trim_start_matches([' ', ':', '№'])
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            if id.chars().count() == 10 {
                found.push(id);
            }
        }
    }
    found
}

/// The flat number written as `кв. 12`, `кв.12`, `квартира 12`.
pub fn flat_in(purpose: &str) -> Option<String> {
    let text = normal_name(purpose);
    for marker in ["квартира", "кв."] {
        if let Some(at) = text.find(marker) {
            let before = text[..at].chars().last();
            if before.is_some_and(|c| c.is_alphabetic()) {
                continue;
            }
            let rest = text[at + marker.len()..].trim_start_matches([' ', '№']);
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() {
                return Some(digits);
            }
        }
    }
    text.find("кв ").and_then(|at| {
        let digits: String = text[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        (!digits.is_empty()).then_some(digits)
    })
}

/// Matches a document to an account by the rules of DOMAIN.md §4, in their order: ГИС ЖКХ
/// identifiers, the `Код` field, a personal-account number after its marker in the purpose
/// (these three are sure unless they disagree), then — only suggestions for the accountant —
/// an account number anywhere in the purpose, the payer's earlier payments, the flat with the
/// payer's surname, the payer's full name.
pub fn match_document(doc: &BankDocument, dir: &Directory) -> Option<Match> {
    let mut strong: Vec<Match> = Vec::new();
    let add = |list: &mut Vec<Match>, card: Option<&AccountCard>, rule, confidence| {
        if let Some(card) = card {
            list.push(Match {
                account_id: card.id,
                rule,
                confidence,
            });
        }
    };
    for els in els_in(&doc.purpose) {
        add(
            &mut strong,
            dir.by_els.get(&els).map(|&i| &dir.cards[i]),
            MatchRule::Gis,
            100,
        );
    }
    let code: String = doc.code.trim().to_string();
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) && code != "0" {
        add(&mut strong, dir.by_number(&code), MatchRule::Code, 100);
    }
    for number in account_numbers_in(&doc.purpose) {
        add(
            &mut strong,
            dir.by_number(&number),
            MatchRule::PurposeAccount,
            SURE,
        );
    }
    if let Some(first) = strong.first().copied() {
        return Some(if strong.iter().all(|m| m.account_id == first.account_id) {
            first
        } else {
            // the payer named two different accounts: the accountant decides
            Match {
                rule: MatchRule::Conflict,
                confidence: 50,
                ..first
            }
        });
    }
    let in_text: Vec<&AccountCard> = digit_runs(&doc.purpose)
        .into_iter()
        .filter(|d| d.len() >= 5)
        .filter_map(|d| dir.by_number(d))
        .collect();
    if let Some(card) = in_text.first() {
        return Some(Match {
            account_id: card.id,
            rule: MatchRule::NumberInText,
            confidence: 70,
        });
    }
    for payer in [&doc.payer_account, &doc.payer_inn] {
        if let Some(&account_id) = dir.by_payer.get(payer.trim()) {
            return Some(Match {
                account_id,
                rule: MatchRule::KnownPayer,
                confidence: 70,
            });
        }
    }
    let payer = normal_name(&doc.payer);
    let surname = payer.split(' ').next().unwrap_or("");
    if let Some(flat) = flat_in(&doc.purpose).filter(|_| !surname.is_empty()) {
        let found: Vec<&AccountCard> = dir
            .cards
            .iter()
            .filter(|c| strip_zeros(&c.flat) == strip_zeros(&flat))
            .filter(|c| c.names.iter().any(|n| n.split(' ').next() == Some(surname)))
            .collect();
        if let [card] = found.as_slice() {
            return Some(Match {
                account_id: card.id,
                rule: MatchRule::FlatAndPayer,
                confidence: 60,
            });
        }
    }
    let by_name: Vec<&AccountCard> = dir
        .cards
        .iter()
        .filter(|c| !payer.is_empty() && c.names.contains(&payer))
        .collect();
    match by_name.as_slice() {
        [card] => Some(Match {
            account_id: card.id,
            rule: MatchRule::Payer,
            confidence: 40,
        }),
        _ => None,
    }
}

/// The status an online payment moves to when the bank reports `reported` (T-Bank API v2's
/// names). Never backwards — a late `AUTHORIZED` after `CONFIRMED` changes nothing — and a
/// confirmation wins over anything but a refund, because the money was taken. Only a
/// confirmed payment is refunded (`REFUNDED`: the whole amount back to the card); a partial
/// refund or a reversal of a payment not yet confirmed changes nothing here and is the
/// accountant's to record.
pub fn advance(current: OnlineStatus, reported: &str) -> OnlineStatus {
    use OnlineStatus::*;
    let to = match reported {
        "CONFIRMED" => Confirmed,
        "REFUNDED" => Refunded,
        "CANCELED" => Cancelled,
        "REJECTED" | "AUTH_FAIL" => Rejected,
        "DEADLINE_EXPIRED" => Expired,
        "NEW" | "FORM_SHOWED" | "AUTHORIZING" | "3DS_CHECKING" | "3DS_CHECKED" | "AUTHORIZED"
        | "CONFIRMING" => Pending,
        _ => return current,
    };
    match (current, to) {
        (Refunded, _) => Refunded,
        (Confirmed, Refunded) => Refunded,
        (_, Refunded) => current,
        (Confirmed, _) | (_, Confirmed) => Confirmed,
        (now, _) if now.is_final() => now,
        (_, to) => to,
    }
}

/// T-Bank API v2's request and notification signature (DOMAIN.md §10): the root-level scalar
/// fields except `Token`, plus `Password`, sorted by key, values concatenated, SHA-256, hex.
#[cfg(feature = "ssr")]
pub fn tbank_token(fields: &serde_json::Map<String, serde_json::Value>, password: &str) -> String {
    use serde_json::Value;
    use sha2::{Digest, Sha256};
    let mut pairs: Vec<(&str, String)> = fields
        .iter()
        .filter(|(k, _)| k.as_str() != "Token")
        .filter_map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null | Value::Array(_) | Value::Object(_) => return None,
            };
            Some((k.as_str(), text))
        })
        .collect();
    pairs.push(("Password", password.to_string()));
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let joined: String = pairs.into_iter().map(|(_, v)| v).collect();
    Sha256::digest(joined.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    /// The real-world sample (open-condo-software/condo, MIT), Windows-1251 with CRLF.
    const SAMPLE: &[u8] = include_bytes!("../../../docs/samples/bank-statement-cp1251.txt");

    fn sample() -> Statement {
        let text = encoding_rs::WINDOWS_1251.decode(SAMPLE).0;
        parse_statement(&text).expect("the sample parses")
    }

    fn card(id: i64, number: &str, flat: &str, names: &[&str]) -> AccountCard {
        AccountCard {
            id,
            number: number.into(),
            els: None,
            flat: flat.into(),
            names: names.iter().map(|n| normal_name(n)).collect(),
        }
    }

    fn doc(code: &str, purpose: &str, payer: &str) -> BankDocument {
        BankDocument {
            code: code.into(),
            purpose: purpose.into(),
            payer: payer.into(),
            payer_account: "40817810000000000001".into(),
            ..BankDocument::default()
        }
    }

    #[test]
    fn the_sample_has_two_incoming_payments_of_four_documents() {
        let s = sample();
        assert_eq!(s.header.account, "40702810801500116391");
        assert_eq!(s.header.from, NaiveDate::from_ymd_opt(2022, 4, 1));
        assert_eq!(s.documents.len(), 4);
        let incoming: Vec<&BankDocument> =
            s.documents.iter().filter(|d| s.is_incoming(d)).collect();
        assert_eq!(incoming.len(), 2);
        let first = incoming[0];
        assert_eq!(first.number, "6032");
        assert_eq!(first.amount, Money(105_298));
        assert_eq!(first.payer, "Иванов Иван Иванович");
        assert_eq!(first.code, "50133547364");
        assert_eq!(first.received_on, NaiveDate::from_ymd_opt(2022, 4, 15));
        assert_eq!(first.purpose, "ЛС: 50133547364");
    }

    #[test]
    fn the_samples_payments_match_by_code_and_by_purpose() {
        let s = sample();
        let dir = Directory::new(
            vec![
                card(1, "50133547364", "7", &["Иванов Иван Иванович"]),
                card(2, "1234567", "321", &[]),
            ],
            &[],
        );
        let found: Vec<Option<Match>> = s
            .documents
            .iter()
            .filter(|d| s.is_incoming(d))
            .map(|d| match_document(d, &dir))
            .collect();
        assert_eq!(
            found,
            vec![
                Some(Match {
                    account_id: 1,
                    rule: MatchRule::Code,
                    confidence: 100
                }),
                Some(Match {
                    account_id: 2,
                    rule: MatchRule::PurposeAccount,
                    confidence: SURE
                }),
            ]
        );
        assert!(found.iter().flatten().all(Match::is_sure));
    }

    #[test]
    fn tricky_purposes() {
        let mut with_els = card(5, "7701000555", "55", &["Сидорова Анна"]);
        with_els.els = Some("12АБ345678".into());
        let dir = Directory::new(
            vec![
                card(1, "0012345", "12", &["Петров Пётр Петрович"]),
                card(
                    2,
                    "7701000042",
                    "42",
                    &["Кузнецова Мария Ивановна", "Кузнецов Олег"],
                ),
                card(3, "7702000042", "42", &["Смирнов Ил"]),
                card(4, "7701000099", "99", &["Иванов Иван Иванович"]),
                with_els,
            ],
            &[("40817810000000000777".to_string(), 4)],
        );
        let m = |code: &str, purpose: &str, payer: &str| {
            match_document(&doc(code, purpose, payer), &dir).map(|m| (m.account_id, m.rule))
        };
        use MatchRule::*;
        let cases = [
            (
                m("", "Оплата ЖКУ л/с №12345 за октябрь 2026", ""),
                Some((1, PurposeAccount)),
            ),
            (
                m("", "оплата за лиц. сч. 0012345", ""),
                Some((1, PurposeAccount)),
            ),
            (
                m("", "Квартплата ЛС:7701000042;ПЕР1026", ""),
                Some((2, PurposeAccount)),
            ),
            (m("", "ЛС7701000042 октябрь", ""), Some((2, PurposeAccount))),
            (
                m("", "лицевой счет 7701000042, кв 42", ""),
                Some((2, PurposeAccount)),
            ),
            (m("", "///ЖКУ12АБ345678-01;ПЕР1026;", ""), Some((5, Gis))),
            (m("0", "ЕЛС 12аб345678 за ноябрь", ""), Some((5, Gis))),
            (m("7701000042", "", ""), Some((2, Code))),
            // the code and the purpose disagree: the accountant decides
            (m("7701000042", "л/с 7701000099", ""), Some((2, Conflict))),
            (
                m("", "коммуналка 7701000099 ноябрь", ""),
                Some((4, NumberInText)),
            ),
            // flat 42 is in two houses; the surname tells which
            (
                m("", "Квартплата кв.42 за октябрь", "КУЗНЕЦОВ ОЛЕГ"),
                Some((2, FlatAndPayer)),
            ),
            (
                m("", "Квартплата кв.42 за октябрь", "Смирнов Ил"),
                Some((3, FlatAndPayer)),
            ),
            (m("", "Квартплата квартира 42", "Орлов Иван"), None),
            (m("", "за ЖКУ", "петров пётр петрович"), Some((1, Payer))),
            // a phone number and a contract are not accounts; "плс" is no marker
            (m("", "тел. 89161234567, договор 555", ""), None),
            (m("", "оплата плс 12345", ""), Some((1, NumberInText))),
            (m("", "Оплата услуг", "Незнакомец"), None),
        ];
        for (i, (got, want)) in cases.into_iter().enumerate() {
            assert_eq!(got, want, "case {i}");
        }
        let known = BankDocument {
            payer_account: "40817810000000000777".into(),
            purpose: "оплата".into(),
            ..BankDocument::default()
        };
        assert_eq!(
            match_document(&known, &dir).map(|m| (m.account_id, m.rule, m.is_sure())),
            Some((4, KnownPayer, false))
        );
    }

    #[test]
    fn a_payer_who_paid_for_two_accounts_is_not_learned() {
        let dir = Directory::new(
            vec![card(1, "100001", "1", &[]), card(2, "100002", "2", &[])],
            &[
                ("p".to_string(), 1),
                ("p".to_string(), 2),
                ("q".to_string(), 2),
            ],
        );
        let by = |payer: &str| {
            let d = BankDocument {
                payer_inn: payer.into(),
                ..BankDocument::default()
            };
            match_document(&d, &dir).map(|m| m.account_id)
        };
        assert_eq!(by("p"), None);
        assert_eq!(by("q"), Some(2));
    }

    fn lines(text: &str) -> String {
        text.lines().map(str::trim).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn broken_files_are_refused_with_their_lines() {
        let head = "1CClientBankExchange\nВерсияФормата=1.03\nРасчСчет=40702810000000000001\n";
        let doc = "СекцияДокумент=Платежное поручение\nНомер=1\nДата=01.10.2026\nСумма=100.00\nКонецДокумента\n";
        let ok = format!("{head}{doc}КонецФайла\n");
        assert!(parse_statement(&ok).is_ok());
        let cases = [
            (
                "Выписка\nНомер=1\n".to_string(),
                "Строка 1: это не выписка 1С",
            ),
            (format!("{head}{doc}"), "нет последней строки «КонецФайла»"),
            (
                format!(
                    "{head}{}КонецФайла\n",
                    doc.replace("Сумма=100.00", "Сумма=100,5р")
                ),
                "Строка 7: сумма «100,5р»",
            ),
            (
                format!(
                    "{head}{}КонецФайла\n",
                    doc.replace("Сумма=100.00", "Сумма=-5")
                ),
                "Строка 7: сумма «-5»",
            ),
            (
                format!(
                    "{head}{}КонецФайла\n",
                    doc.replace("Дата=01.10.2026", "Дата=2026-10-01")
                ),
                "Строка 6: дата документа «2026-10-01»",
            ),
            (
                format!("{head}{}КонецФайла\n", doc.replace("Номер=1\n", "")),
                "Строка 4: у документа нет номера",
            ),
            (
                format!("{head}{}КонецФайла\n", doc.replace("КонецДокумента\n", "")),
                "Строка 8: документ со строки 4 не закрыт",
            ),
            (
                format!(
                    "{head}{}{doc}КонецФайла\n",
                    doc.replace("КонецДокумента\n", "")
                ),
                "Строка 8: новый документ, а документ со строки 4 не закрыт",
            ),
            (
                format!("{head}{}КонецФайла\n", doc.replace("Номер=1", "мусор")),
                "Строка 5: «мусор» — ожидается «Ключ=Значение»",
            ),
            (
                format!("{head}{doc}КонецФайла\nЕщё=1\n"),
                "Строка 10: после «КонецФайла»",
            ),
        ];
        for (text, want) in cases {
            let errors = parse_statement(&text).expect_err(want);
            assert!(
                errors.iter().any(|e| e.contains(want)),
                "{want:?} not in {errors:?} for\n{}",
                lines(&text)
            );
        }
    }

    #[test]
    fn an_exported_statement_reads_back() {
        let to = Payee {
            name: "ТСЖ «Ключ»".into(),
            inn: "7701234567".into(),
            kpp: "770101001".into(),
            account: "40703810900000000001".into(),
            bank_name: "ПАО Банк".into(),
            bic: "044525225".into(),
            corr_account: "30101810400000000225".into(),
        };
        let on = NaiveDate::from_ymd_opt(2026, 10, 5).expect("date");
        let payments = vec![
            ExportPayment {
                number: "17".into(),
                on,
                amount: Money(523_407),
                payer: "Иванов И.\nИ.".into(),
                payer_inn: String::new(),
                payer_account: "40817810000000000001".into(),
                purpose: "Оплата ЖКУ л/с 77010012 за 09.2026".into(),
            },
            ExportPayment {
                number: "18".into(),
                on,
                amount: Money(5),
                payer: "Петров".into(),
                payer_inn: "770100000001".into(),
                payer_account: "40817810000000000002".into(),
                purpose: "л/с 77010013".into(),
            },
        ];
        let created = on.and_hms_opt(10, 0, 0).expect("time");
        let text = write_statement(&to, on, on, created, &payments);
        assert!(text.contains("\r\nСумма=5234.07\r\n") && text.contains("\r\nСумма=0.05\r\n"));
        let back = parse_statement(&text).expect("reads back");
        assert_eq!(back.documents.len(), 2);
        assert!(back.documents.iter().all(|d| back.is_incoming(d)));
        assert_eq!(back.documents[0].amount, Money(523_407));
        assert_eq!(back.documents[0].payer, "Иванов И. И.");
        assert_eq!(back.documents[1].payer_inn, "770100000001");
        assert_eq!(back.documents[1].purpose, "л/с 77010013");
        let windows = encoding_rs::WINDOWS_1251.encode(&text).0;
        assert_eq!(encoding_rs::WINDOWS_1251.decode(&windows).0, text);
    }

    #[test]
    fn the_token_of_the_worked_example() {
        let fields = serde_json::json!({
            "TerminalKey": "MerchantTerminalKey",
            "Amount": 19200,
            "OrderId": "00000",
            "Description": "Подарочная карта на 1000 рублей",
            "Receipt": {"Email": "a@test.ru", "Items": []},
            "DATA": {"Phone": "+71234567890"},
        });
        let fields = fields.as_object().expect("an object");
        assert_eq!(
            tbank_token(fields, "11111111111111"),
            "72dd466f8ace0a37a1f740ce5fb78101712bc0665d91a8108c7c8a0ccd426db2"
        );
        // a notification: booleans as true/false, the Token itself left out
        let note = serde_json::json!({
            "TerminalKey": "T", "OrderId": "1", "Success": true, "Status": "CONFIRMED",
            "PaymentId": 13660, "ErrorCode": "0", "Amount": 100, "Token": "whatever",
        });
        let note = note.as_object().expect("an object");
        // Amount, ErrorCode, OrderId, Password, PaymentId, Status, Success, TerminalKey
        use sha2::{Digest, Sha256};
        let expected: String = Sha256::digest("10001pw13660CONFIRMEDtrueT".as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(tbank_token(note, "pw"), expected);
    }

    #[test]
    fn a_payment_never_goes_backwards_and_only_a_refund_undoes_a_confirmation() {
        use OnlineStatus::*;
        let cases = [
            (New, "AUTHORIZED", Pending),
            (Pending, "CONFIRMED", Confirmed),
            (Confirmed, "AUTHORIZED", Confirmed),
            (Confirmed, "REJECTED", Confirmed),
            (Pending, "REJECTED", Rejected),
            (Rejected, "AUTHORIZED", Rejected),
            (Expired, "CONFIRMED", Confirmed),
            (Rejected, "CONFIRMED", Confirmed),
            (Pending, "DEADLINE_EXPIRED", Expired),
            // the payer's cancel and the bank's decline are different outcomes
            (Pending, "CANCELED", Cancelled),
            (New, "CANCELED", Cancelled),
            (Pending, "AUTH_FAIL", Rejected),
            (Cancelled, "CONFIRMED", Confirmed),
            (Cancelled, "REJECTED", Cancelled),
            // a refund undoes a confirmation, and nothing undoes a refund
            (Confirmed, "REFUNDED", Refunded),
            (Refunded, "CONFIRMED", Refunded),
            (Pending, "REFUNDED", Pending),
            (Rejected, "REFUNDED", Rejected),
            (Confirmed, "PARTIAL_REFUNDED", Confirmed),
            (Pending, "SOMETHING_NEW", Pending),
        ];
        for (from, reported, to) in cases {
            assert_eq!(advance(from, reported), to, "{from:?} + {reported}");
        }
    }
}
