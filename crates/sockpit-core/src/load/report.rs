//! A load run's reports: the readable text summary and JUnit XML (one testcase per threshold).

use std::fmt::Write;

use super::stats::{Figures, Latency, Summary};
use super::threshold::ThresholdResult;
use crate::runner::report::xml_escape;

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v}"))
}

fn latency_line(name: &str, l: &Latency) -> String {
    if l.count == 0 {
        return format!("  {name:<10} no samples\n");
    }
    format!(
        "  {name:<10} p50 {} ms  p90 {} ms  p99 {} ms  max {} ms  ({} samples)\n",
        opt(l.p50),
        opt(l.p90),
        opt(l.p99),
        opt(l.max),
        l.count
    )
}

fn figures(out: &mut String, f: &Figures) {
    let c = &f.connections;
    let _ = write!(
        out,
        "  connections opened {}, failed {} ({:.2}%), dropped {}",
        c.opened,
        c.failed,
        c.failed_rate * 100.0,
        c.dropped
    );
    if let Some(p) = c.peak_active {
        let _ = write!(out, ", peak {p} open");
    }
    out.push('\n');
    for (code, n) in &c.failed_by_code {
        let _ = writeln!(out, "    failed {code}: {n}");
    }
    for (code, n) in &c.dropped_by_code {
        if code.parse::<u16>().is_ok() {
            let _ = writeln!(out, "    dropped with close {code}: {n}");
        } else {
            let _ = writeln!(out, "    dropped ({code}): {n}");
        }
    }
    let m = &f.messages;
    let _ = writeln!(
        out,
        "  messages   sent {} ({}/s, {} B), received {} ({}/s, {} B)",
        m.sent, m.sent_per_s, m.bytes_sent, m.received, m.received_per_s, m.bytes_received
    );
    if f.expects.matched + f.expects.timed_out > 0 {
        let _ = writeln!(
            out,
            "  expects    matched {}, timed out {}",
            f.expects.matched, f.expects.timed_out
        );
    }
    out.push_str(&latency_line("connect", &f.connect_ms));
    if f.handshake_ms.count > 0 {
        out.push_str(&latency_line("handshake", &f.handshake_ms));
    }
    out.push_str(&latency_line("rtt", &f.rtt_ms));
}

/// The summary as people read it, thresholds last (`✓`/`✗` with the measured value).
pub fn text(s: &Summary, thresholds: &[ThresholdResult]) -> String {
    let mut out = format!("load run: {} s\n", s.total.elapsed_s);
    figures(&mut out, &s.total);
    if s.phases.ramp.is_some() || s.phases.spike.is_some() {
        if let Some(r) = &s.phases.ramp {
            let _ = writeln!(out, "ramp phase ({} s):", r.elapsed_s);
            figures(&mut out, r);
        }
        let _ = writeln!(out, "steady phase ({} s):", s.phases.steady.elapsed_s);
        figures(&mut out, &s.phases.steady);
        if let Some(p) = &s.phases.spike {
            let _ = writeln!(out, "spike phase ({} s):", p.elapsed_s);
            figures(&mut out, p);
        }
    }
    if !thresholds.is_empty() {
        out.push_str("thresholds:\n");
        for t in thresholds {
            let mark = if t.passed { "✓" } else { "✗" };
            let _ = writeln!(out, "  {mark} {} (measured {})", t.threshold, t.measured);
        }
    }
    out
}

/// JUnit XML: one testcase per threshold (a failed one is a `failure` naming the measured value);
/// without thresholds, one testcase that fails when no connection opened.
pub fn junit(s: &Summary, thresholds: &[ThresholdResult]) -> String {
    let secs = format!("{:.3}", s.total.elapsed_s);
    let mut cases: Vec<(String, Option<String>)> = thresholds
        .iter()
        .map(|t| {
            let failure = (!t.passed).then(|| format!("measured {}", t.measured));
            (t.threshold.clone(), failure)
        })
        .collect();
    if cases.is_empty() {
        let c = &s.total.connections;
        let failure =
            (c.opened == 0).then(|| format!("no connection opened ({} failed)", c.failed));
        cases.push(("connections open".into(), failure));
    }
    let failures = cases.iter().filter(|c| c.1.is_some()).count();
    let tests = cases.len();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"sockpit load\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{secs}\">"
    );
    let _ = writeln!(
        x,
        "  <testsuite name=\"sockpit load\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{secs}\">"
    );
    for (name, failure) in &cases {
        let _ = write!(
            x,
            "    <testcase classname=\"sockpit load\" name=\"{}\" time=\"{secs}\"",
            xml_escape(name)
        );
        match failure {
            None => x.push_str("/>\n"),
            Some(f) => {
                let _ = writeln!(
                    x,
                    ">\n      <failure type=\"threshold\" message=\"{}\"/>\n    </testcase>",
                    xml_escape(f)
                );
            }
        }
    }
    let _ = writeln!(
        x,
        "    <system-out>{}</system-out>",
        xml_escape(&text(s, thresholds))
    );
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}
