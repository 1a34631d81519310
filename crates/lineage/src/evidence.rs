//! What a model's own metadata says about how it was made: quantization,
//! adapter and merge evidence read from its tags, files, library, config and
//! name. Each piece of evidence has a short code (`file:adapter_config.json`,
//! `config:quantization_config`, `tag:mergekit`, `name:GGUF`).

use std::borrow::Cow;

use crate::modality;
use crate::names;
use crate::openness::{self, DataTransparency};

/// Tags that name a quantization format chosen by the uploader.
const QUANT_FORMAT_TAGS: &[(&str, &str)] = &[
    ("exl2", "tag:exl2"),
    ("exl3", "tag:exl3"),
    ("mlx", "tag:mlx"),
    ("ggml", "tag:ggml"),
    ("quantized", "tag:quantized"),
    ("int4", "tag:int4"),
    ("int8", "tag:int8"),
    ("nf4", "tag:nf4"),
    ("autoround", "tag:autoround"),
    ("imatrix", "tag:imatrix"),
];

/// Tags the Hub derives from `config.quantization_config` (its quant method and bit width).
const QUANT_CONFIG_TAGS: &[(&str, &str)] = &[
    ("gptq", "tag:gptq"),
    ("awq", "tag:awq"),
    ("4-bit", "tag:4-bit"),
    ("8-bit", "tag:8-bit"),
    ("bitsandbytes", "tag:bitsandbytes"),
    ("fp8", "tag:fp8"),
    ("compressed-tensors", "tag:compressed-tensors"),
    ("torchao", "tag:torchao"),
    ("hqq", "tag:hqq"),
    ("aqlm", "tag:aqlm"),
    ("eetq", "tag:eetq"),
];

const ADAPTER_TAGS: &[(&str, &str)] = &[
    ("lora", "tag:lora"),
    ("qlora", "tag:lora"),
    ("template:sd-lora", "tag:lora"),
    ("peft", "tag:peft"),
    ("adapter-transformers", "tag:adapter-transformers"),
    // The Hub tags diffusers ControlNets and T2I-Adapters, which declare their base as adapters.
    ("controlnet", "tag:controlnet"),
    ("t2i-adapter", "tag:t2i-adapter"),
];

/// Tags the Hub derives from full-precision weight files (`*.safetensors`,
/// `pytorch_model*.bin`, `tf_model.h5`, `flax_model.msgpack`): a listing
/// without `siblings` still shows them.
const WEIGHT_TAGS: &[&str] = &["safetensors", "pytorch", "tf", "jax"];

const MERGE_TAGS: &[(&str, &str)] = &[
    ("mergekit", "tag:mergekit"),
    ("lazymergekit", "tag:mergekit"),
    ("merge", "tag:merge"),
    ("frankenmerge", "tag:merge"),
];

/// Model types and tags that denote a mixture-of-experts architecture.
pub(crate) const MOE_MODEL_TYPES: &[&str] = &[
    "mixtral",
    "qwen2_moe",
    "qwen3_moe",
    "qwen3_next",
    "qwen3_vl_moe",
    "deepseek_v2",
    "deepseek_v3",
    "olmoe",
    "jamba",
    "dbrx",
    "granitemoe",
    "granitemoehybrid",
    "phimoe",
    "jetmoe",
    "arctic",
    "gpt_oss",
    "llama4",
    "minimax",
    "minimax_m1",
    "minimax_m2",
    "glm4_moe",
    "ernie4_5_moe",
    "hunyuan_v1_moe",
    "bailing_moe",
    "dots1",
    "switch_transformers",
    "nllb-moe",
    "grok-1",
    "mixture-of-experts",
    "moe",
    "kimi_k2",
    "step3",
    "longcat_flash",
];

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, code)| *code)
}

