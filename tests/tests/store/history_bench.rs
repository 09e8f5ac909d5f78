//! Keeps the history benchmark's client working: a small flood through `history_bench` (debug
//! build) must be stored whole. The real figures come from tests/bench/history_bench.sh (release,
//! 1,000,000 messages).

use std::process::Command;

use sockpit_mock::MockServer;

#[tokio::test]
async fn the_history_benchmark_client_stores_every_event() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/flood?n=20000&size=32", mock.ws_url());
    let data = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_history_bench"))
            .arg(&url)
            .arg(&data)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("receive + history:  20000 messages"),
        "{stdout}"
    );
    assert!(stdout.contains("dropped 0"), "{stdout}");
    assert!(stdout.contains("stored rows:        20005"), "{stdout}");
}
