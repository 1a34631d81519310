//! 06 Recent-year country shares (C4): the download share of each developer
//! country group among the new models of the last year whose first year the
//! data holds whole (the models created in the 52 weeks that end 365 days
//! before the data does, and not before its first week: [`Cohort`]),
//! counting only downloads in a model's first 365 days (the one-year window,
//! which then binds for every model of the cohort), in the direct lens
//! (credited to the uploader) and the derived lens (credited to the developer
//! of the model's family root), against the published values
//! (International/Online 23.8%, China 17.1%, USA 15.8%). As a sensitivity,
//! the first-year downloads of every model in those 52 weeks, whenever it
//! was created (`window_share_*`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{Duration, NaiveDate};
use hubecon_ingest::schema::{country_group as g, developers};
use hubecon_ingest::week::{from_epoch_days, to_epoch_days};
use hubecon_plot::{Chart, GroupedBars, ValueAxis};
use hubecon_stats::{
    Attribution, Category, NamedPeriod, ShareSpec, TimeBucket, Window, download_share,
    share_columns as sc,
};
use polars::prelude::*;

use crate::common::{LENSES, share_of};
use crate::context::Context;
use crate::emit::emit;
use crate::output::Number;
use crate::recent_cohort::{
    Cohort, cohort_ids, cohort_models, insert_release_numbers, order_support, release_comparison,
};

pub const STEM: &str = "06_recent_country_shares";

/// Weeks in the recent year, the last week of the data included.
pub const RECENT_WEEKS: i64 = 52;

/// The label of the recent-year bucket.
pub const RECENT: &str = "recent_year";

/// The published recent-year shares (C4).
pub const PUBLISHED: [(&str, f64); 3] = [
    (g::INTERNATIONAL_ONLINE, 0.238),
    (g::CHINA, 0.171),
    (g::USA, 0.158),
];

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let (Some(first_week), Some(last_week)) = (ctx.coverage.first_week, ctx.coverage.last_week)
    else {
        return without_cohort(
            ctx,
            &ctx.coverage
                .not_measurable("the recent-year shares need a year of weekly downloads"),
        );
    };
    let Some(cohort) = Cohort::complete_first_years(first_week, last_week) else {
        let why = format!(
            "{}; the one-year window needs models whose first 365 days are all inside the data",
            ctx.coverage.span()
        );
        return without_cohort(ctx, &why);
    };
    let window = window_ending(last_week);
    let mut parts = Vec::new();
    for (_, lens) in LENSES {
        parts.push(recent_shares(ctx, &cohort.weeks(), Some(&cohort), lens)?);
    }
    let table = with_published(&parts[0].vstack(&parts[1])?, &cohort.weeks())?;

    let mut h = ctx.headline(STEM, "Recent-year country shares of new models");
    let (first, last) = (window.start, window.end - Duration::days(7));
    for ((lens_name, lens), part) in LENSES.iter().zip(&parts) {
        let shares = shares_by_group(part)?;
        let whole_window = shares_by_group(&recent_shares(ctx, &window, None, *lens)?)?;
        for group in g::ALL {
            let published = published(group);
            let what = format!(
                "{group} share of the first-year downloads of {}, {lens_name} lens{}",
                cohort.describe(),
                published.map_or(String::new(), |p| format!(
                    " (published: {:.1}%)",
                    p * 100.0
                ))
            );
            let mut n = Number::new(shares.get(group).copied().unwrap_or(0.0), "share", &what);
            if published.is_some() {
                n = n.claim("C4");
            }
            h.insert(&format!("recent_share_{}_{lens_name}", slug(group)), n);
            let what = format!(
                "{group} share of first-year downloads in the weeks {first} to {last}, whenever the model was created, {lens_name} lens"
            );
            h.insert(
                &format!("window_share_{}_{lens_name}", slug(group)),
                Number::new(
                    whole_window.get(group).copied().unwrap_or(0.0),
                    "share",
                    &what,
                ),
            );
        }
    }

    h.insert(
        "recent_cohort_models",
        Number::new(
            cohort_models(ctx, &cohort)? as f64,
            "count",
            &format!("models of the recent-year cohort: {}", cohort.describe()),
        ),
    );
    let comparison = release_comparison(ctx, &cohort)?;
    insert_release_numbers(&mut h, comparison.as_ref());
    let support = order_support(ctx, &cohort)?;
    h.insert(
        "recent_order_support",
        Number::new(
            support.support,
            "share",
            "share of developer-cluster bootstrap draws in which the direct lens's recent-year shares keep the order International/Online > China > USA",
        )
        .claim("C4")
        .tested(
            support.p_value,
            &format!(
                "developer-cluster bootstrap support of the order ({} developers, B = {}; p = (1 + draws without the order) / (1 + B), one-sided)",
                support.n_clusters, support.replicates
            ),
        ),
    );
    h.add_test(
        "recent_order",
        Some("C4"),
        "order International/Online > China > USA of the recent-year shares, direct lens",
        hubecon_stats::TestResult {
            test: format!(
                "developer-cluster bootstrap support of the order (B = {})",
                support.replicates
            ),
            statistic_name: "support".into(),
            statistic: support.support,
            df: None,
            p_value: support.p_value,
            effect_size_name: "support".into(),
            effect_size: support.support,
            n: support.n_clusters as f64,
        },
    );

    let chart = bars(&parts[0], &parts[1])?;
    let fig = ctx.figure(
        &format!(
            "Country shares of first-year downloads, models created {} to {}",
            cohort.created_from,
            cohort.created_to - Duration::days(1)
        ),
        "Developer country group (published share in brackets)",
        "Share of downloads",
    );
    emit(ctx, STEM, &table, &h, &fig, &Chart::GroupedBars(chart))
}

