//! Shift in a distribution: Mann-Whitney U (normal approximation) and a
//! permutation test on the difference of (weighted) means.
//!
//! statrs 0.19.1 has `mannwhitneyu`, but its exact p-value is wrong when the
//! first sample is not the larger one (6 vs 7 values: it returns 1.0 where
//! enumeration gives 0.1375), so the test is written here, with the normal
//! approximation and the tie and continuity corrections scipy uses.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;
use statrs::distribution::{ContinuousCDF, Normal};

use super::TestResult;
use crate::error::{Result, check_finite, check_same_len, invalid};
use crate::weights::{kish_effective_n, weighted_mean};

/// Mann-Whitney U test of `x` against `y`, each value counting once.
///
/// `U` is the U of `x`: the number of pairs with `x_i > y_j` plus half the
/// ties (scipy's `U1`). The p-value uses the normal approximation
/// `z = (|U - n_x n_y / 2| - 1/2) / sigma` with the tie-corrected variance
/// `sigma^2 = n_x n_y / 12 ((N + 1) - sum (t^3 - t) / (N (N - 1)))`,
/// two-sided, capped at 1 (scipy's `method="asymptotic"`). Effect size: the
/// rank-biserial correlation `r = 2 U / (n_x n_y) - 1`, positive when `x`
/// tends to be larger. The result does not depend on which sample is first
/// except for the sign of `r` and `U`'s complement.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Result<TestResult> {
    let result = weighted_mann_whitney_u(x, &vec![1.0; x.len()], y, &vec![1.0; y.len()])?;
    Ok(TestResult {
        test: "Mann-Whitney U (normal approximation, tie and continuity corrected)".into(),
        ..result
    })
}

