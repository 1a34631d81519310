//! Computations more than one analysis needs: shares over time in either
//! lens and window, property shares by study period with their growth, and
//! turning share tables into charts.

use std::collections::BTreeMap;

use anyhow::Context as _;
use chrono::NaiveDate;
use hubecon_ingest::columns::{dates, texts};
use hubecon_plot::StackedShares;
use hubecon_stats::{
    Attribution, Category, ShareSpec, TimeBucket, Window, download_share, share_columns as sc,
};
use polars::prelude::*;

use crate::context::Context;
use crate::numbering::MODEL_NUMBER;

/// Download shares of `category` per `bucket` in one lens and window.
pub fn shares(
    ctx: &Context,
    category: Category,
    bucket: TimeBucket,
    lens: Attribution,
    window: Window,
) -> anyhow::Result<DataFrame> {
    let developers = matches!(category, Category::Developer(_)).then(|| ctx.developers());
    let mut spec = ShareSpec::new(category, bucket);
    spec.attribution = lens;
    spec.window = window;
    numbered_share(ctx, ctx.numbered_models()?, developers, spec)
}

/// [`download_share`] of the dataset's downloads, joined with `models` (the
/// numbered models table, [`Context::numbered_models`], possibly with more
/// columns) on the models' numbers instead of their text ids: the same
/// result, without hashing every id of every downloaded week again.
pub fn numbered_share(
    ctx: &Context,
    models: LazyFrame,
    developers: Option<LazyFrame>,
    mut spec: ShareSpec,
) -> anyhow::Result<DataFrame> {
    spec.columns.model_id = MODEL_NUMBER.into();
    download_share(ctx.numbered_downloads()?, models, developers, &spec)
        .context("computing download shares")
}

/// Both lenses stacked in one table (the `attribution` column tells them apart).
pub fn shares_both_lenses(
    ctx: &Context,
    category: Category,
    bucket: TimeBucket,
    window: Window,
) -> anyhow::Result<DataFrame> {
    let direct = shares(
        ctx,
        category.clone(),
        bucket.clone(),
        Attribution::Direct,
        window,
    )?;
    let derived = shares(ctx, category, bucket, Attribution::Derived, window)?;
    Ok(direct.vstack(&derived)?)
}

/// Rows of one lens.
pub fn lens(df: &DataFrame, lens: &str) -> anyhow::Result<DataFrame> {
    Ok(df
        .clone()
        .lazy()
        .filter(col(sc::ATTRIBUTION).eq(lit(lens)))
        .collect()?)
}

/// A stacked-shares chart from a dated share table (bucket = Date), one
/// layer per category in the order given (categories absent in a bucket
/// count as 0).
pub fn stacked(df: &DataFrame, order: &[&str]) -> anyhow::Result<StackedShares> {
    let buckets = dates(df, sc::BUCKET)?;
    let cats = texts(df, sc::CATEGORY)?;
    let share = df.column(sc::DOWNLOAD_SHARE)?.f64()?.clone();
    let mut days: Vec<i32> = buckets.iter().flatten().copied().collect();
    days.sort_unstable();
    days.dedup();
    let index: BTreeMap<i32, usize> = days.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut layers: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for ((b, c), s) in buckets.iter().zip(&cats).zip(share.iter()) {
        let (Some(b), Some(c)) = (b, c) else { continue };
        layers
            .entry(c.clone())
            .or_insert_with(|| vec![0.0; days.len()])[index[b]] = s.unwrap_or(0.0);
    }
    let x: Vec<NaiveDate> = days
        .iter()
        .map(|d| hubecon_ingest::week::from_epoch_days(*d))
        .collect();
    let mut chart = StackedShares::dated(&x);
    let mut names: Vec<&str> = order
        .iter()
        .copied()
        .filter(|c| layers.contains_key(*c))
        .collect();
    names.extend(
        layers
            .keys()
            .map(String::as_str)
            .filter(|c| !order.contains(c)),
    );
    for name in names {
        chart = chart.with_layer(name, &layers[name]);
    }
    Ok(chart)
}

