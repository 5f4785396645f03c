//! Pure rules of payments (docs/domain.md «Bank payments»): reading and writing a 1CClientBankExchange
//! statement, and matching a bank document to a personal account by what its payer wrote.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::types::{MatchRule, OnlineStatus};
use crate::billing::rules::Payee;
use crate::billing::types::Money;

mod matching;
mod statement;
mod tbank;
pub use matching::*;
pub use statement::*;
pub use tbank::*;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    /// The real-world sample (open-condo-software/condo, MIT), Windows-1251 with CRLF.
    const SAMPLE: &[u8] = include_bytes!("../../../../docs/samples/bank-statement-cp1251.txt");

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
