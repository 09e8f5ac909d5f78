//! `sockpit sse`: one SSE subscription from arguments, printed as data lines or JSON Lines.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use clap::Args;
use sockpit_core::sse::{SseClientError, SseConfig, SseEndReason, SseHandle, SseSessionEvent};
use sockpit_core::ws::{ClientCert, ProxyConfig, ReconnectPolicy, TlsOptions};

use crate::exit;

pub const SSE_AFTER_HELP: &str = concat!(
    "\
Output: the data of each event, one event per line (multi-line data printed as is); with --json one
JSON event per line: sse, open, comment, reconnect, error (and connecting, closed, end).
Exit status: 0 clean finish (stream ended, 204, or -n reached), 1 connection/HTTP/stream error,
2 usage error, 3 timeout (--timeout, --connect-timeout or --read-timeout), 130/143 interrupted.",
    signals_help!()
);

#[derive(Debug, Args)]
pub struct SseArgs {
    /// http:// or https:// URL of the event stream.
    pub url: String,
    /// HTTP method (default GET, or POST when --data is given).
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,
    /// Request header 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,
    /// Extra query parameter NAME=VALUE (repeatable).
    #[arg(short = 'q', long = "query", value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// Request body (sent again on every reconnect); @FILE reads it from a file.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// Resume after this event ID (sent as Last-Event-ID from the first request on).
    #[arg(long, value_name = "ID")]
    pub last_event_id: Option<String>,
    /// End after N events.
    #[arg(short = 'n', long = "count", value_name = "N")]
    pub count: Option<u64>,
    /// Bound the whole run (exit status 3 when it runs out).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Print JSON Lines events on stdout and nothing else.
    #[arg(long)]
    pub json: bool,
    /// Print open, comment, reconnect and close notes on stderr.
    #[arg(short, long)]
    pub verbose: bool,
    /// Reconnect when the stream ends or breaks, as EventSource does (Last-Event-ID, retry).
    #[arg(long)]
    pub reconnect: bool,
    /// Reconnect attempts without a delivered event before giving up (implies --reconnect).
    #[arg(long, value_name = "N")]
    pub max_retries: Option<u32>,
    /// Reconnect delay until the server sends `retry`.
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    pub backoff_base: f64,
    /// Longest reconnect delay after repeated failures.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub backoff_max: f64,
    /// Bound on connect + TLS for each attempt.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub connect_timeout: f64,
    /// Bound on the wait for the response status and headers (connecting included).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub response_timeout: f64,
    /// Longest silence on the open stream before the connection counts as lost.
    #[arg(long, value_name = "SECS")]
    pub read_timeout: Option<f64>,
    /// Largest event accepted (bytes of a line plus pending data).
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_event_size: usize,
    /// Accept any TLS certificate (insecure).
    #[arg(short = 'k', long)]
    pub insecure: bool,
    /// Trust this PEM CA certificate besides the OS roots (repeatable).
    #[arg(long, value_name = "FILE")]
    pub cacert: Vec<PathBuf>,
    /// Client certificate chain (PEM) for mutual TLS; needs --key.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Private key (PEM) for --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Proxy URL: http://host:port (CONNECT), socks5://host:port or socks5h://host:port.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    #[command(flatten)]
    pub auth: crate::auth_args::AuthArgs,
}

fn secs(name: &str, v: f64) -> Result<Duration, String> {
    crate::connect::secs_or(name, v)
}

