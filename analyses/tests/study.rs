//! The whole study on the default synthetic sample, once per test run:
//! synth -> prepare -> every analysis -> claims -> paper. Every analysis's
//! CSV and JSON is an insta snapshot, and the planted effects of the
//! generator are asserted through the analyses' own JSON outputs.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hubecon_analyses::claims::{Numbers, Verdict, evaluate};
use hubecon_analyses::{ANALYSES, Context, registry};
use hubecon_ingest::{FormatChoice, PrepareOptions, Silent, finish, read_inputs, write_dataset};
use serde_json::Value;

struct Study {
    sample: PathBuf,
    prepared: PathBuf,
    figures: PathBuf,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the study once for all tests of this binary.
fn study() -> &'static Study {
    static STUDY: OnceLock<Study> = OnceLock::new();
    STUDY.get_or_init(|| run(&hubecon_synth::Scenario::default()))
}

/// The study on the public scenario: snapshots from 2024-07-28, the release
/// from 2025-02-26, first counters carrying years of history.
fn public() -> &'static Study {
    static PUBLIC: OnceLock<Study> = OnceLock::new();
    PUBLIC.get_or_init(|| {
        let scenario =
            hubecon_synth::Scenario::from_toml_str(hubecon_synth::PUBLIC_SCENARIO_TOML).unwrap();
        run(&scenario)
    })
}

/// The study on the null scenario: nothing the claims are about changes.
fn null() -> &'static Study {
    static NULL: OnceLock<Study> = OnceLock::new();
    NULL.get_or_init(|| {
        let scenario =
            hubecon_synth::Scenario::from_toml_str(hubecon_synth::NULL_SCENARIO_TOML).unwrap();
        run(&scenario)
    })
}

/// synth -> prepare -> every analysis, in a directory removed at exit.
fn run(scenario: &hubecon_synth::Scenario) -> Study {
    // A static is never dropped: the directory is removed at exit.
    let tmp = hubecon_testkit::fixture_dir().unwrap();
    let sample = tmp.join("sample");
    let prepared = tmp.join("prepared");
    let figures = tmp.join("figures");
    hubecon_synth::generate(
        scenario,
        hubecon_synth::DEFAULT_MODELS,
        hubecon_synth::DEFAULT_SEED,
        &sample,
        &|_, _, _| {},
    )
    .unwrap();
    let opts = PrepareOptions {
        inputs: vec![sample.clone()],
        format: FormatChoice::Auto,
        annotations: workspace().join("data/annotations/developers.csv"),
        snapshot_date: None,
    };
    let combined = read_inputs(&opts, &Silent).unwrap();
    let (models, _) =
        hubecon_lineage::enrich(combined.models.clone(), &Default::default()).unwrap();
    let prepared_data = finish(combined, models, &opts).unwrap();
    write_dataset(&prepared_data, &prepared).unwrap();
    let ctx = Context::load(&prepared, &figures).unwrap();
    registry::run_all(&ctx, |_| {}).unwrap();
    Study {
        sample,
        prepared,
        figures,
    }
}

