//! The SDK's session against a real server over real WebSockets, natively: the offline flow
//! (R5), live delivery, multi-device (R4.2), gaps filled from history (R5.8), reconnect with
//! nothing lost or duplicated, and the outbox (R2.3).
#![cfg(not(target_arch = "wasm32"))]

use duet_chat::cache::memory::MemoryCache;
use duet_chat::cache::{Cache, OutboxItem};
use duet_chat::client::{Backoff, Client, Connecting, Connector};
use duet_chat::error::{SdkError, codes};
use duet_chat::event::Event;
use duet_chat::session::{FrameSink, FrameStream, Login, Session};
use futures_channel::mpsc::UnboundedReceiver;
use futures_util::{SinkExt, StreamExt, future};
use protocol::element::TextElem;
use protocol::frame::ConversationChange;
use protocol::{Conversation, DeviceId, Element, ErrorCode, Message, Relation, UserId};
use server::clock::{Clock, SystemClock};
use server::config::Config;
use server::identity::AppIdentity;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_util::sync::CancellationToken;

const APP: u64 = 1_400_000_777;
const KEY: &str = "sdk-test-key";
const WAIT: Duration = Duration::from_secs(10);

fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

struct Server {
    addr: SocketAddr,
    dir: TempDir,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(dir: TempDir, tune: impl FnOnce(&mut Config)) -> Self {
        Self::start_at("127.0.0.1:0".parse().unwrap(), dir, tune).await
    }

    /// Starts on a given address (a restart on the same port, as clients reconnect to it).
    async fn start_at(at: SocketAddr, dir: TempDir, tune: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::new(dir.path().to_owned());
        tune(&mut config);
        let identity = AppIdentity {
            sdk_app_id: APP,
            secret_key: KEY.into(),
            admin: uid("administrator"),
        };
        let chat = server::open(config, identity, Arc::new(SystemClock)).unwrap();
        let listener = tokio::net::TcpListener::bind(at).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(server::run(listener, chat, shutdown.clone()));
        Self {
            addr,
            dir,
            shutdown,
            task,
        }
    }

    async fn stop(self) -> TempDir {
        self.shutdown.cancel();
        self.task.await.unwrap().unwrap();
        self.dir
    }

    /// A session for `user` on `device`, over a fresh connection, on `cache`.
    async fn session(
        &self,
        user: &str,
        device: &str,
        cache: Rc<MemoryCache>,
    ) -> Result<(Session<MemoryCache>, UnboundedReceiver<Event>), SdkError> {
        let (sink, stream) = connect(self.addr).await?;
        Session::start(sink, stream, cache, login(user, device)).await
    }
}

fn login(user: &str, device: &str) -> Login {
    let user_sig = usersig::UserSigKey::new(APP, KEY).sign(user, 3600, SystemClock.now_s());
    let device = DeviceId::parse(device).unwrap();
    Login {
        sdk_app_id: APP,
        user_id: uid(user),
        user_sig,
        device,
    }
}

/// A WebSocket to the server as the SDK's frame sink and stream.
async fn connect(addr: SocketAddr) -> Result<(FrameSink, FrameStream), SdkError> {
    let url = format!("ws://{addr}/ws");
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| SdkError::new(codes::DISCONNECTED, e.to_string()))?;
    let (sink, stream) = ws.split();
    let sink: FrameSink = Box::pin(
        sink.sink_map_err(|e| SdkError::new(codes::DISCONNECTED, e.to_string()))
            .with(|s: String| future::ok::<_, SdkError>(WsMessage::text(s))),
    );
    let text = |m: WsMessage| m.into_text().ok().map(|t| t.to_string());
    let stream: FrameStream = Box::pin(
        stream
            .take_while(|m| future::ready(matches!(m, Ok(m) if !m.is_close())))
            .filter_map(move |m| future::ready(m.ok().and_then(text))),
    );
    Ok((sink, stream))
}

struct TestConnector(SocketAddr);

impl Connector for TestConnector {
    fn connect(&self) -> Connecting {
        Box::pin(connect(self.0))
    }
}

fn outgoing(to: &str, random: u32, text: &str) -> OutboxItem {
    OutboxItem {
        to: uid(to),
        random,
        elements: vec![Element::Text(TextElem { text: text.into() })],
        cloud_custom_data: None,
        created_ms: 1_800_000_000_000 + random as u64,
        offline_push_info: None,
        need_read_receipt: false,
    }
}

