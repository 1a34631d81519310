//! `hubecon-bench null`: the false-positive rate of every claim on the null
//! Hub (issue 20). For each of `--seeds` seeds the null scenario
//! (`crates/synth/scenarios/null.toml`, where nothing the claims are about
//! changes) is generated, prepared, analysed and its claims evaluated, each
//! as a whole `hubecon` process; a claim that "holds" on it is a false
//! positive. Writes `results-null.md` and `.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use clap::Args;
use serde::Serialize;

#[derive(Args, Debug)]
pub struct NullArgs {
    /// Seeds of the null Hub (1, 2, ...).
    #[arg(long, default_value_t = 20)]
    pub seeds: u64,
    /// Models of each null Hub (the embedded sample's size).
    #[arg(long, default_value_t = 20_000)]
    pub models: usize,
    /// The null scenario.
    #[arg(long, default_value = "crates/synth/scenarios/null.toml")]
    pub scenario: PathBuf,
    /// Where the generated Hubs go (removed after each seed).
    #[arg(long, default_value = "bench/cache/null")]
    pub cache: PathBuf,
    /// Where results-null.md and .json go.
    #[arg(long, default_value = "bench")]
    pub out: PathBuf,
    /// The directory of the hubecon binary.
    #[arg(long, default_value = "target/release")]
    pub bin_dir: PathBuf,
}

/// The verdicts of one claim over the seeds.
#[derive(Debug, Default, Serialize)]
pub struct ClaimTally {
    pub verdicts: BTreeMap<String, usize>,
    /// Seeds on which the claim "holds" (false positives).
    pub holds_seeds: Vec<u64>,
    pub false_positive_rate: f64,
}

#[derive(Debug, Serialize)]
pub struct NullReport {
    pub seeds: u64,
    pub models: usize,
    pub claims: BTreeMap<String, ClaimTally>,
}

pub fn run(args: &NullArgs) -> anyhow::Result<()> {
    let hubecon = args.bin_dir.join("hubecon");
    if !hubecon.is_file() {
        bail!(
            "{} not found: build it first, or pass --bin-dir",
            hubecon.display()
        );
    }
    let mut claims: BTreeMap<String, ClaimTally> = BTreeMap::new();
    for seed in 1..=args.seeds {
        eprintln!("== null Hub, seed {seed} of {}", args.seeds);
        for (id, verdict) in verdicts(args, &hubecon, seed)? {
            let t = claims.entry(id).or_default();
            *t.verdicts.entry(verdict.clone()).or_default() += 1;
            if verdict == "holds" {
                t.holds_seeds.push(seed);
            }
        }
    }
    for t in claims.values_mut() {
        t.false_positive_rate = t.holds_seeds.len() as f64 / args.seeds as f64;
    }
    let report = NullReport {
        seeds: args.seeds,
        models: args.models,
        claims,
    };
    write(&args.out, &report)
}

/// `(claim, verdict)` of every claim on the null Hub of `seed`.
fn verdicts(args: &NullArgs, hubecon: &Path, seed: u64) -> anyhow::Result<Vec<(String, String)>> {
    let dir = args.cache.join(format!("seed-{seed}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let (sample, prepared, figures) = (
        dir.join("sample"),
        dir.join("prepared"),
        dir.join("figures"),
    );
    step(
        Command::new(hubecon)
            .args([
                "synth",
                "--models",
                &args.models.to_string(),
                "--seed",
                &seed.to_string(),
            ])
            .arg("--scenario")
            .arg(&args.scenario)
            .arg("--out")
            .arg(&sample),
    )?;
    step(
        Command::new(hubecon)
            .arg("prepare")
            .arg("--input")
            .arg(&sample)
            .arg("--out")
            .arg(&prepared),
    )?;
    step(
        Command::new(hubecon)
            .arg("claims")
            .arg("--dataset")
            .arg(&prepared)
            .arg("--figures")
            .arg(&figures),
    )?;
    let path = figures.join("claims.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let results: Vec<serde_json::Value> = serde_json::from_str(&text)?;
    std::fs::remove_dir_all(&dir)?;
    Ok(results
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (s("id"), s("verdict").replace('_', " "))
        })
        .collect())
}

fn step(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    // `claims` exits 1 when a claim does not hold: that is a result here.
    if !(out.status.success() || out.status.code() == Some(1)) {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

fn write(dir: &Path, report: &NullReport) -> anyhow::Result<()> {
    let mut md = format!(
        "# Claims on the null Hub\n\n`cargo make bench-null` (`hubecon-bench null`): {} seeds of the null \
         scenario (`crates/synth/scenarios/null.toml`, {} models each), where nothing the claims are \
         about changes. A claim that holds is a false positive; the target is a rate of at most 5%.\n\n\
         | claim | holds (false positive) | not significant | does not hold | not measurable | rate |\n\
         |---|---|---|---|---|---|\n",
        report.seeds, report.models
    );
    let mut ids: Vec<&String> = report.claims.keys().collect();
    ids.sort_by_key(|id| id.trim_start_matches('C').parse::<u32>().unwrap_or(0));
    for id in ids {
        let t = &report.claims[id];
        let n = |v: &str| t.verdicts.get(v).copied().unwrap_or(0);
        md.push_str(&format!(
            "| {id} | {} | {} | {} | {} | {:.0}% |\n",
            n("holds"),
            n("not significant"),
            n("does not hold"),
            n("not measurable"),
            100.0 * t.false_positive_rate
        ));
    }
    std::fs::write(dir.join("results-null.md"), md)?;
    std::fs::write(
        dir.join("results-null.json"),
        serde_json::to_string_pretty(report)? + "\n",
    )?;
    eprintln!("wrote {}", dir.join("results-null.md").display());
    Ok(())
}
