//! `hubecon`: the command-line front of the workspace.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use hubecon_cli::pipeline::prepare_dataset;
use hubecon_cli::progress::Bars;
use hubecon_ingest::{FormatChoice, IngestError, PrepareOptions};

/// Measure the open model economy: reproduce "Economies of Open
/// Intelligence" (arXiv:2512.03073) on Hugging Face Hub data.
#[derive(Parser)]
#[command(name = "hubecon", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Turn raw Hub data into a prepared dataset (models, weekly downloads,
    /// developers, manifest).
    ///
    /// Reads hub-stats snapshots (one models.parquet, or a directory of
    /// models/<YYYY-MM-DD>/models.parquet), the paper's annotated release
    /// (all_downloads_with_annotations.parquet), or HF API listing pages
    /// (*.json). Bad input exits with code 2 and leaves --out untouched.
    Prepare {
        /// An input file or directory; repeat to combine sources (e.g. the
        /// release for downloads and a snapshot for metadata).
        #[arg(long = "input", required = true, value_name = "PATH")]
        inputs: Vec<PathBuf>,
        /// The prepared dataset directory to write (replaced atomically).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// auto | hub-stats | release | api-json. `auto` detects each input's
        /// format from its files and says which it chose.
        #[arg(long, default_value = "auto", value_parser = parse_format)]
        format: FormatChoice,
        /// The curated developer annotations.
        #[arg(
            long,
            default_value = "data/annotations/developers.csv",
            value_name = "CSV"
        )]
        annotations: PathBuf,
        /// Date of a single snapshot file or API listing that has none
        /// (default: its newest lastModified/createdAt).
        #[arg(long, value_name = "YYYY-MM-DD")]
        snapshot_date: Option<chrono::NaiveDate>,
    },
}

fn parse_format(s: &str) -> Result<FormatChoice, String> {
    s.parse().map_err(|e: IngestError| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.chain().any(|c| c.downcast_ref::<IngestError>().is_some()) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Prepare {
            inputs,
            out,
            format,
            annotations,
            snapshot_date,
        } => {
            let opts = PrepareOptions {
                inputs,
                format,
                annotations,
                snapshot_date,
            };
            let prepared = prepare_dataset(&opts, &out, &Bars::new())
                .with_context(|| format!("preparing {}", out.display()))?;
            for note in prepared
                .manifest
                .notes
                .iter()
                .filter(|n| n.contains("read as"))
            {
                println!("prepare: {note}");
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
    }
}
