//! Tests on proportions and counts: two-proportion z, chi-square test of
//! independence (r x c) and the Cochran-Armitage trend test.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::{TestResult, two_sided_normal_p};
use crate::error::{Result, StatsError, check_same_len, invalid};
use crate::frames::require_columns;
use crate::weights::{Proportion, kish_effective_n};

/// A table of counts, rows by columns, with labels. When built from weighted
/// observations the cells are the weighted cell shares times the Kish
/// effective sample size, so the table's total is the `n` of the test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContingencyTable {
    pub row_labels: Vec<String>,
    pub col_labels: Vec<String>,
    /// `counts[i][j]`: the count in row `i`, column `j`.
    pub counts: Vec<Vec<f64>>,
}

impl ContingencyTable {
    /// A table from labels and counts (finite, non-negative, one row per row label).
    pub fn new(
        row_labels: Vec<String>,
        col_labels: Vec<String>,
        counts: Vec<Vec<f64>>,
    ) -> Result<Self> {
        const WHAT: &str = "ContingencyTable";
        check_same_len(WHAT, row_labels.len(), counts.len())?;
        for row in &counts {
            check_same_len(WHAT, col_labels.len(), row.len())?;
            if let Some(index) = row.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
                return Err(StatsError::InvalidValue {
                    what: WHAT,
                    index,
                    value: row[index],
                });
            }
        }
        Ok(ContingencyTable {
            row_labels,
            col_labels,
            counts,
        })
    }

    /// A table of counts with rows and columns labelled by their position.
    pub fn from_counts(counts: Vec<Vec<f64>>) -> Result<Self> {
        let rows = (0..counts.len()).map(|i| i.to_string()).collect();
        let cols = (0..counts.first().map_or(0, Vec::len))
            .map(|j| j.to_string())
            .collect();
        ContingencyTable::new(rows, cols, counts)
    }

    /// Cross-tabulates paired labels (labels sorted). With `weights`, each
    /// cell is its weighted share times the Kish effective sample size;
    /// observations of weight zero are left out.
    pub fn from_observations(
        rows: &[&str],
        cols: &[&str],
        weights: Option<&[f64]>,
    ) -> Result<Self> {
        const WHAT: &str = "ContingencyTable::from_observations";
        check_same_len(WHAT, rows.len(), cols.len())?;
        let ones = vec![1.0; rows.len()];
        let weights = weights.unwrap_or(&ones);
        check_same_len(WHAT, rows.len(), weights.len())?;
        let n_eff = kish_effective_n(weights)?;
        let mut cells: BTreeMap<(&str, &str), f64> = BTreeMap::new();
        for ((r, c), w) in rows.iter().zip(cols).zip(weights) {
            if *w > 0.0 {
                *cells.entry((*r, *c)).or_default() += w;
            }
        }
        let cells = cells
            .into_iter()
            .map(|((r, c), w)| (r.to_string(), c.to_string(), w));
        ContingencyTable::from_cells(cells, n_eff)
    }

    /// Cross-tabulates two columns of a frame (cast to strings, labels
    /// sorted), weighted by `weight_col` as in [`Self::from_observations`].
    /// Null labels or weights are an error: fill them first.
    pub fn from_frame(
        mut lf: LazyFrame,
        row_col: &str,
        col_col: &str,
        weight_col: Option<&str>,
    ) -> Result<Self> {
        const WHAT: &str = "ContingencyTable::from_frame";
        let mut needed = vec![row_col, col_col];
        needed.extend(weight_col);
        require_columns(WHAT, &mut lf, &needed)?;
        let weight = weight_col.map_or(lit(1.0), |w| col(w).cast(DataType::Float64));
        let cells = lf
            .select([
                col(row_col).cast(DataType::String).alias("row"),
                col(col_col).cast(DataType::String).alias("col"),
                weight.alias("w"),
            ])
            .group_by([col("row"), col("col")])
            .agg([
                col("w").sum().alias("sum_w"),
                col("w").pow(2).sum().alias("sum_w2"),
                col("w").min().alias("min_w"),
                col("w").null_count().alias("nulls"),
            ])
            .filter(
                col("sum_w")
                    .gt(lit(0.0))
                    .or(col("min_w").lt(lit(0.0)))
                    .or(col("nulls").gt(lit(0))),
            )
            .sort(["row", "col"], SortMultipleOptions::default())
            .collect()?;
        let (rows, cols) = (cells.column("row")?.str()?, cells.column("col")?.str()?);
        if rows.null_count() > 0 || cols.null_count() > 0 {
            let column = if rows.null_count() > 0 {
                row_col
            } else {
                col_col
            };
            return Err(StatsError::Column {
                what: WHAT,
                column: column.into(),
                message: "has null labels".into(),
            });
        }
        let values = |name: &str| -> Result<Vec<f64>> {
            Ok(cells
                .column(name)?
                .f64()?
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect())
        };
        let (sum_w, sum_w2, min_w) = (values("sum_w")?, values("sum_w2")?, values("min_w")?);
        let nulls = cells
            .column("nulls")?
            .cast(&DataType::UInt64)?
            .u64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .sum::<u64>();
        if nulls > 0
            || min_w.iter().any(|w| w.is_nan() || *w < 0.0)
            || sum_w.iter().any(|w| !w.is_finite())
        {
            return Err(StatsError::Column {
                what: WHAT,
                column: weight_col.unwrap_or("").into(),
                message: "weights must be non-null, finite and non-negative".into(),
            });
        }
        let total: f64 = sum_w.iter().sum();
        let squares: f64 = sum_w2.iter().sum();
        if total <= 0.0 {
            return Err(StatsError::ZeroTotal { what: WHAT });
        }
        let labelled = rows.iter().zip(cols.iter()).zip(sum_w);
        let cells = labelled.map(|((r, c), w)| {
            (
                r.unwrap_or_default().to_string(),
                c.unwrap_or_default().to_string(),
                w,
            )
        });
        ContingencyTable::from_cells(cells, total * total / squares)
    }

    /// A table from (row, column, weight) cells, rescaled to total `n`.
    fn from_cells(cells: impl Iterator<Item = (String, String, f64)>, n: f64) -> Result<Self> {
        let cells: Vec<(String, String, f64)> = cells.collect();
        let mut row_labels: Vec<String> = cells.iter().map(|c| c.0.clone()).collect();
        let mut col_labels: Vec<String> = cells.iter().map(|c| c.1.clone()).collect();
        for labels in [&mut row_labels, &mut col_labels] {
            labels.sort();
            labels.dedup();
        }
        let total: f64 = cells.iter().map(|c| c.2).sum();
        let mut counts = vec![vec![0.0; col_labels.len()]; row_labels.len()];
        for (r, c, w) in &cells {
            let i = row_labels.binary_search(r).unwrap_or_default();
            let j = col_labels.binary_search(c).unwrap_or_default();
            counts[i][j] += w / total * n;
        }
        ContingencyTable::new(row_labels, col_labels, counts)
    }

    /// The sum of every cell: the `n` of a test on this table.
    pub fn total(&self) -> f64 {
        self.counts.iter().flatten().sum()
    }
}

