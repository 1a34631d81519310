//! Rules of relation classification, with real-world ids.

use super::*;
use crate::context::Context;
use crate::matching::LowerIds;
use crate::table::Table;
use crate::testkit::{M, frame};

fn decide_all_with(models: &[M], opts: &LineageOptions, hide: bool) -> Vec<Decision> {
    let df = frame(models);
    let table = Table::read(&df).unwrap();
    let lower = LowerIds::new(&table.ids);
    let ctx = Context::new(&table, &lower, opts).unwrap();
    (0..table.len())
        .map(|i| decide(&ctx, i, opts, hide))
        .collect()
}

fn decide_all(models: &[M]) -> Vec<Decision> {
    decide_all_with(models, &LineageOptions::default(), false)
}

fn llama_chat() -> M {
    M::new("meta-llama/Llama-2-7b-chat-hf")
        .files(&["config.json", "model-00001-of-00002.safetensors"])
        .downloads(1_000_000)
}

fn assert_decision(d: &Decision, relation: &str, source: &str, evidence: &str, parents: &[&str]) {
    assert_eq!(d.relation, relation, "{d:?}");
    assert_eq!(d.source, source, "{d:?}");
    assert_eq!(d.evidence.as_deref(), Some(evidence), "{d:?}");
    assert_eq!(d.parents, parents, "{d:?}");
}

fn assert_original(d: &Decision) {
    assert_eq!(d, &Decision::original());
}

#[test]
fn gguf_repo_is_quantized_with_parent_found_by_stripped_name() {
    let d = decide_all(&[
        llama_chat(),
        M::new("TheBloke/Llama-2-7B-Chat-GGUF")
            .tags(&["gguf", "llama"])
            .files(&[
                "README.md",
                "llama-2-7b-chat.Q4_K_M.gguf",
                "llama-2-7b-chat.Q8_0.gguf",
            ])
            .downloads(500_000),
        // Another quantizer's repo is not a candidate parent, whatever its downloads.
        M::new("other/Llama-2-7b-chat-hf-GGUF")
            .tags(&["gguf"])
            .downloads(9_000_000),
    ]);
    assert_decision(
        &d[1],
        "quantized",
        "inferred",
        "file:gguf",
        &["meta-llama/Llama-2-7b-chat-hf"],
    );
    assert_decision(
        &d[2],
        "quantized",
        "inferred",
        "tag:gguf",
        &["meta-llama/Llama-2-7b-chat-hf"],
    );
    assert_original(&d[0]);
}

#[test]
fn declared_relations_are_taken_as_stated_unless_the_repository_shows_quantized_weights() {
    let d = decide_all(&[
        llama_chat(),
        // The Hub's baseModels says finetune although the files are GGUF:
        // the files correct it, and the statement stays in the evidence.
        M::new("TheBloke/Llama-2-7B-Chat-GGUF")
            .files(&["llama-2-7b-chat.Q4_K_M.gguf"])
            .declares(
                &["meta-llama/Llama-2-7b-chat-hf"],
                Some("finetune"),
                "baseModels.relation",
            ),
        M::new("bartowski/Llama-2-7b-chat-hf-exl2").declares(
            &["meta-llama/Llama-2-7b-chat-hf"],
            Some("quantized"),
            "tag:base_model:quantized",
        ),
        // Several parents with a stated relation: the Hub's statement stands.
        M::new("OpenGVLab/InternVL3-1B").declares(
            &["OpenGVLab/InternViT-300M-448px-V2_5", "Qwen/Qwen2.5-0.5B"],
            Some("finetune"),
            "card:base_model_relation",
        ),
    ]);
    assert_decision(
        &d[1],
        "quantized",
        "declared",
        "baseModels.relation+corrected:quantized:file:gguf",
        &["meta-llama/Llama-2-7b-chat-hf"],
    );
    assert_eq!(d[1].corrected_from, Some("finetune"));
    assert_decision(
        &d[2],
        "quantized",
        "declared",
        "tag:base_model:quantized",
        &["meta-llama/Llama-2-7b-chat-hf"],
    );
    assert_decision(
        &d[3],
        "finetune",
        "declared",
        "card:base_model_relation",
        &["OpenGVLab/InternViT-300M-448px-V2_5", "Qwen/Qwen2.5-0.5B"],
    );
    assert_eq!(d[3].corrected_from, None);
}

