//! From cumulative download counters to weekly downloads.
//!
//! Every source gives, per model, observations `(model_id, time,
//! downloads_all_time)` of the Hub's cumulative counter. The rules that turn
//! them into `downloads.parquet` each live in one function here and are
//! written down in `paper/METHODS.md` ("Weekly downloads"):
//!
//! 1. [`dedupe_snapshot_rows`]: several rows for one model in one snapshot
//!    keep the largest counter.
//! 2. [`increments`]: a model's downloads between two observations are the
//!    growth of the running maximum of its counter, so a counter that goes
//!    down never yields a negative week, and a temporary dip is not counted
//!    twice when the counter recovers. The first observation counts its whole
//!    cumulative total (downloads before the series began land in the first
//!    week of the series, and the manifest reports how many).
//! 3. [`weekly_downloads`]: increments are credited to the week of the later
//!    observation ([`crate::week::week_start`]); a model absent from some
//!    snapshots gets the whole growth over the gap in the week it reappears.

use chrono::NaiveDate;
use polars::prelude::*;

use crate::error::{PolarsContext, Result};
use crate::schema::downloads as d;
use crate::week::{from_epoch_days, week_start_expr};

/// Column names of an observation frame.
pub mod cols {
    pub const MODEL_ID: &str = "model_id";
    pub const TIME: &str = "time";
    pub const DOWNLOADS_ALL_TIME: &str = "downloads_all_time";
}

const INCREMENT: &str = "increment";

/// Rule 1: one row per model and snapshot time, keeping the largest counter.
///
/// By sorting (largest counter first within a model and time) and keeping
/// the first row of each (model, time): a group-by would build one group
/// per row, since almost every (model, time) is unique.
pub fn dedupe_snapshot_rows(observations: LazyFrame) -> LazyFrame {
    let same_as_previous = col(cols::MODEL_ID)
        .eq(col(cols::MODEL_ID).shift(lit(1)))
        .and(col(cols::TIME).eq(col(cols::TIME).shift(lit(1))))
        .fill_null(lit(false));
    observations
        .sort(
            [cols::MODEL_ID, cols::TIME, cols::DOWNLOADS_ALL_TIME],
            SortMultipleOptions::default().with_order_descending_multi([false, false, true]),
        )
        .filter(same_as_previous.not())
}

/// Rule 2: downloads between consecutive observations of a model, measured
/// against the running maximum of its counter (never negative).
pub fn increments(deduped: LazyFrame) -> PolarsResult<LazyFrame> {
    let running_max = col(cols::DOWNLOADS_ALL_TIME)
        .cum_max(false)
        .over([col(cols::MODEL_ID)])?;
    let previous_max = col("running_max")
        .shift(lit(1))
        .over([col(cols::MODEL_ID)])?;
    Ok(deduped
        .sort(
            [cols::MODEL_ID, cols::TIME],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_column(running_max.alias("running_max"))
        .with_column((col("running_max") - previous_max.fill_null(lit(0u64))).alias(INCREMENT)))
}

/// Rule 3: increments summed per model and week; weeks without downloads are
/// left out.
pub fn weekly_downloads(with_increments: LazyFrame) -> LazyFrame {
    // Zero increments (most rows: most models are rarely downloaded) add
    // nothing to a week's sum; dropping them first keeps the group-by small.
    with_increments
        .filter(col(INCREMENT).gt(lit(0u64)))
        .with_column(week_start_expr(col(cols::TIME)).alias(d::WEEK))
        .group_by([col(cols::MODEL_ID).alias(d::MODEL_ID), col(d::WEEK)])
        .agg([col(INCREMENT)
            .sum()
            .cast(DataType::UInt64)
            .alias(d::DOWNLOADS)])
        .filter(col(d::DOWNLOADS).gt(lit(0u64)))
        .sort([d::MODEL_ID, d::WEEK], SortMultipleOptions::default())
}

/// What the rules did, for the manifest.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ObservationReport {
    pub observations: u64,
    pub duplicate_rows_dropped: u64,
    /// Observations whose counter was below an earlier one of the same model.
    pub counter_decreases: u64,
    /// Snapshots missed by models between their first and last observation.
    pub missing_observations: u64,
    pub models_with_gaps: u64,
    pub snapshot_dates: Vec<NaiveDate>,
    /// Cumulative totals of the models present in the first snapshot of the
    /// series, all credited to its first week.
    pub pre_series_downloads: u64,
}

/// The weekly downloads, a per-model summary (first and last observation,
/// the largest counter) and the report of what each rule did.
pub struct Weekly {
    pub downloads: DataFrame,
    pub per_model: DataFrame,
    pub report: ObservationReport,
}

/// Applies rules 1-3 to raw observations.
pub fn weekly_from_observations(observations: LazyFrame) -> Result<Weekly> {
    let raw = observations
        .collect()
        .during(|| "collecting download observations".into())?;
    weekly_from_sources(vec![raw])
}

