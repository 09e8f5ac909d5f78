//! The window's log: `<data dir>/logs/sockpit.YYYY-MM-DD.log`, a new file each day and the last
//! [`MAX_LOG_FILES`] kept, written by a background thread (a full buffer drops lines rather than
//! blocking the app). Sockpit's crates log at info, dependencies at warn; `RUST_LOG` overrides.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

/// The log directory's name inside the data directory.
pub const LOG_DIR: &str = "logs";
/// Daily files kept; older ones are deleted as new ones start.
pub const MAX_LOG_FILES: usize = 7;
/// The level without `RUST_LOG`.
const DEFAULT_FILTER: &str = "warn,sockpit_core=info,sockpit_app=info,sockpit_mock=info";

/// Keeps the log writer alive: lines still buffered are written when it drops.
pub struct LogGuard {
    _worker: WorkerGuard,
}

/// The log directory of `data_dir`.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(LOG_DIR)
}

/// `RUST_LOG` when it is set and valid, else [`DEFAULT_FILTER`].
fn filter() -> EnvFilter {
    std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER))
}

/// Logs this process into daily files in `dir` (created when missing). Fails when `dir` cannot
/// be created or another logger is already installed.
pub fn init_file_logging(dir: &Path) -> Result<LogGuard, String> {
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("sockpit")
        .filename_suffix("log")
        .max_log_files(MAX_LOG_FILES)
        .build(dir)
        .map_err(|e| format!("cannot write logs in {}: {e}", dir.display()))?;
    let (writer, worker) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| format!("cannot install the logger: {e}"))?;
    Ok(LogGuard { _worker: worker })
}

/// The window's logger in the data directory (`SOCKPIT_DATA_DIR` or the OS default). Without
/// one (no data directory, a read-only disk) the window still runs; stderr says why.
pub fn init_for_app() -> Option<LogGuard> {
    let dir = match crate::state::env_data_dir() {
        Ok(d) => log_dir(&d),
        Err(e) => {
            eprintln!("sockpit: no log file: {}", e.message);
            return None;
        }
    };
    match init_file_logging(&dir) {
        Ok(guard) => {
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                dir = %dir.display(),
                "window starting"
            );
            Some(guard)
        }
        Err(e) => {
            eprintln!("sockpit: no log file: {e}");
            None
        }
    }
}
