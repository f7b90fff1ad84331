//! `search`: one user's roaming history of M messages from a few peers, searched on the server
//! (`search`, Tencent's `searchCloudMessages`) the ways an app searches: a word found once, a
//! common word (first page), two words together, a common word in one conversation, and a
//! two-character keyword that matches nothing, which the trigram index cannot serve and so reads
//! every one of the user's messages. Each query is timed `iterations` times: right after the
//! messages are stored, while the server's index has not caught up with them (it indexes when
//! idle), and again `settle` seconds later.

use crate::client::{self, BoxError, Target};
use crate::offline::fill_with;
use crate::stats::{Report, SearchFigure};
use protocol::UserId;
use protocol::frame::{Reply, Request};
use protocol::search::SearchQuery;
use std::time::Instant;

/// Words the messages are made of; each message has three, picked by its number.
const WORDS: [&str; 32] = [
    "apple", "river", "window", "garden", "orange", "silver", "market", "rocket", "pencil",
    "forest", "summer", "winter", "bridge", "candle", "dragon", "planet", "mirror", "ticket",
    "castle", "butter", "coffee", "guitar", "island", "jacket", "lemon", "meadow", "nickel",
    "oyster", "parrot", "quartz", "saddle", "tunnel",
];

/// Peers the reader's messages come from.
const PEERS: usize = 4;

/// Results a page holds, as an app's search box asks.
const PAGE: u32 = 20;

fn text(i: usize) -> String {
    let word = |k: usize| WORDS[(i.wrapping_mul(2_654_435_761) >> k) % WORDS.len()];
    format!("{} {} {} note {i}", word(3), word(11), word(19))
}

pub async fn run(
    target: &Target,
    messages: usize,
    iterations: usize,
    settle_secs: u64,
) -> Result<Report, BoxError> {
    let prefix = client::run_prefix();
    let reader = format!("{prefix}r");
    drop(target.login(&reader).await?);
    let began = Instant::now();
    let per_peer = messages.div_ceil(PEERS);
    let needle_at = per_peer / 2;
    let fills = (0..PEERS).map(|p| {
        let (target, reader) = (target.clone(), reader.clone());
        let from = format!("{prefix}s{p}");
        async move {
            let text = move |i: usize| match (p, i) {
                (0, i) if i == needle_at => format!("{} needle", text(i)),
                (p, i) => text(p * per_peer + i),
            };
            fill_with(&target, &from, &reader, per_peer, text).await
        }
    });
    futures_util::future::try_join_all(fills).await?;
    let fill_seconds = began.elapsed().as_secs_f64();

    let query = |keywords: &[&str], peer: Option<String>, match_all: bool| SearchQuery {
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
        match_all,
        peer: peer.and_then(|p| UserId::parse(p).ok()),
        ..SearchQuery::default()
    };
    let queries = [
        ("one match in all", query(&["needle"], None, false)),
        ("common word, first page", query(&["river"], None, false)),
        (
            "two words together",
            query(&["river", "candle"], None, true),
        ),
        (
            "common word in one conversation",
            query(&["river"], Some(format!("{prefix}s1")), false),
        ),
        ("two characters, no match", query(&["zq"], None, false)),
    ];
    let (mut tx, mut rx) = target.login(&reader).await?;
    let mut id = 0u64;
    let mut time = async |queries: &[(&'static str, SearchQuery)]| {
        let mut figures = Vec::new();
        for (name, query) in queries {
            let mut samples = Vec::new();
            let mut found = 0;
            for _ in 0..iterations.max(1) {
                id += 1;
                let request = Request::Search {
                    query: query.clone(),
                    before: 0,
                    limit: PAGE,
                };
                let t = Instant::now();
                let Reply::SearchResults { messages, .. } =
                    client::call(&mut tx, &mut rx, id, request).await?
                else {
                    return Err::<_, BoxError>("search answered with something else".into());
                };
                samples.push(t.elapsed().as_secs_f64() * 1000.0);
                found = messages.len();
            }
            let timed = Report::default().with_latencies(samples);
            figures.push(SearchFigure {
                query: name,
                found,
                p50_ms: timed.p50_ms,
                p99_ms: timed.p99_ms,
            });
        }
        Ok(figures)
    };
    let unindexed = time(&queries).await?;
    tokio::time::sleep(std::time::Duration::from_secs(settle_secs)).await;
    let figures = time(&queries).await?;
    Ok(Report {
        sent: (per_peer * PEERS) as u64,
        delivered: (per_peer * PEERS) as u64,
        msgs_per_sec: (per_peer * PEERS) as f64 / fill_seconds,
        seconds: fill_seconds,
        searches: Some(figures),
        searches_unindexed: Some(unindexed),
        ..Report::default()
    })
}
