//! Online, offline, multi-device, history and retention flows over real WebSockets against a
//! real server with SQLite in a temp dir.

mod common;

use common::*;
use protocol::frame::{ConversationChange, Reply, Request, ServerFrame};
use protocol::{Relation, Seq, SyncEvent};
use server::storage::DAY_MS;
use std::time::Duration;

#[tokio::test]
async fn online_message_is_pushed_at_once() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web-1").await;
    let mut alice = server.login("alice", "web-1").await;
    let (sent, seq, duplicate) = alice.send_text("bob", 1, "hello bob").await;
    assert!(!duplicate);
    assert_eq!(seq, Seq(1));
    let got = bob.push_message().await;
    assert_eq!(got, sent);
    assert_eq!(text_of(&got), "hello bob");
    assert_eq!(got.from.as_str(), "alice");
    // The sending device is not sent its own entry back (its reply carried the sequence): the
    // next thing alice's device receives is bob's answer.
    let (answer, _, _) = bob.send_text("alice", 1, "hello alice").await;
    let next = alice.push().await;
    assert_eq!(next.seq, Seq(2));
    assert_eq!(next.event, SyncEvent::Message { message: answer });
}

#[tokio::test]
async fn offline_messages_arrive_at_login_in_order() {
    let server = TestServer::start().await;
    server.login("bob", "web-1").await; // creates the account
    let mut alice = server.login("alice", "web-1").await;
    let mut sent = Vec::new();
    for i in 0..30 {
        sent.push(alice.send_text("bob", i, &format!("offline {i}")).await.0);
    }
    let mut bob = server.connect().await;
    let reply = bob.login("bob", &server.sig("bob"), "web-1").await;
    let ServerFrame::Reply {
        data: Reply::LoggedIn { latest_seq, .. },
        ..
    } = reply
    else {
        panic!("{reply:?}")
    };
    assert_eq!(latest_seq, Seq(30));
    let (entries, cursor, gap) = bob.sync_all(Seq(0), 7).await;
    assert!(!gap);
    assert_eq!(cursor, Seq(30));
    let got: Vec<_> = messages(&entries).into_iter().cloned().collect();
    assert_eq!(got, sent);
    let Reply::Conversations { conversations } = bob.ok(Request::Conversations).await else {
        panic!()
    };
    assert_eq!(conversations.len(), 1);
    assert_eq!(conversations[0].peer.as_str(), "alice");
    assert_eq!(conversations[0].unread, 30);
    assert_eq!(conversations[0].last_message.as_ref(), sent.last());
}

#[tokio::test]
async fn every_device_sees_incoming_and_its_siblings_sends() {
    let server = TestServer::start().await;
    let mut bob1 = server.login("bob", "phone").await;
    let mut bob2 = server.login("bob", "laptop").await;
    let mut alice = server.login("alice", "web").await;
    let (m, _, _) = alice.send_text("bob", 1, "to both").await;
    assert_eq!(bob1.push_message().await, m);
    assert_eq!(bob2.push_message().await, m);
    let (reply, seq, _) = bob1.send_text("alice", 2, "from the phone").await;
    // The sibling device gets it as an outgoing message, with the sequence the sender was told.
    let on_laptop = bob2.push().await;
    assert_eq!(on_laptop.seq, seq);
    assert_eq!(
        on_laptop.event,
        SyncEvent::Message {
            message: reply.clone()
        }
    );
    assert_eq!(alice.push_message().await, reply);
}

#[tokio::test]
async fn read_state_reaches_the_other_devices() {
    let server = TestServer::start().await;
    let mut bob1 = server.login("bob", "phone").await;
    let mut bob2 = server.login("bob", "laptop").await;
    let mut alice = server.login("alice", "web").await;
    let (m, _, _) = alice.send_text("bob", 1, "read me").await;
    bob1.push().await;
    bob2.push().await;
    let Reply::MarkedRead { seq } = bob1.ok(Request::MarkRead { peer: uid("alice") }).await else {
        panic!()
    };
    let entry = bob2.push().await;
    assert_eq!(entry.seq, seq);
    assert_eq!(
        entry.event,
        SyncEvent::Read {
            peer: uid("alice"),
            up_to: Some(m.key)
        }
    );
    let Reply::Conversations { conversations } = bob2.ok(Request::Conversations).await else {
        panic!()
    };
    assert_eq!(conversations[0].unread, 0);
}

