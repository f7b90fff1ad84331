//! `searchLocalMessages` (this device's cache) and `searchCloudMessages` (the user's roaming
//! history on the server), with one set of options and one answer shape.

use super::args::{Args, user_ids};
use super::convert::{invalid, ok, promise, sdk_error};
use super::shapes::{JsMessage, Status};
use super::{Chat, State};
use js_sys::Promise;
use protocol::ConversationId;
use protocol::search::SearchQuery;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// `KEYWORD_LIST_MATCH_TYPE_OR` and `_AND`, as in Tencent's `TYPES`.
pub(super) const MATCH_ANY: u8 = 0;
pub(super) const MATCH_ALL: u8 = 1;

/// A search's query, page position and page size, from its options in Tencent's names.
fn query_of(o: &Args) -> Result<(SearchQuery, u64, u32), JsValue> {
    let peer = match o.string("conversationID")?.filter(|c| !c.is_empty()) {
        Some(id) => Some(ConversationId::parse(&id).map_err(|e| invalid(e.0))?.0),
        None => None,
    };
    // The newest time searched, seconds since the Unix epoch (0: now), and how far back from
    // it, in seconds (0: all the way).
    let max_time_ms = o
        .u64("timePosition")?
        .unwrap_or_default()
        .saturating_mul(1000);
    let min_time_ms = match o.u64("timePeriod")?.unwrap_or_default() {
        0 => 0,
        period => {
            let newest = if max_time_ms == 0 {
                crate::runtime::now_ms()
            } else {
                max_time_ms
            };
            newest.saturating_sub(period.saturating_mul(1000))
        }
    };
    let query = SearchQuery {
        keywords: o.strings("keywordList")?.unwrap_or_default(),
        match_all: o.u8("keywordListMatchType")? == Some(MATCH_ALL),
        peer,
        kinds: o.strings("messageTypeList")?.unwrap_or_default(),
        senders: user_ids(o.strings("senderUserIDList")?.unwrap_or_default())?,
        min_time_ms,
        max_time_ms,
    };
    // The answer's `cursor`, for the next page ('' or absent: the first).
    let before = match o.string("cursor")?.as_deref().unwrap_or_default() {
        "" => 0,
        c => c
            .parse()
            .map_err(|_| invalid("cursor: use the one the last answer gave"))?,
    };
    Ok((query, before, o.u32("count")?.unwrap_or(20)))
}

impl Chat {
    /// `searchLocalMessages(options)`: searches the messages this device holds, offline too.
    /// Options: `keywordList`, `keywordListMatchType` (`TYPES.KEYWORD_LIST_MATCH_TYPE_OR`, the
    /// default, or `_AND`), `senderUserIDList`, `messageTypeList`, `conversationID`,
    /// `timePosition` and `timePeriod` (seconds), `count` (1–100, default 20) and `cursor`.
    /// Resolves `{ searchResultList: [{ conversationID, messageCount, messageList }],
    /// cursor }`, newest first; `cursor` is '' when nothing more is found.
    pub fn search_local_messages(&self, options: JsValue) -> Promise {
        promise(search(self.state.clone(), options, false))
    }

    /// `searchCloudMessages(options)`: the same search over all of your roaming history on the
    /// server (2 searches a second, in bursts of 10).
    pub fn search_cloud_messages(&self, options: JsValue) -> Promise {
        promise(search(self.state.clone(), options, true))
    }
}

/// One conversation's part of a page of results.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Group<'a> {
    #[serde(rename = "conversationID")]
    conversation_id: ConversationId,
    message_count: usize,
    message_list: Vec<JsMessage<'a>>,
}

async fn search(state: Rc<State>, options: JsValue, cloud: bool) -> Result<JsValue, JsValue> {
    let (query, before, count) = query_of(&Args::read(&options, "options")?)?;
    let (client, me) = state.signed_in()?;
    let (found, next) = match cloud {
        true => client.search_cloud(&query, before, count).await,
        false => client.search_local(&query, before, count).await,
    }
    .map_err(sdk_error)?;
    let mut groups: Vec<Group> = Vec::new();
    for m in &found {
        let peer = m.peer_of(&me);
        let marks = client.read_marks(peer).await.unwrap_or_default();
        let message = JsMessage::new(m, &me, marks, Status::Success);
        match groups.iter_mut().find(|g| &g.conversation_id.0 == peer) {
            Some(g) => g.message_list.push(message),
            None => groups.push(Group {
                conversation_id: ConversationId(peer.clone()),
                message_count: 0,
                message_list: vec![message],
            }),
        }
    }
    for g in &mut groups {
        g.message_count = g.message_list.len();
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Page<'a> {
        search_result_list: Vec<Group<'a>>,
        cursor: String,
    }
    ok(Page {
        search_result_list: groups,
        cursor: if next == 0 {
            String::new()
        } else {
            next.to_string()
        },
    })
}