/// Mann-Whitney U test with download weights that do not inflate the sample.
///
/// The weighted probability of superiority
/// `P = sum_ij w_i v_j ([x_i > y_j] + [x_i = y_j] / 2) / (sum w sum v)` is
/// rescaled to `U = P n_x n_y` with `n_x`, `n_y` the Kish effective sizes of
/// the two samples; ties enter the variance through tie groups of effective
/// size `t = n_x (w_g / sum w) + n_y (v_g / sum v)`. With equal weights this
/// is exactly [`mann_whitney_u`]; multiplying the weights of a sample by a
/// constant changes nothing. Effect size: `r = 2 P - 1`.
pub fn weighted_mann_whitney_u(x: &[f64], wx: &[f64], y: &[f64], wy: &[f64]) -> Result<TestResult> {
    const WHAT: &str = "mann_whitney_u";
    check_same_len(WHAT, x.len(), wx.len())?;
    check_same_len(WHAT, y.len(), wy.len())?;
    check_finite(WHAT, x)?;
    check_finite(WHAT, y)?;
    let (n_x, n_y) = (kish_effective_n(wx)?, kish_effective_n(wy)?);
    let (total_x, total_y) = (wx.iter().sum::<f64>(), wy.iter().sum::<f64>());
    let groups = tie_groups(x, wx, y, wy);
    let mut y_below = 0.0;
    let mut superiority = 0.0;
    let mut tie_term = 0.0;
    let n = n_x + n_y;
    for g in &groups {
        superiority += g.weight_x * (y_below + 0.5 * g.weight_y);
        y_below += g.weight_y;
        let t = n_x * g.weight_x / total_x + n_y * g.weight_y / total_y;
        tie_term += t.powi(3) - t;
    }
    let p_superior = (superiority / (total_x * total_y)).clamp(0.0, 1.0);
    // n_x n_y / (sum w sum v) is exactly 1 for unit weights, so U is exact there.
    let u = (superiority * (n_x * n_y / (total_x * total_y))).clamp(0.0, n_x * n_y);
    let mean = n_x * n_y / 2.0;
    let tie_correction = if n > 1.0 {
        tie_term / (n * (n - 1.0))
    } else {
        0.0
    };
    let variance = (n_x * n_y / 12.0 * ((n + 1.0) - tie_correction)).max(0.0);
    let p_value = if variance > 0.0 {
        let z = ((u - mean).abs() - 0.5) / variance.sqrt();
        (2.0 * Normal::standard().sf(z)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    Ok(TestResult {
        test: "weighted Mann-Whitney U (Kish effective sizes, normal approximation, tie and continuity corrected)"
            .into(),
        statistic_name: "U".into(),
        statistic: u,
        df: None,
        p_value,
        effect_size_name: "rank-biserial r".into(),
        effect_size: 2.0 * p_superior - 1.0,
        n,
    })
}

/// The summed weights of each sample at one distinct value.
struct TieGroup {
    weight_x: f64,
    weight_y: f64,
}

/// Groups both samples by distinct value, ascending.
fn tie_groups(x: &[f64], wx: &[f64], y: &[f64], wy: &[f64]) -> Vec<TieGroup> {
    let mut pooled: Vec<(f64, bool, f64)> = x.iter().zip(wx).map(|(v, w)| (*v, true, *w)).collect();
    pooled.extend(y.iter().zip(wy).map(|(v, w)| (*v, false, *w)));
    pooled.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut groups: Vec<TieGroup> = Vec::new();
    let mut last: Option<f64> = None;
    for (value, in_x, weight) in pooled {
        if last != Some(value) {
            groups.push(TieGroup {
                weight_x: 0.0,
                weight_y: 0.0,
            });
            last = Some(value);
        }
        if let Some(group) = groups.last_mut() {
            if in_x {
                group.weight_x += weight
            } else {
                group.weight_y += weight
            }
        }
    }
    groups
}

/// Permutation test of `mean_w(x) = mean_w(y)` (weighted means; pass equal
/// weights for plain means), two-sided.
///
/// The group labels are shuffled `permutations` times (seeded Pcg64, so the
/// result is deterministic for a seed), each value keeping its weight; the
/// p-value is `(1 + #{|T*| >= |T|}) / (1 + B)`, never 0, where `B` counts
/// the permutations in which both groups keep a positive total weight (the
/// others are skipped).
/// Statistic and effect size: the difference of weighted means `T`. The
/// permutation unit is the observation (model), so `n` is the number of
/// observations and multiplying every weight by a constant changes nothing.
pub fn permutation_test_mean_difference(
    x: &[f64],
    wx: &[f64],
    y: &[f64],
    wy: &[f64],
    permutations: usize,
    seed: u64,
) -> Result<TestResult> {
    const WHAT: &str = "permutation_test_mean_difference";
    if permutations == 0 {
        return Err(invalid(WHAT, "needs at least one permutation"));
    }
    let observed = weighted_mean(x, wx)? - weighted_mean(y, wy)?;
    let values: Vec<f64> = x.iter().chain(y).copied().collect();
    let weights: Vec<f64> = wx.iter().chain(wy).copied().collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    let mut rng = Pcg64::seed_from_u64(seed);
    let tolerance = 1e-12 * observed.abs().max(1.0);
    let (mut extreme, mut valid) = (0usize, 0usize);
    for _ in 0..permutations {
        shuffle(&mut order, &mut rng);
        let (first, second) = order.split_at(x.len());
        let difference = mean_of(first, &values, &weights) - mean_of(second, &values, &weights);
        if difference.is_nan() {
            continue;
        }
        valid += 1;
        if difference.abs() >= observed.abs() - tolerance {
            extreme += 1;
        }
    }
    if valid == 0 {
        return Err(invalid(
            WHAT,
            "every permutation left a group with zero total weight",
        ));
    }
    Ok(TestResult {
        test: format!(
            "permutation test of the difference in weighted means ({permutations} permutations, seed {seed})"
        ),
        statistic_name: "difference in weighted means".into(),
        statistic: observed,
        df: None,
        p_value: (1.0 + extreme as f64) / (1.0 + valid as f64),
        effect_size_name: "difference in weighted means".into(),
        effect_size: observed,
        n: (x.len() + y.len()) as f64,
    })
}

/// Weighted mean of the values at `indices` (NaN when their weights sum to 0,
/// so that permutation is skipped).
fn mean_of(indices: &[usize], values: &[f64], weights: &[f64]) -> f64 {
    let (mut sum, mut total) = (0.0, 0.0);
    for &i in indices {
        sum += values[i] * weights[i];
        total += weights[i];
    }
    sum / total
}

/// Fisher-Yates shuffle with draws from `rng` (u64 ranges, so the sequence
/// does not depend on the platform's pointer width).
pub(crate) fn shuffle(order: &mut [usize], rng: &mut Pcg64) {
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i as u64) as usize;
        order.swap(i, j);
    }
}
