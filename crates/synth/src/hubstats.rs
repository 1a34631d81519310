//! hub-stats snapshots: `models/<YYYY-MM-DD>/models.parquet`.
//!
//! The static metadata of every model is built once as columns; a snapshot
//! gathers the rows of the models listed that week and adds the counters.
//! Old snapshots carry fewer columns and JSON text where later ones have
//! structs, as the real series does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use polars::prelude::*;

use crate::calendar::{Calendar, clamp_date, date, days};
use crate::columns::{
    booleans, datetime_ms, int64, list, string_lists, strings, structure, write_parquet,
};
use crate::developers::Developer;
use crate::downloads::Observed;
use crate::error::SynthError;
use crate::metadata as meta;
use crate::models::Model;

const MS_PER_DAY: i64 = 86_400_000;

/// Column formats of a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// No safetensors/gguf/baseModels; tags and config as JSON text.
    Old,
    /// safetensors, gguf and config as JSON text; no baseModels.
    Mid,
    /// Structs everywhere, baseModels and trendingScore present.
    Modern,
}

/// The static columns of every model, in model order.
pub struct Master {
    columns: BTreeMap<&'static str, Series>,
    created_ms: Vec<i64>,
    last_modified_ms: Vec<i64>,
    like_factor: Vec<f64>,
}

