//! What a message shows, worked out without the DOM: links in text, the app's own custom
//! message kinds (cards), the emoji set, and refusals explained in plain words.

use protocol::element::CustomElem;
use protocol::{Element, ErrorCode, Message};
use serde::{Deserialize, Serialize};

/// A run of message text: plain, or a link to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits text into plain runs and `http(s)://` links. A link ends at whitespace or a quote or
/// angle bracket; trailing punctuation (`.`, `,`, `)`, …) stays text, as in "see https://x.org.".
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    // `text[plain..]` is not yet emitted; links are searched for from `pos`.
    let (mut plain, mut pos) = (0, 0);
    while let Some(found) = next_link_start(&text[pos..]) {
        let start = pos + found;
        let tail = &text[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
            .unwrap_or(tail.len());
        let link = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
        let scheme = tail.find("//").map_or(1, |i| i + 2);
        if link.len() <= scheme {
            // A bare scheme is text; look on after it.
            pos = start + scheme;
            continue;
        }
        if start > plain {
            out.push(Segment::Text(&text[plain..start]));
        }
        out.push(Segment::Link(link));
        plain = start + link.len();
        pos = plain;
    }
    if plain < text.len() {
        out.push(Segment::Text(&text[plain..]));
    }
    out
}

fn next_link_start(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    [lower.find("https://"), lower.find("http://")]
        .into_iter()
        .flatten()
        .min()
}

/// The app-defined custom messages this demo renders as cards. They travel as a
/// `TIMCustomElem` whose `Data` is this JSON; `Desc` carries a plain description for clients
/// that do not know the kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Card {
    /// A red packet (a money gift): amount in cents and a greeting.
    RedPacket { amount_cents: u64, greeting: String },
    /// A rock-paper-scissors throw.
    RockPaperScissors { hand: Hand },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hand {
    Rock,
    Paper,
    Scissors,
}

impl Hand {
    pub const ALL: [Hand; 3] = [Hand::Rock, Hand::Paper, Hand::Scissors];

    pub fn name(self) -> &'static str {
        match self {
            Hand::Rock => "rock",
            Hand::Paper => "paper",
            Hand::Scissors => "scissors",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Hand::Rock => "✊",
            Hand::Paper => "✋",
            Hand::Scissors => "✌️",
        }
    }
}

/// Marks custom elements made by this demo.
const CARD_EXT: &str = "duet-demo-card";

impl Card {
    /// The card a custom element carries, if it is one of this demo's kinds.
    pub fn parse(elem: &CustomElem) -> Option<Card> {
        duet_chat::json::from_str(&elem.data).ok()
    }

    /// The custom element to send.
    pub fn to_element(&self) -> CustomElem {
        CustomElem {
            data: duet_chat::json::to_string(self).expect("cards serialize"),
            desc: self.description(),
            ext: CARD_EXT.to_owned(),
            sound: String::new(),
        }
    }

    /// What a client that does not know the kind shows, and the conversation list previews.
    pub fn description(&self) -> String {
        match self {
            Card::RedPacket {
                amount_cents,
                greeting,
            } => format!("[Red packet {}] {greeting}", money(*amount_cents)),
            Card::RockPaperScissors { hand } => {
                format!("[Rock-paper-scissors] {}", hand.name())
            }
        }
    }
}

/// Cents as "12.34".
pub fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Parses "12.34", "12.3" or "12" into cents; `None` for anything else or zero.
pub fn parse_money(text: &str) -> Option<u64> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 2 {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: u64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let cents = whole.checked_mul(100)?.checked_add(frac)?;
    (cents > 0).then_some(cents)
}

/// One face of the developer-defined emoji set (`www/emoji.json`). A face message carries the
/// `index` and the `name` (as `Data`), so a client with another set still shows something.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Emoji {
    pub index: i64,
    pub name: String,
    pub symbol: String,
}

/// The face for a received face element: by index, else by name.
pub fn find_face<'a>(set: &'a [Emoji], index: i64, name: &str) -> Option<&'a Emoji> {
    set.iter()
        .find(|e| e.index == index)
        .or_else(|| set.iter().find(|e| e.name == name))
}

