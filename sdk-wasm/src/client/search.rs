//! Searching messages: in this device's cache (`searchLocalMessages`) and in the user's whole
//! roaming history on the server (`searchCloudMessages`). Both find what
//! [`SearchQuery::matches`] finds and page the same way ([`protocol::search::page`]).

use super::Client;
use crate::cache::Cache;
use crate::error::{SdkError, codes};
use crate::runtime::lowercase;
use protocol::Message;
use protocol::search::{MAX_SEARCH_PAGE, SearchQuery};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A message kept by a search, ordered by its number so the heap drops the oldest.
struct Newest(Message);

impl PartialEq for Newest {
    fn eq(&self, other: &Self) -> bool {
        self.0.key.id == other.0.key.id
    }
}
impl Eq for Newest {}
impl PartialOrd for Newest {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Newest {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.key.id.cmp(&other.0.key.id)
    }
}

fn checked(query: &SearchQuery, count: u32) -> Result<(), SdkError> {
    query
        .check()
        .map_err(|why| SdkError::new(protocol::ErrorCode::INVALID_ARGUMENT, why))?;
    if count == 0 || count > MAX_SEARCH_PAGE {
        return Err(SdkError::new(
            protocol::ErrorCode::INVALID_ARGUMENT,
            format!("a search page holds 1 to {MAX_SEARCH_PAGE} messages"),
        ));
    }
    Ok(())
}

impl<C: Cache + 'static> Client<C> {
    /// Up to `count` cached messages that `query` finds, numbered below `before` (0: from the
    /// newest), newest first, and the `before` of the next page (0: none). Works offline.
    pub async fn search_local(
        &self,
        query: &SearchQuery,
        before: u64,
        count: u32,
    ) -> Result<(Vec<Message>, u64), SdkError> {
        checked(query, count)?;
        let me = self
            .me()
            .ok_or_else(|| SdkError::new(codes::STATE, "not signed in"))?;
        let keywords = query.folded_keywords(lowercase);
        let keep = count as usize + 1;
        // The newest `count + 1` found, whatever order the cache reads them in.
        let mut found: BinaryHeap<Reverse<Newest>> = BinaryHeap::with_capacity(keep + 1);
        let mut visit = |m: Message| {
            let below = before == 0 || m.key.id < before;
            if below && query.matches(&me, &m, &keywords, lowercase) {
                found.push(Reverse(Newest(m)));
                if found.len() > keep {
                    found.pop();
                }
            }
        };
        let needles = query.needles(lowercase);
        self.inner
            .cache
            .scan_messages(&me, query.peer.as_ref(), needles.as_ref(), &mut visit)
            .await?;
        let newest_first: Vec<Message> = found
            .into_sorted_vec()
            .into_iter()
            .map(|Reverse(Newest(m))| m)
            .collect();
        Ok(protocol::search::page(newest_first, count))
    }

    /// Up to `count` messages of the user's roaming history on the server that `query` finds,
    /// numbered below `before` (0: from the newest), newest first, and the `before` of the next
    /// page (0: none). Needs the connection.
    pub async fn search_cloud(
        &self,
        query: &SearchQuery,
        before: u64,
        count: u32,
    ) -> Result<(Vec<Message>, u64), SdkError> {
        checked(query, count)?;
        self.connected()?.search(query.clone(), before, count).await
    }
}
