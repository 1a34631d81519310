//! Model names: originals get a word, family and size; derivatives are named
//! after their parent, the way the Hub names them (`<parent>-GGUF`, `-lora-`).

use rand::RngExt;
use rand_pcg::Pcg64;

use crate::catalog::{NAME_WORDS, size_label};
use crate::models::{Model, Relation};

const FINETUNE_SUFFIXES: [&str; 6] = ["instruct", "chat", "sft", "dpo", "finetuned", "it"];

/// The part of the id after `author/` (before de-duplication).
pub fn stem(m: &Model, models: &[Model], rng: &mut Pcg64) -> String {
    let word = NAME_WORDS[rng.random_range(0..NAME_WORDS.len())];
    match m.relation {
        Relation::Original => original(m, word, rng),
        Relation::Finetune => {
            let suffix = FINETUNE_SUFFIXES[rng.random_range(0..FINETUNE_SUFFIXES.len())];
            format!("{}-{word}-{suffix}", parent_name(m, models, 0))
        }
        Relation::Adapter => format!("{}-lora-{word}", parent_name(m, models, 0)),
        Relation::Quantized => format!(
            "{}-{}",
            parent_name(m, models, 0),
            quant_suffix(m.quant.unwrap_or("gguf"))
        ),
        Relation::Merge => {
            let other = parent_name(m, models, 1);
            let short = other.split('-').next().unwrap_or(word);
            format!("{}-{short}-slerp", parent_name(m, models, 0))
        }
    }
}

fn original(m: &Model, word: &str, rng: &mut Pcg64) -> String {
    let f = m.family();
    if f.small_only {
        format!("{}-{word}-{}", f.word, rng.random_range(1..1000))
    } else {
        format!("{word}-{}-{}", f.word, size_label(m.params))
    }
}

/// Parent `k`'s short name, cut so that chains of derivatives stay readable.
fn parent_name(m: &Model, models: &[Model], k: usize) -> String {
    let idx = m.parents.get(k).or(m.parents.first()).copied().unwrap_or(0) as usize;
    let name = models[idx].name();
    let cut: String = name.chars().take(48).collect();
    cut.trim_end_matches('-').to_string()
}

/// The suffix quantizers append for each format.
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
}
