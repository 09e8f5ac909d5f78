//! A load scenario: whom to connect to, how many virtual users arrive and when, and the steps each
//! one runs (send a template, think, expect a message), checked before anything connects.

use std::time::Duration;

use rand::Rng;
use regex::Regex;

use super::error::LoadError;
use crate::collection::assertion_spec::parse_assertion;
use crate::collection::model::Assertion;
use crate::collection::validate::compile_regex;
use crate::runner::check::message_matches;
use crate::sse::SseConfig;
use crate::ws::{close_code_is_sendable, ConnectConfig};

/// How virtual users arrive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arrival {
    /// `n` users, started evenly over the ramp, each holding its connection to the end.
    Vus(u64),
    /// New users per second (reached linearly over the ramp); each runs its loops and leaves.
    Rate(f64),
}

/// Everything one run needs. Build it with [`Scenario::new`], then set the fields; [`Scenario::check`]
/// runs before the load starts.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub target: Target,
    pub arrival: Arrival,
    /// Time to reach the full VU count or rate (the ramp phase), before `duration`.
    pub ramp: Duration,
    /// The steady phase. `None` with `Arrival::Vus`: until every user finished its loops.
    pub duration: Option<Duration>,
    /// Run per iteration, in order.
    pub steps: Vec<Step>,
    /// Iterations per user; `None`: until the end of the run (`Vus`) or 1 (`Rate`).
    pub loops: Option<u64>,
    /// How long an expect step waits for its message.
    pub expect_timeout: Duration,
    /// The code each user closes with.
    pub close_code: u16,
    /// A spike phase after the steady one: extra users arriving at once.
    pub spike: Option<Spike>,
}

/// The spike phase: `users` extra users connect at once when the steady phase ends, run the
/// steps like the others and hold their connection for `hold`, the end of the run; the steady
/// phase's users (and arrivals) go on through it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    pub users: u64,
    pub hold: Duration,
}

/// What each user connects to: a WebSocket session, or an SSE subscription (an `http(s)://` URL
/// or an SSE request) that only receives.
#[derive(Debug, Clone)]
pub enum Target {
    Ws(ConnectConfig),
    Sse(SseConfig),
}

impl From<ConnectConfig> for Target {
    fn from(c: ConnectConfig) -> Target {
        Target::Ws(c)
    }
}

impl From<SseConfig> for Target {
    fn from(c: SseConfig) -> Target {
        Target::Sse(c)
    }
}

/// The socket read buffer of each load session (a session's default is 128 KiB, resident once
/// used): 4 KiB keeps idle connections small; bigger messages take more reads.
pub const LOAD_READ_BUFFER: usize = 4 << 10;

impl Scenario {
    /// A WebSocket target gets the load read buffer ([`LOAD_READ_BUFFER`]); no target reconnects.
    pub fn new(target: impl Into<Target>, arrival: Arrival) -> Scenario {
        let target = match target.into() {
            Target::Ws(mut c) => {
                c.read_buffer_size = LOAD_READ_BUFFER;
                c.reconnect = None;
                Target::Ws(c)
            }
            Target::Sse(mut c) => {
                c.reconnect = None;
                Target::Sse(c)
            }
        };
        Scenario {
            target,
            arrival,
            ramp: Duration::ZERO,
            duration: None,
            steps: Vec::new(),
            loops: None,
            expect_timeout: Duration::from_secs(5),
            close_code: 1000,
            spike: None,
        }
    }

    /// The checks that need no network: a VU count of 0, a rate with no duration, an unsendable
    /// close code.
    pub fn check(&self) -> Result<(), LoadError> {
        match self.arrival {
            Arrival::Vus(0) => return Err(LoadError::NoVus(0)),
            Arrival::Rate(r) if !(r > 0.0 && r.is_finite()) => {
                return Err(LoadError::NoRate(r.to_string()))
            }
            Arrival::Rate(_) if self.duration.is_none() => {
                return Err(LoadError::RateWithoutDuration)
            }
            _ => {}
        }
        if let Some(s) = self.spike {
            if s.users == 0 {
                return Err(LoadError::NoSpikeUsers);
            }
            if self.duration.is_none() {
                return Err(LoadError::SpikeWithoutDuration);
            }
        }
        if matches!(self.target, Target::Sse(_))
            && self
                .steps
                .iter()
                .any(|s| matches!(s, Step::Send(_) | Step::SendMessage(_)))
        {
            return Err(LoadError::SendOverSse);
        }
        if !close_code_is_sendable(self.close_code) {
            return Err(LoadError::BadCloseCode(self.close_code));
        }
        Ok(())
    }

    /// When the spike phase starts (the end of the steady phase), from the start of the run.
    pub fn spike_start(&self) -> Option<Duration> {
        self.spike.and(self.duration).map(|d| self.ramp + d)
    }

