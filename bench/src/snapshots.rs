//! `hubecon-bench snapshots`: prepare on full-size weekly hub-stats
//! snapshots (issue 19). The generator writes `--weeks` weekly snapshots of
//! `--models` models in the hub-stats layout (kept in the cache); prepare
//! then runs on the first k of them for a few k, as whole processes, so the
//! cost per snapshot and the growth of memory with the number of snapshots
//! can be read off, and extrapolated to the public series' length.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use chrono::{Duration, NaiveDate};
use clap::Args;
use serde::Serialize;

use crate::process::{ProcessCost, run_measured};
use crate::run::dir_bytes;

/// The last snapshot the generator writes (its calendar's end).
const LAST_SNAPSHOT: (i32, u32, u32) = (2025, 8, 31);

#[derive(Args, Debug)]
pub struct SnapshotsArgs {
    /// Models in every snapshot (the Hub had about 2.2M in late 2025).
    #[arg(long, default_value_t = 2_200_000)]
    pub models: usize,
    /// Weekly snapshots to generate (the last ones of the calendar).
    #[arg(long, default_value_t = 13)]
    pub weeks: usize,
    /// Weeks to extrapolate to (2024-07 to late 2026 is about 125).
    #[arg(long, default_value_t = 125)]
    pub extrapolate_to: usize,
    /// Where the snapshots (kept between runs) and prepared datasets go.
    #[arg(long, default_value = "bench/cache")]
    pub cache: PathBuf,
    /// Where results-snapshots.md and .json go.
    #[arg(long, default_value = "bench")]
    pub out: PathBuf,
    /// The directory of the hubecon binary to time.
    #[arg(long, default_value = "target/release")]
    pub bin_dir: PathBuf,
    /// Regenerate the snapshots even if cached.
    #[arg(long)]
    pub fresh: bool,
}

/// prepare on the first `snapshots` snapshots.
#[derive(Debug, Serialize)]
pub struct PrepareRun {
    pub snapshots: usize,
    pub observations: u64,
    pub input_bytes: u64,
    pub cost: ProcessCost,
}

#[derive(Debug, Serialize)]
pub struct SnapshotReport {
    pub models: usize,
    pub weeks: usize,
    pub synth: Option<ProcessCost>,
    pub runs: Vec<PrepareRun>,
    /// Least-squares slope and intercept of wall seconds on snapshots.
    pub seconds_per_snapshot: f64,
    pub seconds_fixed: f64,
    /// Least-squares slope of peak RSS (bytes) on snapshots.
    pub rss_bytes_per_snapshot: f64,
    pub rss_bytes_fixed: f64,
    pub extrapolate_to: usize,
    pub extrapolated_seconds: f64,
    pub extrapolated_rss_bytes: f64,
}

pub fn run(args: &SnapshotsArgs) -> anyhow::Result<()> {
    let hubecon = args.bin_dir.join("hubecon");
    if !hubecon.is_file() {
        bail!(
            "{} not found: build it first, or pass --bin-dir",
            hubecon.display()
        );
    }
    if args.weeks < 2 {
        bail!("--weeks must be at least 2 (the first snapshot is the baseline)");
    }
    let dir = args
        .cache
        .join(format!("snapshots-{}x{}", args.models, args.weeks));
    let synth = generate(args, &hubecon, &dir)?;
    let mut dates = snapshot_dirs(&dir.join("models"))?;
    dates.sort();
    let mut runs = Vec::new();
    for k in counts(dates.len()) {
        runs.push(prepare_first(args, &hubecon, &dir, &dates[..k])?);
    }
    let report = summarise(args, synth, runs);
    write(&args.out, &report)
}

/// The snapshot counts prepare runs on: about a third, two thirds and all.
fn counts(n: usize) -> Vec<usize> {
    let mut k: Vec<usize> = [n.div_ceil(3), (2 * n).div_ceil(3), n]
        .into_iter()
        .map(|k| k.max(2))
        .collect();
    k.dedup();
    k
}

/// The generator's scenario: the default Hub, every weekly snapshot written
/// (no compact layout at this size), from `weeks` Sundays before the last.
fn scenario(weeks: usize) -> String {
    let (y, m, d) = LAST_SNAPSHOT;
    let last = NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    let first = last - Duration::weeks(weeks as i64 - 1);
    let text = include_str!("../../crates/synth/scenarios/default.toml").replacen(
        "layout = \"auto\"",
        "layout = \"weekly\"",
        1,
    );
    text.replacen(
        "[formats]\n",
        &format!("[formats]\nsnapshots_from = \"{first}\"\nrelease_from = \"{last}\"\n"),
        1,
    )
}

/// Generates the snapshots unless cached; returns the cost when it ran.
fn generate(
    args: &SnapshotsArgs,
    hubecon: &Path,
    dir: &Path,
) -> anyhow::Result<Option<ProcessCost>> {
    if !args.fresh && dir.join("truth.json").is_file() {
        eprintln!("== snapshots: cached in {}", dir.display());
        return Ok(None);
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(&args.cache)?;
    let toml = args.cache.join(format!("snapshots-{}.toml", args.weeks));
    std::fs::write(&toml, scenario(args.weeks))
        .with_context(|| format!("writing {}", toml.display()))?;
    eprintln!(
        "== synth: {} weekly snapshots of up to {} models",
        args.weeks, args.models
    );
    let (cost, _) = run_measured(
        Command::new(hubecon)
            .arg("synth")
            .arg("--models")
            .arg(args.models.to_string())
            .arg("--scenario")
            .arg(&toml)
            .arg("--out")
            .arg(dir),
    )?;
    Ok(Some(cost))
}

fn snapshot_dirs(models: &Path) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(models).with_context(|| format!("reading {}", models.display()))? {
        let name = e?.file_name().to_string_lossy().into_owned();
        if name.len() == 10 {
            out.push(name);
        }
    }
    Ok(out)
}