/// Applies rules 1-3 to the raw observations of several sources (one frame
/// each), as if they were one frame.
///
/// The model ids are replaced by their rank among the distinct ids of all
/// sources, one source at a time, before the frames are put together: the
/// text of 54M rows is never copied into one frame, and the rules sort and
/// group integers (16 bytes a row) instead of text. The ids are put back
/// at the end; the outputs are sorted by id as before.
pub fn weekly_from_sources(sources: Vec<DataFrame>) -> Result<Weekly> {
    let sources = sources
        .into_iter()
        .map(|raw| {
            raw.lazy()
                .select([
                    col(cols::MODEL_ID),
                    col(cols::TIME).cast(DataType::Date),
                    col(cols::DOWNLOADS_ALL_TIME).cast(DataType::UInt64),
                ])
                .collect()
        })
        .collect::<PolarsResult<Vec<_>>>()
        .during(|| "collecting download observations".into())?;
    let observations = sources.iter().map(|s| s.height() as u64).sum::<u64>();
    let (raw, ids) = intern_model_ids(sources)?;
    let deduped = dedupe_snapshot_rows(raw.lazy())
        .collect()
        .during(|| "removing duplicate snapshot rows".into())?;
    let duplicate_rows_dropped = observations - deduped.height() as u64;
    let snapshot_dates = distinct_dates(&deduped)?;
    let with_inc = increments(deduped.lazy())
        .and_then(LazyFrame::collect)
        .during(|| "computing increments of the cumulative counters".into())?;
    let downloads = weekly_downloads(with_inc.clone().lazy())
        .collect()
        .during(|| "summing downloads per week".into())?;
    let per_model = per_model_summary(&with_inc)?;
    let report = ObservationReport {
        observations,
        duplicate_rows_dropped,
        counter_decreases: count_decreases(&with_inc)?,
        missing_observations: 0,
        models_with_gaps: 0,
        pre_series_downloads: pre_series_downloads(&with_inc, snapshot_dates.first().copied())?,
        snapshot_dates,
    };
    drop(with_inc);
    let report = count_gaps(&per_model, report)?;
    Ok(Weekly {
        downloads: restore_model_ids(downloads, &ids)?,
        per_model: restore_model_ids(per_model, &ids)?,
        report,
    })
}

/// Rows of a source numbered by one join (see [`intern_model_ids`]).
const INTERN_SLICE_ROWS: usize = 4_000_000;

/// The observations of all sources in one frame, with the model id
/// replaced by its rank among the sorted distinct ids, and those ids. Each
/// source's text is dropped as soon as it is numbered.
fn intern_model_ids(sources: Vec<DataFrame>) -> Result<(DataFrame, Series)> {
    const KEY: &str = "__model_key";
    let during = || "numbering the observed models".to_string();
    let distinct = sources
        .iter()
        .map(|s| {
            s.column(cols::MODEL_ID)
                .and_then(|c| c.as_materialized_series().unique())
        })
        .collect::<PolarsResult<Vec<_>>>()
        .during(|| "listing the observed models".into())?;
    let mut all = Series::new_empty(cols::MODEL_ID.into(), &DataType::String);
    for d in &distinct {
        all.append(d)
            .during(|| "listing the observed models".into())?;
    }
    let ids = all
        .unique()
        .and_then(|s| s.sort(SortOptions::default()))
        .during(|| "listing the observed models".into())?;
    let keys = DataFrame::new(ids.len(), vec![ids.clone().into_column()])
        .and_then(|df| df.with_row_index(KEY.into(), None))
        .during(during)?;
    let mut keyed = Vec::new();
    for source in sources {
        // A slice at a time: the join's own tables stay the size of a
        // slice, not of all 54M rows of the release.
        for offset in (0..source.height()).step_by(INTERN_SLICE_ROWS) {
            keyed.push(
                source
                    .slice(offset as i64, INTERN_SLICE_ROWS)
                    .lazy()
                    .join(
                        keys.clone().lazy(),
                        [col(cols::MODEL_ID)],
                        [col(cols::MODEL_ID)],
                        JoinArgs::new(JoinType::Inner),
                    )
                    .select([
                        col(KEY).alias(cols::MODEL_ID),
                        col(cols::TIME),
                        col(cols::DOWNLOADS_ALL_TIME),
                    ])
                    .collect()
                    .during(during)?,
            );
        }
    }
    let keyed = crate::hubstats::concat_observations(keyed)?;
    Ok((keyed, ids))
}

