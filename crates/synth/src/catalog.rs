//! Fixed vocabularies of the synthetic Hub: model families, licences, datasets.

/// A model family: what its config, pipeline and files look like.
#[derive(Debug, Clone, Copy)]
pub struct Family {
    /// Word used in model names.
    pub word: &'static str,
    pub pipeline: &'static str,
    pub library: &'static str,
    pub architecture: &'static str,
    /// `config.model_type` (None for diffusers pipelines).
    pub model_type: Option<&'static str>,
    /// `gguf.architecture` when quantized to GGUF.
    pub gguf_architecture: &'static str,
    pub moe: bool,
    /// Language or vision-language model: can be quantized to GGUF/GPTQ/AWQ/EXL2/MLX.
    pub llm: bool,
    /// Only small checkpoints exist (encoders, speech, vision classifiers).
    pub small_only: bool,
    /// Relative frequency among originals created in each period.
    pub weight: [f64; 4],
}

#[allow(clippy::too_many_arguments)]
const fn fam(
    word: &'static str,
    pipeline: &'static str,
    library: &'static str,
    architecture: &'static str,
    model_type: Option<&'static str>,
    gguf_architecture: &'static str,
    flags: (bool, bool, bool),
    weight: [f64; 4],
) -> Family {
    Family {
        word,
        pipeline,
        library,
        architecture,
        model_type,
        gguf_architecture,
        moe: flags.0,
        llm: flags.1,
        small_only: flags.2,
        weight,
    }
}

// flags: (moe, llm, small only). Multimodal generation is not a flag: it is
// what hubecon-lineage says of the family's pipeline (see `modality`).
const TEXT: (bool, bool, bool) = (false, false, true);
const LLM: (bool, bool, bool) = (false, true, false);
const MOE: (bool, bool, bool) = (true, true, false);

