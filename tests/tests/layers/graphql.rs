//! `sockpit graphql` against real GraphQL-over-WebSocket servers no one here wrote: `graphql-ws`
//! (graphql-transport-ws) and `subscriptions-transport-ws` (legacy `graphql-ws`), both in
//! `tests/peers/graphql_server.js` on 127.0.0.1, and Strawberry (Python, both protocols) in
//! `tests/peers/graphql_server.py`.

use std::time::Duration;

use serde_json::{json, Value};
use sockpit_tests::{sockpit, CliOutput, Peer};

const LIMIT: Duration = Duration::from_secs(30);
const BOTH: [&str; 2] = ["transport", "legacy"];

async fn peer(mode: &str, opts: &[&str]) -> Peer {
    let mut all = vec![mode];
    all.extend_from_slice(opts);
    Peer::node_with("graphql_server.js", &all).await
}

async fn gql(p: &Peer, args: &[&str]) -> CliOutput {
    let url = p.ws_url("/graphql");
    let mut all = vec!["graphql", url.as_str()];
    all.extend_from_slice(args);
    sockpit(&all, None, LIMIT).await
}

fn payloads(out: &CliOutput, id: &str) -> Vec<Value> {
    out.events_of("gql_next")
        .into_iter()
        .filter(|e| e["id"] == id)
        .map(|e| e["payload"].clone())
        .collect()
}

fn protocol_of(mode: &str) -> &'static str {
    if mode == "transport" {
        "graphql-transport-ws"
    } else {
        "graphql-ws"
    }
}

#[tokio::test]
async fn query_mutation_and_subscription_with_variables_at_once_over_both_protocols() {
    for mode in BOTH {
        let p = peer(mode, &[]).await;
        let out = gql(
            &p,
            &[
                "--query",
                "query Hi($n: String) { hello(name: $n) }",
                "--variables",
                r#"{"n":"sockpit"}"#,
                "--operation-name",
                "Hi",
                "--query",
                "subscription($to: Int!) { count(to: $to, delayMs: 20) }",
                "--variables",
                r#"{"to":3}"#,
                "--query",
                "mutation { add(a: 2, b: 40) }",
                "--json",
            ],
        )
        .await;
        assert_eq!(out.status, 0, "{mode}: {out:?}");
        assert_eq!(out.events_of("open")[0]["protocol"], protocol_of(mode));
        assert_eq!(
            payloads(&out, "1"),
            [json!({"data":{"hello":"hello sockpit"}})]
        );
        let counts: Vec<Value> = payloads(&out, "2")
            .iter()
            .map(|p| p["data"]["count"].clone())
            .collect();
        assert_eq!(counts, [json!(1), json!(2), json!(3)], "{mode}");
        assert_eq!(payloads(&out, "3"), [json!({"data":{"add":42}})]);
        // Without -n the run ended because all three completed.
        let mut done: Vec<String> = out
            .events_of("gql_complete")
            .iter()
            .map(|e| e["id"].as_str().unwrap_or_default().to_string())
            .collect();
        done.sort();
        assert_eq!(done, ["1", "2", "3"], "{mode}");
    }
}

