//! The run's measurements: atomic counters per phase, HDR histograms (connect time, round trip)
//! behind a std mutex held only to record, and the progress and summary shapes built from them.
//!
//! Latencies are recorded in microseconds between 1 µs and 1 h at 3 significant digits (about
//! 190 KB per histogram; six of them per run, none per connection).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::Serialize;

const MAX_US: u64 = 3_600_000_000;

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_US, 3).expect("1 µs..1 h at 3 digits is a valid histogram")
}

/// Which part of the run an event fell in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Ramp = 0,
    Steady = 1,
    Spike = 2,
}

const PHASES: usize = 3;

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Ramp => "ramp",
            Phase::Steady => "steady",
            Phase::Spike => "spike",
        }
    }
}

#[derive(Default)]
struct Counters {
    opened: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    sent: AtomicU64,
    received: AtomicU64,
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
    matched: AtomicU64,
    timed_out: AtomicU64,
}

struct Hists {
    connect: [Histogram<u64>; PHASES],
    handshake: [Histogram<u64>; PHASES],
    rtt: [Histogram<u64>; PHASES],
    /// Since the last progress snapshot.
    window_rtt: Histogram<u64>,
}

/// Shared by every virtual user of one run.
pub struct Stats {
    start: Instant,
    ramp: Duration,
    /// When the spike phase starts, from `start`.
    spike_start: Option<Duration>,
    phases: [Counters; PHASES],
    active: AtomicI64,
    peak_active: AtomicI64,
    hists: Mutex<Hists>,
    failed_by: Mutex<BTreeMap<&'static str, u64>>,
    dropped_by: Mutex<BTreeMap<String, u64>>,
}

fn us(d: Duration) -> u64 {
    (d.as_micros() as u64).clamp(1, MAX_US)
}