fn text_of(m: &Message) -> &str {
    match &m.elements[0] {
        Element::Text(t) => &t.text,
        other => panic!("not text: {other:?}"),
    }
}

/// Waits for the next event the predicate picks, skipping others; returns it.
async fn until(
    events: &mut UnboundedReceiver<Event>,
    mut pick: impl FnMut(&Event) -> bool,
) -> Event {
    loop {
        let e = tokio::time::timeout(WAIT, events.next())
            .await
            .expect("event in time")
            .expect("events open");
        if pick(&e) {
            return e;
        }
    }
}

/// Messages announced until `SdkReady`.
async fn received_until_ready(events: &mut UnboundedReceiver<Event>) -> Vec<Message> {
    let mut got = Vec::new();
    loop {
        match until(events, |_| true).await {
            Event::MessageReceived(list) => got.extend(list),
            Event::SdkReady => return got,
            _ => {}
        }
    }
}

/// Runs a test body on a single-threaded runtime with a `LocalSet`, as in the browser.
fn local<F: std::future::Future<Output = ()>>(body: impl FnOnce() -> F) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tokio::task::LocalSet::new().block_on(&rt, body());
}

#[test]
fn offline_messages_arrive_in_order_then_the_list_then_ready() {
    local(|| async {
        let server = Server::start(tempfile::tempdir().unwrap(), |_| {}).await;
        let (bob, _) = server.session("bob", "tab1", Rc::default()).await.unwrap();
        drop(bob);
        let (alice, mut alice_events) = server
            .session("alice", "tab1", Rc::default())
            .await
            .unwrap();
        until(&mut alice_events, |e| *e == Event::SdkReady).await;
        for i in 0..30 {
            alice
                .send(outgoing("bob", i, &format!("m{i}")))
                .await
                .unwrap();
        }
        let cache = Rc::new(MemoryCache::default());
        let (bob, mut events) = server.session("bob", "tab2", cache.clone()).await.unwrap();
        let mut order = Vec::new();
        let mut got = Vec::new();
        loop {
            match until(&mut events, |_| true).await {
                Event::MessageReceived(list) => {
                    order.push("messages");
                    got.extend(list);
                }
                Event::ConversationListUpdated(list) if list.iter().any(|c| c.unread == 30) => {
                    order.push("list")
                }
                Event::SdkReady => break,
                _ => {}
            }
        }
        assert_eq!(
            got.iter().map(text_of).collect::<Vec<_>>(),
            (0..30).map(|i| format!("m{i}")).collect::<Vec<_>>()
        );
        assert_eq!(order.first(), Some(&"messages"));
        assert_eq!(
            order.last(),
            Some(&"list"),
            "the server's list comes after the messages, before ready"
        );
        assert!(bob.is_ready());
        let (page, complete) = bob.messages(&uid("alice"), None, 20).await.unwrap();
        assert_eq!(text_of(&page[0]), "m29");
        assert!(!complete);
        assert_eq!(cache.cursor().await.unwrap(), bob.cursor());
    });
}

#[test]
fn live_messages_reach_the_peer_and_the_senders_other_devices_once() {
    local(|| async {
        let server = Server::start(tempfile::tempdir().unwrap(), |_| {}).await;
        let (alice, mut a) = server
            .session("alice", "tab1", Rc::default())
            .await
            .unwrap();
        let (bob1, mut b1) = server.session("bob", "phone", Rc::default()).await.unwrap();
        let (_bob2, mut b2) = server
            .session("bob", "laptop", Rc::default())
            .await
            .unwrap();
        for events in [&mut a, &mut b1, &mut b2] {
            until(events, |e| *e == Event::SdkReady).await;
        }
        let sent = alice.send(outgoing("bob", 1, "hello")).await.unwrap();
        for events in [&mut b1, &mut b2] {
            let Event::MessageReceived(list) =
                until(events, |e| matches!(e, Event::MessageReceived(_))).await
            else {
                unreachable!()
            };
            assert_eq!(list, vec![sent.clone()]);
        }
        let reply = bob1
            .send(outgoing("alice", 2, "hi from the phone"))
            .await
            .unwrap();
        let Event::MessageReceived(on_laptop) =
            until(&mut b2, |e| matches!(e, Event::MessageReceived(_))).await
        else {
            unreachable!()
        };
        assert_eq!(
            on_laptop,
            vec![reply.clone()],
            "the sibling device sees the outgoing message"
        );
        assert_eq!(on_laptop[0].from.as_str(), "bob");
        let Event::MessageReceived(at_alice) =
            until(&mut a, |e| matches!(e, Event::MessageReceived(_))).await
        else {
            unreachable!()
        };
        assert_eq!(at_alice, vec![reply]);
        // Nothing was announced twice.
        tokio::time::sleep(Duration::from_millis(200)).await;
        while let Ok(e) = b1.try_recv() {
            assert!(
                !matches!(e, Event::MessageReceived(_)),
                "bob's phone announced its own send: {e:?}"
            );
        }
    });
}

