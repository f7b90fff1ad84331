//! What a connection may hold: sockets that never sign in, half-sent requests, too many
//! connections, clients that stop reading, and frames over the hard size limit.

mod common;

use common::*;
use protocol::ErrorCode;
use protocol::frame::{Reply, Request, ServerFrame};
use server::clock::Clock;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection; returns what it sent.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut got))
        .await
        .expect("the server closes the connection in time")
        .ok();
    got
}

#[tokio::test]
async fn a_socket_that_never_signs_in_is_closed_however_much_it_pings() {
    let server = TestServer::start_with(|c| c.ws.login_timeout = Duration::from_millis(500)).await;
    let mut idle = server.connect().await;
    for _ in 0..3 {
        idle.ok(Request::Ping).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let started = Instant::now();
    assert_eq!(idle.closed().await, 1008);
    assert!(started.elapsed() < Duration::from_secs(5));
    // A signed-in socket outlives the deadline.
    let mut bob = server.login("bob", "web").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(matches!(bob.ok(Request::Ping).await, Reply::Pong { .. }));
}

#[tokio::test]
async fn half_sent_requests_and_silent_connections_are_closed() {
    let server =
        TestServer::start_with(|c| c.http.header_timeout = Duration::from_millis(500)).await;
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    read_to_close(&mut silent).await;
    let answer = read_to_close(&mut half).await;
    assert!(
        !String::from_utf8_lossy(&answer).contains("200 OK"),
        "a half-sent request is never answered as if complete"
    );
    // A whole request is answered.
    let body = reqwest::get(format!("http://{}/healthz", server.addr))
        .await
        .unwrap();
    assert_eq!(body.status(), 200);
}

#[tokio::test]
async fn connections_past_the_cap_get_503_and_the_server_stays_healthy() {
    let server = TestServer::start_with(|c| c.http.max_connections = 3).await;
    let bob = server.login("bob", "web").await;
    let alice = server.login("alice", "web").await;
    let mut third = TcpStream::connect(server.addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 64];
    let n = third.read(&mut head).await.unwrap();
    assert!(String::from_utf8_lossy(&head[..n]).starts_with("HTTP/1.1 200"));
    let mut over = TcpStream::connect(server.addr).await.unwrap();
    let refused = read_to_close(&mut over).await;
    assert!(
        String::from_utf8_lossy(&refused).starts_with("HTTP/1.1 503"),
        "{}",
        String::from_utf8_lossy(&refused)
    );
    // WebSockets hold their place until they close.
    drop(third);
    drop(bob);
    drop(alice);
    let deadline = Instant::now() + WAIT;
    loop {
        let ok = reqwest::get(format!("http://{}/healthz", server.addr))
            .await
            .is_ok_and(|r| r.status() == 200);
        if ok {
            break;
        }
        assert!(Instant::now() < deadline, "places are given back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_client_that_stops_reading_does_not_hold_up_shutdown() {
    let server = TestServer::start_with(|c| {
        c.ws.write_timeout = Duration::from_millis(500);
        c.ws.rate_burst = 10_000;
        c.http.drain_timeout = Duration::from_secs(2);
    })
    .await;
    // Bob signs in, then never reads again, while alice writes to him.
    let _bob = server.login("bob", "web").await;
    let mut alice = server.login("alice", "web").await;
    let body = "x".repeat(10_000);
    for i in 0..1500u32 {
        alice.send_text("bob", i, &body).await;
    }
    let started = Instant::now();
    server.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "shutdown took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_frame_over_the_hard_limit_closes_with_1009() {
    let server = TestServer::start_with(|c| c.ws.frame_max_bytes = 1024).await;
    let mut c = server.connect().await;
    c.send_raw(&"x".repeat(16 * 1024 + 1)).await;
    assert_eq!(c.closed().await, 1009);
}

#[tokio::test]
async fn binary_and_oversized_frames_spend_the_rate_budget_too() {
    let server = TestServer::start_with(|c| {
        c.ws.rate_burst = 6; // one for the login, five for the frames below
        c.ws.rate_per_sec = 1;
        c.ws.frame_max_bytes = 400;
    })
    .await;
    let mut c = server.login("bob", "web").await;
    for _ in 0..3 {
        c.send_raw_binary(vec![0; 10]).await;
    }
    for _ in 0..3 {
        c.send_raw(&"y".repeat(500)).await;
    }
    let mut codes = Vec::new();
    for _ in 0..6 {
        match c.frame().await {
            ServerFrame::Error { code, .. } => codes.push(code),
            other => panic!("expected an error frame, got {other:?}"),
        }
    }
    assert_eq!(
        codes,
        [
            ErrorCode::BAD_JSON,
            ErrorCode::BAD_JSON,
            ErrorCode::BAD_JSON,
            ErrorCode::FRAME_TOO_LARGE,
            ErrorCode::FRAME_TOO_LARGE,
            ErrorCode::RATE_LIMITED
        ]
    );
    assert_eq!(c.err(Request::Ping).await, ErrorCode::RATE_LIMITED);
}

#[tokio::test]
async fn a_session_ends_when_its_usersig_expires() {
    let server = TestServer::start().await;
    let mut bob = server.connect().await;
    let sig = identity().signer().sign("bob", 1, server.clock.now_s());
    bob.login("bob", &sig, "web").await;
    let started = Instant::now();
    let kicked = loop {
        match bob.frame().await {
            ServerFrame::Kicked { cause, .. } => break cause,
            ServerFrame::Sync { .. } => continue,
            other => panic!("expected the kick, got {other:?}"),
        }
    };
    assert_eq!(kicked, protocol::frame::KickCause::UserSigExpired);
    assert_eq!(bob.closed().await, 4004);
    assert!(started.elapsed() < Duration::from_secs(5));
}
