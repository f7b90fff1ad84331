//! The webhooks Duet sends the app's backend, in the shapes of Tencent IM's third-party
//! callbacks (`docs/webhooks.md`): each command's body, wrapped in an [`Event`], and the answers
//! to those that ask: `C2C.CallbackBeforeSendMsg`, `Sns.CallbackPrevFriendAdd` and
//! `Sns.CallbackPrevFriendResponse`.

use crate::{Element, UserId};
use serde::{Deserialize, Serialize};

/// A webhook's body: the command and the event's time, beside the command's own fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "{T}Webhook"))]
pub struct Event<T> {
    #[serde(rename = "CallbackCommand")]
    pub command: &'static str,
    /// Milliseconds since the Unix epoch.
    #[serde(rename = "EventTime")]
    pub event_time: u64,
    #[serde(flatten)]
    pub body: T,
}

/// A one-to-one message being sent: `C2C.CallbackBeforeSendMsg`'s body, and the first part of
/// [`AfterSendMsg`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SendMsg {
    #[serde(rename = "From_Account")]
    pub from_account: UserId,
    #[serde(rename = "To_Account")]
    pub to_account: UserId,
    #[serde(rename = "MsgRandom")]
    pub msg_random: u32,
    /// Unix seconds: the send's time, or the stored message's in [`AfterSendMsg`].
    #[serde(rename = "MsgTime")]
    pub msg_time: u64,
    /// 1 for an online-only message (kept nowhere), else 0.
    #[serde(rename = "OnlineOnlyFlag")]
    pub online_only_flag: u8,
    #[serde(rename = "MsgBody")]
    pub msg_body: Vec<Element>,
    #[serde(rename = "CloudCustomData", skip_serializing_if = "Option::is_none")]
    pub cloud_custom_data: Option<String>,
}

/// `C2C.CallbackAfterSendMsg`: a send's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AfterSendMsg {
    #[serde(flatten)]
    pub message: SendMsg,
    /// The stored message's number and key; absent when it was refused.
    #[serde(rename = "MsgSeq", skip_serializing_if = "Option::is_none")]
    pub msg_seq: Option<u64>,
    #[serde(rename = "MsgKey", skip_serializing_if = "Option::is_none")]
    pub msg_key: Option<String>,
    /// 0 when sent, else the error code the sender got.
    #[serde(rename = "SendMsgResult")]
    pub send_msg_result: u32,
    /// `send msg succeed`, or the error's message.
    #[serde(rename = "ErrorInfo")]
    pub error_info: String,
}

/// The backend's answer to `C2C.CallbackBeforeSendMsg`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BeforeSendAnswer {
    /// 0 send it, 1 refuse it (20006), 2 drop it unseen, 120001 – 130000 refuse it with this
    /// code and `ErrorInfo`.
    #[serde(rename = "ErrorCode")]
    pub error_code: u32,
    #[serde(rename = "ErrorInfo", default)]
    pub error_info: String,
    /// With 0: the body to send instead, when not empty.
    #[serde(rename = "MsgBody", default)]
    pub msg_body: Option<Vec<Element>>,
    /// With 0: the custom data to send instead.
    #[serde(rename = "CloudCustomData", default)]
    pub cloud_custom_data: Option<String>,
}

/// `C2C.CallbackAfterMsgWithDraw`: a message recalled.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MsgWithDraw {
    #[serde(rename = "From_Account")]
    pub from_account: UserId,
    #[serde(rename = "To_Account")]
    pub to_account: UserId,
    #[serde(rename = "MsgKey")]
    pub msg_key: String,
}

/// `C2C.CallbackAfterMsgReport`: a conversation read to its end.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MsgReport {
    #[serde(rename = "Report_Account")]
    pub report_account: UserId,
    #[serde(rename = "Peer_Account")]
    pub peer_account: UserId,
    /// Unix seconds.
    #[serde(rename = "LastReadTime")]
    pub last_read_time: u64,
}

/// `State.StateChange`: a device signed in, out, or went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StateChange {
    #[serde(rename = "Info")]
    pub info: StateInfo,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StateInfo {
    /// `Login`, `Logout` or `Disconnect`.
    #[serde(rename = "Action")]
    pub action: &'static str,
    #[serde(rename = "To_Account")]
    pub to_account: UserId,
    /// `Register`, `Unregister`, `LinkClose` or `TimeOut`.
    #[serde(rename = "Reason")]
    pub reason: &'static str,
}

/// `Sns.CallbackFriendAdd`: friends made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendAdd {
    #[serde(rename = "PairList")]
    pub pair_list: Vec<Pair>,
    /// `friend_add` for a request, `friend_response` for an application accepted.
    #[serde(rename = "ClientCmd")]
    pub client_cmd: &'static str,
    /// The administrator when the app's backend made them, else empty.
    #[serde(rename = "Admin_Account")]
    pub admin_account: String,
    /// 1 when the backend made them whatever the users' `AllowType` (`ForceAddFlags` 1).
    #[serde(rename = "ForceFlag")]
    pub force_flag: u8,
}

