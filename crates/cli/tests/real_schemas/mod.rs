//! The public sources in their real column types, written by the tests:
//! the annotated release (`mmpr/open_model_evolution_data`) as its viewer
//! shows it, and hub-stats snapshots (`cfahlgren1/hub-stats`, copied weekly
//! into `hfmlsoc/hub_weekly_snapshots`) as they were in 2024, 2025 and 2026.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use hubecon_ingest::columns::{counts, dates, text_lists, texts};
use hubecon_ingest::load_dataset;
use polars::prelude::*;
use serde_json::{Value, json};

use crate::{d, day, model_row, ok, prepare, text, weeks_of};

/// `rows` as a frame, each column then cast to its real type.
fn frame(rows: &[Value], types: &[(&str, DataType)]) -> DataFrame {
    let ndjson: String = rows.iter().map(|r| format!("{r}\n")).collect();
    let mut df = JsonReader::new(Cursor::new(ndjson.into_bytes()))
        .with_json_format(JsonFormat::JsonLines)
        .infer_schema_len(None)
        .finish()
        .unwrap();
    for (name, dtype) in types {
        let is_text = df.column(name).unwrap().dtype() == &DataType::String;
        let expr = match dtype {
            DataType::Datetime(unit, zone) if is_text => col(*name).str().to_datetime(
                Some(*unit),
                zone.clone(),
                StrptimeOptions {
                    format: Some("%Y-%m-%dT%H:%M:%S".into()),
                    ..Default::default()
                },
                lit("raise"),
            ),
            _ => col(*name).cast(dtype.clone()),
        };
        df = df.lazy().with_column(expr).collect().unwrap();
        assert_eq!(df.column(name).unwrap().dtype(), dtype, "{name}");
    }
    df
}

fn write(path: &Path, mut df: DataFrame) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let f = std::fs::File::create(path).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
}

fn strings() -> DataType {
    DataType::List(Box::new(DataType::String))
}

/// The release as published: `time` timestamp[ns] without a zone on any
/// weekday, `created` timestamp[us, UTC], `annotator` float64, countries and
/// parents as lists, org types in lower case, the modality written both
/// "Text → Text" and "Text --> Text", and an org type and a country group
/// outside our vocabulary.
fn release(dir: &Path) -> PathBuf {
    let row = |model: &str,
               author: &str,
               time: &str,
               n: i64,
               org: &str,
               group: &str,
               modality: &str| {
        json!({"model": model, "author": author, "time": time, "created": "2024-11-04T09:30:00",
               "downloadsAllTime": n, "annotator": null, "org_type": org,
               "org_country": [group], "org_country_single": group,
               "merged_country_groups_single": group,
               "derived_author": "Qwen", "derived_org_country": ["China"],
               "derived_org_country_single": "China", "merged_derived_country_groups_single": "China",
               "merged_derived_from": ["Qwen/Qwen2.5-7B"], "merged_languages": ["en", "zh"],
               "merged_modality": modality})
    };
    let rows = vec![
        // Wednesday, then Thursday a week later, then a Tuesday.
        row(
            "Qwen/Qwen2.5-7B-Instruct",
            "Qwen",
            "2025-02-26T00:00:00",
            9_000_000,
            "industry",
            "China",
            "Text → Text",
        ),
        row(
            "Qwen/Qwen2.5-7B-Instruct",
            "Qwen",
            "2025-03-06T00:00:00",
            9_400_000,
            "industry",
            "China",
            "Text → Text",
        ),
        row(
            "Qwen/Qwen2.5-7B-Instruct",
            "Qwen",
            "2025-03-11T00:00:00",
            9_500_000,
            "industry",
            "China",
            "Text → Text",
        ),
        row(
            "someone/Qwen2.5-7B-merge",
            "someone",
            "2025-03-06T00:00:00",
            700,
            "user",
            "User",
            "Text --> Text",
        ),
        row(
            "someone/Qwen2.5-7B-merge",
            "someone",
            "2025-03-11T00:00:00",
            900,
            "user",
            "User",
            "Text --> Text",
        ),
        row(
            "lab/new-model",
            "lab",
            "2025-03-11T00:00:00",
            50,
            "startup studio",
            "Atlantis",
            "Text --> Text",
        ),
    ];
    let path = dir.join("release/all_downloads_with_annotations.parquet");
    let df = frame(
        &rows,
        &[
            ("time", DataType::Datetime(TimeUnit::Nanoseconds, None)),
            (
                "created",
                DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
            ),
            ("annotator", DataType::Float64),
            ("org_country", strings()),
            ("derived_org_country", strings()),
            ("merged_derived_from", strings()),
            ("merged_languages", strings()),
        ],
    );
    write(&path, df);
    path
}

