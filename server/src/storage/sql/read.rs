//! Read queries. They run on the reader pool, each in one read transaction so that a page is a
//! consistent snapshot even while the writer commits.

use super::db::{Db, Sql};
use super::rows::{self, MESSAGE_COLUMNS};
use crate::storage::{
    Account, HistoryPage, HistoryQuery, NOTICE_MESSAGE_ID, PushJob, PushRegistration, PushSettings,
    Retention, StorageError, StorageResult, conv_key, flags, relation_code, sync_bounds,
};
use protocol::frame::SyncPage;
use protocol::push::Vendor;
use protocol::{
    Conversation, DeviceId, Message, Profile, Relation, RelationEntry, RelationFields, Seq,
    SyncEntry, SyncEvent, UserId,
};

/// The newest sequence of an account's log, read from a `users` row: its log's newest row, or
/// the floor kept in `users` for a log emptied by expiry (`?1` is the account).
const LATEST_SEQ: &str = r#"CASE WHEN latest_seq > COALESCE((SELECT MAX(seq) FROM sync_log WHERE "user" = ?1), 0)
     THEN latest_seq ELSE COALESCE((SELECT MAX(seq) FROM sync_log WHERE "user" = ?1), 0) END"#;

/// The newest sequence of `user`'s log.
fn latest_seq(db: &Db, user: &UserId) -> StorageResult<Seq> {
    db.row(
        &format!("SELECT {LATEST_SEQ} FROM users WHERE id = ?1"),
        &[&user.as_str()],
        |r| r.get::<i64>(0),
    )?
    .map(|s| Seq(s as u64))
    .ok_or_else(|| StorageError::UnknownUser(user.clone()))
}

pub(super) fn sync(
    db: &Db,
    retention: &Retention,
    user: &UserId,
    after: Seq,
    limit: u32,
    now_ms: u64,
) -> StorageResult<SyncPage> {
    let _snapshot = db.snapshot()?;
    let latest = latest_seq(db, user)?;
    let log_cutoff = retention.offline_cutoff(now_ms) as i64;
    let msg_cutoff = retention.roaming_cutoff(now_ms);
    let first_retained = db.one(
        r#"SELECT MIN(seq) FROM sync_log WHERE "user" = ?1 AND time_ms >= ?2"#,
        &[&user.as_str(), &log_cutoff],
        |r| r.get::<Option<i64>>(0),
    )?;
    let first_retained = first_retained.map_or(Seq(latest.0 + 1), |s| Seq(s as u64));
    let limit = limit.max(1);
    let read = db.rows(
        &format!(
            r#"SELECT s.seq, s.event, s.message_id IS NOT NULL, {MESSAGE_COLUMNS} FROM sync_log s
               LEFT JOIN messages m ON m.id = s.message_id
               WHERE s."user" = ?1 AND s.seq > ?2 AND s.time_ms >= ?3
               ORDER BY s.seq LIMIT ?4"#
        ),
        &[
            &user.as_str(),
            &(after.0 as i64),
            &log_cutoff,
            &i64::from(limit),
        ],
        |row| {
            let seq = Seq(row.get::<i64>(0)? as u64);
            let event = match (row.get::<Option<String>>(1)?, row.get::<bool>(2)?) {
                (Some(json), false) => Some(
                    serde_json::from_str::<SyncEvent>(&json)
                        .map_err(|e| StorageError::Corrupt(format!("sync event: {e}")))?,
                ),
                (event, true) => match rows::message(row, 3)? {
                    Some(message) if message.time_ms >= msg_cutoff => Some(match event {
                        None => SyncEvent::Message { message },
                        Some(event) => rows::change_kind(&event).event(message),
                    }),
                    // The message left the roaming store before its log entry expired.
                    _ => None,
                },
                (None, false) => {
                    return Err(
                        StorageError::Corrupt(format!("sync entry {} is empty", seq.0)).into(),
                    );
                }
            };
            Ok((seq, event))
        },
    )?;
    let (scanned, last) = (read.len(), read.last().map(|(seq, _)| *seq));
    let entries: Vec<SyncEntry> = read
        .into_iter()
        .filter_map(|(seq, event)| event.map(|event| SyncEntry { seq, event }))
        .collect();
    let (next, complete, gap) = sync_bounds(after, latest, first_retained, scanned, limit, last);
    Ok(SyncPage {
        entries,
        next,
        complete,
        gap,
    })
}

