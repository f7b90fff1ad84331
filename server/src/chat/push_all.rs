//! One message to every account, or to those a condition picks by their push attributes or
//! tags (Tencent's push to all users, [`super::push_marks`]): sent in the background a page of
//! accounts at a time, as the sender's ordinary one-to-one message to each. Or a notice, a
//! notification alone with no message behind it (Tencent's push product), queued for the
//! push worker to each account picked, or to each account of a list.
//!
//! The pushes started, their limits and their progress are one app setting ([`Registry`]),
//! changed by [`Storage::update`](crate::storage::Storage::update): on a cluster every node
//! sees the same limits and any node answers `duet/push_task` about any push. The node running
//! a push reports after each page; a push whose node stops reporting is taken to have stopped
//! with it.

use super::push_marks::meets;
use super::{Chat, SendOptions, SendRequest, read_stored};
use crate::error::ChatError;
use crate::storage::{Slot, StorageResult};
use protocol::push::OfflinePushInfo;
use protocol::rest::PushCondition;
use protocol::{ErrorCode, UserId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The setting the pushes are kept under (JSON of [`Registry`]).
const KEY: &str = "push_tasks";
/// Accounts read, and messages in flight, at a time.
const PAGE: u32 = 500;
/// Longest wait for one page's sends; past it the push stops as failed.
const PAGE_TIMEOUT: Duration = Duration::from_secs(120);
/// A running push not reported for this long (over two pages' time) stopped with its node.
const SILENT_MS: u64 = 300_000;
/// As in Tencent IM: pushes start at least a second apart, and at most 100 a day (UTC).
const MIN_INTERVAL_MS: u64 = 1000;
const PER_DAY: u32 = 100;
/// Pushes whose progress is kept, oldest forgotten first.
const KEPT: usize = 100;
const DAY_MS: u64 = 86_400_000;

/// How far one push has gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub state: PushState,
    pub sent: u64,
    pub failed: u64,
    pub start_ms: u64,
    /// 0 while running.
    pub end_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PushState {
    Running,
    Done,
    /// Stopped before every account was reached, for this reason.
    Failed(String),
}

/// The pushes started, as stored.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Registry {
    /// When the last push started.
    last_ms: u64,
    /// The UTC day (since the epoch) that `today` counts the pushes of.
    day: u64,
    today: u32,
    /// The last [`KEPT`] pushes, oldest first.
    tasks: Vec<Task>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Task {
    id: String,
    progress: Progress,
    /// When its node last reported.
    beat_ms: u64,
}

impl Task {
    /// Its progress at `now_ms`: a running push whose node went silent stopped.
    fn progress_at(&self, now_ms: u64) -> Progress {
        let mut p = self.progress.clone();
        if p.state == PushState::Running && now_ms.saturating_sub(self.beat_ms) > SILENT_MS {
            p.state = PushState::Failed(
                "the server running it stopped reporting; the accounts not counted were not reached"
                    .into(),
            );
            p.end_ms = self.beat_ms;
        }
        p
    }
}

impl Registry {
    fn read(json: Option<&str>) -> Result<Self, ChatError> {
        read_stored(json, "pushes to every account")
    }

    fn write(&self) -> String {
        serde_json::to_string(self).expect("numbers and strings write")
    }

    /// Records push `id` started at `now_ms`, or says why it may not start.
    fn start(&mut self, id: String, now_ms: u64) -> Result<(), ChatError> {
        let limited = |message: String| Err(ChatError::new(ErrorCode::RATE_LIMITED, message));
        if let Some(running) =
            (self.tasks.iter()).find(|t| t.progress_at(now_ms).state == PushState::Running)
        {
            return limited(format!(
                "push {} to every account is still running; push again when it ends",
                running.id
            ));
        }
        if self.last_ms != 0 && now_ms < self.last_ms + MIN_INTERVAL_MS {
            return limited("pushes to every account start at least a second apart".into());
        }
        if self.day != now_ms / DAY_MS {
            self.day = now_ms / DAY_MS;
            self.today = 0;
        }
        if self.today >= PER_DAY {
            return limited(format!(
                "at most {PER_DAY} pushes to every account a day (UTC); push again tomorrow"
            ));
        }
        self.last_ms = now_ms;
        self.today += 1;
        self.keep_room();
        self.tasks.push(Task {
            id,
            progress: Progress {
                state: PushState::Running,
                sent: 0,
                failed: 0,
                start_ms: now_ms,
                end_ms: 0,
            },
            beat_ms: now_ms,
        });
        Ok(())
    }

    /// Records push `id`, done at `now_ms` with these counts: a push to listed accounts, which
    /// the limits above do not hold.
    fn record(&mut self, id: String, sent: u64, failed: u64, now_ms: u64) {
        self.keep_room();
        self.tasks.push(Task {
            id,
            progress: Progress {
                state: PushState::Done,
                sent,
                failed,
                start_ms: now_ms,
                end_ms: now_ms.max(1),
            },
            beat_ms: now_ms,
        });
    }

    /// Forgets the oldest push when [`KEPT`] are kept.
    fn keep_room(&mut self) {
        if self.tasks.len() == KEPT {
            self.tasks.remove(0);
        }
    }

    /// Adds a page's counts to push `id`, and ends it with `end` when given.
    fn report(&mut self, id: &str, sent: u64, failed: u64, end: Option<PushState>, now_ms: u64) {
        let Some(task) = self.tasks.iter_mut().find(|t| t.id == id) else {
            return;
        };
        task.beat_ms = now_ms;
        let p = &mut task.progress;
        p.sent += sent;
        p.failed += failed;
        if let Some(state) = end {
            p.state = state;
            p.end_ms = now_ms.max(1);
        }
    }
}

/// What a push to every account sends each account.
#[derive(Clone)]
pub enum Pushed {
    /// A message (its `to` is not read).
    Message(SendRequest, SendOptions),
    /// A notice: a notification with this title and text and no message.
    Notice(OfflinePushInfo),
}

/// Most accounts one push to a list of accounts names (Tencent's `timpush/batch`).
pub const MAX_LISTED: usize = 500;

impl Chat {
    /// Starts sending `pushed` from `from` to every account but `from` that meets
    /// `condition`, and returns the push's ID. Refused while another push runs, within a
    /// second of the last, and past 100 a day.
    pub async fn push_all(
        self: &Arc<Self>,
        from: UserId,
        pushed: Pushed,
        condition: Option<PushCondition>,
    ) -> Result<String, ChatError> {
        match &pushed {
            Pushed::Message(message, _) => self.check_content(message)?,
            Pushed::Notice(info) => check_notice(info)?,
        }
        self.require_account(&from).await?;
        if let Some(condition) = &condition {
            self.check_push_condition(condition).await?;
        }
        let now_ms = self.clock.now_ms();
        let id = task_id(now_ms);
        let task = id.clone();
        let start = Box::new(move |now: Option<&str>| {
            let mut registry = Registry::read(now)?;
            registry.start(task, now_ms)?;
            Ok(registry.write())
        });
        self.storage
            .update(Slot::Setting(KEY.into()), start)
            .await??;
        tracing::info!(task = %id, %from, "push to every account started");
        let (chat, task) = (self.clone(), id.clone());
        tokio::spawn(async move {
            let outcome = (chat.push_pages(&task, &from, &pushed, condition.as_ref())).await;
            let state = match outcome {
                Ok(()) => PushState::Done,
                Err(reason) => PushState::Failed(reason),
            };
            tracing::info!(%task, ?state, "push to every account ended");
            if let Err(e) = chat.report_push(&task, 0, 0, Some(state)).await {
                tracing::error!(%task, error = %e, "the end of a push to every account was not stored");
            }
        });
        Ok(id)
    }

    /// Queues a notice to each account of `to` (1 to [`MAX_LISTED`]; one named twice gets one)
    /// and returns the push's ID; an account that does not exist is counted failed. Not held to
    /// the limits of a push to every account: it reaches only the accounts named.
    pub async fn push_listed(
        &self,
        mut to: Vec<UserId>,
        info: OfflinePushInfo,
    ) -> Result<String, ChatError> {
        check_notice(&info)?;
        if to.is_empty() || to.len() > MAX_LISTED {
            return Err(ChatError::new(
                ErrorCode::INVALID_ARGUMENT,
                format!(
                    "To_Account lists 1 to {MAX_LISTED} accounts, got {}",
                    to.len()
                ),
            ));
        }
        to.sort_unstable();
        to.dedup();
        let known: Vec<UserId> = (self.profiles(&to).await?.into_iter())
            .map(|p| p.user_id)
            .collect();
        let failed = (to.len() - known.len()) as u64;
        let sent = known.len() as u64;
        self.queue_notices(known, info).await?;
        let now_ms = self.clock.now_ms();
        let id = task_id(now_ms);
        let task = id.clone();
        let record = Box::new(move |now: Option<&str>| {
            let mut registry = Registry::read(now)?;
            registry.record(task, sent, failed, now_ms);
            Ok(registry.write())
        });
        self.storage
            .update(Slot::Setting(KEY.into()), record)
            .await??;
        Ok(id)
    }

    /// The progress of a push, while it is among the last 100.
    pub async fn push_task(&self, id: &str) -> Result<Option<Progress>, ChatError> {
        let registry = Registry::read(self.storage.setting(KEY).await?.as_deref())?;
        let now_ms = self.clock.now_ms();
        Ok((registry.tasks.iter())
            .find(|t| t.id == id)
            .map(|t| t.progress_at(now_ms)))
    }

    async fn report_push(
        &self,
        id: &str,
        sent: u64,
        failed: u64,
        end: Option<PushState>,
    ) -> Result<(), ChatError> {
        let (id, now_ms) = (id.to_owned(), self.clock.now_ms());
        let report = Box::new(move |now: Option<&str>| {
            let mut registry = Registry::read(now)?;
            registry.report(&id, sent, failed, end, now_ms);
            Ok(registry.write())
        });
        self.storage
            .update(Slot::Setting(KEY.into()), report)
            .await?
    }

    async fn push_pages(
        &self,
        task: &str,
        from: &UserId,
        pushed: &Pushed,
        condition: Option<&PushCondition>,
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
            let users: Vec<UserId> = page.into_iter().map(|a| a.id).collect();
            let (sent, failed) = match pushed {
                Pushed::Message(message, opts) => {
                    self.send_page(from, users, message, *opts).await?
                }
                Pushed::Notice(info) => {
                    let count = users.len() as u64;
                    (self.queue_notices(users, info.clone()).await)
                        .map_err(|e| format!("the notices could not be queued: {e}"))?;
                    (count, 0)
                }
            };
            self.report_push(task, sent, failed, None)
                .await
                .map_err(|e| format!("its progress could not be stored: {e}"))?;
            if next.is_none() {
                return Ok(());
            }
        }
    }
}

