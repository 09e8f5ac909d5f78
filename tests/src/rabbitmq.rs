//! A private RabbitMQ broker (Debian's `rabbitmq-server`, Web-STOMP plugin) for one test: its own
//! node name, data, log, config and enabled-plugins file in a temporary directory, every port
//! (AMQP, distribution, epmd, Web-STOMP) free on 127.0.0.1. Runs as the current user; killed, with
//! its epmd, on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian's package puts the server script (run directly: no switch to the `rabbitmq` user).
const SERVER: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/// A running broker.
pub struct RabbitMq {
    /// The Web-STOMP listener: `ws://127.0.0.1:PORT/ws`.
    pub web_stomp_port: u16,
    epmd_port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

impl RabbitMq {
    /// Starts a broker and waits (up to 60 s) for its Web-STOMP port.
    pub fn start() -> RabbitMq {
        assert!(
            Path::new(SERVER).exists(),
            "RabbitMQ is not installed ({SERVER} missing): run scripts/system-deps.sh (`make test` does)"
        );
        let dir = tempfile::tempdir().expect("a temporary directory");
        let d = dir.path();
        let (amqp, dist, epmd, web) = (free_port(), free_port(), free_port(), free_port());
        std::fs::write(d.join("enabled_plugins"), "[rabbitmq_web_stomp].\n").expect("write");
        std::fs::write(
            d.join("rabbitmq.conf"),
            format!(
                "listeners.tcp.default = 127.0.0.1:{amqp}\nweb_stomp.tcp.ip = 127.0.0.1\n\
                 web_stomp.tcp.port = {web}\nstomp.listeners.tcp = none\nloopback_users = none\n"
            ),
        )
        .expect("write");
        let log = std::fs::File::create(d.join("server.log")).expect("log file");
        let mut cmd = Command::new(SERVER);
        cmd.current_dir(d)
            .env("HOME", d) // the Erlang cookie
            // Makes the script exec the VM, so killing the child stops the broker.
            .env("RUNNING_UNDER_SYSTEMD", "true")
            .env("RABBITMQ_NODENAME", format!("sockpit{web}@localhost"))
            .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .env("RABBITMQ_NODE_PORT", amqp.to_string())
            .env("RABBITMQ_DIST_PORT", dist.to_string())
            .env("ERL_EPMD_PORT", epmd.to_string())
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .env(
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
                "-kernel inet_dist_use_interface {127,0,0,1}",
            )
            .env("RABBITMQ_MNESIA_BASE", d.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", d.join("log"))
            .env("RABBITMQ_CONFIG_FILE", d.join("rabbitmq.conf"))
            .env("RABBITMQ_ADVANCED_CONFIG_FILE", d.join("advanced.config"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", d.join("enabled_plugins"))
            .env("RABBITMQ_PID_FILE", d.join("rabbitmq.pid"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log);
        let child = cmd.spawn().expect("rabbitmq-server starts");
        let mut broker = RabbitMq {
            web_stomp_port: web,
            epmd_port: epmd,
            child,
            dir,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", web)).is_err() {
            if let Ok(Some(status)) = broker.child.try_wait() {
                panic!(
                    "rabbitmq-server exited ({status}) before listening:\n{}",
                    broker.log()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "RabbitMQ did not listen on {web} within 60 s:\n{}",
                broker.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        broker
    }

    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.web_stomp_port)
    }

    /// What the server printed (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for RabbitMq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // epmd outlives the node: stop ours (only ours: its own port).
        let _ = Command::new("epmd")
            .arg("-kill")
            .env("ERL_EPMD_PORT", self.epmd_port.to_string())
            .env("HOME", self.data_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
