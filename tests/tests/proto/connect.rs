//! `sockpit connect --schema F --send-type T --recv-type T [--framing ..]` against the mock: JSON
//! given to `--send` goes out as protobuf, binary that arrives is printed decoded (`"decoded"` in
//! `--json`), and schema or type mistakes fail before connecting.

use std::path::Path;
use std::time::Duration;

use serde_json::json;
use sockpit_mock::MockServer;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(60);

fn demo_schema() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../collections/protos/sockpit_demo.proto")
        .display()
        .to_string()
}

#[tokio::test]
async fn feed_is_printed_decoded() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/proto?n=3&interval=5", mock.ws_url());
    let schema = demo_schema();
    let args = [
        "connect",
        &url,
        "--schema",
        &schema,
        "--recv-type",
        "Envelope",
        "--count",
        "3",
    ];
    let out = sockpit(&args, None, LIMIT).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["seq"], "1");
    assert_eq!(lines[0]["trade"]["symbol"], "ACME");
    assert!(
        out.stdout.starts_with("{\"seq\":\"1\",\"sentAt\""),
        "field order: {}",
        out.stdout
    );
}

#[tokio::test]
async fn send_json_as_protobuf_and_decode_the_echo() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let schema = demo_schema();
    for framing in [
        "none",
        "varint",
        "grpc",
        "type-byte:7=sockpit.demo.Envelope",
    ] {
        let url = format!("{}/echo", mock.ws_url());
        let args = [
            "connect",
            &url,
            "--schema",
            &schema,
            "--send-type",
            "Envelope",
            "--recv-type",
            "sockpit.demo.Envelope",
            "--framing",
            framing,
            "--send",
            r#"{"seq": "5", "chat": {"user": "ann", "text": "hi"}}"#,
            "--count",
            "1",
            "--json",
        ];
        let out = sockpit(&args, None, LIMIT).await;
        assert_eq!(out.status, 0, "{framing}: {}", out.stderr);
        let sent = out.events_of("message");
        let expected = json!({"seq": "5", "chat": {"user": "ann", "text": "hi"}});
        assert_eq!(sent.len(), 2, "{framing}: {}", out.stdout);
        for m in &sent {
            assert_eq!(m["kind"], "binary");
            assert_eq!(m["decoded"], expected, "{framing}: {m}");
        }
    }
}

#[tokio::test]
async fn stdin_lines_are_encoded_too() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/echo", mock.ws_url());
    let schema = demo_schema();
    let args = [
        "connect",
        &url,
        "--schema",
        &schema,
        "--send-type",
        "Heartbeat",
        "--recv-type",
        "Heartbeat",
    ];
    let stdin = b"{\"seq\": \"1\"}\nnot json\n{\"seq\": \"2\"}\n";
    let out = sockpit(&args, Some(stdin), LIMIT).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "{\"seq\":\"1\"}\n{\"seq\":\"2\"}\n");
    assert!(out.stderr.contains("stdin line not sent"), "{}", out.stderr);
}

#[tokio::test]
async fn undecodable_binary_keeps_its_bytes_and_says_why() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/echo", mock.ws_url());
    let schema = demo_schema();
    let args = [
        "connect",
        &url,
        "--schema",
        &schema,
        "--recv-type",
        "Envelope",
        "--send-hex",
        "ffff",
        "--count",
        "1",
        "--json",
    ];
    let out = sockpit(&args, None, LIMIT).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let msg = &out.received()[0];
    assert_eq!(msg["data_b64"], "//8=");
    assert_eq!(msg["decode_error"]["code"], "proto.decode");
}

#[tokio::test]
async fn setup_mistakes_fail_before_connecting() {
    let schema = demo_schema();
    // nothing listens on port 9: these must fail before trying
    let url = "ws://127.0.0.1:9/";
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["--schema", &schema, "--recv-type", "Nope"],
            1,
            "unknown message type 'Nope'",
        ),
        (vec!["--recv-type", "Envelope"], 2, "need --schema"),
        (
            vec!["--schema", "/no/such.proto", "--recv-type", "X"],
            1,
            "cannot read schema",
        ),
        (
            vec!["--schema", &schema, "--framing", "zip"],
            2,
            "unknown framing",
        ),
        (
            vec![
                "--schema",
                &schema,
                "--send-type",
                "Envelope",
                "--send",
                "{\"nope\": 1}",
            ],
            2,
            "unrecognized field name 'nope'",
        ),
    ];
    for (extra, status, want) in cases {
        let mut args = vec!["connect", url];
        args.extend(extra.iter().copied());
        let out = sockpit(&args, None, LIMIT).await;
        assert_eq!(out.status, status, "{extra:?}: {}", out.stderr);
        assert!(
            out.one_error_line().contains(want),
            "{extra:?}: {}",
            out.stderr
        );
    }
}
