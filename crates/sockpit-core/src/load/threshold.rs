//! Thresholds in the k6 manner (`rtt_p99<200ms`, `connect_p50<50ms`, `failed_rate<1%`): parsed up
//! front with errors naming unknown metrics, then checked against a run's summary.

use super::error::LoadError;
use super::stats::{Latency, Summary};

/// Every metric a threshold may name.
pub const THRESHOLD_METRICS: &str = "connect_p50, connect_p90, connect_p99, connect_max, \
connect_mean, handshake_p50, handshake_p90, handshake_p99, handshake_max, handshake_mean, rtt_p50, rtt_p90, rtt_p99, rtt_max, rtt_mean, failed_rate, failed, opened, dropped, \
dropped_rate, expect_timeouts, expect_timeout_rate, sent, received, sent_per_s, received_per_s";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Op {
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Eq => (a - b).abs() < 1e-9,
        }
    }
}

/// What a metric measures, for units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Millis,
    Rate,
    Count,
}

/// One parsed threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub expr: String,
    metric: String,
    op: Op,
    /// In the metric's own unit: milliseconds, a fraction (0.01 for 1%), or a count.
    value: f64,
}

/// How a threshold came out.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ThresholdResult {
    pub threshold: String,
    pub passed: bool,
    /// The measured value as shown to people (`231.4ms`, `2.5%`), or `no samples`.
    pub measured: String,
}

fn kind(metric: &str) -> Option<Kind> {
    let lat = ["p50", "p90", "p99", "max", "mean"];
    if let Some(s) = metric
        .strip_prefix("connect_")
        .or_else(|| metric.strip_prefix("handshake_"))
        .or_else(|| metric.strip_prefix("rtt_"))
    {
        return lat.contains(&s).then_some(Kind::Millis);
    }
    match metric {
        "failed_rate" | "dropped_rate" | "expect_timeout_rate" => Some(Kind::Rate),
        "failed" | "opened" | "dropped" | "expect_timeouts" | "sent" | "received"
        | "sent_per_s" | "received_per_s" => Some(Kind::Count),
        _ => None,
    }
}

impl Threshold {
    pub fn parse(expr: &str) -> Result<Threshold, LoadError> {
        let bad = |why: &str| LoadError::BadThreshold {
            expr: expr.to_string(),
            why: why.to_string(),
        };
        let s: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
        let at = s
            .find(['<', '>', '='])
            .ok_or_else(|| bad("no comparison (<, <=, >, >=, ==)"))?;
        let metric = &s[..at];
        let rest = &s[at..];
        let (op, value) = [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("==", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ]
        .iter()
        .find_map(|(t, op)| rest.strip_prefix(t).map(|v| (*op, v)))
        .ok_or_else(|| bad("no comparison (<, <=, >, >=, ==)"))?;
        if metric.is_empty() {
            return Err(bad("no metric before the comparison"));
        }
        let k = kind(metric).ok_or_else(|| LoadError::UnknownMetric {
            expr: expr.to_string(),
            metric: metric.to_string(),
            known: THRESHOLD_METRICS,
        })?;
        let (num, unit) = match value.find(|c: char| c.is_ascii_alphabetic() || c == '%') {
            Some(i) => (&value[..i], &value[i..]),
            None => (value, ""),
        };
        let n: f64 = num
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite())
            .ok_or_else(|| bad(&format!("'{value}' is not a number")))?;
        let value = match (k, unit) {
            (Kind::Millis, "" | "ms") => n,
            (Kind::Millis, "s") => n * 1000.0,
            (Kind::Millis, "us" | "µs") => n / 1000.0,
            (Kind::Rate, "%") => n / 100.0,
            (Kind::Rate, "") => n,
            (Kind::Count, "" | "/s") => n,
            (_, u) => {
                return Err(bad(&format!(
                    "unit '{u}' does not fit {metric} (times take ms or s, rates % or a fraction, counts none)"
                )))
            }
        };
        Ok(Threshold {
            expr: expr.to_string(),
            metric: metric.to_string(),
            op,
            value,
        })
    }