fn build_config(a: &SseArgs) -> Result<SseConfig, String> {
    let mut cfg = SseConfig::new(a.url.clone());
    sockpit_core::sse::client::parse_url(&a.url, &[]).map_err(|e| e.to_string())?;
    for h in &a.headers {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| format!("header '{h}' has no ':'; write it as 'Name: value'"))?;
        if name.trim().is_empty() {
            return Err(format!("header '{h}' has an empty name"));
        }
        cfg.headers
            .push((name.trim().to_string(), value.trim().to_string()));
    }
    for q in &a.query {
        let (k, v) = q
            .split_once('=')
            .ok_or_else(|| format!("query '{q}' has no '='; write it as NAME=VALUE"))?;
        cfg.query.push((k.to_string(), v.to_string()));
    }
    if let Some(d) = &a.data {
        let body = match d.strip_prefix('@') {
            Some(path) => std::fs::read(path)
                .map_err(|e| format!("--data @{path}: cannot read the file: {e}"))?,
            None => d.clone().into_bytes(),
        };
        cfg.body = Some(Bytes::from(body));
    }
    cfg.method = match (&a.method, &a.data) {
        (Some(m), _) => m.clone(),
        (None, Some(_)) => "POST".into(),
        (None, None) => "GET".into(),
    };
    cfg.last_event_id = a.last_event_id.clone();
    if let Some(auth) = a.auth.config()? {
        // Parts that need a WebSocket are a usage error naming the flag and why.
        auth.check_http_only().map_err(|e| format!("sse: {e}"))?;
        cfg.auth = Some(auth);
    }
    cfg.connect_timeout = secs("connect-timeout", a.connect_timeout)?;
    cfg.response_timeout = secs("response-timeout", a.response_timeout)?;
    cfg.read_timeout = a
        .read_timeout
        .map(|t| secs("read-timeout", t))
        .transpose()?;
    if a.max_event_size == 0 {
        return Err("--max-event-size must be above 0".into());
    }
    cfg.max_event_size = a.max_event_size;
    cfg.tls = TlsOptions {
        extra_ca_files: a.cacert.clone(),
        client_cert: match (&a.cert, &a.key) {
            (Some(c), Some(k)) => Some(ClientCert {
                cert_file: c.clone(),
                key_file: k.clone(),
            }),
            _ => None,
        },
        skip_verify: a.insecure,
    };
    if let Some(p) = &a.proxy {
        cfg.proxy = Some(ProxyConfig::parse(p)?);
    }
    if a.reconnect || a.max_retries.is_some() {
        cfg.reconnect = Some(ReconnectPolicy {
            base_delay: secs("backoff-base", a.backoff_base)?,
            max_delay: secs("backoff-max", a.backoff_max)?,
            max_retries: Some(a.max_retries.unwrap_or(10)),
        });
    }
    Ok(cfg)
}

pub async fn run(a: SseArgs) -> i32 {
    let prepared = build_config(&a).and_then(|cfg| {
        let timeout = a.timeout.map(|t| secs("timeout", t)).transpose()?;
        Ok((cfg, timeout))
    });
    let (cfg, timeout) = match prepared {
        Ok(v) => v,
        Err(msg) => {
            eprintln!("sockpit: error: {msg}");
            return exit::USAGE;
        }
    };
    let stdout = io::stdout();
    let mut out = Out {
        w: BufWriter::with_capacity(64 * 1024, stdout.lock()),
        json: a.json,
        verbose: a.verbose,
    };
    let handle = SseHandle::spawn(cfg);
    let (control, mut events) = handle.into_parts();
    let mut st = RunState {
        received: 0,
        count: a.count,
        closing: false,
        last_error: None,
        end: None,
    };
    let run = async {
        while let Some(batch) = events.recv().await {
            let mut done = handle_batch(&mut out, &mut st, &batch);
            while !done {
                match events.try_recv() {
                    Ok(more) => done = handle_batch(&mut out, &mut st, &more),
                    Err(_) => break,
                }
            }
            let _ = out.w.flush();
            if !st.closing && st.count.is_some_and(|n| st.received >= n) {
                st.closing = true;
                let _ = control.close().await;
            }
            if done {
                break;
            }
        }
    };
    // A signal drops the stream (an event stream has no goodbye).
    let goodbye = |_| async {
        let _ = control.close().await;
    };
    let ending = crate::interrupt::drive(timeout, run, goodbye).await;
    if let crate::interrupt::Ending::Interrupted(sig) = ending {
        return crate::interrupt::finish(sig, a.json, &mut out.w);
    }
    if matches!(ending, crate::interrupt::Ending::TimedOut) {
        let msg = crate::connect::timeout_message(timeout);
        if a.json {
            let _ = out.error_raw(None, "cli.timeout", &msg, String::new());
        }
        let _ = out.w.flush();
        eprintln!("sockpit: error: {msg}");
        return exit::TIMEOUT;
    }
    let _ = out.w.flush();
    match (st.end, st.last_error) {
        (Some(SseEndReason::Failed) | None, Some(e)) => {
            eprintln!("sockpit: error: {e}");
            match e.code() {
                _ if e.is_timeout() => exit::TIMEOUT,
                // The request could not even be formed: a usage problem.
                "sse.invalid_url" | "sse.unsupported_scheme" | "sse.invalid_request" => exit::USAGE,
                _ => exit::FAILURE,
            }
        }
        (Some(SseEndReason::Failed) | None, None) => {
            eprintln!("sockpit: error: the subscription ended without a reason");
            exit::FAILURE
        }
        _ => exit::OK,
    }
}

