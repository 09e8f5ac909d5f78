//! The window's scripted SSE subscriptions (core's `app::start_sse`, as the window's
//! `sse_subscribe` drives it) against the mock's `/sse` feed: a request's hooks see every event
//! as a message (`data`, `json()`, `decoded.event`), log and test, `after` runs at the end,
//! `sp.close()` ends the stream early, `sp.send` is the window's `script.unsupported` row, and an
//! attached hook file runs first with stop on script error ending the stream. The requests
//! reconnect at once, so a feed without `done=1` ends only when closed.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use sockpit_core::app::{start_sse, App, ScriptEvent, ScriptPlan, SseSource, StreamBatch};
use sockpit_core::collection::model::{Protocol, ReconnectSettings, Request, Scripts, Settings};
use sockpit_core::sse::{SseEndReason, SseSessionEvent};
use sockpit_mock::MockServer;

const LIMIT: Duration = Duration::from_secs(20);

fn app() -> (tempfile::TempDir, Arc<App>) {
    std::env::set_var("SOCKPIT_SECRET_BACKEND", "database");
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::new(dir.path()));
    (dir, app)
}

fn sse_request(url: &str, scripts: Scripts) -> Request {
    Request {
        name: "scripted sse".into(),
        url: url.into(),
        protocol: Protocol::Sse,
        scripts,
        // Reconnect at once after the stream ends: the feed then ends only with a 204 (`done=1`)
        // or when closed.
        settings: Settings {
            reconnect: Some(ReconnectSettings {
                base_ms: 10,
                max_ms: 10,
                max_retries: None,
            }),
            ..Settings::default()
        },
        ..Request::default()
    }
}

/// Subscribes as the window does and runs the subscription to its end: its events and what the
/// scripts reported.
async fn run(app: &Arc<App>, r: Request) -> (Vec<SseSessionEvent>, Vec<ScriptEvent>) {
    let url = r.url.clone();
    let started = start_sse(app.clone(), Some(r), url, None, ScriptPlan::default())
        .await
        .unwrap();
    let SseSource::Scripted(mut session) = started.source else {
        panic!("a request with scripts subscribes with its scripts beside it");
    };
    let (mut events, mut script) = (Vec::new(), Vec::new());
    tokio::time::timeout(LIMIT, async {
        while let Some(b) = session.next_batch().await {
            if let StreamBatch::Sse(e) = b.events {
                events.extend(e);
            }
            script.extend(b.script);
        }
    })
    .await
    .expect("the subscription ends");
    (events, script)
}

fn tests_of(script: &[ScriptEvent]) -> Vec<(String, bool, String)> {
    script
        .iter()
        .filter_map(|e| match e {
            ScriptEvent::Test(t) => Some((t.name.clone(), t.passed, t.message.clone())),
            _ => None,
        })
        .collect()
}

fn logs_of(script: &[ScriptEvent]) -> Vec<String> {
    script.iter().filter_map(ScriptEvent::row_text).collect()
}

fn data_events(events: &[SseSessionEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, SseSessionEvent::Event { .. }))
        .count()
}

#[tokio::test]
async fn every_event_is_a_message_and_the_after_test_counting_them_passes() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (_dir, app) = app();
    // `done=1`: the reconnect after the fifth event gets a 204, which ends the subscription.
    let url = format!("{}/sse?n=5&interval=10&done=1&retry=10", mock.http_url());
    let r = sse_request(
        &url,
        Scripts {
            // `on_open` runs again on the reconnect that gets the 204: count in `on_message`.
            on_message: Some(
                "globalThis.seen = globalThis.seen || [];\nseen.push(sp.message.json().n);\nsp.log(sp.message.kind + ' ' + sp.message.decoded.event + ' ' + sp.message.json().n);".into(),
            ),
            after: Some(
                "test('five events in order', () => expect(seen).to.deep.equal([1, 2, 3, 4, 5]));\ntest('all in sp.messages', () => expect(sp.messages.length).to.equal(5));".into(),
            ),
            ..Scripts::default()
        },
    );
    let (events, script) = run(&app, r).await;
    assert_eq!(data_events(&events), 5, "{events:?}");
    let ended = events.iter().find_map(|e| match e {
        SseSessionEvent::Ended { reason, .. } => Some(*reason),
        _ => None,
    });
    assert_eq!(ended, Some(SseEndReason::NoContent), "{events:?}");
    assert_eq!(
        tests_of(&script),
        vec![
            ("five events in order".into(), true, String::new()),
            ("all in sp.messages".into(), true, String::new()),
        ],
        "{script:?}"
    );
    let logs = logs_of(&script);
    assert_eq!(logs.len(), 5, "{logs:?}");
    // Item 3 of the feed is unnamed (`message`), the others are `tick`s.
    assert_eq!(logs[0], "on_message: text tick 1");
    assert_eq!(logs[2], "on_message: text message 3");
}