pub(super) fn conversations(
    db: &Db,
    retention: &Retention,
    owner: &UserId,
    now_ms: u64,
) -> StorageResult<Vec<Conversation>> {
    let _snapshot = db.snapshot()?;
    latest_seq(db, owner)?;
    let cutoff = retention.roaming_cutoff(now_ms) as i64;
    let mut list = db.rows(
        &format!(
            "SELECT * FROM (
                SELECT c.peer,
                       CASE WHEN c.read_up_to > c.deleted_up_to THEN c.read_up_to ELSE c.deleted_up_to END AS read_to,
                       c.created_ms, u.nick, u.avatar,
                       (SELECT MAX(m.id) FROM messages m WHERE m.conv = c.conv AND m.flags & {} = 0
                           AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                                           WHERE h.owner = c.owner AND h.message_id = m.id)) AS last_id,
                       p.read_up_to AS peer_read_to, c.state_seq, c.deleted_up_to,
                       c.pinned, c.draft, c.marks, c.custom_data, c.conversation_groups
                FROM conversations c LEFT JOIN users u ON u.id = c.peer
                     LEFT JOIN conversations p ON p.owner = c.peer AND p.peer = c.owner
                WHERE c.owner = ?1) listed
             WHERE deleted_up_to = 0 OR last_id > deleted_up_to",
            flags::NO_LAST_MSG
        ),
        &[&owner.as_str()],
        |row| {
            Ok((
                rows::user_id(row.get(0)?)?,
                row.get::<i64>(1)?,
                row.get::<i64>(2)?,
                row.get::<Option<String>>(3)?.unwrap_or_default(),
                row.get::<Option<String>>(4)?.unwrap_or_default(),
                row.get::<Option<i64>>(5)?.unwrap_or(0),
                row.get::<Option<i64>>(6)?.unwrap_or(0),
                Seq(row.get::<i64>(7)? as u64),
                rows::conversation_state(row, 9)?,
            ))
        },
    )?;
    // Most recent activity first; conversations without messages by creation time.
    list.sort_by_key(|&(_, _, created, _, _, last_id, _, _, _)| {
        std::cmp::Reverse((last_id, created))
    });
    let last_sql =
        format!("SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.id = ?1 AND m.time_ms >= ?2");
    let unread_sql = format!(
        "SELECT COUNT(*) FROM messages m WHERE conv = ?1 AND id > ?2 AND sender = ?3 AND time_ms >= ?4 AND flags & {} = 0
           AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.owner = ?5 AND h.message_id = m.id)",
        flags::NO_UNREAD | flags::RECALLED
    );
    let mut out = Vec::with_capacity(list.len());
    for (
        peer,
        read_up_to,
        created_ms,
        peer_nick,
        peer_avatar,
        last_id,
        peer_read,
        state_seq,
        state,
    ) in list
    {
        let last_message = db
            .row(&last_sql, &[&last_id, &cutoff], |r| rows::message(r, 0))?
            .flatten();
        let unread = db.one(
            &unread_sql,
            &[
                &conv_key(owner, &peer),
                &read_up_to,
                &peer.as_str(),
                &cutoff,
                &owner.as_str(),
            ],
            |r| r.get::<i64>(0),
        )? as u32;
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
            pinned: state.pinned,
            draft: state.draft,
            marks: state.marks,
            custom_data: state.custom_data,
            conversation_groups: state.groups,
            state_seq,
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
    db: &Db,
    retention: &Retention,
    owner: &UserId,
    peer: &UserId,
    query: HistoryQuery,
    now_ms: u64,
) -> StorageResult<HistoryPage> {
    let limit = query.limit.max(1) as usize;
    let upper = query.before.map_or(i64::MAX, |k| sql_int(k.id));
    let lower = query.after.map_or(0, |k| sql_int(k.id));
    let min_time = sql_int(retention.roaming_cutoff(now_ms).max(query.min_time_ms));
    let order = if query.oldest_first { "ASC" } else { "DESC" };
    let mut messages = db.rows(
        &format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m
             WHERE m.conv = ?1 AND m.id < ?2 AND m.id > ?7 AND m.time_ms >= ?3 AND m.time_ms <= ?4
               AND m.id > COALESCE((SELECT history_from FROM users WHERE id = ?6), 0)
               AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.owner = ?6 AND h.message_id = m.id)
             ORDER BY m.id {order} LIMIT ?5"
        ),
        &[
            &conv_key(owner, peer),
            &upper,
            &min_time,
            &sql_int(query.max_time_ms),
            &(limit as i64 + 1),
            &owner.as_str(),
            &lower,
        ],
        message_row,
    )?;
    let complete = messages.len() <= limit;
    messages.truncate(limit);
    Ok(HistoryPage { messages, complete })
}