/// Puts the model ids back in place of their ranks.
fn restore_model_ids(mut df: DataFrame, ids: &Series) -> Result<DataFrame> {
    let keys = df
        .column(cols::MODEL_ID)
        .and_then(|c| c.cast(&IDX_DTYPE))
        .during(|| "restoring model ids".into())?;
    let names = ids
        .take(keys.idx().during(|| "restoring model ids".into())?)
        .during(|| "restoring model ids".into())?
        .with_name(cols::MODEL_ID.into());
    df.with_column(names.into_column())
        .during(|| "restoring model ids".into())?;
    Ok(df)
}

fn per_model_summary(with_inc: &DataFrame) -> Result<DataFrame> {
    with_inc
        .clone()
        .lazy()
        .group_by([col(cols::MODEL_ID)])
        .agg([
            col(cols::TIME).min().alias("first_seen"),
            col(cols::TIME).max().alias("last_seen"),
            col(cols::TIME).count().alias("observations"),
            col("running_max").max().alias(cols::DOWNLOADS_ALL_TIME),
        ])
        .sort([cols::MODEL_ID], SortMultipleOptions::default())
        .collect()
        .during(|| "summarising observations per model".into())
}

fn distinct_dates(deduped: &DataFrame) -> Result<Vec<NaiveDate>> {
    let dates = deduped
        .column(cols::TIME)
        .and_then(|c| c.unique_stable())
        .and_then(|c| c.cast(&DataType::Int32))
        .during(|| "listing snapshot dates".into())?;
    let mut out: Vec<NaiveDate> = dates
        .i32()
        .during(|| "listing snapshot dates".into())?
        .into_no_null_iter()
        .map(from_epoch_days)
        .collect();
    out.sort();
    Ok(out)
}

fn count_decreases(with_inc: &DataFrame) -> Result<u64> {
    let n = with_inc
        .clone()
        .lazy()
        .select([col(cols::DOWNLOADS_ALL_TIME)
            .lt(col("running_max"))
            .sum()
            .cast(DataType::UInt64)])
        .collect()
        .during(|| "counting counter decreases".into())?;
    first_u64(&n)
}

fn pre_series_downloads(with_inc: &DataFrame, first: Option<NaiveDate>) -> Result<u64> {
    let Some(first) = first else { return Ok(0) };
    let n = with_inc
        .clone()
        .lazy()
        .filter(col(cols::TIME).eq(lit(first)))
        .select([col(INCREMENT).sum().cast(DataType::UInt64)])
        .collect()
        .during(|| "summing pre-series downloads".into())?;
    first_u64(&n)
}

fn first_u64(df: &DataFrame) -> Result<u64> {
    let c = df.columns()[0]
        .u64()
        .during(|| "reading a count".into())?
        .get(0);
    Ok(c.unwrap_or(0))
}

/// Counts snapshots a model missed between its first and last observation.
fn count_gaps(per_model: &DataFrame, mut report: ObservationReport) -> Result<ObservationReport> {
    let first = date_values(per_model, "first_seen")?;
    let last = date_values(per_model, "last_seen")?;
    let obs = per_model
        .column("observations")
        .and_then(|c| c.cast(&DataType::UInt64))
        .during(|| "reading observation counts".into())?;
    let obs = obs.u64().during(|| "reading observation counts".into())?;
    let dates = &report.snapshot_dates;
    let expected = |f: NaiveDate, l: NaiveDate| {
        (dates.partition_point(|x| *x <= l) - dates.partition_point(|x| *x < f)) as u64
    };
    for ((f, l), n) in first.iter().zip(&last).zip(obs.into_no_null_iter()) {
        let missed = expected(*f, *l).saturating_sub(n);
        if missed > 0 {
            report.models_with_gaps += 1;
            report.missing_observations += missed;
        }
    }
    Ok(report)
}

