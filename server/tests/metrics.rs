//! The Prometheus endpoint of the `duet-server` binary: on its own address only, and what it
//! reports after real traffic counts that traffic.

mod common;

use common::*;
use protocol::{ErrorCode, Seq};

/// The value of the sample `series` (name and labels as exposed), if it is there.
fn sample(exposition: &str, series: &str) -> Option<f64> {
    exposition.lines().find_map(|line| {
        let value = line.strip_prefix(series)?.strip_prefix(' ')?;
        value.trim().parse().ok()
    })
}

async fn scrape(url: &str) -> String {
    let answer = reqwest::get(url).await.unwrap();
    assert_eq!(answer.status(), 200);
    let content_type = answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    answer.text().await.unwrap()
}

async fn rest(server: &BinaryServer, command: &str, body: &str) -> serde_json::Value {
    let url = format!(
        "http://{}/v4/{command}?sdkappid={SDK_APP_ID}&identifier=administrator&usersig={}&random=1&contenttype=json",
        server.addr,
        sign("administrator")
    );
    let answer = reqwest::Client::new()
        .post(url)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    answer.json().await.unwrap()
}

#[tokio::test]
async fn metrics_count_sends_pushes_syncs_rest_calls_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("DUET_METRICS_LISTEN", "127.0.0.1:0")];
    let server = BinaryServer::spawn(dir.path(), &[], &env).unwrap();
    let printed = server.output.lock().unwrap().clone();
    let metrics_addr = printed
        .lines()
        .find_map(|l| l.strip_prefix("Metrics on http://"))
        .and_then(|rest| rest.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("the metrics address is printed: {printed}"))
        .to_owned();
    let url = format!("http://{metrics_addr}/metrics");

    let mut alice = server.login("alice", "web").await;
    let mut bob = server.login("bob", "web").await;
    for random in 1..=3 {
        alice.send_text("bob", random, "hello").await;
        bob.push_message().await;
    }
    // Bob blocks alice: her next send is refused with 20007.
    let blocked = rest(
        &server,
        "sns/black_list_add",
        r#"{"From_Account":"bob","To_Account":["alice"]}"#,
    )
    .await;
    assert_eq!(code(&blocked), 0, "{blocked}");
    assert_eq!(
        alice.send_text_err("bob", 9, "let me in").await,
        ErrorCode::BLOCKED
    );
    let (entries, _, _) = bob.sync_all(Seq(0), 100).await;
    assert!(entries.len() >= 3);
    let unknown = rest(&server, "openim/no_such_command", "{}").await;
    assert_eq!(code(&unknown), u64::from(ErrorCode::UNKNOWN_REQUEST.0));
    // A device replaced by a newer sign-in of the same device id is closed with 4001.
    let _bob_again = server.login("bob", "web").await;
    assert_eq!(bob.closed().await, 4001);

    let exposition = scrape(&url).await;
    let value = |series: &str| {
        sample(&exposition, series).unwrap_or_else(|| panic!("{series} in:\n{exposition}"))
    };
    assert_eq!(value("duet_messages_accepted_total"), 3.0);
    assert_eq!(value(r#"duet_messages_refused_total{code="20007"}"#), 1.0);
    assert_eq!(value("duet_messages_delivered_total"), 3.0);
    assert_eq!(value("duet_send_commit_seconds_count"), 3.0);
    assert!(value("duet_commit_push_seconds_count") >= 3.0);
    assert!(value(r#"duet_commit_push_seconds_bucket{le="+Inf"}"#) >= 3.0);
    assert!(value("duet_commit_batch_size_count") >= 3.0);
    assert_eq!(value("duet_connected_devices"), 2.0);
    assert_eq!(value("duet_signed_in_users"), 2.0);
    assert!(value("duet_sync_requests_total") >= 1.0);
    assert!(value("duet_sync_entries_served_total") >= entries.len() as f64);
    assert_eq!(value(r#"duet_ws_closes_total{code="4001"}"#), 1.0);
    assert_eq!(
        value(r#"duet_rest_requests_total{command="sns/black_list_add",code="0"}"#),
        1.0
    );
    let unknown = format!(
        r#"duet_rest_requests_total{{command="unknown",code="{}"}}"#,
        ErrorCode::UNKNOWN_REQUEST.0
    );
    assert_eq!(value(&unknown), 1.0);
    assert!(
        exposition.contains("# TYPE duet_send_commit_seconds histogram"),
        "{exposition}"
    );
    assert!(
        exposition.contains("# HELP duet_messages_accepted_total "),
        "{exposition}"
    );

    // The public port does not serve them.
    let public = reqwest::get(format!("http://{}/metrics", server.addr))
        .await
        .unwrap();
    let body = public.text().await.unwrap();
    assert!(!body.contains("duet_messages_accepted_total"), "{body}");
}

#[test]
fn operations_doc_lists_every_metric() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/operations.md"
    ))
    .unwrap();
    for metric in server::metrics::ALL {
        assert!(
            doc.contains(&format!("`{}`", metric.name)),
            "docs/operations.md does not list {}",
            metric.name
        );
    }
}
