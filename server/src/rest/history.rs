//! `open_msg_svc/get_history`: the link to an hour's file of every one-to-one message, as
//! Tencent gives it to a backend's nightly job, and the download behind the link
//! (`GET /history/{name}`).

use super::beijing;
use super::messages::history_file_msg;
use super::{Outcome, ok, parse};
use crate::AppState;
use crate::chat::Chat;
use crate::error::ChatError;
use crate::media::fail;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use protocol::ErrorCode;
use protocol::rest::*;

/// An hour's file can be asked for once the hour is this far behind, so that the messages
/// stored as it ended are in it.
const SETTLE_MS: u64 = 60_000;

/// Answers the link to the hour's file, made now or kept from a moment ago; no link when no
/// message of the hour is kept. The hour must have ended: a file of an hour still going would
/// miss what is sent later in it.
pub(super) async fn get_history(chat: &Chat, body: &Bytes, base: &str) -> Outcome {
    let req: GetHistory = parse(body)?;
    match req.chat_type.as_str() {
        "C2C" => {}
        "Group" => {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                "ChatType Group: Duet has no group chats; ask for C2C",
            ));
        }
        other => {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!("ChatType {other:?}: must be C2C"),
            ));
        }
    }
    let hour_s = hour_start(&req.msg_time)?;
    let ready_ms = (hour_s + 3600) * 1000 + SETTLE_MS;
    if chat.clock.now_ms() < ready_ms {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!(
                "MsgTime {}: that hour's file can be had from {} (Beijing time), a minute after the hour ends",
                req.msg_time,
                beijing::format(ready_ms / 1000)
            ),
        ));
    }
    let made = chat
        .history_files
        .file(chat, hour_s, history_file_msg)
        .await?;
    ok(GetHistoryReply {
        file: made
            .into_iter()
            .map(|m| HistoryFile {
                url: format!("{base}/history/{}", m.name),
                expire_time: beijing::format(m.expires_ms / 1000),
                file_size: m.file_size,
                file_md5: m.file_md5,
                gzip_size: m.gzip_size,
                gzip_md5: m.gzip_md5,
            })
            .collect(),
    })
}

/// The first Unix second of the hour `YYYYMMDDHH` (Beijing time).
fn hour_start(msg_time: &str) -> Result<u64, ChatError> {
    let bad = || {
        ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            format!("MsgTime {msg_time:?} is not an hour written YYYYMMDDHH (Beijing time)"),
        )
    };
    if msg_time.len() != 10 || !msg_time.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let number = |from: usize, to: usize| msg_time[from..to].parse::<u16>().map_err(|_| bad());
    let (year, month, day, hour) = (number(0, 4)?, number(4, 6)?, number(6, 8)?, number(8, 10)?);
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(bad)?;
    let day = u8::try_from(day).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(i32::from(year), month, day).map_err(|_| bad())?;
    if hour > 23 {
        return Err(bad());
    }
    let start =
        date.midnight().assume_utc().unix_timestamp() + i64::from(hour) * 3600 - beijing::OFFSET_S;
    u64::try_from(start).map_err(|_| bad())
}

/// `GET /history/{name}`: a history file, while its link is valid. The link is the whole
/// credential, as Tencent's are: its name holds 128 random bits.
pub async fn download(State(app): State<AppState>, Path(name): Path<String>) -> Response {
    let chat = &app.chat;
    match chat.history_files.open(&name, chat.clock.now_ms()).await {
        Ok(Some((size, file))) => Response::builder()
            .header(header::CONTENT_TYPE, "application/gzip")
            .header(header::CONTENT_LENGTH, size)
            // The name was checked to be digits, hex digits, dashes and `.gz`.
            .header(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            )
            .header(header::CACHE_CONTROL, "private, no-store")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(Body::from_stream(
                tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024),
            ))
            .expect("valid response"),
        Ok(None) => fail(
            StatusCode::NOT_FOUND,
            ErrorCode::MEDIA_NOT_FOUND,
            "no such history file, or its link expired: ask open_msg_svc/get_history for the hour again",
        ),
        Err(e) => {
            tracing::warn!(error = %e, "could not read a history file");
            fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::INTERNAL,
                "could not read the history file",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_named_in_beijing_time() {
        // 2026-12-05 21:00 in Beijing is 13:00 UTC.
        assert_eq!(hour_start("2026120521").unwrap(), 1_796_475_600);
        // Midnight in Beijing is 16:00 UTC the day before.
        assert_eq!(hour_start("2026120600").unwrap(), 1_796_515_200 - 8 * 3600);
        assert_eq!(hour_start("2024022923").unwrap() % 3600, 0);
        for bad in [
            "",
            "202612052",
            "20261205210",
            "2026120524",
            "2026130521",
            "2026000521",
            "2025022921",
            "2026-12-05",
            "+026120521",
            "1970010100",
        ] {
            let e = hour_start(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::INVALID_ARGUMENT, "{bad}");
        }
    }
}