/// Architecture class names (lowercase) of mixture-of-experts models whose
/// name does not contain "moe".
const MOE_ARCHITECTURE_PREFIXES: &[&str] = &[
    "mixtral",
    "deepseekv2",
    "deepseekv3",
    "gptoss",
    "dbrx",
    "llama4",
    "jamba",
    "minimax",
    "arcticforcausallm",
    "dots1",
    "switchtransformers",
    "grok",
    "qwen3next",
];

/// True when a lowercase architecture, model type or tag names a mixture of experts.
pub(crate) fn is_moe_label(label: &str) -> bool {
    MOE_MODEL_TYPES.contains(&label)
        || label.split(['_', '-']).any(|t| t == "moe")
        || (label.contains("moe") && label.contains("for"))
        || MOE_ARCHITECTURE_PREFIXES
            .iter()
            .any(|p| label.starts_with(p))
}

/// Signals read from a model's tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TagSignals {
    pub gguf: bool,
    pub quant_format: Option<&'static str>,
    pub quant_config: Option<&'static str>,
    pub adapter: Option<&'static str>,
    pub merge: Option<&'static str>,
    pub moe: bool,
    /// A pipeline tag found among the tags (used when `pipeline_tag` is null).
    pub pipeline: Option<&'static str>,
    /// `license:<id>` (used when `license` is null).
    pub license: Option<String>,
    /// Transparency of the `dataset:<id>` tags (used when `datasets` names nothing).
    pub data: DataTransparency,
    /// A tag the Hub derives from full-precision weight files.
    pub full_weights: bool,
    /// The untyped `base_model:<id>` tags: every base the card lists, in
    /// order, even when the Hub's typed tags and `baseModels` keep only one.
    pub listed_bases: Vec<String>,
}

fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

impl TagSignals {
    /// Reads one model's tags.
    pub fn read<'a>(tags: impl Iterator<Item = &'a str>) -> Self {
        let mut s = TagSignals::default();
        let mut datasets: Vec<&'a str> = Vec::new();
        for raw in tags {
            if let Some(d) = raw.strip_prefix("dataset:") {
                datasets.push(d);
                continue;
            }
            if let Some(b) = raw.strip_prefix("base_model:") {
                // Typed tags (`base_model:merge:<id>`) carry a second colon; ids never do.
                let b = b.trim();
                if !b.is_empty() && !b.contains(':') {
                    s.listed_bases.push(b.to_string());
                }
                continue;
            }
            let tag = lowercase(raw.trim());
            let tag = tag.as_ref();
            s.gguf |= tag == "gguf";
            s.full_weights |= WEIGHT_TAGS.contains(&tag);
            s.quant_format = s.quant_format.or_else(|| lookup(QUANT_FORMAT_TAGS, tag));
            s.quant_config = s.quant_config.or_else(|| lookup(QUANT_CONFIG_TAGS, tag));
            s.adapter = s.adapter.or_else(|| lookup(ADAPTER_TAGS, tag));
            s.merge = s.merge.or_else(|| lookup(MERGE_TAGS, tag));
            s.moe |=
                tag == "mixture-of-experts" || tag == "mixture of experts" || is_moe_label(tag);
            s.pipeline = s.pipeline.or_else(|| modality::canonical_pipeline(tag));
            if s.license.is_none() {
                s.license = tag
                    .strip_prefix("license:")
                    .filter(|l| !l.is_empty())
                    .map(str::to_string);
            }
        }
        s.data = openness::data_transparency(datasets.into_iter());
        s
    }
}

/// Trainer state saved beside checkpoints (`checkpoints/*/rng_state.pth`,
/// `optimizer.pt`): not model weights.
fn is_training_state(base: &str) -> bool {
    [
        "rng_state",
        "optimizer",
        "scheduler",
        "trainer_state",
        "training_args",
    ]
    .iter()
    .any(|p| base.starts_with(p))
}

/// Signals read from a model's file names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FileSignals {
    pub gguf: bool,
    pub ggml: bool,
    /// Carries full-precision weights (safetensors, PyTorch, TF or Flax checkpoints).
    pub full_weights: bool,
    pub gptq_config: bool,
    pub adapter: Option<&'static str>,
    pub merge: Option<&'static str>,
}

