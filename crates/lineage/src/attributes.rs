//! Model attributes: size, mixture of experts, quantization, modality and
//! multimodal generation, openness and data transparency.

use crate::context::Context;
use crate::evidence::is_moe_label;
use crate::family::{Families, inherit};
use crate::modality;
use crate::openness::{self, DataTransparency};
use crate::params::{moe_in_name, params_in_name};
use crate::relation::Decision;
use crate::schema::relation as rel;

/// Values of `params_source`.
pub mod params_source {
    pub const SAFETENSORS: &str = "safetensors";
    pub const GGUF: &str = "gguf";
    pub const NAME: &str = "name";
}

/// The attribute columns of every model.
pub(crate) struct Attributes {
    pub params: Vec<Option<u64>>,
    pub params_source: Vec<Option<&'static str>>,
    pub is_moe: Vec<bool>,
    pub is_quantized: Vec<bool>,
    pub modality: Vec<Option<String>>,
    pub is_multimodal_generation: Vec<bool>,
    pub openness: Vec<&'static str>,
    pub data_transparency: Vec<&'static str>,
}

/// Parameter count and its source: the safetensors total, else the GGUF
/// total, else a count stated in the name. A quantized checkpoint stores
/// packed integers, so its safetensors total understates the model; when
/// the name states a count more than 1.5 times larger, the name wins.
pub fn choose_params(
    safetensors: Option<u64>,
    gguf: Option<u64>,
    name: &str,
    quantized: bool,
) -> Option<(u64, &'static str)> {
    let named = params_in_name(name);
    if let Some(s) = safetensors.filter(|&s| s > 0) {
        return Some(match named {
            Some(c) if quantized && c as f64 > 1.5 * s as f64 => (c, params_source::NAME),
            _ => (s, params_source::SAFETENSORS),
        });
    }
    if let Some(g) = gguf.filter(|&g| g > 0) {
        return Some((g, params_source::GGUF));
    }
    named.map(|c| (c, params_source::NAME))
}

/// GGUF architecture names (lowercase) of mixture-of-experts models.
fn is_moe_gguf_architecture(arch: &str) -> bool {
    arch.contains("moe")
        || matches!(
            arch,
            "deepseek2"
                | "dbrx"
                | "arctic"
                | "llama4"
                | "gpt-oss"
                | "jamba"
                | "dots1"
                | "grok"
                | "qwen3next"
        )
}

/// Own mixture-of-experts evidence: architecture, model type, GGUF
/// architecture, tags or name.
fn moe_evidence(ctx: &Context<'_>, i: usize) -> bool {
    let t = ctx.table;
    let lower = |v: Option<&str>| v.map(str::to_ascii_lowercase);
    t.moe_architecture[i]
        || lower(t.model_type[i]).is_some_and(|m| is_moe_label(&m))
        || lower(t.gguf_architecture[i]).is_some_and(|a| is_moe_gguf_architecture(&a))
        || t.tags[i].moe
        || moe_in_name(ctx.lower.name(i))
}

/// A model's own answer to "is it a mixture of experts": yes on MoE
/// evidence; no when its config states a model type that is not MoE (a
/// dense distillation of an MoE model, e.g. DeepSeek-R1-Distill-Llama-8B,
/// is dense whatever its parent); otherwise unknown, and a derivative then
/// inherits its parent's answer. GGUF architectures do not count as dense
/// evidence: the Hub reports `llama` for Mixtral GGUFs.
fn own_moe(ctx: &Context<'_>, i: usize) -> Option<bool> {
    if moe_evidence(ctx, i) {
        Some(true)
    } else if ctx.table.model_type[i].is_some() {
        Some(false)
    } else {
        None
    }
}

/// Own modality: release, pipeline tag, a pipeline tag among the tags, library.
fn own_modality(ctx: &Context<'_>, i: usize) -> Option<(String, bool)> {
    let t = ctx.table;
    let from_pipeline = t.pipeline[i]
        .and_then(modality::pipeline_modality)
        .or_else(|| t.tags[i].pipeline.and_then(modality::pipeline_modality));
    let generative = from_pipeline.is_none_or(|(_, g)| g);
    if let Some(release) = t.release_modality[i].and_then(modality::normalize_modality) {
        return Some((release, generative));
    }
    from_pipeline
        .or_else(|| t.library[i].and_then(modality::library_modality))
        .map(|(m, g)| (m.to_string(), g))
}

