//! Concentration of downloads across keys (developers, family roots, models,
//! country groups), on plain slices.
//!
//! Every function takes non-negative *amounts* (downloads per key, in any
//! unit) and turns them into shares `s_i = x_i / sum(x)` itself, so passing
//! shares that already sum to one gives the same answer, and scaling every
//! amount by a positive constant changes nothing. A key with a zero amount
//! counts as a member of the population (it raises `n` and the Gini) but
//! holds no share.
//!
//! Conventions (see `notes/METHODS-stats.md`):
//! - empty input, negative, NaN or infinite values are errors;
//! - when every amount is zero, the Gini is 0 (perfect equality) and every
//!   share-based index (HHI, top-k share, entropy, Lorenz curve, effective
//!   number) is an error ([`StatsError::ZeroTotal`]), because shares are
//!   undefined;
//! - normalized HHI is 0 when there is one key;
//! - the Gini is the population Gini unless [`GiniConvention::SampleCorrected`]
//!   asks for the `n / (n - 1)` correction (0 when `n = 1`).

use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError, check_amounts, invalid};

/// Whether the Gini coefficient carries the `n / (n - 1)` small-sample correction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GiniConvention {
    /// `G = sum_i sum_j |x_i - x_j| / (2 n^2 mean)`, at most `(n - 1) / n`.
    /// The default: the Hub's developers are the whole population, not a sample.
    #[default]
    Population,
    /// `G * n / (n - 1)`, which reaches 1 when one key holds everything
    /// (defined as 0 when `n = 1`).
    SampleCorrected,
}

impl GiniConvention {
    /// The name written next to every Gini the crate reports.
    pub fn name(self) -> &'static str {
        match self {
            GiniConvention::Population => "population",
            GiniConvention::SampleCorrected => "sample_corrected_n_over_n_minus_1",
        }
    }
}

/// Which indices [`concentration`] and [`crate::concentration_by`] report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcentrationOptions {
    /// The Gini convention.
    pub gini: GiniConvention,
    /// The `k` of each top-k share (concentration ratio CR_k) to report.
    pub top_k: Vec<usize>,
}

impl Default for ConcentrationOptions {
    /// Population Gini; CR1, CR4 and CR10.
    fn default() -> Self {
        ConcentrationOptions {
            gini: GiniConvention::Population,
            top_k: vec![1, 4, 10],
        }
    }
}

/// The share held by the `k` largest keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopKShare {
    pub k: usize,
    pub share: f64,
}

/// Every concentration index of one set of amounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Concentration {
    /// Number of keys (including keys with a zero amount).
    pub n_keys: usize,
    /// Sum of the amounts.
    pub total: f64,
    /// Herfindahl-Hirschman index on shares, in `[1/n, 1]`.
    pub hhi: f64,
    /// The same on percentage shares, in `[10000/n, 10000]` (antitrust scale).
    pub hhi_points: f64,
    /// `(hhi - 1/n) / (1 - 1/n)`, in `[0, 1]`; 0 when `n = 1`.
    pub normalized_hhi: f64,
    /// Gini coefficient under `gini_convention`.
    pub gini: f64,
    /// The convention of `gini` (see [`GiniConvention::name`]).
    pub gini_convention: String,
    /// The top-k shares asked for, in the order asked.
    pub top_k: Vec<TopKShare>,
    /// `1 / hhi`: the number of equal-sized keys with the same HHI.
    pub effective_number: f64,
    /// Shannon entropy of the shares in nats, `-sum s ln s`, in `[0, ln n]`.
    pub entropy: f64,
}

/// A point of the Lorenz curve: the poorest `population_share` of keys hold
/// `value_share` of the total.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LorenzPoint {
    pub population_share: f64,
    pub value_share: f64,
}

/// Checks amounts and returns their total, refusing an all-zero input.
fn positive_total(what: &'static str, values: &[f64]) -> Result<f64> {
    let total = check_amounts(what, values)?;
    if total > 0.0 {
        Ok(total)
    } else {
        Err(StatsError::ZeroTotal { what })
    }
}

