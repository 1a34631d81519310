//! 08 Model properties (C7, C8, C9): the download-weighted share of
//! downloads going to multimodal-generation, quantized and mixture-of-experts
//! models by study period (log scale, so equal slopes are equal growth);
//! the growth ratio of each share from the span's earlier contrast period to
//! its later, and the difference and trend the claims are decided on. Every
//! interval and test is a developer-cluster bootstrap
//! ([`crate::contrast`]).

use std::path::PathBuf;

use chrono::NaiveDate;
use hubecon_plot::{Chart, LineChart, Series, ValueAxis, ValueFormat, XKind};
use hubecon_stats::Window;
use polars::prelude::*;

use crate::common::{REPLICATES, growth, growth_number, model_periods, period_key};
use crate::context::Context;
use crate::contrast::{add_difference, add_trend, period_cells, period_intervals};
use crate::emit::emit;
use crate::output::{Headline, Number};

pub const STEM: &str = "08_model_properties";

/// `(key, column, claim, name in the figure)` of each property.
const PROPERTIES: [(&str, &str, &str, &str); 3] = [
    (
        "multimodal",
        "is_multimodal_generation",
        "C7",
        "Multimodal generation",
    ),
    ("quantized", "is_quantized", "C8", "Quantized"),
    ("moe", "is_moe", "C9", "Mixture of experts"),
];

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let mut h = ctx.headline(STEM, "Multimodal, quantized and MoE shares of downloads");
    let mut rows = Rows::default();
    let mut chart = LineChart::new(
        XKind::Dates,
        ValueAxis::log10().with_format(ValueFormat::Percent),
    );
    let periods = ctx.periods();
    let x: Vec<NaiveDate> = periods.iter().filter_map(|p| period_start(p)).collect();
    for (key, column, claim, name) in PROPERTIES {
        let mp = model_periods(
            ctx,
            col(column).cast(DataType::Boolean),
            Window::AllDownloads,
        )?;
        let cells = period_cells(ctx, &mp)?;
        let shares = period_intervals(&cells);
        rows.push(&periods, key, &shares);
        let point = |f: fn(&(f64, f64, f64)) -> f64| -> Vec<f64> {
            shares
                .iter()
                .map(|s| s.as_ref().map_or(f64::NAN, f))
                .collect()
        };
        chart = chart.with_series(
            Series::dated(name, &x, &point(|s| s.0)).with_band(&point(|s| s.1), &point(|s| s.2)),
        );
        headline(ctx, &mut h, &mp, (key, claim), &shares)?;
        let what = format!("download-weighted share of {key} models");
        add_difference(ctx, &mut h, &cells, (key, claim, "share"), &what);
        add_trend(&mut h, &cells, key, Some(claim), &what);
    }
    let fig = ctx.figure_with_note(
        "Shares of downloads by model property",
        "Study period (2022 = <=2022)",
        "Share of downloads (%, log scale)",
        "bands: 95% developer-cluster bootstrap intervals",
    );
    emit(ctx, STEM, &rows.frame()?, &h, &fig, &Chart::Lines(chart))
}

/// The year a study period starts, for the time axis (`<=2022` at 2022).
fn period_start(period: &str) -> Option<NaiveDate> {
    let year: i32 = period.trim_start_matches("<=").parse().ok()?;
    NaiveDate::from_ymd_opt(year, 1, 1)
}

/// The shares and the growth ratio of one property (`shares` in the order
/// of the covered periods: share and interval).
fn headline(
    ctx: &Context,
    h: &mut Headline,
    mp: &DataFrame,
    (key, claim): (&str, &str),
    shares: &[Option<(f64, f64, f64)>],
) -> anyhow::Result<()> {
    let periods = ctx.periods();
    for p in ctx.coverage.headline_periods() {
        let share = periods.iter().position(|x| *x == p).and_then(|i| shares[i]);
        let (value, lo, hi) = share.unwrap_or((f64::NAN, f64::NAN, f64::NAN));
        let number = Number::new(
            value,
            "share",
            &format!(
                "download-weighted share of {key} models in {p} (developer-cluster bootstrap 95%)"
            ),
        )
        .interval(lo, hi)
        .claim(claim);
        h.insert_in(&p, &format!("{key}_share_{}", period_key(&p)), number);
    }
    let g = growth(ctx, mp, REPLICATES)?;
    h.insert(
        &format!("{key}_ratio"),
        growth_number(
            &g,
            &format!("download-weighted share of {key} models (developer-cluster bootstrap 95%)"),
            claim,
        ),
    );
    Ok(())
}

/// The plotted data, one row per (property, period).
#[derive(Default)]
struct Rows {
    property: Vec<String>,
    period: Vec<String>,
    share: Vec<f64>,
    low: Vec<f64>,
    high: Vec<f64>,
}

impl Rows {
    fn push(&mut self, periods: &[&str], key: &str, shares: &[Option<(f64, f64, f64)>]) {
        for (p, s) in periods.iter().zip(shares) {
            let (share, lo, hi) = s.unwrap_or((f64::NAN, f64::NAN, f64::NAN));
            self.property.push(key.to_string());
            self.period.push(p.to_string());
            self.share.push(share);
            self.low.push(lo);
            self.high.push(hi);
        }
    }

    fn frame(self) -> anyhow::Result<DataFrame> {
        Ok(df!(
            "property" => self.property, "period" => self.period, "download_share" => self.share,
            "ci_low" => self.low, "ci_high" => self.high,
        )?)
    }
}
