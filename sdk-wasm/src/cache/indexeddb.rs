//! The browser [`Cache`]: one IndexedDB database per app and user
//! ([`Namespace::database_name`]), shared by every tab of that user on the origin.
//!
//! Keys are strings built so that IndexedDB's string order is the order we read in: a message's
//! key is `{peer}|{key number, 20 digits}`, so one conversation is one contiguous key range in
//! server order. (`|` never occurs in a user id.) Values are the wire types as JSON text: one
//! serialization path in the SDK ([`crate::json`], as on the wire), and a string is the cheapest
//! value for IndexedDB to clone. Values that older versions stored as objects still read (see
//! [`decode`]).
//!
//! Schema versions: 1 creates the first stores; 2 adds `deleted` (messages deleted on this
//! device). Opening runs every step above the database's version, so any older database
//! upgrades in place.

use super::*;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

const META: &str = "meta";
const MESSAGES: &str = "messages";
const CONVERSATIONS: &str = "conversations";
const OUTBOX: &str = "outbox";
const PROFILES: &str = "profiles";
const RELATIONS: &str = "relations";
const DELETED: &str = "deleted";
const STORES_V1: [&str; 6] = [META, MESSAGES, CONVERSATIONS, OUTBOX, PROFILES, RELATIONS];
/// The stores each schema version adds: version n creates `VERSIONS[n - 1]`.
const VERSIONS: [&[&str]; 2] = [&STORES_V1, &[DELETED]];

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

// IndexedDB's requests, each a transaction, as promises (`js/store.js`). Written in JavaScript
// because a typed binding of IndexedDB's API, with the calls into it, was a ninth of the
// module; what is stored where stays here.
#[wasm_bindgen(module = "/js/store.js")]
extern "C" {
    /// An open database: IndexedDB's `IDBDatabase`.
    type Database;
    #[wasm_bindgen(method)]
    fn close(this: &Database);
    #[wasm_bindgen(js_name = open)]
    fn open_database(name: &str, versions: Array) -> Promise;
    #[wasm_bindgen(js_name = remove)]
    fn delete_database(name: &str) -> Promise;
    fn get(db: &Database, store: &str, key: &str) -> Promise;
    #[wasm_bindgen(js_name = getAll)]
    fn get_all(
        db: &Database,
        store: &str,
        lower: Option<String>,
        lower_open: bool,
        upper: Option<String>,
        upper_open: bool,
        limit: Option<u32>,
    ) -> Promise;
    fn last(
        db: &Database,
        store: &str,
        lower: &str,
        upper: &str,
        upper_open: bool,
        count: u32,
    ) -> Promise;
    fn write(db: &Database, stores: Array, ops: Array) -> Promise;
}

pub struct IndexedDbCache {
    db: Database,
    /// The `deleted` store, read once at open: deletions are rare, messages stored often.
    deleted: std::cell::RefCell<litemap::LiteMap<u64, ()>>,
}

/// The connection closes with the cache, so that deleting the database is not kept waiting.
impl Drop for IndexedDbCache {
    fn drop(&mut self) {
        self.db.close();
    }
}

/// What a storage promise settles with, or its error as a [`CacheError`].
async fn settled(promise: Promise) -> CacheResult<JsValue> {
    JsFuture::from(promise)
        .await
        .map_err(|e| CacheError::new(crate::error::browser_reason(&e)))
}

// The generic functions below only call serde; what does not depend on the type is in
// functions of its own, compiled once rather than once per stored type.

/// A value as stored: its JSON text.
fn encode<T: serde::Serialize>(value: &T) -> CacheResult<JsValue> {
    crate::json::to_string(value)
        .map(JsValue::from)
        .map_err(unusable)
}

fn unusable(e: crate::json::Error) -> CacheError {
    CacheError::new(e.to_string())
}

/// A stored value: JSON text, or a plain object or number stored by an older version of this
/// cache, read through its JSON form.
fn decode<T: serde::de::DeserializeOwned>(value: JsValue) -> CacheResult<T> {
    crate::json::from_str(&stored_text(value)?).map_err(unusable)
}

