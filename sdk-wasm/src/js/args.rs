//! The app's arguments: every field that any call's options, a message payload or a message
//! object the SDK made can have, by its name in Tencent's SDK, read into one struct. Each call
//! takes the fields it needs and names a missing one ([`required`]).
//!
//! Why one struct: serde compiles its JSON reader into every type it reads, so some thirty small
//! option types carried some thirty readers. A name two calls share has one type here.

use super::convert::{from_js, invalid};
use protocol::push::Vendor;
use protocol::{CustomField, Element, UserId};
use serde::Deserialize;
use wasm_bindgen::JsValue;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct Args {
    // `create` and `login`.
    #[serde(rename = "SDKAppID")]
    pub sdk_app_id: Option<u64>,
    pub server: Option<String>,
    #[serde(rename = "userID")]
    pub user_id: Option<String>,
    pub user_sig: Option<String>,

    // Friends, the blacklist, friend groups, presence and push.
    #[serde(rename = "userIDList")]
    pub user_id_list: Option<Vec<String>>,
    pub to: Option<String>,
    pub remark: Option<String>,
    pub wording: Option<String>,
    pub source: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: Option<String>,
    pub message_remind_type: Option<String>,
    pub vendor: Option<Vendor>,
    pub service_worker_path: Option<String>,

    // `updateMyProfile`.
    pub nick: Option<String>,
    pub avatar: Option<String>,
    pub gender: Option<String>,
    pub birthday: Option<u32>,
    pub location: Option<String>,
    pub self_signature: Option<String>,
    pub allow_type: Option<String>,
    pub language: Option<u32>,
    pub message_settings: Option<u32>,
    pub level: Option<u32>,
    pub role: Option<u32>,
    pub profile_custom_field: Option<Vec<CustomField>>,

    // Conversations and history.
    #[serde(rename = "conversationID")]
    pub conversation_id: Option<String>,
    #[serde(rename = "conversationIDList")]
    pub conversation_id_list: Option<Vec<String>>,
    pub clear_history_message: Option<bool>,
    pub is_pinned: Option<bool>,
    pub draft_text: Option<String>,
    #[serde(rename = "nextReqMessageID")]
    pub next_req_message_id: Option<String>,
    pub count: Option<u32>,

    // Message objects.
    #[serde(rename = "ID")]
    pub id: Option<String>,
    pub sequence: Option<u64>,
    pub random: Option<u32>,
    pub time: Option<u64>,
    /// When the message was made, seconds since the Unix epoch (part of its ID).
    pub client_time: Option<u64>,
    pub version: Option<u32>,
    pub cloud_custom_data: Option<String>,
    pub elements: Option<Vec<Element>>,

    // Payloads of text, face, location and custom messages.
    pub text: Option<String>,
    pub index: Option<i64>,
    pub data: Option<String>,
    pub description: Option<String>,
    pub extension: Option<String>,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,

    // `sendMessage`.
    /// Delivered to the devices online now only: not stored, pushed or counted unread.
    pub online_user_only: Option<bool>,
    pub offline_push_info: Option<PushInfo>,

    // Searches.
    pub keyword_list: Option<Vec<String>>,
    /// `TYPES.KEYWORD_LIST_MATCH_TYPE_OR` (the default) or `_AND`.
    pub keyword_list_match_type: Option<u8>,
    #[serde(rename = "senderUserIDList")]
    pub sender_user_id_list: Option<Vec<String>>,
    /// `TYPES.MSG_TEXT` …
    pub message_type_list: Option<Vec<String>>,
    /// The newest time searched, seconds since the Unix epoch (0: now).
    pub time_position: Option<u64>,
    /// How far back from `timePosition`, in seconds (0: all the way).
    pub time_period: Option<u64>,
    /// The answer's `cursor`, for the next page ('' or absent: the first).
    pub cursor: Option<String>,
}

/// Tencent's web `OfflinePushInfo` (`sendMessage`'s option).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PushInfo {
    #[serde(default)]
    pub disable_push: bool,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub extension: String,
    #[serde(rename = "ignoreIOSBadge", default)]
    pub ignore_ios_badge: bool,
    #[serde(rename = "androidOPPOChannelID", default)]
    pub android_oppo_channel_id: String,
}

impl Args {
    /// Reads the app's object; `what` says what was expected, for the error.
    pub(super) fn read(value: &JsValue, what: &str) -> Result<Args, JsValue> {
        from_js(value, what)
    }

    /// `userIDList`, each checked.
    pub(super) fn users(self) -> Result<Vec<UserId>, JsValue> {
        user_ids(required(self.user_id_list, "options: userIDList")?)
    }
}

/// A field the call cannot do without; `what` names it (`"options: userID"`).
pub(super) fn required<T>(value: Option<T>, what: &str) -> Result<T, JsValue> {
    value.ok_or_else(|| invalid(format!("{what} is missing")))
}

/// A user ID the app gave, checked.
pub(super) fn user_id(id: String) -> Result<UserId, JsValue> {
    UserId::parse(id).map_err(|e| invalid(e.to_string()))
}

pub(super) fn user_ids(ids: Vec<String>) -> Result<Vec<UserId>, JsValue> {
    ids.into_iter().map(user_id).collect()
}
