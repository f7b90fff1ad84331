//! The full-text index behind message search (`message_search`, migration 0014), kept behind
//! the send path: the writer indexes messages in chunks when it is idle ([`index_after`]), up
//! to a watermark (`search_progress.indexed_up_to`), and a search reads the messages above the
//! watermark from `messages` and matches them here with [`SearchQuery::matches`], so it finds
//! every message whether or not it is indexed yet. Edits, recalls and expiry of indexed
//! messages update the index as they happen.
//!
//! The index is SQLite's FTS5. On PostgreSQL nothing is indexed (the watermark stays at 0), so
//! a search reads the owner's messages by the `messages_by_sender` and `messages_by_recipient`
//! indexes and matches each.

use super::db::{Db, Engine, Row, Sql};
use super::rows::{self, MESSAGE_COLUMNS};
use crate::storage::{Retention, StorageResult, flags};
use protocol::search::{SearchQuery, search_text};
use protocol::{Message, UserId};
use r2d2_sqlite::rusqlite::{Connection, params_from_iter, types::Value};

/// Messages indexed in one transaction: the writer takes new operations between chunks, so a
/// write waits for at most one chunk.
const CHUNK: u32 = 256;

/// How far messages are indexed: every message numbered up to this is in the index (unless
/// recalled or expired).
pub(super) fn progress(db: &Db) -> Sql<u64> {
    db.one(
        "SELECT indexed_up_to FROM search_progress WHERE id = 1",
        &[],
        |r| r.get::<i64>(0),
    )
    .map(|v| v as u64)
}

/// Writes (or rewrites) `message`'s row in the index.
pub(super) fn index(db: &Db, message: &Message) -> Sql<()> {
    db.exec(
        "INSERT OR REPLACE INTO message_search (rowid, text, users) VALUES (?1, ?2, ?3)",
        &[
            &(message.key.id as i64),
            &search_text(message).to_lowercase(),
            &format!("|{}|{}|", message.from, message.to),
        ],
    )?;
    Ok(())
}

/// Takes message `id` out of the index (recalled).
pub(super) fn unindex(db: &Db, id: u64) -> Sql<()> {
    db.exec(
        "DELETE FROM message_search WHERE rowid = ?1",
        &[&(id as i64)],
    )?;
    Ok(())
}

/// Takes the messages numbered below `first_kept` out of the index (expired; all when none is
/// kept).
pub(super) fn unindex_below(db: &Db, first_kept: Option<i64>) -> Sql<()> {
    if db.engine() == Engine::Sqlite {
        db.exec(
            "DELETE FROM message_search WHERE rowid < ?1",
            &[&first_kept.unwrap_or(i64::MAX)],
        )?;
    }
    Ok(())
}

/// Indexes up to [`CHUNK`] messages numbered above `indexed_up_to` (all of them up to `newest`
/// when none are left), in the caller's transaction, and records the new watermark, which it
/// returns.
pub(super) fn index_after(db: &Db, indexed_up_to: u64, newest: u64) -> Sql<u64> {
    let found = db.rows(
        &format!("SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.id > ?1 ORDER BY m.id LIMIT ?2"),
        &[&(indexed_up_to as i64), &i64::from(CHUNK)],
        |row| Ok(rows::message(row, 0)?.expect("selected from messages")),
    )?;
    for message in found.iter().filter(|m| !m.recalled) {
        index(db, message)?;
    }
    let last = found.last().map_or(indexed_up_to, |m| m.key.id);
    let watermark = if found.len() < CHUNK as usize {
        newest.max(last)
    } else {
        last
    };
    db.exec(
        "UPDATE search_progress SET indexed_up_to = ?1 WHERE id = 1",
        &[&(watermark as i64)],
    )?;
    Ok(watermark)
}

/// A phrase of an FTS5 query: in double quotes, a quote inside doubled.
fn phrase(column: &str, text: &str) -> String {
    format!("{column}:\"{}\"", text.replace('"', "\"\""))
}

/// A LIKE pattern finding `keyword` anywhere, with `\` escaping LIKE's wildcards.
fn like(keyword: &str) -> Value {
    let escaped = keyword
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Value::Text(format!("%{escaped}%"))
}

/// The trigram tokenizer finds keywords of three characters or more; shorter ones need LIKE.
fn indexable(keyword: &str) -> bool {
    keyword.chars().count() >= 3
}

/// What bounds both parts of a search: whose messages, below which number, since when.
struct Scope<'a> {
    owner: &'a UserId,
    query: &'a SearchQuery,
    /// Only messages numbered below this.
    upper: i64,
    /// The roaming store's cutoff, or the query's own start when later.
    min_time: i64,
}

