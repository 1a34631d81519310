//! The aggregation at the heart of [`crate::download_share`]: per (time
//! bucket, category), the downloads and the distinct models with downloads.
//!
//! One pass over the credited weekly rows in plain code, instead of a
//! polars group-by on two keys with a filtered `n_unique`:
//!
//! - the bucket is computed once per distinct week ([`bucket_expr`] on a
//!   frame of the distinct weeks), and each row looks its week up;
//! - a group is a (bucket, category code) pair, numbered in order of first
//!   appearance (a dense table when the pairs are few, a hash map when the
//!   category is the developer itself);
//! - a model counts once per bucket: each model remembers the last bucket it
//!   was counted in. That is exact when each model's rows come in
//!   non-decreasing bucket order, as the prepared weekly downloads do (by
//!   model, then week); otherwise (detected on the first step back) the
//!   distinct (group, model) pairs are sorted and counted instead.
//!
//! Downloads are summed in f64 in row order. For whole-number downloads
//! below 2^53 (every count the Hub reports) the sums are exact, so they
//! equal polars' grouped sums bit for bit.

use polars::prelude::*;

use crate::buckets::{TimeBucket, bucket_expr};
use crate::day_index::{DayIndex, MAX_DAY_RANGE};
use crate::error::{Result, invalid};
use crate::text_codes::first_seen_codes;

/// Names of the columns [`category_totals`] writes.
pub(crate) mod columns {
    pub use crate::shares::columns::{BUCKET, DOWNLOADED_MODELS, DOWNLOADS};
}

/// The input columns of [`category_totals`].
pub(crate) struct TotalsColumns<'a> {
    /// The download week (Date, or anything that casts to Date).
    pub week: &'a str,
    /// The category code (UInt32; null for the unknown category).
    pub code: &'a str,
    /// The model's row in the models frame (IdxSize; null when absent).
    pub model_row: &'a str,
    /// The model id, used to tell apart models absent from the models frame.
    pub model_id: &'a str,
    /// The downloads (Float64).
    pub downloads: &'a str,
}

/// Per (bucket, code) with at least one row: [`columns::BUCKET`] (as
/// [`bucket_expr`] gives it), `code_name` (UInt32, nulls as
/// `unknown_code`), [`columns::DOWNLOADS`] (the sum, nulls as 0) and
/// [`columns::DOWNLOADED_MODELS`] (distinct models with downloads > 0),
/// in order of first appearance.
pub(crate) fn category_totals(
    rows: &DataFrame,
    c: &TotalsColumns<'_>,
    bucket: &TimeBucket,
    unknown_code: u32,
) -> Result<DataFrame> {
    totals_with_dense_limit(rows, c, bucket, unknown_code, DENSE_PAIRS)
}

/// [`category_totals`] with the dense-table limit as a parameter (tested both ways).
fn totals_with_dense_limit(
    rows: &DataFrame,
    c: &TotalsColumns<'_>,
    bucket: &TimeBucket,
    unknown_code: u32,
    dense_pairs: usize,
) -> Result<DataFrame> {
    let weeks = rows.column(c.week)?.cast(&DataType::Date)?;
    let weeks = weeks.date()?.physical().rechunk();
    let buckets = WeekBuckets::of(&weeks, c.week, bucket)?;
    let model_rows = rows.column(c.model_row)?.idx()?.rechunk();
    let keys = ModelKeys::of(rows, &model_rows, c.model_id)?;
    let pass = RowPass {
        weeks: &weeks,
        codes: &rows.column(c.code)?.u32()?.rechunk(),
        model_rows: &model_rows,
        downloads: &rows.column(c.downloads)?.f64()?.rechunk(),
        unknown_keys: &keys.unknown,
        unknown_code,
    };
    let mut groups = Groups::new(buckets.len(), pass.max_code(), dense_pairs);
    let mut last_bucket = vec![0u32; keys.count];
    let mut stepped_back = false;
    pass.for_each(|week, code, key, downloads| {
        let b = buckets.index(week);
        let g = groups.group(b, code);
        groups.downloads[g] += downloads;
        if downloads > 0.0 {
            // 1 + the bucket the model was last counted in (0: never).
            let last = &mut last_bucket[key as usize];
            if *last != b + 1 {
                stepped_back |= *last > b + 1;
                *last = b + 1;
                groups.models[g] += 1;
            }
        }
    });
    if stepped_back {
        groups.models = exact_distinct_models(&pass, &buckets, &mut groups);
    }
    groups.into_frame(&buckets, c.code)
}

