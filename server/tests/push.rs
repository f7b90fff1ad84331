//! Offline push through Web Push, against a local stand-in for a browser's push service that
//! checks each request as one would: the VAPID JWT's signature and claims, and the
//! `aes128gcm` body, decrypted with the subscription's own private key made here.

mod common;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::*;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use protocol::frame::{Reply, Request};
use protocol::push::{OfflinePushInfo, ReceiveOpt, Vendor};
use protocol::{ErrorCode, Seq, SyncEvent};
use server::clock::Clock;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the stand-in received: the subscription's path id, the headers and the body.
type Received = Vec<(String, HeaderMap, Vec<u8>)>;

/// A push service stand-in: answers each POST with the next status queued for its path
/// (201 when none), and keeps what it received.
#[derive(Clone, Default)]
struct PushService {
    received: Arc<Mutex<Received>>,
    answers: Arc<Mutex<VecDeque<(String, u16)>>>,
}

impl PushService {
    async fn start() -> (Self, SocketAddr) {
        let service = PushService::default();
        let app = axum::Router::new()
            .route("/push/{id}", axum::routing::post(receive))
            .with_state(service.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (service, addr)
    }

    fn answer(&self, id: &str, status: u16) {
        self.answers
            .lock()
            .unwrap()
            .push_back((id.to_owned(), status));
    }

    fn answer_normally(&self) {
        self.answers.lock().unwrap().clear();
    }

    fn received(&self) -> Received {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `n` pushes have arrived; then a moment more to see no extra one.
    async fn expect(&self, n: usize) -> Received {
        for _ in 0..200 {
            if self.received.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let got = self.received();
        assert_eq!(got.len(), n, "pushes received");
        got
    }
}

async fn receive(
    State(s): State<PushService>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let status = {
        let mut answers = s.answers.lock().unwrap();
        match answers.iter().position(|(p, _)| p == &id) {
            Some(i) => answers.remove(i).unwrap().1,
            None => 201,
        }
    };
    if status == 201 {
        s.received
            .lock()
            .unwrap()
            .push((id, headers, body.to_vec()));
    }
    StatusCode::from_u16(status).unwrap()
}

/// A browser's subscription: its key pair and auth secret, made here.
struct Browser {
    secret: p256::SecretKey,
    auth: [u8; 16],
    endpoint: String,
}

impl Browser {
    fn new(service: SocketAddr, id: &str) -> Self {
        Self {
            secret: p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng),
            auth: rand::random(),
            endpoint: format!("http://{service}/push/{id}"),
        }
    }

    fn token(&self) -> String {
        let public = self.secret.public_key().to_encoded_point(false);
        serde_json::json!({
            "endpoint": self.endpoint,
            "keys": { "p256dh": B64.encode(public.as_bytes()), "auth": B64.encode(self.auth) },
        })
        .to_string()
    }

    /// Checks the request as a push service does, and decrypts it as the browser does.
    fn open(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        vapid_key: &str,
        now_s: u64,
    ) -> serde_json::Value {
        assert_eq!(headers["content-encoding"], "aes128gcm");
        assert!(headers["ttl"].to_str().unwrap().parse::<u64>().unwrap() > 0);
        let auth = headers["authorization"].to_str().unwrap();
        let rest = auth.strip_prefix("vapid t=").expect("VAPID authorization");
        let (jwt, k) = rest.split_once(", k=").unwrap();
        assert_eq!(k, vapid_key, "signed with the key the server publishes");
        let key = VerifyingKey::from_sec1_bytes(&B64.decode(k).unwrap()).unwrap();
        let (signed, signature) = jwt.rsplit_once('.').unwrap();
        let signature = Signature::from_slice(&B64.decode(signature).unwrap()).unwrap();
        key.verify(signed.as_bytes(), &signature)
            .expect("the JWT's ES256 signature verifies");
        let (header, claims) = signed.split_once('.').unwrap();
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(header).unwrap()).unwrap();
        assert_eq!(header["alg"], "ES256");
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(claims).unwrap()).unwrap();
        let origin = self.endpoint.split("/push/").next().unwrap();
        assert_eq!(
            claims["aud"], origin,
            "the audience is the push service's origin"
        );
        let exp = claims["exp"].as_u64().unwrap();
        assert!(
            exp > now_s && exp <= now_s + 24 * 3600,
            "expires within 24 hours"
        );
        assert!(claims["sub"].as_str().unwrap().starts_with("mailto:"));
        let auth = web_push_native::Auth::clone_from_slice(&self.auth);
        let plain = web_push_native::decrypt(body.to_vec(), &self.secret, &auth)
            .expect("the body decrypts with the subscription's key");
        serde_json::from_slice(&plain).unwrap()
    }
}