#[tokio::test]
async fn plain_output_is_one_json_line_per_result_and_n_stops_early() {
    for mode in BOTH {
        let p = peer(mode, &[]).await;
        let out = gql(
            &p,
            &[
                "--query",
                "subscription { count(to: 100, delayMs: 10) }",
                "-n",
                "2",
            ],
        )
        .await;
        assert_eq!(out.status, 0, "{mode}: {out:?}");
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(
            lines,
            [r#"{"data":{"count":1}}"#, r#"{"data":{"count":2}}"#],
            "{mode}"
        );
    }
}

#[tokio::test]
async fn a_result_keeps_the_servers_field_order_on_one_line() {
    // GraphQL results are ordered as the selection set; sorted keys would put `a` first.
    for mode in BOTH {
        let p = peer(mode, &[]).await;
        let q = r#"{ z: hello(name: "z") a: hello(name: "a") }"#;
        let out = gql(&p, &["--query", q]).await;
        assert_eq!(out.status, 0, "{mode}: {out:?}");
        assert_eq!(
            out.stdout, "{\"data\":{\"z\":\"hello z\",\"a\":\"hello a\"}}\n",
            "{mode}"
        );
        let out = gql(&p, &["--query", q, "--json"]).await;
        let line = out
            .stdout
            .lines()
            .find(|l| l.contains("gql_next"))
            .unwrap_or_default();
        assert!(
            line.starts_with(
                r#"{"event":"gql_next","id":"1","payload":{"data":{"z":"hello z","a":"hello a"}},"t_ms":"#
            ),
            "{mode}: {line}"
        );
    }
}

#[tokio::test]
async fn a_field_that_throws_is_a_gql_error_and_exit_1() {
    for mode in BOTH {
        let p = peer(mode, &[]).await;
        let out = gql(&p, &["--query", "{ boom }", "--json"]).await;
        assert_eq!(out.status, 1, "{mode}: {out:?}");
        let errs = out.events_of("gql_error");
        assert_eq!(errs[0]["id"], "1");
        assert!(errs[0]["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("boom")));
        assert!(
            out.one_error_line().contains("GraphQL error: boom"),
            "{mode}"
        );
    }
}

#[tokio::test]
async fn init_payload_auth_is_accepted_or_refused() {
    for mode in BOTH {
        let p = peer(mode, &["--token", "s3cret"]).await;
        let ok = gql(
            &p,
            &["--init", r#"{"token":"s3cret"}"#, "--query", "{ hello }"],
        )
        .await;
        assert_eq!(ok.status, 0, "{mode}: {ok:?}");
        assert_eq!(ok.stdout.trim(), r#"{"data":{"hello":"hello world"}}"#);
        let bad = gql(
            &p,
            &["--init", r#"{"token":"nope"}"#, "--query", "{ hello }"],
        )
        .await;
        assert_eq!(bad.status, 1, "{mode}: {bad:?}");
        let line = bad.one_error_line();
        if mode == "transport" {
            assert!(line.contains("4403 Forbidden"), "{line}");
            assert!(line.contains("connection_init"), "{line}");
        } else {
            assert!(
                line.contains("connection_error") && line.contains("bad token"),
                "{line}"
            );
        }
    }
}

#[tokio::test]
async fn a_server_that_never_acks_fails_naming_connection_ack() {
    for mode in BOTH {
        let p = peer(mode, &["--never-ack"]).await;
        let out = gql(
            &p,
            &["--query", "{ hello }", "--ack-timeout", "0.5", "--json"],
        )
        .await;
        assert_eq!(out.status, 1, "{mode}: {out:?}");
        assert!(out.one_error_line().contains("connection_ack"));
        let errs = out.events_of("error");
        assert!(
            errs.iter().any(|e| e["code"] == "graphql.no_ack"),
            "{errs:?}"
        );
        // With a shorter --timeout the run's bound wins: exit 3.
        let out = gql(&p, &["--query", "{ hello }", "--timeout", "0.5"]).await;
        assert_eq!(out.status, 3, "{mode}: {out:?}");
    }
}

#[tokio::test]
async fn a_server_that_selects_no_graphql_subprotocol_is_a_clear_error() {
    for mode in BOTH {
        let p = peer(mode, &["--no-subprotocol"]).await;
        let out = gql(&p, &["--query", "{ hello }", "--json"]).await;
        assert_eq!(out.status, 1, "{mode}: {out:?}");
        let errs = out.events_of("error");
        assert!(
            errs.iter().any(|e| e["code"] == "graphql.no_subprotocol"),
            "{errs:?}"
        );
        assert!(out.one_error_line().contains("no GraphQL subprotocol"));
    }
}

#[tokio::test]
async fn subprotocol_override_offers_only_one() {
    // The graphql-ws library's server refuses the legacy subprotocol.
    let p = peer("transport", &[]).await;
    let out = gql(&p, &["--query", "{ hello }", "--subprotocol", "graphql-ws"]).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(out.one_error_line().contains("no GraphQL subprotocol"));
    let legacy = peer("legacy", &[]).await;
    let out = gql(
        &legacy,
        &["--query", "{ hello }", "--subprotocol", "graphql-ws"],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
}

#[tokio::test]
async fn server_pings_get_pongs_and_legacy_ka_keeps_the_session() {
    // graphql-ws: protocol pings every 150 ms (closed with 4400 if one is unanswered) and WebSocket
    // pings every 150 ms, over a subscription of about 1.2 s.
    let p = peer("transport", &["--ping-ms", "150", "--keepalive", "150"]).await;
    let q = [
        "--query",
        "subscription { count(to: 6, delayMs: 200) }",
        "--json",
        "--raw",
    ];
    let out = gql(&p, &q).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(payloads(&out, "1").len(), 6);
    let pongs = out.received().len().min(out.events_of("gql_ping").len());
    assert!(pongs >= 4, "protocol pings answered: {pongs}\n{out:?}");
    let sent_pongs = out
        .events_of("message")
        .iter()
        .filter(|m| m["dir"] == "out" && m["data"].as_str().is_some_and(|d| d.contains("pong")))
        .count();
    assert!(sent_pongs >= 4, "{sent_pongs}");
    assert!(out.events_of("ping").iter().any(|e| e["dir"] == "in"));
    // Legacy: `ka` every 150 ms.
    let p = peer("legacy", &["--keepalive", "150"]).await;
    let out = gql(&p, &q).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(payloads(&out, "1").len(), 6);
    assert!(out.events_of("gql_ka").len() >= 4, "{out:?}");
}

#[tokio::test]
async fn reconnect_mid_subscription_rehandshakes_and_resubscribes() {
    for mode in BOTH {
        let p = peer(mode, &["--drop-after", "2"]).await;
        let out = gql(
            &p,
            &[
                "--query",
                "subscription { count(to: 4, delayMs: 30) }",
                "--reconnect",
                "--backoff-base",
                "0.1",
                "--json",
            ],
        )
        .await;
        assert_eq!(out.status, 0, "{mode}: {out:?}");
        assert_eq!(out.events_of("open").len(), 2, "{mode}");
        assert_eq!(out.events_of("gql_ack").len(), 2, "{mode}");
        let re = out.events_of("gql_resubscribe");
        assert_eq!(re.len(), 1, "{mode}: {out:?}");
        assert_eq!(re[0]["ids"], json!(["1"]));
        let counts: Vec<Value> = payloads(&out, "1")
            .iter()
            .map(|p| p["data"]["count"].clone())
            .collect();
        // Two before the drop, then the server starts the re-subscribed operation afresh.
        assert_eq!(counts, [1, 2, 1, 2, 3, 4].map(|n| json!(n)), "{mode}");
    }
}

#[tokio::test]
async fn invalid_json_flags_are_usage_errors_naming_the_flag() {
    let out = sockpit(
        &[
            "graphql",
            "ws://127.0.0.1:9/graphql",
            "--query",
            "{a}",
            "--variables",
            "{nope",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(out.one_error_line().contains("--variables"));
    let out = sockpit(
        &[
            "graphql",
            "ws://127.0.0.1:9/graphql",
            "--query",
            "{a}",
            "--init",
            "[1,",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(out.one_error_line().contains("--init"));
}

#[tokio::test]
async fn strawberry_speaks_both_protocols_and_its_legacy_refusals_are_shown() {
    let p = Peer::python("graphql_server.py").await;
    for (offer, want) in [
        (None, "graphql-transport-ws"),
        (Some("graphql-transport-ws"), "graphql-transport-ws"),
    ] {
        let mut args = vec![
            "--query",
            "query($n: String) { hello(name: $n) }",
            "--variables",
            r#"{"n":"strawberry"}"#,
            "--query",
            "subscription { count(to: 3, delayMs: 10) }",
            "--query",
            "mutation { add(a: 1, b: 2) }",
            "--json",
        ];
        if let Some(o) = offer {
            args.extend(["--subprotocol", o]);
        }
        let out = gql(&p, &args).await;
        assert_eq!(out.status, 0, "{offer:?}: {out:?}");
        assert_eq!(out.events_of("open")[0]["protocol"], want, "{offer:?}");
        assert_eq!(
            payloads(&out, "1"),
            [json!({"data":{"hello":"hello strawberry"}})],
            "{offer:?}"
        );
        let counts: Vec<Value> = payloads(&out, "2")
            .iter()
            .map(|p| p["data"]["count"].clone())
            .collect();
        assert_eq!(counts, [json!(1), json!(2), json!(3)], "{offer:?}");
        assert_eq!(
            payloads(&out, "3"),
            [json!({"data":{"add":3}})],
            "{offer:?}"
        );
        assert_eq!(out.events_of("gql_complete").len(), 3, "{offer:?}: {out:?}");
    }
    // Strawberry's legacy handler takes subscriptions only: a query gets its words back, exit 1.
    let out = gql(
        &p,
        &[
            "--subprotocol",
            "graphql-ws",
            "--query",
            "subscription { count(to: 2) }",
            "--query",
            "{ hello }",
            "--json",
        ],
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(out.events_of("open")[0]["protocol"], "graphql-ws");
    let counts: Vec<Value> = payloads(&out, "1")
        .iter()
        .map(|p| p["data"]["count"].clone())
        .collect();
    assert_eq!(counts, [json!(1), json!(2)], "{out:?}");
    let refused = &out.events_of("gql_error")[0];
    assert_eq!(refused["id"], "2");
    assert!(
        refused["errors"]
            .to_string()
            .contains("queries are not allowed"),
        "{refused}"
    );
    assert!(
        out.stderr.contains("queries are not allowed"),
        "{}",
        out.stderr
    );
    // A query the schema refuses: the errors array, exit 1.
    let out = gql(&p, &["--query", "{ nope }", "--json"]).await;
    assert_eq!(out.status, 1, "{out:?}");
    let errors = &out.events_of("gql_error")[0]["errors"];
    assert!(errors.to_string().contains("nope"), "{errors}");
}
