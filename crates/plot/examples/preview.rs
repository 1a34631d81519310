//! Writes one preview figure of each chart kind (SVG and PNG) to a
//! directory (default /tmp/plot-preview), to look at the house style.
//! The numbers are made-up smooth curves, not data.
//!
//! cargo run -p hubecon-plot --example preview [-- OUT_DIR]

use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use hubecon_plot::{
    Chart, DotPlot, DotRow, Figure, GroupedBars, LegendPlacement, LineChart, PlotError, Series,
    StackedShares, ValueAxis, ValueFormat, XKind, render,
};

/// Mondays from 2022-01-03 on.
fn weeks(n: usize) -> Vec<NaiveDate> {
    let start = NaiveDate::from_ymd_opt(2022, 1, 3).expect("a valid date");
    (0..n).map(|i| start + Days::new(7 * i as u64)).collect()
}

/// A deterministic wiggle in [-1, 1].
fn wiggle(i: usize, seed: f64) -> f64 {
    ((i as f64) * 0.37 + seed).sin() * 0.6 + ((i as f64) * 0.11 + seed * 2.0).sin() * 0.4
}

/// Country-group weights over time, normalised to shares.
fn country_shares(n: usize) -> Vec<(&'static str, Vec<f64>)> {
    let groups: [(&str, f64, f64); 7] = [
        ("USA", 0.62, -0.25),
        ("China", 0.08, 0.22),
        ("Europe", 0.10, 0.01),
        ("Other", 0.06, 0.0),
        ("International/Online", 0.05, 0.01),
        ("User", 0.07, 0.02),
        ("Unknown", 0.02, -0.01),
    ];
    let raw: Vec<Vec<f64>> = groups
        .iter()
        .enumerate()
        .map(|(g, (_, base, trend))| {
            (0..n)
                .map(|i| {
                    let t = i as f64 / n as f64;
                    (base + trend * t + 0.012 * wiggle(i, g as f64)).max(0.005)
                })
                .collect()
        })
        .collect();
    let totals: Vec<f64> = (0..n).map(|i| raw.iter().map(|r| r[i]).sum()).collect();
    groups
        .iter()
        .zip(raw)
        .map(|((name, _, _), r)| (*name, r.iter().zip(&totals).map(|(v, t)| v / t).collect()))
        .collect()
}

fn lines_developers(n: usize) -> Chart {
    let d = weeks(n);
    let devs = [
        ("Google", 0.16, -0.06),
        ("Meta", 0.12, -0.02),
        ("OpenAI", 0.10, -0.05),
        ("Other US labs", 0.08, -0.03),
        ("Qwen", 0.01, 0.11),
        ("DeepSeek", 0.0, 0.05),
        ("Other Chinese labs", 0.02, 0.04),
    ];
    let mut chart = LineChart::new(XKind::Dates, ValueAxis::share());
    for (k, (name, base, trend)) in devs.iter().enumerate() {
        let y: Vec<f64> = (0..n)
            .map(|i| (base + trend * i as f64 / n as f64 + 0.006 * wiggle(i, k as f64)).max(0.0))
            .collect();
        chart = chart.with_series(Series::dated(*name, &d, &y));
    }
    chart.into()
}

fn lines_concentration(n: usize) -> Chart {
    let d = weeks(n);
    let hhi: Vec<f64> = (0..n)
        .map(|i| 0.08 - 0.04 * i as f64 / n as f64 + 0.004 * wiggle(i, 1.0))
        .collect();
    let gini: Vec<f64> = (0..n)
        .map(|i| 0.93 - 0.05 * i as f64 / n as f64 + 0.005 * wiggle(i, 2.0))
        .collect();
    let band = |v: &[f64], w: f64| -> (Vec<f64>, Vec<f64>) {
        (
            v.iter().map(|x| x - w).collect(),
            v.iter().map(|x| x + w).collect(),
        )
    };
    let (hl, hu) = band(&hhi, 0.012);
    let (gl, gu) = band(&gini, 0.02);
    LineChart::new(XKind::Dates, ValueAxis::linear())
        .with_series(Series::dated("Gini (developers)", &d, &gini).with_band(&gl, &gu))
        .with_series(Series::dated("HHI (developers)", &d, &hhi).with_band(&hl, &hu))
        .into()
}

