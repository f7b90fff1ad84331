//! `openim`: sending (one and batch), roaming history, recall, edits and read marks.

use super::{Outcome, account, ok, parse, parse_send};
use crate::chat::{Chat, EditContent, SendOptions, SendRequest, check_count};
use crate::error::ChatError;
use crate::storage::HistoryQuery;
use crate::webhooks::Platform;
use axum::body::Bytes;
use protocol::frame::MAX_PAGE;
use protocol::rest::*;
use protocol::{ErrorCode, Message, MessageKey, UserId};

/// Most recipients of one `batchsendmsg`, as in Tencent IM.
const BATCH_SEND_MAX: usize = 500;

/// Longest `MsgLifeTime` Tencent accepts: 7 days.
const MAX_LIFE_TIME_SECS: u32 = 7 * 24 * 3600;

/// The send settings shared by `sendmsg` and `batchsendmsg`.
struct Common {
    from: UserId,
    opts: SendOptions,
    need_read_receipt: bool,
}

/// The sender `From_Account` names: the administrator when it is absent.
pub(super) fn sender(chat: &Chat, from_account: Option<&str>) -> Result<UserId, ChatError> {
    match from_account {
        Some(id) => account(id, "From_Account"),
        None => Ok(chat.identity.admin.clone()),
    }
}

/// Refuses a `MsgLifeTime` over Tencent's 7 days.
pub(super) fn check_life_time(life_time: Option<u32>) -> Result<(), ChatError> {
    match life_time {
        Some(t) if t > MAX_LIFE_TIME_SECS => Err(invalid(format!(
            "MsgLifeTime must be at most {MAX_LIFE_TIME_SECS} seconds"
        ))),
        _ => Ok(()),
    }
}

fn common(chat: &Chat, msg: &MsgFields) -> Result<Common, ChatError> {
    let from = sender(chat, msg.from_account.as_deref())?;
    let sync_sender = match msg.sync_other_machine {
        None | Some(1) => true,
        Some(2) => false,
        Some(n) => return Err(invalid(format!("SyncOtherMachine must be 1 or 2, got {n}"))),
    };
    let need_read_receipt = match msg.is_need_read_receipt {
        None | Some(0) => false,
        Some(1) => true,
        Some(n) => {
            return Err(invalid(format!(
                "IsNeedReadReceipt must be 0 or 1, got {n}"
            )));
        }
    };
    check_life_time(msg.msg_life_time)?;
    let mut opts = SendOptions {
        sync_sender,
        // Tencent's `MsgLifeTime` 0: to the recipient's devices online now, kept nowhere.
        online_only: msg.msg_life_time == Some(0),
        ..SendOptions::default()
    };
    for control in &msg.send_msg_control {
        match control.as_str() {
            "NoUnread" => opts.no_unread = true,
            "NoLastMsg" => opts.no_last_msg = true,
            // Duet: deliver regardless of friends-only and blacklists (Tencent's REST always does).
            "SkipRelationCheck" => opts.skip_relation_check = true,
            // Tencent's way to ask for what Duet always does: no notification to a recipient
            // who muted the sender (`setMessageRemindType`), whichever path sent the message.
            "WithMuteNotifications" => {}
            other => return Err(invalid(format!("unknown SendMsgControl value {other:?}"))),
        }
    }
    for control in &msg.forbid_callback_control {
        match control.as_str() {
            "ForbidBeforeSendMsgCallback" => opts.forbid_before_webhook = true,
            "ForbidAfterSendMsgCallback" => opts.forbid_after_webhook = true,
            other => {
                return Err(invalid(format!(
                    "unknown ForbidCallbackControl value {other:?}"
                )));
            }
        }
    }
    Ok(Common {
        from,
        opts,
        need_read_receipt,
    })
}

pub(super) fn invalid(message: impl Into<String>) -> ChatError {
    ChatError::new(ErrorCode::INVALID_ARGUMENT, message)
}

pub(super) async fn send(chat: &Chat, body: &Bytes) -> Outcome {
    let req: SendMsg = parse_send(body)?;
    let c = common(chat, &req.msg)?;
    let to = account(&req.to_account, "To_Account")?;
    let request = SendRequest {
        to,
        random: req.msg.msg_random,
        elements: req.msg.msg_body,
        cloud_custom_data: req.msg.cloud_custom_data,
        client_time_s: 0,
        offline_push_info: req.msg.offline_push_info,
        need_read_receipt: c.need_read_receipt,
    };
    let sent = chat
        .send_with_webhooks(&c.from, request, c.opts)
        .await?
        .await?;
    ok(SendMsgReply {
        msg_time: sent.message.time_ms / 1000,
        msg_key: sent.message.key.to_string(),
    })
}