/// A small deterministic hash of a model index, in [0, 1).
fn unit_hash(i: usize, salt: u64) -> f64 {
    let mut x = (i as u64)
        .wrapping_add(salt)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

pub fn master(devs: &[Developer], models: &[Model]) -> PolarsResult<Master> {
    let dev = |m: &Model| &devs[m.author as usize];
    let mut c: BTreeMap<&'static str, Series> = BTreeMap::new();
    c.insert(
        "id",
        strings("id", models.iter().map(|m| Some(m.id.as_str()))),
    );
    c.insert(
        "author",
        strings("author", models.iter().map(|m| Some(dev(m).name.as_str()))),
    );
    let tags: Vec<Vec<String>> = models
        .iter()
        .map(|m| meta::tags(m, models, dev(m)))
        .collect();
    c.insert(
        "tags_json",
        strings(
            "tags",
            tags.iter()
                .map(|t| Some(serde_json::to_string(t).unwrap_or_default())),
        ),
    );
    c.insert("tags", string_lists("tags", &tags)?);
    drop(tags);
    c.insert(
        "pipeline_tag",
        strings(
            "pipeline_tag",
            models.iter().map(|m| Some(m.family().pipeline)),
        ),
    );
    c.insert(
        "library_name",
        strings(
            "library_name",
            models.iter().map(|m| meta::library_name(m, dev(m))),
        ),
    );
    let clamp = days(clamp_date());
    let created_ms: Vec<i64> = models
        .iter()
        .enumerate()
        .map(|(i, m)| m.created as i64 * MS_PER_DAY + (unit_hash(i, 1) * MS_PER_DAY as f64) as i64)
        .collect();
    c.insert(
        "createdAt",
        datetime_ms(
            "createdAt",
            models.iter().zip(&created_ms).map(|(m, ms)| {
                if m.created < clamp {
                    clamp as i64 * MS_PER_DAY
                } else {
                    *ms
                }
            }),
        ),
    );
    let last_modified_ms = created_ms
        .iter()
        .enumerate()
        .map(|(i, ms)| ms + (unit_hash(i, 2) * 120.0 * MS_PER_DAY as f64) as i64)
        .collect();
    c.insert("safetensors", safetensors(models)?);
    c.insert(
        "safetensors_json",
        strings("safetensors", models.iter().map(meta::safetensors_json)),
    );
    c.insert("gguf", gguf(models)?);
    c.insert(
        "gguf_json",
        strings("gguf", models.iter().map(meta::gguf_json)),
    );
    c.insert("baseModels", base_models(models)?);
    c.insert(
        "cardData",
        strings(
            "cardData",
            models
                .iter()
                .map(|m| meta::card_data(m, models).map(|v| v.to_string())),
        ),
    );
    c.insert("config", config(models)?);
    c.insert(
        "config_json",
        strings("config", models.iter().map(meta::config_json)),
    );
    let files: Vec<Vec<String>> = models.iter().map(meta::siblings).collect();
    let flat = strings(
        "rfilename",
        files.iter().flatten().map(|s| Some(s.as_str())),
    );
    let lengths: Vec<usize> = files.iter().map(|f| f.len()).collect();
    c.insert(
        "siblings",
        list("siblings", &structure("", &[flat], None)?, &lengths)?,
    );
    c.insert("gated", booleans("gated", models.iter().map(|m| m.gated)));
    c.insert("private", booleans("private", models.iter().map(|_| false)));
    let like_factor = (0..models.len())
        .map(|i| 0.02 + 0.2 * unit_hash(i, 3))
        .collect();
    Ok(Master {
        columns: c,
        created_ms,
        last_modified_ms,
        like_factor,
    })
}

fn safetensors(models: &[Model]) -> PolarsResult<Series> {
    let dtypes: Vec<Option<[Option<i64>; 4]>> =
        models.iter().map(meta::safetensors_dtypes).collect();
    let fields: Vec<Series> = meta::DTYPES
        .iter()
        .enumerate()
        .map(|(k, name)| int64(name, dtypes.iter().map(|d| d.and_then(|d| d[k]))))
        .collect();
    let parameters = structure("parameters", &fields, None)?;
    let total = int64(
        "total",
        models
            .iter()
            .map(|m| m.safetensors_known.then_some(m.params as i64)),
    );
    let valid: Vec<bool> = dtypes.iter().map(|d| d.is_some()).collect();
    structure("safetensors", &[parameters, total], Some(&valid))
}

fn gguf(models: &[Model]) -> PolarsResult<Series> {
    let valid: Vec<bool> = models.iter().map(|m| m.gguf).collect();
    structure(
        "gguf",
        &[
            int64(
                "total",
                models.iter().map(|m| m.gguf.then_some(m.params as i64)),
            ),
            strings(
                "architecture",
                models
                    .iter()
                    .map(|m| m.gguf.then_some(m.family().gguf_architecture)),
            ),
            int64(
                "context_length",
                models
                    .iter()
                    .map(|m| m.gguf.then(|| meta::context_length(m))),
            ),
        ],
        Some(&valid),
    )
}

fn base_models(models: &[Model]) -> PolarsResult<Series> {
    let rel: Vec<Option<&str>> = models.iter().map(meta::hub_relation).collect();
    let parents: Vec<&[u32]> = models
        .iter()
        .zip(&rel)
        .map(|(m, r)| if r.is_some() { &m.parents[..] } else { &[][..] })
        .collect();
    let oids = strings(
        "_id",
        parents
            .iter()
            .flat_map(|p| p.iter())
            .map(|p| Some(models[*p as usize].oid.as_str())),
    );
    let ids = strings(
        "id",
        parents
            .iter()
            .flat_map(|p| p.iter())
            .map(|p| Some(models[*p as usize].id.as_str())),
    );
    let lengths: Vec<usize> = parents.iter().map(|p| p.len()).collect();
    let inner = list("models", &structure("", &[oids, ids], None)?, &lengths)?;
    let valid: Vec<bool> = rel.iter().map(|r| r.is_some()).collect();
    structure(
        "baseModels",
        &[strings("relation", rel.iter().copied()), inner],
        Some(&valid),
    )
}

fn config(models: &[Model]) -> PolarsResult<Series> {
    let archs: Vec<Vec<&str>> = models
        .iter()
        .map(|m| {
            if meta::has_config(m) {
                vec![m.family().architecture]
            } else {
                vec![]
            }
        })
        .collect();
    let q: Vec<Option<(&str, i64)>> = models.iter().map(meta::quantization_config).collect();
    let quant = structure(
        "quantization_config",
        &[
            strings("quant_method", q.iter().map(|x| x.map(|x| x.0))),
            int64("bits", q.iter().map(|x| x.map(|x| x.1))),
        ],
        Some(&q.iter().map(|x| x.is_some()).collect::<Vec<_>>()),
    )?;
    let valid: Vec<bool> = models.iter().map(meta::has_config).collect();
    structure(
        "config",
        &[
            string_lists("architectures", &archs)?,
            strings("model_type", models.iter().map(|m| m.family().model_type)),
            quant,
        ],
        Some(&valid),
    )
}

/// Rows of snapshot `w`: models listed that week, duplicates repeated.
pub fn rows(
    models: &[Model],
    obs: &Observed,
    w: usize,
    duplicates: &BTreeSet<(u32, usize)>,
) -> Vec<u32> {
    let end = models.partition_point(|m| m.first_week <= w);
    let mut out = Vec::with_capacity(end);
    for i in 0..end {
        if obs.reported(models, i, w).is_none() {
            continue;
        }
        out.push(i as u32);
        if duplicates.contains(&(i as u32, w)) {
            out.push(i as u32);
        }
    }
    out
}

pub struct SnapshotInput<'a> {
    pub master: &'a Master,
    pub models: &'a [Model],
    pub observed: &'a Observed,
    pub calendar: &'a Calendar,
    pub era: Era,
}

