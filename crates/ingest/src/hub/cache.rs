//! One file of a dataset repo into the Hugging Face cache, through hf-hub,
//! then checked: its size against the listing and its sha256 against the
//! LFS object id (or the blob's etag name), so a truncated or corrupt
//! download never stays in the cache.
//!
//! hf-hub writes `blobs/<etag>.incomplete` and renames it only once the
//! body is complete; an interrupted download is restarted by the next run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hf_hub::progress::{DownloadEvent, ProgressEvent, ProgressHandler};
use hf_hub::{HFClient, HFError, HFRepositorySync, RepoTypeDataset};

use super::env::HubConfig;
use super::error::{HubError, HubResult};
use super::tree::{RepoFile, is_commit, is_sha256};
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
    repo: HFRepositorySync<RepoTypeDataset>,
    repo_id: String,
    revision: String,
    offline: bool,
    cache: PathBuf,
    endpoint: String,
    token_set: bool,
    max_tries: u32,
}

impl Downloader {
    pub fn new(cfg: &HubConfig, repo_id: &str, revision: &str) -> HubResult<Self> {
        let (owner, name) = repo_id.split_once('/').ok_or_else(|| HubError::Config {
            detail: format!("repo id {repo_id:?} is not owner/name"),
        })?;
        let mut builder = HFClient::builder()
            .endpoint(cfg.endpoint.clone())
            .cache_dir(cfg.cache_dir.clone())
            .user_agent(concat!("hubecon/", env!("CARGO_PKG_VERSION")))
            .retry_max_attempts(cfg.policy.max_tries.saturating_sub(1) as usize)
            // hf-hub waits 2B, 4B, ... before its retries.
            .retry_base_delay(cfg.policy.base_delay / 2);
        if let Some(t) = &cfg.token {
            builder = builder.token(t.clone());
        }
        let client = builder.build_sync().map_err(|e| HubError::Config {
            detail: format!("cannot set up hf-hub for {}: {e}", cfg.endpoint),
        })?;
        Ok(Self {
            repo: client.dataset(owner, name),
            repo_id: repo_id.to_string(),
            revision: revision.to_string(),
            offline: cfg.offline,
            cache: cfg.cache_dir.clone(),
            endpoint: cfg.endpoint.clone(),
            token_set: cfg.token.is_some(),
            max_tries: cfg.policy.max_tries,
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
        progress.start(path, expected.map_or(0, |e| e.size));
        let result = self.download(path, progress);
        progress.finish();
        let snapshot = result.map_err(|e| self.hub_error(path, e))?;
        self.verify(path, snapshot, expected)
    }

    /// Runs the hf-hub download on a helper thread and forwards its byte
    /// count to `progress` from this one.
    fn download(&self, path: &str, progress: &dyn Progress) -> Result<PathBuf, HFError> {
        let done = Arc::new(AtomicU64::new(0));
        let handler = Bytes(Arc::clone(&done));
        let repo = self.repo.clone();
        let (file, revision, offline) = (path.to_string(), self.revision.clone(), self.offline);
        std::thread::scope(|s| {
            let job = s.spawn(move || {
                repo.download_file()
                    .filename(file)
                    .revision(revision)
                    .local_files_only(offline)
                    .progress(handler)
                    .send()
            });
            let mut shown = 0;
            while !job.is_finished() {
                std::thread::sleep(Duration::from_millis(100));
                shown = forward(&done, shown, progress);
            }
            forward(&done, shown, progress);
            job.join().unwrap_or_else(|_| {
                Err(HFError::Other("the hf-hub download thread panicked".into()))
            })
        })
    }

    /// Size and sha256 of the blob behind `snapshot`, checked; a mismatch
    /// removes the blob and its snapshot link.
    fn verify(
        &self,
        path: &str,
        snapshot: PathBuf,
        expected: Option<&RepoFile>,
    ) -> HubResult<CachedFile> {
        let blob = std::fs::canonicalize(&snapshot).map_err(|e| HubError::io(&snapshot, e))?;
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
            let _ = std::fs::remove_file(&snapshot);
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

    fn hub_error(&self, path: &str, e: HFError) -> HubError {
        let (repo, file, revision) = (
            self.repo_id.clone(),
            path.to_string(),
            self.revision.clone(),
        );
        match e {
            HFError::LocalEntryNotFound { .. } | HFError::EntryNotFound { .. } if self.offline => {
                HubError::NotCached {
                    repo,
                    file,
                    revision,
                    cache: self.cache.clone(),
                }
            }
            HFError::EntryNotFound { .. } => HubError::FileNotInRepo {
                url: format!(
                    "{}/datasets/{repo}/resolve/{}/{file}",
                    self.endpoint,
                    super::tree::encode_segment(&revision)
                ),
                repo,
                file,
                revision,
            },
            HFError::AuthRequired { context } | HFError::Forbidden { context } => HubError::Auth {
                url: context.url.clone(),
                status: context.status.as_u16(),
                token_set: self.token_set,
            },
            HFError::RateLimited { context, .. } => HubError::RateLimited {
                url: context.url.clone(),
                tries: self.max_tries,
            },
            other => HubError::Download {
                repo,
                file,
                revision,
                detail: chain(&other),
            },
        }
    }
}

/// Advances `progress` to the byte count in `done`; returns what is shown.
fn forward(done: &AtomicU64, shown: u64, progress: &dyn Progress) -> u64 {
    let now = done.load(Ordering::Relaxed);
    if now > shown {
        progress.advance(now - shown);
        now
    } else {
        shown
    }
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

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

/// hf-hub's progress events as a byte count.
struct Bytes(Arc<AtomicU64>);

impl ProgressHandler for Bytes {
    fn on_progress(&self, event: &ProgressEvent) {
        if let ProgressEvent::Download(DownloadEvent::Progress { files }) = event {
            for f in files {
                self.0.fetch_max(f.bytes_completed, Ordering::Relaxed);
            }
        } else if let ProgressEvent::Download(DownloadEvent::AggregateProgress {
            bytes_completed,
            ..
        }) = event
        {
            self.0.fetch_max(*bytes_completed, Ordering::Relaxed);
        }
    }
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
