//! 05 Concentration of downloads over time (C13): HHI, Gini, CR4 and CR10
//! across developers (direct lens: the uploader) and across family roots
//! (every model's downloads credited to the root of its lineage), by quarter
//! with bootstrap bands, and by study period for the headline numbers. The
//! population of each bucket is the keys with downloads in it. Bands and
//! intervals are a cluster bootstrap: keys (developers, or roots) with all
//! their models drawn with replacement, seeded, jointly across the buckets;
//! the changes <=2022 -> 2024 and 2024 -> 2025 (C13) have paired-replicate
//! intervals and p-values. For the
//! dashboard, also the indices by month, quarter and year in both windows
//! (across the uploader, the root's developer and the root; no bands), and
//! the monthly downloads of the top family roots.

use std::path::PathBuf;

use hubecon_ingest::columns::dates;
use hubecon_ingest::week::from_epoch_days;
use hubecon_plot::{Chart, LineChart, Series, ValueAxis, ValueFormat, XKind};
use hubecon_stats::{TimeBucket, concentration_by};
use polars::prelude::*;

use crate::context::Context;
use crate::emit::emit;
use crate::explore;
use crate::output::{Headline, Number};
use crate::resample::{
    INDEX_NAMES, Indices, Panel, bucket_interval, change, key_bucket_downloads, mb, options,
};

pub const STEM: &str = "05_concentration";

/// The figure's series, in order (the dashboard colours its lines alike).
pub const SERIES: [&str; 2] = ["Developers", "Family roots"];
/// The indices by month, quarter and year in both windows, without bands
/// (`05_concentration_by_bucket.csv`, for the dashboard).
pub const BY_BUCKET: &str = "by_bucket";
/// The monthly downloads of the top family roots
/// (`05_concentration_families.csv`, the dashboard's search).
pub const FAMILIES: &str = "families";

/// Bootstrap replicates of the quarterly bands and of the period intervals.
pub const QUARTER_REPLICATES: usize = 200;
pub const PERIOD_REPLICATES: usize = 1000;
/// The seed of both bootstraps (the study's arXiv number).
pub const SEED: u64 = hubecon_stats::growth::DEFAULT_SEED;
pub const LEVEL: f64 = 0.95;

/// The two sets of keys concentration is measured across: `(name, key column, key expression)`.
fn lenses() -> [(&'static str, &'static str, Expr); 2] {
    [
        ("developers", "author", col("author")),
        (
            "family_roots",
            "family_root",
            col("family_root").fill_null(col("model_id")),
        ),
    ]
}

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let periods = ctx.coverage.headline_periods();

    let mut h = ctx.headline(
        STEM,
        "Concentration of downloads across developers and family roots",
    );
    let mut tables = Vec::new();
    let mut chart = LineChart::new(
        XKind::Dates,
        // Log scale: HHI falls by an order of magnitude from the first
        // quarters, which flattened the later ones on a linear axis.
        ValueAxis::log10().with_format(ValueFormat::Plain),
    );
    for (lens, key, key_expr) in lenses() {
        let quarterly = key_bucket_downloads(ctx, &TimeBucket::Quarter, key, key_expr.clone())?;
        let by_period = key_bucket_downloads(ctx, &TimeBucket::StudyPeriod, key, key_expr)?;
        let quarters = quarter_labels(&quarterly)?;
        let (table, series) = quarterly_table(&quarterly, &quarters, lens, key)?;
        tables.push(table);
        chart = chart.with_series(series);
        period_headline(&mut h, &by_period, &periods, lens, key)?;
    }
    let mut table = tables.remove(0);
    for t in tables {
        table.vstack_mut(&t)?;
    }
    let note = format!(
        "bands: 95% cluster bootstrap, developers or roots resampled, B = {QUARTER_REPLICATES}"
    );
    let fig = ctx.figure_with_note(
        "Concentration of downloads (HHI)",
        "Quarter",
        "Herfindahl-Hirschman index (0-1, log scale)",
        &note,
    );
    let mut files = emit(ctx, STEM, &table, &h, &fig, &Chart::Lines(chart))?;
    let by_bucket = explore::concentration_by_bucket(ctx)?;
    files.push(explore::write(ctx, STEM, BY_BUCKET, &by_bucket)?);
    files.push(explore::write(
        ctx,
        STEM,
        FAMILIES,
        &explore::family_series(ctx)?,
    )?);
    Ok(files)
}

/// The quarter labels (ISO dates of the quarters' first days), in order.
fn quarter_labels(df: &DataFrame) -> anyhow::Result<Vec<String>> {
    let mut days: Vec<i32> = dates(df, mb::BUCKET)?.into_iter().flatten().collect();
    days.sort_unstable();
    days.dedup();
    Ok(days
        .into_iter()
        .map(|d| from_epoch_days(d).to_string())
        .collect())
}

