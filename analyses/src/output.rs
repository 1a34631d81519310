//! What an analysis writes: `NN_slug.csv` (exactly the plotted data),
//! `NN_slug.json` (named headline numbers), `NN_slug.svg` and `.png`.
//! Every file is written to a temporary file and renamed, so a failed run
//! never leaves a half-written output. Floats are written at full precision
//! in their shortest round-trip form (the same formatter for CSV and JSON).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use polars::prelude::*;
use serde::Serialize;

/// One headline number, with its interval where there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Number {
    /// `None` when the number cannot be measured on this data (see `note`).
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<f64>,
    /// `share`, `ratio`, `count`, `parameters`, `p_value`, `index`, ...
    pub unit: String,
    /// The claim of STUDY.md this number measures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a contrast a claim is decided on: its two-sided p-value and the
    /// test that gave it and the interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
}

impl Number {
    pub fn new(value: f64, unit: &str, description: &str) -> Self {
        let finite = value.is_finite();
        Self {
            value: finite.then_some(value),
            ci_low: None,
            ci_high: None,
            unit: unit.into(),
            claim: None,
            description: description.into(),
            note: (!finite).then(|| "not measurable on this data (no observations)".into()),
            p_value: None,
            test: None,
        }
    }
    pub fn interval(mut self, low: f64, high: f64) -> Self {
        self.ci_low = low.is_finite().then_some(low);
        self.ci_high = high.is_finite().then_some(high);
        self
    }
    pub fn claim(mut self, id: &str) -> Self {
        self.claim = Some(id.into());
        self
    }
    pub fn tested(mut self, p_value: f64, test: &str) -> Self {
        self.p_value = p_value.is_finite().then_some(p_value);
        self.test = Some(test.into());
        self
    }
    pub fn note(mut self, note: &str) -> Self {
        self.note = Some(note.into());
        self
    }
    /// A number this data cannot measure, and why.
    pub fn not_measurable(unit: &str, description: &str, why: &str) -> Self {
        Self::new(f64::NAN, unit, description).note(why)
    }
}

/// The headline numbers of one analysis (`NN_slug.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub analysis: String,
    pub title: String,
    pub claims: Vec<String>,
    pub synthetic: bool,
    /// The span and the periods the numbers were computed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::coverage::Coverage>,
    pub numbers: BTreeMap<String, Number>,
    /// The significance tests of this analysis (13 gathers them).
    pub tests: Vec<TestRecord>,
}

/// One significance test with what it compares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestRecord {
    /// Stable key, e.g. `quantized_first_vs_last`.
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// What is compared, in words.
    pub comparison: String,
    #[serde(flatten)]
    pub result: hubecon_stats::TestResult,
}

impl Headline {
    pub fn new(analysis: &str, title: &str, synthetic: bool) -> Self {
        Self {
            analysis: analysis.into(),
            title: title.into(),
            claims: Vec::new(),
            synthetic,
            coverage: None,
            numbers: BTreeMap::new(),
            tests: Vec::new(),
        }
    }
    pub fn add_test(
        &mut self,
        key: &str,
        claim: Option<&str>,
        comparison: &str,
        result: hubecon_stats::TestResult,
    ) {
        self.tests.push(TestRecord {
            key: key.into(),
            claim: claim.map(str::to_string),
            comparison: comparison.into(),
            result,
        });
    }
    /// Inserts a number of study period `period`: null with the reason when
    /// the data does not cover it.
    pub fn insert_in(&mut self, period: &str, key: &str, number: Number) {
        let number = match &self.coverage {
            Some(c) => c.in_period(period, number),
            None => number,
        };
        self.insert(key, number);
    }
    pub fn insert(&mut self, key: &str, number: Number) {
        if let Some(c) = &number.claim
            && !self.claims.contains(c)
        {
            self.claims.push(c.clone());
            self.claims.sort();
        }
        self.numbers.insert(key.into(), number);
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot write {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // Outputs are for everyone to read: not the temporary file's 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The CSV text of a frame (header, comma-separated, full-precision floats),
/// its text cells neutralised against spreadsheet formulas ([`neutralise`]).
pub fn csv_text(df: &DataFrame) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    let mut df = df.clone();
    let text_columns: Vec<PlSmallStr> = df
        .columns()
        .iter()
        .filter(|c| c.dtype() == &DataType::String)
        .map(|c| c.name().clone())
        .collect();
    for name in text_columns {
        let cells: StringChunked = df
            .column(&name)?
            .str()?
            .iter()
            .map(|v| v.map(|s| neutralise(s).into_owned()))
            .collect();
        df.with_column(cells.with_name(name).into_column())?;
    }
    CsvWriter::new(&mut buf)
        .include_header(true)
        .with_float_precision(None)
        .finish(&mut df)
        .map_err(|e| anyhow::anyhow!("formatting CSV: {e}"))?;
    Ok(String::from_utf8(buf)?)
}

/// A text cell as a spreadsheet may safely open it: one starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return would run as a formula, so it
/// gets a leading `'` (OWASP's advice); so does one starting with `'`, which
/// keeps the rule reversible ([`unneutralise`]). Only text cells: numbers,
/// negative ones too, are written as they are.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The exact text of a cell [`neutralise`] wrote.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest,
        _ => cell,
    }
}

/// The JSON text of the headline numbers (pretty, final newline).
pub fn json_text(headline: &Headline) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(headline)?;
    s.push('\n');
    Ok(s)
}

/// The four files of an analysis, in the output directory.
#[derive(Debug, Clone)]
pub struct Paths {
    pub csv: PathBuf,
    pub json: PathBuf,
    pub svg: PathBuf,
    pub png: PathBuf,
}

impl Paths {
    pub fn new(out: &Path, stem: &str) -> Self {
        Self {
            csv: out.join(format!("{stem}.csv")),
            json: out.join(format!("{stem}.json")),
            svg: out.join(format!("{stem}.svg")),
            png: out.join(format!("{stem}.png")),
        }
    }
    pub fn all(&self) -> Vec<PathBuf> {
        vec![
            self.svg.clone(),
            self.png.clone(),
            self.csv.clone(),
            self.json.clone(),
        ]
    }
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    #[test]
    fn formula_text_is_neutralised_and_numbers_are_not() {
        let df = df!(
            "author" => ["=HYPERLINK(\"http://x\",\"y\")", "plain", "-org", "@me", "'quoted"],
            "share" => [-0.5, 0.25, -1e-9, 0.0, 1.0],
            "rank" => [-1i64, 2, 3, 4, 5],
        )
        .unwrap();
        let text = csv_text(&df).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "author,share,rank");
        assert_eq!(
            lines[1],
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-0.5,-1"
        );
        assert_eq!(lines[2], "plain,0.25,2");
        assert_eq!(lines[3], "'-org,-1e-9,3");
        assert_eq!(lines[4], "'@me,0.0,4");
        assert_eq!(lines[5], "''quoted,1.0,5");
    }

    #[test]
    fn neutralising_is_undone_exactly() {
        for cell in [
            "=1+1", "+x", "-", "@", "\tx", "\rx", "'", "''a", "'t Hooft", "plain", "",
        ] {
            assert_eq!(unneutralise(&neutralise(cell)), cell, "{cell:?}");
        }
        assert_eq!(neutralise("\tcmd"), "'\tcmd");
        assert_eq!(unneutralise("'plain"), "'plain", "not ours: left as it is");
    }
}
