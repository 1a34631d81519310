//! Lineage on Hub rows in the API's own layout (`tests/fixtures/hub-2024-09`,
//! see data/README.md): read by ingest exactly as `hubecon prepare` reads an
//! API listing, then measured with the K-fold protocol of `lineage_eval`.
//! One test per failure pattern of issue 21, each on the rows that showed it.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use hubecon_ingest::{FormatChoice, PrepareOptions, Silent, read_inputs};
use hubecon_lineage::{EvalMiss, EvalReport, LineageOptions, enrich, lineage_eval};
use polars::prelude::*;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hub-2024-09")
}

fn models() -> DataFrame {
    let opts = PrepareOptions {
        inputs: vec![fixture()],
        format: FormatChoice::Auto,
        annotations: PathBuf::new(),
        snapshot_date: NaiveDate::from_ymd_opt(2024, 9, 1),
    };
    read_inputs(&opts, &Silent).expect("fixture reads").models
}

fn eval(folds: usize) -> EvalReport {
    lineage_eval(&models(), &LineageOptions::default(), folds).unwrap()
}

/// Every declaring model hidden alone (more folds than declaring models):
/// each pattern is tested whatever fold its siblings fall in.
fn alone() -> EvalReport {
    eval(500)
}

fn miss<'a>(r: &'a EvalReport, id: &str) -> Option<&'a EvalMiss> {
    r.misses.iter().find(|m| m.model_id == id)
}

/// One model of the enriched fixture (nothing hidden).
struct Row {
    relation: String,
    source: String,
    evidence: Option<String>,
    parents: Vec<String>,
    is_quantized: bool,
}

fn enriched() -> DataFrame {
    enrich(models(), &LineageOptions::default()).unwrap().0
}

