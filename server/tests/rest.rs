//! The REST API against a real server over real HTTP, with WebSocket clients watching what its
//! commands cause.

mod common;

use common::*;
use protocol::frame::{Reply, Request, ServerFrame};
use protocol::{Element, ProfileDetails, Relation, RelationFields, Seq, SyncEvent};
use serde_json::{Value, json};
use server::clock::Clock;
use usersig::UserSigKey;

fn text_body(text: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}])
}

#[tokio::test]
async fn every_identity_fault_has_its_code() {
    let server = TestServer::start().await;
    server.login("bob", "web").await;
    let now = server.clock.now_s();
    let admin = identity().signer();
    let body = || json!({"CheckItem": [{"UserID": "bob"}]}).to_string();
    let call = |identity: String| {
        let server = &server;
        async move {
            code(
                &server
                    .rest_raw("im_open_login_svc/account_check", &identity, body())
                    .await,
            )
        }
    };
    assert_eq!(
        call(format!(
            "identifier=administrator&usersig={}",
            server.sig("administrator")
        ))
        .await,
        0
    );
    assert_eq!(
        call("identifier=administrator".into()).await,
        60010,
        "no usersig"
    );
    assert_eq!(
        call(format!("usersig={}", server.sig("administrator"))).await,
        60010,
        "no identifier"
    );
    let expired = admin.sign("administrator", 60, now - 120);
    assert_eq!(
        call(format!("identifier=administrator&usersig={expired}")).await,
        70001
    );
    assert_eq!(
        call("identifier=administrator&usersig=garbage".into()).await,
        70003
    );
    let forged = UserSigKey::new(SDK_APP_ID, "wrong key").sign("administrator", 60, now);
    assert_eq!(
        call(format!("identifier=administrator&usersig={forged}")).await,
        70009
    );
    let bobs = server.sig("bob");
    assert_eq!(
        call(format!("identifier=administrator&usersig={bobs}")).await,
        70013
    );
    let other_app = UserSigKey::new(SDK_APP_ID + 1, SECRET).sign("administrator", 60, now);
    assert_eq!(
        call(format!("identifier=administrator&usersig={other_app}")).await,
        70014
    );
    assert_eq!(
        call(format!("identifier=bob&usersig={bobs}")).await,
        90009,
        "an ordinary user"
    );
}

#[tokio::test]
async fn malformed_requests_fail_precisely_and_store_nothing() {
    let server = TestServer::start_with(|c| c.rest.body_max_bytes = 4096).await;
    server.login("bob", "web").await;
    let admin = format!(
        "identifier=administrator&usersig={}",
        server.sig("administrator")
    );
    let raw = |command: &'static str, body: String| {
        let (server, admin) = (&server, admin.clone());
        async move { server.rest_raw(command, &admin, body).await }
    };
    let r = raw("openim/sendmsg", "{not json".into()).await;
    assert_eq!(
        (r["ActionStatus"].as_str(), code(&r)),
        (Some("FAIL"), 90001)
    );
    assert!(
        r["ErrorInfo"]
            .as_str()
            .unwrap()
            .contains("invalid request body")
    );
    let wrong_type = json!({"To_Account": "bob", "MsgRandom": "seven", "MsgBody": text_body("x")});
    assert_eq!(
        code(&raw("openim/sendmsg", wrong_type.to_string()).await),
        90001
    );
    let bad_elem = json!({"To_Account": "bob", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMNopeElem", "MsgContent": {}}]});
    assert_eq!(
        code(&raw("openim/sendmsg", bad_elem.to_string()).await),
        90002
    );
    let too_long =
        json!({"To_Account": "bob", "MsgRandom": 1, "MsgBody": text_body(&"a".repeat(3000))});
    let big = json!({"To_Account": "bob", "MsgRandom": 1, "MsgBody": text_body(&"a".repeat(5000))});
    assert_eq!(
        code(&raw("openim/sendmsg", big.to_string()).await),
        60003,
        "over the REST body limit"
    );
    let server2 = TestServer::start_with(|c| c.limits.body_max_bytes = 2048).await;
    server2.login("bob", "web").await;
    assert_eq!(code(&server2.rest("openim/sendmsg", too_long).await), 93000);
    assert_eq!(code(&raw("openim/teleport", "{}".into()).await), 60005);
    let loc = json!({"To_Account": "bob", "MsgRandom": 1, "MsgBody": [{"MsgType": "TIMLocationElem", "MsgContent": {"Desc": "x", "Latitude": 200.0, "Longitude": 0.0}}]});
    assert_eq!(code(&raw("openim/sendmsg", loc.to_string()).await), 90002);
    let unknown = json!({"To_Account": "nobody", "MsgRandom": 1, "MsgBody": text_body("x")});
    assert_eq!(
        code(&raw("openim/sendmsg", unknown.to_string()).await),
        20003
    );
    let mut bob = server.login("bob", "web2").await;
    assert!(
        bob.history("administrator", 10).await.is_empty(),
        "nothing was stored"
    );
}

#[tokio::test]
async fn accounts_are_imported_checked_and_deleted() {
    let server = TestServer::start().await;
    let r = server
        .rest(
            "im_open_login_svc/account_import",
            json!({"UserID": "carol", "Nick": "Carol", "FaceUrl": "https://x/c.png"}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let r = server
        .rest(
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": ["dave", "erin", "bad id"]}),
        )
        .await;
    assert_eq!(r["FailAccounts"], json!(["bad id"]));
    let r = server
        .rest(
            "im_open_login_svc/account_check",
            json!({"CheckItem": [{"UserID": "carol"}, {"UserID": "zed"}]}),
        )
        .await;
    assert_eq!(r["ResultItem"][0]["AccountStatus"], "Imported");
    assert_eq!(r["ResultItem"][1]["AccountStatus"], "NotImported");
    let r = server.rest("profile/portrait_get", json!({"To_Account": ["carol"], "TagList": ["Tag_Profile_IM_Nick", "Tag_Profile_IM_Image"]})).await;
    assert_eq!(
        r["UserProfileItem"][0]["ProfileItem"],
        json!([{"Tag": "Tag_Profile_IM_Nick", "Value": "Carol"}, {"Tag": "Tag_Profile_IM_Image", "Value": "https://x/c.png"}])
    );
    let mut dave = server.login("dave", "web").await;
    let r = server
        .rest(
            "im_open_login_svc/account_delete",
            json!({"DeleteItem": [{"UserID": "dave"}, {"UserID": "zed"}]}),
        )
        .await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0);
    assert_eq!(r["ResultItem"][1]["ResultCode"], 20003);
    assert_eq!(
        dave.closed().await,
        4003,
        "the deleted account's devices are disconnected"
    );
    let r = server
        .rest(
            "im_open_login_svc/account_check",
            json!({"CheckItem": [{"UserID": "dave"}]}),
        )
        .await;
    assert_eq!(r["ResultItem"][0]["AccountStatus"], "NotImported");
}

#[tokio::test]
async fn the_backend_sends_as_admin_as_a_user_and_as_the_system() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "web").await;
    let mut bob = server.login("bob", "web").await;
    server.rest("profile/portrait_set", json!({"From_Account": "alice", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "Alice"}]})).await;
    alice.push().await; // her own profile entry

    let r = server
        .rest(
            "openim/sendmsg",
            json!({"To_Account": "bob", "MsgRandom": 11, "MsgBody": text_body("from the admin")}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let m = bob.push_message().await;
    assert_eq!(
        (m.from.as_str(), text_of(&m)),
        ("administrator", "from the admin")
    );
    assert_eq!(r["MsgKey"], m.key.to_string());
    assert_eq!(r["MsgTime"], m.time_ms / 1000);
    let first_key = r["MsgKey"].clone();

    // Impersonation: bob sees alice's words with her nickname; alice's devices see it too.
    let r = server.rest("openim/sendmsg", json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 12, "MsgBody": text_body("hi bob")})).await;
    assert_eq!(code(&r), 0);
    let m = bob.push_message().await;
    assert_eq!((m.from.as_str(), m.nick.as_str()), ("alice", "Alice"));
    assert_eq!(alice.push_message().await.key, m.key);
    // SyncOtherMachine 2: not into alice's own sync.
    server.rest("openim/sendmsg", json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 13, "SyncOtherMachine": 2, "MsgBody": text_body("quiet")})).await;
    assert_eq!(text_of(&bob.push_message().await), "quiet");
    let Reply::SyncPage(page) = alice
        .ok(Request::Sync {
            after: Seq(2),
            limit: 10,
        })
        .await
    else {
        panic!()
    };
    assert!(page.entries.is_empty(), "{page:?}");

    // A system notification arrives as its own kind.
    let notice = json!([{"MsgType": "DuetSystemElem", "MsgContent": {"Text": "Maintenance at 2am", "Data": "banner:7"}}]);
    let r = server
        .rest(
            "openim/sendmsg",
            json!({"To_Account": "bob", "MsgRandom": 14, "MsgBody": notice}),
        )
        .await;
    assert_eq!(code(&r), 0);
    let m = bob.push_message().await;
    assert!(
        matches!(&m.elements[0], Element::System(s) if s.text == "Maintenance at 2am" && s.data == "banner:7")
    );
    let r = server.rest("openim/sendmsg", json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 15, "MsgBody": notice})).await;
    assert_eq!(
        code(&r),
        90009,
        "only the administrator sends system notifications"
    );

    // NoUnread: delivered but not counted.
    server.rest("openim/sendmsg", json!({"To_Account": "bob", "MsgRandom": 16, "SendMsgControl": ["NoUnread"], "MsgBody": text_body("fyi")})).await;
    bob.push().await;
    let Reply::Conversations { conversations } = bob.ok(Request::Conversations).await else {
        panic!()
    };
    let admin = conversations
        .iter()
        .find(|c| c.peer.as_str() == "administrator")
        .unwrap();
    assert_eq!(
        admin.unread, 2,
        "the admin text and the notice, not the NoUnread one"
    );
    // The same MsgRandom and body again is a retry: one message.
    let again = server
        .rest(
            "openim/sendmsg",
            json!({"To_Account": "bob", "MsgRandom": 11, "MsgBody": text_body("from the admin")}),
        )
        .await;
    assert_eq!(again["MsgKey"], first_key);
    assert_eq!(bob.history("administrator", 50).await.len(), 3);
}

