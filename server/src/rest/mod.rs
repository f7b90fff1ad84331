//! The REST API for the app's backend (R6.2), in Tencent IM's v4 shape:
//! `POST /v4/<service>/<command>?sdkappid=&identifier=&usersig=&random=&contenttype=json`
//! with a JSON body. Every answer is HTTP 200 with `ActionStatus`, `ErrorCode` and `ErrorInfo`
//! (bodies in `protocol::rest`); `docs/rest-api.md` lists the commands and codes.
//!
//! Every command needs the administrator's UserSig, as in Tencent IM. Commands live in one
//! module per service: [`accounts`], [`messages`], [`state`], [`contacts`], [`relations`],
//! [`profiles`], [`config`], [`app`], [`push`], [`admin`].

mod accounts;
mod admin;
mod app;
mod beijing;
mod commands;
mod config;
mod contacts;
mod friend_groups;
pub mod history;
mod keywords;
mod messages;
pub mod openapi;
mod profiles;
mod push;
mod push_all;
mod push_marks;
mod relations;
mod state;

use crate::AppState;
use crate::chat::Chat;
use crate::config::RestConfig;
use crate::error::ChatError;
use crate::rate::{KeyedBuckets, TokenBucket};
use crate::shared_budgets::Unsent;
use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use protocol::frame::MAX_ANSWER_BYTES;
use protocol::rest::{Empty, RestReply, Status};
use protocol::{ErrorCode, UserId};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tracing::Instrument;

pub use crate::chat::profile_fields::custom_tags as custom_profile_tags;
use commands::command_name;
pub use commands::{COMMANDS, CommandInfo};

/// What a command returns: a typed reply, or a streamed body (the export).
pub(crate) type Outcome = Result<Response, ChatError>;

/// Failed authentications one client address may make per second, and in a burst.
const FAILURES_PER_SEC: u32 = 10;
const FAILURE_BURST: u32 = 20;
/// Client addresses metered at once.
const MAX_SOURCES: usize = 10_000;

/// The REST API's rate limits. Every request spends from its client address's bucket; a failed
/// authentication also from that address's smaller bucket of failures, and once that is empty
/// the address's failures are answered `RATE_LIMITED`. Only authenticated requests spend the
/// app's budget, so no one without the administrator's UserSig can use it up.
pub struct RestLimits {
    app: Mutex<TokenBucket>,
    sources: Mutex<KeyedBuckets<IpAddr>>,
    failures: Mutex<KeyedBuckets<IpAddr>>,
    /// What this node spent of the app's budget, for the other nodes of a cluster.
    unsent: Arc<Unsent>,
}

impl RestLimits {
    pub fn new(config: &RestConfig, unsent: Arc<Unsent>) -> Self {
        let (rate, burst) = (config.rate_per_sec, config.rate_burst);
        Self {
            app: Mutex::new(TokenBucket::new(rate, burst)),
            sources: Mutex::new(KeyedBuckets::new(rate, burst, MAX_SOURCES)),
            failures: Mutex::new(KeyedBuckets::new(
                FAILURES_PER_SEC,
                FAILURE_BURST,
                MAX_SOURCES,
            )),
            unsent,
        }
    }

    /// Charges the app's budget with `n` requests served by another node.
    pub(crate) fn charge(&self, n: u64, now: Instant) {
        if let Ok(mut b) = self.app.lock() {
            b.charge(n, now);
        }
    }

    fn take(bucket: &Mutex<KeyedBuckets<IpAddr>>, source: IpAddr) -> bool {
        bucket
            .lock()
            .map(|mut b| b.try_take(&source, Instant::now()))
            .unwrap_or(false)
    }
}

fn rate_limited(message: &str) -> ChatError {
    ChatError::new(ErrorCode::RATE_LIMITED, message)
}

