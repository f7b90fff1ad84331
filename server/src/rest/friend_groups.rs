//! `sns` friend groups: `group_add`, `group_delete`, `group_get`. A group is the owner's; its
//! members are the friendships whose `Tag_SNS_IM_Group` names it.

use super::relations::results;
use super::{Outcome, account, ok, parse};
use crate::chat::friend_fields::{self, GROUP};
use crate::chat::{Chat, check_user_count};
use crate::error::ChatError;
use axum::body::Bytes;
use protocol::rest::*;
use protocol::{ErrorCode, Relation, UserId};
use serde_json::Value;

/// Most friend groups one user has, as in Tencent IM.
const GROUPS_MAX: usize = 32;

/// Tencent's `CurrentSequence`: Duet answers every `group_get` in full, so it is the time of
/// the answer, which only grows.
fn sequence(chat: &Chat) -> u64 {
    chat.clock.now_ms()
}

/// The groups friendships name, by peer.
async fn memberships(chat: &Chat, owner: &UserId) -> Result<Vec<(UserId, Vec<String>)>, ChatError> {
    let friends = chat.relations(owner, Relation::Friend).await?;
    let kept = chat.storage.friend_fields(owner).await?;
    Ok(friends
        .into_iter()
        .map(|f| {
            let fields = kept.iter().find(|(p, _)| p == &f.user_id).map(|(_, x)| x);
            let groups = friend_fields::read(GROUP, fields, f.since_ms);
            let names = serde_json::from_value(groups).unwrap_or_default();
            (f.user_id, names)
        })
        .collect())
}

/// Makes the groups that friendship fields about to be kept name, unless the owner would then
/// have more than [`GROUPS_MAX`].
pub(super) async fn make_named(
    chat: &Chat,
    owner: &UserId,
    fields: &[(String, String)],
) -> Result<(), ChatError> {
    let named: Vec<String> = fields
        .iter()
        .filter(|(tag, _)| tag == GROUP)
        .flat_map(|(_, v)| serde_json::from_str::<Vec<String>>(v).unwrap_or_default())
        .collect();
    make(chat, owner, named).await
}

async fn make(chat: &Chat, owner: &UserId, names: Vec<String>) -> Result<(), ChatError> {
    if names.is_empty() {
        return Ok(());
    }
    let mut all = chat.storage.friend_groups(owner).await?;
    all.extend(names.iter().cloned());
    all.sort();
    all.dedup();
    if all.len() > GROUPS_MAX {
        return Err(ChatError::new(
            ErrorCode::RELATION_LIST_FULL,
            format!("a user has at most {GROUPS_MAX} friend groups"),
        ));
    }
    Ok(chat
        .storage
        .change_friend_groups(owner, names, Vec::new())
        .await?)
}

pub(super) async fn add(chat: &Chat, body: &Bytes) -> Outcome {
    let req: GroupAdd = parse(body)?;
    let owner = account(&req.from_account, "From_Account")?;
    check_user_count(req.to_account.len())?;
    friend_fields::check(GROUP, &Value::from(req.group_name.clone()), false)?;
    make(chat, &owner, req.group_name.clone()).await?;
    let members = memberships(chat, &owner).await?;
    let mut items = Vec::with_capacity(req.to_account.len());
    for to_account in req.to_account {
        let result = async {
            let peer = account(&to_account, "To_Account")?;
            let Some((_, groups)) = members.iter().find(|(p, _)| p == &peer) else {
                return Err(ChatError::new(
                    ErrorCode::RELATION_INVALID,
                    format!("{peer} is not on the friend list"),
                ));
            };
            let mut groups = groups.clone();
            groups.extend(req.group_name.iter().cloned());
            groups.sort();
            groups.dedup();
            let value = friend_fields::check(GROUP, &Value::from(groups), false)?;
            chat.storage
                .set_friend_fields(&owner, &peer, vec![(GROUP.to_owned(), value)])
                .await?;
            Ok(())
        }
        .await;
        items.push((to_account, result));
    }
    let reply = results(items);
    ok(GroupChangeReply {
        result_item: reply.result_item,
        fail_account: reply.fail_account,
        current_sequence: sequence(chat),
    })
}

pub(super) async fn delete(chat: &Chat, body: &Bytes) -> Outcome {
    let req: GroupDelete = parse(body)?;
    let owner = account(&req.from_account, "From_Account")?;
    friend_fields::check(GROUP, &Value::from(req.group_name.clone()), false)?;
    let known = chat.storage.friend_groups(&owner).await?;
    if let Some(missing) = req.group_name.iter().find(|g| !known.contains(g)) {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("{owner} has no friend group {missing:?}"),
        ));
    }
    chat.storage
        .change_friend_groups(&owner, Vec::new(), req.group_name)
        .await?;
    ok(GroupChangeReply {
        result_item: Vec::new(),
        fail_account: Vec::new(),
        current_sequence: sequence(chat),
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
    let mut groups = chat.storage.friend_groups(&owner).await?;
    if let Some(only) = &req.group_name {
        groups.retain(|g| only.contains(g));
    }
    let members = memberships(chat, &owner).await?;
    let result_item = groups
        .into_iter()
        .map(|name| {
            let in_group: Vec<String> = members
                .iter()
                .filter(|(_, g)| g.contains(&name))
                .map(|(p, _)| p.to_string())
                .collect();
            FriendGroup {
                friend_number: in_group.len() as u32,
                to_account: need_friend.then_some(in_group),
                group_name: name,
            }
        })
        .collect();
    ok(GroupGetReply {
        result_item,
        current_sequence: sequence(chat),
    })
}
