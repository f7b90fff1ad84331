//! Durable state behind one trait, [`Storage`], so the chat logic does not know which database
//! holds it. Backends: [`memory::MemoryStorage`] (tests, ephemeral runs) and
//! [`sql::SqlStorage`] on SQLite (the default: embedded, WAL, group commit) or PostgreSQL
//! (several nodes on one database). All pass the one conformance suite in `conformance.rs`.
//!
//! The model (see ARCHITECTURE.md): a message is stored once and referenced from both users'
//! sync logs. A sync log is a per-user sequence of entries; its retained tail is the user's
//! offline cache (R5.2, bounded in bytes and age). Messages themselves form the roaming store
//! (R5.3, bounded in age). Each user also has a capped recent-contacts list (R5.1).

mod edit;
pub mod memory;
pub(crate) mod rules;
pub mod sql;

#[cfg(test)]
mod conformance;

use crate::error::ChatError;
use async_trait::async_trait;
use protocol::frame::SyncPage;
use protocol::push::{OfflinePushInfo, Vendor};
use protocol::search::SearchQuery;
use protocol::{
    Conversation, DeviceId, Element, Message, MessageKey, Profile, Relation, RelationEntry,
    Removal, Seq, SyncEntry, UserId,
};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use edit::{ChangeKind, EditChange, MessageEdit};
pub use protocol::frame::ConversationChange;
pub use rules::ConversationState;

/// Storage faults. `UnknownUser` is the caller's; the rest are the server's.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("account {0} does not exist")]
    UnknownUser(UserId),
    #[error("storage is shut down")]
    Closed,
    /// The write queue is full: the disk is not keeping up. Nothing was written.
    #[error("the write queue is full")]
    Overloaded,
    #[error("database error: {0}")]
    Database(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("the recipient has blocked the sender")]
    Blocked,
    #[error("sender and recipient are not friends")]
    NotFriends,
    /// A friend add towards a user whose blacklist holds the one who would be added.
    #[error("the other user has blacklisted this one")]
    BlockedByPeer,
    /// The list already holds as many users as [`MAX_FRIENDS`] or [`MAX_BLOCKED`] allow.
    #[error("the list is full")]
    ListFull,
    #[error("message not found")]
    MessageNotFound,
    #[error("message already recalled")]
    AlreadyRecalled,
    /// An edit made from an older version than the stored one (now `version`).
    #[error("the message was edited since (it is at version {version})")]
    EditConflict { version: u32 },
    /// A reaction change [`protocol::reaction::change`] refused, with its code.
    #[error("{}", .0.description())]
    Reaction(protocol::ErrorCode),
    /// An edit the rules do not allow; the text says which rule.
    #[error("{0}")]
    NotEditable(&'static str),
    /// A read receipt the rules do not allow; the text says which rule.
    #[error("{0}")]
    NoReceipt(&'static str),
    /// An imported message older than the newest stored one.
    #[error("the message is older than the newest stored one ({newest_ms} ms)")]
    OutOfOrder { newest_ms: u64 },
    /// A change of a conversation the user does not have.
    #[error("no such conversation")]
    NoConversation,
    /// A conversation put in a new group when the user has as many as it may.
    #[error("as many conversation groups as allowed")]
    ConversationGroupsFull,
    /// An update of a list entry that is not on the list.
    #[error("not on the list")]
    NotListed,
}

pub type StorageResult<T> = Result<T, StorageError>;

/// A conversation's state after a change, with the sequence of the entry that recorded it.
pub type StateAfter = (Seq, ConversationState);

/// A queued operation's result. The operation is already queued when the future is created, so
/// operations queued by one caller commit in the order they were queued, whenever the futures
/// are awaited.
pub type Pending<T> = Pin<Box<dyn Future<Output = StorageResult<T>> + Send + 'static>>;

/// How long and how much is kept. Defaults are the mission's (R5.1–R5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// Bytes of sync-log entries kept per user (the offline cache); oldest dropped first.
    pub offline_bytes: u64,
    /// Age after which a sync-log entry is dropped.
    pub offline_ttl_ms: u64,
    /// Age after which a message leaves the roaming store.
    pub roaming_ttl_ms: u64,
    /// Recent contacts kept per user; the least recently active is evicted.
    pub contacts_cap: usize,
}

pub const DAY_MS: u64 = 24 * 60 * 60 * 1000;

