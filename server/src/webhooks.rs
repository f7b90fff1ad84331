//! Webhooks to the app's backend, in the shape of Tencent IM's third-party callbacks, so that a
//! backend written for Tencent's takes them unchanged (`docs/webhooks.md`):
//! - `C2C.CallbackBeforeSendMsg` is asked before a message from a user's device or from
//!   `sendmsg` is stored. The answer lets it through (changed or not), refuses it (20006, or
//!   the backend's own code from 120001 to 130000) or drops it unseen (the sender is told it
//!   was sent). No answer within the timeout, or one that says none of these, lets it through,
//!   as Tencent's does.
//! - `C2C.CallbackAfterSendMsg` is told after such a send, with its outcome.
//! - `C2C.CallbackAfterMsgWithDraw` and `C2C.CallbackAfterMsgReport` are told of a recall and
//!   of a conversation read.
//! - `State.StateChange` is told when a device signs in, signs out or loses its connection.
//! - `Profile.CallbackPortraitSet` is told of profile fields set by a user or the backend.
//! - `Sns.CallbackPrevFriendAdd` is asked before a user's own friend request is made, and
//!   `Sns.CallbackPrevFriendResponse` before a user's acceptance or refusal of a friend
//!   application is kept. The answer lets each user through or refuses it (38000, or the
//!   backend's own code from 38000 to 39000); no answer, or the backend's own failure, lets
//!   them all through, as Tencent's does.
//! - `Sns.CallbackFriendAdd`, `Sns.CallbackFriendDelete`, `Sns.CallbackBlackListAdd` and
//!   `Sns.CallbackBlackListDelete` are told of friends and blacklist entries made or removed.
//!
//! All but those that ask are notifications: sent in the background, [`SENDING_MAX`] at once and
//! [`WAITING_MAX`] waiting, past which they are dropped and counted; never retried, as
//! Tencent's are not.

use crate::chat::SendRequest;
use crate::clock::Clock;
use crate::error::ChatError;
use crate::outbound::{Answer, exchange};
use crate::storage::Origin;
use clap::{Args, ValueEnum};
use protocol::webhook;
use protocol::{Element, ErrorCode, Message, MessageKey, Relation, RelationFields, UserId};
use reqwest::Url;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Notifications under way at once.
const SENDING_MAX: usize = 32;
/// Notifications waiting (and under way); more are dropped.
const WAITING_MAX: usize = 10_000;
/// The codes with which the backend may refuse a message, passed on to its sender.
const OWN_CODES: std::ops::RangeInclusive<u32> = 120_001..=130_000;
/// The codes with which the backend may refuse a friend request or answer, passed on to the
/// user.
const OWN_FRIEND_CODES: std::ops::RangeInclusive<u32> = 38_000..=39_000;

/// Where webhooks go and which are sent, from flags or `DUET_WEBHOOK_…` variables.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Webhooks")]
pub struct WebhookConfig {
    /// The app backend's webhook URL (Tencent's callback URL), http or https; no webhooks when
    /// unset. Each request adds `SdkAppid`, `CallbackCommand`, `contenttype` and
    /// `OptPlatform` to its query.
    #[arg(long, env = "DUET_WEBHOOK_URL", value_parser = webhook_url)]
    pub webhook_url: Option<Url>,
    /// The webhooks' authentication token: each request then also carries `RequestTime` and
    /// `Sign`, the SHA-256 of the token followed by `RequestTime`, in hex, as Tencent's.
    #[arg(long, env = "DUET_WEBHOOK_TOKEN", hide_env_values = true)]
    pub webhook_token: Option<String>,
    /// The webhooks sent, separated by commas [default: all].
    #[arg(long, env = "DUET_WEBHOOKS", value_enum, value_delimiter = ',')]
    pub webhooks: Vec<Hook>,
    /// How long the backend has to answer, in milliseconds (100 to 10000). A send waits this
    /// long for `C2C.CallbackBeforeSendMsg` at most, then goes out as if let through.
    #[arg(long, env = "DUET_WEBHOOK_TIMEOUT_MS", default_value_t = 2000,
        value_parser = clap::value_parser!(u64).range(100..=10_000))]
    pub webhook_timeout_ms: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            webhook_url: None,
            webhook_token: None,
            webhooks: Vec::new(),
            webhook_timeout_ms: 2000,
        }
    }
}

