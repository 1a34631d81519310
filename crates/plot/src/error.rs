//! Typed errors: bad chart data (named by series and point) and failures
//! to draw, encode or write a figure.

use std::path::PathBuf;

/// What is wrong with the data handed to a chart.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("nothing to draw: {0}")]
    Empty(String),
    #[error("{series:?}: {what} has {got} values, expected {expected}")]
    LengthMismatch {
        series: String,
        what: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("{series:?}: {what} at point {index} is {value}, expected a finite number")]
    NotFinite {
        series: String,
        what: &'static str,
        index: usize,
        value: f64,
    },
    #[error(
        "{series:?}: {what} at point {index} is {value}, expected a positive number on a log axis"
    )]
    NotPositive {
        series: String,
        what: &'static str,
        index: usize,
        value: f64,
    },
    #[error("{series:?}: x at point {index} is below the one before; x must not decrease")]
    NotSorted { series: String, index: usize },
    #[error("{series:?}: interval at point {index} is [{lower}, {upper}], expected lower <= upper")]
    BadInterval {
        series: String,
        index: usize,
        lower: f64,
        upper: f64,
    },
    #[error("shares at point {index} (x = {x}) sum to {sum}, expected 1")]
    SharesDoNotSumToOne { index: usize, x: f64, sum: f64 },
    #[error("share {value} of {series:?} at point {index} is outside [0, 1]")]
    ShareOutOfRange {
        series: String,
        index: usize,
        value: f64,
    },
    #[error("{0}")]
    Unsupported(String),
}

/// Why a figure could not be rendered or written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("figure {figure:?}: {source}")]
    Data {
        figure: String,
        #[source]
        source: DataError,
    },
    #[error("figure size {width}x{height} px is too small (at least 320x200)")]
    TooSmall { width: u32, height: u32 },
    #[error("font: {0}")]
    Font(String),
    #[error("drawing: {0}")]
    Draw(String),
    #[error("encoding PNG: {0}")]
    Png(#[from] image::ImageError),
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
