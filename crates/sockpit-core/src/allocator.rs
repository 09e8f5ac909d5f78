//! Process-wide allocator tuning for message-sized buffers, called first by each binary's `main`.
//!
//! glibc returns the top of its heap to the kernel once more than a threshold is free there, and
//! that threshold follows the largest block freed (twice its size). A session holds each received
//! message while the next one is read, and the consumer drops it later, so two 1 MiB messages are
//! freed side by side and the heap is trimmed and grown again on nearly every message: 90k page
//! faults and twice the kernel time of a bare tokio-tungstenite loop for 1000 × 1 MiB. Fixing the
//! thresholds keeps freed message memory for reuse (up to [`TRIM_THRESHOLD`] idle) and serves
//! messages up to [`MMAP_THRESHOLD`] from the heap instead of a fresh `mmap` each.

/// Free memory at the heap's top that is kept rather than returned to the kernel.
pub const TRIM_THRESHOLD: usize = 64 << 20;
/// Blocks at least this large get their own mapping (glibc's ceiling for this setting on 64-bit).
pub const MMAP_THRESHOLD: usize = 32 << 20;

/// Whether the thresholds could be set: `false` off glibc, where there is nothing to tune.
pub fn tune_for_large_messages() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes glibc's allocation parameters; it is called before the
        // binary starts any thread, and glibc takes its own lock either way.
        let trim = unsafe { libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD as libc::c_int) };
        let mmap = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int) };
        trim == 1 && mmap == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_both_thresholds() {
        assert!(super::tune_for_large_messages());
    }
}
