//! Lineage and attributes of the canonical models table.
//!
//! This crate owns, for every model of `models.parquet`:
//! - its **relation** to its parents (original / finetune / adapter /
//!   quantized / merge), whether it was declared on the Hub, inferred from the
//!   model's own files, tags, library, config and name, or absent (`none`),
//!   with a short evidence code;
//! - its **parents**, **family root** (following first parents), **lineage
//!   depth** and **derived author** (the family root's developer);
//! - its **attributes**: parameter count and source, mixture of experts,
//!   quantization, modality, multimodal generation, openness (one licence
//!   table) and training-data transparency;
//! - the **intermediaries**: developers most of whose downloads come from
//!   derivatives of other developers' models;
//! - the **accuracy** of relation inference measured against declarations.
//!
//! It depends on `hubecon-ingest` only for the column names. It does no I/O:
//! frames in, frames and reports out. Every definition is documented at the
//! function that applies it and in `notes/METHODS-lineage.md`.

mod attributes;
mod basename;
mod context;
mod error;
mod eval;
mod eval_report;
mod evidence;
mod family;
mod frame;
mod intermediaries;
mod matching;
mod modality;
mod names;
mod openness;
mod params;
mod relation;
mod report;
mod table;
#[cfg(test)]
mod testkit;

pub use hubecon_ingest::schema;

pub use attributes::{choose_params, params_source};
pub use error::LineageError;
pub use eval::{
    ClassMetrics, Correction, EvalMiss, EvalReport, ParentMetrics, RelationCount, Share,
    lineage_eval,
};
pub use intermediaries::{DEFAULT_INTERMEDIARY_THRESHOLD, intermediaries, intermediary_columns};
pub use modality::{is_multimodal_generation, normalize_modality};
pub use names::{model_name, namespace};
pub use openness::{
    DataTransparency, LICENCES, LicenceClass, data_transparency, data_values, dataset_is_published,
    licence_class, openness, openness_values,
};
pub use params::{moe_in_name, params_in_name};
pub use relation::normalize_relation;
pub use report::LineageReport;

use polars::prelude::*;
use rayon::prelude::*;

use crate::attributes::Attributes;
use crate::context::Context;
use crate::family::Families;
use crate::matching::LowerIds;
use crate::relation::Decision;
use crate::schema::models as col;
use crate::table::Table;

/// Options of lineage classification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineageOptions {
    /// Infer relations for models that declare none (default true); when
    /// false they are `original` with source `none`.
    pub infer_undeclared: bool,
    /// Use the annotated release's columns when present (default true):
    /// `release_parents` for models that declare no parent,
    /// `release_derived_author` over the family root's author, and
    /// `release_modality` over the pipeline tag.
    pub use_release_annotations: bool,
    /// Shortest name (characters after the namespace) that counts as a known
    /// base found inside another model's name (default 4).
    pub min_base_name_len: usize,
}

impl Default for LineageOptions {
    fn default() -> Self {
        LineageOptions {
            infer_undeclared: true,
            use_release_annotations: true,
            min_base_name_len: 4,
        }
    }
}

/// Fills the lineage and attribute columns of a models table (the ingest
/// columns of `hubecon_ingest::schema::models`) and returns the same rows
/// in the same order: `relation`, `relation_source`, `relation_evidence`,
/// `parents`, `family_root`, `lineage_depth`, `derived_author`, `params`,
/// `params_source`, `is_moe`, `is_quantized`, `modality`,
/// `is_multimodal_generation`, `openness`, `data_transparency`. Existing
/// columns of those names are replaced.
pub fn enrich(
    models: DataFrame,
    opts: &LineageOptions,
) -> Result<(DataFrame, LineageReport), LineageError> {
    let (columns, report) = {
        let table = Table::read(&models)?;
        let lower = LowerIds::new(&table.ids);
        let ctx = Context::new(&table, &lower, opts)?;
        let decisions: Vec<Decision> = (0..table.len())
            .into_par_iter()
            .map(|i| relation::decide(&ctx, i, opts, false))
            .collect();
        let families = Families::build(&ctx, &decisions);
        let attributes = Attributes::derive(&ctx, &decisions, &families);
        let report = LineageReport::new(&decisions, &families);
        (
            output_columns(&ctx, &decisions, &families, attributes, opts),
            report,
        )
    };
    let mut models = models;
    for column in columns {
        models.with_column(column)?;
    }
    Ok((models, report))
}

/// The derived developer: the release's, when used and present, else the family root's.
fn derived_authors<'a>(
    table: &Table<'a>,
    families: &'a Families<'_>,
    opts: &LineageOptions,
) -> Vec<&'a str> {
    (0..table.len())
        .map(|i| {
            let release = table.release_derived_author[i]
                .filter(|a| opts.use_release_annotations && !a.trim().is_empty());
            release.unwrap_or_else(|| families.root_author(&table.authors, i))
        })
        .collect()
}

fn output_columns(
    ctx: &Context<'_>,
    decisions: &[Decision],
    families: &Families<'_>,
    a: Attributes,
    opts: &LineageOptions,
) -> Vec<Column> {
    let t = ctx.table;
    let n = t.len();
    let parents: Vec<Vec<String>> = decisions.iter().map(|d| d.parents.clone()).collect();
    let roots: Vec<&str> = (0..n).map(|i| families.root_id(&t.ids, i)).collect();
    vec![
        frame::str_column(col::RELATION, decisions.iter().map(|d| d.relation)),
        frame::str_column(col::RELATION_SOURCE, decisions.iter().map(|d| d.source)),
        frame::opt_str_column(
            col::RELATION_EVIDENCE,
            decisions.iter().map(|d| d.evidence.as_deref()),
        ),
        frame::list_column(col::PARENTS, &parents),
        frame::str_column(col::FAMILY_ROOT, roots),
        Column::new(col::LINEAGE_DEPTH.into(), &families.depth),
        frame::str_column(col::DERIVED_AUTHOR, derived_authors(t, families, opts)),
        Column::new(col::PARAMS.into(), &a.params),
        frame::opt_str_column(col::PARAMS_SOURCE, a.params_source.iter().copied()),
        Column::new(col::IS_MOE.into(), &a.is_moe),
        Column::new(col::IS_QUANTIZED.into(), &a.is_quantized),
        frame::opt_str_column(col::MODALITY, a.modality.iter().map(Option::as_deref)),
        Column::new(
            col::IS_MULTIMODAL_GENERATION.into(),
            &a.is_multimodal_generation,
        ),
        frame::str_column(col::OPENNESS, a.openness.iter().copied()),
        frame::str_column(col::DATA_TRANSPARENCY, a.data_transparency.iter().copied()),
    ]
}

#[cfg(test)]
mod tests;
