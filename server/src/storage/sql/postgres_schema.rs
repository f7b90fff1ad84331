//! PostgreSQL's numbered migrations. `schema_version` records how many a database has had;
//! each runs once, in its own transaction, in order, under an advisory lock so that nodes
//! starting together do not run one twice.

use super::db::{Db, Sql};

/// The migrations, in order. Append only: never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/postgres/0001_init.sql"),
    include_str!("../../../migrations/postgres/0002_write_changes.sql"),
    include_str!("../../../migrations/postgres/0003_conversation_marks.sql"),
    include_str!("../../../migrations/postgres/0004_conversation_groups.sql"),
    include_str!("../../../migrations/postgres/0005_read_receipts.sql"),
];

/// The advisory lock key nodes take while migrating ("duet" in ASCII).
const MIGRATION_LOCK: i64 = 0x6475_6574;

pub(super) fn migrate(db: &Db) -> Sql<()> {
    db.exec("SELECT pg_advisory_lock(?1)", &[&MIGRATION_LOCK])?;
    let result = apply(db);
    db.exec("SELECT pg_advisory_unlock(?1)", &[&MIGRATION_LOCK])?;
    result
}

fn apply(db: &Db) -> Sql<()> {
    db.batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let applied = db
        .row("SELECT version FROM schema_version", &[], |r| {
            r.get::<i64>(0)
        })?
        .unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        db.batch("BEGIN")?;
        let step = (|| {
            // A migration rewriting a large table may take longer than any query should.
            db.batch("SET LOCAL statement_timeout = 0")?;
            db.batch(sql)?;
            db.batch("DELETE FROM schema_version")?;
            db.exec(
                "INSERT INTO schema_version (version) VALUES (?1)",
                &[&((i + 1) as i64)],
            )?;
            db.batch("COMMIT")
        })();
        if let Err(e) = step {
            let _ = db.batch("ROLLBACK");
            return Err(e);
        }
        tracing::info!(version = i + 1, "applied PostgreSQL migration");
    }
    Ok(())
}
