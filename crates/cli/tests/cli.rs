//! End-to-end tests of the `hubecon` binary on fixtures the tests write.

mod fixtures;
mod hostile;
mod readers;
mod real_schemas;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use hubecon_ingest::columns::{dates, text_lists, texts};
use hubecon_ingest::load_dataset;
use polars::prelude::*;

fn hubecon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hubecon"))
        .args(args)
        .env_remove("CI")
        .output()
        .expect("run hubecon")
}

fn prepare(inputs: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let ann = fixtures::annotations();
    let mut args: Vec<String> = vec!["prepare".into()];
    for i in inputs {
        args.push("--input".into());
        args.push(i.display().to_string());
    }
    args.extend([
        "--out".into(),
        out.display().to_string(),
        "--annotations".into(),
        ann.display().to_string(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    hubecon(&refs)
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn day(days: i32) -> NaiveDate {
    hubecon_ingest::week::from_epoch_days(days)
}

/// (week, downloads) of one model.
fn weeks_of(dir: &Path, model: &str) -> Vec<(NaiveDate, u64)> {
    let ds = load_dataset(dir).unwrap();
    let df = ds
        .downloads
        .lazy()
        .filter(col("model_id").eq(lit(model)))
        .collect()
        .unwrap();
    let w = dates(&df, "week").unwrap();
    let n: Vec<u64> = df
        .column("downloads")
        .unwrap()
        .u64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    w.into_iter().map(|x| day(x.unwrap())).zip(n).collect()
}

/// One model's row as (column -> value as text).
fn model_row(dir: &Path, model: &str) -> DataFrame {
    let ds = load_dataset(dir).unwrap();
    ds.models
        .lazy()
        .filter(col("model_id").eq(lit(model)))
        .collect()
        .unwrap()
}

fn text(df: &DataFrame, c: &str) -> Option<String> {
    texts(df, c).unwrap().remove(0)
}

#[test]
fn weekly_snapshots_become_weekly_downloads_with_every_rule_applied() {
    let tmp = tempfile::tempdir().unwrap();
    let snaps = fixtures::weekly_snapshots(tmp.path());
    let out = tmp.path().join("prepared");
    let o = prepare(&[&snaps], &out, &[]);
    ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("read as hub-stats"), "{stdout}");

    // Counter 100, 150, 140 (dip), 200: the first counter is pre-series
    // history, the dip gives no week, nothing is counted twice.
    assert_eq!(
        weeks_of(&out, "meta-llama/Llama-2-7b-hf"),
        vec![(d("2022-02-21"), 50), (d("2022-03-07"), 50)]
    );
    // Missing from two snapshots: the gap's growth lands when it reappears.
    assert_eq!(
        weeks_of(&out, "TheBloke/Llama-2-7B-GGUF"),
        vec![(d("2022-03-07"), 30)]
    );
    let pre_series = |model: &str| {
        model_row(&out, model)
            .column("pre_series_downloads")
            .unwrap()
            .u64()
            .unwrap()
            .get(0)
    };
    assert_eq!(pre_series("meta-llama/Llama-2-7b-hf"), Some(100));
    assert_eq!(pre_series("TheBloke/Llama-2-7B-GGUF"), Some(10));
    assert_eq!(
        pre_series("user/new-model"),
        Some(0),
        "created inside the span"
    );
    // Duplicate rows in one snapshot (9 and 7) keep the larger counter.
    assert_eq!(
        weeks_of(&out, "user/new-model"),
        vec![(d("2022-02-28"), 5), (d("2022-03-07"), 4)]
    );

    let llama = model_row(&out, "meta-llama/Llama-2-7b-hf");
    assert_eq!(
        dates(&llama, "created_at").unwrap()[0].map(day),
        Some(d("2022-02-20")),
        "clamp undone by first observation"
    );
    assert!(
        llama
            .column("created_at_clamped")
            .unwrap()
            .bool()
            .unwrap()
            .get(0)
            .unwrap()
    );
    assert_eq!(
        llama
            .column("safetensors_params")
            .unwrap()
            .u64()
            .unwrap()
            .get(0),
        Some(6_738_415_616)
    );
    assert_eq!(text(&llama, "license").as_deref(), Some("llama2"));
    assert_eq!(text_lists(&llama, "languages").unwrap()[0], vec!["en"]);
    assert_eq!(
        text_lists(&llama, "architectures").unwrap()[0],
        vec!["LlamaForCausalLM"]
    );
    assert!(
        llama
            .column("gated")
            .unwrap()
            .bool()
            .unwrap()
            .get(0)
            .unwrap()
    );
    assert_eq!(text(&llama, "relation").as_deref(), Some("original"));
    assert_eq!(text(&llama, "relation_source").as_deref(), Some("none"));

    let gguf = model_row(&out, "TheBloke/Llama-2-7B-GGUF");
    assert_eq!(
        text(&gguf, "declared_relation").as_deref(),
        Some("quantized")
    );
    assert_eq!(
        text(&gguf, "declared_evidence").as_deref(),
        Some("baseModels.relation")
    );
    assert_eq!(
        text_lists(&gguf, "declared_parents").unwrap()[0],
        vec!["meta-llama/Llama-2-7b-hf"]
    );
    assert_eq!(
        gguf.column("gguf_params").unwrap().u64().unwrap().get(0),
        Some(6_738_415_616)
    );

    let adapter = model_row(&out, "user/new-model");
    assert_eq!(
        dates(&adapter, "created_at").unwrap()[0].map(day),
        Some(d("2022-03-05"))
    );
    assert!(
        !adapter
            .column("created_at_clamped")
            .unwrap()
            .bool()
            .unwrap()
            .get(0)
            .unwrap()
    );
    assert_eq!(
        text(&adapter, "declared_evidence").as_deref(),
        Some("card:base_model")
    );
    assert_eq!(
        text_lists(&adapter, "datasets").unwrap()[0],
        vec!["tatsu-lab/alpaca"]
    );
    assert_eq!(
        text_lists(&adapter, "files").unwrap()[0],
        vec!["adapter_config.json"]
    );

    // Lineage and attributes are derived during prepare.
    assert_eq!(text(&adapter, "relation").as_deref(), Some("adapter"));
    assert_eq!(
        text(&adapter, "relation_evidence").as_deref(),
        Some("card:base_model+rule:adapter")
    );
    assert_eq!(text(&gguf, "relation").as_deref(), Some("quantized"));
    assert_eq!(
        text(&gguf, "family_root").as_deref(),
        Some("meta-llama/Llama-2-7b-hf")
    );
    assert_eq!(text(&gguf, "derived_author").as_deref(), Some("meta-llama"));
    assert_eq!(
        llama.column("params").unwrap().u64().unwrap().get(0),
        Some(6_738_415_616)
    );

    let ds = load_dataset(&out).unwrap();
    let m = &ds.manifest;
    assert_eq!(m["lineage"]["report"]["models"], 3);
    assert_eq!(m["weekly_history"], true);
    assert_eq!(m["snapshots"], 4);
    assert_eq!(m["rules"]["duplicate_rows_dropped"], 1);
    assert_eq!(m["rules"]["counter_decreases"], 1);
    assert_eq!(m["rules"]["models_with_gaps"], 1);
    assert_eq!(m["rules"]["missing_observations"], 2);
    assert_eq!(m["rules"]["created_at_clamped"], 2);
    let ignored = m["inputs"][3]["ignored_columns"].as_array().unwrap();
    assert!(
        ignored.iter().any(|c| c == "weird_extra") && ignored.iter().any(|c| c == "trendingScore"),
        "{ignored:?}"
    );
    assert_eq!(m["inputs"][3]["sha256"].as_str().unwrap().len(), 64);

    let devs = ds.developers;
    let authors = texts(&devs, "author").unwrap();
    let groups = texts(&devs, "country_group").unwrap();
    let group = |a: &str| {
        groups[authors
            .iter()
            .position(|x| x.as_deref() == Some(a))
            .unwrap()]
        .clone()
    };
    assert_eq!(group("meta-llama").as_deref(), Some("USA"));
    assert_eq!(group("TheBloke").as_deref(), Some("User"));
    assert_eq!(group("user").as_deref(), Some("Unknown"), "never guessed");
}

#[test]
fn reruns_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let snaps = fixtures::weekly_snapshots(tmp.path());
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    ok(&prepare(&[&snaps], &a, &[]));
    ok(&prepare(&[&snaps], &b, &[]));
    ok(&prepare(&[&snaps], &a, &[])); // over an existing dataset
    for f in [
        "models.parquet",
        "downloads.parquet",
        "developers.parquet",
        "manifest.json",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn the_release_gives_downloads_lineage_and_annotations_that_win() {
    let tmp = tempfile::tempdir().unwrap();
    fixtures::release_file(tmp.path());
    let out = tmp.path().join("prepared");
    let o = prepare(&[&tmp.path().join("release")], &out, &[]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("read as release"));
    assert_eq!(
        weeks_of(&out, "bartowski/Qwen2.5-7B-Instruct-GGUF"),
        vec![(d("2024-01-08"), 3), (d("2024-01-15"), 12)],
        "the first release counter is the baseline"
    );
    let m = model_row(&out, "bartowski/Qwen2.5-7B-Instruct-GGUF");
    assert_eq!(text(&m, "release_derived_author").as_deref(), Some("Qwen"));
    assert_eq!(text(&m, "release_modality").as_deref(), Some("Text → Text"));
    assert_eq!(
        text_lists(&m, "release_parents").unwrap()[0],
        vec!["Qwen/Qwen2.5-7B"]
    );
    assert_eq!(text_lists(&m, "languages").unwrap()[0], vec!["en", "zh"]);
    assert_eq!(
        dates(&m, "created_at").unwrap()[0].map(day),
        Some(d("2023-01-02"))
    );
    let ds = load_dataset(&out).unwrap();
    let src = texts(&ds.developers, "annotation_source").unwrap();
    let authors = texts(&ds.developers, "author").unwrap();
    let of = |a: &str| {
        src[authors
            .iter()
            .position(|x| x.as_deref() == Some(a))
            .unwrap()]
        .clone()
    };
    assert_eq!(of("Qwen").as_deref(), Some("release"));
    assert_eq!(of("bartowski").as_deref(), Some("release"));
}

#[test]
fn an_api_listing_is_a_one_date_snapshot_without_weekly_history() {
    let tmp = tempfile::tempdir().unwrap();
    let page = fixtures::api_page(tmp.path());
    let out = tmp.path().join("prepared");
    ok(&prepare(&[page.parent().unwrap()], &out, &[]));
    // Dated by the newest lastModified (2024-08-01): one date, so every
    // counter is a baseline and there is no week.
    assert_eq!(weeks_of(&out, "google/gemma-2-2b"), vec![]);
    let gemma = model_row(&out, "google/gemma-2-2b");
    let counter = |c: &str| gemma.column(c).unwrap().u64().unwrap().get(0);
    assert_eq!(counter("pre_series_downloads"), Some(50_000));
    assert_eq!(counter("downloads_all_time"), Some(50_000));
    assert_eq!(
        dates(&gemma, "first_observed").unwrap()[0].map(day),
        Some(d("2024-08-01"))
    );
    let ds = load_dataset(&out).unwrap();
    assert_eq!(ds.manifest["weekly_history"], false);
    let notes = ds.manifest["notes"].to_string();
    assert!(notes.contains("no weekly history"), "{notes}");
    assert!(notes.contains("there are no weekly downloads"), "{notes}");
    let mlx = model_row(&out, "mlx-community/gemma-2-2b-4bit");
    assert_eq!(
        text_lists(&mlx, "declared_parents").unwrap()[0],
        vec!["google/gemma-2-2b"]
    );
    // An explicit date wins.
    let out2 = tmp.path().join("prepared2");
    ok(&prepare(
        &[&page],
        &out2,
        &["--snapshot-date", "2024-09-01"],
    ));
    let gemma = model_row(&out2, "google/gemma-2-2b");
    assert_eq!(
        dates(&gemma, "first_observed").unwrap()[0].map(day),
        Some(d("2024-09-01"))
    );
}

/// The API's default answer and `list_models()` have no `downloadsAllTime`:
/// the models, lineage and attributes are still prepared, with null
/// counters and no weekly downloads.
#[test]
fn a_listing_without_all_time_downloads_still_prepares_its_models() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("api");
    std::fs::create_dir_all(&dir).unwrap();
    let page = serde_json::json!([
        {"id": "google/gemma-2-2b", "author": "google", "downloads": 1200, "likes": 5,
         "createdAt": "2024-07-16T00:00:00.000Z", "lastModified": "2024-08-01T00:00:00.000Z",
         "tags": ["transformers", "safetensors", "license:gemma"], "pipeline_tag": "text-generation",
         "library_name": "transformers"},
        {"id": "mlx-community/gemma-2-2b-4bit", "downloads": 30,
         "createdAt": "2024-07-20T00:00:00.000Z",
         "tags": ["mlx", "base_model:quantized:google/gemma-2-2b"]}
    ]);
    std::fs::write(dir.join("page-0000.json"), page.to_string()).unwrap();
    let out = tmp.path().join("prepared");
    ok(&prepare(&[&dir], &out, &[]));
    let ds = load_dataset(&out).unwrap();
    assert_eq!(ds.models.height(), 2);
    assert_eq!(ds.downloads.height(), 0);
    let mlx = model_row(&out, "mlx-community/gemma-2-2b-4bit");
    assert_eq!(text(&mlx, "relation").as_deref(), Some("quantized"));
    let counter = |c: &str| mlx.column(c).unwrap().u64().unwrap().get(0);
    assert_eq!(counter("downloads_all_time"), None);
    assert_eq!(counter("pre_series_downloads"), None);
    assert_eq!(counter("downloads_30d"), Some(30));
    let notes = ds.manifest["notes"].to_string();
    assert!(notes.contains("have no downloadsAllTime"), "{notes}");
}

/// huggingface_hub `ModelInfo` dumps: snake_case names and `siblings` as
/// printed objects are read; YAML card data is refused, never dropped.
#[test]
fn model_info_dumps_are_read_under_the_apis_names_or_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("info");
    std::fs::create_dir_all(&dir).unwrap();
    let info = |card: serde_json::Value| {
        serde_json::json!([{
            "id": "Qwen/Qwen2.5-7B", "author": "Qwen", "downloads": 10, "downloads_all_time": 900,
            "created_at": "2024-09-15 12:00:00+00:00", "last_modified": "2024-10-01 08:00:00+00:00",
            "card_data": card,
            "siblings": ["RepoSibling(rfilename='config.json', size=None, blob_id=None, lfs=None)",
                         {"rfilename": "model.safetensors", "size": 10}],
            "tags": ["safetensors"]
        }])
    };
    std::fs::write(
        dir.join("page-0000.json"),
        info(serde_json::json!({"license": "apache-2.0", "language": ["en"]})).to_string(),
    )
    .unwrap();
    let out = tmp.path().join("prepared");
    ok(&prepare(&[&dir], &out, &["--snapshot-date", "2024-10-06"]));
    let qwen = model_row(&out, "Qwen/Qwen2.5-7B");
    assert_eq!(
        dates(&qwen, "created_at").unwrap()[0].map(day),
        Some(d("2024-09-15")),
        "created_at is read, not replaced by the snapshot date"
    );
    assert_eq!(
        text_lists(&qwen, "files").unwrap()[0],
        vec!["config.json", "model.safetensors"]
    );
    assert_eq!(text(&qwen, "license").as_deref(), Some("apache-2.0"));

    std::fs::write(
        dir.join("page-0000.json"),
        info(serde_json::json!("license: apache-2.0\nlanguage:\n- en\n")).to_string(),
    )
    .unwrap();
    let o = prepare(
        &[&dir],
        &tmp.path().join("refused"),
        &["--snapshot-date", "2024-10-06"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("card_data") && err.contains("to_dict()"),
        "{err}"
    );
    assert!(!tmp.path().join("refused").exists(), "nothing half-written");
}

#[test]
fn snapshots_and_release_combine_in_one_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let snaps = fixtures::weekly_snapshots(tmp.path());
    fixtures::release_file(tmp.path());
    let out = tmp.path().join("prepared");
    ok(&prepare(&[&snaps, &tmp.path().join("release")], &out, &[]));
    let ds = load_dataset(&out).unwrap();
    assert_eq!(ds.models.height(), 5);
    assert_eq!(
        ds.manifest["source_kinds"],
        serde_json::json!(["hub-stats", "release"])
    );
}

// ---- bad input: exit 2, a message naming what is wrong, --out untouched ----

/// An existing prepared dataset whose files must survive a failed run.
fn existing_dataset(dir: &Path) -> PathBuf {
    let out = dir.join("existing");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("manifest.json"), "{\"sentinel\": true}\n").unwrap();
    out
}

fn fails_with(inputs: &[&Path], extra: &[&str], needles: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let out = existing_dataset(tmp.path());
    let o = prepare(inputs, &out, extra);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {stderr}");
    for n in needles {
        assert!(stderr.contains(n), "expected {n:?} in: {stderr}");
    }
    let files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(files.len(), 1, "--out changed: {files:?}");
    assert_eq!(
        std::fs::read_to_string(out.join("manifest.json")).unwrap(),
        "{\"sentinel\": true}\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".hubecon"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn a_file_that_is_not_parquet_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("models.parquet");
    std::fs::write(&p, "id,downloadsAllTime\na/b,1\n").unwrap();
    fails_with(&[&p], &[], &["models.parquet", "PAR1"]);
}

#[test]
fn a_truncated_parquet_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let snaps = fixtures::weekly_snapshots(tmp.path());
    let p = snaps.join("models/2022-03-13/models.parquet");
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    fails_with(&[&snaps], &[], &["2022-03-13", "truncated"]);
}

#[test]
fn an_empty_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("models.parquet");
    std::fs::write(&p, "").unwrap();
    fails_with(&[&p], &[], &["empty"]);
}

