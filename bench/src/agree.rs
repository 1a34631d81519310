//! Do the tools agree? Compares the core aggregations' CSVs of two tools
//! row by row on their keys.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, bail};
use serde::Serialize;

/// Two values agree when `|a - b| <= TOLERANCE * max(1, |a|)`: absolute for
/// shares and indices (0-1), relative for parameter counts (1e9 and up).
pub const TOLERANCE: f64 = 1e-9;

/// The outcome of comparing one aggregation between two tools.
#[derive(Clone, Debug, Serialize)]
pub struct Agreement {
    pub aggregation: String,
    pub tool: String,
    pub rows: usize,
    /// The largest `|a - b| / max(1, |a|)` over every value.
    pub max_scaled_difference: f64,
    pub agree: bool,
    /// The first disagreement, if any, in words.
    pub first_problem: Option<String>,
}

/// A CSV as key (the text columns, joined) -> values (the numeric columns).
struct Table {
    value_columns: Vec<String>,
    rows: BTreeMap<String, Vec<Option<f64>>>,
}

/// Reads a core-aggregation CSV: the first `keys` columns are the key.
fn read_table(path: &Path, keys: usize) -> anyhow::Result<Table> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let headers: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    if headers.len() <= keys {
        bail!(
            "{}: expected {keys} key columns and at least one value column, found {headers:?}",
            path.display()
        );
    }
    let mut rows = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{} row {}", path.display(), i + 2))?;
        let key: Vec<&str> = record.iter().take(keys).collect();
        let mut values = Vec::new();
        for (j, field) in record.iter().enumerate().skip(keys) {
            values.push(parse_value(field).with_context(|| {
                format!("{} row {} column {}", path.display(), i + 2, headers[j])
            })?);
        }
        if rows.insert(key.join(" | "), values).is_some() {
            bail!("{} row {}: key {key:?} repeats", path.display(), i + 2);
        }
    }
    Ok(Table {
        value_columns: headers[keys..].to_vec(),
        rows,
    })
}

/// A number, or None for an empty field / NaN (a null: undefined index).
fn parse_value(field: &str) -> anyhow::Result<Option<f64>> {
    let field = field.trim();
    if field.is_empty() || field.eq_ignore_ascii_case("nan") {
        return Ok(None);
    }
    let v: f64 = field
        .parse()
        .with_context(|| format!("expected a number, found {field:?}"))?;
    Ok(Some(v))
}

/// Compares `other`'s CSV of one aggregation with hubecon's.
pub fn compare(
    aggregation: &str,
    keys: usize,
    hubecon_csv: &Path,
    tool: &str,
    other_csv: &Path,
) -> anyhow::Result<Agreement> {
    let ours = read_table(hubecon_csv, keys)?;
    let theirs = read_table(other_csv, keys)?;
    let mut worst = 0.0f64;
    let mut problem = None;
    let mut note = |p: String| {
        if problem.is_none() {
            problem = Some(p);
        }
    };
    if ours.value_columns != theirs.value_columns {
        note(format!(
            "columns differ: {:?} vs {:?}",
            ours.value_columns, theirs.value_columns
        ));
    }
    for key in theirs.rows.keys().filter(|k| !ours.rows.contains_key(*k)) {
        note(format!("row {key} only in {tool}'s output"));
    }
    for (key, a) in &ours.rows {
        let Some(b) = theirs.rows.get(key) else {
            note(format!("row {key} missing from {tool}'s output"));
            continue;
        };
        for ((column, x), y) in ours.value_columns.iter().zip(a).zip(b) {
            match (x, y) {
                (None, None) => {}
                (Some(x), Some(y)) => {
                    let d = (x - y).abs() / x.abs().max(1.0);
                    worst = worst.max(d);
                    if d > TOLERANCE {
                        note(format!("{key}, {column}: hubecon {x} vs {tool} {y}"));
                    }
                }
                _ => note(format!("{key}, {column}: hubecon {x:?} vs {tool} {y:?}")),
            }
        }
    }
    Ok(Agreement {
        aggregation: aggregation.into(),
        tool: tool.into(),
        rows: ours.rows.len(),
        max_scaled_difference: worst,
        agree: problem.is_none(),
        first_problem: problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn agreement_within_tolerance_and_its_failures() {
        let dir = tempfile::tempdir().unwrap();
        let ours = write(
            dir.path(),
            "a.csv",
            "week,hhi,gini\n2024-01-01,0.5,0.25\n2024-01-08,,0\n",
        );
        let same = write(
            dir.path(),
            "b.csv",
            "week,hhi,gini\n2024-01-08,NaN,0.0\n2024-01-01,0.5000000000001,0.25\n",
        );
        let a = compare("b", 1, &ours, "duckdb", &same).unwrap();
        assert!(a.agree, "{a:?}");
        assert!(a.max_scaled_difference > 0.0 && a.max_scaled_difference < 1e-12);

        let off = write(
            dir.path(),
            "c.csv",
            "week,hhi,gini\n2024-01-01,0.5,0.2500001\n2024-01-08,,0\n",
        );
        let a = compare("b", 1, &ours, "pandas", &off).unwrap();
        assert!(!a.agree);
        assert!(a.first_problem.unwrap().contains("2024-01-01, gini"));

        let missing = write(dir.path(), "d.csv", "week,hhi,gini\n2024-01-01,0.5,0.25\n");
        let a = compare("b", 1, &ours, "pandas", &missing).unwrap();
        assert!(a.first_problem.unwrap().contains("missing"));

        // Large values compare relatively: 1e9 apart by 0.5 is 5e-10.
        let big = write(dir.path(), "e.csv", "period,mean\n2025,1000000000.0\n");
        let big2 = write(dir.path(), "f.csv", "period,mean\n2025,1000000000.5\n");
        assert!(compare("c", 1, &big, "pandas", &big2).unwrap().agree);
    }
}
