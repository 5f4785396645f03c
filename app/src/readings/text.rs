//! Every user-visible text of the readings area, in one place.

pub const TITLE: &str = "Показания счётчиков";
pub const SUBMIT: &str = "Передать показания";
pub const SUBMITTED: &str = "Показания приняты. Спасибо!";
pub const PREVIOUS: &str = "Предыдущие";
pub const NO_PREVIOUS: &str = "Предыдущих показаний нет";
pub const CURRENT: &str = "Переданы";
pub const HISTORY: &str = "История";
pub const NO_METERS: &str = "Счётчики в этой квартире ещё не заведены. Если они есть, сообщите в управляющую организацию номера и даты поверки.";
pub const NO_HOMES: &str =
    "Квартира ещё не подтверждена — показания можно будет передать после подтверждения.";
pub const EXPIRED: &str = "Срок поверки истёк";
pub const EXPIRED_HINT: &str = "Показания с этого счётчика не принимаются: объём начисляется по среднему расходу (до трёх месяцев), затем по нормативу. Закажите поверку или замену и передайте акт в управляющую организацию.";
pub const VERIFY_SOON: &str = "Поверка до";
pub const USED: &str = "Расход";
pub const HIGH_USE: &str = "Намного больше обычного — проверьте цифры. Если всё верно, передавайте: показания примут и проверят.";
pub const SERIAL: &str = "№";
pub const SERIAL_NUMBER: &str = "Заводской номер";
pub const VERIFIED_UNTIL: &str = "Поверка до";
pub const BACK: &str = "← Все счётчики";
pub const CHART_TITLE: &str = "Расход по месяцам";
pub const MONTH: &str = "Месяц";
pub const VOLUME: &str = "Объём";
pub const HOW: &str = "Как посчитан";
pub const READINGS: &str = "Показания";
pub const DATE: &str = "Дата";
pub const VALUE: &str = "Значение";
pub const WHO: &str = "Кто передал";

pub fn open_until(period: &str, closes: &str) -> String {
    format!("Приём показаний за {period} открыт до {closes} включительно.")
}
pub fn closed_until(opens: &str) -> String {
    format!(
        "Приём показаний сейчас закрыт. Окно откроется {opens}. Сейчас показания не сохраняются."
    )
}
pub fn late(period: &str, opens: &str) -> String {
    format!(
        "Окно приёма закрыто, но показания примем: они будут учтены в расчёте за {period}. Следующее окно — с {opens}."
    )
}

// staff
pub const STAFF_TITLE: &str = "Показания";
pub const SHOW: &str = "Показать";
pub const PERIOD: &str = "Период";
pub const WINDOW: &str = "Окно приёма";
pub const FIRST_DAY: &str = "С числа";
pub const LAST_DAY: &str = "По число";
pub const MODE: &str = "Режим";
pub const STRICT: &str = "Строгий: вне окна не принимаем";
pub const SOFT: &str = "Мягкий: вне окна — в следующий период";
pub const TIME_ZONE: &str = "Часовой пояс";
pub const SAVE: &str = "Сохранить";
pub const SAVED: &str = "Сохранено.";
pub const SUBMITTED_COUNT: &str = "Передано";
pub const MISSING: &str = "Не передали";
pub const NOBODY_MISSING: &str = "Все передали показания за этот период.";
pub const APARTMENT: &str = "Кв.";
pub const RESIDENTS: &str = "Жильцы";
pub const METERS: &str = "Счётчики";
pub const FLAGGED: &str = "На проверке: расход намного выше среднего";
pub const NO_FLAGGED: &str = "Подозрительных показаний нет.";
pub const REVIEWED: &str = "Проверено";
pub const CLOSE_PERIOD: &str = "Закрыть период";
pub const CLOSE_HINT: &str = "После закрытия показания периода становятся окончательными для начислений; исправления пойдут перерасчётом в следующий период.";
pub const PERIOD_CLOSED: &str = "Период закрыт — показания окончательные.";
pub const CLOSED_DONE: &str = "Период закрыт.";
pub const ENTER_FOR_RESIDENT: &str = "Внести показания за жителя";
pub const ENTER_HINT: &str = "Например, принятые по телефону. Источник «сотрудник» сохраняется.";
pub const TAKEN_ON: &str = "Дата снятия";
pub const ENTER: &str = "Внести";
pub const CORRECT: &str = "Исправить";
pub const REASON: &str = "Причина исправления";
pub const CORRECTED: &str = "Исправлено.";
pub const ADD_METER: &str = "Добавить счётчик";
pub const RESOURCE: &str = "Ресурс";
pub const ZONES: &str = "Тарифных зон";
pub const PLACE: &str = "Где стоит";
pub const INSTALLED_ON: &str = "Установлен";
pub const SEAL: &str = "Пломба";
pub const INITIAL: &str = "Начальное показание";
pub const ADDED: &str = "Счётчик добавлен.";
pub const REPLACE: &str = "Заменить";
pub const REPLACE_TITLE: &str = "Замена счётчика";
pub const FINAL: &str = "Конечное показание старого";
pub const NEW_SERIAL: &str = "Номер нового";
pub const REPLACED_ON: &str = "Дата замены";
pub const ARCHIVE: &str = "Снять с учёта";
pub const ARCHIVED: &str = "Снят с учёта";
pub const REVERIFY: &str = "Новая дата поверки";
pub const IMPORT: &str = "Импорт счётчиков";
pub const IMPORT_HINT: &str = "Файл CSV (UTF-8 или Windows-1251, разделитель «;» или «,») или XLSX. Столбцы: квартира; ресурс (ХВС, ГВС, электроэнергия, отопление, газ); номер; зон; место; установлен; поверка до; пломба; начальное показание. Первая строка — заголовки. Сначала проверка, затем загрузка всего файла целиком.";
pub const BUILDING_METERS: &str = "Общедомовые счётчики";
