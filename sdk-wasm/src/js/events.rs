//! The package's `EVENT` and `TYPES`, and the SDK's events as the app hears them.

use super::convert::to_js;
use super::held::Held;
use super::people::JsFriendGroup;
use super::shapes::{
    ApplicationList, JsMessage, JsMessageReactions, JsProfile, JsReadReceipt, JsReceiveOpt,
    JsUserStatus, Status, friend_list, listed_ids,
};
use crate::cache::indexeddb::IndexedDbCache;
use crate::client::Client;
use crate::event::Event;
use protocol::ConversationId;
use protocol::frame::KickCause;
use protocol::{Relation, UserId, mark};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Event names, as Tencent's web SDK spells them.
#[derive(Serialize)]
#[allow(non_snake_case)]
struct EventNames {
    SDK_READY: &'static str,
    SDK_NOT_READY: &'static str,
    SDK_DESTROY: &'static str,
    MESSAGE_RECEIVED: &'static str,
    MESSAGE_MODIFIED: &'static str,
    MESSAGE_REACTIONS_UPDATED: &'static str,
    USER_STATUS_UPDATED: &'static str,
    ALL_RECEIVE_MESSAGE_OPT_UPDATED: &'static str,
    MESSAGE_REVOKED: &'static str,
    MESSAGE_READ_BY_PEER: &'static str,
    MESSAGE_READ_RECEIPT_RECEIVED: &'static str,
    TYPING_STATUS_UPDATED: &'static str,
    CONVERSATION_LIST_UPDATED: &'static str,
    CONVERSATION_GROUP_LIST_UPDATED: &'static str,
    CONVERSATION_IN_GROUP_UPDATED: &'static str,
    TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: &'static str,
    PROFILE_UPDATED: &'static str,
    FRIEND_LIST_UPDATED: &'static str,
    FRIEND_APPLICATION_LIST_UPDATED: &'static str,
    FRIEND_GROUP_LIST_UPDATED: &'static str,
    BLACKLIST_UPDATED: &'static str,
    KICKED_OUT: &'static str,
    NET_STATE_CHANGE: &'static str,
    ERROR: &'static str,
}

const EVENT: EventNames = EventNames {
    SDK_READY: "sdkStateReady",
    SDK_NOT_READY: NOT_READY,
    SDK_DESTROY: DESTROY,
    MESSAGE_RECEIVED: "onMessageReceived",
    MESSAGE_MODIFIED: "onMessageModified",
    MESSAGE_REACTIONS_UPDATED: "onMessageReactionsUpdated",
    USER_STATUS_UPDATED: "onUserStatusUpdated",
    ALL_RECEIVE_MESSAGE_OPT_UPDATED: "onAllReceiveMessageOptUpdated",
    MESSAGE_REVOKED: "onMessageRevoked",
    MESSAGE_READ_BY_PEER: "onMessageReadByPeer",
    MESSAGE_READ_RECEIPT_RECEIVED: "onMessageReadReceiptReceived",
    TYPING_STATUS_UPDATED: "onTypingStatusUpdated",
    CONVERSATION_LIST_UPDATED: "onConversationListUpdated",
    CONVERSATION_GROUP_LIST_UPDATED: "onConversationGroupListUpdated",
    CONVERSATION_IN_GROUP_UPDATED: "onConversationInGroupUpdated",
    TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: "onTotalUnreadMessageCountUpdated",
    PROFILE_UPDATED: "onProfileUpdated",
    FRIEND_LIST_UPDATED: "onFriendListUpdated",
    FRIEND_APPLICATION_LIST_UPDATED: "onFriendApplicationListUpdated",
    FRIEND_GROUP_LIST_UPDATED: "onFriendGroupListUpdated",
    BLACKLIST_UPDATED: "blacklistUpdated",
    KICKED_OUT: "kickedOut",
    NET_STATE_CHANGE: "netStateChange",
    ERROR: "error",
};