#[test]
fn a_missing_id_column_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("2024-01-07/models.parquet");
    fixtures::write_parquet_rows(
        &p,
        &[serde_json::json!({"name": "a/b", "downloadsAllTime": 1})],
        &[],
    );
    fails_with(
        &[&p],
        &["--format", "hub-stats"],
        &["`id`", "missing", "models.parquet"],
    );
    fails_with(
        &[&p],
        &[],
        &["cannot detect the format", "name, downloadsAllTime"],
    );
}

#[test]
fn a_missing_model_column_in_the_release_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("all_downloads_with_annotations.parquet");
    fixtures::write_parquet_rows(
        &p,
        &[serde_json::json!({"time": "2024-01-07", "downloadsAllTime": 1})],
        &[],
    );
    fails_with(&[&p], &["--format", "release"], &["`model`"]);
}

#[test]
fn a_column_of_the_wrong_type_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("2024-01-07/models.parquet");
    fixtures::write_parquet_rows(
        &p,
        &[serde_json::json!({"id": 12, "downloadsAllTime": 1})],
        &[],
    );
    fails_with(&[&p], &[], &["column `id`", "wrong type", "text"]);
    let q = tmp.path().join("x/2024-01-07/models.parquet");
    fixtures::write_parquet_rows(
        &q,
        &[serde_json::json!({"id": "a/b", "downloadsAllTime": "many"})],
        &[],
    );
    fails_with(
        &[&q],
        &[],
        &["column `downloadsAllTime`", "non-negative integer"],
    );
}

