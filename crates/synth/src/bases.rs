//! The head labs' base models: the roots of the big derivative families.
//!
//! Real ids, parameter counts (safetensors totals as the Hub shows them,
//! rounded where the Hub's own figure varies) and approximate first-upload
//! dates; licences, gating and named datasets as their cards state them. The
//! download numbers the generator gives them are synthetic. `appeal` is their
//! relative pull on new derivatives when they are new (it decays with age,
//! see `attach`).

use crate::catalog::FAMILIES;

/// One base model of a head lab.
#[derive(Debug, Clone, Copy)]
pub struct BaseModel {
    /// `author/name`; the author must be a developer of the head table.
    pub id: &'static str,
    /// Word of its family in [`FAMILIES`].
    pub family: &'static str,
    pub params: u64,
    /// First upload (`YYYY-MM-DD`).
    pub created: &'static str,
    /// Relative pull on new derivatives.
    pub appeal: f64,
    pub license: &'static str,
    pub gated: bool,
    /// Datasets the card names (Hub ids: available; other text: disclosed; none: undisclosed).
    pub datasets: &'static [&'static str],
}

#[allow(clippy::too_many_arguments)]
const fn base(
    id: &'static str,
    family: &'static str,
    params: u64,
    created: &'static str,
    appeal: f64,
    license: &'static str,
    gated: bool,
    datasets: &'static [&'static str],
) -> BaseModel {
    BaseModel {
        id,
        family,
        params,
        created,
        appeal,
        license,
        gated,
        datasets,
    }
}

const WIKI: &[&str] = &["wikimedia/wikipedia"];
const NONE: &[&str] = &[];

