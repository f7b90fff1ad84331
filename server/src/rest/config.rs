//! `openconfigsvr`: global mute, Tencent's `setnospeaking` and `getnospeaking`.

use super::{Outcome, account, ok, parse};
use crate::chat::Chat;
use crate::error::ChatError;
use axum::body::Bytes;
use protocol::ErrorCode;
use protocol::rest::*;

pub(super) async fn set_no_speaking(chat: &Chat, body: &Bytes) -> Outcome {
    let req: SetNoSpeaking = parse(body)?;
    let user = account(&req.set_account, "Set_Account")?;
    let (c2c, group) = (req.c2c_msg_nospeaking_time, req.group_msg_nospeaking_time);
    if c2c.is_none() && group.is_none() {
        return Err(ChatError::new(
            ErrorCode::INVALID_ARGUMENT,
            "give C2CmsgNospeakingTime, GroupmsgNospeakingTime or both",
        ));
    }
    chat.set_mute(&user, c2c, group).await?;
    ok(Empty {})
}

pub(super) async fn get_no_speaking(chat: &Chat, body: &Bytes) -> Outcome {
    let req: GetNoSpeaking = parse(body)?;
    let user = account(&req.get_account, "Get_Account")?;
    let (c2c, group) = chat.mute_left(&user).await?;
    ok(GetNoSpeakingReply {
        c2c_msg_nospeaking_time: c2c,
        group_msg_nospeaking_time: group,
    })
}
