//! Matching a bank document to a personal account by what its payer wrote.

use super::*;

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

pub(super) fn strip_zeros(digits: &str) -> &str {
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
pub(super) fn digit_runs(text: &str) -> Vec<&str> {
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

/// Matches a document to an account by the rules of docs/domain.md «Bank payments», in their order: ГИС ЖКХ
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