/// The share of one category in each bucket of a share table, keyed by the
/// bucket label (`<=2022`, ...) or date text.
pub fn share_of(df: &DataFrame, category: &str) -> anyhow::Result<BTreeMap<String, f64>> {
    let buckets = df.column(sc::BUCKET)?.cast(&DataType::String)?;
    let buckets = buckets.str()?;
    let cats = texts(df, sc::CATEGORY)?;
    let share = df.column(sc::DOWNLOAD_SHARE)?.f64()?;
    let mut out = BTreeMap::new();
    for ((b, c), s) in buckets.iter().zip(cats).zip(share.iter()) {
        if let (Some(b), Some(c), Some(s)) = (b, c, s)
            && c == category
        {
            out.insert(b.to_string(), s);
        }
    }
    Ok(out)
}

/// The study periods in time order.
pub const PERIODS: [&str; 4] = hubecon_stats::STUDY_PERIODS;

/// The two attribution lenses, with the names used in keys and CSVs.
pub const LENSES: [(&str, Attribution); 2] = [
    ("direct", Attribution::Direct),
    ("derived", Attribution::Derived),
];

/// A study period as written in headline keys (`<=2022` is `2022`).
pub fn period_key(period: &str) -> &str {
    if period == "<=2022" { "2022" } else { period }
}

/// Column names of [`model_periods`].
pub mod mp {
    pub const MODEL_ID: &str = "model_id";
    pub const AUTHOR: &str = "author";
    pub const PERIOD: &str = "period";
    pub const DOWNLOADS: &str = "downloads";
    pub const VALUE: &str = "value";
}

/// One row per model and study period with downloads: the model's
/// downloads in the period and `value` (an expression over the models
/// table, e.g. `col("params")` or `col("is_moe")`), null where unknown.
pub fn model_periods(ctx: &Context, value: Expr, window: Window) -> anyhow::Result<DataFrame> {
    let models = ctx.numbered_models()?.select([
        col(MODEL_NUMBER),
        col("model_id"),
        col("author"),
        col("created_at"),
        value.alias(mp::VALUE),
    ]);
    periods_of(ctx, models, window)
}

/// [`model_periods`] of an attribute of the uploading developer (direct
/// lens): `value` is an expression over the developers table; a model
/// whose uploader has no row there gets `missing`.
pub fn developer_periods(
    ctx: &Context,
    value: Expr,
    missing: bool,
    window: Window,
) -> anyhow::Result<DataFrame> {
    let developers = ctx.developers().select([
        col(hubecon_ingest::schema::developers::AUTHOR).alias(mp::AUTHOR),
        value.alias(mp::VALUE),
    ]);
    let models = ctx
        .numbered_models()?
        .select([
            col(MODEL_NUMBER),
            col("model_id"),
            col("author"),
            col("created_at"),
        ])
        .join(
            developers,
            [col(mp::AUTHOR)],
            [col(mp::AUTHOR)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col(mp::VALUE).fill_null(lit(missing)));
    periods_of(ctx, models, window)
}

/// The model_periods rows of `models` (number, id, author, created_at, value).
fn periods_of(ctx: &Context, models: LazyFrame, window: Window) -> anyhow::Result<DataFrame> {
    let lf = ctx.downloads_of(models)?;
    let lf = in_window(lf, window);
    let lf = hubecon_stats::add_bucket(lf, "week", &TimeBucket::StudyPeriod, mp::PERIOD)?;
    // Numbers sort like the ids (crate::numbering).
    Ok(lf
        .group_by([col(MODEL_NUMBER), col(mp::PERIOD)])
        .agg([
            col(mp::MODEL_ID).first(),
            col(mp::AUTHOR).first(),
            col("downloads")
                .sum()
                .cast(DataType::Float64)
                .alias(mp::DOWNLOADS),
            col(mp::VALUE).first(),
        ])
        .sort([mp::PERIOD, MODEL_NUMBER], SortMultipleOptions::default())
        .select([
            col(mp::MODEL_ID),
            col(mp::PERIOD),
            col(mp::AUTHOR),
            col(mp::DOWNLOADS),
            col(mp::VALUE),
        ])
        .collect()?)
}

/// The rows of `lf` (downloads joined with the models' `created_at`) inside
/// `window`: every week, or the weeks starting within a year of creation.
pub fn in_window(lf: LazyFrame, window: Window) -> LazyFrame {
    if window != Window::FirstYear {
        return lf;
    }
    let week = col("week").cast(DataType::Int32);
    let created = col("created_at").cast(DataType::Int32);
    lf.filter(week.lt(created + lit(hubecon_stats::shares::FIRST_YEAR_DAYS)))
}

/// `(value, downloads)` of the models of one period with a known value.
pub fn period_values(df: &DataFrame, period: &str) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let part = df
        .clone()
        .lazy()
        .filter(
            col(mp::PERIOD)
                .eq(lit(period))
                .and(col(mp::VALUE).is_not_null()),
        )
        .select([col(mp::VALUE).cast(DataType::Float64), col(mp::DOWNLOADS)])
        .collect()?;
    let v = part.column(mp::VALUE)?.f64()?.iter().flatten().collect();
    let w = part
        .column(mp::DOWNLOADS)?
        .f64()?
        .iter()
        .flatten()
        .collect();
    Ok((v, w))
}

