//! Running one request: connect, send its saved messages in order (after their delays), feed what
//! arrives to the [`Checker`] and stop as soon as every assertion is decided, the connection ends
//! or the request's timeout runs out.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use super::check::{AssertionResult, Checker};
use super::prepare;
use super::scripted::{RequestScript, RunScripts};
use super::{interrupted_error, RequestResult, RunError, Stop, INTERRUPT_WAIT};
use crate::collection::model::{Protocol, Request};
use crate::proto::payload_codec::PayloadCodec;
use crate::sse::{SseHandle, SseSessionEvent};
use crate::store::HistoryRecorder;
use crate::ws::{Closer, DataKind, Direction, Outgoing, SessionEvent, SessionHandle};

/// How long a request may run when its settings say nothing.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often pending `count` windows are looked at.
pub(super) const TICK: Duration = Duration::from_millis(20);
/// How long a request whose script reads messages (and that has no assertions) stays open
/// with nothing arriving, once its saved messages are sent.
pub(super) const SCRIPT_IDLE: Duration = Duration::from_secs(2);
/// How long we wait for the close handshake after asking to close.
pub(super) const CLOSE_WAIT: Duration = Duration::from_secs(3);

/// Renders a request again with extra variables (what `before_connect` set).
pub(crate) type Rerender<'a> = dyn Fn(&[(String, String)]) -> Result<Request, RunError> + 'a;

/// What scripts share across a run: variables in and out, and the way to render a request again.
pub(crate) struct ScriptScope<'a> {
    pub rerender: &'a Rerender<'a>,
    /// The run's variables as scripts see them; what they set with scope `run` is added.
    pub vars: &'a mut HashMap<String, String>,
    /// What they set with scope `environment`, for the face to save.
    pub env_updates: &'a mut Vec<(String, String)>,
    /// The run's hook file (`--script`) and stop-on-error.
    pub run: RunScripts<'a>,
}

pub(crate) async fn run_request(
    r: &Request,
    path: Vec<String>,
    base_dir: &Path,
    history: Option<&HistoryRecorder>,
    secrets: &[String],
    scope: ScriptScope<'_>,
    stop: Stop,
) -> RequestResult {
    let ScriptScope {
        rerender,
        vars: script_vars,
        env_updates,
        run,
    } = scope;
    let started = Instant::now();
    let mut result = RequestResult {
        path,
        name: r.name.clone(),
        protocol: r.protocol,
        url: r.url.clone(),
        duration: Duration::ZERO,
        received: 0,
        assertions: Vec::new(),
        error: None,
        tests: Vec::new(),
        script_errors: Vec::new(),
    };
    let mut script = match RequestScript::start(r, run, script_vars).await {
        Ok(s) => s,
        Err(e) => {
            result.error = Some((e.code().to_string(), e.to_string()));
            result.duration = started.elapsed();
            return result;
        }
    };
    // Variables `before_connect` set are rendered into this request (URL, headers, auth, ...).
    let rendered;
    let r = match script.as_ref().map(|s| s.before_connect_vars()) {
        Some(vars) if !vars.is_empty() => match rerender(&vars) {
            Ok(again) => {
                rendered = again;
                &rendered
            }
            Err(e) => {
                result.error = Some((e.code().to_string(), e.to_string()));
                result.duration = started.elapsed();
                return result;
            }
        },
        _ => r,
    };
    let outcome = match r.protocol {
        // Stop-on-error and a script error in `before_connect`: the request does not connect.
        _ if script.as_ref().is_some_and(|s| s.stopped()) => Ok((0, Vec::new(), None)),
        Protocol::Websocket => run_ws(r, base_dir, history, secrets, script.as_mut(), stop).await,
        Protocol::Sse => run_sse(r, base_dir, history, secrets, script.as_mut(), stop).await,
        Protocol::Socketio => {
            super::layered::run_socketio(r, base_dir, history, secrets, script.as_mut(), stop).await
        }
        Protocol::Graphql => {
            super::layered::run_graphql(r, base_dir, history, secrets, script.as_mut(), stop).await
        }
        Protocol::Stomp => {
            super::brokers::run_stomp(r, base_dir, history, secrets, script.as_mut(), stop).await
        }
        Protocol::Mqtt => {
            super::brokers::run_mqtt(r, base_dir, history, secrets, script.as_mut(), stop).await
        }
    };
    match outcome {
        Ok((received, assertions, error)) => {
            result.received = received;
            result.assertions = assertions;
            result.error = error;
        }
        Err(e) => result.error = Some((e.code().to_string(), e.to_string())),
    }
    if let Some(s) = script {
        let outcome = s.finish().await;
        result.tests = outcome.tests;
        result.script_errors = outcome.errors;

        script_vars.extend(outcome.run_vars);
        env_updates.extend(outcome.env_vars);
    }
    result.duration = started.elapsed();
    result
}

