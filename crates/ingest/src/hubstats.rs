//! Reader for hub-stats `models.parquet` snapshots: one file, or a directory
//! laid out as `models/<YYYY-MM-DD>/models.parquet` (the weekly-snapshot
//! dataset `hfmlsoc/hub_weekly_snapshots`).
//!
//! Every snapshot gives one observation of each model's cumulative counter.
//! Metadata is taken from the newest snapshot a model appears in (newer
//! snapshots carry more columns and the Hub's current view of the model).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

use crate::error::{IngestError, PolarsContext, Result};
use crate::meta::ModelMeta;
use crate::observations::cols;
use crate::parquet_io::{
    column_names, count_column, date_column, json_rows, parse_folder_date, read_columns,
    require_column, row_count, text_column,
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
/// A folder holding a `models.parquet` whose name is not exactly a date
/// (`2024-6-9`, `2024-06-09 (copy)`), or is dated after today, is an error:
/// skipping it would drop a week silently, reading it would guess its week.
pub fn discover_snapshots(input: &Path) -> Result<Vec<Snapshot>> {
    if input.is_file() {
        let date = date_of_dir(input);
        if let Some(d) = date {
            check_snapshot_date(input, d)?;
        }
        return Ok(vec![Snapshot {
            date,
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
            if !file.is_file() {
                continue;
            }
            let name = e.file_name();
            let Some(date) = name.to_str().and_then(parse_folder_date) else {
                return Err(IngestError::BadValue {
                    at: crate::error::Location::file(e.path()),
                    value: name.to_string_lossy().into_owned(),
                    expected: "a snapshot folder named exactly YYYY-MM-DD (e.g. 2024-06-09); \
                               rename or move it"
                        .into(),
                });
            };
            check_snapshot_date(&file, date)?;
            out.push(Snapshot {
                date: Some(date),
                path: file,
            });
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

/// A snapshot cannot be dated after today (UTC): it would credit downloads
/// to weeks not yet lived.
pub fn check_snapshot_date(path: &Path, date: NaiveDate) -> Result<()> {
    if crate::week::plausible_days().contains(&to_epoch_days(date)) {
        return Ok(());
    }
    Err(IngestError::BadValue {
        at: crate::error::Location::file(path),
        value: date.to_string(),
        expected: format!("a snapshot date: {}", crate::week::plausible_range_text()),
    })
}

/// True when `dir` holds weekly snapshots (a `<folder>/models.parquet`
/// below it or below `dir/models`, whatever the folder's name: a badly
/// named one is reported by [`discover_snapshots`], not skipped).
pub fn has_snapshot_layout(dir: &Path) -> bool {
    dir.is_dir()
        && [dir.to_path_buf(), dir.join("models")].iter().any(|base| {
            std::fs::read_dir(base)
                .into_iter()
                .flatten()
                .flatten()
                .any(|e| e.path().join("models.parquet").is_file())
        })
}

fn date_of_dir(file: &Path) -> Option<NaiveDate> {
    file.parent()?
        .file_name()?
        .to_str()
        .and_then(parse_folder_date)
}

/// Reads every snapshot under `input`. A single file without a dated
/// directory is dated `snapshot_date`, else by its newest `lastModified` or
/// `createdAt` (see METHODS.md).
///
/// Snapshots are read newest first, a few at a time (one per thread), and
/// each one's ids are numbered into the source's observation table as soon
/// as it is read: memory then holds each model's id once, not once per
/// snapshot. The snapshot that numbers an id first is the newest one
/// listing it, so the model's metadata is read from there.
pub fn read_hub_stats(
    input: &Path,
    snapshot_date: Option<NaiveDate>,
    progress: &dyn Progress,
) -> Result<SourceData> {
    let mut snapshots = discover_snapshots(input)?;
    snapshots.reverse();
    let mut data = SourceData::new(SourceKind::HubStats);
    let (mut files, mut notes) = (Vec::new(), Vec::new());
    // Room for every observation at once, from the files' footers: grown
    // by doubling, the table would hold up to twice its rows.
    let rows = snapshots
        .iter()
        .map(|s| row_count(&s.path))
        .sum::<Result<usize>>()?;
    data.table.reserve_exact(rows);
    progress.start("reading hub-stats snapshots", snapshots.len() as u64);
    for group in snapshots.chunks(rayon::current_num_threads().max(1)) {
        let observed: Vec<Result<Observed>> = group
            .par_iter()
            .map(|snap| {
                let o = observe_snapshot(snap, snapshot_date);
                progress.advance(1);
                o
            })
            .collect();
        for o in observed {
            let o = o?;
            let numbers = data.table.number(&o.ids)?;
            let records =
                new_model_records(&o.path, &o.wanted, &o.ids, &numbers.first_seen, o.date)?;
            data.models.extend(records);
            match &o.counts {
                Some(counts) => {
                    data.table
                        .push_day(&numbers.rows, to_epoch_days(o.date), counts)?
                }
                None => notes.push(format!(
                    "{}: no downloadsAllTime column: its models are listed with null counters \
                     (its `downloads` is the 30-day count, kept as downloads_30d)",
                    o.path.display()
                )),
            }
            files.push(o.file);
        }
    }
    progress.finish();
    // The manifest lists files and notes in date order.
    files.reverse();
    notes.reverse();
    data.files = files;
    data.notes = notes;
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

/// One snapshot's counters, read before its metadata is.
struct Observed {
    path: PathBuf,
    /// The columns the study uses, of those the snapshot has.
    wanted: Vec<String>,
    ids: StringChunked,
    date: NaiveDate,
    /// None for a listing without `downloadsAllTime`.
    counts: Option<UInt64Chunked>,
    file: InputFile,
}

fn observe_snapshot(snap: &Snapshot, fallback_date: Option<NaiveDate>) -> Result<Observed> {
    let path = &snap.path;
    let names = column_names(path)?;
    let id_col = require_column(path, &names, &ID)?;
    // Older copies and the API's default listing have no all-time counter.
    let counter_col = require_column(path, &names, &COUNTER).ok();
    let counter = counter_col.as_deref();
    let wanted = used_columns(&names, &id_col, counter);
    let known_date = snap.date.or(fallback_date);
    let df = read_columns(
        path,
        &observation_columns(&names, &id_col, counter, known_date),
    )?;
    let ids = text_column(&df, &id_col, path)?;
    if let Some(row) = first_missing_id(&ids) {
        return Err(IngestError::BadValue {
            at: crate::error::Location::file(path).column(&id_col).row(row),
            value: "null".into(),
            expected: "a model id".into(),
        });
    }
    let date = match known_date {
        Some(d) => d,
        None => newest_date(&df, path, &ids)?,
    };
    check_snapshot_date(path, date)?;
    let counts = match counter {
        Some(c) => Some(count_column(&df, c, path, &ids)?),
        None => None,
    };
    let file = crate::manifest::input_file(
        path,
        SourceKind::HubStats,
        Some(date),
        ignored(&names, &wanted),
    )?;
    Ok(Observed {
        path: path.clone(),
        wanted,
        ids,
        date,
        counts,
        file,
    })
}

/// The first row whose id is null or empty.
fn first_missing_id(ids: &StringChunked) -> Option<usize> {
    let mut offset = 0;
    for arr in ids.downcast_iter() {
        if let Some(row) = arr.iter().position(|v| v.is_none_or(str::is_empty)) {
            return Some(offset + row);
        }
        offset += arr.len();
    }
    None
}

/// What every snapshot is read for: the id and the counter, and the dates
/// when the snapshot's own date must come from them. The metadata columns
/// are read only when the snapshot has models no newer snapshot listed
/// ([`new_model_records`]): in a weekly series that is the newest snapshot
/// and the few that list since-deleted models.
fn observation_columns(
    names: &[String],
    id_col: &str,
    counter_col: Option<&str>,
    known_date: Option<NaiveDate>,
) -> Vec<String> {
    let mut columns: Vec<String> = [Some(id_col), counter_col]
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect();
    if known_date.is_none() {
        columns.extend(
            [LAST_MODIFIED, CREATED]
                .into_iter()
                .filter(|c| names.iter().any(|n| n == c))
                .map(str::to_string),
        );
    }
    columns
}

fn used_columns(names: &[String], id_col: &str, counter_col: Option<&str>) -> Vec<String> {
    names
        .iter()
        .filter(|n| {
            *n == id_col
                || Some(n.as_str()) == counter_col
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

/// Metadata records for the rows marked `is_new`: models of this snapshot
/// not seen in a newer one (the first of a model's rows here). The metadata
/// columns (of `wanted`) are read from `path` only when there is such a model.
fn new_model_records(
    path: &Path,
    wanted: &[String],
    ids: &StringChunked,
    is_new: &[bool],
    date: NaiveDate,
) -> Result<Vec<ModelRecord>> {
    if !is_new.contains(&true) {
        return Ok(Vec::new());
    }
    let mask = BooleanChunked::from_slice(PlSmallStr::EMPTY, is_new);
    let meta_cols: Vec<String> = METADATA_COLUMNS
        .iter()
        .filter(|c| wanted.iter().any(|w| w == *c))
        .map(|c| c.to_string())
        .collect();
    let mut read = meta_cols.clone();
    if wanted.iter().any(|w| w == CREATED) {
        read.push(CREATED.to_string());
    }
    let df = if read.is_empty() {
        DataFrame::empty_with_height(ids.len())
    } else {
        read_columns(path, &read)?
    };
    let fresh = df.filter(&mask).during(|| "selecting new models".into())?;
    let fresh_ids = ids.filter(&mask).during(|| "selecting new models".into())?;
    let created = match fresh.column(CREATED) {
        Ok(_) => date_column(&fresh, CREATED, path, &fresh_ids, true)?,
        Err(_) => vec![None; fresh.height()],
    };
    let observed_at = to_epoch_days(date);
    json_rows(&fresh, &meta_cols, path, |i, row| ModelRecord {
        meta: ModelMeta::from_row(fresh_ids.get(i).unwrap_or_default(), &row),
        created_at: created[i],
        observed_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Silent;

    /// Writes `models/<date>/models.parquet` under `root`.
    fn snapshot(root: &Path, date: &str, mut df: DataFrame) {
        let dir = root.join("models").join(date);
        std::fs::create_dir_all(&dir).unwrap();
        let file = std::fs::File::create(dir.join("models.parquet")).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
    }

    #[test]
    fn metadata_comes_from_the_newest_snapshot_that_lists_the_model() {
        let tmp = tempfile::tempdir().unwrap();
        snapshot(
            tmp.path(),
            "2024-01-07",
            df!(
                "id" => ["a/kept", "b/deleted"],
                "downloadsAllTime" => [10i64, 5],
                "pipeline_tag" => ["text-generation", "image-classification"],
                "library_name" => ["old-lib", "timm"],
            )
            .unwrap(),
        );
        snapshot(
            tmp.path(),
            "2024-01-14",
            df!(
                "id" => ["a/kept"],
                "downloadsAllTime" => [30i64],
                "pipeline_tag" => ["text-generation"],
                "library_name" => ["transformers"],
            )
            .unwrap(),
        );
        let data = read_hub_stats(tmp.path(), None, &Silent).unwrap();
        let found = |id: &str| {
            data.models
                .iter()
                .find(|r| r.meta.model_id == id)
                .unwrap_or_else(|| panic!("{id} has a record"))
        };
        assert_eq!(data.models.len(), 2, "one record per model");
        let kept = found("a/kept");
        assert_eq!(kept.meta.library_name.as_deref(), Some("transformers"));
        assert_eq!(
            kept.observed_at,
            to_epoch_days(NaiveDate::from_ymd_opt(2024, 1, 14).unwrap())
        );
        // Listed only by the older snapshot: its metadata is read from there.
        let deleted = found("b/deleted");
        assert_eq!(deleted.meta.library_name.as_deref(), Some("timm"));
        assert_eq!(
            deleted.meta.pipeline_tag.as_deref(),
            Some("image-classification")
        );
        assert_eq!(
            deleted.observed_at,
            to_epoch_days(NaiveDate::from_ymd_opt(2024, 1, 7).unwrap())
        );
        assert_eq!(data.table.len(), 3, "every snapshot's counters");
    }

    #[test]
    fn a_snapshot_without_metadata_columns_still_gives_records() {
        let tmp = tempfile::tempdir().unwrap();
        snapshot(
            tmp.path(),
            "2024-01-07",
            df!("id" => ["a/x", "a/y"], "downloadsAllTime" => [1i64, 2]).unwrap(),
        );
        let data = read_hub_stats(tmp.path(), None, &Silent).unwrap();
        let mut ids: Vec<&str> = data
            .models
            .iter()
            .map(|r| r.meta.model_id.as_str())
            .collect();
        ids.sort();
        assert_eq!(ids, ["a/x", "a/y"]);
        assert!(data.models.iter().all(|r| r.meta.library_name.is_none()));
    }
}