fn webhook_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| e.to_string())?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(format!(
            "the webhook URL must be http or https, not {other}"
        )),
    }
}

/// One of the webhooks, by Tencent's `CallbackCommand` ([`Hook::command`], also its name in
/// `DUET_WEBHOOKS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    BeforeSendMsg,
    AfterSendMsg,
    AfterMsgWithDraw,
    AfterMsgReport,
    StateChange,
    PortraitSet,
    PrevFriendAdd,
    PrevFriendResponse,
    FriendAdd,
    FriendDelete,
    BlackListAdd,
    BlackListDelete,
}

impl ValueEnum for Hook {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Hook::BeforeSendMsg,
            Hook::AfterSendMsg,
            Hook::AfterMsgWithDraw,
            Hook::AfterMsgReport,
            Hook::StateChange,
            Hook::PortraitSet,
            Hook::PrevFriendAdd,
            Hook::PrevFriendResponse,
            Hook::FriendAdd,
            Hook::FriendDelete,
            Hook::BlackListAdd,
            Hook::BlackListDelete,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.command()))
    }
}

impl Hook {
    /// Tencent's `CallbackCommand`.
    pub fn command(self) -> &'static str {
        match self {
            Hook::BeforeSendMsg => "C2C.CallbackBeforeSendMsg",
            Hook::AfterSendMsg => "C2C.CallbackAfterSendMsg",
            Hook::AfterMsgWithDraw => "C2C.CallbackAfterMsgWithDraw",
            Hook::AfterMsgReport => "C2C.CallbackAfterMsgReport",
            Hook::StateChange => "State.StateChange",
            Hook::PortraitSet => "Profile.CallbackPortraitSet",
            Hook::PrevFriendAdd => "Sns.CallbackPrevFriendAdd",
            Hook::PrevFriendResponse => "Sns.CallbackPrevFriendResponse",
            Hook::FriendAdd => "Sns.CallbackFriendAdd",
            Hook::FriendDelete => "Sns.CallbackFriendDelete",
            Hook::BlackListAdd => "Sns.CallbackBlackListAdd",
            Hook::BlackListDelete => "Sns.CallbackBlackListDelete",
        }
    }

    /// What the webhook is for, in a line.
    pub fn summary(self) -> &'static str {
        match self {
            Hook::BeforeSendMsg => {
                "Before a one-to-one message is stored: let it through, change it, refuse it or drop it"
            }
            Hook::AfterSendMsg => "After a one-to-one message was sent or refused",
            Hook::AfterMsgWithDraw => "After a one-to-one message was recalled",
            Hook::AfterMsgReport => "After a user read a one-to-one conversation",
            Hook::StateChange => "A device signed in, signed out or lost its connection",
            Hook::PortraitSet => "A user's profile fields were set, by the user or the backend",
            Hook::PrevFriendAdd => {
                "Before a user's friend request is made: let it through or refuse it, user by user"
            }
            Hook::PrevFriendResponse => {
                "Before a user's acceptance or refusal of friend applications is kept: let it through or refuse it, applicant by applicant"
            }
            Hook::FriendAdd => "Friends made",
            Hook::FriendDelete => "Friends removed",
            Hook::BlackListAdd => "Users blacklisted",
            Hook::BlackListDelete => "Users taken off a blacklist",
        }
    }

    /// The webhook told of a change to a list, if there is one: friends and the blacklist.
    pub fn of_relation(relation: Relation, add: bool) -> Option<Hook> {
        match (relation, add) {
            (Relation::Friend, true) => Some(Hook::FriendAdd),
            (Relation::Friend, false) => Some(Hook::FriendDelete),
            (Relation::Blacklist, true) => Some(Hook::BlackListAdd),
            (Relation::Blacklist, false) => Some(Hook::BlackListDelete),
            _ => None,
        }
    }
}

/// Where a request came from, as Tencent's `OptPlatform` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Web,
    RestApi,
}

impl Platform {
    /// A device's request (it has a connection, `origin`) or the REST API's.
    pub fn of(origin: Option<Origin>) -> Self {
        match origin {
            Some(_) => Platform::Web,
            None => Platform::RestApi,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Platform::Web => "Web",
            Platform::RestApi => "RESTAPI",
        }
    }
}

