//! protoc as the independent oracle (issue 5, item 8): bytes made by `protoc --encode` decode to
//! JSON that re-encodes to bytes `protoc --decode` reads identically, and our raw decode prints
//! exactly what `protoc --decode_raw` prints. Also: descriptor sets from protoc load the same
//! types as protox compiles, and our text format parses to the bytes protoc makes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sockpit_core::proto::{self, JsonOptions, Schema};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/proto")
}

/// One sample: a text-format message of a type, and the schema that defines it.
struct Case {
    sample: &'static str,
    type_name: &'static str,
    schema: &'static str,
}

const CASES: &[Case] = &[
    Case {
        sample: "everything_full",
        type_name: "fx3.Everything",
        schema: "proto3_all.proto",
    },
    Case {
        sample: "everything_oneof_text",
        type_name: "fx3.Everything",
        schema: "proto3_all.proto",
    },
    Case {
        sample: "everything_empty",
        type_name: "fx3.Everything",
        schema: "proto3_all.proto",
    },
    Case {
        sample: "scalars_extremes",
        type_name: "fx3.Scalars",
        schema: "proto3_all.proto",
    },
    Case {
        sample: "item_full",
        type_name: "fx2.Item",
        schema: "proto2_all.proto",
    },
    Case {
        sample: "item_minimal",
        type_name: "fx2.Item",
        schema: "proto2_all.proto",
    },
    Case {
        sample: "chat",
        type_name: "app.ChatMessage",
        schema: "app/chat.proto",
    },
];

fn includes() -> Vec<PathBuf> {
    let f = fixtures();
    vec![f.clone(), f.join("lib")]
}

