//! From cumulative download counters to weekly downloads.
//!
//! Every source gives, per model, observations `(model_id, time,
//! downloads_all_time)` of the Hub's cumulative counter. The rules that turn
//! them into `downloads.parquet` are written down in `paper/METHODS.md`
//! ("Weekly downloads") and applied in [`crate::counters`], one walk over
//! each model's observations in time order:
//!
//! 1. several rows for one model in one snapshot keep the largest counter;
//! 2. a model's downloads between two observations are the growth of the
//!    running maximum of its counter, so a counter that goes down never
//!    yields a negative week, and a temporary dip is not counted twice when
//!    the counter recovers. The first counter of a model that existed at
//!    the series' first snapshot is a baseline (its downloads before the
//!    span, `pre_series_downloads`), never a week's downloads; a model
//!    created inside the span counts its first counter as in-span downloads;
//! 3. increments are credited to the week of the later observation
//!    ([`crate::week::week_start`]); a model absent from some snapshots gets
//!    the whole growth over the gap in the week it reappears.
//!
//! This module puts the walk's output into frames and counts what each rule
//! did for the manifest.

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;

use crate::counters::Walked;
use crate::error::{PolarsContext, Result};
use crate::observation_table::ObservationTable;
use crate::schema::downloads as d;
use crate::week::from_epoch_days;

/// Column names of an observation frame.
pub mod cols {
    pub const MODEL_ID: &str = "model_id";
    pub const TIME: &str = "time";
    pub const DOWNLOADS_ALL_TIME: &str = "downloads_all_time";
    pub const PRE_SERIES_DOWNLOADS: &str = "pre_series_downloads";
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
    /// The baselines (W3): first counters of the models that existed at the
    /// series' first snapshot, kept out of the weekly downloads.
    pub pre_series_downloads: u64,
    pub models_with_baseline: u64,
    /// Of those, models created before the span but first observed later.
    pub late_baselines: u64,
}

/// The weekly downloads (`model_id, week, downloads`, sorted by model and
/// week), a per-model summary (`model_id, first_seen, last_seen,
/// observations, downloads_all_time, pre_series_downloads`, sorted by
/// model) and the report of what each rule did.
pub struct Weekly {
    pub downloads: DataFrame,
    pub per_model: DataFrame,
    pub report: ObservationReport,
}

/// Applies the rules to raw observations; `created` holds the reported
/// creation days (days since 1970) by model id.
pub fn weekly_from_observations(
    observations: LazyFrame,
    created: &HashMap<String, i32>,
) -> Result<Weekly> {
    let raw = observations
        .collect()
        .during(|| "collecting download observations".into())?;
    weekly_from_sources(vec![raw], created)
}

/// Applies the rules to the raw observations of several sources (one frame
/// each), as if they were one frame. Each source's text is dropped as soon
/// as its rows are numbered ([`Numbered::from_sources`]).
pub fn weekly_from_sources(
    sources: Vec<DataFrame>,
    created: &HashMap<String, i32>,
) -> Result<Weekly> {
    let mut table = ObservationTable::default();
    for source in sources {
        table.add_frame(&source)?;
    }
    weekly_from_table(table, created)
}

/// Applies the rules to the observations of a table.
pub fn weekly_from_table(
    table: ObservationTable,
    created: &HashMap<String, i32>,
) -> Result<Weekly> {
    let numbered = table.finish();
    let observations = numbered.len() as u64;
    let days = numbered.distinct_days();
    let series_start = days.first().copied().unwrap_or(i32::MIN);
    let created: Vec<Option<i32>> = numbered
        .ids
        .par_iter()
        .map(|id| created.get(id).copied())
        .collect();
    let walked = numbered.walk(series_start, &created);
    drop(created);
    let report = ObservationReport {
        observations,
        duplicate_rows_dropped: walked.duplicate_rows_dropped,
        counter_decreases: walked.counter_decreases,
        missing_observations: 0,
        models_with_gaps: 0,
        pre_series_downloads: walked.pre_series_total()?,
        models_with_baseline: walked.models_with_baseline,
        late_baselines: walked.late_baselines,
        snapshot_dates: days.into_iter().map(from_epoch_days).collect(),
    };
    let (downloads, per_model) = frames(walked)?;
    let report = count_gaps(&per_model, report)?;
    Ok(Weekly {
        downloads,
        per_model,
        report,
    })
}

