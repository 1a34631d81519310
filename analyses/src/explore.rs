//! The series the dashboard explores, written next to the figures by the
//! analyses that own them: the same shares and concentration as the figures,
//! but by month, in both attribution lenses and both windows, and the
//! monthly downloads of the top developers and family roots (the search).
//!
//! Downloads are additive, so coarser buckets (quarter, year) are exact sums
//! of the monthly rows; concentration is not, so it is written per month,
//! quarter and year. Every table is aggregated (at most [`TOP_SERIES`] keys
//! per lens and window), so its size does not grow with the number of models.

use std::path::PathBuf;

use hubecon_stats::{
    Attribution, Category, TimeBucket, Window, add_bucket, concentration_by,
    concentration_columns as cc, share_columns as sc,
};
use polars::prelude::*;

use crate::common::{in_window, numbered_share, shares};
use crate::context::Context;
use crate::numbering::{MODEL_NUMBER, with_text_codes};
use crate::output::{csv_text, write_atomic};
use crate::resample::options;

/// How many developers (per lens and window) and family roots (per window)
/// the search offers.
pub const TOP_SERIES: usize = 200;

/// Every lens and window the dashboard offers.
pub const LENS_WINDOWS: [(Attribution, Window); 4] = [
    (Attribution::Direct, Window::AllDownloads),
    (Attribution::Direct, Window::FirstYear),
    (Attribution::Derived, Window::AllDownloads),
    (Attribution::Derived, Window::FirstYear),
];

/// The windows, with the names used in the CSVs.
pub const WINDOWS: [(&str, Window); 2] = [
    ("all_downloads", Window::AllDownloads),
    ("first_year", Window::FirstYear),
];

/// The calendar buckets concentration is written for.
pub const BUCKETS: [(&str, TimeBucket); 3] = [
    ("month", TimeBucket::Month),
    ("quarter", TimeBucket::Quarter),
    ("year", TimeBucket::Year),
];

/// The file an analysis writes a series to: `{stem}_{what}.csv`.
pub fn file_name(stem: &str, what: &str) -> String {
    format!("{stem}_{what}.csv")
}

/// Writes `table` as `figures/{stem}_{what}.csv` (atomically); returns the path.
pub fn write(ctx: &Context, stem: &str, what: &str, table: &DataFrame) -> anyhow::Result<PathBuf> {
    let path = ctx.out.join(file_name(stem, what));
    write_atomic(&path, csv_text(table)?.as_bytes())?;
    Ok(path)
}

/// Monthly downloads per category in every lens and window, from a share
/// table per lens and window (`compute`): `bucket`, `category`,
/// `downloads`, `attribution`, `window`.
pub fn monthly_downloads(
    compute: impl Fn(Attribution, Window) -> anyhow::Result<DataFrame>,
) -> anyhow::Result<DataFrame> {
    let mut out: Option<DataFrame> = None;
    for (lens, window) in LENS_WINDOWS {
        let part = compute(lens, window)?.select([
            sc::BUCKET,
            sc::CATEGORY,
            sc::DOWNLOADS,
            sc::ATTRIBUTION,
            sc::WINDOW,
        ])?;
        match &mut out {
            None => out = Some(part),
            Some(all) => {
                all.vstack_mut(&part)?;
            }
        }
    }
    out.ok_or_else(|| anyhow::anyhow!("no lens and window to compute"))
}

/// Monthly downloads of a category in every lens and window (see
/// [`monthly_downloads`]).
pub fn monthly_category_downloads(ctx: &Context, category: &Category) -> anyhow::Result<DataFrame> {
    monthly_downloads(|lens, window| shares(ctx, category.clone(), TimeBucket::Month, lens, window))
}

/// The rows of the `n` categories with the most downloads within each lens
/// and window (ties by name), the category column renamed to `key`.
pub fn top_categories(df: &DataFrame, n: usize, key: &str) -> anyhow::Result<DataFrame> {
    let within = [col(sc::ATTRIBUTION), col(sc::WINDOW)];
    let top = df
        .clone()
        .lazy()
        .group_by([col(sc::ATTRIBUTION), col(sc::WINDOW), col(sc::CATEGORY)])
        .agg([col(sc::DOWNLOADS).sum().alias("__total")])
        .sort_by_exprs(
            [
                col(sc::ATTRIBUTION),
                col(sc::WINDOW),
                col("__total"),
                col(sc::CATEGORY),
            ],
            SortMultipleOptions::default().with_order_descending_multi([false, false, true, false]),
        )
        .with_column(
            col(sc::CATEGORY)
                .cum_count(false)
                .over(within)?
                .alias("__rank"),
        )
        .filter(col("__rank").lt_eq(lit(n as u32)))
        .select([col(sc::ATTRIBUTION), col(sc::WINDOW), col(sc::CATEGORY)]);
    let on = [col(sc::ATTRIBUTION), col(sc::WINDOW), col(sc::CATEGORY)];
    Ok(df
        .clone()
        .lazy()
        .join(top, on.clone(), on, JoinArgs::new(JoinType::Semi))
        .sort(
            [sc::ATTRIBUTION, sc::WINDOW, sc::CATEGORY, sc::BUCKET],
            SortMultipleOptions::default(),
        )
        .rename([sc::CATEGORY], [key], true)
        .collect()?)
}

