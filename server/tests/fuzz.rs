//! Property tests in the manner of a fuzzer: generated WebSocket frames and REST bodies sent to a
//! real server, generated UserSigs given to the parser, generated message bodies given to
//! validation. Whatever arrives is answered with a code, never a panic, a hang or a dropped
//! connection, and the server keeps serving.
//!
//! `npm test` runs 256 cases per property; `npm run fuzz` runs many more
//! (`PROPTEST_CASES`).

mod common;

use common::*;
use proptest::prelude::*;
use protocol::frame::{REQUEST_TYPES, Reply, Request, ServerFrame};
use protocol::limits::Limits;
use protocol::{Element, ErrorCode};
use serde_json::{Map, Value, json};
use std::sync::{LazyLock, Mutex};

/// One runtime and one server for every case, as a long-running fuzzer would have.
struct Target {
    runtime: tokio::runtime::Runtime,
    server: TestServer,
    client: Mutex<Option<Client>>,
}

static TARGET: LazyLock<Target> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(TestServer::start_with(|c| {
        c.ws.rate_per_sec = 1_000_000;
        c.ws.rate_burst = 1_000_000;
        c.rest.rate_per_sec = 1_000_000;
        c.rest.rate_burst = 1_000_000;
        c.ws.frame_max_bytes = 16 * 1024;
    }));
    Target {
        runtime,
        server,
        client: Mutex::new(None),
    }
});

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,24}".prop_map(Value::from),
        "[a-z]{1,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[A-Za-z_]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Field names the protocol and Tencent's bodies use, so that generated objects reach deep
/// into parsing rather than failing at the first unknown key.
const FIELDS: &[&str] = &[
    "id",
    "to",
    "random",
    "elements",
    "cloud_custom_data",
    "peer",
    "key",
    "after",
    "limit",
    "before",
    "users",
    "relation",
    "nick",
    "avatar",
    "protocol",
    "sdk_app_id",
    "user_id",
    "user_sig",
    "device",
    "From_Account",
    "To_Account",
    "MsgRandom",
    "MsgBody",
    "MsgType",
    "MsgContent",
    "Text",
    "SyncOtherMachine",
    "AddFriendItem",
    "DeleteItem",
    "UserID",
    "ProfileItem",
    "Tag",
    "Value",
    "TagList",
    "MaxCnt",
    "MinTime",
    "MaxTime",
    "MsgKey",
    "CheckItem",
    "Accounts",
    "BlackListItem",
    "FriendsOnly",
    "StartIndex",
    "keys",
    "need_read_receipt",
    "Operator_Account",
    "Peer_Account",
    "C2CMsgInfo",
];

