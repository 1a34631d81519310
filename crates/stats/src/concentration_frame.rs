//! Concentration per time bucket on a polars frame.
//!
//! [`concentration_by`] first sums the value by (bucket, key), ranks the keys
//! within their bucket, then computes every index of [`crate::concentration`]
//! per bucket from plain sums inside one `group_by().agg()`. Large inputs go
//! bucket by bucket; with integer-coded keys and an integer bucket (the
//! analyses' weekly rows) the sums by key and the per-bucket sums are
//! computed in plain code ([`crate::bucket_key_sums`], `ranked_sums`),
//! giving the same numbers bit for bit. No result depends on the order of
//! the input rows.

use polars::prelude::*;
use rayon::prelude::*;

use crate::bucket_key_sums::key_sums_by_bucket;
use crate::concentration::{ConcentrationOptions, GiniConvention};
use crate::error::{Result, StatsError, invalid};
use crate::frames::{check_amount_column, require_columns};

/// Names of the columns [`concentration_by`] and [`lorenz_by`] write.
pub mod columns {
    /// Number of keys in the bucket (keys with a zero amount included).
    pub const N_KEYS: &str = "n_keys";
    /// Sum of the amounts in the bucket.
    pub const TOTAL: &str = "total";
    /// HHI on shares, 0-1.
    pub const HHI: &str = "hhi";
    /// HHI on percentage shares, 0-10,000.
    pub const HHI_POINTS: &str = "hhi_points";
    /// `(hhi - 1/n) / (1 - 1/n)`, 0 when `n = 1`.
    pub const NORMALIZED_HHI: &str = "normalized_hhi";
    /// Gini coefficient under the convention in [`GINI_CONVENTION`].
    pub const GINI: &str = "gini";
    /// The Gini convention's name (same on every row).
    pub const GINI_CONVENTION: &str = "gini_convention";
    /// `1 / hhi`.
    pub const EFFECTIVE_NUMBER: &str = "effective_number";
    /// Shannon entropy of the shares, in nats.
    pub const ENTROPY: &str = "entropy";
    /// Lorenz curve: share of keys at or below this one.
    pub const POPULATION_SHARE: &str = "population_share";
    /// Lorenz curve: share of the total held by keys at or below this one.
    pub const VALUE_SHARE: &str = "value_share";

    /// The column of the top-k share (CR_k): `top{k}_share`.
    pub fn top_k(k: usize) -> String {
        format!("top{k}_share")
    }
}

/// Per time bucket, sums `value_col` by `key_col`, then computes every
/// concentration index across keys: one row per bucket (sorted by the bucket
/// columns), with the bucket columns, [`columns::N_KEYS`], [`columns::TOTAL`],
/// the HHI family, the Gini, the top-k shares and the entropy.
///
/// `bucket_cols` may be empty (one row for the whole frame). A null key is
/// a key of its own. Null amounts count as zero. In a bucket whose total is
/// zero, the share-based indices are null and the Gini is 0, as in the scalar
/// functions (which return [`StatsError::ZeroTotal`] there). Negative, NaN or
/// infinite amounts are an error.
///
/// How: after the sum by (bucket, key), each key gets its ordinal rank `d`
/// by amount, descending, within its bucket (one sort per bucket); then one
/// `group_by().agg()` of plain sums gives `n`, `T = sum x`, `sum x^2`,
/// `sum d x`, `sum x ln x` and `sum x [d <= k]`, from which
/// `HHI = sum x^2 / T^2`, `Gini = ((n + 1) T - 2 sum d x) / (n T)`,
/// `entropy = ln T - sum x ln x / T` and `CR_k = sum x [d <= k] / T`.
/// Ties may be ranked in any order without changing any index.
pub fn concentration_by(
    lf: LazyFrame,
    bucket_cols: &[&str],
    key_col: &str,
    value_col: &str,
    options: &ConcentrationOptions,
) -> Result<DataFrame> {
    concentration_partitioned_above(lf, bucket_cols, key_col, value_col, options, PARTITION_ROWS)
}

