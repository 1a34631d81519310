//! Developer annotations: organisation type, country and country group of
//! each author, from the curated table `data/annotations/developers.csv` and
//! the annotated release (which wins). Authors in neither are `unknown`,
//! never guessed. Vocabularies are in [`crate::schema`]; their definitions in
//! METHODS.md ("Developers").

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use polars::prelude::*;

use crate::error::{IngestError, PolarsContext, Result};
use crate::manifest::AnnotationCounts;
use crate::schema::{annotation_source, country_group, developers as c, org_type};
use crate::source::RawAnnotation;

/// One normalised annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub author: String,
    pub org_type: &'static str,
    pub country: Option<String>,
    pub country_group: &'static str,
    pub source: &'static str,
    /// The org type and country group as the release wrote them (kept when
    /// outside our vocabulary, where `org_type`/`country_group` say unknown).
    pub reported_org_type: Option<String>,
    pub reported_country_group: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct CuratedRow {
    author: String,
    org_type: String,
    country: String,
    country_group: String,
    annotation_source: String,
    #[allow(dead_code)]
    notes: String,
}

/// Loads and validates the curated table; an unknown vocabulary value or a
/// duplicate author is an error naming the line.
pub fn load_curated(path: &Path) -> Result<Vec<Annotation>> {
    let bad = |line: u64, detail: String| IngestError::Annotations {
        path: path.into(),
        detail: format!("line {line}: {detail}"),
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| IngestError::Annotations {
        path: path.into(),
        detail: e.to_string(),
    })?;
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, row) in reader.deserialize::<CuratedRow>().enumerate() {
        let line = i as u64 + 2;
        let row = row.map_err(|e| bad(line, format!("{e}; expected columns author,org_type,country,country_group,annotation_source,notes")))?;
        let org = vocab(&org_type::ALL, &row.org_type).ok_or_else(|| {
            bad(
                line,
                format!(
                    "org_type `{}` is not one of {}",
                    row.org_type,
                    org_type::ALL.join(", ")
                ),
            )
        })?;
        let group = vocab(&country_group::ALL, &row.country_group).ok_or_else(|| {
            bad(
                line,
                format!(
                    "country_group `{}` is not one of {}",
                    row.country_group,
                    country_group::ALL.join(", ")
                ),
            )
        })?;
        let country = row.country.trim();
        let is_code = country.len() == 2 && country.chars().all(|ch| ch.is_ascii_uppercase());
        if !country.is_empty() && !is_code {
            return Err(bad(
                line,
                format!("country `{country}` is not an ISO 3166-1 alpha-2 code"),
            ));
        }
        if row.annotation_source != annotation_source::CURATED {
            return Err(bad(
                line,
                format!(
                    "annotation_source `{}` must be `curated`",
                    row.annotation_source
                ),
            ));
        }
        if !seen.insert(row.author.to_lowercase()) {
            return Err(bad(line, format!("author `{}` appears twice", row.author)));
        }
        out.push(Annotation {
            author: row.author,
            org_type: org,
            country: (!country.is_empty()).then(|| country.to_string()),
            country_group: group,
            source: annotation_source::CURATED,
            reported_org_type: None,
            reported_country_group: None,
        });
    }
    Ok(out)
}

