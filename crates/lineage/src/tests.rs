//! `enrich` and `lineage_eval` on small tables with every ingest column.

use super::*;
use crate::testkit::{M, frame};

fn family() -> Vec<M> {
    vec![
        M {
            pipeline: Some("text-generation"),
            license: Some("apache-2.0"),
            safetensors: Some(7_615_616_512),
            architectures: vec!["Qwen2ForCausalLM"],
            ..M::new("Qwen/Qwen2.5-7B-Instruct").downloads(9_000_000)
        },
        M::new("unsloth/Qwen2.5-7B-Instruct").declares(
            &["Qwen/Qwen2.5-7B-Instruct"],
            Some("finetune"),
            "baseModels.relation",
        ),
        M {
            gguf: Some(7_615_616_512),
            ..M::new("unsloth/Qwen2.5-7B-Instruct-GGUF")
                .files(&["Qwen2.5-7B-Instruct-Q4_K_M.gguf"])
                .declares(
                    &["unsloth/Qwen2.5-7B-Instruct"],
                    Some("quantized"),
                    "baseModels.relation",
                )
        },
        M {
            architectures: vec!["DeepseekV2ForCausalLM"],
            pipeline: Some("text-generation"),
            safetensors: Some(15_706_484_224),
            ..M::new("deepseek-ai/DeepSeek-V2-Lite-Chat")
        },
        M {
            gguf: Some(15_706_484_224),
            ..M::new("bartowski/DeepSeek-V2-Lite-Chat-GGUF")
                .files(&["DeepSeek-V2-Lite-Chat-Q4_K_M.gguf"])
        },
        M::new("fan/ghost-ft").declares(
            &["ghost/base-model"],
            Some("finetune"),
            "baseModels.relation",
        ),
        M::new("cyc/b").declares(&["cyc/a"], Some("finetune"), "baseModels.relation"),
        M::new("cyc/a").declares(&["cyc/b"], Some("finetune"), "baseModels.relation"),
        M {
            pipeline: Some("text-to-image"),
            library: Some("diffusers"),
            license: Some("openrail++"),
            ..M::new("stabilityai/stable-diffusion-xl-base-1.0")
        },
        M::new("artist/sdxl-watercolor")
            .tags(&[
                "lora",
                "template:sd-lora",
                "base_model:stabilityai/stable-diffusion-xl-base-1.0",
            ])
            .files(&["watercolor.safetensors"])
            .declares(
                &["stabilityai/stable-diffusion-xl-base-1.0"],
                None,
                "card:base_model",
            ),
        M {
            license: Some("apache-2.0"),
            datasets: vec!["allenai/dolma"],
            ..M::new("allenai/OLMo-7B")
        },
        M {
            license: Some("apache-2.0"),
            ..M::new("someone/OLMo-7B-GGUF").declares(
                &["allenai/OLMo-7B"],
                Some("quantized"),
                "baseModels.relation",
            )
        },
        M {
            gated: true,
            license: Some("llama2"),
            ..M::new("meta-llama/Llama-2-7b-hf")
        },
        M {
            license: Some("cc-by-nc-4.0"),
            datasets: vec!["squad"],
            ..M::new("x/nc-model")
        },
        M::new("HuggingFaceTB/SmolLM2-135M"),
        M {
            pipeline: Some("image-text-to-text"),
            release_modality: Some("Image+Text → Text"),
            ..M::new("llava-hf/llava-1.5-7b-hf")
        },
        M {
            release_author: Some("lmsys"),
            ..M::new("tuner/vicuna-x")
        },
    ]
}

fn strs<'a>(df: &'a DataFrame, name: &str) -> Vec<Option<&'a str>> {
    df.column(name).unwrap().str().unwrap().iter().collect()
}

fn row(df: &DataFrame, id: &str) -> usize {
    strs(df, col::MODEL_ID)
        .iter()
        .position(|v| *v == Some(id))
        .unwrap()
}