/// The same files when the data hold no cohort (a single-date listing, or
/// a span shorter than a year): every number null with the reason `why`,
/// the figure says so.
fn without_cohort(ctx: &Context, why: &str) -> anyhow::Result<Vec<PathBuf>> {
    let why = why.to_string();
    let mut h = ctx.headline(STEM, "Recent-year country shares of new models");
    h.insert(
        "recent_cohort_models",
        Number::not_measurable("count", "models of the recent-year cohort", &why),
    );
    insert_release_numbers(&mut h, None);
    for (lens_name, _) in LENSES {
        for group in g::ALL {
            let what = format!(
                "{group} share of first-year downloads of the last year's new models, {lens_name} lens"
            );
            let mut n = Number::not_measurable("share", &what, &why);
            if published(group).is_some() {
                n = n.claim("C4");
            }
            h.insert(&format!("recent_share_{}_{lens_name}", slug(group)), n);
        }
    }
    let table = df!(
        "country_group" => Vec::<String>::new(),
        "download_share" => Vec::<f64>::new(),
    )?;
    let chart = GroupedBars::new(Vec::<String>::new(), ValueAxis::share());
    let fig = ctx.figure(
        "Country shares of first-year downloads",
        "Developer country group",
        "Share of downloads",
    );
    emit(ctx, STEM, &table, &h, &fig, &Chart::GroupedBars(chart))
}

/// The 52 weeks up to the last week with downloads, as a named period
/// `[first Monday, Monday after the last week)`.
pub fn recent_window(ctx: &Context) -> anyhow::Result<NamedPeriod> {
    let last = ctx
        .downloads()
        .select([col("week").max().cast(DataType::Int32)])
        .collect()?;
    let last = last
        .column("week")?
        .i32()?
        .get(0)
        .ok_or_else(|| anyhow::anyhow!("the dataset has no downloads"))?;
    Ok(window_ending(from_epoch_days(last)))
}

/// The [`RECENT_WEEKS`] weeks whose last week starts on `last`.
pub fn window_ending(last: NaiveDate) -> NamedPeriod {
    NamedPeriod::new(
        RECENT,
        last - Duration::weeks(RECENT_WEEKS - 1),
        last + Duration::weeks(1),
    )
}

/// Country-group shares of the first-year downloads in the weeks of
/// `window`, one lens; with a `cohort`, only its models count.
fn recent_shares(
    ctx: &Context,
    window: &NamedPeriod,
    cohort: Option<&Cohort>,
    lens: Attribution,
) -> anyhow::Result<DataFrame> {
    let mut spec = ShareSpec::new(
        Category::Developer(developers::COUNTRY_GROUP.into()),
        TimeBucket::Named {
            periods: vec![window.clone()],
        },
    );
    spec.attribution = lens;
    spec.window = Window::FirstYear;
    let mut downloads = ctx.downloads();
    if let Some(cohort) = cohort {
        let ids = cohort_ids(ctx, cohort);
        downloads = downloads.join(
            ids,
            [col("model_id")],
            [col("model_id")],
            JoinArgs::new(JoinType::Semi),
        );
    }
    let df = download_share(downloads, ctx.models(), Some(ctx.developers()), &spec)?;
    Ok(df
        .lazy()
        .filter(col(sc::BUCKET).eq(lit(RECENT)))
        .collect()?)
}

