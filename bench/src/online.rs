//! `online`: N pairs, each pair's first user sends M messages to the second while both are
//! connected. Counts what arrives, once, and how long after it was sent.

use crate::client::{self, BoxError, Target};
use crate::stats::Report;
use protocol::element::TextElem;
use protocol::frame::{Reply, Request, ServerFrame};
use protocol::{Element, SyncEvent, UserId};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Barrier, Semaphore};

pub struct Options {
    pub pairs: usize,
    pub messages: usize,
    /// Total messages per second over all pairs; `None` sends as fast as acks allow.
    pub rate: Option<f64>,
    /// Unacknowledged sends allowed per sender.
    pub window: usize,
}

struct Received {
    latencies_ms: Vec<f64>,
    delivered: u64,
    duplicated: u64,
    last: Instant,
}

/// Runs on the nodes `targets`: pair `p`'s receiver signs in on node `p`, its sender on the
/// next, so with several nodes every message crosses from one to another.
pub async fn run(targets: &[Target], opts: Options) -> Result<Report, BoxError> {
    let prefix = client::run_prefix();
    let epoch = Instant::now();
    let start = Arc::new(Barrier::new(opts.pairs * 2 + 1));
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    for p in 0..opts.pairs {
        let (rname, sname) = (format!("{prefix}r{p}"), format!("{prefix}s{p}"));
        let (_, rx) = targets[p % targets.len()].login(&rname).await?;
        let from = UserId::parse(sname.clone())?;
        let (m, barrier) = (opts.messages, start.clone());
        receivers.push(tokio::spawn(async move {
            receive(rx, from, m, epoch, barrier).await
        }));
        let (tx, rx) = targets[(p + 1) % targets.len()].login(&sname).await?;
        let to = UserId::parse(rname)?;
        // Senders are spread evenly over one period, so a paced load arrives smoothly rather
        // than in synchronized bursts.
        let pacing = opts.rate.map(|r| {
            let period = Duration::from_secs_f64(opts.pairs as f64 / r);
            (period, period.mul_f64(p as f64 / opts.pairs as f64))
        });
        let (window, barrier) = (opts.window, start.clone());
        senders.push(tokio::spawn(async move {
            send(tx, rx, to, m, pacing, window, epoch, barrier).await
        }));
    }
    start.wait().await;
    let began = Instant::now();
    let mut sent = 0;
    for s in senders {
        sent += s.await??;
    }
    let (mut latencies, mut delivered, mut duplicated, mut last) = (Vec::new(), 0, 0, began);
    for r in receivers {
        let got = r.await??;
        latencies.extend(got.latencies_ms);
        delivered += got.delivered;
        duplicated += got.duplicated;
        last = last.max(got.last);
    }
    let seconds = last.duration_since(began).as_secs_f64();
    Ok(Report {
        sent,
        delivered,
        lost: sent.saturating_sub(delivered),
        duplicated,
        msgs_per_sec: if seconds > 0.0 {
            delivered as f64 / seconds
        } else {
            0.0
        },
        seconds,
        ..Report::default()
    }
    .with_latencies(latencies))
}

#[allow(clippy::too_many_arguments)]
async fn send(
    mut tx: client::Writer,
    mut rx: client::Reader,
    to: UserId,
    messages: usize,
    pacing: Option<(Duration, Duration)>,
    window: usize,
    epoch: Instant,
    start: Arc<Barrier>,
) -> Result<u64, BoxError> {
    // In paced mode the window only guards memory; the schedule sets the load.
    let permits = Arc::new(Semaphore::new(if pacing.is_some() {
        1 << 16
    } else {
        window.max(1)
    }));
    let acks = {
        let permits = permits.clone();
        tokio::spawn(async move {
            let mut acked = 0u64;
            while acked < messages as u64 {
                match client::next_frame(&mut rx).await? {
                    ServerFrame::Reply {
                        data: Reply::Sent { .. },
                        ..
                    } => {
                        acked += 1;
                        permits.add_permits(1);
                    }
                    ServerFrame::Error { code, message, .. } => {
                        return Err::<u64, BoxError>(client::refused(code, &message));
                    }
                    _ => {} // our own sync entries
                }
            }
            Ok(acked)
        })
    };
    start.wait().await;
    let mut ticker = pacing.map(|(period, phase)| {
        let mut t = tokio::time::interval_at(tokio::time::Instant::now() + phase, period);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        t
    });
    for i in 0..messages {
        if let Some(t) = ticker.as_mut() {
            t.tick().await;
        }
        permits.acquire().await?.forget();
        let text = format!("{i} {}", epoch.elapsed().as_nanos());
        let request = Request::Send {
            to: to.clone(),
            random: i as u32,
            elements: vec![Element::Text(TextElem { text })],
            cloud_custom_data: None,
            online_only: false,
            offline_push_info: None,
            need_read_receipt: false,
            client_time_s: 0,
        };
        client::send(&mut tx, i as u64 + 1, request).await?;
    }
    let acked = acks.await??;
    Ok(acked)
}

async fn receive(
    mut rx: client::Reader,
    from: UserId,
    messages: usize,
    epoch: Instant,
    start: Arc<Barrier>,
) -> Result<Received, BoxError> {
    start.wait().await;
    let mut seen = vec![false; messages];
    let mut got = Received {
        latencies_ms: Vec::with_capacity(messages),
        delivered: 0,
        duplicated: 0,
        last: Instant::now(),
    };
    let patience = Duration::from_secs(30);
    while got.delivered < messages as u64 {
        let frame = match tokio::time::timeout(patience, client::next_frame(&mut rx)).await {
            Ok(frame) => frame?,
            Err(_) => break, // nothing for 30 s: the rest is lost
        };
        let ServerFrame::Sync { entry } = frame else {
            continue;
        };
        let SyncEvent::Message { message } = &entry.event else {
            continue;
        };
        if message.from != from {
            continue;
        }
        let Some(Element::Text(t)) = message.elements.first() else {
            continue;
        };
        let mut parts = t.text.split(' ');
        let (Some(Ok(i)), Some(Ok(sent_ns))) = (
            parts.next().map(str::parse::<usize>),
            parts.next().map(str::parse::<u128>),
        ) else {
            continue;
        };
        let now = Instant::now();
        if i >= messages || std::mem::replace(&mut seen[i], true) {
            got.duplicated += 1;
            continue;
        }
        got.delivered += 1;
        got.last = now;
        let latency_ns = now.duration_since(epoch).as_nanos().saturating_sub(sent_ns);
        got.latencies_ms.push(latency_ns as f64 / 1e6);
    }
    // Anything arriving shortly after the last expected message is a duplicate.
    while let Ok(frame) =
        tokio::time::timeout(Duration::from_millis(300), client::next_frame(&mut rx)).await
    {
        if let ServerFrame::Sync { entry } = frame?
            && matches!(&entry.event, SyncEvent::Message { message } if message.from == from)
        {
            got.duplicated += 1;
        }
    }
    Ok(got)
}
