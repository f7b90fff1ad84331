//! The SDK's local store. One [`Cache`] holds one user's data of one app, so two users signed in
//! on one browser never see each other's messages.
//!
//! Messages are kept per conversation in server order (their key's number), which is also
//! time order; unsent messages wait in the outbox, keyed by their random, so a message composed
//! offline is sent once, with the same random, when the connection returns (R2.3).

pub mod memory;

#[cfg(target_arch = "wasm32")]
pub mod indexeddb;

#[cfg(test)]
pub(crate) mod conformance;

use async_trait::async_trait;
use protocol::push::OfflinePushInfo;
use protocol::{
    Conversation, Element, Message, MessageKey, Profile, Relation, RelationEntry, Seq, UserId,
};
use serde::Serialize;

/// A cache fault: the browser's storage refused, or returned something unreadable. Boxed, as
/// [`crate::error::SdkError`] is, so that cache results stay one word wider than their values
/// at most.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("local storage failed: {0}")]
#[expect(
    clippy::box_collection,
    reason = "one word wide, where a String is three"
)]
pub struct CacheError(Box<String>);

impl CacheError {
    pub fn new(reason: String) -> Self {
        Self(Box::new(reason))
    }

    /// What the storage said.
    pub fn reason(&self) -> &str {
        &self.0
    }
}

pub type CacheResult<T> = Result<T, CacheError>;

/// Which app and user a cache belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub sdk_app_id: u64,
    pub user: UserId,
}

impl Namespace {
    /// The name of this namespace's database.
    pub fn database_name(&self) -> String {
        format!("duet-{}-{}", self.sdk_app_id, self.user)
    }
}

/// A message waiting to be sent (or to be acknowledged).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxItem {
    pub to: UserId,
    /// The idempotency key, kept for every retry.
    pub random: u32,
    pub elements: Vec<Element>,
    pub cloud_custom_data: Option<String>,
    /// When it was composed, milliseconds since the Unix epoch (local clock).
    pub created_ms: u64,
    /// How to notify a recipient with no device online.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline_push_info: Option<OfflinePushInfo>,
    /// Asks the recipient for a read receipt.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub need_read_receipt: bool,
}

protocol::read_fields!(OutboxItem {
    to: "to",
    random: "random",
    elements: "elements",
    cloud_custom_data: "cloud_custom_data" default,
    created_ms: "created_ms",
    offline_push_info: "offline_push_info" default,
    need_read_receipt: "need_read_receipt" default,
});

impl OutboxItem {
    /// How the message looks before the server has it: key number 0 (not yet assigned), the
    /// local composing time, and no sender profile.
    pub fn preview(&self, from: &UserId) -> Message {
        Message {
            key: MessageKey {
                id: 0,
                random: self.random,
                time_s: self.created_ms / 1000,
            },
            from: from.clone(),
            to: self.to.clone(),
            time_ms: self.created_ms,
            client_time_s: self.created_ms / 1000,
            random: self.random,
            elements: self.elements.clone(),
            cloud_custom_data: self.cloud_custom_data.clone(),
            nick: String::new(),
            avatar: String::new(),
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: self.need_read_receipt,
            receipt_ms: 0,
        }
    }
}

/// The local store. Writes of one call are atomic: after a failure nothing of it is visible.
#[async_trait(?Send)]
pub trait Cache {
    /// The last sync-log sequence applied (0 for a new cache).
    async fn cursor(&self) -> CacheResult<Seq>;
    /// Raises the stored cursor to `seq`; a lower value is ignored, so tabs sharing the cache
    /// never move it back.
    async fn set_cursor(&self, seq: Seq) -> CacheResult<()>;

    /// The creation time of the account whose data this is (0 for a new cache).
    async fn account(&self) -> CacheResult<u64>;
    /// Forgets everything (messages, conversations, outbox, profiles, lists, deletions, the
    /// cursor) and marks the cache as `account`'s: the account it held was deleted.
    async fn reset(&self, account: u64) -> CacheResult<()>;

