use super::*;

/// `developers` developers with `per` models each, in cells "a" and "b";
/// a developer's models share one value per cell (they cluster), the
/// share in "b" is `b_share` and in "a" one half.
fn clustered(developers: usize, per: usize, b_share: f64) -> DataFrame {
    panel(developers, per, b_share, false)
}

/// As [`clustered`]; with `per_model`, each model is its own developer.
fn panel(developers: usize, per: usize, b_share: f64, per_model: bool) -> DataFrame {
    let (mut dev, mut cell, mut w, mut x) = (vec![], vec![], vec![], vec![]);
    for d in 0..developers {
        for m in 0..per {
            for (c, share) in [("a", 0.5), ("b", b_share)] {
                dev.push(if per_model {
                    format!("dev{d}/{m}")
                } else {
                    format!("dev{d}")
                });
                cell.push(c);
                w.push(1.0 + ((d * 7 + m) % 5) as f64);
                x.push(((d as f64 + 0.5) / developers as f64) < share);
            }
        }
    }
    df!("author" => dev, "period" => cell, "downloads" => w, "value" => x).unwrap()
}

const COLS: [&str; 4] = ["author", "period", "downloads", "value"];

#[test]
fn a_planted_difference_is_significant_and_no_difference_is_not() {
    let opts = BootstrapOptions::default();
    let planted = ClusterCells::from_frame(&clustered(200, 3, 0.8), COLS, &["a", "b"]).unwrap();
    let c = planted.contrast(difference(0, 1), opts);
    assert!((c.estimate - 0.3).abs() < 0.03, "{c:?}");
    assert!(c.ci_low > 0.0 && c.ci_low < c.estimate && c.estimate < c.ci_high);
    assert!(c.p_value < 0.01, "{c:?}");
    assert_eq!(c.n_clusters, 200);
    let null = ClusterCells::from_frame(&clustered(200, 3, 0.5), COLS, &["a", "b"]).unwrap();
    let c = null.contrast(difference(0, 1), opts);
    assert!(c.estimate.abs() < 1e-12 && c.ci_low <= 0.0 && c.ci_high >= 0.0);
    assert!(c.p_value > 0.5, "{c:?}");
}

#[test]
fn clustering_widens_the_interval_over_treating_models_as_independent() {
    let df = clustered(40, 10, 0.7);
    let opts = BootstrapOptions::default();
    let by_developer = ClusterCells::from_frame(&df, COLS, &["a", "b"]).unwrap();
    let models = panel(40, 10, 0.7, true);
    let by_model = ClusterCells::from_frame(&models, COLS, &["a", "b"]).unwrap();
    assert_eq!(by_model.n_clusters(), 400);
    let wide = by_developer.contrast(difference(0, 1), opts);
    let narrow = by_model.contrast(difference(0, 1), opts);
    assert!((wide.estimate - narrow.estimate).abs() < 1e-12);
    assert!(
        wide.ci_high - wide.ci_low > 2.0 * (narrow.ci_high - narrow.ci_low),
        "{wide:?} vs {narrow:?}"
    );
}

#[test]
fn the_same_seed_gives_the_same_replicates_and_another_seed_others() {
    let cells = ClusterCells::from_frame(&clustered(50, 2, 0.6), COLS, &["a", "b"]).unwrap();
    let opts = BootstrapOptions::default();
    assert_eq!(
        cells.contrast(difference(0, 1), opts),
        cells.contrast(difference(0, 1), opts)
    );
    let other = cells.contrast(difference(0, 1), BootstrapOptions { seed: 7, ..opts });
    assert_ne!(cells.contrast(difference(0, 1), opts).ci_low, other.ci_low);
}

#[test]
fn means_weigh_by_downloads_and_skip_other_cells_and_null_values() {
    let df = df!(
        "author" => ["x", "x", "y", "y", "z"],
        "period" => ["a", "b", "a", "c", "a"],
        "downloads" => [3.0, 1.0, 1.0, 9.0, 5.0],
        "value" => [Some(1.0), Some(2.0), Some(5.0), Some(7.0), None],
    )
    .unwrap();
    let cells = ClusterCells::from_frame(&df, COLS, &["a", "b"]).unwrap();
    assert_eq!(cells.means(), vec![Some((3.0 + 5.0) / 4.0), Some(2.0)]);
    assert_eq!(cells.n_clusters(), 2, "z has only a null value");
}

#[test]
fn a_cell_without_downloads_has_no_mean_and_no_contrast() {
    let df =
        df!("author" => ["x"], "period" => ["a"], "downloads" => [2.0], "value" => [1.0]).unwrap();
    let cells = ClusterCells::from_frame(&df, COLS, &["a", "b"]).unwrap();
    let c = cells.contrast(difference(0, 1), BootstrapOptions::default());
    assert!(c.estimate.is_nan() && c.p_value.is_nan());
    assert_eq!(c.undefined_replicates, c.replicates);
}

#[test]
fn bad_weights_and_missing_developers_are_errors() {
    let negative =
        df!("author" => ["x"], "period" => ["a"], "downloads" => [-1.0], "value" => [1.0]).unwrap();
    assert!(ClusterCells::from_frame(&negative, COLS, &["a"]).is_err());
    let no_dev =
        df!("author" => [None::<&str>], "period" => ["a"], "downloads" => [1.0], "value" => [1.0])
            .unwrap();
    assert!(ClusterCells::from_frame(&no_dev, COLS, &["a"]).is_err());
}

#[test]
fn the_slope_is_the_least_squares_change_per_cell() {
    assert!((slope(&[Some(0.1), Some(0.3), Some(0.5)]).unwrap() - 0.2).abs() < 1e-12);
    let s = slope(&[Some(1.0), None, Some(0.0), Some(0.0)]).unwrap();
    // Points (0, 1), (2, 0), (3, 0): sxy = -15/9, sxx = 42/9, slope -5/14.
    assert!((s + 5.0 / 14.0).abs() < 1e-12);
    assert_eq!(slope(&[Some(1.0), None]), None);
}

#[test]
fn an_order_shown_in_every_draw_has_full_support() {
    let cells = ClusterCells::from_frame(&clustered(100, 2, 0.9), COLS, &["a", "b"]).unwrap();
    let order = |m: &[Option<f64>]| Some(m[1]? > m[0]?);
    let s = cells.support(order, BootstrapOptions::default());
    assert_eq!(s.on_sample, Some(true));
    assert!(s.support > 0.99 && s.p_value < 0.02, "{s:?}");
    let reversed = cells.support(|m| Some(m[0]? > m[1]?), BootstrapOptions::default());
    assert!(reversed.support < 0.01 && reversed.p_value > 0.98);
}

#[test]
fn the_draws_do_not_depend_on_the_order_of_the_rows() {
    let df = clustered(30, 3, 0.7);
    let reversed = df.reverse();
    let opts = BootstrapOptions::default();
    let a = ClusterCells::from_frame(&df, COLS, &["a", "b"]).unwrap();
    let b = ClusterCells::from_frame(&reversed, COLS, &["a", "b"]).unwrap();
    let (a, b) = (
        a.contrast(difference(0, 1), opts),
        b.contrast(difference(0, 1), opts),
    );
    assert_eq!(
        (a.ci_low, a.ci_high, a.p_value),
        (b.ci_low, b.ci_high, b.p_value)
    );
}
