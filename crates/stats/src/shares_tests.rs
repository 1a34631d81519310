//! Tests of [`super::download_share`] on a small hand-built Hub.

use chrono::NaiveDate;
use polars::prelude::*;

use super::Window;
use super::*;
use crate::error::StatsError;

fn day(s: &str) -> i32 {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .unwrap()
        .to_epoch_days()
}

fn dates(name: &str, days: &[&str]) -> Column {
    let epoch: Vec<i32> = days.iter().map(|d| day(d)).collect();
    Column::new(name.into(), epoch)
        .cast(&DataType::Date)
        .unwrap()
}

/// m1..m5 are in the models table, m9 is not. m5 was created on a Sunday,
/// so the week starting exactly 365 days later (2025-01-06) is outside its
/// first year.
fn models() -> LazyFrame {
    DataFrame::new_infer_height(vec![
        Column::new("model_id".into(), ["m1", "m2", "m3", "m4", "m5"]),
        Column::new(
            "author".into(),
            ["meta", "quantizer", "alice", "qwen", "bob"],
        ),
        Column::new(
            "derived_author".into(),
            [Some("meta"), Some("meta"), None, Some("qwen"), Some("bob")],
        ),
        dates(
            "created_at",
            &[
                "2023-01-02",
                "2024-01-01",
                "2024-06-03",
                "2022-03-02",
                "2024-01-07",
            ],
        ),
        Column::new(
            "is_moe".into(),
            [Some(false), Some(true), None, Some(true), Some(false)],
        ),
    ])
    .unwrap()
    .lazy()
}

/// alice and bob are not annotated.
fn developers() -> LazyFrame {
    df!["author" => ["meta", "quantizer", "qwen"], "org_type" => ["industry", "user", "industry"]]
        .unwrap()
        .lazy()
}

fn downloads() -> LazyFrame {
    let rows = [
        ("2024-01-01", "m1", 100u64),
        ("2024-01-01", "m2", 50),
        ("2024-01-01", "m9", 10),
        ("2024-12-30", "m1", 20),
        ("2024-12-30", "m2", 30),
        ("2024-12-30", "m3", 40),
        ("2024-12-30", "m4", 5),
        ("2024-12-30", "m5", 1),
        ("2025-01-06", "m2", 7),
        ("2025-01-06", "m3", 3),
        ("2025-01-06", "m5", 1000),
    ];
    let weeks: Vec<&str> = rows.iter().map(|r| r.0).collect();
    DataFrame::new_infer_height(vec![
        Column::new(
            "model_id".into(),
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        ),
        dates("week", &weeks),
        Column::new(
            "downloads".into(),
            rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        ),
    ])
    .unwrap()
    .lazy()
}

/// (bucket as string, category, downloads, download share, models, model-count share).
type Row = (String, String, f64, f64, u32, f64);

fn rows(df: &DataFrame) -> Vec<Row> {
    let bucket = df
        .column(columns::BUCKET)
        .unwrap()
        .cast(&DataType::String)
        .unwrap();
    let bucket = bucket.str().unwrap();
    let category = df.column(columns::CATEGORY).unwrap().str().unwrap().clone();
    let f = |name: &str| df.column(name).unwrap().f64().unwrap().clone();
    let (downloads, share, model_share) = (
        f(columns::DOWNLOADS),
        f(columns::DOWNLOAD_SHARE),
        f(columns::MODEL_COUNT_SHARE),
    );
    let models = df
        .column(columns::DOWNLOADED_MODELS)
        .unwrap()
        .u32()
        .unwrap()
        .clone();
    (0..df.height())
        .map(|i| {
            (
                bucket.get(i).unwrap().to_string(),
                category.get(i).unwrap().to_string(),
                downloads.get(i).unwrap(),
                share.get(i).unwrap(),
                models.get(i).unwrap(),
                model_share.get(i).unwrap(),
            )
        })
        .collect()
}

fn assert_rows(got: &[Row], expected: &[(&str, &str, f64, u32)]) {
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (g, e) in got.iter().zip(expected) {
        assert_eq!(
            (g.0.as_str(), g.1.as_str(), g.2, g.4),
            (e.0, e.1, e.2, e.3),
            "{got:?}"
        );
    }
    for bucket in got.iter().map(|r| &r.0) {
        let in_bucket: Vec<&Row> = got.iter().filter(|r| &r.0 == bucket).collect();
        let total: f64 = in_bucket.iter().map(|r| r.2).sum();
        let models: u32 = in_bucket.iter().map(|r| r.4).sum();
        for r in in_bucket {
            assert!((r.3 - r.2 / total).abs() < 1e-12);
            assert!((r.5 - f64::from(r.4) / f64::from(models)).abs() < 1e-12);
        }
    }
}

