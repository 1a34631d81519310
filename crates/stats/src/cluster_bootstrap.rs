//! The study's one inference for a contrast: a developer-cluster bootstrap
//! of download-weighted means (shares, when the value is 0/1) in a few
//! cells (study periods, or groups within one period).
//!
//! Downloads and attributes move together within a developer (a few very
//! large developers carry most downloads), so developers are the
//! resampling units: each replicate draws developers with replacement, each
//! with all its models in every cell, and recomputes every cell's mean
//! `M_j = sum w x / sum w`. A contrast is any statistic of the cell means
//! (a difference of two periods, a trend slope, a lead over one half, the
//! support of an order); its interval is the percentile interval of the
//! replicates and its two-sided p-value the smaller tail share of the
//! replicates on either side of zero, doubled (the test that inverts the
//! percentile interval). METHODS.md, "Inference", says why.

use polars::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Result, invalid};
pub use crate::growth::sign_p_value;
use crate::growth::type7_quantile;

/// Per developer and cell: downloads and downloads times value.
pub struct ClusterCells {
    cells: Vec<String>,
    /// Developer-major: developer `d`'s cell `j` is `sums[d * cells + j]`.
    sums: Vec<[f64; 2]>,
}

/// How many replicates, at which level, from which seed.
#[derive(Clone, Copy, Debug)]
pub struct BootstrapOptions {
    pub replicates: usize,
    pub level: f64,
    pub seed: u64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            replicates: 1000,
            level: 0.95,
            seed: crate::growth::DEFAULT_SEED,
        }
    }
}

/// A contrast with its developer-cluster bootstrap interval and p-value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contrast {
    /// On the full sample; NaN when the statistic is undefined there.
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Two-sided, of a contrast of zero; NaN when no replicate is defined.
    pub p_value: f64,
    pub level: f64,
    pub replicates: usize,
    /// Replicates where the statistic was undefined (a cell without
    /// downloads in the draw), left out.
    pub undefined_replicates: usize,
    /// Developers resampled.
    pub n_clusters: usize,
}

impl ClusterCells {
    /// From a frame with one row per model (and cell): `cluster` (the
    /// developer, text), `cell` (compared as text against `cells`; other
    /// cells are left out), `weight` (downloads, non-negative) and `value`
    /// (numeric or boolean; rows with a null value are left out).
    pub fn from_frame(
        df: &DataFrame,
        [cluster, cell, weight, value]: [&str; 4],
        cells: &[&str],
    ) -> Result<Self> {
        const WHAT: &str = "cluster bootstrap";
        let text = |name: &str| -> Result<StringChunked> {
            let c = df
                .column(name)
                .map_err(|_| invalid(WHAT, format!("no column `{name}`")))?;
            Ok(c.cast(&DataType::String)?.str()?.clone())
        };
        let number = |name: &str| -> Result<Float64Chunked> {
            let c = df
                .column(name)
                .map_err(|_| invalid(WHAT, format!("no column `{name}`")))?;
            Ok(c.cast(&DataType::Float64)?.f64()?.clone())
        };
        let (clusters, cell_of, w, x) =
            (text(cluster)?, text(cell)?, number(weight)?, number(value)?);
        let mut index: PlHashMap<&str, usize> = PlHashMap::new();
        let mut sums: Vec<[f64; 2]> = Vec::new();
        let k = cells.len();
        for (((c, j), w), x) in clusters
            .iter()
            .zip(cell_of.iter())
            .zip(w.iter())
            .zip(x.iter())
        {
            let (Some(j), Some(w), Some(x)) =
                (j.and_then(|j| cells.iter().position(|c| *c == j)), w, x)
            else {
                continue;
            };
            if !(w.is_finite() && w >= 0.0 && x.is_finite()) {
                return Err(invalid(
                    WHAT,
                    format!("a weight or value that is not a finite count: {w}, {x}"),
                ));
            }
            let c = c.ok_or_else(|| invalid(WHAT, format!("a row without a `{cluster}`")))?;
            let next = index.len();
            let d = *index.entry(c).or_insert(next);
            if d == next {
                sums.extend(std::iter::repeat_n([0.0; 2], k));
            }
            let s = &mut sums[d * k + j];
            s[0] += w;
            s[1] += w * x;
        }
        // Developers in name order, so the draws do not depend on the
        // order of the rows (a group-by's output order is not fixed).
        let mut names: Vec<(&str, usize)> = index.into_iter().collect();
        names.sort_unstable();
        let sums = names
            .iter()
            .flat_map(|(_, d)| sums[d * k..(d + 1) * k].iter().copied())
            .collect();
        Ok(ClusterCells {
            cells: cells.iter().map(|c| c.to_string()).collect(),
            sums,
        })
    }

    pub fn cells(&self) -> &[String] {
        &self.cells
    }

    pub fn n_clusters(&self) -> usize {
        self.sums.len() / self.cells.len().max(1)
    }

    /// Each cell's mean on the full sample (`None` without downloads).
    pub fn means(&self) -> Vec<Option<f64>> {
        self.means_of(|_| 1)
    }

