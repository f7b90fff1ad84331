//! The real `duet-server` binary, killed with SIGKILL under load, restarted in the middle of a
//! client's sync, and left and rejoined by a client a hundred times: every acknowledged message
//! is found exactly once, retries of unacknowledged ones are stored once, and no client misses
//! or repeats a message.

mod common;

use common::*;
use protocol::frame::{Reply, Request, ServerFrame};
use protocol::{MessageKey, Seq, SyncEntry};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The binary with room for every message in bob's log, so the checks below read what
/// devices sync, and no rate limit on the load.
fn spawn(data_dir: &std::path::Path) -> BinaryServer {
    let env = [
        ("DUET_WS_RATE", "100000"),
        ("DUET_WS_BURST", "100000"),
        ("DUET_OFFLINE_CACHE_BYTES", "1000000000"),
    ];
    BinaryServer::spawn(data_dir, &[], &env).expect("duet-server listens")
}

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn login(addr: SocketAddr, user: &str, device: &str) -> Client {
    let sig = identity().signer().sign(user, 3600, now_s());
    let mut c = Client::connect(addr).await;
    c.login(user, &sig, device).await;
    c
}

/// A message as its sender knows it: who, which random, what text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Sent {
    from: String,
    random: u32,
    text: String,
}

/// Sends `text` as a new message (or a retry: same random, same text); `None` when the
/// connection fails before the answer.
async fn try_send(c: &mut Client, sent: &Sent) -> Option<MessageKey> {
    let request = Request::Send {
        to: uid("bob"),
        random: sent.random,
        elements: text(&sent.text),
        cloud_custom_data: None,
        online_only: false,
        offline_push_info: None,
        client_time_s: 0,
        need_read_receipt: false,
    };
    match c.try_request(request).await? {
        ServerFrame::Reply {
            data: Reply::Sent { key, .. },
            ..
        } => Some(key),
        other => panic!("send refused: {other:?}"),
    }
}

/// One sender under load until the connection breaks: what it had acknowledged, and the send
/// that was in flight.
async fn send_until_killed(
    addr: SocketAddr,
    name: String,
    round: u32,
) -> (Vec<(Sent, MessageKey)>, Sent) {
    let mut c = login(addr, &name, "load").await;
    let mut acked = Vec::new();
    for i in 0.. {
        let sent = Sent {
            from: name.clone(),
            random: round * 1_000_000 + i,
            text: format!("{name} round {round} #{i}"),
        };
        match try_send(&mut c, &sent).await {
            Some(key) => acked.push((sent, key)),
            None => return (acked, sent),
        }
    }
    unreachable!()
}

/// Everything in bob's log after `after`, by sync pages of `page`, on a fresh connection.
async fn bob_syncs(addr: SocketAddr, after: Seq, page: u32) -> (Vec<SyncEntry>, Seq) {
    let mut bob = login(addr, "bob", "reader").await;
    let (entries, next, _) = bob.sync_all(after, page).await;
    (entries, next)
}

