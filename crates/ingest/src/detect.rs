//! `--format auto`: which reader each input needs, decided from the files.

use std::path::{Path, PathBuf};

use crate::error::{IngestError, Result};
use crate::hubstats::has_snapshot_layout;
use crate::parquet_io::{check_parquet, column_names};
use crate::source::SourceKind;

/// The format the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatChoice {
    Auto,
    Fixed(SourceKind),
}

impl std::str::FromStr for FormatChoice {
    type Err = IngestError;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "auto" => Self::Auto,
            "hub-stats" => Self::Fixed(SourceKind::HubStats),
            "release" => Self::Fixed(SourceKind::Release),
            "api-json" => Self::Fixed(SourceKind::ApiJson),
            other => return Err(IngestError::UnknownFormat(other.to_string())),
        })
    }
}

/// One source to read: a path and its format, and why that format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub path: PathBuf,
    pub kind: SourceKind,
    pub reason: String,
}

/// The sources in `input`. A directory may hold several: the weekly
/// snapshots of hub-stats, release parquet files and API pages (a
/// `hubecon synth` output holds the first two).
pub fn detect(input: &Path, choice: FormatChoice) -> Result<Vec<Detected>> {
    if !input.exists() {
        return Err(IngestError::io(
            input,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    if let FormatChoice::Fixed(kind) = choice {
        return Ok(vec![Detected {
            path: input.into(),
            kind,
            reason: "--format".into(),
        }]);
    }
    if input.is_file() {
        return detect_file(input).map(|d| vec![d]);
    }
    detect_dir(input)
}

fn detect_file(path: &Path) -> Result<Detected> {
    let is_json = path.extension().is_some_and(|x| x == "json");
    if is_json {
        return Ok(found(path, SourceKind::ApiJson, "a .json file"));
    }
    check_parquet(path)?;
    let names = column_names(path)?;
    let has = |c: &str| names.iter().any(|n| n == c);
    if has("model") && has("time") {
        Ok(found(
            path,
            SourceKind::Release,
            "parquet with `model` and `time` columns",
        ))
    } else if has("id") || has("modelId") {
        Ok(found(
            path,
            SourceKind::HubStats,
            "parquet with an `id` column",
        ))
    } else {
        Err(IngestError::Undetectable {
            path: path.into(),
            reason: format!(
                "its columns ({}) have neither `id` (hub-stats) nor `model` and `time` (release)",
                names.join(", ")
            ),
        })
    }
}

fn detect_dir(dir: &Path) -> Result<Vec<Detected>> {
    let mut out = Vec::new();
    if has_snapshot_layout(dir) {
        out.push(found(
            dir,
            SourceKind::HubStats,
            "models/<YYYY-MM-DD>/models.parquet snapshots",
        ));
    }
    for sub in [dir.to_path_buf(), dir.join("release")] {
        for file in parquet_files(&sub) {
            // A parquet that cannot be read is an error, not a file to skip:
            // a truncated release would otherwise give a run without its
            // annotations. A readable one of another kind (synth's
            // truth_models.parquet) is not an input.
            match detect_file(&file) {
                Ok(d) if d.kind == SourceKind::Release => out.push(d),
                Ok(_) | Err(IngestError::Undetectable { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    for sub in [dir.to_path_buf(), dir.join("api")] {
        if has_json(&sub) {
            out.push(found(
                &sub,
                SourceKind::ApiJson,
                "a directory of .json pages",
            ));
        }
    }
    if out.is_empty() {
        return Err(IngestError::Undetectable {
            path: dir.into(),
            reason:
                "it holds no models/<YYYY-MM-DD>/models.parquet snapshots, no release parquet file \
                     and no .json pages"
                    .into(),
        });
    }
    Ok(out)
}

fn found(path: &Path, kind: SourceKind, reason: &str) -> Detected {
    Detected {
        path: path.into(),
        kind,
        reason: reason.into(),
    }
}

fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    files.sort();
    files
}

fn has_json(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| crate::apijson::is_page_file(&e.path()))
}
