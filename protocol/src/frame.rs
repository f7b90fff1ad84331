//! WebSocket frames at `/ws`: JSON text frames, one object each.
//!
//! A client sends [`ClientFrame`]s; each carries an `id` that the server echoes in the
//! [`ServerFrame::Reply`] or [`ServerFrame::Error`] answering it. The server also sends pushes
//! ([`ServerFrame::Sync`], [`ServerFrame::Kicked`]) that answer nothing. `docs/protocol.md` gives
//! the sync algorithm built on these.

use crate::element::Element;
use crate::error::ErrorCode;
use crate::ids::{DeviceId, MessageKey, Seq, UserId};
use crate::message::{
    Conversation, Message, Profile, ProfileDetails, Relation, RelationEntry, RelationFields,
    Removal, SyncEntry,
};
use crate::presence::UserStatus;
use crate::push::{OfflinePushInfo, ReceiveOpt, Vendor};
use crate::search::SearchQuery;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A request from a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientFrame {
    /// Chosen by the client; echoed by the answer.
    pub id: u64,
    #[serde(flatten)]
    pub request: Request,
}

/// Largest page a client may ask for in [`Request::Sync`] and [`Request::History`].
pub const MAX_PAGE: u32 = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Signs in. Must be the first request on a connection.
    Login {
        /// Must equal [`crate::PROTOCOL_VERSION`].
        protocol: u32,
        sdk_app_id: u64,
        user_id: UserId,
        user_sig: String,
        device: DeviceId,
    },
    /// Sends a one-to-one message. `random` is the idempotency key (R2.3): resending the same
    /// body with the same random to the same peer returns the first send's result and stores
    /// and delivers nothing new.
    Send {
        to: UserId,
        random: u32,
        elements: Vec<Element>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cloud_custom_data: Option<String>,
        /// When it was composed, by the sender's clock (seconds); see [`Message::client_time_s`].
        /// Kept as given, up to 2^53 − 1; 0: the server's time is used.
        #[serde(default, skip_serializing_if = "crate::is_zero")]
        client_time_s: u64,
        /// Online only (Tencent's `onlineUserOnly`): delivered to the devices online now and
        /// not stored, pushed or counted unread. It reaches them as a `sync` push with `seq` 0.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        online_only: bool,
        /// How to notify the recipient when no device of theirs is online.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offline_push_info: Option<Box<OfflinePushInfo>>,
        /// Asks the recipient for a read receipt ([`Message::need_read_receipt`]); an online-only
        /// message, stored nowhere, asks for none.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        need_read_receipt: bool,
    },
    /// Reads the caller's sync log after `after` (the client's cursor), up to `limit` entries.
    Sync { after: Seq, limit: u32 },
    /// Reads the caller's recent contacts, most recent first.
    Conversations,
    /// Reads one conversation's roaming history, newest first, strictly before `before`
    /// (or from the newest message when absent).
    History {
        peer: UserId,
        before: Option<MessageKey>,
        limit: u32,
    },
    /// Reads one conversation's roaming history next to a time (Tencent's
    /// `getMessageListHopping`): the messages sent at or before `time_ms`, newest first, or
    /// with `newer` at or after it, oldest first; past `from` (the last message of the page
    /// before) when given. Answered with [`Reply::History`], whose `complete` then says nothing
    /// further is left that way.
    HistoryAt {
        peer: UserId,
        time_ms: u64,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        newer: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<MessageKey>,
        limit: u32,
    },
    /// Marks the conversation with `peer` read; the caller's other devices are told.
    MarkRead { peer: UserId },
    /// Recalls a message the caller sent to `peer`, within the server's recall window. Both
    /// users' devices get a `recalled` entry.
    Recall { peer: UserId, key: MessageKey },
    /// Edits a message between the caller and `peer` (Tencent's `modifyMessage`): `elements`
    /// replace its content (the sender only; text, face, location and custom elements only)
    /// and `cloud_custom_data` replaces its custom data (either user; empty clears it). At
    /// least one of them is given. `version` is the message's version the edit was made from;
    /// when it was edited since, nothing changes and the answer is `EDIT_CONFLICT` (2480).
    /// Both users' devices get an `edited` entry.
    Edit {
        peer: UserId,
        key: MessageKey,
        #[serde(default)]
        version: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        elements: Option<Vec<Element>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cloud_custom_data: Option<String>,
    },
    /// Adds (`add`) or removes the caller's reaction `reaction` on a message between the
    /// caller and `peer` (Tencent's `addMessageReaction` and `removeMessageReaction`). Both
    /// users' devices get a `reacted` entry. Refused when the peer has blacklisted the caller
    /// (20007), and with 23005, 23007 or 23008 as [`crate::reaction::change`] says.
    React {
        peer: UserId,
        key: MessageKey,
        reaction: String,
        add: bool,
    },
    /// The caller read these messages `peer` sent it, each of which asked for a read receipt
    /// (Tencent's `sendMessageReadReceipt`): each gets its `receipt_ms`, and both users'
    /// devices a `read_receipt` entry. 1 to [`MAX_READ_RECEIPTS`] keys; a message already
    /// receipted, or recalled, is left as it is. Answered with [`Reply::ReceiptsSent`].
    ReadReceipt { peer: UserId, keys: Vec<MessageKey> },
    /// Searches the caller's roaming history (Tencent's `searchCloudMessages`): the messages
    /// `query` finds, newest first, numbered below `before` (0: from the newest), at most
    /// `limit` ([`crate::search::MAX_SEARCH_PAGE`]). Answered with [`Reply::SearchResults`].
    Search {
        query: SearchQuery,
        #[serde(default, skip_serializing_if = "crate::is_zero")]
        before: u64,
        limit: u32,
    },
    /// Reads the presence of `users` as the caller may see it (Tencent's `getUserStatus`).
    StatusGet { users: Vec<UserId> },
    /// Follows (`subscribe`) or stops following the presence of `users` on this connection
    /// (Tencent's `subscribeUserStatus`): each change reaches it as a `status` push. At most
    /// [`crate::presence::MAX_STATUS_SUBSCRIPTIONS`] users at a time. Answered with their
    /// presence now (none when unsubscribing).
    StatusSubscribe { users: Vec<UserId>, subscribe: bool },
    /// Hides the caller's presence from everyone (`hidden`), or shows it again.
    StatusHide { hidden: bool },
    /// Sets the caller's custom status (Tencent's `setSelfStatus`; empty clears it), at most
    /// [`crate::presence::MAX_CUSTOM_STATUS_BYTES`]. Answered with the caller's own status;
    /// its followers and its other devices get it as a `status` push.
    StatusSet { custom_status: String },
    /// Deletes messages of the conversation with `peer` from the caller's history, on all of
    /// its devices (a `deleted` entry tells the others); the peer keeps its copy. At most
    /// [`MAX_DELETE_PER_REQUEST`] keys, every one a message between the two.
    DeleteMessages { peer: UserId, keys: Vec<MessageKey> },
    /// Deletes the conversation with `peer` from the caller's list, on all of its devices (a
    /// `conversation_deleted` entry tells them), until a newer message comes; with `history`,
    /// its messages so far leave the caller's history too. The peer keeps its copy and its
    /// read receipts. Answered with [`Reply::Deleted`].
    ConversationDelete { peer: UserId, history: bool },
    /// Clears the caller's history with `peer`, on all of its devices (a `history_cleared`
    /// entry tells them): its messages so far leave the history, and the conversation stays in
    /// the list, with no last message and nothing unread. The peer keeps its copy and its read
    /// receipts. Answered with [`Reply::Deleted`].
    HistoryClear { peer: UserId },
    /// Changes the caller's state of its conversation with `peer`: pins or unpins it, sets
    /// its draft (at most [`MAX_DRAFT_BYTES`]; empty clears it), sets the marks of `mark` and
    /// clears those of `unmark` (Tencent's mark types, one bit each), sets its custom data (at
    /// most [`MAX_CONVERSATION_DATA_BYTES`]), in any combination. The state is kept for all of
    /// the caller's devices, which get a `conversation_state` entry. 60016 when there is no
    /// such conversation.
    ConversationSet {
        peer: UserId,
        #[serde(flatten)]
        change: ConversationChange,
    },
    /// Adds users to one of the caller's lists; `fields` go with each new entry. Blocking and
    /// muting are one way. A friend request follows each peer's `AllowType`: `AllowAny` makes
    /// the friendship both ways at once, `DenyAny` refuses it (30516), `NeedConfirm` (the
    /// default) sends a friend application and answers 30539, unless the peer had applied to
    /// the caller, which makes the friendship at once.
    RelationAdd {
        relation: Relation,
        users: Vec<UserId>,
        #[serde(default, skip_serializing_if = "RelationFields::is_empty")]
        fields: RelationFields,
    },
    /// Removes users from one of the caller's lists: a friendship both ways, an application
    /// (refused or withdrawn) on both sides.
    RelationRemove {
        relation: Relation,
        users: Vec<UserId>,
    },
    /// Sets the non-empty `fields` of an entry on one of the caller's lists (a friend's
    /// remark); 30001 when `user` is not on it.
    RelationUpdate {
        relation: Relation,
        user: UserId,
        fields: RelationFields,
    },
    /// Accepts `user`'s friend application: `user` lists the caller as a friend (with the
    /// remark, wording and source it applied with), and the caller lists `user` too when `both` (Tencent's
    /// `Agree_And_Add`). `fields` (a remark) go with the caller's new entry. 30001 when `user`
    /// has not applied.
    ApplicationAccept {
        user: UserId,
        both: bool,
        #[serde(default, skip_serializing_if = "RelationFields::is_empty")]
        fields: RelationFields,
    },
    /// Reads one of the caller's lists.
    RelationList { relation: Relation },
    /// Which of `users` (at most [`MAX_CHECK_PER_REQUEST`]) are on the caller's friend list,
    /// and which have the caller on theirs (Tencent's `checkFriend`).
    FriendCheck { users: Vec<UserId> },
    /// Marks every friend application to the caller so far read (Tencent's
    /// `setFriendApplicationRead`): its other devices get an `applications_read` entry, and the
    /// `application_received` list gives each `read`. Answered `marked_read` with the entry's
    /// sequence.
    ApplicationsRead,
    /// Reads the caller's friend groups (Tencent's `getFriendGroupList`).
    FriendGroupList,
    /// With `add`, makes the group `name` if it is new and puts the friends `users` in it;
    /// without, takes `users` out of it, or deletes the group when `users` is empty. One
    /// result per user (30001 for one who is not a friend).
    FriendGroupChange {
        name: String,
        add: bool,
        users: Vec<UserId>,
    },
    /// Renames the caller's friend group `name` to `new_name`, its friends staying in it
    /// (Tencent's `renameFriendGroup`). Answered `friend_groups` with the renamed group alone.
    FriendGroupRename { name: String, new_name: String },
    /// Changes the caller's nickname, avatar URL and the other profile fields given; the
    /// others stay as they are.
    ProfileSet {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nick: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        avatar: Option<String>,
        #[serde(default, skip_serializing_if = "ProfileDetails::is_empty")]
        details: ProfileDetails,
    },
    /// Reads profiles; unknown users are left out of the answer.
    ProfileGet { users: Vec<UserId> },
    /// Registers this device's push token with `vendor` (replacing one it had there), for
    /// messages that arrive while none of the user's devices is online.
    PushRegister { vendor: Vendor, token: String },
    /// Removes this device's push registration with `vendor`.
    PushUnregister { vendor: Vendor },
    /// Reads the caller's quiet hours for offline push (Tencent's `getAllReceiveMessageOpt`).
    /// Answered with [`Reply::ReceiveOpt`].
    ReceiveOptGet,
    /// Sets the caller's quiet hours for offline push (Tencent's `setAllReceiveMessageOpt`),
    /// for all of its devices, which get a `receive_opt` push. Answered with
    /// [`Reply::ReceiveOpt`].
    ReceiveOptSet { opt: ReceiveOpt },
    /// Heartbeat; answered with [`Reply::Pong`].
    Ping,
    /// Signs out; the server answers, then closes the connection.
    Logout,
}

