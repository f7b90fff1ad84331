//! The browser [`Cache`]: one IndexedDB database per app and user
//! ([`Namespace::database_name`]), shared by every tab of that user on the origin.
//!
//! Keys are strings built so that IndexedDB's string order is the order we read in: a message's
//! key is `{peer}|{key number, 20 digits}`, so one conversation is one contiguous key range in
//! server order. (`|` never occurs in a user id.) Values are the wire types as JSON text: one
//! serialization path in the SDK (serde_json, as on the wire), and a string is the cheapest value
//! for IndexedDB to clone. Values that older versions stored as objects still read (see
//! [`decode`]).
//!
//! Schema versions: 1 creates the first stores; 2 adds `deleted` (messages deleted on this
//! device). Opening runs every step above the database's version, so any older database
//! upgrades in place.

use super::*;
use indexed_db_futures::KeyRange;
use indexed_db_futures::cursor::CursorDirection;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use wasm_bindgen::{JsCast, JsValue};

const SCHEMA_VERSION: u32 = 2;

const META: &str = "meta";
const MESSAGES: &str = "messages";
const CONVERSATIONS: &str = "conversations";
const OUTBOX: &str = "outbox";
const PROFILES: &str = "profiles";
const RELATIONS: &str = "relations";
const DELETED: &str = "deleted";
const STORES_V1: [&str; 6] = [META, MESSAGES, CONVERSATIONS, OUTBOX, PROFILES, RELATIONS];

const CURSOR_KEY: &str = "cursor";
const ACCOUNT_KEY: &str = "account";
const ALL_STORES: [&str; 7] = [
    META,
    MESSAGES,
    CONVERSATIONS,
    OUTBOX,
    PROFILES,
    RELATIONS,
    DELETED,
];

pub struct IndexedDbCache {
    db: Database,
    /// The `deleted` store, read once at open: deletions are rare, messages stored often.
    deleted: std::cell::RefCell<std::collections::HashSet<u64>>,
}

impl From<indexed_db_futures::error::Error> for CacheError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        CacheError::Storage(e.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for CacheError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        CacheError::Storage(e.to_string())
    }
}

/// A value as stored: its JSON text.
fn encode<T: serde::Serialize>(value: &T) -> CacheResult<JsValue> {
    serde_json::to_string(value)
        .map(JsValue::from)
        .map_err(|e| CacheError::Storage(e.to_string()))
}

/// A stored value: JSON text, or a plain object or number stored by an older version of this
/// cache, read through its JSON form.
fn decode<T: serde::de::DeserializeOwned>(value: JsValue) -> CacheResult<T> {
    let text = match value.as_string() {
        Some(text) => text,
        None => js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| CacheError::Storage("a stored value is not JSON".into()))?,
    };
    serde_json::from_str(&text).map_err(|e| CacheError::Storage(e.to_string()))
}

/// Messages one `getAll` of [`Cache::scan_messages`] reads.
const SCAN_BATCH: u32 = 2000;

fn message_key(peer: &UserId, id: u64) -> String {
    format!("{peer}|{id:020}")
}

fn outbox_key(to: &UserId, random: u32) -> String {
    format!("{to}|{random}")
}

