//! The REST API and the development endpoint under abuse: floods of bad signatures, requests
//! that ask for huge answers, and asking the development endpoint for the administrator.

mod common;

use common::*;
use protocol::ErrorCode;
use serde_json::json;
use std::net::IpAddr;

/// An HTTP client on a chosen loopback address, as another machine would be. (Made once per
/// address: a flood must not be slowed by making clients.)
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// A REST call through `client`.
async fn rest_from(
    server: &TestServer,
    client: &reqwest::Client,
    command: &str,
    identity: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let url = format!(
        "http://{}/v4/{command}?sdkappid={SDK_APP_ID}&{identity}&random=1&contenttype=json",
        server.addr
    );
    let response = client
        .post(url)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

#[tokio::test]
async fn bad_signatures_from_elsewhere_do_not_spend_the_apps_budget() {
    let server = TestServer::start_with(|c| {
        c.rest.rate_per_sec = 1;
        c.rest.rate_burst = 30;
    })
    .await;
    let forged = "identifier=administrator&usersig=eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwoYGZlC54pTsxIKCzJRUJSsDAyNDIzMzS0tTQyMDU3NzEzMzAyMDAwOlWgC-tA-5";
    let mut codes = Vec::new();
    let elsewhere = client_from("127.0.0.2");
    for _ in 0..60 {
        let reply = rest_from(
            &server,
            &elsewhere,
            "profile/portrait_get",
            forged,
            json!({}),
        )
        .await;
        codes.push(code(&reply));
    }
    assert!(codes.iter().all(|c| *c != 0), "no forged request succeeds");
    assert_eq!(
        codes.last(),
        Some(&(ErrorCode::RATE_LIMITED.0 as u64)),
        "a flood of failures is slowed down: {codes:?}"
    );
    // The real backend, from its own address, still has the app's whole budget.
    let sig = server.sig("administrator");
    let admin = format!("identifier=administrator&usersig={sig}");
    let backend = client_from("127.0.0.1");
    for _ in 0..20 {
        let reply = rest_from(&server, &backend, "duet/get_app_config", &admin, json!({})).await;
        assert_eq!(code(&reply), 0, "{reply}");
    }
}

#[tokio::test]
async fn a_request_cannot_ask_for_an_unbounded_answer() {
    let server = TestServer::start().await;
    let accounts: Vec<String> = (0..101).map(|i| format!("user{i}")).collect();
    let reply = server
        .rest(
            "profile/portrait_get",
            json!({"To_Account": accounts, "TagList": ["Tag_Profile_IM_Nick"]}),
        )
        .await;
    assert_eq!(code(&reply), ErrorCode::TOO_MANY_ACCOUNTS.0 as u64);

    for i in 0..100 {
        server
            .rest(
                "im_open_login_svc/account_import",
                json!({"UserID": format!("user{i}"), "Nick": "n".repeat(100)}),
            )
            .await;
    }
    // The probe's request: 100 accounts and the same tag thousands of times.
    let tags = vec!["Tag_Profile_IM_Nick"; 5000];
    let reply = server
        .rest(
            "profile/portrait_get",
            json!({"To_Account": &accounts[..100], "TagList": tags}),
        )
        .await;
    assert_eq!(code(&reply), 0, "{reply}");
    assert!(
        reply.to_string().len() < 100_000,
        "each tag is answered once per account"
    );
    assert_eq!(
        reply["UserProfileItem"][0]["ProfileItem"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn the_development_endpoint_never_signs_for_the_administrator() {
    let server = TestServer::start_with(|c| c.dev_usersig = true).await;
    let ask = |user: &str| {
        reqwest::Client::new()
            .post(format!("http://{}/duet/dev/usersig", server.addr))
            .body(json!({ "userID": user }).to_string())
            .send()
    };
    assert_eq!(ask("administrator").await.unwrap().status(), 403);
    assert_eq!(ask("alice").await.unwrap().status(), 200);
}
