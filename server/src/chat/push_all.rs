//! One message to every account, or to those a condition picks by their push attributes or
//! tags (Tencent's push to all users, [`super::push_marks`]): sent in the background a page of
//! accounts at a time, as the sender's ordinary one-to-one message to each, with its progress
//! kept for `duet/push_task`.

use super::push_marks::meets;
use super::{Chat, SendOptions, SendRequest};
use crate::error::ChatError;
use protocol::rest::PushCondition;
use protocol::{ErrorCode, UserId};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Accounts read, and messages in flight, at a time.
const PAGE: u32 = 500;
/// Longest wait for one page's sends; past it the push stops as failed.
const PAGE_TIMEOUT: Duration = Duration::from_secs(120);
/// As in Tencent IM: pushes start at least a second apart, and at most 100 a day (UTC).
const MIN_INTERVAL_MS: u64 = 1000;
const PER_DAY: u32 = 100;
/// Pushes whose progress is kept, oldest forgotten first.
const KEPT: usize = 100;
const DAY_MS: u64 = 86_400_000;

/// The pushes this node started.
#[derive(Default)]
pub struct PushAll {
    inner: Mutex<Started>,
}

#[derive(Default)]
struct Started {
    last_ms: u64,
    day: u64,
    today: u32,
    next_id: u64,
    tasks: VecDeque<(String, Arc<Mutex<Progress>>)>,
}

/// How far one push has gone.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub state: PushState,
    pub sent: u64,
    pub failed: u64,
    pub start_ms: u64,
    /// 0 while running.
    pub end_ms: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PushState {
    Running,
    Done,
    /// Stopped before every account was reached, for this reason.
    Failed(String),
}

impl Chat {
    /// Starts sending `message` (its `to` is not read) from `from` to every account but
    /// `from` that meets `condition`, and returns the push's ID. Refused while another push
    /// runs, within a second of the last, and past 100 a day.
    pub async fn push_all(
        self: &Arc<Self>,
        from: UserId,
        message: SendRequest,
        opts: SendOptions,
        condition: Option<PushCondition>,
    ) -> Result<String, ChatError> {
        self.check_content(&message)?;
        self.require_account(&from).await?;
        if let Some(condition) = &condition {
            self.check_push_condition(condition).await?;
        }
        let now_ms = self.clock.now_ms();
        let (id, progress) = self.push_all.start(now_ms)?;
        tracing::info!(task = %id, %from, "push to every account started");
        let (chat, task) = (self.clone(), id.clone());
        tokio::spawn(async move {
            let outcome =
                (chat.push_pages(&from, &message, opts, condition.as_ref(), &progress)).await;
            let mut p = progress.lock().expect("push progress");
            p.end_ms = chat.clock.now_ms().max(1);
            p.state = match outcome {
                Ok(()) => PushState::Done,
                Err(reason) => PushState::Failed(reason),
            };
            tracing::info!(%task, sent = p.sent, failed = p.failed, state = ?p.state, "push to every account ended");
        });
        Ok(id)
    }

    /// The progress of a push this node started, while it is among the last 100.
    pub fn push_task(&self, id: &str) -> Option<Progress> {
        let started = self.push_all.inner.lock().expect("pushes");
        let (_, progress) = started.tasks.iter().find(|(t, _)| t == id)?;
        Some(progress.lock().expect("push progress").clone())
    }

