//! What the `duet-server` binary logs: with `DUET_LOG_FORMAT=json`, one JSON object a line; each
//! line a WebSocket connection or a REST call writes names it; and never a UserSig or the
//! secret key, even at debug level.

mod common;

use common::*;
use protocol::frame::ServerFrame;

#[tokio::test]
async fn json_logs_name_their_connection_and_hold_no_usersig_or_key() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("DUET_LOG_FORMAT", "json"), ("RUST_LOG", "debug")];
    let server = BinaryServer::spawn(dir.path(), &[], &env).unwrap();
    let (alice_sig, admin_sig) = (sign("alice"), sign("administrator"));
    let mut alice = Client::signed_in(server.addr, "alice", &alice_sig, "web").await;
    // A refused sign-in (alice's UserSig offered for bob), and a refused send.
    let mut mallory = Client::connect(server.addr).await;
    let refused = mallory.login("bob", &alice_sig, "web").await;
    assert!(matches!(refused, ServerFrame::Error { .. }), "{refused:?}");
    alice.send_text_err("nobody-here", 1, "hello?").await;
    // REST calls carry the UserSig in the URL: good, and tampered.
    for sig in [admin_sig.clone(), format!("{admin_sig}x")] {
        let url = format!(
            "http://{}/v4/openim/querystate?sdkappid={SDK_APP_ID}&identifier=administrator&usersig={sig}&random=1&contenttype=json",
            server.addr
        );
        let body = r#"{"To_Account":["alice"]}"#;
        let answer = reqwest::Client::new()
            .post(url)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    drop(alice);
    drop(mallory);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let output = server.output.lock().unwrap().clone();
    let lines: Vec<serde_json::Value> = output
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() > 5, "debug level logs something: {output}");
    let named = |span: &str, field: &str| {
        lines
            .iter()
            .any(|l| l["span"]["name"] == span && l["span"][field].is_u64())
    };
    assert!(
        named("ws", "conn"),
        "a connection's lines name it: {output}"
    );
    assert!(
        named("rest", "request"),
        "a REST call's lines name it: {output}"
    );
    for secret in [alice_sig.as_str(), admin_sig.as_str(), SECRET] {
        assert!(!output.contains(secret), "a secret is in the log: {output}");
    }
}
