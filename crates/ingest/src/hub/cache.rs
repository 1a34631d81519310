//! One file of a dataset repo into the Hugging Face cache layout
//! (`blobs/<etag>`, `snapshots/<commit>/<path>` -> the blob, `refs/<rev>`),
//! then checked: its size against the listing and its sha256 against the
//! LFS object id (or the blob's etag name), so a truncated or corrupt
//! download never stays in the cache.
//!
//! Our own code, not hf-hub's download: the etag and commit a server sends
//! become file names here, and are checked ([`super::safe`]) before any
//! path is built; downloads get timeouts and resume ([`super::download`]).

use std::path::{Path, PathBuf};

use reqwest::header::HeaderMap;

use super::download::to_blob;
use super::env::HubConfig;
use super::error::{HubError, HubResult};
use super::files::write_atomic;
use super::http::{Http, content_length};
use super::safe;
use super::tree::{RepoFile, cached_commit, encode_segment, is_commit, is_sha256};
use crate::source::Progress;

/// A verified file in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedFile {
    /// `snapshots/<commit>/<path>` (a symlink to the blob).
    pub snapshot: PathBuf,
    /// `blobs/<etag>`: the content.
    pub blob: PathBuf,
    /// The commit the file was resolved at.
    pub commit: String,
    pub size: u64,
    pub sha256: String,
}

/// Downloads files of one dataset repo at one revision.
pub struct Downloader {
    /// `None` offline: nothing is asked of the network.
    http: Option<Http>,
    repo_id: String,
    revision: String,
    cache: PathBuf,
    repo_dir: PathBuf,
    endpoint: String,
}

/// What the HEAD of a resolve URL says about a file, checked.
struct Resolved {
    etag: String,
    commit: String,
    size: Option<u64>,
}

impl Downloader {
    pub fn new(cfg: &HubConfig, repo_id: &str, revision: &str) -> HubResult<Self> {
        let bad_id = repo_id.split('/').count() != 2;
        if bad_id || safe::relative("repo id", repo_id).is_err() {
            return Err(HubError::Config {
                detail: format!("repo id {repo_id:?} is not owner/name"),
            });
        }
        safe::relative("revision", revision)?;
        Ok(Self {
            http: (!cfg.offline).then(|| Http::new(cfg)).transpose()?,
            repo_id: repo_id.to_string(),
            revision: revision.to_string(),
            cache: cfg.cache_dir.clone(),
            repo_dir: cfg.dataset_folder(repo_id),
            endpoint: cfg.endpoint.clone(),
        })
    }

    /// Downloads `path` into the cache (offline: finds it there), shows a
    /// progress bar, and checks it against `expected` from the listing.
    pub fn get(
        &self,
        path: &str,
        expected: Option<&RepoFile>,
        progress: &dyn Progress,
    ) -> HubResult<CachedFile> {
        safe::relative("repo path", path)?;
        progress.start(path, expected.map_or(0, |e| e.size));
        let result = match &self.http {
            None => self.cached(path),
            Some(http) => self.download(http, path, expected, progress),
        };
        progress.finish();
        self.verify(path, result?, expected)
    }

    /// Offline: `snapshots/<commit of the revision>/<path>`.
    fn cached(&self, path: &str) -> HubResult<PathBuf> {
        let not_cached = || HubError::NotCached {
            repo: self.repo_id.clone(),
            file: path.to_string(),
            revision: self.revision.clone(),
            cache: self.cache.clone(),
        };
        let commit = cached_commit(&self.repo_dir, &self.revision).ok_or_else(not_cached)?;
        let snapshot = self.snapshot_path(&commit, path);
        if snapshot.exists() {
            Ok(snapshot)
        } else {
            Err(not_cached())
        }
    }

    fn download(
        &self,
        http: &Http,
        path: &str,
        expected: Option<&RepoFile>,
        progress: &dyn Progress,
    ) -> HubResult<PathBuf> {
        let encoded: Vec<String> = path.split('/').map(encode_segment).collect();
        let url = format!(
            "{}/datasets/{}/resolve/{}/{}",
            self.endpoint,
            self.repo_id,
            encode_segment(&self.revision),
            encoded.join("/")
        );
        let hint = format!(
            "dataset {} has no file {path} at revision {} (a gated repo also answers 404 \
             without a token: set HF_TOKEN)",
            self.repo_id, self.revision
        );
        let (answered, headers) = http.head(&url, &hint).map_err(|e| match e {
            HubError::NotFound { .. } => HubError::FileNotInRepo {
                repo: self.repo_id.clone(),
                file: path.to_string(),
                revision: self.revision.clone(),
                url: url.clone(),
            },
            other => other,
        })?;
        let r = self.resolved(&answered, &headers, path)?;
        let blobs = self.repo_dir.join("blobs");
        let blob = blobs.join(&r.etag);
        if !blob.is_file() {
            std::fs::create_dir_all(&blobs).map_err(|e| HubError::io(&blobs, e))?;
            let fail = |detail| self.download_error(path, detail);
            let size = r.size.or(expected.map(|e| e.size));
            to_blob(http, &url, &blob, size, &hint, progress, &fail)?;
        }
        let snapshot = self.snapshot_path(&r.commit, path);
        link_snapshot(&snapshot, path, &r.etag)?;
        if !is_commit(&self.revision) {
            let mut line = r.commit.clone().into_bytes();
            line.push(b'\n');
            write_atomic(&self.repo_dir.join("refs").join(&self.revision), &line)?;
        }
        Ok(snapshot)
    }

