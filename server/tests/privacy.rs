//! What one user can do to another: friend relations need both sides, a blocked user can make
//! none, and read receipts neither flood a peer's sync log nor push its messages out of the
//! offline cache.

mod common;

use common::*;
use protocol::frame::{Reply, Request};
use protocol::{ErrorCode, Relation, Seq, SyncEvent};
use server::clock::Clock;

async fn add(client: &mut Client, relation: Relation, user: &str) -> ErrorCode {
    let Reply::RelationResults { results } = client
        .ok(Request::RelationAdd {
            relation,
            users: vec![uid(user)],
            fields: Default::default(),
        })
        .await
    else {
        panic!("relation_add answers relation_results")
    };
    results[0].code
}

async fn friends_of(client: &mut Client) -> Vec<String> {
    (list(client, Relation::Friend).await.into_iter())
        .map(|e| e.user_id.to_string())
        .collect()
}

async fn list(client: &mut Client, relation: Relation) -> Vec<protocol::RelationEntry> {
    let Reply::Relations { entries, .. } = client.ok(Request::RelationList { relation }).await
    else {
        panic!("relation_list answers relations")
    };
    entries
}

#[tokio::test]
async fn a_friend_add_is_an_application_until_the_other_side_adds_back() {
    let server = TestServer::start_with(|c| c.friends_only = true).await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    assert_eq!(
        alice.send_text_err("bob", 1, "hi").await,
        ErrorCode::NOT_FRIENDS
    );
    assert_eq!(
        add(&mut alice, Relation::Friend, "bob").await,
        ErrorCode::FRIEND_APPLICATION_PENDING
    );
    assert!(
        friends_of(&mut alice).await.is_empty(),
        "asked, not yet friends"
    );
    assert!(friends_of(&mut bob).await.is_empty(), "bob's list is his");
    assert_eq!(
        alice.send_text_err("bob", 1, "hi").await,
        ErrorCode::NOT_FRIENDS,
        "an application does not satisfy friends-only"
    );
    assert_eq!(add(&mut bob, Relation::Friend, "alice").await, ErrorCode(0));
    assert_eq!(friends_of(&mut alice).await, ["bob"]);
    alice.send_text("bob", 1, "hi").await;
    let (entries, _, _) = bob.sync_all(Seq(0), 200).await;
    let changes: Vec<_> = entries
        .iter()
        .filter_map(|e| match &e.event {
            SyncEvent::Relations {
                relation,
                added,
                removed,
                ..
            } => Some((*relation, added.len(), removed.len())),
            _ => None,
        })
        .collect();
    assert_eq!(
        changes,
        [
            (Relation::ApplicationReceived, 1, 0),
            (Relation::Friend, 1, 0),
            (Relation::ApplicationReceived, 0, 1)
        ],
        "asked, became friends by adding back, the application closed"
    );
}

#[tokio::test]
async fn applications_read_on_one_device_are_read_on_all_and_newer_ones_are_not() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut bob_phone = server.login("bob", "phone").await;
    for applicant in ["alice", "carol"] {
        let mut c = server.login(applicant, "web").await;
        assert_eq!(
            add(&mut c, Relation::Friend, "bob").await,
            ErrorCode::FRIEND_APPLICATION_PENDING
        );
    }
    let read = |entries: Vec<protocol::RelationEntry>| -> Vec<(String, bool)> {
        entries
            .into_iter()
            .map(|e| (e.user_id.to_string(), e.read))
            .collect()
    };
    assert_eq!(
        read(list(&mut bob, Relation::ApplicationReceived).await),
        [("alice".to_owned(), false), ("carol".to_owned(), false)]
    );
    let Reply::MarkedRead { seq } = bob.ok(Request::ApplicationsRead).await else {
        panic!("applications_read answers marked_read")
    };
    // Bob's phone is told (after the two applications), and lists them read.
    loop {
        let entry = bob_phone.push().await;
        if entry.event == SyncEvent::ApplicationsRead {
            assert_eq!(entry.seq, seq);
            break;
        }
    }
    assert_eq!(
        read(list(&mut bob_phone, Relation::ApplicationReceived).await),
        [("alice".to_owned(), true), ("carol".to_owned(), true)]
    );
    // A newer application is not read; the applicants' own lists know nothing of it.
    server.clock.advance_ms(1_000);
    let mut dave = server.login("dave", "web").await;
    add(&mut dave, Relation::Friend, "bob").await;
    assert_eq!(
        read(list(&mut bob, Relation::ApplicationReceived).await),
        [
            ("alice".to_owned(), true),
            ("carol".to_owned(), true),
            ("dave".to_owned(), false)
        ]
    );
    assert!(
        list(&mut dave, Relation::ApplicationSent)
            .await
            .iter()
            .all(|e| !e.read)
    );
}