#[test]
fn declared_finetunes_that_are_quantizations_are_corrected_by_their_own_files() {
    let chat = "meta-llama/Llama-2-7b-chat-hf";
    let ft = |m: M| m.declares(&[chat], Some("finetune"), "baseModels.relation");
    let d = decide_all(&[
        llama_chat(),
        ft(M::new("TheBloke/Llama-2-7B-Chat-GGML")
            .files(&["llama-2-7b-chat.ggmlv3.q4_0.bin", "README.md"])),
        // HQQ: the Hub derives the hqq tag from the config; the name confirms it.
        ft(M::new("mobiuslabsgmbh/Llama-2-7b-chat-hf_4bitnogs_hqq")
            .tags(&["hqq"])
            .files(&["qmodel.pt"])),
        ft(M {
            library: Some("mlx"),
            ..M::new("mlx-community/Llama-2-7b-chat-4bit").files(&["model.safetensors"])
        }),
        // The name alone never overrules a declaration: a full finetune of a bnb upload.
        ft(M::new("someone/llama-2-7b-chat-bnb-4bit-medical").files(&["model.safetensors"])),
        // A quantization config alone (no token in the name) does not either.
        ft(M {
            qconfig: true,
            ..M::new("someone/llama-2-7b-chat-qlora-merged").files(&["model.safetensors"])
        }),
        // Adapter files beside GGUF: not corrected (an adapter of a quantized base).
        ft(M::new("someone/llama-2-7b-chat-lora-gguf")
            .files(&["adapter_config.json", "adapter.gguf"])),
    ]);
    for (k, code) in [
        (1, "baseModels.relation+corrected:quantized:file:ggml"),
        (2, "baseModels.relation+corrected:quantized:name:HQQ"),
        (3, "baseModels.relation+corrected:quantized:library:mlx"),
    ] {
        assert_decision(&d[k], "quantized", "declared", code, &[chat]);
    }
    for kept in &d[4..=6] {
        assert_decision(kept, "finetune", "declared", "baseModels.relation", &[chat]);
    }
}

#[test]
fn a_declared_merge_keeps_every_base_the_card_lists() {
    let d = decide_all(&[
        M::new("mlabonne/NeuralMarcoro14-7B"),
        M::new("mlabonne/AlphaMonarch-7B"),
        // baseModels and the typed tag keep one base; the card (untyped tags) lists two.
        M::new("mlabonne/NeuralBeagle14-7B")
            .tags(&[
                "merge",
                "base_model:mlabonne/NeuralMarcoro14-7B",
                "base_model:mlabonne/AlphaMonarch-7B",
                "base_model:merge:mlabonne/NeuralMarcoro14-7B",
            ])
            .declares(
                &["mlabonne/NeuralMarcoro14-7B"],
                Some("merge"),
                "baseModels.relation",
            ),
        // Typed a finetune of one base, but mergekit files and two listed bases: a merge.
        M::new("someone/Marcoro-Monarch-7B")
            .tags(&[
                "base_model:mlabonne/NeuralMarcoro14-7B",
                "base_model:mlabonne/AlphaMonarch-7B",
            ])
            .files(&["mergekit_config.yml", "model.safetensors"])
            .declares(
                &["mlabonne/NeuralMarcoro14-7B"],
                Some("finetune"),
                "tag:base_model:finetune",
            ),
    ]);
    let both = ["mlabonne/NeuralMarcoro14-7B", "mlabonne/AlphaMonarch-7B"];
    assert_decision(&d[2], "merge", "declared", "baseModels.relation", &both);
    assert_decision(
        &d[3],
        "merge",
        "declared",
        "tag:base_model:finetune+corrected:merge:file:mergekit_config.yml",
        &both,
    );
}

