//! Load runs (`sockpit load`): many WebSocket sessions on the current multi-thread runtime, each
//! virtual user a task driving its own session through a scenario's steps, measured with counters
//! and HDR histograms (no per-session log), with a progress snapshot every second.
//!
//! A run is a ramp phase (users or arrivals reach their full number linearly over `ramp`) then a
//! steady phase (`duration`), then optionally a spike phase (`spike.hold`): `spike.users` extra
//! users arrive at once and hold their connection to the end. Users of a `--vus` run hold their
//! connection to the end; arrivals of a `--rate` run connect, run their loops and leave.
//!
//! Measured (`tests/bench/load_bench.sh`, release, 2 cores, 10,000 idle users against the mock on
//! loopback, all open): 16.8 KB of client RSS per connection without deflate, 36.0 KB with
//! permessage-deflate offered (the wire layer); 1000 users sending, expecting the echo and thinking
//! 100 ms ran 9,250 msgs/s each way at under half a core.

mod error;
pub mod report;
mod saved;
mod scenario;
mod sse_vu;
mod stats;
mod threshold;
mod usage;
mod vu;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

pub use error::LoadError;
pub use saved::{saved_target, SavedTarget};
pub use scenario::{
    parse_rate, Arrival, Expect, Scenario, SendTemplate, Spike, Step, Target, Think,
};
pub use stats::{Connections, Expects, Figures, Latency, Messages, Phases, Progress, Summary};
pub use threshold::{Threshold, ThresholdResult, THRESHOLD_METRICS};
pub use usage::{raise_nofile_limit, rss_bytes, FileLimit, Usage, UsageMeter};

use stats::Stats;
use vu::Vu;

/// How long after the end of the run users still get to close before they are abandoned.
const END_GRACE: Duration = Duration::from_secs(10);
/// An end far enough away for a run without a duration (each user stops after its loops).
const NO_END: Duration = Duration::from_secs(365 * 24 * 3600);

/// Runs `scenario` to its end, or until `stop` turns true. Progress snapshots go to `progress`
/// once a second (dropped, never waited for, when the receiver lags).
pub async fn run(
    scenario: Scenario,
    progress: Option<mpsc::Sender<Progress>>,
    stop: watch::Receiver<bool>,
) -> Result<Summary, LoadError> {
    scenario.check()?;
    let sc = Arc::new(scenario);
    let start = Instant::now();
    let stats = Arc::new(Stats::new(start.into_std(), sc.ramp, sc.spike_start()));
    let end = start + sc.length().unwrap_or(NO_END);

    let reporter = progress.map(|tx| {
        let stats = stats.clone();
        tokio::spawn(async move {
            let mut meter = UsageMeter::new();
            let mut every =
                tokio::time::interval_at(start + Duration::from_secs(1), Duration::from_secs(1));
            let mut prev: Option<Progress> = None;
            loop {
                every.tick().await;
                let p = stats.progress(prev.as_ref(), meter.sample());
                if tx.try_send(p.clone()).is_err() && tx.is_closed() {
                    return;
                }
                prev = Some(p);
            }
        })
    });

    let mut users = JoinSet::new();
    let mut stop_rx = stop.clone();
    let spawn = |users: &mut JoinSet<()>, id: u64, spike: bool| {
        let vu = Vu {
            id,
            scenario: sc.clone(),
            stats: stats.clone(),
            end,
            stop: stop.clone(),
            spike,
        };
        users.spawn(vu.run());
    };
    // Users are numbered from 1 in the order they arrive, the spike's after those before it.
    let mut id = 0u64;
    let mut regular = 0u64;
    let mut spike_due = sc
        .spike
        .zip(sc.spike_start())
        .map(|(s, at)| (start + at, s.users));
    loop {
        let regular_at = arrival_time(&sc, regular)
            .map(|d| start + d)
            .filter(|at| *at < end);
        let (at, spike) = match (regular_at, spike_due) {
            (None, None) => break,
            (Some(r), Some((s, _))) if s <= r => (s, true),
            (None, Some((s, _))) => (s, true),
            (Some(r), _) => (r, false),
        };
        tokio::select! {
            _ = tokio::time::sleep_until(at) => {}
            _ = stopped(&mut stop_rx) => break,
        }
        if spike {
            let n = spike_due.take().map_or(0, |(_, n)| n);
            for _ in 0..n {
                id += 1;
                spawn(&mut users, id, true);
            }
        } else {
            regular += 1;
            id += 1;
            spawn(&mut users, id, false);
        }
        // Reap finished users so the set stays as small as the live ones.
        while users.try_join_next().is_some() {}
    }
    let all_done = async { while users.join_next().await.is_some() {} };
    let bound = end.checked_add(sc.expect_timeout + END_GRACE);
    match bound {
        Some(b) => {
            if tokio::time::timeout_at(b, all_done).await.is_err() {
                tracing::warn!("load: users still running after the end of the run; abandoned");
                users.abort_all();
            }
        }
        None => all_done.await,
    }
    if let Some(r) = reporter {
        r.abort();
    }
    Ok(stats.summary(std::time::Instant::now()))
}

/// When user `i` (from 0) starts, from the start of the run; `None` when there is none.
fn arrival_time(sc: &Scenario, i: u64) -> Option<Duration> {
    match sc.arrival {
        Arrival::Vus(n) => (i < n).then(|| sc.ramp.mul_f64(i as f64 / n as f64)),
        Arrival::Rate(rate) => {
            let ramp = sc.ramp.as_secs_f64();
            // Arrivals grow linearly from 0 to `rate` over the ramp: A(t) = rate t² / 2 ramp.
            let in_ramp = rate * ramp / 2.0;
            let t = if (i as f64) < in_ramp {
                (2.0 * ramp * i as f64 / rate).sqrt()
            } else {
                ramp + (i as f64 - in_ramp) / rate
            };
            Duration::try_from_secs_f64(t).ok()
        }
    }
}

/// Resolves once `stop` turns true; never if its sender is dropped first.
pub(super) async fn stopped(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow_and_update() {
            return;
        }
        if stop.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::ConnectConfig;

    #[test]
    fn arrivals_spread_over_the_ramp_then_keep_the_rate() {
        let mut s = Scenario::new(ConnectConfig::new("ws://x/"), Arrival::Vus(4));
        s.ramp = Duration::from_secs(2);
        let t: Vec<f64> = (0..5)
            .filter_map(|i| arrival_time(&s, i))
            .map(|d| d.as_secs_f64())
            .collect();
        assert_eq!(t, vec![0.0, 0.5, 1.0, 1.5]);
        s.arrival = Arrival::Rate(10.0);
        // 10 arrivals during a 2 s ramp to 10/s, then one every 100 ms.
        let at = |i| arrival_time(&s, i).unwrap().as_secs_f64();
        assert!((at(10) - 2.0).abs() < 1e-9);
        assert!((at(20) - 3.0).abs() < 1e-9);
        assert!(at(1) > 0.6 && at(1) < 0.65, "{}", at(1));
    }
}
