//! Typing indicators, carried as Tencent's TUIKit carries them, so Duet and TUIKit clients see
//! each other type: an online-only custom message (never stored, pushed or counted unread)
//! whose data is `{"businessID":"user_typing_status","typingStatus":1,…}`. The SDK sends them
//! at most every few seconds per conversation and hides them from the message events: the app
//! hears [`crate::event::Event::Typing`].

use protocol::element::CustomElem;
use protocol::{Element, Message};
use serde::Serialize;

/// TUIKit's `businessID` of a typing status.
const BUSINESS_ID: &str = "user_typing_status";

/// The shortest time between two "typing" signals to one conversation; a peer's indicator
/// should clear when none came for twice as long.
pub const THROTTLE_MS: u64 = 3000;

/// TUIKit's typing status, with the fields its older versions read too.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    #[serde(rename = "businessID")]
    business_id: String,
    typing_status: u8,
    version: u32,
    user_action: u32,
    action_param: String,
}

protocol::read_fields!(Status {
    business_id: "businessID",
    typing_status: "typingStatus" default,
    version: "version" default,
    user_action: "userAction" default,
    action_param: "actionParam" default,
});

/// The element that says the sender is typing (`true`) or stopped.
pub fn element(typing: bool) -> Element {
    let status = Status {
        business_id: BUSINESS_ID.to_owned(),
        typing_status: u8::from(typing),
        version: 1,
        user_action: if typing { 14 } else { 0 },
        action_param: if typing {
            "EIMAMSG_InputStatus_Ing"
        } else {
            "EIMAMSG_InputStatus_End"
        }
        .to_owned(),
    };
    Element::Custom(CustomElem {
        data: crate::json::to_string(&status).expect("a typing status serializes"),
        desc: String::new(),
        ext: String::new(),
        sound: String::new(),
    })
}

/// Whether `message` is a typing status, and which: `Some(true)` typing, `Some(false)` stopped.
pub fn status(message: &Message) -> Option<bool> {
    let [Element::Custom(custom)] = message.elements.as_slice() else {
        return None;
    };
    let status: Status = crate::json::from_str(&custom.data).ok()?;
    (status.business_id == BUSINESS_ID)
        .then_some(status.typing_status == 1 || status.user_action == 14)
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{MessageKey, UserId};

    fn message(elements: Vec<Element>) -> Message {
        let user = |s| UserId::parse(s).unwrap();
        Message {
            key: MessageKey {
                id: 0,
                random: 1,
                time_s: 2,
            },
            from: user("alice"),
            to: user("bob"),
            time_ms: 2_000,
            client_time_s: 2,
            random: 1,
            elements,
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

    #[test]
    fn reads_its_own_and_tuikits_statuses_and_nothing_else() {
        assert_eq!(status(&message(vec![element(true)])), Some(true));
        assert_eq!(status(&message(vec![element(false)])), Some(false));
        // As TUIKit's older versions send it: the action, no status.
        let old = r#"{"businessID":"user_typing_status","userAction":14,"actionParam":"EIMAMSG_InputStatus_Ing"}"#;
        let custom = |data: &str| {
            Element::Custom(CustomElem {
                data: data.into(),
                desc: String::new(),
                ext: String::new(),
                sound: String::new(),
            })
        };
        assert_eq!(status(&message(vec![custom(old)])), Some(true));
        assert_eq!(
            status(&message(vec![custom(r#"{"businessID":"order"}"#)])),
            None
        );
        assert_eq!(status(&message(vec![custom("not json")])), None);
        assert_eq!(status(&message(vec![element(true), element(true)])), None);
    }
}