/// A download-weighted proportion of a boolean value in one period.
pub fn period_proportion(
    df: &DataFrame,
    period: &str,
) -> anyhow::Result<hubecon_stats::Proportion> {
    let (v, w) = period_values(df, period)?;
    let flags: Vec<bool> = v.iter().map(|x| *x != 0.0).collect();
    Ok(hubecon_stats::Proportion::weighted(&flags, &w)?)
}

/// A result this data may not be able to give: `Err` holds why, in words
/// (the number is then written null with that note).
pub type Measured<T> = Result<T, String>;

/// Growth of the download-weighted mean (or share) of `value` (a
/// [`model_periods`] table) from the contrast's earlier period to its later
/// ([`crate::coverage::Coverage::contrast`]), with a bootstrap interval
/// resampling developers (downloads cluster by developer). Not measurable
/// when the span has no contrast, or a period has no downloads with a known
/// value, or the earlier period's mean is zero.
pub fn growth(
    ctx: &Context,
    df: &DataFrame,
    replicates: usize,
) -> anyhow::Result<Measured<hubecon_stats::GrowthEstimate>> {
    let Some((earlier, later)) = ctx.coverage.contrast() else {
        return Ok(Err(ctx
            .coverage
            .not_measurable("a growth ratio compares two study periods")));
    };
    for period in [earlier, later] {
        let (v, w) = period_values(df, period)?;
        if w.iter().sum::<f64>() <= 0.0 {
            return Ok(Err(format!(
                "not measurable: {period} has no downloads of models with a known value"
            )));
        }
        if period == earlier && v.iter().zip(&w).all(|(v, w)| *v == 0.0 || *w == 0.0) {
            return Ok(Err(format!(
                "not estimable: the base period {earlier} has a mean of zero"
            )));
        }
    }
    let mut spec =
        hubecon_stats::GrowthSpec::new(mp::VALUE, mp::DOWNLOADS, mp::MODEL_ID, mp::PERIOD);
    spec.first = earlier.into();
    spec.last = later.into();
    spec.cluster_col = Some(mp::AUTHOR.into());
    spec.resample = hubecon_stats::Resample::Developers;
    spec.replicates = replicates;
    let lf = df
        .clone()
        .lazy()
        .with_column(col(mp::VALUE).cast(DataType::Float64));
    Ok(Ok(hubecon_stats::growth_ratio(lf, &spec)?))
}

/// The headline number of a growth ratio, `description` naming what grew
/// (the periods are added), or null with the reason it is not measurable.
pub fn growth_number(
    g: &Measured<hubecon_stats::GrowthEstimate>,
    description: &str,
    claim: &str,
) -> crate::output::Number {
    use crate::output::Number;
    match g {
        Ok(g) => {
            let n = Number::new(
                g.estimate,
                "ratio",
                &format!("{description}, {} over {}", g.last, g.first),
            )
            .interval(g.ci_low, g.ci_high)
            .claim(claim);
            // A base near zero in some replicates makes the ratio's
            // interval meaningless; the difference stays stable.
            if g.undefined_replicates > 0 || g.ci_high > 100.0 * g.ci_low.max(f64::MIN_POSITIVE) {
                n.note(&format!(
                    "the ratio's interval is unstable (a base near zero in some of the {} replicates, {} undefined): read the difference",
                    g.replicates, g.undefined_replicates
                ))
            } else {
                n
            }
        }
        Err(why) => Number::not_measurable("ratio", description, why).claim(claim),
    }
}
/// Bootstrap replicates used by the growth intervals.
pub const REPLICATES: usize = 1000;

/// The Wilson score interval (95%) of a proportion `p` from `n` (effective) units.
pub fn wilson(p: f64, n: f64) -> (f64, f64) {
    if !(p.is_finite() && n.is_finite() && n > 0.0) {
        return (f64::NAN, f64::NAN);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}
