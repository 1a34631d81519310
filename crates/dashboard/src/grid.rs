//! Tidy rows to the grids the page draws: one array of values per category
//! (or series), aligned to one list of buckets.

use std::collections::{BTreeMap, BTreeSet};

use hubecon_plot::{Rgb, palette};
use serde_json::Value;

use crate::error::Result;
use crate::table::Table;

/// A number as the page gets it: integers without a fraction (downloads),
/// other values at full precision (shortest round-trip form), `null` where
/// the analyses wrote none.
pub fn num(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Value::from(x as i64),
        Some(x) => Value::from(x),
        None => Value::Null,
    }
}

/// A grid as JSON: one array per row.
pub fn rows_json(grid: &[Vec<Option<f64>>]) -> Value {
    Value::Array(
        grid.iter()
            .map(|r| Value::Array(r.iter().map(|v| num(*v)).collect()))
            .collect(),
    )
}

/// The distinct values of a column, sorted (dates sort in time order).
pub fn distinct(t: &Table, rows: &[usize], column: &str) -> Result<Vec<String>> {
    let mut set = BTreeSet::new();
    for &r in rows {
        set.insert(t.text(r, column)?.to_string());
    }
    Ok(set.into_iter().collect())
}

/// The categories of a column: those of `order` present, in that order,
/// then the others sorted.
pub fn ordered(t: &Table, rows: &[usize], column: &str, order: &[&str]) -> Result<Vec<String>> {
    let present = distinct(t, rows, column)?;
    let mut out: Vec<String> = order
        .iter()
        .filter(|c| present.iter().any(|p| p == *c))
        .map(|c| c.to_string())
        .collect();
    out.extend(present.into_iter().filter(|p| !order.contains(&p.as_str())));
    Ok(out)
}

/// The colours of categories as the figures draw them (hex).
pub fn colours(categories: &[String], explicit: impl Fn(&str) -> Option<Rgb>) -> Vec<String> {
    let entries: Vec<(&str, Option<Rgb>)> = categories
        .iter()
        .map(|c| (c.as_str(), explicit(c)))
        .collect();
    palette::assign(&entries)
        .into_iter()
        .map(|c| c.hex())
        .collect()
}

/// Which cells to read from a table into a grid.
pub struct Cells<'a> {
    pub bucket: &'a str,
    pub category: &'a str,
    pub value: &'a str,
}

/// `grid[c][b]`: the value of category `c` in bucket `b`, over `rows`;
/// `None` where a (category, bucket) has no row or an empty cell. A bucket
/// or category outside the lists, or a pair given twice, is an error.
pub fn grid(
    t: &Table,
    rows: &[usize],
    cells: &Cells,
    buckets: &[String],
    categories: &[String],
) -> Result<Vec<Vec<Option<f64>>>> {
    let b_index: BTreeMap<&str, usize> = index(buckets);
    let c_index: BTreeMap<&str, usize> = index(categories);
    let mut out = vec![vec![None; buckets.len()]; categories.len()];
    let mut seen = BTreeSet::new();
    for &r in rows {
        let b = t.text(r, cells.bucket)?;
        let c = t.text(r, cells.category)?;
        let (Some(&bi), Some(&ci)) = (b_index.get(b), c_index.get(c)) else {
            return Err(t.bad(r, cells.bucket, "a bucket and category of the table", b));
        };
        if !seen.insert((ci, bi)) {
            return Err(t.content(format!(
                "two rows for {} `{c}` in {} `{b}` (row {})",
                cells.category,
                cells.bucket,
                r + 2
            )));
        }
        out[ci][bi] = t.optional_number(r, cells.value)?;
    }
    Ok(out)
}

fn index(list: &[String]) -> BTreeMap<&str, usize> {
    list.iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect()
}

/// The rows of a table whose `column` equals `value`.
pub fn rows_where(t: &Table, column: &str, value: &str) -> Result<Vec<usize>> {
    let mut out = Vec::new();
    for r in 0..t.len() {
        if t.text(r, column)? == value {
            out.push(r);
        }
    }
    Ok(out)
}

/// Every row of a table.
pub fn all_rows(t: &Table) -> Vec<usize> {
    (0..t.len()).collect()
}

/// Missing values as zero (downloads: a category with no row in a bucket had none).
pub fn zero_filled(grid: Vec<Vec<Option<f64>>>) -> Vec<Vec<Option<f64>>> {
    grid.into_iter()
        .map(|r| r.into_iter().map(|v| Some(v.unwrap_or(0.0))).collect())
        .collect()
}
