//! The three core aggregations, as hubecon computes them, on a prepared
//! dataset: the same definitions as `bench/peers/*.py`, so the bench can
//! check that the tools agree and compare their times.
//!
//! (a) weekly download share by developer country group (direct lens,
//!     missing groups as `Unknown`);
//! (b) HHI and Gini (population convention) across developers per week;
//! (c) download-weighted mean parameter count per study period (models with
//!     a known parameter count).
//!
//! Each aggregation reads the parquet files itself (only the columns it
//! needs) and is timed from the scan to the result in memory; writing the
//! CSV is not timed. Like the analyses, it numbers the models once
//! ([`Numbering`]) and joins and groups on those numbers, not on text ids.

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use hubecon_analyses::numbering::{MODEL_NUMBER, Numbering, with_text_codes};
use hubecon_ingest::schema::{developers as dev, downloads as dl, files, models as m};
use hubecon_stats::{
    Category, ConcentrationOptions, NumberJoin, ShareSpec, TimeBucket, add_bucket,
    concentration_by, join_on_number, share_columns as sc,
};
use polars::prelude::*;

/// One aggregation: its id (the CSV's stem) and how hubecon computes it.
pub struct Aggregation {
    pub id: &'static str,
    pub what: &'static str,
    /// How many leading CSV columns form the key (the rest are values).
    pub keys: usize,
    pub run: fn(&Path) -> anyhow::Result<DataFrame>,
}

/// The core aggregations, in the order the report lists them.
pub const AGGREGATIONS: [Aggregation; 3] = [
    Aggregation {
        id: "a_country_share",
        what: "weekly download share by country group",
        keys: 2,
        run: country_share,
    },
    Aggregation {
        id: "b_concentration",
        what: "HHI and Gini across developers per week",
        keys: 1,
        run: developer_concentration,
    },
    Aggregation {
        id: "c_weighted_params",
        what: "download-weighted mean parameters per period",
        keys: 1,
        run: weighted_params,
    },
];

fn scan(data: &Path, file: &str) -> anyhow::Result<LazyFrame> {
    let path = data.join(file);
    anyhow::ensure!(
        path.is_file(),
        "{} is missing: --data must be a prepared dataset (hubecon prepare)",
        path.display()
    );
    let path = PlRefPath::try_from_path(&path)?;
    Ok(LazyFrame::scan_parquet(path, ScanArgsParquet::default())?)
}

/// The downloads (`week`, `downloads`) and the models' `columns`, each
/// row with its model number ([`MODEL_NUMBER`]) instead of its text id.
fn numbered(data: &Path, columns: &[&str]) -> anyhow::Result<(DataFrame, DataFrame)> {
    let downloads = scan(data, files::DOWNLOADS)?
        .select([col(dl::MODEL_ID), col(dl::WEEK), col(dl::DOWNLOADS)])
        .collect()?;
    let mut wanted = vec![col(m::MODEL_ID)];
    wanted.extend(columns.iter().map(|c| col(*c)));
    let models = scan(data, files::MODELS)?.select(wanted).collect()?;
    let numbers = Numbering::of_ids(
        models.column(m::MODEL_ID)?.str()?,
        downloads.column(dl::MODEL_ID)?.str()?,
    )?;
    let renumbered = |frame: DataFrame, number: Column| -> PolarsResult<DataFrame> {
        let mut frame = frame.drop(m::MODEL_ID)?;
        frame.with_column(number)?;
        Ok(frame)
    };
    Ok((
        renumbered(downloads, numbers.downloads)?,
        renumbered(models, numbers.models)?,
    ))
}

/// The week as an ISO date string, the key every tool writes.
fn iso_week(name: &str) -> Expr {
    col(name).cast(DataType::Date).dt().strftime("%Y-%m-%d")
}

/// (a): `week, country_group, download_share`, sorted by both keys.
pub fn country_share(data: &Path) -> anyhow::Result<DataFrame> {
    let mut spec = ShareSpec::new(
        Category::Developer(dev::COUNTRY_GROUP.into()),
        TimeBucket::Week,
    );
    spec.columns.model_id = MODEL_NUMBER.into();
    let (downloads, models) = numbered(data, &[m::AUTHOR])?;
    let developers =
        scan(data, files::DEVELOPERS)?.select([col(dev::AUTHOR), col(dev::COUNTRY_GROUP)]);
    let shares =
        hubecon_stats::download_share(downloads.lazy(), models.lazy(), Some(developers), &spec)
            .context("download_share")?;
    Ok(shares
        .lazy()
        .select([
            iso_week(sc::BUCKET).alias("week"),
            col(sc::CATEGORY).alias("country_group"),
            col(sc::DOWNLOAD_SHARE).alias("download_share"),
        ])
        .sort(["week", "country_group"], SortMultipleOptions::default())
        .collect()?)
}

/// (b): `week, hhi, gini` across developers (the uploader). The
/// developers are coded as integers on the models table: the indices do not
/// depend on their names.
pub fn developer_concentration(data: &Path) -> anyhow::Result<DataFrame> {
    let (downloads, models) = numbered(data, &[m::AUTHOR])?;
    let models = with_text_codes(models, &[m::AUTHOR])?;
    let credited = join_on_number(&downloads, &models, MODEL_NUMBER, NumberJoin::Inner)?.lazy();
    let options = ConcentrationOptions::default();
    let out = concentration_by(credited, &[dl::WEEK], m::AUTHOR, dl::DOWNLOADS, &options)
        .context("concentration_by")?;
    Ok(out
        .lazy()
        .select([iso_week(dl::WEEK).alias("week"), col("hhi"), col("gini")])
        .collect()?)
}

