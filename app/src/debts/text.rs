//! The words of the debts pages.

use super::types::{
    Addressees, AgeBucket, CallOutcome, ContactKind, DryRunLine, HouseEntrances, MyOverdue,
    PromiseStatus, SegmentFilter, StepOutcome,
};

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

pub const SEGMENTS: &str = "Сегменты и рассылки";
pub const SEGMENTS_HINT: &str = "Сегмент — сохранённый отбор должников. Состав и суммы считаются заново при каждом открытии: оплатившие выпадают сами.";
pub const NEW_SEGMENT: &str = "Новый сегмент";
pub const SEGMENT_NAME: &str = "Название";
pub const ENTRANCE: &str = "Подъезд";
pub const ANY_ENTRANCE: &str = "Любой";
pub const MIN_AGE: &str = "Просрочка не меньше";
pub const MIN_OVERDUE: &str = "Просрочено не меньше, ₽";
pub const MIN_MONTHS: &str = "Долг больше N месячных начислений";
pub const ADDRESSEES: &str = "Кому писать";
pub const EVERYONE: &str = "Всем, кто живёт";
pub const OWNERS: &str = "Собственникам";
pub const TENANTS: &str = "Нанимателям и членам семьи";
pub const CHANNEL: &str = "Доступен канал";
pub const ANY_CHANNEL: &str = "Любой";
pub const PROMISED: &str = "Обещание оплатить";
pub const PROMISE_ANY: &str = "Неважно";
pub const PROMISE_YES: &str = "Есть (срок не прошёл)";
pub const PROMISE_NO: &str = "Нет";
pub const SAVE_SEGMENT: &str = "Сохранить сегмент";
pub const NOW_IN_SEGMENT: &str = "Сейчас в сегменте";
pub const REACHABLE: &str = "доходит рассылка";
pub const NO_SEGMENTS: &str = "Сегментов пока нет — задайте отбор и сохраните его.";
pub const SEND: &str = "Разослать";
pub const TEMPLATE: &str = "Шаблон";
pub const EDIT_TEMPLATES: &str = "Тексты шаблонов";
pub const DELETE: &str = "Удалить";
pub const MAILINGS: &str = "Рассылки";
pub const NO_MAILINGS: &str = "Рассылок ещё не было.";
pub const SENT_AT: &str = "Когда";
pub const SEGMENT: &str = "Сегмент";
pub const RECIPIENTS: &str = "Получателей";
pub const DELIVERY: &str = "Доставка";
pub const MAILING_SENT: &str = "Рассылка поставлена в очередь: письма уходят в течение минуты.";
pub const NOT_A_REMINDER: &str =
    "Должникам рассылаются только напоминания и предупреждения о долге.";
pub const NOBODY_TO_REACH: &str = "В сегменте нет никого с кабинетом, до кого дойдёт рассылка: позвоните или отправьте письма почтой.";
pub const ALREADY_SENT_TODAY: &str = "Этому сегменту эта рассылка сегодня уже отправлена.";
pub const MAILINGS_ARE_SENT: &str = "Рассылки записываются сами, когда их отправляют.";
pub const PREVIEW_MORE: &str = "Показаны самые большие долги.";

pub const WORK: &str = "Работа с должником";
pub const LOG_CONTACT: &str = "Записать контакт";
pub const CONTACT_KIND: &str = "Как";
pub const OUTCOME: &str = "Итог";
pub const NOTE: &str = "Заметка";
pub const SAVE: &str = "Записать";
pub const PROMISE: &str = "Обещание оплатить";
pub const PROMISE_AMOUNT: &str = "Сумма, ₽";
pub const PROMISE_DATE: &str = "Оплатит до";
pub const RECORD_PROMISE: &str = "Записать обещание";
pub const PROMISES: &str = "Обещания";
pub const NO_PROMISES: &str = "Обещаний не было.";
pub const TIMELINE: &str = "История контактов";
pub const NO_CONTACTS: &str = "Контактов ещё не было.";
pub const BAD_CONTACT: &str = "Выберите, как связывались и чем закончилось, из списка.";
pub const BAD_AMOUNT: &str = "Сумма — число рублей, например 5000 или 5000,50.";
pub const BAD_DATE: &str = "Укажите дату, до которой обещали оплатить.";
pub const PAID_SINCE: &str = "оплачено";

