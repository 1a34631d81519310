//! Per-model downloads by time bucket, and the seeded cluster bootstrap
//! that puts intervals on concentration indices (05) and on their change
//! between two buckets.
//!
//! The resampling unit is the key the index is computed across (a developer,
//! or a family root), with all its models: resampling single models would
//! merge two draws of a developer's top model into one larger developer and
//! bias HHI upwards by about the sum of squared model shares. The bootstrap
//! is joint across buckets: one replicate draws keys with replacement from
//! every key with downloads in any bucket of the panel, each draw a distinct
//! pseudo-key bringing its downloads in every bucket, and recomputes the
//! indices of every bucket on that draw. Marginal percentiles give each
//! bucket's interval; paired replicates give the interval and a test of a
//! difference between buckets. A replicate is a vector of draw counts per
//! key; each bucket's keys are sorted once, largest first, so every index
//! of a replicate is one pass over them (no sort per replicate).

use anyhow::Context as _;
use hubecon_stats::{ConcentrationOptions, TestResult, TimeBucket, concentration};
use polars::prelude::*;
use rayon::prelude::*;

/// polars' hash map (foldhash), faster than std's on text keys.
type HashMap<K, V> = PlHashMap<K, V>;

use crate::context::Context;
use crate::numbering::MODEL_NUMBER;
use hubecon_stats::ordered_codes;

/// Column names of [`model_bucket_downloads`].
pub mod mb {
    pub const MODEL_ID: &str = "model_id";
    pub const BUCKET: &str = "bucket";
    pub const DOWNLOADS: &str = "downloads";
}

/// One row per (bucket, model) with downloads in the bucket: `bucket`,
/// `model_id`, `downloads` (Float64) and one column per `(name, expression)`
/// of `keep`, an expression over the models table. Sorted by bucket, model.
pub fn model_bucket_downloads(
    ctx: &Context,
    bucket: &TimeBucket,
    keep: &[(&str, Expr)],
) -> anyhow::Result<DataFrame> {
    let mut models_cols = vec![col(MODEL_NUMBER), col(mb::MODEL_ID)];
    models_cols.extend(keep.iter().map(|(name, e)| e.clone().alias(*name)));
    let models = ctx.numbered_models()?.select(models_cols);
    let lf = ctx.downloads_of(models)?;
    let lf = hubecon_stats::add_bucket(lf, "week", bucket, mb::BUCKET)?;
    let mut aggs = vec![
        col(mb::MODEL_ID).first(),
        col(mb::DOWNLOADS)
            .sum()
            .cast(DataType::Float64)
            .alias(mb::DOWNLOADS),
    ];
    aggs.extend(keep.iter().map(|(name, _)| col(*name).first()));
    let mut columns = vec![col(mb::BUCKET), col(mb::MODEL_ID), col(mb::DOWNLOADS)];
    columns.extend(keep.iter().map(|(name, _)| col(*name)));
    // Numbers sort like the ids (crate::numbering).
    Ok(lf
        .group_by([col(mb::BUCKET), col(MODEL_NUMBER)])
        .agg(aggs)
        .sort([mb::BUCKET, MODEL_NUMBER], SortMultipleOptions::default())
        .select(columns)
        .collect()?)
}

/// One row per (bucket, key) with downloads: `bucket`, the key (text, in
/// column `key`), `downloads` (Float64), sorted by bucket and key. A
/// model's key is `key_expr`, an expression over the models table.
pub fn key_bucket_downloads(
    ctx: &Context,
    bucket: &TimeBucket,
    key: &str,
    key_expr: Expr,
) -> anyhow::Result<DataFrame> {
    // Grouped on a code per key, so the text is hashed once per model, not
    // once per downloaded week.
    const CODE: &str = "__key_code";
    let models = ctx
        .numbered_models()?
        .select([
            col(MODEL_NUMBER),
            key_expr.clone().alias(key),
            key_expr.alias(CODE),
        ])
        .collect()?;
    let codes = ordered_codes(models.column(CODE)?.str()?).with_name(CODE.into());
    let mut models = models;
    models.with_column(codes.into_column())?;
    let lf = ctx.downloads_of(models.lazy())?;
    let lf = hubecon_stats::add_bucket(lf, "week", bucket, mb::BUCKET)?;
    // The codes sort like the keys: no string comparison in the sort.
    Ok(lf
        .group_by([col(mb::BUCKET), col(CODE)])
        .agg([
            col(key).first(),
            col(mb::DOWNLOADS)
                .sum()
                .cast(DataType::Float64)
                .alias(mb::DOWNLOADS),
        ])
        .sort([mb::BUCKET, CODE], SortMultipleOptions::default())
        .select([col(mb::BUCKET), col(key), col(mb::DOWNLOADS)])
        .collect()?)
}