/// The distinct models with downloads per group, counted from the sorted
/// (group, model) pairs: for rows where a model's buckets are not in order.
fn exact_distinct_models(
    pass: &RowPass<'_>,
    buckets: &WeekBuckets,
    groups: &mut Groups,
) -> Vec<u32> {
    let mut pairs: Vec<u64> = Vec::new();
    pass.for_each(|week, code, key, downloads| {
        if downloads > 0.0 {
            let g = groups.group(buckets.index(week), code);
            pairs.push(((g as u64) << 32) | u64::from(key));
        }
    });
    pairs.sort_unstable();
    pairs.dedup();
    let mut per_group = vec![0u32; groups.len()];
    for pair in pairs {
        per_group[(pair >> 32) as usize] += 1;
    }
    per_group
}

/// The columns one pass over the rows reads.
struct RowPass<'a> {
    weeks: &'a Int32Chunked,
    codes: &'a UInt32Chunked,
    model_rows: &'a IdxCa,
    downloads: &'a Float64Chunked,
    /// The model key of each row without a model row, in row order.
    unknown_keys: &'a [u32],
    unknown_code: u32,
}

impl RowPass<'_> {
    fn max_code(&self) -> u32 {
        self.codes.max().unwrap_or(0).max(self.unknown_code)
    }

    /// `f(week, code, model key, downloads)` for every row, in order; a
    /// null code is the unknown code, null downloads are 0.
    fn for_each(&self, mut f: impl FnMut(Option<i32>, u32, u32, f64)) {
        if let (Ok(weeks), Ok(codes), Ok(model_rows), Ok(downloads)) = (
            self.weeks.cont_slice(),
            self.codes.cont_slice(),
            self.model_rows.cont_slice(),
            self.downloads.cont_slice(),
        ) {
            // No nulls anywhere (the usual case): plain slices.
            for (((week, code), key), d) in weeks.iter().zip(codes).zip(model_rows).zip(downloads) {
                f(Some(*week), *code, *key, *d);
            }
            return;
        }
        let mut unknown = self.unknown_keys.iter();
        let rows = self
            .weeks
            .downcast_iter()
            .flat_map(|a| a.iter())
            .zip(self.codes.downcast_iter().flat_map(|a| a.iter()))
            .zip(self.model_rows.downcast_iter().flat_map(|a| a.iter()))
            .zip(self.downloads.downcast_iter().flat_map(|a| a.iter()));
        for (((week, code), model_row), downloads) in rows {
            let key = match model_row {
                Some(row) => *row,
                None => *unknown
                    .next()
                    .expect("a key for each row without a model row"),
            };
            f(
                week.copied(),
                code.copied().unwrap_or(self.unknown_code),
                key,
                downloads.copied().unwrap_or(0.0),
            );
        }
    }
}

/// Each distinct week's bucket, and the buckets' values.
struct WeekBuckets {
    /// The bucket index of each week (days merged into their buckets).
    index: DayIndex,
    /// The bucket values, one per index.
    values: Column,
}

impl WeekBuckets {
    fn of(weeks: &Int32Chunked, name: &str, bucket: &TimeBucket) -> Result<Self> {
        let present = || {
            weeks
                .downcast_iter()
                .flat_map(|a| a.non_null_values_iter())
                .map(i64::from)
        };
        let days = DayIndex::of(present, weeks.null_count() > 0).ok_or_else(|| {
            invalid(
                "download_share",
                format!("the download weeks span {MAX_DAY_RANGE} days or more"),
            )
        })?;
        let distinct = Int32Chunked::from_iter_options(
            name.into(),
            days.days().iter().map(|d| d.map(|d| d as i32)),
        )
        .into_series()
        .cast(&DataType::Date)?;
        let of_day = DataFrame::new(days.len(), vec![distinct.into_column()])?
            .lazy()
            .select([bucket_expr(name, bucket)?.alias(columns::BUCKET)])
            .collect()?;
        let of_day = of_day.column(columns::BUCKET)?;
        let (bucket_of_day, first_rows) = distinct_values(of_day)?;
        let first_rows = IdxCa::from_vec("".into(), first_rows);
        Ok(WeekBuckets {
            index: days.renamed(&bucket_of_day),
            values: of_day.take(&first_rows)?,
        })
    }

