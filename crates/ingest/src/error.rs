//! Typed errors of the readers. Every variant names the file and, where it
//! applies, the column, the row or model, and what was expected, so that a
//! researcher can find and fix the offending input.

use std::path::PathBuf;

/// Where in an input a problem was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub column: Option<String>,
    /// 0-based row index in the file, when known.
    pub row: Option<usize>,
    pub model_id: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Self {
            file: file.into(),
            ..Self::default()
        }
    }
    pub fn column(mut self, column: &str) -> Self {
        self.column = Some(column.to_string());
        self
    }
    pub fn row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }
    pub fn model(mut self, model_id: Option<&str>) -> Self {
        self.model_id = model_id.map(str::to_string);
        self
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "file {}", self.file.display())?;
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
        }
        if let Some(m) = &self.model_id {
            write!(f, ", model `{m}`")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is empty (0 bytes); expected {expected}")]
    EmptyFile { path: PathBuf, expected: String },
    #[error(
        "{path} is not a readable {expected} file ({detail}). It may be truncated or of another format; \
         re-download it or pass the right --format"
    )]
    Unreadable {
        path: PathBuf,
        expected: String,
        detail: String,
    },
    #[error("{at}: a required column is missing: expected {expected}")]
    MissingColumn { at: Location, expected: String },
    #[error("{at}: wrong type: found {found}, expected {expected}")]
    WrongType {
        at: Location,
        found: String,
        expected: String,
    },
    #[error("{at}: bad value {value:?}: expected {expected}")]
    BadValue {
        at: Location,
        value: String,
        expected: String,
    },
    #[error("{path}: text is not valid UTF-8 (byte offset {offset}); expected UTF-8 JSON")]
    NotUtf8 { path: PathBuf, offset: usize },
    #[error("unknown --format `{0}`: expected one of auto, hub-stats, release, api-json")]
    UnknownFormat(String),
    #[error(
        "cannot detect the format of {path}: {reason}. Pass --format hub-stats|release|api-json"
    )]
    Undetectable { path: PathBuf, reason: String },
    #[error("no input files found under {path}: expected {expected}")]
    NoInput { path: PathBuf, expected: String },
    #[error("{path}: {detail}")]
    Annotations { path: PathBuf, detail: String },
    #[error("while {context}: {source}")]
    Polars {
        context: String,
        #[source]
        source: polars::error::PolarsError,
    },
    #[error("cannot write {path}: {detail}")]
    Write { path: PathBuf, detail: String },
    #[error("{path} exists and is not a prepared dataset (no manifest.json); choose another --out")]
    ForeignOutput { path: PathBuf },
    #[error(
        "{path} is being written by another run (it holds {lock}); wait for it to finish \
         or choose another --out"
    )]
    Busy { path: PathBuf, lock: PathBuf },
    #[error("{what} does not fit in 64 bits: the input's counters are implausibly large")]
    Overflow { what: String },
}

pub type Result<T, E = IngestError> = std::result::Result<T, E>;

impl IngestError {
    /// False for a failure to write an output (disk full, read-only, a
    /// staging directory that cannot be made): exit 1, not bad input.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, Self::Write { .. })
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// Attaches a description of what was being done to a polars error.
pub trait PolarsContext<T> {
    fn during(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> PolarsContext<T> for polars::error::PolarsResult<T> {
    fn during(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| IngestError::Polars {
            context: context(),
            source,
        })
    }
}
