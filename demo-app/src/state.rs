//! The app's whole state and the one place it changes ([`State::apply`]): SDK events and user
//! actions become [`Action`]s. Plain Rust, so its rules are tested natively: a message is shown
//! once however often it arrives (push, history page, own send), in server order, with unsent
//! ones last.

use duet_chat::cache::OutboxItem;
use duet_chat::event::Applications;
use protocol::frame::KickCause;
use protocol::presence::UserStatus;
use protocol::{Conversation, Message, MessageKey, Profile, Relation, RelationEntry, UserId};

/// The connection, as the banner tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Net {
    #[default]
    Connecting,
    /// Signed in; the first sync is running (until `SDK_READY`).
    Syncing,
    Ready,
    /// The connection dropped or could not be made; the SDK retries.
    Offline,
}

/// Where an own message is on its way to the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// A media file going up (percent), before the message itself is sent.
    Uploading {
        percent: u32,
        name: String,
    },
    Sending,
    /// In the outbox while offline; goes out on reconnect.
    Queued,
    Sent,
    /// Refused by the server, or the send failed: shown with the reason and a Resend button.
    Failed {
        reason: String,
    },
}

/// A message as the chat view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub message: Message,
    pub status: Status,
    /// What to send again, while the server does not have it.
    pub outgoing: Option<OutboxItem>,
}

impl Shown {
    fn is_same(&self, m: &Message) -> bool {
        self.message.from == m.from && self.message.random == m.random
    }
}

/// The open conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    pub peer: UserId,
    /// Oldest first; unsent messages (key number 0) last.
    pub messages: Vec<Shown>,
    /// Nothing older exists.
    pub complete: bool,
    /// A page is being loaded.
    pub loading: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Panel {
    #[default]
    Chats,
    People,
    Profile,
    Search,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    /// Signed in as; `None` shows the sign-in form.
    pub me: Option<UserId>,
    pub net: Net,
    /// The server ended the session for good (another sign-in, or the account was deleted):
    /// the app stopped.
    pub kicked: Option<KickCause>,
    pub conversations: Vec<Conversation>,
    /// Unread messages in the conversations that notify, as the SDK counts them (a muted one
    /// keeps its own count): the page's title shows it.
    pub unread_total: u32,
    pub chat: Option<Chat>,
    /// Friends, with the remarks this user gave them.
    pub friends: Vec<RelationEntry>,
    pub blacklist: Vec<RelationEntry>,
    /// Peers whose messages come without a push notification.
    pub muted: Vec<RelationEntry>,
    /// Friend requests to this user, and its own that wait for an answer.
    pub applications: Applications,
    pub profile: Option<Profile>,
    pub panel: Panel,
    /// A problem to show until dismissed.
    pub notice: Option<String>,
    /// The page is behind another tab or minimised: what comes now is not seen, so the open
    /// chat is not marked read until the page shows again.
    pub hidden: bool,
    /// The peer typing to this user now, with the number of the signal that said so.
    pub typing: Option<(UserId, u64)>,
    /// The message the next one sent in the open chat replies to.
    pub replying: Option<Message>,
    /// The presence of the peers this user follows, as last heard.
    pub statuses: Vec<UserStatus>,
    /// The last message search and what it found.
    pub search: Option<Search>,
    /// A message of the open chat to bring into view once it is loaded.
    pub jump: Option<MessageKey>,
}

/// A message search: the words asked for, and the messages found (newest first) once the
/// answer came.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub words: String,
    pub found: Option<Vec<Message>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SignedIn(UserId),
    SignedOut,
    /// The next message sent in the open chat quotes this one (or, with `None`, nothing).
    ReplyTo(Option<Message>),
    /// `peer` is typing (signal `Some(number)`) or stopped (`None`).
    Typing {
        peer: UserId,
        signal: Option<u64>,
    },
    /// Typing signal `number` from `peer` is too old: the indicator goes unless a newer came.
    TypingOver {
        peer: UserId,
        signal: u64,
    },
    Kicked(KickCause),
    /// The page was hidden (`true`) or shows again.
    Hidden(bool),
    Net(Net),
    Conversations {
        list: Vec<Conversation>,
        unread_total: u32,
    },
    Open(UserId),
    Close,
    LoadingOlder,
    /// A page of the open chat's history, newest first (as the SDK returns it), and whether
    /// nothing older exists.
    Page {
        peer: UserId,
        messages: Vec<Message>,
        complete: bool,
    },
    /// Messages this user composed and that the server does not have yet (from the outbox).
    Unsent(Vec<(OutboxItem, Status)>),
    Received(Vec<Message>),
    Sent(Message),
    Status {
        to: UserId,
        random: u32,
        status: Status,
    },
    Revoked {
        peer: UserId,
        key: MessageKey,
    },
    /// A message was edited (on any device of either user): its newest version.
    Modified(Message),
    /// This user deleted these messages (on any of its devices).
    Deleted {
        peer: UserId,
        keys: Vec<MessageKey>,
    },
    Applications(Applications),
    Relations {
        relation: Relation,
        entries: Vec<RelationEntry>,
    },
    Profile(Profile),
    Show(Panel),
    Notice(Option<String>),
    /// Users' presence now.
    Statuses(Vec<UserStatus>),
    /// A search for these words started (or, with `None`, the results were closed).
    Search(Option<String>),
    /// What the search for `words` found.
    Found {
        words: String,
        messages: Vec<Message>,
    },
    /// Opens the chat with `peer` and brings the message `key` into view.
    JumpTo {
        peer: UserId,
        key: MessageKey,
    },
    /// The message to jump to is in view (or cannot be found).
    Jumped,
}

