//! Reader for HF API listing pages: files holding the JSON array that
//! `GET /api/models?expand[]=...` returns, one file per page.
//!
//! A listing is a one-date snapshot: it has each model's all-time and 30-day
//! downloads but no weekly history. The manifest says so
//! (`weekly_history: false`).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;
use serde_json::{Map, Value};

use crate::error::{IngestError, Location, Result};
use crate::hubstats::{concat_observations, observation_frame};
use crate::meta::{ModelMeta, count, string};
use crate::parquet_io::parse_date;
use crate::source::{ModelRecord, Progress, SourceData, SourceKind};
use crate::week::to_epoch_days;

/// The page files of `input`: the file, or the `*.json` files of a
/// directory in name order (page numbers are zero-padded by `collect`).
pub fn discover_pages(input: &Path) -> Result<Vec<PathBuf>> {
    if input.is_file() {
        return Ok(vec![input.to_path_buf()]);
    }
    let entries = std::fs::read_dir(input).map_err(|e| IngestError::io(input, e))?;
    let mut pages: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_page_file(p))
        .collect();
    pages.sort();
    if pages.is_empty() {
        return Err(IngestError::NoInput {
            path: input.into(),
            expected: "*.json pages of GET /api/models".into(),
        });
    }
    Ok(pages)
}

/// A `.json` file that can be an API page (not the `truth.json`,
/// `manifest.json`, `collect-state.json` or `fetch-manifest.json` that sit
/// beside pages).
pub fn is_page_file(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    p.is_file()
        && name.ends_with(".json")
        && !matches!(
            name,
            "truth.json" | "manifest.json" | "collect-state.json" | "fetch-manifest.json"
        )
}

/// Parses one page: UTF-8 JSON holding an array of model objects.
pub fn parse_page(path: &Path) -> Result<Vec<Map<String, Value>>> {
    let bytes = std::fs::read(path).map_err(|e| IngestError::io(path, e))?;
    if bytes.is_empty() {
        return Err(IngestError::EmptyFile {
            path: path.into(),
            expected: "a JSON array of models".into(),
        });
    }
    // A UTF-8 byte order mark (some editors and tools write one) is not
    // JSON, but not a reason to refuse the page either.
    let bytes = strip_bom(&bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(IngestError::NotUtf8 {
            path: path.into(),
            offset: e.valid_up_to(),
        });
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| json_error(path, bytes, &e))?;
    let Value::Array(items) = value else {
        return Err(IngestError::WrongType {
            at: Location::file(path),
            found: "a JSON value that is not an array".into(),
            expected: "the JSON array GET /api/models returns".into(),
        });
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::Object(m) => {
                id_is_text(path, i, &m)?;
                Ok(m)
            }
            other => Err(IngestError::WrongType {
                at: Location::file(path).row(i),
                found: format!("{other}").chars().take(40).collect(),
                expected: "a model object".into(),
            }),
        })
        .collect()
}

/// `bytes` without a leading UTF-8 byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// An accurate reason for a page that does not parse: it ends early
/// (truncated), holds a NaN or Infinity (which JSON has not), or has a
/// syntax error at a byte offset.
fn json_error(path: &Path, bytes: &[u8], e: &serde_json::Error) -> IngestError {
    if e.is_eof() {
        return IngestError::Unreadable {
            path: path.into(),
            expected: "JSON".into(),
            detail: format!("it ends early, after {} bytes: {e}", bytes.len()),
        };
    }
    IngestError::BadValue {
        at: Location::file(path),
        value: near(bytes, e),
        expected: format!("valid JSON; found {}", json_problem(bytes, e)),
    }
}

/// What is wrong at a parse error's place, naming its byte offset.
pub fn json_problem(bytes: &[u8], e: &serde_json::Error) -> String {
    let at = byte_offset(bytes, e.line(), e.column());
    // serde_json points at the token or just past its first byte.
    let token = [at.saturating_sub(1), at].into_iter().find_map(|i| {
        let rest = bytes.get(i..)?;
        ["-Infinity", "NaN", "Infinity"]
            .into_iter()
            .find(|t| rest.starts_with(t.as_bytes()))
            .map(|t| (t, i))
    });
    match token {
        Some((t, at)) => format!("{t} at byte {at}, which JSON does not allow (null is)"),
        None => format!("a syntax error at byte {at} ({e})"),
    }
}

/// The byte offset of serde_json's 1-based line and column (which counts
/// bytes).
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = bytes
        .split(|b| *b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    line_start + column.saturating_sub(1)
}

/// Up to 20 characters around the error's place.
fn near(bytes: &[u8], e: &serde_json::Error) -> String {
    let at = byte_offset(bytes, e.line(), e.column()).min(bytes.len());
    let from = at.saturating_sub(10);
    let to = (at + 10).min(bytes.len());
    String::from_utf8_lossy(&bytes[from..to]).into_owned()
}

