//! One behaviour suite for every [`Cache`](super::Cache). `cache_conformance!(test_attr, open)`
//! expands to the suite's tests, where `open(name)` makes a fresh, empty cache named `name`
//! (the IndexedDB run gives each test its own database).

use protocol::element::TextElem;
use protocol::{Conversation, Element, Message, MessageKey, UserId};

pub(crate) fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

pub(crate) fn msg(id: u64, from: &str, to: &str, text: &str) -> Message {
    Message {
        key: MessageKey {
            id,
            random: id as u32 * 7,
            time_s: 1_800_000_000 + id,
        },
        from: uid(from),
        to: uid(to),
        time_ms: (1_800_000_000 + id) * 1000,
        client_time_s: 1_800_000_000 + id,
        random: id as u32 * 7,
        elements: vec![Element::Text(TextElem { text: text.into() })],
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

pub(crate) fn conv(peer: &str, updated_ms: u64, unread: u32) -> Conversation {
    Conversation {
        unread,
        updated_ms,
        ..Conversation::new(uid(peer), String::new(), String::new())
    }
}

macro_rules! cache_conformance {
    ($test:path, $open:path) => {
        use crate::cache::conformance::*;
        use crate::cache::*;
        use protocol::{MessageKey, Profile, Relation, RelationEntry, Seq};

        fn texts(list: &[protocol::Message]) -> Vec<String> {
            list.iter()
                .map(|m| match &m.elements[..] {
                    [protocol::Element::Text(t)] => t.text.clone(),
                    _ => "(other)".into(),
                })
                .collect()
        }

        #[$test]
        async fn cursor_starts_at_zero_and_moves() {
            let c = $open("cursor").await;
            assert_eq!(c.cursor().await.unwrap(), Seq(0));
            c.set_cursor(Seq(42)).await.unwrap();
            assert_eq!(c.cursor().await.unwrap(), Seq(42));
            c.set_cursor(Seq(40)).await.unwrap();
            assert_eq!(c.cursor().await.unwrap(), Seq(42), "never moves back");
        }

        #[$test]
        async fn a_reset_forgets_everything_of_the_deleted_account() {
            let c = $open("reset").await;
            assert_eq!(c.account().await.unwrap(), 0);
            let me = uid("me");
            c.put_messages(
                &me,
                &[msg(1, "bob", "me", "old"), msg(2, "me", "bob", "older")],
            )
            .await
            .unwrap();
            c.delete_message(&uid("bob"), msg(2, "me", "bob", "").key)
                .await
                .unwrap();
            c.set_conversations(&[conv("bob", 1, 1)]).await.unwrap();
            c.set_relations(
                Relation::Friend,
                &[RelationEntry {
                    user_id: uid("bob"),
                    since_ms: 1,
                    fields: Default::default(),
                    read: false,
                }],
            )
            .await
            .unwrap();
            c.set_cursor(Seq(9)).await.unwrap();
            c.reset(1_700_000_000_000).await.unwrap();
            assert_eq!(c.account().await.unwrap(), 1_700_000_000_000);
            assert_eq!(c.cursor().await.unwrap(), Seq(0));
            assert!(c.messages(&uid("bob"), None, 10).await.unwrap().is_empty());
            assert!(c.conversations().await.unwrap().is_empty());
            assert!(c.relations(Relation::Friend).await.unwrap().is_empty());
            // What was deleted on the old account's device may arrive for the new one.
            c.put_messages(&me, &[msg(2, "me", "bob", "new")])
                .await
                .unwrap();
            assert_eq!(
                texts(&c.messages(&uid("bob"), None, 10).await.unwrap()),
                ["new"]
            );
        }

        #[$test]
        async fn messages_page_newest_first_per_peer() {
            let c = $open("messages").await;
            let me = uid("me");
            let mut batch = Vec::new();
            for i in 1..=7u64 {
                let (from, to) = if i % 2 == 0 {
                    ("me", "bob")
                } else {
                    ("bob", "me")
                };
                batch.push(msg(i * 10, from, to, &format!("b{i}")));
            }
            batch.push(msg(35, "carol", "me", "c1"));
            c.put_messages(&me, &batch).await.unwrap();
            // Storing the same messages again changes nothing.
            c.put_messages(&me, &batch[..3]).await.unwrap();
            let page = c.messages(&uid("bob"), None, 3).await.unwrap();
            assert_eq!(texts(&page), ["b7", "b6", "b5"]);
            let next = c
                .messages(&uid("bob"), Some(page[2].key), 10)
                .await
                .unwrap();
            assert_eq!(texts(&next), ["b4", "b3", "b2", "b1"]);
            let before_first = MessageKey {
                id: 10,
                random: 0,
                time_s: 0,
            };
            assert!(
                c.messages(&uid("bob"), Some(before_first), 10)
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert_eq!(
                texts(&c.messages(&uid("carol"), None, 10).await.unwrap()),
                ["c1"]
            );
            assert!(
                c.messages(&uid("nobody"), None, 10)
                    .await
                    .unwrap()
                    .is_empty()
            );
        }

        #[$test]
        async fn a_message_is_replaced_by_key_and_deleted_locally() {
            let c = $open("replace").await;
            let me = uid("me");
            let original = msg(5, "bob", "me", "oops");
            c.put_messages(&me, &[original.clone(), msg(6, "bob", "me", "next")])
                .await
                .unwrap();
            let mut recalled = original.clone();
            recalled.recall();
            c.put_messages(&me, &[recalled.clone()]).await.unwrap();
            let page = c.messages(&uid("bob"), None, 10).await.unwrap();
            assert_eq!(page.len(), 2);
            assert_eq!(page[1], recalled);
            c.delete_message(&uid("bob"), original.key).await.unwrap();
            assert_eq!(
                texts(&c.messages(&uid("bob"), None, 10).await.unwrap()),
                ["next"]
            );
            c.put_messages(&me, std::slice::from_ref(&original))
                .await
                .unwrap();
            assert_eq!(
                texts(&c.messages(&uid("bob"), None, 10).await.unwrap()),
                ["next"],
                "a message deleted here is not stored again"
            );
            c.put_messages(&me, &[msg(9, "me", "carol", "c")])
                .await
                .unwrap();
            c.clear_messages().await.unwrap();
            assert!(c.messages(&uid("bob"), None, 10).await.unwrap().is_empty());
            assert!(
                c.messages(&uid("carol"), None, 10)
                    .await
                    .unwrap()
                    .is_empty()
            );
        }

        #[$test]
        async fn a_message_with_an_element_of_a_newer_kind_is_kept_as_it_came() {
            let c = $open("newer-kind").await;
            let mut newer = msg(3, "bob", "me", "caption");
            newer.elements.insert(
                0,
                protocol::Element::Unknown(protocol::element::UnknownElem {
                    kind: "TIMMergerElem".into(),
                }),
            );
            c.put_messages(&uid("me"), std::slice::from_ref(&newer))
                .await
                .unwrap();
            assert_eq!(
                c.messages(&uid("bob"), None, 10).await.unwrap(),
                vec![newer]
            );
        }

        #[$test]
        async fn conversations_are_replaced_or_merged_and_sorted() {
            let c = $open("conversations").await;
            c.set_conversations(&[conv("a", 10, 0), conv("b", 30, 2), conv("c", 20, 0)])
                .await
                .unwrap();
            let peers = |l: Vec<protocol::Conversation>| {
                l.into_iter()
                    .map(|c| (c.peer.to_string(), c.unread))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                peers(c.conversations().await.unwrap()),
                [("b".into(), 2), ("c".into(), 0), ("a".into(), 0)]
            );
            c.put_conversations(&[conv("a", 40, 1)]).await.unwrap();
            assert_eq!(
                peers(c.conversations().await.unwrap())[0],
                ("a".to_owned(), 1)
            );
            // A pinned conversation comes first, however old, with the rest of its state
            // (every bit of its marks too).
            let pinned = protocol::Conversation {
                pinned: true,
                draft: "so".into(),
                marks: 1 << 63 | 2,
                custom_data: "{\"folder\":\"work\"}".into(),
                conversation_groups: vec!["work".into(), "Ünïcode 🚀".into()],
                state_seq: protocol::Seq(9),
                ..conv("c", 5, 0)
            };
            c.put_conversations(std::slice::from_ref(&pinned))
                .await
                .unwrap();
            let listed = c.conversations().await.unwrap();
            assert_eq!(listed[0], pinned);
            assert_eq!(
                peers(listed),
                [("c".into(), 0), ("a".into(), 1), ("b".into(), 2)]
            );
            c.set_conversations(&[conv("d", 1, 0)]).await.unwrap();
            assert_eq!(
                peers(c.conversations().await.unwrap()),
                [("d".to_owned(), 0)]
            );
        }

        #[$test]
        async fn the_outbox_keeps_composition_order_and_one_entry_per_random() {
            let c = $open("outbox").await;
            let item = |to: &str, random: u32, created_ms: u64, text: &str| OutboxItem {
                to: uid(to),
                random,
                elements: vec![protocol::Element::Text(protocol::element::TextElem {
                    text: text.into(),
                })],
                cloud_custom_data: None,
                created_ms,
                offline_push_info: None,
                need_read_receipt: random == 1,
            };
            c.outbox_put(&item("bob", 2, 200, "second")).await.unwrap();
            c.outbox_put(&item("bob", 1, 100, "first")).await.unwrap();
            c.outbox_put(&item("carol", 1, 300, "third")).await.unwrap();
            c.outbox_put(&item("bob", 2, 200, "second, edited"))
                .await
                .unwrap();
            let list = c.outbox().await.unwrap();
            let keys: Vec<_> = list.iter().map(|i| (i.to.to_string(), i.random)).collect();
            assert_eq!(
                keys,
                [("bob".into(), 1), ("bob".into(), 2), ("carol".into(), 1)]
            );
            assert_eq!(list[1], item("bob", 2, 200, "second, edited"));
            c.outbox_remove(&uid("bob"), 1).await.unwrap();
            c.outbox_remove(&uid("bob"), 99).await.unwrap();
            assert_eq!(c.outbox().await.unwrap().len(), 2);
        }

        #[$test]
        async fn profiles_and_relations() {
            let c = $open("profiles").await;
            let p = Profile {
                user_id: uid("bob"),
                nick: "Bob".into(),
                avatar: "https://x/b.png".into(),
                details: protocol::ProfileDetails {
                    location: Some("Lyon".into()),
                    ..Default::default()
                },
            };
            c.put_profiles(std::slice::from_ref(&p)).await.unwrap();
            assert_eq!(c.profile(&uid("bob")).await.unwrap(), Some(p));
            assert_eq!(c.profile(&uid("zed")).await.unwrap(), None);
            let friends = [RelationEntry {
                user_id: uid("bob"),
                since_ms: 5,
                fields: protocol::RelationFields {
                    remark: "Bobby".into(),
                    ..Default::default()
                },
                read: false,
            }];
            c.set_relations(Relation::Friend, &friends).await.unwrap();
            assert_eq!(c.relations(Relation::Friend).await.unwrap(), friends);
            let read = [RelationEntry {
                read: true,
                ..friends[0].clone()
            }];
            c.set_relations(Relation::ApplicationReceived, &read)
                .await
                .unwrap();
            assert_eq!(
                c.relations(Relation::ApplicationReceived).await.unwrap(),
                read
            );
            assert!(c.relations(Relation::Blacklist).await.unwrap().is_empty());
            c.set_relations(Relation::Friend, &[]).await.unwrap();
            assert!(c.relations(Relation::Friend).await.unwrap().is_empty());
        }
    };
}

pub(crate) use cache_conformance;