/// Input rows above which [`concentration_by`] sums and ranks one bucket at
/// a time. One `group_by` over (bucket, key) with tens of millions of groups
/// spends its time in cache misses (50M weekly rows across models: 27 s
/// in one pass against 4 s bucket by bucket, release build, 2 cores); a
/// bucket's keys fit in cache. Below it, one pass is cheaper than planning
/// a query per bucket. The results are the same either way (tested).
const PARTITION_ROWS: usize = 2_000_000;

/// [`concentration_by`] with the partitioning threshold as a parameter.
fn concentration_partitioned_above(
    lf: LazyFrame,
    bucket_cols: &[&str],
    key_col: &str,
    value_col: &str,
    options: &ConcentrationOptions,
    partition_rows: usize,
) -> Result<DataFrame> {
    const WHAT: &str = "concentration_by";
    if let Some(&k) = options.top_k.iter().find(|&&k| k == 0) {
        return Err(invalid(WHAT, format!("top-k share needs k >= 1, got {k}")));
    }
    let lf = checked_input(WHAT, lf, bucket_cols, key_col, value_col)?;
    let out = if bucket_cols.is_empty() {
        bucket_indices(lf, bucket_cols, key_col, value_col, options)?
    } else {
        let input = lf.collect()?;
        if input.height() > partition_rows {
            let per_bucket = per_bucket_indices(&input, bucket_cols, key_col, value_col, options)?;
            let mut out = DataFrame::empty();
            for part in &per_bucket {
                out.vstack_mut(part)?;
            }
            out
        } else {
            bucket_indices(input.lazy(), bucket_cols, key_col, value_col, options)?
        }
    };
    check_amount_column(WHAT, &out, MIN_AMOUNT)?;
    check_amount_column(WHAT, &out, columns::TOTAL)?;
    let mut out = out
        .lazy()
        .with_columns(derived_indices(options))
        .select(output_order(bucket_cols, options));
    if !bucket_cols.is_empty() {
        out = out.sort(
            bucket_names(bucket_cols),
            SortMultipleOptions::default().with_nulls_last(true),
        );
    }
    Ok(out.collect()?)
}

/// The per-bucket aggregates of a checked input: amounts summed by (bucket,
/// key), each key ranked by amount within its bucket, then the plain sums.
fn bucket_indices(
    lf: LazyFrame,
    bucket_cols: &[&str],
    key_col: &str,
    value_col: &str,
    options: &ConcentrationOptions,
) -> Result<DataFrame> {
    let per_key = amounts_per_key(lf, bucket_cols, key_col, value_col);
    if bucket_cols.is_empty() {
        return ranked_aggregates(per_key, value_col, options);
    }
    let aggregates = bucket_aggregates(value_col, &options.top_k);
    let rank = col(value_col).rank(
        RankOptions {
            method: RankMethod::Ordinal,
            descending: true,
        },
        None,
    );
    let rank = rank.over(bucket_exprs(bucket_cols))?;
    // Sorted by rank and in one chunk, so every sum below adds the same
    // numbers in the same order on every run: the squares of large amounts
    // are not exact in f64, and the group-by leaves keys in an order (and
    // chunks) that depend on the threads.
    let mut order = bucket_names(bucket_cols);
    order.push(RANK.into());
    let mut ranked = per_key
        .with_column(rank.cast(DataType::Float64).alias(RANK))
        .sort(order, SortMultipleOptions::default().with_nulls_last(true))
        .collect()?;
    ranked.rechunk_mut();
    Ok(ranked
        .lazy()
        .group_by(bucket_exprs(bucket_cols))
        .agg(aggregates)
        .collect()?)
}

/// The indices of each bucket of a large input, computed bucket by bucket:
/// from the key sums of [`key_sums_by_bucket`] when the columns allow,
/// else from a partition of the rows per bucket.
fn per_bucket_indices(
    input: &DataFrame,
    bucket_cols: &[&str],
    key_col: &str,
    value_col: &str,
    options: &ConcentrationOptions,
) -> Result<Vec<DataFrame>> {
    if let [bucket_col] = bucket_cols
        && let Some(sums) = key_sums_by_bucket(input, bucket_col, key_col, value_col)?
    {
        return sums
            .into_par_iter()
            .map(|b| {
                let amounts = b.per_key.column(value_col)?.f64()?;
                let indices = ranked_sums(amounts.into_no_null_iter().collect(), options)?;
                let mut out = b.bucket;
                out.hstack_mut(indices.columns())?;
                Ok(out)
            })
            .collect();
    }
    input
        .partition_by(bucket_names(bucket_cols), true)?
        .into_par_iter()
        .map(|part| one_bucket_indices(part, bucket_cols, key_col, value_col, options))
        .collect()
}

