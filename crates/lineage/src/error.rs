//! Typed errors of the lineage crate.

use polars::prelude::PolarsError;

/// What can go wrong while deriving lineage and attributes.
#[derive(Debug, thiserror::Error)]
pub enum LineageError {
    /// A column the computation needs is absent.
    #[error("{table} table: missing column `{column}` (expected {expected})")]
    MissingColumn {
        table: &'static str,
        column: String,
        expected: &'static str,
    },
    /// A column has a dtype the computation cannot read.
    #[error("{table} table: column `{column}` has dtype {found}, expected {expected}")]
    WrongType {
        table: &'static str,
        column: String,
        found: String,
        expected: &'static str,
    },
    /// A non-nullable column holds a null.
    #[error("{table} table: column `{column}` is null at row {row}")]
    NullValue {
        table: &'static str,
        column: String,
        row: usize,
    },
    /// A value outside the column's vocabulary.
    #[error(
        "{table} table: column `{column}` has value `{value}` at row {row}, expected one of {expected}"
    )]
    InvalidValue {
        table: &'static str,
        column: String,
        row: usize,
        value: String,
        expected: String,
    },
    /// Two rows carry the same model id.
    #[error("models table: model_id `{model_id}` appears at rows {first} and {second}")]
    DuplicateModel {
        model_id: String,
        first: usize,
        second: usize,
    },
    /// An option is out of its domain.
    #[error("invalid option {name} = {value}: {expected}")]
    InvalidOption {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    /// An error raised by polars while reading or building columns.
    #[error(transparent)]
    Polars(#[from] PolarsError),
}
