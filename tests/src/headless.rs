//! Running the real `sockpit` binary as on a headless Linux box: no D-Bus session bus (so no
//! Secret Service and no OS credential store), a data directory of the test's own.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::cli::{sockpit_bin, CliOutput};

/// Runs `sockpit ARGS` with `SOCKPIT_DATA_DIR=data_dir`, no session bus (`DBUS_SESSION_BUS_ADDRESS`
/// unset and `XDG_RUNTIME_DIR` an empty directory), `stdin` fed and closed, plus `env`.
pub async fn sockpit_headless(
    args: &[&str],
    stdin: Option<&[u8]>,
    data_dir: &Path,
    env: &[(&str, &str)],
) -> CliOutput {
    let runtime = data_dir.with_extension("runtime");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    let mut cmd = tokio::process::Command::new(sockpit_bin());
    cmd.args(args)
        .env("SOCKPIT_DATA_DIR", data_dir)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("SOCKPIT_SECRET_BACKEND")
        .env_remove("RUST_LOG")
        .env("XDG_RUNTIME_DIR", &runtime)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, _) in std::env::vars() {
        if k.starts_with("SOCKPIT_VAR_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("sockpit starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    if let Some(d) = stdin {
        let _ = input.write_all(d).await;
    }
    drop(input);
    let limit = Duration::from_secs(60);
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
