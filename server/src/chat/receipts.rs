//! Read receipts of one-to-one messages (Tencent's `sendMessageReadReceipt` and
//! `c2c_msg_read_receipt`): the recipient of messages that asked for one tells their sender it
//! read them. Storing a receipt and telling both users' devices is an edit of the message
//! ([`crate::storage::EditChange::ReadReceipt`]), which holds the rules.

use super::{Chat, check_message_count};
use crate::error::ChatError;
use crate::storage::{EditChange, MessageEdit};
use protocol::frame::MAX_READ_RECEIPTS;
use protocol::{MessageKey, UserId};

impl Chat {
    /// `user` read the messages `keys` that `peer` sent it. Each is receipted at most once;
    /// a message already receipted, or recalled, is left as it is, so a retry is harmless. The
    /// first message that cannot be receipted (not found, not from `peer` to `user`, or not
    /// asking for a receipt) fails the request; those before it keep their receipts.
    pub async fn read_receipt(
        &self,
        user: &UserId,
        peer: &UserId,
        keys: &[MessageKey],
    ) -> Result<(), ChatError> {
        check_message_count(keys.len(), MAX_READ_RECEIPTS, "a read receipt")?;
        for key in keys {
            let change = MessageEdit {
                key: *key,
                editor: user.clone(),
                peer: peer.clone(),
                admin: false,
                change: EditChange::ReadReceipt,
                now_ms: self.clock.now_ms(),
            };
            self.storage.edit(change).await?;
        }
        Ok(())
    }
}
