//! What the Hub shows about a model: tags, files, card header, config, sizes.
//!
//! Declared lineage is written the Hub's three ways (baseModels, paired
//! `base_model:` tags, the card's `base_model`); undocumented derivatives
//! carry only the evidence of their names, tags and files.

use serde_json::{Value, json};

use crate::developers::Developer;
use crate::models::{Model, Relation};
use crate::names::quant_suffix;

/// The relation the Hub infers and exposes for a declared parent.
pub fn hub_relation(m: &Model) -> Option<&'static str> {
    (m.declared && m.relation != Relation::Original).then(|| m.relation.key())
}

pub fn library_name(m: &Model, dev: &Developer) -> Option<&'static str> {
    match (m.relation, m.quant) {
        (Relation::Adapter, _) => Some("peft"),
        (_, Some("gguf")) => None,
        (_, Some("mlx")) => Some("mlx"),
        _ if dev.name == "mlx-community" => Some("mlx"),
        _ => Some(m.family().library),
    }
}

pub fn tags(m: &Model, models: &[Model], dev: &Developer) -> Vec<String> {
    let f = m.family();
    let mut t: Vec<String> = Vec::new();
    if let Some(lib) = library_name(m, dev) {
        t.push(lib.to_string());
    }
    if m.safetensors_known {
        t.push("safetensors".into());
    }
    if m.quant == Some("gguf") {
        t.push("gguf".into());
    }
    if let Some(mt) = f.model_type {
        t.push(mt.to_string());
    }
    t.push(f.pipeline.to_string());
    match m.quant {
        Some("gptq") => t.extend(["gptq".to_string(), "4-bit".to_string()]),
        Some("awq") => t.extend(["awq".to_string(), "4-bit".to_string()]),
        Some("exl2") => t.push("exl2".into()),
        Some("bnb-4bit") => t.extend(["4-bit".to_string(), "bitsandbytes".to_string()]),
        Some("bnb-8bit") => t.extend(["8-bit".to_string(), "bitsandbytes".to_string()]),
        Some("mlx") => t.push("4-bit".into()),
        _ => {}
    }
    match m.relation {
        Relation::Adapter => t.extend(["lora".to_string(), "adapter".to_string()]),
        Relation::Merge => t.extend(["mergekit".to_string(), "merge".to_string()]),
        Relation::Finetune => t.push("generated_from_trainer".into()),
        _ => {}
    }
    if f.pipeline == "text-generation" {
        t.push("conversational".into());
    }
    t.extend(
        m.datasets
            .iter()
            .filter(|d| d.contains('/'))
            .map(|d| format!("dataset:{d}")),
    );
    t.extend(m.languages.iter().map(|l| l.to_string()));
    if let Some(rel) = hub_relation(m) {
        for p in &m.parents {
            let pid = &models[*p as usize].id;
            t.push(format!("base_model:{pid}"));
            t.push(format!("base_model:{rel}:{pid}"));
        }
    }
    if let Some(l) = m.license {
        t.push(format!("license:{l}"));
    }
    t.push("region:us".into());
    t
}

pub fn siblings(m: &Model) -> Vec<String> {
    let f = m.family();
    let mut s = vec![".gitattributes".to_string()];
    if m.transparency != crate::models::NO_CARD {
        s.push("README.md".into());
    }
    match (m.relation, m.quant) {
        (Relation::Adapter, _) => s.extend([
            "adapter_config.json".to_string(),
            "adapter_model.safetensors".to_string(),
        ]),
        (_, Some("gguf")) => {
            // Files are named after the quantized model's base (its core).
            let base = &m.core;
            s.extend(
                ["Q4_K_M", "Q5_K_M", "Q8_0"]
                    .iter()
                    .map(|q| format!("{base}.{q}.gguf")),
            );
        }
        _ if f.library == "diffusers" => s.extend([
            "model_index.json".to_string(),
            "unet/diffusion_pytorch_model.safetensors".to_string(),
        ]),
        _ => {
            s.push("config.json".into());
            s.push(if m.safetensors_known {
                "model.safetensors".into()
            } else {
                "pytorch_model.bin".into()
            });
            if f.llm || f.pipeline.contains("text") || f.pipeline == "fill-mask" {
                s.push("tokenizer.json".into());
            }
        }
    }
    if m.relation == Relation::Merge {
        s.push("mergekit_config.yml".into());
    }
    s
}

/// The card's YAML header as JSON (None: the model has no card).
pub fn card_data(m: &Model, models: &[Model]) -> Option<Value> {
    if m.transparency == crate::models::NO_CARD {
        return None;
    }
    let mut card = serde_json::Map::new();
    if let Some(l) = m.license {
        card.insert("license".into(), json!(l));
    }
    card.insert("language".into(), json!(m.languages));
    if !m.datasets.is_empty() {
        card.insert("datasets".into(), json!(m.datasets));
    }
    if let Some(rel) = hub_relation(m) {
        let ids: Vec<&str> = m
            .parents
            .iter()
            .map(|p| models[*p as usize].id.as_str())
            .collect();
        card.insert(
            "base_model".into(),
            if ids.len() == 1 {
                json!(ids[0])
            } else {
                json!(ids)
            },
        );
        if m.relation_field {
            card.insert("base_model_relation".into(), json!(rel));
        }
    }
    let mut tags: Vec<&str> = Vec::new();
    match m.relation {
        Relation::Merge => tags.extend(["mergekit", "merge"]),
        Relation::Adapter => tags.push("lora"),
        _ => {}
    }
    if let Some(q) = m.quant {
        tags.push(quant_suffix(q));
    }
    if !tags.is_empty() {
        card.insert("tags".into(), json!(tags));
    }
    card.insert("pipeline_tag".into(), json!(m.family().pipeline));
    Some(Value::Object(card))
}

