//! The reader: JSON text into any `Deserialize` type.

use super::Error;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Expected, Unexpected, Visitor};

/// Arrays and objects nested deeper than this are refused (serde_json's limit).
const MAX_DEPTH: u8 = 128;

/// Reads `text`, which must hold one JSON value and nothing else, as a `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let mut reader = Reader {
        text,
        at: 0,
        depth: 0,
        scratch: String::new(),
    };
    match T::deserialize(&mut reader) {
        Ok(value) => reader.end().map(|()| value),
        Err(e) => Err(reader.located(e)),
    }
}

/// A place in the text being read.
struct Reader<'de> {
    text: &'de str,
    /// The next byte to read.
    at: usize,
    /// Arrays and objects open around `at`.
    depth: u8,
    /// The last string read that had escapes, unescaped.
    scratch: String,
}

/// The start of a JSON value, read as far as its kind needs no visitor.
enum Token<'de> {
    Null,
    Bool(bool),
    /// A string: borrowed from the text, or, when it had escapes, in [`Reader::scratch`].
    Str(Option<&'de str>),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    /// `[` or `{`, taken.
    Open(u8),
}

impl<'de> Reader<'de> {
    fn bytes(&self) -> &'de [u8] {
        self.text.as_bytes()
    }

    /// The next byte that is not whitespace, not taken.
    #[inline(never)]
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes().get(self.at) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.at += 1;
        }
        None
    }

    /// Takes `b`, after any whitespace, or fails saying what was `expected`.
    #[inline(never)]
    fn take(&mut self, b: u8, expected: &str) -> Result<(), Error> {
        if self.peek() != Some(b) {
            return Err(Error::new(expected));
        }
        self.at += 1;
        Ok(())
    }

    /// The next value's start: a scalar whole, or the opening of an array or object. (Not
    /// inlined: it is the reader, shared by every type's visitor.)
    #[inline(never)]
    fn token(&mut self) -> Result<Token<'de>, Error> {
        let Some(first) = self.peek() else {
            return Err(Error::new("EOF while parsing a value"));
        };
        let word = |reader: &mut Self, word: &str, token| {
            if !reader.bytes()[reader.at..].starts_with(word.as_bytes()) {
                return Err(Error::new("expected value"));
            }
            reader.at += word.len();
            Ok(token)
        };
        match first {
            b'n' => word(self, "null", Token::Null),
            b't' => word(self, "true", Token::Bool(true)),
            b'f' => word(self, "false", Token::Bool(false)),
            b'"' => {
                self.at += 1;
                self.string().map(Token::Str)
            }
            b'-' | b'0'..=b'9' => self.number(),
            b'[' | b'{' => {
                if self.depth == MAX_DEPTH {
                    return Err(Error::new("recursion limit exceeded"));
                }
                self.depth += 1;
                self.at += 1;
                Ok(Token::Open(first))
            }
            _ => Err(Error::new("expected value")),
        }
    }

    /// Takes the `close` of an array or object whose items were all read.
    fn close(&mut self, close: u8) -> Result<(), Error> {
        self.depth -= 1;
        self.take(
            close,
            if close == b']' {
                "expected `]`"
            } else {
                "expected `}`"
            },
        )
    }

    /// A string, its opening quote taken: borrowed when it has no escapes, else `None` with
    /// the string in `scratch`.
    fn string(&mut self) -> Result<Option<&'de str>, Error> {
        let mut start = self.at;
        let mut escaped = false;
        loop {
            let Some(&b) = self.bytes().get(self.at) else {
                return Err(Error::new("EOF while parsing a string"));
            };
            match b {
                b'"' => {
                    let rest = &self.text[start..self.at];
                    self.at += 1;
                    if !escaped {
                        return Ok(Some(rest));
                    }
                    self.scratch.push_str(rest);
                    return Ok(None);
                }
                b'\\' => {
                    if !escaped {
                        self.scratch.clear();
                        escaped = true;
                    }
                    self.scratch.push_str(&self.text[start..self.at]);
                    self.at += 1;
                    let c = self.escape()?;
                    self.scratch.push(c);
                    start = self.at;
                }
                0..=0x1f => return Err(Error::new("control character in string")),
                _ => self.at += 1,
            }
        }
    }

    /// The character an escape stands for, its backslash taken.
    fn escape(&mut self) -> Result<char, Error> {
        let Some(&b) = self.bytes().get(self.at) else {
            return Err(Error::new("EOF while parsing a string"));
        };
        self.at += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&unit) {
                    // A character outside the BMP, as a surrogate pair: `\ud83d\ude00`.
                    let low = match self.bytes()[self.at..].starts_with(b"\\u") {
                        true => {
                            self.at += 2;
                            self.hex4()?
                        }
                        false => 0,
                    };
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(Error::new("lone leading surrogate in hex escape"));
                    }
                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    unit
                };
                return char::from_u32(code)
                    .ok_or_else(|| Error::new("lone trailing surrogate in hex escape"));
            }
            _ => return Err(Error::new("invalid escape")),
        })
    }

    /// The four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u32, Error> {
        let digits = self.bytes().get(self.at..self.at + 4);
        let mut unit = 0;
        for &d in digits.ok_or_else(|| Error::new("EOF while parsing a string"))? {
            let d = char::from(d).to_digit(16);
            unit = unit * 16 + d.ok_or_else(|| Error::new("invalid escape"))?;
        }
        self.at += 4;
        Ok(unit)
    }

    /// A number, at its `-` or first digit. Integers that fit are read exactly; any other
    /// number, as JSON's grammar has it, as the nearest `f64`.
    fn number(&mut self) -> Result<Token<'de>, Error> {
        let start = self.at;
        let negative = self.bytes()[start] == b'-';
        self.at += usize::from(negative);
        let whole_start = self.at;
        let mut whole: Option<u64> = Some(0);
        while let Some(&d) = self.bytes().get(self.at).filter(|d| d.is_ascii_digit()) {
            whole = whole
                .and_then(|n| n.checked_mul(10))
                .and_then(|n| n.checked_add(u64::from(d - b'0')));
            self.at += 1;
        }
        let digits = self.at - whole_start;
        if digits == 0 || (digits > 1 && self.bytes()[whole_start] == b'0') {
            return Err(Error::new("invalid number"));
        }
        let mut fraction_or_exponent = false;
        if self.bytes().get(self.at) == Some(&b'.') {
            self.at += 1;
            self.digits()?;
            fraction_or_exponent = true;
        }
        if matches!(self.bytes().get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.bytes().get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
            fraction_or_exponent = true;
        }
        match whole.filter(|_| !fraction_or_exponent) {
            Some(n) if !negative => return Ok(Token::Unsigned(n)),
            Some(n) if n <= 1 << 63 => return Ok(Token::Signed(0i64.wrapping_sub_unsigned(n))),
            _ => {}
        }
        let n = crate::runtime::parse_float(&self.text[start..self.at]);
        if !n.is_finite() {
            return Err(Error::new("number out of range"));
        }
        Ok(Token::Float(n))
    }

    /// One or more digits, of a fraction or an exponent.
    fn digits(&mut self) -> Result<(), Error> {
        let start = self.at;
        while self.bytes().get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        if self.at == start {
            return Err(Error::new("invalid number"));
        }
        Ok(())
    }

    /// An array's items, its `[` taken. (This and [`Reader::object`] are part of each
    /// deserializer method that reads one, inlined: as calls they made the module larger.)
    #[inline(always)]
    fn array<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let value = visitor.visit_seq(Items::new(self))?;
        self.close(b']')?;
        Ok(value)
    }

    /// An object's entries, its `{` taken.
    #[inline(always)]
    fn object<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let value = visitor.visit_map(Items::new(self))?;
        self.close(b'}')?;
        Ok(value)
    }

    /// The error for a value of the wrong kind, `token` being its start.
    #[inline(never)]
    fn mismatch(&mut self, token: Token<'_>, expected: &dyn Expected) -> Error {
        let found = match token {
            Token::Null => Unexpected::Unit,
            Token::Bool(b) => Unexpected::Bool(b),
            Token::Str(s) => Unexpected::Str(s.unwrap_or(&self.scratch)),
            Token::Unsigned(n) => Unexpected::Unsigned(n),
            Token::Signed(n) => Unexpected::Signed(n),
            Token::Float(n) => Unexpected::Float(n),
            Token::Open(b'[') => Unexpected::Seq,
            Token::Open(_) => Unexpected::Map,
        };
        de::Error::invalid_type(found, expected)
    }

    /// Reads past a value whatever it holds, checking only that it is JSON.
    fn skip(&mut self) -> Result<(), Error> {
        let Token::Open(open) = self.token()? else {
            return Ok(());
        };
        let close = open + 2; // `[` → `]`, `{` → `}`
        let mut items = Items::new(self);
        while items.more(close)? {
            if open == b'{' {
                items.reader.string_key()?;
                items.reader.take(b':', "expected `:`")?;
            }
            items.reader.skip()?;
        }
        self.close(close)
    }

    /// An object's key, skipped.
    fn string_key(&mut self) -> Result<(), Error> {
        match self.token()? {
            Token::Str(_) => Ok(()),
            _ => Err(Error::new("key must be a string")),
        }
    }

    /// Checks that only whitespace follows the value.
    fn end(&mut self) -> Result<(), Error> {
        match self.peek() {
            None => Ok(()),
            Some(_) => {
                self.at += 1;
                Err(self.located(Error::new("trailing characters")))
            }
        }
    }

    /// `e`, saying where in the text it happened, as serde_json's errors do: the line, and
    /// the bytes read on it.
    fn located(&self, e: Error) -> Error {
        let before = &self.bytes()[..self.at.min(self.text.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = before.len()
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
        Error::from(format!("{} at line {line} column {column}", e.0))
    }
}

/// Deserializer methods that read as `deserialize_u64` does: every number is read as JSON has
/// it, and the visitor checks that it fits.
macro_rules! numbers {
    ($($method:ident)+) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_u64(visitor)
        })+
    };
}

