//! Combining the sources into the canonical tables.
//!
//! Observations of all sources are pooled (the same model and date from two
//! sources is a duplicate row: rule 1 keeps the larger counter). Each model's
//! metadata comes from its newest record; the release adds its lineage,
//! attribution and modality columns and fills languages and creation dates
//! the snapshots lack.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use crate::columns;
use crate::error::{IngestError, PolarsContext, Result};
use crate::meta::{ModelMeta, namespace};
use crate::observations::{Weekly, cols};
use crate::schema::{models as m, relation, relation_source};
use crate::source::{ModelRecord, ReleaseModel};
use crate::week::{created_at_clamp, to_epoch_days};

/// How `created_at` was decided for one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedAt {
    pub days: i32,
    /// The source reported the Hub's 2022-03-02 clamp date.
    pub clamped: bool,
    /// No source reported a creation date: the first observation is used.
    pub from_first_seen: bool,
}

/// The creation-date rule (METHODS.md, "Creation dates"): the reported date,
/// or the first observation when that is earlier (a model cannot be
/// downloaded before it exists; this undoes the 2022-03-02 clamp for models
/// observed before it), or the first observation when nothing is reported.
pub fn resolve_created_at(reported: Option<i32>, first_seen: i32) -> CreatedAt {
    match reported {
        None => CreatedAt {
            days: first_seen,
            clamped: false,
            from_first_seen: true,
        },
        Some(r) => CreatedAt {
            days: r.min(first_seen),
            clamped: r == to_epoch_days(created_at_clamp()),
            from_first_seen: false,
        },
    }
}

/// Picks each model's newest metadata record (the first source wins a tie).
pub fn newest_records(records: Vec<ModelRecord>) -> HashMap<String, ModelRecord> {
    let mut out: HashMap<String, ModelRecord> = HashMap::with_capacity(records.len());
    for r in records {
        match out.get(&r.meta.model_id) {
            Some(old) if old.observed_at >= r.observed_at => {}
            _ => {
                out.insert(r.meta.model_id.clone(), r);
            }
        }
    }
    out
}

/// Each model's reported creation day: its newest record's, else the
/// release's. The input of the W3 baseline and of [`resolve_created_at`].
pub fn reported_created_at(
    records: &HashMap<String, ModelRecord>,
    release: &[ReleaseModel],
) -> HashMap<String, i32> {
    let mut out: HashMap<String, i32> = release
        .iter()
        .filter_map(|r| Some((r.model_id.clone(), r.created_at?)))
        .collect();
    for (id, r) in records {
        if let Some(c) = r.created_at {
            out.insert(id.clone(), c);
        }
    }
    out
}

/// One row of `models.parquet` before lineage.
struct Row {
    meta: ModelMeta,
    created: CreatedAt,
    first_observed: i32,
    last_observed: i32,
    /// Unknown for a model listed without a download counter.
    downloads_all_time: Option<u64>,
    pre_series_downloads: Option<u64>,
    release_first_year_downloads: Option<u64>,
    release: Option<ReleaseModel>,
}

/// What the observations say of one model.
struct Observed {
    first: i32,
    last: i32,
    all_time: Option<u64>,
    pre_series: Option<u64>,
}

