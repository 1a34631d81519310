//! Tests of `concentration_frame`: the frame version against the scalar
//! functions, edge cases, and the two evaluation paths.

use super::*;
use crate::concentration::{concentration, lorenz_curve};
use proptest::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn frame(weeks: &[i32], keys: &[&str], values: &[f64]) -> LazyFrame {
    df![
        "week" => weeks,
        "author" => keys,
        "downloads" => values,
    ]
    .unwrap()
    .lazy()
}

fn f64_at(df: &DataFrame, column: &str, row: usize) -> Option<f64> {
    df.column(column).unwrap().f64().unwrap().get(row)
}

#[test]
fn sums_by_key_before_measuring() {
    // Week 1: a = 3 + 1 = 4 over two rows, b = 4: equal shares.
    // Week 2: a holds everything among a and c (c = 0).
    let lf = frame(
        &[1, 1, 1, 2, 2],
        &["a", "a", "b", "a", "c"],
        &[3.0, 1.0, 4.0, 5.0, 0.0],
    );
    let out = concentration_by(
        lf,
        &["week"],
        "author",
        "downloads",
        &ConcentrationOptions::default(),
    )
    .unwrap();
    assert_eq!(out.height(), 2);
    assert_eq!(out.column("n_keys").unwrap().u32().unwrap().get(0), Some(2));
    assert!(close(f64_at(&out, "hhi", 0).unwrap(), 0.5));
    assert!(close(f64_at(&out, "gini", 0).unwrap(), 0.0));
    assert!(close(f64_at(&out, "top1_share", 0).unwrap(), 0.5));
    assert!(close(f64_at(&out, "hhi", 1).unwrap(), 1.0));
    assert!(close(f64_at(&out, "gini", 1).unwrap(), 0.5));
    assert!(close(f64_at(&out, "normalized_hhi", 1).unwrap(), 1.0));
    assert!(close(f64_at(&out, "hhi_points", 1).unwrap(), 10_000.0));
    assert_eq!(
        out.column("gini_convention").unwrap().str().unwrap().get(0),
        Some("population")
    );
}

#[test]
fn zero_total_bucket_is_kept_with_null_shares() {
    let lf = frame(&[1, 1, 2], &["a", "b", "a"], &[0.0, 0.0, 2.0]);
    let out = concentration_by(
        lf,
        &["week"],
        "author",
        "downloads",
        &ConcentrationOptions::default(),
    )
    .unwrap();
    assert_eq!(out.height(), 2);
    assert_eq!(f64_at(&out, "hhi", 0), None);
    assert_eq!(f64_at(&out, "top4_share", 0), None);
    assert_eq!(f64_at(&out, "gini", 0), Some(0.0));
    assert_eq!(f64_at(&out, "normalized_hhi", 1), Some(0.0));
}

#[test]
fn refuses_negative_amounts_and_missing_columns() {
    let lf = frame(&[1, 1], &["a", "b"], &[1.0, -2.0]);
    let err = concentration_by(
        lf,
        &["week"],
        "author",
        "downloads",
        &ConcentrationOptions::default(),
    );
    assert!(matches!(err, Err(StatsError::Column { .. })));
    let lf = frame(&[1], &["a"], &[1.0]);
    let err = concentration_by(
        lf,
        &["month"],
        "author",
        "downloads",
        &ConcentrationOptions::default(),
    );
    assert!(matches!(err, Err(StatsError::Column { ref column, .. }) if column == "month"));
    let lf = frame(&[1], &["a"], &[1.0]);
    let options = ConcentrationOptions {
        top_k: vec![0],
        ..Default::default()
    };
    assert!(concentration_by(lf, &["week"], "author", "downloads", &options).is_err());
}

#[test]
fn no_bucket_means_the_whole_frame() {
    let lf = frame(&[1, 2, 3], &["a", "b", "b"], &[1.0, 1.0, 2.0]);
    let out = concentration_by(
        lf,
        &[],
        "author",
        "downloads",
        &ConcentrationOptions::default(),
    )
    .unwrap();
    assert_eq!(out.height(), 1);
    assert!(close(
        f64_at(&out, "hhi", 0).unwrap(),
        0.25 * 0.25 + 0.75 * 0.75
    ));
}

