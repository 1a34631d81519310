//! The rule of every claim of STUDY.md (C1-C13): the contrasts it is
//! decided on, the direction each must show, and the magnitude rule on the
//! estimates, stated once here ([`crate::claim_evidence`] turns them into
//! verdicts). Every rule is generic: it names periods and contrasts, never
//! a dataset.

use hubecon_stats::STUDY_PERIODS;

use crate::claim_evidence::{Direction, Evidence, Finding, Magnitude};
use crate::claims::{Numbers, Verdict};

/// What a claim is, as STUDY.md states it.
pub struct Claim {
    pub id: &'static str,
    pub claim: &'static str,
    pub published: &'static str,
    pub rule: &'static str,
}

const fn claim(
    id: &'static str,
    claim: &'static str,
    published: &'static str,
    rule: &'static str,
) -> Claim {
    Claim {
        id,
        claim,
        published,
        rule,
    }
}

pub const CLAIMS: [Claim; 13] = [
    claim(
        "C1",
        "scale of the study",
        "851,000 models; 2.2B downloads; weekly, Jun 2020 - Aug 2025",
        "not measurable on synthetic data; on real data: models >= 90% of 851,000 and the weeks span Jun 2020 to Aug 2025",
    ),
    claim(
        "C2",
        "US industry (Google, Meta, OpenAI) share of downloads declined sharply",
        "declined sharply",
        "the share (direct lens) falls from <=2022 to 2025, significantly; the 2025 estimate at most half the <=2022 one",
    ),
    claim(
        "C3",
        "unaffiliated developers and community organizations gained share",
        "about 30% to over 60%",
        "the community+user share (direct lens) rises from <=2022 to 2025, significantly; the 2025 estimate above 50%",
    ),
    claim(
        "C4",
        "recent-year country shares (new models, one-year window)",
        "International/Online 23.8%, China 17.1%, USA 15.8%",
        "the order International/Online > China > USA (direct lens) holds in the developer-bootstrap draws, significantly (p of the order failing)",
    ),
    claim(
        "C5",
        "DeepSeek and Qwen rise from negligible to a large share in 2025",
        "about 14% combined",
        "the share (direct lens) rises from <=2022 to 2025, significantly; estimates below 1% in <=2022 and at least 7% (half the published value) in 2025",
    ),
    claim(
        "C6",
        "average model size",
        "17x increase",
        "the download-weighted mean rises from <=2022 to 2025, significantly; the ratio within [x/2, 2x] of 17",
    ),
    claim(
        "C7",
        "multimodal generation",
        "3.4x increase",
        "the share rises from <=2022 to 2025, significantly; the ratio within [x/2, 2x] of 3.4",
    ),
    claim(
        "C8",
        "quantization",
        "5x increase",
        "the share rises from <=2022 to 2025, significantly; the ratio within [x/2, 2x] of 5",
    ),
    claim(
        "C9",
        "mixture-of-experts architectures",
        "7x increase",
        "the share rises from <=2022 to 2025, significantly; the ratio within [x/2, 2x] of 7",
    ),
    claim(
        "C10",
        "open-weights models surpass truly open-source models for the first time in 2025",
        "first in 2025",
        "open weights lead among the downloads of open models (share minus one half) in 2025 and trail in every earlier covered period, each significantly; the span must start in <=2022",
    ),
    claim(
        "C11",
        "training-data transparency falls (download-weighted)",
        "disclosed+available 79.3/58.5/53.5/39.8%; undisclosed 9.8/23.4/31.6/43.1%",
        "disclosed+available falls and undisclosed rises from <=2022 to 2025, each significantly; each 2025 estimate within 10 points of the published one",
    ),
    claim(
        "C12",
        "intermediaries capture a growing share",
        "a growing share",
        "the intermediary share rises from <=2022 to 2025, significantly",
    ),
    claim(
        "C13",
        "deconcentration, then a possible new consolidation in 2025",
        "HHI and Gini fall, then HHI rises in 2025",
        "lens: developers (direct). HHI and Gini each fall from <=2022 to 2024 and rise from 2024 to 2025, all four significantly",
    ),
];