fn date_values(df: &DataFrame, name: &str) -> Result<Vec<NaiveDate>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Int32))
        .during(|| format!("reading {name}"))?;
    Ok(c.i32()
        .during(|| format!("reading {name}"))?
        .into_no_null_iter()
        .map(from_epoch_days)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::week::to_epoch_days;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn obs(rows: &[(&str, &str, u64)]) -> LazyFrame {
        let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let days: Vec<i32> = rows.iter().map(|r| to_epoch_days(d(r.1))).collect();
        let counts: Vec<u64> = rows.iter().map(|r| r.2).collect();
        df!(cols::MODEL_ID => ids, cols::TIME => days, cols::DOWNLOADS_ALL_TIME => counts)
            .unwrap()
            .lazy()
            .with_column(col(cols::TIME).cast(DataType::Date))
    }

    fn weeks(w: &Weekly, model: &str) -> Vec<(NaiveDate, u64)> {
        let df = w
            .downloads
            .clone()
            .lazy()
            .filter(col(d::MODEL_ID).eq(lit(model)))
            .collect()
            .unwrap();
        let ws = date_values(&df, d::WEEK).unwrap();
        let n: Vec<u64> = df
            .column(d::DOWNLOADS)
            .unwrap()
            .u64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        ws.into_iter().zip(n).collect()
    }

    #[test]
    fn differences_of_the_counter_are_credited_to_the_week_of_the_later_snapshot() {
        let w = weekly_from_observations(obs(&[
            ("a/m", "2024-01-07", 10),
            ("a/m", "2024-01-14", 25),
            ("a/m", "2024-01-21", 25),
            ("a/m", "2024-01-28", 40),
        ]))
        .unwrap();
        assert_eq!(
            weeks(&w, "a/m"),
            vec![
                (d("2024-01-01"), 10),
                (d("2024-01-08"), 15),
                (d("2024-01-22"), 15)
            ]
        );
        assert_eq!(w.report.pre_series_downloads, 10);
    }

    #[test]
    fn a_counter_that_goes_down_never_gives_a_negative_week_nor_double_counts() {
        let w = weekly_from_observations(obs(&[
            ("a/m", "2024-01-07", 100),
            ("a/m", "2024-01-14", 90),
            ("a/m", "2024-01-21", 120),
        ]))
        .unwrap();
        // 100, then a dip (0), then growth above the previous maximum only.
        assert_eq!(
            weeks(&w, "a/m"),
            vec![(d("2024-01-01"), 100), (d("2024-01-15"), 20)]
        );
        assert_eq!(w.report.counter_decreases, 1);
        let total: u64 = weeks(&w, "a/m").iter().map(|x| x.1).sum();
        assert_eq!(total, 120, "the weekly total equals the largest counter");
    }

    /// Two sources (snapshots and the release, say) give what one frame of
    /// their rows gives: a model in both, the same (model, time) twice.
    #[test]
    fn sources_are_numbered_apart_and_combined_as_one_frame() {
        let first = [
            ("b/y", "2024-01-07", 5),
            ("a/m", "2024-01-07", 10),
            ("a/m", "2024-01-14", 20),
        ];
        let second = [
            ("a/m", "2024-01-14", 25),
            ("c/z", "2024-01-14", 7),
            ("a/m", "2024-01-21", 30),
        ];
        let frame = |rows: &[(&str, &str, u64)]| obs(rows).collect().unwrap();
        let apart = weekly_from_sources(vec![frame(&first), frame(&second)]).unwrap();
        let all: Vec<_> = first.iter().chain(&second).copied().collect();
        let together = weekly_from_observations(obs(&all)).unwrap();
        assert_eq!(apart.downloads, together.downloads);
        assert_eq!(apart.per_model, together.per_model);
        assert_eq!(apart.report, together.report);
        assert_eq!(apart.report.duplicate_rows_dropped, 1);
        assert_eq!(
            weeks(&apart, "a/m"),
            vec![
                (d("2024-01-01"), 10),
                (d("2024-01-08"), 15),
                (d("2024-01-15"), 5)
            ]
        );
    }

    #[test]
    fn duplicate_rows_in_one_snapshot_keep_the_largest_counter() {
        let w = weekly_from_observations(obs(&[
            ("a/m", "2024-01-07", 10),
            ("a/m", "2024-01-07", 12),
            ("a/m", "2024-01-14", 20),
        ]))
        .unwrap();
        assert_eq!(
            weeks(&w, "a/m"),
            vec![(d("2024-01-01"), 12), (d("2024-01-08"), 8)]
        );
        assert_eq!(w.report.duplicate_rows_dropped, 1);
    }

    #[test]
    fn a_model_missing_for_two_weeks_gets_the_gap_growth_when_it_reappears() {
        let w = weekly_from_observations(obs(&[
            ("a/m", "2024-01-07", 5),
            ("b/x", "2024-01-07", 1),
            ("b/x", "2024-01-14", 2),
            ("b/x", "2024-01-21", 3),
            ("a/m", "2024-01-28", 35),
            ("b/x", "2024-01-28", 4),
        ]))
        .unwrap();
        assert_eq!(
            weeks(&w, "a/m"),
            vec![(d("2024-01-01"), 5), (d("2024-01-22"), 30)]
        );
        assert_eq!(w.report.models_with_gaps, 1);
        assert_eq!(w.report.missing_observations, 2);
        assert_eq!(w.report.snapshot_dates.len(), 4);
    }

    #[test]
    fn a_model_first_seen_mid_series_counts_its_first_total_in_its_first_week() {
        let w = weekly_from_observations(obs(&[
            ("a/m", "2024-01-07", 5),
            ("n/new", "2024-01-14", 7),
            ("n/new", "2024-01-21", 9),
        ]))
        .unwrap();
        assert_eq!(
            weeks(&w, "n/new"),
            vec![(d("2024-01-08"), 7), (d("2024-01-15"), 2)]
        );
        assert_eq!(w.report.pre_series_downloads, 5);
    }
}
