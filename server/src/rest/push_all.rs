//! `timpush/push` and Tencent's older `all_member_push/im_push`: one message to every
//! account, or to those its `Condition` picks, sent in the background; `duet/push_task` says
//! how far it has gone.

use super::messages::{check_life_time, invalid, sender};
use super::{Outcome, account, ok, parse, parse_send};
use crate::chat::push_all::{PushState, Pushed};
use crate::chat::{Chat, SendOptions, SendRequest};
use crate::error::ChatError;
use axum::body::Bytes;
use protocol::ErrorCode;
use protocol::rest::*;
use std::sync::Arc;

/// Which command asked: they differ in how a message is kept by default.
#[derive(Clone, Copy)]
pub(super) enum Command {
    /// `timpush/push`: stored unless `OnlineOnlyFlag` is 1.
    Push,
    /// `all_member_push/im_push`: to the devices online now unless `MsgLifeTime` is above 0.
    ImPush,
}

pub(super) async fn push(chat: &Arc<Chat>, body: &Bytes, command: Command) -> Outcome {
    let req: PushAll = parse_send(body)?;
    let from = sender(chat, req.from_account.as_deref())?;
    // Without a message, the push is its notification alone (Tencent's push product).
    if req.msg_body.is_empty() {
        let info = (req.offline_push_info).ok_or_else(|| {
            ChatError::new(
                ErrorCode::BAD_MSG_BODY,
                "a push sends MsgBody as a message, or OfflinePushInfo as a notification alone; it gave neither",
            )
        })?;
        let task_id = (chat.push_all(from, Pushed::Notice(info), req.condition)).await?;
        return ok(PushAllReply { task_id });
    }
    check_life_time(req.msg_life_time)?;
    let online_only = match (command, req.online_only_flag) {
        (_, Some(flag @ 2..)) => {
            return Err(invalid(format!(
                "OnlineOnlyFlag must be 0 or 1, got {flag}"
            )));
        }
        (_, Some(flag)) => flag == 1,
        (Command::Push, None) => false,
        (Command::ImPush, None) => req.msg_life_time.unwrap_or(0) == 0,
    };
    let message = SendRequest {
        to: from.clone(),
        random: req.msg_random,
        elements: req.msg_body,
        cloud_custom_data: req.cloud_custom_data,
        client_time_s: 0,
        offline_push_info: req.offline_push_info,
        need_read_receipt: false,
    };
    // The sender's own devices are not sent a copy of each of the many messages.
    let opts = SendOptions {
        sync_sender: false,
        online_only,
        ..SendOptions::default()
    };
    let pushed = Pushed::Message(message, opts);
    let task_id = chat.push_all(from, pushed, req.condition).await?;
    ok(PushAllReply { task_id })
}

/// `timpush/batch`: a notification alone (`OfflinePushInfo`) to each of 1 to 500 accounts.
pub(super) async fn batch(chat: &Chat, body: &Bytes) -> Outcome {
    let req: PushBatch = parse(body)?;
    sender(chat, req.from_account.as_deref())?;
    let to = (req.to_account.iter())
        .map(|id| account(id, "To_Account"))
        .collect::<Result<Vec<_>, _>>()?;
    let task_id = chat.push_listed(to, req.offline_push_info).await?;
    ok(PushAllReply { task_id })
}

pub(super) async fn task(chat: &Chat, body: &Bytes) -> Outcome {
    let req: PushTask = parse(body)?;
    let p = chat.push_task(&req.task_id).await?.ok_or_else(|| {
        invalid(format!(
            "no push {:?} among the last 100 started",
            req.task_id
        ))
    })?;
    let (status, error) = match p.state {
        PushState::Running => ("running", String::new()),
        PushState::Done => ("done", String::new()),
        PushState::Failed(reason) => ("failed", reason),
    };
    ok(PushTaskReply {
        status: status.into(),
        sent: p.sent,
        failed: p.failed,
        start_time: p.start_ms / 1000,
        end_time: p.end_ms / 1000,
        error,
    })
}