/// Each method asks the visitor for the one kind of value it reads, and any other kind fails
/// through [`Reader::mismatch`], compiled once: visiting every kind for every type would
/// compile serde's error path for each kind into each type's reader.
impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Null => visitor.visit_unit(),
            Token::Bool(b) => visitor.visit_bool(b),
            Token::Str(Some(s)) => visitor.visit_borrowed_str(s),
            Token::Str(None) => visitor.visit_str(&self.scratch),
            Token::Unsigned(n) => visitor.visit_u64(n),
            Token::Signed(n) => visitor.visit_i64(n),
            Token::Float(n) => visitor.visit_f64(n),
            Token::Open(b'[') => self.array(visitor),
            Token::Open(_) => self.object(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Bool(b) => visitor.visit_bool(b),
            other => Err(self.mismatch(other, &visitor)),
        }
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Unsigned(n) => visitor.visit_u64(n),
            Token::Signed(n) => visitor.visit_i64(n),
            Token::Float(n) => visitor.visit_f64(n),
            other => Err(self.mismatch(other, &visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Str(Some(s)) => visitor.visit_borrowed_str(s),
            Token::Str(None) => visitor.visit_str(&self.scratch),
            other => Err(self.mismatch(other, &visitor)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Null => visitor.visit_unit(),
            other => Err(self.mismatch(other, &visitor)),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Open(b'[') => self.array(visitor),
            other => Err(self.mismatch(other, &visitor)),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Open(b'{') => self.object(visitor),
            other => Err(self.mismatch(other, &visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.peek() == Some(b'n') {
            self.token()?;
            return visitor.visit_none();
        }
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    /// An enum of unit variants, by name (the SDK reads no other kind).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Str(Some(s)) => visitor.visit_enum(de::value::BorrowedStrDeserializer::new(s)),
            Token::Str(None) => visitor.visit_enum(de::value::StrDeserializer::new(&self.scratch)),
            other => Err(self.mismatch(other, &visitor)),
        }
    }

    /// A value nobody reads: skipped, without a visitor.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.skip()?;
        visitor.visit_unit()
    }

    numbers!(deserialize_u8 deserialize_u16 deserialize_u32 deserialize_i8 deserialize_i16
        deserialize_i32 deserialize_i64 deserialize_f32 deserialize_f64);

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf tuple_struct
    }
}

