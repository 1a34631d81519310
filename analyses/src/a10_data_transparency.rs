//! 10 Training-data transparency (C11, the paper's Table 1): the share of
//! each study period's downloads going to models whose card names training
//! data that is available on the Hub, named but not published (disclosed),
//! not named (undisclosed), or that have no model card at all; next to the
//! published values. The changes C11 is decided on (the available-or-
//! disclosed and the undisclosed share, later minus earlier) and their
//! trends, each a developer-cluster bootstrap ([`crate::contrast`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use hubecon_ingest::columns::{text_lists, texts};
use hubecon_lineage::data_values as d;
use hubecon_plot::palette::{GREEN, Rgb, VERMILLION};
use hubecon_plot::{Chart, GroupedBars, ValueAxis};
use hubecon_stats::TimeBucket;
use polars::prelude::*;

use crate::common::{PERIODS, mp};
use crate::context::Context;
use crate::contrast::{add_difference, add_trend, any_of, period_cells};
use crate::emit::emit;
use crate::output::{Headline, Number};
use crate::resample::{mb, model_bucket_downloads};

pub const STEM: &str = "10_data_transparency";

/// A model whose repository lists files but no `README.md`: no card.
pub const NO_CARD: &str = "no_card";
/// Available plus disclosed: the paper's "disclosed and available" row.
pub const AVAILABLE_DISCLOSED: &str = "available_disclosed";
/// The classes, in table order.
pub const CLASSES: [&str; 4] = [d::AVAILABLE, d::DISCLOSED, d::UNDISCLOSED, NO_CARD];

/// Table 1 of the paper (as shares), by study period.
pub const PUBLISHED_AVAILABLE_DISCLOSED: [f64; 4] = [0.793, 0.585, 0.535, 0.398];
pub const PUBLISHED_UNDISCLOSED: [f64; 4] = [0.098, 0.234, 0.316, 0.431];

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let rows = model_bucket_downloads(
        ctx,
        &TimeBucket::StudyPeriod,
        &[(mp::AUTHOR, col("author"))],
    )?
    .lazy()
    .join(
        card_classes(ctx)?.lazy(),
        [col(mb::MODEL_ID)],
        [col(mb::MODEL_ID)],
        JoinArgs::new(JoinType::Inner),
    )
    .collect()?;
    let shares = class_shares(&rows)?;
    let table = table(&shares, &ctx.periods())?;

    let mut h = ctx.headline(
        STEM,
        "Training-data transparency of downloaded models (Table 1)",
    );
    for (i, p) in PERIODS.iter().enumerate() {
        let label = if i == 0 { "2022" } else { p };
        let s = |c: &str| {
            shares
                .get(&(p.to_string(), c.to_string()))
                .map_or(0.0, |x| x.1)
        };
        let published = |v: f64| format!("published: {:.1}%", v * 100.0);
        let ad = Number::new(
            s(d::AVAILABLE) + s(d::DISCLOSED),
            "share",
            &format!(
                "share of downloads in {p} of models with available or disclosed training data"
            ),
        );
        h.insert_in(
            p,
            &format!("available_disclosed_share_{label}"),
            ad.claim("C11")
                .note(&published(PUBLISHED_AVAILABLE_DISCLOSED[i])),
        );
        let und = Number::new(
            s(d::UNDISCLOSED),
            "share",
            &format!("share of downloads in {p} of models with a card that names no training data"),
        );
        h.insert_in(
            p,
            &format!("undisclosed_share_{label}"),
            und.claim("C11").note(&published(PUBLISHED_UNDISCLOSED[i])),
        );
        for c in [d::AVAILABLE, d::DISCLOSED, NO_CARD] {
            h.insert_in(
                p,
                &format!("{c}_share_{label}"),
                Number::new(
                    s(c),
                    "share",
                    &format!("share of downloads in {p} of {c} models"),
                )
                .claim("C11"),
            );
        }
    }
    contrasts(ctx, &mut h, &rows)?;
    let fig = ctx.figure_with_note(
        "Training-data transparency of downloads (Table 1)",
        "Study period",
        "Share of downloads (%)",
        "models without a card are in neither row, as in the paper",
    );
    emit(
        ctx,
        STEM,
        &table,
        &h,
        &fig,
        &Chart::GroupedBars(chart(&shares, &ctx.periods())),
    )
}

