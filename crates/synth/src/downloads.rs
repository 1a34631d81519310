//! Weekly downloads: each model's expected interest, raked to the planted
//! period shares, then drawn (Poisson) and accumulated into the cumulative
//! counter the snapshots report; plus the planted counter anomalies.

use std::collections::BTreeMap;

use rand::RngExt;
use rand_distr::{Distribution, Normal, Poisson};
use rand_pcg::Pcg64;

use crate::calendar::Calendar;
use crate::developers::Developer;
use crate::models::Model;
use crate::profile;
use crate::rake::{self, RakeOutcome};
use crate::scenario::{Layout, Scenario};

/// Shape of a model's interest in week `w`: a fast ramp, an exponential decay,
/// and the growth of the whole Hub.
fn shape(m: &Model, w: usize, growth_per_week: f64) -> f64 {
    let age = (w - m.first_week) as f64;
    let ramp = 1.0 - (-(age + 1.0) / 1.5).exp();
    ramp * (-age / m.decay_weeks).exp() * (growth_per_week * w as f64).exp()
}

/// Every model that is downloaded at all gets this many expected downloads in
/// each of its first weeks (people trying it), on top of its raked interest:
/// the zero-download fraction then follows the never-downloaded probabilities
/// whatever the sample size.
const TRIAL_WEEKS: usize = 4;
const TRIAL_DOWNLOADS: f64 = 1.5;

/// The true cumulative counter of every model, week by week from its first snapshot.
#[derive(Debug, Clone)]
pub struct Cumulative {
    /// `values[offsets[i]..offsets[i + 1]]` covers weeks `first_week..n_weeks` of model `i`;
    /// an empty range means the model is never downloaded.
    pub offsets: Vec<usize>,
    pub values: Vec<u64>,
}

impl Cumulative {
    /// True cumulative downloads of model `i` at snapshot `w` (None before it exists).
    pub fn at(&self, models: &[Model], i: usize, w: usize) -> Option<u64> {
        let first = models[i].first_week;
        if w < first {
            return None;
        }
        let (a, b) = (self.offsets[i], self.offsets[i + 1]);
        Some(if a == b {
            0
        } else {
            self.values[a + w - first]
        })
    }
}

/// Planted anomalies of the reported counters.
#[derive(Debug, Clone, Default)]
pub struct Anomalies {
    /// Model absent from snapshots `w` and `w + 1`.
    pub missing: Vec<(u32, usize)>,
    /// Model reports `value` (below its previous report) at snapshot `w`.
    pub glitches: Vec<(u32, usize, u64)>,
    /// Model listed twice in snapshot `w`.
    pub duplicates: Vec<(u32, usize)>,
}

/// What the snapshots report.
pub struct Observed {
    pub cumulative: Cumulative,
    pub anomalies: Anomalies,
    missing_at: BTreeMap<(u32, usize), ()>,
    glitch_at: BTreeMap<(u32, usize), u64>,
    pub rake: RakeOutcome,
    /// Largest weekly gap (log) between the expected downloads and the
    /// Hub's curve.
    pub hub_curve_gap: f64,
}

impl Observed {
    /// Reported `downloadsAllTime` of model `i` at snapshot `w` (None: not listed).
    pub fn reported(&self, models: &[Model], i: usize, w: usize) -> Option<u64> {
        if self.missing_at.contains_key(&(i as u32, w)) {
            return None;
        }
        if let Some(v) = self.glitch_at.get(&(i as u32, w)) {
            return Some(*v);
        }
        self.cumulative.at(models, i, w)
    }

    /// Downloads of the last 30 days at snapshot `w`: the last four weeks plus 2/7 of the fifth.
    pub fn last_30_days(&self, models: &[Model], i: usize, w: usize) -> u64 {
        let c = |k: usize| -> u64 {
            if k < models[i].first_week {
                0
            } else {
                self.cumulative.at(models, i, k).unwrap_or(0)
            }
        };
        let now = c(w);
        let four = if w >= 4 { c(w - 4) } else { 0 };
        let five = if w >= 5 { c(w - 5) } else { 0 };
        (now - four) + (four - five) * 2 / 7
    }

    /// Weekly downloads as the analyses derive them from the reported counters:
    /// the increment over the running maximum, credited to the week it is observed.
    pub fn weekly(&self, models: &[Model], i: usize, n_weeks: usize) -> Vec<(usize, u64)> {
        let mut out = Vec::new();
        let mut max = 0u64;
        for w in models[i].first_week..n_weeks {
            if let Some(v) = self.reported(models, i, w)
                && v > max
            {
                out.push((w, v - max));
                max = v;
            }
        }
        out
    }
}

