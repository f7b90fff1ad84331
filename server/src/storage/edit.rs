//! Changing a stored message: editing it (Tencent's `modifyMessage` and `modify_c2c_msg`), with
//! who may change what and how a version is checked, reacting to it, and its recipient's read
//! receipt. Every backend finds the message, applies [`MessageEdit::apply_to`], stores the
//! result and appends an entry to both users' logs that names the message ([`ChangeKind`]), so
//! a reader always gets it as it is now.

use super::{StorageError, StorageResult};
use protocol::{Element, Message, MessageKey, SyncEvent, UserId};

/// A change to a stored message.
#[derive(Debug, Clone)]
pub struct MessageEdit {
    pub key: MessageKey,
    /// Who edits: one of the message's two users, or its sender when `admin`.
    pub editor: UserId,
    /// The other user of the message: its recipient when `admin`.
    pub peer: UserId,
    /// The app's backend edits: any message from `editor` to `peer`, content included, with no
    /// version check (`base_version` is ignored).
    pub admin: bool,
    pub change: EditChange,
    pub now_ms: u64,
}

/// What a [`MessageEdit`] changes.
#[derive(Debug, Clone)]
pub enum EditChange {
    /// New content, or new custom data (empty clears it), or both, made from `base_version`.
    Content {
        base_version: u32,
        elements: Option<Vec<Element>>,
        cloud_custom_data: Option<String>,
    },
    /// The editor adds (`add`) or removes its reaction `id` ([`protocol::reaction::change`]);
    /// the version stays, since a reaction is not the sender's words.
    Reaction { id: String, add: bool },
    /// The editor, the message's recipient, read it and tells its sender, who asked for a
    /// read receipt ([`Message::need_read_receipt`]). Once only: a message receipted already,
    /// or recalled, stays as it is.
    ReadReceipt,
}

/// The kind of a log entry that names a changed message: how it is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Edited,
    Reacted,
    Receipted,
}

impl ChangeKind {
    /// The entry as a reader gets it: with the message as it is now.
    pub(crate) fn event(self, message: Message) -> SyncEvent {
        match self {
            ChangeKind::Edited => SyncEvent::Edited { message },
            ChangeKind::Reacted => SyncEvent::Reacted { message },
            ChangeKind::Receipted => SyncEvent::ReadReceipt { message },
        }
    }
}

impl MessageEdit {
    /// Whether `message` is the one this edit names, between the users it names.
    pub(crate) fn names(&self, message: &Message) -> bool {
        let ordered = message.from == self.editor && message.to == self.peer;
        let reversed = message.to == self.editor && message.from == self.peer;
        message.key == self.key && (ordered || (reversed && !self.admin))
    }

    /// The kind of entry this change appends.
    pub(crate) fn kind(&self) -> ChangeKind {
        match self.change {
            EditChange::Content { .. } => ChangeKind::Edited,
            EditChange::Reaction { .. } => ChangeKind::Reacted,
            EditChange::ReadReceipt => ChangeKind::Receipted,
        }
    }

    /// Checks the change against the stored `message` and applies it: for an edit, the new
    /// version, the edit time and the new content. The caller has checked [`Self::names`].
    /// False when the change leaves the message as it was: nothing is stored or told then.
    pub(crate) fn apply_to(&self, message: &mut Message) -> StorageResult<bool> {
        match &self.change {
            EditChange::ReadReceipt => self.receipt(message),
            _ if message.recalled => Err(StorageError::AlreadyRecalled),
            EditChange::Reaction { id, add } => {
                protocol::reaction::change(&mut message.reactions, id, &self.editor, *add)
                    .map(|()| true)
                    .map_err(StorageError::Reaction)
            }
            EditChange::Content {
                base_version,
                elements,
                cloud_custom_data,
            } => self.content(message, *base_version, elements, cloud_custom_data),
        }
    }

    /// A new version of the content: the words (its sender's alone) and the custom data.
    fn content(
        &self,
        message: &mut Message,
        base_version: u32,
        elements: &Option<Vec<Element>>,
        cloud_custom_data: &Option<String>,
    ) -> StorageResult<bool> {
        if !self.admin && message.version != base_version {
            return Err(StorageError::EditConflict {
                version: message.version,
            });
        }
        if let Some(elements) = elements {
            if !self.admin && message.from != self.editor {
                return Err(StorageError::NotEditable(
                    "only its sender changes a message's content; the recipient may change its cloud_custom_data",
                ));
            }
            if !message
                .elements
                .iter()
                .chain(elements)
                .all(Element::is_editable)
            {
                return Err(StorageError::NotEditable(
                    "only text, face, location and custom content can be edited",
                ));
            }
            message.elements = elements.clone();
        }
        if let Some(data) = cloud_custom_data {
            message.cloud_custom_data = (!data.is_empty()).then(|| data.clone());
        }
        message.version += 1;
        message.edited_ms = self.now_ms.max(message.time_ms);
        Ok(true)
    }

