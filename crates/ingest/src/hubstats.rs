//! Reader for hub-stats `models.parquet` snapshots: one file, or a directory
//! laid out as `models/<YYYY-MM-DD>/models.parquet` (the weekly-snapshot
//! dataset `hfmlsoc/hub_weekly_snapshots`).
//!
//! Every snapshot gives one observation of each model's cumulative counter.
//! Metadata is taken from the newest snapshot a model appears in (newer
//! snapshots carry more columns and the Hub's current view of the model).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;

use crate::error::{IngestError, PolarsContext, Result};
use crate::meta::ModelMeta;
use crate::observations::cols;
use crate::parquet_io::{
    column_names, count_column, date_column, json_rows, parse_date, read_columns, require_column,
    text_column,
};
use crate::source::{InputFile, ModelRecord, Progress, SourceData, SourceKind};
use crate::week::to_epoch_days;

/// Columns carried into the models table through [`ModelMeta::from_row`].
pub const METADATA_COLUMNS: [&str; 13] = [
    "author",
    "tags",
    "pipeline_tag",
    "library_name",
    "safetensors",
    "gguf",
    "baseModels",
    "cardData",
    "config",
    "siblings",
    "gated",
    "likes",
    "downloads",
];
const ID: [&str; 2] = ["id", "modelId"];
const COUNTER: [&str; 1] = ["downloadsAllTime"];
const CREATED: &str = "createdAt";
const LAST_MODIFIED: &str = "lastModified";

/// One snapshot file and the date it was taken.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Snapshot {
    pub date: Option<NaiveDate>,
    pub path: PathBuf,
}

