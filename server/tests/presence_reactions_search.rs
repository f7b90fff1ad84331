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
