//! `duet-server backup` and `restore` through the binary: a backup taken while senders keep a
//! server busy holds every message acknowledged before it began, the senders lose nothing to
//! it, and a server started on the restored data dir serves it all and keeps working.

mod common;

use common::*;
use protocol::MessageKey;
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const SENDERS: usize = 4;

fn duet(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_duet-server"))
        .args(args)
        .env("DUET_SDKAPPID", SDK_APP_ID.to_string())
        .env("DUET_SECRET_KEY", SECRET)
        .output()
        .expect("duet-server runs")
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

async fn upload(server: &BinaryServer, user: &str, bytes: Vec<u8>) -> serde_json::Value {
    let url = format!("http://{}/media?kind=file&name=notes.txt", server.addr);
    reqwest::Client::new()
        .post(url)
        .header("x-duet-user", user)
        .header("x-duet-usersig", sign(user))
        .body(bytes)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_every_acknowledged_message() {
    let root = tempfile::tempdir().unwrap();
    let (live, restored) = (root.path().join("live"), root.path().join("restored"));
    let archive = root.path().join("duet.backup");
    let server = BinaryServer::spawn(&live, &[], &[]).unwrap();
    let media = upload(&server, "sender0", b"meeting notes".to_vec()).await;
    let media_url = media["url"].as_str().expect("uploaded").to_owned();

    // Senders write without pause; each message acknowledged before the backup starts is kept.
    let backup_started = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let before: Arc<Mutex<Vec<(usize, MessageKey)>>> = Arc::default();
    let mut senders = Vec::new();
    for i in 0..SENDERS {
        drop(server.login(&format!("reader{i}"), "web").await);
        let mut client = server.login(&format!("sender{i}"), "web").await;
        let (started, stop, before) = (backup_started.clone(), stop.clone(), before.clone());
        senders.push(tokio::spawn(async move {
            let mut sent = 0u32;
            while !stop.load(Ordering::SeqCst) {
                sent += 1;
                let (message, _, _) = client
                    .send_text(&format!("reader{i}"), sent, &format!("m{sent}"))
                    .await;
                // Acknowledged before the backup began: committed before its snapshot. (A send
                // begun before the flag may be acknowledged after the snapshot, on a busy
                // machine, and then rightly not be in it.)
                if !started.load(Ordering::SeqCst) {
                    before.lock().unwrap().push((i, message.key));
                }
            }
            sent
        }));
    }
    while before.lock().unwrap().len() < 200 {
        assert!(!senders.iter().any(|s| s.is_finished()), "a sender failed");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // An hourly history file (`open_msg_svc/get_history`) is made again when asked for, not
    // backed up.
    std::fs::create_dir_all(live.join("media/history")).unwrap();
    std::fs::write(
        live.join("media/history/made.gz"),
        b"made from the messages",
    )
    .unwrap();
    backup_started.store(true, Ordering::SeqCst);
    let backup = {
        let (live, archive) = (live.clone(), archive.clone());
        tokio::task::spawn_blocking(move || {
            duet(&["backup", "--data-dir", path(&live), "--to", path(&archive)])
        })
        .await
        .unwrap()
    };
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::SeqCst);
    let mut total = 0;
    for s in senders {
        // A send that failed would have panicked its task.
        total += s.await.expect("every send during the backup succeeded");
    }
    let acknowledged = before.lock().unwrap().clone();
    assert!(total as usize > acknowledged.len(), "the load ran on");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the archive holds the secret key");
    }
    // The live server is still fine after it.
    let mut late = server.login("late", "web").await;
    late.send_text("sender0", 1, "still here").await;
    server.kill();

    let restore = duet(&[
        "restore",
        "--from",
        path(&archive),
        "--data-dir",
        path(&restored),
    ]);
    assert!(
        restore.status.success(),
        "{}",
        String::from_utf8_lossy(&restore.stderr)
    );
    // Restoring over a data dir that has data is refused.
    let again = duet(&[
        "restore",
        "--from",
        path(&archive),
        "--data-dir",
        path(&restored),
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    assert!(!restored.join("media/history").exists());

    let server = BinaryServer::spawn(&restored, &[], &[]).unwrap();
    for i in 0..SENDERS {
        let mut client = server.login(&format!("sender{i}"), "web").await;
        let kept: HashSet<MessageKey> = client
            .history(&format!("reader{i}"), 100)
            .await
            .iter()
            .map(|m| m.key)
            .collect();
        for (_, key) in acknowledged.iter().filter(|(s, _)| *s == i) {
            assert!(kept.contains(key), "sender{i}'s message {key} was lost");
        }
        // The restored server takes new messages.
        client
            .send_text("reader0", u32::MAX - 1, "after the restore")
            .await;
    }
    let file = reqwest::get(media_url.replace(
        &media_url[..media_url.find("/media").unwrap()],
        &format!("http://{}", server.addr),
    ))
    .await
    .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"meeting notes");
}

#[test]
fn a_backup_needs_a_database_and_a_new_file() {
    let root = tempfile::tempdir().unwrap();
    let empty = root.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = duet(&[
        "backup",
        "--data-dir",
        path(&empty),
        "--to",
        path(&root.path().join("b")),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no database"));
    assert!(
        std::fs::read_dir(&empty).unwrap().next().is_none(),
        "nothing is made in the data dir"
    );
    let not_a_backup = root.path().join("junk");
    std::fs::write(&not_a_backup, vec![0u8; 2048]).unwrap();
    let out = duet(&[
        "restore",
        "--from",
        path(&not_a_backup),
        "--data-dir",
        path(&root.path().join("new")),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a Duet backup"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
