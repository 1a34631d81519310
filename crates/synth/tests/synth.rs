//! End-to-end tests of the generator: scenario files, determinism, the raw
//! formats (read back with polars), calibration and truth.json.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hubecon_synth::{
    DEFAULT_SCENARIO_TOML, Layout, PUBLIC_SCENARIO_TOML, Scenario, SynthError, generate,
};
use polars::prelude::*;

fn quiet(_: &str, _: u64, _: u64) {}

/// A small weekly sample shared by several tests.
/// (A static is never dropped: the directory is removed at exit.)
fn small() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = hubecon_testkit::fixture_dir().unwrap();
        generate(&Scenario::default(), 300, 7, &dir, &quiet).unwrap();
        dir
    })
}

fn truth(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap()).unwrap()
}

fn read(path: &Path) -> DataFrame {
    let file = std::fs::File::open(path).unwrap();
    ParquetReader::new(file).finish().unwrap()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p)
            } else {
                out.push(p)
            }
        }
    }
    out.sort();
    out
}

fn key_of(err: SynthError) -> String {
    match err {
        SynthError::Invalid { key, .. } => key,
        SynthError::Parse { message, .. } => message,
        other => panic!("unexpected error {other}"),
    }
}

#[test]
fn the_default_file_is_exactly_the_default_scenario() {
    let parsed = Scenario::from_toml_str(DEFAULT_SCENARIO_TOML).unwrap();
    assert_eq!(parsed, Scenario::default());
    assert!(Scenario::default().validate().is_ok());
}

#[test]
fn a_bad_scenario_names_the_key() {
    let bad = |from: &str, to: &str| {
        assert!(DEFAULT_SCENARIO_TOML.contains(from), "{from}");
        key_of(Scenario::from_toml_str(&DEFAULT_SCENARIO_TOML.replacen(from, to, 1)).unwrap_err())
    };
    let unknown = bad("missing_models = 3", "missing_models = 3\nmising_rows = 2");
    assert_eq!(unknown, "anomalies.mising_rows");
    assert_eq!(
        bad(
            "y2024 = 0.03, y2025 = 0.14",
            "y2024 = 0.03, y2025 = 0.14, y2026 = 0.1"
        ),
        "trajectories.named_developers.share.y2026"
    );
    assert_eq!(
        bad(
            "quantized = { le2022 = 0.012,",
            "quantized = { le2021 = 0.012,"
        ),
        "trajectories.quantized.le2021"
    );
    assert_eq!(
        bad("adapter = 0.43,", "adapter = 0.44,"),
        "lineage.declared_mix"
    );
    assert_eq!(
        bad("adapter = 0.43,", "adaptr = 0.43,"),
        "lineage.declared_mix.adaptr"
    );
    assert_eq!(
        bad(
            "creation_growth_per_year = 2.2",
            "creation_growth_per_year = -1.0"
        ),
        "population.creation_growth_per_year"
    );
    assert_eq!(
        bad("declared_fraction = 0.28", "declared_fraction = 1.5"),
        "lineage.declared_fraction"
    );
    assert_eq!(
        bad("max_family_share = 0.08", "max_family_share = 0.0"),
        "lineage.max_family_share"
    );
    assert_eq!(
        bad(
            "attachment_decay_days = 240.0",
            "attachment_decay_days = 5.0"
        ),
        "lineage.attachment_decay_days"
    );
    assert_eq!(
        bad("y2025 = { China = 0.19,", "y2025 = { China = 0.29,"),
        "trajectories.country_group.y2025"
    );
    assert_eq!(
        bad(
            "first_created = \"2019-10-01\"",
            "first_created = \"2019-13-01\""
        ),
        "population.first_created"
    );
    assert_eq!(
        bad(
            "y2025 = { open_source = 0.3, open_weights = 0.429",
            "y2025 = { open_source = 0.36, open_weights = 0.369"
        ),
        "trajectories.openness.y2025.open_source"
    );
}

