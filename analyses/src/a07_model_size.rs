//! 07 Model size (C6): the download-weighted mean and median parameter count
//! of downloaded models by study period; the growth of the mean from the
//! contrast's earlier period to its later (<=2022 to 2025 on the paper's
//! span) and the difference C6 is decided on, each with a developer-cluster
//! bootstrap interval ([`crate::contrast`]).

use std::path::PathBuf;

use hubecon_plot::{Chart, GroupedBars, ValueAxis, ValueFormat};
use hubecon_stats::{Window, weighted_mean};
use polars::prelude::*;

use crate::common::{REPLICATES, growth, growth_number, model_periods, period_values};
use crate::context::Context;
use crate::contrast::{add_difference, period_cells};
use crate::emit::emit;
use crate::output::{Headline, Number};

pub const STEM: &str = "07_model_size";

/// The figure's bar groups, in order (the dashboard colours its lines alike).
pub const SERIES: [&str; 2] = ["Mean (download-weighted)", "Median (download-weighted)"];

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let mp = model_periods(
        ctx,
        col("params").cast(DataType::Float64),
        Window::AllDownloads,
    )?;
    let periods = ctx.periods();
    let mut means = Vec::new();
    let mut medians = Vec::new();
    let mut models = Vec::new();
    for p in &periods {
        let (v, w) = period_values(&mp, p)?;
        means.push(weighted_mean(&v, &w).unwrap_or(f64::NAN));
        medians.push(weighted_median(&v, &w));
        models.push(v.len() as u64);
    }
    let table = df!(
        "period" => periods.clone(),
        "weighted_mean_params" => means.clone(),
        "weighted_median_params" => medians.clone(),
        "models_with_params" => models,
    )?;

    let mut h = ctx.headline(STEM, "Model size: download-weighted parameters by period");
    let g = growth(ctx, &mp, REPLICATES)?;
    h.insert(
        "size_ratio",
        growth_number(&g, "download-weighted mean parameters", "C6"),
    );
    let cells = period_cells(ctx, &mp)?;
    add_difference(
        ctx,
        &mut h,
        &cells,
        ("size", "C6", "parameters"),
        "download-weighted mean parameters",
    );
    contrast_numbers(ctx, &mut h, &mp)?;

    let billions = |v: &[f64]| v.iter().map(|x| x / 1e9).collect::<Vec<_>>();
    let chart = GroupedBars::new(
        periods.iter().copied(),
        ValueAxis::linear().with_format(ValueFormat::Plain),
    )
    .with_group(SERIES[0], &billions(&means))
    .with_group(SERIES[1], &billions(&medians));
    let fig = ctx.figure(
        "Model size of downloaded models",
        "Study period",
        "Parameters (billions)",
    );
    emit(ctx, STEM, &table, &h, &fig, &Chart::GroupedBars(chart))
}

/// The mean and median of the contrast's two periods, or the same keys
/// null with the reason.
fn contrast_numbers(ctx: &Context, h: &mut Headline, mp: &DataFrame) -> anyhow::Result<()> {
    let Some((earlier, later)) = ctx.coverage.contrast() else {
        let why = ctx
            .coverage
            .not_measurable("the size contrast compares two study periods");
        for (key, what) in [
            (
                "mean_params_first",
                "download-weighted mean parameters, earlier period",
            ),
            (
                "mean_params_last",
                "download-weighted mean parameters, later period",
            ),
            (
                "median_params_first",
                "download-weighted median parameters, earlier period",
            ),
            (
                "median_params_last",
                "download-weighted median parameters, later period",
            ),
        ] {
            h.insert(key, Number::not_measurable("parameters", what, &why));
        }
        return Ok(());
    };
    let (x, wx) = period_values(mp, earlier)?;
    let (y, wy) = period_values(mp, later)?;
    for (key, period, v, w) in [("first", earlier, &x, &wx), ("last", later, &y, &wy)] {
        h.insert(
            &format!("mean_params_{key}"),
            Number::new(
                weighted_mean(v, w).unwrap_or(f64::NAN),
                "parameters",
                &format!("download-weighted mean parameters, {period}"),
            ),
        );
        h.insert(
            &format!("median_params_{key}"),
            Number::new(
                weighted_median(v, w),
                "parameters",
                &format!("download-weighted median parameters, {period}"),
            ),
        );
    }
    Ok(())
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
