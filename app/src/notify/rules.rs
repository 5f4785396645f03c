//! Pure rules of the notification path: the registry of kinds with their templates, template
//! rendering, which channels a message takes, quiet hours and retry backoff.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime, NaiveTime, Timelike};

use super::types::{Channel, NoticeKind};

/// Whom a kind of notice is for (the preferences page shows each user only theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whom {
    Residents,
    Staff,
    Anyone,
}

impl Whom {
    pub fn reaches(self, role: crate::auth::types::Role) -> bool {
        match self {
            Whom::Residents => !role.is_staff(),
            Whom::Staff => role.is_staff(),
            Whom::Anyone => true,
        }
    }
}

/// Everything the path knows about a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    /// The stored name.
    pub key: &'static str,
    /// Whom it goes to.
    pub whom: Whom,
    /// The name in the preferences page and the templates page.
    pub label: &'static str,
    /// Always delivered on every channel the user has; preferences and quiet hours do not apply.
    pub mandatory: bool,
    /// Shown as urgent (push urgency, the red mark in the list).
    pub critical: bool,
    /// Channels that are on until the user changes them.
    pub default_channels: &'static [Channel],
    pub title: &'static str,
    pub body: &'static str,
    /// Placeholder → what it holds.
    pub placeholders: &'static [(&'static str, &'static str)],
}

const ANNOUNCEMENT_PLACEHOLDERS: &[(&str, &str)] = &[
    ("title", "заголовок объявления"),
    ("text", "текст объявления"),
    ("audience", "кому: весь дом, подъезд…"),
];

/// What a reminder about a debt can say (debts::store fills them per account).
const DEBT_PLACEHOLDERS: &[(&str, &str)] = &[
    ("account", "номер лицевого счёта"),
    ("address", "адрес квартиры"),
    ("overdue", "сумма, не оплаченная в срок"),
    ("owed", "всего к оплате, с пени"),
    ("since", "срок оплаты самого старого неоплаченного месяца"),
];