/// Snapshot files under `input`: the file itself, or every
/// `<YYYY-MM-DD>/models.parquet` below `input` or `input/models`, by date.
pub fn discover_snapshots(input: &Path) -> Result<Vec<Snapshot>> {
    if input.is_file() {
        return Ok(vec![Snapshot {
            date: date_of_dir(input),
            path: input.to_path_buf(),
        }]);
    }
    let mut out = Vec::new();
    for base in [input.to_path_buf(), input.join("models")] {
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        for e in entries.flatten() {
            let file = e.path().join("models.parquet");
            let date = e.file_name().to_str().and_then(parse_date);
            if let (Some(date), true) = (date, file.is_file()) {
                out.push(Snapshot {
                    date: Some(date),
                    path: file,
                });
            }
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(IngestError::NoInput {
            path: input.into(),
            expected: "models/<YYYY-MM-DD>/models.parquet snapshot files".into(),
        });
    }
    Ok(out)
}

/// True when `dir` holds weekly snapshots.
pub fn has_snapshot_layout(dir: &Path) -> bool {
    dir.is_dir() && discover_snapshots(dir).is_ok()
}

fn date_of_dir(file: &Path) -> Option<NaiveDate> {
    file.parent()?.file_name()?.to_str().and_then(parse_date)
}

/// Reads every snapshot under `input`. A single file without a dated
/// directory is dated `snapshot_date`, else by its newest `lastModified` or
/// `createdAt` (see METHODS.md).
pub fn read_hub_stats(
    input: &Path,
    snapshot_date: Option<NaiveDate>,
    progress: &dyn Progress,
) -> Result<SourceData> {
    let snapshots = discover_snapshots(input)?;
    let mut data = SourceData::new(SourceKind::HubStats);
    let mut seen: HashSet<String> = HashSet::new();
    let mut frames = Vec::with_capacity(snapshots.len());
    progress.start("reading hub-stats snapshots", snapshots.len() as u64);
    // Newest first, so each model's metadata comes from its newest snapshot.
    for snap in snapshots.iter().rev() {
        let (frame, file, records) = read_snapshot(snap, snapshot_date, &mut seen)?;
        frames.push(frame);
        data.files.push(file);
        data.models.extend(records);
        progress.advance(1);
    }
    progress.finish();
    data.files.reverse();
    data.observations = concat_observations(frames)?;
    Ok(data)
}

pub(crate) fn concat_observations(frames: Vec<DataFrame>) -> Result<DataFrame> {
    if frames.is_empty() {
        return Ok(DataFrame::empty());
    }
    let lazy: Vec<LazyFrame> = frames.into_iter().map(IntoLazy::lazy).collect();
    concat(lazy, UnionArgs::default())
        .and_then(LazyFrame::collect)
        .during(|| "joining the observations of all snapshots".into())
}

fn read_snapshot(
    snap: &Snapshot,
    fallback_date: Option<NaiveDate>,
    seen: &mut HashSet<String>,
) -> Result<(DataFrame, InputFile, Vec<ModelRecord>)> {
    let path = &snap.path;
    let names = column_names(path)?;
    let id_col = require_column(path, &names, &ID)?;
    let counter_col = require_column(path, &names, &COUNTER)?;
    let wanted = used_columns(&names, &id_col, &counter_col);
    let df = read_columns(path, &wanted)?;
    let ids = text_column(&df, &id_col, path)?;
    if let Some(row) = ids.iter().position(|v| v.is_none_or(str::is_empty)) {
        return Err(IngestError::BadValue {
            at: crate::error::Location::file(path).column(&id_col).row(row),
            value: "null".into(),
            expected: "a model id".into(),
        });
    }
    let date = match snap.date.or(fallback_date) {
        Some(d) => d,
        None => newest_date(&df, path, &ids)?,
    };
    let counts = count_column(&df, &counter_col, path, &ids)?;
    let observations = observation_frame(&ids, date, counts)?;
    let records = new_model_records(&df, &ids, date, path, seen)?;
    let file = crate::manifest::input_file(
        path,
        SourceKind::HubStats,
        Some(date),
        ignored(&names, &wanted),
    )?;
    Ok((observations, file, records))
}

fn used_columns(names: &[String], id_col: &str, counter_col: &str) -> Vec<String> {
    names
        .iter()
        .filter(|n| {
            *n == id_col
                || *n == counter_col
                || *n == CREATED
                || *n == LAST_MODIFIED
                || METADATA_COLUMNS.contains(&n.as_str())
        })
        .cloned()
        .collect()
}

fn ignored(names: &[String], used: &[String]) -> Vec<String> {
    names
        .iter()
        .filter(|n| !used.contains(n))
        .cloned()
        .collect()
}

/// The newest `lastModified` or `createdAt` date in a single file.
fn newest_date(df: &DataFrame, path: &Path, ids: &StringChunked) -> Result<NaiveDate> {
    let mut newest: Option<i32> = None;
    for name in [LAST_MODIFIED, CREATED] {
        if df.column(name).is_ok() {
            let days = date_column(df, name, path, ids, true)?;
            newest = newest.max(days.into_iter().flatten().max());
        }
    }
    newest
        .map(crate::week::from_epoch_days)
        .ok_or_else(|| IngestError::MissingColumn {
            at: crate::error::Location::file(path),
            expected: "a dated directory (models/<YYYY-MM-DD>/models.parquet), --snapshot-date, \
                   or a lastModified/createdAt column to date the snapshot"
                .into(),
        })
}

pub(crate) fn observation_frame(
    ids: &StringChunked,
    date: NaiveDate,
    counts: UInt64Chunked,
) -> Result<DataFrame> {
    observation_frame_days(ids, vec![to_epoch_days(date); ids.len()], counts)
}

/// An observation frame from ids, days since 1970 and counters.
pub(crate) fn observation_frame_days(
    ids: &StringChunked,
    days: Vec<i32>,
    counts: UInt64Chunked,
) -> Result<DataFrame> {
    let n = ids.len();
    let days = Int32Chunked::from_vec(cols::TIME.into(), days)
        .into_series()
        .cast(&DataType::Date)
        .during(|| "dating observations".into())?;
    DataFrame::new(
        n,
        vec![
            ids.clone().with_name(cols::MODEL_ID.into()).into_column(),
            days.into_column(),
            counts
                .with_name(cols::DOWNLOADS_ALL_TIME.into())
                .into_column(),
        ],
    )
    .during(|| "building observations".into())
}

/// Metadata records for the models of this snapshot not seen in a newer one
/// (the first of a model's rows in this snapshot).
fn new_model_records(
    df: &DataFrame,
    ids: &StringChunked,
    date: NaiveDate,
    path: &Path,
    seen: &mut HashSet<String>,
) -> Result<Vec<ModelRecord>> {
    let mask: BooleanChunked = ids
        .iter()
        .map(|id| {
            let id = id.unwrap_or_default();
            Some(!seen.contains(id) && seen.insert(id.to_string()))
        })
        .collect();
    if !mask.any() {
        return Ok(Vec::new());
    }
    let fresh = df.filter(&mask).during(|| "selecting new models".into())?;
    let fresh_ids = ids.filter(&mask).during(|| "selecting new models".into())?;
    let created = match fresh.column(CREATED) {
        Ok(_) => date_column(&fresh, CREATED, path, &fresh_ids, true)?,
        Err(_) => vec![None; fresh.height()],
    };
    let meta_cols: Vec<String> = METADATA_COLUMNS
        .iter()
        .filter(|c| fresh.column(c).is_ok())
        .map(|c| c.to_string())
        .collect();
    let observed_at = to_epoch_days(date);
    json_rows(&fresh, &meta_cols, path, |i, row| ModelRecord {
        meta: ModelMeta::from_row(fresh_ids.get(i).unwrap_or_default(), &row),
        created_at: created[i],
        observed_at,
    })
}