/// The share table with the window's dates and the published share (null
/// where the paper gives none), in country-group order within each lens.
fn with_published(df: &DataFrame, window: &NamedPeriod) -> anyhow::Result<DataFrame> {
    let groups: Vec<&str> = PUBLISHED.iter().map(|p| p.0).collect();
    let values: Vec<f64> = PUBLISHED.iter().map(|p| p.1).collect();
    let published = df!("category" => groups, "published_share" => values)?;
    let order: Vec<&str> = g::ALL.to_vec();
    let rank =
        df!("category" => order.clone(), "__order" => (0..order.len() as u32).collect::<Vec<_>>())?;
    let day = |d: NaiveDate| lit(to_epoch_days(d)).cast(DataType::Date);
    Ok(df
        .clone()
        .lazy()
        .join(
            published.lazy(),
            [col(sc::CATEGORY)],
            [col("category")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            rank.lazy(),
            [col(sc::CATEGORY)],
            [col("category")],
            JoinArgs::new(JoinType::Left),
        )
        // direct before derived, then country groups in their usual order
        .sort(
            [sc::ATTRIBUTION, "__order", sc::CATEGORY],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false, false])
                .with_nulls_last(true),
        )
        .select([
            col(sc::CATEGORY).alias("country_group"),
            col(sc::ATTRIBUTION),
            col(sc::WINDOW),
            day(window.start).alias("first_week"),
            day(window.end - Duration::days(7)).alias("last_week"),
            col(sc::DOWNLOADS),
            col(sc::DOWNLOAD_SHARE),
            col(sc::DOWNLOADED_MODELS),
            col(sc::MODEL_COUNT_SHARE),
            col("published_share"),
        ])
        .collect()?)
}

/// Bars of both lenses for every country group; the published share is
/// written under the group's name.
fn bars(direct: &DataFrame, derived: &DataFrame) -> anyhow::Result<GroupedBars> {
    let (direct, derived) = (shares_by_group(direct)?, shares_by_group(derived)?);
    // Spaces around the slash let the long label wrap.
    let labels: Vec<String> = g::ALL
        .iter()
        .map(|group| {
            let name = group.replace('/', " / ");
            match published(group) {
                Some(p) => format!("{name} ({:.1}%)", p * 100.0),
                None => name,
            }
        })
        .collect();
    let values = |m: &BTreeMap<String, f64>| {
        g::ALL
            .iter()
            .map(|c| m.get(*c).copied().unwrap_or(0.0))
            .collect::<Vec<_>>()
    };
    Ok(GroupedBars::new(labels, ValueAxis::share())
        .with_group("Direct lens", &values(&direct))
        .with_group("Derived lens", &values(&derived)))
}

fn shares_by_group(df: &DataFrame) -> anyhow::Result<BTreeMap<String, f64>> {
    let mut out = BTreeMap::new();
    for group in g::ALL {
        if let Some(s) = share_of(df, group)?.get(RECENT) {
            out.insert(group.to_string(), *s);
        }
    }
    Ok(out)
}

/// The published share of a country group, if the paper gives one.
pub fn published(group: &str) -> Option<f64> {
    PUBLISHED.iter().find(|p| p.0 == group).map(|p| p.1)
}

