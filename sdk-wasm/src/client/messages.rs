//! Messages and conversations: drafts, sending (with the outbox and media uploads), history,
//! read state, edits, recall and deletion.

use super::Client;
use crate::cache::{Cache, OutboxItem};
use crate::error::{SdkError, codes};
use crate::keyed::map_of;
use litemap::LiteMap;
use protocol::frame::ConversationChange;
use protocol::{Conversation, Element, ErrorCode, Message, MessageKey, Profile, Removal, UserId};

/// How many messages a client keeps for [`Client::find_message`].
pub const MAX_SEEN: usize = 1000;

/// Where a [`Client::messages_at`] page ended: its conversation, the time it gave for the next
/// page, and the message it ended with.
#[derive(Debug, Clone)]
pub(super) struct Hop {
    peer: UserId,
    time_s: u64,
    last: MessageKey,
}

/// How far a conversation is read: by this user (`mine`) and by the peer, as key numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadMarks {
    pub mine: u64,
    pub peer: u64,
}

impl ReadMarks {
    /// Whether `m` counts as read by this user (`me`): own messages always do.
    pub fn is_read(&self, m: &Message, me: &UserId) -> bool {
        &m.from == me || m.key.id <= self.mine
    }

    /// Whether the peer has read `m`, one of this user's messages.
    pub fn is_peer_read(&self, m: &Message, me: &UserId) -> bool {
        &m.from == me && m.key.id <= self.peer
    }
}

/// Unread counts, read marks and which conversations hold a draft, as of one conversation
/// list.
pub(super) struct ReadState {
    total_unread: u32,
    marks: LiteMap<UserId, ReadMarks>,
    drafts: LiteMap<UserId, ()>,
}

impl ReadState {
    /// The state of `list`; the unread messages of the peers in `muted` are left out of the
    /// total, as Tencent's SDK leaves out conversations that do not notify.
    pub(super) fn of(list: &[Conversation], muted: &LiteMap<UserId, ()>) -> Self {
        let marks = list.iter().map(|c| {
            let marks = ReadMarks {
                mine: c.read_up_to,
                peer: c.peer_read_up_to,
            };
            (c.peer.clone(), marks)
        });
        Self {
            total_unread: (list.iter())
                .filter(|c| !muted.contains_key(&c.peer))
                .map(|c| c.unread)
                .sum(),
            marks: map_of(marks),
            drafts: map_of(
                list.iter()
                    .filter(|c| !c.draft.is_empty())
                    .map(|c| (c.peer.clone(), ())),
            ),
        }
    }
}

/// A media message created and not yet uploaded: the file, who hears of the upload's
/// progress, and how to stop it.
#[cfg(target_arch = "wasm32")]
pub(super) struct MediaDraft {
    file: crate::upload::MediaFile,
    progress: crate::upload::Progress,
    pub(super) cancel: crate::upload::Cancel,
    /// The uploaded file's element, once uploaded: a refused send is retried without
    /// uploading again.
    uploaded: Option<Element>,
}

fn random_u32() -> u32 {
    (crate::runtime::unit_random() * f64::from(u32::MAX)) as u32
}

