//! Tests of [`super::growth_ratio`].

use polars::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

use super::*;

fn by_hand() -> LazyFrame {
    df![
        "model_id" => ["m1", "m1", "m2", "m3", "m4", "m5", "m6"],
        "author" => ["a", "a", "b", "a", "c", "c", "d"],
        "period" => ["<=2022", "<=2022", "<=2022", "2025", "2025", "2023", "2025"],
        "downloads" => [5u64, 5, 30, 5, 15, 1000, 700],
        "params" => [Some(1.0), Some(1.0), Some(3.0), Some(20.0), Some(40.0), Some(99.0), None],
        "is_moe" => [true, true, false, true, false, true, true],
    ]
    .unwrap()
    .lazy()
}

fn spec(value: &str) -> GrowthSpec {
    GrowthSpec {
        replicates: 400,
        ..GrowthSpec::new(value, "downloads", "model_id", "period")
    }
}

#[test]
fn ratio_of_download_weighted_means_by_hand() {
    // <=2022: (10 * 1 + 30 * 3) / 40 = 2.5; 2025: (5 * 20 + 15 * 40) / 20 = 35
    // (m6 has no params, m5 is in 2023): 35 / 2.5 = 14.
    let g = growth_ratio(by_hand(), &spec("params")).unwrap();
    assert!((g.first_value - 2.5).abs() < 1e-12);
    assert!((g.last_value - 35.0).abs() < 1e-12);
    assert!((g.estimate - 14.0).abs() < 1e-12);
    assert_eq!((g.n_models, g.n_clusters), (4, 4));
    assert_eq!(g.measure, "download-weighted mean");
    assert!(g.ci_low <= g.ci_high);
    assert_eq!(
        (g.first.as_str(), g.last.as_str(), g.level),
        ("<=2022", "2025", 0.95)
    );
}

#[test]
fn ratio_of_download_weighted_shares_by_hand() {
    // <=2022: 10 / 40 MoE; 2025: (5 + 700) / (5 + 15 + 700) MoE.
    let g = growth_ratio(by_hand(), &spec("is_moe")).unwrap();
    assert!((g.first_value - 0.25).abs() < 1e-12);
    assert!((g.last_value - 705.0 / 720.0).abs() < 1e-12);
    assert!((g.estimate - 705.0 / 720.0 / 0.25).abs() < 1e-12);
    assert_eq!(g.measure, "download-weighted share");
    assert_eq!(g.n_models, 5);
}

/// 20 developers with 10 models each; a developer's models share its size,
/// so the developer, not the model, is the independent unit.
fn clustered(scale: u64) -> LazyFrame {
    let mut rng = Pcg64::seed_from_u64(11);
    let (mut ids, mut devs, mut periods, mut weights, mut values) =
        (vec![], vec![], vec![], vec![], vec![]);
    for dev in 0..20 {
        let size: f64 = if dev < 10 { 1.0 } else { 4.0 } * (0.2 + 3.0 * rng.random::<f64>());
        for m in 0..10 {
            ids.push(format!("d{dev}/m{m}"));
            devs.push(format!("d{dev}"));
            periods.push(if dev < 10 { "<=2022" } else { "2025" });
            weights.push(scale * rng.random_range(1..1000u64));
            values.push(size * (0.95 + 0.1 * rng.random::<f64>()));
        }
    }
    df!["model_id" => ids, "author" => devs, "period" => periods, "downloads" => weights, "params" => values]
        .unwrap()
        .lazy()
}

#[test]
fn the_same_seed_gives_the_same_interval_and_the_weight_unit_does_not_matter() {
    let s = spec("params");
    let a = growth_ratio(clustered(1), &s).unwrap();
    let b = growth_ratio(clustered(1), &s).unwrap();
    assert_eq!(a, b);
    let doubled = growth_ratio(clustered(2), &s).unwrap();
    assert_eq!(
        (a.estimate, a.ci_low, a.ci_high),
        (doubled.estimate, doubled.ci_low, doubled.ci_high)
    );
    let other = growth_ratio(clustered(1), &GrowthSpec { seed: 1, ..s }).unwrap();
    assert_ne!((a.ci_low, a.ci_high), (other.ci_low, other.ci_high));
    assert_eq!(a.estimate, other.estimate);
    assert!(a.ci_low < a.estimate && a.estimate < a.ci_high);
}

#[test]
fn resampling_developers_widens_the_interval_when_models_cluster() {
    let models = growth_ratio(clustered(1), &spec("params")).unwrap();
    let developers = GrowthSpec {
        resample: Resample::Developers,
        cluster_col: Some("author".into()),
        ..spec("params")
    };
    let developers = growth_ratio(clustered(1), &developers).unwrap();
    assert_eq!((developers.n_models, developers.n_clusters), (200, 20));
    assert!((models.estimate - developers.estimate).abs() < 1e-12 * models.estimate);
    assert!(
        developers.ci_high - developers.ci_low > 1.5 * (models.ci_high - models.ci_low),
        "{developers:?} vs {models:?}"
    );
    assert!(developers.method.contains("developers (cluster bootstrap)"));
    assert!(models.method.contains("B = 400"));
}

