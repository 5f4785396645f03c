//! The dated rule tables: the work calendar, the key rate, penalty rules and due days.

use super::*;
use crate::write_tx;

impl Store {
    /// The dated rule tables: key rates, caps and moratoria, due days and the production
    /// calendar's days off and working weekends.
    pub(crate) async fn rule_tables(&self) -> Result<(RateTable, DueRules), AppError> {
        type PenaltyRow = (
            NaiveDate,
            NaiveDate,
            String,
            Option<DecimalText>,
            Option<NaiveDate>,
        );
        let (keys, penalty, due, calendar) = with_db!(&self.db, |pool| async {
            let keys: Vec<(NaiveDate, DecimalText)> =
                sqlx::query_as("SELECT valid_from, rate FROM key_rates ORDER BY valid_from")
                    .fetch_all(pool)
                    .await?;
            let penalty: Vec<PenaltyRow> = sqlx::query_as(
                "SELECT valid_from, valid_to, rule, cap, debts_due_before FROM penalty_rules
                 ORDER BY valid_from",
            )
            .fetch_all(pool)
            .await?;
            let due: Vec<(Period, i64)> =
                sqlx::query_as("SELECT from_period, day FROM due_day_rules")
                    .fetch_all(pool)
                    .await?;
            let calendar: Vec<(NaiveDate, bool)> =
                sqlx::query_as("SELECT day, working FROM work_calendar")
                    .fetch_all(pool)
                    .await?;
            Ok::<_, sqlx::Error>((keys, penalty, due, calendar))
        }
        .await)
        .map_err(internal("load billing rule tables"))?;
        let table = RateTable {
            key_rates: keys.into_iter().map(|(d, r)| (d, r.0)).collect(),
            rules: penalty
                .into_iter()
                .map(|(from, to, rule, cap, debts_due_before)| {
                    let rule = match (rule.as_str(), cap) {
                        ("cap", Some(cap)) => PenaltyRule::Cap(cap.0),
                        _ => PenaltyRule::Moratorium { debts_due_before },
                    };
                    (from, to, rule)
                })
                .collect(),
        };
        let due = DueRules {
            days: due.into_iter().map(|(p, d)| (p, d as u32)).collect(),
            calendar: WorkCalendar {
                exceptions: calendar.into_iter().collect(),
            },
        };
        Ok((table, due))
    }

    /// The due date of a bill for a period.
    pub async fn due_date(&self, period: Period) -> Result<NaiveDate, AppError> {
        let (_, due) = self.rule_tables().await?;
        Ok(due.due_date(period))
    }

    /// The rule tables as staff see them, newest first.
    pub async fn rule_tables_view(&self) -> Result<RuleTables, AppError> {
        type PenaltyRow = (
            NaiveDate,
            NaiveDate,
            Option<DecimalText>,
            Option<NaiveDate>,
            String,
        );
        let (keys, penalty, due, calendar) = with_db!(&self.db, |pool| async {
            let keys: Vec<(NaiveDate, DecimalText)> =
                sqlx::query_as("SELECT valid_from, rate FROM key_rates ORDER BY valid_from DESC")
                    .fetch_all(pool)
                    .await?;
            let penalty: Vec<PenaltyRow> = sqlx::query_as(
                "SELECT valid_from, valid_to, cap, debts_due_before, note FROM penalty_rules
                 ORDER BY valid_from DESC",
            )
            .fetch_all(pool)
            .await?;
            let due: Vec<(Period, i64, String)> = sqlx::query_as(
                "SELECT from_period, day, note FROM due_day_rules ORDER BY from_period DESC",
            )
            .fetch_all(pool)
            .await?;
            let calendar: Vec<(NaiveDate, bool, String)> =
                sqlx::query_as("SELECT day, working, note FROM work_calendar ORDER BY day DESC")
                    .fetch_all(pool)
                    .await?;
            Ok::<_, sqlx::Error>((keys, penalty, due, calendar))
        }
        .await)
        .map_err(internal("load rule tables"))?;
        Ok(RuleTables {
            key_rates: keys.into_iter().map(|(d, r)| (d, r.0)).collect(),
            penalty_rules: penalty
                .into_iter()
                .map(
                    |(valid_from, valid_to, cap, debts_due_before, note)| PenaltyRuleView {
                        valid_from,
                        valid_to,
                        cap: cap.map(|c| c.0),
                        debts_due_before,
                        note,
                    },
                )
                .collect(),
            due_days: due
                .into_iter()
                .map(|(from, day, note)| DueDayView {
                    from,
                    day: day as u32,
                    note,
                })
                .collect(),
            calendar: calendar
                .into_iter()
                .map(|(day, working, note)| CalendarDayView { day, working, note })
                .collect(),
        })
    }