fn vocab(all: &[&'static str], value: &str) -> Option<&'static str> {
    all.iter()
        .copied()
        .find(|v| v.eq_ignore_ascii_case(value.trim()))
}

/// A release organisation type in our vocabulary.
pub fn normalize_org_type(value: &str) -> Option<&'static str> {
    let v = value.trim().to_lowercase();
    let v = v.replace(['-', '_'], " ");
    Some(match v.as_str() {
        "industry" | "company" | "corporate" | "big tech" | "startup" | "industry lab" => {
            org_type::INDUSTRY
        }
        "academia" | "academic" | "university" | "research institute academic" => {
            org_type::ACADEMIA
        }
        "non profit" | "nonprofit" | "non profit organization" | "ngo" | "foundation" => {
            org_type::NONPROFIT
        }
        "government" | "public" | "state" => org_type::GOVERNMENT,
        "community" | "online community" | "collective" | "community organization" => {
            org_type::COMMUNITY
        }
        "user" | "individual" | "unaffiliated" | "independent" | "person" => org_type::USER,
        "unknown" | "" => org_type::UNKNOWN,
        _ => return None,
    })
}

/// A country name or code as ISO 3166-1 alpha-2.
pub fn normalize_country(value: &str) -> Option<String> {
    let v = value.trim();
    if v.len() == 2 && v.chars().all(|ch| ch.is_ascii_alphabetic()) {
        return Some(v.to_uppercase());
    }
    COUNTRY_NAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(v))
        .map(|(_, code)| code.to_string())
}

const COUNTRY_NAMES: [(&str, &str); 48] = [
    ("USA", "US"),
    ("United States", "US"),
    ("United States of America", "US"),
    ("China", "CN"),
    ("Hong Kong", "HK"),
    ("Taiwan", "TW"),
    ("UK", "GB"),
    ("United Kingdom", "GB"),
    ("England", "GB"),
    ("France", "FR"),
    ("Germany", "DE"),
    ("Netherlands", "NL"),
    ("Belgium", "BE"),
    ("Switzerland", "CH"),
    ("Spain", "ES"),
    ("Italy", "IT"),
    ("Portugal", "PT"),
    ("Poland", "PL"),
    ("Sweden", "SE"),
    ("Norway", "NO"),
    ("Finland", "FI"),
    ("Denmark", "DK"),
    ("Ireland", "IE"),
    ("Austria", "AT"),
    ("Czech Republic", "CZ"),
    ("Czechia", "CZ"),
    ("Greece", "GR"),
    ("Latvia", "LV"),
    ("Estonia", "EE"),
    ("Lithuania", "LT"),
    ("Luxembourg", "LU"),
    ("Canada", "CA"),
    ("Israel", "IL"),
    ("Japan", "JP"),
    ("South Korea", "KR"),
    ("Korea", "KR"),
    ("India", "IN"),
    ("Singapore", "SG"),
    ("Russia", "RU"),
    ("United Arab Emirates", "AE"),
    ("UAE", "AE"),
    ("Australia", "AU"),
    ("Brazil", "BR"),
    ("Vietnam", "VN"),
    ("Thailand", "TH"),
    ("Indonesia", "ID"),
    ("Turkey", "TR"),
    ("Saudi Arabia", "SA"),
];

const EUROPE: [&str; 34] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB", "CH", "NO", "IS", "LI",
    "UA", "RS",
];

/// The country group of a country code: USA, China (incl. Hong Kong and
/// Macau), Europe (EU, EEA, UK, Switzerland and the rest of geographic
/// Europe west of Russia), else Other.
pub fn group_of_country(code: &str) -> &'static str {
    match code {
        "US" => country_group::USA,
        "CN" | "HK" | "MO" => country_group::CHINA,
        c if EUROPE.contains(&c) => country_group::EUROPE,
        _ => country_group::OTHER,
    }
}

/// A release country group (or a country name used as a group).
pub fn normalize_country_group(value: &str) -> Option<&'static str> {
    let v = value.trim().to_lowercase();
    let group = match v.as_str() {
        "usa" | "us" | "united states" => country_group::USA,
        "china" => country_group::CHINA,
        "europe" | "eu" => country_group::EUROPE,
        "international/online" | "international" | "online" | "international / online" => {
            country_group::INTERNATIONAL_ONLINE
        }
        "user" | "users" => country_group::USER,
        "other" | "rest of world" | "others" => country_group::OTHER,
        "unknown" | "" => country_group::UNKNOWN,
        _ => return normalize_country(value).map(|c| group_of_country(&c)),
    };
    Some(group)
}

