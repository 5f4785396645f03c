//! The words of the debts pages.

use super::types::{AgeBucket, MyOverdue};

pub const TITLE: &str = "Задолженность";
pub const ALL_HOUSES: &str = "Все дома";
pub const HOUSE: &str = "Дом";
pub const SHOW: &str = "Показать";
pub const ON_DAY: &str = "на";
pub const OVERDUE: &str = "Просрочено";
pub const OWED: &str = "Всего к оплате";
pub const PENALTIES: &str = "Пени";
pub const ADVANCE: &str = "Переплата";
pub const DEBTORS: &str = "Должников";
pub const ACCOUNTS: &str = "лицевых счетов";
pub const BY_AGE: &str = "По сроку просрочки";
pub const BY_HOUSE: &str = "По домам";
pub const BY_SERVICE: &str = "По услугам (без пени)";
pub const OTHER_PART: &str = "Перерасчёты и входящий остаток";
pub const HISTORY: &str = "За 12 месяцев";
pub const HISTORY_NOTE: &str = "Просроченный долг на конец месяца, число должников и собираемость: оплачено за месяц ÷ начислено к оплате в этом месяце.";
pub const COLLECTION: &str = "Собираемость";
pub const CHARGED: &str = "Начислено к оплате";
pub const PAID: &str = "Оплачено";
pub const MONTH: &str = "Месяц";
pub const DEBTOR_LIST: &str = "Должники";
pub const ACCOUNT: &str = "Лицевой счёт";
pub const ADDRESS: &str = "Адрес";
pub const NAMES: &str = "Собственники";
pub const SINCE: &str = "Долг с";
pub const NO_DEBTORS: &str = "Просроченных долгов нет.";
pub const LIVE_NOTE: &str = "Считается по начислениям и оплатам на эту минуту: оплата видна сразу, как зачислена. Пени — отдельно.";

/// "Показаны N самых больших долгов из M".
pub fn shown_of(shown: usize, all: u32) -> String {
    format!("Показаны {shown} самых больших долгов из {all}.")
}

/// The column heading of an age bucket.
pub fn bucket_label(bucket: AgeBucket) -> &'static str {
    match bucket {
        AgeBucket::NotDue => "Срок не наступил",
        AgeBucket::Days1To30 => "1–30 дн.",
        AgeBucket::Days31To90 => "31–90 дн.",
        AgeBucket::Days91To180 => "91–180 дн.",
        AgeBucket::Days181To365 => "181–365 дн.",
        AgeBucket::OverYear => "Больше года",
        AgeBucket::OverThreeYears => "Больше 3 лет (срок давности)",
    }
}

pub const CARD_TITLE: &str = "Должник";
pub const ALL_DEBTS: &str = "← Вся задолженность";
pub const STATEMENT: &str = "Все начисления и оплаты";
pub const PEOPLE: &str = "Кто живёт";
pub const NOBODY: &str = "В реестре на сегодня никого нет.";
pub const MONTHS_OWED: &str = "Неоплаченные месяцы";
pub const DUE: &str = "Срок оплаты";
pub const AGE: &str = "Просрочка";
pub const MONTH_CHARGED: &str = "Начислено";
pub const MONTH_OWED: &str = "Не оплачено";
pub const FOR_WHAT: &str = "За что";
pub const NOTHING_OWED: &str = "Долга нет.";

pub const OVERDUE_BANNER: &str = "Срок оплаты прошёл";
pub const PAY: &str = "Оплатить";

/// «Лицевой счёт 77010012 (…, кв. 12): не оплачено 5 430,00 ₽, срок оплаты был 15.10.2026;
/// всего к оплате 10 860,00 ₽.»
pub fn overdue_line(o: &MyOverdue) -> String {
    format!(
        "Лицевой счёт {} ({}): не оплачено {}, срок оплаты был {}; всего к оплате {}.",
        o.number,
        o.address,
        o.overdue.label(),
        o.since.format("%d.%m.%Y"),
        o.owed.label()
    )
}
