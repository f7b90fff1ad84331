//! `im_open_login_svc`: account import, check, delete, and kick.

use super::{Outcome, account, ok, parse};
use crate::chat::{Chat, check_user_count};
use crate::error::ChatError;
use crate::storage::ProfileUpdate;
use axum::body::Bytes;
use protocol::rest::*;
use protocol::{ErrorCode, UserId};

pub(super) async fn import(chat: &Chat, body: &Bytes) -> Outcome {
    let req: AccountImport = parse(body)?;
    let user = account(&req.user_id, "UserID")?;
    chat.set_profile(
        &user,
        ProfileUpdate {
            nick: req.nick,
            avatar: req.face_url,
        },
        true,
    )
    .await?;
    ok(Empty {})
}

pub(super) async fn import_many(chat: &Chat, body: &Bytes) -> Outcome {
    let req: MultiAccountImport = parse(body)?;
    check_user_count(req.accounts.len())?;
    let mut fail_accounts = Vec::new();
    for id in req.accounts {
        let created = match UserId::parse(id.as_str()) {
            Ok(user) => chat
                .set_profile(&user, ProfileUpdate::default(), true)
                .await
                .is_ok(),
            Err(_) => false,
        };
        if !created {
            fail_accounts.push(id);
        }
    }
    ok(MultiAccountImportReply { fail_accounts })
}

pub(super) async fn check(chat: &Chat, body: &Bytes) -> Outcome {
    let req: AccountCheck = parse(body)?;
    check_user_count(req.check_item.len())?;
    let mut result_item = Vec::with_capacity(req.check_item.len());
    for item in req.check_item {
        let (code, info, status) = match UserId::parse(item.user_id.as_str()) {
            Ok(user) => {
                let found = !chat.profiles(std::slice::from_ref(&user)).await?.is_empty();
                (
                    ErrorCode(0),
                    String::new(),
                    if found { "Imported" } else { "NotImported" },
                )
            }
            Err(e) => (ErrorCode::INVALID_ARGUMENT, e.to_string(), "NotImported"),
        };
        result_item.push(AccountCheckItem {
            user_id: item.user_id,
            result_code: code,
            result_info: info,
            account_status: status.into(),
        });
    }
    ok(AccountCheckReply { result_item })
}

pub(super) async fn kick(chat: &Chat, body: &Bytes) -> Outcome {
    let req: Kick = parse(body)?;
    chat.kick(&account(&req.user_id, "UserID")?).await?;
    ok(Empty {})
}

pub(super) async fn delete(chat: &Chat, body: &Bytes) -> Outcome {
    let req: AccountDelete = parse(body)?;
    check_user_count(req.delete_item.len())?;
    let mut result_item = Vec::with_capacity(req.delete_item.len());
    for item in req.delete_item {
        let outcome = match UserId::parse(item.user_id.as_str()) {
            Ok(user) => match chat.delete_account(&user).await {
                Ok(true) => Ok(()),
                Ok(false) => Err(ChatError::new(
                    ErrorCode::ACCOUNT_NOT_FOUND,
                    "no such account",
                )),
                Err(e) => Err(e),
            },
            Err(e) => Err(ChatError::new(ErrorCode::INVALID_ARGUMENT, e.to_string())),
        };
        let (result_code, result_info) = match outcome {
            Ok(()) => (ErrorCode(0), String::new()),
            Err(e) => (e.code, e.message),
        };
        result_item.push(AccountDeleteItem {
            user_id: item.user_id,
            result_code,
            result_info,
        });
    }
    ok(AccountDeleteReply { result_item })
}
