//! Shared interface text (Russian).

pub const APP_NAME: &str = "Ключ";
pub const LOADING: &str = "Загрузка…";
pub const NOT_FOUND_TITLE: &str = "Страница не найдена";
pub const NOT_FOUND_BODY: &str = "Такой страницы нет. Проверьте адрес или вернитесь на главную.";
pub const NO_ACCESS_TITLE: &str = "Нет доступа";
pub const NO_ACCESS_BODY: &str =
    "Этот раздел не для вашей роли. Если вы считаете, что это ошибка, обратитесь в правление.";
pub const TO_MAIN: &str = "На главную";
pub const NAV_HOME: &str = "Квартиры";
pub const NAV_PROFILE: &str = "Профиль";
pub const NAV_REGISTER: &str = "Реестр";
pub const NAV_APPROVALS: &str = "Заявки на привязку";
pub const NAV_INVITES: &str = "Приглашения";
pub const NAV_USERS: &str = "Пользователи и роли";
pub const NAV_ORGANISATION: &str = "Организация";
pub const PREV: &str = "← Назад";
pub const NEXT: &str = "Дальше →";
pub const NAV_NEWS: &str = "Новости";
pub const NAV_READINGS: &str = "Показания";
pub const NAV_BILLING: &str = "Начисления";
pub const NAV_PAYMENTS: &str = "Платежи";
pub const NAV_DEBTS: &str = "Задолженность";
pub const NAV_FAQ: &str = "Справка";
pub const NAV_ANNOUNCEMENTS: &str = "Объявления";
pub const NAV_TEMPLATES: &str = "Шаблоны";
pub const NAV_MAILBOX: &str = "Почта (dev)";
pub const FILE: &str = "Файл";
pub const CHECK: &str = "Проверить";
pub const LOAD: &str = "Загрузить";
pub const ROWS_OK: &str = "Строк без ошибок";
pub const LOADED: &str = "Загружено строк";
pub const NOTHING_SAVED: &str =
    "Файл не загружен: исправьте строки ниже и загрузите его снова — целиком.";
pub const NAV_TICKETS: &str = "Заявки АДС";
pub const NAV_WORK: &str = "Мои заявки";
pub const NAV_GATE: &str = "Пост охраны";
pub const NAV_PASSES: &str = "Пропуска";
pub const NAV_TICKET_REPORT: &str = "Отчёт по заявкам";
pub const NAV_TICKETS_RESIDENT: &str = "Заявки";
