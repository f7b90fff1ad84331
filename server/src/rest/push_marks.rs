//! `all_member_push/im_set_attr_name` and the rest, also under their newer names
//! (`timpush/set_attr_name`, …): the push attributes and tags that a push's `Condition` picks
//! accounts by ([`crate::chat::push_marks`]).

use super::{Outcome, ok, parse};
use crate::chat::Chat;
use crate::chat::push_marks::{MarksChange, PushMarks};
use crate::error::ChatError;
use axum::body::Bytes;
use protocol::frame::MAX_USERS_PER_REQUEST;
use protocol::rest::*;
use protocol::{ErrorCode, UserId};

pub(super) async fn set_attr_names(chat: &Chat, body: &Bytes) -> Outcome {
    let req: AttrNames = parse(body)?;
    chat.set_push_attr_names(req.attr_names).await?;
    ok(Empty {})
}

pub(super) async fn get_attr_names(chat: &Chat) -> Outcome {
    ok(AttrNames {
        attr_names: chat.push_attr_names().await?,
    })
}

pub(super) async fn get_attrs(chat: &Chat, body: &Bytes) -> Outcome {
    let req: PushAccounts = parse(body)?;
    let (found, error_list) = read(chat, req.to_account).await?;
    ok(UserAttrsList {
        user_attrs: (found.into_iter())
            .map(|(to_account, marks)| UserAttrs {
                to_account,
                attrs: marks.attrs,
            })
            .collect(),
        error_list,
    })
}

pub(super) async fn get_tags(chat: &Chat, body: &Bytes) -> Outcome {
    let req: PushAccounts = parse(body)?;
    let (found, error_list) = read(chat, req.to_account).await?;
    ok(UserTagsList {
        user_tags: (found.into_iter())
            .map(|(to_account, marks)| UserTags {
                to_account,
                tags: marks.tags,
            })
            .collect(),
        error_list,
    })
}

/// The commands that change attributes or tags.
#[derive(Clone, Copy)]
pub(super) enum Edit {
    SetAttrs,
    RemoveAttrs,
    AddTags,
    RemoveTags,
    RemoveAllTags,
}

pub(super) async fn edit(chat: &Chat, body: &Bytes, edit: Edit) -> Outcome {
    let tags = |list: UserTagsList, change: fn(Vec<String>) -> MarksChange| {
        (list.user_tags.into_iter())
            .map(|u| (u.to_account, change(u.tags)))
            .collect()
    };
    let changes: Vec<(String, MarksChange)> = match edit {
        Edit::SetAttrs => (parse::<UserAttrsList>(body)?.user_attrs.into_iter())
            .map(|u| (u.to_account, MarksChange::SetAttrs(u.attrs)))
            .collect(),
        Edit::RemoveAttrs => (parse::<RemoveUserAttrs>(body)?.user_attrs.into_iter())
            .map(|u| (u.to_account, MarksChange::RemoveAttrs(u.attrs)))
            .collect(),
        Edit::AddTags => tags(parse(body)?, MarksChange::AddTags),
        Edit::RemoveTags => tags(parse(body)?, MarksChange::RemoveTags),
        Edit::RemoveAllTags => (parse::<PushAccounts>(body)?.to_account.into_iter())
            .map(|id| (id, MarksChange::RemoveAllTags))
            .collect(),
    };
    change(chat, changes).await
}

/// The accounts among `ids` that exist, each with its place in `ids`, and an error for each
/// other one. At most 100.
async fn known(
    chat: &Chat,
    ids: &[String],
) -> Result<(Vec<(usize, UserId)>, Vec<AccountError>), ChatError> {
    if ids.len() > MAX_USERS_PER_REQUEST {
        return Err(ChatError::new(
            ErrorCode::PUSH_TOO_MANY_ACCOUNTS,
            format!(
                "at most {MAX_USERS_PER_REQUEST} accounts per request, got {}",
                ids.len()
            ),
        ));
    }
    let mut errors = Vec::new();
    let mut valid = Vec::new();
    for (at, id) in ids.iter().enumerate() {
        match UserId::parse(id.as_str()) {
            Ok(user) => valid.push((at, user)),
            Err(_) => errors.push(AccountError {
                to_account: id.clone(),
                error_code: ErrorCode::INVALID_ARGUMENT,
            }),
        }
    }
    let users: Vec<UserId> = valid.iter().map(|(_, u)| u.clone()).collect();
    let exist = chat.storage.profiles(&users).await?;
    let (found, unknown): (Vec<_>, Vec<_>) =
        (valid.into_iter()).partition(|(_, user)| exist.iter().any(|p| &p.user_id == user));
    errors.extend(unknown.into_iter().map(|(at, _)| AccountError {
        to_account: ids[at].clone(),
        error_code: ErrorCode::QUERIED_ACCOUNT_NOT_FOUND,
    }));
    Ok((found, errors))
}

/// The marks of the accounts among `ids` that exist, in order, and an error for each other.
async fn read(
    chat: &Chat,
    ids: Vec<String>,
) -> Result<(Vec<(String, PushMarks)>, Vec<AccountError>), ChatError> {
    let (found, errors) = known(chat, &ids).await?;
    let users: Vec<UserId> = found.iter().map(|(_, u)| u.clone()).collect();
    let marks = chat.push_marks(&users).await?;
    let asked = found.into_iter().map(|(at, _)| ids[at].clone());
    Ok((asked.zip(marks).collect(), errors))
}

/// Applies the changes whose accounts exist ([`Chat::change_push_marks`], which checks all of
/// them first); the others are listed in the answer's `ErrorList`.
async fn change(chat: &Chat, changes: Vec<(String, MarksChange)>) -> Outcome {
    let ids: Vec<String> = changes.iter().map(|(id, _)| id.clone()).collect();
    let (found, error_list) = known(chat, &ids).await?;
    let mut found = found.into_iter().peekable();
    let changes = (changes.into_iter().enumerate())
        .map(|(at, (_, change))| (found.next_if(|(f, _)| *f == at).map(|(_, u)| u), change))
        .collect();
    chat.change_push_marks(changes).await?;
    ok(PushMarksChanged { error_list })
}
