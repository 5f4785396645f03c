//! The words of the passes pages.

use super::types::PassKind;

pub const TITLE: &str = "Пропуска";
pub const NEW: &str = "Новый пропуск";
pub const NEW_TITLE: &str = "Новый пропуск";
pub const ALL_PASSES: &str = "← Все пропуска";
pub const EMPTY: &str = "Пропусков пока нет. Закажите пропуск гостю, такси или на свою машину.";
pub const NO_HOMES: &str = "Пропуск можно заказать, когда вас привяжут к квартире.";
pub const CODE: &str = "Код для охраны:";
pub const OPEN_PASS: &str = "Открыть и отправить гостю";
pub const CANCEL: &str = "Отменить";
pub const WHO: &str = "На кого пропуск";
pub const HOME: &str = "Квартира";
pub const VISITOR: &str = "Имя гостя (охрана спросит)";
pub const COMPANY: &str = "Компания или бригада";
pub const PHONE: &str = "Телефон (необязательно)";
pub const BY_CAR: &str = "Гость на машине";
pub const PLATE: &str = "Номер машины";
pub const PLATE_OPTIONAL: &str = "Номер машины (если известен)";
pub const FOREIGN: &str = "Иностранный номер";
pub const CAR_NOTE: &str = "Марка и цвет";
pub const PEOPLE: &str = "Сколько человек";
pub const WHEN: &str = "Когда";
pub const ONCE: &str = "Один раз, в определённые часы";
pub const PERIOD: &str = "На несколько дней";
pub const DAY: &str = "День";
pub const FROM: &str = "С";
pub const UNTIL: &str = "До";
pub const FIRST_DAY: &str = "С какого дня";
pub const LAST_DAY: &str = "По какой день";
pub const TAXI_HINT: &str = "Пропуск действует час с этой минуты.";
pub const CAR_HINT: &str = "Постоянный пропуск на вашу машину.";
pub const MAKE: &str = "Заказать пропуск";
pub const NO_SUCH_PASS: &str =
    "Такого пропуска нет. Попросите пригласившего прислать ссылку ещё раз.";
pub const PASS_FOR: &str = "Пропуск:";
pub const QR_LABEL: &str = "QR-код пропуска — покажите охране";
pub const CODE_FOR_GUARD: &str = "Код для охраны";
pub const GATE_TITLE: &str = "Пост охраны";
pub const HOUSE: &str = "Дом";
pub const LOOKUP: &str = "Код пропуска, номер машины или ссылка из QR";
pub const CHECK: &str = "Проверить";
pub const SCAN: &str = "Сканировать QR";
pub const SCAN_STOP: &str = "Выключить камеру";
pub const NOT_A_PASS: &str = "Такого пропуска нет";
pub const VALID: &str = "Пропуск действует";
pub const LET_IN: &str = "Проход отмечен";
pub const RECORD_IN: &str = "Впустить";
pub const RECORD_OUT: &str = "Отметить выезд";

pub fn kind_label(kind: PassKind) -> &'static str {
    match kind {
        PassKind::Guest => "Гость",
        PassKind::Car => "Моя машина",
        PassKind::Taxi => "Такси или курьер",
        PassKind::Contractor => "Подрядчик",
    }
}

/// The kind as staff name it (the resident's «Моя машина» is a resident's car to them).
pub fn staff_kind_label(kind: PassKind) -> &'static str {
    match kind {
        PassKind::Car => "Машина жителя",
        other => kind_label(other),
    }
}

pub const CAMERAS: &str = "Камеры и шлагбаум";
pub const NO_GATES: &str = "У этого дома нет ворот с камерами.";
pub const NO_READS: &str = "Камеры ещё не читали номеров.";
pub const CAMERA_PICTURE: &str = "Камера ворот";
pub const OPENED_BY_ITSELF: &str = "Открыто";
pub const REFUSED: &str = "Отказ";
pub const ASK_GUARD: &str = "Решает охрана";
pub const BARRIER_OPENED: &str = "шлагбаум открыт";
pub const BARRIER_FAILED: &str = "шлагбаум не ответил";
pub const GUARD_LET_IN: &str = "впущен охраной";
pub const GUARD_REFUSED: &str = "охрана отказала";
pub const SIMILAR: &str = "Похожие номера с пропуском:";
pub const LET_IN_CAR: &str = "Впустить";
pub const REFUSE_CAR: &str = "Отказать";
pub const SNAPSHOT: &str = "Снимок камеры";
pub const UNREAD_PLATE: &str = "номер не прочитан";

