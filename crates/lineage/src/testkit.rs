//! Test helper: a models table with every ingest column, built from a few
//! fields per model.

use polars::prelude::*;

use crate::frame::{list_column, opt_str_column, str_column};
use crate::schema::models as c;

/// One model of a test table; unset fields are null / empty / false.
#[derive(Debug, Clone, Default)]
pub(crate) struct M {
    pub id: &'static str,
    pub created: i32,
    pub pipeline: Option<&'static str>,
    pub library: Option<&'static str>,
    pub tags: Vec<&'static str>,
    pub files: Vec<&'static str>,
    pub license: Option<&'static str>,
    pub datasets: Vec<&'static str>,
    pub parents: Vec<&'static str>,
    pub relation: Option<&'static str>,
    pub evidence: Option<&'static str>,
    pub safetensors: Option<u64>,
    pub gguf: Option<u64>,
    pub gguf_arch: Option<&'static str>,
    pub architectures: Vec<&'static str>,
    pub model_type: Option<&'static str>,
    pub qconfig: bool,
    pub gated: bool,
    pub downloads: u64,
    pub release_parents: Vec<&'static str>,
    pub release_author: Option<&'static str>,
    pub release_modality: Option<&'static str>,
}

impl M {
    pub fn new(id: &'static str) -> Self {
        M {
            id,
            created: 19_000,
            ..M::default()
        }
    }

    /// Declares parents with a relation and the evidence ingest would record.
    pub fn declares(
        mut self,
        parents: &[&'static str],
        relation: Option<&'static str>,
        evidence: &'static str,
    ) -> Self {
        self.parents = parents.to_vec();
        self.relation = relation;
        self.evidence = Some(evidence);
        self
    }

    pub fn tags(mut self, tags: &[&'static str]) -> Self {
        self.tags = tags.to_vec();
        self
    }

    pub fn files(mut self, files: &[&'static str]) -> Self {
        self.files = files.to_vec();
        self
    }

    pub fn downloads(mut self, d: u64) -> Self {
        self.downloads = d;
        self
    }
}

fn lists(models: &[M], f: impl Fn(&M) -> &Vec<&'static str>) -> Vec<Vec<String>> {
    models
        .iter()
        .map(|m| f(m).iter().map(|s| s.to_string()).collect())
        .collect()
}

fn dates(name: &str, days: Vec<i32>) -> Column {
    Column::new(name.into(), days)
        .cast(&DataType::Date)
        .unwrap()
}

/// The models table ingest would produce for these models (provisional
/// lineage columns = the declared ones).
pub(crate) fn frame(models: &[M]) -> DataFrame {
    let n = models.len();
    let author = |m: &M| m.id.split_once('/').map_or(m.id, |(a, _)| a);
    let opt = |f: fn(&M) -> Option<&'static str>| models.iter().map(f).collect::<Vec<_>>();
    let created: Vec<i32> = models.iter().map(|m| m.created).collect();
    let declared = lists(models, |m| &m.parents);
    let provisional: Vec<&str> = models
        .iter()
        .map(|m| {
            m.relation.unwrap_or(if m.parents.is_empty() {
                "original"
            } else {
                "finetune"
            })
        })
        .collect();
    let columns = vec![
        str_column(c::MODEL_ID, models.iter().map(|m| m.id)),
        str_column(c::AUTHOR, models.iter().map(author)),
        dates(c::CREATED_AT, created.clone()),
        Column::new(c::CREATED_AT_CLAMPED.into(), vec![false; n]),
        dates(c::FIRST_OBSERVED, created.clone()),
        dates(c::LAST_OBSERVED, created),
        opt_str_column(c::PIPELINE_TAG, opt(|m| m.pipeline)),
        opt_str_column(c::LIBRARY_NAME, opt(|m| m.library)),
        list_column(c::TAGS, &lists(models, |m| &m.tags)),
        opt_str_column(c::LICENSE, opt(|m| m.license)),
        list_column(c::DATASETS, &lists(models, |m| &m.datasets)),
        list_column(c::LANGUAGES, &vec![vec!["en".to_string()]; n]),
        list_column(c::DECLARED_PARENTS, &declared),
        opt_str_column(c::DECLARED_RELATION, opt(|m| m.relation)),
        opt_str_column(c::DECLARED_EVIDENCE, opt(|m| m.evidence)),
        Column::new(
            c::SAFETENSORS_PARAMS.into(),
            models.iter().map(|m| m.safetensors).collect::<Vec<_>>(),
        ),
        Column::new(
            c::GGUF_PARAMS.into(),
            models.iter().map(|m| m.gguf).collect::<Vec<_>>(),
        ),
        opt_str_column(c::GGUF_ARCHITECTURE, opt(|m| m.gguf_arch)),
        list_column(c::ARCHITECTURES, &lists(models, |m| &m.architectures)),
        opt_str_column(c::MODEL_TYPE, opt(|m| m.model_type)),
        Column::new(
            c::HAS_QUANTIZATION_CONFIG.into(),
            models.iter().map(|m| m.qconfig).collect::<Vec<_>>(),
        ),
        opt_str_column(c::QUANTIZATION_METHOD, vec![None; n]),
        list_column(c::FILES, &lists(models, |m| &m.files)),
        Column::new(
            c::GATED.into(),
            models.iter().map(|m| m.gated).collect::<Vec<_>>(),
        ),
        Column::new(c::LIKES.into(), vec![Some(0u64); n]),
        Column::new(c::DOWNLOADS_30D.into(), vec![Some(0u64); n]),
        Column::new(
            c::DOWNLOADS_ALL_TIME.into(),
            models.iter().map(|m| m.downloads).collect::<Vec<_>>(),
        ),
        list_column(c::RELEASE_PARENTS, &lists(models, |m| &m.release_parents)),
        opt_str_column(c::RELEASE_DERIVED_AUTHOR, opt(|m| m.release_author)),
        opt_str_column(c::RELEASE_MODALITY, opt(|m| m.release_modality)),
        str_column(c::RELATION, provisional),
        str_column(
            c::RELATION_SOURCE,
            models.iter().map(|m| {
                if m.parents.is_empty() {
                    "none"
                } else {
                    "declared"
                }
            }),
        ),
        opt_str_column(c::RELATION_EVIDENCE, opt(|m| m.evidence)),
        list_column(c::PARENTS, &declared),
    ];
    DataFrame::new(n, columns).unwrap()
}
