//! Token buckets: one per WebSocket connection, one for the app's REST budget, and one per
//! client address for REST requests and for failed REST authentications ([`KeyedBuckets`]).
//! Hand-written because it is a few lines and a few bytes per connection: no shared clock, no
//! atomics.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Instant;

#[derive(Debug)]
pub struct TokenBucket {
    tokens: f64,
    burst: f64,
    per_sec: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(per_sec: u32, burst: u32) -> Self {
        Self {
            tokens: burst as f64,
            burst: burst as f64,
            per_sec: per_sec as f64,
            last: Instant::now(),
        }
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, now: Instant) -> bool {
        self.try_take_n(1, now)
    }

    /// Takes `n` tokens if there are that many.
    pub fn try_take_n(&mut self, n: u64, now: Instant) -> bool {
        self.refill(now);
        if self.tokens >= n as f64 {
            self.tokens -= n as f64;
            true
        } else {
            false
        }
    }

    /// Spends `n` tokens that were spent elsewhere (another node, [`crate::shared_budgets`]),
    /// down to none.
    pub fn charge(&mut self, n: u64, now: Instant) {
        self.refill(now);
        self.tokens = (self.tokens - n as f64).max(0.0);
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.burst);
    }

    /// Returns `n` tokens taken but not used.
    pub fn give_back(&mut self, n: u64) {
        self.tokens = (self.tokens + n as f64).min(self.burst);
    }
}

impl TokenBucket {
    /// Whether the bucket has refilled to its burst: its owner has been quiet, and forgetting
    /// the bucket loses nothing.
    fn is_full(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens + elapsed * self.per_sec >= self.burst
    }
}

/// One bucket per key (a client address), at most `max_keys` of them. Keys whose buckets have
/// refilled are forgotten when room is needed; when every bucket is in use, a new key is let
/// through unmetered rather than locked out, since these buckets only shield a shared budget.
#[derive(Debug)]
pub struct KeyedBuckets<K> {
    buckets: HashMap<K, TokenBucket>,
    per_sec: u32,
    burst: u32,
    max_keys: usize,
}

impl<K: Eq + Hash + Clone> KeyedBuckets<K> {
    pub fn new(per_sec: u32, burst: u32, max_keys: usize) -> Self {
        Self {
            buckets: HashMap::new(),
            per_sec,
            burst,
            max_keys,
        }
    }

    /// Takes one token from `key`'s bucket if there is one.
    pub fn try_take(&mut self, key: &K, now: Instant) -> bool {
        self.try_take_n(key, 1, now)
    }

    /// Returns `n` tokens to `key`'s bucket.
    pub fn give_back(&mut self, key: &K, n: u64) {
        if let Some(b) = self.buckets.get_mut(key) {
            b.give_back(n);
        }
    }

    /// Takes `n` tokens from `key`'s bucket if it has that many.
    pub fn try_take_n(&mut self, key: &K, n: u64, now: Instant) -> bool {
        self.bucket(key, now).is_none_or(|b| b.try_take_n(n, now))
    }

    /// Spends `n` tokens of `key`'s that were spent elsewhere ([`TokenBucket::charge`]).
    pub fn charge(&mut self, key: &K, n: u64, now: Instant) {
        if let Some(b) = self.bucket(key, now) {
            b.charge(n, now);
        }
    }

    /// `key`'s bucket, made if there is room; `None` (unmetered) when there is none.
    fn bucket(&mut self, key: &K, now: Instant) -> Option<&mut TokenBucket> {
        if !self.buckets.contains_key(key) {
            if self.buckets.len() >= self.max_keys {
                self.buckets.retain(|_, b| !b.is_full(now));
            }
            if self.buckets.len() >= self.max_keys {
                return None;
            }
            self.buckets
                .insert(key.clone(), TokenBucket::new(self.per_sec, self.burst));
        }
        self.buckets.get_mut(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(10, 3);
        assert!((0..3).all(|_| b.try_take(t0)));
        assert!(!b.try_take(t0));
        assert!(b.try_take(t0 + Duration::from_millis(100)));
        assert!(!b.try_take(t0 + Duration::from_millis(100)));
        // Refill stops at the burst size.
        let later = t0 + Duration::from_secs(60);
        assert_eq!((0..10).filter(|_| b.try_take(later)).count(), 3);
    }

    #[test]
    fn keys_have_their_own_buckets_and_quiet_ones_make_room() {
        let t0 = Instant::now();
        let mut keys = KeyedBuckets::new(1, 2, 2);
        assert!(keys.try_take(&"a", t0) && keys.try_take(&"a", t0));
        assert!(!keys.try_take(&"a", t0), "a's bucket is empty");
        assert!(keys.try_take(&"b", t0), "b is metered apart");
        // Both buckets are in use: a third key is let through, unmetered.
        assert!((0..5).all(|_| keys.try_take(&"c", t0)));
        // Once a and b have refilled, c gets a bucket of its own.
        let later = t0 + Duration::from_secs(5);
        assert!(keys.try_take(&"c", later) && keys.try_take(&"c", later));
        assert!(!keys.try_take(&"c", later));
    }

    #[test]
    fn tokens_spent_elsewhere_are_charged_down_to_none() {
        let t0 = Instant::now();
        let mut keys = KeyedBuckets::new(1, 5, 10);
        keys.charge(&"a", 4, t0);
        assert!(keys.try_take(&"a", t0), "one of five is left");
        assert!(!keys.try_take(&"a", t0));
        keys.charge(&"a", 100, t0);
        assert!(
            keys.try_take(&"a", t0 + Duration::from_secs(1)),
            "refilled from none, not below"
        );
        assert!(keys.try_take(&"b", t0), "b was not charged");
    }
}
