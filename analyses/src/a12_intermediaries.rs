//! 12 Intermediaries (C12): developers more than half of whose downloads
//! come from derivatives of other developers' models
//! (`hubecon_lineage::intermediaries` at its default threshold), classified
//! for each study period on the downloads up to its end, so none is an
//! intermediary before it published (the top ten and the count without a
//! period are over the whole data). Two
//! definitions: `quantize_adapt` (only quantized copies and adapters count
//! as derivatives: the paper's "layer of developers that quantize and adapt
//! others' base models"; the headline `intermediary_share_*`) and
//! `any_derivative` (finetune, adapter, quantized or merge; keys prefixed
//! `any_derivative_`). Their share of all downloads by quarter
//! (the lines; direct lens: downloads of the models they upload) and by study
//! period; the ten largest (any-derivative definition: it shows the
//! relation mix) in `12_intermediaries_top.csv`. The change of the share
//! (later minus earlier, which C12 is decided on), its trend and every
//! period's interval are developer-cluster bootstraps ([`crate::contrast`]).

use std::path::PathBuf;

use chrono::NaiveDate;
use hubecon_ingest::columns::{dates, texts};
use hubecon_ingest::schema::relation as rel;
use hubecon_lineage::{DEFAULT_INTERMEDIARY_THRESHOLD, intermediaries, intermediary_columns as ic};
use hubecon_plot::{Chart, LineChart, Series, ValueAxis, XKind};
use hubecon_stats::{Category, ShareSpec, TimeBucket, Window, download_share, share_columns as sc};
use polars::prelude::*;

use crate::common::{model_periods, mp, period_key};
use crate::context::Context;
use crate::contrast::{add_difference, add_trend, period_cells, period_intervals};
use crate::emit::emit;
use crate::lineage_tables::{IN_LAYER, LAYER, mark_layer, only_derivatives_of_kind};
use crate::output::{Headline, Number, csv_text, write_atomic};

pub const STEM: &str = "12_intermediaries";
/// The ten largest intermediaries, next to the main outputs.
pub const TOP_FILE: &str = "12_intermediaries_top.csv";
/// How many intermediaries the top table lists.
pub const TOP: usize = 10;

/// One definition of intermediaries: its name in the CSV, key prefix,
/// legend label, developers over the whole data, and developers of each
/// covered study period (classified on the downloads up to its end).
struct Definition {
    name: &'static str,
    prefix: &'static str,
    label: &'static str,
    authors: Vec<String>,
    by_period: Vec<(String, Vec<String>)>,
}

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let found = intermediaries(
        &ctx.data.models,
        &ctx.data.downloads,
        DEFAULT_INTERMEDIARY_THRESHOLD,
    )?;
    let narrow_models =
        only_derivatives_of_kind(&ctx.data.models, &[rel::QUANTIZED, rel::ADAPTER])?;
    let narrow = intermediaries(
        &narrow_models,
        &ctx.data.downloads,
        DEFAULT_INTERMEDIARY_THRESHOLD,
    )?;
    let definitions = [
        Definition {
            name: "quantize_adapt",
            prefix: "",
            label: "Quantizers and adapters",
            authors: authors(&narrow)?,
            by_period: by_period(ctx, &narrow_models)?,
        },
        Definition {
            name: "any_derivative",
            prefix: "any_derivative_",
            label: "Intermediaries (any derivative)",
            authors: authors(&found)?,
            by_period: by_period(ctx, &ctx.data.models)?,
        },
    ];

    let mut h = ctx.headline(
        STEM,
        "Intermediaries: share of downloads and the largest ones",
    );
    let mut quarters = Vec::new();
    for d in &definitions {
        quarters.push(quarter_table(ctx, d)?);
        period_numbers(ctx, &mut h, d)?;
        let what = format!(
            "developers classified as intermediaries ({}) over the whole data",
            d.name
        );
        h.insert(
            &format!("n_{}intermediaries", d.prefix),
            Number::new(d.authors.len() as f64, "count", &what).claim("C12"),
        );
        for (p, authors) in &d.by_period {
            let what = format!(
                "developers classified as intermediaries ({}) on the downloads up to the end of {p}",
                d.name
            );
            h.insert_in(
                p,
                &format!("n_{}intermediaries_{}", d.prefix, period_key(p)),
                Number::new(authors.len() as f64, "count", &what),
            );
        }
    }
    let table = concat_frames(&quarters)?;

    let total: f64 = ctx
        .data
        .downloads
        .column("downloads")?
        .cast(&DataType::Float64)?
        .f64()?
        .sum()
        .unwrap_or(0.0);
    let top = found.head(Some(TOP));
    let top_downloads = top
        .column(ic::DOWNLOADS)?
        .cast(&DataType::Float64)?
        .f64()?
        .sum()
        .unwrap_or(0.0);
    h.insert(
        "top10_intermediaries_share",
        Number::new(
            top_downloads / total,
            "share",
            "share of all downloads going to the ten largest intermediaries",
        ),
    );
    let top_path = ctx.out.join(TOP_FILE);
    write_atomic(&top_path, csv_text(&top_table(&top, total)?)?.as_bytes())?;

    let mut chart = LineChart::new(XKind::Dates, ValueAxis::share().including(0.0, 0.0));
    for (d, q) in definitions.iter().zip(&quarters) {
        let x: Vec<NaiveDate> = dates(q, "quarter")?
            .into_iter()
            .flatten()
            .map(hubecon_ingest::week::from_epoch_days)
            .collect();
        let y: Vec<f64> = q
            .column("intermediary_share")?
            .f64()?
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
        chart = chart.with_series(Series::dated(d.label, &x, &y));
    }
    let fig = ctx.figure(
        "Download share of intermediaries",
        "Quarter",
        "Share of downloads",
    );
    let mut paths = emit(ctx, STEM, &table, &h, &fig, &Chart::Lines(chart))?;
    paths.push(top_path);
    Ok(paths)
}

