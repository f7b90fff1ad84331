//! `duet-bench`: drives a running `duet-server` over real WebSockets and reports delivery counts,
//! throughput and latency (BENCHMARKS.md has the commands and the latest figures).
//!
//! It signs UserSigs with the same `DUET_SDKAPPID` / `DUET_SECRET_KEY` the server was started
//! with.

mod client;
mod history;
mod idle;
mod media;
mod offline;
mod online;
mod search;
mod stats;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "duet-bench", version, about = "Load generator for duet-server")]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
    /// The server's base URL; for a cluster, each node's, comma-separated. The `online` and
    /// `offline` modes spread their users over the nodes so that every message crosses from
    /// one node to another; the other modes use the first.
    #[arg(
        long,
        global = true,
        value_delimiter = ',',
        default_value = "http://127.0.0.1:8080"
    )]
    url: Vec<String>,
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[arg(long, env = "DUET_SDKAPPID", global = true)]
    sdk_app_id: Option<u64>,
    #[arg(long, env = "DUET_SECRET_KEY", hide_env_values = true, global = true)]
    secret_key: Option<String>,
}

#[derive(Subcommand)]
enum Mode {
    /// Pairs of online users; each pair's first user sends to the second.
    Online {
        #[arg(long, default_value_t = 100)]
        pairs: usize,
        /// Messages per pair.
        #[arg(long, default_value_t = 1000)]
        messages: usize,
        /// Total send rate in messages per second (default: as fast as acks allow).
        #[arg(long)]
        rate: Option<f64>,
        /// Unacknowledged sends per sender when no rate is set.
        #[arg(long, default_value_t = 32)]
        window: usize,
    },
    /// Messages waiting for a signed-out user, synced at sign-in.
    Offline {
        #[arg(long, default_value_t = 10_000)]
        messages: usize,
    },
    /// Fetching the newest messages of a conversation.
    History {
        #[arg(long, default_value_t = 1000)]
        messages: usize,
        #[arg(long, default_value_t = 100)]
        page: u32,
        #[arg(long, default_value_t = 20)]
        iterations: usize,
    },
    /// Searching one user's roaming history of many messages (the server must allow the
    /// search rate: `DUET_SEARCH_RATE`, `DUET_SEARCH_BURST`).
    Search {
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        #[arg(long, default_value_t = 20)]
        iterations: usize,
        /// Seconds to wait before the second round, for the server to index the messages.
        #[arg(long, default_value_t = 10)]
        settle: u64,
    },
    /// Uploading and downloading one large file; the server's memory while it streams.
    Media {
        #[arg(long, default_value_t = 100)]
        megabytes: u64,
        /// The server's process id (default: the one process named duet-server).
        #[arg(long)]
        server_pid: Option<u32>,
    },
    /// Server memory per idle signed-in connection.
    Idle {
        #[arg(long, default_value_t = 10_000)]
        connections: usize,
        /// The server's process id (default: the one process named duet-server).
        #[arg(long)]
        server_pid: Option<u32>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (Some(app), Some(key)) = (cli.sdk_app_id, cli.secret_key.as_deref()) else {
        eprintln!(
            "duet-bench: set DUET_SDKAPPID and DUET_SECRET_KEY to the server's (or pass --sdk-app-id/--secret-key)"
        );
        return ExitCode::FAILURE;
    };
    let targets: Vec<client::Target> = cli
        .url
        .iter()
        .map(|url| client::Target::new(url, app, key))
        .collect();
    let target = &targets[0];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(async {
        match cli.mode {
            Mode::Online {
                pairs,
                messages,
                rate,
                window,
            } => {
                online::run(
                    &targets,
                    online::Options {
                        pairs,
                        messages,
                        rate,
                        window,
                    },
                )
                .await
            }
            Mode::Offline { messages } => offline::run(&targets, messages).await,
            Mode::History {
                messages,
                page,
                iterations,
            } => history::run(target, messages, page, iterations).await,
            Mode::Search {
                messages,
                iterations,
                settle,
            } => search::run(target, messages, iterations, settle).await,
            Mode::Idle {
                connections,
                server_pid,
            } => idle::run(target, connections, server_pid).await,
            Mode::Media {
                megabytes,
                server_pid,
            } => media::run(target, megabytes, server_pid).await,
        }
    });
    match result {
        Ok(report) => {
            report.print(cli.json);
            if report.lost > 0 || report.duplicated > 0 {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("duet-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
