//! The recent-year cohort of analysis 06 (C4): the newest models whose
//! first 365 days the data hold whole, so the one-year window binds
//! (METHODS.md, 06), with the bootstrap support of C4's order and the
//! comparison with the release's own first-year counters.

use chrono::{Duration, NaiveDate};
use hubecon_ingest::schema::{country_group as g, developers};
use hubecon_ingest::week::to_epoch_days;
use hubecon_stats::{ClusterCells, NamedPeriod, Support, Window};
use polars::prelude::*;

use crate::a06_recent_country_shares::{RECENT, RECENT_WEEKS, slug};
use crate::common::{in_window, mp};
use crate::context::Context;
use crate::numbering::MODEL_NUMBER;
use crate::output::{Headline, Number};

/// The newest models whose first 365 days the data holds whole: created in
/// `[created_from, created_to)`, their first-year downloads all in
/// `[created_from, downloads_to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cohort {
    pub created_from: NaiveDate,
    pub created_to: NaiveDate,
    pub downloads_to: NaiveDate,
}

impl Cohort {
    /// The cohort of a span whose weeks run from `first_week` to
    /// `last_week` (Mondays): created in the 52 weeks ending 365 days
    /// before the span ends, and not before it starts (earlier downloads
    /// are not observed). `None` when the span is too short for one.
    pub fn complete_first_years(first_week: NaiveDate, last_week: NaiveDate) -> Option<Self> {
        let downloads_to = last_week + Duration::weeks(1);
        let created_to = downloads_to - Duration::days(FIRST_YEAR_DAYS);
        let created_from = (created_to - Duration::weeks(RECENT_WEEKS)).max(first_week);
        (created_from < created_to).then_some(Cohort {
            created_from,
            created_to,
            downloads_to,
        })
    }

    /// The weeks the cohort's first-year downloads fall in, as the bucket.
    pub fn weeks(&self) -> NamedPeriod {
        NamedPeriod::new(RECENT, self.created_from, self.downloads_to)
    }

    pub fn describe(&self) -> String {
        format!(
            "the models created from {} to {} (each with its first 365 days inside the data)",
            self.created_from,
            self.created_to - Duration::days(1)
        )
    }
}

/// Days of the one-year window.
const FIRST_YEAR_DAYS: i64 = hubecon_stats::shares::FIRST_YEAR_DAYS as i64;

/// How often the direct lens's recent-year shares keep the published order
/// (International/Online > China > USA) when developers are resampled: the
/// first-year downloads of the cohort's models.
pub fn order_support(ctx: &Context, cohort: &Cohort) -> anyhow::Result<Support> {
    const ORDER: [&str; 3] = [g::INTERNATIONAL_ONLINE, g::CHINA, g::USA];
    let between = |c: Expr, from: NaiveDate, to: NaiveDate| {
        c.clone()
            .gt_eq(lit(to_epoch_days(from)))
            .and(c.lt(lit(to_epoch_days(to))))
    };
    let groups = ctx.developers().select([
        col(developers::AUTHOR).alias(mp::AUTHOR),
        col(developers::COUNTRY_GROUP).alias("group"),
    ]);
    let models = ctx
        .numbered_models()?
        .filter(between(
            col("created_at").cast(DataType::Int32),
            cohort.created_from,
            cohort.created_to,
        ))
        .select([
            col(MODEL_NUMBER),
            col("model_id"),
            col(mp::AUTHOR),
            col("created_at"),
        ])
        .join(
            groups,
            [col(mp::AUTHOR)],
            [col(mp::AUTHOR)],
            JoinArgs::new(JoinType::Left),
        );
    let per_model = in_window(ctx.downloads_of(models)?, Window::FirstYear)
        .filter(between(
            col("week").cast(DataType::Int32),
            cohort.created_from,
            cohort.downloads_to,
        ))
        .group_by([col(MODEL_NUMBER)])
        .agg([
            col(mp::AUTHOR).first(),
            col("group").first(),
            col("downloads")
                .sum()
                .cast(DataType::Float64)
                .alias(mp::DOWNLOADS),
        ])
        .sort([MODEL_NUMBER], SortMultipleOptions::default());
    let cells: Vec<LazyFrame> = ORDER
        .iter()
        .map(|cell| {
            per_model.clone().with_columns([
                lit(*cell).alias(mp::PERIOD),
                col("group")
                    .eq(lit(*cell))
                    .fill_null(lit(false))
                    .alias(mp::VALUE),
            ])
        })
        .collect();
    let stacked = concat(cells, UnionArgs::default())?.collect()?;
    let cells = ClusterCells::from_frame(
        &stacked,
        [mp::AUTHOR, mp::PERIOD, mp::DOWNLOADS, mp::VALUE],
        &ORDER,
    )?;
    Ok(cells.support(
        |m| Some(m[0]? > m[1]? && m[1]? > m[2]?),
        crate::contrast::options(),
    ))
}