/// Answers one REST call.
pub async fn handle(
    State(app): State<AppState>,
    Path((service, command)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let source = peer.map_or(IpAddr::from([0, 0, 0, 0]), |p| p.0.0.ip());
    // Every line this call logs names it; its URL parameters (the UserSig among them) are not
    // logged.
    let request = REQUESTS.fetch_add(1, Ordering::Relaxed) + 1;
    let span = tracing::info_span!("rest", request, %service, %command);
    let name = command_name(&service, &command);
    let call = async {
        let known = name.ok_or_else(|| {
            ChatError::new(
                ErrorCode::UNKNOWN_REQUEST,
                format!("unknown command v4/{service}/{command}"),
            )
        });
        let base = crate::media::public_base(&app.chat, &headers);
        let outcome = run(&app, source, known, &params, &base, body).await;
        match &outcome {
            Ok(_) => tracing::debug!("answered"),
            Err(e) => tracing::debug!(code = e.code.0, "refused"),
        }
        outcome
    };
    let outcome = call.instrument(span).await;
    let code = outcome.as_ref().err().map_or(ErrorCode(0), |e| e.code);
    crate::metrics::rest_call(name.unwrap_or("unknown"), code);
    outcome.unwrap_or_else(fail)
}

/// REST calls since start, which numbers them in the logs.
static REQUESTS: AtomicU64 = AtomicU64::new(0);

async fn run(
    app: &AppState,
    source: IpAddr,
    name: Result<&str, ChatError>,
    params: &HashMap<String, String>,
    base: &str,
    body: Body,
) -> Outcome {
    let limits = &app.rest_limits;
    if !RestLimits::take(&limits.sources, source) {
        return Err(rate_limited(
            "too many REST requests from this address; retry later",
        ));
    }
    if let Err(e) = authenticate(app, params) {
        if !RestLimits::take(&limits.failures, source) {
            return Err(rate_limited(
                "too many failed authentications from this address; retry later",
            ));
        }
        return Err(e);
    }
    let allowed = limits
        .app
        .lock()
        .map(|mut b| b.try_take(Instant::now()))
        .unwrap_or(false);
    if !allowed {
        return Err(rate_limited(
            "too many REST requests for this app; retry later",
        ));
    }
    limits.unsent.rest(1);
    let limit = app.chat.config.rest.body_max_bytes;
    let body = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ChatError::new(
            ErrorCode::FRAME_TOO_LARGE,
            format!("request body is over the {limit}-byte limit"),
        )
    })?;
    dispatch(&app.chat, name?, &body, base).await
}

