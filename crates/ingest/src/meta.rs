//! Parsing of the Hub's per-model metadata into typed fields.
//!
//! The Hub's metadata comes as nested values whose shape changed over the
//! years: `safetensors`, `gguf`, `baseModels`, `cardData` and `config` are
//! structs in some snapshots and JSON strings in others; `tags` is a list or
//! a string. Every reader first turns a row into a JSON object (a struct
//! column and a JSON-string column give the same object), then
//! [`ModelMeta::from_row`] applies the rules below, each in its own function.

use serde_json::{Map, Value};

use crate::schema::relation;

/// The metadata of one model that later stages need, parsed and typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelMeta {
    pub model_id: String,
    pub author: String,
    pub pipeline_tag: Option<String>,
    pub library_name: Option<String>,
    pub tags: Vec<String>,
    pub license: Option<String>,
    /// The card's `license_name` and `license_link`, which name a custom
    /// licence under `license: other` (lineage's openness reads them).
    pub license_name: Option<String>,
    pub license_link: Option<String>,
    pub datasets: Vec<String>,
    pub languages: Vec<String>,
    pub declared: DeclaredLineage,
    pub safetensors_params: Option<u64>,
    pub gguf_params: Option<u64>,
    pub gguf_architecture: Option<String>,
    pub architectures: Vec<String>,
    pub model_type: Option<String>,
    pub has_quantization_config: bool,
    pub quantization_method: Option<String>,
    pub files: Vec<String>,
    pub gated: bool,
    pub likes: Option<u64>,
    pub downloads_30d: Option<u64>,
    /// The columns whose value could not be used: a JSON string that does
    /// not parse to an object, or a `safetensors` sum beyond u64. Their
    /// fields are null; prepare counts them in the manifest's notes.
    pub unparsed: Vec<&'static str>,
}

/// The columns that hold a struct or a JSON string of one.
pub const NESTED_COLUMNS: [&str; 5] = ["safetensors", "gguf", "baseModels", "cardData", "config"];

/// The parents and relation a model declares, and which field said so.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredLineage {
    pub parents: Vec<String>,
    /// `finetune | adapter | quantized | merge`, when stated.
    pub relation: Option<String>,
    /// `baseModels.relation`, `tag:base_model:<relation>`, `tag:base_model`,
    /// `card:base_model_relation` or `card:base_model`.
    pub evidence: Option<String>,
}

impl ModelMeta {
    /// Parses one row (a JSON object with the Hub's field names). `id` must
    /// be present; everything else is optional.
    pub fn from_row(model_id: &str, row: &Map<String, Value>) -> Self {
        let tags = tags(row.get("tags"));
        let card = nested(row.get("cardData"));
        let config = nested(row.get("config"));
        let (architectures, model_type, quant) = config_fields(config.as_ref());
        let (gguf_params, gguf_architecture) = gguf_fields(nested(row.get("gguf")).as_ref());
        let mut unparsed: Vec<&'static str> = NESTED_COLUMNS
            .into_iter()
            .filter(|c| unparsable(row.get(*c)))
            .collect();
        let safetensors = nested(row.get("safetensors"));
        let safetensors_params = safetensors_sum(safetensors.as_ref()).unwrap_or_else(|| {
            unparsed.push("safetensors");
            None
        });
        Self {
            model_id: model_id.to_string(),
            author: author(model_id, row.get("author")),
            pipeline_tag: string(row.get("pipeline_tag")),
            library_name: string(row.get("library_name")),
            license: license(card.as_ref(), &tags),
            license_name: card
                .as_ref()
                .and_then(|c| string(c.get("license_name")))
                .map(|l| l.to_lowercase()),
            license_link: card.as_ref().and_then(|c| string(c.get("license_link"))),
            datasets: datasets(card.as_ref(), &tags),
            languages: languages(card.as_ref()),
            declared: declared_lineage(
                nested(row.get("baseModels")).as_ref(),
                &tags,
                card.as_ref(),
            ),
            safetensors_params,
            gguf_params,
            gguf_architecture,
            architectures,
            model_type,
            has_quantization_config: quant.is_some(),
            quantization_method: quant.and_then(|q| string(q.get("quant_method"))),
            files: files(row.get("siblings")),
            gated: gated(row.get("gated")),
            likes: count(row.get("likes")),
            downloads_30d: count(row.get("downloads")),
            tags,
            unparsed,
        }
    }
}