fn row(df: &DataFrame, id: &str) -> Row {
    let ids = df.column("model_id").unwrap().str().unwrap();
    let k = ids.iter().position(|v| v == Some(id)).expect(id);
    let s = |c: &str| {
        df.column(c)
            .unwrap()
            .str()
            .unwrap()
            .get(k)
            .map(str::to_string)
    };
    let parents = df
        .column("parents")
        .unwrap()
        .list()
        .unwrap()
        .get_as_series(k);
    Row {
        relation: s("relation").unwrap(),
        source: s("relation_source").unwrap(),
        evidence: s("relation_evidence"),
        parents: parents
            .map(|p| {
                p.str()
                    .unwrap()
                    .iter()
                    .flatten()
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        is_quantized: df.column("is_quantized").unwrap().bool().unwrap().get(k) == Some(true),
    }
}

fn class(r: &EvalReport, name: &str) -> (Option<f64>, Option<f64>) {
    let c = r.classes.iter().find(|c| c.class == name).unwrap();
    (c.precision, c.recall)
}

#[test]
fn five_fold_protocol_meets_the_issue_targets() {
    let r = eval(5);
    println!("{r}");
    assert_eq!((r.folds, r.evaluated), (5, 104));
    assert!(class(&r, "quantized").1 >= Some(0.97));
    assert!(class(&r, "adapter").1 >= Some(0.93));
    assert!(class(&r, "finetune").1 >= Some(0.35));
    assert!(class(&r, "merge").1 >= Some(0.90));
    // Precision first: nothing inferred as a finetune or adapter is wrong here.
    assert_eq!(class(&r, "finetune").0, Some(1.0));
    assert_eq!(class(&r, "adapter").0, Some(1.0));
    assert!(r.class_right_vs_corrected.share >= Some(0.95));
    assert!(r.parent.precision.share >= Some(0.60));
    // The five declared finetunes that are quantizations, counted both ways.
    assert_eq!(r.corrections.len(), 1);
    assert_eq!(
        (
            r.corrections[0].declared.as_str(),
            r.corrections[0].corrected.as_str()
        ),
        ("finetune", "quantized")
    );
    assert_eq!(r.corrections[0].models, 5);
    // With every declaration hidden no known base is left, but a
    // developer's own base needs no declaration (gemma-2b-it -> gemma-2b).
    let all_hidden = eval(1);
    println!("{all_hidden}");
    let (precision, recall) = class(&all_hidden, "finetune");
    assert_eq!(precision, Some(1.0));
    assert!(recall > Some(0.05), "{recall:?}");
}

#[test]
fn full_weight_repos_with_a_gguf_are_not_quantizations() {
    let df = enriched();
    // gemma-2b ships a .gguf beside its safetensors; mxbai and madlad are
    // listed without siblings, with gguf beside safetensors/pytorch tags.
    for id in [
        "google/gemma-2b",
        "mixedbread-ai/mxbai-embed-large-v1",
        "google/madlad400-3b-mt",
    ] {
        let m = row(&df, id);
        assert_eq!(
            (m.relation.as_str(), m.is_quantized),
            ("original", false),
            "{id}"
        );
    }
    // Trainer state beside a GGUF is not full weights.
    let r = alone();
    let gguf = miss(&r, "ucalyptus/checkpoint-gguf-run").map(|m| m.inferred.as_str());
    assert_eq!(gguf.unwrap_or("quantized"), "quantized");
}

#[test]
fn name_tokens_qint8_controlnet_t2i_adapter_glued_merges_and_16bit() {
    let r = alone();
    let inferred = |id: &str, declared: &'static str| {
        miss(&r, id).map_or(declared.to_string(), |m| m.inferred.clone())
    };
    assert_eq!(
        inferred("optimum-intel/TinyLlama-1.1B-Chat-v1.0-qint8", "quantized"),
        "quantized"
    );
    for id in [
        "lllyasviel/sd-controlnet-canny",
        "diffusers/controlnet-canny-sdxl-1.0",
        "TencentARC/t2iadapter_canny_sd15v2",
        "TencentARC/t2i-adapter-sketch-sdxl-1.0",
    ] {
        assert_eq!(inferred(id, "adapter"), "adapter", "{id}");
    }
    // Glued merge words, and a mixture of dense models in the Mixtral
    // architecture (mergekit-moe) named with its experts.
    for id in [
        "flemmingmiguel/DareBeagle-7B",
        "abideen/DareVox-7B",
        "TomGrc/FusionNet_34Bx2_MoE",
    ] {
        assert_eq!(inferred(id, "merge"), "merge", "{id}");
    }
    // Mixtral itself is the original it is.
    assert_eq!(
        row(&enriched(), "mistralai/Mixtral-8x22B-v0.1").relation,
        "original"
    );
    // 16bit is full precision: the LoRA merged back is a finetune.
    assert_eq!(
        inferred("trl-lib/TinyLlama-1.1B-Chat-v1.0-16bit", "finetune"),
        "finetune"
    );
    // Daredevil is one word, not a DARE merge.
    assert_eq!(
        row(&enriched(), "mlabonne/Daredevil-7B").relation,
        "original"
    );
}

#[test]
fn a_version_between_base_name_and_variant_still_finds_the_base() {
    let r = alone();
    for id in [
        "mistralai/Mistral-7B-Instruct-v0.1",
        "upstage/SOLAR-10.7B-Instruct-v1.0",
        "mistralai/Mixtral-8x22B-Instruct-v0.1",
    ] {
        assert!(miss(&r, id).is_none(), "{:?}", miss(&r, id));
    }
}

#[test]
fn known_bases_do_not_reverse_mirrors_or_join_namesakes_and_sizes() {
    let df = enriched();
    for id in [
        // Mirrors and copies whose dates are missing or equal.
        "upstage/SOLAR-10.7B-v1.0",
        "mistralai/Mixtral-8x22B-v0.1",
        "NousResearch/Llama-2-7b-hf",
        "NousResearch/Meta-Llama-3-8B",
        "abhishek/llama-2-7b-hf-small-shards",
        // Namesakes.
        "yiyanghkust/finbert-tone",
        "yiyanghkust/finbert-esg",
        "yiyanghkust/finbert-pretrain",
        "nvidia/megatron-gpt2-345m",
        // Sizes and variants of one family.
        "openai-community/gpt2-medium",
        "openai-community/gpt2-large",
        "openai-community/gpt2-xl",
        "FacebookAI/xlm-roberta-base",
        "EleutherAI/pythia-1b-deduped",
        // Not the child of its own child.
        "google/vit-base-patch16-224-in21k",
    ] {
        let m = row(&df, id);
        assert_eq!(
            m.relation, "original",
            "{id}: {:?} {:?}",
            m.evidence, m.parents
        );
    }
    // The quantization's parent extends its stripped name by neutral tokens
    // only: Llama-2-13b-hf, not the more downloaded Llama-2-13b-chat-hf.
    let r = alone();
    for id in [
        "unsloth/llama-2-13b-bnb-4bit",
        "unsloth/llama-2-7b-bnb-4bit",
    ] {
        assert!(miss(&r, id).is_none(), "{:?}", miss(&r, id));
    }
    // A size word after the base cites the sibling, which is not known here.
    let large = miss(&r, "someone13/gpt2-large-finetuned-recipes").unwrap();
    assert_eq!(large.inferred_parent, None);
}

#[test]
fn declared_finetunes_that_are_quantizations_are_counted_both_ways() {
    let df = enriched();
    for (id, code) in [
        ("TheBloke/Llama-2-7B-Chat-GGML", "file:ggml"),
        ("someone1/Mistral-7B-Instruct-v0.2-Q4_K_M-GGUF", "file:gguf"),
        ("mobiuslabsgmbh/Llama-2-7b-chat-hf_4bitnogs_hqq", "name:HQQ"),
        ("mlx-community/Mistral-7B-Instruct-v0.2-4bit", "library:mlx"),
        ("mlx-community/Meta-Llama-3-8B-Instruct-4bit", "library:mlx"),
    ] {
        let m = row(&df, id);
        assert_eq!(
            (m.relation.as_str(), m.source.as_str()),
            ("quantized", "declared")
        );
        let evidence = m.evidence.unwrap();
        assert!(
            evidence.ends_with(&format!("+corrected:quantized:{code}")),
            "{evidence}"
        );
    }
    let declared = df.column("declared_relation").unwrap().str().unwrap();
    let ids = df.column("model_id").unwrap().str().unwrap();
    let k = ids
        .iter()
        .position(|v| v == Some("TheBloke/Llama-2-7B-Chat-GGML"))
        .unwrap();
    assert_eq!(declared.get(k), Some("finetune"));
    // A finetune of a bnb upload keeps its declared relation.
    let m = row(&df, "someone4/llama-3-8b-Instruct-bnb-4bit-medical");
    assert_eq!((m.relation.as_str(), m.is_quantized), ("finetune", false));
}

#[test]
fn a_merge_keeps_every_base_its_card_lists() {
    let df = enriched();
    let m = row(&df, "mlabonne/NeuralBeagle14-7B");
    assert_eq!(m.relation, "merge");
    assert_eq!(
        m.parents,
        ["mlabonne/NeuralMarcoro14-7B", "mlabonne/AlphaMonarch-7B"]
    );
    let m = row(&df, "TomGrc/FusionNet_34Bx2_MoE");
    assert_eq!(
        m.parents,
        [
            "jondurbin/bagel-dpo-34b-v0.2",
            "SanjiWatsuki/Kunoichi-DPO-v2-7B"
        ]
    );
}
