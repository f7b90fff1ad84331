//! Messages, sync-log entries and conversations as clients receive them.

use crate::element::Element;
use crate::ids::{MessageKey, Seq, UserId};
use crate::presence::UserStatus;
use crate::push::ReceiveOpt;
use crate::reaction::Reaction;
use serde::{Deserialize, Serialize};

/// A stored one-to-one message. It is stored once and appears in both users' sync logs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub key: MessageKey,
    pub from: UserId,
    pub to: UserId,
    /// Server time of acceptance, milliseconds since the Unix epoch.
    pub time_ms: u64,
    /// When the sender composed it, by the sender's clock, seconds since the Unix epoch (0:
    /// unknown). With `from` and `random` it names the message from the moment it is composed
    /// ([`Message::id`]).
    #[serde(skip_serializing_if = "crate::is_zero")]
    pub client_time_s: u64,
    /// The sender's random (idempotency key, R2.3).
    pub random: u32,
    pub elements: Vec<Element>,
    /// Opaque app data travelling with the message (Tencent's `CloudCustomData`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_custom_data: Option<String>,
    /// The sender's nickname and avatar URL as they were when it was sent (R4.4); empty if unset.
    pub nick: String,
    pub avatar: String,
    /// True once the message was recalled; its elements are then empty.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub recalled: bool,
    /// How many times the message was edited (0: never). An edit names the version it was made
    /// from, so that two edits from the same version do not silently overwrite each other.
    #[serde(skip_serializing_if = "crate::is_zero")]
    pub version: u32,
    /// Server time of the last edit, milliseconds since the Unix epoch (0: never edited).
    #[serde(skip_serializing_if = "crate::is_zero")]
    pub edited_ms: u64,
    /// The reactions on the message, in the order they were first added
    /// ([`crate::reaction::change`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// The sender asked for a read receipt (Tencent's `needReadReceipt`): the recipient may
    /// tell it, message by message, that it read the message ([`crate::Request::ReadReceipt`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub need_read_receipt: bool,
    /// When the recipient sent its read receipt for the message, milliseconds since the Unix
    /// epoch (0: it has not).
    #[serde(skip_serializing_if = "crate::is_zero")]
    pub receipt_ms: u64,
}

impl Message {
    /// The message's ID, the same on every device from the moment it is composed, before the
    /// server has numbered it: `{from}-{client_time_s}-{random}`; the key (`seq_random_time`)
    /// for a message stored without a client time.
    pub fn id(&self) -> String {
        match self.client_time_s {
            0 => self.key.to_string(),
            t => format!("{}-{t}-{}", self.from, self.random),
        }
    }

    /// Marks the message recalled and drops its content: a recalled message keeps its place in
    /// history but carries no elements or custom data, on the server and on every device.
    pub fn recall(&mut self) {
        self.recalled = true;
        self.elements.clear();
        self.cloud_custom_data = None;
        self.reactions.clear();
    }

    /// Whether `other`, a copy of this message heard later, may replace this one: it is not an
    /// older version, and this one is not recalled. So an edit heard late (an answer that
    /// arrives after the next edit's entry, say) never undoes a later edit or a recall.
    pub fn superseded_by(&self, other: &Message) -> bool {
        !self.recalled && (self.version, self.edited_ms) <= (other.version, other.edited_ms)
    }

    /// The other party of this message, seen from `me`.
    pub fn peer_of(&self, me: &UserId) -> &UserId {
        if &self.from == me {
            &self.to
        } else {
            &self.from
        }
    }
}

/// One entry of a user's sync log: something that happened to the user's account, in order.
/// (Decoded by hand: [`crate::decode`].)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncEntry {
    pub seq: Seq,
    #[serde(flatten)]
    pub event: SyncEvent,
}