/// A message selected as [`MESSAGE_COLUMNS`] alone.
fn message_row(row: &super::db::Row<'_>) -> Sql<Message> {
    rows::message(row, 0).map(|m| m.expect("selected from messages"))
}

pub(super) fn deletion(
    db: &Db,
    user: &UserId,
) -> StorageResult<Option<crate::storage::Revocation>> {
    revocation(
        db,
        "SELECT deleted_ms, sigs FROM deleted_accounts WHERE id = ?1",
        user,
    )
}

pub(super) fn profile_tags(
    db: &Db,
    users: &[UserId],
) -> StorageResult<Vec<(UserId, String, String)>> {
    let mut out = Vec::new();
    for user in users {
        out.extend(db.rows(
            r#"SELECT tag, value FROM profile_tags WHERE "user" = ?1 ORDER BY tag"#,
            &[&user.as_str()],
            |r| Ok((user.clone(), r.get::<String>(0)?, r.get::<String>(1)?)),
        )?);
    }
    Ok(out)
}

pub(super) fn kick(db: &Db, user: &UserId) -> StorageResult<Option<crate::storage::Revocation>> {
    revocation(db, "SELECT kicked_ms, sigs FROM kicks WHERE id = ?1", user)
}

/// A revocation row: its time and its comma-separated fingerprints.
fn revocation(
    db: &Db,
    sql: &str,
    user: &UserId,
) -> StorageResult<Option<crate::storage::Revocation>> {
    let row = db.row(sql, &[&user.as_str()], |r| {
        Ok((r.get::<i64>(0)?, r.get::<String>(1)?))
    })?;
    Ok(row.map(|(at_ms, sigs)| crate::storage::Revocation {
        at_ms: at_ms as u64,
        sigs: sigs.split(',').filter_map(|s| s.parse().ok()).collect(),
    }))
}

pub(super) fn export(
    db: &Db,
    retention: &Retention,
    min_ms: u64,
    max_ms: u64,
    after_id: u64,
    limit: u32,
    now_ms: u64,
) -> StorageResult<Vec<Message>> {
    let min_time = sql_int(retention.roaming_cutoff(now_ms).max(min_ms));
    Ok(db.rows(
        &format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m
             WHERE m.id > ?1 AND m.time_ms >= ?2 AND m.time_ms <= ?3 ORDER BY m.id LIMIT ?4"
        ),
        &[
            &sql_int(after_id),
            &min_time,
            &sql_int(max_ms),
            &i64::from(limit.max(1)),
        ],
        message_row,
    )?)
}