#[test]
fn a_gap_is_filled_from_history_without_holes() {
    local(|| async {
        // Room for about ten of these messages in bob's offline cache.
        let server = Server::start(tempfile::tempdir().unwrap(), |c| {
            c.retention.offline_bytes = 2000
        })
        .await;
        let cache = Rc::new(MemoryCache::default());
        let (bob, mut events) = server.session("bob", "tab", cache.clone()).await.unwrap();
        until(&mut events, |e| *e == Event::SdkReady).await;
        let (alice, mut a) = server.session("alice", "tab", Rc::default()).await.unwrap();
        until(&mut a, |e| *e == Event::SdkReady).await;
        alice
            .send(outgoing("bob", 1000, "before the gap"))
            .await
            .unwrap();
        until(&mut events, |e| matches!(e, Event::MessageReceived(_))).await;
        drop(bob);
        let body = "x".repeat(150);
        for i in 0..40 {
            alice
                .send(outgoing("bob", i, &format!("{i:02} {body}")))
                .await
                .unwrap();
        }
        let (bob, mut events) = server.session("bob", "tab", cache.clone()).await.unwrap();
        let synced = received_until_ready(&mut events).await;
        assert!(
            synced.len() < 40,
            "only the offline cache's share arrives by sync ({})",
            synced.len()
        );
        let mut all = Vec::new();
        let mut before = None;
        loop {
            let (page, complete) = bob.messages(&uid("alice"), before, 15).await.unwrap();
            before = page.last().map(|m| m.key);
            all.extend(page);
            if complete || before.is_none() {
                break;
            }
        }
        let texts: Vec<&str> = all.iter().map(text_of).collect();
        assert_eq!(texts.len(), 41, "every message, once: {texts:?}");
        assert_eq!(texts[40], "before the gap");
        assert!(texts[0].starts_with("39 "));
        let mut keys: Vec<u64> = all.iter().map(|m| m.key.id).collect();
        keys.dedup();
        assert_eq!(keys.len(), 41);
    });
}