/// What a sync-log entry records. (Decoded by hand: [`crate::decode`].)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SyncEvent {
    /// A message the user sent (from any of its devices) or received.
    Message { message: Message },
    /// The user read its conversation with `peer` up to and including `up_to` (on some device).
    Read {
        peer: UserId,
        up_to: Option<MessageKey>,
    },
    /// `peer` read the conversation with the user up to and including `up_to`: the user's
    /// messages up to there are read by the peer (read receipts).
    PeerRead { peer: UserId, up_to: MessageKey },
    /// A message between the user and `peer` was recalled: show it as recalled.
    Recalled { peer: UserId, key: MessageKey },
    /// A message between the user and its peer was edited: `message` is as it is now (its
    /// newest version, or recalled when it was recalled since).
    Edited { message: Message },
    /// Someone added or removed a reaction on a message between the user and its peer:
    /// `message` is as it is now, with its reactions.
    Reacted { message: Message },
    /// The recipient of a message that asked for a read receipt sent it: `message` is as it
    /// is now, with its `receipt_ms`.
    ReadReceipt { message: Message },
    /// A user whose presence one of the user's devices follows (`status_subscribe`) came
    /// online or went offline, or hid or showed its presence. Pushed with sequence 0 to the
    /// following devices only; never in the log.
    Status { status: UserStatus },
    /// The user set its quiet hours for offline push (on some device): they are now `opt`.
    /// Pushed with sequence 0 to the user's devices online then; never in the log.
    ReceiveOpt { opt: ReceiveOpt },
    /// The user deleted these messages of its conversation with `peer` (on some device): they
    /// leave its history.
    Deleted { peer: UserId, keys: Vec<MessageKey> },
    /// The user changed its state of the conversation with `peer` (pinned, draft, marks,
    /// custom data; on some device): its state is now this.
    ConversationState {
        peer: UserId,
        pinned: bool,
        draft: String,
        #[serde(default, skip_serializing_if = "crate::is_zero")]
        marks: u64,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        custom_data: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        conversation_groups: Vec<String>,
    },
    /// The user deleted its conversation with `peer` (on some device): it leaves the list
    /// until a newer message comes, and with `history` its messages so far leave the history.
    ConversationDeleted { peer: UserId, history: bool },
    /// The user cleared its conversation with `peer` (on some device, Tencent's
    /// `clearHistoryMessage`): its messages so far leave the history; the conversation stays in
    /// the list, with no last message and nothing unread.
    HistoryCleared { peer: UserId },
    /// One of the user's lists changed (friends, blacklist, muted peers, friend applications).
    Relations {
        relation: Relation,
        added: Vec<UserId>,
        removed: Vec<UserId>,
        /// What the added (or updated) entries now carry: a friend's remark, an application's
        /// wording and source.
        #[serde(default, skip_serializing_if = "RelationFields::is_empty")]
        fields: RelationFields,
    },
    /// The user's own profile changed.
    Profile { nick: String, avatar: String },
    /// The user's friend groups changed (on some device, or by the app's backend): a group
    /// was made or deleted, or friends joined or left one. Devices read the groups again
    /// (`friend_group_list`): they hold no copy to patch.
    FriendGroups,
    /// The user read every friend application to it so far (Tencent's
    /// `setFriendApplicationRead`), on some device: each one its devices hold is now `read`.
    ApplicationsRead,
    /// An entry of a kind this build does not know, from a newer version. A client skips it;
    /// its sequence still counts, so the cursor moves past it and sync never sticks on it.
    /// Nothing makes one: it is what reading such an entry gives (and, written again,
    /// `{"kind": "unknown"}`, which reads back as itself).
    Unknown,
}

/// What a user takes out of its conversation with a peer, on all of its devices; the peer keeps
/// its copy. One rule for the request that asks for it, the storage that does it and the sync
/// entry that records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// The conversation leaves the list until a newer message comes, and its messages so far
    /// no longer count as unread; with `history` they leave the history too
    /// (`deleteConversation`).
    Conversation { history: bool },
    /// The messages so far leave the history; the conversation stays in the list, with no last
    /// message and nothing unread (`clearHistoryMessage`).
    History,
}

impl Removal {
    /// Whether the messages so far leave the history.
    pub fn history(self) -> bool {
        matches!(
            self,
            Removal::History | Removal::Conversation { history: true }
        )
    }

    /// The sync entry that records it.
    pub fn event(self, peer: UserId) -> SyncEvent {
        match self {
            Removal::Conversation { history } => SyncEvent::ConversationDeleted { peer, history },
            Removal::History => SyncEvent::HistoryCleared { peer },
        }
    }
}

/// A user's list of other users: friends (R3.3) or blocked users (R3.4).
/// Read by name (`decode.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Friend,
    Blacklist,
    /// Peers whose messages the user gets without a push notification (muted conversations).
    Muted,
    /// Users the user asked to be friends with, who have not answered yet (their `AllowType`
    /// is `AllowType_Type_NeedConfirm`).
    ApplicationSent,
    /// Users who asked the user to be friends, waiting for its answer.
    ApplicationReceived,
}