/// The registry: one entry per kind.
pub fn spec(kind: NoticeKind) -> KindSpec {
    match kind {
        NoticeKind::Announcement => KindSpec {
            key: "announcement",
            whom: Whom::Residents,
            label: "Объявления управляющей организации",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email, Channel::Push],
            title: "{title}",
            body: "{text}",
            placeholders: ANNOUNCEMENT_PLACEHOLDERS,
        },
        NoticeKind::CriticalAnnouncement => KindSpec {
            key: "announcement_critical",
            whom: Whom::Residents,
            label: "Срочные объявления (аварии, отключения)",
            mandatory: true,
            critical: true,
            default_channels: Channel::ALL,
            title: "Срочно: {title}",
            body: "{text}",
            placeholders: ANNOUNCEMENT_PLACEHOLDERS,
        },
        NoticeKind::PasswordChanged => KindSpec {
            key: "password_changed",
            whom: Whom::Anyone,
            label: "Безопасность: смена пароля",
            mandatory: true,
            critical: false,
            default_channels: &[Channel::Email, Channel::Sms],
            title: "Пароль изменён",
            body: "Пароль от вашего кабинета «Ключ» изменён {when}. Если это были не вы, \
                   позвоните в диспетчерскую и смените пароль.",
            placeholders: &[("when", "дата и время смены")],
        },
        NoticeKind::ReadingsDue => KindSpec {
            key: "readings_due",
            whom: Whom::Residents,
            label: "Напоминания передать показания счётчиков",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email, Channel::Push],
            title: "Передайте показания счётчиков",
            body: "{when} Ещё не переданы: {meters} ({address}).",
            placeholders: &[
                (
                    "when",
                    "что с окном приёма: открыто до…, осталось два дня, последний день",
                ),
                ("meters", "счётчики без показаний"),
                ("address", "адрес квартиры"),
            ],
        },
        NoticeKind::MeterVerification => KindSpec {
            key: "meter_verification",
            whom: Whom::Residents,
            label: "Срок поверки счётчиков",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email, Channel::Push],
            title: "Скоро истекает поверка счётчика",
            body: "Поверка счётчика {meter} ({address}) действует до {date}. Закажите поверку \
                   заранее: после этой даты показания с него не принимаются, и начисление идёт \
                   по среднему расходу, затем по нормативу.",
            placeholders: &[
                ("meter", "ресурс и номер счётчика"),
                ("address", "адрес квартиры"),
                ("date", "дата окончания поверки"),
            ],
        },
        NoticeKind::BillReady => KindSpec {
            key: "bill_ready",
            whom: Whom::Residents,
            label: "Квитанции за жилищно-коммунальные услуги",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email],
            title: "Квитанция за {period}",
            body: "Квитанция за {period} по лицевому счёту {account} ({address}): к оплате \
                   {amount} до {due}. Квитанция с QR-кодом для оплаты — во вложении и в кабинете.",
            placeholders: &[
                ("period", "месяц квитанции"),
                ("account", "номер лицевого счёта"),
                ("address", "адрес квартиры"),
                ("amount", "сумма к оплате"),
                ("due", "срок оплаты"),
            ],
        },
        NoticeKind::PaymentReceived => KindSpec {
            key: "payment_received",
            whom: Whom::Residents,
            label: "Оплата зачислена",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email, Channel::Push],
            title: "Оплата {amount} зачислена",
            body: "Платёж {amount} от {date} (заказ {order}) зачислен на лицевые счета. \
                   Подтверждение — в кабинете.",
            placeholders: &[
                ("amount", "сумма платежа"),
                ("date", "дата оплаты"),
                ("order", "номер заказа"),
            ],
        },
        NoticeKind::PaymentRefunded => KindSpec {
            key: "payment_refunded",
            whom: Whom::Residents,
            label: "Оплата возвращена на карту",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email, Channel::Push],
            title: "Оплата {amount} возвращена на карту",
            body: "Банк вернул платёж {amount} от {date} (заказ {order}) на вашу карту, \
                   поэтому сумма снова числится на лицевых счетах. Подробности — в кабинете.",
            placeholders: &[
                ("amount", "сумма платежа"),
                ("date", "дата оплаты"),
                ("order", "номер заказа"),
            ],
        },
        NoticeKind::DebtReminder => KindSpec {
            key: "debt_reminder",
            whom: Whom::Residents,
            label: "Напоминания об оплате",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email, Channel::Push],
            title: "Напоминаем об оплате: {overdue}",
            body: "По лицевому счёту {account} ({address}) не оплачено {overdue}, срок оплаты был \
                   {since}. Всего к оплате {owed}. Если вы уже оплатили, спасибо — не обращайте \
                   внимания на это письмо. Оплатить можно в кабинете по ссылке.",
            placeholders: DEBT_PLACEHOLDERS,
        },
        NoticeKind::DebtSecondReminder => KindSpec {
            key: "debt_second_reminder",
            whom: Whom::Residents,
            label: "Повторные напоминания об оплате",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email, Channel::Sms, Channel::Push],
            title: "Повторное напоминание: не оплачено {overdue}",
            body: "По лицевому счёту {account} ({address}) остаётся неоплаченным {overdue} \
                   (срок оплаты был {since}), всего к оплате {owed}. На долг начисляются пени. \
                   Если оплатить сразу трудно, позвоните в бухгалтерию — договоримся о \
                   рассрочке.",
            placeholders: DEBT_PLACEHOLDERS,
        },
        NoticeKind::DebtWarning => KindSpec {
            key: "debt_warning",
            whom: Whom::Residents,
            label: "Предупреждения о задолженности",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email, Channel::Sms, Channel::Push],
            title: "Предупреждение о задолженности {overdue}",
            body: "По лицевому счёту {account} ({address}) задолженность {overdue}, срок \
                   оплаты был {since}; всего к оплате {owed} с пени. Если долг не будет оплачен \
                   или не будет заключено соглашение о рассрочке, управляющая организация вправе \
                   ограничить коммунальные услуги в порядке ПП РФ № 354 и обратиться в суд.",
            placeholders: DEBT_PLACEHOLDERS,
        },
        NoticeKind::TicketUpdate => KindSpec {
            key: "ticket_update",
            whom: Whom::Anyone,
            label: "Заявки в АДС: изменения и комментарии",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email, Channel::Push],
            title: "Заявка №{number}: {status}",
            body: "{text}",
            placeholders: &[
                ("number", "номер заявки"),
                ("status", "что произошло"),
                ("text", "причина, комментарий или описание"),
            ],
        },
        NoticeKind::TicketEmergency => KindSpec {
            key: "ticket_emergency",
            whom: Whom::Staff,
            label: "АДС: новые аварийные заявки",
            mandatory: true,
            critical: true,
            default_channels: Channel::ALL,
            title: "Авария, заявка №{number}: {category}",
            body: "{address}. {text}",
            placeholders: &[
                ("number", "номер заявки"),
                ("category", "категория"),
                ("address", "адрес"),
                ("text", "описание заявителя"),
            ],
        },
        NoticeKind::TicketSla => KindSpec {
            key: "ticket_sla",
            whom: Whom::Staff,
            label: "АДС: срок по заявке истекает",
            mandatory: false,
            critical: true,
            default_channels: &[Channel::Email, Channel::Push],
            title: "Заявка №{number}: срок ({what}) — {state}",
            body: "{category}, {address}. Срок: {due}.",
            placeholders: &[
                ("number", "номер заявки"),
                ("what", "реакция или выполнение"),
                ("state", "сколько осталось или насколько просрочено"),
                ("due", "срок"),
                ("category", "категория"),
                ("address", "адрес и место"),
            ],
        },
        NoticeKind::TicketAssigned => KindSpec {
            key: "ticket_assigned",
            whom: Whom::Staff,
            label: "АДС: назначенные мне заявки",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Sms, Channel::Push],
            title: "Вам назначена заявка №{number}",
            body: "{category}, {address}.",
            placeholders: &[
                ("number", "номер заявки"),
                ("category", "категория"),
                ("address", "адрес"),
            ],
        },
        NoticeKind::GuestArrived => KindSpec {
            key: "guest_arrived",
            whom: Whom::Residents,
            label: "Пропуска: гость пришёл",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Push],
            title: "Пришёл: {who}",
            body: "Охрана пропустила по вашему пропуску: {who}, {time}.",
            placeholders: &[("who", "гость, машина или компания"), ("time", "когда")],
        },
        NoticeKind::PassException => KindSpec {
            key: "pass_exception",
            whom: Whom::Staff,
            label: "Пропуска: просьба об исключении из лимита",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Email, Channel::Push],
            title: "Просят пропуск сверх лимита: {what}",
            body: "{who}: {reason}",
            placeholders: &[
                ("who", "житель"),
                ("what", "пропуск"),
                ("reason", "почему, по словам жителя"),
            ],
        },
        NoticeKind::PassExceptionDecided => KindSpec {
            key: "pass_exception_decided",
            whom: Whom::Residents,
            label: "Пропуска: решение по исключению",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Push],
            title: "Диспетчер {verdict} пропуск: {what}",
            body: "{reason}",
            placeholders: &[
                ("what", "пропуск"),
                ("verdict", "одобрил или не одобрил"),
                ("reason", "пояснение диспетчера"),
            ],
        },
        NoticeKind::ContractorPassEnding => KindSpec {
            key: "contractor_pass_ending",
            whom: Whom::Residents,
            label: "Пропуска: пропуск подрядчику заканчивается",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Push],
            title: "Пропуск заканчивается: {who}",
            body: "Действует {when}. Если работы не закончены, закажите новый пропуск.",
            placeholders: &[("who", "компания или бригада"), ("when", "срок пропуска")],
        },
        NoticeKind::PassIssued => KindSpec {
            key: "pass_issued",
            whom: Whom::Residents,
            label: "Пропуска: диспетчер оформил пропуск",
            mandatory: false,
            critical: false,
            default_channels: &[Channel::Push],
            title: "Диспетчер оформил пропуск: {what}",
            body: "Действует {when}. Пропуск — в разделе «Пропуска».",
            placeholders: &[("what", "пропуск"), ("when", "срок пропуска")],
        },
    }
}