#[test]
fn after_a_restart_the_session_resumes_without_loss_or_duplicates() {
    local(|| async {
        let server = Server::start(tempfile::tempdir().unwrap(), |_| {}).await;
        let cache = Rc::new(MemoryCache::default());
        let (bob, mut events) = server.session("bob", "tab", cache.clone()).await.unwrap();
        until(&mut events, |e| *e == Event::SdkReady).await;
        let (alice, mut a) = server.session("alice", "tab", Rc::default()).await.unwrap();
        until(&mut a, |e| *e == Event::SdkReady).await;
        for i in 0..3 {
            alice
                .send(outgoing("bob", i, &format!("early {i}")))
                .await
                .unwrap();
        }
        let mut seen = 0;
        while seen < 3 {
            if let Event::MessageReceived(list) =
                until(&mut events, |e| matches!(e, Event::MessageReceived(_))).await
            {
                seen += list.len();
            }
        }
        let dir = server.stop().await;
        until(&mut events, |e| *e == Event::Disconnected).await;
        assert!(!bob.is_connected());
        let err = bob
            .send(outgoing("alice", 77, "written offline"))
            .await
            .unwrap_err();
        assert_eq!(err.code, codes::DISCONNECTED);
        assert_eq!(cache.outbox().await.unwrap().len(), 1, "kept for later");

        let server = Server::start(dir, |_| {}).await;
        let (alice, mut a) = server.session("alice", "tab", Rc::default()).await.unwrap();
        until(&mut a, |e| *e == Event::SdkReady).await;
        for i in 3..6 {
            alice
                .send(outgoing("bob", i, &format!("late {i}")))
                .await
                .unwrap();
        }
        let (bob, mut events) = server.session("bob", "tab", cache.clone()).await.unwrap();
        let synced = received_until_ready(&mut events).await;
        assert_eq!(
            synced.iter().map(text_of).collect::<Vec<_>>(),
            ["late 3", "late 4", "late 5"]
        );
        let Event::MessageSent(m) =
            until(&mut events, |e| matches!(e, Event::MessageSent(_))).await
        else {
            unreachable!()
        };
        assert_eq!(text_of(&m), "written offline");
        assert!(cache.outbox().await.unwrap().is_empty());
        let Event::MessageReceived(list) =
            until(&mut a, |e| matches!(e, Event::MessageReceived(_))).await
        else {
            unreachable!()
        };
        assert_eq!(text_of(&list[0]), "written offline");
        let (history, _) = bob.messages(&uid("alice"), None, 50).await.unwrap();
        assert_eq!(
            history.len(),
            7,
            "3 early, 3 late, 1 from the outbox, each once"
        );
    });
}

#[test]
fn refusals_come_back_with_the_servers_code() {
    local(|| async {
        let server = Server::start(tempfile::tempdir().unwrap(), |_| {}).await;
        let cache = Rc::new(MemoryCache::default());
        let (alice, mut a) = server.session("alice", "tab", cache.clone()).await.unwrap();
        until(&mut a, |e| *e == Event::SdkReady).await;
        let err = alice
            .send(outgoing("nobody", 1, "hello?"))
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ACCOUNT_NOT_FOUND);
        assert!(
            cache.outbox().await.unwrap().is_empty(),
            "a refused message is not retried"
        );
        let bad = Login {
            sdk_app_id: APP,
            user_id: uid("alice"),
            user_sig: "forged".into(),
            device: DeviceId::parse("tab").unwrap(),
        };
        let (sink, stream) = connect(server.addr).await.unwrap();
        let err = Session::start(sink, stream, Rc::new(MemoryCache::default()), bad)
            .await
            .err()
            .unwrap();
        assert_eq!(err.code, ErrorCode::USERSIG_MALFORMED);
    });
}

/// Bob signed in to the server at `addr` and ready, on a client with a memory cache that
/// reconnects within 200 ms, and the events it tells after `SdkReady`.
async fn bob_reconnecting(addr: SocketAddr) -> (Client<MemoryCache>, UnboundedReceiver<Event>) {
    let (tx, mut events) = futures_channel::mpsc::unbounded();
    let listener: duet_chat::client::Listener = Rc::new(move |e| {
        let _ = tx.unbounded_send(e);
    });
    let backoff = Backoff {
        first_ms: 50,
        max_ms: 200,
    };
    let cache = Rc::new(MemoryCache::default());
    let client = Client::new(Box::new(TestConnector(addr)), cache, listener, backoff);
    client.login(login("bob", "tab")).await.unwrap();
    until(&mut events, |e| *e == Event::SdkReady).await;
    (client, events)
}

#[test]
fn the_client_reconnects_by_itself_and_resumes() {
    local(|| async {
        let server = Server::start(tempfile::tempdir().unwrap(), |_| {}).await;
        let addr = server.addr;
        let (client, mut events) = bob_reconnecting(addr).await;
        assert!(client.is_ready());

        let dir = server.stop().await;
        until(&mut events, |e| *e == Event::Disconnected).await;
        assert!(!client.is_ready());
        // While bob's client cannot reach it, alice writes to the same data on another address.
        let elsewhere = Server::start(dir, |_| {}).await;
        let (alice, mut a) = elsewhere
            .session("alice", "tab", Rc::default())
            .await
            .unwrap();
        until(&mut a, |e| *e == Event::SdkReady).await;
        alice
            .send(outgoing("bob", 9, "while you were away"))
            .await
            .unwrap();
        drop(alice);
        let dir = elsewhere.stop().await;
        let server = Server::start_at(addr, dir, |_| {}).await;
        let (alice, mut a) = server.session("alice", "tab", Rc::default()).await.unwrap();
        until(&mut a, |e| *e == Event::SdkReady).await;
        let got = received_until_ready(&mut events).await;
        assert_eq!(
            got.iter().map(text_of).collect::<Vec<_>>(),
            ["while you were away"]
        );
        assert!(client.is_ready());
        alice.send(outgoing("bob", 10, "live again")).await.unwrap();
        let Event::MessageReceived(list) =
            until(&mut events, |e| matches!(e, Event::MessageReceived(_))).await
        else {
            unreachable!()
        };
        assert_eq!(text_of(&list[0]), "live again");
        client.logout().await;
        until(&mut events, |e| *e == Event::Disconnected).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(client.session().is_none(), "no reconnect after logout");
    });
}