/// What the backend said of a message about to be sent.
#[derive(Debug)]
pub enum Verdict {
    /// Send it, with the body and custom data the backend gave instead, if it gave them.
    Send {
        elements: Option<Vec<Element>>,
        cloud_custom_data: Option<String>,
    },
    Refuse(ChatError),
    /// Tell the sender it was sent, and neither store nor deliver it.
    Drop,
}

/// A change of a device's state, as `State.StateChange` tells it: `Info.Action` and
/// `Info.Reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    /// Signed in.
    Login,
    /// Signed out (`logout`).
    Logout,
    /// The connection closed without a sign-out.
    Disconnect,
    /// Nothing came from the device for the idle timeout.
    TimedOut,
}

impl StateChange {
    fn action_and_reason(self) -> (&'static str, &'static str) {
        match self {
            StateChange::Login => ("Login", "Register"),
            StateChange::Logout => ("Logout", "Unregister"),
            StateChange::Disconnect => ("Disconnect", "LinkClose"),
            StateChange::TimedOut => ("Disconnect", "TimeOut"),
        }
    }
}

/// A user's answer to a friend application, as `Sns.CallbackPrevFriendResponse` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// Accepted, friends both ways.
    AgreeAndAdd,
    /// Accepted: the applicant lists the user, not the other way.
    Agree,
    Reject,
}

impl Response {
    fn as_str(self) -> &'static str {
        match self {
            Response::AgreeAndAdd => "Response_Action_AgreeAndAdd",
            Response::Agree => "Response_Action_Agree",
            Response::Reject => "Response_Action_Reject",
        }
    }
}

/// The users whose friend request or answer the backend refused, each with the error the
/// user gets.
pub type Refusals = HashMap<UserId, ChatError>;

/// Who changed a list, as the relation webhooks tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changer {
    /// A user, from a device: its own request (`addFriend`, `addToBlacklist`, …).
    User,
    /// A user accepting a friend application: `ClientCmd` `friend_response`.
    Responder,
    /// The app's backend (REST); `forced` for `friend_add` with `ForceAddFlags` 1.
    Backend { forced: bool },
    /// Not told: `friend_import`, as Tencent's, and the server's own bookkeeping (friend
    /// applications, an entry's fields).
    Nobody,
}

/// The configured webhooks; none when no URL is configured.
#[derive(Clone, Default)]
pub struct Webhooks(Option<Arc<Target>>);

struct Target {
    /// For each request's `RequestTime`, which is when it is sent, not when its event was.
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
    url: Url,
    token: Option<String>,
    sdk_app_id: u64,
    admin: UserId,
    hooks: Vec<Hook>,
    waiting: Arc<Semaphore>,
    sending: Arc<Semaphore>,
}

impl Webhooks {
    pub fn new(
        config: &WebhookConfig,
        (sdk_app_id, admin): (u64, &UserId),
        clock: Arc<dyn Clock>,
    ) -> Result<Self, String> {
        let Some(url) = config.webhook_url.clone() else {
            return Ok(Self(None));
        };
        let timeout = Duration::from_millis(config.webhook_timeout_ms);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // The answer is the backend's to give, not another host's.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("no HTTP client for webhooks: {e}"))?;
        let hooks = match config.webhooks.is_empty() {
            true => Hook::value_variants().to_vec(),
            false => config.webhooks.clone(),
        };
        Ok(Self(Some(Arc::new(Target {
            clock,
            http,
            url,
            token: config.webhook_token.clone().filter(|t| !t.is_empty()),
            sdk_app_id,
            admin: admin.clone(),
            hooks,
            waiting: Arc::new(Semaphore::new(WAITING_MAX)),
            sending: Arc::new(Semaphore::new(SENDING_MAX)),
        }))))
    }

    /// The target, when `hook` is sent.
    fn target(&self, hook: Hook) -> Option<&Arc<Target>> {
        self.0.as_ref().filter(|t| t.hooks.contains(&hook))
    }

    pub fn wants(&self, hook: Hook) -> bool {
        self.target(hook).is_some()
    }

