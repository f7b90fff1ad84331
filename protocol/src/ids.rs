//! Identifier newtypes. They are validated once, at the edge, so code behind it can trust them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId(pub String);

impl fmt::Display for InvalidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidId {}

/// Checks the shared identifier rule: 1..=`max` bytes of ASCII letters, digits and `_ - . @`.
fn check_id(kind: &str, s: &str, max: usize) -> Result<(), InvalidId> {
    if s.is_empty() || s.len() > max {
        return Err(InvalidId(format!(
            "{kind} must be 1 to {max} bytes, got {}",
            s.len()
        )));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@')))
    {
        return Err(InvalidId(format!(
            "{kind} may hold only ASCII letters, digits and _ - . @; found '{c}' (U+{:04X})",
            u32::from(c)
        )));
    }
    Ok(())
}

/// A user account identifier (Tencent's `UserID`): 1 to 32 bytes of `[A-Za-z0-9_.@-]`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    pub const MAX_LEN: usize = 32;

    pub fn parse(s: impl Into<String>) -> Result<Self, InvalidId> {
        let s = s.into();
        check_id("user id", &s, Self::MAX_LEN)?;
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user ID in the REST API's and the webhooks' JSON Schemas: a string of the characters
/// [`UserId::parse`] takes.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for UserId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "UserId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[A-Za-z0-9_.@-]{1,32}$" })
    }
}

/// A one-to-one conversation's ID as Tencent's SDKs name it: `C2C` and the peer's user ID
/// (the SDK's conversation objects, the push notifications that open one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationId(pub UserId);

impl ConversationId {
    pub const PREFIX: &'static str = "C2C";

    pub fn parse(id: &str) -> Result<Self, InvalidId> {
        let peer = id.strip_prefix(Self::PREFIX).ok_or_else(|| {
            InvalidId(format!("conversationID \"{id}\" is not a C2C conversation"))
        })?;
        UserId::parse(peer).map(Self)
    }
}

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", Self::PREFIX, self.0)
    }
}

impl Serialize for ConversationId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One installation or browser tab of a user, chosen by the client. Two connections of one user
/// with the same device id cannot coexist: the newer one replaces (kicks) the older.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(String);

impl DeviceId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: impl Into<String>) -> Result<Self, InvalidId> {
        let s = s.into();
        check_id("device id", &s, Self::MAX_LEN)?;
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_newtype_impls {
    ($t:ident) => {
        impl TryFrom<String> for $t {
            type Error = InvalidId;
            fn try_from(s: String) -> Result<Self, InvalidId> {
                Self::parse(s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
        impl std::str::FromStr for $t {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, InvalidId> {
                Self::parse(s)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", self.0)
            }
        }
    };
}
string_newtype_impls!(UserId);
string_newtype_impls!(DeviceId);

/// A message's server-assigned key, in Tencent's `{seq}_{random}_{time}` form: the server's
/// message number, the client's random and the send time in seconds. It names one message for
/// history paging and recall; clients treat it as opaque.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageKey {
    /// Server-wide message number, increasing in commit order.
    pub id: u64,
    pub random: u32,
    pub time_s: u64,
}

impl MessageKey {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        let bad = || {
            InvalidId(format!(
                "message key \"{s}\" is not of the form seq_random_time"
            ))
        };
        let mut parts = s.splitn(3, '_');
        let mut next = || parts.next().ok_or_else(bad);
        let id = next()?.parse().map_err(|_| bad())?;
        let random = next()?.parse().map_err(|_| bad())?;
        let time_s = next()?.parse().map_err(|_| bad())?;
        Ok(Self { id, random, time_s })
    }
}

impl TryFrom<String> for MessageKey {
    type Error = InvalidId;
    fn try_from(s: String) -> Result<Self, InvalidId> {
        Self::parse(&s)
    }
}

impl From<MessageKey> for String {
    fn from(k: MessageKey) -> String {
        k.to_string()
    }
}

impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}_{}", self.id, self.random, self.time_s)
    }
}

impl fmt::Debug for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MessageKey({self})")
    }
}

/// A position in one user's sync log. Every entry appended to a user's log gets the next
/// sequence, starting at 1; a client's cursor is the last sequence it has applied.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seq(pub u64);

impl fmt::Debug for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Seq({})", self.0)
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_ids_are_c2c_and_a_user_id() {
        let id = ConversationId::parse("C2Calice_01").unwrap();
        assert_eq!(id.0.as_str(), "alice_01");
        assert_eq!(id.to_string(), "C2Calice_01");
        for bad in ["alice", "GROUPabc", "C2C", "C2Cbad id"] {
            assert!(ConversationId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_id_rules() {
        assert!(UserId::parse("alice_01@x.com").is_ok());
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse("a".repeat(33)).is_err());
        assert!(UserId::parse("has space").is_err());
        assert!(serde_json::from_str::<UserId>("\"bad/id\"").is_err());
    }

    #[test]
    fn message_key_round_trip() {
        let k = MessageKey {
            id: 42,
            random: 7,
            time_s: 1_700_000_000,
        };
        let json = serde_json::to_string(&k).unwrap();
        assert_eq!(json, "\"42_7_1700000000\"");
        assert_eq!(serde_json::from_str::<MessageKey>(&json).unwrap(), k);
        assert!(MessageKey::parse("42_7").is_err());
        assert!(MessageKey::parse("x_7_1").is_err());
    }
}
