//! Growth between two periods of a download-weighted mean (model size) or
//! share (multimodal, quantized, MoE), with a seeded bootstrap interval.
//!
//! The measure in period `p` is `M_p = sum w x / sum w` over the rows of
//! period `p` with a known value, `w` the downloads and `x` the value (a
//! boolean counts as 0/1, so `M_p` is then a download-weighted share). The
//! growth ratio is `M_last / M_first`. Its interval is a percentile
//! bootstrap: the resampling units (models, or developers with all their
//! models) are drawn with replacement from those with downloads in either
//! period, keeping each unit's downloads and values in both periods
//! together; `M_first`, `M_last` and their ratio are recomputed on each of
//! `B` resamples.

use polars::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;
use serde::{Deserialize, Serialize};

use crate::buckets::STUDY_PERIODS;
use crate::error::{Result, invalid};
use crate::frames::{check_amount_column, require_columns};

/// The default seed: the study's arXiv number.
pub const DEFAULT_SEED: u64 = 2512_03073;

/// What the bootstrap resamples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resample {
    /// Models, independently.
    #[default]
    Models,
    /// Developers, each with all its models (cluster bootstrap), since
    /// downloads and attributes cluster by developer.
    Developers,
}

/// Which growth ratio to compute and how to bootstrap it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthSpec {
    /// The period of each row (any type; compared as a string).
    pub period_col: String,
    /// The label of the base period (denominator).
    pub first: String,
    /// The label of the later period (numerator).
    pub last: String,
    /// The model id.
    pub unit_col: String,
    /// The developer, needed to resample developers.
    pub cluster_col: Option<String>,
    /// Downloads (non-negative).
    pub weight_col: String,
    /// The value: numeric (a mean) or boolean (a share). Nulls are left out.
    pub value_col: String,
    pub resample: Resample,
    /// Number of bootstrap resamples `B`.
    pub replicates: usize,
    /// Confidence level of the interval, in (0, 1).
    pub level: f64,
    pub seed: u64,
}

impl GrowthSpec {
    /// Last study period (`2025`) over the first (`<=2022`), resampling
    /// models, `B = 2000`, 95% level, [`DEFAULT_SEED`].
    pub fn new(value_col: &str, weight_col: &str, unit_col: &str, period_col: &str) -> Self {
        GrowthSpec {
            period_col: period_col.into(),
            first: STUDY_PERIODS[0].into(),
            last: STUDY_PERIODS[STUDY_PERIODS.len() - 1].into(),
            unit_col: unit_col.into(),
            cluster_col: None,
            weight_col: weight_col.into(),
            value_col: value_col.into(),
            resample: Resample::Models,
            replicates: 2000,
            level: 0.95,
            seed: DEFAULT_SEED,
        }
    }
}

/// A growth ratio with its bootstrap interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthEstimate {
    /// `M_last / M_first` on the full sample.
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub level: f64,
    /// `M_first` and `M_last`.
    pub first_value: f64,
    pub last_value: f64,
    pub first: String,
    pub last: String,
    /// Models with downloads and a known value in either period.
    pub n_models: usize,
    /// Developers behind them (equals `n_models` when there is no cluster column).
    pub n_clusters: usize,
    pub replicates: usize,
    /// Resamples where the ratio was undefined (no downloads, or a zero
    /// base, in a period), left out of the interval.
    pub undefined_replicates: usize,
    /// `M_last - M_first`, a contrast that stays stable when the base is
    /// near zero (where the ratio's interval is not), with the percentile
    /// interval of the same replicates and a two-sided bootstrap p-value of
    /// no difference.
    pub difference: f64,
    pub difference_ci_low: f64,
    pub difference_ci_high: f64,
    pub difference_p_value: f64,
    /// "download-weighted mean" or "download-weighted share".
    pub measure: String,
    /// How the interval was computed, in words.
    pub method: String,
}

/// Per resampling unit: downloads and downloads times value, in each period.
#[derive(Clone, Copy, Debug, Default)]
struct UnitSums {
    weight_first: f64,
    weighted_first: f64,
    weight_last: f64,
    weighted_last: f64,
}

impl UnitSums {
    fn add(&mut self, other: &UnitSums) {
        self.weight_first += other.weight_first;
        self.weighted_first += other.weighted_first;
        self.weight_last += other.weight_last;
        self.weighted_last += other.weighted_last;
    }

    /// `M_last - M_first`, `None` where a period has no downloads.
    fn difference(&self) -> Option<f64> {
        (self.weight_first > 0.0 && self.weight_last > 0.0).then(|| {
            self.weighted_last / self.weight_last - self.weighted_first / self.weight_first
        })
    }

    /// `M_last / M_first`, `None` where undefined.
    fn ratio(&self) -> Option<f64> {
        let first = self.weighted_first / self.weight_first;
        let last = self.weighted_last / self.weight_last;
        let ratio = last / first;
        (self.weight_first > 0.0 && self.weight_last > 0.0 && first != 0.0 && ratio.is_finite())
            .then_some(ratio)
    }
}

