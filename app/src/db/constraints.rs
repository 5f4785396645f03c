//! The database's integrity rules as users read them. A statement that breaks a UNIQUE rule is
//! refused with that rule's message; a broken reference or CHECK with one message each. A rule
//! is named by its table and columns, which both engines report: SQLite in its message
//! (`UNIQUE constraint failed: meters.house_id, meters.serial`), PostgreSQL in the error's
//! table and detail (`Key (house_id, serial)=(…) already exists.`) — the generated constraint
//! names differ between the engines, the columns do not. The engine's own text goes to the log.

use sqlx::error::{DatabaseError, ErrorKind};

use crate::error::AppError;

/// Every UNIQUE rule a user's action can break, `table(columns)` → what to tell them. The
/// others (delivery, payment and idempotency keys) are handled where they are written; one
/// reaching a user is a defect and is logged as such. A schema test checks each key names a
/// real rule on both engines.
pub const UNIQUE_RULES: &[(&str, &str)] = &[
    ("houses(address)", "Дом с таким адресом уже есть."),
    (
        "entrances(house_id, number)",
        "Подъезд с таким номером в этом доме уже есть.",
    ),
    (
        "apartments(house_id, number)",
        "Квартира с таким номером в этом доме уже есть.",
    ),
    ("accounts(number)", "Лицевой счёт с таким номером уже есть."),
    ("accounts(els)", "Лицевой счёт с таким ЕЛС уже есть."),
    (
        "users(email)",
        "Пользователь с таким e-mail уже зарегистрирован. Войдите и привяжите квартиру кодом из профиля.",
    ),
    (
        "users(phone)",
        "Пользователь с таким телефоном уже зарегистрирован. Войдите и привяжите квартиру кодом из профиля.",
    ),
    ("faq_categories(title)", "Такой раздел уже есть."),
    (
        "meters(house_id, resource, serial)",
        "Счётчик с таким номером и ресурсом в этом доме уже есть.",
    ),
    (
        "readings(meter_id, period, kind)",
        "Показание этого счётчика за этот месяц уже внесено — исправьте его.",
    ),
    (
        "consumption_norms(house_id, resource, valid_from)",
        "Норматив этого ресурса с этой даты уже задан.",
    ),
    (
        "services(house_id, name)",
        "Услуга с таким названием в этом доме уже есть.",
    ),
    (
        "tariffs(service_id, zone, valid_from)",
        "Цена этой услуги с этого месяца уже задана.",
    ),
    // two accountants pressing at once: the second insert meets the first
    (
        "accrual_runs(house_id, period)",
        crate::billing::text::RUN_IN_PROGRESS,
    ),
    (
        "ticket_categories(code)",
        "Категория заявок с таким кодом уже есть.",
    ),
    ("contractors(name)", "Подрядчик с таким названием уже есть."),
    ("debt_segments(name)", "Сегмент с таким названием уже есть."),
];

/// A reference broken either way: what the record points to is gone, or a record still points
/// to what is being removed (SQLite does not say which).
const BROKEN_REFERENCE: &str = "Запись связана с другими: одной из них уже нет или на эту запись ещё ссылаются. Обновите страницу и повторите.";
const VALUE_OUT_OF_RANGE: &str = "Значение вне допустимых пределов — проверьте поля формы.";

/// The rule a failed statement broke, named the same on both engines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// `table(column, column)`.
    Unique(String),
    ForeignKey,
    Check,
}

impl Violation {
    pub fn of(e: &sqlx::Error) -> Option<Violation> {
        let db = e.as_database_error()?;
        match db.kind() {
            ErrorKind::UniqueViolation => Some(Violation::Unique(unique_rule(db))),
            ErrorKind::ForeignKeyViolation => Some(Violation::ForeignKey),
            ErrorKind::CheckViolation => Some(Violation::Check),
            _ => None,
        }
    }

    /// What the user is told; None for a UNIQUE rule no action of theirs should break.
    pub fn message(&self) -> Option<&'static str> {
        match self {
            Violation::Unique(rule) => UNIQUE_RULES
                .iter()
                .find(|(name, _)| name == rule)
                .map(|(_, message)| *message),
            Violation::ForeignKey => Some(BROKEN_REFERENCE),
            Violation::Check => Some(VALUE_OUT_OF_RANGE),
        }
    }
}

/// `table(columns)` of the UNIQUE rule an error reports.
fn unique_rule(db: &dyn DatabaseError) -> String {
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        let columns = pg
            .detail()
            .and_then(|d| d.strip_prefix("Key ("))
            .and_then(|d| d.split_once(")=("))
            .map_or("", |(columns, _)| columns);
        return format!("{}({columns})", pg.table().unwrap_or_default());
    }
    sqlite_unique_rule(db.message())
}

fn sqlite_unique_rule(message: &str) -> String {
    let columns = message
        .strip_prefix("UNIQUE constraint failed: ")
        .unwrap_or_default();
    let mut table = "";
    let names: Vec<&str> = columns
        .split(", ")
        .map(|c| match c.split_once('.') {
            Some((t, column)) => {
                table = t;
                column
            }
            None => c,
        })
        .collect();
    format!("{table}({})", names.join(", "))
}

/// A database error as the user sees it: a broken rule as its message (logged as a warning
/// with the engine's text), anything else logged with `context` as the generic message.
pub fn refusal_or_internal(context: &str, e: sqlx::Error) -> AppError {
    match Violation::of(&e).and_then(|v| v.message()) {
        Some(message) => {
            tracing::warn!(error = %e, "{context}: refused by an integrity rule");
            AppError::invalid(message)
        }
        None => {
            tracing::error!(error = %e, "{context}");
            AppError::Internal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_names_a_rule_by_its_table_and_columns() {
        assert_eq!(
            sqlite_unique_rule(
                "UNIQUE constraint failed: meters.house_id, meters.resource, meters.serial"
            ),
            "meters(house_id, resource, serial)"
        );
        assert_eq!(
            sqlite_unique_rule("UNIQUE constraint failed: accounts.number"),
            "accounts(number)"
        );
    }

    #[test]
    fn a_rule_without_a_message_is_not_shown_to_users() {
        assert_eq!(
            Violation::Unique("tickets(client_key)".into()).message(),
            None
        );
        assert_eq!(
            Violation::Unique("accounts(number)".into()).message(),
            Some("Лицевой счёт с таким номером уже есть.")
        );
    }
}
