//! The Hub's weekly downloads over time: one continuous curve through the
//! planted period totals.
//!
//! Raking scales each period to its planted total. Left alone, models
//! accumulating inside a period make its last weeks far busier than its
//! first, so the next period starts several times lower: a drop every
//! 1 January that no real Hub shows. A common weekly factor, fitted so the
//! raked aggregate follows this curve, removes the drop and keeps every
//! period's total and shares.

/// Fixed-point passes that bring the midpoint values to the period totals.
const PASSES: usize = 50;

/// Weekly totals, log-linear between the periods' middle weeks (with
/// `growth_per_week` before the first and after the last), whose sum over
/// each period's weeks is its total. `period_of[w]` is week `w`'s period.
pub fn hub_curve(period_of: &[usize], totals: &[f64; 4], growth_per_week: f64) -> Vec<f64> {
    let spans = spans(period_of);
    let middles: Vec<f64> = spans
        .iter()
        .map(|s| s.map_or(f64::NAN, |(a, b)| (a + b - 1) as f64 / 2.0))
        .collect();
    let present: Vec<usize> = (0..4).filter(|p| spans[*p].is_some()).collect();
    let mut level = [1.0f64; 4];
    for (p, s) in spans.iter().enumerate() {
        if let Some((a, b)) = s {
            level[p] = (totals[p] / (b - a) as f64).max(f64::MIN_POSITIVE);
        }
    }
    let mut curve = vec![0.0; period_of.len()];
    for _ in 0..PASSES {
        curve = interpolate(period_of.len(), &present, &middles, &level, growth_per_week);
        for &p in &present {
            let (a, b) = spans[p].expect("present periods have weeks");
            let sum: f64 = curve[a..b].iter().sum();
            if sum > 0.0 {
                level[p] *= totals[p] / sum;
            }
        }
    }
    curve
}

/// First and one-past-last week of each period (None: no week in it).
fn spans(period_of: &[usize]) -> [Option<(usize, usize)>; 4] {
    let mut out = [None; 4];
    for (w, &p) in period_of.iter().enumerate() {
        out[p] = Some(match out[p] {
            None => (w, w + 1),
            Some((a, _)) => (a, w + 1),
        });
    }
    out
}

/// The curve through `(middles[p], level[p])` for the present periods,
/// linear in the logarithm.
fn interpolate(
    n_weeks: usize,
    present: &[usize],
    middles: &[f64],
    level: &[f64; 4],
    growth_per_week: f64,
) -> Vec<f64> {
    let knots: Vec<(f64, f64)> = present
        .iter()
        .map(|&p| (middles[p], level[p].ln()))
        .collect();
    let (first, last) = (knots[0], knots[knots.len() - 1]);
    (0..n_weeks)
        .map(|w| {
            let x = w as f64;
            let log = if x <= first.0 {
                first.1 + growth_per_week * (x - first.0)
            } else if x >= last.0 {
                last.1 + growth_per_week * (x - last.0)
            } else {
                let k = knots
                    .windows(2)
                    .find(|k| x <= k[1].0)
                    .expect("x is inside the knots");
                let t = (x - k[0].0) / (k[1].0 - k[0].0);
                k[0].1 + t * (k[1].1 - k[0].1)
            };
            log.exp()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn periods() -> Vec<usize> {
        // 30, 10, 10 and 6 weeks.
        [(0, 30), (1, 10), (2, 10), (3, 6)]
            .iter()
            .flat_map(|&(p, n)| std::iter::repeat_n(p, n))
            .collect()
    }

    #[test]
    fn the_curve_keeps_every_period_total() {
        let totals = [0.1, 0.17, 0.3, 0.43];
        let curve = hub_curve(&periods(), &totals, 0.01);
        let sums: Vec<f64> = [0..30, 30..40, 40..50, 50..56]
            .into_iter()
            .map(|r| curve[r].iter().sum())
            .collect();
        for (got, want) in sums.iter().zip(totals) {
            assert!((got - want).abs() < 1e-9 * want, "{sums:?}");
        }
    }

    #[test]
    fn the_curve_has_no_step_between_periods() {
        // Per-week averages jump by 5.1x, 1.8x and 2.4x between periods; the
        // curve moves by a few percent a week.
        let curve = hub_curve(&periods(), &[0.1, 0.17, 0.3, 0.43], 0.01);
        let worst = curve
            .windows(2)
            .map(|w| (w[1] / w[0]).ln().abs())
            .fold(0.0, f64::max);
        assert!(worst < 0.25, "largest week-on-week change {worst}");
    }
}