async fn vapid_key(server: &TestServer) -> String {
    vapid_key_at(server.addr).await
}

async fn vapid_key_at(addr: SocketAddr) -> String {
    let url = format!("http://{addr}/duet/push/vapid");
    let v: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    v["publicKey"].as_str().unwrap().to_owned()
}

async fn register(server: &TestServer, user: &str, device: &str, token: &str) -> serde_json::Value {
    let body = serde_json::json!({
        "From_Account": user, "DeviceID": device, "Vendor": "webpush", "Token": token,
    });
    server.rest("duet/push_register", body).await
}

fn text_send(to: &str, random: u32, body: &str, info: Option<OfflinePushInfo>) -> Request {
    Request::Send {
        to: uid(to),
        random,
        elements: text(body),
        cloud_custom_data: None,
        client_time_s: 0,
        online_only: false,
        offline_push_info: info.map(Box::new),
        need_read_receipt: false,
    }
}

#[tokio::test]
async fn an_offline_user_gets_one_web_push_and_an_online_one_none() {
    let (service, service_addr) = PushService::start().await;
    let server = TestServer::start().await;
    let key = vapid_key(&server).await;
    assert_eq!(
        B64.decode(&key).unwrap().len(),
        65,
        "an uncompressed P-256 point"
    );
    let browser = Browser::new(service_addr, "bob");
    server.login("bob", "web").await.ok(Request::Logout).await; // makes the account
    let r = register(&server, "bob", "web", &browser.token()).await;
    assert_eq!(r["ErrorCode"], 0, "{r}");
    let mut alice = server.login("alice", "web").await;

    alice.send_text("bob", 1, "are you there?").await;
    let got = service.expect(1).await;
    let now_s = server.clock.now_ms() / 1000;
    let note = browser.open(&got[0].1, &got[0].2, &key, now_s);
    assert_eq!(note["title"], "alice");
    assert_eq!(note["body"], "are you there?");
    assert_eq!(note["conversationID"], "C2Calice");
    assert_eq!(note["badge"], 1, "the badge is the unread count");

    // Online: nothing is pushed.
    let mut bob = server.login("bob", "phone").await;
    alice.send_text("bob", 2, "hi again").await;
    bob.push().await;
    service.expect(1).await;
    drop(bob);
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Not when the sender turns it off, nor for an online-only message.
    let off = OfflinePushInfo {
        push_flag: 1,
        ..Default::default()
    };
    alice.ok(text_send("bob", 3, "quiet", Some(off))).await;
    let mut online_only = text_send("bob", 4, "typing", None);
    if let Request::Send { online_only: o, .. } = &mut online_only {
        *o = true;
    }
    alice.ok(online_only).await;
    service.expect(1).await;

    // Not from a peer bob muted (on another device: the list is his, on every device).
    let mut bob = server.login("bob", "tablet").await;
    bob.ok(Request::RelationAdd {
        relation: protocol::Relation::Muted,
        users: vec![uid("alice")],
        fields: Default::default(),
    })
    .await;
    drop(bob);
    tokio::time::sleep(Duration::from_millis(200)).await;
    alice.send_text("bob", 6, "muted").await;
    service.expect(1).await;
    let mut bob = server.login("bob", "tablet").await;
    bob.ok(Request::RelationRemove {
        relation: protocol::Relation::Muted,
        users: vec![uid("alice")],
    })
    .await;
    drop(bob);
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The sender's title and text.
    let info = OfflinePushInfo {
        title: "Alice says".into(),
        desc: "Open the app".into(),
        ext: "{\"k\":1}".into(),
        ..Default::default()
    };
    alice.ok(text_send("bob", 5, "one", Some(info))).await;
    let got = service.expect(2).await;
    let note = browser.open(&got[1].1, &got[1].2, &key, now_s);
    assert_eq!(
        (
            note["title"].as_str(),
            note["body"].as_str(),
            note["ext"].as_str()
        ),
        (Some("Alice says"), Some("Open the app"), Some("{\"k\":1}"))
    );
}