#[test]
fn a_list_change_is_kept_when_it_resolves_and_told_once() {
    local(|| async {
        let server = Server::start(tempfile::tempdir().unwrap(), |_| {}).await;
        let (alice, mut a) = server.session("alice", "tab", Rc::default()).await.unwrap();
        until(&mut a, |e| *e == Event::SdkReady).await;
        let (client, mut events) = bob_reconnecting(server.addr).await;
        let muted = |e: &Event| matches!(e, Event::RelationsUpdated(Relation::Muted, _));
        client
            .change_relations(Relation::Muted, vec![uid("alice")], true)
            .await
            .unwrap();
        assert!(
            client.is_muted(&uid("alice")),
            "muted when the change resolves"
        );
        until(&mut events, muted).await;
        // Told once: the next muted list told is that of the next change.
        client
            .change_relations(Relation::Muted, vec![uid("alice")], false)
            .await
            .unwrap();
        assert!(!client.is_muted(&uid("alice")));
        let Event::RelationsUpdated(_, list) = until(&mut events, muted).await else {
            unreachable!()
        };
        assert_eq!(list, []);
        drop(alice);
    });
}

#[test]
fn followed_users_are_followed_again_once_after_a_reconnect() {
    local(|| async {
        let server = Server::start(tempfile::tempdir().unwrap(), |_| {}).await;
        let addr = server.addr;
        let (client, mut events) = bob_reconnecting(addr).await;
        let named = [uid("carol"), uid("carol"), uid("dave")];
        let now = client.follow_statuses(named.to_vec(), true).await.unwrap();
        assert_eq!(now.len(), 3, "one status per user named");
        client
            .follow_statuses(vec![uid("dave")], false)
            .await
            .unwrap();

        let dir = server.stop().await;
        until(&mut events, |e| *e == Event::Disconnected).await;
        let _server = Server::start_at(addr, dir, |_| {}).await;
        // Every presence told from the reconnect until things are quiet after `SdkReady`.
        let (mut told, mut ready) = (Vec::new(), false);
        loop {
            let wait = Duration::from_millis(if ready { 500 } else { 5_000 });
            let Ok(Some(e)) = tokio::time::timeout(wait, events.next()).await else {
                break;
            };
            match e {
                Event::UserStatusUpdated(status) => told.push(status.user_id),
                Event::SdkReady => ready = true,
                _ => {}
            }
        }
        assert!(ready, "reconnected");
        assert_eq!(told, [uid("carol")], "carol once; dave no longer followed");
    });
}

/// Two sessions of bob, as two tabs of one browser: they share one cache, also returned.
async fn bobs_two_tabs(
    server: &Server,
) -> (
    Rc<MemoryCache>,
    [(Session<MemoryCache>, UnboundedReceiver<Event>); 2],
) {
    let shared = Rc::new(MemoryCache::default());
    let tab1 = server.session("bob", "tab1", shared.clone()).await.unwrap();
    let tab2 = server.session("bob", "tab2", shared.clone()).await.unwrap();
    (shared, [tab1, tab2])
}

/// Whether `e` is a conversation list whose conversation with `peer` passes `check`.
fn lists(e: &Event, peer: &str, check: impl Fn(&Conversation) -> bool) -> bool {
    matches!(e, Event::ConversationListUpdated(list)
        if list.iter().any(|c| c.peer == uid(peer) && check(c)))
}

