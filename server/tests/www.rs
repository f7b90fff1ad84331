//! The web client's static files: content types, safety headers, no escaping the directory,
//! and the client configuration.

mod common;

use common::*;

#[tokio::test]
async fn static_files_are_served_with_safe_headers() {
    let www = tempfile::tempdir().unwrap();
    std::fs::write(
        www.path().join("index.html"),
        "<!doctype html><title>x</title>",
    )
    .unwrap();
    std::fs::create_dir(www.path().join("sdk")).unwrap();
    std::fs::write(www.path().join("sdk/duet_chat_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(www.path().join("sdk/index.js"), "export default 1;").unwrap();
    let dir = www.path().to_owned();
    let server = TestServer::start_with(move |c| c.www_dir = dir).await;
    let get = |path: &str| reqwest::get(format!("http://{}{path}", server.addr));

    let page = get("/").await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert!(
        page.headers().contains_key("last-modified"),
        "revalidation needs a validator"
    );
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let addr = server.addr;
    assert!(
        csp.contains(&format!("connect-src 'self' ws://{addr} wss://{addr};")),
        "WebSockets to this server only: {csp}"
    );
    assert!(
        !csp.contains("https:;") && !csp.contains(" https: "),
        "{csp}"
    );
    assert_eq!(
        get("/sdk/duet_chat_bg.wasm").await.unwrap().headers()["content-type"],
        "application/wasm"
    );
    assert!(
        get("/sdk/index.js").await.unwrap().headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(get("/missing.js").await.unwrap().status(), 404);
    assert_eq!(
        get("/%2e%2e/Cargo.toml").await.unwrap().status(),
        404,
        "no way out of www"
    );
    let config: serde_json::Value = get("/duet/config").await.unwrap().json().await.unwrap();
    assert_eq!(config["SDKAppID"], SDK_APP_ID);
}

#[tokio::test]
async fn a_compressed_copy_goes_to_a_browser_that_accepts_it() {
    let www = tempfile::tempdir().unwrap();
    let module = b"\0asm\x01\0\0\0 the module itself".to_vec();
    std::fs::write(www.path().join("app_bg.wasm"), &module).unwrap();
    std::fs::write(www.path().join("app_bg.wasm.br"), b"brotli copy").unwrap();
    std::fs::write(www.path().join("app_bg.wasm.gz"), b"gzip copy").unwrap();
    std::fs::write(www.path().join("main.js"), "export {};").unwrap();
    let dir = www.path().to_owned();
    let server = TestServer::start_with(move |c| c.www_dir = dir).await;
    let client = reqwest::Client::new();
    let get = |path: &str, accept: &str| {
        let request = client.get(format!("http://{}{path}", server.addr));
        match accept {
            "" => request.send(),
            accept => request.header("accept-encoding", accept).send(),
        }
    };
    let encoded = |r: &reqwest::Response| {
        (r.headers().get("content-encoding")).map(|v| v.to_str().unwrap().to_owned())
    };

    for (accept, encoding, body) in [
        ("gzip, deflate, br, zstd", Some("br"), &b"brotli copy"[..]),
        ("gzip", Some("gzip"), &b"gzip copy"[..]),
        ("", None, &module[..]),
        ("identity", None, &module[..]),
    ] {
        let r = get("/app_bg.wasm", accept).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            encoded(&r).as_deref(),
            encoding,
            "Accept-Encoding: {accept:?}"
        );
        assert_eq!(r.headers()["content-type"], "application/wasm");
        assert_eq!(r.headers()["vary"], "accept-encoding");
        assert_eq!(
            &r.bytes().await.unwrap()[..],
            body,
            "Accept-Encoding: {accept:?}"
        );
    }
    // A file with no compressed copy is sent as it is, whatever the browser accepts.
    let r = get("/main.js", "br").await.unwrap();
    assert_eq!(encoded(&r), None);
    assert_eq!(r.text().await.unwrap(), "export {};");
}

#[tokio::test]
async fn the_development_usersig_endpoint_is_off_unless_asked_for() {
    let url = |s: &TestServer| format!("http://{}/duet/dev/usersig", s.addr);
    let client = reqwest::Client::new();
    let off = TestServer::start().await;
    let r = client
        .post(url(&off))
        .body(r#"{"userID":"alice"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let config: serde_json::Value = reqwest::get(format!("http://{}/duet/config", off.addr))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["devUserSig"], false);

    let on = TestServer::start_with(|c| c.dev_usersig = true).await;
    let r = client
        .post(url(&on))
        .body(r#"{"userID":"alice"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    let sig = body["userSig"].as_str().unwrap();
    let mut alice = on.connect().await;
    assert!(matches!(
        alice.login("alice", sig, "web").await,
        protocol::frame::ServerFrame::Reply { .. }
    ));
    let bad = client
        .post(url(&on))
        .body(r#"{"userID":"no spaces"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}
