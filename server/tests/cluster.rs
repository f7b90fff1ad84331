//! Several real `duet-server` processes on one PostgreSQL database and one NATS server: users
//! on different nodes chat, a user's devices on different nodes stay in sync, relations and
//! settings hold across nodes, and neither a node killed under load nor a NATS restart loses
//! or repeats an acknowledged message.

mod common;

use common::*;
use protocol::frame::{Reply, Request, ServerFrame};
use protocol::{MessageKey, Relation, Seq, SyncEntry, SyncEvent};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// A cluster: its database, its NATS, and the data dir each node keeps its own files in.
struct Cluster {
    database: String,
    nats: Nats,
    dirs: Vec<tempfile::TempDir>,
}

impl Cluster {
    fn new(nodes: usize) -> Self {
        Self {
            database: fresh_database(),
            nats: Nats::start(),
            dirs: (0..nodes).map(|_| tempfile::tempdir().unwrap()).collect(),
        }
    }

    /// Starts node `i` (again, after a kill).
    fn node(&self, i: usize) -> BinaryServer {
        self.node_with(i, &[])
    }

    /// Starts node `i` with more settings.
    fn node_with(&self, i: usize, settings: &[(&str, &str)]) -> BinaryServer {
        let nats = self.nats.url();
        let mut env = vec![
            ("DUET_STORAGE", "postgres"),
            ("DUET_DATABASE_URL", self.database.as_str()),
            ("DUET_NATS_URL", nats.as_str()),
            ("DUET_WS_RATE", "100000"),
            ("DUET_WS_BURST", "100000"),
            ("DUET_OFFLINE_CACHE_BYTES", "1000000000"),
        ];
        env.extend_from_slice(settings);
        BinaryServer::spawn(self.dirs[i].path(), &[], &env).expect("a node starts")
    }
}