/// The sets of keys concentration is measured across, as the dashboard
/// names them: the uploader (direct lens), the developer of the family root
/// (derived lens), and the family root itself.
fn keys() -> [(&'static str, Expr); 3] {
    [
        ("developers", col("author")),
        (
            "root_developers",
            coalesce(&[col("derived_author"), col("author")]),
        ),
        (
            "family_roots",
            col("family_root").fill_null(col("model_id")),
        ),
    ]
}

/// HHI, Gini, CR4 and CR10 of downloads by month, quarter and year, across
/// developers, root developers and family roots, in both windows:
/// `bucket_kind`, `bucket`, `across`, `window`, `n_keys`, `hhi`, `gini`,
/// `cr4`, `cr10`. The indices are those of figure 05 (population Gini).
pub fn concentration_by_bucket(ctx: &Context) -> anyhow::Result<DataFrame> {
    let mut model_cols = vec![col(MODEL_NUMBER), col("created_at")];
    model_cols.extend(keys().into_iter().map(|(name, e)| e.alias(name)));
    // The indices depend on which rows share a key, not on its text.
    let key_names = keys().map(|(name, _)| name);
    let models = with_text_codes(
        ctx.numbered_models()?.select(model_cols).collect()?,
        &key_names,
    )?;
    let joined = ctx.downloads_of(models.lazy())?;
    let mut parts = Vec::new();
    for (window_name, window) in WINDOWS {
        let rows = in_window(joined.clone(), window)
            .select([
                col("week"),
                col("downloads").cast(DataType::Float64),
                col("developers"),
                col("root_developers"),
                col("family_roots"),
            ])
            .collect()?;
        for (kind, bucket) in BUCKETS {
            // Bucketed once for the three lenses.
            let lf = add_bucket(rows.clone().lazy(), "week", &bucket, "bucket")?
                .collect()?
                .lazy();
            for (across, _) in keys() {
                let point =
                    concentration_by(lf.clone(), &["bucket"], across, "downloads", &options())?;
                parts.push(
                    point
                        .lazy()
                        .select([
                            lit(kind).alias("bucket_kind"),
                            col("bucket"),
                            lit(across).alias("across"),
                            lit(window_name).alias("window"),
                            col(cc::N_KEYS).cast(DataType::UInt32),
                            col(cc::HHI),
                            col(cc::GINI),
                            col(cc::top_k(4)).alias("cr4"),
                            col(cc::top_k(10)).alias("cr10"),
                        ])
                        .collect()?,
                );
            }
        }
    }
    let mut out = parts.remove(0);
    for p in &parts {
        out.vstack_mut(p)?;
    }
    Ok(out)
}

/// Monthly downloads of the [`TOP_SERIES`] family roots with the most
/// downloads in each window (a root credits every model of its lineage, so
/// the lens does not apply): `bucket`, `family_root`, `downloads`, `window`.
pub fn family_series(ctx: &Context) -> anyhow::Result<DataFrame> {
    let models = ctx
        .numbered_models()?
        .with_column(col("family_root").fill_null(col("model_id")));
    let table = monthly_downloads(|lens, window| {
        if lens != Attribution::Direct {
            // The lens does not change a family root: one copy per window.
            return Ok(DataFrame::empty_with_schema(&family_schema()));
        }
        let mut spec =
            hubecon_stats::ShareSpec::new(Category::Model("family_root".into()), TimeBucket::Month);
        spec.window = window;
        numbered_share(ctx, models.clone(), None, spec)
    })?;
    let top = top_categories(&table, TOP_SERIES, "family_root")?;
    Ok(top.drop(sc::ATTRIBUTION)?)
}

/// The columns of a share table that [`monthly_downloads`] keeps.
fn family_schema() -> Schema {
    Schema::from_iter([
        Field::new(sc::BUCKET.into(), DataType::Date),
        Field::new(sc::CATEGORY.into(), DataType::String),
        Field::new(sc::DOWNLOADS.into(), DataType::Float64),
        Field::new(sc::ATTRIBUTION.into(), DataType::String),
        Field::new(sc::WINDOW.into(), DataType::String),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> DataFrame {
        df!(
            sc::BUCKET => ["2024-01-01", "2024-02-01", "2024-01-01", "2024-01-01", "2024-01-01"],
            sc::CATEGORY => ["a", "a", "b", "c", "a"],
            sc::DOWNLOADS => [1.0, 5.0, 5.0, 7.0, 9.0],
            sc::ATTRIBUTION => ["direct", "direct", "direct", "direct", "derived"],
            sc::WINDOW => ["all_downloads"; 5],
        )
        .unwrap()
    }

    #[test]
    fn the_top_keys_are_chosen_within_each_lens_by_total_downloads() {
        let top = top_categories(&table(), 2, "developer").unwrap();
        let text = |c: &str| hubecon_ingest::columns::texts(&top, c).unwrap();
        let (devs, lens) = (text("developer"), text(sc::ATTRIBUTION));
        // direct: a (6) and c (7) beat b (5); derived: only a.
        let some = |v: &[&str]| v.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>();
        assert_eq!(devs, some(&["a", "a", "a", "c"]));
        assert_eq!(lens, some(&["derived", "direct", "direct", "direct"]));
    }
}
