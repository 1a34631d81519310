//! `hubecon prepare`: from raw inputs to a prepared dataset directory.
//!
//! In two steps so the lineage crate can work in between:
//! [`read_inputs`] detects and reads every source and builds the models and
//! downloads tables; [`finish`] adds the developers table for the final
//! models (uploaders and derived authors) and completes the manifest.
//! [`crate::dataset::write_dataset`] then writes it atomically.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;

use crate::assemble::{models_table, newest_records, reported_created_at};
use crate::columns;
use crate::detect::{Detected, FormatChoice, detect};
use crate::developers::{developers_table, load_curated};
use crate::error::{IngestError, Result};
use crate::manifest::{AnnotationCounts, Manifest, RuleCounts};
use crate::observation_table::ObservationTable;
use crate::observations::{ObservationReport, weekly_from_table};
use crate::schema::models as m;
use crate::source::{Progress, RawAnnotation, SourceData, SourceKind};

/// What `hubecon prepare` was asked to do.
#[derive(Debug, Clone)]
pub struct PrepareOptions {
    pub inputs: Vec<PathBuf>,
    pub format: FormatChoice,
    /// The curated developer table (`data/annotations/developers.csv`).
    pub annotations: PathBuf,
    /// Date for a single snapshot file or API listing without one.
    pub snapshot_date: Option<NaiveDate>,
}

/// A prepared dataset in memory.
pub struct Prepared {
    pub models: DataFrame,
    pub downloads: DataFrame,
    pub developers: DataFrame,
    pub manifest: Manifest,
}

/// The sources read and combined, before lineage and developers.
pub struct Combined {
    pub models: DataFrame,
    pub downloads: DataFrame,
    pub detected: Vec<Detected>,
    release_annotations: Vec<RawAnnotation>,
    manifest: Manifest,
}

/// Detects and reads every input, and builds the models and downloads tables.
pub fn read_inputs(opts: &PrepareOptions, progress: &dyn Progress) -> Result<Combined> {
    if let Some(d) = opts.snapshot_date {
        crate::hubstats::check_snapshot_date(Path::new("--snapshot-date"), d)?;
    }
    let mut detected = Vec::new();
    for input in &opts.inputs {
        detected.extend(detect(input, opts.format)?);
    }
    let sources = detected
        .iter()
        .map(|d| read_source(d, opts.snapshot_date, progress))
        .collect::<Result<Vec<_>>>()?;
    combine(sources, detected, opts)
}

fn read_source(
    d: &Detected,
    snapshot_date: Option<NaiveDate>,
    progress: &dyn Progress,
) -> Result<SourceData> {
    match d.kind {
        SourceKind::HubStats => crate::hubstats::read_hub_stats(&d.path, snapshot_date, progress),
        SourceKind::Release => crate::release::read_release(&d.path),
        SourceKind::ApiJson => crate::apijson::read_api_json(&d.path, snapshot_date, progress),
    }
}

fn combine(
    sources: Vec<SourceData>,
    detected: Vec<Detected>,
    opts: &PrepareOptions,
) -> Result<Combined> {
    let mut manifest = empty_manifest(opts, &detected);
    let mut table = ObservationTable::default();
    let (mut records, mut release_models, mut release_annotations) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut first_year = std::collections::HashMap::new();
    for s in sources {
        crate::bounds::check_observations(&s)?;
        manifest
            .notes
            .extend(crate::bounds::unparsed_notes(&s.models));
        manifest.inputs.extend(s.files);
        manifest.notes.extend(s.notes);
        table.add_frame(&s.observations)?;
        table.append(s.table);
        records.extend(s.models);
        release_models.extend(s.release_models);
        first_year.extend(s.first_year_downloads);
        release_annotations.extend(s.annotations);
    }
    if table.is_empty() && records.is_empty() {
        return Err(IngestError::NoInput {
            path: opts.inputs.first().cloned().unwrap_or_default(),
            expected: "models in a hub-stats snapshot, the release's \
                       all_downloads_with_annotations.parquet, or API pages"
                .into(),
        });
    }
    let records = newest_records(records);
    let created = reported_created_at(&records, &release_models);
    let weekly = weekly_from_table(table, &created)?;
    drop(created);
    let (models, clamped, from_first) =
        models_table(&weekly, records, release_models, &first_year)?;
    manifest.rules = RuleCounts {
        created_at_clamped: clamped,
        created_at_from_first_seen: from_first,
        ..RuleCounts::from_report(&weekly.report)
    };
    manifest.snapshots = weekly.report.snapshot_dates.len();
    manifest.weekly_history = manifest.snapshots > 1;
    manifest.notes.extend(span_notes(&weekly.report));
    Ok(Combined {
        models,
        downloads: weekly.downloads,
        detected,
        release_annotations,
        manifest,
    })
}