/// Message types, the conversation type, the values of `KICKED_OUT`'s `type` and
/// `NET_STATE_CHANGE`'s `state`, the message remind types and the other values calls take, as
/// in Tencent's `TYPES`.
#[derive(Serialize)]
#[allow(non_snake_case)]
struct Types {
    MSG_TEXT: &'static str,
    MSG_FACE: &'static str,
    MSG_LOCATION: &'static str,
    MSG_CUSTOM: &'static str,
    MSG_IMAGE: &'static str,
    MSG_AUDIO: &'static str,
    MSG_FILE: &'static str,
    MSG_VIDEO: &'static str,
    MSG_SYSTEM: &'static str,
    MSG_PRIORITY_HIGH: &'static str,
    MSG_PRIORITY_NORMAL: &'static str,
    MSG_PRIORITY_LOW: &'static str,
    MSG_PRIORITY_LOWEST: &'static str,
    CONV_C2C: &'static str,
    CONV_GROUP: &'static str,
    CONV_SYSTEM: &'static str,
    CONV_MARK_TYPE_STAR: u8,
    CONV_MARK_TYPE_UNREAD: u8,
    CONV_MARK_TYPE_FOLD: u8,
    CONV_MARK_TYPE_HIDE: u8,
    KICKED_OUT_MULT_DEVICE: &'static str,
    KICKED_OUT_REST_API: &'static str,
    KICKED_OUT_USERSIG_EXPIRED: &'static str,
    NET_STATE_CONNECTED: &'static str,
    NET_STATE_CONNECTING: &'static str,
    NET_STATE_DISCONNECTED: &'static str,
    MSG_REMIND_ACPT_AND_NOTE: &'static str,
    MSG_REMIND_ACPT_NOT_NOTE: &'static str,
    MSG_REMIND_DISCARD: &'static str,
    SNS_APPLICATION_SENT_TO_ME: &'static str,
    SNS_APPLICATION_SENT_BY_ME: &'static str,
    SNS_APPLICATION_AGREE: &'static str,
    SNS_APPLICATION_AGREE_AND_ADD: &'static str,
    SNS_CHECK_TYPE_BOTH: &'static str,
    SNS_CHECK_TYPE_SINGLE: &'static str,
    SNS_TYPE_NO_RELATION: &'static str,
    SNS_TYPE_A_WITH_B: &'static str,
    SNS_TYPE_B_WITH_A: &'static str,
    SNS_TYPE_BOTH_WAY: &'static str,
    GENDER_UNKNOWN: &'static str,
    GENDER_FEMALE: &'static str,
    GENDER_MALE: &'static str,
    ALLOW_TYPE_NEED_CONFIRM: &'static str,
    ALLOW_TYPE_ALLOW_ANY: &'static str,
    ALLOW_TYPE_DENY_ANY: &'static str,
    USER_STATUS_UNKNOWN: u8,
    USER_STATUS_ONLINE: u8,
    USER_STATUS_OFFLINE: u8,
    KEYWORD_LIST_MATCH_TYPE_OR: u8,
    KEYWORD_LIST_MATCH_TYPE_AND: u8,
    READ_ALL_C2C_MSG: &'static str,
    READ_ALL_GROUP_MSG: &'static str,
    READ_ALL_MSG: &'static str,
}