/// Herfindahl-Hirschman index `sum_i s_i^2` of the shares of `values`, in `[1/n, 1]`.
pub fn hhi(values: &[f64]) -> Result<f64> {
    let total = positive_total("hhi", values)?;
    Ok(values.iter().map(|x| (x / total).powi(2)).sum())
}

/// HHI on percentage shares, `10000 * hhi`, the antitrust scale (0-10,000).
pub fn hhi_points(values: &[f64]) -> Result<f64> {
    Ok(10_000.0 * hhi(values)?)
}

/// Normalized HHI `(H - 1/n) / (1 - 1/n)` in `[0, 1]`: 0 for equal shares,
/// 1 for one key holding everything. Defined as 0 when `n = 1`, where the
/// only possible distribution is also the most equal one.
pub fn normalized_hhi(values: &[f64]) -> Result<f64> {
    let h = hhi(values)?;
    Ok(normalize_hhi(h, values.len()))
}

/// The normalization of an HHI over `n` keys, shared with the frame version.
pub(crate) fn normalize_hhi(h: f64, n: usize) -> f64 {
    if n <= 1 {
        return 0.0;
    }
    let floor = 1.0 / n as f64;
    ((h - floor) / (1.0 - floor)).clamp(0.0, 1.0)
}

/// Gini coefficient of `values` (zeros included) under `convention`.
///
/// Computed as `sum_i (2i - n - 1) x_(i) / (n * sum x)` over the values
/// sorted ascending (`i = 1..n`), which equals the mean absolute difference
/// over twice the mean. Defined as 0 when `n = 1` and when every value is 0.
pub fn gini(values: &[f64], convention: GiniConvention) -> Result<f64> {
    let total = check_amounts("gini", values)?;
    let n = values.len();
    if n == 1 || total == 0.0 {
        return Ok(0.0);
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let nf = n as f64;
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - nf - 1.0) * x)
        .sum();
    let population = (weighted / (nf * total)).clamp(0.0, 1.0);
    Ok(apply_gini_convention(population, n, convention))
}

/// Turns a population Gini over `n` keys into the requested convention.
pub(crate) fn apply_gini_convention(population: f64, n: usize, convention: GiniConvention) -> f64 {
    match convention {
        GiniConvention::Population => population,
        GiniConvention::SampleCorrected if n <= 1 => 0.0,
        GiniConvention::SampleCorrected => {
            (population * n as f64 / (n as f64 - 1.0)).clamp(0.0, 1.0)
        }
    }
}