#[tokio::test]
async fn history_pages_back_through_roaming() {
    let server = TestServer::start().await;
    server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let mut sent = Vec::new();
    for i in 0..25 {
        sent.push(alice.send_text("bob", i, &format!("h{i}")).await.0);
    }
    let mut bob = server.login("bob", "web2").await;
    let Reply::History { messages, complete } = bob
        .ok(Request::History {
            peer: uid("alice"),
            before: None,
            limit: 10,
        })
        .await
    else {
        panic!()
    };
    assert!(!complete);
    assert_eq!(text_of(&messages[0]), "h24");
    let all = bob.history("alice", 10).await;
    sent.reverse();
    assert_eq!(all, sent);
}

#[tokio::test]
async fn the_101st_contact_evicts_the_oldest() {
    let server = TestServer::start().await;
    server.login("target", "web").await;
    for i in 0..101 {
        let name = format!("user{i:03}");
        let mut c = server.login(&name, "web").await;
        c.send_text("target", 1, "hi").await;
    }
    let mut target = server.login("target", "web2").await;
    let Reply::Conversations { conversations } = target.ok(Request::Conversations).await else {
        panic!()
    };
    assert_eq!(conversations.len(), 100);
    assert_eq!(conversations[0].peer.as_str(), "user100");
    assert!(conversations.iter().all(|c| c.peer.as_str() != "user000"));
    assert!(conversations.iter().any(|c| c.peer.as_str() == "user001"));
}

#[tokio::test]
async fn offline_cache_overflow_is_found_through_history() {
    let server = TestServer::start().await; // default 30 KB offline cache
    server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let body = "x".repeat(1000);
    for i in 0..60 {
        alice.send_text("bob", i, &format!("{i:02}{body}")).await;
    }
    let mut bob = server.login("bob", "web2").await;
    let (entries, cursor, gap) = bob.sync_all(Seq(0), 100).await;
    assert!(
        gap,
        "the client is told that older entries left the offline cache"
    );
    assert_eq!(cursor, Seq(60));
    let cached = messages(&entries);
    assert!(
        cached.len() < 60 && cached.len() >= 25,
        "about 30 KB kept, got {}",
        cached.len()
    );
    assert!(text_of(cached.last().unwrap()).starts_with("59"));
    let all = bob.history("alice", 20).await;
    assert_eq!(all.len(), 60, "roaming still has every message");
    assert!(text_of(all.last().unwrap()).starts_with("00"));
}

#[tokio::test]
async fn seven_days_later_the_background_pass_has_expired_everything() {
    let server = TestServer::start_with(|c| c.expiry_interval = Duration::from_millis(50)).await;
    server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    alice.send_text("bob", 1, "ephemeral").await;
    server.clock.advance_ms(6 * DAY_MS);
    alice.send_text("bob", 2, "younger").await;
    server.clock.advance_ms(DAY_MS + 1000);
    // The first message is 7 days + 1 s old, the second one day old.
    let db = server.dir.path().join(server::DATABASE_FILE);
    let count = |sql: &str| {
        let conn = r2d2_sqlite::rusqlite::Connection::open(&db).unwrap();
        conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap()
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    while count("SELECT COUNT(*) FROM messages") != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "expiry pass did not run"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        count("SELECT COUNT(*) FROM sync_log"),
        2,
        "one entry per side for the young message"
    );
    let mut bob = server.login("bob", "web2").await;
    let history = bob.history("alice", 10).await;
    assert_eq!(history.iter().map(text_of).collect::<Vec<_>>(), ["younger"]);
}