    async fn push_pages(
        &self,
        from: &UserId,
        message: &SendRequest,
        opts: SendOptions,
        condition: Option<&PushCondition>,
        progress: &Mutex<Progress>,
    ) -> Result<(), String> {
        let mut next: Option<UserId> = None;
        loop {
            let mut page = self
                .storage
                .accounts(next.as_ref(), PAGE + 1)
                .await
                .map_err(|e| format!("the accounts could not be read: {e}"))?;
            next = (page.len() > PAGE as usize).then(|| page.remove(PAGE as usize).id);
            page.retain(|a| &a.id != from);
            if let Some(condition) = condition {
                let users: Vec<UserId> = page.iter().map(|a| a.id.clone()).collect();
                let marks = (self.push_marks(&users).await).map_err(|e| {
                    format!("the accounts' tags and attributes could not be read: {e}")
                })?;
                let mut meeting = marks.iter().map(|m| meets(condition, m));
                page.retain(|_| meeting.next().unwrap_or(false));
            }
            let mut failed = 0;
            let mut sending = Vec::with_capacity(page.len());
            for account in page {
                let one = SendRequest {
                    to: account.id,
                    ..message.clone()
                };
                match self.send(from, one, opts) {
                    Ok(s) => sending.push(s),
                    Err(_) => failed += 1,
                }
            }
            let results =
                tokio::time::timeout(PAGE_TIMEOUT, futures_util::future::join_all(sending))
                    .await
                    .map_err(|_| format!("a page of {PAGE} sends took over {PAGE_TIMEOUT:?}"))?;
            let sent = results.iter().filter(|r| r.is_ok()).count() as u64;
            failed += results.len() as u64 - sent;
            {
                let mut p = progress.lock().expect("push progress");
                p.sent += sent;
                p.failed += failed;
            }
            if next.is_none() {
                return Ok(());
            }
        }
    }
}

impl PushAll {
    /// Records a new push started at `now_ms`, or says why it may not start.
    fn start(&self, now_ms: u64) -> Result<(String, Arc<Mutex<Progress>>), ChatError> {
        let mut s = self.inner.lock().expect("pushes");
        let limited = |message: String| Err(ChatError::new(ErrorCode::RATE_LIMITED, message));
        if let Some((id, _)) = s
            .tasks
            .iter()
            .find(|(_, p)| p.lock().expect("push progress").state == PushState::Running)
        {
            return limited(format!(
                "push {id} to every account is still running; push again when it ends"
            ));
        }
        if s.last_ms != 0 && now_ms < s.last_ms + MIN_INTERVAL_MS {
            return limited("pushes to every account start at least a second apart".into());
        }
        if s.day != now_ms / DAY_MS {
            s.day = now_ms / DAY_MS;
            s.today = 0;
        }
        if s.today >= PER_DAY {
            return limited(format!(
                "at most {PER_DAY} pushes to every account a day (UTC); push again tomorrow"
            ));
        }
        s.last_ms = now_ms;
        s.today += 1;
        s.next_id += 1;
        let id = format!("{now_ms:x}-{}", s.next_id);
        let progress = Arc::new(Mutex::new(Progress {
            state: PushState::Running,
            sent: 0,
            failed: 0,
            start_ms: now_ms,
            end_ms: 0,
        }));
        if s.tasks.len() == KEPT {
            s.tasks.pop_front();
        }
        s.tasks.push_back((id.clone(), progress.clone()));
        Ok((id, progress))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_start_one_at_a_time_a_second_apart_and_a_hundred_a_day() {
        let pushes = PushAll::default();
        let day = 20_000 * DAY_MS;
        let (first, progress) = pushes.start(day).unwrap();
        let running = pushes.start(day + 5_000).unwrap_err();
        assert_eq!(running.code, ErrorCode::RATE_LIMITED);
        assert!(running.message.contains(&first), "{}", running.message);
        progress.lock().unwrap().state = PushState::Done;
        assert_eq!(
            pushes.start(day + 999).unwrap_err().code,
            ErrorCode::RATE_LIMITED
        );
        let mut at = day + 1_000;
        for _ in 1..PER_DAY {
            let (_, p) = pushes.start(at).unwrap();
            p.lock().unwrap().state = PushState::Done;
            at += 1_000;
        }
        let over = pushes.start(at).unwrap_err();
        assert!(over.message.contains("a day"), "{}", over.message);
        let (_, p) = pushes.start(day + DAY_MS).expect("a new day");
        p.lock().unwrap().state = PushState::Done;
        assert_eq!(
            pushes.inner.lock().unwrap().tasks.len(),
            KEPT,
            "the oldest forgotten"
        );
    }
}
