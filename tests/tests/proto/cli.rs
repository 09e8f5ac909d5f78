//! `sockpit proto ...` through the built binary: types, encode, decode (JSON, text, raw, framing),
//! skeleton, detect, and exit statuses 0 / 1 (one `sockpit: error:` line) / 2 (usage).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use sockpit_tests::sockpit_bin;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/proto")
}

struct Run {
    status: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn text(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }

    fn ok(self) -> Run {
        assert_eq!(self.status, 0, "stderr: {}", self.stderr);
        self
    }

    /// Exit status 1 and exactly one `sockpit: error: ...` line; returns it.
    fn error_line(&self) -> String {
        assert_eq!(self.status, 1, "stderr: {}", self.stderr);
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one stderr line: {:?}", self.stderr);
        assert!(lines[0].starts_with("sockpit: error: "), "{}", lines[0]);
        lines[0].to_string()
    }
}

/// Runs `sockpit proto ARGS` in the fixtures directory with `stdin`.
fn proto(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(sockpit_bin())
        .arg("proto")
        .args(args)
        .current_dir(fixtures())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sockpit starts");
    let mut input = child.stdin.take().expect("piped");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("sockpit ran");
    let _ = writer.join();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const P3: &[&str] = &["--schema", "proto3_all.proto"];

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

#[test]
fn types_lists_user_types_then_all() {
    let out = proto(&with(&["types"], P3), b"").ok().text();
    let names: Vec<&str> = out.lines().collect();
    assert_eq!(
        names,
        ["fx3.Scalars", "fx3.Everything", "fx3.Everything.Inner"]
    );
    let all = proto(&with(&["types", "--all"], P3), b"").ok().text();
    assert!(all.contains("google.protobuf.Timestamp\n"), "{all}");
    let j: Value =
        serde_json::from_str(&proto(&with(&["types", "--json"], P3), b"").ok().text()).unwrap();
    assert_eq!(j[0]["name"], "fx3.Scalars");
    assert_eq!(j[0]["file"], "proto3_all.proto");
    let chat = proto(&["types", "--schema", "app/chat.proto", "-I", "lib"], b"")
        .ok()
        .text();
    assert_eq!(chat, "shared.User\napp.ChatMessage\n");
}

#[test]
fn encode_then_decode_round_trips() {
    let json = br#"{"i32": -5, "s": "hi", "i64": "12345678901234", "b": true}"#;
    let bin = proto(&with(&["encode", "-t", "Scalars"], P3), json)
        .ok()
        .stdout;
    let hex = proto(
        &with(&["encode", "-t", "fx3.Scalars", "--out", "hex"], P3),
        json,
    )
    .ok()
    .text();
    assert_eq!(hex.trim(), hex_of(&bin));
    let decoded = proto(&with(&["decode", "-t", "fx3.Scalars"], P3), &bin)
        .ok()
        .text();
    let v: Value = serde_json::from_str(&decoded).unwrap();
    assert_eq!(
        v,
        json!({"i32": -5, "i64": "12345678901234", "b": true, "s": "hi"})
    );
    // the same bytes given as hex and base64
    let from_hex = proto(
        &with(&["decode", "-t", "Scalars", "--in", "hex"], P3),
        hex.as_bytes(),
    )
    .ok();
    assert_eq!(from_hex.text(), decoded);
    let b64 = proto(
        &with(&["encode", "-t", "Scalars", "--out", "base64"], P3),
        json,
    )
    .ok()
    .text();
    let from_b64 = proto(
        &with(&["decode", "-t", "Scalars", "--in", "base64"], P3),
        b64.as_bytes(),
    )
    .ok();
    assert_eq!(from_b64.text(), decoded);
    // JSON options
    let opts = proto(
        &with(
            &[
                "decode",
                "-t",
                "Scalars",
                "--proto-names",
                "--emit-defaults",
                "--pretty",
            ],
            P3,
        ),
        &bin,
    )
    .ok()
    .text();
    let v: Value = serde_json::from_str(&opts).unwrap();
    assert_eq!(v["u32"], 0);
    assert!(opts.contains("\n  \""), "pretty: {opts}");
    // text format out and in
    let text = proto(&with(&["decode", "-t", "Scalars", "--text"], P3), &bin)
        .ok()
        .text();
    assert!(text.contains("i32: -5"), "{text}");
    let again = proto(
        &with(&["encode", "-t", "Scalars", "--text"], P3),
        text.as_bytes(),
    )
    .ok();
    assert_eq!(again.stdout, bin);
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn raw_decode_needs_no_schema_and_matches_protoc() {
    let bin = proto(
        &with(&["encode", "-t", "Scalars"], P3),
        br#"{"i32": 150, "s": "testing", "sf32": -1}"#,
    )
    .ok()
    .stdout;
    let text = proto(&["decode", "--raw", "--text"], &bin).ok().text();
    assert_eq!(text, "3: 150\n11: 0xffffffff\n14: \"testing\"\n");
    let j: Value = serde_json::from_str(&proto(&["decode", "--raw"], &bin).ok().text()).unwrap();
    assert_eq!(
        j[0],
        json!({"field": 3, "wire": "varint", "uint": 150, "int": 150, "sint": 75})
    );
    assert_eq!(j[1]["int"], -1);
    assert_eq!(j[2]["string"], "testing");
}

#[test]
fn framing_several_messages() {
    let docs = b"{\"i32\": 1}\n{\"i32\": 2}\n{\"s\": \"three\"}\n";
    for framing in ["varint", "grpc"] {
        let bin = proto(
            &with(&["encode", "-t", "Scalars", "--framing", framing], P3),
            docs,
        )
        .ok()
        .stdout;
        let out = proto(
            &with(&["decode", "-t", "Scalars", "--framing", framing], P3),
            &bin,
        )
        .ok()
        .text();
        assert_eq!(
            out, "{\"i32\":1}\n{\"i32\":2}\n{\"s\":\"three\"}\n",
            "{framing}"
        );
        let raw = proto(&["decode", "--raw", "--text", "--framing", framing], &bin)
            .ok()
            .text();
        assert!(raw.starts_with("# message 1\n3: 1\n# message 2\n"), "{raw}");
    }
    let spec = "type-byte:1=fx3.Scalars,2=fx3.Everything.Inner";
    let bin = proto(
        &with(&["encode", "-t", "Inner", "--framing", spec], P3),
        br#"{"name": "n"}"#,
    )
    .ok()
    .stdout;
    assert_eq!(bin[0], 2);
    let out = proto(&with(&["decode", "--framing", spec], P3), &bin)
        .ok()
        .text();
    assert_eq!(out, "{\"name\":\"n\"}\n");
    // one framed message cannot carry two documents
    let line = proto(&with(&["encode", "-t", "Scalars"], P3), docs).error_line();
    assert!(line.contains("--framing varint"), "{line}");
}

#[test]
fn skeleton_prints_json_that_encodes() {
    let run = proto(&with(&["skeleton", "-t", "fx3.Everything"], P3), b"").ok();
    let sk = run.text();
    assert!(sk.starts_with("{\n  \"scalars\": {"), "{sk}");
    assert!(
        run.stderr.contains("note: payload: oneof 'payload'"),
        "{}",
        run.stderr
    );
    proto(
        &with(&["encode", "-t", "fx3.Everything", "--out", "hex"], P3),
        sk.as_bytes(),
    )
    .ok();
    let j: Value = serde_json::from_str(
        &proto(&with(&["skeleton", "-t", "Scalars", "--json"], P3), b"")
            .ok()
            .text(),
    )
    .unwrap();
    assert_eq!(j["type"], "fx3.Scalars");
    assert_eq!(j["skeleton"]["i64"], "1");
}

#[test]
fn detect_ranks_the_right_type_first() {
    let both = [
        "--schema",
        "proto3_all.proto",
        "--schema",
        "proto2_all.proto",
    ];
    let item = proto(
        &[
            "encode",
            "--schema",
            "proto2_all.proto",
            "-t",
            "fx2.Item",
            "--out",
            "hex",
        ],
        br#"{"id": "x", "qty": 3, "line": [{"no": 1}]}"#,
    );
    let item = item.ok().text();
    let out = proto(&with(&["detect", "--in", "hex"], &both), item.as_bytes())
        .ok()
        .text();
    assert!(out.lines().next().unwrap().ends_with("\tfx2.Item"), "{out}");
    let j: Value = serde_json::from_str(
        &proto(
            &with(&["detect", "--in", "hex", "--json"], &both),
            item.as_bytes(),
        )
        .ok()
        .text(),
    )
    .unwrap();
    assert_eq!(j[0]["type_name"], "fx2.Item");
}

#[test]
fn errors_are_one_line_with_status_1() {
    let cases: Vec<(Vec<&str>, &[u8], &str)> = vec![
        (
            vec!["types", "--schema", "bad/syntax_error.proto"],
            b"",
            "sockpit: error: bad/syntax_error.proto:6:15: ",
        ),
        (
            vec!["types", "--schema", "bad/missing_import.proto"],
            b"",
            "import 'nowhere/gone.proto' not found (line 4",
        ),
        (
            vec!["types", "--schema", "bad/unknown_type.proto"],
            b"",
            "sockpit: error: bad/unknown_type.proto:5:3: ",
        ),
        (vec!["types", "--schema", "app/chat.proto"], b"", "-I DIR"),
        (
            vec!["types", "--schema", "nope.proto"],
            b"",
            "cannot read schema nope.proto",
        ),
        (
            with(&["decode", "-t", "Nope"], P3),
            b"",
            "unknown message type 'Nope'",
        ),
        (
            with(&["decode", "-t", "Scalars"], P3),
            b"\x72\x05ab",
            "truncated",
        ),
        (
            with(&["decode", "-t", "Scalars"], P3),
            b"\x18\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
            "varint",
        ),
        (
            with(&["encode", "-t", "Scalars", "--out", "hex"], P3),
            br#"{"nope": 1}"#,
            "unrecognized field name 'nope'",
        ),
        (
            with(&["encode", "-t", "Scalars", "--out", "hex"], P3),
            br#"{"i32": "x"}"#,
            "fx3.Scalars",
        ),
        (
            with(&["encode", "-t", "Scalars", "--out", "hex"], P3),
            b"{not json",
            "JSON is not a valid",
        ),
        (
            with(&["decode", "-t", "Scalars", "--in", "hex"], P3),
            b"zz",
            "invalid hex",
        ),
        (
            with(&["decode", "-t", "Scalars", "--framing", "grpc"], P3),
            b"\x01\x00\x00\x00\x00",
            "compressed",
        ),
        (vec!["decode", "--raw"], b"\x0f", "invalid wire type 7"),
    ];
    for (args, stdin, want) in cases {
        let line = proto(&args, stdin).error_line();
        assert!(line.contains(want), "{args:?}: {line}");
    }
}

#[test]
fn usage_errors_are_status_2() {
    for args in [
        vec!["decode", "--no-such-flag"],
        vec!["encode", "--schema", "proto3_all.proto"],
        vec!["decode", "-t", "Scalars"],
        vec!["decode", "--schema", "proto3_all.proto"],
        vec!["decode", "--raw", "--framing", "zip"],
    ] {
        let run = proto(&args, b"");
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty());
    }
}