#[test]
fn the_release_in_its_real_dtypes_prepares_whole() {
    let tmp = tempfile::tempdir().unwrap();
    release(tmp.path());
    let out = tmp.path().join("prepared");
    ok(&prepare(&[&tmp.path().join("release")], &out, &[]));
    // The first time (a Wednesday) is the baseline; a Thursday and a
    // Tuesday fall in the weeks of their own Mondays.
    assert_eq!(
        weeks_of(&out, "Qwen/Qwen2.5-7B-Instruct"),
        vec![(d("2025-03-03"), 400_000), (d("2025-03-10"), 100_000)]
    );
    // Created inside the span (2024-11-04 is before it, so a baseline) ...
    let qwen = model_row(&out, "Qwen/Qwen2.5-7B-Instruct");
    assert_eq!(
        dates(&qwen, "created_at").unwrap()[0].map(day),
        Some(d("2024-11-04")),
        "created is timestamp[us, UTC]"
    );
    // ... and both spellings of the modality read the same.
    let merge = model_row(&out, "someone/Qwen2.5-7B-merge");
    assert_eq!(
        text(&merge, "modality"),
        text(&qwen, "modality"),
        "\"Text --> Text\" and \"Text → Text\" are one modality"
    );
    assert!(text(&qwen, "modality").is_some());
    assert_eq!(
        text_lists(&merge, "release_parents").unwrap()[0],
        vec!["Qwen/Qwen2.5-7B"]
    );

    let ds = load_dataset(&out).unwrap();
    let authors = texts(&ds.developers, "author").unwrap();
    let of = |c: &str, a: &str| {
        let i = authors
            .iter()
            .position(|x| x.as_deref() == Some(a))
            .unwrap();
        texts(&ds.developers, c).unwrap()[i].clone()
    };
    assert_eq!(of("org_type", "someone").as_deref(), Some("user"));
    assert_eq!(of("org_type", "Qwen").as_deref(), Some("industry"));
    // Outside the vocabulary: kept as the source said it, and listed.
    assert_eq!(of("org_type", "lab").as_deref(), Some("unknown"));
    assert_eq!(
        of("reported_org_type", "lab").as_deref(),
        Some("startup studio")
    );
    assert_eq!(
        of("reported_country_group", "lab").as_deref(),
        Some("Atlantis")
    );
    let unmapped = &ds.manifest["annotations"]["unmapped_values"];
    assert_eq!(unmapped["org_type: startup studio"], 1, "{unmapped}");
    assert_eq!(unmapped["country_group: Atlantis"], 1, "{unmapped}");
}

#[test]
fn the_release_one_year_counters_are_kept_per_model_to_compare_with() {
    let tmp = tempfile::tempdir().unwrap();
    release(tmp.path());
    // one_year_rolling.parquet: the release's columns and dtypes, each
    // counter cut one year after creation (rows in any order).
    let rows = [
        ("someone/Qwen2.5-7B-merge", "2025-03-11T00:00:00", 640),
        ("someone/Qwen2.5-7B-merge", "2025-03-06T00:00:00", 600),
        ("lab/new-model", "2025-03-11T00:00:00", 50),
    ]
    .map(|(model, time, n)| {
        json!({"model": model, "author": model.split('/').next(), "time": time,
               "created": "2024-11-04T09:30:00", "downloadsAllTime": n})
    });
    let df = frame(
        &rows,
        &[
            ("time", DataType::Datetime(TimeUnit::Nanoseconds, None)),
            (
                "created",
                DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
            ),
        ],
    );
    write(&tmp.path().join("release/one_year_rolling.parquet"), df);
    let out = tmp.path().join("prepared");
    ok(&prepare(&[&tmp.path().join("release")], &out, &[]));
    let first_year =
        |id: &str| counts(&model_row(&out, id), "release_first_year_downloads").unwrap()[0];
    assert_eq!(
        first_year("someone/Qwen2.5-7B-merge"),
        Some(640),
        "the largest counter"
    );
    assert_eq!(first_year("lab/new-model"), Some(50));
    assert_eq!(
        first_year("Qwen/Qwen2.5-7B-Instruct"),
        None,
        "not in the file"
    );
    // The rolling counters are not downloads: the weeks are the main file's.
    assert_eq!(
        weeks_of(&out, "someone/Qwen2.5-7B-merge"),
        vec![(d("2025-03-10"), 200)]
    );
}

