//! `sockpit load`: flags into a `load::Scenario`, one `load::run`, progress and the summary out
//! (text or JSON Lines), thresholds into the exit status.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use sockpit_core::load::{
    self, Arrival, Expect, LoadError, Scenario, SendTemplate, Spike, Step, Target, Think, Threshold,
};
use sockpit_core::sse::SseConfig;
use tokio::sync::{mpsc, watch};

use crate::args::ConnectionArgs;
use crate::connect::{connection_config, connection_config_unchecked, secs, Usage};
use crate::exit;

pub const LOAD_AFTER_HELP: &str = "\
Each user connects, then runs its iteration: every --send (with {{$vu}}, {{$iteration}},
{{$uuid}}) followed by --expect when given, then --think. With --vus, users start evenly over
--ramp and hold their connection to the end of --duration; with --rate, users arrive at N per
second (reached over --ramp) for --duration, run --loops iterations (default 1) and leave.
--collection C --request R (instead of URL) connects with a saved request as `sockpit run` does:
its URL rendered with --env/--var, headers, auth, TLS, proxy, subprotocols (connection flags
such as -H are refused then); without --send its saved messages are the sends, each followed by
--expect. Saved messages render once for the run ({{$vu}} is for --send).
An http:// or https:// URL (or an SSE request) makes each user an SSE client: it counts events
(messages.received), --expect matches event data, --send is refused, and a stream the server
ends counts as dropped (stream_closed); without --duration or steps a user reads its stream to
the end. Connect time is the HTTP request to the event-stream response.
--spike N adds a spike phase after --duration: N more users connect at once, run the same
steps and hold for --spike-hold seconds (default 10) while the others go on; the summary and
--json give each phase's figures (phases.ramp, phases.steady, phases.spike).
Latencies: connect_ms runs from a user's start to the open (name resolution, TCP, TLS, upgrade;
k6's ws_connecting); handshake_ms from TCP connected to the 101 (TLS and the upgrade; WebSocket
only); rtt_ms from a send to the message its --expect matched.
Thresholds: METRIC<VALUE, e.g. rtt_p99<200ms, connect_p50<50ms, handshake_p99<20ms,
failed_rate<1%.
Output: a progress line on a TTY (stderr) and a summary; with --json, {\"event\":\"progress\"}
lines every second and a final {\"event\":\"summary\"} line on stdout.
Exit status: 0 done and every threshold held, 1 a threshold failed or no connection opened,
2 usage error.";

/// An SSE target from an `http(s)://` URL with the connection flags that apply to one (headers,
/// TLS, proxy, HTTP auth; --handshake-timeout bounds the connect).
fn sse_config(url: &str, conn: &crate::args::ConnectionArgs) -> Result<SseConfig, Usage> {
    sockpit_core::sse::client::parse_url(url, &[]).map_err(|e| Usage(e.to_string()))?;
    let ws = connection_config_unchecked(url, conn)?;
    if let Some(auth) = &ws.auth {
        auth.check_http_only().map_err(|e| Usage(e.to_string()))?;
    }
    let mut cfg = SseConfig::new(url);
    cfg.headers = ws.headers;
    cfg.tls = ws.tls;
    cfg.proxy = ws.proxy;
    cfg.auth = ws.auth;
    cfg.connect_timeout = ws.handshake_timeout;
    Ok(cfg)
}

/// Open files kept for the process itself besides the users' sockets.
const SPARE_FILES: u64 = 64;

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// ws:// or wss:// URL, or http(s):// for an SSE feed (or --collection C --request R).
    #[arg(required_unless_present = "collection", conflicts_with = "collection")]
    pub url: Option<String>,
    /// Load a saved request instead of a URL: a collection in the store (by name) or a
    /// collection file; with --request.
    #[arg(long, value_name = "C", requires = "request")]
    pub collection: Option<String>,
    /// The saved request (its name, or `Folder / Name`) whose URL, headers, auth, TLS, proxy and
    /// subprotocols the users connect with; its saved messages are the sends unless --send.
    #[arg(long, value_name = "R", requires = "collection")]
    pub request: Option<String>,
    /// With --collection: the environment whose variables render the request.
    #[arg(
        short = 'e',
        long = "env",
        value_name = "NAME",
        requires = "collection"
    )]
    pub env: Option<String>,
    /// With --collection: set a variable above every other source, NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "collection")]
    pub vars: Vec<String>,
    /// Virtual users, each holding one connection.
    #[arg(long, value_name = "N", conflicts_with = "rate")]
    pub vus: Option<u64>,
    /// Arrival rate: new users per second (N or N/s); needs --duration.
    #[arg(long, value_name = "N/s")]
    pub rate: Option<String>,
    /// Seconds to reach the full user count or rate (the ramp phase), before --duration.
    #[arg(long, value_name = "SECS", default_value_t = 0.0)]
    pub ramp: f64,
    /// Seconds of the steady phase. Without it a --vus run ends when each user did its loops.
    #[arg(long, value_name = "SECS")]
    pub duration: Option<f64>,
    /// A spike phase after --duration: N extra users connect at once, run the same steps and
    /// hold their connection for --spike-hold, alongside the steady phase's users.
    #[arg(long, value_name = "N")]
    pub spike: Option<u64>,
    /// Seconds the spike phase lasts (the end of the run).
    #[arg(long, value_name = "SECS", default_value_t = 10.0, requires = "spike")]
    pub spike_hold: f64,
    /// Text each user sends per iteration (repeatable, in order); {{$vu}}, {{$iteration}},
    /// {{$uuid}}, {{$timestamp}} are filled in.
    #[arg(long = "send", value_name = "TEXT")]
    pub send: Vec<String>,
    /// Pause at the end of each iteration: MS or MIN-MAX (random in the range).
    #[arg(long, value_name = "MS[-MS]")]
    pub think: Option<String>,
    /// After each send, wait for a message matching contains:TEXT, equals:TEXT, matches:REGEX or
    /// json:/pointer=VALUE (a round trip); a miss counts a timeout.
    #[arg(long, value_name = "ASSERTION")]
    pub expect: Option<String>,
    /// How long each --expect waits.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub timeout_expect: u64,
    /// Iterations per user (default: until the end with --vus and --duration, else 1).
    #[arg(long, value_name = "N")]
    pub loops: Option<u64>,
    /// The close code users end with.
    #[arg(long, value_name = "CODE", default_value_t = 1000)]
    pub close_code: u16,
    /// Offer a subprotocol (repeatable).
    #[arg(short = 'p', long = "protocol", value_name = "PROTOCOL")]
    pub protocols: Vec<String>,
    /// Fail the run (exit 1) unless METRIC<VALUE holds, e.g. rtt_p99<200ms (repeatable).
    #[arg(long = "threshold", value_name = "EXPR")]
    pub thresholds: Vec<String>,
    /// JSON Lines on stdout: progress every second, then the summary.
    #[arg(long)]
    pub json: bool,
    /// Write a JUnit XML report (one testcase per threshold) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    #[command(flatten)]
    pub conn: ConnectionArgs,
}