/// Normalises a release annotation; values outside the vocabularies become
/// `unknown` and are counted in `unmapped`.
pub fn normalize_release(raw: &RawAnnotation, unmapped: &mut BTreeMap<String, u64>) -> Annotation {
    let mut note = |kind: &str, v: &str| *unmapped.entry(format!("{kind}: {v}")).or_insert(0) += 1;
    let org = match raw.org_type.as_deref() {
        None => org_type::UNKNOWN,
        Some(v) => normalize_org_type(v).unwrap_or_else(|| {
            note("org_type", v);
            org_type::UNKNOWN
        }),
    };
    let country = raw.country.as_deref().and_then(|v| {
        let c = normalize_country(v);
        if c.is_none() && !v.trim().is_empty() && !v.eq_ignore_ascii_case("unknown") {
            note("country", v);
        }
        c
    });
    let group = match raw.country_group.as_deref() {
        Some(v) => normalize_country_group(v).unwrap_or_else(|| {
            note("country_group", v);
            country_group::UNKNOWN
        }),
        None => country
            .as_deref()
            .map_or(country_group::UNKNOWN, group_of_country),
    };
    Annotation {
        author: raw.author.clone(),
        org_type: org,
        country,
        country_group: group,
        source: annotation_source::RELEASE,
        reported_org_type: raw.org_type.clone(),
        reported_country_group: raw.country_group.clone(),
    }
}

/// The developers table: one row per author in `authors`, annotated from the
/// release first, then the curated table (matched case-insensitively), else
/// unknown.
pub fn developers_table(
    authors: &BTreeSet<String>,
    curated: &[Annotation],
    release: &[RawAnnotation],
) -> Result<(DataFrame, AnnotationCounts)> {
    let mut counts = AnnotationCounts::default();
    let mut from_release: BTreeMap<String, Annotation> = BTreeMap::new();
    for raw in release {
        let a = normalize_release(raw, &mut counts.unmapped_values);
        from_release.entry(raw.author.clone()).or_insert(a);
    }
    let from_curated: BTreeMap<String, &Annotation> = curated
        .iter()
        .map(|a| (a.author.to_lowercase(), a))
        .collect();
    let mut rows: Vec<Annotation> = Vec::with_capacity(authors.len());
    for author in authors {
        let a = match (
            from_release.get(author),
            from_curated.get(&author.to_lowercase()),
        ) {
            (Some(r), _) => {
                counts.release += 1;
                r.clone()
            }
            (None, Some(c)) => {
                counts.curated += 1;
                Annotation {
                    author: author.clone(),
                    ..(*c).clone()
                }
            }
            (None, None) => {
                counts.none += 1;
                unknown(author)
            }
        };
        rows.push(a);
    }
    Ok((annotation_frame(&rows)?, counts))
}

fn unknown(author: &str) -> Annotation {
    Annotation {
        author: author.to_string(),
        org_type: org_type::UNKNOWN,
        country: None,
        country_group: country_group::UNKNOWN,
        source: annotation_source::NONE,
        reported_org_type: None,
        reported_country_group: None,
    }
}

