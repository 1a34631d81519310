//! How a claim's verdict follows its evidence (METHODS.md, "Inference"):
//! each claim names the contrasts it needs and the direction of each; the
//! decisive test is the contrast that goes against the claim with the
//! smallest p-value, or, when all go its way, the one with the largest
//! (an intersection-union test: every direction must be shown). The
//! decisive p-values of all claims are adjusted together
//! (Benjamini-Hochberg); at q < 0.05 the claim holds (or does not, when the
//! decisive contrast goes against it, or its magnitude rule fails), and
//! otherwise it is not significant.

use crate::claims::{Numbers, Verdict};

/// The false discovery rate at which a claim's direction counts as shown.
pub const FDR: f64 = 0.05;

/// The direction a claim needs of a contrast (later minus earlier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Rise,
    Fall,
}

/// One contrast a claim is decided on, as an analysis wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// `NN.key` of the number.
    pub key: String,
    pub effect: f64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The p-value of the direction the estimate shows.
    pub p_value: f64,
    /// True when the estimate goes the claim's way.
    pub agrees: bool,
    pub test: String,
}

impl Evidence {
    /// The contrast `key` (value, interval, p-value and test); `Err` with
    /// the key when it is not measured or carries no p-value.
    pub fn contrast(n: &Numbers, key: &str, claimed: Direction) -> Result<Self, String> {
        let (effect, p) = n.get(key).zip(n.field(key, "p_value")).ok_or(key)?;
        let agrees = match claimed {
            Direction::Rise => effect > 0.0,
            Direction::Fall => effect < 0.0,
        };
        Ok(Evidence {
            key: key.into(),
            effect,
            ci_low: n.field(key, "ci_low"),
            ci_high: n.field(key, "ci_high"),
            p_value: p,
            agrees,
            test: n.text(key, "test").unwrap_or_default(),
        })
    }

    /// The bootstrap support of a relation (`key`'s value: the share of
    /// draws in which it holds; its p-value: of the relation failing). A
    /// support below one half goes against the claim, with the support
    /// itself as the p-value of the relation holding.
    pub fn support(n: &Numbers, key: &str) -> Result<Self, String> {
        let (support, p) = n.get(key).zip(n.field(key, "p_value")).ok_or(key)?;
        let agrees = support > 0.5;
        Ok(Evidence {
            key: key.into(),
            effect: support,
            ci_low: None,
            ci_high: None,
            p_value: if agrees { p } else { support },
            agrees,
            test: n.text(key, "test").unwrap_or_default(),
        })
    }

    fn describe(&self) -> String {
        let interval = match (self.ci_low, self.ci_high) {
            (Some(l), Some(h)) => format!(" [{l:.4}, {h:.4}]"),
            _ => String::new(),
        };
        format!(
            "{} {:+.4}{interval}, p = {}",
            self.key,
            self.effect,
            p_text(self.p_value)
        )
    }
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

/// A rule on the estimates beyond the direction (the published magnitude);
/// `ok: None` when it cannot be checked on this data.
#[derive(Debug, Clone, PartialEq)]
pub struct Magnitude {
    pub ok: Option<bool>,
    pub text: String,
}

/// What a claim's rule found, before the adjustment over claims.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// Decided without a test: not measurable, or a rule with no
    /// sampling uncertainty (the study's scale).
    Fixed {
        measured: String,
        verdict: Verdict,
        reason: String,
    },
    Tested {
        measured: String,
        evidence: Vec<Evidence>,
        magnitude: Option<Magnitude>,
    },
}

/// The verdict of one claim with the test that decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub measured: String,
    pub verdict: Verdict,
    pub reason: String,
    pub decisive: Option<Evidence>,
    pub q_value: Option<f64>,
}

/// The decisive contrast of `evidence`, and whether it goes against the claim.
fn decisive(evidence: &[Evidence]) -> Option<(&Evidence, bool)> {
    let by_p = |a: &&Evidence, b: &&Evidence| a.p_value.total_cmp(&b.p_value);
    match evidence.iter().filter(|e| !e.agrees).min_by(by_p) {
        Some(against) => Some((against, true)),
        None => evidence.iter().max_by(by_p).map(|e| (e, false)),
    }
}

/// Every claim's verdict, the decisive p-values adjusted together.
pub fn decide(findings: Vec<Finding>) -> Vec<Decision> {
    let p: Vec<f64> = findings
        .iter()
        .filter_map(|f| match f {
            Finding::Tested { evidence, .. } => decisive(evidence).map(|(e, _)| e.p_value),
            Finding::Fixed { .. } => None,
        })
        .collect();
    let mut q = if p.is_empty() {
        Vec::new()
    } else {
        hubecon_stats::benjamini_hochberg(&p).unwrap_or_else(|_| vec![f64::NAN; p.len()])
    }
    .into_iter();
    findings
        .into_iter()
        .map(|f| match f {
            Finding::Fixed {
                measured,
                verdict,
                reason,
            } => Decision {
                measured,
                verdict,
                reason,
                decisive: None,
                q_value: None,
            },
            Finding::Tested {
                measured,
                evidence,
                magnitude,
            } => match decisive(&evidence) {
                None => Decision {
                    measured,
                    verdict: Verdict::NotMeasurable,
                    reason: "no contrast to decide on".into(),
                    decisive: None,
                    q_value: None,
                },
                Some((e, against)) => {
                    let q = q.next().unwrap_or(f64::NAN);
                    let (verdict, reason) = verdict_of(e, against, q, magnitude.as_ref());
                    Decision {
                        measured,
                        verdict,
                        reason,
                        decisive: Some(e.clone()),
                        q_value: q.is_finite().then_some(q),
                    }
                }
            },
        })
        .collect()
}

