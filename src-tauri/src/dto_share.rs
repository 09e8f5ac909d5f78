//! DTOs of the import/export dialogs and the first-run demo (generated to TypeScript by ts-rs).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What an import did: where the collection went and what could not be carried over.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct ImportReport {
    /// The store id of the new collection.
    #[ts(type = "number")]
    pub collection: i64,
    pub name: String,
    /// The name in the file when it was taken in the store and the collection was renamed.
    pub renamed_from: Option<String>,
    /// The format detected (or asked for): `sockpit`, `insomnia`, `yaak`, `bruno`, ...
    pub format: String,
    pub requests: u32,
    pub warnings: Vec<String>,
}

/// The formats a collection can be exported to.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExportKind {
    /// Sockpit's share format (secrets replaced by placeholders).
    Sockpit,
    K6,
    Wscat,
    Websocat,
    Curl,
}

/// The tool a request is copied as a command line for ("Copy as …").
#[derive(Debug, Clone, Copy, Deserialize, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CliFlavour {
    /// `sockpit connect` (`sockpit sse`, `sockpit socketio|graphql` for those requests).
    Sockpit,
    Websocat,
    Wscat,
    /// curl: an SSE request's natural client; a WebSocket request only connects (curl 7.86+).
    Curl,
}

/// Where an export went.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct ExportReport {
    pub path: String,
    pub bytes: u32,
}

/// The first-run demo: the built-in mock server running inside the app, and the demo collection.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct DemoOpened {
    pub ws_url: String,
    pub http_url: String,
    /// The store id of the demo collection (imported on first use, its `host` pointed at the mock).
    #[ts(type = "number")]
    pub collection: i64,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::tests::check;

    #[test]
    fn typescript_bindings_of_share() {
        let mut failures = Vec::new();
        check::<ImportReport>(&mut failures);
        check::<ExportKind>(&mut failures);
        check::<ExportReport>(&mut failures);
        check::<CliFlavour>(&mut failures);
        check::<DemoOpened>(&mut failures);
        assert!(
            failures.is_empty(),
            "TypeScript bindings drifted (run `make bindings`): {failures:?}"
        );
    }
}
