//! How download weights enter a statistic without inflating its sample size.
//!
//! A download-weighted proportion or mean is computed with the weights, but
//! the sample size a test uses is the Kish effective sample size
//! `n_eff = (sum w)^2 / sum w^2` of the units (models) behind it, never the
//! number of downloads. `n_eff` equals the number of units when every weight
//! is equal, shrinks towards 1 as a few units dominate, and is unchanged when
//! every weight is multiplied by the same constant, so the p-value of a
//! weighted test does not depend on the unit in which downloads are counted.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError, check_finite, check_same_len, invalid};
use crate::frames::require_columns;

/// A proportion and the sample size a test should use for it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// The (possibly weighted) share of successes, in `[0, 1]`.
    pub p: f64,
    /// The sample size: the count of units, or the Kish effective sample
    /// size when weighted (not necessarily an integer).
    pub n: f64,
}

impl Proportion {
    /// `successes` out of `n` units.
    pub fn from_counts(successes: f64, n: f64) -> Result<Self> {
        if !(n.is_finite() && n > 0.0) {
            return Err(invalid(
                "Proportion::from_counts",
                format!("n must be positive, got {n}"),
            ));
        }
        if !(successes.is_finite() && (0.0..=n).contains(&successes)) {
            return Err(invalid(
                "Proportion::from_counts",
                format!("successes must be in [0, {n}], got {successes}"),
            ));
        }
        Ok(Proportion {
            p: successes / n,
            n,
        })
    }

    /// The share of `true` among `indicator`, each unit counting once.
    pub fn unweighted(indicator: &[bool]) -> Result<Self> {
        let successes = indicator.iter().filter(|&&x| x).count();
        Proportion::from_counts(successes as f64, indicator.len() as f64)
    }

    /// The `weights`-weighted share of `true` among `indicator`, with the
    /// Kish effective sample size of the weights as `n`.
    pub fn weighted(indicator: &[bool], weights: &[f64]) -> Result<Self> {
        check_same_len("Proportion::weighted", indicator.len(), weights.len())?;
        let values: Vec<f64> = indicator
            .iter()
            .map(|&x| if x { 1.0 } else { 0.0 })
            .collect();
        let p = weighted_mean(&values, weights)?;
        Ok(Proportion {
            p: p.clamp(0.0, 1.0),
            n: kish_effective_n(weights)?,
        })
    }

    /// `p * n`: the successes a test sees.
    pub fn successes(&self) -> f64 {
        self.p * self.n
    }
}

/// Checks weights (finite, non-negative, not all zero); returns their sum.
fn check_weights(what: &'static str, weights: &[f64]) -> Result<f64> {
    if weights.is_empty() {
        return Err(StatsError::Empty { what });
    }
    let mut total = 0.0;
    for (index, &w) in weights.iter().enumerate() {
        if !(w.is_finite() && w >= 0.0) {
            return Err(StatsError::InvalidValue {
                what,
                index,
                value: w,
            });
        }
        total += w;
    }
    if total > 0.0 {
        Ok(total)
    } else {
        Err(StatsError::ZeroTotal { what })
    }
}

/// Kish effective sample size `(sum w)^2 / sum w^2`, in `[1, n]`.
/// Units with weight zero do not count.
pub fn kish_effective_n(weights: &[f64]) -> Result<f64> {
    let total = check_weights("kish_effective_n", weights)?;
    // Divide by the largest weight first so that squares cannot overflow.
    let max = weights.iter().copied().fold(0.0, f64::max);
    let scaled_total = total / max;
    let scaled_squares: f64 = weights.iter().map(|w| (w / max).powi(2)).sum();
    Ok(scaled_total * scaled_total / scaled_squares)
}

/// `sum w x / sum w`.
pub fn weighted_mean(values: &[f64], weights: &[f64]) -> Result<f64> {
    check_same_len("weighted_mean", values.len(), weights.len())?;
    check_finite("weighted_mean", values)?;
    let total = check_weights("weighted_mean", weights)?;
    Ok(values.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>() / total)
}