#[test]
fn direct_lens_credits_the_uploader_and_keeps_unknowns() {
    let spec = ShareSpec::new(Category::Developer("org_type".into()), TimeBucket::Year);
    let out = download_share(downloads(), models(), Some(developers()), &spec).unwrap();
    assert_rows(
        &rows(&out),
        &[
            ("2024-01-01", "Unknown", 51.0, 3),
            ("2024-01-01", "industry", 125.0, 2),
            ("2024-01-01", "user", 80.0, 1),
            ("2025-01-01", "Unknown", 1003.0, 2),
            ("2025-01-01", "user", 7.0, 1),
        ],
    );
    assert_eq!(
        out.column(columns::ATTRIBUTION)
            .unwrap()
            .str()
            .unwrap()
            .get(0),
        Some("direct")
    );
    assert_eq!(
        out.column(columns::WINDOW).unwrap().str().unwrap().get(0),
        Some("all_downloads")
    );
}

#[test]
fn derived_lens_credits_the_family_root_developer() {
    let mut spec = ShareSpec::new(Category::Developer("org_type".into()), TimeBucket::Year);
    spec.attribution = Attribution::Derived;
    let out = download_share(downloads(), models(), Some(developers()), &spec).unwrap();
    // m2's downloads move from the quantizer (user) to meta (industry); m3
    // has no root developer and stays with its uploader (unannotated).
    assert_rows(
        &rows(&out),
        &[
            ("2024-01-01", "Unknown", 51.0, 3),
            ("2024-01-01", "industry", 205.0, 3),
            ("2025-01-01", "Unknown", 1003.0, 2),
            ("2025-01-01", "industry", 7.0, 1),
        ],
    );
}

#[test]
fn first_year_window_ends_365_days_after_creation() {
    let mut spec = ShareSpec::new(Category::CreditedDeveloper, TimeBucket::StudyPeriod);
    spec.window = Window::FirstYear;
    let out = download_share(downloads(), models(), None, &spec).unwrap();
    // m1's second year, m4 (created 2022), m9 (no creation date) and bob's
    // week starting exactly 365 days after creation are outside.
    assert_rows(
        &rows(&out),
        &[
            ("2024", "alice", 40.0, 1),
            ("2024", "bob", 1.0, 1),
            ("2024", "meta", 100.0, 1),
            ("2024", "quantizer", 80.0, 1),
            ("2025", "alice", 3.0, 1),
        ],
    );
    assert_eq!(
        out.column(columns::WINDOW).unwrap().str().unwrap().get(0),
        Some("first_year")
    );
}

#[test]
fn model_attributes_ignore_the_lens_and_missing_values_are_unknown() {
    let direct = ShareSpec::new(Category::Model("is_moe".into()), TimeBucket::Year);
    let derived = ShareSpec {
        attribution: Attribution::Derived,
        ..direct.clone()
    };
    let a = download_share(downloads(), models(), None, &direct).unwrap();
    let b = download_share(downloads(), models(), None, &derived).unwrap();
    assert_rows(
        &rows(&a),
        &[
            ("2024-01-01", "Unknown", 50.0, 2),
            ("2024-01-01", "false", 121.0, 2),
            ("2024-01-01", "true", 85.0, 2),
            ("2025-01-01", "Unknown", 3.0, 1),
            ("2025-01-01", "false", 1000.0, 1),
            ("2025-01-01", "true", 7.0, 1),
        ],
    );
    assert_eq!(rows(&a), rows(&b));
    let relabelled = ShareSpec {
        unknown_label: "n/a".into(),
        ..direct
    };
    let c = download_share(downloads(), models(), None, &relabelled).unwrap();
    let labels: Vec<String> = rows(&c).into_iter().map(|r| r.1).collect();
    assert_eq!(labels, ["false", "n/a", "true", "false", "n/a", "true"]);
}

