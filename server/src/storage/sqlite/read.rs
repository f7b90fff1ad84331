//! Read queries. They run on the reader pool, each in one read transaction so that a page is a
//! consistent snapshot even while the writer commits.

use super::rows::{self, MESSAGE_COLUMNS};
use crate::storage::{
    Account, HistoryPage, HistoryQuery, PushJob, PushRegistration, PushSettings, Retention,
    StorageError, StorageResult, conv_key, flags, relation_code, sync_bounds,
};
use protocol::frame::SyncPage;
use protocol::push::Vendor;
use protocol::{
    Conversation, DeviceId, Message, Profile, Relation, RelationEntry, RelationFields, Seq,
    SyncEntry, SyncEvent, UserId,
};
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
        "SELECT s.seq, s.event, s.message_id IS NOT NULL, {MESSAGE_COLUMNS} FROM sync_log s
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
        let event = match (row.get::<_, Option<String>>(1)?, row.get::<_, bool>(2)?) {
            (Some(json), false) => serde_json::from_str::<SyncEvent>(&json)
                .map_err(|e| StorageError::Corrupt(format!("sync event: {e}")))?,
            (event, true) => match rows::message(row, 3)? {
                Some(message) if message.time_ms >= msg_cutoff => match event {
                    None => SyncEvent::Message { message },
                    Some(event) => rows::change_kind(&event).event(message),
                },
                // The message left the roaming store before its log entry expired.
                _ => continue,
            },
            (None, false) => {
                return Err(StorageError::Corrupt(format!(
                    "sync entry {} is empty",
                    seq.0
                )));
            }
        };
        entries.push(SyncEntry { seq, event });
    }
    let (next, complete, gap) = sync_bounds(after, latest, first_retained, scanned, limit, last);
    Ok(SyncPage {
        entries,
        next,
        complete,
        gap,
    })
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
        .prepare_cached(&format!(
            "SELECT c.peer, MAX(c.read_up_to, c.deleted_up_to), c.created_ms, u.nick, u.avatar,
                    (SELECT MAX(m.id) FROM messages m WHERE m.conv = c.conv AND m.flags & {} = 0
                        AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                                        WHERE h.owner = c.owner AND h.message_id = m.id)) AS last_id,
                    p.read_up_to, c.pinned, c.draft, c.state_seq
             FROM conversations c LEFT JOIN users u ON u.id = c.peer
                  LEFT JOIN conversations p ON p.owner = c.peer AND p.peer = c.owner
             WHERE c.owner = ?1 AND (c.deleted_up_to = 0 OR last_id > c.deleted_up_to)",
            flags::NO_LAST_MSG
        ))?
        .query_map([owner.as_str()], |row| {
            Ok((
                rows::user_id(row.get(0)?)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, Option<String>>(3)?.unwrap_or_default(),
                row.get::<_, Option<String>>(4)?.unwrap_or_default(),
                row.get::<_, Option<i64>>(5)?.unwrap_or(0),
                row.get::<_, Option<i64>>(6)?.unwrap_or(0),
                (
                    row.get::<_, bool>(7)?,
                    row.get::<_, String>(8)?,
                    Seq(row.get::<_, i64>(9)? as u64),
                ),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    // Most recent activity first; conversations without messages by creation time.
    list.sort_by_key(|&(_, _, created, _, _, last_id, _, _)| std::cmp::Reverse((last_id, created)));
    let mut last_stmt = tx.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.id = ?1 AND m.time_ms >= ?2"
    ))?;
    let mut unread_stmt = tx.prepare_cached(&format!(
        "SELECT COUNT(*) FROM messages m WHERE conv = ?1 AND id > ?2 AND sender = ?3 AND time_ms >= ?4 AND flags & {} = 0
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.owner = ?5 AND h.message_id = m.id)",
        flags::NO_UNREAD | flags::RECALLED
    ))?;
    let mut out = Vec::with_capacity(list.len());
    for (peer, read_up_to, created_ms, peer_nick, peer_avatar, last_id, peer_read, state) in list {
        let last_message = last_stmt
            .query_row(params![last_id, cutoff], |r| rows::message(r, 0))
            .optional()?
            .flatten();
        let unread: u32 = unread_stmt.query_row(
            params![
                conv_key(owner, &peer),
                read_up_to,
                peer.as_str(),
                cutoff,
                owner.as_str()
            ],
            |r| r.get(0),
        )?;
        out.push(Conversation {
            updated_ms: last_message
                .as_ref()
                .map_or(created_ms as u64, |m| m.time_ms),
            peer,
            peer_nick,
            peer_avatar,
            last_message,
            unread,
            peer_read_up_to: peer_read as u64,
            read_up_to: read_up_to as u64,
            pinned: state.0,
            draft: state.1,
            state_seq: state.2,
        });
    }
    Conversation::pinned_first(&mut out);
    Ok(out)
}

