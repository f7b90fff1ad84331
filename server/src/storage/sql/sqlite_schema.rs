//! Connection settings and numbered migrations. `PRAGMA user_version` records how many
//! migrations a database has had; each runs once, in its own transaction, in order.

use r2d2_sqlite::rusqlite::{Connection, Result};

/// The migrations, in order. Append only: never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/0001_init.sql"),
    include_str!("../../../migrations/0002_relations_flags_settings.sql"),
    include_str!("../../../migrations/0003_deleted_accounts.sql"),
    include_str!("../../../migrations/0004_hidden_messages.sql"),
    include_str!("../../../migrations/0005_client_time.sql"),
    include_str!("../../../migrations/0006_push.sql"),
    include_str!("../../../migrations/0007_kicks.sql"),
    include_str!("../../../migrations/0008_profile_tags.sql"),
    include_str!("../../../migrations/0009_friend_fields.sql"),
    include_str!("../../../migrations/0010_friend_groups.sql"),
    include_str!("../../../migrations/0011_conversation_deletion.sql"),
    include_str!("../../../migrations/0012_message_edits.sql"),
    include_str!("../../../migrations/0013_conversation_state.sql"),
    include_str!("../../../migrations/0014_reactions_search.sql"),
    include_str!("../../../migrations/0015_conversation_marks.sql"),
    include_str!("../../../migrations/0016_conversation_groups.sql"),
    include_str!("../../../migrations/0017_read_receipts.sql"),
];

/// Settings for every connection: wait on locks rather than fail, and keep temp data in memory.
pub(super) const CONNECTION_PRAGMAS: &str =
    "PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;";

/// Opens the writer connection: WAL so readers never block it, `synchronous = FULL` so a
/// commit is on disk before anyone is told it happened.
pub(super) fn open_writer(path: &std::path::Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(CONNECTION_PRAGMAS)?;
    // The writer's statements, the multi-row inserts of each size included (writer/pending.rs),
    // stay prepared: with rusqlite's default of 16 they would push each other out.
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Most checkpoint work runs on its own thread (`checkpoint.rs`); see there for this one.
    conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
    // A WAL that grew under load is cut back to this size once it starts over.
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    migrate(&conn)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<()> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "applied database migration");
    }
    Ok(())
}
