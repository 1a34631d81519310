//! `hubecon-bench run`: every stage at full scale as whole processes, the
//! core aggregations side by side with DuckDB and pandas, and the report.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use clap::Args;
use serde::{Deserialize, Serialize};

use crate::agree::{Agreement, compare};
use crate::core::AGGREGATIONS;
use crate::machine::Machine;
use crate::process::{ProcessCost, run_measured};
use crate::report::{CoreResult, Report, ToolTime};

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Models in the main run (the study's size).
    #[arg(long, default_value_t = 851_000)]
    pub models: usize,
    /// Models in the growth run (the Hub's size in late 2025); 0 skips it.
    #[arg(long, default_value_t = 2_160_000)]
    pub large: usize,
    /// Where the synthetic inputs (kept between runs) and outputs go.
    #[arg(long, default_value = "bench/cache")]
    pub cache: PathBuf,
    /// Where results.md and results.json go.
    #[arg(long, default_value = "bench")]
    pub out: PathBuf,
    /// The directory of the hubecon binaries to time (hubecon and the
    /// numbered analysis binaries).
    #[arg(long, default_value = "target/release")]
    pub bin_dir: PathBuf,
    /// The Python with duckdb and pandas (bench/peers/requirements.txt).
    #[arg(long, default_value = "bench/.venv/bin/python")]
    pub python: PathBuf,
    /// Timed runs of each core aggregation per tool (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// Regenerate the synthetic inputs even if cached.
    #[arg(long)]
    pub fresh: bool,
    /// The build profile the binaries came from (recorded in the report).
    #[arg(long, default_value = "release")]
    pub profile: String,
}

/// One stage of one scale, timed as a whole process.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StageResult {
    pub models: usize,
    pub stage: String,
    pub cost: ProcessCost,
    /// True when the synthetic input came from the cache: its cost is the
    /// one measured when it was generated.
    pub cached: bool,
    pub input_bytes: u64,
    pub output_bytes: u64,
}

pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    let hubecon = args.bin_dir.join("hubecon");
    if !hubecon.is_file() {
        bail!(
            "{} not found: build it first (cargo build --profile {} -p hubecon-cli -p hubecon-analyses), or pass --bin-dir",
            hubecon.display(),
            args.profile
        );
    }
    if !args.python.is_file() {
        bail!(
            "{} not found: create it with `python3 -m venv bench/.venv && bench/.venv/bin/pip install -r bench/peers/requirements.txt` (cargo make bench does), or pass --python",
            args.python.display()
        );
    }
    std::fs::create_dir_all(&args.cache)
        .with_context(|| format!("creating {}", args.cache.display()))?;
    let mut stages = scale_stages(args, args.models, true)?;
    let core = core_side_by_side(args, &prepared_dir(args, args.models))?;
    if args.large > 0 {
        stages.extend(scale_stages(args, args.large, false)?);
    }
    let dashboard = args
        .cache
        .join(format!("reproduce-{}/dashboard.html", args.models));
    let report = Report {
        machine: Machine::detect(),
        profile: args.profile.clone(),
        stages,
        core,
        dashboard_bytes: dashboard.is_file().then(|| dir_bytes(&dashboard)),
    };
    report.write(&args.out)
}

fn synth_dir(args: &RunArgs, models: usize) -> PathBuf {
    args.cache.join(format!("synth-{models}"))
}

fn prepared_dir(args: &RunArgs, models: usize) -> PathBuf {
    args.cache.join(format!("prepared-{models}"))
}

/// Synth (or its cached cost), prepare, all analyses in one process, and,
/// when `each` is set, every analysis alone and the whole reproduce.
fn scale_stages(args: &RunArgs, models: usize, each: bool) -> anyhow::Result<Vec<StageResult>> {
    let hubecon = args.bin_dir.join("hubecon");
    let input = synth_dir(args, models);
    let prepared = prepared_dir(args, models);
    let figures = args.cache.join(format!("figures-{models}"));
    let mut out = vec![synth_stage(args, models)?];
    eprintln!("== prepare, {models} models");
    out.push(stage(
        models,
        "prepare",
        Command::new(&hubecon)
            .arg("prepare")
            .arg("--input")
            .arg(&input)
            .arg("--out")
            .arg(&prepared),
        &input,
        &prepared,
    )?);
    eprintln!("== all analyses in one process, {models} models");
    out.push(stage(
        models,
        "analyses (hubecon figures)",
        Command::new(&hubecon)
            .arg("figures")
            .arg("--dataset")
            .arg(&prepared)
            .arg("--out")
            .arg(&figures),
        &prepared,
        &figures,
    )?);
    if !each {
        return Ok(out);
    }
    let alone = args.cache.join(format!("figures-{models}-each"));
    for a in hubecon_analyses::ANALYSES.iter() {
        eprintln!("== analysis {} alone", a.stem);
        let mut cmd = Command::new(args.bin_dir.join(a.stem));
        cmd.arg("--dataset").arg(&prepared).arg("--out").arg(&alone);
        out.push(stage(
            models,
            &format!("analysis {}", a.stem),
            &mut cmd,
            &prepared,
            &alone,
        )?);
    }
    eprintln!("== the whole reproduce, {models} models");
    let whole = args.cache.join(format!("reproduce-{models}"));
    let mut cmd = Command::new(&hubecon);
    cmd.arg("reproduce")
        .arg("--input")
        .arg(&input)
        .arg("--prepared")
        .arg(whole.join("prepared"))
        .arg("--figures")
        .arg(whole.join("figures"))
        .arg("--paper-out")
        .arg(whole.join("paper.html"))
        .arg("--dashboard-out")
        .arg(whole.join("dashboard.html"));
    out.push(stage(
        models,
        "reproduce (prepare + analyses + paper + claims)",
        &mut cmd,
        &input,
        &whole,
    )?);
    Ok(out)
}

