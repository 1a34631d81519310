//! 11 Lineage mix: downloads and models by relation to a parent (original,
//! finetune, adapter, quantized, merge) by quarter — each relation's share
//! of the quarter's downloads (stacked in the figure), its share of the
//! models downloaded in the quarter, and its share of the models created in
//! the quarter — and the derivative trees of the big families (Llama, Qwen,
//! Mistral, Gemma, DeepSeek; see [`crate::lineage_tables`]): models and
//! downloads by relation and lineage depth, in `11_lineage_mix_families.csv`.
//! Test: the trend of the derivative share of downloads across study
//! periods, a developer-cluster bootstrap ([`crate::contrast`]).

use std::path::PathBuf;

use hubecon_ingest::schema::{models as m, relation as rel};
use hubecon_plot::Chart;
use hubecon_stats::{Attribution, Category, TimeBucket, Window, bucket_expr, share_columns as sc};
use polars::prelude::*;

use crate::common::{model_periods, period_key, share_of, shares, stacked};
use crate::context::Context;
use crate::contrast::{add_trend, period_cells};
use crate::emit::emit;
use crate::lineage_tables::{BIG_FAMILIES, family_trees, model_downloads};
use crate::output::{Headline, Number, csv_text, write_atomic};

pub const STEM: &str = "11_lineage_mix";
/// The family table, next to the main outputs.
pub const FAMILIES_FILE: &str = "11_lineage_mix_families.csv";

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let relation = Category::Model(m::RELATION.into());
    let downloads = shares(
        ctx,
        relation.clone(),
        TimeBucket::Quarter,
        Attribution::Direct,
        Window::AllDownloads,
    )?;
    let table = quarter_table(&downloads, created_by_quarter(ctx)?)?;

    let mut h = ctx.headline(
        STEM,
        "Lineage mix and the derivative trees of the big families",
    );
    let by_period = shares(
        ctx,
        relation,
        TimeBucket::StudyPeriod,
        Attribution::Direct,
        Window::AllDownloads,
    )?;
    period_numbers(ctx, &mut h, &by_period)?;
    model_counts(ctx, &mut h)?;
    let mp = model_periods(
        ctx,
        col(m::RELATION).neq(lit(rel::ORIGINAL)),
        Window::AllDownloads,
    )?;
    add_trend(
        &mut h,
        &period_cells(ctx, &mp)?,
        "derivative_share",
        None,
        "the download share of derivative models",
    );

    let trees = family_trees(&ctx.data.models, model_downloads(ctx.downloads()))?;
    family_numbers(&mut h, &trees);
    let families_path = ctx.out.join(FAMILIES_FILE);
    write_atomic(&families_path, csv_text(&trees.table()?)?.as_bytes())?;

    let chart = stacked(&downloads, &rel::ALL)?;
    let fig = ctx.figure(
        "Download share by relation to a parent model",
        "Quarter",
        "Share of downloads",
    );
    let mut paths = emit(ctx, STEM, &table, &h, &fig, &Chart::StackedShares(chart))?;
    paths.push(families_path);
    Ok(paths)
}

/// Models created per quarter (of `created_at`) and relation, with their
/// share of the quarter's new models (every model, downloaded or not).
fn created_by_quarter(ctx: &Context) -> anyhow::Result<DataFrame> {
    let quarter_total = col("created_models")
        .sum()
        .cast(DataType::Float64)
        .over([col("quarter")])?;
    Ok(ctx
        .models()
        .select([
            bucket_expr(m::CREATED_AT, &TimeBucket::Quarter)?.alias("quarter"),
            col(m::RELATION).alias("relation"),
        ])
        .group_by([col("quarter"), col("relation")])
        .agg([len().cast(DataType::UInt32).alias("created_models")])
        .with_column(
            (col("created_models").cast(DataType::Float64) / quarter_total)
                .alias("created_model_share"),
        )
        .collect()?)
}

/// One row per (quarter, relation): downloads and download share, downloaded
/// models and their share (by download quarter), created models and their
/// share (by creation quarter); null where the quarter has no such data.
fn quarter_table(downloads: &DataFrame, created: DataFrame) -> anyhow::Result<DataFrame> {
    let downloads = downloads.clone().lazy().select([
        col(sc::BUCKET).alias("quarter"),
        col(sc::CATEGORY).alias("relation"),
        col(sc::DOWNLOADS),
        col(sc::DOWNLOAD_SHARE),
        col(sc::DOWNLOADED_MODELS),
        col(sc::MODEL_COUNT_SHARE).alias("downloaded_model_share"),
    ]);
    let full = JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns);
    Ok(downloads
        .join(
            created.lazy(),
            [col("quarter"), col("relation")],
            [col("quarter"), col("relation")],
            full,
        )
        .sort(["quarter", "relation"], SortMultipleOptions::default())
        .collect()?)
}

