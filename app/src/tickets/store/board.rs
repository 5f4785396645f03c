//! Lists of tickets (the resident's, the executor's, the dispatcher's board) and contractors.

use super::*;
use crate::write_tx;

impl Store {
    /// List rows, newest first; `bind` is `$1` of the filter. Lists of finished tickets stop at
    /// [`LIST_LIMIT`]; open ones are never cut (nobody may miss one).
    pub(super) async fn rows(
        &self,
        filter_sql: &str,
        bind: Option<i64>,
        cut: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketRow>, AppError> {
        let limit = if cut {
            format!(" LIMIT {LIST_LIMIT}")
        } else {
            String::new()
        };
        let sql =
            format!("{ROW_SELECT}{ROW_FROM} {filter_sql} ORDER BY t.registered_at DESC{limit}");
        with_db!(&self.db, |pool| {
            let mut q = sqlx::query_as::<_, RowData>(&sql);
            if let Some(b) = bind {
                q = q.bind(b);
            }
            q.fetch_all(pool).await
        })
        .map(|rows| rows.into_iter().map(|r| r.into_row(now)).collect())
        .map_err(internal("ticket rows"))
    }

    /// The resident's own tickets, newest first.
    pub async fn my_tickets(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketRow>, AppError> {
        self.rows("WHERE t.requester_user_id = $1", Some(user_id), true, now)
            .await
    }

    /// An executor's work: tickets assigned to them or to their contractor, open ones first,
    /// then those of the last [`WORK_DAYS`] days.
    pub async fn executor_work(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketRow>, AppError> {
        let mut rows = self
            .rows(
                "WHERE t.executor_user_id = $1 OR (t.executor_user_id IS NULL AND t.contractor_id
                     IN (SELECT contractor_id FROM executors WHERE user_id = $1))",
                Some(user_id),
                true,
                now,
            )
            .await?;
        let since = now - Duration::days(WORK_DAYS);
        rows.retain(|r| r.status.is_open() || r.registered_at >= since);
        rows.sort_by_key(|r| !r.status.is_open());
        Ok(rows)
    }

    /// The dispatcher's board.
    pub async fn board(&self, f: &BoardFilter, now: DateTime<Utc>) -> Result<Board, AppError> {
        let mut clauses = vec!["1 = 1".to_string()];
        match f.status.as_str() {
            "" | "open" => clauses.push("t.status NOT IN ('done', 'closed', 'cancelled')".into()),
            "all" => {}
            s => match Status::parse(s) {
                Some(st) => clauses.push(format!("t.status = '{}'", st.as_str())),
                None => return Err(AppError::invalid("Нет такого статуса.")),
            },
        }
        // ids are numbers parsed by the caller, so they go into the text safely
        if let Some(c) = f.category {
            clauses.push(format!("t.category_id = {c}"));
        }
        if let Some(h) = f.house {
            clauses.push(format!("t.house_id = {h}"));
        }
        if let Some(c) = f.contractor {
            clauses.push(format!("t.contractor_id = {c}"));
        }
        if let Some(e) = f.executor {
            clauses.push(format!("t.executor_user_id = {e}"));
        }
        let all_open = self
            .rows(
                "WHERE t.status NOT IN ('done', 'closed', 'cancelled')",
                None,
                false,
                now,
            )
            .await?;
        let mut counts = BoardCounts::default();
        for r in &all_open {
            counts.open += 1;
            counts.new += i64::from(r.status == Status::New);
            let late = |s: Sla| matches!(s, Sla::Overdue { .. });
            let risk = |s: Sla| matches!(s, Sla::AtRisk { .. });
            if late(r.reaction) || late(r.resolution) {
                counts.overdue += 1;
            } else if risk(r.reaction) || risk(r.resolution) {
                counts.at_risk += 1;
            }
        }
        let only_open = Status::parse(&f.status).is_none_or(Status::is_open) && f.status != "all";
        let mut rows = self
            .rows(
                &format!("WHERE {}", clauses.join(" AND ")),
                None,
                !only_open,
                now,
            )
            .await?;
        if f.overdue {
            rows.retain(|r| rules::is_late(r.reaction) || rules::is_late(r.resolution));
        }
        // emergencies and the most urgent first among the open ones
        rows.sort_by_key(|r| {
            (
                !r.status.is_open(),
                !r.emergency,
                !(rules::is_late(r.reaction) || rules::is_late(r.resolution)),
            )
        });
        let houses = self
            .houses()
            .await?
            .into_iter()
            .map(|h| (h.id, h.address))
            .collect();
        Ok(Board {
            rows,
            categories: self.ticket_categories().await?,
            houses,
            contractors: self.contractors(now).await?,
            counts,
        })
    }

    /// Contractors with their people and load: open tickets, overdue ones, done this month.
    pub async fn contractors(&self, now: DateTime<Utc>) -> Result<Vec<ContractorLoad>, AppError> {
        let month_start = crate::clock::from_local(
            crate::clock::local(now)
                .date()
                .with_day(1)
                .unwrap_or_default()
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default(),
        );
        let (list, people, open, done) = with_db!(&self.db, |pool| async {
            let list: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
                "SELECT id, name, specialty, phone FROM contractors WHERE is_active ORDER BY name",
            )
            .fetch_all(pool)
            .await?;
            let people: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT x.contractor_id, u.id, u.full_name FROM executors x
                 JOIN users u ON u.id = x.user_id WHERE u.is_active ORDER BY u.full_name",
            )
            .fetch_all(pool)
            .await?;
            let open: Vec<OpenWork> = sqlx::query_as(
                "SELECT contractor_id, reaction_due, resolution_due, reacted_at FROM tickets
                     WHERE contractor_id IS NOT NULL
                       AND status NOT IN ('done', 'closed', 'cancelled')",
            )
            .fetch_all(pool)
            .await?;
            let done: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT contractor_id, COUNT(*) FROM tickets
                 WHERE contractor_id IS NOT NULL AND done_at >= $1 GROUP BY contractor_id",
            )
            .bind(month_start)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((list, people, open, done))
        }
        .await)
        .map_err(internal("contractors"))?;
        Ok(list
            .into_iter()
            .map(|(id, name, specialty, phone)| {
                let mine = open.iter().filter(|o| o.contractor_id == id);
                ContractorLoad {
                    id,
                    name,
                    specialty,
                    phone,
                    open: mine.clone().count() as i64,
                    overdue: mine
                        .filter(|o| {
                            now > o.resolution_due
                                || (o.reacted_at.is_none() && now > o.reaction_due)
                        })
                        .count() as i64,
                    done_month: done.iter().find(|d| d.0 == id).map_or(0, |d| d.1),
                    executors: people
                        .iter()
                        .filter(|p| p.0 == id)
                        .map(|p| (p.1, p.2.clone()))
                        .collect(),
                }
            })
            .collect())
    }

    /// Adds a contractor (audited).
    pub async fn add_contractor(
        &self,
        actor: i64,
        name: &str,
        specialty: &str,
        phone: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64, AppError> {
        write_tx!(self, "add contractor", |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO contractors (name, specialty, phone, created_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(name)
            .bind(specialty)
            .bind(phone)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "create",
                "contractor",
                Some(id),
                name
            )?;
            Ok(id)
        })
    }

    /// Links a user of the executor role to a contractor (or moves them to another).
    pub async fn set_executor(
        &self,
        actor: i64,
        user_id: i64,
        contractor_id: i64,
    ) -> Result<(), AppError> {
        write_tx!(self, "set executor", |tx| {
            let role: Option<String> =
                sqlx::query_scalar("SELECT role FROM users WHERE id = $1 AND is_active")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if role.as_deref() != Some(Role::Executor.as_str()) {
                return Err(AppError::invalid(
                    "Привязать к подрядчику можно пользователя с ролью «Исполнитель».",
                )
                .into());
            }
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM contractors WHERE id = $1")
                    .bind(contractor_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Err(AppError::invalid("Такого подрядчика нет.").into());
            }
            sqlx::query(
                "INSERT INTO executors (user_id, contractor_id) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO UPDATE SET contractor_id = excluded.contractor_id",
            )
            .bind(user_id)
            .bind(contractor_id)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "set_executor",
                "contractor",
                Some(contractor_id),
                user_id.to_string()
            )?;
            Ok(())
        })
    }

    /// Users of the executor role not yet working for any contractor.
    pub async fn free_executors(&self) -> Result<Vec<(i64, String)>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_as::<_, (i64, String)>(
            "SELECT u.id, u.full_name FROM users u
             WHERE u.role = 'executor' AND u.is_active
               AND NOT EXISTS (SELECT 1 FROM executors x WHERE x.user_id = u.id)
             ORDER BY u.full_name"
        )
        .fetch_all(pool)
        .await)
        .map_err(internal("free executors"))
    }

    /// An apartment of a house by its number (as staff type it).
    pub async fn apartment_by_number(
        &self,
        house_id: i64,
        number: &str,
    ) -> Result<Option<i64>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT id FROM apartments WHERE house_id = $1 AND number = $2"
        )
        .bind(house_id)
        .bind(number.trim())
        .fetch_optional(pool)
        .await)
        .map_err(internal("apartment by number"))
    }
}