/// Runs the command named `name` (`service/command`) on an authenticated, bounded body;
/// `base` is where this server's links start (`https://host`). The admin CLI calls this
/// in-process when it works on a data dir directly.
pub async fn dispatch(chat: &Arc<Chat>, name: &str, body: &Bytes, base: &str) -> Outcome {
    use push_marks::Edit;
    match name {
        "im_open_login_svc/account_import" => accounts::import(chat, body).await,
        "im_open_login_svc/multiaccount_import" => accounts::import_many(chat, body).await,
        "im_open_login_svc/account_check" => accounts::check(chat, body).await,
        "im_open_login_svc/account_delete" => accounts::delete(chat, body).await,
        "im_open_login_svc/kick" => accounts::kick(chat, body).await,
        "openim/sendmsg" => messages::send(chat, body).await,
        "openim/importmsg" => messages::import(chat, body).await,
        "openim/batchsendmsg" => messages::batch_send(chat, body).await,
        "timpush/push" => push_all::push(chat, body, push_all::Command::Push).await,
        "timpush/batch" => push_all::batch(chat, body).await,
        "all_member_push/im_push" => push_all::push(chat, body, push_all::Command::ImPush).await,
        "duet/push_task" => push_all::task(chat, body).await,
        "all_member_push/im_set_attr_name" | "timpush/set_attr_name" => {
            push_marks::set_attr_names(chat, body).await
        }
        "all_member_push/im_get_attr_name" | "timpush/get_attr_name" => {
            push_marks::get_attr_names(chat).await
        }
        "all_member_push/im_get_attr" | "timpush/get_attr" => {
            push_marks::get_attrs(chat, body).await
        }
        "all_member_push/im_set_attr" | "timpush/set_attr" => {
            push_marks::edit(chat, body, Edit::SetAttrs).await
        }
        "all_member_push/im_remove_attr" | "timpush/remove_attr" => {
            push_marks::edit(chat, body, Edit::RemoveAttrs).await
        }
        "all_member_push/im_get_tag" | "timpush/get_tag" => push_marks::get_tags(chat, body).await,
        "all_member_push/im_add_tag" | "timpush/add_tag" => {
            push_marks::edit(chat, body, Edit::AddTags).await
        }
        "all_member_push/im_remove_tag" | "timpush/remove_tag" => {
            push_marks::edit(chat, body, Edit::RemoveTags).await
        }
        "all_member_push/im_remove_all_tags" | "timpush/remove_all_tags" => {
            push_marks::edit(chat, body, Edit::RemoveAllTags).await
        }
        "openim/admin_getroammsg" => messages::roaming(chat, body).await,
        "openim/admin_msgwithdraw" => messages::withdraw(chat, body).await,
        "openim/modify_c2c_msg" => messages::modify(chat, body).await,
        "openim/delete_c2c_msg_ramble" => messages::delete_ramble(chat, body).await,
        "openim/admin_set_msg_read" => messages::set_read(chat, body).await,
        "openim/c2c_msg_read_receipt" => messages::read_receipt(chat, body).await,
        "openim/query_online_status" | "openim/querystate" => state::query_state(chat, body).await,
        "openim/get_c2c_unread_msg_num" => state::c2c_unread(chat, body).await,
        "recentcontact/get_list" => contacts::get_list(chat, body).await,
        "recentcontact/delete" => contacts::delete(chat, body).await,
        "recentcontact/mark_contact" => contacts::mark(chat, body).await,
        "recentcontact/get_contact_group" => contacts::marked(chat, body).await,
        "recentcontact/search_contact_group" => contacts::search_marks(chat, body).await,
        "recentcontact/create_contact_group" => contacts::create_group(chat, body).await,
        "recentcontact/update_contact_group" => contacts::update_group(chat, body).await,
        "recentcontact/del_contact_group" => contacts::delete_group(chat, body).await,
        "sns/friend_add" => relations::friend_add(chat, body).await,
        "sns/friend_delete" => relations::friend_delete(chat, body).await,
        "sns/friend_get" => relations::friend_get(chat, body).await,
        "sns/friend_get_list" => relations::friend_get_list(chat, body).await,
        "sns/friend_delete_all" => relations::friend_delete_all(chat, body).await,
        "sns/friend_update" => relations::friend_update(chat, body).await,
        "sns/friend_import" => relations::friend_import(chat, body).await,
        "sns/group_add" => friend_groups::add(chat, body).await,
        "sns/group_delete" => friend_groups::delete(chat, body).await,
        "sns/group_get" => friend_groups::get(chat, body).await,
        "sns/friend_check" => relations::friend_check(chat, body).await,
        "sns/black_list_add" => relations::black_list_change(chat, body, true).await,
        "sns/black_list_delete" => relations::black_list_change(chat, body, false).await,
        "sns/black_list_get" => relations::black_list_get(chat, body).await,
        "sns/black_list_check" => relations::black_list_check(chat, body).await,
        "profile/portrait_set" => profiles::set(chat, body).await,
        "profile/portrait_get" => profiles::get(chat, body).await,
        "openconfigsvr/setnospeaking" => config::set_no_speaking(chat, body).await,
        "openconfigsvr/getnospeaking" => config::get_no_speaking(chat, body).await,
        "duet/set_app_config" => app::set_config(chat, body).await,
        "duet/get_app_config" => app::get_config(chat).await,
        "duet/export_msgs" => app::export(chat.clone(), body).await,
        "open_msg_svc/get_history" => history::get_history(chat, body, base).await,
        "im_msg_audit_mgr/get_cloud_audit_keywords_ids" => keywords::libraries(chat, body).await,
        "im_msg_audit_mgr/get_cloud_audit_keywords" => keywords::get(chat, body).await,
        "im_msg_audit_mgr/add_cloud_audit_keywords" => keywords::add(chat, body).await,
        "im_msg_audit_mgr/delete_cloud_audit_keywords" => keywords::delete(chat, body).await,
        "duet/push_register" => push::register(chat, body).await,
        "duet/push_unregister" => push::unregister(chat, body).await,
        "duet/account_list" => admin::account_list(chat, body).await,
        "duet/account_get" => admin::account_get(chat, body).await,
        "duet/expire" => admin::expire(chat).await,
        "duet/vacuum" => admin::vacuum(chat).await,
        _ => Err(ChatError::new(
            ErrorCode::UNKNOWN_REQUEST,
            format!("unknown command v4/{name}"),
        )),
    }
}