/// The growth ratio `M_last / M_first` of a download-weighted mean or share
/// between two periods, with a percentile bootstrap interval.
///
/// `lf` has one row per model and period (or per model and week with the
/// period as a column: rows are summed per model). The interval's bounds
/// are the `(1 - level) / 2` and `(1 + level) / 2` quantiles of the
/// bootstrap ratios, linearly interpolated (Hyndman-Fan type 7, numpy's
/// default). The same seed gives the same interval.
pub fn growth_ratio(mut lf: LazyFrame, spec: &GrowthSpec) -> Result<GrowthEstimate> {
    const WHAT: &str = "growth_ratio";
    check_spec(spec)?;
    let mut needed = vec![
        spec.period_col.as_str(),
        &spec.unit_col,
        &spec.weight_col,
        &spec.value_col,
    ];
    if let Some(cluster) = &spec.cluster_col {
        needed.push(cluster);
    }
    let schema = require_columns(WHAT, &mut lf, &needed)?;
    let is_share = schema.get(&spec.value_col) == Some(&DataType::Boolean);
    let (units, n_models, n_clusters) = unit_sums(lf, spec)?;
    let total = units.iter().fold(UnitSums::default(), |mut acc, u| {
        acc.add(u);
        acc
    });
    for (label, weight) in [
        (&spec.first, total.weight_first),
        (&spec.last, total.weight_last),
    ] {
        if weight <= 0.0 {
            return Err(invalid(
                WHAT,
                format!(
                    "period `{label}` has no downloads with a known `{}`",
                    spec.value_col
                ),
            ));
        }
    }
    let first_value = total.weighted_first / total.weight_first;
    let last_value = total.weighted_last / total.weight_last;
    let estimate = total.ratio().ok_or_else(|| {
        invalid(
            WHAT,
            format!("the base period `{}` has a mean of zero", spec.first),
        )
    })?;
    let (mut ratios, mut differences) = bootstrap(&units, spec.replicates, spec.seed);
    let undefined_replicates = spec.replicates - ratios.len();
    differences.sort_by(f64::total_cmp);
    if ratios.is_empty() {
        return Err(invalid(
            WHAT,
            "every bootstrap resample had an undefined ratio",
        ));
    }
    ratios.sort_by(f64::total_cmp);
    let tail = (1.0 - spec.level) / 2.0;
    let unit = match spec.resample {
        Resample::Models => "models",
        Resample::Developers => "developers (cluster bootstrap)",
    };
    let measure = if is_share {
        "download-weighted share"
    } else {
        "download-weighted mean"
    };
    Ok(GrowthEstimate {
        estimate,
        ci_low: type7_quantile(&ratios, tail),
        ci_high: type7_quantile(&ratios, 1.0 - tail),
        level: spec.level,
        first_value,
        last_value,
        first: spec.first.clone(),
        last: spec.last.clone(),
        n_models,
        n_clusters,
        replicates: spec.replicates,
        undefined_replicates,
        difference: last_value - first_value,
        difference_ci_low: quantile_or_nan(&differences, tail),
        difference_ci_high: quantile_or_nan(&differences, 1.0 - tail),
        difference_p_value: sign_p_value(&differences),
        measure: measure.into(),
        method: format!(
            "ratio of {measure}s ({} / {}); percentile bootstrap resampling {unit} with replacement, B = {}, seed = {}",
            spec.last, spec.first, spec.replicates, spec.seed
        ),
    })
}

fn check_spec(spec: &GrowthSpec) -> Result<()> {
    const WHAT: &str = "growth_ratio";
    if !(spec.level > 0.0 && spec.level < 1.0) {
        return Err(invalid(
            WHAT,
            format!("level must be in (0, 1), got {}", spec.level),
        ));
    }
    if spec.replicates == 0 {
        return Err(invalid(WHAT, "needs at least one bootstrap replicate"));
    }
    if spec.first == spec.last {
        return Err(invalid(WHAT, "the two periods must differ"));
    }
    if spec.resample == Resample::Developers && spec.cluster_col.is_none() {
        return Err(invalid(WHAT, "resampling developers needs `cluster_col`"));
    }
    Ok(())
}

