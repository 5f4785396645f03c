//! The SLA sweep (overdue reactions and deadlines) and the council's yearly report.

use super::*;
use crate::write_tx;

impl Store {
    /// The SLA sweep: warns the dispatchers once per deadline when it is about to be missed (or
    /// already is), closes done tickets the resident left quiet for [`rules::QUIET_DAYS`], and
    /// purges uploads no ticket took within [`STAGED_HOURS`].
    pub async fn ticket_sweep(&self, now: DateTime<Utc>) -> Result<SweepResult, AppError> {
        let open = self
            .rows(
                "WHERE t.status NOT IN ('done', 'closed', 'cancelled')",
                None,
                false,
                now,
            )
            .await?;
        let escalated_levels: Vec<(i64, i64)> = with_db!(&self.db, |pool| {
            sqlx::query_as(
            "SELECT id, escalated FROM tickets WHERE status NOT IN ('done', 'closed', 'cancelled')"
        )
        .fetch_all(pool)
        .await
        })
        .map_err(internal("escalation levels"))?;
        let level = |id: i64| {
            escalated_levels
                .iter()
                .find(|e| e.0 == id)
                .map_or(0, |e| e.1)
        };
        let warn = |s: Sla| matches!(s, Sla::AtRisk { .. } | Sla::Overdue { .. });
        let mut result = SweepResult::default();
        for r in &open {
            let (need, what, due) = if level(r.id) < 1 && warn(r.reaction) {
                (1, "реакция", &r.reaction_due)
            } else if level(r.id) < 2 && warn(r.resolution) {
                (2, "выполнение", &r.resolution_due)
            } else {
                continue;
            };
            let sla = if need == 1 { r.reaction } else { r.resolution };
            let sent = write_tx!(self, "escalate ticket", |tx| {
                let n = sqlx::query(
                    "UPDATE tickets SET escalated = $1 WHERE id = $2 AND escalated < $1",
                )
                .bind(need)
                .bind(r.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 1 {
                    let notice = ticket_notice(
                        NoticeKind::TicketSla,
                        Recipients::Staff(Permission::ManageTickets),
                        r.id,
                        &[
                            ("what", what.to_string()),
                            ("due", due.clone()),
                            ("state", rules::sla_text(sla)),
                            ("category", r.category.clone()),
                            ("address", format!("{}, {}", r.address, r.place)),
                        ],
                    );
                    enqueue_notice!(
                        &mut *tx,
                        &with_link(notice, format!("/staff/tickets/{}", r.id))
                    )?;
                }
                Ok(n == 1)
            })?;
            result.escalated += usize::from(sent);
        }
        let quiet_since = now - Duration::days(rules::QUIET_DAYS);
        let staged_before = now - Duration::hours(STAGED_HOURS);
        let (closed, purged) = write_tx!(self, "ticket sweep", |tx| {
            let quiet: Vec<(i64, Option<i64>)> = sqlx::query_as(
                "SELECT id, requester_user_id FROM tickets WHERE status = 'done' AND done_at < $1",
            )
            .bind(quiet_since)
            .fetch_all(&mut *tx)
            .await?;
            for (id, requester) in &quiet {
                sqlx::query(
                    "UPDATE tickets SET status = 'closed', closed_at = $1, updated_at = $1
                     WHERE id = $2 AND status = 'done'",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO ticket_events (ticket_id, at, kind, from_status, to_status, body)
                     VALUES ($1, $2, 'status', 'done', 'closed', $3)",
                )
                .bind(id)
                .bind(now)
                .bind(format!(
                    "Закрыта автоматически: житель не ответил {} дня после выполнения",
                    rules::QUIET_DAYS
                ))
                .execute(&mut *tx)
                .await?;
                if let Some(user) = requester {
                    let notice = ticket_notice(
                        NoticeKind::TicketUpdate,
                        Recipients::User(*user),
                        *id,
                        &[
                            ("status", "закрыта".into()),
                            ("text", "Работы выполнены; оцените их в кабинете.".into()),
                        ],
                    );
                    enqueue_notice!(
                        &mut *tx,
                        &with_link(notice, format!("/cabinet/tickets/{id}"))
                    )?;
                }
            }
            let stale: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT id, storage_key, thumb_key FROM ticket_files
                 WHERE ticket_id IS NULL AND created_at < $1",
            )
            .bind(staged_before)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM ticket_files WHERE ticket_id IS NULL AND created_at < $1")
                .bind(staged_before)
                .execute(&mut *tx)
                .await?;
            let keys: Vec<String> = stale
                .into_iter()
                .flat_map(|(id, a, b)| [Some(format!("staging/{id}")), a, b])
                .flatten()
                .collect();
            Ok((quiet.len(), keys))
        })?;
        result.closed = closed;
        result.purged = purged;
        Ok(result)
    }