pub(super) fn profiles(db: &Db, users: &[UserId]) -> StorageResult<Vec<Profile>> {
    let mut out = Vec::with_capacity(users.len());
    for user in users {
        let found = db.row(
            "SELECT nick, avatar FROM users WHERE id = ?1",
            &[&user.as_str()],
            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
        )?;
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

pub(super) fn accounts(db: &Db, from: Option<&UserId>, limit: u32) -> StorageResult<Vec<Account>> {
    let from = from.map_or("", UserId::as_str);
    Ok(db.rows(
        &format!(
            "SELECT id, nick, avatar, created_ms, {}
             FROM users WHERE id >= ?1 ORDER BY id LIMIT ?2",
            LATEST_SEQ.replace("?1", "users.id")
        ),
        &[&from, &i64::from(limit)],
        |r| {
            Ok(Account {
                id: rows::user_id(r.get(0)?)?,
                nick: r.get(1)?,
                avatar: r.get(2)?,
                created_ms: r.get::<i64>(3)? as u64,
                latest_seq: Seq(r.get::<i64>(4)? as u64),
            })
        },
    )?)
}

pub(super) fn relations(
    db: &Db,
    relation: Relation,
    owner: &UserId,
) -> StorageResult<Vec<RelationEntry>> {
    Ok(db.rows(
        "SELECT peer, since_ms, fields FROM relations WHERE relation = ?1 AND owner = ?2 ORDER BY since_ms, peer",
        &[&relation_code(relation), &owner.as_str()],
        |r| {
            Ok(RelationEntry {
                read: false,
                user_id: rows::user_id(r.get(0)?)?,
                since_ms: r.get::<i64>(1)? as u64,
                fields: RelationFields::from_tags(&rows::fields_from_text(&r.get::<String>(2)?)),
            })
        },
    )?)
}

pub(super) fn friend_fields(
    db: &Db,
    owner: &UserId,
) -> StorageResult<Vec<(UserId, std::collections::BTreeMap<String, String>)>> {
    Ok(db.rows(
        "SELECT peer, fields FROM relations WHERE relation = ?1 AND owner = ?2 AND fields != '' ORDER BY peer",
        &[&relation_code(Relation::Friend), &owner.as_str()],
        |r| {
            Ok((
                rows::user_id(r.get(0)?)?,
                rows::fields_from_text(&r.get::<String>(1)?),
            ))
        },
    )?)
}

pub(super) fn friend_groups(db: &Db, owner: &UserId) -> StorageResult<Vec<String>> {
    Ok(db.rows(
        "SELECT name FROM friend_groups WHERE owner = ?1 ORDER BY name",
        &[&owner.as_str()],
        |r| r.get::<String>(0),
    )?)
}

pub(super) fn check_relations(
    db: &Db,
    relation: Relation,
    owner: &UserId,
    peers: &[UserId],
) -> StorageResult<Vec<(bool, bool)>> {
    let code = relation_code(relation);
    let listed = |a: &UserId, b: &UserId| -> StorageResult<bool> {
        Ok(db
            .row(
                "SELECT 1 FROM relations WHERE relation = ?1 AND owner = ?2 AND peer = ?3",
                &[&code, &a.as_str(), &b.as_str()],
                |_| Ok(()),
            )?
            .is_some())
    };
    peers
        .iter()
        .map(|p| Ok((listed(owner, p)?, listed(p, owner)?)))
        .collect()
}

pub(super) fn setting(db: &Db, key: &str) -> StorageResult<Option<String>> {
    Ok(
        db.row("SELECT value FROM settings WHERE key = ?1", &[&key], |r| {
            r.get::<String>(0)
        })?,
    )
}

pub(super) fn push_registrations(db: &Db, user: &UserId) -> StorageResult<Vec<PushRegistration>> {
    let rows = db.rows(
        r#"SELECT device, vendor, token FROM push_registrations WHERE "user" = ?1 ORDER BY created_ms"#,
        &[&user.as_str()],
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<String>(2)?)),
    )?;
    let mut out = Vec::new();
    for (device, vendor, token) in rows {
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
    db: &Db,
    retention: &Retention,
    now_ms: u64,
    limit: u32,
) -> StorageResult<Vec<PushJob>> {
    let cutoff = retention.roaming_cutoff(now_ms) as i64;
    let rows = db.rows(
        &format!(
            r#"SELECT j.id, j."user", j.info, j.attempts, j.message_id, {MESSAGE_COLUMNS}
               FROM push_jobs j LEFT JOIN messages m ON m.id = j.message_id AND m.time_ms >= ?3
               WHERE j.due_ms <= ?1 ORDER BY j.due_ms, j.id LIMIT ?2"#
        ),
        &[&sql_int(now_ms), &i64::from(limit), &cutoff],
        |r| {
            Ok((
                r.get::<i64>(0)? as u64,
                rows::user_id(r.get(1)?)?,
                r.get::<Option<String>>(2)?,
                r.get::<i64>(3)? as u32,
                r.get::<i64>(4)? as u64 == NOTICE_MESSAGE_ID,
                rows::message(r, 5)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for (id, user, info, attempts, notice, message) in rows {
        let info = info
            .map(|i| serde_json::from_str(&i))
            .transpose()
            .map_err(|e| StorageError::Corrupt(e.to_string()))?;
        out.push(PushJob {
            id,
            user,
            message,
            notice,
            settings: PushSettings { info },
            attempts,
        });
    }
    Ok(out)
}