    fn len(&self) -> usize {
        self.values.len()
    }

    fn index(&self, week: Option<i32>) -> u32 {
        self.index.index(week.map(i64::from))
    }
}

/// Each row's index among the distinct values of `values` (first
/// appearance order), and the first row of each distinct value.
fn distinct_values(values: &Column) -> Result<(Vec<u32>, Vec<IdxSize>)> {
    let text = values.cast(&DataType::String)?;
    let mut seen: PlHashMap<Option<&str>, u32> = PlHashMap::default();
    let mut first_rows = Vec::new();
    let index = text
        .str()?
        .iter()
        .enumerate()
        .map(|(row, v)| {
            *seen.entry(v).or_insert_with(|| {
                first_rows.push(row as IdxSize);
                (first_rows.len() - 1) as u32
            })
        })
        .collect();
    Ok((index, first_rows))
}

/// A model's identity for the distinct count: its models-frame row, or,
/// for a model absent from the models frame, a number after the last row.
struct ModelKeys {
    /// The key of each row without a model row, in row order.
    unknown: Vec<u32>,
    /// How many distinct keys there can be.
    count: usize,
}

impl ModelKeys {
    fn of(rows: &DataFrame, model_rows: &IdxCa, model_id: &str) -> Result<Self> {
        let known = model_rows.max().map_or(0, |m| m as usize + 1);
        if model_rows.null_count() == 0 {
            return Ok(ModelKeys {
                unknown: Vec::new(),
                count: known,
            });
        }
        let absent = rows
            .column(model_id)?
            .filter(&model_rows.is_null())?
            .cast(&DataType::String)?;
        let codes = first_seen_codes(absent.str()?);
        let unknown: Vec<u32> = codes
            .iter()
            .map(|code| known as u32 + code.unwrap_or(0))
            .collect();
        let count = known + codes.max().map_or(0, |m| m as usize + 1);
        Ok(ModelKeys { unknown, count })
    }
}

/// The (bucket, code) groups in order of first appearance, with their
/// downloads and distinct downloaded models.
struct Groups {
    codes_per_bucket: usize,
    /// Dense lookup `bucket * codes_per_bucket + code -> group`, when small.
    dense: Option<Vec<u32>>,
    sparse: PlHashMap<(u32, u32), u32>,
    bucket: Vec<u32>,
    code: Vec<u32>,
    downloads: Vec<f64>,
    models: Vec<u32>,
}

/// Above this many (bucket, code) pairs, the groups are looked up by hash.
const DENSE_PAIRS: usize = 1 << 22;

impl Groups {
    fn new(buckets: usize, max_code: u32, dense_pairs: usize) -> Self {
        let codes_per_bucket = max_code as usize + 1;
        let pairs = buckets.saturating_mul(codes_per_bucket);
        Groups {
            codes_per_bucket,
            dense: (pairs <= dense_pairs).then(|| vec![u32::MAX; pairs]),
            sparse: PlHashMap::default(),
            bucket: Vec::new(),
            code: Vec::new(),
            downloads: Vec::new(),
            models: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.bucket.len()
    }

    /// The group of (`bucket`, `code`), created on first sight.
    fn group(&mut self, bucket: u32, code: u32) -> usize {
        let next = self.bucket.len() as u32;
        let slot = match &mut self.dense {
            Some(dense) => &mut dense[bucket as usize * self.codes_per_bucket + code as usize],
            None => self.sparse.entry((bucket, code)).or_insert(u32::MAX),
        };
        if *slot == u32::MAX {
            *slot = next;
            self.bucket.push(bucket);
            self.code.push(code);
            self.downloads.push(0.0);
            self.models.push(0);
        }
        *slot as usize
    }

    fn into_frame(self, buckets: &WeekBuckets, code_name: &str) -> Result<DataFrame> {
        let n = self.bucket.len();
        let bucket_rows = IdxCa::from_vec("".into(), self.bucket);
        Ok(DataFrame::new(
            n,
            vec![
                buckets.values.take(&bucket_rows)?,
                UInt32Chunked::from_vec(code_name.into(), self.code).into_column(),
                Float64Chunked::from_vec(columns::DOWNLOADS.into(), self.downloads).into_column(),
                UInt32Chunked::from_vec(columns::DOWNLOADED_MODELS.into(), self.models)
                    .into_column(),
            ],
        )?)
    }
}

#[cfg(test)]
#[path = "category_totals_tests.rs"]
mod tests;