/// Draw every model's weekly downloads and plant the anomalies.
pub fn generate(
    scenario: &Scenario,
    devs: &[Developer],
    models: &[Model],
    n_weeks: usize,
    layout: Layout,
    rng: &mut Pcg64,
) -> Observed {
    let cal = Calendar::new();
    let growth = scenario.population.download_growth_per_year.ln() / 52.18;
    let period_of: Vec<usize> = (0..n_weeks).map(|w| cal.period(w)).collect();
    let total = scenario.population.full_scale_downloads * models.len() as f64
        / scenario.population.full_scale_models as f64;
    let HubRake { rake, hub, gap } =
        rake_to_the_hub_curve(scenario, devs, models, &period_of, growth, total);
    let cumulative = draw(models, &rake, &hub, &period_of, growth, rng);
    let anomalies = plant(scenario, models, &cumulative, n_weeks, layout, rng);
    let missing_at = anomalies
        .missing
        .iter()
        .flat_map(|&(i, w)| [((i, w), ()), ((i, w + 1), ())])
        .collect();
    let glitch_at = anomalies
        .glitches
        .iter()
        .map(|&(i, w, v)| ((i, w), v))
        .collect();
    Observed {
        cumulative,
        anomalies,
        missing_at,
        glitch_at,
        rake,
        hub_curve_gap: gap,
    }
}

/// At most this many passes of raking and refitting the weekly factor; each
/// about halves the gap on samples of thousands of models.
const HUB_PASSES: usize = 20;
/// Largest weekly gap to the curve (in log) accepted as converged.
const HUB_CONVERGED: f64 = 0.01;

/// The rake under a common weekly factor (`hub`) that makes the raked
/// aggregate follow the Hub's curve (see `profile`), and the largest weekly
/// gap left. A few hundred models cannot meet a period's shares without a
/// step (one late model may carry a class's whole share): the gap says so.
struct HubRake {
    rake: RakeOutcome,
    hub: Vec<f64>,
    gap: f64,
}

fn rake_to_the_hub_curve(
    scenario: &Scenario,
    devs: &[Developer],
    models: &[Model],
    period_of: &[usize],
    growth: f64,
    total: f64,
) -> HubRake {
    let shares = &scenario.trajectories.period_totals;
    let totals: [f64; 4] = std::array::from_fn(|p| shares.get(p) * total);
    let curve = profile::hub_curve(period_of, &totals, growth);
    let mut hub = vec![1.0; period_of.len()];
    let mut pass = 0;
    loop {
        let mass = period_mass(models, &hub, period_of, growth);
        let rake = rake::rake(scenario, devs, models, &mass, total);
        let raked = weekly_expected(models, &rake, &hub, period_of, growth);
        let gap = raked
            .iter()
            .zip(&curve)
            .filter(|(r, _)| **r > 0.0)
            .map(|(r, c)| (r / c).ln().abs())
            .fold(0.0, f64::max);
        pass += 1;
        if gap < HUB_CONVERGED || pass == HUB_PASSES {
            return HubRake { rake, hub, gap };
        }
        for (w, h) in hub.iter_mut().enumerate() {
            if raked[w] > 0.0 {
                *h *= curve[w] / raked[w];
            }
        }
    }
}

/// Each model's expected interest summed over each period's weeks.
fn period_mass(models: &[Model], hub: &[f64], period_of: &[usize], growth: f64) -> Vec<[f64; 4]> {
    models
        .iter()
        .map(|m| {
            let mut e = [0.0; 4];
            if m.popularity > 0.0 {
                for (w, &p) in period_of.iter().enumerate().skip(m.first_week) {
                    e[p] += m.popularity * shape(m, w, growth) * hub[w];
                }
            }
            e
        })
        .collect()
}

/// The raked expected downloads of all models, week by week.
fn weekly_expected(
    models: &[Model],
    rake: &RakeOutcome,
    hub: &[f64],
    period_of: &[usize],
    growth: f64,
) -> Vec<f64> {
    let mut out = vec![0.0; period_of.len()];
    for (i, m) in models
        .iter()
        .enumerate()
        .filter(|(_, m)| m.popularity > 0.0)
    {
        for (w, &p) in period_of.iter().enumerate().skip(m.first_week) {
            out[w] += m.popularity * shape(m, w, growth) * hub[w] * rake.factor(i, p);
        }
    }
    out
}