/// The ids of the cohort's models.
pub fn cohort_ids(ctx: &Context, cohort: &Cohort) -> LazyFrame {
    let created = col("created_at").cast(DataType::Int32);
    let inside = created
        .clone()
        .gt_eq(lit(to_epoch_days(cohort.created_from)))
        .and(created.lt(lit(to_epoch_days(cohort.created_to))));
    ctx.models().filter(inside).select([col("model_id")])
}

pub fn cohort_models(ctx: &Context, cohort: &Cohort) -> anyhow::Result<usize> {
    Ok(cohort_ids(ctx, cohort).collect()?.height())
}

/// The cohort's first-year downloads by the data and by the release's own
/// counters (`release_first_year_downloads`, from `one_year_rolling.parquet`),
/// on the cohort models the release counts.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseComparison {
    pub models: usize,
    pub ours: f64,
    pub release: f64,
    /// Per country group (direct lens): the share by the data and by the release.
    pub shares: Vec<(String, f64, f64)>,
}

/// The comparison, or `None` when no cohort model has a release counter
/// (no `one_year_rolling.parquet` among the inputs).
pub fn release_comparison(
    ctx: &Context,
    cohort: &Cohort,
) -> anyhow::Result<Option<ReleaseComparison>> {
    let release = hubecon_ingest::schema::models::RELEASE_FIRST_YEAR_DOWNLOADS;
    if ctx.data.models.column(release).is_err() {
        return Ok(None);
    }
    let day = |d: NaiveDate| lit(to_epoch_days(d));
    let created = col("created_at").cast(DataType::Int32);
    let models = ctx
        .models()
        .filter(
            created
                .clone()
                .gt_eq(day(cohort.created_from))
                .and(created.lt(day(cohort.created_to)))
                .and(col(release).is_not_null()),
        )
        .select([
            col("model_id"),
            col("author"),
            col("created_at"),
            col(release).cast(DataType::Float64).alias("release"),
        ]);
    // Our first-year downloads of the same models (all inside the data).
    let downloads = ctx.downloads().join(
        models.clone().select([col("model_id"), col("created_at")]),
        [col("model_id")],
        [col("model_id")],
        JoinArgs::new(JoinType::Inner),
    );
    let ours = in_window(downloads, Window::FirstYear)
        .group_by([col("model_id")])
        .agg([col("downloads").sum().cast(DataType::Float64).alias("ours")]);
    let groups = ctx.developers().select([
        col(developers::AUTHOR).alias("author"),
        col(developers::COUNTRY_GROUP).alias("group"),
    ]);
    let table = models
        .join(
            ours,
            [col("model_id")],
            [col("model_id")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            groups,
            [col("author")],
            [col("author")],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col("group").fill_null(lit(g::UNKNOWN)),
            col("ours").fill_null(lit(0.0)),
            col("release"),
        ])
        .collect()?;
    if table.height() == 0 {
        return Ok(None);
    }
    let group = table.column("group")?.str()?.clone();
    let (o, r) = (
        table.column("ours")?.f64()?,
        table.column("release")?.f64()?,
    );
    let mut by_group: std::collections::BTreeMap<&str, (f64, f64)> = Default::default();
    for ((gr, o), r) in group.iter().zip(o.iter()).zip(r.iter()) {
        let e = by_group.entry(gr.unwrap_or(g::UNKNOWN)).or_default();
        e.0 += o.unwrap_or(0.0);
        e.1 += r.unwrap_or(0.0);
    }
    let (ours, release) = by_group
        .values()
        .fold((0.0, 0.0), |(a, b), (o, r)| (a + o, b + r));
    let share = |x: f64, total: f64| if total > 0.0 { x / total } else { f64::NAN };
    Ok(Some(ReleaseComparison {
        models: table.height(),
        ours,
        release,
        shares: g::ALL
            .iter()
            .map(|gr| {
                let (o, r) = by_group.get(gr).copied().unwrap_or_default();
                (gr.to_string(), share(o, ours), share(r, release))
            })
            .collect(),
    }))
}

