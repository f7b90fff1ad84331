//! `history`: time to fetch the newest M messages of one conversation, paged as the protocol
//! pages, repeated; the percentiles are over the repetitions.

use crate::client::{self, BoxError, Target};
use crate::offline::fill;
use crate::stats::Report;
use protocol::UserId;
use protocol::frame::{Reply, Request};
use std::time::Instant;

pub async fn run(
    target: &Target,
    messages: usize,
    page: u32,
    iterations: usize,
) -> Result<Report, BoxError> {
    let prefix = client::run_prefix();
    let (sender, reader) = (format!("{prefix}s"), format!("{prefix}r"));
    drop(target.login(&reader).await?);
    fill(target, &sender, &reader, messages).await?;
    let (mut tx, mut rx) = target.login(&reader).await?;
    let peer = UserId::parse(sender)?;
    let (mut samples, mut fetched, mut id) = (Vec::new(), 0, 0u64);
    let began = Instant::now();
    for _ in 0..iterations.max(1) {
        let t = Instant::now();
        let (mut before, mut got) = (None, 0usize);
        while got < messages {
            id += 1;
            let limit = page.min((messages - got) as u32);
            let request = Request::History {
                peer: peer.clone(),
                before,
                limit,
            };
            let Reply::History {
                messages: list,
                complete,
            } = client::call(&mut tx, &mut rx, id, request).await?
            else {
                return Err("history answered with something else".into());
            };
            got += list.len();
            before = list.last().map(|m| m.key);
            if complete {
                break;
            }
        }
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
        fetched = got;
    }
    let seconds = began.elapsed().as_secs_f64();
    Ok(Report {
        sent: messages as u64,
        delivered: fetched as u64,
        lost: (messages as u64).saturating_sub(fetched as u64),
        msgs_per_sec: (fetched * samples.len()) as f64 / seconds,
        seconds,
        ..Report::default()
    }
    .with_latencies(samples))
}
