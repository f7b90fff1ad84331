//! `profile`: nickname, avatar (R6.3), and Tencent's other profile fields
//! ([`crate::chat::profile_fields`]).

use super::{Outcome, account, ok, parse};
use crate::chat::Chat;
use crate::chat::check_user_count;
use crate::error::ChatError;
use crate::storage::ProfileUpdate;
use crate::webhooks::Platform;
use axum::body::Bytes;
use protocol::rest::*;
use protocol::{ErrorCode, UserId};

pub(super) async fn set(chat: &Chat, body: &Bytes) -> Outcome {
    let req: PortraitSet = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    let fields = chat.profile_fields();
    let mut update = ProfileUpdate::default();
    let mut tags = Vec::new();
    // Everything is checked before anything is kept.
    for item in req.profile_item {
        let text = || {
            item.value.as_str().map(str::to_owned).ok_or_else(|| {
                ChatError::new(
                    ErrorCode::INVALID_ARGUMENT,
                    format!("the Value of {} must be a string", item.tag),
                )
            })
        };
        match item.tag.as_str() {
            TAG_NICK => update.nick = Some(text()?),
            TAG_IMAGE => update.avatar = Some(text()?),
            tag => tags.push((tag.to_owned(), fields.check(tag, &item.value)?)),
        }
    }
    chat.set_profile(&user, update.clone(), false).await?;
    chat.keep_profile_tags(&user, tags.clone()).await?;
    chat.tell_profile_set(&user, &update, &tags, Platform::RestApi);
    ok(Empty {})
}

/// `tags` of each of `users` that exists, in order: nickname, avatar, and the other fields
/// as set or their defaults. A tag that is not known fails the whole request.
pub(super) async fn values(
    chat: &Chat,
    users: &[UserId],
    tags: &[String],
) -> Result<Vec<(UserId, Vec<TagValue>)>, ChatError> {
    let fields = chat.profile_fields();
    for tag in tags.iter().filter(|t| *t != TAG_NICK && *t != TAG_IMAGE) {
        fields.check_readable(tag)?;
    }
    let found = chat.profiles(users).await?;
    let set = chat.storage.profile_tags(users).await?;
    Ok(found
        .into_iter()
        .map(|p| {
            let items = tags
                .iter()
                .map(|tag| {
                    let value = match tag.as_str() {
                        TAG_NICK => p.nick.clone().into(),
                        TAG_IMAGE => p.avatar.clone().into(),
                        _ => set
                            .iter()
                            .find(|(u, t, _)| u == &p.user_id && t == tag)
                            .and_then(|(_, _, v)| serde_json::from_str(v).ok())
                            .unwrap_or_else(|| fields.default(tag)),
                    };
                    TagValue {
                        tag: tag.clone(),
                        value,
                    }
                })
                .collect();
            (p.user_id, items)
        })
        .collect())
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
    let valid: Vec<UserId> = req
        .to_account
        .iter()
        .filter_map(|a| UserId::parse(a.as_str()).ok())
        .collect();
    let found = values(chat, &valid, &req.tag_list).await?;
    let mut reply = PortraitGetReply {
        user_profile_item: Vec::new(),
        fail_account: Vec::new(),
    };
    for to_account in req.to_account {
        match found.iter().find(|(u, _)| u.as_str() == to_account) {
            Some((_, items)) => reply.user_profile_item.push(UserProfileItem {
                to_account,
                profile_item: items.clone(),
                result_code: ErrorCode(0),
                result_info: String::new(),
            }),
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
