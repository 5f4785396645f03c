//! Every user-visible text of the АДС area, in one place.

pub const MY_TITLE: &str = "Заявки в АДС";
pub const MY_EMPTY: &str =
    "Заявок пока нет. Если что-то сломалось или течёт — подайте заявку, диспетчер увидит её сразу.";
pub const NEW: &str = "Новая заявка";
pub const NEW_TITLE: &str = "Заявка в аварийно-диспетчерскую службу";
pub const EMERGENCY_HINT: &str = "Авария (течёт вода, пахнет газом, искрит проводка)? Сначала позвоните в АДС, потом подайте заявку с фото.";
pub const WHAT: &str = "Что случилось";
pub const HOME: &str = "Квартира";
pub const WHERE: &str = "Где";
pub const NOTE: &str = "Уточните место (необязательно)";
pub const NOTE_HINT: &str = "например: стояк в ванной, 3 этаж у лифта";
pub const DESCRIPTION: &str = "Опишите проблему";
pub const FILES: &str = "Фото, видео, файлы";
pub const PICK_FILES: &str = "Добавить фото, видео или PDF";
pub const FILES_HINT: &str = "До 10 файлов: фото до 20 МБ, видео до 100 МБ, PDF до 10 МБ. На плохой связи загрузка продолжится сама.";
pub const SEND: &str = "Отправить заявку";
pub const NO_HOMES: &str = "Подать заявку можно после привязки к квартире.";
pub const EMERGENCY: &str = "авария";
pub const REACTION: &str = "Реакция";
pub const RESOLUTION: &str = "Выполнение";
pub const DUE: &str = "срок";
pub const REGISTERED: &str = "Зарегистрирована";
pub const HISTORY: &str = "История";
pub const INTERNAL: &str = "внутренний";
pub const COMMENT: &str = "Комментарий";
pub const COMMENT_SEND: &str = "Отправить";
pub const COMMENT_INTERNAL: &str = "Только для сотрудников";
pub const COMMENTED: &str = "Комментарий добавлен.";
pub const REASON: &str = "Причина";
pub const DEADLINES: &str = "Сроки";
pub const MOVED: &str = "Статус изменён.";
pub const RATE: &str = "Оцените работу";
pub const RATE_NOTE: &str = "Отзыв (необязательно)";
pub const RATE_SEND: &str = "Оценить";
pub const RATED: &str = "Спасибо за оценку!";
pub const RATING: &str = "Оценка жителя";
pub const ASSIGN: &str = "Назначить";
pub const CONTRACTOR: &str = "Подрядчик";
pub const EXECUTOR: &str = "Исполнитель";
pub const NOBODY: &str = "— не назначен —";
pub const ASSIGNED: &str = "Назначение сохранено.";
pub const ADD_FILES: &str = "Добавить фото";
pub const STAGE: &str = "Какие";
pub const ATTACH: &str = "Прикрепить";
pub const REQUESTER: &str = "Заявитель";
pub const BY_PHONE: &str = "принята по телефону";
pub const REOPENED_TIMES: &str = "Открывалась повторно";
pub const BOARD_TITLE: &str = "Заявки АДС";
pub const BOARD_EMPTY: &str = "Заявок с такими условиями нет.";
pub const OPEN: &str = "Открытых";
pub const NEW_COUNT: &str = "Новых";
pub const AT_RISK: &str = "Срок истекает";
pub const OVERDUE: &str = "Просрочено";
pub const FILTER: &str = "Показать";
pub const ANY: &str = "все";
pub const OPEN_ONLY: &str = "открытые";
pub const ALL: &str = "все, включая закрытые";
pub const ONLY_OVERDUE: &str = "только просроченные";
pub const STATUS: &str = "Статус";
pub const CATEGORY: &str = "Категория";
pub const HOUSE: &str = "Дом";
pub const ADDRESS: &str = "Адрес";
pub const CALL: &str = "Принять по телефону";
pub const CALL_TITLE: &str = "Заявка по телефону";
pub const CALLER: &str = "Кто звонит";
pub const CALLER_PHONE: &str = "Телефон";
pub const FLAT: &str = "Квартира (номер, если есть)";
pub const REGISTER: &str = "Зарегистрировать";
pub const CONTRACTORS: &str = "Подрядчики";
pub const CONTRACTORS_TITLE: &str = "Подрядчики и исполнители";
pub const CONTRACTORS_HINT: &str = "Исполнитель — пользователь с ролью «Исполнитель» (заводится в разделе «Пользователи и роли»): он видит на телефоне только назначенные ему заявки и добавляет фото до и после работ.";
pub const LOAD_OPEN: &str = "В работе";
pub const LOAD_OVERDUE: &str = "Просрочено";
pub const LOAD_DONE: &str = "Выполнено за месяц";
pub const PEOPLE: &str = "Исполнители";
pub const NAME: &str = "Название";
pub const SPECIALTY: &str = "Специализация";
pub const PHONE: &str = "Телефон";
pub const ADD: &str = "Добавить";
pub const ADDED: &str = "Сохранено.";
pub const LINK_EXECUTOR: &str = "Привязать исполнителя";
pub const CATEGORIES: &str = "Сроки по категориям";
pub const CATEGORIES_HINT: &str = "Сроки считаются от регистрации заявки (при повторном открытии — от него). Для аварийных категорий действуют сроки ПП 416 п. 13: локализация аварии — 30 минут, засор — 2 часа. Изменение касается новых заявок.";
pub const REACTION_MIN: &str = "Реакция, мин";
pub const RESOLUTION_MIN: &str = "Выполнение, мин";
pub const BASIS: &str = "Основание";
pub const SAVE: &str = "Сохранить";
pub const WORK_TITLE: &str = "Мои заявки";
pub const WORK_EMPTY: &str = "Назначенных заявок нет.";
pub const REPORT_TITLE: &str = "Отчёт по заявкам АДС";
pub const TICKETS: &str = "Заявок";
pub const RESOLVED: &str = "Выполнено";
pub const WITHIN_SLA: &str = "В срок";
pub const AVG_HOURS: &str = "Среднее время, ч";
pub const BY_MONTH: &str = "По месяцам";
pub const BY_CATEGORY: &str = "По категориям";
pub const BY_CONTRACTOR: &str = "По подрядчикам";
pub const CATEGORY_MONTH: &str = "Заявки по категориям и месяцам";
pub const CHART_LEGEND_OK: &str = "выполнено в срок";
pub const CHART_LEGEND_OTHER: &str = "остальные";
pub const YEAR: &str = "Год";
pub const OPEN_FILE: &str = "Открыть";

/// The Russian message for a form error code carried in the address.
pub fn form_error(code: &str) -> Option<String> {
    if let Some(e) = super::rules::FormError::from_code(code) {
        return Some(e.to_string());
    }
    match code {
        "failed" => Some("Заявку не удалось сохранить — попробуйте ещё раз через минуту.".into()),
        "forbidden" => Some("Эта квартира не ваша: выберите свою.".into()),
        "file" => Some("Файл не подошёл — проверьте формат и размер.".into()),
        _ => None,
    }
}

/// Stars for a rating: `★★★★☆`.
pub fn stars(n: i64) -> String {
    (1..=5).map(|i| if i <= n { '★' } else { '☆' }).collect()
}