/// Up to `limit` of `owner`'s messages that `query` finds, numbered below `before` (0: any),
/// newest first, and the `before` of the next page (0: none): the messages not indexed yet,
/// then the index.
pub(super) fn search(
    db: &Db,
    retention: &Retention,
    owner: &UserId,
    query: &SearchQuery,
    before: u64,
    limit: u32,
    now_ms: u64,
) -> StorageResult<(Vec<Message>, u64)> {
    // One snapshot: the watermark and the index agree.
    let _snapshot = db.snapshot()?;
    let watermark = progress(db)?;
    let scope = Scope {
        owner,
        query,
        upper: if before == 0 { i64::MAX } else { before as i64 },
        min_time: retention.roaming_cutoff(now_ms).max(query.min_time_ms) as i64,
    };
    let wanted = limit.max(1) as usize + 1;
    let mut found = unindexed(db, &scope, watermark, wanted)?;
    if found.len() < wanted
        && let Some(conn) = db.sqlite()
    {
        let upper = scope.upper.min(watermark as i64 + 1);
        let scope = Scope { upper, ..scope };
        found.extend(indexed(conn, &scope, wanted - found.len())?);
    }
    Ok(protocol::search::page(found, limit))
}

/// The part of a query both reads share: the owner's messages in its history, below the page's
/// bound, in the time window.
const OWNED: &str = "(m.sender = ?1 OR m.recipient = ?1)
           AND m.id < ?2 AND m.time_ms >= ?3 AND m.time_ms <= ?4
           AND m.id > COALESCE((SELECT history_from FROM users WHERE id = ?1), 0)
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.owner = ?1 AND h.message_id = m.id)";

impl Scope<'_> {
    /// The latest time the query wants.
    fn max_time(&self) -> i64 {
        match self.query.max_time_ms {
            0 => i64::MAX,
            t => t.min(i64::MAX as u64) as i64,
        }
    }
}

/// Up to `wanted` of the owner's messages above the watermark that the query finds, newest
/// first, matched here as the in-memory store matches them.
fn unindexed(db: &Db, scope: &Scope<'_>, watermark: u64, wanted: usize) -> Sql<Vec<Message>> {
    let keywords = scope.query.folded_keywords(str::to_lowercase);
    let mut found = Vec::new();
    db.each(
        &format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.id > ?5 AND {OWNED} ORDER BY m.id DESC"
        ),
        &[
            &scope.owner.as_str(),
            &scope.upper,
            &scope.min_time,
            &scope.max_time(),
            &(watermark as i64),
        ],
        |row| {
            let message = rows::message(row, 0)?.expect("selected from messages");
            if scope.query.matches(scope.owner, &message, &keywords, str::to_lowercase) {
                found.push(message);
            }
            Ok(found.len() < wanted)
        },
    )?;
    Ok(found)
}

/// Up to `wanted` of the owner's indexed messages that the query finds, newest first: SQLite's
/// full-text query, built for this search.
fn indexed(conn: &Connection, scope: &Scope<'_>, wanted: usize) -> Sql<Vec<Message>> {
    let query = scope.query;
    let keywords = query.folded_keywords(str::to_lowercase);
    let mut fts = vec![phrase("users", &format!("|{}|", scope.owner))];
    if let Some(peer) = &query.peer {
        fts.push(phrase("users", &format!("|{peer}|")));
    }
    let mut likes = Vec::new();
    if query.match_all {
        for k in &keywords {
            match indexable(k) {
                true => fts.push(phrase("text", k)),
                false => likes.push(like(k)),
            }
        }
    } else if !keywords.is_empty() && keywords.iter().all(|k| indexable(k)) {
        let any: Vec<String> = keywords.iter().map(|k| phrase("text", k)).collect();
        fts.push(format!("({})", any.join(" OR ")));
    } else {
        likes.extend(keywords.iter().map(|k| like(k)));
    }
    let like_sql = match likes.len() {
        0 => String::new(),
        n => {
            let joiner = if query.match_all { " AND " } else { " OR " };
            format!(
                "AND ({})",
                vec!["s.text LIKE ? ESCAPE '\\'"; n].join(joiner)
            )
        }
    };
    let senders_sql = match query.senders.len() {
        0 => String::new(),
        n => format!("AND m.sender IN ({})", vec!["?"; n].join(", ")),
    };
    let kinds_sql = match query.kinds.len() {
        0 => String::new(),
        n => format!(
            "AND EXISTS (SELECT 1 FROM json_each(m.body) e
                         WHERE json_extract(e.value, '$.MsgType') IN ({}))",
            vec!["?"; n].join(", ")
        ),
    };
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM message_search s JOIN messages m ON m.id = s.rowid
         WHERE message_search MATCH ?5 AND s.rowid < ?2 AND m.flags & {recalled} = 0
           AND {OWNED} {like_sql} {senders_sql} {kinds_sql}
         ORDER BY s.rowid DESC LIMIT {wanted}",
        recalled = flags::RECALLED,
    );
    let mut values = vec![
        Value::Text(scope.owner.to_string()),
        Value::Integer(scope.upper),
        Value::Integer(scope.min_time),
        Value::Integer(scope.max_time()),
        Value::Text(fts.join(" AND ")),
    ];
    values.extend(likes);
    values.extend(query.senders.iter().map(|s| Value::Text(s.to_string())));
    values.extend(query.kinds.iter().map(|k| Value::Text(k.clone())));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push(rows::message(&Row::Sqlite(row), 0)?.expect("selected from messages"));
    }
    Ok(found)
}

/// The newest message number, for the writer's watermark.
pub(super) fn newest(db: &Db) -> Sql<u64> {
    db.one("SELECT COALESCE(MAX(id), 0) FROM messages", &[], |r| {
        r.get::<i64>(0)
    })
    .map(|id| id as u64)
}