/// A hub-stats row of `model` with the columns every copy has.
fn base_row(model: &str, counter: i64, created: &str) -> Value {
    json!({"id": model, "author": model.split('/').next().unwrap(), "downloads": 10, "likes": 1,
           "downloadsAllTime": counter, "createdAt": created, "lastModified": created,
           "pipeline_tag": "text-generation", "library_name": "transformers",
           "tags": ["transformers", "safetensors", "base_model:finetune:meta-llama/Llama-3.1-8B"],
           "cardData": "{\"license\": \"other\", \"license_name\": \"llama3.1\", \"language\": [\"en\"], \"base_model\": \"meta-llama/Llama-3.1-8B\"}",
           "config": "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\"}",
           "siblings": [{"rfilename": "config.json"}, {"rfilename": "model.safetensors"}]})
}

/// Three snapshots of one model in the layouts of 2024 (no safetensors, no
/// baseModels), 2025 (safetensors with its parameters as a map, which
/// polars reads as a list of key/value structs; baseModels with its
/// models as `{_id, id}`) and 2026 (columns we do not know yet).
fn snapshots(dir: &Path) -> PathBuf {
    let root = dir.join("hub_weekly_snapshots");
    let model = "acme/Llama-3.1-8B-sft";
    let dated = |rows: Vec<Value>| {
        frame(
            &rows,
            &[
                (
                    "createdAt",
                    DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)),
                ),
                (
                    "lastModified",
                    DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC)),
                ),
            ],
        )
    };
    let r2024 = base_row(model, 1_000, "2024-05-01T10:00:00");
    write(
        &root.join("models/2024-07-28/models.parquet"),
        dated(vec![r2024]),
    );
    let mut r2025 = base_row(model, 1_500, "2024-05-01T10:00:00");
    r2025["safetensors"] = json!({"parameters": [{"key": "BF16", "value": 8_030_261_248i64},
                                                  {"key": "F32", "value": 1_000i64}],
                                   "total": null});
    r2025["baseModels"] = json!({"relation": "finetune",
                                 "models": [{"_id": "66a", "id": "meta-llama/Llama-3.1-8B"}]});
    r2025["trendingScore"] = json!(0);
    write(
        &root.join("models/2025-06-01/models.parquet"),
        dated(vec![r2025.clone()]),
    );
    let mut r2026 = r2025;
    r2026["downloadsAllTime"] = json!(2_100);
    r2026["xetEnabled"] = json!(true);
    r2026["inferenceProviderMapping"] = json!("[]");
    write(
        &root.join("models/2026-01-04/models.parquet"),
        dated(vec![r2026]),
    );
    root
}

#[test]
fn hub_stats_snapshots_of_2024_2025_and_2026_read_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let root = snapshots(tmp.path());
    let out = tmp.path().join("prepared");
    ok(&prepare(&[&root], &out, &[]));
    let model = "acme/Llama-3.1-8B-sft";
    assert_eq!(
        weeks_of(&out, model),
        vec![(d("2025-05-26"), 500), (d("2025-12-29"), 600)]
    );
    let m = model_row(&out, model);
    let count = |c: &str| {
        m.column(c)
            .unwrap()
            .cast(&DataType::UInt64)
            .unwrap()
            .u64()
            .unwrap()
            .get(0)
    };
    assert_eq!(count("pre_series_downloads"), Some(1_000));
    assert_eq!(
        count("safetensors_params"),
        Some(8_030_262_248),
        "the parameters map is summed when total is null"
    );
    assert_eq!(text(&m, "declared_relation").as_deref(), Some("finetune"));
    assert_eq!(
        text(&m, "declared_evidence").as_deref(),
        Some("baseModels.relation")
    );
    assert_eq!(
        text_lists(&m, "declared_parents").unwrap()[0],
        vec!["meta-llama/Llama-3.1-8B"]
    );
    assert_eq!(text(&m, "license").as_deref(), Some("other"));
    assert_eq!(
        text_lists(&m, "architectures").unwrap()[0],
        vec!["LlamaForCausalLM"]
    );
    let ds = load_dataset(&out).unwrap();
    let inputs = ds.manifest["inputs"].to_string();
    assert!(
        inputs.contains("xetEnabled") && inputs.contains("inferenceProviderMapping"),
        "columns we do not use are listed: {inputs}"
    );
}