pub(super) type Outcome = Result<(u64, Vec<AssertionResult>, Option<(String, String)>), RunError>;

pub(super) fn timeout_of(r: &Request) -> Duration {
    r.settings
        .timeout_ms
        .map(prepare::ms)
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// How assertions see a message: text as is; binary as its protobuf JSON when the request has a
/// receive type (and the bytes decode), else as lowercase hex.
fn as_text(kind: DataKind, data: &[u8], decoder: Option<&PayloadCodec>) -> String {
    match kind {
        DataKind::Text => String::from_utf8_lossy(data).into_owned(),
        DataKind::Binary => decoder
            .and_then(|c| c.decode_json_text(data, false).ok())
            .unwrap_or_else(|| hex::encode(data)),
    }
}

async fn run_ws(
    r: &Request,
    base_dir: &Path,
    history: Option<&HistoryRecorder>,
    secrets: &[String],
    mut script: Option<&mut RequestScript>,
    mut stop: Stop,
) -> Outcome {
    let mut cfg = prepare::ws_config(r, base_dir)?;
    // Secret variables rendered into the URL or headers stay out of events (and so history).
    cfg.redact = secrets.to_vec();
    // Every payload is built before connecting, so a bad one fails without touching the network.
    let codec = prepare::codec(r, base_dir)?;
    let mut sends: Vec<(u64, Outgoing)> = Vec::new();
    for m in &r.messages {
        sends.push((
            m.delay_ms.unwrap_or(0),
            prepare::outgoing(r, m, base_dir, codec.as_ref())?,
        ));
    }
    // With a receive type, binary messages are checked as their protobuf JSON.
    let decoder = codec.filter(|c| c.decodes());
    let mut checker = Checker::new(r).map_err(RunError::from)?;
    let limit = timeout_of(r);
    let deadline = tokio::time::Instant::now() + limit;
    let (control, mut events) = SessionHandle::spawn(cfg).into_parts();
    let mut sender: Option<tokio::task::JoinHandle<()>> = None;
    let mut error: Option<(String, String)> = None;
    let mut closing = false;
    let mut close_deadline = None;
    let mut ticker = tokio::time::interval(TICK);
    let started = Instant::now();
    let why;
    // A script that reads messages keeps the request open until it (or the server) closes.
    let script_listens = script.as_ref().is_some_and(|s| s.listens());
    let mut last_in = tokio::time::Instant::now();
    let mut interrupted = None;
    loop {
        let batch = tokio::select! {
            b = events.recv() => b,
            i = stop.wait(), if interrupted.is_none() => {
                // Close now with the face's code; wait for the server at most INTERRUPT_WAIT.
                let by = tokio::time::Instant::now() + INTERRUPT_WAIT;
                close_deadline = Some(close_deadline.map_or(by, |d: tokio::time::Instant| d.min(by)));
                closing = true;
                let _ = control.close(i.close_code, format!("sockpit run: {}", i.cause)).await;
                interrupted = Some(i);
                Some(Vec::new())
            }
            _ = ticker.tick() => {
                checker.on_tick(started.elapsed().as_nanos() as u64);
                Some(Vec::new())
            }
            a = next_script_action(&mut script) => {
                if let Some(s) = script.as_deref_mut() {
                    s.apply(a, Some(&control)).await;
                }
                Some(Vec::new())
            }
        };
        let Some(batch) = batch else {
            why = "the connection ended".to_string();
            break;
        };
        if let Some(s) = script.as_deref_mut() {
            s.feed(&batch, decoder.as_ref()).await;
            while let Some(a) = s.try_action() {
                s.apply(a, Some(&control)).await;
            }
        }
        let mut ended = false;
        for ev in &batch {
            match ev {
                SessionEvent::Open { t, .. } => {
                    checker.on_open(*t);
                    if sender.is_none() {
                        let control = control.clone();
                        let sends = std::mem::take(&mut sends);
                        sender = Some(tokio::spawn(async move {
                            for (delay, m) in sends {
                                if delay > 0 {
                                    tokio::time::sleep(prepare::ms(delay)).await;
                                }
                                if control
                                    .command(crate::ws::SessionCommand::Send(m))
                                    .await
                                    .is_err()
                                {
                                    return;
                                }
                            }
                        }));
                    }
                }
                SessionEvent::Message {
                    t,
                    dir: Direction::In,
                    kind,
                    data,
                } => checker.on_message(*t, None, &as_text(*kind, data, decoder.as_ref())),
                // Only a close the server started says which code it chose.
                SessionEvent::Close {
                    dir: Direction::In,
                    code,
                    by: Closer::Server,
                    ..
                } => checker.on_close(*code),
                SessionEvent::Error { error: e, .. } => {
                    error = Some((e.code().to_string(), e.to_string()));
                }
                SessionEvent::Ended { .. } => ended = true,
                _ => {}
            }
        }
        let got_in = batch.iter().any(|e| {
            matches!(
                e,
                SessionEvent::Message {
                    dir: Direction::In,
                    ..
                }
            )
        });
        if let Some(h) = history {
            if !batch.is_empty() {
                h.record_ws_owned(batch);
            }
        }
        if ended {
            why = "the connection ended".to_string();
            break;
        }
        let now = tokio::time::Instant::now();
        let sent_all = sender.as_ref().is_some_and(|s| s.is_finished());
        if got_in {
            last_in = now;
        }
        // A listening script without assertions has the request to itself until it closes, the
        // server closes, or nothing has arrived for SCRIPT_IDLE after the last send.
        let script_done = !(script_listens && r.assertions.is_empty())
            || now.duration_since(last_in) >= SCRIPT_IDLE;
        if !closing && sent_all && checker.all_decided() && script_done {
            closing = true;
            close_deadline = Some(now + CLOSE_WAIT);
            let _ = control.close(1000, "").await;
        }
        if !closing && now >= deadline {
            closing = true;
            close_deadline = Some(now + CLOSE_WAIT);
            let _ = control.close(1000, "sockpit run: timeout").await;
        }
        if close_deadline.is_some_and(|d| now >= d) {
            why = "the connection did not close".to_string();
            break;
        }
    }
    if let Some(s) = sender {
        s.abort();
    }
    let why = if let Some(i) = &interrupted {
        format!("interrupted by {}", i.cause)
    } else if tokio::time::Instant::now() >= deadline {
        format!("not seen within {} ms", limit.as_millis())
    } else {
        why
    };
    let received = checker.received();
    let results = checker.finish(&why);
    let error = final_error(error, &results, interrupted.as_ref());
    Ok((received, results, error))
}

/// A request's error: an interrupt always; otherwise an error after every assertion passed (e.g.
/// our own timeout close) is not a failure.
pub(super) fn final_error(
    error: Option<(String, String)>,
    results: &[AssertionResult],
    interrupted: Option<&super::Interrupt>,
) -> Option<(String, String)> {
    if let Some(i) = interrupted {
        return Some(interrupted_error(i));
    }
    if results.iter().all(|a| a.passed) && !results.is_empty() {
        None
    } else {
        error
    }
}

async fn run_sse(
    r: &Request,
    base_dir: &Path,
    history: Option<&HistoryRecorder>,
    secrets: &[String],
    mut script: Option<&mut RequestScript>,
    mut stop: Stop,
) -> Outcome {
    let cfg = prepare::sse_config(r, base_dir)?;
    let mut checker = Checker::new(r).map_err(RunError::from)?;
    let limit = timeout_of(r);
    let deadline = tokio::time::Instant::now() + limit;
    let (control, mut events) = SseHandle::spawn(cfg).into_parts();
    let mut error = None;
    let mut ticker = tokio::time::interval(TICK);
    let started = Instant::now();
    let mut why = String::from("the stream ended");
    let mut closed = false;
    let mut interrupted = None;
    loop {
        let batch = tokio::select! {
            b = events.recv() => b,
            // A stream has no goodbye: drop it.
            i = stop.wait() => {
                why = format!("interrupted by {}", i.cause);
                interrupted = Some(i);
                let _ = control.close().await;
                break;
            }
            _ = ticker.tick() => {
                checker.on_tick(started.elapsed().as_nanos() as u64);
                Some(Vec::new())
            }
            a = next_script_action(&mut script) => {
                if let Some(s) = script.as_deref_mut() {
                    sse_script_action(a, s, &control, &mut closed).await;
                }
                Some(Vec::new())
            }
        };
        let Some(batch) = batch else { break };
        let mut ended = false;
        let inputs = match script {
            Some(_) => crate::script::sse_inputs(&batch),
            None => Vec::new(),
        };
        for ev in &batch {
            match ev {
                SseSessionEvent::Open { t, .. } => checker.on_open(*t),
                SseSessionEvent::Event {
                    t,
                    event_type,
                    data,
                    ..
                } => checker.on_message(*t, Some(event_type), data),
                SseSessionEvent::Error { error: e, .. } => {
                    error = Some((e.code().to_string(), e.to_string()));
                }
                SseSessionEvent::Ended { .. } => ended = true,
                _ => {}
            }
        }
        if let Some(s) = script.as_deref_mut() {
            s.feed_inputs(inputs).await;
            while let Some(a) = s.try_action() {
                sse_script_action(a, s, &control, &mut closed).await;
            }
        }
        if let Some(h) = history {
            if !batch.is_empty() {
                let mut batch = batch;
                // Secret variables rendered into the URL stay out of history.
                for ev in batch.iter_mut() {
                    match ev {
                        SseSessionEvent::Connecting { url, .. } => {
                            *url = crate::auth::redact(url, secrets)
                        }
                        SseSessionEvent::Open { info, .. } => {
                            info.url = crate::auth::redact(&info.url, secrets)
                        }
                        _ => {}
                    }
                }
                h.record_sse(&batch);
            }
        }
        if ended {
            break;
        }
        let now = tokio::time::Instant::now();
        if !closed && (checker.all_decided() || now >= deadline) {
            if now >= deadline {
                why = format!("not seen within {} ms", limit.as_millis());
            }
            closed = true;
            let _ = control.close().await;
        }
        if closed && now >= deadline + CLOSE_WAIT {
            break;
        }
    }
    let received = checker.received();
    let results = checker.finish(&why);
    let error = final_error(error, &results, interrupted.as_ref());
    Ok((received, results, error))
}

/// The script's next action, or never when there is no script.
async fn next_script_action(
    script: &mut Option<&mut RequestScript>,
) -> crate::script::ScriptAction {
    match script {
        Some(s) => s.next_action().await,
        None => std::future::pending().await,
    }
}

/// A script's action on an SSE request: a stream can only be closed; sends have nowhere to go.
async fn sse_script_action(
    a: crate::script::ScriptAction,
    s: &mut RequestScript,
    control: &crate::sse::SseControl,
    closed: &mut bool,
) {
    match a {
        crate::script::ScriptAction::Close { .. } => {
            if !*closed {
                *closed = true;
                let _ = control.close().await;
            }
        }
        crate::script::ScriptAction::Send(_) => {
            s.note_unsupported("sp.send on an SSE request: an event stream only receives")
        }
        a => s.apply(a, None).await,
    }
}