impl Relation {
    /// The list a two-way change writes on the peer's side: friendship is mutual, and an
    /// application sent by one user is one received by the other.
    pub fn mirror(self) -> Relation {
        match self {
            Relation::ApplicationSent => Relation::ApplicationReceived,
            Relation::ApplicationReceived => Relation::ApplicationSent,
            other => other,
        }
    }

    /// Friend applications, sent or received.
    pub fn is_application(self) -> bool {
        matches!(
            self,
            Relation::ApplicationSent | Relation::ApplicationReceived
        )
    }
}

/// What a list entry carries besides the user, in Tencent's friendship fields: the remark the
/// owner gave a friend (`Tag_SNS_IM_Remark`), and the wording and source of a friend
/// application (`Tag_SNS_IM_AddWording`, `Tag_SNS_IM_AddSource`). Empty: unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RelationFields {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub remark: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub wording: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
}

impl RelationFields {
    pub const REMARK_TAG: &str = "Tag_SNS_IM_Remark";
    pub const WORDING_TAG: &str = "Tag_SNS_IM_AddWording";
    pub const SOURCE_TAG: &str = "Tag_SNS_IM_AddSource";

    pub fn is_empty(&self) -> bool {
        self.remark.is_empty() && self.wording.is_empty() && self.source.is_empty()
    }

    /// The set fields as Tencent's tags with JSON text values, as a server keeps them.
    pub fn to_tags(&self) -> Vec<(String, String)> {
        [
            (Self::REMARK_TAG, &self.remark),
            (Self::WORDING_TAG, &self.wording),
            (Self::SOURCE_TAG, &self.source),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(tag, v)| {
            (
                tag.to_owned(),
                serde_json::Value::from(v.as_str()).to_string(),
            )
        })
        .collect()
    }

    /// The fields among kept tags (tag, JSON text); others are ignored.
    pub fn from_tags<'a>(tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> Self {
        let mut fields = Self::default();
        for (tag, value) in tags {
            let slot = match tag.as_str() {
                Self::REMARK_TAG => &mut fields.remark,
                Self::WORDING_TAG => &mut fields.wording,
                Self::SOURCE_TAG => &mut fields.source,
                _ => continue,
            };
            if let Ok(text) = serde_json::from_str::<String>(value) {
                *slot = text;
            }
        }
        fields
    }
}

/// A user's public profile (R6.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub user_id: UserId,
    pub nick: String,
    pub avatar: String,
    /// The fields besides these two that are set.
    #[serde(skip_serializing_if = "ProfileDetails::is_empty")]
    pub details: ProfileDetails,
}

impl Profile {
    /// The profile of a user who set nothing (or whose profile is not known).
    pub fn unset(user_id: UserId) -> Self {
        Profile {
            user_id,
            nick: String::new(),
            avatar: String::new(),
            details: ProfileDetails::default(),
        }
    }
}

/// Tencent's standard profile fields besides the nickname and avatar, and the app's custom
/// ones. `None` (or absent): unset, which reads as Tencent's default; in a change, left as it
/// is. The server checks each value as the REST API's `portrait_set` does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileDetails {
    /// `Gender_Type_Unknown`, `Gender_Type_Female` or `Gender_Type_Male`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// As the app writes it, e.g. 19900101.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthday: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_signature: Option<String>,
    /// What a friend request to this user does: `AllowType_Type_NeedConfirm`,
    /// `AllowType_Type_AllowAny` or `AllowType_Type_DenyAny`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_settings: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<u32>,
    /// The app's own fields (`Tag_Profile_Custom_*`), text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom: Vec<CustomField>,
}

/// One of the app's own profile fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomField {
    /// The tag, `Tag_Profile_Custom_` and the field's name.
    pub key: String,
    pub value: String,
}

impl ProfileDetails {
    const TEXTS: [&str; 4] = [
        "Tag_Profile_IM_Gender",
        "Tag_Profile_IM_Location",
        "Tag_Profile_IM_SelfSignature",
        "Tag_Profile_IM_AllowType",
    ];
    const NUMBERS: [&str; 5] = [
        "Tag_Profile_IM_BirthDay",
        "Tag_Profile_IM_Language",
        "Tag_Profile_IM_MsgSettings",
        "Tag_Profile_IM_Level",
        "Tag_Profile_IM_Role",
    ];

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    fn texts(&mut self) -> [&mut Option<String>; 4] {
        [
            &mut self.gender,
            &mut self.location,
            &mut self.self_signature,
            &mut self.allow_type,
        ]
    }