#[test]
fn bad_inputs_are_named_errors() {
    let spec = ShareSpec::new(Category::Developer("org_type".into()), TimeBucket::Week);
    assert!(download_share(downloads(), models(), None, &spec).is_err());
    let twice = concat([models(), models()], UnionArgs::default()).unwrap();
    let err = download_share(downloads(), twice, Some(developers()), &spec);
    assert!(
        matches!(err, Err(StatsError::DuplicateKey { ref column, .. }) if column == "model_id")
    );
    let no_root = models().select([col("model_id"), col("author"), col("created_at")]);
    let derived = ShareSpec {
        attribution: Attribution::Derived,
        ..spec.clone()
    };
    let err = download_share(downloads(), no_root, Some(developers()), &derived);
    assert!(
        matches!(err, Err(StatsError::Column { ref column, .. }) if column == "derived_author")
    );
    let dup_dev = concat([developers(), developers()], UnionArgs::default()).unwrap();
    assert!(matches!(
        download_share(downloads(), models(), Some(dup_dev), &spec),
        Err(StatsError::DuplicateKey { .. })
    ));
}

/// Models absent from the models frame have no row there: each still counts
/// once among the downloaded models of its (unknown) category.
#[test]
fn absent_models_are_counted_one_by_one() {
    let downloads = DataFrame::new_infer_height(vec![
        Column::new("model_id".into(), ["m1", "m8", "m9", "m9"]),
        dates(
            "week",
            &["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-08"],
        ),
        Column::new("downloads".into(), [4u64, 2, 1, 3]),
    ])
    .unwrap()
    .lazy();
    let spec = ShareSpec::new(Category::Model("is_moe".into()), TimeBucket::Year);
    let out = download_share(downloads, models(), None, &spec).unwrap();
    let unknown = out
        .lazy()
        .filter(col("category").eq(lit("Unknown")))
        .collect()
        .unwrap();
    assert_eq!(unknown.height(), 1);
    let models = unknown.column("downloaded_models").unwrap().u32().unwrap();
    assert_eq!(models.get(0), Some(2), "m8 and m9, m9 once");
    let share = unknown.column("model_count_share").unwrap().f64().unwrap();
    assert_eq!(share.get(0), Some(2.0 / 3.0), "m1 is the third model");
}

/// `lf` with its text model ids `mN` replaced by the number N (UInt32),
/// as the analyses pass them.
fn numbered(lf: LazyFrame) -> LazyFrame {
    lf.with_column(
        col("model_id")
            .str()
            .strip_prefix(lit("m"))
            .cast(DataType::UInt32)
            .alias("model_id"),
    )
}

/// On model numbers the models are matched by index, not by polars' join:
/// every lens, window and kind of category gives the same shares as on text
/// ids, the absent model m9 included.
#[test]
fn model_numbers_give_the_same_shares_as_text_ids() {
    let mut specs = vec![
        ShareSpec::new(Category::Developer("org_type".into()), TimeBucket::Week),
        ShareSpec::new(Category::Model("is_moe".into()), TimeBucket::Year),
        ShareSpec::new(Category::CreditedDeveloper, TimeBucket::Quarter),
    ];
    let mut derived = specs[0].clone();
    derived.attribution = Attribution::Derived;
    derived.window = Window::FirstYear;
    specs.push(derived);
    for spec in specs {
        let on_text = download_share(downloads(), models(), Some(developers()), &spec).unwrap();
        let on_numbers = download_share(
            numbered(downloads()),
            numbered(models()),
            Some(developers()),
            &spec,
        )
        .unwrap();
        assert!(
            on_numbers.equals_missing(&on_text),
            "{spec:?}\n{on_numbers}\n{on_text}"
        );
    }
}

#[test]
fn a_developer_without_a_category_counts_as_one_not_annotated() {
    let spec = ShareSpec::new(Category::Developer("org_type".into()), TimeBucket::Year);
    let with_null = df![
        "author" => ["meta", "quantizer", "qwen"],
        "org_type" => [None, Some("user"), Some("industry")],
    ]
    .unwrap()
    .lazy();
    let without = df!["author" => ["quantizer", "qwen"], "org_type" => ["user", "industry"]]
        .unwrap()
        .lazy();
    let a = download_share(downloads(), models(), Some(with_null), &spec).unwrap();
    let b = download_share(downloads(), models(), Some(without), &spec).unwrap();
    assert!(a.equals_missing(&b), "{a} vs {b}");
    let unknown = a
        .column(columns::CATEGORY)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .filter(|c| *c == Some(UNKNOWN))
        .count();
    assert_eq!(unknown, 2, "one Unknown row per year: {a}");
}
