//! Media uploads and downloads over real HTTP: limits at the byte, nothing partial left
//! behind, types from the bytes, renditions, decompression bombs, ranges, retention, and the
//! REST API's media elements.

mod common;

use common::*;
use protocol::ErrorCode;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([x as u8, y as u8, 128])
    }));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A well-formed PNG header declaring `width` × `height` pixels, with no pixel data.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let body = [kind, data].concat();
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    };
    let ihdr = [
        &width.to_be_bytes()[..],
        &height.to_be_bytes(),
        &[8, 2, 0, 0, 0],
    ]
    .concat();
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    out
}

fn count_files(dir: &Path) -> usize {
    if !dir.exists() {
        return 0;
    }
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

struct Upload<'a> {
    server: &'a TestServer,
    user: &'a str,
}

impl Upload<'_> {
    fn request(&self, kind: &str, name: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .post(format!(
                "http://{}/media?kind={kind}&name={name}",
                self.server.addr
            ))
            .header("x-duet-user", self.user)
            .header("x-duet-usersig", self.server.sig(self.user))
    }

    async fn send(&self, kind: &str, name: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let r = self.request(kind, name).body(body).send().await.unwrap();
        (r.status(), r.json().await.unwrap())
    }

    /// Sent chunked, without a Content-Length: the limit must hold while streaming.
    async fn stream(&self, kind: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            body.chunks(100).map(|c| Ok(c.to_vec())).collect();
        let stream = futures_util::stream::iter(chunks);
        let r = self
            .request(kind, "streamed.bin")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap())
    }
}

async fn signed_up(server: &TestServer, user: &str) {
    server
        .rest(
            "im_open_login_svc/account_import",
            json!({ "UserID": user }),
        )
        .await;
}

#[tokio::test]
async fn limits_hold_at_exactly_the_limit_and_one_byte_over() {
    let image = png(40, 30);
    let image_len = image.len() as u64;
    let server = TestServer::start_with(move |c| {
        c.limits.file_max_bytes = 1000;
        c.limits.image_max_bytes = image_len;
    })
    .await;
    signed_up(&server, "alice").await;
    let up = Upload {
        server: &server,
        user: "alice",
    };
    let media = server.dir.path().join("media");

    let (status, body) = up.send("file", "exact.bin", vec![7; 1000]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["size"], 1000);
    let stored = count_files(&media.join("objects"));

    for (status, body) in [
        up.send("file", "over.bin", vec![7; 1001]).await,
        up.stream("file", vec![8; 1001]).await,
    ] {
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["ErrorCode"], ErrorCode::MEDIA_TOO_LARGE.0, "{body}");
    }
    assert_eq!(up.stream("file", vec![9; 1000]).await.0, StatusCode::OK);
    assert_eq!(
        count_files(&media.join("tmp")),
        0,
        "no partial file is left behind"
    );
    assert_eq!(
        count_files(&media.join("objects")),
        stored + 2,
        "only whole uploads are kept"
    );

    assert_eq!(
        up.send("image", "a.png", image.clone()).await.0,
        StatusCode::OK
    );
    let mut over = image;
    over.push(0);
    let (status, body) = up.send("image", "b.png", over).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
}