/// Builds the models table, one row per model observed or listed, sorted
/// by id. `records` are the newest records ([`newest_records`]); a model
/// listed without a download counter (a listing with no
/// `downloadsAllTime`) gets a row with null counters. Returns the table and
/// the counts of the creation-date rule.
pub fn models_table(
    weekly: &Weekly,
    mut records: HashMap<String, ModelRecord>,
    release: Vec<ReleaseModel>,
    first_year: &HashMap<String, u64>,
) -> Result<(DataFrame, u64, u64)> {
    let mut release: BTreeMap<String, ReleaseModel> = release
        .into_iter()
        .map(|r| (r.model_id.clone(), r))
        .collect();
    let pm = &weekly.per_model;
    let ids = columns::texts(pm, cols::MODEL_ID)?;
    let first = columns::dates(pm, "first_seen")?;
    let last = columns::dates(pm, "last_seen")?;
    let total = pm
        .column(cols::DOWNLOADS_ALL_TIME)
        .and_then(|c| c.cast(&DataType::UInt64))
        .during(|| "reading all-time downloads".into())?;
    let total = total.u64().during(|| "reading all-time downloads".into())?;
    let pre_series = columns::counts(pm, cols::PRE_SERIES_DOWNLOADS)?;
    let mut rows = Vec::with_capacity(ids.len() + records.len());
    let (mut clamped, mut from_first) = (0, 0);
    let mut add = |id: &str, record: Option<ModelRecord>, observed: Observed| {
        let rel = release.remove(id);
        let reported = record
            .as_ref()
            .and_then(|r| r.created_at)
            .or(rel.as_ref().and_then(|r| r.created_at));
        let created = resolve_created_at(reported, observed.first);
        clamped += u64::from(created.clamped);
        from_first += u64::from(created.from_first_seen);
        let meta = record
            .map(|r| r.meta)
            .unwrap_or_else(|| release_only_meta(id, rel.as_ref()));
        rows.push(Row {
            meta,
            created,
            first_observed: observed.first,
            last_observed: observed.last,
            downloads_all_time: observed.all_time,
            pre_series_downloads: observed.pre_series,
            release_first_year_downloads: first_year.get(id).copied(),
            release: rel,
        });
    };
    for (i, id) in ids.into_iter().enumerate() {
        let id = id.ok_or_else(|| IngestError::Write {
            path: "models.parquet".into(),
            detail: "an observation without a model id".into(),
        })?;
        let first_observed = first[i].unwrap_or_default();
        let observed = Observed {
            first: first_observed,
            last: last[i].unwrap_or(first_observed),
            all_time: total.get(i),
            pre_series: pre_series[i],
        };
        add(&id, records.remove(&id), observed);
    }
    // Listed without a counter: no observation, so no row above.
    let mut unobserved: Vec<(String, ModelRecord)> = records.into_iter().collect();
    unobserved.sort_by(|a, b| a.0.cmp(&b.0));
    for (id, record) in unobserved {
        let observed = Observed {
            first: record.observed_at,
            last: record.observed_at,
            all_time: None,
            pre_series: None,
        };
        add(&id, Some(record), observed);
    }
    if rows
        .windows(2)
        .any(|w| w[0].meta.model_id > w[1].meta.model_id)
    {
        rows.sort_by(|a, b| a.meta.model_id.cmp(&b.meta.model_id));
    }
    let table = frame(&rows)?;
    drop_in_parallel(rows);
    Ok((table, clamped, from_first))
}

/// Frees the rows on every core: 851k rows of metadata are some 25M small
/// allocations, 4 s to free on one.
fn drop_in_parallel(rows: Vec<Row>) {
    use rayon::prelude::*;
    rows.into_par_iter().for_each(drop);
}

fn release_only_meta(id: &str, rel: Option<&ReleaseModel>) -> ModelMeta {
    ModelMeta {
        model_id: id.to_string(),
        author: rel
            .and_then(|r| r.author.clone())
            .unwrap_or_else(|| namespace(id).to_string()),
        ..ModelMeta::default()
    }
}