fn verdict_of(
    e: &Evidence,
    against: bool,
    q: f64,
    magnitude: Option<&Magnitude>,
) -> (Verdict, String) {
    let evidence = format!("{}, q = {}", e.describe(), p_text(q));
    if q.is_nan() || q >= FDR {
        return (
            Verdict::NotSignificant,
            format!("not significant at q < {FDR}: {evidence}"),
        );
    }
    if against {
        return (
            Verdict::DoesNotHold,
            format!("the opposite direction is significant: {evidence}"),
        );
    }
    match magnitude {
        Some(Magnitude {
            ok: Some(false),
            text,
        }) => (
            Verdict::DoesNotHold,
            format!("direction shown ({evidence}), but {text}"),
        ),
        Some(Magnitude { ok: None, text }) => (
            Verdict::Holds,
            format!("direction shown ({evidence}); magnitude not checked: {text}"),
        ),
        Some(Magnitude {
            ok: Some(true),
            text,
        }) => (
            Verdict::Holds,
            format!("direction shown ({evidence}); {text}"),
        ),
        None => (Verdict::Holds, format!("direction shown ({evidence})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(key: &str, effect: f64, p: f64, claimed: Direction) -> Evidence {
        Evidence {
            key: key.into(),
            effect,
            ci_low: None,
            ci_high: None,
            p_value: p,
            agrees: match claimed {
                Direction::Rise => effect > 0.0,
                Direction::Fall => effect < 0.0,
            },
            test: String::new(),
        }
    }

    fn tested(evidence: Vec<Evidence>, magnitude: Option<bool>) -> Finding {
        Finding::Tested {
            measured: String::new(),
            evidence,
            magnitude: magnitude.map(|ok| Magnitude {
                ok: Some(ok),
                text: "magnitude".into(),
            }),
        }
    }

    #[test]
    fn every_direction_must_be_shown_and_one_against_decides() {
        use Direction::*;
        let d = decide(vec![
            tested(
                vec![
                    evidence("a", 0.1, 0.001, Rise),
                    evidence("b", -0.1, 0.002, Fall),
                ],
                None,
            ),
            tested(
                vec![
                    evidence("a", 0.1, 0.001, Rise),
                    evidence("b", -0.1, 0.4, Fall),
                ],
                None,
            ),
            tested(
                vec![
                    evidence("a", 0.1, 0.001, Rise),
                    evidence("b", 0.1, 0.001, Fall),
                ],
                None,
            ),
            tested(vec![evidence("a", 0.1, 0.001, Rise)], Some(false)),
        ]);
        let verdicts: Vec<Verdict> = d.iter().map(|d| d.verdict).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::Holds,
                Verdict::NotSignificant,
                Verdict::DoesNotHold,
                Verdict::DoesNotHold
            ]
        );
        assert_eq!(
            d[1].decisive.as_ref().unwrap().key,
            "b",
            "the weakest link decides"
        );
        assert!(d[2].reason.contains("opposite"), "{}", d[2].reason);
        assert!(d[3].reason.contains("magnitude"), "{}", d[3].reason);
    }

    #[test]
    fn the_adjustment_runs_over_the_claims() {
        // Alone, p = 0.03 would hold; among ten claims with p = 0.5 its
        // q is 0.3.
        let one = decide(vec![tested(
            vec![evidence("a", 1.0, 0.03, Direction::Rise)],
            None,
        )]);
        assert_eq!(one[0].verdict, Verdict::Holds);
        let mut many = vec![tested(
            vec![evidence("a", 1.0, 0.03, Direction::Rise)],
            None,
        )];
        many.extend((0..9).map(|_| tested(vec![evidence("x", 1.0, 0.5, Direction::Rise)], None)));
        let d = decide(many);
        assert_eq!(d[0].verdict, Verdict::NotSignificant);
        assert!((d[0].q_value.unwrap() - 0.3).abs() < 1e-12);
    }

    #[test]
    fn fixed_findings_take_no_part_in_the_adjustment() {
        let d = decide(vec![
            Finding::Fixed {
                measured: "-".into(),
                verdict: Verdict::NotMeasurable,
                reason: "why".into(),
            },
            tested(vec![evidence("a", 1.0, 0.04, Direction::Rise)], None),
        ]);
        assert_eq!(d[0].verdict, Verdict::NotMeasurable);
        assert_eq!(d[1].q_value, Some(0.04));
        assert_eq!(d[1].verdict, Verdict::Holds);
    }
}