/// The walk's weekly downloads and per-model summary as frames, with the
/// model ids in place of their numbers.
fn frames(w: Walked) -> Result<(DataFrame, DataFrame)> {
    let during = || "building the weekly downloads".to_string();
    let date = |name: &str, days: Vec<i32>| {
        Int32Chunked::from_vec(name.into(), days)
            .into_series()
            .cast(&DataType::Date)
            .map(Column::from)
    };
    let week_ids = StringChunked::from_iter_values(
        d::MODEL_ID.into(),
        w.week_model.iter().map(|m| w.ids[*m as usize].as_str()),
    );
    let downloads = DataFrame::new(
        w.week.len(),
        vec![
            week_ids.into_column(),
            date(d::WEEK, w.week).during(during)?,
            UInt64Chunked::from_vec(d::DOWNLOADS.into(), w.downloads).into_column(),
        ],
    )
    .during(during)?;
    let ids =
        StringChunked::from_iter_values(cols::MODEL_ID.into(), w.ids.iter().map(String::as_str));
    let per_model = DataFrame::new(
        ids.len(),
        vec![
            ids.into_column(),
            date("first_seen", w.first_seen).during(during)?,
            date("last_seen", w.last_seen).during(during)?,
            IdxCa::from_vec("observations".into(), w.observations).into_column(),
            UInt64Chunked::from_vec(cols::DOWNLOADS_ALL_TIME.into(), w.downloads_all_time)
                .into_column(),
            UInt64Chunked::from_vec(cols::PRE_SERIES_DOWNLOADS.into(), w.pre_series).into_column(),
        ],
    )
    .during(|| "summarising observations per model".into())?;
    Ok((downloads, per_model))
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

    /// The rules written the plainest way: a map per (model, day) keeping
    /// the largest counter, then each model's days in order.
    fn reference(
        rows: &[(String, i32, u64)],
        created: &HashMap<String, i32>,
    ) -> (Vec<(String, i32, u64)>, ObservationReport) {
        use std::collections::BTreeMap;
        let mut largest: BTreeMap<(String, i32), u64> = BTreeMap::new();
        for (m, day, c) in rows {
            let e = largest.entry((m.clone(), *day)).or_insert(*c);
            *e = (*e).max(*c);
        }
        let first_day = largest.keys().map(|k| k.1).min().unwrap_or(0);
        let mut weekly: BTreeMap<(String, i32), u64> = BTreeMap::new();
        let mut report = ObservationReport {
            observations: rows.len() as u64,
            duplicate_rows_dropped: (rows.len() - largest.len()) as u64,
            ..ObservationReport::default()
        };
        let mut running: BTreeMap<String, u64> = BTreeMap::new();
        for ((m, day), c) in &largest {
            if !running.contains_key(m) {
                let existed = *day == first_day || created.get(m).is_some_and(|c| *c < first_day);
                if existed {
                    report.pre_series_downloads += c;
                    report.models_with_baseline += 1;
                    report.late_baselines += u64::from(*day > first_day);
                }
                running.insert(m.clone(), if existed { *c } else { 0 });
            }
            let max = running.get_mut(m).unwrap();
            if c < max {
                report.counter_decreases += 1;
            }
            let inc = c.saturating_sub(*max);
            *max = (*max).max(*c);
            let week = crate::week::week_start_days(*day);
            *weekly.entry((m.clone(), week)).or_insert(0) += inc;
        }
        let out = weekly
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((m, w), n)| (m, w, n))
            .collect();
        (out, report)
    }

    fn frame_of(rows: &[(String, i32, u64)]) -> DataFrame {
        let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let days: Vec<i32> = rows.iter().map(|r| r.1).collect();
        let counts: Vec<u64> = rows.iter().map(|r| r.2).collect();
        df!(cols::MODEL_ID => ids, cols::TIME => days, cols::DOWNLOADS_ALL_TIME => counts)
            .unwrap()
            .lazy()
            .with_column(col(cols::TIME).cast(DataType::Date))
            .collect()
            .unwrap()
    }

    proptest::proptest! {
        /// Any rows, in any order, split into any sources: the walk gives
        /// what the plain rules give (weeks, sums, and every count).
        #[test]
        fn the_walk_gives_what_the_plain_rules_give(
            rows in proptest::collection::vec((0u32..150, 0i32..90, 0u64..500), 1..600),
            created in proptest::collection::vec((0u32..150, -60i32..90), 0..100),
            cut in 0usize..600,
        ) {
            let rows: Vec<(String, i32, u64)> = rows
                .into_iter()
                .map(|(m, day, c)| (format!("org/m{m:03}"), 19_000 + day, c))
                .collect();
            let created: HashMap<String, i32> = created
                .into_iter()
                .map(|(m, day)| (format!("org/m{m:03}"), 19_000 + day))
                .collect();
            let cut = cut.min(rows.len());
            let w = weekly_from_sources(
                vec![frame_of(&rows[..cut]), frame_of(&rows[cut..])],
                &created,
            )
            .unwrap();
            let (expected, report) = reference(&rows, &created);
            let ids = w.downloads.column(d::MODEL_ID).unwrap().str().unwrap().clone();
            let weeks = w.downloads.column(d::WEEK).unwrap().cast(&DataType::Int32).unwrap();
            let sums = w.downloads.column(d::DOWNLOADS).unwrap().u64().unwrap().clone();
            let got: Vec<(String, i32, u64)> = ids
                .iter()
                .flatten()
                .zip(weeks.i32().unwrap().into_no_null_iter())
                .zip(sums.into_no_null_iter())
                .map(|((m, wk), n)| (m.to_string(), wk, n))
                .collect();
            proptest::prop_assert_eq!(got, expected);
            proptest::prop_assert_eq!(w.report.duplicate_rows_dropped, report.duplicate_rows_dropped);
            proptest::prop_assert_eq!(w.report.counter_decreases, report.counter_decreases);
            proptest::prop_assert_eq!(w.report.pre_series_downloads, report.pre_series_downloads);
            proptest::prop_assert_eq!(w.report.models_with_baseline, report.models_with_baseline);
            proptest::prop_assert_eq!(w.report.late_baselines, report.late_baselines);
            proptest::prop_assert_eq!(w.report.observations, report.observations);
        }
    }

    fn no_dates() -> HashMap<String, i32> {
        HashMap::new()
    }

    #[test]
    fn differences_of_the_counter_are_credited_to_the_week_of_the_later_snapshot() {
        let w = weekly_from_observations(
            obs(&[
                ("a/m", "2024-01-07", 10),
                ("a/m", "2024-01-14", 25),
                ("a/m", "2024-01-21", 25),
                ("a/m", "2024-01-28", 40),
            ]),
            &no_dates(),
        )
        .unwrap();
        // The first counter is the baseline: present at the first snapshot.
        assert_eq!(
            weeks(&w, "a/m"),
            vec![(d("2024-01-08"), 15), (d("2024-01-22"), 15)]
        );
        assert_eq!(w.report.pre_series_downloads, 10);
        assert_eq!(w.report.models_with_baseline, 1);
    }

    /// Years of history in the first counter of a series that starts
    /// 2024-07-28 stay out of its first week (the defect of issue 19:
    /// 1.3 billion downloads credited to one week).
    #[test]
    fn pre_series_history_is_never_a_weeks_downloads() {
        let created: HashMap<String, i32> = [
            ("old/bert", "2019-03-01"),
            ("old/late", "2023-05-01"),
            ("new/born", "2024-08-01"),
            ("new/sameday", "2024-07-28"),
        ]
        .into_iter()
        .map(|(m, c)| (m.to_string(), to_epoch_days(d(c))))
        .collect();
        let w = weekly_from_observations(
            obs(&[
                ("old/bert", "2024-07-28", 1_305_000_000),
                ("old/bert", "2024-08-04", 1_305_200_000),
                // Created before the span, first listed two weeks in: its
                // first counter is history too.
                ("old/late", "2024-08-11", 9_000),
                ("old/late", "2024-08-18", 9_500),
                ("new/born", "2024-08-04", 300),
                ("new/born", "2024-08-11", 350),
                ("new/sameday", "2024-08-04", 40),
            ]),
            &created,
        )
        .unwrap();
        assert_eq!(weeks(&w, "old/bert"), vec![(d("2024-07-29"), 200_000)]);
        assert_eq!(weeks(&w, "old/late"), vec![(d("2024-08-12"), 500)]);
        assert_eq!(
            weeks(&w, "new/born"),
            vec![(d("2024-07-29"), 300), (d("2024-08-05"), 50)]
        );
        assert_eq!(weeks(&w, "new/sameday"), vec![(d("2024-07-29"), 40)]);
        assert_eq!(w.report.pre_series_downloads, 1_305_009_000);
        assert_eq!(w.report.models_with_baseline, 2);
        assert_eq!(w.report.late_baselines, 1);
        let pre: Vec<u64> = w
            .per_model
            .column(cols::PRE_SERIES_DOWNLOADS)
            .unwrap()
            .u64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        // Sorted ids: new/born, new/sameday, old/bert, old/late.
        assert_eq!(pre, vec![0, 0, 1_305_000_000, 9_000]);
        let in_span: u64 = w
            .downloads
            .column(d::DOWNLOADS)
            .unwrap()
            .u64()
            .unwrap()
            .sum()
            .unwrap();
        assert_eq!(in_span, 200_000 + 500 + 350 + 40);
    }

    #[test]
    fn a_single_date_gives_no_weekly_downloads() {
        let w = weekly_from_observations(
            obs(&[("a/m", "2024-07-28", 10), ("b/n", "2024-07-28", 3)]),
            &no_dates(),
        )
        .unwrap();
        assert_eq!(w.downloads.height(), 0);
        assert_eq!(w.report.pre_series_downloads, 13);
    }

    #[test]
    fn a_counter_that_goes_down_never_gives_a_negative_week_nor_double_counts() {
        let w = weekly_from_observations(
            obs(&[
                ("a/m", "2024-01-07", 100),
                ("a/m", "2024-01-14", 90),
                ("a/m", "2024-01-21", 120),
            ]),
            &no_dates(),
        )
        .unwrap();
        // A baseline of 100, then a dip (0), then growth above the previous
        // maximum only.
        assert_eq!(weeks(&w, "a/m"), vec![(d("2024-01-15"), 20)]);
        assert_eq!(w.report.counter_decreases, 1);
        let total: u64 = weeks(&w, "a/m").iter().map(|x| x.1).sum();
        assert_eq!(
            total + w.report.pre_series_downloads,
            120,
            "baseline and weeks add up to the largest counter"
        );
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
        let apart = weekly_from_sources(vec![frame(&first), frame(&second)], &no_dates()).unwrap();
        let all: Vec<_> = first.iter().chain(&second).copied().collect();
        let together = weekly_from_observations(obs(&all), &no_dates()).unwrap();
        assert_eq!(apart.downloads, together.downloads);
        assert_eq!(apart.per_model, together.per_model);
        assert_eq!(apart.report, together.report);
        assert_eq!(apart.report.duplicate_rows_dropped, 1);
        assert_eq!(
            weeks(&apart, "a/m"),
            vec![(d("2024-01-08"), 15), (d("2024-01-15"), 5)]
        );
        assert_eq!(weeks(&apart, "c/z"), vec![(d("2024-01-08"), 7)]);
    }

    #[test]
    fn duplicate_rows_in_one_snapshot_keep_the_largest_counter() {
        let w = weekly_from_observations(
            obs(&[
                ("a/m", "2024-01-07", 10),
                ("a/m", "2024-01-07", 12),
                ("a/m", "2024-01-14", 20),
            ]),
            &no_dates(),
        )
        .unwrap();
        assert_eq!(weeks(&w, "a/m"), vec![(d("2024-01-08"), 8)]);
        assert_eq!(w.report.pre_series_downloads, 12);
        assert_eq!(w.report.duplicate_rows_dropped, 1);
    }

    #[test]
    fn a_model_missing_for_two_weeks_gets_the_gap_growth_when_it_reappears() {
        let w = weekly_from_observations(
            obs(&[
                ("a/m", "2024-01-07", 5),
                ("b/x", "2024-01-07", 1),
                ("b/x", "2024-01-14", 2),
                ("b/x", "2024-01-21", 3),
                ("a/m", "2024-01-28", 35),
                ("b/x", "2024-01-28", 4),
            ]),
            &no_dates(),
        )
        .unwrap();
        assert_eq!(weeks(&w, "a/m"), vec![(d("2024-01-22"), 30)]);
        assert_eq!(w.report.models_with_gaps, 1);
        assert_eq!(w.report.missing_observations, 2);
        assert_eq!(w.report.snapshot_dates.len(), 4);
    }

    #[test]
    fn a_model_first_seen_mid_series_counts_its_first_total_in_its_first_week() {
        let w = weekly_from_observations(
            obs(&[
                ("a/m", "2024-01-07", 5),
                ("n/new", "2024-01-14", 7),
                ("n/new", "2024-01-21", 9),
            ]),
            &no_dates(),
        )
        .unwrap();
        assert_eq!(
            weeks(&w, "n/new"),
            vec![(d("2024-01-08"), 7), (d("2024-01-15"), 2)]
        );
        assert_eq!(w.report.pre_series_downloads, 5);
    }
}