#[test]
fn a_date_that_does_not_parse_names_the_row_and_model() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("2024-01-07/models.parquet");
    let rows = [
        serde_json::json!({"id": "a/ok", "downloadsAllTime": 1, "createdAt": "2023-01-01T00:00:00Z"}),
        serde_json::json!({"id": "a/bad", "downloadsAllTime": 1, "createdAt": "last tuesday"}),
    ];
    fixtures::write_parquet_rows(&p, &rows, &[]);
    fails_with(
        &[&p],
        &[],
        &[
            "column `createdAt`",
            "row 1",
            "model `a/bad`",
            "last tuesday",
        ],
    );
}

#[test]
fn non_utf8_text_is_refused_with_its_place() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("page-0000.json");
    let mut bytes = b"[{\"id\": \"a/b\", \"downloadsAllTime\": 3, \"author\": \"".to_vec();
    bytes.extend([0xff, 0xfe]);
    bytes.extend(b"\"}]");
    std::fs::write(&page, bytes).unwrap();
    fails_with(&[&page], &[], &["page-0000.json", "UTF-8", "offset 49"]);

    let p = tmp.path().join("2024-01-07/models.parquet");
    let ids =
        BinaryChunked::from_slice("id".into(), &[b"ok/model".as_slice(), &[0x61, 0x2f, 0xff]]);
    let mut df = DataFrame::new(
        2,
        vec![
            ids.into_column(),
            UInt64Chunked::from_vec("downloadsAllTime".into(), vec![1, 2]).into_column(),
        ],
    )
    .unwrap();
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    fails_with(
        &[&p],
        &["--format", "hub-stats"],
        &["column `id`", "row 1", "UTF-8"],
    );
}

