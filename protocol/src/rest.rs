//! REST API bodies (`POST /v4/<service>/<command>`), in Tencent IM's v4 shape and field names so
//! that a backend written against Tencent's REST documentation works unchanged. Every reply is
//! [`RestReply`]: the common status fields flattened with the command's own fields.
//!
//! Requests ignore fields they do not know (Tencent backends send optional extras); fields of
//! the wrong type are refused.

use crate::element::Element;
use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `ActionStatus`, `ErrorCode`, `ErrorInfo`: present in every reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Status {
    #[serde(rename = "ActionStatus")]
    pub action_status: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: ErrorCode,
    #[serde(rename = "ErrorInfo")]
    pub error_info: String,
}

impl Status {
    pub fn ok() -> Self {
        Self {
            action_status: "OK".into(),
            error_code: ErrorCode(0),
            error_info: String::new(),
        }
    }

    pub fn fail(code: ErrorCode, info: impl Into<String>) -> Self {
        Self {
            action_status: "FAIL".into(),
            error_code: code,
            error_info: info.into(),
        }
    }
}

/// A reply: the status and the command's fields side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(inline))]
pub struct RestReply<T> {
    #[serde(flatten)]
    pub status: Status,
    #[serde(flatten)]
    pub body: T,
}

/// A reply with no fields of its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Empty {}

/// A per-account outcome, as several commands list them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountResult {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    #[serde(rename = "ResultInfo")]
    pub result_info: String,
}

// ---- im_open_login_svc -------------------------------------------------------------------

/// `im_open_login_svc/account_import`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountImport {
    /// `Identifier` in Tencent's older documentation, still sent by many backends.
    #[serde(rename = "UserID", alias = "Identifier")]
    pub user_id: String,
    #[serde(rename = "Nick", default)]
    pub nick: Option<String>,
    #[serde(rename = "FaceUrl", default)]
    pub face_url: Option<String>,
}

/// `im_open_login_svc/multiaccount_import`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MultiAccountImport {
    #[serde(rename = "Accounts")]
    pub accounts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MultiAccountImportReply {
    #[serde(rename = "FailAccounts")]
    pub fail_accounts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserIdItem {
    #[serde(rename = "UserID")]
    pub user_id: String,
}

/// `im_open_login_svc/account_check`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountCheck {
    #[serde(rename = "CheckItem")]
    pub check_item: Vec<UserIdItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountCheckItem {
    #[serde(rename = "UserID")]
    pub user_id: String,
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    #[serde(rename = "ResultInfo")]
    pub result_info: String,
    /// `Imported` or `NotImported`.
    #[serde(rename = "AccountStatus")]
    pub account_status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountCheckReply {
    #[serde(rename = "ResultItem")]
    pub result_item: Vec<AccountCheckItem>,
}

/// `im_open_login_svc/kick`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Kick {
    #[serde(rename = "UserID", alias = "Identifier")]
    pub user_id: String,
}

/// `im_open_login_svc/account_delete`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountDelete {
    #[serde(rename = "DeleteItem")]
    pub delete_item: Vec<UserIdItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountDeleteItem {
    #[serde(rename = "UserID")]
    pub user_id: String,
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    #[serde(rename = "ResultInfo")]
    pub result_info: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountDeleteReply {
    #[serde(rename = "ResultItem")]
    pub result_item: Vec<AccountDeleteItem>,
}

// ---- openim ------------------------------------------------------------------------------

/// `openim/sendmsg`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SendMsg {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(flatten)]
    pub msg: MsgFields,
}

/// `openim/batchsendmsg`: `sendmsg` to up to 500 recipients.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BatchSendMsg {
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    #[serde(flatten)]
    pub msg: MsgFields,
}

/// The fields `sendmsg` and `batchsendmsg` share.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MsgFields {
    /// 1 (default): also into the sender's message sync; 2: not.
    #[serde(rename = "SyncOtherMachine", default)]
    pub sync_other_machine: Option<u8>,
    /// Absent: sent as the administrator. Present: sent as this user.
    #[serde(rename = "From_Account", default)]
    pub from_account: Option<String>,
    #[serde(rename = "MsgLifeTime", default)]
    pub msg_life_time: Option<u32>,
    #[serde(rename = "MsgRandom")]
    pub msg_random: u32,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<Element>,
    #[serde(rename = "CloudCustomData", default)]
    pub cloud_custom_data: Option<String>,
    /// `NoUnread`, `NoLastMsg`, and Duet's `SkipRelationCheck`.
    #[serde(rename = "SendMsgControl", default)]
    pub send_msg_control: Vec<String>,
    /// The app backend's webhooks this message skips: `ForbidBeforeSendMsgCallback`,
    /// `ForbidAfterSendMsgCallback` (`sendmsg` only; `batchsendmsg` calls none).
    #[serde(rename = "ForbidCallbackControl", default)]
    pub forbid_callback_control: Vec<String>,
    /// How to notify a recipient with no device online.
    #[serde(rename = "OfflinePushInfo", default)]
    pub offline_push_info: Option<crate::push::OfflinePushInfo>,
    /// 1: ask the recipient for a read receipt (the name Tencent's group sends give it); 0
    /// (default): not.
    #[serde(rename = "IsNeedReadReceipt", default)]
    pub is_need_read_receipt: Option<u8>,
}