#[test]
fn two_tabs_sharing_one_cache_each_hear_every_change() {
    // Each change reaches both tabs; whichever stores it second finds the cache already holds
    // it, and its app must still hear of it.
    local(|| async {
        let server = Server::start(tempfile::tempdir().unwrap(), |_| {}).await;
        let (shared, [(_tab1, mut t1), (_tab2, mut t2)]) = bobs_two_tabs(&server).await;
        let (phone, mut p) = server.session("bob", "phone", Rc::default()).await.unwrap();
        let (alice, mut a) = server.session("alice", "tab", Rc::default()).await.unwrap();
        for events in [&mut t1, &mut t2, &mut p, &mut a] {
            until(events, |e| *e == Event::SdkReady).await;
        }
        let sent = phone
            .send(outgoing("alice", 1, "from the phone"))
            .await
            .unwrap();
        for events in [&mut t1, &mut t2] {
            until(events, |e| {
                lists(e, "alice", |c| c.last_message.as_ref() == Some(&sent))
            })
            .await;
        }
        until(&mut a, |e| matches!(e, Event::MessageReceived(_))).await;
        alice.mark_read(&uid("bob")).await.unwrap();
        for events in [&mut t1, &mut t2] {
            let read = until(events, |e| matches!(e, Event::MessageReadByPeer { .. })).await;
            let Event::MessageReadByPeer { messages, .. } = read else {
                unreachable!()
            };
            assert_eq!(
                messages.iter().map(|m| m.key).collect::<Vec<_>>(),
                [sent.key]
            );
            until(events, |e| {
                lists(e, "alice", |c| c.peer_read_up_to == sent.key.id)
            })
            .await;
        }
        let pin = ConversationChange {
            pinned: Some(true),
            join_group: Some("work".into()),
            ..Default::default()
        };
        phone.set_conversation(&uid("alice"), pin).await.unwrap();
        for events in [&mut t1, &mut t2] {
            until(events, |e| {
                lists(e, "alice", |c| {
                    c.pinned && c.conversation_groups == ["work"]
                })
            })
            .await;
        }
        alice
            .send(outgoing("bob", 2, "to every tab"))
            .await
            .unwrap();
        for events in [&mut t1, &mut t2] {
            until(events, |e| lists(e, "alice", |c| c.unread == 1)).await;
        }
        assert_eq!(shared.conversations().await.unwrap()[0].unread, 1);
        let blocked = vec![uid("alice")];
        let add = phone.change_relations(
            Relation::Blacklist,
            blocked.clone(),
            true,
            Default::default(),
        );
        let (_, list) = add.await.unwrap();
        assert_eq!(
            list.unwrap()[0].user_id,
            blocked[0],
            "the list after the change"
        );
        for events in [&mut t1, &mut p, &mut t2] {
            until(events, |e| {
                matches!(e, Event::RelationsUpdated(Relation::Blacklist, list)
                if list.iter().map(|e| &e.user_id).eq(&blocked))
            })
            .await;
        }
    });
}

#[test]
fn two_tabs_sharing_one_cache_count_each_message_once() {
    local(|| async {
        let server = Server::start(tempfile::tempdir().unwrap(), |_| {}).await;
        let (shared, [(_tab1, mut t1), (_tab2, mut t2)]) = bobs_two_tabs(&server).await;
        let (alice, mut a) = server.session("alice", "tab", Rc::default()).await.unwrap();
        for events in [&mut t1, &mut t2, &mut a] {
            until(events, |e| *e == Event::SdkReady).await;
        }
        for i in 0..3 {
            alice
                .send(outgoing("bob", i, &format!("t{i}")))
                .await
                .unwrap();
        }
        for events in [&mut t1, &mut t2] {
            let mut got = 0;
            while got < 3 {
                if let Event::MessageReceived(list) =
                    until(events, |e| matches!(e, Event::MessageReceived(_))).await
                {
                    got += list.len();
                }
            }
            assert_eq!(got, 3, "each tab's UI hears every message once");
        }
        let conversations = shared.conversations().await.unwrap();
        assert_eq!(
            conversations[0].unread, 3,
            "not 6: both tabs applied the same messages"
        );
        assert_eq!(
            shared
                .messages(&uid("alice"), None, 10)
                .await
                .unwrap()
                .len(),
            3
        );
    });
}