impl Chat {
    /// Queues a notice to each of `users`, due now, and wakes the push worker.
    async fn queue_notices(&self, users: Vec<UserId>, info: OfflinePushInfo) -> StorageResult<()> {
        let now_ms = self.clock.now_ms();
        self.storage.push_notices(users, info, now_ms).await?;
        self.push_wake.notify_one();
        Ok(())
    }

    /// `message` to each of `users`: how many were sent and how many failed.
    async fn send_page(
        &self,
        from: &UserId,
        users: Vec<UserId>,
        message: &SendRequest,
        opts: SendOptions,
    ) -> Result<(u64, u64), String> {
        let mut failed = 0;
        let mut sending = Vec::with_capacity(users.len());
        for to in users {
            let one = SendRequest {
                to,
                ..message.clone()
            };
            match self.send(from, one, opts) {
                Ok(s) => sending.push(s),
                Err(_) => failed += 1,
            }
        }
        let results = tokio::time::timeout(PAGE_TIMEOUT, futures_util::future::join_all(sending))
            .await
            .map_err(|_| format!("a page of {PAGE} sends took over {PAGE_TIMEOUT:?}"))?;
        let sent = results.iter().filter(|r| r.is_ok()).count() as u64;
        Ok((sent, failed + results.len() as u64 - sent))
    }
}