    /// The length of the whole run: ramp, steady and spike (`None`: until the loops are done).
    pub fn length(&self) -> Option<Duration> {
        let hold = self.spike.map_or(Duration::ZERO, |s| s.hold);
        self.duration.map(|d| self.ramp + d + hold)
    }

    /// Iterations each user runs (`u64::MAX`: until the end).
    pub fn loops_per_user(&self) -> u64 {
        match (self.loops, self.arrival) {
            (Some(n), _) => n,
            (None, Arrival::Rate(_)) => 1,
            (None, Arrival::Vus(_)) if self.duration.is_none() => 1,
            (None, Arrival::Vus(_)) => u64::MAX,
        }
    }
}

/// `N` or `N/s` arrivals per second.
pub fn parse_rate(s: &str) -> Result<f64, LoadError> {
    let n = s.trim().strip_suffix("/s").unwrap_or(s.trim());
    let r: f64 = n.parse().map_err(|_| LoadError::BadRate(s.to_string()))?;
    if !(r > 0.0 && r.is_finite()) {
        return Err(LoadError::NoRate(s.to_string()));
    }
    Ok(r)
}

/// One step of an iteration.
#[derive(Debug, Clone)]
pub enum Step {
    Send(SendTemplate),
    /// A saved request's message, sent as it is (text or binary).
    SendMessage(crate::ws::Outgoing),
    Think(Think),
    Expect(Expect),
}

/// A pause: fixed, or uniformly random in `min..=max` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Think {
    pub min_ms: u64,
    pub max_ms: u64,
}

impl Think {
    /// `MS` or `MIN-MAX`.
    pub fn parse(s: &str) -> Result<Think, LoadError> {
        let bad = |why: &str| LoadError::BadThink {
            value: s.to_string(),
            why: why.to_string(),
        };
        let num = |p: &str| {
            p.trim().parse::<u64>().map_err(|_| {
                bad(&format!(
                    "'{}' is not a whole number of milliseconds",
                    p.trim()
                ))
            })
        };
        let (min_ms, max_ms) = match s.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => {
                let v = num(s)?;
                (v, v)
            }
        };
        if min_ms > max_ms {
            return Err(bad(&format!(
                "the range is reversed ({min_ms} > {max_ms}); put the smaller number first: {max_ms}-{min_ms}"
            )));
        }
        Ok(Think { min_ms, max_ms })
    }

    pub fn pick(&self, rng: &mut impl Rng) -> Duration {
        let ms = if self.min_ms == self.max_ms {
            self.min_ms
        } else {
            rng.random_range(self.min_ms..=self.max_ms)
        };
        Duration::from_millis(ms)
    }
}

/// A message to wait for: a collection assertion on the message text (binary as lowercase hex).
#[derive(Debug, Clone)]
pub struct Expect {
    pub assertion: Assertion,
    regex: Option<Regex>,
}

impl Expect {
    /// One of the collection assertion forms (`contains:TEXT`, `equals:TEXT`, `matches:REGEX`,
    /// `json:/pointer=VALUE`).
    pub fn parse(spec: &str) -> Result<Expect, LoadError> {
        let bad = |why: String| LoadError::BadExpect {
            value: spec.to_string(),
            why,
        };
        let assertion = parse_assertion(spec).map_err(bad)?;
        let regex = match &assertion {
            Assertion::Matches { pattern, .. } => {
                Some(compile_regex("--expect", pattern).map_err(|e| bad(e.to_string()))?)
            }
            _ => None,
        };
        Ok(Expect { assertion, regex })
    }

    pub fn matches(&self, text: &str) -> bool {
        message_matches(&self.assertion, self.regex.as_ref(), None, text)
    }
}

/// A `--send` text with `{{$vu}}`, `{{$iteration}}` and the dynamic values of collections
/// (`{{$uuid}}`, `{{$timestamp}}`, `{{$isoTimestamp}}`, `{{$randomInt}}`), split once up front.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendTemplate {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Vu,
    Iteration,
    Dynamic(String),
}

impl SendTemplate {
    pub fn parse(text: &str) -> Result<SendTemplate, LoadError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            let Some(len) = rest[open + 2..].find("}}") else {
                break;
            };
            let name = rest[open + 2..open + 2 + len].trim();
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            parts.push(match name {
                "$vu" => Part::Vu,
                "$iteration" => Part::Iteration,
                n if n.starts_with('$') && crate::template::dynamic_value(&n[1..]).is_some() => {
                    Part::Dynamic(n[1..].to_string())
                }
                n => {
                    return Err(LoadError::BadTemplate {
                        value: text.to_string(),
                        why: format!(
                            "unknown value '{{{{{n}}}}}': a load run knows {{{{$vu}}}}, {{{{$iteration}}}}, {{{{$uuid}}}}, {{{{$timestamp}}}}, {{{{$isoTimestamp}}}} and {{{{$randomInt}}}}"
                        ),
                    })
                }
            });
            rest = &rest[open + 2 + len + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(SendTemplate { parts })
    }