/// What the span of the observations means for the analyses, in words.
fn span_notes(report: &ObservationReport) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(first) = report.snapshot_dates.first() {
        notes.push(format!(
            "the observed span starts at the first snapshot, {first}: {} models existed then, \
             and their first counters ({} downloads) are pre-series history, \
             models.parquet's pre_series_downloads, not a week's downloads",
            report.models_with_baseline, report.pre_series_downloads
        ));
    }
    if report.late_baselines > 0 {
        notes.push(format!(
            "{} models created before {} were first observed later: their first counters are \
             baselines too, so their downloads before their first observation are not counted",
            report.late_baselines,
            report
                .snapshot_dates
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        ));
    }
    if report.snapshot_dates.len() < 2 {
        notes.push(
            "one snapshot date only: there are no weekly downloads (downloads.parquet is empty); \
             analyses of downloads over time are not measurable"
                .into(),
        );
    }
    notes
}

fn empty_manifest(opts: &PrepareOptions, detected: &[Detected]) -> Manifest {
    let mut kinds: Vec<SourceKind> = detected.iter().map(|d| d.kind).collect();
    kinds.sort();
    kinds.dedup();
    let mut options = BTreeMap::new();
    options.insert(
        "format".to_string(),
        match opts.format {
            FormatChoice::Auto => "auto".to_string(),
            FormatChoice::Fixed(k) => k.name().to_string(),
        },
    );
    options.insert(
        "annotations".to_string(),
        opts.annotations.display().to_string(),
    );
    if let Some(d) = opts.snapshot_date {
        options.insert("snapshot_date".to_string(), d.to_string());
    }
    Manifest {
        hubecon_version: env!("CARGO_PKG_VERSION").to_string(),
        source_kinds: kinds,
        weekly_history: false,
        synthetic: opts.inputs.iter().any(|p| is_synthetic(p)),
        inputs: Vec::new(),
        rows: BTreeMap::new(),
        first_week: None,
        last_week: None,
        snapshots: 0,
        rules: RuleCounts::default(),
        annotations: AnnotationCounts::default(),
        options,
        lineage: None,
        notes: detected
            .iter()
            .map(|d| {
                format!(
                    "{}: read as {} ({})",
                    d.path.display(),
                    d.kind.name(),
                    d.reason
                )
            })
            .collect(),
    }
}

/// An input made by `hubecon synth` (its directory holds `truth.json`).
pub fn is_synthetic(input: &Path) -> bool {
    let dir = if input.is_dir() {
        Some(input)
    } else {
        input.parent()
    };
    dir.into_iter()
        .flat_map(|d| [Some(d), d.parent(), d.parent().and_then(Path::parent)])
        .flatten()
        .any(|d| d.join("truth.json").is_file())
}

/// Adds the developers table for the final `models` (after lineage) and
/// completes the manifest.
pub fn finish(combined: Combined, models: DataFrame, opts: &PrepareOptions) -> Result<Prepared> {
    let curated = load_curated(&opts.annotations)?;
    let authors = authors_of(&models)?;
    let (developers, counts) = developers_table(&authors, &curated, &combined.release_annotations)?;
    let mut manifest = combined.manifest;
    manifest.annotations = counts;
    manifest
        .rows
        .insert("models".into(), models.height() as u64);
    manifest
        .rows
        .insert("downloads".into(), combined.downloads.height() as u64);
    manifest
        .rows
        .insert("developers".into(), developers.height() as u64);
    let weeks = columns::dates(&combined.downloads, crate::schema::downloads::WEEK)?;
    manifest.first_week = weeks
        .iter()
        .flatten()
        .min()
        .map(|d| crate::week::from_epoch_days(*d));
    manifest.last_week = weeks
        .iter()
        .flatten()
        .max()
        .map(|d| crate::week::from_epoch_days(*d));
    Ok(Prepared {
        models,
        downloads: combined.downloads,
        developers,
        manifest,
    })
}

/// Uploaders and the authors downloads may be credited to in the derived
/// lens (`derived_author`, `release_derived_author`).
fn authors_of(models: &DataFrame) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for name in [m::AUTHOR, m::DERIVED_AUTHOR, m::RELEASE_DERIVED_AUTHOR] {
        if models.column(name).is_ok() {
            out.extend(columns::texts(models, name)?.into_iter().flatten());
        }
    }
    Ok(out)
}
