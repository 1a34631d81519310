//! Timing a whole process: wall time and peak resident memory, measured by
//! the kernel (`wait4`'s resource usage of exactly that child), so no
//! external `time` program is needed.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

/// What one process run cost.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProcessCost {
    pub wall_seconds: f64,
    pub user_seconds: f64,
    pub system_seconds: f64,
    /// Peak resident set size of the process, in bytes.
    pub peak_rss_bytes: u64,
}

/// Runs `command` to completion and returns its cost and its standard
/// output. Standard error goes to the terminal (progress stays visible). A
/// failing exit status is an error naming the command.
pub fn run_measured(command: &mut Command) -> anyhow::Result<(ProcessCost, String)> {
    let shown = format!("{command:?}");
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {shown}"))?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout)
            .with_context(|| format!("reading the output of {shown}"))?;
    }
    let (status, usage) = wait_with_usage(child.id())?;
    let wall_seconds = started.elapsed().as_secs_f64();
    if !exited_ok(status) {
        bail!("{shown} failed (wait status {status}); its errors are above");
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok((
        ProcessCost {
            wall_seconds,
            user_seconds: seconds(usage.ru_utime),
            system_seconds: seconds(usage.ru_stime),
            // Linux reports ru_maxrss in KiB.
            peak_rss_bytes: (usage.ru_maxrss.max(0) as u64) * 1024,
        },
        stdout,
    ))
}

/// Waits for the child `pid` and returns its wait status and resource usage.
fn wait_with_usage(pid: u32) -> anyhow::Result<(i32, libc::rusage)> {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; pid is a child we spawned and
        // have not waited for.
        let got = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
        if got == pid as libc::pid_t {
            return Ok((status, usage));
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err).context("waiting for a benchmarked process");
        }
    }
}

fn exited_ok(status: i32) -> bool {
    libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_a_child_that_holds_memory() {
        // Python holds a 200 MB buffer; the peak must show it.
        let mut cmd = Command::new("python3");
        cmd.args(["-c", "b = bytearray(200 * 1024 * 1024); print(len(b))"]);
        let (cost, out) = run_measured(&mut cmd).unwrap();
        assert_eq!(out.trim(), (200 * 1024 * 1024).to_string());
        assert!(cost.peak_rss_bytes > 200 * 1024 * 1024, "{cost:?}");
        assert!(cost.peak_rss_bytes < 400 * 1024 * 1024, "{cost:?}");
        assert!(cost.wall_seconds > 0.0);
    }

    #[test]
    fn a_failing_process_is_an_error_naming_it() {
        let mut cmd = Command::new("python3");
        cmd.args(["-c", "import sys; sys.exit(3)"]);
        let err = run_measured(&mut cmd).unwrap_err().to_string();
        assert!(err.contains("python3") && err.contains("failed"), "{err}");
    }
}
