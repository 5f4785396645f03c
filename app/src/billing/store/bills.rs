//! The payee on the bill, one account's bill, and a house's bills made in batches by the worker.

use super::*;
use crate::db::jobs::Task;
use crate::db::jobs::lease_held;
use crate::write_tx;

/// A bill with its account and PDF.
pub(super) type Rendered = (i64, BillData, Vec<u8>);

/// The notice that a bill is ready, to one resident; its source makes the e-mail attach it.
pub(super) fn bill_notice(
    user_id: i64,
    account_id: i64,
    bill: &BillData,
) -> crate::notify::types::Notice {
    use crate::notify::types::{Notice, NoticeKind, Recipients};
    let period = bill.month.period;
    Notice {
        kind: NoticeKind::BillReady,
        recipients: Recipients::User(user_id),
        params: BTreeMap::from([
            ("period".to_string(), period.label()),
            ("account".to_string(), bill.account_number.clone()),
            (
                "address".to_string(),
                format!("{}, кв. {}", bill.address, bill.flat),
            ),
            ("amount".to_string(), bill.to_pay().label()),
            (
                "due".to_string(),
                bill.month.due_on.format("%d.%m.%Y").to_string(),
            ),
        ]),
        link: Some(format!("/cabinet/account/{account_id}")),
        source: Some(rules::bill_source(account_id, period)),
        channels: None,
    }
}

/// Bills rendered between two progress updates.
pub(super) const BILLS_STEP: usize = 50;

#[derive(Debug, Clone, FromRow)]
pub(super) struct BatchRow {
    id: i64,
    house_id: i64,
    period: Period,
    status: BatchStatus,
    send_email: bool,
    done: i64,
    total: i64,
    notified: i64,
    file_path: Option<String>,
    error: Option<String>,
}

pub(super) const BATCH_COLUMNS: &str =
    "id, house_id, period, status, send_email, done, total, notified, file_path, error";

impl BatchRow {
    fn view(&self) -> BatchView {
        BatchView {
            id: self.id,
            period: self.period,
            status: self.status,
            send_email: self.send_email,
            done: self.done,
            total: self.total,
            notified: self.notified,
            ready: self.file_path.is_some(),
            error: self.error.clone(),
        }
    }
}

impl Store {
    /// Sets the organisation's details — the payee of every bill, QR, payment confirmation
    /// and export (audited).
    pub async fn set_payee(&self, actor: Option<i64>, p: &Payee) -> Result<(), AppError> {
        rules::check_payee(p).map_err(AppError::Invalid)?;
        write_tx!(self, "set payee", |tx| {
            sqlx::query(
                "INSERT INTO organisation (id, name, inn, kpp, account, bank_name, bic, corr_account)
                 VALUES (1, $1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, inn = excluded.inn,
                     kpp = excluded.kpp, account = excluded.account,
                     bank_name = excluded.bank_name, bic = excluded.bic,
                     corr_account = excluded.corr_account",
            )
            .bind(p.name.trim())
            .bind(&p.inn)
            .bind(&p.kpp)
            .bind(&p.account)
            .bind(p.bank_name.trim())
            .bind(&p.bic)
            .bind(&p.corr_account)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                actor,
                "set_payee",
                "organisation",
                Some(1_i64),
                format!("{}, ИНН {}, р/с {}", p.name.trim(), p.inn, p.account)
            )?;
            Ok(())
        })
    }