#[tokio::test]
async fn a_retry_is_stored_and_delivered_once() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let (first, seq, dup) = alice.send_text("bob", 777, "only once").await;
    assert!(!dup);
    let (again, seq2, dup2) = alice.send_text("bob", 777, "only once").await;
    assert!(dup2);
    assert_eq!((again, seq2), (first.clone(), seq));
    // A different message after the retry is the next thing bob sees: no second copy between.
    alice.send_text("bob", 778, "next").await;
    assert_eq!(bob.push_message().await, first);
    assert_eq!(text_of(&bob.push_message().await), "next");
    let (entries, _, _) = bob.sync_all(Seq(0), 50).await;
    assert_eq!(messages(&entries).len(), 2);
    assert_eq!(bob.history("alice", 50).await.len(), 2);
}

#[tokio::test]
async fn a_second_login_of_one_device_replaces_the_first() {
    let server = TestServer::start().await;
    let mut old = server.login("bob", "web").await;
    let _new = server.login("bob", "web").await;
    match old.frame().await {
        ServerFrame::Kicked { .. } => {}
        other => panic!("expected kicked, got {other:?}"),
    }
    assert_eq!(old.closed().await, 4001);
}

#[tokio::test]
async fn shutdown_says_going_away_and_restart_resumes() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let mut acked = Vec::new();
    for i in 0..20 {
        acked.push(alice.send_text("bob", i, &format!("keep {i}")).await.0);
    }
    let dir = server.stop().await;
    assert_eq!(bob.closed().await, 1001);
    let server = TestServer::start_in(dir, |_| {}).await;
    let mut bob = server.login("bob", "web").await;
    let (entries, _, _) = bob.sync_all(Seq(0), 100).await;
    let got: Vec<_> = messages(&entries).into_iter().cloned().collect();
    assert_eq!(got, acked);
}

#[tokio::test]
async fn logout_answers_then_closes_normally() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    assert_eq!(bob.ok(Request::Logout).await, Reply::LoggedOut);
    assert_eq!(bob.closed().await, 1000);
}

#[tokio::test]
async fn a_silent_connection_is_closed_as_going_away() {
    let server = TestServer::start_with(|c| c.ws.idle_timeout = Duration::from_millis(300)).await;
    let mut bob = server.login("bob", "web").await;
    assert_eq!(bob.closed().await, 1001);
}

#[tokio::test]
async fn a_user_recalls_its_own_message_within_the_window() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let (m, _, _) = alice.send_text("bob", 1, "oops").await;
    bob.push().await;
    let recall = |key| Request::Recall {
        peer: uid("bob"),
        key,
    };
    let not_hers = bob
        .request(Request::Recall {
            peer: uid("alice"),
            key: m.key,
        })
        .await;
    let ServerFrame::Error { code, message, .. } = not_hers else {
        panic!("recalling the peer's message is refused, got {not_hers:?}")
    };
    assert_eq!(code, protocol::ErrorCode::MESSAGE_NOT_FOUND);
    assert!(
        message.contains("only its sender can recall"),
        "the refusal says why: {message}"
    );
    assert_eq!(
        alice.ok(recall(m.key)).await,
        Reply::Recalled { key: m.key }
    );
    let e = bob.push().await;
    assert_eq!(
        e.event,
        SyncEvent::Recalled {
            peer: uid("alice"),
            key: m.key
        }
    );
    assert_eq!(
        alice.err(recall(m.key)).await,
        protocol::ErrorCode::ALREADY_RECALLED
    );
    let (late, _, _) = alice.send_text("bob", 2, "too late to take back").await;
    server.clock.advance_ms(121_000);
    assert_eq!(
        alice.err(recall(late.key)).await,
        protocol::ErrorCode::RECALL_TIME_LIMIT
    );
}