#[test]
fn enrich_fills_every_column_and_keeps_rows() {
    let input = frame(&family());
    let (out, report) = enrich(input.clone(), &LineageOptions::default()).unwrap();
    assert_eq!(out.height(), input.height());
    assert_eq!(strs(&out, col::MODEL_ID), strs(&input, col::MODEL_ID));
    assert!(out.column(col::LANGUAGES).is_ok());
    let dtypes = [
        (col::RELATION, DataType::String),
        (col::PARENTS, DataType::List(Box::new(DataType::String))),
        (col::FAMILY_ROOT, DataType::String),
        (col::LINEAGE_DEPTH, DataType::UInt32),
        (col::DERIVED_AUTHOR, DataType::String),
        (col::PARAMS, DataType::UInt64),
        (col::IS_MOE, DataType::Boolean),
        (col::IS_QUANTIZED, DataType::Boolean),
        (col::MODALITY, DataType::String),
        (col::IS_MULTIMODAL_GENERATION, DataType::Boolean),
        (col::OPENNESS, DataType::String),
        (col::DATA_TRANSPARENCY, DataType::String),
    ];
    for (name, dtype) in dtypes {
        assert_eq!(out.column(name).unwrap().dtype(), &dtype, "{name}");
    }
    for name in [
        col::RELATION,
        col::RELATION_SOURCE,
        col::FAMILY_ROOT,
        col::DERIVED_AUTHOR,
        col::OPENNESS,
    ] {
        assert_eq!(out.column(name).unwrap().null_count(), 0, "{name}");
    }
    assert_eq!(report.models, input.height());
}

#[test]
fn families_follow_parents_to_the_root() {
    let (out, report) = enrich(frame(&family()), &LineageOptions::default()).unwrap();
    let roots = strs(&out, col::FAMILY_ROOT);
    let authors = strs(&out, col::DERIVED_AUTHOR);
    let depth: Vec<u32> = out
        .column(col::LINEAGE_DEPTH)
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    let gguf = row(&out, "unsloth/Qwen2.5-7B-Instruct-GGUF");
    assert_eq!(roots[gguf], Some("Qwen/Qwen2.5-7B-Instruct"));
    assert_eq!(authors[gguf], Some("Qwen"));
    assert_eq!(depth[gguf], 2);
    let original = row(&out, "Qwen/Qwen2.5-7B-Instruct");
    assert_eq!(
        (roots[original], depth[original]),
        (Some("Qwen/Qwen2.5-7B-Instruct"), 0)
    );
    // A parent absent from the data ends the chain at that parent.
    let ghost = row(&out, "fan/ghost-ft");
    assert_eq!(
        (roots[ghost], authors[ghost], depth[ghost]),
        (Some("ghost/base-model"), Some("ghost"), 1)
    );
    // The cycle cyc/a <-> cyc/b is broken at cyc/a.
    let (a, b) = (row(&out, "cyc/a"), row(&out, "cyc/b"));
    assert_eq!((roots[a], depth[a]), (Some("cyc/a"), 0));
    assert_eq!((roots[b], depth[b]), (Some("cyc/a"), 1));
    assert_eq!(report.cycles_broken, vec!["cyc/a".to_string()]);
    assert_eq!(report.missing_parents, 1);
    assert_eq!(report.roots_outside_data, 1);
    assert_eq!(report.max_depth, 2);
    // The release's derived author wins when present.
    assert_eq!(authors[row(&out, "tuner/vicuna-x")], Some("lmsys"));
    // Inferred parent of a GGUF repo, found by name.
    let ds = row(&out, "bartowski/DeepSeek-V2-Lite-Chat-GGUF");
    assert_eq!(roots[ds], Some("deepseek-ai/DeepSeek-V2-Lite-Chat"));
    assert_eq!(strs(&out, col::RELATION_EVIDENCE)[ds], Some("file:gguf"));
    assert_eq!(report.by_relation.get("quantized"), Some(&3));
    assert_eq!(
        report.by_relation_and_source["quantized"].get("inferred"),
        Some(&1)
    );
}