/// A struct value, or a JSON string holding one. Anything else is `None`.
pub fn nested(v: Option<&Value>) -> Option<Map<String, Value>> {
    match v? {
        Value::Object(m) => Some(m.clone()),
        Value::String(s) => match serde_json::from_str::<Value>(s).ok()? {
            Value::Object(m) => Some(m),
            _ => None,
        },
        _ => None,
    }
}

/// A JSON string that should hold an object but does not parse to one
/// (`"null"` and blank text are absent values, not faults).
fn unparsable(v: Option<&Value>) -> bool {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => !matches!(
            serde_json::from_str::<Value>(s),
            Ok(Value::Object(_) | Value::Null)
        ),
        _ => false,
    }
}

/// A non-empty string.
pub fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// A non-negative integer count (integers, or integral floats up to 2^53,
/// the last exact one: a larger float is no count, never a saturated one).
pub fn count(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| (0.0..=crate::parquet_io::MAX_COUNT as f64).contains(f))
                .filter(|f| f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A list of strings given as a list, as one string, as a JSON array in a
/// string, as a Python list repr (`['a', 'b']`) or comma-separated.
pub fn string_list(v: Option<&Value>) -> Vec<String> {
    let items: Vec<String> = match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().filter_map(|x| string(Some(x))).collect(),
        Some(Value::String(s)) => list_from_text(s),
        Some(other) => string(Some(other)).into_iter().collect(),
    };
    dedup_keep_order(items)
}

fn list_from_text(s: &str) -> Vec<String> {
    let t = s.trim();
    if t.is_empty() {
        return Vec::new();
    }
    if t.starts_with('[') {
        if let Ok(Value::Array(a)) = serde_json::from_str::<Value>(t) {
            return a.iter().filter_map(|x| string(Some(x))).collect();
        }
        let inner = t.trim_start_matches('[').trim_end_matches(']');
        return split_items(inner);
    }
    if t.contains(',') {
        return split_items(t);
    }
    vec![t.to_string()]
}

fn split_items(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| {
            x.trim()
                .trim_matches(|c| c == '\'' || c == '"')
                .trim()
                .to_string()
        })
        .filter(|x| !x.is_empty())
        .collect()
}

fn dedup_keep_order(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|x| seen.insert(x.clone()))
        .collect()
}

/// `tags`: a list or a string.
pub fn tags(v: Option<&Value>) -> Vec<String> {
    string_list(v)
}

/// The author column when non-empty, else the namespace before `/`, else
/// the id itself (a root-level legacy model is its own namespace).
pub fn author(model_id: &str, v: Option<&Value>) -> String {
    string(v).unwrap_or_else(|| namespace(model_id).to_string())
}

/// The namespace of a model id (`meta-llama` of `meta-llama/Llama-2-7b`).
pub fn namespace(model_id: &str) -> &str {
    model_id.split_once('/').map_or(model_id, |(ns, _)| ns)
}

/// The card licence, else the first `license:` tag.
fn license(card: Option<&Map<String, Value>>, tags: &[String]) -> Option<String> {
    card.and_then(|c| string_list(c.get("license")).into_iter().next())
        .or_else(|| prefixed_tags(tags, "license:").into_iter().next())
        .map(|l| l.to_lowercase())
}