impl FileSignals {
    /// Reads one model's sibling file names.
    pub fn read<'a>(files: impl Iterator<Item = &'a str>) -> Self {
        let mut s = FileSignals::default();
        for path in files {
            let base = lowercase(path.rsplit('/').next().unwrap_or(path));
            let base = base.as_ref();
            let lora_file = base.contains("lora") && base.ends_with(".safetensors");
            if base == "adapter_config.json" {
                s.adapter = Some("file:adapter_config.json");
            } else if base.starts_with("adapter_model.") && s.adapter.is_none() {
                s.adapter = Some("file:adapter_model");
            } else if lora_file && s.adapter.is_none() {
                s.adapter = Some("file:lora_weights");
            }
            s.gguf |= base.ends_with(".gguf");
            s.ggml |= base.contains("ggml") && base.ends_with(".bin");
            s.gptq_config |= base == "quantize_config.json";
            if base == "mergekit_config.yml" {
                s.merge = Some("file:mergekit_config.yml");
            }
            s.full_weights |= (base.ends_with(".safetensors")
                && !lora_file
                && !base.starts_with("adapter_model"))
                || (base.starts_with("pytorch_model") && base.ends_with(".bin"))
                || base == "tf_model.h5"
                || base == "flax_model.msgpack"
                || (base.ends_with(".pth") && !is_training_state(base));
        }
        s
    }
}

/// The metadata fields, besides tags and files, that evidence reads.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MetaFields<'a> {
    pub library: Option<&'a str>,
    pub has_quantization_config: bool,
    pub gguf_params: Option<u64>,
    pub safetensors_params: Option<u64>,
    /// The name as written (CamelCase parts are merge evidence).
    pub name: &'a str,
    /// The config's `model_type` (`mixtral`, `llama`, ...).
    pub model_type: Option<&'a str>,
}

/// Everything a model's own metadata says about how it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Evidence {
    /// Adapter evidence from files, library or tags.
    pub adapter: Option<&'static str>,
    /// Quantization evidence from files, library, format tags or config.
    pub quant: Option<&'static str>,
    /// `quant` rests only on the quantization config and the tags the Hub derives from it.
    pub quant_config_only: bool,
    /// Merge evidence from tags or files.
    pub merge: Option<&'static str>,
    /// Byte range of a quantization token in the lowercase name.
    pub name_quant: Option<(u32, u32)>,
    pub name_adapter: Option<&'static str>,
    pub name_merge: Option<&'static str>,
}