/// The aggregates of one bucket from its amounts per key: sorted largest
/// first, a key's rank is its position (one sort, no rank pass). Tied keys
/// may come in any order, but they have the same amount: the sums see the
/// same numbers in the same order either way.
fn ranked_aggregates(
    per_key: LazyFrame,
    value_col: &str,
    options: &ConcentrationOptions,
) -> Result<DataFrame> {
    let mut ranked = per_key
        .sort(
            [value_col],
            SortMultipleOptions::default().with_order_descending(true),
        )
        .with_row_index(RANK, Some(1))
        .with_column(col(RANK).cast(DataType::Float64))
        .collect()?;
    ranked.rechunk_mut();
    let aggregates = bucket_aggregates(value_col, &options.top_k);
    Ok(ranked.lazy().select(aggregates).collect()?)
}

/// [`bucket_indices`] of a part holding one bucket: computed as a frame
/// without buckets (no rank window, no group-by on the bucket), then given
/// its bucket's values. The same sums in the same order as in one pass.
fn one_bucket_indices(
    part: DataFrame,
    bucket_cols: &[&str],
    key_col: &str,
    value_col: &str,
    options: &ConcentrationOptions,
) -> Result<DataFrame> {
    let bucket = part.select(bucket_names(bucket_cols))?.head(Some(1));
    let indices = bucket_indices(part.lazy(), &[], key_col, value_col, options)?;
    let mut out = bucket;
    out.hstack_mut(indices.columns())?;
    Ok(out)
}

/// The Lorenz curve of every bucket: one row per (bucket, key), sorted by
/// bucket then amount ascending (ties by key), with the key's summed amount,
/// [`columns::POPULATION_SHARE`] (`i / n`) and [`columns::VALUE_SHARE`]
/// (share of the bucket's total held by the `i` smallest keys). Unlike
/// [`crate::lorenz_curve`], the `(0, 0)` origin is not a row. In a bucket whose
/// total is zero the value share is null.
pub fn lorenz_by(
    lf: LazyFrame,
    bucket_cols: &[&str],
    key_col: &str,
    value_col: &str,
) -> Result<DataFrame> {
    const WHAT: &str = "lorenz_by";
    let lf = checked_input(WHAT, lf, bucket_cols, key_col, value_col)?;
    let per_key = amounts_per_key(lf, bucket_cols, key_col, value_col).collect()?;
    check_amount_column(WHAT, &per_key, value_col)?;
    let mut order: Vec<PlSmallStr> = bucket_names(bucket_cols);
    order.push(value_col.into());
    order.push(key_col.into());
    let sorted = per_key.sort(order, SortMultipleOptions::default().with_nulls_last(true))?;
    let within = |e: Expr| -> Result<Expr> {
        Ok(if bucket_cols.is_empty() {
            e
        } else {
            e.over(bucket_exprs(bucket_cols))?
        })
    };
    let value = col(value_col);
    let total = within(value.clone().sum())?;
    let out = sorted
        .lazy()
        .with_columns([
            (within(value.clone().cum_count(false))?.cast(DataType::Float64)
                / within(value.clone().count())?.cast(DataType::Float64))
            .alias(columns::POPULATION_SHARE),
            when(total.clone().gt(lit(0.0)))
                .then(within(value.cum_sum(false))? / total)
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias(columns::VALUE_SHARE),
        ])
        .collect()?;
    Ok(out)
}

