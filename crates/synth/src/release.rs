//! The annotated release: `release/all_downloads_with_annotations.parquet`,
//! one row per (model, snapshot) with the cumulative count and the
//! developer annotations, written in row groups of a bounded number of models.

use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use crate::calendar::{Calendar, clamp_date, days};
use crate::columns::{datetime_ms, int64, string_lists, strings, writer};
use crate::developers::Developer;
use crate::downloads::Observed;
use crate::error::SynthError;
use crate::models::{Model, Relation};

const MS_PER_DAY: i64 = 86_400_000;
/// Models per written batch (bounds memory at full scale).
const MODELS_PER_BATCH: usize = 5_000;

pub const FILE: &str = "all_downloads_with_annotations.parquet";

/// "Text → Text" style modality of a pipeline tag.
pub fn modality(pipeline: &str) -> &'static str {
    match pipeline {
        "automatic-speech-recognition" => "Audio → Text",
        "image-classification" | "object-detection" => "Image → Text",
        "text-to-image" => "Text → Image",
        "image-text-to-text" => "Image, Text → Text",
        "text-to-speech" => "Text → Audio",
        "text-to-video" => "Text → Video",
        "any-to-any" => "Any → Any",
        _ => "Text → Text",
    }
}

/// The original at the root of a model's first-parent chain.
fn root(models: &[Model], i: usize) -> usize {
    let mut k = i;
    while models[k].relation != Relation::Original {
        match models[k].parents.first() {
            Some(p) => k = *p as usize,
            None => break,
        }
    }
    k
}

struct Annotation<'a> {
    org_type: Option<&'a str>,
    country: Option<&'a str>,
    group: Option<&'a str>,
}

fn annotation(d: &Developer) -> Annotation<'_> {
    if d.annotated {
        Annotation {
            org_type: Some(&d.org_type),
            country: d.country.as_deref(),
            group: Some(&d.country_group),
        }
    } else {
        Annotation {
            org_type: None,
            country: None,
            group: None,
        }
    }
}

/// Model-level columns of one batch (one row per model in `batch`).
fn model_frame(devs: &[Developer], models: &[Model], batch: &[usize]) -> PolarsResult<Vec<Column>> {
    let dev = |i: usize| &devs[models[i].author as usize];
    let derived = |i: usize| &devs[models[root(models, i)].author as usize];
    let clamp = days(clamp_date());
    let country_list = |a: &Annotation| a.country.map(|c| vec![c.to_string()]).unwrap_or_default();
    let own: Vec<Annotation> = batch.iter().map(|&i| annotation(dev(i))).collect();
    let der: Vec<Annotation> = batch.iter().map(|&i| annotation(derived(i))).collect();
    Ok(vec![
        strings("_id", batch.iter().map(|&i| Some(models[i].oid.as_str()))).into_column(),
        strings("model", batch.iter().map(|&i| Some(models[i].id.as_str()))).into_column(),
        strings("author", batch.iter().map(|&i| Some(dev(i).name.as_str()))).into_column(),
        // The published types: `created` timestamp[us, UTC], `annotator`
        // float64 (empty in the public file).
        datetime_ms(
            "created",
            batch
                .iter()
                .map(|&i| models[i].created.max(clamp) as i64 * MS_PER_DAY),
        )
        .cast(&DataType::Datetime(
            TimeUnit::Microseconds,
            Some(TimeZone::UTC),
        ))?
        .into_column(),
        Float64Chunked::full_null("annotator".into(), batch.len()).into_column(),
        strings(
            "org_model",
            batch
                .iter()
                .zip(&own)
                .map(|(&i, a)| a.org_type.map(|_| dev(i).name.as_str())),
        )
        .into_column(),
        strings("org_type", own.iter().map(|a| a.org_type)).into_column(),
        string_lists(
            "org_country",
            &own.iter().map(country_list).collect::<Vec<_>>(),
        )?
        .into_column(),
        strings(
            "derived_author",
            batch.iter().map(|&i| Some(derived(i).name.as_str())),
        )
        .into_column(),
        strings("org_country_single", own.iter().map(|a| a.country)).into_column(),
        string_lists(
            "derived_org_country",
            &der.iter().map(country_list).collect::<Vec<_>>(),
        )?
        .into_column(),
        strings("derived_org_country_single", der.iter().map(|a| a.country)).into_column(),
        strings("merged_country_groups_single", own.iter().map(|a| a.group)).into_column(),
        strings(
            "merged_derived_country_groups_single",
            der.iter().map(|a| a.group),
        )
        .into_column(),
        string_lists(
            "merged_derived_from",
            &batch
                .iter()
                .map(|&i| {
                    models[i]
                        .parents
                        .iter()
                        .map(|p| models[*p as usize].id.clone())
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>(),
        )?
        .into_column(),
        string_lists(
            "merged_languages",
            &batch
                .iter()
                .map(|&i| models[i].languages.clone())
                .collect::<Vec<_>>(),
        )?
        .into_column(),
        strings(
            "merged_modality",
            batch
                .iter()
                .map(|&i| Some(modality(models[i].family().pipeline))),
        )
        .into_column(),
    ])
}

const ORDER: [&str; 20] = [
    "_id",
    "model",
    "author",
    "time",
    "created",
    "downloadsAllTime",
    "annotator",
    "org_model",
    "org_type",
    "org_country",
    "derived_author",
    "org_country_single",
    "derived_org_country",
    "derived_org_country_single",
    "merged_country_groups_single",
    "merged_derived_country_groups_single",
    "merged_derived_from",
    "merged_languages",
    "merged_modality",
    "__index_level_0__",
];

/// Rows of one batch: every reported (model, snapshot).
fn batch_frame(
    devs: &[Developer],
    models: &[Model],
    obs: &Observed,
    cal: &Calendar,
    batch: &[usize],
    first_row: i64,
    from: i32,
) -> PolarsResult<DataFrame> {
    let per_model = model_frame(devs, models, batch)?;
    let (mut pos, mut time, mut value) = (Vec::new(), Vec::new(), Vec::new());
    let first_week = cal.snapshots.partition_point(|d| *d < from);
    for (k, &i) in batch.iter().enumerate() {
        for w in models[i].first_week.max(first_week)..cal.n_weeks() {
            if let Some(v) = obs.reported(models, i, w) {
                pos.push(Some(k as IdxSize));
                time.push(cal.snapshots[w] as i64 * MS_PER_DAY);
                value.push(Some(v as i64));
            }
        }
    }
    let n = pos.len();
    let ix: IdxCa = pos.into_iter().collect();
    let mut cols: Vec<Column> = per_model
        .iter()
        .map(|c| c.take(&ix))
        .collect::<PolarsResult<_>>()?;
    // timestamp[ns] without a zone, as published.
    let time = Int64Chunked::from_vec("time".into(), time)
        .into_datetime(TimeUnit::Milliseconds, None)
        .into_series()
        .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))?;
    cols.push(time.into_column());
    cols.push(int64("downloadsAllTime", value.into_iter()).into_column());
    cols.push(
        int64(
            "__index_level_0__",
            (0..n as i64).map(|r| Some(first_row + r)),
        )
        .into_column(),
    );
    let df = DataFrame::new(n, cols)?;
    df.select(ORDER)
}

