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