#[test]
fn lorenz_by_matches_the_scalar_curve() {
    let lf = frame(&[1, 1, 1, 2], &["a", "b", "c", "a"], &[3.0, 0.0, 1.0, 2.0]);
    let out = lorenz_by(lf, &["week"], "author", "downloads").unwrap();
    let scalar = lorenz_curve(&[3.0, 0.0, 1.0]).unwrap();
    for (row, point) in scalar.iter().skip(1).enumerate() {
        assert!(close(
            f64_at(&out, "population_share", row).unwrap(),
            point.population_share
        ));
        assert!(close(
            f64_at(&out, "value_share", row).unwrap(),
            point.value_share
        ));
    }
    assert_eq!(f64_at(&out, "value_share", 3), Some(1.0));
    assert_eq!(f64_at(&out, "population_share", 3), Some(1.0));
}

/// Weekly indices of `downloads` across `author`, bucket by bucket above
/// `rows` input rows.
fn weekly_above(lf: LazyFrame, options: &ConcentrationOptions, rows: usize) -> DataFrame {
    concentration_partitioned_above(lf, &["week"], "author", "downloads", options, rows).unwrap()
}

/// Bucket by bucket (forced with a threshold of one row) and in one pass,
/// the indices are the same, null bucket included.
#[test]
fn bucket_by_bucket_equals_one_pass() {
    let weeks: Vec<Option<i32>> = (0..300).map(|i| (i % 7 != 3).then_some(i % 5)).collect();
    let keys: Vec<String> = (0..300)
        .map(|i| format!("dev{}", (i * 7919) % 23))
        .collect();
    let values: Vec<f64> = (0..300).map(|i| ((i * 104_729) % 1_000) as f64).collect();
    let lf = df!["week" => weeks, "author" => keys, "downloads" => values]
        .unwrap()
        .lazy();
    let options = ConcentrationOptions::default();
    let run = |rows| weekly_above(lf.clone(), &options, rows);
    let (one_pass, by_bucket) = (run(usize::MAX), run(1));
    assert_eq!(one_pass.height(), 6, "five weeks and the null week");
    assert_eq!(by_bucket.height(), 6, "five weeks and the null week");
    assert_eq!(one_pass.schema(), by_bucket.schema());
    for name in one_pass.get_column_names() {
        let (a, b) = (
            one_pass.column(name).unwrap(),
            by_bucket.column(name).unwrap(),
        );
        if let Ok(a) = a.f64() {
            for (x, y) in a.iter().zip(b.f64().unwrap().iter()) {
                assert!(
                    x == y || close(x.unwrap(), y.unwrap()),
                    "{name}: {x:?} one pass, {y:?} bucket by bucket"
                );
            }
        } else {
            assert!(a.equals_missing(b), "{name} differs");
        }
    }
}

