//! What every reader produces: the common shape of one input source.

use std::path::PathBuf;

use polars::prelude::*;

use crate::meta::ModelMeta;
use crate::observation_table::ObservationTable;

/// The raw data formats `hubecon prepare` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// hub-stats `models.parquet`: one file, or weekly `models/<date>/models.parquet`.
    HubStats,
    /// The paper's annotated release (`all_downloads_with_annotations.parquet`).
    Release,
    /// Pages of `GET /api/models` saved as JSON arrays.
    ApiJson,
}

impl SourceKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::HubStats => "hub-stats",
            Self::Release => "release",
            Self::ApiJson => "api-json",
        }
    }
}

/// One model's metadata as read from one source at one date.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRecord {
    pub meta: ModelMeta,
    /// `createdAt` as days since 1970, when the source has it.
    pub created_at: Option<i32>,
    /// The date of the snapshot this metadata comes from (days since 1970).
    pub observed_at: i32,
}

/// What the annotated release adds to a model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReleaseModel {
    pub model_id: String,
    pub author: Option<String>,
    pub created_at: Option<i32>,
    pub parents: Vec<String>,
    pub derived_author: Option<String>,
    pub modality: Option<String>,
    pub languages: Vec<String>,
}

/// A developer annotation as a source states it, before normalisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawAnnotation {
    pub author: String,
    pub org_type: Option<String>,
    pub country: Option<String>,
    pub country_group: Option<String>,
}

/// One input file, for the manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputFile {
    pub path: PathBuf,
    pub kind: SourceKind,
    pub bytes: u64,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_date: Option<chrono::NaiveDate>,
    /// Columns present in the file that prepare does not use.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_columns: Vec<String>,
}

/// Everything one source contributes.
pub struct SourceData {
    pub kind: SourceKind,
    /// `model_id`, `time` (Date), `downloads_all_time` (UInt64), from the
    /// readers that keep a frame (the release, API pages).
    pub observations: DataFrame,
    /// Observations already numbered as read (hub-stats snapshots).
    pub table: ObservationTable,
    pub models: Vec<ModelRecord>,
    pub release_models: Vec<ReleaseModel>,
    /// The release's first-year downloads by model (`one_year_rolling.parquet`).
    pub first_year_downloads: Vec<(String, u64)>,
    pub annotations: Vec<RawAnnotation>,
    pub files: Vec<InputFile>,
    pub notes: Vec<String>,
}

impl SourceData {
    pub fn new(kind: SourceKind) -> Self {
        Self {
            kind,
            observations: DataFrame::empty(),
            table: ObservationTable::default(),
            models: Vec::new(),
            release_models: Vec::new(),
            first_year_downloads: Vec::new(),
            annotations: Vec::new(),
            files: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// Reports progress of long work; the CLI draws bars, tests stay silent.
pub trait Progress: Sync {
    fn start(&self, stage: &str, total: u64);
    fn advance(&self, n: u64);
    fn finish(&self);
}

/// A [`Progress`] that shows nothing.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
