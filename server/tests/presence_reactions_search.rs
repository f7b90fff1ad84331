//! Reactions, search and presence over the WebSocket: who may react, see and search what, and
//! the bounds on each.

mod common;

use common::*;
use protocol::frame::{Reply, Request, ServerFrame};
use protocol::presence::{Presence, UserStatus};
use protocol::search::SearchQuery;
use protocol::{ErrorCode, Relation, SyncEvent};

async fn statuses(client: &mut Client, users: &[&str]) -> Vec<UserStatus> {
    let users = users.iter().map(|u| uid(u)).collect();
    let Reply::Statuses { statuses } = client.ok(Request::StatusGet { users }).await else {
        panic!("status_get answers statuses")
    };
    statuses
}

fn presence(list: &[UserStatus]) -> Vec<Presence> {
    list.iter().map(|s| s.presence).collect()
}

/// The next status push, skipping other pushes.
async fn status_push(client: &mut Client) -> UserStatus {
    loop {
        if let SyncEvent::Status { status } = &client.push().await.event {
            return status.clone();
        }
    }
}

async fn block(client: &mut Client, user: &str) {
    client
        .ok(Request::RelationAdd {
            relation: Relation::Blacklist,
            users: vec![uid(user)],
            fields: Default::default(),
        })
        .await;
}

#[tokio::test]
async fn presence_is_told_to_followers_and_withheld_from_the_blocked_and_when_hidden() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "web").await;
    let mut carol = server.login("carol", "web").await;
    let mut bob = server.login("bob", "web").await;
    bob.ok(Request::StatusHide { hidden: false }).await;
    let now = statuses(&mut alice, &["bob", "nobody", "alice"]).await;
    assert_eq!(
        presence(&now),
        [Presence::Online, Presence::Unknown, Presence::Online]
    );
    // Alice follows bob and sees him go and come back, with the time he was last seen.
    let Reply::Statuses { statuses: now } = alice
        .ok(Request::StatusSubscribe {
            users: vec![uid("bob")],
            subscribe: true,
        })
        .await
    else {
        panic!()
    };
    assert_eq!(presence(&now), [Presence::Online]);
    drop(bob);
    let gone = status_push(&mut alice).await;
    assert_eq!(
        (gone.user_id.as_str(), gone.presence),
        ("bob", Presence::Offline)
    );
    assert!(gone.last_seen_ms > 0);
    let mut bob = server.login("bob", "phone").await;
    assert_eq!(status_push(&mut alice).await.presence, Presence::Online);
    // A second device is no news.
    let bob_web = server.login("bob", "web").await;
    drop(bob_web);
    bob.ok(Request::StatusHide { hidden: true }).await;
    let hidden = status_push(&mut alice).await;
    assert_eq!(
        hidden,
        UserStatus::unknown(uid("bob")),
        "hidden: told nothing more"
    );
    assert_eq!(
        presence(&statuses(&mut alice, &["bob"]).await),
        [Presence::Unknown]
    );
    let own = statuses(&mut bob, &["bob"]).await;
    assert_eq!(
        (own[0].presence, own[0].hidden),
        (Presence::Online, true),
        "bob sees himself, and that he hid"
    );
    bob.ok(Request::StatusHide { hidden: false }).await;
    assert_eq!(status_push(&mut alice).await.presence, Presence::Online);
    // Blocked by bob, carol learns nothing: the same answer as for no such user. Following him
    // already, she is told at once that his presence is unknown to her now.
    carol
        .ok(Request::StatusSubscribe {
            users: vec![uid("bob")],
            subscribe: true,
        })
        .await;
    block(&mut bob, "carol").await;
    assert_eq!(
        status_push(&mut carol).await,
        UserStatus::unknown(uid("bob"))
    );
    assert_eq!(
        presence(&statuses(&mut carol, &["bob"]).await),
        [Presence::Unknown]
    );
    let still = status_push(&mut alice).await;
    assert_eq!(still.presence, Presence::Online, "alice still sees him");
    drop(bob);
    assert_eq!(status_push(&mut alice).await.presence, Presence::Offline);
    assert_eq!(
        status_push(&mut carol).await,
        UserStatus::unknown(uid("bob"))
    );
    // Unsubscribed, alice hears nothing; a ping's answer comes first.
    alice
        .ok(Request::StatusSubscribe {
            users: vec![uid("bob")],
            subscribe: false,
        })
        .await;
    let _bob = server.login("bob", "web").await;
    alice.ok(Request::Ping).await;
    carol.ok(Request::Ping).await;
    let frame = tokio::time::timeout(std::time::Duration::from_millis(300), alice.push()).await;
    assert!(frame.is_err(), "no push after unsubscribing: {frame:?}");
}