pub fn direction_label(direction: super::types::Direction) -> &'static str {
    match direction {
        super::types::Direction::In => "въезд",
        super::types::Direction::Out => "выезд",
    }
}

pub const DESK_TITLE: &str = "Пропуска";
pub const SHOW: &str = "Показать";
pub const INSIDE: &str = "Машины на территории";
pub const NO_CARS_INSIDE: &str = "Машин с пропусками на территории нет.";
pub const OVERDUE: &str = "пропуск истёк";
pub const SINCE: &str = "с";
pub const DAY_PASSES: &str = "Пропуска на день";
pub const NO_DAY_PASSES: &str = "На этот день пропусков нет.";
pub const LOG: &str = "Журнал въездов и выходов";
pub const NO_LOG: &str = "За этот день проходов нет.";
pub const EXPORT: &str = "Выгрузить журнал";
pub const EXPORT_FROM: &str = "С";
pub const EXPORT_TO: &str = "По";
pub const LOG_AT: &str = "Когда";
pub const LOG_WHO: &str = "Кто";
pub const LOG_HOME: &str = "Квартира";
pub const LOG_BY: &str = "Отметил";

pub const ASK_EXCEPTION: &str = "Попросить диспетчера об исключении, если лимит превышен";
pub const EXCEPTION_NOTE: &str = "Почему нужно исключение";
pub const EXCEPTIONS: &str = "Просьбы об исключении из лимитов";
pub const APPROVE: &str = "Одобрить";
pub const REFUSE_EXCEPTION: &str = "Отказать";
pub const REFUSAL_REASON: &str = "Причина отказа (житель прочтёт)";
pub const SETTINGS: &str = "Лимиты дома и хранение данных гостей";
pub const SAVE_SETTINGS: &str = "Сохранить";
pub const SETTINGS_SAVED: &str = "Сохранено. Новые пропуска — по новым лимитам.";

pub const ISSUE: &str = "Пропуск по звонку жителя";
pub const ISSUE_TITLE: &str = "Пропуск по звонку жителя";
pub const ISSUE_HINT: &str = "Найдите квартиру, выберите жителя и заполните пропуск, как он просит. Пропуск будет в его кабинете, житель получит уведомление.";
pub const BACK_TO_DESK: &str = "← Пропуска";
pub const FLAT_NUMBER: &str = "Квартира №";
pub const FIND_FLAT: &str = "Найти";
pub const RESIDENT: &str = "Для кого (житель квартиры)";
pub const GRANT_EXCEPTION: &str = "Оформить сверх лимита квартиры (исключение)";
pub const ISSUED: &str = "Пропуск оформлен, житель его видит.";
pub const ISSUED_OPEN: &str = "Открыть пропуск — QR и код для гостя";

pub const LET_IN_OFFLINE: &str = "Проход отмечен — отправится, когда появится связь";
pub const ANSWERED_OFFLINE: &str = "Нет связи: ответ по списку пропусков на сегодня";
pub const NO_DAY_LIST: &str =
    "Нет связи, а список пропусков на сегодня ещё не загружен. Проверьте подключение.";
pub const WAITING_TO_SEND: &str = "Отметок ждут отправки на сервер:";
pub const DAY_LIST_FROM: &str = "Без связи проверка идёт по списку на";
pub const PASSES_WORD: &str = "пропусков:";
pub const NOT_TAKEN: &str = "Отметка не принята";
pub const ISSUE_MAKE: &str = "Оформить пропуск";
pub const UNSENT: &str = "Сервер не принял отметки";