/// The class of one model: its `data_transparency`, except that an
/// undisclosed model whose file list is known and has no `README.md` has
/// no card.
pub fn transparency_class(data_transparency: Option<&str>, files: &[String]) -> &'static str {
    match data_transparency {
        Some(d::AVAILABLE) => d::AVAILABLE,
        Some(d::DISCLOSED) => d::DISCLOSED,
        _ if !files.is_empty() && !files.iter().any(|f| f.eq_ignore_ascii_case("README.md")) => {
            NO_CARD
        }
        _ => d::UNDISCLOSED,
    }
}

/// `(period, class) -> (downloads, share of the period's downloads, downloaded models)`.
type Shares = BTreeMap<(String, String), (f64, f64, u32)>;

/// `model_id`, `transparency` for every model.
fn card_classes(ctx: &Context) -> anyhow::Result<DataFrame> {
    let models = ctx
        .models()
        .select([col("model_id"), col("data_transparency"), col("files")])
        .collect()?;
    let data = texts(&models, "data_transparency")?;
    let files = text_lists(&models, "files")?;
    let class: Vec<&str> = data
        .iter()
        .zip(&files)
        .map(|(d, f)| transparency_class(d.as_deref(), f))
        .collect();
    Ok(
        df!("model_id" => models.column("model_id")?.as_materialized_series().clone(), "transparency" => class)?,
    )
}

/// `(period, class) -> (downloads, share, models)`, with the
/// available-or-disclosed row added.
fn class_shares(rows: &DataFrame) -> anyhow::Result<Shares> {
    let sums = rows
        .clone()
        .lazy()
        .group_by([col(mb::BUCKET), col("transparency")])
        .agg([
            col(mb::DOWNLOADS).sum(),
            col(mb::MODEL_ID)
                .count()
                .cast(DataType::UInt32)
                .alias("models"),
        ])
        .with_column(
            (col(mb::DOWNLOADS) / col(mb::DOWNLOADS).sum().over([col(mb::BUCKET)])?).alias("share"),
        )
        .collect()?;
    let (p, c) = (
        sums.column(mb::BUCKET)?.str()?,
        sums.column("transparency")?.str()?,
    );
    let (dl, s, m) = (
        sums.column(mb::DOWNLOADS)?.f64()?,
        sums.column("share")?.f64()?,
        sums.column("models")?.u32()?,
    );
    let mut out = BTreeMap::new();
    for ((((p, c), dl), s), m) in p
        .iter()
        .zip(c.iter())
        .zip(dl.iter())
        .zip(s.iter())
        .zip(m.iter())
    {
        let (Some(p), Some(c), Some(dl), Some(s), Some(m)) = (p, c, dl, s, m) else {
            continue;
        };
        out.insert((p.to_string(), c.to_string()), (dl, s, m));
        let e: &mut (f64, f64, u32) = out
            .entry((p.to_string(), AVAILABLE_DISCLOSED.to_string()))
            .or_default();
        if c == d::AVAILABLE || c == d::DISCLOSED {
            *e = (e.0 + dl, e.1 + s, e.2 + m);
        }
    }
    Ok(out)
}

/// The published values of the covered periods of the paper, `None` for a
/// later period the paper has no value for.
fn published_in(values: &[f64; 4], period: &str) -> Option<f64> {
    PERIODS.iter().position(|p| *p == period).map(|i| values[i])
}

