//! Webhooks to the app's backend, against a backend written from Tencent's callback docs: it
//! checks each request's app, command and signature, and answers sends by their text.

mod common;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::Json;
use common::*;
use protocol::frame::Request;
use protocol::frame::{Reply, ServerFrame};
use protocol::{ErrorCode, Relation};
use serde_json::{Value, json};
use server::webhooks::{Hook, WebhookConfig};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

const TOKEN: &str = "webhook-token";

/// One request the backend took: its query and body.
#[derive(Debug)]
struct Call {
    query: HashMap<String, String>,
    body: Value,
}

/// The backend: checks the request as Tencent's docs tell a backend to, records it, answers a
/// before-send by the message's text and a friend request or answer by its users.
async fn backend(
    State(calls): State<mpsc::UnboundedSender<Call>>,
    Query(query): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let time = &query["RequestTime"];
    let sign = Sha256::digest(format!("{TOKEN}{time}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    assert_eq!(query["Sign"], sign, "signature");
    assert_eq!(query["SdkAppid"], SDK_APP_ID.to_string());
    assert_eq!(query["contenttype"], "json");
    assert_eq!(query["CallbackCommand"], body["CallbackCommand"]);
    let text = body["MsgBody"][0]["MsgContent"]["Text"]
        .as_str()
        .unwrap_or("");
    let answer = match (query["CallbackCommand"].as_str(), text) {
        ("Sns.CallbackPrevFriendAdd" | "Sns.CallbackPrevFriendResponse", _) => friend_answer(&body),
        ("C2C.CallbackBeforeSendMsg", "refuse me") => json!({"ErrorCode": 1}),
        ("C2C.CallbackBeforeSendMsg", "drop me") => json!({"ErrorCode": 2}),
        ("C2C.CallbackBeforeSendMsg", "spam") => {
            json!({"ErrorCode": 120_001, "ErrorInfo": "no spam here"})
        }
        ("C2C.CallbackBeforeSendMsg", "darn it") => json!({
            "ErrorCode": 0,
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "d**n it"}}],
            "CloudCustomData": "screened",
        }),
        ("C2C.CallbackBeforeSendMsg", "slow") => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json!({"ErrorCode": 1})
        }
        _ => json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}),
    };
    calls.send(Call { query, body }).unwrap();
    Json(answer)
}

/// The backend's answer to a friend request or answer: a request with the wording "spam" is
/// refused with its own code and words, one to "vip" with a code outside Tencent's range for
/// refusals, an acceptance of "mallory" (banned) with its own code; "broken" makes the
/// backend fail, which lets everything through.
fn friend_answer(body: &Value) -> Value {
    if body["From_Account"] == "broken" {
        return json!({"ActionStatus": "FAIL", "ErrorCode": 1, "ErrorInfo": "database down",
            "ResultItem": [{"To_Account": "alice", "ResultCode": 38001}]});
    }
    let items = body["FriendItem"]
        .as_array()
        .or(body["ResponseFriendItem"].as_array())
        .unwrap();
    let result_item: Vec<Value> = items
        .iter()
        .map(|item| {
            let accepting = item["ResponseAction"]
                .as_str()
                .is_some_and(|a| a.starts_with("Response_Action_Agree"));
            let (code, info) = match () {
                _ if item["AddWording"] == "spam" => (38001, "no spam here"),
                _ if item["To_Account"] == "vip" => (1, ""),
                _ if item["To_Account"] == "mallory" && accepting => (38002, "mallory is banned"),
                _ => (0, ""),
            };
            json!({"To_Account": item["To_Account"], "ResultCode": code, "ResultInfo": info})
        })
        .collect();
    json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "", "ResultItem": result_item})
}

/// A server whose webhooks go to a fresh backend, and what that backend takes.
async fn start(hooks: Vec<Hook>) -> (TestServer, mpsc::UnboundedReceiver<Call>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new().fallback(backend).with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/im/callback?app=duet",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let server = TestServer::start_with(|c| {
        c.webhooks = WebhookConfig {
            webhook_url: Some(url.parse().unwrap()),
            webhook_token: Some(TOKEN.into()),
            webhooks: hooks,
            webhook_timeout_ms: 300,
        }
    })
    .await;
    (server, rx)
}