/// The card's `datasets`, else the `dataset:` tags.
fn datasets(card: Option<&Map<String, Value>>, tags: &[String]) -> Vec<String> {
    let from_card = card
        .map(|c| string_list(c.get("datasets")))
        .unwrap_or_default();
    if from_card.is_empty() {
        prefixed_tags(tags, "dataset:")
    } else {
        from_card
    }
}

/// The card's `language` (string or list), lower-cased.
fn languages(card: Option<&Map<String, Value>>) -> Vec<String> {
    let langs = card
        .map(|c| string_list(c.get("language")))
        .unwrap_or_default();
    dedup_keep_order(langs.into_iter().map(|l| l.to_lowercase()).collect())
}

fn prefixed_tags(tags: &[String], prefix: &str) -> Vec<String> {
    tags.iter()
        .filter_map(|t| t.strip_prefix(prefix))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The relation vocabulary of the Hub, normalised; `None` for anything else.
pub fn normalize_relation(s: &str) -> Option<&'static str> {
    match s
        .trim()
        .to_lowercase()
        .replace(['-', '_', ' '], "")
        .as_str()
    {
        "finetune" | "finetuned" => Some(relation::FINETUNE),
        "adapter" | "adapters" => Some(relation::ADAPTER),
        "quantized" | "quantization" | "quantised" => Some(relation::QUANTIZED),
        "merge" | "merged" => Some(relation::MERGE),
        _ => None,
    }
}

/// Declared lineage, in the Hub's own order of precedence: `baseModels`
/// (what the Hub computed), then the typed `base_model:<relation>:<id>` tags,
/// then the card's `base_model` with its optional `base_model_relation`,
/// then untyped `base_model:<id>` tags.
pub fn declared_lineage(
    base_models: Option<&Map<String, Value>>,
    tags: &[String],
    card: Option<&Map<String, Value>>,
) -> DeclaredLineage {
    from_base_models(base_models)
        .or_else(|| from_typed_tags(tags))
        .or_else(|| from_card(card))
        .or_else(|| from_untyped_tags(tags))
        .unwrap_or_default()
}

fn from_base_models(bm: Option<&Map<String, Value>>) -> Option<DeclaredLineage> {
    let bm = bm?;
    let parents: Vec<String> = match bm.get("models") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|m| match m {
                Value::Object(o) => string(o.get("id")),
                other => string(Some(other)),
            })
            .collect(),
        other => string_list(other),
    };
    if parents.is_empty() {
        return None;
    }
    let rel = string(bm.get("relation")).and_then(|r| normalize_relation(&r));
    Some(DeclaredLineage {
        parents: dedup_keep_order(parents),
        relation: rel.map(str::to_string),
        evidence: Some(
            if rel.is_some() {
                "baseModels.relation"
            } else {
                "baseModels"
            }
            .into(),
        ),
    })
}

fn from_typed_tags(tags: &[String]) -> Option<DeclaredLineage> {
    let mut relation = None;
    let mut parents = Vec::new();
    for t in prefixed_tags(tags, "base_model:") {
        let Some((rel, id)) = t.split_once(':') else {
            continue;
        };
        let Some(rel) = normalize_relation(rel) else {
            continue;
        };
        relation.get_or_insert(rel);
        if relation == Some(rel) {
            parents.push(id.to_string());
        }
    }
    let rel = relation?;
    Some(DeclaredLineage {
        parents: dedup_keep_order(parents),
        relation: Some(rel.to_string()),
        evidence: Some(format!("tag:base_model:{rel}")),
    })
}

fn from_card(card: Option<&Map<String, Value>>) -> Option<DeclaredLineage> {
    let card = card?;
    let parents = string_list(card.get("base_model"));
    if parents.is_empty() {
        return None;
    }
    let rel = string(card.get("base_model_relation")).and_then(|r| normalize_relation(&r));
    Some(DeclaredLineage {
        parents,
        relation: rel.map(str::to_string),
        evidence: Some(
            if rel.is_some() {
                "card:base_model_relation"
            } else {
                "card:base_model"
            }
            .into(),
        ),
    })
}

