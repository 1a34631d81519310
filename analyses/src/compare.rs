//! Comparing two runs of the study (a baseline and a candidate, e.g. last
//! month's snapshot and this month's): every headline number that moved,
//! whether it moved outside the baseline's interval, and every claim whose
//! verdict changed.

use serde::Serialize;

use crate::claims::{ClaimResult, Numbers, Verdict, evaluate};

/// One headline number in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub key: String,
    pub baseline: Option<f64>,
    pub candidate: Option<f64>,
    /// `candidate - baseline`, when both are measured.
    pub change: Option<f64>,
    /// The candidate lies outside the baseline's interval (`None` when the
    /// baseline has no interval).
    pub outside_interval: Option<bool>,
}

/// A claim whose verdict differs between the runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flipped {
    pub id: String,
    pub claim: String,
    pub baseline: Verdict,
    pub candidate: Verdict,
    pub baseline_measured: String,
    pub candidate_measured: String,
}

/// Everything that changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub moved: Vec<Moved>,
    pub flipped: Vec<Flipped>,
}

/// Compares every key present in either run (a key only in one run is a
/// move from or to "not measured"). Equal values are not listed.
pub fn compare(baseline: &Numbers, candidate: &Numbers) -> Comparison {
    let mut keys: Vec<&String> = baseline.keys().chain(candidate.keys()).collect();
    keys.sort();
    keys.dedup();
    let moved = keys
        .into_iter()
        .filter_map(|k| moved(k, baseline, candidate))
        .collect();
    Comparison {
        moved,
        flipped: flipped(&evaluate(baseline), &evaluate(candidate)),
    }
}

fn moved(key: &str, baseline: &Numbers, candidate: &Numbers) -> Option<Moved> {
    let (a, b) = (baseline.get(key), candidate.get(key));
    if a == b {
        return None;
    }
    let field = |f: &str| {
        baseline
            .record(key)
            .and_then(|r| r.get(f))
            .and_then(|v| v.as_f64())
    };
    let outside = match (field("ci_low"), field("ci_high"), b) {
        (Some(lo), Some(hi), Some(v)) => Some(v < lo || v > hi),
        _ => None,
    };
    Some(Moved {
        key: key.to_string(),
        baseline: a,
        candidate: b,
        change: a.zip(b).map(|(a, b)| b - a),
        outside_interval: outside,
    })
}

fn flipped(baseline: &[ClaimResult], candidate: &[ClaimResult]) -> Vec<Flipped> {
    baseline
        .iter()
        .zip(candidate)
        .filter(|(a, b)| a.verdict != b.verdict)
        .map(|(a, b)| Flipped {
            id: a.id.to_string(),
            claim: a.claim.to_string(),
            baseline: a.verdict,
            candidate: b.verdict,
            baseline_measured: a.measured.clone(),
            candidate_measured: b.measured.clone(),
        })
        .collect()
}

/// A plain-text report for the terminal.
pub fn report(c: &Comparison) -> String {
    let num = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.6}"));
    let mut s = format!("{} headline numbers moved:\n", c.moved.len());
    s.push_str(&format!(
        "{:<56} {:>14} {:>14} {:>14}  outside interval\n",
        "key", "baseline", "candidate", "change"
    ));
    for m in &c.moved {
        let outside = match m.outside_interval {
            Some(true) => "YES",
            Some(false) => "no",
            None => "-",
        };
        s.push_str(&format!(
            "{:<56} {:>14} {:>14} {:>14}  {outside}\n",
            m.key,
            num(m.baseline),
            num(m.candidate),
            num(m.change)
        ));
    }
    s.push_str(&format!("\n{} claims changed verdict:\n", c.flipped.len()));
    for f in &c.flipped {
        s.push_str(&format!(
            "{:<4} {} -> {}   ({} -> {})  {}\n",
            f.id,
            f.baseline.label(),
            f.candidate.label(),
            f.baseline_measured,
            f.candidate_measured,
            f.claim
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(
        dir: &std::path::Path,
        size_ratio: f64,
        low: f64,
        high: f64,
        extra: Option<f64>,
    ) -> Numbers {
        std::fs::create_dir_all(dir).unwrap();
        let mut numbers = json!({
            "size_ratio": {"value": size_ratio, "ci_low": low, "ci_high": high, "unit": "ratio", "description": "x"},
            "mean_params_first": {"value": 1.0e9, "unit": "parameters", "description": "x"},
            "size_difference": {"value": 1.0e9, "ci_low": 5.0e8, "ci_high": 2.0e9, "p_value": 0.002,
                                "unit": "parameters", "description": "x"}
        });
        if let Some(v) = extra {
            numbers["mean_params_last"] =
                json!({"value": v, "unit": "parameters", "description": "x"});
        }
        let doc = json!({"analysis": "07_model_size", "synthetic": true, "numbers": numbers, "tests": []});
        std::fs::write(dir.join("07_model_size.json"), doc.to_string()).unwrap();
        Numbers::load(dir).unwrap()
    }

    #[test]
    fn moved_numbers_are_listed_with_their_interval_check_and_flipped_claims() {
        let tmp = tempfile::tempdir().unwrap();
        let a = run(&tmp.path().join("a"), 16.0, 9.0, 30.0, None);
        let b = run(&tmp.path().join("b"), 5.0, 2.0, 8.0, Some(4.0e9));
        let c = compare(&a, &b);
        let keys: Vec<&str> = c.moved.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(
            keys,
            ["07.mean_params_last", "07.size_ratio"],
            "unchanged numbers are not listed"
        );
        let size = &c.moved[1];
        assert_eq!(size.change, Some(-11.0));
        assert_eq!(size.outside_interval, Some(true));
        assert_eq!(c.moved[0].baseline, None);
        let c6: Vec<&Flipped> = c.flipped.iter().filter(|f| f.id == "C6").collect();
        assert_eq!(c6.len(), 1);
        assert_eq!(
            (c6[0].baseline, c6[0].candidate),
            (Verdict::Holds, Verdict::DoesNotHold)
        );
        assert!(report(&c).contains("C6   holds -> does not hold"));
    }

    #[test]
    fn identical_runs_compare_empty() {
        let tmp = tempfile::tempdir().unwrap();
        let a = run(&tmp.path().join("a"), 16.0, 9.0, 30.0, None);
        let b = run(&tmp.path().join("b"), 16.0, 9.0, 30.0, None);
        let c = compare(&a, &b);
        assert!(c.moved.is_empty() && c.flipped.is_empty());
    }
}