/// Every index by quarter with its bootstrap band (long format), and the
/// HHI line of the figure.
fn quarterly_table(
    df: &DataFrame,
    quarters: &[String],
    lens: &str,
    key: &str,
) -> anyhow::Result<(DataFrame, Series)> {
    let point = concentration_by(
        df.clone().lazy(),
        &[mb::BUCKET],
        key,
        mb::DOWNLOADS,
        &options(),
    )?;
    let panel = Panel::from_frame(df, quarters, mb::BUCKET, key)?;
    let reps = panel.bootstrap(QUARTER_REPLICATES, SEED);
    let values = point_values(&point)?;
    let n_keys: Vec<u32> = point
        .column("n_keys")?
        .cast(&DataType::UInt32)?
        .u32()?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();
    let (mut quarter, mut index, mut value, mut lo, mut hi, mut keys) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (b, label) in quarters.iter().enumerate() {
        for (i, name) in INDEX_NAMES.iter().enumerate() {
            let (l, u) = bucket_interval(&reps, b, i, LEVEL);
            quarter.push(label.clone());
            index.push(*name);
            value.push(values[b][i]);
            lo.push(l);
            hi.push(u);
            keys.push(n_keys[b]);
        }
    }
    let table = df!(
        "quarter" => quarter, "across" => vec![lens; index.len()], "index" => index,
        "value" => value, "ci_low" => lo, "ci_high" => hi, "n_keys" => keys,
    )?;
    let dated: Vec<chrono::NaiveDate> = quarters
        .iter()
        .map(|q| q.parse())
        .collect::<Result<_, _>>()?;
    let hhi: Vec<f64> = values.iter().map(|v| v[0]).collect();
    let band: Vec<(f64, f64)> = (0..quarters.len())
        .map(|b| bucket_interval(&reps, b, 0, LEVEL))
        .collect();
    let (lower, upper): (Vec<f64>, Vec<f64>) = band.into_iter().unzip();
    let name = if lens == "developers" {
        SERIES[0]
    } else {
        SERIES[1]
    };
    Ok((
        table,
        Series::dated(name, &dated, &hhi).with_band(&lower, &upper),
    ))
}

/// The four indices of each row of a `concentration_by` frame.
fn point_values(point: &DataFrame) -> anyhow::Result<Vec<[f64; 4]>> {
    let column = |name: &str| -> anyhow::Result<Vec<f64>> {
        Ok(point
            .column(name)?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect())
    };
    let (hhi, gini, cr4, cr10) = (
        column("hhi")?,
        column("gini")?,
        column("top4_share")?,
        column("top10_share")?,
    );
    Ok((0..point.height())
        .map(|r| [hhi[r], gini[r], cr4[r], cr10[r]])
        .collect())
}

/// Headline numbers by study period (with bootstrap intervals) and the
/// 2024 -> 2025 change of each index with its test.
fn period_headline(
    h: &mut Headline,
    df: &DataFrame,
    periods: &[String],
    lens: &str,
    key: &str,
) -> anyhow::Result<()> {
    let panel = Panel::from_frame(df, periods, mb::BUCKET, key)?;
    let point: Vec<Option<Indices>> = panel.indices();
    let reps = panel.bootstrap(PERIOD_REPLICATES, SEED);
    let short = if lens == "developers" {
        "developers"
    } else {
        "roots"
    };
    for (b, p) in periods.iter().enumerate() {
        let label = if b == 0 { "2022" } else { p.as_str() };
        for (i, index) in INDEX_NAMES.iter().enumerate() {
            let v = point[b].map_or(f64::NAN, |x| x.values()[i]);
            let (lo, hi) = bucket_interval(&reps, b, i, LEVEL);
            let what = format!(
                "{index} of download shares across {} in {p} (95% cluster-bootstrap interval)",
                lens.replace('_', " ")
            );
            h.insert_in(
                p,
                &format!("{index}_{short}_{label}"),
                Number::new(v, "index", &what).interval(lo, hi).claim("C13"),
            );
        }
    }
    // C13 is decided on the fall to 2024 and the 2024 -> 2025 change.
    let changes = [(0, 2, "2022", "2024"), (2, 3, "2024", "2025")];
    for (i, index) in INDEX_NAMES
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(**n, "hhi" | "gini"))
    {
        for (a, b, from, to) in changes {
            let Some(c) = change(&point, &reps, a, b, i, LEVEL, panel.n_units()) else {
                continue;
            };
            let what = format!(
                "change in the {index} across {} from {} to {}",
                lens.replace('_', " "),
                periods[a],
                periods[b]
            );
            h.insert(
                &format!("{index}_{short}_change_{from}_{to}"),
                Number::new(c.estimate, "index", &what)
                    .interval(c.ci_low, c.ci_high)
                    .claim("C13")
                    .tested(c.test.p_value, &c.test.test),
            );
            h.add_test(
                &format!("{index}_{short}_{from}_vs_{to}"),
                Some("C13"),
                &what,
                c.test,
            );
        }
    }
    Ok(())
}