impl Attributes {
    pub fn derive(ctx: &Context<'_>, decisions: &[Decision], families: &Families<'_>) -> Self {
        let n = decisions.len();
        let t = ctx.table;
        let derived = |i: usize| decisions[i].relation != rel::ORIGINAL;
        let is_quantized: Vec<bool> = (0..n)
            .map(|i| decisions[i].relation == rel::QUANTIZED || ctx.evidence[i].quantized())
            .collect();

        let (params, params_source) = (0..n)
            .map(|i| {
                let name = ctx.lower.name(i);
                match choose_params(
                    t.safetensors_params[i],
                    t.gguf_params[i],
                    name,
                    is_quantized[i],
                ) {
                    Some((v, s)) => (Some(v), Some(s)),
                    None => (None, None),
                }
            })
            .unzip();

        let own_moe: Vec<Option<bool>> = (0..n).map(|i| own_moe(ctx, i)).collect();
        let same_architecture = |i: usize| decisions[i].relation != rel::MERGE && derived(i);
        let is_moe = inherit(&own_moe, same_architecture, &families.parent)
            .into_iter()
            .map(|v| v.unwrap_or(false))
            .collect();

        let mut modalities: Vec<(String, bool)> = Vec::new();
        let own_mod: Vec<Option<u32>> = (0..n)
            .map(|i| {
                own_modality(ctx, i).map(|m| {
                    modalities.push(m);
                    (modalities.len() - 1) as u32
                })
            })
            .collect();
        let mods = inherit(&own_mod, derived, &families.parent);
        let modality_of = |k: Option<u32>| k.map(|k| &modalities[k as usize]);

        let own_data: Vec<Option<DataTransparency>> = t
            .data
            .iter()
            .map(|d| (*d != DataTransparency::Undisclosed).then_some(*d))
            .collect();
        let quantized_relation = |i: usize| decisions[i].relation == rel::QUANTIZED;
        let data: Vec<DataTransparency> = inherit(&own_data, quantized_relation, &families.parent)
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();

        Attributes {
            params,
            params_source,
            is_moe,
            is_quantized,
            modality: mods
                .iter()
                .map(|&k| modality_of(k).map(|(m, _)| m.clone()))
                .collect(),
            is_multimodal_generation: mods
                .iter()
                .map(|&k| {
                    modality_of(k).is_some_and(|(m, g)| modality::is_multimodal_generation(m, *g))
                })
                .collect(),
            openness: (0..n)
                .map(|i| openness::openness(t.licence(i).as_deref(), t.gated[i], data[i]))
                .collect(),
            data_transparency: data.iter().map(|d| d.as_str()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_prefer_safetensors_then_gguf_then_name() {
        assert_eq!(
            choose_params(Some(6_738_415_616), Some(1), "llama-2-7b", false),
            Some((6_738_415_616, "safetensors"))
        );
        assert_eq!(
            choose_params(None, Some(7_241_732_096), "mistral-7b-gguf", true),
            Some((7_241_732_096, "gguf"))
        );
        assert_eq!(
            choose_params(None, None, "smollm2-135m", false),
            Some((135_000_000, "name"))
        );
        assert_eq!(choose_params(None, None, "bert-base-uncased", false), None);
    }

    #[test]
    fn packed_quantized_checkpoints_take_the_named_size() {
        // unsloth/Qwen2.5-7B-Instruct-bnb-4bit: the Hub counts 4.46B packed values.
        let name = "qwen2.5-7b-instruct-bnb-4bit";
        assert_eq!(
            choose_params(Some(4_460_000_000), None, name, true),
            Some((7_000_000_000, "name"))
        );
        // Unquantized, the safetensors total stands even if the name differs.
        assert_eq!(
            choose_params(Some(4_460_000_000), None, name, false),
            Some((4_460_000_000, "safetensors"))
        );
        // An FP8 checkpoint stores one value per parameter: no override.
        assert_eq!(
            choose_params(Some(30_500_000_000), None, "qwen3-30b-a3b-fp8", true),
            Some((30_500_000_000, "safetensors"))
        );
    }

    #[test]
    fn moe_gguf_architectures() {
        assert!(is_moe_gguf_architecture("qwen3moe"));
        assert!(is_moe_gguf_architecture("deepseek2"));
        assert!(!is_moe_gguf_architecture("llama"));
    }
}