#[test]
fn attributes_follow_their_rules() {
    let (out, _) = enrich(frame(&family()), &LineageOptions::default()).unwrap();
    let params: Vec<Option<u64>> = out
        .column(col::PARAMS)
        .unwrap()
        .u64()
        .unwrap()
        .iter()
        .collect();
    let source = strs(&out, col::PARAMS_SOURCE);
    let flag = |name: &str, id: &str| {
        out.column(name)
            .unwrap()
            .bool()
            .unwrap()
            .get(row(&out, id))
            .unwrap()
    };
    let text = |name: &str, id: &str| strs(&out, name)[row(&out, id)].map(str::to_string);

    let q = row(&out, "Qwen/Qwen2.5-7B-Instruct");
    assert_eq!(
        (params[q], source[q]),
        (Some(7_615_616_512), Some("safetensors"))
    );
    let g = row(&out, "unsloth/Qwen2.5-7B-Instruct-GGUF");
    assert_eq!((params[g], source[g]), (Some(7_615_616_512), Some("gguf")));
    let s = row(&out, "HuggingFaceTB/SmolLM2-135M");
    assert_eq!((params[s], source[s]), (Some(135_000_000), Some("name")));
    let none = row(&out, "cyc/a");
    assert_eq!((params[none], source[none]), (None, None));

    assert!(flag(col::IS_MOE, "deepseek-ai/DeepSeek-V2-Lite-Chat"));
    assert!(
        flag(col::IS_MOE, "bartowski/DeepSeek-V2-Lite-Chat-GGUF"),
        "inherited from the parent"
    );
    assert!(!flag(col::IS_MOE, "Qwen/Qwen2.5-7B-Instruct"));
    assert!(flag(col::IS_QUANTIZED, "unsloth/Qwen2.5-7B-Instruct-GGUF"));
    assert!(!flag(col::IS_QUANTIZED, "unsloth/Qwen2.5-7B-Instruct"));

    assert_eq!(
        text(col::MODALITY, "Qwen/Qwen2.5-7B-Instruct").as_deref(),
        Some("text -> text")
    );
    assert_eq!(
        text(col::MODALITY, "unsloth/Qwen2.5-7B-Instruct-GGUF").as_deref(),
        Some("text -> text")
    );
    assert_eq!(
        text(col::MODALITY, "artist/sdxl-watercolor").as_deref(),
        Some("text -> image")
    );
    assert_eq!(
        text(col::MODALITY, "llava-hf/llava-1.5-7b-hf").as_deref(),
        Some("image+text -> text")
    );
    assert_eq!(text(col::MODALITY, "cyc/a"), None);
    assert!(flag(
        col::IS_MULTIMODAL_GENERATION,
        "artist/sdxl-watercolor"
    ));
    assert!(flag(
        col::IS_MULTIMODAL_GENERATION,
        "llava-hf/llava-1.5-7b-hf"
    ));
    assert!(!flag(
        col::IS_MULTIMODAL_GENERATION,
        "Qwen/Qwen2.5-7B-Instruct"
    ));
    assert_eq!(
        text(col::RELATION, "artist/sdxl-watercolor").as_deref(),
        Some("adapter")
    );

    assert_eq!(
        text(col::OPENNESS, "allenai/OLMo-7B").as_deref(),
        Some("open_source")
    );
    assert_eq!(
        text(col::DATA_TRANSPARENCY, "someone/OLMo-7B-GGUF").as_deref(),
        Some("available")
    );
    assert_eq!(
        text(col::OPENNESS, "someone/OLMo-7B-GGUF").as_deref(),
        Some("open_source")
    );
    assert_eq!(
        text(col::OPENNESS, "Qwen/Qwen2.5-7B-Instruct").as_deref(),
        Some("open_weights")
    );
    assert_eq!(
        text(col::OPENNESS, "stabilityai/stable-diffusion-xl-base-1.0").as_deref(),
        Some("open_weights")
    );
    assert_eq!(
        text(col::OPENNESS, "meta-llama/Llama-2-7b-hf").as_deref(),
        Some("restricted")
    );
    assert_eq!(
        text(col::OPENNESS, "x/nc-model").as_deref(),
        Some("restricted")
    );
    assert_eq!(text(col::OPENNESS, "cyc/a").as_deref(), Some("unknown"));
    assert_eq!(
        text(col::DATA_TRANSPARENCY, "x/nc-model").as_deref(),
        Some("available")
    );
    assert_eq!(
        text(col::DATA_TRANSPARENCY, "Qwen/Qwen2.5-7B-Instruct").as_deref(),
        Some("undisclosed")
    );
}

