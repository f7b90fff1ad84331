//! The writer: any `Serialize` type as compact JSON text, the same text serde_json writes but
//! for floats, which are written as JavaScript writes them (`48.85`, `1e-7`, `3`): the same
//! number, in the same JSON.

use super::Error;
use serde::ser::{self, Serialize};
use std::fmt::Write;

/// `value` as JSON text.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut writer = Writer(String::new());
    value.serialize(&mut writer)?;
    Ok(writer.0)
}

/// The text written so far.
struct Writer(String);

impl Writer {
    /// `text` as a JSON string: quoted, with `"`, `\` and the control characters escaped.
    fn string(&mut self, text: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.0.push('"');
        let mut start = 0;
        for (at, b) in text.bytes().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0..=0x1f => "\\u00",
                _ => continue,
            };
            self.0.push_str(&text[start..at]);
            self.0.push_str(escape);
            if escape == "\\u00" {
                self.0.push(char::from(HEX[usize::from(b >> 4)]));
                self.0.push(char::from(HEX[usize::from(b & 15)]));
            }
            start = at + 1;
        }
        self.0.push_str(&text[start..]);
        self.0.push('"');
    }

    fn unsigned(&mut self, n: u64) {
        let _ = write!(self.0, "{n}");
    }

    fn signed(&mut self, n: i64) {
        let _ = write!(self.0, "{n}");
    }

    /// A float; `null` for NaN and the infinities, which JSON has no numbers for (as
    /// serde_json writes them).
    fn float(&mut self, n: f64) {
        match n.is_finite() {
            true => crate::runtime::write_float(n, &mut self.0),
            false => self.0.push_str("null"),
        }
    }

    /// `{"variant":`, before the value of an enum variant with data.
    fn variant(&mut self, variant: &str) {
        self.0.push('{');
        self.string(variant);
        self.0.push(':');
    }

    /// An enum variant's array or object, inside `{"variant":…}`.
    fn variant_items(&mut self, variant: &str, open: &str, close: &'static str) -> Items<'_> {
        self.variant(variant);
        self.items(open, close)
    }

    /// An array or object opened with `open`, whose items come next.
    fn items(&mut self, open: &str, close: &'static str) -> Items<'_> {
        self.0.push_str(open);
        Items {
            writer: self,
            first: true,
            close,
        }
    }
}

/// Serializer methods for numbers, each widened to the type its writer takes.
macro_rules! numbers {
    ($($method:ident($ty:ty) => $write:ident($wide:ty)),+) => {$(
        fn $method(self, v: $ty) -> Result<(), Error> {
            self.$write(<$wide>::from(v));
            Ok(())
        }
    )+};
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = Items<'a>;
    type SerializeTupleVariant = Items<'a>;
    type SerializeMap = Items<'a>;
    type SerializeStruct = Items<'a>;
    type SerializeStructVariant = Items<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    numbers!(
        serialize_i8(i8) => signed(i64),
        serialize_i16(i16) => signed(i64),
        serialize_i32(i32) => signed(i64),
        serialize_i64(i64) => signed(i64),
        serialize_u8(u8) => unsigned(u64),
        serialize_u16(u16) => unsigned(u64),
        serialize_u32(u32) => unsigned(u64),
        serialize_u64(u64) => unsigned(u64),
        serialize_f32(f32) => float(f64),
        serialize_f64(f64) => float(f64)
    );

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }

    /// Bytes as an array of numbers, as serde_json writes them.
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        ser::Serializer::collect_seq(self, v)
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.0.push_str("null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.variant(variant);
        value.serialize(&mut *self)?;
        self.0.push('}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Items<'a>, Error> {
        Ok(self.items("[", "]"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Items<'a>, Error> {
        Ok(self.items("[", "]"))
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Items<'a>, Error> {
        Ok(self.items("[", "]"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Items<'a>, Error> {
        Ok(self.variant_items(variant, "[", "]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Items<'a>, Error> {
        Ok(self.items("{", "}"))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Items<'a>, Error> {
        Ok(self.items("{", "}"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Items<'a>, Error> {
        Ok(self.variant_items(variant, "{", "}}"))
    }
}

/// The items of an array, or the entries of an object, being written.
struct Items<'a> {
    writer: &'a mut Writer,
    first: bool,
    /// What closes it: `]`, `}`, or those and the `}` of an enum variant around it.
    close: &'static str,
}

impl Items<'_> {
    /// The comma before every item but the first.
    fn comma(&mut self) {
        if !self.first {
            self.writer.0.push(',');
        }
        self.first = false;
    }

    /// A struct field's name and colon.
    fn key(&mut self, key: &str) {
        self.comma();
        self.writer.string(key);
        self.writer.0.push(':');
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.writer)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.key(key);
        value.serialize(&mut *self.writer)
    }

    fn close(self) -> Result<(), Error> {
        self.writer.0.push_str(self.close);
        Ok(())
    }
}

/// serde's traits for the items of arrays (and tuples, and tuple variants) and for the fields
/// of structs (and struct variants), which all write alike here.
macro_rules! items {
    ($($trait:ident::$method:ident),+) => {$(
        impl ser::$trait for Items<'_> {
            type Ok = ();
            type Error = Error;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.item(value)
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )+};
    (fields $($trait:ident),+) => {$(
        impl ser::$trait for Items<'_> {
            type Ok = ();
            type Error = Error;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(key, value)
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )+};
}

items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);
items!(fields SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Items<'_> {
    type Ok = ();
    type Error = Error;

    /// A key, which must be written as a string: JSON has no other keys.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        let at = self.writer.0.len();
        key.serialize(&mut *self.writer)?;
        if !self.writer.0[at..].starts_with('"') {
            return Err(Error::new("key must be a string"));
        }
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.writer.0.push(':');
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::element::{CustomElem, Element, LocationElem, TextElem};
    use protocol::frame::{ClientFrame, Request};
    use protocol::ids::UserId;
    use std::collections::BTreeMap;

    /// Writes what serde_json writes.
    fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
        assert_eq!(
            to_string(value).unwrap(),
            serde_json::to_string(value).unwrap()
        );
    }

    #[test]
    fn writes_what_serde_json_writes() {
        same_as_serde_json(&(true, false, (), Some(7u8), None::<u32>, -42i64, u64::MAX));
        same_as_serde_json(&vec![Some("a"), None]);
        same_as_serde_json(&BTreeMap::from([("k", vec![1u32, 2]), ("l", vec![])]));
        same_as_serde_json(
            "quote \" backslash \\ tab \t nl \n cr \r \u{8}\u{c} \u{1}\u{1f}\u{7f} é 中 😀",
        );
        same_as_serde_json(&'"');
        same_as_serde_json(&[0u8, 255][..]);
        let to = UserId::parse("bob").unwrap();
        let elements = vec![
            Element::Text(TextElem {
                text: "hi \"there\"".into(),
            }),
            Element::Custom(CustomElem {
                data: "{\"a\":1}".into(),
                desc: String::new(),
                ext: "e".into(),
                sound: String::new(),
            }),
        ];
        same_as_serde_json(&elements);
        let request = Request::StatusSubscribe {
            users: vec![to],
            subscribe: true,
        };
        same_as_serde_json(&ClientFrame { id: 9, request });
        let request = Request::ConversationDelete {
            peer: UserId::parse("al").unwrap(),
            history: false,
        };
        same_as_serde_json(&ClientFrame { id: 10, request });
    }

    #[test]
    fn floats_are_the_same_number() {
        for n in [
            0.0f64,
            48.858_370_1,
            -179.999_999_999_999_97,
            1e-7,
            3.0,
            1e300,
        ] {
            let written = to_string(&n).unwrap();
            assert_eq!(
                serde_json::from_str::<f64>(&written).unwrap().to_bits(),
                n.to_bits()
            );
            assert_eq!(
                super::super::from_str::<f64>(&written).unwrap().to_bits(),
                n.to_bits()
            );
        }
        assert_eq!(
            to_string(&[f64::NAN, f64::INFINITY]).unwrap(),
            "[null,null]"
        );
        let location = Element::Location(LocationElem {
            desc: "here".into(),
            latitude: 48.85,
            longitude: 2.35,
        });
        let written = to_string(&location).unwrap();
        assert_eq!(serde_json::from_str::<Element>(&written).unwrap(), location);
    }

    #[test]
    fn map_keys_must_be_strings() {
        assert_eq!(to_string(&BTreeMap::from([("a", 1)])).unwrap(), "{\"a\":1}");
        let e = to_string(&BTreeMap::from([(1, 1)])).unwrap_err();
        assert_eq!(e.to_string(), "key must be a string");
    }
}