impl Retention {
    /// What an offline cache over its budget is cut down to: an eighth below the budget, so
    /// that a user who receives steadily is trimmed once every few messages rather than at
    /// each one (on PostgreSQL a trim is two round trips).
    pub fn offline_trim_to(&self) -> u64 {
        self.offline_bytes - self.offline_bytes / 8
    }
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            offline_bytes: 30 * 1024,
            offline_ttl_ms: 7 * DAY_MS,
            roaming_ttl_ms: 7 * DAY_MS,
            contacts_cap: 100,
        }
    }
}

impl Retention {
    pub(crate) fn offline_cutoff(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.offline_ttl_ms)
    }
    pub(crate) fn roaming_cutoff(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.roaming_ttl_ms)
    }
}

/// An account as the server needs it at sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: UserId,
    pub nick: String,
    pub avatar: String,
    /// Newest sequence of the account's sync log (0 when nothing was ever appended).
    pub latest_seq: Seq,
    /// When the account was created.
    pub created_ms: u64,
}

/// The connection that caused a write. It travels to the change feed so that the listener need
/// not push an entry back to the device that already has it from its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Origin(pub u64);

/// One committed sync-log entry, as the change feed carries it.
#[derive(Debug, Clone)]
pub struct Committed {
    /// Whose log the entry is in.
    pub owner: UserId,
    pub entry: Arc<SyncEntry>,
    /// Set on an entry in the log of the user who acted, when a connection acted.
    pub origin: Option<Origin>,
}

/// A message to store, already validated and permitted.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub from: UserId,
    pub to: UserId,
    pub random: u32,
    pub elements: Vec<Element>,
    pub cloud_custom_data: Option<String>,
    /// The sender asks for a read receipt.
    pub need_read_receipt: bool,
    /// When the sender composed it (seconds, never 0 here).
    pub client_time_s: u64,
    /// The caller's clock; the store keeps message times monotonic, so it may use a later one.
    pub now_ms: u64,
    /// The sending connection, if any.
    pub origin: Option<Origin>,
    /// Whether the message goes into the sender's own sync log (Tencent's `SyncOtherMachine`).
    pub sync_sender: bool,
    /// The message does not count as unread for the recipient (`SendMsgControl: NoUnread`).
    pub no_unread: bool,
    /// The message never becomes a conversation's last message (`NoLastMsg`).
    pub no_last_msg: bool,
    /// Relationship facts the store checks atomically with the write. Which ones apply is
    /// decided by the chat service's permission check; the store only enforces them.
    pub checks: SendChecks,
    /// Queue a push to the recipient with the message, in the same transaction: no device of
    /// theirs was online. (A retry of a stored message queues nothing.)
    pub push: Option<PushSettings>,
    /// An imported message (`importmsg`): stored in the second of `now_ms`, or refused with
    /// `OutOfOrder` when that is before the newest stored message's ([`message_time`]).
    pub exact_time: bool,
}

/// The time a new message is stored at: `now_ms`, or the newest stored message's time when the
/// caller's clock is behind it, since message times never decrease with their numbers (history
/// pages and expiry rely on it). An imported message keeps its second (the precision it is
/// given in), or is refused when that is before the newest stored message's.
pub(crate) fn message_time(msg: &NewMessage, newest_ms: u64) -> StorageResult<u64> {
    if msg.exact_time && msg.now_ms / 1000 < newest_ms / 1000 {
        return Err(StorageError::OutOfOrder { newest_ms });
    }
    Ok(msg.now_ms.max(newest_ms))
}

/// What a queued push carries besides its message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PushSettings {
    pub info: Option<OfflinePushInfo>,
}

/// A device's registration with a push service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRegistration {
    pub device: DeviceId,
    pub vendor: Vendor,
    pub token: String,
}

/// Most push registrations a user keeps; registering another drops the oldest.
pub const MAX_PUSH_REGISTRATIONS: usize = 32;

/// The message number a queued notice stands in for: messages are numbered from 1.
pub(crate) const NOTICE_MESSAGE_ID: u64 = 0;

/// A queued push: to `user`, about `message` (`None` when the message has expired since), or
/// a notice: a notification alone, with no message (`settings.info` holds its text).
#[derive(Debug, Clone, PartialEq)]
pub struct PushJob {
    pub id: u64,
    pub user: UserId,
    pub message: Option<Message>,
    pub notice: bool,
    pub settings: PushSettings,
    /// Failed attempts so far.
    pub attempts: u32,
}