impl Stats {
    pub fn new(start: Instant, ramp: Duration, spike_start: Option<Duration>) -> Stats {
        Stats {
            start,
            ramp,
            spike_start,
            phases: Default::default(),
            active: AtomicI64::new(0),
            peak_active: AtomicI64::new(0),
            hists: Mutex::new(Hists {
                connect: [histogram(), histogram(), histogram()],
                handshake: [histogram(), histogram(), histogram()],
                rtt: [histogram(), histogram(), histogram()],
                window_rtt: histogram(),
            }),
            failed_by: Mutex::new(BTreeMap::new()),
            dropped_by: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn phase(&self) -> Phase {
        let t = self.start.elapsed();
        if t < self.ramp {
            Phase::Ramp
        } else if self.spike_start.is_some_and(|s| t >= s) {
            Phase::Spike
        } else {
            Phase::Steady
        }
    }

    fn now(&self) -> &Counters {
        &self.phases[self.phase() as usize]
    }

    /// A connection opened after `connect` (from the user's start); `handshake` is the part
    /// from TCP connected to the 101, when the target has one (WebSocket).
    pub fn opened(&self, connect: Duration, handshake: Option<Duration>) {
        let phase = self.phase() as usize;
        self.phases[phase].opened.fetch_add(1, Relaxed);
        let active = self.active.fetch_add(1, Relaxed) + 1;
        self.peak_active.fetch_max(active, Relaxed);
        if let Ok(mut h) = self.hists.lock() {
            h.connect[phase].saturating_record(us(connect));
            if let Some(hs) = handshake {
                h.handshake[phase].saturating_record(us(hs));
            }
        }
    }

    pub fn closed(&self) {
        self.active.fetch_sub(1, Relaxed);
    }

    pub fn failed(&self, code: &'static str) {
        self.now().failed.fetch_add(1, Relaxed);
        if let Ok(mut m) = self.failed_by.lock() {
            *m.entry(code).or_default() += 1;
        }
    }

    /// The server closed (or the connection died: 1006) before the user was done.
    pub fn dropped(&self, code: u16) {
        self.dropped_as(code.to_string());
    }

    /// A drop without a close code: an SSE stream the server ended (`stream_closed`).
    pub fn dropped_as(&self, why: String) {
        self.now().dropped.fetch_add(1, Relaxed);
        if let Ok(mut m) = self.dropped_by.lock() {
            *m.entry(why).or_default() += 1;
        }
    }

    pub fn sent(&self, bytes: usize) {
        let c = self.now();
        c.sent.fetch_add(1, Relaxed);
        c.bytes_sent.fetch_add(bytes as u64, Relaxed);
    }

    pub fn received(&self, bytes: usize) {
        let c = self.now();
        c.received.fetch_add(1, Relaxed);
        c.bytes_received.fetch_add(bytes as u64, Relaxed);
    }

    /// An expect step matched; `rtt` from the last send before it, when there was one.
    pub fn matched(&self, rtt: Option<Duration>) {
        let phase = self.phase() as usize;
        self.phases[phase].matched.fetch_add(1, Relaxed);
        if let (Some(rtt), Ok(mut h)) = (rtt, self.hists.lock()) {
            h.rtt[phase].saturating_record(us(rtt));
            h.window_rtt.saturating_record(us(rtt));
        }
    }

    pub fn timed_out(&self) {
        self.now().timed_out.fetch_add(1, Relaxed);
    }

    pub fn active(&self) -> i64 {
        self.active.load(Relaxed)
    }

    fn totals(&self, phases: &[usize]) -> Totals {
        let sum = |f: fn(&Counters) -> &AtomicU64| -> u64 {
            phases
                .iter()
                .map(|p| f(&self.phases[*p]).load(Relaxed))
                .sum()
        };
        Totals {
            opened: sum(|c| &c.opened),
            failed: sum(|c| &c.failed),
            dropped: sum(|c| &c.dropped),
            sent: sum(|c| &c.sent),
            received: sum(|c| &c.received),
            bytes_sent: sum(|c| &c.bytes_sent),
            bytes_received: sum(|c| &c.bytes_received),
            matched: sum(|c| &c.matched),
            timed_out: sum(|c| &c.timed_out),
        }
    }

    /// A progress snapshot; `prev` is the one before (for per-second rates), `usage` the process.
    pub fn progress(
        &self,
        prev: Option<&Progress>,
        usage: Option<super::usage::Usage>,
    ) -> Progress {
        let t = self.totals(&[0, 1, 2]);
        let t_s = self.start.elapsed().as_secs_f64();
        let window = prev.map_or(t_s, |p| t_s - p.t_s).max(1e-9);
        let rate = |now: u64, before: u64| ((now.saturating_sub(before)) as f64 / window).round();
        let (rtt_p50, rtt_p99) = match self.hists.lock() {
            Ok(mut h) => {
                let r = if h.window_rtt.is_empty() {
                    (None, None)
                } else {
                    (
                        Some(ms(h.window_rtt.value_at_quantile(0.5))),
                        Some(ms(h.window_rtt.value_at_quantile(0.99))),
                    )
                };
                h.window_rtt.reset();
                r
            }
            Err(_) => (None, None),
        };
        Progress {
            t_s: round3(t_s),
            phase: self.phase().as_str(),
            active: self.active().max(0) as u64,
            opened: t.opened,
            failed: t.failed,
            dropped: t.dropped,
            sent: t.sent,
            received: t.received,
            sent_per_s: rate(t.sent, prev.map_or(0, |p| p.sent)),
            received_per_s: rate(t.received, prev.map_or(0, |p| p.received)),
            rtt_p50_ms: rtt_p50,
            rtt_p99_ms: rtt_p99,
            cpu_pct: usage.map(|u| u.cpu_pct),
            rss_mb: usage.map(|u| u.rss_mb),
        }
    }

    fn figures(&self, phases: &[usize], elapsed: f64, by_code: bool) -> Figures {
        let t = self.totals(phases);
        let (connect, handshake, rtt) = match self.hists.lock() {
            Ok(h) => {
                let mut c = histogram();
                let mut hs = histogram();
                let mut r = histogram();
                for p in phases {
                    let _ = c.add(&h.connect[*p]);
                    let _ = hs.add(&h.handshake[*p]);
                    let _ = r.add(&h.rtt[*p]);
                }
                (Latency::of(&c), Latency::of(&hs), Latency::of(&r))
            }
            Err(_) => Default::default(),
        };
        let per_s = |n: u64| {
            if elapsed > 0.0 {
                (n as f64 / elapsed).round()
            } else {
                0.0
            }
        };
        let failed_by_code = if by_code {
            self.failed_by
                .lock()
                .map(|m| m.iter().map(|(k, v)| (k.to_string(), *v)).collect())
                .unwrap_or_default()
        } else {
            BTreeMap::new()
        };
        let dropped_by_code = if by_code {
            self.dropped_by
                .lock()
                .map(|m| m.clone())
                .unwrap_or_default()
        } else {
            BTreeMap::new()
        };
        let attempts = t.opened + t.failed;
        Figures {
            elapsed_s: round3(elapsed),
            connections: Connections {
                opened: t.opened,
                failed: t.failed,
                failed_rate: if attempts == 0 {
                    0.0
                } else {
                    t.failed as f64 / attempts as f64
                },
                failed_by_code,
                dropped: t.dropped,
                dropped_by_code,
                peak_active: by_code.then(|| self.peak_active.load(Relaxed).max(0) as u64),
            },
            messages: Messages {
                sent: t.sent,
                received: t.received,
                bytes_sent: t.bytes_sent,
                bytes_received: t.bytes_received,
                sent_per_s: per_s(t.sent),
                received_per_s: per_s(t.received),
            },
            expects: Expects {
                matched: t.matched,
                timed_out: t.timed_out,
            },
            connect_ms: connect,
            handshake_ms: handshake,
            rtt_ms: rtt,
        }
    }

    /// The figures of the whole run and of each phase (the ramp and the spike only when there
    /// was one).
    pub fn summary(&self, end: Instant) -> Summary {
        let total = end.duration_since(self.start).as_secs_f64();
        let ramp = self.ramp.as_secs_f64().min(total);
        let spike_start = self
            .spike_start
            .map_or(total, |s| s.as_secs_f64().clamp(ramp, total));
        Summary {
            total: self.figures(&[0, 1, 2], total, true),
            phases: Phases {
                ramp: (self.ramp > Duration::ZERO).then(|| self.figures(&[0], ramp, false)),
                steady: self.figures(&[1], spike_start - ramp, false),
                spike: self
                    .spike_start
                    .map(|_| self.figures(&[2], total - spike_start, false)),
            },
        }
    }
}

struct Totals {
    opened: u64,
    failed: u64,
    dropped: u64,
    sent: u64,
    received: u64,
    bytes_sent: u64,
    bytes_received: u64,
    matched: u64,
    timed_out: u64,
}

fn ms(us: u64) -> f64 {
    round3(us as f64 / 1000.0)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Once a second while the run goes.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub t_s: f64,
    pub phase: &'static str,
    pub active: u64,
    pub opened: u64,
    pub failed: u64,
    pub dropped: u64,
    pub sent: u64,
    pub received: u64,
    pub sent_per_s: f64,
    pub received_per_s: f64,
    /// Round trips completed since the previous snapshot.
    pub rtt_p50_ms: Option<f64>,
    pub rtt_p99_ms: Option<f64>,
    /// This process: CPU in percent of one core over the last interval, resident memory.
    pub cpu_pct: Option<f64>,
    pub rss_mb: Option<f64>,
}

/// Percentiles in milliseconds (microsecond resolution); `None` without samples.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Latency {
    pub count: u64,
    pub min: Option<f64>,
    pub mean: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
}

impl Latency {
    fn of(h: &Histogram<u64>) -> Latency {
        if h.is_empty() {
            return Latency::default();
        }
        Latency {
            count: h.len(),
            min: Some(ms(h.min())),
            mean: Some(round3(h.mean() / 1000.0)),
            p50: Some(ms(h.value_at_quantile(0.5))),
            p90: Some(ms(h.value_at_quantile(0.9))),
            p99: Some(ms(h.value_at_quantile(0.99))),
            max: Some(ms(h.max())),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Connections {
    pub opened: u64,
    pub failed: u64,
    /// failed / (opened + failed)
    pub failed_rate: f64,
    /// Error code (`ws.connection_refused`, `ws.handshake_rejected`, ...) → count.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub failed_by_code: BTreeMap<String, u64>,
    /// Closed by the server, or lost (1006), before the user was done.
    pub dropped: u64,
    /// Close code → count; `stream_closed` for SSE streams the server ended.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub dropped_by_code: BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_active: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Messages {
    pub sent: u64,
    pub received: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub sent_per_s: f64,
    pub received_per_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Expects {
    pub matched: u64,
    pub timed_out: u64,
}

/// The figures of a run or of one phase.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub elapsed_s: f64,
    pub connections: Connections,
    pub messages: Messages,
    pub expects: Expects,
    /// From the user's start to the open: name resolution, TCP connect, TLS and the upgrade (for
    /// SSE: the request to the event-stream response); k6's `ws_connecting`.
    pub connect_ms: Latency,
    /// WebSocket only: from TCP connected to the 101 response (TLS and the HTTP upgrade).
    pub handshake_ms: Latency,
    pub rtt_ms: Latency,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phases {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ramp: Option<Figures>,
    pub steady: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spike: Option<Figures>,
}

/// The end of a run: the totals (flattened) and each phase.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub total: Figures,
    pub phases: Phases,
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A finished run: 2 opened (4 and 8 ms), 1 refused, 1 dropped with 1006, one 1.5 ms round trip.
    pub(crate) fn sample() -> Summary {
        let s = Stats::new(Instant::now(), Duration::ZERO, None);
        s.opened(Duration::from_millis(4), Some(Duration::from_millis(1)));
        s.opened(Duration::from_millis(8), None);
        s.failed("ws.connection_refused");
        s.matched(Some(Duration::from_micros(1500)));
        s.dropped(1006);
        s.summary(Instant::now())
    }

    #[test]
    fn counts_land_in_their_phase_and_percentiles_in_ms() {
        let s = Stats::new(Instant::now(), Duration::ZERO, None);
        s.opened(Duration::from_millis(4), Some(Duration::from_millis(1)));
        s.opened(Duration::from_millis(8), None);
        s.failed("ws.connection_refused");
        s.sent(5);
        s.received(7);
        s.matched(Some(Duration::from_micros(1500)));
        s.dropped(1006);
        let sum = s.summary(Instant::now());
        assert!(sum.phases.ramp.is_none());
        let t = &sum.total;
        assert_eq!((t.connections.opened, t.connections.failed), (2, 1));
        assert!((t.connections.failed_rate - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(t.connections.failed_by_code["ws.connection_refused"], 1);
        assert_eq!(t.connections.dropped_by_code["1006"], 1);
        assert_eq!(t.connections.peak_active, Some(2));
        assert_eq!((t.messages.bytes_sent, t.messages.bytes_received), (5, 7));
        assert_eq!(t.rtt_ms.p50, Some(1.5));
        assert_eq!(t.connect_ms.count, 2);
        assert!(t.connect_ms.max.unwrap() >= 7.99 && t.connect_ms.max.unwrap() <= 8.01);
        assert_eq!(sum.phases.steady.connections.opened, 2);
        let v = serde_json::to_value(&sum).unwrap();
        assert_eq!(v["connections"]["opened"], 2);
        assert_eq!(v["rtt_ms"]["p99"], 1.5);
    }

    #[test]
    fn progress_reports_the_last_window_only() {
        let s = Stats::new(Instant::now(), Duration::from_secs(60), None);
        s.matched(Some(Duration::from_millis(3)));
        let p1 = s.progress(None, None);
        assert_eq!(p1.phase, "ramp");
        let p50 = p1.rtt_p50_ms.unwrap();
        assert!(
            (3.0..3.01).contains(&p50),
            "3 ms at 3 significant digits: {p50}"
        );
        let p2 = s.progress(Some(&p1), None);
        assert_eq!(
            p2.rtt_p50_ms, None,
            "the window restarts after each snapshot"
        );
        assert_eq!(
            s.summary(Instant::now()).phases.ramp.unwrap().rtt_ms.count,
            1
        );
    }
}