#[test]
fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
    let again = tempfile::tempdir().unwrap();
    generate(&Scenario::default(), 300, 7, again.path(), &quiet).unwrap();
    let (a, b) = (files(small()), files(again.path()));
    assert_eq!(a.len(), b.len());
    assert!(a.len() > 270);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            x.strip_prefix(small()).unwrap(),
            y.strip_prefix(again.path()).unwrap()
        );
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{} differs",
            x.display()
        );
    }
    let other = tempfile::tempdir().unwrap();
    generate(&Scenario::default(), 300, 8, other.path(), &quiet).unwrap();
    let t = |d: &Path| std::fs::read(d.join("truth_models.parquet")).unwrap();
    assert_ne!(t(small()), t(other.path()));
}

fn dtype_of(df: &DataFrame, name: &str) -> DataType {
    df.column(name)
        .unwrap_or_else(|_| panic!("no column {name}"))
        .dtype()
        .clone()
}

#[test]
fn snapshots_have_the_hub_stats_columns_and_types_of_their_era() {
    let dir = small();
    let last = read(&dir.join("models/2025-08-31/models.parquet"));
    let names: Vec<String> = last
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in [
        "id",
        "author",
        "downloads",
        "downloadsAllTime",
        "likes",
        "trendingScore",
        "tags",
        "pipeline_tag",
        "library_name",
        "createdAt",
        "lastModified",
        "safetensors",
        "gguf",
        "baseModels",
        "cardData",
        "config",
        "siblings",
        "gated",
        "private",
    ] {
        assert!(names.iter().any(|n| n == c), "missing {c}");
    }
    assert_eq!(dtype_of(&last, "downloadsAllTime"), DataType::Int64);
    assert_eq!(
        dtype_of(&last, "tags"),
        DataType::List(Box::new(DataType::String))
    );
    assert_eq!(
        dtype_of(&last, "createdAt"),
        DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
    );
    assert!(
        matches!(dtype_of(&last, "safetensors"), DataType::Struct(f) if f.iter().any(|x| x.name() == "total"))
    );
    assert!(
        matches!(dtype_of(&last, "baseModels"), DataType::Struct(f) if f.iter().any(|x| x.name() == "relation"))
    );
    assert!(
        matches!(dtype_of(&last, "siblings"), DataType::List(inner) if matches!(*inner, DataType::Struct(_)))
    );
    assert_eq!(dtype_of(&last, "cardData"), DataType::String);
    assert_eq!(dtype_of(&last, "gated"), DataType::Boolean);

    let old = read(&dir.join("models/2021-06-06/models.parquet"));
    assert_eq!(dtype_of(&old, "tags"), DataType::String);
    assert!(old.column("safetensors").is_err() && old.column("baseModels").is_err());
    let mid = read(&dir.join("models/2024-01-07/models.parquet"));
    assert_eq!(dtype_of(&mid, "safetensors"), DataType::String);
    assert_eq!(dtype_of(&mid, "config"), DataType::String);
    assert!(mid.column("baseModels").is_err());

    // Models created before 2022-03-02 show the clamp; the others their true date.
    let truth_models = read(&dir.join("truth_models.parquet"));
    let created: HashMap<String, String> = truth_models
        .column("model_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .zip(
            truth_models
                .column("created_at")
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .flatten(),
        )
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let shown = last
        .column("createdAt")
        .unwrap()
        .cast(&DataType::Date)
        .unwrap()
        .cast(&DataType::String)
        .unwrap();
    let ids = last.column("id").unwrap().str().unwrap().clone();
    let mut clamped = 0;
    for (id, day) in ids
        .iter()
        .flatten()
        .zip(shown.str().unwrap().iter().flatten())
    {
        let truth = &created[id];
        if truth.as_str() < "2022-03-02" {
            assert_eq!(day, "2022-03-02", "{id}");
            clamped += 1;
        } else {
            assert_eq!(day, truth, "{id}");
        }
    }
    assert!(clamped > 0);
}

