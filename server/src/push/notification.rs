//! What a push says: the title and text of the notification, made from the message and the
//! sender's `OfflinePushInfo`, and the data the app gets with it.

use protocol::push::OfflinePushInfo;
use protocol::{ConversationId, Element, Message};
use serde::Serialize;

/// Longest text taken from a message into a notification, in characters.
const TEXT_CHARS: usize = 100;

/// A notification about a user's newest message, as every push service carries it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub title: String,
    pub body: String,
    /// The user's unread messages, for the app icon.
    pub badge: u32,
    /// The conversation to open (`C2C{sender}`), and the message's ID.
    #[serde(rename = "conversationID")]
    pub conversation_id: String,
    #[serde(rename = "ID")]
    pub message_id: String,
    /// The sender's `OfflinePushInfo.Ext`, passed through.
    pub ext: String,
}

impl Notification {
    /// The notification for `message`, the newest of `count` waiting: the sender's title and
    /// text when it gave them, else its nickname and a summary of the message.
    pub fn new(
        message: &Message,
        info: Option<&OfflinePushInfo>,
        count: usize,
        badge: u32,
    ) -> Self {
        let given =
            |f: fn(&OfflinePushInfo) -> &String| info.map(f).filter(|t| !t.is_empty()).cloned();
        let sender = match message.nick.as_str() {
            "" => message.from.to_string(),
            nick => nick.to_owned(),
        };
        let summary = match given(|i| &i.desc) {
            Some(desc) => desc,
            None => summary(&message.elements),
        };
        Self {
            title: given(|i| &i.title).unwrap_or(sender),
            body: match count {
                0 | 1 => summary,
                n => format!("{summary} ({n} new messages)"),
            },
            badge,
            conversation_id: ConversationId(message.from.clone()).to_string(),
            message_id: message.id(),
            ext: info.map(|i| i.ext.clone()).unwrap_or_default(),
        }
    }
}

impl Notification {
    /// A notice: the notification the app's backend wrote (`Title`, `Desc`, `Ext`), with no
    /// message or conversation behind it.
    pub fn notice(info: &OfflinePushInfo, badge: u32) -> Self {
        Self {
            title: info.title.clone(),
            body: info.desc.clone(),
            badge,
            conversation_id: String::new(),
            message_id: String::new(),
            ext: info.ext.clone(),
        }
    }
}

/// A line for the message: its text, clipped, or its kind.
fn summary(elements: &[Element]) -> String {
    match elements.first() {
        Some(Element::Text(t)) => clip(&t.text),
        Some(Element::System(s)) => clip(&s.text),
        Some(Element::Image(_)) => "[Image]".into(),
        Some(Element::Sound(_)) => "[Voice]".into(),
        Some(Element::File(_)) => "[File]".into(),
        Some(Element::Video(_)) => "[Video]".into(),
        Some(Element::Location(l)) if !l.desc.is_empty() => format!("[Location] {}", clip(&l.desc)),
        Some(Element::Location(_)) => "[Location]".into(),
        Some(Element::Face(_)) => "[Sticker]".into(),
        Some(Element::Custom(c)) if !c.desc.is_empty() => clip(&c.desc),
        Some(Element::Custom(_)) => "[Custom message]".into(),
        Some(Element::Unknown(_)) | None => "[Message]".into(),
    }
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(TEXT_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::element::{ImageElem, TextElem};
    use protocol::{MessageKey, UserId};

    fn message(elements: Vec<Element>, nick: &str) -> Message {
        Message {
            key: MessageKey {
                id: 9,
                random: 1,
                time_s: 2,
            },
            from: UserId::parse("alice").unwrap(),
            to: UserId::parse("bob").unwrap(),
            time_ms: 2000,
            client_time_s: 2,
            random: 1,
            elements,
            cloud_custom_data: None,
            nick: nick.into(),
            avatar: String::new(),
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: false,
            receipt_ms: 0,
        }
    }

    #[test]
    fn made_from_the_message_unless_the_sender_says() {
        let long = "x".repeat(150);
        let n = Notification::new(
            &message(vec![Element::Text(TextElem { text: long })], ""),
            None,
            1,
            3,
        );
        assert_eq!(n.title, "alice");
        assert_eq!(
            n.body.chars().count(),
            TEXT_CHARS + 1,
            "clipped, with an ellipsis"
        );
        assert_eq!(
            (n.badge, n.conversation_id.as_str(), n.message_id.as_str()),
            (3, "C2Calice", "alice-2-1")
        );
        let image = Element::Image(ImageElem {
            uuid: String::new(),
            image_format: 1,
            image_info_array: Vec::new(),
        });
        let n = Notification::new(&message(vec![image], "Alice"), None, 3, 0);
        assert_eq!(
            (n.title.as_str(), n.body.as_str()),
            ("Alice", "[Image] (3 new messages)")
        );
        let info = OfflinePushInfo {
            title: "T".into(),
            desc: "D".into(),
            ext: "{}".into(),
            ..Default::default()
        };
        let n = Notification::new(&message(vec![], "Alice"), Some(&info), 1, 0);
        assert_eq!(
            (n.title.as_str(), n.body.as_str(), n.ext.as_str()),
            ("T", "D", "{}")
        );
    }
}