#[tokio::test]
async fn batch_send_reports_each_failed_recipient() {
    let server = TestServer::start().await;
    for u in ["r1", "r2", "blocker"] {
        server.login(u, "web").await;
    }
    server
        .rest(
            "im_open_login_svc/account_import",
            json!({"UserID": "alice"}),
        )
        .await;
    server
        .rest(
            "sns/black_list_add",
            json!({"From_Account": "blocker", "To_Account": ["alice"]}),
        )
        .await;
    let r = server
        .rest("openim/batchsendmsg", json!({"From_Account": "alice", "To_Account": ["r1", "ghost", "blocker", "r2", "bad id"], "MsgRandom": 5, "MsgBody": text_body("hello all")}))
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let errors: Vec<(String, u64)> = r["ErrorList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["To_Account"].as_str().unwrap().to_owned(),
                e["ErrorCode"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(errors.contains(&("ghost".into(), 20003)), "{errors:?}");
    assert!(errors.contains(&("blocker".into(), 20007)), "{errors:?}");
    assert!(errors.contains(&("bad id".into(), 60006)), "{errors:?}");
    assert_eq!(errors.len(), 3);
    assert_eq!(r["MsgKeyList"].as_array().unwrap().len(), 2);
    let mut r2 = server.login("r2", "web2").await;
    assert_eq!(r2.history("alice", 10).await.len(), 1);
    let many: Vec<String> = (0..501).map(|i| format!("u{i}")).collect();
    let r = server
        .rest(
            "openim/batchsendmsg",
            json!({"To_Account": many, "MsgRandom": 1, "MsgBody": text_body("x")}),
        )
        .await;
    assert_eq!(code(&r), 90011);
}

#[tokio::test]
async fn roaming_pages_back_with_last_msg_key_until_complete() {
    let server = TestServer::start().await;
    server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let mut keys = Vec::new();
    for i in 0..25 {
        keys.push(
            alice
                .send_text("bob", i, &format!("m{i}"))
                .await
                .0
                .key
                .to_string(),
        );
    }
    let now = server.clock.now_s();
    let mut got = Vec::new();
    let (mut last_key, mut max_time) = (None::<String>, now + 10);
    loop {
        let mut body = json!({"Operator_Account": "bob", "Peer_Account": "alice", "MaxCnt": 10, "MinTime": now - 100, "MaxTime": max_time});
        if let Some(k) = &last_key {
            body["LastMsgKey"] = json!(k);
        }
        let r = server.rest("openim/admin_getroammsg", body).await;
        assert_eq!(code(&r), 0, "{r}");
        let page: Vec<String> = r["MsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["MsgKey"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(r["MsgCnt"], page.len());
        assert_eq!(r["MsgList"][0]["From_Account"], "alice");
        got.splice(0..0, page);
        if r["Complete"] == 1 {
            break;
        }
        last_key = Some(r["LastMsgKey"].as_str().unwrap().to_owned());
        max_time = r["LastMsgTime"].as_u64().unwrap();
    }
    assert_eq!(got, keys, "every message once, oldest first");
    let r = server.rest("openim/admin_getroammsg", json!({"Operator_Account": "bob", "Peer_Account": "alice", "MaxCnt": 0, "MinTime": 0, "MaxTime": 1})).await;
    assert_eq!(code(&r), 60006);
}

#[tokio::test]
async fn withdraw_reaches_both_sides_and_history_shows_it() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "phone").await;
    let mut alice2 = server.login("alice", "laptop").await;
    let (m, _, _) = alice.send_text("bob", 1, "regret").await;
    bob.push().await;
    alice2.push().await;
    let body = json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": m.key.to_string()});
    assert_eq!(
        code(&server.rest("openim/admin_msgwithdraw", body.clone()).await),
        0
    );
    for c in [&mut bob, &mut alice, &mut alice2] {
        let e = c.push().await;
        assert!(
            matches!(&e.event, SyncEvent::Recalled { key, .. } if *key == m.key),
            "{e:?}"
        );
    }
    let h = bob.history("alice", 10).await;
    assert!(h[0].recalled && h[0].elements.is_empty());
    assert_eq!(
        code(&server.rest("openim/admin_msgwithdraw", body).await),
        20023
    );
    let wrong = json!({"From_Account": "bob", "To_Account": "alice", "MsgKey": m.key.to_string()});
    assert_eq!(
        code(&server.rest("openim/admin_msgwithdraw", wrong).await),
        20022
    );
    let garbage = json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": "nope"});
    assert_eq!(
        code(&server.rest("openim/admin_msgwithdraw", garbage).await),
        20022
    );
}

#[tokio::test]
async fn delete_c2c_msg_ramble_takes_messages_out_of_one_users_history_on_every_device() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "phone").await;
    let mut alice2 = server.login("alice", "laptop").await;
    let mut bob = server.login("bob", "web").await;
    let (first, _, _) = alice.send_text("bob", 1, "keep").await;
    let (second, _, _) = alice.send_text("bob", 2, "forget").await;
    for _ in 0..2 {
        bob.push().await;
        alice2.push().await;
    }
    let delete = |keys: Vec<String>| {
        server.rest(
            "openim/delete_c2c_msg_ramble",
            json!({"Operator_Account": "alice", "Peer_Account": "bob", "MsgKeyList": keys}),
        )
    };
    let r = delete(vec![second.key.to_string()]).await;
    assert_eq!(code(&r), 0, "{r}");
    for c in [&mut alice, &mut alice2] {
        let e = c.push().await;
        assert_eq!(
            e.event,
            SyncEvent::Deleted {
                peer: uid("bob"),
                keys: vec![second.key]
            },
            "every device of the operator hears it"
        );
    }
    let texts = |h: Vec<protocol::Message>| h.iter().map(|m| m.key).collect::<Vec<_>>();
    assert_eq!(
        texts(alice.history("bob", 10).await),
        [first.key],
        "gone from alice's history"
    );
    assert_eq!(
        texts(bob.history("alice", 10).await).len(),
        2,
        "bob keeps his copy"
    );
    // A malformed key, one of another conversation, too many, or none: nothing deleted.
    let _carol = server.login("carol", "web").await;
    let (other, _, _) = alice.send_text("carol", 3, "elsewhere").await;
    alice2.push().await;
    for keys in [
        vec!["nope".to_owned()],
        vec![first.key.to_string(), other.key.to_string()],
    ] {
        assert_eq!(code(&delete(keys).await), 20022);
    }
    assert_eq!(code(&delete(vec![first.key.to_string(); 31]).await), 60006);
    assert_eq!(code(&delete(vec![]).await), 60006);
    assert_eq!(
        texts(alice.history("bob", 10).await),
        [first.key],
        "the refused requests deleted nothing"
    );
    let ghost = json!({"Operator_Account": "ghost", "Peer_Account": "bob", "MsgKeyList": [first.key.to_string()]});
    assert_ne!(
        code(&server.rest("openim/delete_c2c_msg_ramble", ghost).await),
        0
    );
}

#[tokio::test]
async fn c2c_msg_read_receipt_tells_the_sender_as_tencent_documents_it() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "phone").await;
    let mut asking = send_request("bob", 1, "read?");
    if let Request::Send {
        need_read_receipt, ..
    } = &mut asking
    {
        *need_read_receipt = true;
    }
    let Reply::Sent { key, .. } = alice.ok(asking).await else {
        panic!("not a send answer")
    };
    let (plain, _, _) = alice.send_text("bob", 2, "plain").await;
    bob.push().await;
    bob.push().await;
    let body = |from: &str, to: &str, key: String| {
        json!({"Operator_Account": "bob", "Peer_Account": "alice",
               "C2CMsgInfo": [{"From_Account": from, "To_Account": to, "MsgKey": key}]})
    };
    let r = server
        .rest(
            "openim/c2c_msg_read_receipt",
            body("alice", "bob", key.to_string()),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    for c in [&mut alice, &mut bob] {
        let e = c.push().await;
        let SyncEvent::ReadReceipt { message } = &e.event else {
            panic!("{e:?}")
        };
        assert_eq!(message.key, key);
        assert!(message.receipt_ms > 0);
    }
    // Refusals: the accounts the wrong way round, a message that asked for no receipt, an
    // unknown or malformed key, no messages, more than 100.
    let many: Vec<_> = (0..101)
        .map(|_| json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": key.to_string()}))
        .collect();
    let cases = [
        (body("bob", "alice", key.to_string()), 60006),
        (body("alice", "bob", plain.key.to_string()), 60006),
        (body("alice", "bob", "1_2_3".into()), 20022),
        (body("alice", "bob", "nonsense".into()), 20022),
        (
            json!({"Operator_Account": "bob", "Peer_Account": "alice", "C2CMsgInfo": []}),
            60006,
        ),
        (
            json!({"Operator_Account": "bob", "Peer_Account": "alice", "C2CMsgInfo": many}),
            60006,
        ),
    ];
    for (body, want) in cases {
        let r = server
            .rest("openim/c2c_msg_read_receipt", body.clone())
            .await;
        assert_eq!(code(&r), want, "{body}: {r}");
    }
    // The backend asks for a receipt with `sendmsg`'s `IsNeedReadReceipt`.
    let send = |flag: u8| {
        json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 9, "IsNeedReadReceipt": flag,
               "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "from the backend"}}]})
    };
    assert_eq!(code(&server.rest("openim/sendmsg", send(2)).await), 60006);
    let r = server.rest("openim/sendmsg", send(1)).await;
    assert_eq!(code(&r), 0, "{r}");
    let m = bob.push_message().await;
    assert!(m.need_read_receipt);
    let key = r["MsgKey"].as_str().unwrap().to_owned();
    let r = server
        .rest("openim/c2c_msg_read_receipt", body("alice", "bob", key))
        .await;
    assert_eq!(code(&r), 0, "{r}");
}

#[tokio::test]
async fn modify_c2c_msg_overwrites_the_body_as_tencent_documents_it() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "phone").await;
    let (m, _, _) = alice.send_text("bob", 1, "helo").await;
    bob.push().await;
    // Tencent's three request shapes: the body, the custom data, both.
    let key = m.key.to_string();
    let bodies = [
        json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": key,
               "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hello"}}]}),
        json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": key,
               "CloudCustomData": "your cloud custom data"}),
        json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": key,
               "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hello!"}}],
               "CloudCustomData": "both"}),
    ];
    for (i, body) in bodies.into_iter().enumerate() {
        let r = server.rest("openim/modify_c2c_msg", body).await;
        assert_eq!(code(&r), 0, "{r}");
        for c in [&mut bob, &mut alice] {
            let e = c.push().await;
            let SyncEvent::Edited { message } = &e.event else {
                panic!("{e:?}")
            };
            assert_eq!(message.version, i as u32 + 1);
        }
    }
    let h = bob.history("alice", 10).await;
    assert_eq!(text_of(&h[0]), "hello!");
    assert_eq!(h[0].cloud_custom_data.as_deref(), Some("both"));
    assert!(h[0].edited_ms >= h[0].time_ms);
    let roam = server
        .rest("openim/admin_getroammsg", json!({"Operator_Account": "bob", "Peer_Account": "alice", "MaxCnt": 10, "MinTime": 0, "MaxTime": 4_000_000_000u64}))
        .await;
    assert_eq!(
        roam["MsgList"][0]["MsgBody"][0]["MsgContent"]["Text"],
        "hello!"
    );
    // Refusals: reversed accounts, an unknown key, no change named, a media body, bad JSON in
    // MsgBody, a recalled message.
    let cases = [
        (
            json!({"From_Account": "bob", "To_Account": "alice", "MsgKey": key, "CloudCustomData": "x"}),
            20022,
        ),
        (
            json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": "1_2_3", "CloudCustomData": "x"}),
            20022,
        ),
        (
            json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": key}),
            60006,
        ),
        (
            json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": key,
                "MsgBody": [{"MsgType": "TIMFileElem", "MsgContent": {"Url": "https://x/f", "FileSize": 1, "FileName": "f"}}]}),
            60015,
        ),
        (
            json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": key,
                "MsgBody": [{"MsgType": "TIMNopeElem", "MsgContent": {}}]}),
            90002,
        ),
        (
            json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": key,
                "CloudCustomData": "x".repeat(13_000)}),
            93000,
        ),
    ];
    for (body, want) in cases {
        assert_eq!(
            code(&server.rest("openim/modify_c2c_msg", body.clone()).await),
            want,
            "{body}"
        );
    }
    let withdraw = json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": key});
    assert_eq!(
        code(&server.rest("openim/admin_msgwithdraw", withdraw).await),
        0
    );
    let after = json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": key, "CloudCustomData": "x"});
    assert_eq!(
        code(&server.rest("openim/modify_c2c_msg", after).await),
        20023
    );
}

#[tokio::test]
async fn set_msg_read_clears_unread_on_the_readers_devices() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    alice.send_text("bob", 1, "unread").await;
    bob.push().await;
    let r = server
        .rest(
            "openim/admin_set_msg_read",
            json!({"Report_Account": "bob", "Peer_Account": "alice"}),
        )
        .await;
    assert_eq!(code(&r), 0);
    assert!(matches!(bob.push().await.event, SyncEvent::Read { .. }));
    let Reply::Conversations { conversations } = bob.ok(Request::Conversations).await else {
        panic!()
    };
    assert_eq!(conversations[0].unread, 0);
}

#[tokio::test]
async fn friends_only_refuses_strangers_but_never_the_admin() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let send = |to: &str, n: u32| Request::Send {
        to: uid(to),
        random: n,
        elements: text("hi"),
        cloud_custom_data: None,
        online_only: false,
        offline_push_info: None,
        client_time_s: 0,
        need_read_receipt: false,
    };
    assert_eq!(
        code(
            &server
                .rest("duet/set_app_config", json!({"FriendsOnly": 1}))
                .await
        ),
        0
    );
    assert_eq!(
        server.rest("duet/get_app_config", json!({})).await["FriendsOnly"],
        1
    );
    assert_eq!(
        alice.err(send("bob", 1)).await,
        protocol::ErrorCode::NOT_FRIENDS
    );
    let r = server.rest("openim/sendmsg", json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 2, "MsgBody": text_body("impersonated")})).await;
    assert_eq!(
        code(&r),
        20009,
        "an impersonated send is checked as the user"
    );
    let r = server.rest("openim/sendmsg", json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 3, "SendMsgControl": ["SkipRelationCheck"], "MsgBody": text_body("on purpose")})).await;
    assert_eq!(code(&r), 0, "the backend may skip the check on purpose");
    assert_eq!(text_of(&bob.push_message().await), "on purpose");
    alice.push().await;
    let r = server
        .rest(
            "openim/sendmsg",
            json!({"To_Account": "bob", "MsgRandom": 4, "MsgBody": text_body("admin")}),
        )
        .await;
    assert_eq!(code(&r), 0, "the administrator is never blocked");
    bob.push().await;

    let r = server.rest("sns/friend_add", json!({"ForceAddFlags": 1, "From_Account": "alice", "AddFriendItem": [{"To_Account": "bob"}, {"To_Account": "ghost"}]})).await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
    assert_eq!(r["ResultItem"][1]["ResultCode"], 20003);
    assert_eq!(r["Fail_Account"], json!(["ghost"]));
    let r = server.rest("sns/friend_check", json!({"From_Account": "alice", "To_Account": ["bob"], "CheckType": "CheckResult_Type_Both"})).await;
    assert_eq!(r["InfoItem"][0]["Relation"], "CheckResult_Type_BothWay");
    // Up to 1,000 accounts per check, as in Tencent IM; each answered in order.
    let mut many: Vec<String> = (0..998).map(|i| format!("nobody-{i}")).collect();
    many.extend(["bad id!".to_owned(), "bob".to_owned()]);
    let r = server.rest("sns/friend_check", json!({"From_Account": "alice", "To_Account": many, "CheckType": "CheckResult_Type_Both"})).await;
    let items = r["InfoItem"].as_array().unwrap();
    assert_eq!(items.len(), 1000, "{r}");
    assert_eq!(items[0]["Relation"], "CheckResult_Type_NoRelation");
    assert_eq!(
        (
            items[998]["To_Account"].as_str(),
            items[998]["ResultCode"].as_u64()
        ),
        (Some("bad id!"), Some(60006))
    );
    assert_eq!(
        (
            items[999]["To_Account"].as_str(),
            items[999]["Relation"].as_str()
        ),
        (Some("bob"), Some("CheckResult_Type_BothWay"))
    );
    assert_eq!(r["Fail_Account"], json!(["bad id!"]));
    many.push("one-too-many".to_owned());
    let r = server.rest("sns/friend_check", json!({"From_Account": "alice", "To_Account": many, "CheckType": "CheckResult_Type_Both"})).await;
    assert_eq!(code(&r), 90011);
    let r = server
        .rest("sns/friend_get", json!({"From_Account": "bob"}))
        .await;
    assert_eq!(r["UserDataItem"][0]["To_Account"], "alice");
    assert_eq!(
        (r["FriendNum"].as_u64(), r["CompleteFlag"].as_u64()),
        (Some(1), Some(1))
    );
    let now = server.clock.now_ms();
    assert_eq!(
        (&r["StandardSequence"], &r["CustomSequence"]),
        (&json!(now), &json!(now))
    );
    // Both got a friend-list entry.
    for c in [&mut alice, &mut bob] {
        let e = c.push().await;
        assert!(
            matches!(&e.event, SyncEvent::Relations { relation: Relation::Friend, added, .. } if added.len() == 1),
            "{e:?}"
        );
    }
    alice.send_text("bob", 5, "now we are friends").await;
    server
        .rest(
            "sns/friend_delete",
            json!({"From_Account": "bob", "To_Account": ["alice"]}),
        )
        .await;
    assert_eq!(
        alice.err(send("bob", 6)).await,
        protocol::ErrorCode::NOT_FRIENDS
    );
    // The switch survives a restart.
    let dir = server.stop().await;
    let server = TestServer::start_in(dir, |_| {}).await;
    assert_eq!(
        server.rest("duet/get_app_config", json!({})).await["FriendsOnly"],
        1
    );
}