/// Each user's side of a friendship, as `friend_check` answers it to `client`: whether it is
/// on `client`'s list, and `client` on its.
async fn check(client: &mut Client, users: &[&str]) -> Vec<(String, bool, bool)> {
    let Reply::FriendChecks { mine, theirs } = client
        .ok(Request::FriendCheck {
            users: users.iter().map(|u| uid(u)).collect(),
        })
        .await
    else {
        panic!("friend_check answers friend_checks")
    };
    (users.iter())
        .map(|u| {
            (
                u.to_string(),
                mine.contains(&uid(u)),
                theirs.contains(&uid(u)),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_friend_check_tells_each_side_of_a_one_way_friendship() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "web").await;
    let mut bob = server.login("bob", "web").await;
    server.login("carol", "web").await;
    assert_eq!(
        add(&mut alice, Relation::Friend, "bob").await,
        ErrorCode::FRIEND_APPLICATION_PENDING
    );
    let pending = check(&mut alice, &["bob"]).await;
    assert_eq!(
        pending,
        [("bob".into(), false, false)],
        "an application is no friendship"
    );
    // Accepted one way: alice lists bob, bob does not list alice.
    let Reply::RelationResults { results } = bob
        .ok(Request::ApplicationAccept {
            user: uid("alice"),
            both: false,
            fields: Default::default(),
        })
        .await
    else {
        panic!("application_accept answers relation_results")
    };
    assert_eq!(results[0].code, ErrorCode(0));
    assert_eq!(
        check(&mut alice, &["bob", "carol", "alice"]).await,
        [
            ("bob".into(), true, false),
            ("carol".into(), false, false),
            ("alice".into(), false, false),
        ]
    );
    assert_eq!(
        check(&mut bob, &["alice"]).await,
        [("alice".into(), false, true)]
    );
    // Bob's own application, accepted, makes it both ways.
    assert_eq!(
        add(&mut bob, Relation::Friend, "alice").await,
        ErrorCode::FRIEND_APPLICATION_PENDING
    );
    alice
        .ok(Request::ApplicationAccept {
            user: uid("bob"),
            both: false,
            fields: Default::default(),
        })
        .await;
    assert_eq!(
        check(&mut bob, &["alice"]).await,
        [("alice".into(), true, true)]
    );
    let too_many = (0..=protocol::frame::MAX_CHECK_PER_REQUEST)
        .map(|i| uid(&format!("u{i}")))
        .collect();
    assert_eq!(
        alice.err(Request::FriendCheck { users: too_many }).await,
        ErrorCode::TOO_MANY_ACCOUNTS
    );
}

#[tokio::test]
async fn the_remark_given_with_an_application_stays_the_applicants_and_names_the_new_friend() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "web").await;
    let mut bob = server.login("bob", "web").await;
    let mut carol = server.login("carol", "web").await;
    for (applicant, remark) in [(&mut alice, "Bob from the club"), (&mut carol, "Bobby")] {
        let fields = protocol::RelationFields {
            remark: remark.into(),
            wording: "hello".into(),
            source: "AddSource_Type_Web".into(),
        };
        applicant
            .ok(Request::RelationAdd {
                relation: Relation::Friend,
                users: vec![uid("bob")],
                fields,
            })
            .await;
    }
    let received = list(&mut bob, Relation::ApplicationReceived).await;
    assert_eq!(received.len(), 2);
    for entry in &received {
        assert_eq!(entry.fields.wording, "hello", "the wording is for bob");
        assert_eq!(entry.fields.remark, "", "the remark is not");
    }
    for (user, both) in [("alice", false), ("carol", true)] {
        bob.ok(Request::ApplicationAccept {
            user: uid(user),
            both,
            fields: protocol::RelationFields {
                remark: format!("{user} (bob's)"),
                ..Default::default()
            },
        })
        .await;
    }
    let fields =
        |entries: Vec<protocol::RelationEntry>| -> Vec<(String, protocol::RelationFields)> {
            (entries.into_iter())
                .map(|e| (e.user_id.to_string(), e.fields))
                .collect()
        };
    // The applicant's new entry keeps what it applied with, as Tencent's friend entry keeps
    // `Tag_SNS_IM_AddWording` and `Tag_SNS_IM_AddSource`.
    let applied = |remark: &str| protocol::RelationFields {
        remark: remark.into(),
        wording: "hello".into(),
        source: "AddSource_Type_Web".into(),
    };
    assert_eq!(
        fields(list(&mut alice, Relation::Friend).await),
        [("bob".into(), applied("Bob from the club"))],
        "accepted one way"
    );
    assert_eq!(
        fields(list(&mut carol, Relation::Friend).await),
        [("bob".into(), applied("Bobby"))],
        "accepted both ways"
    );
    assert_eq!(
        fields(list(&mut bob, Relation::Friend).await),
        [(
            "carol".into(),
            protocol::RelationFields {
                remark: "carol (bob's)".into(),
                ..Default::default()
            }
        )],
        "bob's own remark, on his entry only"
    );
}

