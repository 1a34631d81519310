//! The scenario: every planted parameter of the synthetic Hub, loaded from TOML.
//!
//! `Scenario::default()` is the default scenario; `scenarios/default.toml`
//! writes it out key by key (a test checks the two are equal).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::SynthError;

/// Shares over named classes (a TOML inline table such as `{ USA = 0.5, China = 0.5 }`).
pub type Shares = BTreeMap<String, f64>;

/// One value per period of the study: weeks of 2022 and before, 2023, 2024, 2025.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByPeriod<T> {
    pub le2022: T,
    pub y2023: T,
    pub y2024: T,
    pub y2025: T,
}

impl<T> ByPeriod<T> {
    pub fn get(&self, period: usize) -> &T {
        match period {
            0 => &self.le2022,
            1 => &self.y2023,
            2 => &self.y2024,
            _ => &self.y2025,
        }
    }
    /// `(key, value)` for the four periods, in order.
    pub fn iter(&self) -> [(&'static str, &T); 4] {
        [
            ("le2022", &self.le2022),
            ("y2023", &self.y2023),
            ("y2024", &self.y2024),
            ("y2025", &self.y2025),
        ]
    }
}

/// Which files carry the weekly history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// `weekly` below `auto_compact_above` models, `compact` above.
    Auto,
    /// Every weekly snapshot complete with metadata.
    Weekly,
    /// Only the last snapshot with metadata; the weekly cumulative counts of
    /// every model in the release format.
    Compact,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub layout: Layout,
    pub auto_compact_above: usize,
    pub population: Population,
    pub developers: Developers,
    pub lineage: Lineage,
    pub popularity: Popularity,
    pub attributes: Attributes,
    pub trajectories: Trajectories,
    pub anomalies: Anomalies,
    pub formats: Formats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Earliest true creation date of a model (YYYY-MM-DD).
    pub first_created: String,
    /// Growth factor of the number of models created per year (> 0; > 1 accelerates).
    pub creation_growth_per_year: f64,
    /// Size of the real study (C1), to scale total downloads to the sample.
    pub full_scale_models: usize,
    /// Total downloads of the real study over the whole period (C1).
    pub full_scale_downloads: f64,
    /// Growth factor per year of the Hub's weekly downloads within a period (> 0).
    pub download_growth_per_year: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intermediary {
    pub author: String,
    /// First day it publishes (YYYY-MM-DD).
    pub active_from: String,
    /// Quantization formats it publishes: gguf, gptq, awq, exl2, mlx, bnb-4bit.
    pub formats: Vec<String>,
    /// Relative weight among intermediaries.
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Developers {
    /// Synthetic long-tail developers per model.
    pub tail_per_model: f64,
    /// Share of long-tail developers that are individual users (the rest organisations).
    pub tail_user_fraction: f64,
    /// Org types of long-tail organisations.
    pub tail_org_types: Shares,
    /// Country groups of long-tail organisations.
    pub tail_org_country_groups: Shares,
    /// Share of original models uploaded by the head (annotated, real-name) developers.
    pub head_original_share: f64,
    /// Share of long-tail developers (the most popular) that the release annotates.
    pub annotated_tail_fraction: f64,
    /// Pareto shape of developers' activity (number of models); smaller is heavier.
    pub activity_pareto_shape: f64,
    /// Log-sd of developers' popularity.
    pub popularity_sigma: f64,
    /// The intermediaries: developers who mostly publish quantizations and adapters.
    pub intermediaries: Vec<Intermediary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lineage {
    /// Share of models that declare a parent (baseModels, tags, card).
    pub declared_fraction: f64,
    /// Relations of declared derivatives: adapter, finetune, quantized, merge.
    pub declared_mix: Shares,
    /// Share of models that are derivatives but declare nothing.
    pub undocumented_fraction: f64,
    /// Relations of undocumented derivatives.
    pub undocumented_mix: Shares,
    /// Probability that a declared card also writes base_model_relation.
    pub relation_field_probability: f64,
    /// Probability that a derivative of each relation is uploaded by an intermediary.
    pub intermediary_probability: Shares,
    /// Largest number of parents of a merge (at least 2).
    pub merge_max_parents: usize,
    /// Median popularity of a derivative relative to its parent.
    pub derivative_popularity_ratio: f64,
    /// Median popularity of an intermediary's derivative relative to its parent.
    pub intermediary_popularity_ratio: f64,
    /// Probability that a derivative's parent is drawn among the head labs'
    /// base models (by their appeal, fading with age) rather than from the
    /// pool of all other originals, fine-tunes and merges.
    pub base_model_share: f64,
    /// Largest share of all models in one family (a first-parent tree); a
    /// family that reaches it takes no more derivatives.
    pub max_family_share: f64,
    /// Days over which a model's pull on new derivatives (and each of its
    /// derivatives' contribution to it) falls by a factor e.
    pub attachment_decay_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Popularity {
    /// Probability that a model is never downloaded, by uploader kind: head, intermediary, tail.
    pub zero_probability: Shares,
    /// Log-sd of a model's popularity around its developer's.
    pub model_sigma: f64,
    /// Median weeks of a model's exponential decay of interest.
    pub decay_weeks_median: f64,
    /// Log-sd of the decay time.
    pub decay_sigma: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attributes {
    /// Probability that an original model reports its parameter count, by creation period.
    pub params_known: ByPeriod<f64>,
    /// Size classes of original models by creation period: tiny (<0.5B), small (0.5-3B),
    /// medium (3-15B), large (15-80B), huge (>80B).
    pub size_classes: ByPeriod<Shares>,
    /// Probability that an original model is a mixture of experts, by creation period.
    pub moe_probability: ByPeriod<f64>,
    /// Probability that an original model does multimodal generation, by creation period.
    pub multimodal_generation_probability: ByPeriod<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedDevelopers {
    pub authors: Vec<String>,
    /// Download share of these authors together, for the periods given (keys le2022..y2025).
    pub share: Shares,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trajectories {
    /// Share of all downloads that falls in each period.
    pub period_totals: ByPeriod<f64>,
    /// Download shares by the uploader's country group.
    pub country_group: ByPeriod<Shares>,
    /// Download shares by the uploader's org type.
    pub org_type: ByPeriod<Shares>,
    /// Combined share of a few named developers (DeepSeek and Qwen, C5).
    pub named_developers: NamedDevelopers,
    pub multimodal_generation: ByPeriod<f64>,
    pub quantized: ByPeriod<f64>,
    pub moe: ByPeriod<f64>,
    /// Share of downloads that go to models with a known parameter count.
    pub params_known: ByPeriod<f64>,
    /// Size classes among downloads of models with known parameters.
    pub size: ByPeriod<Shares>,
    /// The published size ratio (C6), reported next to the realised one.
    pub size_ratio_target: f64,
    /// Openness: open_source, open_weights, restricted, unknown (also the model-level mix).
    pub openness: ByPeriod<Shares>,
    /// Data transparency: available, disclosed, undisclosed, no_card (also the model-level mix).
    pub transparency: ByPeriod<Shares>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anomalies {
    /// Models missing from two consecutive snapshots.
    pub missing_models: usize,
    /// Models whose cumulative counter goes down for one snapshot, then recovers.
    pub counter_glitches: usize,
    /// Rows written twice in one snapshot.
    pub duplicate_rows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formats {
    /// Snapshots before this date have no safetensors/gguf/baseModels columns and tags as JSON text.
    pub modern_columns_from: String,
    /// Snapshots before this date (and after the one above) carry safetensors, gguf and
    /// config as JSON text; from it on they are structs and baseModels appears.
    pub struct_columns_from: String,
    /// First weekly snapshot written (YYYY-MM-DD); the models' history
    /// before it is simulated all the same, so the first written counters
    /// carry it, as the public series from 2024-07 does. Default: the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots_from: Option<String>,
    /// First snapshot time the release holds (YYYY-MM-DD). Default: each
    /// model's first week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_from: Option<String>,
}

pub(crate) const COUNTRY_GROUPS: [&str; 7] = [
    "USA",
    "China",
    "Europe",
    "Other",
    "International/Online",
    "User",
    "Unknown",
];
pub(crate) const ORG_TYPES: [&str; 7] = [
    "industry",
    "academia",
    "nonprofit",
    "government",
    "community",
    "user",
    "unknown",
];
pub(crate) const RELATIONS: [&str; 4] = ["adapter", "finetune", "quantized", "merge"];
pub(crate) const SIZE_CLASSES: [&str; 5] = ["tiny", "small", "medium", "large", "huge"];
pub(crate) const OPENNESS: [&str; 4] = ["open_source", "open_weights", "restricted", "unknown"];
pub(crate) const TRANSPARENCY: [&str; 4] = ["available", "disclosed", "undisclosed", "no_card"];
pub(crate) const UPLOADER_KINDS: [&str; 3] = ["head", "intermediary", "tail"];
pub(crate) const QUANT_FORMATS: [&str; 7] =
    ["gguf", "gptq", "awq", "exl2", "mlx", "bnb-4bit", "bnb-8bit"];
pub(crate) const PERIOD_KEYS: [&str; 4] = ["le2022", "y2023", "y2024", "y2025"];

impl Scenario {
    /// Parse a scenario from TOML text and validate it.
    pub fn from_toml_str(s: &str) -> Result<Self, SynthError> {
        Self::parse(s, "text")
    }

    /// Read a scenario file and validate it.
    pub fn from_path(p: &Path) -> Result<Self, SynthError> {
        let text = std::fs::read_to_string(p).map_err(|e| SynthError::io(p, e))?;
        Self::parse(&text, &p.display().to_string())
    }

    fn parse(s: &str, origin: &str) -> Result<Self, SynthError> {
        let scenario: Scenario = toml::from_str(s).map_err(|e| parse_error(s, origin, &e))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Check every value; the error names the key path of the first bad one.
    pub fn validate(&self) -> Result<(), SynthError> {
        crate::validate::scenario(self)
    }

    /// The layout used for `n_models` models.
    pub fn resolved_layout(&self, n_models: usize) -> Layout {
        match self.layout {
            Layout::Auto if n_models > self.auto_compact_above => Layout::Compact,
            Layout::Auto => Layout::Weekly,
            other => other,
        }
    }
}

/// A TOML error; an unknown field becomes an `Invalid` error naming its dotted key path.
fn parse_error(text: &str, origin: &str, e: &toml::de::Error) -> SynthError {
    let message = e.message().to_string();
    let field = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next());
    match (field, e.span()) {
        (Some(field), Some(span)) => SynthError::Invalid {
            key: key_path(text, span.start, field),
            message: format!("unknown key in {origin}: {message}"),
        },
        _ => SynthError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        },
    }
}

/// The dotted path of `field` at byte `at`: the enclosing `[table]`, plus the
/// key of an inline table when the field sits in one (`key = { field = .. }`).
fn key_path(text: &str, at: usize, field: &str) -> String {
    let before = &text[..at.min(text.len())];
    let table = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').to_string());
    let line = before.rsplit('\n').next().unwrap_or("");
    let inline = line
        .split_once('=')
        .filter(|(_, rest)| rest.contains('{'))
        .map(|(k, _)| k.trim().to_string());
    [table, inline, Some(field.to_string())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(".")
}

fn shares(pairs: &[(&str, f64)]) -> Shares {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn by_period<T>(le2022: T, y2023: T, y2024: T, y2025: T) -> ByPeriod<T> {
    ByPeriod {
        le2022,
        y2023,
        y2024,
        y2025,
    }
}

fn groups(v: [f64; 7]) -> Shares {
    shares(&COUNTRY_GROUPS.iter().copied().zip(v).collect::<Vec<_>>())
}

fn org_types(v: [f64; 7]) -> Shares {
    shares(&ORG_TYPES.iter().copied().zip(v).collect::<Vec<_>>())
}

fn sizes(v: [f64; 5]) -> Shares {
    shares(&SIZE_CLASSES.iter().copied().zip(v).collect::<Vec<_>>())
}

fn openness(v: [f64; 4]) -> Shares {
    shares(&OPENNESS.iter().copied().zip(v).collect::<Vec<_>>())
}

fn transparency(v: [f64; 4]) -> Shares {
    shares(&TRANSPARENCY.iter().copied().zip(v).collect::<Vec<_>>())
}

fn intermediary(author: &str, active_from: &str, formats: &[&str], weight: f64) -> Intermediary {
    Intermediary {
        author: author.to_string(),
        active_from: active_from.to_string(),
        formats: formats.iter().map(|f| f.to_string()).collect(),
        weight,
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            layout: Layout::Auto,
            auto_compact_above: 100_000,
            population: Population {
                first_created: "2019-10-01".to_string(),
                creation_growth_per_year: 2.2,
                full_scale_models: 851_000,
                full_scale_downloads: 2.2e9,
                download_growth_per_year: 1.8,
            },
            developers: Developers {
                tail_per_model: 0.3,
                tail_user_fraction: 0.7,
                tail_org_types: shares(&[
                    ("community", 0.5),
                    ("academia", 0.25),
                    ("industry", 0.15),
                    ("nonprofit", 0.07),
                    ("government", 0.03),
                ]),
                tail_org_country_groups: shares(&[
                    ("USA", 0.25),
                    ("China", 0.12),
                    ("Europe", 0.25),
                    ("Other", 0.18),
                    ("International/Online", 0.2),
                ]),
                head_original_share: 0.08,
                annotated_tail_fraction: 0.25,
                activity_pareto_shape: 1.2,
                popularity_sigma: 1.5,
                intermediaries: vec![
                    intermediary("TheBloke", "2023-03-01", &["gguf", "gptq", "awq"], 3.0),
                    intermediary("bartowski", "2023-10-01", &["gguf", "exl2"], 2.0),
                    intermediary("mradermacher", "2024-01-15", &["gguf"], 3.0),
                    intermediary("unsloth", "2023-12-01", &["bnb-4bit", "gguf"], 1.5),
                    intermediary("lmstudio-community", "2024-04-01", &["gguf"], 1.0),
                    intermediary("QuantFactory", "2024-04-15", &["gguf"], 1.0),
                    intermediary("mlx-community", "2023-12-10", &["mlx"], 1.5),
                ],
            },
            lineage: Lineage {
                declared_fraction: 0.28,
                declared_mix: shares(&[
                    ("adapter", 0.43),
                    ("finetune", 0.36),
                    ("quantized", 0.19),
                    ("merge", 0.02),
                ]),
                undocumented_fraction: 0.2,
                undocumented_mix: shares(&[
                    ("adapter", 0.2),
                    ("finetune", 0.4),
                    ("quantized", 0.3),
                    ("merge", 0.1),
                ]),
                relation_field_probability: 0.3,
                intermediary_probability: shares(&[
                    ("adapter", 0.05),
                    ("finetune", 0.02),
                    ("quantized", 0.6),
                    ("merge", 0.0),
                ]),
                merge_max_parents: 3,
                derivative_popularity_ratio: 0.01,
                intermediary_popularity_ratio: 0.1,
                base_model_share: 0.5,
                max_family_share: 0.08,
                attachment_decay_days: 240.0,
            },
            popularity: Popularity {
                zero_probability: shares(&[("head", 0.1), ("intermediary", 0.15), ("tail", 0.75)]),
                model_sigma: 4.0,
                decay_weeks_median: 60.0,
                decay_sigma: 0.8,
            },
            attributes: Attributes {
                params_known: by_period(0.3, 0.45, 0.6, 0.7),
                size_classes: by_period(
                    sizes([0.85, 0.13, 0.02, 0.0, 0.0]),
                    sizes([0.6, 0.25, 0.12, 0.03, 0.0]),
                    sizes([0.5, 0.28, 0.15, 0.05, 0.02]),
                    sizes([0.45, 0.3, 0.15, 0.07, 0.03]),
                ),
                moe_probability: by_period(0.01, 0.01, 0.02, 0.04),
                multimodal_generation_probability: by_period(0.06, 0.1, 0.14, 0.18),
            },
            trajectories: Trajectories {
                period_totals: by_period(0.1, 0.17, 0.3, 0.43),
                country_group: by_period(
                    groups([0.5, 0.03, 0.14, 0.05, 0.08, 0.17, 0.03]),
                    groups([0.44, 0.05, 0.14, 0.06, 0.1, 0.18, 0.03]),
                    groups([0.36, 0.08, 0.13, 0.07, 0.13, 0.2, 0.03]),
                    groups([0.2, 0.19, 0.09, 0.06, 0.21, 0.22, 0.03]),
                ),
                org_type: by_period(
                    org_types([0.45, 0.15, 0.06, 0.01, 0.13, 0.17, 0.03]),
                    org_types([0.4, 0.12, 0.05, 0.01, 0.21, 0.18, 0.03]),
                    org_types([0.33, 0.09, 0.04, 0.01, 0.3, 0.2, 0.03]),
                    org_types([0.25, 0.06, 0.03, 0.01, 0.4, 0.22, 0.03]),
                ),
                named_developers: NamedDevelopers {
                    authors: vec!["deepseek-ai".to_string(), "Qwen".to_string()],
                    share: shares(&[("y2024", 0.03), ("y2025", 0.14)]),
                },
                multimodal_generation: by_period(0.05, 0.09, 0.13, 0.17),
                quantized: by_period(0.012, 0.03, 0.045, 0.06),
                moe: by_period(0.002, 0.005, 0.009, 0.014),
                params_known: by_period(0.45, 0.55, 0.65, 0.75),
                size: by_period(
                    sizes([0.867, 0.12, 0.013, 0.0, 0.0]),
                    sizes([0.7, 0.22, 0.07, 0.01, 0.0]),
                    sizes([0.5, 0.3, 0.16, 0.035, 0.005]),
                    sizes([0.387, 0.37, 0.2, 0.04, 0.003]),
                ),
                size_ratio_target: 17.0,
                openness: by_period(
                    openness([0.58, 0.231, 0.08, 0.109]),
                    openness([0.47, 0.249, 0.1, 0.181]),
                    openness([0.4, 0.351, 0.1, 0.149]),
                    openness([0.3, 0.429, 0.1, 0.171]),
                ),
                transparency: by_period(
                    transparency([0.68, 0.113, 0.098, 0.109]),
                    transparency([0.5, 0.085, 0.234, 0.181]),
                    transparency([0.47, 0.065, 0.316, 0.149]),
                    transparency([0.35, 0.048, 0.431, 0.171]),
                ),
            },
            anomalies: Anomalies {
                missing_models: 3,
                counter_glitches: 2,
                duplicate_rows: 4,
            },
            formats: Formats {
                modern_columns_from: "2023-01-01".to_string(),
                struct_columns_from: "2024-10-01".to_string(),
                snapshots_from: None,
                release_from: None,
            },
        }
    }
}