fn lines_model_size() -> Chart {
    let quarters: Vec<NaiveDate> = (0..15)
        .map(|q| NaiveDate::from_ymd_opt(2022 + q / 4, (q % 4) as u32 * 3 + 1, 1).expect("date"))
        .collect();
    let mean: Vec<f64> = (0..15).map(|q| 4.0e8 * 1.25f64.powi(q)).collect();
    let median: Vec<f64> = (0..15).map(|q| 1.1e8 * 1.18f64.powi(q)).collect();
    let lower: Vec<f64> = mean.iter().map(|v| v * 0.7).collect();
    let upper: Vec<f64> = mean.iter().map(|v| v * 1.45).collect();
    LineChart::new(
        XKind::Dates,
        ValueAxis::log10().with_format(ValueFormat::Si),
    )
    .with_series(Series::dated("Mean", &quarters, &mean).with_band(&lower, &upper))
    .with_series(Series::dated("Median", &quarters, &median))
    .into()
}

fn stacked_countries(n: usize) -> Chart {
    let shares = country_shares(n);
    shares
        .iter()
        .fold(StackedShares::dated(&weeks(n)), |chart, (name, s)| {
            chart.with_layer(*name, s)
        })
        .into()
}

fn bars_transparency() -> Chart {
    GroupedBars::new(
        ["2022", "2023", "2024", "2025 (to September)"],
        ValueAxis::share(),
    )
    .with_group_intervals(
        "available",
        &[0.21, 0.16, 0.12, 0.09],
        &[(0.18, 0.24), (0.14, 0.19), (0.10, 0.14), (0.07, 0.11)],
    )
    .with_group_intervals(
        "disclosed",
        &[0.34, 0.33, 0.30, 0.28],
        &[(0.30, 0.38), (0.30, 0.36), (0.27, 0.33), (0.25, 0.31)],
    )
    .with_group_intervals(
        "undisclosed",
        &[0.45, 0.51, 0.58, 0.63],
        &[(0.41, 0.49), (0.47, 0.55), (0.54, 0.62), (0.59, 0.67)],
    )
    .into()
}

fn dots_significance() -> Chart {
    let rows = [
        (
            "C6 mean model size",
            17.2,
            11.9,
            24.8,
            "x17.2 [11.9, 24.8], p < 0.001",
        ),
        (
            "C7 multimodal generation",
            3.1,
            2.2,
            4.4,
            "x3.1 [2.2, 4.4], p < 0.001",
        ),
        ("C8 quantized", 5.4, 3.9, 7.6, "x5.4 [3.9, 7.6], p < 0.001"),
        (
            "C9 mixture of experts",
            7.9,
            4.1,
            15.0,
            "x7.9 [4.1, 15.0], p < 0.001",
        ),
        (
            "C10 open source share",
            0.62,
            0.48,
            0.80,
            "x0.62 [0.48, 0.80], p = 0.002",
        ),
        (
            "C12 intermediaries",
            1.18,
            0.94,
            1.47,
            "x1.18 [0.94, 1.47], p = 0.16",
        ),
    ];
    rows.iter()
        .fold(
            DotPlot::new(ValueAxis::log10()).with_reference(1.0),
            |plot, (label, v, l, u, note)| {
                let group = if *l > 1.0 || *u < 1.0 {
                    "significant at 5%"
                } else {
                    "not significant"
                };
                plot.with_row(
                    DotRow::new(*label, *v)
                        .with_interval(*l, *u)
                        .in_group(group)
                        .with_note(*note),
                )
            },
        )
        .into()
}

