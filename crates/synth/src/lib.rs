//! hubecon-synth: a seeded synthetic Hugging Face Hub with planted, known effects.
//!
//! It owns the scenario (every planted parameter, loaded from TOML), the
//! generator of developers, models, lineage and weekly downloads, and the
//! writers of the raw Hub formats the real pipeline reads: hub-stats weekly
//! snapshots `models/<YYYY-MM-DD>/models.parquet`, the annotated release
//! `release/all_downloads_with_annotations.parquet`, plus `truth.json` (the
//! values the analyses must recover, with tolerances) and
//! `truth_models.parquet` (each model's true relation and parents).
//! Same scenario and seed give byte-identical files.

mod attach;
mod attributes;
mod bases;
mod calendar;
mod catalog;
mod columns;
mod developers;
mod downloads;
mod error;
mod hubstats;
mod metadata;
mod modality;
mod models;
mod names;
mod profile;
mod rake;
mod release;
mod scenario;
mod truth;
mod validate;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rand::SeedableRng;
use rand_pcg::Pcg64;

pub use calendar::PERIODS;
pub use error::SynthError;
pub use scenario::{
    Anomalies, Attributes, ByPeriod, Developers, Formats, Intermediary, Layout, Lineage,
    NamedDevelopers, Popularity, Population, Scenario, Shares, Trajectories,
};

/// The default scenario as TOML (every key commented).
pub const DEFAULT_SCENARIO_TOML: &str = include_str!("../scenarios/default.toml");
/// The public scenario as TOML: the default Hub with the public data's
/// coverage (snapshots from 2024-07-28, the release from 2025-02-26).
pub const PUBLIC_SCENARIO_TOML: &str = include_str!("../scenarios/public.toml");
/// The null scenario as TOML: the default Hub with every claimed change
/// flattened (the default's 2024 values in every period).
pub const NULL_SCENARIO_TOML: &str = include_str!("../scenarios/null.toml");
/// Default seed of the embedded sample.
pub const DEFAULT_SEED: u64 = 20251127;
/// Default number of models of the embedded sample.
pub const DEFAULT_MODELS: usize = 20_000;

/// What a run wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SynthReport {
    /// `weekly` or `compact`.
    pub layout: String,
    pub models: usize,
    pub developers: usize,
    pub snapshots_written: usize,
    pub snapshot_rows: usize,
    pub release_rows: usize,
    /// Total downloads over the period (sum of the final cumulative counters).
    pub total_downloads: u64,
    pub files: Vec<PathBuf>,
}

/// Stage salts: each stage has its own random stream.
const SALT_DEVELOPERS: u64 = 0x00D1;
const SALT_MODELS: u64 = 0x00D2;
const SALT_DOWNLOADS: u64 = 0x00D3;

fn stream(seed: u64, salt: u64) -> Pcg64 {
    Pcg64::seed_from_u64(seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Generate a synthetic Hub of `n_models` models into `out`.
///
/// `progress(stage, done, total)` is called as work advances.
pub fn generate(
    scenario: &Scenario,
    n_models: usize,
    seed: u64,
    out: &Path,
    progress: &dyn Fn(&str, u64, u64),
) -> Result<SynthReport, SynthError> {
    scenario.validate()?;
    modality::check()?;
    if n_models < 10 {
        return Err(SynthError::Size {
            n_models,
            message: "at least 10 models are needed".into(),
        });
    }
    let cal = calendar::Calendar::new();
    let layout = scenario.resolved_layout(n_models);
    progress("developers", 0, 1);
    let devs = developers::build(scenario, n_models, &mut stream(seed, SALT_DEVELOPERS))?;
    progress("models", 0, n_models as u64);
    let models = models::generate(
        scenario,
        &devs,
        n_models,
        seed,
        &mut stream(seed, SALT_MODELS),
    )?;
    progress("downloads", 0, n_models as u64);
    // The snapshots' static columns depend on the models only: they are
    // built while the downloads are drawn.
    let (master, observed) = std::thread::scope(|scope| {
        let master = scope.spawn(|| hubstats::master(&devs, &models));
        let observed = downloads::generate(
            scenario,
            &devs,
            &models,
            cal.n_weeks(),
            layout,
            &mut stream(seed, SALT_DOWNLOADS),
        );
        (master.join(), observed)
    });
    let master = master
        .unwrap_or_else(|_| {
            Err(PolarsError::ComputeError(
                "the snapshot column builder panicked".into(),
            ))
        })
        .map_err(|e| SynthError::polars(&out.join("models"), e))?;
    std::fs::create_dir_all(out).map_err(|e| SynthError::io(out, e))?;
    remove_previous(out, &cal)?;
    let mut files = Vec::new();
    let selected: Vec<usize> = (0..models.len())
        .filter(|&i| layout == Layout::Compact || devs[models[i].author as usize].annotated)
        .collect();
    let input = truth::TruthInput {
        scenario,
        devs: &devs,
        models: &models,
        observed: &observed,
        seed,
        layout,
    };
    // The release and the truth are made while the snapshots are written:
    // the snapshot rounds leave a core idle at each round's end, and the
    // three share nothing.
    let (snapshots, release_and_truth) = std::thread::scope(|scope| {
        let release_and_truth = scope.spawn(|| {
            let rows = first_day(&scenario.formats.release_from, "formats.release_from").and_then(
                |from| release::write(&devs, &models, &observed, &cal, &selected, from, out),
            );
            (rows, truth::build(&input, &cal))
        });
        let snapshots = write_snapshots(
            scenario, &master, &models, &observed, &cal, layout, out, progress, &mut files,
        );
        progress("release", 0, 1);
        let release_and_truth = release_and_truth.join().map_err(|_| SynthError::Size {
            n_models: models.len(),
            message: "the release writer thread panicked".into(),
        });
        (snapshots, release_and_truth)
    });
    let (snapshots_written, snapshot_rows) = snapshots?;
    let (release_rows, truth) = release_and_truth?;
    let release_rows = release_rows?;
    files.push(out.join("release").join(release::FILE));
    progress("truth", 0, 1);
    files.push(write_json(&out.join("truth.json"), &truth)?);
    files.push(write_truth_models(
        &models,
        &out.join("truth_models.parquet"),
    )?);
    let last = cal.n_weeks() - 1;
    let total_downloads = (0..models.len())
        .map(|i| observed.cumulative.at(&models, i, last).unwrap_or(0))
        .sum();
    progress("done", 1, 1);
    Ok(SynthReport {
        layout: layout_name(layout).into(),
        models: models.len(),
        developers: devs.len(),
        snapshots_written,
        snapshot_rows,
        release_rows,
        total_downloads,
        files,
    })
}

fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Compact => "compact",
        _ => "weekly",
    }
}