#[test]
fn enrich_rejects_duplicate_ids_and_missing_required_columns() {
    let dup = frame(&[M::new("a/x"), M::new("a/x")]);
    assert!(matches!(
        enrich(dup, &LineageOptions::default()),
        Err(LineageError::DuplicateModel { .. })
    ));
    let bare = frame(&[M::new("a/x")]).drop(col::AUTHOR).unwrap();
    assert!(matches!(
        enrich(bare, &LineageOptions::default()),
        Err(LineageError::MissingColumn { .. })
    ));
}

#[test]
fn enrich_accepts_an_empty_table() {
    let (out, report) = enrich(frame(&[]), &LineageOptions::default()).unwrap();
    assert_eq!(out.height(), 0);
    assert_eq!(report.max_depth, 0);
}

fn eval_models() -> Vec<M> {
    let chat = "meta-llama/Llama-2-7b-chat-hf";
    vec![
        M::new(chat)
            .files(&["model.safetensors"])
            .downloads(1_000_000),
        M::new("TheBloke/Llama-2-7B-Chat-GGUF")
            .files(&["llama-2-7b-chat.Q4_K_M.gguf"])
            .declares(&[chat], Some("quantized"), "baseModels.relation"),
        M::new("alice/Llama-2-7b-chat-hf-lora")
            .files(&["adapter_config.json"])
            .declares(&[chat], Some("adapter"), "baseModels.relation"),
        M::new("doc/Llama-2-7b-chat-hf-medical").declares(
            &[chat],
            Some("finetune"),
            "baseModels.relation",
        ),
        M::new("z/my-finetune").declares(&[chat], Some("finetune"), "baseModels.relation"),
        M::new("m/merge-x").tags(&["mergekit"]).declares(
            &[chat, "other/base"],
            Some("merge"),
            "baseModels.relation",
        ),
        M::new("card/only").declares(&[chat], None, "card:base_model"),
    ]
}

#[test]
fn lineage_eval_scores_inference_against_declarations() {
    // One fold: every declaration hidden at once, so no known base is left.
    let report = lineage_eval(&frame(&eval_models()), &LineageOptions::default(), 1).unwrap();
    assert_eq!((report.models, report.folds, report.evaluated), (7, 1, 5));
    assert_eq!(report.accuracy, Some(0.6));
    let class = |name: &str| {
        report
            .classes
            .iter()
            .find(|c| c.class == name)
            .unwrap()
            .clone()
    };
    let ft = class("finetune");
    assert_eq!((ft.support, ft.predicted, ft.true_positives), (2, 0, 0));
    assert_eq!((ft.precision, ft.recall), (None, Some(0.0)));
    assert_eq!(class("quantized").f1, Some(1.0));
    assert_eq!(class("adapter").f1, Some(1.0));
    let original = class("original");
    assert_eq!(
        (original.support, original.predicted, original.precision),
        (0, 2, Some(0.0))
    );
    // Row finetune (index 1), column original (index 0).
    assert_eq!(report.confusion[1][0], 2);
    assert_eq!(
        report.labels,
        ["original", "finetune", "adapter", "quantized", "merge"]
    );
    // Parents inferred for the GGUF and the LoRA, both declared; five declare one in the data.
    let p = &report.parent;
    assert_eq!((p.precision.evaluated, p.precision.hits), (2, 2));
    assert_eq!((p.recall.evaluated, p.recall.hits), (5, 2));
    let derived = report.class_right_among_derivatives;
    assert_eq!((derived.evaluated, derived.hits), (3, 3));
    // The chat model declares nothing and is inferred original.
    let undeclared = report.undeclared_inferred_derived;
    assert_eq!((undeclared.evaluated, undeclared.hits), (1, 0));
    let missed: Vec<&str> = report.misses.iter().map(|m| m.model_id.as_str()).collect();
    // The merge is right but names no parent while its declared one is in the data.
    assert_eq!(
        missed,
        [
            "doc/Llama-2-7b-chat-hf-medical",
            "m/merge-x",
            "z/my-finetune"
        ]
    );

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["classes"][1]["class"], "finetune");
    assert!(json["classes"][0]["recall"].is_null());
    let table = report.to_string();
    assert!(
        table.contains("1 folds: 5 of 7 models evaluated"),
        "{table}"
    );
    assert!(
        table.contains("first inferred parent is a declared parent: 2 of 2 (100.0%)"),
        "{table}"
    );
}