impl<C: Cache + 'static> Client<C> {
    /// A new message to `to`, not yet sent. Its random, fixed here, makes every later attempt
    /// to send it the same message to the server.
    pub fn draft(
        &self,
        to: UserId,
        elements: Vec<Element>,
        cloud_custom_data: Option<String>,
    ) -> OutboxItem {
        OutboxItem {
            to,
            random: random_u32(),
            elements,
            cloud_custom_data,
            created_ms: crate::runtime::now_ms(),
            offline_push_info: None,
            need_read_receipt: false,
        }
    }

    /// A copy of a message to send to `to` (Tencent's `createForwardMessage`): its `elements`,
    /// with `cloud_custom_data`. [`codes::FORWARD_EMPTY`] for a message with none (recalled,
    /// or its media not uploaded yet).
    pub fn draft_forward(
        &self,
        to: UserId,
        elements: Vec<Element>,
        cloud_custom_data: Option<String>,
    ) -> Result<OutboxItem, SdkError> {
        if elements.is_empty() {
            return Err(SdkError::new(
                codes::FORWARD_EMPTY,
                "the message has nothing to forward (recalled, or not uploaded yet)",
            ));
        }
        Ok(self.draft(to, elements, cloud_custom_data))
    }

    /// Sends a message. Resolves with the stored message once the server has it; a refusal
    /// (blocked, not friends, too large, …) fails with the server's code, and the message can
    /// be sent again as it is. Without a connection (or when the server does not answer in
    /// time) the message waits in the outbox, and this resolves when it goes out after
    /// reconnecting; logging out first fails it with [`codes::DISCONNECTED`], the message still
    /// in the outbox. A media draft is uploaded first.
    pub async fn send(&self, item: OutboxItem) -> Result<Message, SdkError> {
        let item = self.ready_to_send(item).await?;
        let waiting = (item.to.clone(), item.random);
        let (tx, rx) = futures_channel::oneshot::channel();
        self.inner.waiting.borrow_mut().insert(waiting.clone(), tx);
        let result = match self.session() {
            Some(session) => session.send(item).await,
            None => match self.inner.cache.outbox_put(&item).await {
                Ok(()) => Err(SdkError::disconnected()),
                Err(e) => Err(e.into()),
            },
        };
        let queued =
            matches!(&result, Err(e) if e.code == codes::DISCONNECTED || e.code == codes::TIMEOUT);
        // Sent or in the outbox, a media message needs its file no more.
        if queued || result.is_ok() {
            self.forget_media(waiting.1);
        }
        if queued {
            return rx.await.unwrap_or_else(|_| Err(SdkError::disconnected()));
        }
        self.inner.waiting.borrow_mut().remove(&waiting);
        if let Ok(m) = &result {
            self.remember(std::slice::from_ref(m));
        }
        if result.is_ok() && self.has_draft(&waiting.0) {
            // What was being written there is sent: its draft goes, on every device. The send
            // succeeded whatever becomes of this; a draft that stays is shown, not lost.
            let clear = ConversationChange {
                draft: Some(String::new()),
                ..Default::default()
            };
            let _ = self.set_conversation(&waiting.0, clear).await;
        }
        result
    }

    /// Whether the conversation with `peer` holds a draft, as of the last conversation list.
    fn has_draft(&self, peer: &UserId) -> bool {
        self.inner
            .read
            .borrow()
            .as_ref()
            .is_some_and(|r| r.drafts.contains_key(peer))
    }

    /// Changes this user's state of the conversation with `peer`, for every device of this
    /// user: pins or unpins it (pinned conversations come first in the list), keeps a draft
    /// as the text being written in it (empty: none; cleared when a message is sent there),
    /// sets or clears marks (Tencent's mark types, one bit each), keeps the app's own data.
    pub async fn set_conversation(
        &self,
        peer: &UserId,
        change: ConversationChange,
    ) -> Result<(), SdkError> {
        self.connected()?.set_conversation(peer, change).await
    }

    /// Sends a message to the devices of both users online now (Tencent's `onlineUserOnly`):
    /// it is not stored anywhere, not pushed and not counted unread, and fails with
    /// [`codes::DISCONNECTED`] without a connection. A media draft is uploaded first.
    pub async fn send_online(&self, item: OutboxItem) -> Result<Message, SdkError> {
        let item = self.ready_to_send(item).await?;
        let random = item.random;
        let sent = self.connected()?.send_online(item).await?;
        self.forget_media(random);
        Ok(sent)
    }

    /// Tells `peer`'s devices online now that this user is typing (`true`), at most once every
    /// [`crate::typing::THROTTLE_MS`] per peer (calls in between do nothing), or that it stopped
    /// (only after saying it was typing). Kept nowhere. A refusal (blocked, not friends) is
    /// not reported: typing is no way to learn about the peer's lists.
    pub async fn send_typing(&self, peer: &UserId, typing: bool) -> Result<(), SdkError> {
        let now = crate::runtime::now_ms();
        {
            let mut sent = self.inner.typing.borrow_mut();
            // A peer's indicator clears by itself after twice the interval: older entries
            // need no "stopped" and go, so the map holds only the peers typed to lately.
            sent.retain(|_, last| now.saturating_sub(*last) < 2 * crate::typing::THROTTLE_MS);
            match (typing, sent.get(peer)) {
                (true, Some(last)) if now.saturating_sub(*last) < crate::typing::THROTTLE_MS => {
                    return Ok(());
                }
                (false, None) => return Ok(()),
                (true, _) => drop(sent.insert(peer.clone(), now)),
                (false, Some(_)) => drop(sent.remove(peer)),
            }
        }
        let item = self.draft(peer.clone(), vec![crate::typing::element(typing)], None);
        match self.connected()?.send_online(item).await {
            Err(e) if e.code == codes::DISCONNECTED || e.code == codes::TIMEOUT => Err(e),
            _ => Ok(()),
        }
    }

    /// The draft with its content: a media draft's file uploaded.
    async fn ready_to_send(&self, item: OutboxItem) -> Result<OutboxItem, SdkError> {
        #[cfg(target_arch = "wasm32")]
        let item = self.with_media(item).await?;
        if item.elements.is_empty() {
            return Err(SdkError::new(
                ErrorCode::INVALID_ARGUMENT,
                "a message needs content",
            ));
        }
        Ok(item)
    }

    /// Drops what a media draft kept for its upload, once the message is on its way.
    fn forget_media(&self, _random: u32) {
        #[cfg(target_arch = "wasm32")]
        self.inner.media.borrow_mut().remove(&_random);
    }

    /// What waits in the outbox, oldest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxItem>, SdkError> {
        Ok(self.inner.cache.outbox().await?)
    }

    /// Up to `count` messages with `peer` older than `before`, newest first, and whether
    /// nothing older exists: see [`crate::session::Session::messages`]. Offline (or when the
    /// connection drops meanwhile), from the cache alone.
    pub async fn messages(
        &self,
        peer: &UserId,
        before: Option<MessageKey>,
        count: u32,
    ) -> Result<(Vec<Message>, bool), SdkError> {
        let page = match self.session() {
            Some(session) => match session.messages(peer, before, count).await {
                Err(e) if e.code == codes::DISCONNECTED => None, // dropped meanwhile
                answer => Some(answer?),
            },
            None => None,
        };
        let (page, complete) = match page {
            Some(page) => page,
            // Offline, the cache is all there is to show: complete when it holds fewer.
            None => {
                let cached = self.inner.cache.messages(peer, before, count).await?;
                let complete = cached.len() < count as usize;
                (cached, complete)
            }
        };
        self.remember(&page);
        Ok((page, complete))
    }

    /// Up to `count` messages with `peer` next to `time_s` (seconds; 0: now), from the server
    /// (Tencent's `getMessageListHopping`): sent at or before it, or with `newer` at or after
    /// it; oldest first either way. Then whether nothing further is left that way, and the
    /// time to ask from for the next page: asked from it, the next page goes on from the last
    /// message given, as Tencent's SDK does (for the last page read each way, whatever its
    /// conversation). Not cached: a page apart from the newest would
    /// leave a gap in the cached history.
    pub async fn messages_at(
        &self,
        peer: &UserId,
        time_s: u64,
        newer: bool,
        count: u32,
    ) -> Result<(Vec<Message>, bool, u64), SdkError> {
        let from = (self.inner.hops.borrow()[usize::from(newer)].as_ref())
            .filter(|h| &h.peer == peer && h.time_s == time_s)
            .map(|h| h.last);
        let time_ms = match (time_s, newer) {
            (0, false) => u64::MAX,
            (_, false) => time_s.saturating_mul(1000).saturating_add(999),
            (_, true) => time_s.saturating_mul(1000),
        };
        let (mut page, complete) = (self.connected()?)
            .history_at(peer, time_ms, newer, from, count)
            .await?;
        if !newer {
            page.reverse();
        }
        self.remember(&page);
        let last = if newer { page.last() } else { page.first() };
        let next_s = last.map_or(time_s, |m| m.time_ms / 1000);
        self.inner.hops.borrow_mut()[usize::from(newer)] = last.map(|m| Hop {
            peer: peer.clone(),
            time_s: next_s,
            last: m.key,
        });
        Ok((page, complete, next_s))
    }

    /// The conversation list, most recent first (from the cache, kept current by the sync).
    pub async fn conversations(&self) -> Result<Vec<Conversation>, SdkError> {
        Ok(self.inner.cache.conversations().await?)
    }

    /// The conversation with `peer`: the listed one, or else a new one, with no message yet
    /// and the peer's profile (Tencent's `getConversationProfile`, which an app calls to open a
    /// chat with someone new). It joins the list with its first message. [`codes::NO_USER`]
    /// when there is no such user.
    pub async fn conversation(&self, peer: &UserId) -> Result<Conversation, SdkError> {
        let listed = self.conversations().await?;
        if let Some(found) = listed.into_iter().find(|c| &c.peer == peer) {
            return Ok(found);
        }
        let profile = (self.profiles(vec![peer.clone()]).await?.pop())
            .ok_or_else(|| SdkError::new(codes::NO_USER, "there is no user of that ID"))?;
        Ok(Conversation::new(
            profile.user_id,
            profile.nick,
            profile.avatar,
        ))
    }

    /// Unread messages over all conversations but the muted ones, as of the last conversation
    /// list (Tencent's total: a muted conversation keeps its own count).
    pub fn total_unread(&self) -> u32 {
        self.inner
            .read
            .borrow()
            .as_ref()
            .map_or(0, |r| r.total_unread)
    }

    /// How far the conversation with `peer` is read, by this user and by the peer.
    pub async fn read_marks(&self, peer: &UserId) -> Result<ReadMarks, SdkError> {
        if self.inner.read.borrow().is_none() {
            let list = self.inner.cache.conversations().await?;
            let state = ReadState::of(&list, &self.inner.muted.borrow());
            *self.inner.read.borrow_mut() = Some(state);
        }
        Ok(self.known_read_marks(peer))
    }

    /// How far the conversation with `peer` is read, as of the last conversation list heard
    /// of (none read before any).
    pub fn known_read_marks(&self, peer: &UserId) -> ReadMarks {
        let read = self.inner.read.borrow();
        (read.as_ref())
            .and_then(|r| r.marks.get(peer).copied())
            .unwrap_or_default()
    }

    /// The message whose `ID` ([`Message::id`]) is `id`, among the last [`MAX_SEEN`] this
    /// client heard of or read (Tencent's `findMessage`, which looks in its memory alone).
    pub fn find_message(&self, id: &str) -> Option<Message> {
        (self.inner.seen.borrow().iter().rev())
            .find(|m| m.id() == id)
            .cloned()
    }

    /// Keeps `messages` for [`Client::find_message`], as they are now.
    pub(super) fn remember(&self, messages: &[Message]) {
        let mut seen = self.inner.seen.borrow_mut();
        for m in messages {
            match seen.iter_mut().find(|s| s.key == m.key) {
                Some(kept) => *kept = m.clone(),
                None => seen.push(m.clone()),
            }
        }
        let excess = seen.len().saturating_sub(MAX_SEEN);
        seen.drain(..excess);
    }

    /// Marks the conversation with `peer` read, here and on the user's other devices.
    pub async fn mark_read(&self, peer: &UserId) -> Result<(), SdkError> {
        self.connected()?.mark_read(peer).await
    }

    /// Marks every conversation with unread messages read, as [`Client::mark_read`] does one.
    pub async fn mark_all_read(&self) -> Result<(), SdkError> {
        for c in self.conversations().await? {
            if c.unread > 0 {
                self.mark_read(&c.peer).await?;
            }
        }
        Ok(())
    }

    /// Recalls this user's message `key` to `peer` (within the server's recall window).
    pub async fn recall(&self, peer: &UserId, key: MessageKey) -> Result<(), SdkError> {
        self.connected()?.recall(peer, key).await
    }

    /// Edits the message `key` with `peer` as Tencent's `modifyMessage` does: `elements` and
    /// `cloud_custom_data` (empty: none) are the message as the app now wants it, made from
    /// its `version`. Only the parts that differ from the copy this device holds go to the
    /// server (all of them when it holds none), so the recipient can change the custom data of
    /// a message whose words only the sender may change. Resolves with the message as it is
    /// now; nothing is sent when nothing changed. Fails with 2480 when it was edited since
    /// `version`: its newest version arrives as [`crate::event::Event::MessageModified`].
    pub async fn modify(
        &self,
        peer: &UserId,
        key: MessageKey,
        version: u32,
        elements: Option<Vec<Element>>,
        cloud_custom_data: String,
    ) -> Result<Message, SdkError> {
        let session = self.connected()?;
        let held = session.held_message(peer, key).await?;
        let (elements, data) = match &held {
            Some(m) => (
                elements.filter(|e| e != &m.elements),
                Some(cloud_custom_data)
                    .filter(|d| d.as_str() != m.cloud_custom_data.as_deref().unwrap_or_default()),
            ),
            None => (elements, Some(cloud_custom_data)),
        };
        match (held, &elements, &data) {
            (Some(m), None, None) => Ok(m),
            _ => session.edit(peer, key, version, elements, data).await,
        }
    }

    /// Adds (`add`) or removes this user's reaction `id` (an emoji) on the message `key` with
    /// `peer`; resolves with the message as the server has it then. Every device of both users
    /// hears [`crate::event::Event::ReactionsUpdated`].
    pub async fn react(
        &self,
        peer: &UserId,
        key: MessageKey,
        id: String,
        add: bool,
    ) -> Result<Message, SdkError> {
        protocol::reaction::check_id(&id)
            .map_err(|why| SdkError::new(ErrorCode::INVALID_ARGUMENT, why))?;
        self.connected()?.react(peer, key, id, add).await
    }

    /// Tells the senders of `messages` (each a conversation's peer and a message key) that this
    /// user read them (Tencent's `sendMessageReadReceipt`): those that asked for a read receipt
    /// and have none yet, in requests of the server's largest size, one conversation's each.
    /// A message this device holds that did not ask for one, or is not from its conversation's
    /// peer, is passed over as Tencent's SDK passes it over; when that leaves none,
    /// [`codes::READ_RECEIPT_EMPTY`]. Every device of each sender hears
    /// [`crate::event::Event::ReadReceiptsReceived`].
    pub async fn send_read_receipts(
        &self,
        messages: &[(UserId, MessageKey)],
    ) -> Result<(), SdkError> {
        let session = self.connected()?;
        let (mut asking, mut answered) = (Vec::new(), false);
        for (peer, key) in messages {
            match session.held_message(peer, *key).await? {
                Some(m) if &m.from != peer || !m.need_read_receipt => {}
                Some(m) if m.receipt_ms != 0 => answered = true,
                _ => asking.push((peer, *key)),
            }
        }
        if asking.is_empty() && !answered {
            return Err(SdkError::new(
                codes::READ_RECEIPT_EMPTY,
                "none of the messages is from its conversation's peer asking for a read receipt",
            ));
        }
        // A request for each run of one conversation's messages.
        for run in asking.chunk_by(|a, b| a.0 == b.0) {
            for part in run.chunks(protocol::frame::MAX_READ_RECEIPTS) {
                let keys = part.iter().map(|(_, key)| *key).collect();
                session.read_receipt(part[0].0, keys).await?;
            }
        }
        Ok(())
    }

    /// Who reacted to each of `messages`, with the nickname and avatar this device knows for
    /// each user ([`crate::session::Session::reactors`]).
    pub async fn reactors(&self, messages: &[Message]) -> Result<Vec<Vec<Profile>>, SdkError> {
        let session = self.connected()?;
        let me = self.me().ok_or_else(SdkError::disconnected)?;
        let conversations = self.inner.cache.conversations().await?;
        let mut all = Vec::with_capacity(messages.len());
        for m in messages {
            let conversation = conversations.iter().find(|c| &c.peer == m.peer_of(&me));
            all.push(session.reactors(m, conversation).await?);
        }
        Ok(all)
    }

    /// The message `key` with `peer`, when this device holds it: after an edit refused with
    /// 2480, its newest version.
    pub async fn held_message(
        &self,
        peer: &UserId,
        key: MessageKey,
    ) -> Result<Option<Message>, SdkError> {
        self.connected()?.held_message(peer, key).await
    }

    /// Deletes messages with `peer` from this user's history, on the server and on all of its
    /// devices (the peer keeps its copy); any number, sent in requests of the server's
    /// largest size.
    pub async fn delete_messages(
        &self,
        peer: &UserId,
        keys: &[MessageKey],
    ) -> Result<(), SdkError> {
        let session = self.connected()?;
        for chunk in keys.chunks(protocol::frame::MAX_DELETE_PER_REQUEST) {
            session.delete_messages(peer, chunk.to_vec()).await?;
        }
        Ok(())
    }

    /// Deletes the conversation with `peer` from this user's list on all of its devices, until
    /// a newer message comes; with `history`, its messages leave this user's history too (the
    /// peer keeps its copy). `ConversationListUpdated` follows.
    pub async fn delete_conversation(&self, peer: &UserId, history: bool) -> Result<(), SdkError> {
        let removal = Removal::Conversation { history };
        self.connected()?.delete_conversation(peer, removal).await
    }

    /// Clears this user's history with `peer` on all of its devices (Tencent's
    /// `clearHistoryMessage`): the conversation is marked read first, as Tencent's SDK does,
    /// then its messages leave the history and it stays in the list, with no last message. The
    /// peer keeps its copy. `ConversationListUpdated` follows.
    pub async fn clear_history(&self, peer: &UserId) -> Result<(), SdkError> {
        let session = self.connected()?;
        session.mark_read(peer).await?;
        session.delete_conversation(peer, Removal::History).await
    }
}