    /// The recipient's read receipt: only the recipient sends one, only for a message that
    /// asked for it, and only once.
    fn receipt(&self, message: &mut Message) -> StorageResult<bool> {
        if message.to != self.editor {
            return Err(StorageError::NoReceipt(
                "only a message's recipient sends its read receipt",
            ));
        }
        if !message.need_read_receipt {
            return Err(StorageError::NoReceipt(
                "the message did not ask for a read receipt",
            ));
        }
        if message.recalled || message.receipt_ms != 0 {
            return Ok(false);
        }
        message.receipt_ms = self.now_ms.max(message.time_ms);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::element::{ImageElem, TextElem};

    fn uid(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    fn text(t: &str) -> Element {
        Element::Text(TextElem { text: t.into() })
    }

    fn message(elements: Vec<Element>) -> Message {
        Message {
            key: MessageKey {
                id: 1,
                random: 2,
                time_s: 3,
            },
            from: uid("alice"),
            to: uid("bob"),
            time_ms: 3_000,
            client_time_s: 0,
            random: 2,
            elements,
            cloud_custom_data: Some("old".into()),
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

    fn content(elements: Option<Vec<Element>>, data: Option<&str>) -> EditChange {
        EditChange::Content {
            base_version: 0,
            elements,
            cloud_custom_data: data.map(str::to_owned),
        }
    }

    fn edit(editor: &str, peer: &str) -> MessageEdit {
        MessageEdit {
            key: message(vec![]).key,
            editor: uid(editor),
            peer: uid(peer),
            admin: false,
            change: content(Some(vec![text("new")]), None),
            now_ms: 9_000,
        }
    }

    #[test]
    fn the_sender_edits_content_and_the_version_moves_on() {
        let mut m = message(vec![text("old")]);
        let e = edit("alice", "bob");
        assert!(e.names(&m));
        e.apply_to(&mut m).unwrap();
        assert_eq!(
            (m.elements.clone(), m.version, m.edited_ms),
            (vec![text("new")], 1, 9_000)
        );
        assert_eq!(m.cloud_custom_data.as_deref(), Some("old"));
        // The same edit again was made from version 0: a conflict, nothing changed.
        let again = e.apply_to(&mut m.clone());
        assert!(matches!(
            again,
            Err(StorageError::EditConflict { version: 1 })
        ));
    }

    #[test]
    fn the_recipient_changes_custom_data_only() {
        let mut m = message(vec![text("old")]);
        let e = edit("bob", "alice");
        assert!(e.names(&m));
        assert!(matches!(
            e.apply_to(&mut m),
            Err(StorageError::NotEditable(_))
        ));
        let data_only = MessageEdit {
            change: content(None, Some("")),
            ..e
        };
        data_only.apply_to(&mut m).unwrap();
        assert_eq!((m.cloud_custom_data, m.version), (None, 1));
        assert_eq!(m.elements, vec![text("old")]);
    }

    #[test]
    fn media_recalled_and_other_users_messages_are_refused() {
        let image = Element::Image(ImageElem {
            uuid: String::new(),
            image_format: 0,
            image_info_array: vec![],
        });
        let e = edit("alice", "bob");
        assert!(matches!(
            e.apply_to(&mut message(vec![image.clone()])),
            Err(StorageError::NotEditable(_))
        ));
        let to_media = MessageEdit {
            change: content(Some(vec![image]), None),
            ..e.clone()
        };
        assert!(matches!(
            to_media.apply_to(&mut message(vec![text("old")])),
            Err(StorageError::NotEditable(_))
        ));
        let mut recalled = message(vec![text("old")]);
        recalled.recall();
        assert!(matches!(
            e.apply_to(&mut recalled),
            Err(StorageError::AlreadyRecalled)
        ));
        assert!(!edit("alice", "carol").names(&message(vec![])));
        // The backend names sender then recipient.
        let admin = MessageEdit {
            admin: true,
            ..edit("bob", "alice")
        };
        assert!(!admin.names(&message(vec![])));
    }

    #[test]
    fn either_user_reacts_without_moving_the_version() {
        let mut m = message(vec![text("old")]);
        let react = |user: &str, peer: &str, add: bool| MessageEdit {
            change: EditChange::Reaction {
                id: "👍".into(),
                add,
            },
            ..edit(user, peer)
        };
        react("bob", "alice", true).apply_to(&mut m).unwrap();
        react("alice", "bob", true).apply_to(&mut m).unwrap();
        assert_eq!(m.reactions[0].users, vec![uid("bob"), uid("alice")]);
        assert_eq!((m.version, m.edited_ms), (0, 0));
        assert!(matches!(
            react("bob", "alice", true).apply_to(&mut m),
            Err(StorageError::Reaction(protocol::ErrorCode::REACTION_EXISTS))
        ));
        assert_eq!(react("bob", "alice", true).kind(), ChangeKind::Reacted);
        m.recall();
        assert!(m.reactions.is_empty());
        assert!(matches!(
            react("bob", "alice", false).apply_to(&mut m),
            Err(StorageError::AlreadyRecalled)
        ));
    }
}
