//! Duet's wire types, defined once and shared by the server, the browser SDK and the tools.
//!
//! Nothing here knows about tokio, SQLite or the browser: the crate builds for native targets and
//! for `wasm32-unknown-unknown` alike.
//!
//! - [`ids`]: newtypes for user, device and message identifiers, with their validation rules.
//! - [`element`]: the message element kinds of R1, in Tencent IM's `{MsgType, MsgContent}` shape.
//! - [`message`]: a stored message, conversations and sync-log entries as clients see them.
//! - `decode`: the decoders of what clients read: tagged frames and sync entries in one pass,
//!   structs by a table of their field names (`read_fields!`, which also says which fields may
//!   be missing). Their encoders are derived where the types are defined.
//! - [`frame`]: the WebSocket frames (`/ws`), client requests and server replies and pushes.
//! - [`error`]: the stable numeric error codes that travel in error frames and REST replies.
//! - [`limits`]: the validation a message passes before it is accepted.
//! - [`media`]: media upload kinds, limits and the upload answer.
//! - [`push`]: a message's offline push settings (Tencent's `OfflinePushInfo`).
//! - [`reaction`]: reactions on a message and the rule for adding and removing them.
//! - [`search`]: what a message search may ask and which messages it finds.
//! - [`presence`]: whether a user is online, as another user may see it.
//!
//! The protocol is described for humans in `docs/protocol.md`.

#[doc(hidden)]
pub mod decode;
pub mod element;
pub mod error;
pub mod frame;
pub mod ids;
pub mod limits;
pub mod media;
pub mod message;
pub mod presence;
pub mod push;
pub mod reaction;
pub mod rest;
pub mod search;
pub mod webhook;

pub use element::Element;
pub use error::ErrorCode;
pub use ids::{ConversationId, DeviceId, MessageKey, Seq, UserId};
pub use message::{
    Conversation, CustomField, Message, Profile, ProfileDetails, Relation, RelationEntry,
    RelationFields, Removal, SyncEntry, SyncEvent, mark,
};

/// For `skip_serializing_if`: a number left out when 0, its default.
fn is_zero<T: Default + PartialEq>(n: &T) -> bool {
    *n == T::default()
}

/// The WebSocket protocol version this crate speaks; a login with another version is refused.
pub const PROTOCOL_VERSION: u32 = 1;
