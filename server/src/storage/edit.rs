//! Editing a stored message (Tencent's `modifyMessage` and `modify_c2c_msg`): who may change
//! what, and how a version is checked. Every backend finds the message, applies
//! [`MessageEdit::apply_to`], stores the result and appends an `Edited` entry to both users'
//! logs that names the message, so a reader always gets its newest version.

use super::{StorageError, StorageResult};
use protocol::{Element, Message, MessageKey, UserId};

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
    /// The version the editor saw.
    pub base_version: u32,
    /// New content, replacing the old.
    pub elements: Option<Vec<Element>>,
    /// New custom data; empty clears it.
    pub cloud_custom_data: Option<String>,
    pub now_ms: u64,
}

impl MessageEdit {
    /// Whether `message` is the one this edit names, between the users it names.
    pub(crate) fn names(&self, message: &Message) -> bool {
        let ordered = message.from == self.editor && message.to == self.peer;
        let reversed = message.to == self.editor && message.from == self.peer;
        message.key == self.key && (ordered || (reversed && !self.admin))
    }

    /// Checks the edit against the stored `message` and applies it: the new version, the edit
    /// time, and the new content. The caller has checked [`Self::names`].
    pub(crate) fn apply_to(&self, message: &mut Message) -> StorageResult<()> {
        if message.recalled {
            return Err(StorageError::AlreadyRecalled);
        }
        if !self.admin && message.version != self.base_version {
            return Err(StorageError::EditConflict {
                version: message.version,
            });
        }
        if let Some(elements) = &self.elements {
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
        if let Some(data) = &self.cloud_custom_data {
            message.cloud_custom_data = (!data.is_empty()).then(|| data.clone());
        }
        message.version += 1;
        message.edited_ms = self.now_ms.max(message.time_ms);
        Ok(())
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
        }
    }

    fn edit(editor: &str, peer: &str) -> MessageEdit {
        MessageEdit {
            key: message(vec![]).key,
            editor: uid(editor),
            peer: uid(peer),
            admin: false,
            base_version: 0,
            elements: Some(vec![text("new")]),
            cloud_custom_data: None,
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
            elements: None,
            cloud_custom_data: Some(String::new()),
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
            elements: Some(vec![image]),
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
}