#[test]
fn card_base_model_without_relation_gets_the_hub_rule() {
    let d = decide_all(&[
        llama_chat(),
        M::new("alice/llama2-chat-medical-lora")
            .files(&["adapter_config.json", "adapter_model.safetensors"])
            .declares(&["meta-llama/Llama-2-7b-chat-hf"], None, "card:base_model"),
        M::new("bob/llama2-chat-q4")
            .files(&["model-q4_k_m.gguf"])
            .declares(&["meta-llama/Llama-2-7b-chat-hf"], None, "card:base_model"),
        M::new("mlabonne/NeuralBeagle14-7B")
            .tags(&["mergekit", "merge"])
            .declares(
                &["mlabonne/NeuralMarcoro14-7B", "mlabonne/AlphaMonarch-7B"],
                None,
                "card:base_model",
            ),
        M::new("carol/llama2-chat-sft")
            .files(&["model.safetensors"])
            .declares(&["meta-llama/Llama-2-7b-chat-hf"], None, "card:base_model"),
        // A relation the Hub does not know falls back to the rule; a variant spelling is accepted.
        M::new("dave/llama2-x").declares(
            &["meta-llama/Llama-2-7b-chat-hf"],
            Some("distilled"),
            "card:base_model_relation",
        ),
        M::new("erin/llama2-y").declares(
            &["meta-llama/Llama-2-7b-chat-hf"],
            Some("Fine-tuned"),
            "card:base_model_relation",
        ),
    ]);
    let chat = ["meta-llama/Llama-2-7b-chat-hf"];
    assert_decision(
        &d[1],
        "adapter",
        "declared",
        "card:base_model+rule:adapter",
        &chat,
    );
    assert_decision(
        &d[2],
        "quantized",
        "declared",
        "card:base_model+rule:quantized",
        &chat,
    );
    assert_decision(
        &d[3],
        "merge",
        "declared",
        "card:base_model+rule:merge",
        &["mlabonne/NeuralMarcoro14-7B", "mlabonne/AlphaMonarch-7B"],
    );
    assert_decision(
        &d[4],
        "finetune",
        "declared",
        "card:base_model+rule:finetune",
        &chat,
    );
    assert_decision(
        &d[5],
        "finetune",
        "declared",
        "card:base_model_relation+rule:finetune",
        &chat,
    );
    assert_decision(
        &d[6],
        "finetune",
        "declared",
        "card:base_model_relation",
        &chat,
    );
}

#[test]
fn a_model_naming_itself_as_parent_declares_nothing() {
    let d = decide_all(&[M::new("google-bert/bert-base-uncased").declares(
        &["google-bert/bert-base-uncased"],
        None,
        "card:base_model",
    )]);
    assert_original(&d[0]);
}

#[test]
fn bnb_4bit_upload_is_quantized_from_its_name() {
    let d = decide_all(&[
        M::new("Qwen/Qwen2.5-7B-Instruct")
            .files(&["model-00001-of-00004.safetensors"])
            .downloads(8_000_000),
        M::new("unsloth/Qwen2.5-7B-Instruct")
            .declares(
                &["Qwen/Qwen2.5-7B-Instruct"],
                Some("finetune"),
                "baseModels.relation",
            )
            .downloads(50_000),
        M {
            qconfig: true,
            safetensors: Some(4_460_000_000),
            ..M::new("unsloth/Qwen2.5-7B-Instruct-bnb-4bit")
                .tags(&["4-bit", "bitsandbytes", "unsloth"])
                .files(&["model.safetensors", "config.json"])
        },
    ]);
    // The quantization tags mirror the config; the name states the format.
    assert_decision(
        &d[2],
        "quantized",
        "inferred",
        "name:BNB",
        &["Qwen/Qwen2.5-7B-Instruct"],
    );
}

#[test]
fn mlx_conversion_is_quantized() {
    let d = decide_all(&[
        M::new("meta-llama/Llama-3.2-1B-Instruct").downloads(3_000_000),
        M {
            library: Some("mlx"),
            ..M::new("mlx-community/Llama-3.2-1B-Instruct-4bit")
                .tags(&["mlx", "safetensors"])
                .files(&["model.safetensors"])
        },
    ]);
    assert_decision(
        &d[1],
        "quantized",
        "inferred",
        "library:mlx",
        &["meta-llama/Llama-3.2-1B-Instruct"],
    );
}

#[test]
fn lora_is_an_adapter_of_the_known_base_in_its_name() {
    let d = decide_all(&[
        M::new("meta-llama/Llama-2-7b-hf").downloads(2_000_000),
        M::new("someone/llama-2-7b-guanaco").declares(
            &["meta-llama/Llama-2-7b-hf"],
            Some("finetune"),
            "baseModels.relation",
        ),
        M::new("alice/Llama-2-7b-hf-alpaca-lora").files(&[
            "adapter_config.json",
            "adapter_model.bin",
            "README.md",
        ]),
        M {
            library: Some("peft"),
            ..M::new("bob/my-first-adapter")
        },
    ]);
    assert_decision(
        &d[2],
        "adapter",
        "inferred",
        "file:adapter_config.json",
        &["meta-llama/Llama-2-7b-hf"],
    );
    assert_decision(&d[3], "adapter", "inferred", "library:peft", &[]);
}

