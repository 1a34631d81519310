//! Tests of the significance tests against an independent implementation
//! (scipy 1.17.1, numpy), against brute force, and for weight invariance.
//!
//! The reference numbers were computed once with this snippet:
//!
//! ```python
//! import numpy as np, scipy.stats as st
//! from scipy.stats.contingency import association
//! x = [1.1, 2.3, 3.0, 4.2, 5.5, 6.1]; y = [3.5, 5.0, 6.6, 7.2, 8.8, 9.1, 10.4]
//! st.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic', use_continuity=True)
//! #   U = 5.0, p = 0.026809130715595843 (and U = 37.0, same p, with y first)
//! st.mannwhitneyu(x, y, alternative='two-sided', method='exact')   # p = 0.022144522144522144
//! xt = [1,2,2,3,3,3,4,7,7]; yt = [2,3,3,4,4,5,6,7,8,8,9]
//! st.mannwhitneyu(xt, yt, alternative='two-sided', method='asymptotic')
//! #   U = 26.0, p = 0.07681286219572434
//! t = np.array([[12,5,9,20],[7,14,3,11],[25,8,10,6]])
//! st.chi2_contingency(t, correction=False)  # 26.203706610538905, p 0.00020400378236142528, dof 6
//! association(t, method='cramer')           # 0.317464150674704
//! st.chi2_contingency([[30,70],[45,55]], correction=False)  # 4.8, p 0.028459736916310638
//! # Cochran-Armitage as N r^2 on the expanded 0/1 data, scores 0..3:
//! succ = [10,18,25,40]; n = [100,110,95,105]
//! s, o = expanded scores and outcomes; r = np.corrcoef(s, o)[0, 1]
//! z = sqrt(N r^2) = 5.115729293529307; 2 * st.norm.sf(z) = 3.1253102547588595e-07
//! np.polyfit(s, o, 1)[0] = 0.09463414634146354
//! st.false_discovery_control([0.01,0.04,0.03,0.005,0.2,0.5,0.04])
//! #   [0.035, 0.056, 0.056, 0.035, 0.23333333333333336, 0.5, 0.056]
//! ```

use super::*;
use crate::weights::Proportion;

/// Relative closeness. Statistics are compared at 1e-12; p-values at 1e-9,
/// the accuracy of statrs' normal and chi-square tails against scipy's.
fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * (1.0 + a.abs().max(b.abs()))
}

const X: [f64; 6] = [1.1, 2.3, 3.0, 4.2, 5.5, 6.1];
const Y: [f64; 7] = [3.5, 5.0, 6.6, 7.2, 8.8, 9.1, 10.4];

/// Exact two-sided Mann-Whitney p-value by enumerating every split of the
/// pooled values (no ties): `P(|U - mean| >= |u - mean|)`.
fn exact_mann_whitney_p(x: &[f64], y: &[f64]) -> f64 {
    let pooled: Vec<f64> = x.iter().chain(y).copied().collect();
    let u_of = |mask: u32| -> f64 {
        let (mut u, n) = (0.0, pooled.len());
        for i in (0..n).filter(|i| mask & (1 << i) != 0) {
            u += (0..n)
                .filter(|j| mask & (1 << j) == 0 && pooled[*j] < pooled[i])
                .count() as f64;
        }
        u
    };
    let first: u32 = (1 << x.len()) - 1;
    let mean = (x.len() * y.len()) as f64 / 2.0;
    let observed = (u_of(first) - mean).abs();
    let (mut extreme, mut total) = (0u32, 0u32);
    for mask in 0u32..(1 << pooled.len()) {
        if mask.count_ones() as usize == x.len() {
            total += 1;
            if (u_of(mask) - mean).abs() >= observed - 1e-9 {
                extreme += 1;
            }
        }
    }
    f64::from(extreme) / f64::from(total)
}