/// The next pushed message, skipping other entries (read marks, profiles).
async fn next_message(c: &mut Client) -> protocol::Message {
    loop {
        if let SyncEvent::Message { message } = &c.push().await.event {
            return message.clone();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn users_and_devices_on_different_nodes_chat_and_stay_in_sync() {
    let cluster = Cluster::new(3);
    let nodes: Vec<BinaryServer> = (0..3).map(|i| cluster.node(i)).collect();
    let mut alice = nodes[0].login("alice", "web").await;
    let mut bob_phone = nodes[1].login("bob", "phone").await;
    let mut bob_laptop = nodes[2].login("bob", "laptop").await;

    // A message from node 0 reaches both of bob's devices, on nodes 1 and 2.
    let (sent, _, _) = alice.send_text("bob", 1, "hello from node 0").await;
    for device in [&mut bob_phone, &mut bob_laptop] {
        let got = next_message(device).await;
        assert_eq!((got.key, text_of(&got)), (sent.key, "hello from node 0"));
    }
    // A reply from bob's laptop reaches alice on node 0, and bob's phone on node 1 too.
    let (reply, _, _) = bob_laptop.send_text("alice", 2, "hi from node 2").await;
    assert_eq!(next_message(&mut alice).await.key, reply.key);
    assert_eq!(next_message(&mut bob_phone).await.key, reply.key);

    // Read marks: bob reads on node 1; alice on node 0 gets the receipt, bob's laptop the mark.
    bob_phone.ok(Request::MarkRead { peer: uid("alice") }).await;
    let receipt = alice.push().await;
    assert!(
        matches!(&receipt.event, SyncEvent::PeerRead { peer, up_to } if peer == &uid("bob") && up_to.id == reply.key.id),
        "{receipt:?}"
    );
    let mark = bob_laptop.push().await;
    assert!(
        matches!(&mark.event, SyncEvent::Read { peer, .. } if peer == &uid("alice")),
        "{mark:?}"
    );

    // Recall on node 0 reaches bob's devices on the other nodes.
    alice
        .ok(Request::Recall {
            peer: uid("bob"),
            key: sent.key,
        })
        .await;
    for device in [&mut bob_phone, &mut bob_laptop] {
        let entry = device.push().await;
        assert!(
            matches!(&entry.event, SyncEvent::Recalled { key, .. } if *key == sent.key),
            "{entry:?}"
        );
    }

    // A custom status set on node 1 reaches alice, following bob on node 0, and bob's laptop.
    alice
        .ok(Request::StatusSubscribe {
            users: vec![uid("bob")],
            subscribe: true,
        })
        .await;
    bob_phone
        .ok(Request::StatusSet {
            custom_status: "on a train".into(),
        })
        .await;
    for device in [&mut alice, &mut bob_laptop] {
        let status = loop {
            if let SyncEvent::Status { status } = &device.push().await.event {
                break status.clone();
            }
        };
        assert_eq!(
            (status.user_id.as_str(), status.custom_status.as_str()),
            ("bob", "on a train")
        );
    }

    // Quiet hours set on node 1 reach bob's laptop on node 2, and node 2 reads them back.
    let quiet = protocol::push::ReceiveOpt {
        quiet: true,
        start_s: 1_800_000_000,
        end_s: 1_800_003_600,
        repeated: true,
    };
    bob_phone
        .ok(Request::ReceiveOptSet { opt: quiet.clone() })
        .await;
    let told = loop {
        if let SyncEvent::ReceiveOpt { opt } = &bob_laptop.push().await.event {
            break opt.clone();
        }
    };
    assert_eq!(told, quiet);
    assert_eq!(
        bob_laptop.ok(Request::ReceiveOptGet).await,
        Reply::ReceiveOpt { opt: quiet }
    );

    // The offline flow: carol, an account the backend made through node 1, is offline while
    // alice writes through node 0, then signs in on node 2 and finds everything.
    let made = nodes[1]
        .rest(
            "im_open_login_svc/account_import",
            serde_json::json!({ "UserID": "carol" }),
        )
        .await;
    assert_eq!(made["ErrorCode"], 0, "{made}");
    for i in 0..5 {
        alice
            .send_text("carol", 100 + i, &format!("for carol #{i}"))
            .await;
    }
    let mut carol = nodes[2].login("carol", "web").await;
    let (entries, _, _) = carol.sync_all(Seq(0), 2).await;
    let texts: Vec<&str> = messages(&entries).into_iter().map(text_of).collect();
    assert_eq!(
        texts,
        (0..5)
            .map(|i| format!("for carol #{i}"))
            .collect::<Vec<_>>()
    );

    // Presence: carol, signed in on node 2 only, counts as online on node 0.
    let state = nodes[0]
        .rest(
            "openim/query_online_status",
            serde_json::json!({ "To_Account": ["carol"] }),
        )
        .await;
    assert_eq!(state["QueryResult"][0]["Status"], "Online", "{state}");

    // A push to every account through node 1 reaches the users' devices on every node.
    let push = nodes[1]
        .rest(
            "timpush/push",
            serde_json::json!({ "MsgRandom": 9, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "to every node"}}] }),
        )
        .await;
    assert_eq!(push["ErrorCode"], 0, "{push}");
    for device in [&mut alice, &mut bob_phone, &mut bob_laptop, &mut carol] {
        while text_of(&next_message(device).await) != "to every node" {}
    }
    // Any node reports on it.
    let report = push_ended(|b| nodes[2].rest("duet/push_task", b), &push["TaskId"]).await;
    assert_eq!(
        (&report["Status"], &report["Sent"], &report["Failed"]),
        (
            &serde_json::json!("done"),
            &serde_json::json!(3),
            &serde_json::json!(0)
        ),
        "alice, bob and carol: {report}"
    );
    // A tag given through node 0 aims a push through node 2, and the limits hold across the
    // nodes: a push through node 0 at once after it is refused.
    let tagged = nodes[0]
        .rest(
            "all_member_push/im_add_tag",
            serde_json::json!({ "UserTags": [{"To_Account": "carol", "Tags": ["vip"]}] }),
        )
        .await;
    assert_eq!(tagged["ErrorCode"], 0, "{tagged}");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let body = |text: &str| {
        serde_json::json!({ "MsgRandom": 10, "Condition": {"TagsAnd": ["vip"]},
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}] })
    };
    let vip = nodes[2].rest("timpush/push", body("for the vips")).await;
    assert_eq!(vip["ErrorCode"], 0, "{vip}");
    let too_soon = nodes[0].rest("timpush/push", body("again")).await;
    assert_eq!(too_soon["ErrorCode"], 60004, "{too_soon}");
    while text_of(&next_message(&mut carol).await) != "for the vips" {}
    let report = push_ended(|b| nodes[1].rest("duet/push_task", b), &vip["TaskId"]).await;
    assert_eq!(report["Sent"], 1, "carol alone: {report}");

    // A blacklist entry made through node 1 refuses alice's sends through node 0.
    let Reply::RelationResults { results } = bob_phone
        .ok(Request::RelationAdd {
            relation: Relation::Blacklist,
            users: vec![uid("alice")],
            fields: Default::default(),
        })
        .await
    else {
        panic!("relation_add answers relation_results")
    };
    assert_eq!(results[0].code, protocol::ErrorCode(0));
    assert_eq!(
        alice.send_text_err("bob", 3, "blocked?").await,
        protocol::ErrorCode::BLOCKED
    );

    // Friends-only switched on through node 2 holds on node 0 (alice and carol are not friends).
    let set = nodes[2]
        .rest(
            "duet/set_app_config",
            serde_json::json!({ "FriendsOnly": 1 }),
        )
        .await;
    assert_eq!(set["ErrorCode"], 0, "{set}");
    let mut refused = false;
    for random in 200..400 {
        match alice
            .request(send_request("carol", random, "friends only?"))
            .await
        {
            ServerFrame::Error { code, .. } => {
                assert_eq!(code, protocol::ErrorCode::NOT_FRIENDS);
                refused = true;
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    assert!(refused, "node 0 learns that the app is friends-only");

    // Mutes set through two nodes at once are both kept: each is made to the mutes as stored.
    let mute = |node: usize, user: &str| {
        nodes[node].rest(
            "openconfigsvr/setnospeaking",
            serde_json::json!({ "Set_Account": user, "C2CmsgNospeakingTime": 600 }),
        )
    };
    let (a, b) = tokio::join!(mute(0, "alice"), mute(1, "carol"));
    assert_eq!(
        (a["ErrorCode"].clone(), b["ErrorCode"].clone()),
        (0.into(), 0.into())
    );
    // (Node 2 reads them again when told of the change, a moment later.)
    for user in ["alice", "carol"] {
        let mut left = serde_json::Value::Null;
        for _ in 0..100 {
            left = nodes[2]
                .rest(
                    "openconfigsvr/getnospeaking",
                    serde_json::json!({ "Get_Account": user }),
                )
                .await;
            if left["C2CmsgNospeakingTime"] != 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(left["C2CmsgNospeakingTime"], 600, "{user}: {left}");
    }

    // The same device signing in on another node replaces the first sign-in.
    let _phone_again = nodes[0].login("bob", "phone").await;
    assert_eq!(
        bob_phone.closed().await,
        4001,
        "replaced by a sign-in on node 0"
    );

    // A kick through node 0 ends bob's sessions on every node.
    let kick = nodes[0]
        .rest(
            "im_open_login_svc/kick",
            serde_json::json!({ "UserID": "bob" }),
        )
        .await;
    assert_eq!(kick["ErrorCode"], 0, "{kick}");
    assert_eq!(bob_laptop.closed().await, 4005, "kicked on node 2");
}

/// A message as its sender knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Sent {
    from: String,
    random: u32,
}

/// Sends until the connection breaks or `count` are acknowledged; returns what was
/// acknowledged and the send in flight when it broke.
async fn send_until_broken(
    mut c: Client,
    from: String,
    to: &str,
    count: u32,
) -> (Vec<(Sent, MessageKey)>, Option<Sent>) {
    let mut acked = Vec::new();
    for random in 0..count {
        let sent = Sent {
            from: from.clone(),
            random,
        };
        let request = send_request(to, random, &format!("{from} #{random}"));
        match c.try_request(request).await {
            Some(ServerFrame::Reply {
                data: Reply::Sent { key, .. },
                ..
            }) => acked.push((sent, key)),
            Some(other) => panic!("send refused: {other:?}"),
            None => return (acked, Some(sent)),
        }
    }
    (acked, None)
}

/// What a device applies of the entries it receives: each sequence once, as the SDK's
/// sequence tracker does.
#[derive(Default)]
struct Applied(BTreeMap<Seq, SyncEntry>);

impl Applied {
    fn add(&mut self, entries: impl IntoIterator<Item = SyncEntry>) {
        for e in entries {
            self.0.entry(e.seq).or_insert(e);
        }
    }

    /// Whether an entry after the cursor arrived while one before it is missing.
    fn has_hole(&self) -> bool {
        self.0
            .keys()
            .next_back()
            .is_some_and(|last| *last > self.cursor())
    }

    fn cursor(&self) -> Seq {
        let mut cursor = Seq(0);
        while self.0.contains_key(&Seq(cursor.0 + 1)) {
            cursor.0 += 1;
        }
        cursor
    }

    /// Each message applied, by its key, and how many times.
    fn messages(&self) -> HashMap<MessageKey, usize> {
        let mut seen = HashMap::new();
        for e in self.0.values() {
            if let SyncEvent::Message { message } = &e.event {
                *seen.entry(message.key).or_default() += 1;
            }
        }
        seen
    }
}

/// Applies what is pushed to `c` until its connection breaks, or it has applied the message
/// `until` names once that is known; on a hole it syncs from its cursor, as the SDK does.
async fn receive(
    mut c: Client,
    mut applied: Applied,
    mut until: tokio::sync::oneshot::Receiver<MessageKey>,
) -> Applied {
    let mut last = None;
    loop {
        if last.is_some_and(|key| applied.messages().contains_key(&key)) {
            return applied;
        }
        let frame = tokio::select! {
            key = &mut until, if last.is_none() => {
                last = key.ok();
                continue;
            }
            frame = c.try_frame() => frame,
        };
        match frame {
            Some(ServerFrame::Sync { entry }) => {
                applied.add([(*entry).clone()]);
                while applied.has_hole() {
                    let Some(ServerFrame::Reply {
                        data: Reply::SyncPage(page),
                        ..
                    }) = c
                        .try_request(Request::Sync {
                            after: applied.cursor(),
                            limit: 200,
                        })
                        .await
                    else {
                        return applied;
                    };
                    let complete = page.complete;
                    applied.add(page.entries);
                    if complete {
                        break;
                    }
                }
            }
            Some(_) => {}
            None => return applied,
        }
    }
}

/// Checks that `applied` holds each of `acked` exactly once, and nothing else.
fn check_exactly_once(applied: &Applied, acked: &[(Sent, MessageKey)]) {
    let seen = applied.messages();
    for (sent, key) in acked {
        assert_eq!(
            seen.get(key),
            Some(&1),
            "{sent:?} is delivered exactly once"
        );
    }
    assert_eq!(seen.len(), acked.len(), "nothing else is delivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_under_load_loses_and_repeats_nothing_and_rejoins() {
    let cluster = Cluster::new(3);
    let mut nodes: Vec<BinaryServer> = (0..3).map(|i| cluster.node(i)).collect();
    // Bob reads on node 1, which dies; alice0 and alice1 write through node 0, which lives,
    // and alice2 and alice3 through node 1.
    let bob = nodes[1].login("bob", "reader").await;
    let (_never, running) = tokio::sync::oneshot::channel();
    let receiver = tokio::spawn(receive(bob, Applied::default(), running));
    let mut senders = Vec::new();
    for i in 0..4 {
        let name = format!("alice{i}");
        let (node, count) = if i < 2 { (0, 400) } else { (1, u32::MAX) };
        let c = nodes[node].login(&name, "load").await;
        senders.push((
            name.clone(),
            node,
            tokio::spawn(send_until_broken(c, name, "bob", count)),
        ));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let killed = nodes.remove(1);
    killed.kill();
    let mut applied = receiver.await.unwrap();
    assert!(
        !applied.0.is_empty(),
        "bob received messages before the kill"
    );

    let mut acked = Vec::new();
    for (name, node, sender) in senders {
        let (done, in_flight) = sender.await.unwrap();
        assert!(!done.is_empty(), "{name} sent before the kill");
        acked.extend(done);
        if node == 0 {
            assert!(in_flight.is_none(), "node 0 answered all of {name}'s sends");
            continue;
        }
        // The SDK's outbox retries what it heard nothing back about, here on node 2: stored
        // once whether or not node 1 had stored it.
        let in_flight = in_flight.expect("node 1's senders broke with it");
        let mut c = nodes[1].login(&name, "load").await;
        let body = format!("{} #{}", in_flight.from, in_flight.random);
        match c
            .try_request(send_request("bob", in_flight.random, &body))
            .await
        {
            Some(ServerFrame::Reply {
                data: Reply::Sent { key, .. },
                ..
            }) => acked.push((in_flight, key)),
            other => panic!("the retry is answered: {other:?}"),
        }
    }

    // Bob goes to node 2 and syncs from his cursor.
    let mut bob = nodes[1].login("bob", "reader").await;
    let (entries, _, _) = bob.sync_all(applied.cursor(), 200).await;
    applied.add(entries);
    check_exactly_once(&applied, &acked);

    // Node 1 restarts and rejoins: a message sent through it reaches bob on node 2.
    let restarted = cluster.node(1);
    let mut carol = restarted.login("carol", "web").await;
    let (sent, _, _) = carol.send_text("bob", 7, "after the restart").await;
    assert_eq!(next_message(&mut bob).await.key, sent.key);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_nats_restart_under_load_loses_nothing_and_delivery_resumes() {
    let mut cluster = Cluster::new(2);
    let nodes: Vec<BinaryServer> = (0..2).map(|i| cluster.node(i)).collect();
    // Bob reads on node 1 what alice writes through node 0: every message crosses NATS.
    let bob = nodes[1].login("bob", "reader").await;
    let (until, last_key) = tokio::sync::oneshot::channel();
    let receiver = tokio::spawn(receive(bob, Applied::default(), last_key));
    let alice = nodes[0].login("alice", "load").await;
    let sender = tokio::spawn(send_until_broken(alice, "alice".into(), "bob", 1500));
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster.nats.restart();
    let (mut acked, broken) = sender.await.unwrap();
    assert!(broken.is_none(), "sends go on while NATS restarts");

    // Delivery resumes: bob, still connected to node 1, gets a message sent through node 0
    // now, without asking (after the restart node 1 shows each device its newest entry, and a
    // device that missed any syncs from its cursor).
    let mut alice = nodes[0].login("alice", "after").await;
    let (last, _, _) = alice
        .send_text("bob", 9_999_999, "after NATS came back")
        .await;
    acked.push((
        Sent {
            from: "alice".into(),
            random: 9_999_999,
        },
        last.key,
    ));
    let _ = until.send(last.key);
    let applied = tokio::time::timeout(3 * WAIT, receiver)
        .await
        .expect("bob gets the message sent after the restart")
        .unwrap();
    check_exactly_once(&applied, &acked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_stops_promptly_while_nats_is_away() {
    let mut cluster = Cluster::new(1);
    let mut node = cluster.node(0);
    let mut alice = node.login("alice", "web").await;
    let _bob = node.login("bob", "web").await;
    cluster.nats.kill();
    // Work that would tell the other nodes goes on without them.
    alice.send_text("bob", 1, "while NATS is away").await;
    assert!(
        node.terminate(),
        "the node stops within the wait, NATS or not"
    );
}

/// The app's REST budget is the cluster's, not each node's: what one node served is charged on
/// the others, so a backend that spreads its calls over the nodes gets one budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_apps_rest_budget_holds_across_nodes() {
    let cluster = Cluster::new(2);
    let budget = [("DUET_REST_RATE", "1"), ("DUET_REST_BURST", "10")];
    let (a, b) = (cluster.node_with(0, &budget), cluster.node_with(1, &budget));
    let check = || serde_json::json!({ "CheckItem": [{ "UserID": "nobody" }] });
    let mut served_by_a = 0;
    for _ in 0..10 {
        let reply = a.rest("im_open_login_svc/account_check", check()).await;
        served_by_a += usize::from(reply["ErrorCode"] == 0);
    }
    assert_eq!(served_by_a, 10, "node a serves the whole burst");
    // Node a tells what it spent within a tenth of a second.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut served_by_b = 0;
    for _ in 0..10 {
        let reply = b.rest("im_open_login_svc/account_check", check()).await;
        served_by_b += usize::from(reply["ErrorCode"] == 0);
    }
    assert!(
        served_by_b <= 3,
        "node b was charged with a's ten, yet served {served_by_b} of 10"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_hours_history_file_linked_by_one_node_downloads_from_another() {
    let cluster = Cluster::new(2);
    let media = tempfile::tempdir().unwrap();
    let shared = [("DUET_MEDIA_DIR", media.path().to_str().unwrap())];
    let (a, b) = (cluster.node_with(0, &shared), cluster.node_with(1, &shared));
    let accounts = serde_json::json!({"Accounts": ["alice", "bob"]});
    let made = a
        .rest("im_open_login_svc/multiaccount_import", accounts)
        .await;
    assert_eq!(made["ErrorCode"], 0, "{made}");
    // A message of the hour before this one, brought in as history.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let hour_s = now / 3600 * 3600 - 3600;
    let imported = a
        .rest(
            "openim/importmsg",
            serde_json::json!({"SyncFromOldSystem": 1, "From_Account": "alice", "To_Account": "bob",
                "MsgRandom": 5, "MsgTimeStamp": hour_s + 30,
                "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "an hour ago"}}]}),
        )
        .await;
    assert_eq!(imported["ErrorCode"], 0, "{imported}");
    let beijing = time::OffsetDateTime::from_unix_timestamp(hour_s as i64 + 8 * 3600).unwrap();
    let hour = format!(
        "{:04}{:02}{:02}{:02}",
        beijing.year(),
        u8::from(beijing.month()),
        beijing.day(),
        beijing.hour()
    );
    let reply = b
        .rest(
            "open_msg_svc/get_history",
            serde_json::json!({"ChatType": "C2C", "MsgTime": hour}),
        )
        .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    let url = reply["File"][0]["URL"].as_str().unwrap();
    let name = url.rsplit('/').next().unwrap();
    let gz = reqwest::get(format!("http://{}/history/{name}", a.addr))
        .await
        .unwrap();
    assert_eq!(gz.status(), 200);
    let gz = gz.bytes().await.unwrap();
    assert_eq!(
        gz.len() as u64,
        reply["File"][0]["GzipSize"].as_u64().unwrap()
    );
    let mut json = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut json).unwrap();
    assert!(json.contains("an hour ago"), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keywords_added_on_one_node_are_refused_on_another() {
    let cluster = Cluster::new(2);
    let (a, b) = (cluster.node(0), cluster.node(1));
    let mut alice = b.login("alice", "web").await;
    drop(a.login("bob", "web").await);
    let added = a
        .rest(
            "im_msg_audit_mgr/add_cloud_audit_keywords",
            serde_json::json!({"LibID": "lib", "UserKeywords": [{"Content": "spam"}]}),
        )
        .await;
    assert_eq!(added["ErrorCode"], 0, "{added}");
    // Node a tells the others of the change at once; allow it a moment to arrive.
    let mut refused = 0;
    for random in 1..=50 {
        let code = alice.try_request(send_request("bob", random, "spam")).await;
        if let Some(ServerFrame::Error { code, .. }) = code {
            refused = code.0;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(refused, 80001, "node b refuses the word node a added");
}