#[test]
fn mergekit_tag_makes_a_merge() {
    let d = decide_all(&[M::new("mlabonne/Daredevil-8B").tags(&["mergekit", "merge", "llama"])]);
    assert_decision(&d[0], "merge", "inferred", "tag:mergekit", &[]);
}

#[test]
fn name_evidence_ranks_below_files_and_tags() {
    let d = decide_all(&[
        M::new("x/mistral-7b-slerp"),
        M::new("y/phi-2-lora-experiment"),
        // Adapter files win over a quantization word in the name (a QLoRA adapter).
        M::new("z/llama-3-8b-bnb-4bit-qlora").files(&["adapter_config.json"]),
    ]);
    assert_decision(&d[0], "merge", "inferred", "name:SLERP", &[]);
    assert_decision(&d[1], "adapter", "inferred", "name:LORA", &[]);
    assert_decision(
        &d[2],
        "adapter",
        "inferred",
        "file:adapter_config.json",
        &[],
    );
}

#[test]
fn finetune_is_inferred_from_a_known_base_inside_the_name() {
    let models = [
        llama_chat(),
        M::new("TheBloke/Llama-2-7B-Chat-GGUF").declares(
            &["meta-llama/Llama-2-7b-chat-hf"],
            Some("quantized"),
            "baseModels.relation",
        ),
        M::new("doctor/Llama-2-7b-chat-hf-medical"),
        // Not a known base: nobody declares it, so the name proves nothing.
        M::new("x/alpaca"),
        M::new("y/alpaca-7b-reproduction"),
    ];
    let d = decide_all(&models);
    assert_decision(
        &d[2],
        "finetune",
        "inferred",
        "name:known_base",
        &["meta-llama/Llama-2-7b-chat-hf"],
    );
    assert_original(&d[4]);
}

#[test]
fn a_known_base_must_be_older_than_the_model() {
    let mut base = llama_chat();
    base.created = 19_500;
    let mut child = M::new("doctor/Llama-2-7b-chat-hf-medical");
    child.created = 19_000;
    let d = decide_all(&[
        base,
        M::new("TheBloke/Llama-2-7B-Chat-GGUF").declares(
            &["meta-llama/Llama-2-7b-chat-hf"],
            Some("quantized"),
            "baseModels.relation",
        ),
        child,
    ]);
    assert_original(&d[2]);
}

#[test]
fn hidden_declarations_do_not_answer_for_themselves() {
    // The only model declaring the base is the one being inferred.
    let models = [
        llama_chat(),
        M::new("doctor/Llama-2-7b-chat-hf-medical").declares(
            &["meta-llama/Llama-2-7b-chat-hf"],
            Some("finetune"),
            "baseModels.relation",
        ),
    ];
    let d = decide_all_with(&models, &LineageOptions::default(), true);
    assert_original(&d[1]);
}

#[test]
fn quantization_config_alone_needs_a_parent() {
    let fp8 = |id: &'static str| M {
        qconfig: true,
        safetensors: Some(30_000_000_000),
        ..M::new(id).tags(&["fp8"]).files(&["model.safetensors"])
    };
    let d = decide_all(&[
        fp8("deepseek-ai/DeepSeek-V3"),
        M::new("Qwen/Qwen3-30B-A3B").downloads(1_000),
        fp8("Qwen/Qwen3-30B-A3B-FP8"),
        fp8("someone/private-thing"),
    ]);
    assert_original(&d[0]);
    assert_decision(
        &d[2],
        "quantized",
        "inferred",
        "name:FP8",
        &["Qwen/Qwen3-30B-A3B"],
    );
    assert_original(&d[3]);
}

#[test]
fn gguf_next_to_full_weights_is_not_a_quantization() {
    let d = decide_all(&[M::new("google/gemma-7b")
        .tags(&["gguf", "safetensors"])
        .files(&["gemma-7b.gguf", "model-00001-of-00004.safetensors"])]);
    assert_original(&d[0]);
}

#[test]
fn release_parents_are_used_only_when_nothing_is_declared_and_the_option_is_on() {
    let models = [
        M::new("meta-llama/Llama-2-7b-hf"),
        M {
            release_parents: vec!["meta-llama/Llama-2-7b-hf"],
            ..M::new("lmsys/vicuna-7b-v1.5")
        },
    ];
    let d = decide_all(&models);
    assert_decision(
        &d[1],
        "finetune",
        "inferred",
        "release:derived_from+rule:finetune",
        &["meta-llama/Llama-2-7b-hf"],
    );
    let opts = LineageOptions {
        use_release_annotations: false,
        ..LineageOptions::default()
    };
    assert_original(&decide_all_with(&models, &opts, false)[1]);
}