/// Checks the URL's identity: this app, a valid UserSig for `identifier`, and that
/// `identifier` is the administrator.
fn authenticate(app: &AppState, params: &HashMap<String, String>) -> Result<(), ChatError> {
    let param = |name: &str| {
        params.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            ChatError::new(
                ErrorCode::BAD_URL_PARAMETER,
                format!("URL parameter {name} is missing"),
            )
        })
    };
    let sdk_app_id: u64 = param("sdkappid")?.parse().map_err(|_| {
        ChatError::new(
            ErrorCode::BAD_URL_PARAMETER,
            "URL parameter sdkappid is not a number",
        )
    })?;
    let identifier = UserId::parse(param("identifier")?.as_str()).map_err(|e| {
        ChatError::new(
            ErrorCode::BAD_URL_PARAMETER,
            format!("URL parameter identifier: {e}"),
        )
    })?;
    let user_sig = param("usersig")?;
    if let Some(ct) = params.get("contenttype")
        && ct != "json"
    {
        return Err(ChatError::new(
            ErrorCode::BAD_URL_PARAMETER,
            format!("contenttype must be json, not {ct:?}"),
        ));
    }
    app.chat
        .verify_user_sig(sdk_app_id, &identifier, user_sig)?;
    if !app.chat.is_admin(&identifier) {
        return Err(ChatError::new(
            ErrorCode::ADMIN_REQUIRED,
            format!(
                "{identifier} is not the app administrator; the REST API needs the administrator's UserSig"
            ),
        ));
    }
    Ok(())
}

/// Parses a request body; an empty body reads as `{}`.
pub(crate) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ChatError> {
    let bytes: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(bytes)
        .map_err(|e| ChatError::new(ErrorCode::BAD_JSON, format!("invalid request body: {e}")))
}

/// Parses a send request. A fault inside `MsgBody` is `BAD_MSG_BODY`, as Tencent reports it;
/// any other is `BAD_JSON`.
pub(crate) fn parse_send<T: DeserializeOwned>(body: &Bytes) -> Result<T, ChatError> {
    let value: serde_json::Value = parse(body)?;
    if let Some(msg_body) = value.get("MsgBody") {
        serde_json::from_value::<Vec<protocol::Element>>(msg_body.clone())
            .map_err(|e| ChatError::new(ErrorCode::BAD_MSG_BODY, format!("MsgBody: {e}")))?;
    }
    serde_json::from_value(value)
        .map_err(|e| ChatError::new(ErrorCode::BAD_JSON, format!("invalid request body: {e}")))
}

/// Parses an account named in field `field`.
pub(crate) fn account(id: &str, field: &str) -> Result<UserId, ChatError> {
    UserId::parse(id)
        .map_err(|e| ChatError::new(ErrorCode::INVALID_ARGUMENT, format!("{field}: {e}")))
}

/// Tencent's `CurrentSequence` of a list (friend groups, the blacklist; `StandardSequence` and
/// `CustomSequence` of the friends), which a client compares to pull only what changed: Duet answers every such list in full, so it is the time
/// of the answer, which only grows.
pub(crate) fn list_sequence(chat: &Chat) -> u64 {
    chat.clock.now_ms()
}

/// A successful answer, unless it would be over [`MAX_ANSWER_BYTES`].
pub(crate) fn ok<T: Serialize>(body: T) -> Outcome {
    let reply = RestReply {
        status: Status::ok(),
        body,
    };
    let bytes = serde_json::to_vec(&reply)
        .map_err(|e| ChatError::new(ErrorCode::INTERNAL, format!("answer: {e}")))?;
    if bytes.len() > MAX_ANSWER_BYTES {
        return Err(ChatError::new(
            ErrorCode::ANSWER_TOO_LARGE,
            format!("the answer would be over {MAX_ANSWER_BYTES} bytes; ask for less"),
        ));
    }
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response())
}

fn fail(e: ChatError) -> Response {
    axum::Json(RestReply {
        status: Status::fail(e.code, e.message),
        body: Empty {},
    })
    .into_response()
}