    /// What the bill of an account for a period shows: its month from the statement, the
    /// payer (the owner, else the first resident), the apartment and the organisation as payee.
    pub async fn bill_data(&self, account_id: i64, period: Period) -> Result<BillData, AppError> {
        let statement = self.account_statement(account_id).await?;
        let month = statement
            .months
            .into_iter()
            .find(|m| m.period == period)
            .ok_or_else(|| AppError::invalid(format!("За {} начислений нет.", period.label())))?;
        let head = with_db!(&self.db, |pool| async {
            let head: Option<(String, String, i64, i64)> = sqlx::query_as(
                "SELECT h.address, a.number, a.area_centi_m2, a.id FROM accounts c
                 JOIN apartments a ON a.id = c.apartment_id JOIN houses h ON h.id = a.house_id
                 WHERE c.id = $1",
            )
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
            let Some((address, flat, area, apartment_id)) = head else {
                return Ok(None);
            };
            let people: Vec<(String, String, NaiveDate, Option<NaiveDate>)> = sqlx::query_as(
                "SELECT p.full_name, r.relation, r.moved_in, r.moved_out FROM residencies r
                 JOIN people p ON p.id = r.person_id
                 WHERE r.apartment_id = $1 AND r.status = 'active'
                 ORDER BY r.relation <> 'owner', r.id",
            )
            .bind(apartment_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>(Some((address, flat, area, people)))
        }
        .await)
        .map_err(internal("load bill"))?;
        let (address, flat, area, people) = head.ok_or(AppError::NotFound)?;
        let payee = self.required_payee().await?;
        let stays: Vec<Stay> = people.iter().map(|p| (p.2, p.3)).collect();
        Ok(BillData {
            payee,
            account_number: statement.number,
            payer: people
                .iter()
                .find(|p| p.3.is_none())
                .map(|p| p.0.clone())
                .unwrap_or_default(),
            address,
            flat,
            area: Decimal::new(area, 2),
            persons: persons_in(&stays, period),
            month,
        })
    }

    /// The organisation's details, the payee of every bill, if the chair has set them.
    pub async fn payee(&self) -> Result<Option<Payee>, AppError> {
        let row: Option<(String, String, String, String, String, String, String)> =
            with_db!(&self.db, |pool| sqlx::query_as(
                "SELECT name, inn, kpp, account, bank_name, bic, corr_account FROM organisation"
            )
            .fetch_optional(pool)
            .await)
            .map_err(internal("load payee"))?;
        Ok(row.map(
            |(name, inn, kpp, account, bank_name, bic, corr_account)| Payee {
                name,
                inn,
                kpp,
                account,
                bank_name,
                bic,
                corr_account,
            },
        ))
    }

    /// The payee, or the message that sends staff to set it.
    pub async fn required_payee(&self) -> Result<Payee, AppError> {
        self.payee().await?.ok_or_else(|| {
            AppError::invalid(
                "Реквизиты организации-получателя платежей не заданы — председатель указывает их в разделе «Организация».",
            )
        })
    }

    /// Queues the making of a house's bills for a posted period (and, with `send_email`,
    /// their e-mailing); `dir` is the documents folder the ZIP goes to. Returns the batch's id.
    pub async fn start_bill_batch(
        &self,
        actor: i64,
        house_id: i64,
        period: Period,
        send_email: bool,
        dir: &str,
    ) -> Result<i64, AppError> {
        self.required_payee().await?;
        write_tx!(self, "start bill batch", |tx| {
            let status: Option<RunStatus> = sqlx::query_scalar(
                "SELECT status FROM accrual_runs WHERE house_id = $1 AND period = $2",
            )
            .bind(house_id)
            .bind(period.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            if status != Some(RunStatus::Posted) {
                return Err(AppError::invalid(format!(
                    "Период {} не проведён — квитанции делаются по проведённому периоду.",
                    period.label()
                ))
                .into());
            }
            let busy: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM bill_batches
                 WHERE house_id = $1 AND status IN ('queued', 'running')",
            )
            .bind(house_id)
            .fetch_one(&mut *tx)
            .await?;
            if busy > 0 {
                return Err(AppError::invalid(
                    "Квитанции этого дома уже формируются — дождитесь окончания.",
                )
                .into());
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO bill_batches (house_id, period, status, send_email, started_by,
                     started_at)
                 VALUES ($1, $2, 'queued', $3, $4, $5) RETURNING id",
            )
            .bind(house_id)
            .bind(period.to_string())
            .bind(send_email)
            .bind(actor)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            let task = Task::Bills {
                batch_id: id,
                dir: dir.to_owned(),
            };
            enqueue_job!(&mut *tx, &task, Utc::now())?;
            audit!(
                &mut *tx,
                Some(actor),
                "start_bills",
                "house",
                Some(house_id),
                format!("{period}, e-mail: {send_email}")
            )?;
            Ok(id)
        })
    }

    /// A house's latest bill batches, newest first.
    pub async fn bill_batches(&self, house_id: i64) -> Result<Vec<BatchView>, AppError> {
        let rows: Vec<BatchRow> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT {BATCH_COLUMNS} FROM bill_batches WHERE house_id = $1
             ORDER BY id DESC LIMIT 10"
        ))
        .bind(house_id)
        .fetch_all(pool)
        .await)
        .map_err(internal("load bill batches"))?;
        Ok(rows.iter().map(BatchRow::view).collect())
    }

    /// A finished batch's ZIP file and its name for the download.
    pub async fn bill_batch_file(&self, batch_id: i64) -> Result<(String, String), AppError> {
        let row: Option<BatchRow> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT {BATCH_COLUMNS} FROM bill_batches WHERE id = $1"
        ))
        .bind(batch_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("load bill batch"))?;
        let row = row.ok_or(AppError::NotFound)?;
        let path = row.file_path.ok_or_else(|| {
            AppError::invalid("Квитанции ещё не готовы — дождитесь окончания формирования.")
        })?;
        Ok((
            path,
            format!("epd-house{}-{}.zip", row.house_id, row.period),
        ))
    }

    /// The job's step for batch `batch_id`: renders every bill of the house for the period into
    /// one ZIP in `dir` (progress as it goes), then in one transaction queues a notice per
    /// resident with a cabinet (the e-mail attaches the bill), marks the batch done and ends
    /// the job. Run again after a crash, it starts over and still notifies once.
    pub async fn bills_job(
        &self,
        job: &Job,
        worker: &str,
        batch_id: i64,
        dir: &str,
    ) -> Result<(), AppError> {
        match self.make_bills(batch_id, dir).await {
            Ok(notices) => write_tx!(self, "finish bill batch", |tx| {
                for notice in &notices {
                    crate::enqueue_notice!(&mut *tx, notice)?;
                }
                sqlx::query(
                    "UPDATE bill_batches SET status = 'done', notified = $1, finished_at = $2
                         WHERE id = $3",
                )
                .bind(notices.len() as i64)
                .bind(Utc::now())
                .bind(batch_id)
                .execute(&mut *tx)
                .await?;
                lease_held(finish_job!(
                    &mut *tx,
                    job.id,
                    worker,
                    "done",
                    None::<String>
                )?)?;
                Ok(())
            }),
            Err(AppError::Invalid(message)) => {
                tracing::warn!(batch_id, %message, "bill batch failed");
                write_tx!(self, "fail bill batch", |tx| {
                    sqlx::query(
                        "UPDATE bill_batches SET status = 'failed', error = $1, finished_at = $2
                         WHERE id = $3",
                    )
                    .bind(&message)
                    .bind(Utc::now())
                    .bind(batch_id)
                    .execute(&mut *tx)
                    .await?;
                    lease_held(finish_job!(
                        &mut *tx,
                        job.id,
                        worker,
                        "done",
                        Some(message.clone())
                    )?)?;
                    Ok(())
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Renders a batch's bills into its ZIP; returns the notices to send.
    pub(super) async fn make_bills(
        &self,
        batch_id: i64,
        dir: &str,
    ) -> Result<Vec<crate::notify::types::Notice>, AppError> {
        let row: Option<BatchRow> = with_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT {BATCH_COLUMNS} FROM bill_batches WHERE id = $1"
        ))
        .bind(batch_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("load bill batch"))?;
        let row = row.ok_or(AppError::NotFound)?;
        let period = row.period;
        let (accounts, users) = with_db!(&self.db, |pool| async {
            let accounts: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT l.account_id FROM ledger l
                 JOIN accounts c ON c.id = l.account_id
                 JOIN apartments a ON a.id = c.apartment_id
                 WHERE a.house_id = $1 AND l.period = $2 ORDER BY l.account_id",
            )
            .bind(row.house_id)
            .bind(period.to_string())
            .fetch_all(pool)
            .await?;
            // who gets each account's bill: its residents with a cabinet, living there now
            let users: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT DISTINCT c.id, p.user_id FROM accounts c
                 JOIN residencies r ON r.apartment_id = c.apartment_id
                 JOIN people p ON p.id = r.person_id
                 JOIN apartments a ON a.id = c.apartment_id
                 WHERE a.house_id = $1 AND p.user_id IS NOT NULL AND r.status = 'active'
                   AND r.moved_out IS NULL AND c.closed_on IS NULL",
            )
            .bind(row.house_id)
            .fetch_all(pool)
            .await?;
            sqlx::query(
                "UPDATE bill_batches SET status = 'running', done = 0, total = $1, error = NULL
                 WHERE id = $2",
            )
            .bind(accounts.len() as i64)
            .bind(batch_id)
            .execute(pool)
            .await?;
            Ok::<_, sqlx::Error>((accounts, users))
        }
        .await)
        .map_err(internal("start bill batch"))?;
        let folder = std::path::Path::new(dir).join("bills");
        let path = folder.join(format!("house{}-{period}-{batch_id}.zip", row.house_id));
        let partial = path.with_extension("zip.part");
        let io = |e: std::io::Error| {
            tracing::error!(error = %e, "writing the bills ZIP");
            AppError::Internal
        };
        std::fs::create_dir_all(&folder).map_err(io)?;
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&partial).map_err(io)?);
        // PDFs are compressed already
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut notices = Vec::new();
        let mut done = 0i64;
        // each step's bills are read while the previous step's render on every core
        let mut rendering: Option<tokio::task::JoinHandle<Vec<Rendered>>> = None;
        let mut chunks = accounts.chunks(BILLS_STEP);
        loop {
            let next = chunks.next();
            let mut bills = Vec::new();
            for &account_id in next.unwrap_or_default() {
                bills.push((account_id, self.bill_data(account_id, period).await?));
            }
            let started = next.map(|_| {
                tokio::task::spawn_blocking(move || crate::billing::bill::render_all(bills))
            });
            let Some(previous) = std::mem::replace(&mut rendering, started) else {
                if next.is_none() {
                    break;
                }
                continue;
            };
            let rendered = previous.await.map_err(|e| {
                tracing::error!(error = %e, "rendering bills");
                AppError::Internal
            })?;
            done += rendered.len() as i64;
            for (account_id, data, pdf) in rendered {
                use std::io::Write;
                zip.start_file(data.file_name(), options).map_err(|e| {
                    tracing::error!(error = %e, "bills ZIP entry");
                    AppError::Internal
                })?;
                zip.write_all(&pdf).map_err(io)?;
                if row.send_email {
                    for &(_, user) in users.iter().filter(|(a, _)| *a == account_id) {
                        notices.push(bill_notice(user, account_id, &data));
                    }
                }
            }
            with_db!(&self.db, |pool| sqlx::query(
                "UPDATE bill_batches SET done = $1 WHERE id = $2"
            )
            .bind(done)
            .bind(batch_id)
            .execute(pool)
            .await
            .map(|_| ()))
            .map_err(internal("bill batch progress"))?;
            if next.is_none() && rendering.is_none() {
                break;
            }
        }
        zip.finish().map_err(|e| {
            tracing::error!(error = %e, "closing the bills ZIP");
            AppError::Internal
        })?;
        std::fs::rename(&partial, &path).map_err(io)?;
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE bill_batches SET file_path = $1 WHERE id = $2"
        )
        .bind(path.to_string_lossy().to_string())
        .bind(batch_id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("bill batch file"))?;
        Ok(notices)
    }
}
