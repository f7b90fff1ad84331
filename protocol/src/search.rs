//! Searching messages (`searchLocalMessages` in a device's cache, `searchCloudMessages` in the
//! server's roaming history): what a query may ask and which messages it finds. The SDK's local
//! search and the server's in-memory store apply [`SearchQuery::matches`]; the SQLite store
//! finds the same messages through its full-text index.

use crate::element::{Element, TYPE_NAMES};
use crate::ids::UserId;
use crate::message::Message;
use serde::{Deserialize, Serialize};

/// Most keywords one query names (Tencent's limit).
pub const MAX_KEYWORDS: usize = 5;
/// Longest keyword, in bytes of UTF-8.
pub const MAX_KEYWORD_BYTES: usize = 100;
/// Most message kinds or senders one query names.
pub const MAX_FILTER_ITEMS: usize = 20;
/// Largest page of results.
pub const MAX_SEARCH_PAGE: u32 = 100;

/// Puts text in lower case for comparing keywords, by Unicode's default case mapping. The
/// server passes `str::to_lowercase`; the browser SDK passes JavaScript's `toLowerCase`, the
/// same mapping, which spares its module Rust's case tables.
pub type Fold = fn(&str) -> String;

/// Which messages a search finds: those of the searching user's conversations (with `peer`
/// only, when given) that are not recalled and that pass every filter given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Words the message's text holds, compared without regard to case ([`Element::words`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Every keyword must be found (Tencent's `KEYWORD_LIST_MATCH_TYPE_AND`); otherwise any one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub match_all: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<UserId>,
    /// Messages with an element of one of these kinds ([`TYPE_NAMES`]); empty: any kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// Messages from one of these users; empty: from anyone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub senders: Vec<UserId>,
    /// Sent at or after this time, milliseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "crate::is_zero")]
    pub min_time_ms: u64,
    /// Sent at or before this time (0: no bound).
    #[serde(default, skip_serializing_if = "crate::is_zero")]
    pub max_time_ms: u64,
}

impl SearchQuery {
    /// Why the query is refused, if it is: it names no keyword and no kind (so it would list
    /// everything), or names too many or too long ones, or an unknown kind.
    pub fn check(&self) -> Result<(), String> {
        if self.keywords.is_empty() && self.kinds.is_empty() {
            return Err("name at least one keyword or message kind".into());
        }
        if self.keywords.len() > MAX_KEYWORDS {
            return Err(format!("at most {MAX_KEYWORDS} keywords"));
        }
        if let Some(k) = self
            .keywords
            .iter()
            .find(|k| k.trim().is_empty() || k.len() > MAX_KEYWORD_BYTES)
        {
            return Err(format!(
                "a keyword is 1 to {MAX_KEYWORD_BYTES} bytes, not blank ({} bytes given)",
                k.len()
            ));
        }
        if self.kinds.len() > MAX_FILTER_ITEMS || self.senders.len() > MAX_FILTER_ITEMS {
            return Err(format!("at most {MAX_FILTER_ITEMS} kinds and senders"));
        }
        if let Some(k) = self
            .kinds
            .iter()
            .find(|k| !TYPE_NAMES.contains(&k.as_str()))
        {
            return Err(format!("unknown message kind \"{k}\""));
        }
        Ok(())
    }

    /// Text that the JSON of every message this query finds holds, in lower case, to skip the
    /// others without decoding them: the keywords (all of them, or any, as the query asks), or
    /// the kinds' `"MsgType":"…"` (any). `None` when it cannot say: a keyword holding a quote,
    /// a backslash or a control character, which JSON writes escaped.
    pub fn needles(&self, fold: Fold) -> Option<(Vec<String>, bool)> {
        let escaped = |k: &String| k.chars().any(|c| c == '"' || c == '\\' || c.is_control());
        if !self.keywords.is_empty() {
            let folded = self.folded_keywords(fold);
            return (!folded.iter().any(escaped)).then_some((folded, self.match_all));
        }
        let kinds = self
            .kinds
            .iter()
            .map(|k| format!("\"msgtype\":\"{}\"", k.to_ascii_lowercase()));
        (!self.kinds.is_empty()).then(|| (kinds.collect(), false))
    }

    /// The keywords as they are compared: in lower case.
    pub fn folded_keywords(&self, fold: Fold) -> Vec<String> {
        self.keywords.iter().map(|k| fold(k)).collect()
    }

    /// Whether `message`, one of `me`'s, is found. `keywords` are [`Self::folded_keywords`]
    /// with the same `fold`.
    pub fn matches(&self, me: &UserId, message: &Message, keywords: &[String], fold: Fold) -> bool {
        let time_ok = message.time_ms >= self.min_time_ms
            && (self.max_time_ms == 0 || message.time_ms <= self.max_time_ms);
        if message.recalled || !time_ok {
            return false;
        }
        if self.peer.as_ref().is_some_and(|p| p != message.peer_of(me)) {
            return false;
        }
        if !self.senders.is_empty() && !self.senders.contains(&message.from) {
            return false;
        }
        let kind_ok = |e: &Element| self.kinds.iter().any(|k| k == e.type_name());
        if !self.kinds.is_empty() && !message.elements.iter().any(kind_ok) {
            return false;
        }
        if keywords.is_empty() {
            return true;
        }
        let text = fold(&search_text(message));
        let found = |k: &String| text.contains(k.as_str());
        match self.match_all {
            true => keywords.iter().all(found),
            false => keywords.iter().any(found),
        }
    }
}