impl State {
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::SignedIn(me) => {
                *self = State {
                    me: Some(me),
                    hidden: self.hidden,
                    ..State::default()
                }
            }
            Action::SignedOut => {
                *self = State {
                    hidden: self.hidden,
                    ..State::default()
                }
            }
            Action::Hidden(hidden) => self.hidden = hidden,
            Action::Kicked(cause) => self.kicked = Some(cause),
            Action::Net(net) => self.net = net,
            Action::Conversations { list, unread_total } => {
                (self.conversations, self.unread_total) = (list, unread_total)
            }
            Action::ReplyTo(message) => self.replying = message,
            Action::Open(peer) => {
                self.panel = Panel::Chats;
                if self.chat.as_ref().is_none_or(|c| c.peer != peer) {
                    self.replying = None;
                    self.chat = Some(Chat {
                        peer,
                        messages: Vec::new(),
                        complete: false,
                        loading: true,
                    });
                }
            }
            Action::Close => self.chat = None,
            Action::LoadingOlder => {
                if let Some(chat) = &mut self.chat {
                    chat.loading = true;
                }
            }
            Action::Page {
                peer,
                messages,
                complete,
            } => {
                if let Some(chat) = self.chat.as_mut().filter(|c| c.peer == peer) {
                    chat.loading = false;
                    chat.complete = complete;
                    for m in messages {
                        chat.upsert(m, Status::Sent, None);
                    }
                }
            }
            Action::Unsent(items) => {
                let Some(me) = self.me.clone() else { return };
                if let Some(chat) = &mut self.chat {
                    let peer = chat.peer.clone();
                    for (item, status) in items.into_iter().filter(|(i, _)| i.to == peer) {
                        chat.upsert(item.preview(&me), status, Some(item));
                    }
                }
            }
            Action::Typing { peer, signal } => {
                self.typing = signal.map(|n| (peer, n));
            }
            Action::TypingOver { peer, signal } => {
                if self.typing == Some((peer, signal)) {
                    self.typing = None;
                }
            }
            Action::Received(list) => {
                let Some(me) = self.me.clone() else { return };
                // A message from the peer ends its typing.
                if self
                    .typing
                    .as_ref()
                    .is_some_and(|(peer, _)| list.iter().any(|m| &m.from == peer))
                {
                    self.typing = None;
                }
                if let Some(chat) = &mut self.chat {
                    let peer = chat.peer.clone();
                    for m in list.into_iter().filter(|m| m.peer_of(&me) == &peer) {
                        chat.upsert(m, Status::Sent, None);
                    }
                }
            }
            Action::Sent(m) => {
                if let Some(chat) = self.chat.as_mut().filter(|c| c.peer == m.to) {
                    chat.upsert(m, Status::Sent, None);
                }
            }
            Action::Status { to, random, status } => {
                let chat = self.chat.as_mut().filter(|c| c.peer == to);
                if let Some(shown) = chat.and_then(|c| {
                    c.messages
                        .iter_mut()
                        .find(|s| s.message.random == random && s.message.key.id == 0)
                }) {
                    shown.status = status;
                }
            }
            Action::Revoked { peer, key } => {
                if let Some(chat) = self.chat.as_mut().filter(|c| c.peer == peer)
                    && let Some(shown) = chat.messages.iter_mut().find(|s| s.message.key == key)
                {
                    shown.message.recall();
                }
            }
            Action::Modified(message) => {
                let Some(me) = &self.me else { return };
                let peer = message.peer_of(me).clone();
                if let Some(chat) = self.chat.as_mut().filter(|c| c.peer == peer)
                    && let Some(shown) = chat
                        .messages
                        .iter_mut()
                        .find(|s| s.message.key == message.key)
                    && shown.message.superseded_by(&message)
                {
                    shown.message = message;
                }
            }
            Action::Deleted { peer, keys } => {
                if let Some(chat) = self.chat.as_mut().filter(|c| c.peer == peer) {
                    chat.messages.retain(|s| !keys.contains(&s.message.key));
                }
            }
            Action::Relations { relation, entries } => match relation {
                Relation::Friend => self.friends = entries,
                Relation::Blacklist => self.blacklist = entries,
                Relation::Muted => self.muted = entries,
                // They come whole, with their wording, as `Applications`.
                Relation::ApplicationSent | Relation::ApplicationReceived => {}
            },
            Action::Applications(all) => self.applications = all,
            Action::Profile(p) => {
                if self.me.as_ref() == Some(&p.user_id) {
                    self.profile = Some(p);
                }
            }
            Action::Show(panel) => self.panel = panel,
            Action::Notice(notice) => self.notice = notice,
            Action::Statuses(list) => {
                for status in list {
                    self.statuses.retain(|s| s.user_id != status.user_id);
                    self.statuses.push(status);
                }
            }
            Action::Search(words) => self.search = words.map(|words| Search { words, found: None }),
            Action::Found { words, messages } => {
                if let Some(search) = self.search.as_mut().filter(|s| s.words == words) {
                    search.found = Some(messages);
                }
            }
            Action::JumpTo { peer, key } => {
                self.apply(Action::Open(peer));
                self.jump = Some(key);
            }
            Action::Jumped => self.jump = None,
        }
    }

    /// Friend requests to this user not read yet.
    pub fn unread_requests(&self) -> usize {
        self.applications
            .received
            .iter()
            .filter(|e| !e.read)
            .count()
    }

    /// The presence of `user` as last heard, if it was.
    pub fn status_of(&self, user: &UserId) -> Option<&UserStatus> {
        self.statuses.iter().find(|s| &s.user_id == user)
    }

    /// The open chat's conversation entry (unread count, peer profile), if it has one.
    pub fn open_conversation(&self) -> Option<&Conversation> {
        let peer = &self.chat.as_ref()?.peer;
        self.conversations.iter().find(|c| &c.peer == peer)
    }
}