    /// The measured value in the metric's unit, `None` without samples.
    fn measure(&self, s: &Summary) -> Option<f64> {
        let t = &s.total;
        let lat = |l: &Latency, which: &str| match which {
            "p50" => l.p50,
            "p90" => l.p90,
            "p99" => l.p99,
            "max" => l.max,
            _ => l.mean,
        };
        let frac = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
        if let Some(w) = self.metric.strip_prefix("connect_") {
            return lat(&t.connect_ms, w);
        }
        if let Some(w) = self.metric.strip_prefix("handshake_") {
            return lat(&t.handshake_ms, w);
        }
        if let Some(w) = self.metric.strip_prefix("rtt_") {
            return lat(&t.rtt_ms, w);
        }
        let c = &t.connections;
        let expects = t.expects.matched + t.expects.timed_out;
        match self.metric.as_str() {
            "failed_rate" => frac(c.failed, c.opened + c.failed),
            "dropped_rate" => frac(c.dropped, c.opened),
            "expect_timeout_rate" => frac(t.expects.timed_out, expects),
            "failed" => Some(c.failed as f64),
            "opened" => Some(c.opened as f64),
            "dropped" => Some(c.dropped as f64),
            "expect_timeouts" => Some(t.expects.timed_out as f64),
            "sent" => Some(t.messages.sent as f64),
            "received" => Some(t.messages.received as f64),
            "sent_per_s" => Some(t.messages.sent_per_s),
            "received_per_s" => Some(t.messages.received_per_s),
            _ => None,
        }
    }

    pub fn check(&self, s: &Summary) -> ThresholdResult {
        let Some(v) = self.measure(s) else {
            return ThresholdResult {
                threshold: self.expr.clone(),
                passed: false,
                measured: "no samples".into(),
            };
        };
        let measured = match kind(&self.metric) {
            Some(Kind::Millis) => format!("{v}ms"),
            Some(Kind::Rate) => format!("{}%", (v * 10000.0).round() / 100.0),
            _ => format!("{v}"),
        };
        ThresholdResult {
            threshold: self.expr.clone(),
            passed: self.op.holds(v, self.value),
            measured,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_operators() {
        let t = Threshold::parse("rtt_p99 < 200ms").unwrap();
        assert_eq!(
            (t.metric.as_str(), t.op, t.value),
            ("rtt_p99", Op::Lt, 200.0)
        );
        assert_eq!(Threshold::parse("connect_p50<=0.05s").unwrap().value, 50.0);
        assert_eq!(Threshold::parse("failed_rate<1%").unwrap().value, 0.01);
        assert_eq!(Threshold::parse("failed_rate<0.02").unwrap().value, 0.02);
        assert_eq!(Threshold::parse("opened>=100").unwrap().op, Op::Ge);
        assert_eq!(Threshold::parse("failed==0").unwrap().op, Op::Eq);
    }

    #[test]
    fn checks_name_the_measured_value() {
        let s = crate::load::stats::tests::sample();
        let r = Threshold::parse("rtt_p99<1ms").unwrap().check(&s);
        assert!(!r.passed);
        assert_eq!(r.measured, "1.5ms");
        assert!(Threshold::parse("rtt_p99<2ms").unwrap().check(&s).passed);
        let r = Threshold::parse("failed_rate<1%").unwrap().check(&s);
        assert_eq!((r.passed, r.measured.as_str()), (false, "33.33%"));
        assert!(
            Threshold::parse("connect_max<=0.0081s")
                .unwrap()
                .check(&s)
                .passed
        );
        assert!(Threshold::parse("dropped==1").unwrap().check(&s).passed);
        let r = Threshold::parse("opened>2").unwrap().check(&s);
        assert_eq!((r.passed, r.measured.as_str()), (false, "2"));
    }

    #[test]
    fn bad_thresholds_say_what_is_wrong() {
        let e = Threshold::parse("latency_p99<200ms").unwrap_err();
        assert_eq!(e.code(), "load.unknown_metric");
        assert!(
            e.to_string().contains("unknown metric 'latency_p99'")
                && e.to_string().contains("rtt_p99"),
            "{e}"
        );
        assert!(Threshold::parse("rtt_p99 200")
            .unwrap_err()
            .to_string()
            .contains("no comparison"));
        assert!(Threshold::parse("rtt_p99<fast")
            .unwrap_err()
            .to_string()
            .contains("not a number"));
        assert!(Threshold::parse("rtt_p99<5%")
            .unwrap_err()
            .to_string()
            .contains("unit '%'"));
        assert!(Threshold::parse("<5")
            .unwrap_err()
            .to_string()
            .contains("no metric"));
        assert_eq!(
            Threshold::parse("rtt_p42<1").unwrap_err().code(),
            "load.unknown_metric"
        );
    }
}