    /// Marks a day of the production calendar as a day off (`Some(false)`), a working day
    /// (`Some(true)`), or as the plain week has it (`None`); audited. Due dates follow at once.
    pub async fn set_calendar_day(
        &self,
        actor: i64,
        day: NaiveDate,
        working: Option<bool>,
        note: &str,
    ) -> Result<(), AppError> {
        let note = note.trim();
        if working.is_some() && (note.is_empty() || note.chars().count() > 300) {
            return Err(AppError::invalid(
                "Укажите основание (праздник, постановление о переносе) — до 300 символов.",
            ));
        }
        let weekend = matches!(
            chrono::Datelike::weekday(&day),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        );
        if working == Some(!weekend) {
            return Err(AppError::invalid(if weekend {
                "Этот день — суббота или воскресенье, он и так выходной."
            } else {
                "Этот день — будний, он и так рабочий."
            }));
        }
        write_tx!(self, "set calendar day", |tx| {
            match working {
                None => {
                    sqlx::query("DELETE FROM work_calendar WHERE day = $1")
                        .bind(day)
                        .execute(&mut *tx)
                        .await?;
                }
                Some(working) => {
                    sqlx::query(
                        "INSERT INTO work_calendar (day, working, note) VALUES ($1, $2, $3)
                         ON CONFLICT (day) DO UPDATE SET working = excluded.working,
                             note = excluded.note",
                    )
                    .bind(day)
                    .bind(working)
                    .bind(note)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            let what = match working {
                None => "обычный",
                Some(true) => "рабочий",
                Some(false) => "выходной",
            };
            audit!(
                &mut *tx,
                Some(actor),
                "set_calendar_day",
                "work_calendar",
                None::<i64>,
                format!("{day}: {what} {note}")
            )?;
            Ok(())
        })
    }

    /// Records the key rate from a date (audited; the same date again replaces the rate).
    pub async fn set_key_rate(
        &self,
        actor: i64,
        valid_from: NaiveDate,
        rate: Decimal,
    ) -> Result<(), AppError> {
        if rate.is_sign_negative() || rate > Decimal::from(100) || rate.scale() > 2 {
            return Err(AppError::invalid(
                "Ключевая ставка — процент от 0 до 100, не больше двух знаков после запятой.",
            ));
        }
        write_tx!(self, "set key rate", |tx| {
            sqlx::query(
                "INSERT INTO key_rates (valid_from, rate) VALUES ($1, $2)
                 ON CONFLICT (valid_from) DO UPDATE SET rate = excluded.rate",
            )
            .bind(valid_from)
            .bind(rate.normalize().to_string())
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "set_key_rate",
                "key_rate",
                None::<i64>,
                format!("с {valid_from}: {rate} %")
            )?;
            Ok(())
        })
    }

    /// Adds days with a capped penalty rate (`cap` percent) or, without a cap, a moratorium.
    pub async fn add_penalty_rule(
        &self,
        actor: i64,
        rule: &PenaltyRuleView,
    ) -> Result<(), AppError> {
        if rule.valid_to < rule.valid_from {
            return Err(AppError::invalid("Дата окончания раньше даты начала."));
        }
        if rule
            .cap
            .is_some_and(|c| c.is_sign_negative() || c > Decimal::from(100) || c.scale() > 2)
        {
            return Err(AppError::invalid(
                "Ограничение ставки — процент от 0 до 100.",
            ));
        }
        let note = rule.note.trim();
        if note.is_empty() || note.chars().count() > 300 {
            return Err(AppError::invalid(
                "Укажите основание (постановление) — до 300 символов.",
            ));
        }
        write_tx!(self, "add penalty rule", |tx| {
            sqlx::query(
                "INSERT INTO penalty_rules (valid_from, valid_to, rule, cap, debts_due_before, note)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(rule.valid_from)
            .bind(rule.valid_to)
            .bind(if rule.cap.is_some() {
                "cap"
            } else {
                "moratorium"
            })
            .bind(rule.cap.map(|c| c.normalize().to_string()))
            .bind(rule.cap.is_none().then_some(rule.debts_due_before).flatten())
            .bind(note)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "add_penalty_rule",
                "penalty_rule",
                None::<i64>,
                format!("{} — {}: {note}", rule.valid_from, rule.valid_to)
            )?;
            Ok(())
        })
    }

    /// From a period on, bills are due on `day` of the next month (audited).
    pub async fn set_due_day(
        &self,
        actor: i64,
        from: Period,
        day: u32,
        note: &str,
    ) -> Result<(), AppError> {
        if !(1..=28).contains(&day) {
            return Err(AppError::invalid("День оплаты — от 1 до 28."));
        }
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 300 {
            return Err(AppError::invalid(
                "Укажите основание (закон, договор) — до 300 символов.",
            ));
        }
        write_tx!(self, "set due day", |tx| {
            sqlx::query(
                "INSERT INTO due_day_rules (from_period, day, note) VALUES ($1, $2, $3)
                 ON CONFLICT (from_period) DO UPDATE SET day = excluded.day, note = excluded.note",
            )
            .bind(from.to_string())
            .bind(i64::from(day))
            .bind(note)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "set_due_day",
                "due_day_rule",
                None::<i64>,
                format!("с {from}: {day}-е число — {note}")
            )?;
            Ok(())
        })
    }
}