/// The items of an array, or the entries of an object, being read.
struct Items<'a, 'de> {
    reader: &'a mut Reader<'de>,
    first: bool,
}

impl<'a, 'de> Items<'a, 'de> {
    fn new(reader: &'a mut Reader<'de>) -> Self {
        Items {
            reader,
            first: true,
        }
    }

    /// Whether another item follows before `close`, taking the comma before it.
    #[inline(never)]
    fn more(&mut self, close: u8) -> Result<bool, Error> {
        let next = self.reader.peek();
        if next == Some(close) {
            return Ok(false);
        }
        if self.first {
            self.first = false;
            return Ok(true);
        }
        if next != Some(b',') {
            return Err(Error::new(if close == b']' {
                "expected `,` or `]`"
            } else {
                "expected `,` or `}`"
            }));
        }
        self.reader.at += 1;
        Ok(true)
    }
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if !self.more(b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

impl<'de> de::MapAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if !self.more(b'}')? {
            return Ok(None);
        }
        if self.reader.peek() != Some(b'"') {
            return Err(Error::new("key must be a string"));
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.reader.take(b':', "expected `:`")?;
        seed.deserialize(&mut *self.reader)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::element::{Element, LocationElem, TextElem};
    use protocol::frame::{KickCause, ServerFrame};
    use serde::Deserialize;

    fn read<T: DeserializeOwned>(text: &str) -> Result<T, String> {
        from_str(text).map_err(|e| e.to_string())
    }

    /// Reads what serde_json reads from `text`, the same way.
    fn same_as_serde_json<T: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) {
        let expected: T = serde_json::from_str(text).unwrap();
        assert_eq!(read::<T>(text).unwrap(), expected, "{text}");
    }

    #[test]
    fn reads_scalars_and_nesting_like_serde_json() {
        same_as_serde_json::<Option<bool>>(" null ");
        same_as_serde_json::<(bool, bool)>("[true,false]");
        same_as_serde_json::<Vec<u64>>("[0, 7, 18446744073709551615]");
        same_as_serde_json::<Vec<i64>>("[-1, -9223372036854775808, 42]");
        same_as_serde_json::<Vec<Vec<String>>>("[[],[\"a\"],[\"b\",\"c\"]]");
        same_as_serde_json::<std::collections::BTreeMap<String, Option<u32>>>(
            "{\"a\": 1, \"b\" : null,\n\"c\":2}",
        );
    }

    #[test]
    fn floats_round_trip_exactly() {
        for n in [
            0.0f64,
            -0.5,
            1e-7,
            48.858_370_1,
            2.352_221_9,
            -179.999_999_999_999_97,
            1e300,
        ] {
            let text = serde_json::to_string(&n).unwrap();
            assert_eq!(read::<f64>(&text).unwrap().to_bits(), n.to_bits(), "{text}");
        }
        same_as_serde_json::<Vec<f64>>("[1.5e3, -2E-2, 0.1, 18446744073709551616, 3]");
        assert!(read::<f64>("1e400").unwrap_err().contains("out of range"));
    }

    #[test]
    fn strings_unescape_as_serde_json_does() {
        same_as_serde_json::<String>(r#""plain, and ünïcödé 😀""#);
        same_as_serde_json::<String>(r#""q\"b\\s\/\b\f\n\r\t""#);
        same_as_serde_json::<String>(r#""\u00e9\u4e2d\ud83d\ude00 and after""#);
        same_as_serde_json::<Vec<String>>(r#"["a\nb", "plain", "c\u0041"]"#);
        for (text, error) in [
            (r#""\ud83d""#, "lone leading surrogate"),
            (r#""\ud83d\u0041""#, "lone leading surrogate"),
            (r#""\ude00""#, "lone trailing surrogate"),
            (r#""\x""#, "invalid escape"),
            (r#""\u12g4""#, "invalid escape"),
            ("\"a\u{1}b\"", "control character"),
            ("\"open", "EOF while parsing a string"),
        ] {
            let e = read::<String>(text).unwrap_err();
            assert!(e.contains(error), "{text}: {e}");
        }
    }

    /// Every prefix of a frame, and the frame with any one character replaced by one that
    /// JSON gives meaning to, is read or refused, never a panic: in the browser a panic would
    /// stop the module.
    #[test]
    fn damaged_frames_are_refused_without_panicking() {
        let frame = ServerFrame::Kicked {
            reason: "tab \t, \"quote\", \u{1} and 😀 é".into(),
            cause: KickCause::AccountDeleted,
        };
        let elements = vec![Element::Location(LocationElem {
            desc: "Tour \"Eiffel\"".into(),
            latitude: -48.858_370_1,
            longitude: 2.294_481_3e-5,
        })];
        let texts = [
            serde_json::to_string(&frame).unwrap(),
            serde_json::to_string(&elements).unwrap(),
            r#"{"type":"reply","id":1,"data":{"kind":"pong"},"x":[1,{"y":"\ud83d\ude00"}]}"#.into(),
        ];
        let read_all = |text: &str| {
            let _ = read::<ServerFrame>(text);
            let _ = read::<Vec<Element>>(text);
            let _ = read::<serde::de::IgnoredAny>(text);
        };
        for text in &texts {
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            for &(at, _) in &chars {
                read_all(&text[..at]);
            }
            for (i, &(at, c)) in chars.iter().enumerate() {
                let end = chars.get(i + 1).map_or(text.len(), |&(next, _)| next);
                for other in [
                    '"', '\\', '{', '}', '[', ']', ',', ':', '0', '-', 'e', '.', 'u', 'é',
                ] {
                    if other != c {
                        read_all(&format!("{}{other}{}", &text[..at], &text[end..]));
                    }
                }
            }
        }
    }

    #[test]
    fn refuses_what_json_does_not_allow() {
        for text in [
            "",
            "[1,]",
            "[1 2]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:2}",
            "01",
            "-",
            "1.",
            "1e",
            ".5",
            "+1",
            "tru",
            "nul",
            "[1",
            "{\"a\":1",
            "\"a\" x",
            "[] []",
            "NaN",
        ] {
            assert!(
                read::<serde::de::IgnoredAny>(text).is_err(),
                "{text:?} was read"
            );
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(
            read::<serde::de::IgnoredAny>(&deep)
                .unwrap_err()
                .contains("recursion limit")
        );
        let fine = "[".repeat(100) + &"]".repeat(100);
        assert!(read::<serde::de::IgnoredAny>(&fine).is_ok());
    }

    #[test]
    fn errors_say_what_was_found_and_where() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Options {
            to: String,
            count: u8,
        }
        let e = read::<Options>("{\"to\": 5, \"count\": 1}").unwrap_err();
        assert_eq!(
            e,
            "invalid type: integer `5`, expected a string at line 1 column 8"
        );
        let e = read::<Options>("{\"to\": \"a\",\n \"count\": 300}").unwrap_err();
        assert_eq!(
            e,
            "invalid value: integer `300`, expected u8 at line 2 column 13"
        );
        let e = read::<Options>("{\"to\": \"a\"}").unwrap_err();
        assert!(e.starts_with("missing field `count`"), "{e}");
        let e = read::<Options>("{\"to\": 1.5, \"count\": 1}").unwrap_err();
        assert!(
            e.starts_with("invalid type: floating point number, expected a string"),
            "{e}"
        );
        let e = read::<u32>("\"7\"").unwrap_err();
        assert!(
            e.starts_with("invalid type: string \"7\", expected u32"),
            "{e}"
        );
        let e = read::<u32>("7 8").unwrap_err();
        assert_eq!(e, "trailing characters at line 1 column 3");
    }

    #[test]
    fn reads_the_protocols_values_as_serde_json_writes_them() {
        let elements = vec![
            Element::Text(TextElem {
                text: "say \"hi\"\n😀".into(),
            }),
            Element::Location(LocationElem {
                desc: "Tour Eiffel".into(),
                latitude: 48.858_370_1,
                longitude: 2.294_481_3,
            }),
        ];
        let text = serde_json::to_string(&elements).unwrap();
        assert_eq!(read::<Vec<Element>>(&text).unwrap(), elements);
        let frame = r#"{"type":"error","id":3,"code":70001,"message":"bad \"sig\""}"#;
        same_as_serde_json::<ServerFrame>(frame);
        let kicked = ServerFrame::Kicked {
            reason: "deleted".into(),
            cause: KickCause::AccountDeleted,
        };
        let text = serde_json::to_string(&kicked).unwrap();
        assert_eq!(read::<ServerFrame>(&text).unwrap(), kicked);
    }

    /// Types whose decoders take any value and look at it: serde's tagged and untagged enums
    /// (through its buffered content) and serde_json's `Value`.
    #[test]
    fn reads_what_serde_reads_through_deserialize_any() {
        #[derive(Debug, PartialEq, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        enum Card {
            RedPacket { amount_cents: u64, greeting: String },
            Hand { hand: Vec<String> },
        }
        same_as_serde_json::<Card>(r#"{"kind":"red_packet","amount_cents":888,"greeting":"Hi"}"#);
        same_as_serde_json::<Vec<Card>>(r#"[{"hand":["rock"],"kind":"hand"}]"#);
        #[derive(Debug, PartialEq, Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(f64),
            Words(Vec<String>),
            Object { a: Option<bool> },
        }
        same_as_serde_json::<Vec<Either>>(r#"[1.5, ["x"], {"a": true}, {"a": null}]"#);
        same_as_serde_json::<serde_json::Value>(
            r#"{"a":[1,-2,3.5,{"b":null}],"c":"\u00e9","d":[]}"#,
        );
    }

    #[test]
    fn unit_variants_are_read_by_name() {
        #[derive(Debug, PartialEq, Deserialize)]
        #[serde(rename_all = "lowercase")]
        enum Kind {
            Image,
            Video,
        }
        same_as_serde_json::<Vec<Kind>>(r#"["image","video"]"#);
        same_as_serde_json::<Kind>(r#""vid\u0065o""#);
        assert!(
            read::<Kind>(r#""audio""#)
                .unwrap_err()
                .contains("unknown variant `audio`")
        );
        assert!(
            read::<Kind>("{\"image\":1}")
                .unwrap_err()
                .contains("invalid type: object")
        );
    }
}