fn from_untyped_tags(tags: &[String]) -> Option<DeclaredLineage> {
    let parents: Vec<String> = prefixed_tags(tags, "base_model:")
        .into_iter()
        .filter(|t| !t.contains(':'))
        .collect();
    (!parents.is_empty()).then(|| DeclaredLineage {
        parents,
        relation: None,
        evidence: Some("tag:base_model".into()),
    })
}

/// `safetensors.total`, else the sum of `safetensors.parameters`.
pub fn safetensors_total(st: Option<&Map<String, Value>>) -> Option<u64> {
    safetensors_sum(st).flatten()
}

/// [`safetensors_total`], or `None` when the sum passes u64 (checked: a
/// wrapped sum gave 9 parameters).
fn safetensors_sum(st: Option<&Map<String, Value>>) -> Option<Option<u64>> {
    let Some(st) = st else {
        return Some(None);
    };
    if let Some(total) = count(st.get("total")).filter(|n| *n > 0) {
        return Some(Some(total));
    }
    let sum = parameter_counts(st.get("parameters"))
        .into_iter()
        .try_fold(0u64, u64::checked_add)?;
    Some((sum > 0).then_some(sum))
}

/// The counts per dtype of `safetensors.parameters`: an object (`{"BF16":
/// n}`), a JSON string holding one, or a parquet map as polars reads it (a
/// list of `{key, value}`).
fn parameter_counts(v: Option<&Value>) -> Vec<u64> {
    match v {
        Some(Value::Array(entries)) => entries
            .iter()
            .filter_map(|e| count(e.get("value")))
            .collect(),
        other => nested(other)
            .map(|m| m.values().filter_map(|v| count(Some(v))).collect())
            .unwrap_or_default(),
    }
}

fn gguf_fields(g: Option<&Map<String, Value>>) -> (Option<u64>, Option<String>) {
    match g {
        Some(g) => (
            count(g.get("total")).filter(|n| *n > 0),
            string(g.get("architecture")),
        ),
        None => (None, None),
    }
}

type ConfigFields = (Vec<String>, Option<String>, Option<Map<String, Value>>);

/// `config.architectures`, `config.model_type`, `config.quantization_config`.
fn config_fields(config: Option<&Map<String, Value>>) -> ConfigFields {
    let Some(c) = config else {
        return (Vec::new(), None, None);
    };
    let quant = match c.get("quantization_config") {
        Some(Value::Null) | None => None,
        Some(v) => Some(nested(Some(v)).unwrap_or_default()),
    };
    (
        string_list(c.get("architectures")),
        string(c.get("model_type")),
        quant,
    )
}

/// `siblings[].rfilename` (or a plain list of names).
fn files(v: Option<&Value>) -> Vec<String> {
    let list = match v {
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Array(a)) => a,
            _ => return Vec::new(),
        },
        Some(Value::Array(a)) => a.clone(),
        _ => return Vec::new(),
    };
    list.iter()
        .filter_map(|f| match f {
            Value::Object(o) => string(o.get("rfilename")),
            Value::String(s) => sibling_repr_name(s).or_else(|| string(Some(f))),
            other => string(Some(other)),
        })
        .collect()
}

/// The file name in a printed `RepoSibling(rfilename='config.json', ...)`,
/// as a `ModelInfo` dumped with `default=str` has it.
fn sibling_repr_name(s: &str) -> Option<String> {
    let rest = s.trim().strip_prefix("RepoSibling(")?;
    let rest = rest.split_once("rfilename=")?.1;
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let name = rest[1..].split(quote).next()?;
    (!name.is_empty()).then(|| name.to_string())
}

