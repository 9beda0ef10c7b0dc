//! Resident and peak memory of this process, for the profiling examples of kp-syntax,
//! kp-check and keyplan (one file, included by `#[path]`, so the three print the same).

/// `VmRSS` and `VmHWM` from `/proc/self/status` (Linux; empty elsewhere).
pub fn resident() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(", ")
}