/// Sets `client`'s custom status; its own status as answered.
async fn set_custom(client: &mut Client, custom: &str) -> UserStatus {
    let Reply::Statuses { mut statuses } = client
        .ok(Request::StatusSet {
            custom_status: custom.into(),
        })
        .await
    else {
        panic!("status_set answers the caller's status")
    };
    statuses.remove(0)
}

#[tokio::test]
async fn a_custom_status_reaches_followers_and_the_users_devices_until_it_signs_out() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "web").await;
    let mut carol = server.login("carol", "web").await;
    let mut bob = server.login("bob", "web").await;
    let mut bob_phone = server.login("bob", "phone").await;
    for follower in [&mut alice, &mut carol] {
        follower
            .ok(Request::StatusSubscribe {
                users: vec![uid("bob")],
                subscribe: true,
            })
            .await;
    }
    let own = set_custom(&mut bob, "在听歌 🎧").await;
    assert_eq!(
        (own.presence, own.custom_status.as_str()),
        (Presence::Online, "在听歌 🎧")
    );
    for client in [&mut alice, &mut carol, &mut bob_phone, &mut bob] {
        let told = status_push(client).await;
        assert_eq!(
            (told.user_id.as_str(), told.custom_status.as_str()),
            ("bob", "在听歌 🎧"),
            "followers and every device of bob's are told"
        );
    }
    let read = statuses(&mut alice, &["bob"]).await;
    assert_eq!(read[0].custom_status, "在听歌 🎧");
    // Longer than 100 bytes: refused, the status kept.
    let long = "é".repeat(51);
    assert_eq!(
        bob.err(Request::StatusSet {
            custom_status: long
        })
        .await,
        ErrorCode::INVALID_ARGUMENT
    );
    assert_eq!(
        set_custom(&mut bob, &"x".repeat(100))
            .await
            .custom_status
            .len(),
        100
    );
    for follower in [&mut alice, &mut carol] {
        assert_eq!(status_push(follower).await.custom_status.len(), 100);
    }
    // Blocked, carol sees neither his presence nor his status.
    block(&mut bob, "carol").await;
    assert_eq!(
        status_push(&mut carol).await,
        UserStatus::unknown(uid("bob"))
    );
    assert_eq!(
        statuses(&mut carol, &["bob"]).await[0],
        UserStatus::unknown(uid("bob"))
    );
    // Hidden, nobody else sees it; bob does.
    bob.ok(Request::StatusHide { hidden: true }).await;
    assert_eq!(
        statuses(&mut alice, &["bob"]).await[0],
        UserStatus::unknown(uid("bob"))
    );
    assert_eq!(
        statuses(&mut bob, &["bob"]).await[0].custom_status.len(),
        100
    );
    bob.ok(Request::StatusHide { hidden: false }).await;
    // Signing out of one device keeps it; of the last one clears it, and followers are told.
    bob_phone.ok(Request::Logout).await;
    assert_eq!(
        statuses(&mut alice, &["bob"]).await[0].custom_status.len(),
        100
    );
    set_custom(&mut bob, "back soon").await;
    bob.ok(Request::Logout).await;
    loop {
        let told = status_push(&mut alice).await;
        if told.presence == Presence::Offline {
            assert_eq!(told.custom_status, "", "cleared when bob signed out");
            break;
        }
    }
    let mut bob = server.login("bob", "web").await;
    assert_eq!(statuses(&mut bob, &["bob"]).await[0].custom_status, "");
    // A status change reaches every follower: a budget of its own.
    let mut refused = 0;
    for i in 0..30 {
        let frame = bob
            .request(Request::StatusSet {
                custom_status: format!("s{i}"),
            })
            .await;
        if let ServerFrame::Error { code, .. } = frame {
            assert_eq!(code, ErrorCode::RATE_LIMITED);
            refused += 1;
        }
    }
    assert!(refused > 0, "thirty changes at once are not all taken");
}

