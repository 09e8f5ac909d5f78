//! Reporters for a [`RunReport`]: text for people, JSON for scripts, JUnit XML for CI.

use std::fmt::Write;

use super::{RequestResult, RunReport};

fn ms(d: std::time::Duration) -> u128 {
    d.as_millis()
}

/// One request's lines of the text report.
pub fn text_result(r: &RequestResult) -> String {
    let mut s = String::new();
    let mark = if r.passed() { "PASS" } else { "FAIL" };
    let _ = writeln!(
        s,
        "{mark} {} ({} ms, {} received)",
        r.full_name(),
        ms(r.duration),
        r.received
    );
    for a in &r.assertions {
        let mark = if a.passed { "ok  " } else { "FAIL" };
        let _ = writeln!(s, "     {mark} {}: {}", a.assertion, a.detail);
    }
    for t in &r.tests {
        let mark = if t.passed { "ok  " } else { "FAIL" };
        let _ = write!(s, "     {mark} test '{}'", t.name);
        if !t.passed {
            let _ = write!(s, ": {}", t.message);
            if t.line > 0 {
                let _ = write!(s, " ({} line {})", t.hook, t.line);
            }
        }
        s.push('\n');
    }
    for e in &r.script_errors {
        let _ = writeln!(s, "     script error {e}");
    }
    if let Some((code, message)) = &r.error {
        let _ = writeln!(s, "     error {code}: {message}");
    }
    s
}

/// The closing summary line of the text report.
pub fn text_summary(report: &RunReport) -> String {
    let total = report.results.len();
    let failed = report.failed_requests();
    let asserts: usize = report.results.iter().map(|r| r.assertions.len()).sum();
    let failed_asserts: usize = report
        .results
        .iter()
        .map(|r| r.assertions.iter().filter(|a| !a.passed).count())
        .sum();
    let tests: usize = report.results.iter().map(|r| r.tests.len()).sum();
    let failed_tests: usize = report
        .results
        .iter()
        .map(|r| r.tests.iter().filter(|t| !t.passed).count())
        .sum();
    let script_tests = if tests > 0 {
        format!("; {} of {tests} script tests passed", tests - failed_tests)
    } else {
        String::new()
    };
    let interrupted = match &report.interrupted {
        Some(i) => format!("interrupted by {}: later requests did not run\n", i.cause),
        None => String::new(),
    };
    format!(
        "{}: {} of {total} requests passed, {failed} failed; {} of {asserts} assertions passed{script_tests} ({} ms)\n{interrupted}",
        report.collection,
        total - failed,
        asserts - failed_asserts,
        ms(report.duration)
    )
}

pub fn text(report: &RunReport) -> String {
    let mut s = String::new();
    for r in &report.results {
        s.push_str(&text_result(r));
    }
    s.push_str(&text_summary(report));
    s
}

pub fn json(report: &RunReport) -> String {
    let requests: Vec<serde_json::Value> = report
        .results
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "path": r.path,
                "protocol": r.protocol.as_str(),
                "url": r.url,
                "passed": r.passed(),
                "duration_ms": ms(r.duration) as u64,
                "received": r.received,
                "error": r.error.as_ref().map(|(code, message)| serde_json::json!({"code": code, "message": message})),
                "assertions": r.assertions.iter().map(|a| serde_json::json!({
                    "assertion": a.assertion, "passed": a.passed, "detail": a.detail,
                })).collect::<Vec<_>>(),
                "tests": r.tests.iter().map(|t| serde_json::json!({
                    "name": t.name, "hook": t.hook.as_str(), "passed": t.passed,
                    "message": t.message, "line": t.line,
                })).collect::<Vec<_>>(),
                "script_errors": r.script_errors,
            })
        })
        .collect();
    let v = serde_json::json!({
        "collection": report.collection,
        "environment": report.environment,
        "passed": report.passed(),
        "requests_total": report.results.len(),
        "requests_failed": report.failed_requests(),
        "duration_ms": ms(report.duration) as u64,
        "interrupted": report.interrupted.as_ref().map(|i| serde_json::json!({
            "cause": i.cause, "close_code": i.close_code,
        })),
        "requests": requests,
    });
    let mut out = serde_json::to_string_pretty(&v).unwrap_or_default();
    out.push('\n');
    out
}

/// XML attribute/text escaping, dropping characters XML 1.0 cannot carry.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A request's own testcase: its connection, assertions and script errors (its `test()`s have
/// their own testcases).
fn own_passed(r: &RequestResult) -> bool {
    r.error.is_none() && r.assertions.iter().all(|a| a.passed) && r.script_errors.is_empty()
}

/// JUnit XML: one `testsuite` for the collection, one `testcase` per request (failed assertions
/// and script errors are `failure`s, connection errors `error`s) and one per script `test()`.
pub fn junit(report: &RunReport) -> String {
    let secs = |d: std::time::Duration| format!("{:.3}", d.as_secs_f64());
    let script_tests: usize = report.results.iter().map(|r| r.tests.len()).sum();
    let failed_script_tests: usize = report
        .results
        .iter()
        .map(|r| r.tests.iter().filter(|t| !t.passed).count())
        .sum();
    let tests = report.results.len() + script_tests;
    let errors = report.results.iter().filter(|r| r.error.is_some()).count();
    let failures = report
        .results
        .iter()
        .filter(|r| r.error.is_none() && !own_passed(r))
        .count()
        + failed_script_tests;
    let name = xml_escape(&report.collection);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"sockpit run\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">",
        secs(report.duration)
    );
    let _ = writeln!(
        s,
        "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">",
        secs(report.duration)
    );
    for r in &report.results {
        let mut class = vec![report.collection.clone()];
        class.extend(r.path.iter().cloned());
        let _ = write!(
            s,
            "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
            xml_escape(&class.join(".")),
            xml_escape(&r.name),
            secs(r.duration)
        );
        if own_passed(r) {
            s.push_str("/>\n");
            continue;
        }
        s.push_str(">\n");
        if let Some((code, message)) = &r.error {
            let _ = writeln!(
                s,
                "      <error type=\"{}\" message=\"{}\"/>",
                xml_escape(code),
                xml_escape(message)
            );
        }
        for a in r.assertions.iter().filter(|a| !a.passed) {
            let _ = writeln!(
                s,
                "      <failure type=\"assertion\" message=\"{}\">{}</failure>",
                xml_escape(&a.assertion),
                xml_escape(&a.detail)
            );
        }
        for e in &r.script_errors {
            let _ = writeln!(
                s,
                "      <failure type=\"script\" message=\"{}\"/>",
                xml_escape(e)
            );
        }
        let body = text_result(r);
        let _ = writeln!(s, "      <system-out>{}</system-out>", xml_escape(&body));
        s.push_str("    </testcase>\n");
    }
    for r in &report.results {
        let mut class = vec![report.collection.clone()];
        class.extend(r.path.iter().cloned());
        class.push(r.name.clone());
        let class = xml_escape(&class.join("."));
        for t in &r.tests {
            let _ = write!(
                s,
                "    <testcase classname=\"{class}\" name=\"{}\" time=\"0.000\"",
                xml_escape(&t.name)
            );
            if t.passed {
                s.push_str("/>\n");
            } else {
                let _ = writeln!(
                    s,
                    ">\n      <failure type=\"expect\" message=\"{}\">{} line {}</failure>\n    </testcase>",
                    xml_escape(&t.message),
                    t.hook,
                    t.line
                );
            }
        }
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}
