//! The window's scripted sessions (core's `app::ScriptedSession`) against the mock's /echo: an
//! `on_open` send of a request variable, `on_message` log lines and tests, a script close, and `after` run at the end.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sockpit_core::app::{start_request_script, ScriptEvent, ScriptedSession};
use sockpit_core::collection::model::{Request, Scripts};
use sockpit_core::log::{RowKind, SessionLog};
use sockpit_core::ws::{ConnectConfig, Direction, SessionEvent, SessionHandle};
use sockpit_mock::MockServer;

#[tokio::test]
async fn a_scripted_session_sends_logs_tests_closes_and_runs_after() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/echo", mock.ws_url());
    let request = Request {
        name: "scripted".into(),
        url: url.clone(),
        scripts: Scripts {
            on_open: Some("sp.send(sp.vars.get('greeting'))".into()),
            on_message: Some(
                "sp.log('got ' + sp.message.data);\ntest('echo', () => expect(sp.message.data).to.equal('hi'));\nsp.close(1000, 'done');".into(),
            ),
            after: Some("test('one in', () => expect(sp.messages.filter(m => m.dir === 'in').length).to.equal(1));".into()),
            ..Scripts::default()
        },
        ..Request::default()
    };
    let vars = [("greeting".to_string(), "hi".to_string())].into();
    let host = start_request_script(&request, vars).await.unwrap().unwrap();
    let mut session = ScriptedSession::new(SessionHandle::spawn(ConnectConfig::new(url)), host);
    let mut log = SessionLog::new();
    let (mut events, mut script) = (Vec::new(), Vec::new());
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(b) = session.next_batch().await {
            for e in &b.events {
                log.push(e);
            }
            b.push_rows(&mut log);
            events.extend(b.events);
            script.extend(b.script);
        }
    })
    .await
    .expect("the session ends (the script closes it)");

    let sent_hi = events.iter().any(|e| {
        matches!(e, SessionEvent::Message { dir: Direction::Out, data, .. } if &data[..] == b"hi")
    });
    assert!(sent_hi, "on_open sent 'hi': {events:?}");
    let tests: Vec<_> = script
        .iter()
        .filter_map(|e| match e {
            ScriptEvent::Test(t) => Some((t.name.as_str(), t.passed)),
            _ => None,
        })
        .collect();
    assert_eq!(tests, vec![("echo", true), ("one in", true)], "{script:?}");
    let rows: Vec<String> = log
        .range(0, log.len())
        .filter(|r| r.kind == RowKind::Script)
        .map(|r| String::from_utf8_lossy(r.data).into_owned())
        .collect();
    assert_eq!(rows, vec!["on_message: got hi".to_string()]);
}

#[tokio::test]
async fn a_syntax_error_stops_the_connect_and_no_scripts_means_no_host() {
    let mut request = Request {
        name: "broken".into(),
        url: "ws://127.0.0.1:9/echo".into(),
        ..Request::default()
    };
    assert!(start_request_script(&request, Default::default())
        .await
        .unwrap()
        .is_none());
    request.scripts.on_open = Some("let x = ;".into());
    let err = start_request_script(&request, Default::default())
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "script.syntax");
}