const TYPES: Types = Types {
    MSG_TEXT: "TIMTextElem",
    MSG_FACE: "TIMFaceElem",
    MSG_LOCATION: "TIMLocationElem",
    MSG_CUSTOM: "TIMCustomElem",
    MSG_IMAGE: "TIMImageElem",
    MSG_AUDIO: "TIMSoundElem",
    MSG_FILE: "TIMFileElem",
    MSG_VIDEO: "TIMVideoFileElem",
    MSG_SYSTEM: "DuetSystemElem",
    // Tencent's priorities order a group's messages; `create…Message` takes them and, as
    // Tencent's does for one-to-one messages, keeps none: every message is `Normal`.
    MSG_PRIORITY_HIGH: "High",
    MSG_PRIORITY_NORMAL: super::shapes::PRIORITY_NORMAL,
    MSG_PRIORITY_LOW: "Low",
    MSG_PRIORITY_LOWEST: "Lowest",
    CONV_C2C: "C2C",
    // Tencent's other kinds, so that code written for its SDK is told they are not here.
    CONV_GROUP: "GROUP",
    CONV_SYSTEM: "@TIM#SYSTEM",
    CONV_MARK_TYPE_STAR: mark::STAR as u8,
    CONV_MARK_TYPE_UNREAD: mark::UNREAD as u8,
    CONV_MARK_TYPE_FOLD: mark::FOLD as u8,
    CONV_MARK_TYPE_HIDE: mark::HIDE as u8,
    KICKED_OUT_MULT_DEVICE: "multipleDevice",
    KICKED_OUT_REST_API: "REST_API_Kick",
    KICKED_OUT_USERSIG_EXPIRED: "userSigExpired",
    NET_STATE_CONNECTED: "connected",
    NET_STATE_CONNECTING: "connecting",
    NET_STATE_DISCONNECTED: "disconnected",
    MSG_REMIND_ACPT_AND_NOTE: REMIND_NOTIFY,
    MSG_REMIND_ACPT_NOT_NOTE: REMIND_SILENT,
    MSG_REMIND_DISCARD: "Discard",
    SNS_APPLICATION_SENT_TO_ME: APPLICATION_TO_ME,
    SNS_APPLICATION_SENT_BY_ME: APPLICATION_BY_ME,
    SNS_APPLICATION_AGREE: AGREE,
    SNS_APPLICATION_AGREE_AND_ADD: AGREE_AND_ADD,
    SNS_CHECK_TYPE_BOTH: CHECK_BOTH,
    SNS_CHECK_TYPE_SINGLE: CHECK_SINGLE,
    SNS_TYPE_NO_RELATION: "CheckResult_Type_NoRelation",
    SNS_TYPE_A_WITH_B: "CheckResult_Type_AWithB",
    SNS_TYPE_B_WITH_A: "CheckResult_Type_BWithA",
    SNS_TYPE_BOTH_WAY: "CheckResult_Type_BothWay",
    GENDER_UNKNOWN: super::shapes::GENDER_UNKNOWN,
    GENDER_FEMALE: "Gender_Type_Female",
    GENDER_MALE: "Gender_Type_Male",
    ALLOW_TYPE_NEED_CONFIRM: super::shapes::NEED_CONFIRM,
    ALLOW_TYPE_ALLOW_ANY: "AllowType_Type_AllowAny",
    ALLOW_TYPE_DENY_ANY: "AllowType_Type_DenyAny",
    USER_STATUS_UNKNOWN: super::shapes::STATUS_UNKNOWN,
    USER_STATUS_ONLINE: super::shapes::STATUS_ONLINE,
    USER_STATUS_OFFLINE: super::shapes::STATUS_OFFLINE,
    KEYWORD_LIST_MATCH_TYPE_OR: super::search::MATCH_ANY,
    KEYWORD_LIST_MATCH_TYPE_AND: super::search::MATCH_ALL,
    READ_ALL_C2C_MSG: READ_ALL_C2C,
    READ_ALL_GROUP_MSG: READ_ALL_GROUP,
    READ_ALL_MSG: READ_ALL,
};

/// `SDK_NOT_READY`: a sign-in ended (a logout, a kick).
pub(super) const NOT_READY: &str = "sdkStateNotReady";
/// `SDK_DESTROY`: `destroy` signed out and is about to forget the listeners.
pub(super) const DESTROY: &str = "sdkDestroy";