/// The concentration indices reported across keys (developers or family
/// roots): HHI on 0-1 shares, population Gini, CR4 and CR10.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Indices {
    pub hhi: f64,
    pub gini: f64,
    pub cr4: f64,
    pub cr10: f64,
}

/// The names of [`Indices`]' fields, in [`Indices::values`] order.
pub const INDEX_NAMES: [&str; 4] = ["hhi", "gini", "cr4", "cr10"];

/// The options under which [`Indices`] are computed (population Gini, CR4, CR10).
pub fn options() -> ConcentrationOptions {
    ConcentrationOptions {
        top_k: vec![4, 10],
        ..ConcentrationOptions::default()
    }
}

impl Indices {
    /// The indices of positive amounts per key.
    pub fn of(amounts: &[f64]) -> anyhow::Result<Self> {
        let c = concentration(amounts, &options())?;
        let top = |k: usize| {
            c.top_k
                .iter()
                .find(|t| t.k == k)
                .map_or(f64::NAN, |t| t.share)
        };
        Ok(Self {
            hhi: c.hhi,
            gini: c.gini,
            cr4: top(4),
            cr10: top(10),
        })
    }

    /// The indices of amounts given largest first, each with a
    /// multiplicity (zero multiplicities and amounts are skipped), in one
    /// pass: `HHI = sum c x^2 / T^2`, the population Gini
    /// `((n + 1) T - 2 sum_d d x_(d)) / (n T)` over descending ranks `d`,
    /// and CR_k from the first `k` ranks. `None` when nothing is positive.
    pub fn from_descending(amounts: impl Iterator<Item = (f64, u32)>) -> Option<Self> {
        let (mut n, mut total, mut squares, mut ranked) = (0.0, 0.0, 0.0, 0.0);
        let (mut top4, mut top10) = (0.0, 0.0);
        // A zero multiplicity adds exactly 0 to every sum below, so only
        // the amounts are filtered: a bootstrap draw leaves a third of the
        // keys out, and a branch on it is mispredicted that often.
        let mut positive = amounts.filter(|(x, _)| *x > 0.0);
        // Ranks n + 1 ..= n + c hold x: their sum is c n + c (c + 1) / 2.
        for (x, c) in positive.by_ref() {
            let c = f64::from(c);
            ranked += x * (c * n + c * (c + 1.0) / 2.0);
            top4 += x * (4.0 - n).clamp(0.0, c);
            top10 += x * (10.0 - n).clamp(0.0, c);
            n += c;
            total += c * x;
            squares += c * x * x;
            if n >= 10.0 {
                break;
            }
        }
        // Past rank 10 the top-k sums are complete.
        for (x, c) in positive {
            let c = f64::from(c);
            ranked += x * (c * n + c * (c + 1.0) / 2.0);
            n += c;
            total += c * x;
            squares += c * x * x;
        }
        (total > 0.0).then(|| Self {
            hhi: squares / (total * total),
            gini: (((n + 1.0) * total - 2.0 * ranked) / (n * total)).clamp(0.0, 1.0),
            cr4: (top4 / total).min(1.0),
            cr10: (top10 / total).min(1.0),
        })
    }

    pub fn values(&self) -> [f64; 4] {
        [self.hhi, self.gini, self.cr4, self.cr10]
    }
}

/// Keys (developers or family roots) with their downloads in each bucket
/// of a panel: the resampling units of the cluster bootstrap.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Bucket labels, in time order.
    pub buckets: Vec<String>,
    /// Per bucket: (key index, downloads) of the keys with downloads in
    /// it, largest first (ties by key), so a replicate needs no sort.
    sorted: Vec<Vec<(usize, f64)>>,
    n_units: usize,
}

