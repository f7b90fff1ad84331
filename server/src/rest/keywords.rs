//! `im_msg_audit_mgr`: the keyword libraries users' messages are checked against (the rules
//! in `chat/keywords.rs`), with Tencent's four commands for them.

use super::{Outcome, beijing, ok, parse};
use crate::chat::Chat;
use crate::error::ChatError;
use axum::body::Bytes;
use protocol::ErrorCode;
use protocol::rest::*;

/// Most libraries or words one page lists.
const MAX_PAGE: u32 = 100;

/// Tencent answers these commands with a request ID; so does Duet, for the logs of a backend
/// that keeps it.
fn request_id() -> String {
    let hex = format!("{:032x}", rand::random::<u128>());
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn check_page(limit: u32) -> Result<(), ChatError> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("Limit {limit}: 1 to {MAX_PAGE}"),
        ));
    }
    Ok(())
}

pub(super) async fn libraries(chat: &Chat, body: &Bytes) -> Outcome {
    let req: KeywordLibraries = parse(body)?;
    check_page(req.limit)?;
    let libraries = chat.keywords.libraries();
    ok(KeywordLibrariesReply {
        request_id: request_id(),
        total_count: libraries.len() as u64,
        infos: libraries
            .iter()
            .skip(req.offset as usize)
            .take(req.limit as usize)
            .map(|(id, library)| KeywordLibraryInfo {
                id: id.clone(),
                lib_name: id.clone(),
                describe: String::new(),
                create_time: format!("{} +0800 CST", beijing::format(library.created_ms / 1000)),
                suggestion: "Block".into(),
            })
            .collect(),
    })
}

pub(super) async fn get(chat: &Chat, body: &Bytes) -> Outcome {
    let req: GetKeywords = parse(body)?;
    check_page(req.limit)?;
    let libraries = chat.keywords.libraries();
    let library = libraries.get(&req.lib_id).ok_or_else(|| {
        ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("there is no keyword library {:?}", req.lib_id),
        )
    })?;
    let needle = req.content.trim().to_ascii_lowercase();
    let found: Vec<_> = library
        .words
        .iter()
        .filter(|w| w.content.to_ascii_lowercase().contains(&needle))
        .collect();
    ok(GetKeywordsReply {
        request_id: request_id(),
        total_count: found.len() as u64,
        infos: found
            .into_iter()
            .skip(req.offset as usize)
            .take(req.limit as usize)
            .map(|w| KeywordInfo {
                id: w.id.to_string(),
                content: w.content.clone(),
                label: w.label.clone(),
                create_time: beijing::format(w.created_ms / 1000),
            })
            .collect(),
    })
}

pub(super) async fn add(chat: &Chat, body: &Bytes) -> Outcome {
    let req: AddKeywords = parse(body)?;
    let words = req
        .user_keywords
        .into_iter()
        .map(|k| (k.content, k.label))
        .collect();
    chat.add_keywords(&req.lib_id, words).await?;
    ok(RequestIdReply {
        request_id: request_id(),
    })
}

pub(super) async fn delete(chat: &Chat, body: &Bytes) -> Outcome {
    let req: DeleteKeywords = parse(body)?;
    let deleted = chat.delete_keywords(&req.lib_id, req.keywords).await?;
    let details: Vec<DeletedKeyword> = deleted
        .into_iter()
        .map(|d| DeletedKeyword {
            keyword_id: d.id.map(|id| id.to_string()).unwrap_or_default(),
            keyword: d.content,
            deleted: d.id.is_some(),
            error_info: if d.id.is_some() {
                String::new()
            } else {
                "not in the library".into()
            },
        })
        .collect();
    ok(DeleteKeywordsReply {
        request_id: request_id(),
        count: details.iter().filter(|d| d.deleted).count() as u64,
        details,
    })
}