#[test]
fn mann_whitney_matches_scipy_whichever_sample_comes_first() {
    // statrs 0.19.1's exact method returns p = 1.0 when the first sample is
    // the smaller one; this test fails for any implementation that does.
    let forward = mann_whitney_u(&X, &Y).unwrap();
    let backward = mann_whitney_u(&Y, &X).unwrap();
    assert_eq!(forward.statistic, 5.0);
    assert_eq!(backward.statistic, 37.0);
    assert!(close(forward.p_value, 0.026809130715595843, 1e-9));
    assert!(close(backward.p_value, 0.026809130715595843, 1e-9));
    assert!(close(forward.effect_size, 2.0 * 5.0 / 42.0 - 1.0, 1e-12));
    assert!(close(backward.effect_size, -forward.effect_size, 1e-12));
    assert_eq!(forward.n, 13.0);
    assert_eq!(forward.effect_size_name, "rank-biserial r");
}

#[test]
fn mann_whitney_is_near_the_exact_enumeration() {
    let exact = exact_mann_whitney_p(&X, &Y);
    assert!(close(exact, 0.022144522144522144, 1e-12));
    assert!(close(exact_mann_whitney_p(&Y, &X), exact, 1e-12));
    for (a, b) in [(&X[..], &Y[..]), (&Y[..], &X[..])] {
        assert!((mann_whitney_u(a, b).unwrap().p_value - exact).abs() < 0.01);
    }
}

#[test]
fn mann_whitney_with_ties_matches_scipy() {
    let x = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 7.0, 7.0];
    let y = [2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 6.0, 7.0, 8.0, 8.0, 9.0];
    let result = mann_whitney_u(&x, &y).unwrap();
    assert_eq!(result.statistic, 26.0);
    assert!(
        close(result.p_value, 0.07681286219572434, 1e-9),
        "p = {}",
        result.p_value
    );
}

#[test]
fn mann_whitney_degenerate_inputs() {
    let same = mann_whitney_u(&[2.0, 2.0], &[2.0, 2.0, 2.0]).unwrap();
    assert_eq!(same.p_value, 1.0);
    assert_eq!(same.effect_size, 0.0);
    assert!(mann_whitney_u(&[], &[1.0]).is_err());
    assert!(mann_whitney_u(&[f64::NAN], &[1.0]).is_err());
}

#[test]
fn weighted_mann_whitney_reduces_to_the_plain_test_and_ignores_the_weight_scale() {
    let plain = mann_whitney_u(&X, &Y).unwrap();
    let equal = weighted_mann_whitney_u(&X, &[7.0; 6], &Y, &[3.0; 7]).unwrap();
    assert!(close(equal.p_value, plain.p_value, 1e-12));
    assert!(close(equal.statistic, plain.statistic, 1e-12));
    let wx = [120.0, 3.0, 45.0, 9.0, 1.0, 300.0];
    let wy = [2.0, 2.0, 80.0, 10.0, 7.0, 1.0, 33.0];
    let once = weighted_mann_whitney_u(&X, &wx, &Y, &wy).unwrap();
    let double = |w: &[f64]| w.iter().map(|v| v * 2.0).collect::<Vec<_>>();
    let twice = weighted_mann_whitney_u(&X, &double(&wx), &Y, &double(&wy)).unwrap();
    assert!(close(once.p_value, twice.p_value, 1e-12));
    assert!(close(once.effect_size, twice.effect_size, 1e-12));
    // Uneven weights shrink the effective sample below the 13 models.
    assert!(once.n < 13.0);
    assert!(once.p_value > plain.p_value);
}

#[test]
fn chi_square_matches_scipy_on_a_3_by_4_table() {
    let table = ContingencyTable::from_counts(vec![
        vec![12.0, 5.0, 9.0, 20.0],
        vec![7.0, 14.0, 3.0, 11.0],
        vec![25.0, 8.0, 10.0, 6.0],
    ])
    .unwrap();
    let result = chi_square_independence(&table).unwrap();
    assert!(close(result.statistic, 26.203706610538905, 1e-12));
    assert!(close(result.p_value, 0.00020400378236142528, 1e-9));
    assert_eq!(result.df, Some(6.0));
    assert!(close(result.effect_size, 0.317464150674704, 1e-12));
    assert_eq!(result.n, 130.0);
}