/// The comparison as headline numbers: counts, totals, their relative
/// difference, and for each published group the release's share and ours
/// minus it; null with the reason when the release gave no counters.
pub fn insert_release_numbers(h: &mut Headline, comparison: Option<&ReleaseComparison>) {
    let why = "not measurable: no one_year_rolling.parquet among the inputs, or none of its models in the cohort";
    let number = |v: Option<f64>, unit: &str, what: &str| match v {
        Some(v) => Number::new(v, unit, what),
        None => Number::not_measurable(unit, what, why),
    };
    let c = comparison;
    let what = "cohort models that the release's one_year_rolling.parquet counts";
    h.insert(
        "release_first_year_models",
        number(c.map(|c| c.models as f64), "count", what),
    );
    let what = "first-year downloads of those models, by the data";
    h.insert(
        "first_year_downloads_ours",
        number(c.map(|c| c.ours), "downloads", what),
    );
    let what = "first-year downloads of those models, by the release's counters";
    h.insert(
        "first_year_downloads_release",
        number(c.map(|c| c.release), "downloads", what),
    );
    let what = "first-year downloads by the data over the release's, minus 1";
    let relative = c
        .filter(|c| c.release > 0.0)
        .map(|c| c.ours / c.release - 1.0);
    h.insert(
        "first_year_downloads_difference",
        number(relative, "share", what),
    );
    for group in [g::INTERNATIONAL_ONLINE, g::CHINA, g::USA] {
        let s = c.and_then(|c| c.shares.iter().find(|x| x.0 == group));
        let what = format!(
            "{group} share of the release's first-year downloads of the cohort, direct lens"
        );
        h.insert(
            &format!("release_recent_share_{}_direct", slug(group)),
            number(s.map(|x| x.2), "share", &what),
        );
        let what = format!(
            "{group} share of the cohort's first-year downloads, the data's minus the release's, direct lens"
        );
        h.insert(
            &format!("recent_share_difference_{}_direct", slug(group)),
            number(s.map(|x| x.1 - x.2), "share", &what),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_frames::{date, date_column, us_and_china_labs};

    #[test]
    fn the_cohort_holds_whole_first_years_inside_the_span() {
        let c = Cohort::complete_first_years(date("2023-01-02"), date("2025-08-25")).unwrap();
        // The data end on 2025-09-01: created before 2024-09-01, in the 52
        // weeks before that.
        assert_eq!(c.downloads_to, date("2025-09-01"));
        assert_eq!(c.created_to, date("2024-09-01"));
        assert_eq!(c.created_from, date("2023-09-03"));
        // A short span: the cohort starts with it; shorter than a year: none.
        let short = Cohort::complete_first_years(date("2024-07-29"), date("2025-08-25")).unwrap();
        assert_eq!(short.created_from, date("2024-07-29"));
        assert_eq!(
            Cohort::complete_first_years(date("2024-10-07"), date("2025-08-25")),
            None
        );
    }

    #[test]
    fn the_release_counters_are_compared_on_the_models_it_counts() {
        // us/in: 100 in its first year, 1000 after it; the release counts
        // 150. cn/in: 300, the release 250. cn/none: no release counter.
        let models = DataFrame::new_infer_height(vec![
            Column::new("model_id".into(), ["us/in", "cn/in", "cn/none"]),
            Column::new("author".into(), ["us", "cn", "cn"]),
            date_column("created_at", &["2024-01-01", "2024-05-06", "2024-02-05"]),
            Column::new(
                hubecon_ingest::schema::models::RELEASE_FIRST_YEAR_DOWNLOADS.into(),
                [Some(150u64), Some(250), None],
            ),
        ])
        .unwrap();
        let downloads = DataFrame::new_infer_height(vec![
            Column::new("model_id".into(), ["us/in", "us/in", "cn/in", "cn/none"]),
            date_column(
                "week",
                &["2024-06-03", "2025-03-03", "2024-07-01", "2024-03-04"],
            ),
            Column::new("downloads".into(), [100u64, 1000, 300, 9]),
        ])
        .unwrap();
        let developers = us_and_china_labs();
        let ctx = Context::from_frames(models, downloads, developers, &std::path::PathBuf::new());
        let cohort = Cohort::complete_first_years(date("2023-01-02"), date("2025-08-25")).unwrap();
        let c = release_comparison(&ctx, &cohort).unwrap().unwrap();
        assert_eq!((c.models, c.ours, c.release), (2, 400.0, 400.0));
        let usa = c.shares.iter().find(|s| s.0 == g::USA).unwrap();
        assert!((usa.1 - 0.25).abs() < 1e-12 && (usa.2 - 150.0 / 400.0).abs() < 1e-12);
    }
}