struct RunState {
    received: u64,
    count: Option<u64>,
    closing: bool,
    last_error: Option<SseClientError>,
    end: Option<SseEndReason>,
}

/// Prints a batch and tracks the outcome; `true` once the subscription has ended (or stdout is
/// gone).
fn handle_batch<W: Write>(out: &mut Out<W>, st: &mut RunState, batch: &[SseSessionEvent]) -> bool {
    for ev in batch {
        match ev {
            SseSessionEvent::Event { .. } => {
                if st.count.is_some_and(|n| st.received >= n) {
                    continue;
                }
                st.received += 1;
            }
            SseSessionEvent::Open { .. } => st.last_error = None,
            SseSessionEvent::Error { error, .. } => st.last_error = Some((**error).clone()),
            SseSessionEvent::Ended { reason, .. } => st.end = Some(*reason),
            _ => {}
        }
        if out.event(ev).is_err() {
            return true;
        }
        if matches!(ev, SseSessionEvent::Ended { .. }) {
            return true;
        }
    }
    false
}

/// Writes events to stdout (buffered) and notes to stderr.
struct Out<W: Write> {
    w: W,
    json: bool,
    verbose: bool,
}

fn t_ms(t: u64) -> f64 {
    t as f64 / 1e6
}

/// A JSON string literal.
fn js(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn opt_js(s: Option<&str>) -> String {
    s.map(js).unwrap_or_else(|| "null".into())
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

impl<W: Write> Out<W> {
    fn event(&mut self, ev: &SseSessionEvent) -> io::Result<()> {
        if self.json {
            self.json_event(ev)
        } else {
            self.human_event(ev)
        }
    }

    fn note(&mut self, s: &str) -> io::Result<()> {
        self.w.flush()?;
        eprintln!("sockpit: {s}");
        Ok(())
    }

    fn human_event(&mut self, ev: &SseSessionEvent) -> io::Result<()> {
        match ev {
            SseSessionEvent::Event { data, .. } => {
                self.w.write_all(data.as_bytes())?;
                self.w.write_all(b"\n")
            }
            _ if !self.verbose => Ok(()),
            SseSessionEvent::Connecting {
                url, last_event_id, ..
            } => {
                let resume = last_event_id
                    .as_deref()
                    .map(|id| format!(" (Last-Event-ID: {id})"))
                    .unwrap_or_default();
                self.note(&format!("connecting to {url}{resume}"))
            }
            SseSessionEvent::Open { info, .. } => self.note(&format!(
                "HTTP {} from {} ({} ms)",
                info.status,
                info.url,
                info.elapsed.as_millis()
            )),
            SseSessionEvent::Comment { text, .. } => self.note(&format!("comment:{text}")),
            SseSessionEvent::Closed { discarded, .. } => self.note(if *discarded {
                "stream closed mid-event (the unfinished event was discarded)"
            } else {
                "stream closed"
            }),
            SseSessionEvent::Reconnecting { attempt, delay, .. } => self.note(&format!(
                "reconnecting (attempt {attempt}) in {} ms",
                delay.as_millis()
            )),
            SseSessionEvent::Error { error, .. } => {
                self.note(&format!("{} ({})", error, error.code()))?;
                if let SseClientError::HttpStatus { headers, body, .. }
                | SseClientError::ContentType { headers, body, .. } = error.as_ref()
                {
                    for (k, v) in headers {
                        eprintln!("sockpit:   {k}: {v}");
                    }
                    if !body.is_empty() {
                        eprintln!("sockpit:   body: {body}");
                    }
                }
                Ok(())
            }
            SseSessionEvent::Ended { reason, .. } => {
                self.note(&format!("ended ({})", reason.as_str()))
            }
        }
    }

    fn json_event(&mut self, ev: &SseSessionEvent) -> io::Result<()> {
        let o = &mut self.w;
        match ev {
            SseSessionEvent::Event {
                t,
                event_type,
                id,
                data,
                retry,
            } => {
                o.write_all(br#"{"event":"sse","type":"#)?;
                serde_json::to_writer(&mut *o, event_type.as_str())?;
                o.write_all(br#","id":"#)?;
                if id.is_empty() {
                    o.write_all(b"null")?;
                } else {
                    serde_json::to_writer(&mut *o, id.as_str())?;
                }
                o.write_all(br#","data":"#)?;
                serde_json::to_writer(&mut *o, data.as_str())?;
                match retry {
                    Some(r) => write!(o, r#","retry":{r}"#)?,
                    None => o.write_all(br#","retry":null"#)?,
                }
                writeln!(o, r#","t_ms":{:.3}}}"#, t_ms(*t))
            }
            SseSessionEvent::Connecting {
                t,
                attempt,
                url,
                last_event_id,
            } => writeln!(
                o,
                r#"{{"event":"connecting","t_ms":{:.3},"attempt":{attempt},"url":{},"last_event_id":{}}}"#,
                t_ms(*t),
                js(url),
                opt_js(last_event_id.as_deref())
            ),
            SseSessionEvent::Open { t, info } => writeln!(
                o,
                r#"{{"event":"open","t_ms":{:.3},"url":{},"status":{},"elapsed_ms":{:.3},"headers":{}}}"#,
                t_ms(*t),
                js(&info.url),
                info.status,
                info.elapsed.as_secs_f64() * 1e3,
                pairs_json(&info.headers)
            ),
            SseSessionEvent::Comment { t, text } => writeln!(
                o,
                r#"{{"event":"comment","t_ms":{:.3},"text":{}}}"#,
                t_ms(*t),
                js(text)
            ),
            SseSessionEvent::Closed { t, discarded } => writeln!(
                o,
                r#"{{"event":"closed","t_ms":{:.3},"discarded":{discarded}}}"#,
                t_ms(*t)
            ),
            SseSessionEvent::Reconnecting { t, attempt, delay } => writeln!(
                o,
                r#"{{"event":"reconnect","t_ms":{:.3},"attempt":{attempt},"delay_ms":{}}}"#,
                t_ms(*t),
                delay.as_millis()
            ),
            SseSessionEvent::Error { t, error } => {
                let extra = match error.as_ref() {
                    SseClientError::HttpStatus {
                        status,
                        headers,
                        body,
                        ..
                    }
                    | SseClientError::ContentType {
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
                };
                self.error_raw(Some(*t), error.code(), &error.to_string(), extra)
            }
            SseSessionEvent::Ended { t, reason } => writeln!(
                o,
                r#"{{"event":"end","t_ms":{:.3},"reason":"{}"}}"#,
                t_ms(*t),
                reason.as_str()
            ),
        }
    }

    fn error_raw(
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
            self.w,
            r#"{{"event":"error"{t},"code":{},"message":{}{extra}}}"#,
            js(code),
            js(message)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sse_event(data: &str, id: &str, retry: Option<u64>) -> SseSessionEvent {
        SseSessionEvent::Event {
            t: 1_500_000,
            event_type: "tick".into(),
            id: id.into(),
            data: data.into(),
            retry,
        }
    }

    #[test]
    fn json_lines_follow_the_contract() {
        let mut out = Out {
            w: Vec::new(),
            json: true,
            verbose: false,
        };
        out.event(&sse_event("a\nb", "7", Some(500))).unwrap();
        out.event(&sse_event("x", "", None)).unwrap();
        let text = String::from_utf8(out.w).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines[0],
            serde_json::json!({"event":"sse","type":"tick","id":"7","data":"a\nb","retry":500,"t_ms":1.5})
        );
        assert_eq!(lines[1]["id"], serde_json::Value::Null);
        assert_eq!(lines[1]["retry"], serde_json::Value::Null);
    }

    #[test]
    fn human_output_is_the_data_per_line() {
        let mut out = Out {
            w: Vec::new(),
            json: false,
            verbose: false,
        };
        out.event(&sse_event("a\nb", "7", None)).unwrap();
        out.event(&SseSessionEvent::Comment {
            t: 0,
            text: " hi".into(),
        })
        .unwrap();
        out.event(&sse_event("c", "8", None)).unwrap();
        assert_eq!(out.w, b"a\nb\nc\n");
    }
}
