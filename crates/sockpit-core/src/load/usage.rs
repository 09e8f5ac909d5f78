//! The client's own footprint: CPU and resident memory of this process (Linux `/proc/self`), so a
//! run can tell when the client is the bottleneck, and the open-files limit raised for many sockets.

use std::time::Instant;

/// One reading of this process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    /// CPU time over the interval, in percent of one core (200 = two cores busy).
    pub cpu_pct: f64,
    pub rss_mb: f64,
}

/// Takes readings; each one covers the time since the previous.
pub struct UsageMeter {
    last: Option<(Instant, f64)>,
}

impl Default for UsageMeter {
    fn default() -> Self {
        Self::new()
    }
}

impl UsageMeter {
    pub fn new() -> UsageMeter {
        UsageMeter {
            last: cpu_seconds().map(|c| (Instant::now(), c)),
        }
    }

    /// `None` where `/proc` is not available.
    pub fn sample(&mut self) -> Option<Usage> {
        let now = Instant::now();
        let cpu = cpu_seconds()?;
        let (then, before) = self.last.replace((now, cpu))?;
        let wall = now.duration_since(then).as_secs_f64().max(1e-6);
        Some(Usage {
            cpu_pct: ((cpu - before) / wall * 1000.0).round() / 10.0,
            rss_mb: (rss_bytes()? as f64 / 1048576.0 * 10.0).round() / 10.0,
        })
    }
}

/// User + system CPU seconds used by this process so far.
#[cfg(target_os = "linux")]
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (hz > 0).then(|| ticks / hz as f64)
}

#[cfg(not(target_os = "linux"))]
fn cpu_seconds() -> Option<f64> {
    None
}

/// Resident set size of this process.
#[cfg(target_os = "linux")]
pub fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    (page > 0).then(|| pages * page as u64)
}

#[cfg(not(target_os = "linux"))]
pub fn rss_bytes() -> Option<u64> {
    None
}

/// The open-files limit after [`raise_nofile_limit`]: the soft limit now in force and the hard one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimit {
    pub soft: u64,
    pub hard: u64,
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (each connection is a file descriptor);
/// `None` where that cannot be read.
#[cfg(target_os = "linux")]
pub fn raise_nofile_limit() -> Option<FileLimit> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit write to / read from a valid rlimit struct we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
    }
    Some(FileLimit {
        soft: lim.rlim_cur,
        hard: lim.rlim_max,
    })
}

#[cfg(not(target_os = "linux"))]
pub fn raise_nofile_limit() -> Option<FileLimit> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_this_process() {
        let mut m = UsageMeter::new();
        // Burn a little CPU so the reading has something to show.
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let u = m.sample().expect("/proc/self is readable on Linux");
        assert!(u.rss_mb > 0.5, "{u:?}");
        assert!(u.cpu_pct >= 0.0, "{u:?}");
        let l = raise_nofile_limit().expect("RLIMIT_NOFILE is readable");
        assert!(l.soft == l.hard || l.hard == libc::RLIM_INFINITY, "{l:?}");
    }
}