/// With integer-coded keys (UInt32) and a Date bucket, the large-input
/// path sums by key in plain code ([`crate::bucket_key_sums`]): its indices
/// equal the one-pass polars query's bit for bit on whole-number amounts,
/// with null keys, null weeks and null amounts among the rows.
#[test]
fn coded_keys_by_bucket_equal_one_pass_exactly() {
    let n = 2_000;
    let weeks: Vec<Option<i32>> = (0..n)
        .map(|i| (i % 97 != 5).then_some(19_000 + 7 * ((i * 31) % 40)))
        .collect();
    let keys: Vec<Option<u32>> = (0..n)
        .map(|i| (i % 53 != 7).then_some(((i * 7919) % 301) as u32))
        .collect();
    let values: Vec<Option<f64>> = (0..n)
        .map(|i| (i % 41 != 3).then_some(((i * 104_729) % 100_000) as f64))
        .collect();
    let mut df = df!["week" => weeks, "author" => keys, "downloads" => values].unwrap();
    df.with_column(df.column("week").unwrap().cast(&DataType::Date).unwrap())
        .unwrap();
    let options = ConcentrationOptions {
        top_k: vec![1, 3, 10],
        ..ConcentrationOptions::default()
    };
    let run = |df: &DataFrame, rows| weekly_above(df.clone().lazy(), &options, rows);
    let (one_pass, by_bucket) = (run(&df, usize::MAX), run(&df, 1));
    // Keys that are not UInt32 take the polars partition path.
    let mut wide_keys = df.clone();
    wide_keys
        .with_column(df.column("author").unwrap().cast(&DataType::Int64).unwrap())
        .unwrap();
    let partitioned = run(&wide_keys, 1);
    // UInt32 keys too large for a table per worker take it too.
    let mut large_keys = df.clone();
    let shifted = df.column("author").unwrap().u32().unwrap() + (1u32 << 23);
    large_keys.with_column(shifted.into_column()).unwrap();
    let largest = large_keys.column("author").unwrap().u32().unwrap().max();
    assert!(largest > Some(1 << 23));
    assert!(run(&large_keys, 1).equals_missing(&by_bucket));
    assert_eq!(one_pass.height(), 41, "forty weeks and the null week");
    assert!(
        one_pass.equals_missing(&by_bucket),
        "{one_pass}\n{by_bucket}"
    );
    assert!(
        partitioned.equals_missing(&by_bucket),
        "{partitioned}\n{by_bucket}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn frame_version_equals_scalar_version_per_bucket(
        rows in prop::collection::vec((0i32..4, 0u8..9, prop_oneof![Just(0.0), 0.0..1e4f64]), 1..80),
        corrected in any::<bool>(),
    ) {
        let options = ConcentrationOptions {
            gini: if corrected { GiniConvention::SampleCorrected } else { GiniConvention::Population },
            top_k: vec![1, 2, 4, 10],
        };
        let weeks: Vec<i32> = rows.iter().map(|r| r.0).collect();
        let keys: Vec<String> = rows.iter().map(|r| format!("dev{}", r.1)).collect();
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let values: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let out = concentration_by(frame(&weeks, &key_refs, &values), &["week"], "author", "downloads", &options).unwrap();
        let out_weeks: Vec<i32> = out.column("week").unwrap().i32().unwrap().into_no_null_iter().collect();
        let mut expected_weeks = weeks.clone();
        expected_weeks.sort();
        expected_weeks.dedup();
        prop_assert_eq!(&out_weeks, &expected_weeks);
        for (row, week) in out_weeks.iter().enumerate() {
            let mut per_key = std::collections::BTreeMap::<&str, f64>::new();
            for ((w, k), v) in weeks.iter().zip(&key_refs).zip(&values) {
                if w == week {
                    *per_key.entry(k).or_default() += v;
                }
            }
            let amounts: Vec<f64> = per_key.values().copied().collect();
            let n = out.column("n_keys").unwrap().u32().unwrap().get(row).unwrap() as usize;
            prop_assert_eq!(n, amounts.len());
            match concentration(&amounts, &options) {
                Ok(c) => {
                    prop_assert!(close(f64_at(&out, "hhi", row).unwrap(), c.hhi));
                    prop_assert!(close(f64_at(&out, "hhi_points", row).unwrap(), c.hhi_points));
                    prop_assert!(close(f64_at(&out, "normalized_hhi", row).unwrap(), c.normalized_hhi));
                    prop_assert!(close(f64_at(&out, "gini", row).unwrap(), c.gini));
                    prop_assert!(close(f64_at(&out, "effective_number", row).unwrap(), c.effective_number));
                    prop_assert!(close(f64_at(&out, "entropy", row).unwrap(), c.entropy));
                    for t in &c.top_k {
                        prop_assert!(close(f64_at(&out, &columns::top_k(t.k), row).unwrap(), t.share));
                    }
                }
                Err(StatsError::ZeroTotal { .. }) => {
                    prop_assert_eq!(f64_at(&out, "hhi", row), None);
                    prop_assert_eq!(f64_at(&out, "gini", row), Some(0.0));
                }
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }
    }
}