#[test]
fn a_higher_level_gives_a_wider_interval() {
    let narrow = growth_ratio(
        clustered(1),
        &GrowthSpec {
            level: 0.5,
            ..spec("params")
        },
    )
    .unwrap();
    let wide = growth_ratio(
        clustered(1),
        &GrowthSpec {
            level: 0.99,
            ..spec("params")
        },
    )
    .unwrap();
    assert!(wide.ci_low < narrow.ci_low && narrow.ci_high < wide.ci_high);
}

#[test]
fn bad_specs_are_errors() {
    let no_cluster = GrowthSpec {
        resample: Resample::Developers,
        ..spec("params")
    };
    assert!(growth_ratio(by_hand(), &no_cluster).is_err());
    assert!(
        growth_ratio(
            by_hand(),
            &GrowthSpec {
                level: 1.0,
                ..spec("params")
            }
        )
        .is_err()
    );
    assert!(
        growth_ratio(
            by_hand(),
            &GrowthSpec {
                replicates: 0,
                ..spec("params")
            }
        )
        .is_err()
    );
    assert!(
        growth_ratio(
            by_hand(),
            &GrowthSpec {
                first: "2019".into(),
                ..spec("params")
            }
        )
        .is_err()
    );
    assert!(growth_ratio(by_hand(), &spec("missing")).is_err());
    // A base period with a zero mean has no growth ratio.
    let zero = df!["model_id" => ["a", "b"], "period" => ["<=2022", "2025"], "downloads" => [1u64, 1], "is_moe" => [false, true]]
        .unwrap()
        .lazy();
    assert!(growth_ratio(zero, &spec("is_moe")).is_err());
}

#[test]
fn quantile_interpolates_like_numpy() {
    // np.type7_quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.975, 1]) = [1, 1.75, 2.5, 3.925, 4].
    let sorted = [1.0, 2.0, 3.0, 4.0];
    for (q, expected) in [
        (0.0, 1.0),
        (0.25, 1.75),
        (0.5, 2.5),
        (0.975, 3.925),
        (1.0, 4.0),
    ] {
        assert!((type7_quantile(&sorted, q) - expected).abs() < 1e-12);
    }
    assert_eq!(type7_quantile(&[7.0], 0.3), 7.0);
}

#[test]
fn the_difference_comes_with_the_ratio_from_the_same_replicates() {
    let g = growth_ratio(by_hand(), &spec("params")).unwrap();
    assert!((g.difference - 32.5).abs() < 1e-12, "35 - 2.5");
    assert!(g.difference_ci_low <= g.difference && g.difference <= g.difference_ci_high);
    assert!((0.0..=1.0).contains(&g.difference_p_value));
}

/// A base share near zero: the ratio's replicates blow up where a draw
/// takes few base downloads, the difference's do not.
#[test]
fn a_base_near_zero_leaves_the_difference_stable() {
    let (mut ids, mut periods, mut w, mut flag) = (vec![], vec![], vec![], vec![]);
    for m in 0..40 {
        ids.push(format!("m{m}"));
        periods.push(if m < 20 { "<=2022" } else { "2025" });
        w.push(100u64);
        // One base model in twenty has the property; half of the later ones.
        flag.push(if m < 20 { m == 3 } else { m % 2 == 0 });
    }
    let lf = df!["model_id" => ids, "period" => periods, "downloads" => w, "is_moe" => flag]
        .unwrap()
        .lazy();
    let g = growth_ratio(lf, &spec("is_moe")).unwrap();
    assert!((g.difference - 0.45).abs() < 1e-12, "0.5 - 0.05");
    assert!(
        g.difference_ci_low > 0.0,
        "a shown rise: {}",
        g.difference_ci_low
    );
    assert!(g.difference_p_value < 0.05, "{}", g.difference_p_value);
    assert!(g.difference_ci_high - g.difference_ci_low < 1.0);
    assert!(
        g.undefined_replicates > 0 || g.ci_high / g.ci_low > 5.0,
        "the ratio is unstable"
    );
}

#[test]
fn no_difference_gives_a_large_p_value() {
    let (mut ids, mut periods, mut w, mut x) = (vec![], vec![], vec![], vec![]);
    for m in 0..60 {
        ids.push(format!("m{m}"));
        periods.push(if m % 2 == 0 { "<=2022" } else { "2025" });
        w.push(10u64 + (m as u64 % 7));
        x.push(1.0 + (m as f64 * 0.37).sin());
    }
    let lf = df!["model_id" => ids, "period" => periods, "downloads" => w, "params" => x]
        .unwrap()
        .lazy();
    let g = growth_ratio(lf, &spec("params")).unwrap();
    assert!(g.difference_ci_low < 0.0 && g.difference_ci_high > 0.0);
    assert!(g.difference_p_value > 0.2, "{}", g.difference_p_value);
}
