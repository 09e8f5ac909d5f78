//! Peer servers no one here wrote (Python `websockets`, Node `ws`), run as child processes.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};

/// `tests/peers`, where the peer scripts, the venv and node_modules live.
pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("peers")
}

/// The venv's Python, installed by `scripts/test-deps.sh`.
pub fn venv_python() -> PathBuf {
    let py = peers_dir().join(".venv/bin/python");
    assert!(
        py.exists(),
        "the Python test peers are not installed ({} missing): run scripts/test-deps.sh (`make test` does)",
        py.display()
    );
    py
}

/// A running peer process that printed its port on its first stdout line. Killed on drop.
pub struct Peer {
    pub port: u16,
    _child: tokio::process::Child,
}

impl Peer {
    /// `tests/peers/<script>` under the venv's Python.
    pub async fn python(script: &str) -> Peer {
        Peer::python_with(script, &[]).await
    }

    /// [`Peer::python`] with command-line options for the script.
    pub async fn python_with(script: &str, options: &[&str]) -> Peer {
        Peer::spawn(venv_python(), script, options).await
    }

    /// `tests/peers/<script>` under another venv's Python (`tests/peers/<venv>/bin/python`), for a
    /// peer whose pins clash with the main venv's (amqtt pins its own websockets).
    pub async fn python_venv(venv: &str, script: &str) -> Peer {
        let py = peers_dir().join(venv).join("bin/python");
        assert!(
            py.exists(),
            "{} is missing: run scripts/test-deps.sh (`make test` does)",
            py.display()
        );
        Peer::spawn(py, script, &[]).await
    }

    /// `tests/peers/<script>` under Node, with `tests/peers/node_modules`.
    pub async fn node(script: &str) -> Peer {
        Peer::node_with(script, &[]).await
    }

    /// [`Peer::node`] with command-line options for the script.
    pub async fn node_with(script: &str, options: &[&str]) -> Peer {
        assert!(
            peers_dir().join("node_modules/ws").exists(),
            "Node test peers are not installed: run scripts/test-deps.sh (`make test` does)"
        );
        Peer::spawn(PathBuf::from("node"), script, options).await
    }

    async fn spawn(program: PathBuf, script: &str, options: &[&str]) -> Peer {
        let mut args = vec![peers_dir().join(script).into_os_string()];
        args.extend(options.iter().map(Into::into));
        let mut child = tokio::process::Command::new(&program)
            .args(&args)
            .current_dir(peers_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("peer {args:?} printed no port within 30 s"))
            .expect("peer stdout readable")
            .unwrap_or_else(|| panic!("peer {args:?} exited before printing its port"));
        let port = first
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("peer {args:?} printed {first:?}, not a port"));
        // Keep draining stdout so the peer never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Peer {
            port,
            _child: child,
        }
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    pub fn http_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}
