//! 09 Openness (C10): the share of downloads going to open-source models
//! (open licence and training data available), open-weights models,
//! restricted (gated or non-commercial) and unknown-licence models, by
//! calendar year (2025 runs to the last week of the data); the first year in
//! which open weights overtake open source; and, per study period, the lead
//! of open weights among the downloads of open models (their share minus
//! one half), which C10 is decided on, a developer-cluster bootstrap
//! ([`crate::contrast`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use hubecon_ingest::columns::dates;
use hubecon_lineage::openness_values as o;
use hubecon_plot::{Chart, LineChart, Series, ValueAxis, XKind};
use hubecon_stats::cluster_bootstrap::{above, as_test};
use hubecon_stats::{Attribution, Category, TimeBucket, Window, share_columns as sc};
use polars::prelude::*;

use crate::common::{model_periods, period_key, shares};
use crate::context::Context;
use crate::contrast::{options, period_cells};
use crate::emit::emit;
use crate::output::{Headline, Number};

pub const STEM: &str = "09_openness";

/// The years reported (the study's span).
pub const YEARS: std::ops::RangeInclusive<i32> = 2020..=2025;

/// Legend names; each normalises to its class's fixed colour.
const NAMES: [(&str, &str); 4] = [
    (o::OPEN_SOURCE, "Open source"),
    (o::OPEN_WEIGHTS, "Open weights"),
    (o::RESTRICTED, "Restricted"),
    (o::UNKNOWN, "Unknown"),
];

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let by_year = shares(
        ctx,
        Category::Model("openness".into()),
        TimeBucket::Year,
        Attribution::Direct,
        Window::AllDownloads,
    )?;
    let table = year_table(&by_year)?;
    let share = share_by_class_and_year(&table)?;

    let mut h = ctx.headline(STEM, "Open source and open weights");
    for (class, _) in NAMES {
        for year in YEARS {
            let v = share
                .get(&(class.to_string(), year))
                .copied()
                .unwrap_or(f64::NAN);
            let what = format!(
                "share of downloads in {year} going to {} models",
                class.replace('_', "-")
            );
            h.insert(
                &format!("{class}_share_{year}"),
                Number::new(v, "share", &what).claim("C10"),
            );
        }
    }
    let series = |class: &str| {
        YEARS
            .map(|y| {
                share
                    .get(&(class.to_string(), y))
                    .copied()
                    .unwrap_or(f64::NAN)
            })
            .collect::<Vec<_>>()
    };
    let (os, ow) = (series(o::OPEN_SOURCE), series(o::OPEN_WEIGHTS));
    let surpass = surpass_year(&YEARS.collect::<Vec<_>>(), &os, &ow);
    let ahead: Vec<String> = YEARS
        .zip(os.iter().zip(&ow))
        .filter(|(_, (s, w))| w > s)
        .map(|(y, _)| y.to_string())
        .collect();
    let what = "first year in which open weights take a larger share of downloads than open source, having taken a smaller one before";
    let note = format!(
        "years with open weights ahead of open source: {}",
        if ahead.is_empty() {
            "none".into()
        } else {
            ahead.join(", ")
        }
    );
    h.insert(
        "open_weights_surpass_year",
        Number::new(surpass.map_or(f64::NAN, f64::from), "year", what)
            .claim("C10")
            .note(&note),
    );
    open_weights_leads(ctx, &mut h)?;

    let x: Vec<NaiveDate> = YEARS
        .filter_map(|y| NaiveDate::from_ymd_opt(y, 1, 1))
        .collect();
    let mut chart = LineChart::new(XKind::Dates, ValueAxis::share());
    for (class, name) in NAMES {
        chart = chart.with_series(Series::dated(name, &x, &series(class)));
    }
    let fig = ctx.figure_with_note(
        "Download share by openness",
        "Year",
        "Share of downloads (%)",
        "2025: to the last week of the data",
    );
    emit(ctx, STEM, &table, &h, &fig, &Chart::Lines(chart))
}