/// A template failed the checks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("В шаблоне неизвестная подстановка {{{0}}}. Доступны: {1}.")]
    UnknownPlaceholder(String, String),
    #[error("Заголовок шаблона не может быть пустым.")]
    EmptyTitle,
    #[error("Текст шаблона не может быть пустым.")]
    EmptyBody,
    #[error("Заголовок длиннее 200 знаков.")]
    TitleTooLong,
    #[error("Текст длиннее 4000 знаков.")]
    BodyTooLong,
}

/// The placeholders `{name}` of a text, in order (a `{` that does not open a name is plain text).
fn placeholders(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    text.match_indices('{').filter_map(move |(start, _)| {
        let rest = &text[start + 1..];
        let end = rest.find('}')?;
        let name = &rest[..end];
        let is_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit());
        is_name.then_some((start, start + end + 2, name))
    })
}

/// Fills the placeholders; a missing value leaves an empty place (templates are checked on save).
pub fn render(template: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut at = 0;
    for (start, end, name) in placeholders(template) {
        out.push_str(&template[at..start]);
        if let Some(value) = params.get(name) {
            out.push_str(value);
        }
        at = end;
    }
    out.push_str(&template[at..]);
    out
}

/// Checks a template a staff member wrote for `kind`; returns the trimmed title and body.
pub fn check_template(
    kind: NoticeKind,
    title: &str,
    body: &str,
) -> Result<(String, String), TemplateError> {
    let (title, body) = (title.trim(), body.trim());
    if title.is_empty() {
        return Err(TemplateError::EmptyTitle);
    }
    if body.is_empty() {
        return Err(TemplateError::EmptyBody);
    }
    if title.chars().count() > 200 {
        return Err(TemplateError::TitleTooLong);
    }
    if body.chars().count() > 4000 {
        return Err(TemplateError::BodyTooLong);
    }
    let known = spec(kind).placeholders;
    for text in [title, body] {
        if let Some((_, _, name)) =
            placeholders(text).find(|(_, _, n)| !known.iter().any(|(k, _)| k == n))
        {
            let list = known
                .iter()
                .map(|(k, _)| format!("{{{k}}}"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(TemplateError::UnknownPlaceholder(name.to_string(), list));
        }
    }
    Ok((title.to_string(), body.to_string()))
}

/// Whether a message of `kind` goes out on `channel`, given the user's stored choice (if any).
pub fn channel_wanted(kind: NoticeKind, channel: Channel, choice: Option<bool>) -> bool {
    let spec = spec(kind);
    spec.mandatory || choice.unwrap_or_else(|| spec.default_channels.contains(&channel))
}

/// Quiet hours, minutes after midnight (Moscow time); `from > to` runs over midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub from: u32,
    pub to: u32,
}

impl QuietHours {
    /// When a message that must respect quiet hours may go, if `now` (local) is inside them.
    pub fn hold_until(self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        let minute = now.hour() * 60 + now.minute();
        let inside = if self.from <= self.to {
            (self.from..self.to).contains(&minute)
        } else {
            minute >= self.from || minute < self.to
        };
        if !inside || self.from == self.to {
            return None;
        }
        let end = NaiveTime::from_hms_opt(self.to / 60, self.to % 60, 0)?;
        let mut until = now.date().and_time(end);
        if until <= now {
            until += Duration::days(1);
        }
        Some(until)
    }
}

/// `HH:MM` → minutes after midnight.
pub fn parse_clock(s: &str) -> Result<u32, &'static str> {
    let t = NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| "Время укажите как ЧЧ:ММ, например 22:00.")?;
    Ok(t.hour() * 60 + t.minute())
}

