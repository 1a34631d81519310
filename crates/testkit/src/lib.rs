//! hubecon-testkit: what the integration tests share.
//!
//! A test binary builds its costly fixture once (a synthetic sample, a
//! prepared study) and keeps it in a `static` for all its tests. Rust never
//! drops a `static`, so a [`tempfile::TempDir`] kept there stays on disk
//! after the run: 90-300 MB per run of each such binary, which filled the
//! disk of a machine that ran the tests many times. [`fixture_dir`] gives a
//! temporary directory that is removed when the process exits, normally or
//! through `std::process::exit` (as the test harness does when a test
//! failed). A process killed by a signal still leaves it behind.

use std::io;
use std::path::PathBuf;
use std::sync::{Mutex, Once};

/// The directories to remove at exit.
static FIXTURE_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static REMOVE_AT_EXIT: Once = Once::new();

extern "C" fn remove_fixture_dirs() {
    // No test runs any more; `try_lock` so that a thread stopped while
    // holding the lock cannot hang the exit.
    if let Ok(dirs) = FIXTURE_DIRS.try_lock() {
        for dir in dirs.iter() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A new empty temporary directory that lives until the process exits.
pub fn fixture_dir() -> io::Result<PathBuf> {
    let mut registered = Ok(());
    REMOVE_AT_EXIT.call_once(|| {
        // SAFETY: `remove_fixture_dirs` is a plain `extern "C" fn()` that
        // only touches statics, which outlive every exit handler.
        if unsafe { libc::atexit(remove_fixture_dirs) } != 0 {
            registered = Err(io::Error::other("atexit refused the fixture cleanup"));
        }
    });
    registered?;
    let dir = tempfile::Builder::new()
        .prefix("hubecon-fixture-")
        .tempdir()?
        .keep();
    FIXTURE_DIRS
        .lock()
        .map_err(|_| io::Error::other("the fixture list was poisoned"))?
        .push(dir.clone());
    Ok(dir)
}
