//! `sns` friend groups: `group_add`, `group_delete`, `group_get`, by the rules of
//! [`crate::chat`]'s friend groups.

use super::relations::results;
use super::{Outcome, account, list_sequence, ok, parse};
use crate::chat::{Chat, check_user_count};
use crate::error::ChatError;
use axum::body::Bytes;
use protocol::ErrorCode;
use protocol::rest::*;

pub(super) async fn add(chat: &Chat, body: &Bytes) -> Outcome {
    let req: GroupAdd = parse(body)?;
    let owner = account(&req.from_account, "From_Account")?;
    check_user_count(req.to_account.len())?;
    let parsed: Vec<_> = req
        .to_account
        .iter()
        .map(|a| account(a, "To_Account"))
        .collect();
    let valid: Vec<_> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().cloned())
        .collect();
    let mut added = chat
        .add_to_friend_groups(&owner, req.group_name, &valid)
        .await?
        .into_iter();
    let items = req
        .to_account
        .into_iter()
        .zip(parsed)
        .map(|(to_account, p)| {
            let result = p.and_then(|_| added.next().unwrap_or(Ok(())));
            (to_account, result)
        })
        .collect();
    let reply = results(items);
    ok(GroupChangeReply {
        result_item: reply.result_item,
        fail_account: reply.fail_account,
        current_sequence: list_sequence(chat),
    })
}

pub(super) async fn delete(chat: &Chat, body: &Bytes) -> Outcome {
    let req: GroupDelete = parse(body)?;
    let owner = account(&req.from_account, "From_Account")?;
    chat.delete_friend_groups(&owner, req.group_name).await?;
    ok(GroupChangeReply {
        result_item: Vec::new(),
        fail_account: Vec::new(),
        current_sequence: list_sequence(chat),
    })
}

pub(super) async fn get(chat: &Chat, body: &Bytes) -> Outcome {
    let req: GroupGet = parse(body)?;
    let owner = account(&req.from_account, "From_Account")?;
    let need_friend = match req.need_friend.as_deref() {
        None | Some("Need_Friend_Type_No") => false,
        Some("Need_Friend_Type_Yes") => true,
        Some(other) => {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!(
                    "NeedFriend must be Need_Friend_Type_Yes or Need_Friend_Type_No, got {other:?}"
                ),
            ));
        }
    };
    let mut groups = chat.friend_groups(&owner).await?;
    if let Some(only) = &req.group_name {
        groups.retain(|g| only.contains(&g.name));
    }
    let result_item = groups
        .into_iter()
        .map(|g| FriendGroup {
            friend_number: g.users.len() as u32,
            to_account: need_friend.then(|| g.users.iter().map(|u| u.to_string()).collect()),
            group_name: g.name,
        })
        .collect();
    ok(GroupGetReply {
        result_item,
        current_sequence: list_sequence(chat),
    })
}
