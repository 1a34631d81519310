//! What a dataset repo holds: its file listing from the Hub API
//! (`GET {endpoint}/api/datasets/{repo}/tree/{revision}/{folder}`, paged by
//! `Link` headers), or, offline, from the snapshot folder in the cache.

use std::path::Path;

use serde_json::Value;

use super::env::HubConfig;
use super::error::{HubError, HubResult};
use super::http::Http;

/// One file of a repo, as the Hub lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFile {
    /// Repo-relative path with `/` separators.
    pub path: String,
    /// Size in bytes of the file's content (the LFS object, if any).
    pub size: u64,
    /// sha256 of the content, known for LFS files (`lfs.oid`).
    pub sha256: Option<String>,
}

/// The files under `folder` (the repo root when `None`) at `revision`.
pub fn list_files(
    http: &Http,
    repo: &str,
    revision: &str,
    folder: Option<&str>,
    recursive: bool,
) -> HubResult<Vec<RepoFile>> {
    let mut path = format!("/api/datasets/{repo}/tree/{}", encode_segment(revision));
    if let Some(f) = folder {
        path.push('/');
        path.push_str(f.trim_matches('/'));
    }
    if recursive {
        path.push_str("?recursive=true");
    }
    let hint = format!(
        "dataset {repo}, revision {revision} or folder {} does not exist (a private or gated \
         repo also answers 404 without a token: set HF_TOKEN)",
        folder.unwrap_or("/")
    );
    let mut next = Some(http.url(&path)?.to_string());
    let mut files = Vec::new();
    while let Some(url) = next {
        let page = http.get(&url, &hint)?;
        files.extend(parse_listing(&url, &page.body)?);
        next = page.next;
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The file entries of one page of a tree listing.
fn parse_listing(url: &str, body: &[u8]) -> HubResult<Vec<RepoFile>> {
    let bad = |detail: String| HubError::MalformedListing {
        url: url.to_string(),
        detail,
    };
    let value: Value = serde_json::from_slice(body).map_err(|e| bad(format!("not JSON: {e}")))?;
    let Value::Array(entries) = value else {
        return Err(bad("not a JSON array".into()));
    };
    let mut files = Vec::new();
    for e in &entries {
        if e.get("type").and_then(Value::as_str) != Some("file") {
            continue;
        }
        let path = e
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("an entry without a path: {e}")))?;
        let lfs = e.get("lfs");
        let size = lfs
            .and_then(|l| l.get("size"))
            .or_else(|| e.get("size"))
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(format!("{path} has no size")))?;
        let sha256 = lfs
            .and_then(|l| l.get("oid").or_else(|| l.get("sha256")))
            .and_then(Value::as_str)
            .filter(|s| is_sha256(s))
            .map(str::to_string);
        files.push(RepoFile {
            path: path.to_string(),
            size,
            sha256,
        });
    }
    Ok(files)
}

/// Offline: the commit `revision` points to in the cache and the files of
/// its snapshot under `folder`, or `None` when the cache has no such ref.
pub fn cached_files(
    cfg: &HubConfig,
    repo: &str,
    revision: &str,
    folder: &str,
) -> HubResult<Option<(String, Vec<String>)>> {
    let repo_dir = cfg.dataset_folder(repo);
    let Some(commit) = cached_commit(&repo_dir, revision) else {
        return Ok(None);
    };
    let root = repo_dir.join("snapshots").join(&commit);
    let mut files = Vec::new();
    walk(&root, &root.join(folder), &mut files)?;
    files.sort();
    Ok(Some((commit, files)))
}

/// The commit a revision resolves to in the cache (`refs/<revision>`), or
/// the revision itself when it is a commit hash.
pub fn cached_commit(repo_dir: &Path, revision: &str) -> Option<String> {
    if is_commit(revision) {
        return Some(revision.to_string());
    }
    let s = std::fs::read_to_string(repo_dir.join("refs").join(revision)).ok()?;
    let c = s.trim();
    is_commit(c).then(|| c.to_string())
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> HubResult<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry.map_err(|e| HubError::io(dir, e))?;
        let p = entry.path();
        if p.is_dir() {
            walk(root, &p, out)?;
        } else if p.exists()
            && let Ok(rel) = p.strip_prefix(root)
        {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// A 40-hex git commit id.
pub fn is_commit(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A 64-hex sha256.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Percent-encodes a revision as one path segment (`refs/pr/1` ->
/// `refs%2Fpr%2F1`), as the Hub API expects.
pub fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_keeps_files_with_their_lfs_size_and_sha() {
        let sha = "a".repeat(64);
        let body = format!(
            r#"[{{"type":"directory","oid":"1","path":"models/2024-06-02"}},
                {{"type":"file","oid":"2","size":134,"path":"models/2024-06-02/models.parquet",
                  "lfs":{{"oid":"{sha}","size":99999,"pointerSize":134}}}},
                {{"type":"file","oid":"3","size":12,"path":"README.md"}}]"#
        );
        let files = parse_listing("u", body.as_bytes()).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].size, 99999, "the LFS size, not the pointer's");
        assert_eq!(files[0].sha256.as_deref(), Some(sha.as_str()));
        assert_eq!(files[1].sha256, None);
        assert_eq!(files[1].size, 12);
    }

    #[test]
    fn a_listing_that_is_not_an_array_is_an_error() {
        let e = parse_listing("http://x/api", br#"{"error":"x"}"#).unwrap_err();
        assert!(e.to_string().contains("http://x/api"), "{e}");
    }

    #[test]
    fn revisions_are_one_segment() {
        assert_eq!(encode_segment("refs/pr/1"), "refs%2Fpr%2F1");
        assert_eq!(encode_segment("main"), "main");
    }
}
