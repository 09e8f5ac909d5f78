//! The engine API (`SessionHandle`) directly, against real peers: close codes both ways, reconnect
//! with an ordered queue flush, keepalive failure, and the session log fed from live events.

use std::time::Duration;

use sockpit_core::ws::{
    Closer, ConnectConfig, DataKind, Direction, PingPolicy, ReconnectPolicy, SessionEvent,
    SessionHandle,
};
use sockpit_core::SessionLog;
use sockpit_mock::MockServer;
use sockpit_tests::Peer;

/// Collects events until `stop` says so or the session ends; panics after `limit`.
async fn collect_until(
    handle: &mut SessionHandle,
    limit: Duration,
    mut stop: impl FnMut(&[SessionEvent]) -> bool,
) -> Vec<SessionEvent> {
    let mut all = Vec::new();
    let r = tokio::time::timeout(limit, async {
        while let Some(batch) = handle.next_batch().await {
            all.extend(batch);
            if stop(&all) || matches!(all.last(), Some(SessionEvent::Ended { .. })) {
                break;
            }
        }
    })
    .await;
    assert!(r.is_ok(), "timed out; events so far: {all:#?}");
    all
}

fn texts_in(events: &[SessionEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Message {
                dir: Direction::In,
                kind: DataKind::Text,
                data,
                ..
            } => Some(String::from_utf8_lossy(data).into_owned()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn client_close_code_reaches_the_server_and_comes_back() {
    for peer in [
        Peer::python("ws_server.py").await,
        Peer::node("ws_server.js").await,
    ] {
        let mut h = SessionHandle::spawn(ConnectConfig::new(peer.ws_url("/echo")));
        let c = h.control();
        c.send_text("before close").await.unwrap();
        let mut events = collect_until(&mut h, Duration::from_secs(10), |ev| {
            !texts_in(ev).is_empty()
        })
        .await;
        c.close(4000, "bye now").await.unwrap();
        events.extend(collect_until(&mut h, Duration::from_secs(10), |_| false).await);
        let closes: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                SessionEvent::Close {
                    dir,
                    code,
                    reason,
                    by,
                    ..
                } => Some((*dir, *code, reason.clone(), *by)),
                _ => None,
            })
            .collect();
        assert_eq!(
            closes,
            vec![
                (Direction::Out, 4000, "bye now".to_string(), Closer::Client),
                (Direction::In, 4000, "bye now".to_string(), Closer::Client),
            ],
            "{events:#?}"
        );
        assert_eq!(texts_in(&events), vec!["before close"]);
        assert!(matches!(events.last(), Some(SessionEvent::Ended { .. })));
        // A close code we may not send is refused before it reaches the socket.
        let h2 = SessionHandle::spawn(ConnectConfig::new(peer.ws_url("/echo")));
        let err = h2.control().close(1006, "").await.unwrap_err();
        assert_eq!(err.code(), "ws.invalid_close_code");
    }
}

/// A session to the mock's `/drop` (dropped once after 50 ms, under `key`) that reconnects.
fn dropped_once(mock: &MockServer, key: &str) -> ConnectConfig {
    let mut cfg = ConnectConfig::new(format!("{}/drop?key={key}&times=1&ms=50", mock.ws_url()));
    cfg.reconnect = Some(ReconnectPolicy {
        base_delay: Duration::from_millis(300),
        max_delay: Duration::from_secs(1),
        max_retries: Some(5),
    });
    cfg
}

#[tokio::test]
async fn reconnects_after_a_drop_and_flushes_the_queue_in_order() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let mut h = SessionHandle::spawn(dropped_once(&mock, "queue-flush"));
    let c = h.control();
    let mut log = SessionLog::new();
    // Wait for the drop and the reconnect announcement, then send while offline.
    let mut events = collect_until(&mut h, Duration::from_secs(10), |ev| {
        ev.iter()
            .any(|e| matches!(e, SessionEvent::Reconnecting { .. }))
    })
    .await;
    for m in ["q1", "q2", "q3"] {
        c.send_text(m).await.unwrap();
    }
    events.extend(
        collect_until(&mut h, Duration::from_secs(10), |ev| {
            texts_in(ev).len() == 3
        })
        .await,
    );
    c.close(1000, "").await.unwrap();
    events.extend(collect_until(&mut h, Duration::from_secs(10), |_| false).await);
    for e in &events {
        log.push(e);
    }

    let dropped = events.iter().any(|e| {
        matches!(
            e,
            SessionEvent::Close {
                code: 1006,
                dir: Direction::In,
                ..
            }
        )
    });
    assert!(dropped, "the first connection ends with 1006: {events:#?}");
    let queued: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Queued { queued, .. } => Some(*queued),
            _ => None,
        })
        .collect();
    assert_eq!(
        queued,
        vec![1, 2, 3],
        "sends while offline are queued visibly"
    );
    let opens = events
        .iter()
        .filter(|e| matches!(e, SessionEvent::Open { .. }))
        .count();
    assert_eq!(opens, 2, "one reconnect: {events:#?}");
    assert_eq!(
        texts_in(&events),
        vec!["q1", "q2", "q3"],
        "flushed in order, echoed by the second connection"
    );
    // The log holds every event and finds the echoes.
    assert_eq!(log.len(), events.len());
    assert_eq!(log.search("q2", false, 0, 10).len(), 2, "sent and received");
}

