//! `ReconnectPolicy`: when to try again after a lost connection and how long to wait.

use std::time::Duration;

use rand::Rng;

/// Exponential backoff with jitter. The attempt counter resets after every successful open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Delay before the first retry.
    pub base_delay: Duration,
    /// Cap on any single delay.
    pub max_delay: Duration,
    /// Retries after one loss before giving up; `None` retries forever.
    pub max_retries: Option<u32>,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retries: Some(10),
        }
    }
}

impl ReconnectPolicy {
    /// Whether retry number `attempt` (1-based) is allowed.
    pub fn allows(&self, attempt: u32) -> bool {
        self.max_retries.is_none_or(|max| attempt <= max)
    }

    /// The wait before retry number `attempt` (1-based): `base * 2^(attempt-1)`, capped at `max`,
    /// then "equal jitter" (half fixed, half random) so that many clients do not retry in lockstep.
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let half = full / 2;
        let jitter_ns = rng.random_range(0..=half.as_nanos() as u64);
        half + Duration::from_nanos(jitter_ns)
    }
}

/// Close codes after which a reconnect makes sense: the peer went away, restarted, was overloaded, or
/// the connection died without a close frame. Deliberate refusals (1000, 1002, 1003, 1007-1010,
/// 4000-4999) are not retried: a retry would meet the same answer.
pub fn close_code_is_retryable(code: u16) -> bool {
    matches!(code, 1001 | 1005 | 1006 | 1011 | 1012 | 1013 | 1014)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, SeedableRng};

    #[test]
    fn backoff_grows_caps_and_jitters_within_bounds() {
        let p = ReconnectPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retries: Some(5),
        };
        let mut rng = StdRng::seed_from_u64(7);
        for (attempt, full_ms) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (9, 1000)] {
            for _ in 0..50 {
                let d = p.delay(attempt, &mut rng).as_millis() as u64;
                assert!(
                    d >= full_ms / 2 && d <= full_ms,
                    "attempt {attempt}: {d} ms not in [{}, {full_ms}]",
                    full_ms / 2
                );
            }
        }
        assert!(p.allows(5) && !p.allows(6));
        let forever = ReconnectPolicy {
            max_retries: None,
            ..p
        };
        assert!(forever.allows(u32::MAX));
    }

    #[test]
    fn huge_attempt_numbers_do_not_overflow() {
        let p = ReconnectPolicy::default();
        let d = p.delay(u32::MAX, &mut rand::rng());
        assert!(d <= p.max_delay);
    }

    #[test]
    fn only_transient_close_codes_are_retried() {
        for c in [1001, 1006, 1011, 1012, 1013] {
            assert!(close_code_is_retryable(c), "{c}");
        }
        for c in [1000, 1002, 1003, 1007, 1008, 1009, 4001] {
            assert!(!close_code_is_retryable(c), "{c}");
        }
    }
}
