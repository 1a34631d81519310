//! `hubecon fetch`: the paper's annotated release and the weekly hub-stats
//! snapshots, downloaded into the Hugging Face cache and placed (hard link,
//! else copy) under `data/raw/<name>/` with a `fetch-manifest.json`.
//!
//! Online, the repo's file listing (Hub API) says which files exist, their
//! sizes and sha256; each download is checked against it. Offline
//! (`HF_HUB_OFFLINE=1`), the cache's snapshot folder is the listing.

use std::path::PathBuf;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::cache::Downloader;
use super::env::HubConfig;
use super::error::{HubError, HubResult};
use super::files::{Placed, place};
use super::http::Http;
use super::manifest::{FetchManifest, FetchedFile};
use super::tree::{RepoFile, cached_files, list_files};
use crate::source::Progress;

/// The paper's annotated release.
pub const RELEASE_REPO: &str = "mmpr/open_model_evolution_data";
/// Its two files: downloads with annotations, and the one-year window.
pub const RELEASE_FILES: [&str; 2] = [
    "all_downloads_with_annotations.parquet",
    "one_year_rolling.parquet",
];
/// The weekly copies of hub-stats `models.parquet`.
pub const SNAPSHOTS_REPO: &str = "hfmlsoc/hub_weekly_snapshots";
/// Folder names under `data/raw/`.
pub const RELEASE_DIR: &str = "release";
pub const SNAPSHOTS_DIR: &str = "hub_weekly_snapshots";

/// What to fetch at which revision, and where `data/raw` is.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// A branch, tag or commit of the dataset repo (default `main`).
    pub revision: String,
    /// The folder that receives `<name>/` (default `data/raw`).
    pub out_root: PathBuf,
}

/// What one fetch did.
#[derive(Debug, Clone)]
pub struct FetchReport {
    /// `out_root/<name>`.
    pub dir: PathBuf,
    /// The files of this run, in order.
    pub fetched: Vec<FetchedFile>,
    /// How many were hard links (the rest are copies).
    pub linked: usize,
    /// Skipped weeks and other remarks.
    pub notes: Vec<String>,
}

/// One file to fetch: its repo path, its path under the folder, and what
/// the listing says about it (nothing offline).
struct Planned {
    path: String,
    local: String,
    expected: Option<RepoFile>,
}

/// Fetches the annotated release into `out_root/release/`.
pub fn fetch_release(
    cfg: &HubConfig,
    opts: &FetchOptions,
    progress: &dyn Progress,
) -> HubResult<FetchReport> {
    let repo = RELEASE_REPO;
    let available = available_files(cfg, repo, &opts.revision, None)?;
    let mut plan = Vec::new();
    for name in RELEASE_FILES {
        let found = locate(&available, name).ok_or_else(|| missing(cfg, repo, name, opts))?;
        plan.push(Planned {
            path: found.path.clone(),
            local: name.to_string(),
            expected: (!cfg.offline).then(|| found.clone()),
        });
    }
    run(cfg, repo, RELEASE_DIR, opts, plan, Vec::new(), progress)
}

/// Fetches `models/<date>/models.parquet` for every snapshot dated in
/// `from..=to` into `out_root/hub_weekly_snapshots/`; Sundays without a
/// snapshot are skipped with a note.
pub fn fetch_snapshots(
    cfg: &HubConfig,
    opts: &FetchOptions,
    from: NaiveDate,
    to: NaiveDate,
    progress: &dyn Progress,
) -> HubResult<FetchReport> {
    if from > to {
        return Err(HubError::BadRange { from, to });
    }
    let repo = SNAPSHOTS_REPO;
    let available = available_files(cfg, repo, &opts.revision, Some("models"))?;
    let dated: Vec<(NaiveDate, RepoFile)> = available
        .into_iter()
        .filter_map(|f| snapshot_date(&f.path).map(|d| (d, f)))
        .filter(|(d, _)| (from..=to).contains(d))
        .collect();
    let dates: Vec<NaiveDate> = dated.iter().map(|(d, _)| *d).collect();
    let notes = week_notes(&dates, from, to, repo, &opts.revision);
    if dated.is_empty() {
        return Err(HubError::NothingInRange {
            repo: repo.into(),
            what: "models/<date>/models.parquet".into(),
            from,
            to,
            revision: opts.revision.clone(),
            where_: if cfg.offline {
                format!(
                    " in the cache {} (offline)",
                    cfg.dataset_folder(repo).display()
                )
            } else {
                String::new()
            },
            advice: if cfg.offline {
                "fetch them once online (unset HF_HUB_OFFLINE), or point HF_HOME at a cache \
                 that has them"
                    .into()
            } else {
                "widen --from/--to, or check the repo's models/ folder".into()
            },
        });
    }
    let plan = dated
        .into_iter()
        .map(|(_, f)| Planned {
            local: f.path.clone(),
            path: f.path.clone(),
            expected: (!cfg.offline).then_some(f),
        })
        .collect();
    run(cfg, repo, SNAPSHOTS_DIR, opts, plan, notes, progress)
}