    /// Stores messages, replacing any with the same key (a recall replaces the content);
    /// messages deleted on this device stay deleted. `me` tells which side is the peer.
    async fn put_messages(&self, me: &UserId, messages: &[Message]) -> CacheResult<()>;
    /// Up to `count` messages of the conversation with `peer` older than `before` (from the
    /// newest when absent), newest first.
    async fn messages(
        &self,
        peer: &UserId,
        before: Option<MessageKey>,
        count: u32,
    ) -> CacheResult<Vec<Message>>;
    /// Calls `visit` with every cached message, of the conversation with `peer` only when
    /// given, in no promised order: what a local search reads. `me` tells which side of a
    /// message is the peer. With `needles` (`SearchQuery::needles`), a store that keeps
    /// messages as JSON may skip, undecoded, those whose JSON in lower case holds not all (or
    /// not any) of them.
    async fn scan_messages(
        &self,
        me: &UserId,
        peer: Option<&UserId>,
        needles: Option<&(Vec<String>, bool)>,
        visit: &mut dyn FnMut(Message),
    ) -> CacheResult<()>;
    /// Removes one message from this device's store only, for good: it is not stored again
    /// when history or sync brings it back.
    async fn delete_message(&self, peer: &UserId, key: MessageKey) -> CacheResult<()>;
    /// Removes every cached message (after the server reported a gap, so that the cache never
    /// holds a hole; older pages come back from history when asked for).
    async fn clear_messages(&self) -> CacheResult<()>;

    /// Replaces the conversation list.
    async fn set_conversations(&self, list: &[Conversation]) -> CacheResult<()>;
    /// Adds or replaces conversations by peer.
    async fn put_conversations(&self, list: &[Conversation]) -> CacheResult<()>;
    /// All conversations, most recently active first.
    async fn conversations(&self) -> CacheResult<Vec<Conversation>>;

    async fn outbox_put(&self, item: &OutboxItem) -> CacheResult<()>;
    async fn outbox_remove(&self, to: &UserId, random: u32) -> CacheResult<()>;
    /// Unsent messages, oldest first.
    async fn outbox(&self) -> CacheResult<Vec<OutboxItem>>;

    async fn put_profiles(&self, profiles: &[Profile]) -> CacheResult<()>;
    async fn profile(&self, user: &UserId) -> CacheResult<Option<Profile>>;

    /// Replaces the friend list or blacklist.
    async fn set_relations(&self, relation: Relation, entries: &[RelationEntry])
    -> CacheResult<()>;
    async fn relations(&self, relation: Relation) -> CacheResult<Vec<RelationEntry>>;
}

/// In [`Conversation::list_order`].
pub(crate) fn sort_conversations(list: &mut [Conversation]) {
    list.sort_unstable_by(Conversation::list_order);
}

pub(crate) fn relation_name(r: Relation) -> &'static str {
    match r {
        Relation::Friend => "friend",
        Relation::Blacklist => "blacklist",
        Relation::Muted => "muted",
        Relation::ApplicationSent => "application_sent",
        Relation::ApplicationReceived => "application_received",
    }
}

#[cfg(test)]
mod tests {
    use super::OutboxItem;
    use protocol::element::{Element, TextElem};
    use protocol::ids::UserId;
    use protocol::push::OfflinePushInfo;

    /// Every field set, so that a name read differently from how it is written fails here.
    #[test]
    fn an_outbox_item_reads_back_as_stored() {
        let item = OutboxItem {
            to: UserId::parse("bob").unwrap(),
            random: 7,
            elements: vec![Element::Text(TextElem { text: "hi".into() })],
            cloud_custom_data: Some("c".into()),
            created_ms: 1_800_000_000_000,
            offline_push_info: Some(OfflinePushInfo {
                title: "T".into(),
                ..OfflinePushInfo::default()
            }),
            need_read_receipt: true,
        };
        let stored = crate::json::to_string(&item).unwrap();
        assert_eq!(crate::json::from_str::<OutboxItem>(&stored).unwrap(), item);
        let older = r#"{"to":"bob","random":7,"elements":[],"created_ms":1}"#;
        let read: OutboxItem = crate::json::from_str(older).unwrap();
        assert_eq!(
            (
                read.cloud_custom_data,
                read.offline_push_info,
                read.need_read_receipt
            ),
            (None, None, false)
        );
    }
}
