//! Keyword libraries (Tencent's `im_msg_audit_mgr/*_cloud_audit_keywords`): words the users
//! may not write. A text that a user sends or edits from a device, or a nickname, signature,
//! friend remark or friend request wording it sets, that holds a word of any library, whatever
//! its ASCII case, is refused with 80001 and kept nowhere. What the app's backend sends, edits
//! or sets over REST is not checked: the backend decides for itself, and its before-send
//! webhook sees every user's message.
//!
//! A library is made the first time words are added under its ID, so a backend keeps the IDs
//! it used with Tencent. Every send asks, so the words are kept in memory as one automaton
//! (aho-corasick) read under a shared lock; they are stored as one app setting (JSON), read
//! back at start and when another node changed them, and each change is made to the setting as
//! stored ([`Storage::update`]), so changes on two nodes at once are all kept.

use super::{Chat, read_stored};
use crate::error::ChatError;
use crate::storage::{Slot, Storage};
use aho_corasick::AhoCorasick;
use protocol::{Element, ErrorCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

/// The setting the libraries are stored under.
const KEY: &str = "audit_keywords";
/// Libraries at most.
pub const MAX_LIBRARIES: usize = 20;
/// Words in all libraries together at most.
pub const MAX_WORDS: usize = 10_000;
/// Characters of one word at most.
pub const MAX_WORD_CHARS: usize = 64;
/// Characters of a library ID at most.
pub const MAX_LIBRARY_ID_CHARS: usize = 64;
/// Words one request adds at most; Tencent deletes at most 10 a request.
pub const MAX_ADD: usize = 100;
pub const MAX_DELETE: usize = 10;
/// The categories Tencent names a word by.
pub const LABELS: [&str; 9] = [
    "Normal",
    "Illegal",
    "Abuse",
    "Polity",
    "Ad",
    "Porn",
    "Sexy",
    "Terror",
    "Composite",
];

/// One library: its words, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Library {
    pub created_ms: u64,
    /// The ID the next word gets.
    pub next_id: u64,
    pub words: Vec<Keyword>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyword {
    pub id: u64,
    pub content: String,
    pub label: String,
    pub created_ms: u64,
}

/// What deleting one word did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    pub content: String,
    /// The word's ID, when it was in the library.
    pub id: Option<u64>,
}

type Libraries = BTreeMap<String, Library>;

#[derive(Default)]
pub struct Keywords {
    libraries: RwLock<Arc<Libraries>>,
    /// Every word of every library; `None` when there is none.
    matcher: RwLock<Option<Arc<AhoCorasick>>>,
    /// Serialises this node's changes, so the copy in memory is replaced in the order they
    /// were made.
    writes: tokio::sync::Mutex<()>,
}

fn invalid(message: impl Into<String>) -> ChatError {
    ChatError::new(ErrorCode::INVALID_ARGUMENT, message)
}

fn check_library_id(id: &str) -> Result<(), ChatError> {
    let printable = id.chars().all(|c| c.is_ascii_graphic());
    if id.is_empty() || id.chars().count() > MAX_LIBRARY_ID_CHARS || !printable {
        return Err(invalid(format!(
            "LibID {id:?}: 1 to {MAX_LIBRARY_ID_CHARS} printable ASCII characters, no spaces"
        )));
    }
    Ok(())
}

/// A word as kept: trimmed, not empty, not too long, no control characters.
fn clean_word(word: &str) -> Result<String, ChatError> {
    let word = word.trim();
    if word.is_empty()
        || word.chars().count() > MAX_WORD_CHARS
        || word.chars().any(char::is_control)
    {
        return Err(invalid(format!(
            "keyword {word:?}: 1 to {MAX_WORD_CHARS} characters, no control characters"
        )));
    }
    Ok(word.to_owned())
}