/// `openim/importmsg`: a message from an earlier system, stored at its own time.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportMsg {
    /// 1: counts as unread for the recipient (a recent message); 2: history, read.
    #[serde(rename = "SyncFromOldSystem")]
    pub sync_from_old_system: u8,
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "MsgRandom")]
    pub msg_random: u32,
    /// When it was sent, Unix seconds.
    #[serde(rename = "MsgTimeStamp")]
    pub msg_time_stamp: u64,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<Element>,
    #[serde(rename = "CloudCustomData", default)]
    pub cloud_custom_data: Option<String>,
    /// Accepted for compatibility: Duet has no message extensions.
    #[serde(rename = "SupportMessageExtension", default)]
    pub support_message_extension: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SendMsgReply {
    /// Send time, Unix seconds.
    #[serde(rename = "MsgTime")]
    pub msg_time: u64,
    #[serde(rename = "MsgKey")]
    pub msg_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BatchError {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: ErrorCode,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BatchKey {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "MsgKey")]
    pub msg_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BatchSendMsgReply {
    /// The key of the first message stored (Tencent returns one key per batch).
    #[serde(rename = "MsgKey")]
    pub msg_key: String,
    /// Recipients that did not get the message, with why.
    #[serde(rename = "ErrorList")]
    pub error_list: Vec<BatchError>,
    /// Duet: every stored message's key, by recipient, for recall.
    #[serde(rename = "MsgKeyList")]
    pub msg_key_list: Vec<BatchKey>,
}

/// `openim/admin_getroammsg`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetRoamMsg {
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
    #[serde(rename = "MaxCnt")]
    pub max_cnt: u32,
    /// Unix seconds, inclusive.
    #[serde(rename = "MinTime")]
    pub min_time: u64,
    #[serde(rename = "MaxTime")]
    pub max_time: u64,
    /// Continue before this message (the previous page's `LastMsgKey`).
    #[serde(rename = "LastMsgKey", default)]
    pub last_msg_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RoamMsg {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "MsgSeq")]
    pub msg_seq: u64,
    #[serde(rename = "MsgRandom")]
    pub msg_random: u32,
    #[serde(rename = "MsgTimeStamp")]
    pub msg_time_stamp: u64,
    #[serde(rename = "IsPeerRead")]
    pub is_peer_read: u8,
    #[serde(flatten)]
    pub stored: StoredMsg,
}

/// What every listing of stored messages (roaming history, the export, the hourly history
/// files) says of a message besides its ends and its time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StoredMsg {
    /// Names the message to `admin_msgwithdraw` and the other commands that take a `MsgKey`.
    #[serde(rename = "MsgKey")]
    pub msg_key: String,
    /// 0 normal, 3 recalled (its `MsgBody` is then empty).
    #[serde(rename = "MsgFlagBits")]
    pub msg_flag_bits: u32,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<Element>,
    #[serde(rename = "CloudCustomData")]
    pub cloud_custom_data: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetRoamMsgReply {
    /// 1 when no older message is left in the window.
    #[serde(rename = "Complete")]
    pub complete: u8,
    #[serde(rename = "MsgCnt")]
    pub msg_cnt: u32,
    /// The oldest message of this page: pass as `MaxTime` and `LastMsgKey` to continue.
    #[serde(rename = "LastMsgTime")]
    pub last_msg_time: u64,
    #[serde(rename = "LastMsgKey")]
    pub last_msg_key: String,
    /// Oldest first.
    #[serde(rename = "MsgList")]
    pub msg_list: Vec<RoamMsg>,
}

/// `openim/admin_msgwithdraw`: the message to recall.
pub type MsgWithdraw = C2cMsgInfo;

/// `openim/delete_c2c_msg_ramble`: deletes messages from one user's history only (every device
/// of `Operator_Account`; the peer keeps its copy).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeleteC2cMsgRamble {
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
    #[serde(rename = "MsgKeyList")]
    pub msg_key_list: Vec<String>,
}

/// `openim/modify_c2c_msg`: overwrites a stored message's `MsgBody`, `CloudCustomData` or
/// both (at least one is given).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ModifyC2cMsg {
    #[serde(flatten)]
    pub message: C2cMsgInfo,
    #[serde(rename = "MsgBody", default, skip_serializing_if = "Option::is_none")]
    pub msg_body: Option<Vec<Element>>,
    #[serde(
        rename = "CloudCustomData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cloud_custom_data: Option<String>,
}

/// `openim/c2c_msg_read_receipt`: `Operator_Account` read these messages `Peer_Account` sent
/// it, each of which asked for a read receipt, and tells their sender (1 to
/// [`crate::frame::MAX_READ_RECEIPTS`] of them).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct C2cMsgReadReceipt {
    #[serde(rename = "Operator_Account")]
    pub operator_account: String,
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
    #[serde(rename = "C2CMsgInfo")]
    pub c2c_msg_info: Vec<C2cMsgInfo>,
}

/// A one-to-one message as Tencent's REST API names it: its sender, its recipient and its key.
/// (In a read receipt, sent by `Peer_Account` to `Operator_Account`.)
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct C2cMsgInfo {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "MsgKey")]
    pub msg_key: String,
}

/// `openim/admin_set_msg_read`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SetMsgRead {
    #[serde(rename = "Report_Account")]
    pub report_account: String,
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
}

// ---- sns ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AddFriendItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// The friendship's fields on `From_Account`'s side.
    #[serde(rename = "Remark", default)]
    pub remark: Option<String>,
    /// One group at add time (`friend_update` sets several).
    #[serde(rename = "GroupName", default)]
    pub group_name: Option<String>,
    #[serde(rename = "AddSource", default)]
    pub add_source: Option<String>,
    #[serde(rename = "AddWording", default)]
    pub add_wording: Option<String>,
}

/// `sns/friend_add`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendAdd {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "AddFriendItem")]
    pub add_friend_item: Vec<AddFriendItem>,
    /// `Add_Type_Both` (default) or `Add_Type_Single`.
    #[serde(rename = "AddType", default)]
    pub add_type: Option<String>,
    /// 1: made whatever the other user's `AllowType`; 0 (default): as that user's own request
    /// would be (an application when it is `AllowType_Type_NeedConfirm`).
    #[serde(rename = "ForceAddFlags", default)]
    pub force_add_flags: Option<u8>,
}

/// `sns/friend_import`: friendships brought from another system, one way, with their fields.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendImport {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "AddFriendItem")]
    pub add_friend_item: Vec<ImportFriendItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportFriendItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Remark", default)]
    pub remark: Option<String>,
    #[serde(rename = "GroupName", default)]
    pub group_name: Option<Vec<String>>,
    #[serde(rename = "AddSource")]
    pub add_source: String,
    #[serde(rename = "AddWording", default)]
    pub add_wording: Option<String>,
    /// When the friendship was made (Unix seconds); now when absent.
    #[serde(rename = "AddTime", default)]
    pub add_time: Option<u64>,
}

/// `sns/friend_update`: the remark and groups of friendships.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendUpdate {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "UpdateItem")]
    pub update_item: Vec<FriendUpdateItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendUpdateItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "SnsItem")]
    pub sns_item: Vec<TagValue>,
}

