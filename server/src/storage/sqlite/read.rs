//! Read queries. They run on the reader pool, each in one read transaction so that a page is a
//! consistent snapshot even while the writer commits.

use super::rows::{self, MESSAGE_COLUMNS};
use crate::storage::{HistoryPage, Retention, StorageError, StorageResult, conv_key, sync_bounds};
use protocol::frame::SyncPage;
use protocol::{Conversation, MessageKey, Seq, SyncEntry, SyncEvent, UserId};
use r2d2_sqlite::rusqlite::{Connection, OptionalExtension, params};

/// The newest sequence of `user`'s log: its newest row, or the stored floor when the log is empty.
fn latest_seq(conn: &Connection, user: &UserId) -> StorageResult<Seq> {
    conn.prepare_cached(
        "SELECT MAX(latest_seq, COALESCE((SELECT MAX(seq) FROM sync_log WHERE user = ?1), 0))
         FROM users WHERE id = ?1",
    )?
    .query_row([user.as_str()], |r| r.get::<_, i64>(0))
    .optional()?
    .map(|s| Seq(s as u64))
    .ok_or_else(|| StorageError::UnknownUser(user.clone()))
}

pub(super) fn sync(
    conn: &mut Connection,
    retention: &Retention,
    user: &UserId,
    after: Seq,
    limit: u32,
    now_ms: u64,
) -> StorageResult<SyncPage> {
    let tx = conn.transaction()?;
    let latest = latest_seq(&tx, user)?;
    let log_cutoff = retention.offline_cutoff(now_ms) as i64;
    let msg_cutoff = retention.roaming_cutoff(now_ms);
    let first_retained: Option<i64> = tx
        .prepare_cached("SELECT MIN(seq) FROM sync_log WHERE user = ?1 AND time_ms >= ?2")?
        .query_row(params![user.as_str(), log_cutoff], |r| r.get(0))?;
    let first_retained = first_retained.map_or(Seq(latest.0 + 1), |s| Seq(s as u64));
    let limit = limit.max(1);
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT s.seq, s.event, {MESSAGE_COLUMNS} FROM sync_log s
         LEFT JOIN messages m ON m.id = s.message_id
         WHERE s.user = ?1 AND s.seq > ?2 AND s.time_ms >= ?3
         ORDER BY s.seq LIMIT ?4"
    ))?;
    let mut rows = stmt.query(params![user.as_str(), after.0 as i64, log_cutoff, limit])?;
    let (mut entries, mut scanned, mut last) = (Vec::new(), 0usize, None);
    while let Some(row) = rows.next()? {
        scanned += 1;
        let seq = Seq(row.get::<_, i64>(0)? as u64);
        last = Some(seq);
        let event = match row.get::<_, Option<String>>(1)? {
            Some(json) => serde_json::from_str::<SyncEvent>(&json)
                .map_err(|e| StorageError::Corrupt(format!("sync event: {e}")))?,
            None => match rows::message(row, 2)? {
                Some(message) if message.time_ms >= msg_cutoff => SyncEvent::Message { message },
                // The message left the roaming store before its log entry expired.
                _ => continue,
            },
        };
        entries.push(SyncEntry { seq, event });
    }
    let (next, complete, gap) = sync_bounds(after, latest, first_retained, scanned, limit, last);
    Ok(SyncPage { entries, next, complete, gap })
}

pub(super) fn conversations(
    conn: &mut Connection,
    retention: &Retention,
    owner: &UserId,
    now_ms: u64,
) -> StorageResult<Vec<Conversation>> {
    let tx = conn.transaction()?;
    latest_seq(&tx, owner)?;
    let cutoff = retention.roaming_cutoff(now_ms) as i64;
    let mut list = tx
        .prepare_cached(
            "SELECT c.peer, c.read_up_to, c.created_ms, u.nick, u.avatar,
                    (SELECT MAX(m.id) FROM messages m WHERE m.conv = c.conv) AS last_id
             FROM conversations c LEFT JOIN users u ON u.id = c.peer
             WHERE c.owner = ?1",
        )?
        .query_map([owner.as_str()], |row| {
            Ok((
                rows::user_id(row.get(0)?)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, Option<String>>(3)?.unwrap_or_default(),
                row.get::<_, Option<String>>(4)?.unwrap_or_default(),
                row.get::<_, Option<i64>>(5)?.unwrap_or(0),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    // Most recent activity first; conversations without messages by creation time.
    list.sort_by_key(|&(_, _, created, _, _, last_id)| std::cmp::Reverse((last_id, created)));
    let mut last_stmt = tx.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.id = ?1 AND m.time_ms >= ?2"
    ))?;
    let mut unread_stmt = tx.prepare_cached(
        "SELECT COUNT(*) FROM messages WHERE conv = ?1 AND id > ?2 AND sender = ?3 AND time_ms >= ?4",
    )?;
    let mut out = Vec::with_capacity(list.len());
    for (peer, read_up_to, created_ms, peer_nick, peer_avatar, last_id) in list {
        let last_message = last_stmt
            .query_row(params![last_id, cutoff], |r| rows::message(r, 0))
            .optional()?
            .flatten();
        let unread: u32 = unread_stmt
            .query_row(params![conv_key(owner, &peer), read_up_to, peer.as_str(), cutoff], |r| r.get(0))?;
        out.push(Conversation {
            updated_ms: last_message.as_ref().map_or(created_ms as u64, |m| m.time_ms),
            peer,
            peer_nick,
            peer_avatar,
            last_message,
            unread,
        });
    }
    Ok(out)
}

pub(super) fn history(
    conn: &Connection,
    retention: &Retention,
    owner: &UserId,
    peer: &UserId,
    before: Option<MessageKey>,
    limit: u32,
    now_ms: u64,
) -> StorageResult<HistoryPage> {
    let limit = limit.max(1) as usize;
    let upper = before.map_or(i64::MAX, |k| k.id.min(i64::MAX as u64) as i64);
    let cutoff = retention.roaming_cutoff(now_ms) as i64;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m
         WHERE m.conv = ?1 AND m.id < ?2 AND m.time_ms >= ?3
         ORDER BY m.id DESC LIMIT ?4"
    ))?;
    let mut messages = stmt
        .query_map(params![conv_key(owner, peer), upper, cutoff, limit as i64 + 1], |row| {
            rows::message(row, 0).map(|m| m.expect("selected from messages"))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let complete = messages.len() <= limit;
    messages.truncate(limit);
    Ok(HistoryPage { messages, complete })
}