/// One weighted proportion per group of a frame: for each value of
/// `group_col` (sorted, nulls last), the `weight_col`-weighted share of rows
/// where the boolean `indicator_col` is true, with the group's Kish
/// effective sample size as `n` (each row counts once when `weight_col` is
/// `None`). Rows with a null indicator or weight are left out; a group
/// whose weights are all zero is an error.
pub fn proportions_by(
    mut lf: LazyFrame,
    group_col: &str,
    indicator_col: &str,
    weight_col: Option<&str>,
) -> Result<Vec<(String, Proportion)>> {
    const WHAT: &str = "proportions_by";
    let mut needed = vec![group_col, indicator_col];
    needed.extend(weight_col);
    require_columns(WHAT, &mut lf, &needed)?;
    let weight = match weight_col {
        Some(w) => col(w).cast(DataType::Float64),
        None => lit(1.0),
    };
    let indicator = col(indicator_col).cast(DataType::Float64);
    let out = lf
        .filter(
            col(indicator_col)
                .is_not_null()
                .and(weight.clone().is_not_null()),
        )
        .with_column(weight.alias("__w"))
        .group_by([col(group_col).cast(DataType::String).alias(group_col)])
        .agg([
            col("__w").sum().alias("sum_w"),
            (col("__w") * indicator).sum().alias("sum_wx"),
            col("__w").pow(2).sum().alias("sum_w2"),
            col("__w").min().alias("min_w"),
        ])
        .sort(
            [group_col],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()?;
    let groups = out.column(group_col)?.str()?.clone();
    let get = |name: &str| -> Result<Vec<f64>> {
        Ok(out
            .column(name)?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect())
    };
    let (sum_w, sum_wx, sum_w2, min_w) =
        (get("sum_w")?, get("sum_wx")?, get("sum_w2")?, get("min_w")?);
    let mut proportions = Vec::with_capacity(groups.len());
    for (i, group) in groups.iter().enumerate() {
        let label = group.unwrap_or("null").to_string();
        if !(min_w[i] >= 0.0 && sum_w[i].is_finite()) {
            return Err(StatsError::Column {
                what: WHAT,
                column: weight_col.unwrap_or("").to_string(),
                message: format!("group `{label}` has a negative or non-finite weight"),
            });
        }
        if sum_w[i] <= 0.0 {
            return Err(StatsError::ZeroTotal { what: WHAT });
        }
        let p = (sum_wx[i] / sum_w[i]).clamp(0.0, 1.0);
        proportions.push((
            label,
            Proportion {
                p,
                n: sum_w[i] * sum_w[i] / sum_w2[i],
            },
        ));
    }
    Ok(proportions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kish_n_by_hand() {
        assert_eq!(kish_effective_n(&[1.0; 7]).unwrap(), 7.0);
        // (1 + 3)^2 / (1 + 9) = 1.6.
        assert!((kish_effective_n(&[1.0, 3.0]).unwrap() - 1.6).abs() < 1e-12);
        assert!((kish_effective_n(&[0.0, 5.0, 0.0]).unwrap() - 1.0).abs() < 1e-12);
        // No overflow with huge weights.
        assert!((kish_effective_n(&[1e300, 1e300]).unwrap() - 2.0).abs() < 1e-12);
        assert!(kish_effective_n(&[]).is_err());
        assert!(kish_effective_n(&[0.0, 0.0]).is_err());
        assert!(kish_effective_n(&[1.0, -1.0]).is_err());
    }

    #[test]
    fn kish_n_ignores_a_common_factor() {
        let w = [3.0, 10.0, 1.0, 250.0];
        let doubled: Vec<f64> = w.iter().map(|x| 2.0 * x).collect();
        assert!(
            (kish_effective_n(&w).unwrap() - kish_effective_n(&doubled).unwrap()).abs() < 1e-12
        );
    }

    #[test]
    fn weighted_proportion_by_hand() {
        let p = Proportion::weighted(&[true, false, false], &[6.0, 2.0, 2.0]).unwrap();
        assert!((p.p - 0.6).abs() < 1e-12);
        // (10)^2 / (36 + 4 + 4) = 100 / 44.
        assert!((p.n - 100.0 / 44.0).abs() < 1e-12);
        assert!(Proportion::weighted(&[true], &[1.0, 2.0]).is_err());
        let u = Proportion::unweighted(&[true, true, false, false]).unwrap();
        assert_eq!((u.p, u.n), (0.5, 4.0));
        assert!(Proportion::from_counts(5.0, 4.0).is_err());
    }

    #[test]
    fn proportions_by_matches_the_slice_version() {
        let df = df![
            "period" => ["2023", "2024", "2023", "2023", "2024"],
            "is_moe" => [true, false, false, true, true],
            "downloads" => [5u64, 1, 3, 2, 4],
        ]
        .unwrap();
        let got = proportions_by(df.lazy(), "period", "is_moe", Some("downloads")).unwrap();
        let expected_2023 = Proportion::weighted(&[true, false, true], &[5.0, 3.0, 2.0]).unwrap();
        let expected_2024 = Proportion::weighted(&[false, true], &[1.0, 4.0]).unwrap();
        assert_eq!(got[0].0, "2023");
        assert!(
            (got[0].1.p - expected_2023.p).abs() < 1e-12
                && (got[0].1.n - expected_2023.n).abs() < 1e-12
        );
        assert_eq!(got[1].0, "2024");
        assert!(
            (got[1].1.p - expected_2024.p).abs() < 1e-12
                && (got[1].1.n - expected_2024.n).abs() < 1e-12
        );
    }
}
