//! `recentcontact`: a user's conversations, as Tencent's conversation list commands give them.

use super::{Outcome, account, ok, parse};
use crate::chat::Chat;
use crate::error::ChatError;
use axum::body::Bytes;
use protocol::rest::*;
use protocol::{ErrorCode, Removal};

/// Conversations in one page, as Tencent pages them.
const PAGE: usize = 100;

/// `recentcontact/get_list`. `TimeStamp` and `StartIndex` of a reply are a cursor, passed
/// back as given for the next page: the last conversation's time (milliseconds) and how many
/// conversations of exactly that time were given. A conversation active since the first page
/// waits for a new first page; none is given twice.
pub(super) async fn get_list(chat: &Chat, body: &Bytes) -> Outcome {
    let req: RecentContacts = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    chat.require_account(&user).await?;
    let mut list = chat.conversations(&user).await?;
    list.sort_by(|a, b| b.updated_ms.cmp(&a.updated_ms).then(a.peer.cmp(&b.peer)));
    let (after_ms, skip_equal) = (req.time_stamp, req.start_index as usize);
    let mut equal = 0;
    list.retain(|c| match req.time_stamp {
        0 => true,
        _ if c.updated_ms < after_ms => true,
        _ if c.updated_ms == after_ms => {
            equal += 1;
            equal > skip_equal
        }
        _ => false,
    });
    let complete = list.len() <= PAGE;
    list.truncate(PAGE);
    let last_ms = list.last().map_or(after_ms, |c| c.updated_ms);
    let mut given_at_last = list.iter().filter(|c| c.updated_ms == last_ms).count();
    if last_ms == after_ms && after_ms != 0 {
        given_at_last += skip_equal;
    }
    let session_item = list
        .iter()
        .map(|c| SessionItem {
            kind: 1,
            to_account: c.peer.to_string(),
            msg_time_stamp: c
                .last_message
                .as_ref()
                .map_or(c.updated_ms / 1000, |m| m.time_ms / 1000),
            top_flag: 0,
            unread: c.unread,
        })
        .collect();
    ok(RecentContactsReply {
        session_item,
        complete_flag: u8::from(complete),
        time_stamp: last_ms,
        start_index: given_at_last as u32,
        top_time_stamp: 0,
        top_start_index: 0,
    })
}

/// `recentcontact/delete`: the conversation leaves the user's list on all of its devices until
/// a newer message comes; with `ClearRamble` 1 its messages leave the user's history too. The
/// other user keeps its conversation.
pub(super) async fn delete(chat: &Chat, body: &Bytes) -> Outcome {
    let req: RecentContactDelete = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    let peer = account(&req.to_account, "To_Account")?;
    let history = match (req.kind, req.clear_ramble) {
        (1, 0) => false,
        (1, 1) => true,
        (1, other) => {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!("ClearRamble must be 0 or 1, got {other}"),
            ));
        }
        (other, _) => {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!("Type must be 1 (one-to-one; Duet has no groups), got {other}"),
            ));
        }
    };
    chat.delete_conversation(&user, &peer, Removal::Conversation { history }, None)?
        .await?;
    ok(Empty {})
}
