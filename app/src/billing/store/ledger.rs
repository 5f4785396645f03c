//! The ledger as accounts see it: payments recorded, statements, the turnover sheet, corrections.

use super::*;
use crate::write_tx;

impl Store {
    /// Records money received (ledger entries, negative amounts) in one transaction; a
    /// payment whose `source_key` is already there is skipped. Returns how many were new.
    pub async fn record_payments(
        &self,
        actor: Option<i64>,
        payments: &[NewPayment],
    ) -> Result<usize, AppError> {
        if let Some(p) = payments.iter().find(|p| p.amount.0 <= 0) {
            return Err(AppError::invalid(format!(
                "Сумма платежа должна быть больше нуля ({}).",
                p.amount.label()
            )));
        }
        write_tx!(self, "record payments", |tx| {
            let mut new = 0;
            for p in payments {
                new += sqlx::query(
                    "INSERT INTO ledger (account_id, period, kind, amount, occurred_on, reason,
                         source_key, created_by, created_at)
                     VALUES ($1, $2, 'payment', $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (source_key) DO NOTHING",
                )
                .bind(p.account_id)
                .bind(Period::of(p.on).to_string())
                .bind(-p.amount.0)
                .bind(p.on)
                .bind(&p.reason)
                .bind(&p.source_key)
                .bind(actor)
                .bind(Utc::now())
                .execute(&mut *tx)
                .await?
                .rows_affected() as usize;
            }
            Ok(new)
        })
    }

