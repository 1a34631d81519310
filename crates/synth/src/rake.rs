//! Raking (iterative proportional fitting) of expected downloads to the
//! planted download shares of each period.
//!
//! Every model falls in one class of each dimension below, as the analyses
//! will see it. Models with the same classes form a cell; within each period
//! one factor per (dimension, class) scales the cells until every planted
//! marginal share is met, then the period is scaled to its planted total.

use std::collections::BTreeMap;

use crate::catalog;
use crate::developers::Developer;
use crate::models::{AVAILABLE, Model, NO_CARD, Relation};
use crate::scenario::{COUNTRY_GROUPS, OPENNESS, ORG_TYPES, SIZE_CLASSES, Scenario, TRANSPARENCY};

pub const DIMENSIONS: [&str; 9] = [
    "country_group",
    "org_type",
    "named_developers",
    "multimodal_generation",
    "quantized",
    "moe",
    "openness",
    "transparency",
    "size",
];
const N_DIMS: usize = DIMENSIONS.len();
/// Smallest target share of a class that has downloadable models.
const MIN_SHARE: f64 = 1e-4;
const MAX_ITERATIONS: usize = 200;
/// Largest absolute gap between a raked share and its target accepted as converged.
const CONVERGED: f64 = 1e-7;
pub type Cell = [u8; N_DIMS];

/// Openness of a model from its licence, gating and training-data transparency.
pub fn openness(m: &Model) -> usize {
    let pos = |k: &str| OPENNESS.iter().position(|o| *o == k).unwrap_or(3);
    match m.license {
        _ if m.gated => pos("restricted"),
        Some(l) if catalog::NC_LICENSES.contains(&l) => pos("restricted"),
        None => pos("unknown"),
        Some(l) if catalog::OSI_LICENSES.contains(&l) && m.transparency == AVAILABLE => {
            pos("open_source")
        }
        Some(_) => pos("open_weights"),
    }
}

/// The model's class in each dimension, as the analyses see it.
pub fn cell(scenario: &Scenario, devs: &[Developer], m: &Model) -> Cell {
    let dev = &devs[m.author as usize];
    let idx =
        |list: &[&str], k: &str| list.iter().position(|x| *x == k).unwrap_or(list.len() - 1) as u8;
    let named = scenario
        .trajectories
        .named_developers
        .authors
        .contains(&dev.name);
    let size = match m.reported_params() {
        Some(p) => 1 + catalog::size_class(p) as u8,
        None => 0,
    };
    [
        idx(&COUNTRY_GROUPS, dev.seen_country_group()),
        idx(&ORG_TYPES, dev.seen_org_type()),
        named as u8,
        crate::modality::is_multimodal_generation(m.family) as u8,
        (m.relation == Relation::Quantized) as u8,
        m.family().moe as u8,
        openness(m) as u8,
        m.transparency.min(NO_CARD),
        size,
    ]
}

/// Planted marginal shares of one period, one vector per dimension (None: free).
fn targets(s: &Scenario, period: usize) -> [Option<Vec<f64>>; N_DIMS] {
    let t = &s.trajectories;
    let from = |list: &[&str], m: &crate::scenario::Shares| {
        list.iter()
            .map(|k| m.get(*k).copied().unwrap_or(0.0))
            .collect()
    };
    let binary = |p: f64| Some(vec![1.0 - p, p]);
    let key = crate::scenario::PERIOD_KEYS[period];
    let known = *t.params_known.get(period);
    let mut size = vec![1.0 - known];
    size.extend(
        SIZE_CLASSES
            .iter()
            .map(|k| known * t.size.get(period).get(*k).copied().unwrap_or(0.0)),
    );
    [
        Some(from(&COUNTRY_GROUPS, t.country_group.get(period))),
        Some(from(&ORG_TYPES, t.org_type.get(period))),
        t.named_developers.share.get(key).and_then(|p| binary(*p)),
        binary(*t.multimodal_generation.get(period)),
        binary(*t.quantized.get(period)),
        binary(*t.moe.get(period)),
        Some(from(&OPENNESS, t.openness.get(period))),
        Some(from(&TRANSPARENCY, t.transparency.get(period))),
        Some(size),
    ]
}

