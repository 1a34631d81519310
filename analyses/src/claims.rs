//! Claims as code: every finding of STUDY.md (C1-C13) evaluated on the
//! headline numbers the analyses wrote (`figures/NN_slug.json`). The rules
//! live in [`crate::claim_rules`], how evidence becomes a verdict in
//! [`crate::claim_evidence`]; this module reads the numbers and writes the
//! results (`claims.json`, `claims.csv`, the terminal table).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;
use serde_json::Value;

/// The verdict of one claim on one dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Holds,
    DoesNotHold,
    /// Measured, but neither the claimed direction nor its opposite is
    /// significant at q < 0.05: the data cannot tell them apart.
    NotSignificant,
    NotMeasurable,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::DoesNotHold => "does not hold",
            Verdict::NotSignificant => "not significant",
            Verdict::NotMeasurable => "not measurable",
        }
    }
}

/// One evaluated claim (a row of `claims.csv` / an object of `claims.json`).
#[derive(Debug, Clone, Serialize)]
pub struct ClaimResult {
    pub id: &'static str,
    pub claim: &'static str,
    pub published: &'static str,
    pub measured: String,
    pub rule: &'static str,
    pub verdict: Verdict,
    /// Why a claim is not measurable, or what decided it.
    pub reason: String,
    /// The contrast that decided the verdict (`NN.key`) and its test; empty
    /// for a claim decided without one.
    pub test_key: String,
    pub test: String,
    /// Its estimate (later minus earlier; a support for an order), interval,
    /// p-value and Benjamini-Hochberg q over the claims' decisive tests.
    pub effect: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p_value: Option<f64>,
    pub q_value: Option<f64>,
}

/// The headline numbers of every analysis, keyed `NN.key` (e.g. `07.size_ratio`).
pub struct Numbers {
    values: BTreeMap<String, Value>,
    /// Each analysis's `coverage` (span, periods, contrast), keyed `NN`.
    coverage: BTreeMap<String, Value>,
    pub synthetic: bool,
}

