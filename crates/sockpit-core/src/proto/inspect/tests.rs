//! Inspector decode tests on hand-built bytes: exact ranges, unknown fields, raw readings, errors.

use super::*;
use crate::proto::Schema;

const SRC: &str = r#"
    syntax = "proto3";
    package t;
    enum Side { SIDE_UNSPECIFIED = 0; BUY = 1; }
    message Inner { int32 x = 1; }
    message M { int32 a = 1; string b = 2; Inner c = 3; repeated sint32 p = 4; Side side = 5; }
    message Other { string name = 1; }
"#;

fn schema() -> Schema {
    Schema::from_sources(&[("t.proto", SRC)]).unwrap()
}

/// a=150, b="testing", c={x:5}
fn sample() -> Vec<u8> {
    let mut b = vec![0x08, 0x96, 0x01, 0x12, 0x07];
    b.extend_from_slice(b"testing");
    b.extend_from_slice(&[0x1a, 0x02, 0x08, 0x05]);
    b
}

fn typed(bytes: &[u8], name: &str) -> Result<Vec<FieldNode>, InspectError> {
    let s = schema();
    let d = s.message(name).unwrap();
    inspect_message(bytes, 0..bytes.len(), Some(&d))
}

#[test]
fn typed_fields_keep_exact_byte_ranges() {
    let f = typed(&sample(), "t.M").unwrap();
    assert_eq!(f.len(), 3);
    let a = &f[0];
    assert_eq!((a.number, a.name.as_str(), a.wire), (1, "a", Wire::Varint));
    assert_eq!((a.range.clone(), a.value_range.clone()), (0..3, 1..3));
    assert_eq!((a.value.as_str(), a.type_name.as_str()), ("150", "int32"));
    let b = &f[1];
    assert_eq!((b.range.clone(), b.value_range.clone()), (3..12, 5..12));
    assert_eq!(b.value, "\"testing\"");
    let c = &f[2];
    assert_eq!((c.range.clone(), c.value_range.clone()), (12..16, 14..16));
    assert_eq!(c.type_name, "t.Inner");
    let x = &c.children[0];
    assert_eq!((x.name.as_str(), x.value.as_str()), ("x", "5"));
    assert_eq!((x.range.clone(), x.value_range.clone()), (14..16, 15..16));
    assert!(c.range.start <= x.range.start && x.range.end <= c.range.end);
    assert!(f.iter().flat_map(FieldNode::walk).all(|n| !n.unknown));
}

#[test]
fn unknown_numbers_and_wrong_wire_types_are_marked() {
    // field 9 = 1 (not in M), then field 1 as a length-delimited value (M.a is a varint)
    let f = typed(&[0x48, 0x01, 0x0a, 0x01, 0x41], "t.M").unwrap();
    assert!(f[0].unknown);
    assert_eq!((f[0].number, f[0].name.as_str()), (9, ""));
    let labels: Vec<_> = f[0].readings.iter().map(|r| r.label).collect();
    assert_eq!(labels, ["int", "sint", "bool"]);
    assert!(f[1].unknown);
    assert_eq!(f[1].name, "a");
    assert!(f[1].type_name.contains("mismatch"), "{}", f[1].type_name);
    assert_eq!(f[1].value, "\"A\"");
}

#[test]
fn packed_enums_and_sint_read_by_kind() {
    // p = [-1, 2] packed (zigzag 1, 4), side = BUY
    let f = typed(&[0x22, 0x02, 0x01, 0x04, 0x28, 0x01], "t.M").unwrap();
    assert_eq!(f[0].value, "[-1, 2]");
    assert_eq!(f[0].children[1].range, 3..4);
    assert_eq!(f[0].children[1].name, "p[1]");
    assert_eq!(f[1].value, "BUY (1)");
}

