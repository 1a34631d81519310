//! The developers of the synthetic Hub.
//!
//! The head are the real authors of `data/annotations/developers.csv` with
//! their real org type and country (their download numbers are synthetic);
//! the intermediaries are the scenario's quantizers and repackagers (also
//! real names, annotated from the same table when listed there); the long tail
//! is synthetic (`user-00042`, `org-0007`).

use rand::RngExt;
use rand_distr::{Distribution, LogNormal, Pareto};
use rand_pcg::Pcg64;

use crate::calendar::days;
use crate::error::SynthError;
use crate::scenario::Scenario;
use crate::validate::date;

const DEVELOPERS_CSV: &str = include_str!("../../../data/annotations/developers.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevKind {
    Head,
    Intermediary,
    Tail,
}

impl DevKind {
    pub fn key(self) -> &'static str {
        match self {
            DevKind::Head => "head",
            DevKind::Intermediary => "intermediary",
            DevKind::Tail => "tail",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Developer {
    pub name: String,
    pub kind: DevKind,
    pub org_type: String,
    pub country: Option<String>,
    pub country_group: String,
    /// Whether the release (and so the analyses) knows its org type and country.
    pub annotated: bool,
    /// First day it uploads (days since epoch).
    pub active_from: i32,
    /// Relative number of models it uploads.
    pub activity: f64,
    /// Relative popularity of its models.
    pub popularity: f64,
    /// Quantization formats (intermediaries only).
    pub formats: Vec<String>,
}

impl Developer {
    /// Org type as the analyses see it (unannotated developers are unknown).
    pub fn seen_org_type(&self) -> &str {
        if self.annotated {
            &self.org_type
        } else {
            "unknown"
        }
    }
    pub fn seen_country_group(&self) -> &str {
        if self.annotated {
            &self.country_group
        } else {
            "Unknown"
        }
    }
}

/// Well-known developers: first upload and relative activity and popularity.
/// Dates are approximate first public releases; the numbers are synthetic.
const KNOWN: &[(&str, &str, f64, f64)] = &[
    ("google", "2020-01-01", 30.0, 40.0),
    ("google-bert", "2020-01-01", 4.0, 60.0),
    ("facebook", "2020-01-01", 25.0, 30.0),
    ("FacebookAI", "2020-01-01", 3.0, 40.0),
    ("openai", "2020-01-01", 5.0, 30.0),
    ("openai-community", "2020-01-01", 3.0, 30.0),
    ("microsoft", "2020-01-01", 30.0, 15.0),
    ("distilbert", "2020-01-01", 2.0, 30.0),
    ("sentence-transformers", "2021-06-01", 15.0, 50.0),
    ("EleutherAI", "2021-03-01", 6.0, 10.0),
    ("bigscience", "2022-05-01", 6.0, 8.0),
    ("CompVis", "2022-08-10", 2.0, 30.0),
    ("runwayml", "2022-10-20", 1.0, 40.0),
    ("stabilityai", "2022-11-20", 8.0, 30.0),
    ("meta-llama", "2023-07-18", 12.0, 60.0),
    ("mistralai", "2023-09-27", 6.0, 30.0),
    ("Qwen", "2023-08-03", 25.0, 40.0),
    ("deepseek-ai", "2023-11-02", 12.0, 40.0),
    ("black-forest-labs", "2024-08-01", 2.0, 40.0),
    ("BAAI", "2021-06-01", 8.0, 15.0),
    ("THUDM", "2022-03-15", 5.0, 5.0),
];

/// Parse the embedded developer table (header
/// `author,org_type,country,country_group,annotation_source,notes`).
/// One row of the curated table: author, org type, country, country group.
pub type CuratedRow = (String, String, Option<String>, String);

pub fn curated_table() -> Result<Vec<CuratedRow>, SynthError> {
    let mut reader = csv::Reader::from_reader(DEVELOPERS_CSV.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| SynthError::Developers {
            row: i + 2,
            message: e.to_string(),
        })?;
        let field = |k: usize| rec.get(k).unwrap_or("").trim().to_string();
        let author = field(0);
        if author.is_empty() {
            return Err(SynthError::Developers {
                row: i + 2,
                message: "empty author".into(),
            });
        }
        let country = Some(field(2)).filter(|c| !c.is_empty());
        rows.push((author, field(1), country, field(3)));
    }
    Ok(rows)
}

/// All developers: head (table order), then intermediaries not in the table, then the tail.
pub fn build(
    scenario: &Scenario,
    n_models: usize,
    rng: &mut Pcg64,
) -> Result<Vec<Developer>, SynthError> {
    let d = &scenario.developers;
    let pareto = Pareto::new(1.0, d.activity_pareto_shape)
        .map_err(|e| SynthError::invalid("developers.activity_pareto_shape", e.to_string()))?;
    let lognormal = LogNormal::new(0.0, d.popularity_sigma)
        .map_err(|e| SynthError::invalid("developers.popularity_sigma", e.to_string()))?;
    let earliest = days(date(
        "population.first_created",
        &scenario.population.first_created,
    )?);
    let mut out = Vec::new();
    for (author, org_type, country, group) in curated_table()? {
        let known = KNOWN.iter().find(|k| k.0 == author);
        let intermediary = d.intermediaries.iter().find(|m| m.author == author);
        let (active_from, activity, popularity) = match (intermediary, known) {
            (Some(m), _) => (
                days(date(
                    "developers.intermediaries.active_from",
                    &m.active_from,
                )?),
                0.0,
                3.0 * m.weight,
            ),
            (None, Some(k)) => (days(date("known", k.1).unwrap_or_default()), k.2, k.3),
            (None, None) => (
                rng.random_range(
                    earliest
                        ..days(chrono::NaiveDate::from_ymd_opt(2024, 12, 1).unwrap_or_default()),
                ),
                pareto.sample(rng),
                5.0 * lognormal.sample(rng),
            ),
        };
        out.push(Developer {
            name: author,
            kind: if intermediary.is_some() {
                DevKind::Intermediary
            } else {
                DevKind::Head
            },
            org_type,
            country,
            country_group: group,
            annotated: true,
            active_from,
            activity: if let Some(m) = intermediary {
                m.weight
            } else {
                activity
            },
            popularity,
            formats: intermediary.map(|m| m.formats.clone()).unwrap_or_default(),
        });
    }
    for m in &d.intermediaries {
        if !out.iter().any(|dev| dev.name == m.author) {
            out.push(Developer {
                name: m.author.clone(),
                kind: DevKind::Intermediary,
                org_type: "community".into(),
                country: None,
                country_group: "International/Online".into(),
                annotated: true,
                active_from: days(date(
                    "developers.intermediaries.active_from",
                    &m.active_from,
                )?),
                activity: m.weight,
                popularity: 3.0 * m.weight,
                formats: m.formats.clone(),
            });
        }
    }
    let n_tail = ((n_models as f64) * d.tail_per_model).ceil().max(10.0) as usize;
    let tail_start = out.len();
    let (mut users, mut orgs) = (0usize, 0usize);
    for _ in 0..n_tail {
        let dev = if rng.random_bool(d.tail_user_fraction) {
            users += 1;
            tail_user(users, earliest)
        } else {
            orgs += 1;
            tail_org(orgs, scenario, earliest, rng)
        };
        out.push(Developer {
            activity: pareto.sample(rng),
            popularity: lognormal.sample(rng),
            ..dev
        });
    }
    annotate_top_tail(&mut out[tail_start..], d.annotated_tail_fraction);
    Ok(out)
}

fn tail_user(k: usize, earliest: i32) -> Developer {
    Developer {
        name: format!("user-{k:05}"),
        kind: DevKind::Tail,
        org_type: "user".into(),
        country: None,
        country_group: "User".into(),
        annotated: false,
        active_from: earliest,
        activity: 1.0,
        popularity: 1.0,
        formats: Vec::new(),
    }
}

const EUROPE: [&str; 6] = ["DE", "FR", "GB", "NL", "ES", "IT"];
const OTHER: [&str; 6] = ["IN", "KR", "JP", "BR", "IL", "SG"];

fn tail_org(k: usize, scenario: &Scenario, earliest: i32, rng: &mut Pcg64) -> Developer {
    let d = &scenario.developers;
    let org_type = pick_key(&d.tail_org_types, rng);
    let group = pick_key(&d.tail_org_country_groups, rng);
    let country = match group.as_str() {
        "USA" => Some("US".to_string()),
        "China" => Some("CN".to_string()),
        "Europe" => Some(EUROPE[rng.random_range(0..EUROPE.len())].to_string()),
        "Other" => Some(OTHER[rng.random_range(0..OTHER.len())].to_string()),
        _ => None,
    };
    Developer {
        name: format!("org-{k:04}"),
        kind: DevKind::Tail,
        org_type,
        country,
        country_group: group,
        annotated: false,
        active_from: earliest,
        activity: 1.0,
        popularity: 1.0,
        formats: Vec::new(),
    }
}

/// Draw a key of a share table (keys in sorted order, so the draw is deterministic).
pub fn pick_key(shares: &crate::scenario::Shares, rng: &mut Pcg64) -> String {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    let mut last = String::new();
    for (k, v) in shares {
        acc += v;
        last = k.clone();
        if u < acc {
            return k.clone();
        }
    }
    last
}

/// The release annotates the most visible long-tail developers (by activity x popularity).
fn annotate_top_tail(tail: &mut [Developer], fraction: f64) {
    let mut order: Vec<usize> = (0..tail.len()).collect();
    let score = |d: &Developer| d.activity * d.popularity;
    order.sort_by(|&a, &b| score(&tail[b]).total_cmp(&score(&tail[a])).then(a.cmp(&b)));
    let n = ((tail.len() as f64) * fraction).round() as usize;
    for &i in order.iter().take(n) {
        tail[i].annotated = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_head_carries_the_real_annotations_of_the_curated_table() {
        let mut rng = Pcg64::seed_from_u64(1);
        let devs = build(&Scenario::default(), 1000, &mut rng).unwrap();
        let qwen = devs
            .iter()
            .find(|d| d.name == "Qwen")
            .expect("Qwen is in the table");
        assert_eq!(
            (qwen.org_type.as_str(), qwen.country_group.as_str()),
            ("industry", "China")
        );
        let bloke = devs.iter().find(|d| d.name == "TheBloke").unwrap();
        assert_eq!(bloke.kind, DevKind::Intermediary);
        assert!(
            devs.iter()
                .any(|d| d.name == "user-00001" && d.org_type == "user")
        );
        let tail: Vec<_> = devs.iter().filter(|d| d.kind == DevKind::Tail).collect();
        let annotated = tail.iter().filter(|d| d.annotated).count();
        assert_eq!(annotated, (tail.len() as f64 * 0.25).round() as usize);
    }
}