/// Remove the files an earlier run may have left (only the generator's own names).
fn remove_previous(out: &Path, cal: &calendar::Calendar) -> Result<(), SynthError> {
    let mut stale: Vec<PathBuf> = (0..cal.n_weeks())
        .map(|w| out.join("models").join(cal.label(w)).join("models.parquet"))
        .collect();
    stale.push(out.join("release").join(release::FILE));
    stale.push(out.join("truth.json"));
    stale.push(out.join("truth_models.parquet"));
    for p in stale.iter().filter(|p| p.exists()) {
        std::fs::remove_file(p).map_err(|e| SynthError::io(p, e))?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_snapshots(
    scenario: &Scenario,
    master: &hubstats::Master,
    models: &[models::Model],
    observed: &downloads::Observed,
    cal: &calendar::Calendar,
    layout: Layout,
    out: &Path,
    progress: &dyn Fn(&str, u64, u64),
    files: &mut Vec<PathBuf>,
) -> Result<(usize, usize), SynthError> {
    progress("snapshots", 0, 1);
    let modern = calendar::days(validate::date(
        "formats.modern_columns_from",
        &scenario.formats.modern_columns_from,
    )?);
    let structs = calendar::days(validate::date(
        "formats.struct_columns_from",
        &scenario.formats.struct_columns_from,
    )?);
    let duplicates: BTreeSet<(u32, usize)> =
        observed.anomalies.duplicates.iter().copied().collect();
    let from = first_day(&scenario.formats.snapshots_from, "formats.snapshots_from")?;
    let weeks: Vec<usize> = match layout {
        Layout::Compact => vec![cal.n_weeks() - 1],
        _ => (0..cal.n_weeks())
            .filter(|w| cal.snapshots[*w] >= from)
            .collect(),
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let mut rows = 0;
    let mut done = 0u64;
    for round in weeks.chunks(threads) {
        let results: Vec<Result<usize, SynthError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = round
                .iter()
                .map(|&w| {
                    let duplicates = &duplicates;
                    scope.spawn(move || {
                        let input = hubstats::SnapshotInput {
                            master,
                            models,
                            observed,
                            calendar: cal,
                            era: hubstats::era(cal.snapshots[w], modern, structs),
                        };
                        hubstats::write_snapshot(&input, w, duplicates, out)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(SynthError::Size {
                            n_models: models.len(),
                            message: "a snapshot writer thread panicked".into(),
                        })
                    })
                })
                .collect()
        });
        for (r, &w) in results.into_iter().zip(round) {
            rows += r?;
            files.push(out.join("models").join(cal.label(w)).join("models.parquet"));
        }
        done += round.len() as u64;
        progress("snapshots", done, weeks.len() as u64);
    }
    Ok((weeks.len(), rows))
}

/// The day an optional `YYYY-MM-DD` coverage key names (none: no bound).
fn first_day(value: &Option<String>, key: &str) -> Result<i32, SynthError> {
    match value {
        Some(v) => Ok(calendar::days(validate::date(key, v)?)),
        None => Ok(i32::MIN),
    }
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<PathBuf, SynthError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| SynthError::Json {
        path: path.to_path_buf(),
        source: e,
    })?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text + "\n").map_err(|e| SynthError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| SynthError::io(path, e))?;
    Ok(path.to_path_buf())
}

/// Each model's true lineage: `model_id, relation, declared, parents, quantization`.
fn write_truth_models(models: &[models::Model], path: &Path) -> Result<PathBuf, SynthError> {
    let err = |e| SynthError::polars(path, e);
    let parents: Vec<Vec<&str>> = models
        .iter()
        .map(|m| {
            m.parents
                .iter()
                .map(|p| models[*p as usize].id.as_str())
                .collect()
        })
        .collect();
    let cols = vec![
        columns::strings("model_id", models.iter().map(|m| Some(m.id.as_str()))).into_column(),
        columns::strings("relation", models.iter().map(|m| Some(m.relation.key()))).into_column(),
        columns::booleans("declared", models.iter().map(|m| m.declared)).into_column(),
        columns::string_lists("parents", &parents)
            .map_err(err)?
            .into_column(),
        columns::strings("quantization", models.iter().map(|m| m.quant)).into_column(),
        columns::booleans("is_moe", models.iter().map(|m| m.family().moe)).into_column(),
        columns::strings(
            "created_at",
            models.iter().map(|m| Some(hubstats::label(m.created))),
        )
        .into_column(),
    ];
    let mut df = DataFrame::new(models.len(), cols).map_err(err)?;
    columns::write_parquet(path, &mut df)?;
    Ok(path.to_path_buf())
}
