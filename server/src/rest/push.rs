//! `duet/push_register` and `duet/push_unregister`: an app's backend registers a device's push
//! token for a user (a device that reaches the server only through it, or a phone app).

use super::{Outcome, account, ok, parse};
use crate::chat::Chat;
use crate::error::ChatError;
use axum::body::Bytes;
use protocol::rest::{Empty, PushRegister};
use protocol::{DeviceId, ErrorCode};

fn device(id: &str) -> Result<DeviceId, ChatError> {
    DeviceId::parse(id)
        .map_err(|e| ChatError::new(ErrorCode::INVALID_ARGUMENT, format!("DeviceID: {e}")))
}

pub(super) async fn register(chat: &Chat, body: &Bytes) -> Outcome {
    let req: PushRegister = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    let token = req
        .token
        .ok_or_else(|| ChatError::new(ErrorCode::INVALID_ARGUMENT, "Token is required"))?;
    chat.push_register(&user, device(&req.device_id)?, req.vendor, token)
        .await?;
    ok(Empty {})
}

pub(super) async fn unregister(chat: &Chat, body: &Bytes) -> Outcome {
    let req: PushRegister = parse(body)?;
    let user = account(&req.from_account, "From_Account")?;
    chat.push_unregister(&user, &device(&req.device_id)?, Some(req.vendor))
        .await?;
    ok(Empty {})
}