/// `{relation}_download_share_{period}` and `derivative_download_share_{period}`
/// (a relation absent from a period with downloads has share 0; a period
/// without downloads is not measurable).
fn period_numbers(ctx: &Context, h: &mut Headline, by_period: &DataFrame) -> anyhow::Result<()> {
    for p in ctx.coverage.headline_periods() {
        let (p, label) = (p.as_str(), period_key(&p).to_string());
        let absent = if any_bucket(by_period, p)? {
            0.0
        } else {
            f64::NAN
        };
        for r in rel::ALL {
            let v = share_of(by_period, r)?.get(p).copied().unwrap_or(absent);
            h.insert_in(
                p,
                &format!("{r}_download_share_{label}"),
                Number::new(
                    v,
                    "share",
                    &format!("share of downloads in {p} from {r} models"),
                ),
            );
        }
        let original = share_of(by_period, rel::ORIGINAL)?
            .get(p)
            .copied()
            .unwrap_or(absent);
        h.insert_in(
            p,
            &format!("derivative_download_share_{label}"),
            Number::new(1.0 - original, "share", &format!("share of downloads in {p} from derivatives (finetune, adapter, quantized, merge)")),
        );
    }
    Ok(())
}

/// True when the share table has rows for `period`.
fn any_bucket(df: &DataFrame, period: &str) -> anyhow::Result<bool> {
    let b = df.column(sc::BUCKET)?.cast(&DataType::String)?;
    Ok(b.str()?.iter().any(|x| x == Some(period)))
}

/// `models_{relation}`: every model of the data by relation.
fn model_counts(ctx: &Context, h: &mut Headline) -> anyhow::Result<()> {
    let rel_col = ctx.data.models.column(m::RELATION)?.str()?.clone();
    for r in rel::ALL {
        let n = rel_col.iter().filter(|x| *x == Some(r)).count();
        h.insert(
            &format!("models_{r}"),
            Number::new(
                n as f64,
                "count",
                &format!("models whose relation to a parent is {r}"),
            ),
        );
    }
    Ok(())
}

/// Per big family: derivatives (count, by relation, downloads, share of the
/// family's downloads), roots and the deepest lineage depth.
fn family_numbers(h: &mut Headline, trees: &crate::lineage_tables::FamilyTrees) {
    for (f, family) in BIG_FAMILIES.iter().enumerate() {
        let (k, name) = (family.key, family.name);
        let all = trees.total(f, |_| true);
        let der = trees.derivatives(f);
        h.insert(
            &format!("{k}_derivatives"),
            Number::new(
                der.models as f64,
                "count",
                &format!("models derived from a {name} root (any relation but original)"),
            ),
        );
        for r in rel::DERIVED {
            let t = trees.total(f, |x| x == r);
            h.insert(
                &format!("{k}_derivatives_{r}"),
                Number::new(
                    t.models as f64,
                    "count",
                    &format!("{r} models in the {name} family"),
                ),
            );
        }
        h.insert(
            &format!("{k}_derivative_downloads"),
            Number::new(
                der.downloads,
                "downloads",
                &format!("downloads of {name} derivatives"),
            ),
        );
        let share = if all.downloads > 0.0 {
            der.downloads / all.downloads
        } else {
            f64::NAN
        };
        h.insert(
            &format!("{k}_derivative_download_share"),
            Number::new(
                share,
                "share",
                &format!("share of the {name} family's downloads that go to derivatives"),
            ),
        );
        h.insert(
            &format!("{k}_roots"),
            Number::new(
                trees.roots[f].len() as f64,
                "count",
                &format!("distinct family roots of the {name} family"),
            ),
        );
        let depth = trees.max_depth(f).map_or(f64::NAN, f64::from);
        h.insert(
            &format!("{k}_max_depth"),
            Number::new(
                depth,
                "count",
                &format!("deepest lineage depth in the {name} family"),
            ),
        );
    }
}