    /// Asks the backend about a message about to be sent (`C2C.CallbackBeforeSendMsg`).
    pub async fn before_send(
        &self,
        from: &UserId,
        req: &SendRequest,
        online_only: bool,
        platform: Platform,
        now_ms: u64,
    ) -> Verdict {
        let let_through = Verdict::Send {
            elements: None,
            cloud_custom_data: None,
        };
        let Some(target) = self.target(Hook::BeforeSendMsg) else {
            return let_through;
        };
        let body = asked(from, req, online_only, now_ms);
        let body = target.body(Hook::BeforeSendMsg, body, now_ms);
        let answer = target.call(Hook::BeforeSendMsg, platform, body).await;
        let verdict = answer.and_then(verdict);
        let result = if verdict.is_some() {
            "answered"
        } else {
            "no_answer"
        };
        crate::metrics::webhook(Hook::BeforeSendMsg.command(), result);
        verdict.unwrap_or(let_through)
    }

    /// Tells the backend a send's outcome (`C2C.CallbackAfterSendMsg`): the message stored,
    /// or the error that refused `req`.
    pub fn after_send(
        &self,
        from: &UserId,
        req: &SendRequest,
        online_only: bool,
        outcome: Result<&Message, &ChatError>,
        platform: Platform,
        now_ms: u64,
    ) {
        let Some(target) = self.target(Hook::AfterSendMsg) else {
            return;
        };
        let mut message = asked(from, req, online_only, now_ms);
        let body = match outcome {
            Ok(m) => {
                message.msg_time = m.time_ms / 1000;
                message.msg_body = m.elements.clone();
                message.cloud_custom_data = m.cloud_custom_data.clone();
                webhook::AfterSendMsg {
                    message,
                    msg_seq: Some(m.key.id),
                    msg_key: Some(m.key.to_string()),
                    send_msg_result: 0,
                    error_info: "send msg succeed".to_owned(),
                }
            }
            Err(e) => webhook::AfterSendMsg {
                message,
                msg_seq: None,
                msg_key: None,
                send_msg_result: e.code.0,
                error_info: e.message.clone(),
            },
        };
        target.notify(Hook::AfterSendMsg, platform, now_ms, body);
    }

    /// Tells the backend that a device of `user` signed in, out, or went (`State.StateChange`).
    pub fn state_change(&self, user: &UserId, change: StateChange, now_ms: u64) {
        let Some(target) = self.target(Hook::StateChange) else {
            return;
        };
        let (action, reason) = change.action_and_reason();
        let info = webhook::StateInfo {
            action,
            to_account: user.clone(),
            reason,
        };
        let body = webhook::StateChange { info };
        target.notify(Hook::StateChange, Platform::Web, now_ms, body);
    }

    /// Tells the backend that `from` recalled its message `key` to `to`
    /// (`C2C.CallbackAfterMsgWithDraw`).
    pub fn recalled(
        &self,
        (from, to): (&UserId, &UserId),
        key: MessageKey,
        platform: Platform,
        now_ms: u64,
    ) {
        let Some(target) = self.target(Hook::AfterMsgWithDraw) else {
            return;
        };
        let body = webhook::MsgWithDraw {
            from_account: from.clone(),
            to_account: to.clone(),
            msg_key: key.to_string(),
        };
        target.notify(Hook::AfterMsgWithDraw, platform, now_ms, body);
    }

    /// Tells the backend that `reader` read its conversation with `peer` to its end
    /// (`C2C.CallbackAfterMsgReport`).
    pub fn read(&self, (reader, peer): (&UserId, &UserId), platform: Platform, now_ms: u64) {
        let Some(target) = self.target(Hook::AfterMsgReport) else {
            return;
        };
        let body = webhook::MsgReport {
            report_account: reader.clone(),
            peer_account: peer.clone(),
            last_read_time: now_ms / 1000,
        };
        target.notify(Hook::AfterMsgReport, platform, now_ms, body);
    }

    /// Tells the backend that `user`'s profile fields `items` were set, by the user itself
    /// from a device or by the backend's REST call (`Profile.CallbackPortraitSet`).
    pub fn portrait_set(
        &self,
        user: &UserId,
        items: Vec<protocol::rest::TagValue>,
        platform: Platform,
        now_ms: u64,
    ) {
        let Some(target) = self.target(Hook::PortraitSet) else {
            return;
        };
        if items.is_empty() {
            return;
        }
        let operator = match platform {
            Platform::Web => user,
            Platform::RestApi => &target.admin,
        };
        let body = webhook::PortraitSet {
            operator_account: operator.clone(),
            from_account: user.clone(),
            profile_item: items,
        };
        target.notify(Hook::PortraitSet, platform, now_ms, body);
    }

