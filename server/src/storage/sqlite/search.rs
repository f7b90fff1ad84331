//! The full-text index behind message search (`message_search`, migration 0014): what a
//! message's row holds, keeping it in step with sends, edits, recalls and expiry, and the query
//! that finds what [`SearchQuery::matches`] finds.

use super::rows::{self, MESSAGE_COLUMNS};
use crate::storage::{Retention, StorageResult, flags};
use protocol::search::{SearchQuery, search_text};
use protocol::{Message, UserId};
use r2d2_sqlite::rusqlite::{Connection, Result, params, params_from_iter, types::Value};

/// Writes (or rewrites) `message`'s row in the index.
pub(super) fn index(conn: &Connection, message: &Message) -> Result<()> {
    let mut kinds: Vec<&str> = message.elements.iter().map(|e| e.type_name()).collect();
    kinds.dedup();
    conn.prepare_cached(
        "INSERT OR REPLACE INTO message_search (rowid, text, kinds, users) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        message.key.id as i64,
        search_text(message).to_lowercase(),
        kinds.join(" "),
        format!("|{}|{}|", message.from, message.to),
    ])?;
    Ok(())
}

/// Takes message `id` out of the index (recalled).
pub(super) fn unindex(conn: &Connection, id: u64) -> Result<()> {
    conn.prepare_cached("DELETE FROM message_search WHERE rowid = ?1")?
        .execute([id as i64])?;
    Ok(())
}

/// Takes the messages numbered below `first_kept` out of the index (expired).
pub(super) fn unindex_below(conn: &Connection, first_kept: Option<i64>) -> Result<()> {
    conn.execute(
        "DELETE FROM message_search WHERE rowid < ?1",
        [first_kept.unwrap_or(i64::MAX)],
    )?;
    Ok(())
}

/// Indexes every message not recalled, for a database whose messages were stored before the
/// index existed; runs once, inside the migration that makes it.
pub(super) fn index_existing(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.flags & {} = 0",
        flags::RECALLED
    ))?;
    let mut found = stmt.query([])?;
    let mut indexed = 0u64;
    while let Some(row) = found.next()? {
        if let Some(message) = rows::message(row, 0)? {
            index(conn, &message)?;
            indexed += 1;
        }
    }
    tracing::info!(messages = indexed, "indexed stored messages for search");
    Ok(())
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

/// Up to `limit` of `owner`'s messages that `query` finds, numbered below `before` (0: any),
/// newest first, and the `before` of the next page (0: none).
#[allow(clippy::too_many_arguments)] // a query's parts, each a bound of the same read
pub(super) fn search(
    conn: &Connection,
    retention: &Retention,
    owner: &UserId,
    query: &SearchQuery,
    before: u64,
    limit: u32,
    now_ms: u64,
) -> StorageResult<(Vec<Message>, u64)> {
    let keywords = query.folded_keywords();
    let mut fts = vec![phrase("users", &format!("|{owner}|"))];
    if let Some(peer) = &query.peer {
        fts.push(phrase("users", &format!("|{peer}|")));
    }
    if !query.kinds.is_empty() {
        let kinds: Vec<String> = query.kinds.iter().map(|k| phrase("kinds", k)).collect();
        fts.push(format!("({})", kinds.join(" OR ")));
    }
    let mut likes = Vec::new();
    if query.match_all {
        for k in &keywords {
            match indexable(k) {
                true => fts.push(phrase("text", k)),
                false => likes.push(like(k)),
            }
        }
    } else if keywords.iter().all(|k| indexable(k)) && !keywords.is_empty() {
        let any: Vec<String> = keywords.iter().map(|k| phrase("text", k)).collect();
        fts.push(format!("({})", any.join(" OR ")));
    } else {
        likes.extend(keywords.iter().map(|k| like(k)));
    }
    let like_sql = match likes.len() {
        0 => String::new(),
        n => {
            let joiner = if query.match_all { " AND " } else { " OR " };
            let each = vec!["s.text LIKE ? ESCAPE '\\'"; n];
            format!("AND ({})", each.join(joiner))
        }
    };
    let senders_sql = match query.senders.len() {
        0 => String::new(),
        n => format!("AND m.sender IN ({})", vec!["?"; n].join(", ")),
    };
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM message_search s JOIN messages m ON m.id = s.rowid
         WHERE message_search MATCH ? AND s.rowid < ?
           AND m.time_ms >= ? AND m.time_ms <= ? AND m.flags & {recalled} = 0
           AND (m.sender = ? OR m.recipient = ?) -- the index's `users` narrows; this decides
           AND m.id > COALESCE((SELECT history_from FROM users WHERE id = ?), 0)
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.owner = ? AND h.message_id = m.id)
           {like_sql} {senders_sql}
         ORDER BY s.rowid DESC LIMIT ?",
        recalled = flags::RECALLED,
    );
    let upper = if before == 0 { i64::MAX } else { before as i64 };
    let min_time = retention.roaming_cutoff(now_ms).max(query.min_time_ms) as i64;
    let max_time = match query.max_time_ms {
        0 => i64::MAX,
        t => t.min(i64::MAX as u64) as i64,
    };
    let me = || Value::Text(owner.to_string());
    let mut values = vec![
        Value::Text(fts.join(" AND ")),
        Value::Integer(upper),
        Value::Integer(min_time),
        Value::Integer(max_time),
        me(),
        me(),
        me(),
        me(),
    ];
    values.extend(likes);
    values.extend(query.senders.iter().map(|s| Value::Text(s.to_string())));
    values.push(Value::Integer(i64::from(limit.max(1)) + 1));
    let mut stmt = conn.prepare(&sql)?;
    let found = stmt
        .query_map(params_from_iter(values), |row| {
            rows::message(row, 0).map(|m| m.expect("selected from messages"))
        })?
        .collect::<Result<Vec<_>>>()?;
    Ok(protocol::search::page(found, limit))
}