#[tokio::test]
async fn a_blocked_user_can_make_no_friend_relation_with_the_blocker() {
    let server = TestServer::start_with(|c| c.friends_only = true).await;
    let mut bob = server.login("bob", "web").await;
    let mut mallory = server.login("mallory", "web").await;
    assert_eq!(
        add(&mut bob, Relation::Blacklist, "mallory").await,
        ErrorCode(0)
    );
    assert_eq!(
        add(&mut mallory, Relation::Friend, "bob").await,
        ErrorCode::BLOCKED_BY_PEER
    );
    assert!(friends_of(&mut mallory).await.is_empty());
    assert_eq!(
        mallory.send_text_err("bob", 1, "let me in").await,
        ErrorCode::BLOCKED
    );
    // Blocking back only restricts, so it stays allowed.
    assert_eq!(
        add(&mut mallory, Relation::Blacklist, "bob").await,
        ErrorCode(0)
    );
    // Nor can the administrator make the blocked user a friend of the blocker.
    let reply = server
        .rest(
            "sns/friend_add",
            serde_json::json!({"From_Account": "mallory", "AddFriendItem": [{"To_Account": "bob"}]}),
        )
        .await;
    assert_eq!(
        reply["ResultItem"][0]["ResultCode"],
        ErrorCode::BLOCKED_BY_PEER.0
    );
}

#[tokio::test]
async fn read_marks_are_written_only_when_the_read_position_moves() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    alice.send_text("bob", 1, "one").await;
    bob.push().await;
    let Reply::MarkedRead { seq } = bob.ok(Request::MarkRead { peer: uid("alice") }).await else {
        panic!()
    };
    assert!(seq > Seq(0));
    assert!(matches!(
        alice.push().await.event,
        SyncEvent::PeerRead { .. }
    ));
    for _ in 0..50 {
        let Reply::MarkedRead { seq } = bob.ok(Request::MarkRead { peer: uid("alice") }).await
        else {
            panic!()
        };
        assert_eq!(seq, Seq(0), "nothing new to read: nothing written");
    }
    let (entries, _, _) = alice.sync_all(Seq(0), 200).await;
    let receipts = entries
        .iter()
        .filter(|e| matches!(e.event, SyncEvent::PeerRead { .. }))
        .count();
    assert_eq!(receipts, 1);
}

#[tokio::test]
async fn a_blocked_reader_writes_nothing_into_the_blockers_log_nor_evicts_its_messages() {
    let server = TestServer::start_with(|c| c.retention.offline_bytes = 2_000).await;
    let mut bob = server.login("bob", "web").await;
    let mut mallory = server.login("mallory", "web").await;
    // Bob writes to mallory, then blocks her; she keeps "reading" his messages.
    let (kept, _, _) = bob.send_text("mallory", 1, "before the block").await;
    add(&mut bob, Relation::Blacklist, "mallory").await;
    for i in 0..20u32 {
        bob.send_text("mallory", 100 + i, &format!("m{i}")).await;
        mallory.ok(Request::MarkRead { peer: uid("bob") }).await;
    }
    let (entries, _, gap) = bob.sync_all(Seq(0), 200).await;
    assert!(
        entries
            .iter()
            .all(|e| !matches!(e.event, SyncEvent::PeerRead { .. })),
        "no receipts from a blocked user"
    );
    assert!(!gap);
    assert!(messages(&entries).iter().any(|m| m.key == kept.key));
}

#[tokio::test]
async fn read_receipts_do_not_push_messages_out_of_the_offline_cache() {
    // Room for about ten messages; the chat below writes 30 read receipts besides them.
    let server = TestServer::start_with(|c| c.retention.offline_bytes = 1_000).await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let mut sent = Vec::new();
    for i in 0..30u32 {
        let (m, _, _) = bob.send_text("alice", i, &format!("b{i}")).await;
        alice.ok(Request::MarkRead { peer: uid("bob") }).await;
        sent.push(m);
    }
    let mut carol = server.login("carol", "web").await;
    let (first, _, _) = carol.send_text("bob", 1, "while bob was away").await;
    drop(bob);
    let mut bob = server.login("bob", "web2").await;
    let (entries, _, _) = bob.sync_all(Seq(0), 200).await;
    let kept = messages(&entries);
    assert!(kept.iter().any(|m| m.key == first.key));
    let sizes: u64 = kept
        .iter()
        .map(|m| serde_json::to_string(&m.elements).unwrap().len() as u64)
        .sum();
    assert!(
        sizes > 1_000 - 200,
        "messages fill the cache ({sizes} bytes of 1000), not read receipts"
    );
    drop(sent);
}