/// `sns/group_add`: new friend groups, and friends to put in them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupAdd {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "GroupName")]
    pub group_name: Vec<String>,
    #[serde(rename = "To_Account", default)]
    pub to_account: Vec<String>,
}

/// `sns/group_delete`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupDelete {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "GroupName")]
    pub group_name: Vec<String>,
}

/// `sns/group_get`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupGet {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// `Need_Friend_Type_Yes`: list each group's friends.
    #[serde(rename = "NeedFriend", default)]
    pub need_friend: Option<String>,
    #[serde(rename = "LastSequence", default)]
    pub last_sequence: u64,
    /// Only these groups; all when absent.
    #[serde(rename = "GroupName", default)]
    pub group_name: Option<Vec<String>>,
}

/// A reply that carries the friend groups' sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupChangeReply {
    #[serde(rename = "ResultItem", default, skip_serializing_if = "Vec::is_empty")]
    pub result_item: Vec<AccountResult>,
    #[serde(
        rename = "Fail_Account",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub fail_account: Vec<String>,
    #[serde(rename = "CurrentSequence")]
    pub current_sequence: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupGetReply {
    #[serde(rename = "ResultItem")]
    pub result_item: Vec<FriendGroup>,
    #[serde(rename = "CurrentSequence")]
    pub current_sequence: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendGroup {
    #[serde(rename = "GroupName")]
    pub group_name: String,
    #[serde(rename = "FriendNumber")]
    pub friend_number: u32,
    #[serde(
        rename = "To_Account",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub to_account: Option<Vec<String>>,
}

/// `sns/friend_delete`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendDelete {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    /// `Delete_Type_Both` (default) or `Delete_Type_Single`.
    #[serde(rename = "DeleteType", default)]
    pub delete_type: Option<String>,
}

/// Replies listing one result per account, with the failures again in `Fail_Account`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ResultItemReply {
    #[serde(rename = "ResultItem")]
    pub result_item: Vec<AccountResult>,
    #[serde(rename = "Fail_Account")]
    pub fail_account: Vec<String>,
}

/// `sns/friend_get`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendGet {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "StartIndex", default)]
    pub start_index: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "ValueItem")]
    pub value_item: Vec<TagValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendGetReply {
    #[serde(rename = "UserDataItem")]
    pub user_data_item: Vec<FriendItem>,
    #[serde(rename = "FriendNum")]
    pub friend_num: u32,
    /// 1 when this page is the last.
    #[serde(rename = "CompleteFlag")]
    pub complete_flag: u8,
    #[serde(rename = "NextStartIndex")]
    pub next_start_index: u32,
    /// Tencent's sequences of the friends' standard and custom fields, which a client compares
    /// to pull only what changed; both the list's sequence here.
    #[serde(rename = "StandardSequence")]
    pub standard_sequence: u64,
    #[serde(rename = "CustomSequence")]
    pub custom_sequence: u64,
}

/// `sns/friend_delete_all`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendDeleteAll {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// `Delete_Type_Both` (default) or `Delete_Type_Single`.
    #[serde(rename = "DeleteType", default)]
    pub delete_type: Option<String>,
}

/// `sns/friend_get_list`: chosen friends, with chosen profile and friendship fields.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendGetList {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    #[serde(rename = "TagList", default)]
    pub tag_list: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendGetListReply {
    #[serde(rename = "InfoItem")]
    pub info_item: Vec<FriendInfoItem>,
    #[serde(rename = "Fail_Account")]
    pub fail_account: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendInfoItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(
        rename = "SnsProfileItem",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub sns_profile_item: Vec<TagValue>,
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    #[serde(rename = "ResultInfo")]
    pub result_info: String,
}

/// `sns/friend_check` and `sns/black_list_check`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RelationCheck {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    /// `CheckResult_Type_Both`/`_Single` (friends), `BlackCheckResult_Type_Both`/`_Single`.
    #[serde(rename = "CheckType", default)]
    pub check_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RelationCheckItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Relation")]
    pub relation: String,
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    #[serde(rename = "ResultInfo")]
    pub result_info: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendCheckReply {
    #[serde(rename = "InfoItem")]
    pub info_item: Vec<RelationCheckItem>,
    #[serde(rename = "Fail_Account")]
    pub fail_account: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlackListCheckReply {
    #[serde(rename = "BlackListCheckItem")]
    pub black_list_check_item: Vec<RelationCheckItem>,
    #[serde(rename = "Fail_Account")]
    pub fail_account: Vec<String>,
}

/// `sns/black_list_add` and `sns/black_list_delete`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlackListChange {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
}

/// `sns/black_list_get`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlackListGet {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "StartIndex", default)]
    pub start_index: u32,
    /// Page size; 0 or absent means 100.
    #[serde(rename = "MaxLimited", default)]
    pub max_limited: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlackListItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// Unix seconds.
    #[serde(rename = "AddBlackTimeStamp")]
    pub add_black_time_stamp: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlackListGetReply {
    #[serde(rename = "BlackListItem")]
    pub black_list_item: Vec<BlackListItem>,
    /// Where the next page starts; 0 when this was the last.
    #[serde(rename = "StartIndex")]
    pub start_index: u32,
    /// The list's sequence, spelled as Tencent's documentation spells it.
    #[serde(rename = "CurruentSequence")]
    pub current_sequence: u64,
}

// ---- profile -----------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TagValue {
    #[serde(rename = "Tag")]
    pub tag: String,
    #[serde(rename = "Value")]
    pub value: serde_json::Value,
}

pub const TAG_NICK: &str = "Tag_Profile_IM_Nick";
pub const TAG_IMAGE: &str = "Tag_Profile_IM_Image";

/// `profile/portrait_set`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PortraitSet {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "ProfileItem")]
    pub profile_item: Vec<TagValue>,
}

/// `profile/portrait_get`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PortraitGet {
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    #[serde(rename = "TagList")]
    pub tag_list: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserProfileItem {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "ProfileItem")]
    pub profile_item: Vec<TagValue>,
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    #[serde(rename = "ResultInfo")]
    pub result_info: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PortraitGetReply {
    #[serde(rename = "UserProfileItem")]
    pub user_profile_item: Vec<UserProfileItem>,
    #[serde(rename = "Fail_Account")]
    pub fail_account: Vec<String>,
}

