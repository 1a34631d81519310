//! `hubecon reproduce`: every stage of the study in one process.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;
use hubecon_ingest::detect::detect;
use hubecon_ingest::{FormatChoice, PrepareOptions};
use hubecon_synth::{DEFAULT_MODELS, DEFAULT_SEED, Scenario, generate};

use crate::cmd::dashboard::dashboard;
use crate::cmd::study::{claims, figures};
use crate::pipeline::prepare_dataset;
use crate::progress::Bars;

/// Reproduce the study: get the input (real data in data/raw if present,
/// else the embedded synthetic sample, generated on demand into
/// data/sample), prepare it, run every analysis, build the paper and the
/// dashboard, check the claims. Prints where everything is and how long each stage took.
#[derive(Args)]
pub struct ReproduceArgs {
    /// Raw input to use instead of data/raw or the synthetic sample (a file
    /// or directory `hubecon prepare --input` accepts).
    #[arg(long, value_name = "DIR")]
    pub input: Option<PathBuf>,
    /// The old spelling of --input, refused with its new name.
    #[arg(long = "data", value_name = "DIR", hide = true)]
    pub old_data: Option<PathBuf>,
    /// Where the prepared dataset goes.
    #[arg(long, value_name = "DIR", default_value = "data/processed/default")]
    pub prepared: PathBuf,
    /// Where the analyses write their figures, tables and numbers.
    #[arg(long, value_name = "DIR", default_value = "figures")]
    pub figures: PathBuf,
    /// The curated developer annotations (org type, country).
    #[arg(
        long,
        value_name = "CSV",
        default_value = "data/annotations/developers.csv"
    )]
    pub annotations: PathBuf,
    /// The paper's source, with {{NN.key}} numbers to fill in.
    #[arg(long, value_name = "FILE", default_value = "paper/paper.md")]
    pub paper: PathBuf,
    /// Where the rendered paper goes.
    #[arg(long, value_name = "FILE", default_value = "paper/build/paper.html")]
    pub paper_out: PathBuf,
    /// Where the interactive dashboard goes.
    #[arg(long, value_name = "FILE", default_value = hubecon_dashboard::DEFAULT_OUT)]
    pub dashboard_out: PathBuf,
    /// Regenerate the synthetic sample in data/sample even when one is
    /// there (it is kept between runs otherwise; prepare, the analyses, the
    /// paper and the claims always run again).
    #[arg(long)]
    pub fresh: bool,
}

const RAW: &str = "data/raw";
const SAMPLE: &str = "data/sample";

/// The inputs found in `data/raw` (itself, or its subdirectories such as
/// `release/` and `hub_weekly_snapshots/` that `hubecon fetch` writes).
pub fn raw_inputs(raw: &Path) -> Vec<PathBuf> {
    if detect(raw, FormatChoice::Auto).is_ok() {
        return vec![raw.to_path_buf()];
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(raw)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && detect(p, FormatChoice::Auto).is_ok())
        .collect();
    dirs.sort();
    dirs
}

/// The input to prepare, and a sentence saying which it is.
fn choose_input(
    args: &ReproduceArgs,
    times: &mut Vec<(String, f64)>,
) -> anyhow::Result<(Vec<PathBuf>, String)> {
    if let Some(d) = &args.input {
        return Ok((
            vec![d.clone()],
            format!("the input you gave: {}", d.display()),
        ));
    }
    let real = raw_inputs(Path::new(RAW));
    if !real.is_empty() {
        let list: Vec<String> = real.iter().map(|p| p.display().to_string()).collect();
        return Ok((
            real,
            format!("real data found in {RAW}: {}", list.join(", ")),
        ));
    }
    let sample = Path::new(SAMPLE);
    // Only a folder the generator wrote (it has truth.json) is removed.
    if args.fresh && sample.join("truth.json").is_file() {
        std::fs::remove_dir_all(sample)
            .with_context(|| format!("removing the old sample in {SAMPLE}"))?;
    }
    if !sample.join("truth.json").is_file() {
        let started = Instant::now();
        println!(
            "reproduce: no real data in {RAW}; generating the embedded synthetic sample in {SAMPLE}"
        );
        let bars = Bars::new();
        generate(
            &Scenario::default(),
            DEFAULT_MODELS,
            DEFAULT_SEED,
            sample,
            &|s, d, t| bars.stage(s, d, t),
        )
        .context("generating the synthetic sample")?;
        bars.finish_stage();
        times.push(("synth".into(), started.elapsed().as_secs_f64()));
    }
    Ok((
        vec![sample.to_path_buf()],
        format!(
            "the embedded synthetic sample in {SAMPLE} ({DEFAULT_MODELS} models, seed {DEFAULT_SEED}): not the paper's data"
        ),
    ))
}