    fn numbers(&mut self) -> [&mut Option<u32>; 5] {
        [
            &mut self.birthday,
            &mut self.language,
            &mut self.message_settings,
            &mut self.level,
            &mut self.role,
        ]
    }

    /// The set fields as Tencent's tags with JSON values, as `portrait_set` takes them.
    pub fn to_tags(mut self) -> Vec<(String, serde_json::Value)> {
        let mut tags = Vec::new();
        for (tag, v) in Self::TEXTS.iter().zip(self.texts()) {
            tags.extend(v.take().map(|v| (tag.to_string(), v.into())));
        }
        for (tag, v) in Self::NUMBERS.iter().zip(self.numbers()) {
            tags.extend(v.take().map(|v| (tag.to_string(), v.into())));
        }
        tags.extend(self.custom.into_iter().map(|c| (c.key, c.value.into())));
        tags
    }

    /// The fields among kept tags (tag, JSON text); a custom number reads as its digits.
    pub fn from_tags<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut details = Self::default();
        for (tag, text) in tags {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
                continue;
            };
            if let Some(at) = Self::TEXTS.iter().position(|t| *t == tag) {
                *details.texts()[at] = value.as_str().map(str::to_owned);
            } else if let Some(at) = Self::NUMBERS.iter().position(|t| *t == tag) {
                *details.numbers()[at] = value.as_u64().and_then(|n| u32::try_from(n).ok());
            } else if tag.starts_with("Tag_Profile_Custom_") {
                let value = match value {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                details.custom.push(CustomField {
                    key: tag.to_owned(),
                    value,
                });
            }
        }
        details
    }
}

/// One entry of a friend list, blacklist or application list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationEntry {
    pub user_id: UserId,
    /// When it was added, milliseconds since the Unix epoch.
    pub since_ms: u64,
    #[serde(default, skip_serializing_if = "RelationFields::is_empty")]
    pub fields: RelationFields,
    /// On a friend application to the user: the user has read it (`applications_read`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read: bool,
}

/// One entry of a user's recent contacts (R5.1): the conversation with one peer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversation {
    pub peer: UserId,
    /// The peer's current nickname and avatar URL; empty if unset.
    pub peer_nick: String,
    pub peer_avatar: String,
    /// The newest message, if it is still in the roaming store.
    pub last_message: Option<Message>,
    /// Messages received from the peer since the user last marked the conversation read.
    pub unread: u32,
    /// The peer has read the conversation up to this message number (`MessageKey::id`): the
    /// user's messages with a number up to it are read. 0: nothing read yet.
    pub peer_read_up_to: u64,
    /// The user has read the conversation up to this message number: the peer's messages with
    /// a number up to it are read. 0: nothing read yet.
    pub read_up_to: u64,
    /// Time of the last activity, milliseconds since the Unix epoch.
    pub updated_ms: u64,
    /// The user pinned it: it comes first in the list (on every device of the user).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// The text the user was composing in it, kept for all of the user's devices.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub draft: String,
    /// The user's marks on it, one bit each (Tencent's mark types: 1 star, 2 unread, 4 fold,
    /// 8 hide; bits 32 to 63 the app's own), kept for all of the user's devices.
    #[serde(skip_serializing_if = "crate::is_zero")]
    pub marks: u64,
    /// The app's own data about it (Tencent's `customData`), kept for all of the user's
    /// devices.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub custom_data: String,
    /// The user's conversation groups it is in (Tencent's `conversationGroupList`), in the
    /// order it joined them, kept for all of the user's devices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversation_groups: Vec<String>,
    /// The sequence of the user's `conversation_state` entry that set its state (0: none). A
    /// device applies such an entry only when it is newer, so an older one applied late never
    /// undoes a newer one.
    #[serde(skip_serializing_if = "crate::is_zero")]
    pub state_seq: Seq,
}

/// Tencent's standard conversation marks (its `CONV_MARK_TYPE_` values), one bit each of
/// [`Conversation::marks`]; bits 32 to 63 are the app's own.
pub mod mark {
    pub const STAR: u64 = 1;
    pub const UNREAD: u64 = 1 << 1;
    pub const FOLD: u64 = 1 << 2;
    pub const HIDE: u64 = 1 << 3;
}