#[test]
fn other_folds_declarations_stay_visible() {
    // Six declaring models, six folds: each is hidden alone, so the GGUF's
    // declaration makes the chat model a known base for the medical finetune.
    let report = lineage_eval(&frame(&eval_models()), &LineageOptions::default(), 6).unwrap();
    assert_eq!(report.accuracy, Some(0.8));
    let missed: Vec<&str> = report.misses.iter().map(|m| m.model_id.as_str()).collect();
    assert_eq!(missed, ["m/merge-x", "z/my-finetune"]);
    assert!(matches!(
        lineage_eval(&frame(&eval_models()), &LineageOptions::default(), 0),
        Err(LineageError::InvalidOption { name: "folds", .. })
    ));
}

#[test]
fn a_dense_distillation_of_an_moe_model_is_not_moe_but_its_gguf_copy_of_an_moe_is() {
    let models = vec![
        M {
            architectures: vec!["DeepseekV3ForCausalLM"],
            model_type: Some("deepseek_v3"),
            ..M::new("deepseek-ai/DeepSeek-R1")
        },
        M {
            architectures: vec!["LlamaForCausalLM"],
            model_type: Some("llama"),
            ..M::new("deepseek-ai/DeepSeek-R1-Distill-Llama-8B").declares(
                &["deepseek-ai/DeepSeek-R1"],
                Some("finetune"),
                "baseModels.relation",
            )
        },
        M {
            gguf_arch: Some("llama"),
            ..M::new("bartowski/DeepSeek-R1-GGUF")
                .files(&["DeepSeek-R1-Q4_K_M.gguf"])
                .declares(
                    &["deepseek-ai/DeepSeek-R1"],
                    Some("quantized"),
                    "baseModels.relation",
                )
        },
    ];
    let (out, _) = enrich(frame(&models), &LineageOptions::default()).unwrap();
    let moe: Vec<bool> = out
        .column("is_moe")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect();
    assert_eq!(moe, vec![true, false, true]);
}

#[test]
fn licence_other_is_read_through_the_cards_licence_name_and_link() {
    let other = |id: &'static str| M {
        license: Some("other"),
        ..M::new(id)
    };
    let mut df = frame(&[
        other("LGAI-EXAONE/EXAONE-3.0-7.8B-Instruct"),
        other("mistralai/Codestral-22B-v0.1"),
        other("someone/custom"),
    ]);
    let names = [Some("exaone"), None, None];
    let links = [
        Some("LICENSE"),
        Some("https://mistral.ai/licences/MNPL-0.1.md"),
        Some("LICENSE"),
    ];
    df.with_column(Column::new("license_name".into(), names))
        .unwrap();
    df.with_column(Column::new("license_link".into(), links))
        .unwrap();
    let (out, _) = enrich(df, &LineageOptions::default()).unwrap();
    assert_eq!(
        strs(&out, "openness"),
        [Some("restricted"), Some("restricted"), Some("open_weights")]
    );
}
