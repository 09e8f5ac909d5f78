//! `sockpit compare`: the same feed over WebSocket and SSE at once, aligned item by item.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::Args;
use sockpit_core::sse::{
    CompareConfig, CompareEvent, CompareHandle, CompareItem, CompareSummary, KeyRule, Side,
    SseConfig,
};
use sockpit_core::ws::{ConnectConfig, TlsOptions};

use crate::exit;

pub const COMPARE_AFTER_HELP: &str = "\
Runs both feeds at once on one clock and pairs their items by --key (a JSON pointer, looked up in
the WebSocket message / the SSE event seen as {\"id\",\"type\",\"data\"}, then in the JSON inside
data) or by order. Reports per item the arrival-time delta (SSE minus WebSocket), items missing on
either side and payload mismatches, then p50/p95/max of the delta.
Example: sockpit compare --ws ws://127.0.0.1:PORT/feed?n=100 --sse http://127.0.0.1:PORT/sse?n=100 --key /id
Exit status: 0 both sides ran (whatever they sent), 1 a side failed, 2 usage error.";

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// ws:// or wss:// URL of the WebSocket feed.
    #[arg(long, value_name = "URL")]
    pub ws: String,
    /// http:// or https:// URL of the SSE feed.
    #[arg(long, value_name = "URL")]
    pub sse: String,
    /// JSON pointer that identifies an item (e.g. /id); without it items pair by order.
    #[arg(long, value_name = "POINTER")]
    pub key: Option<String>,
    /// Stop after SECS (default: when both feeds end).
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,
    /// Print JSON Lines (item, open, error, end, summary) on stdout and nothing else.
    #[arg(long)]
    pub json: bool,
    /// Request header for the WebSocket upgrade, 'Name: value' (repeatable).
    #[arg(long = "ws-header", value_name = "'NAME: VALUE'")]
    pub ws_headers: Vec<String>,
    /// Request header for the SSE request, 'Name: value' (repeatable).
    #[arg(long = "sse-header", value_name = "'NAME: VALUE'")]
    pub sse_headers: Vec<String>,
    /// Accept any TLS certificate on both sides (insecure).
    #[arg(short = 'k', long)]
    pub insecure: bool,
    /// Trust this PEM CA certificate on both sides (repeatable).
    #[arg(long, value_name = "FILE")]
    pub cacert: Vec<PathBuf>,
}

fn headers(list: &[String]) -> Result<Vec<(String, String)>, String> {
    list.iter()
        .map(|h| match h.split_once(':') {
            Some((n, v)) if !n.trim().is_empty() => Ok((n.trim().into(), v.trim().into())),
            _ => Err(format!("header '{h}': write it as 'Name: value'")),
        })
        .collect()
}

fn build(a: &CompareArgs) -> Result<CompareConfig, String> {
    let tls = TlsOptions {
        extra_ca_files: a.cacert.clone(),
        client_cert: None,
        skip_verify: a.insecure,
    };
    let mut ws = ConnectConfig::new(a.ws.clone());
    ws.headers = headers(&a.ws_headers)?;
    ws.tls = tls.clone();
    let mut sse = SseConfig::new(a.sse.clone());
    sockpit_core::sse::client::parse_url(&a.sse, &[]).map_err(|e| format!("--sse: {e}"))?;
    if !(a.ws.starts_with("ws://") || a.ws.starts_with("wss://")) {
        return Err(format!("--ws '{}': use a ws:// or wss:// URL", a.ws));
    }
    sse.headers = headers(&a.sse_headers)?;
    sse.tls = tls;
    let key = match &a.key {
        None => KeyRule::Order,
        Some(p) if p.is_empty() || p.starts_with('/') => KeyRule::Pointer(p.clone()),
        Some(p) => {
            return Err(format!(
                "--key '{p}' is not a JSON pointer: start it with '/', e.g. /id"
            ))
        }
    };
    let duration = a
        .duration
        .map(|d| crate::connect::secs_or("duration", d))
        .transpose()?;
    Ok(CompareConfig {
        ws,
        sse,
        key,
        duration,
    })
}

pub async fn run(a: CompareArgs) -> i32 {
    let cfg = match build(&a) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("sockpit: error: {msg}");
            return exit::USAGE;
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut handle = CompareHandle::spawn(cfg);
    let mut first_error: Option<String> = None;
    let mut failed = false;
    if !a.json {
        let _ = writeln!(
            out,
            "{:<16} {:>10} {:>10} {:>10}  status",
            "key", "ws ms", "sse ms", "delta ms"
        );
    }
    while let Some(batch) = handle.next_batch().await {
        for ev in &batch {
            if let CompareEvent::Error { side, message, .. } = ev {
                first_error.get_or_insert_with(|| format!("{}: {message}", side.as_str()));
            }
            if let CompareEvent::Ended { failed: true, .. } = ev {
                failed = true;
            }
            let r = if a.json {
                json_event(&mut out, ev)
            } else {
                human_event(&mut out, ev)
            };
            if r.is_err() {
                return exit::OK; // stdout is gone
            }
        }
        let _ = out.flush();
    }
    let _ = out.flush();
    if failed {
        let msg = first_error.unwrap_or_else(|| "a feed failed".into());
        eprintln!("sockpit: error: {msg}");
        return exit::FAILURE;
    }
    exit::OK
}