/// The share table with the bucket as a year, within [`YEARS`].
fn year_table(by_year: &DataFrame) -> anyhow::Result<DataFrame> {
    let years: Vec<Option<i32>> = dates(by_year, sc::BUCKET)?
        .into_iter()
        .map(|d| d.map(|d| hubecon_ingest::week::from_epoch_days(d).year()))
        .collect();
    let mut t = by_year.select([
        sc::CATEGORY,
        sc::DOWNLOADS,
        sc::DOWNLOAD_SHARE,
        sc::DOWNLOADED_MODELS,
    ])?;
    t.insert_column(0, Column::new("year".into(), years))?;
    let t = t
        .lazy()
        .filter(
            col("year")
                .gt_eq(lit(*YEARS.start()))
                .and(col("year").lt_eq(lit(*YEARS.end()))),
        )
        .rename([sc::CATEGORY], ["openness"], true)
        .sort(["year", "openness"], SortMultipleOptions::default())
        .collect()?;
    Ok(t)
}

/// `(class, year) -> share` from [`year_table`].
fn share_by_class_and_year(table: &DataFrame) -> anyhow::Result<BTreeMap<(String, i32), f64>> {
    let years = table.column("year")?.i32()?;
    let classes = table.column("openness")?.str()?;
    let shares = table.column(sc::DOWNLOAD_SHARE)?.f64()?;
    Ok(years
        .iter()
        .zip(classes.iter())
        .zip(shares.iter())
        .filter_map(|((y, c), s)| Some(((c?.to_string(), y?), s?)))
        .collect())
}

/// The first year in which `open_weights > open_source` after a year with
/// `open_weights <= open_source`; `None` if it never happens (including when
/// open weights lead from the first year). Years with a missing share break
/// nothing: they are skipped.
pub fn surpass_year(years: &[i32], open_source: &[f64], open_weights: &[f64]) -> Option<i32> {
    let mut was_below = false;
    for ((y, os), ow) in years.iter().zip(open_source).zip(open_weights) {
        if !(os.is_finite() && ow.is_finite()) {
            continue;
        }
        if ow > os && was_below {
            return Some(*y);
        }
        was_below |= ow <= os;
    }
    None
}

/// Per covered study period, the open-weights share of the downloads of
/// open models (open source and open weights) minus one half: above zero,
/// open weights lead. C10 is decided on these leads.
fn open_weights_leads(ctx: &Context, h: &mut Headline) -> anyhow::Result<()> {
    let openness = col("openness");
    let is_open_weights = when(openness.clone().eq(lit(o::OPEN_WEIGHTS)))
        .then(lit(true))
        .when(openness.eq(lit(o::OPEN_SOURCE)))
        .then(lit(false))
        .otherwise(lit(NULL).cast(DataType::Boolean));
    let mp = model_periods(ctx, is_open_weights, Window::AllDownloads)?;
    let cells = period_cells(ctx, &mp)?;
    for (j, p) in cells.cells().iter().enumerate() {
        let c = cells.contrast(above(j, 0.5), options());
        let key = format!("open_weights_lead_{}", period_key(p));
        let what = format!(
            "open-weights share of the downloads of open-source and open-weights models in {p}, minus one half"
        );
        h.insert_in(p, &key, crate::contrast::number(&c, "share", &what, "C10"));
        if c.estimate.is_finite() {
            h.add_test(&key, Some("C10"), &what, as_test(&c, "lead over one half"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::surpass_year;

    #[test]
    fn surpass_needs_a_year_below_first() {
        let years = [2020, 2021, 2022];
        assert_eq!(
            surpass_year(&years, &[0.6, 0.5, 0.3], &[0.2, 0.4, 0.5]),
            Some(2022)
        );
        // Leading from the start is not surpassing.
        assert_eq!(
            surpass_year(&years, &[0.1, 0.1, 0.1], &[0.5, 0.5, 0.5]),
            None
        );
        // Never ahead.
        assert_eq!(
            surpass_year(&years, &[0.6, 0.6, 0.6], &[0.1, 0.2, 0.3]),
            None
        );
        // A missing year is skipped.
        assert_eq!(
            surpass_year(&years, &[0.6, f64::NAN, 0.3], &[0.2, 0.9, 0.5]),
            Some(2022)
        );
    }
}
