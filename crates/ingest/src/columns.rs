//! Building typed polars columns from Rust values, and reading them back.

use polars::prelude::*;

use crate::error::{PolarsContext, Result};

/// A nullable text column.
pub fn text<'a>(name: &str, values: impl Iterator<Item = Option<&'a str>>) -> Column {
    StringChunked::from_iter_options(name.into(), values).into_column()
}

/// A `List(String)` column; an empty list, never null.
pub fn text_list<'a>(name: &str, rows: impl ExactSizeIterator<Item = &'a [String]>) -> Column {
    let mut b = ListStringChunkedBuilder::new(name.into(), rows.len(), rows.len() * 2);
    for r in rows {
        b.append_values_iter(r.iter().map(String::as_str));
    }
    b.finish().into_column()
}

/// A nullable `UInt64` column.
pub fn count(name: &str, values: impl Iterator<Item = Option<u64>>) -> Column {
    UInt64Chunked::from_iter_options(name.into(), values).into_column()
}

/// A `Boolean` column.
pub fn flag(name: &str, values: impl Iterator<Item = bool>) -> Column {
    BooleanChunked::from_iter_values(name.into(), values).into_column()
}

/// A `Date` column from days since 1970.
pub fn date(name: &str, days: Vec<i32>) -> Result<Column> {
    Int32Chunked::from_vec(name.into(), days)
        .into_series()
        .cast(&DataType::Date)
        .map(IntoColumn::into_column)
        .during(|| format!("building date column {name}"))
}

/// The values of a text column (nulls as `None`).
pub fn texts(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let c = df
        .column(name)
        .during(|| format!("reading column {name}"))?;
    Ok(c.str()
        .during(|| format!("reading column {name}"))?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// The values of a `List(String)` column (null lists as empty).
pub fn text_lists(df: &DataFrame, name: &str) -> Result<Vec<Vec<String>>> {
    let c = df
        .column(name)
        .during(|| format!("reading column {name}"))?;
    let lists = c.list().during(|| format!("reading column {name}"))?;
    let mut out = Vec::with_capacity(lists.len());
    for v in lists.amortized_iter() {
        let items = match v {
            Some(s) => s
                .as_ref()
                .str()
                .during(|| format!("reading column {name}"))?
                .iter()
                .flatten()
                .map(str::to_string)
                .collect(),
            None => Vec::new(),
        };
        out.push(items);
    }
    Ok(out)
}

/// The values of a `Date` column as days since 1970.
pub fn dates(df: &DataFrame, name: &str) -> Result<Vec<Option<i32>>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Int32))
        .during(|| format!("reading column {name}"))?;
    Ok(c.i32()
        .during(|| format!("reading column {name}"))?
        .iter()
        .collect())
}

/// The values of an unsigned count column (nulls as `None`).
pub fn counts(df: &DataFrame, name: &str) -> Result<Vec<Option<u64>>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::UInt64))
        .during(|| format!("reading column {name}"))?;
    Ok(c.u64()
        .during(|| format!("reading column {name}"))?
        .iter()
        .collect())
}