#[test]
fn without_inference_undeclared_models_are_original() {
    let opts = LineageOptions {
        infer_undeclared: false,
        ..LineageOptions::default()
    };
    let d = decide_all_with(
        &[M::new("TheBloke/Llama-2-7B-Chat-GGUF").files(&["a.gguf"])],
        &opts,
        false,
    );
    assert_original(&d[0]);
}

#[test]
fn legacy_ids_resolve_by_name() {
    let df = frame(&[
        M::new("openai-community/gpt2").downloads(10),
        M::new("x/gpt2").downloads(1),
        M::new("y/gpt2-poems"),
    ]);
    let table = Table::read(&df).unwrap();
    let lower = LowerIds::new(&table.ids);
    let ctx = Context::new(&table, &lower, &LineageOptions::default()).unwrap();
    assert_eq!(ctx.resolve("gpt2", 2), Some(0));
    assert_eq!(ctx.resolve("OPENAI-COMMUNITY/GPT2", 2), Some(0));
    assert_eq!(ctx.resolve("gpt2", 0), Some(1));
    assert_eq!(ctx.resolve("missing/model", 2), None);
}

#[test]
fn relation_spellings() {
    assert_eq!(normalize_relation("quantized"), Some("quantized"));
    assert_eq!(normalize_relation(" Fine_Tune "), Some("finetune"));
    assert_eq!(normalize_relation("merged"), Some("merge"));
    assert_eq!(normalize_relation("lora"), Some("adapter"));
    assert_eq!(normalize_relation("distilled"), None);
}

#[test]
fn a_namesake_of_a_known_finetune_is_still_a_finetune_but_a_copy_of_an_original_is_not() {
    let d = decide_all(&[
        M::new("distilbert/distilbert-base-uncased").downloads(9_000),
        M::new("alice/distilbert-base-uncased-finetuned-emotion").declares(
            &["distilbert/distilbert-base-uncased"],
            Some("finetune"),
            "baseModels.relation",
        ),
        M::new("carol/distilbert-base-uncased-finetuned-emotion-GGUF").declares(
            &["alice/distilbert-base-uncased-finetuned-emotion"],
            Some("quantized"),
            "baseModels.relation",
        ),
        // The course exercise uploaded again under another namespace.
        M::new("bob/distilbert-base-uncased-finetuned-emotion"),
        // A copy of an original that others declare as their base.
        M::new("v2ray/Mixtral-8x22B-v0.1"),
        M::new("MaziyarPanahi/Mixtral-8x22B-v0.1-GGUF").declares(
            &["v2ray/Mixtral-8x22B-v0.1"],
            Some("quantized"),
            "baseModels.relation",
        ),
        M::new("mistralai/Mixtral-8x22B-v0.1"),
    ]);
    assert_decision(
        &d[3],
        "finetune",
        "inferred",
        "name:known_base",
        &["distilbert/distilbert-base-uncased"],
    );
    assert_original(&d[6]);
}

#[test]
fn a_version_alone_makes_a_finetune_only_of_a_strictly_older_base() {
    let at = |id: &'static str, created: i32| M {
        created,
        ..M::new(id)
    };
    let d = decide_all(&[
        at("Qwen/Qwen2.5-7B-Instruct", 19_900),
        at("x/Qwen2.5-7B-Instruct-GGUF", 19_950).declares(
            &["Qwen/Qwen2.5-7B-Instruct"],
            Some("quantized"),
            "baseModels.relation",
        ),
        at("user/Qwen2.5-7B-Instruct-v2", 20_000),
        // Equal (filled-in) dates: the shorter name may be the copy.
        at("krevas/SOLAR-10.7B", 19_000),
        at("y/SOLAR-10.7B-slerp", 19_001).declares(
            &["krevas/SOLAR-10.7B"],
            Some("finetune"),
            "baseModels.relation",
        ),
        at("upstage/SOLAR-10.7B-v1.0", 19_000),
    ]);
    assert_decision(
        &d[2],
        "finetune",
        "inferred",
        "name:known_base",
        &["Qwen/Qwen2.5-7B-Instruct"],
    );
    assert_original(&d[5]);
}