/// A country group as a key fragment: `International/Online` is `international_online`.
pub fn slug(group: &str) -> String {
    group
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_frames::{date, date_column, us_and_china_labs};

    #[test]
    fn the_window_is_52_weeks_ending_after_the_last_week() {
        let last = NaiveDate::from_ymd_opt(2025, 8, 25).unwrap();
        let w = window_ending(last);
        assert_eq!(w.start, NaiveDate::from_ymd_opt(2024, 9, 2).unwrap());
        assert_eq!(w.end, NaiveDate::from_ymd_opt(2025, 9, 1).unwrap());
        assert_eq!((w.end - w.start).num_days(), 52 * 7);
    }

    /// Three models: one too old to be in its first year during the window
    /// (USA), one whose first year ends inside the window (USA), one created
    /// inside it (China); the last week of data is 2025-08-25.
    fn tiny() -> Context {
        let models = DataFrame::new_infer_height(vec![
            Column::new("model_id".into(), ["us/old", "us/mid", "cn/new"]),
            Column::new("author".into(), ["us", "us", "cn"]),
            Column::new("derived_author".into(), ["us", "us", "cn"]),
            date_column("created_at", &["2023-01-02", "2024-03-04", "2024-10-07"]),
        ])
        .unwrap();
        let downloads = DataFrame::new_infer_height(vec![
            Column::new(
                "model_id".into(),
                ["us/old", "us/mid", "us/mid", "us/mid", "cn/new"],
            ),
            date_column(
                "week",
                &[
                    "2025-01-06",
                    "2024-08-26",
                    "2024-12-02",
                    "2025-06-02",
                    "2025-08-25",
                ],
            ),
            // Before the window: 1000; after its first year: 500 and 100.
            Column::new("downloads".into(), [500u64, 1000, 10, 100, 30]),
        ])
        .unwrap();
        let developers = us_and_china_labs();
        Context::from_frames(models, downloads, developers, &PathBuf::new())
    }

    #[test]
    fn the_sensitivity_counts_first_year_downloads_in_the_last_52_weeks() {
        let ctx = tiny();
        let window = recent_window(&ctx).unwrap();
        assert_eq!(
            window,
            window_ending(NaiveDate::from_ymd_opt(2025, 8, 25).unwrap())
        );
        let all =
            shares_by_group(&recent_shares(&ctx, &window, None, Attribution::Direct).unwrap())
                .unwrap();
        assert!((all[g::USA] - 0.25).abs() < 1e-12, "{all:?}");
        assert!((all[g::CHINA] - 0.75).abs() < 1e-12, "{all:?}");
    }

    #[test]
    fn the_one_year_window_binds_on_the_cohort() {
        // us/in's 1000 downloads after its first year and the models too
        // old (us/old) or too young (cn/young) for the cohort do not count.
        let ids = ["us/old", "us/in", "cn/in", "cn/young"];
        let models = DataFrame::new_infer_height(vec![
            Column::new("model_id".into(), ids),
            Column::new("author".into(), ["us", "us", "cn", "cn"]),
            Column::new("derived_author".into(), ["us", "us", "cn", "cn"]),
            date_column(
                "created_at",
                &["2022-06-06", "2024-01-01", "2024-05-06", "2025-01-06"],
            ),
        ])
        .unwrap();
        let downloads = DataFrame::new_infer_height(vec![
            Column::new(
                "model_id".into(),
                [
                    "us/old", "us/old", "us/in", "us/in", "cn/in", "cn/young", "cn/young",
                ],
            ),
            date_column(
                "week",
                &[
                    "2023-01-02",
                    "2024-06-03",
                    "2024-06-03",
                    "2025-03-03",
                    "2024-07-01",
                    "2025-02-03",
                    "2025-08-25",
                ],
            ),
            Column::new("downloads".into(), [5u64, 700, 100, 1000, 300, 5000, 1]),
        ])
        .unwrap();
        let developers = us_and_china_labs();
        let ctx = Context::from_frames(models, downloads, developers, &PathBuf::new());
        let cohort = Cohort::complete_first_years(date("2023-01-02"), date("2025-08-25")).unwrap();
        let shares = shares_by_group(
            &recent_shares(&ctx, &cohort.weeks(), Some(&cohort), Attribution::Direct).unwrap(),
        )
        .unwrap();
        assert!((shares[g::USA] - 0.25).abs() < 1e-12, "{shares:?}");
        assert!((shares[g::CHINA] - 0.75).abs() < 1e-12, "{shares:?}");
        assert_eq!(cohort_models(&ctx, &cohort).unwrap(), 2);
    }

    #[test]
    fn keys_and_published_values() {
        assert_eq!(slug(g::INTERNATIONAL_ONLINE), "international_online");
        assert_eq!(slug(g::USA), "usa");
        assert_eq!(published(g::CHINA), Some(0.171));
        assert_eq!(published(g::EUROPE), None);
    }
}
