//! `hubecon lineage-eval` and `hubecon intermediaries`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hubecon_ingest::load_dataset;
use hubecon_lineage::{
    DEFAULT_INTERMEDIARY_THRESHOLD, LineageOptions, intermediaries, lineage_eval,
};

/// Measure how well lineage inference recovers declared relations.
///
/// Splits the models that declare lineage into K folds; hides each fold's
/// declarations in turn (the other folds stay visible), infers, and prints
/// per-class precision, recall, F1 and parent accuracy of the hidden
/// models, the share of right classes among derivatives, the declared
/// relations the evidence corrects, and the confusion matrix.
#[derive(Args)]
pub struct EvalArgs {
    /// A prepared dataset directory (written by `hubecon prepare`).
    #[arg(long, value_name = "DIR", default_value = "data/processed/default")]
    pub dataset: PathBuf,
    /// The old spelling of --dataset, refused with its new name.
    #[arg(long = "data", value_name = "DIR", hide = true)]
    pub old_data: Option<PathBuf>,
    /// Number of folds; 1 hides every declaration at once.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub folds: u32,
    /// Also write the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

pub fn run_eval(args: EvalArgs) -> anyhow::Result<()> {
    super::renamed(&args.old_data, "--data", "--dataset", "a prepared dataset")?;
    let ds = load_dataset(&args.dataset)?;
    let report = lineage_eval(&ds.models, &LineageOptions::default(), args.folds as usize)
        .context("evaluating lineage inference")?;
    println!("{report}");
    if let Some(path) = args.json {
        let text = serde_json::to_string_pretty(&report)? + "\n";
        hubecon_analyses::output::write_atomic(&path, text.as_bytes())?;
        println!("lineage-eval: wrote {}", path.display());
    }
    Ok(())
}

/// List the intermediaries: developers most of whose downloads come from
/// derivatives (quantized, adapter, merge, finetune) of other developers'
/// models, with their share and relation mix.
#[derive(Args)]
pub struct IntermediariesArgs {
    /// A prepared dataset directory (written by `hubecon prepare`).
    #[arg(long, value_name = "DIR", default_value = "data/processed/default")]
    pub dataset: PathBuf,
    /// The old spelling of --dataset, refused with its new name.
    #[arg(long = "data", value_name = "DIR", hide = true)]
    pub old_data: Option<PathBuf>,
    /// A developer is an intermediary when more than this share of its
    /// downloads comes from derivatives of others' models.
    #[arg(long, default_value_t = DEFAULT_INTERMEDIARY_THRESHOLD)]
    pub threshold: f64,
    /// How many to print (all are written with --csv).
    #[arg(long, default_value_t = 25)]
    pub top: usize,
    /// Also write the full list as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

pub fn run_intermediaries(args: IntermediariesArgs) -> anyhow::Result<()> {
    super::renamed(&args.old_data, "--data", "--dataset", "a prepared dataset")?;
    let ds = load_dataset(&args.dataset)?;
    let list = intermediaries(&ds.models, &ds.downloads, args.threshold)
        .context("finding intermediaries")?;
    println!(
        "{} intermediaries (threshold {}):",
        list.height(),
        args.threshold
    );
    println!("{}", list.head(Some(args.top)));
    if let Some(path) = args.csv {
        // The figures' CSV writer: developer names neutralised against
        // spreadsheet formulas.
        let text = hubecon_analyses::output::csv_text(&list)?;
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        println!("intermediaries: wrote {}", path.display());
    }
    Ok(())
}