// ---- openconfigsvr: global mute ------------------------------------------------------------

/// `openconfigsvr/setnospeaking`: mute an account. Each period is in seconds from now: 0 lifts
/// the mute, 4294967295 makes it permanent; at least one must be given.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SetNoSpeaking {
    #[serde(rename = "Set_Account")]
    pub set_account: String,
    /// One-to-one messages: refused with 20012 while it lasts.
    #[serde(rename = "C2CmsgNospeakingTime", default)]
    pub c2c_msg_nospeaking_time: Option<u32>,
    /// Group messages: kept and reported; Duet has no groups.
    #[serde(rename = "GroupmsgNospeakingTime", default)]
    pub group_msg_nospeaking_time: Option<u32>,
}

/// `openconfigsvr/getnospeaking`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetNoSpeaking {
    #[serde(rename = "Get_Account")]
    pub get_account: String,
}

/// The seconds left of each mute: 0 none, 4294967295 permanent.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetNoSpeakingReply {
    #[serde(rename = "C2CmsgNospeakingTime")]
    pub c2c_msg_nospeaking_time: u64,
    #[serde(rename = "GroupmsgNospeakingTime")]
    pub group_msg_nospeaking_time: u64,
}

// ---- timpush: one message to every account --------------------------------------------

/// `timpush/push`, and Tencent's older `all_member_push/im_push`: one message to every
/// account, sent in the background.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushAll {
    /// Absent: sent as the administrator. Present: sent as this user, who gets no copy.
    #[serde(rename = "From_Account", default)]
    pub from_account: Option<String>,
    /// Each recipient gets the message once for the same `MsgRandom` and body, however often
    /// the push is asked for.
    #[serde(rename = "MsgRandom")]
    pub msg_random: u32,
    /// The message. Absent or empty: the push is `OfflinePushInfo`'s notification alone, with
    /// no message (Tencent's push product).
    #[serde(rename = "MsgBody", default)]
    pub msg_body: Vec<Element>,
    #[serde(rename = "CloudCustomData", default)]
    pub cloud_custom_data: Option<String>,
    /// `timpush/push`: 1 delivers to the devices online now only, stored nowhere; 0 (default)
    /// stores it in every recipient's history.
    #[serde(rename = "OnlineOnlyFlag", default)]
    pub online_only_flag: Option<u8>,
    /// `all_member_push/im_push`: 0 is `OnlineOnlyFlag` 1; any other value, at most 7 days,
    /// stores it.
    #[serde(rename = "MsgLifeTime", default)]
    pub msg_life_time: Option<u32>,
    /// How to notify a recipient with no device online.
    #[serde(rename = "OfflinePushInfo", default)]
    pub offline_push_info: Option<crate::push::OfflinePushInfo>,
    /// Absent: every account. Present: only the accounts whose push attributes or tags
    /// (`all_member_push/im_set_attr`, `im_add_tag`) meet it.
    #[serde(rename = "Condition", default)]
    pub condition: Option<PushCondition>,
}

/// `timpush/batch`: a notification alone (no message) to each of 1 to 500 accounts.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushBatch {
    #[serde(rename = "From_Account", default)]
    pub from_account: Option<String>,
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    #[serde(rename = "MsgRandom", default)]
    pub msg_random: u32,
    /// The notification: `Title` or `Desc`, and `Ext` passed to the app.
    #[serde(rename = "OfflinePushInfo")]
    pub offline_push_info: crate::push::OfflinePushInfo,
}

/// Which accounts a push reaches, by their tags or by their attributes (not both). Each list
/// left out or empty does not narrow; those given must all hold. A field Duet does not know
/// is refused rather than ignored, so that no push reaches more accounts than asked.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PushCondition {
    /// The account has every one of these tags.
    #[serde(rename = "TagsAnd", default)]
    pub tags_and: Vec<String>,
    /// The account has at least one of these tags.
    #[serde(rename = "TagsOr", default)]
    pub tags_or: Vec<String>,
    /// Each of these attributes has this value.
    #[serde(rename = "AttrsAnd", default)]
    pub attrs_and: BTreeMap<String, String>,
    /// At least one of these attributes has its value here.
    #[serde(rename = "AttrsOr", default)]
    pub attrs_or: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushAllReply {
    /// Names the push for `duet/push_task`.
    #[serde(rename = "TaskId")]
    pub task_id: String,
}

/// `duet/push_task`: how far a push to every account has gone.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushTask {
    #[serde(rename = "TaskId")]
    pub task_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushTaskReply {
    /// `running`, `done`, or `failed` (the rest of the accounts were not reached; `Error`
    /// says why).
    #[serde(rename = "Status")]
    pub status: String,
    /// Recipients the message was sent to (or, for one it had reached before with the same
    /// `MsgRandom` and body, already had been).
    #[serde(rename = "Sent")]
    pub sent: u64,
    /// Recipients it was refused for (one who blocked the sender, an account deleted meanwhile).
    #[serde(rename = "Failed")]
    pub failed: u64,
    /// Unix seconds.
    #[serde(rename = "StartTime")]
    pub start_time: u64,
    /// Unix seconds; 0 while running.
    #[serde(rename = "EndTime")]
    pub end_time: u64,
    #[serde(rename = "Error", default, skip_serializing_if = "String::is_empty")]
    pub error: String,
}

// ---- all_member_push: the attributes and tags a push is aimed by ---------------------------

/// `all_member_push/im_set_attr_name` and the reply of `im_get_attr_name`: the names of the
/// app's push attributes, by number (`"0"` to `"9"`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AttrNames {
    /// Setting: each number given gets this name (1 to 50 bytes), or loses its name when the
    /// name is empty; numbers left out keep theirs.
    #[serde(rename = "AttrNames", default)]
    pub attr_names: BTreeMap<String, String>,
}

/// `all_member_push/im_get_attr`, `im_get_tag` and `im_remove_all_tags`: up to 100 accounts.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushAccounts {
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
}