#[tokio::test]
async fn the_send_queue_is_bounded_and_refuses_the_newest_when_full() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let mut cfg = dropped_once(&mock, "queue-bound");
    cfg.send_queue_limit = 2;
    let mut h = SessionHandle::spawn(cfg);
    let c = h.control();
    let mut events = collect_until(&mut h, Duration::from_secs(10), |ev| {
        ev.iter()
            .any(|e| matches!(e, SessionEvent::Reconnecting { .. }))
    })
    .await;
    for m in ["q1", "q2", "q3", "q4"] {
        c.send_text(m).await.unwrap();
    }
    events.extend(
        collect_until(&mut h, Duration::from_secs(10), |ev| {
            texts_in(ev).len() == 2
        })
        .await,
    );
    c.close(1000, "").await.unwrap();
    events.extend(collect_until(&mut h, Duration::from_secs(10), |_| false).await);
    let queued: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Queued { queued, .. } => Some(*queued),
            _ => None,
        })
        .collect();
    assert_eq!(queued, vec![1, 2], "two wait, visibly");
    let full: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Error { error, .. } if error.code() == "ws.queue_full" => {
                Some(error.to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(full.len(), 2, "the two newest are refused: {events:#?}");
    assert!(full[0].contains("raise --send-queue"), "{}", full[0]);
    assert_eq!(
        texts_in(&events),
        vec!["q1", "q2"],
        "the queued ones are flushed in order; the refused never go out"
    );
}

#[tokio::test]
async fn closing_while_connecting_cancels_the_attempt() {
    let port = sockpit_tests::servers::silent_server().await;
    let mut h = SessionHandle::spawn(ConnectConfig::new(format!("ws://127.0.0.1:{port}/")));
    h.control().close(1000, "").await.unwrap();
    let events = collect_until(&mut h, Duration::from_secs(5), |_| false).await;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, SessionEvent::Open { .. } | SessionEvent::Error { .. })),
        "{events:#?}"
    );
    assert!(matches!(events.last(), Some(SessionEvent::Ended { .. })));
}

#[tokio::test]
async fn never_reconnects_after_a_close_the_user_asked_for() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let mut cfg = ConnectConfig::new(format!("{}/echo", mock.ws_url()));
    cfg.reconnect = Some(ReconnectPolicy::default());
    let mut h = SessionHandle::spawn(cfg);
    let c = h.control();
    collect_until(&mut h, Duration::from_secs(5), |ev| {
        ev.iter().any(|e| matches!(e, SessionEvent::Open { .. }))
    })
    .await;
    c.close(1000, "done").await.unwrap();
    let events = collect_until(&mut h, Duration::from_secs(5), |_| false).await;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, SessionEvent::Reconnecting { .. })),
        "{events:#?}"
    );
    assert!(matches!(events.last(), Some(SessionEvent::Ended { .. })));
}

#[tokio::test]
async fn a_missing_pong_counts_as_a_lost_connection() {
    // This server completes the handshake, then reads without ever answering a ping.
    let (port, _rx) = sockpit_tests::servers::raw_frame_server(Vec::new()).await;
    let mut cfg = ConnectConfig::new(format!("ws://127.0.0.1:{port}/"));
    cfg.ping = Some(PingPolicy {
        interval: Duration::from_millis(100),
        timeout: Duration::from_millis(300),
    });
    let mut h = SessionHandle::spawn(cfg);
    let events = collect_until(&mut h, Duration::from_secs(10), |_| false).await;
    let err = events.iter().find_map(|e| match e {
        SessionEvent::Error { error, .. } => Some(error.code()),
        _ => None,
    });
    assert_eq!(err, Some("ws.pong_timeout"), "{events:#?}");
    assert!(events
        .iter()
        .any(|e| matches!(e, SessionEvent::Close { code: 1006, .. })));
}
