//! Running the real `sockpit` binary and reading what it printed.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;

/// The `sockpit` binary of this build (`<target>/debug/sockpit`), or `$SOCKPIT_BIN` when set (a
/// target directory shared by several checkouts has one `debug/sockpit` for all of them).
pub fn sockpit_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("SOCKPIT_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binaries live in <target>/<profile>/deps");
    let bin = profile_dir.join("sockpit");
    assert!(
        bin.exists(),
        "the sockpit binary is missing at {}: run `cargo build -p sockpit-cli` first (`make test` does)",
        bin.display()
    );
    bin
}

/// What one run printed, and how it ended.
#[derive(Debug)]
pub struct CliOutput {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl CliOutput {
    /// stdout as JSON Lines; panics on a line that is not JSON (the `--json` contract).
    pub fn events(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l:?}\n{self:?}"))
            })
            .collect()
    }

    /// The `--json` events with `"event": kind`.
    pub fn events_of(&self, kind: &str) -> Vec<Value> {
        self.events()
            .into_iter()
            .filter(|e| e["event"] == kind)
            .collect()
    }

    /// Data of received messages, in order.
    pub fn received(&self) -> Vec<Value> {
        self.events_of("message")
            .into_iter()
            .filter(|e| e["dir"] == "in")
            .collect()
    }

    /// The stderr text, asserting it is a single `sockpit: error:` line.
    pub fn one_error_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "expected one stderr line, got {:?}",
            self.stderr
        );
        assert!(
            lines[0].starts_with("sockpit: error: "),
            "stderr: {:?}",
            self.stderr
        );
        lines[0]
    }
}

/// Runs `sockpit ARGS`, feeding `stdin` (or an empty stdin), and kills it after `limit`.
pub async fn sockpit(args: &[&str], stdin: Option<&[u8]>, limit: Duration) -> CliOutput {
    let mut child = tokio::process::Command::new(sockpit_bin())
        .args(args)
        // Tests read stderr: a RUST_LOG in the caller's environment would add log lines to it.
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("sockpit starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    let data = stdin.map(|s| s.to_vec());
    tokio::spawn(async move {
        if let Some(d) = data {
            let _ = input.write_all(&d).await;
        }
        // Dropping `input` closes stdin.
    });
    let out = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("sockpit {args:?} did not finish within {limit:?}"))
        .expect("sockpit ran");
    CliOutput {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
