//! `hubecon figures`, `hubecon claims`, `hubecon paper`: the study's outputs
//! from a prepared dataset.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use hubecon_analyses::claims::{Numbers, Verdict, csv, evaluate, table};
use hubecon_analyses::output::write_atomic;
use hubecon_analyses::registry;

/// Run every numbered analysis (01-13) on a prepared dataset, in one
/// process, writing figures/NN_slug.{svg,png,csv,json}.
#[derive(Args)]
pub struct FiguresArgs {
    /// A prepared dataset directory (written by `hubecon prepare`).
    #[arg(long, value_name = "DIR", default_value = "data/processed/default")]
    pub dataset: PathBuf,
    /// The old spelling of --dataset, refused with its new name.
    #[arg(long = "data", value_name = "DIR", hide = true)]
    pub old_data: Option<PathBuf>,
    /// Where the figures go.
    #[arg(long, value_name = "DIR", default_value = "figures")]
    pub out: PathBuf,
}

pub fn run_figures(args: FiguresArgs) -> anyhow::Result<()> {
    super::renamed(&args.old_data, "--data", "--dataset", "a prepared dataset")?;
    figures(&args.dataset, &args.out).map(|_| ())
}

/// Runs all analyses into a new set that replaces `out` whole
/// ([`hubecon_analyses::output_set`]); prints each one's time.
pub fn figures(data: &Path, out: &Path) -> anyhow::Result<Vec<registry::Ran>> {
    hubecon_analyses::output_set::run_all_as_one_set(data, out, |r| {
        println!(
            "figures: {} ({} files, {:.1} s)",
            r.stem,
            r.files.len(),
            r.seconds
        )
    })
}

/// Evaluate every claim of the study (C1-C13) on the analyses' outputs:
/// published value, measured value, the rule, and the verdict: holds (its
/// direction significant at q < 0.05, Benjamini-Hochberg over the claims),
/// does not hold (the opposite is significant, or the magnitude is far from
/// the published one), not significant (neither direction is), or not
/// measurable (the data lack it), with the test, effect, interval, p and q
/// that decided it. Writes figures/claims.csv and claims.json.
#[derive(Args)]
pub struct ClaimsArgs {
    /// The analyses' outputs.
    #[arg(long, value_name = "DIR", default_value = "figures")]
    pub figures: PathBuf,
    /// Run the analyses on this prepared dataset first.
    #[arg(long, value_name = "DIR")]
    pub dataset: Option<PathBuf>,
    /// The old spelling of --dataset, refused with its new name.
    #[arg(long = "data", value_name = "DIR", hide = true)]
    pub old_data: Option<PathBuf>,
    /// Exit with code 1 when any claim does not hold (for regression checks
    /// on a new snapshot).
    #[arg(long)]
    pub strict: bool,
}

pub fn run_claims(args: ClaimsArgs) -> anyhow::Result<()> {
    super::renamed(&args.old_data, "--data", "--dataset", "a prepared dataset")?;
    if let Some(data) = &args.dataset {
        figures(data, &args.figures)?;
    }
    let failed = claims(&args.figures)?;
    if args.strict && failed > 0 {
        anyhow::bail!("{failed} claim(s) do not hold (--strict)");
    }
    Ok(())
}

/// Evaluates, writes claims.csv/claims.json, prints the table; returns how
/// many claims do not hold.
pub fn claims(figures_dir: &Path) -> anyhow::Result<usize> {
    let numbers = Numbers::load(figures_dir)?;
    let results = evaluate(&numbers);
    write_atomic(&figures_dir.join("claims.csv"), csv(&results)?.as_bytes())?;
    let json = serde_json::to_string_pretty(&results)? + "\n";
    write_atomic(&figures_dir.join("claims.json"), json.as_bytes())?;
    print!("{}", table(&results));
    if numbers.synthetic {
        println!("(synthetic sample: verdicts test the pipeline, not the Hub)");
    }
    println!(
        "claims: wrote {} and claims.json",
        figures_dir.join("claims.csv").display()
    );
    Ok(results
        .iter()
        .filter(|r| r.verdict == Verdict::DoesNotHold)
        .count())
}

/// Render paper/paper.md to a self-contained paper/build/paper.html with
/// every {{NN.key}} filled from figures/*.json (an unknown key fails the
/// build with its name).
#[derive(Args)]
pub struct PaperArgs {
    /// The paper's markdown source, with {{NN.key}} numbers to fill in.
    #[arg(long, value_name = "FILE", default_value = "paper/paper.md")]
    pub source: PathBuf,
    /// The analyses' outputs the numbers and figures come from.
    #[arg(long, value_name = "DIR", default_value = "figures")]
    pub figures: PathBuf,
    /// Where the rendered, self-contained HTML page goes.
    #[arg(long, value_name = "FILE", default_value = "paper/build/paper.html")]
    pub out: PathBuf,
}

pub fn run_paper(args: PaperArgs) -> anyhow::Result<()> {
    hubecon_analyses::paper::build(&args.source, &args.figures, &args.out)
        .with_context(|| format!("building {}", args.out.display()))?;
    println!("paper: wrote {}", args.out.display());
    Ok(())
}

/// Compare two runs: every headline number that moved (old, new, change,
/// whether the move is outside the baseline's interval) and every claim
/// whose verdict changed. Each side is an output folder (figures/ with
/// NN_*.json) or a prepared dataset (analysed first, in a temporary folder).
#[derive(Args)]
pub struct CompareArgs {
    /// The reference run: a figures folder or a prepared dataset (e.g. the
    /// published snapshot's).
    #[arg(long, value_name = "DIR")]
    pub baseline: PathBuf,
    /// The run to check against it (e.g. a new Hub snapshot's).
    #[arg(long, value_name = "DIR")]
    pub candidate: PathBuf,
    /// Exit with code 1 when a claim's verdict flips.
    #[arg(long)]
    pub strict: bool,
    /// Also write the comparison as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

pub fn run_compare(args: CompareArgs) -> anyhow::Result<()> {
    let (a, _keep_a) = numbers_of(&args.baseline)?;
    let (b, _keep_b) = numbers_of(&args.candidate)?;
    let comparison = hubecon_analyses::compare::compare(&a, &b);
    print!("{}", hubecon_analyses::compare::report(&comparison));
    if let Some(path) = &args.json {
        write_atomic(
            path,
            (serde_json::to_string_pretty(&comparison)? + "\n").as_bytes(),
        )?;
        println!("compare: wrote {}", path.display());
    }
    if args.strict && !comparison.flipped.is_empty() {
        anyhow::bail!(
            "{} claim(s) changed verdict (--strict)",
            comparison.flipped.len()
        );
    }
    Ok(())
}

/// The headline numbers of an output folder, or of a prepared dataset after
/// running every analysis on it (the temporary folder is kept alive by the
/// returned guard).
fn numbers_of(dir: &Path) -> anyhow::Result<(Numbers, Option<tempfile::TempDir>)> {
    if dir.join(hubecon_ingest::schema::files::MANIFEST).is_file() {
        let tmp = tempfile::tempdir()?;
        figures(dir, tmp.path())?;
        return Ok((Numbers::load(tmp.path())?, Some(tmp)));
    }
    let numbers = Numbers::load(dir)?;
    if numbers.keys().next().is_none() {
        anyhow::bail!(
            "{} holds neither NN_*.json analysis outputs nor a prepared dataset (manifest.json)",
            dir.display()
        );
    }
    Ok((numbers, None))
}
