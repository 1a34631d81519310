//! Adjustment for testing many hypotheses at once.

use crate::error::{Result, StatsError, invalid};

/// Benjamini-Hochberg adjusted p-values (false discovery rate), in the
/// order of `p_values`: `q_(i) = min_{j >= i} min(1, m p_(j) / j)` over the
/// p-values sorted ascending. Reject at FDR `alpha` where `q <= alpha`.
/// Each p-value must be in `[0, 1]`.
pub fn benjamini_hochberg(p_values: &[f64]) -> Result<Vec<f64>> {
    const WHAT: &str = "benjamini_hochberg";
    if p_values.is_empty() {
        return Err(StatsError::Empty { what: WHAT });
    }
    if let Some(p) = p_values.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(invalid(
            WHAT,
            format!("p-values must be in [0, 1], got {p}"),
        ));
    }
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]).then(a.cmp(&b)));
    let mut adjusted = vec![0.0; m];
    let mut running_min: f64 = 1.0;
    for (rank, &index) in order.iter().enumerate().rev() {
        running_min = running_min.min(p_values[index] * m as f64 / (rank + 1) as f64);
        adjusted[index] = running_min;
    }
    Ok(adjusted)
}