#[tokio::test]
async fn friends_only_presence_needs_friendship_and_subscriptions_are_bounded() {
    let server = TestServer::start_with(|c| c.friends_only = true).await;
    let mut alice = server.login("alice", "web").await;
    let _bob = server.login("bob", "web").await;
    assert_eq!(
        presence(&statuses(&mut alice, &["bob"]).await),
        [Presence::Unknown]
    );
    let many: Vec<_> = (0..100).map(|i| uid(&format!("u{i}"))).collect();
    for round in 0..2 {
        let users = many.iter().map(|u| uid(&format!("{u}x{round}"))).collect();
        alice
            .ok(Request::StatusSubscribe {
                users,
                subscribe: true,
            })
            .await;
    }
    let code = alice
        .err(Request::StatusSubscribe {
            users: vec![uid("bob")],
            subscribe: true,
        })
        .await;
    assert_eq!(code, ErrorCode::INVALID_ARGUMENT, "at most 200 at a time");
}

#[tokio::test]
async fn reactions_reach_both_users_and_the_blocked_cannot_add_one() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "web").await;
    let mut bob = server.login("bob", "web").await;
    let (sent, _, _) = alice.send_text("bob", 1, "we won").await;
    bob.push_message().await;
    let react = |peer: &str, reaction: &str, add: bool| Request::React {
        peer: uid(peer),
        key: sent.key,
        reaction: reaction.into(),
        add,
    };
    let Reply::Reacted { message } = bob.ok(react("alice", "🎉", true)).await else {
        panic!()
    };
    assert_eq!(message.reactions[0].users, [uid("bob")]);
    for client in [&mut alice, &mut bob] {
        let SyncEvent::Reacted { message: pushed } = &client.push().await.event else {
            panic!("a reacted entry")
        };
        assert_eq!(pushed, &*message);
    }
    assert_eq!(
        bob.err(react("alice", "🎉", true)).await,
        ErrorCode::REACTION_EXISTS
    );
    assert_eq!(
        bob.err(react("alice", "", true)).await,
        ErrorCode::INVALID_ARGUMENT
    );
    let long = "😀".repeat(17);
    assert_eq!(
        bob.err(react("alice", &long, true)).await,
        ErrorCode::INVALID_ARGUMENT
    );
    block(&mut alice, "bob").await;
    assert_eq!(
        bob.err(react("alice", "👍", true)).await,
        ErrorCode::BLOCKED
    );
    // Taking one's own reaction back is always allowed.
    bob.ok(react("alice", "🎉", false)).await;
    let history = alice.history("bob", 10).await;
    assert!(history[0].reactions.is_empty());
}

#[tokio::test]
async fn search_is_bounded_paged_and_limited_to_the_callers_messages() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "web").await;
    let mut carol = server.login("carol", "web").await;
    let _bob = server.login("bob", "web").await;
    alice.send_text("bob", 1, "the secret plan").await;
    alice.send_text("bob", 2, "SECRET handshake").await;
    let search = |keywords: &[&str], before: u64, limit: u32| Request::Search {
        query: SearchQuery {
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            ..SearchQuery::default()
        },
        before,
        limit,
    };
    let Reply::SearchResults { messages, next } = alice.ok(search(&["secret"], 0, 1)).await else {
        panic!()
    };
    assert_eq!(text_of(&messages[0]), "SECRET handshake");
    let Reply::SearchResults { messages, next } = alice.ok(search(&["secret"], next, 1)).await
    else {
        panic!()
    };
    assert_eq!((text_of(&messages[0]), next), ("the secret plan", 0));
    let Reply::SearchResults { messages, .. } = carol.ok(search(&["secret"], 0, 10)).await else {
        panic!()
    };
    assert!(messages.is_empty(), "carol sees none of alice's and bob's");
    assert_eq!(
        carol.err(search(&[], 0, 10)).await,
        ErrorCode::INVALID_ARGUMENT
    );
    let long = "x".repeat(101);
    assert_eq!(
        carol.err(search(&[&long], 0, 10)).await,
        ErrorCode::INVALID_ARGUMENT
    );
    assert_eq!(
        carol.err(search(&["x"], 0, 101)).await,
        ErrorCode::INVALID_ARGUMENT
    );
    // A burst of searches is cut off by the search budget, while other requests go on.
    let mut refused = 0;
    for _ in 0..30 {
        if let ServerFrame::Error { code, .. } = carol.request(search(&["plan"], 0, 10)).await {
            assert_eq!(code, ErrorCode::RATE_LIMITED);
            refused += 1;
        }
        if let ServerFrame::Error { code, .. } = carol.request(Request::Ping).await {
            panic!("pings stay allowed: {code:?}");
        }
    }
    assert!(refused > 0, "the search budget holds");
}