/// The bucket, key and value columns of `lf`, after checking that they
/// exist, are distinct and do not clash with an output column.
fn checked_input(
    what: &'static str,
    mut lf: LazyFrame,
    bucket_cols: &[&str],
    key_col: &str,
    value_col: &str,
) -> Result<LazyFrame> {
    let mut needed: Vec<&str> = bucket_cols.to_vec();
    needed.extend([key_col, value_col]);
    require_columns(what, &mut lf, &needed)?;
    if bucket_cols.contains(&key_col) || bucket_cols.contains(&value_col) || key_col == value_col {
        return Err(invalid(
            what,
            "the key, value and bucket columns must be distinct",
        ));
    }
    if let Some(clash) = bucket_cols.iter().find(|c| is_output_name(c)) {
        return Err(StatsError::Column {
            what,
            column: clash.to_string(),
            message: "a bucket column may not share a name with an output column".into(),
        });
    }
    Ok(lf.select(needed.iter().map(|c| col(*c)).collect::<Vec<_>>()))
}

/// Sums the value (as f64) by bucket and key.
fn amounts_per_key(
    lf: LazyFrame,
    bucket_cols: &[&str],
    key_col: &str,
    value_col: &str,
) -> LazyFrame {
    let mut keys = bucket_exprs(bucket_cols);
    keys.push(col(key_col));
    lf.group_by(keys).agg([col(value_col)
        .cast(DataType::Float64)
        .sum()
        .alias(value_col)])
}

fn is_output_name(name: &str) -> bool {
    use columns::*;
    [
        N_KEYS,
        TOTAL,
        HHI,
        HHI_POINTS,
        NORMALIZED_HHI,
        GINI,
        GINI_CONVENTION,
        EFFECTIVE_NUMBER,
        ENTROPY,
    ]
    .contains(&name)
        || (name.starts_with("top") && name.ends_with("_share"))
}

fn bucket_exprs(bucket_cols: &[&str]) -> Vec<Expr> {
    bucket_cols.iter().map(|c| col(*c)).collect()
}

fn bucket_names(bucket_cols: &[&str]) -> Vec<PlSmallStr> {
    bucket_cols.iter().map(|c| PlSmallStr::from(*c)).collect()
}

/// Intermediate columns: each key's rank by amount (descending), the
/// bucket's smallest amount (for validation), `sum x^2`, `sum d x`,
/// `sum x ln x` and `sum x [d <= k]`.
const RANK: &str = "__rank_descending";
const MIN_AMOUNT: &str = "__min_amount";
const SUM_SQUARES: &str = "__sum_squares";
const SUM_RANK_WEIGHTED: &str = "__sum_rank_weighted";
const SUM_X_LN_X: &str = "__sum_x_ln_x";

fn top_k_total(k: usize) -> String {
    format!("__top{k}_total")
}

/// The per-bucket aggregations: plain sums over the ranked keys.
fn bucket_aggregates(value_col: &str, ks: &[usize]) -> Vec<Expr> {
    use columns::*;
    let x = col(value_col);
    let mut exprs = vec![
        len().cast(DataType::UInt32).alias(N_KEYS),
        x.clone().sum().alias(TOTAL),
        x.clone().min().alias(MIN_AMOUNT),
        (x.clone() * x.clone()).sum().alias(SUM_SQUARES),
        (col(RANK) * x.clone()).sum().alias(SUM_RANK_WEIGHTED),
        when(x.clone().gt(lit(0.0)))
            .then(x.clone() * x.clone().log(lit(std::f64::consts::E)))
            .otherwise(lit(0.0))
            .sum()
            .alias(SUM_X_LN_X),
    ];
    for &k in ks {
        let inside = col(RANK).lt_eq(lit(k as f64));
        exprs.push(
            when(inside)
                .then(x.clone())
                .otherwise(lit(0.0))
                .sum()
                .alias(top_k_total(k)),
        );
    }
    exprs
}

