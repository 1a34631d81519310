//! Significance tests, each returning a [`TestResult`] that names the test,
//! its statistic, its effect size and the sample size it used.
//!
//! Every test is two-sided. Download weights enter through
//! [`crate::weights`]: weighted proportions (or weighted probabilities of
//! superiority) with the Kish effective sample size as `n`, so multiplying
//! every weight by a constant leaves every p-value unchanged.
//! Distributions come from `statrs`; what statrs lacks is written here.

mod multiple;
mod proportions;
mod rank;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

pub use multiple::benjamini_hochberg;
pub use proportions::{
    ContingencyTable, chi_square_independence, cochran_armitage_trend, two_proportion_z,
};
pub use rank::{mann_whitney_u, permutation_test_mean_difference, weighted_mann_whitney_u};

/// The outcome of a significance test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The test's name, e.g. "Mann-Whitney U (normal approximation, tie and continuity corrected)".
    pub test: String,
    /// The name of the statistic: "z", "chi2", "U", ...
    pub statistic_name: String,
    /// The value of the statistic.
    pub statistic: f64,
    /// Degrees of freedom, for chi-square statistics.
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p_value: f64,
    /// The name of the effect size: "Cohen's h", "Cramér's V", "rank-biserial r", ...
    pub effect_size_name: String,
    /// The value of the effect size.
    pub effect_size: f64,
    /// The sample size the test used (a Kish effective sample size when weighted).
    pub n: f64,
}

/// Two-sided p-value of a standard normal statistic, in `[0, 1]`.
pub(crate) fn two_sided_normal_p(z: f64) -> f64 {
    (2.0 * Normal::standard().sf(z.abs())).clamp(0.0, 1.0)
}

#[cfg(test)]
mod reference_tests;