fn json(stem: &str) -> Value {
    let p = study().figures.join(format!("{stem}.json"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn truth() -> Value {
    serde_json::from_str(&std::fs::read_to_string(study().sample.join("truth.json")).unwrap())
        .unwrap()
}

#[test]
fn every_analysis_writes_its_four_files() {
    for a in ANALYSES {
        for ext in ["svg", "png", "csv", "json"] {
            let p = study().figures.join(format!("{}.{ext}", a.stem));
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            assert!(len > 100, "{} is missing or empty", p.display());
        }
        let j = json(a.stem);
        assert_eq!(j["synthetic"], true, "{} must say it is synthetic", a.stem);
    }
    let svg = std::fs::read_to_string(study().figures.join("07_model_size.svg")).unwrap();
    assert!(
        svg.contains("synthetic sample: not the paper"),
        "figures must carry the synthetic subtitle"
    );
}

#[test]
fn analysis_outputs_match_their_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(workspace().join("analyses/tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for a in ANALYSES {
            let csv =
                std::fs::read_to_string(study().figures.join(format!("{}.csv", a.stem))).unwrap();
            insta::assert_snapshot!(format!("{}_csv", a.stem), csv);
            let json =
                std::fs::read_to_string(study().figures.join(format!("{}.json", a.stem))).unwrap();
            insta::assert_snapshot!(format!("{}_json", a.stem), json);
        }
    });
}

/// `value` recovers the truth `want` within `tol` (relative).
fn recovered(name: &str, value: f64, want: f64, tol: f64) {
    assert!(
        (value - want).abs() <= tol * want.abs(),
        "{name}: analyses give {value}, the generator planted {want} (tolerance {tol})"
    );
}

fn number(stem: &str, key: &str) -> f64 {
    json(stem)["numbers"][key]["value"]
        .as_f64()
        .unwrap_or_else(|| panic!("{stem}.json has no value for {key}"))
}

#[test]
fn planted_growth_ratios_are_recovered() {
    let t = truth();
    let ratio = |k: &str| {
        t["ratios"][k]["value"]
            .as_f64()
            .unwrap_or_else(|| panic!("truth.json ratios.{k}.value"))
    };
    // The analyses see inferred lineage and parsed metadata, the truth the
    // generator's own labels: agreement within 25% means the pipeline works.
    recovered(
        "size",
        number("07_model_size", "size_ratio"),
        ratio("size"),
        0.25,
    );
    recovered(
        "multimodal",
        number("08_model_properties", "multimodal_ratio"),
        ratio("multimodal_generation"),
        0.25,
    );
    recovered(
        "quantized",
        number("08_model_properties", "quantized_ratio"),
        ratio("quantized"),
        0.25,
    );
    recovered(
        "moe",
        number("08_model_properties", "moe_ratio"),
        ratio("moe"),
        0.25,
    );
}

#[test]
fn claims_are_evaluated_for_every_claim() {
    let numbers = Numbers::load(&study().figures).unwrap();
    let results = evaluate(&numbers);
    let ids: Vec<&str> = results.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [
            "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11", "C12", "C13"
        ]
    );
    // The sample's size is a parameter, not a measurement.
    assert_eq!(results[0].verdict, Verdict::NotMeasurable);
    for r in &results[1..] {
        assert_ne!(
            r.verdict,
            Verdict::NotMeasurable,
            "{} is not measurable: {}",
            r.id,
            r.reason
        );
    }
}

#[test]
fn every_share_contrast_is_its_later_share_minus_its_earlier() {
    // The bootstrap's full-sample estimate must be the headline numbers'
    // difference: a contrast on other rows (another lens, a different
    // denominator) would decide a claim on a number no figure shows.
    for (stem, share, difference) in [
        (
            "03_org_type_shares",
            "community_user_share",
            "community_user_share_difference",
        ),
        (
            "04_top_developers",
            "us_big3_share",
            "us_big3_share_difference",
        ),
        (
            "04_top_developers",
            "deepseek_qwen_share",
            "deepseek_qwen_share_difference",
        ),
        ("08_model_properties", "moe_share", "moe_difference"),
        (
            "08_model_properties",
            "quantized_share",
            "quantized_difference",
        ),
        (
            "10_data_transparency",
            "available_disclosed_share",
            "available_disclosed_share_difference",
        ),
        (
            "10_data_transparency",
            "undisclosed_share",
            "undisclosed_share_difference",
        ),
        (
            "12_intermediaries",
            "intermediary_share",
            "intermediary_share_difference",
        ),
    ] {
        let d = json(stem)["numbers"][difference].clone();
        let key = difference;
        let (a, b) = (
            number(stem, &format!("{share}_2022")),
            number(stem, &format!("{share}_2025")),
        );
        let effect = d["value"]
            .as_f64()
            .unwrap_or_else(|| panic!("{stem}.{key}"));
        assert!(
            (effect - (b - a)).abs() < 1e-9,
            "{stem}.{key}: {effect} vs {b} - {a}"
        );
        let (lo, hi) = (
            d["ci_low"].as_f64().unwrap(),
            d["ci_high"].as_f64().unwrap(),
        );
        assert!(lo <= effect && effect <= hi, "{stem}.{key}: [{lo}, {hi}]");
        assert!(d["p_value"].as_f64().is_some_and(|p| p > 0.0 && p <= 1.0));
    }
}