fn frame(rows: &[Row]) -> Result<DataFrame> {
    let meta =
        |f: fn(&ModelMeta) -> Option<&str>| columns::text("", rows.iter().map(move |r| f(&r.meta)));
    let named = |c: Column, n: &str| c.with_name(n.into());
    let lists = |f: fn(&Row) -> &[String]| rows.iter().map(f).collect::<Vec<_>>();
    let languages: Vec<&[String]> = rows
        .iter()
        .map(|r| match (&r.meta.languages, &r.release) {
            (l, Some(rel)) if l.is_empty() => rel.languages.as_slice(),
            (l, _) => l.as_slice(),
        })
        .collect();
    let release_text = |f: fn(&ReleaseModel) -> Option<&str>| {
        columns::text("", rows.iter().map(move |r| r.release.as_ref().and_then(f)))
    };
    let relation_col: Vec<&str> = rows
        .iter()
        .map(|r| {
            r.meta
                .declared
                .relation
                .as_deref()
                .unwrap_or(relation::ORIGINAL)
        })
        .collect();
    let source_col: Vec<&str> = rows
        .iter()
        .map(|r| {
            if r.meta.declared.relation.is_some() {
                relation_source::DECLARED
            } else {
                relation_source::NONE
            }
        })
        .collect();
    // The two halves of the columns are built at once (851k rows: 5 s).
    let (first, second) = rayon::join(
        || -> Result<Vec<Column>> {
            Ok(vec![
                named(meta(|x| Some(&x.model_id)), m::MODEL_ID),
                named(meta(|x| Some(&x.author)), m::AUTHOR),
                columns::date(m::CREATED_AT, rows.iter().map(|r| r.created.days).collect())?,
                columns::flag(
                    m::CREATED_AT_CLAMPED,
                    rows.iter().map(|r| r.created.clamped),
                ),
                columns::date(
                    m::FIRST_OBSERVED,
                    rows.iter().map(|r| r.first_observed).collect(),
                )?,
                columns::date(
                    m::LAST_OBSERVED,
                    rows.iter().map(|r| r.last_observed).collect(),
                )?,
                named(meta(|x| x.pipeline_tag.as_deref()), m::PIPELINE_TAG),
                named(meta(|x| x.library_name.as_deref()), m::LIBRARY_NAME),
                columns::text_list(m::TAGS, lists(|r| &r.meta.tags).into_iter()),
                named(meta(|x| x.license.as_deref()), m::LICENSE),
                named(meta(|x| x.license_name.as_deref()), m::LICENSE_NAME),
                named(meta(|x| x.license_link.as_deref()), m::LICENSE_LINK),
                columns::text_list(m::DATASETS, lists(|r| &r.meta.datasets).into_iter()),
                columns::text_list(m::LANGUAGES, languages.into_iter()),
                columns::text_list(
                    m::DECLARED_PARENTS,
                    lists(|r| &r.meta.declared.parents).into_iter(),
                ),
            ])
        },
        || -> Result<Vec<Column>> {
            Ok(vec![
                named(
                    meta(|x| x.declared.relation.as_deref()),
                    m::DECLARED_RELATION,
                ),
                named(
                    meta(|x| x.declared.evidence.as_deref()),
                    m::DECLARED_EVIDENCE,
                ),
                columns::count(
                    m::SAFETENSORS_PARAMS,
                    rows.iter().map(|r| r.meta.safetensors_params),
                ),
                columns::count(m::GGUF_PARAMS, rows.iter().map(|r| r.meta.gguf_params)),
                named(
                    meta(|x| x.gguf_architecture.as_deref()),
                    m::GGUF_ARCHITECTURE,
                ),
                columns::text_list(
                    m::ARCHITECTURES,
                    lists(|r| &r.meta.architectures).into_iter(),
                ),
                named(meta(|x| x.model_type.as_deref()), m::MODEL_TYPE),
                columns::flag(
                    m::HAS_QUANTIZATION_CONFIG,
                    rows.iter().map(|r| r.meta.has_quantization_config),
                ),
                named(
                    meta(|x| x.quantization_method.as_deref()),
                    m::QUANTIZATION_METHOD,
                ),
                columns::text_list(m::FILES, lists(|r| &r.meta.files).into_iter()),
                columns::flag(m::GATED, rows.iter().map(|r| r.meta.gated)),
                columns::count(m::LIKES, rows.iter().map(|r| r.meta.likes)),
                columns::count(m::DOWNLOADS_30D, rows.iter().map(|r| r.meta.downloads_30d)),
                columns::count(
                    m::DOWNLOADS_ALL_TIME,
                    rows.iter().map(|r| r.downloads_all_time),
                ),
                columns::count(
                    m::PRE_SERIES_DOWNLOADS,
                    rows.iter().map(|r| r.pre_series_downloads),
                ),
                columns::count(
                    m::RELEASE_FIRST_YEAR_DOWNLOADS,
                    rows.iter().map(|r| r.release_first_year_downloads),
                ),
                columns::text_list(
                    m::RELEASE_PARENTS,
                    rows.iter()
                        .map(|r| r.release.as_ref().map_or(&[][..], |x| x.parents.as_slice()))
                        .collect::<Vec<_>>()
                        .into_iter(),
                ),
                named(
                    release_text(|x| x.derived_author.as_deref()),
                    m::RELEASE_DERIVED_AUTHOR,
                ),
                named(release_text(|x| x.modality.as_deref()), m::RELEASE_MODALITY),
                columns::text(m::RELATION, relation_col.into_iter().map(Some)),
                columns::text(m::RELATION_SOURCE, source_col.into_iter().map(Some)),
                named(
                    meta(|x| {
                        x.declared
                            .evidence
                            .as_deref()
                            .filter(|_| x.declared.relation.is_some())
                    }),
                    m::RELATION_EVIDENCE,
                ),
                columns::text_list(m::PARENTS, lists(|r| &r.meta.declared.parents).into_iter()),
            ])
        },
    );
    let mut cols = first?;
    cols.extend(second?);
    DataFrame::new(rows.len(), cols).during(|| "building the models table".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clamp_is_undone_by_an_earlier_first_observation() {
        let clamp = to_epoch_days(created_at_clamp());
        let c = resolve_created_at(Some(clamp), clamp - 300);
        assert_eq!(
            c,
            CreatedAt {
                days: clamp - 300,
                clamped: true,
                from_first_seen: false
            }
        );
        let c = resolve_created_at(Some(clamp), clamp + 10);
        assert_eq!(c.days, clamp);
        assert!(c.clamped);
        let c = resolve_created_at(Some(clamp + 50), clamp + 52);
        assert_eq!(
            c,
            CreatedAt {
                days: clamp + 50,
                clamped: false,
                from_first_seen: false
            }
        );
        let c = resolve_created_at(None, clamp + 7);
        assert!(c.from_first_seen);
        assert_eq!(c.days, clamp + 7);
    }
}