/// Clamps a time or id to SQLite's signed integers.
fn sql_int(v: u64) -> i64 {
    v.min(i64::MAX as u64) as i64
}

pub(super) fn history(
    conn: &Connection,
    retention: &Retention,
    owner: &UserId,
    peer: &UserId,
    query: HistoryQuery,
    now_ms: u64,
) -> StorageResult<HistoryPage> {
    let limit = query.limit.max(1) as usize;
    let upper = query.before.map_or(i64::MAX, |k| sql_int(k.id));
    let min_time = sql_int(retention.roaming_cutoff(now_ms).max(query.min_time_ms));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m
         WHERE m.conv = ?1 AND m.id < ?2 AND m.time_ms >= ?3 AND m.time_ms <= ?4
           AND m.id > COALESCE((SELECT history_from FROM users WHERE id = ?6), 0)
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.owner = ?6 AND h.message_id = m.id)
         ORDER BY m.id DESC LIMIT ?5"
    ))?;
    let params = params![
        conv_key(owner, peer),
        upper,
        min_time,
        sql_int(query.max_time_ms),
        limit as i64 + 1,
        owner.as_str()
    ];
    let mut messages = stmt
        .query_map(params, |row| {
            rows::message(row, 0).map(|m| m.expect("selected from messages"))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let complete = messages.len() <= limit;
    messages.truncate(limit);
    Ok(HistoryPage { messages, complete })
}

pub(super) fn deletion(
    conn: &Connection,
    user: &UserId,
) -> StorageResult<Option<crate::storage::Revocation>> {
    revocation(
        conn,
        "SELECT deleted_ms, sigs FROM deleted_accounts WHERE id = ?1",
        user,
    )
}

pub(super) fn profile_tags(
    conn: &Connection,
    users: &[UserId],
) -> StorageResult<Vec<(UserId, String, String)>> {
    let mut statement =
        conn.prepare_cached("SELECT tag, value FROM profile_tags WHERE user = ?1 ORDER BY tag")?;
    let mut out = Vec::new();
    for user in users {
        let rows = statement.query_map([user.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            let (tag, value) = row?;
            out.push((user.clone(), tag, value));
        }
    }
    Ok(out)
}

pub(super) fn kick(
    conn: &Connection,
    user: &UserId,
) -> StorageResult<Option<crate::storage::Revocation>> {
    revocation(
        conn,
        "SELECT kicked_ms, sigs FROM kicks WHERE id = ?1",
        user,
    )
}

/// A revocation row: its time and its comma-separated fingerprints.
fn revocation(
    conn: &Connection,
    sql: &str,
    user: &UserId,
) -> StorageResult<Option<crate::storage::Revocation>> {
    let row: Option<(i64, String)> = conn
        .prepare_cached(sql)?
        .query_row([user.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(at_ms, sigs)| crate::storage::Revocation {
        at_ms: at_ms as u64,
        sigs: sigs.split(',').filter_map(|s| s.parse().ok()).collect(),
    }))
}

pub(super) fn export(
    conn: &Connection,
    retention: &Retention,
    min_ms: u64,
    max_ms: u64,
    after_id: u64,
    limit: u32,
    now_ms: u64,
) -> StorageResult<Vec<Message>> {
    let min_time = sql_int(retention.roaming_cutoff(now_ms).max(min_ms));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m
         WHERE m.id > ?1 AND m.time_ms >= ?2 AND m.time_ms <= ?3 ORDER BY m.id LIMIT ?4"
    ))?;
    let list = stmt
        .query_map(
            params![sql_int(after_id), min_time, sql_int(max_ms), limit.max(1)],
            |row| rows::message(row, 0).map(|m| m.expect("selected from messages")),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(list)
}

pub(super) fn profiles(conn: &Connection, users: &[UserId]) -> StorageResult<Vec<Profile>> {
    let mut stmt = conn.prepare_cached("SELECT nick, avatar FROM users WHERE id = ?1")?;
    let mut out = Vec::with_capacity(users.len());
    for user in users {
        let found = stmt
            .query_row([user.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((nick, avatar)) = found {
            out.push(Profile {
                user_id: user.clone(),
                nick,
                avatar,
                details: Default::default(),
            });
        }
    }
    Ok(out)
}

/// The newest sequence of an account's log is its newest row, or the floor kept in `users` for
/// a log emptied by expiry.
pub(super) fn accounts(
    conn: &Connection,
    from: Option<&UserId>,
    limit: u32,
) -> StorageResult<Vec<Account>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, nick, avatar, created_ms,
                MAX(latest_seq, COALESCE((SELECT MAX(seq) FROM sync_log WHERE user = users.id), 0))
         FROM users WHERE id >= ?1 ORDER BY id LIMIT ?2",
    )?;
    let from = from.map_or("", UserId::as_str);
    let rows = stmt.query_map(params![from, limit], |r| {
        Ok(Account {
            id: rows::user_id(r.get(0)?)?,
            nick: r.get(1)?,
            avatar: r.get(2)?,
            created_ms: r.get::<_, i64>(3)? as u64,
            latest_seq: Seq(r.get::<_, i64>(4)? as u64),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn relations(
    conn: &Connection,
    relation: Relation,
    owner: &UserId,
) -> StorageResult<Vec<RelationEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT peer, since_ms, fields FROM relations WHERE relation = ?1 AND owner = ?2 ORDER BY since_ms, peer",
    )?;
    let list = stmt
        .query_map(params![relation_code(relation), owner.as_str()], |r| {
            Ok(RelationEntry {
                user_id: rows::user_id(r.get(0)?)?,
                since_ms: r.get::<_, i64>(1)? as u64,
                fields: RelationFields::from_tags(&rows::fields_from_text(&r.get::<_, String>(2)?)),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(list)
}

pub(super) fn friend_fields(
    conn: &Connection,
    owner: &UserId,
) -> StorageResult<Vec<(UserId, std::collections::BTreeMap<String, String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT peer, fields FROM relations WHERE relation = ?1 AND owner = ?2 AND fields != '' ORDER BY peer",
    )?;
    let rows = stmt
        .query_map(
            params![relation_code(Relation::Friend), owner.as_str()],
            |r| Ok((rows::user_id(r.get(0)?)?, r.get::<_, String>(1)?)),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(peer, fields)| (peer, rows::fields_from_text(&fields)))
        .collect())
}

pub(super) fn friend_groups(conn: &Connection, owner: &UserId) -> StorageResult<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT name FROM friend_groups WHERE owner = ?1 ORDER BY name")?;
    let names = stmt
        .query_map([owner.as_str()], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(names)
}

pub(super) fn check_relations(
    conn: &Connection,
    relation: Relation,
    owner: &UserId,
    peers: &[UserId],
) -> StorageResult<Vec<(bool, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 1 FROM relations WHERE relation = ?1 AND owner = ?2 AND peer = ?3",
    )?;
    let code = relation_code(relation);
    let mut listed = |a: &UserId, b: &UserId| -> StorageResult<bool> {
        Ok(stmt
            .query_row(params![code, a.as_str(), b.as_str()], |_| Ok(()))
            .optional()?
            .is_some())
    };
    peers
        .iter()
        .map(|p| Ok((listed(owner, p)?, listed(p, owner)?)))
        .collect()
}

pub(super) fn setting(conn: &Connection, key: &str) -> StorageResult<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub(super) fn push_registrations(
    conn: &Connection,
    user: &UserId,
) -> StorageResult<Vec<PushRegistration>> {
    let mut stmt = conn.prepare_cached(
        "SELECT device, vendor, token FROM push_registrations WHERE user = ?1 ORDER BY created_ms",
    )?;
    let rows = stmt.query_map([user.as_str()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (device, vendor, token) = row?;
        let (Ok(device), Some(vendor)) = (DeviceId::parse(device), Vendor::parse(&vendor)) else {
            return Err(StorageError::Corrupt(format!(
                "push registration of {user}"
            )));
        };
        out.push(PushRegistration {
            device,
            vendor,
            token,
        });
    }
    Ok(out)
}

pub(super) fn push_due(
    conn: &Connection,
    retention: &Retention,
    now_ms: u64,
    limit: u32,
) -> StorageResult<Vec<PushJob>> {
    let cutoff = retention.roaming_cutoff(now_ms) as i64;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT j.id, j.user, j.info, j.attempts, {MESSAGE_COLUMNS}
         FROM push_jobs j LEFT JOIN messages m ON m.id = j.message_id AND m.time_ms >= ?3
         WHERE j.due_ms <= ?1 ORDER BY j.due_ms, j.id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![sql_int(now_ms), limit as i64, cutoff], |r| {
        let info: Option<String> = r.get(2)?;
        Ok((
            r.get::<_, i64>(0)? as u64,
            rows::user_id(r.get(1)?)?,
            info,
            r.get::<_, i64>(3)? as u32,
            rows::message(r, 4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, user, info, attempts, message) = row?;
        let info = info
            .map(|i| serde_json::from_str(&i))
            .transpose()
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        out.push(PushJob {
            id,
            user,
            message,
            settings: PushSettings { info },
            attempts,
        });
    }
    Ok(out)
}