/// prepare on an input folder of links to the first snapshots.
fn prepare_first(
    args: &SnapshotsArgs,
    hubecon: &Path,
    dir: &Path,
    dates: &[String],
) -> anyhow::Result<PrepareRun> {
    let k = dates.len();
    let input = args.cache.join(format!("snapshots-first-{k}"));
    if input.exists() {
        std::fs::remove_dir_all(&input)?;
    }
    std::fs::create_dir_all(input.join("models"))?;
    for d in dates {
        let target = std::fs::canonicalize(dir.join("models").join(d))?;
        std::os::unix::fs::symlink(&target, input.join("models").join(d))?;
    }
    let out = args.cache.join(format!("prepared-snapshots-{k}"));
    eprintln!("== prepare on {k} snapshots");
    let (cost, _) = run_measured(
        Command::new(hubecon)
            .arg("prepare")
            .arg("--input")
            .arg(&input)
            .arg("--out")
            .arg(&out),
    )?;
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json"))?)?;
    let input_bytes = dates
        .iter()
        .map(|d| dir_bytes(&dir.join("models").join(d)))
        .sum();
    eprintln!(
        "   {k} snapshots: {:.1} s, peak RSS {:.2} GiB",
        cost.wall_seconds,
        cost.peak_rss_bytes as f64 / (1u64 << 30) as f64
    );
    Ok(PrepareRun {
        snapshots: k,
        observations: manifest["rules"]["observations"].as_u64().unwrap_or(0),
        input_bytes,
        cost,
    })
}

/// Least-squares line `y = a + b x`, as `(b, a)`.
fn line(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let b = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (b, my - b * mx)
}

fn summarise(
    args: &SnapshotsArgs,
    synth: Option<ProcessCost>,
    runs: Vec<PrepareRun>,
) -> SnapshotReport {
    let wall: Vec<(f64, f64)> = runs
        .iter()
        .map(|r| (r.snapshots as f64, r.cost.wall_seconds))
        .collect();
    let rss: Vec<(f64, f64)> = runs
        .iter()
        .map(|r| (r.snapshots as f64, r.cost.peak_rss_bytes as f64))
        .collect();
    let (per, fixed) = line(&wall);
    let (rss_per, rss_fixed) = line(&rss);
    let to = args.extrapolate_to as f64;
    SnapshotReport {
        models: args.models,
        weeks: args.weeks,
        synth,
        runs,
        seconds_per_snapshot: per,
        seconds_fixed: fixed,
        rss_bytes_per_snapshot: rss_per,
        rss_bytes_fixed: rss_fixed,
        extrapolate_to: args.extrapolate_to,
        extrapolated_seconds: fixed + per * to,
        extrapolated_rss_bytes: rss_fixed + rss_per * to,
    }
}

fn gib(b: f64) -> f64 {
    b / (1u64 << 30) as f64
}

fn write(out: &Path, r: &SnapshotReport) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    let json = serde_json::to_string_pretty(r)? + "\n";
    std::fs::write(out.join("results-snapshots.json"), json)?;
    let mut md = format!(
        "# prepare on weekly snapshots ({} models, up to {} snapshots)\n\n\
         Written by `hubecon-bench snapshots`. Targets (issue 19): at most 15 s per\n\
         snapshot, peak RSS at most 8 GiB, memory not growing with the number of\n\
         snapshots beyond the observation table.\n\n\
         | snapshots | observations | input | wall | per snapshot | peak RSS |\n|---|---|---|---|---|---|\n",
        r.models, r.weeks
    );
    for run in &r.runs {
        md.push_str(&format!(
            "| {} | {} | {:.0} | {:.1} s | {:.2} s | {:.2} GiB |\n",
            run.snapshots,
            run.observations,
            run.input_bytes as f64 / (1u64 << 20) as f64,
            run.cost.wall_seconds,
            run.cost.wall_seconds / run.snapshots as f64,
            gib(run.cost.peak_rss_bytes as f64)
        ));
    }
    md.push_str(&format!(
        "\nFitted: {:.2} s per snapshot plus {:.1} s; {:.3} GiB per snapshot plus {:.2} GiB.\n\
         Extrapolated to {} snapshots: {:.0} s and {:.2} GiB peak RSS.\n",
        r.seconds_per_snapshot,
        r.seconds_fixed,
        gib(r.rss_bytes_per_snapshot),
        gib(r.rss_bytes_fixed),
        r.extrapolate_to,
        r.extrapolated_seconds,
        gib(r.extrapolated_rss_bytes)
    ));
    std::fs::write(out.join("results-snapshots.md"), md)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenario_writes_the_last_weeks_weekly() {
        let text = scenario(13);
        assert!(text.contains("layout = \"weekly\""));
        assert!(
            text.contains("snapshots_from = \"2025-06-08\""),
            "13 Sundays to 2025-08-31"
        );
        assert!(text.contains("release_from = \"2025-08-31\""));
    }

    #[test]
    fn runs_take_thirds_of_the_snapshots() {
        assert_eq!(counts(13), vec![5, 9, 13]);
        assert_eq!(counts(2), vec![2]);
        assert_eq!(counts(4), vec![2, 3, 4]);
    }

    #[test]
    fn the_line_through_exact_points_is_found() {
        let (b, a) = line(&[(1.0, 5.0), (2.0, 7.0), (4.0, 11.0)]);
        assert!((b - 2.0).abs() < 1e-12 && (a - 3.0).abs() < 1e-12);
    }
}