impl Panel {
    /// From a frame with rows of (bucket, key, downloads), e.g. one per
    /// (bucket, model): the bucket column is cast to text and matched
    /// against `buckets` (other buckets are left out); downloads are summed
    /// by (key, bucket). A null key is an error.
    pub fn from_frame(
        df: &DataFrame,
        buckets: &[String],
        bucket_col: &str,
        key_col: &str,
    ) -> anyhow::Result<Self> {
        let bucket = df.column(bucket_col)?.cast(&DataType::String)?;
        let (bucket, key, amount) = (
            bucket.str()?,
            df.column(key_col)?.str()?,
            df.column(mb::DOWNLOADS)?.f64()?,
        );
        let position: HashMap<&str, usize> = buckets
            .iter()
            .enumerate()
            .map(|(i, b)| (b.as_str(), i))
            .collect();
        // Keys numbered as first seen, then renumbered in key order below
        // (the unit a draw picks must not depend on the row order).
        let mut seen: HashMap<&str, usize> = HashMap::default();
        let mut sums: HashMap<(usize, usize), f64> = HashMap::default();
        for ((b, k), a) in bucket.iter().zip(key.iter()).zip(amount.iter()) {
            let (Some(b), Some(a)) = (b, a) else { continue };
            let Some(&i) = position.get(b) else { continue };
            let k = k.with_context(|| format!("a row of bucket {b} has no {key_col}"))?;
            anyhow::ensure!(
                a.is_finite() && a >= 0.0,
                "{key_col} {k} has invalid downloads {a}"
            );
            let next = seen.len();
            let first_seen = *seen.entry(k).or_insert(next);
            *sums.entry((first_seen, i)).or_default() += a;
        }
        let unit_of = units_in_key_order(&seen);
        let mut sorted = vec![Vec::new(); buckets.len()];
        for ((first_seen, b), a) in sums.into_iter().filter(|(_, a)| *a > 0.0) {
            sorted[b].push((unit_of[first_seen], a));
        }
        for cells in &mut sorted {
            cells.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        }
        Ok(Self {
            buckets: buckets.to_vec(),
            sorted,
            n_units: seen.len(),
        })
    }

    /// Number of keys (resampling units).
    pub fn n_units(&self) -> usize {
        self.n_units
    }

    /// The indices of every bucket when key `i` is drawn `counts[i]` times
    /// (a key drawn twice counts as two keys); `None` for a bucket without
    /// downloads in the draw.
    pub fn indices_of(&self, counts: &[u32]) -> Vec<Option<Indices>> {
        self.sorted
            .iter()
            .map(|cells| {
                let drawn = cells.iter().map(|&(u, a)| (a, counts[u]));
                Indices::from_descending(drawn)
            })
            .collect()
    }

    /// The indices of every bucket on the full sample.
    pub fn indices(&self) -> Vec<Option<Indices>> {
        self.indices_of(&vec![1; self.n_units])
    }

    /// `replicates` bootstrap replicates (keys drawn with replacement,
    /// seeded): `[replicate][bucket]`.
    ///
    /// The draws are those of one generator drawing the replicates one
    /// after another (replicate `r` takes its draws `r n + 1 ..= (r + 1) n`),
    /// so they do not depend on the number of threads. The generator
    /// counts its state forward, so each replicate starts its own copy at
    /// its first draw and all replicates run in parallel.
    pub fn bootstrap(&self, replicates: usize, seed: u64) -> Vec<Vec<Option<Indices>>> {
        let n = self.n_units;
        (0..replicates)
            .into_par_iter()
            .map_init(
                || vec![0u32; n],
                |counts, r| {
                    let mut rng = SplitMix64::at_draw(seed, r as u64 * n as u64);
                    counts.fill(0);
                    for _ in 0..n {
                        counts[rng.below(n)] += 1;
                    }
                    self.indices_of(counts)
                },
            )
            .collect()
    }
}

/// The unit number of each key (indexed by first-seen number): its
/// position among the keys in text order.
fn units_in_key_order(seen: &HashMap<&str, usize>) -> Vec<usize> {
    let mut keys: Vec<(&str, usize)> = seen.iter().map(|(k, i)| (*k, *i)).collect();
    keys.sort_unstable();
    let mut unit_of = vec![0; keys.len()];
    for (unit, (_, first_seen)) in keys.into_iter().enumerate() {
        unit_of[first_seen] = unit;
    }
    unit_of
}

/// Percentile interval `(low, high)` at `level` of the defined values
/// (linear interpolation between order statistics); NaN when none is defined.
pub fn percentile_interval(values: impl Iterator<Item = f64>, level: f64) -> (f64, f64) {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let alpha = (1.0 - level) / 2.0;
    (quantile(&v, alpha), quantile(&v, 1.0 - alpha))
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
}

