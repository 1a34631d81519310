//! The relation of each model to its parents, in three steps:
//!
//! 1. declared, as the Hub states it (`baseModels.relation`, a typed
//!    `base_model:<relation>:<id>` tag, the card's `base_model_relation`);
//!    a card `base_model` without a relation gets the Hub's own rule
//!    ([`hub_rule`]); a stated finetune is corrected only by the
//!    repository's own files, library or tags ([`correct`]);
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
    /// The stated relation when [`correct`] replaced it.
    pub corrected_from: Option<&'static str>,
}

impl Decision {
    fn original() -> Self {
        Decision {
            relation: rel::ORIGINAL,
            source: src::NONE,
            evidence: None,
            parents: Vec::new(),
            corrected_from: None,
        }
    }

    fn new(
        relation: &'static str,
        source: &'static str,
        evidence: String,
        parents: Vec<String>,
    ) -> Self {
        Decision {
            relation,
            source,
            evidence: Some(evidence),
            parents,
            corrected_from: None,
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

/// The relation evidence shows for a stated `finetune`, when it shows one.
/// The Hub types every card `base_model` of an upload as a finetune unless
/// told otherwise, so GGML/GGUF, HQQ and MLX 4-bit uploads appear as
/// finetunes (TheBloke/Llama-2-7B-Chat-GGML, `*-Q4_K_M-GGUF`). Only the
/// repository itself may overrule the statement: quantized weights in its
/// files, library or format tags, or a quantization config together with a
/// quantization token in the name; a merge when merge tags or files stand
/// beside two or more listed bases. A name alone never does
/// (`llama-3-8b-Instruct-bnb-4bit-medical` is a full finetune).
pub(crate) fn correct(evidence: &Evidence, lower_name: &str, bases: usize) -> Option<String> {
    let structural = evidence.quant.filter(|_| !evidence.quant_config_only);
    let config_and_name = evidence
        .quant
        .filter(|_| evidence.name_quant.is_some())
        .and_then(|_| evidence.name_quant_code(lower_name));
    if evidence.adapter.is_some() {
        return None;
    }
    if let Some(code) = structural.map(str::to_string).or(config_and_name) {
        return Some(format!("{}:{code}", rel::QUANTIZED));
    }
    (bases >= 2)
        .then_some(evidence.merge)
        .flatten()
        .map(|code| format!("{}:{code}", rel::MERGE))
}

/// Step 1: what the model declares. A stated merge keeps every base the
/// card lists (the untyped `base_model:<id>` tags), even when the Hub's
/// typed tags and `baseModels` kept only one.
fn declared(ctx: &Context<'_>, i: usize) -> Option<Decision> {
    let t = ctx.table;
    let mut listed = t.declared_parents[i].clone();
    listed.extend(t.tags[i].listed_bases.iter().cloned());
    let listed = clean_parents(&listed, t.ids[i]);
    let parents = clean_parents(&t.declared_parents[i], t.ids[i]);
    let stated = t.declared_relation[i].and_then(normalize_relation);
    let origin = t.declared_evidence[i].unwrap_or("declared");
    match stated {
        Some(rel::FINETUNE) => {
            let Some(fix) = correct(&ctx.evidence[i], ctx.lower.name(i), listed.len()) else {
                return Some(Decision::new(
                    rel::FINETUNE,
                    src::DECLARED,
                    origin.to_string(),
                    parents,
                ));
            };
            let relation = if fix.starts_with(rel::MERGE) {
                rel::MERGE
            } else {
                rel::QUANTIZED
            };
            let parents = if relation == rel::MERGE {
                listed
            } else {
                parents
            };
            Some(Decision {
                corrected_from: Some(rel::FINETUNE),
                ..Decision::new(
                    relation,
                    src::DECLARED,
                    format!("{origin}+corrected:{fix}"),
                    parents,
                )
            })
        }
        Some(rel::MERGE) => Some(Decision::new(
            rel::MERGE,
            src::DECLARED,
            origin.to_string(),
            listed,
        )),
        Some(relation) => Some(Decision::new(
            relation,
            src::DECLARED,
            origin.to_string(),
            parents,
        )),
        None if !parents.is_empty() => {
            let relation = hub_rule(&ctx.evidence[i], parents.len());
            let origin = t.declared_evidence[i].unwrap_or("card:base_model");
            Some(Decision::new(
                relation,
                src::DECLARED,
                format!("{origin}+rule:{relation}"),
                parents,
            ))
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
    Some(Decision::new(
        relation,
        src::INFERRED,
        format!("release:derived_from+rule:{relation}"),
        parents,
    ))
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
        let (base, code) = ctx.known_base_in_name(i)?;
        return Some(Decision::new(
            rel::FINETUNE,
            src::INFERRED,
            code.to_string(),
            vec![ctx.table.ids[base as usize].to_string()],
        ));
    };
    let parent = ctx.parent_by_name(i);
    if needs_parent && parent.is_none() {
        return None;
    }
    Some(Decision::new(
        relation,
        src::INFERRED,
        code,
        parent
            .map(|p| vec![ctx.table.ids[p as usize].to_string()])
            .unwrap_or_default(),
    ))
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
