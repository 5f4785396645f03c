//! The database: one [`Db`] over SQLite (embedded default) or PostgreSQL (production). Store code
//! is written once with [`with_db!`], which expands the same body for each driver so both are
//! type-checked; branch by hand only where the dialects really differ.

use std::{future::Future, path::Path, str::FromStr, time::Duration};

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::error::AppError;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend `$db` is.
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("migration failed: {0}")]
    MigrateSqlite(#[source] sqlx::Error),
    #[error("migration left rows pointing at missing rows: {0}")]
    ForeignKeys(String),
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of failing mid-way.
///
/// The `BEGIN` runs on a task of its own, so a caller dropped while it waits (a client that
/// hangs up, an aborted job) cannot cancel it half-way: sqlx 0.8 leaves a connection whose `BEGIN`
/// was cancelled between the statement and the `Transaction` inside an open transaction and
/// returns it to the pool — on SQLite still holding the write lock, so every later write fails
/// (sqlx issues #3875, #4393). Run to completion, the transaction is dropped and rolled back.
pub trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = Sqlite;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Sqlite>, sqlx::Error>> + Send {
        let pool = self.clone();
        uncancellable(async move { pool.begin_with("BEGIN IMMEDIATE").await })
    }
}

impl BeginWrite for PgPool {
    type Database = Postgres;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Postgres>, sqlx::Error>> + Send {
        let pool = self.clone();
        uncancellable(async move { pool.begin().await })
    }
}

/// Runs `begin` to completion whatever happens to the caller.
async fn uncancellable<T: Send + 'static>(
    begin: impl Future<Output = Result<T, sqlx::Error>> + Send + 'static,
) -> Result<T, sqlx::Error> {
    tokio::spawn(begin)
        .await
        .unwrap_or_else(|e| Err(sqlx::Error::Io(std::io::Error::other(e))))
}

/// Each SQLite connection's page cache. The default 2 MB is less than an accrual run works
/// over (its lines and their index, and the accounts, services and run its foreign keys look
/// up), and the pages it dropped were read back from the file on every step.
const SQLITE_CACHE_KIB: u32 = 16 * 1024;
/// How much of the database file SQLite reads through a memory map instead of `read` calls
/// (sqlite.org/mmap.html): the pages are the operating system's cache, shared by every
/// connection, not copied into each.
const SQLITE_MMAP_BYTES: u64 = 256 << 20;

/// PostgreSQL's pool: the server's connections serve several app instances.
pub const PG_CONNECTIONS: u32 = 16;
/// SQLite's pool: one writer at a time whatever the size; readers run side by side (WAL).
pub const SQLITE_CONNECTIONS: u32 = 8;

impl Db {
    /// Connects and applies the migrations of the backend the URL names:
    /// `postgres://…` for PostgreSQL, `sqlite:path` (file created if missing) for SQLite; a pool
    /// of `connections`, or of the engine's default ([`PG_CONNECTIONS`], [`SQLITE_CONNECTIONS`]).
    pub async fn connect(url: &str, connections: Option<u32>) -> Result<Self, DbError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // JIT off: every query here is short, and where a table's statistics are missing
            // or stale (a small table autovacuum never analyses, a fresh bulk load) the
            // planner's estimate passes `jit_above_cost` and PostgreSQL spends ~60 ms compiling
            // a query that runs in 0.3 ms (`make scale`: the start page at 100 000 accounts).
            let options = PgConnectOptions::from_str(url)
                .map_err(DbError::Connect)?
                .options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(connections.unwrap_or(PG_CONNECTIONS))
                // no ping before every acquire (a round trip each): a connection the server
                // dropped fails its one query and leaves the pool
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(DbError::Connect)?;
            Db::Postgres(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(DbError::Connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
                .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string());
            let file = options.get_filename();
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                ensure_dir(dir)?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(connections.unwrap_or(SQLITE_CONNECTIONS))
                // a file in this process: nothing to ping before every acquire
                .test_before_acquire(false)
                .connect_with(options)
                .await
                .map_err(DbError::Connect)?;
            Db::Sqlite(pool)
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(pool) => migrate_sqlite(pool).await?,
            Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        with_db!(self, |pool| pool.close().await)
    }

    /// Refreshes the planner's statistics (`ANALYZE`, both engines) after a bulk load: until
    /// autovacuum notices (PostgreSQL) or ever (SQLite) the planner guesses the new tables'
    /// sizes, and a guess that is off turns a join of 100 000 rows into a nested loop.
    pub async fn analyze(&self) -> Result<(), sqlx::Error> {
        with_db!(self, |pool| sqlx::query("ANALYZE")
            .execute(pool)
            .await
            .map(|_| ()))
    }
}

/// SQLite changes a CHECK or a column by rebuilding the table, which needs foreign keys off
/// outside the migration's transaction (sqlite.org/lang_altertable.html, "12 steps"); so the
/// migrations run on one connection with them off, and the references are checked after.
async fn migrate_sqlite(pool: &SqlitePool) -> Result<(), DbError> {
    let mut conn = pool.acquire().await.map_err(DbError::MigrateSqlite)?;
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await
        .map_err(DbError::MigrateSqlite)?;
    let migrated = sqlx::migrate!("../migrations/sqlite").run(&mut *conn).await;
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await
        .map_err(DbError::MigrateSqlite)?;
    migrated?;
    let broken: Vec<(String, Option<i64>)> =
        sqlx::query_as("SELECT \"table\", rowid FROM pragma_foreign_key_check")
            .fetch_all(&mut *conn)
            .await
            .map_err(DbError::MigrateSqlite)?;
    match broken.first() {
        None => Ok(()),
        Some((table, row)) => Err(DbError::ForeignKeys(format!(
            "{} rows, first {table} row {row:?}",
            broken.len()
        ))),
    }
}