impl Evidence {
    /// Combines the signals of one model. `lower_name` is its lowercase name
    /// (after the namespace).
    pub fn combine(
        tags: &TagSignals,
        files: &FileSignals,
        meta: MetaFields<'_>,
        lower_name: &str,
    ) -> Self {
        let library = meta.library.map(lowercase);
        let library = library.as_deref();
        let name_quant = names::trailing_quant_token(lower_name).map(|tok| {
            let start = tok.as_ptr() as usize - lower_name.as_ptr() as usize;
            (start as u32, (start + tok.len()) as u32)
        });
        // One rule for every GGUF signal: it is a quantization unless the
        // repository (files, weight tags or safetensors metadata) also ships
        // full weights, in which case only a GGUF token in the name decides.
        let full_weights =
            files.full_weights || tags.full_weights || meta.safetensors_params.is_some();
        let gguf_named = name_quant
            .and_then(|(s, e)| lower_name.get(s as usize..e as usize))
            .is_some_and(|t| t == "gguf");
        let gguf_counts = !full_weights || gguf_named;
        let format_quant = [
            (files.gguf && gguf_counts).then_some("file:gguf"),
            files.ggml.then_some("file:ggml"),
            files.gptq_config.then_some("file:quantize_config.json"),
            (library == Some("mlx")).then_some("library:mlx"),
            (library == Some("gguf") && gguf_counts).then_some("library:gguf"),
            tags.quant_format,
            (tags.gguf && gguf_counts).then_some("tag:gguf"),
            (meta.gguf_params.is_some() && gguf_counts).then_some("gguf:metadata"),
        ]
        .into_iter()
        .flatten()
        .next();
        let config_quant = meta
            .has_quantization_config
            .then_some("config:quantization_config")
            .or(tags.quant_config);
        let adapter = files
            .adapter
            .or_else(|| (library == Some("peft")).then_some("library:peft"))
            .or_else(|| {
                (library == Some("adapter-transformers")).then_some("library:adapter-transformers")
            })
            .or(tags.adapter);
        // mergekit-moe writes its mixtures of dense models in the Mixtral
        // architecture: a Mixtral-type repository named with an expert count
        // (`4x7B`, `34Bx2`) but not after Mixtral itself is such a merge.
        let franken_moe = meta
            .model_type
            .is_some_and(|t| t.eq_ignore_ascii_case("mixtral"))
            && names::has_expert_count_token(lower_name)
            && !lower_name.contains("mixtral");
        Evidence {
            adapter,
            quant: format_quant.or(config_quant),
            quant_config_only: format_quant.is_none() && config_quant.is_some(),
            merge: files
                .merge
                .or(tags.merge)
                .or(franken_moe.then_some("config:mixtral+name:experts")),
            name_quant,
            name_adapter: names::adapter_token_in_name(lower_name),
            name_merge: names::merge_token_in_name(lower_name, meta.name),
        }
    }

    /// Any quantization evidence at all (for `is_quantized`).
    pub fn quantized(&self) -> bool {
        self.quant.is_some() || self.name_quant.is_some()
    }