    /// The blob's etag, the commit and the size from a resolve HEAD, each
    /// checked before it names anything.
    fn resolved(&self, url: &str, h: &HeaderMap, path: &str) -> HubResult<Resolved> {
        let text = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let missing = |what: &str| {
            self.download_error(path, format!("{url} answered without an {what} header"))
        };
        let (header, raw) = match (text("x-linked-etag"), text("etag")) {
            (Some(t), _) => ("X-Linked-Etag", t),
            (None, Some(t)) => ("ETag", t),
            (None, None) => return Err(missing("ETag")),
        };
        let etag = safe::blob_etag(url, header, &raw)?;
        let commit = safe::commit(
            url,
            &text("x-repo-commit").ok_or_else(|| missing("X-Repo-Commit"))?,
        )?;
        let size = text("x-linked-size")
            .and_then(|s| s.trim().parse().ok())
            .or_else(|| content_length(h).filter(|n| *n > 0));
        Ok(Resolved { etag, commit, size })
    }

    fn snapshot_path(&self, commit: &str, path: &str) -> PathBuf {
        self.repo_dir.join("snapshots").join(commit).join(path)
    }

    fn download_error(&self, path: &str, detail: String) -> HubError {
        HubError::Download {
            repo: self.repo_id.clone(),
            file: path.to_string(),
            revision: self.revision.clone(),
            detail,
        }
    }

    /// Size and sha256 of the blob behind `snapshot`, checked; a mismatch
    /// removes the blob and its snapshot link.
    fn verify(
        &self,
        path: &str,
        snapshot: PathBuf,
        expected: Option<&RepoFile>,
    ) -> HubResult<CachedFile> {
        // A blob outside the cache (a poisoned link) is refused, never removed.
        let blob = safe::inside_cache(&snapshot, &self.cache)?;
        let commit = commit_of(&snapshot, path).ok_or_else(|| HubError::Download {
            repo: self.repo_id.clone(),
            file: path.to_string(),
            revision: self.revision.clone(),
            detail: format!("{} is not under snapshots/<commit>/", snapshot.display()),
        })?;
        let size = std::fs::metadata(&blob)
            .map_err(|e| HubError::io(&blob, e))?
            .len();
        let corrupt = |what, expected: String, found: String| {
            let _ = std::fs::remove_file(&blob);
            if snapshot
                .parent()
                .is_some_and(|dir| safe::inside_cache(dir, &self.cache).is_ok())
            {
                let _ = std::fs::remove_file(&snapshot);
            }
            HubError::Corrupt {
                repo: self.repo_id.clone(),
                file: path.to_string(),
                what,
                expected,
                found,
            }
        };
        if let Some(want) = expected.map(|e| e.size)
            && want != size
        {
            return Err(corrupt(
                "size",
                format!("{want} bytes"),
                format!("{size} bytes"),
            ));
        }
        let sha256 = crate::manifest::sha256_file(&blob).map_err(|e| HubError::Download {
            repo: self.repo_id.clone(),
            file: path.to_string(),
            revision: self.revision.clone(),
            detail: e.to_string(),
        })?;
        let etag = blob.file_name().map(|n| n.to_string_lossy().into_owned());
        let want_sha = expected
            .and_then(|e| e.sha256.clone())
            .or(etag.filter(|t| is_sha256(t)));
        if let Some(want) = want_sha
            && !want.eq_ignore_ascii_case(&sha256)
        {
            return Err(corrupt("sha256", want, sha256));
        }
        Ok(CachedFile {
            snapshot,
            blob,
            commit,
            size,
            sha256,
        })
    }
}

/// Points `snapshot` at `../../blobs/<etag>` (relative, as the HF cache
/// does), through a temporary link and a rename so that an old entry is
/// replaced, never followed.
fn link_snapshot(snapshot: &Path, path: &str, etag: &str) -> HubResult<()> {
    let dir = snapshot.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| HubError::io(dir, e))?;
    let up = "../".repeat(path.split('/').count() + 1);
    let target = PathBuf::from(format!("{up}blobs/{etag}"));
    let tmp = dir.join(format!(".{etag}.{}.link", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    make_link(&target, &dir.join(&target), &tmp).map_err(|e| HubError::io(&tmp, e))?;
    std::fs::rename(&tmp, snapshot).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        HubError::io(snapshot, e)
    })
}

#[cfg(unix)]
fn make_link(target: &Path, _resolved: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// Without symlinks: a hard link to (or a copy of) the blob.
#[cfg(not(unix))]
fn make_link(_target: &Path, resolved: &Path, link: &Path) -> std::io::Result<()> {
    std::fs::hard_link(resolved, link).or_else(|_| std::fs::copy(resolved, link).map(|_| ()))
}

/// The commit of `snapshots/<commit>/<path>`.
fn commit_of(snapshot: &Path, path: &str) -> Option<String> {
    let mut dir = snapshot;
    for _ in path.split('/') {
        dir = dir.parent()?;
    }
    let c = dir.file_name()?.to_str()?;
    let under_snapshots = dir.parent()?.file_name()? == "snapshots";
    (under_snapshots && is_commit(c)).then(|| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_is_read_from_the_snapshot_path() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        let p = PathBuf::from(format!(
            "/c/datasets--o--r/snapshots/{c}/models/2024-06-02/models.parquet"
        ));
        assert_eq!(
            commit_of(&p, "models/2024-06-02/models.parquet").as_deref(),
            Some(c)
        );
        assert_eq!(commit_of(&p, "models.parquet"), None);
    }
}