/// Sums per resampling unit (with polars), plus the counts of models and developers.
fn unit_sums(lf: LazyFrame, spec: &GrowthSpec) -> Result<(Vec<UnitSums>, usize, usize)> {
    let period = col(&spec.period_col).cast(DataType::String);
    let weight = col(&spec.weight_col).cast(DataType::Float64);
    let value = col(&spec.value_col).cast(DataType::Float64);
    let in_period = |label: &str| period.clone().eq(lit(label));
    let sum_where = |cond: Expr, e: Expr| when(cond).then(e).otherwise(lit(0.0)).sum();
    let cluster = match &spec.cluster_col {
        Some(c) => col(c).cast(DataType::String),
        None => col(&spec.unit_col).cast(DataType::String),
    };
    let rows = lf
        .filter(
            value
                .clone()
                .is_not_null()
                .and(in_period(&spec.first).or(in_period(&spec.last))),
        )
        .select([
            col(&spec.unit_col).alias("unit"),
            cluster.alias("cluster"),
            weight.clone().fill_null(lit(0.0)).alias("w"),
            period.alias("period"),
            value.alias("x"),
        ])
        .collect()?;
    check_amount_column("growth_ratio", &rows, "w")?;
    let per_unit = rows
        .lazy()
        .group_by([col("unit"), col("cluster")])
        .agg([
            sum_where(col("period").eq(lit(spec.first.as_str())), col("w")).alias("wf"),
            sum_where(
                col("period").eq(lit(spec.first.as_str())),
                col("w") * col("x"),
            )
            .alias("wxf"),
            sum_where(col("period").eq(lit(spec.last.as_str())), col("w")).alias("wl"),
            sum_where(
                col("period").eq(lit(spec.last.as_str())),
                col("w") * col("x"),
            )
            .alias("wxl"),
        ])
        .filter(col("wf").gt(lit(0.0)).or(col("wl").gt(lit(0.0))));
    let resampled_by = match spec.resample {
        Resample::Models => col("unit"),
        Resample::Developers => col("cluster"),
    };
    let counts = per_unit
        .clone()
        .select([
            col("unit").n_unique().alias("models"),
            col("cluster").n_unique().alias("clusters"),
        ])
        .collect()?;
    let count = |name: &str| -> Result<usize> {
        Ok(counts
            .column(name)?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(0)
            .unwrap_or(0) as usize)
    };
    let (n_models, n_clusters) = (count("models")?, count("clusters")?);
    // Added up here, key by key in unit order, not by a polars group-by:
    // that may add a group's values in an order that depends on the
    // threads and engine, and the products w x are not exact in f64 (at
    // 851k models the 2025/<=2022 size ratio moved in its last digits
    // between runs, even with POLARS_MAX_THREADS=1).
    let sorted = per_unit
        .select([
            resampled_by.cast(DataType::String).alias("key"),
            col("unit").cast(DataType::String),
            col("wf"),
            col("wxf"),
            col("wl"),
            col("wxl"),
        ])
        .sort(["key", "unit"], SortMultipleOptions::default())
        .collect()?;
    let column = |name: &str| -> Result<Vec<f64>> {
        Ok(sorted
            .column(name)?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect())
    };
    let (wf, wxf, wl, wxl) = (column("wf")?, column("wxf")?, column("wl")?, column("wxl")?);
    let keys = sorted.column("key")?.str()?;
    let mut units: Vec<UnitSums> = Vec::new();
    let mut previous = None;
    for (i, key) in keys.iter().enumerate() {
        let unit = UnitSums {
            weight_first: wf[i],
            weighted_first: wxf[i],
            weight_last: wl[i],
            weighted_last: wxl[i],
        };
        match units.last_mut() {
            Some(sums) if i > 0 && key == previous => sums.add(&unit),
            _ => units.push(unit),
        }
        previous = key;
    }
    Ok((units, n_models, n_clusters))
}

/// The defined ratios and differences of `replicates` resamples of `units`
/// with replacement (the same draws for both).
fn bootstrap(units: &[UnitSums], replicates: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Pcg64::seed_from_u64(seed);
    let m = units.len() as u64;
    let (mut ratios, mut differences) = (
        Vec::with_capacity(replicates),
        Vec::with_capacity(replicates),
    );
    for _ in 0..replicates {
        let mut sums = UnitSums::default();
        for _ in 0..m {
            sums.add(&units[rng.random_range(0..m) as usize]);
        }
        ratios.extend(sums.ratio());
        differences.extend(sums.difference());
    }
    (ratios, differences)
}

fn quantile_or_nan(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        f64::NAN
    } else {
        type7_quantile(sorted, q)
    }
}

/// Two-sided bootstrap p-value of no difference: twice the smaller share of
/// replicates on either side of zero, each counted with the +1 of a
/// Monte Carlo p-value, at most 1.
pub fn sign_p_value(replicates: &[f64]) -> f64 {
    let n = replicates.len() as f64;
    if n == 0.0 {
        return f64::NAN;
    }
    let below = replicates.iter().filter(|d| **d <= 0.0).count() as f64;
    let above = replicates.iter().filter(|d| **d >= 0.0).count() as f64;
    (2.0 * (below.min(above) + 1.0) / (n + 1.0)).min(1.0)
}

/// Quantile `q` of ascending `sorted` values, linear interpolation between
/// order statistics (Hyndman-Fan type 7).
pub(crate) fn type7_quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let below = h.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
}

#[cfg(test)]
#[path = "growth_tests.rs"]
mod tests;
