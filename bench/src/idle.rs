//! `idle`: the server's resident memory per idle signed-in connection: the growth of its RSS
//! from before this run's accounts exist until they are all connected, divided by their number.
//! It counts the accounts' own cost too (cache entries, database pages), so it errs high. Run
//! it against a freshly started server so the baseline is not memory freed by an earlier run.

use crate::client::{self, BoxError, Target};
use crate::stats::Report;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Sign-ins in progress at once.
const CONCURRENCY: usize = 200;

pub async fn run(
    target: &Target,
    connections: usize,
    server_pid: Option<u32>,
) -> Result<Report, BoxError> {
    let pid = match server_pid {
        Some(p) => p,
        None => find_server()?,
    };
    let prefix = client::run_prefix();
    let users: Vec<String> = (0..connections).map(|i| format!("{prefix}i{i}")).collect();
    let before = rss_bytes(pid)?;
    let began = Instant::now();
    let held = connect_all(target, &users).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_bytes(pid)?;
    let seconds = began.elapsed().as_secs_f64();
    let per_conn = after.saturating_sub(before) / held.len().max(1) as u64;
    drop(held);
    Ok(Report {
        sent: connections as u64,
        delivered: connections as u64,
        seconds,
        rss_per_conn_bytes: Some(per_conn),
        ..Report::default()
    })
}

async fn connect_all(
    target: &Target,
    users: &[String],
) -> Result<Vec<(client::Writer, client::Reader)>, BoxError> {
    let mut held = Vec::with_capacity(users.len());
    for chunk in users.chunks(CONCURRENCY) {
        let mut set = JoinSet::new();
        for u in chunk {
            let (t, u) = (target.clone(), u.clone());
            set.spawn(async move { t.login(&u).await });
        }
        while let Some(r) = set.join_next().await {
            held.push(r??);
        }
    }
    Ok(held)
}

pub(crate) fn rss_bytes(pid: u32) -> Result<u64, BoxError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or("no VmRSS in /proc status")?;
    Ok(kb * 1024)
}

/// The one running `duet-server` process on this machine.
pub(crate) fn find_server() -> Result<u32, BoxError> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let entry = entry?;
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(str::trim)
        };
        let exited = field("State:").is_some_and(|s| s.starts_with('Z'));
        if field("Name:") == Some("duet-server") && !exited {
            found.push(pid);
        }
    }
    match found.as_slice() {
        [pid] => Ok(*pid),
        [] => Err("no duet-server process found; pass --server-pid".into()),
        _ => Err("several duet-server processes; pass --server-pid".into()),
    }
}