    /// The council's report for a year (Moscow time): per month, category and contractor — how
    /// many tickets, how many resolved, how many of those within their deadline, the average
    /// time to resolve.
    pub async fn ticket_report(&self, year: i32) -> Result<TicketReport, AppError> {
        let from = crate::clock::from_local(
            chrono::NaiveDate::from_ymd_opt(year, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .ok_or_else(|| AppError::invalid("Нет такого года."))?,
        );
        let to = crate::clock::from_local(
            chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .ok_or_else(|| AppError::invalid("Нет такого года."))?,
        );
        #[derive(FromRow)]
        struct ReportData {
            category: String,
            contractor: Option<String>,
            registered_at: DateTime<Utc>,
            done_at: Option<DateTime<Utc>>,
            resolution_due: DateTime<Utc>,
            clock_from: DateTime<Utc>,
            status: String,
        }
        let (rows, categories): (Vec<ReportData>, Vec<String>) = with_db!(&self.db, |pool| async {
            let rows = sqlx::query_as::<_, ReportData>(
                "SELECT c.title AS category, co.name AS contractor, t.registered_at, t.done_at,
                        t.resolution_due, t.clock_from, t.status
                 FROM tickets t JOIN ticket_categories c ON c.id = t.category_id
                 LEFT JOIN contractors co ON co.id = t.contractor_id
                 WHERE t.registered_at >= $1 AND t.registered_at < $2",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            let categories =
                sqlx::query_scalar("SELECT title FROM ticket_categories ORDER BY sort")
                    .fetch_all(pool)
                    .await?;
            Ok::<_, sqlx::Error>((rows, categories))
        }
        .await)
        .map_err(internal("ticket report"))?;
        #[derive(Default, Clone)]
        struct Acc {
            tickets: i64,
            resolved: i64,
            within: i64,
            minutes: i64,
        }
        impl Acc {
            fn add(&mut self, r: &ReportData) {
                self.tickets += 1;
                if let (Some(done), true) = (r.done_at, r.status != "cancelled") {
                    self.resolved += 1;
                    self.within += i64::from(done <= r.resolution_due);
                    self.minutes += (done - r.clock_from).num_minutes().max(0);
                }
            }
            fn row(&self, label: String) -> ReportRow {
                ReportRow {
                    label,
                    tickets: self.tickets,
                    resolved: self.resolved,
                    within_sla: self.within,
                    avg_hours: rules::format_hours(self.minutes, self.resolved),
                }
            }
        }
        let mut months = vec![Acc::default(); 12];
        let mut by_category: BTreeMap<String, Acc> = BTreeMap::new();
        let mut by_contractor: BTreeMap<String, Acc> = BTreeMap::new();
        let mut grid: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut total = Acc::default();
        for r in &rows {
            let month = crate::clock::local(r.registered_at).month0() as usize;
            months[month].add(r);
            by_category.entry(r.category.clone()).or_default().add(r);
            by_contractor
                .entry(r.contractor.clone().unwrap_or_else(|| "Не назначен".into()))
                .or_default()
                .add(r);
            grid.entry(r.category.clone())
                .or_insert_with(|| vec![0; 12])[month] += 1;
            total.add(r);
        }
        const MONTHS: [&str; 12] = [
            "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
        ];
        Ok(TicketReport {
            year,
            months: MONTHS.iter().map(|m| (*m).to_string()).collect(),
            by_category_month: categories
                .iter()
                .map(|c| {
                    (
                        c.clone(),
                        grid.get(c).cloned().unwrap_or_else(|| vec![0; 12]),
                    )
                })
                .collect(),
            by_month: months
                .iter()
                .zip(MONTHS)
                .map(|(a, m)| a.row(m.to_string()))
                .collect(),
            by_category: categories
                .iter()
                .filter_map(|c| by_category.get(c).map(|a| a.row(c.clone())))
                .collect(),
            by_contractor: by_contractor.into_iter().map(|(k, a)| a.row(k)).collect(),
            total: total.row("Всего".into()),
        })
    }
}