/// Checks a proportion passed in by value (its fields are public).
fn check_proportion(what: &'static str, p: &Proportion) -> Result<()> {
    if !(p.n.is_finite() && p.n > 0.0 && (0.0..=1.0).contains(&p.p)) {
        return Err(invalid(
            what,
            format!("needs 0 <= p <= 1 and n > 0, got p = {}, n = {}", p.p, p.n),
        ));
    }
    Ok(())
}

/// Two-proportion z test of `a.p = b.p` with the pooled variance.
///
/// `z = (p_a - p_b) / sqrt(p (1 - p) (1/n_a + 1/n_b))`, `p` the pooled
/// proportion; two-sided normal p-value. Effect size: Cohen's
/// `h = 2 asin sqrt(p_a) - 2 asin sqrt(p_b)`. When both proportions are 0
/// (or both 1) there is no variance and no evidence: `z = 0`, `p = 1`.
/// `z^2` equals the chi-square statistic of the 2 x 2 table without
/// continuity correction.
pub fn two_proportion_z(a: &Proportion, b: &Proportion) -> Result<TestResult> {
    const WHAT: &str = "two_proportion_z";
    check_proportion(WHAT, a)?;
    check_proportion(WHAT, b)?;
    let pooled = (a.successes() + b.successes()) / (a.n + b.n);
    let se = (pooled * (1.0 - pooled) * (1.0 / a.n + 1.0 / b.n)).sqrt();
    let z = if se > 0.0 { (a.p - b.p) / se } else { 0.0 };
    Ok(TestResult {
        test: "two-proportion z test (pooled variance)".into(),
        statistic_name: "z".into(),
        statistic: z,
        df: None,
        p_value: two_sided_normal_p(z),
        effect_size_name: "Cohen's h".into(),
        effect_size: 2.0 * a.p.sqrt().asin() - 2.0 * b.p.sqrt().asin(),
        n: a.n + b.n,
    })
}