/// `all_member_push/im_set_attr` and the reply of `im_get_attr`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserAttrsList {
    #[serde(rename = "UserAttrs")]
    pub user_attrs: Vec<UserAttrs>,
    /// Replies: accounts that could not be read (unknown, or not a valid ID).
    #[serde(rename = "ErrorList", default, skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<AccountError>,
}

/// One account's push attributes: name to value (at most 50 bytes).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserAttrs {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Attrs")]
    pub attrs: BTreeMap<String, String>,
}

/// `all_member_push/im_remove_attr`: attributes to take from each account, by name.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RemoveUserAttrs {
    #[serde(rename = "UserAttrs")]
    pub user_attrs: Vec<UserAttrNames>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserAttrNames {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Attrs")]
    pub attrs: Vec<String>,
}

/// `all_member_push/im_add_tag` and `im_remove_tag`, and the reply of `im_get_tag`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserTagsList {
    #[serde(rename = "UserTags")]
    pub user_tags: Vec<UserTags>,
    /// Replies: accounts that could not be read (unknown, or not a valid ID).
    #[serde(rename = "ErrorList", default, skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<AccountError>,
}

/// One account's tags (each 1 to 50 bytes; an account has at most 100).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserTags {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Tags")]
    pub tags: Vec<String>,
}

/// The reply of the commands that change attributes or tags: the accounts left unchanged,
/// because they are unknown or not valid IDs (the others are changed).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushMarksChanged {
    #[serde(rename = "ErrorList", default, skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<AccountError>,
}

// ---- Duet's own commands (service `duet`) -------------------------------------------------

/// `duet/set_app_config` and the reply of `duet/get_app_config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AppConfig {
    /// 1: messages between friends only (R3.3); 0: anyone may message anyone.
    #[serde(rename = "FriendsOnly")]
    pub friends_only: u8,
}

/// `duet/account_list`: the app's accounts in ID order, a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountList {
    /// The first account of the page (from the previous page's `Next`); none: from the start.
    #[serde(rename = "Next", default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Accounts on the page, 1 to [`MAX_ACCOUNT_PAGE`]; default 100.
    #[serde(rename = "Limit", default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Most accounts one `duet/account_list` page returns.
pub const MAX_ACCOUNT_PAGE: u32 = 1000;

/// One account, as `duet/account_list` and `duet/account_get` describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountInfo {
    #[serde(rename = "UserID")]
    pub user_id: String,
    #[serde(rename = "Nick")]
    pub nick: String,
    #[serde(rename = "FaceUrl")]
    pub face_url: String,
    /// Unix seconds.
    #[serde(rename = "CreateTime")]
    pub create_time: u64,
    /// The newest sequence of the account's sync log: where an up-to-date device's cursor is.
    #[serde(rename = "LatestSeq")]
    pub latest_seq: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountListReply {
    #[serde(rename = "Accounts")]
    pub accounts: Vec<AccountInfo>,
    /// Where the next page starts; absent on the last page.
    #[serde(rename = "Next", default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `duet/account_get`: one account, its signed-in devices and its push registrations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountGet {
    #[serde(rename = "UserID")]
    pub user_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountGetReply {
    #[serde(rename = "Account")]
    pub account: AccountInfo,
    /// The device IDs signed in on this server now.
    #[serde(rename = "OnlineDevices")]
    pub online_devices: Vec<String>,
    #[serde(rename = "PushRegistrations")]
    pub push_registrations: Vec<PushRegistrationInfo>,
}

/// A device's registration with a push vendor (its token is not shown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushRegistrationInfo {
    #[serde(rename = "Device")]
    pub device: String,
    #[serde(rename = "Vendor")]
    pub vendor: String,
}

/// The reply of `duet/expire`: what the expiry pass removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExpireReply {
    #[serde(rename = "Messages")]
    pub messages: u64,
    #[serde(rename = "SyncEntries")]
    pub sync_entries: u64,
    #[serde(rename = "MediaFiles")]
    pub media_files: u64,
}

/// The reply of `duet/vacuum`: the database's size before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VacuumReply {
    #[serde(rename = "BytesBefore")]
    pub bytes_before: u64,
    #[serde(rename = "BytesAfter")]
    pub bytes_after: u64,
}

/// `duet/export_msgs`: every message of the app sent in a time window, streamed as
/// newline-delimited JSON, one [`ExportedMsg`] per line, oldest first.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExportMsgs {
    /// Unix seconds, inclusive.
    #[serde(rename = "MinTime")]
    pub min_time: u64,
    #[serde(rename = "MaxTime")]
    pub max_time: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExportedMsg {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "MsgTimeStamp")]
    pub msg_time_stamp: u64,
    #[serde(rename = "MsgRandom")]
    pub msg_random: u32,
    #[serde(flatten)]
    pub stored: StoredMsg,
}

// ---- open_msg_svc: hourly history files -------------------------------------------------

/// `open_msg_svc/get_history`: where to download every one-to-one message sent in one hour.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetHistory {
    /// `C2C`; Duet has no groups, so `Group` is refused.
    #[serde(rename = "ChatType")]
    pub chat_type: String,
    /// The hour, `YYYYMMDDHH` in Beijing time (UTC+8) as Tencent's is: `2026120521` is 21:00 to
    /// 21:59 on 5 December 2026.
    #[serde(rename = "MsgTime")]
    pub msg_time: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetHistoryReply {
    /// The hour's file; empty when no message of the hour is kept.
    #[serde(rename = "File")]
    pub file: Vec<HistoryFile>,
}

/// One gzipped file of an hour's messages: a JSON object `{"MsgList": [...]}` of
/// [`HistoryFileMsg`], one message a line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HistoryFile {
    /// Download it with a plain GET, no signature, before `ExpireTime`.
    #[serde(rename = "URL")]
    pub url: String,
    /// `YYYY-MM-DD HH:MM:SS`, Beijing time; ask again for a new link after it.
    #[serde(rename = "ExpireTime")]
    pub expire_time: String,
    /// Size and MD5 (lowercase hex) of the JSON before gzip.
    #[serde(rename = "FileSize")]
    pub file_size: u64,
    #[serde(rename = "FileMD5")]
    pub file_md5: String,
    /// Size and MD5 of the gzipped file as downloaded.
    #[serde(rename = "GzipSize")]
    pub gzip_size: u64,
    #[serde(rename = "GzipMD5")]
    pub gzip_md5: String,
}

