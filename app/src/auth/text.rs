//! Interface text of the auth area (Russian).

pub const SIGN_IN_TITLE: &str = "Вход в Ключ";
pub const SIGN_IN_LEAD: &str = "Кабинет жителя и сотрудников";
pub const LOGIN_LABEL: &str = "E-mail или телефон";
pub const PASSWORD_LABEL: &str = "Пароль";
pub const SIGN_IN_BUTTON: &str = "Войти";
pub const JOIN_HINT: &str =
    "Нет входа? Отсканируйте QR-код с листовки от правления или введите код с неё.";
pub const CODE_LABEL: &str = "Код приглашения";
pub const CODE_CONTINUE: &str = "Продолжить";
pub const JOIN_TITLE: &str = "Подключение к кабинету";
pub const JOIN_FOR_OWNER: &str = "Код выдан собственнику";
pub const JOIN_PENDING_NOTE: &str = "После регистрации правление подтвердит, что вы живёте в этой квартире. До подтверждения данные квартиры не видны.";
pub const JOIN_OWNER_NOTE: &str =
    "Код выдан на ваше имя: квартира станет доступна сразу после регистрации.";
pub const FULL_NAME_LABEL: &str = "Фамилия, имя, отчество";
pub const REPEAT_LABEL: &str = "Пароль ещё раз";
pub const RELATION_LABEL: &str = "Кем вы приходитесь квартире";
pub const JOIN_BUTTON: &str = "Зарегистрироваться";
pub const HAVE_LOGIN: &str =
    "Уже есть вход в Ключ? Войдите, и квартира добавится к вашему кабинету:";
pub const JOIN_EXISTING_BUTTON: &str = "Добавить квартиру в мой кабинет";
pub const PROFILE_TITLE: &str = "Профиль";
pub const CHANGE_PASSWORD: &str = "Сменить пароль";
pub const CURRENT_PASSWORD: &str = "Текущий пароль";
pub const NEW_PASSWORD: &str = "Новый пароль (не короче 8 символов)";
pub const PASSWORD_CHANGED: &str = "Пароль изменён. На других устройствах нужно войти заново.";
pub const SIGN_OUT: &str = "Выйти";
pub const SIGN_OUT_EVERYWHERE: &str = "Выйти на всех устройствах";
pub const USERS_TITLE: &str = "Пользователи и роли";
pub const USERS_SEARCH: &str = "Имя, e-mail или телефон";
pub const SEARCH: &str = "Найти";
pub const SAVE: &str = "Сохранить";
pub const ROLE_SAVED: &str = "Роль изменена; пользователь войдёт заново.";
pub const ADD_STAFF_TITLE: &str = "Добавить сотрудника";
pub const ADD_STAFF_BUTTON: &str = "Добавить";
pub const STAFF_ADDED: &str = "Сотрудник добавлен. Передайте ему пароль лично.";
pub const INVITES_TITLE: &str = "Приглашения жителей";
pub const INVITES_LEAD: &str = "Коды для подключения к кабинету: по одной карточке на квартиру. Код показывается только сейчас — распечатайте лист сразу. Новые коды отменяют прежние неиспользованные.";
pub const ISSUE_FOR_HOUSE: &str = "Создать коды для дома";
pub const PRINT: &str = "Печать";
pub const CARD_STEPS: &str = "Наведите камеру телефона на QR-код или откройте адрес и введите код.";
pub const VALID_UNTIL: &str = "Действует до";

pub fn role_label(role: super::types::Role) -> &'static str {
    use super::types::Role::*;
    match role {
        Resident => "Житель",
        Accountant => "Бухгалтер",
        Dispatcher => "Диспетчер",
        Council => "Совет дома",
        Chair => "Председатель",
        Executor => "Исполнитель",
        Guard => "Охрана",
    }
}
pub const NOTIFICATION_SETTINGS: &str = "Уведомления: каналы и тихие часы";
