//! The objects the app sees, in the shape of Tencent's web SDK: message, conversation, profile
//! and the friend list and blacklist. Typed here, turned into JavaScript by
//! [`super::convert::to_js`].

use crate::cache::indexeddb::IndexedDbCache;
use crate::client::{Client, ReadMarks};
use crate::event::{Applications, Friend};
use protocol::presence::{Presence, UserStatus};
use protocol::push::ReceiveOpt;
use protocol::{
    Conversation, ConversationId, CustomField, Element, Message, Profile, ProfileDetails,
    RelationEntry, UserId,
};
use serde::Serialize;

/// Where a message stands, as Tencent's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    #[serde(rename = "unSend")]
    Unsent,
    #[serde(rename = "success")]
    Success,
    #[serde(rename = "fail")]
    Fail,
}

/// A message object.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsMessage<'a> {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub payload: Payload<'a>,
    #[serde(rename = "conversationID")]
    pub conversation_id: ConversationId,
    pub conversation_type: &'static str,
    pub from: &'a UserId,
    pub to: &'a UserId,
    pub flow: &'static str,
    /// Seconds since the Unix epoch: the server's time once sent, the composing time before.
    pub time: u64,
    /// When it was composed, by the sender's clock (seconds).
    pub client_time: u64,
    pub sequence: u64,
    pub random: u32,
    pub status: Status,
    pub is_read: bool,
    pub is_peer_read: bool,
    pub is_revoked: bool,
    /// How many times it was edited (0: never); `modifyMessage` edits from this version.
    pub version: u32,
    /// Edited at least once (Tencent's name for `version` > 0).
    pub is_modified: bool,
    /// When it was last edited, seconds since the Unix epoch (0: never).
    pub modified_time: u64,
    pub nick: &'a str,
    pub avatar: &'a str,
    pub cloud_custom_data: &'a str,
    /// The elements in the REST API's shape, for apps that read them directly.
    pub elements: &'a [Element],
    /// The sender asked for a read receipt (`sendMessageReadReceipt`).
    pub need_read_receipt: bool,
    pub read_receipt_info: ReadReceiptInfo,
    /// Who recalled it: its sender, who alone may (the app's backend recalls on the sender's
    /// behalf, `admin_msgwithdraw`); empty while it stands.
    pub revoker: &'a str,
    pub revoker_info: UserInfo<'a>,
    /// Tencent's fields for what a one-to-one Duet message never has (a priority, group
    /// name cards and mentions, broadcasts, extensions, a moderation verdict, a recall's
    /// reason): their values for none, so that code reading them finds what it expects.
    pub priority: &'static str,
    pub name_card: &'static str,
    pub at_user_list: [&'static str; 0],
    pub is_broadcast_message: bool,
    pub is_support_extension: bool,
    pub has_risk_content: bool,
    pub revoke_reason: &'static str,
    /// `deleteMessage` sets it on the objects it was given.
    pub is_deleted: bool,
    /// Only in a conversation's `lastMessage`: what Tencent's conversation list reads there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_time: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sequence: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_account: Option<&'a UserId>,
    /// The message in a few words ([`crate::reply::summary`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_for_show: Option<&'a str>,
}

impl<'a> JsMessage<'a> {
    /// `m` as `me` sees it; `marks` tell what is read.
    pub fn new(m: &'a Message, me: &UserId, marks: ReadMarks, status: Status) -> Self {
        let peer = m.peer_of(me).clone();
        let revoker = match m.recalled {
            true => UserInfo {
                user_id: m.from.as_str(),
                nick: &m.nick,
                avatar: &m.avatar,
            },
            false => UserInfo::default(),
        };
        let (kind, payload) = match m.elements.first() {
            Some(e) => (e.type_name(), Payload::of(e)),
            None => ("TIMTextElem", Payload::Text { text: "" }),
        };
        Self {
            id: m.id(),
            kind,
            payload,
            conversation_id: ConversationId(peer),
            conversation_type: "C2C",
            from: &m.from,
            to: &m.to,
            flow: if &m.from == me { "out" } else { "in" },
            time: m.time_ms / 1000,
            client_time: m.client_time_s,
            sequence: m.key.id,
            random: m.random,
            status,
            is_read: marks.is_read(m, me),
            is_peer_read: marks.is_peer_read(m, me),
            is_revoked: m.recalled,
            version: m.version,
            is_modified: m.version > 0,
            modified_time: m.edited_ms / 1000,
            nick: &m.nick,
            avatar: &m.avatar,
            cloud_custom_data: m.cloud_custom_data.as_deref().unwrap_or_default(),
            elements: &m.elements,
            need_read_receipt: m.need_read_receipt,
            read_receipt_info: ReadReceiptInfo::of(m),
            revoker: revoker.user_id,
            revoker_info: revoker,
            priority: PRIORITY_NORMAL,
            name_card: "",
            at_user_list: [],
            is_broadcast_message: false,
            is_support_extension: false,
            has_risk_content: false,
            revoke_reason: "",
            is_deleted: false,
            last_time: None,
            last_sequence: None,
            from_account: None,
            message_for_show: None,
        }
    }

