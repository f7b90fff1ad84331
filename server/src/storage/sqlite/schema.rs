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
];

/// What a migration needs done in Rust after its SQL, in the same transaction.
fn after_migration(version: usize, conn: &Connection) -> Result<()> {
    match version {
        14 => super::search::index_existing(conn),
        _ => Ok(()),
    }
}

/// Settings for every connection: wait on locks rather than fail, and keep temp data in memory.
pub(super) const CONNECTION_PRAGMAS: &str =
    "PRAGMA busy_timeout = 5000; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;";

/// Opens the writer connection: WAL so readers never block it, `synchronous = FULL` so a
/// commit is on disk before anyone is told it happened.
pub(super) fn open_writer(path: &std::path::Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(CONNECTION_PRAGMAS)?;
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
        after_migration(i + 1, &tx)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "applied database migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database that had messages before the search index existed finds them once migrated.
    #[test]
    fn messages_stored_before_the_search_index_are_indexed_by_its_migration() {
        let conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..13] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 13).unwrap();
        let body = r#"[{"MsgType":"TIMTextElem","MsgContent":{"Text":"Old News"}}]"#;
        for (id, flags) in [(1, 0), (2, crate::storage::flags::RECALLED)] {
            conn.execute(
                "INSERT INTO messages (id, sender, recipient, conv, random, time_ms, body, nick, avatar,
                                       size, sender_seq, flags)
                 VALUES (?1, 'alice', 'bob', 'alice|bob', 1, 1000, ?2, '', '', 1, 1, ?3)",
                r2d2_sqlite::rusqlite::params![id, body, flags],
            )
            .unwrap();
        }
        migrate(&conn).unwrap();
        let found: Vec<(i64, String)> = conn
            .prepare("SELECT rowid, users FROM message_search WHERE message_search MATCH 'text:\"news\"'")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(
            found,
            [(1, "|alice|bob|".to_owned())],
            "the recalled one stays out"
        );
    }
}