impl Conversation {
    /// The conversation with `peer` before any message: nothing read, nothing set.
    pub fn new(peer: UserId, peer_nick: String, peer_avatar: String) -> Self {
        Self {
            peer,
            peer_nick,
            peer_avatar,
            last_message: None,
            unread: 0,
            peer_read_up_to: 0,
            read_up_to: 0,
            updated_ms: 0,
            pinned: false,
            draft: String::new(),
            marks: 0,
            custom_data: String::new(),
            conversation_groups: Vec::new(),
            state_seq: Seq(0),
        }
    }

    /// How every list of conversations is ordered, on the server and on devices: pinned first,
    /// then the most recently active, ties by peer. A total order (one conversation per peer),
    /// so an unstable sort by it gives the one order.
    pub fn list_order(a: &Conversation, b: &Conversation) -> std::cmp::Ordering {
        b.pinned
            .cmp(&a.pinned)
            .then_with(|| b.updated_ms.cmp(&a.updated_ms))
            .then_with(|| a.peer.cmp(&b.peer))
    }

    /// Puts pinned conversations first, keeping the order of each part (a stable sort): a list
    /// already most recently active first then comes out in [`Self::list_order`].
    pub fn pinned_first(list: &mut [Conversation]) {
        list.sort_by_key(|c| !c.pinned);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_copy_replaces_an_older_version_never_a_recall() {
        let user = |s| UserId::parse(s).unwrap();
        let v = |version, recalled| Message {
            key: MessageKey {
                id: 1,
                random: 2,
                time_s: 3,
            },
            from: user("alice"),
            to: user("bob"),
            time_ms: 3_000,
            client_time_s: 0,
            random: 2,
            elements: vec![],
            cloud_custom_data: None,
            nick: String::new(),
            avatar: String::new(),
            recalled,
            version,
            edited_ms: u64::from(version) * 1_000,
            reactions: Vec::new(),
            need_read_receipt: false,
            receipt_ms: 0,
        };
        assert!(v(1, false).superseded_by(&v(2, false)));
        assert!(v(1, false).superseded_by(&v(1, true)));
        assert!(!v(2, false).superseded_by(&v(1, false)));
        assert!(!v(1, true).superseded_by(&v(2, false)));
    }

    #[test]
    fn profile_details_are_tencents_tags() {
        let details = ProfileDetails {
            gender: Some("Gender_Type_Female".into()),
            birthday: Some(19_900_101),
            self_signature: Some("hi".into()),
            role: Some(0),
            custom: vec![CustomField {
                key: "Tag_Profile_Custom_City".into(),
                value: "Lyon".into(),
            }],
            ..ProfileDetails::default()
        };
        let tags = details.clone().to_tags();
        assert_eq!(tags.len(), 5);
        assert!(tags.contains(&("Tag_Profile_IM_BirthDay".into(), 19_900_101.into())));
        let kept: Vec<(String, String)> = tags
            .into_iter()
            .map(|(t, v)| (t, v.to_string()))
            .chain([("Tag_Profile_Custom_Age".into(), "42".into())])
            .collect();
        let mut back =
            ProfileDetails::from_tags(kept.iter().map(|(t, v)| (t.as_str(), v.as_str())));
        assert_eq!(
            back.custom.pop(),
            Some(CustomField {
                key: "Tag_Profile_Custom_Age".into(),
                value: "42".into()
            }),
            "a number set through REST reads as its digits"
        );
        assert_eq!(back, details);
    }

    #[test]
    fn a_message_is_named_by_sender_composing_time_and_random() {
        let mut m = Message {
            key: MessageKey {
                id: 0,
                random: 7,
                time_s: 1_800_000_000,
            },
            from: UserId::parse("alice").unwrap(),
            to: UserId::parse("bob").unwrap(),
            time_ms: 1_800_000_000_500,
            client_time_s: 1_799_999_999,
            random: 7,
            elements: Vec::new(),
            cloud_custom_data: None,
            nick: String::new(),
            avatar: String::new(),
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: false,
            receipt_ms: 0,
        };
        let composed = m.id();
        assert_eq!(composed, "alice-1799999999-7");
        m.key.id = 42;
        assert_eq!(
            m.id(),
            composed,
            "numbering by the server does not change it"
        );
        m.client_time_s = 0;
        assert_eq!(
            m.id(),
            "42_7_1800000000",
            "stored without a composing time: the key"
        );
    }
}