/// The interval of index `index` (position in [`INDEX_NAMES`]) in bucket `b`.
pub fn bucket_interval(
    reps: &[Vec<Option<Indices>>],
    b: usize,
    index: usize,
    level: f64,
) -> (f64, f64) {
    percentile_interval(
        reps.iter().filter_map(|r| r[b].map(|i| i.values()[index])),
        level,
    )
}

/// The change of one index from bucket `a` to bucket `b`: estimate, its
/// percentile interval, and a bootstrap test of no change.
#[derive(Debug, Clone)]
pub struct Change {
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub test: TestResult,
}

/// The change `I_b - I_a` of index `index` with its paired-replicate
/// interval and the p-value every contrast of the study uses
/// ([`hubecon_stats::cluster_bootstrap::sign_p_value`]: twice the smaller
/// share of replicates on either side of zero), over the replicates where
/// both buckets are defined.
pub fn change(
    point: &[Option<Indices>],
    reps: &[Vec<Option<Indices>>],
    a: usize,
    b: usize,
    index: usize,
    level: f64,
    n_units: usize,
) -> Option<Change> {
    let d = point[b]?.values()[index] - point[a]?.values()[index];
    let diffs: Vec<f64> = reps
        .iter()
        .filter_map(|r| Some(r[b]?.values()[index] - r[a]?.values()[index]))
        .collect();
    if diffs.is_empty() {
        return None;
    }
    let (ci_low, ci_high) = percentile_interval(diffs.iter().copied(), level);
    let name = INDEX_NAMES[index];
    let test = TestResult {
        test: format!(
            "cluster bootstrap of the change in {name} (developers or roots resampled jointly across both buckets, percentile interval, B = {})",
            diffs.len()
        ),
        statistic_name: format!("difference in {name}"),
        statistic: d,
        df: None,
        p_value: hubecon_stats::cluster_bootstrap::sign_p_value(&diffs),
        effect_size_name: format!("difference in {name}"),
        effect_size: d,
        n: n_units as f64,
    };
    Some(Change {
        estimate: d,
        ci_low,
        ci_high,
        test,
    })
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small seeded generator, so
/// replicates are identical on every platform and run.
struct SplitMix64(u64);

impl SplitMix64 {
    /// The state's step per draw.
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

    /// The generator seeded with `seed` after `draws` draws.
    fn at_draw(seed: u64, draws: u64) -> Self {
        Self(seed.wrapping_add(draws.wrapping_mul(Self::GAMMA)))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(Self::GAMMA);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform index below `n` (multiply-shift; `n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel() -> Panel {
        let df = df!(
            "bucket" => ["a", "a", "a", "b", "b", "b"],
            "model_id" => ["m1", "m2", "m3", "m1", "m3", "m4"],
            "author" => ["x", "x", "y", "x", "y", "z"],
            "downloads" => [6.0, 2.0, 2.0, 1.0, 1.0, 2.0],
        )
        .unwrap();
        Panel::from_frame(&df, &["a".into(), "b".into()], "bucket", "author").unwrap()
    }

    #[test]
    fn full_sample_indices_sum_models_by_key() {
        let p = panel();
        let ix = p.indices();
        // Bucket a: x = 8, y = 2 -> shares 0.8, 0.2 -> HHI 0.68.
        assert!((ix[0].unwrap().hhi - 0.68).abs() < 1e-12);
        // Bucket b: x = 1, y = 1, z = 2 -> HHI 0.375; CR4 = 1.
        assert!((ix[1].unwrap().hhi - 0.375).abs() < 1e-12);
        assert_eq!(ix[1].unwrap().cr4, 1.0);
    }

    #[test]
    fn bootstrap_is_seeded_and_a_drawn_key_is_a_distinct_key() {
        let p = panel();
        assert_eq!(p.n_units(), 3);
        let r1 = p.bootstrap(50, 7);
        assert_eq!(r1, p.bootstrap(50, 7));
        assert_ne!(r1, p.bootstrap(50, 8));
        // Drawing z twice: bucket a empty; in bucket b two keys of 2 each,
        // not one monopolist.
        let only = p.indices_of(&[0, 0, 2]);
        assert!(only[0].is_none());
        assert!((only[1].unwrap().hhi - 0.5).abs() < 1e-12);
        // Drawing x twice keeps x's downloads in both buckets together.
        let x = p.indices_of(&[2, 0, 0]);
        assert!((x[0].unwrap().hhi - 0.5).abs() < 1e-12 && (x[1].unwrap().hhi - 0.5).abs() < 1e-12);
    }

    /// The replicates are those of one generator drawing them one after
    /// another, whichever replicate a thread starts from.
    #[test]
    fn replicates_are_one_generators_draws_in_order() {
        let p = panel();
        let n = p.n_units();
        let mut rng = SplitMix64(11);
        let sequential: Vec<Vec<Option<Indices>>> = (0..40)
            .map(|_| {
                let mut counts = vec![0u32; n];
                for _ in 0..n {
                    counts[rng.below(n)] += 1;
                }
                p.indices_of(&counts)
            })
            .collect();
        assert_eq!(p.bootstrap(40, 11), sequential);
    }

    /// Amounts, each repeated by its count, in any order.
    fn expanded(pairs: &[(f64, u32)]) -> Vec<f64> {
        pairs
            .iter()
            .flat_map(|&(x, c)| std::iter::repeat_n(x, c as usize))
            .collect()
    }

    #[test]
    fn one_pass_indices_match_the_stats_crate_with_multiplicities() {
        let cases: [&[(f64, u32)]; 4] = [
            &[(50.0, 1), (30.0, 1), (20.0, 1)],
            &[(90.0, 3), (40.0, 0), (7.0, 2), (7.0, 5), (1.0, 9), (0.5, 1)],
            &[(5.0, 12)],
            &[(1000.0, 1), (3.0, 2), (2.0, 4), (1.0, 7)],
        ];
        for pairs in cases {
            let fast = Indices::from_descending(pairs.iter().copied()).unwrap();
            let reference = Indices::of(&expanded(pairs)).unwrap();
            for (a, b) in fast.values().iter().zip(reference.values()) {
                assert!((a - b).abs() < 1e-12, "{pairs:?}: {a} vs {b}");
            }
        }
        assert!(Indices::from_descending([(3.0, 0), (0.0, 2)].into_iter()).is_none());
    }

    #[test]
    fn full_sample_indices_match_concentration_by() {
        let df = df!(
            "bucket" => ["a", "a", "a", "a", "b", "b"],
            "model_id" => ["m1", "m2", "m3", "m5", "m1", "m4"],
            "author" => ["x", "x", "y", "w", "x", "z"],
            "downloads" => [6.0, 2.0, 2.0, 0.5, 1.0, 2.0],
        )
        .unwrap();
        let buckets = ["a".to_string(), "b".to_string()];
        let panel = Panel::from_frame(&df, &buckets, "bucket", "author").unwrap();
        let frame = hubecon_stats::concentration_by(
            df.lazy(),
            &["bucket"],
            "author",
            "downloads",
            &options(),
        )
        .unwrap();
        for (b, ix) in panel.indices().iter().enumerate() {
            let ix = ix.unwrap();
            let get = |c: &str| frame.column(c).unwrap().f64().unwrap().get(b).unwrap();
            assert!((ix.hhi - get("hhi")).abs() < 1e-12);
            assert!((ix.gini - get("gini")).abs() < 1e-12);
            assert!((ix.cr4 - get("top4_share")).abs() < 1e-12);
        }
    }

    #[test]
    fn change_p_is_twice_the_smaller_tail_of_its_replicates() {
        let one = |h| {
            Some(Indices {
                hhi: h,
                gini: 0.0,
                cr4: 1.0,
                cr10: 1.0,
            })
        };
        let point = vec![one(0.2), one(0.3)];
        // Replicate differences 0.1 +- 0.01, all above zero: p is the
        // smallest a sign test of 99 replicates gives, 2 (0 + 1) / 100.
        let reps: Vec<Vec<Option<Indices>>> = (0..99)
            .map(|i| vec![one(0.2), one(0.3 + (i % 3) as f64 * 0.01 - 0.01)])
            .collect();
        let c = change(&point, &reps, 0, 1, 0, 0.95, 10).unwrap();
        assert!((c.estimate - 0.1).abs() < 1e-12);
        assert_eq!(c.test.p_value, 0.02);
        assert!(c.ci_low < 0.1 && c.ci_high > 0.1 && c.ci_low > 0.08);
    }

    #[test]
    fn percentiles_interpolate() {
        let (lo, hi) = percentile_interval((0..=100).map(f64::from), 0.9);
        assert!((lo - 5.0).abs() < 1e-12 && (hi - 95.0).abs() < 1e-12);
        assert!(percentile_interval(std::iter::empty(), 0.9).0.is_nan());
    }
}
