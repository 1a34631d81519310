//! `hubecon-bench stats`: HHI, Gini and every other concentration index per
//! week across developers, on synthetic weekly downloads (issue 5's
//! benchmark). It lives here, not as a `cargo bench` target of
//! hubecon-stats, so that it runs on the release build `cargo make bench`
//! already made: `cargo bench -p hubecon-stats` resolves other features and
//! rebuilt all of polars (14+ minutes here).
//!
//! Builds `--rows` (default 50,000,000) rows of (model_id, week, downloads)
//! over `--weeks` (default 270) weeks: about 185k models a week out of a pool 1.5 times larger that
//! drifts over time, developers with heavy-tailed model counts (a few own
//! thousands of models), Pareto-tailed downloads. Then times
//! `concentration_by` per week across developers, the author coming from a
//! join with the models table, and across models.
//!
//! Run: `cargo make bench-stats` (release), options after the task name
//! (`cargo make bench-stats --rows 1000000`).

use std::time::Instant;

use hubecon_stats::{ConcentrationOptions, concentration_by};
use polars::prelude::*;
use rand::{RngExt as _, SeedableRng};
use rand_pcg::Pcg64;

/// Uniform in (0, 1] from the seeded generator the stats crate's
/// bootstrap uses (rand_pcg), so runs are identical everywhere.
fn unit(rng: &mut Pcg64) -> f64 {
    1.0 - rng.random::<f64>()
}

/// The models table: `model_id` ("d{dev}/m{i}") and `author` ("d{dev}").
fn models_table(n_models: usize, n_developers: usize, rng: &mut Pcg64) -> PolarsResult<DataFrame> {
    let mut ids = Vec::with_capacity(n_models);
    let mut authors = Vec::with_capacity(n_models);
    for i in 0..n_models {
        // u^3 piles models onto the first developers: a heavy-tailed model count.
        let dev = ((n_developers as f64) * unit(rng).powi(3)) as usize % n_developers;
        ids.push(format!("d{dev}/m{i}"));
        authors.push(format!("d{dev}"));
    }
    df!["model_id" => ids, "author" => authors]
}

/// The weekly downloads: each week a drifting window of the model pool.
fn downloads_table(
    models: &DataFrame,
    rows: usize,
    weeks: usize,
    rng: &mut Pcg64,
) -> PolarsResult<DataFrame> {
    let n_models = models.height();
    let per_week = rows / weeks;
    let drift = (n_models - per_week) / weeks.max(1);
    let first_monday = 18_428; // 2020-06-15, days since 1970-01-01
    let mut index: Vec<IdxSize> = Vec::with_capacity(per_week * weeks);
    let mut week = Vec::with_capacity(per_week * weeks);
    let mut downloads = Vec::with_capacity(per_week * weeks);
    for w in 0..weeks {
        let start = w * drift;
        for i in 0..per_week {
            index.push((start + i) as IdxSize);
            week.push(first_monday + 7 * w as i32);
            // Pareto tail with index ~0.8: most models get a handful, a few millions.
            downloads.push((unit(rng).powf(-1.25)).min(5e7) as u64);
        }
    }
    let index = IdxCa::from_vec("idx".into(), index);
    let model_id = models
        .column("model_id")?
        .as_materialized_series()
        .take(&index)?;
    let week = Column::new("week".into(), week).cast(&DataType::Date)?;
    DataFrame::new_infer_height(vec![
        model_id.into(),
        week,
        Column::new("downloads".into(), downloads),
    ])
}

/// What `hubecon-bench stats` builds.
#[derive(clap::Args)]
pub struct StatsArgs {
    /// Weekly (model, week, downloads) rows to build.
    #[arg(long, default_value_t = 50_000_000)]
    pub rows: usize,
    /// Weeks they span.
    #[arg(long, default_value_t = 270)]
    pub weeks: usize,
}

/// Builds the rows, then times `concentration_by` per week across
/// developers (with the join to the models table) and across models.
pub fn run(args: &StatsArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.weeks > 0 && args.rows >= args.weeks,
        "--rows ({}) must be at least --weeks ({}), and --weeks positive",
        args.rows,
        args.weeks
    );
    let (rows, weeks) = (args.rows, args.weeks);
    let n_models = rows / weeks * 3 / 2;
    let n_developers = (n_models / 10).max(1);
    let mut rng = Pcg64::seed_from_u64(20_251_127);

    let started = Instant::now();
    let models = models_table(n_models, n_developers, &mut rng)?;
    let downloads = downloads_table(&models, rows, weeks, &mut rng)?;
    println!(
        "built {} weekly rows ({} weeks, {} models, {} developers) in {:.2?}",
        downloads.height(),
        weeks,
        n_models,
        n_developers,
        started.elapsed()
    );

    let options = ConcentrationOptions::default();
    let by_developer = || {
        downloads.clone().lazy().join(
            models.clone().lazy(),
            [col("model_id")],
            [col("model_id")],
            JoinArgs::new(JoinType::Inner),
        )
    };
    let started = Instant::now();
    let credited = by_developer().collect()?;
    println!(
        "join of the weekly rows with the models table (the developer of each row): {:.2?}",
        started.elapsed()
    );
    let started = Instant::now();
    let out = concentration_by(credited.lazy(), &["week"], "author", "downloads", &options)?;
    println!(
        "per week across developers, rows already joined (sum by developer + every index): {:.2?} for {} weeks",
        started.elapsed(),
        out.height()
    );

    let started = Instant::now();
    let out = concentration_by(by_developer(), &["week"], "author", "downloads", &options)?;
    println!(
        "per week across developers (join + sum by developer + every index): {:.2?} for {} weeks; last week HHI {:.6}, Gini {:.6}",
        started.elapsed(),
        out.height(),
        out.column("hhi")?
            .f64()?
            .get(out.height() - 1)
            .unwrap_or(f64::NAN),
        out.column("gini")?
            .f64()?
            .get(out.height() - 1)
            .unwrap_or(f64::NAN),
    );

    let started = Instant::now();
    let out = concentration_by(
        downloads.lazy(),
        &["week"],
        "model_id",
        "downloads",
        &options,
    )?;
    println!(
        "per week across models (every index): {:.2?} for {} weeks",
        started.elapsed(),
        out.height()
    );
    Ok(())
}
