//! What the `sockpit run` tests of this binary share: a collection from request objects, and a run
//! of it from a file with the JSON reporter.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::{json, Value};
use sockpit_tests::{sockpit, CliOutput};

/// How long one `sockpit` call of these tests may take.
pub const LIMIT: Duration = Duration::from_secs(60);

/// A share-format collection named `name` holding `requests`.
pub fn collection_named(name: &str, requests: Vec<Value>) -> Value {
    json!({"sockpit": 1, "name": name, "items": requests})
}

/// Writes `c` to a file, runs it with `--reporter json` plus `extra`, and returns the output and the
/// parsed report (`Null` when stdout is not JSON).
pub async fn run_file(c: &Value, extra: &[&str]) -> (CliOutput, Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.sockpit.json");
    std::fs::write(&file, serde_json::to_string_pretty(c).unwrap()).unwrap();
    let mut args = vec!["run", file.to_str().unwrap(), "--reporter", "json"];
    args.extend_from_slice(extra);
    let out = sockpit(&args, None, LIMIT).await;
    let report = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    (out, report)
}