    /// `m` as a conversation's `lastMessage`.
    fn last(m: &'a Message, me: &UserId, marks: ReadMarks) -> Self {
        let message = Self::new(m, me, marks, Status::Success);
        Self {
            last_time: Some(message.time),
            last_sequence: Some(message.sequence),
            from_account: Some(message.from),
            message_for_show: Some(crate::reply::summary(m).1),
            ..message
        }
    }
}

/// A message's `payload`, by type, with Tencent's field names.
#[derive(Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub enum Payload<'a> {
    Text {
        text: &'a str,
    },
    Face {
        index: i64,
        data: &'a str,
    },
    Location {
        description: &'a str,
        longitude: f64,
        latitude: f64,
    },
    Custom {
        data: &'a str,
        description: &'a str,
        extension: &'a str,
    },
    System {
        text: &'a str,
        data: &'a str,
    },
    Image {
        uuid: &'a str,
        image_format: u32,
        image_info_array: Vec<ImageInfo<'a>>,
    },
    Sound {
        url: &'a str,
        uuid: &'a str,
        size: u64,
        second: u32,
        download_flag: u32,
    },
    File {
        file_url: &'a str,
        uuid: &'a str,
        file_name: &'a str,
        file_size: u64,
        download_flag: u32,
    },
    Video {
        video_url: &'a str,
        #[serde(rename = "videoUUID")]
        video_uuid: &'a str,
        video_size: u64,
        video_second: u32,
        video_format: &'a str,
        thumb_url: &'a str,
        #[serde(rename = "thumbUUID")]
        thumb_uuid: &'a str,
        thumb_size: u64,
        thumb_width: u32,
        thumb_height: u32,
    },
    /// A media message before its upload: the file chosen.
    Upload {
        file_name: &'a str,
        file_size: u64,
    },
    /// An element of a kind this SDK does not know (`type` is its `MsgType`): `{}`.
    Unsupported {},
}

#[derive(Serialize)]
pub struct ImageInfo<'a> {
    #[serde(rename = "type")]
    kind: u8,
    size: u64,
    width: u32,
    height: u32,
    url: &'a str,
}

impl<'a> Payload<'a> {
    fn of(e: &'a Element) -> Self {
        match e {
            Element::Text(t) => Payload::Text { text: &t.text },
            Element::Face(f) => Payload::Face {
                index: f.index,
                data: &f.data,
            },
            Element::Location(l) => Payload::Location {
                description: &l.desc,
                longitude: l.longitude,
                latitude: l.latitude,
            },
            Element::Custom(c) => Payload::Custom {
                data: &c.data,
                description: &c.desc,
                extension: &c.ext,
            },
            Element::System(s) => Payload::System {
                text: &s.text,
                data: &s.data,
            },
            Element::Image(i) => Payload::Image {
                uuid: &i.uuid,
                image_format: i.image_format,
                image_info_array: i
                    .image_info_array
                    .iter()
                    .map(|x| ImageInfo {
                        kind: x.kind,
                        size: x.size,
                        width: x.width,
                        height: x.height,
                        url: &x.url,
                    })
                    .collect(),
            },
            Element::Sound(a) => Payload::Sound {
                url: &a.url,
                uuid: &a.uuid,
                size: a.size,
                second: a.second,
                download_flag: a.download_flag,
            },
            Element::File(f) => Payload::File {
                file_url: &f.url,
                uuid: &f.uuid,
                file_name: &f.file_name,
                file_size: f.file_size,
                download_flag: f.download_flag,
            },
            Element::Unknown(_) => Payload::Unsupported {},
            Element::Video(v) => Payload::Video {
                video_url: &v.video_url,
                video_uuid: &v.video_uuid,
                video_size: v.video_size,
                video_second: v.video_second,
                video_format: &v.video_format,
                thumb_url: &v.thumb_url,
                thumb_uuid: &v.thumb_uuid,
                thumb_size: v.thumb_size,
                thumb_width: v.thumb_width,
                thumb_height: v.thumb_height,
            },
        }
    }
}

