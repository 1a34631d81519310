//! Model names, made the way the Hub's are: an original gets a word, its
//! family and size; a derivative is its base's short name (its *core*) plus a
//! suffix: `Llama-3.1-8B-Instruct-abliterated`, `Qwen2.5-7B-Instruct-GGUF`,
//! `mistral-7b-sft-lora`, `<a-core>-<b-word>-slerp`.
//!
//! Names stay bounded and never inherit what an ancestor's name says about
//! how the ancestor was made: a fine-tune is named after its root original
//! (or after a fine-tune of that root), never after a merge or a quantization,
//! so a merge word or a format token appears only in the names of merges,
//! adapters and quantizations themselves.

use rand::RngExt;
use rand_pcg::Pcg64;

use crate::catalog::{Family, NAME_WORDS, size_label};
use crate::models::{Model, Relation};

/// Suffixes of language-model fine-tunes (none is a format, adapter or merge word).
const LLM_VARIANTS: &[&str] = &[
    "sft",
    "dpo",
    "orpo",
    "kto",
    "grpo",
    "chat",
    "abliterated",
    "uncensored",
    "reasoning",
    "math",
    "coder",
    "roleplay",
    "alpaca",
    "orca",
    "ultrachat",
    "openhermes",
    "medical",
    "finance",
    "legal",
    "ja",
    "ko",
    "de",
    "fr",
    "es",
    "zh",
    "tr",
    "vi",
    "function-calling",
    "rag",
    "distill",
    "v2",
    "long-ctx",
    "instruct-tuned",
    "it",
];
const TEXT_VARIANTS: &[&str] = &[
    "finetuned-imdb",
    "finetuned-squad",
    "finetuned-sst2",
    "finetuned-emotion",
    "finetuned-ner",
    "finetuned-mrpc",
    "sentiment",
    "ner",
    "nli",
    "qa",
    "ag-news",
    "biomed",
    "legal",
    "finance",
    "german",
    "multilingual",
    "cola",
    "toxicity",
];
const SPEECH_VARIANTS: &[&str] = &[
    "hi",
    "ja",
    "de",
    "fr",
    "ar",
    "ta",
    "ko",
    "nl",
    "sw",
    "finetuned-common-voice",
    "medical",
];
const VISION_VARIANTS: &[&str] = &[
    "finetuned-cifar10",
    "finetuned-food101",
    "finetuned-eurosat",
    "finetuned-beans",
    "finetuned-coco",
    "table",
    "cppe5",
    "medical",
    "xray",
    "plants",
];
const IMAGE_VARIANTS: &[&str] = &[
    "anime",
    "realistic",
    "pixel-art",
    "dreambooth",
    "portrait",
    "cartoon",
    "inpainting",
    "watercolor",
    "architecture",
    "product-shots",
];
/// Merge methods written at the end of a merge's name.
const MERGE_METHODS: &[&str] = &["slerp", "ties", "dare-ties", "merge"];

fn pick<'a>(list: &[&'a str], rng: &mut Pcg64) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// A suffix of the family's list that `core` does not already end with or contain.
fn fresh_variant(f: &Family, core: &str, rng: &mut Pcg64) -> &'static str {
    let list = variants(f);
    let lower = core.to_ascii_lowercase();
    let mut v = pick(list, rng);
    for _ in 0..4 {
        if !lower.contains(v) {
            break;
        }
        v = pick(list, rng);
    }
    v
}

/// Fine-tune suffixes suited to a family.
fn variants(f: &Family) -> &'static [&'static str] {
    match f.pipeline {
        "text-generation" | "image-text-to-text" | "any-to-any" => LLM_VARIANTS,
        "automatic-speech-recognition" | "text-to-speech" => SPEECH_VARIANTS,
        "image-classification" | "object-detection" => VISION_VARIANTS,
        "text-to-image" | "text-to-video" => IMAGE_VARIANTS,
        _ => TEXT_VARIANTS,
    }
}

/// The part of the id after `author/` (before de-duplication) of a model
/// that is not a base model.
pub fn stem(m: &Model, models: &[Model], rng: &mut Pcg64) -> String {
    match m.relation {
        Relation::Original => original(m, rng),
        Relation::Finetune => finetune(m, models, rng),
        Relation::Adapter => {
            let parent = &models[m.parents[0] as usize];
            let core = if parent.relation == Relation::Merge {
                &models[m.root as usize].core
            } else {
                &parent.core
            };
            let v = fresh_variant(m.family(), core, rng);
            if rng.random_bool(0.6) {
                format!("{core}-{v}-lora")
            } else {
                format!("{core}-lora-{v}")
            }
        }
        Relation::Quantized => format!("{}-{}", m.core, quant_name_suffix(m, rng)),
        Relation::Merge => merge(m, models, rng),
    }
}

fn original(m: &Model, rng: &mut Pcg64) -> String {
    let f = m.family();
    let word = pick(&NAME_WORDS, rng);
    if f.small_only {
        format!("{}-{word}-{}", f.word, rng.random_range(1..1000))
    } else {
        format!("{word}-{}-{}", f.word, size_label(m.params))
    }
}