/// Pearson chi-square test of independence of rows and columns (r x c, no
/// continuity correction): `X^2 = sum (O - E)^2 / E`, `E = row * col / n`,
/// `(r - 1)(c - 1)` degrees of freedom. Effect size: Cramér's
/// `V = sqrt(X^2 / (n (min(r, c) - 1)))`. Needs at least two rows and two
/// columns and no empty row or column.
pub fn chi_square_independence(table: &ContingencyTable) -> Result<TestResult> {
    const WHAT: &str = "chi_square_independence";
    let (r, c) = (table.row_labels.len(), table.col_labels.len());
    if r < 2 || c < 2 {
        return Err(invalid(
            WHAT,
            format!("needs at least 2 rows and 2 columns, got {r} x {c}"),
        ));
    }
    let row_totals: Vec<f64> = table.counts.iter().map(|row| row.iter().sum()).collect();
    let col_totals: Vec<f64> = (0..c)
        .map(|j| table.counts.iter().map(|row| row[j]).sum())
        .collect();
    let empty = |totals: &[f64], labels: &[String]| {
        totals
            .iter()
            .position(|t| *t <= 0.0)
            .map(|i| labels[i].clone())
    };
    if let Some(label) =
        empty(&row_totals, &table.row_labels).or(empty(&col_totals, &table.col_labels))
    {
        return Err(invalid(WHAT, format!("row or column `{label}` is empty")));
    }
    let n = table.total();
    let mut chi2 = 0.0;
    for (i, row) in table.counts.iter().enumerate() {
        for (j, observed) in row.iter().enumerate() {
            let expected = row_totals[i] * col_totals[j] / n;
            chi2 += (observed - expected).powi(2) / expected;
        }
    }
    let df = ((r - 1) * (c - 1)) as f64;
    let distribution = ChiSquared::new(df).map_err(|e| invalid(WHAT, e.to_string()))?;
    Ok(TestResult {
        test: "Pearson chi-square test of independence (no continuity correction)".into(),
        statistic_name: "chi2".into(),
        statistic: chi2,
        df: Some(df),
        p_value: distribution.sf(chi2).clamp(0.0, 1.0),
        effect_size_name: "Cramér's V".into(),
        effect_size: (chi2 / (n * (r.min(c) - 1) as f64)).sqrt().min(1.0),
        n,
    })
}

/// Cochran-Armitage test for a linear trend in proportions across ordered
/// groups (periods), with `scores` (default `0, 1, ..., k - 1`).
///
/// `T = sum t_i (x_i - n_i p)`, `Var T = p (1 - p) (sum n_i t_i^2 - (sum n_i t_i)^2 / N)`,
/// `z = T / sqrt(Var T)` (positive when the proportion rises with the
/// score), two-sided normal p-value; `x_i = p_i n_i`, so weighted groups
/// enter with their Kish effective sizes. `z^2 = N r^2`, `r` the Pearson
/// correlation of score and outcome over all units. Effect size: the
/// n-weighted least-squares slope of the proportion on the score (change in
/// proportion per unit of score). When every unit has the same outcome,
/// `z = 0` and `p = 1`.
pub fn cochran_armitage_trend(groups: &[Proportion], scores: Option<&[f64]>) -> Result<TestResult> {
    const WHAT: &str = "cochran_armitage_trend";
    if groups.len() < 2 {
        return Err(invalid(
            WHAT,
            format!("needs at least 2 ordered groups, got {}", groups.len()),
        ));
    }
    for g in groups {
        check_proportion(WHAT, g)?;
    }
    let default_scores: Vec<f64> = (0..groups.len()).map(|i| i as f64).collect();
    let scores = scores.unwrap_or(&default_scores);
    check_same_len(WHAT, groups.len(), scores.len())?;
    crate::error::check_finite(WHAT, scores)?;
    let n: f64 = groups.iter().map(|g| g.n).sum();
    let pooled = groups.iter().map(Proportion::successes).sum::<f64>() / n;
    let mean_score = groups.iter().zip(scores).map(|(g, t)| g.n * t).sum::<f64>() / n;
    let score_ss: f64 = groups
        .iter()
        .zip(scores)
        .map(|(g, t)| g.n * (t - mean_score).powi(2))
        .sum();
    if score_ss <= 0.0 {
        return Err(invalid(WHAT, "the scores must not all be equal"));
    }
    let trend: f64 = groups
        .iter()
        .zip(scores)
        .map(|(g, t)| t * (g.successes() - g.n * pooled))
        .sum();
    let variance = pooled * (1.0 - pooled) * score_ss;
    let z = if variance > 0.0 {
        trend / variance.sqrt()
    } else {
        0.0
    };
    let slope = groups
        .iter()
        .zip(scores)
        .map(|(g, t)| g.n * (t - mean_score) * (g.p - pooled))
        .sum::<f64>()
        / score_ss;
    Ok(TestResult {
        test: "Cochran-Armitage test for trend".into(),
        statistic_name: "z".into(),
        statistic: z,
        df: None,
        p_value: two_sided_normal_p(z),
        effect_size_name: "trend slope (change in proportion per unit score)".into(),
        effect_size: slope,
        n,
    })
}
