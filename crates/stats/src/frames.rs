//! Small helpers shared by the frame functions: column checks and extraction.

use polars::prelude::*;

use crate::error::{Result, StatsError};

/// Checks that `lf` has every column of `columns`; returns its schema.
pub(crate) fn require_columns(
    what: &'static str,
    lf: &mut LazyFrame,
    columns: &[&str],
) -> Result<SchemaRef> {
    let schema = lf.collect_schema()?;
    for &column in columns {
        if schema.get(column).is_none() {
            return Err(StatsError::Column {
                what,
                column: column.to_string(),
                message: format!(
                    "missing (the frame has: {})",
                    schema
                        .iter_names()
                        .map(|n| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    Ok(schema)
}

/// Checks that `column` of `lf` has no repeated value: one distinct count,
/// and only when that finds a repeat, a second query to name it.
pub(crate) fn check_unique_key(what: &'static str, lf: &LazyFrame, column: &str) -> Result<()> {
    let counts = lf
        .clone()
        .select([
            col(column)
                .n_unique()
                .cast(DataType::UInt64)
                .alias("distinct"),
            len().cast(DataType::UInt64).alias("rows"),
        ])
        .collect()?;
    let distinct = counts.column("distinct")?.u64()?.get(0);
    if distinct == counts.column("rows")?.u64()?.get(0) {
        return Ok(());
    }
    let duplicated = lf
        .clone()
        .select([col(column)])
        .group_by([col(column)])
        .agg([len().alias("__count")])
        .filter(col("__count").gt(lit(1)))
        .limit(1)
        .collect()?;
    if duplicated.height() == 0 {
        return Ok(());
    }
    let value = duplicated.column(column)?.get(0)?;
    Err(StatsError::DuplicateKey {
        what,
        column: column.to_string(),
        key: value.to_string(),
    })
}

/// Checks that the Float64 `column` of `df` is finite and non-negative
/// (nulls allowed), with one aggregate query instead of a row loop.
pub(crate) fn check_amount_column(what: &'static str, df: &DataFrame, column: &str) -> Result<()> {
    let summary = df
        .clone()
        .lazy()
        .select([
            col(column).min().alias("min"),
            col(column).sum().alias("sum"),
        ])
        .collect()?;
    let min = summary.column("min")?.f64()?.get(0);
    let sum = summary.column("sum")?.f64()?.get(0);
    let bad = |value: f64| StatsError::Column {
        what,
        column: column.to_string(),
        message: format!("expected finite non-negative amounts, found {value}"),
    };
    if let Some(min) = min.filter(|m| m.is_nan() || *m < 0.0) {
        return Err(bad(min));
    }
    if let Some(sum) = sum.filter(|s| !s.is_finite()) {
        return Err(bad(sum));
    }
    Ok(())
}

/// The UInt32 `column` of `df`, or an error naming it and its type.
pub(crate) fn u32_column<'a>(
    what: &'static str,
    df: &'a DataFrame,
    column: &str,
) -> Result<&'a UInt32Chunked> {
    let error = |message: String| StatsError::Column {
        what,
        column: column.to_string(),
        message,
    };
    let found = df
        .column(column)
        .map_err(|_| error("missing".to_string()))?;
    found
        .u32()
        .map_err(|_| error(format!("expected UInt32 numbers, found {}", found.dtype())))
}

/// The texts of the String `column` of `df` (tests).
#[cfg(test)]
pub(crate) fn texts(df: &DataFrame, column: &str) -> Vec<Option<String>> {
    df.column(column)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}