/// See [`NewMessage::checks`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendChecks {
    /// Refuse with `Blocked` if the recipient's blacklist holds the sender.
    pub blacklist: bool,
    /// Refuse with `NotFriends` unless each lists the other as a friend.
    pub friends: bool,
}

/// UserSigs of an account refused from a moment on, as an account deletion or a kick by the
/// app's backend leaves them: those issued before `at_ms`, and those the account had signed
/// in with (fingerprints, see `Chat`), which stay refused even when issued in that second.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revocation {
    pub at_ms: u64,
    pub sigs: Vec<u64>,
}

/// A profile change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileUpdate {
    pub nick: Option<String>,
    pub avatar: Option<String>,
}

impl ProfileUpdate {
    /// Applies the change to a stored nickname and avatar; returns the entry that announces
    /// the resulting profile to the user's devices.
    pub(crate) fn apply_to(self, nick: &mut String, avatar: &mut String) -> protocol::SyncEvent {
        if let Some(n) = self.nick {
            *nick = n;
        }
        if let Some(a) = self.avatar {
            *avatar = a;
        }
        protocol::SyncEvent::Profile {
            nick: nick.clone(),
            avatar: avatar.clone(),
        }
    }
}

/// A change to friend lists or blacklists.
#[derive(Debug, Clone)]
pub struct RelationChange {
    pub relation: Relation,
    pub owner: UserId,
    pub peers: Vec<UserId>,
    /// Add (true) or remove (false).
    pub add: bool,
    /// Also change each peer's list towards the owner, of the mirror kind
    /// ([`Relation::mirror`]): mutual friendship, an application on both sides.
    pub both_ways: bool,
    /// Only entries already listed change (their fields); others answer `NotListed`.
    pub existing_only: bool,
    /// Fields (tag, JSON text) kept with the owner's added entries, merged into those kept
    /// before; for applications, also with the peer's (the wording is the applicant's).
    pub fields: Vec<(String, String)>,
    /// Fields kept with each peer's entry of a `both_ways` friendship, merged likewise: the
    /// remark an applicant gave, when its application is accepted both ways.
    pub peer_fields: Vec<(String, String)>,
    pub now_ms: u64,
    pub origin: Option<Origin>,
}

impl RelationChange {
    /// The (list kind, owner, peer) entries this change touches for `peer`.
    pub(crate) fn pairs(&self, peer: &UserId) -> Vec<(Relation, UserId, UserId)> {
        let mut pairs = vec![(self.relation, self.owner.clone(), peer.clone())];
        if self.both_ways {
            pairs.push((self.relation.mirror(), peer.clone(), self.owner.clone()));
        }
        pairs
    }

    /// The fields kept with `owner`'s entry of kind `relation`: the owner's own; on the
    /// peer's side of an application the applicant's wording and source (not the remark the
    /// applicant gives the peer, which is the applicant's alone); on the peer's side of a
    /// friendship, `peer_fields`.
    pub(crate) fn fields_for(&self, relation: Relation, owner: &UserId) -> Vec<(String, String)> {
        if owner == &self.owner {
            self.fields.clone()
        } else if relation.is_application() {
            (self.fields.iter())
                .filter(|(tag, _)| tag != protocol::RelationFields::REMARK_TAG)
                .cloned()
                .collect()
        } else {
            self.peer_fields.clone()
        }
    }
}

/// Which messages of a conversation a history read wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Only messages older than this one.
    pub before: Option<MessageKey>,
    /// Only messages newer than this one.
    pub after: Option<MessageKey>,
    pub limit: u32,
    /// Only messages sent in this window, milliseconds since the Unix epoch, inclusive.
    pub min_time_ms: u64,
    pub max_time_ms: u64,
    /// The page is the oldest `limit` messages of the range, oldest first; else the newest,
    /// newest first.
    pub oldest_first: bool,
}

impl HistoryQuery {
    /// The newest `limit` messages before `before`, at any time.
    pub fn page(before: Option<MessageKey>, limit: u32) -> Self {
        Self {
            before,
            after: None,
            limit,
            min_time_ms: 0,
            max_time_ms: u64::MAX,
            oldest_first: false,
        }
    }