#[test]
fn two_proportion_z_squared_is_the_2_by_2_chi_square() {
    let table = ContingencyTable::from_counts(vec![vec![30.0, 70.0], vec![45.0, 55.0]]).unwrap();
    let chi2 = chi_square_independence(&table).unwrap();
    assert!(close(chi2.statistic, 4.8, 1e-12));
    assert!(close(chi2.p_value, 0.028459736916310638, 1e-9));
    let z = two_proportion_z(
        &Proportion::from_counts(30.0, 100.0).unwrap(),
        &Proportion::from_counts(45.0, 100.0).unwrap(),
    )
    .unwrap();
    assert!(close(z.statistic * z.statistic, 4.8, 1e-12));
    assert!(z.statistic < 0.0);
    assert!(close(z.p_value, 0.028459736916310638, 1e-9));
    let h = 2.0 * 0.3f64.sqrt().asin() - 2.0 * 0.45f64.sqrt().asin();
    assert!(close(z.effect_size, h, 1e-12));
    let none = two_proportion_z(
        &Proportion::from_counts(0.0, 10.0).unwrap(),
        &Proportion::from_counts(0.0, 5.0).unwrap(),
    )
    .unwrap();
    assert_eq!((none.statistic, none.p_value), (0.0, 1.0));
}

#[test]
fn chi_square_refuses_empty_margins_and_small_tables() {
    let empty_row = ContingencyTable::from_counts(vec![vec![1.0, 2.0], vec![0.0, 0.0]]).unwrap();
    assert!(chi_square_independence(&empty_row).is_err());
    let one_column = ContingencyTable::from_counts(vec![vec![1.0], vec![2.0]]).unwrap();
    assert!(chi_square_independence(&one_column).is_err());
    assert!(ContingencyTable::from_counts(vec![vec![1.0, -1.0], vec![1.0, 1.0]]).is_err());
}

#[test]
fn weighted_tables_use_the_kish_size_and_ignore_the_weight_scale() {
    let periods = [
        "2023", "2023", "2024", "2024", "2024", "2025", "2025", "2023",
    ];
    let kinds = [
        "open", "closed", "open", "open", "closed", "closed", "closed", "open",
    ];
    let downloads = [10.0, 200.0, 35.0, 5.0, 60.0, 900.0, 15.0, 45.0];
    let doubled: Vec<f64> = downloads.iter().map(|w| 2.0 * w).collect();
    let once = ContingencyTable::from_observations(&periods, &kinds, Some(&downloads)).unwrap();
    let twice = ContingencyTable::from_observations(&periods, &kinds, Some(&doubled)).unwrap();
    let (a, b) = (
        chi_square_independence(&once).unwrap(),
        chi_square_independence(&twice).unwrap(),
    );
    assert!(close(a.p_value, b.p_value, 1e-12));
    assert!(close(
        a.n,
        crate::weights::kish_effective_n(&downloads).unwrap(),
        1e-12
    ));
    assert!(a.n < 8.0);
    let frame =
        polars::prelude::df!["period" => periods, "kind" => kinds, "downloads" => downloads]
            .unwrap();
    let from_frame = ContingencyTable::from_frame(
        polars::prelude::IntoLazy::lazy(frame),
        "period",
        "kind",
        Some("downloads"),
    )
    .unwrap();
    assert_eq!(from_frame.row_labels, vec!["2023", "2024", "2025"]);
    assert_eq!(from_frame.col_labels, vec!["closed", "open"]);
    for (r, s) in from_frame
        .counts
        .iter()
        .flatten()
        .zip(once.counts.iter().flatten())
    {
        assert!(close(*r, *s, 1e-12));
    }
    let unweighted = ContingencyTable::from_observations(&periods, &kinds, None).unwrap();
    assert_eq!(unweighted.total(), 8.0);
    assert_eq!(unweighted.counts[0], vec![1.0, 2.0]);
}

fn trend_groups() -> Vec<Proportion> {
    [(10.0, 100.0), (18.0, 110.0), (25.0, 95.0), (40.0, 105.0)]
        .iter()
        .map(|&(x, n)| Proportion::from_counts(x, n).unwrap())
        .collect()
}