impl Request {
    /// The request that removes `removal` from the caller's conversation with `peer`.
    pub fn removal(peer: UserId, removal: Removal) -> Request {
        match removal {
            Removal::Conversation { history } => Request::ConversationDelete { peer, history },
            Removal::History => Request::HistoryClear { peer },
        }
    }
}

/// The `type` of every [`Request`], so a server can tell an unknown request from a malformed one.
pub const REQUEST_TYPES: &[&str] = &[
    "login",
    "send",
    "sync",
    "conversations",
    "history",
    "history_at",
    "mark_read",
    "recall",
    "edit",
    "react",
    "read_receipt",
    "search",
    "status_get",
    "status_subscribe",
    "status_hide",
    "status_set",
    "delete_messages",
    "conversation_delete",
    "history_clear",
    "conversation_set",
    "relation_add",
    "relation_remove",
    "relation_update",
    "application_accept",
    "relation_list",
    "friend_check",
    "applications_read",
    "friend_group_list",
    "friend_group_change",
    "friend_group_rename",
    "profile_set",
    "profile_get",
    "push_register",
    "push_unregister",
    "receive_opt_get",
    "receive_opt_set",
    "ping",
    "logout",
];

/// Largest answer the server sends in one reply or REST response body; a larger one is refused
/// with `ANSWER_TOO_LARGE`, so no request can make the server build an unbounded answer.
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// Most messages one [`Request::DeleteMessages`] may name (30, as Tencent's `deleteMessage`).
pub const MAX_DELETE_PER_REQUEST: usize = 30;

