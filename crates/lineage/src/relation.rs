//! The relation of each model to its parents, in three steps:
//!
//! 1. declared, exactly as the Hub states it (`baseModels.relation`, a typed
//!    `base_model:<relation>:<id>` tag, the card's `base_model_relation`);
//!    a card `base_model` without a relation gets the Hub's own rule
//!    ([`hub_rule`]);
//! 2. the annotated release's parents (`release_parents`), with the Hub's rule;
//! 3. inferred from the model's own files, tags, library, config and name
//!    ([`infer`]); no evidence: `original`, source `none`.

use crate::LineageOptions;
use crate::context::Context;
use crate::evidence::Evidence;
use crate::schema::{relation as rel, relation_source as src};

/// The relation decided for one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub relation: &'static str,
    pub source: &'static str,
    pub evidence: Option<String>,
    pub parents: Vec<String>,
}

impl Decision {
    fn original() -> Self {
        Decision {
            relation: rel::ORIGINAL,
            source: src::NONE,
            evidence: None,
            parents: Vec::new(),
        }
    }
}

/// A declared relation as the Hub spells it (also accepting a few obvious
/// variants: `fine-tune`, `quantization`, `merged`, ...); `None` otherwise.
pub fn normalize_relation(value: &str) -> Option<&'static str> {
    Some(
        match value
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "finetune" | "fine-tune" | "finetuned" | "fine-tuned" | "finetuning" => rel::FINETUNE,
            "adapter" | "adapters" | "lora" | "peft" => rel::ADAPTER,
            "quantized" | "quantised" | "quantization" | "quantisation" | "quant" => rel::QUANTIZED,
            "merge" | "merged" | "merges" => rel::MERGE,
            _ => return None,
        },
    )
}

/// The Hub's rule for a card that names base models without a relation:
/// adapter when the repository carries adapter files (or the peft library),
/// quantized when it carries quantized weights (GGUF, GPTQ, ... or a
/// quantization config), merge when it names several bases, else finetune.
/// Only the repository's files, tags, library and config count, not its name.
pub(crate) fn hub_rule(evidence: &Evidence, parents: usize) -> &'static str {
    if evidence.adapter.is_some() {
        rel::ADAPTER
    } else if evidence.quant.is_some() {
        rel::QUANTIZED
    } else if parents >= 2 {
        rel::MERGE
    } else {
        rel::FINETUNE
    }
}

/// Parent ids without blanks, repeats (ignoring case) or the model itself, in stated order.
fn clean_parents(parents: &[String], own_id: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::with_capacity(parents.len());
    let mut out = Vec::with_capacity(parents.len());
    for p in parents {
        let lower = p.trim().to_lowercase();
        if lower.is_empty() || lower == own_id.to_lowercase() || seen.contains(&lower) {
            continue;
        }
        seen.push(lower);
        out.push(p.trim().to_string());
    }
    out
}

/// Step 1: what the model declares.
fn declared(ctx: &Context<'_>, i: usize) -> Option<Decision> {
    let t = ctx.table;
    let parents = clean_parents(&t.declared_parents[i], t.ids[i]);
    let stated = t.declared_relation[i].and_then(normalize_relation);
    let origin = t.declared_evidence[i];
    match stated {
        Some(relation) => Some(Decision {
            relation,
            source: src::DECLARED,
            evidence: Some(origin.unwrap_or("declared").to_string()),
            parents,
        }),
        None if !parents.is_empty() => {
            let relation = hub_rule(&ctx.evidence[i], parents.len());
            Some(Decision {
                relation,
                source: src::DECLARED,
                evidence: Some(format!(
                    "{}+rule:{relation}",
                    origin.unwrap_or("card:base_model")
                )),
                parents,
            })
        }
        None => None,
    }
}

/// Step 2: the annotated release's parents.
fn from_release(ctx: &Context<'_>, i: usize) -> Option<Decision> {
    let t = ctx.table;
    let parents = clean_parents(&t.release_parents[i], t.ids[i]);
    if parents.is_empty() {
        return None;
    }
    let relation = hub_rule(&ctx.evidence[i], parents.len());
    Some(Decision {
        relation,
        source: src::INFERRED,
        evidence: Some(format!("release:derived_from+rule:{relation}")),
        parents,
    })
}

/// Step 3: inference from the model's own metadata, strongest evidence
/// first. Files, library and tags outrank the name; a quantization config
/// alone (an FP8 original, say) counts only when a parent is found by name.
pub(crate) fn infer(ctx: &Context<'_>, i: usize) -> Option<Decision> {
    let e = &ctx.evidence[i];
    let name = ctx.lower.name(i);
    let structural_quant = e.quant.filter(|_| !e.quant_config_only);
    let (relation, code, needs_parent) = if let Some(c) = e.adapter {
        (rel::ADAPTER, c.to_string(), false)
    } else if let Some(c) = structural_quant {
        (rel::QUANTIZED, c.to_string(), false)
    } else if let Some(c) = e.merge {
        (rel::MERGE, c.to_string(), false)
    } else if let Some(c) = e.name_quant_code(name) {
        (rel::QUANTIZED, c, false)
    } else if let Some(c) = e.quant {
        (rel::QUANTIZED, c.to_string(), true)
    } else if let Some(c) = e.name_adapter {
        (rel::ADAPTER, c.to_string(), false)
    } else if let Some(c) = e.name_merge {
        (rel::MERGE, c.to_string(), false)
    } else {
        let base = ctx.known_base_in_name(i)?;
        return Some(Decision {
            relation: rel::FINETUNE,
            source: src::INFERRED,
            evidence: Some("name:known_base".to_string()),
            parents: vec![ctx.table.ids[base as usize].to_string()],
        });
    };
    let parent = ctx.parent_by_name(i);
    if needs_parent && parent.is_none() {
        return None;
    }
    Some(Decision {
        relation,
        source: src::INFERRED,
        evidence: Some(code),
        parents: parent
            .map(|p| vec![ctx.table.ids[p as usize].to_string()])
            .unwrap_or_default(),
    })
}

/// The relation of model `i`. With `hide_declared`, steps 1 and 2 are
/// skipped (used to measure inference against declarations).
pub(crate) fn decide(
    ctx: &Context<'_>,
    i: usize,
    opts: &LineageOptions,
    hide_declared: bool,
) -> Decision {
    if !hide_declared {
        if let Some(d) = declared(ctx, i) {
            return d;
        }
        if opts.use_release_annotations
            && let Some(d) = from_release(ctx, i)
        {
            return d;
        }
    }
    if opts.infer_undeclared
        && let Some(d) = infer(ctx, i)
    {
        return d;
    }
    Decision::original()
}

#[cfg(test)]
#[path = "relation_tests.rs"]
mod tests;
