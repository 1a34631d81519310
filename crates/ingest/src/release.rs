//! Reader for the paper's annotated release (`mmpr/open_model_evolution_data`):
//! `all_downloads_with_annotations.parquet`, one row per model and snapshot
//! time with the cumulative `downloadsAllTime` and the developer annotations.
//!
//! `one_year_rolling.parquet` holds the same counters cut at one year after
//! each model's creation. Prepare computes that window itself from all
//! downloads (METHODS.md, "Windows"), so the file's counters are not used
//! for downloads: each model's largest is kept as
//! `release_first_year_downloads`, which analysis 06 compares with its own.

use std::path::Path;

use polars::prelude::*;
use serde_json::{Map, Value};

use crate::error::{IngestError, Location, PolarsContext, Result};
use crate::hubstats::observation_frame_days;
use crate::meta::{string, string_list};
use crate::observations::cols;
use crate::parquet_io::{
    column_names, count_column, date_column, json_rows, read_columns, require_column, text_column,
};
use crate::source::{RawAnnotation, ReleaseModel, SourceData, SourceKind};

const MODEL: [&str; 1] = ["model"];
const TIME: [&str; 1] = ["time"];
const COUNTER: [&str; 1] = ["downloadsAllTime"];
/// Per-model fields taken from each model's newest row.
const MODEL_FIELDS: [&str; 6] = [
    "author",
    "created",
    "derived_author",
    "merged_modality",
    "merged_derived_from",
    "merged_languages",
];
const AUTHOR_FIELDS: [&str; 3] = [
    "org_type",
    "org_country_single",
    "merged_country_groups_single",
];
const DERIVED_FIELDS: [&str; 2] = [
    "derived_org_country_single",
    "merged_derived_country_groups_single",
];

/// True for the one-year-window file of the release.
pub fn is_one_year_rolling(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.contains("one_year_rolling"))
}

/// Reads one release file.
pub fn read_release(path: &Path) -> Result<SourceData> {
    let mut data = SourceData::new(SourceKind::Release);
    let names = column_names(path)?;
    let model_col = require_column(path, &names, &MODEL)?;
    let time_col = require_column(path, &names, &TIME)?;
    let counter_col = require_column(path, &names, &COUNTER)?;
    let optional: Vec<&str> = MODEL_FIELDS
        .iter()
        .chain(&AUTHOR_FIELDS)
        .chain(&DERIVED_FIELDS)
        .copied()
        .collect();
    let wanted: Vec<String> = names
        .iter()
        .filter(|n| {
            [&model_col, &time_col, &counter_col].contains(n) || optional.contains(&n.as_str())
        })
        .cloned()
        .collect();
    let ignored: Vec<String> = names
        .iter()
        .filter(|n| !wanted.contains(n))
        .cloned()
        .collect();
    data.files.push(crate::manifest::input_file(
        path,
        SourceKind::Release,
        None,
        ignored,
    )?);
    if is_one_year_rolling(path) {
        data.first_year_downloads = first_year_counters(path, &model_col, &counter_col)?;
        data.notes.push(format!(
            "{}: the one-year window is computed from all downloads; this file's counters \
             ({} models) are kept as release_first_year_downloads, to compare with",
            path.display(),
            data.first_year_downloads.len()
        ));
        return Ok(data);
    }
    // Two passes keep memory near the size of the counters, not of the whole
    // file: the counters of every row, then the metadata of each model's
    // newest row only (the file repeats it on every row).
    let counters = read_columns(
        path,
        &[model_col.clone(), time_col.clone(), counter_col.clone()],
    )?;
    let ids = text_column(&counters, &model_col, path)?;
    if let Some(row) = ids.iter().position(|v| v.is_none_or(str::is_empty)) {
        return Err(IngestError::BadValue {
            at: Location::file(path).column(&model_col).row(row),
            value: "null".into(),
            expected: "a model id".into(),
        });
    }
    data.observations = match typed_observations(&counters, &ids, &time_col, &counter_col)? {
        Some(observations) => observations,
        None => {
            let days = date_column(&counters, &time_col, path, &ids, false)?;
            let counts = count_column(&counters, &counter_col, path, &ids)?;
            observation_frame_days(&ids, days.into_iter().flatten().collect(), counts)?
        }
    };
    let key = newest_key(&counters, &ids, &model_col, &time_col)?;
    drop(counters);
    let newest = newest_rows(path, &wanted, &model_col, &time_col, key)?;
    data.release_models = release_models(&newest, &model_col, path)?;
    data.annotations = annotations(&newest, path)?;
    Ok(data)
}

