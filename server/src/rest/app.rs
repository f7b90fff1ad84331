//! `duet`: Duet's own administration commands — the friends-only switch and the bulk export.

use super::messages::exported;
use super::{Outcome, ok, parse};
use crate::chat::Chat;
use crate::error::ChatError;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::IntoResponse;
use protocol::ErrorCode;
use protocol::rest::*;
use std::sync::Arc;

/// Messages read from storage per step of an export.
const EXPORT_PAGE: u32 = 1000;

pub(super) async fn set_config(chat: &Chat, body: &Bytes) -> Outcome {
    let req: AppConfig = parse(body)?;
    if req.friends_only > 1 {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            "FriendsOnly must be 0 or 1",
        ));
    }
    chat.set_friends_only(req.friends_only == 1).await?;
    ok(Empty {})
}

pub(super) async fn get_config(chat: &Chat) -> Outcome {
    ok(AppConfig {
        friends_only: u8::from(chat.friends_only()),
    })
}

/// Streams every message sent in the window as newline-delimited JSON, a page at a time, so
/// memory stays flat however large the export. The last line is a status object
/// (`ActionStatus`, `ErrorCode`, `ErrorInfo`, `MsgCnt`): without an `OK` last line the export
/// is incomplete.
pub(super) async fn export(chat: Arc<Chat>, body: &Bytes) -> Outcome {
    let req: ExportMsgs = parse(body)?;
    if req.min_time > req.max_time {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            "MinTime is after MaxTime",
        ));
    }
    let (min_ms, max_ms) = (
        req.min_time.saturating_mul(1000),
        req.max_time.saturating_mul(1000).saturating_add(999),
    );
    // State: (after id, messages so far, finished).
    let lines = futures_util::stream::unfold((0u64, 0u64, false), move |(after, count, done)| {
        let chat = chat.clone();
        async move {
            if done {
                return None;
            }
            let page = chat
                .storage
                .export(min_ms, max_ms, after, EXPORT_PAGE, chat.clock.now_ms())
                .await;
            let (chunk, next) = match page {
                Ok(list) if list.is_empty() => {
                    let end = serde_json::json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "MsgCnt": count});
                    (format!("{end}\n"), (after, count, true))
                }
                Ok(list) => {
                    let mut chunk = String::new();
                    for m in &list {
                        chunk.push_str(
                            &serde_json::to_string(&exported(m)).expect("export lines serialize"),
                        );
                        chunk.push('\n');
                    }
                    let last = list.last().map_or(after, |m| m.key.id);
                    (chunk, (last, count + list.len() as u64, false))
                }
                Err(e) => {
                    let e = ChatError::from(e);
                    let end = serde_json::json!({"ActionStatus": "FAIL", "ErrorCode": e.code, "ErrorInfo": e.message, "MsgCnt": count});
                    (format!("{end}\n"), (after, count, true))
                }
            };
            Some((Ok::<_, std::convert::Infallible>(chunk), next))
        }
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(lines),
    )
        .into_response())
}