/// `gated` is `false`, `true`, `"auto"` or `"manual"` on the Hub.
fn gated(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !matches!(
            s.trim().to_lowercase().as_str(),
            "" | "false" | "0" | "none"
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn struct_and_json_string_columns_parse_to_the_same_fields() {
        let as_struct = row(json!({
            "safetensors": {"parameters": {"BF16": 7_000_000_000u64}, "total": 7_241_732_096u64},
            "config": {"architectures": ["MistralForCausalLM"], "model_type": "mistral",
                       "quantization_config": {"quant_method": "awq", "bits": 4}},
            "cardData": {"license": "Apache-2.0", "datasets": ["HuggingFaceH4/ultrachat_200k"], "language": ["en", "FR"]}
        }));
        let as_string = row(json!({
            "safetensors": "{\"parameters\": {\"BF16\": 7000000000}, \"total\": 7241732096}",
            "config": "{\"architectures\": [\"MistralForCausalLM\"], \"model_type\": \"mistral\", \"quantization_config\": {\"quant_method\": \"awq\", \"bits\": 4}}",
            "cardData": "{\"license\": \"Apache-2.0\", \"datasets\": \"HuggingFaceH4/ultrachat_200k\", \"language\": [\"en\", \"FR\"]}"
        }));
        let a = ModelMeta::from_row("x/y", &as_struct);
        let b = ModelMeta::from_row("x/y", &as_string);
        assert_eq!(a, b);
        assert_eq!(a.safetensors_params, Some(7_241_732_096));
        assert_eq!(a.architectures, vec!["MistralForCausalLM"]);
        assert!(a.has_quantization_config);
        assert_eq!(a.quantization_method.as_deref(), Some("awq"));
        assert_eq!(a.license.as_deref(), Some("apache-2.0"));
        assert_eq!(a.languages, vec!["en", "fr"]);
        assert_eq!(a.datasets, vec!["HuggingFaceH4/ultrachat_200k"]);
    }

    #[test]
    fn safetensors_without_total_sums_its_dtypes() {
        let st = row(json!({"parameters": {"F32": 10, "I64": 5}}));
        assert_eq!(safetensors_total(Some(&st)), Some(15));
    }

    #[test]
    fn bad_json_and_overflowing_sums_are_named_not_silently_null() {
        let m = ModelMeta::from_row(
            "a/b",
            &row(json!({"safetensors": "{\"total\": 7", "config": "null", "gguf": ""})),
        );
        assert_eq!(m.safetensors_params, None);
        assert_eq!(m.unparsed, ["safetensors"]);
        let huge = row(json!({"safetensors": {"parameters": {"F32": u64::MAX, "BF16": 10}}}));
        let m = ModelMeta::from_row("a/b", &huge);
        assert_eq!(m.safetensors_params, None, "never a wrapped sum");
        assert_eq!(m.unparsed, ["safetensors"]);
        assert_eq!(count(Some(&json!(1e26))), None);
        assert_eq!(count(Some(&json!(9.0))), Some(9));
    }

    #[test]
    fn tags_as_list_json_text_python_repr_or_commas_give_the_same_list() {
        let want = vec!["gguf".to_string(), "license:mit".to_string()];
        assert_eq!(tags(Some(&json!(["gguf", "license:mit"]))), want);
        assert_eq!(tags(Some(&json!("[\"gguf\", \"license:mit\"]"))), want);
        assert_eq!(tags(Some(&json!("['gguf', 'license:mit']"))), want);
        assert_eq!(tags(Some(&json!("gguf, license:mit"))), want);
        assert_eq!(tags(Some(&json!("gguf"))), vec!["gguf".to_string()]);
        assert!(tags(Some(&json!(null))).is_empty());
    }

    #[test]
    fn author_falls_back_to_the_namespace_then_the_id() {
        assert_eq!(author("TheBloke/Llama-2-7B-Chat-GGUF", None), "TheBloke");
        assert_eq!(author("TheBloke/x", Some(&json!(""))), "TheBloke");
        assert_eq!(author("gpt2", None), "gpt2");
        assert_eq!(author("a/b", Some(&json!("someone"))), "someone");
    }

    #[test]
    fn base_models_win_over_tags_and_card() {
        let bm = row(
            json!({"relation": "quantized", "models": [{"_id": "1", "id": "meta-llama/Llama-2-7b-chat-hf"}]}),
        );
        let tags = vec!["base_model:adapter:other/x".to_string()];
        let card = row(json!({"base_model": "third/y"}));
        let d = declared_lineage(Some(&bm), &tags, Some(&card));
        assert_eq!(d.parents, vec!["meta-llama/Llama-2-7b-chat-hf"]);
        assert_eq!(d.relation.as_deref(), Some("quantized"));
        assert_eq!(d.evidence.as_deref(), Some("baseModels.relation"));
    }

    #[test]
    fn typed_tags_declare_relation_and_parent() {
        let tags: Vec<String> = [
            "base_model:Qwen/Qwen2.5-7B",
            "base_model:finetune:Qwen/Qwen2.5-7B",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let d = declared_lineage(None, &tags, None);
        assert_eq!(d.parents, vec!["Qwen/Qwen2.5-7B"]);
        assert_eq!(d.relation.as_deref(), Some("finetune"));
        assert_eq!(d.evidence.as_deref(), Some("tag:base_model:finetune"));
    }

    #[test]
    fn card_base_model_list_without_relation_leaves_relation_to_lineage() {
        let card = row(json!({"base_model": ["a/one", "b/two"]}));
        let d = declared_lineage(None, &[], Some(&card));
        assert_eq!(d.parents, vec!["a/one", "b/two"]);
        assert_eq!(d.relation, None);
        assert_eq!(d.evidence.as_deref(), Some("card:base_model"));
        let card = row(json!({"base_model": "a/one", "base_model_relation": "adapter"}));
        let d = declared_lineage(None, &[], Some(&card));
        assert_eq!(d.relation.as_deref(), Some("adapter"));
        assert_eq!(d.evidence.as_deref(), Some("card:base_model_relation"));
    }

    #[test]
    fn untyped_base_model_tags_are_parents_without_relation() {
        let d = declared_lineage(None, &["base_model:a/one".to_string()], None);
        assert_eq!(d.parents, vec!["a/one"]);
        assert_eq!(d.evidence.as_deref(), Some("tag:base_model"));
    }

    #[test]
    fn relation_spellings_normalise() {
        assert_eq!(normalize_relation("fine-tune"), Some("finetune"));
        assert_eq!(normalize_relation("Quantized"), Some("quantized"));
        assert_eq!(normalize_relation("distillation"), None);
    }

    #[test]
    fn gguf_siblings_gated_and_counts() {
        let m = ModelMeta::from_row(
            "TheBloke/Llama-2-7B-Chat-GGUF",
            &row(json!({
                "gguf": {"total": 6_738_415_616u64, "architecture": "llama", "context_length": 4096},
                "siblings": [{"rfilename": "llama-2-7b-chat.Q4_K_M.gguf"}, {"rfilename": "README.md"}],
                "gated": "manual", "likes": 400, "downloads": 1234.0,
                "tags": ["license:llama2", "dataset:foo/bar"]
            })),
        );
        assert_eq!(m.gguf_params, Some(6_738_415_616));
        assert_eq!(m.gguf_architecture.as_deref(), Some("llama"));
        assert_eq!(m.files, vec!["llama-2-7b-chat.Q4_K_M.gguf", "README.md"]);
        assert!(m.gated);
        assert_eq!(m.likes, Some(400));
        assert_eq!(m.downloads_30d, Some(1234));
        assert_eq!(m.license.as_deref(), Some("llama2"));
        assert_eq!(m.datasets, vec!["foo/bar"]);
        assert_eq!(m.author, "TheBloke");
    }
}