/// Most messages one [`Request::ReadReceipt`] names.
pub const MAX_READ_RECEIPTS: usize = 100;

/// A change of a user's state of one conversation ([`Request::ConversationSet`]): `None`
/// leaves a part as it is; the bits of `mark` are set and those of `unmark` cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<String>,
    #[serde(default, skip_serializing_if = "crate::is_zero")]
    pub mark: u64,
    #[serde(default, skip_serializing_if = "crate::is_zero")]
    pub unmark: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<String>,
    /// Puts the conversation in this group of the user's conversations (Tencent's
    /// conversation groups; a group is there while a conversation is in it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_group: Option<String>,
    /// Takes the conversation out of this group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave_group: Option<String>,
}

impl ConversationChange {
    /// Whether the change changes nothing at all.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Longest draft a conversation keeps, in bytes of UTF-8.
pub const MAX_DRAFT_BYTES: usize = 2048;

/// Longest custom data a conversation keeps, in bytes of UTF-8 (256, as Tencent's
/// `setConversationCustomData`).
pub const MAX_CONVERSATION_DATA_BYTES: usize = 256;

/// Most conversation groups one user has (20, as Tencent's).
pub const MAX_CONVERSATION_GROUPS: usize = 20;

/// Longest name of a conversation group, in bytes of UTF-8 (32, as Tencent's).
pub const MAX_CONVERSATION_GROUP_NAME_BYTES: usize = 32;

/// Most users one relation or profile request may name (100, as in Tencent IM).
pub const MAX_USERS_PER_REQUEST: usize = 100;

/// Most users one friend or blacklist check may name (1,000, as Tencent's `friend_check` and
/// `checkFriend`).
pub const MAX_CHECK_PER_REQUEST: usize = 1000;

/// A frame from the server. (Decoded by hand: [`crate::decode`].)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// The success answer to request `id`.
    Reply { id: u64, data: Reply },
    /// The failure answer to request `id`, or (with no `id`) to a frame too broken to carry one.
    Error {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        code: ErrorCode,
        message: String,
    },
    /// A new entry in the signed-in user's sync log, pushed as soon as it is durable. (Shared
    /// behind an `Arc` because one entry is pushed to each of the user's devices.)
    Sync { entry: Arc<SyncEntry> },
    /// The server ends this connection for good, for `cause`, and closes it after this frame;
    /// the client must not reconnect on its own.
    Kicked {
        reason: String,
        #[serde(default)]
        cause: KickCause,
    },
}