fn stored_text(value: JsValue) -> CacheResult<String> {
    match value.as_string() {
        Some(text) => Ok(text),
        None => js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| CacheError::new("a stored value is not JSON".into())),
    }
}

/// Every value of a list the storage gave, decoded.
fn decode_all<T: serde::de::DeserializeOwned>(values: JsValue) -> CacheResult<Vec<T>> {
    Array::from(&values).iter().map(decode).collect()
}

/// A names list for the storage.
fn names(stores: &[&str]) -> Array {
    stores.iter().copied().map(JsValue::from).collect()
}

/// The operations of one read-write transaction, applied together by [`Writes::commit`].
struct Writes {
    stores: Array,
    ops: Array,
}

impl Writes {
    fn new(stores: &[&str]) -> Self {
        Self {
            stores: names(stores),
            ops: Array::new(),
        }
    }

    fn op(&self, kind: &str, store: &str, key: &str, value: &JsValue) {
        for part in [&JsValue::from(kind), &store.into(), &key.into(), value] {
            self.ops.push(part);
        }
    }

    fn put<T: serde::Serialize>(&self, store: &str, key: &str, value: &T) -> CacheResult<()> {
        self.op("put", store, key, &encode(value)?);
        Ok(())
    }

    fn clear(&self, store: &str) {
        self.op("clear", store, "", &JsValue::UNDEFINED);
    }

    fn delete(&self, store: &str, key: &str) {
        self.op("delete", store, key, &JsValue::UNDEFINED);
    }

    /// Stores `value` (its JSON text is its digits) unless what is stored is already as great.
    fn raise(&self, store: &str, key: &str, value: u64) {
        self.op("raise", store, key, &value.to_string().into());
    }

    async fn commit(self, cache: &IndexedDbCache) -> CacheResult<()> {
        settled(write(&cache.db, self.stores, self.ops)).await?;
        Ok(())
    }
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
        let versions = VERSIONS.iter().map(|v| names(v)).collect();
        let db = settled(open_database(&ns.database_name(), versions)).await?;
        let cache = Self {
            db: db.unchecked_into(),
            deleted: Default::default(),
        };
        let ids: Vec<u64> = cache.all(DELETED).await?;
        *cache.deleted.borrow_mut() = crate::keyed::map_of(ids.into_iter().map(|id| (id, ())));
        Ok(cache)
    }

    /// Deletes the namespace's database (sign-out with "forget this device"). The browser
    /// completes it only once every open connection to that database is closed.
    pub async fn delete(ns: &Namespace) -> CacheResult<()> {
        settled(delete_database(&ns.database_name())).await?;
        Ok(())
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        store: &str,
        key: &str,
    ) -> CacheResult<Option<T>> {
        let value = self.get_stored(store, key).await?;
        (!value.is_undefined()).then(|| decode(value)).transpose()
    }

    /// What `store` holds under `key` (`undefined` if nothing): [`Self::get`]'s reading, which
    /// does not depend on the type.
    async fn get_stored(&self, store: &str, key: &str) -> CacheResult<JsValue> {
        settled(get(&self.db, store, key)).await
    }

    async fn put<T: serde::Serialize>(&self, store: &str, key: &str, value: &T) -> CacheResult<()> {
        let writes = Writes::new(&[store]);
        writes.put(store, key, value)?;
        writes.commit(self).await
    }

    /// Stores every `(key, value)` in one transaction, after emptying the store when `replace`.
    async fn put_each<'a, T: serde::Serialize + 'a>(
        &self,
        store: &str,
        items: impl Iterator<Item = (String, &'a T)>,
        replace: bool,
    ) -> CacheResult<()> {
        let writes = Writes::new(&[store]);
        if replace {
            writes.clear(store);
        }
        for (key, value) in items {
            writes.put(store, &key, value)?;
        }
        writes.commit(self).await
    }

    async fn all<T: serde::de::DeserializeOwned>(&self, store: &str) -> CacheResult<Vec<T>> {
        decode_all(self.all_stored(store).await?)
    }

    /// Every value of `store`: [`Self::all`]'s reading, which does not depend on the type.
    async fn all_stored(&self, store: &str) -> CacheResult<JsValue> {
        settled(get_all(&self.db, store, None, false, None, false, None)).await
    }
}

