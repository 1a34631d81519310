//! Multimodal generation exactly as the analyses define it.
//!
//! The generator does not keep its own list of multimodal pipelines: each
//! family of the catalog is classified once by `hubecon_lineage::enrich`
//! (which applies `is_multimodal_generation` to the modality it derives), from
//! the family's pipeline tag and library, and again with the modality the
//! release writes for it. The two must agree; the truth, the raking and the
//! choice of families all use that verdict.

use std::sync::LazyLock;

use hubecon_lineage::schema::models as col;
use hubecon_lineage::{LineageOptions, enrich};
use polars::prelude::*;

use crate::catalog::FAMILIES;
use crate::error::SynthError;

static VERDICT: LazyLock<Result<Vec<bool>, String>> = LazyLock::new(classify);

/// A models table with two rows per family: pipeline tag and library only,
/// then the same with the release's modality.
fn catalog_table() -> PolarsResult<DataFrame> {
    let n = FAMILIES.len();
    let families = || FAMILIES.iter().chain(FAMILIES.iter());
    let ids: Vec<String> = (0..2 * n)
        .map(|i| format!("hubecon-synth/family-{i}"))
        .collect();
    let release: Vec<Option<&str>> = (0..2 * n)
        .map(|i| (i >= n).then(|| crate::release::modality(FAMILIES[i - n].pipeline)))
        .collect();
    DataFrame::new(
        2 * n,
        vec![
            Column::new(col::MODEL_ID.into(), ids),
            Column::new(col::AUTHOR.into(), vec!["hubecon-synth"; 2 * n]),
            Column::new(
                col::PIPELINE_TAG.into(),
                families().map(|f| f.pipeline).collect::<Vec<_>>(),
            ),
            Column::new(
                col::LIBRARY_NAME.into(),
                families().map(|f| f.library).collect::<Vec<_>>(),
            ),
            Column::new(col::RELEASE_MODALITY.into(), release),
        ],
    )
}

fn classify() -> Result<Vec<bool>, String> {
    let table = catalog_table().map_err(|e| e.to_string())?;
    let (out, _) = enrich(table, &LineageOptions::default()).map_err(|e| e.to_string())?;
    let flags: Vec<bool> = out
        .column(col::IS_MULTIMODAL_GENERATION)
        .and_then(|c| c.bool().cloned())
        .map_err(|e| e.to_string())?
        .iter()
        .map(|v| v.unwrap_or(false))
        .collect();
    let n = FAMILIES.len();
    if let Some(k) = (0..n).find(|&k| flags[k] != flags[n + k]) {
        return Err(format!(
            "family `{}`: the pipeline tag and the release modality `{}` disagree",
            FAMILIES[k].word,
            crate::release::modality(FAMILIES[k].pipeline)
        ));
    }
    Ok(flags[..n].to_vec())
}

/// Fails when hubecon-lineage cannot classify the catalog consistently.
pub fn check() -> Result<(), SynthError> {
    VERDICT
        .as_ref()
        .map(|_| ())
        .map_err(|message| SynthError::Catalog {
            message: message.clone(),
        })
}

/// Whether models of catalog family `family` are multimodal generators for
/// the analyses (false if [`check`] fails; `generate` checks first).
pub fn is_multimodal_generation(family: usize) -> bool {
    VERDICT
        .as_ref()
        .ok()
        .and_then(|v| v.get(family).copied())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(word: &str) -> bool {
        is_multimodal_generation(FAMILIES.iter().position(|f| f.word == word).unwrap())
    }

    #[test]
    fn the_catalog_is_classified_by_the_lineage_crate() {
        check().unwrap();
        for word in [
            "sd", "flux", "llava", "qwen2-vl", "vits", "wan", "omni", "whisper",
        ] {
            assert!(flag(word), "{word}");
        }
        for word in ["bert", "llama", "vit", "detr", "minilm", "t5", "mixtral"] {
            assert!(!flag(word), "{word}");
        }
    }
}
