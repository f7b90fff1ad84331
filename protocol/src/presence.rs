//! Presence (Tencent's `getUserStatus` and `subscribeUserStatus`): whether a user is online, and
//! when it was last seen. A user sees another's presence only where it could message it (not
//! blacklisted by it, friends when the app is friends-only) and the other has not hidden it;
//! otherwise the answer is [`Presence::Unknown`], the same as for a user that does not exist, so
//! a blocked user learns nothing.

use crate::ids::UserId;
use serde::Serialize;

/// Most users one connection follows at a time with `status_subscribe`.
pub const MAX_STATUS_SUBSCRIPTIONS: usize = 200;

/// Longest custom status a user may set, in bytes of UTF-8 (100, as Tencent's).
pub const MAX_CUSTOM_STATUS_BYTES: usize = 100;

/// What is known of a user's presence.
/// Read by name (`decode.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Not to be told: hidden by the user, withheld by a relationship, or no such user.
    #[default]
    Unknown,
    /// At least one device of the user is signed in.
    Online,
    Offline,
}

/// A user's presence as another user may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserStatus {
    pub user_id: UserId,
    pub presence: Presence,
    /// When the user's last device went offline, milliseconds since the Unix epoch (0: unknown,
    /// or online now).
    #[serde(skip_serializing_if = "crate::is_zero")]
    pub last_seen_ms: u64,
    /// What the user says it is doing (Tencent's `customStatus`); empty when it set none,
    /// signed out of its last device, or its presence is not to be told.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub custom_status: String,
    /// On the user's own status only: it hid its presence from others.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl UserStatus {
    /// The status of a user whose presence is not to be told.
    pub fn unknown(user_id: UserId) -> Self {
        Self {
            user_id,
            presence: Presence::Unknown,
            last_seen_ms: 0,
            custom_status: String::new(),
            hidden: false,
        }
    }
}
