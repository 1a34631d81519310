//! Fixtures written by the tests themselves: small hub-stats snapshots,
//! release files and API pages with every quirk the readers must handle.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::{Value, json};

/// Writes `rows` (JSON objects) as a parquet file: nested objects become
/// struct columns, arrays list columns. `datetime` columns are converted
/// from ISO text to UTC timestamps, as hub-stats stores `createdAt`.
pub fn write_parquet_rows(path: &Path, rows: &[Value], datetime: &[&str]) {
    let ndjson: String = rows.iter().map(|r| format!("{r}\n")).collect();
    let mut df = JsonReader::new(Cursor::new(ndjson.into_bytes()))
        .with_json_format(JsonFormat::JsonLines)
        .infer_schema_len(None)
        .finish()
        .unwrap();
    for c in datetime {
        let options = StrptimeOptions {
            format: Some("%Y-%m-%dT%H:%M:%S%#z".into()),
            ..Default::default()
        };
        df = df
            .lazy()
            .with_column(col(*c).str().to_datetime(
                Some(TimeUnit::Milliseconds),
                Some(TimeZone::UTC),
                options,
                lit("raise"),
            ))
            .collect()
            .unwrap();
        assert_eq!(
            df.column(c).unwrap().null_count(),
            0,
            "fixture timestamps must parse"
        );
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let f = std::fs::File::create(path).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
}

/// A weekly hub-stats series with the quirks of real snapshots:
/// - 2022-02-20 and 2022-02-27: old layout (tags as a string, cardData as
///   JSON text, createdAt as text, no safetensors/gguf/baseModels);
/// - 2022-03-06 and 2022-03-13: new layout (structs, lists, timestamps,
///   an unknown extra column);
/// - Llama's counter dips (150 -> 140) then recovers (200);
/// - the GGUF model is missing from the two middle snapshots;
/// - `user/new-model` appears in week 3 and has a duplicate row in week 4;
/// - every model older than March 2022 reports the clamp date 2022-03-02.
pub fn weekly_snapshots(dir: &Path) -> PathBuf {
    let root = dir.join("snapshots");
    let old = |date: &str, rows: Vec<Value>| {
        write_parquet_rows(
            &root.join(format!("models/{date}/models.parquet")),
            &rows,
            &[],
        );
    };
    let llama_old = |n: u64| {
        json!({"id": "meta-llama/Llama-2-7b-hf", "author": "meta-llama", "downloadsAllTime": n,
               "createdAt": "2022-03-02T00:00:00.000Z", "tags": "['transformers', 'license:llama2']",
               "pipeline_tag": "text-generation",
               "cardData": "{\"license\": \"llama2\", \"language\": [\"en\"]}"})
    };
    let gguf_old = |n: u64| {
        json!({"id": "TheBloke/Llama-2-7B-GGUF", "author": "TheBloke", "downloadsAllTime": n,
               "createdAt": "2022-03-02T00:00:00.000Z", "tags": "gguf, base_model:meta-llama/Llama-2-7b-hf",
               "pipeline_tag": "text-generation", "cardData": null})
    };
    old("2022-02-20", vec![llama_old(100), gguf_old(10)]);
    old("2022-02-27", vec![llama_old(150)]);
    let llama_new = |n: u64| {
        json!({"id": "meta-llama/Llama-2-7b-hf", "author": "meta-llama", "downloadsAllTime": n, "downloads": 50,
               "likes": 10, "createdAt": "2022-03-02T00:00:00Z", "tags": ["transformers", "license:llama2"],
               "pipeline_tag": "text-generation", "library_name": "transformers",
               "safetensors": {"parameters": {"F16": 6738415616u64}, "total": 6738415616u64},
               "gguf": null, "baseModels": null,
               "cardData": "{\"license\": \"llama2\", \"language\": [\"en\"]}",
               "config": {"architectures": ["LlamaForCausalLM"], "model_type": "llama"},
               "siblings": [{"rfilename": "config.json"}], "gated": "manual", "trendingScore": 3,
               "weird_extra": "x"})
    };
    let gguf_new = |n: u64| {
        json!({"id": "TheBloke/Llama-2-7B-GGUF", "author": "TheBloke", "downloadsAllTime": n, "downloads": 9,
               "likes": 2, "createdAt": "2022-03-02T00:00:00Z",
               "tags": ["gguf", "base_model:meta-llama/Llama-2-7b-hf", "base_model:quantized:meta-llama/Llama-2-7b-hf"],
               "pipeline_tag": "text-generation", "library_name": null, "safetensors": null,
               "gguf": {"total": 6738415616u64, "architecture": "llama", "context_length": 4096},
               "baseModels": {"relation": "quantized", "models": [{"_id": "abc", "id": "meta-llama/Llama-2-7b-hf"}]},
               "cardData": null, "config": null,
               "siblings": [{"rfilename": "llama-2-7b.Q4_K_M.gguf"}], "gated": "False", "trendingScore": 1,
               "weird_extra": "y"})
    };
    let new_model = |n: u64| {
        json!({"id": "user/new-model", "author": "user", "downloadsAllTime": n, "downloads": 1,
               "likes": 0, "createdAt": "2022-03-05T10:00:00Z", "tags": ["peft"],
               "pipeline_tag": null, "library_name": "peft", "safetensors": null, "gguf": null,
               "baseModels": null,
               "cardData": "{\"base_model\": \"meta-llama/Llama-2-7b-hf\", \"datasets\": [\"tatsu-lab/alpaca\"]}",
               "config": null, "siblings": [{"rfilename": "adapter_config.json"}], "gated": "False",
               "trendingScore": 0, "weird_extra": "z"})
    };
    let new = |date: &str, rows: Vec<Value>| {
        write_parquet_rows(
            &root.join(format!("models/{date}/models.parquet")),
            &rows,
            &["createdAt"],
        );
    };
    new("2022-03-06", vec![llama_new(140), new_model(5)]);
    new(
        "2022-03-13",
        vec![llama_new(200), gguf_new(40), new_model(9), new_model(7)],
    );
    root
}

/// A release file: two models over three weeks with annotations.
pub fn release_file(dir: &Path) -> PathBuf {
    let path = dir.join("release/all_downloads_with_annotations.parquet");
    let row = |model: &str,
               author: &str,
               time: &str,
               n: u64,
               org: &str,
               country: &str,
               group: &str| {
        json!({"_id": "x", "model": model, "author": author, "time": time, "created": "2023-01-02",
               "downloadsAllTime": n, "annotator": "a", "org_model": "o", "org_type": org,
               "org_country": [country], "derived_author": "Qwen", "org_country_single": country,
               "derived_org_country": ["China"], "derived_org_country_single": "China",
               "merged_country_groups_single": group, "merged_derived_country_groups_single": "China",
               "merged_derived_from": ["Qwen/Qwen2.5-7B"], "merged_languages": ["en", "zh"],
               "merged_modality": "Text → Text", "__index_level_0__": 1})
    };
    let rows = vec![
        row(
            "Qwen/Qwen2.5-7B-Instruct",
            "Qwen",
            "2024-01-07",
            100,
            "Industry",
            "China",
            "China",
        ),
        row(
            "Qwen/Qwen2.5-7B-Instruct",
            "Qwen",
            "2024-01-14",
            300,
            "Industry",
            "China",
            "China",
        ),
        row(
            "bartowski/Qwen2.5-7B-Instruct-GGUF",
            "bartowski",
            "2024-01-07",
            5,
            "User",
            "",
            "User",
        ),
        row(
            "bartowski/Qwen2.5-7B-Instruct-GGUF",
            "bartowski",
            "2024-01-14",
            8,
            "User",
            "",
            "User",
        ),
        row(
            "bartowski/Qwen2.5-7B-Instruct-GGUF",
            "bartowski",
            "2024-01-21",
            20,
            "User",
            "",
            "User",
        ),
    ];
    write_parquet_rows(&path, &rows, &[]);
    path
}

/// One API page (a JSON array of models as `GET /api/models?expand[]=...`
/// returns them).
pub fn api_page(dir: &Path) -> PathBuf {
    let path = dir.join("api/page-0000.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let page = json!([
        {"_id": "1", "id": "google/gemma-2-2b", "author": "google", "downloads": 1000, "downloadsAllTime": 50000,
         "likes": 5, "createdAt": "2024-07-16T00:00:00.000Z", "lastModified": "2024-08-01T00:00:00.000Z",
         "tags": ["transformers", "license:gemma"], "pipeline_tag": "text-generation",
         "library_name": "transformers", "safetensors": {"parameters": {"BF16": 2614341888u64}, "total": 2614341888u64},
         "cardData": {"license": "gemma"}, "config": {"architectures": ["Gemma2ForCausalLM"], "model_type": "gemma2"},
         "gated": "manual"},
        {"_id": "2", "id": "mlx-community/gemma-2-2b-4bit", "author": "mlx-community", "downloads": 10,
         "downloadsAllTime": 70, "createdAt": "2024-07-20T00:00:00.000Z", "tags": ["mlx"],
         "cardData": {"base_model": "google/gemma-2-2b"}}
    ]);
    std::fs::write(&path, serde_json::to_vec_pretty(&page).unwrap()).unwrap();
    path
}

/// The curated annotation table shipped with the workspace.
pub fn annotations() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/annotations/developers.csv")
}
