//! The crate's one error type.

use polars::prelude::PolarsError;

/// Why a statistic could not be computed. Every variant names the function
/// (`what`) and, where there is one, the offending position or column.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// The input had no values.
    #[error("{what}: the input is empty")]
    Empty { what: &'static str },
    /// A value was negative, NaN or infinite where a non-negative amount was expected.
    #[error("{what}: value {value} at position {index} is not a finite non-negative number")]
    InvalidValue {
        what: &'static str,
        index: usize,
        value: f64,
    },
    /// A value was NaN or infinite.
    #[error("{what}: value {value} at position {index} is not finite")]
    NonFinite {
        what: &'static str,
        index: usize,
        value: f64,
    },
    /// Every amount was zero, so shares (and every share-based index) are undefined.
    #[error("{what}: every value is zero, so shares are undefined")]
    ZeroTotal { what: &'static str },
    /// Two inputs that must be parallel have different lengths.
    #[error("{what}: lengths differ ({left} vs {right})")]
    LengthMismatch {
        what: &'static str,
        left: usize,
        right: usize,
    },
    /// An argument is outside its domain (k = 0, a level outside (0, 1), ...).
    #[error("{what}: {message}")]
    InvalidArgument { what: &'static str, message: String },
    /// A frame lacks a column or has one of the wrong type or content.
    #[error("{what}: column `{column}`: {message}")]
    Column {
        what: &'static str,
        column: String,
        message: String,
    },
    /// A key that must identify one row appears more than once.
    #[error("{what}: key `{key}` appears more than once in column `{column}`")]
    DuplicateKey {
        what: &'static str,
        column: String,
        key: String,
    },
    /// An error from polars while evaluating a query.
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, StatsError>;

/// Checks that `values` is non-empty and every value is finite and `>= 0`;
/// returns their sum.
pub(crate) fn check_amounts(what: &'static str, values: &[f64]) -> Result<f64> {
    if values.is_empty() {
        return Err(StatsError::Empty { what });
    }
    let mut total = 0.0;
    for (index, &value) in values.iter().enumerate() {
        if !(value.is_finite() && value >= 0.0) {
            return Err(StatsError::InvalidValue { what, index, value });
        }
        total += value;
    }
    Ok(total)
}

/// Checks that every value is finite.
pub(crate) fn check_finite(what: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite {
            what,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Checks that two parallel inputs have the same length.
pub(crate) fn check_same_len(what: &'static str, left: usize, right: usize) -> Result<()> {
    if left == right {
        Ok(())
    } else {
        Err(StatsError::LengthMismatch { what, left, right })
    }
}

/// Shorthand for [`StatsError::InvalidArgument`].
pub(crate) fn invalid(what: &'static str, message: impl Into<String>) -> StatsError {
    StatsError::InvalidArgument {
        what,
        message: message.into(),
    }
}