#[async_trait(?Send)]
impl Cache for IndexedDbCache {
    async fn cursor(&self) -> CacheResult<Seq> {
        Ok(self.get::<Seq>(META, CURSOR_KEY).await?.unwrap_or_default())
    }

    async fn set_cursor(&self, seq: Seq) -> CacheResult<()> {
        // Raised, never lowered: another tab may have moved it further meanwhile.
        let writes = Writes::new(&[META]);
        writes.raise(META, CURSOR_KEY, seq.0);
        writes.commit(self).await
    }

    async fn account(&self) -> CacheResult<u64> {
        Ok(self
            .get::<u64>(META, ACCOUNT_KEY)
            .await?
            .unwrap_or_default())
    }

    async fn reset(&self, account: u64) -> CacheResult<()> {
        let writes = Writes::new(&ALL_STORES);
        for store in ALL_STORES {
            writes.clear(store);
        }
        writes.put(META, ACCOUNT_KEY, &account)?;
        writes.commit(self).await?;
        self.deleted.borrow_mut().clear();
        Ok(())
    }

    async fn put_messages(&self, me: &UserId, messages: &[Message]) -> CacheResult<()> {
        let writes = Writes::new(&[MESSAGES]);
        {
            let deleted = self.deleted.borrow();
            for m in messages.iter().filter(|m| !deleted.contains_key(&m.key.id)) {
                writes.put(MESSAGES, &message_key(m.peer_of(me), m.key.id), m)?;
            }
        }
        writes.commit(self).await
    }

