//! The fixture directory outlives every test of the process and is gone
//! after it exits. Each case reruns this test binary as a child that makes
//! the directory, writes into it and prints its path.

use std::path::PathBuf;
use std::process::Command;

const CHILD: &str = "HUBECON_TESTKIT_CHILD";

/// Runs `test` of this binary in a child process; returns the directory it
/// printed and whether the child succeeded.
fn child_dir(test: &str) -> (PathBuf, bool) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("FIXTURE=").map(|(_, dir)| dir))
        .unwrap_or_else(|| panic!("the child printed no directory:\n{stdout}"));
    (PathBuf::from(line), out.status.success())
}

/// In the child: makes two directories, fills one, prints it, and fails on
/// request (the harness then exits through `std::process::exit`).
fn in_child(fail: bool) {
    let dir = hubecon_testkit::fixture_dir().unwrap();
    let other = hubecon_testkit::fixture_dir().unwrap();
    assert_ne!(dir, other);
    std::fs::create_dir(dir.join("sample")).unwrap();
    std::fs::write(dir.join("sample/models.parquet"), b"rows").unwrap();
    assert!(dir.join("sample/models.parquet").is_file());
    println!("FIXTURE={}", dir.display());
    assert!(!fail, "this child fails on purpose");
}

#[test]
fn removed_after_a_passing_run() {
    if std::env::var_os(CHILD).is_some() {
        return in_child(false);
    }
    let (dir, passed) = child_dir("removed_after_a_passing_run");
    assert!(passed);
    assert!(!dir.exists(), "{} is still there", dir.display());
}

#[test]
fn removed_after_a_failing_run() {
    if std::env::var_os(CHILD).is_some() {
        return in_child(true);
    }
    let (dir, passed) = child_dir("removed_after_a_failing_run");
    assert!(!passed);
    assert!(!dir.exists(), "{} is still there", dir.display());
}
