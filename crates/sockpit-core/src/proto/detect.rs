//! Type detection: which message types in a pool decode given bytes cleanly, best first — for the
//! "which type is this?" moment.

use prost_reflect::{DynamicMessage, Kind, MessageDescriptor, Value};
use serde::Serialize;

use super::schema::Schema;

/// A type that decodes the bytes with no unknown fields and valid UTF-8 in every string.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Candidate {
    pub type_name: String,
    /// Higher is a better fit: 10 per field recognised, 1 more per field of a specific kind (valid
    /// UTF-8 string, defined enum value), minus 15 per enum value the type does not define.
    pub score: i64,
    /// Fields set, counted through nested messages.
    pub fields_set: usize,
    /// Enum fields holding a number the enum does not define.
    pub unknown_enum_values: usize,
}

/// Ranks the pool's types that decode `bytes` cleanly, best first; at most `limit` of them.
/// Map entry types are skipped, and `google.protobuf.*` types rank after the user's own on ties.
pub fn detect_types(schema: &Schema, bytes: &[u8], limit: usize) -> Vec<Candidate> {
    let mut out: Vec<(Candidate, usize, bool)> = schema
        .pool()
        .all_messages()
        .filter(|m| !m.is_map_entry())
        .filter_map(|desc| {
            let msg = DynamicMessage::decode(desc.clone(), bytes).ok()?;
            let mut stats = Stats::default();
            walk(&msg, &mut stats, 0).then_some(())?;
            if bytes.is_empty() || stats.fields_set > 0 {
                let score = stats.fields_set as i64 * 10 + stats.specific as i64
                    - stats.unknown_enum_values as i64 * 15;
                let declared = desc.fields().len();
                let wkt = desc.full_name().starts_with("google.protobuf.");
                Some((
                    Candidate {
                        type_name: desc.full_name().to_string(),
                        score,
                        fields_set: stats.fields_set,
                        unknown_enum_values: stats.unknown_enum_values,
                    },
                    declared,
                    wkt,
                ))
            } else {
                None
            }
        })
        .collect();
    // Best score first; then the user's own types; then the tighter type (fewer declared fields).
    out.sort_by(|a, b| {
        b.0.score
            .cmp(&a.0.score)
            .then(a.2.cmp(&b.2))
            .then(a.1.cmp(&b.1))
            .then(a.0.type_name.cmp(&b.0.type_name))
    });
    out.into_iter().take(limit).map(|(c, _, _)| c).collect()
}

#[derive(Default)]
struct Stats {
    fields_set: usize,
    specific: usize,
    unknown_enum_values: usize,
}

/// Counts set fields; false when any message in the tree has unknown fields.
fn walk(msg: &DynamicMessage, stats: &mut Stats, depth: usize) -> bool {
    if depth > 100 || msg.unknown_fields().next().is_some() {
        return false;
    }
    for (field, value) in msg.fields() {
        stats.fields_set += 1;
        let kind = field.kind();
        if !walk_value(value, &kind, stats, depth) {
            return false;
        }
    }
    true
}

fn walk_value(value: &Value, kind: &Kind, stats: &mut Stats, depth: usize) -> bool {
    match value {
        Value::Message(m) => walk(m, stats, depth + 1),
        Value::List(items) => items.iter().all(|v| walk_value(v, kind, stats, depth)),
        Value::Map(entries) => {
            let value_kind = match kind {
                Kind::Message(entry) => map_value_kind(entry),
                _ => None,
            };
            entries.values().all(|v| match &value_kind {
                Some(k) => walk_value(v, k, stats, depth),
                None => true,
            })
        }
        Value::EnumNumber(n) => {
            if let Kind::Enum(e) = kind {
                if e.get_value(*n).is_none() {
                    stats.unknown_enum_values += 1;
                } else {
                    stats.specific += 1;
                }
            }
            true
        }
        Value::String(_) => {
            stats.specific += 1;
            true
        }
        _ => true,
    }
}

fn map_value_kind(entry: &MessageDescriptor) -> Option<Kind> {
    Some(entry.map_entry_value_field().kind())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::codec;

    const SRC: &str = r#"
        syntax = "proto3";
        package d;
        enum Side { SIDE_UNSPECIFIED = 0; BUY = 1; SELL = 2; }
        message Order { string symbol = 1; int64 qty = 2; Side side = 3; }
        message Chat { string text = 1; }
        message Ping { int64 seq = 1; }
        message Blob { bytes data = 1; uint64 n = 2; uint64 m = 3; }
    "#;

    #[test]
    fn ranks_the_type_that_fits_first() {
        let s = Schema::from_sources(&[("d.proto", SRC)]).unwrap();
        let order = s.message("d.Order").unwrap();
        let m = codec::from_json(&order, r#"{"symbol":"ACME","qty":"5","side":"SELL"}"#).unwrap();
        let bytes = codec::encode(&m);
        let c = detect_types(&s, &bytes, 10);
        assert_eq!(c[0].type_name, "d.Order", "{c:?}");
        // Chat has no field 2 or 3, so it is not a clean fit
        assert!(!c.iter().any(|c| c.type_name == "d.Chat"), "{c:?}");
        // Blob fits too (bytes, uint64, uint64) but less specifically
        assert!(c.iter().any(|c| c.type_name == "d.Blob"));
    }

    #[test]
    fn invalid_utf8_rules_out_string_types() {
        let s = Schema::from_sources(&[("d.proto", SRC)]).unwrap();
        let c = detect_types(&s, b"\x0a\x02\xff\xfe", 10);
        let names: Vec<&str> = c.iter().map(|c| c.type_name.as_str()).collect();
        assert!(names.contains(&"d.Blob"), "{names:?}");
        assert!(
            !names.contains(&"d.Chat") && !names.contains(&"d.Order"),
            "{names:?}"
        );
        assert!(detect_types(&s, b"\xff\xff", 10).is_empty());
    }

    #[test]
    fn undefined_enum_values_rank_lower() {
        let s = Schema::from_sources(&[("d.proto", SRC)]).unwrap();
        // field 3 = 9: Order.side = 9 is undefined; Blob.m = 9 is fine
        let c = detect_types(&s, b"\x18\x09", 10);
        assert_eq!(c[0].type_name, "d.Blob", "{c:?}");
        let order = c.iter().find(|c| c.type_name == "d.Order").unwrap();
        assert_eq!(order.unknown_enum_values, 1);
    }
}
