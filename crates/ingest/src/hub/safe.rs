//! What a server or a listing says is checked before it names a path: the
//! blob's etag and the commit become file names in the cache, a repo path
//! becomes a folder under `snapshots/<commit>/`, and nothing is removed
//! unless it really lies inside the cache.
//!
//! hf-hub 1.0 built cache paths from these headers unchecked, so a hostile
//! `HF_ENDPOINT` could write (`../` etag or commit) or make `verify` delete
//! (absolute etag) a file anywhere.

use std::path::{Component, Path, PathBuf};

use super::error::{HubError, HubResult};

/// The etag of a blob as the cache names it: `W/` and quotes stripped, then
/// lowercase hex of 40 (git blob id) or 64 (LFS sha256) digits.
pub fn blob_etag(url: &str, header: &'static str, raw: &str) -> HubResult<String> {
    let t = raw.trim();
    let t = t.strip_prefix("W/").unwrap_or(t);
    let t = t
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(t);
    if matches!(t.len(), 40 | 64) && is_lower_hex(t) {
        return Ok(t.to_string());
    }
    Err(HubError::UnsafeHeader {
        url: url.to_string(),
        header,
        value: raw.to_string(),
        expected: "lowercase hex of 40 or 64 digits (a git blob id or a sha256)",
    })
}

/// A commit id: exactly 40 lowercase hex digits.
pub fn commit(url: &str, raw: &str) -> HubResult<String> {
    let t = raw.trim();
    if t.len() == 40 && is_lower_hex(t) {
        return Ok(t.to_string());
    }
    Err(HubError::UnsafeHeader {
        url: url.to_string(),
        header: "X-Repo-Commit",
        value: raw.to_string(),
        expected: "a commit id of 40 lowercase hex digits",
    })
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A relative `/`-separated path with only normal parts: no `..`, `.`,
/// empty part, leading `/`, backslash or NUL. `what` names it in the error.
pub fn relative(what: &'static str, p: &str) -> HubResult<()> {
    let bad = |detail| {
        Err(HubError::UnsafePath {
            what,
            value: p.to_string(),
            detail,
        })
    };
    if p.is_empty() || p.starts_with('/') {
        return bad("it must be a relative path");
    }
    if p.contains('\\') || p.contains('\0') {
        return bad("it must not hold a backslash or a NUL byte");
    }
    if p.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
        return bad("its parts must not be empty, . or ..");
    }
    let normal = Path::new(p)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !normal {
        return bad("it must be a plain relative path");
    }
    Ok(())
}

/// `path` resolved (links followed), if that lies inside `cache`; an
/// `OutsideCache` error otherwise, and nothing is touched.
pub fn inside_cache(path: &Path, cache: &Path) -> HubResult<PathBuf> {
    let target = std::fs::canonicalize(path).map_err(|e| HubError::io(path, e))?;
    let root = std::fs::canonicalize(cache).map_err(|e| HubError::io(cache, e))?;
    if target.starts_with(&root) {
        Ok(target)
    } else {
        Err(HubError::OutsideCache {
            path: path.to_path_buf(),
            target,
            cache: root,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_are_hex_after_quotes_and_weak_prefix() {
        let sha = "ab".repeat(32);
        let oid = "0f".repeat(20);
        assert_eq!(blob_etag("u", "ETag", &format!("\"{sha}\"")).unwrap(), sha);
        assert_eq!(
            blob_etag("u", "ETag", &format!("W/\"{oid}\"")).unwrap(),
            oid
        );
        assert_eq!(blob_etag("u", "ETag", &oid).unwrap(), oid);
        for bad in [
            "../../x",
            "/etc/passwd",
            "\"../../../../tmp/x\"",
            &"AB".repeat(32),
            &"ab".repeat(31),
            &format!("{}/", "a".repeat(39)),
            "",
        ] {
            let e = blob_etag("http://h/r", "X-Linked-Etag", bad).unwrap_err();
            assert!(matches!(e, HubError::UnsafeHeader { .. }), "{bad}: {e}");
            assert!(e.to_string().contains("X-Linked-Etag"), "{e}");
        }
    }

    #[test]
    fn commits_are_exactly_forty_lowercase_hex_digits() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(commit("u", c).unwrap(), c);
        for bad in [
            "../../../escape",
            &c[..39],
            &c.to_uppercase(),
            &format!("{c}0"),
        ] {
            assert!(commit("u", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn repo_paths_must_stay_below_their_folder() {
        relative("repo path", "models/2024-06-02/models.parquet").unwrap();
        for bad in ["../x", "a/../../x", "/etc/x", "a//b", "./a", "a\\..\\b", ""] {
            assert!(relative("repo path", bad).is_err(), "{bad}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_paths_inside_the_cache_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        std::fs::create_dir(&cache).unwrap();
        let inside = cache.join("blob");
        let outside = dir.path().join("user-file");
        std::fs::write(&inside, b"x").unwrap();
        std::fs::write(&outside, b"y").unwrap();
        assert!(inside_cache(&inside, &cache).is_ok());
        let link = cache.join("link");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        let e = inside_cache(&link, &cache).unwrap_err();
        assert!(matches!(e, HubError::OutsideCache { .. }), "{e}");
    }
}