fn draw(
    models: &[Model],
    rake: &RakeOutcome,
    hub: &[f64],
    period_of: &[usize],
    growth: f64,
    rng: &mut Pcg64,
) -> Cumulative {
    let mut offsets = Vec::with_capacity(models.len() + 1);
    let mut values = Vec::new();
    offsets.push(0);
    for (i, m) in models.iter().enumerate() {
        if m.popularity > 0.0 {
            let mut cum = 0u64;
            for (w, &period) in period_of.iter().enumerate().skip(m.first_week) {
                let trial = if w < m.first_week + TRIAL_WEEKS {
                    TRIAL_DOWNLOADS
                } else {
                    0.0
                };
                let mu =
                    m.popularity * shape(m, w, growth) * hub[w] * rake.factor(i, period) + trial;
                cum = cum.saturating_add(poisson(mu, rng));
                values.push(cum);
            }
        }
        offsets.push(values.len());
    }
    Cumulative { offsets, values }
}

/// A Poisson draw (normal approximation above 1e7).
fn poisson(mu: f64, rng: &mut Pcg64) -> u64 {
    if mu.is_nan() || mu <= 1e-9 || !mu.is_finite() {
        0
    } else if mu > 1e7 {
        let z: f64 = Normal::new(0.0, 1.0).map(|n| n.sample(rng)).unwrap_or(0.0);
        (mu + mu.sqrt() * z).max(0.0).round() as u64
    } else {
        Poisson::new(mu).map(|p| p.sample(rng) as u64).unwrap_or(0)
    }
}

/// Models with downloads and at least `weeks` snapshots of history.
fn candidates(models: &[Model], cum: &Cumulative, n_weeks: usize, weeks: usize) -> Vec<u32> {
    (0..models.len())
        .filter(|&i| cum.offsets[i + 1] > cum.offsets[i] && n_weeks - models[i].first_week >= weeks)
        .filter(|&i| cum.at(models, i, n_weeks - 1).unwrap_or(0) > 20)
        .map(|i| i as u32)
        .collect()
}

fn plant(
    scenario: &Scenario,
    models: &[Model],
    cum: &Cumulative,
    n_weeks: usize,
    layout: Layout,
    rng: &mut Pcg64,
) -> Anomalies {
    let a = &scenario.anomalies;
    let pool = candidates(models, cum, n_weeks, 10);
    let mut out = Anomalies::default();
    if pool.is_empty() {
        return out;
    }
    let mut used = std::collections::BTreeSet::new();
    let mut pick = |rng: &mut Pcg64| -> Option<u32> {
        (0..50)
            .map(|_| pool[rng.random_range(0..pool.len())])
            .find(|i| used.insert(*i))
    };
    let week_in =
        |i: u32, rng: &mut Pcg64| rng.random_range(models[i as usize].first_week + 2..n_weeks - 3);
    for _ in 0..a.missing_models {
        if let Some(i) = pick(rng) {
            out.missing.push((i, week_in(i, rng)));
        }
    }
    for _ in 0..a.counter_glitches {
        let Some(i) = pick(rng) else { continue };
        let found = (0..50)
            .map(|_| week_in(i, rng))
            .find(|&w| cum.at(models, i as usize, w - 1).unwrap_or(0) > 1);
        if let Some(w) = found {
            let before = cum.at(models, i as usize, w - 1).unwrap_or(0);
            out.glitches.push((i, w, before - (before / 10).max(1)));
        }
    }
    for _ in 0..a.duplicate_rows {
        if let Some(i) = pick(rng) {
            let w = if layout == Layout::Compact {
                n_weeks - 1
            } else {
                week_in(i, rng)
            };
            out.duplicates.push((i, w));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_draws_are_non_negative_and_centred() {
        let mut rng = <Pcg64 as rand::SeedableRng>::seed_from_u64(9);
        assert_eq!(poisson(0.0, &mut rng), 0);
        let n = 2000;
        let mean = (0..n).map(|_| poisson(50.0, &mut rng)).sum::<u64>() as f64 / n as f64;
        assert!((mean - 50.0).abs() < 1.5, "{mean}");
        let big = poisson(1e9, &mut rng) as f64;
        assert!((big - 1e9).abs() < 1e6);
    }
}