fn annotation_frame(rows: &[Annotation]) -> Result<DataFrame> {
    df!(
        c::AUTHOR => rows.iter().map(|a| a.author.as_str()).collect::<Vec<_>>(),
        c::ORG_TYPE => rows.iter().map(|a| a.org_type).collect::<Vec<_>>(),
        c::COUNTRY => rows.iter().map(|a| a.country.as_deref()).collect::<Vec<_>>(),
        c::COUNTRY_GROUP => rows.iter().map(|a| a.country_group).collect::<Vec<_>>(),
        c::ANNOTATION_SOURCE => rows.iter().map(|a| a.source).collect::<Vec<_>>(),
        c::REPORTED_ORG_TYPE => rows.iter().map(|a| a.reported_org_type.as_deref()).collect::<Vec<_>>(),
        c::REPORTED_COUNTRY_GROUP => rows
            .iter()
            .map(|a| a.reported_country_group.as_deref())
            .collect::<Vec<_>>(),
    )
    .during(|| "building the developers table".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, body: &str) -> std::path::PathBuf {
        let p = dir.join("developers.csv");
        std::fs::write(&p, body).unwrap();
        p
    }

    const HEADER: &str = "author,org_type,country,country_group,annotation_source,notes\n";

    #[test]
    fn the_shipped_curated_table_is_valid_and_covers_the_big_labs() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/annotations/developers.csv");
        let rows = load_curated(&p).unwrap();
        assert!(rows.len() >= 300, "{} rows", rows.len());
        let get = |a: &str| {
            rows.iter()
                .find(|r| r.author == a)
                .unwrap_or_else(|| panic!("{a} missing"))
        };
        assert_eq!(get("meta-llama").country_group, "USA");
        assert_eq!(get("Qwen").country_group, "China");
        assert_eq!(get("deepseek-ai").country_group, "China");
        assert_eq!(get("TheBloke").org_type, "user");
        assert_eq!(get("TheBloke").country_group, "User");
    }

    #[test]
    fn a_bad_vocabulary_value_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            &format!("{HEADER}a,industry,US,USA,curated,x\nb,bigcorp,US,USA,curated,y\n"),
        );
        let e = load_curated(&p).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("bigcorp"), "{e}");
    }

    #[test]
    fn a_duplicate_author_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            &format!("{HEADER}a,industry,US,USA,curated,x\nA,industry,US,USA,curated,y\n"),
        );
        assert!(
            load_curated(&p)
                .unwrap_err()
                .to_string()
                .contains("appears twice")
        );
    }

    #[test]
    fn release_wins_then_curated_then_unknown() {
        let curated = vec![
            Annotation {
                author: "meta-llama".into(),
                org_type: "industry",
                country: Some("US".into()),
                country_group: "USA",
                source: "curated",
                reported_org_type: None,
                reported_country_group: None,
            },
            Annotation {
                author: "Qwen".into(),
                org_type: "industry",
                country: Some("CN".into()),
                country_group: "China",
                source: "curated",
                reported_org_type: None,
                reported_country_group: None,
            },
        ];
        let release = vec![RawAnnotation {
            author: "Qwen".into(),
            org_type: Some("Industry".into()),
            country: Some("China".into()),
            country_group: Some("China".into()),
        }];
        let authors: BTreeSet<String> = ["meta-llama", "Qwen", "someone"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (df, counts) = developers_table(&authors, &curated, &release).unwrap();
        assert_eq!((counts.release, counts.curated, counts.none), (1, 1, 1));
        let src: Vec<&str> = df
            .column("annotation_source")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        // authors sorted: Qwen, meta-llama, someone
        assert_eq!(src, vec!["release", "curated", "none"]);
        let groups: Vec<&str> = df
            .column("country_group")
            .unwrap()
            .str()
            .unwrap()
            .no_null_iter()
            .collect();
        assert_eq!(groups, vec!["China", "USA", "Unknown"]);
    }

    #[test]
    fn release_values_outside_the_vocabulary_become_unknown_and_are_counted() {
        let mut unmapped = BTreeMap::new();
        let a = normalize_release(
            &RawAnnotation {
                author: "x".into(),
                org_type: Some("Alien".into()),
                country: Some("Atlantis".into()),
                country_group: None,
            },
            &mut unmapped,
        );
        assert_eq!(a.org_type, "unknown");
        assert_eq!(a.country, None);
        assert_eq!(a.country_group, "Unknown");
        assert_eq!(unmapped.len(), 2);
    }

    #[test]
    fn countries_map_to_groups() {
        assert_eq!(normalize_country("United Kingdom").as_deref(), Some("GB"));
        assert_eq!(group_of_country("GB"), "Europe");
        assert_eq!(group_of_country("HK"), "China");
        assert_eq!(group_of_country("JP"), "Other");
        assert_eq!(
            normalize_country_group("International/Online"),
            Some("International/Online")
        );
        assert_eq!(normalize_country_group("France"), Some("Europe"));
    }
}