fn usage(e: LoadError) -> Usage {
    Usage(e.to_string())
}

/// The scenario and thresholds `a` asks for, or what is wrong with it.
fn scenario(a: &LoadArgs, data_dir: Option<&Path>) -> Result<(Scenario, Vec<Threshold>), Usage> {
    if a.conn.reconnect || a.conn.max_retries.is_some() {
        return Err(Usage(
            "--reconnect does not apply to sockpit load: a lost connection counts as dropped"
                .into(),
        ));
    }
    let arrival = match (&a.vus, &a.rate) {
        (Some(n), _) => Arrival::Vus(*n),
        (None, Some(r)) => Arrival::Rate(load::parse_rate(r).map_err(usage)?),
        (None, None) => {
            return Err(Usage(
                "give --vus N (users holding a connection) or --rate N/s (arrivals per second)"
                    .into(),
            ))
        }
    };
    let (cfg, saved_messages) = match &a.url {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            (Target::Sse(sse_config(url, &a.conn)?), Vec::new())
        }
        Some(url) => {
            let mut cfg = connection_config(url, &a.conn).map_err(|Usage(m)| {
                if m.contains("unsupported scheme") {
                    Usage(format!("{m} (or http:// or https:// for an SSE feed)"))
                } else {
                    Usage(m)
                }
            })?;
            cfg.subprotocols = a.protocols.clone();
            (Target::Ws(cfg), Vec::new())
        }
        None => {
            let t = crate::load_saved::target(a, data_dir)?;
            (t.target, t.messages)
        }
    };
    let mut sc = Scenario::new(cfg, arrival);
    sc.ramp = secs("ramp", a.ramp)?;
    sc.duration = a.duration.map(|d| secs("duration", d)).transpose()?;
    sc.loops = a.loops;
    if let Some(users) = a.spike {
        sc.spike = Some(Spike {
            users,
            hold: secs("spike-hold", a.spike_hold)?,
        });
    }
    sc.close_code = a.close_code;
    sc.expect_timeout = Duration::from_millis(a.timeout_expect);
    let expect = a
        .expect
        .as_deref()
        .map(Expect::parse)
        .transpose()
        .map_err(usage)?;
    for s in &a.send {
        sc.steps
            .push(Step::Send(SendTemplate::parse(s).map_err(usage)?));
        if let Some(e) = &expect {
            sc.steps.push(Step::Expect(e.clone()));
        }
    }
    // Without --send, a saved request's messages are the sends.
    if a.send.is_empty() {
        for m in saved_messages {
            sc.steps.push(Step::SendMessage(m));
            if let Some(e) = &expect {
                sc.steps.push(Step::Expect(e.clone()));
            }
        }
    }
    if let (true, Some(e)) = (sc.steps.is_empty(), &expect) {
        sc.steps.push(Step::Expect(e.clone()));
    }
    if let Some(t) = &a.think {
        sc.steps.push(Step::Think(Think::parse(t).map_err(usage)?));
    }
    sc.check().map_err(usage)?;
    let thresholds = a
        .thresholds
        .iter()
        .map(|t| Threshold::parse(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    Ok((sc, thresholds))
}

/// Raises the open-files limit and warns when it still caps the users.
fn check_files(sc: &Scenario) {
    let Some(limit) = load::raise_nofile_limit() else {
        return;
    };
    if let Arrival::Vus(n) = sc.arrival {
        let n = n.saturating_add(sc.spike.map_or(0, |s| s.users));
        let room = limit.soft.saturating_sub(SPARE_FILES);
        if n > room {
            eprintln!(
                "sockpit: warning: the open-files limit is {} (hard limit {}), so at most about {room} \
                 of the {n} users can connect; raise the hard limit (ulimit -Hn, limits.conf) to run them all",
                limit.soft, limit.hard
            );
        }
    }
}

fn progress_line(p: &load::Progress) -> String {
    let rtt = match (p.rtt_p50_ms, p.rtt_p99_ms) {
        (Some(a), Some(b)) => format!("  rtt p50 {a} ms p99 {b} ms"),
        _ => String::new(),
    };
    let cpu = p.cpu_pct.map(|c| format!("  cpu {c}%")).unwrap_or_default();
    format!(
        "{:>6.1}s {:<6} open {} (opened {}, failed {}, dropped {})  out {}/s  in {}/s{rtt}{cpu}",
        p.t_s, p.phase, p.active, p.opened, p.failed, p.dropped, p.sent_per_s, p.received_per_s
    )
}

pub async fn run(a: LoadArgs, data_dir: Option<&Path>) -> i32 {
    let (sc, thresholds) = match scenario(&a, data_dir) {
        Ok(v) => v,
        Err(Usage(msg)) => {
            eprintln!("sockpit: error: {msg}");
            return exit::USAGE;
        }
    };
    check_files(&sc);
    let (stop_tx, stop_rx) = watch::channel(false);
    // Ctrl-C or SIGTERM ends the run early (every user closes, the summary is printed).
    let mut signals = crate::interrupt::Interrupts::listen();
    tokio::spawn(async move {
        signals.first().await;
        let _ = stop_tx.send(true);
    });
    let (tx, mut rx) = mpsc::channel::<load::Progress>(16);
    let json = a.json;
    let tty = !json && std::io::stderr().is_terminal();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let printer = tokio::spawn(async move {
        let mut busy = false;
        while let Some(p) = rx.recv().await {
            busy |= p.cpu_pct.is_some_and(|c: f64| c >= 90.0 * cores);
            if json {
                let mut v = serde_json::json!({"event": "progress"});
                if let (Some(o), Ok(serde_json::Value::Object(p))) =
                    (v.as_object_mut(), serde_json::to_value(&p))
                {
                    o.extend(p);
                }
                println!("{v}");
            } else if tty {
                eprint!("\r\x1b[2K{}", progress_line(&p));
                let _ = std::io::stderr().flush();
            }
        }
        if tty {
            eprintln!();
        }
        busy
    });
    let summary = match load::run(sc, Some(tx), stop_rx).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sockpit: error: {e}");
            return exit::USAGE;
        }
    };
    let busy = printer.await.unwrap_or(false);
    if busy {
        eprintln!(
            "sockpit: warning: the client itself used over 90% of its {cores} cores at times: the \
             figures may show the client's limit, not the server's; run fewer users per machine"
        );
    }
    let results: Vec<_> = thresholds.iter().map(|t| t.check(&summary)).collect();
    if json {
        let mut v = serde_json::json!({"event": "summary"});
        if let (Some(o), Ok(serde_json::Value::Object(s))) =
            (v.as_object_mut(), serde_json::to_value(&summary))
        {
            o.extend(s);
            o.insert(
                "thresholds".into(),
                serde_json::to_value(&results).unwrap_or_default(),
            );
        }
        println!("{v}");
    } else {
        print!("{}", load::report::text(&summary, &results));
    }
    if let Some(path) = &a.junit {
        if let Err(e) = std::fs::write(path, load::report::junit(&summary, &results)) {
            eprintln!(
                "sockpit: error: cannot write the JUnit report to {}: {e}",
                path.display()
            );
            return exit::FAILURE;
        }
    }
    let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
    for r in &failed {
        eprintln!(
            "sockpit: error: threshold '{}' failed: measured {}",
            r.threshold, r.measured
        );
    }
    let c = &summary.total.connections;
    if c.opened == 0 && c.failed > 0 {
        let codes: Vec<String> = c
            .failed_by_code
            .iter()
            .map(|(k, v)| format!("{k} ×{v}"))
            .collect();
        eprintln!(
            "sockpit: error: no connection opened: {} failed ({})",
            c.failed,
            codes.join(", ")
        );
        return exit::FAILURE;
    }
    if failed.is_empty() {
        exit::OK
    } else {
        exit::FAILURE
    }
}