/// One message in a history file, as Tencent's files write it (`MsgTimestamp`, not
/// `MsgTimeStamp`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HistoryFileMsg {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "MsgTimestamp")]
    pub msg_timestamp: u64,
    #[serde(rename = "MsgSeq")]
    pub msg_seq: u64,
    #[serde(rename = "MsgRandom")]
    pub msg_random: u32,
    #[serde(flatten)]
    pub stored: StoredMsg,
}

// ---- im_msg_audit_mgr: keyword libraries ---------------------------------------------------

/// `im_msg_audit_mgr/get_cloud_audit_keywords_ids`: the keyword libraries, a page at a time.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KeywordLibraries {
    #[serde(rename = "Offset", default)]
    pub offset: u32,
    /// 1 to 100.
    #[serde(rename = "Limit", default = "default_keyword_limit")]
    pub limit: u32,
}

fn default_keyword_limit() -> u32 {
    100
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KeywordLibrariesReply {
    #[serde(rename = "RequestId")]
    pub request_id: String,
    #[serde(rename = "TotalCount")]
    pub total_count: u64,
    #[serde(rename = "Infos")]
    pub infos: Vec<KeywordLibraryInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KeywordLibraryInfo {
    #[serde(rename = "ID")]
    pub id: String,
    /// The ID again: a library is named by the ID it was made under.
    #[serde(rename = "LibName")]
    pub lib_name: String,
    #[serde(rename = "Describe")]
    pub describe: String,
    /// `YYYY-MM-DD HH:MM:SS +0800 CST`, as Tencent writes it.
    #[serde(rename = "CreateTime")]
    pub create_time: String,
    /// Always `Block`: a message holding a word is refused.
    #[serde(rename = "Suggestion")]
    pub suggestion: String,
}

/// `im_msg_audit_mgr/get_cloud_audit_keywords`: a library's words, a page at a time.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetKeywords {
    #[serde(rename = "LibID")]
    pub lib_id: String,
    #[serde(rename = "Offset", default)]
    pub offset: u32,
    /// 1 to 100.
    #[serde(rename = "Limit", default = "default_keyword_limit")]
    pub limit: u32,
    /// Only the words holding this, whatever the ASCII case.
    #[serde(rename = "Content", default)]
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GetKeywordsReply {
    #[serde(rename = "RequestId")]
    pub request_id: String,
    /// The library's words that `Content` finds (all of them without it).
    #[serde(rename = "TotalCount")]
    pub total_count: u64,
    #[serde(rename = "Infos")]
    pub infos: Vec<KeywordInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct KeywordInfo {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Content")]
    pub content: String,
    #[serde(rename = "Label")]
    pub label: String,
    /// `YYYY-MM-DD HH:MM:SS`, Beijing time.
    #[serde(rename = "CreateTime")]
    pub create_time: String,
}

/// `im_msg_audit_mgr/add_cloud_audit_keywords`: adds words to a library, making it when new.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AddKeywords {
    #[serde(rename = "LibID")]
    pub lib_id: String,
    /// 1 to 100 words.
    #[serde(rename = "UserKeywords")]
    pub user_keywords: Vec<UserKeyword>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UserKeyword {
    /// 1 to 64 characters.
    #[serde(rename = "Content")]
    pub content: String,
    /// `Normal` (the default), `Illegal`, `Abuse`, `Polity`, `Ad`, `Porn`, `Sexy`, `Terror` or
    /// `Composite`.
    #[serde(rename = "Label", default)]
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestIdReply {
    #[serde(rename = "RequestId")]
    pub request_id: String,
}

/// `im_msg_audit_mgr/delete_cloud_audit_keywords`: deletes words from a library.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeleteKeywords {
    #[serde(rename = "LibID")]
    pub lib_id: String,
    /// 1 to 10 words.
    #[serde(rename = "Keywords")]
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeleteKeywordsReply {
    #[serde(rename = "RequestId")]
    pub request_id: String,
    #[serde(rename = "Details")]
    pub details: Vec<DeletedKeyword>,
    /// How many were deleted.
    #[serde(rename = "Count")]
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeletedKeyword {
    /// Empty when the word was not in the library.
    #[serde(rename = "KeywordID")]
    pub keyword_id: String,
    #[serde(rename = "Keyword")]
    pub keyword: String,
    #[serde(rename = "Deleted")]
    pub deleted: bool,
    #[serde(rename = "ErrorInfo")]
    pub error_info: String,
}

// ---- openim: state and unread counts -----------------------------------------------------

/// `openim/querystate`: whether accounts are online.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct QueryState {
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    /// 1: list each signed-in device in `Detail`.
    #[serde(rename = "IsNeedDetail", default)]
    pub is_need_detail: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct QueryStateReply {
    #[serde(rename = "QueryResult")]
    pub query_result: Vec<AccountState>,
    /// Accounts that could not be queried (unknown, or not a valid ID).
    #[serde(rename = "ErrorList", default, skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<AccountError>,
}

/// One account's state: `Online` (a device is connected), `PushOnline` (none is, and offline
/// push reaches a registered device), or `Offline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountState {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Status")]
    pub status: String,
    #[serde(rename = "Detail", default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Vec<DeviceState>>,
}

/// A signed-in device: `Platform` is the device ID it signed in with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeviceState {
    #[serde(rename = "Platform")]
    pub platform: String,
    #[serde(rename = "Status")]
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountError {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: ErrorCode,
}

/// `openim/get_c2c_unread_msg_num`: a user's unread one-to-one messages, in all and per peer.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct C2cUnread {
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "Peer_Account", default)]
    pub peer_account: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct C2cUnreadReply {
    #[serde(rename = "AllC2CUnreadMsgNum")]
    pub all: u64,
    /// One per `Peer_Account` asked about; absent when none was.
    #[serde(
        rename = "C2CUnreadMsgNumList",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub per_peer: Vec<PeerUnread>,
    #[serde(rename = "ErrorList", default, skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<PeerError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PeerUnread {
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
    #[serde(rename = "C2CUnreadMsgNum")]
    pub unread: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PeerError {
    #[serde(rename = "Peer_Account")]
    pub peer_account: String,
    #[serde(rename = "ErrorCode")]
    pub error_code: ErrorCode,
}

// ---- recentcontact -----------------------------------------------------------------------

/// `recentcontact/get_list`: a user's conversations, newest first, a page at a time. The
/// first call gives 0 everywhere; a next page passes back the reply's `TimeStamp`,
/// `StartIndex`, `TopTimeStamp` and `TopStartIndex` (cursors: the last conversation's time in
/// milliseconds, and how many of that time were given; `Top…` for the pinned ones, listed
/// first when `AssistFlags` has bit 0).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecentContacts {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "TimeStamp", default)]
    pub time_stamp: u64,
    #[serde(rename = "StartIndex", default)]
    pub start_index: u32,
    #[serde(rename = "TopTimeStamp", default)]
    pub top_time_stamp: u64,
    #[serde(rename = "TopStartIndex", default)]
    pub top_start_index: u32,
    #[serde(rename = "AssistFlags", default)]
    pub assist_flags: u32,
}

/// `recentcontact/delete`: deletes one conversation from a user's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecentContactDelete {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// 1: a one-to-one conversation (the only kind Duet has).
    #[serde(rename = "Type")]
    pub kind: u8,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// 1: its messages leave the user's history too.
    #[serde(rename = "ClearRamble", default)]
    pub clear_ramble: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecentContactsReply {
    #[serde(rename = "SessionItem")]
    pub session_item: Vec<SessionItem>,
    /// 1: this is the last page.
    #[serde(rename = "CompleteFlag")]
    pub complete_flag: u8,
    #[serde(rename = "TimeStamp")]
    pub time_stamp: u64,
    #[serde(rename = "StartIndex")]
    pub start_index: u32,
    #[serde(rename = "TopTimeStamp")]
    pub top_time_stamp: u64,
    #[serde(rename = "TopStartIndex")]
    pub top_start_index: u32,
}

/// One conversation: `Type` 1 (one-to-one), the peer, the time of its last message (seconds),
/// whether the user pinned it, the user's unread messages in it and its marks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionItem {
    #[serde(rename = "Type")]
    pub kind: u8,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(rename = "MsgTime")]
    pub msg_time: u64,
    /// 1: pinned.
    #[serde(rename = "TopFlag")]
    pub top_flag: u8,
    #[serde(rename = "C2CUnreadMsgNum")]
    pub unread: u32,
    #[serde(flatten)]
    pub marks: ContactMarks,
}