/// Why the server ended a connection for good.
/// Read by name (`decode.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KickCause {
    /// A newer sign-in of the same device, or of one device too many, replaced it (close 4001).
    #[default]
    SignedInElsewhere,
    /// The app's backend deleted the account (close 4003).
    AccountDeleted,
    /// The UserSig the session signed in with expired (close 4004); sign in with a new one.
    UserSigExpired,
    /// The app's backend kicked the user out (close 4005): UserSigs issued before it no longer
    /// sign in; the account and its data stay.
    KickedByBackend,
}

/// The data of a successful reply, tagged by `kind`. (Decoded by hand: [`crate::decode`].)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reply {
    LoggedIn {
        user_id: UserId,
        server_time_ms: u64,
        /// The newest sequence in the user's sync log (0 if empty).
        latest_seq: Seq,
        /// The user's own nickname and avatar.
        nick: String,
        avatar: String,
        /// When this account was created. A device holding data of an account of the same
        /// name created at another time (deleted since, and made anew) must drop that data.
        #[serde(default)]
        account_created_ms: u64,
    },
    /// The message is stored. The client has its content already; these are the server's
    /// additions to it.
    Sent {
        key: MessageKey,
        /// Server time of acceptance, milliseconds since the Unix epoch.
        time_ms: u64,
        /// The sequence of the message in the sender's own sync log.
        seq: Seq,
        /// True when this was a retry of a message already stored.
        duplicate: bool,
    },
    SyncPage(SyncPage),
    Conversations {
        conversations: Vec<Conversation>,
    },
    History {
        /// Newest first; oldest first for a `history_at` with `newer`.
        messages: Vec<Message>,
        /// True when nothing further that way is left in the roaming store.
        complete: bool,
    },
    /// `seq` is the new `read` entry's, or 0 when nothing was unread and nothing was written.
    MarkedRead {
        seq: Seq,
    },
    Recalled {
        key: MessageKey,
    },
    /// The message as edited, with its new version. (Boxed: a message is the largest answer.)
    Edited {
        message: Box<Message>,
    },
    /// The message after a reaction was added or removed.
    Reacted {
        message: Box<Message>,
    },
    /// One page of a search, newest first. `next` is the `before` of the next page, 0 when
    /// nothing more is found.
    SearchResults {
        messages: Vec<Message>,
        next: u64,
    },
    /// Users' presence as the caller may see it, in request order.
    Statuses {
        statuses: Vec<UserStatus>,
    },
    /// Whether the caller's presence is now hidden.
    StatusHidden {
        hidden: bool,
    },
    /// The conversation's state after a `conversation_set`, and the sequence of the
    /// `conversation_state` entry that recorded it.
    ConversationState {
        seq: Seq,
        pinned: bool,
        draft: String,
        #[serde(default, skip_serializing_if = "crate::is_zero")]
        marks: u64,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        custom_data: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        conversation_groups: Vec<String>,
    },
    /// `seq` is the `deleted` entry's in the caller's log.
    Deleted {
        seq: Seq,
    },
    /// One result per requested user, in request order; `code` 0 is success.
    RelationResults {
        results: Vec<UserResult>,
    },
    Relations {
        relation: Relation,
        entries: Vec<RelationEntry>,
    },
    /// The answer to `friend_check`: of the users asked, those on the caller's friend list
    /// (`mine`) and those with the caller on theirs (`theirs`), in request order.
    FriendChecks {
        mine: Vec<UserId>,
        theirs: Vec<UserId>,
    },
    Profiles {
        profiles: Vec<Profile>,
    },
    FriendGroups {
        groups: Vec<FriendGroup>,
    },
    Pong {
        server_time_ms: u64,
    },
    /// The answer to `push_register` (true) and `push_unregister` (whether there was one).
    PushRegistration {
        registered: bool,
    },
    /// The read receipts of a `read_receipt` are stored and on their way to the sender.
    ReceiptsSent,
    /// The caller's quiet hours for offline push, as kept now.
    ReceiveOpt {
        opt: ReceiveOpt,
    },
    LoggedOut,
}

