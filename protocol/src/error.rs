//! Stable numeric error codes. They travel in WebSocket error frames and REST replies and never
//! change meaning. Where Tencent IM documents a code for the same fault, Duet uses that number;
//! Duet's own codes live in the 60000 range. `docs/protocol.md` lists them all.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A numeric error code. A newtype rather than an enum so that a client keeps working when a newer
/// server sends a code it does not know.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct ErrorCode(pub u32);

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $num:literal, $text:literal;)*) => {
        impl ErrorCode {
            $($(#[$doc])* pub const $name: ErrorCode = ErrorCode($num);)*

            /// Every code this version defines, for documentation and tests.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name),*];

            /// A short, stable English description of the code.
            pub fn description(self) -> &'static str {
                match self.0 {
                    $($num => $text,)*
                    _ => "unknown error",
                }
            }

            /// The constant's name, e.g. `USERSIG_EXPIRED`.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($num => stringify!($name),)*
                    _ => "UNKNOWN",
                }
            }
        }
    };
}

codes! {
    /// The UserSig's `TLS.time + TLS.expire` is in the past.
    USERSIG_EXPIRED = 70001, "UserSig expired";
    /// The UserSig is not a well-formed ticket (encoding, compression or JSON).
    USERSIG_MALFORMED = 70003, "UserSig malformed";
    /// The UserSig's HMAC does not verify against the app's secret key.
    USERSIG_BAD_SIGNATURE = 70009, "UserSig signature invalid";
    /// The UserSig was issued for another identifier than the one signing in.
    USERSIG_WRONG_IDENTIFIER = 70013, "UserSig identifier mismatch";
    /// The UserSig was issued for another SDKAppID.
    USERSIG_WRONG_APP = 70014, "UserSig SDKAppID mismatch";
    /// The recipient (or named account) does not exist.
    ACCOUNT_NOT_FOUND = 20003, "account not found";
    /// An account asked about by `query_online_status` does not exist (Tencent's code there).
    QUERIED_ACCOUNT_NOT_FOUND = 70107, "the queried account does not exist";
    /// The recipient has blocked the sender; nothing was delivered.
    BLOCKED = 20007, "sender is on the recipient's blacklist";
    /// The app allows messages between friends only, and these two are not friends.
    NOT_FRIENDS = 20009, "not friends";
    /// The other user has blacklisted this one, so no friend relation can be made with them.
    BLOCKED_BY_PEER = 30525, "you are on the other user's blacklist";
    /// The other user's `AllowType` is `AllowType_Type_DenyAny`: it accepts no friend requests.
    FRIEND_DENY_ANY = 30516, "the other user accepts no friend requests";
    /// The friend application was sent: the other user's `AllowType` is
    /// `AllowType_Type_NeedConfirm`, so the friendship waits for it to accept.
    FRIEND_APPLICATION_PENDING = 30539, "friend application sent, waiting for the other user";
    /// The app's backend refused a user's friend request or answer to an application (its
    /// `Sns.CallbackPrevFriendAdd` or `Sns.CallbackPrevFriendResponse` webhook answered a
    /// `ResultCode` outside the 38000 – 39000 it may choose from); nothing was changed.
    FRIEND_REFUSED_BY_BACKEND = 38000, "the app's backend refused this friend request or answer";
    /// The user is not on the list the request needs it on (not a friend, no application).
    RELATION_INVALID = 30001, "not on the list";
    /// The friend list or blacklist is full (3,000 friends, 1,000 blocked users).
    RELATION_LIST_FULL = 30010, "friend list or blacklist full";
    /// The app's backend refused the message (its `C2C.CallbackBeforeSendMsg` webhook answered
    /// `ErrorCode` 1); nothing was stored or delivered. Tencent's number.
    REFUSED_BY_BACKEND = 20006, "the app's backend refused this message";
    /// The sender is muted by the administrator (`openconfigsvr/setnospeaking`).
    MUTED = 20012, "the sender is muted";
    /// The message to recall does not exist (or has expired).
    MESSAGE_NOT_FOUND = 20022, "message not found";
    /// The message was recalled already.
    ALREADY_RECALLED = 20023, "message already recalled";
    /// The message is older than the recall window (2 minutes by default).
    RECALL_TIME_LIMIT = 20016, "recall time limit exceeded";
    /// The message was edited since the version the edit was made from; nothing was changed.
    /// Its newest version reaches the editor's devices as an `edited` entry.
    EDIT_CONFLICT = 2480, "the message was edited since; edit its newest version";
    /// The edit is not allowed: the message's content is media or a system notice, or the
    /// editor is not its sender (the recipient may change only `cloud_custom_data`).
    MESSAGE_NOT_EDITABLE = 60015, "this message or part of it cannot be edited";
    /// The user has no conversation with that peer (no message between them yet, or it was
    /// evicted from the recent contacts).
    CONVERSATION_NOT_FOUND = 60016, "no such conversation";
    /// The user has as many conversation groups as one may
    /// ([`crate::frame::MAX_CONVERSATION_GROUPS`]); Tencent's number.
    CONVERSATION_GROUPS_FULL = 51010, "you have as many conversation groups as you may";
    /// The message already carries as many different reactions as one may
    /// ([`crate::reaction::MAX_REACTIONS_PER_MESSAGE`]); Tencent's number.
    REACTION_LIMIT = 23005, "the message has as many reactions as it may";
    /// The user has reacted to the message with this reaction already; Tencent's number.
    REACTION_EXISTS = 23007, "you reacted with this already";
    /// The user has not reacted to the message with this reaction, so there is none to remove.
    REACTION_NOT_FOUND = 23008, "you have not reacted with this";
    /// The text holds a word of the app's keyword libraries
    /// (`im_msg_audit_mgr/add_cloud_audit_keywords`); Tencent's number for a message its
    /// moderation refused.
    BLOCKED_WORD = 80001, "the message contains a word the app does not allow";
    /// The frame or body is not valid JSON or does not match the request's schema.
    BAD_JSON = 90001, "malformed request";
    /// A message body element is invalid (unknown kind, value out of range, bad URL, no elements).
    BAD_MSG_BODY = 90002, "invalid message body";
    /// The operation needs the app administrator.
    ADMIN_REQUIRED = 90009, "administrator required";
    /// More recipients or users than one request may name (100).
    TOO_MANY_ACCOUNTS = 90011, "too many accounts in one request";
    /// More than 100 accounts in one push attribute or tag request (Tencent's number for
    /// those commands).
    PUSH_TOO_MANY_ACCOUNTS = 90018, "too many accounts in one push attribute or tag request";
    /// A push attribute the app has not named (`all_member_push/im_set_attr_name`), or an
    /// attribute or tag that is empty or over 50 bytes.
    PUSH_ATTR_INVALID = 90033, "invalid push attribute or tag";
    /// The message body is over the configured size limit (12 KB by default).
    BODY_TOO_LARGE = 93000, "message body too large";
    /// An upload is larger than its kind allows (images and audio 28 MB, files and video
    /// 100 MB by default).
    MEDIA_TOO_LARGE = 94001, "upload larger than its kind allows";
    /// The uploaded bytes are not what the kind says (an image that does not decode, a video
    /// that is not one), or the kind is unknown.
    MEDIA_TYPE_MISMATCH = 94002, "upload content does not match its kind";
    /// The image's dimensions or decoded size are beyond the server's limits (a decompression
    /// bomb), so it was not processed.
    MEDIA_IMAGE_TOO_BIG = 94003, "image dimensions too large";
    /// No media with that id (never uploaded, or expired).
    MEDIA_NOT_FOUND = 94004, "media not found";
    /// A request other than login arrived before login succeeded.
    NOT_LOGGED_IN = 60001, "not logged in";
    /// A second login on a connection that is already signed in.
    ALREADY_LOGGED_IN = 60002, "already logged in";
    /// The frame (or REST request body) is larger than the server accepts.
    FRAME_TOO_LARGE = 60003, "frame or request too large";
    /// Too many frames in a short time; the frame was dropped. Slow down and retry.
    RATE_LIMITED = 60004, "rate limited";
    /// The frame's `type` is not one this server knows.
    UNKNOWN_REQUEST = 60005, "unknown request type";
    /// An argument is out of its documented range (e.g. a page size, sending to oneself).
    INVALID_ARGUMENT = 60006, "invalid argument";
    /// The login names a protocol version this server does not speak.
    UNSUPPORTED_VERSION = 60007, "unsupported protocol version";
    /// The server is shutting down or overloaded; retry on another connection.
    UNAVAILABLE = 60008, "service unavailable";
    /// An internal fault; details are in the server's log, not on the wire.
    INTERNAL = 60009, "internal error";
    /// The answer would be larger than the server sends in one reply (32 MB); ask for less.
    ANSWER_TOO_LARGE = 60011, "answer too large";
    /// The server's write queue is full; nothing was done. Retry shortly.
    OVERLOADED = 60012, "server overloaded";
    /// The UserSig's `TLS.time` is more than 5 minutes ahead of the server's clock.
    USERSIG_FROM_FUTURE = 60013, "UserSig issued in the future";
    /// The UserSig was issued before the account was deleted or kicked out by the app's
    /// backend; sign a new one.
    USERSIG_REVOKED = 60014, "UserSig issued before the account was deleted or kicked out";
    /// A REST URL parameter (`sdkappid`, `identifier`, `usersig`, `contenttype`) is missing or
    /// malformed.
    BAD_URL_PARAMETER = 60010, "missing or invalid URL parameter";
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.0)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.description())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_described() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.0), "duplicate code {}", c.0);
            assert_ne!(c.description(), "unknown error");
        }
        assert_eq!(ErrorCode(1).name(), "UNKNOWN");
        assert_eq!(
            serde_json::to_string(&ErrorCode::BODY_TOO_LARGE).unwrap(),
            "93000"
        );
    }
}
