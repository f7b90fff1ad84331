//! Every kind of bad input gets its error code, and the connection keeps working after it.

mod common;

use common::*;
use protocol::element::{LocationElem, SystemElem};
use protocol::frame::{Reply, Request, ServerFrame};
use protocol::{DeviceId, Element, ErrorCode, Seq};
use server::clock::Clock;
use usersig::UserSigKey;

async fn error_of(c: &mut Client, raw: &str) -> (Option<u64>, ErrorCode) {
    c.send_raw(raw).await;
    match c.answer().await {
        ServerFrame::Error { id, code, .. } => (id, code),
        other => panic!("expected an error for {raw}, got {other:?}"),
    }
}

async fn still_works(c: &mut Client) {
    assert!(matches!(c.ok(Request::Ping).await, Reply::Pong { .. }));
}

#[tokio::test]
async fn malformed_frames_get_codes_and_the_connection_survives() {
    let server = TestServer::start().await;
    let mut c = server.login("alice", "web").await;
    assert_eq!(
        error_of(&mut c, "not json").await,
        (None, ErrorCode::BAD_JSON)
    );
    assert_eq!(error_of(&mut c, "[1,2]").await, (None, ErrorCode::BAD_JSON));
    assert_eq!(
        error_of(&mut c, r#"{"id":5}"#).await,
        (Some(5), ErrorCode::BAD_JSON)
    );
    assert_eq!(
        error_of(&mut c, r#"{"id":6,"type":"teleport"}"#).await,
        (Some(6), ErrorCode::UNKNOWN_REQUEST)
    );
    assert_eq!(
        error_of(&mut c, r#"{"id":7,"type":"send","to":"bob"}"#).await,
        (Some(7), ErrorCode::BAD_JSON)
    );
    assert_eq!(
        error_of(
            &mut c,
            r#"{"id":8,"type":"send","to":"b o b","random":1,"elements":[]}"#
        )
        .await,
        (Some(8), ErrorCode::BAD_JSON)
    );
    // Well-formed JSON, but a body with an element kind the server does not know (as the REST
    // API answers).
    assert_eq!(
        error_of(&mut c, r#"{"id":9,"type":"send","to":"bob","random":1,"elements":[{"MsgType":"TIMNopeElem","MsgContent":{}}]}"#).await,
        (Some(9), ErrorCode::BAD_MSG_BODY)
    );
    assert_eq!(
        error_of(&mut c, r#"{"type":"ping"}"#).await,
        (None, ErrorCode::BAD_JSON)
    );
    c.send_raw_binary(vec![1, 2, 3]).await;
    assert!(matches!(
        c.answer().await,
        ServerFrame::Error {
            code: ErrorCode::BAD_JSON,
            ..
        }
    ));
    still_works(&mut c).await;
}

#[tokio::test]
async fn oversized_frame_is_refused_but_not_fatal() {
    let server = TestServer::start().await;
    let mut c = server.login("alice", "web").await;
    let big = format!(
        r#"{{"id":11,"type":"ping","pad":"{}"}}"#,
        "x".repeat(70 * 1024)
    );
    assert_eq!(
        error_of(&mut c, &big).await,
        (Some(11), ErrorCode::FRAME_TOO_LARGE)
    );
    still_works(&mut c).await;
}

#[tokio::test]
async fn requests_before_login_are_refused() {
    let server = TestServer::start().await;
    let mut c = server.connect().await;
    let code = c
        .err(Request::Sync {
            after: Seq(0),
            limit: 10,
        })
        .await;
    assert_eq!(code, ErrorCode::NOT_LOGGED_IN);
    still_works(&mut c).await; // ping needs no login
}

#[tokio::test]
async fn each_usersig_fault_has_its_code() {
    let server = TestServer::start().await;
    let now = server.clock.now_s();
    let ours = identity().signer();
    let cases = [
        (
            ours.sign("alice", 60, now - 120),
            ErrorCode::USERSIG_EXPIRED,
        ),
        ("garbage".to_owned(), ErrorCode::USERSIG_MALFORMED),
        (
            UserSigKey::new(SDK_APP_ID, "wrong key").sign("alice", 60, now),
            ErrorCode::USERSIG_BAD_SIGNATURE,
        ),
        (
            ours.sign("mallory", 60, now),
            ErrorCode::USERSIG_WRONG_IDENTIFIER,
        ),
        (
            UserSigKey::new(SDK_APP_ID + 1, SECRET).sign("alice", 60, now),
            ErrorCode::USERSIG_WRONG_APP,
        ),
    ];
    let mut c = server.connect().await;
    for (sig, expected) in cases {
        match c.login("alice", &sig, "web").await {
            ServerFrame::Error { code, .. } => assert_eq!(code, expected, "for {sig}"),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
    // The login frame's own SDKAppID must be this server's too.
    let wrong_app = c
        .err(Request::Login {
            protocol: protocol::PROTOCOL_VERSION,
            sdk_app_id: 1,
            user_id: uid("alice"),
            user_sig: server.sig("alice"),
            device: DeviceId::parse("web").unwrap(),
        })
        .await;
    assert_eq!(wrong_app, ErrorCode::USERSIG_WRONG_APP);
    let old_protocol = c
        .err(Request::Login {
            protocol: 0,
            sdk_app_id: SDK_APP_ID,
            user_id: uid("alice"),
            user_sig: server.sig("alice"),
            device: DeviceId::parse("web").unwrap(),
        })
        .await;
    assert_eq!(old_protocol, ErrorCode::UNSUPPORTED_VERSION);
    // After all that, a good login still works on the same connection, once.
    assert!(matches!(
        c.login("alice", &server.sig("alice"), "web").await,
        ServerFrame::Reply { .. }
    ));
    assert!(matches!(
        c.login("alice", &server.sig("alice"), "web").await,
        ServerFrame::Error {
            code: ErrorCode::ALREADY_LOGGED_IN,
            ..
        }
    ));
}

#[tokio::test]
async fn bad_sends_are_refused_and_nothing_is_stored() {
    let server = TestServer::start().await;
    server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let send = |to: &str, elements: Vec<Element>| Request::Send {
        to: uid(to),
        random: 1,
        elements,
        cloud_custom_data: None,
        online_only: false,
        offline_push_info: None,
        need_read_receipt: false,
        client_time_s: 0,
    };
    assert_eq!(
        alice.err(send("nobody", text("hi"))).await,
        ErrorCode::ACCOUNT_NOT_FOUND
    );
    assert_eq!(
        alice
            .err(send("bob", text(&"a".repeat(12 * 1024 + 1))))
            .await,
        ErrorCode::BODY_TOO_LARGE
    );
    let far = Element::Location(LocationElem {
        desc: "nowhere".into(),
        latitude: 91.0,
        longitude: 0.0,
    });
    assert_eq!(
        alice.err(send("bob", vec![far])).await,
        ErrorCode::BAD_MSG_BODY
    );
    assert_eq!(
        alice.err(send("bob", vec![])).await,
        ErrorCode::BAD_MSG_BODY
    );
    assert_eq!(
        alice.err(send("alice", text("me"))).await,
        ErrorCode::INVALID_ARGUMENT
    );
    let notice = Element::System(SystemElem {
        text: "maintenance".into(),
        data: String::new(),
    });
    assert_eq!(
        alice.err(send("bob", vec![notice])).await,
        ErrorCode::ADMIN_REQUIRED
    );
    let big_custom = Request::Send {
        to: uid("bob"),
        random: 1,
        elements: text("hi"),
        cloud_custom_data: Some("c".repeat(13 * 1024)),
        online_only: false,
        offline_push_info: None,
        need_read_receipt: false,
        client_time_s: 0,
    };
    assert_eq!(alice.err(big_custom).await, ErrorCode::BODY_TOO_LARGE);
    assert_eq!(
        alice
            .err(Request::Sync {
                after: Seq(0),
                limit: 0
            })
            .await,
        ErrorCode::INVALID_ARGUMENT
    );
    assert_eq!(
        alice
            .err(Request::History {
                peer: uid("bob"),
                before: None,
                limit: 201
            })
            .await,
        ErrorCode::INVALID_ARGUMENT
    );
    // Extreme times and keys read nothing; a page size out of bounds is refused.
    let at = |limit, newer| Request::HistoryAt {
        peer: uid("bob"),
        time_ms: u64::MAX,
        newer,
        from: Some(protocol::MessageKey {
            id: u64::MAX,
            random: 0,
            time_s: 0,
        }),
        limit,
    };
    for newer in [false, true] {
        let page = alice.ok(at(10, newer)).await;
        assert!(
            matches!(&page, Reply::History { messages, complete: true } if messages.is_empty()),
            "{page:?}"
        );
        for limit in [0, 201] {
            assert_eq!(
                alice.err(at(limit, newer)).await,
                ErrorCode::INVALID_ARGUMENT
            );
        }
    }
    // The limit itself is accepted.
    alice.send_text("bob", 2, &"a".repeat(12 * 1024)).await;
    let mut bob = server.login("bob", "web2").await;
    assert_eq!(
        bob.history("alice", 50).await.len(),
        1,
        "only the valid message was stored"
    );
}

#[tokio::test]
async fn a_flood_is_rate_limited_then_served_again() {
    let server = TestServer::start_with(|c| {
        c.ws.rate_per_sec = 20;
        c.ws.rate_burst = 10;
    })
    .await;
    let mut c = server.login("alice", "web").await;
    for i in 0..40 {
        c.send_raw(&format!(r#"{{"id":{},"type":"ping"}}"#, 1000 + i))
            .await;
    }
    let (mut pongs, mut limited) = (0, 0);
    for _ in 0..40 {
        match c.answer().await {
            ServerFrame::Reply {
                data: Reply::Pong { .. },
                ..
            } => pongs += 1,
            ServerFrame::Error {
                code: ErrorCode::RATE_LIMITED,
                id: Some(_),
                ..
            } => limited += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        limited >= 20,
        "most of the flood was refused ({limited} refused, {pongs} served)"
    );
    // The burst of 10 less the login frame, plus what refilled while the flood was read.
    assert!((9..=12).contains(&pongs), "the burst was served ({pongs})");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    still_works(&mut c).await;
}