#[tokio::test]
async fn uploads_need_the_users_own_usersig() {
    let server = TestServer::start().await;
    let url = format!("http://{}/media?kind=file&name=a", server.addr);
    let r = reqwest::Client::new()
        .post(&url)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = reqwest::Client::new()
        .post(&url)
        .header("x-duet-user", "bob")
        .header("x-duet-usersig", server.sig("alice"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["ErrorCode"], ErrorCode::USERSIG_WRONG_IDENTIFIER.0);
    let up = Upload {
        server: &server,
        user: "alice",
    };
    let (status, body) = up.send("sticker", "a", b"x".to_vec()).await;
    assert_eq!(
        (status, body["ErrorCode"].clone()),
        (StatusCode::BAD_REQUEST, json!(60006))
    );
}

#[tokio::test]
async fn the_type_comes_from_the_bytes_never_the_name() {
    let server = TestServer::start().await;
    let up = Upload {
        server: &server,
        user: "alice",
    };
    let html = b"<!doctype html><script>alert(document.cookie)</script>".to_vec();

    let (status, body) = up.send("image", "cat.png", html.clone()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["ErrorCode"], ErrorCode::MEDIA_TYPE_MISMATCH.0);

    let (status, body) = up.send("file", "cat.png", html).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["contentType"], "application/octet-stream");
    let r = reqwest::get(body["url"].as_str().unwrap()).await.unwrap();
    let h = r.headers();
    assert_eq!(h["content-type"], "application/octet-stream");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"cat.png\"")
    );
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );

    let (_, body) = up.send("file", "../../evil\r\nname.png", png(2, 2)).await;
    assert_eq!(body["fileName"], "evilname.png");
    assert_eq!(body["contentType"], "image/png");
    let r = reqwest::get(body["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(
        up.send("video", "v.mp4", png(2, 2)).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
}

#[tokio::test]
async fn images_get_a_large_and_a_thumbnail_rendition() {
    let server = TestServer::start().await;
    let up = Upload {
        server: &server,
        user: "alice",
    };
    let (status, body) = up.send("image", "wide.png", png(1600, 900)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let image = &body["image"];
    assert_eq!(image["imageFormat"], 3);
    let infos = image["imageInfoArray"].as_array().unwrap();
    let dims: Vec<(u64, u64, u64)> = infos
        .iter()
        .map(|i| {
            (
                i["Type"].as_u64().unwrap(),
                i["Width"].as_u64().unwrap(),
                i["Height"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(dims, vec![(1, 1600, 900), (2, 720, 405), (3, 198, 111)]);
    for info in infos {
        let bytes = reqwest::get(info["URL"].as_str().unwrap())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(bytes.len() as u64, info["Size"].as_u64().unwrap());
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!(decoded.width() as u64, info["Width"].as_u64().unwrap());
        assert_eq!(decoded.height() as u64, info["Height"].as_u64().unwrap());
    }
}

#[tokio::test]
async fn decompression_bombs_are_refused_and_not_kept() {
    let server = TestServer::start().await;
    let up = Upload {
        server: &server,
        user: "alice",
    };
    let (status, body) = up
        .send("image", "bomb.png", png_declaring(100_000, 100_000))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["ErrorCode"], ErrorCode::MEDIA_IMAGE_TOO_BIG.0);
    assert_eq!(count_files(&server.dir.path().join("media")), 0);
}

/// Resident memory of this process (the server runs in it), in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

#[tokio::test]
async fn bombs_within_the_side_limit_are_refused_by_pixel_count_without_decoding() {
    let server = TestServer::start().await;
    let up = Upload {
        server: &server,
        user: "alice",
    };
    // 12000 × 12000 is within 16384 a side, but 144 million pixels (432 MB decoded).
    let bomb = png_declaring(12_000, 12_000);
    let before = rss();
    let uploads = (0..3).map(|i| up.send("image", "bomb.png", [bomb.clone(), vec![i]].concat()));
    for (status, body) in futures_util::future::join_all(uploads).await {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["ErrorCode"], ErrorCode::MEDIA_IMAGE_TOO_BIG.0);
        assert!(body["ErrorInfo"].as_str().unwrap().contains("12000×12000"));
    }
    let grown = rss().saturating_sub(before);
    assert!(grown < 64 << 20, "RSS grew by {} MB", grown >> 20);
    assert_eq!(count_files(&server.dir.path().join("media")), 0);
}

#[tokio::test]
async fn downloads_serve_ranges_and_revalidate_by_etag() {
    let server = TestServer::start().await;
    let up = Upload {
        server: &server,
        user: "alice",
    };
    let data: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    let (_, body) = up.send("file", "data.bin", data.clone()).await;
    let url = body["url"].as_str().unwrap().to_owned();
    let client = reqwest::Client::new();

    let whole = client.get(&url).send().await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    let etag = whole.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", body["uuid"].as_str().unwrap()));
    assert_eq!(whole.bytes().await.unwrap().to_vec(), data);

    let part = client
        .get(&url)
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], "bytes 100-199/5000");
    assert_eq!(part.bytes().await.unwrap().to_vec(), data[100..200]);
    let tail = client
        .get(&url)
        .header("range", "bytes=-10")
        .send()
        .await
        .unwrap();
    assert_eq!(tail.bytes().await.unwrap().to_vec(), data[4990..]);
    let beyond = client
        .get(&url)
        .header("range", "bytes=6000-")
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(beyond.headers()["content-range"], "bytes */5000");
    let stale = client
        .get(&url)
        .header("range", "bytes=0-9")
        .header("if-range", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status(),
        StatusCode::OK,
        "a changed validator gets the whole"
    );
    let cached = client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    let missing = client
        .get(format!("http://{}/media/{}", server.addr, "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn media_is_kept_as_long_as_roaming_history() {
    let server = TestServer::start_with(|c| c.expiry_interval = Duration::from_millis(50)).await;
    let up = Upload {
        server: &server,
        user: "alice",
    };
    let (_, body) = up.send("file", "old.txt", b"old".to_vec()).await;
    let url = body["url"].as_str().unwrap().to_owned();
    server
        .clock
        .advance_ms(server.chat.config.retention.roaming_ttl_ms - 60_000);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(reqwest::get(&url).await.unwrap().status(), StatusCode::OK);
    server.clock.advance_ms(120_000);
    let deadline = tokio::time::Instant::now() + WAIT;
    while reqwest::get(&url).await.unwrap().status() != StatusCode::NOT_FOUND {
        assert!(
            tokio::time::Instant::now() < deadline,
            "media did not expire"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn rest_sendmsg_carries_media_elements_with_backend_urls() {
    let server = TestServer::start().await;
    for user in ["alice", "bob"] {
        signed_up(&server, user).await;
    }
    let send = |body: Value| {
        let mut msg =
            json!({ "From_Account": "alice", "To_Account": "bob", "MsgRandom": rand_u32() });
        msg["MsgBody"] = json!([body]);
        server.rest("openim/sendmsg", msg)
    };
    let ok = [
        json!({ "MsgType": "TIMImageElem", "MsgContent": { "UUID": "i", "ImageFormat": 1, "ImageInfoArray": [
            { "Type": 1, "Size": 10, "Width": 4, "Height": 3, "URL": "https://cdn.example.com/i.jpg" },
            { "Type": 3, "Size": 5, "Width": 2, "Height": 1, "URL": "https://cdn.example.com/i-t.jpg" }] } }),
        json!({ "MsgType": "TIMSoundElem", "MsgContent": { "Url": "https://cdn.example.com/a.m4a", "UUID": "a", "Size": 9, "Second": 4, "Download_Flag": 2 } }),
        json!({ "MsgType": "TIMFileElem", "MsgContent": { "Url": "https://cdn.example.com/f.pdf", "UUID": "f", "FileSize": 9, "FileName": "f.pdf", "Download_Flag": 2 } }),
        json!({ "MsgType": "TIMVideoFileElem", "MsgContent": { "VideoUrl": "https://cdn.example.com/v.mp4", "VideoUUID": "v", "VideoSize": 9, "VideoSecond": 3, "VideoFormat": "mp4", "VideoDownloadFlag": 2,
            "ThumbUrl": "https://cdn.example.com/v.jpg", "ThumbUUID": "t", "ThumbSize": 5, "ThumbWidth": 2, "ThumbHeight": 1, "ThumbFormat": "jpg", "ThumbDownloadFlag": 2 } }),
    ];
    for body in ok {
        let r = send(body.clone()).await;
        assert_eq!(r["ActionStatus"], "OK", "{body}: {r}");
    }
    let bad = json!({ "MsgType": "TIMSoundElem", "MsgContent": { "Url": "https://cdn.example.com/a.m4a", "UUID": "a", "Size": 9, "Second": 0, "Download_Flag": 2 } });
    let r = send(bad).await;
    assert_eq!(r["ErrorCode"], ErrorCode::BAD_MSG_BODY.0, "{r}");
    let huge = json!({ "MsgType": "TIMFileElem", "MsgContent": { "Url": "https://cdn.example.com/f.bin", "UUID": "f", "FileSize": 200u64 << 20, "FileName": "f.bin", "Download_Flag": 2 } });
    assert_eq!(send(huge).await["ErrorCode"], ErrorCode::BAD_MSG_BODY.0);
}

fn rand_u32() -> u32 {
    rand::random()
}

#[tokio::test]
async fn each_user_has_an_upload_rate_and_volume() {
    let server = TestServer::start_with(|c| {
        c.media.upload_burst = 10;
        c.media.upload_bytes_per_hour = 5 << 20;
    })
    .await;
    let alice = Upload {
        server: &server,
        user: "alice",
    };
    let mut statuses = Vec::new();
    let started = std::time::Instant::now();
    for i in 0..15u8 {
        let (status, body) = alice.send("file", "f.bin", vec![i; 1000]).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body["ErrorCode"], ErrorCode::RATE_LIMITED.0);
        }
        statuses.push(status);
    }
    // The burst of 10, and one more for each second the uploads took (the rate is 1 a second;
    // a loaded machine may take several).
    let accepted = statuses.iter().filter(|s| s.is_success()).count();
    let refilled = started.elapsed().as_secs() as usize + 1;
    assert!(
        (10..=10 + refilled).contains(&accepted) && accepted < 15,
        "{statuses:?} in {:?}",
        started.elapsed()
    );
    // The volume: 5 MB an hour, whatever the count.
    let bob = Upload {
        server: &server,
        user: "bob",
    };
    let (first, _) = bob.send("file", "big.bin", vec![1; 3 << 20]).await;
    assert_eq!(first, StatusCode::OK);
    let (second, body) = bob.send("file", "big2.bin", vec![2; 3 << 20]).await;
    assert_eq!(second, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // Others are not held back by them.
    let carol = Upload {
        server: &server,
        user: "carol",
    };
    assert_eq!(
        carol.send("file", "c.bin", vec![3; 10]).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn download_urls_take_only_http_or_https_from_a_proxy() {
    let server = TestServer::start().await;
    let up = Upload {
        server: &server,
        user: "alice",
    };
    let send = |proto: &'static str| {
        up.request("file", "a.bin")
            .header("x-forwarded-proto", proto)
            .body(vec![1u8; 10])
            .send()
    };
    let url = |r: Value| r["url"].as_str().unwrap().to_owned();
    let hostile = send("javascript:alert(1)//")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(url(hostile).starts_with("http://127.0.0.1:"));
    let https = send("https").await.unwrap().json().await.unwrap();
    assert!(url(https).starts_with("https://127.0.0.1:"));
}
