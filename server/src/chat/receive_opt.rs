//! Quiet hours for offline push (Tencent's `setAllReceiveMessageOpt` and
//! `getAllReceiveMessageOpt`): one setting for all of a user's devices, kept as a profile field
//! of its own, which no profile read returns. The push worker reads it before it notifies
//! ([`protocol::push::ReceiveOpt::silences`]); messages arrive as always.

use super::Chat;
use crate::error::ChatError;
use crate::storage::{CommitListener, Committed, StorageResult};
use protocol::push::ReceiveOpt;
use protocol::{ErrorCode, Seq, SyncEntry, SyncEvent, UserId};
use std::sync::Arc;

/// The profile field with a user's quiet hours (JSON of [`ReceiveOpt`]).
const TAG: &str = "Duet_ReceiveOpt";

impl Chat {
    /// `user`'s quiet hours, not `quiet` when it never set any.
    pub async fn receive_opt(&self, user: &UserId) -> StorageResult<ReceiveOpt> {
        let tags = self
            .storage
            .profile_tags(std::slice::from_ref(user))
            .await?;
        Ok(tags
            .iter()
            .find(|(_, tag, _)| tag == TAG)
            .and_then(|(_, _, value)| serde_json::from_str(value).ok())
            .unwrap_or_default())
    }

    /// Sets `user`'s quiet hours (not `quiet` clears them), tells its devices online now, and
    /// answers them as kept.
    pub async fn set_receive_opt(
        &self,
        user: &UserId,
        opt: ReceiveOpt,
    ) -> Result<ReceiveOpt, ChatError> {
        opt.check()
            .map_err(|m| ChatError::new(ErrorCode::INVALID_ARGUMENT, m))?;
        let opt = if opt.quiet {
            opt
        } else {
            ReceiveOpt::default()
        };
        let value = serde_json::to_string(&opt).expect("a struct of numbers writes");
        self.storage
            .set_profile_tags(user, vec![(TAG.to_owned(), value)])
            .await?;
        let entry = Arc::new(SyncEntry {
            seq: Seq(0),
            event: SyncEvent::ReceiveOpt { opt: opt.clone() },
        });
        self.hub.committed(&[Committed {
            owner: user.clone(),
            entry,
            origin: None,
        }]);
        Ok(opt)
    }
}
