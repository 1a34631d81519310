//! The first step of [`crate::concentration_by`] on large inputs: the
//! amounts summed by key within each time bucket, in plain code.
//!
//! For one bucket column with integer days or numbers (Date, Int32,
//! UInt32) and a UInt32 key (the integer codes the analyses and the bench
//! pass), the rows are sorted into buckets with a counting sort, and each
//! bucket's rows are sorted by key (stably, so each key's amounts are added
//! in row order) and summed with Kahan's compensation, the summation polars'
//! grouped sum uses. The buckets are summed in parallel. This replaces a
//! `partition_by` (a group-by and a gather of every column) and a group-by
//! per bucket; the indices are then computed from these sums exactly as
//! before. Other column types return `None` and take the polars path.

use polars::prelude::*;
use rayon::prelude::*;

use crate::error::Result;

/// Widest range of bucket values handled here (a dense table of it is built).
const MAX_BUCKET_RANGE: i64 = 1 << 22;

/// One bucket: its value (a one-row frame of the bucket column) and its
/// keys with their summed amounts (the key column, nulls as one key, and
/// the value column as Float64).
pub(crate) struct BucketSums {
    pub bucket: DataFrame,
    pub per_key: DataFrame,
}

/// The per-bucket key sums of `input`, or `None` when the columns are not
/// of the handled types.
pub(crate) fn key_sums_by_bucket(
    input: &DataFrame,
    bucket_col: &str,
    key_col: &str,
    value_col: &str,
) -> Result<Option<Vec<BucketSums>>> {
    let bucket = input.column(bucket_col)?;
    let handled = matches!(
        bucket.dtype(),
        DataType::Date | DataType::Int32 | DataType::UInt32
    );
    if !handled || input.column(key_col)?.dtype() != &DataType::UInt32 {
        return Ok(None);
    }
    let days = bucket.to_physical_repr().cast(&DataType::Int64)?;
    let days = days.i64()?.rechunk();
    let Some(index) = BucketIndex::of(&days) else {
        return Ok(None);
    };
    let keys = input.column(key_col)?.u32()?.rechunk();
    let values = input.column(value_col)?.cast(&DataType::Float64)?;
    let values = values.f64()?.rechunk();
    let rows_by_bucket = index.rows_by_bucket(&days);
    let (Some(keys), Some(amounts)) = (keys.downcast_iter().next(), values.downcast_iter().next())
    else {
        return Ok(None);
    };
    rows_by_bucket
        .into_par_iter()
        .map(|rows| {
            let first = IdxCa::from_vec("".into(), vec![rows[0]]);
            let bucket = input.select([bucket_col])?.take(&first)?;
            let per_key = sums_by_key(
                rows,
                |row| keys.get(row),
                |row| amounts.get(row),
                (key_col, value_col),
            )?;
            Ok(BucketSums { bucket, per_key })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// The bucket index of each bucket value: a dense table over the values' range.
struct BucketIndex {
    first: i64,
    index_of_value: Vec<u32>,
    null_index: Option<u32>,
    buckets: usize,
}

impl BucketIndex {
    fn of(days: &Int64Chunked) -> Option<Self> {
        let (first, last) = match (days.min(), days.max()) {
            (Some(lo), Some(hi)) => (lo, hi),
            _ => (0, -1),
        };
        if last - first >= MAX_BUCKET_RANGE {
            return None;
        }
        let mut index_of_value = vec![u32::MAX; (last - first + 1).max(0) as usize];
        let mut buckets = 0u32;
        for day in days.downcast_iter().flat_map(|a| a.non_null_values_iter()) {
            let slot = &mut index_of_value[(day - first) as usize];
            if *slot == u32::MAX {
                *slot = buckets;
                buckets += 1;
            }
        }
        let null_index = (days.null_count() > 0).then_some(buckets);
        Some(BucketIndex {
            first,
            index_of_value,
            null_index,
            buckets: buckets as usize + usize::from(null_index.is_some()),
        })
    }

    fn index(&self, day: Option<i64>) -> usize {
        match day {
            Some(day) => self.index_of_value[(day - self.first) as usize] as usize,
            None => self.null_index.expect("a null bucket when a day is null") as usize,
        }
    }

    /// Each bucket's rows, in row order (a counting sort).
    fn rows_by_bucket(&self, days: &Int64Chunked) -> Vec<Vec<IdxSize>> {
        let mut counts = vec![0usize; self.buckets];
        for day in days.iter() {
            counts[self.index(day)] += 1;
        }
        let mut rows: Vec<Vec<IdxSize>> = counts.into_iter().map(Vec::with_capacity).collect();
        for (row, day) in days.iter().enumerate() {
            rows[self.index(day)].push(row as IdxSize);
        }
        rows
    }
}

/// The bucket's keys (ascending, a null key last) with their amounts
/// summed in row order (Kahan); null amounts count as zero.
fn sums_by_key(
    mut rows: Vec<IdxSize>,
    key: impl Fn(usize) -> Option<u32>,
    amount: impl Fn(usize) -> Option<f64>,
    (key_col, value_col): (&str, &str),
) -> Result<DataFrame> {
    let key_of = |row: &IdxSize| key(*row as usize).map_or(u64::MAX, u64::from);
    rows.sort_by_key(key_of);
    let mut out_keys: Vec<Option<u32>> = Vec::new();
    let mut out_sums: Vec<f64> = Vec::new();
    let mut current: Option<(u64, KahanSum)> = None;
    for row in &rows {
        let key = key_of(row);
        let x = amount(*row as usize).unwrap_or(0.0);
        match &mut current {
            Some((k, sum)) if *k == key => sum.add(x),
            _ => {
                if let Some((k, sum)) = current.take() {
                    out_keys.push(u32::try_from(k).ok());
                    out_sums.push(sum.total());
                }
                current = Some((key, KahanSum::of(x)));
            }
        }
    }
    if let Some((k, sum)) = current {
        out_keys.push(u32::try_from(k).ok());
        out_sums.push(sum.total());
    }
    let n = out_keys.len();
    Ok(DataFrame::new(
        n,
        vec![
            UInt32Chunked::from_iter_options(key_col.into(), out_keys.into_iter()).into_column(),
            Float64Chunked::from_vec(value_col.into(), out_sums).into_column(),
        ],
    )?)
}

/// A compensated sum.
struct KahanSum {
    sum: f64,
    error: f64,
}

impl KahanSum {
    fn of(first: f64) -> Self {
        KahanSum {
            sum: first,
            error: 0.0,
        }
    }

    fn add(&mut self, x: f64) {
        let y = x - self.error;
        let t = self.sum + y;
        self.error = (t - self.sum) - y;
        self.sum = t;
    }

    fn total(&self) -> f64 {
        self.sum
    }
}
