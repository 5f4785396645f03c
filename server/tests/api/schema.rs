//! Schema parity: after every migration both engines hold the same tables, the same columns
//! with the same nullability, and the same named indexes — the store's one SQL text relies on it.

use std::collections::BTreeSet;

use crate::common::{Backend, TestDb};

/// (table, column, nullable) of every column, the names of the indexes made by migrations, and
/// every UNIQUE rule as `table(columns)` (how app::db::constraints names them).
type Shape = (
    BTreeSet<(String, String, bool)>,
    BTreeSet<String>,
    BTreeSet<String>,
);

async fn sqlite_shape(db: &TestDb) -> Shape {
    let store = db.store().await;
    let app::db::Db::Sqlite(pool) = &store.db else {
        unreachable!("a SQLite test database");
    };
    let columns: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT m.name, c.name, c.\"notnull\" = 0 AND c.pk = 0
         FROM sqlite_master m, pragma_table_info(m.name) c
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("SQLite columns");
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .expect("SQLite indexes");
    let unique: Vec<String> = sqlx::query_scalar(
        "SELECT m.name || '(' || (SELECT group_concat(name, ', ') FROM
                    (SELECT ii.name FROM pragma_index_info(il.name) ii ORDER BY ii.seqno)) || ')'
         FROM sqlite_master m, pragma_index_list(m.name) il
         WHERE m.type = 'table' AND il.\"unique\" = 1 AND il.origin <> 'pk'",
    )
    .fetch_all(pool)
    .await
    .expect("SQLite unique rules");
    store.db.close().await;
    (
        columns.into_iter().collect(),
        indexes.into_iter().collect(),
        unique.into_iter().collect(),
    )
}

async fn postgres_shape(db: &TestDb) -> Shape {
    let store = db.store().await;
    let app::db::Db::Postgres(pool) = &store.db else {
        unreachable!("a PostgreSQL test database");
    };
    let columns: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.is_nullable = 'YES'
         FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.table_name != '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("PostgreSQL columns");
    // indexes that a CREATE INDEX made (not those behind a primary key or UNIQUE constraint)
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT i.indexname::text FROM pg_indexes i
         WHERE i.schemaname = 'public'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)",
    )
    .fetch_all(pool)
    .await
    .expect("PostgreSQL indexes");
    let unique: Vec<String> = sqlx::query_scalar(
        "SELECT t.relname::text || '(' || string_agg(a.attname::text, ', ' ORDER BY k.ord) || ')'
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
         WHERE i.indisunique AND NOT i.indisprimary AND n.nspname = 'public'
         GROUP BY t.relname, i.indexrelid",
    )
    .fetch_all(pool)
    .await
    .expect("PostgreSQL unique rules");
    store.db.close().await;
    (
        columns.into_iter().collect(),
        indexes.into_iter().collect(),
        unique.into_iter().collect(),
    )
}

fn differences<T: Ord + std::fmt::Debug>(what: &str, a: &BTreeSet<T>, b: &BTreeSet<T>) -> String {
    let only_sqlite: Vec<_> = a.difference(b).collect();
    let only_pg: Vec<_> = b.difference(a).collect();
    if only_sqlite.is_empty() && only_pg.is_empty() {
        String::new()
    } else {
        format!("{what}: only in SQLite {only_sqlite:?}; only in PostgreSQL {only_pg:?}\n")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_have_the_same_tables_columns_nullability_indexes_and_unique_rules() {
    let sqlite = TestDb::new(Backend::Sqlite)
        .await
        .expect("a SQLite database");
    let Some(postgres) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let (sqlite_columns, sqlite_indexes, sqlite_unique) = sqlite_shape(&sqlite).await;
    let (pg_columns, pg_indexes, pg_unique) = postgres_shape(&postgres).await;
    assert!(
        sqlite_columns.len() > 100,
        "{} columns",
        sqlite_columns.len()
    );
    assert!(sqlite_indexes.len() > 10, "{sqlite_indexes:?}");
    let report = differences(
        "columns (table, column, nullable)",
        &sqlite_columns,
        &pg_columns,
    ) + &differences("indexes", &sqlite_indexes, &pg_indexes)
        + &differences("unique rules", &sqlite_unique, &pg_unique);
    assert!(report.is_empty(), "{report}");
    // every rule the users are told about is a real rule (a renamed column would silently
    // turn its message into the generic one)
    for (rule, _) in app::db::constraints::UNIQUE_RULES {
        assert!(
            sqlite_unique.contains(*rule),
            "{rule} is not a UNIQUE rule: {sqlite_unique:?}"
        );
    }
    sqlite.drop().await;
    postgres.drop().await;
}

/// The app's PostgreSQL connections run without JIT (`Db::connect`): a short query whose
/// estimate is off (a table never analysed) must not spend tens of milliseconds compiling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_run_without_jit() {
    let Some(postgres) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let store = postgres.store().await;
    for _ in 0..3 {
        let jit: String = app::with_db!(&store.db, |pool| sqlx::query_scalar("SHOW jit")
            .fetch_one(pool)
            .await)
        .unwrap();
        assert_eq!(jit, "off");
    }
    store.db.close().await;
    postgres.drop().await;
}
