//! The real `duet-server` binary, killed with SIGKILL: every message it acknowledged is there
//! after a restart.

mod common;

use common::*;
use protocol::Seq;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

fn spawn(data_dir: &std::path::Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_duet-server"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("DUET_SDKAPPID", SDK_APP_ID.to_string())
        .env("DUET_SECRET_KEY", SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("duet-server starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("Duet server on http://") {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    (child, addr)
}

async fn login(addr: SocketAddr, user: &str) -> Client {
    let sig = identity().signer().sign(
        user,
        3600,
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    );
    let mut c = Client::connect(addr).await;
    c.login(user, &sig, "web").await;
    c
}

#[tokio::test]
async fn acknowledged_messages_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = spawn(dir.path());
    login(addr, "bob").await;
    let mut alice = login(addr, "alice").await;
    let mut acked = Vec::new();
    for i in 0..100 {
        acked.push(alice.send_text("bob", i, &format!("durable {i}")).await.0);
    }
    child.kill().unwrap(); // SIGKILL: no shutdown, no checkpoint
    child.wait().unwrap();

    let (mut child, addr) = spawn(dir.path());
    let mut bob = login(addr, "bob").await;
    let (entries, _, _) = bob.sync_all(Seq(0), 200).await;
    let got: Vec<_> = messages(&entries).into_iter().cloned().collect();
    assert_eq!(got, acked);
    child.kill().unwrap();
    child.wait().unwrap();
}