#[test]
fn the_release_has_its_columns_and_only_annotated_developers_in_weekly_layout() {
    let rel = read(&small().join("release/all_downloads_with_annotations.parquet"));
    let expected = [
        "_id",
        "model",
        "author",
        "time",
        "created",
        "downloadsAllTime",
        "annotator",
        "org_model",
        "org_type",
        "org_country",
        "derived_author",
        "org_country_single",
        "derived_org_country",
        "derived_org_country_single",
        "merged_country_groups_single",
        "merged_derived_country_groups_single",
        "merged_derived_from",
        "merged_languages",
        "merged_modality",
        "__index_level_0__",
    ];
    let names: Vec<String> = rel
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(names, expected);
    assert_eq!(
        dtype_of(&rel, "org_country"),
        DataType::List(Box::new(DataType::String))
    );
    // The published types (the release's viewer).
    assert_eq!(
        dtype_of(&rel, "time"),
        DataType::Datetime(TimeUnit::Nanoseconds, None)
    );
    assert_eq!(
        dtype_of(&rel, "created"),
        DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
    );
    assert_eq!(dtype_of(&rel, "annotator"), DataType::Float64);
    assert_eq!(rel.column("org_type").unwrap().null_count(), 0);
    assert!(rel.height() > 0);
}

/// Weekly downloads of all models recomputed from the snapshot files alone,
/// with the study's definition: (year of the week's Monday, downloads).
fn weekly_totals(dir: &Path) -> Vec<(i32, u64)> {
    let mut by_week = Vec::new();
    let mut max: HashMap<String, u64> = HashMap::new();
    let mut snapshots: Vec<PathBuf> = files(&dir.join("models"));
    snapshots.sort();
    for path in snapshots {
        let day = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let sunday = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap();
        let monday = sunday - chrono::Duration::days(6);
        let df = read(&path);
        let ids = df.column("id").unwrap().str().unwrap().clone();
        let values = df
            .column("downloadsAllTime")
            .unwrap()
            .i64()
            .unwrap()
            .clone();
        let mut seen = BTreeMap::new();
        for (id, v) in ids.iter().flatten().zip(values.iter().flatten()) {
            seen.insert(id.to_string(), v as u64);
        }
        let mut week = 0;
        for (id, v) in seen {
            let m = max.entry(id).or_insert(0);
            if v > *m {
                week += v - *m;
                *m = v;
            }
        }
        by_week.push((chrono::Datelike::year(&monday), week));
    }
    by_week
}

/// Period downloads recomputed from the snapshots match truth.json.
#[test]
fn weekly_downloads_recomputed_from_the_snapshots_match_the_truth() {
    let dir = small();
    let t = truth(dir);
    let mut by_period = [0u64; 4];
    for (year, downloads) in weekly_totals(dir) {
        by_period[(year.clamp(2022, 2025) - 2022) as usize] += downloads;
    }
    for p in 0..4 {
        assert_eq!(
            by_period[p] as f64,
            t["periods"][p]["total_downloads"].as_f64().unwrap(),
            "period {p}"
        );
    }
    // 300 models cannot meet each period's shares without a step between
    // periods; truth.json says how far the weeks are from the Hub's curve.
    let gap = t["raking"]["largest_weekly_gap_to_hub_curve"]
        .as_f64()
        .unwrap();
    assert!(gap > 0.1, "{gap}");
    let a = &t["anomalies"];
    assert_eq!(a["missing_two_snapshots"].as_array().unwrap().len(), 3);
    assert_eq!(a["counter_glitches"].as_array().unwrap().len(), 2);
    assert_eq!(a["duplicate_rows"].as_array().unwrap().len(), 4);
    let dup = &a["duplicate_rows"][0];
    let df = read(
        &dir.join("models")
            .join(dup["snapshot"].as_str().unwrap())
            .join("models.parquet"),
    );
    let id = dup["id"].as_str().unwrap();
    let n = df
        .column("id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .filter(|x| *x == id)
        .count();
    assert_eq!(n, 2);
}

#[test]
fn compact_layout_writes_the_last_snapshot_and_all_models_in_the_release() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Scenario {
        layout: Layout::Compact,
        ..Scenario::default()
    };
    let report = generate(&scenario, 200, 3, dir.path(), &quiet).unwrap();
    assert_eq!(report.layout, "compact");
    assert_eq!(report.snapshots_written, 1);
    assert_eq!(files(&dir.path().join("models")).len(), 1);
    let rel = read(
        &dir.path()
            .join("release/all_downloads_with_annotations.parquet"),
    );
    let models = rel.column("model").unwrap().n_unique().unwrap();
    assert_eq!(models, 200);
    assert_eq!(truth(dir.path())["generator"]["layout"], "compact");
}

