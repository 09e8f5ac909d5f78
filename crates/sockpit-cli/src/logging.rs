//! Logs on stderr, never stdout (it carries data and JSON Lines): `-v` info, `-vv` debug, `-vvv`
//! trace for Sockpit's own crates (dependencies at warn, info at `-vvv`); `RUST_LOG`, when set,
//! wins. With neither there is no log at all: the CLI prints its own warnings and errors
//! (`sockpit: warning: ...`), and a log would repeat them.

use tracing_subscriber::EnvFilter;

/// Sockpit's crates, as `tracing` targets.
const OURS: [&str; 3] = ["sockpit_core", "sockpit_mock", "sockpit"];

/// The filter for `-v` given `verbose` times (`None`: no log).
pub fn verbosity_filter(verbose: u8) -> Option<String> {
    let (ours, deps) = match verbose {
        0 => return None,
        1 => ("info", "warn"),
        2 => ("debug", "warn"),
        _ => ("trace", "info"),
    };
    let mut directives = vec![deps.to_string()];
    directives.extend(OURS.iter().map(|c| format!("{c}={ours}")));
    Some(directives.join(","))
}

/// Installs the stderr logger for this process.
pub fn init(verbose: u8) {
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let filter = match from_env {
        Some(v) => match EnvFilter::try_new(&v) {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("sockpit: warning: RUST_LOG='{v}' ignored: {e}");
                verbosity_filter(verbose).map(EnvFilter::new)
            }
        },
        None => verbosity_filter(verbose).map(EnvFilter::new),
    };
    let Some(filter) = filter else { return };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_v_raises_the_level_of_our_crates() {
        assert_eq!(verbosity_filter(0), None);
        let one = verbosity_filter(1).unwrap();
        assert!(
            one.starts_with("warn,") && one.contains("sockpit_core=info"),
            "{one}"
        );
        assert!(verbosity_filter(2).unwrap().contains("sockpit_core=debug"));
        let three = verbosity_filter(3).unwrap();
        assert!(
            three.starts_with("info,") && three.contains("sockpit=trace"),
            "{three}"
        );
        assert_eq!(verbosity_filter(9), verbosity_filter(3));
        for v in 1..=3 {
            EnvFilter::try_new(verbosity_filter(v).unwrap()).unwrap();
        }
    }
}
