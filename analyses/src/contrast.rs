//! The claims' contrasts as headline numbers and tests: one
//! developer-cluster bootstrap ([`hubecon_stats::cluster_bootstrap`]) over
//! the study periods of a [`crate::common::model_periods`] table, so every
//! number a claim is decided on carries its effect (later minus earlier),
//! interval, p-value and the test that gave them (METHODS.md, "Inference").

use hubecon_stats::cluster_bootstrap::{self, as_test};
use hubecon_stats::{BootstrapOptions, ClusterCells, Contrast};
use polars::prelude::*;

use crate::common::{REPLICATES, mp};
use crate::context::Context;
use crate::output::{Headline, Number};

/// The bootstrap every contrast uses: `REPLICATES` draws, 95%, the study's seed.
pub fn options() -> BootstrapOptions {
    BootstrapOptions {
        replicates: REPLICATES,
        ..BootstrapOptions::default()
    }
}

/// The developers of `mp` (a model_periods table) in the covered periods.
pub fn period_cells(ctx: &Context, mp: &DataFrame) -> anyhow::Result<ClusterCells> {
    Ok(ClusterCells::from_frame(
        mp,
        [mp::AUTHOR, mp::PERIOD, mp::DOWNLOADS, mp::VALUE],
        &ctx.periods(),
    )?)
}

/// A contrast as a headline number: the estimate, its interval, p-value and test.
pub fn number(c: &Contrast, unit: &str, description: &str, claim: &str) -> Number {
    Number::new(c.estimate, unit, description)
        .interval(c.ci_low, c.ci_high)
        .claim(claim)
        .tested(
            c.p_value,
            &format!(
                "developer-cluster bootstrap ({} developers, B = {}, percentile interval; \
                 p two-sided, of a contrast of zero)",
                c.n_clusters, c.replicates
            ),
        )
}

/// The change of the share (or mean) of `what` from the span's earlier
/// contrast period to its later one: headline `{key}_difference` and test
/// `{key}_first_vs_last`, or a null number naming the span.
pub fn add_difference(
    ctx: &Context,
    h: &mut Headline,
    cells: &ClusterCells,
    (key, claim, unit): (&str, &str, &str),
    what: &str,
) {
    let name = format!("{key}_difference");
    let Some((earlier, later)) = ctx.coverage.contrast() else {
        let why = ctx
            .coverage
            .not_measurable("a difference compares two study periods");
        h.insert(&name, Number::not_measurable(unit, what, &why).claim(claim));
        return;
    };
    let at = |p: &str| cells.cells().iter().position(|c| c == p);
    let (Some(a), Some(b)) = (at(earlier), at(later)) else {
        return;
    };
    let c = cells.contrast(cluster_bootstrap::difference(a, b), options());
    let description = format!("{what}, {later} minus {earlier}");
    h.insert(&name, number(&c, unit, &description, claim));
    if c.estimate.is_finite() {
        h.add_test(
            &format!("{key}_first_vs_last"),
            Some(claim),
            &format!("{what}, {later} minus {earlier}"),
            as_test(&c, "difference"),
        );
    }
}

/// The least-squares change per period of the share (or mean) of `what`
/// across the covered periods: test `{key}_trend` (at least three periods).
pub fn add_trend(
    h: &mut Headline,
    cells: &ClusterCells,
    key: &str,
    claim: Option<&str>,
    what: &str,
) {
    if cells.cells().len() < 3 {
        return;
    }
    let c = cells.contrast(cluster_bootstrap::slope, options());
    if c.estimate.is_finite() {
        h.add_test(
            &format!("{key}_trend"),
            claim,
            &format!(
                "least-squares change per period of {what} across {}",
                cells.cells().join(", ")
            ),
            as_test(&c, "slope"),
        );
    }
}

/// Each covered period's share (or mean) with its developer-cluster
/// bootstrap percentile interval, in period order (`None` without downloads).
pub fn period_intervals(cells: &ClusterCells) -> Vec<Option<(f64, f64, f64)>> {
    let opts = options();
    let draws = cells.replicate_means(opts.replicates, opts.seed);
    cells
        .means()
        .iter()
        .enumerate()
        .map(|(j, m)| {
            let values = draws.iter().filter_map(|d| d[j]);
            let (low, high) = crate::resample::percentile_interval(values, opts.level);
            m.map(|m| (m, low, high))
        })
        .collect()
}

/// True where `expr` equals one of `values` (false where it is null).
pub fn any_of(expr: Expr, values: &[&str]) -> Expr {
    values.iter().fold(lit(false), |any, v| {
        any.or(expr.clone().eq(lit(*v)).fill_null(lit(false)))
    })
}