    /// Asks the backend about `from`'s own friend request to `peers`, with its `fields`
    /// (`Sns.CallbackPrevFriendAdd`): those it refuses.
    pub async fn before_friend_add(
        &self,
        from: &UserId,
        peers: &[UserId],
        fields: &RelationFields,
        now_ms: u64,
    ) -> Refusals {
        let Some(target) = self.target(Hook::PrevFriendAdd) else {
            return Refusals::new();
        };
        let friend_item = (peers.iter())
            .map(|peer| webhook::FriendItem {
                to_account: peer.clone(),
                remark: fields.remark.clone(),
                group_name: String::new(),
                add_source: fields.source.clone(),
                add_wording: fields.wording.clone(),
            })
            .collect();
        let body = webhook::PrevFriendAdd {
            requester_account: from.clone(),
            from_account: from.clone(),
            friend_item,
            add_type: "Add_Type_Both",
            force_add_flags: 0,
        };
        target
            .screen(Hook::PrevFriendAdd, body, peers, now_ms)
            .await
    }

    /// Asks the backend about `from`'s answer to the friend applications of `applicants`,
    /// with the remark it gives them when accepting (`Sns.CallbackPrevFriendResponse`): those
    /// it refuses.
    pub async fn before_friend_response(
        &self,
        from: &UserId,
        applicants: &[UserId],
        (response, remark): (Response, &str),
        now_ms: u64,
    ) -> Refusals {
        let Some(target) = self.target(Hook::PrevFriendResponse) else {
            return Refusals::new();
        };
        let response_friend_item = (applicants.iter())
            .map(|applicant| webhook::ResponseItem {
                to_account: applicant.clone(),
                remark: remark.to_owned(),
                tag_name: String::new(),
                response_action: response.as_str(),
            })
            .collect();
        let body = webhook::PrevFriendResponse {
            requester_account: from.clone(),
            from_account: from.clone(),
            response_friend_item,
        };
        target
            .screen(Hook::PrevFriendResponse, body, applicants, now_ms)
            .await
    }

    /// Tells the backend of friends or blacklist entries made or removed: `owner`'s of each
    /// of `peers`, and theirs of `owner` when `both_ways` (`Sns.CallbackFriendAdd` and the
    /// others of [`Hook::of_relation`]).
    pub fn relations_changed(
        &self,
        (relation, add): (Relation, bool),
        (owner, peers): (&UserId, &[&UserId]),
        both_ways: bool,
        by: Changer,
        now_ms: u64,
    ) {
        let Some(hook) = Hook::of_relation(relation, add) else {
            return;
        };
        let Some(target) = self.target(hook) else {
            return;
        };
        if peers.is_empty() || by == Changer::Nobody {
            return;
        }
        let mut pair_list = Vec::new();
        for peer in peers {
            // Who asked for a friendship: the owner, or the applicant it accepts, who is the
            // peer when the friendship is made both ways and the owner of its one way.
            let initiator = match by {
                Changer::Responder if both_ways => *peer,
                _ => owner,
            };
            let initiator = (hook == Hook::FriendAdd).then(|| initiator.clone());
            let mut ends = vec![(owner, *peer)];
            if both_ways {
                ends.push((*peer, owner));
            }
            for (from, to) in ends {
                pair_list.push(webhook::Pair {
                    from_account: from.clone(),
                    to_account: to.clone(),
                    initiator_account: initiator.clone(),
                });
            }
        }
        let platform = match by {
            Changer::Backend { .. } => Platform::RestApi,
            _ => Platform::Web,
        };
        if hook != Hook::FriendAdd {
            let body = webhook::Pairs { pair_list };
            return target.notify(hook, platform, now_ms, body);
        }
        let body = webhook::FriendAdd {
            pair_list,
            client_cmd: match by {
                Changer::Responder => "friend_response",
                _ => "friend_add",
            },
            admin_account: match by {
                Changer::Backend { .. } => target.admin.to_string(),
                _ => String::new(),
            },
            force_flag: u8::from(by == Changer::Backend { forced: true }),
        };
        target.notify(hook, platform, now_ms, body);
    }
}