    /// An account's months from the ledger, with the posted runs' lines as their detail.
    pub async fn account_statement(&self, account_id: i64) -> Result<AccountStatement, AppError> {
        let (head, entries, lines) = with_db!(&self.db, |pool| async {
            let head: Option<(String, String, String)> = sqlx::query_as(ACCOUNT_HEAD)
                .bind(account_id)
                .fetch_optional(pool)
                .await?;
            let entries: Vec<LedgerEntry> = sqlx::query_as(ACCOUNT_LEDGER)
                .bind(account_id)
                .fetch_all(pool)
                .await?;
            let lines: Vec<StatementLine> = sqlx::query_as(&format!(
                "SELECT r.period, s.name AS service, s.section, l.kind, l.quantity, l.unit, l.rate,
                         l.amount, l.source, l.explanation
                     FROM accrual_runs r JOIN accrual_lines l ON l.run_id = r.id
                     LEFT JOIN services s ON s.id = l.service_id
                     WHERE r.house_id = ({ACCOUNT_HOUSE}) AND r.status = 'posted'
                       AND l.account_id = $1
                     ORDER BY r.period, l.kind, s.sort, l.id"
            ))
            .bind(account_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((head, entries, lines))
        }
        .await)
        .map_err(internal("load statement"))?;
        let (number, address, flat) = head.ok_or(AppError::NotFound)?;
        let (_, due_rules) = self.rule_tables().await?;
        let mut by_period: BTreeMap<Period, Vec<LedgerEntry>> = BTreeMap::new();
        for e in entries {
            if let Some(p) = Period::parse(&e.period) {
                by_period.entry(p).or_default().push(e);
            }
        }
        let mut details: HashMap<Period, Vec<LineView>> = HashMap::new();
        for l in lines {
            details.entry(l.period).or_default().push(LineView {
                service: l
                    .service
                    .unwrap_or_else(|| crate::billing::text::PENALTIES.into()),
                section: l.section,
                penalty: l.kind == LedgerKind::Penalty,
                quantity: l.quantity.0,
                unit: l.unit,
                rate: l.rate.0,
                amount: Money(l.amount),
                source: l.source,
                explanation: l.explanation,
            });
        }
        let mut balance = Money::ZERO;
        let mut months = Vec::new();
        for (period, entries) in by_period {
            let opening = balance;
            let sum = |kinds: &[LedgerKind]| -> Money {
                entries
                    .iter()
                    .filter(|e| kinds.contains(&e.kind))
                    .map(|e| Money(e.amount))
                    .sum()
            };
            let list = |kinds: &[LedgerKind]| -> Vec<EntryView> {
                entries
                    .iter()
                    .filter(|e| kinds.contains(&e.kind))
                    .map(|e| EntryView {
                        on: e.occurred_on,
                        amount: Money(e.amount),
                        reason: e.reason.clone(),
                    })
                    .collect()
            };
            let charged = sum(&[LedgerKind::Charge]);
            let penalties = sum(&[LedgerKind::Penalty]);
            let paid = -sum(&[LedgerKind::Payment]);
            let total: Money = entries.iter().map(|e| Money(e.amount)).sum();
            balance += total;
            months.push(MonthStatement {
                period,
                opening,
                lines: details.remove(&period).unwrap_or_default(),
                charged,
                penalties,
                corrections: list(&[LedgerKind::Correction, LedgerKind::Opening]),
                payments: list(&[LedgerKind::Payment]),
                paid,
                closing: balance,
                due_on: due_rules.due_date(period),
            });
        }
        months.reverse();
        Ok(AccountStatement {
            account_id,
            number,
            address: format!("{address}, кв. {flat}"),
            balance,
            months,
        })
    }

    /// The turnover sheet (оборотно-сальдовая ведомость) of a house for a period: per account,
    /// the balance before, what the period charged, penalties, corrections, payments, after.
    pub async fn turnover(
        &self,
        house_id: i64,
        period: Period,
    ) -> Result<Vec<TurnoverRow>, AppError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            number: String,
            flat: String,
            owner: Option<String>,
            opening: i64,
            charged: i64,
            penalties: i64,
            corrections: i64,
            paid: i64,
        }
        let rows: Vec<Row> = with_db!(&self.db, |pool| sqlx::query_as(
            "SELECT c.id, c.number, a.number AS flat,
                 (SELECT MIN(p.full_name) FROM residencies r JOIN people p ON p.id = r.person_id
                  WHERE r.apartment_id = a.id AND r.relation = 'owner' AND r.status = 'active'
                    AND r.moved_out IS NULL) AS owner,
                 CAST(COALESCE(SUM(CASE WHEN l.period < $2 THEN l.amount END), 0) AS BIGINT) AS opening,
                 CAST(COALESCE(SUM(CASE WHEN l.period = $2 AND l.kind = 'charge' THEN l.amount END), 0) AS BIGINT) AS charged,
                 CAST(COALESCE(SUM(CASE WHEN l.period = $2 AND l.kind = 'penalty' THEN l.amount END), 0) AS BIGINT) AS penalties,
                 CAST(COALESCE(SUM(CASE WHEN l.period = $2 AND l.kind IN ('correction','opening') THEN l.amount END), 0) AS BIGINT) AS corrections,
                 CAST(COALESCE(-SUM(CASE WHEN l.period = $2 AND l.kind = 'payment' THEN l.amount END), 0) AS BIGINT) AS paid
             FROM accounts c JOIN apartments a ON a.id = c.apartment_id
             LEFT JOIN ledger l ON l.account_id = c.id AND l.period <= $2
             WHERE a.house_id = $1
             GROUP BY c.id, c.number, a.id, a.number
             ORDER BY c.number"
        )
        .bind(house_id)
        .bind(period.to_string())
        .fetch_all(pool)
        .await)
        .map_err(internal("turnover sheet"))?;
        Ok(rows
            .into_iter()
            .map(|r| TurnoverRow {
                account_id: r.id,
                account: r.number,
                apartment: r.flat,
                owner: r.owner.unwrap_or_default(),
                opening: Money(r.opening),
                charged: Money(r.charged),
                penalties: Money(r.penalties),
                corrections: Money(r.corrections),
                paid: Money(r.paid),
                closing: Money(r.opening + r.charged + r.penalties + r.corrections - r.paid),
            })
            .collect())
    }

    /// A manual recalculation (перерасчёт) of an account: a ledger entry with its reason in
    /// the first period not yet posted — a posted period never changes. Positive adds to the
    /// debt, negative reduces it. Returns the period it went to.
    pub async fn add_correction(
        &self,
        actor: i64,
        account_id: i64,
        amount: Money,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Period, AppError> {
        let reason = reason.trim();
        if reason.chars().count() < 5 || reason.chars().count() > 300 {
            return Err(AppError::invalid(
                "Укажите причину перерасчёта — от 5 до 300 символов (она видна жильцу).",
            ));
        }
        if amount == Money::ZERO || amount.0.abs() > 1_000_000_000 {
            return Err(AppError::invalid(
                "Сумма перерасчёта — не ноль и не больше 10 000 000 ₽ по модулю.",
            ));
        }
        let house_id: Option<i64> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT a.house_id FROM accounts c JOIN apartments a ON a.id = c.apartment_id
             WHERE c.id = $1"
        )
        .bind(account_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("find account"))?;
        let house_id = house_id.ok_or(AppError::NotFound)?;
        let period = match self.last_posted(house_id).await? {
            Some(last) => last.plus(1).max(Period::of(today)),
            None => Period::of(today),
        };
        write_tx!(self, "add correction", |tx| {
            sqlx::query(
                "INSERT INTO ledger (account_id, period, kind, amount, occurred_on, reason,
                     created_by, created_at)
                 VALUES ($1, $2, 'correction', $3, $4, $5, $6, $7)",
            )
            .bind(account_id)
            .bind(period.to_string())
            .bind(amount.0)
            .bind(today)
            .bind(reason)
            .bind(actor)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "add_correction",
                "account",
                Some(account_id),
                format!("{period}: {} — {reason}", amount.label())
            )?;
            Ok(())
        })?;
        Ok(period)
    }
}
