//! Connection history: recording a connection, and the recent ones with their outcome in one
//! query.

use crate::collection::model::Protocol;
use crate::store::{HistoryConnection, HistoryRecorder};

use super::{App, AppError};

/// Most connections one listing returns.
pub const MAX_HISTORY_LIST: u32 = 500;

/// One recent connection and how it went (`connected`, `closed 1000`, `ws.handshake_rejected`...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryItem {
    pub connection: HistoryConnection,
    pub outcome: String,
}

impl App {
    /// The most recent connections first (at most [`MAX_HISTORY_LIST`]).
    pub fn history(&self, limit: u32) -> Result<Vec<HistoryItem>, AppError> {
        self.with_store(|s| {
            Ok(s.history_with_outcomes(limit.min(MAX_HISTORY_LIST))?
                .into_iter()
                .map(|(c, o)| HistoryItem {
                    outcome: o.label(c.ended_at.is_some()),
                    connection: c,
                })
                .collect())
        })
    }

    /// Starts recording a connection to `url` (already redacted of secrets). History is best
    /// effort: a failure records nothing and is logged.
    pub fn record_connection(
        &self,
        protocol: Protocol,
        url: &str,
        request: Option<i64>,
    ) -> Option<HistoryRecorder> {
        match self.with_store(|s| Ok(s.record_connection(protocol, url, request)?)) {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::warn!(code = e.code(), "history not recorded: {e}");
                None
            }
        }
    }
}