#[test]
fn raw_decode_guesses_readings() {
    let mut pool_less = sample();
    pool_less.extend_from_slice(&[0x20, 0x03]); // 4: 3 (sint -2)
    let f = inspect_message(&pool_less, 0..pool_less.len(), None).unwrap();
    assert!(f.iter().all(|n| !n.unknown && n.name.is_empty()));
    assert_eq!(f[0].readings[0].value, "150");
    assert_eq!(f[0].readings[1].value, "75");
    assert_eq!(f[1].readings[0].label, "string");
    assert_eq!(f[2].readings[0].label, "message");
    assert_eq!(f[2].children[0].range, 14..16);
    assert_eq!(f[3].readings[1].value, "-2");
    assert_eq!(f[3].value, "3");
}

#[test]
fn truncated_and_malformed_bytes_are_errors_with_codes() {
    let e = typed(&[0x12, 0x05, 0x61, 0x62], "t.M").unwrap_err();
    assert_eq!(e.code(), "proto.inspect.truncated");
    assert!(e.to_string().contains("truncated at byte 2"), "{e}");
    assert!(e.to_string().contains("3 more byte"), "{e}");
    let e = inspect_message(&[0x08], 0..1, None).unwrap_err();
    assert_eq!(e.code(), "proto.inspect.truncated");
    let e = inspect_message(&[0x0f], 0..1, None).unwrap_err();
    assert_eq!(e.code(), "proto.inspect.malformed");
    // a nested message cut short inside (its field 1 has no value byte) is an error too
    let e = typed(&[0x1a, 0x01, 0x08], "t.M").unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().contains("byte 3")),
        ("proto.inspect.truncated", true)
    );
}

#[test]
fn framing_offsets_are_kept() {
    let s = schema();
    let d = s.message("t.Inner").unwrap();
    // two varint-length-prefixed Inner messages
    let bytes = [0x02, 0x08, 0x01, 0x02, 0x08, 0x02];
    let m = inspect(&bytes, &Framing::VarintLength, Some(&d), None).unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[1].range, 4..6);
    assert_eq!(m[1].fields[0].range, 4..6);
    assert_eq!(m[1].type_name, "t.Inner");
    let e = inspect(&[0x05, 0x08], &Framing::VarintLength, None, None).unwrap_err();
    assert_eq!(e.code(), "proto.framing");
}

#[test]
fn detect_type_ranks_the_best_reader_first() {
    let s = schema();
    let ranked = rank_types(s.pool(), &sample(), 5);
    assert_eq!(ranked[0].type_name, "t.M", "{ranked:?}");
    assert_eq!((ranked[0].known, ranked[0].unknown), (4, 0));
    // Inner knows field 1 as a varint but not 2 or 3
    let inner = ranked.iter().find(|r| r.type_name == "t.Inner").unwrap();
    assert_eq!(inner.unknown, 2);
    assert!(
        ranked.iter().all(|r| r.type_name != "t.Other"),
        "Other reads field 1 as a string: {ranked:?}"
    );
    assert!(rank_types(s.pool(), &[0xff], 5).is_empty());
}

#[test]
fn the_view_reads_as_a_type_or_raw_and_suggests_types() {
    let s = schema();
    let v = inspect_view(&sample(), Some(&s), "M", &Framing::None).unwrap();
    assert_eq!(v.type_name, "t.M");
    assert_eq!(v.result.unwrap()[0].fields[0].name, "a");
    assert_eq!(v.suggestions[0].type_name, "t.M");
    let raw = inspect_view(&sample(), None, "", &Framing::None).unwrap();
    assert!(raw.suggestions.is_empty() && raw.type_name.is_empty());
    let bad = inspect_view(&[0x12, 0x09], Some(&s), "", &Framing::None).unwrap();
    assert_eq!(bad.result.unwrap_err().code(), "proto.inspect.truncated");
    let e = inspect_view(&sample(), Some(&s), "Nope", &Framing::None).unwrap_err();
    assert_eq!(e.code(), "proto.unknown_type");
}
