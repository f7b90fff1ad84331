//! `media`: one large file up (`POST /media`, streamed, never held whole on either side) and
//! down again, with the server's RSS sampled every 20 ms to show it stays flat while the bytes
//! stream through. The file must be within the server's file limit (100 MB by default).

use crate::client::{BoxError, Target};
use crate::idle::{find_server, rss_bytes};
use crate::stats::Report;
use bytes::Bytes;
use futures_util::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CHUNK: usize = 256 * 1024;
const MB: f64 = 1024.0 * 1024.0;

pub async fn run(
    target: &Target,
    megabytes: u64,
    server_pid: Option<u32>,
) -> Result<Report, BoxError> {
    let pid = match server_pid {
        Some(p) => p,
        None => find_server()?,
    };
    let size = megabytes * 1024 * 1024;
    let user = format!("{}media", crate::client::run_prefix());
    let sig = target.key.sign(&user, 3600, now_s());
    let baseline = rss_bytes(pid)?;
    let peak = Arc::new(AtomicU64::new(baseline));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn({
        let (peak, done) = (peak.clone(), done.clone());
        async move {
            while !done.load(Ordering::Relaxed) {
                if let Ok(rss) = rss_bytes(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });

    // Distinct content each run, so the upload is stored, not found already there.
    let seed: u8 = rand::random();
    let chunks = (0..size.div_ceil(CHUNK as u64)).map(move |i| {
        let len = (size - i * CHUNK as u64).min(CHUNK as u64) as usize;
        Ok::<_, std::io::Error>(Bytes::from(vec![seed.wrapping_add(i as u8); len]))
    });
    let http = reqwest::Client::new();
    let began = Instant::now();
    let answer: serde_json::Value = http
        .post(format!(
            "{}/media?kind=file&name=bench.bin",
            target.http_url
        ))
        .header("x-duet-user", &user)
        .header("x-duet-usersig", sig)
        .header("content-length", size)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await?
        .json()
        .await?;
    let upload_s = began.elapsed().as_secs_f64();
    let url = answer["url"]
        .as_str()
        .ok_or_else(|| format!("upload refused: {answer}"))?
        .to_owned();

    let began = Instant::now();
    let mut body = http.get(&url).send().await?.bytes_stream();
    let mut received = 0u64;
    while let Some(chunk) = body.next().await {
        received += chunk?.len() as u64;
    }
    let download_s = began.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    sampler.await?;
    if received != size {
        return Err(format!("downloaded {received} of {size} bytes").into());
    }
    Ok(Report {
        sent: 1,
        delivered: 1,
        seconds: upload_s + download_s,
        upload_mb_per_sec: Some(size as f64 / MB / upload_s),
        download_mb_per_sec: Some(size as f64 / MB / download_s),
        rss_growth_bytes: Some(peak.load(Ordering::Relaxed).saturating_sub(baseline)),
        ..Report::default()
    })
}

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
