//! `profile`: nickname and avatar (R6.3).

use super::{Outcome, account, ok, parse};
use crate::chat::Chat;
use crate::chat::check_user_count;
use crate::error::ChatError;
use crate::storage::ProfileUpdate;
use axum::body::Bytes;
use protocol::rest::*;
use protocol::{ErrorCode, UserId};

pub(super) async fn set(chat: &Chat, body: &Bytes) -> Outcome {
    let req: PortraitSet = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    let mut update = ProfileUpdate::default();
    for item in req.profile_item {
        let value = item.value.as_str().map(str::to_owned).ok_or_else(|| {
            ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!("the Value of {} must be a string", item.tag),
            )
        })?;
        match item.tag.as_str() {
            TAG_NICK => update.nick = Some(value),
            TAG_IMAGE => update.avatar = Some(value),
            other => {
                return Err(ChatError::new(
                    ErrorCode::INVALID_ARGUMENT,
                    format!(
                        "profile tag {other:?} is not supported; use {TAG_NICK} or {TAG_IMAGE}"
                    ),
                ));
            }
        }
    }
    chat.set_profile(&user, update, false, None).await?;
    ok(Empty {})
}

pub(super) async fn get(chat: &Chat, body: &Bytes) -> Outcome {
    let mut req: PortraitGet = parse(body)?;
    check_user_count(req.to_account.len())?;
    // Each tag is answered once, however often it is asked for.
    let mut seen = Vec::new();
    req.tag_list.retain(|t| {
        let new = !seen.contains(t);
        if new {
            seen.push(t.clone());
        }
        new
    });
    if let Some(tag) = req
        .tag_list
        .iter()
        .find(|t| *t != TAG_NICK && *t != TAG_IMAGE)
    {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("profile tag {tag:?} is not supported; use {TAG_NICK} or {TAG_IMAGE}"),
        ));
    }
    let valid: Vec<UserId> = req
        .to_account
        .iter()
        .filter_map(|a| UserId::parse(a.as_str()).ok())
        .collect();
    let found = chat.profiles(&valid).await?;
    let mut reply = PortraitGetReply {
        user_profile_item: Vec::new(),
        fail_account: Vec::new(),
    };
    for to_account in req.to_account {
        match found.iter().find(|p| p.user_id.as_str() == to_account) {
            Some(p) => {
                let profile_item = req
                    .tag_list
                    .iter()
                    .map(|tag| {
                        let value = if tag == TAG_NICK { &p.nick } else { &p.avatar };
                        TagValue {
                            tag: tag.clone(),
                            value: value.clone().into(),
                        }
                    })
                    .collect();
                reply.user_profile_item.push(UserProfileItem {
                    to_account,
                    profile_item,
                    result_code: ErrorCode(0),
                    result_info: String::new(),
                });
            }
            None => {
                reply.fail_account.push(to_account.clone());
                reply.user_profile_item.push(UserProfileItem {
                    to_account,
                    profile_item: Vec::new(),
                    result_code: ErrorCode::ACCOUNT_NOT_FOUND,
                    result_info: "no such account".into(),
                });
            }
        }
    }
    ok(reply)
}