/// A segment's "overdue at least this old" in words.
pub fn min_age_label(bucket: AgeBucket) -> &'static str {
    match bucket {
        AgeBucket::NotDue | AgeBucket::Days1To30 => "любая",
        AgeBucket::Days31To90 => "больше 30 дней",
        AgeBucket::Days91To180 => "больше 90 дней",
        AgeBucket::Days181To365 => "больше 180 дней",
        AgeBucket::OverYear => "больше года",
        AgeBucket::OverThreeYears => "больше 3 лет",
    }
}

pub fn contact_label(kind: ContactKind) -> &'static str {
    match kind {
        ContactKind::Call => "Звонок",
        ContactKind::Visit => "Визит",
        ContactKind::Letter => "Письмо почтой",
        ContactKind::Mailing => "Рассылка",
    }
}

pub fn outcome_label(outcome: CallOutcome) -> &'static str {
    match outcome {
        CallOutcome::Reached => "Поговорили",
        CallOutcome::Promised => "Обещал оплатить",
        CallOutcome::Refused => "Отказался платить",
        CallOutcome::NoAnswer => "Не ответил",
        CallOutcome::WrongNumber => "Неверный номер",
    }
}

pub fn promise_label(status: PromiseStatus) -> &'static str {
    match status {
        PromiseStatus::Pending => "Ждём оплату",
        PromiseStatus::Kept => "Выполнено",
        PromiseStatus::Broken => "Нарушено",
    }
}

pub fn delivery_status_label(status: &str) -> &'static str {
    match status {
        "sent" => "доставлено",
        "failed" => "не доставлено",
        _ => "в очереди",
    }
}

/// The filter in words: «ул. Серебряная, 1, подъезд 2; просрочка от 31 дн.; от 5 000,00 ₽; …».
pub fn segment_summary(filter: &SegmentFilter, houses: &[HouseEntrances]) -> String {
    let mut parts = Vec::new();
    if let Some(house) = houses.iter().find(|h| Some(h.id) == filter.house_id) {
        parts.push(house.address.clone());
        if let Some((_, number)) = house
            .entrances
            .iter()
            .find(|e| Some(e.0) == filter.entrance_id)
        {
            parts.push(format!("подъезд {number}"));
        }
    } else {
        parts.push(ALL_HOUSES.to_lowercase());
    }
    parts.push(format!("просрочка {}", min_age_label(filter.min_age)));
    if filter.min_overdue.0 > 0 {
        parts.push(format!("от {}", filter.min_overdue.label()));
    }
    if let Some(months) = filter.min_months {
        parts.push(format!("больше {months} мес. начислений"));
    }
    match filter.addressees {
        Some(Addressees::Owners) => parts.push(OWNERS.to_lowercase()),
        Some(Addressees::Tenants) => parts.push(TENANTS.to_lowercase()),
        None => {}
    }
    if let Some(channel) = filter.channel {
        parts.push(format!("есть {}", channel.label()));
    }
    match filter.promised {
        Some(true) => parts.push("обещали оплатить".into()),
        Some(false) => parts.push("без обещания".into()),
        None => {}
    }
    parts.join("; ")
}

