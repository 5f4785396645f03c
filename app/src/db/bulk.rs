//! Reading many rows at once as one JSON document. sqlx-sqlite hands every row over from its
//! worker thread to the caller one by one, at several microseconds each; a house-wide read of
//! tens of thousands of rows (an accrual run reads every meter and reading of a house) spent
//! most of its time there. Aggregated into one JSON array by the database, the same rows come
//! as one value and are parsed at memory speed. Both engines get the same rows in the same
//! order; only the aggregate's name differs.

use serde::de::DeserializeOwned;

use super::Db;

/// `SELECT` of `columns` (numbers, text, dates, NULL; booleans as 0/1: JSON has no SQL boolean)
/// `from` the rest of a query (`FROM … WHERE …`, values inlined — ids and periods only, never
/// user text), as one JSON array of arrays in the given `order` (empty: any order — sorting in
/// the caller can be cheaper than in the database).
pub fn json_rows_sql(db: &Db, columns: &str, from: &str, order: &str) -> String {
    let (aggregate, array) = match db {
        Db::Sqlite(_) => ("json_group_array", "json_array"),
        Db::Postgres(_) => ("json_agg", "json_build_array"),
    };
    let order = if order.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {order}")
    };
    format!("SELECT CAST({aggregate}({array}({columns}){order}) AS TEXT) {from}")
}

/// The rows of [`json_rows_sql`] (no rows: the aggregate is NULL on PostgreSQL).
pub fn parse_json_rows<T: DeserializeOwned>(json: Option<String>) -> Result<Vec<T>, sqlx::Error> {
    serde_json::from_str(json.as_deref().unwrap_or("[]"))
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// `fetch_json!(executor, db, columns, from, order)`: the rows of [`json_rows_sql`], typed by
/// the caller (`Vec<(i64, String)>`, or a struct deriving `Deserialize`).
#[macro_export]
macro_rules! fetch_json {
    ($ex:expr, $db:expr, $columns:expr, $from:expr, $order:expr) => {
        async {
            let json: Option<String> = sqlx::query_scalar(&$crate::db::bulk::json_rows_sql(
                $db, $columns, $from, $order,
            ))
            .fetch_one($ex)
            .await?;
            $crate::db::bulk::parse_json_rows(json)
        }
    };
}