/// Write the release rows of `selected` models (creation order) in batches,
/// from the first snapshot on or after day `from`.
pub fn write(
    devs: &[Developer],
    models: &[Model],
    obs: &Observed,
    cal: &Calendar,
    selected: &[usize],
    from: i32,
    out: &Path,
) -> Result<usize, SynthError> {
    let dir = out.join("release");
    std::fs::create_dir_all(&dir).map_err(|e| SynthError::io(&dir, e))?;
    let path = dir.join(FILE);
    let tmp = path.with_extension("parquet.tmp");
    let file = File::create(&tmp).map_err(|e| SynthError::io(&tmp, e))?;
    let err = |e| SynthError::polars(&path, e);
    let empty = batch_frame(devs, models, obs, cal, &[], 0, from).map_err(err)?;
    let mut w = writer(file, empty.schema())
        .batched(empty.schema())
        .map_err(err)?;
    // Two stages on the two cores: one thread builds the next batch's rows
    // while this one encodes and compresses the previous batch. Batches
    // arrive in order, so the file is the same bytes as a serial write.
    let (to_writer, batches) = std::sync::mpsc::sync_channel::<PolarsResult<DataFrame>>(1);
    let rows = std::thread::scope(|scope| -> Result<usize, SynthError> {
        scope.spawn(move || {
            let mut first_row = 0i64;
            for batch in selected.chunks(MODELS_PER_BATCH) {
                let df = batch_frame(devs, models, obs, cal, batch, first_row, from);
                if let Ok(df) = &df {
                    first_row += df.height() as i64;
                }
                let failed = df.is_err();
                if to_writer.send(df).is_err() || failed {
                    return;
                }
            }
        });
        let mut rows = 0usize;
        for df in batches {
            let df = df.map_err(err)?;
            rows += df.height();
            w.write_batch(&df).map_err(err)?;
        }
        Ok(rows)
    })?;
    w.finish().map_err(err)?;
    std::fs::rename(&tmp, &path).map_err(|e| SynthError::io(&path, e))?;
    Ok(rows)
}
