//! `LoadError`: what can be wrong with a load scenario or a threshold, each with a stable code.

/// A scenario or threshold that cannot run; the message names the value and the way out.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    #[error("--vus must be at least 1, got {0}: give the number of virtual users to hold open")]
    NoVus(u64),
    #[error("--rate must be above 0 per second, got {0}")]
    NoRate(String),
    #[error("--rate needs --duration: an arrival rate runs for a set time (e.g. --rate 50/s --duration 30)")]
    RateWithoutDuration,
    #[error("--rate '{0}' is not a rate: write N or N/s (arrivals per second), e.g. --rate 50/s")]
    BadRate(String),
    #[error("--think '{value}': {why}; write MS or MIN-MAX in milliseconds, e.g. --think 100-500")]
    BadThink { value: String, why: String },
    #[error("--expect '{value}': {why}")]
    BadExpect { value: String, why: String },
    #[error("--send '{value}': {why}")]
    BadTemplate { value: String, why: String },
    #[error("--close-code {0} cannot be sent: use 1000-1003, 1007-1014 or 3000-4999")]
    BadCloseCode(u16),
    #[error("threshold '{expr}' names an unknown metric '{metric}': use one of {known}")]
    UnknownMetric {
        expr: String,
        metric: String,
        known: &'static str,
    },
    #[error("threshold '{expr}': {why}; write METRIC<VALUE, e.g. rtt_p99<200ms or failed_rate<1%")]
    BadThreshold { expr: String, why: String },
    #[error("--spike must add at least 1 user: give N extra users, e.g. --spike 100")]
    NoSpikeUsers,
    #[error("--spike needs --duration: the spike phase comes after the steady phase (e.g. --vus 50 --duration 30 --spike 200 --spike-hold 10)")]
    SpikeWithoutDuration,
    #[error("an SSE target only receives: drop --send (and saved messages), and use --expect to wait for events")]
    SendOverSse,
    #[error("no request named '{name}' in collection '{collection}' (it has: {known}); name one with --request")]
    UnknownRequest {
        name: String,
        collection: String,
        known: String,
    },
    #[error(
        "request '{request}' is a {protocol} request: sockpit load runs websocket and sse requests"
    )]
    UnsupportedProtocol {
        request: String,
        protocol: &'static str,
    },
    /// The saved request cannot be prepared (undefined variable, bad settings, bad message).
    #[error("{message}")]
    Request { code: &'static str, message: String },
}

impl LoadError {
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::NoVus(_) => "load.no_vus",
            LoadError::NoRate(_) => "load.no_rate",
            LoadError::RateWithoutDuration => "load.rate_without_duration",
            LoadError::BadRate(_) => "load.bad_rate",
            LoadError::BadThink { .. } => "load.bad_think",
            LoadError::BadExpect { .. } => "load.bad_expect",
            LoadError::BadTemplate { .. } => "load.bad_template",
            LoadError::BadCloseCode(_) => "load.bad_close_code",
            LoadError::UnknownMetric { .. } => "load.unknown_metric",
            LoadError::BadThreshold { .. } => "load.bad_threshold",
            LoadError::NoSpikeUsers => "load.no_spike_users",
            LoadError::SpikeWithoutDuration => "load.spike_without_duration",
            LoadError::SendOverSse => "load.send_over_sse",
            LoadError::UnknownRequest { .. } => "load.unknown_request",
            LoadError::UnsupportedProtocol { .. } => "load.unsupported_protocol",
            LoadError::Request { code, .. } => code,
        }
    }
}