fn sent_of(entries: &[SyncEntry]) -> Vec<(Sent, MessageKey)> {
    messages(entries)
        .into_iter()
        .map(|m| {
            let sent = Sent {
                from: m.from.to_string(),
                random: m.random,
                text: text_of(m).to_owned(),
            };
            (sent, m.key)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_message_survives_sigkill_under_load_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut acked: Vec<(Sent, MessageKey)> = Vec::new();
    let mut retried: Vec<Sent> = Vec::new();
    for round in 0..3 {
        let server = spawn(dir.path());
        login(server.addr, "bob", "reader").await;
        let senders: Vec<_> = (0..4)
            .map(|i| tokio::spawn(send_until_killed(server.addr, format!("alice{i}"), round)))
            .collect();
        tokio::time::sleep(Duration::from_millis(400)).await;
        server.kill();
        let server = spawn(dir.path());
        for sender in senders {
            let (done, in_flight) = sender.await.unwrap();
            assert!(!done.is_empty(), "the load ran before the kill");
            acked.extend(done);
            // The client retries what it had not heard back about, as the SDK's outbox does.
            let mut c = login(server.addr, &in_flight.from, "load").await;
            try_send(&mut c, &in_flight)
                .await
                .expect("the retry is answered");
            retried.push(in_flight);
        }
        server.kill();
    }
    let server = spawn(dir.path());
    let (entries, _) = bob_syncs(server.addr, Seq(0), 200).await;
    let stored = sent_of(&entries);
    let mut by_key: HashMap<MessageKey, usize> = HashMap::new();
    let mut by_random: HashMap<(String, u32), usize> = HashMap::new();
    for (sent, key) in &stored {
        *by_key.entry(*key).or_default() += 1;
        *by_random
            .entry((sent.from.clone(), sent.random))
            .or_default() += 1;
    }
    for (sent, key) in &acked {
        assert_eq!(
            by_key.get(key),
            Some(&1),
            "acknowledged {sent:?} is stored once"
        );
        let found = stored.iter().find(|(_, k)| k == key).unwrap();
        assert_eq!(&found.0, sent, "with the content that was sent");
    }
    for sent in &retried {
        assert_eq!(
            by_random.get(&(sent.from.clone(), sent.random)),
            Some(&1),
            "the retry of {sent:?} is stored exactly once"
        );
    }
    assert_eq!(
        stored.len(),
        acked.len() + retried.len(),
        "nothing else is stored"
    );
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_reconnects_and_a_restart_mid_sync_lose_and_repeat_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = spawn(dir.path());
    let addr = server.addr;
    login(addr, "bob", "reader").await;
    let mut alice = login(addr, "alice0", "writer").await;
    // Alice writes all along while bob comes and goes, resuming from his cursor each time.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let (stop, written) = (stop.clone(), written.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let sent = Sent {
                    from: "alice0".into(),
                    random: i,
                    text: format!("live #{i}"),
                };
                let key = try_send(&mut alice, &sent).await.unwrap();
                written.lock().unwrap().push((sent, key));
                i += 1;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let mut cursor = Seq(0);
    let mut seen: Vec<(Sent, MessageKey)> = Vec::new();
    for cycle in 0..100 {
        let mut bob = login(addr, "bob", "phone").await;
        let (entries, next, _) = bob.sync_all(cursor, 7).await;
        seen.extend(sent_of(&entries));
        cursor = next;
        if cycle % 2 == 0 {
            bob.ok(Request::Logout).await;
        }
    }
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    let (entries, next) = bob_syncs(addr, cursor, 7).await;
    seen.extend(sent_of(&entries));
    cursor = next;
    assert_eq!(
        seen,
        *written.lock().unwrap(),
        "every message once, in order"
    );

    // Bob is away while 300 more arrive; the server dies after his second page.
    let mut alice = login(addr, "alice0", "writer").await;
    let mut more = Vec::new();
    for i in 0..300u32 {
        let sent = Sent {
            from: "alice0".into(),
            random: 1_000_000 + i,
            text: format!("while away #{i}"),
        };
        let key = try_send(&mut alice, &sent).await.unwrap();
        more.push((sent, key));
    }
    let mut bob = login(addr, "bob", "phone").await;
    for _ in 0..2 {
        let Reply::SyncPage(page) = bob
            .ok(Request::Sync {
                after: cursor,
                limit: 50,
            })
            .await
        else {
            panic!()
        };
        seen.extend(sent_of(&page.entries));
        cursor = page.next;
    }
    server.kill();
    let server = spawn(dir.path());
    let (entries, _) = bob_syncs(server.addr, cursor, 50).await;
    seen.extend(sent_of(&entries));
    let mut expected = written.lock().unwrap().clone();
    expected.extend(more);
    assert_eq!(
        seen, expected,
        "the sync resumes after the restart: nothing lost or repeated"
    );
    server.kill();
}