/// `config.quantization_config` (method, bits) of quantized safetensors repos.
pub fn quantization_config(m: &Model) -> Option<(&'static str, i64)> {
    match m.quant {
        Some("gptq") => Some(("gptq", 4)),
        Some("awq") => Some(("awq", 4)),
        Some("exl2") => Some(("exl2", 4)),
        Some("bnb-4bit") => Some(("bitsandbytes", 4)),
        Some("bnb-8bit") => Some(("bitsandbytes", 8)),
        Some("mlx") => Some(("mlx", 4)),
        _ => None,
    }
}

/// Whether the repo has a config (GGUF-only repos and adapters do not).
pub fn has_config(m: &Model) -> bool {
    m.quant != Some("gguf") && m.relation != Relation::Adapter
}

/// Safetensors parameter counts by dtype (BF16, F16, F32, I32), as the Hub reports them.
pub fn safetensors_dtypes(m: &Model) -> Option<[Option<i64>; 4]> {
    if !m.safetensors_known {
        return None;
    }
    let p = m.params as i64;
    Some(match m.quant {
        Some("gptq" | "awq" | "mlx" | "bnb-4bit" | "bnb-8bit") => {
            [None, Some(p / 8), None, Some(p - p / 8)]
        }
        _ if m.family().llm
            && m.created
                >= crate::calendar::days(
                    chrono::NaiveDate::from_ymd_opt(2023, 6, 1).unwrap_or_default(),
                ) =>
        {
            [Some(p), None, None, None]
        }
        _ => [None, None, Some(p), None],
    })
}

pub const DTYPES: [&str; 4] = ["BF16", "F16", "F32", "I32"];

pub fn safetensors_json(m: &Model) -> Option<String> {
    let d = safetensors_dtypes(m)?;
    let mut params = serde_json::Map::new();
    for (k, v) in DTYPES.iter().zip(d) {
        if let Some(v) = v {
            params.insert(k.to_string(), json!(v));
        }
    }
    Some(json!({"parameters": params, "total": m.params}).to_string())
}

pub fn gguf_json(m: &Model) -> Option<String> {
    m.gguf.then(|| json!({"total": m.params, "architecture": m.family().gguf_architecture, "context_length": context_length(m)}).to_string())
}

pub fn context_length(m: &Model) -> i64 {
    if m.created
        >= crate::calendar::days(chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap_or_default())
    {
        32_768
    } else {
        4_096
    }
}

pub fn config_json(m: &Model) -> Option<String> {
    if !has_config(m) {
        return None;
    }
    let f = m.family();
    let mut c = json!({"architectures": [f.architecture], "model_type": f.model_type});
    if let Some((method, bits)) = quantization_config(m) {
        c["quantization_config"] = json!({"quant_method": method, "bits": bits});
    }
    Some(c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(relation: Relation, declared: bool, quant: Option<&'static str>) -> Model {
        Model {
            id: "a/x-GGUF".into(),
            oid: "0".repeat(24),
            author: 0,
            created: 19_500,
            first_week: 0,
            relation,
            declared,
            relation_field: true,
            parents: vec![0],
            quant,
            family: 9,
            params: 7_000_000_000,
            safetensors_known: false,
            gguf: quant == Some("gguf"),
            license: Some("apache-2.0"),
            gated: false,
            transparency: 0,
            datasets: vec!["allenai/c4"],
            languages: vec!["en"],
            latent: 1.0,
            popularity: 1.0,
            decay_weeks: 10.0,
            core: "x".into(),
            root: 0,
            base: false,
        }
    }

    #[test]
    fn declared_parents_appear_as_paired_tags_and_in_the_card() {
        let parent = Model {
            id: "org/base".into(),
            ..model(Relation::Original, false, None)
        };
        let m = model(Relation::Quantized, true, Some("gguf"));
        let dev = crate::developers::Developer {
            name: "a".into(),
            kind: crate::developers::DevKind::Tail,
            org_type: "user".into(),
            country: None,
            country_group: "User".into(),
            annotated: false,
            active_from: 0,
            activity: 1.0,
            popularity: 1.0,
            formats: vec![],
        };
        let models = vec![parent];
        let t = tags(&m, &models, &dev);
        assert!(t.contains(&"base_model:org/base".to_string()));
        assert!(t.contains(&"base_model:quantized:org/base".to_string()));
        assert!(t.contains(&"gguf".to_string()));
        let card = card_data(&m, &models).unwrap();
        assert_eq!(card["base_model"], "org/base");
        assert_eq!(card["base_model_relation"], "quantized");
        assert!(!has_config(&m));
        let undocumented = model(Relation::Quantized, false, Some("gguf"));
        let t = tags(&undocumented, &models, &dev);
        assert!(!t.iter().any(|x| x.starts_with("base_model:")));
        assert!(
            card_data(&undocumented, &models)
                .unwrap()
                .get("base_model")
                .is_none()
        );
        assert!(siblings(&undocumented).iter().any(|s| s.ends_with(".gguf")));
    }
}