fn ms(t: Option<u64>) -> Option<f64> {
    t.map(|t| t as f64 / 1e6)
}

fn ms_signed(d: Option<i64>) -> Option<f64> {
    d.map(|d| d as f64 / 1e6)
}

fn fmt_opt(v: Option<f64>, signed: bool) -> String {
    match v {
        Some(v) if signed => format!("{v:+.3}"),
        Some(v) => format!("{v:.3}"),
        None => "-".into(),
    }
}

fn status(item: &CompareItem) -> &'static str {
    match (item.missing_on(), item.payload_match) {
        (Some(Side::Ws), _) => "missing on ws",
        (Some(Side::Sse), _) => "missing on sse",
        (None, Some(false)) => "payload mismatch",
        _ => "ok",
    }
}

fn human_event<W: Write>(o: &mut W, ev: &CompareEvent) -> io::Result<()> {
    match ev {
        CompareEvent::Item(item) => writeln!(
            o,
            "{:<16} {:>10} {:>10} {:>10}  {}",
            item.key,
            fmt_opt(ms(item.ws_t), false),
            fmt_opt(ms(item.sse_t), false),
            fmt_opt(ms_signed(item.delta), true),
            status(item)
        ),
        CompareEvent::Summary(s) => writeln!(o, "{}", summary_line(s)),
        _ => Ok(()),
    }
}

fn summary_line(s: &CompareSummary) -> String {
    format!(
        "summary: {} on ws, {} on sse, {} paired ({} payload mismatches), {} missing on ws, {} missing on sse; \
         delta sse-ws p50 {} ms, p95 {} ms, max {} ms",
        s.ws_items,
        s.sse_items,
        s.matched,
        s.mismatched,
        s.missing_on_ws,
        s.missing_on_sse,
        fmt_opt(ms_signed(s.delta_p50), true),
        fmt_opt(ms_signed(s.delta_p95), true),
        fmt_opt(ms_signed(s.delta_max), true),
    )
}

fn json_event<W: Write>(o: &mut W, ev: &CompareEvent) -> io::Result<()> {
    use serde_json::json;
    let (kind, v) = match ev {
        CompareEvent::Open { side, t } => {
            ("open", json!({"side": side.as_str(), "t_ms": ms(Some(*t))}))
        }
        CompareEvent::Error {
            side,
            t,
            code,
            message,
        } => (
            "error",
            json!({"side": side.as_str(), "t_ms": ms(Some(*t)), "code": code, "message": message}),
        ),
        CompareEvent::Ended { side, t, failed } => (
            "end",
            json!({"side": side.as_str(), "t_ms": ms(Some(*t)), "failed": failed}),
        ),
        CompareEvent::Item(item) => {
            let mut v = json!({
                "key": item.key,
                "ws_t_ms": ms(item.ws_t),
                "sse_t_ms": ms(item.sse_t),
                "delta_ms": ms_signed(item.delta),
                "match": item.payload_match,
                "missing": item.missing_on().map(Side::as_str),
            });
            if item.payload_match != Some(true) {
                v["ws_data"] = json!(item.ws_payload);
                v["sse_data"] = json!(item.sse_payload);
            }
            ("item", v)
        }
        CompareEvent::Summary(s) => (
            "summary",
            json!({
                "ws_items": s.ws_items,
                "sse_items": s.sse_items,
                "matched": s.matched,
                "mismatched": s.mismatched,
                "missing_on_ws": s.missing_on_ws,
                "missing_on_sse": s.missing_on_sse,
                "delta_ms": {
                    "p50": ms_signed(s.delta_p50),
                    "p95": ms_signed(s.delta_p95),
                    "max": ms_signed(s.delta_max),
                    "min": ms_signed(s.delta_min),
                },
            }),
        ),
    };
    // `"event"` first, as in every other JSON Lines output (serde_json sorts the other keys).
    let rest = v.to_string();
    match rest.strip_prefix('{').filter(|r| *r != "}") {
        Some(r) => writeln!(o, r#"{{"event":"{kind}",{r}"#),
        None => writeln!(o, r#"{{"event":"{kind}"}}"#),
    }
}
