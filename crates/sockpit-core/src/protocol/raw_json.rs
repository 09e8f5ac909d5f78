//! [`RawJson`]: a JSON value kept as the text the server sent (checked, never built into a tree),
//! for payloads that arrive at a high rate and are mostly passed on as they are.

use std::fmt;
use std::io::{self, Write};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

/// One JSON value as text: valid JSON, nested no deeper than [`serde_json::Value`] parses, so
/// [`RawJson::to_value`] always succeeds. Fields keep the server's order (GraphQL's result order);
/// equality is of the text.
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// Checks `text` (one JSON value, at most as deep as `Value` allows) and keeps it.
    pub fn parse(text: &str) -> Result<RawJson, serde_json::Error> {
        let raw: &RawValue = serde_json::from_str(text)?;
        walk(raw.get())?;
        Ok(RawJson(raw.to_owned()))
    }

    /// Keeps a raw value the caller has walked (see [`walk`]) on its own.
    pub(crate) fn walked(raw: &RawValue) -> RawJson {
        RawJson(raw.to_owned())
    }

    /// The text as it arrived (whitespace included).
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The value as a tree (for JSON pointers, assertions, scripts).
    pub fn to_value(&self) -> Value {
        // Cannot fail: the text was checked as `Value` would parse it.
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }

    /// The text without whitespace between tokens (one line), fields in the order they came.
    pub fn write_compact<W: Write>(&self, w: &mut W) -> io::Result<()> {
        let b = self.as_str().as_bytes();
        let (mut start, mut in_string, mut escaped) = (0, false, false);
        for (i, &c) in b.iter().enumerate() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == b'\\' {
                    escaped = true;
                } else if c == b'"' {
                    in_string = false;
                }
                continue;
            }
            match c {
                b'"' => in_string = true,
                b' ' | b'\t' | b'\n' | b'\r' => {
                    if start < i {
                        w.write_all(&b[start..i])?;
                    }
                    start = i + 1;
                }
                _ => {}
            }
        }
        w.write_all(&b[start..])
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &RawJson) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The compact text (see [`RawJson::write_compact`]).
impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = Vec::with_capacity(self.as_str().len());
        self.write_compact(&mut buf).map_err(|_| fmt::Error)?;
        f.write_str(&String::from_utf8_lossy(&buf))
    }
}

/// Serialized as the JSON value itself (through `serde_json`, the text verbatim).
impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// Walks `text` as `serde_json::Value` would parse it (same nesting limit), building nothing.
pub(crate) fn walk(text: &str) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    Walk.deserialize(&mut de)?;
    de.end()
}

/// A visitor that accepts any JSON value and keeps nothing; nesting goes through
/// `deserialize_any`, so the parser's recursion limit applies.
pub(crate) struct Walk;

impl<'de> DeserializeSeed<'de> for Walk {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Walk)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(Walk)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(text: &str) -> String {
        let mut out = Vec::new();
        RawJson::parse(text)
            .expect("valid")
            .write_compact(&mut out)
            .expect("a Vec takes it");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn compact_text_drops_whitespace_between_tokens_only_and_keeps_the_order() {
        assert_eq!(
            compact("{ \"b\" : [1, 2],\n\t\"a\": \"x y\\\" z \" }"),
            r#"{"b":[1,2],"a":"x y\" z "}"#
        );
        assert_eq!(compact(r#"{"a":"\\"}"#), r#"{"a":"\\"}"#);
        let raw = RawJson::parse(" {\"z\":1, \"a\":{\"k\":null}} ").expect("valid");
        assert_eq!(raw.to_string(), r#"{"z":1,"a":{"k":null}}"#);
        assert_eq!(raw.to_value(), serde_json::json!({"a":{"k":null},"z":1}));
        assert_eq!(
            serde_json::to_string(&raw).expect("serializes"),
            r#"{"z":1, "a":{"k":null}}"#
        );
    }

    #[test]
    fn bad_or_too_deep_text_is_refused_as_value_would_refuse_it() {
        assert!(RawJson::parse("{").is_err());
        assert!(RawJson::parse("[1,]").is_err());
        assert!(RawJson::parse("1 2").is_err());
        for depth in [10, 127, 128, 129, 1000] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(
                RawJson::parse(&text).is_ok(),
                serde_json::from_str::<Value>(&text).is_ok(),
                "depth {depth}"
            );
        }
    }
}