/// The files `reproduce` reads late, checked before it writes anything: run
/// from elsewhere than the workspace root, it would otherwise write the
/// sample (about 90 MB) and fail at the annotations.
fn preflight(args: &ReproduceArgs) -> anyhow::Result<()> {
    for (what, path) in [
        ("the developer annotations", &args.annotations),
        ("the paper's source", &args.paper),
    ] {
        if !path.is_file() {
            let cwd = std::env::current_dir().unwrap_or_default();
            let root = cwd
                .ancestors()
                .find(|d| d.join(&args.annotations).is_file() && d.join(&args.paper).is_file());
            let hint = match root {
                Some(r) => format!("run it from the workspace root: cd {}", r.display()),
                None => {
                    "run it from the workspace root, where data/ and paper/ are, or name the file"
                        .to_string()
                }
            };
            return Err(crate::UsageError(format!(
                "{} ({what}) is not in {}; {hint}",
                path.display(),
                cwd.display()
            ))
            .into());
        }
    }
    Ok(())
}

pub fn run(args: ReproduceArgs) -> anyhow::Result<()> {
    super::renamed(
        &args.old_data,
        "--data",
        "--input",
        "raw input, as for prepare",
    )?;
    preflight(&args)?;
    let mut times: Vec<(String, f64)> = Vec::new();
    let (inputs, which) = choose_input(&args, &mut times)?;
    println!("reproduce: input is {which}");

    let started = Instant::now();
    let opts = PrepareOptions {
        inputs,
        format: FormatChoice::Auto,
        annotations: args.annotations.clone(),
        snapshot_date: None,
    };
    let prepared = prepare_dataset(&opts, &args.prepared, &Bars::new())?;
    println!(
        "reproduce: prepared {} ({} models, {} model-weeks)",
        args.prepared.display(),
        prepared.models.height(),
        prepared.downloads.height()
    );
    let weekly = prepared.downloads.height() > 0;
    drop(prepared);
    times.push(("prepare".into(), started.elapsed().as_secs_f64()));

    let started = Instant::now();
    figures(&args.prepared, &args.figures)?;
    times.push(("analyses".into(), started.elapsed().as_secs_f64()));

    let started = Instant::now();
    hubecon_analyses::paper::build(&args.paper, &args.figures, &args.paper_out)?;
    times.push(("paper".into(), started.elapsed().as_secs_f64()));

    // The dashboard explores downloads over time: a single-date input has
    // none, so it is left out with a note rather than failing the run.
    let started = Instant::now();
    if weekly {
        dashboard(&args.figures, &args.dashboard_out)?;
        times.push(("dashboard".into(), started.elapsed().as_secs_f64()));
    } else {
        println!("reproduce: no dashboard: the input has no weekly downloads to explore");
    }

    let started = Instant::now();
    claims(&args.figures)?;
    times.push(("claims".into(), started.elapsed().as_secs_f64()));

    println!("\nreproduce: done");
    println!(
        "  figures: {}/NN_*.{{svg,png,csv,json}}",
        args.figures.display()
    );
    println!("  paper:   {}", args.paper_out.display());
    println!("  dashboard: {}", args.dashboard_out.display());
    println!("  claims:  {}", args.figures.join("claims.csv").display());
    println!("  time by stage:");
    for (stage, s) in &times {
        println!("    {stage:<9} {s:>7.1} s");
    }
    println!(
        "    {:<9} {:>7.1} s",
        "total",
        times.iter().map(|t| t.1).sum::<f64>()
    );
    Ok(())
}