/// The files of `repo` under `folder`: the Hub's listing online, the
/// cached snapshot offline (sizes and hashes are then checked against the
/// blob's etag only).
fn available_files(
    cfg: &HubConfig,
    repo: &str,
    revision: &str,
    folder: Option<&str>,
) -> HubResult<Vec<RepoFile>> {
    if !cfg.offline {
        return list_files(&Http::new(cfg)?, repo, revision, folder, true);
    }
    let cached = cached_files(cfg, repo, revision, folder.unwrap_or(""))?;
    Ok(cached
        .map(|(_, paths)| paths)
        .unwrap_or_default()
        .into_iter()
        .map(|path| RepoFile {
            path,
            size: 0,
            sha256: None,
        })
        .collect())
}

/// `name` at the repo root, else the one file elsewhere with that name.
fn locate<'a>(files: &'a [RepoFile], name: &str) -> Option<&'a RepoFile> {
    if let Some(f) = files.iter().find(|f| f.path == name) {
        return Some(f);
    }
    let suffix = format!("/{name}");
    let mut found = files.iter().filter(|f| f.path.ends_with(&suffix));
    match (found.next(), found.next()) {
        (Some(f), None) => Some(f),
        _ => None,
    }
}

fn missing(cfg: &HubConfig, repo: &str, name: &str, opts: &FetchOptions) -> HubError {
    if cfg.offline {
        return HubError::NotCached {
            repo: repo.into(),
            file: name.into(),
            revision: opts.revision.clone(),
            cache: cfg.cache_dir.clone(),
        };
    }
    HubError::FileNotInRepo {
        repo: repo.into(),
        file: name.into(),
        revision: opts.revision.clone(),
        url: format!(
            "{}/api/datasets/{repo}/tree/{}",
            cfg.endpoint,
            super::tree::encode_segment(&opts.revision)
        ),
    }
}

