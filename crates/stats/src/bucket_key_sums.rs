//! The first step of [`crate::concentration_by`] on large inputs: the
//! amounts summed by key within each time bucket, in plain code.
//!
//! For one bucket column with integer days or numbers (Date, Int32,
//! UInt32) and a UInt32 key (the integer codes the analyses and the bench
//! pass), the rows are sorted into buckets with a counting sort, and each
//! bucket's amounts are summed by key in row order with Kahan's
//! compensation, the summation polars' grouped sum uses, in a table indexed
//! by key that each worker reuses. The buckets are summed in parallel. This
//! replaces a
//! `partition_by` (a group-by and a gather of every column) and a group-by
//! per bucket; the indices are then computed from these sums exactly as
//! before. Other column types return `None` and take the polars path.

use polars::prelude::*;
use rayon::prelude::*;

use crate::day_index::DayIndex;
use crate::error::Result;

/// Largest key handled here, plus one (each worker holds a table of this
/// many keys: 17 bytes each).
const MAX_KEYS: usize = 1 << 22;

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
    let present = || days.downcast_iter().flat_map(|a| a.non_null_values_iter());
    let Some(index) = DayIndex::of(present, days.null_count() > 0) else {
        return Ok(None);
    };
    let keys = input.column(key_col)?.u32()?.rechunk();
    // The null key is summed after the largest key. Keys are indices into
    // a table per worker: wide key ranges take the polars path.
    let null_key = keys.max().map_or(0, |k| k.saturating_add(1));
    if null_key as usize >= MAX_KEYS {
        return Ok(None);
    }
    let values = input.column(value_col)?.cast(&DataType::Float64)?;
    let values = values.f64()?.rechunk();
    let (Some(keys), Some(amounts)) = (keys.downcast_iter().next(), values.downcast_iter().next())
    else {
        return Ok(None);
    };
    let buckets = pairs_by_bucket(
        &index,
        &days,
        |row| keys.get(row).unwrap_or(null_key),
        |row| amounts.get(row).unwrap_or(0.0),
    );
    // About two jobs per thread, so few tables are built.
    let per_job = buckets
        .len()
        .div_ceil(2 * rayon::current_num_threads())
        .max(1);
    buckets
        .into_par_iter()
        .with_min_len(per_job)
        .map_init(
            || KeySums::new(null_key as usize + 1),
            |sums, rows| {
                let first = IdxCa::from_vec("".into(), vec![rows.first_row]);
                let bucket = input.select([bucket_col])?.take(&first)?;
                for (&key, &x) in rows.keys.iter().zip(&rows.amounts) {
                    sums.add(key, x);
                }
                let per_key = sums.take_frame(null_key, key_col, value_col)?;
                Ok(BucketSums { bucket, per_key })
            },
        )
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// One bucket's rows, in row order: their keys and amounts, and the first row.
struct BucketRows {
    first_row: IdxSize,
    keys: Vec<u32>,
    amounts: Vec<f64>,
}

/// Each bucket's rows, in row order: one sequential pass over the rows,
/// copying each row's key and amount to its bucket, so that each bucket is
/// then read contiguously.
fn pairs_by_bucket(
    index: &DayIndex,
    days: &Int64Chunked,
    key: impl Fn(usize) -> u32,
    amount: impl Fn(usize) -> f64,
) -> Vec<BucketRows> {
    let bucket_of_row: Vec<u32> = match days.cont_slice() {
        Ok(days) => days.iter().map(|d| index.index(Some(*d))).collect(),
        Err(_) => days.iter().map(|d| index.index(d)).collect(),
    };
    let mut counts = vec![0usize; index.len()];
    for &b in &bucket_of_row {
        counts[b as usize] += 1;
    }
    let mut buckets: Vec<BucketRows> = counts
        .into_iter()
        .map(|n| BucketRows {
            first_row: IdxSize::MAX,
            keys: Vec::with_capacity(n),
            amounts: Vec::with_capacity(n),
        })
        .collect();
    for (row, &b) in bucket_of_row.iter().enumerate() {
        let bucket = &mut buckets[b as usize];
        if bucket.keys.is_empty() {
            bucket.first_row = row as IdxSize;
        }
        bucket.keys.push(key(row));
        bucket.amounts.push(amount(row));
    }
    buckets
}

/// One bucket's amounts summed by key, in row order (Kahan), in a table
/// indexed by key that is reused bucket after bucket; null amounts count as
/// zero.
struct KeySums {
    sums: Vec<KahanSum>,
    seen: Vec<bool>,
    /// The keys of the current bucket, in order of first appearance.
    touched: Vec<u32>,
}

impl KeySums {
    fn new(keys: usize) -> Self {
        KeySums {
            sums: vec![KahanSum::default(); keys],
            seen: vec![false; keys],
            touched: Vec::new(),
        }
    }

    fn add(&mut self, key: u32, x: f64) {
        let k = key as usize;
        if self.seen[k] {
            self.sums[k].add(x);
        } else {
            self.seen[k] = true;
            self.touched.push(key);
            self.sums[k] = KahanSum::of(x);
        }
    }

    /// The current bucket's keys (`null_key` as a null) and sums, and a
    /// clean table for the next bucket.
    fn take_frame(&mut self, null_key: u32, key_col: &str, value_col: &str) -> Result<DataFrame> {
        let keys = self.touched.iter().map(|&k| (k != null_key).then_some(k));
        let keys = UInt32Chunked::from_iter_options(key_col.into(), keys);
        let sums: Vec<f64> = self
            .touched
            .iter()
            .map(|&k| self.sums[k as usize].total())
            .collect();
        for &k in &self.touched {
            self.seen[k as usize] = false;
        }
        self.touched.clear();
        let n = sums.len();
        Ok(DataFrame::new(
            n,
            vec![
                keys.into_column(),
                Float64Chunked::from_vec(value_col.into(), sums).into_column(),
            ],
        )?)
    }
}

/// A compensated sum.
#[derive(Clone, Copy, Default)]
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