    async fn messages(
        &self,
        peer: &UserId,
        before: Option<MessageKey>,
        count: u32,
    ) -> CacheResult<Vec<Message>> {
        let lower = message_key(peer, 0);
        let upper = message_key(peer, before.map_or(u64::MAX, |k| k.id));
        let newest = last(&self.db, MESSAGES, &lower, &upper, before.is_some(), count);
        decode_all(settled(newest).await?)
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
            let (lower, lower_open) = match after.take() {
                Some(last) => (last, true),
                None => (peer.map_or_else(String::new, |p| message_key(p, 0)), false),
            };
            let batch = get_all(
                &self.db,
                MESSAGES,
                Some(lower),
                lower_open,
                upper.clone(),
                false,
                Some(SCAN_BATCH),
            );
            let batch = Array::from(&settled(batch).await?);
            let read = batch.length();
            for (i, value) in batch.iter().enumerate() {
                let take = wanted(&value);
                // The last one is decoded whatever it holds: the next batch starts after its key.
                if !take && i as u32 + 1 != read {
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
        let writes = Writes::new(&[MESSAGES, DELETED]);
        writes.delete(MESSAGES, &message_key(peer, key.id));
        writes.put(DELETED, &format!("{:020}", key.id), &key.id)?;
        writes.commit(self).await?;
        self.deleted.borrow_mut().insert(key.id, ());
        Ok(())
    }

    async fn clear_messages(&self) -> CacheResult<()> {
        let writes = Writes::new(&[MESSAGES]);
        writes.clear(MESSAGES);
        writes.commit(self).await
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
        self.put(OUTBOX, &outbox_key(&item.to, item.random), item)
            .await
    }

    async fn outbox_remove(&self, to: &UserId, random: u32) -> CacheResult<()> {
        let writes = Writes::new(&[OUTBOX]);
        writes.delete(OUTBOX, &outbox_key(to, random));
        writes.commit(self).await
    }

    async fn outbox(&self) -> CacheResult<Vec<OutboxItem>> {
        let mut list: Vec<OutboxItem> = self.all(OUTBOX).await?;
        list.sort_unstable_by(|a, b| {
            (a.created_ms, &a.to, a.random).cmp(&(b.created_ms, &b.to, b.random))
        });
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
        self.put(RELATIONS, relation_name(relation), &entries).await
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

    /// The newest messages (up to 5) cached in the conversation with `bob`.
    async fn bobs_messages(cache: &super::IndexedDbCache) -> Vec<protocol::Message> {
        use super::Cache;
        let bob = protocol::UserId::parse("bob").unwrap();
        cache.messages(&bob, None, 5).await.unwrap()
    }

    #[wasm_bindgen_test]
    async fn a_version_1_database_upgrades_in_place() {
        use super::*;
        let ns = Namespace {
            sdk_app_id: 1,
            user: UserId::parse("upgrade").unwrap(),
        };
        IndexedDbCache::delete(&ns).await.unwrap();
        // What version 1 of this cache created, with a cursor in it as version 1 stored it.
        let v1 = open_database(
            &ns.database_name(),
            [names(&STORES_V1)].into_iter().collect(),
        );
        let v1 = IndexedDbCache {
            db: settled(v1).await.unwrap().unchecked_into(),
            deleted: Default::default(),
        };
        let writes = Writes::new(&[META]);
        writes.op("put", META, CURSOR_KEY, &JsValue::from(7));
        writes.commit(&v1).await.unwrap();
        drop(v1);
        let cache = IndexedDbCache::open(&ns).await.unwrap();
        assert_eq!(
            cache.cursor().await.unwrap(),
            Seq(7),
            "kept across the upgrade"
        );
        // The number version 1 stored is compared as the JSON text stored since.
        cache.set_cursor(Seq(5)).await.unwrap();
        assert_eq!(cache.cursor().await.unwrap(), Seq(7), "never moves back");
        cache.set_cursor(Seq(9)).await.unwrap();
        assert_eq!(cache.cursor().await.unwrap(), Seq(9));
        let me = UserId::parse("me").unwrap();
        let m = crate::cache::conformance::msg(3, "bob", "me", "x");
        cache
            .put_messages(&me, std::slice::from_ref(&m))
            .await
            .unwrap();
        cache.delete_message(&m.from, m.key).await.unwrap();
        cache.put_messages(&me, &[m]).await.unwrap();
        assert!(bobs_messages(&cache).await.is_empty());
    }

    #[wasm_bindgen_test]
    async fn a_write_that_fails_stores_none_of_its_operations() {
        use super::*;
        let cache = open("atomic").await;
        let me = UserId::parse("me").unwrap();
        let m = crate::cache::conformance::msg(1, "bob", "me", "x");
        let writes = Writes::new(&[MESSAGES]);
        writes.put(MESSAGES, &message_key(&m.from, 1), &m).unwrap();
        // A store outside the transaction's: IndexedDB refuses the operation.
        writes.put(OUTBOX, "bob|1", &m).unwrap();
        let Err(error) = writes.commit(&cache).await else {
            panic!("the write should fail");
        };
        let error = error.reason();
        assert!(
            error.contains("NotFoundError"),
            "the browser's error: {error}"
        );
        assert!(bobs_messages(&cache).await.is_empty());
        cache.put_messages(&me, &[m]).await.unwrap();
        assert_eq!(bobs_messages(&cache).await.len(), 1);
    }

    /// As another tab would: deleting the database while this connection is open finishes
    /// (the connection closes rather than block it), and the closed connection then fails its
    /// requests, saying why, rather than hang.
    #[wasm_bindgen_test]
    async fn an_open_connection_gives_way_to_a_deletion() {
        use super::*;
        let cache = open("give-way").await;
        cache.set_cursor(Seq(3)).await.unwrap();
        let ns = Namespace {
            sdk_app_id: 1,
            user: UserId::parse("t-give-way").unwrap(),
        };
        IndexedDbCache::delete(&ns).await.unwrap();
        let Err(error) = cache.cursor().await else {
            panic!("a connection that gave way should fail");
        };
        let error = error.reason();
        assert!(
            error.starts_with("CacheClosedError: another tab")
                && error.ends_with("reload the page to use it again"),
            "{error}"
        );
        let reopened = IndexedDbCache::open(&ns).await.unwrap();
        assert_eq!(reopened.cursor().await.unwrap(), Seq(0), "deleted");
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