/// A friend application's `type`: to this user, or from it.
pub(super) const APPLICATION_TO_ME: &str = "Pendency_Type_ComeIn";
pub(super) const APPLICATION_BY_ME: &str = "Pendency_Type_SendOut";
/// `acceptFriendApplication`'s `type`: the applicant lists this user as a friend, and with
/// `AGREE_AND_ADD` this user lists the applicant too.
pub(super) const AGREE: &str = "Response_Action_Agree";
pub(super) const AGREE_AND_ADD: &str = "Response_Action_AgreeAndAdd";

/// `checkFriend`'s `type`: both users' lists, or this user's alone. The relations it answers
/// are `CHECK_PREFIX` and [`protocol::frame::check_word`]'s word.
pub(super) const CHECK_BOTH: &str = "CheckResult_Type_Both";
pub(super) const CHECK_SINGLE: &str = "CheckResult_Type_Single";
pub(super) const CHECK_PREFIX: &str = "CheckResult_Type_";

/// `setAllMessageRead`'s scopes: one-to-one conversations, groups (none in Duet), or all.
pub(super) const READ_ALL_C2C: &str = "readAllC2CMessage";
pub(super) const READ_ALL_GROUP: &str = "readAllGroupMessage";
pub(super) const READ_ALL: &str = "readAllMessage";

/// `setMessageRemindType`'s values that Duet has: notify, or receive without a notification.
pub(super) const REMIND_NOTIFY: &str = "AcceptAndNotify";
pub(super) const REMIND_SILENT: &str = "AcceptNotNotify";

/// The `EVENT` and `TYPES` constants of the package.
#[wasm_bindgen(js_name = constants)]
pub fn constants() -> JsValue {
    #[derive(Serialize)]
    #[allow(non_snake_case)]
    struct Constants {
        EVENT: EventNames,
        TYPES: Types,
    }
    to_js(&Constants { EVENT, TYPES })
}

