//! 01 Dataset overview (C1): how many models, developers and downloads the
//! prepared dataset holds and the weeks it spans. The figure shows the two
//! flows behind those totals on one log scale: models created per calendar
//! month (by `created_at`, the Hub's 2022-03-02 clamp undone at ingest) and
//! downloads of all models per week. Months and weeks without any are
//! written as 0 (a gap on the log axis).

use std::path::PathBuf;

use chrono::{Datelike, Duration, NaiveDate};
use hubecon_ingest::columns::dates;
use hubecon_ingest::week::from_epoch_days;
use hubecon_plot::{Chart, LineChart, Series, ValueAxis, ValueFormat, XKind, year_fraction};
use hubecon_stats::{TimeBucket, bucket_expr};
use polars::prelude::*;

use crate::context::Context;
use crate::emit::emit;
use crate::output::Number;

pub const STEM: &str = "01_dataset_overview";

/// Series names (the `series` column of the CSV and the legend).
pub const MODELS_CREATED: &str = "Models created per month";
pub const WEEKLY_DOWNLOADS: &str = "Downloads per week";

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let created = models_created_per_month(ctx)?;
    let weekly = downloads_per_week(ctx)?;
    let table = tidy(&[(MODELS_CREATED, &created), (WEEKLY_DOWNLOADS, &weekly)])?;

    let mut h = ctx.headline(STEM, "Dataset overview");
    let totals = Totals::measure(ctx)?;
    let (first, last) = (weekly.first().map(|p| p.0), weekly.last().map(|p| p.0));
    let weeks = match (first, last) {
        (Some(a), Some(b)) => ((b - a).num_days() / 7 + 1) as f64,
        _ => f64::NAN,
    };
    let year = |d: Option<NaiveDate>| d.map_or(f64::NAN, year_fraction);
    h.insert(
        "models",
        Number::new(totals.models, "count", "models in the dataset").claim("C1"),
    );
    h.insert(
        "developers",
        Number::new(
            totals.developers,
            "count",
            "distinct uploading namespaces (authors) of the models",
        )
        .claim("C1"),
    );
    h.insert(
        "downloads_total",
        Number::new(
            totals.downloads,
            "downloads",
            "sum of weekly downloads over every model and week",
        )
        .claim("C1"),
    );
    h.insert(
        "weeks",
        Number::new(
            weeks,
            "count",
            "weeks from the first to the last week with downloads, both included",
        )
        .claim("C1"),
    );
    h.insert(
        "first_week_year",
        Number::new(
            year(first),
            "year",
            "first week with downloads (its Monday), as a fractional year",
        )
        .claim("C1"),
    );
    h.insert(
        "last_week_year",
        Number::new(
            year(last),
            "year",
            "last week with downloads (its Monday), as a fractional year",
        )
        .claim("C1"),
    );
    h.insert(
        "zero_download_fraction",
        Number::new(
            totals.zero_download_fraction,
            "share",
            "fraction of models with no downloads in any week of the data",
        ),
    );
    h.insert(
        "top_1pct_share",
        Number::new(
            totals.top_1pct_share,
            "share",
            "share of all downloads taken by the most downloaded 1% of models",
        ),
    );
    h.insert("annotated_download_share", Number::new(totals.annotated_share, "share", "share of downloads of models whose uploader has a developer annotation (org type, country)"));

    let chart = LineChart::new(
        XKind::Dates,
        ValueAxis::log10().with_format(ValueFormat::Si),
    )
    .with_series(series(MODELS_CREATED, &created))
    .with_series(series(WEEKLY_DOWNLOADS, &weekly));
    let fig = ctx.figure(
        "Models created and downloads over time",
        "Date",
        "Count (log scale)",
    );
    emit(ctx, STEM, &table, &h, &fig, &Chart::Lines(chart))
}

/// A dated count series: (first day of the month or week, count).
type Dated = Vec<(NaiveDate, f64)>;

/// Models created in each calendar month from the first to the last month
/// with a creation (0 where none).
pub fn models_created_per_month(ctx: &Context) -> anyhow::Result<Dated> {
    let df = ctx
        .models()
        .select([bucket_expr("created_at", &TimeBucket::Month)?.alias("month")])
        .group_by([col("month")])
        .agg([len().cast(DataType::Float64).alias("n")])
        .collect()?;
    let counts = dated_values(&df, "month", "n")?;
    Ok(fill_calendar(&counts, next_month))
}

/// Downloads of all models in each week from the first to the last week
/// with downloads (0 where none).
pub fn downloads_per_week(ctx: &Context) -> anyhow::Result<Dated> {
    let df = ctx
        .downloads()
        .group_by([col("week")])
        .agg([col("downloads").sum().cast(DataType::Float64).alias("n")])
        .collect()?;
    let counts = dated_values(&df, "week", "n")?;
    Ok(fill_calendar(&counts, |d| d + Duration::days(7)))
}

/// `(date, value)` pairs of a frame, sorted by date, null dates dropped.
fn dated_values(df: &DataFrame, date_col: &str, value_col: &str) -> anyhow::Result<Dated> {
    let days = dates(df, date_col)?;
    let values = df.column(value_col)?.f64()?;
    let mut out: Dated = days
        .iter()
        .zip(values.iter())
        .filter_map(|(d, v)| Some((from_epoch_days((*d)?), v.unwrap_or(0.0))))
        .collect();
    out.sort_by_key(|p| p.0);
    Ok(out)
}

