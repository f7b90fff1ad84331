//! Reactions on messages (Tencent's `addMessageReaction` and `removeMessageReaction`). The rule
//! for adding and removing lives in [`protocol::reaction::change`]; storing it and telling both
//! users' devices is an edit of the message ([`crate::storage::EditChange::Reaction`]).

use super::Chat;
use crate::error::ChatError;
use crate::storage::{EditChange, MessageEdit};
use protocol::{ErrorCode, Message, MessageKey, Relation, UserId};

impl Chat {
    /// `user` adds (`add`) or removes its reaction `id` on the message `key` between it and
    /// `peer`. Adding is refused when `peer` has blacklisted `user`, as a message would be;
    /// taking one's own reaction back never is.
    pub async fn react(
        &self,
        user: &UserId,
        peer: &UserId,
        key: MessageKey,
        id: String,
        add: bool,
    ) -> Result<Message, ChatError> {
        protocol::reaction::check_id(&id)
            .map_err(|why| ChatError::new(ErrorCode::INVALID_ARGUMENT, why))?;
        if add && !self.is_admin(user) {
            let listed = self
                .storage
                .check_relations(Relation::Blacklist, peer, std::slice::from_ref(user))
                .await?;
            if listed.first().is_some_and(|(blocks, _)| *blocks) {
                return Err(ChatError::new(
                    ErrorCode::BLOCKED,
                    "the other user has blacklisted you",
                ));
            }
        }
        let change = MessageEdit {
            key,
            editor: user.clone(),
            peer: peer.clone(),
            admin: false,
            change: EditChange::Reaction { id, add },
            now_ms: self.clock.now_ms(),
        };
        Ok(self.storage.edit(change).await?)
    }
}
