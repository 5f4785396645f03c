//! Documents served as files rather than pages: the bill (ЕПД) PDF of an account and period,
//! and the turnover sheet XLSX of a house and period. Each checks access like the server
//! functions do (a resident reaches only their own accounts).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use app::auth::guard::{Access, Actor, check};
use app::auth::types::CurrentUser;
use app::auth::types::Permission;
use app::billing::bill;
use app::billing::types::Period;
use app::error::AppError;

use crate::startup::AppState;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, serde::Deserialize)]
pub struct BillQuery {
    account: i64,
    period: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct TurnoverQuery {
    house: i64,
    period: String,
}

/// Staff documents of money are the accountant's (and the chair's).
async fn accountant_only(state: &AppState, user: &CurrentUser) -> Result<(), AppError> {
    check(
        &state.store,
        user,
        Access::Permission(Permission::ManageBilling),
    )
    .await
}

/// A PDF the browser shows.
fn pdf(file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

fn period(s: &str) -> Result<Period, AppError> {
    Period::parse(s).ok_or_else(|| AppError::invalid("Период — в виде 2026-11."))
}

/// `GET /cabinet/bill?account=…&period=2026-10`.
pub async fn bill_pdf(
    State(state): State<AppState>,
    Actor(user): Actor,
    Query(q): Query<BillQuery>,
) -> Result<Response, AppError> {
    check(&state.store, &user, Access::Account(q.account)).await?;
    let data = state.store.bill_data(q.account, period(&q.period)?).await?;
    Ok(pdf(&data.file_name(), bill::render(&data)))
}

/// `GET /staff/billing/turnover?house=…&period=2026-10`.
pub async fn turnover_xlsx(
    State(state): State<AppState>,
    Actor(user): Actor,
    Query(q): Query<TurnoverQuery>,
) -> Result<Response, AppError> {
    accountant_only(&state, &user).await?;
    let p = period(&q.period)?;
    let rows = state.store.turnover(q.house, p).await?;
    let address = state.store.house_tariffs(q.house).await?.address;
    state
        .store
        .log_view(user.id, "turnover", Some(q.house))
        .await?;
    let bytes = bill::turnover_xlsx(&address, p, &rows).map_err(|e| {
        tracing::error!(error = %e, "turnover workbook");
        AppError::Internal
    })?;
    Ok(download(
        XLSX,
        &format!("osv-{}-{}.xlsx", q.house, q.period),
        bytes,
    ))
}

#[derive(Debug, serde::Deserialize)]
pub struct SampleQuery {
    name: String,
}

/// `GET /staff/billing/sample?name=accounts|history`: the sample import files of `docs/samples`.
pub async fn import_sample(Query(q): Query<SampleQuery>) -> Result<Response, AppError> {
    let bytes: &'static [u8] = match q.name.as_str() {
        "accounts" => include_bytes!("../../../docs/samples/accounts.csv"),
        "history" => include_bytes!("../../../docs/samples/history.csv"),
        _ => return Err(AppError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", q.name),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct BatchQuery {
    batch: i64,
}

/// `GET /staff/billing/bills?batch=…`: a house's bills as one ZIP (the accountant's).
pub async fn bills_zip(
    State(state): State<AppState>,
    Actor(user): Actor,
    Query(q): Query<BatchQuery>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    use tower::ServiceExt;
    accountant_only(&state, &user).await?;
    let (path, name) = state.store.bill_batch_file(q.batch).await?;
    let mut response = tower_http::services::ServeFile::new(path)
        .oneshot(request)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "serving the bills ZIP");
            AppError::Internal
        })?;
    if let Ok(value) = format!("attachment; filename=\"{name}\"").parse() {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response.into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct PaymentsExportQuery {
    house: i64,
    period: String,
    format: String,
}

/// A file the browser saves under `file_name`.
fn download(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /staff/payments/export?house=…&period=2026-10&format=1c|xlsx|csv`: the payments a
/// house's accounts received in the month, for 1С (the accountant's).
pub async fn payments_export(
    State(state): State<AppState>,
    Actor(user): Actor,
    Query(q): Query<PaymentsExportQuery>,
) -> Result<Response, AppError> {
    use app::payments::export;
    {
        accountant_only(&state, &user).await?;
        let p = period(&q.period)?;
        let rows = state.store.payment_register(q.house, p).await?;
        state
            .store
            .log_view(user.id, "payment_register", Some(q.house))
            .await?;
        let name = format!("payments-{}-{}", q.house, p);
        match q.format.as_str() {
            "1c" => {
                let payee = state.store.required_payee().await?;
                let created = app::clock::local(chrono::Utc::now());
                Ok(download(
                    "text/plain; charset=windows-1251",
                    &format!("{name}.txt"),
                    export::statement_1c(&payee, p, created, &rows),
                ))
            }
            "xlsx" => {
                let address = state.store.house_tariffs(q.house).await?.address;
                let title = format!("Реестр платежей: {address}, {}", p.label());
                let bytes = export::register_xlsx(&title, &rows).map_err(|e| {
                    tracing::error!(error = %e, "payment register workbook");
                    AppError::Internal
                })?;
                Ok(download(XLSX, &format!("{name}.xlsx"), bytes))
            }
            "csv" => Ok(download(
                "text/csv; charset=utf-8",
                &format!("{name}.csv"),
                export::register_csv(&rows),
            )),
            _ => Err(AppError::invalid("Формат выгрузки: 1c, xlsx или csv.")),
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct PaymentQuery {
    id: i64,
}

/// `GET /cabinet/payment-pdf?id=…`: a card payment's confirmation (the payer's own).
pub async fn payment_pdf(
    State(state): State<AppState>,
    Actor(user): Actor,
    Query(q): Query<PaymentQuery>,
) -> Result<Response, AppError> {
    check(&state.store, &user, Access::Payment(q.id)).await?;
    let view = state.store.online_payment(q.id).await?;
    let payee = state.store.payee().await?;
    Ok(pdf(
        &format!("payment-{}.pdf", view.order_id),
        app::payments::confirmation::render(&view, payee.as_ref()),
    ))
}

#[derive(Debug, serde::Deserialize)]
pub struct PassLogQuery {
    house: i64,
    /// `YYYY-MM-DD`, both days included.
    from: String,
    to: String,
    format: String,
}

/// `GET /staff/passes/log?house=…&from=…&to=…&format=csv|xlsx`: the gate's log of entries and
/// exits over the days, for the passes desk; audited like every staff view of it.
pub async fn pass_log_export(
    State(state): State<AppState>,
    Actor(user): Actor,
    Query(q): Query<PassLogQuery>,
) -> Result<Response, AppError> {
    use app::passes::desk;
    check(
        &state.store,
        &user,
        Access::Permission(Permission::ManagePasses),
    )
    .await?;
    let day = |s: &str| {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid("Дни журнала — в виде 2026-12-07."))
    };
    let (first, last) = (day(&q.from)?, day(&q.to)?);
    if last < first {
        return Err(AppError::invalid(
            "Последний день не может быть раньше первого.",
        ));
    }
    let rows = state
        .store
        .pass_log(q.house, first, last, desk::EXPORT_LIMIT)
        .await?;
    state
        .store
        .log_view(user.id, "pass_log_export", Some(q.house))
        .await?;
    let table = desk::log_table(&rows);
    let name = format!("gate-log-{}-{first}-{last}", q.house);
    let failed = |e: String| {
        tracing::error!(error = %e, "gate log download");
        AppError::Internal
    };
    match q.format.as_str() {
        "csv" => Ok(download(
            "text/csv; charset=utf-8",
            &format!("{name}.csv"),
            app::download::csv(&desk::LOG_HEAD, &table).map_err(failed)?,
        )),
        "xlsx" => {
            let title = format!(
                "Журнал въездов и выходов с {} по {}",
                first.format("%d.%m.%Y"),
                last.format("%d.%m.%Y")
            );
            Ok(download(
                XLSX,
                &format!("{name}.xlsx"),
                app::download::xlsx("Журнал", &title, &desk::LOG_HEAD, &table).map_err(failed)?,
            ))
        }
        _ => Err(AppError::invalid("Формат выгрузки: csv или xlsx.")),
    }
}
