//! Claims as code: every finding of STUDY.md (C1-C13), the rule that decides
//! whether it holds, evaluated on the headline numbers the analyses wrote
//! (`figures/NN_slug.json`). Each claim's rule is written next to it here,
//! and only here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;
use serde_json::Value;

use hubecon_stats::STUDY_PERIODS;

/// The verdict of one claim on one dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Holds,
    DoesNotHold,
    /// Measured, but the interval does not exclude no change: the data
    /// cannot tell the claimed direction from its opposite.
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
    fn contrast(&self, nn: &str) -> Option<(&str, &str)> {
        let c = self.coverage.get(nn)?;
        Some((c.get("earlier")?.as_str()?, c.get("later")?.as_str()?))
    }

    /// True when analysis `nn`'s data covers study period `period`; true
    /// too for outputs written before coverage was recorded.
    fn covers(&self, nn: &str, period: &str) -> bool {
        match self.coverage.get(nn).and_then(|c| c.get("periods")) {
            Some(Value::Array(p)) => p.iter().any(|x| x.as_str() == Some(period)),
            _ => !self.coverage.contains_key(nn),
        }
    }

    /// The span analysis `nn` saw, in words.
    fn span(&self, nn: &str) -> String {
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
    fn note(&self, key: &str) -> Option<&str> {
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

    fn field(&self, key: &str, field: &str) -> Option<f64> {
        self.values.get(key)?.get(field)?.as_f64()
    }

    /// Every key, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.values.keys()
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// What a rule returns: the measured text and the verdict with its reason.
type Outcome = (String, Verdict, String);

/// Not measurable: the note of the first key without a value (it names the
/// span when the data do not cover a period), else that the keys are absent.
fn missing(n: &Numbers, keys: &[&str]) -> Outcome {
    let why = keys
        .iter()
        .filter(|k| n.get(k).is_none())
        .find_map(|k| n.note(k).map(|note| format!("{k}: {note}")))
        .unwrap_or_else(|| {
            format!(
                "no value for {} (run the analyses first, or the data lack it)",
                keys.join(", ")
            )
        });
    ("-".into(), Verdict::NotMeasurable, why)
}

/// Not measurable unless analysis `nn` compared the paper's periods.
fn needs_paper_contrast(n: &Numbers, id: &str, key: &str) -> Option<Outcome> {
    let nn = &key[..2];
    let (first, last) = (STUDY_PERIODS[0], STUDY_PERIODS[STUDY_PERIODS.len() - 1]);
    match n.contrast(nn) {
        Some((a, b)) if a == first && b == last => None,
        None if !n.coverage.contains_key(nn) => None,
        other => {
            let this = other.map_or("none".to_string(), |(a, b)| format!("{a} with {b}"));
            Some((
                "-".into(),
                Verdict::NotMeasurable,
                format!(
                    "{}; {id} compares {first} with {last} (this span's contrast, {this}, is in {key})",
                    n.span(nn)
                ),
            ))
        }
    }
}

fn decide(ok: bool, why: String) -> (Verdict, String) {
    (
        if ok {
            Verdict::Holds
        } else {
            Verdict::DoesNotHold
        },
        why,
    )
}

/// A claimed growth, decided by its developer-cluster bootstrap interval:
/// an interval above 1 with the estimate within a factor of two of the
/// published ratio holds; an interval below 1, or a significant growth far
/// from the published one, does not hold; an interval that contains 1 is
/// not significant (and so is a ratio reported without one).
fn ratio_claim(n: &Numbers, id: &str, key: &str, published: f64) -> Outcome {
    if let Some(out) = needs_paper_contrast(n, id, key) {
        return out;
    }
    let Some(r) = n.get(key) else {
        return missing(n, &[key]);
    };
    let lo = n.field(key, "ci_low");
    let hi = n.field(key, "ci_high");
    let measured = match (lo, hi) {
        (Some(l), Some(h)) => format!("{r:.2}x [{l:.2}, {h:.2}]"),
        _ => format!("{r:.2}x"),
    };
    let band = (published / 2.0, published * 2.0);
    let in_band = r >= band.0 && r <= band.1;
    // The direction from the difference behind the ratio when the analysis
    // wrote it (stable where the ratio's base is near zero), else from the
    // ratio's interval against 1.
    let difference = key.replace("_ratio", "_difference");
    let (shown, by) = match (
        n.field(&difference, "ci_low"),
        n.field(&difference, "ci_high"),
    ) {
        (Some(l), Some(h)) => (direction(Some(l), Some(h)), "the difference's 95% interval"),
        _ => (
            direction(lo.map(|l| l - 1.0), hi.map(|h| h - 1.0)),
            "the ratio's 95% interval",
        ),
    };
    let (verdict, why) = match shown {
        Some(true) if in_band => (
            Verdict::Holds,
            format!(
                "a rise shown by {by}; estimate inside [{:.2}, {:.2}]",
                band.0, band.1
            ),
        ),
        Some(true) => (
            Verdict::DoesNotHold,
            format!(
                "a rise shown by {by}, but the estimate is outside [{:.2}, {:.2}]",
                band.0, band.1
            ),
        ),
        Some(false) => (Verdict::DoesNotHold, format!("a decline shown by {by}")),
        None if lo.is_none() && n.field(&difference, "ci_low").is_none() => (
            Verdict::NotSignificant,
            "no interval: the evidence cannot be judged".into(),
        ),
        None => (Verdict::NotSignificant, format!("{by} contains no change")),
    };
    (measured, verdict, why)
}

/// Every claim of STUDY.md with its rule.
pub fn evaluate(n: &Numbers) -> Vec<ClaimResult> {
    let mut out = Vec::new();
    let mut push = |id, claim, published, rule, (measured, verdict, reason): Outcome| {
        out.push(ClaimResult {
            id,
            claim,
            published,
            measured,
            rule,
            verdict,
            reason,
        });
    };

    push(
        "C1",
        "scale of the study",
        "851,000 models; 2.2B downloads; weekly, Jun 2020 - Aug 2025",
        "not measurable on synthetic data; on real data: models >= 90% of 851,000 and the weeks span Jun 2020 to Aug 2025",
        c1_scale(n),
    );
    push(
        "C2",
        "US industry (Google, Meta, OpenAI) share of downloads declined sharply",
        "declined sharply",
        "share 2025 <= half of share <=2022 (direct lens)",
        falls_by_half(n, "04.us_big3_share_2022", "04.us_big3_share_2025"),
    );
    push(
        "C3",
        "unaffiliated developers and community organizations gained share",
        "about 30% to over 60%",
        "community+user share rises and exceeds 50% in 2025",
        c3_community(n),
    );
    push(
        "C4",
        "recent-year country shares (new models, one-year window)",
        "International/Online 23.8%, China 17.1%, USA 15.8%",
        "rank order International/Online > China > USA (direct lens)",
        c4_rank(n),
    );
    push(
        "C5",
        "DeepSeek and Qwen rise from negligible to a large share in 2025",
        "about 14% combined",
        "share <=2022 below 1% and share 2025 at least 7% (half the published value)",
        c5_chinese_labs(n),
    );
    push(
        "C6",
        "average model size",
        "17x increase",
        "interval above 1 and ratio within [x/2, 2x] of 17; interval containing 1: not significant",
        ratio_claim(n, "C6", "07.size_ratio", 17.0),
    );
    push(
        "C7",
        "multimodal generation",
        "3.4x increase",
        "interval above 1 and ratio within [x/2, 2x] of 3.4; interval containing 1: not significant",
        ratio_claim(n, "C7", "08.multimodal_ratio", 3.4),
    );
    push(
        "C8",
        "quantization",
        "5x increase",
        "interval above 1 and ratio within [x/2, 2x] of 5; interval containing 1: not significant",
        ratio_claim(n, "C8", "08.quantized_ratio", 5.0),
    );
    push(
        "C9",
        "mixture-of-experts architectures",
        "7x increase",
        "interval above 1 and ratio within [x/2, 2x] of 7; interval containing 1: not significant",
        ratio_claim(n, "C9", "08.moe_ratio", 7.0),
    );
    push(
        "C10",
        "open-weights models surpass truly open-source models for the first time in 2025",
        "first in 2025",
        "the first year in which the open-weights share exceeds the open-source share is 2025",
        c10_openness(n),
    );
    push(
        "C11",
        "training-data transparency falls (download-weighted)",
        "disclosed+available 79.3/58.5/53.5/39.8%; undisclosed 9.8/23.4/31.6/43.1%",
        "disclosed+available falls and undisclosed rises from <=2022 to 2025, each within 10 points of the published 2025 value",
        c11_transparency(n),
    );
    push(
        "C12",
        "intermediaries capture a growing share",
        "a growing share",
        "intermediary share 2025 above <=2022",
        rises(
            n,
            "12.intermediary_share_2022",
            "12.intermediary_share_2025",
        ),
    );
    push(
        "C13",
        "deconcentration, then a possible new consolidation in 2025",
        "HHI and Gini fall, then HHI rises in 2025",
        "HHI across developers: 2024 below <=2022 and a 2024-2025 rise, each shown by its 95% cluster-bootstrap interval",
        c13_concentration(n),
    );
    out
}

fn c1_scale(n: &Numbers) -> Outcome {
    let (Some(models), Some(first), Some(last)) = (
        n.get("01.models"),
        n.get("01.first_week_year"),
        n.get("01.last_week_year"),
    ) else {
        return missing(n, &["01.models", "01.first_week_year", "01.last_week_year"]);
    };
    let measured = format!("{models:.0} models; weeks {first:.2} - {last:.2}");
    if n.synthetic {
        return (
            measured,
            Verdict::NotMeasurable,
            "synthetic sample: its size is a parameter, not a measurement".into(),
        );
    }
    let (v, why) = decide(
        models >= 0.9 * 851_000.0 && first <= 2020.5 && last >= 2025.6,
        "model count and time span against the study's".into(),
    );
    (measured, v, why)
}

fn falls_by_half(n: &Numbers, first: &str, last: &str) -> Outcome {
    let (Some(a), Some(b)) = (n.get(first), n.get(last)) else {
        return missing(n, &[first, last]);
    };
    let (v, why) = decide(b <= a / 2.0, format!("{} -> {}", pct(a), pct(b)));
    (format!("{} -> {}", pct(a), pct(b)), v, why)
}

fn rises(n: &Numbers, first: &str, last: &str) -> Outcome {
    let (Some(a), Some(b)) = (n.get(first), n.get(last)) else {
        return missing(n, &[first, last]);
    };
    let (v, why) = decide(b > a, format!("{} -> {}", pct(a), pct(b)));
    (format!("{} -> {}", pct(a), pct(b)), v, why)
}

fn c3_community(n: &Numbers) -> Outcome {
    let (k1, k2) = (
        "03.community_user_share_2022",
        "03.community_user_share_2025",
    );
    let (Some(a), Some(b)) = (n.get(k1), n.get(k2)) else {
        return missing(n, &[k1, k2]);
    };
    let (v, why) = decide(
        b > a && b > 0.5,
        format!("rises: {}; above 50%: {}", b > a, b > 0.5),
    );
    (format!("{} -> {}", pct(a), pct(b)), v, why)
}

fn c4_rank(n: &Numbers) -> Outcome {
    let keys = [
        "06.recent_share_international_online_direct",
        "06.recent_share_china_direct",
        "06.recent_share_usa_direct",
    ];
    let (Some(io), Some(cn), Some(us)) = (n.get(keys[0]), n.get(keys[1]), n.get(keys[2])) else {
        return missing(n, &keys);
    };
    let measured = format!(
        "International/Online {}, China {}, USA {}",
        pct(io),
        pct(cn),
        pct(us)
    );
    let (v, why) = decide(io > cn && cn > us, "rank order of the three groups".into());
    (measured, v, why)
}

fn c5_chinese_labs(n: &Numbers) -> Outcome {
    let (k1, k2) = ("04.deepseek_qwen_share_2022", "04.deepseek_qwen_share_2025");
    let (Some(a), Some(b)) = (n.get(k1), n.get(k2)) else {
        return missing(n, &[k1, k2]);
    };
    let (v, why) = decide(
        a < 0.01 && b >= 0.07,
        format!(
            "negligible before: {}; large in 2025: {}",
            a < 0.01,
            b >= 0.07
        ),
    );
    (format!("{} -> {}", pct(a), pct(b)), v, why)
}

fn c10_openness(n: &Numbers) -> Outcome {
    let key = "09.open_weights_surpass_year";
    // "For the first time" needs the years before: the span must start in
    // the first study period.
    if !n.covers("09", STUDY_PERIODS[0]) {
        return (
            "-".into(),
            Verdict::NotMeasurable,
            format!(
                "{}; C10 needs the years from {} on to tell the first year",
                n.span("09"),
                STUDY_PERIODS[0]
            ),
        );
    }
    let Some(record) = n.record(key) else {
        return missing(n, &[key]);
    };
    match record.get("value").and_then(Value::as_f64) {
        None => (
            "never".into(),
            Verdict::DoesNotHold,
            "open weights never overtake open source in the data".into(),
        ),
        Some(y) => {
            let (v, why) = decide(y.round() as i64 == 2025, format!("first year: {y:.0}"));
            (format!("{y:.0}"), v, why)
        }
    }
}

fn c11_transparency(n: &Numbers) -> Outcome {
    let keys = [
        "10.available_disclosed_share_2022",
        "10.available_disclosed_share_2025",
        "10.undisclosed_share_2022",
        "10.undisclosed_share_2025",
    ];
    let vals: Option<Vec<f64>> = keys.iter().map(|k| n.get(k)).collect();
    let Some(v) = vals else {
        return missing(n, &keys);
    };
    let measured = format!(
        "disclosed+available {} -> {}; undisclosed {} -> {}",
        pct(v[0]),
        pct(v[1]),
        pct(v[2]),
        pct(v[3])
    );
    let near = (v[1] - 0.398).abs() <= 0.10 && (v[3] - 0.431).abs() <= 0.10;
    let (verdict, why) = decide(
        v[1] < v[0] && v[3] > v[2] && near,
        format!(
            "directions right: {}; 2025 within 10 points: {near}",
            v[1] < v[0] && v[3] > v[2]
        ),
    );
    (measured, verdict, why)
}

/// The direction an interval shows: `Some(true)` above zero, `Some(false)`
/// below, `None` when it contains zero or is missing.
fn direction(low: Option<f64>, high: Option<f64>) -> Option<bool> {
    match (low, high) {
        (Some(l), _) if l > 0.0 => Some(true),
        (_, Some(h)) if h < 0.0 => Some(false),
        _ => None,
    }
}

/// Deconcentration (HHI across developers lower in 2024 than in <=2022:
/// their 95% cluster-bootstrap intervals apart) and a 2025 consolidation
/// (the bootstrap interval of the 2024-2025 change above zero). Both shown
/// holds; either opposite shown does not hold; otherwise not significant.
fn c13_concentration(n: &Numbers) -> Outcome {
    let keys = [
        "05.hhi_developers_2022",
        "05.hhi_developers_2024",
        "05.hhi_developers_2025",
        "05.hhi_developers_change_2024_2025",
    ];
    let (Some(a), Some(b), Some(c), Some(change)) = (
        n.get(keys[0]),
        n.get(keys[1]),
        n.get(keys[2]),
        n.get(keys[3]),
    ) else {
        return missing(n, &keys);
    };
    let measured = format!("HHI {a:.4} (<=2022), {b:.4} (2024), {c:.4} (2025)");
    let field = |k: &str, f: &str| n.field(k, f);
    // The fall: 2024's interval wholly below <=2022's is a shown fall.
    let fall = direction(
        field(keys[0], "ci_low")
            .zip(field(keys[1], "ci_high"))
            .map(|(l0, h1)| l0 - h1),
        field(keys[0], "ci_high")
            .zip(field(keys[1], "ci_low"))
            .map(|(h0, l1)| h0 - l1),
    );
    let rise = direction(field(keys[3], "ci_low"), field(keys[3], "ci_high"));
    let word = |d: Option<bool>, yes: &str, no: &str| match d {
        Some(true) => yes.to_string(),
        Some(false) => no.to_string(),
        None => "not significant".to_string(),
    };
    let why = format!(
        "deconcentration to 2024: {}; 2025 change {change:+.4}: {} (HHI across developers, 95% cluster-bootstrap intervals)",
        word(fall, "shown", "the opposite is shown"),
        word(rise, "a shown rise", "a shown fall")
    );
    let verdict = match (fall, rise) {
        (Some(true), Some(true)) => Verdict::Holds,
        (Some(false), _) | (_, Some(false)) => Verdict::DoesNotHold,
        _ => Verdict::NotSignificant,
    };
    (measured, verdict, why)
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
    ])?;
    for r in results {
        w.write_record([
            r.id,
            r.claim,
            r.published,
            &r.measured,
            r.rule,
            r.verdict.label(),
            &r.reason,
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

    /// A figures folder with 07's size ratio and 05's HHI numbers.
    fn numbers(
        ratio: (f64, f64, f64),
        hhi: [(f64, f64, f64); 3],
        change: (f64, f64, f64),
    ) -> Numbers {
        let dir = tempfile::tempdir().unwrap();
        let n =
            |(v, l, h): (f64, f64, f64)| serde_json::json!({"value": v, "ci_low": l, "ci_high": h});
        let size = serde_json::json!({"numbers": {"size_ratio": n(ratio)}});
        std::fs::write(dir.path().join("07_model_size.json"), size.to_string()).unwrap();
        let conc = serde_json::json!({"numbers": {
            "hhi_developers_2022": n(hhi[0]), "hhi_developers_2024": n(hhi[1]),
            "hhi_developers_2025": n(hhi[2]), "hhi_developers_change_2024_2025": n(change)}});
        std::fs::write(dir.path().join("05_concentration.json"), conc.to_string()).unwrap();
        Numbers::load(dir.path()).unwrap()
    }

    const HHI: [(f64, f64, f64); 3] = [
        (0.05, 0.045, 0.055),
        (0.03, 0.025, 0.035),
        (0.04, 0.035, 0.045),
    ];

    #[test]
    fn a_growth_is_decided_by_its_interval_not_its_estimate() {
        let verdict = |r| {
            ratio_claim(
                &numbers(r, HHI, (0.01, 0.005, 0.015)),
                "C6",
                "07.size_ratio",
                17.0,
            )
            .1
        };
        assert_eq!(verdict((17.0, 6.0, 40.0)), Verdict::Holds);
        assert_eq!(
            verdict((17.0, 0.9, 40.0)),
            Verdict::NotSignificant,
            "an estimate of 17 is not enough"
        );
        assert_eq!(verdict((0.5, 0.3, 0.8)), Verdict::DoesNotHold);
        assert_eq!(
            verdict((3.0, 1.5, 6.0)),
            Verdict::DoesNotHold,
            "significant, but far from 17x"
        );
    }

    /// A ratio whose base is near zero in some draws has a useless
    /// interval ([2.0, 6208.6] on the default sample's MoE share): the
    /// difference behind it decides the direction.
    #[test]
    fn the_difference_decides_the_direction_when_written() {
        let dir = tempfile::tempdir().unwrap();
        let doc = serde_json::json!({"numbers": {
            "moe_ratio": {"value": 7.0, "ci_low": 0.5, "ci_high": 6208.6},
            "moe_difference": {"value": 0.012, "ci_low": 0.004, "ci_high": 0.02}}});
        std::fs::write(dir.path().join("08_model_properties.json"), doc.to_string()).unwrap();
        let n = Numbers::load(dir.path()).unwrap();
        let (_, verdict, why) = ratio_claim(&n, "C9", "08.moe_ratio", 7.0);
        assert_eq!(verdict, Verdict::Holds, "{why}");
        assert!(why.contains("difference"), "{why}");
    }

    #[test]
    fn concentration_needs_both_moves_shown() {
        let verdict = |hhi, change| c13_concentration(&numbers((17.0, 6.0, 40.0), hhi, change)).1;
        assert_eq!(verdict(HHI, (0.01, 0.005, 0.015)), Verdict::Holds);
        assert_eq!(verdict(HHI, (0.01, -0.002, 0.02)), Verdict::NotSignificant);
        assert_eq!(verdict(HHI, (-0.01, -0.02, -0.005)), Verdict::DoesNotHold);
        let overlapping = [(0.05, 0.03, 0.07), HHI[1], HHI[2]];
        assert_eq!(
            verdict(overlapping, (0.01, 0.005, 0.015)),
            Verdict::NotSignificant
        );
    }
}