#[tokio::test]
async fn a_failing_push_is_retried_and_a_gone_subscription_dropped() {
    let (service, service_addr) = PushService::start().await;
    let server = TestServer::start().await;
    let key = vapid_key(&server).await;
    let (busy, gone) = (
        Browser::new(service_addr, "busy"),
        Browser::new(service_addr, "gone"),
    );
    for u in ["bob", "carol"] {
        server.login(u, "x").await.ok(Request::Logout).await;
    }
    register(&server, "bob", "web", &busy.token()).await;
    register(&server, "carol", "web", &gone.token()).await;
    service.answer("busy", 503);
    service.answer("gone", 410);
    let mut alice = server.login("alice", "web").await;
    alice.send_text("bob", 1, "first try fails").await;
    alice.send_text("carol", 2, "no longer subscribed").await;
    service.expect(0).await;
    let carol = uid("carol");
    assert!(
        server
            .chat
            .storage
            .push_registrations(&carol)
            .await
            .unwrap()
            .is_empty(),
        "a gone subscription is dropped"
    );
    // The retry comes after its backoff (2 s by the server's clock).
    server.clock.advance_ms(2_000);
    let got = service.expect(1).await;
    let note = busy.open(&got[0].1, &got[0].2, &key, server.clock.now_ms() / 1000);
    assert_eq!(note["body"], "first try fails");
}

#[tokio::test]
async fn registrations_are_checked_and_leave_with_logout() {
    let (_service, service_addr) = PushService::start().await;
    let server = TestServer::start().await;
    let browser = Browser::new(service_addr, "b");
    let mut bob = server.login("bob", "web").await;
    let bad = |token: &str| Request::PushRegister {
        vendor: Vendor::Webpush,
        token: token.into(),
    };
    for token in [
        "not json".to_owned(),
        r#"{"endpoint":"http://example.com/p","keys":{"p256dh":"x","auth":"y"}}"#.to_owned(),
        "x".repeat(protocol::push::PUSH_TOKEN_MAX_BYTES + 1),
    ] {
        assert_eq!(
            bob.err(bad(&token)).await,
            protocol::ErrorCode::INVALID_ARGUMENT
        );
    }
    assert_eq!(
        bob.ok(bad(&browser.token())).await,
        Reply::PushRegistration { registered: true }
    );
    let regs = server
        .chat
        .storage
        .push_registrations(&uid("bob"))
        .await
        .unwrap();
    assert_eq!((regs.len(), regs[0].device.as_str()), (1, "web"));
    assert_eq!(bob.ok(Request::Logout).await, Reply::LoggedOut);
    assert!(
        server
            .chat
            .storage
            .push_registrations(&uid("bob"))
            .await
            .unwrap()
            .is_empty(),
        "logout ends the device's pushes"
    );
    let r = register(&server, "nobody", "d", &browser.token()).await;
    assert_ne!(r["ErrorCode"], 0, "no registration for an unknown account");
}

#[tokio::test]
async fn a_push_queued_before_a_crash_goes_out_once_after_the_restart() {
    let (service, service_addr) = PushService::start().await;
    let dir = tempfile::tempdir().unwrap();
    let login = |addr: SocketAddr, user: &'static str| async move {
        let now_s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut c = Client::connect(addr).await;
        c.login(user, &identity().signer().sign(user, 3600, now_s), "web")
            .await;
        c
    };
    let server = BinaryServer::spawn(dir.path(), &[], &[]).expect("duet-server listens");
    let browser = Browser::new(service_addr, "crash");
    let mut bob = login(server.addr, "bob").await;
    let register = Request::PushRegister {
        vendor: Vendor::Webpush,
        token: browser.token(),
    };
    bob.ok(register).await;
    drop(bob); // offline, still registered
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The push service is down until the server has been killed.
    for _ in 0..20 {
        service.answer("crash", 503);
    }
    let mut alice = login(server.addr, "alice").await;
    alice
        .send_text("bob", 1, "sent just before the crash")
        .await;
    server.kill();

    service.answer_normally();
    let server = BinaryServer::spawn(dir.path(), &[], &[]).expect("duet-server restarts");
    let key = vapid_key_at(server.addr).await;
    let got = service.expect(1).await;
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let note = browser.open(&got[0].1, &got[0].2, &key, now_s);
    assert_eq!(note["body"], "sent just before the crash");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(service.received().len(), 1, "exactly once");
    drop(server);
}

