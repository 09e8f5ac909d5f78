//! The script engine against its limits and its API, without a socket.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;

use super::*;

fn text(s: &str) -> ScriptInput {
    ScriptInput::Message(ScriptMessage {
        dir: Direction::In,
        kind: DataKind::Text,
        data: Bytes::from(s.to_string()),
        t_ms: 1.0,
        decoded: None,
    })
}

async fn run(
    program: ScriptProgram,
    options: ScriptOptions,
    inputs: Vec<ScriptInput>,
) -> Vec<ScriptAction> {
    let mut host = ScriptHost::start(program, options)
        .await
        .expect("script starts");
    host.feed(inputs).await;
    host.finish().await
}

fn sends(actions: &[ScriptAction]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            ScriptAction::Send(Outgoing::Text(t)) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

fn errors(actions: &[ScriptAction]) -> Vec<ScriptError> {
    actions
        .iter()
        .filter_map(|a| match a {
            ScriptAction::Error(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_hook_file_answers_pings_with_pongs_carrying_their_ids() {
    let file = "function onMessage(sp) {\n  const m = sp.message.json();\n  if (m.type === 'ping') sp.send({type: 'pong', id: m.id});\n}\n";
    let inputs = (0..3)
        .map(|i| text(&format!(r#"{{"type":"ping","id":{i}}}"#)))
        .chain([text(r#"{"type":"other"}"#)])
        .collect();
    let actions = run(
        ScriptProgram::file("pong.js", file),
        ScriptOptions::default(),
        inputs,
    )
    .await;
    assert_eq!(
        sends(&actions),
        vec![
            r#"{"type":"pong","id":0}"#,
            r#"{"type":"pong","id":1}"#,
            r#"{"type":"pong","id":2}"#
        ]
    );
    assert!(errors(&actions).is_empty(), "{actions:?}");
}

#[tokio::test]
async fn request_hooks_keep_variables_and_test_over_every_message() {
    let mut hooks = BTreeMap::new();
    hooks.insert(
        Hook::OnMessage,
        "if (!sp.vars.get('session')) { sp.vars.set('session', sp.message.json().session); sp.send('join ' + sp.vars.get('session')); }".to_string(),
    );
    hooks.insert(
        Hook::After,
        "test('two messages', () => expect(sp.messages.length).to.equal(2));\ntest('wrong', () => expect(sp.messages.length).to.equal(3));".to_string(),
    );
    let actions = run(
        ScriptProgram::hooks("request 'Join'", hooks),
        ScriptOptions::default(),
        vec![text(r#"{"session":"s-42"}"#), text(r#"{"session":"s-43"}"#)],
    )
    .await;
    assert_eq!(sends(&actions), vec!["join s-42"]);
    assert!(actions.contains(&ScriptAction::SetVar {
        name: "session".into(),
        value: "s-42".into(),
        scope: VarScope::Run
    }));
    let tests = tests_of(&actions);
    assert_eq!(tests.len(), 2, "{actions:?}");
    assert!(tests[0].passed);
    assert!(!tests[1].passed);
    assert_eq!(tests[1].hook, Hook::After);
    assert_eq!(tests[1].message, "AssertionError: expected 2 to equal 3");
    assert_eq!(tests[1].line, 2);
}

#[tokio::test]
async fn a_syntax_error_is_reported_with_line_and_column_before_anything_runs() {
    let program = ScriptProgram::file("bad.js", "let x = 1;\nfunction (sp) {}\n");
    let err = ScriptHost::check(&program).unwrap_err();
    assert_eq!(err.code(), "script.syntax");
    let ScriptError::Syntax { line, column, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*line, *column), (2, 10), "{err}");
    assert!(
        err.to_string()
            .starts_with("bad.js: syntax error at line 2"),
        "{err}"
    );
    let started = ScriptHost::start(program, ScriptOptions::default()).await;
    assert_eq!(started.err().map(|e| e.code()), Some("script.syntax"));

    let mut hooks = BTreeMap::new();
    hooks.insert(Hook::OnOpen, "sp.send('a');\nsp.send('b'".to_string());
    let err = ScriptHost::check(&ScriptProgram::hooks("request 'R'", hooks)).unwrap_err();
    assert!(matches!(err, ScriptError::Syntax { line: 2, .. }), "{err}");
}

#[tokio::test]
async fn a_hook_file_is_read_checked_and_needs_a_hook() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.js");
    let err = ScriptProgram::read_file(&missing).unwrap_err();
    assert_eq!(err.code(), "script.read");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot read the script {}:", missing.display())),
        "{err}"
    );

    let none = dir.path().join("none.js");
    std::fs::write(&none, "const onOpen = 1;\nfunction helper() {}\n").unwrap();
    let program = ScriptProgram::read_file(&none).unwrap();
    assert_eq!(program.label(), "none.js");
    let err = check_hook_file(&program, ScriptLayer::Websocket)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "script.no_hooks", "{err}");

    let bad = ScriptProgram::file("bad.js", "function after(sp) {\n  test('x', () => {;\n}\n");
    let err = check_hook_file(&bad, ScriptLayer::Websocket)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "script.syntax", "{err}");

    let one = ScriptProgram::file("dir/one.js", "function after(sp) {}\n");
    assert_eq!(one.label(), "one.js");
    check_hook_file(&one, ScriptLayer::Websocket).await.unwrap();
}

#[tokio::test]
async fn an_endless_loop_is_stopped_at_the_time_limit_and_the_session_goes_on() {
    let file = "function onMessage(sp) {\n  if (sp.message.data === 'spin') {\n    while (true) {}\n  }\n  sp.send('ok');\n}\n";
    let options = ScriptOptions {
        time_limit: Duration::from_millis(200),
        ..ScriptOptions::default()
    };
    let started = std::time::Instant::now();
    let actions = run(
        ScriptProgram::file("spin.js", file),
        options,
        vec![text("spin"), text("next")],
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let errs = errors(&actions);
    assert_eq!(errs.len(), 1, "{actions:?}");
    assert_eq!(errs[0].code(), "script.timeout");
    let msg = errs[0].to_string();
    assert!(
        msg.starts_with("script took longer than 200 ms in on_message"),
        "{msg}"
    );
    assert!(msg.contains("spin.js"), "{msg}");
    assert_eq!(sends(&actions), vec!["ok"], "the next message still runs");
}

#[tokio::test]
async fn a_huge_allocation_is_refused() {
    let file = "function onOpen(sp) {\n  const a = new Uint8Array(1024 * 1024 * 1024);\n  sp.send('allocated ' + a.length);\n}\n";
    let actions = run(
        ScriptProgram::file("big.js", file),
        ScriptOptions::default(),
        vec![ScriptInput::Open { t_ms: 0.0 }],
    )
    .await;
    assert!(sends(&actions).is_empty());
    let errs = errors(&actions);
    assert_eq!(errs.len(), 1, "{actions:?}");
    assert_eq!(errs[0].code(), "script.memory", "{}", errs[0]);
    assert!(errs[0].to_string().contains("256 MiB"), "{}", errs[0]);
}

#[tokio::test]
async fn files_and_network_are_out_of_reach() {
    let file = "function onOpen(sp) {\n  require('fs');\n}\nfunction onClose(sp) {\n  fetch('http://127.0.0.1:1/');\n}\n";
    let actions = run(
        ScriptProgram::file("io.js", file),
        ScriptOptions::default(),
        vec![
            ScriptInput::Open { t_ms: 0.0 },
            ScriptInput::Close {
                t_ms: 1.0,
                code: 1000,
                reason: String::new(),
            },
        ],
    )
    .await;
    let errs = errors(&actions);
    assert_eq!(errs.len(), 2, "{actions:?}");
    let first = errs[0].to_string();
    assert!(first.contains("require('fs') is not available"), "{first}");
    assert!(first.contains("no file or network access"), "{first}");
    assert!(first.contains("line 2"), "{first}");
    assert!(
        errs[1].to_string().contains("fetch() is not available"),
        "{}",
        errs[1]
    );
}

#[tokio::test]
async fn layer_functions_exist_only_on_their_layer() {
    let file = "function onOpen(sp) { sp.emit('chat', {text: 'hi'}, 2); }\n";
    let actions = run(
        ScriptProgram::file("sio.js", file),
        ScriptOptions {
            layer: ScriptLayer::Socketio,
            ..ScriptOptions::default()
        },
        vec![ScriptInput::Open { t_ms: 0.0 }],
    )
    .await;
    assert!(
        actions.contains(&ScriptAction::Emit {
            event: "chat".into(),
            args: vec![serde_json::json!({"text": "hi"}), serde_json::json!(2)]
        }),
        "{actions:?}"
    );
    let actions = run(
        ScriptProgram::file("ws.js", file),
        ScriptOptions::default(),
        vec![ScriptInput::Open { t_ms: 0.0 }],
    )
    .await;
    let errs = errors(&actions);
    assert!(
        errs[0]
            .to_string()
            .contains("sp.emit() is only available on Socket.IO requests"),
        "{}",
        errs[0]
    );
}

#[tokio::test]
async fn on_stomp_send_takes_a_destination_and_a_body() {
    let file =
        "function onOpen(sp) { sp.send('/queue/a', {n: 1}); sp.send('/queue/b', 'text'); }\n\
                function onClose(sp) { sp.send('no body'); }\n";
    let stomp = ScriptOptions {
        layer: ScriptLayer::Stomp,
        ..ScriptOptions::default()
    };
    let inputs = vec![
        ScriptInput::Open { t_ms: 0.0 },
        ScriptInput::Close {
            t_ms: 1.0,
            code: 1000,
            reason: String::new(),
        },
    ];
    let actions = run(ScriptProgram::file("stomp.js", file), stomp, inputs).await;
    let published: Vec<(String, Bytes)> = actions
        .iter()
        .filter_map(|a| match a {
            ScriptAction::Publish { topic, payload } => Some((topic.clone(), payload.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        published,
        [
            ("/queue/a".to_string(), Bytes::from_static(br#"{"n":1}"#)),
            ("/queue/b".to_string(), Bytes::from_static(b"text")),
        ]
    );
    assert!(sends(&actions).is_empty(), "{actions:?}");
    let errs = errors(&actions);
    assert!(
        errs[0]
            .to_string()
            .contains("sp.send(destination, body) on STOMP"),
        "{}",
        errs[0]
    );
}

#[tokio::test]
async fn logs_closes_and_binary_messages() {
    let file = "function onMessage(sp) {\n  sp.log('got', sp.message.kind, sp.message.size, {n: sp.message.data[0]});\n  sp.send(new Uint8Array([1, 2]));\n  sp.close(4000, 'done');\n}\nfunction onClose(sp) { sp.log('closed', sp.closed.code); }\n";
    let actions = run(
        ScriptProgram::file("bin.js", file),
        ScriptOptions::default(),
        vec![
            ScriptInput::Message(ScriptMessage {
                dir: Direction::In,
                kind: DataKind::Binary,
                data: Bytes::from_static(&[7, 8, 9]),
                t_ms: 2.0,
                decoded: None,
            }),
            ScriptInput::Close {
                t_ms: 3.0,
                code: 4000,
                reason: "done".into(),
            },
        ],
    )
    .await;
    assert_eq!(
        actions,
        vec![
            ScriptAction::Log {
                hook: Hook::OnMessage,
                text: r#"got binary 3 {"n":7}"#.into()
            },
            ScriptAction::Send(Outgoing::Binary(Bytes::from_static(&[1, 2]))),
            ScriptAction::Close {
                code: 4000,
                reason: "done".into()
            },
            ScriptAction::Log {
                hook: Hook::OnClose,
                text: "closed 4000".into()
            },
        ]
    );
}

#[tokio::test]
async fn an_exception_carries_its_stack_and_line() {
    let file = "function onOpen(sp) {\n  helper();\n}\nfunction helper() {\n  throw new TypeError('no session id');\n}\n";
    let actions = run(
        ScriptProgram::file("throw.js", file),
        ScriptOptions::default(),
        vec![ScriptInput::Open { t_ms: 0.0 }],
    )
    .await;
    let errs = errors(&actions);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code(), "script.exception");
    assert_eq!(
        errs[0].to_string(),
        "uncaught TypeError: no session id in on_open (throw.js, line 5)"
    );
    assert!(errs[0].stack().contains("helper"), "{}", errs[0].stack());
}
