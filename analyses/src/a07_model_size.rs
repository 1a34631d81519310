//! 07 Model size (C6): the download-weighted mean and median parameter count
//! of downloaded models by study period; the growth of the mean from <=2022
//! to 2025 with a developer-cluster bootstrap interval; a weighted
//! Mann-Whitney test of the shift.

use std::path::PathBuf;

use hubecon_plot::{Chart, GroupedBars, ValueAxis, ValueFormat};
use hubecon_stats::{Window, weighted_mann_whitney_u, weighted_mean};
use polars::prelude::*;

use crate::common::{PERIODS, REPLICATES, growth, model_periods, period_values};
use crate::context::Context;
use crate::emit::emit;
use crate::output::Number;

pub const STEM: &str = "07_model_size";

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let mp = model_periods(
        ctx,
        col("params").cast(DataType::Float64),
        Window::AllDownloads,
    )?;
    let mut means = Vec::new();
    let mut medians = Vec::new();
    let mut models = Vec::new();
    for p in PERIODS {
        let (v, w) = period_values(&mp, p)?;
        means.push(weighted_mean(&v, &w).unwrap_or(f64::NAN));
        medians.push(weighted_median(&v, &w));
        models.push(v.len() as u64);
    }
    let table = df!(
        "period" => PERIODS.to_vec(),
        "weighted_mean_params" => means.clone(),
        "weighted_median_params" => medians.clone(),
        "models_with_params" => models,
    )?;

    let mut h = ctx.headline(STEM, "Model size: download-weighted parameters by period");
    let g = growth(&mp, REPLICATES)?;
    h.insert(
        "size_ratio",
        Number::new(
            g.estimate,
            "ratio",
            "download-weighted mean parameters, 2025 over <=2022",
        )
        .interval(g.ci_low, g.ci_high)
        .claim("C6"),
    );
    h.insert(
        "mean_params_first",
        Number::new(
            means[0],
            "parameters",
            "download-weighted mean parameters, <=2022",
        ),
    );
    h.insert(
        "mean_params_last",
        Number::new(
            means[3],
            "parameters",
            "download-weighted mean parameters, 2025",
        ),
    );
    h.insert(
        "median_params_first",
        Number::new(
            medians[0],
            "parameters",
            "download-weighted median parameters, <=2022",
        ),
    );
    h.insert(
        "median_params_last",
        Number::new(
            medians[3],
            "parameters",
            "download-weighted median parameters, 2025",
        ),
    );
    let (x, wx) = period_values(&mp, PERIODS[0])?;
    let (y, wy) = period_values(&mp, PERIODS[3])?;
    if let Ok(t) = weighted_mann_whitney_u(&x, &wx, &y, &wy) {
        h.add_test(
            "size_first_vs_last",
            Some("C6"),
            "parameters of downloads, <=2022 vs 2025 (download-weighted)",
            t,
        );
    }

    let billions = |v: &[f64]| v.iter().map(|x| x / 1e9).collect::<Vec<_>>();
    let chart = GroupedBars::new(PERIODS, ValueAxis::linear().with_format(ValueFormat::Plain))
        .with_group("Mean (download-weighted)", &billions(&means))
        .with_group("Median (download-weighted)", &billions(&medians));
    let fig = ctx.figure(
        "Model size of downloaded models",
        "Study period",
        "Parameters (billions)",
    );
    emit(ctx, STEM, &table, &h, &fig, &Chart::GroupedBars(chart))
}

/// The download-weighted median: the smallest value at which the
/// cumulative weight reaches half the total.
pub fn weighted_median(values: &[f64], weights: &[f64]) -> f64 {
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .copied()
        .zip(weights.iter().copied())
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for (v, w) in pairs {
        acc += w;
        if acc >= total / 2.0 && total > 0.0 {
            return v;
        }
    }
    f64::NAN
}

#[cfg(test)]
mod tests {
    use super::weighted_median;

    #[test]
    fn weighted_median_follows_the_weights() {
        assert_eq!(weighted_median(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0]), 2.0);
        assert_eq!(weighted_median(&[1.0, 2.0, 3.0], &[1.0, 1.0, 10.0]), 3.0);
        assert!(weighted_median(&[], &[]).is_nan());
    }
}
