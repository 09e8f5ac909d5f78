//! Tickets taken from a response header or by regex (besides a JSON pointer), tickets sent as the
//! first message, and the errors of each extraction step, end to end against the mock.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, CliOutput};

const LIMIT: Duration = Duration::from_secs(60);
const AUTH: &str = "Authorization: Bearer demo-token";

async fn connect(url: &str, extra: &[&str]) -> CliOutput {
    let mut args = vec!["connect", url, "--json", "--count", "1", "--timeout", "10"];
    args.extend_from_slice(extra);
    sockpit(&args, None, LIMIT).await
}

fn first_json(out: &CliOutput) -> serde_json::Value {
    let msgs = out.received();
    assert!(!msgs.is_empty(), "{out:?}");
    serde_json::from_str(msgs[0]["data"].as_str().unwrap()).unwrap()
}

fn error_code(out: &CliOutput) -> String {
    out.events_of("error")
        .last()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn tickets_from_a_response_header_or_a_regex_open_the_socket() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/auth/ticket", mock.ws_url());
    let json_url = format!("{}/api/ws-ticket", mock.http_url());
    let text_url = format!("{}/api/ws-ticket?shape=text", mock.http_url());
    let cases: [(&str, &[&str]); 3] = [
        (&json_url, &["--ticket-response-header", "X-Ticket"]),
        // The text answer is `ticket VALUE`: the first capture group is the ticket.
        (&text_url, &["--ticket-regex", r"ticket (\S+)"]),
        (&text_url, &["--ticket-regex", r"tkt-\S+"]),
    ];
    for (ticket_url, how) in cases {
        for into in ["query:ticket", "header:X-Ticket"] {
            let mut args = vec![
                "--ticket-url",
                ticket_url,
                "--ticket-header",
                AUTH,
                "--ticket-into",
                into,
            ];
            args.extend_from_slice(how);
            let out = connect(&url, &args).await;
            assert_eq!(out.status, 0, "{how:?} {into}: {}", out.stderr);
            assert_eq!(first_json(&out)["via"], "ticket");
            assert!(
                !out.stdout.contains("tkt-"),
                "ticket redacted: {}",
                out.stdout
            );
        }
    }
}

