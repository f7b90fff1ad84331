//! `duet-server admin`, through the binary: each command over REST against a running server,
//! and on the data dir directly once the server has stopped (refused while it runs).

mod common;

use common::*;
use protocol::ErrorCode;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Runs `duet-server admin …` on `dir` (and `server`, if given); returns the JSON lines it
/// printed, or what it said on failure.
fn admin(
    dir: &Path,
    server: Option<&BinaryServer>,
    env: &[(&str, &str)],
    args: &[&str],
) -> Result<Vec<Value>, String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_duet-server"));
    command
        .arg("--data-dir")
        .arg(dir)
        .arg("admin")
        .env("DUET_SDKAPPID", SDK_APP_ID.to_string())
        .env("DUET_SECRET_KEY", SECRET)
        .envs(env.iter().copied());
    if let Some(s) = server {
        command.arg("--server").arg(format!("http://{}", s.addr));
    }
    let out = command.args(args).output().unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_command_works_over_rest_and_on_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let server = BinaryServer::spawn(dir.path(), &[], &[]).unwrap();
    let over_rest = |args: &[&str]| admin(dir.path(), Some(&server), &[], args);
    let mut alice = server.login("alice", "phone").await;
    let mut bob = server.login("bob", "phone").await;
    drop(server.login("carol", "phone").await);
    let mut keys = Vec::new();
    for i in 1..=5 {
        let (message, seq, _) = alice.send_text("bob", i, &format!("note {i}")).await;
        keys.push(message.key.to_string());
        assert_eq!(seq.0, u64::from(i));
        bob.push_message().await;
    }

    // users: every account, in ID order, paged however small the page.
    let users = over_rest(&["users"]).unwrap();
    let ids: Vec<&str> = users
        .iter()
        .map(|u| u["UserID"].as_str().unwrap())
        .collect();
    for id in ["alice", "bob", "carol"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    let from_bob = over_rest(&["users", "--from", "bob", "--limit", "2"]).unwrap();
    assert_eq!(from_bob.len(), 2);
    assert_eq!(from_bob[0]["UserID"], "bob");
    assert_eq!(from_bob[1]["UserID"], "carol");

    // user: the devices signed in now and the newest sequence of the log.
    let shown = over_rest(&["user", "alice"]).unwrap();
    assert_eq!(shown[0]["Account"]["LatestSeq"], 5);
    assert_eq!(shown[0]["OnlineDevices"], serde_json::json!(["phone"]));
    let missing = over_rest(&["user", "nobody"]).unwrap_err();
    assert!(missing.contains("20003"), "{missing}");

    // export: the conversation, newest first.
    let exported = over_rest(&["export", "alice", "bob"]).unwrap();
    let exported_keys: Vec<&str> = exported
        .iter()
        .map(|m| m["MsgKey"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = keys.iter().rev().map(String::as_str).collect();
    assert_eq!(exported_keys, newest_first);

    // friends-only: refuses strangers at once, and lets them again.
    assert_eq!(
        over_rest(&["friends-only", "on"]).unwrap()[0]["FriendsOnly"],
        1
    );
    assert_eq!(
        alice.send_text_err("bob", 90, "still there?").await,
        ErrorCode::NOT_FRIENDS
    );
    over_rest(&["friends-only", "off"]).unwrap();
    alice.send_text("bob", 91, "yes").await;

    // delete-users: carol is gone; a second try says so and fails.
    let deleted = over_rest(&["delete-users", "carol"]).unwrap();
    assert_eq!(deleted[0]["ResultCode"], 0);
    assert!(over_rest(&["delete-users", "carol"]).is_err());
    assert!(over_rest(&["user", "carol"]).is_err());

    // The data dir itself is refused while the server runs on it.
    let busy = admin(dir.path(), None, &[], &["users"]).unwrap_err();
    assert!(busy.contains("in use"), "{busy}");
    drop((alice, bob));
    server.kill();

    // On the data dir: the same commands, in-process. With a one-second retention every
    // message is past it, so an expiry pass removes all six, and the vacuum gives back space.
    let users = admin(dir.path(), None, &[], &["users"]).unwrap();
    assert!(users.iter().any(|u| u["UserID"] == "alice"));
    assert!(users.iter().all(|u| u["UserID"] != "carol"));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let short = [
        ("DUET_ROAMING_TTL_SECS", "1"),
        ("DUET_OFFLINE_TTL_SECS", "1"),
    ];
    let expired = admin(dir.path(), None, &short, &["expire"]).unwrap();
    assert_eq!(expired[0]["Messages"], 6, "{expired:?}");
    assert!(expired[0]["SyncEntries"].as_u64().unwrap() >= 12);
    let vacuumed = admin(dir.path(), None, &[], &["vacuum"]).unwrap();
    let (before, after) = (
        vacuumed[0]["BytesBefore"].as_u64().unwrap(),
        vacuumed[0]["BytesAfter"].as_u64().unwrap(),
    );
    assert!(after <= before, "{vacuumed:?}");
    assert!(
        admin(dir.path(), None, &[], &["export", "alice", "bob"])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_data_dir_without_a_database_or_identity_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    let no_db = admin(&empty, None, &[], &["users"]).unwrap_err();
    assert!(no_db.contains("holds no database"), "{no_db}");
    assert!(!empty.join("duet.db").exists());
    let out = Command::new(env!("CARGO_BIN_EXE_duet-server"))
        .arg("--data-dir")
        .arg(&empty)
        .args(["admin", "users"])
        .env_remove("DUET_SDKAPPID")
        .env_remove("DUET_SECRET_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no app identity"));
    assert!(!empty.exists(), "nothing was created");
}