impl Numbers {
    /// Reads every `NN_*.json` in `figures`.
    pub fn load(figures: &Path) -> anyhow::Result<Self> {
        let mut values = BTreeMap::new();
        let mut coverage = BTreeMap::new();
        let mut synthetic = false;
        // A missing figures folder is a mistake in the call (exit 2 in the
        // CLI), as a missing prepared dataset is.
        let entries = std::fs::read_dir(figures)
            .map_err(|e| hubecon_ingest::IngestError::io(figures, e))
            .with_context(|| format!("reading the figures folder {}", figures.display()))?;
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            let name = f
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            // `get`, not `[..2]`: a non-ASCII name (`é1_x.json`) is skipped,
            // not a panic on a char boundary.
            let number = name
                .get(..2)
                .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_string);
            let Some(number) = number.filter(|_| name.ends_with(".json") && name.len() > 3) else {
                continue;
            };
            let text =
                std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
            let json: Value =
                serde_json::from_str(&text).with_context(|| format!("parsing {}", f.display()))?;
            synthetic |= json
                .get("synthetic")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if let Some(c) = json.get("coverage") {
                coverage.insert(name[..2].to_string(), c.clone());
            }
            if let Some(Value::Object(nums)) = json.get("numbers") {
                for (k, v) in nums {
                    values.insert(format!("{number}.{k}"), v.clone());
                }
            }
        }
        Ok(Self {
            values,
            coverage,
            synthetic,
        })
    }

    /// The periods analysis `nn`'s contrasts compare, `(earlier, later)`.
    pub(crate) fn contrast(&self, nn: &str) -> Option<(&str, &str)> {
        let c = self.coverage.get(nn)?;
        Some((c.get("earlier")?.as_str()?, c.get("later")?.as_str()?))
    }

    /// True when analysis `nn`'s data covers study period `period`; true
    /// too for outputs written before coverage was recorded.
    pub(crate) fn covers(&self, nn: &str, period: &str) -> bool {
        match self.coverage.get(nn).and_then(|c| c.get("periods")) {
            Some(Value::Array(p)) => p.iter().any(|x| x.as_str() == Some(period)),
            _ => !self.coverage.contains_key(nn),
        }
    }

    /// The span analysis `nn` saw, in words.
    pub(crate) fn span(&self, nn: &str) -> String {
        let c = self.coverage.get(nn);
        let week = |k: &str| {
            c.and_then(|c| c.get(k))
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        };
        format!(
            "the data covers {} to {}",
            week("first_week"),
            week("last_week")
        )
    }

    /// The span, the periods and the contrast of the analyses, in words
    /// (the paper's `{{span}}`); from the first analysis that recorded them.
    pub fn coverage_text(&self) -> String {
        let Some(c) = self.coverage.values().next() else {
            return "an unrecorded span (outputs written before coverage was recorded)".into();
        };
        let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
        let periods: Vec<String> = match c.get("periods") {
            Some(Value::Array(p)) => p
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        let (Some(first), Some(last)) = (text("first_week"), text("last_week")) else {
            return "no weekly downloads (a single-date input)".into();
        };
        let contrast = match (text("earlier"), text("later")) {
            (Some(a), Some(b)) => format!("first-vs-last contrasts compare {a} with {b}"),
            _ => "the span holds one study period, so no contrast is measurable".into(),
        };
        format!(
            "the weeks from {first} to {last} (study periods {}); {contrast}",
            periods.join(", ")
        )
    }

    /// Why `key` has no value: its own note when the analysis wrote one.
    pub(crate) fn note(&self, key: &str) -> Option<&str> {
        self.values.get(key)?.get("note")?.as_str()
    }

    /// The full record of `NN.key` (value, ci_low, ci_high, unit, ...).
    pub fn record(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// The value of `NN.key`, when measured.
    pub fn get(&self, key: &str) -> Option<f64> {
        self.values.get(key)?.get("value")?.as_f64()
    }

    pub(crate) fn field(&self, key: &str, field: &str) -> Option<f64> {
        self.values.get(key)?.get(field)?.as_f64()
    }

    pub(crate) fn text(&self, key: &str, field: &str) -> Option<String> {
        Some(self.values.get(key)?.get(field)?.as_str()?.to_string())
    }

    /// True when analysis `nn` recorded its coverage.
    pub(crate) fn has_coverage(&self, nn: &str) -> bool {
        self.coverage.contains_key(nn)
    }

    /// Every key, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.values.keys()
    }
}

/// Every claim of STUDY.md with its rule, decided on this data.
pub fn evaluate(n: &Numbers) -> Vec<ClaimResult> {
    let decisions = crate::claim_evidence::decide(crate::claim_rules::findings(n));
    crate::claim_rules::CLAIMS
        .iter()
        .zip(decisions)
        .map(|(c, d)| {
            let e = d.decisive.as_ref();
            ClaimResult {
                id: c.id,
                claim: c.claim,
                published: c.published,
                measured: d.measured,
                rule: c.rule,
                verdict: d.verdict,
                reason: d.reason,
                test_key: e.map(|e| e.key.clone()).unwrap_or_default(),
                test: e.map(|e| e.test.clone()).unwrap_or_default(),
                effect: e.map(|e| e.effect),
                ci_low: e.and_then(|e| e.ci_low),
                ci_high: e.and_then(|e| e.ci_high),
                p_value: e.map(|e| e.p_value),
                q_value: d.q_value,
            }
        })
        .collect()
}

