//! What the adapters share about talking to a push service: its answer, the statuses that mean
//! "try later", and the access tokens that some services issue for a while.

use super::Delivery;
pub use crate::outbound::Answer;
use std::future::Future;
use std::time::Duration;

/// Sends `request` and reads the answer ([`crate::outbound::exchange`]). A request that did
/// not get an answer (network, timeout) is `Err(Retry)`.
pub async fn exchange(vendor: &str, request: reqwest::RequestBuilder) -> Result<Answer, Delivery> {
    crate::outbound::exchange(vendor, request)
        .await
        .ok_or(Delivery::Retry)
}

/// What one attempt with an access token came to.
pub enum Attempt {
    Done(Delivery),
    /// The service no longer takes the token: fetch a new one and try again.
    StaleToken,
}

/// A vendor's access token, fetched once and reused until shortly before it expires.
/// Fetching holds the slot, so pushes waiting for a token share one fetch.
#[derive(Default)]
pub struct TokenCache(tokio::sync::Mutex<Option<Cached>>);

struct Cached {
    token: String,
    expires_ms: u64,
}

/// A token this close to expiry is replaced rather than used.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

impl TokenCache {
    /// Runs `attempt` with the current token (fetching one with `fetch` when there is none or
    /// it is about to expire). When the service calls the token stale, a new one is fetched and
    /// `attempt` runs once more.
    pub async fn with_token<F, FFut, A, AFut>(&self, now_ms: u64, fetch: F, attempt: A) -> Delivery
    where
        F: Fn() -> FFut,
        FFut: Future<Output = Result<(String, Duration), Delivery>>,
        A: Fn(String) -> AFut,
        AFut: Future<Output = Attempt>,
    {
        for _ in 0..2 {
            let token = match self.get(now_ms, &fetch).await {
                Ok(token) => token,
                Err(delivery) => return delivery,
            };
            match attempt(token.clone()).await {
                Attempt::Done(delivery) => return delivery,
                Attempt::StaleToken => self.forget(&token).await,
            }
        }
        Delivery::Retry
    }

    async fn get<F, FFut>(&self, now_ms: u64, fetch: &F) -> Result<String, Delivery>
    where
        F: Fn() -> FFut,
        FFut: Future<Output = Result<(String, Duration), Delivery>>,
    {
        let mut slot = self.0.lock().await;
        let margin = EXPIRY_MARGIN.as_millis() as u64;
        if let Some(cached) = slot.as_ref().filter(|c| c.expires_ms > now_ms + margin) {
            return Ok(cached.token.clone());
        }
        let (token, valid) = fetch().await?;
        *slot = Some(Cached {
            token: token.clone(),
            expires_ms: now_ms + valid.as_millis() as u64,
        });
        Ok(token)
    }

    async fn forget(&self, token: &str) {
        let mut slot = self.0.lock().await;
        if slot.as_ref().is_some_and(|c| c.token == token) {
            *slot = None;
        }
    }
}

/// Reads a token endpoint's `expires_in` (seconds, a number or a string as some vendors send
/// it), or `default` when it is missing.
pub fn expires_in(body: &serde_json::Value, default: Duration) -> Duration {
    let secs = match &body["expires_in"] {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    };
    secs.map_or(default, Duration::from_secs)
}

/// A small hash that stays the same across restarts and builds (FNV-1a), for the IDs some
/// vendors take: a conversation's notification ID, a push's request ID.
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_token_is_reused_until_it_expires_or_goes_stale() {
        let cache = TokenCache::default();
        let fetches = AtomicU32::new(0);
        let fetch = || async {
            let n = fetches.fetch_add(1, Ordering::SeqCst);
            Ok((format!("t{n}"), Duration::from_secs(3600)))
        };
        let used = std::sync::Mutex::new(Vec::new());
        let send = |stale: bool| {
            let used = &used;
            move |token: String| async move {
                used.lock().unwrap().push(token.clone());
                if stale && token == "t1" {
                    Attempt::StaleToken
                } else {
                    Attempt::Done(Delivery::Sent)
                }
            }
        };
        assert_eq!(
            cache.with_token(0, fetch, send(false)).await,
            Delivery::Sent
        );
        assert_eq!(
            cache.with_token(1000, fetch, send(false)).await,
            Delivery::Sent
        );
        // Near expiry, a new token; the service calls it stale, so another.
        let later = 3600 * 1000 - 30_000;
        assert_eq!(
            cache.with_token(later, fetch, send(true)).await,
            Delivery::Sent
        );
        assert_eq!(fetches.load(Ordering::SeqCst), 3);
        assert_eq!(*used.lock().unwrap(), ["t0", "t0", "t1", "t2"]);
    }
}
