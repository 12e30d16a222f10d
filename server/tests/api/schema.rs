//! The two migration folders (`migrations/sqlite`, `migrations/postgres`)
//! must describe one schema: both engines are migrated and their tables,
//! columns and indexes compared by name, and the changes each table has a
//! trigger for (SQLite needs a trigger per event where PostgreSQL has one for
//! all three). A migration added to one folder only, or a column spelled
//! differently, fails here.

use std::collections::BTreeMap;

use app::backend::Db;

use crate::helpers::{Engine, fresh_database_url};

/// Table → (columns, indexes, trigger events), every list sorted.
type Schema = BTreeMap<String, [Vec<String>; 3]>;

async fn names(db: &Db, sql: &str, table: Option<&str>) -> Vec<String> {
    let q = sqlx::query_as::<_, (String,)>(sql);
    let q = match table {
        Some(t) => q.bind(t.to_owned()),
        None => q,
    };
    let mut v: Vec<String> = q
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.0)
        .collect();
    v.sort();
    v
}

async fn schema(db: &Db, engine: Engine) -> Schema {
    let (tables, columns, indexes, triggers) = match engine {
        Engine::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
            // table_xinfo: generated columns too (reports.public).
            "SELECT name FROM pragma_table_xinfo($1)",
            // Indexes made by hand; those behind PRIMARY KEY / UNIQUE
            // constraints are the engine's own (sqlite_autoindex_…).
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 \
             AND name NOT LIKE 'sqlite_autoindex_%'",
            // The trigger's text; its events are read from it below.
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1",
        ),
        Engine::Postgres => (
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
             AND table_name NOT LIKE '_sqlx%'",
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1",
            "SELECT CAST(i.indexname AS TEXT) FROM pg_indexes i WHERE i.schemaname = 'public' \
             AND i.tablename = $1 AND NOT EXISTS \
             (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            "SELECT DISTINCT CAST(event_manipulation AS TEXT) FROM information_schema.triggers \
             WHERE event_object_schema = 'public' AND event_object_table = $1",
        ),
    };
    let mut out = Schema::new();
    for t in names(db, tables, None).await {
        let mut events: Vec<String> = names(db, triggers, Some(&t))
            .await
            .iter()
            .flat_map(|sql| {
                ["INSERT", "UPDATE", "DELETE"]
                    .into_iter()
                    .filter(|e| match engine {
                        Engine::Postgres => sql == e,
                        // `CREATE TRIGGER x AFTER UPDATE [OF cols] ON t BEGIN …`:
                        // the event stands before the first ` ON `.
                        Engine::Sqlite => {
                            let head = sql.to_uppercase();
                            let head = head.split(" ON ").next().unwrap_or_default();
                            head.contains(&format!(" {e}"))
                        }
                    })
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        events.sort();
        events.dedup();
        let parts = [
            names(db, columns, Some(&t)).await,
            names(db, indexes, Some(&t)).await,
            events,
        ];
        out.insert(t, parts);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_folders_make_the_same_schema() {
    crate::helpers::within_time_limit(async {
        let dir = tempfile::tempdir().unwrap();
        let mut found = vec![];
        for engine in [Engine::Sqlite, Engine::Postgres] {
            let url = fresh_database_url(engine, dir.path()).await;
            let db = Db::connect(&url).await.unwrap();
            db.migrate().await.unwrap();
            found.push(schema(&db, engine).await);
            db.pool.close().await;
        }
        let (sqlite, postgres) = (&found[0], &found[1]);
        assert!(sqlite.len() > 20, "read the tables: {:?}", sqlite.keys());
        assert!(
            sqlite.values().any(|[_, indexes, _]| !indexes.is_empty())
                && sqlite.values().any(|[_, _, triggers]| !triggers.is_empty()),
            "read the indexes and triggers"
        );
        let names = |s: &Schema| s.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(sqlite), names(postgres), "the same tables");
        for (table, [columns, indexes, triggers]) in sqlite {
            let [pg_columns, pg_indexes, pg_triggers] = &postgres[table];
            assert_eq!(columns, pg_columns, "the columns of {table}");
            assert_eq!(indexes, pg_indexes, "the indexes of {table}");
            assert_eq!(triggers, pg_triggers, "the events with triggers on {table}");
        }
    })
    .await
}