/// The synthetic input: generated (and its cost saved next to it) unless
/// cached from an earlier run with the same size.
fn synth_stage(args: &RunArgs, models: usize) -> anyhow::Result<StageResult> {
    let dir = synth_dir(args, models);
    let cost_file = args.cache.join(format!("synth-{models}.cost.json"));
    if !args.fresh && dir.join("truth.json").is_file() && cost_file.is_file() {
        let text = std::fs::read_to_string(&cost_file)?;
        let mut cached: StageResult = serde_json::from_str(&text)
            .with_context(|| format!("reading {}", cost_file.display()))?;
        cached.cached = true;
        eprintln!("== synth, {models} models: cached in {}", dir.display());
        return Ok(cached);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    eprintln!(
        "== synth, {models} models (kept in {} for later runs)",
        dir.display()
    );
    let mut cmd = Command::new(args.bin_dir.join("hubecon"));
    cmd.arg("synth")
        .arg("--models")
        .arg(models.to_string())
        .arg("--out")
        .arg(&dir);
    let result = stage(models, "synth", &mut cmd, Path::new(""), &dir)?;
    std::fs::write(&cost_file, serde_json::to_string_pretty(&result)?)
        .with_context(|| format!("writing {}", cost_file.display()))?;
    Ok(result)
}

fn stage(
    models: usize,
    name: &str,
    cmd: &mut Command,
    input: &Path,
    output: &Path,
) -> anyhow::Result<StageResult> {
    let (cost, _stdout) =
        run_measured(cmd).with_context(|| format!("stage {name}, {models} models"))?;
    eprintln!(
        "   {name}: {:.1} s, peak RSS {:.2} GiB",
        cost.wall_seconds,
        cost.peak_rss_bytes as f64 / (1u64 << 30) as f64
    );
    Ok(StageResult {
        models,
        stage: name.to_string(),
        cost,
        cached: false,
        input_bytes: dir_bytes(input),
        output_bytes: dir_bytes(output),
    })
}

/// Bytes of every file under `path` (0 when it does not exist).
pub fn dir_bytes(path: &Path) -> u64 {
    if path.is_file() {
        return path.metadata().map(|m| m.len()).unwrap_or(0);
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries.flatten().map(|e| dir_bytes(&e.path())).sum()
}

/// Timings written by `hubecon-bench core` and by each peer.
#[derive(Deserialize)]
struct Timings {
    tool: String,
    version: String,
    seconds: std::collections::BTreeMap<String, Vec<f64>>,
}

/// The three core aggregations by hubecon, DuckDB and pandas on the same
/// prepared files, checked for agreement.
fn core_side_by_side(args: &RunArgs, prepared: &Path) -> anyhow::Result<Vec<CoreResult>> {
    let base = args.cache.join("core");
    let repeats = args.repeats.to_string();
    let exe = std::env::current_exe().context("finding hubecon-bench itself")?;
    let mut tools = Vec::new();
    for (tool, mut cmd) in [
        ("hubecon", Command::new(&exe)),
        ("duckdb", python_peer(args, "duckdb_core.py")),
        ("pandas", python_peer(args, "pandas_core.py")),
    ] {
        eprintln!("== core aggregations: {tool}");
        if tool == "hubecon" {
            cmd.arg("core");
        }
        cmd.arg("--data")
            .arg(prepared)
            .arg("--out")
            .arg(base.join(tool));
        cmd.arg("--repeats").arg(&repeats);
        let (cost, _) =
            run_measured(&mut cmd).with_context(|| format!("core aggregations in {tool}"))?;
        let path = base.join(tool).join("timings.json");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let timings: Timings =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        tools.push((timings, cost));
    }
    let mut out = Vec::new();
    for a in AGGREGATIONS.iter() {
        let mut times = Vec::new();
        let mut agreements: Vec<Agreement> = Vec::new();
        for (timings, cost) in &tools {
            let seconds = timings.seconds.get(a.id).cloned().unwrap_or_default();
            times.push(ToolTime {
                tool: timings.tool.clone(),
                version: timings.version.clone(),
                median_seconds: median(&seconds),
                seconds,
                process_peak_rss_bytes: cost.peak_rss_bytes,
            });
            if timings.tool != "hubecon" {
                let file = format!("{}.csv", a.id);
                agreements.push(compare(
                    a.id,
                    a.keys,
                    &base.join("hubecon").join(&file),
                    &timings.tool,
                    &base.join(&timings.tool).join(&file),
                )?);
            }
        }
        out.push(CoreResult {
            id: a.id.to_string(),
            what: a.what.to_string(),
            times,
            agreements,
        });
    }
    Ok(out)
}

fn python_peer(args: &RunArgs, script: &str) -> Command {
    let mut cmd = Command::new(&args.python);
    cmd.arg(Path::new("bench/peers").join(script));
    cmd
}

pub fn median(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn dir_bytes_counts_nested_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/x"), [0u8; 10]).unwrap();
        std::fs::write(dir.path().join("y"), [0u8; 5]).unwrap();
        assert_eq!(dir_bytes(dir.path()), 15);
        assert_eq!(dir_bytes(&dir.path().join("missing")), 0);
    }
}