#[test]
fn every_tested_claim_reports_the_test_that_decided_it() {
    let results = evaluate(&Numbers::load(&study().figures).unwrap());
    for r in results.iter().filter(|r| r.id != "C1") {
        assert!(
            !r.test_key.is_empty() && !r.test.is_empty(),
            "{}: {}",
            r.id,
            r.reason
        );
        let (p, q) = (r.p_value.unwrap(), r.q_value.unwrap());
        assert!(q >= p - 1e-12, "{}: q {q} below p {p}", r.id);
        let significant = q < 0.05;
        assert_eq!(
            r.verdict == Verdict::NotSignificant,
            !significant,
            "{}: q = {q}, {}",
            r.id,
            r.reason
        );
    }
}

#[test]
fn on_the_null_hub_no_claim_holds() {
    // A rule that decides on point estimates, or on a test that ignores the
    // clustering by developer, finds effects here that were never planted.
    let results = evaluate(&Numbers::load(&null().figures).unwrap());
    for r in results.iter().filter(|r| r.id != "C1") {
        assert!(
            matches!(r.verdict, Verdict::NotSignificant | Verdict::DoesNotHold),
            "{} {} on the null Hub: {}",
            r.id,
            r.verdict.label(),
            r.reason
        );
    }
}

#[test]
fn the_paper_builds_with_every_number_filled() {
    let out = study().figures.join("paper.html");
    hubecon_analyses::paper::build(&workspace().join("paper/paper.md"), &study().figures, &out)
        .unwrap();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(!html.contains("{{"), "a placeholder is left");
    assert!(
        html.contains("class=\"synthetic\""),
        "the synthetic box is missing"
    );
    let embedded = html.matches("data:image/png;base64,").count();
    assert_eq!(
        embedded,
        ANALYSES.len(),
        "paper/paper.md embeds {embedded} figures and the registry has {} analyses: \
         each analysis's figure goes into the paper as ![...](figures/NN_slug.png)",
        ANALYSES.len()
    );
    browser_check(&out);
}

/// Opens the page in headless Chromium and reads back what the page's own
/// check script found: every figure decoded, no `{{` left. Skipped when no
/// Chromium is installed, unless HUBECON_REQUIRE_BROWSER=1 (set by CI).
fn browser_check(page: &Path) {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(chromium) = chromium else {
        assert!(
            std::env::var("HUBECON_REQUIRE_BROWSER").is_err(),
            "HUBECON_REQUIRE_BROWSER is set but no Chromium is installed"
        );
        eprintln!("skipping the browser check: no Chromium (install Debian's chromium)");
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=5000",
            &format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom",
            &format!("file://{}", page.display()),
        ])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let total = ANALYSES.len();
    assert!(
        dom.contains(&format!("data-figures-loaded=\"{total}\"")),
        "not every figure loaded in Chromium"
    );
    assert!(dom.contains(&format!("data-figures-total=\"{total}\"")));
    assert!(
        dom.contains("data-placeholders-left=\"0\""),
        "a placeholder is visible in Chromium"
    );
}

/// `(week as days since 1970, downloads)` summed over models, by week.
fn weekly_totals(prepared: &Path) -> Vec<(i32, u64)> {
    use polars::prelude::*;
    let path = prepared.join("downloads.parquet");
    let df = LazyFrame::scan_parquet(
        PlRefPath::try_from_path(&path).unwrap(),
        ScanArgsParquet::default(),
    )
    .unwrap()
    .group_by([col("week").cast(DataType::Int32)])
    .agg([col("downloads").sum()])
    .sort(["week"], SortMultipleOptions::default())
    .collect()
    .unwrap();
    let weeks = df.column("week").unwrap().i32().unwrap().clone();
    let sums = df.column("downloads").unwrap().u64().unwrap().clone();
    weeks
        .into_no_null_iter()
        .zip(sums.into_no_null_iter())
        .collect()
}

fn manifest(prepared: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(prepared.join("manifest.json")).unwrap()).unwrap()
}