/// A one-line summary of a message, for the conversation list.
pub fn preview(m: &Message) -> String {
    if m.recalled {
        return "Message recalled".to_owned();
    }
    match m.elements.first() {
        Some(Element::Text(t)) => t.text.clone(),
        Some(Element::Face(f)) => format!("[Face {}]", f.data),
        Some(Element::Location(l)) => format!("[Location] {}", l.desc),
        Some(Element::Image(_)) => "[Image]".to_owned(),
        Some(Element::Sound(s)) => format!("[Voice {} s]", s.second),
        Some(Element::File(f)) => format!("[File] {}", f.file_name),
        Some(Element::Video(_)) => "[Video]".to_owned(),
        Some(Element::Custom(c)) => Card::parse(c)
            .map(|card| card.description())
            .unwrap_or_else(|| format!("[Custom] {}", c.desc)),
        Some(Element::System(s)) => s.text.clone(),
        Some(Element::Unknown(_)) => UNSUPPORTED.to_owned(),
        None => String::new(),
    }
}

/// What a message of a kind this app does not know (from a newer server) shows.
pub const UNSUPPORTED: &str = "[This message needs a newer version of the app]";

/// Why a send was refused, in words for the person who sent it.
pub fn refusal(code: ErrorCode, peer: &str, server_message: &str) -> String {
    match code.0 {
        20007 => format!("Not delivered: {peer} has blocked you."),
        20009 => format!(
            "Not delivered: you and {peer} are not friends, and this app only lets friends chat."
        ),
        20003 => format!("Not delivered: there is no user {peer}."),
        20006 => "Not delivered: this app does not allow this message.".to_owned(),
        80001 => "Not sent: the message contains a word this app does not allow.".to_owned(),
        61001 => "Waiting for the connection; it will be sent when you are back online.".to_owned(),
        61006 => "Upload cancelled: not sent.".to_owned(),
        _ => format!("Not sent: {server_message} (code {})", code.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_and_trailing_punctuation_stays_text() {
        assert_eq!(
            segments("see https://duet.example/a?b=1. ok"),
            vec![
                Segment::Text("see "),
                Segment::Link("https://duet.example/a?b=1"),
                Segment::Text(". ok"),
            ]
        );
        assert_eq!(
            segments("(http://x.org)"),
            vec![
                Segment::Text("("),
                Segment::Link("http://x.org"),
                Segment::Text(")")
            ]
        );
        assert_eq!(segments("no links"), vec![Segment::Text("no links")]);
        assert_eq!(
            segments("https:// alone"),
            vec![Segment::Text("https:// alone")]
        );
        assert_eq!(
            segments("<a href=\"https://e.vil\">x</a>"),
            vec![
                Segment::Text("<a href=\""),
                Segment::Link("https://e.vil"),
                Segment::Text("\">x</a>"),
            ]
        );
    }

    #[test]
    fn javascript_urls_are_never_links() {
        assert_eq!(
            segments("javascript:alert(1)"),
            vec![Segment::Text("javascript:alert(1)")]
        );
    }

    #[test]
    fn cards_round_trip_and_describe_themselves() {
        let card = Card::RedPacket {
            amount_cents: 888,
            greeting: "Happy new year".into(),
        };
        let elem = card.to_element();
        assert_eq!(Card::parse(&elem), Some(card));
        assert_eq!(elem.desc, "[Red packet 8.88] Happy new year");
        let rps = Card::RockPaperScissors { hand: Hand::Paper };
        assert_eq!(Card::parse(&rps.to_element()), Some(rps));
        let foreign = CustomElem {
            data: "{\"kind\":\"poll\"}".into(),
            desc: String::new(),
            ext: String::new(),
            sound: String::new(),
        };
        assert_eq!(Card::parse(&foreign), None);
    }

    #[test]
    fn money_parses_only_positive_amounts_with_cents() {
        assert_eq!(parse_money("12.34"), Some(1234));
        assert_eq!(parse_money("12.3"), Some(1230));
        assert_eq!(parse_money("5"), Some(500));
        assert_eq!(parse_money(".5"), Some(50));
        assert_eq!(parse_money("0"), None);
        assert_eq!(parse_money("1.234"), None);
        assert_eq!(parse_money("-1"), None);
        assert_eq!(parse_money("abc"), None);
        assert_eq!(money(1205), "12.05");
    }

    #[test]
    fn refusals_are_explained() {
        assert!(refusal(ErrorCode(20007), "bob", "").contains("bob has blocked you"));
        assert!(refusal(ErrorCode(80001), "bob", "").contains("a word this app does not allow"));
        assert!(refusal(ErrorCode(20009), "bob", "").contains("not friends"));
        assert!(refusal(ErrorCode(20006), "bob", "").contains("does not allow"));
        assert!(refusal(ErrorCode(90011), "bob", "too long").contains("too long (code 90011)"));
        assert_eq!(
            refusal(ErrorCode(61006), "bob", ""),
            "Upload cancelled: not sent."
        );
    }
}
