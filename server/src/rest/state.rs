//! `openim` reads about users rather than messages: whether they are online
//! (`query_online_status`, formerly `querystate`) and how many messages they have not read
//! (`get_c2c_unread_msg_num`).

use super::{Outcome, account, ok, parse};
use crate::chat::{Chat, check_count, check_user_count};
use axum::body::Bytes;
use protocol::rest::*;
use protocol::{ErrorCode, UserId};

/// Accounts one `query_online_status` asks about, as many as Tencent answers.
const QUERY_STATE_MAX: usize = 500;

pub(super) async fn query_state(chat: &Chat, body: &Bytes) -> Outcome {
    let req: QueryState = parse(body)?;
    check_count(req.to_account.len(), QUERY_STATE_MAX)?;
    let mut reply = QueryStateReply {
        query_result: Vec::new(),
        error_list: Vec::new(),
    };
    let mut valid = Vec::new();
    for id in req.to_account {
        match UserId::parse(id.as_str()) {
            Ok(user) => valid.push((id, user)),
            Err(_) => reply.error_list.push(AccountError {
                to_account: id,
                error_code: ErrorCode::INVALID_ARGUMENT,
            }),
        }
    }
    let users: Vec<UserId> = valid.iter().map(|(_, u)| u.clone()).collect();
    // Bounded above by QUERY_STATE_MAX, past the per-request count `Chat::profiles` keeps.
    let known: Vec<UserId> = chat
        .storage
        .profiles(&users)
        .await?
        .into_iter()
        .map(|p| p.user_id)
        .collect();
    for (id, user) in valid {
        if !known.contains(&user) {
            reply.error_list.push(AccountError {
                to_account: id,
                error_code: ErrorCode::QUERIED_ACCOUNT_NOT_FOUND,
            });
            continue;
        }
        let devices = chat.hub.devices(&user);
        let status = if !devices.is_empty() {
            "Online"
        } else if chat.storage.push_registrations(&user).await?.is_empty() {
            "Offline"
        } else {
            "PushOnline"
        };
        let detail = (req.is_need_detail == 1).then(|| {
            devices
                .iter()
                .map(|d| DeviceState {
                    platform: d.to_string(),
                    status: "Online".into(),
                })
                .collect()
        });
        reply.query_result.push(AccountState {
            to_account: id,
            status: status.into(),
            detail,
        });
    }
    ok(reply)
}

pub(super) async fn c2c_unread(chat: &Chat, body: &Bytes) -> Outcome {
    let req: C2cUnread = parse(body)?;
    check_user_count(req.peer_account.len())?;
    let user = account(&req.to_account, "To_Account")?;
    chat.require_account(&user).await?;
    let conversations = chat.conversations(&user).await?;
    let unread_with = |peer: &UserId| {
        conversations
            .iter()
            .find(|c| &c.peer == peer)
            .map_or(0, |c| u64::from(c.unread))
    };
    let mut reply = C2cUnreadReply {
        all: conversations.iter().map(|c| u64::from(c.unread)).sum(),
        per_peer: Vec::new(),
        error_list: Vec::new(),
    };
    for id in req.peer_account {
        match UserId::parse(id.as_str()) {
            Ok(peer) => reply.per_peer.push(PeerUnread {
                unread: unread_with(&peer),
                peer_account: id,
            }),
            Err(_) => reply.error_list.push(PeerError {
                peer_account: id,
                error_code: ErrorCode::INVALID_ARGUMENT,
            }),
        }
    }
    ok(reply)
}
