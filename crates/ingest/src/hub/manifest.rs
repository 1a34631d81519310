//! `fetch-manifest.json`: what `hubecon fetch` placed in a `data/raw/<name>/`
//! folder, file by file: repo, path, commit, size and sha256.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{HubError, HubResult};
use super::files::write_atomic;

/// The manifest's file name.
pub const FETCH_MANIFEST: &str = "fetch-manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchManifest {
    /// The folder under `data/raw/` (`release`, `hub_weekly_snapshots`).
    pub name: String,
    /// `owner/name` of the dataset repo.
    pub repo: String,
    pub repo_type: String,
    /// The revision asked for (a branch, tag or commit).
    pub revision_requested: String,
    /// The Hub the files came from.
    pub endpoint: String,
    /// Every file in the folder, sorted by path.
    pub files: Vec<FetchedFile>,
    /// What the last fetch skipped or noticed.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One fetched file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedFile {
    pub repo: String,
    /// Repo-relative path.
    pub path: String,
    /// Path under the manifest's folder, `/`-separated.
    pub local: String,
    /// The commit sha the file was resolved at (`x-repo-commit`).
    pub revision: String,
    pub size: u64,
    pub sha256: String,
}

impl FetchManifest {
    /// Reads the manifest of `dir`, if there is one.
    pub fn read(dir: &Path) -> HubResult<Option<Self>> {
        let path = dir.join(FETCH_MANIFEST);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| HubError::BadState {
                    path,
                    detail: format!("not a fetch manifest: {e}"),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(HubError::io(path, e)),
        }
    }

    /// Adds `fetched` to the files of an earlier manifest of the same repo
    /// (a file fetched again replaces its entry; entries whose file is gone
    /// from `dir` are dropped).
    pub fn merge(mut self, earlier: Option<Self>, dir: &Path) -> Self {
        if let Some(old) = earlier.filter(|o| o.repo == self.repo) {
            for f in old.files {
                let kept = !self.files.iter().any(|n| n.local == f.local);
                if kept && dir.join(&f.local).is_file() {
                    self.files.push(f);
                }
            }
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self
    }

    /// Writes `dir/fetch-manifest.json` atomically.
    pub fn write(&self, dir: &Path) -> HubResult<()> {
        let path = dir.join(FETCH_MANIFEST);
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| HubError::BadState {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        bytes.push(b'\n');
        write_atomic(&path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, sha: &str) -> FetchedFile {
        FetchedFile {
            repo: "o/r".into(),
            path: format!("sub/{path}"),
            local: path.into(),
            revision: "c".repeat(40),
            size: 1,
            sha256: sha.into(),
        }
    }

    fn manifest(files: Vec<FetchedFile>) -> FetchManifest {
        FetchManifest {
            name: "n".into(),
            repo: "o/r".into(),
            repo_type: "dataset".into(),
            revision_requested: "main".into(),
            endpoint: "http://x".into(),
            files,
            notes: vec![],
        }
    }

    #[test]
    fn merge_keeps_earlier_files_still_present_and_replaces_refetched_ones() {
        let dir = tempfile::tempdir().unwrap();
        for p in ["a", "b"] {
            std::fs::write(dir.path().join(p), b"x").unwrap();
        }
        let earlier = manifest(vec![
            file("a", "old"),
            file("b", "old"),
            file("gone", "old"),
        ]);
        let merged = manifest(vec![file("b", "new")]).merge(Some(earlier), dir.path());
        let got: Vec<(&str, &str)> = merged
            .files
            .iter()
            .map(|f| (f.local.as_str(), f.sha256.as_str()))
            .collect();
        assert_eq!(got, [("a", "old"), ("b", "new")]);
    }

    #[test]
    fn round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(vec![file("a", "s")]);
        m.write(dir.path()).unwrap();
        assert_eq!(FetchManifest::read(dir.path()).unwrap(), Some(m));
    }
}