#[test]
fn a_5k_sample_is_calibrated_to_the_study() {
    let dir = tempfile::tempdir().unwrap();
    generate(&Scenario::default(), 5000, 11, dir.path(), &quiet).unwrap();
    let t = truth(dir.path());
    no_step_at_new_year(dir.path());
    let c = &t["calibration"];
    let f = |v: &serde_json::Value| v.as_f64().unwrap();
    let zero = f(&c["zero_download_fraction"]);
    assert!((0.6..=0.8).contains(&zero), "zero-download fraction {zero}");
    // The top-1% share grows with the sample (0.9+ at 20k); uniform downloads would give 0.01.
    assert!(
        f(&c["top_1pct_share"]) > 0.75,
        "top 1% share {}",
        c["top_1pct_share"]
    );
    assert!(
        (f(&c["declared_fraction"]) - 0.28).abs() < 0.02,
        "{}",
        c["declared_fraction"]
    );
    for (rel, share) in [
        ("adapter", 0.43),
        ("finetune", 0.36),
        ("quantized", 0.19),
        ("merge", 0.02),
    ] {
        assert!(
            (f(&c["declared_mix"][rel]) - share).abs() < 0.04,
            "{rel}: {}",
            c["declared_mix"][rel]
        );
    }
    assert!(c["merges_with_multiple_parents"].as_u64().unwrap() > 0);
    assert!(c["chains_derivative_of_derivative"].as_u64().unwrap() > 0);
    for key in [
        "generator",
        "definitions",
        "scenario",
        "calibration",
        "periods",
        "ratios",
        "one_year_window",
        "raking",
        "anomalies",
    ] {
        assert!(t.get(key).is_some(), "truth.json lacks {key}");
    }
    // Raked 2025 shares: the country groups are met; DeepSeek + Qwen rise from nothing
    // (their exact 14% needs enough of their models in the sample: see raking.max_gap_by_period).
    let y2025 = &t["periods"][3];
    assert!(f(&y2025["named_developers"]["value"]) > 0.05);
    assert_eq!(f(&t["periods"][0]["named_developers"]["value"]), 0.0);
    assert!((f(&y2025["country_group"]["China"]["value"]) - 0.19).abs() < 2e-3);
    let community_user = f(&y2025["community_and_user"]["value"]);
    assert!(community_user > 0.6, "{community_user}");
    let os = f(&y2025["openness"]["open_source"]["value"]);
    let ow = f(&y2025["openness"]["open_weights"]["value"]);
    assert!(ow > os, "open weights {ow} vs open source {os}");
    for key in ["multimodal_generation", "quantized", "moe", "size"] {
        let r = &t["ratios"][key];
        assert!(
            r["target"].as_f64().is_some() && r.get("tolerance").is_some(),
            "{key}"
        );
    }
}

/// Raking each period to its total must not make the Hub's downloads step at
/// 1 January (they fell about 3x there when each period was raked alone):
/// the four weeks on either side of each boundary.
fn no_step_at_new_year(dir: &Path) {
    let by_week = weekly_totals(dir);
    for year in 2023..=2025 {
        let first = by_week.iter().position(|(y, _)| *y == year).unwrap();
        let mean = |r: std::ops::Range<usize>| {
            by_week[r].iter().map(|(_, d)| *d as f64).sum::<f64>() / 4.0
        };
        let step = mean(first..first + 4) / mean(first - 4..first);
        assert!(
            (0.85..1.2).contains(&step),
            "weekly downloads change {step:.2}x at 1 January {year}"
        );
    }
    let gap = truth(dir)["raking"]["largest_weekly_gap_to_hub_curve"]
        .as_f64()
        .unwrap();
    assert!(gap < 0.01, "{gap}");
}

