//! 08 Model properties (C7, C8, C9): the download-weighted share of
//! downloads going to multimodal-generation, quantized and mixture-of-experts
//! models by study period (log scale, so equal slopes are equal growth), with
//! Wilson intervals on the Kish effective sample size; the growth of each
//! share from <=2022 to 2025 with a developer-cluster bootstrap interval; a
//! weighted two-proportion z test (<=2022 vs 2025) and a Cochran-Armitage
//! trend test across the four periods.

use std::path::PathBuf;

use chrono::NaiveDate;
use hubecon_plot::{Chart, LineChart, Series, ValueAxis, ValueFormat, XKind};
use hubecon_stats::{Proportion, Window, cochran_armitage_trend, two_proportion_z};
use polars::prelude::*;

use crate::common::{
    REPLICATES, difference_number, growth, growth_number, model_periods, period_key,
    period_proportion, wilson,
};
use crate::context::Context;
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
        let props: Vec<Proportion> = periods
            .iter()
            .map(|p| period_proportion(&mp, p))
            .collect::<anyhow::Result<_>>()?;
        let intervals: Vec<(f64, f64)> = props.iter().map(|p| wilson(p.p, p.n)).collect();
        rows.push(&periods, key, &props, &intervals);
        let shares: Vec<f64> = props.iter().map(|p| p.p).collect();
        let (lower, upper): (Vec<f64>, Vec<f64>) = intervals.iter().copied().unzip();
        chart = chart.with_series(Series::dated(name, &x, &shares).with_band(&lower, &upper));
        headline(ctx, &mut h, &mp, (key, claim), &props)?;
    }
    let fig = ctx.figure_with_note(
        "Shares of downloads by model property",
        "Study period (2022 = <=2022)",
        "Share of downloads (%, log scale)",
        "bands: 95% Wilson intervals on the Kish effective n",
    );
    emit(ctx, STEM, &rows.frame()?, &h, &fig, &Chart::Lines(chart))
}

/// The year a study period starts, for the time axis (`<=2022` at 2022).
fn period_start(period: &str) -> Option<NaiveDate> {
    let year: i32 = period.trim_start_matches("<=").parse().ok()?;
    NaiveDate::from_ymd_opt(year, 1, 1)
}

/// The shares, the growth ratio and the two tests of one property
/// (`props` in the order of the covered periods).
fn headline(
    ctx: &Context,
    h: &mut Headline,
    mp: &DataFrame,
    (key, claim): (&str, &str),
    props: &[Proportion],
) -> anyhow::Result<()> {
    let periods = ctx.periods();
    for p in ctx.coverage.headline_periods() {
        let prop = periods.iter().position(|x| *x == p).map(|i| props[i]);
        let (value, (lo, hi)) = prop.map_or((f64::NAN, (f64::NAN, f64::NAN)), |prop| {
            (prop.p, wilson(prop.p, prop.n))
        });
        let number = Number::new(
            value,
            "share",
            &format!("download-weighted share of {key} models in {p} (Wilson 95% on Kish n)"),
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
    h.insert(
        &format!("{key}_difference"),
        difference_number(
            &g,
            "share",
            &format!("download-weighted share of {key} models"),
            claim,
        ),
    );
    if let Some((earlier, later)) = ctx.coverage.contrast() {
        let at = |p: &str| periods.iter().position(|x| *x == p).map(|i| props[i]);
        if let (Some(first), Some(last)) = (at(earlier), at(later)) {
            h.add_test(
                &format!("{key}_first_vs_last"),
                Some(claim),
                &format!("download-weighted share of {key} models, {later} vs {earlier} (Kish effective n)"),
                two_proportion_z(&last, &first)?,
            );
        }
    }
    if props.len() >= 2 {
        h.add_test(
            &format!("{key}_trend"),
            Some(claim),
            &format!("linear trend of the download-weighted share of {key} models across {} (Kish effective n)", periods.join(", ")),
            cochran_armitage_trend(props, None)?,
        );
    }
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
    n_eff: Vec<f64>,
}

impl Rows {
    fn push(
        &mut self,
        periods: &[&str],
        key: &str,
        props: &[Proportion],
        intervals: &[(f64, f64)],
    ) {
        for ((p, prop), (lo, hi)) in periods.iter().zip(props).zip(intervals) {
            self.property.push(key.to_string());
            self.period.push(p.to_string());
            self.share.push(prop.p);
            self.low.push(*lo);
            self.high.push(*hi);
            self.n_eff.push(prop.n);
        }
    }

    fn frame(self) -> anyhow::Result<DataFrame> {
        Ok(df!(
            "property" => self.property, "period" => self.period, "download_share" => self.share,
            "ci_low" => self.low, "ci_high" => self.high, "kish_n" => self.n_eff,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_textbook_value_and_stays_inside_zero_one() {
        // p = 0.2, n = 100: Wilson 95% is (0.1333, 0.2888).
        let (lo, hi) = wilson(0.2, 100.0);
        assert!((lo - 0.1333).abs() < 1e-3 && (hi - 0.2888).abs() < 1e-3);
        let (lo, hi) = wilson(0.0, 5.0);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 1.0);
    }
}