/// An `id` that is there but not text (a number, say) is a wrong type, not
/// a missing column.
fn id_is_text(path: &Path, row: usize, m: &Map<String, Value>) -> Result<()> {
    for col in ["id", "modelId"] {
        match m.get(col) {
            None | Some(Value::Null | Value::String(_)) => {}
            Some(other) => {
                return Err(IngestError::WrongType {
                    at: Location::file(path).column(col).row(row),
                    found: format!("{} {other}", json_kind(other))
                        .chars()
                        .take(60)
                        .collect(),
                    expected: "a string such as \"org/model\"".into(),
                });
            }
        }
    }
    Ok(())
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One model of a page, checked: its id, counter and creation date.
struct Item {
    id: String,
    /// None when the listing has no `downloadsAllTime` (the default answer
    /// of `GET /api/models` and of `huggingface_hub.list_models()`).
    downloads_all_time: Option<u64>,
    created_at: Option<i32>,
    last_modified: Option<i32>,
    meta: ModelMeta,
}

/// huggingface_hub's `ModelInfo` field names and the API's names for them.
const MODEL_INFO_KEYS: [(&str, &str); 8] = [
    ("created_at", "createdAt"),
    ("last_modified", "lastModified"),
    ("card_data", "cardData"),
    ("downloads_all_time", "downloadsAllTime"),
    ("model_index", "model-index"),
    ("transformers_info", "transformersInfo"),
    ("trending_score", "trendingScore"),
    ("widget_data", "widgetData"),
];

/// A `ModelInfo` dump (`dataclasses.asdict(info)` written as JSON) under the
/// API's field names. A `card_data` printed with `str()` is YAML text, which
/// is refused rather than dropped.
fn api_names(path: &Path, row: usize, m: &Map<String, Value>) -> Result<Map<String, Value>> {
    let mut out = m.clone();
    for (snake, api) in MODEL_INFO_KEYS {
        if let Some(v) = out.remove(snake) {
            out.entry(api.to_string()).or_insert(v);
        }
    }
    if let Some(Value::String(text)) = out.get("cardData")
        && serde_json::from_str::<Value>(text).is_err()
    {
        return Err(IngestError::BadValue {
            at: Location::file(path)
                .column("card_data")
                .row(row)
                .model(string(out.get("id")).as_deref()),
            value: text.chars().take(40).collect(),
            expected: "card data as a JSON object: dump ModelInfo with \
                       card_data.to_dict(), not str(card_data), which is YAML text"
                .into(),
        });
    }
    Ok(out)
}

fn item(path: &Path, row: usize, m: &Map<String, Value>) -> Result<Item> {
    let m = &api_names(path, row, m)?;
    let at = |col: &str, id: Option<&str>| Location::file(path).column(col).row(row).model(id);
    let id = string(m.get("id").or_else(|| m.get("modelId"))).ok_or_else(|| {
        IngestError::MissingColumn {
            at: at("id", None),
            expected: "id (or modelId)".into(),
        }
    })?;
    let downloads_all_time = match m.get("downloadsAllTime") {
        None | Some(Value::Null) => None,
        Some(v) => Some(count(Some(v)).ok_or_else(|| IngestError::BadValue {
            at: at("downloadsAllTime", Some(&id)),
            value: v.to_string(),
            expected: "a non-negative integer count".into(),
        })?),
    };
    let date = |col: &str| -> Result<Option<i32>> {
        match m.get(col) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => {
                let s = v.as_str().unwrap_or_default();
                parse_date(s)
                    .map(to_epoch_days)
                    .filter(|d| crate::week::plausible_days().contains(d))
                    .map(Some)
                    .ok_or_else(|| IngestError::BadValue {
                        at: at(col, Some(&id)),
                        value: v.to_string(),
                        expected: format!(
                            "a date such as 2023-05-01T12:00:00.000Z, {}",
                            crate::week::plausible_range_text()
                        ),
                    })
            }
        }
    };
    Ok(Item {
        created_at: date("createdAt")?,
        last_modified: date("lastModified")?,
        meta: ModelMeta::from_row(&id, m),
        downloads_all_time,
        id,
    })
}

/// Reads every page under `input`, dated `snapshot_date`, else by the newest
/// `lastModified` or `createdAt` across the pages.
pub fn read_api_json(
    input: &Path,
    snapshot_date: Option<NaiveDate>,
    progress: &dyn Progress,
) -> Result<SourceData> {
    let pages = discover_pages(input)?;
    let mut data = SourceData::new(SourceKind::ApiJson);
    let mut items = Vec::new();
    progress.start("reading API pages", pages.len() as u64);
    for page in &pages {
        for (row, m) in parse_page(page)?.iter().enumerate() {
            items.push(item(page, row, m)?);
        }
        progress.advance(1);
    }
    progress.finish();
    let date = match snapshot_date {
        Some(d) => d,
        None => newest(&items).ok_or_else(|| IngestError::MissingColumn {
            at: Location::file(input),
            expected: "--snapshot-date, or lastModified/createdAt in the pages to date the listing"
                .into(),
        })?,
    };
    for page in &pages {
        data.files.push(crate::manifest::input_file(
            page,
            SourceKind::ApiJson,
            Some(date),
            Vec::new(),
        )?);
    }
    let counted: Vec<(&str, u64)> = items
        .iter()
        .filter_map(|i| Some((i.id.as_str(), i.downloads_all_time?)))
        .collect();
    if counted.len() < items.len() {
        data.notes.push(format!(
            "{}: {} of {} models have no downloadsAllTime (collect with \
             expand[]=downloadsAllTime to get it): they are listed with null counters",
            input.display(),
            items.len() - counted.len(),
            items.len()
        ));
    }
    let ids = StringChunked::from_iter_values("id".into(), counted.iter().map(|c| c.0));
    let counts = UInt64Chunked::from_vec("c".into(), counted.iter().map(|c| c.1).collect());
    data.observations = concat_observations(vec![observation_frame(&ids, date, counts)?])?;
    let observed_at = to_epoch_days(date);
    data.models = items
        .into_iter()
        .map(|i| ModelRecord {
            meta: i.meta,
            created_at: i.created_at,
            observed_at,
        })
        .collect();
    data.notes.push(format!(
        "{}: an API listing is a one-date snapshot ({date}); it has no weekly history",
        input.display()
    ));
    Ok(data)
}

fn newest(items: &[Item]) -> Option<NaiveDate> {
    items
        .iter()
        .flat_map(|i| [i.created_at, i.last_modified])
        .flatten()
        .max()
        .map(crate::week::from_epoch_days)
}
