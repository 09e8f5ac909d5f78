//! Bad protobuf input (issue 5, item 9): each case is a clear error with a stable code, and no
//! input panics — truncated bytes, bytes of another type, unknown type names, schema syntax
//! errors, missing imports, bad JSON, overlong varints and recursion past the limits.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use sockpit_core::proto::{self, Framing, JsonOptions, ProtoError, Schema};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/proto")
}

fn schema() -> Schema {
    let f = fixtures();
    Schema::load(
        &[f.join("proto3_all.proto"), f.join("proto2_all.proto")],
        std::slice::from_ref(&f),
    )
    .expect("fixtures load")
}

fn everything_bytes(schema: &Schema) -> Vec<u8> {
    let desc = schema.message("fx3.Everything").unwrap();
    let text = std::fs::read_to_string(fixtures().join("samples/everything_full.txtpb")).unwrap();
    proto::encode(&proto::from_text(&desc, &text).unwrap())
}

#[test]
fn every_truncation_is_an_error_or_a_shorter_message_never_a_panic() {
    let schema = schema();
    let desc = schema.message("fx3.Everything").unwrap();
    let bytes = everything_bytes(&schema);
    let mut errors = 0;
    for cut in 0..bytes.len() {
        match proto::decode(&desc, &bytes[..cut]) {
            Ok(m) => {
                let _ = proto::to_json(&m, &JsonOptions::default());
            }
            Err(e) => {
                assert_eq!(e.code(), "proto.decode");
                errors += 1;
            }
        }
        let _ = proto::decode_raw(&bytes[..cut], proto::DEFAULT_MAX_DEPTH);
        let _ = proto::detect_types(&schema, &bytes[..cut], 5);
    }
    assert!(errors > bytes.len() / 2, "most cuts land inside a field");
    let e = proto::decode(&desc, &bytes[..bytes.len() - 3]).unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[test]
fn bytes_of_another_type() {
    let schema = schema();
    let bytes = everything_bytes(&schema);
    let e = proto::decode(&schema.message("fx2.Item").unwrap(), &bytes).unwrap_err();
    assert_eq!(e.code(), "proto.decode");
    assert!(e.to_string().contains("fx2.Item"), "{e}");
    assert!(e.to_string().contains("another type"), "{e}");
    // detection puts the real type first
    let ranked = proto::detect_types(&schema, &bytes, 3);
    assert_eq!(ranked[0].type_name, "fx3.Everything", "{ranked:?}");
}

#[test]
fn unknown_and_ambiguous_type_names() {
    let schema = schema();
    let e = schema.message("fx3.Nope").unwrap_err();
    assert_eq!(e.code(), "proto.unknown_type");
    assert!(e.to_string().contains("fx3.Nope"), "{e}");
    let e = schema.message("scalar").unwrap_err();
    assert!(
        e.to_string().contains("fx3.Scalars"),
        "suggests the near name: {e}"
    );
    let two = Schema::from_sources(&[
        ("a.proto", "syntax = \"proto3\"; package a; message Ping {}"),
        ("b.proto", "syntax = \"proto3\"; package b; message Ping {}"),
    ])
    .unwrap();
    let e = two.message("Ping").unwrap_err();
    assert_eq!(e.code(), "proto.ambiguous_type");
    assert!(
        e.to_string().contains("a.Ping") && e.to_string().contains("b.Ping"),
        "{e}"
    );
}

#[test]
fn schema_errors_name_file_line_and_column() {
    let bad = fixtures().join("bad");
    let e = Schema::load(&[bad.join("syntax_error.proto")], &[]).unwrap_err();
    match &e {
        ProtoError::Schema {
            file, line, column, ..
        } => {
            assert!(file.ends_with("bad/syntax_error.proto"), "{file}");
            // protoc says bad/syntax_error.proto:6:15: Expected field number.
            assert_eq!((*line, *column), (Some(6), Some(15)));
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
    let e = Schema::load(&[bad.join("unknown_type.proto")], &[]).unwrap_err();
    assert_eq!(e.code(), "proto.schema");
    let shown = format!("{}:5:3: ", bad.join("unknown_type.proto").display());
    assert!(e.to_string().starts_with(&shown), "named as given: {e}");
    assert!(e.to_string().contains("Missing"), "{e}");
}

#[test]
fn missing_imports_say_what_to_add() {
    let f = fixtures();
    let e = Schema::load(&[f.join("bad/missing_import.proto")], &[]).unwrap_err();
    assert_eq!(e.code(), "proto.missing_import");
    let msg = e.to_string();
    assert!(
        msg.contains("nowhere/gone.proto") && msg.contains("line 4") && msg.contains("-I"),
        "{msg}"
    );
    let e = Schema::load(&[f.join("app/chat.proto")], &[]).unwrap_err();
    assert!(e.to_string().contains("shared/user.proto"), "{e}");
    assert!(Schema::load(&[f.join("app/chat.proto")], &[f.join("lib")]).is_ok());
    let e = Schema::load(&[], &[]).unwrap_err();
    assert_eq!(e.code(), "proto.no_schema");
}

#[test]
fn json_with_unknown_fields_or_wrong_types() {
    let schema = schema();
    let desc = schema.message("fx3.Everything").unwrap();
    let cases = [
        (r#"{"scalars": {"nope": 1}}"#, "nope"),
        (r#"{"scalars": {"i32": "abc"}}"#, "line 1 column 25"),
        (r#"{"scalars": {"i32": 1.5}}"#, "integer"),
        (r#"{"scalars": {"u32": -1}}"#, ""),
        (r#"{"scalars": {"b": "yes"}}"#, ""),
        (r#"{"scalars": {"by": "not base64!"}}"#, ""),
        (r#"{"status": "STATUS_NOPE"}"#, "STATUS_NOPE"),
        (r#"{"at": "yesterday"}"#, ""),
        (r#"{"took": "5 minutes"}"#, ""),
        (r#"{"text": "a", "blob": "AA=="}"#, ""),
        (
            r#"{"any": {"@type": "type.googleapis.com/x.Unknown"}}"#,
            "x.Unknown",
        ),
        (r#"{"packedInts": {"a": 1}}"#, ""),
        (r#"[1, 2]"#, ""),
        (r#"{"scalars": "#, ""),
    ];
    for (json, want) in cases {
        let e = proto::from_json(&desc, json).unwrap_err();
        assert_eq!(e.code(), "proto.json", "{json}");
        assert!(e.to_string().contains(want), "{json}: {e}");
    }
    // line and column of the problem are named
    let e = proto::from_json(&desc, "{\n  \"scalars\": {\n    \"zzz\": 1 } }").unwrap_err();
    assert!(e.to_string().contains("line 3"), "{e}");
}

#[test]
fn overlong_varints() {
    let schema = schema();
    let desc = schema.message("fx3.Scalars").unwrap();
    let mut eleven = vec![0x18];
    eleven.extend([0xff; 10]);
    eleven.push(0x01);
    let e = proto::decode(&desc, &eleven).unwrap_err();
    assert!(e.to_string().contains("varint"), "{e}");
    let e = proto::decode_raw(&eleven, 10).unwrap_err();
    assert_eq!(e.code(), "proto.raw");
    assert!(e.to_string().contains("longer than 10 bytes"), "{e}");
    let e = Framing::VarintLength.split(&[0xff; 11]).unwrap_err();
    assert_eq!(e.code(), "proto.framing");
}

/// `Inner { children: [Inner { children: [...] }] }`, `depth` levels.
fn nested_inner(depth: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = vec![0x0a, 0x01, b'x'];
    for _ in 0..depth {
        let mut outer = vec![0x12];
        let mut len = bytes.len();
        while len >= 0x80 {
            outer.push((len as u8) | 0x80);
            len >>= 7;
        }
        outer.push(len as u8);
        outer.extend_from_slice(&bytes);
        bytes = outer;
    }
    bytes
}

#[test]
fn recursion_deeper_than_the_limit() {
    let schema = schema();
    let desc = schema.message("fx3.Everything.Inner").unwrap();
    assert!(proto::decode(&desc, &nested_inner(50)).is_ok());
    let e = proto::decode(&desc, &nested_inner(5000)).unwrap_err();
    assert_eq!(e.code(), "proto.decode");
    assert!(e.to_string().contains("recursion"), "{e}");
    // raw decode stops guessing nested messages at the limit instead of failing...
    let fields = proto::decode_raw(&nested_inner(5000), proto::DEFAULT_MAX_DEPTH).unwrap();
    assert_eq!(fields.len(), 1);
    // ...but groups nested past it are an error
    let mut groups = vec![0x0b; 500];
    groups.extend(vec![0x0c; 500]);
    let e = proto::decode_raw(&groups, proto::DEFAULT_MAX_DEPTH).unwrap_err();
    assert_eq!(e.code(), "proto.too_deep");
    // deeply nested JSON is refused by the parser, not the stack
    let deep = format!("{}{}", "{\"children\": [".repeat(3000), "]}".repeat(3000));
    let e = proto::from_json(&desc, &deep).unwrap_err();
    assert_eq!(e.code(), "proto.json");
}

#[test]
fn mutated_bytes_never_panic() {
    let schema = schema();
    let bytes = everything_bytes(&schema);
    let types: Vec<_> = ["fx3.Everything", "fx3.Scalars", "fx2.Item"]
        .iter()
        .map(|t| schema.message(t).unwrap())
        .collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let mut b = bytes.clone();
        for _ in 0..(next() % 4 + 1) {
            let i = (next() as usize) % b.len();
            b[i] = next() as u8;
        }
        let cut = (next() as usize) % (b.len() + 1);
        let b = &b[..cut];
        for d in &types {
            if let Ok(m) = proto::decode(d, b) {
                let _ = proto::to_json_string(&m, &JsonOptions::default(), false);
                let _ = proto::to_text(&m, true);
            }
        }
        if let Ok(f) = proto::decode_raw(b, proto::DEFAULT_MAX_DEPTH) {
            let _ = proto::raw::to_json(&f);
            let _ = proto::raw::to_protoc_text(&f);
        }
        for framing in [Framing::VarintLength, Framing::Grpc] {
            let _ = framing.split(b);
        }
    }
}