/// Family roots (end of the first-parent chain) of every model in truth_models.parquet.
fn family_roots(dir: &Path) -> (Vec<String>, Vec<String>, Vec<String>) {
    let t = read(&dir.join("truth_models.parquet"));
    let ids: Vec<String> = t
        .column("model_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().to_string())
        .collect();
    let relations: Vec<String> = t
        .column("relation")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().to_string())
        .collect();
    let parents = t.column("parents").unwrap().list().unwrap().clone();
    let first: HashMap<String, String> = ids
        .iter()
        .zip(parents.amortized_iter())
        .filter_map(|(id, p)| {
            let p = p?;
            let p = p.as_ref().str().ok()?.iter().next()??.to_string();
            Some((id.clone(), p))
        })
        .collect();
    let roots = ids
        .iter()
        .map(|id| {
            let mut k = id.clone();
            while let Some(p) = first.get(&k) {
                k = p.clone();
            }
            k
        })
        .collect();
    (ids, relations, roots)
}

#[test]
fn derivatives_spread_over_the_head_labs_base_models_with_bounded_names() {
    let dir = tempfile::tempdir().unwrap();
    generate(&Scenario::default(), 4000, 5, dir.path(), &quiet).unwrap();
    let (ids, relations, roots) = family_roots(dir.path());
    let mut size: HashMap<&str, usize> = HashMap::new();
    for r in &roots {
        *size.entry(r.as_str()).or_default() += 1;
    }
    let mut families: Vec<(&str, usize)> = size.into_iter().collect();
    families.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    // No family takes more than the cap (8% of models) ...
    assert!(families[0].1 <= 320, "{:?}", &families[..3]);
    // ... and most of the biggest are the head labs' base models (a popular
    // community original can grow a big family by preferential attachment).
    let labs = [
        "meta-llama/",
        "Qwen/",
        "mistralai/",
        "google",
        "deepseek-ai/",
        "openai",
        "stabilityai/",
        "sentence-transformers/",
        "runwayml/",
        "CompVis/",
        "black-forest-labs/",
        "distilbert/",
        "TinyLlama/",
        "llava-hf/",
        "BAAI/",
        "HuggingFaceTB/",
        "Wan-AI/",
        "facebook/",
    ];
    let by_labs = families[..10]
        .iter()
        .filter(|(root, _)| labs.iter().any(|l| root.starts_with(l)))
        .count();
    assert!(by_labs >= 7, "{:?}", &families[..10]);
    assert!(
        families
            .iter()
            .any(|(r, _)| *r == "meta-llama/Llama-3.1-8B-Instruct")
    );
    // Names are a base's short name plus a suffix: bounded, and a fine-tune
    // never carries a merge word or a format token.
    let merge_or_format = [
        "slerp", "ties", "dare", "merge", "gguf", "gptq", "awq", "exl2", "lora",
    ];
    for (id, rel) in ids.iter().zip(&relations) {
        assert!(id.len() <= 96, "{id}");
        if rel == "finetune" {
            let lower = id.to_lowercase();
            let name = lower.split_once('/').unwrap().1;
            assert!(
                !name
                    .split(['-', '_', '.'])
                    .any(|t| merge_or_format.contains(&t)),
                "{id}"
            );
        }
    }
}

#[test]
fn the_public_scenario_is_the_default_hub_with_the_public_coverage() {
    let public = Scenario::from_toml_str(PUBLIC_SCENARIO_TOML).unwrap();
    let mut expected = Scenario::default();
    expected.formats.snapshots_from = Some("2024-07-28".into());
    expected.formats.release_from = Some("2025-02-26".into());
    assert_eq!(public, expected);
}

#[test]
fn a_coverage_date_after_the_last_snapshot_is_refused() {
    let text = PUBLIC_SCENARIO_TOML.replacen(
        "snapshots_from = \"2024-07-28\"",
        "snapshots_from = \"2031-01-05\"",
        1,
    );
    let e = Scenario::from_toml_str(&text).unwrap_err();
    assert!(e.to_string().contains("formats.snapshots_from"), "{e}");
}