#[tokio::test]
async fn a_user_deletes_messages_from_its_history_on_all_its_devices() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut bob_phone = server.login("bob", "phone").await;
    let mut alice = server.login("alice", "web").await;
    let (one, _, _) = alice.send_text("bob", 1, "one").await;
    let (two, _, _) = alice.send_text("bob", 2, "two").await;
    for _ in 0..2 {
        bob.push().await;
        bob_phone.push().await;
    }
    let delete = |keys| Request::DeleteMessages {
        peer: uid("alice"),
        keys,
    };
    let mut alien = one.key;
    alien.id += 1000;
    assert_eq!(
        bob.err(delete(vec![one.key, alien])).await,
        protocol::ErrorCode::MESSAGE_NOT_FOUND,
        "a key that is not a message between them refuses the request"
    );
    assert_eq!(
        bob.err(delete(Vec::new())).await,
        protocol::ErrorCode::INVALID_ARGUMENT
    );
    assert_eq!(
        bob.err(delete(vec![one.key; 31])).await,
        protocol::ErrorCode::INVALID_ARGUMENT,
        "at most 30 per request"
    );
    let Reply::Deleted { seq } = bob.ok(delete(vec![one.key])).await else {
        panic!("expected deleted")
    };
    let e = bob_phone.push().await;
    assert_eq!(e.seq, seq);
    assert_eq!(
        e.event,
        SyncEvent::Deleted {
            peer: uid("alice"),
            keys: vec![one.key]
        }
    );
    let messages = bob.history("alice", 10).await;
    assert_eq!(
        messages.iter().map(|m| m.key).collect::<Vec<_>>(),
        [two.key]
    );
    let messages = alice.history("bob", 10).await;
    assert_eq!(messages.len(), 2, "the peer keeps its copy");
}

#[tokio::test]
async fn an_online_only_message_reaches_the_devices_online_now_and_is_kept_nowhere() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let mut alice_phone = server.login("alice", "phone").await;
    let online = |to: &str, random, body: &str| Request::Send {
        to: uid(to),
        random,
        elements: text(body),
        cloud_custom_data: None,
        online_only: true,
        offline_push_info: None,
        need_read_receipt: false,
        client_time_s: 0,
    };
    let Reply::Sent { key, seq, .. } = alice.ok(online("bob", 1, "typing…")).await else {
        panic!("expected sent")
    };
    assert_eq!((key.id, seq), (0, Seq(0)), "in no log, numbered 0");
    for device in [&mut bob, &mut alice_phone] {
        let e = device.push().await;
        assert_eq!(e.seq, Seq(0));
        let SyncEvent::Message { message } = &e.event else {
            panic!("expected a message")
        };
        assert_eq!((message.key, message.from.as_str()), (key, "alice"));
    }
    let messages = bob.history("alice", 10).await;
    assert!(messages.is_empty(), "not in history");
    let (entries, _, _) = bob.sync_all(Seq(0), 100).await;
    assert!(entries.is_empty(), "not in the sync log");
    let Reply::Conversations { conversations } = bob.ok(Request::Conversations).await else {
        panic!()
    };
    assert!(conversations.iter().all(|c| c.unread == 0));

    // Carol is offline: nothing waits for her.
    server
        .rest(
            "im_open_login_svc/account_import",
            serde_json::json!({ "UserID": "carol" }),
        )
        .await;
    alice.ok(online("carol", 2, "are you there?")).await;
    let mut carol = server.login("carol", "web").await;
    let (entries, _, _) = carol.sync_all(Seq(0), 100).await;
    assert!(
        entries.is_empty(),
        "an online-only message is not kept for later"
    );

    // The same rules as any message, and the push settings are checked.
    bob.ok(Request::RelationAdd {
        relation: Relation::Blacklist,
        users: vec![uid("alice")],
        fields: Default::default(),
    })
    .await;
    assert_eq!(
        alice.err(online("bob", 3, "let me in")).await,
        protocol::ErrorCode::BLOCKED
    );
    let too_long = protocol::push::OfflinePushInfo {
        desc: "x".repeat(protocol::push::PUSH_TEXT_MAX_BYTES + 1),
        ..Default::default()
    };
    let code = alice
        .err(Request::Send {
            to: uid("carol"),
            random: 4,
            elements: text("hi"),
            cloud_custom_data: None,
            online_only: false,
            offline_push_info: Some(Box::new(too_long)),
            need_read_receipt: false,
            client_time_s: 0,
        })
        .await;
    assert_eq!(code, protocol::ErrorCode::INVALID_ARGUMENT);

    // The REST API's `MsgLifeTime` 0 is the same.
    let body = serde_json::json!({
        "To_Account": "carol", "MsgRandom": 5, "MsgLifeTime": 0,
        "MsgBody": [{ "MsgType": "TIMTextElem", "MsgContent": { "Text": "from the backend" } }],
    });
    assert_eq!(server.rest("openim/sendmsg", body).await["ErrorCode"], 0);
    assert_eq!(carol.push().await.seq, Seq(0));
    let (entries, _, _) = carol.sync_all(Seq(0), 100).await;
    assert!(entries.is_empty());
}