impl Keywords {
    /// Reads the stored libraries.
    pub async fn load(&self, storage: &dyn Storage) -> Result<(), ChatError> {
        let stored: Libraries =
            read_stored(storage.setting(KEY).await?.as_deref(), "keyword libraries")?;
        let words: Vec<&str> = stored
            .values()
            .flat_map(|l| l.words.iter().map(|w| w.content.as_str()))
            .collect();
        let matcher = if words.is_empty() {
            None
        } else {
            let built = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&words)
                .map_err(|e| {
                    ChatError::new(ErrorCode::INTERNAL, format!("keyword libraries: {e}"))
                })?;
            Some(Arc::new(built))
        };
        *self.matcher.write().expect("keywords lock") = matcher;
        *self.libraries.write().expect("keywords lock") = Arc::new(stored);
        Ok(())
    }

    /// Refuses a message whose text holds a word of a library.
    pub fn check(&self, elements: &[Element]) -> Result<(), ChatError> {
        let texts = elements.iter().filter_map(|e| match e {
            Element::Text(t) => Some(t.text.as_str()),
            _ => None,
        });
        self.check_texts("the message", texts)
    }

    /// Refuses `texts` (`what`: a user's message, profile or friend remark) when one holds a
    /// word of a library.
    pub fn check_texts<'a>(
        &self,
        what: &str,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), ChatError> {
        let Some(matcher) = self.matcher.read().expect("keywords lock").clone() else {
            return Ok(());
        };
        if texts.into_iter().any(|t| matcher.is_match(t)) {
            return Err(ChatError::new(
                ErrorCode::BLOCKED_WORD,
                format!("{what} contains a word the app does not allow"),
            ));
        }
        Ok(())
    }

    /// The libraries as last read.
    pub fn libraries(&self) -> Arc<BTreeMap<String, Library>> {
        self.libraries.read().expect("keywords lock").clone()
    }

    /// Adds `words` (content, label) to the library `id`, making it when it is new. A word the
    /// library has already is left as it is.
    async fn add(
        &self,
        storage: &dyn Storage,
        id: &str,
        words: Vec<(String, String)>,
        now_ms: u64,
    ) -> Result<(), ChatError> {
        check_library_id(id)?;
        if words.is_empty() || words.len() > MAX_ADD {
            return Err(invalid(format!(
                "UserKeywords: 1 to {MAX_ADD} keywords a request"
            )));
        }
        let mut cleaned = Vec::with_capacity(words.len());
        for (content, label) in words {
            let label = if label.is_empty() {
                "Normal".to_owned()
            } else {
                label
            };
            if !LABELS.contains(&label.as_str()) {
                return Err(invalid(format!(
                    "Label {label:?}: one of {}",
                    LABELS.join(", ")
                )));
            }
            cleaned.push((clean_word(&content)?, label));
        }
        let id = id.to_owned();
        self.change(storage, move |libraries| {
            if !libraries.contains_key(&id) && libraries.len() >= MAX_LIBRARIES {
                return Err(invalid(format!(
                    "there are {MAX_LIBRARIES} keyword libraries already"
                )));
            }
            let library = libraries.entry(id).or_insert_with(|| Library {
                created_ms: now_ms,
                next_id: 1,
                words: Vec::new(),
            });
            for (content, label) in cleaned {
                if library.words.iter().any(|w| w.content == content) {
                    continue;
                }
                library.words.push(Keyword {
                    id: library.next_id,
                    content,
                    label,
                    created_ms: now_ms,
                });
                library.next_id += 1;
            }
            let total: usize = libraries.values().map(|l| l.words.len()).sum();
            if total > MAX_WORDS {
                return Err(invalid(format!(
                    "the keyword libraries would hold {total} words; the limit is {MAX_WORDS}"
                )));
            }
            Ok(())
        })
        .await
    }

    /// Deletes `words` from the library `id`; says of each whether it was there.
    async fn delete(
        &self,
        storage: &dyn Storage,
        id: &str,
        words: Vec<String>,
    ) -> Result<Vec<Deleted>, ChatError> {
        check_library_id(id)?;
        if words.is_empty() || words.len() > MAX_DELETE {
            return Err(invalid(format!(
                "Keywords: 1 to {MAX_DELETE} keywords a request"
            )));
        }
        let done = Arc::new(Mutex::new(Vec::new()));
        let (id, told) = (id.to_owned(), done.clone());
        self.change(storage, move |libraries| {
            let library = libraries
                .get_mut(&id)
                .ok_or_else(|| invalid(format!("there is no keyword library {id:?}")))?;
            let mut deleted = Vec::with_capacity(words.len());
            for content in words {
                let found = library
                    .words
                    .iter()
                    .position(|w| w.content == content.trim());
                let id = found.map(|i| library.words.remove(i).id);
                deleted.push(Deleted { content, id });
            }
            *told.lock().expect("keywords lock") = deleted;
            Ok(())
        })
        .await?;
        Ok(std::mem::take(&mut *done.lock().expect("keywords lock")))
    }

    /// Applies `change` to the libraries as stored, stores them and reads them back.
    async fn change(
        &self,
        storage: &dyn Storage,
        change: impl FnOnce(&mut Libraries) -> Result<(), ChatError> + Send + 'static,
    ) -> Result<(), ChatError> {
        let _serial = self.writes.lock().await;
        let apply = Box::new(move |stored: Option<&str>| {
            let mut libraries: Libraries = read_stored(stored, "keyword libraries")?;
            change(&mut libraries)?;
            Ok(serde_json::to_string(&libraries).expect("keyword libraries serialise"))
        });
        storage.update(Slot::Setting(KEY.into()), apply).await??;
        self.load(storage).await
    }
}

impl Chat {
    /// Adds `words` (content, label) to the keyword library `library`, making it when it is
    /// new; every node hears of it at once.
    pub async fn add_keywords(
        &self,
        library: &str,
        words: Vec<(String, String)>,
    ) -> Result<(), ChatError> {
        let now_ms = self.clock.now_ms();
        (self.keywords)
            .add(self.storage.as_ref(), library, words, now_ms)
            .await?;
        self.hub.tell(crate::hub::Outbound::Settings);
        Ok(())
    }

    /// Deletes `words` from the keyword library `library`, saying of each whether it was
    /// there; every node hears of it at once.
    pub async fn delete_keywords(
        &self,
        library: &str,
        words: Vec<String>,
    ) -> Result<Vec<Deleted>, ChatError> {
        let deleted = (self.keywords)
            .delete(self.storage.as_ref(), library, words)
            .await?;
        self.hub.tell(crate::hub::Outbound::Settings);
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_library_ids_are_bounded() {
        assert_eq!(clean_word("  spam ").unwrap(), "spam");
        assert!(clean_word("").is_err());
        assert!(clean_word("   ").is_err());
        assert!(clean_word(&"x".repeat(MAX_WORD_CHARS + 1)).is_err());
        assert!(clean_word(&"é".repeat(MAX_WORD_CHARS)).is_ok());
        assert!(clean_word("a\nb").is_err());
        assert!(check_library_id("1cd0d0ed-0e2c-4d35-ae86-2a1a8697706d").is_ok());
        assert!(check_library_id("").is_err());
        assert!(check_library_id("has space").is_err());
        assert!(check_library_id(&"a".repeat(MAX_LIBRARY_ID_CHARS + 1)).is_err());
    }
}