/// Every step of the calendar from the first to the last date of `sparse`,
/// with 0 where `sparse` has no value.
pub fn fill_calendar(sparse: &[(NaiveDate, f64)], next: impl Fn(NaiveDate) -> NaiveDate) -> Dated {
    let (Some(first), Some(last)) = (sparse.first(), sparse.last()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut given = sparse.iter().peekable();
    let mut day = first.0;
    while day <= last.0 {
        let value = match given.peek() {
            Some((d, v)) if *d == day => {
                given.next();
                *v
            }
            _ => 0.0,
        };
        out.push((day, value));
        day = next(day);
    }
    out
}

/// The first day of the next month.
fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d + Duration::days(31))
}

/// The plotted data, long format: series, date, value.
fn tidy(parts: &[(&str, &Dated)]) -> anyhow::Result<DataFrame> {
    let rows = parts
        .iter()
        .flat_map(|(name, points)| points.iter().map(move |(d, v)| (*name, *d, *v)));
    let (mut names, mut days, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for (name, day, value) in rows {
        names.push(name);
        days.push(hubecon_ingest::week::to_epoch_days(day));
        values.push(value);
    }
    let date = Column::new("date".into(), days).cast(&DataType::Date)?;
    Ok(DataFrame::new_infer_height(vec![
        Column::new("series".into(), names),
        date,
        Column::new("value".into(), values),
    ])?)
}

fn series(name: &str, points: &Dated) -> Series {
    let (x, y): (Vec<NaiveDate>, Vec<f64>) = points.iter().copied().unzip();
    Series::dated(name, &x, &y)
}

/// The dataset's totals.
struct Totals {
    models: f64,
    developers: f64,
    downloads: f64,
    zero_download_fraction: f64,
    top_1pct_share: f64,
    annotated_share: f64,
}

impl Totals {
    fn measure(ctx: &Context) -> anyhow::Result<Self> {
        let models = ctx.data.models.height() as f64;
        let developers = ctx.data.models.column("author")?.n_unique()? as f64;
        let per_model = per_model_downloads(ctx)?;
        let downloads: f64 = per_model.iter().sum();
        let zero = per_model.iter().filter(|d| **d <= 0.0).count() as f64;
        Ok(Self {
            models,
            developers,
            downloads,
            zero_download_fraction: zero / models,
            top_1pct_share: top_share(&per_model, 0.01),
            annotated_share: annotated_share(ctx)? / downloads,
        })
    }
}

/// Each model's downloads over every week (0 for a model with none).
fn per_model_downloads(ctx: &Context) -> anyhow::Result<Vec<f64>> {
    let sums = ctx
        .downloads()
        .group_by([col("model_id")])
        .agg([col("downloads").sum().alias("d")]);
    let df = ctx
        .models()
        .select([col("model_id")])
        .join(
            sums,
            [col("model_id")],
            [col("model_id")],
            JoinArgs::new(JoinType::Left),
        )
        .select([col("d").cast(DataType::Float64).fill_null(lit(0.0))])
        .collect()?;
    Ok(df
        .column("d")?
        .f64()?
        .iter()
        .map(|v| v.unwrap_or(0.0))
        .collect())
}

/// The share of the total held by the largest `fraction` of the values
/// (at least one value).
pub fn top_share(values: &[f64], fraction: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let k = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len().max(1));
    let total: f64 = sorted.iter().sum();
    sorted.iter().take(k).sum::<f64>() / total
}

/// Downloads of models whose uploader has an annotation.
fn annotated_share(ctx: &Context) -> anyhow::Result<f64> {
    let annotated = ctx
        .developers()
        .filter(col("annotation_source").neq(lit(hubecon_ingest::schema::annotation_source::NONE)))
        .select([col("author")]);
    let df = ctx
        .downloads()
        .join(
            ctx.models().select([col("model_id"), col("author")]),
            [col("model_id")],
            [col("model_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            annotated,
            [col("author")],
            [col("author")],
            JoinArgs::new(JoinType::Semi),
        )
        .select([col("downloads").sum().cast(DataType::Float64)])
        .collect()?;
    Ok(df.column("downloads")?.f64()?.get(0).unwrap_or(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn calendar_gaps_are_filled_with_zero_across_a_year_end() {
        let sparse = [(ymd(2022, 11, 1), 3.0), (ymd(2023, 2, 1), 5.0)];
        let filled = fill_calendar(&sparse, next_month);
        assert_eq!(
            filled,
            vec![
                (ymd(2022, 11, 1), 3.0),
                (ymd(2022, 12, 1), 0.0),
                (ymd(2023, 1, 1), 0.0),
                (ymd(2023, 2, 1), 5.0)
            ]
        );
        assert!(fill_calendar(&[], next_month).is_empty());
    }

    #[test]
    fn top_share_takes_the_largest_values_at_least_one() {
        // 1% of 10 values rounds up to one value: the largest.
        let v = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 11.0];
        assert!((top_share(&v, 0.01) - 0.55).abs() < 1e-12);
        assert!((top_share(&v, 0.2) - 0.6).abs() < 1e-12);
    }
}