pub const FAMILIES: &[Family] = &[
    fam(
        "bert",
        "fill-mask",
        "transformers",
        "BertForMaskedLM",
        Some("bert"),
        "bert",
        TEXT,
        [5.0, 2.0, 1.0, 0.5],
    ),
    fam(
        "bert-cls",
        "text-classification",
        "transformers",
        "BertForSequenceClassification",
        Some("bert"),
        "bert",
        TEXT,
        [6.0, 3.0, 2.0, 1.5],
    ),
    fam(
        "roberta-ner",
        "token-classification",
        "transformers",
        "RobertaForTokenClassification",
        Some("roberta"),
        "roberta",
        TEXT,
        [3.0, 1.5, 1.0, 0.8],
    ),
    fam(
        "minilm",
        "sentence-similarity",
        "sentence-transformers",
        "BertModel",
        Some("bert"),
        "bert",
        TEXT,
        [2.0, 2.0, 2.0, 2.0],
    ),
    fam(
        "t5",
        "text2text-generation",
        "transformers",
        "T5ForConditionalGeneration",
        Some("t5"),
        "t5",
        (false, false, false),
        [3.0, 1.5, 0.8, 0.4],
    ),
    fam(
        "whisper",
        "automatic-speech-recognition",
        "transformers",
        "WhisperForConditionalGeneration",
        Some("whisper"),
        "whisper",
        TEXT,
        [1.0, 1.0, 1.0, 1.0],
    ),
    fam(
        "vit",
        "image-classification",
        "transformers",
        "ViTForImageClassification",
        Some("vit"),
        "vit",
        TEXT,
        [2.0, 1.5, 1.0, 1.0],
    ),
    fam(
        "detr",
        "object-detection",
        "transformers",
        "DetrForObjectDetection",
        Some("detr"),
        "detr",
        TEXT,
        [0.5, 0.5, 0.5, 0.5],
    ),
    fam(
        // Not "gpt2": an original named `<word>-gpt2-<size>` would contain
        // the base model `gpt2` and read as its fine-tune.
        "gpt",
        "text-generation",
        "transformers",
        "GPT2LMHeadModel",
        Some("gpt2"),
        "gpt2",
        LLM,
        [4.0, 1.0, 0.5, 0.3],
    ),
    fam(
        "llama",
        "text-generation",
        "transformers",
        "LlamaForCausalLM",
        Some("llama"),
        "llama",
        LLM,
        [0.0, 4.0, 4.0, 3.0],
    ),
    fam(
        "mistral",
        "text-generation",
        "transformers",
        "MistralForCausalLM",
        Some("mistral"),
        "llama",
        LLM,
        [0.0, 2.0, 2.0, 1.0],
    ),
    fam(
        "qwen2",
        "text-generation",
        "transformers",
        "Qwen2ForCausalLM",
        Some("qwen2"),
        "qwen2",
        LLM,
        [0.0, 0.0, 4.0, 5.0],
    ),
    fam(
        "gemma2",
        "text-generation",
        "transformers",
        "Gemma2ForCausalLM",
        Some("gemma2"),
        "gemma2",
        LLM,
        [0.0, 0.0, 1.5, 1.5],
    ),
    fam(
        "qwen3",
        "text-generation",
        "transformers",
        "Qwen3ForCausalLM",
        Some("qwen3"),
        "qwen3",
        LLM,
        [0.0, 0.0, 0.0, 4.0],
    ),
    fam(
        "sd",
        "text-to-image",
        "diffusers",
        "StableDiffusionPipeline",
        None,
        "sd",
        (false, false, false),
        [3.0, 3.0, 2.0, 1.0],
    ),
    fam(
        "flux",
        "text-to-image",
        "diffusers",
        "FluxPipeline",
        None,
        "flux",
        (false, false, false),
        [0.0, 0.0, 1.0, 3.0],
    ),
    fam(
        "llava",
        "image-text-to-text",
        "transformers",
        "LlavaForConditionalGeneration",
        Some("llava"),
        "llama",
        (false, true, false),
        [0.0, 1.0, 1.0, 1.0],
    ),
    fam(
        "qwen2-vl",
        "image-text-to-text",
        "transformers",
        "Qwen2VLForConditionalGeneration",
        Some("qwen2_vl"),
        "qwen2vl",
        (false, true, false),
        [0.0, 0.0, 1.0, 3.0],
    ),
    fam(
        "vits",
        "text-to-speech",
        "transformers",
        "VitsModel",
        Some("vits"),
        "vits",
        (false, false, true),
        [1.0, 1.0, 1.0, 1.0],
    ),
    fam(
        "wan",
        "text-to-video",
        "diffusers",
        "WanPipeline",
        None,
        "wan",
        (false, false, false),
        [0.0, 0.0, 0.0, 1.0],
    ),
    fam(
        "omni",
        "any-to-any",
        "transformers",
        "Qwen2_5OmniForConditionalGeneration",
        Some("qwen2_5_omni"),
        "qwen2.5-omni",
        (false, false, false),
        [0.0, 0.0, 0.0, 0.5],
    ),
    fam(
        "switch",
        "text2text-generation",
        "transformers",
        "SwitchTransformersForConditionalGeneration",
        Some("switch_transformers"),
        "t5",
        (true, false, false),
        [1.0, 0.3, 0.1, 0.1],
    ),
    fam(
        "mixtral",
        "text-generation",
        "transformers",
        "MixtralForCausalLM",
        Some("mixtral"),
        "llama",
        MOE,
        [0.0, 1.0, 1.0, 0.5],
    ),
    fam(
        "qwen2-moe",
        "text-generation",
        "transformers",
        "Qwen2MoeForCausalLM",
        Some("qwen2_moe"),
        "qwen2moe",
        MOE,
        [0.0, 0.0, 1.0, 0.5],
    ),
    fam(
        "deepseek-v3",
        "text-generation",
        "transformers",
        "DeepseekV3ForCausalLM",
        Some("deepseek_v3"),
        "deepseek2",
        MOE,
        [0.0, 0.0, 0.2, 2.0],
    ),
    fam(
        "qwen3-moe",
        "text-generation",
        "transformers",
        "Qwen3MoeForCausalLM",
        Some("qwen3_moe"),
        "qwen3moe",
        MOE,
        [0.0, 0.0, 0.0, 2.0],
    ),
    fam(
        "gpt-oss",
        "text-generation",
        "transformers",
        "GptOssForCausalLM",
        Some("gpt_oss"),
        "gpt-oss",
        MOE,
        [0.0, 0.0, 0.0, 1.0],
    ),
];

