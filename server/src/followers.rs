//! Who follows whose presence: the connections that subscribed to a user's status
//! (`status_subscribe`), so that a change reaches them. Each connection follows at most
//! [`MAX_STATUS_SUBSCRIPTIONS`] users and is forgotten when it ends; the presence each
//! follower may see is decided when a change is told ([`crate::chat`]'s presence).

use dashmap::DashMap;
use protocol::UserId;
use protocol::presence::MAX_STATUS_SUBSCRIPTIONS;
use std::collections::HashSet;

/// A following connection: its user and its id in the hub.
pub type Follower = (UserId, u64);

#[derive(Default)]
pub struct Followers {
    /// Followed user → the connections following it.
    of: DashMap<UserId, Vec<Follower>>,
    /// Connection → the users it follows.
    by_conn: DashMap<u64, HashSet<UserId>>,
    /// Whether each followed user was last told online, so only changes are told.
    told: DashMap<UserId, bool>,
}

impl Followers {
    /// Makes connection `conn` of `follower` follow `users`; refused, changing nothing, when
    /// that would make it follow more than [`MAX_STATUS_SUBSCRIPTIONS`]. `online` says whether
    /// a user not followed before is online now (the follower is answered with it), so that only
    /// later changes are told.
    pub fn follow(
        &self,
        follower: &UserId,
        conn: u64,
        users: &[UserId],
        online: impl Fn(&UserId) -> bool,
    ) -> Result<(), usize> {
        let mut mine = self.by_conn.entry(conn).or_default();
        let new: Vec<&UserId> = users.iter().filter(|u| !mine.contains(*u)).collect();
        if mine.len() + new.len() > MAX_STATUS_SUBSCRIPTIONS {
            return Err(MAX_STATUS_SUBSCRIPTIONS);
        }
        for user in new {
            self.told
                .entry(user.clone())
                .or_insert_with(|| online(user));
            mine.insert(user.clone());
            self.of
                .entry(user.clone())
                .or_default()
                .push((follower.clone(), conn));
        }
        Ok(())
    }

    /// Stops connection `conn` following `users`.
    pub fn unfollow(&self, conn: u64, users: &[UserId]) {
        if let Some(mut mine) = self.by_conn.get_mut(&conn) {
            for user in users {
                if mine.remove(user) {
                    self.drop_follower(user, conn);
                }
            }
        }
        self.by_conn.remove_if(&conn, |_, mine| mine.is_empty());
    }

    /// Forgets connection `conn` (it ended).
    pub fn forget(&self, conn: u64) {
        if let Some((_, mine)) = self.by_conn.remove(&conn) {
            for user in &mine {
                self.drop_follower(user, conn);
            }
        }
    }

    fn drop_follower(&self, user: &UserId, conn: u64) {
        self.of.remove_if_mut(user, |_, list| {
            list.retain(|(_, c)| *c != conn);
            list.is_empty()
        });
        if !self.of.contains_key(user) {
            self.told.remove(user);
        }
    }

    /// The connections following `user`, when `online` is news to them (or `force`: a change
    /// besides coming and going, such as hiding); empty otherwise.
    pub fn to_tell(&self, user: &UserId, online: bool, force: bool) -> Vec<Follower> {
        let Some(list) = self.of.get(user) else {
            return Vec::new();
        };
        let before = self.told.insert(user.clone(), online);
        match force || before != Some(online) {
            true => list.clone(),
            false => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    #[test]
    fn followers_are_bounded_told_once_per_change_and_forgotten() {
        let f = Followers::default();
        let (alice, bob) = (uid("alice"), uid("bob"));
        f.follow(&alice, 1, std::slice::from_ref(&bob), |_| false)
            .unwrap();
        f.follow(&alice, 1, std::slice::from_ref(&bob), |_| true)
            .unwrap();
        assert_eq!(f.to_tell(&bob, true, false), vec![(alice.clone(), 1)]);
        assert!(f.to_tell(&bob, true, false).is_empty(), "no news");
        assert_eq!(f.to_tell(&bob, true, true).len(), 1, "forced");
        assert_eq!(f.to_tell(&bob, false, false).len(), 1);
        f.forget(1);
        assert!(f.to_tell(&bob, true, false).is_empty());
        let many: Vec<UserId> = (0..=MAX_STATUS_SUBSCRIPTIONS)
            .map(|i| uid(&format!("u{i}")))
            .collect();
        assert!(f.follow(&alice, 2, &many, |_| true).is_err());
        f.follow(&alice, 2, &many[1..], |_| true).unwrap();
        f.unfollow(2, &many[1..]);
        assert!(f.by_conn.is_empty() && f.of.is_empty() && f.told.is_empty());
    }
}