impl Chat {
    /// Adds a message or replaces the one it is (same sender and random: the server's copy of
    /// an own unsent message, a recalled version, a page that overlaps), keeping the order.
    fn upsert(&mut self, m: Message, status: Status, outgoing: Option<OutboxItem>) {
        match self.messages.iter_mut().find(|s| s.is_same(&m)) {
            // A message the server has is not turned back into an unsent one.
            Some(shown) if shown.message.key.id != 0 && m.key.id == 0 => {}
            Some(shown) => {
                *shown = Shown {
                    message: m,
                    status,
                    outgoing,
                }
            }
            None => self.messages.push(Shown {
                message: m,
                status,
                outgoing,
            }),
        }
        // Stable: unsent messages keep the order they were composed in.
        self.messages
            .sort_by_key(|s| (s.message.key.id == 0, s.message.key.id));
    }
}

/// Whether `user` is on a list.
pub fn listed(list: &[RelationEntry], user: &UserId) -> bool {
    list.iter().any(|e| &e.user_id == user)
}

/// How the app names a friend: the remark this user gave it, with its ID; else the ID.
pub fn friend_name(friends: &[RelationEntry], user: &UserId) -> String {
    match friends.iter().find(|e| &e.user_id == user) {
        Some(e) if !e.fields.remark.is_empty() => format!("{} ({user})", e.fields.remark),
        _ => user.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Element;
    use protocol::element::TextElem;

    fn user(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    fn msg(from: &str, to: &str, id: u64, random: u32) -> Message {
        Message {
            key: MessageKey {
                id,
                random,
                time_s: 1,
            },
            from: user(from),
            to: user(to),
            time_ms: 1000 + id,
            client_time_s: 1,
            random,
            elements: vec![Element::Text(TextElem {
                text: format!("m{id}"),
            })],
            cloud_custom_data: None,
            nick: String::new(),
            avatar: String::new(),
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: false,
            receipt_ms: 0,
        }
    }

    fn open(me: &str, peer: &str) -> State {
        let mut s = State::default();
        s.apply(Action::SignedIn(user(me)));
        s.apply(Action::Open(user(peer)));
        s
    }

    fn ids(s: &State) -> Vec<u64> {
        let chat = s.chat.as_ref().unwrap();
        chat.messages.iter().map(|m| m.message.key.id).collect()
    }

    #[test]
    fn pages_and_pushes_merge_in_order_without_duplicates() {
        let mut s = open("alice", "bob");
        s.apply(Action::Page {
            peer: user("bob"),
            messages: vec![msg("bob", "alice", 5, 5), msg("alice", "bob", 4, 4)],
            complete: false,
        });
        s.apply(Action::Received(vec![
            msg("bob", "alice", 6, 6),
            msg("bob", "alice", 5, 5),
        ]));
        s.apply(Action::Page {
            peer: user("bob"),
            messages: vec![msg("alice", "bob", 4, 4), msg("bob", "alice", 2, 2)],
            complete: true,
        });
        // Another conversation's message stays out.
        s.apply(Action::Received(vec![msg("carol", "alice", 7, 7)]));
        assert_eq!(ids(&s), vec![2, 4, 5, 6]);
        assert!(s.chat.as_ref().unwrap().complete);
        assert!(!s.chat.as_ref().unwrap().loading);
    }

    #[test]
    fn an_own_message_goes_from_sending_to_sent_once() {
        let mut s = open("alice", "bob");
        let item = OutboxItem {
            to: user("bob"),
            random: 42,
            elements: vec![],
            cloud_custom_data: None,
            created_ms: 5000,
            offline_push_info: None,
            need_read_receipt: false,
        };
        s.apply(Action::Unsent(vec![(item.clone(), Status::Sending)]));
        s.apply(Action::Received(vec![msg("bob", "alice", 3, 3)]));
        assert_eq!(ids(&s), vec![3, 0], "unsent messages stay last");
        s.apply(Action::Status {
            to: user("bob"),
            random: 42,
            status: Status::Queued,
        });
        assert_eq!(s.chat.as_ref().unwrap().messages[1].status, Status::Queued);
        s.apply(Action::Sent(msg("alice", "bob", 9, 42)));
        // A late copy of the unsent version does not undo it.
        s.apply(Action::Unsent(vec![(item, Status::Queued)]));
        let chat = s.chat.as_ref().unwrap();
        assert_eq!(ids(&s), vec![3, 9]);
        assert_eq!(chat.messages[1].status, Status::Sent);
        assert_eq!(chat.messages[1].outgoing, None);
    }

    #[test]
    fn recall_replaces_the_content() {
        let mut s = open("alice", "bob");
        let m = msg("bob", "alice", 3, 3);
        s.apply(Action::Received(vec![m.clone()]));
        s.apply(Action::Revoked {
            peer: user("bob"),
            key: m.key,
        });
        let shown = &s.chat.as_ref().unwrap().messages[0].message;
        assert!(shown.recalled);
    }

    #[test]
    fn an_edit_replaces_the_message_unless_it_superseded_by_the_one_shown() {
        let mut s = open("alice", "bob");
        let m = msg("alice", "bob", 3, 3);
        s.apply(Action::Received(vec![m.clone()]));
        let edited = |version| Message {
            version,
            edited_ms: 5_000,
            reactions: Vec::new(),
            need_read_receipt: false,
            receipt_ms: 0,
            ..m.clone()
        };
        s.apply(Action::Modified(edited(2)));
        s.apply(Action::Modified(edited(1)));
        let shown = &s.chat.as_ref().unwrap().messages[0].message;
        assert_eq!((shown.version, shown.edited_ms), (2, 5_000));
    }

    #[test]
    fn signing_in_as_someone_else_forgets_everything() {
        let mut s = open("alice", "bob");
        s.apply(Action::Notice(Some("x".into())));
        s.apply(Action::SignedIn(user("carol")));
        assert_eq!(s.chat, None);
        assert_eq!(s.notice, None);
        assert_eq!(s.me, Some(user("carol")));
    }

    #[test]
    fn statuses_replace_by_user_and_a_jump_opens_the_chat() {
        use protocol::presence::Presence;
        let mut s = open("alice", "bob");
        let status = |who: &str, presence| UserStatus {
            user_id: user(who),
            presence,
            last_seen_ms: 0,
            custom_status: String::new(),
            hidden: false,
        };
        s.apply(Action::Statuses(vec![status("bob", Presence::Online)]));
        s.apply(Action::Statuses(vec![status("bob", Presence::Offline)]));
        assert_eq!(s.statuses, vec![status("bob", Presence::Offline)]);
        let key = msg("carol", "alice", 3, 3).key;
        s.apply(Action::JumpTo {
            peer: user("carol"),
            key,
        });
        assert_eq!(s.chat.as_ref().unwrap().peer, user("carol"));
        assert_eq!(s.jump, Some(key));
        s.apply(Action::Search(Some("hi".into())));
        s.apply(Action::Found {
            words: "other".into(),
            messages: vec![],
        });
        assert_eq!(
            s.search.as_ref().unwrap().found,
            None,
            "a late answer to another search"
        );
    }
}