/// In priority order: a small sample keeps the first ones (see [`bases_for`]).
#[rustfmt::skip]
pub const BASE_MODELS: &[BaseModel] = &[
    base("meta-llama/Llama-3.1-8B-Instruct", "llama", 8_030_261_248, "2024-07-23", 10.0, "llama3.1", true, NONE),
    base("Qwen/Qwen2.5-7B-Instruct", "qwen2", 7_615_616_512, "2024-09-19", 10.0, "apache-2.0", false, NONE),
    base("google-bert/bert-base-uncased", "bert", 110_106_428, "2019-10-01", 8.0, "apache-2.0", false, WIKI),
    base("meta-llama/Llama-2-7b-hf", "llama", 6_738_415_616, "2023-07-18", 8.0, "llama2", true, NONE),
    base("mistralai/Mistral-7B-v0.1", "mistral", 7_241_732_096, "2023-09-27", 8.0, "apache-2.0", false, NONE),
    base("google/gemma-2-9b-it", "gemma2", 9_241_705_984, "2024-06-27", 5.0, "gemma", true, NONE),
    base("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "qwen2", 7_615_616_512, "2025-01-20", 6.0, "mit", false, NONE),
    base("openai/whisper-large-v3", "whisper", 1_543_490_560, "2023-11-07", 4.0, "apache-2.0", false, &["680k hours of weakly labelled web audio"]),
    base("stabilityai/stable-diffusion-xl-base-1.0", "sd", 3_470_000_000, "2023-07-25", 6.0, "openrail++", false, NONE),
    base("sentence-transformers/all-MiniLM-L6-v2", "minilm", 22_713_216, "2021-08-30", 5.0, "apache-2.0", false, &["sentence-transformers/reddit-title-body", "sentence-transformers/s2orc"]),
    base("mistralai/Mixtral-8x7B-v0.1", "mixtral", 46_702_792_704, "2023-12-11", 3.0, "apache-2.0", false, NONE),
    base("Qwen/Qwen3-30B-A3B", "qwen3-moe", 30_532_122_624, "2025-04-29", 4.0, "apache-2.0", false, NONE),
    base("deepseek-ai/DeepSeek-V3", "deepseek-v3", 671_026_419_200, "2024-12-26", 1.0, "mit", false, NONE),
    base("Qwen/Qwen3-8B", "qwen3", 8_190_735_360, "2025-04-29", 6.0, "apache-2.0", false, NONE),
    base("meta-llama/Meta-Llama-3-8B-Instruct", "llama", 8_030_261_248, "2024-04-18", 8.0, "llama3", true, NONE),
    base("mistralai/Mistral-7B-Instruct-v0.2", "mistral", 7_241_732_096, "2023-12-11", 6.0, "apache-2.0", false, NONE),
    base("google/gemma-2-2b-it", "gemma2", 2_614_341_888, "2024-07-31", 4.0, "gemma", true, NONE),
    base("meta-llama/Llama-3.2-1B-Instruct", "llama", 1_235_814_400, "2024-09-25", 5.0, "llama3.2", true, NONE),
    base("Qwen/Qwen2.5-0.5B-Instruct", "qwen2", 494_032_768, "2024-09-19", 5.0, "apache-2.0", false, NONE),
    base("Qwen/Qwen2.5-VL-7B-Instruct", "qwen2-vl", 8_292_166_656, "2025-01-26", 4.0, "apache-2.0", false, NONE),
    base("deepseek-ai/DeepSeek-R1", "deepseek-v3", 671_026_419_200, "2025-01-20", 1.5, "mit", false, NONE),
    base("openai-community/gpt2", "gpt", 124_439_808, "2019-10-01", 6.0, "mit", false, &["WebText (OpenAI web scrape)"]),
    base("distilbert/distilbert-base-uncased", "bert", 66_985_530, "2019-10-02", 6.0, "apache-2.0", false, WIKI),
    base("distilbert/distilbert-base-uncased-finetuned-sst-2-english", "bert-cls", 66_955_010, "2019-10-03", 3.0, "apache-2.0", false, &["stanfordnlp/sst2"]),
    base("google-t5/t5-small", "t5", 60_506_624, "2019-10-04", 4.0, "apache-2.0", false, &["allenai/c4"]),
    base("google/flan-t5-base", "t5", 247_577_856, "2022-10-21", 4.0, "apache-2.0", false, &["Muennighoff/flan"]),
    base("google-t5/t5-11b", "t5", 11_307_321_344, "2019-10-05", 1.0, "apache-2.0", false, &["allenai/c4"]),
    base("google/flan-t5-xxl", "t5", 11_266_992_128, "2022-10-21", 2.0, "apache-2.0", false, &["Muennighoff/flan"]),
    base("google/vit-base-patch16-224", "vit", 86_567_656, "2021-03-24", 4.0, "apache-2.0", false, &["ILSVRC/imagenet-1k"]),
    base("facebook/detr-resnet-50", "detr", 41_631_008, "2021-03-02", 2.0, "apache-2.0", false, &["detection-datasets/coco"]),
    base("runwayml/stable-diffusion-v1-5", "sd", 1_066_235_307, "2022-10-20", 6.0, "creativeml-openrail-m", false, &["laion/laion2B-en"]),
    base("CompVis/stable-diffusion-v1-4", "sd", 1_066_235_307, "2022-08-10", 4.0, "creativeml-openrail-m", false, &["laion/laion2B-en"]),
    base("black-forest-labs/FLUX.1-dev", "flux", 11_901_408_320, "2024-08-01", 6.0, "other", true, NONE),
    base("openai/whisper-small", "whisper", 241_734_912, "2022-09-26", 3.0, "apache-2.0", false, &["680k hours of weakly labelled web audio"]),
    base("llava-hf/llava-1.5-7b-hf", "llava", 7_063_427_072, "2023-12-05", 2.0, "llama2", false, &["liuhaotian/LLaVA-Instruct-150K"]),
    base("Qwen/Qwen2-VL-7B-Instruct", "qwen2-vl", 8_291_375_616, "2024-08-28", 3.0, "apache-2.0", false, NONE),
    base("meta-llama/Llama-3.2-3B-Instruct", "llama", 3_212_749_824, "2024-09-25", 4.0, "llama3.2", true, NONE),
    base("meta-llama/Llama-3.3-70B-Instruct", "llama", 70_553_706_496, "2024-12-06", 3.0, "llama3.3", true, NONE),
    base("Qwen/Qwen2.5-1.5B-Instruct", "qwen2", 1_543_714_304, "2024-09-19", 4.0, "apache-2.0", false, NONE),
    base("Qwen/Qwen2.5-Coder-7B-Instruct", "qwen2", 7_615_616_512, "2024-09-18", 3.0, "apache-2.0", false, NONE),
    base("mistralai/Mistral-Nemo-Instruct-2407", "mistral", 12_247_782_400, "2024-07-18", 3.0, "apache-2.0", false, NONE),
    base("meta-llama/Llama-2-7b-chat-hf", "llama", 6_738_415_616, "2023-07-18", 5.0, "llama2", true, NONE),
    base("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "llama", 8_030_261_248, "2025-01-20", 3.0, "mit", false, NONE),
    base("Qwen/Qwen1.5-MoE-A2.7B", "qwen2-moe", 14_315_784_192, "2024-03-14", 1.0, "other", false, NONE),
    base("openai/gpt-oss-20b", "gpt-oss", 21_511_953_984, "2025-08-05", 3.0, "apache-2.0", false, NONE),
    base("Qwen/Qwen2.5-Omni-7B", "omni", 10_732_225_408, "2025-03-26", 1.0, "other", false, NONE),
    base("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", "wan", 1_418_996_800, "2025-03-01", 2.0, "apache-2.0", false, NONE),
    base("facebook/mms-tts-eng", "vits", 36_300_000, "2023-09-01", 1.0, "cc-by-nc-4.0", false, NONE),
    base("google/switch-base-8", "switch", 619_000_000, "2022-11-04", 1.0, "apache-2.0", false, &["allenai/c4"]),
    base("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "llama", 1_100_048_384, "2023-12-30", 3.0, "apache-2.0", false, &["cerebras/SlimPajama-627B", "HuggingFaceH4/ultrachat_200k"]),
    base("BAAI/bge-small-en-v1.5", "minilm", 33_360_000, "2023-09-12", 2.0, "mit", false, NONE),
    base("sentence-transformers/all-mpnet-base-v2", "minilm", 109_486_464, "2021-08-30", 3.0, "apache-2.0", false, &["sentence-transformers/s2orc"]),
    base("Qwen/QwQ-32B", "qwen2", 32_763_876_352, "2025-03-05", 2.0, "apache-2.0", false, NONE),
    base("mistralai/Mistral-Small-24B-Instruct-2501", "mistral", 23_572_403_200, "2025-01-30", 2.0, "apache-2.0", false, NONE),
    base("HuggingFaceTB/SmolLM2-1.7B-Instruct", "llama", 1_711_376_384, "2024-10-31", 2.0, "apache-2.0", false, &["HuggingFaceTB/smoltalk"]),
    base("deepseek-ai/deepseek-llm-7b-chat", "llama", 6_910_365_696, "2023-11-29", 1.0, "other", false, NONE),
];

/// How many of [`BASE_MODELS`] a sample of `n_models` carries: all from 1,000
/// models up, else one per 20 models (a small sample is not all base models).
pub fn bases_for(n_models: usize) -> &'static [BaseModel] {
    let k = if n_models >= 1000 {
        BASE_MODELS.len()
    } else {
        (n_models / 20).min(BASE_MODELS.len())
    };
    &BASE_MODELS[..k]
}

impl BaseModel {
    pub fn author(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(a, _)| a)
    }
    pub fn name(&self) -> &'static str {
        self.id.split_once('/').map_or(self.id, |(_, n)| n)
    }
    /// Index of its family in [`FAMILIES`].
    pub fn family_index(&self) -> Option<usize> {
        FAMILIES.iter().position(|f| f.word == self.family)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::developers::curated_table;

    #[test]
    fn every_base_model_has_a_known_family_a_head_author_and_a_date() {
        let authors: Vec<String> = curated_table().unwrap().into_iter().map(|r| r.0).collect();
        let mut ids: Vec<&str> = BASE_MODELS.iter().map(|b| b.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), BASE_MODELS.len(), "duplicate base ids");
        for b in BASE_MODELS {
            assert!(b.family_index().is_some(), "{}: family {}", b.id, b.family);
            assert!(authors.iter().any(|a| a == b.author()), "{}", b.id);
            assert!(crate::validate::date("base", b.created).is_ok(), "{}", b.id);
            assert!(b.appeal > 0.0 && b.params > 0);
        }
    }

    #[test]
    fn names_state_sizes_consistent_with_the_parameter_counts() {
        for b in BASE_MODELS {
            let lower = b.name().to_lowercase();
            let stated = lower.split(['-', '_']).find_map(|t| {
                let n = t.strip_suffix('b')?;
                n.parse::<f64>().ok().map(|v| v * 1e9)
            });
            if let Some(s) = stated {
                let ratio = b.params as f64 / s;
                assert!((0.8..1.6).contains(&ratio), "{}: {ratio}", b.id);
            }
        }
    }

    #[test]
    fn small_samples_keep_the_first_bases() {
        assert_eq!(bases_for(20_000).len(), BASE_MODELS.len());
        assert_eq!(bases_for(300).len(), 15);
        assert_eq!(bases_for(10).len(), 0);
        assert_eq!(bases_for(300)[0].id, "meta-llama/Llama-3.1-8B-Instruct");
    }
}