#[test]
fn cochran_armitage_matches_n_r_squared() {
    let result = cochran_armitage_trend(&trend_groups(), None).unwrap();
    assert!(close(result.statistic, 5.115729293529307, 1e-12));
    assert!(close(result.p_value, 3.1253102547588595e-07, 1e-8));
    assert!(close(result.effect_size, 0.09463414634146354, 1e-12));
    assert_eq!(result.n, 410.0);
    // Reversing the order flips the sign, not the evidence.
    let mut reversed = trend_groups();
    reversed.reverse();
    let back = cochran_armitage_trend(&reversed, None).unwrap();
    assert!(close(back.statistic, -result.statistic, 1e-12));
    // Scores are affine-invariant.
    let scaled =
        cochran_armitage_trend(&trend_groups(), Some(&[2022.0, 2024.0, 2026.0, 2028.0])).unwrap();
    assert!(close(scaled.statistic, result.statistic, 1e-12));
    assert!(cochran_armitage_trend(&trend_groups(), Some(&[1.0; 4])).is_err());
    assert!(cochran_armitage_trend(&trend_groups()[..1], None).is_err());
}

#[test]
fn doubling_every_weight_leaves_weighted_proportion_tests_unchanged() {
    let moe = [
        [true, false, false, true, false],
        [true, true, false, true, false],
        [true, true, true, false, true],
    ];
    let downloads = [
        [50.0, 3.0, 800.0, 20.0, 7.0],
        [9.0, 400.0, 30.0, 2.0, 61.0],
        [70.0, 5.0, 18.0, 300.0, 44.0],
    ];
    let groups = |factor: f64| -> Vec<Proportion> {
        moe.iter()
            .zip(&downloads)
            .map(|(x, w)| Proportion::weighted(x, &w.map(|v| v * factor)).unwrap())
            .collect()
    };
    let (once, twice) = (groups(1.0), groups(2.0));
    let trend = (
        cochran_armitage_trend(&once, None).unwrap(),
        cochran_armitage_trend(&twice, None).unwrap(),
    );
    assert!(close(trend.0.p_value, trend.1.p_value, 1e-12));
    let z = (
        two_proportion_z(&once[0], &once[2]).unwrap(),
        two_proportion_z(&twice[0], &twice[2]).unwrap(),
    );
    assert!(close(z.0.p_value, z.1.p_value, 1e-12));
    // The weighted n is below the 15 models, not the thousands of downloads.
    assert!(trend.0.n < 15.0);
}

#[test]
fn benjamini_hochberg_matches_scipy() {
    let p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.5, 0.04];
    let expected = [0.035, 0.056, 0.056, 0.035, 0.23333333333333336, 0.5, 0.056];
    let q = benjamini_hochberg(&p).unwrap();
    for (a, b) in q.iter().zip(expected) {
        assert!(close(*a, b, 1e-12));
    }
    assert!(benjamini_hochberg(&[]).is_err());
    assert!(benjamini_hochberg(&[0.5, 1.5]).is_err());
    assert_eq!(benjamini_hochberg(&[1.0, 1.0]).unwrap(), vec![1.0, 1.0]);
}

#[test]
fn permutation_test_is_seeded_and_scale_free() {
    let wx = [5.0, 1.0, 9.0, 2.0, 4.0, 8.0];
    let wy = [3.0, 3.0, 1.0, 7.0, 2.0, 6.0, 5.0];
    let once = permutation_test_mean_difference(&X, &wx, &Y, &wy, 999, 7).unwrap();
    let again = permutation_test_mean_difference(&X, &wx, &Y, &wy, 999, 7).unwrap();
    assert_eq!(once, again);
    let doubled = |w: &[f64]| w.iter().map(|v| 2.0 * v).collect::<Vec<_>>();
    let twice =
        permutation_test_mean_difference(&X, &doubled(&wx), &Y, &doubled(&wy), 999, 7).unwrap();
    assert_eq!(once.p_value, twice.p_value);
    assert!(once.statistic < 0.0);
    // A clear shift: the exact two-sided p is small; 999 permutations see it.
    assert!(once.p_value < 0.05, "p = {}", once.p_value);
    let null =
        permutation_test_mean_difference(&[1.0, 1.0], &[1.0, 1.0], &[1.0, 1.0], &[1.0, 1.0], 99, 1)
            .unwrap();
    assert_eq!(null.p_value, 1.0);
    assert!(permutation_test_mean_difference(&X, &wx, &Y, &wy, 0, 7).is_err());
}