/// What a send asks the backend: the message as the sender gave it.
fn asked(from: &UserId, req: &SendRequest, online_only: bool, now_ms: u64) -> webhook::SendMsg {
    webhook::SendMsg {
        from_account: from.clone(),
        to_account: req.to.clone(),
        msg_random: req.random,
        msg_time: now_ms / 1000,
        online_only_flag: u8::from(online_only),
        msg_body: req.elements.clone(),
        cloud_custom_data: req.cloud_custom_data.clone(),
    }
}

impl Target {
    /// `body` as the webhook's JSON: with the command and the event's time.
    fn body<T: Serialize>(&self, hook: Hook, body: T, now_ms: u64) -> Vec<u8> {
        let event = webhook::Event {
            command: hook.command(),
            event_time: now_ms,
            body,
        };
        serde_json::to_vec(&event).expect("a webhook's body serializes")
    }

    /// Posts `body` and reads the answer: `None` when none came, or not a 2xx one.
    async fn call(&self, hook: Hook, platform: Platform, body: Vec<u8>) -> Option<Answer> {
        let request = self
            .http
            .post(self.url_for(hook, platform))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        let answer = exchange(hook.command(), request).await;
        if let Some(a) = answer.as_ref().filter(|a| !a.status.is_success()) {
            tracing::warn!(command = hook.command(), status = %a.status, "webhook refused");
        }
        answer.filter(|a| a.status.is_success())
    }

    /// Asks the backend about a user's friend request or answer concerning `users`, and waits
    /// for its answer: those it refuses. Only a user's own requests are asked about, so the
    /// platform is the browser SDK's.
    async fn screen<T: Serialize>(
        &self,
        hook: Hook,
        body: T,
        users: &[UserId],
        now_ms: u64,
    ) -> Refusals {
        if users.is_empty() {
            return Refusals::new();
        }
        let body = self.body(hook, body, now_ms);
        let answer = self.call(hook, Platform::Web, body).await;
        let refusals = answer.and_then(|a| friend_verdicts(hook, a, users));
        let result = match refusals {
            Some(_) => "answered",
            None => "no_answer",
        };
        crate::metrics::webhook(hook.command(), result);
        refusals.unwrap_or_default()
    }

    /// Sends a notification in the background, or drops it when too many are waiting.
    fn notify<T: Serialize>(
        self: &Arc<Self>,
        hook: Hook,
        platform: Platform,
        now_ms: u64,
        body: T,
    ) {
        let Ok(waiting) = self.waiting.clone().try_acquire_owned() else {
            tracing::warn!(
                command = hook.command(),
                "webhook dropped: {WAITING_MAX} waiting"
            );
            crate::metrics::webhook(hook.command(), "dropped");
            return;
        };
        let body = self.body(hook, body, now_ms);
        let target = self.clone();
        tokio::spawn(async move {
            let Ok(_sending) = target.sending.acquire().await else {
                return;
            };
            let answered = target.call(hook, platform, body).await.is_some();
            crate::metrics::webhook(
                hook.command(),
                if answered { "answered" } else { "no_answer" },
            );
            drop(waiting);
        });
    }

    /// The URL with Tencent's query: the app, the command, the platform and, with a token,
    /// the request's time (now: a notification may have waited) and signature.
    fn url_for(&self, hook: Hook, platform: Platform) -> Url {
        let mut url = self.url.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("SdkAppid", &self.sdk_app_id.to_string())
                .append_pair("CallbackCommand", hook.command())
                .append_pair("contenttype", "json")
                .append_pair("OptPlatform", platform.as_str());
            if let Some(token) = &self.token {
                let time = (self.clock.now_ms() / 1000).to_string();
                query
                    .append_pair("RequestTime", &time)
                    .append_pair("Sign", &sign(token, &time));
            }
        }
        url
    }
}