/// Runs protoc with the fixture include paths; panics with protoc's stderr when it fails.
fn protoc(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut cmd = Command::new("protoc");
    for inc in includes() {
        cmd.arg(format!("-I{}", inc.display()));
    }
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run protoc ({e}): install Debian's protobuf-compiler (scripts/system-deps.sh does)")
        });
    let mut input = child.stdin.take().expect("piped stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("protoc ran");
    let _ = writer.join();
    assert!(
        out.status.success(),
        "protoc {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn sample_text(case: &Case) -> String {
    std::fs::read_to_string(
        fixtures()
            .join("samples")
            .join(format!("{}.txtpb", case.sample)),
    )
    .expect("sample exists")
}

fn protoc_encode(case: &Case) -> Vec<u8> {
    protoc(
        &[&format!("--encode={}", case.type_name), case.schema],
        sample_text(case).as_bytes(),
    )
}

fn protoc_decode(case: &Case, bytes: &[u8]) -> String {
    String::from_utf8(protoc(
        &[&format!("--decode={}", case.type_name), case.schema],
        bytes,
    ))
    .expect("protoc prints UTF-8")
}

fn load(case: &Case) -> Schema {
    Schema::load(&[fixtures().join(case.schema)], &includes()).expect("schema loads")
}

const OPTION_SETS: [JsonOptions; 3] = [
    JsonOptions {
        proto_field_names: false,
        enums_as_numbers: false,
        emit_defaults: false,
    },
    JsonOptions {
        proto_field_names: true,
        enums_as_numbers: true,
        emit_defaults: false,
    },
    JsonOptions {
        proto_field_names: false,
        enums_as_numbers: false,
        emit_defaults: true,
    },
];

#[test]
fn json_round_trip_matches_protoc() {
    for case in CASES {
        let schema = load(case);
        let desc = schema.message(case.type_name).unwrap();
        let bytes = protoc_encode(case);
        let expected = protoc_decode(case, &bytes);
        let msg = proto::decode(&desc, &bytes)
            .unwrap_or_else(|e| panic!("{}: our decode failed: {e}", case.sample));
        for opts in OPTION_SETS {
            let json = proto::to_json_string(&msg, &opts, false).unwrap();
            let back = proto::from_json(&desc, &json).unwrap_or_else(|e| {
                panic!("{}: JSON does not re-encode: {e}\n{json}", case.sample)
            });
            let bytes2 = proto::encode(&back);
            assert_eq!(
                protoc_decode(case, &bytes2),
                expected,
                "{} with {opts:?}: protoc reads our re-encoded bytes differently\nJSON: {json}",
                case.sample
            );
        }
    }
}

#[test]
fn json_uses_the_canonical_mapping() {
    let case = &CASES[0];
    let schema = load(case);
    let desc = schema.message(case.type_name).unwrap();
    let msg = proto::decode(&desc, &protoc_encode(case)).unwrap();
    let j = proto::to_json(&msg, &JsonOptions::default()).unwrap();
    assert_eq!(j["scalars"]["i64"], "-9007199254740993");
    assert_eq!(j["scalars"]["u64"], "18446744073709551615");
    assert_eq!(j["scalars"]["by"], "AAH/YmluYXJ5");
    assert_eq!(
        j["scalars"]["opt"], 0,
        "proto3 optional keeps an explicit zero"
    );
    assert_eq!(j["packedInts"][2], 300);
    assert_eq!(j["statuses"][1], "STATUS_BANNED");
    assert_eq!(j["counts"]["big"], "-9223372036854775808");
    assert_eq!(j["byId"]["7"]["name"], "seven");
    assert_eq!(j["flags"]["true"], "yes");
    assert_eq!(j["nested"]["name"], "in the oneof");
    assert_eq!(j["any"]["@type"], "type.googleapis.com/fx3.Scalars");
    assert_eq!(j["any"]["s"], "packed in an Any");
    assert_eq!(j["meta"]["list"][1], "two");
    assert_eq!(j["meta"]["nul"], serde_json::Value::Null);
    assert_eq!(j["at"], "2023-11-14T22:13:20.123Z");
    assert_eq!(j["took"], "90.500s");
    assert_eq!(j["maybeInt"], 0);
    assert_eq!(j["maybeU64"], "18446744073709551615");
    assert_eq!(j["mask"], "scalars.i32,inner.name");
    assert_eq!(j["list"][2], serde_json::Value::Null);
    assert_eq!(j["empty"], serde_json::json!({}));
    assert_eq!(j["statusByName"]["ann"], "STATUS_ACTIVE");
    let numbers = proto::to_json(
        &msg,
        &JsonOptions {
            proto_field_names: true,
            enums_as_numbers: true,
            emit_defaults: true,
        },
    )
    .unwrap();
    assert_eq!(numbers["status"], 2);
    assert_eq!(numbers["packed_ints"][0], 1);
    assert_eq!(numbers["scalars"]["u32"], 4294967295u64);
}

#[test]
fn raw_decode_matches_protoc_decode_raw() {
    for case in CASES {
        let bytes = protoc_encode(case);
        let theirs = String::from_utf8(protoc(&["--decode_raw"], &bytes)).unwrap();
        let fields = proto::decode_raw(&bytes, proto::DEFAULT_MAX_DEPTH)
            .unwrap_or_else(|e| panic!("{}: raw decode failed: {e}", case.sample));
        assert_eq!(
            proto::raw::to_protoc_text(&fields),
            theirs,
            "{}: raw decode differs from protoc --decode_raw",
            case.sample
        );
    }
}

#[test]
fn text_format_parses_to_the_same_message() {
    for case in CASES {
        let schema = load(case);
        let desc = schema.message(case.type_name).unwrap();
        let bytes = protoc_encode(case);
        let ours = proto::from_text(&desc, &sample_text(case))
            .unwrap_or_else(|e| panic!("{}: {e}", case.sample));
        assert_eq!(
            protoc_decode(case, &proto::encode(&ours)),
            protoc_decode(case, &bytes),
            "{}",
            case.sample
        );
        // and our text output parses back to the same message
        let msg = proto::decode(&desc, &bytes).unwrap();
        let again = proto::from_text(&desc, &proto::to_text(&msg, true)).unwrap();
        assert_eq!(
            protoc_decode(case, &proto::encode(&again)),
            protoc_decode(case, &bytes),
            "{}",
            case.sample
        );
    }
}

#[test]
fn descriptor_sets_from_protoc_load_like_proto_files() {
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in CASES.iter().enumerate() {
        for ext in ["binpb", "desc", "pb"] {
            let set = dir.path().join(format!("set{i}.{ext}"));
            protoc(
                &[
                    "--include_imports",
                    &format!("--descriptor_set_out={}", set.display()),
                    case.schema,
                ],
                b"",
            );
            let from_set = Schema::load(&[set], &[]).unwrap();
            let from_proto = load(case);
            let names = |s: &Schema| -> Vec<String> {
                let mut v: Vec<String> = s.message_types().into_iter().map(|t| t.name).collect();
                v.sort();
                v
            };
            assert_eq!(names(&from_set), names(&from_proto), "{}", case.schema);
            let bytes = protoc_encode(case);
            let a = proto::decode(&from_set.message(case.type_name).unwrap(), &bytes).unwrap();
            let b = proto::decode(&from_proto.message(case.type_name).unwrap(), &bytes).unwrap();
            let opts = JsonOptions::default();
            assert_eq!(
                proto::to_json(&a, &opts).unwrap(),
                proto::to_json(&b, &opts).unwrap()
            );
        }
    }
}

#[test]
fn skeletons_of_every_fixture_type_encode() {
    for schema_file in ["proto3_all.proto", "proto2_all.proto", "app/chat.proto"] {
        let schema = Schema::load(&[fixtures().join(schema_file)], &includes()).unwrap();
        for t in schema.message_types() {
            let desc = schema.message(&t.name).unwrap();
            let sk = proto::skeleton(&desc, false, proto::DEFAULT_SKELETON_DEPTH);
            let msg = proto::from_json(&desc, &sk.text).unwrap_or_else(|e| {
                panic!("{}: skeleton does not encode: {e}\n{}", t.name, sk.text)
            });
            // protoc reads what the skeleton encodes to (for the user's own types)
            if !t.well_known {
                let out = protoc(
                    &[&format!("--decode={}", t.name), schema_file],
                    &proto::encode(&msg),
                );
                assert!(!out.is_empty() || sk.json.as_object().is_some_and(|o| o.is_empty()));
            }
        }
    }
}