/// `importmsg`: a message from the app's earlier system, stored at its own time in both
/// users' history (and their devices' sync), never pushed and never refused by the
/// relationship rules. `SyncFromOldSystem` 1 counts it unread for the recipient, 2 does not.
/// Message times never decrease with their order in Duet's store, so history is imported
/// oldest first and before the users chat here; an older one is refused with 60006, as is one
/// from the future or older than the roaming retention (it would be gone at once).
pub(super) async fn import(chat: &Chat, body: &Bytes) -> Outcome {
    let req: ImportMsg = parse_send(body)?;
    let from = account(&req.from_account, "From_Account")?;
    let to = account(&req.to_account, "To_Account")?;
    let no_unread = match req.sync_from_old_system {
        1 => false,
        2 => true,
        n => {
            return Err(invalid(format!(
                "SyncFromOldSystem must be 1 or 2, got {n}"
            )));
        }
    };
    let now_ms = chat.clock.now_ms();
    let time_ms = req.msg_time_stamp.saturating_mul(1000);
    if time_ms > now_ms {
        return Err(invalid(format!(
            "MsgTimeStamp {} is in the future",
            req.msg_time_stamp
        )));
    }
    if time_ms < now_ms.saturating_sub(chat.config.retention.roaming_ttl_ms) {
        return Err(invalid(format!(
            "MsgTimeStamp {} is older than the roaming retention ({} days): the message would \
             be gone at once",
            req.msg_time_stamp,
            chat.config.retention.roaming_ttl_ms / 86_400_000
        )));
    }
    let request = SendRequest {
        to,
        random: req.msg_random,
        elements: req.msg_body,
        cloud_custom_data: req.cloud_custom_data,
        client_time_s: req.msg_time_stamp,
        offline_push_info: None,
        need_read_receipt: false,
    };
    let opts = SendOptions {
        no_unread,
        skip_relation_check: true,
        imported_ms: Some(time_ms),
        ..SendOptions::default()
    };
    chat.send(&from, request, opts)?.await?;
    ok(Empty {})
}

pub(super) async fn batch_send(chat: &Chat, body: &Bytes) -> Outcome {
    let req: BatchSendMsg = parse_send(body)?;
    check_count(req.to_account.len(), BATCH_SEND_MAX)?;
    let c = common(chat, &req.msg)?;
    // A body fault is the whole request's, not each recipient's.
    chat.config.limits.check_body(&req.msg.msg_body)?;
    let mut error_list = Vec::new();
    let mut pending = Vec::with_capacity(req.to_account.len());
    for to_account in req.to_account {
        let queued = account(&to_account, "To_Account").and_then(|to| {
            let request = SendRequest {
                to,
                random: req.msg.msg_random,
                elements: req.msg.msg_body.clone(),
                cloud_custom_data: req.msg.cloud_custom_data.clone(),
                client_time_s: 0,
                offline_push_info: req.msg.offline_push_info.clone(),
                need_read_receipt: c.need_read_receipt,
            };
            chat.send(&c.from, request, c.opts)
        });
        match queued {
            Ok(p) => pending.push((to_account, p)),
            Err(e) => error_list.push(BatchError {
                to_account,
                error_code: e.code,
            }),
        }
    }
    let mut msg_key_list = Vec::with_capacity(pending.len());
    for (to_account, p) in pending {
        match p.await {
            Ok(sent) => msg_key_list.push(BatchKey {
                to_account,
                msg_key: sent.message.key.to_string(),
            }),
            Err(e) => error_list.push(BatchError {
                to_account,
                error_code: e.code,
            }),
        }
    }
    let msg_key = msg_key_list
        .first()
        .map(|k| k.msg_key.clone())
        .unwrap_or_default();
    ok(BatchSendMsgReply {
        msg_key,
        error_list,
        msg_key_list,
    })
}

pub(super) async fn roaming(chat: &Chat, body: &Bytes) -> Outcome {
    let req: GetRoamMsg = parse(body)?;
    let operator = account(&req.operator_account, "Operator_Account")?;
    let peer = account(&req.peer_account, "Peer_Account")?;
    if req.max_cnt == 0 || req.max_cnt > MAX_PAGE {
        return Err(invalid(format!(
            "MaxCnt must be 1 to {MAX_PAGE}, got {}",
            req.max_cnt
        )));
    }
    if req.min_time > req.max_time {
        return Err(invalid("MinTime is after MaxTime"));
    }
    let before = match req.last_msg_key.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(MessageKey::parse(k).map_err(|e| invalid(format!("LastMsgKey: {e}")))?),
        None => None,
    };
    let query = HistoryQuery {
        min_time_ms: req.min_time.saturating_mul(1000),
        max_time_ms: req.max_time.saturating_mul(1000).saturating_add(999),
        ..HistoryQuery::page(before, req.max_cnt)
    };
    let page = chat.history(&operator, &peer, query).await?;
    let oldest = page.messages.last();
    let reply = GetRoamMsgReply {
        complete: u8::from(page.complete),
        msg_cnt: page.messages.len() as u32,
        last_msg_time: oldest.map_or(0, |m| m.time_ms / 1000),
        last_msg_key: oldest.map(|m| m.key.to_string()).unwrap_or_default(),
        msg_list: page.messages.iter().rev().map(roam_msg).collect(),
    };
    ok(reply)
}