fn object_with_known_fields() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((prop::sample::select(FIELDS), json_value()), 0..8)
        .prop_map(|pairs| pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A frame: mostly objects with a request type and known fields, some anything at all.
fn frame() -> impl Strategy<Value = String> {
    let shaped = (
        prop_oneof![
            prop::sample::select(REQUEST_TYPES).prop_map(str::to_owned),
            ".{0,12}"
        ],
        prop_oneof![any::<u32>().prop_map(Value::from), json_value()],
        object_with_known_fields(),
    )
        .prop_map(|(kind, id, mut fields)| {
            // Signing in is where the fuzzer's client already is; keep it there.
            let kind = if kind == "login" || kind == "logout" {
                "ping".to_owned()
            } else {
                kind
            };
            fields.insert("type".into(), Value::from(kind));
            fields.insert("id".into(), id);
            Value::Object(fields).to_string()
        });
    prop_oneof![4 => shaped, 1 => json_value().prop_map(|v| v.to_string()), 1 => ".{0,64}"]
}

/// An element: a known or unknown `MsgType` over content with the fields Tencent uses.
fn element() -> impl Strategy<Value = Value> {
    let types = prop_oneof![
        prop::sample::select(&protocol::element::TYPE_NAMES[..]).prop_map(str::to_owned),
        ".{0,12}"
    ];
    const CONTENT: &[&str] = &[
        "Text",
        "Index",
        "Data",
        "Desc",
        "Ext",
        "Sound",
        "Latitude",
        "Longitude",
        "UUID",
        "ImageFormat",
        "ImageInfoArray",
        "Type",
        "Size",
        "Width",
        "Height",
        "URL",
        "Url",
        "FileSize",
        "FileName",
        "Second",
        "Download_Flag",
        "VideoUrl",
        "VideoSize",
        "VideoSecond",
        "VideoFormat",
        "ThumbUrl",
        "ThumbSize",
        "ThumbWidth",
        "ThumbHeight",
        "ThumbFormat",
    ];
    let content = prop::collection::vec((prop::sample::select(CONTENT), json_value()), 0..10)
        .prop_map(|pairs| {
            Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        });
    (types, content).prop_map(|(t, c)| json!({ "MsgType": t, "MsgContent": c }))
}

/// Sends one raw frame on the fuzzer's signed-in connection and reads until the server has
/// answered it and a ping after it: so the frame was handled and the connection still serves.
async fn exchange(client: &mut Option<Client>, text: &str) {
    let target = &*TARGET;
    if client.is_none() {
        *client = Some(target.server.login("fuzzer", "fuzz").await);
    }
    let c = client.as_mut().unwrap();
    c.send_raw(text).await;
    match c.try_request(Request::Ping).await {
        Some(ServerFrame::Reply {
            data: Reply::Pong { .. },
            ..
        }) => {}
        other => panic!("after {text:?} the connection no longer answers: {other:?}"),
    }
}

const REST_COMMANDS: &[&str] = &[
    "im_open_login_svc/account_import",
    "im_open_login_svc/multiaccount_import",
    "im_open_login_svc/account_check",
    "openim/sendmsg",
    "openim/batchsendmsg",
    "openim/admin_getroammsg",
    "openim/admin_msgwithdraw",
    "openim/admin_set_msg_read",
    "openim/c2c_msg_read_receipt",
    "sns/friend_add",
    "sns/friend_delete",
    "sns/friend_get",
    "sns/friend_check",
    "sns/black_list_add",
    "sns/black_list_delete",
    "sns/black_list_get",
    "sns/black_list_check",
    "profile/portrait_set",
    "profile/portrait_get",
    "duet/get_app_config",
    "recentcontact/get_list",
    "recentcontact/mark_contact",
    "recentcontact/search_contact_group",
];

proptest! {
    // Failing cases are printed, not written into the source tree.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_frame_is_answered_and_the_connection_keeps_serving(text in frame()) {
        let target = &*TARGET;
        let mut client = target.client.lock().unwrap_or_else(|e| e.into_inner());
        target.runtime.block_on(exchange(&mut client, &text));
    }

    #[test]
    fn every_rest_body_gets_a_code(
        command in prop::sample::select(REST_COMMANDS),
        body in prop_oneof![
            4 => object_with_known_fields().prop_map(|m| Value::Object(m).to_string()),
            1 => ".{0,64}",
        ],
    ) {
        let target = &*TARGET;
        let sig = target.server.sig("administrator");
        let reply = target.runtime.block_on(target.server.rest_raw(
            command,
            &format!("identifier=administrator&usersig={sig}"),
            body,
        ));
        prop_assert!(reply["ActionStatus"] == "OK" || reply["ActionStatus"] == "FAIL", "{}", reply);
        prop_assert!(reply["ErrorCode"].is_u64(), "{}", reply);
    }

    #[test]
    fn the_usersig_parser_refuses_garbage_and_tampering_without_panicking(
        garbage in ".{0,600}",
        flip in any::<prop::sample::Index>(),
        with in any::<u8>(),
    ) {
        let signer = identity().signer();
        prop_assert!(signer.verify(&garbage, "alice", 1_800_000_000).is_err());
        let original = signer.sign("alice", 3600, 1_800_000_000);
        let mut sig = original.clone().into_bytes();
        let at = flip.index(sig.len());
        sig[at] = with;
        let tampered = String::from_utf8_lossy(&sig);
        // A changed UserSig is refused, unless the change is lost in decoding (padding, unused
        // bits) and it carries the very same ticket and signature.
        if signer.verify(&tampered, "alice", 1_800_000_000).is_ok() {
            prop_assert_eq!(usersig::decode(&tampered).unwrap(), usersig::decode(&original).unwrap());
        }
    }

    #[test]
    fn validation_decides_every_body_and_what_it_accepts_round_trips(
        body in prop::collection::vec(element(), 0..20),
    ) {
        let Ok(elements) = serde_json::from_value::<Vec<Element>>(Value::Array(body)) else {
            return Ok(());
        };
        if Limits::default().check_body(&elements).is_ok() {
            let again: Vec<Element> =
                serde_json::from_str(&serde_json::to_string(&elements).unwrap()).unwrap();
            prop_assert_eq!(again, elements);
        }
    }
}

#[test]
fn the_server_still_sends_and_delivers_after_the_fuzzing() {
    let target = &*TARGET;
    target.runtime.block_on(async {
        let mut bob = target.server.login("fuzz-bob", "web").await;
        let mut alice = target.server.login("fuzz-alice", "web").await;
        let (sent, _, _) = alice.send_text("fuzz-bob", 1, "still here").await;
        assert_eq!(bob.push_message().await.key, sent.key);
        assert_eq!(
            alice
                .err(Request::Sync {
                    after: protocol::Seq(0),
                    limit: 0
                })
                .await,
            ErrorCode::INVALID_ARGUMENT
        );
    });
}
