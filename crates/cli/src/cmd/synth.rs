//! `hubecon synth`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hubecon_synth::{DEFAULT_MODELS, DEFAULT_SEED, Scenario, generate};

use crate::progress::Bars;

/// Generate a synthetic Hub with planted, known effects, in the real raw
/// formats (weekly hub-stats snapshots, the annotated release) plus
/// truth.json, the values the analyses must recover.
///
/// Runs offline. The default (20,000 models, seed 20251127, the default
/// scenario) is the embedded sample `cargo make reproduce` uses. Same seed
/// and scenario give byte-identical files.
#[derive(Args)]
pub struct SynthArgs {
    /// Number of models (851000 for the study's scale).
    #[arg(long, default_value_t = DEFAULT_MODELS)]
    pub models: usize,
    /// Seed of the random streams.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// A scenario TOML (see crates/synth/scenarios/default.toml); default:
    /// the default scenario.
    #[arg(long, value_name = "FILE.toml")]
    pub scenario: Option<PathBuf>,
    /// Where to write.
    #[arg(long, value_name = "DIR", default_value = "data/sample")]
    pub out: PathBuf,
}

pub fn run(args: SynthArgs) -> anyhow::Result<()> {
    let scenario = match &args.scenario {
        Some(p) => Scenario::from_path(p)?,
        None => Scenario::default(),
    };
    let bars = Bars::new();
    let started = std::time::Instant::now();
    let report = generate(
        &scenario,
        args.models,
        args.seed,
        &args.out,
        &|stage, done, total| {
            bars.stage(stage, done, total);
        },
    )
    .with_context(|| format!("generating the synthetic Hub in {}", args.out.display()))?;
    bars.finish_stage();
    println!(
        "synth: wrote {} ({} layout, {} models, {} developers, {} snapshots, {} release rows) in {:.1} s",
        args.out.display(),
        report.layout,
        report.models,
        report.developers,
        report.snapshots_written,
        report.release_rows,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