#[tokio::test]
async fn quiet_hours_hold_back_notifications_on_every_device_while_they_last() {
    let (service, service_addr) = PushService::start().await;
    let server = TestServer::start().await;
    vapid_key(&server).await;
    let browser = Browser::new(service_addr, "bob");
    server.login("bob", "web").await.ok(Request::Logout).await;
    register(&server, "bob", "web", &browser.token()).await;
    let mut phone = server.login("bob", "phone").await;
    let mut tablet = server.login("bob", "tablet").await;
    assert_eq!(
        phone.ok(Request::ReceiveOptGet).await,
        Reply::ReceiveOpt {
            opt: ReceiveOpt::default()
        },
        "none set yet"
    );

    // An hour from now, repeated daily: set on the phone, told to the tablet.
    let now_s = server.clock.now_ms() / 1000;
    let quiet = ReceiveOpt {
        quiet: true,
        start_s: now_s - 60,
        end_s: now_s + 3600,
        repeated: true,
    };
    let set = phone
        .ok(Request::ReceiveOptSet { opt: quiet.clone() })
        .await;
    assert_eq!(set, Reply::ReceiveOpt { opt: quiet.clone() });
    let told = tablet.push().await;
    assert_eq!(told.seq, Seq(0), "never in the log");
    assert_eq!(told.event, SyncEvent::ReceiveOpt { opt: quiet.clone() });
    assert_eq!(
        tablet.ok(Request::ReceiveOptGet).await,
        Reply::ReceiveOpt { opt: quiet.clone() }
    );
    drop((phone, tablet));
    tokio::time::sleep(Duration::from_millis(200)).await;

    // In the window: the message arrives, no notification goes out.
    let mut alice = server.login("alice", "web").await;
    alice.send_text("bob", 1, "in the quiet hours").await;
    service.expect(0).await;

    // After it (the same time of day tomorrow is quiet again): notified.
    server.clock.advance_ms(2 * 3600 * 1000);
    alice.send_text("bob", 2, "after them").await;
    service.expect(1).await;
    server.clock.advance_ms(22 * 3600 * 1000);
    alice
        .send_text("bob", 3, "the next day's quiet hours")
        .await;
    service.expect(1).await;

    // Refused: a repeated window longer than a day, one that ends before it starts.
    let mut phone = server.login("bob", "phone").await;
    for opt in [
        ReceiveOpt {
            end_s: quiet.start_s + 86_401,
            ..quiet.clone()
        },
        ReceiveOpt {
            end_s: quiet.start_s - 1,
            repeated: false,
            ..quiet.clone()
        },
    ] {
        assert_eq!(
            phone.err(Request::ReceiveOptSet { opt }).await,
            ErrorCode::INVALID_ARGUMENT
        );
    }
    // Cleared (Tencent's MSG_REMIND_ACPT_AND_NOTE): kept as none, whatever times came with it.
    let cleared = phone
        .ok(Request::ReceiveOptSet {
            opt: ReceiveOpt {
                quiet: false,
                ..quiet.clone()
            },
        })
        .await;
    assert_eq!(
        cleared,
        Reply::ReceiveOpt {
            opt: ReceiveOpt::default()
        }
    );
    drop(phone);
    tokio::time::sleep(Duration::from_millis(200)).await;
    alice.send_text("bob", 4, "no quiet hours now").await;
    service.expect(2).await;
}

