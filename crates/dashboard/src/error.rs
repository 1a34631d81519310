//! What can go wrong building the dashboard: every message names the file
//! and, where it applies, the column and row, and what was expected.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{file}: missing (run `hubecon figures` first: the dashboard reads only the analyses' outputs)"
    )]
    Missing { file: PathBuf },
    #[error("{file}: {source}")]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: not a CSV file: {message}")]
    Csv { file: PathBuf, message: String },
    #[error("{file}: no column `{column}` (the columns are: {found})")]
    Column {
        file: PathBuf,
        column: String,
        found: String,
    },
    #[error("{file}, row {row}, column `{column}`: expected {expected}, found `{found}`")]
    Value {
        file: PathBuf,
        row: usize,
        column: String,
        expected: String,
        found: String,
    },
    #[error("{file}: {message}")]
    Content { file: PathBuf, message: String },
    #[error("writing {file}: {message}")]
    Write { file: PathBuf, message: String },
}

impl Error {
    /// True when the user can fix it by fixing the figures folder (exit
    /// code 2 in `hubecon`), false for a failure to write.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, Error::Write { .. })
    }
}

pub type Result<T> = std::result::Result<T, Error>;