/// One of a user's friend groups: its name and the friends in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FriendGroup {
    pub name: String,
    pub users: Vec<UserId>,
}

/// Tencent's name for the relation a check finds between the caller and a user: `BothWay`,
/// `AWithB` (the caller lists the user), `BWithA` (the user lists the caller), `None` for
/// neither. A `single` check (Tencent's `…_Type_Single`) looks at the caller's list alone.
pub fn check_word(single: bool, mine: bool, theirs: bool) -> Option<&'static str> {
    match (mine, theirs && !single) {
        (true, true) => Some("BothWay"),
        (true, false) => Some("AWithB"),
        (false, true) => Some("BWithA"),
        (false, false) => None,
    }
}

/// The outcome of a request for one of several users.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserResult {
    pub user_id: UserId,
    pub code: ErrorCode,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// One page of a user's sync log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncPage {
    /// Entries after the requested cursor, in sequence order.
    pub entries: Vec<SyncEntry>,
    /// Cursor for the next page: the last sequence this page covered.
    pub next: Seq,
    /// True when `next` is the newest sequence: the end-of-sync marker (R5.7).
    pub complete: bool,
    /// True when entries after the requested cursor were dropped from the offline cache (size
    /// cap or expiry) before this read. The client must then refresh its conversation list and
    /// fill the affected conversations from history (R5.8); nothing is lost, only not here.
    pub gap: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::TextElem;

    #[test]
    fn request_json_shape() {
        let frame = ClientFrame {
            id: 7,
            request: Request::Send {
                to: UserId::parse("bob").unwrap(),
                random: 99,
                elements: vec![Element::Text(TextElem { text: "hi".into() })],
                cloud_custom_data: None,
                online_only: false,
                offline_push_info: None,
                client_time_s: 0,
                need_read_receipt: false,
            },
        };
        let json = serde_json::to_string(&frame).unwrap();
        assert_eq!(
            json,
            r#"{"id":7,"type":"send","to":"bob","random":99,"elements":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}"#
        );
        assert_eq!(serde_json::from_str::<ClientFrame>(&json).unwrap(), frame);
        let ping: ClientFrame = serde_json::from_str(r#"{"id":1,"type":"ping"}"#).unwrap();
        assert_eq!(ping.request, Request::Ping);
    }

    #[test]
    fn request_types_are_complete() {
        let user = UserId::parse("bob").unwrap();
        let all = [
            Request::Login {
                protocol: 1,
                sdk_app_id: 1,
                user_id: user.clone(),
                user_sig: String::new(),
                device: DeviceId::parse("d").unwrap(),
            },
            Request::Send {
                to: user.clone(),
                random: 0,
                elements: vec![],
                cloud_custom_data: None,
                online_only: false,
                offline_push_info: None,
                client_time_s: 0,
                need_read_receipt: true,
            },
            Request::Sync {
                after: Seq(0),
                limit: 1,
            },
            Request::Conversations,
            Request::History {
                peer: user.clone(),
                before: None,
                limit: 1,
            },
            Request::HistoryAt {
                peer: user.clone(),
                time_ms: 1_800_000_000_000,
                newer: true,
                from: None,
                limit: 15,
            },
            Request::MarkRead { peer: user.clone() },
            Request::Recall {
                peer: user.clone(),
                key: MessageKey {
                    id: 1,
                    random: 2,
                    time_s: 3,
                },
            },
            Request::Edit {
                peer: user.clone(),
                key: MessageKey {
                    id: 1,
                    random: 2,
                    time_s: 3,
                },
                version: 0,
                elements: None,
                cloud_custom_data: Some(String::new()),
            },
            Request::React {
                peer: user.clone(),
                key: MessageKey {
                    id: 1,
                    random: 2,
                    time_s: 3,
                },
                reaction: "👍".into(),
                add: true,
            },
            Request::ReadReceipt {
                peer: user.clone(),
                keys: vec![MessageKey {
                    id: 1,
                    random: 2,
                    time_s: 3,
                }],
            },
            Request::Search {
                query: SearchQuery::default(),
                before: 0,
                limit: 20,
            },
            Request::StatusGet { users: vec![] },
            Request::StatusSubscribe {
                users: vec![],
                subscribe: true,
            },
            Request::StatusHide { hidden: true },
            Request::StatusSet {
                custom_status: "listening".into(),
            },
            Request::DeleteMessages {
                peer: user.clone(),
                keys: vec![],
            },
            Request::ConversationDelete {
                peer: user.clone(),
                history: true,
            },
            Request::HistoryClear { peer: user.clone() },
            Request::ConversationSet {
                peer: user.clone(),
                change: ConversationChange {
                    pinned: Some(true),
                    draft: Some("d".into()),
                    mark: 1 << 63,
                    unmark: 2,
                    custom_data: Some(String::new()),
                    join_group: Some("new".into()),
                    leave_group: Some("old".into()),
                },
            },
            Request::RelationAdd {
                relation: Relation::Friend,
                users: vec![],
                fields: RelationFields::default(),
            },
            Request::RelationRemove {
                relation: Relation::Friend,
                users: vec![],
            },
            Request::RelationUpdate {
                relation: Relation::Friend,
                user: user.clone(),
                fields: RelationFields::default(),
            },
            Request::ApplicationAccept {
                user: user.clone(),
                both: true,
                fields: RelationFields::default(),
            },
            Request::RelationList {
                relation: Relation::Blacklist,
            },
            Request::FriendCheck {
                users: vec![user.clone()],
            },
            Request::ApplicationsRead,
            Request::FriendGroupList,
            Request::FriendGroupChange {
                name: "work".into(),
                add: true,
                users: vec![],
            },
            Request::FriendGroupRename {
                name: "work".into(),
                new_name: "office".into(),
            },
            Request::ProfileSet {
                nick: None,
                avatar: None,
                details: ProfileDetails::default(),
            },
            Request::ProfileGet { users: vec![user] },
            Request::PushRegister {
                vendor: Vendor::Webpush,
                token: String::new(),
            },
            Request::PushUnregister {
                vendor: Vendor::Apns,
            },
            Request::ReceiveOptGet,
            Request::ReceiveOptSet {
                opt: ReceiveOpt::default(),
            },
            Request::Ping,
            Request::Logout,
        ];
        let types: Vec<String> = all
            .iter()
            .map(|r| {
                serde_json::to_value(r).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(types, REQUEST_TYPES);
    }

    #[test]
    fn reply_json_shape() {
        let frame = ServerFrame::Reply {
            id: 3,
            data: Reply::Pong { server_time_ms: 5 },
        };
        let json = serde_json::to_string(&frame).unwrap();
        assert_eq!(
            json,
            r#"{"type":"reply","id":3,"data":{"kind":"pong","server_time_ms":5}}"#
        );
        assert_eq!(serde_json::from_str::<ServerFrame>(&json).unwrap(), frame);
        let err = ServerFrame::Error {
            id: None,
            code: ErrorCode::BAD_JSON,
            message: "x".into(),
        };
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            r#"{"type":"error","code":90001,"message":"x"}"#
        );
    }
}
