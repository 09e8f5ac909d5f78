//! `Checker`: a request's assertions, fed events as they arrive, each decided as soon as it can be.
//!
//! Messages are checked as text; binary messages as their protobuf JSON when the request has a
//! receive type, else as lowercase hex (as `sockpit connect` prints them). `contains`, `equals`, `matches` and `json_pointer` pass on the first message that
//! satisfies them; `count` passes when `min` messages arrived within `within_ms` of the open and
//! fails once that window is over; `close_code` is decided by the server's close frame.

use regex::Regex;

use crate::collection::error::CollectionError;
use crate::collection::model::{Assertion, Request};
use crate::collection::validate::compile_regex;
use crate::ws::{close_code_name, Nanos};

/// How one assertion ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionResult {
    /// `contains "hello"`, `close code 1000`, ...
    pub assertion: String,
    pub passed: bool,
    /// What was seen: the matching message, or why it failed.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Pending,
    Passed(String),
    Failed(String),
}

#[derive(Debug)]
struct Check {
    assertion: Assertion,
    regex: Option<Regex>,
    state: State,
    seen: u64,
}

/// The assertions of one request while it runs.
#[derive(Debug)]
pub struct Checker {
    checks: Vec<Check>,
    opened_at: Option<Nanos>,
    received: u64,
    close: Option<u16>,
}

const PREVIEW: usize = 120;

fn preview(s: &str) -> String {
    if s.chars().count() <= PREVIEW {
        format!("{s:?}")
    } else {
        let cut: String = s.chars().take(PREVIEW).collect();
        format!("{cut:?}...")
    }
}

fn event_matches(filter: &Option<String>, event_type: Option<&str>) -> bool {
    match filter {
        None => true,
        Some(want) => event_type == Some(want.as_str()),
    }
}

/// Whether one received message satisfies a message assertion (`contains`, `equals`, `matches` with
/// its compiled `regex`, `json_pointer`); `false` for `count` and `close_code`, which no single
/// message decides. `sockpit run` and `sockpit load` check messages through this one function.
pub fn message_matches(
    a: &Assertion,
    regex: Option<&Regex>,
    event_type: Option<&str>,
    text: &str,
) -> bool {
    match a {
        Assertion::Contains { value, event } => {
            event_matches(event, event_type) && text.contains(value.as_str())
        }
        Assertion::Equals { value, event } => event_matches(event, event_type) && text == value,
        Assertion::Matches { event, .. } => {
            event_matches(event, event_type) && regex.is_some_and(|r| r.is_match(text))
        }
        Assertion::JsonPointer {
            pointer,
            equals,
            event,
        } => {
            event_matches(event, event_type)
                && serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .and_then(|v| v.pointer(pointer).cloned())
                    .is_some_and(|v| &v == equals)
        }
        Assertion::Count { .. } | Assertion::CloseCode { .. } => false,
    }
}

impl Checker {
    pub fn new(request: &Request) -> Result<Checker, CollectionError> {
        let mut checks = Vec::new();
        for a in &request.assertions {
            let regex = match a {
                Assertion::Matches { pattern, .. } => Some(compile_regex(&request.name, pattern)?),
                _ => None,
            };
            checks.push(Check {
                assertion: a.clone(),
                regex,
                state: State::Pending,
                seen: 0,
            });
        }
        Ok(Checker {
            checks,
            opened_at: None,
            received: 0,
            close: None,
        })
    }

    pub fn received(&self) -> u64 {
        self.received
    }

    pub fn on_open(&mut self, t: Nanos) {
        if self.opened_at.is_none() {
            self.opened_at = Some(t);
        }
    }

    /// A received message (`event_type`: the SSE event type; `None` for WebSocket).
    pub fn on_message(&mut self, t: Nanos, event_type: Option<&str>, text: &str) {
        self.received += 1;
        let opened = self.opened_at.unwrap_or(0);
        for c in &mut self.checks {
            if c.state != State::Pending {
                continue;
            }
            let passed = match &c.assertion {
                Assertion::Count {
                    min,
                    within_ms,
                    event,
                } => {
                    if event_matches(event, event_type)
                        && t.saturating_sub(opened) <= within_ms.saturating_mul(1_000_000)
                    {
                        c.seen += 1;
                    }
                    if c.seen >= *min {
                        c.state = State::Passed(format!("{} messages", c.seen));
                    }
                    false
                }
                a => message_matches(a, c.regex.as_ref(), event_type, text),
            };
            if passed {
                c.state = State::Passed(preview(text));
            }
        }
    }

    /// The server's close code (WebSocket).
    pub fn on_close(&mut self, code: u16) {
        if self.close.is_some() {
            return;
        }
        self.close = Some(code);
        for c in &mut self.checks {
            if let (Assertion::CloseCode { code: want }, State::Pending) = (&c.assertion, &c.state)
            {
                c.state = if *want == code {
                    State::Passed(format!("{code} {}", close_code_name(code)))
                } else {
                    State::Failed(format!(
                        "closed with {code} {}, expected {want} {}",
                        close_code_name(code),
                        close_code_name(*want)
                    ))
                };
            }
        }
    }

    /// Time passes: `count` windows that are over fail.
    pub fn on_tick(&mut self, now: Nanos) {
        let Some(opened) = self.opened_at else { return };
        for c in &mut self.checks {
            if let (Assertion::Count { min, within_ms, .. }, State::Pending) =
                (&c.assertion, &c.state)
            {
                if now.saturating_sub(opened) > within_ms.saturating_mul(1_000_000) {
                    c.state = State::Failed(format!(
                        "{} of {min} messages within {within_ms} ms",
                        c.seen
                    ));
                }
            }
        }
    }

    /// The request has assertions at all.
    pub fn has_checks(&self) -> bool {
        !self.checks.is_empty()
    }

    /// Every assertion has passed or failed.
    pub fn all_decided(&self) -> bool {
        self.checks.iter().all(|c| c.state != State::Pending)
    }

    /// Whether a `close_code` assertion still waits, so the runner must not close first.
    pub fn waits_for_close(&self) -> bool {
        self.checks.iter().any(|c| {
            matches!(c.assertion, Assertion::CloseCode { .. }) && c.state == State::Pending
        })
    }

    /// The results; assertions still pending fail with `why` (`not seen within 10 s`).
    pub fn finish(self, why: &str) -> Vec<AssertionResult> {
        let close = self.close;
        let received = self.received;
        self.checks
            .into_iter()
            .map(|c| {
                let assertion = c.assertion.describe();
                match c.state {
                    State::Passed(d) => AssertionResult {
                        assertion,
                        passed: true,
                        detail: d,
                    },
                    State::Failed(d) => AssertionResult {
                        assertion,
                        passed: false,
                        detail: d,
                    },
                    State::Pending => {
                        let detail = match (&c.assertion, close) {
                            (Assertion::CloseCode { .. }, None) => {
                                format!("no close frame from the server ({why})")
                            }
                            (Assertion::Count { min, .. }, _) => {
                                format!("{} of {min} messages ({why})", c.seen)
                            }
                            _ => format!("no matching message among {received} received ({why})"),
                        };
                        AssertionResult {
                            assertion,
                            passed: false,
                            detail,
                        }
                    }
                }
            })
            .collect()
    }
}