#[tokio::test]
async fn sp_close_after_the_third_event_ends_the_stream_and_sp_send_is_unsupported() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (_dir, app) = app();
    // Without `done`, the stream reconnects for ever: only the script's close ends it.
    let url = format!("{}/sse?n=5&interval=10&retry=10", mock.http_url());
    let r = sse_request(
        &url,
        Scripts {
            on_open: Some("sp.send('hello?');".into()),
            on_message: Some("if (sp.message.json().n === 3) sp.close();".into()),
            after: Some(
                "test('stopped at three', () => expect(sp.messages.map(m => m.json().n).slice(0, 3)).to.deep.equal([1, 2, 3]));".into(),
            ),
            ..Scripts::default()
        },
    );
    let (events, script) = run(&app, r).await;
    // The feed reconnects for ever unless told to stop: ending at all is the script's close.
    let ended = events.iter().find_map(|e| match e {
        SseSessionEvent::Ended { reason, .. } => Some(*reason),
        _ => None,
    });
    assert_eq!(ended, Some(SseEndReason::Unsubscribed), "{events:?}");
    assert!(data_events(&events) >= 3, "{events:?}");
    assert_eq!(
        tests_of(&script),
        vec![("stopped at three".into(), true, String::new())],
        "{script:?}"
    );
    let unsupported: Vec<_> = script
        .iter()
        .filter(|e| {
            matches!(
                e,
                ScriptEvent::Error {
                    code: "script.unsupported",
                    ..
                }
            )
        })
        .collect();
    assert_eq!(unsupported.len(), 1, "{script:?}");
    assert!(
        logs_of(&script)[0].contains("SSE request only receives"),
        "{script:?}"
    );
}

#[tokio::test]
async fn a_hook_file_runs_first_and_stop_on_script_error_ends_the_stream() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let (dir, app) = app();
    let file = dir.path().join("sse-hooks.js");
    std::fs::write(
        &file,
        "function onMessage(sp) { sp.log('file ' + sp.message.json().n); }\n",
    )
    .unwrap();
    // Without `done` the feed reconnects for ever: only the stop on the error ends it.
    let url = format!("{}/sse?n=5&interval=10&retry=10", mock.http_url());
    let r = sse_request(
        &url,
        Scripts {
            on_message: Some(
                "sp.log('request ' + sp.message.json().n);\nif (sp.message.json().n === 2) throw new Error('boom at two');".into(),
            ),
            ..Scripts::default()
        },
    );
    let plan = ScriptPlan {
        hook_file: Some(file),
        stop_on_error: true,
    };
    let started = start_sse(app.clone(), Some(r), url, None, plan)
        .await
        .unwrap();
    let SseSource::Scripted(mut session) = started.source else {
        panic!("scripted");
    };
    let (mut events, mut script) = (Vec::new(), Vec::new());
    tokio::time::timeout(LIMIT, async {
        while let Some(b) = session.next_batch().await {
            if let StreamBatch::Sse(e) = b.events {
                events.extend(e);
            }
            script.extend(b.script);
        }
    })
    .await
    .expect("the stop on the error ends the subscription");
    let logs = logs_of(&script);
    assert_eq!(
        logs[..4],
        [
            "on_message: file 1",
            "on_message: request 1",
            "on_message: file 2",
            "on_message: request 2"
        ],
        "{logs:?}"
    );
    assert!(logs.iter().any(|l| l.contains("boom at two")), "{logs:?}");
    assert!(
        script.iter().any(|e| matches!(
            e,
            ScriptEvent::Error {
                code: "script.stopped",
                ..
            }
        )),
        "{script:?}"
    );
    assert!(
        events.iter().any(|e| matches!(
            e,
            SseSessionEvent::Ended {
                reason: SseEndReason::Unsubscribed,
                ..
            }
        )),
        "{events:?}"
    );
}
