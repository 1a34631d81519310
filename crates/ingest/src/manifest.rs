//! `manifest.json`: what a prepared dataset was made from and how.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::error::{IngestError, Result};
use crate::observations::ObservationReport;
use crate::source::{InputFile, SourceKind};

/// The manifest of a prepared dataset. Field order is the file's order;
/// nothing in it depends on the clock, so reruns are byte-identical.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Manifest {
    pub hubecon_version: String,
    pub source_kinds: Vec<SourceKind>,
    /// False when every input is a single-date listing: the one week then
    /// holds each model's all-time downloads, not a week's.
    pub weekly_history: bool,
    /// True when an input directory carries the synthetic generator's
    /// `truth.json`: figures must say "synthetic sample".
    pub synthetic: bool,
    pub inputs: Vec<InputFile>,
    pub rows: BTreeMap<String, u64>,
    pub first_week: Option<NaiveDate>,
    pub last_week: Option<NaiveDate>,
    pub snapshots: usize,
    pub rules: RuleCounts,
    pub annotations: AnnotationCounts,
    pub options: BTreeMap<String, String>,
    /// What the lineage stage found (counts by relation and source, cycles
    /// broken, missing parents), filled by the stage that runs it.
    pub lineage: Option<serde_json::Value>,
    pub notes: Vec<String>,
}

/// What each ingest rule did (see METHODS.md, "Weekly downloads").
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RuleCounts {
    pub observations: u64,
    pub duplicate_rows_dropped: u64,
    pub counter_decreases: u64,
    pub models_with_gaps: u64,
    pub missing_observations: u64,
    pub pre_series_downloads: u64,
    pub models_with_baseline: u64,
    pub late_baselines: u64,
    pub created_at_clamped: u64,
    pub created_at_from_first_seen: u64,
}

impl RuleCounts {
    pub fn from_report(r: &ObservationReport) -> Self {
        Self {
            observations: r.observations,
            duplicate_rows_dropped: r.duplicate_rows_dropped,
            counter_decreases: r.counter_decreases,
            models_with_gaps: r.models_with_gaps,
            missing_observations: r.missing_observations,
            pre_series_downloads: r.pre_series_downloads,
            models_with_baseline: r.models_with_baseline,
            late_baselines: r.late_baselines,
            ..Self::default()
        }
    }
}

/// How many authors got their annotation from where.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AnnotationCounts {
    pub release: u64,
    pub curated: u64,
    pub none: u64,
    /// Values a source used that are outside our vocabularies, with counts.
    pub unmapped_values: BTreeMap<String, u64>,
}

/// Size and sha256 of one input file.
pub fn input_file(
    path: &Path,
    kind: SourceKind,
    snapshot_date: Option<NaiveDate>,
    ignored_columns: Vec<String>,
) -> Result<InputFile> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| IngestError::io(path, e))?
        .len();
    Ok(InputFile {
        path: path.to_path_buf(),
        kind,
        bytes,
        sha256: sha256_file(path)?,
        snapshot_date,
        ignored_columns,
    })
}

/// Hex sha256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| IngestError::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_a_known_string() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(
            sha256_file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
