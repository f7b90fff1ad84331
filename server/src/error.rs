//! The server's one error type at its edges: a stable [`ErrorCode`] and a message for the
//! client. Internal faults are logged here and reach the client only as `INTERNAL`.

use crate::storage::StorageError;
use protocol::ErrorCode;
use protocol::limits::Rejection;

#[derive(Debug, Clone, PartialEq)]
pub struct ChatError {
    pub code: ErrorCode,
    pub message: String,
}

impl ChatError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ChatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ChatError {}

impl From<StorageError> for ChatError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::UnknownUser(u) => ChatError::new(
                ErrorCode::ACCOUNT_NOT_FOUND,
                format!("account {u} does not exist"),
            ),
            StorageError::Closed => {
                ChatError::new(ErrorCode::UNAVAILABLE, "server is shutting down")
            }
            StorageError::Overloaded => ChatError::new(
                ErrorCode::OVERLOADED,
                "the server is overloaded; nothing was done; retry shortly",
            ),
            StorageError::Blocked => ChatError::new(
                ErrorCode::BLOCKED,
                "the recipient has blocked you; the message was not delivered",
            ),
            StorageError::NotFriends => ChatError::new(
                ErrorCode::NOT_FRIENDS,
                "this app allows messages between friends only",
            ),
            StorageError::BlockedByPeer => ChatError::new(
                ErrorCode::BLOCKED_BY_PEER,
                "this user has blocked you; no friend relation can be made",
            ),
            StorageError::ListFull => ChatError::new(
                ErrorCode::RELATION_LIST_FULL,
                format!(
                    "a friend list holds at most {} users, a blacklist {} and the friend applications {}",
                    crate::storage::MAX_FRIENDS,
                    crate::storage::MAX_BLOCKED,
                    crate::storage::MAX_APPLICATIONS
                ),
            ),
            StorageError::OutOfOrder { newest_ms } => ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!(
                    "the message is older than the newest one stored ({} s): import history \
                     oldest first, before the users chat here",
                    newest_ms / 1000
                ),
            ),
            StorageError::NoConversation => ChatError::new(
                ErrorCode::CONVERSATION_NOT_FOUND,
                "there is no conversation with this user yet: it starts with a message",
            ),
            StorageError::ConversationGroupsFull => ChatError::new(
                ErrorCode::CONVERSATION_GROUPS_FULL,
                format!(
                    "a user's conversations are in at most {} groups; delete one first",
                    protocol::frame::MAX_CONVERSATION_GROUPS
                ),
            ),
            StorageError::NotListed => {
                ChatError::new(ErrorCode::RELATION_INVALID, "the user is not on the list")
            }
            StorageError::MessageNotFound => {
                ChatError::new(ErrorCode::MESSAGE_NOT_FOUND, "no such message")
            }
            StorageError::AlreadyRecalled => ChatError::new(
                ErrorCode::ALREADY_RECALLED,
                "the message was already recalled",
            ),
            StorageError::EditConflict { version } => ChatError::new(
                ErrorCode::EDIT_CONFLICT,
                format!("the message was edited since: it is at version {version}; edit that"),
            ),
            StorageError::NotEditable(why) => ChatError::new(ErrorCode::MESSAGE_NOT_EDITABLE, why),
            StorageError::NoReceipt(why) => ChatError::new(ErrorCode::INVALID_ARGUMENT, why),
            StorageError::Reaction(code) => ChatError::new(code, code.description()),
            e => {
                tracing::error!(error = %e, "storage failure");
                ChatError::new(ErrorCode::INTERNAL, "internal error")
            }
        }
    }
}

impl From<Rejection> for ChatError {
    fn from(r: Rejection) -> Self {
        ChatError::new(r.code, r.message)
    }
}

impl From<usersig::UserSigError> for ChatError {
    fn from(e: usersig::UserSigError) -> Self {
        use usersig::UserSigError::*;
        let code = match &e {
            Malformed(_) => ErrorCode::USERSIG_MALFORMED,
            WrongApp { .. } => ErrorCode::USERSIG_WRONG_APP,
            WrongIdentifier { .. } => ErrorCode::USERSIG_WRONG_IDENTIFIER,
            BadSignature => ErrorCode::USERSIG_BAD_SIGNATURE,
            Expired { .. } => ErrorCode::USERSIG_EXPIRED,
            IssuedInFuture { .. } => ErrorCode::USERSIG_FROM_FUTURE,
        };
        ChatError::new(code, e.to_string())
    }
}