impl IndexedDbCache {
    /// Opens (creating or upgrading) the namespace's database.
    pub async fn open(ns: &Namespace) -> CacheResult<Self> {
        let db = Database::open(&ns.database_name())
            .with_version(SCHEMA_VERSION)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    for name in STORES_V1 {
                        db.create_object_store(name).build()?;
                    }
                }
                if event.old_version() < 2.0 {
                    db.create_object_store(DELETED).build()?;
                }
                Ok(())
            })
            .await?;
        let cache = Self {
            db,
            deleted: Default::default(),
        };
        let ids: Vec<u64> = cache.all(DELETED).await?;
        cache.deleted.borrow_mut().extend(ids);
        Ok(cache)
    }

    /// Deletes the namespace's database (sign-out with "forget this device"). The browser
    /// completes it only once every open connection to that database is closed.
    pub async fn delete(ns: &Namespace) -> CacheResult<()> {
        Database::delete_by_name(&ns.database_name())?.await?;
        Ok(())
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        store: &str,
        key: &str,
    ) -> CacheResult<Option<T>> {
        let tx = self.db.transaction(store).build()?;
        let value: Option<JsValue> = tx
            .object_store(store)?
            .get(key.to_owned())
            .primitive()?
            .await?;
        value.map(decode).transpose()
    }

    async fn put<T: serde::Serialize>(
        &self,
        store: &str,
        key: String,
        value: &T,
    ) -> CacheResult<()> {
        self.put_each(store, std::iter::once((key, value)), false)
            .await
    }

    /// Stores every `(key, value)` in one transaction, after emptying the store when `replace`.
    async fn put_each<'a, T: serde::Serialize + 'a>(
        &self,
        store: &str,
        items: impl Iterator<Item = (String, &'a T)>,
        replace: bool,
    ) -> CacheResult<()> {
        let tx = self
            .db
            .transaction(store)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let object_store = tx.object_store(store)?;
        if replace {
            object_store.clear()?;
        }
        for (key, value) in items {
            object_store.put(encode(value)?).with_key(key).primitive()?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn all<T: serde::de::DeserializeOwned>(&self, store: &str) -> CacheResult<Vec<T>> {
        let tx = self.db.transaction(store).build()?;
        let values = tx
            .object_store(store)?
            .get_all::<JsValue>()
            .primitive()?
            .await?;
        values.map(|v| decode(v?)).collect()
    }
}

#[async_trait(?Send)]
impl Cache for IndexedDbCache {
    async fn cursor(&self) -> CacheResult<Seq> {
        Ok(self.get::<Seq>(META, CURSOR_KEY).await?.unwrap_or_default())
    }

    async fn set_cursor(&self, seq: Seq) -> CacheResult<()> {
        // Read and raise in one transaction: another tab may have moved it meanwhile.
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(META)?;
        let current: Option<JsValue> = store.get(CURSOR_KEY.to_owned()).primitive()?.await?;
        let current: Option<Seq> = current.map(decode).transpose()?;
        if current.is_none_or(|c| c < seq) {
            store
                .put(encode(&seq)?)
                .with_key(CURSOR_KEY.to_owned())
                .primitive()?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn account(&self) -> CacheResult<u64> {
        Ok(self
            .get::<u64>(META, ACCOUNT_KEY)
            .await?
            .unwrap_or_default())
    }

    async fn reset(&self, account: u64) -> CacheResult<()> {
        let tx = self
            .db
            .transaction(ALL_STORES)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        for store in ALL_STORES {
            tx.object_store(store)?.clear()?;
        }
        tx.object_store(META)?
            .put(encode(&account)?)
            .with_key(ACCOUNT_KEY.to_owned())
            .primitive()?;
        tx.commit().await?;
        self.deleted.borrow_mut().clear();
        Ok(())
    }

    async fn put_messages(&self, me: &UserId, messages: &[Message]) -> CacheResult<()> {
        let tx = self
            .db
            .transaction(MESSAGES)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(MESSAGES)?;
        {
            // Requests are queued synchronously; the borrow ends before the commit is awaited.
            let deleted = self.deleted.borrow();
            for m in messages.iter().filter(|m| !deleted.contains(&m.key.id)) {
                store
                    .put(encode(m)?)
                    .with_key(message_key(m.peer_of(me), m.key.id))
                    .primitive()?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn messages(
        &self,
        peer: &UserId,
        before: Option<MessageKey>,
        count: u32,
    ) -> CacheResult<Vec<Message>> {
        let tx = self.db.transaction(MESSAGES).build()?;
        let store = tx.object_store(MESSAGES)?;
        let lower = message_key(peer, 0);
        let upper = message_key(peer, before.map_or(u64::MAX, |k| k.id));
        let range = KeyRange::Bound(lower, false, upper, before.is_some());
        let mut out = Vec::new();
        let Some(mut cursor) = store
            .open_cursor()
            .with_query::<String, _>(range)
            .with_direction(CursorDirection::Prev)
            .await?
        else {
            return Ok(out);
        };
        while out.len() < count as usize {
            match cursor.next_record::<JsValue>().await? {
                Some(m) => out.push(decode(m)?),
                None => break,
            }
        }
        Ok(out)
    }

    /// Reads in batches of [`SCAN_BATCH`] with `getAll`, each in its own transaction, which is
    /// many times faster than a cursor's round trip per message; a batch starts after the key
    /// of the last message of the one before. The needles are looked for by the browser in
    /// the stored JSON text, so a message that cannot be wanted is never copied into the module
    /// or decoded.
    async fn scan_messages(
        &self,
        me: &UserId,
        peer: Option<&UserId>,
        needles: Option<&(Vec<String>, bool)>,
        visit: &mut dyn FnMut(Message),
    ) -> CacheResult<()> {
        let wanted = |value: &JsValue| {
            let (Some((list, all)), Some(text)) = (needles, value.dyn_ref::<js_sys::JsString>())
            else {
                return true;
            };
            let text = text.to_lower_case();
            let holds = |n: &String| text.includes(n, 0);
            if *all {
                list.iter().all(holds)
            } else {
                list.iter().any(holds)
            }
        };
        let upper = peer.map(|p| message_key(p, u64::MAX));
        let mut after: Option<String> = None;
        loop {
            let range = match (after.take(), &upper, peer) {
                (Some(last), Some(upper), _) => KeyRange::Bound(last, true, upper.clone(), false),
                (Some(last), None, _) => KeyRange::LowerBound(last, true),
                (None, Some(upper), Some(p)) => {
                    KeyRange::Bound(message_key(p, 0), false, upper.clone(), false)
                }
                (None, _, _) => KeyRange::LowerBound(String::new(), false),
            };
            let tx = self.db.transaction(MESSAGES).build()?;
            let batch = tx
                .object_store(MESSAGES)?
                .get_all::<JsValue>()
                .with_query::<String, _>(range)
                .with_limit(SCAN_BATCH)
                .primitive()?
                .await?;
            let batch: Vec<JsValue> = batch.collect::<Result<_, _>>()?;
            let read = batch.len() as u32;
            let last = batch.len().saturating_sub(1);
            for (i, value) in batch.into_iter().enumerate() {
                let take = wanted(&value);
                // The last one is decoded whatever it holds: the next batch starts after its key.
                if !take && i != last {
                    continue;
                }
                let message: Message = decode(value)?;
                after = Some(message_key(message.peer_of(me), message.key.id));
                if take {
                    visit(message);
                }
            }
            if read < SCAN_BATCH {
                return Ok(());
            }
        }
    }

    async fn delete_message(&self, peer: &UserId, key: MessageKey) -> CacheResult<()> {
        let tx = self
            .db
            .transaction([MESSAGES, DELETED])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(MESSAGES)?
            .delete(message_key(peer, key.id))
            .await?;
        tx.object_store(DELETED)?
            .put(encode(&key.id)?)
            .with_key(format!("{:020}", key.id))
            .primitive()?;
        tx.commit().await?;
        self.deleted.borrow_mut().insert(key.id);
        Ok(())
    }

    async fn clear_messages(&self) -> CacheResult<()> {
        let tx = self
            .db
            .transaction(MESSAGES)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(MESSAGES)?.clear()?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_conversations(&self, list: &[Conversation]) -> CacheResult<()> {
        let keyed = list.iter().map(|c| (c.peer.to_string(), c));
        self.put_each(CONVERSATIONS, keyed, true).await
    }

    async fn put_conversations(&self, list: &[Conversation]) -> CacheResult<()> {
        let keyed = list.iter().map(|c| (c.peer.to_string(), c));
        self.put_each(CONVERSATIONS, keyed, false).await
    }

    async fn conversations(&self) -> CacheResult<Vec<Conversation>> {
        let mut list: Vec<Conversation> = self.all(CONVERSATIONS).await?;
        sort_conversations(&mut list);
        Ok(list)
    }

    async fn outbox_put(&self, item: &OutboxItem) -> CacheResult<()> {
        self.put(OUTBOX, outbox_key(&item.to, item.random), item)
            .await
    }

    async fn outbox_remove(&self, to: &UserId, random: u32) -> CacheResult<()> {
        let tx = self
            .db
            .transaction(OUTBOX)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(OUTBOX)?
            .delete(outbox_key(to, random))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn outbox(&self) -> CacheResult<Vec<OutboxItem>> {
        let mut list: Vec<OutboxItem> = self.all(OUTBOX).await?;
        list.sort_by(|a, b| (a.created_ms, &a.to, a.random).cmp(&(b.created_ms, &b.to, b.random)));
        Ok(list)
    }

    async fn put_profiles(&self, profiles: &[Profile]) -> CacheResult<()> {
        let keyed = profiles.iter().map(|p| (p.user_id.to_string(), p));
        self.put_each(PROFILES, keyed, false).await
    }

    async fn profile(&self, user: &UserId) -> CacheResult<Option<Profile>> {
        self.get(PROFILES, user.as_str()).await
    }

    async fn set_relations(
        &self,
        relation: Relation,
        entries: &[RelationEntry],
    ) -> CacheResult<()> {
        self.put(
            RELATIONS,
            relation_name(relation).to_owned(),
            &entries.to_vec(),
        )
        .await
    }

    async fn relations(&self, relation: Relation) -> CacheResult<Vec<RelationEntry>> {
        Ok(self
            .get(RELATIONS, relation_name(relation))
            .await?
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// A fresh database per test: delete what an earlier run left, then open.
    async fn open(name: &str) -> super::IndexedDbCache {
        let ns = super::Namespace {
            sdk_app_id: 1,
            user: protocol::UserId::parse(format!("t-{name}")).unwrap(),
        };
        super::IndexedDbCache::delete(&ns).await.unwrap();
        super::IndexedDbCache::open(&ns).await.unwrap()
    }

    crate::cache::conformance::cache_conformance!(wasm_bindgen_test, open);

    #[wasm_bindgen_test]
    async fn a_version_1_database_upgrades_in_place() {
        use super::*;
        let ns = Namespace {
            sdk_app_id: 1,
            user: UserId::parse("upgrade").unwrap(),
        };
        IndexedDbCache::delete(&ns).await.unwrap();
        // What version 1 of this cache created, with a cursor in it.
        let v1 = Database::open(&ns.database_name())
            .with_version(1u32)
            .with_on_upgrade_needed(|_, db| {
                for name in STORES_V1 {
                    db.create_object_store(name).build()?;
                }
                Ok(())
            })
            .await
            .unwrap();
        let tx = v1
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .unwrap();
        tx.object_store(META)
            .unwrap()
            .put(JsValue::from(7))
            .with_key(CURSOR_KEY.to_owned())
            .primitive()
            .unwrap();
        tx.commit().await.unwrap();
        v1.close();
        let cache = IndexedDbCache::open(&ns).await.unwrap();
        assert_eq!(
            cache.cursor().await.unwrap(),
            Seq(7),
            "kept across the upgrade"
        );
        let me = UserId::parse("me").unwrap();
        let m = crate::cache::conformance::msg(3, "bob", "me", "x");
        cache
            .put_messages(&me, std::slice::from_ref(&m))
            .await
            .unwrap();
        cache.delete_message(&m.from, m.key).await.unwrap();
        cache.put_messages(&me, &[m]).await.unwrap();
        assert!(
            cache
                .messages(&UserId::parse("bob").unwrap(), None, 5)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[wasm_bindgen_test]
    async fn data_outlives_the_connection_and_namespaces_are_apart() {
        use crate::cache::Cache;
        let ns = |user: &str| super::Namespace {
            sdk_app_id: 1,
            user: protocol::UserId::parse(user).unwrap(),
        };
        for u in ["persist-a", "persist-b"] {
            super::IndexedDbCache::delete(&ns(u)).await.unwrap();
        }
        let a = super::IndexedDbCache::open(&ns("persist-a")).await.unwrap();
        a.set_cursor(protocol::Seq(9)).await.unwrap();
        drop(a);
        let again = super::IndexedDbCache::open(&ns("persist-a")).await.unwrap();
        assert_eq!(again.cursor().await.unwrap(), protocol::Seq(9));
        let b = super::IndexedDbCache::open(&ns("persist-b")).await.unwrap();
        assert_eq!(b.cursor().await.unwrap(), protocol::Seq(0));
    }
}