fn ensure_dir(dir: &Path) -> Result<(), DbError> {
    std::fs::create_dir_all(dir).map_err(|source| DbError::Folder {
        path: dir.display().to_string(),
        source,
    })
}

/// What ends a write transaction early: a database failure (logged precisely; the user sees the
/// generic message) or a refusal by the area's rules, which the user sees as it is. Either way
/// nothing of the transaction is kept.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Refused(#[from] AppError),
    /// A worker's lease on its job ran out and another worker has the job now: nothing of
    /// this transaction may be kept (see [`jobs::lease_held`]).
    #[error("the job's lease was lost")]
    LeaseLost,
}

impl TxError {
    pub fn into_app(self, context: &'static str) -> AppError {
        match self {
            TxError::Db(e) => constraints::refusal_or_internal(context, e),
            TxError::Refused(e) => e,
            TxError::LeaseLost => {
                tracing::warn!("{context}: the job's lease was lost, another worker has it");
                AppError::Internal
            }
        }
    }
}

/// Pins the type of a [`write_tx!`] body, so that `?` in it converts into [`TxError`].
pub async fn tx_body<T>(body: impl Future<Output = Result<T, TxError>>) -> Result<T, TxError> {
    body.await
}

/// One write transaction on whichever backend the store has:
///
/// ```ignore
/// write_tx!(self, "decide link", |tx| {
///     let done = sqlx::query("…").execute(&mut *tx).await?.rows_affected();
///     if done == 0 {
///         return Err(AppError::invalid("Заявка уже рассмотрена.").into());
///     }
///     audit!(&mut *tx, …)?;
///     Ok(done)
/// })
/// ```
///
/// It begins with [`BeginWrite::begin_write`] (`BEGIN IMMEDIATE` on SQLite), runs the body, and
/// commits only when the body returns `Ok`; `?` works on database errors and `AppError`
/// refusals alike; a broken integrity rule reaches the user as its message ([`constraints`]), any
/// other database error is logged with `"what"` and shown as the generic message.
#[macro_export]
macro_rules! write_tx {
    ($store:expr, $what:expr, |$tx:ident| $body:block) => {
        $crate::with_db!(&$store.db, |pool| async {
            #[allow(unused_mut)]
            let mut $tx = $crate::db::BeginWrite::begin_write(pool).await?;
            let value = $crate::db::tx_body(async $body).await?;
            $tx.commit().await?;
            Ok::<_, $crate::db::TxError>(value)
        }
        .await)
        .map_err(|e| e.into_app($what))
    };
}

/// A database failure as users see it: a broken integrity rule as its message
/// ([`constraints`]), anything else logged precisely for staff as the generic message.
pub fn internal(context: &'static str) -> impl FnOnce(sqlx::Error) -> AppError {
    move |e| constraints::refusal_or_internal(context, e)
}

/// [`internal`] for a task that panicked or was cancelled.
pub fn task_failed(context: &'static str) -> impl FnOnce(tokio::task::JoinError) -> AppError {
    move |e| logged(context, e)
}

fn logged(context: &str, e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "{context}");
    AppError::Internal
}

/// True when the error is a violated UNIQUE rule (both engines), for code that acts on it
/// itself (a repeated form returns the first one's result).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

pub mod bulk;
pub mod constraints;
pub mod jobs;

/// The SQL condition "residency `r` is in force on the day in bind parameter `day`" (e.g.
/// `"$2"`): approved by the board, begun, and not ended. Every query about who lives where on a
/// day uses it, so the rule is written once.
pub fn residency_in_force(day: &str) -> String {
    format!(
        "r.status = 'active' AND r.moved_in <= {day} AND (r.moved_out IS NULL OR r.moved_out > {day})"
    )
}

/// A decimal the database keeps as its exact text (rates, caps, quantities: TEXT on both
/// engines, so SQLite loses no digit). Text that is not a decimal fails the query, never
/// reads as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalText(pub rust_decimal::Decimal);

impl DecimalText {
    pub fn parse(s: &str) -> Option<DecimalText> {
        rust_decimal::Decimal::from_str(s).ok().map(DecimalText)
    }
}

crate::sql_text!(DecimalText, |d| d.0.normalize().to_string());

mod store;
pub use store::Store;

/// Closes `… IN (` with the values bound one by one: `… IN ($1, $2, …)`. The caller keeps the
/// list within the engines' parameter limits (a few hundred values at a time).
pub fn push_in_list<'args, DB, T>(q: &mut sqlx::QueryBuilder<'args, DB>, values: &'args [T])
where
    DB: sqlx::Database,
    &'args T: sqlx::Encode<'args, DB> + sqlx::Type<DB> + Send,
{
    let mut list = q.separated(", ");
    for v in values {
        list.push_bind(v);
    }
    q.push(")");
}
