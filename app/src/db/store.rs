//! The [`Store`]: the one door to the database. Each business area adds its use-case methods in
//! its own `store.rs` (`impl Store { … }`), each method one transaction.

use super::Db;

#[derive(Clone, Debug)]
pub struct Store {
    pub db: Db,
}

impl Store {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// Appends a row to the audit log inside the caller's transaction:
/// `audit!(&mut *tx, actor, "action", "entity", entity_id, details)`.
#[macro_export]
macro_rules! audit {
    ($tx:expr, $actor:expr, $action:expr, $entity:expr, $entity_id:expr, $details:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_user_id, action, entity, entity_id, details)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(chrono::Utc::now())
        .bind($actor)
        .bind($action)
        .bind($entity)
        .bind($entity_id)
        .bind($details)
        .execute($tx)
        .await
    };
}

impl Store {
    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<(), crate::error::AppError> {
        crate::with_db!(&self.db, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(super::internal("ping"))
    }
}

impl Store {
    /// Records that a staff member opened personal data (152-ФЗ: who saw whose data, and when).
    pub async fn log_view(
        &self,
        actor: i64,
        entity: &str,
        entity_id: Option<i64>,
    ) -> Result<(), crate::error::AppError> {
        crate::with_db!(&self.db, |pool| audit!(
            pool,
            Some(actor),
            "view",
            entity,
            entity_id,
            ""
        )
        .map(|_| ()))
        .map_err(super::internal("log view"))
    }
}

impl Store {
    /// Runs one statement that changes at most one row — `$1` is the row's id and, when given,
    /// `$2` is `at` — and audits the change with it, in one transaction. True when a row changed.
    pub async fn change_one(
        &self,
        sql: &str,
        id: i64,
        at: Option<chrono::DateTime<chrono::Utc>>,
        actor: i64,
        action: &str,
        entity: &str,
    ) -> Result<bool, crate::error::AppError> {
        crate::write_tx!(self, "change one row", |tx| {
            let mut query = sqlx::query(sql).bind(id);
            if let Some(at) = at {
                query = query.bind(at);
            }
            let changed = query.execute(&mut *tx).await?.rows_affected() == 1;
            if changed {
                audit!(&mut *tx, Some(actor), action, entity, Some(id), "")?;
            }
            Ok(changed)
        })
    }
}
