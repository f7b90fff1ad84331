//! JSON for serde, the SDK's own: everything the SDK reads or writes as JSON (the server's
//! frames, upload answers, the cache's records, the app's options and the answers it gets)
//! goes through [`from_str`] and [`to_string`]. The server uses serde_json; the two agree on
//! the text.
//!
//! Why not serde_json in the browser:
//! - Its reader's errors describe the value they did not expect through serde's `Unexpected`,
//!   whose `Display` prints a float with core's float formatting and a string with `Debug`
//!   escaping. That links the float printing algorithms and Unicode's printable tables into
//!   the module for error messages. The errors here name the kind of value found (and a string
//!   or an integer as it is), which says as much.
//! - Its writer carries a float formatter with its tables. The browser has one: floats are
//!   written, and read, by JavaScript (`parseFloat`, `JSON.stringify`).
//!
//! Together with errors one word wide, here and in the SDK, that made the package 15 %
//! smaller. The reader is as strict as serde_json (RFC 8259, nesting limited), and the tests
//! check both directions against serde_json.

mod read;
mod write;

pub use read::from_str;
pub use write::to_string;

use serde::de::{self, Expected, Unexpected};
use serde::ser;
use std::fmt;

/// Why a value could not be read or written as JSON, and where in the text. Boxed: results
/// carrying it are one word wider than their value at most, and every decoder passes them on.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::box_collection,
    reason = "one word wide, where a String is three"
)]
pub struct Error(Box<String>);

impl Error {
    fn new(message: &str) -> Self {
        Error(Box::new(message.to_owned()))
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error(Box::new(message))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error::from(message.to_string())
    }

    fn invalid_type(found: Unexpected, expected: &dyn Expected) -> Self {
        Error::from(format!(
            "invalid type: {}, expected {expected}",
            Found(found)
        ))
    }

    fn invalid_value(found: Unexpected, expected: &dyn Expected) -> Self {
        Error::from(format!(
            "invalid value: {}, expected {expected}",
            Found(found)
        ))
    }
}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error::from(message.to_string())
    }
}

/// A value that was not what was expected, for an error: its kind, and the value itself when
/// showing it needs no float or escaping code.
struct Found<'a>(Unexpected<'a>);

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Bool(b) => write!(f, "boolean `{b}`"),
            Unexpected::Unsigned(n) => write!(f, "integer `{n}`"),
            Unexpected::Signed(n) => write!(f, "integer `{n}`"),
            Unexpected::Str(s) => write!(f, "string \"{s}\""),
            Unexpected::Other(what) => f.write_str(what),
            other => f.write_str(match other {
                Unexpected::Float(_) => "floating point number",
                Unexpected::Char(_) => "character",
                Unexpected::Bytes(_) => "byte array",
                Unexpected::Unit => "null",
                Unexpected::Seq => "array",
                Unexpected::Map => "object",
                _ => "value of another kind",
            }),
        }
    }
}
