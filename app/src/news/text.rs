//! Interface text of news, announcements and the FAQ (Russian).

pub const NEWS_TITLE: &str = "Новости";
pub const ANNOUNCEMENTS: &str = "Объявления";
pub const NO_NEWS: &str = "Новостей пока нет.";
pub const PINNED: &str = "Закреплено";
pub const SCHEDULED: &str = "Запланировано";
pub const BACK_TO_NEWS: &str = "← Все новости";
pub const URGENT: &str = "Срочно";
pub const VALID_UNTIL: &str = "Действует до";
pub const FAQ_TITLE: &str = "Вопросы и ответы";
pub const FAQ_SEARCH: &str = "Поиск: показания, оплата, авария…";
pub const FAQ_FIND: &str = "Найти";
pub const FAQ_NOTHING: &str = "Ничего не нашлось. Спросите диспетчера.";
pub const POST_ANNOUNCEMENT: &str = "Новое объявление";
pub const TITLE: &str = "Заголовок";
pub const TEXT: &str = "Текст";
pub const TEXT_HINT: &str =
    "Пустая строка — новый абзац, «- » — пункт списка, **жирный**, [ссылка](https://…).";
pub const AUDIENCE: &str = "Кому";
pub const CRITICAL: &str =
    "Срочное (авария, отключение): придёт всем по всем каналам и повиснет баннером";
pub const EXPIRES: &str = "Действует до";
pub const EXPIRES_HINT: &str = "Срочное объявление висит красной полосой на всех страницах жителей до этого времени — укажите, когда закончатся работы. Завершить раньше можно кнопкой в списке.";
pub const PUBLISH: &str = "Опубликовать";
pub const PUBLISHED: &str = "Опубликовано.";
pub const END: &str = "Снять";
pub const NEWS_ADD: &str = "Новая новость";
pub const PIN: &str = "Закрепить вверху";
pub const PUBLISH_AT: &str = "Опубликовать (пусто — сейчас)";
pub const EDIT: &str = "Изменить";
pub const DELETE: &str = "Удалить";
pub const SAVE: &str = "Сохранить";
pub const FAQ_EDIT_TITLE: &str = "Справка: вопросы и ответы";
pub const FAQ_ADD_CATEGORY: &str = "Новый раздел";
pub const FAQ_ADD_ITEM: &str = "Новый вопрос";
pub const FAQ_CATEGORY: &str = "Раздел";
pub const FAQ_QUESTION: &str = "Вопрос";
pub const FAQ_ANSWER: &str = "Ответ";
pub const PHOTO: &str = "Фото";
pub const UPLOAD_PHOTO: &str = "Загрузить фото";

/// The result of a picture upload (`/staff/news?upload=<code>`).
pub fn upload_result(code: &str) -> Option<(bool, &'static str)> {
    match code {
        "ok" => Some((true, "Фото загружено.")),
        "too_large" => Some((false, "Файл больше 8 МБ — уменьшите фото.")),
        "not_image" => Some((false, "Это не фото: подходят JPEG, PNG и WebP.")),
        "unreadable" => Some((
            false,
            "Фото повреждено или слишком большое по размеру в пикселях.",
        )),
        "failed" => Some((false, "Не удалось сохранить фото. Попробуйте ещё раз.")),
        _ => None,
    }
}