#[tokio::test]
async fn extraction_failures_name_the_step_and_the_flag() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/auth/ticket", mock.ws_url());
    let json_url = format!("{}/api/ws-ticket", mock.http_url());
    let text_url = format!("{}/api/ws-ticket?shape=text", mock.http_url());

    let out = connect(
        &url,
        &[
            "--ticket-url",
            &json_url,
            "--ticket-header",
            AUTH,
            "--ticket-response-header",
            "X-Nope",
        ],
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(error_code(&out), "auth.ticket_header_missing");
    let line = out.one_error_line();
    assert!(
        line.contains("ticket request") && line.contains("no 'X-Nope' header"),
        "{line}"
    );
    assert!(
        line.contains("x-ticket"),
        "the headers it had are listed: {line}"
    );
    assert!(!line.contains("tkt-"), "{line}");

    let out = connect(
        &url,
        &[
            "--ticket-url",
            &text_url,
            "--ticket-header",
            AUTH,
            "--ticket-regex",
            r"token=(\w+)",
        ],
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(error_code(&out), "auth.ticket_regex_no_match");
    let line = out.one_error_line();
    assert!(
        line.contains("ticket request: regex 'token=(\\w+)' does not match")
            && line.contains("--ticket-regex"),
        "{line}"
    );

    // Two places for the ticket, a bad regex, a header "name" with a colon: usage errors.
    let usage: [&[&str]; 4] = [
        &["--ticket-pointer", "/ticket", "--ticket-regex", "x"],
        &[
            "--ticket-response-header",
            "X-Ticket",
            "--ticket-regex",
            "x",
        ],
        &["--ticket-regex", "("],
        &["--ticket-response-header", "X-Ticket: v"],
    ];
    for flags in usage {
        let mut args = vec!["--ticket-url", &json_url];
        args.extend_from_slice(flags);
        let out = connect(&url, &args).await;
        assert_eq!(out.status, 2, "{flags:?}: {out:?}");
        let line = out.one_error_line();
        assert!(line.contains("--ticket-"), "{line}");
        if flags.len() == 4 {
            assert!(line.contains("give only one of"), "{line}");
        }
    }
    let out = connect(&url, &["--ticket-regex", "x"]).await;
    assert_eq!(out.status, 2);
    assert!(
        out.one_error_line().contains("need --ticket-url"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn a_ticket_sent_as_the_first_message_is_fresh_on_every_connect_and_single_use() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let ticket_url = format!("{}/api/ws-ticket", mock.http_url());
    let msg = r#"{"type":"auth","ticket":"{{ticket}}"}"#;
    let url = format!("{}/auth/first-message", mock.ws_url());
    let flags = [
        "--ticket-url",
        &ticket_url,
        "--ticket-header",
        AUTH,
        "--ticket-into",
        "message",
        "--auth-first-message",
        msg,
        "--auth-ack",
        "/type=auth_ok",
    ];
    let mut args = flags.to_vec();
    args.extend(["--send", "after auth"]);
    let out = sockpit(
        &[
            &["connect", &url, "--json", "--count", "2", "--timeout", "10"][..],
            &args,
        ]
        .concat(),
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let data: Vec<String> = out
        .received()
        .iter()
        .map(|m| m["data"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(data, [r#"{"type":"auth_ok"}"#, "after auth"]);
    let sent: Vec<serde_json::Value> = out
        .events_of("message")
        .into_iter()
        .filter(|m| m["dir"] == "out")
        .collect();
    // The auth message went first, with the ticket filled in and shown redacted.
    assert_eq!(sent[0]["data"], r#"{"type":"auth","ticket":"***"}"#);
    assert!(!out.stdout.contains("tkt-"));

    // The server closes with 1012 after each ack: every reconnect fetches a new ticket (a reused
    // one would be refused with 4001 and end the run).
    let again = format!("{url}?close_after=200");
    let mut args = vec![
        "connect",
        &again,
        "--json",
        "--count",
        "3",
        "--timeout",
        "20",
        "--reconnect",
        "--backoff-base",
        "0.05",
    ];
    args.extend_from_slice(&flags);
    let out = sockpit(&args, None, LIMIT).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.received().len(), 3, "{out:?}");
    assert!(out.events_of("open").len() >= 3);
    assert!(out.events_of("error").is_empty(), "{out:?}");

    // A ticket used once is refused as a first message too (4001 and its reason).
    let ticket = {
        let c = reqwest_free_ticket(&mock).await;
        c.trim().to_string()
    };
    let auth = format!(r#"{{"type":"auth","ticket":"{ticket}"}}"#);
    for expect_ok in [true, false] {
        let out = connect(
            &url,
            &["--auth-first-message", &auth, "--auth-ack", "/type=auth_ok"],
        )
        .await;
        if expect_ok {
            assert_eq!(out.status, 0, "{}", out.stderr);
        } else {
            assert_eq!(out.status, 1, "{out:?}");
            assert!(
                out.one_error_line().contains("4001 'Invalid credentials'"),
                "{}",
                out.stderr
            );
        }
    }
}

/// A ticket from a plain HTTP/1.1 request (not through Sockpit), taken from the X-Ticket header.
async fn reqwest_free_ticket(mock: &MockServer) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    let req = "POST /api/ws-ticket HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-token\r\n\
               Content-Length: 0\r\nConnection: close\r\n\r\n";
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut resp = String::new();
    tcp.read_to_string(&mut resp).await.unwrap();
    let head = resp.split("\r\n\r\n").next().unwrap();
    let value = head
        .lines()
        .find_map(|l| l.strip_prefix("x-ticket: "))
        .unwrap_or_else(|| panic!("no x-ticket header: {head}"));
    // The header and the JSON carry the same ticket.
    assert!(resp.contains(&format!(r#""ticket":"{value}""#)), "{resp}");
    value.to_string()
}