    /// Each cell's mean when developer `d` counts `times(d)` times.
    fn means_of(&self, times: impl Fn(usize) -> u32) -> Vec<Option<f64>> {
        let k = self.cells.len();
        let mut total = vec![[0.0f64; 2]; k];
        for (d, row) in self.sums.chunks_exact(k.max(1)).enumerate() {
            let t = f64::from(times(d));
            if t == 0.0 {
                continue;
            }
            for (acc, s) in total.iter_mut().zip(row) {
                acc[0] += t * s[0];
                acc[1] += t * s[1];
            }
        }
        total
            .iter()
            .map(|[w, wx]| (*w > 0.0).then(|| wx / w))
            .collect()
    }

    /// The cell means of `replicates` resamples. Replicate `r` draws from
    /// its own generator seeded from `(seed, r)`, so the replicates do not
    /// depend on the number of threads.
    pub fn replicate_means(&self, replicates: usize, seed: u64) -> Vec<Vec<Option<f64>>> {
        let n = self.n_clusters();
        (0..replicates)
            .into_par_iter()
            .map(|r| {
                let mut rng =
                    Pcg64::seed_from_u64(seed ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let mut counts = vec![0u32; n];
                for _ in 0..n {
                    counts[rng.random_range(0..n)] += 1;
                }
                self.means_of(|d| counts[d])
            })
            .collect()
    }

    /// `statistic` of the cell means, with its bootstrap interval and p-value.
    pub fn contrast(
        &self,
        statistic: impl Fn(&[Option<f64>]) -> Option<f64> + Sync,
        opts: BootstrapOptions,
    ) -> Contrast {
        let estimate = statistic(&self.means()).unwrap_or(f64::NAN);
        let mut values: Vec<f64> = self
            .replicate_means(opts.replicates, opts.seed)
            .iter()
            .filter_map(|m| statistic(m))
            .filter(|v| v.is_finite())
            .collect();
        values.sort_by(f64::total_cmp);
        let tail = (1.0 - opts.level) / 2.0;
        let (ci_low, ci_high) = if values.is_empty() {
            (f64::NAN, f64::NAN)
        } else {
            (
                type7_quantile(&values, tail),
                type7_quantile(&values, 1.0 - tail),
            )
        };
        Contrast {
            estimate,
            ci_low,
            ci_high,
            p_value: sign_p_value(&values),
            level: opts.level,
            replicates: opts.replicates,
            undefined_replicates: opts.replicates - values.len(),
            n_clusters: self.n_clusters(),
        }
    }

    /// The share of replicates in which `holds` is true of the cell means
    /// (the bootstrap support of, e.g., an order of shares), with the
    /// Monte Carlo p-value `(1 + #not) / (1 + B)` of its failing.
    pub fn support(
        &self,
        holds: impl Fn(&[Option<f64>]) -> Option<bool> + Sync,
        opts: BootstrapOptions,
    ) -> Support {
        let draws = self.replicate_means(opts.replicates, opts.seed);
        let held = draws.iter().filter(|m| holds(m) == Some(true)).count();
        Support {
            on_sample: holds(&self.means()),
            support: held as f64 / opts.replicates.max(1) as f64,
            p_value: (1.0 + (opts.replicates - held) as f64) / (1.0 + opts.replicates as f64),
            replicates: opts.replicates,
            n_clusters: self.n_clusters(),
        }
    }
}

/// How often a relation holds across bootstrap replicates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Support {
    pub on_sample: Option<bool>,
    pub support: f64,
    /// One-sided: of the relation failing.
    pub p_value: f64,
    pub replicates: usize,
    pub n_clusters: usize,
}

/// Cell `b`'s mean minus cell `a`'s (later minus earlier).
pub fn difference(a: usize, b: usize) -> impl Fn(&[Option<f64>]) -> Option<f64> + Sync {
    move |m| Some(m.get(b).copied()?? - m.get(a).copied()??)
}

/// Cell `a`'s mean minus `level` (a lead over one half, for example).
pub fn above(a: usize, level: f64) -> impl Fn(&[Option<f64>]) -> Option<f64> + Sync {
    move |m| Some(m.get(a).copied()?? - level)
}

/// The least-squares slope of the cell means on their positions 0, 1, ...
/// (the change per period); `None` with fewer than two defined cells.
pub fn slope(m: &[Option<f64>]) -> Option<f64> {
    let points: Vec<(f64, f64)> = m
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
        .collect();
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let sxx: f64 = points.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    Some(sxy / sxx)
}

/// A `Contrast` as a named test for the tables of analysis 13.
pub fn as_test(c: &Contrast, what: &str) -> crate::TestResult {
    crate::TestResult {
        test: format!(
            "developer-cluster bootstrap of the {what} (percentile interval, B = {})",
            c.replicates
        ),
        statistic_name: what.into(),
        statistic: c.estimate,
        df: None,
        p_value: c.p_value,
        effect_size_name: what.into(),
        effect_size: c.estimate,
        n: c.n_clusters as f64,
    }
}

#[cfg(test)]
#[path = "cluster_bootstrap_tests.rs"]
mod tests;