/// Result of raking: a factor per model and period, and the targets that
/// could not be met because no downloadable model is in the class.
#[derive(Debug, Clone)]
pub struct RakeOutcome {
    cell_of: Vec<u32>,
    /// `factors[period][cell]`.
    factors: [Vec<f64>; 4],
    /// (period, dimension, class) whose planted share was positive but had no model.
    pub unattainable: Vec<(usize, &'static str, usize)>,
    /// Largest relative gap between a raked marginal and its target, per period.
    pub max_gap: [f64; 4],
}

impl RakeOutcome {
    pub fn factor(&self, model: usize, period: usize) -> f64 {
        self.factors[period][self.cell_of[model] as usize]
    }
}

pub fn rake(
    s: &Scenario,
    devs: &[Developer],
    models: &[Model],
    mass: &[[f64; 4]],
    total: f64,
) -> RakeOutcome {
    let mut index: BTreeMap<Cell, u32> = BTreeMap::new();
    let cells_of: Vec<Cell> = models.iter().map(|m| cell(s, devs, m)).collect();
    for c in &cells_of {
        let next = index.len() as u32;
        index.entry(*c).or_insert(next);
    }
    let cell_of: Vec<u32> = cells_of.iter().map(|c| index[c]).collect();
    let mut cells = vec![[0u8; N_DIMS]; index.len()];
    for (c, k) in &index {
        cells[*k as usize] = *c;
    }
    let mut out = RakeOutcome {
        cell_of,
        factors: Default::default(),
        unattainable: Vec::new(),
        max_gap: [0.0; 4],
    };
    for p in 0..4 {
        let mut cell_mass = vec![0.0; cells.len()];
        for (i, e) in mass.iter().enumerate() {
            cell_mass[out.cell_of[i] as usize] += e[p];
        }
        let period_total = total * *s.trajectories.period_totals.get(p);
        let (factors, gap) = fit_period(
            &cells,
            &cell_mass,
            targets(s, p),
            period_total,
            p,
            &mut out.unattainable,
        );
        out.factors[p] = factors;
        out.max_gap[p] = gap;
    }
    out
}

/// IPF over the cells of one period; returns the cell factors and the largest gap left.
fn fit_period(
    cells: &[Cell],
    mass: &[f64],
    mut targets: [Option<Vec<f64>>; N_DIMS],
    period_total: f64,
    period: usize,
    unattainable: &mut Vec<(usize, &'static str, usize)>,
) -> (Vec<f64>, f64) {
    let mut factor = vec![1.0; cells.len()];
    if mass.iter().sum::<f64>() <= 0.0 {
        return (factor, 0.0);
    }
    for (d, t) in targets.iter_mut().enumerate() {
        let Some(t) = t else { continue };
        let present = marginal(cells, mass, &factor, d, t.len());
        for k in 0..t.len() {
            if present[k] <= 0.0 {
                if t[k] > 0.0 {
                    unattainable.push((period, DIMENSIONS[d], k));
                }
                t[k] = 0.0;
            } else {
                // A class that exists keeps a sliver of mass, so that a zero target
                // cannot contradict another dimension's positive one.
                t[k] = t[k].max(MIN_SHARE);
            }
        }
        let sum: f64 = t.iter().sum();
        t.iter_mut().for_each(|v| *v /= sum.max(f64::MIN_POSITIVE));
    }
    let mut gap = f64::INFINITY;
    for _ in 0..MAX_ITERATIONS {
        for (d, t) in targets.iter().enumerate() {
            let Some(t) = t else { continue };
            let current = marginal(cells, mass, &factor, d, t.len());
            let total: f64 = current.iter().sum();
            for (c, cell) in cells.iter().enumerate() {
                let k = cell[d] as usize;
                if current[k] > 0.0 {
                    factor[c] *= (t[k] * total / current[k]).clamp(1e-6, 1e6);
                }
            }
        }
        gap = largest_gap(cells, mass, &factor, &targets);
        if gap < CONVERGED {
            break;
        }
    }
    let raked: f64 = mass.iter().zip(&factor).map(|(m, f)| m * f).sum();
    let scale = period_total / raked.max(f64::MIN_POSITIVE);
    factor.iter_mut().for_each(|f| *f *= scale);
    (factor, gap)
}

fn marginal(cells: &[Cell], mass: &[f64], factor: &[f64], d: usize, k: usize) -> Vec<f64> {
    let mut out = vec![0.0; k];
    for (c, cell) in cells.iter().enumerate() {
        out[(cell[d] as usize).min(k - 1)] += mass[c] * factor[c];
    }
    out
}

fn largest_gap(
    cells: &[Cell],
    mass: &[f64],
    factor: &[f64],
    targets: &[Option<Vec<f64>>; N_DIMS],
) -> f64 {
    let mut gap: f64 = 0.0;
    for (d, t) in targets.iter().enumerate() {
        let Some(t) = t else { continue };
        let current = marginal(cells, mass, factor, d, t.len());
        let total: f64 = current.iter().sum();
        for k in 0..t.len() {
            gap = gap.max((current[k] / total - t[k]).abs());
        }
    }
    gap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipf_meets_two_marginals() {
        // Two binary dimensions, four cells with uneven mass.
        let mut cells = vec![[0u8; N_DIMS]; 4];
        cells[1][0] = 1;
        cells[2][3] = 1;
        cells[3][0] = 1;
        cells[3][3] = 1;
        let mass = [10.0, 1.0, 3.0, 0.5];
        let mut targets: [Option<Vec<f64>>; N_DIMS] = Default::default();
        targets[0] = Some(vec![0.4, 0.6]);
        targets[3] = Some(vec![0.7, 0.3]);
        let mut none = Vec::new();
        let (f, gap) = fit_period(&cells, &mass, targets, 100.0, 0, &mut none);
        let w: Vec<f64> = mass.iter().zip(&f).map(|(m, f)| m * f).collect();
        assert!(gap < CONVERGED);
        assert!(((w[1] + w[3]) - 60.0).abs() < 1e-6);
        assert!(((w[2] + w[3]) - 30.0).abs() < 1e-6);
        assert!(none.is_empty());
    }

    #[test]
    fn an_empty_class_is_reported_and_the_rest_renormalised() {
        let cells = vec![[0u8; N_DIMS]; 2];
        let mass = [1.0, 2.0];
        let mut targets: [Option<Vec<f64>>; N_DIMS] = Default::default();
        targets[4] = Some(vec![0.9, 0.1]);
        let mut missing = Vec::new();
        let (f, _) = fit_period(&cells, &mass, targets, 30.0, 2, &mut missing);
        assert_eq!(missing, vec![(2, "quantized", 1)]);
        assert!((mass[0] * f[0] + mass[1] * f[1] - 30.0).abs() < 1e-9);
    }
}