/// `claims.csv` text: one row per claim.
pub fn csv(results: &[ClaimResult]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "claim",
        "published",
        "measured",
        "rule",
        "verdict",
        "reason",
        "test_key",
        "test",
        "effect",
        "ci_low",
        "ci_high",
        "p_value",
        "q_value",
    ])?;
    // Numbers at full precision, empty where there is none (NA in R and pandas).
    let num = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for r in results {
        w.write_record([
            r.id,
            r.claim,
            r.published,
            &r.measured,
            r.rule,
            r.verdict.label(),
            &r.reason,
            &r.test_key,
            &r.test,
            &num(r.effect),
            &num(r.ci_low),
            &num(r.ci_high),
            &num(r.p_value),
            &num(r.q_value),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// A plain-text table for the terminal.
pub fn table(results: &[ClaimResult]) -> String {
    let mut s = format!(
        "{:<4} {:<15} {:<58} {}\n",
        "id", "verdict", "measured", "claim"
    );
    for r in results {
        // Cut with an ellipsis, so a cut value is not read as a whole one.
        let measured: String = if r.measured.chars().count() > 58 {
            r.measured.chars().take(57).chain(['…']).collect()
        } else {
            r.measured.clone()
        };
        s.push_str(&format!(
            "{:<4} {:<15} {:<58} {}\n",
            r.id,
            r.verdict.label(),
            measured,
            r.claim
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    //! A figures folder may hold files that no analysis wrote, with any
    //! name: non-ASCII names are skipped, never a panic (claims, compare,
    //! paper and the dashboard all read the numbers through `Numbers::load`).
    use super::Numbers;
    use crate::compare::compare;

    fn figures_with_odd_names() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let numbers = r#"{"numbers": {"models": {"value": 12}}}"#;
        std::fs::write(dir.path().join("01_overview.json"), numbers).unwrap();
        // 'é' and 'ü' are two bytes, '€' three: `name[..2]` cut into the last
        // two and was only by luck whole for the first.
        for odd in ["é1_x.json", "ü.json", "1é_x.json", "€9_y.json", "9.json"] {
            std::fs::write(
                dir.path().join(odd),
                r#"{"numbers": {"models": {"value": 99}}}"#,
            )
            .unwrap();
        }
        dir
    }

    #[test]
    fn non_ascii_figure_names_are_skipped_without_a_panic() {
        let dir = figures_with_odd_names();
        let n = Numbers::load(dir.path()).unwrap();
        assert_eq!(n.get("01.models"), Some(12.0));
        for stray in ["é1.models", "ü..models", "1é.models", "9..models"] {
            assert_eq!(n.get(stray), None, "{stray}");
        }
        assert!(n.record("01.models").is_some());
    }

    #[test]
    fn compare_reads_two_such_folders() {
        let (a, b) = (figures_with_odd_names(), figures_with_odd_names());
        let c = compare(
            &Numbers::load(a.path()).unwrap(),
            &Numbers::load(b.path()).unwrap(),
        );
        let report = crate::compare::report(&c);
        assert!(!report.contains("é1"), "{report}");
    }
}

#[cfg(test)]
mod verdict_tests {
    use super::*;

    /// A figures folder with `files`: (file name, numbers object).
    fn numbers(files: &[(&str, serde_json::Value)]) -> Numbers {
        let dir = tempfile::tempdir().unwrap();
        for (name, nums) in files {
            let doc = serde_json::json!({ "numbers": nums });
            std::fs::write(dir.path().join(name), doc.to_string()).unwrap();
        }
        Numbers::load(dir.path()).unwrap()
    }

    fn contrast(v: f64, lo: f64, hi: f64, p: f64) -> serde_json::Value {
        serde_json::json!({"value": v, "ci_low": lo, "ci_high": hi, "p_value": p, "test": "t"})
    }

    fn size(ratio: f64, difference: serde_json::Value) -> (&'static str, serde_json::Value) {
        (
            "07_model_size.json",
            serde_json::json!({"size_ratio": {"value": ratio}, "size_difference": difference}),
        )
    }

    fn verdict_of(n: &Numbers, id: &str) -> ClaimResult {
        evaluate(n).into_iter().find(|r| r.id == id).unwrap()
    }

    #[test]
    fn a_growth_is_decided_by_its_difference_and_checked_by_its_ratio() {
        let c6 = |ratio, d| verdict_of(&numbers(&[size(ratio, d)]), "C6");
        assert_eq!(
            c6(17.0, contrast(1e9, 5e8, 2e9, 0.002)).verdict,
            Verdict::Holds
        );
        let weak = c6(17.0, contrast(1e9, -1e8, 2e9, 0.2));
        assert_eq!(
            weak.verdict,
            Verdict::NotSignificant,
            "an estimate of 17 is not enough"
        );
        assert_eq!(weak.p_value, Some(0.2));
        assert_eq!(weak.test_key, "07.size_difference");
        assert_eq!(
            c6(0.5, contrast(-1e9, -2e9, -5e8, 0.002)).verdict,
            Verdict::DoesNotHold
        );
        let far = c6(3.0, contrast(1e9, 5e8, 2e9, 0.002));
        assert_eq!(
            far.verdict,
            Verdict::DoesNotHold,
            "significant, but far from 17x"
        );
        assert!(far.reason.contains("within"), "{}", far.reason);
    }

    #[test]
    fn a_ratio_with_a_zero_base_leaves_the_direction_to_decide() {
        let n = numbers(&[(
            "08_model_properties.json",
            serde_json::json!({
                "moe_ratio": {"value": null, "note": "not estimable: the base period <=2022 has a mean of zero"},
                "moe_difference": contrast(0.012, 0.004, 0.02, 0.002)}),
        )]);
        let c9 = verdict_of(&n, "C9");
        assert_eq!(c9.verdict, Verdict::Holds, "{}", c9.reason);
        assert!(c9.reason.contains("not estimable"), "{}", c9.reason);
    }

    fn concentration(changes: [(f64, f64); 4]) -> Numbers {
        let level = serde_json::json!({"value": 0.05});
        let keys = [
            "hhi_developers_change_2022_2024",
            "gini_developers_change_2022_2024",
            "hhi_developers_change_2024_2025",
            "gini_developers_change_2024_2025",
        ];
        let mut nums = serde_json::json!({
            "hhi_developers_2022": level, "hhi_developers_2024": level, "hhi_developers_2025": level,
        });
        for (k, (v, p)) in keys.iter().zip(changes) {
            nums[*k] = contrast(v, v - 0.01, v + 0.01, p);
        }
        numbers(&[("05_concentration.json", nums)])
    }

    #[test]
    fn concentration_needs_all_four_moves_of_hhi_and_gini() {
        let c13 = |c| verdict_of(&concentration(c), "C13").verdict;
        let shown = [(-0.02, 0.002), (-0.02, 0.002), (0.01, 0.002), (0.01, 0.002)];
        assert_eq!(c13(shown), Verdict::Holds);
        let mut gini_rises = shown;
        gini_rises[1] = (0.02, 0.002);
        assert_eq!(c13(gini_rises), Verdict::DoesNotHold, "Gini rising to 2024");
        let mut weak = shown;
        weak[2] = (0.01, 0.3);
        assert_eq!(c13(weak), Verdict::NotSignificant);
    }

    #[test]
    fn claims_carry_the_test_that_decided_them_into_the_csv() {
        let n = numbers(&[size(17.0, contrast(1e9, 5e8, 2e9, 0.002))]);
        let text = csv(&evaluate(&n)).unwrap();
        let header = text.lines().next().unwrap();
        assert!(header.ends_with("test_key,test,effect,ci_low,ci_high,p_value,q_value"));
        let c6 = text.lines().find(|l| l.starts_with("C6,")).unwrap();
        assert!(
            c6.contains("07.size_difference,t,1000000000,500000000,2000000000,0.002,0.002"),
            "{c6}"
        );
    }
}