#[tokio::test]
async fn the_composing_time_is_kept_as_the_sender_gave_it() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let send = |random, client_time_s| Request::Send {
        to: uid("bob"),
        random,
        elements: text("hi"),
        cloud_custom_data: None,
        client_time_s,
        online_only: false,
        offline_push_info: None,
        need_read_receipt: false,
    };
    alice.ok(send(1, 1_000)).await;
    let m = bob.push_message().await;
    assert_eq!(
        m.client_time_s, 1_000,
        "even from a wrong clock: it names the message"
    );
    assert_eq!(m.id(), "alice-1000-1");
    assert_eq!(
        alice.err(send(2, 1 << 53)).await,
        protocol::ErrorCode::INVALID_ARGUMENT
    );
}

#[tokio::test]
async fn an_edit_reaches_every_device_of_both_users_and_an_offline_one_catches_up() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "phone").await;
    let mut alice2 = server.login("alice", "laptop").await;
    let (m, _, _) = alice.send_text("bob", 1, "see you at 5").await;
    bob.push().await;
    alice2.push().await;
    let edit = |version, text: &str| Request::Edit {
        peer: uid("bob"),
        key: m.key,
        version,
        elements: Some(common::text(text)),
        cloud_custom_data: None,
    };
    let Reply::Edited { message } = alice.ok(edit(0, "see you at 6")).await else {
        panic!("not an edit answer")
    };
    assert_eq!((text_of(&message), message.version), ("see you at 6", 1));
    for c in [&mut bob, &mut alice, &mut alice2] {
        let e = c.push().await;
        assert_eq!(
            e.event,
            SyncEvent::Edited {
                message: (*message).clone()
            }
        );
    }
    // An edit from the version before loses: nothing changes and nobody hears of it.
    assert_eq!(alice2.err(edit(0, "see you at 7")).await.0, 2480);
    // The recipient sets custom data (a reply count, say) but cannot change the words.
    let by_bob = |elements, data: &str| Request::Edit {
        peer: uid("alice"),
        key: m.key,
        version: 1,
        elements,
        cloud_custom_data: Some(data.into()),
    };
    assert_eq!(
        bob.err(by_bob(Some(common::text("no")), "x")).await.0,
        60015
    );
    let Reply::Edited { message } = bob.ok(by_bob(None, "{\"replies\":1}")).await else {
        panic!("not an edit answer")
    };
    assert_eq!(text_of(&message), "see you at 6");
    // A device that was away catches up from its cursor and sees the newest version only.
    let mut alice3 = server.login("alice", "tablet").await;
    let (entries, _, _) = alice3.sync_all(Seq(0), 10).await;
    let versions: Vec<_> = entries
        .iter()
        .map(|e| match &e.event {
            SyncEvent::Message { message } | SyncEvent::Edited { message } => {
                (message.version, text_of(message).to_owned())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(versions, vec![(2, "see you at 6".to_owned()); 3]);
    // Nobody edits a conversation it is not in.
    let mut carol = server.login("carol", "web").await;
    let stranger = Request::Edit {
        peer: uid("bob"),
        key: m.key,
        version: 2,
        elements: None,
        cloud_custom_data: Some("x".into()),
    };
    assert_eq!(carol.err(stranger).await.0, 20022);
}

#[tokio::test]
async fn read_receipts_reach_the_senders_devices_once_and_only_from_the_recipient() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "phone").await;
    let mut alice2 = server.login("alice", "laptop").await;
    let asking = |random, body: &str| match send_request("bob", random, body) {
        Request::Send {
            to,
            random,
            elements,
            ..
        } => Request::Send {
            to,
            random,
            elements,
            cloud_custom_data: None,
            client_time_s: 0,
            online_only: false,
            offline_push_info: None,
            need_read_receipt: true,
        },
        _ => unreachable!(),
    };
    let Reply::Sent { key, .. } = alice.ok(asking(1, "did you read this?")).await else {
        panic!("not a send answer")
    };
    let (plain, _, _) = alice.send_text("bob", 2, "no receipt asked").await;
    for c in [&mut bob, &mut alice2] {
        let first = c.push().await;
        let SyncEvent::Message { message } = &first.event else {
            panic!("{first:?}")
        };
        assert!(message.need_read_receipt && message.receipt_ms == 0);
        c.push().await;
    }
    let receipt = |peer: &str, keys| Request::ReadReceipt {
        peer: uid(peer),
        keys,
    };
    // The sender, a message that asked for none, no message, too many, a stranger: refused.
    assert_eq!(alice.err(receipt("bob", vec![key])).await.0, 60006);
    assert_eq!(bob.err(receipt("alice", vec![plain.key])).await.0, 60006);
    assert_eq!(bob.err(receipt("alice", vec![])).await.0, 60006);
    assert_eq!(bob.err(receipt("alice", vec![key; 101])).await.0, 60006);
    let mut carol = server.login("carol", "web").await;
    assert_eq!(carol.err(receipt("alice", vec![key])).await.0, 20022);
    assert_eq!(
        bob.ok(receipt("alice", vec![key])).await,
        Reply::ReceiptsSent
    );
    let mut receipted = None;
    for c in [&mut alice, &mut alice2, &mut bob] {
        let entry = c.push().await;
        let SyncEvent::ReadReceipt { message } = &entry.event else {
            panic!("{entry:?}")
        };
        assert_eq!(message.key, key);
        assert!(message.receipt_ms >= message.time_ms);
        receipted.get_or_insert_with(|| message.clone());
        assert_eq!(Some(message), receipted.as_ref());
    }
    // Again (another device of bob's, a retry): nothing changes, nobody hears of it.
    assert_eq!(
        bob.ok(receipt("alice", vec![key, key])).await,
        Reply::ReceiptsSent
    );
    bob.send_text("alice", 3, "next").await;
    let next = alice.push().await;
    assert!(matches!(&next.event, SyncEvent::Message { message } if text_of(message) == "next"));
    // History keeps the receipt for a device that comes later.
    let history = server
        .login("alice", "tablet")
        .await
        .history("bob", 10)
        .await;
    assert_eq!(history.last(), receipted.as_ref());
    // An online-only message is stored nowhere: it asks for no receipt.
    let mut online = asking(4, "only now");
    if let Request::Send { online_only, .. } = &mut online {
        *online_only = true;
    }
    alice.ok(online).await;
    let pushed = bob.push().await;
    let SyncEvent::Message { message } = &pushed.event else {
        panic!("{pushed:?}")
    };
    assert_eq!(
        (pushed.seq, message.need_read_receipt),
        (Seq(0), false),
        "{message:?}"
    );
}

