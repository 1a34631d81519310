//! Reading one CSV the analyses wrote, with every bad cell named by file,
//! row and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A CSV file of the figures folder, read whole (they are aggregated and
/// small), with the columns a view needs checked up front.
pub struct Table {
    pub file: PathBuf,
    columns: BTreeMap<String, usize>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    /// Reads `figures/name` and checks it has every column of `required`.
    pub fn read(figures: &Path, name: &str, required: &[&str]) -> Result<Self> {
        let file = figures.join(name);
        if !file.is_file() {
            return Err(Error::Missing { file });
        }
        let bytes = std::fs::read(&file).map_err(|source| Error::Read {
            file: file.clone(),
            source,
        })?;
        let csv_error = |e: csv::Error| Error::Csv {
            file: file.clone(),
            message: e.to_string(),
        };
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header = reader.headers().map_err(csv_error)?.clone();
        let columns: BTreeMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, c)| (c.to_string(), i))
            .collect();
        let rows = reader
            .records()
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(csv_error)?;
        let table = Self {
            file,
            columns,
            rows,
        };
        for c in required {
            table.index(c)?;
        }
        Ok(table)
    }

    fn index(&self, column: &str) -> Result<usize> {
        self.columns.get(column).copied().ok_or_else(|| {
            let mut found: Vec<(&String, &usize)> = self.columns.iter().collect();
            found.sort_by_key(|(_, i)| **i);
            Error::Column {
                file: self.file.clone(),
                column: column.into(),
                found: found
                    .iter()
                    .map(|(c, _)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
    }

    /// The number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The text of a cell (row 0 is the first data row), as it was before
    /// the analyses neutralised it against spreadsheet formulas.
    pub fn text(&self, row: usize, column: &str) -> Result<&str> {
        let i = self.index(column)?;
        let cell = self.rows[row].get(i).unwrap_or("");
        Ok(hubecon_analyses::output::unneutralise(cell))
    }

    /// A cell that must be a finite number.
    pub fn number(&self, row: usize, column: &str) -> Result<f64> {
        self.optional_number(row, column)?
            .ok_or_else(|| self.bad(row, column, "a number", ""))
    }

    /// A cell that is a finite number or empty (not measurable).
    pub fn optional_number(&self, row: usize, column: &str) -> Result<Option<f64>> {
        let text = self.text(row, column)?;
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(self.bad(row, column, "a finite number", text)),
        }
    }

    /// A cell that must be one of `allowed`.
    pub fn one_of<'a>(&self, row: usize, column: &str, allowed: &[&'a str]) -> Result<&'a str> {
        let text = self.text(row, column)?;
        allowed
            .iter()
            .find(|a| **a == text)
            .copied()
            .ok_or_else(|| self.bad(row, column, &format!("one of {}", allowed.join(", ")), text))
    }

    /// A cell that must be a date `YYYY-MM-DD`.
    pub fn date(&self, row: usize, column: &str) -> Result<&str> {
        let text = self.text(row, column)?;
        let b = text.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && digits(0..4)
            && digits(5..7)
            && digits(8..10);
        if ok {
            Ok(text)
        } else {
            Err(self.bad(row, column, "a date YYYY-MM-DD", text))
        }
    }

    /// The error for a cell that is not what was expected (rows counted
    /// from 1 after the header, as a spreadsheet shows them).
    pub fn bad(&self, row: usize, column: &str, expected: &str, found: &str) -> Error {
        Error::Value {
            file: self.file.clone(),
            row: row + 2,
            column: column.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// An error about the file as a whole.
    pub fn content(&self, message: impl Into<String>) -> Error {
        Error::Content {
            file: self.file.clone(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str, required: &[&str]) -> Result<Table> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.csv"), text).unwrap();
        Table::read(dir.path(), "t.csv", required)
    }

    #[test]
    fn a_missing_column_is_named_with_the_columns_there_are() {
        let e = table("a,b\n1,2\n", &["a", "downloads"]).err().unwrap();
        let m = e.to_string();
        assert!(
            m.contains("t.csv") && m.contains("`downloads`") && m.contains("a, b"),
            "{m}"
        );
    }

    #[test]
    fn a_bad_cell_names_file_row_column_and_what_was_expected() {
        let t = table("bucket,downloads\n2024-01-01,12\n2024-02-01,lots\n", &[]).unwrap();
        assert_eq!(t.number(0, "downloads").unwrap(), 12.0);
        let m = t.number(1, "downloads").err().unwrap().to_string();
        assert!(
            m.contains("row 3") && m.contains("`downloads`") && m.contains("`lots`"),
            "{m}"
        );
        let m = t.date(0, "downloads").err().unwrap().to_string();
        assert!(m.contains("a date YYYY-MM-DD"), "{m}");
    }

    #[test]
    fn neutralised_names_are_read_back_exactly() {
        let t = table("author,share\n'=HYPERLINK(1),-0.5\n''t Hooft,0.5\n", &[]).unwrap();
        assert_eq!(t.text(0, "author").unwrap(), "=HYPERLINK(1)");
        assert_eq!(t.text(1, "author").unwrap(), "'t Hooft");
        assert_eq!(t.number(0, "share").unwrap(), -0.5);
    }

    /// The page's own `csvCell`, run in node (skipped without node).
    #[test]
    fn the_pages_csv_export_neutralises_text_but_not_numbers() {
        let js = include_str!("../assets/dashboard.js");
        let start = js
            .find("function csvCell(x) {")
            .expect("csvCell in dashboard.js");
        let end = start + js[start..].find("\n  }\n").expect("its end") + 4;
        let cases =
            r#"["=HYPERLINK(\"http://x\")", -0.5, "-org", "@me", "\tx", "plain", "a,b", 3]"#;
        let script = format!(
            "{}\nconsole.log(JSON.stringify({cases}.map(csvCell)));",
            &js[start..end]
        );
        let Ok(out) = std::process::Command::new("node")
            .args(["-e", &script])
            .output()
        else {
            eprintln!("skipping: no node to run dashboard.js's csvCell");
            return;
        };
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            got,
            [
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
                "-0.5",
                "'-org",
                "'@me",
                "'\tx",
                "plain",
                "\"a,b\"",
                "3"
            ]
        );
    }

    #[test]
    fn a_missing_file_says_to_run_the_analyses() {
        let dir = tempfile::tempdir().unwrap();
        let m = Table::read(dir.path(), "none.csv", &[])
            .err()
            .unwrap()
            .to_string();
        assert!(
            m.contains("none.csv") && m.contains("hubecon figures"),
            "{m}"
        );
    }
}
