//! Decoding of stored rows into wire types, shared by the writer and the readers.

use super::db::{Row, Sql, SqlError};
use crate::storage::{ChangeKind, ConversationState, StorageError, flags, message_key};
use protocol::reaction::Reaction;
use protocol::{Message, UserId};

/// The message columns every query selects, in the order [`message`] reads them.
pub(super) const MESSAGE_COLUMNS: &str = "m.id, m.sender, m.recipient, m.random, m.time_ms, m.body, m.cloud_custom_data, m.nick, m.avatar, m.flags, m.client_time, m.version, m.edited_ms, m.reactions, m.receipt_ms";

/// The `event` of a sync-log row that records a change of its `message_id`: the entry is read
/// as an `edited`, `reacted` or `read_receipt` one carrying the message as it is then, so no
/// old content lingers in the log.
pub(super) fn change_event(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Edited => r#"{"kind":"edited"}"#,
        ChangeKind::Reacted => r#"{"kind":"reacted"}"#,
        ChangeKind::Receipted => r#"{"kind":"read_receipt"}"#,
    }
}

/// The kind of change a sync-log row with a message and an `event` records.
pub(super) fn change_kind(event: &str) -> ChangeKind {
    [ChangeKind::Reacted, ChangeKind::Receipted]
        .into_iter()
        .find(|kind| event == change_event(*kind))
        .unwrap_or(ChangeKind::Edited)
}

/// How many columns [`MESSAGE_COLUMNS`] spans.
pub(super) const MESSAGE_WIDTH: usize = 15;

/// A message's reactions as stored: a JSON array, NULL when there are none.
pub(super) fn reactions_text(reactions: &[Reaction]) -> Option<String> {
    (!reactions.is_empty()).then(|| serde_json::to_string(reactions).expect("reactions serialize"))
}

fn reactions(text: Option<String>) -> Sql<Vec<Reaction>> {
    text.map_or(Ok(Vec::new()), |t| {
        serde_json::from_str(&t).map_err(corrupt)
    })
}

fn corrupt(e: impl std::fmt::Display) -> SqlError {
    SqlError::Storage(StorageError::Corrupt(e.to_string()))
}

pub(super) fn user_id(text: String) -> Sql<UserId> {
    UserId::parse(text).map_err(corrupt)
}

/// The columns of a conversation's state, in the order [`conversation_state`] reads them.
pub(super) const STATE_COLUMNS: &str = "pinned, draft, marks, custom_data, conversation_groups";

/// Reads a conversation's state from [`STATE_COLUMNS`] starting at column `at`.
pub(super) fn conversation_state(row: &Row<'_>, at: usize) -> Sql<ConversationState> {
    Ok(ConversationState {
        pinned: row.get(at)?,
        draft: row.get(at + 1)?,
        marks: row.get::<i64>(at + 2)? as u64,
        custom_data: row.get(at + 3)?,
        groups: group_names(&row.get::<String>(at + 4)?),
    })
}

/// The conversation groups column: names one a line.
pub(super) fn group_names(column: &str) -> Vec<String> {
    column.lines().map(str::to_owned).collect()
}

/// The conversation groups as the column holds them.
pub(super) fn group_column(groups: &[String]) -> String {
    groups.join("\n")
}

/// Reads a message from [`MESSAGE_COLUMNS`] starting at column `at`; `None` when the columns are
/// NULL (a LEFT JOIN that found no message).
pub(super) fn message(row: &Row<'_>, at: usize) -> Sql<Option<Message>> {
    let Some(id) = row.get::<Option<i64>>(at)? else {
        return Ok(None);
    };
    let random = row.get::<i64>(at + 3)? as u32;
    let time_ms: i64 = row.get(at + 4)?;
    let body: String = row.get(at + 5)?;
    let flags = row.get::<i64>(at + 9)?;
    Ok(Some(Message {
        key: message_key(id as u64, random, time_ms as u64),
        from: user_id(row.get(at + 1)?)?,
        to: user_id(row.get(at + 2)?)?,
        time_ms: time_ms as u64,
        client_time_s: row.get::<i64>(at + 10)? as u64,
        random,
        elements: serde_json::from_str(&body).map_err(corrupt)?,
        cloud_custom_data: row.get(at + 6)?,
        nick: row.get(at + 7)?,
        avatar: row.get(at + 8)?,
        recalled: flags & flags::RECALLED != 0,
        version: row.get::<i64>(at + 11)? as u32,
        edited_ms: row.get::<i64>(at + 12)? as u64,
        reactions: reactions(row.get(at + 13)?)?,
        need_read_receipt: flags & flags::NEEDS_RECEIPT != 0,
        receipt_ms: row.get::<i64>(at + 14)? as u64,
    }))
}

impl From<r2d2::Error> for StorageError {
    fn from(e: r2d2::Error) -> Self {
        StorageError::Database(e.to_string())
    }
}

/// A friendship's fields as kept in its row: a JSON object of tag → value ('' for none).
pub(super) fn fields_to_text(fields: &std::collections::BTreeMap<String, String>) -> String {
    let object: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|(tag, value)| {
            let value = serde_json::from_str(value).unwrap_or(serde_json::Value::Null);
            (tag.clone(), value)
        })
        .collect();
    serde_json::Value::Object(object).to_string()
}

/// The fields of a row's text (tag → JSON value text); none for '' or text that is not an
/// object.
pub(super) fn fields_from_text(text: &str) -> std::collections::BTreeMap<String, String> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(object)) => object
            .into_iter()
            .map(|(t, v)| (t, v.to_string()))
            .collect(),
        _ => Default::default(),
    }
}
