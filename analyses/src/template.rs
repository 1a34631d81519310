//! NN Template: the smallest complete analysis, to copy when adding one
//! (README, "For the researcher adding analysis 14"). It is compiled and
//! tested, not registered. It reads like a caption: load, compute with the
//! stats crate, draw with the plot crate, write the four files.

use std::path::PathBuf;

use hubecon_plot::{Chart, GroupedBars, ValueAxis, ValueFormat};
use hubecon_stats::Window;
use polars::prelude::*;

use crate::common::{model_periods, period_values};
use crate::context::Context;
use crate::emit::emit;
use crate::output::Number;

pub const STEM: &str = "NN_template";

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    // Load: one row per model and study period with its downloads (the
    // value, here a constant, is what a real analysis measures).
    let mp = model_periods(ctx, lit(1.0), Window::AllDownloads)?;
    // Compute: the downloads of each period the data covers.
    let periods = ctx.periods();
    let downloads = periods
        .iter()
        .map(|p| Ok(period_values(&mp, p)?.1.iter().sum()))
        .collect::<anyhow::Result<Vec<f64>>>()?;
    let table = df!("period" => periods.clone(), "downloads" => downloads.clone())?;
    let mut h = ctx.headline(STEM, "Downloads by study period");
    h.insert(
        "downloads_total",
        Number::new(
            downloads.iter().sum(),
            "downloads",
            "downloads in every covered study period",
        ),
    );
    // Draw and write: the CSV is exactly the plotted data.
    let axis = ValueAxis::linear().with_format(ValueFormat::Plain);
    let chart = GroupedBars::new(periods.iter().copied(), axis).with_group("Downloads", &downloads);
    let fig = ctx.figure("Downloads by study period", "Study period", "Downloads");
    emit(ctx, STEM, &table, &h, &fig, &Chart::GroupedBars(chart))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_writes_its_four_files() {
        let out = tempfile::tempdir().unwrap();
        let day = |s: &str| hubecon_ingest::week::to_epoch_days(s.parse().unwrap());
        let date = |name: &str, days: Vec<i32>| {
            Column::new(name.into(), days)
                .cast(&DataType::Date)
                .unwrap()
        };
        let models = DataFrame::new_infer_height(vec![
            Column::new("model_id".into(), ["a/x", "b/y"]),
            Column::new("author".into(), ["a", "b"]),
            date("created_at", vec![day("2024-01-01"); 2]),
        ])
        .unwrap();
        let downloads = DataFrame::new_infer_height(vec![
            Column::new("model_id".into(), ["a/x", "a/x", "b/y"]),
            date(
                "week",
                vec![day("2024-03-04"), day("2025-03-03"), day("2025-03-03")],
            ),
            Column::new("downloads".into(), [10u64, 20, 30]),
        ])
        .unwrap();
        let developers = df!("author" => ["a", "b"]).unwrap();
        let ctx = Context::from_frames(models, downloads, developers, out.path());
        let files = run(&ctx).unwrap();
        assert_eq!(files.len(), 4);
        let csv = std::fs::read_to_string(out.path().join("NN_template.csv")).unwrap();
        assert_eq!(csv, "period,downloads\n2024,10.0\n2025,50.0\n");
    }
}