#[tokio::test]
async fn a_deleted_account_stays_deleted_and_a_new_one_starts_empty() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let old_sig = server.sig("alice");
    let mut alice = server.connect().await;
    alice.login("alice", &old_sig, "web").await;
    let (secret, _, _) = bob.send_text("alice", 1, "before the deletion").await;
    alice.push().await;
    let r = server
        .rest(
            "im_open_login_svc/account_delete",
            serde_json::json!({"DeleteItem": [{"UserID": "alice"}]}),
        )
        .await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0);
    // The device is told why, then closed for good.
    let kicked = loop {
        match alice.frame().await {
            protocol::frame::ServerFrame::Kicked { cause, .. } => break cause,
            protocol::frame::ServerFrame::Sync { .. } => continue,
            other => panic!("expected the kick, got {other:?}"),
        }
    };
    assert_eq!(kicked, protocol::frame::KickCause::AccountDeleted);
    assert_eq!(alice.closed().await, 4003);

    // The UserSig it signed in with no longer does, even in the same second.
    let mut again = server.connect().await;
    let refused = again.login("alice", &old_sig, "web").await;
    assert!(
        matches!(refused, protocol::frame::ServerFrame::Error { code, .. } if code == ErrorCode::USERSIG_REVOKED),
        "{refused:?}"
    );
    // So does any UserSig issued a second or more before the deletion.
    server.clock.advance_ms(2_000);
    let older = identity()
        .signer()
        .sign("alice", 3600, server.clock.now_s() - 3);
    let mut older_client = server.connect().await;
    let refused = older_client.login("alice", &older, "web").await;
    assert!(
        matches!(refused, protocol::frame::ServerFrame::Error { code, .. } if code == ErrorCode::USERSIG_REVOKED)
    );

    // A new UserSig makes a new, empty account.
    let mut alice = server.login("alice", "web").await;
    let (entries, _, _) = alice.sync_all(Seq(0), 200).await;
    assert!(messages(&entries).is_empty(), "{entries:?}");
    let Reply::Conversations { conversations } = alice.ok(Request::Conversations).await else {
        panic!()
    };
    assert!(conversations.is_empty());
    assert!(
        alice.history("bob", 50).await.is_empty(),
        "the old history is gone"
    );
    assert!(
        bob.history("alice", 50)
            .await
            .iter()
            .any(|m| m.key == secret.key),
        "bob keeps his copy"
    );
    let (fresh, _, _) = bob.send_text("alice", 2, "welcome back").await;
    assert_eq!(alice.push_message().await.key, fresh.key);
    assert_eq!(alice.history("bob", 50).await.len(), 1);
}

#[tokio::test]
async fn a_kicked_user_is_signed_out_everywhere_and_its_old_usersigs_refused_but_its_data_stays() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let old_sig = server.sig("alice");
    let mut alice = server.connect().await;
    alice.login("alice", &old_sig, "web").await;
    bob.send_text("alice", 1, "before the kick").await;
    alice.push().await;
    // Tencent's older field name, as many backends still send it.
    let r = server
        .rest(
            "im_open_login_svc/kick",
            serde_json::json!({"Identifier": "alice"}),
        )
        .await;
    assert_eq!(r["ErrorCode"], 0, "{r}");
    let kicked = loop {
        match alice.frame().await {
            protocol::frame::ServerFrame::Kicked { cause, .. } => break cause,
            protocol::frame::ServerFrame::Sync { .. } => continue,
            other => panic!("expected the kick, got {other:?}"),
        }
    };
    assert_eq!(kicked, protocol::frame::KickCause::KickedByBackend);
    assert_eq!(alice.closed().await, 4005);
    let mut again = server.connect().await;
    let refused = again.login("alice", &old_sig, "web").await;
    assert!(
        matches!(refused, protocol::frame::ServerFrame::Error { code, .. } if code == ErrorCode::USERSIG_REVOKED),
        "{refused:?}"
    );
    // A UserSig signed after the kick signs in, to the same account with its messages.
    server.clock.advance_ms(1_000);
    let mut alice = server.login("alice", "web").await;
    let page = alice
        .ok(protocol::frame::Request::History {
            peer: uid("bob"),
            before: None,
            limit: 10,
        })
        .await;
    assert!(format!("{page:?}").contains("before the kick"), "{page:?}");
    let r = server
        .rest(
            "im_open_login_svc/kick",
            serde_json::json!({"UserID": "nobody"}),
        )
        .await;
    assert_eq!(r["ErrorCode"], 20003, "{r}");
}