/// [`bucket_aggregates`] of one bucket's amounts per key, in plain code:
/// the amounts sorted largest first (a key's rank is its position), each
/// summed term computed as the expression computes it, and each column
/// summed by polars' own sum, so the result is the query's bit for bit.
fn ranked_sums(mut x: Vec<f64>, options: &ConcentrationOptions) -> Result<DataFrame> {
    use columns::*;
    x.sort_unstable_by(|a, b| b.total_cmp(a));
    let sum = |name: &str, terms: Vec<f64>| -> Column {
        let total = Float64Chunked::from_vec("".into(), terms).sum();
        Column::new(name.into(), [total])
    };
    let rank = |i: usize| (i + 1) as f64;
    let ln_e = |v: f64| v.log(std::f64::consts::E);
    let mut columns = vec![
        Column::new(N_KEYS.into(), [x.len() as u32]),
        sum(TOTAL, x.clone()),
        Column::new(
            MIN_AMOUNT.into(),
            [Float64Chunked::from_slice("".into(), &x).min()],
        ),
        sum(SUM_SQUARES, x.iter().map(|v| v * v).collect()),
        sum(
            SUM_RANK_WEIGHTED,
            x.iter().enumerate().map(|(i, v)| rank(i) * v).collect(),
        ),
        sum(
            SUM_X_LN_X,
            x.iter()
                .map(|&v| if v > 0.0 { v * ln_e(v) } else { 0.0 })
                .collect(),
        ),
    ];
    for &k in &options.top_k {
        let inside = |i: usize| rank(i) <= k as f64;
        columns.push(sum(
            &top_k_total(k),
            x.iter()
                .enumerate()
                .map(|(i, &v)| if inside(i) { v } else { 0.0 })
                .collect(),
        ));
    }
    Ok(DataFrame::new(1, columns)?)
}

/// Indices derived from the aggregates, with the conventions for a zero total
/// (share-based indices null, Gini 0) and for one key (normalized HHI 0).
fn derived_indices(options: &ConcentrationOptions) -> Vec<Expr> {
    use columns::*;
    let n = col(N_KEYS).cast(DataType::Float64);
    let total = col(TOTAL);
    let positive = total.clone().gt(lit(0.0));
    let null = || lit(NULL).cast(DataType::Float64);
    let defined = |e: Expr| when(positive.clone()).then(e).otherwise(null());
    let hhi = col(SUM_SQUARES) / (total.clone() * total.clone());
    let population_gini = ((n.clone() + lit(1.0)) * total.clone()
        - lit(2.0) * col(SUM_RANK_WEIGHTED))
        / (n.clone() * total.clone());
    let gini = match options.gini {
        GiniConvention::Population => population_gini,
        GiniConvention::SampleCorrected => when(n.clone().gt(lit(1.0)))
            .then(population_gini * n.clone() / (n.clone() - lit(1.0)))
            .otherwise(lit(0.0)),
    };
    let normalized = when(n.clone().gt(lit(1.0)))
        .then((hhi.clone() - lit(1.0) / n.clone()) / (lit(1.0) - lit(1.0) / n.clone()))
        .otherwise(lit(0.0));
    let entropy = total.clone().log(lit(std::f64::consts::E)) - col(SUM_X_LN_X) / total.clone();
    let mut exprs = vec![
        defined(hhi.clone()).alias(HHI),
        defined(lit(10_000.0) * hhi.clone()).alias(HHI_POINTS),
        defined(normalized.clip(lit(0.0), lit(1.0))).alias(NORMALIZED_HHI),
        when(positive.clone())
            .then(gini.clip(lit(0.0), lit(1.0)))
            .otherwise(lit(0.0))
            .alias(GINI),
        lit(options.gini.name()).alias(GINI_CONVENTION),
        defined(lit(1.0) / hhi).alias(EFFECTIVE_NUMBER),
        defined(entropy.clip(lit(0.0), n.log(lit(std::f64::consts::E)))).alias(ENTROPY),
    ];
    for &k in &options.top_k {
        exprs.push(
            defined((col(top_k_total(k)) / total.clone()).clip(lit(0.0), lit(1.0))).alias(top_k(k)),
        );
    }
    exprs
}

/// The output columns, in order.
fn output_order(bucket_cols: &[&str], options: &ConcentrationOptions) -> Vec<Expr> {
    use columns::*;
    let mut exprs = bucket_exprs(bucket_cols);
    for name in [
        N_KEYS,
        TOTAL,
        HHI,
        HHI_POINTS,
        NORMALIZED_HHI,
        GINI,
        GINI_CONVENTION,
    ] {
        exprs.push(col(name));
    }
    let mut seen = Vec::new();
    for &k in &options.top_k {
        if !seen.contains(&k) {
            seen.push(k);
            exprs.push(col(top_k(k)));
        }
    }
    exprs.extend([col(EFFECTIVE_NUMBER), col(ENTROPY)]);
    exprs
}

#[cfg(test)]
#[path = "concentration_frame_tests.rs"]
mod tests;
