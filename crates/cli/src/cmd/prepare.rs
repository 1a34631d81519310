//! `hubecon prepare`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hubecon_ingest::{FormatChoice, IngestError, PrepareOptions};

use crate::pipeline::prepare_dataset;
use crate::progress::Bars;

/// Turn raw Hub data into a prepared dataset (models, weekly downloads,
/// developers, manifest).
///
/// Reads hub-stats snapshots (one models.parquet, or a directory of
/// models/<YYYY-MM-DD>/models.parquet), the paper's annotated release
/// (all_downloads_with_annotations.parquet), or HF API listing pages
/// (*.json). Bad input exits with code 2 and leaves --out untouched.
#[derive(Args)]
pub struct PrepareArgs {
    /// An input file or directory; repeat to combine sources (e.g. the
    /// release for downloads and a snapshot for metadata).
    #[arg(long = "input", required = true, value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// The prepared dataset directory to write (replaced atomically).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// auto | hub-stats | release | api-json. `auto` detects each input's
    /// format from its files and says which it chose.
    #[arg(long, default_value = "auto", value_parser = parse_format)]
    pub format: FormatChoice,
    /// The curated developer annotations.
    #[arg(
        long,
        default_value = "data/annotations/developers.csv",
        value_name = "CSV"
    )]
    pub annotations: PathBuf,
    /// Date of a single snapshot file or API listing that has none
    /// (default: its newest lastModified/createdAt).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub snapshot_date: Option<chrono::NaiveDate>,
}

fn parse_format(s: &str) -> Result<FormatChoice, String> {
    s.parse().map_err(|e: IngestError| e.to_string())
}

pub fn run(args: PrepareArgs) -> anyhow::Result<()> {
    let out = args.out;
    let opts = PrepareOptions {
        inputs: args.inputs,
        format: args.format,
        annotations: args.annotations,
        snapshot_date: args.snapshot_date,
    };
    let prepared = prepare_dataset(&opts, &out, &Bars::new())
        .with_context(|| format!("preparing {}", out.display()))?;
    for note in &prepared.manifest.notes {
        if note.starts_with("warning: ") {
            eprintln!("prepare: {note}");
        } else if note.contains("read as") {
            println!("prepare: {note}");
        }
    }
    println!(
        "prepare: wrote {} ({} models, {} model-weeks with downloads, {} developers{})",
        out.display(),
        prepared.models.height(),
        prepared.downloads.height(),
        prepared.developers.height(),
        if prepared.manifest.synthetic {
            "; synthetic sample"
        } else {
            ""
        }
    );
    Ok(())
}