#[tokio::test]
async fn conversation_state_reaches_every_device_of_the_user_only() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "phone").await;
    let mut alice2 = server.login("alice", "laptop").await;
    alice.send_text("bob", 1, "hi").await;
    bob.push().await;
    alice2.push().await;
    let set = |pinned, draft: Option<&str>| Request::ConversationSet {
        peer: uid("bob"),
        change: ConversationChange {
            pinned,
            draft: draft.map(str::to_owned),
            ..Default::default()
        },
    };
    let Reply::ConversationState {
        seq, pinned, draft, ..
    } = alice.ok(set(Some(true), Some("and also"))).await
    else {
        panic!("not a state answer")
    };
    assert!(pinned && draft == "and also");
    let e = alice2.push().await;
    assert_eq!(e.seq, seq);
    let state = |marks, custom_data: &str| SyncEvent::ConversationState {
        peer: uid("bob"),
        pinned: true,
        draft: "and also".into(),
        marks,
        custom_data: custom_data.into(),
        conversation_groups: Vec::new(),
    };
    assert_eq!(e.event, state(0, ""));
    let Reply::Conversations { conversations } = alice2.ok(Request::Conversations).await else {
        panic!("not conversations")
    };
    assert!(conversations[0].pinned && conversations[0].state_seq == seq);
    let change = |mark, unmark, custom_data: Option<String>| Request::ConversationSet {
        peer: uid("bob"),
        change: ConversationChange {
            mark,
            unmark,
            custom_data,
            ..Default::default()
        },
    };
    // Marks (a star and an app's own, bit 40) and custom data, kept with the rest.
    let marked = change(1 | 1 << 40, 0, Some("folder: work".into()));
    let Reply::ConversationState { seq, marks, .. } = alice.ok(marked).await else {
        panic!("not a state answer")
    };
    assert_eq!(marks, 1 | 1 << 40);
    let e = alice2.push().await;
    assert_eq!(
        (e.seq, &e.event),
        (seq, &state(1 | 1 << 40, "folder: work"))
    );
    let unstar = change(0, 1, None);
    let Reply::ConversationState {
        marks, custom_data, ..
    } = alice.ok(unstar).await
    else {
        panic!("not a state answer")
    };
    assert_eq!((marks, custom_data.as_str()), (1 << 40, "folder: work"));
    assert_eq!(alice2.push().await.event, state(1 << 40, "folder: work"));
    // Bounded, and only for a conversation that exists; bob hears nothing of it.
    assert_eq!(alice.err(set(None, Some(&"x".repeat(2049)))).await.0, 60006);
    assert_eq!(alice.err(set(None, None)).await.0, 60006);
    let too_long = change(0, 0, Some("x".repeat(257)));
    assert_eq!(alice.err(too_long).await.0, 60006);
    let both = change(2, 2, None);
    assert_eq!(alice.err(both).await.0, 60006);
    let stranger = Request::ConversationSet {
        peer: uid("carol"),
        change: ConversationChange {
            pinned: Some(true),
            ..Default::default()
        },
    };
    assert_eq!(alice.err(stranger).await.0, 60016);
    // Conversation groups: joined and left by name, on every device of the user.
    let group = |join: Option<&str>, leave: Option<&str>| Request::ConversationSet {
        peer: uid("bob"),
        change: ConversationChange {
            join_group: join.map(str::to_owned),
            leave_group: leave.map(str::to_owned),
            ..Default::default()
        },
    };
    let Reply::ConversationState {
        seq,
        conversation_groups,
        ..
    } = alice.ok(group(Some("work"), None)).await
    else {
        panic!("not a state answer")
    };
    assert_eq!(conversation_groups, ["work"]);
    let e = alice2.push().await;
    let SyncEvent::ConversationState {
        conversation_groups,
        ..
    } = &e.event
    else {
        panic!("not a state entry: {e:?}")
    };
    assert_eq!(
        (e.seq, conversation_groups.as_slice()),
        (seq, &["work".to_owned()][..])
    );
    for bad in ["", &"g".repeat(33), "two\nlines"] {
        assert_eq!(alice.err(group(Some(bad), None)).await.0, 60006, "{bad:?}");
    }
    assert_eq!(alice.err(group(Some("work"), Some("work"))).await.0, 60006);
    let Reply::ConversationState {
        conversation_groups,
        ..
    } = alice.ok(group(None, Some("work"))).await
    else {
        panic!("not a state answer")
    };
    assert!(conversation_groups.is_empty());
    assert!(
        bob.try_request(Request::Ping)
            .await
            .is_some_and(|f| matches!(
                f,
                ServerFrame::Reply {
                    data: Reply::Pong { .. },
                    ..
                }
            ))
    );
}
