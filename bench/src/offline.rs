//! `offline`: one user receives M messages while signed out, then signs in; measures the time
//! from sign-in until every waiting message is on the client, synced the way the SDK does it:
//! the sync log first, then roaming history for whatever left the offline cache.

use crate::client::{self, BoxError, Target};
use crate::stats::Report;
use protocol::element::TextElem;
use protocol::frame::{Reply, Request, ServerFrame};
use protocol::{Element, MessageKey, Seq, SyncEvent, UserId};
use std::collections::HashSet;
use std::time::Instant;

/// Sends `count` messages from `from` to `to` as fast as the socket takes them, waiting for
/// every ack. The server must allow that rate (`DUET_WS_RATE`, `DUET_WS_BURST`).
pub async fn fill(target: &Target, from: &str, to: &str, count: usize) -> Result<(), BoxError> {
    fill_with(target, from, to, count, |i| format!("waiting message {i}")).await
}

/// [`fill`], with message `i` saying `text(i)`.
pub async fn fill_with(
    target: &Target,
    from: &str,
    to: &str,
    count: usize,
    text: impl Fn(usize) -> String + Send + 'static,
) -> Result<(), BoxError> {
    let (mut tx, mut rx) = target.login(from).await?;
    let to = UserId::parse(to)?;
    let writer = tokio::spawn(async move {
        for i in 0..count {
            let request = Request::Send {
                to: to.clone(),
                random: i as u32,
                elements: vec![Element::Text(TextElem { text: text(i) })],
                cloud_custom_data: None,
                online_only: false,
                offline_push_info: None,
                need_read_receipt: false,
                client_time_s: 0,
            };
            client::send(&mut tx, i as u64 + 1, request).await?;
        }
        Ok::<_, BoxError>(tx)
    });
    let mut acked = 0;
    while acked < count {
        match client::next_frame(&mut rx).await? {
            ServerFrame::Reply {
                data: Reply::Sent { .. },
                ..
            } => acked += 1,
            ServerFrame::Error { code, message, .. } => {
                return Err(client::refused(code, &message));
            }
            _ => {}
        }
    }
    drop(writer.await??);
    Ok(())
}

/// Runs on the nodes `targets`: the messages are sent through the first, and the receiver
/// signs in on the last.
pub async fn run(targets: &[Target], messages: usize) -> Result<Report, BoxError> {
    let prefix = client::run_prefix();
    let (sender, receiver) = (format!("{prefix}s"), format!("{prefix}r"));
    let (first, last) = (&targets[0], &targets[targets.len() - 1]);
    drop(first.login(&receiver).await?); // creates the account, then goes offline
    fill(first, &sender, &receiver, messages).await?;

    let began = Instant::now();
    let (mut tx, mut rx) = last.login(&receiver).await?;
    let mut have: HashSet<MessageKey> = HashSet::with_capacity(messages);
    let (mut after, mut gap, mut id) = (Seq(0), false, 0u64);
    loop {
        id += 1;
        let Reply::SyncPage(page) =
            client::call(&mut tx, &mut rx, id, Request::Sync { after, limit: 200 }).await?
        else {
            return Err("sync answered with something else".into());
        };
        gap |= page.gap;
        for e in page.entries {
            if let SyncEvent::Message { message } = e.event {
                have.insert(message.key);
            }
        }
        after = page.next;
        if page.complete {
            break;
        }
    }
    let mut before = None;
    while gap && have.len() < messages {
        id += 1;
        let request = Request::History {
            peer: UserId::parse(sender.clone())?,
            before,
            limit: 200,
        };
        let Reply::History {
            messages: page,
            complete,
        } = client::call(&mut tx, &mut rx, id, request).await?
        else {
            return Err("history answered with something else".into());
        };
        before = page.last().map(|m| m.key);
        have.extend(page.iter().map(|m| m.key));
        if complete {
            break;
        }
    }
    let seconds = began.elapsed().as_secs_f64();
    let delivered = have.len() as u64;
    Ok(Report {
        sent: messages as u64,
        delivered,
        lost: (messages as u64).saturating_sub(delivered),
        msgs_per_sec: delivered as f64 / seconds,
        seconds,
        ..Report::default()
    })
}
