//! `hubecon collect`: the HF API listing, `GET {endpoint}/api/models` with
//! the `expand[]` fields that `prepare` reads, page by page along the
//! `Link: <...>; rel="next"` header.
//!
//! Each page is written as it arrives to `page-NNNNNN.json` (atomically),
//! then `collect-state.json` records the next URL; a crash loses at most
//! the page in flight, and a restart resumes from the state.

use std::path::{Path, PathBuf};

use reqwest::Url;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::env::HubConfig;
use super::error::{HubError, HubResult};
use super::files::write_atomic;
use super::http::{Fetched, Http};
use crate::source::Progress;

/// The model fields `prepare` reads (`apijson`, `meta`). Not combined with
/// `full`, which the API rejects alongside `expand[]`.
pub const EXPAND_FIELDS: [&str; 16] = [
    "author",
    "downloads",
    "downloadsAllTime",
    "likes",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "lastModified",
    "safetensors",
    "gguf",
    "baseModels",
    "cardData",
    "config",
    "siblings",
    "gated",
];

/// The state file beside the pages.
pub const STATE_FILE: &str = "collect-state.json";
/// Models per page the API serves at most.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// What to collect and where.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// The folder of pages (created if missing).
    pub out: PathBuf,
    /// Stop after this many models.
    pub limit: Option<u64>,
    /// Only this author's (user or organization) models.
    pub author: Option<String>,
    /// Models per page (at most 1000).
    pub page_size: u32,
}

/// The options a collection was started with; a resume must match them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectQuery {
    pub endpoint: String,
    pub author: Option<String>,
    pub limit: Option<u64>,
    pub page_size: u32,
    pub expand: Vec<String>,
}

/// `collect-state.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectState {
    pub query: CollectQuery,
    /// The URL of the next page to fetch; `None` once complete.
    pub next_url: Option<String>,
    pub pages_written: u32,
    pub models_written: u64,
    pub complete: bool,
}

/// What one run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectReport {
    pub dir: PathBuf,
    /// The page this run started at (1 for a fresh collection).
    pub started_at_page: u32,
    pub pages_this_run: u32,
    pub pages_written: u32,
    pub models_written: u64,
    pub complete: bool,
}

/// Collects (or resumes collecting) the listing into `opts.out`.
pub fn collect(
    cfg: &HubConfig,
    opts: &CollectOptions,
    progress: &dyn Progress,
) -> HubResult<CollectReport> {
    if cfg.offline {
        return Err(HubError::Offline {
            what: "collect (GET /api/models)".into(),
        });
    }
    let http = Http::new(cfg)?;
    let query = CollectQuery {
        endpoint: cfg.endpoint.clone(),
        author: opts.author.clone(),
        limit: opts.limit,
        page_size: opts.page_size.clamp(1, MAX_PAGE_SIZE),
        expand: EXPAND_FIELDS.iter().map(|s| s.to_string()).collect(),
    };
    let mut state = start_or_resume(&http, &opts.out, query)?;
    let started_at_page = state.pages_written + 1;
    progress.start("collecting API pages", state.query.limit.unwrap_or(0));
    progress.advance(state.models_written);
    let result = run(&http, &opts.out, &mut state, progress);
    progress.finish();
    result?;
    if state.complete {
        remove_stale_pages(&opts.out, state.pages_written)?;
    }
    Ok(CollectReport {
        dir: opts.out.clone(),
        started_at_page,
        pages_this_run: state.pages_written + 1 - started_at_page,
        pages_written: state.pages_written,
        models_written: state.models_written,
        complete: state.complete,
    })
}

