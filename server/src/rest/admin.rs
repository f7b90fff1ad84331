//! `duet`: Duet's operations commands — the account listing and inspection, an expiry pass and
//! a vacuum on demand. `duet-server admin` calls these, over HTTP or in-process.

use super::{Outcome, account, ok, parse};
use crate::chat::Chat;
use crate::error::ChatError;
use crate::storage::Account;
use axum::body::Bytes;
use protocol::ErrorCode;
use protocol::rest::*;

const DEFAULT_PAGE: u32 = 100;

fn info(a: Account) -> AccountInfo {
    AccountInfo {
        user_id: a.id.to_string(),
        nick: a.nick,
        face_url: a.avatar,
        create_time: a.created_ms / 1000,
        latest_seq: a.latest_seq.0,
    }
}

pub(super) async fn account_list(chat: &Chat, body: &Bytes) -> Outcome {
    let req: AccountList = parse(body)?;
    let limit = req.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_ACCOUNT_PAGE).contains(&limit) {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("Limit must be 1 to {MAX_ACCOUNT_PAGE}"),
        ));
    }
    let from = req
        .next
        .as_deref()
        .map(|n| account(n, "Next"))
        .transpose()?;
    let mut page = chat.storage.accounts(from.as_ref(), limit + 1).await?;
    let next = (page.len() > limit as usize).then(|| page.remove(limit as usize).id.to_string());
    ok(AccountListReply {
        accounts: page.into_iter().map(info).collect(),
        next,
    })
}

pub(super) async fn account_get(chat: &Chat, body: &Bytes) -> Outcome {
    let req: AccountGet = parse(body)?;
    let user = account(&req.user_id, "UserID")?;
    let found = chat
        .storage
        .accounts(Some(&user), 1)
        .await?
        .into_iter()
        .find(|a| a.id == user)
        .ok_or_else(|| {
            ChatError::new(
                ErrorCode::ACCOUNT_NOT_FOUND,
                format!("account {user} does not exist"),
            )
        })?;
    let registrations = chat.storage.push_registrations(&user).await?;
    ok(AccountGetReply {
        account: info(found),
        online_devices: chat
            .hub
            .devices(&user)
            .iter()
            .map(ToString::to_string)
            .collect(),
        push_registrations: registrations
            .into_iter()
            .map(|r| PushRegistrationInfo {
                device: r.device.to_string(),
                vendor: r.vendor.as_str().to_owned(),
            })
            .collect(),
    })
}

pub(super) async fn expire(chat: &Chat) -> Outcome {
    let pass = chat.expire_now().await?;
    ok(ExpireReply {
        messages: pass.store.messages,
        sync_entries: pass.store.sync_entries,
        media_files: pass.media_files,
    })
}

pub(super) async fn vacuum(chat: &Chat) -> Outcome {
    let done = chat.storage.vacuum().await?;
    ok(VacuumReply {
        bytes_before: done.bytes_before,
        bytes_after: done.bytes_after,
    })
}