/// A user's profile, in Tencent's fields; unset ones read as Tencent's defaults.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsProfile<'a> {
    #[serde(rename = "userID")]
    pub user_id: &'a UserId,
    pub nick: &'a str,
    pub avatar: &'a str,
    gender: &'a str,
    birthday: u32,
    location: &'a str,
    self_signature: &'a str,
    allow_type: &'a str,
    language: u32,
    message_settings: u32,
    admin_forbid_type: &'static str,
    level: u32,
    role: u32,
    profile_custom_field: &'a [CustomField],
}

/// What an unset gender and `AllowType` read as (Tencent's defaults).
pub(super) const GENDER_UNKNOWN: &str = "Gender_Type_Unknown";
pub(super) const NEED_CONFIRM: &str = "AllowType_Type_NeedConfirm";

/// The details of a profile known only by its nickname and avatar (a conversation's peer).
static NO_DETAILS: ProfileDetails = ProfileDetails {
    gender: None,
    birthday: None,
    location: None,
    self_signature: None,
    allow_type: None,
    language: None,
    message_settings: None,
    level: None,
    role: None,
    custom: Vec::new(),
};

impl<'a> JsProfile<'a> {
    pub fn new(user_id: &'a UserId, nick: &'a str, avatar: &'a str, d: &'a ProfileDetails) -> Self {
        let number = |n: Option<u32>| n.unwrap_or(0);
        Self {
            user_id,
            nick,
            avatar,
            gender: d.gender.as_deref().unwrap_or(GENDER_UNKNOWN),
            birthday: number(d.birthday),
            location: d.location.as_deref().unwrap_or(""),
            self_signature: d.self_signature.as_deref().unwrap_or(""),
            allow_type: d
                .allow_type
                .as_deref()
                .unwrap_or("AllowType_Type_NeedConfirm"),
            language: number(d.language),
            message_settings: number(d.message_settings),
            admin_forbid_type: "AdminForbid_Type_None",
            level: number(d.level),
            role: number(d.role),
            profile_custom_field: &d.custom,
        }
    }
}

impl<'a> From<&'a Profile> for JsProfile<'a> {
    fn from(p: &'a Profile) -> Self {
        Self::new(&p.user_id, &p.nick, &p.avatar, &p.details)
    }
}

/// A conversation object.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsConversation<'a> {
    #[serde(rename = "conversationID")]
    pub conversation_id: ConversationId,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub unread_count: u32,
    pub last_message: Option<JsMessage<'a>>,
    pub user_profile: JsProfile<'a>,
    /// Seconds since the Unix epoch.
    pub updated_time: u64,
    /// The peer's remark as this user's friend (`updateFriend`), `''` for none.
    pub remark: String,
    /// `AcceptNotNotify` when muted (`setMessageRemindType`), else `AcceptAndNotify`.
    pub message_remind_type: &'static str,
    /// Pinned with `pinConversation`: first in the list, on every device.
    pub is_pinned: bool,
    /// The text being written, kept with `setConversationDraft` for every device.
    pub draft_text: &'a str,
    /// Its marks (`markConversation`), each a power of two, lowest first.
    pub mark_list: Vec<u64>,
    /// The app's own data about it (`setConversationCustomData`).
    pub custom_data: &'a str,
    /// The conversation groups it is in (`addConversationsToGroup`), in the order it joined.
    pub conversation_group_list: &'a [String],
}

impl<'a> JsConversation<'a> {
    /// `c` as `me` sees it; `client` tells whether its peer is muted and the peer's remark.
    pub fn new(c: &'a Conversation, me: &UserId, client: &Client<IndexedDbCache>) -> Self {
        let marks = ReadMarks {
            mine: c.read_up_to,
            peer: c.peer_read_up_to,
        };
        Self {
            conversation_id: ConversationId(c.peer.clone()),
            kind: "C2C",
            unread_count: c.unread,
            last_message: c
                .last_message
                .as_ref()
                .map(|m| JsMessage::last(m, me, marks)),
            user_profile: JsProfile::new(&c.peer, &c.peer_nick, &c.peer_avatar, &NO_DETAILS),
            updated_time: c.updated_ms / 1000,
            remark: client.remark_of(&c.peer),
            message_remind_type: match client.is_muted(&c.peer) {
                true => super::events::REMIND_SILENT,
                false => super::events::REMIND_NOTIFY,
            },
            is_pinned: c.pinned,
            draft_text: &c.draft,
            mark_list: (0..64)
                .map(|bit| 1 << bit)
                .filter(|mark| c.marks & mark != 0)
                .collect(),
            custom_data: &c.custom_data,
            conversation_group_list: &c.conversation_groups,
        }
    }
}