pub fn format_clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The longest SMS text: five Cyrillic parts (67 characters each).
pub const SMS_MAX_CHARS: usize = 335;

/// An SMS: the title and the text in one line, cut at [`SMS_MAX_CHARS`] with an ellipsis.
pub fn sms_text(title: &str, body: &str) -> String {
    let full = format!(
        "{title}. {}",
        body.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    if full.chars().count() <= SMS_MAX_CHARS {
        return full;
    }
    let mut cut: String = full.chars().take(SMS_MAX_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// An e-mail's text: the message, where to read it, and where to change what arrives.
pub fn email_text(body: &str, link: Option<&str>, public_url: &str) -> String {
    let base = public_url.trim_end_matches('/');
    let mut text = body.to_string();
    if let Some(link) = link {
        text.push_str(&format!("\n\nПодробнее: {base}{link}"));
    }
    text.push_str(&format!(
        "\n\n—\nКлюч, кабинет жителя. Какие уведомления получать: {base}/cabinet/notifications/settings"
    ));
    text
}

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 6;

/// Wait before the next attempt after `attempts` failed ones: 30 s, 1, 2, 4, 8 min… at most 1 h.
pub fn retry_delay(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exp).min(3600))
}

/// The fingerprint of what a banner says (its title, text and end): a collapsed banner comes
/// back when it changes. FNV-1a, 64 bits, as hex: stable across builds and machines.
pub fn banner_version(title: &str, body: &str, until: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in [title, body, until].join("\u{0}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_banner_version_changes_with_any_of_its_parts() {
        let v = banner_version("Нет воды", "До 18:00", "06.12.2026 18:00");
        assert_eq!(
            v,
            banner_version("Нет воды", "До 18:00", "06.12.2026 18:00")
        );
        assert_eq!(v.len(), 16);
        assert_ne!(
            v,
            banner_version("Нет воды", "До 20:00", "06.12.2026 18:00")
        );
        assert_ne!(
            v,
            banner_version("Нет воды", "До 18:00", "06.12.2026 20:00")
        );
        assert_ne!(
            v,
            banner_version("Нет воды!", "До 18:00", "06.12.2026 18:00")
        );
    }

    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn render_fills_known_places_and_keeps_plain_braces() {
        let p = params(&[("title", "Отключение воды"), ("text", "С 10:00 до 14:00")]);
        assert_eq!(
            render("Срочно: {title} — {text} {x y} {", &p),
            "Срочно: Отключение воды — С 10:00 до 14:00 {x y} {"
        );
        assert_eq!(render("{missing}!", &p), "!");
    }

    #[test]
    fn templates_with_unknown_placeholders_are_refused_with_the_list() {
        let err = check_template(NoticeKind::Announcement, "{title}", "{adress}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "В шаблоне неизвестная подстановка {adress}. Доступны: {title}, {text}, {audience}."
        );
        assert_eq!(
            check_template(NoticeKind::Announcement, "  ", "x"),
            Err(TemplateError::EmptyTitle)
        );
        assert!(check_template(NoticeKind::PasswordChanged, "Пароль", "Изменён {when}").is_ok());
    }

    #[test]
    fn staff_kinds_are_not_offered_to_residents_and_back() {
        use crate::auth::types::Role;
        assert!(
            spec(NoticeKind::TicketEmergency)
                .whom
                .reaches(Role::Dispatcher)
        );
        assert!(
            !spec(NoticeKind::TicketEmergency)
                .whom
                .reaches(Role::Resident)
        );
        assert!(!spec(NoticeKind::BillReady).whom.reaches(Role::Executor));
        assert!(
            spec(NoticeKind::PasswordChanged)
                .whom
                .reaches(Role::Resident)
        );
        assert!(spec(NoticeKind::TicketUpdate).whom.reaches(Role::Council));
    }

    #[test]
    fn every_default_template_passes_its_own_check() {
        for kind in NoticeKind::ALL.iter().copied() {
            let s = spec(kind);
            assert!(check_template(kind, s.title, s.body).is_ok(), "{kind:?}");
            assert_eq!(NoticeKind::parse(s.key), Some(kind));
        }
    }

    #[test]
    fn mandatory_kinds_ignore_preferences_others_follow_them_or_defaults() {
        assert!(channel_wanted(
            NoticeKind::CriticalAnnouncement,
            Channel::Sms,
            Some(false)
        ));
        assert!(channel_wanted(
            NoticeKind::PasswordChanged,
            Channel::Push,
            Some(false)
        ));
        assert!(!channel_wanted(
            NoticeKind::Announcement,
            Channel::Email,
            Some(false)
        ));
        assert!(channel_wanted(
            NoticeKind::Announcement,
            Channel::Email,
            None
        ));
        assert!(!channel_wanted(
            NoticeKind::Announcement,
            Channel::Sms,
            None
        ));
        assert!(channel_wanted(
            NoticeKind::Announcement,
            Channel::Sms,
            Some(true)
        ));
    }

    fn at(h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn quiet_hours_over_midnight_hold_until_their_end() {
        let night = QuietHours {
            from: 22 * 60,
            to: 8 * 60,
        };
        assert_eq!(
            night.hold_until(at(23, 30)),
            Some(at(8, 0) + Duration::days(1))
        );
        assert_eq!(night.hold_until(at(2, 0)), Some(at(8, 0)));
        assert_eq!(night.hold_until(at(8, 0)), None);
        assert_eq!(night.hold_until(at(12, 0)), None);
        assert_eq!(
            night.hold_until(at(22, 0)),
            Some(at(8, 0) + Duration::days(1))
        );
        let lunch = QuietHours {
            from: 13 * 60,
            to: 14 * 60,
        };
        assert_eq!(lunch.hold_until(at(13, 15)), Some(at(14, 0)));
        assert_eq!(lunch.hold_until(at(14, 0)), None);
        let none = QuietHours { from: 600, to: 600 };
        assert_eq!(none.hold_until(at(10, 0)), None);
    }

    #[test]
    fn clock_parses_and_formats() {
        assert_eq!(parse_clock("22:00"), Ok(1320));
        assert_eq!(parse_clock(" 07:05 "), Ok(425));
        assert!(parse_clock("25:00").is_err());
        assert!(parse_clock("утро").is_err());
        assert_eq!(format_clock(425), "07:05");
    }

    #[test]
    fn sms_is_one_line_and_cut_to_five_parts() {
        assert_eq!(
            sms_text("Отключение воды", "С 10:00\nдо 14:00"),
            "Отключение воды. С 10:00 до 14:00"
        );
        let long = sms_text("Т", &"я".repeat(400));
        assert_eq!(long.chars().count(), SMS_MAX_CHARS);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn email_text_links_to_the_cabinet_and_the_settings() {
        let text = email_text("Текст", Some("/cabinet/news"), "https://klyuch.example/");
        assert_eq!(
            text,
            "Текст\n\nПодробнее: https://klyuch.example/cabinet/news\n\n—\nКлюч, кабинет жителя. \
             Какие уведомления получать: https://klyuch.example/cabinet/notifications/settings"
        );
    }

    #[test]
    fn retries_back_off_and_are_capped() {
        let secs: Vec<i64> = (1..=9).map(|a| retry_delay(a).num_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay(0).num_seconds(), 30);
    }
}