/// A page of results from up to `limit + 1` messages found, newest first: the first `limit`,
/// and the cursor of the next page when there were more (the number of the last one returned;
/// the next page holds messages numbered below it), or 0 when there is none.
pub fn page(mut found: Vec<Message>, limit: u32) -> (Vec<Message>, u64) {
    let limit = limit.max(1) as usize;
    if found.len() <= limit {
        return (found, 0);
    }
    found.truncate(limit);
    let next = found.last().map_or(0, |m| m.key.id);
    (found, next)
}

/// The text a message is searched by: its elements' [`Element::words`], one per line.
pub fn search_text(message: &Message) -> String {
    let words: Vec<&str> = message.elements.iter().flat_map(Element::words).collect();
    words.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{FileElem, TextElem};
    use crate::ids::MessageKey;

    fn uid(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    fn message(from: &str, to: &str, time_ms: u64, elements: Vec<Element>) -> Message {
        Message {
            key: MessageKey {
                id: 1,
                random: 1,
                time_s: time_ms / 1000,
            },
            from: uid(from),
            to: uid(to),
            time_ms,
            client_time_s: 0,
            random: 1,
            elements,
            cloud_custom_data: None,
            nick: String::new(),
            avatar: String::new(),
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: false,
            receipt_ms: 0,
        }
    }

    fn text(t: &str) -> Element {
        Element::Text(TextElem { text: t.into() })
    }

    #[test]
    fn keywords_kinds_peers_and_times() {
        let me = uid("alice");
        let hello = message("bob", "alice", 5_000, vec![text("Hello World")]);
        let file = message(
            "alice",
            "carol",
            9_000,
            vec![Element::File(FileElem {
                url: "https://x/y".into(),
                uuid: String::new(),
                file_size: 1,
                file_name: "Report.pdf".into(),
                download_flag: 2,
            })],
        );
        let q = |f: &dyn Fn(&mut SearchQuery)| {
            let mut q = SearchQuery::default();
            f(&mut q);
            q
        };
        let lower: Fold = str::to_lowercase;
        let finds =
            |q: &SearchQuery, m: &Message| q.matches(&me, m, &q.folded_keywords(lower), lower);
        let world = q(&|q| q.keywords = vec!["WORLD".into()]);
        assert!(finds(&world, &hello) && !finds(&world, &file));
        let report = q(&|q| q.keywords = vec!["report".into(), "nothing".into()]);
        assert!(finds(&report, &file));
        let both = q(&|q| {
            q.keywords = vec!["report".into(), "nothing".into()];
            q.match_all = true;
        });
        assert!(!finds(&both, &file));
        let files = q(&|q| q.kinds = vec!["TIMFileElem".into()]);
        assert!(finds(&files, &file) && !finds(&files, &hello));
        let with_bob = q(&|q| {
            q.kinds = vec!["TIMTextElem".into(), "TIMFileElem".into()];
            q.peer = Some(uid("bob"));
        });
        assert!(finds(&with_bob, &hello) && !finds(&with_bob, &file));
        let from_me = q(&|q| {
            q.kinds = vec!["TIMFileElem".into(), "TIMTextElem".into()];
            q.senders = vec![uid("alice")];
        });
        assert!(finds(&from_me, &file) && !finds(&from_me, &hello));
        let late = q(&|q| {
            q.keywords = vec!["o".into()];
            q.min_time_ms = 6_000;
            q.max_time_ms = 9_000;
        });
        assert!(finds(&late, &file) && !finds(&late, &hello));
        let mut recalled = hello.clone();
        recalled.recall();
        assert!(!finds(&world, &recalled));
    }

    #[test]
    fn a_found_message_s_json_holds_the_needles() {
        let me = uid("alice");
        let m = message("bob", "alice", 5_000, vec![text("Grüße aus Wien")]);
        let json = serde_json::to_string(&m).unwrap().to_lowercase();
        for q in [
            SearchQuery {
                keywords: vec!["GRÜSSE".into(), "wien".into()],
                match_all: true,
                ..SearchQuery::default()
            },
            SearchQuery {
                keywords: vec!["nothing".into(), "aus w".into()],
                ..SearchQuery::default()
            },
            SearchQuery {
                kinds: vec!["TIMFileElem".into(), "TIMTextElem".into()],
                ..SearchQuery::default()
            },
        ] {
            let (needles, all) = q.needles(str::to_lowercase).unwrap();
            let holds = |n: &String| json.contains(n.as_str());
            let prefiltered = if all {
                needles.iter().all(holds)
            } else {
                needles.iter().any(holds)
            };
            assert_eq!(
                q.matches(
                    &me,
                    &m,
                    &q.folded_keywords(str::to_lowercase),
                    str::to_lowercase
                ),
                prefiltered,
                "{q:?}"
            );
        }
        let quoted = SearchQuery {
            keywords: vec!["say \"hi\"".into()],
            ..SearchQuery::default()
        };
        assert_eq!(
            quoted.needles(str::to_lowercase),
            None,
            "a quote is escaped in JSON"
        );
    }

    #[test]
    fn queries_are_bounded() {
        let mut q = SearchQuery::default();
        assert!(q.check().is_err(), "a query must narrow something");
        q.keywords = vec!["x".repeat(MAX_KEYWORD_BYTES + 1)];
        assert!(q.check().is_err());
        q.keywords = vec![" ".into()];
        assert!(q.check().is_err());
        q.keywords = vec!["a".into(); MAX_KEYWORDS + 1];
        assert!(q.check().is_err());
        q.keywords = vec!["a".into()];
        q.kinds = vec!["TIMNoSuchElem".into()];
        assert!(q.check().is_err());
        q.kinds = vec!["TIMTextElem".into()];
        assert!(q.check().is_ok());
    }
}