/// Every claim's finding, in [`CLAIMS`] order.
pub fn findings(n: &Numbers) -> Vec<Finding> {
    vec![
        c1_scale(n),
        share_claim(n, "C2", "04.us_big3_share", Direction::Fall, |a, b| {
            magnitude(
                b <= a / 2.0,
                "the 2025 share is at most half the <=2022 one",
            )
        }),
        share_claim(
            n,
            "C3",
            "03.community_user_share",
            Direction::Rise,
            |_, b| magnitude(b > 0.5, "the 2025 share is above 50%"),
        ),
        c4_order(n),
        share_claim(
            n,
            "C5",
            "04.deepseek_qwen_share",
            Direction::Rise,
            |a, b| {
                magnitude(
                    a < 0.01 && b >= 0.07,
                    "below 1% in <=2022 and at least 7% in 2025",
                )
            },
        ),
        ratio_claim(n, "C6", "07.size", 17.0),
        ratio_claim(n, "C7", "08.multimodal", 3.4),
        ratio_claim(n, "C8", "08.quantized", 5.0),
        ratio_claim(n, "C9", "08.moe", 7.0),
        c10_openness(n),
        c11_transparency(n),
        share_claim(
            n,
            "C12",
            "12.intermediary_share",
            Direction::Rise,
            |_, _| None,
        ),
        c13_concentration(n),
    ]
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn magnitude(ok: bool, text: &str) -> Option<Magnitude> {
    Some(Magnitude {
        ok: Some(ok),
        text: if ok {
            text.to_string()
        } else {
            format!("not: {text}")
        },
    })
}

fn fixed(measured: &str, verdict: Verdict, reason: String) -> Finding {
    Finding::Fixed {
        measured: measured.into(),
        verdict,
        reason,
    }
}

/// Not measurable: the note of the first key without a value (it names the
/// span when the data do not cover a period), else that the keys are absent.
fn missing(n: &Numbers, keys: &[&str]) -> Finding {
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
    fixed("-", Verdict::NotMeasurable, why)
}

/// Not measurable unless analysis `nn` compared the paper's periods.
fn needs_paper_contrast(n: &Numbers, id: &str, key: &str) -> Option<Finding> {
    let nn = &key[..2];
    let (first, last) = (STUDY_PERIODS[0], STUDY_PERIODS[STUDY_PERIODS.len() - 1]);
    match n.contrast(nn) {
        Some((a, b)) if a == first && b == last => None,
        None if !n.has_coverage(nn) => None,
        other => {
            let this = other.map_or("none".to_string(), |(a, b)| format!("{a} with {b}"));
            Some(fixed(
                "-",
                Verdict::NotMeasurable,
                format!(
                    "{}; {id} compares {first} with {last} (this span's contrast, {this}, is in {key})",
                    n.span(nn)
                ),
            ))
        }
    }
}

/// The contrasts `keys` with their directions, or the finding that one is missing.
fn contrasts(n: &Numbers, keys: &[(&str, Direction)]) -> Result<Vec<Evidence>, Finding> {
    keys.iter()
        .map(|(k, d)| Evidence::contrast(n, k, *d))
        .collect::<Result<_, _>>()
        .map_err(|_| missing(n, &keys.iter().map(|(k, _)| *k).collect::<Vec<_>>()))
}

fn c1_scale(n: &Numbers) -> Finding {
    let (Some(models), Some(first), Some(last)) = (
        n.get("01.models"),
        n.get("01.first_week_year"),
        n.get("01.last_week_year"),
    ) else {
        return missing(n, &["01.models", "01.first_week_year", "01.last_week_year"]);
    };
    let measured = format!("{models:.0} models; weeks {first:.2} - {last:.2}");
    if n.synthetic {
        return fixed(
            &measured,
            Verdict::NotMeasurable,
            "synthetic sample: its size is a parameter, not a measurement".into(),
        );
    }
    // A count and a span: nothing sampled, so no test.
    let ok = models >= 0.9 * 851_000.0 && first <= 2020.5 && last >= 2025.6;
    let verdict = if ok {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold
    };
    fixed(
        &measured,
        verdict,
        "model count and time span against the study's".into(),
    )
}

/// A share that changes from <=2022 to 2025 (`{stem}_difference`, with the
/// period estimates `{stem}_2022` and `{stem}_2025`), and a magnitude rule
/// on those estimates.
fn share_claim(
    n: &Numbers,
    id: &str,
    stem: &str,
    claimed: Direction,
    rule: impl Fn(f64, f64) -> Option<Magnitude>,
) -> Finding {
    let difference = format!("{stem}_difference");
    if let Some(out) = needs_paper_contrast(n, id, &difference) {
        return out;
    }
    let (k1, k2) = (format!("{stem}_2022"), format!("{stem}_2025"));
    let (Some(a), Some(b)) = (n.get(&k1), n.get(&k2)) else {
        return missing(n, &[&k1, &k2]);
    };
    match contrasts(n, &[(&difference, claimed)]) {
        Ok(evidence) => Finding::Tested {
            measured: format!("{} -> {}", pct(a), pct(b)),
            evidence,
            magnitude: rule(a, b),
        },
        Err(f) => f,
    }
}

fn c4_order(n: &Numbers) -> Finding {
    let keys = [
        "06.recent_share_international_online_direct",
        "06.recent_share_china_direct",
        "06.recent_share_usa_direct",
    ];
    let (Some(io), Some(cn), Some(us)) = (n.get(keys[0]), n.get(keys[1]), n.get(keys[2])) else {
        return missing(n, &keys);
    };
    let key = "06.recent_order_support";
    match Evidence::support(n, key) {
        Ok(e) => Finding::Tested {
            measured: format!(
                "International/Online {}, China {}, USA {}; order in {} of draws",
                pct(io),
                pct(cn),
                pct(us),
                pct(e.effect)
            ),
            evidence: vec![e],
            magnitude: None,
        },
        Err(_) => missing(n, &[key]),
    }
}

/// A growth ratio claim: decided on the difference behind it
/// (`{stem}_difference`), the ratio (`{stem}_ratio`) checked against the
/// published one; a ratio that is not estimable leaves the magnitude unchecked.
fn ratio_claim(n: &Numbers, id: &str, stem: &str, published: f64) -> Finding {
    let (ratio_key, difference) = (format!("{stem}_ratio"), format!("{stem}_difference"));
    if let Some(out) = needs_paper_contrast(n, id, &ratio_key) {
        return out;
    }
    let evidence = match contrasts(n, &[(&difference, Direction::Rise)]) {
        Ok(e) => e,
        Err(f) => return f,
    };
    let band = (published / 2.0, published * 2.0);
    let (measured, magnitude) = match n.get(&ratio_key) {
        Some(r) => {
            let measured = match (
                n.field(&ratio_key, "ci_low"),
                n.field(&ratio_key, "ci_high"),
            ) {
                (Some(l), Some(h)) => format!("{r:.2}x [{l:.2}, {h:.2}]"),
                _ => format!("{r:.2}x"),
            };
            let text = format!("the ratio is within [{:.2}, {:.2}]", band.0, band.1);
            (measured, magnitude(r >= band.0 && r <= band.1, &text))
        }
        None => (
            format!("difference {:+.4}", evidence[0].effect),
            Some(Magnitude {
                ok: None,
                text: n
                    .note(&ratio_key)
                    .unwrap_or("the ratio is not estimable")
                    .to_string(),
            }),
        ),
    };
    Finding::Tested {
        measured,
        evidence,
        magnitude,
    }
}

fn c10_openness(n: &Numbers) -> Finding {
    // "For the first time" needs the years before: the span must start in
    // the first study period.
    let (first, last) = (STUDY_PERIODS[0], STUDY_PERIODS[STUDY_PERIODS.len() - 1]);
    if !n.covers("09", first) || !n.covers("09", last) {
        return fixed(
            "-",
            Verdict::NotMeasurable,
            format!(
                "{}; C10 needs the periods from {first} to {last} to tell the first year",
                n.span("09")
            ),
        );
    }
    let key = |p: &str| format!("09.open_weights_lead_{}", crate::common::period_key(p));
    let keys: Vec<(String, Direction)> = STUDY_PERIODS
        .iter()
        .filter(|p| n.covers("09", p))
        .map(|p| {
            let d = if *p == last {
                Direction::Rise
            } else {
                Direction::Fall
            };
            (key(p), d)
        })
        .collect();
    let refs: Vec<(&str, Direction)> = keys.iter().map(|(k, d)| (k.as_str(), *d)).collect();
    let evidence = match contrasts(n, &refs) {
        Ok(e) => e,
        Err(f) => return f,
    };
    let covered = STUDY_PERIODS.iter().filter(|p| n.covers("09", p));
    let measured = covered
        .zip(&evidence)
        .map(|(p, e)| format!("{p} {}", pct(0.5 + e.effect)))
        .collect::<Vec<_>>()
        .join(", ");
    Finding::Tested {
        measured: format!("open-weights share of open downloads: {measured}"),
        evidence,
        magnitude: None,
    }
}

fn c11_transparency(n: &Numbers) -> Finding {
    if let Some(out) = needs_paper_contrast(n, "C11", "10.available_disclosed_share_difference") {
        return out;
    }
    let keys = [
        "10.available_disclosed_share_2022",
        "10.available_disclosed_share_2025",
        "10.undisclosed_share_2022",
        "10.undisclosed_share_2025",
    ];
    let Some(v) = keys.iter().map(|k| n.get(k)).collect::<Option<Vec<f64>>>() else {
        return missing(n, &keys);
    };
    let evidence = match contrasts(
        n,
        &[
            ("10.available_disclosed_share_difference", Direction::Fall),
            ("10.undisclosed_share_difference", Direction::Rise),
        ],
    ) {
        Ok(e) => e,
        Err(f) => return f,
    };
    let near = (v[1] - 0.398).abs() <= 0.10 && (v[3] - 0.431).abs() <= 0.10;
    Finding::Tested {
        measured: format!(
            "disclosed+available {} -> {}; undisclosed {} -> {}",
            pct(v[0]),
            pct(v[1]),
            pct(v[2]),
            pct(v[3])
        ),
        evidence,
        magnitude: magnitude(
            near,
            "both 2025 shares are within 10 points of the published ones",
        ),
    }
}

fn c13_concentration(n: &Numbers) -> Finding {
    let levels = [
        "05.hhi_developers_2022",
        "05.hhi_developers_2024",
        "05.hhi_developers_2025",
    ];
    let Some(v) = levels
        .iter()
        .map(|k| n.get(k))
        .collect::<Option<Vec<f64>>>()
    else {
        return missing(n, &levels);
    };
    let gini = |p: &str| n.get(&format!("05.gini_developers_{p}"));
    let evidence = match contrasts(
        n,
        &[
            ("05.hhi_developers_change_2022_2024", Direction::Fall),
            ("05.gini_developers_change_2022_2024", Direction::Fall),
            ("05.hhi_developers_change_2024_2025", Direction::Rise),
            ("05.gini_developers_change_2024_2025", Direction::Rise),
        ],
    ) {
        Ok(e) => e,
        Err(f) => return f,
    };
    let g = |p| gini(p).map_or("-".into(), |x| format!("{x:.4}"));
    Finding::Tested {
        measured: format!(
            "across developers: HHI {:.4}, {:.4}, {:.4}; Gini {}, {}, {} (<=2022, 2024, 2025)",
            v[0],
            v[1],
            v[2],
            g("2022"),
            g("2024"),
            g("2025")
        ),
        evidence,
        magnitude: None,
    }
}