/// A friend as Tencent's `Friend` has it: `{ userID, remark, groupList, source, wording,
/// profile, friendCustomField }` (Duet keeps no custom friend fields: always empty).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsFriend<'a> {
    #[serde(rename = "userID")]
    user_id: &'a UserId,
    remark: &'a str,
    group_list: &'a [String],
    source: &'a str,
    wording: &'a str,
    profile: JsProfile<'a>,
    friend_custom_field: &'static [String],
}

impl<'a> From<&'a Friend> for JsFriend<'a> {
    fn from(f: &'a Friend) -> Self {
        JsFriend {
            user_id: &f.entry.user_id,
            remark: &f.entry.fields.remark,
            group_list: &f.groups,
            source: &f.entry.fields.source,
            wording: &f.entry.fields.wording,
            profile: JsProfile::from(&f.profile),
            friend_custom_field: &[],
        }
    }
}

/// A friend list, as `getFriendList` and `FRIEND_LIST_UPDATED` give it.
pub fn friend_list(friends: &[Friend]) -> Vec<JsFriend<'_>> {
    friends.iter().map(JsFriend::from).collect()
}

/// A blacklist: `[userID]`, as Tencent's SDK gives it.
pub fn listed_ids(entries: &[RelationEntry]) -> Vec<&UserId> {
    entries.iter().map(|e| &e.user_id).collect()
}

/// `getFriendApplicationList()`'s answer and `FRIEND_APPLICATION_LIST_UPDATED`'s payload:
/// `{ applicationList: [{ userID, type, time, wording, source }], unreadCount }`, the
/// applications to this user first. `unreadCount` counts those not read yet
/// (`setFriendApplicationRead`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationList<'a> {
    application_list: Vec<Application<'a>>,
    unread_count: usize,
}

#[derive(Serialize)]
struct Application<'a> {
    #[serde(rename = "userID")]
    user_id: &'a UserId,
    #[serde(rename = "type")]
    kind: &'static str,
    /// Seconds since the Unix epoch.
    time: u64,
    wording: &'a str,
    source: &'a str,
}

impl<'a> ApplicationList<'a> {
    pub fn new(all: &'a Applications) -> Self {
        let received = all
            .received
            .iter()
            .map(|e| (e, super::events::APPLICATION_TO_ME));
        let sent = all
            .sent
            .iter()
            .map(|e| (e, super::events::APPLICATION_BY_ME));
        Self {
            application_list: received
                .chain(sent)
                .map(|(e, kind)| Application {
                    user_id: &e.user_id,
                    kind,
                    time: e.since_ms / 1000,
                    wording: &e.fields.wording,
                    source: &e.fields.source,
                })
                .collect(),
            unread_count: all.received.iter().filter(|e| !e.read).count(),
        }
    }
}

/// One reaction on a message, as Tencent's `ReactionInfo`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsReaction<'a> {
    #[serde(rename = "reactionID")]
    pub reaction_id: &'a str,
    pub total_user_count: usize,
    pub partial_user_list: Vec<JsReactionUser<'a>>,
    pub reacted_by_myself: bool,
}

/// A user who reacted, with the nickname and avatar the device knows for it (empty when it
/// knows none: `getUserProfile` reads them).
#[derive(Serialize)]
pub struct JsReactionUser<'a> {
    #[serde(rename = "userID")]
    pub user_id: &'a UserId,
    pub nick: &'a str,
    pub avatar: &'a str,
}

impl<'a> JsReactionUser<'a> {
    /// `user`, named as `reactors` has it.
    pub fn new(user: &'a UserId, reactors: &'a [Profile]) -> Self {
        let known = reactors.iter().find(|p| &p.user_id == user);
        JsReactionUser {
            user_id: user,
            nick: known.map_or("", |p| p.nick.as_str()),
            avatar: known.map_or("", |p| p.avatar.as_str()),
        }
    }
}

impl<'a> JsReaction<'a> {
    /// The reactions of `m` as `me` sees them, each with at most `max_users` users, named as
    /// `reactors` has them.
    pub fn list(
        m: &'a Message,
        me: &UserId,
        max_users: usize,
        reactors: &'a [Profile],
    ) -> Vec<Self> {
        m.reactions
            .iter()
            .map(|r| JsReaction {
                reaction_id: &r.id,
                total_user_count: r.users.len(),
                partial_user_list: r
                    .users
                    .iter()
                    .take(max_users)
                    .map(|u| JsReactionUser::new(u, reactors))
                    .collect(),
                reacted_by_myself: r.users.contains(me),
            })
            .collect()
    }
}

