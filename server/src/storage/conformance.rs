//! One behaviour suite for every [`Storage`] backend. `storage_conformance!(make)` expands to the
//! suite's tests for a backend, where `make(retention, listener)` opens a fresh store and
//! returns it with whatever must outlive it (a temp dir).

use super::*;
use protocol::element::TextElem;
use std::sync::Mutex;

/// Records the change feed.
#[derive(Default)]
pub(crate) struct Recorder(Mutex<Vec<(UserId, SyncEntry, Option<Origin>)>>);

impl CommitListener for Recorder {
    fn committed(&self, entries: &[Committed]) {
        let mut v = self.0.lock().unwrap();
        v.extend(
            entries
                .iter()
                .map(|c| (c.owner.clone(), (*c.entry).clone(), c.origin)),
        );
    }
}

impl Recorder {
    pub(crate) fn take(&self) -> Vec<(UserId, SyncEntry, Option<Origin>)> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

pub(crate) fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

pub(crate) fn text_msg(from: &str, to: &str, random: u32, text: &str, now_ms: u64) -> NewMessage {
    NewMessage {
        exact_time: false,
        from: uid(from),
        to: uid(to),
        random,
        elements: vec![Element::Text(TextElem { text: text.into() })],
        cloud_custom_data: None,
        need_read_receipt: false,
        client_time_s: now_ms / 1000 - 1,
        now_ms,
        origin: Some(Origin(9)),
        sync_sender: true,
        no_unread: false,
        no_last_msg: false,
        checks: SendChecks {
            blacklist: true,
            friends: false,
        },
        push: None,
    }
}

pub(crate) fn text_of(m: &Message) -> &str {
    match &m.elements[0] {
        Element::Text(t) => &t.text,
        other => panic!("not text: {other:?}"),
    }
}

pub(crate) const T0: u64 = 1_800_000_000_000;

macro_rules! storage_conformance {
    ($make:expr) => {
        use crate::storage::conformance::*;
        use crate::storage::*;
        use protocol::{RelationFields, Removal, SyncEvent};

        async fn open(retention: Retention) -> (Arc<dyn Storage>, Arc<Recorder>, Box<dyn std::any::Any>) {
            let rec = Arc::new(Recorder::default());
            let (store, guard) = $make(retention, rec.clone() as Arc<dyn CommitListener>);
            for u in ["alice", "bob", "carol"] {
                store.ensure_user(&uid(u), T0).await.unwrap();
            }
            (store, rec, guard)
        }

        async fn send(s: &Arc<dyn Storage>, from: &str, to: &str, random: u32, text: &str, now: u64) -> Sent {
            s.send(text_msg(from, to, random, text, now)).await.unwrap()
        }

        #[tokio::test]
        async fn ensure_user_is_idempotent() {
            let (s, _, _g) = open(Retention::default()).await;
            let a = s.ensure_user(&uid("dave"), T0).await.unwrap();
            assert_eq!(a.latest_seq, Seq(0));
            send(&s, "dave", "bob", 1, "hi", T0).await;
            let again = s.ensure_user(&uid("dave"), T0).await.unwrap();
            assert_eq!(again.latest_seq, Seq(1));
        }

        #[tokio::test]
        async fn accounts_page_in_id_order_with_their_newest_sequence() {
            let (s, _, _g) = open(Retention::default()).await;
            s.ensure_user(&uid("dave"), T0).await.unwrap();
            send(&s, "dave", "bob", 1, "hi", T0).await;
            let mut all = Vec::new();
            let mut from = None;
            loop {
                let mut page = s.accounts(from.as_ref(), 3).await.unwrap();
                assert!(page.len() <= 3);
                from = (page.len() == 3).then(|| page.pop().unwrap().id);
                all.extend(page);
                if from.is_none() {
                    break;
                }
            }
            let only = s.accounts(Some(&uid("dave")), 1).await.unwrap();
            assert_eq!(only[0].id, uid("dave"));
            let ids: Vec<&str> = all.iter().map(|a| a.id.as_str()).collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            assert_eq!(ids, sorted);
            assert!(ids.contains(&"alice") && ids.contains(&"bob") && ids.contains(&"dave"));
            let dave = all.iter().find(|a| a.id.as_str() == "dave").unwrap();
            assert_eq!(dave.latest_seq, Seq(1));
            assert_eq!(dave.created_ms, T0);
        }

        #[tokio::test]
        async fn unknown_recipient_is_refused() {
            let (s, rec, _g) = open(Retention::default()).await;
            let err = s.send(text_msg("alice", "nobody", 1, "hi", T0)).await.unwrap_err();
            assert!(matches!(err, StorageError::UnknownUser(u) if u.as_str() == "nobody"));
            assert!(rec.take().is_empty());
        }

        #[tokio::test]
        async fn a_message_lands_in_both_logs_and_the_feed() {
            let (s, rec, _g) = open(Retention::default()).await;
            let sent = send(&s, "alice", "bob", 7, "hello", T0).await;
            assert!(!sent.duplicate);
            assert_eq!(sent.sender_seq, Seq(1));
            assert_eq!(sent.message.key.random, 7);
            let feed = rec.take();
            assert_eq!(feed.len(), 2);
            assert_eq!((feed[0].0.as_str(), feed[0].2), ("bob", None));
            assert_eq!((feed[1].0.as_str(), feed[1].2), ("alice", Some(Origin(9))), "the sender's entry names its origin");
            for user in ["alice", "bob"] {
                let page = s.sync(&uid(user), Seq(0), 10, T0).await.unwrap();
                assert!(page.complete && !page.gap);
                assert_eq!(page.next, Seq(1));
                let SyncEvent::Message { message } = &page.entries[0].event else { panic!() };
                assert_eq!(message, &sent.message);
            }
        }

        #[tokio::test]
        async fn retry_is_stored_once() {
            let (s, rec, _g) = open(Retention::default()).await;
            let first = send(&s, "alice", "bob", 42, "once", T0).await;
            let retry = send(&s, "alice", "bob", 42, "once", T0 + 5).await;
            assert!(retry.duplicate);
            assert_eq!(retry.message, first.message);
            assert_eq!(retry.sender_seq, first.sender_seq);
            assert_eq!(rec.take().len(), 2);
            // Same random, different content: a different message.
            let other = send(&s, "alice", "bob", 42, "twice", T0).await;
            assert!(!other.duplicate);
            let page = s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 10), T0).await.unwrap();
            assert_eq!(page.messages.len(), 2);
        }