/// A push's ID: when it started, and a random part.
fn task_id(now_ms: u64) -> String {
    format!("{now_ms:x}-{:08x}", rand::random::<u32>())
}

/// A notice must say something: a title or a text, within Tencent's limits.
fn check_notice(info: &OfflinePushInfo) -> Result<(), ChatError> {
    let refuse = |message: &str| Err(ChatError::new(ErrorCode::BAD_MSG_BODY, message));
    info.check()
        .map_err(|e| ChatError::new(ErrorCode::INVALID_ARGUMENT, e))?;
    if info.push_flag != 0 {
        return refuse(
            "a push without MsgBody is its OfflinePushInfo's notification; PushFlag 1 turns that off and leaves nothing to send",
        );
    }
    if info.title.is_empty() && info.desc.is_empty() {
        return refuse("a push without MsgBody needs OfflinePushInfo's Title or Desc to show");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(registry: &mut Registry, at: u64) -> Result<String, ChatError> {
        let id = format!("p{at}");
        registry.start(id.clone(), at).map(|()| id)
    }

    fn end(registry: &mut Registry, id: &str, at: u64) {
        registry.report(id, 0, 0, Some(PushState::Done), at);
    }

    #[test]
    fn pushes_start_one_at_a_time_a_second_apart_and_a_hundred_a_day() {
        let mut pushes = Registry::default();
        let day = 20_000 * DAY_MS;
        let first = started(&mut pushes, day).unwrap();
        let running = started(&mut pushes, day + 5_000).unwrap_err();
        assert_eq!(running.code, ErrorCode::RATE_LIMITED);
        assert!(running.message.contains(&first), "{}", running.message);
        pushes.report(&first, 7, 1, None, day + 6_000);
        end(&mut pushes, &first, day + 7_000);
        let p = pushes.tasks[0].progress_at(day + 8_000);
        assert_eq!(
            (p.state, p.sent, p.failed, p.end_ms),
            (PushState::Done, 7, 1, day + 7_000)
        );
        let again = Registry::read(Some(&pushes.write())).unwrap();
        assert_eq!(again.tasks[0].progress.sent, 7, "kept as written");

        let mut pushes = Registry::default();
        let first = started(&mut pushes, day).unwrap();
        end(&mut pushes, &first, day);
        assert_eq!(
            started(&mut pushes, day + 999).unwrap_err().code,
            ErrorCode::RATE_LIMITED
        );
        let mut at = day + 1_000;
        for _ in 1..PER_DAY {
            let id = started(&mut pushes, at).unwrap();
            end(&mut pushes, &id, at);
            at += 1_000;
        }
        let over = started(&mut pushes, at).unwrap_err();
        assert!(over.message.contains("a day"), "{}", over.message);
        let id = started(&mut pushes, day + DAY_MS).expect("a new day");
        end(&mut pushes, &id, day + DAY_MS);
        assert_eq!(pushes.tasks.len(), KEPT, "the oldest forgotten");
    }

    #[test]
    fn a_push_whose_node_went_silent_stopped_and_blocks_no_other() {
        let mut pushes = Registry::default();
        let id = started(&mut pushes, 1_000).unwrap();
        pushes.report(&id, 500, 0, None, 2_000);
        assert_eq!(
            pushes.tasks[0].progress_at(2_000 + SILENT_MS).state,
            PushState::Running
        );
        let later = 2_001 + SILENT_MS;
        let p = pushes.tasks[0].progress_at(later);
        assert!(matches!(p.state, PushState::Failed(_)), "{p:?}");
        assert_eq!((p.sent, p.end_ms), (500, 2_000));
        started(&mut pushes, later).expect("no longer running");
    }
}