/// `Sns.CallbackFriendDelete`, `Sns.CallbackBlackListAdd` and `Sns.CallbackBlackListDelete`:
/// list entries removed or made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Pairs {
    #[serde(rename = "PairList")]
    pub pair_list: Vec<Pair>,
}

/// One list entry: `from_account`'s of `to_account`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Pair {
    #[serde(rename = "From_Account")]
    pub from_account: UserId,
    #[serde(rename = "To_Account")]
    pub to_account: UserId,
    /// Only in `Sns.CallbackFriendAdd`: who asked for the friendship.
    #[serde(rename = "Initiator_Account", skip_serializing_if = "Option::is_none")]
    pub initiator_account: Option<UserId>,
}

/// `Profile.CallbackPortraitSet`: a user's profile fields set, by the user or the app's
/// backend.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PortraitSet {
    /// Who set them: the user, or the administrator for the backend's `portrait_set`.
    #[serde(rename = "Operator_Account")]
    pub operator_account: UserId,
    #[serde(rename = "From_Account")]
    pub from_account: UserId,
    /// The fields set, each with the value it has now.
    #[serde(rename = "ProfileItem")]
    pub profile_item: Vec<crate::rest::TagValue>,
}

/// `Sns.CallbackPrevFriendAdd`: a user's friend request, before anything is made of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrevFriendAdd {
    /// Who sent the request: the user itself, as only a user's own request is asked about.
    #[serde(rename = "Requester_Account")]
    pub requester_account: UserId,
    #[serde(rename = "From_Account")]
    pub from_account: UserId,
    #[serde(rename = "FriendItem")]
    pub friend_item: Vec<FriendItem>,
    /// `Add_Type_Both`: a user asks for a friendship both ways.
    #[serde(rename = "AddType")]
    pub add_type: &'static str,
    /// 0: a user's request is never forced.
    #[serde(rename = "ForceAddFlags")]
    pub force_add_flags: u8,
}

/// One user asked to be a friend, with what the request gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendItem {
    #[serde(rename = "To_Account")]
    pub to_account: UserId,
    #[serde(rename = "Remark")]
    pub remark: String,
    /// Always empty: a request names no friend group.
    #[serde(rename = "GroupName")]
    pub group_name: String,
    #[serde(rename = "AddSource")]
    pub add_source: String,
    #[serde(rename = "AddWording")]
    pub add_wording: String,
}

/// `Sns.CallbackPrevFriendResponse`: a user's answer to friend applications, before it is
/// kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrevFriendResponse {
    #[serde(rename = "Requester_Account")]
    pub requester_account: UserId,
    /// The user answering.
    #[serde(rename = "From_Account")]
    pub from_account: UserId,
    #[serde(rename = "ResponseFriendItem")]
    pub response_friend_item: Vec<ResponseItem>,
}

/// The answer to one applicant.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ResponseItem {
    /// The applicant.
    #[serde(rename = "To_Account")]
    pub to_account: UserId,
    /// The remark the user gives the applicant, when accepting.
    #[serde(rename = "Remark")]
    pub remark: String,
    /// Always empty: an answer names no friend group.
    #[serde(rename = "TagName")]
    pub tag_name: String,
    /// `Response_Action_AgreeAndAdd` (friends both ways), `Response_Action_Agree` (the
    /// applicant lists the user) or `Response_Action_Reject`.
    #[serde(rename = "ResponseAction")]
    pub response_action: &'static str,
}

/// The backend's answer to `Sns.CallbackPrevFriendAdd` and `Sns.CallbackPrevFriendResponse`.
/// With `ErrorCode` 0, each user of `ResultItem` with a `ResultCode` other than 0 is refused;
/// any other `ErrorCode` is the backend's own failure, and lets everything through.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PrevFriendAnswer {
    #[serde(rename = "ErrorCode")]
    pub error_code: i64,
    #[serde(rename = "ErrorInfo", default)]
    pub error_info: String,
    #[serde(rename = "ResultItem", default)]
    pub result_item: Vec<FriendVerdict>,
}

/// What the backend says of one user of the request or answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FriendVerdict {
    /// As the webhook named it; one it did not name is passed over.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// 0 lets it through; 38000 – 39000 refuses it with this code and `ResultInfo`, as
    /// Tencent asks backends to; any other refuses it with 38000.
    #[serde(rename = "ResultCode")]
    pub result_code: i64,
    #[serde(rename = "ResultInfo", default)]
    pub result_info: String,
}