fn run(
    http: &Http,
    dir: &Path,
    state: &mut CollectState,
    progress: &dyn Progress,
) -> HubResult<()> {
    let hint = "this endpoint has no /api/models: check --endpoint or HF_ENDPOINT";
    while let Some(url) = state.next_url.clone().filter(|_| !state.complete) {
        let page = state.pages_written + 1;
        let fetched = http.get(&url, hint)?;
        let mut items = parse_page(page, &fetched)?;
        let remaining = state
            .query
            .limit
            .map(|l| l.saturating_sub(state.models_written));
        let truncated = remaining.is_some_and(|r| (items.len() as u64) > r);
        if let Some(r) = remaining.filter(|_| truncated) {
            items.truncate(r as usize);
        }
        let body = if truncated {
            serde_json::to_vec(&items).map_err(|e| bad_page(page, &url, e.to_string()))?
        } else {
            fetched.body.clone()
        };
        write_atomic(&dir.join(page_name(page)), &body)?;
        let reached = remaining.is_some_and(|r| items.len() as u64 >= r);
        if fetched.next.as_deref() == Some(url.as_str()) {
            return Err(bad_page(
                page,
                &url,
                "its next link points to itself".into(),
            ));
        }
        state.pages_written = page;
        state.models_written += items.len() as u64;
        state.complete = reached || fetched.next.is_none();
        state.next_url = if state.complete { None } else { fetched.next };
        write_state(dir, state)?;
        progress.advance(items.len() as u64);
    }
    Ok(())
}

/// The state of `dir` if it matches `query`, or a fresh one.
fn start_or_resume(http: &Http, dir: &Path, query: CollectQuery) -> HubResult<CollectState> {
    let path = dir.join(STATE_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let state: CollectState =
                serde_json::from_slice(&bytes).map_err(|e| HubError::BadState {
                    path: path.clone(),
                    detail: format!("not a collect state ({e}); delete it to start over"),
                })?;
            if state.query != query && state.pages_written > 0 {
                return Err(HubError::StateMismatch {
                    dir: dir.into(),
                    detail: describe_change(&state.query, &query),
                });
            }
            if state.query != query {
                // Nothing collected yet: start over with the new options.
                return fresh(http, dir, query);
            }
            Ok(state)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if has_pages(dir) {
                return Err(HubError::Unresumable { dir: dir.into() });
            }
            fresh(http, dir, query)
        }
        Err(e) => Err(HubError::io(path, e)),
    }
}

/// A new collection in `dir`, its state written before the first request.
fn fresh(http: &Http, dir: &Path, query: CollectQuery) -> HubResult<CollectState> {
    std::fs::create_dir_all(dir).map_err(|e| HubError::io(dir, e))?;
    let state = CollectState {
        next_url: Some(first_url(http, &query)?.to_string()),
        query,
        pages_written: 0,
        models_written: 0,
        complete: false,
    };
    write_state(dir, &state)?;
    Ok(state)
}

/// `{endpoint}/api/models?limit=..&author=..&expand[]=..`.
pub fn first_url(http: &Http, q: &CollectQuery) -> HubResult<Url> {
    let mut url = http.url("/api/models")?;
    {
        let mut pairs = url.query_pairs_mut();
        let per_page = q.limit.map_or(u64::from(q.page_size), |l| {
            l.clamp(1, u64::from(q.page_size))
        });
        pairs.append_pair("limit", &per_page.to_string());
        if let Some(a) = &q.author {
            pairs.append_pair("author", a);
        }
        for f in &q.expand {
            pairs.append_pair("expand[]", f);
        }
    }
    Ok(url)
}

/// The models of a page: a JSON array of objects.
fn parse_page(page: u32, f: &Fetched) -> HubResult<Vec<Value>> {
    let body = crate::apijson::strip_bom(&f.body);
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        let start: String = String::from_utf8_lossy(body).chars().take(80).collect();
        let problem = if e.is_eof() {
            format!("it ends early, after {} bytes", body.len())
        } else {
            crate::apijson::json_problem(body, &e)
        };
        bad_page(
            page,
            &f.url,
            format!("not valid JSON: {problem}; it starts with {start:?}"),
        )
    })?;
    let Value::Array(items) = value else {
        return Err(bad_page(
            page,
            &f.url,
            format!("a JSON {} instead of an array", kind(&value)),
        ));
    };
    if let Some((i, v)) = items.iter().enumerate().find(|(_, v)| !v.is_object()) {
        return Err(bad_page(
            page,
            &f.url,
            format!("item {i} is a JSON {}, not a model object", kind(v)),
        ));
    }
    Ok(items)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn bad_page(page: u32, url: &str, detail: String) -> HubError {
    HubError::MalformedPage {
        page,
        url: url.to_string(),
        detail,
    }
}

