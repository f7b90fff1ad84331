//! `open_msg_svc/get_history`, as a backend's nightly job written from Tencent's docs uses it:
//! ask for an hour, download the link, check the sizes and MD5s, read the messages.

mod common;

use common::*;
use md5::{Digest, Md5};
use serde_json::{Value, json};
use server::clock::Clock;
use std::io::Read;

const HOUR_MS: u64 = 3_600_000;

/// The hour starting at `hour_s` as Tencent names it: `YYYYMMDDHH`, Beijing time.
fn msg_time(hour_s: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(hour_s as i64 + 8 * 3600).unwrap();
    format!(
        "{:04}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour()
    )
}

fn md5_hex(bytes: &[u8]) -> String {
    format!("{:x}", Md5::digest(bytes))
}

async fn get_history(server: &TestServer, hour: &str) -> Value {
    server
        .rest(
            "open_msg_svc/get_history",
            json!({"ChatType": "C2C", "MsgTime": hour}),
        )
        .await
}

#[tokio::test]
async fn an_hours_messages_download_as_tencents_history_file() {
    let server = TestServer::start().await;
    // Into the first second of the next hour, so that every message below falls in one hour.
    server
        .clock
        .advance_ms(HOUR_MS - server.clock.now_ms() % HOUR_MS + 1_000);
    let hour_s = server.clock.now_s() / 3600 * 3600;
    let hour = msg_time(hour_s);
    let mut alice = server.login("alice", "web").await;
    let _bob = server.login("bob", "web").await;
    for i in 0..3 {
        alice.send_text("bob", i, &format!("h{i}")).await;
    }
    let sent = server
        .rest(
            "openim/sendmsg",
            json!({"From_Account": "bob", "To_Account": "alice", "MsgRandom": 77,
                   "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "from the backend"}}],
                   "CloudCustomData": "cc"}),
        )
        .await;
    assert_eq!(code(&sent), 0, "{sent}");

    let early = get_history(&server, &hour).await;
    assert_eq!(code(&early), 60006, "the hour has not ended: {early}");
    assert!(
        early["ErrorInfo"]
            .as_str()
            .unwrap()
            .contains("a minute after")
    );

    server.clock.advance_ms(HOUR_MS + 60_000);
    alice.send_text("bob", 9, "the next hour").await;
    let reply = get_history(&server, &hour).await;
    assert_eq!(code(&reply), 0, "{reply}");
    let files = reply["File"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{reply}");
    let file = &files[0];
    let url = file["URL"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("http://{}/history/", server.addr)),
        "{url}"
    );
    let expires = time::OffsetDateTime::from_unix_timestamp(
        (server.clock.now_s() + 6 * 3600 + 8 * 3600) as i64,
    )
    .unwrap();
    let expected = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        expires.year(),
        u8::from(expires.month()),
        expires.day(),
        expires.hour(),
        expires.minute(),
        expires.second()
    );
    assert_eq!(file["ExpireTime"], expected.as_str());

    // A plain GET, no signature, as Tencent's links are downloaded.
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/gzip");
    let gz = response.bytes().await.unwrap();
    assert_eq!(gz.len() as u64, file["GzipSize"].as_u64().unwrap());
    assert_eq!(md5_hex(&gz), file["GzipMD5"].as_str().unwrap());
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut json)
        .unwrap();
    assert_eq!(json.len() as u64, file["FileSize"].as_u64().unwrap());
    assert_eq!(md5_hex(&json), file["FileMD5"].as_str().unwrap());

    // One JSON document, and a message a line for readers that go line by line.
    let doc: Value = serde_json::from_slice(&json).unwrap();
    let list = doc["MsgList"].as_array().unwrap();
    let texts: Vec<&str> = list
        .iter()
        .map(|m| m["MsgBody"][0]["MsgContent"]["Text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["h0", "h1", "h2", "from the backend"]);
    assert_eq!(list[0]["From_Account"], "alice");
    assert_eq!(list[0]["To_Account"], "bob");
    assert_eq!(list[0]["MsgRandom"], 0);
    let stamp = list[0]["MsgTimestamp"].as_u64().unwrap();
    assert!((hour_s..hour_s + 3600).contains(&stamp), "{stamp}");
    assert!(list[0]["MsgSeq"].as_u64().unwrap() > 0);
    assert_eq!(list[3]["From_Account"], "bob");
    assert_eq!(list[3]["CloudCustomData"], "cc");
    let text = String::from_utf8(json.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), list.len() + 2);
    assert_eq!(lines[0], "{\"MsgList\":[");
    assert_eq!(lines[lines.len() - 1], "]}");
    for (line, m) in lines[1..lines.len() - 1].iter().zip(list) {
        let one: Value = serde_json::from_str(line.trim_end_matches(',')).unwrap();
        assert_eq!(&one, m);
    }

    // The MsgKey names the message to the other REST commands.
    let withdrawn = server
        .rest(
            "openim/admin_msgwithdraw",
            json!({"From_Account": "alice", "To_Account": "bob", "MsgKey": list[0]["MsgKey"]}),
        )
        .await;
    assert_eq!(code(&withdrawn), 0, "{withdrawn}");

    // While the file is fresh, asking again answers it again.
    let again = get_history(&server, &hour).await;
    assert_eq!(again["File"][0]["URL"], url.as_str());

    // An hour with no message has no file.
    let empty = get_history(&server, &msg_time(hour_s - 3600)).await;
    assert_eq!(code(&empty), 0, "{empty}");
    assert_eq!(empty["File"], json!([]));

    // Made-up links, and links out of the directory, find nothing.
    let base = format!("http://{}/history", server.addr);
    let token = "0123456789abcdef0123456789abcdef";
    let now = server.clock.now_ms();
    for path in [
        format!("{hour_s}-{now}-{token}.gz"),
        "%2e%2e%2fduet.db".to_owned(),
        format!("{}.json", url.rsplit('/').next().unwrap()),
    ] {
        let response = reqwest::get(format!("{base}/{path}")).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }

    // Six hours on, the link has expired and the expiry pass removes its file; asking again
    // makes a new one, in which the recalled message is marked.
    let kept = || -> Vec<String> {
        std::fs::read_dir(server.dir.path().join("media/history"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(kept().len(), 2, "the file and its description");
    server.clock.advance_ms(6 * HOUR_MS);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
    assert_eq!(code(&server.rest("duet/expire", json!({})).await), 0);
    assert_eq!(kept(), Vec::<String>::new());
    let renewed = get_history(&server, &hour).await;
    let new_url = renewed["File"][0]["URL"].as_str().unwrap();
    assert_ne!(new_url, url);
    assert_eq!(kept().len(), 2, "the new file and its description");
    let gz = reqwest::get(new_url).await.unwrap().bytes().await.unwrap();
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut json)
        .unwrap();
    let doc: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(doc["MsgList"][0]["MsgFlagBits"], 3);
    assert_eq!(doc["MsgList"][0]["MsgBody"], json!([]));
    assert_eq!(doc["MsgList"][1]["MsgFlagBits"], 0);
}

#[tokio::test]
async fn a_bad_history_request_says_what_is_wrong() {
    let server = TestServer::start().await;
    for (body, says) in [
        (
            json!({"ChatType": "Group", "MsgTime": "2026010100"}),
            "no group chats",
        ),
        (
            json!({"ChatType": "c2c", "MsgTime": "2026010100"}),
            "must be C2C",
        ),
        (
            json!({"ChatType": "C2C", "MsgTime": "2026023010"}),
            "YYYYMMDDHH",
        ),
        (
            json!({"ChatType": "C2C", "MsgTime": "20260101"}),
            "YYYYMMDDHH",
        ),
        (
            json!({"ChatType": "C2C", "MsgTime": 2026010100}),
            "expected a string",
        ),
        (json!({"ChatType": "C2C"}), "MsgTime"),
    ] {
        let reply = server.rest("open_msg_svc/get_history", body.clone()).await;
        assert_ne!(code(&reply), 0, "{body}");
        let info = reply["ErrorInfo"].as_str().unwrap();
        assert!(info.contains(says), "{body}: {info}");
    }
    // Only the administrator asks.
    let sig = server.sig("alice");
    let reply = server
        .rest_raw(
            "open_msg_svc/get_history",
            &format!("identifier=alice&usersig={sig}"),
            json!({"ChatType": "C2C", "MsgTime": "2026010100"}).to_string(),
        )
        .await;
    assert_eq!(code(&reply), 90009, "{reply}");
}