pub const SCENARIOS: &str = "Сценарии напоминаний";
pub const SCENARIOS_HINT: &str = "Сценарий сам напоминает должникам по шагам: каждый шаг — один раз за период долга. Оплата, закрывающая долг, останавливает сценарий. Сначала пробный прогон, потом включение.";
pub const NO_SCENARIOS: &str = "Сценариев пока нет.";
pub const SCENARIO_ON: &str = "Включён";
pub const SCENARIO_OFF: &str = "Выключен";
pub const STEP: &str = "Шаг";
pub const WHEN: &str = "Когда";
pub const CHANNELS: &str = "Каналы";
pub const STEP_SENT: &str = "Отправлено";
pub const STEP_HELD_OUT: &str = "Контрольная группа";
pub const STEP_UNREACHABLE: &str = "Не достучаться";
pub const DRY_RUN: &str = "Пробный прогон";
pub const SWITCH_ON: &str = "Включить";
pub const SWITCH_OFF: &str = "Выключить";
pub const WHAT_HAPPENS: &str = "Что будет";
pub const NEW_SCENARIO: &str = "Новый сценарий";
pub const NEW_SCENARIO_HINT: &str = "Дни считаются от срока оплаты самого старого неоплаченного месяца. Пустые строки — не шаги. Сценарий сохраняется выключенным.";
pub const HOLDOUT: &str = "Контрольная группа, %";
pub const RESTART_ON_PARTIAL: &str = "Частичная оплата запускает отсчёт дней заново";
pub const DAYS_AFTER_DUE: &str = "Дней после срока";
pub const STEP_MIN_OVERDUE: &str = "Долг от, ₽";
pub const SAVE_SCENARIO: &str = "Сохранить сценарий";
pub const SCENARIO_SAVED: &str =
    "Сценарий сохранён выключенным: сделайте пробный прогон и включите.";
pub const LIMITS: &str = "Ограничения контактов";
pub const LIMITS_HINT: &str = "Не больше стольких SMS о долге одному человеку; в тихие часы (время дома) сценарии ничего не отправляют — отправят утром.";
pub const SMS_PER_DAY: &str = "SMS в день";
pub const SMS_PER_WEEK: &str = "SMS в неделю";
pub const SMS_PER_MONTH: &str = "SMS в месяц";
pub const QUIET_FROM: &str = "Тихие часы с";
pub const QUIET_TO: &str = "до";
pub const LIMITS_SAVED: &str = "Ограничения сохранены.";
pub const SCENARIO_STEPS: &str = "Шаги сценариев";

/// «Все дома · частичная оплата перезапускает отсчёт · контрольная группа 10 % · ведёт 12 долгов».
pub fn scenario_summary(house: Option<&str>, restart: bool, holdout: u8, open: u32) -> String {
    let mut parts = vec![house.map_or(ALL_HOUSES.to_string(), str::to_string)];
    if restart {
        parts.push("частичная оплата запускает отсчёт заново".into());
    }
    if holdout > 0 {
        parts.push(format!("контрольная группа {holdout} %"));
    }
    parts.push(format!("сейчас ведёт долгов: {open}"));
    parts.join(" · ")
}

/// «через 5 дн. после срока, долг от 1 000,00 ₽».
pub fn step_when(days: u32, min: crate::money::Money) -> String {
    if min.0 > 0 {
        format!("через {days} дн. после срока, долг от {}", min.label())
    } else {
        format!("через {days} дн. после срока")
    }
}

pub fn channels_label(channels: &[crate::notify::types::Channel]) -> String {
    channels
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn step_outcome_label(outcome: StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Sent => "отправлено",
        StepOutcome::HeldOut => "контрольная группа: не отправляется",
        StepOutcome::Unreachable => "нет кабинета — позвоните или напишите письмо",
    }
}

/// What a dry-run line would do: the outcome, and for a send its channels and people.
pub fn dry_run_outcome(line: &DryRunLine) -> String {
    match line.outcome {
        StepOutcome::Sent => format!(
            "{}: {} чел.",
            channels_label(&line.channels),
            line.recipients
        ),
        other => step_outcome_label(other).to_string(),
    }
}

/// «Сегодня сценарий отправил бы 5 напоминаний; контрольная группа — 1, без кабинета — 2.»
pub fn dry_run_summary(lines: &[DryRunLine]) -> String {
    let count = |o: StepOutcome| lines.iter().filter(|l| l.outcome == o).count();
    if lines.is_empty() {
        return "Сегодня сценарию некому писать.".into();
    }
    format!(
        "Сегодня сценарий отправил бы напоминаний: {}; контрольная группа — {}, без кабинета — {}. Ничего не отправлено.",
        count(StepOutcome::Sent),
        count(StepOutcome::HeldOut),
        count(StepOutcome::Unreachable)
    )
}