/// Table 1 in long format for the covered periods, with the published value
/// where there is one.
fn table(shares: &Shares, periods: &[&str]) -> anyhow::Result<DataFrame> {
    let (mut period, mut class, mut dl, mut share, mut models, mut published) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for p in periods {
        for c in CLASSES.iter().chain([&AVAILABLE_DISCLOSED]) {
            let (x, s, m) = shares
                .get(&(p.to_string(), c.to_string()))
                .copied()
                .unwrap_or_default();
            period.push(*p);
            class.push(*c);
            dl.push(x);
            share.push(s);
            models.push(m);
            published.push(match *c {
                AVAILABLE_DISCLOSED => published_in(&PUBLISHED_AVAILABLE_DISCLOSED, p),
                d::UNDISCLOSED => published_in(&PUBLISHED_UNDISCLOSED, p),
                _ => None,
            });
        }
    }
    Ok(df!(
        "period" => period, "transparency" => class, "downloads" => dl,
        "download_share" => share, "downloaded_models" => models, "published_share" => published,
    )?)
}

/// Measured against published, for the two rows the paper reports, in the
/// covered periods.
fn chart(shares: &Shares, periods: &[&str]) -> GroupedBars {
    let measured = |c: &str| {
        periods
            .iter()
            .map(|p| {
                shares
                    .get(&(p.to_string(), c.to_string()))
                    .map_or(0.0, |x| x.1)
            })
            .collect::<Vec<_>>()
    };
    let published = |values: &[f64; 4]| {
        periods
            .iter()
            .map(|p| published_in(values, p).unwrap_or(f64::NAN))
            .collect::<Vec<_>>()
    };
    let mut bars = GroupedBars::new(periods.iter().copied(), ValueAxis::share())
        .with_group(
            "Available or disclosed (measured)",
            &measured(AVAILABLE_DISCLOSED),
        )
        .with_group(
            "Available or disclosed (published)",
            &published(&PUBLISHED_AVAILABLE_DISCLOSED),
        )
        .with_group(
            "Not disclosed, with card (measured)",
            &measured(d::UNDISCLOSED),
        )
        .with_group(
            "Not disclosed (published)",
            &published(&PUBLISHED_UNDISCLOSED),
        );
    let colours = [
        GREEN,
        Rgb(0x99, 0xD8, 0xC7),
        VERMILLION,
        Rgb(0xF2, 0xB7, 0x8C),
    ];
    for (g, c) in bars.groups.iter_mut().zip(colours) {
        g.colour = Some(c);
    }
    bars
}

/// The changes C11 is decided on, later minus earlier, and their trends:
/// the available-or-disclosed and the undisclosed share of downloads,
/// developers resampled.
fn contrasts(ctx: &Context, h: &mut Headline, rows: &DataFrame) -> anyhow::Result<()> {
    let measures: [(&str, &[&str], &str); 2] = [
        (
            "available_disclosed_share",
            &[d::AVAILABLE, d::DISCLOSED],
            "share of downloads of models with available or disclosed training data",
        ),
        (
            "undisclosed_share",
            &[d::UNDISCLOSED],
            "share of downloads of models with a card that names no training data",
        ),
    ];
    for (key, classes, what) in measures {
        let periods = rows
            .clone()
            .lazy()
            .select([
                col(mp::AUTHOR),
                col(mb::BUCKET).cast(DataType::String).alias(mp::PERIOD),
                col(mb::DOWNLOADS).alias(mp::DOWNLOADS),
                any_of(col("transparency"), classes).alias(mp::VALUE),
            ])
            .collect()?;
        let cells = period_cells(ctx, &periods)?;
        add_difference(ctx, h, &cells, (key, "C11", "share"), what);
        add_trend(h, &cells, key, Some("C11"), what);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_readme_means_no_card_only_when_files_are_known() {
        let files = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            transparency_class(Some("undisclosed"), &files(&["config.json"])),
            NO_CARD
        );
        assert_eq!(
            transparency_class(Some("undisclosed"), &files(&["config.json", "README.md"])),
            d::UNDISCLOSED
        );
        assert_eq!(transparency_class(Some("undisclosed"), &[]), d::UNDISCLOSED);
        assert_eq!(
            transparency_class(None, &files(&["readme.md"])),
            d::UNDISCLOSED
        );
        // Named data comes from a card, whatever the file list says.
        assert_eq!(
            transparency_class(Some("available"), &files(&["config.json"])),
            d::AVAILABLE
        );
        assert_eq!(transparency_class(Some("disclosed"), &[]), d::DISCLOSED);
    }
}
