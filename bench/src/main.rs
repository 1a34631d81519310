//! `hubecon-bench`: the full-scale benchmark of issue 9.
//!
//! `hubecon-bench run` generates the full-scale synthetic Hub once (kept in
//! bench/cache), times every stage as a whole process (wall time and peak
//! RSS from the kernel), runs the three core aggregations in hubecon, DuckDB
//! and pandas on the same prepared files, checks that they agree, and
//! writes bench/results.md and bench/results.json. `hubecon-bench core`
//! is hubecon's side of the core aggregations (run by `run`);
//! `hubecon-bench stats` is the statistics micro-benchmark;
//! `hubecon-bench snapshots` prepare on full-size weekly snapshots;
//! `hubecon-bench null` the claims' false-positive rates on the null Hub.
//! `cargo make bench` builds the binaries, installs the peers and runs it.

mod agree;
mod core;
mod machine;
mod null_fpr;
mod process;
mod report;
mod run;
mod snapshots;
mod stats_bench;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "hubecon-bench",
    about = "The full-scale benchmark: hubecon's stages and core aggregations against DuckDB and pandas."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Every stage at full scale, the peers side by side, the report.
    Run(run::RunArgs),
    /// hubecon's core aggregations on a prepared dataset: CSVs and timings.json.
    Core {
        /// A prepared dataset (hubecon prepare --out).
        #[arg(long)]
        data: PathBuf,
        /// Directory for the CSVs and timings.json.
        #[arg(long)]
        out: PathBuf,
        /// Timed runs of each aggregation.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Run only this aggregation (repeatable; a_country_share,
        /// b_concentration, c_weighted_params), e.g. to profile one.
        #[arg(long = "only", value_name = "ID")]
        only: Vec<String>,
    },
    /// The statistics micro-benchmark: HHI and Gini per week on 50M synthetic weekly rows.
    Stats(stats_bench::StatsArgs),
    /// prepare on full-size weekly hub-stats snapshots: cost per snapshot and memory.
    Snapshots(snapshots::SnapshotsArgs),
    /// Every claim on many seeds of the null Hub: the false-positive rates.
    Null(null_fpr::NullArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Cmd::Run(args) => run::run(&args),
        Cmd::Core {
            data,
            out,
            repeats,
            only,
        } => core_to_files(&data, &out, repeats, &only),
        Cmd::Stats(args) => stats_bench::run(&args),
        Cmd::Snapshots(args) => snapshots::run(&args),
        Cmd::Null(args) => null_fpr::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs each core aggregation, writes its CSV and the timings (the same
/// files as bench/peers/common.py).
fn core_to_files(
    data: &std::path::Path,
    out: &std::path::Path,
    repeats: usize,
    only: &[String],
) -> anyhow::Result<()> {
    let ids: Vec<&str> = core::AGGREGATIONS.iter().map(|a| a.id).collect();
    if let Some(unknown) = only.iter().find(|o| !ids.contains(&o.as_str())) {
        anyhow::bail!(
            "--only {unknown}: no such aggregation (one of {})",
            ids.join(", ")
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    // As in every analysis process (`Context::load`): freed pages are
    // reused, not handed back to the kernel to be zeroed again.
    hubecon_analyses::allocator::keep_freed_pages();
    let mut seconds = serde_json::Map::new();
    let wanted = |id: &str| only.is_empty() || only.iter().any(|o| o == id);
    for a in core::AGGREGATIONS.iter().filter(|a| wanted(a.id)) {
        let (times, mut df) = core::time_aggregation(a, data, repeats)?;
        let best = times.iter().copied().fold(f64::INFINITY, f64::min);
        eprintln!("hubecon: {}: {best:.3} s (best of {})", a.id, times.len());
        let path = out.join(format!("{}.csv", a.id));
        let mut file =
            std::fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?;
        use polars::prelude::SerWriter as _;
        polars::prelude::CsvWriter::new(&mut file)
            .finish(&mut df)
            .with_context(|| format!("writing {}", path.display()))?;
        seconds.insert(a.id.to_string(), serde_json::json!(times));
    }
    let timings = serde_json::json!({
        "tool": "hubecon",
        "version": env!("CARGO_PKG_VERSION"),
        "seconds": seconds,
    });
    std::fs::write(
        out.join("timings.json"),
        serde_json::to_string_pretty(&timings)?,
    )
    .with_context(|| format!("writing {}", out.join("timings.json").display()))
}
