//! Imported scripts run: Bruno `script:post-response`/`tests` (with `pm.test` style) and a Kreya
//! operation script become hooks that pass against the mock; what does not map is kept as a
//! comment with a warning and runs nothing.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::Value;
use sockpit_core::collection::import::{import_file, Format};
use sockpit_core::collection::model::requests_with_path;
use sockpit_mock::MockServer;
use sockpit_tests::collections::import_fixture;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(60);

async fn import_and_run(fixture: &str, collection: &str) -> Value {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let path = import_fixture(fixture);
    let out = sockpit(
        &["import", path.to_str().unwrap(), "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let host = format!("host={}", mock.addr());
    let out = sockpit(
        &[
            "run",
            collection,
            "--var",
            &host,
            "--data-dir",
            data,
            "--reporter",
            "json",
        ],
        None,
        LIMIT,
    )
    .await;
    serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"))
}

#[tokio::test]
async fn bruno_scripts_become_hooks_that_pass_and_unmapped_ones_are_kept_as_comments() {
    let i = import_file(&import_fixture("bruno-scripts"), Format::Auto).unwrap();
    let reqs = requests_with_path(&i.collection.items);
    let status = reqs
        .iter()
        .find(|(_, r)| r.name == "Status check")
        .unwrap()
        .1;
    let after = status.scripts.after.as_deref().unwrap();
    assert!(
        after.starts_with("// Imported Bruno tests, not run: it uses res.getStatus…"),
        "{after}"
    );
    assert!(
        i.warnings
            .iter()
            .any(|w| w.contains("'Status check': Bruno tests uses res.getStatus…")),
        "{:?}",
        i.warnings
    );
    assert!(
        i.warnings.iter().any(|w| w
            .contains("'Scripted echo': Bruno script:post-response became its on_message script")),
        "{:?}",
        i.warnings
    );

    let report = import_and_run("bruno-scripts", &i.collection.name).await;
    let echo = report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Scripted echo")
        .unwrap();
    assert_eq!(echo["passed"], true, "{echo:#}");
    let names: Vec<&str> = echo["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["the echo carries the id", "postman style maps too"],
        "{echo:#}"
    );
}

#[tokio::test]
async fn a_kreya_operation_script_runs_its_callbacks_and_tests() {
    let i = import_file(&import_fixture("kreya-scripts/Chat.krop"), Format::Auto).unwrap();
    let name = i.collection.name.clone();
    let report = import_and_run("kreya-scripts/Chat.krop", &name).await;
    let r = &report["requests"][0];
    assert_eq!(r["passed"], true, "{r:#}");
    let tests = r["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2, "{r:#}");
    assert_eq!(tests[0]["name"], "Response content");
    assert_eq!(tests[0]["hook"], "on_message");
    assert_eq!(tests[1]["name"], "Status code");
    assert_eq!(tests[1]["hook"], "after");
}
