//! Replies that quote a message, carried as Tencent's TUIKit carries them, in the reply's
//! `cloudCustomData`: `{"messageReply":{"messageID":…,"messageAbstract":…,"messageSender":…,
//! "messageType":…,"messageTime":…,"messageSequence":…,"version":1}}`. So a quote made here
//! shows in TUIKit and one made there shows here; the server stores it as any custom data.

use protocol::{Element, Message};
use serde::Serialize;

/// Longest preview of the quoted message kept in a reply, in characters.
const ABSTRACT_CHARS: usize = 100;

/// What a reply says of the message it quotes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    /// The quoted message's ID ([`Message::id`]), to find it in the conversation.
    #[serde(rename = "messageID")]
    pub message_id: String,
    /// A short text of it: its words, or what kind of message it is.
    pub message_abstract: String,
    /// Who sent it, as the replier saw them named.
    pub message_sender: String,
    /// Its element type in Tencent's numbering (`V2TIM_ELEM_TYPE_*`: 1 text, 2 custom, 3 image,
    /// 4 sound, 5 video, 6 file, 7 location, 8 face).
    pub message_type: u32,
    /// Its server time, seconds since the Unix epoch.
    pub message_time: u64,
    pub message_sequence: u64,
    pub version: u32,
}

fn version() -> u32 {
    1
}

protocol::read_fields!(Quote {
    message_id: "messageID",
    message_abstract: "messageAbstract",
    message_sender: "messageSender",
    message_type: "messageType" default,
    message_time: "messageTime" default,
    message_sequence: "messageSequence" default,
    version: "version" default(self::version()),
});

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Custom {
    message_reply: Quote,
}

protocol::read_fields!(Custom {
    message_reply: "messageReply",
});

impl Quote {
    /// The quote of `message`, sent by the user the replier calls `sender`.
    pub fn of(message: &Message, sender: &str) -> Self {
        let (message_type, text) = summary(message);
        Self {
            message_id: message.id(),
            message_abstract: text.chars().take(ABSTRACT_CHARS).collect(),
            message_sender: sender.to_owned(),
            message_type,
            message_time: message.time_ms / 1000,
            message_sequence: message.key.id,
            version: version(),
        }
    }

    /// The `cloudCustomData` of a reply with this quote.
    pub fn to_custom_data(&self) -> String {
        crate::json::to_string(&Custom {
            message_reply: self.clone(),
        })
        .expect("a quote serializes")
    }

    /// The quote a message's `cloudCustomData` carries, if it is a reply.
    pub fn from_custom_data(data: Option<&str>) -> Option<Self> {
        crate::json::from_str::<Custom>(data?)
            .ok()
            .map(|c| c.message_reply)
    }
}

/// A message in a few words, as TUIKit shows it in a quote and a conversation list: its text,
/// or what kind of message it is; with its element type in Tencent's numbering
/// (`V2TIM_ELEM_TYPE_*`: 1 text, 2 custom, 3 image, 4 sound, 5 video, 6 file, 7 location, 8
/// face).
pub fn summary(message: &Message) -> (u32, &str) {
    match message.elements.first() {
        Some(Element::Text(t)) => (1, t.text.as_str()),
        Some(Element::Custom(c)) => (2, or_label(&c.desc, "[Custom message]")),
        Some(Element::Image(_)) => (3, "[Image]"),
        Some(Element::Sound(_)) => (4, "[Voice]"),
        Some(Element::Video(_)) => (5, "[Video]"),
        Some(Element::File(f)) => (6, f.file_name.as_str()),
        Some(Element::Location(l)) => (7, or_label(&l.desc, "[Location]")),
        Some(Element::Face(_)) => (8, "[Face]"),
        Some(Element::System(s)) => (1, s.text.as_str()),
        Some(Element::Unknown(_)) => (1, "[Message]"),
        None => (1, ""),
    }
}

/// `text`, or `label` when it is empty.
fn or_label<'a>(text: &'a str, label: &'static str) -> &'a str {
    if text.is_empty() { label } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::element::TextElem;
    use protocol::{MessageKey, UserId};

    #[test]
    fn a_quote_round_trips_in_tuikits_shape() {
        let message = Message {
            key: MessageKey {
                id: 42,
                random: 7,
                time_s: 1_800_000_000,
            },
            from: UserId::parse("alice").unwrap(),
            to: UserId::parse("bob").unwrap(),
            time_ms: 1_800_000_000_500,
            client_time_s: 1_800_000_000,
            random: 7,
            elements: vec![Element::Text(TextElem {
                text: "x".repeat(150),
            })],
            cloud_custom_data: None,
            nick: "Alice".into(),
            avatar: String::new(),
            recalled: false,
            version: 0,
            edited_ms: 0,
            reactions: Vec::new(),
            need_read_receipt: false,
            receipt_ms: 0,
        };
        let quote = Quote::of(&message, "Alice");
        assert_eq!(quote.message_abstract.chars().count(), 100);
        let data = quote.to_custom_data();
        let json: serde_json::Value = serde_json::from_str(&data).unwrap();
        let reply = &json["messageReply"];
        assert_eq!(reply["messageID"], "alice-1800000000-7");
        assert_eq!(
            (reply["messageType"].as_u64(), reply["version"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(reply["messageSequence"], 42);
        assert_eq!(Quote::from_custom_data(Some(&data)), Some(quote));
        // As TUIKit writes it, with its reply-thread root and without the optional numbers.
        let tuikit = r#"{"messageReply":{"messageID":"m1","messageRootID":"m0","messageAbstract":"hi","messageSender":"Lee","messageType":1,"version":1}}"#;
        assert_eq!(
            Quote::from_custom_data(Some(tuikit))
                .unwrap()
                .message_sender,
            "Lee"
        );
        let oldest =
            r#"{"messageReply":{"messageID":"m","messageAbstract":"a","messageSender":"s"}}"#;
        let read = Quote::from_custom_data(Some(oldest)).unwrap();
        assert_eq!(
            (read.version, read.message_type, read.message_time),
            (1, 0, 0)
        );
        assert_eq!(Quote::from_custom_data(Some("{\"other\":1}")), None);
        assert_eq!(Quote::from_custom_data(None), None);
    }
}