fn stacked_relations(n: usize) -> Chart {
    let relations = [
        ("original", 0.7, -0.3),
        ("finetune", 0.15, 0.08),
        ("adapter", 0.05, 0.04),
        ("quantized", 0.07, 0.14),
        ("merge", 0.03, 0.04),
    ];
    let raw: Vec<Vec<f64>> = relations
        .iter()
        .enumerate()
        .map(|(k, (_, base, trend))| {
            (0..n)
                .map(|i| base + trend * i as f64 / n as f64 + 0.004 * (1.0 + wiggle(i, k as f64)))
                .collect()
        })
        .collect();
    let totals: Vec<f64> = (0..n).map(|i| raw.iter().map(|r| r[i]).sum()).collect();
    relations
        .iter()
        .zip(&raw)
        .fold(
            StackedShares::dated(&weeks(n)),
            |chart, ((name, _, _), r)| {
                let shares: Vec<f64> = r.iter().zip(&totals).map(|(v, t)| v / t).collect();
                chart.with_layer(*name, &shares)
            },
        )
        .into()
}

fn main() -> Result<(), PlotError> {
    let out: PathBuf = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("/tmp/plot-preview"), PathBuf::from);
    let n = 195;
    let share = "Share of downloads (%)";
    let figures: Vec<(&str, Figure, Chart)> = vec![
        (
            "lines_developers",
            Figure::new("Download share of the top developers", "Week", share).synthetic(true),
            lines_developers(n),
        ),
        (
            "lines_concentration",
            Figure::new(
                "Concentration of downloads across developers",
                "Week",
                "Index (95% bootstrap band)",
            )
            .synthetic(true),
            lines_concentration(n),
        ),
        (
            "lines_model_size",
            Figure::new(
                "Download-weighted model size",
                "Quarter",
                "Parameters (log scale)",
            )
            .synthetic(true),
            lines_model_size(),
        ),
        (
            "stacked_countries",
            Figure::new("Download share by developer country group", "Week", share).synthetic(true),
            stacked_countries(n),
        ),
        (
            "bars_transparency",
            Figure::new(
                "Training-data transparency, download-weighted",
                "Period",
                share,
            )
            .synthetic(true),
            bars_transparency(),
        ),
        (
            "dots_significance",
            Figure::new(
                "Effects and their 95% intervals",
                "Ratio, recent period to earlier (log scale)",
                "",
            )
            .synthetic(true),
            dots_significance(),
        ),
    ];
    let below = (
        "stacked_relations_below",
        Figure::new("Downloads by relation to the parent model", "Week", share)
            .synthetic(true)
            .with_legend(LegendPlacement::Below),
        stacked_relations(n),
    );
    let small = (
        "lines_developers_800x500",
        Figure::new("Download share of the top developers", "Week", share)
            .synthetic(true)
            .with_size(800, 500),
        lines_developers(n),
    );
    let change = (
        "bars_change",
        Figure::new(
            "Change in download share, 2023 to 2025",
            "Developer country group",
            "Change (percentage points)",
        )
        .synthetic(true)
        .with_legend(LegendPlacement::Hidden),
        GroupedBars::new(["USA", "China", "Europe", "Other"], ValueAxis::share())
            .with_group_intervals(
                "change",
                &[-0.21, 0.24, 0.01, -0.015],
                &[(-0.26, -0.16), (0.19, 0.29), (-0.02, 0.04), (-0.03, 0.0)],
            )
            .coloured_by_category()
            .into(),
    );
    for (name, fig, chart) in figures.into_iter().chain([below, small, change]) {
        let svg = out.join(format!("{name}.svg"));
        let png = out.join(format!("{name}.png"));
        render(&fig, &chart, &svg, &png)?;
        println!("{}", show(&png));
    }
    Ok(())
}

fn show(path: &Path) -> String {
    path.display().to_string()
}