fn authors(found: &DataFrame) -> anyhow::Result<Vec<String>> {
    Ok(texts(found, ic::AUTHOR)?.into_iter().flatten().collect())
}

/// The intermediaries of each covered study period, classified on the
/// downloads up to that period's end: a developer counts as one in a
/// period only for what it had published by then.
fn by_period(ctx: &Context, models: &DataFrame) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    ctx.periods()
        .iter()
        .map(|p| {
            let (_, end) = period_bounds(p)?;
            let upto = ctx
                .data
                .downloads
                .clone()
                .lazy()
                .filter(col("week").lt(end))
                .collect()?;
            let found = intermediaries(models, &upto, DEFAULT_INTERMEDIARY_THRESHOLD)?;
            Ok((p.to_string(), authors(&found)?))
        })
        .collect()
}

/// The first and the day after the last day of a study period, as Date
/// literals (`<=2022` has no first day: `None`).
fn period_bounds(period: &str) -> anyhow::Result<(Option<Expr>, Expr)> {
    let year: i32 = period
        .trim_start_matches("<=")
        .parse()
        .map_err(|_| anyhow::anyhow!("not a study period: {period}"))?;
    let day = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .map(|d| lit(hubecon_ingest::week::to_epoch_days(d)).cast(DataType::Date))
            .ok_or_else(|| anyhow::anyhow!("no 1 January {y}"))
    };
    let first = if period.starts_with("<=") {
        None
    } else {
        Some(day(year)?)
    };
    Ok((first, day(year + 1)?))
}

