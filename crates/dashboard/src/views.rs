//! The other views: concentration over time, model properties by period,
//! the lineage mix and the intermediaries. Each reads the analysis's own
//! CSV as written and keeps only what it draws.

use std::path::Path;

use hubecon_analyses::{
    a05_concentration as a05, a07_model_size as a07, a08_model_properties as a08,
    a09_openness as a09, a10_data_transparency as a10, a11_lineage_mix as a11,
    a12_intermediaries as a12, explore,
};
use hubecon_ingest::schema::relation;
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::grid::{
    Cells, all_rows, colours, distinct, grid, num, ordered, rows_json, rows_where, zero_filled,
};
use crate::shares::WINDOWS;
use crate::table::Table;

/// The concentration indices, as the analyses name them.
pub const INDICES: [&str; 4] = ["hhi", "gini", "cr4", "cr10"];
/// The sets of keys of `05_concentration_by_bucket.csv`.
pub const ACROSS: [&str; 3] = ["developers", "root_developers", "family_roots"];
/// The buckets of `05_concentration_by_bucket.csv`.
pub const BUCKET_KINDS: [&str; 3] = ["month", "quarter", "year"];

fn csv(stem: &str) -> String {
    format!("{stem}.csv")
}

/// Concentration by month, quarter and year in both windows, with the
/// figure's bootstrap bands where the figure has them (quarters, all
/// downloads, developers and family roots).
pub fn concentration(figures: &Path) -> Result<Value> {
    let t = Table::read(
        figures,
        &explore::file_name(a05::STEM, a05::BY_BUCKET),
        &[
            "bucket_kind",
            "bucket",
            "across",
            "window",
            "n_keys",
            "hhi",
            "gini",
            "cr4",
            "cr10",
        ],
    )?;
    let mut buckets = Map::new();
    let mut values = Map::new();
    for kind in BUCKET_KINDS {
        let rows = rows_where(&t, "bucket_kind", kind)?;
        let labels = distinct(&t, &rows, "bucket")?;
        for across in ACROSS {
            for window in WINDOWS {
                let part: Vec<usize> = rows
                    .iter()
                    .copied()
                    .filter(|&r| {
                        t.text(r, "across").is_ok_and(|a| a == across)
                            && t.text(r, "window").is_ok_and(|w| w == window)
                    })
                    .collect();
                let mut m = Map::new();
                for index in INDICES.iter().chain(&["n_keys"]) {
                    let cells = Cells {
                        bucket: "bucket",
                        category: "across",
                        value: index,
                    };
                    let g = grid(&t, &part, &cells, &labels, &[across.to_string()])?;
                    m.insert(index.to_string(), rows_json(&g)[0].clone());
                }
                values.insert(format!("{kind}/{across}/{window}"), Value::Object(m));
            }
        }
        buckets.insert(kind.into(), json!(labels));
    }
    for r in 0..t.len() {
        t.one_of(r, "bucket_kind", &BUCKET_KINDS)?;
        t.one_of(r, "across", &ACROSS)?;
        t.one_of(r, "window", &WINDOWS)?;
    }
    let quarters: Vec<String> = buckets["quarter"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let colours = figure_colours(&a05::SERIES);
    Ok(json!({
        "file": t.file.file_name().map(|f| f.to_string_lossy()),
        "buckets": buckets,
        "values": values,
        "bands": bands(figures, &quarters)?,
        "colours": {"developers": colours[0], "family_roots": colours[1]},
    }))
}

/// The figure's quarterly values with their bootstrap bands:
/// `{across: {index: {"value", "low", "high"}}}` aligned to `quarters`.
fn bands(figures: &Path, quarters: &[String]) -> Result<Value> {
    let t = Table::read(
        figures,
        &csv(a05::STEM),
        &["quarter", "across", "index", "value", "ci_low", "ci_high"],
    )?;
    let mut out = Map::new();
    for across in ["developers", "family_roots"] {
        let mut per_index = Map::new();
        for index in INDICES {
            let rows: Vec<usize> = (0..t.len())
                .filter(|&r| {
                    t.text(r, "across").is_ok_and(|a| a == across)
                        && t.text(r, "index").is_ok_and(|i| i == index)
                })
                .collect();
            let mut m = Map::new();
            for (name, column) in [("value", "value"), ("low", "ci_low"), ("high", "ci_high")] {
                let cells = Cells {
                    bucket: "quarter",
                    category: "index",
                    value: column,
                };
                let g = grid(&t, &rows, &cells, quarters, &[index.to_string()])?;
                m.insert(name.into(), rows_json(&g)[0].clone());
            }
            per_index.insert(index.into(), Value::Object(m));
        }
        out.insert(across.into(), Value::Object(per_index));
    }
    Ok(Value::Object(out))
}

/// Model properties by study period: size (07), multimodal, quantized and
/// MoE shares with intervals (08), openness by year (09), training-data
/// transparency (10).
pub fn properties(figures: &Path) -> Result<Value> {
    Ok(json!({
        "size": size(figures)?,
        "flags": flags(figures)?,
        "openness": stacked_by_period(figures, &csv(a09::STEM), "year", "openness",
            &["open_source", "open_weights", "restricted", "unknown"])?,
        "transparency": stacked_by_period(figures, &csv(a10::STEM), "period", "transparency",
            &["available", "disclosed", "undisclosed", "no_card"])?,
    }))
}

fn size(figures: &Path) -> Result<Value> {
    let t = Table::read(
        figures,
        &csv(a07::STEM),
        &[
            "period",
            "weighted_mean_params",
            "weighted_median_params",
            "models_with_params",
        ],
    )?;
    let column = |c: &str| -> Result<Vec<Value>> {
        (0..t.len())
            .map(|r| t.optional_number(r, c).map(num))
            .collect()
    };
    let periods: Vec<&str> = (0..t.len())
        .map(|r| t.text(r, "period"))
        .collect::<Result<_>>()?;
    Ok(json!({
        "file": t.file.file_name().map(|f| f.to_string_lossy()),
        "periods": periods,
        "colours": figure_colours(&a07::SERIES),
        "mean": column("weighted_mean_params")?,
        "median": column("weighted_median_params")?,
        "models": column("models_with_params")?,
    }))
}

fn flags(figures: &Path) -> Result<Value> {
    let t = Table::read(
        figures,
        &csv(a08::STEM),
        &["property", "period", "download_share", "ci_low", "ci_high"],
    )?;
    let rows = all_rows(&t);
    let periods = period_order(&t, &rows, "period")?;
    let properties = ordered(&t, &rows, "property", &["multimodal", "quantized", "moe"])?;
    let mut m = Map::new();
    for (name, column) in [
        ("share", "download_share"),
        ("low", "ci_low"),
        ("high", "ci_high"),
    ] {
        let cells = Cells {
            bucket: "period",
            category: "property",
            value: column,
        };
        m.insert(
            name.into(),
            rows_json(&grid(&t, &rows, &cells, &periods, &properties)?),
        );
    }
    m.insert(
        "file".into(),
        json!(t.file.file_name().map(|f| f.to_string_lossy())),
    );
    m.insert("periods".into(), json!(periods));
    m.insert("properties".into(), json!(properties));
    let multimodal_blue = |p: &str| (p == "multimodal").then_some(hubecon_plot::palette::BLUE);
    m.insert(
        "colours".into(),
        json!(colours(&properties, multimodal_blue)),
    );
    Ok(Value::Object(m))
}

/// The study periods of a table in time order (`<=2022` first).
fn period_order(t: &Table, rows: &[usize], column: &str) -> Result<Vec<String>> {
    let mut p = distinct(t, rows, column)?;
    p.sort_by_key(|s| (!s.starts_with("<="), s.clone()));
    Ok(p)
}

/// A share per (period, category), stacked: `{"periods", "categories", "colours", "share"}`.
fn stacked_by_period(
    figures: &Path,
    file: &str,
    period: &str,
    category: &str,
    categories: &[&str],
) -> Result<Value> {
    let t = Table::read(figures, file, &[period, category, "download_share"])?;
    let rows: Vec<usize> = (0..t.len())
        .filter(|&r| t.text(r, category).is_ok_and(|c| categories.contains(&c)))
        .collect();
    let periods = period_order(&t, &rows, period)?;
    let cats = ordered(&t, &rows, category, categories)?;
    let cells = Cells {
        bucket: period,
        category,
        value: "download_share",
    };
    let g = zero_filled(grid(&t, &rows, &cells, &periods, &cats)?);
    Ok(json!({
        "file": t.file.file_name().map(|f| f.to_string_lossy()),
        "periods": periods,
        "categories": cats,
        "colours": colours(&cats, |_| None),
        "share": rows_json(&g),
    }))
}

/// The lineage mix by quarter (downloads and created models per relation),
/// the intermediaries' downloads by quarter per definition, and the top
/// intermediaries.
pub fn lineage(figures: &Path) -> Result<Value> {
    let t = Table::read(
        figures,
        &csv(a11::STEM),
        &["quarter", "relation", "downloads", "created_models"],
    )?;
    let rows = all_rows(&t);
    let quarters = distinct(&t, &rows, "quarter")?;
    let relations = ordered(&t, &rows, "relation", &relation::ALL)?;
    let cells = |value| Cells {
        bucket: "quarter",
        category: "relation",
        value,
    };
    let downloads = zero_filled(grid(&t, &rows, &cells("downloads"), &quarters, &relations)?);
    let created = zero_filled(grid(
        &t,
        &rows,
        &cells("created_models"),
        &quarters,
        &relations,
    )?);
    Ok(json!({
        "file": t.file.file_name().map(|f| f.to_string_lossy()),
        "quarters": quarters,
        "relations": relations,
        "colours": colours(&relations, |_| None),
        "downloads": rows_json(&downloads),
        "created": rows_json(&created),
        "intermediaries": intermediaries(figures)?,
    }))
}

fn intermediaries(figures: &Path) -> Result<Value> {
    let t = Table::read(
        figures,
        &csv(a12::STEM),
        &[
            "quarter",
            "definition",
            "intermediary_downloads",
            "all_downloads",
        ],
    )?;
    let rows = all_rows(&t);
    let quarters = distinct(&t, &rows, "quarter")?;
    let definitions = ordered(
        &t,
        &rows,
        "definition",
        &["quantize_adapt", "any_derivative"],
    )?;
    let cells = |value| Cells {
        bucket: "quarter",
        category: "definition",
        value,
    };
    let downloads = zero_filled(grid(
        &t,
        &rows,
        &cells("intermediary_downloads"),
        &quarters,
        &definitions,
    )?);
    let all = zero_filled(grid(
        &t,
        &rows,
        &cells("all_downloads"),
        &quarters,
        &definitions,
    )?);
    Ok(json!({
        "file": t.file.file_name().map(|f| f.to_string_lossy()),
        "quarters": quarters,
        "definitions": definitions,
        "colours": colours(&definitions, |_| None),
        "downloads": rows_json(&downloads),
        "all": rows_json(&all),
        "top": top_intermediaries(figures)?,
    }))
}

fn top_intermediaries(figures: &Path) -> Result<Value> {
    let columns = [
        "rank",
        "author",
        "downloads",
        "share_of_all_downloads",
        "derivative_share",
        "models",
    ];
    let t = Table::read(figures, a12::TOP_FILE, &columns)?;
    let mut out = Vec::new();
    for r in 0..t.len() {
        out.push(json!({
            "rank": num(Some(t.number(r, "rank")?)),
            "author": t.text(r, "author")?,
            "downloads": num(Some(t.number(r, "downloads")?)),
            "share": num(Some(t.number(r, "share_of_all_downloads")?)),
            "derivative_share": num(Some(t.number(r, "derivative_share")?)),
            "models": num(Some(t.number(r, "models")?)),
        }));
    }
    Ok(Value::Array(out))
}

/// The colours a figure gives its series `names` (in order), as `#rrggbb`:
/// one palette for the figures and the dashboard.
fn figure_colours(names: &[&str]) -> Vec<String> {
    let entries: Vec<(&str, Option<hubecon_plot::Rgb>)> =
        names.iter().map(|n| (*n, None)).collect();
    hubecon_plot::palette::assign(&entries)
        .into_iter()
        .map(|c| c.hex())
        .collect()
}
