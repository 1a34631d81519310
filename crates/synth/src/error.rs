//! The one error type of the generator.

use std::path::PathBuf;

/// What can go wrong while reading a scenario or writing a synthetic Hub.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The scenario text is not valid TOML or has an unknown or mistyped key.
    #[error("scenario {origin}: {message}")]
    Parse { origin: String, message: String },
    /// A scenario value is out of range; `key` is its dotted path.
    #[error("scenario key `{key}`: {message}")]
    Invalid { key: String, message: String },
    /// The embedded developer table could not be read.
    #[error("developer table (data/annotations/developers.csv) row {row}: {message}")]
    Developers { row: usize, message: String },
    /// hubecon-lineage classifies the family catalog inconsistently.
    #[error("family catalog: {message}")]
    Catalog { message: String },
    /// The requested size cannot be generated.
    #[error("cannot generate {n_models} models: {message}")]
    Size { n_models: usize, message: String },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Building or writing a parquet table failed.
    #[error("writing {path}: {source}")]
    Polars {
        path: PathBuf,
        #[source]
        source: polars::prelude::PolarsError,
    },
    /// Serialising truth.json failed.
    #[error("writing {path}: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

impl SynthError {
    pub(crate) fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        SynthError::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        SynthError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn polars(path: &std::path::Path, source: polars::prelude::PolarsError) -> Self {
        SynthError::Polars {
            path: path.to_path_buf(),
            source,
        }
    }
}
