//! Writing without leaving half-written files: atomic writes, and placing a
//! cached file into `data/raw/` as a hard link (or a copy).

use std::path::{Path, PathBuf};

use super::error::{HubError, HubResult};

/// How a cached file was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// A hard link to the cache blob: no extra space.
    HardLink,
    /// A copy (the cache is on another file system, or links are refused).
    Copy,
}

/// Writes `bytes` to `path` through a temporary file in the same folder and
/// a rename, so readers see the old file or the new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> HubResult<()> {
    let dir = parent(path);
    std::fs::create_dir_all(&dir).map_err(|e| HubError::io(&dir, e))?;
    let tmp = tmp_name(path);
    std::fs::write(&tmp, bytes).map_err(|e| HubError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        HubError::io(path, e)
    })
}

/// Makes `dest` hold the content of `blob`: a hard link when possible,
/// else a copy; either way through a temporary name and a rename.
pub fn place(blob: &Path, dest: &Path) -> HubResult<Placed> {
    let dir = parent(dest);
    std::fs::create_dir_all(&dir).map_err(|e| HubError::io(&dir, e))?;
    let tmp = tmp_name(dest);
    let _ = std::fs::remove_file(&tmp);
    let how = if std::fs::hard_link(blob, &tmp).is_ok() {
        Placed::HardLink
    } else {
        std::fs::copy(blob, &tmp).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            HubError::io(dest, e)
        })?;
        Placed::Copy
    };
    std::fs::rename(&tmp, dest).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        HubError::io(dest, e)
    })?;
    Ok(how)
}

fn parent(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// `.<name>.tmp` beside `path`: hidden, and not a `*.json` or `*.parquet`
/// that a reader would pick up.
fn tmp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent(path).join(format!(".{name}.tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.json");
        write_atomic(&p, b"[1]").unwrap();
        write_atomic(&p, b"[2]").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"[2]");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["b.json"]);
    }

    #[test]
    fn place_links_on_the_same_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let blob = dir.path().join("blob");
        std::fs::write(&blob, b"data").unwrap();
        let dest = dir.path().join("raw/x.parquet");
        assert_eq!(place(&blob, &dest).unwrap(), Placed::HardLink);
        assert_eq!(std::fs::read(&dest).unwrap(), b"data");
    }
}