/// One row per quarter: the definition, the intermediaries' share of
/// downloads, their downloads, all downloads, and their models downloaded;
/// each quarter with the intermediaries of its study period.
fn quarter_table(ctx: &Context, d: &Definition) -> anyhow::Result<DataFrame> {
    let mut parts = Vec::new();
    for (p, authors) in &d.by_period {
        let (first, end) = period_bounds(p)?;
        let week = col("week");
        let inside = match first {
            Some(f) => week.clone().gt_eq(f).and(week.lt(end)),
            None => week.lt(end),
        };
        let models = mark_layer(ctx.models(), authors)?;
        let spec = ShareSpec::new(Category::Model(LAYER.into()), TimeBucket::Quarter);
        parts.push(download_share(
            ctx.downloads().filter(inside),
            models,
            None,
            &spec,
        )?);
    }
    if parts.is_empty() {
        // No covered period (a single-date listing): the empty table, typed.
        let spec = ShareSpec::new(Category::Model(LAYER.into()), TimeBucket::Quarter);
        let models = mark_layer(ctx.models(), &[])?;
        parts.push(download_share(ctx.downloads(), models, None, &spec)?);
    }
    let shares = concat_frames(&parts)?;
    let mine = col(sc::CATEGORY).eq(lit(IN_LAYER));
    Ok(shares
        .lazy()
        .group_by([col(sc::BUCKET).alias("quarter")])
        .agg([
            col(sc::DOWNLOADS)
                .filter(mine.clone())
                .sum()
                .alias("intermediary_downloads"),
            col(sc::DOWNLOADS).sum().alias("all_downloads"),
            col(sc::DOWNLOADED_MODELS)
                .filter(mine)
                .sum()
                .cast(DataType::UInt32)
                .alias("intermediary_models_downloaded"),
        ])
        .select([
            col("quarter"),
            lit(d.name).alias("definition"),
            (col("intermediary_downloads") / col("all_downloads")).alias("intermediary_share"),
            col("intermediary_downloads"),
            col("all_downloads"),
            col("intermediary_models_downloaded"),
        ])
        .sort(["quarter"], SortMultipleOptions::default())
        .collect()?)
}

fn concat_frames(frames: &[DataFrame]) -> anyhow::Result<DataFrame> {
    let mut out = frames.first().cloned().unwrap_or_default();
    for f in frames.iter().skip(1) {
        out.vstack_mut(f)?;
    }
    Ok(out)
}

/// `{prefix}intermediary_share_{period}` with its interval, the change
/// from the earlier contrast period to the later and the trend.
fn period_numbers(ctx: &Context, h: &mut Headline, d: &Definition) -> anyhow::Result<()> {
    let base = model_periods(ctx, lit(0.0), Window::AllDownloads)?
        .lazy()
        .drop(cols([mp::VALUE]));
    let mut parts = Vec::new();
    for (p, authors) in &d.by_period {
        let rows = base.clone().filter(col(mp::PERIOD).eq(lit(p.as_str())));
        parts.push(
            mark_layer(rows, authors)?.with_column(col(LAYER).eq(lit(IN_LAYER)).alias(mp::VALUE)),
        );
    }
    let flagged = if parts.is_empty() {
        base.with_column(lit(false).alias(mp::VALUE)).collect()?
    } else {
        concat(parts, UnionArgs::default())?.collect()?
    };
    let cells = period_cells(ctx, &flagged)?;
    let shares = period_intervals(&cells);
    let periods = ctx.periods();
    for p in ctx.coverage.headline_periods() {
        let share = periods.iter().position(|x| *x == p).and_then(|i| shares[i]);
        let (value, lo, hi) = share.unwrap_or((f64::NAN, f64::NAN, f64::NAN));
        let what = format!(
            "share of downloads in {p} going to models uploaded by intermediaries ({})",
            d.name
        );
        h.insert_in(
            &p,
            &format!("{}intermediary_share_{}", d.prefix, period_key(&p)),
            Number::new(value, "share", &what)
                .interval(lo, hi)
                .claim("C12"),
        );
    }
    let what = format!("download share of intermediaries ({})", d.name);
    let key = format!("{}intermediary_share", d.prefix);
    add_difference(ctx, h, &cells, (&key, "C12", "share"), &what);
    add_trend(h, &cells, &key, Some("C12"), &what);
    Ok(())
}

/// The largest intermediaries: rank, author, downloads and their share of
/// all downloads, models, derivative share and relation mix (`share_<relation>`).
fn top_table(top: &DataFrame, total: f64) -> anyhow::Result<DataFrame> {
    let n = top.height() as u32;
    let mut out = top.clone();
    let all = out
        .column(ic::DOWNLOADS)?
        .cast(&DataType::Float64)?
        .f64()?
        .clone()
        / total;
    out.insert_column(0, Column::new("rank".into(), (1..=n).collect::<Vec<u32>>()))?;
    out.insert_column(
        3,
        all.into_series()
            .with_name("share_of_all_downloads".into())
            .into_column(),
    )?;
    Ok(out)
}