    /// The `limit` messages nearest to `time_ms` on one side (Tencent's
    /// `getMessageListHopping`): sent at or before it, newest first, or with `newer` at or
    /// after it, oldest first; past `from` (a message of the page before) when given.
    pub fn at(time_ms: u64, newer: bool, from: Option<MessageKey>, limit: u32) -> Self {
        match newer {
            false => Self {
                max_time_ms: time_ms,
                ..Self::page(from, limit)
            },
            true => Self {
                after: from,
                min_time_ms: time_ms,
                oldest_first: true,
                ..Self::page(None, limit)
            },
        }
    }
}

/// The result of storing a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub message: Message,
    /// The message's sequence in the sender's sync log.
    pub sender_seq: Seq,
    /// True when this was a retry of an already stored message: nothing new was stored or
    /// published.
    pub duplicate: bool,
}

/// One page of history, in the order its query reads.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub messages: Vec<Message>,
    /// True when nothing further in that order is left in the roaming store.
    pub complete: bool,
}

/// What an expiry pass removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Expired {
    pub messages: u64,
    pub sync_entries: u64,
}

/// The store's size before and after [`Storage::vacuum`], in bytes (0 when it keeps no file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Vacuumed {
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// Receives every sync-log entry once it is durable, in commit order. This is the server's
/// change feed: the hub pushes these to connected devices.
pub trait CommitListener: Send + Sync + 'static {
    /// Called after each commit with the entries it appended. Must not block.
    fn committed(&self, entries: &[Committed]);
}

/// The profile field with the time a user last read its friend applications (JSON number,
/// ms): those it received until then are read.
pub const APPLICATIONS_READ_TAG: &str = "Duet_ApplicationsRead";

/// A listener that drops everything, for storage used without connected clients.
#[derive(Debug, Default)]
pub struct NoListener;

impl CommitListener for NoListener {
    fn committed(&self, _: &[Committed]) {}
}