    /// The evidence code of the name's quantization token (`name:GGUF`, `name:Q4_K_M`).
    pub fn name_quant_code(&self, lower_name: &str) -> Option<String> {
        let (s, e) = self.name_quant?;
        let token = lower_name.get(s as usize..e as usize)?;
        Some(format!("name:{}", token.to_ascii_uppercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> TagSignals {
        TagSignals::read(list.iter().copied())
    }

    fn files(list: &[&str]) -> FileSignals {
        FileSignals::read(list.iter().copied())
    }

    #[test]
    fn gguf_files_are_quantization_evidence_only_without_full_weights() {
        let gguf_repo = files(&["README.md", "llama-2-7b-chat.Q4_K_M.gguf"]);
        let e = Evidence::combine(
            &tags(&["gguf"]),
            &gguf_repo,
            MetaFields::default(),
            "llama-2-7b-chat-gguf",
        );
        assert_eq!(e.quant, Some("file:gguf"));
        assert!(!e.quant_config_only);
        assert_eq!(
            e.name_quant_code("llama-2-7b-chat-gguf").as_deref(),
            Some("name:GGUF")
        );
        // google/gemma-7b ships a .gguf next to its safetensors: not a quantization.
        let gemma = files(&["model-00001-of-00004.safetensors", "gemma-7b.gguf"]);
        let e = Evidence::combine(&tags(&["gguf"]), &gemma, MetaFields::default(), "gemma-7b");
        assert_eq!(e, Evidence::default());
    }

    #[test]
    fn weight_tags_count_as_full_weights_when_a_listing_has_no_files() {
        // google/gemma-2b, mixedbread-ai/mxbai-embed-large-v1 and
        // google/madlad400-3b-mt in a listing without siblings: a gguf tag
        // next to safetensors/pytorch/tf/jax tags is a full-weight repo.
        for (list, name) in [
            (
                &["transformers", "safetensors", "gguf", "gemma"][..],
                "gemma-2b",
            ),
            (
                &[
                    "sentence-transformers",
                    "onnx",
                    "safetensors",
                    "gguf",
                    "bert",
                ][..],
                "mxbai-embed-large-v1",
            ),
            (
                &["transformers", "pytorch", "gguf", "t5"][..],
                "madlad400-3b-mt",
            ),
        ] {
            let e = Evidence::combine(&tags(list), &files(&[]), MetaFields::default(), name);
            assert_eq!(e.quant, None, "{name}");
        }
        // A GGUF token in the name decides even beside full weights; so do
        // GGUF metadata and the gguf library under the same rule.
        let e = Evidence::combine(
            &tags(&["gguf", "safetensors"]),
            &files(&["model.safetensors", "x.Q4_K_M.gguf"]),
            MetaFields::default(),
            "qwen2-7b-instruct-gguf",
        );
        assert_eq!(e.quant, Some("file:gguf"));
        let meta = MetaFields {
            gguf_params: Some(2_506_172_416),
            library: Some("gguf"),
            ..MetaFields::default()
        };
        let e = Evidence::combine(&tags(&["pytorch"]), &files(&[]), meta, "gemma-2b");
        assert_eq!(e.quant, None);
    }

    #[test]
    fn trainer_state_is_not_model_weights() {
        let repo = files(&[
            "checkpoints/checkpoint-100/rng_state.pth",
            "checkpoints/checkpoint-100/optimizer.pt",
            "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf",
        ]);
        assert!(!repo.full_weights);
        let e = Evidence::combine(&tags(&["gguf"]), &repo, MetaFields::default(), "run");
        assert_eq!(e.quant, Some("file:gguf"));
        assert!(files(&["sam_vit_h_4b8939.pth"]).full_weights);
    }

    #[test]
    fn controlnet_and_t2i_adapter_tags_are_adapter_evidence() {
        assert_eq!(
            tags(&["diffusers", "controlnet"]).adapter,
            Some("tag:controlnet")
        );
        assert_eq!(tags(&["t2i-adapter"]).adapter, Some("tag:t2i-adapter"));
    }

    #[test]
    fn untyped_base_model_tags_list_every_base() {
        let s = tags(&[
            "base_model:mlabonne/NeuralMarcoro14-7B",
            "base_model:mlabonne/AlphaMonarch-7B",
            "base_model:merge:mlabonne/NeuralMarcoro14-7B",
        ]);
        assert_eq!(
            s.listed_bases,
            ["mlabonne/NeuralMarcoro14-7B", "mlabonne/AlphaMonarch-7B"]
        );
    }

    #[test]
    fn quantization_config_alone_is_marked_config_only() {
        let meta = MetaFields {
            has_quantization_config: true,
            safetensors_params: Some(671_000_000_000),
            ..MetaFields::default()
        };
        let e = Evidence::combine(
            &tags(&["fp8"]),
            &files(&["model.safetensors"]),
            meta,
            "deepseek-v3",
        );
        assert_eq!(e.quant, Some("config:quantization_config"));
        assert!(e.quant_config_only);
        let e = Evidence::combine(
            &tags(&["4-bit", "bitsandbytes"]),
            &FileSignals::default(),
            MetaFields::default(),
            "x",
        );
        assert_eq!(e.quant, Some("tag:4-bit"));
        assert!(e.quant_config_only);
    }

    #[test]
    fn mlx_and_gptq_formats_are_format_evidence() {
        let meta = MetaFields {
            library: Some("mlx"),
            ..MetaFields::default()
        };
        let e = Evidence::combine(
            &tags(&["mlx"]),
            &files(&["model.safetensors"]),
            meta,
            "qwen2.5-7b-instruct-4bit",
        );
        assert_eq!(e.quant, Some("library:mlx"));
        assert_eq!(
            e.name_quant_code("qwen2.5-7b-instruct-4bit").as_deref(),
            Some("name:4BIT")
        );
        let e = Evidence::combine(
            &tags(&[]),
            &files(&["quantize_config.json", "model.safetensors"]),
            MetaFields::default(),
            "m",
        );
        assert_eq!(e.quant, Some("file:quantize_config.json"));
    }

    #[test]
    fn adapters_from_files_library_and_tags() {
        let lora = files(&[
            "adapter_config.json",
            "adapter_model.safetensors",
            "README.md",
        ]);
        assert_eq!(lora.adapter, Some("file:adapter_config.json"));
        assert!(!lora.full_weights);
        let e = Evidence::combine(
            &tags(&[]),
            &lora,
            MetaFields::default(),
            "llama-2-7b-alpaca",
        );
        assert_eq!(e.adapter, Some("file:adapter_config.json"));
        let meta = MetaFields {
            library: Some("peft"),
            ..MetaFields::default()
        };
        let e = Evidence::combine(&tags(&[]), &FileSignals::default(), meta, "x");
        assert_eq!(e.adapter, Some("library:peft"));
        let sd = files(&["pytorch_lora_weights.safetensors"]);
        assert_eq!(sd.adapter, Some("file:lora_weights"));
        assert_eq!(
            tags(&["template:sd-lora", "text-to-image"]).adapter,
            Some("tag:lora")
        );
    }

    #[test]
    fn a_mixtral_typed_expert_count_name_is_a_merge_unless_it_is_mixtral() {
        let evidence = |name: &str, model_type: Option<&str>| {
            let meta = MetaFields {
                name,
                model_type,
                ..MetaFields::default()
            };
            Evidence::combine(&tags(&[]), &files(&[]), meta, &name.to_ascii_lowercase()).merge
        };
        let code = Some("config:mixtral+name:experts");
        assert_eq!(evidence("FusionNet_34Bx2_MoE", Some("mixtral")), code);
        assert_eq!(evidence("Beyonder-4x7B-v2", Some("mixtral")), code);
        assert_eq!(evidence("SOLAR-2x10.7B", Some("mixtral")), code);
        // Mixtral itself and its fine-tunes name it; other architectures
        // (MiniCPM-MoE-8x2B, dense models with `x` in a word) are no merges.
        assert_eq!(evidence("Mixtral-8x22B-v0.1", Some("mixtral")), None);
        assert_eq!(
            evidence("Nous-Hermes-2-Mixtral-8x7B-DPO", Some("mixtral")),
            None
        );
        assert_eq!(evidence("MiniCPM-MoE-8x2B", Some("minicpm")), None);
        assert_eq!(evidence("4x7B-merge-free", None), None);
        assert_eq!(evidence("xlnet-base-cased", Some("mixtral")), None);
    }

    #[test]
    fn merges_from_tags_and_files() {
        assert_eq!(tags(&["mergekit", "merge"]).merge, Some("tag:mergekit"));
        assert_eq!(
            files(&["mergekit_config.yml"]).merge,
            Some("file:mergekit_config.yml")
        );
    }

    #[test]
    fn tags_carry_pipeline_licence_and_moe() {
        let s = tags(&[
            "transformers",
            "text-generation",
            "license:apache-2.0",
            "moe",
        ]);
        assert_eq!(s.pipeline, Some("text-generation"));
        assert_eq!(s.license.as_deref(), Some("apache-2.0"));
        assert!(s.moe);
        assert!(!tags(&["transformers", "llama"]).moe);
        assert_eq!(
            tags(&["dataset:allenai/dolma"]).data,
            DataTransparency::Available
        );
        assert_eq!(
            tags(&["dataset:my notes"]).data,
            DataTransparency::Disclosed
        );
        assert_eq!(tags(&["llama"]).data, DataTransparency::Undisclosed);
    }

    #[test]
    fn moe_labels() {
        for label in [
            "mixtralforcausallm",
            "qwen2moeforcausallm",
            "deepseekv3forcausallm",
            "qwen3_moe",
            "olmoe",
        ] {
            assert!(is_moe_label(label), "{label}");
        }
        for label in ["llamaforcausallm", "qwen2forcausallm", "mistral", "moebius"] {
            assert!(!is_moe_label(label), "{label}");
        }
    }
}
