//! How `sockpit connect` prints events: websocat-style lines, or JSON Lines with `--json`.

use std::io::{self, Write};

use base64::Engine;
use sockpit_core::script::{Hook, ScriptError, ScriptTest};
use sockpit_core::ws::{
    close_code_name, DataKind, Direction, FrameRecord, SessionEvent, UpgradeReport, WsError,
};

/// Writes events to stdout (buffered) and notes to stderr.
pub struct Printer<W: Write> {
    pub out: W,
    pub json: bool,
    pub verbose: bool,
    /// Skip data messages.
    pub quiet: bool,
    /// Decodes binary messages as protobuf (`--schema` with `--recv-type`/`--send-type`).
    pub proto: crate::connect_proto::Codec,
    /// Notes for stderr (verbose lines, frames), buffered like stdout.
    pub notes: io::BufWriter<io::Stderr>,
}

fn t_ms(t: u64) -> f64 {
    t as f64 / 1e6
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// A JSON string literal.
fn js(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn pairs_json(pairs: &[(String, String)]) -> String {
    serde_json::Value::from(
        pairs
            .iter()
            .map(|(k, v)| serde_json::Value::from(vec![k.clone(), v.clone()]))
            .collect::<Vec<_>>(),
    )
    .to_string()
}

impl<W: Write> Printer<W> {
    /// Prints one event.
    pub fn event(&mut self, ev: &SessionEvent) -> io::Result<()> {
        if self.quiet && matches!(ev, SessionEvent::Message { .. }) {
            return Ok(());
        }
        if self.json {
            self.json_event(ev)
        } else {
            self.human_event(ev)
        }
    }

    fn human_event(&mut self, ev: &SessionEvent) -> io::Result<()> {
        match ev {
            SessionEvent::Message {
                dir: Direction::In,
                kind,
                data,
                ..
            } => {
                match kind {
                    DataKind::Text => self.out.write_all(data)?,
                    DataKind::Binary => {
                        match crate::connect_proto::decode(&self.proto, Direction::In, data) {
                            Some(Ok(v)) => self.out.write_all(v.as_bytes())?,
                            Some(Err(e)) => {
                                self.note(&format!("cannot decode binary message: {e}"))?;
                                write_hex(&mut self.out, data)?
                            }
                            None => write_hex(&mut self.out, data)?,
                        }
                    }
                }
                self.out.write_all(b"\n")
            }
            SessionEvent::Frame { record, .. } => self.note(&frame_line(record)),
            _ if !self.verbose => Ok(()),
            SessionEvent::Open { report, .. } => {
                let mut note = format!("connected to {} ({}", report.url, report.status);
                if let Some(p) = &report.protocol {
                    note.push_str(&format!(", protocol {p}"));
                }
                if let Some(x) = &report.extensions {
                    note.push_str(&format!(", extensions {x}"));
                }
                note.push_str(&format!(", {} ms)", report.elapsed.as_millis()));
                self.note(&note)
            }
            SessionEvent::Close {
                dir,
                code,
                reason,
                by,
                ..
            } => self.note(&format!(
                "close {} {code} {}{}{} (by {})",
                if *dir == Direction::In {
                    "received"
                } else {
                    "sent"
                },
                close_code_name(*code),
                if reason.is_empty() { "" } else { ": " },
                reason,
                by.as_str()
            )),
            SessionEvent::Ping { dir, data, .. } => {
                self.note(&format!("ping {} ({} bytes)", dir.as_str(), data.len()))
            }
            SessionEvent::Pong { dir, data, .. } => {
                self.note(&format!("pong {} ({} bytes)", dir.as_str(), data.len()))
            }
            SessionEvent::Reconnecting { attempt, delay, .. } => self.note(&format!(
                "reconnecting (attempt {attempt}) in {} ms",
                delay.as_millis()
            )),
            SessionEvent::Queued { queued, .. } => self.note(&format!(
                "{queued} message(s) queued until the connection opens"
            )),
            _ => Ok(()),
        }
    }

    fn note(&mut self, s: &str) -> io::Result<()> {
        writeln!(self.notes, "sockpit: {s}")
    }

    /// Writes out everything buffered, stdout first.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.notes.flush()
    }

    fn json_event(&mut self, ev: &SessionEvent) -> io::Result<()> {
        let o = &mut self.out;
        match ev {
            SessionEvent::Connecting { t, attempt } => writeln!(
                o,
                r#"{{"event":"connecting","t_ms":{:.3},"attempt":{attempt}}}"#,
                t_ms(*t)
            ),
            SessionEvent::Open { t, report } => open_line(o, *t, report, ""),
            SessionEvent::Message { t, dir, kind, data } => {
                write!(
                    o,
                    r#"{{"event":"message","dir":"{}","kind":"{}","t_ms":{:.3},"size":{},"#,
                    dir.as_str(),
                    kind.as_str(),
                    t_ms(*t),
                    data.len()
                )?;
                match kind {
                    DataKind::Text => {
                        o.write_all(br#""data":"#)?;
                        let s = std::str::from_utf8(data).unwrap_or_default();
                        serde_json::to_writer(&mut *o, s)?;
                    }
                    DataKind::Binary => {
                        write!(o, r#""data_b64":"{}""#, b64(data))?;
                        let decoded = crate::connect_proto::json_fields(&self.proto, *dir, data);
                        o.write_all(decoded.as_bytes())?;
                    }
                }
                o.write_all(b"}\n")
            }
            SessionEvent::Ping { t, dir, data } | SessionEvent::Pong { t, dir, data } => {
                let name = if matches!(ev, SessionEvent::Ping { .. }) {
                    "ping"
                } else {
                    "pong"
                };
                writeln!(
                    o,
                    r#"{{"event":"{name}","dir":"{}","t_ms":{:.3},"size":{},"data_b64":"{}"}}"#,
                    dir.as_str(),
                    t_ms(*t),
                    data.len(),
                    b64(data)
                )
            }
            SessionEvent::Close {
                t,
                dir,
                code,
                reason,
                by,
            } => writeln!(
                o,
                r#"{{"event":"close","dir":"{}","t_ms":{:.3},"code":{code},"name":"{}","reason":{},"by":"{}"}}"#,
                dir.as_str(),
                t_ms(*t),
                close_code_name(*code),
                js(reason),
                by.as_str()
            ),
            SessionEvent::Reconnecting { t, attempt, delay } => writeln!(
                o,
                r#"{{"event":"reconnect","t_ms":{:.3},"attempt":{attempt},"delay_ms":{}}}"#,
                t_ms(*t),
                delay.as_millis()
            ),
            SessionEvent::Queued { t, queued } => writeln!(
                o,
                r#"{{"event":"queued","t_ms":{:.3},"queued":{queued}}}"#,
                t_ms(*t)
            ),
            SessionEvent::Frame { t, record: r } => writeln!(
                o,
                r#"{{"event":"frame","dir":"{}","t_ms":{:.3},"fin":{},"rsv1":{},"rsv2":{},"rsv3":{},"opcode":"{}","masked":{},"mask":{},"len":{}}}"#,
                r.dir.as_str(),
                t_ms(*t),
                r.fin,
                r.rsv1,
                r.rsv2,
                r.rsv3,
                r.opcode.as_str(),
                r.mask.is_some(),
                r.mask
                    .map(|m| format!("\"{}\"", hex::encode(m)))
                    .unwrap_or_else(|| "null".into()),
                r.len
            ),
            SessionEvent::Error { t, error } => self.json_error(Some(*t), error),
            SessionEvent::Ended { .. } => Ok(()),
        }
    }

    /// An `sp.log` line: a `script` event with --json, a `script:` line on stderr otherwise.
    pub fn script_log(&mut self, hook: Hook, text: &str) -> io::Result<()> {
        if self.json {
            writeln!(
                self.out,
                r#"{{"event":"script","hook":"{hook}","text":{}}}"#,
                js(text)
            )
        } else {
            writeln!(self.notes, "script: {text}")
        }
    }

    /// One `test()` result: a `test` event with --json, a pass/fail line on stderr otherwise.
    pub fn script_test(&mut self, t: &ScriptTest) -> io::Result<()> {
        if self.json {
            writeln!(
                self.out,
                r#"{{"event":"test","hook":"{}","name":{},"passed":{},"message":{},"line":{}}}"#,
                t.hook,
                js(&t.name),
                t.passed,
                js(&t.message),
                t.line
            )
        } else if t.passed {
            writeln!(self.notes, "test passed: {}", t.name)
        } else {
            let at = if t.line > 0 {
                format!(" (line {})", t.line)
            } else {
                String::new()
            };
            writeln!(self.notes, "test FAILED: {}: {}{at}", t.name, t.message)
        }
    }

    /// An uncaught script error: an `error` event with --json, a line and its stack on stderr.
    pub fn script_error(&mut self, e: &ScriptError) -> io::Result<()> {
        if self.json {
            self.json_error_raw(None, e.code(), &e.to_string(), String::new())
        } else {
            writeln!(self.notes, "sockpit: script error: {e}")?;
            for frame in e.stack().lines().filter(|l| !l.trim().is_empty()) {
                writeln!(self.notes, "  {}", frame.trim())?;
            }
            Ok(())
        }
    }

    /// The tally at the end of a scripted session.
    pub fn script_summary(&mut self, tests: usize, failed: usize, errors: usize) -> io::Result<()> {
        if self.json {
            writeln!(
                self.out,
                r#"{{"event":"tests","total":{tests},"passed":{},"failed":{failed},"script_errors":{errors}}}"#,
                tests - failed
            )
        } else if tests > 0 || errors > 0 {
            writeln!(
                self.notes,
                "script tests: {} passed, {failed} failed; {errors} script error(s)",
                tests - failed
            )
        } else {
            Ok(())
        }
    }

    /// An `error` event (JSON) — the one-line stderr message is printed by the caller.
    pub fn json_error(&mut self, t: Option<u64>, error: &WsError) -> io::Result<()> {
        self.json_error_raw(t, error.code(), &error.to_string(), extra_fields(error))
    }

    pub fn json_error_raw(
        &mut self,
        t: Option<u64>,
        code: &str,
        message: &str,
        extra: String,
    ) -> io::Result<()> {
        let t = t
            .map(|t| format!(r#","t_ms":{:.3}"#, t_ms(t)))
            .unwrap_or_default();
        writeln!(
            self.out,
            r#"{{"event":"error"{t},"code":{},"message":{}{extra}}}"#,
            js(code),
            js(message)
        )
    }
}

fn frame_line(r: &FrameRecord) -> String {
    let mut flags = String::new();
    for (on, name) in [
        (r.fin, " FIN"),
        (r.rsv1, " RSV1"),
        (r.rsv2, " RSV2"),
        (r.rsv3, " RSV3"),
    ] {
        if on {
            flags.push_str(name);
        }
    }
    let mask = r
        .mask
        .map(|m| format!(" mask={}", hex::encode(m)))
        .unwrap_or_default();
    format!(
        "frame {} {}{flags}{mask} len={}",
        r.dir.as_str(),
        r.opcode.as_str(),
        r.len
    )
}

fn extra_fields(e: &WsError) -> String {
    match e {
        WsError::HandshakeRejected {
            status,
            headers,
            body,
            ..
        } => format!(
            r#","status":{status},"headers":{},"body":{}"#,
            pairs_json(headers),
            js(body)
        ),
        _ => String::new(),
    }
}

/// The JSON `open` line; `extra` is more fields (`,"sid":"..."`), or empty.
pub fn open_line<W: Write>(
    o: &mut W,
    t: u64,
    report: &UpgradeReport,
    extra: &str,
) -> io::Result<()> {
    writeln!(
        o,
        r#"{{"event":"open","t_ms":{:.3},"url":{},"status":{},"protocol":{},"extensions":{},"handshake_ms":{:.3},"request_line":{},"request_headers":{},"response_headers":{}{extra}}}"#,
        t_ms(t),
        js(&report.url),
        report.status,
        report
            .protocol
            .as_deref()
            .map(js)
            .unwrap_or_else(|| "null".into()),
        report
            .extensions
            .as_deref()
            .map(js)
            .unwrap_or_else(|| "null".into()),
        report.elapsed.as_secs_f64() * 1e3,
        js(&report.request_line),
        pairs_json(&report.request_headers),
        pairs_json(&report.response_headers),
    )
}

/// Writes `data` as lower-case hex (a binary message in the human output).
fn write_hex(out: &mut impl Write, data: &[u8]) -> io::Result<()> {
    let mut text = vec![0u8; data.len() * 2];
    faster_hex::hex_encode(data, &mut text)
        .map_err(|e| io::Error::other(format!("hex encoding: {e:?}")))?;
    out.write_all(&text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn binary_messages_print_as_lower_case_hex() {
        for len in [0usize, 1, 15, 16, 17, 33, 1000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let mut out = Vec::new();
            super::write_hex(&mut out, &data).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), hex::encode(&data), "{len}");
        }
    }
}
