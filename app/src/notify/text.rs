//! Interface text of notifications (Russian).

pub const BELL: &str = "Уведомления";
pub const LIST_TITLE: &str = "Уведомления";
pub const NOTHING_YET: &str = "Уведомлений пока нет.";
pub const READ_ALL: &str = "Прочитать все";
pub const MARK_READ: &str = "Прочитано";
pub const OPEN: &str = "Открыть";
pub const URGENT: &str = "Срочно";
pub const UNTIL: &str = "до";
pub const SETTINGS: &str = "Настройки уведомлений";
pub const SETTINGS_HINT: &str =
    "В кабинете уведомления видны всегда. Здесь — куда ещё их присылать.";
pub const MANDATORY: &str = "Всегда: нельзя отключить";
pub const NO_EMAIL: &str = "В профиле нет e-mail — письма приходить не будут.";
pub const NO_PHONE: &str = "В профиле нет телефона — SMS приходить не будут.";
pub const QUIET_TITLE: &str = "Тихие часы";
pub const QUIET_HINT: &str =
    "В это время SMS и push-уведомления ждут утра (кроме срочных). Время московское.";
pub const QUIET_FROM: &str = "С";
pub const QUIET_TO: &str = "До";
pub const SAVE: &str = "Сохранить";
pub const SAVED: &str = "Сохранено.";
pub const PUSH_TITLE: &str = "Push-уведомления на этом устройстве";
pub const PUSH_ENABLE: &str = "Включить на этом устройстве";
pub const PUSH_DISABLE_ALL: &str = "Отключить на всех устройствах";
pub const PUSH_DEVICES: &str = "Подключено устройств:";
pub const PUSH_HINT: &str = "На iPhone push работает, если добавить «Ключ» на экран «Домой».";
pub const TEMPLATES_TITLE: &str = "Шаблоны уведомлений";
pub const TEMPLATES_HINT: &str = "Текст в фигурных скобках подставляется при отправке.";
pub const TEMPLATE_TITLE: &str = "Заголовок";
pub const TEMPLATE_BODY: &str = "Текст";
pub const TEMPLATE_RESET: &str = "Вернуть исходный";
pub const TEMPLATE_EDITED: &str = "изменён";
pub const MAILBOX_TITLE: &str = "Почта разработчика";
pub const MAILBOX_HINT: &str =
    "SMTP-сервер и SMS-шлюз не настроены: здесь то, что было бы отправлено.";
pub const MAILBOX_EMPTY: &str = "Пока ничего не отправлялось.";
pub const COLLAPSE_BANNER: &str = "Прочитано, свернуть";

/// «Ещё 2 важных объявления» — the line the other critical banners fold into.
pub fn more_banners(n: usize) -> String {
    let word = match (n % 10, n % 100) {
        (1, r) if r != 11 => "важное объявление",
        (2..=4, r) if !(12..=14).contains(&r) => "важных объявления",
        _ => "важных объявлений",
    };
    format!("Ещё {n} {word}")
}

pub const RECIPIENTS: &str = "Получателей";
pub const READ: &str = "прочитали";
pub const SENT: &str = "отправлено";
pub const QUEUED: &str = "в очереди";
pub const FAILED: &str = "ошибок";
