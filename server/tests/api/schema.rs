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

/// Migration 0019 remakes `reports` on SQLite (a CHECK and a generated
/// column cannot change in place) and changes them on PostgreSQL: a
/// database filled under 0018 keeps every report, its photos, events,
/// terms, follows and messages (their references still hold), and its
/// tallies, and takes the new status afterwards.
async fn the_loop_migration_keeps_the_reports(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(engine, dir.path()).await;
    let db = Db::connect(&url).await.unwrap();
    let mut upto_18 = match engine {
        Engine::Sqlite => sqlx::migrate!("../migrations/sqlite"),
        Engine::Postgres => sqlx::migrate!("../migrations/postgres"),
    };
    upto_18.migrations = upto_18
        .migrations
        .iter()
        .filter(|m| m.version <= 18)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    upto_18.run(&db.pool).await.unwrap();
    let run = |sql: &'static str| {
        let pool = db.pool.clone();
        async move { sqlx::query(sql).execute(&pool).await.unwrap() }
    };
    run("INSERT INTO units (id, name, created_at) VALUES (1, '雄关街道', 0)").await;
    run("INSERT INTO categories (id, name, points, sla_days, unit_id, created_at) VALUES (1, '乱扔垃圾', 5, 3, NULL, 0)").await;
    run("INSERT INTO users (id, phone, password_hash, display_name, created_at) VALUES (1, '13800000001', '', '张三', 0)").await;
    run("INSERT INTO reports (id, reporter_id, category_id, description, lat, lon, status, unit_id, deadline, created_at, updated_at) \
         VALUES (1, 1, 1, '垃圾堆', 39.7, 98.2, 'assigned', 1, 100, 0, 0), (2, 1, 1, '又一堆', 39.7, 98.2, 'closed', 1, 100, 0, 0)").await;
    run("INSERT INTO reports (id, reporter_id, category_id, description, lat, lon, status, duplicate_of, created_at, updated_at) \
         VALUES (3, 1, 1, '重复', 39.7, 98.2, 'duplicate', 1, 0, 0)").await;
    run("INSERT INTO report_photos (report_id, kind, object_key, thumb_key, width, height, position, created_at) \
         VALUES (1, 'before', 'p/a', 't/a', 10, 10, 0, 0)").await;
    run("INSERT INTO report_events (report_id, at, action, actor_role, note) VALUES (1, 0, 'submitted', 'citizen', '')").await;
    run("INSERT INTO report_terms (term, report_id) VALUES ('垃圾', 1)").await;
    run("INSERT INTO report_follows (report_id, user_id, created_at) VALUES (1, 1, 0)").await;
    run("INSERT INTO notifications (user_id, kind, report_id, title, created_at) VALUES (1, 'report_status', 1, '已交办', 0)").await;
    let tallies = |db: &Db| {
        let pool = db.pool.clone();
        async move {
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT status, CAST(SUM(n) AS BIGINT) FROM (SELECT status, n FROM report_tallies \
                 UNION ALL SELECT status, n FROM report_tally_deltas) t GROUP BY status ORDER BY status",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            rows
        }
    };
    let before = tallies(&db).await;
    assert_eq!(before.len(), 3, "{before:?}");

    db.migrate().await.unwrap();

    assert_eq!(tallies(&db).await, before, "no tally delta from the remake");
    let (n, public, seen): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(public) AS BIGINT), CAST(SUM(seen_count) AS BIGINT) FROM reports",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((n, public, seen), (3, 2, 0));
    for table in [
        "report_photos",
        "report_events",
        "report_terms",
        "report_follows",
        "notifications",
    ] {
        let (joined,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM {table} c JOIN reports r ON r.id = c.report_id"
        ))
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert_eq!(joined, 1, "{table}");
    }
    if engine == Engine::Sqlite {
        let broken: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&db.pool)
                .await
                .unwrap();
        assert!(broken.is_empty(), "{broken:?}");
        let (sql,): (String,) =
            sqlx::query_as("SELECT sql FROM sqlite_master WHERE name = 'report_photos'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert!(sql.contains("REFERENCES reports(id)"), "{sql}");
    }
    // The references still hold: a photo of a missing report is refused,
    // and the new status is taken (public, tallied).
    let orphan = sqlx::query(
        "INSERT INTO report_photos (report_id, kind, object_key, thumb_key, width, height, position, created_at) \
         VALUES (99, 'before', 'p/b', 't/b', 10, 10, 0, 0)",
    )
    .execute(&db.pool)
    .await;
    assert!(orphan.is_err(), "foreign keys still checked");
    run("UPDATE reports SET status = 'returned' WHERE id = 1").await;
    let (public,): (i64,) = sqlx::query_as("SELECT public FROM reports WHERE id = 1")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(public, 1);
    let after = tallies(&db).await;
    assert!(after.contains(&("returned".to_owned(), 1)), "{after:?}");
    db.pool.close().await;
}
crate::both!(the_loop_migration_keeps_the_reports);
