//! Global mute (Tencent's `openconfigsvr/setnospeaking`): the administrator stops a user from
//! sending one-to-one messages for a while, or for good. A muted user's sends are refused with
//! 20012 by every path but history import; the administrator is never muted.
//!
//! Every send asks, so the mutes are kept in memory and read under a shared lock; they are
//! stored as one app setting (a JSON object of user → mute), read back at start and when
//! another node changed them, and each change is made to the setting as stored
//! ([`Storage::update`]), so mutes set on two nodes at once are both kept. Tencent
//! also keeps a group mute; Duet has no groups, so it is kept and reported, and it stops
//! nothing.

use super::read_stored;
use crate::error::ChatError;
use crate::storage::{Slot, Storage};
use protocol::{ErrorCode, UserId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::RwLock;

/// The setting the mutes are stored under.
const KEY: &str = "mutes";
/// A period of this many seconds is for good, as in Tencent IM.
pub const FOREVER_S: u32 = u32::MAX;
/// Users muted at once at most; an expired mute does not count.
pub const MAX_MUTED: usize = 100_000;

/// Until when a user is muted, in milliseconds since the Unix epoch (`u64::MAX`: for good; 0:
/// not muted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mute {
    #[serde(default)]
    pub c2c_until_ms: u64,
    #[serde(default)]
    pub group_until_ms: u64,
}

impl Mute {
    fn is_over(&self, now_ms: u64) -> bool {
        self.c2c_until_ms <= now_ms && self.group_until_ms <= now_ms
    }
}

/// The end of a mute of `seconds` from `now_ms`.
fn until(seconds: u32, now_ms: u64) -> u64 {
    match seconds {
        0 => 0,
        FOREVER_S => u64::MAX,
        s => now_ms.saturating_add(u64::from(s) * 1000),
    }
}

/// The seconds left of a mute ending at `until_ms`, as Tencent reports them.
pub fn seconds_left(until_ms: u64, now_ms: u64) -> u64 {
    match until_ms {
        u64::MAX => u64::from(FOREVER_S),
        u if u <= now_ms => 0,
        u => (u - now_ms).div_ceil(1000),
    }
}

#[derive(Default)]
pub struct Mutes {
    by_user: RwLock<HashMap<UserId, Mute>>,
    /// Serialises this node's changes, so the copy in memory is replaced in the order they
    /// were made.
    writes: tokio::sync::Mutex<()>,
}

impl Mutes {
    /// Reads the stored mutes.
    pub async fn load(&self, storage: &dyn Storage) -> Result<(), ChatError> {
        let stored = read_stored(storage.setting(KEY).await?.as_deref(), "mutes")?;
        *self.by_user.write().expect("mutes lock") = stored;
        Ok(())
    }

    /// Refuses a one-to-one send by `user` while it is muted.
    pub fn check_send(&self, user: &UserId, now_ms: u64) -> Result<(), ChatError> {
        let by_user = self.by_user.read().expect("mutes lock");
        match by_user.get(user) {
            Some(m) if m.c2c_until_ms > now_ms => Err(ChatError::new(
                ErrorCode::MUTED,
                "you are muted by the app's administrator and cannot send messages now",
            )),
            _ => Ok(()),
        }
    }

    /// `user`'s mute (default: none).
    pub fn get(&self, user: &UserId) -> Mute {
        let by_user = self.by_user.read().expect("mutes lock");
        by_user.get(user).copied().unwrap_or_default()
    }

    /// Mutes `user` for `c2c_s` and `group_s` seconds from `now_ms` (a period not given is
    /// left as it is; 0 lifts it), or forgets it (`None` for both: the account is gone), and
    /// stores the result. Expired mutes are dropped on the way.
    pub async fn set(
        &self,
        storage: &dyn Storage,
        user: &UserId,
        change: Option<(Option<u32>, Option<u32>)>,
        now_ms: u64,
    ) -> Result<(), ChatError> {
        let _serial = self.writes.lock().await;
        let user = user.clone();
        // Applied to the mutes as stored, which another node may have changed since this one
        // last read them.
        let apply = Box::new(move |stored: Option<&str>| {
            let mut next: HashMap<UserId, Mute> = read_stored(stored, "mutes")?;
            next.retain(|_, m| !m.is_over(now_ms));
            match change {
                Some((c2c_s, group_s)) => {
                    let mut mute = next.get(&user).copied().unwrap_or_default();
                    if let Some(s) = c2c_s {
                        mute.c2c_until_ms = until(s, now_ms);
                    }
                    if let Some(s) = group_s {
                        mute.group_until_ms = until(s, now_ms);
                    }
                    if mute.is_over(now_ms) {
                        next.remove(&user);
                    } else {
                        next.insert(user, mute);
                    }
                }
                None => {
                    next.remove(&user);
                }
            }
            if next.len() > MAX_MUTED {
                return Err(ChatError::new(
                    ErrorCode::INVALID_ARGUMENT,
                    format!("at most {MAX_MUTED} users can be muted at once"),
                ));
            }
            Ok(serde_json::to_string(&next).expect("mutes serialise"))
        });
        storage.update(Slot::Setting(KEY.into()), apply).await??;
        self.load(storage).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_end_when_they_say_and_forever_never() {
        let now = 1_000_000;
        assert_eq!(until(0, now), 0);
        assert_eq!(until(FOREVER_S, now), u64::MAX);
        assert_eq!(until(60, now), now + 60_000);
        assert_eq!(seconds_left(until(60, now), now + 500), 60);
        assert_eq!(seconds_left(until(60, now), now + 1_000), 59);
        assert_eq!(seconds_left(until(60, now), now + 60_000), 0);
        assert_eq!(seconds_left(u64::MAX, now), u64::from(FOREVER_S));
        assert_eq!(seconds_left(0, now), 0);
    }
}