/// The next call the backend took for `command`, skipping others.
async fn next(calls: &mut mpsc::UnboundedReceiver<Call>, command: &str) -> Call {
    loop {
        let call = tokio::time::timeout(WAIT, calls.recv())
            .await
            .expect("a webhook in time")
            .expect("the backend runs");
        if call.query["CallbackCommand"] == command {
            return call;
        }
    }
}

const BEFORE: &str = "C2C.CallbackBeforeSendMsg";
const AFTER: &str = "C2C.CallbackAfterSendMsg";

#[tokio::test]
async fn the_backend_lets_through_refuses_drops_or_changes_each_send() {
    let (server, mut calls) = start(vec![Hook::BeforeSendMsg, Hook::AfterSendMsg]).await;
    let mut alice = server.login("alice", "laptop").await;
    let mut bob = server.login("bob", "phone").await;

    // Let through: asked before with the message, told after with its key.
    let (sent, _, _) = alice.send_text("bob", 1, "hello").await;
    let before = next(&mut calls, BEFORE).await;
    assert_eq!(before.query["OptPlatform"], "Web");
    assert_eq!(before.query["app"], "duet", "the URL's own query is kept");
    assert_eq!(before.body["From_Account"], "alice");
    assert_eq!(before.body["To_Account"], "bob");
    assert_eq!(before.body["MsgRandom"], 1);
    assert_eq!(before.body["MsgBody"][0]["MsgType"], "TIMTextElem");
    let after = next(&mut calls, AFTER).await;
    assert_eq!(after.body["SendMsgResult"], 0);
    assert_eq!(after.body["ErrorInfo"], "send msg succeed");
    assert_eq!(after.body["MsgKey"], sent.key.to_string());
    assert_eq!(after.body["MsgSeq"], sent.key.id);
    assert_eq!(text_of(&bob.push_message().await), "hello");

    // Refused: the sender hears Tencent's 20006, or the backend's own code and words.
    assert_eq!(
        alice.send_text_err("bob", 2, "refuse me").await,
        ErrorCode::REFUSED_BY_BACKEND
    );
    match alice.request(send_request("bob", 3, "spam")).await {
        ServerFrame::Error { code, message, .. } => {
            assert_eq!(
                (code, message.as_str()),
                (ErrorCode(120_001), "no spam here")
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Dropped: the sender is told it was sent; nobody gets it and no history keeps it.
    let Reply::Sent { key, .. } = alice.ok(send_request("bob", 4, "drop me")).await else {
        panic!()
    };
    assert_eq!(key.id, 0);

    // Changed: the backend's words and custom data are what is stored and delivered.
    alice.send_text("bob", 5, "darn it").await;
    let changed = bob.push_message().await;
    assert_eq!(text_of(&changed), "d**n it");
    assert_eq!(changed.cloud_custom_data.as_deref(), Some("screened"));
    let history = bob.history("alice", 10).await;
    let texts: Vec<&str> = history.iter().map(text_of).collect();
    assert!(
        texts.contains(&"d**n it") && texts.contains(&"hello"),
        "{texts:?}"
    );
    assert!(
        !texts.contains(&"drop me") && !texts.contains(&"refuse me"),
        "{texts:?}"
    );

    // No answer in time: let through, as Tencent's.
    alice.send_text("bob", 6, "slow").await;
    assert_eq!(text_of(&bob.push_message().await), "slow");

    // The backend's own sendmsg is asked about too, as from the REST API.
    let reply = server
        .rest(
            "openim/sendmsg",
            json!({"To_Account": "bob", "MsgRandom": 7, "MsgBody": [
                {"MsgType": "TIMTextElem", "MsgContent": {"Text": "refuse me"}}]}),
        )
        .await;
    assert_eq!(code(&reply), 20006, "{reply}");
    loop {
        let call = next(&mut calls, BEFORE).await;
        if call.body["MsgRandom"] == 7 {
            assert_eq!(call.query["OptPlatform"], "RESTAPI");
            assert_eq!(call.body["From_Account"], "administrator");
            break;
        }
    }
    // Nothing bob was not meant to get reached him.
    assert!(bob.try_frame().await.is_none());
    server.stop().await;
}

#[tokio::test]
async fn the_backends_sendmsg_may_skip_its_webhooks() {
    let (server, mut calls) = start(vec![Hook::BeforeSendMsg, Hook::AfterSendMsg]).await;
    let mut bob = server.login("bob", "phone").await;
    let sendmsg = |random: u32, text: &str, forbid: Value| {
        json!({"To_Account": "bob", "MsgRandom": random, "ForbidCallbackControl": forbid,
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}]})
    };
    // Not asked before, so not refused; told after.
    let body = sendmsg(1, "refuse me", json!(["ForbidBeforeSendMsgCallback"]));
    let reply = server.rest("openim/sendmsg", body).await;
    assert_eq!(code(&reply), 0, "{reply}");
    assert_eq!(text_of(&bob.push_message().await), "refuse me");
    let after = next(&mut calls, AFTER).await;
    assert_eq!(after.body["MsgRandom"], 1);
    // Neither asked nor told; then a send with no such control is both.
    let both = json!(["ForbidBeforeSendMsgCallback", "ForbidAfterSendMsgCallback"]);
    let reply = server
        .rest("openim/sendmsg", sendmsg(2, "refuse me", both))
        .await;
    assert_eq!(code(&reply), 0, "{reply}");
    assert_eq!(text_of(&bob.push_message().await), "refuse me");
    let reply = server
        .rest("openim/sendmsg", sendmsg(3, "hello", json!([])))
        .await;
    assert_eq!(code(&reply), 0, "{reply}");
    // Every call up to message 3's two, whichever order they come in.
    let mut told = Vec::new();
    while told.iter().filter(|(_, random)| *random == 3).count() < 2 {
        let call = tokio::time::timeout(WAIT, calls.recv())
            .await
            .unwrap()
            .unwrap();
        told.push((
            call.query["CallbackCommand"].clone(),
            call.body["MsgRandom"].clone(),
        ));
    }
    told.sort_by_key(|(command, _)| command.clone());
    assert_eq!(
        told,
        [
            (AFTER.to_string(), json!(3)),
            (BEFORE.to_string(), json!(3))
        ],
        "nothing of message 2"
    );
    // A control Tencent does not have is refused, and nothing is sent.
    let reply = server
        .rest(
            "openim/sendmsg",
            sendmsg(4, "hi", json!(["ForbidAllCallbacks"])),
        )
        .await;
    assert_eq!(
        code(&reply),
        u64::from(ErrorCode::INVALID_ARGUMENT.0),
        "{reply}"
    );
    assert_eq!(text_of(&bob.push_message().await), "hello");
    assert!(bob.try_frame().await.is_none());
    server.stop().await;
}

#[tokio::test]
async fn a_refused_send_is_told_after_with_its_code() {
    let (server, mut calls) = start(vec![Hook::AfterSendMsg]).await;
    let mut alice = server.login("alice", "laptop").await;
    let mut bob = server.login("bob", "phone").await;
    bob.ok(Request::RelationAdd {
        relation: Relation::Blacklist,
        users: vec![uid("alice")],
        fields: Default::default(),
    })
    .await;
    assert_eq!(
        alice.send_text_err("bob", 1, "hi").await,
        ErrorCode::BLOCKED
    );
    let after = next(&mut calls, AFTER).await;
    assert_eq!(after.body["SendMsgResult"], ErrorCode::BLOCKED.0);
    assert_eq!(after.body["MsgBody"][0]["MsgContent"]["Text"], "hi");
    assert!(after.body.get("MsgKey").is_none());
    server.stop().await;
}

#[tokio::test]
async fn sign_ins_and_sign_outs_are_told() {
    let (server, mut calls) = start(vec![Hook::StateChange]).await;
    let state = "State.StateChange";
    let mut alice = server.login("alice", "laptop").await;
    let login = next(&mut calls, state).await;
    assert_eq!(
        login.body["Info"],
        json!({"Action": "Login", "To_Account": "alice", "Reason": "Register"})
    );
    assert!(login.body["EventTime"].as_u64().unwrap() > 0);
    alice.ok(Request::Logout).await;
    let logout = next(&mut calls, state).await;
    assert_eq!(logout.body["Info"]["Action"], "Logout");
    assert_eq!(logout.body["Info"]["Reason"], "Unregister");

    let bob = server.login("bob", "phone").await;
    assert_eq!(
        next(&mut calls, state).await.body["Info"]["Action"],
        "Login"
    );
    drop(bob);
    let gone = next(&mut calls, state).await;
    assert_eq!(
        gone.body["Info"],
        json!({"Action": "Disconnect", "To_Account": "bob", "Reason": "LinkClose"})
    );
    server.stop().await;
}

#[tokio::test]
async fn only_the_configured_webhooks_are_sent() {
    let (server, mut calls) = start(vec![Hook::StateChange]).await;
    let mut alice = server.login("alice", "laptop").await;
    let _bob = server.login("bob", "phone").await;
    next(&mut calls, "State.StateChange").await;
    next(&mut calls, "State.StateChange").await;
    // Not asked: a text that the backend would refuse goes out.
    alice.send_text("bob", 1, "refuse me").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(calls.try_recv().is_err(), "no send webhook");
    server.stop().await;
}

#[tokio::test]
async fn recalls_and_reads_are_told() {
    let (server, mut calls) = start(Vec::new()).await;
    let mut alice = server.login("alice", "laptop").await;
    let mut bob = server.login("bob", "phone").await;
    let (sent, _, _) = alice.send_text("bob", 2, "oops").await;
    let after = next(&mut calls, AFTER).await;
    assert_eq!(after.body["ErrorInfo"], "send msg succeed");

    // Bob reads the conversation; asked again with nothing new, nothing more is told.
    bob.ok(Request::MarkRead { peer: uid("alice") }).await;
    bob.ok(Request::MarkRead { peer: uid("alice") }).await;
    let read = next(&mut calls, "C2C.CallbackAfterMsgReport").await;
    assert_eq!(read.query["OptPlatform"], "Web");
    assert_eq!(read.body["Report_Account"], "bob");
    assert_eq!(read.body["Peer_Account"], "alice");
    assert!(read.body["LastReadTime"].as_u64().unwrap() > 0);

    alice
        .ok(Request::Recall {
            peer: uid("bob"),
            key: sent.key,
        })
        .await;
    // Until the recall is told, no second read is.
    let recall = loop {
        let call = tokio::time::timeout(WAIT, calls.recv())
            .await
            .unwrap()
            .unwrap();
        match call.query["CallbackCommand"].as_str() {
            "C2C.CallbackAfterMsgWithDraw" => break call,
            command => assert_ne!(command, "C2C.CallbackAfterMsgReport", "{call:?}"),
        }
    };
    assert_eq!(recall.body["From_Account"], "alice");
    assert_eq!(recall.body["To_Account"], "bob");
    assert_eq!(recall.body["MsgKey"], sent.key.to_string());
    server.stop().await;
}

#[tokio::test]
async fn friends_and_blacklists_made_and_removed_are_told() {
    let (server, mut calls) = start(Vec::new()).await;
    let friend_add = "Sns.CallbackFriendAdd";
    let _alice = server.login("alice", "laptop").await;
    let mut bob = server.login("bob", "phone").await;
    let mut erin = server.login("erin", "phone").await;
    let _dave = server.login("dave", "laptop").await;

    // The backend's forced friendship: both ways, with the administrator and the force flag.
    server
        .rest(
            "sns/friend_add",
            json!({"From_Account": "alice", "AddFriendItem": [{"To_Account": "bob"}], "ForceAddFlags": 1}),
        )
        .await;
    let added = next(&mut calls, friend_add).await;
    assert_eq!(added.query["OptPlatform"], "RESTAPI");
    assert_eq!(
        added.body["PairList"],
        json!([
            {"From_Account": "alice", "To_Account": "bob", "Initiator_Account": "alice"},
            {"From_Account": "bob", "To_Account": "alice", "Initiator_Account": "alice"},
        ])
    );
    assert_eq!(added.body["ClientCmd"], "friend_add");
    assert_eq!(added.body["Admin_Account"], "administrator");
    assert_eq!(added.body["ForceFlag"], 1);

    // An import is not told, as Tencent's is not; an application is not, until accepted.
    server
        .rest(
            "sns/friend_import",
            json!({"From_Account": "dave", "AddFriendItem": [
                {"To_Account": "bob", "AddSource": "AddSource_Type_Old"}]}),
        )
        .await;
    bob.ok(Request::RelationAdd {
        relation: Relation::Friend,
        users: vec![uid("erin")],
        fields: Default::default(),
    })
    .await;
    erin.ok(Request::ApplicationAccept {
        user: uid("bob"),
        both: true,
        fields: Default::default(),
    })
    .await;
    let accepted = next(&mut calls, friend_add).await;
    assert_eq!(accepted.query["OptPlatform"], "Web");
    assert_eq!(
        accepted.body["PairList"],
        json!([
            {"From_Account": "erin", "To_Account": "bob", "Initiator_Account": "bob"},
            {"From_Account": "bob", "To_Account": "erin", "Initiator_Account": "bob"},
        ])
    );
    assert_eq!(accepted.body["ClientCmd"], "friend_response");
    assert_eq!(accepted.body["Admin_Account"], "");
    assert_eq!(accepted.body["ForceFlag"], 0);

    // A blacklist entry, one way, and a friendship removed: their pairs alone.
    bob.ok(Request::RelationAdd {
        relation: Relation::Blacklist,
        users: vec![uid("alice")],
        fields: Default::default(),
    })
    .await;
    let blocked = next(&mut calls, "Sns.CallbackBlackListAdd").await;
    assert_eq!(
        blocked.body,
        json!({
            "CallbackCommand": "Sns.CallbackBlackListAdd",
            "EventTime": blocked.body["EventTime"],
            "PairList": [{"From_Account": "bob", "To_Account": "alice"}],
        })
    );
    bob.ok(Request::RelationRemove {
        relation: Relation::Friend,
        users: vec![uid("alice")],
    })
    .await;
    let removed = next(&mut calls, "Sns.CallbackFriendDelete").await;
    assert_eq!(
        removed.body["PairList"][0],
        json!({"From_Account": "bob", "To_Account": "alice"})
    );
    // The import's friendship was never told.
    while let Ok(call) = calls.try_recv() {
        assert_ne!(call.query["CallbackCommand"], friend_add, "{call:?}");
    }
    server.stop().await;
}

/// The codes of a `relation_results` answer, in order.
fn result_codes(reply: Reply) -> Vec<(String, u32, String)> {
    let Reply::RelationResults { results } = reply else {
        panic!("expected relation results, got {reply:?}")
    };
    (results.into_iter())
        .map(|r| (r.user_id.to_string(), r.code.0, r.message))
        .collect()
}

/// The users on `client`'s list.
async fn listed(client: &mut Client, relation: Relation) -> Vec<String> {
    let Reply::Relations { entries, .. } = client.ok(Request::RelationList { relation }).await
    else {
        panic!("expected a list")
    };
    entries.into_iter().map(|e| e.user_id.to_string()).collect()
}

#[tokio::test]
async fn a_users_friend_requests_and_answers_are_the_backends_to_refuse() {
    let (server, mut calls) = start(vec![Hook::PrevFriendAdd, Hook::PrevFriendResponse]).await;
    let (add, response) = (
        "Sns.CallbackPrevFriendAdd",
        "Sns.CallbackPrevFriendResponse",
    );
    let mut alice = server.login("alice", "laptop").await;
    let mut bob = server.login("bob", "phone").await;
    let mut mallory = server.login("mallory", "phone").await;
    let mut broken = server.login("broken", "phone").await;
    let _dave = server.login("dave", "laptop").await;
    let ask = |users: &[&str], wording: &str| Request::RelationAdd {
        relation: Relation::Friend,
        users: users.iter().map(|u| uid(u)).collect(),
        fields: protocol::RelationFields {
            remark: "pal".into(),
            wording: wording.into(),
            source: "AddSource_Type_Web".into(),
        },
    };

    // Refused with the backend's own code and words: nothing is made of the request.
    let codes = result_codes(bob.ok(ask(&["alice", "carol"], "spam")).await);
    let refused = |user: &str| (user.to_owned(), 38001, "no spam here".to_owned());
    assert_eq!(codes, vec![refused("alice"), refused("carol")]);
    let asked = next(&mut calls, add).await;
    assert_eq!(asked.query["OptPlatform"], "Web");
    assert_eq!(
        asked.body,
        json!({
            "CallbackCommand": add,
            "EventTime": asked.body["EventTime"],
            "Requester_Account": "bob",
            "From_Account": "bob",
            "FriendItem": [
                {"To_Account": "alice", "Remark": "pal", "GroupName": "",
                 "AddSource": "AddSource_Type_Web", "AddWording": "spam"},
                {"To_Account": "carol", "Remark": "pal", "GroupName": "",
                 "AddSource": "AddSource_Type_Web", "AddWording": "spam"},
            ],
            "AddType": "Add_Type_Both",
            "ForceAddFlags": 0,
        })
    );
    assert!(
        listed(&mut alice, Relation::ApplicationReceived)
            .await
            .is_empty()
    );

    // A code outside 38000 - 39000 refuses too, with 38000.
    let codes = result_codes(bob.ok(ask(&["vip"], "hello")).await);
    assert_eq!(
        codes[0].1,
        ErrorCode::FRIEND_REFUSED_BY_BACKEND.0,
        "{codes:?}"
    );
    next(&mut calls, add).await;

    // Let through: the request goes on as the peer's AllowType says (an application).
    let codes = result_codes(bob.ok(ask(&["alice"], "hello")).await);
    assert_eq!(
        codes[0].1,
        ErrorCode::FRIEND_APPLICATION_PENDING.0,
        "{codes:?}"
    );
    next(&mut calls, add).await;
    // The backend failing lets the request through, whatever it says of the users.
    let codes = result_codes(broken.ok(ask(&["alice"], "hello")).await);
    assert_eq!(
        codes[0].1,
        ErrorCode::FRIEND_APPLICATION_PENDING.0,
        "{codes:?}"
    );
    next(&mut calls, add).await;
    // The backend's own requests are not asked about, as with Tencent.
    let reply = server
        .rest(
            "sns/friend_add",
            json!({"From_Account": "dave", "AddFriendItem": [
                {"To_Account": "alice", "AddWording": "spam"}]}),
        )
        .await;
    assert_eq!(reply["ResultItem"][0]["ResultCode"], 30539, "{reply}");

    // An acceptance refused: the application stays.
    let codes = result_codes(mallory.ok(ask(&["alice"], "hello")).await);
    assert_eq!(codes[0].1, ErrorCode::FRIEND_APPLICATION_PENDING.0);
    next(&mut calls, add).await;
    let accept = Request::ApplicationAccept {
        user: uid("mallory"),
        both: true,
        fields: protocol::RelationFields {
            remark: "new pal".into(),
            ..Default::default()
        },
    };
    match alice.request(accept).await {
        ServerFrame::Error { code, message, .. } => {
            assert_eq!((code.0, message.as_str()), (38002, "mallory is banned"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let asked = next(&mut calls, response).await;
    assert_eq!(asked.query["OptPlatform"], "Web");
    assert_eq!(
        asked.body,
        json!({
            "CallbackCommand": response,
            "EventTime": asked.body["EventTime"],
            "Requester_Account": "alice",
            "From_Account": "alice",
            "ResponseFriendItem": [{"To_Account": "mallory", "Remark": "new pal",
                "TagName": "", "ResponseAction": "Response_Action_AgreeAndAdd"}],
        })
    );
    let mut applicants = listed(&mut alice, Relation::ApplicationReceived).await;
    applicants.sort();
    assert_eq!(applicants, ["bob", "broken", "dave", "mallory"]);
    assert!(listed(&mut alice, Relation::Friend).await.is_empty());

    // A refusal let through: asked about the users who applied, and the application goes.
    let refuse = Request::RelationRemove {
        relation: Relation::ApplicationReceived,
        users: vec![uid("bob"), uid("erin")],
    };
    let codes = result_codes(alice.ok(refuse).await);
    assert_eq!(codes[0], ("bob".to_owned(), 0, String::new()));
    let asked = next(&mut calls, response).await;
    assert_eq!(
        asked.body["ResponseFriendItem"],
        json!([{"To_Account": "bob", "Remark": "", "TagName": "",
            "ResponseAction": "Response_Action_Reject"}])
    );
    assert!(
        !listed(&mut alice, Relation::ApplicationReceived)
            .await
            .contains(&"bob".to_owned())
    );
    assert!(listed(&mut bob, Relation::ApplicationSent).await.is_empty());

    // Nothing else was asked: not the backend's own request.
    if let Ok(call) = calls.try_recv() {
        panic!("unexpected webhook {call:?}");
    }
    server.stop().await;
}

#[tokio::test]
async fn profiles_set_by_a_user_or_the_backend_are_told() {
    let (server, mut calls) = start(vec![Hook::PortraitSet]).await;
    let command = "Profile.CallbackPortraitSet";
    let mut alice = server.login("alice", "laptop").await;

    // A user's own: the nickname and the fields it set, with their values.
    alice
        .ok(Request::ProfileSet {
            nick: Some("Ali".into()),
            avatar: None,
            details: protocol::ProfileDetails {
                birthday: Some(19900101),
                allow_type: Some("AllowType_Type_AllowAny".into()),
                ..Default::default()
            },
        })
        .await;
    let told = next(&mut calls, command).await;
    assert_eq!(told.query["OptPlatform"], "Web");
    let mut items = told.body["ProfileItem"].as_array().unwrap().clone();
    items.sort_by_key(|i| i["Tag"].as_str().unwrap().to_owned());
    assert_eq!(
        (&told.body["Operator_Account"], &told.body["From_Account"]),
        (&json!("alice"), &json!("alice"))
    );
    assert_eq!(
        items,
        vec![
            json!({"Tag": "Tag_Profile_IM_AllowType", "Value": "AllowType_Type_AllowAny"}),
            json!({"Tag": "Tag_Profile_IM_BirthDay", "Value": 19900101}),
            json!({"Tag": "Tag_Profile_IM_Nick", "Value": "Ali"}),
        ]
    );

    // The backend's, with the administrator as the operator; a refused one is not told.
    let set = |value: Value| {
        json!({"From_Account": "alice", "ProfileItem": [
            {"Tag": "Tag_Profile_IM_SelfSignature", "Value": value}]})
    };
    let refused = server.rest("profile/portrait_set", set(json!(7))).await;
    assert_ne!(code(&refused), 0, "{refused}");
    let reply = server
        .rest("profile/portrait_set", set(json!("on holiday")))
        .await;
    assert_eq!(code(&reply), 0, "{reply}");
    let told = next(&mut calls, command).await;
    assert_eq!(told.query["OptPlatform"], "RESTAPI");
    assert_eq!(told.body["Operator_Account"], "administrator");
    assert_eq!(told.body["From_Account"], "alice");
    assert_eq!(
        told.body["ProfileItem"],
        json!([{"Tag": "Tag_Profile_IM_SelfSignature", "Value": "on holiday"}])
    );
    assert!(calls.try_recv().is_err(), "told once for each");
    server.stop().await;
}