#[tokio::test]
async fn a_blocked_sender_reaches_nobody_by_any_path() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let r = server
        .rest(
            "sns/black_list_add",
            json!({"From_Account": "bob", "To_Account": ["alice"]}),
        )
        .await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
    assert!(matches!(
        bob.push().await.event,
        SyncEvent::Relations {
            relation: Relation::Blacklist,
            ..
        }
    ));
    let send = Request::Send {
        to: uid("bob"),
        random: 1,
        elements: text("let me in"),
        cloud_custom_data: None,
        online_only: false,
        offline_push_info: None,
        client_time_s: 0,
        need_read_receipt: false,
    };
    assert_eq!(alice.err(send).await, protocol::ErrorCode::BLOCKED);
    let r = server.rest("openim/sendmsg", json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 2, "MsgBody": text_body("via backend")})).await;
    assert_eq!(code(&r), 20007);
    // Blocking is one way.
    bob.send_text("alice", 3, "I can still write").await;
    let r = server.rest("sns/black_list_check", json!({"From_Account": "alice", "To_Account": ["bob"], "CheckType": "BlackCheckResult_Type_Both"})).await;
    assert_eq!(
        r["BlackListCheckItem"][0]["Relation"],
        "BlackCheckResult_Type_BWithA"
    );
    let r = server
        .rest(
            "sns/black_list_get",
            json!({"From_Account": "bob", "StartIndex": 0, "MaxLimited": 10}),
        )
        .await;
    assert_eq!(r["BlackListItem"][0]["To_Account"], "alice");
    assert_eq!(
        r["CurruentSequence"],
        server.clock.now_ms(),
        "Tencent's spelling"
    );
    // Nothing from alice reached bob's history or offline cache.
    let (entries, _, _) = bob.sync_all(Seq(0), 50).await;
    assert!(
        messages(&entries)
            .iter()
            .all(|m| m.from.as_str() != "alice")
    );
    assert_eq!(
        bob.history("alice", 50).await.len(),
        1,
        "only bob's own message"
    );
    server
        .rest(
            "sns/black_list_delete",
            json!({"From_Account": "bob", "To_Account": ["alice"]}),
        )
        .await;
    alice.send_text("bob", 4, "unblocked").await;
}

#[tokio::test]
async fn bulk_export_streams_every_message_of_the_window() {
    let server = TestServer::start().await;
    server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    for i in 0..30 {
        alice.send_text("bob", i, &format!("e{i}")).await;
    }
    let now = server.clock.now_s();
    let url = format!(
        "http://{}/v4/duet/export_msgs?sdkappid={SDK_APP_ID}&identifier=administrator&usersig={}&random=1&contenttype=json",
        server.addr,
        server.sig("administrator")
    );
    let body = json!({"MinTime": now - 60, "MaxTime": now + 60}).to_string();
    let response = reqwest::Client::new()
        .post(url)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let text = response.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 31);
    assert_eq!(lines[0]["MsgBody"][0]["MsgContent"]["Text"], "e0");
    assert_eq!(lines[29]["From_Account"], "alice");
    assert_eq!(
        lines[30],
        json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "MsgCnt": 30})
    );
}

#[tokio::test]
async fn the_sdk_manages_its_own_friends_blacklist_and_profile() {
    let server = TestServer::start().await;
    server.login("bob", "web").await;
    let mut alice = server.login("alice", "phone").await;
    let mut alice2 = server.login("alice", "laptop").await;
    let reply = alice
        .ok(Request::RelationAdd {
            relation: Relation::Friend,
            users: vec![uid("bob"), uid("ghost"), uid("alice")],
            fields: Default::default(),
        })
        .await;
    let Reply::RelationResults { results } = reply else {
        panic!()
    };
    let codes: Vec<u32> = results.iter().map(|r| r.code.0).collect();
    assert_eq!(codes, [30539, 20003, 60006], "bob is asked first");
    assert!(matches!(
        alice2.push().await.event,
        SyncEvent::Relations {
            relation: Relation::ApplicationSent,
            ..
        }
    ));
    let Reply::Relations { entries, .. } = alice
        .ok(Request::RelationList {
            relation: Relation::ApplicationSent,
        })
        .await
    else {
        panic!()
    };
    assert_eq!(
        entries
            .iter()
            .map(|e| e.user_id.as_str())
            .collect::<Vec<_>>(),
        ["bob"]
    );
    alice
        .ok(Request::RelationAdd {
            relation: Relation::Blacklist,
            users: vec![uid("bob")],
            fields: Default::default(),
        })
        .await;
    let Reply::Relations { entries, .. } = alice2
        .ok(Request::RelationList {
            relation: Relation::Blacklist,
        })
        .await
    else {
        panic!()
    };
    assert_eq!(entries.len(), 1);
    alice
        .ok(Request::RelationRemove {
            relation: Relation::Blacklist,
            users: vec![uid("bob")],
        })
        .await;
    let reply = alice
        .ok(Request::ProfileSet {
            nick: Some("Alice".into()),
            avatar: Some("https://x/a.png".into()),
            details: ProfileDetails {
                gender: Some("Gender_Type_Female".into()),
                self_signature: Some("Hello!".into()),
                birthday: Some(19_900_101),
                ..ProfileDetails::default()
            },
        })
        .await;
    assert!(matches!(reply, Reply::Profiles { ref profiles } if profiles[0].nick == "Alice"));
    let Reply::Profiles { profiles } = reply else {
        panic!()
    };
    assert_eq!(
        profiles[0].details.self_signature.as_deref(),
        Some("Hello!")
    );
    let Reply::Profiles { profiles } = alice2
        .ok(Request::ProfileGet {
            users: vec![uid("alice"), uid("ghost")],
        })
        .await
    else {
        panic!()
    };
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0].avatar, "https://x/a.png");
    assert_eq!(
        profiles[0].details.gender.as_deref(),
        Some("Gender_Type_Female")
    );
    assert_eq!(profiles[0].details.birthday, Some(19_900_101));
    let long = alice
        .err(Request::ProfileSet {
            nick: Some("n".repeat(101)),
            avatar: None,
            details: ProfileDetails::default(),
        })
        .await;
    assert_eq!(long, protocol::ErrorCode::INVALID_ARGUMENT);
    // A field out of its range, or an unknown custom one, changes nothing at all.
    for details in [
        ProfileDetails {
            gender: Some("Male".into()),
            ..ProfileDetails::default()
        },
        ProfileDetails {
            custom: vec![protocol::CustomField {
                key: "Tag_Profile_Custom_Unknown".into(),
                value: "x".into(),
            }],
            ..ProfileDetails::default()
        },
    ] {
        let refused = alice
            .err(Request::ProfileSet {
                nick: Some("Changed".into()),
                avatar: None,
                details,
            })
            .await;
        assert_eq!(refused, protocol::ErrorCode::INVALID_ARGUMENT);
    }
    // A message sent now carries the new nickname (R4.4).
    let mut bob = server.login("bob", "web2").await;
    alice.send_text("bob", 1, "with my name").await;
    let m = bob.push_message().await;
    assert_eq!(
        (m.nick.as_str(), m.avatar.as_str()),
        ("Alice", "https://x/a.png")
    );
    let r = server
        .rest(
            "profile/portrait_get",
            json!({"To_Account": ["alice"], "TagList": ["Tag_Profile_IM_Nick", "Tag_Profile_IM_SelfSignature"]}),
        )
        .await;
    assert_eq!(
        r["UserProfileItem"][0]["ProfileItem"][0]["Value"], "Alice",
        "the refused change left the nickname"
    );
    assert_eq!(
        r["UserProfileItem"][0]["ProfileItem"][1]["Value"], "Hello!",
        "the SDK's fields are the REST API's"
    );
}

#[tokio::test]
async fn the_app_wide_rest_rate_is_enforced() {
    let server = TestServer::start_with(|c| {
        c.rest.rate_per_sec = 1;
        c.rest.rate_burst = 3;
    })
    .await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        codes.push(code(&server.rest("duet/get_app_config", json!({})).await));
    }
    assert_eq!(codes, [0, 0, 0, 60004, 60004]);
}