#[test]
fn an_unknown_format_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let page = fixtures::api_page(tmp.path());
    let o = prepare(&[&page], &tmp.path().join("out"), &["--format", "csv"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("unknown --format `csv`") && stderr.contains("hub-stats"),
        "{stderr}"
    );
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn a_malformed_api_page_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("page-0003.json");
    std::fs::write(
        &page,
        "[{\"id\": \"a/b\", \"downloadsAllTime\": 3}, {\"id\": ",
    )
    .unwrap();
    fails_with(&[&page], &[], &["page-0003.json", "truncated"]);
}

#[test]
fn a_directory_that_is_not_a_dataset_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let page = fixtures::api_page(tmp.path());
    let precious = tmp.path().join("precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("thesis.tex"), "x").unwrap();
    let o = prepare(&[&page], &precious, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(precious.join("thesis.tex").is_file());
}

// ---- compare ----

fn figures_with_size_ratio(dir: &Path, value: f64) {
    std::fs::create_dir_all(dir).unwrap();
    let doc = serde_json::json!({"analysis": "07_model_size", "synthetic": false, "tests": [],
        "numbers": {"size_ratio": {"value": value, "ci_low": value * 0.6, "ci_high": value * 1.5,
                                   "unit": "ratio", "description": "x"},
                    // The difference behind the ratio decides the direction.
                    "size_difference": {"value": 1.0e9, "ci_low": 5.0e8, "ci_high": 2.0e9,
                                        "p_value": 0.002, "unit": "parameters", "description": "x"}}});
    std::fs::write(dir.join("07_model_size.json"), doc.to_string()).unwrap();
}

#[test]
fn compare_lists_moves_and_strict_fails_when_a_claim_flips() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    figures_with_size_ratio(&a, 17.0);
    figures_with_size_ratio(&b, 3.0);
    let (a_s, b_s) = (a.display().to_string(), b.display().to_string());
    let o = hubecon(&["compare", "--baseline", &a_s, "--candidate", &b_s]);
    ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("07.size_ratio") && stdout.contains("YES"),
        "{stdout}"
    );
    assert!(stdout.contains("C6   holds -> does not hold"), "{stdout}");
    let o = hubecon(&[
        "compare",
        "--baseline",
        &a_s,
        "--candidate",
        &b_s,
        "--strict",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let o = hubecon(&[
        "compare",
        "--baseline",
        &a_s,
        "--candidate",
        &a_s,
        "--strict",
    ]);
    ok(&o);
    let o = hubecon(&[
        "compare",
        "--baseline",
        &tmp.path().display().to_string(),
        "--candidate",
        &a_s,
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("neither NN_*.json"));
}

#[test]
fn the_dashboard_without_the_analyses_outputs_is_bad_input_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dashboard.html");
    let o = hubecon(&[
        "dashboard",
        "--figures",
        &dir.path().display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("02_country_shares_monthly.csv") && err.contains("hubecon figures"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written on bad input");
}

/// A single-date listing has no weekly downloads: every analysis still
/// writes its files, every claim is "not measurable", the paper renders and
/// the dashboard is refused with the reason.
#[test]
fn a_single_date_listing_runs_every_stage_as_not_measurable() {
    let tmp = tempfile::tempdir().unwrap();
    let page = fixtures::api_page(tmp.path());
    let out = tmp.path().join("prepared");
    ok(&prepare(&[page.parent().unwrap()], &out, &[]));
    let figures = tmp.path().join("figures");
    let f = figures.display().to_string();
    ok(&hubecon(&[
        "figures",
        "--dataset",
        &out.display().to_string(),
        "--out",
        &f,
    ]));
    assert!(figures.join("13_significance.png").is_file());
    let svg = std::fs::read_to_string(figures.join("02_country_shares.svg")).unwrap();
    assert!(
        svg.contains("Not measurable on this data"),
        "the figure says why"
    );
    ok(&hubecon(&["claims", "--figures", &f]));
    let claims = std::fs::read_to_string(figures.join("claims.csv")).unwrap();
    assert_eq!(claims.matches(",not measurable,").count(), 13, "{claims}");
    let html = tmp.path().join("paper.html");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../paper/paper.md");
    ok(&hubecon(&[
        "paper",
        "--source",
        &source.display().to_string(),
        "--figures",
        &f,
        "--out",
        &html.display().to_string(),
    ]));
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(!text.contains("{{"), "a placeholder is left");
    assert!(
        text.contains("no weekly downloads"),
        "the paper names the span"
    );
    let d = hubecon(&[
        "dashboard",
        "--figures",
        &f,
        "--out",
        &tmp.path().join("d.html").display().to_string(),
    ]);
    assert_eq!(d.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&d.stderr).contains("no weekly downloads to explore"));
}

/// Outside the workspace root, reproduce refuses before writing anything
/// (it used to write the 89 MB sample, then fail at the annotations).
#[test]
fn reproduce_outside_the_workspace_refuses_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let here = tmp.path().join("paper");
    std::fs::create_dir_all(&here).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_hubecon"))
        .arg("reproduce")
        .current_dir(&here)
        .env_remove("CI")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("workspace root") && err.contains("developers.csv"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(&here).unwrap().count(),
        0,
        "nothing written"
    );
}

/// `--data` meant raw input, a prepared dataset or a figures folder
/// depending on the command: it is refused everywhere, naming the new word.
#[test]
fn the_old_data_option_is_refused_with_its_new_name() {
    for (cmd, new) in [
        ("figures", "--dataset"),
        ("claims", "--dataset"),
        ("serve", "--dataset"),
        ("dashboard", "--figures"),
        ("reproduce", "--input"),
        ("lineage-eval", "--dataset"),
        ("intermediaries", "--dataset"),
    ] {
        let o = hubecon(&[cmd, "--data", "somewhere"]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!("--data is now {new}")),
            "{cmd}: {err}"
        );
    }
}

/// A missing figures folder is the same mistake as a missing dataset:
/// exit 2 from every command that reads one.
#[test]
fn a_missing_figures_folder_exits_2_everywhere() {
    let missing = "/nonexistent/figures";
    for args in [
        vec!["claims", "--figures", missing],
        vec!["paper", "--figures", missing],
        vec!["compare", "--baseline", missing, "--candidate", missing],
        vec!["dashboard", "--figures", missing],
    ] {
        let o = hubecon(&args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// `lineage-eval --folds K` on a prepared API listing in the Hub's layout
/// (the lineage crate's fixture): the table on stdout, the same figures in JSON.
#[test]
fn lineage_eval_hides_each_fold_and_writes_table_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lineage/tests/fixtures/hub-2024-09");
    let out = tmp.path().join("prepared");
    ok(&prepare(&[&rows], &out, &["--snapshot-date", "2024-09-01"]));
    let json = tmp.path().join("eval.json");
    let o = hubecon(&[
        "lineage-eval",
        "--dataset",
        out.to_str().unwrap(),
        "--folds",
        "3",
        "--json",
        json.to_str().unwrap(),
    ]);
    ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("3 folds: "), "{stdout}");
    assert!(
        stdout.contains("first inferred parent is a declared parent"),
        "{stdout}"
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["folds"], 3);
    let evaluated = report["evaluated"].as_u64().unwrap();
    let confusion: u64 = report["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()))
        .sum();
    // Every declaring model is hidden exactly once.
    assert_eq!(confusion, evaluated);
    assert!(evaluated > 90, "{evaluated}");
    let bad = hubecon(&[
        "lineage-eval",
        "--dataset",
        out.to_str().unwrap(),
        "--folds",
        "0",
    ]);
    assert!(!bad.status.success());
}

/// `license: other` with a non-commercial `license_name` is restricted, not
/// open weights: prepare carries the card's name and link to openness.
#[test]
fn a_custom_non_commercial_licence_is_read_from_the_card() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("api");
    std::fs::create_dir_all(&dir).unwrap();
    let page = serde_json::json!([
        {"id": "LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct", "downloadsAllTime": 10,
         "createdAt": "2024-12-06T00:00:00.000Z", "tags": ["transformers", "safetensors"],
         "cardData": {"license": "other", "license_name": "exaone",
                      "license_link": "LICENSE"}}
    ]);
    std::fs::write(dir.join("page-0000.json"), page.to_string()).unwrap();
    let out = tmp.path().join("prepared");
    ok(&prepare(&[&dir], &out, &["--snapshot-date", "2025-01-05"]));
    let m = model_row(&out, "LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct");
    assert_eq!(text(&m, "license_name").as_deref(), Some("exaone"));
    assert_eq!(text(&m, "license_link").as_deref(), Some("LICENSE"));
    assert_eq!(text(&m, "openness").as_deref(), Some("restricted"));
}