/// Downloads and places every planned file, then writes the manifest
/// (also when a later file fails, so what was fetched is recorded).
fn run(
    cfg: &HubConfig,
    repo: &str,
    name: &str,
    opts: &FetchOptions,
    plan: Vec<Planned>,
    mut notes: Vec<String>,
    progress: &dyn Progress,
) -> HubResult<FetchReport> {
    let dir = opts.out_root.join(name);
    let downloader = Downloader::new(cfg, repo, &opts.revision)?;
    let mut fetched = Vec::new();
    let mut linked = 0;
    let mut failure = None;
    for p in plan {
        match fetch_one(&downloader, repo, &p, &dir, progress) {
            Ok((file, how)) => {
                linked += usize::from(how == Placed::HardLink);
                fetched.push(file);
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    notes.extend(commit_note(&fetched));
    let manifest = FetchManifest {
        name: name.into(),
        repo: repo.into(),
        repo_type: "dataset".into(),
        revision_requested: opts.revision.clone(),
        endpoint: cfg.endpoint.clone(),
        files: fetched.clone(),
        notes: notes.clone(),
    }
    .merge(FetchManifest::read(&dir)?, &dir);
    if !manifest.files.is_empty() {
        manifest.write(&dir)?;
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(FetchReport {
            dir,
            fetched,
            linked,
            notes,
        }),
    }
}

fn fetch_one(
    downloader: &Downloader,
    repo: &str,
    p: &Planned,
    dir: &std::path::Path,
    progress: &dyn Progress,
) -> HubResult<(FetchedFile, Placed)> {
    let got = downloader.get(&p.path, p.expected.as_ref(), progress)?;
    let how = place(&got.blob, &dir.join(&p.local))?;
    Ok((
        FetchedFile {
            repo: repo.into(),
            path: p.path.clone(),
            local: p.local.clone(),
            revision: got.commit,
            size: got.size,
            sha256: got.sha256,
        },
        how,
    ))
}

/// A note when the files come from more than one commit (the repo moved
/// during the fetch).
fn commit_note(files: &[FetchedFile]) -> Option<String> {
    let mut commits: Vec<&str> = files.iter().map(|f| f.revision.as_str()).collect();
    commits.sort_unstable();
    commits.dedup();
    (commits.len() > 1).then(|| {
        format!(
            "the files come from {} commits ({}); the repo changed during the fetch",
            commits.len(),
            commits.join(", ")
        )
    })
}

/// The date of `models/<YYYY-MM-DD>/models.parquet`.
pub fn snapshot_date(path: &str) -> Option<NaiveDate> {
    let mut parts = path.split('/');
    let (Some("models"), Some(date), Some("models.parquet"), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// Notes on the weeks: each Sunday of the range without a snapshot, and
/// each snapshot dated on another weekday (kept).
fn week_notes(
    dates: &[NaiveDate],
    from: NaiveDate,
    to: NaiveDate,
    repo: &str,
    revision: &str,
) -> Vec<String> {
    let mut notes = Vec::new();
    let days_to_sunday = (7 - from.weekday().num_days_from_sunday()) % 7;
    let mut sunday = from + Duration::days(i64::from(days_to_sunday));
    while sunday <= to {
        if !dates.contains(&sunday) {
            notes.push(format!(
                "no snapshot for Sunday {sunday} in {repo} at {revision}: week skipped"
            ));
        }
        sunday += Duration::days(7);
    }
    for d in dates.iter().filter(|d| d.weekday() != Weekday::Sun) {
        notes.push(format!(
            "models/{d}/models.parquet is dated a {:?}, not a Sunday: kept",
            d.weekday()
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn snapshot_paths_are_recognised_exactly() {
        assert_eq!(
            snapshot_date("models/2024-06-02/models.parquet"),
            Some(d("2024-06-02"))
        );
        assert_eq!(snapshot_date("models/2024-06-02/other.parquet"), None);
        assert_eq!(snapshot_date("models/latest/models.parquet"), None);
        assert_eq!(snapshot_date("x/models/2024-06-02/models.parquet"), None);
    }

    #[test]
    fn missing_sundays_and_other_weekdays_are_noted() {
        // 2024-06-02 and 2024-06-16 are Sundays; 2024-06-10 a Monday.
        let notes = week_notes(
            &[d("2024-06-02"), d("2024-06-10")],
            d("2024-06-01"),
            d("2024-06-16"),
            "o/r",
            "main",
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].contains("Sunday 2024-06-09"));
        assert!(notes[1].contains("Sunday 2024-06-16"));
        assert!(notes[2].contains("2024-06-10") && notes[2].contains("Mon"));
    }

    #[test]
    fn a_release_file_is_found_at_the_root_or_by_a_unique_name() {
        let f = |p: &str| RepoFile {
            path: p.into(),
            size: 1,
            sha256: None,
        };
        let files = [
            f("data/a.parquet"),
            f("b.parquet"),
            f("x/b.parquet"),
            f("y/c"),
            f("z/c"),
        ];
        assert_eq!(locate(&files, "a.parquet").unwrap().path, "data/a.parquet");
        assert_eq!(locate(&files, "b.parquet").unwrap().path, "b.parquet");
        assert!(locate(&files, "c").is_none(), "ambiguous");
    }
}
