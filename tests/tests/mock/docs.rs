//! The mock's route documentation stays true: every route listed in `sockpit serve --help` exists
//! on a running mock and has a row in the README's route table, and the table lists nothing else.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::sockpit;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The paths at the start of the route lines of a help text (`/echo[?protocols=a,b]  ...`).
fn listed_paths(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with('/'))
        .map(|l| {
            l.split(|c: char| c == '?' || c == '[' || c.is_whitespace())
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The status of a plain GET (not an upgrade) to `path`.
async fn get_status(mock: &MockServer, path: &str) -> u16 {
    let mut tcp = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(5), tcp.read_exact(&mut head))
        .await
        .unwrap()
        .unwrap();
    String::from_utf8_lossy(&head[9..12]).parse().unwrap()
}

#[tokio::test]
async fn every_documented_route_exists_and_is_in_the_readme_table() {
    let help = sockpit(&["serve", "--help"], None, Duration::from_secs(10)).await;
    assert_eq!(help.status, 0);
    let paths = listed_paths(&help.stdout);
    assert_eq!(paths, listed_paths(sockpit_mock::ROUTES));
    for required in [
        "/broadcast",
        "/fragment",
        "/pings",
        "/oversize",
        "/auth/mtls",
        "/auth/sse/ticket",
    ] {
        assert!(
            paths.contains(required),
            "{required} missing from serve --help"
        );
    }
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    for p in &paths {
        // WebSocket routes refuse a plain GET (400/426), others answer; none is unknown.
        assert_ne!(
            get_status(&mock, p).await,
            404,
            "{p} is listed but not served"
        );
    }
    assert_eq!(get_status(&mock, "/no-such-route").await, 404);

    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table: BTreeSet<String> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `/"))
        .map(|l| format!("/{}", l.split('`').next().unwrap()))
        .collect();
    assert_eq!(
        table, paths,
        "README's mock route table and serve --help differ"
    );
}