    /// The text for user `vu` (from 1) in iteration `iteration` (from 0).
    pub fn render(&self, vu: u64, iteration: u64) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Vu => out.push_str(&vu.to_string()),
                Part::Iteration => out.push_str(&iteration.to_string()),
                Part::Dynamic(n) => {
                    out.push_str(&crate::template::dynamic_value(n).unwrap_or_default())
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn think_ranges_parse_and_reversed_ones_are_refused() {
        assert_eq!(
            Think::parse("250").unwrap(),
            Think {
                min_ms: 250,
                max_ms: 250
            }
        );
        assert_eq!(
            Think::parse("100-500").unwrap(),
            Think {
                min_ms: 100,
                max_ms: 500
            }
        );
        let e = Think::parse("500-100").unwrap_err();
        assert_eq!(e.code(), "load.bad_think");
        assert!(
            e.to_string().contains("reversed") && e.to_string().contains("100-500"),
            "{e}"
        );
        assert!(Think::parse("fast")
            .unwrap_err()
            .to_string()
            .contains("'fast' is not"));
        assert!(Think::parse("-5").is_err());
        let t = Think::parse("10-20").unwrap();
        let mut rng = rand::rng();
        for _ in 0..100 {
            let d = t.pick(&mut rng).as_millis();
            assert!((10..=20).contains(&d), "{d}");
        }
    }

    #[test]
    fn templates_render_vu_iteration_and_uuids() {
        let t =
            SendTemplate::parse(r#"{"vu":{{$vu}},"i":{{ $iteration }},"id":"{{$uuid}}"}"#).unwrap();
        let a = t.render(7, 3);
        assert!(a.starts_with(r#"{"vu":7,"i":3,"id":""#), "{a}");
        assert_eq!(a.len(), r#"{"vu":7,"i":3,"id":""}"#.len() + 36);
        assert_ne!(a, t.render(7, 3), "each render draws a new uuid");
        assert_eq!(
            SendTemplate::parse("plain {{ no end").unwrap().render(1, 0),
            "plain {{ no end"
        );
        let e = SendTemplate::parse("hi {{name}}").unwrap_err();
        assert!(e.to_string().contains("unknown value '{{name}}'"), "{e}");
    }

    #[test]
    fn scenario_checks_name_what_is_wrong() {
        let cfg = ConnectConfig::new("ws://127.0.0.1:1/echo");
        assert_eq!(
            Scenario::new(cfg.clone(), Arrival::Vus(0)).check(),
            Err(LoadError::NoVus(0))
        );
        assert_eq!(
            Scenario::new(cfg.clone(), Arrival::Rate(5.0)).check(),
            Err(LoadError::RateWithoutDuration)
        );
        let mut s = Scenario::new(cfg, Arrival::Vus(2));
        s.close_code = 1006;
        assert_eq!(s.check(), Err(LoadError::BadCloseCode(1006)));
        let mut s = Scenario::new(ConnectConfig::new("ws://x/"), Arrival::Vus(2));
        s.spike = Some(Spike {
            users: 0,
            hold: Duration::from_secs(1),
        });
        assert_eq!(s.check(), Err(LoadError::NoSpikeUsers));
        s.spike = Some(Spike {
            users: 5,
            hold: Duration::from_secs(3),
        });
        assert_eq!(s.check(), Err(LoadError::SpikeWithoutDuration));
        s.ramp = Duration::from_secs(1);
        s.duration = Some(Duration::from_secs(2));
        assert_eq!(s.check(), Ok(()));
        assert_eq!(s.spike_start(), Some(Duration::from_secs(3)));
        assert_eq!(s.length(), Some(Duration::from_secs(6)));
        assert_eq!(parse_rate("50/s").unwrap(), 50.0);
        assert!(matches!(parse_rate("0"), Err(LoadError::NoRate(_))));
        assert!(matches!(parse_rate("lots"), Err(LoadError::BadRate(_))));
    }

    #[test]
    fn expects_reuse_the_collection_assertions() {
        assert!(Expect::parse("contains:pong").unwrap().matches("a pong!"));
        assert!(!Expect::parse("equals:pong").unwrap().matches("a pong!"));
        assert!(Expect::parse("matches:^p.ng$").unwrap().matches("pong"));
        assert!(Expect::parse(r#"json:/vu=7"#)
            .unwrap()
            .matches(r#"{"vu":7}"#));
        assert!(!Expect::parse(r#"json:/vu=7"#)
            .unwrap()
            .matches(r#"{"vu":8}"#));
        let e = Expect::parse("matches:(").unwrap_err();
        assert_eq!(e.code(), "load.bad_expect");
        assert!(Expect::parse("nope")
            .unwrap_err()
            .to_string()
            .contains("contains:TEXT"));
    }
}