/// `page-000001.json`: zero-padded so name order is page order.
pub fn page_name(page: u32) -> String {
    format!("page-{page:06}.json")
}

/// The page number of a `page-NNNNNN.json` name.
pub fn page_number(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("page-")?.strip_suffix(".json")?;
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

fn page_numbers(dir: &Path) -> Vec<u32> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| page_number(&e.file_name().to_string_lossy()))
                .collect()
        })
        .unwrap_or_default()
}

fn has_pages(dir: &Path) -> bool {
    !page_numbers(dir).is_empty()
}

/// Pages beyond the last one, left by a crash before the listing changed.
fn remove_stale_pages(dir: &Path, last: u32) -> HubResult<()> {
    for n in page_numbers(dir).into_iter().filter(|n| *n > last) {
        let p = dir.join(page_name(n));
        std::fs::remove_file(&p).map_err(|e| HubError::io(p, e))?;
    }
    Ok(())
}

fn write_state(dir: &Path, state: &CollectState) -> HubResult<()> {
    let path = dir.join(STATE_FILE);
    let mut bytes = serde_json::to_vec_pretty(state).map_err(|e| HubError::BadState {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    bytes.push(b'\n');
    write_atomic(&path, &bytes)
}

fn describe_change(old: &CollectQuery, new: &CollectQuery) -> String {
    let mut d = Vec::new();
    if old.endpoint != new.endpoint {
        d.push(format!("endpoint {} now {}", old.endpoint, new.endpoint));
    }
    if old.author != new.author {
        d.push(format!("--author {:?} now {:?}", old.author, new.author));
    }
    if old.limit != new.limit {
        d.push(format!("--limit {:?} now {:?}", old.limit, new.limit));
    }
    if old.page_size != new.page_size {
        d.push(format!(
            "--page-size {} now {}",
            old.page_size, new.page_size
        ));
    }
    if old.expand != new.expand {
        d.push("the expand[] fields changed".into());
    }
    d.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names_sort_in_page_order_and_parse_back() {
        let mut names: Vec<String> = [10, 2, 1].iter().map(|n| page_name(*n)).collect();
        names.sort();
        assert_eq!(
            names,
            ["page-000001.json", "page-000002.json", "page-000010.json"]
        );
        assert_eq!(page_number("page-000010.json"), Some(10));
        assert_eq!(page_number(STATE_FILE), None);
        assert_eq!(page_number("page-1.json"), None);
    }

    #[test]
    fn first_url_asks_for_every_field_without_full() {
        let http = Http::new(&HubConfig::new("http://127.0.0.1:1", "/c")).unwrap();
        let q = CollectQuery {
            endpoint: "http://127.0.0.1:1".into(),
            author: Some("Qwen".into()),
            limit: Some(5),
            page_size: 1000,
            expand: EXPAND_FIELDS.iter().map(|s| s.to_string()).collect(),
        };
        let url = first_url(&http, &q).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(pairs.contains(&("limit".into(), "5".into())), "{pairs:?}");
        assert!(pairs.contains(&("author".into(), "Qwen".into())));
        let expand: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| k == "expand[]")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(expand, EXPAND_FIELDS);
        assert!(!pairs.iter().any(|(k, _)| k == "full"));
    }

    #[test]
    fn a_page_must_be_an_array_of_objects() {
        let f = |body: &str| Fetched {
            url: "http://x/api/models".into(),
            body: body.as_bytes().to_vec(),
            next: None,
        };
        assert_eq!(parse_page(1, &f(r#"[{"id":"a/b"}]"#)).unwrap().len(), 1);
        let e = parse_page(7, &f(r#"{"error":"x"}"#))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("page 7") && e.contains("object instead of an array"),
            "{e}"
        );
        let e = parse_page(3, &f(r#"[1]"#)).unwrap_err().to_string();
        assert!(e.contains("item 0 is a JSON number"), "{e}");
    }
}
