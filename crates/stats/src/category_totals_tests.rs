//! [`category_totals`] against the polars group-by it replaced, on rows
//! in model order and shuffled, with nulls everywhere they may be.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

use super::*;

const COLUMNS: TotalsColumns<'static> = TotalsColumns {
    week: "week",
    code: "code",
    model_row: "row",
    model_id: "model_id",
    downloads: "downloads",
};
const UNKNOWN_CODE: u32 = 3;

/// The polars query `download_share` ran before: the reference.
fn reference(rows: &DataFrame, bucket: &TimeBucket) -> DataFrame {
    let downloaded = col("downloads").gt(lit(0.0));
    let known = col("row").is_not_null();
    let by_row = col("row")
        .filter(downloaded.clone().and(known.clone()))
        .n_unique();
    let by_id = col("model_id")
        .filter(downloaded.and(known.not()))
        .n_unique();
    rows.clone()
        .lazy()
        .select([
            bucket_expr("week", bucket).unwrap().alias(columns::BUCKET),
            col("code").fill_null(lit(UNKNOWN_CODE)),
            col("model_id"),
            col("row"),
            col("downloads"),
        ])
        .group_by([col(columns::BUCKET), col("code")])
        .agg([
            col("downloads").sum().alias(columns::DOWNLOADS),
            (by_row + by_id)
                .cast(DataType::UInt32)
                .alias(columns::DOWNLOADED_MODELS),
        ])
        .sort([columns::BUCKET, "code"], sorted())
        .collect()
        .unwrap()
}

fn sorted() -> SortMultipleOptions {
    SortMultipleOptions::default().with_nulls_last(true)
}

fn ours(rows: &DataFrame, bucket: &TimeBucket, dense_pairs: usize) -> DataFrame {
    totals_with_dense_limit(rows, &COLUMNS, bucket, UNKNOWN_CODE, dense_pairs)
        .unwrap()
        .lazy()
        .sort([columns::BUCKET, "code"], sorted())
        .collect()
        .unwrap()
}

/// Weekly rows of `models` models in model order, then week order; each
/// model has a category code (some null), a models-frame row (absent for
/// some, which only have their id), and downloads (some 0, some null).
fn weekly_rows(models: usize, seed: u64, nulls: bool) -> DataFrame {
    let mut rng = Pcg64::seed_from_u64(seed);
    let (mut week, mut code, mut row, mut id, mut downloads) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for m in 0..models {
        let model_code = (!nulls || rng.random_bool(0.9)).then(|| rng.random_range(0..3u32));
        let model_row = (!nulls || rng.random_bool(0.8)).then_some(m as IdxSize);
        let first = 18_000 + 7 * rng.random_range(0..300);
        for w in 0..rng.random_range(1..40) {
            let day = first + 7 * w;
            week.push((!nulls || rng.random_bool(0.99)).then_some(day));
            code.push(model_code);
            row.push(model_row);
            id.push(format!("org/model-{m}"));
            downloads.push(match rng.random_range(0..10) {
                0 => Some(0.0),
                1 if nulls => None,
                _ => Some(f64::from(rng.random_range(1..10_000u32))),
            });
        }
    }
    let week = Int32Chunked::from_iter_options("week".into(), week.into_iter())
        .into_series()
        .cast(&DataType::Date)
        .unwrap();
    let n = week.len();
    DataFrame::new(
        n,
        vec![
            week.into_column(),
            UInt32Chunked::from_iter_options("code".into(), code.into_iter()).into_column(),
            IdxCa::from_iter_options("row".into(), row.into_iter()).into_column(),
            StringChunked::from_iter_values("model_id".into(), id.iter().map(String::as_str))
                .into_column(),
            Float64Chunked::from_iter_options("downloads".into(), downloads.into_iter())
                .into_column(),
        ],
    )
    .unwrap()
}

fn shuffled(rows: &DataFrame, seed: u64) -> DataFrame {
    let mut order: Vec<IdxSize> = (0..rows.height() as IdxSize).collect();
    order.shuffle(&mut Pcg64::seed_from_u64(seed));
    rows.take(&IdxCa::from_vec("".into(), order)).unwrap()
}

fn buckets() -> [TimeBucket; 4] {
    [
        TimeBucket::Week,
        TimeBucket::Month,
        TimeBucket::Quarter,
        TimeBucket::StudyPeriod,
    ]
}

#[test]
fn equals_the_polars_group_by_on_rows_in_model_order() {
    for nulls in [false, true] {
        let rows = weekly_rows(300, 7, nulls);
        for bucket in buckets() {
            let expected = reference(&rows, &bucket);
            assert!(expected.height() > 10);
            assert_eq!(
                ours(&rows, &bucket, DENSE_PAIRS),
                expected,
                "{bucket:?}, nulls {nulls}"
            );
        }
    }
}

#[test]
fn equals_the_polars_group_by_on_shuffled_rows() {
    // A model's buckets out of order: the distinct count must not count a
    // model twice in a bucket it comes back to.
    for nulls in [false, true] {
        let rows = shuffled(&weekly_rows(300, 11, nulls), 5);
        for bucket in buckets() {
            assert_eq!(
                ours(&rows, &bucket, DENSE_PAIRS),
                reference(&rows, &bucket),
                "{bucket:?}, nulls {nulls}"
            );
        }
    }
}

#[test]
fn the_hashed_groups_equal_the_dense_table() {
    let rows = shuffled(&weekly_rows(200, 3, true), 9);
    for bucket in buckets() {
        assert_eq!(ours(&rows, &bucket, 0), ours(&rows, &bucket, DENSE_PAIRS));
    }
}

#[test]
fn a_model_counts_once_per_bucket_and_only_with_downloads() {
    // Model 0: two weeks in one month, then zero downloads the next month.
    // Model 1 (absent from the models frame): one week, by id.
    let rows = df!(
        "week" => [19_000i32, 19_007, 19_035, 19_000],
        "code" => [Some(0u32), Some(0), Some(0), None],
        "row" => [Some(0 as IdxSize), Some(0), Some(0), None],
        "model_id" => ["a/x", "a/x", "a/x", "b/y"],
        "downloads" => [5.0, 7.0, 0.0, 2.0],
    )
    .unwrap();
    let mut rows = rows;
    rows.with_column(rows.column("week").unwrap().cast(&DataType::Date).unwrap())
        .unwrap();
    let out = ours(&rows, &TimeBucket::Month, DENSE_PAIRS);
    let values = |name: &str| out.column(name).unwrap().cast(&DataType::Float64).unwrap();
    let models: Vec<f64> = values(columns::DOWNLOADED_MODELS)
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let downloads: Vec<f64> = values(columns::DOWNLOADS)
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    // (2022-01, code 0), (2022-01, unknown), (2022-02, code 0)
    assert_eq!(models, vec![1.0, 1.0, 0.0]);
    assert_eq!(downloads, vec![12.0, 2.0, 0.0]);
}