/// The server's durable state. Every method is safe to call concurrently.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Returns the account, creating it (empty profile) if it does not exist yet.
    async fn ensure_user(&self, user: &UserId, now_ms: u64) -> StorageResult<Account>;

    /// Queues a message. It is durable, appended to both users' sync logs and published to the
    /// [`CommitListener`] before the returned future resolves. A message with the same sender,
    /// recipient, random and content as a stored one is a retry: the stored one is returned
    /// with `duplicate: true`. Fails with `UnknownUser` if the recipient does not exist.
    fn send(&self, msg: NewMessage) -> Pending<Sent>;

    /// Clears `owner`'s unread count with `peer`. When that moves the read position, appends a
    /// read entry to `owner`'s sync log (so `owner`'s other devices learn of it) and, unless
    /// `peer` has blacklisted `owner`, a peer-read entry to `peer`'s (a read receipt). Returns
    /// the read entry's sequence, or 0 when nothing changed and nothing was written.
    fn mark_read(
        &self,
        owner: &UserId,
        peer: &UserId,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Seq>;

    /// Deletes the messages `keys` of the conversation between `owner` and `peer` from
    /// `owner`'s history, conversation and unread count (the peer keeps them), and appends a
    /// `Deleted` entry to `owner`'s sync log; returns its sequence. Fails with
    /// `MessageNotFound`, deleting nothing, when a key is not a message between the two.
    fn delete_messages(
        &self,
        owner: &UserId,
        peer: &UserId,
        keys: Vec<MessageKey>,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Seq>;

    /// Takes `removal` out of `owner`'s conversation with `peer` (the peer's list, history and
    /// read receipts are untouched). A deleted conversation leaves the list, and its messages
    /// so far count neither as its last message nor as unread, until a newer message comes. A
    /// cleared one stays listed as it was (or unlisted, if it was deleted and nothing came
    /// since). When the history goes, those messages also leave `owner`'s history. Appends the
    /// entry [`Removal::event`] makes to `owner`'s log; returns its sequence.
    fn delete_conversation(
        &self,
        owner: &UserId,
        peer: &UserId,
        removal: Removal,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Seq>;

    /// Changes `owner`'s state of its conversation with `peer` as `change` says,
    /// and appends a `ConversationState` entry with the whole state to `owner`'s log. Returns
    /// the entry's sequence and the state. Fails with `NoConversation` when `owner` has no
    /// conversation with `peer`.
    fn set_conversation(
        &self,
        owner: &UserId,
        peer: &UserId,
        change: ConversationChange,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<StateAfter>;

    /// Reads up to `limit` entries of `user`'s sync log after `after`.
    async fn sync(
        &self,
        user: &UserId,
        after: Seq,
        limit: u32,
        now_ms: u64,
    ) -> StorageResult<SyncPage>;

    /// Reads `owner`'s recent contacts, most recently active first.
    async fn conversations(&self, owner: &UserId, now_ms: u64) -> StorageResult<Vec<Conversation>>;

    /// Reads messages between `owner` and `peer` as `query` says.
    async fn history(
        &self,
        owner: &UserId,
        peer: &UserId,
        query: HistoryQuery,
        now_ms: u64,
    ) -> StorageResult<HistoryPage>;

    /// Up to `limit` of the messages in `owner`'s history (not deleted from it, in the roaming
    /// store) that `query` finds ([`SearchQuery::matches`]), numbered below `before` (0: any),
    /// newest first; and the `before` of the next page, 0 when there is none.
    async fn search(
        &self,
        owner: &UserId,
        query: &SearchQuery,
        before: u64,
        limit: u32,
        now_ms: u64,
    ) -> StorageResult<(Vec<Message>, u64)>;

    /// Reads up to `limit` messages of the whole app sent in `min_ms..=max_ms` with ids above
    /// `after_id`, oldest first: one page of a bulk export.
    async fn export(
        &self,
        min_ms: u64,
        max_ms: u64,
        after_id: u64,
        limit: u32,
        now_ms: u64,
    ) -> StorageResult<Vec<Message>>;

    /// Recalls the message `key` between `from` and `to`: its elements are cleared, it stays in
    /// history marked recalled, and both users' logs get a `Recalled` entry. Fails with
    /// `MessageNotFound` (no such message between them, or expired) or `AlreadyRecalled`.
    fn recall(&self, key: MessageKey, from: &UserId, to: &UserId, now_ms: u64) -> Pending<Message>;

    /// Edits a stored message as [`MessageEdit`] says, and appends an `Edited` entry to both
    /// users' logs. Fails with `MessageNotFound` (no such message between them, or expired),
    /// `AlreadyRecalled`, `EditConflict` or `NotEditable`.
    fn edit(&self, edit: MessageEdit) -> Pending<Message>;

    /// Changes a profile (creating the account first when `create`), and appends a `Profile`
    /// entry to the user's log when anything was set. Fails with `UnknownUser` otherwise.
    fn upsert_profile(
        &self,
        user: &UserId,
        update: ProfileUpdate,
        create: bool,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> Pending<Account>;

    /// The nicknames and avatars of those of `users` that exist, in request order (the other
    /// fields are [`Storage::profile_tags`]).
    async fn profiles(&self, users: &[UserId]) -> StorageResult<Vec<Profile>>;

    /// Up to `limit` accounts in ID order, from `from` on (the administrator's listing, a page
    /// at a time).
    async fn accounts(&self, from: Option<&UserId>, limit: u32) -> StorageResult<Vec<Account>>;

    /// Deletes an account with its sync log (the offline cache), conversations and relations,
    /// and records the deletion ([`Revocation`]) so that UserSigs issued before it no longer
    /// sign in. Messages it sent or received stay in the other users' history, but an account of
    /// the same name created later never sees them, and continues the deleted one's sequence
    /// numbers so no device's cursor is ahead of it. Returns whether it existed.
    async fn delete_user(&self, user: &UserId, deletion: Revocation) -> StorageResult<bool>;

    /// The last deletion of an account of this name, if there was one.
    async fn deletion(&self, user: &UserId) -> StorageResult<Option<Revocation>>;

    /// Sets profile fields besides the nickname and avatar, by tag, each value JSON text. The
    /// account must exist.
    async fn set_profile_tags(
        &self,
        user: &UserId,
        tags: Vec<(String, String)>,
    ) -> StorageResult<()>;

    /// Marks every friend application to `owner` so far read (Tencent's
    /// `setFriendApplicationRead`): keeps the time as profile field [`APPLICATIONS_READ_TAG`]
    /// and logs an `applications_read` entry for `owner`'s devices (but `origin`); answers its
    /// sequence.
    async fn mark_applications_read(
        &self,
        owner: &UserId,
        now_ms: u64,
        origin: Option<Origin>,
    ) -> StorageResult<Seq>;

    /// The profile fields set for `users`, as (user, tag, JSON value).
    async fn profile_tags(&self, users: &[UserId]) -> StorageResult<Vec<(UserId, String, String)>>;

    /// Sets fields of `owner`'s friendship with `peer` (remark, groups…), by tag, each value
    /// JSON text, kept beside those set before. They leave with the friendship. Whether
    /// `owner` lists `peer` as a friend (nothing is set when not). Setting the groups
    /// (`Tag_SNS_IM_Group`) logs a `friend_groups` entry for `owner`'s devices.
    async fn set_friend_fields(
        &self,
        owner: &UserId,
        peer: &UserId,
        fields: Vec<(String, String)>,
        now_ms: u64,
    ) -> StorageResult<bool>;

    /// The fields of `owner`'s friendships that have any, by peer.
    async fn friend_fields(
        &self,
        owner: &UserId,
    ) -> StorageResult<Vec<(UserId, BTreeMap<String, String>)>>;

    /// `owner`'s friend groups, by name.
    async fn friend_groups(&self, owner: &UserId) -> StorageResult<Vec<String>>;

    /// Adds and removes `owner`'s friend groups (names checked by the caller). A removed group
    /// also leaves every friendship's `Tag_SNS_IM_Group` field. A change logs a
    /// `friend_groups` entry for `owner`'s devices.
    async fn change_friend_groups(
        &self,
        owner: &UserId,
        add: Vec<String>,
        remove: Vec<String>,
        now_ms: u64,
    ) -> StorageResult<()>;

    /// Renames `owner`'s friend group `old` to `new` (names checked by the caller: `old`
    /// exists, `new` does not), its friends staying in it, and logs a `friend_groups` entry
    /// for `owner`'s devices.
    async fn rename_friend_group(
        &self,
        owner: &UserId,
        old: &str,
        new: &str,
        now_ms: u64,
    ) -> StorageResult<()>;

    /// Records that the app's backend kicked `user` out: its UserSigs so far no longer sign in
    /// (replacing an earlier kick's record).
    async fn revoke_sigs(&self, user: &UserId, kick: Revocation) -> StorageResult<()>;

    /// The last kick of `user`, if there was one.
    async fn kick(&self, user: &UserId) -> StorageResult<Option<Revocation>>;

    /// Adds or removes relations; one result per peer, in order (`UnknownUser` for a peer that
    /// does not exist). Each changed list's owner gets a `Relations` entry.
    fn change_relations(&self, change: RelationChange) -> Pending<Vec<StorageResult<()>>>;

    /// `owner`'s friend list or blacklist, oldest first.
    async fn relations(
        &self,
        relation: Relation,
        owner: &UserId,
    ) -> StorageResult<Vec<RelationEntry>>;

    /// For each peer: (does `owner` list it, does it list `owner`).
    async fn check_relations(
        &self,
        relation: Relation,
        owner: &UserId,
        peers: &[UserId],
    ) -> StorageResult<Vec<(bool, bool)>>;

    /// Registers `user`'s device with a push service, replacing that device's registration
    /// there; past [`MAX_PUSH_REGISTRATIONS`] the oldest goes. Fails with `UnknownUser`.
    async fn push_register(
        &self,
        user: &UserId,
        registration: PushRegistration,
        now_ms: u64,
    ) -> StorageResult<()>;

    /// Removes `device`'s registration with `vendor`, or all of the device's when `None`;
    /// returns whether there was any.
    async fn push_unregister(
        &self,
        user: &UserId,
        device: &DeviceId,
        vendor: Option<Vendor>,
    ) -> StorageResult<bool>;

    /// `user`'s push registrations, oldest first.
    async fn push_registrations(&self, user: &UserId) -> StorageResult<Vec<PushRegistration>>;

    /// Up to `limit` queued pushes due at `now_ms`, oldest first.
    async fn push_due(&self, now_ms: u64, limit: u32) -> StorageResult<Vec<PushJob>>;

    /// Queues a notice to each of `users`, due at `now_ms`: a notification with `info`'s
    /// title and text and no message behind it (a push to every account without `MsgBody`).
    async fn push_notices(
        &self,
        users: Vec<UserId>,
        info: OfflinePushInfo,
        now_ms: u64,
    ) -> StorageResult<()>;

    /// Removes the pushes `done`, and puts each of `retry` off until its time with one more
    /// failed attempt counted.
    async fn push_settle(&self, done: Vec<u64>, retry: Vec<(u64, u64)>) -> StorageResult<()>;

    /// A stored app setting.
    async fn setting(&self, key: &str) -> StorageResult<Option<String>>;

    /// Changes one stored value by `change`, with no other write between its read and its
    /// write, from this node or any other: read-modify-write that loses nothing. `Ok(Err(_))`
    /// is `change`'s refusal; nothing is written then.
    async fn update(&self, slot: Slot, change: Change) -> StorageResult<Result<(), ChatError>>;

    async fn set_setting(&self, key: &str, value: &str) -> StorageResult<()>;

    /// Deletes what has outlived its retention at `now_ms`. Reads never return expired data
    /// even before this runs; this reclaims the space.
    async fn expire(&self, now_ms: u64) -> StorageResult<Expired>;

    /// Gives the space that deleted data left back to the file system. Writes wait while it
    /// runs, so it is the administrator's to ask for, never automatic.
    async fn vacuum(&self) -> StorageResult<Vacuumed>;

    /// Whether this node is the one to run `task` now. A store that only one node opens
    /// answers yes; a shared database answers yes to one node at a time, until that node stops.
    async fn lead(&self, _task: Lease) -> StorageResult<bool> {
        Ok(true)
    }

    /// Finishes every queued write and refuses new ones.
    async fn close(&self);
}

/// A stored value that [`Storage::update`] changes in place.
#[derive(Debug, Clone)]
pub enum Slot {
    /// An app setting, by key.
    Setting(String),
    /// A profile field of an account, which must exist ([`StorageError::UnknownUser`]).
    ProfileField(UserId, String),
}

/// What [`Storage::update`] does with a value: given it as stored (`None` when unset), the
/// value to store, or why it stays as it is.
pub type Change = Box<dyn FnOnce(Option<&str>) -> Result<String, ChatError> + Send>;

/// Background work that one node at a time runs on a shared database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lease {
    /// Deleting what outlived its retention, and old media.
    Expiry,
    /// Sending queued offline pushes.
    Push,
}

/// Message flag bits, as stored.
pub(crate) mod flags {
    pub const RECALLED: i64 = 1;
    pub const NO_UNREAD: i64 = 2;
    pub const NO_LAST_MSG: i64 = 4;
    /// The sender asked for a read receipt.
    pub const NEEDS_RECEIPT: i64 = 8;
}

/// An entry a relation change actually added, updated or removed: `(kind, owner, peer)` and,
/// when added or updated, everything the entry now carries.
pub(crate) type ChangedEntry = (Relation, UserId, UserId, protocol::RelationFields);

/// The `Relations` entries a relation change appends: one per list that changed and per set of
/// fields its changed entries now carry (so an update that cleared a remark says so), in the
/// order the lists first changed. Only the acting owner's entry carries the origin.
pub(crate) fn relation_events(
    change: &RelationChange,
    changed: &[ChangedEntry],
) -> Vec<(UserId, protocol::SyncEvent, Option<Origin>)> {
    let mut groups: Vec<(Relation, &UserId, &protocol::RelationFields, Vec<UserId>)> = Vec::new();
    for (relation, a, b, fields) in changed {
        match groups
            .iter_mut()
            .find(|(r, o, f, _)| r == relation && *o == a && *f == fields)
        {
            Some(group) => group.3.push(b.clone()),
            None => groups.push((*relation, a, fields, vec![b.clone()])),
        }
    }
    groups
        .into_iter()
        .map(|(relation, a, fields, users)| {
            let (added, removed, fields) = match change.add {
                true => (users, Vec::new(), fields.clone()),
                false => (Vec::new(), users, protocol::RelationFields::default()),
            };
            let origin = if *a == change.owner {
                change.origin
            } else {
                None
            };
            (
                a.clone(),
                protocol::SyncEvent::Relations {
                    relation,
                    added,
                    removed,
                    fields,
                },
                origin,
            )
        })
        .collect()
}

/// Most users on one friend list, as in Tencent IM.
pub const MAX_FRIENDS: usize = 3000;
/// Most users on one blacklist, as in Tencent IM.
pub const MAX_BLOCKED: usize = 1000;
/// Most friend applications one user has waiting, sent or received.
pub const MAX_APPLICATIONS: usize = 1000;

/// How many users a list of `relation` may hold.
pub(crate) fn relation_cap(relation: Relation) -> usize {
    match relation {
        Relation::Friend => MAX_FRIENDS,
        Relation::Blacklist | Relation::Muted => MAX_BLOCKED,
        Relation::ApplicationSent | Relation::ApplicationReceived => MAX_APPLICATIONS,
    }
}

/// Why adding `b` to `a`'s list of `relation` is refused, given whether `b` blacklists `a` and
/// how long `a`'s list is. A blocked user can make no friend relation with the blocker, in
/// either direction; blocking back is always allowed, since it only restricts.
pub(crate) fn add_refusal(
    relation: Relation,
    b_blocks_a: bool,
    a_list_len: usize,
) -> Option<StorageError> {
    if (relation == Relation::Friend || relation.is_application()) && b_blocks_a {
        return Some(StorageError::BlockedByPeer);
    }
    (a_list_len >= relation_cap(relation)).then_some(StorageError::ListFull)
}

/// The stored number of a relation.
pub(crate) fn relation_code(r: Relation) -> i64 {
    match r {
        Relation::Friend => 1,
        Relation::Blacklist => 2,
        Relation::Muted => 3,
        Relation::ApplicationSent => 4,
        Relation::ApplicationReceived => 5,
    }
}

/// The key of a conversation between two users, the same from both sides.
pub(crate) fn conv_key(a: &UserId, b: &UserId) -> String {
    // '|' cannot appear in a user id, so the pair is unambiguous.
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("{lo}|{hi}")
}

/// An event entry as stored, and the offline-cache bytes it is charged: its JSON plus a fixed
/// overhead for the row. Read marks are charged nothing: the offline cache is a budget for
/// messages, and read marks are written only when a conversation's read position moves, so
/// there are never more of them than messages.
pub(crate) fn event_bytes(event: &protocol::SyncEvent) -> (String, u64) {
    let json = serde_json::to_string(event).expect("sync events serialize");
    let size = match event {
        protocol::SyncEvent::Read { .. } | protocol::SyncEvent::PeerRead { .. } => 0,
        _ => 32 + json.len() as u64,
    };
    (json, size)
}

/// Offline-cache bytes charged for a message: its serialized body and custom data.
pub(crate) fn message_bytes(body_json: &str, cloud_custom_data: Option<&str>) -> u64 {
    (body_json.len() + cloud_custom_data.map_or(0, str::len)) as u64
}

/// The key clients see for stored message `id`.
pub(crate) fn message_key(id: u64, random: u32, time_ms: u64) -> MessageKey {
    MessageKey {
        id,
        random,
        time_s: time_ms / 1000,
    }
}

/// Where a sync read ends, given the retained entries after the cursor that it scanned.
///
/// `scanned` is how many retained entries the read looked at (at most `limit`), `last` the
/// sequence of the last of them.
pub(crate) fn sync_bounds(
    after: Seq,
    latest: Seq,
    first_retained: Seq,
    scanned: usize,
    limit: u32,
    last: Option<Seq>,
) -> (Seq, bool, bool) {
    let gap = after < latest && after.0 + 1 < first_retained.0;
    match last {
        Some(last) if scanned >= limit as usize && last < latest => (last, false, gap),
        _ => (latest, true, gap),
    }
}

/// Takes `groups` out of a friendship's `Tag_SNS_IM_Group` field; whether it changed.
pub(crate) fn leave_groups(
    fields: &mut std::collections::BTreeMap<String, String>,
    groups: &[String],
) -> bool {
    edit_groups(fields, |names| names.retain(|n| !groups.contains(n)))
}

/// Renames group `old` to `new` in a friendship's `Tag_SNS_IM_Group` field; whether it named
/// `old`.
pub(crate) fn rename_group(
    fields: &mut std::collections::BTreeMap<String, String>,
    old: &str,
    new: &str,
) -> bool {
    edit_groups(fields, |names| {
        names
            .iter_mut()
            .filter(|n| *n == old)
            .for_each(|n| *n = new.to_owned());
        names.sort();
        names.dedup();
    })
}

/// Edits the group names of a friendship's `Tag_SNS_IM_Group` field; whether they changed.
fn edit_groups(
    fields: &mut std::collections::BTreeMap<String, String>,
    edit: impl FnOnce(&mut Vec<String>),
) -> bool {
    let Some(text) = fields.get_mut(crate::chat::friend_fields::GROUP) else {
        return false;
    };
    let Ok(mut names) = serde_json::from_str::<Vec<String>>(text) else {
        return false;
    };
    let before = names.clone();
    edit(&mut names);
    if names == before {
        return false;
    }
    *text = serde_json::Value::from(names).to_string();
    true
}