/// A conversation's marks as Tencent's conversation mark commands write them, each left out
/// when empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactMarks {
    /// The standard marks as a binary number, bit 0 rightmost: `"1001"` is bits 0 and 3
    /// (Tencent's mark types 1 and 8).
    #[serde(
        rename = "StandardMark",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub standard_mark: String,
    /// The app's own data about the conversation (the SDK's `customData`).
    #[serde(
        rename = "CustomMark",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub custom_mark: String,
}

/// A conversation named by the conversation mark commands: `Type` 1 (one-to-one, the only
/// kind Duet has) and the peer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactItem {
    #[serde(rename = "Type")]
    pub kind: u8,
    #[serde(rename = "To_Account", default)]
    pub to_account: String,
}

/// `recentcontact/mark_contact`: sets and clears standard marks and sets the custom mark of
/// up to [`MAX_MARK_ITEMS`] of a user's conversations.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MarkContact {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "MarkItem")]
    pub mark_item: Vec<MarkItem>,
}

/// Conversations one `mark_contact` changes.
pub const MAX_MARK_ITEMS: usize = 100;

/// One conversation's change. `OptType` 1 applies `SetMark` and `ClearMark`, 2 `CustomMark`,
/// 3 both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MarkItem {
    #[serde(rename = "OptType")]
    pub opt_type: u8,
    #[serde(rename = "ContactItem")]
    pub contact_item: ContactItem,
    /// Bits to set, 0 to 63: bit n is mark type 2^n.
    #[serde(rename = "SetMark", default)]
    pub set_mark: Vec<u32>,
    /// Bits to clear, 0 to 63.
    #[serde(rename = "ClearMark", default)]
    pub clear_mark: Vec<u32>,
    /// The custom mark, up to 256 bytes; `""` clears it.
    #[serde(rename = "CustomMark", default)]
    pub custom_mark: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MarkContactReply {
    #[serde(rename = "ResultItem")]
    pub result_item: Vec<MarkResult>,
}

/// One item's outcome, in the order of the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MarkResult {
    #[serde(rename = "OptType")]
    pub opt_type: u8,
    #[serde(rename = "ContactItem")]
    pub contact_item: ContactItem,
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    #[serde(rename = "ResultInfo")]
    pub result_info: String,
}

/// `recentcontact/get_contact_group`: a user's marked conversations, a page at a time from
/// `StartIndex` (0 first, then the reply's `NextStartIndex`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactGroupGet {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "StartIndex", default)]
    pub start_index: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactGroupGetReply {
    #[serde(rename = "ContactItem")]
    pub contact_item: Vec<MarkedContact>,
    /// Every conversation group of the user.
    #[serde(rename = "GroupItem")]
    pub group_item: Vec<GroupItem>,
    /// 1: this is the last page.
    #[serde(rename = "CompleteFlag")]
    pub complete_flag: u8,
    #[serde(rename = "NextStartIndex")]
    pub next_start_index: u32,
}

/// `recentcontact/search_contact_group`: the marks of up to [`MAX_MARK_SEARCH`] of a user's
/// conversations.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactGroupSearch {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "ContactItem")]
    pub contact_item: Vec<ContactItem>,
}

/// Conversations one `search_contact_group` names.
pub const MAX_MARK_SEARCH: usize = 300;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactGroupSearchReply {
    #[serde(rename = "ContactResultItem")]
    pub contact_result_item: Vec<MarkedContact>,
    /// The conversation groups those conversations are in.
    #[serde(rename = "GroupItem")]
    pub group_item: Vec<GroupItem>,
}