#[tokio::test]
async fn a_push_without_a_message_is_a_notice_to_the_accounts_picked_online_or_not() {
    let (service, service_addr) = PushService::start().await;
    let server = TestServer::start().await;
    let key = vapid_key(&server).await;
    let browsers: Vec<Browser> = ["carol", "dave"]
        .iter()
        .map(|u| Browser::new(service_addr, u))
        .collect();
    for (user, browser) in ["carol", "dave"].iter().zip(&browsers) {
        server.login(user, "x").await.ok(Request::Logout).await;
        let r = register(&server, user, "web", &browser.token()).await;
        assert_eq!(r["ErrorCode"], 0, "{r}");
    }
    let r = server
        .rest(
            "all_member_push/im_add_tag",
            serde_json::json!({"UserTags": [{"To_Account": "carol", "Tags": ["beta"]}]}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    // Carol is online: a notice is in no message her devices have, so she is pushed all the same.
    let mut carol = server.login("carol", "web").await;
    let info = serde_json::json!({"PushFlag": 0, "Title": "Beta", "Desc": "New build today", "Ext": "{\"build\":7}"});
    let r = server
        .rest(
            "timpush/push",
            serde_json::json!({"MsgRandom": 1, "Condition": {"TagsAnd": ["beta"]}, "OfflinePushInfo": info}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let report = push_ended(|b| server.rest("duet/push_task", b), &r["TaskId"]).await;
    assert_eq!(
        (report["Status"].as_str(), report["Sent"].as_u64()),
        (Some("done"), Some(1)),
        "{report}"
    );
    let got = service.expect(1).await;
    assert_eq!(got[0].0, "carol", "only the tagged account");
    let note = browsers[0].open(&got[0].1, &got[0].2, &key, server.clock.now_ms() / 1000);
    assert_eq!(
        (
            note["title"].as_str(),
            note["body"].as_str(),
            note["ext"].as_str(),
            note["conversationID"].as_str()
        ),
        (
            Some("Beta"),
            Some("New build today"),
            Some("{\"build\":7}"),
            Some("")
        )
    );
    // No message: nothing reaches her devices' sync, nothing in her conversation list.
    let Reply::Conversations { conversations } = carol.ok(Request::Conversations).await else {
        panic!("conversations")
    };
    assert!(conversations.is_empty(), "{conversations:?}");

    // To listed accounts (Tencent's timpush/batch); an unknown one counts as failed, one named
    // twice gets one notice.
    let r = server
        .rest(
            "timpush/batch",
            serde_json::json!({"To_Account": ["dave", "nobody", "dave"], "MsgRandom": 2, "OfflinePushInfo": {"Title": "Hi Dave"}}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let report = server
        .rest("duet/push_task", serde_json::json!({"TaskId": r["TaskId"]}))
        .await;
    assert_eq!(
        (
            report["Status"].as_str(),
            report["Sent"].as_u64(),
            report["Failed"].as_u64()
        ),
        (Some("done"), Some(1), Some(1)),
        "{report}"
    );
    let got = service.expect(2).await;
    assert_eq!(got[1].0, "dave");
    let note = browsers[1].open(&got[1].1, &got[1].2, &key, server.clock.now_ms() / 1000);
    assert_eq!(
        (note["title"].as_str(), note["body"].as_str()),
        (Some("Hi Dave"), Some(""))
    );

    // Refused: nothing to send, nothing to show, too many accounts, a condition Duet cannot read.
    for (body, want) in [
        (serde_json::json!({"MsgRandom": 3}), 90002),
        (
            serde_json::json!({"MsgRandom": 3, "OfflinePushInfo": {"PushFlag": 1, "Ext": "data"}}),
            90002,
        ),
        (
            serde_json::json!({"MsgRandom": 3, "OfflinePushInfo": {"Ext": "data"}}),
            90002,
        ),
        (
            serde_json::json!({"MsgRandom": 3, "OfflinePushInfo": {"Title": "x"}, "Condition": {"TagsNot": ["beta"]}}),
            90001,
        ),
    ] {
        let r = server.rest("timpush/push", body.clone()).await;
        assert_eq!(code(&r), want, "{body}: {r}");
    }
    let many: Vec<String> = (0..501).map(|i| format!("u{i}")).collect();
    let r = server
        .rest(
            "timpush/batch",
            serde_json::json!({"To_Account": many, "OfflinePushInfo": {"Title": "x"}}),
        )
        .await;
    assert_eq!(code(&r), 60006, "{r}");
    service.expect(2).await;
}