/// A message's priority (Tencent's `TYPES.MSG_PRIORITY_NORMAL`): one-to-one messages have no
/// other.
pub const PRIORITY_NORMAL: &str = "Normal";

/// Who someone is, as Tencent's `UserInfo` (a message's `revokerInfo`).
#[derive(Serialize, Default, Clone, Copy)]
pub struct UserInfo<'a> {
    #[serde(rename = "userID")]
    pub user_id: &'a str,
    pub nick: &'a str,
    pub avatar: &'a str,
}

/// The recipient's read receipt of a one-to-one message, as Tencent's `readReceiptInfo`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadReceiptInfo {
    pub is_peer_read: bool,
    /// When the receipt was sent, seconds since the Unix epoch (0: not yet).
    pub timestamp: u64,
}

impl ReadReceiptInfo {
    pub fn of(m: &Message) -> Self {
        Self {
            is_peer_read: m.receipt_ms != 0,
            timestamp: m.receipt_ms / 1000,
        }
    }
}

/// An entry of `MESSAGE_READ_RECEIPT_RECEIVED`'s data: the peer read this message of the
/// user's and sent its receipt.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsReadReceipt<'a> {
    #[serde(rename = "userID")]
    pub user_id: &'a UserId,
    #[serde(rename = "messageID")]
    pub message_id: String,
    #[serde(rename = "conversationID")]
    pub conversation_id: ConversationId,
    pub is_peer_read: bool,
    pub timestamp: u64,
}

impl<'a> JsReadReceipt<'a> {
    /// The receipt of `m`, a message of the user's to its peer.
    pub fn new(m: &'a Message) -> Self {
        let info = ReadReceiptInfo::of(m);
        Self {
            user_id: &m.to,
            message_id: m.id(),
            conversation_id: ConversationId(m.to.clone()),
            is_peer_read: info.is_peer_read,
            timestamp: info.timestamp,
        }
    }
}

/// A message's reactions: `MESSAGE_REACTIONS_UPDATED`'s data, and an entry of
/// `getMessageReactions`' `resultList`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsMessageReactions<'a> {
    #[serde(rename = "messageID")]
    pub message_id: String,
    #[serde(rename = "conversationID")]
    pub conversation_id: ConversationId,
    pub reaction_list: Vec<JsReaction<'a>>,
}

impl<'a> JsMessageReactions<'a> {
    pub fn new(m: &'a Message, me: &UserId, max_users: usize, reactors: &'a [Profile]) -> Self {
        Self {
            message_id: m.id(),
            conversation_id: ConversationId(m.peer_of(me).clone()),
            reaction_list: JsReaction::list(m, me, max_users, reactors),
        }
    }
}

/// Tencent's `statusType` values.
pub const STATUS_UNKNOWN: u8 = 0;
pub const STATUS_ONLINE: u8 = 1;
pub const STATUS_OFFLINE: u8 = 2;

/// A user's presence, as Tencent's `UserStatus`, with when it was last seen.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsUserStatus<'a> {
    #[serde(rename = "userID")]
    pub user_id: &'a UserId,
    pub status_type: u8,
    pub custom_status: &'a str,
    /// When its last device went offline, seconds since the Unix epoch (0: unknown, or online).
    pub last_seen_time: u64,
}

impl<'a> From<&'a UserStatus> for JsUserStatus<'a> {
    fn from(s: &'a UserStatus) -> Self {
        Self {
            user_id: &s.user_id,
            status_type: match s.presence {
                Presence::Unknown => STATUS_UNKNOWN,
                Presence::Online => STATUS_ONLINE,
                Presence::Offline => STATUS_OFFLINE,
            },
            custom_status: &s.custom_status,
            last_seen_time: s.last_seen_ms / 1000,
        }
    }
}

/// Quiet hours for offline push, as Tencent's `getAllReceiveMessageOpt` gives them: the remind
/// type (`TYPES.MSG_REMIND_ACPT_NOT_NOTE` while set), the window's start and end in seconds
/// since the Unix epoch, and whether it repeats daily.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsReceiveOpt {
    pub message_remind_type: &'static str,
    pub start_time: u64,
    pub end_time: u64,
    pub is_repeated: bool,
}

impl From<&ReceiveOpt> for JsReceiveOpt {
    fn from(o: &ReceiveOpt) -> Self {
        Self {
            message_remind_type: match o.quiet {
                true => super::events::REMIND_SILENT,
                false => super::events::REMIND_NOTIFY,
            },
            start_time: o.start_s,
            end_time: o.end_s,
            is_repeated: o.repeated,
        }
    }
}