/// The defect of issue 19: the first counters of a series that starts in
/// 2024-07 carry years of history, and none of it may land in a week.
#[test]
fn on_the_public_span_no_week_holds_pre_series_history() {
    let p = public();
    let weeks = weekly_totals(&p.prepared);
    let first_monday =
        hubecon_ingest::week::to_epoch_days(chrono::NaiveDate::from_ymd_opt(2024, 7, 29).unwrap());
    assert_eq!(
        weeks[0].0, first_monday,
        "the first snapshot's week has no downloads"
    );
    let mut early: Vec<u64> = weeks.iter().take(8).map(|w| w.1).collect();
    early.sort_unstable();
    let median = early[early.len() / 2];
    assert!(
        weeks[0].1 <= 2 * median,
        "the first week holds {} downloads against a median of {median}",
        weeks[0].1
    );
    let rules = &manifest(&p.prepared)["rules"];
    let pre_series = rules["pre_series_downloads"].as_u64().unwrap();
    let in_span: u64 = weeks.iter().map(|w| w.1).sum();
    assert!(pre_series > 0 && rules["models_with_baseline"].as_u64().unwrap() > 1000);
    // Every model's counter splits into its baseline and its weeks.
    let models = hubecon_ingest::load_dataset(&p.prepared).unwrap().models;
    let sum = |c: &str| -> u64 {
        models
            .column(c)
            .unwrap()
            .u64()
            .unwrap()
            .iter()
            .flatten()
            .sum()
    };
    assert_eq!(sum("pre_series_downloads"), pre_series);
    assert_eq!(sum("downloads_all_time"), pre_series + in_span);
}

#[test]
fn every_analysis_runs_on_the_public_span_and_names_it() {
    let p = public();
    for a in ANALYSES {
        for ext in ["svg", "png", "csv", "json"] {
            let f = p.figures.join(format!("{}.{ext}", a.stem));
            assert!(f.is_file(), "{} is missing", f.display());
        }
        let j: Value = serde_json::from_str(
            &std::fs::read_to_string(p.figures.join(format!("{}.json", a.stem))).unwrap(),
        )
        .unwrap();
        let c = &j["coverage"];
        assert_eq!(c["first_week"], "2024-07-29", "{}", a.stem);
        assert_eq!(
            c["periods"],
            serde_json::json!(["2024", "2025"]),
            "{}",
            a.stem
        );
        assert_eq!(
            (&c["earlier"], &c["later"]),
            (&"2024".into(), &"2025".into())
        );
    }
    let svg = std::fs::read_to_string(p.figures.join("07_model_size.svg")).unwrap();
    assert!(
        svg.contains("weeks 2024-07-29 to"),
        "the figure names its span"
    );
    // The growth ratios compare the covered periods and say so.
    let size = &serde_json::from_str::<Value>(
        &std::fs::read_to_string(p.figures.join("07_model_size.json")).unwrap(),
    )
    .unwrap()["numbers"]["size_ratio"];
    assert!(size["value"].as_f64().is_some());
    assert!(
        size["description"]
            .as_str()
            .unwrap()
            .contains("2025 over 2024")
    );
}

#[test]
fn claims_that_need_uncovered_periods_are_not_measurable_naming_the_span() {
    let results = evaluate(&Numbers::load(&public().figures).unwrap());
    for r in &results {
        match r.id {
            "C1" | "C4" => {}
            _ => {
                assert_eq!(r.verdict, Verdict::NotMeasurable, "{}: {}", r.id, r.reason);
                assert!(r.reason.contains("2024-07-29"), "{}: {}", r.id, r.reason);
            }
        }
    }
    let c4 = results.iter().find(|r| r.id == "C4").unwrap();
    assert_ne!(c4.verdict, Verdict::NotMeasurable, "{}", c4.reason);
    let c6 = results.iter().find(|r| r.id == "C6").unwrap();
    assert!(
        c6.reason.contains("C6 compares <=2022 with 2025"),
        "{}",
        c6.reason
    );
}

#[test]
fn the_paper_renders_on_the_public_span_with_no_placeholder() {
    let out = public().figures.join("paper.html");
    hubecon_analyses::paper::build(&workspace().join("paper/paper.md"), &public().figures, &out)
        .unwrap();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(!html.contains("{{"), "a placeholder is left");
    assert!(
        html.contains("the weeks from 2024-07-29 to"),
        "the paper names its span"
    );
    assert!(html.contains("compare 2024 with 2025"));
}