/// Size classes: bounds in parameters (log-uniform inside).
pub const SIZE_BOUNDS: [(f64, f64); 5] = [
    (3.0e7, 5.0e8),
    (5.0e8, 3.0e9),
    (3.0e9, 1.5e10),
    (1.5e10, 8.0e10),
    (8.0e10, 7.0e11),
];

/// Size class of a parameter count.
pub fn size_class(params: u64) -> usize {
    let p = params as f64;
    SIZE_BOUNDS
        .iter()
        .position(|(_, hi)| p < *hi)
        .unwrap_or(SIZE_BOUNDS.len() - 1)
}

/// OSI-approved licences (with available data: open source).
pub const OSI_LICENSES: [&str; 5] = ["apache-2.0", "mit", "bsd-3-clause", "gpl-3.0", "mpl-2.0"];
/// Licences that give downloadable weights but are not OSI-approved.
pub const WEIGHTS_LICENSES: [&str; 8] = [
    "llama3",
    "llama2",
    "gemma",
    "other",
    "openrail",
    "creativeml-openrail-m",
    "cc-by-4.0",
    "llama3.1",
];
/// Non-commercial licences: restricted.
pub const NC_LICENSES: [&str; 3] = ["cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nc-nd-4.0"];

/// Public Hub datasets (`owner/name`): data available.
pub const HUB_DATASETS: [&str; 16] = [
    "HuggingFaceFW/fineweb",
    "allenai/c4",
    "openai/gsm8k",
    "tatsu-lab/alpaca",
    "Open-Orca/OpenOrca",
    "HuggingFaceH4/ultrachat_200k",
    "bigcode/the-stack",
    "togethercomputer/RedPajama-Data-1T",
    "EleutherAI/pile",
    "stanfordnlp/imdb",
    "nyu-mll/glue",
    "rajpurkar/squad",
    "mozilla-foundation/common_voice_11_0",
    "laion/laion2B-en",
    "wikimedia/wikipedia",
    "teknium/OpenHermes-2.5",
];

/// Data named in a card but not a Hub dataset: disclosed.
pub const DISCLOSED_DATASETS: [&str; 5] = [
    "proprietary web crawl",
    "internal instruction data",
    "licensed news corpus",
    "in-house synthetic conversations",
    "private speech recordings",
];

pub const LANGUAGES: [&str; 10] = ["en", "zh", "fr", "de", "es", "ja", "ko", "ar", "hi", "ru"];

/// Words for the names of original models.
pub const NAME_WORDS: [&str; 24] = [
    "aurora", "nova", "lumen", "orca", "atlas", "zephyr", "falcon", "comet", "nimbus", "vega",
    "sage", "pico", "delta", "ember", "quill", "raven", "sol", "tide", "vertex", "willow",
    "yarrow", "kite", "onyx", "pulse",
];

/// Human-readable parameter count for names: 135M, 1.5B, 7B.
pub fn size_label(params: u64) -> String {
    let p = params as f64;
    if p < 1.0e9 {
        format!("{}M", (p / 1.0e6).round())
    } else if p < 1.0e10 {
        format!("{:.1}B", p / 1.0e9).replace(".0B", "B")
    } else {
        format!("{}B", (p / 1.0e9).round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_flag_moe_consistently_with_the_definition() {
        for f in FAMILIES {
            let moe_named = [
                "Moe",
                "Mixtral",
                "DeepseekV3",
                "SwitchTransformers",
                "GptOss",
            ]
            .iter()
            .any(|m| f.architecture.contains(m));
            assert_eq!(f.moe, moe_named, "{}", f.word);
        }
    }

    #[test]
    fn size_classes_and_labels() {
        assert_eq!(size_class(110_000_000), 0);
        assert_eq!(size_class(7_000_000_000), 2);
        assert_eq!(size_class(671_000_000_000), 4);
        assert_eq!(size_label(7_241_000_000), "7.2B");
        assert_eq!(size_label(135_000_000), "135M");
        assert_eq!(size_label(70_000_000_000), "70B");
    }
}