#[cfg(target_arch = "wasm32")]
impl<C: Cache + 'static> Client<C> {
    /// A new image, voice, file or video message to `to`: `file` is checked against the
    /// limits here, and uploaded when the message is sent, calling `progress` with whole
    /// percents.
    pub fn draft_media(
        &self,
        to: UserId,
        file: crate::upload::MediaFile,
        cloud_custom_data: Option<String>,
        progress: crate::upload::Progress,
    ) -> Result<OutboxItem, SdkError> {
        file.check()?;
        let item = self.draft(to, Vec::new(), cloud_custom_data);
        let draft = MediaDraft {
            file,
            progress,
            cancel: Default::default(),
            uploaded: None,
        };
        self.inner.media.borrow_mut().insert(item.random, draft);
        Ok(item)
    }

    /// The media file of a draft, when it has one.
    pub fn media_file(&self, random: u32) -> Option<crate::upload::MediaFile> {
        self.inner
            .media
            .borrow()
            .get(&random)
            .map(|d| d.file.clone())
    }

    /// Stops the upload of media draft `random`; its send fails with
    /// [`codes::UPLOAD_CANCELLED`] and it can be sent again. False when none is under way.
    pub fn cancel_upload(&self, random: u32) -> bool {
        match self.inner.media.borrow().get(&random) {
            Some(d) => {
                d.cancel.cancel();
                true
            }
            None => false,
        }
    }

    /// The draft with its media uploaded, when it is a media draft.
    async fn with_media(&self, mut item: OutboxItem) -> Result<OutboxItem, SdkError> {
        if !item.elements.is_empty() {
            return Ok(item);
        }
        let (file, progress, cancel) = {
            let mut media = self.inner.media.borrow_mut();
            let Some(draft) = media.get_mut(&item.random) else {
                return Ok(item);
            };
            if let Some(element) = &draft.uploaded {
                item.elements = vec![element.clone()];
                return Ok(item);
            }
            draft.cancel = Default::default();
            (
                draft.file.clone(),
                draft.progress.clone(),
                draft.cancel.clone(),
            )
        };
        let target = {
            let login = self.inner.login.borrow();
            let login = login.as_ref().ok_or_else(SdkError::disconnected)?;
            crate::upload::Target {
                server: self.inner.upload_server.clone(),
                user: login.user_id.clone(),
                user_sig: login.user_sig.clone(),
            }
        };
        let element = crate::upload::media_element(&target, &file, progress, &cancel).await?;
        if let Some(draft) = self.inner.media.borrow_mut().get_mut(&item.random) {
            draft.uploaded = Some(element.clone());
        }
        item.elements = vec![element];
        Ok(item)
    }
}