/// Build and write snapshot `w` under `out/models/<date>/models.parquet`.
pub fn write_snapshot(
    input: &SnapshotInput,
    w: usize,
    duplicates: &BTreeSet<(u32, usize)>,
    out: &Path,
) -> Result<usize, SynthError> {
    let path = out
        .join("models")
        .join(input.calendar.label(w))
        .join("models.parquet");
    let idx = rows(input.models, input.observed, w, duplicates);
    let mut df = snapshot_frame(input, w, &idx).map_err(|e| SynthError::polars(&path, e))?;
    write_parquet(&path, &mut df)?;
    Ok(idx.len())
}

fn snapshot_frame(input: &SnapshotInput, w: usize, idx: &[u32]) -> PolarsResult<DataFrame> {
    let SnapshotInput {
        master,
        models,
        observed,
        calendar,
        era,
    } = *input;
    // A snapshot without planted anomalies lists a prefix of the models (they
    // are in creation order): a zero-copy slice instead of a gather.
    let prefix = idx.iter().enumerate().all(|(k, i)| *i as usize == k);
    let ix: IdxCa = if prefix {
        IdxCa::default()
    } else {
        idx.iter().map(|i| Some(*i as IdxSize)).collect()
    };
    let take = |name: &str| -> PolarsResult<Column> {
        let s = &master.columns[name];
        Ok(if prefix {
            s.slice(0, idx.len())
        } else {
            s.take(&ix)?
        }
        .into_column())
    };
    let snapshot_ms = (calendar.snapshots[w] as i64) * MS_PER_DAY;
    let reported: Vec<i64> = idx
        .iter()
        .map(|&i| observed.reported(models, i as usize, w).unwrap_or(0) as i64)
        .collect();
    let true_cum = |i: u32| observed.cumulative.at(models, i as usize, w).unwrap_or(0) as f64;
    let mut cols = vec![
        take("id")?,
        take("author")?,
        int64(
            "downloads",
            idx.iter()
                .map(|&i| Some(observed.last_30_days(models, i as usize, w) as i64)),
        )
        .into_column(),
        int64("downloadsAllTime", reported.iter().map(|v| Some(*v))).into_column(),
        int64(
            "likes",
            idx.iter().map(|&i| {
                Some((true_cum(i).sqrt() * master.like_factor[i as usize]).floor() as i64)
            }),
        )
        .into_column(),
    ];
    if era == Era::Modern {
        let last_week = |i: u32| {
            true_cum(i)
                - if w > 0 {
                    observed
                        .cumulative
                        .at(models, i as usize, w - 1)
                        .unwrap_or(0) as f64
                } else {
                    0.0
                }
        };
        cols.push(
            int64(
                "trendingScore",
                idx.iter()
                    .map(|&i| Some((last_week(i) / 100.0).floor() as i64)),
            )
            .into_column(),
        );
    }
    cols.push(take(if era == Era::Old { "tags_json" } else { "tags" })?);
    cols.push(take("pipeline_tag")?);
    cols.push(take("library_name")?);
    cols.push(take("createdAt")?);
    cols.push(
        datetime_ms(
            "lastModified",
            idx.iter().map(|&i| {
                master.last_modified_ms[i as usize]
                    .min(snapshot_ms)
                    .max(master.created_ms[i as usize].min(snapshot_ms))
            }),
        )
        .into_column(),
    );
    match era {
        Era::Old => {}
        Era::Mid => {
            cols.push(take("safetensors_json")?);
            cols.push(take("gguf_json")?);
        }
        Era::Modern => {
            cols.push(take("safetensors")?);
            cols.push(take("gguf")?);
            cols.push(take("baseModels")?);
        }
    }
    cols.push(take("cardData")?);
    cols.push(take(if era == Era::Modern {
        "config"
    } else {
        "config_json"
    })?);
    cols.push(take("siblings")?);
    cols.push(take("gated")?);
    cols.push(take("private")?);
    DataFrame::new(idx.len(), cols)
}

/// The era of a snapshot date.
pub fn era(day: i32, modern_from: i32, structs_from: i32) -> Era {
    if day < modern_from {
        Era::Old
    } else if day < structs_from {
        Era::Mid
    } else {
        Era::Modern
    }
}

/// `YYYY-MM-DD` of a day, for messages.
pub fn label(day: i32) -> String {
    date(day).format("%Y-%m-%d").to_string()
}