/// Share of the total held by the `k` largest values (the concentration
/// ratio CR_k); 1 when `k >= n`. `k = 0` is an error.
pub fn top_k_share(values: &[f64], k: usize) -> Result<f64> {
    if k == 0 {
        return Err(invalid("top_k_share", "k must be at least 1"));
    }
    let total = positive_total("top_k_share", values)?;
    if k >= values.len() {
        return Ok(1.0);
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    Ok((sorted[..k].iter().sum::<f64>() / total).min(1.0))
}

/// The Lorenz curve: `n + 1` points from `(0, 0)` to `(1, 1)`, the `i`-th
/// being the share of the total held by the `i` smallest values.
pub fn lorenz_curve(values: &[f64]) -> Result<Vec<LorenzPoint>> {
    let total = positive_total("lorenz_curve", values)?;
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mut points = Vec::with_capacity(sorted.len() + 1);
    points.push(LorenzPoint {
        population_share: 0.0,
        value_share: 0.0,
    });
    let mut running = 0.0;
    for (i, x) in sorted.iter().enumerate() {
        running += x;
        points.push(LorenzPoint {
            population_share: (i as f64 + 1.0) / n,
            value_share: (running / total).min(1.0),
        });
    }
    Ok(points)
}

/// Effective number of keys `1 / hhi`: `n` for equal shares, 1 for a monopoly.
pub fn effective_number(values: &[f64]) -> Result<f64> {
    Ok(1.0 / hhi(values)?)
}

/// Shannon entropy of the shares in nats, `-sum_i s_i ln s_i` with
/// `0 ln 0 = 0`, in `[0, ln n]`.
pub fn shannon_entropy(values: &[f64]) -> Result<f64> {
    let total = positive_total("shannon_entropy", values)?;
    let entropy: f64 = values
        .iter()
        .filter(|&&x| x > 0.0)
        .map(|x| {
            let s = x / total;
            -s * s.ln()
        })
        .sum();
    Ok(entropy.max(0.0))
}

/// Every concentration index of `values` at once.
pub fn concentration(values: &[f64], options: &ConcentrationOptions) -> Result<Concentration> {
    let total = positive_total("concentration", values)?;
    let h = hhi(values)?;
    let top_k = options
        .top_k
        .iter()
        .map(|&k| top_k_share(values, k).map(|share| TopKShare { k, share }))
        .collect::<Result<Vec<_>>>()?;
    Ok(Concentration {
        n_keys: values.len(),
        total,
        hhi: h,
        hhi_points: 10_000.0 * h,
        normalized_hhi: normalize_hhi(h, values.len()),
        gini: gini(values, options.gini)?,
        gini_convention: options.gini.name().to_string(),
        top_k,
        effective_number: 1.0 / h,
        entropy: shannon_entropy(values)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    /// Gini as the mean absolute difference over twice the mean, O(n^2).
    fn gini_brute(values: &[f64]) -> f64 {
        let n = values.len() as f64;
        let total: f64 = values.iter().sum();
        if total == 0.0 {
            return 0.0;
        }
        let mad: f64 = values
            .iter()
            .flat_map(|a| values.iter().map(move |b| (a - b).abs()))
            .sum();
        mad / (2.0 * n * total)
    }

    /// Top-k share by removing the maximum k times.
    fn top_k_brute(values: &[f64], k: usize) -> f64 {
        let mut rest = values.to_vec();
        let total: f64 = values.iter().sum();
        let mut taken = 0.0;
        for _ in 0..k.min(values.len()) {
            let (i, _) =
                rest.iter().enumerate().fold(
                    (0, f64::MIN),
                    |best, (i, &x)| {
                        if x > best.1 { (i, x) } else { best }
                    },
                );
            taken += rest.swap_remove(i);
        }
        taken / total
    }

    #[test]
    fn hhi_of_equal_shares_is_one_over_n() {
        for n in 1..=20 {
            let values = vec![3.5; n];
            assert!(close(hhi(&values).unwrap(), 1.0 / n as f64));
            assert!(close(hhi_points(&values).unwrap(), 10_000.0 / n as f64));
            assert!(close(effective_number(&values).unwrap(), n as f64));
            assert!(close(normalized_hhi(&values).unwrap(), 0.0));
            assert!(close(shannon_entropy(&values).unwrap(), (n as f64).ln()));
        }
    }

    #[test]
    fn hhi_by_hand() {
        // Shares 0.5, 0.3, 0.2: 0.25 + 0.09 + 0.04 = 0.38.
        assert!(close(hhi(&[50.0, 30.0, 20.0]).unwrap(), 0.38));
        assert!(close(hhi_points(&[50.0, 30.0, 20.0]).unwrap(), 3800.0));
        // (0.38 - 1/3) / (2/3) = 0.07.
        assert!(close(normalized_hhi(&[50.0, 30.0, 20.0]).unwrap(), 0.07));
        // Monopoly among zeros.
        assert!(close(normalized_hhi(&[0.0, 0.0, 9.0]).unwrap(), 1.0));
        assert!(close(normalized_hhi(&[7.0]).unwrap(), 0.0));
    }

    #[test]
    fn gini_of_one_winner_among_four_under_both_conventions() {
        let values = [0.0, 0.0, 0.0, 1.0];
        assert!(close(
            gini(&values, GiniConvention::Population).unwrap(),
            0.75
        ));
        assert!(close(
            gini(&values, GiniConvention::SampleCorrected).unwrap(),
            1.0
        ));
    }

    #[test]
    fn gini_edge_cases() {
        for convention in [GiniConvention::Population, GiniConvention::SampleCorrected] {
            assert_eq!(gini(&[5.0], convention).unwrap(), 0.0);
            assert_eq!(gini(&[0.0], convention).unwrap(), 0.0);
            assert_eq!(gini(&[0.0, 0.0, 0.0], convention).unwrap(), 0.0);
            assert_eq!(gini(&[2.0, 2.0], convention).unwrap(), 0.0);
        }
        // [1, 3]: mean abs difference (0 + 2 + 2 + 0) / (2 * 4 * 4) = 0.25.
        assert!(close(
            gini(&[1.0, 3.0], GiniConvention::Population).unwrap(),
            0.25
        ));
        assert!(close(
            gini(&[3.0, 1.0], GiniConvention::SampleCorrected).unwrap(),
            0.5
        ));
        assert!(matches!(
            gini(&[], GiniConvention::Population),
            Err(StatsError::Empty { .. })
        ));
        assert!(matches!(
            gini(&[1.0, -1.0], GiniConvention::Population),
            Err(StatsError::InvalidValue { index: 1, .. })
        ));
        assert!(gini(&[1.0, f64::NAN], GiniConvention::Population).is_err());
    }

    #[test]
    fn top_k_share_of_a_known_vector() {
        let values = [5.0, 1.0, 20.0, 4.0, 10.0, 0.0, 60.0];
        // Total 100; the four largest are 60, 20, 10, 5.
        assert!(close(top_k_share(&values, 1).unwrap(), 0.60));
        assert!(close(top_k_share(&values, 4).unwrap(), 0.95));
        assert!(close(top_k_share(&values, 7).unwrap(), 1.0));
        assert!(close(top_k_share(&values, 10).unwrap(), 1.0));
        assert!(top_k_share(&values, 0).is_err());
    }

    #[test]
    fn share_indices_refuse_all_zero_input() {
        let zeros = [0.0, 0.0];
        assert!(matches!(hhi(&zeros), Err(StatsError::ZeroTotal { .. })));
        assert!(matches!(
            top_k_share(&zeros, 1),
            Err(StatsError::ZeroTotal { .. })
        ));
        assert!(matches!(
            shannon_entropy(&zeros),
            Err(StatsError::ZeroTotal { .. })
        ));
        assert!(matches!(
            lorenz_curve(&zeros),
            Err(StatsError::ZeroTotal { .. })
        ));
        assert!(matches!(hhi(&[]), Err(StatsError::Empty { .. })));
    }

    #[test]
    fn lorenz_curve_by_hand() {
        let points = lorenz_curve(&[3.0, 0.0, 1.0]).unwrap();
        let expected = [(0.0, 0.0), (1.0 / 3.0, 0.0), (2.0 / 3.0, 0.25), (1.0, 1.0)];
        assert_eq!(points.len(), expected.len());
        for (p, (x, y)) in points.iter().zip(expected) {
            assert!(close(p.population_share, x) && close(p.value_share, y));
        }
    }

    #[test]
    fn entropy_by_hand() {
        let expected = -(0.5f64 * 0.5f64.ln() + 2.0 * 0.25 * 0.25f64.ln());
        assert!(close(
            shannon_entropy(&[2.0, 1.0, 1.0, 0.0]).unwrap(),
            expected
        ));
        assert_eq!(shannon_entropy(&[0.0, 4.0]).unwrap(), 0.0);
    }

    #[test]
    fn concentration_collects_every_index() {
        let values = [5.0, 1.0, 20.0, 4.0, 10.0, 0.0, 60.0];
        let c = concentration(&values, &ConcentrationOptions::default()).unwrap();
        assert_eq!(c.n_keys, 7);
        assert!(close(c.total, 100.0));
        assert!(close(c.hhi, hhi(&values).unwrap()));
        assert_eq!(
            c.top_k.iter().map(|t| t.k).collect::<Vec<_>>(),
            vec![1, 4, 10]
        );
        assert!(close(c.top_k[1].share, 0.95));
        assert_eq!(c.gini_convention, "population");
    }

    fn amounts() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(prop_oneof![Just(0.0), 0.0..1e6f64, 1.0..10.0f64], 1..40)
            .prop_filter("some positive amount", |v| v.iter().any(|&x| x > 0.0))
    }

    proptest! {
        #[test]
        fn gini_matches_the_mean_absolute_difference(values in amounts()) {
            let g = gini(&values, GiniConvention::Population).unwrap();
            prop_assert!(close(g, gini_brute(&values)));
            let n = values.len() as f64;
            prop_assert!((0.0..=(n - 1.0) / n + 1e-12).contains(&g));
            let corrected = gini(&values, GiniConvention::SampleCorrected).unwrap();
            prop_assert!((0.0..=1.0).contains(&corrected));
        }

        #[test]
        fn top_k_matches_brute_force(values in amounts(), k in 1usize..12) {
            prop_assert!(close(top_k_share(&values, k).unwrap(), top_k_brute(&values, k)));
        }

        #[test]
        fn indices_are_invariant_to_order_and_scale(
            values in amounts(), factor in 1e-3..1e3f64, rotate in 0usize..40,
        ) {
            let mut other: Vec<f64> = values.iter().map(|x| x * factor).collect();
            other.reverse();
            let len = other.len();
            other.rotate_left(rotate % len);
            let options = ConcentrationOptions { gini: GiniConvention::SampleCorrected, top_k: vec![1, 3] };
            let a = concentration(&values, &options).unwrap();
            let b = concentration(&other, &options).unwrap();
            prop_assert!(close(a.hhi, b.hhi));
            prop_assert!(close(a.gini, b.gini));
            prop_assert!(close(a.entropy, b.entropy));
            prop_assert!(close(a.top_k[0].share, b.top_k[0].share));
            prop_assert!(close(a.top_k[1].share, b.top_k[1].share));
        }

        #[test]
        fn indices_stay_in_bounds(values in amounts()) {
            let n = values.len() as f64;
            let c = concentration(&values, &ConcentrationOptions::default()).unwrap();
            prop_assert!(c.hhi >= 1.0 / n - 1e-12 && c.hhi <= 1.0 + 1e-12);
            prop_assert!((0.0..=1.0).contains(&c.normalized_hhi));
            prop_assert!(c.effective_number >= 1.0 - 1e-9 && c.effective_number <= n + 1e-9);
            prop_assert!(c.entropy >= 0.0 && c.entropy <= n.ln() + 1e-9);
            let mut previous = 0.0;
            for t in &c.top_k {
                prop_assert!(t.share >= previous - 1e-12 && t.share <= 1.0);
                prop_assert!(t.share >= (t.k as f64 / n).min(1.0) - 1e-9);
                previous = t.share;
            }
            let lorenz = lorenz_curve(&values).unwrap();
            prop_assert!(lorenz.windows(2).all(|w| w[1].value_share >= w[0].value_share));
            prop_assert!(lorenz.iter().all(|p| p.value_share <= p.population_share + 1e-9));
            prop_assert!(close(lorenz.last().unwrap().value_share, 1.0));
        }

        #[test]
        fn merging_two_developers_raises_hhi(values in amounts(), i in 0usize..40, j in 0usize..40) {
            prop_assume!(values.len() >= 2);
            let (i, j) = (i % values.len(), j % values.len());
            prop_assume!(i != j && values[i] > 0.0 && values[j] > 0.0);
            let mut merged = values.clone();
            merged[i] += merged[j];
            merged.remove(j);
            // H rises by exactly 2 s_i s_j > 0.
            let total: f64 = values.iter().sum();
            let gain = 2.0 * values[i] * values[j] / (total * total);
            if gain > 1e-12 {
                prop_assert!(hhi(&merged).unwrap() > hhi(&values).unwrap());
            }
            prop_assert!(close(hhi(&merged).unwrap() - hhi(&values).unwrap(), gain));
        }

        #[test]
        fn merging_two_equal_developers_raises_hhi(values in amounts(), extra in 1.0..1e5f64) {
            let mut with_pair = values.clone();
            with_pair.extend([extra, extra]);
            let mut merged = values.clone();
            merged.push(2.0 * extra);
            prop_assert!(hhi(&merged).unwrap() > hhi(&with_pair).unwrap());
            prop_assert!(shannon_entropy(&merged).unwrap() < shannon_entropy(&with_pair).unwrap());
        }
    }
}
