//! Replacing an output directory as one step, and one writer per output.
//!
//! A stage writes its whole output into a staging directory beside the
//! target, then [`replace_dir`] swaps the two with `renameat2(...,
//! RENAME_EXCHANGE)`: at every instant the target is either the complete old
//! output or the complete new one, whatever kills the process. The staging
//! path then holds the old output and is removed; a kill before that leaves
//! it behind, and the next run under the [`OutputLock`] removes it
//! ([`remove_stale_staging`]).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The directory that holds `target` (`.` for a bare name).
pub fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The prefix of `target`'s staging directories,
/// `.hubecon-<stage>-<name length>-<name>.`, so a run removes only its own
/// output's leftovers, never another output's in the same parent (the
/// length keeps `out` from matching `out.v2`'s).
pub fn staging_prefix(stage: &str, target: &Path) -> String {
    let name = target
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    format!(".hubecon-{stage}-{}-{name}.", name.len())
}

/// `target`, or what it links to when it is a symbolic link: the swap
/// must replace the linked folder, not turn the user's link into a folder.
pub fn resolve_link(target: &Path) -> io::Result<PathBuf> {
    match std::fs::symlink_metadata(target) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(target),
        _ => Ok(target.to_path_buf()),
    }
}

/// Makes `staged` the directory at `target` in one step, then removes what
/// was there before. `target` may be missing.
pub fn replace_dir(staged: &Path, target: &Path) -> io::Result<()> {
    // A staging directory is made 0700; the output keeps the old one's mode,
    // or is readable by everyone like the files in it.
    let mode = match std::fs::metadata(target) {
        Ok(m) => m.permissions(),
        Err(_) => default_dir_permissions(staged)?,
    };
    std::fs::set_permissions(staged, mode)?;
    if !target.exists() {
        return std::fs::rename(staged, target);
    }
    exchange(staged, target)?;
    // `staged` now holds the old output; a failure here leaves a complete
    // new output and a leftover the next run removes.
    std::fs::remove_dir_all(staged)
}

fn default_dir_permissions(dir: &Path) -> io::Result<std::fs::Permissions> {
    #[cfg(unix)]
    {
        let _ = dir;
        use std::os::unix::fs::PermissionsExt;
        Ok(std::fs::Permissions::from_mode(0o755))
    }
    #[cfg(not(unix))]
    {
        Ok(std::fs::metadata(dir)?.permissions())
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path with a NUL byte"))
    };
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths, relative to the cwd.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        // The filesystem (or an old kernel) has no exchange.
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => exchange_by_two_renames(a, b),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    exchange_by_two_renames(a, b)
}

/// The fallback: `b` aside, `a` in, the old `b` to `a`. Between the first
/// two renames `b` is missing (a window of two system calls), never mixed.
fn exchange_by_two_renames(a: &Path, b: &Path) -> io::Result<()> {
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

/// Removes the staging directories of `target` left by runs that died.
/// Call only under `target`'s [`OutputLock`]: no live run then owns one.
pub fn remove_stale_staging(stage: &str, target: &Path) -> io::Result<Vec<PathBuf>> {
    let prefix = staging_prefix(stage, target);
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(parent_of(target)) else {
        return Ok(removed);
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) && e.path().is_dir() {
            std::fs::remove_dir_all(e.path())?;
            removed.push(e.path());
        }
    }
    Ok(removed)
}

/// An exclusive lock on an output, held until dropped: a lock file beside
/// it (`.<name>.hubecon-lock`, kept: removing it would let two runs lock
/// two different files). The kernel releases it when the process dies.
pub struct OutputLock {
    _file: File,
    pub path: PathBuf,
}

/// Why an output could not be locked.
pub enum LockError {
    /// Another live run holds the lock.
    Busy(PathBuf),
    Io(PathBuf, io::Error),
}

impl OutputLock {
    pub fn acquire(target: &Path) -> Result<Self, LockError> {
        let parent = parent_of(target);
        std::fs::create_dir_all(&parent).map_err(|e| LockError::Io(parent.clone(), e))?;
        let name = target
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let path = parent.join(format!(".{name}.hubecon-lock"));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| LockError::Io(path.clone(), e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file, path }),
            Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Busy(path)),
            Err(std::fs::TryLockError::Error(e)) => Err(LockError::Io(path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_swaps_whole_directories_and_removes_the_old() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        let staged = tmp
            .path()
            .join(format!("{}x", staging_prefix("t", &target)));
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.txt"), "old").unwrap();
        std::fs::create_dir_all(&staged).unwrap();
        std::fs::write(staged.join("new.txt"), "new").unwrap();
        replace_dir(&staged, &target).unwrap();
        assert!(target.join("new.txt").is_file() && !target.join("old.txt").exists());
        assert!(!staged.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_output_is_replaced_behind_its_link() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        std::fs::create_dir_all(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let target = resolve_link(&link).unwrap();
        assert_eq!(target, real.canonicalize().unwrap());
        let staged = tmp.path().join("staged");
        std::fs::create_dir_all(&staged).unwrap();
        std::fs::write(staged.join("new.txt"), "new").unwrap();
        replace_dir(&staged, &target).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(link.join("new.txt").is_file());
    }

    #[test]
    fn a_second_lock_on_one_output_is_refused_and_stale_staging_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        let first = OutputLock::acquire(&target).ok().unwrap();
        assert!(matches!(
            OutputLock::acquire(&target),
            Err(LockError::Busy(_))
        ));
        let mine = tmp
            .path()
            .join(format!("{}dead", staging_prefix("t", &target)));
        let other = tmp
            .path()
            .join(format!("{}dead", staging_prefix("t", Path::new("out.v2"))));
        std::fs::create_dir_all(&mine).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        assert_eq!(
            remove_stale_staging("t", &target).unwrap(),
            std::slice::from_ref(&mine)
        );
        assert!(
            !mine.exists() && other.exists(),
            "only this output's leftovers"
        );
        drop(first);
        assert!(OutputLock::acquire(&target).is_ok(), "released on drop");
    }
}