/// Tencent's webhook signature: the SHA-256 of the token followed by the request time, in
/// lower-case hex.
pub fn sign(token: &str, request_time: &str) -> String {
    let digest = Sha256::digest(format!("{token}{request_time}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a before-send answer says; `None` for one that is not an answer (Tencent then lets the
/// message through).
fn verdict(answer: Answer) -> Option<Verdict> {
    let a: webhook::BeforeSendAnswer = serde_json::from_value(answer.body)
        .inspect_err(|e| tracing::warn!(error = %e, "C2C.CallbackBeforeSendMsg answer unreadable"))
        .ok()?;
    let refusal = |code, default: &str| {
        let info = match a.error_info.is_empty() {
            true => default.to_owned(),
            false => a.error_info.clone(),
        };
        Some(Verdict::Refuse(ChatError::new(ErrorCode(code), info)))
    };
    match a.error_code {
        0 => Some(Verdict::Send {
            elements: a.msg_body.filter(|b| !b.is_empty()),
            cloud_custom_data: a.cloud_custom_data,
        }),
        1 => refusal(
            ErrorCode::REFUSED_BY_BACKEND.0,
            ErrorCode::REFUSED_BY_BACKEND.description(),
        ),
        2 => Some(Verdict::Drop),
        code if OWN_CODES.contains(&code) => refusal(code, "refused by the app's backend"),
        code => {
            tracing::warn!(
                code,
                "C2C.CallbackBeforeSendMsg answered an unknown ErrorCode"
            );
            None
        }
    }
}

/// The users of `asked` that an answer to `Sns.CallbackPrevFriendAdd` or
/// `Sns.CallbackPrevFriendResponse` refuses; `None` for one that is not an answer. An
/// `ErrorCode` other than 0 is the backend's own failure, which lets everything through, as
/// Tencent's does.
fn friend_verdicts(hook: Hook, answer: Answer, asked: &[UserId]) -> Option<Refusals> {
    let command = hook.command();
    let a: webhook::PrevFriendAnswer = serde_json::from_value(answer.body)
        .inspect_err(|e| tracing::warn!(command, error = %e, "webhook answer unreadable"))
        .ok()?;
    if a.error_code != 0 {
        tracing::warn!(command, code = a.error_code, info = %a.error_info, "the backend failed: let through");
        return Some(Refusals::new());
    }
    let mut refused = Refusals::new();
    for verdict in a.result_item.into_iter().filter(|v| v.result_code != 0) {
        let Some(user) = asked.iter().find(|u| u.as_str() == verdict.to_account) else {
            continue;
        };
        let code = match u32::try_from(verdict.result_code) {
            Ok(code) if OWN_FRIEND_CODES.contains(&code) => ErrorCode(code),
            _ => ErrorCode::FRIEND_REFUSED_BY_BACKEND,
        };
        let info = match verdict.result_info.is_empty() {
            true => ErrorCode::FRIEND_REFUSED_BY_BACKEND
                .description()
                .to_owned(),
            false => verdict.result_info,
        };
        refused.insert(user.clone(), ChatError::new(code, info));
    }
    Some(refused)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn the_signature_is_tencents() {
        // `printf 'secret1700000000' | sha256sum`
        let expected = "a09abffb61e9ed1074de76ba1133a9900ffb7cccde778fb92b31afb76f5390ff";
        assert_eq!(sign("secret", "1700000000"), expected);
        assert_ne!(sign("secret", "1700000001"), expected);
    }

    fn answer(body: Value) -> Answer {
        Answer {
            status: reqwest::StatusCode::OK,
            body,
        }
    }

    #[test]
    fn answers_read_as_tencent_defines_them() {
        let v = verdict(answer(
            json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}),
        ));
        assert!(matches!(
            v,
            Some(Verdict::Send {
                elements: None,
                cloud_custom_data: None
            })
        ));
        let v = verdict(answer(json!({"ErrorCode": 1, "ErrorInfo": ""})));
        let Some(Verdict::Refuse(e)) = v else {
            panic!("{v:?}")
        };
        assert_eq!(e.code, ErrorCode::REFUSED_BY_BACKEND);
        assert!(matches!(
            verdict(answer(json!({"ErrorCode": 2}))),
            Some(Verdict::Drop)
        ));
        let v = verdict(answer(
            json!({"ErrorCode": 120_001, "ErrorInfo": "no spam"}),
        ));
        let Some(Verdict::Refuse(e)) = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode(120_001), "no spam")
        );
        let v = verdict(answer(json!({
            "ErrorCode": 0,
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "changed"}}],
            "CloudCustomData": "x",
        })));
        let Some(Verdict::Send {
            elements: Some(e),
            cloud_custom_data: Some(d),
        }) = v
        else {
            panic!("{v:?}")
        };
        assert_eq!((e.len(), d.as_str()), (1, "x"));
        // Not an answer: let through by the caller.
        assert!(verdict(answer(json!({"ErrorCode": 7}))).is_none());
        assert!(verdict(answer(Value::Null)).is_none());
    }
}