/// A conversation with marks or in conversation groups: `Type` 1, the peer, the marks, and
/// the `GroupId`s of its groups (left out when none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MarkedContact {
    #[serde(rename = "Type")]
    pub kind: u8,
    #[serde(rename = "To_Account")]
    pub to_account: String,
    #[serde(flatten)]
    pub marks: ContactMarks,
    #[serde(
        rename = "ContactGroupId",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub contact_group_id: Vec<u32>,
}

/// A conversation group: its name, and a number fixed by the name. (Duet keeps a user's
/// groups by name; the number is for code written for Tencent's, which names them by both.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupItem {
    #[serde(rename = "GroupName")]
    pub group_name: String,
    #[serde(rename = "GroupId")]
    pub group_id: u32,
}

/// Conversations one conversation group command adds or removes.
pub const MAX_GROUP_CONTACTS: usize = 100;

/// `recentcontact/create_contact_group`: makes one conversation group of 1 to
/// [`MAX_GROUP_CONTACTS`] of a user's conversations.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactGroupCreate {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    /// One group, as Tencent takes one at a time.
    #[serde(rename = "GroupContactItem")]
    pub group_contact_item: Vec<GroupContacts>,
}

/// A group to make and its first conversations.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupContacts {
    #[serde(rename = "GroupName")]
    pub group_name: String,
    #[serde(rename = "ContactItem", default)]
    pub contact_item: Vec<ContactItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactGroupCreateReply {
    #[serde(rename = "GroupResultItem")]
    pub group_result_item: Vec<GroupResult>,
}

/// The group made, and each conversation's outcome in the order asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupResult {
    #[serde(rename = "GroupItem")]
    pub group_item: GroupItem,
    #[serde(rename = "ResultItem")]
    pub result_item: Vec<ContactResult>,
}

/// One conversation's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactResult {
    #[serde(rename = "ContactItem")]
    pub contact_item: ContactItem,
    #[serde(rename = "ResultCode")]
    pub result_code: ErrorCode,
    #[serde(rename = "ResultInfo")]
    pub result_info: String,
}

/// `recentcontact/update_contact_group`: `UpdateType` 1 (the only one) with `UpdateGroup`
/// renaming a conversation group (`UpdateGroupType` 1) or adding and removing conversations
/// (2).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactGroupUpdate {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "UpdateType")]
    pub update_type: u8,
    #[serde(rename = "UpdateGroup", default)]
    pub update_group: Option<GroupUpdate>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupUpdate {
    #[serde(rename = "UpdateGroupType")]
    pub update_group_type: u8,
    #[serde(rename = "OldGroupName")]
    pub old_group_name: String,
    /// The new name (`UpdateGroupType` 1).
    #[serde(rename = "NewGroupName", default)]
    pub new_group_name: Option<String>,
    /// The conversations to add and remove (`UpdateGroupType` 2).
    #[serde(rename = "ContactUpdateItem", default)]
    pub contact_update_item: Vec<ContactUpdate>,
}

/// `ContactOptType` 1 adds the conversation to the group, 2 removes it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactUpdate {
    #[serde(rename = "ContactOptType")]
    pub contact_opt_type: u8,
    #[serde(rename = "ContactItem")]
    pub contact_item: ContactItem,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactGroupUpdateReply {
    #[serde(rename = "UpdateType")]
    pub update_type: u8,
    #[serde(rename = "UpdateGroupResult")]
    pub update_group_result: GroupUpdateResult,
}

/// The group after the change; a rename gives both names, a change of conversations each
/// one's outcome in the order asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GroupUpdateResult {
    #[serde(rename = "UpdateGroupType")]
    pub update_group_type: u8,
    #[serde(rename = "GroupName")]
    pub group_name: String,
    #[serde(rename = "GroupId")]
    pub group_id: u32,
    #[serde(rename = "OldGroupName")]
    pub old_group_name: String,
    #[serde(
        rename = "NewGroupName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub new_group_name: Option<String>,
    #[serde(
        rename = "ContactResultItem",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub contact_result_item: Vec<ContactUpdateResult>,
}

/// One conversation's outcome in `update_contact_group`: what was asked of it, and the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactUpdateResult {
    #[serde(rename = "ContactOptType")]
    pub contact_opt_type: u8,
    #[serde(flatten)]
    pub result: ContactResult,
}

/// `recentcontact/del_contact_group`: deletes conversation groups by name; their
/// conversations stay.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactGroupDelete {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "GroupName")]
    pub group_name: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContactGroupDeleteReply {
    /// The groups deleted.
    #[serde(rename = "GroupItem")]
    pub group_item: Vec<GroupItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_flattens_status() {
        let reply = RestReply {
            status: Status::ok(),
            body: SendMsgReply {
                msg_time: 5,
                msg_key: "1_2_5".into(),
            },
        };
        assert_eq!(
            serde_json::to_string(&reply).unwrap(),
            r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MsgTime":5,"MsgKey":"1_2_5"}"#
        );
    }

    #[test]
    fn sendmsg_parses_tencent_sample() {
        let body = r#"{"SyncOtherMachine":2,"From_Account":"lumotuwe1","To_Account":"lumotuwe2","MsgLifeTime":60,
            "MsgSeq":93847636,"MsgRandom":1287657,"ForbidCallbackControl":["ForbidBeforeSendMsgCallback"],
            "SendMsgControl":["NoUnread"],"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi, beauty"}}],
            "CloudCustomData":"your cloud custom data"}"#;
        let m: SendMsg = serde_json::from_str(body).unwrap();
        assert_eq!(
            (
                m.msg.sync_other_machine,
                m.msg.msg_random,
                m.msg.send_msg_control.len()
            ),
            (Some(2), 1287657, 1)
        );
        assert!(
            serde_json::from_str::<SendMsg>(r#"{"To_Account":"a","MsgRandom":"x","MsgBody":[]}"#)
                .is_err()
        );
    }
}

/// `duet/push_register` and `duet/push_unregister` (without `Token`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PushRegister {
    #[serde(rename = "From_Account")]
    pub from_account: String,
    #[serde(rename = "DeviceID")]
    pub device_id: String,
    #[serde(rename = "Vendor")]
    pub vendor: crate::push::Vendor,
    #[serde(rename = "Token", default)]
    pub token: Option<String>,
}