/// (c): `period, weighted_mean_params` over downloads of models with a known size.
pub fn weighted_params(data: &Path) -> anyhow::Result<DataFrame> {
    let (downloads, models) = numbered(data, &[m::PARAMS])?;
    let models = models
        .lazy()
        .filter(col(m::PARAMS).is_not_null())
        .collect()?;
    let sized = join_on_number(&downloads, &models, MODEL_NUMBER, NumberJoin::Inner)?.lazy();
    let periods = add_bucket(sized, dl::WEEK, &TimeBucket::StudyPeriod, "period")?;
    let downloads = col(dl::DOWNLOADS).cast(DataType::Float64);
    let params = col(m::PARAMS).cast(DataType::Float64);
    Ok(periods
        .group_by([col("period")])
        .agg(
            [
                ((downloads.clone() * params).sum() / downloads.sum())
                    .alias("weighted_mean_params"),
            ],
        )
        .sort(["period"], SortMultipleOptions::default())
        .collect()?)
}

/// The seconds of each repeat and the result of the last one.
pub fn time_aggregation(
    aggregation: &Aggregation,
    data: &Path,
    repeats: usize,
) -> anyhow::Result<(Vec<f64>, DataFrame)> {
    let mut seconds = Vec::with_capacity(repeats);
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let out = (aggregation.run)(data).with_context(|| aggregation.id)?;
        seconds.push(started.elapsed().as_secs_f64());
        last = Some(out);
    }
    Ok((seconds, last.expect("at least one repeat ran")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A prepared dataset of three models by two developers over two weeks.
    fn tiny_dataset(dir: &Path) {
        let mut models = df![
            "model_id" => ["a/x", "a/y", "b/z"],
            "author" => ["a", "a", "b"],
            "derived_author" => [None::<&str>, None, None],
            "created_at" => [Some(18_000i32), Some(18_000), Some(18_000)],
            "params" => [Some(10i64), None, Some(30)],
        ]
        .unwrap();
        models
            .with_column(
                models
                    .column("created_at")
                    .unwrap()
                    .cast(&DataType::Date)
                    .unwrap(),
            )
            .unwrap();
        let mut downloads = df![
            "model_id" => ["a/x", "a/y", "b/z", "a/x", "b/z"],
            "week" => [19_002i32, 19_002, 19_002, 19_730, 19_730],
            "downloads" => [1u64, 1, 2, 3, 1],
        ]
        .unwrap();
        downloads
            .with_column(
                downloads
                    .column("week")
                    .unwrap()
                    .cast(&DataType::Date)
                    .unwrap(),
            )
            .unwrap();
        let mut developers = df![
            "author" => ["a"],
            "country_group" => ["USA"],
        ]
        .unwrap();
        for (name, df) in [
            (files::MODELS, &mut models),
            (files::DOWNLOADS, &mut downloads),
            (files::DEVELOPERS, &mut developers),
        ] {
            let f = std::fs::File::create(dir.join(name)).unwrap();
            ParquetWriter::new(f).finish(df).unwrap();
        }
    }

    fn column_f64(df: &DataFrame, name: &str) -> Vec<f64> {
        df.column(name)
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect()
    }

    fn column_str(df: &DataFrame, name: &str) -> Vec<String> {
        let s = df.column(name).unwrap().str().unwrap().clone();
        s.iter().map(|v| v.unwrap().to_string()).collect()
    }

    #[test]
    fn the_three_aggregations_on_a_hand_checked_dataset() {
        let dir = tempfile::tempdir().unwrap();
        tiny_dataset(dir.path());

        // Week of 2022-01-10: a (USA) 2 of 4, b (not annotated) 2 of 4;
        // week of 2024-01-08: a 3 of 4, b 1 of 4.
        let a = country_share(dir.path()).unwrap();
        assert_eq!(
            column_str(&a, "week"),
            ["2022-01-10", "2022-01-10", "2024-01-08", "2024-01-08"]
        );
        assert_eq!(
            column_str(&a, "country_group"),
            ["USA", "Unknown", "USA", "Unknown"]
        );
        assert_eq!(column_f64(&a, "download_share"), [0.5, 0.5, 0.75, 0.25]);

        // HHI 0.5 then 0.625; population Gini 0 then |3-1| * 2 / (2 * 2^2 * 2) = 0.25.
        let b = developer_concentration(dir.path()).unwrap();
        assert_eq!(column_f64(&b, "hhi"), [0.5, 0.625]);
        let gini = column_f64(&b, "gini");
        assert!(
            gini[0].abs() < 1e-12 && (gini[1] - 0.25).abs() < 1e-12,
            "{gini:?}"
        );

        // a/y has no size: <=2022 (10*1 + 30*2) / 3, 2024 (10*3 + 30*1) / 4.
        let c = weighted_params(dir.path()).unwrap();
        assert_eq!(column_str(&c, "period"), ["2024", "<=2022"]);
        let means = column_f64(&c, "weighted_mean_params");
        assert!((means[0] - 15.0).abs() < 1e-12 && (means[1] - 70.0 / 3.0).abs() < 1e-12);
    }
}