        /// Sends queued together (one batch, where the store batches), with retries among them
        /// and a recall between a send and its retry: each retry finds what it repeats as it
        /// is at that moment.
        #[tokio::test]
        async fn retries_queued_together_are_stored_once() {
            let (s, _, _g) = open(Retention::default()).await;
            let stored = send(&s, "alice", "bob", 7, "before", T0).await;
            let queued = [
                s.send(text_msg("alice", "bob", 1, "one", T0 + 1)),
                s.send(text_msg("alice", "bob", 1, "one", T0 + 2)),
                s.send(text_msg("alice", "bob", 7, "before", T0 + 3)),
                s.send(text_msg("alice", "bob", 1, "not the same", T0 + 4)),
            ];
            let recall = s.recall(stored.message.key, &uid("alice"), &uid("bob"), T0 + 5);
            let after_recall = s.send(text_msg("alice", "bob", 7, "before", T0 + 6));
            let mut results = Vec::new();
            for q in queued {
                results.push(q.await.unwrap());
            }
            recall.await.unwrap();
            assert!(!after_recall.await.unwrap().duplicate, "the recalled message no longer matches");
            let (first, retry, old_retry, other) = (&results[0], &results[1], &results[2], &results[3]);
            assert!(!first.duplicate && retry.duplicate && old_retry.duplicate && !other.duplicate);
            assert_eq!(retry.message, first.message);
            assert_eq!(old_retry.message, stored.message);
            assert_ne!(other.message.key, first.message.key);
            let page = s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 10), T0 + 10).await.unwrap();
            assert_eq!(page.messages.len(), 4, "before (recalled), one, not the same, and the send after the recall");
        }

        #[tokio::test]
        async fn sync_pages_in_order() {
            let (s, _, _g) = open(Retention::default()).await;
            for i in 0..5 {
                send(&s, "alice", "bob", i, &format!("m{i}"), T0 + i as u64).await;
            }
            let mut cursor = Seq(0);
            let mut texts = Vec::new();
            loop {
                let page = s.sync(&uid("bob"), cursor, 2, T0).await.unwrap();
                for e in &page.entries {
                    assert!(e.seq > cursor);
                    let SyncEvent::Message { message } = &e.event else { panic!() };
                    texts.push(text_of(message).to_owned());
                }
                cursor = page.next;
                if page.complete {
                    break;
                }
                assert_eq!(page.entries.len(), 2);
            }
            assert_eq!(texts, ["m0", "m1", "m2", "m3", "m4"]);
            assert_eq!(cursor, Seq(5));
            let empty = s.sync(&uid("bob"), cursor, 2, T0).await.unwrap();
            assert!(empty.complete && empty.entries.is_empty() && !empty.gap);
        }

        #[tokio::test]
        async fn history_pages_newest_first() {
            let (s, _, _g) = open(Retention::default()).await;
            for i in 0..5u32 {
                let (from, to) = if i % 2 == 0 { ("alice", "bob") } else { ("bob", "alice") };
                send(&s, from, to, i, &format!("m{i}"), T0 + i as u64).await;
            }
            send(&s, "alice", "carol", 9, "other chat", T0).await;
            let p1 = s.history(&uid("alice"), &uid("bob"), HistoryQuery::page(None, 3), T0).await.unwrap();
            let t1: Vec<_> = p1.messages.iter().map(text_of).collect();
            assert_eq!(t1, ["m4", "m3", "m2"]);
            assert!(!p1.complete);
            let before = p1.messages.last().unwrap().key;
            let p2 = s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(Some(before), 3), T0).await.unwrap();
            let t2: Vec<_> = p2.messages.iter().map(text_of).collect();
            assert_eq!(t2, ["m1", "m0"]);
            assert!(p2.complete);
            let none = s.history(&uid("bob"), &uid("carol"), HistoryQuery::page(None, 3), T0).await.unwrap();
            assert!(none.messages.is_empty() && none.complete);
        }

        #[tokio::test]
        async fn conversations_track_unread_and_read() {
            let (s, rec, _g) = open(Retention::default()).await;
            send(&s, "alice", "bob", 1, "a1", T0).await;
            send(&s, "carol", "bob", 2, "c1", T0 + 1).await;
            let last = send(&s, "alice", "bob", 3, "a2", T0 + 2).await;
            let convs = s.conversations(&uid("bob"), T0).await.unwrap();
            let peers: Vec<_> = convs.iter().map(|c| (c.peer.as_str(), c.unread)).collect();
            assert_eq!(peers, [("alice", 2), ("carol", 1)]);
            assert_eq!(convs[0].last_message.as_ref().unwrap(), &last.message);
            let mine = s.conversations(&uid("alice"), T0).await.unwrap();
            assert_eq!(mine[0].unread, 0, "own messages are not unread");
            rec.take();
            let seq = s.mark_read(&uid("bob"), &uid("alice"), T0 + 3, Some(Origin(4))).await.unwrap();
            let convs = s.conversations(&uid("bob"), T0).await.unwrap();
            assert_eq!(convs.iter().find(|c| c.peer.as_str() == "alice").unwrap().unread, 0);
            assert_eq!(convs.iter().find(|c| c.peer.as_str() == "carol").unwrap().unread, 1);
            let feed = rec.take();
            assert_eq!(feed.len(), 2, "bob's devices and alice's (read receipt)");
            let of = |user: &str| feed.iter().find(|f| f.0.as_str() == user).unwrap();
            let bob = of("bob");
            assert_eq!((bob.1.seq, bob.2), (seq, Some(Origin(4))));
            assert_eq!(bob.1.event, SyncEvent::Read { peer: uid("alice"), up_to: Some(last.message.key) });
            let alice = of("alice");
            assert_eq!(alice.1.event, SyncEvent::PeerRead { peer: uid("bob"), up_to: last.message.key });
            assert_eq!(alice.2, None, "every device of alice hears of it");
            let page = s.sync(&uid("bob"), Seq(3), 10, T0).await.unwrap();
            assert_eq!(page.entries, vec![bob.1.clone()]);
            let mine = s.conversations(&uid("alice"), T0).await.unwrap();
            assert_eq!(mine[0].peer_read_up_to, last.message.key.id);
            let reply = send(&s, "bob", "alice", 4, "b1", T0 + 4).await;
            let theirs = s.conversations(&uid("bob"), T0).await.unwrap();
            let with_alice = theirs.iter().find(|c| c.peer.as_str() == "alice").unwrap();
            assert!(with_alice.peer_read_up_to < reply.message.key.id, "alice has not read b1 yet");
        }

        #[tokio::test]
        async fn contacts_are_capped_least_recent_first() {
            let retention = Retention { contacts_cap: 3, ..Retention::default() };
            let (s, _, _g) = open(retention).await;
            for (i, peer) in ["p1", "p2", "p3", "p4"].iter().enumerate() {
                s.ensure_user(&uid(peer), T0).await.unwrap();
                send(&s, peer, "alice", i as u32, "hi", T0 + i as u64).await;
                if i == 2 {
                    // p1 speaks again and so becomes more recent than p2.
                    send(&s, "p1", "alice", 99, "again", T0 + 3).await;
                }
            }
            let peers: Vec<_> = s.conversations(&uid("alice"), T0).await.unwrap().into_iter().map(|c| c.peer.to_string()).collect();
            assert_eq!(peers, ["p4", "p1", "p3"]);
            // p2 comes back: its conversation starts afresh, with only the new message unread.
            send(&s, "p2", "alice", 100, "back", T0 + 10).await;
            let convs = s.conversations(&uid("alice"), T0).await.unwrap();
            let peers: Vec<_> = convs.iter().map(|c| (c.peer.as_str(), c.unread)).collect();
            assert_eq!(peers, [("p2", 1), ("p4", 1), ("p1", 2)]);
        }

        #[tokio::test]
        async fn offline_cache_overflow_leaves_history_whole() {
            // Room for about three short messages.
            let retention = Retention { offline_bytes: 150, ..Retention::default() };
            let (s, _, _g) = open(retention).await;
            for i in 0..10u32 {
                send(&s, "alice", "bob", i, &format!("message {i}"), T0 + i as u64).await;
            }
            let page = s.sync(&uid("bob"), Seq(0), 100, T0).await.unwrap();
            assert!(page.gap, "entries were dropped, so the client must be told");
            assert!(page.complete);
            assert!(!page.entries.is_empty() && page.entries.len() < 10);
            let SyncEvent::Message { message } = &page.entries.last().unwrap().event else { panic!() };
            assert_eq!(text_of(message), "message 9");
            let history = s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 100), T0).await.unwrap();
            assert_eq!(history.messages.len(), 10);
            assert!(history.complete);
            // One message larger than the whole cache still stays as the newest entry.
            let huge = "h".repeat(400);
            send(&s, "carol", "bob", 1, &huge, T0 + 20).await;
            let page = s.sync(&uid("bob"), Seq(5), 100, T0).await.unwrap();
            assert_eq!(page.entries.len(), 1);
            assert!(page.gap);
            // A client that is up to date sees no gap.
            let page = s.sync(&uid("bob"), Seq(10), 100, T0).await.unwrap();
            assert!(!page.gap);
            assert_eq!(page.entries.len(), 1);
        }

        #[tokio::test]
        async fn expiry_follows_the_clock() {
            let (s, _, _g) = open(Retention::default()).await;
            send(&s, "alice", "bob", 1, "old", T0).await;
            let day = DAY_MS;
            send(&s, "alice", "bob", 2, "new", T0 + 6 * day).await;
            let later = T0 + 7 * day + 1;
            let page = s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 10), later).await.unwrap();
            assert_eq!(page.messages.iter().map(text_of).collect::<Vec<_>>(), ["new"]);
            let sync = s.sync(&uid("bob"), Seq(0), 10, later).await.unwrap();
            assert_eq!(sync.entries.len(), 1);
            assert!(sync.gap);
            let expired = s.expire(later).await.unwrap();
            assert_eq!(expired, Expired { messages: 1, sync_entries: 2 });
            assert_eq!(s.expire(later).await.unwrap(), Expired::default());
            // Sequences keep growing after an expiry pass.
            let next = send(&s, "alice", "bob", 3, "after", later).await;
            assert_eq!(next.sender_seq, Seq(3));
            let much_later = later + 8 * day;
            let convs = s.conversations(&uid("bob"), much_later).await.unwrap();
            assert_eq!(convs.len(), 1, "recent contacts outlive their messages");
            assert!(convs[0].last_message.is_none());
            assert_eq!(convs[0].unread, 0);
            // Even a log emptied by expiry keeps counting from where it was.
            s.expire(much_later).await.unwrap();
            let empty = s.sync(&uid("bob"), Seq(0), 10, much_later).await.unwrap();
            assert_eq!((empty.entries.len(), empty.next, empty.gap), (0, Seq(3), true));
            assert_eq!(s.ensure_user(&uid("bob"), much_later).await.unwrap().latest_seq, Seq(3));
            let next = send(&s, "alice", "bob", 4, "fresh", much_later).await;
            assert_eq!(next.sender_seq, Seq(4));
        }

        #[tokio::test]
        async fn message_time_never_goes_back() {
            let (s, _, _g) = open(Retention::default()).await;
            let a = send(&s, "alice", "bob", 1, "a", T0 + 1000).await;
            let b = send(&s, "alice", "bob", 2, "b", T0).await;
            assert!(b.message.time_ms >= a.message.time_ms);
            assert!(b.message.key.id > a.message.key.id);
        }

        #[tokio::test]
        async fn closed_store_refuses_writes() {
            let (s, _, _g) = open(Retention::default()).await;
            s.close().await;
            let err = s.send(text_msg("alice", "bob", 1, "late", T0)).await.unwrap_err();
            assert!(matches!(err, StorageError::Closed));
        }

        fn friends() -> Relation {
            Relation::Friend
        }

        #[tokio::test]
        async fn a_friendship_made_both_ways_keeps_each_sides_fields() {
            let (s, rec, _g) = open(Retention::default()).await;
            let named = |remark: &str| RelationFields { remark: remark.into(), ..RelationFields::default() };
            let change = RelationChange {
                relation: Relation::Friend,
                owner: uid("alice"),
                peers: vec![uid("bob")],
                add: true,
                both_ways: true,
                existing_only: false,
                fields: named("Bob").to_tags(),
                peer_fields: named("Alice").to_tags(),
                now_ms: T0,
                origin: None,
            };
            assert!(s.change_relations(change).await.unwrap()[0].is_ok());
            assert_eq!(s.relations(Relation::Friend, &uid("alice")).await.unwrap()[0].fields, named("Bob"));
            assert_eq!(s.relations(Relation::Friend, &uid("bob")).await.unwrap()[0].fields, named("Alice"));
            let mut feed: Vec<_> = rec.take().into_iter().map(|(u, e, _)| (u.to_string(), e.event)).collect();
            feed.sort_by(|a, b| a.0.cmp(&b.0));
            let entry = |peer: &str, fields| SyncEvent::Relations { relation: Relation::Friend, added: vec![uid(peer)], removed: vec![], fields };
            assert_eq!(feed, [("alice".to_owned(), entry("bob", named("Bob"))), ("bob".to_owned(), entry("alice", named("Alice")))]);
        }

        async fn relate(s: &Arc<dyn Storage>, relation: Relation, owner: &str, peers: &[&str], add: bool, both: bool) -> Vec<StorageResult<()>> {
            let change = RelationChange {
                relation,
                owner: uid(owner),
                peers: peers.iter().map(|p| uid(p)).collect(),
                add,
                both_ways: both,
                existing_only: false,
                fields: Vec::new(),
                peer_fields: Vec::new(),
                now_ms: T0,
                origin: None,
            };
            s.change_relations(change).await.unwrap()
        }

        #[tokio::test]
        async fn an_imported_message_keeps_its_second_or_is_refused() {
            let (s, _, _g) = open(Retention::default()).await;
            let imported = |random, now_ms| NewMessage { exact_time: true, ..text_msg("alice", "bob", random, "old", now_ms) };
            let sent = s.send(imported(1, T0 + 5_400)).await.unwrap();
            assert_eq!(sent.message.time_ms, T0 + 5_400);
            // Within the same second it is kept in order; before it, refused.
            assert_eq!(s.send(imported(2, T0 + 5_100)).await.unwrap().message.time_ms, T0 + 5_400);
            assert!(matches!(s.send(imported(3, T0 + 4_999)).await, Err(StorageError::OutOfOrder { newest_ms }) if newest_ms == T0 + 5_400));
            // A plain send with a clock behind is moved up, not refused.
            assert_eq!(send(&s, "alice", "bob", 4, "now", T0).await.message.time_ms, T0 + 5_400);
        }

        #[tokio::test]
        async fn a_deleted_conversation_leaves_the_list_until_a_newer_message() {
            let (s, rec, _g) = open(Retention::default()).await;
            send(&s, "alice", "bob", 1, "one", T0).await;
            send(&s, "alice", "bob", 2, "two", T0).await;
            let listed = |s: Arc<dyn Storage>, user: &'static str| async move {
                s.conversations(&uid(user), T0).await.unwrap().into_iter().map(|c| (c.peer.to_string(), c.unread)).collect::<Vec<_>>()
            };
            assert_eq!(listed(s.clone(), "bob").await, [("alice".to_owned(), 2)]);
            rec.take();
            let seq = s.delete_conversation(&uid("bob"), &uid("alice"), Removal::Conversation { history: false }, T0, None).await.unwrap();
            let feed = rec.take();
            assert_eq!(feed.len(), 1);
            assert_eq!((feed[0].1.seq, &feed[0].1.event), (seq, &SyncEvent::ConversationDeleted { peer: uid("alice"), history: false }));
            assert!(listed(s.clone(), "bob").await.is_empty());
            assert_eq!(listed(s.clone(), "alice").await, [("bob".to_owned(), 0)], "the peer keeps its conversation");
            let page = |s: Arc<dyn Storage>, owner: &'static str, peer: &'static str| async move {
                s.history(&uid(owner), &uid(peer), HistoryQuery::page(None, 10), T0).await.unwrap().messages.len()
            };
            assert_eq!(page(s.clone(), "bob", "alice").await, 2, "without history, the messages stay");
            // A newer message brings it back, counting only itself unread.
            send(&s, "alice", "bob", 3, "three", T0).await;
            assert_eq!(listed(s.clone(), "bob").await, [("alice".to_owned(), 1)]);
            s.delete_conversation(&uid("bob"), &uid("alice"), Removal::Conversation { history: true }, T0, None).await.unwrap();
            assert!(listed(s.clone(), "bob").await.is_empty());
            assert_eq!(page(s.clone(), "bob", "alice").await, 0, "with history, the messages go");
            assert_eq!(page(s.clone(), "alice", "bob").await, 3, "from the deleting user's history only");
            // Deleting a conversation never had is harmless.
            assert!(s.delete_conversation(&uid("bob"), &uid("carol"), Removal::History, T0, None).await.is_ok());
            assert!(matches!(
                s.delete_conversation(&uid("nobody"), &uid("carol"), Removal::History, T0, None).await,
                Err(StorageError::UnknownUser(_))
            ));
        }

        #[tokio::test]
        async fn a_cleared_history_leaves_the_conversation_listed_and_empty() {
            let (s, rec, _g) = open(Retention::default()).await;
            send(&s, "alice", "bob", 1, "one", T0).await;
            send(&s, "bob", "alice", 2, "two", T0).await;
            send(&s, "alice", "bob", 3, "three", T0).await;
            let listed = |s: Arc<dyn Storage>, user: &'static str| async move {
                let list = s.conversations(&uid(user), T0).await.unwrap();
                list.into_iter().map(|c| (c.peer.to_string(), c.unread, c.last_message.map(|m| m.key.random))).collect::<Vec<_>>()
            };
            let page = |s: Arc<dyn Storage>, owner: &'static str, peer: &'static str| async move {
                s.history(&uid(owner), &uid(peer), HistoryQuery::page(None, 10), T0).await.unwrap().messages.len()
            };
            assert_eq!(listed(s.clone(), "bob").await, [("alice".to_owned(), 2, Some(3))]);
            rec.take();
            let seq = s.delete_conversation(&uid("bob"), &uid("alice"), Removal::History, T0, None).await.unwrap();
            let feed = rec.take();
            assert_eq!(feed.len(), 1);
            assert_eq!((feed[0].1.seq, &feed[0].1.event), (seq, &SyncEvent::HistoryCleared { peer: uid("alice") }));
            assert_eq!(listed(s.clone(), "bob").await, [("alice".to_owned(), 0, None)], "listed, empty, nothing unread");
            assert_eq!(page(s.clone(), "bob", "alice").await, 0);
            assert_eq!(listed(s.clone(), "alice").await, [("bob".to_owned(), 1, Some(3))], "the peer keeps its conversation, unread as it was");
            assert_eq!(page(s.clone(), "alice", "bob").await, 3, "and its history");
            // A newer message is the conversation's history from then on.
            send(&s, "alice", "bob", 4, "four", T0).await;
            assert_eq!(listed(s.clone(), "bob").await, [("alice".to_owned(), 1, Some(4))]);
            assert_eq!(page(s.clone(), "bob", "alice").await, 1);

            // Deleted without its history, then cleared: still out of the list, the history gone.
            s.delete_conversation(&uid("bob"), &uid("alice"), Removal::Conversation { history: false }, T0, None).await.unwrap();
            s.delete_conversation(&uid("bob"), &uid("alice"), Removal::History, T0, None).await.unwrap();
            assert!(listed(s.clone(), "bob").await.is_empty());
            assert_eq!(page(s.clone(), "bob", "alice").await, 0);
            // Deleted, back with a newer message, then cleared: it stays listed, emptied.
            send(&s, "alice", "bob", 5, "five", T0).await;
            assert_eq!(listed(s.clone(), "bob").await, [("alice".to_owned(), 1, Some(5))]);
            s.delete_conversation(&uid("bob"), &uid("alice"), Removal::History, T0, None).await.unwrap();
            assert_eq!(listed(s.clone(), "bob").await, [("alice".to_owned(), 0, None)]);
            send(&s, "alice", "bob", 6, "six", T0).await;
            assert_eq!(listed(s.clone(), "bob").await, [("alice".to_owned(), 1, Some(6))], "unread counts from the clearing on");
        }

        #[tokio::test]
        async fn an_application_is_listed_on_both_sides_with_its_fields() {
            let (s, rec, _g) = open(Retention::default()).await;
            let wording = RelationFields { wording: "hi, it's alice".into(), source: "AddSource_Type_Web".into(), ..RelationFields::default() };
            // The remark alice gives bob stays on her side.
            let asked = RelationFields { remark: "Bob from the club".into(), ..wording.clone() };
            let apply = RelationChange {
                relation: Relation::ApplicationSent,
                owner: uid("alice"),
                peers: vec![uid("bob")],
                add: true,
                both_ways: true,
                existing_only: false,
                fields: asked.to_tags(),
                peer_fields: Vec::new(),
                now_ms: T0,
                origin: None,
            };
            assert!(s.change_relations(apply.clone()).await.unwrap()[0].is_ok());
            let sent = s.relations(Relation::ApplicationSent, &uid("alice")).await.unwrap();
            let received = s.relations(Relation::ApplicationReceived, &uid("bob")).await.unwrap();
            assert_eq!((sent[0].user_id.as_str(), &sent[0].fields), ("bob", &asked));
            assert_eq!((received[0].user_id.as_str(), &received[0].fields), ("alice", &wording));
            let feed: Vec<_> = rec.take().into_iter().map(|(u, e, _)| (u.to_string(), e.event)).collect();
            assert_eq!(feed[1], ("bob".to_owned(), SyncEvent::Relations { relation: Relation::ApplicationReceived, added: vec![uid("alice")], removed: vec![], fields: wording.clone() }));
            assert!(s.relations(Relation::Friend, &uid("alice")).await.unwrap().is_empty(), "an application is no friendship");

            // An update changes only what is listed, and says so to the owner's devices.
            let remark = RelationFields { remark: "Bob B.".into(), ..RelationFields::default() };
            let update = RelationChange { relation: Relation::Friend, existing_only: true, fields: remark.to_tags(), ..apply.clone() };
            assert!(matches!(s.change_relations(update.clone()).await.unwrap()[0], Err(StorageError::NotListed)));
            assert!(s.relations(Relation::Friend, &uid("alice")).await.unwrap().is_empty(), "an update adds nothing");
            relate(&s, Relation::Friend, "alice", &["bob"], true, true).await;
            rec.take();
            assert!(s.change_relations(RelationChange { both_ways: false, ..update.clone() }).await.unwrap()[0].is_ok());
            assert_eq!(s.relations(Relation::Friend, &uid("alice")).await.unwrap()[0].fields, remark);
            assert!(s.relations(Relation::Friend, &uid("bob")).await.unwrap()[0].fields.is_empty(), "a remark is its owner's");
            let feed = rec.take();
            assert_eq!(feed.len(), 1);
            assert_eq!(feed[0].1.event, SyncEvent::Relations { relation: Relation::Friend, added: vec![uid("bob")], removed: vec![], fields: remark.clone() });
            // The entry says what the entry now carries: an update of another tag keeps the
            // remark in it, and clearing the remark says it is gone.
            let custom = vec![("Tag_SNS_Custom_Team".to_owned(), "\"red\"".to_owned())];
            let one_way = RelationChange { both_ways: false, ..update };
            s.change_relations(RelationChange { fields: custom, ..one_way.clone() }).await.unwrap();
            let cleared = vec![(RelationFields::REMARK_TAG.to_owned(), "\"\"".to_owned())];
            s.change_relations(RelationChange { fields: cleared, ..one_way }).await.unwrap();
            let fields: Vec<_> = rec.take().into_iter().map(|(_, e, _)| match e.event {
                SyncEvent::Relations { fields, .. } => fields,
                other => panic!("{other:?}"),
            }).collect();
            assert_eq!(fields, [remark, RelationFields::default()]);

            // Removing it from one side removes it from both.
            let close = RelationChange { relation: Relation::ApplicationReceived, owner: uid("bob"), peers: vec![uid("alice")], add: false, fields: Vec::new(), ..apply };
            assert!(s.change_relations(close).await.unwrap()[0].is_ok());
            assert!(s.relations(Relation::ApplicationSent, &uid("alice")).await.unwrap().is_empty());
            assert!(s.relations(Relation::ApplicationReceived, &uid("bob")).await.unwrap().is_empty());
        }

        #[tokio::test]
        async fn reading_the_applications_keeps_the_time_and_tells_the_owners_devices() {
            let (s, rec, _g) = open(Retention::default()).await;
            s.ensure_user(&uid("bob"), T0).await.unwrap();
            rec.take();
            let seq = s.mark_applications_read(&uid("bob"), T0 + 5, None).await.unwrap();
            let feed = rec.take();
            assert_eq!(feed.len(), 1);
            assert_eq!((feed[0].0.as_str(), feed[0].1.seq, &feed[0].1.event), ("bob", seq, &SyncEvent::ApplicationsRead));
            let tags = s.profile_tags(&[uid("bob")]).await.unwrap();
            assert!(tags.contains(&(uid("bob"), APPLICATIONS_READ_TAG.to_owned(), (T0 + 5).to_string())), "{tags:?}");
            let later = s.mark_applications_read(&uid("bob"), T0 + 9, None).await.unwrap();
            assert!(later > seq);
            let tags = s.profile_tags(&[uid("bob")]).await.unwrap();
            assert_eq!(tags.iter().filter(|(_, t, _)| t == APPLICATIONS_READ_TAG).count(), 1, "one mark, the latest");
            assert!(matches!(s.mark_applications_read(&uid("nobody"), T0, None).await, Err(StorageError::UnknownUser(_))));
        }

        #[tokio::test]
        async fn the_blacklist_refuses_and_stores_nothing() {
            let (s, rec, _g) = open(Retention::default()).await;
            let r = relate(&s, Relation::Blacklist, "bob", &["alice", "nobody"], true, false).await;
            assert!(r[0].is_ok());
            assert!(matches!(&r[1], Err(StorageError::UnknownUser(u)) if u.as_str() == "nobody"));
            let feed = rec.take();
            assert_eq!(feed.len(), 1);
            assert_eq!(
                feed[0].1.event,
                SyncEvent::Relations { relation: Relation::Blacklist, added: vec![uid("alice")], removed: vec![], fields: RelationFields::default() }
            );
            let err = s.send(text_msg("alice", "bob", 1, "hi", T0)).await.unwrap_err();
            assert!(matches!(err, StorageError::Blocked));
            assert!(rec.take().is_empty());
            assert!(s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 10), T0).await.unwrap().messages.is_empty());
            assert!(s.conversations(&uid("bob"), T0).await.unwrap().is_empty());
            // Blocking is one way: bob can still write to alice.
            send(&s, "bob", "alice", 2, "you cannot answer", T0).await;
            // Without the check (the administrator's sends), it goes through.
            let mut unchecked = text_msg("alice", "bob", 3, "from the backend", T0);
            unchecked.checks = SendChecks::default();
            assert!(s.send(unchecked).await.is_ok());
            relate(&s, Relation::Blacklist, "bob", &["alice"], false, false).await;
            assert!(s.send(text_msg("alice", "bob", 4, "unblocked", T0)).await.is_ok());
            assert!(s.relations(Relation::Blacklist, &uid("bob")).await.unwrap().is_empty());
        }

        #[tokio::test]
        async fn friendship_is_mutual_when_both_ways() {
            let (s, rec, _g) = open(Retention::default()).await;
            let mut needs_friends = text_msg("alice", "bob", 1, "hi", T0);
            needs_friends.checks.friends = true;
            assert!(matches!(s.send(needs_friends.clone()).await.unwrap_err(), StorageError::NotFriends));
            relate(&s, friends(), "alice", &["bob"], true, false).await;
            assert!(matches!(s.send(needs_friends.clone()).await.unwrap_err(), StorageError::NotFriends), "one way is not enough");
            assert_eq!(s.check_relations(friends(), &uid("alice"), &[uid("bob"), uid("carol")]).await.unwrap(), [(true, false), (false, false)]);
            rec.take();
            relate(&s, friends(), "alice", &["bob", "carol"], true, true).await;
            let owners: Vec<_> = rec.take().into_iter().map(|(u, _, _)| u.to_string()).collect();
            assert_eq!(owners, ["bob", "alice", "carol"], "bob gains alice, alice gains carol, carol gains alice");
            assert!(s.send(needs_friends).await.is_ok());
            let list: Vec<_> = s.relations(friends(), &uid("alice")).await.unwrap().into_iter().map(|e| e.user_id.to_string()).collect();
            assert_eq!(list, ["bob", "carol"]);
            relate(&s, friends(), "bob", &["alice"], false, true).await;
            assert_eq!(s.check_relations(friends(), &uid("alice"), &[uid("bob")]).await.unwrap(), [(false, false)]);
        }

        #[tokio::test]
        async fn messages_carry_the_profile_they_were_sent_with() {
            let (s, rec, _g) = open(Retention::default()).await;
            let update = |nick: &str| ProfileUpdate { nick: Some(nick.into()), avatar: Some(format!("https://x/{nick}.png")) };
            s.upsert_profile(&uid("alice"), update("Alice"), false, T0, None).await.unwrap();
            assert_eq!(rec.take()[0].1.event, SyncEvent::Profile { nick: "Alice".into(), avatar: "https://x/Alice.png".into() });
            let first = send(&s, "alice", "bob", 1, "one", T0).await;
            s.upsert_profile(&uid("alice"), update("Alicia"), false, T0, None).await.unwrap();
            let second = send(&s, "alice", "bob", 2, "two", T0).await;
            assert_eq!((first.message.nick.as_str(), first.message.avatar.as_str()), ("Alice", "https://x/Alice.png"));
            assert_eq!(second.message.nick, "Alicia");
            let history = s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 10), T0).await.unwrap();
            assert_eq!(history.messages[1].nick, "Alice", "stored with the old nickname");
            let partial = ProfileUpdate { nick: None, avatar: Some(String::new()) };
            let account = s.upsert_profile(&uid("alice"), partial, false, T0, None).await.unwrap();
            assert_eq!((account.nick.as_str(), account.avatar.as_str()), ("Alicia", ""));
            assert!(matches!(
                s.upsert_profile(&uid("zed"), update("Zed"), false, T0, None).await,
                Err(StorageError::UnknownUser(_))
            ));
            s.upsert_profile(&uid("zed"), update("Zed"), true, T0, None).await.unwrap();
            let profiles = s.profiles(&[uid("zed"), uid("ghost"), uid("bob")]).await.unwrap();
            let names: Vec<_> = profiles.iter().map(|p| (p.user_id.as_str(), p.nick.as_str())).collect();
            assert_eq!(names, [("zed", "Zed"), ("bob", "")]);
        }

        #[tokio::test]
        async fn recall_marks_the_message_and_tells_both_sides() {
            let (s, rec, _g) = open(Retention::default()).await;
            let sent = send(&s, "alice", "bob", 1, "oops", T0).await;
            rec.take();
            assert!(
                matches!(s.recall(sent.message.key, &uid("bob"), &uid("alice"), T0).await, Err(StorageError::MessageNotFound)),
                "the parties must match"
            );
            let recalled = s.recall(sent.message.key, &uid("alice"), &uid("bob"), T0).await.unwrap();
            assert!(recalled.recalled && recalled.elements.is_empty());
            let feed = rec.take();
            let owners: Vec<_> = feed.iter().map(|(u, e, _)| (u.to_string(), e.event.clone())).collect();
            assert_eq!(
                owners,
                [
                    ("alice".to_owned(), SyncEvent::Recalled { peer: uid("bob"), key: sent.message.key }),
                    ("bob".to_owned(), SyncEvent::Recalled { peer: uid("alice"), key: sent.message.key }),
                ]
            );
            let (a, b) = (uid("alice"), uid("bob"));
            assert!(matches!(s.recall(sent.message.key, &a, &b, T0).await, Err(StorageError::AlreadyRecalled)));
            let mut wrong = sent.message.key;
            wrong.random += 1;
            assert!(matches!(s.recall(wrong, &a, &b, T0).await, Err(StorageError::MessageNotFound)));
            let history = s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 10), T0).await.unwrap();
            assert!(history.messages[0].recalled);
            let convs = s.conversations(&uid("bob"), T0).await.unwrap();
            assert_eq!(convs[0].unread, 0, "a recalled message is not unread");
            let later = T0 + 8 * DAY_MS;
            let old = send(&s, "alice", "bob", 2, "old", T0).await;
            assert!(matches!(s.recall(old.message.key, &a, &b, later).await, Err(StorageError::MessageNotFound)));
        }

        #[tokio::test]
        async fn an_edit_reaches_both_logs_and_history_keeps_the_newest_version() {
            let (s, rec, _g) = open(Retention::default()).await;
            let sent = send(&s, "alice", "bob", 1, "helo", T0).await;
            rec.take();
            let edit = |editor: &str, peer: &str, version: u32, text: Option<&str>, data: Option<&str>| MessageEdit {
                key: sent.message.key,
                editor: uid(editor),
                peer: uid(peer),
                admin: false,
                change: EditChange::Content {
                    base_version: version,
                    elements: text.map(|t| vec![Element::Text(protocol::element::TextElem { text: t.into() })]),
                    cloud_custom_data: data.map(str::to_owned),
                },
                now_ms: T0 + 5_000,
            };
            let edited = s.edit(edit("alice", "bob", 0, Some("hello"), None)).await.unwrap();
            assert_eq!((text_of(&edited), edited.version, edited.edited_ms), ("hello", 1, T0 + 5_000));
            let feed = rec.take();
            let owners: Vec<_> = feed.iter().map(|(u, e, o)| (u.as_str(), e.event.clone(), *o)).collect();
            let event = SyncEvent::Edited { message: edited.clone() };
            assert_eq!(owners, [("alice", event.clone(), None), ("bob", event, None)]);
            // A second edit from the old version changes nothing.
            let stale = s.edit(edit("alice", "bob", 0, Some("hullo"), None)).await;
            assert!(matches!(stale, Err(StorageError::EditConflict { version: 1 })));
            assert!(rec.take().is_empty());
            // The recipient may set custom data, not the words.
            let words = s.edit(edit("bob", "alice", 1, Some("mine now"), None)).await;
            assert!(matches!(words, Err(StorageError::NotEditable(_))));
            let data = s.edit(edit("bob", "alice", 1, None, Some("{\"reply\":1}"))).await.unwrap();
            assert_eq!((data.version, data.cloud_custom_data.as_deref()), (2, Some("{\"reply\":1}")));
            assert!(matches!(s.edit(edit("carol", "bob", 2, None, Some("x"))).await, Err(StorageError::MessageNotFound)));
            // Sync and history read the newest version, in every entry that names the message.
            let history = s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 10), T0 + 6_000).await.unwrap();
            assert_eq!(history.messages, std::slice::from_ref(&data));
            let page = s.sync(&uid("bob"), Seq(0), 10, T0 + 6_000).await.unwrap();
            let events: Vec<_> = page.entries.iter().map(|e| e.event.clone()).collect();
            assert_eq!(
                events,
                [
                    SyncEvent::Message { message: data.clone() },
                    SyncEvent::Edited { message: data.clone() },
                    SyncEvent::Edited { message: data.clone() },
                ]
            );
            // Once recalled, the log holds no edited words, and nothing more is edited.
            s.recall(sent.message.key, &uid("alice"), &uid("bob"), T0 + 7_000).await.unwrap();
            let page = s.sync(&uid("alice"), Seq(0), 10, T0 + 7_000).await.unwrap();
            assert!(page.entries.iter().all(|e| match &e.event {
                SyncEvent::Message { message } | SyncEvent::Edited { message } => message.recalled && message.elements.is_empty(),
                _ => true,
            }));
            assert!(matches!(s.edit(edit("alice", "bob", 2, Some("x"), None)).await, Err(StorageError::AlreadyRecalled)));
            // The backend edits whatever the version, naming sender then recipient.
            let other = send(&s, "alice", "bob", 2, "draft", T0).await;
            let admin = MessageEdit { key: other.message.key, admin: true, ..edit("alice", "bob", 7, Some("final"), None) };
            assert_eq!(text_of(&s.edit(admin.clone()).await.unwrap()), "final");
            let reversed = MessageEdit { editor: uid("bob"), peer: uid("alice"), ..admin };
            assert!(matches!(s.edit(reversed).await, Err(StorageError::MessageNotFound)));
        }

        #[tokio::test]
        async fn reactions_reach_both_logs_and_stay_with_the_message() {
            let (s, rec, _g) = open(Retention::default()).await;
            let sent = send(&s, "alice", "bob", 1, "lunch?", T0).await;
            rec.take();
            let react = |user: &str, peer: &str, id: &str, add: bool| MessageEdit {
                key: sent.message.key,
                editor: uid(user),
                peer: uid(peer),
                admin: false,
                change: EditChange::Reaction { id: id.into(), add },
                now_ms: T0 + 1_000,
            };
            s.edit(react("bob", "alice", "👍", true)).await.unwrap();
            let both = s.edit(react("alice", "bob", "👍", true)).await.unwrap();
            assert_eq!(both.reactions[0].users, vec![uid("bob"), uid("alice")]);
            assert_eq!(both.version, 0, "a reaction is not an edit");
            let feed = rec.take();
            let event = SyncEvent::Reacted { message: both.clone() };
            let last: Vec<_> = feed[2..].iter().map(|(u, e, _)| (u.as_str(), e.event.clone())).collect();
            assert_eq!(last, [("alice", event.clone()), ("bob", event)]);
            let again = s.edit(react("bob", "alice", "👍", true)).await;
            assert!(matches!(again, Err(StorageError::Reaction(protocol::ErrorCode::REACTION_EXISTS))));
            let none = s.edit(react("bob", "alice", "🎉", false)).await;
            assert!(matches!(none, Err(StorageError::Reaction(protocol::ErrorCode::REACTION_NOT_FOUND))));
            let after = s.edit(react("bob", "alice", "👍", false)).await.unwrap();
            assert_eq!(after.reactions[0].users, vec![uid("alice")]);
            // History and every log entry that names the message read it as it is now.
            let history = s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 10), T0 + 2_000).await.unwrap();
            assert_eq!(history.messages, std::slice::from_ref(&after));
            let page = s.sync(&uid("bob"), Seq(0), 10, T0 + 2_000).await.unwrap();
            let kinds: Vec<_> = page.entries.iter().map(|e| match &e.event {
                SyncEvent::Message { message } => ("message", message == &after),
                SyncEvent::Reacted { message } => ("reacted", message == &after),
                other => panic!("{other:?}"),
            }).collect();
            assert_eq!(kinds, [("message", true), ("reacted", true), ("reacted", true), ("reacted", true)]);
            // Nobody else reacts to it.
            let stranger = s.edit(react("carol", "alice", "👍", true)).await;
            assert!(matches!(stranger, Err(StorageError::MessageNotFound)));
        }

        #[tokio::test]
        async fn a_read_receipt_is_kept_once_and_reaches_both_logs() {
            let (s, rec, _g) = open(Retention::default()).await;
            let asking = NewMessage { need_read_receipt: true, ..text_msg("alice", "bob", 1, "read me", T0) };
            let sent = s.send(asking).await.unwrap();
            assert!(sent.message.need_read_receipt);
            let plain = send(&s, "alice", "bob", 2, "no receipt", T0).await;
            rec.take();
            let receipt = |user: &str, peer: &str, key| MessageEdit {
                key,
                editor: uid(user),
                peer: uid(peer),
                admin: false,
                change: EditChange::ReadReceipt,
                now_ms: T0 + 5_000,
            };
            // Only the recipient, only for a message that asked for one.
            let by_sender = s.edit(receipt("alice", "bob", sent.message.key)).await;
            assert!(matches!(by_sender, Err(StorageError::NoReceipt(_))), "{by_sender:?}");
            let unasked = s.edit(receipt("bob", "alice", plain.message.key)).await;
            assert!(matches!(unasked, Err(StorageError::NoReceipt(_))), "{unasked:?}");
            let stranger = s.edit(receipt("carol", "alice", sent.message.key)).await;
            assert!(matches!(stranger, Err(StorageError::MessageNotFound)));
            assert!(rec.take().is_empty(), "a refused receipt tells nobody");
            let read = s.edit(receipt("bob", "alice", sent.message.key)).await.unwrap();
            assert_eq!(read.receipt_ms, T0 + 5_000);
            assert_eq!((read.version, read.edited_ms), (0, 0), "a receipt is not an edit");
            let event = SyncEvent::ReadReceipt { message: read.clone() };
            let feed: Vec<_> = rec.take().into_iter().map(|(u, e, _)| (u.to_string(), e.event)).collect();
            assert_eq!(feed, [("alice".to_owned(), event.clone()), ("bob".to_owned(), event)]);
            // Once: a second receipt changes and tells nothing.
            let again = s.edit(MessageEdit { now_ms: T0 + 9_000, ..receipt("bob", "alice", sent.message.key) }).await.unwrap();
            assert_eq!(again.receipt_ms, T0 + 5_000);
            assert!(rec.take().is_empty());
            // History and the sender's log read the message with its receipt.
            let history = s.history(&uid("alice"), &uid("bob"), HistoryQuery::page(None, 10), T0 + 10_000).await.unwrap();
            assert_eq!(history.messages[1], read);
            assert!(!history.messages[0].need_read_receipt && history.messages[0].receipt_ms == 0);
            let page = s.sync(&uid("alice"), Seq(0), 10, T0 + 10_000).await.unwrap();
            let last = page.entries.last().map(|e| e.event.clone());
            assert_eq!(last, Some(SyncEvent::ReadReceipt { message: read }));
            // A recalled message takes no receipt and keeps nothing of one.
            let other = s.send(NewMessage { need_read_receipt: true, ..text_msg("alice", "bob", 3, "oops", T0) }).await.unwrap();
            s.recall(other.message.key, &uid("alice"), &uid("bob"), T0 + 1_000).await.unwrap();
            rec.take();
            let recalled = s.edit(receipt("bob", "alice", other.message.key)).await.unwrap();
            assert!(recalled.recalled && recalled.receipt_ms == 0);
            assert!(rec.take().is_empty());
        }

        #[tokio::test]
        async fn search_finds_the_owners_messages_newest_first_in_pages() {
            use protocol::search::SearchQuery;
            let (s, _, _g) = open(Retention::default()).await;
            let a = uid("alice");
            let mut ids = Vec::new();
            for (i, (from, to, text)) in [
                ("alice", "bob", "Pizza tonight?"),
                ("bob", "alice", "pizza is fine"),
                ("carol", "alice", "pizza party at mine"),
                ("bob", "carol", "pizza without alice"),
                ("alice", "carol", "ok"),
                ("bob", "alice", "see you"),
            ].into_iter().enumerate() {
                ids.push(send(&s, from, to, i as u32 + 1, text, T0 + i as u64 * 1_000).await.message.key);
            }
            let query = |f: &dyn Fn(&mut SearchQuery)| { let mut q = SearchQuery::default(); f(&mut q); q };
            let found = |q: SearchQuery, before: u64, limit: u32| {
                let s = s.clone();
                let a = a.clone();
                async move {
                    let (messages, next) = s.search(&a, &q, before, limit, T0 + 10_000).await.unwrap();
                    (messages.iter().map(|m| m.key).collect::<Vec<_>>(), next)
                }
            };
            let pizza = query(&|q| q.keywords = vec!["PIZZA".into()]);
            assert_eq!(found(pizza.clone(), 0, 10).await, (vec![ids[2], ids[1], ids[0]], 0), "case-blind, the owner's only, newest first");
            let (first, next) = found(pizza.clone(), 0, 2).await;
            assert_eq!((first, next), (vec![ids[2], ids[1]], ids[1].id));
            assert_eq!(found(pizza.clone(), next, 2).await, (vec![ids[0]], 0));
            let with_bob = query(&|q| { q.keywords = vec!["pizza".into()]; q.peer = Some(uid("bob")); });
            assert_eq!(found(with_bob, 0, 10).await.0, vec![ids[1], ids[0]]);
            let short = query(&|q| { q.keywords = vec!["ok".into(), "yo".into()]; });
            assert_eq!(found(short, 0, 10).await.0, vec![ids[5], ids[4]], "keywords under three characters");
            let all = query(&|q| { q.keywords = vec!["pizza".into(), "fine".into()]; q.match_all = true; });
            assert_eq!(found(all, 0, 10).await.0, vec![ids[1]]);
            let mixed = query(&|q| { q.keywords = vec!["party".into(), "ok".into()]; q.match_all = true; });
            assert!(found(mixed, 0, 10).await.0.is_empty());
            let from_bob = query(&|q| { q.kinds = vec!["TIMTextElem".into()]; q.senders = vec![uid("bob")]; q.min_time_ms = T0 + 1_000; q.max_time_ms = T0 + 4_000; });
            assert_eq!(found(from_bob, 0, 10).await.0, vec![ids[1]]);
            let images = query(&|q| q.kinds = vec!["TIMImageElem".into()]);
            assert!(found(images, 0, 10).await.0.is_empty());
            // An edit is found by its new words only; a recalled or deleted message is not found.
            let edit = MessageEdit {
                key: ids[0],
                editor: a.clone(),
                peer: uid("bob"),
                admin: false,
                change: EditChange::Content {
                    base_version: 0,
                    elements: Some(vec![Element::Text(protocol::element::TextElem { text: "sushi tonight?".into() })]),
                    cloud_custom_data: None,
                },
                now_ms: T0 + 7_000,
            };
            s.edit(edit).await.unwrap();
            assert_eq!(found(pizza.clone(), 0, 10).await.0, vec![ids[2], ids[1]]);
            let sushi = query(&|q| q.keywords = vec!["sushi".into()]);
            assert_eq!(found(sushi, 0, 10).await.0, vec![ids[0]]);
            s.recall(ids[2], &uid("carol"), &a, T0 + 8_000).await.unwrap();
            s.delete_messages(&a, &uid("bob"), vec![ids[1]], T0 + 8_000, None).await.unwrap();
            assert!(found(pizza.clone(), 0, 10).await.0.is_empty());
            let bob = s.search(&uid("bob"), &pizza, 0, 10, T0 + 10_000).await.unwrap().0;
            assert_eq!(bob.iter().map(|m| m.key).collect::<Vec<_>>(), vec![ids[3], ids[1]], "the peer keeps its copy");
            // Any script, inside words, under three characters or over.
            let lunch = send(&s, "bob", "alice", 9, "我们吃午饭吧 Lunchtime", T0 + 9_000).await.message.key;
            for word in ["午饭", "吃午饭", "lunch", "CHTI"] {
                let q = query(&|q| q.keywords = vec![word.into()]);
                assert_eq!(found(q, 0, 10).await.0, vec![lunch], "{word}");
            }
        }

        #[tokio::test]
        async fn a_pinned_conversation_comes_first_and_its_state_reaches_the_owners_log() {
            let (s, rec, _g) = open(Retention::default()).await;
            let (a, b, c) = (uid("alice"), uid("bob"), uid("carol"));
            send(&s, "bob", "alice", 1, "older", T0).await;
            send(&s, "carol", "alice", 2, "newer", T0 + 1).await;
            rec.take();
            // The top bit too: stored as a signed 64-bit number, read back the same.
            let top = 1 << 63;
            let pin = ConversationChange {
                pinned: Some(true),
                draft: Some("line one\nline two".into()),
                mark: top | 1,
                custom_data: Some("{\"folder\":\"work\"}".into()),
                join_group: Some("Ünïcode 🚀".into()),
                ..Default::default()
            };
            let (seq, state) = s.set_conversation(&a, &b, pin, T0 + 2, Some(Origin(3))).await.unwrap();
            let expected = ConversationState {
                pinned: true,
                draft: "line one\nline two".into(),
                marks: top | 1,
                custom_data: "{\"folder\":\"work\"}".into(),
                groups: vec!["Ünïcode 🚀".into()],
            };
            assert_eq!(state, expected);
            let feed = rec.take();
            assert_eq!(feed.len(), 1, "the owner's log only");
            let event = SyncEvent::ConversationState {
                peer: b.clone(),
                pinned: true,
                draft: expected.draft.clone(),
                marks: top | 1,
                custom_data: expected.custom_data.clone(),
                conversation_groups: expected.groups.clone(),
            };
            assert_eq!(feed[0], (a.clone(), SyncEntry { seq, event }, Some(Origin(3))));
            let list = s.conversations(&a, T0 + 3).await.unwrap();
            let order: Vec<_> = list.iter().map(|c| (c.peer.as_str(), c.pinned, c.state_seq)).collect();
            assert_eq!(order, [("bob", true, seq), ("carol", false, Seq(0))], "pinned first, then by activity");
            assert_eq!((&list[0].draft, list[0].marks, &list[0].custom_data), (&expected.draft, top | 1, &expected.custom_data));
            assert_eq!((list[1].marks, list[1].custom_data.as_str()), (0, ""));
            assert_eq!((&list[0].conversation_groups, list[1].conversation_groups.len()), (&expected.groups, 0));
            // Changing one part keeps the others; marks are set and cleared bit by bit; the
            // peer's own state is untouched.
            let unpin = ConversationChange { pinned: Some(false), mark: 4, unmark: 1, join_group: Some("work".into()), ..Default::default() };
            let (later, state) = s.set_conversation(&a, &b, unpin, T0 + 4, None).await.unwrap();
            assert!(later > seq);
            let groups = vec!["Ünïcode 🚀".into(), "work".into()];
            assert_eq!(state, ConversationState { pinned: false, marks: top | 4, groups, ..expected.clone() });
            let cleared = ConversationChange { custom_data: Some(String::new()), unmark: top, ..Default::default() };
            let (_, state) = s.set_conversation(&a, &b, cleared, T0 + 5, None).await.unwrap();
            assert_eq!((state.marks, state.custom_data.as_str(), state.draft.as_str()), (4, "", "line one\nline two"));
            let listed = s.conversations(&a, T0 + 6).await.unwrap();
            assert_eq!((listed[0].peer.as_str(), listed[0].marks, listed[0].custom_data.as_str()), ("carol", 0, ""));
            assert_eq!((listed[1].marks, listed[1].custom_data.as_str()), (4, ""));
            assert_eq!(listed[1].conversation_groups, ["Ünïcode 🚀", "work"], "in the order joined");
            // A rename is leaving one group and joining another, in one change.
            let rename = ConversationChange { leave_group: Some("Ünïcode 🚀".into()), join_group: Some("home".into()), ..Default::default() };
            let (_, state) = s.set_conversation(&a, &b, rename, T0 + 6, None).await.unwrap();
            assert_eq!(state.groups, ["work", "home"]);
            assert!(s.conversations(&b, T0 + 4).await.unwrap().iter().all(|c| !c.pinned && c.draft.is_empty() && c.marks == 0));
            let none = ConversationChange { pinned: Some(true), ..Default::default() };
            assert!(matches!(s.set_conversation(&b, &c, none, T0, None).await, Err(StorageError::NoConversation)));
        }

        #[tokio::test]
        async fn a_user_has_at_most_twenty_conversation_groups() {
            let (s, _rec, _g) = open(Retention::default()).await;
            let (a, b, c) = (uid("alice"), uid("bob"), uid("carol"));
            send(&s, "bob", "alice", 1, "hi", T0).await;
            send(&s, "carol", "alice", 2, "hi", T0).await;
            let join = |name: String| ConversationChange { join_group: Some(name), ..Default::default() };
            for i in 0..19 {
                s.set_conversation(&a, &b, join(format!("g{i}")), T0, None).await.unwrap();
            }
            s.set_conversation(&a, &c, join("last".into()), T0, None).await.unwrap();
            let full = s.set_conversation(&a, &c, join("one more".into()), T0, None).await;
            assert!(matches!(full, Err(StorageError::ConversationGroupsFull)), "{full:?}");
            // An existing group may take more conversations; leaving the only member of a group
            // for a new one keeps the count.
            s.set_conversation(&a, &c, join("g0".into()), T0, None).await.unwrap();
            let rename = ConversationChange { leave_group: Some("last".into()), join_group: Some("renamed".into()), ..Default::default() };
            let (_, state) = s.set_conversation(&a, &c, rename, T0, None).await.unwrap();
            assert_eq!(state.groups, ["g0", "renamed"]);
            let list = s.conversations(&a, T0).await.unwrap();
            let mut all: Vec<_> = list.iter().flat_map(|c| c.conversation_groups.clone()).collect();
            all.sort();
            all.dedup();
            assert_eq!(all.len(), 20, "{all:?}");
        }

        #[tokio::test]
        async fn deleted_messages_leave_the_owners_history_only() {
            let (s, rec, _g) = open(Retention::default()).await;
            let (a, b) = (uid("alice"), uid("bob"));
            let first = send(&s, "alice", "bob", 1, "first", T0).await;
            let second = send(&s, "bob", "alice", 2, "second", T0 + 1).await;
            let other = send(&s, "carol", "alice", 3, "elsewhere", T0 + 2).await;
            rec.take();
            assert!(
                matches!(
                    s.delete_messages(&a, &b, vec![second.message.key, other.message.key], T0, None).await,
                    Err(StorageError::MessageNotFound)
                ),
                "a message of another conversation is refused, and nothing is deleted"
            );
            let mut wrong = first.message.key;
            wrong.random += 1;
            assert!(matches!(s.delete_messages(&a, &b, vec![wrong], T0, None).await, Err(StorageError::MessageNotFound)));
            let mut absent = first.message.key;
            absent.id += 1000;
            assert!(matches!(s.delete_messages(&a, &b, vec![absent], T0, None).await, Err(StorageError::MessageNotFound)));
            assert!(rec.take().is_empty(), "a refused delete writes nothing");
            let seq = s
                .delete_messages(&a, &b, vec![second.message.key], T0 + 3, Some(Origin(7)))
                .await
                .unwrap();
            let feed = rec.take();
            assert_eq!(feed.len(), 1, "only the owner's log gets an entry");
            assert_eq!(feed[0].0, a);
            assert_eq!(feed[0].1.seq, seq);
            assert_eq!(feed[0].1.event, SyncEvent::Deleted { peer: b.clone(), keys: vec![second.message.key] });
            let mine = s.history(&a, &b, HistoryQuery::page(None, 10), T0).await.unwrap();
            assert_eq!(mine.messages.iter().map(text_of).collect::<Vec<_>>(), ["first"]);
            assert_eq!(mine.messages[0].client_time_s, T0 / 1000 - 1, "the composing time is kept");
            let theirs = s.history(&b, &a, HistoryQuery::page(None, 10), T0).await.unwrap();
            assert_eq!(theirs.messages.len(), 2, "the peer keeps its copy");
            let convs = s.conversations(&a, T0).await.unwrap();
            let with_bob = convs.iter().find(|c| c.peer == b).unwrap();
            assert_eq!(with_bob.unread, 0, "a deleted message is not unread");
            assert_eq!(with_bob.last_message.as_ref().map(text_of), Some("first"));
            s.delete_messages(&a, &b, vec![second.message.key], T0, None).await.unwrap();
        }

        #[tokio::test]
        async fn pushes_are_queued_with_their_message_and_registrations_kept_per_device() {
            let (s, _rec, _g) = open(Retention::default()).await;
            let b = uid("bob");
            let device = |d: &str| protocol::DeviceId::parse(d).unwrap();
            let reg = |d: &str, vendor, token: &str| PushRegistration {
                device: device(d),
                vendor,
                token: token.into(),
            };
            send(&s, "alice", "bob", 1, "hello", T0).await;
            assert!(
                matches!(s.push_register(&uid("ghost"), reg("p", Vendor::Apns, "t"), T0).await, Err(StorageError::UnknownUser(_)))
            );
            s.push_register(&b, reg("phone", Vendor::Apns, "old"), T0).await.unwrap();
            s.push_register(&b, reg("phone", Vendor::Apns, "new"), T0 + 1).await.unwrap();
            s.push_register(&b, reg("web", Vendor::Webpush, "w"), T0 + 2).await.unwrap();
            let regs = s.push_registrations(&b).await.unwrap();
            assert_eq!(regs, [reg("phone", Vendor::Apns, "new"), reg("web", Vendor::Webpush, "w")]);

            let mut msg = text_msg("alice", "bob", 2, "while away", T0 + 3);
            msg.push = Some(PushSettings { info: None });
            let sent = s.send(msg.clone()).await.unwrap();
            s.send(msg).await.unwrap(); // a retry queues nothing more
            let due = s.push_due(T0 + 3, 10).await.unwrap();
            assert_eq!(due.len(), 1);
            assert_eq!((due[0].user.as_str(), due[0].attempts), ("bob", 0));
            assert_eq!(due[0].message.as_ref().map(|m| m.key), Some(sent.message.key));
            assert!(s.push_due(T0 + 2, 10).await.unwrap().is_empty(), "not due before its message");
            s.push_settle(Vec::new(), vec![(due[0].id, T0 + 60_000)]).await.unwrap();
            assert!(s.push_due(T0 + 59_999, 10).await.unwrap().is_empty(), "put off");
            let again = s.push_due(T0 + 60_000, 10).await.unwrap();
            assert_eq!(again[0].attempts, 1);
            s.push_settle(vec![again[0].id], Vec::new()).await.unwrap();
            assert!(s.push_due(u64::MAX / 2, 10).await.unwrap().is_empty(), "done");
            assert!(!again[0].notice);

            // Notices: a notification alone, no message behind it.
            let info = OfflinePushInfo { title: "Sale".into(), desc: "Today only".into(), ..Default::default() };
            s.push_notices(vec![b.clone(), uid("alice")], info.clone(), T0 + 10).await.unwrap();
            assert!(s.push_due(T0 + 9, 10).await.unwrap().is_empty(), "not due before its time");
            let notices = s.push_due(T0 + 10, 10).await.unwrap();
            let seen: Vec<_> = notices.iter().map(|j| (j.user.as_str(), j.notice, j.message.is_none(), j.settings.info.as_ref())).collect();
            assert_eq!(seen, [("bob", true, true, Some(&info)), ("alice", true, true, Some(&info))]);
            s.push_settle(notices.iter().map(|j| j.id).collect(), Vec::new()).await.unwrap();
            assert!(s.push_due(u64::MAX / 2, 10).await.unwrap().is_empty(), "sent");

            assert!(s.push_unregister(&b, &device("phone"), Some(Vendor::Apns)).await.unwrap());
            assert!(!s.push_unregister(&b, &device("phone"), None).await.unwrap());
            assert_eq!(s.push_registrations(&b).await.unwrap().len(), 1);
            let mut queued = text_msg("alice", "bob", 3, "x", T0 + 4);
            queued.push = Some(PushSettings::default());
            s.send(queued).await.unwrap();
            s.delete_user(&b, Revocation { at_ms: T0 + 5, sigs: Vec::new() }).await.unwrap();
            assert!(s.push_registrations(&b).await.unwrap().is_empty(), "gone with the account");
            assert!(s.push_due(u64::MAX / 2, 10).await.unwrap().is_empty());
        }

        #[tokio::test]
        async fn send_controls_are_honoured() {
            let (s, rec, _g) = open(Retention::default()).await;
            send(&s, "alice", "bob", 1, "counted", T0).await;
            let mut quiet = text_msg("alice", "bob", 2, "quiet", T0);
            quiet.no_unread = true;
            quiet.no_last_msg = true;
            quiet.sync_sender = false;
            rec.take();
            s.send(quiet).await.unwrap();
            let feed = rec.take();
            assert_eq!(feed.len(), 1, "not in the sender's log");
            assert_eq!(feed[0].0.as_str(), "bob");
            let convs = s.conversations(&uid("bob"), T0).await.unwrap();
            assert_eq!(convs[0].unread, 1);
            assert_eq!(text_of(convs[0].last_message.as_ref().unwrap()), "counted");
            let alice_log = s.sync(&uid("alice"), Seq(0), 10, T0).await.unwrap();
            assert_eq!(alice_log.entries.len(), 1);
        }

        #[tokio::test]
        async fn history_at_a_time_pages_each_way_from_it() {
            let (s, _, _g) = open(Retention::default()).await;
            let mut keys = Vec::new();
            for i in 0..6u32 {
                keys.push(send(&s, "alice", "bob", i, &format!("m{i}"), T0 + i as u64 * 1000).await.message.key);
            }
            let read = |s: Arc<dyn Storage>, query: HistoryQuery| async move {
                let page = s.history(&uid("bob"), &uid("alice"), query, T0 + 9_000).await.unwrap();
                (page.messages.iter().map(|m| text_of(m).to_owned()).collect::<Vec<_>>(), page.complete)
            };
            let at = T0 + 2_000;
            // At or before the time, newest first, then on from the last message given.
            assert_eq!(read(s.clone(), HistoryQuery::at(at, false, None, 2)).await, (vec!["m2".into(), "m1".into()], false));
            assert_eq!(read(s.clone(), HistoryQuery::at(at, false, Some(keys[1]), 2)).await, (vec!["m0".into()], true));
            // At or after it, oldest first.
            assert_eq!(read(s.clone(), HistoryQuery::at(at, true, None, 2)).await, (vec!["m2".into(), "m3".into()], false));
            assert_eq!(read(s.clone(), HistoryQuery::at(at, true, Some(keys[3]), 2)).await, (vec!["m4".into(), "m5".into()], true));
            // What the reader deleted from its history is left out.
            s.delete_messages(&uid("bob"), &uid("alice"), vec![keys[3]], T0 + 9_000, None).await.unwrap();
            assert_eq!(read(s.clone(), HistoryQuery::at(at, true, None, 3)).await, (vec!["m2".into(), "m4".into(), "m5".into()], true));
            assert_eq!(read(s.clone(), HistoryQuery::at(T0 + 9_000, true, None, 3)).await, (vec![], true), "nothing after the newest");
        }

        #[tokio::test]
        async fn history_windows_and_export_pages() {
            let (s, _, _g) = open(Retention::default()).await;
            for i in 0..6u32 {
                send(&s, "alice", if i % 2 == 0 { "bob" } else { "carol" }, i, &format!("m{i}"), T0 + i as u64 * 1000).await;
            }
            let window = HistoryQuery { min_time_ms: T0 + 1000, max_time_ms: T0 + 3000, ..HistoryQuery::page(None, 10) };
            let page = s.history(&uid("alice"), &uid("bob"), window, T0).await.unwrap();
            assert_eq!(page.messages.iter().map(text_of).collect::<Vec<_>>(), ["m2"]);
            let mut after = 0;
            let mut seen = Vec::new();
            loop {
                let page = s.export(T0 + 1000, T0 + 4000, after, 2, T0).await.unwrap();
                if page.is_empty() {
                    break;
                }
                after = page.last().unwrap().key.id;
                seen.extend(page.iter().map(|m| text_of(m).to_owned()));
            }
            assert_eq!(seen, ["m1", "m2", "m3", "m4"]);
        }

        #[tokio::test]
        async fn profile_tags_are_kept_per_user_and_leave_with_the_account() {
            let (s, _, _g) = open(Retention::default()).await;
            let tag = |t: &str, v: &str| (t.to_owned(), v.to_owned());
            assert!(matches!(
                s.set_profile_tags(&uid("ghost"), vec![tag("Tag_Profile_IM_Level", "1")]).await,
                Err(StorageError::UnknownUser(_))
            ));
            s.ensure_user(&uid("alice"), T0).await.unwrap();
            s.ensure_user(&uid("bob"), T0).await.unwrap();
            s.set_profile_tags(&uid("alice"), vec![tag("Tag_Profile_IM_Level", "1"), tag("Tag_Profile_IM_Gender", "\"Gender_Type_Male\"")]).await.unwrap();
            s.set_profile_tags(&uid("alice"), vec![tag("Tag_Profile_IM_Level", "2")]).await.unwrap();
            s.set_profile_tags(&uid("bob"), vec![tag("Tag_Profile_IM_Role", "5")]).await.unwrap();
            let got = s.profile_tags(&[uid("alice"), uid("bob")]).await.unwrap();
            assert_eq!(got, vec![
                (uid("alice"), "Tag_Profile_IM_Gender".to_owned(), "\"Gender_Type_Male\"".to_owned()),
                (uid("alice"), "Tag_Profile_IM_Level".to_owned(), "2".to_owned()),
                (uid("bob"), "Tag_Profile_IM_Role".to_owned(), "5".to_owned()),
            ]);
            s.delete_user(&uid("alice"), Revocation::default()).await.unwrap();
            assert_eq!(s.profile_tags(&[uid("alice")]).await.unwrap(), vec![]);
        }

        #[tokio::test]
        async fn friend_fields_are_kept_per_friendship_and_leave_with_it() {
            let (s, _, _g) = open(Retention::default()).await;
            for u in ["alice", "bob", "carol"] {
                s.ensure_user(&uid(u), T0).await.unwrap();
            }
            let field = |t: &str, v: &str| (t.to_owned(), v.to_owned());
            assert!(!s.set_friend_fields(&uid("alice"), &uid("bob"), vec![field("Tag_SNS_IM_Remark", "\"B\"")], T0).await.unwrap(), "not friends yet");
            relate(&s, friends(), "alice", &["bob", "carol"], true, false).await;
            assert!(s.set_friend_fields(&uid("alice"), &uid("bob"), vec![field("Tag_SNS_IM_Remark", "\"B\"")], T0).await.unwrap());
            assert!(s.set_friend_fields(&uid("alice"), &uid("bob"), vec![field("Tag_SNS_IM_Group", "[\"g\"]")], T0).await.unwrap());
            assert!(s.set_friend_fields(&uid("alice"), &uid("carol"), vec![field("Tag_SNS_IM_Remark", "\"C\"")], T0).await.unwrap());
            let got = s.friend_fields(&uid("alice")).await.unwrap();
            assert_eq!(got.len(), 2);
            assert_eq!(got[0].0, uid("bob"));
            assert_eq!(got[0].1.get("Tag_SNS_IM_Remark").map(String::as_str), Some("\"B\""));
            assert_eq!(got[0].1.get("Tag_SNS_IM_Group").map(String::as_str), Some("[\"g\"]"));
            assert!(s.friend_fields(&uid("bob")).await.unwrap().is_empty(), "the owner's own");
            relate(&s, friends(), "alice", &["bob"], false, false).await;
            relate(&s, friends(), "alice", &["bob"], true, false).await;
            s.delete_user(&uid("carol"), Revocation::default()).await.unwrap();
            assert!(s.friend_fields(&uid("alice")).await.unwrap().is_empty(), "gone with the friendship and the account");
        }

        #[tokio::test]
        async fn a_removed_friend_group_leaves_the_friendships_that_named_it() {
            let (s, _, _g) = open(Retention::default()).await;
            for u in ["alice", "bob"] {
                s.ensure_user(&uid(u), T0).await.unwrap();
            }
            assert!(matches!(s.change_friend_groups(&uid("ghost"), vec!["a".into()], vec![], T0).await, Err(StorageError::UnknownUser(_))));
            relate(&s, friends(), "alice", &["bob"], true, false).await;
            s.change_friend_groups(&uid("alice"), vec!["work".into(), "chess".into()], vec![], T0).await.unwrap();
            s.set_friend_fields(&uid("alice"), &uid("bob"), vec![("Tag_SNS_IM_Group".into(), "[\"chess\",\"work\"]".into())], T0).await.unwrap();
            assert_eq!(s.friend_groups(&uid("alice")).await.unwrap(), ["chess", "work"]);
            s.change_friend_groups(&uid("alice"), vec![], vec!["chess".into()], T0).await.unwrap();
            assert_eq!(s.friend_groups(&uid("alice")).await.unwrap(), ["work"]);
            let fields = s.friend_fields(&uid("alice")).await.unwrap();
            assert_eq!(fields[0].1.get("Tag_SNS_IM_Group").map(String::as_str), Some("[\"work\"]"));
            s.delete_user(&uid("alice"), Revocation::default()).await.unwrap();
            assert!(s.friend_groups(&uid("alice")).await.unwrap().is_empty());
        }

        #[tokio::test]
        async fn a_renamed_friend_group_keeps_its_friends_and_tells_the_owners_devices() {
            let (s, rec, _g) = open(Retention::default()).await;
            for u in ["alice", "bob", "carol"] {
                s.ensure_user(&uid(u), T0).await.unwrap();
            }
            assert!(matches!(s.rename_friend_group(&uid("ghost"), "a", "b", T0).await, Err(StorageError::UnknownUser(_))));
            relate(&s, friends(), "alice", &["bob", "carol"], true, false).await;
            s.change_friend_groups(&uid("alice"), vec!["work".into(), "chess".into()], vec![], T0).await.unwrap();
            s.set_friend_fields(&uid("alice"), &uid("bob"), vec![("Tag_SNS_IM_Group".into(), "[\"chess\",\"work\"]".into())], T0).await.unwrap();
            s.set_friend_fields(&uid("alice"), &uid("carol"), vec![("Tag_SNS_IM_Group".into(), "[\"chess\"]".into())], T0).await.unwrap();
            rec.take();
            s.rename_friend_group(&uid("alice"), "work", "office", T0).await.unwrap();
            assert_eq!(s.friend_groups(&uid("alice")).await.unwrap(), ["chess", "office"]);
            let mut fields: Vec<_> = s.friend_fields(&uid("alice")).await.unwrap().into_iter()
                .map(|(peer, f)| (peer.to_string(), f.get("Tag_SNS_IM_Group").cloned().unwrap_or_default()))
                .collect();
            fields.sort();
            assert_eq!(fields, [("bob".to_owned(), "[\"chess\",\"office\"]".to_owned()), ("carol".to_owned(), "[\"chess\"]".to_owned())]);
            let feed = rec.take();
            assert_eq!(feed.len(), 1);
            assert_eq!((feed[0].0.as_str(), &feed[0].1.event), ("alice", &SyncEvent::FriendGroups));
        }

        #[tokio::test]
        async fn friend_group_changes_reach_the_owners_devices_through_its_log() {
            let (s, rec, _g) = open(Retention::default()).await;
            relate(&s, friends(), "alice", &["bob"], true, true).await;
            rec.take();
            let logged = |rec: &Recorder| -> Vec<(String, SyncEvent)> {
                rec.take().into_iter().map(|(owner, entry, _)| (owner.to_string(), entry.event)).collect()
            };
            let groups = |owner: &str| vec![(owner.to_owned(), SyncEvent::FriendGroups)];
            s.change_friend_groups(&uid("alice"), vec!["work".into()], vec![], T0).await.unwrap();
            assert_eq!(logged(&rec), groups("alice"), "a group made");
            let group = ("Tag_SNS_IM_Group".to_owned(), "[\"work\"]".to_owned());
            assert!(s.set_friend_fields(&uid("alice"), &uid("bob"), vec![group.clone()], T0).await.unwrap());
            assert_eq!(logged(&rec), groups("alice"), "a friend put in it");
            let remark = ("Tag_SNS_IM_Remark".to_owned(), "\"B\"".to_owned());
            assert!(s.set_friend_fields(&uid("alice"), &uid("bob"), vec![remark], T0).await.unwrap());
            assert_eq!(logged(&rec), vec![], "a remark is no group change");
            assert!(!s.set_friend_fields(&uid("alice"), &uid("carol"), vec![group], T0).await.unwrap());
            assert_eq!(logged(&rec), vec![], "not a friend: nothing changed");
            s.change_friend_groups(&uid("alice"), vec![], vec!["work".into()], T0).await.unwrap();
            assert_eq!(logged(&rec), groups("alice"), "a group deleted");
            let page = s.sync(&uid("alice"), Seq(0), 100, T0).await.unwrap();
            let kept = page.entries.iter().filter(|e| e.event == SyncEvent::FriendGroups).count();
            assert_eq!(kept, 3, "in the log for devices that were away");
            // A friendship that ends takes its place in groups with it: each side that had it in
            // a group hears of it, once, beside the list change.
            s.change_friend_groups(&uid("alice"), vec!["chess".into()], vec![], T0).await.unwrap();
            s.set_friend_fields(&uid("alice"), &uid("bob"), vec![("Tag_SNS_IM_Group".into(), "[\"chess\"]".into())], T0).await.unwrap();
            rec.take();
            relate(&s, friends(), "alice", &["bob"], false, true).await;
            let groups_changed: Vec<String> = logged(&rec)
                .into_iter()
                .filter(|(_, e)| *e == SyncEvent::FriendGroups)
                .map(|(owner, _)| owner)
                .collect();
            assert_eq!(groups_changed, ["alice"], "bob had alice in no group");
            relate(&s, friends(), "alice", &["bob"], true, true).await;
            rec.take();
            relate(&s, friends(), "alice", &["bob"], false, true).await;
            assert!(logged(&rec).iter().all(|(_, e)| *e != SyncEvent::FriendGroups), "a friendship in no group");
        }

        #[tokio::test]
        async fn a_kick_is_kept_and_replaced_by_the_next() {
            let (s, _, _g) = open(Retention::default()).await;
            s.ensure_user(&uid("alice"), T0).await.unwrap();
            assert_eq!(s.kick(&uid("alice")).await.unwrap(), None);
            let first = Revocation { at_ms: T0, sigs: vec![1] };
            s.revoke_sigs(&uid("alice"), first.clone()).await.unwrap();
            assert_eq!(s.kick(&uid("alice")).await.unwrap(), Some(first));
            let second = Revocation { at_ms: T0 + 9, sigs: vec![2, 3] };
            s.revoke_sigs(&uid("alice"), second.clone()).await.unwrap();
            assert_eq!(s.kick(&uid("alice")).await.unwrap(), Some(second));
            assert_eq!(s.kick(&uid("bob")).await.unwrap(), None);
            assert!(s.ensure_user(&uid("alice"), T0).await.unwrap().latest_seq == Seq(0), "the account stays");
        }

        #[tokio::test]
        async fn deleting_an_account_keeps_the_others_history() {
            let (s, _, _g) = open(Retention::default()).await;
            send(&s, "alice", "bob", 1, "before", T0).await;
            relate(&s, friends(), "alice", &["bob"], true, true).await;
            send(&s, "bob", "alice", 9, "to alice", T0).await;
            let latest = s.ensure_user(&uid("alice"), T0).await.unwrap().latest_seq;
            assert!(latest > Seq(0));
            let deletion = Revocation { at_ms: T0, sigs: vec![7, 8] };
            assert_eq!(s.deletion(&uid("alice")).await.unwrap(), None);
            assert!(s.delete_user(&uid("alice"), deletion.clone()).await.unwrap());
            assert!(!s.delete_user(&uid("alice"), deletion.clone()).await.unwrap());
            assert_eq!(s.deletion(&uid("alice")).await.unwrap(), Some(deletion));
            assert!(matches!(s.sync(&uid("alice"), Seq(0), 10, T0).await, Err(StorageError::UnknownUser(_))));
            assert!(s.relations(friends(), &uid("bob")).await.unwrap().is_empty());
            assert_eq!(s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 10), T0).await.unwrap().messages.len(), 2);
            assert!(matches!(s.send(text_msg("bob", "alice", 2, "gone?", T0)).await, Err(StorageError::UnknownUser(_))));
            // A new account of the same name: empty, with none of the old history, and its log
            // goes on from where the deleted one's ended.
            let again = s.ensure_user(&uid("alice"), T0).await.unwrap();
            assert!(again.latest_seq >= latest, "{again:?}");
            assert!(s.sync(&uid("alice"), Seq(0), 10, T0).await.unwrap().entries.is_empty());
            assert!(s.conversations(&uid("alice"), T0).await.unwrap().is_empty());
            assert!(s.history(&uid("alice"), &uid("bob"), HistoryQuery::page(None, 10), T0).await.unwrap().messages.is_empty());
            send(&s, "bob", "alice", 3, "hello again", T0).await;
            let page = s.history(&uid("alice"), &uid("bob"), HistoryQuery::page(None, 10), T0).await.unwrap();
            assert_eq!(page.messages.iter().map(text_of).collect::<Vec<_>>(), ["hello again"]);
            assert_eq!(s.history(&uid("bob"), &uid("alice"), HistoryQuery::page(None, 10), T0).await.unwrap().messages.len(), 3);
        }

        #[tokio::test]
        async fn settings_are_kept() {
            let (s, _, _g) = open(Retention::default()).await;
            assert_eq!(s.setting("friends_only").await.unwrap(), None);
            s.set_setting("friends_only", "1").await.unwrap();
            s.set_setting("friends_only", "0").await.unwrap();
            assert_eq!(s.setting("friends_only").await.unwrap().as_deref(), Some("0"));
        }

        #[tokio::test]
        async fn an_update_changes_what_is_stored_or_leaves_it_when_refused() {
            let (s, _, _g) = open(Retention::default()).await;
            let append = |tail: &'static str| -> Change {
                Box::new(move |now| Ok(format!("{}{tail}", now.unwrap_or_default())))
            };
            let refuse: Change = Box::new(|now| {
                Err(ChatError::new(protocol::ErrorCode::RATE_LIMITED, format!("not now: {now:?}")))
            });
            let key = || Slot::Setting("counter".into());
            s.update(key(), append("a")).await.unwrap().unwrap();
            s.update(key(), append("b")).await.unwrap().unwrap();
            let refused = s.update(key(), refuse).await.unwrap().unwrap_err();
            assert_eq!(refused.message, r#"not now: Some("ab")"#);
            assert_eq!(s.setting("counter").await.unwrap().as_deref(), Some("ab"));

            // Updates queued together each see the one before.
            let all: Vec<_> = (0..20).map(|_| s.update(key(), append("."))).collect();
            for u in all {
                u.await.unwrap().unwrap();
            }
            assert_eq!(s.setting("counter").await.unwrap().unwrap().len(), 22);

            let field = |user: &str| Slot::ProfileField(uid(user), "Duet_Test".into());
            assert!(matches!(
                s.update(field("nobody"), append("x")).await,
                Err(StorageError::UnknownUser(_))
            ));
            s.ensure_user(&uid("alice"), T0).await.unwrap();
            s.update(field("alice"), append("x")).await.unwrap().unwrap();
            s.update(field("alice"), append("y")).await.unwrap().unwrap();
            let tags = s.profile_tags(&[uid("alice")]).await.unwrap();
            assert_eq!(tags, [(uid("alice"), "Duet_Test".to_owned(), "xy".to_owned())]);
        }

        #[tokio::test]
        async fn queued_sends_commit_in_queue_order() {
            let (s, _, _g) = open(Retention::default()).await;
            let pending: Vec<_> = (0..50u32).map(|i| s.send(text_msg("alice", "bob", i, &format!("{i}"), T0))).collect();
            let mut seqs = Vec::new();
            for p in pending.into_iter().rev() {
                seqs.push(p.await.unwrap().sender_seq.0);
            }
            seqs.reverse();
            assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
        }
    };
}

pub(crate) use storage_conformance;