/// The core a derivative of `parent` is named after: the parent's own name
/// when it is an original or a fine-tune of one (half the time), else the
/// family root's name.
fn base_core<'a>(parent: &'a Model, root: &'a Model, models: &[Model], rng: &mut Pcg64) -> &'a str {
    let first_generation = parent.relation == Relation::Finetune
        && parent
            .parents
            .first()
            .is_some_and(|g| models[*g as usize].relation == Relation::Original);
    if parent.relation == Relation::Original || (first_generation && rng.random_bool(0.5)) {
        &parent.core
    } else {
        &root.core
    }
}

fn finetune(m: &Model, models: &[Model], rng: &mut Pcg64) -> String {
    let parent = &models[m.parents[0] as usize];
    let root = &models[m.root as usize];
    let core = base_core(parent, root, models, rng);
    if rng.random_bool(0.15) {
        let brand = pick(&NAME_WORDS, rng);
        let mut c = brand.chars();
        let capital: String = c
            .next()
            .map(|f| f.to_ascii_uppercase())
            .into_iter()
            .chain(c)
            .collect();
        format!("{capital}-{core}")
    } else {
        format!("{core}-{}", fresh_variant(m.family(), core, rng))
    }
}

/// `<a-core>-<b-word>-<method>`: the first parent's core (its root's when it
/// is a merge itself), a distinctive word of the second parent, the method.
fn merge(m: &Model, models: &[Model], rng: &mut Pcg64) -> String {
    let a = &models[m.parents[0] as usize];
    let a_core = if a.relation == Relation::Merge {
        &models[m.root as usize].core
    } else {
        &a.core
    };
    let b = &models[m.parents.get(1).copied().unwrap_or(m.parents[0]) as usize];
    let word = distinctive_word(b, a_core).unwrap_or_else(|| pick(&NAME_WORDS, rng));
    format!("{a_core}-{word}-{}", pick(MERGE_METHODS, rng))
}

/// A word of `b`'s core that `a_core` does not contain: an original's first
/// word (`Qwen2.5`), a derivative's last word that is not a merge method
/// (`abliterated`).
fn distinctive_word<'a>(b: &'a Model, a_core: &str) -> Option<&'a str> {
    let lower = a_core.to_ascii_lowercase();
    let fresh = |w: &&str| {
        w.len() > 1
            && !lower.contains(&w.to_ascii_lowercase())
            && !MERGE_METHODS.contains(&w.to_ascii_lowercase().as_str())
    };
    if b.relation == Relation::Original {
        b.core.split('-').next().filter(fresh)
    } else {
        b.core.rsplit('-').find(fresh)
    }
}

/// The suffix a quantizer appends for each format, in the styles seen on the
/// Hub (`-GGUF`, `-i1-GGUF`, `-GPTQ-Int4`, `-4bit`, `-bnb-4bit`).
fn quant_name_suffix(m: &Model, rng: &mut Pcg64) -> &'static str {
    match m.quant.unwrap_or("gguf") {
        "gguf" if rng.random_bool(0.15) => "i1-GGUF",
        "gptq" if rng.random_bool(0.3) => "GPTQ-Int4",
        "mlx" if rng.random_bool(0.5) => "4bit",
        q => quant_suffix(q),
    }
}

/// The suffix quantizers append for each format (also the card's format tag).
pub fn quant_suffix(format: &str) -> &'static str {
    match format {
        "gguf" => "GGUF",
        "gptq" => "GPTQ",
        "awq" => "AWQ",
        "exl2" => "exl2",
        "mlx" => "mlx-4bit",
        "bnb-4bit" => "bnb-4bit",
        _ => "8bit",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantizers_name_by_format() {
        assert_eq!(quant_suffix("gguf"), "GGUF");
        assert_eq!(quant_suffix("bnb-4bit"), "bnb-4bit");
        assert_eq!(quant_suffix("mlx"), "mlx-4bit");
    }

    #[test]
    fn fine_tune_suffixes_carry_no_format_adapter_or_merge_word() {
        let banned = [
            "gguf",
            "gptq",
            "awq",
            "exl2",
            "mlx",
            "bnb",
            "lora",
            "qlora",
            "peft",
            "adapter",
            "merge",
            "merged",
            "slerp",
            "ties",
            "dare",
            "fp16",
            "bf16",
            "4bit",
            "8bit",
            "int4",
            "onnx",
            "quantized",
        ];
        for list in [
            LLM_VARIANTS,
            TEXT_VARIANTS,
            SPEECH_VARIANTS,
            VISION_VARIANTS,
            IMAGE_VARIANTS,
        ] {
            for v in list {
                for token in v.split('-') {
                    assert!(!banned.contains(&token), "{v}");
                    assert!(
                        !(token.starts_with('q')
                            && token[1..].starts_with(|c: char| c.is_ascii_digit())),
                        "{v} looks like a llama.cpp level"
                    );
                }
            }
        }
    }
}