/// Tencent's flag value for a recalled message.
const FLAG_RECALLED: u32 = 3;

fn roam_msg(m: &Message) -> RoamMsg {
    RoamMsg {
        from_account: m.from.to_string(),
        to_account: m.to.to_string(),
        msg_seq: m.key.id,
        msg_random: m.random,
        msg_time_stamp: m.time_ms / 1000,
        is_peer_read: 0,
        stored: stored_msg(m),
    }
}

/// The export's line for a message.
pub(super) fn exported(m: &Message) -> ExportedMsg {
    ExportedMsg {
        from_account: m.from.to_string(),
        to_account: m.to.to_string(),
        msg_time_stamp: m.time_ms / 1000,
        msg_random: m.random,
        stored: stored_msg(m),
    }
}

/// A message as an hourly history file holds it (`open_msg_svc/get_history`).
pub(super) fn history_file_msg(m: &Message) -> HistoryFileMsg {
    HistoryFileMsg {
        from_account: m.from.to_string(),
        to_account: m.to.to_string(),
        msg_timestamp: m.time_ms / 1000,
        msg_seq: m.key.id,
        msg_random: m.random,
        stored: stored_msg(m),
    }
}

fn stored_msg(m: &Message) -> StoredMsg {
    StoredMsg {
        msg_key: m.key.to_string(),
        msg_flag_bits: if m.recalled { FLAG_RECALLED } else { 0 },
        msg_body: m.elements.clone(),
        cloud_custom_data: m.cloud_custom_data.clone().unwrap_or_default(),
    }
}

/// A message's key as the app gave it (`field` names where); 20022, as for a message that is
/// not there, when it is not one.
fn msg_key(key: &str, field: &str) -> Result<MessageKey, ChatError> {
    MessageKey::parse(key)
        .map_err(|e| ChatError::new(ErrorCode::MESSAGE_NOT_FOUND, format!("{field}: {e}")))
}

pub(super) async fn withdraw(chat: &Chat, body: &Bytes) -> Outcome {
    let req: MsgWithdraw = parse(body)?;
    let from = account(&req.from_account, "From_Account")?;
    let to = account(&req.to_account, "To_Account")?;
    let key = msg_key(&req.msg_key, "MsgKey")?;
    chat.recall(key, &from, &to, Platform::RestApi).await?;
    ok(Empty {})
}

pub(super) async fn delete_ramble(chat: &Chat, body: &Bytes) -> Outcome {
    let req: DeleteC2cMsgRamble = parse(body)?;
    let owner = account(&req.operator_account, "Operator_Account")?;
    let peer = account(&req.peer_account, "Peer_Account")?;
    let keys = (req.msg_key_list.iter())
        .map(|k| msg_key(k, "MsgKeyList"))
        .collect::<Result<Vec<_>, _>>()?;
    chat.delete_messages(&owner, &peer, keys, None)?.await?;
    ok(Empty {})
}

pub(super) async fn modify(chat: &Chat, body: &Bytes) -> Outcome {
    let req: ModifyC2cMsg = parse_send(body)?;
    let from = account(&req.message.from_account, "From_Account")?;
    let to = account(&req.message.to_account, "To_Account")?;
    let key = msg_key(&req.message.msg_key, "MsgKey")?;
    let content = EditContent {
        elements: req.msg_body,
        cloud_custom_data: req.cloud_custom_data,
    };
    chat.edit_as_admin(&from, &to, key, content).await?;
    ok(Empty {})
}

pub(super) async fn read_receipt(chat: &Chat, body: &Bytes) -> Outcome {
    let req: C2cMsgReadReceipt = parse(body)?;
    let reader = account(&req.operator_account, "Operator_Account")?;
    let peer = account(&req.peer_account, "Peer_Account")?;
    let keys = req
        .c2c_msg_info
        .iter()
        .map(|info| {
            if info.from_account != req.peer_account || info.to_account != req.operator_account {
                return Err(invalid(format!(
                    "C2CMsgInfo: the message {} is from {} to {}; a read receipt names messages from Peer_Account to Operator_Account",
                    info.msg_key, info.from_account, info.to_account
                )));
            }
            msg_key(&info.msg_key, "MsgKey")
        })
        .collect::<Result<Vec<_>, _>>()?;
    chat.read_receipt(&reader, &peer, &keys).await?;
    ok(Empty {})
}

pub(super) async fn set_read(chat: &Chat, body: &Bytes) -> Outcome {
    let req: SetMsgRead = parse(body)?;
    let reader = account(&req.report_account, "Report_Account")?;
    let peer = account(&req.peer_account, "Peer_Account")?;
    chat.mark_read(&reader, &peer, None).await?;
    ok(Empty {})
}