/// Each model's largest counter in `one_year_rolling.parquet`: the release's
/// downloads in the model's first year (the file cuts every counter one
/// year after creation).
fn first_year_counters(
    path: &Path,
    model_col: &str,
    counter_col: &str,
) -> Result<Vec<(String, u64)>> {
    let df = read_columns(path, &[model_col.to_string(), counter_col.to_string()])?;
    let ids = text_column(&df, model_col, path)?;
    let counts = count_column(&df, counter_col, path, &ids)?;
    let mut largest: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    for (row, (id, c)) in ids.iter().zip(counts.into_no_null_iter()).enumerate() {
        let id = id
            .filter(|v| !v.is_empty())
            .ok_or_else(|| IngestError::BadValue {
                at: Location::file(path).column(model_col).row(row),
                value: "null".into(),
                expected: "a model id".into(),
            })?;
        let v = largest.entry(id).or_insert(0);
        *v = (*v).max(c);
    }
    let mut out: Vec<(String, u64)> = largest
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// The observations by casting whole columns, when the file has the
/// release's own types and nothing to report: a date or datetime `time` and
/// an integer counter, neither with a null, no counter below zero. At 54M
/// rows this skips the row-by-row copies (about 1 GB) of the checked
/// conversions; `None` sends any other file through them, which name a bad
/// row and its model.
fn typed_observations(
    counters: &DataFrame,
    ids: &StringChunked,
    time_col: &str,
    counter_col: &str,
) -> Result<Option<DataFrame>> {
    let column = |name: &str| {
        counters
            .column(name)
            .during(|| format!("reading column {name}"))
    };
    let (time, counter) = (column(time_col)?, column(counter_col)?);
    let dated = matches!(time.dtype(), DataType::Date | DataType::Datetime(_, _));
    if !dated || !counter.dtype().is_integer() || time.has_nulls() || counter.has_nulls() {
        return Ok(None);
    }
    let smallest = counter
        .min_reduce()
        .during(|| format!("checking {counter_col}"))?;
    if smallest.value().extract::<i128>().is_some_and(|m| m < 0) {
        return Ok(None);
    }
    let day = time
        .cast(&DataType::Date)
        .during(|| format!("converting {time_col} to dates"))?;
    let count = counter
        .cast(&DataType::UInt64)
        .during(|| format!("reading {counter_col}"))?;
    let frame = DataFrame::new(
        ids.len(),
        vec![
            ids.clone().with_name(cols::MODEL_ID.into()).into_column(),
            day.with_name(cols::TIME.into()),
            count.with_name(cols::DOWNLOADS_ALL_TIME.into()),
        ],
    )
    .during(|| "building observations".into())?;
    Ok(Some(frame))
}

/// Column of the release's row numbers in [`newest_rows`].
const ROW: &str = "__release_row";

/// What picks each model's newest row out of the release.
enum NewestKey {
    /// The row numbers themselves, one per model.
    Rows(DataFrame),
    /// Each model's newest time; the last of its rows at that time is taken.
    Times(DataFrame),
}

/// Each model's newest row, the last in file order among the rows of its
/// newest time. When `time` has the release's own types (a date, datetime
/// or integer, no null) the row numbers are found in one pass over the
/// counters (at 54M rows, a hash per run of one model's rows instead of a
/// group-by and a two-key join); other files get each model's newest time.
fn newest_key(
    counters: &DataFrame,
    ids: &StringChunked,
    model_col: &str,
    time_col: &str,
) -> Result<NewestKey> {
    let during = || "finding each model's newest release row".to_string();
    let time = counters.column(time_col).during(during)?;
    let ordered = time.dtype().is_temporal() || time.dtype().is_integer();
    if !ordered || time.has_nulls() {
        return newest_times(counters, model_col, time_col).map(NewestKey::Times);
    }
    let times = time
        .to_physical_repr()
        .cast(&DataType::Int64)
        .during(during)?;
    let mut slot_of: PlHashMap<&str, usize> = PlHashMap::new();
    let mut newest: Vec<(i64, IdxSize)> = Vec::new();
    let mut previous: Option<(&str, usize)> = None;
    for (row, (id, t)) in ids
        .iter()
        .zip(times.i64().during(during)?.into_no_null_iter())
        .enumerate()
    {
        let id = id.unwrap_or_default();
        let slot = match previous {
            Some((p, slot)) if p == id => slot,
            _ => *slot_of.entry(id).or_insert_with(|| {
                newest.push((t, row as IdxSize));
                newest.len() - 1
            }),
        };
        previous = Some((id, slot));
        if t >= newest[slot].0 {
            newest[slot] = (t, row as IdxSize);
        }
    }
    let rows = IdxCa::from_iter_values(ROW.into(), newest.into_iter().map(|(_, row)| row));
    DataFrame::new(rows.len(), vec![rows.into_column()])
        .map(NewestKey::Rows)
        .during(during)
}

/// Each model's newest time, as the file writes it: the newest per slice
/// of rows first, so that the group-by's tables stay the size of a slice
/// (54M rows of text ids in one group-by took 3 GB more at full scale).
fn newest_times(counters: &DataFrame, model_col: &str, time_col: &str) -> Result<DataFrame> {
    const SLICE_ROWS: usize = 4_000_000;
    let newest_of = |lf: LazyFrame| {
        lf.group_by([col(model_col)])
            .agg([col(time_col).max()])
            .collect()
    };
    let during = || "finding each model's newest release row".to_string();
    let partial = (0..counters.height())
        .step_by(SLICE_ROWS)
        .map(|offset| {
            newest_of(
                counters
                    .slice(offset as i64, SLICE_ROWS)
                    .lazy()
                    .select([col(model_col), col(time_col)]),
            )
            .map(IntoLazy::lazy)
        })
        .collect::<PolarsResult<Vec<_>>>()
        .during(during)?;
    if partial.is_empty() {
        return newest_of(
            counters
                .clone()
                .lazy()
                .select([col(model_col), col(time_col)]),
        )
        .during(during);
    }
    concat(partial, UnionArgs::default())
        .and_then(newest_of)
        .during(during)
}

/// Each model's newest row (the last in file order among rows of its newest
/// time), read by a streaming scan that keeps only the rows `key` picks.
fn newest_rows(
    path: &Path,
    wanted: &[String],
    model_col: &str,
    time_col: &str,
    key: NewestKey,
) -> Result<DataFrame> {
    let file = PlRefPath::try_from_path(path).during(|| format!("opening {}", path.display()))?;
    let args = ScanArgsParquet {
        row_index: Some(RowIndex {
            name: ROW.into(),
            offset: 0,
        }),
        ..ScanArgsParquet::default()
    };
    let mut select: Vec<Expr> = wanted.iter().map(|c| col(c.as_str())).collect();
    select.push(col(ROW));
    let (keys, on) = match key {
        NewestKey::Rows(rows) => (rows, vec![col(ROW)]),
        NewestKey::Times(times) => (times, vec![col(model_col), col(time_col)]),
    };
    let rows = LazyFrame::scan_parquet(file, args)
        .during(|| format!("scanning {}", path.display()))?
        .select(select)
        .join(keys.lazy(), on.clone(), on, JoinArgs::new(JoinType::Semi))
        .collect_with_engine(Engine::Streaming)
        .map(|r| r.unwrap_single())
        .during(|| "reading each model's newest release row".into())?;
    let others: Vec<Expr> = wanted
        .iter()
        .filter(|n| n.as_str() != model_col)
        .map(|n| col(n.as_str()).last())
        .collect();
    rows.lazy()
        .sort([model_col, ROW], SortMultipleOptions::default())
        .group_by_stable([col(model_col)])
        .agg(others)
        .collect()
        .during(|| "taking each model's newest release row".into())
}

fn present(df: &DataFrame, fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .filter(|f| df.column(f).is_ok())
        .map(|f| f.to_string())
        .collect()
}

fn release_models(newest: &DataFrame, model_col: &str, path: &Path) -> Result<Vec<ReleaseModel>> {
    let ids = text_column(newest, model_col, path)?;
    let created = match newest.column("created") {
        Ok(_) => date_column(newest, "created", path, &ids, true)?,
        Err(_) => vec![None; newest.height()],
    };
    let fields = present(newest, &MODEL_FIELDS);
    json_rows(newest, &fields, path, |i, row| ReleaseModel {
        model_id: ids.get(i).unwrap_or_default().to_string(),
        author: string(row.get("author")),
        created_at: created[i],
        parents: string_list(row.get("merged_derived_from")),
        derived_author: string(row.get("derived_author")),
        modality: string(row.get("merged_modality")),
        languages: string_list(row.get("merged_languages"))
            .into_iter()
            .map(|l| l.to_lowercase())
            .collect(),
    })
}

/// Annotations of uploaders (org type, country, group) and of derived
/// authors (country and group only), each from its newest row.
fn annotations(newest: &DataFrame, path: &Path) -> Result<Vec<RawAnnotation>> {
    let mut fields = present(newest, &AUTHOR_FIELDS);
    fields.extend(present(newest, &DERIVED_FIELDS));
    fields.extend(present(newest, &["author", "derived_author"]));
    let pairs = json_rows(newest, &fields, path, |_, row| {
        let uploader = annotation(
            &row,
            "author",
            "org_type",
            "org_country_single",
            "merged_country_groups_single",
        );
        let root = annotation(
            &row,
            "derived_author",
            "",
            "derived_org_country_single",
            "merged_derived_country_groups_single",
        );
        (uploader, root)
    })?;
    // Uploaders first, then derived authors, each in row order.
    let (uploaders, derived): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    Ok(uploaders.into_iter().chain(derived).flatten().collect())
}

fn annotation(
    row: &Map<String, Value>,
    author: &str,
    org: &str,
    country: &str,
    group: &str,
) -> Option<RawAnnotation> {
    let a = RawAnnotation {
        author: string(row.get(author))?,
        org_type: string(row.get(org)),
        country: string(row.get(country)),
        country_group: string(row.get(group)),
    };
    (a.org_type.is_some() || a.country.is_some() || a.country_group.is_some()).then_some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counters(time: Column, counter: Column) -> DataFrame {
        let ids = Column::new("model".into(), ["a/x", "a/x", "b/y"]);
        DataFrame::new(3, vec![ids, time, counter]).unwrap()
    }

    fn datetimes(values: [Option<i64>; 3]) -> Column {
        Int64Chunked::from_iter_options("time".into(), values.into_iter())
            .into_datetime(TimeUnit::Milliseconds, None)
            .into_column()
    }

    /// A day in milliseconds: 2024-01-07 and 2024-01-14 at noon.
    const JAN_7: i64 = 19_729 * 86_400_000 + 43_200_000;
    const JAN_14: i64 = JAN_7 + 7 * 86_400_000;

    /// The last row of a model's newest time, with the model's rows not
    /// contiguous and its newest time on two rows; string times fall back
    /// to each model's newest time.
    #[test]
    fn newest_rows_are_the_last_of_each_models_newest_time() {
        let ids = StringChunked::new("model".into(), ["a/x", "b/y", "a/x", "a/x", "b/y"]);
        let times = Int64Chunked::new("time".into(), [1i64, 5, 3, 3, 2])
            .into_datetime(TimeUnit::Milliseconds, None)
            .into_column();
        let df = DataFrame::new(5, vec![ids.clone().into_column(), times]).unwrap();
        let NewestKey::Rows(rows) = newest_key(&df, &ids, "model", "time").unwrap() else {
            panic!("datetime times give row numbers");
        };
        let mut rows: Vec<IdxSize> = rows
            .column(ROW)
            .unwrap()
            .idx()
            .unwrap()
            .into_no_null_iter()
            .collect();
        rows.sort();
        assert_eq!(rows, vec![1, 3]);
        let text = Column::new("time".into(), ["1", "5", "3", "3", "2"]);
        let df = DataFrame::new(5, vec![ids.clone().into_column(), text]).unwrap();
        assert!(matches!(
            newest_key(&df, &ids, "model", "time").unwrap(),
            NewestKey::Times(_)
        ));
    }

    #[test]
    fn release_types_are_cast_whole_and_match_the_checked_path() {
        let df = counters(
            datetimes([Some(JAN_7), Some(JAN_14), Some(JAN_14)]),
            Column::new("downloadsAllTime".into(), [3i64, 5, 0]),
        );
        let ids = text_column(&df, "model", Path::new("r.parquet")).unwrap();
        let fast = typed_observations(&df, &ids, "time", "downloadsAllTime")
            .unwrap()
            .expect("the release's own types take the cast path");
        let path = Path::new("r.parquet");
        let days = date_column(&df, "time", path, &ids, false).unwrap();
        let counts = count_column(&df, "downloadsAllTime", path, &ids).unwrap();
        let checked =
            observation_frame_days(&ids, days.into_iter().flatten().collect(), counts).unwrap();
        assert_eq!(fast, checked);
        let day = fast
            .column(cols::TIME)
            .unwrap()
            .date()
            .unwrap()
            .physical()
            .get(0);
        assert_eq!(day, Some(19_729), "noon on 2024-01-07 is that day");
    }

    #[test]
    fn anything_to_report_takes_the_checked_path() {
        let ids = StringChunked::new("model".into(), ["a/x", "a/x", "b/y"]);
        let good_time = || datetimes([Some(JAN_7), Some(JAN_14), Some(JAN_14)]);
        let cases = [
            counters(
                datetimes([Some(JAN_7), None, Some(JAN_14)]),
                Column::new("downloadsAllTime".into(), [1i64, 2, 3]),
            ),
            counters(
                good_time(),
                Column::new("downloadsAllTime".into(), [1i64, -2, 3]),
            ),
            counters(
                good_time(),
                Column::new("downloadsAllTime".into(), [Some(1i64), None, Some(3)]),
            ),
            counters(
                good_time(),
                Column::new("downloadsAllTime".into(), [1.0f64, 2.0, 3.0]),
            ),
            counters(
                Column::new("time".into(), ["2024-01-07", "2024-01-14", "2024-01-14"]),
                Column::new("downloadsAllTime".into(), [1i64, 2, 3]),
            ),
        ];
        for (i, df) in cases.iter().enumerate() {
            let out = typed_observations(df, &ids, "time", "downloadsAllTime").unwrap();
            assert!(
                out.is_none(),
                "case {i} must go through the checked conversions"
            );
        }
        let err = count_column(&cases[1], "downloadsAllTime", Path::new("r.parquet"), &ids)
            .unwrap_err()
            .to_string();
        assert!(err.contains("a/x") && err.contains("-2"), "{err}");
    }
}