/// What an event's `data` is for the app's listeners: an event name and its payload.
pub(super) struct Emit(pub &'static str, pub JsValue);

/// What an event changes of what the instance has told the app, as Tencent's SDK tells it:
/// only when it changes.
pub(super) struct News {
    /// The event makes the instance ready (the first `SdkReady` of a sign-in) or no longer
    /// ready (a kick): `SDK_READY`, `SDK_NOT_READY`.
    pub readiness: bool,
    /// The unread total, when the event changed it: `TOTAL_UNREAD_MESSAGE_COUNT_UPDATED`.
    pub unread: Option<u32>,
}

/// The app's events for one SDK event, told by `client` after it: how far each conversation
/// is read, which peers are muted and the friends' remarks.
pub(super) fn emits(
    event: Event,
    me: &UserId,
    client: &Client<IndexedDbCache>,
    held: &Held,
    news: News,
) -> Vec<Emit> {
    // Message objects are read as of their conversation's marks, the peer's at least
    // `peer_read` (an event's news, which the marks may not hold yet): they update the objects
    // the app holds.
    let messages = |list: &[protocol::Message], peer_read: u64| -> JsValue {
        let list: Vec<JsMessage> = list
            .iter()
            .map(|m| {
                let mut marks = client.known_read_marks(m.peer_of(me));
                marks.peer = marks.peer.max(peer_read);
                JsMessage::new(m, me, marks, Status::Success)
            })
            .collect();
        let list = to_js(&list);
        held.each(&list);
        list
    };

    let net = |state: &'static str| {
        #[derive(Serialize)]
        struct Net {
            state: &'static str,
        }
        Emit(EVENT.NET_STATE_CHANGE, to_js(&Net { state }))
    };
    match event {
        // Sent from another device of this user, or from this one's outbox with no send
        // awaiting it (an earlier page's): the user's own message, new to the app.
        Event::MessageReceived(list) => {
            vec![Emit(EVENT.MESSAGE_RECEIVED, messages(&list, 0))]
        }
        Event::MessageSent(m) => vec![Emit(
            EVENT.MESSAGE_RECEIVED,
            messages(std::slice::from_ref(&m), 0),
        )],
        // Message objects, as Tencent's SDK gives them; when this device holds none of the
        // messages concerned, the ID and conversation, which is all there is to say.
        Event::MessageRevoked { peer, key, message } => {
            let data = match message {
                Some(m) => messages(std::slice::from_ref(&m), 0),
                None => to_js(&[Reference {
                    id: key.to_string(),
                    conversation_id: ConversationId(peer),
                    is_revoked: Some(true),
                    is_peer_read: None,
                }]),
            };
            vec![Emit(EVENT.MESSAGE_REVOKED, data)]
        }
        Event::MessageReadByPeer {
            peer,
            up_to,
            messages: list,
        } => {
            let data = if list.is_empty() {
                to_js(&[Reference {
                    id: up_to.to_string(),
                    conversation_id: ConversationId(peer),
                    is_revoked: None,
                    is_peer_read: Some(true),
                }])
            } else {
                messages(&list, up_to.id)
            };
            vec![Emit(EVENT.MESSAGE_READ_BY_PEER, data)]
        }
        Event::MessageModified(m) => vec![Emit(
            EVENT.MESSAGE_MODIFIED,
            messages(std::slice::from_ref(&m), 0),
        )],
        Event::ReactionsUpdated(m, reactors) => {
            let data = JsMessageReactions::new(&m, me, usize::MAX, &reactors);
            vec![Emit(EVENT.MESSAGE_REACTIONS_UPDATED, to_js(&data))]
        }
        Event::ReadReceiptsReceived(list) => {
            let data: Vec<_> = list.iter().map(JsReadReceipt::new).collect();
            vec![Emit(EVENT.MESSAGE_READ_RECEIPT_RECEIVED, to_js(&data))]
        }
        Event::UserStatusUpdated(status) => {
            let data = [JsUserStatus::from(&status)];
            vec![Emit(EVENT.USER_STATUS_UPDATED, to_js(&data))]
        }
        Event::ReceiveOptUpdated(opt) => {
            let data = JsReceiveOpt::from(&opt);
            vec![Emit(EVENT.ALL_RECEIVE_MESSAGE_OPT_UPDATED, to_js(&data))]
        }
        Event::Typing { peer, typing } => {
            #[derive(Serialize)]
            struct Typing<'a> {
                #[serde(rename = "conversationID")]
                conversation_id: ConversationId,
                #[serde(rename = "userID")]
                user_id: &'a UserId,
                typing: bool,
            }
            let data = Typing {
                conversation_id: ConversationId(peer.clone()),
                user_id: &peer,
                typing,
            };
            vec![Emit(EVENT.TYPING_STATUS_UPDATED, to_js(&data))]
        }
        // Tencent's SDK has no event for it: the conversation list that follows shows it.
        Event::MessagesDeleted { .. } => Vec::new(),
        Event::ConversationListUpdated(list) => {
            // A read on another device: the messages the app holds are read there too. (Not
            // looked for while nothing is read, as in the sync of a new user's history.)
            if list.iter().any(|c| c.read_up_to > 0) {
                held.read(&|id| {
                    let peer = id.strip_prefix(ConversationId::PREFIX);
                    (list.iter())
                        .find(|c| peer == Some(c.peer.as_str()))
                        .map_or(0, |c| c.read_up_to)
                });
            }
            let convs: Vec<_> = list
                .iter()
                .map(|c| super::shapes::JsConversation::new(c, me, client))
                .collect();
            let mut emits = vec![Emit(EVENT.CONVERSATION_LIST_UPDATED, to_js(&convs))];
            if let Some(total) = news.unread {
                let total = JsValue::from(total);
                emits.push(Emit(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, total));
            }
            emits
        }
        Event::ConversationGroupsUpdated(names) => {
            vec![Emit(EVENT.CONVERSATION_GROUP_LIST_UPDATED, to_js(&names))]
        }
        Event::ConversationGroupUpdated {
            group,
            conversations,
        } => {
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct InGroup<'a> {
                group_name: String,
                conversation_list: Vec<super::shapes::JsConversation<'a>>,
            }
            let data = InGroup {
                group_name: group,
                conversation_list: conversations
                    .iter()
                    .map(|c| super::shapes::JsConversation::new(c, me, client))
                    .collect(),
            };
            vec![Emit(EVENT.CONVERSATION_IN_GROUP_UPDATED, to_js(&data))]
        }
        Event::ProfileUpdated(p) => {
            vec![Emit(EVENT.PROFILE_UPDATED, to_js(&[JsProfile::from(&p)]))]
        }
        Event::RelationsUpdated(Relation::Blacklist, list) => {
            vec![Emit(EVENT.BLACKLIST_UPDATED, to_js(&listed_ids(&list)))]
        }
        // The client answers the friend list's with `FriendListUpdated`; Tencent's SDK has no
        // event for the muted list, and applications come as `FriendApplicationsUpdated`.
        Event::RelationsUpdated(..) => Vec::new(),
        Event::FriendListUpdated(friends) => {
            vec![Emit(
                EVENT.FRIEND_LIST_UPDATED,
                to_js(&friend_list(&friends)),
            )]
        }
        // The client answers it with `FriendGroupsUpdated`.
        Event::FriendGroupsChanged => Vec::new(),
        Event::FriendGroupsUpdated(groups) => {
            let groups: Vec<JsFriendGroup> = groups.iter().map(JsFriendGroup::from).collect();
            vec![Emit(EVENT.FRIEND_GROUP_LIST_UPDATED, to_js(&groups))]
        }
        Event::FriendApplicationsUpdated(all) => vec![Emit(
            EVENT.FRIEND_APPLICATION_LIST_UPDATED,
            to_js(&ApplicationList::new(&all)),
        )],
        // Each connection's first sync; the first of a sign-in is `SDK_READY` as well.
        Event::SdkReady => {
            let mut emits = vec![net(TYPES.NET_STATE_CONNECTED)];
            if news.readiness {
                emits.push(Emit(EVENT.SDK_READY, JsValue::NULL));
            }
            emits
        }
        Event::KickedOut(cause) => {
            #[derive(Serialize)]
            struct Kicked {
                #[serde(rename = "type")]
                kind: &'static str,
            }
            let kind = match cause {
                KickCause::SignedInElsewhere => TYPES.KICKED_OUT_MULT_DEVICE,
                KickCause::AccountDeleted => TYPES.KICKED_OUT_REST_API,
                KickCause::UserSigExpired => TYPES.KICKED_OUT_USERSIG_EXPIRED,
                KickCause::KickedByBackend => TYPES.KICKED_OUT_REST_API,
            };
            let mut emits = vec![Emit(EVENT.KICKED_OUT, to_js(&Kicked { kind }))];
            if news.readiness {
                emits.push(Emit(EVENT.SDK_NOT_READY, JsValue::NULL));
            }
            emits
        }
        // The client reconnects by itself: the instance stays ready, as Tencent's does.
        Event::Disconnected => vec![net(TYPES.NET_STATE_DISCONNECTED)],
        Event::Reconnecting => vec![net(TYPES.NET_STATE_CONNECTING)],
        Event::SendFailed { error, .. } | Event::Error(error) => {
            vec![Emit(EVENT.ERROR, to_js(&ErrorData::from(&error)))]
        }
    }
}

/// A message named by ID, when the device holds no copy of it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Reference {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "conversationID")]
    conversation_id: ConversationId,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_revoked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_peer_read: Option<bool>,
}

#[derive(Serialize)]
struct ErrorData<'a> {
    code: u32,
    message: &'a str,
}

impl<'a> From<&'a crate::error::SdkError> for ErrorData<'a> {
    fn from(e: &'a crate::error::SdkError) -> Self {
        Self {
            code: e.code.0,
            message: &e.message,
        }
    }
}
