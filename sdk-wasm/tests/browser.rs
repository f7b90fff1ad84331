//! The SDK in a real browser (headless Chromium): real WebSockets to a real `duet-server`, and
//! real IndexedDB. The server's address and the app's key are read at build time from
//! `DUET_TEST_SERVER`, `DUET_TEST_SDKAPPID` and `DUET_TEST_SECRET_KEY`, which `npm test` sets
//! and `npm run test:server` prints for a tester's `wasm-pack test`.
#![cfg(target_arch = "wasm32")]
// A missing setting fails these tests at run time with a message, rather than failing the
// build of every other browser test.
#![allow(clippy::option_env_unwrap)]

use duet_chat::cache::indexeddb::IndexedDbCache;
use duet_chat::cache::{Cache, Namespace, OutboxItem};
use duet_chat::client::{Backoff, Client, Listener};
use duet_chat::event::Event;
use duet_chat::session::Login;
use duet_chat::websocket::WebSocketConnector;
use futures_channel::mpsc::{UnboundedReceiver, unbounded};
use futures_util::StreamExt;
use protocol::element::TextElem;
use protocol::{DeviceId, Element, Message, UserId};
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn server() -> &'static str {
    option_env!("DUET_TEST_SERVER")
        .expect("start a test server with `npm run test:server` and export what it prints")
}

fn app() -> (u64, &'static str) {
    let id = option_env!("DUET_TEST_SDKAPPID").expect("printed by `npm run test:server`");
    (
        id.parse().unwrap(),
        option_env!("DUET_TEST_SECRET_KEY").expect("printed by `npm run test:server`"),
    )
}

/// User names unique to this run, so reruns against one server do not meet old data.
fn user(name: &str) -> UserId {
    let run = (js_sys::Date::now() as u64) % 1_000_000_000;
    UserId::parse(format!("{name}-{run}")).unwrap()
}

struct Device {
    client: Client<IndexedDbCache>,
    events: UnboundedReceiver<Event>,
}

/// Signs `user` in on `device` and returns before the first sync finishes.
async fn connect(user: &UserId, device: &str) -> Device {
    let (app_id, key) = app();
    let ns = Namespace {
        sdk_app_id: app_id,
        user: user.clone(),
    };
    let cache = Rc::new(IndexedDbCache::open(&ns).await.unwrap());
    let (tx, events) = unbounded();
    let listener: Listener = Rc::new(move |e| {
        let _ = tx.unbounded_send(e);
    });
    let connector = Box::new(WebSocketConnector::new(server()));
    let client = Client::new(connector, cache, listener, Backoff::default());
    let now = (js_sys::Date::now() / 1000.0) as u64;
    let user_sig = usersig::UserSigKey::new(app_id, key).sign(user.as_str(), 3600, now);
    let device = DeviceId::parse(device).unwrap();
    let login = Login {
        sdk_app_id: app_id,
        user_id: user.clone(),
        user_sig,
        device,
    };
    client.login(login).await.unwrap();
    Device { client, events }
}

async fn sign_in(user: &UserId, device: &str) -> Device {
    let mut device = connect(user, device).await;
    device.until(|e| *e == Event::SdkReady).await;
    device
}

impl Device {
    async fn until(&mut self, mut pick: impl FnMut(&Event) -> bool) -> Event {
        loop {
            let e = self.events.next().await.expect("events open");
            if pick(&e) {
                return e;
            }
        }
    }

    async fn received(&mut self) -> Vec<Message> {
        match self.until(|e| matches!(e, Event::MessageReceived(_))).await {
            Event::MessageReceived(list) => list,
            _ => unreachable!(),
        }
    }

    async fn send(&self, to: &UserId, random: u32, text: &str) -> Message {
        let item = OutboxItem {
            to: to.clone(),
            random,
            elements: vec![Element::Text(TextElem { text: text.into() })],
            cloud_custom_data: None,
            created_ms: js_sys::Date::now() as u64,
            offline_push_info: None,
            need_read_receipt: false,
        };
        self.client
            .session()
            .expect("connected")
            .send(item)
            .await
            .unwrap()
    }
}

fn text_of(m: &Message) -> &str {
    match &m.elements[0] {
        Element::Text(t) => &t.text,
        other => panic!("not text: {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn two_browsers_chat_live() {
    let (alice, bob) = (user("alice"), user("bob"));
    let mut b = sign_in(&bob, "tab").await;
    let a = sign_in(&alice, "tab").await;
    let sent = a.send(&bob, 1, "hello from the browser").await;
    assert_eq!(b.received().await, vec![sent]);
    let (page, _) = b
        .client
        .session()
        .unwrap()
        .messages(&alice, None, 10)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
}

#[wasm_bindgen_test]
async fn offline_messages_arrive_at_login_and_survive_a_reload() {
    let (alice, bob) = (user("alice2"), user("bob2"));
    let b = sign_in(&bob, "tab").await;
    b.client.logout().await;
    let a = sign_in(&alice, "tab").await;
    for i in 0..5 {
        a.send(&bob, i, &format!("offline {i}")).await;
    }
    let (app_id, _) = app();
    let ns = Namespace {
        sdk_app_id: app_id,
        user: bob.clone(),
    };
    let b = sign_in_collecting(&bob).await;
    let texts: Vec<String> = b.1.iter().map(|m| text_of(m).to_owned()).collect();
    assert_eq!(
        texts,
        (0..5).map(|i| format!("offline {i}")).collect::<Vec<_>>()
    );
    b.0.client.logout().await;
    // A reload: a new cache handle on the same database shows history without the network.
    let cache = IndexedDbCache::open(&ns).await.unwrap();
    let cached = cache.messages(&alice, None, 10).await.unwrap();
    assert_eq!(cached.len(), 5);
    assert_eq!(text_of(&cached[0]), "offline 4");
    let conversations = cache.conversations().await.unwrap();
    assert_eq!(conversations[0].peer, alice);
    assert_eq!(conversations[0].unread, 5);
}

/// Signs in and collects the messages announced before `SdkReady`.
async fn sign_in_collecting(user: &UserId) -> (Device, Vec<Message>) {
    let mut device = connect(user, "tab2").await;
    let mut got = Vec::new();
    loop {
        match device.until(|_| true).await {
            Event::MessageReceived(list) => got.extend(list),
            Event::SdkReady => return (device, got),
            _ => {}
        }
    }
}