#[tokio::test]
async fn query_online_status_tells_online_push_online_offline_and_unknown_accounts() {
    let server = TestServer::start().await;
    for user in ["away", "pushed"] {
        server.login(user, "x").await.ok(Request::Logout).await;
    }
    let token = "8f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";
    let r = server
        .rest(
            "duet/push_register",
            json!({"From_Account": "pushed", "DeviceID": "phone", "Vendor": "apns", "Token": token}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let _here = server.login("here", "tablet").await;
    let r = server
        .rest(
            "openim/query_online_status",
            json!({"IsNeedDetail": 1, "To_Account": ["here", "away", "pushed", "ghost", "bad id!"]}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(
        r["QueryResult"],
        json!([
            {"To_Account": "here", "Status": "Online", "Detail": [{"Platform": "tablet", "Status": "Online"}]},
            {"To_Account": "away", "Status": "Offline", "Detail": []},
            {"To_Account": "pushed", "Status": "PushOnline", "Detail": []},
        ])
    );
    assert_eq!(
        r["ErrorList"],
        json!([{"To_Account": "bad id!", "ErrorCode": 60006}, {"To_Account": "ghost", "ErrorCode": 70107}])
    );
    // Without IsNeedDetail, no Detail; the former name answers the same.
    let r = server
        .rest("openim/querystate", json!({"To_Account": ["here"]}))
        .await;
    assert_eq!(
        r["QueryResult"],
        json!([{"To_Account": "here", "Status": "Online"}])
    );
    // As many accounts as Tencent answers for, and no more.
    let many: Vec<String> = (0..500).map(|i| format!("u{i}")).collect();
    let r = server
        .rest("openim/query_online_status", json!({"To_Account": many}))
        .await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(
        r["ErrorList"].as_array().map(Vec::len),
        Some(500),
        "each unknown"
    );
    let too_many: Vec<String> = (0..501).map(|i| format!("u{i}")).collect();
    let r = server
        .rest(
            "openim/query_online_status",
            json!({"To_Account": too_many}),
        )
        .await;
    assert_ne!(code(&r), 0, "{r}");
}

#[tokio::test]
async fn get_c2c_unread_msg_num_counts_per_peer_and_in_all() {
    let server = TestServer::start().await;
    server.login("reader", "x").await.ok(Request::Logout).await;
    for (from, n) in [("ann", 2), ("ben", 1)] {
        let mut c = server.login(from, "web").await;
        for i in 0..n {
            c.send_text("reader", 10 + i, "unread").await;
        }
    }
    let r = server
        .rest(
            "openim/get_c2c_unread_msg_num",
            json!({"To_Account": "reader", "Peer_Account": ["ann", "ben", "cat"]}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(r["AllC2CUnreadMsgNum"], 3);
    assert_eq!(
        r["C2CUnreadMsgNumList"],
        json!([
            {"Peer_Account": "ann", "C2CUnreadMsgNum": 2},
            {"Peer_Account": "ben", "C2CUnreadMsgNum": 1},
            {"Peer_Account": "cat", "C2CUnreadMsgNum": 0},
        ])
    );
    let mut reader = server.login("reader", "web").await;
    reader.ok(Request::MarkRead { peer: uid("ann") }).await;
    let r = server
        .rest(
            "openim/get_c2c_unread_msg_num",
            json!({"To_Account": "reader"}),
        )
        .await;
    assert_eq!(
        (
            r["AllC2CUnreadMsgNum"].as_u64(),
            r.get("C2CUnreadMsgNumList")
        ),
        (Some(1), None)
    );
    let r = server
        .rest(
            "openim/get_c2c_unread_msg_num",
            json!({"To_Account": "nobody"}),
        )
        .await;
    assert_eq!(code(&r), 20003, "{r}");
}

#[tokio::test]
async fn tencents_older_shapes_work_too_identifier_and_get_with_a_body() {
    let server = TestServer::start().await;
    let r = server
        .rest(
            "im_open_login_svc/account_import",
            json!({"Identifier": "legacy", "Nick": "Old"}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let sig = server.sig("administrator");
    let url = format!(
        "http://{}/v4/im_open_login_svc/account_check?sdkappid={SDK_APP_ID}&identifier=administrator&usersig={sig}&random=1&contenttype=json",
        server.addr
    );
    let response = reqwest::Client::new()
        .get(url)
        .body(json!({"CheckItem": [{"UserID": "legacy"}]}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let r: Value = response.json().await.unwrap();
    assert_eq!(r["ResultItem"][0]["AccountStatus"], "Imported", "{r}");
}

/// Imports `n` accounts named `p000`, `p001`, …, 100 at a time, and returns their names.
async fn import_peers(server: &TestServer, n: usize) -> Vec<String> {
    let peers: Vec<String> = (0..n).map(|i| format!("p{i:03}")).collect();
    for chunk in peers.chunks(100) {
        let r = server
            .rest(
                "im_open_login_svc/multiaccount_import",
                json!({"Accounts": chunk}),
            )
            .await;
        assert_eq!(code(&r), 0, "{r}");
    }
    peers
}

#[tokio::test]
async fn recentcontact_get_list_pages_the_conversations_newest_first() {
    let server = TestServer::start_with(|c| c.retention.contacts_cap = 200).await;
    let peers = import_peers(&server, 101).await;
    server.login("hub", "x").await.ok(Request::Logout).await;
    let r = server
        .rest(
            "openim/batchsendmsg",
            json!({"From_Account": "hub", "To_Account": peers, "MsgRandom": 1, "MsgBody": text_body("hi all")}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    server.clock.advance_ms(2_000);
    let mut p100 = server.login("p100", "web").await;
    p100.send_text("hub", 2, "answer").await;

    let list = |time_stamp: u64, start: u64| {
        server.rest(
            "recentcontact/get_list",
            json!({"From_Account": "hub", "TimeStamp": time_stamp, "StartIndex": start,
                   "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": 15}),
        )
    };
    let first = list(0, 0).await;
    assert_eq!(code(&first), 0, "{first}");
    let items = first["SessionItem"].as_array().unwrap();
    assert_eq!(
        (items.len(), first["CompleteFlag"].as_u64()),
        (100, Some(0))
    );
    assert_eq!(
        items[0],
        json!({"Type": 1, "To_Account": "p100", "MsgTime": server.clock.now_s(),
               "TopFlag": 0, "C2CUnreadMsgNum": 1}),
        "the newest conversation first"
    );
    assert_eq!(items[1]["To_Account"], "p000");
    // A conversation active after the first page waits for a new first page.
    server.clock.advance_ms(2_000);
    p100.send_text("hub", 3, "again").await;
    let second = list(
        first["TimeStamp"].as_u64().unwrap(),
        first["StartIndex"].as_u64().unwrap(),
    )
    .await;
    assert_eq!(second["CompleteFlag"], 1, "{second}");
    assert_eq!(
        second["SessionItem"],
        json!([{"Type": 1, "To_Account": "p099",
        "MsgTime": server.clock.now_s() - 4, "TopFlag": 0, "C2CUnreadMsgNum": 0}])
    );
    let r = server
        .rest("recentcontact/get_list", json!({"From_Account": "nobody"}))
        .await;
    assert_eq!(code(&r), 20003, "{r}");
}

#[tokio::test]
async fn recentcontact_get_list_gives_pinned_conversations_first_with_their_own_cursor() {
    let server = TestServer::start_with(|c| c.retention.contacts_cap = 200).await;
    let peers = import_peers(&server, 101).await;
    let mut hub = server.login("hub", "x").await;
    for (i, peer) in peers.iter().enumerate() {
        hub.send_text(peer, i as u32 + 1, "hi").await;
        server.clock.advance_ms(1_000);
    }
    // The oldest conversation and one from the middle pinned.
    for peer in ["p000", "p050"] {
        let pin = Request::ConversationSet {
            peer: uid(peer),
            change: protocol::frame::ConversationChange {
                pinned: Some(true),
                ..Default::default()
            },
        };
        hub.ok(pin).await;
    }
    let list = |cursor: [u64; 4], assist_flags: u32| {
        server.rest(
            "recentcontact/get_list",
            json!({"From_Account": "hub", "TimeStamp": cursor[0], "StartIndex": cursor[1],
                   "TopTimeStamp": cursor[2], "TopStartIndex": cursor[3],
                   "AssistFlags": assist_flags}),
        )
    };
    let peers_of = |r: &Value| -> Vec<(String, u64)> {
        r["SessionItem"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["To_Account"].as_str().unwrap().to_owned(),
                    i["TopFlag"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let cursor = |r: &Value| {
        ["TimeStamp", "StartIndex", "TopTimeStamp", "TopStartIndex"].map(|f| r[f].as_u64().unwrap())
    };

    // Pinned first: the newer pinned one, then the older, then the rest newest first.
    let first = list([0; 4], 7).await;
    assert_eq!(code(&first), 0, "{first}");
    let given = peers_of(&first);
    assert_eq!(given.len(), 100);
    assert_eq!(first["CompleteFlag"], 0);
    assert_eq!(
        given[..3],
        [("p050".into(), 1), ("p000".into(), 1), ("p100".into(), 0)]
    );
    assert!(given[2..].iter().all(|(_, top)| *top == 0));
    assert_eq!(
        first["SessionItem"][0]["MsgTime"],
        server.clock.now_s() - 51
    );
    let second = list(cursor(&first), 7).await;
    assert_eq!(second["CompleteFlag"], 1, "{second}");
    assert_eq!(peers_of(&second), [("p001".into(), 0)]);
    let mut all: Vec<_> = given
        .iter()
        .chain(&peers_of(&second))
        .map(|(p, _)| p.clone())
        .collect();
    all.sort();
    assert_eq!(all, peers, "every conversation once");

    // Without bit 0 the pinned ones take their place by time, still flagged.
    let unpinned = list([0; 4], 0).await;
    let given = peers_of(&unpinned);
    assert_eq!(
        (given[0].0.as_str(), given[50].clone()),
        ("p100", ("p050".into(), 1))
    );
    assert_eq!(cursor(&unpinned)[2..], [0, 0]);
    let rest = peers_of(&list(cursor(&unpinned), 0).await);
    assert_eq!(rest, [("p000".into(), 1)]);

    // Marks of 101 conversations, in two calls, listed by get_contact_group 100 at a time.
    for chunk in peers.chunks(100) {
        let items: Vec<Value> = chunk
            .iter()
            .map(|p| json!({"OptType": 1, "ContactItem": {"Type": 1, "To_Account": p}, "SetMark": [33]}))
            .collect();
        let r = server
            .rest(
                "recentcontact/mark_contact",
                json!({"From_Account": "hub", "MarkItem": items}),
            )
            .await;
        assert_eq!(code(&r), 0, "{r}");
        let codes: Vec<_> = r["ResultItem"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["ResultCode"].as_u64())
            .collect();
        assert_eq!(codes, vec![Some(0); chunk.len()]);
    }
    let marked = |start: u64| {
        server.rest(
            "recentcontact/get_contact_group",
            json!({"From_Account": "hub", "StartIndex": start}),
        )
    };
    let page = marked(0).await;
    assert_eq!(
        (
            page["CompleteFlag"].as_u64(),
            page["NextStartIndex"].as_u64()
        ),
        (Some(0), Some(100)),
        "{page}"
    );
    assert_eq!(page["ContactItem"].as_array().unwrap().len(), 100);
    assert_eq!(
        page["ContactItem"][0],
        json!({"Type": 1, "To_Account": "p000", "StandardMark": format!("1{}", "0".repeat(33))})
    );
    assert_eq!(page["GroupItem"], json!([]));
    let last = marked(100).await;
    assert_eq!(
        (
            last["CompleteFlag"].as_u64(),
            last["NextStartIndex"].as_u64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(last["ContactItem"][0]["To_Account"], "p100");
}

#[tokio::test]
async fn recentcontact_mark_contact_marks_conversations_on_every_device_of_the_user() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "phone").await;
    server.login("carol", "web").await.ok(Request::Logout).await;
    alice.send_text("bob", 1, "hi").await;
    bob.push().await;
    let mark = |items: Value| {
        server.rest(
            "recentcontact/mark_contact",
            json!({"From_Account": "alice", "MarkItem": items}),
        )
    };
    let c2c = |peer: &str| json!({"Type": 1, "To_Account": peer});

    // A star, an app's own mark (bit 40) and a custom mark; every faulty item fails alone.
    let r = mark(json!([
        {"OptType": 3, "ContactItem": c2c("bob"), "SetMark": [0, 40], "CustomMark": "folder: work"},
        {"OptType": 1, "ContactItem": c2c("carol"), "SetMark": [1]},
        {"OptType": 1, "ContactItem": c2c("bob"), "SetMark": [64]},
        {"OptType": 1, "ContactItem": c2c("bob"), "SetMark": [2], "ClearMark": [2]},
        {"OptType": 1, "ContactItem": c2c("bob")},
        {"OptType": 2, "ContactItem": c2c("bob")},
        {"OptType": 2, "ContactItem": c2c("bob"), "CustomMark": "x".repeat(257)},
        {"OptType": 4, "ContactItem": c2c("bob"), "SetMark": [1]},
        {"OptType": 1, "ContactItem": {"Type": 2, "ToGroupId": "g1"}, "SetMark": [1]},
    ]))
    .await;
    assert_eq!(code(&r), 0, "{r}");
    let results = r["ResultItem"].as_array().unwrap();
    let codes: Vec<_> = results
        .iter()
        .map(|i| i["ResultCode"].as_u64().unwrap())
        .collect();
    assert_eq!(
        codes,
        [0, 60016, 60006, 60006, 60006, 60006, 60006, 60006, 60006]
    );
    assert_eq!(
        results[0],
        json!({"OptType": 3, "ContactItem": c2c("bob"), "ResultCode": 0, "ResultInfo": ""})
    );
    assert!(
        results[2]["ResultInfo"].as_str().unwrap().contains("64"),
        "{r}"
    );

    // Alice's device hears the change as the SDK's own would make it.
    let e = alice.push().await;
    assert_eq!(
        e.event,
        SyncEvent::ConversationState {
            peer: uid("bob"),
            pinned: false,
            draft: String::new(),
            marks: 1 | 1 << 40,
            custom_data: "folder: work".into(),
            conversation_groups: Vec::new(),
        }
    );
    let standard = format!("{:b}", 1u64 | 1 << 40);
    let list = server
        .rest(
            "recentcontact/get_list",
            json!({"From_Account": "alice", "AssistFlags": 7}),
        )
        .await;
    assert_eq!(list["SessionItem"][0]["StandardMark"], standard.as_str());
    assert_eq!(list["SessionItem"][0]["CustomMark"], "folder: work");
    let search = |items: Value| {
        server.rest(
            "recentcontact/search_contact_group",
            json!({"From_Account": "alice", "ContactItem": items}),
        )
    };
    let found = search(json!([c2c("carol"), c2c("bob")])).await;
    assert_eq!(
        found["ContactResultItem"],
        json!([{"Type": 1, "To_Account": "bob", "StandardMark": standard, "CustomMark": "folder: work"}]),
        "{found}"
    );
    assert_eq!(found["GroupItem"], json!([]));

    // Cleared bit by bit, the custom mark on its own.
    let r = mark(json!([{"OptType": 1, "ContactItem": c2c("bob"), "ClearMark": [0]}])).await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
    let r = mark(json!([{"OptType": 2, "ContactItem": c2c("bob"), "CustomMark": ""}])).await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
    assert_eq!(
        alice.push().await.event,
        SyncEvent::ConversationState {
            peer: uid("bob"),
            pinned: false,
            draft: String::new(),
            marks: 1 << 40,
            custom_data: "folder: work".into(),
            conversation_groups: Vec::new(),
        }
    );
    assert_eq!(
        alice.push().await.event,
        SyncEvent::ConversationState {
            peer: uid("bob"),
            pinned: false,
            draft: String::new(),
            marks: 1 << 40,
            custom_data: String::new(),
            conversation_groups: Vec::new(),
        }
    );
    let found = search(json!([c2c("bob")])).await;
    assert_eq!(
        found["ContactResultItem"],
        json!([{"Type": 1, "To_Account": "bob", "StandardMark": format!("1{}", "0".repeat(40))}])
    );
    let r = mark(json!([{"OptType": 1, "ContactItem": c2c("bob"), "ClearMark": [40]}])).await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
    let found = search(json!([c2c("bob")])).await;
    assert_eq!(
        found["ContactResultItem"],
        json!([]),
        "no marks left: not listed"
    );

    // Whole-request faults.
    assert_eq!(code(&mark(json!([])).await), 60006);
    let many: Vec<Value> = (0..101)
        .map(|_| json!({"OptType": 1, "ContactItem": c2c("bob"), "SetMark": [1]}))
        .collect();
    assert_eq!(code(&mark(json!(many)).await), 60006);
    let many: Vec<Value> = (0..301).map(|_| c2c("bob")).collect();
    assert_eq!(code(&search(json!(many)).await), 60006);
    assert_eq!(
        code(&search(json!([{"Type": 2, "ToGroupId": "g1"}])).await),
        60006
    );
    let nobody = server
        .rest(
            "recentcontact/mark_contact",
            json!({"From_Account": "nobody", "MarkItem": [
            {"OptType": 1, "ContactItem": c2c("bob"), "SetMark": [1]}]}),
        )
        .await;
    assert_eq!(code(&nobody), 20003);

    // Bob heard none of it: his next entry is alice's next message.
    alice.send_text("bob", 2, "still here").await;
    assert_eq!(text_of(&bob.push_message().await), "still here");
}

#[tokio::test]
async fn recentcontact_conversation_groups_are_made_renamed_changed_and_deleted_for_every_device() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "phone").await;
    for peer in ["bob", "carol", "dave"] {
        server.login(peer, "web").await.ok(Request::Logout).await;
    }
    alice.send_text("bob", 1, "hi").await;
    alice.send_text("carol", 2, "hi").await;
    let c2c = |peer: &str| json!({"Type": 1, "To_Account": peer});
    let create = |name: &str, items: Value| {
        server.rest(
            "recentcontact/create_contact_group",
            json!({"From_Account": "alice", "GroupContactItem": [{"GroupName": name, "ContactItem": items}]}),
        )
    };
    let update = |group: Value| {
        server.rest(
            "recentcontact/update_contact_group",
            json!({"From_Account": "alice", "UpdateType": 1, "UpdateGroup": group}),
        )
    };
    let delete = |names: Value| {
        server.rest(
            "recentcontact/del_contact_group",
            json!({"From_Account": "alice", "GroupName": names}),
        )
    };
    let get = || {
        server.rest(
            "recentcontact/get_contact_group",
            json!({"From_Account": "alice", "StartIndex": 0}),
        )
    };
    let result_codes = |items: &Value| -> Vec<u64> {
        (items.as_array().unwrap().iter())
            .map(|i| i["ResultCode"].as_u64().unwrap())
            .collect()
    };

    // Made with bob; dave (no conversation yet) and a group conversation fail alone.
    let r = create(
        "work",
        json!([c2c("bob"), c2c("dave"), {"Type": 2, "ToGroupId": "g1"}]),
    )
    .await;
    assert_eq!(code(&r), 0, "{r}");
    let made = &r["GroupResultItem"][0];
    let work = made["GroupItem"]["GroupId"].as_u64().unwrap();
    assert!(work > 0, "{r}");
    assert_eq!(made["GroupItem"]["GroupName"], "work");
    assert_eq!(result_codes(&made["ResultItem"]), [0, 60016, 60006]);
    assert_eq!(made["ResultItem"][0]["ContactItem"], c2c("bob"));
    // Alice's device hears it as the SDK's own change.
    let e = alice.push().await;
    assert!(
        matches!(&e.event, SyncEvent::ConversationState { peer, conversation_groups, .. }
            if *peer == uid("bob") && *conversation_groups == ["work"]),
        "{e:?}"
    );

    // Refused whole: a name taken, no conversation, none that can join, two groups at once.
    for (body, why) in [
        (create("work", json!([c2c("carol")])).await, "already"),
        (create("empty", json!([])).await, "ContactItem"),
        (
            create("x".repeat(33).as_str(), json!([c2c("carol")])).await,
            "name",
        ),
    ] {
        assert_eq!(code(&body), 60006, "{body}");
        assert!(body["ErrorInfo"].as_str().unwrap().contains(why), "{body}");
    }
    let r = create("nobody", json!([c2c("dave")])).await;
    assert_eq!(code(&r), 60016, "{r}");
    let two = json!({"From_Account": "alice", "GroupContactItem": [
        {"GroupName": "a", "ContactItem": [c2c("bob")]},
        {"GroupName": "b", "ContactItem": [c2c("bob")]},
    ]});
    let r = server.rest("recentcontact/create_contact_group", two).await;
    assert_eq!(code(&r), 60006, "{r}");

    // Listed with the conversations in them, by GroupId.
    let r = get().await;
    assert_eq!(
        r["GroupItem"],
        json!([{"GroupName": "work", "GroupId": work}]),
        "{r}"
    );
    assert_eq!(
        r["ContactItem"],
        json!([{"Type": 1, "To_Account": "bob", "ContactGroupId": [work]}])
    );

    // Carol in, bob out: each alone; a wrong ContactOptType fails alone.
    let r = update(
        json!({"UpdateGroupType": 2, "OldGroupName": "work", "ContactUpdateItem": [
            {"ContactOptType": 1, "ContactItem": c2c("carol")},
            {"ContactOptType": 2, "ContactItem": c2c("bob")},
            {"ContactOptType": 3, "ContactItem": c2c("bob")},
        ]}),
    )
    .await;
    assert_eq!(code(&r), 0, "{r}");
    let result = &r["UpdateGroupResult"];
    assert_eq!(
        (result["GroupName"].as_str(), result["GroupId"].as_u64()),
        (Some("work"), Some(work))
    );
    assert_eq!(result_codes(&result["ContactResultItem"]), [0, 0, 60006]);
    let r = server
        .rest(
            "recentcontact/search_contact_group",
            json!({"From_Account": "alice", "ContactItem": [c2c("bob"), c2c("carol")]}),
        )
        .await;
    assert_eq!(
        (&r["ContactResultItem"], &r["GroupItem"]),
        (
            &json!([{"Type": 1, "To_Account": "carol", "ContactGroupId": [work]}]),
            &json!([{"GroupName": "work", "GroupId": work}])
        ),
        "{r}"
    );

    // Renamed: a new GroupId; a missing group or a taken name is refused.
    let r =
        update(json!({"UpdateGroupType": 1, "OldGroupName": "work", "NewGroupName": "home"})).await;
    assert_eq!(code(&r), 0, "{r}");
    let result = &r["UpdateGroupResult"];
    let home = result["GroupId"].as_u64().unwrap();
    assert_ne!(home, work);
    assert_eq!(
        (
            result["OldGroupName"].as_str(),
            result["NewGroupName"].as_str()
        ),
        (Some("work"), Some("home"))
    );
    let r =
        update(json!({"UpdateGroupType": 1, "OldGroupName": "work", "NewGroupName": "x"})).await;
    assert_eq!(code(&r), 60006, "{r}");
    let same = json!({"UpdateGroupType": 1, "OldGroupName": "home", "NewGroupName": "home"});
    let r = update(same).await;
    assert_eq!(code(&r), 0, "renamed to its own name: nothing to do; {r}");
    assert_eq!(code(&create("fun", json!([c2c("bob")])).await), 0);
    let r =
        update(json!({"UpdateGroupType": 1, "OldGroupName": "home", "NewGroupName": "fun"})).await;
    assert_eq!(code(&r), 60006, "{r}");
    let listed = get().await["GroupItem"].clone();
    let fun = listed[0]["GroupId"].as_u64().unwrap();
    assert_eq!(
        listed,
        json!([{"GroupName": "fun", "GroupId": fun}, {"GroupName": "home", "GroupId": home}])
    );

    // Deleted all or none; the conversations stay.
    let r = delete(json!(["home", "nope"])).await;
    assert_eq!(code(&r), 60006, "{r}");
    assert_eq!(get().await["GroupItem"].as_array().unwrap().len(), 2);
    let r = delete(json!(["home", "home"])).await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(
        r["GroupItem"],
        json!([{"GroupName": "home", "GroupId": home}])
    );
    let r = get().await;
    assert_eq!(
        r["GroupItem"],
        json!([{"GroupName": "fun", "GroupId": fun}])
    );
    assert_eq!(
        r["ContactItem"],
        json!([{"Type": 1, "To_Account": "bob", "ContactGroupId": [fun]}])
    );
    let list = server
        .rest("recentcontact/get_list", json!({"From_Account": "alice"}))
        .await;
    assert_eq!(list["SessionItem"].as_array().unwrap().len(), 2, "{list}");

    // Twenty groups at most (Tencent's 51010).
    for n in 1..20 {
        assert_eq!(
            code(&create(&format!("g{n}"), json!([c2c("carol")])).await),
            0
        );
    }
    let r = create("g20", json!([c2c("carol")])).await;
    assert_eq!(code(&r), 51010, "{r}");
}

#[tokio::test]
async fn portrait_get_and_set_take_tencents_standard_tags_and_allowed_custom_ones() {
    let server =
        TestServer::start_with(|c| c.profile_custom_tags = vec!["Tag_Profile_Custom_Hobby".into()])
            .await;
    server.login("pat", "x").await.ok(Request::Logout).await;
    let standard = [
        "Tag_Profile_IM_Nick",
        "Tag_Profile_IM_Gender",
        "Tag_Profile_IM_BirthDay",
        "Tag_Profile_IM_Location",
        "Tag_Profile_IM_SelfSignature",
        "Tag_Profile_IM_AllowType",
        "Tag_Profile_IM_Language",
        "Tag_Profile_IM_Image",
        "Tag_Profile_IM_MsgSettings",
        "Tag_Profile_IM_AdminForbidType",
        "Tag_Profile_IM_Level",
        "Tag_Profile_IM_Role",
        "Tag_Profile_Custom_Hobby",
    ];
    let get = || {
        server.rest(
            "profile/portrait_get",
            json!({"To_Account": ["pat"], "TagList": standard}),
        )
    };
    // Unset fields read as Tencent's defaults.
    let r = get().await;
    assert_eq!(code(&r), 0, "{r}");
    let values = |r: &Value| -> Vec<Value> {
        r["UserProfileItem"][0]["ProfileItem"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["Value"].clone())
            .collect()
    };
    assert_eq!(
        values(&r),
        [
            json!(""),
            json!("Gender_Type_Unknown"),
            json!(0),
            json!(""),
            json!(""),
            json!("AllowType_Type_NeedConfirm"),
            json!(0),
            json!(""),
            json!(0),
            json!("AdminForbid_Type_None"),
            json!(0),
            json!(0),
            json!("")
        ]
    );
    let set = |items: Value| {
        server.rest(
            "profile/portrait_set",
            json!({"From_Account": "pat", "ProfileItem": items}),
        )
    };
    let r = set(json!([
        {"Tag": "Tag_Profile_IM_Nick", "Value": "Pat"},
        {"Tag": "Tag_Profile_IM_Gender", "Value": "Gender_Type_Female"},
        {"Tag": "Tag_Profile_IM_BirthDay", "Value": 19900214},
        {"Tag": "Tag_Profile_IM_SelfSignature", "Value": "hello"},
        {"Tag": "Tag_Profile_IM_Level", "Value": 3},
        {"Tag": "Tag_Profile_Custom_Hobby", "Value": "chess"},
    ]))
    .await;
    assert_eq!(code(&r), 0, "{r}");
    let r = get().await;
    assert_eq!(
        values(&r),
        [
            json!("Pat"),
            json!("Gender_Type_Female"),
            json!(19900214),
            json!(""),
            json!("hello"),
            json!("AllowType_Type_NeedConfirm"),
            json!(0),
            json!(""),
            json!(0),
            json!("AdminForbid_Type_None"),
            json!(3),
            json!(0),
            json!("chess")
        ]
    );
    // A bad value, a tag Duet does not act on yet, or one not allowed: refused, nothing kept.
    for bad in [
        json!([{"Tag": "Tag_Profile_IM_Nick", "Value": "Changed"}, {"Tag": "Tag_Profile_IM_Gender", "Value": "Male"}]),
        json!([{"Tag": "Tag_Profile_IM_AdminForbidType", "Value": "AdminForbid_Type_SendOut"}]),
        json!([{"Tag": "Tag_Profile_Custom_Secret", "Value": "x"}]),
        json!([{"Tag": "Tag_Profile_IM_BirthDay", "Value": -1}]),
    ] {
        let r = set(bad.clone()).await;
        assert_eq!(code(&r), 60006, "{bad}: {r}");
    }
    assert_eq!(
        values(&get().await)[0],
        json!("Pat"),
        "nothing of a refused set is kept"
    );
    let r = server
        .rest(
            "profile/portrait_get",
            json!({"To_Account": ["pat"], "TagList": ["Tag_Profile_Custom_Secret"]}),
        )
        .await;
    assert_eq!(code(&r), 60006, "{r}");
}

#[tokio::test]
async fn friend_get_list_answers_chosen_fields_and_friend_delete_all_empties_the_list() {
    let server = TestServer::start().await;
    let r = server
        .rest(
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": ["fay", "gus", "hal", "ivy"]}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    server
        .rest(
            "profile/portrait_set",
            json!({"From_Account": "gus", "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "Gus"}]}),
        )
        .await;
    let r = server
        .rest(
            "sns/friend_add",
            json!({"ForceAddFlags": 1, "From_Account": "fay", "AddFriendItem": [{"To_Account": "gus"}, {"To_Account": "hal"}], "AddType": "Add_Type_Both"}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let r = server
        .rest(
            "sns/friend_get_list",
            json!({"From_Account": "fay", "To_Account": ["gus", "ivy"],
                   "TagList": ["Tag_Profile_IM_Nick", "Tag_SNS_IM_AddTime", "Tag_SNS_IM_Remark", "Tag_SNS_IM_Group"]}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(
        r["InfoItem"][0],
        json!({"To_Account": "gus", "ResultCode": 0, "ResultInfo": "", "SnsProfileItem": [
            {"Tag": "Tag_Profile_IM_Nick", "Value": "Gus"},
            {"Tag": "Tag_SNS_IM_AddTime", "Value": server.clock.now_s()},
            {"Tag": "Tag_SNS_IM_Remark", "Value": ""},
            {"Tag": "Tag_SNS_IM_Group", "Value": []},
        ]})
    );
    assert_eq!(
        r["InfoItem"][1]["ResultCode"], 30001,
        "ivy is no friend: {r}"
    );
    assert_eq!(r["Fail_Account"], json!(["ivy"]));

    let r = server
        .rest(
            "sns/friend_delete_all",
            json!({"From_Account": "fay", "DeleteType": "Delete_Type_Both"}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    for (owner, friend) in [("fay", "gus"), ("gus", "fay"), ("hal", "fay")] {
        let r = server
            .rest("sns/friend_check", json!({"From_Account": owner, "To_Account": [friend], "CheckType": "CheckResult_Type_Single"}))
            .await;
        assert_eq!(
            r["InfoItem"][0]["Relation"], "CheckResult_Type_NoRelation",
            "{owner} → {friend}: {r}"
        );
    }
}

#[tokio::test]
async fn friend_import_and_friend_update_keep_remarks_and_groups_until_the_friendship_ends() {
    let server = TestServer::start().await;
    let r = server
        .rest(
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": ["kim", "lou", "max"]}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    // As Tencent's docs write it: one way, with the fields of the old system.
    let r = server
        .rest(
            "sns/friend_import",
            json!({"From_Account": "kim", "AddFriendItem": [
                {"To_Account": "lou", "Remark": "Lou from work", "RemarkTime": 1600000000,
                 "GroupName": ["work"], "AddSource": "AddSource_Type_Import",
                 "AddWording": "hi", "AddTime": 1600000000},
                {"To_Account": "max", "AddSource": "Web"},
                {"To_Account": "ghost", "AddSource": "AddSource_Type_Import"},
            ]}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let codes: Vec<i64> = r["ResultItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ResultCode"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [0, 60006, 20003], "{r}");
    let r = server
        .rest(
            "sns/friend_update",
            json!({"From_Account": "kim", "UpdateItem": [
                {"To_Account": "lou", "SnsItem": [{"Tag": "Tag_SNS_IM_Remark", "Value": "Lou"},
                                                  {"Tag": "Tag_SNS_IM_Group", "Value": ["work", "chess"]}]},
                {"To_Account": "max", "SnsItem": [{"Tag": "Tag_SNS_IM_Remark", "Value": "Max"}]},
            ]}),
        )
        .await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
    assert_eq!(
        r["ResultItem"][1]["ResultCode"], 30001,
        "max is no friend: {r}"
    );
    let r = server
        .rest(
            "sns/friend_get",
            json!({"From_Account": "kim", "StartIndex": 0}),
        )
        .await;
    assert_eq!(
        r["UserDataItem"],
        json!([{"To_Account": "lou", "ValueItem": [
            {"Tag": "Tag_SNS_IM_AddSource", "Value": "AddSource_Type_Import"},
            {"Tag": "Tag_SNS_IM_AddWording", "Value": "hi"},
            {"Tag": "Tag_SNS_IM_AddTime", "Value": 1600000000},
            {"Tag": "Tag_SNS_IM_Remark", "Value": "Lou"},
            {"Tag": "Tag_SNS_IM_Group", "Value": ["work", "chess"]},
        ]}]),
        "{r}"
    );
    let r = server
        .rest(
            "sns/friend_get_list",
            json!({"From_Account": "kim", "To_Account": ["lou"], "TagList": ["Tag_SNS_IM_Remark"]}),
        )
        .await;
    assert_eq!(r["InfoItem"][0]["SnsProfileItem"][0]["Value"], "Lou", "{r}");
    // The fields leave with the friendship.
    server
        .rest(
            "sns/friend_delete",
            json!({"From_Account": "kim", "To_Account": ["lou"], "DeleteType": "Delete_Type_Single"}),
        )
        .await;
    server
        .rest(
            "sns/friend_add",
            json!({"ForceAddFlags": 1, "From_Account": "kim", "AddFriendItem": [{"To_Account": "lou"}], "AddType": "Add_Type_Single"}),
        )
        .await;
    let r = server
        .rest(
            "sns/friend_get_list",
            json!({"From_Account": "kim", "To_Account": ["lou"], "TagList": ["Tag_SNS_IM_Remark", "Tag_SNS_IM_Group"]}),
        )
        .await;
    assert_eq!(
        r["InfoItem"][0]["SnsProfileItem"],
        json!([{"Tag": "Tag_SNS_IM_Remark", "Value": ""}, {"Tag": "Tag_SNS_IM_Group", "Value": []}]),
        "{r}"
    );
}

#[tokio::test]
async fn friend_add_keeps_the_remark_group_source_and_greeting_tencents_complete_form_gives() {
    let server = TestServer::start().await;
    server
        .rest(
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": ["id", "id1"]}),
        )
        .await;
    // Tencent's documented "complete form", as written.
    let r = server
        .rest(
            "sns/friend_add",
            json!({"From_Account": "id", "AddFriendItem": [{"To_Account": "id1", "Remark": "remark1",
                   "GroupName": "同学", "AddSource": "AddSource_Type_XXXXXXXX", "AddWording": "I'm Test1"}],
                   "AddType": "Add_Type_Both", "ForceAddFlags": 1}),
        )
        .await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
    let r = server
        .rest(
            "sns/friend_get_list",
            json!({"From_Account": "id", "To_Account": ["id1"], "TagList": [
                "Tag_SNS_IM_Remark", "Tag_SNS_IM_Group", "Tag_SNS_IM_AddSource", "Tag_SNS_IM_AddWording"]}),
        )
        .await;
    let values: Vec<Value> = r["InfoItem"][0]["SnsProfileItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["Value"].clone())
        .collect();
    assert_eq!(
        values,
        [
            json!("remark1"),
            json!(["同学"]),
            json!("AddSource_Type_XXXXXXXX"),
            json!("I'm Test1")
        ]
    );
    // The other side's friendship has none of the adder's fields.
    let r = server
        .rest(
            "sns/friend_get_list",
            json!({"From_Account": "id1", "To_Account": ["id"], "TagList": ["Tag_SNS_IM_Remark"]}),
        )
        .await;
    assert_eq!(r["InfoItem"][0]["SnsProfileItem"][0]["Value"], "", "{r}");
    let r = server
        .rest(
            "sns/friend_add",
            json!({"ForceAddFlags": 1, "From_Account": "id", "AddFriendItem": [{"To_Account": "id1", "AddSource": "Web"}]}),
        )
        .await;
    assert_eq!(code(&r), 60006, "a source without Tencent's prefix: {r}");
}

#[tokio::test]
async fn friend_groups_are_made_filled_listed_and_deleted() {
    let server = TestServer::start().await;
    server
        .rest(
            "im_open_login_svc/multiaccount_import",
            json!({"Accounts": ["ann", "bo", "cy", "dee"]}),
        )
        .await;
    server
        .rest(
            "sns/friend_add",
            json!({"ForceAddFlags": 1, "From_Account": "ann", "AddFriendItem": [{"To_Account": "bo"}, {"To_Account": "cy"}]}),
        )
        .await;
    let r = server
        .rest(
            "sns/group_add",
            json!({"From_Account": "ann", "GroupName": ["work", "chess"], "To_Account": ["bo", "dee"]}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
    assert_eq!(
        r["ResultItem"][1]["ResultCode"], 30001,
        "dee is no friend: {r}"
    );
    assert!(r["CurrentSequence"].as_u64().unwrap() > 0);
    // A group named by friend_update is made too.
    server
        .rest(
            "sns/friend_update",
            json!({"From_Account": "ann", "UpdateItem": [{"To_Account": "cy",
                   "SnsItem": [{"Tag": "Tag_SNS_IM_Group", "Value": ["family", "chess"]}]}]}),
        )
        .await;
    let get = || {
        server.rest(
            "sns/group_get",
            json!({"From_Account": "ann", "NeedFriend": "Need_Friend_Type_Yes", "LastSequence": 0}),
        )
    };
    let r = get().await;
    assert_eq!(
        r["ResultItem"],
        json!([
            {"GroupName": "chess", "FriendNumber": 2, "To_Account": ["bo", "cy"]},
            {"GroupName": "family", "FriendNumber": 1, "To_Account": ["cy"]},
            {"GroupName": "work", "FriendNumber": 1, "To_Account": ["bo"]},
        ]),
        "{r}"
    );
    let r = server
        .rest(
            "sns/group_delete",
            json!({"From_Account": "ann", "GroupName": ["chess"]}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let r = get().await;
    let names: Vec<&str> = r["ResultItem"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["GroupName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["family", "work"]);
    let r = server
        .rest(
            "sns/friend_get_list",
            json!({"From_Account": "ann", "To_Account": ["cy"], "TagList": ["Tag_SNS_IM_Group"]}),
        )
        .await;
    assert_eq!(
        r["InfoItem"][0]["SnsProfileItem"][0]["Value"],
        json!(["family"]),
        "{r}"
    );
    let r = server
        .rest(
            "sns/group_delete",
            json!({"From_Account": "ann", "GroupName": ["nope"]}),
        )
        .await;
    assert_eq!(code(&r), 60006, "{r}");
    // Two groups are left; 31 more would make 33.
    let many: Vec<String> = (0..31).map(|i| format!("g{i}")).collect();
    let r = server
        .rest(
            "sns/group_add",
            json!({"From_Account": "ann", "GroupName": many}),
        )
        .await;
    assert_eq!(code(&r), 30010, "at most 32 groups: {r}");
}

#[tokio::test]
async fn a_users_friend_request_follows_the_peers_allow_type() {
    let server = TestServer::start().await;
    for (user, allow) in [
        ("deny", Some("AllowType_Type_DenyAny")),
        ("open", Some("AllowType_Type_AllowAny")),
        ("asks", None),
    ] {
        server.login(user, "x").await.ok(Request::Logout).await;
        if let Some(allow) = allow {
            let r = server
                .rest(
                    "profile/portrait_set",
                    json!({"From_Account": user, "ProfileItem": [{"Tag": "Tag_Profile_IM_AllowType", "Value": allow}]}),
                )
                .await;
            assert_eq!(code(&r), 0, "{r}");
        }
    }
    let mut me = server.login("me", "web").await;
    let hello = RelationFields {
        wording: "hello from me".into(),
        source: "AddSource_Type_Web".into(),
        ..RelationFields::default()
    };
    let reply = me
        .ok(Request::RelationAdd {
            relation: Relation::Friend,
            users: vec![uid("deny"), uid("open"), uid("asks")],
            fields: hello.clone(),
        })
        .await;
    let Reply::RelationResults { results } = reply else {
        panic!("{reply:?}")
    };
    let codes: Vec<u32> = results.iter().map(|r| r.code.0).collect();
    assert_eq!(codes, [30516, 0, 30539], "{results:?}");
    let check = |owner: &str, peer: &str| {
        server.rest(
            "sns/friend_check",
            json!({"From_Account": owner, "To_Account": [peer], "CheckType": "CheckResult_Type_Both"}),
        )
    };
    let relation = |r: Value| r["InfoItem"][0]["Relation"].as_str().unwrap().to_owned();
    assert_eq!(
        relation(check("me", "open").await),
        "CheckResult_Type_BothWay",
        "AllowAny: friends at once"
    );
    assert_eq!(
        relation(check("me", "asks").await),
        "CheckResult_Type_NoRelation",
        "NeedConfirm: an application, no friendship yet"
    );
    assert_eq!(
        relation(check("me", "deny").await),
        "CheckResult_Type_NoRelation",
        "DenyAny: nothing"
    );

    // The application reaches the peer with its wording, on a device signed in now or later.
    let mut asks = server.login("asks", "phone").await;
    let list = |relation| Request::RelationList { relation };
    let Reply::Relations { entries, .. } = asks.ok(list(Relation::ApplicationReceived)).await
    else {
        panic!()
    };
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].user_id.as_str(), &entries[0].fields),
        ("me", &hello)
    );
    // Nobody makes an application appear on another's list but by asking.
    let forged = Request::RelationAdd {
        relation: Relation::ApplicationReceived,
        users: vec![uid("open")],
        fields: RelationFields::default(),
    };
    assert_eq!(asks.err(forged).await.0, 60006);
    let accept = |user: &str, both| Request::ApplicationAccept {
        user: uid(user),
        both,
        fields: RelationFields {
            remark: "my friend".into(),
            ..RelationFields::default()
        },
    };
    assert_eq!(
        asks.err(accept("open", true)).await.0,
        30001,
        "open never asked"
    );
    let Reply::RelationResults { results } = asks.ok(accept("me", true)).await else {
        panic!()
    };
    assert_eq!(results[0].code.0, 0);
    assert_eq!(
        relation(check("me", "asks").await),
        "CheckResult_Type_BothWay"
    );
    let Reply::Relations { entries, .. } = asks.ok(list(Relation::Friend)).await else {
        panic!()
    };
    assert_eq!(
        entries[0].fields.remark, "my friend",
        "the remark goes with the new entry"
    );
    for (user, relation) in [
        ("me", Relation::ApplicationSent),
        ("asks", Relation::ApplicationReceived),
    ] {
        let Reply::Relations { entries, .. } =
            server.login(user, "x").await.ok(list(relation)).await
        else {
            panic!()
        };
        assert!(
            entries.is_empty(),
            "the application is gone from {user}'s list"
        );
    }

    // A request to a user who had asked first accepts that application.
    let mut late = server.login("late", "x").await;
    let ask_me = Request::RelationAdd {
        relation: Relation::Friend,
        users: vec![uid("me")],
        fields: RelationFields::default(),
    };
    let Reply::RelationResults { results } = late.ok(ask_me).await else {
        panic!()
    };
    assert_eq!(results[0].code.0, 30539);
    let Reply::RelationResults { results } = me
        .ok(Request::RelationAdd {
            relation: Relation::Friend,
            users: vec![uid("late")],
            fields: RelationFields::default(),
        })
        .await
    else {
        panic!()
    };
    assert_eq!(results[0].code.0, 0);
    assert_eq!(
        relation(check("me", "late").await),
        "CheckResult_Type_BothWay"
    );

    // Refusing takes the application off both lists; it can be asked again.
    let ask_open = Request::RelationAdd {
        relation: Relation::Friend,
        users: vec![uid("asks")],
        fields: RelationFields::default(),
    };
    let mut deny = server.login("deny", "x").await;
    let Reply::RelationResults { results } = deny.ok(ask_open).await else {
        panic!()
    };
    assert_eq!(results[0].code.0, 30539);
    asks.ok(Request::RelationRemove {
        relation: Relation::ApplicationReceived,
        users: vec![uid("deny")],
    })
    .await;
    let Reply::Relations { entries, .. } = deny.ok(list(Relation::ApplicationSent)).await else {
        panic!()
    };
    assert!(entries.is_empty(), "refused");

    // A remark is set on a friend only.
    let remark = |user: &str| Request::RelationUpdate {
        relation: Relation::Friend,
        user: uid(user),
        fields: RelationFields {
            remark: "Open O.".into(),
            ..RelationFields::default()
        },
    };
    me.ok(remark("open")).await;
    assert_eq!(me.err(remark("deny")).await.0, 30001);
    let Reply::Relations { entries, .. } = me.ok(list(Relation::Friend)).await else {
        panic!()
    };
    let open = entries
        .iter()
        .find(|e| e.user_id.as_str() == "open")
        .unwrap();
    assert_eq!(open.fields.remark, "Open O.");
    // A backend's add without ForceAddFlags is the user's own request…
    let r = server
        .rest(
            "sns/friend_add",
            json!({"From_Account": "late", "AddFriendItem": [{"To_Account": "deny"}, {"To_Account": "asks", "AddWording": "hi from late"}, {"To_Account": "open"}]}),
        )
        .await;
    let codes: Vec<u64> = (0..3)
        .map(|i| r["ResultItem"][i]["ResultCode"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [30516, 30539, 0], "{r}");
    let Reply::Relations { entries, .. } = asks.ok(list(Relation::ApplicationReceived)).await
    else {
        panic!()
    };
    assert_eq!(entries[0].fields.wording, "hi from late");
    // …and with ForceAddFlags 1 it is made whatever the AllowType.
    let r = server
        .rest(
            "sns/friend_add",
            json!({"ForceAddFlags": 1, "From_Account": "me", "AddFriendItem": [{"To_Account": "deny"}], "AddType": "Add_Type_Both"}),
        )
        .await;
    assert_eq!(r["ResultItem"][0]["ResultCode"], 0, "{r}");
}

#[tokio::test]
async fn a_user_keeps_friend_groups_over_the_websocket_as_the_rest_api_sees_them() {
    let server = TestServer::start().await;
    for user in ["bob", "carol"] {
        server.login(user, "x").await.ok(Request::Logout).await;
    }
    let mut ann = server.login("ann", "web").await;
    let r = server
        .rest(
            "sns/friend_add",
            json!({"ForceAddFlags": 1, "From_Account": "ann", "AddFriendItem": [{"To_Account": "bob"}, {"To_Account": "carol"}], "AddType": "Add_Type_Both"}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let change = |name: &str, add, users: &[&str]| Request::FriendGroupChange {
        name: name.into(),
        add,
        users: users.iter().map(|u| uid(u)).collect(),
    };
    let Reply::RelationResults { results } = ann.ok(change("work", true, &["bob", "dave"])).await
    else {
        panic!()
    };
    let codes: Vec<u32> = results.iter().map(|r| r.code.0).collect();
    assert_eq!(codes, [0, 30001], "dave is no friend");
    ann.ok(change("chess", true, &["bob", "carol"])).await;
    assert_eq!(
        friend_groups(&mut ann).await,
        [
            (
                "chess".to_owned(),
                vec!["bob".to_owned(), "carol".to_owned()]
            ),
            ("work".to_owned(), vec!["bob".to_owned()])
        ]
    );
    ann.ok(change("chess", false, &["bob"])).await;
    ann.ok(change("work", false, &[])).await;
    assert_eq!(
        friend_groups(&mut ann).await,
        [("chess".to_owned(), vec!["carol".to_owned()])]
    );
    // The one group as the REST API sees it: (name, members).
    let group_get = || async {
        let body = json!({"From_Account": "ann", "NeedFriend": "Need_Friend_Type_Yes"});
        let r = server.rest("sns/group_get", body).await;
        let group = &r["ResultItem"][0];
        (group["GroupName"].clone(), group["To_Account"].clone())
    };
    assert_eq!(group_get().await, (json!("chess"), json!(["carol"])));
    assert_eq!(ann.err(change("nope", false, &[])).await.0, 60006);
    // Renamed, a group keeps its friends, and the REST API sees the new name.
    let rename = |name: &str, new_name: &str| Request::FriendGroupRename {
        name: name.into(),
        new_name: new_name.into(),
    };
    let Reply::FriendGroups { groups } = ann.ok(rename("chess", "board games")).await else {
        panic!("friend_group_rename answers friend_groups")
    };
    assert_eq!(
        (
            groups.len(),
            groups[0].name.as_str(),
            groups[0].users.clone()
        ),
        (1, "board games", vec![uid("carol")])
    );
    assert_eq!(
        friend_groups(&mut ann).await,
        [("board games".to_owned(), vec!["carol".to_owned()])]
    );
    assert_eq!(group_get().await, (json!("board games"), json!(["carol"])));
    ann.ok(change("work", true, &["bob"])).await;
    for (from, to) in [("nope", "x"), ("work", "board games"), ("work", "")] {
        assert_eq!(ann.err(rename(from, to)).await.0, 60006, "{from} → {to}");
    }
    let long = "x".repeat(31);
    assert_eq!(ann.err(rename("work", &long)).await.0, 60006);
    let many = (0..40).map(|i| change(&format!("g{i}"), true, &[]));
    let mut last = 0;
    for request in many {
        if let Some(ServerFrame::Error { code, .. }) = ann.try_request(request).await {
            last = code.0;
            break;
        }
    }
    assert_eq!(last, 30010, "at most 32 groups");
}

/// A user's friend groups as (name, members) over the WebSocket.
async fn friend_groups(client: &mut Client) -> Vec<(String, Vec<String>)> {
    let Reply::FriendGroups { groups } = client.ok(Request::FriendGroupList).await else {
        panic!("friend_group_list answers friend_groups")
    };
    groups
        .into_iter()
        .map(|g| (g.name, g.users.iter().map(|u| u.to_string()).collect()))
        .collect()
}

#[tokio::test]
async fn a_conversation_deleted_through_rest_leaves_every_device_of_its_user() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "web").await;
    let mut bob = server.login("bob", "phone").await;
    alice.send_text("bob", 1, "hello").await;
    bob.push().await;
    let delete = |body: Value| server.rest("recentcontact/delete", body);
    let r = delete(json!({"From_Account": "bob", "Type": 2, "To_Account": "alice"})).await;
    assert_eq!(code(&r), 60006, "{r}");
    let r = delete(json!({"From_Account": "ghost", "Type": 1, "To_Account": "alice"})).await;
    assert_eq!(code(&r), 20003, "{r}");
    let r =
        delete(json!({"From_Account": "bob", "Type": 1, "To_Account": "alice", "ClearRamble": 1}))
            .await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(
        bob.push().await.event,
        SyncEvent::ConversationDeleted {
            peer: uid("alice"),
            history: true
        }
    );
    let Reply::Conversations { conversations } = bob.ok(Request::Conversations).await else {
        panic!()
    };
    assert!(conversations.is_empty());
    assert!(bob.history("alice", 10).await.is_empty());
    assert_eq!(alice.history("bob", 10).await.len(), 1, "alice keeps hers");
    // Over the WebSocket, the same, answered with the entry's sequence.
    alice.send_text("bob", 2, "again").await;
    bob.push().await;
    let Reply::Deleted { seq } = bob
        .ok(Request::ConversationDelete {
            peer: uid("alice"),
            history: false,
        })
        .await
    else {
        panic!()
    };
    assert!(seq > Seq(0));
    assert_eq!(
        bob.history("alice", 10).await.len(),
        1,
        "without history, it stays"
    );
    assert_eq!(
        bob.err(Request::ConversationDelete {
            peer: uid("bob"),
            history: false
        })
        .await
        .0,
        60006
    );
}

#[tokio::test]
async fn importmsg_stores_old_messages_at_their_time_oldest_first() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob", "web").await;
    server.login("alice", "web").await.ok(Request::Logout).await;
    let now_s = server.chat.clock.now_ms() / 1000;
    let import = |random: u32, time_s: u64, sync: u8, text: &str| {
        server.rest(
            "openim/importmsg",
            json!({"SyncFromOldSystem": sync, "From_Account": "alice", "To_Account": "bob",
                   "MsgRandom": random, "MsgTimeStamp": time_s, "MsgBody": text_body(text)}),
        )
    };
    assert_eq!(code(&import(1, now_s - 3600, 2, "an hour ago").await), 0);
    assert_eq!(code(&import(2, now_s - 60, 1, "a minute ago").await), 0);
    assert_eq!(
        code(&import(2, now_s - 60, 1, "a minute ago").await),
        0,
        "again: the same message"
    );
    let r = import(3, now_s - 1800, 2, "too late").await;
    assert_eq!(code(&r), 60006, "older than the newest: {r}");
    assert!(
        r["ErrorInfo"].as_str().unwrap().contains("oldest first"),
        "{r}"
    );
    assert_eq!(code(&import(4, now_s + 3600, 2, "future").await), 60006);
    assert_eq!(
        code(&import(5, now_s - 8 * 86_400, 2, "expired").await),
        60006
    );
    assert_eq!(code(&import(6, now_s, 3, "bad kind").await), 60006);
    let history = bob.history("alice", 10).await;
    let got: Vec<(u64, String)> = history
        .iter()
        .map(|m| {
            let Element::Text(t) = &m.elements[0] else {
                panic!()
            };
            (m.time_ms / 1000, t.text.clone())
        })
        .collect();
    assert_eq!(
        got,
        [
            (now_s - 60, "a minute ago".to_owned()),
            (now_s - 3600, "an hour ago".to_owned())
        ],
        "at their own times, newest first"
    );
    let Reply::Conversations { conversations } = bob.ok(Request::Conversations).await else {
        panic!()
    };
    assert_eq!(
        conversations[0].unread, 1,
        "SyncFromOldSystem 1 counts, 2 does not"
    );
}

#[tokio::test]
async fn adding_what_is_listed_or_removing_what_is_not_answers_30001() {
    let server = TestServer::start().await;
    for user in ["ann", "bob"] {
        server.login(user, "x").await.ok(Request::Logout).await;
    }
    let item_code = |r: &Value| r["ResultItem"][0]["ResultCode"].as_u64().unwrap();
    let add = json!({"From_Account": "ann", "AddFriendItem": [{"To_Account": "bob"}], "ForceAddFlags": 1});
    assert_eq!(
        item_code(&server.rest("sns/friend_add", add.clone()).await),
        0
    );
    let again = server.rest("sns/friend_add", add).await;
    assert_eq!(item_code(&again), 30001, "already a friend: {again}");
    assert_eq!(again["Fail_Account"], json!(["bob"]));
    let delete = json!({"ForceAddFlags": 1, "From_Account": "ann", "To_Account": ["bob"], "DeleteType": "Delete_Type_Both"});
    assert_eq!(
        item_code(&server.rest("sns/friend_delete", delete.clone()).await),
        0
    );
    assert_eq!(
        item_code(&server.rest("sns/friend_delete", delete).await),
        30001,
        "no longer a friend"
    );
    let block = json!({"From_Account": "ann", "To_Account": ["bob"]});
    assert_eq!(
        item_code(&server.rest("sns/black_list_add", block.clone()).await),
        0
    );
    assert_eq!(
        item_code(&server.rest("sns/black_list_add", block.clone()).await),
        30001
    );
    assert_eq!(
        item_code(&server.rest("sns/black_list_delete", block.clone()).await),
        0
    );
    assert_eq!(
        item_code(&server.rest("sns/black_list_delete", block).await),
        30001
    );
}

/// `openconfigsvr/setnospeaking` and `getnospeaking`: a muted user's sends are refused with
/// 20012 until the mute ends, by the WebSocket and by the backend sending as it; the mute
/// survives a restart; lifting it, or deleting the account, ends it.
#[tokio::test]
async fn a_muted_user_sends_nothing_until_the_mute_ends() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice", "web").await;
    server.login("bob", "web").await;
    let mute = |body: Value| server.rest("openconfigsvr/setnospeaking", body);
    let left = |user: &str| {
        server.rest(
            "openconfigsvr/getnospeaking",
            json!({ "Get_Account": user }),
        )
    };
    let r = mute(json!({"Set_Account": "alice", "C2CmsgNospeakingTime": 60})).await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(
        alice.send_text_err("bob", 1, "let me speak").await,
        protocol::ErrorCode::MUTED
    );
    let as_alice = server
        .rest(
            "openim/sendmsg",
            json!({"From_Account": "alice", "To_Account": "bob", "MsgRandom": 2, "MsgBody": text_body("via the backend")}),
        )
        .await;
    assert_eq!(code(&as_alice), 20012, "{as_alice}");
    // Imported history still comes in, and the administrator is never muted.
    let imported = server
        .rest(
            "openim/importmsg",
            json!({"SyncFromOldSystem": 1, "From_Account": "alice", "To_Account": "bob", "MsgRandom": 4, "MsgTimeStamp": server.clock.now_s() - 10, "MsgBody": text_body("old")}),
        )
        .await;
    assert_eq!(code(&imported), 0, "{imported}");
    let from_admin = server
        .rest(
            "openim/sendmsg",
            json!({"To_Account": "alice", "MsgRandom": 3, "MsgBody": text_body("from the admin")}),
        )
        .await;
    assert_eq!(code(&from_admin), 0, "{from_admin}");
    let r = left("alice").await;
    assert_eq!(r["C2CmsgNospeakingTime"], 60, "{r}");
    assert_eq!(r["GroupmsgNospeakingTime"], 0, "{r}");

    // Ten seconds on, ten fewer left; at the end, alice speaks again.
    server.clock.advance_ms(10_000);
    assert_eq!(left("alice").await["C2CmsgNospeakingTime"], 50);
    server.clock.advance_ms(50_000);
    assert_eq!(left("alice").await["C2CmsgNospeakingTime"], 0);
    alice.send_text("bob", 5, "back").await;

    // For good, kept across a restart. A group mute alone changes nothing for one-to-one.
    mute(json!({"Set_Account": "alice", "C2CmsgNospeakingTime": 4294967295u32})).await;
    drop(alice);
    let dir = server.stop().await;
    let server = TestServer::start_in(dir, |_| {}).await;
    let r = server
        .rest(
            "openconfigsvr/getnospeaking",
            json!({"Get_Account": "alice"}),
        )
        .await;
    assert_eq!(r["C2CmsgNospeakingTime"], 4294967295u32, "{r}");
    let mut alice = server.login("alice", "web").await;
    assert_eq!(
        alice.send_text_err("bob", 6, "still?").await,
        protocol::ErrorCode::MUTED
    );
    server
        .rest(
            "openconfigsvr/setnospeaking",
            json!({"Set_Account": "bob", "GroupmsgNospeakingTime": 7200}),
        )
        .await;
    let mut bob = server.login("bob", "web").await;
    bob.send_text("alice", 7, "groups are not a thing here")
        .await;
    let r = server
        .rest("openconfigsvr/getnospeaking", json!({"Get_Account": "bob"}))
        .await;
    assert_eq!(r["GroupmsgNospeakingTime"], 7200, "{r}");

    // Lifted with 0.
    server
        .rest(
            "openconfigsvr/setnospeaking",
            json!({"Set_Account": "alice", "C2CmsgNospeakingTime": 0}),
        )
        .await;
    alice.send_text("bob", 8, "free").await;

    // Faults: nothing to set, no such account, the administrator.
    for (body, expected) in [
        (json!({"Set_Account": "alice"}), 60006),
        (
            json!({"Set_Account": "nobody", "C2CmsgNospeakingTime": 5}),
            20003,
        ),
        (
            json!({"Set_Account": "administrator", "C2CmsgNospeakingTime": 5}),
            60006,
        ),
        (
            json!({"Set_Account": "alice", "C2CmsgNospeakingTime": -1}),
            90001,
        ),
    ] {
        let r = server
            .rest("openconfigsvr/setnospeaking", body.clone())
            .await;
        assert_eq!(code(&r), expected, "{body}: {r}");
    }

    // A deleted account's mute goes with it.
    server
        .rest(
            "openconfigsvr/setnospeaking",
            json!({"Set_Account": "bob", "C2CmsgNospeakingTime": 600}),
        )
        .await;
    server
        .rest(
            "im_open_login_svc/account_delete",
            json!({"DeleteItem": [{"UserID": "bob"}]}),
        )
        .await;
    // A UserSig signed after the deletion signs the new account in.
    server.clock.advance_ms(2_000);
    let mut bob = server.login("bob", "web2").await;
    bob.send_text("alice", 9, "a new bob").await;
}

#[tokio::test]
async fn a_push_with_a_condition_reaches_only_the_accounts_its_tags_or_attributes_pick() {
    let server = TestServer::start().await;
    for u in ["m-1", "m-2", "m-3", "m-4"] {
        server
            .rest("im_open_login_svc/account_import", json!({"UserID": u}))
            .await;
    }
    let names = |body: Value| server.rest("all_member_push/im_set_attr_name", body);
    assert_eq!(code(&names(json!({"AttrNames": {"10": "x"}})).await), 90033);
    assert_eq!(
        code(&names(json!({"AttrNames": {"0": "a", "1": "a"}})).await),
        90033
    );
    assert_eq!(
        code(&names(json!({"AttrNames": {"0": "x".repeat(51)}})).await),
        90033
    );
    let r = names(json!({"AttrNames": {"0": "city", "1": "plan", "2": "spare"}})).await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(code(&names(json!({"AttrNames": {"2": ""}})).await), 0);
    let r = server.rest("timpush/get_attr_name", json!({})).await;
    assert_eq!(r["AttrNames"], json!({"0": "city", "1": "plan"}), "{r}");

    let set = |body: Value| server.rest("all_member_push/im_set_attr", body);
    let r = set(json!({"UserAttrs": [
        {"To_Account": "m-1", "Attrs": {"city": "SZ", "plan": "gold"}},
        {"To_Account": "m-2", "Attrs": {"city": "NY"}},
        {"To_Account": "ghost", "Attrs": {"city": "NY"}},
    ]}))
    .await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(
        r["ErrorList"],
        json!([{"To_Account": "ghost", "ErrorCode": 70107}])
    );
    // One bad change refuses them all: m-1 keeps its city.
    let bad = set(json!({"UserAttrs": [
        {"To_Account": "m-1", "Attrs": {"city": "LA"}},
        {"To_Account": "m-2", "Attrs": {"age": "30"}},
    ]}))
    .await;
    assert_eq!(code(&bad), 90033, "{bad}");
    let r = server
        .rest(
            "all_member_push/im_remove_attr",
            json!({"UserAttrs": [{"To_Account": "m-2", "Attrs": ["city"]}]}),
        )
        .await;
    assert_eq!(code(&r), 0, "{r}");
    let r = server
        .rest(
            "all_member_push/im_get_attr",
            json!({"To_Account": ["m-1", "m-2", "bad id!"]}),
        )
        .await;
    assert_eq!(
        r["UserAttrs"],
        json!([{"To_Account": "m-1", "Attrs": {"city": "SZ", "plan": "gold"}},
               {"To_Account": "m-2", "Attrs": {}}]),
        "{r}"
    );
    assert_eq!(r["ErrorList"][0]["ErrorCode"], 60006, "{r}");
    // A freed name hides its values, and they come back with it.
    let get = || server.rest("timpush/get_attr", json!({"To_Account": ["m-1"]}));
    assert_eq!(code(&names(json!({"AttrNames": {"1": ""}})).await), 0);
    assert_eq!(get().await["UserAttrs"][0]["Attrs"], json!({"city": "SZ"}));
    assert_eq!(code(&names(json!({"AttrNames": {"1": "plan"}})).await), 0);
    assert_eq!(
        get().await["UserAttrs"][0]["Attrs"],
        json!({"city": "SZ", "plan": "gold"})
    );

    let tags = |command: &'static str, body: Value| server.rest(command, body);
    let r = tags(
        "all_member_push/im_add_tag",
        json!({"UserTags": [{"To_Account": "m-3", "Tags": ["beta", "android"]},
                            {"To_Account": "m-4", "Tags": ["beta", "ios", "beta"]}]}),
    )
    .await;
    assert_eq!(code(&r), 0, "{r}");
    let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
    let too_many = json!({"UserTags": [{"To_Account": "m-3", "Tags": eleven}]});
    assert_eq!(code(&tags("timpush/add_tag", too_many).await), 60006);
    let long = json!({"UserTags": [{"To_Account": "m-3", "Tags": ["x".repeat(51)]}]});
    assert_eq!(code(&tags("timpush/add_tag", long).await), 90033);
    let r = tags(
        "all_member_push/im_remove_tag",
        json!({"UserTags": [{"To_Account": "m-3", "Tags": ["android"]}]}),
    )
    .await;
    assert_eq!(code(&r), 0, "{r}");
    let r = tags("timpush/get_tag", json!({"To_Account": ["m-3", "m-4"]})).await;
    assert_eq!(
        r["UserTags"],
        json!([{"To_Account": "m-3", "Tags": ["beta"]},
               {"To_Account": "m-4", "Tags": ["beta", "ios"]}]),
        "{r}"
    );
    let hundred_and_one: Vec<String> = (0..101).map(|i| format!("m-{i}")).collect();
    let r = tags(
        "all_member_push/im_remove_all_tags",
        json!({"To_Account": hundred_and_one}),
    )
    .await;
    assert_eq!(code(&r), 90018);

    // Conditions: checked, then only the accounts they pick get the message.
    let push = |body: Value| server.rest("timpush/push", body);
    let when = |condition: Value, text: &str| json!({"MsgRandom": 9, "MsgBody": text_body(text), "Condition": condition});
    let both = when(json!({"TagsOr": ["beta"], "AttrsAnd": {"city": "SZ"}}), "x");
    assert_eq!(code(&push(both).await), 60006);
    let unnamed = when(json!({"AttrsOr": {"age": "30"}}), "x");
    assert_eq!(code(&push(unnamed).await), 90033);
    let r = push(when(json!({"TagsAnd": ["beta", "ios"]}), "ios beta")).await;
    assert_eq!(code(&r), 0, "{r}");
    assert_eq!(
        push_ended(|b| server.rest("duet/push_task", b), &r["TaskId"]).await["Sent"],
        1
    );
    server.clock.advance_ms(1_000);
    let r = push(when(
        json!({"AttrsAnd": {"city": "SZ"}, "AttrsOr": {"plan": "gold"}}),
        "gold in SZ",
    ))
    .await;
    assert_eq!(
        push_ended(|b| server.rest("duet/push_task", b), &r["TaskId"]).await["Sent"],
        1
    );
    let server = &server;
    let heard = |user: &'static str| async move {
        let mut device = server.login(user, "web").await;
        let got = device.history("administrator", 10).await;
        got.iter()
            .map(|m| text_of(m).to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(heard("m-1").await, ["gold in SZ"]);
    assert!(heard("m-2").await.is_empty());
    assert!(heard("m-3").await.is_empty());
    assert_eq!(heard("m-4").await, ["ios beta"]);

    // They leave with the account.
    server
        .rest(
            "im_open_login_svc/account_delete",
            json!({"DeleteItem": [{"UserID": "m-4"}]}),
        )
        .await;
    server
        .rest("im_open_login_svc/account_import", json!({"UserID": "m-4"}))
        .await;
    let r = tags("all_member_push/im_get_tag", json!({"To_Account": ["m-4"]})).await;
    assert_eq!(
        r["UserTags"],
        json!([{"To_Account": "m-4", "Tags": []}]),
        "{r}"
    );
}

#[tokio::test]
async fn a_push_to_every_account_reaches_each_once_and_is_bounded() {
    let server = TestServer::start().await;
    let mut online = server.login("p-online", "web").await;
    drop(server.login("p-blocker", "web").await);
    for u in ["p-offline1", "p-offline2", "sender"] {
        server
            .rest("im_open_login_svc/account_import", json!({"UserID": u}))
            .await;
    }
    server
        .rest(
            "sns/black_list_add",
            json!({"From_Account": "p-blocker", "To_Account": ["sender"]}),
        )
        .await;
    let push = |body: Value| server.rest("timpush/push", body);
    // Refused, and nothing sent: no body, a sender or flag that is not.
    assert_eq!(code(&push(json!({"MsgRandom": 1})).await), 90002);
    let ghost = json!({"From_Account": "ghost", "MsgRandom": 1, "MsgBody": text_body("x")});
    assert_eq!(code(&push(ghost).await), 20003);
    let flag = json!({"MsgRandom": 1, "MsgBody": text_body("x"), "OnlineOnlyFlag": 2});
    assert_eq!(code(&push(flag).await), 60006);

    let all = json!({"From_Account": "sender", "MsgRandom": 77, "MsgBody": text_body("to all"),
        "OfflinePushInfo": {"PushFlag": 0, "Title": "News", "Desc": "to all"}});
    let r = push(all.clone()).await;
    assert_eq!(code(&r), 0, "{r}");
    let live = online.push_message().await;
    assert_eq!((live.from.as_str(), text_of(&live)), ("sender", "to all"));
    let report = push_ended(|b| server.rest("duet/push_task", b), &r["TaskId"]).await;
    // Every account but the sender: the administrator, four users, one of whom blocks it.
    assert_eq!(
        (
            report["Status"].as_str(),
            report["Sent"].as_u64(),
            report["Failed"].as_u64()
        ),
        (Some("done"), Some(4), Some(1)),
        "{report}"
    );
    assert!(report["EndTime"].as_u64() >= report["StartTime"].as_u64());
    assert_eq!(
        code(&push(all.clone()).await),
        60004,
        "a second apart at least"
    );
    // The same push again (a retry): each recipient still has it once.
    server.clock.advance_ms(1_000);
    let again = push(all).await;
    assert_eq!(
        push_ended(|b| server.rest("duet/push_task", b), &again["TaskId"]).await["Sent"],
        4
    );
    let mut offline = server.login("p-offline1", "web").await;
    let got = offline.history("sender", 10).await;
    assert_eq!(got.iter().map(text_of).collect::<Vec<_>>(), ["to all"]);
    let (entries, _, _) = server
        .login("sender", "web")
        .await
        .sync_all(Seq(0), 100)
        .await;
    assert!(
        messages(&entries).is_empty(),
        "the sender's devices get no copies"
    );
    let (entries, _, _) = server
        .login("p-blocker", "web2")
        .await
        .sync_all(Seq(0), 100)
        .await;
    assert!(
        messages(&entries).is_empty(),
        "nor does a user who blocked the sender"
    );

    // Tencent's older command keeps nothing unless MsgLifeTime says so.
    server.clock.advance_ms(1_000);
    let r = server
        .rest(
            "all_member_push/im_push",
            json!({"MsgRandom": 78, "MsgBody": text_body("live only")}),
        )
        .await;
    assert_eq!(
        push_ended(|b| server.rest("duet/push_task", b), &r["TaskId"]).await["Status"],
        "done"
    );
    let live = online.push_message().await;
    assert_eq!(
        (live.from.as_str(), text_of(&live)),
        ("administrator", "live only")
    );
    assert!(
        offline.history("administrator", 10).await.is_empty(),
        "not stored"
    );
    let unknown = server
        .rest("duet/push_task", json!({"TaskId": "nope"}))
        .await;
    assert_eq!(code(&unknown), 60006);
}
