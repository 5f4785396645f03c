//! Reminders to hand in readings and to verify meters.

use super::*;
use crate::write_tx;

/// A resident to remind, with the meters of one home that still lack a reading.
#[derive(Debug, FromRow)]
pub(super) struct Remindee {
    user_id: i64,
    apartment_id: i64,
    number: String,
    resource: Utility,
    serial: String,
}

#[derive(Debug, FromRow)]
pub(super) struct VerificationDue {
    user_id: i64,
    meter_id: i64,
    resource: Utility,
    serial: String,
    number: String,
    verified_until: NaiveDate,
}

impl Store {
    /// One run of the reminder sweep (hourly): in each house where today (local time, from
    /// [`REMINDER_HOUR`]) is a reminder day of the window, every resident of a home with a meter
    /// still lacking a reading gets one notice; meters whose verification ends within 30 days
    /// remind their owners. A reminder already sent (same user and topic) is never sent again.
    /// Returns how many notices were queued.
    pub async fn send_reading_reminders(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        let mut sent = 0;
        for (house_id, address, settings) in self.house_settings(None).await? {
            let local = local_time(now, &settings.time_zone);
            if local.hour() < REMINDER_HOUR {
                continue;
            }
            let today = local.date();
            let stage = rules::reminder_stage(&settings, today);
            sent += write_tx!(self, "send reading reminders", |tx| {
                let mut sent = 0;
                if let Some((stage, period)) = stage {
                    let rows: Vec<Remindee> = sqlx::query_as(&format!(
                        "SELECT DISTINCT p.user_id, x.apartment_id, x.number, x.resource, x.serial
                         FROM ({ELIGIBLE_MISSING_SQL}) x
                         JOIN residencies r ON r.apartment_id = x.apartment_id
                         JOIN people p ON p.id = r.person_id
                         JOIN users u ON u.id = p.user_id
                         WHERE u.is_active AND {in_force}
                         ORDER BY p.user_id, x.apartment_id",
                        in_force = crate::db::residency_in_force("$4")
                    ))
                    .bind(house_id)
                    .bind(period.to_string())
                    .bind(period.first_day())
                    .bind(today)
                    .fetch_all(&mut *tx)
                    .await?;
                    let closes = period.day(settings.last_day).format("%d.%m.%Y").to_string();
                    let when = match stage {
                        ReminderStage::Opened => format!(
                            "Открыт приём показаний за {} — до {closes} включительно.",
                            period.label()
                        ),
                        ReminderStage::TwoDaysLeft => format!(
                            "Осталось два дня: приём показаний за {} — до {closes}.",
                            period.label()
                        ),
                        ReminderStage::LastDay => format!(
                            "Сегодня, {closes}, последний день приёма показаний за {}.",
                            period.label()
                        ),
                    };
                    let topic = format!("window:{period}:{}", stage.as_str());
                    let mut i = 0;
                    while i < rows.len() {
                        let (user, apartment) = (rows[i].user_id, rows[i].apartment_id);
                        let mut meters = Vec::new();
                        let number = rows[i].number.clone();
                        while i < rows.len()
                            && rows[i].user_id == user
                            && rows[i].apartment_id == apartment
                        {
                            let label = rows[i].resource.label();
                            meters.push(format!("{label} №{}", rows[i].serial));
                            i += 1;
                        }
                        let home_topic = format!("{topic}:{apartment}");
                        if remember!(&mut *tx, user, &home_topic, now)? {
                            let notice = Notice {
                                kind: NoticeKind::ReadingsDue,
                                recipients: Recipients::User(user),
                                params: BTreeMap::from([
                                    ("when".to_string(), when.clone()),
                                    ("meters".to_string(), meters.join(", ")),
                                    ("address".to_string(), format!("{address}, кв. {number}")),
                                ]),
                                link: Some("/cabinet/readings".into()),
                                source: Some(format!("readings:{house_id}:{period}")),
                                channels: None,
                            };
                            enqueue_notice!(&mut *tx, &notice)?;
                            sent += 1;
                        }
                    }
                }
                let due: Vec<VerificationDue> = sqlx::query_as(&format!(
                    "SELECT DISTINCT p.user_id, m.id AS meter_id, m.resource, m.serial, a.number, m.verified_until
                     FROM meters m JOIN apartments a ON a.id = m.apartment_id
                     JOIN residencies r ON r.apartment_id = a.id
                     JOIN people p ON p.id = r.person_id
                     JOIN users u ON u.id = p.user_id
                     WHERE m.house_id = $1 AND m.archived_on IS NULL
                       AND m.verified_until >= $2 AND m.verified_until <= $3
                       AND r.relation = 'owner' AND u.is_active AND {}",
                    crate::db::residency_in_force("$2")
                ))
                .bind(house_id)
                .bind(today)
                .bind(today + chrono::Days::new(rules::VERIFICATION_NOTICE_DAYS as u64))
                .fetch_all(&mut *tx)
                .await?;
                for d in due {
                    let topic = format!("verification:{}:{}", d.meter_id, d.verified_until);
                    if remember!(&mut *tx, d.user_id, &topic, now)? {
                        let label = d.resource.label();
                        let notice = Notice {
                            kind: NoticeKind::MeterVerification,
                            recipients: Recipients::User(d.user_id),
                            params: BTreeMap::from([
                                ("meter".to_string(), format!("{label} №{}", d.serial)),
                                (
                                    "address".to_string(),
                                    format!("{address}, кв. {}", d.number),
                                ),
                                (
                                    "date".to_string(),
                                    d.verified_until.format("%d.%m.%Y").to_string(),
                                ),
                            ]),
                            link: Some(format!("/cabinet/readings/meter/{}", d.meter_id)),
                            source: Some(format!("meter:{}", d.meter_id)),
                            channels: None,
                        };
                        enqueue_notice!(&mut *tx, &notice)?;
                        sent += 1;
                    }
                }
                Ok(sent)
            })?;
        }
        Ok(sent)
    }

    /// The recurring reminder job: one sweep, then the next run at the top of the next hour.
    pub async fn reading_reminders_job(
        &self,
        job: &crate::db::jobs::Job,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let sent = self.send_reading_reminders(now).await?;
        let next = now
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .unwrap_or(now)
            + chrono::Duration::hours(1);
        self.reschedule_recurring(job, worker, next).await?;
        Ok(sent)
    }
}
